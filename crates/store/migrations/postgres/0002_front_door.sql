-- The front door: referrals (each with its own hash-chained log in `events`, keyed by
-- the referral id), their children, the open work of the trays, and households for
-- "is this child known?".

ALTER TABLE people ADD COLUMN upn TEXT;
CREATE INDEX people_upn ON people(upn);

-- Who lives with a child, from FamilyMemberAdded events (matching on household members).
CREATE TABLE households (
    child_id TEXT NOT NULL REFERENCES people(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (child_id, person_id)
);

-- A projection of each referral's log, rewritten after every event.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    stage TEXT NOT NULL,
    summary TEXT NOT NULL,
    referrer_name TEXT NOT NULL,
    referrer_agency_name TEXT,
    -- The signed-in user or agency system that sent it (None for a contact the front door recorded).
    submitted_by_user TEXT,
    submitted_by_client TEXT,
    submitted_by_agency TEXT,
    idempotency_key TEXT,
    decision_due TEXT NOT NULL,
    decided_at TEXT,
    outcome TEXT,
    repeat_referral BOOLEAN NOT NULL DEFAULT FALSE,
    open_work BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    UNIQUE (submitted_by_client, idempotency_key)
);
CREATE INDEX referrals_received ON referrals(received_at DESC);
CREATE INDEX referrals_user ON referrals(submitted_by_user, received_at DESC);
CREATE INDEX referrals_client ON referrals(submitted_by_client, received_at DESC);

-- Which record each child of a referral was linked to (for repeat referrals and the
-- "recent referrals" a candidate shows).
CREATE TABLE referral_children (
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    child_index BIGINT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    received_at TEXT NOT NULL,
    PRIMARY KEY (referral_id, child_index)
);
CREATE INDEX referral_children_person ON referral_children(person_id, received_at);

-- The trays: what each referral still needs, recomputed after every event.
CREATE TABLE work_items (
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    work_key TEXT NOT NULL,
    queue TEXT NOT NULL,
    title TEXT NOT NULL,
    due TEXT NOT NULL,
    overdue_from TEXT NOT NULL,
    rule_id TEXT,
    citation TEXT NOT NULL,
    PRIMARY KEY (referral_id, work_key)
);
CREATE INDEX work_items_queue_due ON work_items(queue, overdue_from);

ALTER TABLE access_log ADD COLUMN referral_id TEXT;
CREATE INDEX access_log_referral ON access_log(referral_id, at);

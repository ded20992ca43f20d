-- Help for children and families: cases (one episode of help for one child, each with
-- its own hash-chained log in `events`, keyed by the case id), their open work for the
-- trays, and the actions of their plans for the practitioners who own them.

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES people(id),
    service TEXT NOT NULL,
    stage TEXT NOT NULL,
    local_authority TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    referral_id TEXT,
    referral_date TEXT NOT NULL,
    lead_user TEXT,
    closed_on TEXT,
    closure_reason TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_child ON cases(child_id, opened_at);
CREATE INDEX cases_lead ON cases(lead_user) WHERE stage = 'open';

CREATE TABLE case_work (
    case_id TEXT NOT NULL REFERENCES cases(id),
    work_key TEXT NOT NULL,
    child_id TEXT NOT NULL,
    assignee TEXT,
    title TEXT NOT NULL,
    due TEXT NOT NULL,
    overdue_from TEXT NOT NULL,
    rule_id TEXT,
    citation TEXT NOT NULL,
    PRIMARY KEY (case_id, work_key)
);
CREATE INDEX case_work_assignee ON case_work(assignee, overdue_from);
CREATE INDEX case_work_supervisors ON case_work(overdue_from) WHERE assignee IS NULL;

CREATE TABLE case_actions (
    case_id TEXT NOT NULL REFERENCES cases(id),
    action_number BIGINT NOT NULL,
    child_id TEXT NOT NULL,
    plan_number BIGINT NOT NULL,
    plan_kind TEXT NOT NULL,
    what TEXT NOT NULL,
    owner_user TEXT,
    owner_agency TEXT,
    owner_name TEXT NOT NULL,
    due_by TEXT NOT NULL,
    done_on TEXT,
    PRIMARY KEY (case_id, action_number)
);
CREATE INDEX case_actions_user ON case_actions(owner_user, due_by);
CREATE INDEX case_actions_agency ON case_actions(owner_agency, due_by);
CREATE INDEX case_actions_child ON case_actions(child_id);

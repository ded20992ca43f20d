-- Issue 18: administrators accountable, and sign-in throttled by account and address.
--
-- The administration log: every administrative action (a user created, deactivated or
-- changed, a password reset, an API client issued or revoked, a closure proclaimed),
-- append-only and chained by hash like a child's log, for the data protection officer.
CREATE TABLE admin_log (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    -- The administrator; NULL for the operator's command line.
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    -- What it was done to: a user's or API client's id, a date.
    target TEXT,
    target_name TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX admin_log_target ON admin_log(target, seq);
CREATE INDEX admin_log_actor ON admin_log(actor_id, seq);

-- A password an administrator set is temporary: it must be changed at first sign-in.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- Where each sign-in came from: the throttle is by account and address.
ALTER TABLE login_attempts ADD COLUMN client TEXT NOT NULL DEFAULT '';
-- Each attempt's own id (several may share a time).
ALTER TABLE login_attempts ADD COLUMN id TEXT NOT NULL DEFAULT '';
-- Refused unchecked because it had to wait: not counted towards the next wait.
ALTER TABLE login_attempts ADD COLUMN throttled INTEGER NOT NULL DEFAULT 0;
CREATE INDEX login_attempts_username_client_at ON login_attempts(username, client, at);

CREATE TRIGGER admin_log_no_update BEFORE UPDATE ON admin_log
BEGIN
    SELECT RAISE(ABORT, 'the administration log is append-only');
END;
CREATE TRIGGER admin_log_no_delete BEFORE DELETE ON admin_log
BEGIN
    SELECT RAISE(ABORT, 'the administration log is append-only');
END;

-- One-time tokens for the forms that create (refer a child, record a contact, open a
-- record): sending a form twice (a double click, the back button) creates nothing twice.
CREATE TABLE form_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    -- When the form was sent with it; NULL while unused.
    claimed_at TEXT,
    -- Where what it created is ("/referrals/<id>"); NULL until made.
    result TEXT
);
CREATE INDEX form_tokens_issued ON form_tokens(issued_at);

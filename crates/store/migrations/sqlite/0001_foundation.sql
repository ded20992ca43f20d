-- The foundation: people, the child's event log, identity, the access log.
-- Events and the access log are append-only: triggers refuse UPDATE and DELETE.

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    team_id TEXT REFERENCES teams(id),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX login_attempts_username_at ON login_attempts(username, at);

CREATE TABLE api_clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    token_hash TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- People: a projection of the events, rewritten as events arrive.
CREATE TABLE people (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT,
    expected_date_of_delivery TEXT,
    sex TEXT NOT NULL,
    nhs_number TEXT,
    postcode TEXT,
    restricted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- The children list, newest first, reads one page of this index rather than sorting everyone.
CREATE INDEX people_children_created ON people(created_at DESC, id) WHERE kind IN ('child','unborn-child');
CREATE INDEX people_family_name ON people(family_name COLLATE NOCASE);
CREATE INDEX people_nhs_number ON people(nhs_number);

-- The head of each child's log: the last position and hash, locked while appending.
CREATE TABLE logs (
    child_id TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES logs(child_id),
    seq INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT,
    payload_hash TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_agency_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    profile_version TEXT NOT NULL,
    corrects TEXT REFERENCES events(id),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (child_id, seq)
);
CREATE INDEX events_type_effective ON events(event_type, effective_at);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: record a correction instead');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: record a correction instead');
END;

-- A log's head moves forward as events are appended, but is never removed.
CREATE TRIGGER logs_no_delete BEFORE DELETE ON logs
BEGIN
    SELECT RAISE(ABORT, 'log heads are append-only: they are never removed');
END;

CREATE TABLE involvements (
    child_id TEXT NOT NULL REFERENCES people(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (child_id, user_id, kind)
);
CREATE INDEX involvements_user ON involvements(user_id);

CREATE TABLE access_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id TEXT,
    api_client_id TEXT,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    child_id TEXT,
    allowed INTEGER NOT NULL,
    reason TEXT NOT NULL,
    break_glass INTEGER NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX access_log_at ON access_log(at);
CREATE INDEX access_log_user ON access_log(user_id, at);
CREATE INDEX access_log_child ON access_log(child_id, at);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

CREATE TABLE proclamations (
    date TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    replaces TEXT,
    added_by TEXT,
    added_at TEXT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

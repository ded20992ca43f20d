-- The foundation: people, the child's event log, identity, the access log.
-- Mirrors migrations/sqlite/0001_foundation.sql. Ids and timestamps are TEXT so that
-- events hash identically on both backends; columns that are compared or sorted as
-- text (ids, timestamps, dates) use the "C" collation so they order byte-wise, as
-- SQLite's BINARY collation does, whatever the database's locale.
-- Events and the access log are append-only: triggers refuse UPDATE, DELETE and
-- TRUNCATE.

CREATE TABLE agencies (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE teams (
    id TEXT COLLATE "C" PRIMARY KEY,
    agency_id TEXT COLLATE "C" NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id TEXT COLLATE "C" NOT NULL REFERENCES agencies(id),
    team_id TEXT COLLATE "C" REFERENCES teams(id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    last_seen_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    username TEXT COLLATE "C" NOT NULL,
    at TEXT COLLATE "C" NOT NULL,
    succeeded BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_username_at ON login_attempts(username, at);

CREATE TABLE api_clients (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    agency_id TEXT COLLATE "C" NOT NULL REFERENCES agencies(id),
    token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT COLLATE "C" NOT NULL
);

-- People: a projection of the events, rewritten as events arrive.
CREATE TABLE people (
    id TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT COLLATE "C" NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT COLLATE "C",
    expected_date_of_delivery TEXT COLLATE "C",
    sex TEXT NOT NULL,
    nhs_number TEXT COLLATE "C",
    postcode TEXT,
    restricted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);
-- The children list, newest first, reads one page of this index rather than sorting everyone.
CREATE INDEX people_children_created ON people(created_at DESC, id) WHERE kind IN ('child','unborn-child');
CREATE INDEX people_family_name ON people(lower(family_name));
CREATE INDEX people_nhs_number ON people(nhs_number);

-- The head of each child's log: the last position and hash, locked (SELECT ... FOR
-- UPDATE) while appending so that many app servers can append safely.
CREATE TABLE logs (
    child_id TEXT COLLATE "C" PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    last_hash TEXT COLLATE "C" NOT NULL
);

CREATE TABLE events (
    id TEXT COLLATE "C" PRIMARY KEY,
    child_id TEXT COLLATE "C" NOT NULL REFERENCES logs(child_id),
    seq BIGINT NOT NULL,
    event_type TEXT COLLATE "C" NOT NULL,
    payload TEXT,
    payload_hash TEXT COLLATE "C" NOT NULL,
    effective_at TEXT COLLATE "C" NOT NULL,
    recorded_at TEXT COLLATE "C" NOT NULL,
    actor_id TEXT COLLATE "C" NOT NULL,
    actor_agency_id TEXT COLLATE "C" NOT NULL,
    actor_role TEXT COLLATE "C" NOT NULL,
    profile_version TEXT COLLATE "C" NOT NULL,
    corrects TEXT COLLATE "C" REFERENCES events(id),
    prev_hash TEXT COLLATE "C" NOT NULL,
    hash TEXT COLLATE "C" NOT NULL,
    UNIQUE (child_id, seq)
);
CREATE INDEX events_type_effective ON events(event_type, effective_at);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: record a correction instead'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- Statement-level, so even an UPDATE or DELETE that matches no row is refused.
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- A log's head moves forward as events are appended, but is never removed.
CREATE FUNCTION logs_keep_heads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'log heads are append-only: they are never removed'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER logs_no_delete BEFORE DELETE ON logs
    FOR EACH STATEMENT EXECUTE FUNCTION logs_keep_heads();
CREATE TRIGGER logs_no_truncate BEFORE TRUNCATE ON logs
    FOR EACH STATEMENT EXECUTE FUNCTION logs_keep_heads();

CREATE TABLE involvements (
    child_id TEXT COLLATE "C" NOT NULL REFERENCES people(id),
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    kind TEXT COLLATE "C" NOT NULL,
    since TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (child_id, user_id, kind)
);
CREATE INDEX involvements_user ON involvements(user_id);

CREATE TABLE access_log (
    id TEXT COLLATE "C" PRIMARY KEY,
    at TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C",
    api_client_id TEXT COLLATE "C",
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    child_id TEXT COLLATE "C",
    allowed BOOLEAN NOT NULL,
    reason TEXT NOT NULL,
    break_glass BOOLEAN NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX access_log_at ON access_log(at);
CREATE INDEX access_log_user ON access_log(user_id, at);
CREATE INDEX access_log_child ON access_log(child_id, at);

CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER access_log_no_update_delete BEFORE UPDATE OR DELETE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();

CREATE TABLE proclamations (
    date TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    replaces TEXT COLLATE "C",
    added_by TEXT COLLATE "C",
    added_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE settings (
    key TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);

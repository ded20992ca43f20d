//! The embedded SQLite store: WAL, `synchronous=FULL`, foreign keys on, every write
//! inside a `BEGIN IMMEDIATE` transaction on the one writer connection, acknowledged
//! only after its commit (design principle 7; `group_commit`), so an acknowledged
//! write survives a crash or a kill.

use crate::group_commit::Writer;
use crate::pool::{Fairness, Pool};
use crate::*;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};
use together_domain::event::{EventBody, GENESIS_HASH};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_foundation.sql")),
    (2, include_str!("../migrations/sqlite/0002_front_door.sql")),
    (3, include_str!("../migrations/sqlite/0003_cases.sql")),
    (
        4,
        include_str!("../migrations/sqlite/0004_chronology_pages.sql"),
    ),
    (
        5,
        include_str!("../migrations/sqlite/0005_case_work_by_child.sql"),
    ),
    (
        6,
        include_str!("../migrations/sqlite/0006_trays_in_full_order.sql"),
    ),
    (
        7,
        include_str!("../migrations/sqlite/0007_process_kernel.sql"),
    ),
    (8, include_str!("../migrations/sqlite/0008_urgent_work.sql")),
    (
        9,
        include_str!("../migrations/sqlite/0009_administration.sql"),
    ),
];

pub struct SqliteStore {
    /// Connections for reading; in WAL mode they read beside the writer.
    pool: Pool<Connection>,
    writer: Writer,
}

fn be(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn map_err(e: rusqlite::Error) -> StoreError {
    match &e {
        // Only uniqueness is a conflict; other constraint failures are backend errors, as on PostgreSQL.
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict(e.to_string())
        }
        _ => StoreError::database(e.to_string(), e),
    }
}

fn connect(path: &str) -> std::result::Result<Connection, String> {
    let c = Connection::open(path).map_err(|e| e.to_string())?;
    c.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(|e| e.to_string())?;
    c.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )
    .map_err(|e| e.to_string())?;
    // Every write runs in a savepoint (group commit); its sub-journal is a temporary
    // file unless temporary storage is in memory, and writing it cost a tenth of an
    // intake request. The statements a request runs are many: keep them all prepared.
    c.set_prepared_statement_cache_capacity(256);
    Ok(c)
}

/// `Connection::query_row` with the statement prepared once per connection.
fn query_row_cached<T>(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    c.prepare_cached(sql)?.query_row(params, f)
}

/// `Connection::execute` with the statement prepared once per connection.
fn exec(c: &Connection, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute(params)
}

/// Connections that read (the writer is one more). SQLite reads are short, so a
/// request rarely holds one long; as many as a busy server has requests in flight
/// keeps them from queueing for a turn (each costs at most its 2 MB page cache).
const READERS: usize = 16;

impl SqliteStore {
    pub fn open(path: &str) -> Result<SqliteStore> {
        let p = path.to_string();
        let writer = Writer::new(connect(path).map_err(be)?);
        let pool = Pool::new(READERS, Fairness::FirstFree, move || connect(&p));
        let store = SqliteStore { pool, writer };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<()> {
        self.write(|tx| {
        tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            .map_err(map_err)?;
        for (version, sql) in MIGRATIONS {
            let done: Option<i64> = tx
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [version],
                    |r| r.get(0),
                )
                .optional()
                .map_err(map_err)?;
            if done.is_none() {
                tx.execute_batch(sql).map_err(map_err)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                    [version],
                )
                .map_err(map_err)?;
            }
        }
        Ok(())
        })
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let c = self.pool.get().map_err(be)?;
        f(&c).map_err(map_err)
    }

    /// Every write goes through the one writer connection (group commit).
    fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.writer.write(f)
    }
}

fn id<T: std::str::FromStr>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    s.parse::<T>().map_err(|_| {
        rusqlite::Error::InvalidColumnType(i, "id".into(), rusqlite::types::Type::Text)
    })
}

/// A WHERE clause built from the filters a query has. Each filter present adds its own
/// condition, so SQLite plans each shape of query with the index it can use (a
/// condition like `(?1 IS NULL OR child_id = ?1)` rules out an index on `child_id`).
#[derive(Default)]
struct Filter {
    conditions: Vec<String>,
    params: Vec<Value>,
}

impl Filter {
    fn and(&mut self, condition: &str, params: impl IntoIterator<Item = Value>) {
        self.conditions.push(condition.to_string());
        self.params.extend(params);
    }

    /// Strictly after a place in a tray's order, (overdue from, `id`, work key); the
    /// first condition lets SQLite start from the place in the `overdue_from` index.
    fn after(&mut self, id: &str, a: &WorkAfter) {
        let condition =
            format!("w.overdue_from >= ? AND (w.overdue_from, {id}, w.work_key) > (?, ?, ?)");
        let text = |s: &str| Value::Text(s.to_string());
        self.and(
            &condition,
            [
                text(&a.overdue_from),
                text(&a.overdue_from),
                text(&a.id),
                text(&a.key),
            ],
        );
    }

    fn sql(&self) -> String {
        if self.conditions.is_empty() {
            "1".into()
        } else {
            self.conditions.join(" AND ")
        }
    }
}

/// One owner's work that a `TrayQuery` selects (table alias `w`): one read of the
/// `work_tray` index (or `work_child`, for work about one child).
fn owner_filter(q: &TrayQuery, owner: &Owner) -> Filter {
    let mut f = Filter::default();
    f.and("w.owner = ?", [Value::Text(owner.key())]);
    if let Some(kind) = &q.kind {
        f.and("w.process_kind = ?", [Value::Text(kind.clone())]);
    }
    if let Some(child) = q.child {
        f.and("w.child_id = ?", [Value::Text(child.to_string())]);
    }
    if q.urgent_only {
        f.and("w.urgent = 1", []);
    }
    f
}

/// A `WorkCount` from a row of (all, overdue).
fn work_count(r: &Row<'_>) -> rusqlite::Result<WorkCount> {
    Ok(WorkCount {
        total: r.get::<_, i64>(0)?.max(0) as u64,
        overdue: r.get::<_, i64>(1)?.max(0) as u64,
    })
}

fn opt_id<T: std::str::FromStr>(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<T>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| {
        s.parse::<T>().map_err(|_| {
            rusqlite::Error::InvalidColumnType(i, "id".into(), rusqlite::types::Type::Text)
        })
    })
    .transpose()
}

const EVENT_COLS: &str = "id, child_id, seq, event_type, payload, payload_hash, effective_at, recorded_at, actor_id, actor_agency_id, actor_role, profile_version, corrects, prev_hash, hash";

fn event_row(r: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        id: id(r, 0)?,
        child: id(r, 1)?,
        seq: r.get(2)?,
        event_type: r.get(3)?,
        payload: r.get(4)?,
        payload_hash: r.get(5)?,
        effective_at: r.get(6)?,
        recorded_at: r.get(7)?,
        actor: id(r, 8)?,
        actor_agency: id(r, 9)?,
        actor_role: r.get(10)?,
        profile_version: r.get(11)?,
        corrects: opt_id(r, 12)?,
        prev_hash: r.get(13)?,
        hash: r.get(14)?,
    })
}

const PERSON_COLS: &str = "id, kind, given_name, family_name, date_of_birth, expected_date_of_delivery, sex, nhs_number, postcode, restricted, created_at, updated_at, upn";

fn person_row(r: &Row<'_>) -> rusqlite::Result<PersonRow> {
    Ok(PersonRow {
        id: id(r, 0)?,
        kind: r.get(1)?,
        given_name: r.get(2)?,
        family_name: r.get(3)?,
        date_of_birth: r.get(4)?,
        expected_date_of_delivery: r.get(5)?,
        sex: r.get(6)?,
        nhs_number: r.get(7)?,
        postcode: r.get(8)?,
        restricted: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        upn: r.get(12)?,
    })
}

const USER_COLS: &str =
    "id, username, display_name, role, agency_id, team_id, password_hash, active, created_at, must_change_password";

fn user_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: id(r, 0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        agency: id(r, 4)?,
        team: opt_id(r, 5)?,
        password_hash: r.get(6)?,
        active: r.get(7)?,
        created_at: r.get(8)?,
        must_change_password: r.get(9)?,
    })
}

fn insert_user(tx: &Connection, u: &UserRow) -> Result<()> {
    exec(
        tx,
        &format!("INSERT INTO users ({USER_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"),
        params![
            u.id.to_string(),
            u.username,
            u.display_name,
            u.role,
            u.agency.to_string(),
            u.team.map(|t| t.to_string()),
            u.password_hash,
            u.active,
            u.created_at,
            u.must_change_password
        ],
    )
    .map(|_| ())
    .map_err(map_err)
}

fn change_user(tx: &Connection, u: &UserRow) -> Result<()> {
    let n = exec(
        tx,
        "UPDATE users SET username=?2, display_name=?3, role=?4, agency_id=?5, team_id=?6, password_hash=?7, active=?8, must_change_password=?9 WHERE id=?1",
        params![
            u.id.to_string(), u.username, u.display_name, u.role, u.agency.to_string(),
            u.team.map(|t| t.to_string()), u.password_hash, u.active, u.must_change_password
        ],
    )
    .map_err(map_err)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("user {}", u.id)));
    }
    Ok(())
}

fn end_sessions_of(tx: &Connection, user: UserId) -> Result<()> {
    exec(
        tx,
        "DELETE FROM sessions WHERE user_id = ?1",
        [user.to_string()],
    )
    .map(|_| ())
    .map_err(map_err)
}

fn insert_api_client(tx: &Connection, a: &ApiClientRow) -> Result<()> {
    exec(tx,
        "INSERT INTO api_clients (id, name, agency_id, token_hash, active, created_at) VALUES (?1,?2,?3,?4,?5,?6)",
        params![a.id.to_string(), a.name, a.agency.to_string(), a.token_hash, a.active, a.created_at],
    )
    .map(|_| ())
    .map_err(map_err)
}

fn api_client_row(r: &Row<'_>) -> rusqlite::Result<ApiClientRow> {
    Ok(ApiClientRow {
        id: id(r, 0)?,
        name: r.get(1)?,
        agency: id(r, 2)?,
        token_hash: r.get(3)?,
        active: r.get(4)?,
        created_at: r.get(5)?,
    })
}

fn insert_proclamation(tx: &Connection, p: &ProclamationRow) -> Result<()> {
    exec(tx,
        "INSERT INTO proclamations (date, name, replaces, added_by, added_at) VALUES (?1,?2,?3,?4,?5)",
        params![p.date, p.name, p.replaces, p.added_by.map(|u| u.to_string()), p.added_at],
    )
    .map(|_| ())
    .map_err(map_err)
}

const ADMIN_COLS: &str =
    "seq, id, at, actor_id, actor_name, action, target, target_name, details, prev_hash, hash";

fn admin_row(r: &Row<'_>) -> rusqlite::Result<AdminEntry> {
    Ok(AdminEntry {
        seq: r.get(0)?,
        entry: NewAdminEntry {
            id: id(r, 1)?,
            at: r.get(2)?,
            actor: opt_id(r, 3)?,
            actor_name: r.get(4)?,
            action: r.get(5)?,
            target: r.get(6)?,
            target_name: r.get(7)?,
            details: r.get(8)?,
        },
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

const ACCESS_COLS: &str = "id, at, user_id, api_client_id, role, action, child_id, allowed, reason, break_glass, request_id, referral_id, subject_kind, subject_id";

fn access_row(r: &Row<'_>) -> rusqlite::Result<AccessEntry> {
    Ok(AccessEntry {
        id: id(r, 0)?,
        at: r.get(1)?,
        user: opt_id(r, 2)?,
        api_client: opt_id(r, 3)?,
        role: r.get(4)?,
        action: r.get(5)?,
        child: opt_id(r, 6)?,
        allowed: r.get(7)?,
        reason: r.get(8)?,
        break_glass: r.get(9)?,
        request_id: r.get(10)?,
        referral: opt_id(r, 11)?,
        subject: subject(r, 12)?,
    })
}

/// A subject from (kind, id) at columns `i` and `i + 1`.
fn subject(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Subject>> {
    let kind: Option<String> = r.get(i)?;
    Ok(match (kind, opt_id::<uuid::Uuid>(r, i + 1)?) {
        (Some(kind), Some(id)) => Some(Subject { kind, id }),
        _ => None,
    })
}

const REFERRAL_COLS: &str = "id, received_at, channel, stage, summary, referrer_name, referrer_agency_name, submitted_by_user, submitted_by_client, submitted_by_agency, idempotency_key, decision_due, decided_at, outcome, repeat_referral, open_work, updated_at, urgent";

fn referral_row(r: &Row<'_>) -> rusqlite::Result<ReferralRow> {
    Ok(ReferralRow {
        id: id(r, 0)?,
        received_at: r.get(1)?,
        channel: r.get(2)?,
        stage: r.get(3)?,
        summary: r.get(4)?,
        referrer_name: r.get(5)?,
        referrer_agency_name: r.get(6)?,
        submitted_by_user: opt_id(r, 7)?,
        submitted_by_client: opt_id(r, 8)?,
        submitted_by_agency: opt_id(r, 9)?,
        idempotency_key: r.get(10)?,
        decision_due: r.get(11)?,
        decided_at: r.get(12)?,
        outcome: r.get(13)?,
        repeat_referral: r.get(14)?,
        open_work: r.get(15)?,
        updated_at: r.get(16)?,
        urgent: r.get(17)?,
    })
}

/// Seal and insert entries, each at the head of its log, moving the head.
fn append_entries(tx: &Connection, entries: &[NewEntry]) -> Result<Vec<StoredEvent>> {
    let mut sealed = Vec::with_capacity(entries.len());
    for e in entries {
        let log = e.log.to_string();
        exec(tx,
            "INSERT INTO logs (child_id, last_seq, last_hash) VALUES (?1, 0, ?2) ON CONFLICT(child_id) DO NOTHING",
            params![log, GENESIS_HASH],
        )
        .map_err(map_err)?;
        let (last_seq, last_hash): (i64, String) = query_row_cached(
            tx,
            "SELECT last_seq, last_hash FROM logs WHERE child_id = ?1",
            [&log],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(map_err)?;
        let s = e.seal(last_seq + 1, &last_hash);
        exec(tx,
            &format!("INSERT INTO events ({EVENT_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"),
            params![
                s.id.to_string(), log, s.seq, s.event_type, s.payload, s.payload_hash, s.effective_at,
                s.recorded_at, s.actor.to_string(), s.actor_agency.to_string(), s.actor_role,
                s.profile_version, s.corrects.map(|c| c.to_string()), s.prev_hash, s.hash
            ],
        )
        .map_err(map_err)?;
        exec(
            tx,
            "UPDATE logs SET last_seq = ?2, last_hash = ?3 WHERE child_id = ?1",
            params![log, s.seq, s.hash],
        )
        .map_err(map_err)?;
        sealed.push(s);
    }
    Ok(sealed)
}

impl SqliteStore {
    /// How much work `f` selects, and how much is overdue by `now`: two counts, each
    /// from an index and read only as far as `cap`.
    fn count_owner_work(&self, f: Filter, now: &str, cap: u64) -> Result<WorkCount> {
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM work w WHERE {0} LIMIT ?)),
                    (SELECT COUNT(*) FROM (SELECT 1 FROM work w WHERE {0} AND w.overdue_from <= ? LIMIT ?))",
            f.sql()
        );
        let cap = Value::Integer(i64::try_from(cap).unwrap_or(i64::MAX));
        let mut params = f.params.clone();
        params.push(cap.clone());
        params.extend(f.params);
        params.push(Value::Text(now.to_string()));
        params.push(cap);
        self.read(|c| {
            c.prepare_cached(&sql)?
                .query_row(rusqlite::params_from_iter(&params), work_count)
        })
    }

    /// One owner's work, in the tray's order.
    fn owner_work(&self, q: &TrayQuery, owner: &Owner, limit: u32) -> Result<Vec<WorkRow>> {
        let mut f = owner_filter(q, owner);
        if let Some(a) = &q.after {
            f.after("w.process_id", a);
        }
        let sql = format!(
            "SELECT {WORK_COLS}, p.given_name || ' ' || p.family_name
             FROM work w LEFT JOIN people p ON p.id = w.child_id
             WHERE {} ORDER BY w.overdue_from, w.process_id, w.work_key LIMIT ?",
            f.sql()
        );
        f.params.push(Value::Integer(i64::from(limit)));
        self.read(|c| {
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(&f.params), work_row)?;
            rows.collect()
        })
    }
}

const WORK_COLS: &str = "w.process_kind, w.process_id, w.work_key, w.owner, w.child_id, w.title, w.due, w.overdue_from, w.rule_id, w.citation, w.link, w.summary, w.urgent";

/// A work row from `WORK_COLS` and the child's name as the record has it now.
fn work_row(r: &Row<'_>) -> rusqlite::Result<WorkRow> {
    let owner: String = r.get(3)?;
    let child_name: Option<String> = r.get(13)?;
    Ok(WorkRow {
        process_kind: r.get(0)?,
        process_id: id(r, 1)?,
        key: r.get(2)?,
        owner: Owner::from_key(&owner).ok_or_else(|| {
            rusqlite::Error::InvalidColumnType(3, "owner".into(), rusqlite::types::Type::Text)
        })?,
        child: opt_id(r, 4)?.map(PersonId),
        title: r.get(5)?,
        due: r.get(6)?,
        overdue_from: r.get(7)?,
        rule_id: r.get(8)?,
        citation: r.get(9)?,
        link: r.get(10)?,
        summary: match child_name {
            Some(name) => name,
            None => r.get(11)?,
        },
        urgent: r.get(12)?,
    })
}

/// Replace a process's open work with `work`.
fn put_work(tx: &Connection, kind: &str, pid: &str, work: &[WorkRow]) -> Result<()> {
    exec(
        tx,
        "DELETE FROM work WHERE process_kind = ?1 AND process_id = ?2",
        [kind, pid],
    )
    .map_err(map_err)?;
    for w in work {
        exec(tx,
            "INSERT INTO work (process_kind, process_id, work_key, owner, child_id, title, due, overdue_from, rule_id, citation, link, summary, urgent)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
            params![kind, pid, w.key, w.owner.key(), w.child.map(|c| c.to_string()), w.title, w.due,
                w.overdue_from, w.rule_id, w.citation, w.link, w.summary, w.urgent],
        )
        .map_err(map_err)?;
    }
    Ok(())
}

/// Add the involvements a projection creates, if new.
fn add_involvements(tx: &Connection, involvements: &[Involvement]) -> Result<()> {
    for i in involvements {
        exec(tx,
            "INSERT INTO involvements (child_id, user_id, kind, since) VALUES (?1,?2,?3,?4) ON CONFLICT DO NOTHING",
            params![i.child.to_string(), i.user.to_string(), i.kind, i.since],
        )
        .map_err(map_err)?;
    }
    Ok(())
}

const PROCESS_COLS: &str = "kind, id, stage, summary, state, opened_at, updated_at";

fn process_row(r: &Row<'_>) -> rusqlite::Result<ProcessRow> {
    Ok(ProcessRow {
        kind: r.get(0)?,
        id: id(r, 1)?,
        stage: r.get(2)?,
        summary: r.get(3)?,
        state: r.get(4)?,
        opened_at: r.get(5)?,
        updated_at: r.get(6)?,
        subjects: Vec::new(),
    })
}

/// Fill in each process's subjects.
fn with_subjects(c: &Connection, mut rows: Vec<ProcessRow>) -> rusqlite::Result<Vec<ProcessRow>> {
    let mut st = c.prepare_cached(
        "SELECT subject_kind, subject_id FROM process_subjects WHERE kind = ?1 AND id = ?2
         ORDER BY subject_kind, subject_id",
    )?;
    for p in &mut rows {
        p.subjects = st
            .query_map([&p.kind, &p.id.to_string()], |r| {
                Ok(Subject {
                    kind: r.get(0)?,
                    id: id(r, 1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(rows)
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn append(
        &self,
        events: &[NewEvent],
        people: &[PersonRow],
        involvements: &[Involvement],
    ) -> Result<Vec<StoredEvent>> {
        self.write(|tx| {
            // People first: an event's child must exist in the projection.
            for p in people {
                exec(tx,
                    &format!(
                        "INSERT INTO people ({PERSON_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)
                         ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, given_name=excluded.given_name,
                           family_name=excluded.family_name, date_of_birth=excluded.date_of_birth,
                           expected_date_of_delivery=excluded.expected_date_of_delivery, sex=excluded.sex,
                           nhs_number=excluded.nhs_number, postcode=excluded.postcode, upn=excluded.upn,
                           restricted=(people.restricted OR excluded.restricted), updated_at=excluded.updated_at"
                    ),
                    params![
                        p.id.to_string(), p.kind, p.given_name, p.family_name, p.date_of_birth,
                        p.expected_date_of_delivery, p.sex, p.nhs_number, p.postcode, p.restricted,
                        p.created_at, p.updated_at, p.upn
                    ],
                )
                .map_err(map_err)?;
            }
            let entries: Vec<NewEntry> = events.iter().map(NewEntry::from).collect();
            let sealed = append_entries(tx, &entries)?;
            // Households, for matching on the people a child lives with.
            for e in events {
                if let EventBody::FamilyMemberAdded { person, lives_with_child: true, .. } = &e.body {
                    exec(tx,
                        "INSERT INTO households (child_id, person_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                        params![e.child.to_string(), person.to_string()],
                    )
                    .map_err(map_err)?;
                }
            }
            for i in involvements {
                exec(tx,
                    "INSERT INTO involvements (child_id, user_id, kind, since) VALUES (?1,?2,?3,?4) ON CONFLICT DO NOTHING",
                    params![i.child.to_string(), i.user.to_string(), i.kind, i.since],
                )
                .map_err(map_err)?;
            }
            Ok(sealed)
        })
    }

    fn log(&self, child: PersonId) -> Result<Vec<StoredEvent>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {EVENT_COLS} FROM events WHERE child_id = ?1 ORDER BY seq"
            ))?;
            let rows = st.query_map([child.to_string()], event_row)?;
            rows.collect()
        })
    }

    fn log_page(
        &self,
        child: PersonId,
        before: Option<(&str, i64)>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>> {
        let (at, seq) = before.unwrap_or(("\u{10FFFF}", i64::MAX));
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {EVENT_COLS} FROM events WHERE child_id = ?1 AND (effective_at, seq) < (?2, ?3)
                 ORDER BY effective_at DESC, seq DESC LIMIT ?4"
            ))?;
            let rows = st.query_map(params![child.to_string(), at, seq, limit], event_row)?;
            rows.collect()
        })
    }

    fn log_of_types(&self, child: PersonId, types: &[&str]) -> Result<Vec<StoredEvent>> {
        let types = serde_json::to_string(types).map_err(be)?;
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {EVENT_COLS} FROM events WHERE child_id = ?1
                   AND event_type IN (SELECT value FROM json_each(?2))"
            ))?;
            let rows = st.query_map(params![child.to_string(), types], event_row)?;
            // Sorted here: ordering in SQL leads the planner to the (child, seq) index,
            // reading every entry of a long log instead of the few of these types.
            let mut v = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            v.sort_by_key(|e| e.seq);
            Ok(v)
        })
    }

    fn log_related(&self, child: PersonId, entries: &[EventId]) -> Result<Vec<StoredEvent>> {
        let ids: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
        let ids = serde_json::to_string(&ids).map_err(be)?;
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                // `+child_id`: look the entries up by correction and by id, not by
                // reading the child's whole log.
                "SELECT {EVENT_COLS} FROM events WHERE corrects IN (SELECT value FROM json_each(?2)) AND +child_id = ?1
                 UNION
                 SELECT {EVENT_COLS} FROM events WHERE +child_id = ?1 AND id IN
                   (SELECT corrects FROM events WHERE id IN (SELECT value FROM json_each(?2)) AND corrects IS NOT NULL)
                 ORDER BY 3"
            ))?;
            let rows = st.query_map(params![child.to_string(), ids], event_row)?;
            rows.collect()
        })
    }

    fn events_version(&self) -> Result<i64> {
        // Events are never deleted, so the largest rowid grows with every append.
        self.read(|c| {
            query_row_cached(c, "SELECT COALESCE(MAX(rowid), 0) FROM events", [], |r| {
                r.get(0)
            })
        })
    }

    fn log_len(&self, child: PersonId) -> Result<i64> {
        self.read(|c| {
            query_row_cached(
                c,
                "SELECT last_seq FROM logs WHERE child_id = ?1",
                [child.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map(|n| n.unwrap_or(0))
        })
    }

    fn event(&self, eid: EventId) -> Result<Option<StoredEvent>> {
        self.read(|c| {
            query_row_cached(
                c,
                &format!("SELECT {EVENT_COLS} FROM events WHERE id = ?1"),
                [eid.to_string()],
                event_row,
            )
            .optional()
        })
    }

    fn log_heads(&self) -> Result<Vec<LogHead>> {
        self.read(|c| {
            // Every child with events, whether or not its head survives: a removed head must not
            // take a log out of verification.
            let mut st = c.prepare_cached(
                "SELECT c.child_id, COALESCE(l.last_seq, -1), COALESCE(l.last_hash, '')
                 FROM (SELECT child_id FROM logs UNION SELECT DISTINCT child_id FROM events) c
                 LEFT JOIN logs l ON l.child_id = c.child_id ORDER BY c.child_id",
            )?;
            let rows = st.query_map([], |r| {
                Ok(LogHead {
                    child: id(r, 0)?,
                    last_seq: r.get(1)?,
                    last_hash: r.get(2)?,
                })
            })?;
            rows.collect()
        })
    }

    fn person(&self, pid: PersonId) -> Result<Option<PersonRow>> {
        self.read(|c| {
            query_row_cached(
                c,
                &format!("SELECT {PERSON_COLS} FROM people WHERE id = ?1"),
                [pid.to_string()],
                person_row,
            )
            .optional()
        })
    }

    fn children(&self, q: &ChildQuery) -> Result<Vec<PersonRow>> {
        let limit = if q.limit == 0 { 50 } else { q.limit.min(500) };
        self.read(|c| {
            let like = q.name.as_ref().map(|n| format!("%{}%", n.to_lowercase().replace(['%', '_'], "")));
            let mut st = c.prepare_cached(&format!(
                "SELECT {PERSON_COLS} FROM people
                 WHERE kind IN ('child','unborn-child')
                   AND (?1 IS NULL OR lower(given_name) LIKE ?1 OR lower(family_name) LIKE ?1 OR lower(given_name || ' ' || family_name) LIKE ?1)
                 ORDER BY created_at DESC, id LIMIT ?2 OFFSET ?3"
            ))?;
            let rows = st.query_map(params![like, limit, q.offset], person_row)?;
            rows.collect()
        })
    }

    fn children_involving(&self, user: UserId, kind: Option<&str>) -> Result<Vec<PersonRow>> {
        self.read(|c| {
            let cols = PERSON_COLS.split(", ").map(|col| format!("p.{col}")).collect::<Vec<_>>().join(", ");
            let mut st = c.prepare_cached(&format!(
                "SELECT DISTINCT {cols} FROM people p JOIN involvements i ON i.child_id = p.id
                 WHERE i.user_id = ?1 AND (?2 IS NULL OR i.kind = ?2) AND p.kind IN ('child','unborn-child')
                 ORDER BY p.created_at DESC, p.id LIMIT 200"
            ))?;
            let rows = st.query_map(params![user.to_string(), kind], person_row)?;
            rows.collect()
        })
    }

    fn involvements(&self, child: PersonId, user: UserId) -> Result<Vec<Involvement>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT child_id, user_id, kind, since FROM involvements WHERE child_id = ?1 AND user_id = ?2 ORDER BY kind",
            )?;
            let rows = st.query_map([child.to_string(), user.to_string()], |r| {
                Ok(Involvement { child: id(r, 0)?, user: id(r, 1)?, kind: r.get(2)?, since: r.get(3)? })
            })?;
            rows.collect()
        })
    }

    fn append_referral(
        &self,
        entries: &[NewEntry],
        p: &ReferralProjection,
    ) -> Result<Vec<StoredEvent>> {
        self.write(|tx| {
            let r = &p.row;
            let rid = r.id.to_string();
            exec(tx,
                &format!(
                    "INSERT INTO referrals ({REFERRAL_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)
                     ON CONFLICT(id) DO UPDATE SET stage=excluded.stage, summary=excluded.summary,
                       referrer_name=excluded.referrer_name, referrer_agency_name=excluded.referrer_agency_name,
                       decision_due=excluded.decision_due, decided_at=excluded.decided_at, outcome=excluded.outcome,
                       repeat_referral=excluded.repeat_referral, open_work=excluded.open_work, updated_at=excluded.updated_at, urgent=excluded.urgent"
                ),
                params![
                    rid, r.received_at, r.channel, r.stage, r.summary, r.referrer_name, r.referrer_agency_name,
                    r.submitted_by_user.map(|u| u.to_string()), r.submitted_by_client.map(|c| c.to_string()),
                    r.submitted_by_agency.map(|a| a.to_string()), r.idempotency_key, r.decision_due, r.decided_at,
                    r.outcome, r.repeat_referral, r.open_work, r.updated_at, r.urgent
                ],
            )
            .map_err(map_err)?;
            let sealed = append_entries(tx, entries)?;
            exec(tx, "DELETE FROM referral_children WHERE referral_id = ?1", [&rid]).map_err(map_err)?;
            for c in &p.children {
                exec(tx,
                    "INSERT INTO referral_children (referral_id, child_index, person_id, received_at) VALUES (?1,?2,?3,?4)",
                    params![rid, c.child_index, c.person.to_string(), c.received_at],
                )
                .map_err(map_err)?;
            }
            put_work(tx, "referral", &rid, &p.work)?;
            Ok(sealed)
        })
    }

    fn referral(&self, rid: uuid::Uuid) -> Result<Option<ReferralRow>> {
        self.read(|c| {
            query_row_cached(
                c,
                &format!("SELECT {REFERRAL_COLS} FROM referrals WHERE id = ?1"),
                [rid.to_string()],
                referral_row,
            )
            .optional()
        })
    }

    fn referral_by_idempotency_key(
        &self,
        client: uuid::Uuid,
        key: &str,
    ) -> Result<Option<ReferralRow>> {
        self.read(|c| {
            query_row_cached(c,
                &format!("SELECT {REFERRAL_COLS} FROM referrals WHERE submitted_by_client = ?1 AND idempotency_key = ?2"),
                params![client.to_string(), key],
                referral_row,
            )
            .optional()
        })
    }

    fn referrals(&self, q: &ReferralQuery) -> Result<Vec<ReferralRow>> {
        let limit = if q.limit == 0 { 100 } else { q.limit.min(1000) };
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {REFERRAL_COLS} FROM referrals
                 WHERE (?1 IS NULL OR submitted_by_user = ?1) AND (?2 IS NULL OR submitted_by_client = ?2)
                   AND (?3 = 0 OR open_work > 0)
                 ORDER BY received_at DESC, id LIMIT ?4 OFFSET ?5"
            ))?;
            let rows = st.query_map(
                params![
                    q.submitted_by_user.map(|u| u.to_string()),
                    q.submitted_by_client.map(|c| c.to_string()),
                    q.open_only,
                    limit,
                    q.offset
                ],
                referral_row,
            )?;
            rows.collect()
        })
    }

    fn referral_children_between(&self, from: &str, to: &str) -> Result<Vec<ReferralChildRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT referral_id, child_index, person_id, received_at FROM referral_children
                 WHERE received_at >= ?1 AND received_at < ?2 ORDER BY received_at, referral_id, child_index",
            )?;
            let rows = st.query_map([from, to], referral_child_row)?;
            rows.collect()
        })
    }

    fn referrals_of_person(&self, person: PersonId) -> Result<Vec<ReferralChildRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT referral_id, child_index, person_id, received_at FROM referral_children
                 WHERE person_id = ?1 ORDER BY received_at DESC",
            )?;
            let rows = st.query_map([person.to_string()], referral_child_row)?;
            rows.collect()
        })
    }

    fn append_case(&self, entries: &[NewEntry], p: &CaseProjection) -> Result<Vec<StoredEvent>> {
        self.write(|tx| {
            let r = &p.row;
            let cid = r.id.to_string();
            exec(tx,
                &format!(
                    "INSERT INTO cases ({CASE_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)
                     ON CONFLICT(id) DO UPDATE SET service=excluded.service, stage=excluded.stage,
                       local_authority=excluded.local_authority, lead_user=excluded.lead_user,
                       closed_on=excluded.closed_on, closure_reason=excluded.closure_reason, updated_at=excluded.updated_at"
                ),
                params![
                    cid, r.child.to_string(), r.service, r.stage, r.local_authority, r.opened_at,
                    r.referral.map(|x| x.to_string()), r.referral_date, r.lead_user.map(|u| u.to_string()),
                    r.closed_on, r.closure_reason, r.updated_at
                ],
            )
            .map_err(map_err)?;
            let sealed = append_entries(tx, entries)?;
            put_work(tx, "case", &cid, &p.work)?;
            add_involvements(tx, &p.involvements)?;
            exec(tx, "DELETE FROM case_actions WHERE case_id = ?1", [&cid]).map_err(map_err)?;
            for a in &p.actions {
                exec(tx,
                    &format!("INSERT INTO case_actions ({ACTION_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"),
                    params![cid, a.number, a.child.to_string(), a.plan, a.plan_kind, a.what,
                        a.owner_user.map(|u| u.to_string()), a.owner_agency.map(|u| u.to_string()), a.owner_name, a.due_by, a.done_on],
                )
                .map_err(map_err)?;
            }
            Ok(sealed)
        })
    }

    fn case(&self, cid: uuid::Uuid) -> Result<Option<CaseRow>> {
        self.read(|c| {
            query_row_cached(
                c,
                &format!("SELECT {CASE_COLS} FROM cases WHERE id = ?1"),
                [cid.to_string()],
                case_row,
            )
            .optional()
        })
    }

    fn cases_of_child(&self, child: PersonId) -> Result<Vec<CaseRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {CASE_COLS} FROM cases WHERE child_id = ?1 ORDER BY opened_at DESC, id"
            ))?;
            let rows = st.query_map([child.to_string()], case_row)?;
            rows.collect()
        })
    }

    fn cases_between(&self, from: &str, to: &str) -> Result<Vec<CaseRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {CASE_COLS} FROM cases
                 WHERE referral_date <= ?2 AND (closed_on IS NULL OR closed_on >= ?1)
                 ORDER BY child_id, opened_at, id"
            ))?;
            let rows = st.query_map([from, to], case_row)?;
            rows.collect()
        })
    }

    fn open_cases_led_by(&self, user: UserId) -> Result<Vec<CaseRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {CASE_COLS} FROM cases WHERE lead_user = ?1 AND stage = 'open' ORDER BY opened_at DESC, id"
            ))?;
            let rows = st.query_map([user.to_string()], case_row)?;
            rows.collect()
        })
    }

    fn case_actions(&self, q: &CaseActionQuery) -> Result<Vec<CaseActionRow>> {
        let limit = if q.limit == 0 { 200 } else { q.limit.min(2000) };
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {ACTION_COLS} FROM case_actions
                 WHERE (?1 IS NULL OR owner_user = ?1) AND (?2 IS NULL OR owner_agency = ?2)
                   AND (?3 IS NULL OR child_id = ?3) AND (?4 = 0 OR done_on IS NULL)
                 ORDER BY due_by, case_id, action_number LIMIT ?5"
            ))?;
            let rows = st.query_map(
                params![
                    q.owner_user.map(|u| u.to_string()),
                    q.owner_agency.map(|u| u.to_string()),
                    q.child.map(|u| u.to_string()),
                    q.open_only,
                    limit
                ],
                action_row,
            )?;
            rows.collect()
        })
    }

    fn matchable_children(
        &self,
        after: Option<PersonId>,
        limit: u32,
    ) -> Result<Vec<MatchablePerson>> {
        self.read(|c| {
            let cols = PERSON_COLS.split(", ").map(|col| format!("p.{col}")).collect::<Vec<_>>().join(", ");
            // `p.id > ''` for the first page: a plain bound, so every page is an index seek.
            let mut st = c.prepare_cached(&format!(
                "SELECT {cols}, (SELECT group_concat(m.given_name || ' ' || m.family_name, char(31))
                                  FROM households h JOIN people m ON m.id = h.person_id WHERE h.child_id = p.id)
                 FROM people p WHERE p.kind IN ('child','unborn-child') AND p.id > ?1
                 ORDER BY p.id LIMIT ?2"
            ))?;
            let rows = st.query_map(params![after.map(|a| a.to_string()).unwrap_or_default(), limit], |r| {
                let household: Option<String> = r.get(13)?;
                Ok(MatchablePerson {
                    person: person_row(r)?,
                    household: household
                        .map(|h| h.split('\u{1f}').map(str::to_string).collect())
                        .unwrap_or_default(),
                })
            })?;
            rows.collect()
        })
    }

    fn append_process(
        &self,
        entries: &[NewEntry],
        p: &ProcessProjection,
    ) -> Result<Vec<StoredEvent>> {
        self.write(|tx| {
            let r = &p.row;
            let pid = r.id.to_string();
            exec(tx,
                &format!(
                    "INSERT INTO processes ({PROCESS_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7)
                     ON CONFLICT(kind, id) DO UPDATE SET stage=excluded.stage, summary=excluded.summary,
                       state=excluded.state, updated_at=excluded.updated_at"
                ),
                params![r.kind, pid, r.stage, r.summary, r.state, r.opened_at, r.updated_at],
            )
            .map_err(map_err)?;
            let sealed = append_entries(tx, entries)?;
            exec(tx, "DELETE FROM process_subjects WHERE kind = ?1 AND id = ?2", [&r.kind, &pid])
                .map_err(map_err)?;
            for sub in &r.subjects {
                exec(tx,
                    "INSERT INTO process_subjects (kind, id, subject_kind, subject_id) VALUES (?1,?2,?3,?4)
                     ON CONFLICT DO NOTHING",
                    params![r.kind, pid, sub.kind, sub.id.to_string()],
                )
                .map_err(map_err)?;
            }
            put_work(tx, &r.kind, &pid, &p.work)?;
            add_involvements(tx, &p.involvements)?;
            Ok(sealed)
        })
    }

    fn process(&self, kind: &str, pid: uuid::Uuid) -> Result<Option<ProcessRow>> {
        self.read(|c| {
            let row = query_row_cached(
                c,
                &format!("SELECT {PROCESS_COLS} FROM processes WHERE kind = ?1 AND id = ?2"),
                [kind.to_string(), pid.to_string()],
                process_row,
            )
            .optional()?;
            Ok(with_subjects(c, row.into_iter().collect())?.pop())
        })
    }

    fn processes(&self, q: &ProcessQuery) -> Result<Vec<ProcessRow>> {
        let limit = if q.limit == 0 { 200 } else { q.limit.min(2000) };
        let mut f = Filter::default();
        if let Some(kind) = &q.kind {
            f.and("p.kind = ?", [Value::Text(kind.clone())]);
        }
        if let Some(sub) = &q.subject {
            f.and(
                "EXISTS (SELECT 1 FROM process_subjects s WHERE s.kind = p.kind AND s.id = p.id
                         AND s.subject_kind = ? AND s.subject_id = ?)",
                [
                    Value::Text(sub.kind.clone()),
                    Value::Text(sub.id.to_string()),
                ],
            );
        }
        let sql = format!(
            "SELECT p.kind, p.id, p.stage, p.summary, p.state, p.opened_at, p.updated_at FROM processes p
             WHERE {} ORDER BY p.updated_at DESC, p.id LIMIT ? OFFSET ?",
            f.sql()
        );
        f.params.push(Value::Integer(i64::from(limit)));
        f.params.push(Value::Integer(i64::from(q.offset)));
        self.read(|c| {
            let rows = c
                .prepare_cached(&sql)?
                .query_map(rusqlite::params_from_iter(&f.params), process_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            with_subjects(c, rows)
        })
    }

    fn work(&self, q: &TrayQuery) -> Result<Vec<WorkRow>> {
        let limit = if q.limit == 0 { 200 } else { q.limit.min(2000) };
        // One read per owner, each in an index's order, merged: never a sort of
        // everything an owner has waiting.
        let mut all = Vec::new();
        for owner in &q.owners {
            all.extend(self.owner_work(q, owner, limit)?);
        }
        Ok(crate::in_tray_order(all, limit))
    }

    fn count_work(&self, q: &TrayQuery, now: &str, cap: u64) -> Result<WorkCount> {
        let mut count = WorkCount::default();
        for owner in &q.owners {
            let c = self.count_owner_work(owner_filter(q, owner), now, cap)?;
            count.total += c.total;
            count.overdue += c.overdue;
        }
        Ok(count)
    }

    fn put_agency(&self, a: &AgencyRow) -> Result<()> {
        self.write(|tx| {
            exec(tx,
                "INSERT INTO agencies (id, name, kind) VALUES (?1,?2,?3) ON CONFLICT(id) DO UPDATE SET name=excluded.name, kind=excluded.kind",
                params![a.id.to_string(), a.name, a.kind],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn agencies(&self) -> Result<Vec<AgencyRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached("SELECT id, name, kind FROM agencies ORDER BY name")?;
            let rows = st.query_map([], |r| {
                Ok(AgencyRow {
                    id: id(r, 0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                })
            })?;
            rows.collect()
        })
    }

    fn agency(&self, aid: AgencyId) -> Result<Option<AgencyRow>> {
        self.read(|c| {
            query_row_cached(
                c,
                "SELECT id, name, kind FROM agencies WHERE id = ?1",
                [aid.to_string()],
                |r| {
                    Ok(AgencyRow {
                        id: id(r, 0)?,
                        name: r.get(1)?,
                        kind: r.get(2)?,
                    })
                },
            )
            .optional()
        })
    }

    fn put_team(&self, t: &TeamRow) -> Result<()> {
        self.write(|tx| {
            exec(tx,
                "INSERT INTO teams (id, agency_id, name) VALUES (?1,?2,?3) ON CONFLICT(id) DO UPDATE SET name=excluded.name",
                params![t.id.to_string(), t.agency.to_string(), t.name],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn teams(&self) -> Result<Vec<TeamRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached("SELECT id, agency_id, name FROM teams ORDER BY name")?;
            let rows = st.query_map([], |r| {
                Ok(TeamRow {
                    id: id(r, 0)?,
                    agency: id(r, 1)?,
                    name: r.get(2)?,
                })
            })?;
            rows.collect()
        })
    }

    fn team(&self, tid: TeamId) -> Result<Option<TeamRow>> {
        self.read(|c| {
            query_row_cached(
                c,
                "SELECT id, agency_id, name FROM teams WHERE id = ?1",
                [tid.to_string()],
                |r| {
                    Ok(TeamRow {
                        id: id(r, 0)?,
                        agency: id(r, 1)?,
                        name: r.get(2)?,
                    })
                },
            )
            .optional()
        })
    }

    fn create_user(&self, u: &UserRow) -> Result<()> {
        self.write(|tx| insert_user(tx, u))
    }

    fn update_user(&self, u: &UserRow) -> Result<()> {
        self.write(|tx| change_user(tx, u))
    }

    fn user(&self, uid: UserId) -> Result<Option<UserRow>> {
        self.read(|c| {
            query_row_cached(
                c,
                &format!("SELECT {USER_COLS} FROM users WHERE id = ?1"),
                [uid.to_string()],
                user_row,
            )
            .optional()
        })
    }

    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>> {
        self.read(|c| {
            query_row_cached(
                c,
                &format!("SELECT {USER_COLS} FROM users WHERE username = ?1"),
                [username],
                user_row,
            )
            .optional()
        })
    }

    fn users(&self) -> Result<Vec<UserRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {USER_COLS} FROM users ORDER BY display_name"
            ))?;
            let rows = st.query_map([], user_row)?;
            rows.collect()
        })
    }

    fn create_session(&self, s: &SessionRow) -> Result<()> {
        self.write(|tx| {
            exec(tx,
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES (?1,?2,?3,?4,?5)",
                params![s.token_hash, s.user.to_string(), s.csrf_token, s.created_at, s.last_seen_at],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        self.read(|c| {
            query_row_cached(c,
                "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE token_hash = ?1",
                [token_hash],
                |r| {
                    Ok(SessionRow {
                        token_hash: r.get(0)?,
                        user: id(r, 1)?,
                        csrf_token: r.get(2)?,
                        created_at: r.get(3)?,
                        last_seen_at: r.get(4)?,
                    })
                },
            )
            .optional()
        })
    }

    fn touch_session(&self, token_hash: &str, last_seen_at: &str) -> Result<()> {
        self.write(|tx| {
            exec(
                tx,
                "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
                params![token_hash, last_seen_at],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.write(|tx| {
            exec(
                tx,
                "DELETE FROM sessions WHERE token_hash = ?1",
                [token_hash],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn delete_sessions_of(&self, user: UserId) -> Result<()> {
        self.write(|tx| end_sessions_of(tx, user))
    }

    fn record_login_attempt(&self, a: &LoginAttempt) -> Result<()> {
        self.write(|tx| {
            exec(
                tx,
                "INSERT INTO login_attempts (id, username, client, at, succeeded) VALUES (?1,?2,?3,?4,?5)",
                params![a.id.to_string(), a.username, a.client, a.at, a.succeeded],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn mark_login_attempt_throttled(&self, a: &LoginAttempt) -> Result<()> {
        self.write(|tx| {
            exec(
                tx,
                "UPDATE login_attempts SET throttled = 1 WHERE id = ?1 AND username = ?2",
                params![a.id.to_string(), a.username],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn forget_login_attempts_before(
        &self,
        failures_before: &str,
        successes_before: &str,
    ) -> Result<()> {
        self.write(|tx| {
            exec(
                tx,
                "DELETE FROM login_attempts WHERE (succeeded = 0 AND at < ?1) OR at < ?2",
                params![failures_before, successes_before],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn login_failures(&self, username: &str, client: &str, since: &str) -> Result<LoginFailures> {
        self.read(|c| {
            // Failures since `since` and since the scope's last success, newest first.
            let failures = |c: &Connection, client: Option<&str>| -> rusqlite::Result<(u32, Vec<String>)> {
                let mut st = c.prepare_cached(
                    "SELECT at FROM login_attempts WHERE username = ?1 AND (?2 IS NULL OR client = ?2)
                       AND succeeded = 0 AND throttled = 0 AND at >= ?3
                       AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = ?1
                                            AND (?2 IS NULL OR client = ?2) AND succeeded = 1), '')
                     ORDER BY at DESC",
                )?;
                let ats: Vec<String> = st
                    .query_map(params![username, client, since], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let n = u32::try_from(ats.len()).unwrap_or(u32::MAX);
                Ok((n, ats.into_iter().take(2).collect()))
            };
            let (from_client, from_client_latest) = failures(c, Some(client))?;
            let (from_anywhere, from_anywhere_latest) = failures(c, None)?;
            let client_known: bool = query_row_cached(
                c,
                "SELECT EXISTS (SELECT 1 FROM login_attempts WHERE username = ?1 AND client = ?2 AND succeeded = 1)",
                params![username, client],
                |r| r.get(0),
            )?;
            Ok(LoginFailures {
                from_client,
                from_client_latest,
                from_anywhere,
                from_anywhere_latest,
                client_known,
            })
        })
    }

    fn create_api_client(&self, a: &ApiClientRow) -> Result<()> {
        self.write(|tx| insert_api_client(tx, a))
    }

    fn api_clients(&self) -> Result<Vec<ApiClientRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, name, agency_id, token_hash, active, created_at FROM api_clients ORDER BY created_at, id",
            )?;
            let rows = st.query_map([], api_client_row)?;
            rows.collect()
        })
    }

    fn issue_form_token(
        &self,
        token_hash: &str,
        user: UserId,
        at: &str,
        forget_before: &str,
    ) -> Result<()> {
        self.write(|tx| {
            exec(
                tx,
                "DELETE FROM form_tokens WHERE issued_at < ?1",
                [forget_before],
            )
            .map_err(map_err)?;
            exec(
                tx,
                "INSERT INTO form_tokens (token_hash, user_id, issued_at) VALUES (?1,?2,?3)",
                params![token_hash, user.to_string(), at],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn claim_form_token(&self, token_hash: &str, user: UserId, at: &str) -> Result<FormClaim> {
        self.write(|tx| {
            let n = exec(
                tx,
                "UPDATE form_tokens SET claimed_at = ?3
                 WHERE token_hash = ?1 AND user_id = ?2 AND claimed_at IS NULL",
                params![token_hash, user.to_string(), at],
            )
            .map_err(map_err)?;
            if n == 1 {
                return Ok(FormClaim::Claimed);
            }
            let found: Option<Option<String>> = tx
                .query_row(
                    "SELECT result FROM form_tokens WHERE token_hash = ?1 AND user_id = ?2",
                    params![token_hash, user.to_string()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(map_err)?;
            Ok(match found {
                None => FormClaim::Unknown,
                Some(None) => FormClaim::InFlight,
                Some(Some(link)) => FormClaim::Done(link),
            })
        })
    }

    fn settle_form_token(&self, token_hash: &str, result: Option<&str>) -> Result<()> {
        self.write(|tx| {
            match result {
                Some(link) => exec(
                    tx,
                    "UPDATE form_tokens SET result = ?2 WHERE token_hash = ?1",
                    params![token_hash, link],
                ),
                None => exec(
                    tx,
                    "UPDATE form_tokens SET claimed_at = NULL WHERE token_hash = ?1",
                    [token_hash],
                ),
            }
            .map(|_| ())
            .map_err(map_err)
        })
    }

    fn administer(&self, change: Option<&AdminChange>, e: &NewAdminEntry) -> Result<AdminEntry> {
        self.write(|tx| {
            match change {
                None => {}
                Some(AdminChange::CreateUser(u)) => insert_user(tx, u)?,
                Some(AdminChange::UpdateUser { user, end_sessions }) => {
                    change_user(tx, user)?;
                    if *end_sessions {
                        end_sessions_of(tx, user.id)?;
                    }
                }
                Some(AdminChange::CreateApiClient(a)) => insert_api_client(tx, a)?,
                Some(AdminChange::SetApiClientActive { id, active }) => {
                    let n = exec(
                        tx,
                        "UPDATE api_clients SET active = ?2 WHERE id = ?1",
                        params![id.to_string(), active],
                    )
                    .map_err(map_err)?;
                    if n == 0 {
                        return Err(StoreError::NotFound(format!("API client {id}")));
                    }
                }
                Some(AdminChange::AddProclamation(p)) => insert_proclamation(tx, p)?,
            }
            let (last, prev) = tx
                .query_row(
                    "SELECT seq, hash FROM admin_log ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
                )
                .optional()
                .map_err(map_err)?
                .unwrap_or((0, GENESIS_HASH.to_string()));
            let seq = last + 1;
            let hash = crate::audit::admin_hash(seq, &prev, e);
            exec(
                tx,
                &format!("INSERT INTO admin_log ({ADMIN_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"),
                params![
                    seq, e.id.to_string(), e.at, e.actor.map(|a| a.to_string()), e.actor_name, e.action,
                    e.target, e.target_name, e.details, prev, hash
                ],
            )
            .map_err(map_err)?;
            Ok(AdminEntry {
                seq,
                entry: e.clone(),
                prev_hash: prev,
                hash,
            })
        })
    }

    fn admin_log(&self, q: &AdminQuery) -> Result<Vec<AdminEntry>> {
        let limit = if q.limit == 0 { 200 } else { q.limit.min(5000) };
        self.read(|c| {
            let order = if q.after_seq.is_some() { "ASC" } else { "DESC" };
            let mut st = c.prepare_cached(&format!(
                "SELECT {ADMIN_COLS} FROM admin_log
                 WHERE (?1 IS NULL OR actor_id = ?1) AND (?2 IS NULL OR target = ?2)
                   AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at < ?4)
                   AND (?5 IS NULL OR seq > ?5)
                 ORDER BY seq {order} LIMIT ?6"
            ))?;
            let rows = st.query_map(
                params![
                    q.actor.map(|a| a.to_string()),
                    q.target,
                    q.from,
                    q.to,
                    q.after_seq,
                    limit
                ],
                admin_row,
            )?;
            rows.collect()
        })
    }

    fn api_client_by_token_hash(&self, token_hash: &str) -> Result<Option<ApiClientRow>> {
        self.read(|c| {
            query_row_cached(c,
                "SELECT id, name, agency_id, token_hash, active, created_at FROM api_clients WHERE token_hash = ?1",
                [token_hash],
                |r| {
                    Ok(ApiClientRow {
                        id: id(r, 0)?,
                        name: r.get(1)?,
                        agency: id(r, 2)?,
                        token_hash: r.get(3)?,
                        active: r.get(4)?,
                        created_at: r.get(5)?,
                    })
                },
            )
            .optional()
        })
    }

    fn log_accesses(&self, entries: &[AccessEntry]) -> Result<()> {
        self.write(|tx| {
            let mut st = tx
                .prepare_cached(&format!("INSERT INTO access_log ({ACCESS_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"))
                .map_err(map_err)?;
            for e in entries {
                st.execute(params![
                    e.id.to_string(), e.at, e.user.map(|u| u.to_string()), e.api_client.map(|u| u.to_string()),
                    e.role, e.action, e.child.map(|c| c.to_string()), e.allowed, e.reason, e.break_glass, e.request_id,
                    e.referral.map(|r| r.to_string()), e.subject.as_ref().map(|s| s.kind.clone()),
                    e.subject.as_ref().map(|s| s.id.to_string())
                ])
                .map_err(map_err)?;
            }
            Ok(())
        })
    }

    fn access_log(&self, q: &AccessQuery) -> Result<Vec<AccessEntry>> {
        let limit = if q.limit == 0 { 200 } else { q.limit.min(5000) };
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {ACCESS_COLS} FROM access_log
                 WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR child_id = ?2)
                   AND (?3 = 0 OR allowed = 0) AND (?4 = 0 OR break_glass = 1)
                   AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at < ?6)
                   AND (?8 IS NULL OR referral_id = ?8)
                   AND (?9 IS NULL OR (subject_kind = ?9 AND subject_id = ?10))
                 ORDER BY at DESC, id DESC LIMIT ?7"
            ))?;
            let rows = st.query_map(
                params![
                    q.user.map(|u| u.to_string()),
                    q.child.map(|c| c.to_string()),
                    q.only_denied,
                    q.only_break_glass,
                    q.from,
                    q.to,
                    limit,
                    q.referral.map(|r| r.to_string()),
                    q.subject.as_ref().map(|s| s.kind.clone()),
                    q.subject.as_ref().map(|s| s.id.to_string())
                ],
                access_row,
            )?;
            rows.collect()
        })
    }

    fn add_proclamation(&self, p: &ProclamationRow) -> Result<()> {
        self.write(|tx| insert_proclamation(tx, p))
    }

    fn proclamations(&self) -> Result<Vec<ProclamationRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT date, name, replaces, added_by, added_at FROM proclamations ORDER BY date",
            )?;
            let rows = st.query_map([], |r| {
                Ok(ProclamationRow {
                    date: r.get(0)?,
                    name: r.get(1)?,
                    replaces: r.get(2)?,
                    added_by: opt_id(r, 3)?,
                    added_at: r.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            query_row_cached(c, "SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| {
            exec(tx,
                "INSERT INTO settings (key, value) VALUES (?1,?2) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(map_err)
        })
    }
}

const CASE_COLS: &str = "id, child_id, service, stage, local_authority, opened_at, referral_id, referral_date, lead_user, closed_on, closure_reason, updated_at";
const ACTION_COLS: &str = "case_id, action_number, child_id, plan_number, plan_kind, what, owner_user, owner_agency, owner_name, due_by, done_on";

fn referral_child_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReferralChildRow> {
    Ok(ReferralChildRow {
        referral: id(r, 0)?,
        child_index: r.get(1)?,
        person: id(r, 2)?,
        received_at: r.get(3)?,
    })
}

fn case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        id: id(r, 0)?,
        child: PersonId(id(r, 1)?),
        service: r.get(2)?,
        stage: r.get(3)?,
        local_authority: r.get(4)?,
        opened_at: r.get(5)?,
        referral: opt_id(r, 6)?,
        referral_date: r.get(7)?,
        lead_user: opt_id(r, 8)?.map(UserId),
        closed_on: r.get(9)?,
        closure_reason: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

fn action_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseActionRow> {
    Ok(CaseActionRow {
        case: id(r, 0)?,
        number: r.get(1)?,
        child: PersonId(id(r, 2)?),
        plan: r.get(3)?,
        plan_kind: r.get(4)?,
        what: r.get(5)?,
        owner_user: opt_id(r, 6)?.map(UserId),
        owner_agency: opt_id(r, 7)?.map(AgencyId),
        owner_name: r.get(8)?,
        due_by: r.get(9)?,
        done_on: r.get(10)?,
    })
}

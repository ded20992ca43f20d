//! The PostgreSQL store, for partnerships that run several app servers against one
//! database (design principle 7). It keeps the same tables as the SQLite store, with
//! ids and timestamps as text so that events hash identically on both backends.
//!
//! Every write is one transaction. Appending locks each affected child's log head
//! (`SELECT ... FOR UPDATE`, in a fixed order so that two appends never deadlock) in
//! the same transaction as the event inserts and the head update, so appends from
//! many servers interleave safely. Events and the access log are append-only at the
//! database: triggers refuse UPDATE, DELETE and TRUNCATE.
//!
//! The `postgres` client runs its own small runtime, so it must not be used (or
//! dropped) on an async executor thread: call the store from blocking tasks.
//! Connections are plain TCP or Unix sockets (no TLS).

use crate::pool::{Fairness, Pool};
use crate::*;
use ::postgres::error::SqlState;
use ::postgres::types::ToSql;
use ::postgres::{Client, GenericClient, NoTls, Row, Statement, Transaction};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::time::Duration;
use together_domain::event::{EventBody, NewEntry, GENESIS_HASH};

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        include_str!("../migrations/postgres/0002_front_door.sql"),
    ),
    (3, include_str!("../migrations/postgres/0003_cases.sql")),
    (
        4,
        include_str!("../migrations/postgres/0004_chronology_pages.sql"),
    ),
    (
        5,
        include_str!("../migrations/postgres/0005_case_work_by_child.sql"),
    ),
    (
        6,
        include_str!("../migrations/postgres/0006_trays_in_full_order.sql"),
    ),
    (
        7,
        include_str!("../migrations/postgres/0007_process_kernel.sql"),
    ),
    (
        8,
        include_str!("../migrations/postgres/0008_urgent_work.sql"),
    ),
    (
        9,
        include_str!("../migrations/postgres/0009_administration.sql"),
    ),
];

const POOL_SIZE: usize = 8;
/// How long a request may wait for a connection while others go ahead (see pool).
const POOL_PATIENCE: std::time::Duration = std::time::Duration::from_millis(10);

/// How many times a write is tried when PostgreSQL reports a deadlock or a
/// serialization failure (both safe to retry: the transaction was rolled back).
const WRITE_ATTEMPTS: usize = 3;

/// Open a PostgreSQL store from a `postgres://` URL and apply migrations.
pub fn open(url: &str) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(PgStore::open(url)?))
}

pub struct PgStore {
    pool: Pool<Conn>,
}

/// A pooled client. Dropping a `postgres::Client` shuts down its private runtime,
/// which panics on an async executor thread; so a connection is always closed on a
/// short-lived thread of its own, wherever the pool (or the store) is dropped.
/// It keeps the statements prepared on it, by their SQL text.
struct Conn(Option<Client>, HashMap<String, Statement>);

impl Conn {
    fn client(&mut self) -> &mut Client {
        self.0.as_mut().expect("client present until drop")
    }

    /// The client and its prepared statements, to use together.
    fn parts(&mut self) -> (&mut Client, &mut HashMap<String, Statement>) {
        (
            self.0.as_mut().expect("client present until drop"),
            &mut self.1,
        )
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.1.clear();
        if let Some(c) = self.0.take() {
            let _ = std::thread::spawn(move || drop(c)).join();
        }
    }
}

/// Statements a connection keeps prepared before it starts again (SQL built with
/// `format!` is built from constants, so the set is small; this only bounds it).
const MAX_PREPARED: usize = 500;

/// A client or a transaction with its connection's prepared statements: each SQL text
/// is parsed and planned once per connection rather than on every call, which cost a
/// round trip and the server's CPU for every statement.
struct Db<'a, C> {
    c: &'a mut C,
    statements: &'a mut HashMap<String, Statement>,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl<C: GenericClient> Db<'_, C> {
    fn statement(&mut self, sql: &str) -> std::result::Result<Statement, ::postgres::Error> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.c.prepare(sql)?;
        if self.statements.len() >= MAX_PREPARED {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }

    fn query(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> std::result::Result<Vec<Row>, ::postgres::Error> {
        let st = self.statement(sql)?;
        self.c.query(&st, params)
    }

    fn query_one(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> std::result::Result<Row, ::postgres::Error> {
        let st = self.statement(sql)?;
        self.c.query_one(&st, params)
    }

    fn query_opt(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> std::result::Result<Option<Row>, ::postgres::Error> {
        let st = self.statement(sql)?;
        self.c.query_opt(&st, params)
    }

    fn execute(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> std::result::Result<u64, ::postgres::Error> {
        let st = self.statement(sql)?;
        self.c.execute(&st, params)
    }

    /// Run SQL text as it is (several statements, no parameters, nothing kept).
    fn batch_execute(&mut self, sql: &str) -> std::result::Result<(), ::postgres::Error> {
        self.c.batch_execute(sql)
    }
}

/// A failure inside a unit of work: from PostgreSQL, or a store-level refusal.
enum Fail {
    Pg(::postgres::Error),
    Store(StoreError),
}

impl From<::postgres::Error> for Fail {
    fn from(e: ::postgres::Error) -> Self {
        Fail::Pg(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}

type PgResult<T> = std::result::Result<T, Fail>;

/// Describe an error without its DETAIL line, which can carry key values (usernames,
/// token hashes) into logs.
fn describe(e: &::postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = format!("{} ({}): {}", db.severity(), db.code().code(), db.message());
            if let Some(c) = db.constraint() {
                s.push_str(&format!(" [constraint {c}]"));
            }
            s
        }
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

fn to_store(f: Fail) -> StoreError {
    match f {
        Fail::Store(e) => e,
        Fail::Pg(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            StoreError::Conflict(describe(&e))
        }
        Fail::Pg(e) => StoreError::database(describe(&e), e),
    }
}

/// Whether the connection that produced `f` should be thrown away: anything that is
/// not an error reported by the server (I/O, a closed socket, a protocol error).
fn is_broken(f: &Fail, conn: &mut Conn) -> bool {
    conn.client().is_closed() || matches!(f, Fail::Pg(e) if e.as_db_error().is_none())
}

/// A statement the server no longer accepts as it was prepared: the schema changed
/// under it ("cached plan must not change result type"), or the server has forgotten
/// it. The connection's prepared statements are dropped and the work tried again.
fn is_stale_statement(f: &Fail) -> bool {
    matches!(f, Fail::Pg(e) if e.code() == Some(&SqlState::INVALID_SQL_STATEMENT_NAME)
        || (e.code() == Some(&SqlState::FEATURE_NOT_SUPPORTED)
            && e.as_db_error().is_some_and(|d| d.message().contains("cached plan"))))
}

fn is_retryable(f: &Fail) -> bool {
    matches!(f, Fail::Pg(e) if e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED)
        || e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE))
}

fn be(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl PgStore {
    pub fn open(url: &str) -> Result<PgStore> {
        let tls = crate::pg_tls::split_url(url)
            .map_err(|e| StoreError::Backend(format!("invalid PostgreSQL URL: {e}")))?;
        let mut config: ::postgres::Config = tls.url.parse().map_err(|e: ::postgres::Error| {
            StoreError::Backend(format!("invalid PostgreSQL URL: {}", describe(&e)))
        })?;
        use crate::pg_tls::SslMode;
        let connector = match tls.mode {
            SslMode::Disable => None,
            mode => {
                config.ssl_mode(if mode == SslMode::Prefer {
                    ::postgres::config::SslMode::Prefer
                } else {
                    ::postgres::config::SslMode::Require
                });
                let c = crate::pg_tls::client_config(mode, tls.root_cert.as_deref())
                    .map_err(StoreError::Backend)?;
                Some(tokio_postgres_rustls::MakeRustlsConnect::new(c))
            }
        };
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("together");
        }
        let pool = Pool::new(POOL_SIZE, Fairness::InTurnAfter(POOL_PATIENCE), move || {
            match &connector {
                None => config.connect(NoTls),
                Some(tls) => config.connect(tls.clone()),
            }
            .map(|c| Conn(Some(c), HashMap::new()))
            .map_err(|e| format!("could not connect to PostgreSQL: {}", describe(&e)))
        });
        let store = PgStore { pool };
        store.migrate()?;
        Ok(store)
    }

    /// Whether this store's connections to the server are encrypted (TLS).
    pub fn encrypted(&self) -> Result<bool> {
        self.read(|c| {
            Ok(c
                .query_one(
                    "SELECT COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), FALSE)",
                    &[],
                )?
                .try_get(0)?)
        })
    }

    /// Apply migrations in one transaction, holding a transaction-scoped advisory
    /// lock (keyed by the schema) so app servers starting together take turns.
    fn migrate(&self) -> Result<()> {
        self.write(|tx| {
            tx.execute("SELECT pg_advisory_xact_lock(hashtext('together-migrations:' || coalesce(current_schema(), '')))", &[])?;
            let schema: Option<String> = tx.query_one("SELECT current_schema()::text", &[])?.try_get(0)?;
            if schema.is_none() {
                return Err(StoreError::Backend("no schema to create tables in: check the search_path".into()).into());
            }
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
            )?;
            for (version, sql) in MIGRATIONS {
                let done = tx.query_opt("SELECT version FROM schema_migrations WHERE version = $1", &[version])?;
                if done.is_none() {
                    tx.batch_execute(sql)?;
                    tx.execute(
                        "INSERT INTO schema_migrations (version, applied_at)
                         VALUES ($1, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))",
                        &[version],
                    )?;
                }
            }
            Ok(())
        })
    }

    /// A pooled connection that is still open.
    fn conn(&self) -> Result<crate::pool::Pooled<'_, Conn>> {
        for _ in 0..=POOL_SIZE {
            let mut c = self.pool.get().map_err(be)?;
            if c.client().is_closed() {
                c.discard();
                continue;
            }
            return Ok(c);
        }
        Err(StoreError::Backend(
            "no working PostgreSQL connection".into(),
        ))
    }

    /// Run a read. A connection found broken (the server restarted, or dropped idle
    /// connections) is thrown away and the read tried again, until the pool has
    /// made a fresh connection.
    fn read<T>(&self, mut f: impl FnMut(&mut Db<'_, Client>) -> PgResult<T>) -> Result<T> {
        let mut broken = 0;
        loop {
            let mut c = self.conn()?;
            let (client, statements) = c.parts();
            match f(&mut Db {
                c: client,
                statements,
            }) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    if is_broken(&e, &mut c) {
                        c.discard();
                        broken += 1;
                        if broken <= POOL_SIZE {
                            continue;
                        }
                    } else if is_stale_statement(&e) {
                        c.1.clear();
                        broken += 1;
                        if broken <= POOL_SIZE {
                            continue;
                        }
                    }
                    return Err(to_store(e));
                }
            }
        }
    }

    /// Run `f` in a transaction and commit. Dropping an uncommitted transaction rolls
    /// it back. Tried again on a deadlock or serialization failure (the server rolled
    /// it back), and on a connection found broken at BEGIN (nothing was written);
    /// never after a connection breaks later, when the outcome is unknown.
    fn write<T>(
        &self,
        mut f: impl FnMut(&mut Db<'_, Transaction<'_>>) -> PgResult<T>,
    ) -> Result<T> {
        let (mut broken, mut rolled_back) = (0, 0);
        loop {
            let mut c = self.conn()?;
            let result: std::result::Result<T, (bool, Fail)> = (|| {
                let (client, statements) = c.parts();
                let mut tx = client.transaction().map_err(|e| (true, Fail::Pg(e)))?;
                let out = f(&mut Db {
                    c: &mut tx,
                    statements,
                })
                .map_err(|e| (false, e))?;
                tx.commit().map_err(|e| (false, Fail::Pg(e)))?;
                Ok(out)
            })();
            match result {
                Ok(v) => return Ok(v),
                Err((at_begin, e)) => {
                    if is_broken(&e, &mut c) {
                        c.discard();
                        broken += 1;
                        if at_begin && broken <= POOL_SIZE {
                            continue;
                        }
                    } else if is_retryable(&e) || is_stale_statement(&e) {
                        // Rolled back by the server, or a statement it no longer
                        // knows as prepared: nothing was written; try again (with the
                        // connection's statements prepared afresh).
                        c.1.clear();
                        rolled_back += 1;
                        if rolled_back < WRITE_ATTEMPTS {
                            continue;
                        }
                    }
                    return Err(to_store(e));
                }
            }
        }
    }
}

fn bad_column(i: usize, what: &str) -> Fail {
    Fail::Store(StoreError::Backend(format!(
        "column {i} does not hold a valid {what}"
    )))
}

fn id<T: std::str::FromStr>(r: &Row, i: usize) -> PgResult<T> {
    let s: String = r.try_get(i)?;
    s.parse::<T>().map_err(|_| bad_column(i, "id"))
}

fn opt_id<T: std::str::FromStr>(r: &Row, i: usize) -> PgResult<Option<T>> {
    let s: Option<String> = r.try_get(i)?;
    s.map(|s| s.parse::<T>().map_err(|_| bad_column(i, "id")))
        .transpose()
}

fn rows<T>(rs: Vec<Row>, f: impl Fn(&Row) -> PgResult<T>) -> PgResult<Vec<T>> {
    rs.iter().map(f).collect()
}

fn opt_row<T>(r: Option<Row>, f: impl Fn(&Row) -> PgResult<T>) -> PgResult<Option<T>> {
    r.as_ref().map(f).transpose()
}

/// A WHERE clause built from the filters a query has, each present filter adding its
/// own condition and numbered parameters: with statements kept prepared, PostgreSQL
/// may plan a statement once for any parameters, and a condition like
/// `($1 IS NULL OR child_id = $1)` would then never use an index on `child_id`.
#[derive(Default)]
struct Filter {
    conditions: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync>>,
}

impl Filter {
    /// Add a condition; `{}` in it stands for each next parameter's placeholder.
    fn and(&mut self, condition: &str, params: Vec<Box<dyn ToSql + Sync>>) {
        let mut sql = String::new();
        let mut parts = condition.split("{}");
        sql.push_str(parts.next().unwrap_or_default());
        for (part, p) in parts.zip(params) {
            self.params.push(p);
            sql.push_str(&format!("${}", self.params.len()));
            sql.push_str(part);
        }
        self.conditions.push(sql);
    }

    /// Strictly after a place in a tray's order, (overdue from, `id`, work key),
    /// comparing ids and keys byte by byte as the tray merges them.
    fn after(&mut self, id: &str, a: &WorkAfter) {
        let o = a.overdue_from.clone();
        self.and(
            &format!(
                "w.overdue_from >= {{}} AND (w.overdue_from, {id} COLLATE \"C\", w.work_key COLLATE \"C\") > ({{}}, {{}}, {{}})"
            ),
            vec![
                Box::new(o.clone()),
                Box::new(o),
                Box::new(a.id.clone()),
                Box::new(a.key.clone()),
            ],
        );
    }

    fn sql(&self) -> String {
        if self.conditions.is_empty() {
            "TRUE".into()
        } else {
            self.conditions.join(" AND ")
        }
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| p.as_ref()).collect()
    }
}

/// One owner's work that a `TrayQuery` selects (table alias `w`): one read of the
/// `work_tray` index (or `work_child`, for work about one child).
fn owner_filter(q: &TrayQuery, owner: &Owner) -> Filter {
    let mut f = Filter::default();
    f.and("w.owner = {}", vec![Box::new(owner.key())]);
    if let Some(kind) = &q.kind {
        f.and("w.process_kind = {}", vec![Box::new(kind.clone())]);
    }
    if let Some(child) = q.child {
        f.and("w.child_id = {}", vec![Box::new(child.to_string())]);
    }
    if q.urgent_only {
        f.and("w.urgent", vec![]);
    }
    f
}

const WORK_COLS: &str = "w.process_kind, w.process_id, w.work_key, w.owner, w.child_id, w.title, w.due, w.overdue_from, w.rule_id, w.citation, w.link, w.summary, w.urgent";

/// A work row from `WORK_COLS` and the child's name as the record has it now.
fn work_row(r: &Row) -> PgResult<WorkRow> {
    let owner: String = r.try_get(3)?;
    let child_name: Option<String> = r.try_get(13)?;
    Ok(WorkRow {
        process_kind: r.try_get(0)?,
        process_id: id(r, 1)?,
        key: r.try_get(2)?,
        owner: Owner::from_key(&owner).ok_or_else(|| bad_column(3, "owner"))?,
        child: opt_id(r, 4)?,
        title: r.try_get(5)?,
        due: r.try_get(6)?,
        overdue_from: r.try_get(7)?,
        rule_id: r.try_get(8)?,
        citation: r.try_get(9)?,
        link: r.try_get(10)?,
        summary: match child_name {
            Some(name) => name,
            None => r.try_get(11)?,
        },
        urgent: r.try_get(12)?,
    })
}

/// Replace a process's open work with `work`.
fn put_work(
    tx: &mut Db<'_, Transaction<'_>>,
    kind: &str,
    pid: &str,
    work: &[WorkRow],
) -> PgResult<()> {
    tx.execute(
        "DELETE FROM work WHERE process_kind = $1 AND process_id = $2",
        &[&kind, &pid],
    )?;
    for w in work {
        tx.execute(
            "INSERT INTO work (process_kind, process_id, work_key, owner, child_id, title, due, overdue_from, rule_id, citation, link, summary, urgent)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
            &[&kind, &pid, &w.key, &w.owner.key(), &opt_str(&w.child), &w.title, &w.due, &w.overdue_from,
              &w.rule_id, &w.citation, &w.link, &w.summary, &w.urgent],
        )?;
    }
    Ok(())
}

/// Add the involvements a projection creates, if new.
fn add_involvements(
    tx: &mut Db<'_, Transaction<'_>>,
    involvements: &[Involvement],
) -> PgResult<()> {
    for i in involvements {
        tx.execute(
            "INSERT INTO involvements (child_id, user_id, kind, since) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
            &[&i.child.to_string(), &i.user.to_string(), &i.kind, &i.since],
        )?;
    }
    Ok(())
}

const PROCESS_COLS: &str = "kind, id, stage, summary, state, opened_at, updated_at";

fn process_row(r: &Row) -> PgResult<ProcessRow> {
    Ok(ProcessRow {
        kind: r.try_get(0)?,
        id: id(r, 1)?,
        stage: r.try_get(2)?,
        summary: r.try_get(3)?,
        state: r.try_get(4)?,
        opened_at: r.try_get(5)?,
        updated_at: r.try_get(6)?,
        subjects: Vec::new(),
    })
}

/// Fill in each process's subjects.
fn with_subjects(c: &mut Db<'_, Client>, mut ps: Vec<ProcessRow>) -> PgResult<Vec<ProcessRow>> {
    for p in &mut ps {
        let rs = c.query(
            "SELECT subject_kind, subject_id FROM process_subjects WHERE kind = $1 AND id = $2
             ORDER BY subject_kind, subject_id",
            &[&p.kind, &p.id.to_string()],
        )?;
        p.subjects = rows(rs, |r| {
            Ok(Subject {
                kind: r.try_get(0)?,
                id: id(r, 1)?,
            })
        })?;
    }
    Ok(ps)
}

/// A `WorkCount` from `SELECT COUNT(*), COUNT(*) FILTER (...)`.
fn work_count(r: &Row) -> std::result::Result<WorkCount, ::postgres::Error> {
    let n = |i: usize| -> std::result::Result<u64, ::postgres::Error> {
        Ok(r.try_get::<_, i64>(i)?.max(0) as u64)
    };
    Ok(WorkCount {
        total: n(0)?,
        overdue: n(1)?,
    })
}

fn opt_str<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|x| x.to_string())
}

const EVENT_COLS: &str = "id, child_id, seq, event_type, payload, payload_hash, effective_at, recorded_at, actor_id, actor_agency_id, actor_role, profile_version, corrects, prev_hash, hash";

fn event_row(r: &Row) -> PgResult<StoredEvent> {
    Ok(StoredEvent {
        id: id(r, 0)?,
        child: id(r, 1)?,
        seq: r.try_get(2)?,
        event_type: r.try_get(3)?,
        payload: r.try_get(4)?,
        payload_hash: r.try_get(5)?,
        effective_at: r.try_get(6)?,
        recorded_at: r.try_get(7)?,
        actor: id(r, 8)?,
        actor_agency: id(r, 9)?,
        actor_role: r.try_get(10)?,
        profile_version: r.try_get(11)?,
        corrects: opt_id(r, 12)?,
        prev_hash: r.try_get(13)?,
        hash: r.try_get(14)?,
    })
}

const PERSON_COLS: &str = "id, kind, given_name, family_name, date_of_birth, expected_date_of_delivery, sex, nhs_number, postcode, restricted, created_at, updated_at, upn";

fn person_row(r: &Row) -> PgResult<PersonRow> {
    Ok(PersonRow {
        id: id(r, 0)?,
        kind: r.try_get(1)?,
        given_name: r.try_get(2)?,
        family_name: r.try_get(3)?,
        date_of_birth: r.try_get(4)?,
        expected_date_of_delivery: r.try_get(5)?,
        sex: r.try_get(6)?,
        nhs_number: r.try_get(7)?,
        postcode: r.try_get(8)?,
        restricted: r.try_get(9)?,
        created_at: r.try_get(10)?,
        updated_at: r.try_get(11)?,
        upn: r.try_get(12)?,
    })
}

const USER_COLS: &str =
    "id, username, display_name, role, agency_id, team_id, password_hash, active, created_at, must_change_password";

fn user_row(r: &Row) -> PgResult<UserRow> {
    Ok(UserRow {
        id: id(r, 0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        role: r.try_get(3)?,
        agency: id(r, 4)?,
        team: opt_id(r, 5)?,
        password_hash: r.try_get(6)?,
        active: r.try_get(7)?,
        created_at: r.try_get(8)?,
        must_change_password: r.try_get(9)?,
    })
}

type Tx<'a, 'b> = Db<'a, Transaction<'b>>;

fn insert_user(tx: &mut Tx<'_, '_>, u: &UserRow) -> PgResult<()> {
    tx.execute(
        &format!("INSERT INTO users ({USER_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"),
        &[
            &u.id.to_string(),
            &u.username,
            &u.display_name,
            &u.role,
            &u.agency.to_string(),
            &opt_str(&u.team),
            &u.password_hash,
            &u.active,
            &u.created_at,
            &u.must_change_password,
        ],
    )?;
    Ok(())
}

fn change_user(tx: &mut Tx<'_, '_>, u: &UserRow) -> PgResult<()> {
    let n = tx.execute(
        "UPDATE users SET username=$2, display_name=$3, role=$4, agency_id=$5, team_id=$6, password_hash=$7, active=$8, must_change_password=$9 WHERE id=$1",
        &[
            &u.id.to_string(), &u.username, &u.display_name, &u.role, &u.agency.to_string(),
            &opt_str(&u.team), &u.password_hash, &u.active, &u.must_change_password,
        ],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("user {}", u.id)).into());
    }
    Ok(())
}

fn end_sessions_of(tx: &mut Tx<'_, '_>, user: UserId) -> PgResult<()> {
    tx.execute(
        "DELETE FROM sessions WHERE user_id = $1",
        &[&user.to_string()],
    )?;
    Ok(())
}

fn insert_api_client(tx: &mut Tx<'_, '_>, a: &ApiClientRow) -> PgResult<()> {
    tx.execute(
        "INSERT INTO api_clients (id, name, agency_id, token_hash, active, created_at) VALUES ($1,$2,$3,$4,$5,$6)",
        &[&a.id.to_string(), &a.name, &a.agency.to_string(), &a.token_hash, &a.active, &a.created_at],
    )?;
    Ok(())
}

fn api_client_row(r: &Row) -> PgResult<ApiClientRow> {
    Ok(ApiClientRow {
        id: id(r, 0)?,
        name: r.try_get(1)?,
        agency: id(r, 2)?,
        token_hash: r.try_get(3)?,
        active: r.try_get(4)?,
        created_at: r.try_get(5)?,
    })
}

fn insert_proclamation(tx: &mut Tx<'_, '_>, p: &ProclamationRow) -> PgResult<()> {
    tx.execute(
        "INSERT INTO proclamations (date, name, replaces, added_by, added_at) VALUES ($1,$2,$3,$4,$5)",
        &[&p.date, &p.name, &p.replaces, &opt_str(&p.added_by), &p.added_at],
    )?;
    Ok(())
}

const ADMIN_COLS: &str =
    "seq, id, at, actor_id, actor_name, action, target, target_name, details, prev_hash, hash";

fn admin_row(r: &Row) -> PgResult<AdminEntry> {
    Ok(AdminEntry {
        seq: r.try_get(0)?,
        entry: NewAdminEntry {
            id: id(r, 1)?,
            at: r.try_get(2)?,
            actor: opt_id(r, 3)?,
            actor_name: r.try_get(4)?,
            action: r.try_get(5)?,
            target: r.try_get(6)?,
            target_name: r.try_get(7)?,
            details: r.try_get(8)?,
        },
        prev_hash: r.try_get(9)?,
        hash: r.try_get(10)?,
    })
}

const ACCESS_COLS: &str = "id, at, user_id, api_client_id, role, action, child_id, allowed, reason, break_glass, request_id, referral_id, subject_kind, subject_id";

fn access_row(r: &Row) -> PgResult<AccessEntry> {
    Ok(AccessEntry {
        id: id(r, 0)?,
        at: r.try_get(1)?,
        user: opt_id(r, 2)?,
        api_client: opt_id(r, 3)?,
        role: r.try_get(4)?,
        action: r.try_get(5)?,
        child: opt_id(r, 6)?,
        allowed: r.try_get(7)?,
        reason: r.try_get(8)?,
        break_glass: r.try_get(9)?,
        request_id: r.try_get(10)?,
        referral: opt_id(r, 11)?,
        subject: {
            let kind: Option<String> = r.try_get(12)?;
            match (kind, opt_id::<uuid::Uuid>(r, 13)?) {
                (Some(kind), Some(id)) => Some(Subject { kind, id }),
                _ => None,
            }
        },
    })
}

const REFERRAL_COLS: &str = "id, received_at, channel, stage, summary, referrer_name, referrer_agency_name, submitted_by_user, submitted_by_client, submitted_by_agency, idempotency_key, decision_due, decided_at, outcome, repeat_referral, open_work, updated_at, urgent";

fn referral_row(r: &Row) -> PgResult<ReferralRow> {
    Ok(ReferralRow {
        id: id(r, 0)?,
        received_at: r.try_get(1)?,
        channel: r.try_get(2)?,
        stage: r.try_get(3)?,
        summary: r.try_get(4)?,
        referrer_name: r.try_get(5)?,
        referrer_agency_name: r.try_get(6)?,
        submitted_by_user: opt_id(r, 7)?,
        submitted_by_client: opt_id(r, 8)?,
        submitted_by_agency: opt_id(r, 9)?,
        idempotency_key: r.try_get(10)?,
        decision_due: r.try_get(11)?,
        decided_at: r.try_get(12)?,
        outcome: r.try_get(13)?,
        repeat_referral: r.try_get(14)?,
        open_work: r.try_get(15)?,
        updated_at: r.try_get(16)?,
        urgent: r.try_get(17)?,
    })
}

type Heads = BTreeMap<String, (i64, String)>;

/// Lock the head of every log `entries` touch, in log-id order, so that two appends
/// touching the same logs never wait on each other in a cycle. A missing head row is
/// created; ON CONFLICT waits for a concurrent creator, and FOR UPDATE then sees its commit.
fn lock_heads(tx: &mut Db<'_, Transaction<'_>>, entries: &[NewEntry]) -> PgResult<Heads> {
    let mut heads: Heads = BTreeMap::new();
    for e in entries {
        heads.entry(e.log.to_string()).or_default();
    }
    for (log, head) in heads.iter_mut() {
        tx.execute(
            "INSERT INTO logs (child_id, last_seq, last_hash) VALUES ($1, 0, $2) ON CONFLICT (child_id) DO NOTHING",
            &[log, &GENESIS_HASH],
        )?;
        let r = tx.query_one(
            "SELECT last_seq, last_hash FROM logs WHERE child_id = $1 FOR UPDATE",
            &[log],
        )?;
        *head = (r.try_get(0)?, r.try_get(1)?);
    }
    Ok(heads)
}

/// Seal and insert entries after the locked heads, then move the heads.
fn insert_entries(
    tx: &mut Db<'_, Transaction<'_>>,
    mut heads: Heads,
    entries: &[NewEntry],
) -> PgResult<Vec<StoredEvent>> {
    let insert = format!(
        "INSERT INTO events ({EVENT_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"
    );
    let mut sealed = Vec::with_capacity(entries.len());
    for e in entries {
        let log = e.log.to_string();
        let head = heads
            .get_mut(&log)
            .expect("every entry's log head is locked first");
        let s = e.seal(head.0 + 1, &head.1);
        tx.execute(
            &insert,
            &[
                &s.id.to_string(),
                &log,
                &s.seq,
                &s.event_type,
                &s.payload,
                &s.payload_hash,
                &s.effective_at,
                &s.recorded_at,
                &s.actor.to_string(),
                &s.actor_agency.to_string(),
                &s.actor_role,
                &s.profile_version,
                &opt_str(&s.corrects),
                &s.prev_hash,
                &s.hash,
            ],
        )?;
        *head = (s.seq, s.hash.clone());
        sealed.push(s);
    }
    for (log, (seq, hash)) in &heads {
        tx.execute(
            "UPDATE logs SET last_seq = $2, last_hash = $3 WHERE child_id = $1",
            &[log, seq, hash],
        )?;
    }
    Ok(sealed)
}

fn agency_row(r: &Row) -> PgResult<AgencyRow> {
    Ok(AgencyRow {
        id: id(r, 0)?,
        name: r.try_get(1)?,
        kind: r.try_get(2)?,
    })
}

fn team_row(r: &Row) -> PgResult<TeamRow> {
    Ok(TeamRow {
        id: id(r, 0)?,
        agency: id(r, 1)?,
        name: r.try_get(2)?,
    })
}

impl PgStore {
    /// How much work `f` selects, and how much is overdue by `now`, each read only as
    /// far as `cap`.
    fn count_owner_work(&self, mut f: Filter, now: &str, cap: u64) -> Result<WorkCount> {
        f.params.push(Box::new(now.to_string()));
        let now_at = f.params.len();
        f.params
            .push(Box::new(i64::try_from(cap).unwrap_or(i64::MAX)));
        let cap_at = f.params.len();
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM work w WHERE {0} LIMIT ${cap_at}) a),
                    (SELECT COUNT(*) FROM (SELECT 1 FROM work w WHERE {0} AND w.overdue_from <= ${now_at} LIMIT ${cap_at}) b)",
            f.sql()
        );
        self.read(|c| {
            let r = c.query_one(&sql, &f.refs())?;
            Ok(work_count(&r)?)
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
             WHERE {} ORDER BY w.overdue_from, w.process_id COLLATE \"C\", w.work_key COLLATE \"C\" LIMIT ${}",
            f.sql(),
            f.params.len() + 1
        );
        f.params.push(Box::new(i64::from(limit)));
        self.read(|c| {
            let rs = c.query(&sql, &f.refs())?;
            rows(rs, work_row)
        })
    }
}

impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn append(
        &self,
        events: &[NewEvent],
        people: &[PersonRow],
        involvements: &[Involvement],
    ) -> Result<Vec<StoredEvent>> {
        self.write(|tx| {
            let entries: Vec<NewEntry> = events.iter().map(NewEntry::from).collect();
            let heads = lock_heads(tx, &entries)?;
            // The projection, in id order for the same reason (a stable sort keeps
            // the caller's order between two rows for one person: the later wins).
            let mut ordered: Vec<&PersonRow> = people.iter().collect();
            ordered.sort_by_key(|p| p.id);
            for p in ordered {
                tx.execute(
                    &format!(
                        "INSERT INTO people ({PERSON_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
                         ON CONFLICT (id) DO UPDATE SET kind=excluded.kind, given_name=excluded.given_name,
                           family_name=excluded.family_name, date_of_birth=excluded.date_of_birth,
                           expected_date_of_delivery=excluded.expected_date_of_delivery, sex=excluded.sex,
                           nhs_number=excluded.nhs_number, postcode=excluded.postcode, upn=excluded.upn,
                           restricted=(people.restricted OR excluded.restricted), updated_at=excluded.updated_at"
                    ),
                    &[
                        &p.id.to_string(), &p.kind, &p.given_name, &p.family_name, &p.date_of_birth,
                        &p.expected_date_of_delivery, &p.sex, &p.nhs_number, &p.postcode, &p.restricted,
                        &p.created_at, &p.updated_at, &p.upn,
                    ],
                )?;
            }
            let sealed = insert_entries(tx, heads, &entries)?;
            for e in events {
                if let EventBody::FamilyMemberAdded { person, lives_with_child: true, .. } = &e.body {
                    tx.execute(
                        "INSERT INTO households (child_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        &[&e.child.to_string(), &person.to_string()],
                    )?;
                }
            }
            for i in involvements {
                tx.execute(
                    "INSERT INTO involvements (child_id, user_id, kind, since) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
                    &[&i.child.to_string(), &i.user.to_string(), &i.kind, &i.since],
                )?;
            }
            Ok(sealed)
        })
    }

    fn log(&self, child: PersonId) -> Result<Vec<StoredEvent>> {
        self.read(|c| {
            let rs = c.query(
                &format!("SELECT {EVENT_COLS} FROM events WHERE child_id = $1 ORDER BY seq"),
                &[&child.to_string()],
            )?;
            rows(rs, event_row)
        })
    }

    fn logs(&self, children: &[PersonId]) -> Result<Vec<Vec<StoredEvent>>> {
        let ids: Vec<String> = children.iter().map(|c| c.to_string()).collect();
        let events = self.read(|c| {
            let rs = c.query(
                &format!(
                    "SELECT {EVENT_COLS} FROM events WHERE child_id = ANY($1) ORDER BY child_id, seq"
                ),
                &[&ids],
            )?;
            rows(rs, event_row)
        })?;
        let at: HashMap<PersonId, usize> =
            children.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let mut logs = vec![Vec::new(); children.len()];
        for e in events {
            logs[at[&e.child]].push(e);
        }
        Ok(logs)
    }

    fn log_page(
        &self,
        child: PersonId,
        before: Option<(&str, i64)>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>> {
        let (at, seq) = before.unwrap_or(("\u{10FFFF}", i64::MAX));
        self.read(|c| {
            let rs = c.query(
                &format!(
                    "SELECT {EVENT_COLS} FROM events WHERE child_id = $1 AND (effective_at, seq) < ($2, $3)
                     ORDER BY effective_at DESC, seq DESC LIMIT $4"
                ),
                &[&child.to_string(), &at, &seq, &(limit as i64)],
            )?;
            rows(rs, event_row)
        })
    }

    fn log_of_types(&self, child: PersonId, types: &[&str]) -> Result<Vec<StoredEvent>> {
        self.read(|c| {
            let rs = c.query(
                &format!(
                    "SELECT {EVENT_COLS} FROM events WHERE child_id = $1 AND event_type = ANY($2) ORDER BY seq"
                ),
                &[&child.to_string(), &types],
            )?;
            rows(rs, event_row)
        })
    }

    fn log_related(&self, child: PersonId, entries: &[EventId]) -> Result<Vec<StoredEvent>> {
        let ids: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
        self.read(|c| {
            let rs = c.query(
                &format!(
                    // The ids first, each half from its own index: with the OR in one
                    // condition PostgreSQL read every event of the child (a long log's
                    // page waited 4 ms for it, twice).
                    "SELECT {EVENT_COLS} FROM events WHERE child_id = $1 AND id IN (
                       SELECT id FROM events WHERE corrects = ANY($2)
                       UNION SELECT corrects FROM events WHERE id = ANY($2) AND corrects IS NOT NULL)
                     ORDER BY seq"
                ),
                &[&child.to_string(), &ids],
            )?;
            rows(rs, event_row)
        })
    }

    fn events_version(&self) -> Result<i64> {
        // Every append moves a log head forward, and heads never move back.
        self.read(|c| {
            let r = c.query_one("SELECT COALESCE(SUM(last_seq), 0)::BIGINT FROM logs", &[])?;
            Ok(r.try_get(0)?)
        })
    }

    fn log_len(&self, child: PersonId) -> Result<i64> {
        self.read(|c| {
            let r = c.query_opt(
                "SELECT last_seq FROM logs WHERE child_id = $1",
                &[&child.to_string()],
            )?;
            Ok(match r {
                Some(r) => r.try_get(0)?,
                None => 0,
            })
        })
    }

    fn event(&self, eid: EventId) -> Result<Option<StoredEvent>> {
        self.read(|c| {
            let r = c.query_opt(
                &format!("SELECT {EVENT_COLS} FROM events WHERE id = $1"),
                &[&eid.to_string()],
            )?;
            opt_row(r, event_row)
        })
    }

    fn log_heads(&self) -> Result<Vec<LogHead>> {
        self.read(|c| {
            let rs = c.query(
                // Every child with events, whether or not its head survives.
                "SELECT c.child_id, COALESCE(l.last_seq, -1), COALESCE(l.last_hash, '')
                 FROM (SELECT child_id FROM logs UNION SELECT DISTINCT child_id FROM events) c
                 LEFT JOIN logs l ON l.child_id = c.child_id ORDER BY c.child_id",
                &[],
            )?;
            rows(rs, |r| {
                Ok(LogHead {
                    child: id(r, 0)?,
                    last_seq: r.try_get(1)?,
                    last_hash: r.try_get(2)?,
                })
            })
        })
    }

    fn person(&self, pid: PersonId) -> Result<Option<PersonRow>> {
        self.read(|c| {
            let r = c.query_opt(
                &format!("SELECT {PERSON_COLS} FROM people WHERE id = $1"),
                &[&pid.to_string()],
            )?;
            opt_row(r, person_row)
        })
    }

    fn children(&self, q: &ChildQuery) -> Result<Vec<PersonRow>> {
        let limit = i64::from(if q.limit == 0 { 50 } else { q.limit.min(500) });
        let offset = i64::from(q.offset);
        // As on SQLite: wildcards in the search are dropped, and LIKE has no escape
        // character (PostgreSQL's default would treat a backslash as one).
        let like = q
            .name
            .as_ref()
            .map(|n| format!("%{}%", n.to_lowercase().replace(['%', '_'], "")));
        self.read(|c| {
            let rs = c.query(
                &format!(
                    "SELECT {PERSON_COLS} FROM people
                     WHERE kind IN ('child','unborn-child')
                       AND ($1::text IS NULL OR lower(given_name) LIKE $1 ESCAPE '' OR lower(family_name) LIKE $1 ESCAPE ''
                            OR lower(given_name || ' ' || family_name) LIKE $1 ESCAPE '')
                     ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
                ),
                &[&like, &limit, &offset],
            )?;
            rows(rs, person_row)
        })
    }

    fn children_involving(&self, user: UserId, kind: Option<&str>) -> Result<Vec<PersonRow>> {
        self.read(|c| {
            let cols = PERSON_COLS.split(", ").map(|col| format!("p.{col}")).collect::<Vec<_>>().join(", ");
            let rs = c.query(
                &format!(
                    "SELECT DISTINCT {cols} FROM people p JOIN involvements i ON i.child_id = p.id
                     WHERE i.user_id = $1 AND ($2::text IS NULL OR i.kind = $2) AND p.kind IN ('child','unborn-child')
                     ORDER BY p.created_at DESC, p.id LIMIT 200"
                ),
                &[&user.to_string(), &kind],
            )?;
            rows(rs, person_row)
        })
    }

    fn involvements(&self, child: PersonId, user: UserId) -> Result<Vec<Involvement>> {
        self.read(|c| {
            let rs = c.query(
                "SELECT child_id, user_id, kind, since FROM involvements WHERE child_id = $1 AND user_id = $2 ORDER BY kind",
                &[&child.to_string(), &user.to_string()],
            )?;
            rows(rs, |r| Ok(Involvement { child: id(r, 0)?, user: id(r, 1)?, kind: r.try_get(2)?, since: r.try_get(3)? }))
        })
    }

    fn append_referral(
        &self,
        entries: &[NewEntry],
        p: &ReferralProjection,
    ) -> Result<Vec<StoredEvent>> {
        self.write(|tx| {
            let heads = lock_heads(tx, entries)?;
            let r = &p.row;
            let rid = r.id.to_string();
            tx.execute(
                &format!(
                    "INSERT INTO referrals ({REFERRAL_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)
                     ON CONFLICT (id) DO UPDATE SET stage=excluded.stage, summary=excluded.summary,
                       referrer_name=excluded.referrer_name, referrer_agency_name=excluded.referrer_agency_name,
                       decision_due=excluded.decision_due, decided_at=excluded.decided_at, outcome=excluded.outcome,
                       repeat_referral=excluded.repeat_referral, open_work=excluded.open_work, updated_at=excluded.updated_at, urgent=excluded.urgent"
                ),
                &[
                    &rid, &r.received_at, &r.channel, &r.stage, &r.summary, &r.referrer_name, &r.referrer_agency_name,
                    &opt_str(&r.submitted_by_user), &opt_str(&r.submitted_by_client), &opt_str(&r.submitted_by_agency),
                    &r.idempotency_key, &r.decision_due, &r.decided_at, &r.outcome, &r.repeat_referral, &r.open_work,
                    &r.updated_at, &r.urgent,
                ],
            )?;
            let sealed = insert_entries(tx, heads, entries)?;
            tx.execute("DELETE FROM referral_children WHERE referral_id = $1", &[&rid])?;
            for c in &p.children {
                tx.execute(
                    "INSERT INTO referral_children (referral_id, child_index, person_id, received_at) VALUES ($1,$2,$3,$4)",
                    &[&rid, &c.child_index, &c.person.to_string(), &c.received_at],
                )?;
            }
            put_work(tx, "referral", &rid, &p.work)?;
            Ok(sealed)
        })
    }

    fn referral(&self, rid: uuid::Uuid) -> Result<Option<ReferralRow>> {
        self.read(|c| {
            let r = c.query_opt(
                &format!("SELECT {REFERRAL_COLS} FROM referrals WHERE id = $1"),
                &[&rid.to_string()],
            )?;
            opt_row(r, referral_row)
        })
    }

    fn referral_by_idempotency_key(
        &self,
        client: uuid::Uuid,
        key: &str,
    ) -> Result<Option<ReferralRow>> {
        self.read(|c| {
            let r = c.query_opt(
                &format!("SELECT {REFERRAL_COLS} FROM referrals WHERE submitted_by_client = $1 AND idempotency_key = $2"),
                &[&client.to_string(), &key],
            )?;
            opt_row(r, referral_row)
        })
    }

    fn referrals(&self, q: &ReferralQuery) -> Result<Vec<ReferralRow>> {
        let limit = i64::from(if q.limit == 0 { 100 } else { q.limit.min(1000) });
        let offset = i64::from(q.offset);
        self.read(|c| {
            let rs = c.query(
                &format!(
                    "SELECT {REFERRAL_COLS} FROM referrals
                     WHERE ($1::text IS NULL OR submitted_by_user = $1) AND ($2::text IS NULL OR submitted_by_client = $2)
                       AND (NOT $3::bool OR open_work > 0)
                     ORDER BY received_at DESC, id LIMIT $4 OFFSET $5"
                ),
                &[&opt_str(&q.submitted_by_user), &opt_str(&q.submitted_by_client), &q.open_only, &limit, &offset],
            )?;
            rows(rs, referral_row)
        })
    }

    fn referral_children_between(&self, from: &str, to: &str) -> Result<Vec<ReferralChildRow>> {
        self.read(|c| {
            let rs = c.query(
                "SELECT referral_id, child_index, person_id, received_at FROM referral_children
                 WHERE received_at >= $1 AND received_at < $2 ORDER BY received_at, referral_id, child_index",
                &[&from, &to],
            )?;
            rows(rs, referral_child_row)
        })
    }

    fn referrals_of_person(&self, person: PersonId) -> Result<Vec<ReferralChildRow>> {
        self.read(|c| {
            let rs = c.query(
                "SELECT referral_id, child_index, person_id, received_at FROM referral_children
                 WHERE person_id = $1 ORDER BY received_at DESC",
                &[&person.to_string()],
            )?;
            rows(rs, referral_child_row)
        })
    }

    fn append_case(&self, entries: &[NewEntry], p: &CaseProjection) -> Result<Vec<StoredEvent>> {
        self.write(|tx| {
            let heads = lock_heads(tx, entries)?;
            let r = &p.row;
            let cid = r.id.to_string();
            tx.execute(
                &format!(
                    "INSERT INTO cases ({CASE_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
                     ON CONFLICT (id) DO UPDATE SET service=excluded.service, stage=excluded.stage,
                       local_authority=excluded.local_authority, lead_user=excluded.lead_user,
                       closed_on=excluded.closed_on, closure_reason=excluded.closure_reason, updated_at=excluded.updated_at"
                ),
                &[
                    &cid, &r.child.to_string(), &r.service, &r.stage, &r.local_authority, &r.opened_at,
                    &opt_str(&r.referral), &r.referral_date, &opt_str(&r.lead_user), &r.closed_on,
                    &r.closure_reason, &r.updated_at,
                ],
            )?;
            let sealed = insert_entries(tx, heads, entries)?;
            put_work(tx, "case", &cid, &p.work)?;
            add_involvements(tx, &p.involvements)?;
            tx.execute("DELETE FROM case_actions WHERE case_id = $1", &[&cid])?;
            for a in &p.actions {
                tx.execute(
                    &format!("INSERT INTO case_actions ({ACTION_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"),
                    &[&cid, &a.number, &a.child.to_string(), &a.plan, &a.plan_kind, &a.what,
                      &opt_str(&a.owner_user), &opt_str(&a.owner_agency), &a.owner_name, &a.due_by, &a.done_on],
                )?;
            }
            Ok(sealed)
        })
    }

    fn case(&self, cid: uuid::Uuid) -> Result<Option<CaseRow>> {
        self.read(|c| {
            let r = c.query_opt(
                &format!("SELECT {CASE_COLS} FROM cases WHERE id = $1"),
                &[&cid.to_string()],
            )?;
            opt_row(r, case_row)
        })
    }

    fn cases_of_child(&self, child: PersonId) -> Result<Vec<CaseRow>> {
        self.read(|c| {
            let rs = c.query(
                &format!(
                    "SELECT {CASE_COLS} FROM cases WHERE child_id = $1 ORDER BY opened_at DESC, id"
                ),
                &[&child.to_string()],
            )?;
            rows(rs, case_row)
        })
    }

    fn cases_between(&self, from: &str, to: &str) -> Result<Vec<CaseRow>> {
        self.read(|c| {
            let rs = c.query(
                &format!(
                    "SELECT {CASE_COLS} FROM cases
                     WHERE referral_date <= $2 AND (closed_on IS NULL OR closed_on >= $1)
                     ORDER BY child_id, opened_at, id"
                ),
                &[&from, &to],
            )?;
            rows(rs, case_row)
        })
    }

    fn open_cases_led_by(&self, user: UserId) -> Result<Vec<CaseRow>> {
        self.read(|c| {
            let rs = c.query(
                &format!("SELECT {CASE_COLS} FROM cases WHERE lead_user = $1 AND stage = 'open' ORDER BY opened_at DESC, id"),
                &[&user.to_string()],
            )?;
            rows(rs, case_row)
        })
    }

    fn case_actions(&self, q: &CaseActionQuery) -> Result<Vec<CaseActionRow>> {
        let limit = i64::from(if q.limit == 0 { 200 } else { q.limit.min(2000) });
        self.read(|c| {
            let rs = c.query(
                &format!(
                    "SELECT {ACTION_COLS} FROM case_actions
                     WHERE ($1::text IS NULL OR owner_user = $1) AND ($2::text IS NULL OR owner_agency = $2)
                       AND ($3::text IS NULL OR child_id = $3) AND (NOT $4 OR done_on IS NULL)
                     ORDER BY due_by, case_id, action_number LIMIT $5"
                ),
                &[&opt_str(&q.owner_user), &opt_str(&q.owner_agency), &opt_str(&q.child), &q.open_only, &limit],
            )?;
            rows(rs, action_row)
        })
    }

    fn matchable_children(
        &self,
        after: Option<PersonId>,
        limit: u32,
    ) -> Result<Vec<MatchablePerson>> {
        let limit = i64::from(limit);
        self.read(|c| {
            let cols = PERSON_COLS.split(", ").map(|col| format!("p.{col}")).collect::<Vec<_>>().join(", ");
            let rs = c.query(
                &format!(
                    "SELECT {cols}, (SELECT string_agg(m.given_name || ' ' || m.family_name, chr(31))
                                      FROM households h JOIN people m ON m.id = h.person_id WHERE h.child_id = p.id)
                     FROM people p WHERE p.kind IN ('child','unborn-child') AND p.id > $1
                     ORDER BY p.id LIMIT $2"
                ),
                &[&after.map(|a| a.to_string()).unwrap_or_default(), &limit],
            )?;
            rows(rs, |r| {
                let household: Option<String> = r.try_get(13)?;
                Ok(MatchablePerson {
                    person: person_row(r)?,
                    household: household
                        .map(|h| h.split('\u{1f}').map(str::to_string).collect())
                        .unwrap_or_default(),
                })
            })
        })
    }

    fn append_process(
        &self,
        entries: &[NewEntry],
        p: &ProcessProjection,
    ) -> Result<Vec<StoredEvent>> {
        self.write(|tx| {
            let heads = lock_heads(tx, entries)?;
            let r = &p.row;
            let pid = r.id.to_string();
            tx.execute(
                &format!(
                    "INSERT INTO processes ({PROCESS_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7)
                     ON CONFLICT (kind, id) DO UPDATE SET stage=excluded.stage, summary=excluded.summary,
                       state=excluded.state, updated_at=excluded.updated_at"
                ),
                &[&r.kind, &pid, &r.stage, &r.summary, &r.state, &r.opened_at, &r.updated_at],
            )?;
            let sealed = insert_entries(tx, heads, entries)?;
            tx.execute(
                "DELETE FROM process_subjects WHERE kind = $1 AND id = $2",
                &[&r.kind, &pid],
            )?;
            for sub in &r.subjects {
                tx.execute(
                    "INSERT INTO process_subjects (kind, id, subject_kind, subject_id) VALUES ($1,$2,$3,$4)
                     ON CONFLICT DO NOTHING",
                    &[&r.kind, &pid, &sub.kind, &sub.id.to_string()],
                )?;
            }
            put_work(tx, &r.kind, &pid, &p.work)?;
            add_involvements(tx, &p.involvements)?;
            Ok(sealed)
        })
    }

    fn process(&self, kind: &str, pid: uuid::Uuid) -> Result<Option<ProcessRow>> {
        self.read(|c| {
            let r = c.query_opt(
                &format!("SELECT {PROCESS_COLS} FROM processes WHERE kind = $1 AND id = $2"),
                &[&kind, &pid.to_string()],
            )?;
            let row = opt_row(r, process_row)?;
            Ok(with_subjects(c, row.into_iter().collect())?.pop())
        })
    }

    fn processes(&self, q: &ProcessQuery) -> Result<Vec<ProcessRow>> {
        let limit = i64::from(if q.limit == 0 { 200 } else { q.limit.min(2000) });
        let mut f = Filter::default();
        if let Some(kind) = &q.kind {
            f.and("p.kind = {}", vec![Box::new(kind.clone())]);
        }
        if let Some(sub) = &q.subject {
            f.and(
                "EXISTS (SELECT 1 FROM process_subjects s WHERE s.kind = p.kind AND s.id = p.id
                         AND s.subject_kind = {} AND s.subject_id = {})",
                vec![Box::new(sub.kind.clone()), Box::new(sub.id.to_string())],
            );
        }
        let sql = format!(
            "SELECT p.kind, p.id, p.stage, p.summary, p.state, p.opened_at, p.updated_at FROM processes p
             WHERE {} ORDER BY p.updated_at DESC, p.id LIMIT ${} OFFSET ${}",
            f.sql(),
            f.params.len() + 1,
            f.params.len() + 2
        );
        f.params.push(Box::new(limit));
        f.params.push(Box::new(i64::from(q.offset)));
        self.read(|c| {
            let rs = c.query(&sql, &f.refs())?;
            let ps = rows(rs, process_row)?;
            with_subjects(c, ps)
        })
    }

    fn work(&self, q: &TrayQuery) -> Result<Vec<WorkRow>> {
        let limit = if q.limit == 0 { 200 } else { q.limit.min(2000) };
        // One read per owner, each in an index's order, merged.
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
            tx.execute(
                "INSERT INTO agencies (id, name, kind) VALUES ($1,$2,$3) ON CONFLICT (id) DO UPDATE SET name=excluded.name, kind=excluded.kind",
                &[&a.id.to_string(), &a.name, &a.kind],
            )?;
            Ok(())
        })
    }

    fn agencies(&self) -> Result<Vec<AgencyRow>> {
        self.read(|c| {
            rows(
                c.query("SELECT id, name, kind FROM agencies ORDER BY name", &[])?,
                agency_row,
            )
        })
    }

    fn agency(&self, aid: AgencyId) -> Result<Option<AgencyRow>> {
        self.read(|c| {
            opt_row(
                c.query_opt(
                    "SELECT id, name, kind FROM agencies WHERE id = $1",
                    &[&aid.to_string()],
                )?,
                agency_row,
            )
        })
    }

    fn put_team(&self, t: &TeamRow) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO teams (id, agency_id, name) VALUES ($1,$2,$3) ON CONFLICT (id) DO UPDATE SET name=excluded.name",
                &[&t.id.to_string(), &t.agency.to_string(), &t.name],
            )?;
            Ok(())
        })
    }

    fn teams(&self) -> Result<Vec<TeamRow>> {
        self.read(|c| {
            rows(
                c.query("SELECT id, agency_id, name FROM teams ORDER BY name", &[])?,
                team_row,
            )
        })
    }

    fn team(&self, tid: TeamId) -> Result<Option<TeamRow>> {
        self.read(|c| {
            opt_row(
                c.query_opt(
                    "SELECT id, agency_id, name FROM teams WHERE id = $1",
                    &[&tid.to_string()],
                )?,
                team_row,
            )
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
            opt_row(
                c.query_opt(
                    &format!("SELECT {USER_COLS} FROM users WHERE id = $1"),
                    &[&uid.to_string()],
                )?,
                user_row,
            )
        })
    }

    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>> {
        self.read(|c| {
            opt_row(
                c.query_opt(
                    &format!("SELECT {USER_COLS} FROM users WHERE username = $1"),
                    &[&username],
                )?,
                user_row,
            )
        })
    }

    fn users(&self) -> Result<Vec<UserRow>> {
        self.read(|c| {
            rows(
                c.query(
                    &format!("SELECT {USER_COLS} FROM users ORDER BY display_name"),
                    &[],
                )?,
                user_row,
            )
        })
    }

    fn create_session(&self, s: &SessionRow) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1,$2,$3,$4,$5)",
                &[&s.token_hash, &s.user.to_string(), &s.csrf_token, &s.created_at, &s.last_seen_at],
            )?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        self.read(|c| {
            let r = c.query_opt(
                "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE token_hash = $1",
                &[&token_hash],
            )?;
            opt_row(r, |r| {
                Ok(SessionRow {
                    token_hash: r.try_get(0)?,
                    user: id(r, 1)?,
                    csrf_token: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                    last_seen_at: r.try_get(4)?,
                })
            })
        })
    }

    fn touch_session(&self, token_hash: &str, last_seen_at: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1",
                &[&token_hash, &last_seen_at],
            )?;
            Ok(())
        })
    }

    fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])?;
            Ok(())
        })
    }

    fn delete_sessions_of(&self, user: UserId) -> Result<()> {
        self.write(|tx| end_sessions_of(tx, user))
    }

    fn record_login_attempt(&self, a: &LoginAttempt) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO login_attempts (id, username, client, at, succeeded) VALUES ($1,$2,$3,$4,$5)",
                &[&a.id.to_string(), &a.username, &a.client, &a.at, &a.succeeded],
            )?;
            Ok(())
        })
    }

    fn mark_login_attempt_throttled(&self, a: &LoginAttempt) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE login_attempts SET throttled = TRUE WHERE id = $1 AND username = $2",
                &[&a.id.to_string(), &a.username],
            )?;
            Ok(())
        })
    }

    fn forget_login_attempts_before(
        &self,
        failures_before: &str,
        successes_before: &str,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM login_attempts WHERE (NOT succeeded AND at < $1) OR at < $2",
                &[&failures_before, &successes_before],
            )?;
            Ok(())
        })
    }

    fn login_failures(&self, username: &str, client: &str, since: &str) -> Result<LoginFailures> {
        self.read(|c| {
            // Failures since `since` and since the scope's last success, newest first.
            let mut failures = |client: Option<&str>| -> PgResult<(u32, Vec<String>)> {
                let rs = c.query(
                    "SELECT at FROM login_attempts WHERE username = $1 AND ($2::text IS NULL OR client = $2)
                       AND NOT succeeded AND NOT throttled AND at >= $3
                       AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = $1
                                            AND ($2::text IS NULL OR client = $2) AND succeeded), '')
                     ORDER BY at DESC",
                    &[&username, &client, &since],
                )?;
                let n = u32::try_from(rs.len()).unwrap_or(u32::MAX);
                let latest = rs
                    .iter()
                    .take(2)
                    .map(|r| r.try_get::<_, String>(0))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                Ok((n, latest))
            };
            let (from_client, from_client_latest) = failures(Some(client))?;
            let (from_anywhere, from_anywhere_latest) = failures(None)?;
            let client_known: bool = c
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM login_attempts WHERE username = $1 AND client = $2 AND succeeded)",
                    &[&username, &client],
                )?
                .try_get(0)?;
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
            let rs = c.query(
                "SELECT id, name, agency_id, token_hash, active, created_at FROM api_clients ORDER BY created_at, id",
                &[],
            )?;
            rows(rs, api_client_row)
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
            tx.execute(
                "DELETE FROM form_tokens WHERE issued_at < $1",
                &[&forget_before],
            )?;
            tx.execute(
                "INSERT INTO form_tokens (token_hash, user_id, issued_at) VALUES ($1,$2,$3)",
                &[&token_hash, &user.to_string(), &at],
            )?;
            Ok(())
        })
    }

    fn claim_form_token(&self, token_hash: &str, user: UserId, at: &str) -> Result<FormClaim> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE form_tokens SET claimed_at = $3
                 WHERE token_hash = $1 AND user_id = $2 AND claimed_at IS NULL",
                &[&token_hash, &user.to_string(), &at],
            )?;
            if n == 1 {
                return Ok(FormClaim::Claimed);
            }
            let found = tx.query_opt(
                "SELECT result FROM form_tokens WHERE token_hash = $1 AND user_id = $2",
                &[&token_hash, &user.to_string()],
            )?;
            Ok(match found {
                None => FormClaim::Unknown,
                Some(r) => match r.try_get::<_, Option<String>>(0)? {
                    None => FormClaim::InFlight,
                    Some(link) => FormClaim::Done(link),
                },
            })
        })
    }

    fn settle_form_token(&self, token_hash: &str, result: Option<&str>) -> Result<()> {
        self.write(|tx| {
            match result {
                Some(link) => tx.execute(
                    "UPDATE form_tokens SET result = $2 WHERE token_hash = $1",
                    &[&token_hash, &link],
                )?,
                None => tx.execute(
                    "UPDATE form_tokens SET claimed_at = NULL WHERE token_hash = $1",
                    &[&token_hash],
                )?,
            };
            Ok(())
        })
    }

    fn administer(&self, change: Option<&AdminChange>, e: &NewAdminEntry) -> Result<AdminEntry> {
        self.write(|tx| {
            // One administrator's entry at a time: the chain has no fork.
            tx.batch_execute("LOCK TABLE admin_log IN EXCLUSIVE MODE")?;
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
                    let n = tx.execute(
                        "UPDATE api_clients SET active = $2 WHERE id = $1",
                        &[&id.to_string(), active],
                    )?;
                    if n == 0 {
                        return Err(StoreError::NotFound(format!("API client {id}")).into());
                    }
                }
                Some(AdminChange::AddProclamation(p)) => insert_proclamation(tx, p)?,
            }
            let (last, prev) = match tx.query_opt(
                "SELECT seq, hash FROM admin_log ORDER BY seq DESC LIMIT 1",
                &[],
            )? {
                Some(r) => (r.try_get::<_, i64>(0)?, r.try_get::<_, String>(1)?),
                None => (0, GENESIS_HASH.to_string()),
            };
            let seq = last + 1;
            let hash = crate::audit::admin_hash(seq, &prev, e);
            tx.execute(
                &format!("INSERT INTO admin_log ({ADMIN_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"),
                &[
                    &seq, &e.id.to_string(), &e.at, &opt_str(&e.actor), &e.actor_name, &e.action,
                    &e.target, &e.target_name, &e.details, &prev, &hash,
                ],
            )?;
            Ok(AdminEntry {
                seq,
                entry: e.clone(),
                prev_hash: prev.clone(),
                hash: hash.clone(),
            })
        })
    }

    fn admin_log(&self, q: &AdminQuery) -> Result<Vec<AdminEntry>> {
        let limit = i64::from(if q.limit == 0 { 200 } else { q.limit.min(5000) });
        self.read(|c| {
            let order = if q.after_seq.is_some() { "ASC" } else { "DESC" };
            let rs = c.query(
                &format!(
                    "SELECT {ADMIN_COLS} FROM admin_log
                     WHERE ($1::text IS NULL OR actor_id = $1) AND ($2::text IS NULL OR target = $2)
                       AND ($3::text IS NULL OR at >= $3) AND ($4::text IS NULL OR at < $4)
                       AND ($5::bigint IS NULL OR seq > $5)
                     ORDER BY seq {order} LIMIT $6"
                ),
                &[
                    &opt_str(&q.actor),
                    &q.target,
                    &q.from,
                    &q.to,
                    &q.after_seq,
                    &limit,
                ],
            )?;
            rows(rs, admin_row)
        })
    }

    fn api_client_by_token_hash(&self, token_hash: &str) -> Result<Option<ApiClientRow>> {
        self.read(|c| {
            let r = c.query_opt(
                "SELECT id, name, agency_id, token_hash, active, created_at FROM api_clients WHERE token_hash = $1",
                &[&token_hash],
            )?;
            opt_row(r, |r| {
                Ok(ApiClientRow {
                    id: id(r, 0)?,
                    name: r.try_get(1)?,
                    agency: id(r, 2)?,
                    token_hash: r.try_get(3)?,
                    active: r.try_get(4)?,
                    created_at: r.try_get(5)?,
                })
            })
        })
    }

    fn log_accesses(&self, entries: &[AccessEntry]) -> Result<()> {
        self.write(|tx| {
            let sql = format!("INSERT INTO access_log ({ACCESS_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)");
            for e in entries {
                tx.execute(
                    &sql,
                    &[
                        &e.id.to_string(), &e.at, &opt_str(&e.user), &opt_str(&e.api_client), &e.role, &e.action,
                        &opt_str(&e.child), &e.allowed, &e.reason, &e.break_glass, &e.request_id, &opt_str(&e.referral),
                        &e.subject.as_ref().map(|s| s.kind.clone()), &e.subject.as_ref().map(|s| s.id.to_string()),
                    ],
                )?;
            }
            Ok(())
        })
    }

    fn access_log(&self, q: &AccessQuery) -> Result<Vec<AccessEntry>> {
        let limit = i64::from(if q.limit == 0 { 200 } else { q.limit.min(5000) });
        self.read(|c| {
            let rs = c.query(
                &format!(
                    "SELECT {ACCESS_COLS} FROM access_log
                     WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR child_id = $2)
                       AND (NOT $3::bool OR NOT allowed) AND (NOT $4::bool OR break_glass)
                       AND ($5::text IS NULL OR at >= $5) AND ($6::text IS NULL OR at < $6)
                       AND ($8::text IS NULL OR referral_id = $8)
                       AND ($9::text IS NULL OR (subject_kind = $9 AND subject_id = $10::text))
                     ORDER BY at DESC, id DESC LIMIT $7"
                ),
                &[
                    &opt_str(&q.user), &opt_str(&q.child), &q.only_denied, &q.only_break_glass, &q.from, &q.to, &limit,
                    &opt_str(&q.referral), &q.subject.as_ref().map(|s| s.kind.clone()),
                    &q.subject.as_ref().map(|s| s.id.to_string()),
                ],
            )?;
            rows(rs, access_row)
        })
    }

    fn add_proclamation(&self, p: &ProclamationRow) -> Result<()> {
        self.write(|tx| insert_proclamation(tx, p))
    }

    fn proclamations(&self) -> Result<Vec<ProclamationRow>> {
        self.read(|c| {
            let rs = c.query(
                "SELECT date, name, replaces, added_by, added_at FROM proclamations ORDER BY date",
                &[],
            )?;
            rows(rs, |r| {
                Ok(ProclamationRow {
                    date: r.try_get(0)?,
                    name: r.try_get(1)?,
                    replaces: r.try_get(2)?,
                    added_by: opt_id(r, 3)?,
                    added_at: r.try_get(4)?,
                })
            })
        })
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            Ok(
                c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])?
                    .map(|r| r.try_get::<_, String>(0))
                    .transpose()?,
            )
        })
    }

    fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ($1,$2) ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                &[&key, &value],
            )?;
            Ok(())
        })
    }
}

const CASE_COLS: &str = "id, child_id, service, stage, local_authority, opened_at, referral_id, referral_date, lead_user, closed_on, closure_reason, updated_at";
const ACTION_COLS: &str = "case_id, action_number, child_id, plan_number, plan_kind, what, owner_user, owner_agency, owner_name, due_by, done_on";

fn referral_child_row(r: &Row) -> PgResult<ReferralChildRow> {
    Ok(ReferralChildRow {
        referral: id(r, 0)?,
        child_index: r.try_get(1)?,
        person: id(r, 2)?,
        received_at: r.try_get(3)?,
    })
}

fn case_row(r: &Row) -> PgResult<CaseRow> {
    Ok(CaseRow {
        id: id(r, 0)?,
        child: id(r, 1)?,
        service: r.try_get(2)?,
        stage: r.try_get(3)?,
        local_authority: r.try_get(4)?,
        opened_at: r.try_get(5)?,
        referral: opt_id(r, 6)?,
        referral_date: r.try_get(7)?,
        lead_user: opt_id(r, 8)?,
        closed_on: r.try_get(9)?,
        closure_reason: r.try_get(10)?,
        updated_at: r.try_get(11)?,
    })
}

fn action_row(r: &Row) -> PgResult<CaseActionRow> {
    Ok(CaseActionRow {
        case: id(r, 0)?,
        number: r.try_get(1)?,
        child: id(r, 2)?,
        plan: r.try_get(3)?,
        plan_kind: r.try_get(4)?,
        what: r.try_get(5)?,
        owner_user: opt_id(r, 6)?,
        owner_agency: opt_id(r, 7)?,
        owner_name: r.try_get(8)?,
        due_by: r.try_get(9)?,
        done_on: r.try_get(10)?,
    })
}

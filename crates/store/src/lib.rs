//! Storage for Together: one `Store` trait, two implementations (SQLite embedded by
//! default, PostgreSQL at scale — design principle 7), one contract test suite.
//!
//! The store appends events and seals them into each child's hash chain inside a
//! single write transaction; it never updates or deletes an event. Projections
//! (the `people` table, involvements) are derived from events and may be rewritten.

pub mod audit;
mod group_commit;
pub mod pg_tls;
mod pool;
pub mod postgres;
pub mod sqlite;
mod types;

pub use together_domain::process::{Owner, Subject};
pub use types::*;

/// Rows of several owners' work, each read in the tray's order, merged into that
/// order (overdue from, process id, work key; ids compared as text) and cut at `limit`.
pub(crate) fn in_tray_order(mut rows: Vec<WorkRow>, limit: u32) -> Vec<WorkRow> {
    rows.sort_by_cached_key(|w| {
        (
            w.overdue_from.clone(),
            w.process_id.to_string(),
            w.key.clone(),
        )
    });
    rows.truncate(limit as usize);
    rows
}

use std::sync::Arc;
use together_domain::event::{NewEntry, NewEvent, StoredEvent};
use together_domain::ids::{AgencyId, EventId, PersonId, TeamId, UserId};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. a username already taken).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// The database refused or failed.
    #[error("database error: {0}")]
    Backend(String),
    /// The database's driver reported an error: kept as the cause, so whoever logs it
    /// has the whole chain.
    #[error("database error: {message}")]
    Database {
        message: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl StoreError {
    /// A driver's error, with its cause kept.
    pub fn database(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError::Database {
            message: message.into(),
            source: Box::new(source),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Everything Together keeps. Implementations are synchronous and thread-safe; the
/// web layer calls them from blocking tasks.
pub trait Store: Send + Sync {
    /// Which backend, for `/healthz` and logs: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    // ---- the child's record ------------------------------------------------

    /// Append events (to one or more children's logs) and write the projections, in
    /// one transaction: all or nothing. Returns the sealed events in order.
    fn append(
        &self,
        events: &[NewEvent],
        people: &[PersonRow],
        involvements: &[Involvement],
    ) -> Result<Vec<StoredEvent>>;
    /// One child's log in order.
    fn log(&self, child: PersonId) -> Result<Vec<StoredEvent>>;
    /// Several children's logs, each in order, in the order of `children`: for reading
    /// every log (`audit verify`) without a round trip to a database server per log.
    fn logs(&self, children: &[PersonId]) -> Result<Vec<Vec<StoredEvent>>> {
        children.iter().map(|c| self.log(*c)).collect()
    }
    /// A page of one child's log in the order a chronology reads (when it happened,
    /// newest first, then newest recorded first): the `limit` entries before `before`
    /// (`effective_at`, `seq`), or the newest.
    fn log_page(
        &self,
        child: PersonId,
        before: Option<(&str, i64)>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>>;
    /// The entries of one child's log of these types, in order.
    fn log_of_types(&self, child: PersonId, types: &[&str]) -> Result<Vec<StoredEvent>>;
    /// What a page of entries needs beside itself, in order: the corrections of those
    /// entries, and the entries those that are corrections correct.
    fn log_related(&self, child: PersonId, entries: &[EventId]) -> Result<Vec<StoredEvent>>;
    /// How many entries one child's log holds.
    fn log_len(&self, child: PersonId) -> Result<i64>;
    /// A number that changes whenever any event is appended (and only then): for
    /// keeping figures worked out from the logs while nothing has changed.
    fn events_version(&self) -> Result<i64>;
    /// One event by id.
    fn event(&self, id: EventId) -> Result<Option<StoredEvent>>;
    /// Every child with a log, and the head (last seq, last hash) the store holds for it.
    fn log_heads(&self) -> Result<Vec<LogHead>>;
    /// A person from the projection.
    fn person(&self, id: PersonId) -> Result<Option<PersonRow>>;
    /// Children (born and unborn) in the projection, filtered, newest first.
    fn children(&self, q: &ChildQuery) -> Result<Vec<PersonRow>>;
    /// Children `user` is involved with (of any kind, or of `kind`), newest first.
    fn children_involving(&self, user: UserId, kind: Option<&str>) -> Result<Vec<PersonRow>>;
    /// How `user` stands to `child` (referrer, participant, allocated, granted).
    fn involvements(&self, child: PersonId, user: UserId) -> Result<Vec<Involvement>>;

    // ---- the front door --------------------------------------------------------

    /// Append entries to a referral's log (and to children's logs, if any) and replace
    /// the referral's projection (its open work in the work table), in one transaction.
    fn append_referral(
        &self,
        entries: &[NewEntry],
        projection: &ReferralProjection,
    ) -> Result<Vec<StoredEvent>>;
    fn referral(&self, id: uuid::Uuid) -> Result<Option<ReferralRow>>;
    /// The referral an agency system already sent with this idempotency key.
    fn referral_by_idempotency_key(
        &self,
        client: uuid::Uuid,
        key: &str,
    ) -> Result<Option<ReferralRow>>;
    /// Referrals, newest first.
    fn referrals(&self, q: &ReferralQuery) -> Result<Vec<ReferralRow>>;
    /// Every referral a person has been linked to, newest first.
    fn referrals_of_person(&self, person: PersonId) -> Result<Vec<ReferralChildRow>>;
    /// The children of referrals received in `[from, to)` (UTC timestamps), oldest
    /// first: for the returns and the dashboards.
    fn referral_children_between(&self, from: &str, to: &str) -> Result<Vec<ReferralChildRow>>;
    /// Children (born and unborn) with their households, in id order after `after`,
    /// for building the matching index.
    fn matchable_children(
        &self,
        after: Option<PersonId>,
        limit: u32,
    ) -> Result<Vec<MatchablePerson>>;

    // ---- cases: help for children and families -------------------------------

    /// Append entries to a case's log (and to others', if any) and replace the case's
    /// projection: row, open work (in the work table) and plan actions, in one
    /// transaction.
    fn append_case(
        &self,
        entries: &[NewEntry],
        projection: &CaseProjection,
    ) -> Result<Vec<StoredEvent>>;
    fn case(&self, id: uuid::Uuid) -> Result<Option<CaseRow>>;
    /// A child's cases, newest first.
    fn cases_of_child(&self, child: PersonId) -> Result<Vec<CaseRow>>;
    /// Cases open at any time in `[from, to]` (dates): referred on or before `to` and
    /// not closed before `from`. For the returns and the dashboards.
    fn cases_between(&self, from: &str, to: &str) -> Result<Vec<CaseRow>>;
    /// Open cases `user` is lead practitioner of, newest first.
    fn open_cases_led_by(&self, user: UserId) -> Result<Vec<CaseRow>>;
    /// Plan actions, soonest due first.
    fn case_actions(&self, q: &CaseActionQuery) -> Result<Vec<CaseActionRow>>;

    // ---- the process kernel: any process, its subjects, the one work table --------

    /// Append entries to a process's log (and to others', if any) and replace its
    /// projection (row, subjects and open work), in one transaction. Every process
    /// without a table of its own is kept this way: a new process adds no method here.
    fn append_process(
        &self,
        entries: &[NewEntry],
        projection: &ProcessProjection,
    ) -> Result<Vec<StoredEvent>>;
    /// One process by kind and id, with its subjects.
    fn process(&self, kind: &str, id: uuid::Uuid) -> Result<Option<ProcessRow>>;
    /// Processes, most recently changed first, with their subjects.
    fn processes(&self, q: &ProcessQuery) -> Result<Vec<ProcessRow>>;
    /// Open work of every process for a tray: each owner's, soonest overdue first
    /// (then by process id and work key), from `q.after` on.
    fn work(&self, q: &TrayQuery) -> Result<Vec<WorkRow>>;
    /// How much work `q` selects (ignoring its `after` and `limit`), and how much of it
    /// is overdue by `now` (overdue from at or before it); each owner's count stops at
    /// `cap`, so it costs no more however much is waiting.
    fn count_work(&self, q: &TrayQuery, now: &str, cap: u64) -> Result<WorkCount>;

    // ---- partnership, agencies, teams, users ----------------------------------

    fn put_agency(&self, a: &AgencyRow) -> Result<()>;
    fn agencies(&self) -> Result<Vec<AgencyRow>>;
    fn agency(&self, id: AgencyId) -> Result<Option<AgencyRow>>;
    fn put_team(&self, t: &TeamRow) -> Result<()>;
    fn teams(&self) -> Result<Vec<TeamRow>>;
    fn team(&self, id: TeamId) -> Result<Option<TeamRow>>;
    /// Create a user; `Conflict` if the username is taken.
    fn create_user(&self, u: &UserRow) -> Result<()>;
    fn update_user(&self, u: &UserRow) -> Result<()>;
    fn user(&self, id: UserId) -> Result<Option<UserRow>>;
    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>>;
    fn users(&self) -> Result<Vec<UserRow>>;

    // ---- sessions, login throttling, API clients ------------------------------

    fn create_session(&self, s: &SessionRow) -> Result<()>;
    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>>;
    fn touch_session(&self, token_hash: &str, last_seen_at: &str) -> Result<()>;
    fn delete_session(&self, token_hash: &str) -> Result<()>;
    fn delete_sessions_of(&self, user: UserId) -> Result<()>;
    fn record_login_attempt(&self, a: &LoginAttempt) -> Result<()>;
    /// Mark a recorded failure as refused unchecked (it had to wait): it does not count
    /// towards the next wait, so waiting as long as told is enough.
    fn mark_login_attempt_throttled(&self, a: &LoginAttempt) -> Result<()>;
    /// Forget failed sign-ins before `failures_before` and successful ones before
    /// `successes_before`: the throttle reads only its window (and, to know a user's
    /// usual addresses, recent successes), and the table must not grow without bound.
    fn forget_login_attempts_before(
        &self,
        failures_before: &str,
        successes_before: &str,
    ) -> Result<()>;
    /// Failed sign-ins naming `username` since `since`: from `client`, and from anywhere.
    fn login_failures(&self, username: &str, client: &str, since: &str) -> Result<LoginFailures>;
    fn create_api_client(&self, c: &ApiClientRow) -> Result<()>;
    fn api_client_by_token_hash(&self, token_hash: &str) -> Result<Option<ApiClientRow>>;
    /// Every API client, oldest first.
    fn api_clients(&self) -> Result<Vec<ApiClientRow>>;

    // ---- one-time form tokens (issue 18) ------------------------------------------

    /// Give `user` a token (its hash) for a form that creates; forget tokens issued
    /// before `forget_before`.
    fn issue_form_token(
        &self,
        token_hash: &str,
        user: UserId,
        at: &str,
        forget_before: &str,
    ) -> Result<()>;
    /// Claim a token as the form is sent: only the first send gets `Claimed`.
    fn claim_form_token(&self, token_hash: &str, user: UserId, at: &str) -> Result<FormClaim>;
    /// Settle a claimed token: `Some(link)` to what was made; `None` to free it again
    /// (nothing was made: the form came back with errors).
    fn settle_form_token(&self, token_hash: &str, result: Option<&str>) -> Result<()>;

    // ---- the administration log (append-only, hash-chained; issue 18) ---------

    /// Make an administrative change (or none, for an action with nothing to store)
    /// and append its entry to the administration log, chained to the entry before by
    /// hash, in one transaction.
    fn administer(&self, change: Option<&AdminChange>, entry: &NewAdminEntry)
        -> Result<AdminEntry>;
    /// The administration log, newest first (or, with `after_seq`, oldest first from there).
    fn admin_log(&self, q: &AdminQuery) -> Result<Vec<AdminEntry>>;

    // ---- the access log (append-only) -----------------------------------------

    fn log_access(&self, e: &AccessEntry) -> Result<()> {
        self.log_accesses(std::slice::from_ref(e))
    }
    /// Several entries in one transaction: all or none (a page that lists children
    /// logs one entry for each child it names — issue 18).
    fn log_accesses(&self, entries: &[AccessEntry]) -> Result<()>;
    fn access_log(&self, q: &AccessQuery) -> Result<Vec<AccessEntry>>;

    // ---- calendar and settings ------------------------------------------------

    fn add_proclamation(&self, p: &ProclamationRow) -> Result<()>;
    fn proclamations(&self) -> Result<Vec<ProclamationRow>>;
    fn setting(&self, key: &str) -> Result<Option<String>>;
    fn put_setting(&self, key: &str, value: &str) -> Result<()>;
}

/// Open a store from `--database`: a `postgres://` or `postgresql://` URL, or a
/// path to a SQLite file (created if missing). Migrations are applied.
pub fn open(database: &str) -> Result<Arc<dyn Store>> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        postgres::open(database)
    } else {
        Ok(Arc::new(sqlite::SqliteStore::open(database)?))
    }
}

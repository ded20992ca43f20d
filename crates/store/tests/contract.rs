//! The storage contract: one suite, run against both backends.
//!
//! Every test is a plain function over `&dyn Store` (and, for the tests that go
//! behind the store's back, a `&dyn RawDb` that reaches the database directly). The
//! `contract_tests!` macro instantiates each one for SQLite (a fresh file per test)
//! and for PostgreSQL (a fresh schema per test in the database named by
//! `TOGETHER_TEST_POSTGRES_URL`; skipped when that is unset unless
//! `TOGETHER_REQUIRE_POSTGRES=1`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashSet;
use std::sync::Arc;
use together_domain::event::{sha256_hex, EventBody, NewEvent, StoredEvent, GENESIS_HASH};
use together_domain::ids::{AgencyId, EventId, PersonId, TeamId, UserId};
use together_domain::person::{PersonDetails, PersonKind, Sex};
use together_domain::role::Role;
use together_store::audit::{verify_all, VerifyError, VerifyReport};
use together_store::*;

// ---- reaching the database directly ------------------------------------------------

/// What the tamper and append-only tests need beyond the `Store` trait: a separate,
/// raw connection to the same database.
pub trait RawDb: Sync {
    /// Run SQL on a fresh connection, as an attacker or a careless administrator with
    /// database access would. Returns the database's refusal, if any.
    fn exec(&self, sql: &str) -> std::result::Result<(), String>;
    /// Run SQL with the append-only triggers out of the way.
    fn exec_bypassing_triggers(&self, sql: &str);
    /// The single integer a query returns.
    fn count(&self, sql: &str) -> i64;
    /// Open the same database again through `together_store::open` (migrations run again).
    fn reopen(&self) -> Arc<dyn Store>;
    /// Cut the store's connections from the server side, as a database restart or
    /// failover would. False if the backend has no such thing.
    fn drop_connections(&self) -> bool;
}

// ---- SQLite ----------------------------------------------------------------------

pub struct SqliteDb {
    _dir: tempfile::TempDir,
    path: String,
    store: Arc<dyn Store>,
}

pub fn sqlite_db() -> Option<SqliteDb> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir
        .path()
        .join("together.db")
        .to_str()
        .expect("utf-8 path")
        .to_string();
    let store = together_store::open(&path).expect("open sqlite store");
    Some(SqliteDb {
        _dir: dir,
        path,
        store,
    })
}

impl SqliteDb {
    fn store(&self) -> &dyn Store {
        &*self.store
    }

    fn conn(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(&self.path).expect("raw sqlite connection");
        c.busy_timeout(std::time::Duration::from_secs(30))
            .expect("busy timeout");
        c
    }
}

impl RawDb for SqliteDb {
    fn exec(&self, sql: &str) -> std::result::Result<(), String> {
        self.conn().execute_batch(sql).map_err(|e| e.to_string())
    }

    fn exec_bypassing_triggers(&self, sql: &str) {
        // An attacker with the file simply drops the triggers.
        self.conn()
            .execute_batch(&format!(
                "BEGIN;
                 DROP TRIGGER IF EXISTS events_no_update;
                 DROP TRIGGER IF EXISTS events_no_delete;
                 {sql};
                 COMMIT;"
            ))
            .expect("tamper with sqlite");
    }

    fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).expect("count")
    }

    fn reopen(&self) -> Arc<dyn Store> {
        together_store::open(&self.path).expect("reopen sqlite store")
    }

    fn drop_connections(&self) -> bool {
        false
    }
}

// ---- PostgreSQL --------------------------------------------------------------------

pub struct PgDb {
    admin_url: String,
    url: String,
    schema: String,
    store: Option<Arc<dyn Store>>,
}

/// A store in a fresh schema of the test database, or `None` (with a note) when no
/// database is configured.
pub fn postgres_db() -> Option<PgDb> {
    let admin_url = match std::env::var("TOGETHER_TEST_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            if std::env::var("TOGETHER_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("TOGETHER_REQUIRE_POSTGRES=1 but TOGETHER_TEST_POSTGRES_URL is not set");
            }
            eprintln!(
                "skipping: set TOGETHER_TEST_POSTGRES_URL to run the PostgreSQL contract tests"
            );
            return None;
        }
    };
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = ::postgres::Client::connect(&admin_url, ::postgres::NoTls)
        .expect("connect to TOGETHER_TEST_POSTGRES_URL");
    // The schema name is generated above (hex only), not user data.
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create test schema");
    // tokio-postgres percent-decodes URL parameters: %20 is a space, %3D an '='.
    let sep = if admin_url.contains('?') { '&' } else { '?' };
    // The application_name lets a test find (and cut) its own store's connections.
    let url =
        format!("{admin_url}{sep}options=-c%20search_path%3D{schema}&application_name={schema}");
    let store = together_store::open(&url).expect("open postgres store");
    Some(PgDb {
        admin_url,
        url,
        schema,
        store: Some(store),
    })
}

impl PgDb {
    fn store(&self) -> &dyn Store {
        &**self.store.as_ref().expect("store open until drop")
    }

    fn conn(&self) -> ::postgres::Client {
        ::postgres::Client::connect(&self.url, ::postgres::NoTls).expect("raw postgres connection")
    }
}

impl RawDb for PgDb {
    fn exec(&self, sql: &str) -> std::result::Result<(), String> {
        self.conn()
            .batch_execute(sql)
            .map_err(|e| match e.as_db_error() {
                Some(db) => db.message().to_string(),
                None => e.to_string(),
            })
    }

    fn exec_bypassing_triggers(&self, sql: &str) {
        // The table owner can switch its triggers off; a superuser can also set
        // session_replication_role = replica. Either way the store must notice.
        self.conn()
            .batch_execute(&format!(
                "BEGIN;
                 ALTER TABLE events DISABLE TRIGGER USER;
                 {sql};
                 ALTER TABLE events ENABLE TRIGGER USER;
                 COMMIT;"
            ))
            .expect("tamper with postgres");
    }

    fn count(&self, sql: &str) -> i64 {
        self.conn().query_one(sql, &[]).expect("count").get(0)
    }

    fn reopen(&self) -> Arc<dyn Store> {
        together_store::open(&self.url).expect("reopen postgres store")
    }

    fn drop_connections(&self) -> bool {
        // Only this test's store: its connections carry the schema as application_name.
        let n = self.count(&format!(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE application_name = '{}' AND pid <> pg_backend_pid()",
            self.schema
        ));
        assert!(n > 0, "no connections to drop");
        // Wait until they are gone, so the store meets a dead connection rather than
        // one that dies half way through a transaction.
        for _ in 0..500 {
            let left = self.count(&format!(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '{}' AND pid <> pg_backend_pid()",
                self.schema
            ));
            if left == 0 {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("terminated connections did not go away");
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        // Close the store's connections, then drop the schema (best effort).
        self.store.take();
        if let Ok(mut admin) = ::postgres::Client::connect(&self.admin_url, ::postgres::NoTls) {
            if let Err(e) =
                admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema))
            {
                eprintln!("could not drop test schema {}: {e}", self.schema);
            }
        }
    }
}

// ---- instantiating the suite -----------------------------------------------------------

macro_rules! contract_tests {
    ($backend:ident, $open:path, store: [$($test:ident),* $(,)?], raw: [$($raw_test:ident),* $(,)?]) => {
        mod $backend {
            $(
                #[test]
                fn $test() {
                    if let Some(db) = $open() {
                        assert_eq!(db.store().backend(), stringify!($backend));
                        super::$test(db.store());
                    }
                }
            )*
            $(
                #[test]
                fn $raw_test() {
                    if let Some(db) = $open() {
                        assert_eq!(db.store().backend(), stringify!($backend));
                        super::$raw_test(db.store(), &db);
                    }
                }
            )*
        }
    };
}

macro_rules! all_backends {
    ($($backend:ident => $open:path),* $(,)?) => {
        $(
            contract_tests!($backend, $open,
                store: [
                    reports_its_backend,
                    appends_to_one_log_as_a_chain,
                    appends_to_two_logs_in_one_call,
                    an_append_is_all_or_nothing,
                    reads_events_by_id_and_logs_in_order,
                    upserts_people_and_lists_children,
                    records_involvements,
                    keeps_agencies_and_teams,
                    keeps_users,
                    keeps_sessions,
                    counts_failed_logins,
                    chains_the_administration_log_with_its_changes,
                    a_form_token_is_claimed_once,
                    keeps_api_clients,
                    searches_the_access_log,
                    writes_a_list_of_access_entries_all_or_none,
                    keeps_proclamations,
                    keeps_settings,
                    concurrent_appends_lose_and_duplicate_nothing,
                    a_failed_append_among_concurrent_ones_undoes_only_itself,
                    reads_a_log_a_page_at_a_time,
                    the_events_version_moves_only_with_appends,
                    keeps_a_referral_log_and_replaces_its_projection,
                    an_agency_systems_idempotency_key_is_unique,
                    orders_the_trays_by_when_work_is_overdue,
                    keeps_urgent_work_and_urgent_referrals,
                    pages_a_tray_and_counts_what_is_overdue,
                    lists_referrals_by_who_sent_them_and_by_child,
                    lists_matchable_children_with_their_households,
                    keeps_a_case_log_its_trays_and_actions,
                    keeps_any_process_its_subjects_and_its_work,
                    one_tray_holds_every_kind_of_work_for_every_kind_of_owner,
                    the_access_log_is_searched_by_subject,
                ],
                raw: [
                    the_database_refuses_to_change_events,
                    the_database_refuses_to_change_the_access_log,
                    the_administration_log_is_append_only_and_tampering_is_named,
                    one_changed_byte_of_a_payload_is_named,
                    a_changed_header_field_is_named,
                    a_rewritten_payload_and_payload_hash_is_named,
                    a_deleted_last_event_is_caught_by_the_head,
                    a_deleted_middle_event_is_caught,
                    reopening_and_concurrent_opens_are_safe,
                    survives_lost_connections,
                    a_statement_kept_prepared_survives_a_schema_change,
                ]
            );
        )*
    };
}

all_backends!(sqlite => super::sqlite_db, postgres => super::postgres_db);

// ---- test data -------------------------------------------------------------------------

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn ts(minutes: i64) -> String {
    together_domain::event::format_timestamp(t(minutes))
}

fn details(given: &str, family: &str) -> PersonDetails {
    PersonDetails {
        upn: None,
        kind: PersonKind::Child,
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(2019, 4, 2),
        expected_date_of_delivery: None,
        sex: Sex::Female,
        nhs_number: None,
        postcode: None,
        ethnicity: None,
        disabilities: Vec::new(),
    }
}

fn event(child: PersonId, body: EventBody) -> NewEvent {
    NewEvent {
        id: EventId::new_random(),
        child,
        body,
        effective_at: t(0),
        recorded_at: t(1),
        actor: UserId::new_random(),
        actor_agency: AgencyId::new_random(),
        actor_role: Role::SocialWorker,
        profile_version: "national@2026.1".into(),
    }
}

fn opened(child: PersonId) -> NewEvent {
    event(
        child,
        EventBody::ChildRecordOpened {
            child: details("Ada", "Example"),
        },
    )
}

fn note(child: PersonId, text: &str) -> NewEvent {
    event(
        child,
        EventBody::CaseNoteRecorded {
            title: "Visit".into(),
            text: text.into(),
            shared_with_partners: false,
        },
    )
}

fn person(id: PersonId, kind: &str, given: &str, family: &str, created: i64) -> PersonRow {
    PersonRow {
        id,
        kind: kind.into(),
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: Some("2019-04-02".into()),
        expected_date_of_delivery: None,
        sex: "female".into(),
        nhs_number: None,
        upn: None,
        postcode: Some("SS1 1AA".into()),
        restricted: false,
        created_at: ts(created),
        updated_at: ts(created),
    }
}

fn agency(s: &dyn Store, name: &str) -> AgencyId {
    let id = AgencyId::new_random();
    s.put_agency(&AgencyRow {
        id,
        name: name.into(),
        kind: "childrens-social-care".into(),
    })
    .unwrap();
    id
}

fn user_row(agency: AgencyId, username: &str, display: &str) -> UserRow {
    UserRow {
        id: UserId::new_random(),
        username: username.into(),
        display_name: display.into(),
        role: "social-worker".into(),
        agency,
        team: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        active: true,
        created_at: ts(0),
        must_change_password: false,
    }
}

fn user(s: &dyn Store, username: &str) -> UserId {
    let a = agency(s, "Agency");
    let u = user_row(a, username, username);
    s.create_user(&u).unwrap();
    u.id
}

/// Assert that a log is a well-formed chain numbered from 1.
fn assert_chain(log: &[StoredEvent]) {
    let mut prev = GENESIS_HASH.to_string();
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1, "seq numbering");
        assert_eq!(e.prev_hash, prev, "prev_hash of #{}", e.seq);
        assert_eq!(e.hash, e.expected_hash(), "hash of #{}", e.seq);
        prev = e.hash.clone();
    }
}

fn head(s: &dyn Store, child: PersonId) -> Option<LogHead> {
    s.log_heads()
        .unwrap()
        .into_iter()
        .find(|h| h.child == child)
}

fn broken(s: &dyn Store) -> together_domain::event::ChainBreak {
    match verify_all(s) {
        Err(VerifyError::Broken(b)) => b,
        Err(VerifyError::Store(e)) => panic!("verify could not read the store: {e}"),
        Ok(r) => panic!("tampering not detected: {r:?}"),
    }
}

/// Three events for one child and two for another; returns (child a, its log, child b).
fn seed_two_logs(s: &dyn Store) -> (PersonId, Vec<StoredEvent>, PersonId) {
    let a = PersonId::new_random();
    let b = PersonId::new_random();
    s.append(
        &[
            opened(a),
            note(a, "Seen at home"),
            note(a, "Seen at school"),
        ],
        &[person(a, "child", "Ada", "Example", 0)],
        &[],
    )
    .unwrap();
    s.append(
        &[opened(b), note(b, "Seen at nursery")],
        &[person(b, "child", "Bo", "Example", 1)],
        &[],
    )
    .unwrap();
    assert_eq!(verify_all(s).unwrap(), VerifyReport { logs: 2, events: 5 });
    (a, s.log(a).unwrap(), b)
}

// ---- the child's record -------------------------------------------------------------------

fn reports_its_backend(s: &dyn Store) {
    assert!(["sqlite", "postgres"].contains(&s.backend()));
}

fn appends_to_one_log_as_a_chain(s: &dyn Store) {
    let c = PersonId::new_random();
    let first = s
        .append(
            &[opened(c), note(c, "one"), note(c, "two")],
            &[person(c, "child", "Ada", "Example", 0)],
            &[],
        )
        .unwrap();
    assert_eq!(first.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(first[0].prev_hash, GENESIS_HASH);
    let second = s
        .append(&[note(c, "three"), note(c, "four")], &[], &[])
        .unwrap();
    assert_eq!(second.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5]);
    assert_eq!(second[0].prev_hash, first[2].hash);

    let log = s.log(c).unwrap();
    assert_eq!(
        log,
        [first, second.clone()].concat(),
        "the store returns what it sealed"
    );
    assert_chain(&log);
    assert_eq!(
        head(s, c),
        Some(LogHead {
            child: c,
            last_seq: 5,
            last_hash: second[1].hash.clone()
        })
    );
    assert_eq!(verify_all(s).unwrap(), VerifyReport { logs: 1, events: 5 });
}

fn appends_to_two_logs_in_one_call(s: &dyn Store) {
    let a = PersonId::new_random();
    let b = PersonId::new_random();
    s.append(&[opened(a)], &[], &[]).unwrap();
    let sealed = s
        .append(
            &[note(a, "a2"), opened(b), note(a, "a3"), note(b, "b2")],
            &[],
            &[],
        )
        .unwrap();
    assert_eq!(
        sealed.iter().map(|e| (e.child, e.seq)).collect::<Vec<_>>(),
        [(a, 2), (b, 1), (a, 3), (b, 2)]
    );
    assert_eq!(sealed[2].prev_hash, sealed[0].hash);
    assert_eq!(sealed[1].prev_hash, GENESIS_HASH);
    assert_eq!(sealed[3].prev_hash, sealed[1].hash);
    let (la, lb) = (s.log(a).unwrap(), s.log(b).unwrap());
    assert_eq!(la.len(), 3);
    assert_eq!(lb.len(), 2);
    assert_chain(&la);
    assert_chain(&lb);
    assert_eq!(head(s, a).unwrap().last_hash, sealed[2].hash);
    assert_eq!(head(s, b).unwrap().last_hash, sealed[3].hash);
    assert_eq!(verify_all(s).unwrap(), VerifyReport { logs: 2, events: 5 });
}

fn an_append_is_all_or_nothing(s: &dyn Store) {
    let a = PersonId::new_random();
    let existing = s
        .append(
            &[opened(a)],
            &[person(a, "child", "Ada", "Example", 0)],
            &[],
        )
        .unwrap();
    let head_before = head(s, a).unwrap();
    let u = user(s, "worker");

    // The second event reuses the id of a stored event: the whole append must fail.
    let b = PersonId::new_random();
    let fresh = note(a, "should not be kept");
    let mut dup = opened(b);
    dup.id = existing[0].id;
    let involvement = Involvement {
        child: b,
        user: u,
        kind: "referrer".into(),
        since: ts(5),
    };
    let mut renamed = person(a, "child", "Renamed", "Example", 0);
    renamed.updated_at = ts(9);
    let err = s
        .append(
            &[fresh.clone(), dup],
            &[renamed, person(b, "child", "Bo", "Example", 1)],
            &[involvement],
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "a duplicate event id is a conflict: {err:?}"
    );

    assert_eq!(s.event(fresh.id).unwrap(), None, "no event written");
    assert_eq!(s.log(a).unwrap(), existing, "the log is unchanged");
    assert_eq!(head(s, a), Some(head_before), "the head is unchanged");
    assert_eq!(head(s, b), None, "no head for the new log");
    assert!(s.log(b).unwrap().is_empty());
    assert_eq!(s.person(b).unwrap(), None, "no people row");
    assert_eq!(
        s.person(a).unwrap().unwrap().given_name,
        "Ada",
        "people rows are not updated"
    );
    assert!(s.involvements(b, u).unwrap().is_empty(), "no involvement");

    // A duplicate within one call fails the same way.
    let one = note(a, "x");
    let err = s.append(&[one.clone(), one.clone()], &[], &[]).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(s.event(one.id).unwrap(), None);

    // A failed involvement (unknown user) undoes the events before it.
    let later = note(a, "y");
    let bad = Involvement {
        child: a,
        user: UserId::new_random(),
        kind: "allocated".into(),
        since: ts(6),
    };
    assert!(s.append(std::slice::from_ref(&later), &[], &[bad]).is_err());
    assert_eq!(s.event(later.id).unwrap(), None);
    assert_eq!(s.log(a).unwrap().len(), 1);

    // And the store still appends afterwards.
    let ok = s.append(&[note(a, "z")], &[], &[]).unwrap();
    assert_eq!(ok[0].seq, 2);
    assert_eq!(verify_all(s).unwrap(), VerifyReport { logs: 1, events: 2 });
}

fn reads_events_by_id_and_logs_in_order(s: &dyn Store) {
    let c = PersonId::new_random();
    let mut evs: Vec<NewEvent> = vec![opened(c)];
    for i in 0..11 {
        evs.push(note(c, &format!("note {i}")));
    }
    // One event per call, so the log order comes from seq, not insertion batches.
    let mut sealed = Vec::new();
    for e in &evs {
        sealed.extend(s.append(std::slice::from_ref(e), &[], &[]).unwrap());
    }
    let log = s.log(c).unwrap();
    assert_eq!(
        log.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<i64>>()
    );
    assert_eq!(log, sealed);
    for e in &sealed {
        assert_eq!(s.event(e.id).unwrap().as_ref(), Some(e));
    }
    assert_eq!(s.event(EventId::new_random()).unwrap(), None);
    assert!(s.log(PersonId::new_random()).unwrap().is_empty());
    // Several logs in one read, in the order asked for, an unknown child's empty.
    let (a, b) = (PersonId::new_random(), PersonId::new_random());
    s.append(&[opened(b), note(b, "Seen at nursery")], &[], &[])
        .unwrap();
    s.append(&[opened(a), note(a, "Seen at home")], &[], &[])
        .unwrap();
    let a_log = s.log(a).unwrap();
    assert_eq!(a_log.len(), 2);
    let nobody = PersonId::new_random();
    assert_eq!(
        s.logs(&[b, nobody, c, a]).unwrap(),
        vec![s.log(b).unwrap(), Vec::new(), log.clone(), a_log]
    );
    assert!(s.logs(&[]).unwrap().is_empty());

    // Payloads round-trip to the same body.
    let body = log[3].body().unwrap().unwrap();
    assert_eq!(body, evs[3].body);
    // A correction records what it corrects.
    let fix = event(
        c,
        EventBody::EntryCorrected {
            corrects: log[3].id,
            reason: "typo".into(),
            replacement: Box::new(EventBody::CaseNoteRecorded {
                title: "Visit".into(),
                text: "fixed".into(),
                shared_with_partners: false,
            }),
        },
    );
    let stored = s.append(&[fix], &[], &[]).unwrap();
    assert_eq!(
        s.event(stored[0].id).unwrap().unwrap().corrects,
        Some(log[3].id)
    );
}

fn upserts_people_and_lists_children(s: &dyn Store) {
    let ada = PersonId::new_random();
    let bo = PersonId::new_random();
    let unborn = PersonId::new_random();
    let mum = PersonId::new_random();
    s.append(
        &[opened(ada), opened(bo), opened(unborn)],
        &[
            person(ada, "child", "Ada", "Lovelace", 0),
            person(bo, "child", "Bo", "Example", 10),
            PersonRow {
                expected_date_of_delivery: Some("2027-01-01".into()),
                date_of_birth: None,
                ..person(unborn, "unborn-child", "Unborn", "Example", 20)
            },
            person(mum, "parent", "Mary", "Example", 30),
        ],
        &[],
    )
    .unwrap();
    assert_eq!(s.person(mum).unwrap().unwrap().kind, "parent");
    assert_eq!(s.person(PersonId::new_random()).unwrap(), None);

    // Newest first; parents are not children.
    let all = s.children(&ChildQuery::default()).unwrap();
    assert_eq!(
        all.iter().map(|p| p.id).collect::<Vec<_>>(),
        [unborn, bo, ada]
    );
    assert_eq!(
        all[0].expected_date_of_delivery.as_deref(),
        Some("2027-01-01")
    );

    let q = |name: &str| {
        s.children(&ChildQuery {
            name: Some(name.into()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(q("love"), [ada]);
    assert_eq!(q("ADA"), [ada]);
    assert_eq!(q("ada lovelace"), [ada], "full name");
    assert_eq!(q("example"), [unborn, bo], "family name, children only");
    assert_eq!(q("mary"), Vec::<PersonId>::new());
    assert_eq!(
        q("%"),
        [unborn, bo, ada],
        "wildcards are ignored, not interpreted"
    );
    assert_eq!(
        q("a_a"),
        Vec::<PersonId>::new(),
        "an underscore is not a wildcard"
    );

    let page = |limit, offset| {
        s.children(&ChildQuery {
            name: None,
            limit,
            offset,
        })
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(page(2, 0), [unborn, bo]);
    assert_eq!(page(2, 2), [ada]);
    assert_eq!(page(1, 1), [bo]);
    assert!(page(5, 3).is_empty());

    // A later append rewrites the projection but keeps when the person was created.
    let mut renamed = person(ada, "child", "Adah", "Lovelace", 50);
    renamed.restricted = true;
    renamed.nhs_number = Some("9434765919".into());
    s.append(&[note(ada, "renamed")], &[renamed], &[]).unwrap();
    let now = s.person(ada).unwrap().unwrap();
    assert_eq!(now.given_name, "Adah");
    assert!(now.restricted);
    assert_eq!(now.nhs_number.as_deref(), Some("9434765919"));
    assert_eq!(now.created_at, ts(0), "created_at is kept");
    assert_eq!(now.updated_at, ts(50));

    // People can be written without events too (family members).
    let dad = PersonId::new_random();
    s.append(&[], &[person(dad, "parent", "Dan", "Example", 60)], &[])
        .unwrap();
    assert_eq!(s.person(dad).unwrap().unwrap().given_name, "Dan");
}

fn records_involvements(s: &dyn Store) {
    let c = PersonId::new_random();
    let u = user(s, "sw1");
    let other = user(s, "sw2");
    let inv = |kind: &str, at| Involvement {
        child: c,
        user: u,
        kind: kind.into(),
        since: ts(at),
    };
    s.append(
        &[opened(c)],
        &[person(c, "child", "Ada", "Example", 0)],
        &[inv("referrer", 0), inv("allocated", 1)],
    )
    .unwrap();
    // The same involvement again is ignored (the first `since` stays).
    s.append(
        &[note(c, "n")],
        &[],
        &[inv("allocated", 5), inv("granted", 6)],
    )
    .unwrap();
    assert_eq!(
        s.involvements(c, u).unwrap(),
        [inv("allocated", 1), inv("granted", 6), inv("referrer", 0)]
    );
    assert!(s.involvements(c, other).unwrap().is_empty());
    assert!(s
        .involvements(PersonId::new_random(), u)
        .unwrap()
        .is_empty());
    // The children a user is involved with, of any kind or of one kind; each child once.
    let mine = s.children_involving(u, None).unwrap();
    assert_eq!(mine.iter().map(|p| p.id).collect::<Vec<_>>(), [c]);
    assert_eq!(s.children_involving(u, Some("allocated")).unwrap().len(), 1);
    assert!(s
        .children_involving(u, Some("participant"))
        .unwrap()
        .is_empty());
    assert!(s.children_involving(other, None).unwrap().is_empty());
}

// ---- partnership, agencies, teams, users -------------------------------------------------------

fn keeps_agencies_and_teams(s: &dyn Store) {
    let police = AgencyId::new_random();
    let csc = AgencyId::new_random();
    s.put_agency(&AgencyRow {
        id: police,
        name: "Police".into(),
        kind: "police".into(),
    })
    .unwrap();
    s.put_agency(&AgencyRow {
        id: csc,
        name: "Children's Services".into(),
        kind: "childrens-social-care".into(),
    })
    .unwrap();
    s.put_agency(&AgencyRow {
        id: police,
        name: "Essex Police".into(),
        kind: "police".into(),
    })
    .unwrap();
    assert_eq!(
        s.agencies()
            .unwrap()
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["Children's Services", "Essex Police"]
    );
    assert_eq!(s.agency(police).unwrap().unwrap().name, "Essex Police");
    assert_eq!(s.agency(AgencyId::new_random()).unwrap(), None);

    let t1 = TeamRow {
        id: TeamId::new_random(),
        agency: csc,
        name: "Front Door".into(),
    };
    let t2 = TeamRow {
        id: TeamId::new_random(),
        agency: csc,
        name: "Assessment".into(),
    };
    s.put_team(&t1).unwrap();
    s.put_team(&t2).unwrap();
    let t1b = TeamRow {
        name: "MASH".into(),
        ..t1.clone()
    };
    s.put_team(&t1b).unwrap();
    assert_eq!(s.teams().unwrap(), [t2.clone(), t1b.clone()]);
    assert_eq!(s.team(t1.id).unwrap(), Some(t1b));
    assert_eq!(s.team(TeamId::new_random()).unwrap(), None);
    // A team of an unknown agency is refused.
    assert!(s
        .put_team(&TeamRow {
            id: TeamId::new_random(),
            agency: AgencyId::new_random(),
            name: "x".into()
        })
        .is_err());
}

fn keeps_users(s: &dyn Store) {
    let a = agency(s, "Agency");
    let team = TeamRow {
        id: TeamId::new_random(),
        agency: a,
        name: "Team".into(),
    };
    s.put_team(&team).unwrap();
    let mut alice = user_row(a, "alice", "Alice Smith");
    alice.team = Some(team.id);
    s.create_user(&alice).unwrap();
    let bob = user_row(a, "bob", "Bob Jones");
    s.create_user(&bob).unwrap();

    // A username is taken once.
    let again = user_row(a, "alice", "Another Alice");
    assert!(matches!(
        s.create_user(&again),
        Err(StoreError::Conflict(_))
    ));
    // An id is taken once.
    let same_id = UserRow {
        username: "carol".into(),
        ..bob.clone()
    };
    assert!(matches!(
        s.create_user(&same_id),
        Err(StoreError::Conflict(_))
    ));

    assert_eq!(s.user(alice.id).unwrap(), Some(alice.clone()));
    assert_eq!(s.user_by_username("alice").unwrap(), Some(alice.clone()));
    assert_eq!(
        s.user_by_username("Alice").unwrap(),
        None,
        "usernames match exactly"
    );
    assert_eq!(s.user(UserId::new_random()).unwrap(), None);
    assert_eq!(
        s.users().unwrap(),
        [alice.clone(), bob.clone()],
        "ordered by display name"
    );

    let updated = UserRow {
        username: "alice.smith".into(),
        display_name: "Alice Smith-Jones".into(),
        role: "practice-supervisor".into(),
        team: None,
        password_hash: "$argon2id$new".into(),
        active: false,
        ..alice.clone()
    };
    s.update_user(&updated).unwrap();
    assert_eq!(s.user(alice.id).unwrap(), Some(updated.clone()));
    assert_eq!(s.user_by_username("alice").unwrap(), None);
    assert_eq!(
        s.user_by_username("alice.smith").unwrap(),
        Some(updated.clone())
    );
    // Renaming onto a taken username is a conflict; updating an unknown user is not found.
    assert!(matches!(
        s.update_user(&UserRow {
            username: "bob".into(),
            ..updated.clone()
        }),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.update_user(&user_row(a, "nobody", "Nobody")),
        Err(StoreError::NotFound(_))
    ));
}

// ---- sessions, login throttling, API clients -------------------------------------------------

fn keeps_sessions(s: &dyn Store) {
    let u = user(s, "alice");
    let other = user(s, "bob");
    let sess = |hash: &str, user| SessionRow {
        token_hash: hash.into(),
        user,
        csrf_token: format!("csrf-{hash}"),
        created_at: ts(0),
        last_seen_at: ts(0),
    };
    s.create_session(&sess("h1", u)).unwrap();
    s.create_session(&sess("h2", u)).unwrap();
    s.create_session(&sess("h3", other)).unwrap();
    assert!(
        s.create_session(&sess("h1", other)).is_err(),
        "a token hash is used once"
    );
    assert_eq!(s.session("h1").unwrap(), Some(sess("h1", u)));
    assert_eq!(s.session("nope").unwrap(), None);

    s.touch_session("h1", &ts(30)).unwrap();
    assert_eq!(s.session("h1").unwrap().unwrap().last_seen_at, ts(30));
    assert_eq!(s.session("h1").unwrap().unwrap().created_at, ts(0));
    s.touch_session("nope", &ts(30)).unwrap();

    s.delete_session("h1").unwrap();
    assert_eq!(s.session("h1").unwrap(), None);
    assert!(s.session("h2").unwrap().is_some());
    s.delete_session("h1").unwrap();

    s.create_session(&sess("h4", u)).unwrap();
    s.delete_sessions_of(u).unwrap();
    assert_eq!(s.session("h2").unwrap(), None);
    assert_eq!(s.session("h4").unwrap(), None);
    assert!(
        s.session("h3").unwrap().is_some(),
        "other users' sessions stay"
    );
}

fn attempt(username: &str, client: &str, m: i64, succeeded: bool) -> LoginAttempt {
    LoginAttempt {
        id: uuid::Uuid::new_v4(),
        username: username.into(),
        client: client.into(),
        at: ts(m),
        succeeded,
    }
}

fn counts_failed_logins(s: &dyn Store) {
    // Issue 18, item 9: failures are counted by account and address, and by account
    // from anywhere; each count since the window began and since its scope's last success.
    for m in [0, 1, 2] {
        s.record_login_attempt(&attempt("alice", "10.0.0.1", m, false))
            .unwrap();
    }
    s.record_login_attempt(&attempt("alice", "10.0.0.2", 2, false))
        .unwrap();
    s.record_login_attempt(&attempt("bob", "10.0.0.1", 1, false))
        .unwrap();
    let f = s.login_failures("alice", "10.0.0.1", &ts(0)).unwrap();
    assert_eq!(f.from_client, 3);
    assert_eq!(f.from_client_latest, vec![ts(2), ts(1)], "newest first");
    assert_eq!(f.from_anywhere, 4);
    assert!(!f.client_known);
    assert_eq!(
        s.login_failures("alice", "10.0.0.1", &ts(1))
            .unwrap()
            .from_client,
        2,
        "since is inclusive"
    );
    assert_eq!(
        s.login_failures("carol", "10.0.0.1", &ts(0)).unwrap(),
        LoginFailures::default()
    );

    // A success resets its own address's count, and the address is known from then on;
    // the other address's failures still count.
    s.record_login_attempt(&attempt("alice", "10.0.0.1", 3, true))
        .unwrap();
    let f = s.login_failures("alice", "10.0.0.1", &ts(0)).unwrap();
    assert_eq!((f.from_client, f.client_known), (0, true));
    assert_eq!(
        s.login_failures("alice", "10.0.0.2", &ts(0))
            .unwrap()
            .from_client,
        1,
        "a success from one address does not clear another's failures"
    );
    s.record_login_attempt(&attempt("alice", "10.0.0.1", 4, false))
        .unwrap();
    s.record_login_attempt(&attempt("alice", "10.0.0.1", 5, false))
        .unwrap();
    assert_eq!(
        s.login_failures("alice", "10.0.0.1", &ts(0))
            .unwrap()
            .from_client,
        2
    );
    assert_eq!(
        s.login_failures("bob", "10.0.0.1", &ts(0))
            .unwrap()
            .from_client,
        1,
        "one user's success is not another's"
    );
    // Issue 18: failures before a time are forgotten (the throttle reads only its
    // window); successes are kept longer, to know an account's usual addresses.
    s.forget_login_attempts_before(&ts(5), &ts(0)).unwrap();
    let f = s.login_failures("alice", "10.0.0.1", &ts(0)).unwrap();
    assert_eq!((f.from_client, f.client_known), (1, true));
    assert_eq!(
        s.login_failures("bob", "10.0.0.1", &ts(0))
            .unwrap()
            .from_client,
        0
    );
    // An attempt refused unchecked (it had to wait) does not count towards the next wait.
    let refused = attempt("alice", "10.0.0.1", 6, false);
    s.record_login_attempt(&refused).unwrap();
    s.record_login_attempt(&attempt("alice", "10.0.0.1", 6, false))
        .unwrap();
    s.mark_login_attempt_throttled(&refused).unwrap();
    assert_eq!(
        s.login_failures("alice", "10.0.0.1", &ts(0))
            .unwrap()
            .from_client,
        2,
        "only the one marked is left out, though both were made at once"
    );
    s.forget_login_attempts_before(&ts(5), &ts(4)).unwrap();
    assert!(
        !s.login_failures("alice", "10.0.0.1", &ts(0))
            .unwrap()
            .client_known
    );
}

fn a_form_token_is_claimed_once(s: &dyn Store) {
    // Issue 18, item 6: a form that creates carries a one-time token; only its first
    // send goes ahead, and a later one finds what the first made.
    let (u, other) = (UserId::new_random(), UserId::new_random());
    s.issue_form_token("t1", u, &ts(0), &ts(0)).unwrap();
    assert_eq!(
        s.claim_form_token("t1", other, &ts(1)).unwrap(),
        FormClaim::Unknown,
        "another user's"
    );
    assert_eq!(
        s.claim_form_token("t1", u, &ts(1)).unwrap(),
        FormClaim::Claimed
    );
    assert_eq!(
        s.claim_form_token("t1", u, &ts(1)).unwrap(),
        FormClaim::InFlight
    );
    s.settle_form_token("t1", Some("/referrals/r1")).unwrap();
    assert_eq!(
        s.claim_form_token("t1", u, &ts(2)).unwrap(),
        FormClaim::Done("/referrals/r1".into())
    );
    // Freed when nothing was made (the form came back with errors): it may be sent again.
    s.issue_form_token("t2", u, &ts(3), &ts(0)).unwrap();
    assert_eq!(
        s.claim_form_token("t2", u, &ts(3)).unwrap(),
        FormClaim::Claimed
    );
    s.settle_form_token("t2", None).unwrap();
    assert_eq!(
        s.claim_form_token("t2", u, &ts(4)).unwrap(),
        FormClaim::Claimed
    );
    // Old tokens are forgotten as new ones are issued.
    s.issue_form_token("t3", u, &ts(10), &ts(5)).unwrap();
    assert_eq!(
        s.claim_form_token("t1", u, &ts(10)).unwrap(),
        FormClaim::Unknown
    );
    assert_eq!(
        s.claim_form_token("nothing", u, &ts(10)).unwrap(),
        FormClaim::Unknown
    );
}

fn admin_entry(m: i64, action: &str, target: &str) -> NewAdminEntry {
    NewAdminEntry {
        id: uuid::Uuid::new_v4(),
        at: ts(m),
        actor: None,
        actor_name: "The operator (command line)".into(),
        action: action.into(),
        target: Some(target.into()),
        target_name: target.into(),
        details: "{}".into(),
    }
}

fn chains_the_administration_log_with_its_changes(s: &dyn Store) {
    // Issue 18, item 2: every administrative action is written with its entry in the
    // administration log, in one transaction, each entry chained to the one before.
    let a = agency(s, "Admin agency");
    let mut u = user_row(a, "newstarter", "New Starter");
    let first = s
        .administer(
            Some(&AdminChange::CreateUser(u.clone())),
            &admin_entry(0, "user-created", &u.id.to_string()),
        )
        .unwrap();
    assert_eq!(first.seq, 1);
    assert_eq!(first.prev_hash, together_domain::event::GENESIS_HASH);
    assert!(s.user(u.id).unwrap().is_some(), "the change is made");

    s.create_session(&SessionRow {
        token_hash: "newstarter-session".into(),
        user: u.id,
        csrf_token: "c".into(),
        created_at: ts(0),
        last_seen_at: ts(0),
    })
    .unwrap();
    u.must_change_password = true;
    let second = s
        .administer(
            Some(&AdminChange::UpdateUser {
                user: u.clone(),
                end_sessions: true,
            }),
            &admin_entry(1, "password-reset", &u.id.to_string()),
        )
        .unwrap();
    assert_eq!(
        (second.seq, second.prev_hash.as_str()),
        (2, first.hash.as_str())
    );
    assert!(s.user(u.id).unwrap().unwrap().must_change_password);
    assert!(
        s.session("newstarter-session").unwrap().is_none(),
        "sessions end"
    );

    // A change that fails writes no entry: the log says only what happened.
    let again = s.administer(
        Some(&AdminChange::CreateUser(u.clone())),
        &admin_entry(2, "user-created", &u.id.to_string()),
    );
    assert!(matches!(again, Err(StoreError::Conflict(_))));
    let revoke_none = s.administer(
        Some(&AdminChange::SetApiClientActive {
            id: uuid::Uuid::new_v4(),
            active: false,
        }),
        &admin_entry(2, "api-client-revoked", "x"),
    );
    assert!(matches!(revoke_none, Err(StoreError::NotFound(_))));

    let p = ProclamationRow {
        date: "2027-06-07".into(),
        name: "Extra bank holiday".into(),
        replaces: None,
        added_by: None,
        added_at: ts(3),
    };
    s.administer(
        Some(&AdminChange::AddProclamation(p.clone())),
        &admin_entry(3, "closure-proclaimed", "2027-06-07"),
    )
    .unwrap();
    assert!(s.proclamations().unwrap().contains(&p));

    let all = s.admin_log(&AdminQuery::default()).unwrap();
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![3, 2, 1],
        "newest first"
    );
    let mine = s
        .admin_log(&AdminQuery {
            target: Some(u.id.to_string()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mine.len(), 2);
    let from = s
        .admin_log(&AdminQuery {
            after_seq: Some(1),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        from.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![2, 3],
        "oldest first from a place"
    );
    assert_eq!(together_store::audit::verify_admin_log(s).unwrap(), 3);
}

fn keeps_api_clients(s: &dyn Store) {
    let a = agency(s, "Health");
    let c = ApiClientRow {
        id: uuid::Uuid::new_v4(),
        name: "GP system".into(),
        agency: a,
        token_hash: "tokenhash".into(),
        active: true,
        created_at: ts(0),
    };
    s.create_api_client(&c).unwrap();
    assert_eq!(
        s.api_client_by_token_hash("tokenhash").unwrap(),
        Some(c.clone())
    );
    assert_eq!(s.api_client_by_token_hash("other").unwrap(), None);
    let dup = ApiClientRow {
        id: uuid::Uuid::new_v4(),
        ..c.clone()
    };
    assert!(matches!(
        s.create_api_client(&dup),
        Err(StoreError::Conflict(_))
    ));
    let inactive = ApiClientRow {
        id: uuid::Uuid::new_v4(),
        token_hash: "h2".into(),
        active: false,
        ..c
    };
    s.create_api_client(&inactive).unwrap();
    assert!(!s.api_client_by_token_hash("h2").unwrap().unwrap().active);
}

// ---- the access log ------------------------------------------------------------------------------

fn access(
    at: i64,
    user: Option<UserId>,
    child: Option<PersonId>,
    allowed: bool,
    break_glass: bool,
) -> AccessEntry {
    AccessEntry {
        id: uuid::Uuid::new_v4(),
        at: ts(at),
        user,
        api_client: None,
        role: "social-worker".into(),
        action: "view-record".into(),
        child,
        allowed,
        reason: if allowed {
            "allocated".into()
        } else {
            "no relationship".into()
        },
        break_glass,
        request_id: format!("req-{at}"),
        referral: None,
        subject: child.map(Subject::child),
    }
}

fn writes_a_list_of_access_entries_all_or_none(s: &dyn Store) {
    // A page that lists children logs one entry for each (issue 18, item 4), in one
    // transaction: a batch that cannot all be written writes none.
    let u = UserId::new_random();
    let (c1, c2) = (PersonId::new_random(), PersonId::new_random());
    let batch = [
        access(0, Some(u), Some(c1), true, false),
        access(1, Some(u), Some(c2), true, false),
    ];
    s.log_accesses(&batch).unwrap();
    let mine = |s: &dyn Store| {
        s.access_log(&AccessQuery {
            user: Some(u),
            ..Default::default()
        })
        .unwrap()
        .len()
    };
    assert_eq!(mine(s), 2);
    let again = [access(2, Some(u), Some(c1), true, false), batch[0].clone()];
    assert!(matches!(
        s.log_accesses(&again),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(mine(s), 2, "none of a failed batch is written");
    s.log_accesses(&[]).unwrap();
}

fn searches_the_access_log(s: &dyn Store) {
    let (u1, u2) = (UserId::new_random(), UserId::new_random());
    let (c1, c2) = (PersonId::new_random(), PersonId::new_random());
    let api = AccessEntry {
        api_client: Some(uuid::Uuid::new_v4()),
        role: "api-client".into(),
        ..access(5, None, Some(c2), true, false)
    };
    let entries = [
        access(0, Some(u1), Some(c1), true, false),
        access(1, Some(u1), Some(c2), false, false),
        access(2, Some(u2), Some(c1), true, true),
        access(3, Some(u2), None, false, false),
        access(4, None, None, false, false),
        api,
    ];
    // Written out of order: the log reads newest first whatever the order written.
    for i in [3, 0, 5, 1, 4, 2] {
        s.log_access(&entries[i]).unwrap();
    }
    assert!(
        matches!(s.log_access(&entries[0]), Err(StoreError::Conflict(_))),
        "an entry is written once"
    );
    let ids = |q: AccessQuery| {
        s.access_log(&q)
            .unwrap()
            .into_iter()
            .map(|e| e.at)
            .collect::<Vec<_>>()
    };
    let at = |ms: &[i64]| ms.iter().map(|m| ts(*m)).collect::<Vec<_>>();

    let all = s.access_log(&AccessQuery::default()).unwrap();
    assert_eq!(
        all,
        entries.iter().rev().cloned().collect::<Vec<_>>(),
        "everything, newest first, round-tripped"
    );
    assert_eq!(
        ids(AccessQuery {
            user: Some(u1),
            ..Default::default()
        }),
        at(&[1, 0])
    );
    assert_eq!(
        ids(AccessQuery {
            child: Some(c1),
            ..Default::default()
        }),
        at(&[2, 0])
    );
    assert_eq!(
        ids(AccessQuery {
            only_denied: true,
            ..Default::default()
        }),
        at(&[4, 3, 1])
    );
    assert_eq!(
        ids(AccessQuery {
            only_break_glass: true,
            ..Default::default()
        }),
        at(&[2])
    );
    assert_eq!(
        ids(AccessQuery {
            from: Some(ts(1)),
            to: Some(ts(4)),
            ..Default::default()
        }),
        at(&[3, 2, 1]),
        "from inclusive, to exclusive"
    );
    assert_eq!(
        ids(AccessQuery {
            from: Some(ts(4)),
            ..Default::default()
        }),
        at(&[5, 4])
    );
    assert_eq!(
        ids(AccessQuery {
            to: Some(ts(1)),
            ..Default::default()
        }),
        at(&[0])
    );
    assert_eq!(
        ids(AccessQuery {
            limit: 2,
            ..Default::default()
        }),
        at(&[5, 4])
    );
    assert_eq!(
        ids(AccessQuery {
            user: Some(u2),
            only_denied: true,
            ..Default::default()
        }),
        at(&[3])
    );
    assert_eq!(
        ids(AccessQuery {
            child: Some(c2),
            only_denied: true,
            user: Some(u1),
            ..Default::default()
        }),
        at(&[1])
    );
    assert!(ids(AccessQuery {
        user: Some(UserId::new_random()),
        ..Default::default()
    })
    .is_empty());
}

// ---- calendar and settings -------------------------------------------------------------------------

fn keeps_proclamations(s: &dyn Store) {
    let u = user(s, "admin");
    let coronation = ProclamationRow {
        date: "2027-05-03".into(),
        name: "Extra bank holiday".into(),
        replaces: None,
        added_by: Some(u),
        added_at: ts(0),
    };
    let moved = ProclamationRow {
        date: "2026-12-29".into(),
        name: "Boxing Day (substitute)".into(),
        replaces: Some("2026-12-28".into()),
        added_by: None,
        added_at: ts(1),
    };
    s.add_proclamation(&coronation).unwrap();
    s.add_proclamation(&moved).unwrap();
    assert_eq!(
        s.proclamations().unwrap(),
        [moved, coronation.clone()],
        "ordered by date"
    );
    assert!(
        matches!(
            s.add_proclamation(&coronation),
            Err(StoreError::Conflict(_))
        ),
        "one proclamation a day"
    );
}

fn keeps_settings(s: &dyn Store) {
    assert_eq!(s.setting("partnership").unwrap(), None);
    s.put_setting("partnership", "set").unwrap();
    s.put_setting("other", "x").unwrap();
    assert_eq!(s.setting("partnership").unwrap().as_deref(), Some("set"));
    s.put_setting("partnership", "northamptonshire").unwrap();
    assert_eq!(
        s.setting("partnership").unwrap().as_deref(),
        Some("northamptonshire")
    );
    assert_eq!(s.setting("other").unwrap().as_deref(), Some("x"));
    s.put_setting("quote", "it's \"fine\"; DROP TABLE settings")
        .unwrap();
    assert_eq!(
        s.setting("quote").unwrap().as_deref(),
        Some("it's \"fine\"; DROP TABLE settings")
    );
}

// ---- many writers at once ----------------------------------------------------------------------------

fn concurrent_appends_lose_and_duplicate_nothing(s: &dyn Store) {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 25;
    let shared = PersonId::new_random();
    s.append(
        &[opened(shared)],
        &[person(shared, "child", "Shared", "Example", 0)],
        &[],
    )
    .unwrap();
    let own: Vec<PersonId> = (0..THREADS).map(|_| PersonId::new_random()).collect();

    let written: Vec<Vec<StoredEvent>> = std::thread::scope(|scope| {
        let handles: Vec<_> = own
            .iter()
            .enumerate()
            .map(|(n, &mine)| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for i in 0..PER_THREAD {
                        let batch = match i % 5 {
                            // Two logs in one call, in both orders across threads: the
                            // store must not deadlock on the two log heads.
                            0 if n % 2 == 0 => vec![
                                note(shared, &format!("t{n} e{i}")),
                                note(mine, &format!("own {i}")),
                            ],
                            0 => vec![
                                note(mine, &format!("own {i}")),
                                note(shared, &format!("t{n} e{i}")),
                            ],
                            _ => vec![note(shared, &format!("t{n} e{i}"))],
                        };
                        out.extend(s.append(&batch, &[], &[]).expect("concurrent append"));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("appending thread"))
            .collect()
    });

    let log = s.log(shared).unwrap();
    assert_eq!(log.len(), 1 + THREADS * PER_THREAD, "no event lost");
    assert_chain(&log);
    let ids: HashSet<EventId> = log.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), log.len(), "no event duplicated");
    // What each thread was told it wrote is exactly what is stored.
    for e in written.iter().flatten() {
        assert_eq!(s.event(e.id).unwrap().as_ref(), Some(e));
    }
    for &mine in &own {
        let l = s.log(mine).unwrap();
        assert_eq!(l.len(), PER_THREAD / 5);
        assert_chain(&l);
    }
    assert_eq!(
        head(s, shared).unwrap().last_seq,
        (1 + THREADS * PER_THREAD) as i64
    );
    assert_eq!(
        verify_all(s).unwrap(),
        VerifyReport {
            logs: 1 + THREADS,
            events: 1 + THREADS * PER_THREAD + THREADS * PER_THREAD / 5
        }
    );
}

/// Opening a record reads a page of its chronology, not the whole log (issue 6).
fn reads_a_log_a_page_at_a_time(s: &dyn Store) {
    let child = PersonId::new_random();
    let other = PersonId::new_random();
    s.append(
        &[opened(child), opened(other)],
        &[
            person(child, "child", "Ada", "Example", 0),
            person(other, "child", "Bo", "Example", 0),
        ],
        &[],
    )
    .unwrap();
    // Notes about days out of the order they were recorded in, two on the same minute.
    let minutes = [50, 10, 40, 40, 20, 60, 30];
    let mut notes = Vec::new();
    for (i, m) in minutes.iter().enumerate() {
        let mut n = note(child, &format!("note {i}"));
        n.effective_at = t(*m);
        notes.push(s.append(&[n], &[], &[]).unwrap().remove(0));
    }
    s.append(&[note(other, "another child")], &[], &[]).unwrap();
    let mut fix = event(
        child,
        EventBody::EntryCorrected {
            corrects: notes[1].id,
            reason: "wrong day".into(),
            replacement: Box::new(EventBody::CaseNoteRecorded {
                title: "Visit".into(),
                text: "fixed".into(),
                shared_with_partners: false,
            }),
        },
    );
    fix.effective_at = t(70);
    let fix = s.append(&[fix], &[], &[]).unwrap().remove(0);
    assert_eq!(s.log_len(child).unwrap(), 9);
    assert_eq!(s.log_len(PersonId::new_random()).unwrap(), 0);

    // Every page together is the whole log, newest happened first, then newest recorded.
    let mut expected = s.log(child).unwrap();
    expected.sort_by(|a, b| (&b.effective_at, b.seq).cmp(&(&a.effective_at, a.seq)));
    let mut paged = Vec::new();
    let mut before: Option<(String, i64)> = None;
    loop {
        let page = s
            .log_page(child, before.as_ref().map(|(a, q)| (a.as_str(), *q)), 3)
            .unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        before = Some((last.effective_at.clone(), last.seq));
        paged.extend(page);
    }
    assert_eq!(paged, expected);
    assert_eq!(paged[0].id, fix.id, "the correction happened last");
    // Of the two notes on the same minute, the one recorded later comes first.
    let same: Vec<i64> = paged
        .iter()
        .filter(|e| e.effective_at == ts(40))
        .map(|e| e.seq)
        .collect();
    assert_eq!(same, vec![notes[3].seq, notes[2].seq]);

    // The summary's entry types only, in order.
    let opened_only = s.log_of_types(child, &["child-record-opened"]).unwrap();
    assert_eq!(opened_only.len(), 1);
    assert_eq!(opened_only[0].seq, 1);
    let corrections = s
        .log_of_types(child, &["entry-corrected", "child-record-opened"])
        .unwrap();
    assert_eq!(
        corrections.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 9]
    );

    // A page with the corrected note brings its correction; a page with the correction
    // brings the note it corrects; neither brings anything else.
    let r = s.log_related(child, &[notes[1].id, notes[0].id]).unwrap();
    assert_eq!(r, vec![fix.clone()]);
    let r = s.log_related(child, &[fix.id]).unwrap();
    assert_eq!(r, vec![notes[1].clone()]);
    assert!(s.log_related(child, &[notes[2].id]).unwrap().is_empty());
    assert!(
        s.log_related(other, &[notes[1].id]).unwrap().is_empty(),
        "one child's log only"
    );
}

/// The events version moves with every append and with nothing else (the figures
/// are kept while it stands still).
fn the_events_version_moves_only_with_appends(s: &dyn Store) {
    let v0 = s.events_version().unwrap();
    let a = PersonId::new_random();
    s.append(
        &[opened(a)],
        &[person(a, "child", "Ada", "Example", 0)],
        &[],
    )
    .unwrap();
    let v1 = s.events_version().unwrap();
    assert_ne!(v1, v0);
    s.log(a).unwrap();
    s.put_setting("k", "v").unwrap();
    s.log_access(&access(1, None, Some(a), true, false))
        .unwrap();
    assert_eq!(
        s.events_version().unwrap(),
        v1,
        "reads, settings and the access log leave it"
    );
    s.append(&[note(a, "x")], &[], &[]).unwrap();
    assert_ne!(s.events_version().unwrap(), v1);
}

/// Writes that fail among concurrent ones that succeed (on SQLite they share one
/// commit) undo only themselves: every acknowledged append is kept, no part of a
/// refused one is, and each log stays one unbroken chain.
fn a_failed_append_among_concurrent_ones_undoes_only_itself(s: &dyn Store) {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 24;
    let shared = PersonId::new_random();
    let first = s
        .append(
            &[opened(shared)],
            &[person(shared, "child", "Shared", "Example", 0)],
            &[],
        )
        .unwrap();
    let (kept, refused): (Vec<Vec<EventId>>, Vec<Vec<EventId>>) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|n| {
                let first = first[0].id;
                scope.spawn(move || {
                    let (mut kept, mut refused) = (Vec::new(), Vec::new());
                    for i in 0..PER_THREAD {
                        let fresh = note(shared, &format!("t{n} e{i}"));
                        if i % 3 == 2 {
                            // A fresh note and a reused event id in one call: all refused.
                            let mut dup = note(shared, "dup");
                            dup.id = first;
                            let err = s.append(&[fresh.clone(), dup], &[], &[]).unwrap_err();
                            assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
                            refused.push(fresh.id);
                        } else {
                            s.append(std::slice::from_ref(&fresh), &[], &[])
                                .expect("append");
                            kept.push(fresh.id);
                        }
                    }
                    (kept, refused)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .unzip()
    });
    let log = s.log(shared).unwrap();
    assert_chain(&log);
    let stored: HashSet<EventId> = log.iter().map(|e| e.id).collect();
    let kept: Vec<EventId> = kept.into_iter().flatten().collect();
    assert_eq!(
        log.len(),
        1 + kept.len(),
        "exactly the acknowledged appends"
    );
    assert!(kept.iter().all(|id| stored.contains(id)));
    for id in refused.iter().flatten() {
        assert_eq!(s.event(*id).unwrap(), None, "no part of a refused append");
    }
    assert_eq!(
        verify_all(s).unwrap(),
        VerifyReport {
            logs: 1,
            events: 1 + kept.len()
        }
    );
}

// ---- behind the store's back ------------------------------------------------------------------------

fn the_database_refuses_to_change_events(s: &dyn Store, db: &dyn RawDb) {
    let (a, log, _) = seed_two_logs(s);
    let id = &log[1].id;
    for sql in [
        format!("UPDATE events SET actor_role = 'practice-supervisor' WHERE id = '{id}'"),
        format!("UPDATE events SET payload = NULL WHERE id = '{id}'"),
        format!("DELETE FROM events WHERE id = '{id}'"),
        "DELETE FROM events".to_string(),
    ] {
        let err = db.exec(&sql).expect_err(&sql);
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    if s.backend() == "postgres" {
        for sql in ["TRUNCATE events", "TRUNCATE logs CASCADE"] {
            let err = db.exec(sql).expect_err(sql);
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
    }
    assert_eq!(s.log(a).unwrap(), log);
    assert_eq!(verify_all(s).unwrap(), VerifyReport { logs: 2, events: 5 });
}

fn the_administration_log_is_append_only_and_tampering_is_named(s: &dyn Store, db: &dyn RawDb) {
    // Issue 18, item 2: the database refuses to change the administration log; and
    // whoever gets round that (dropping the triggers) is caught by `audit verify`.
    for m in 0..3 {
        s.administer(None, &admin_entry(m, "user-created", &format!("u{m}")))
            .unwrap();
    }
    for sql in [
        "UPDATE admin_log SET action = 'nothing' WHERE seq = 2",
        "DELETE FROM admin_log WHERE seq = 2",
    ] {
        let err = db.exec(sql).expect_err(sql);
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(together_store::audit::verify_admin_log(s).unwrap(), 3);
    let bypass = if s.backend() == "postgres" {
        "ALTER TABLE admin_log DISABLE TRIGGER USER"
    } else {
        "DROP TRIGGER admin_log_no_update; DROP TRIGGER admin_log_no_delete"
    };
    db.exec(&format!(
        "{bypass}; UPDATE admin_log SET target_name = 'someone else' WHERE seq = 2"
    ))
    .unwrap();
    let err = together_store::audit::verify_admin_log(s).unwrap_err();
    assert!(
        err.to_string()
            .contains("entry 2: its contents do not match"),
        "{err}"
    );
    db.exec("DELETE FROM admin_log WHERE seq = 2").unwrap();
    let err = together_store::audit::verify_admin_log(s).unwrap_err();
    assert!(
        err.to_string()
            .contains("entry 3: an entry before it is missing"),
        "{err}"
    );
}

fn the_database_refuses_to_change_the_access_log(s: &dyn Store, db: &dyn RawDb) {
    let e = access(
        0,
        Some(UserId::new_random()),
        Some(PersonId::new_random()),
        false,
        true,
    );
    s.log_access(&e).unwrap();
    for sql in [
        format!("UPDATE access_log SET allowed = TRUE WHERE id = '{}'", e.id),
        format!("DELETE FROM access_log WHERE id = '{}'", e.id),
        "DELETE FROM access_log".to_string(),
    ] {
        let err = db.exec(&sql).expect_err(&sql);
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    if s.backend() == "postgres" {
        let err = db
            .exec("TRUNCATE access_log")
            .expect_err("TRUNCATE access_log");
        assert!(err.contains("append-only"), "{err}");
    }
    assert_eq!(s.access_log(&AccessQuery::default()).unwrap(), [e]);
}

fn one_changed_byte_of_a_payload_is_named(s: &dyn Store, db: &dyn RawDb) {
    let (a, log, _) = seed_two_logs(s);
    let target = &log[1];
    assert!(target.payload.as_deref().unwrap().contains("Seen at home"));
    // One byte: "home" becomes "hone".
    db.exec_bypassing_triggers(&format!(
        "UPDATE events SET payload = replace(payload, 'Seen at home', 'Seen at hone') WHERE id = '{}'",
        target.id
    ));
    let now = s.event(target.id).unwrap().unwrap();
    assert!(
        now.payload.as_deref().unwrap().contains("Seen at hone"),
        "the tamper took effect"
    );
    assert_eq!(
        now.payload.as_ref().unwrap().len(),
        target.payload.as_ref().unwrap().len()
    );

    let b = broken(s);
    assert_eq!(
        (b.child, b.event, b.seq),
        (a, target.id, 2),
        "names exactly the edited event: {b}"
    );
    assert!(b.reason.contains("payload"), "{b}");
}

fn a_changed_header_field_is_named(s: &dyn Store, db: &dyn RawDb) {
    let (_, _, b_child) = seed_two_logs(s);
    let target = s.log(b_child).unwrap().remove(0);
    db.exec_bypassing_triggers(&format!(
        "UPDATE events SET actor_role = 'practice-supervisor' WHERE id = '{}'",
        target.id
    ));
    let b = broken(s);
    assert_eq!((b.child, b.event, b.seq), (b_child, target.id, 1), "{b}");
    assert!(b.reason.contains("hash"), "{b}");
}

fn a_rewritten_payload_and_payload_hash_is_named(s: &dyn Store, db: &dyn RawDb) {
    // A careful attacker recomputes the payload hash too: the event hash still breaks.
    let (a, log, _) = seed_two_logs(s);
    let target = &log[2];
    let forged = target
        .payload
        .as_deref()
        .unwrap()
        .replace("Seen at school", "Not seen");
    assert!(!forged.contains('\''));
    db.exec_bypassing_triggers(&format!(
        "UPDATE events SET payload = '{forged}', payload_hash = '{}' WHERE id = '{}'",
        sha256_hex(forged.as_bytes()),
        target.id
    ));
    let b = broken(s);
    assert_eq!((b.child, b.event, b.seq), (a, target.id, 3), "{b}");
    assert!(b.reason.contains("event hash"), "{b}");
}

fn a_deleted_last_event_is_caught_by_the_head(s: &dyn Store, db: &dyn RawDb) {
    let (a, log, _) = seed_two_logs(s);
    db.exec_bypassing_triggers(&format!("DELETE FROM events WHERE id = '{}'", log[2].id));
    assert_eq!(s.log(a).unwrap().len(), 2);
    let b = broken(s);
    assert_eq!((b.child, b.event, b.seq), (a, log[1].id, 2), "{b}");
    assert!(b.reason.contains("head records #3"), "{b}");
}

fn a_deleted_middle_event_is_caught(s: &dyn Store, db: &dyn RawDb) {
    let (a, log, _) = seed_two_logs(s);
    db.exec_bypassing_triggers(&format!("DELETE FROM events WHERE id = '{}'", log[1].id));
    let b = broken(s);
    assert_eq!((b.child, b.event, b.seq), (a, log[2].id, 3), "{b}");
}

fn reopening_and_concurrent_opens_are_safe(s: &dyn Store, db: &dyn RawDb) {
    let (a, log, _) = seed_two_logs(s);
    // Several app servers starting at once against a migrated database.
    let stores: Vec<Arc<dyn Store>> = std::thread::scope(|scope| {
        let hs: Vec<_> = (0..4).map(|_| scope.spawn(|| db.reopen())).collect();
        hs.into_iter().map(|h| h.join().expect("open")).collect()
    });
    assert_eq!(
        db.count("SELECT COUNT(*) FROM schema_migrations"),
        db.count("SELECT MAX(version) FROM schema_migrations"),
        "each migration applied once"
    );
    for other in &stores {
        assert_eq!(other.backend(), s.backend());
        assert_eq!(other.log(a).unwrap(), log);
    }
    // A write through one is seen through another.
    stores[0]
        .append(&[note(a, "from another server")], &[], &[])
        .unwrap();
    assert_eq!(stores[3].log(a).unwrap().len(), 4);
    assert_eq!(s.log(a).unwrap().len(), 4);
    assert_eq!(
        verify_all(&*stores[1]).unwrap(),
        VerifyReport { logs: 2, events: 6 }
    );
}

fn survives_lost_connections(s: &dyn Store, db: &dyn RawDb) {
    let c = PersonId::new_random();
    s.append(&[opened(c)], &[], &[]).unwrap();
    // Several idle connections in the pool, all of which are about to die.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..10 {
                    s.log(c).unwrap();
                }
            });
        }
    });
    db.drop_connections();
    assert_eq!(
        s.log(c).unwrap().len(),
        1,
        "a read after the server dropped every connection"
    );
    db.drop_connections();
    s.append(&[note(c, "after a restart")], &[], &[])
        .expect("a write after the server dropped every connection");
    db.drop_connections();
    s.put_setting("k", "v").unwrap();
    assert_eq!(s.setting("k").unwrap().as_deref(), Some("v"));
    assert_eq!(verify_all(s).unwrap(), VerifyReport { logs: 1, events: 2 });
}

/// Statements are kept prepared per connection. A schema change under them (an
/// administrator's, or a newer server's migration) must not leave a connection failing:
/// PostgreSQL answers "cached plan must not change result type", and the store
/// prepares afresh and tries again.
fn a_statement_kept_prepared_survives_a_schema_change(s: &dyn Store, db: &dyn RawDb) {
    s.put_setting("k", "v").unwrap();
    // Every pooled connection prepares the read.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..10 {
                    assert_eq!(s.setting("k").unwrap().as_deref(), Some("v"));
                }
            });
        }
    });
    let alter = if s.backend() == "postgres" {
        "ALTER TABLE settings ALTER COLUMN value TYPE VARCHAR(2000)"
    } else {
        "ALTER TABLE settings ADD COLUMN note TEXT"
    };
    db.exec(alter).unwrap();
    for _ in 0..20 {
        assert_eq!(s.setting("k").unwrap().as_deref(), Some("v"));
    }
    s.put_setting("k", "w").unwrap();
    assert_eq!(s.setting("k").unwrap().as_deref(), Some("w"));
}

// ---- the front door --------------------------------------------------------------------

fn entry(
    log: uuid::Uuid,
    event_type: &str,
    payload: &str,
    minutes: i64,
) -> together_domain::event::NewEntry {
    together_domain::event::NewEntry {
        id: EventId::new_random(),
        log,
        event_type: event_type.into(),
        payload: payload.into(),
        corrects: None,
        effective_at: t(minutes),
        recorded_at: t(minutes),
        actor: UserId::new_random(),
        actor_agency: AgencyId::new_random(),
        actor_role: Role::FrontDoorWorker,
        profile_version: "national@2026.1".into(),
    }
}

fn referral_row(id: uuid::Uuid, minutes: i64) -> ReferralRow {
    ReferralRow {
        id,
        received_at: ts(minutes),
        channel: "online-form".into(),
        stage: "received".into(),
        summary: "Ada Example".into(),
        referrer_name: "J Teacher".into(),
        referrer_agency_name: Some("Park School".into()),
        submitted_by_user: None,
        submitted_by_client: None,
        submitted_by_agency: None,
        idempotency_key: None,
        decision_due: "2026-11-24".into(),
        decided_at: None,
        outcome: None,
        repeat_referral: false,
        open_work: 0,
        updated_at: ts(minutes),
        urgent: false,
    }
}

fn work(referral: uuid::Uuid, key: &str, queue: &str, overdue_from: &str) -> WorkRow {
    WorkRow {
        process_kind: "referral".into(),
        process_id: referral,
        key: key.into(),
        owner: Owner::Queue(queue.into()),
        child: None,
        title: format!("Do {key}"),
        due: r#"{"date":"2026-11-24"}"#.into(),
        overdue_from: overdue_from.into(),
        rule_id: Some("referral-decision".into()),
        citation: "WT2026 ¶167".into(),
        link: format!("/referrals/{referral}"),
        summary: "Ada Example".into(),
        urgent: false,
    }
}

/// The work of both of the front door's queues (the front door's and the supervisors'),
/// referrals only.
fn referral_queues() -> TrayQuery {
    TrayQuery {
        owners: vec![Owner::Queue("front-door".into()), Owner::supervisors()],
        kind: Some("referral".into()),
        ..Default::default()
    }
}

/// One queue's work.
fn queue(q: &str) -> TrayQuery {
    TrayQuery {
        owners: vec![Owner::Queue(q.into())],
        ..Default::default()
    }
}

/// One person's work.
fn held_by(u: UserId) -> TrayQuery {
    TrayQuery {
        owners: vec![Owner::Person(u)],
        ..Default::default()
    }
}

/// The case work no one holds yet: the supervisors' queue, cases only.
fn unallocated_case_work() -> TrayQuery {
    TrayQuery {
        kind: Some("case".into()),
        ..queue("supervisor")
    }
}

fn keeps_a_referral_log_and_replaces_its_projection(s: &dyn Store) {
    let id = uuid::Uuid::new_v4();
    let child = PersonId::new_random();
    s.append(
        &[opened(child)],
        &[person(child, "child", "Ada", "Example", 0)],
        &[],
    )
    .unwrap();
    let mut row = referral_row(id, 1);
    row.open_work = 2;
    let first = s
        .append_referral(
            &[entry(id, "referral-received", "{}", 1)],
            &ReferralProjection {
                row: row.clone(),
                children: vec![],
                work: vec![
                    work(id, "acknowledge", "front-door", "2026-11-25T00:00:00"),
                    work(id, "decide", "supervisor", "2026-11-25T00:00:00"),
                ],
            },
        )
        .unwrap();
    assert_eq!(first[0].seq, 1);
    assert_eq!(first[0].prev_hash, GENESIS_HASH);
    row.stage = "acknowledged".into();
    row.open_work = 1;
    let second = s
        .append_referral(
            &[entry(id, "child-linked", "{\"child\":0}", 2)],
            &ReferralProjection {
                row: row.clone(),
                children: vec![ReferralChildRow {
                    referral: id,
                    child_index: 0,
                    person: child,
                    received_at: ts(1),
                }],
                work: vec![work(id, "decide", "supervisor", "2026-11-25T00:00:00")],
            },
        )
        .unwrap();
    assert_eq!(second[0].seq, 2);
    assert_eq!(second[0].prev_hash, first[0].hash);
    // The log reads back in order, keyed by the referral id, and verifies with the rest.
    let log = s.log(PersonId(id)).unwrap();
    assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(s.referral(id).unwrap().unwrap(), row);
    let w = s.work(&referral_queues()).unwrap();
    assert_eq!(w.len(), 1, "the projection replaced the earlier open work");
    assert_eq!(w[0].key, "decide");
    assert_eq!(w[0].summary, "Ada Example");
    assert_eq!(s.referrals_of_person(child).unwrap().len(), 1);
    let report = verify_all(s).unwrap();
    assert_eq!(report.logs, 2, "the child's log and the referral's");
    // All or nothing: an entry for a log whose row cannot be written leaves nothing behind.
    let bad = ReferralProjection {
        row: row.clone(),
        children: vec![ReferralChildRow {
            referral: id,
            child_index: 0,
            person: PersonId::new_random(), // not in people: the foreign key refuses it
            received_at: ts(1),
        }],
        work: vec![],
    };
    assert!(s
        .append_referral(&[entry(id, "child-linked", "{}", 3)], &bad)
        .is_err());
    assert_eq!(s.log(PersonId(id)).unwrap().len(), 2);
    assert_eq!(s.work(&referral_queues()).unwrap().len(), 1);
}

fn an_agency_systems_idempotency_key_is_unique(s: &dyn Store) {
    let client = uuid::Uuid::new_v4();
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let mut ra = referral_row(a, 1);
    ra.submitted_by_client = Some(client);
    ra.idempotency_key = Some("key-1".into());
    let p = |row: ReferralRow| ReferralProjection {
        row,
        children: vec![],
        work: vec![],
    };
    s.append_referral(&[entry(a, "referral-received", "{}", 1)], &p(ra.clone()))
        .unwrap();
    let mut rb = referral_row(b, 2);
    rb.submitted_by_client = Some(client);
    rb.idempotency_key = Some("key-1".into());
    assert!(matches!(
        s.append_referral(&[entry(b, "referral-received", "{}", 2)], &p(rb.clone())),
        Err(StoreError::Conflict(_))
    ));
    assert!(
        s.log(PersonId(b)).unwrap().is_empty(),
        "nothing of the duplicate is kept"
    );
    assert_eq!(
        s.referral_by_idempotency_key(client, "key-1")
            .unwrap()
            .unwrap()
            .id,
        a
    );
    assert!(s
        .referral_by_idempotency_key(uuid::Uuid::new_v4(), "key-1")
        .unwrap()
        .is_none());
    // Another client may use the same key.
    rb.submitted_by_client = Some(uuid::Uuid::new_v4());
    s.append_referral(&[entry(b, "referral-received", "{}", 2)], &p(rb))
        .unwrap();
}

fn orders_the_trays_by_when_work_is_overdue(s: &dyn Store) {
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    s.append_referral(
        &[entry(a, "referral-received", "{}", 1)],
        &ReferralProjection {
            row: referral_row(a, 1),
            children: vec![],
            work: vec![
                work(a, "acknowledge", "front-door", "2026-11-24T00:00:00"),
                work(a, "decide", "supervisor", "2026-11-26T00:00:00"),
            ],
        },
    )
    .unwrap();
    s.append_referral(
        &[entry(b, "referral-received", "{}", 2)],
        &ReferralProjection {
            row: referral_row(b, 2),
            children: vec![],
            work: vec![
                work(b, "decide", "supervisor", "2026-11-25T00:00:00"),
                work(
                    b,
                    "written-confirmation",
                    "front-door",
                    "2026-11-23T17:00:00",
                ),
            ],
        },
    )
    .unwrap();
    let sup = s
        .work(&TrayQuery {
            kind: Some("referral".into()),
            ..queue("supervisor")
        })
        .unwrap();
    assert_eq!(
        sup.iter()
            .map(|w| (w.process_id, w.key.as_str()))
            .collect::<Vec<_>>(),
        vec![(b, "decide"), (a, "decide")]
    );
    let all = s.work(&referral_queues()).unwrap();
    assert_eq!(all[0].key, "written-confirmation");
    assert_eq!(all.len(), 4);
}

/// Issue 16: urgent work and an urgent referral are kept as such, and a tray reads an
/// owner's urgent work alone (the app shows it first).
fn keeps_urgent_work_and_urgent_referrals(s: &dyn Store) {
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    for (id, urgent, at) in [
        (a, false, "2026-11-24T00:00:00"),
        (b, true, "2026-11-26T00:00:00"),
    ] {
        let mut row = referral_row(id, 1);
        row.urgent = urgent;
        let mut w = work(id, "decide", "supervisor", at);
        w.urgent = urgent;
        s.append_referral(
            &[entry(id, "referral-received", "{}", 1)],
            &ReferralProjection {
                row,
                children: vec![],
                work: vec![w],
            },
        )
        .unwrap();
    }
    assert!(s.referral(b).unwrap().unwrap().urgent);
    assert!(!s.referral(a).unwrap().unwrap().urgent);
    let all = s.work(&queue("supervisor")).unwrap();
    assert_eq!(
        all.iter()
            .map(|w| (w.process_id, w.urgent))
            .collect::<Vec<_>>(),
        vec![(a, false), (b, true)],
        "the order is the tray's"
    );
    let urgent = s
        .work(&TrayQuery {
            urgent_only: true,
            ..queue("supervisor")
        })
        .unwrap();
    assert_eq!(
        urgent.iter().map(|w| w.process_id).collect::<Vec<_>>(),
        vec![b]
    );
}

/// Issue 6: a tray opens a page at a time. Pages follow each other by (overdue from,
/// id, key), ties included, with nothing lost or shown twice; the counts cover the
/// whole tray, not the page.
fn pages_a_tray_and_counts_what_is_overdue(s: &dyn Store) {
    // Referral work: five referrals, two items each, several due at the same moment.
    let mut expected = Vec::new();
    for i in 0..5u8 {
        let r = uuid::Uuid::new_v4();
        let at = ["2026-11-24T00:00:00", "2026-11-26T00:00:00"][usize::from(i % 2)];
        s.append_referral(
            &[entry(r, "referral-received", "{}", 1)],
            &ReferralProjection {
                row: referral_row(r, i64::from(i) + 1),
                children: vec![],
                work: vec![
                    work(r, "acknowledge", "front-door", at),
                    work(r, "decide", "supervisor", "2026-11-25T00:00:00"),
                ],
            },
        )
        .unwrap();
        expected.push((at.to_string(), r.to_string(), "acknowledge".to_string()));
        expected.push((
            "2026-11-25T00:00:00".to_string(),
            r.to_string(),
            "decide".to_string(),
        ));
    }
    expected.sort();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .work(&TrayQuery {
                after: after.clone(),
                limit: 3,
                ..referral_queues()
            })
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        let last = page.last().unwrap();
        after = Some(WorkAfter {
            overdue_from: last.overdue_from.clone(),
            id: last.process_id.to_string(),
            key: last.key.clone(),
        });
        seen.extend(page.iter().map(|w| {
            (
                w.overdue_from.clone(),
                w.process_id.to_string(),
                w.key.clone(),
            )
        }));
    }
    assert_eq!(seen, expected, "every item once, in the tray's order");
    let q = referral_queues();
    assert_eq!(
        s.count_work(&q, "2026-11-25T00:00:00", u64::MAX).unwrap(),
        WorkCount {
            total: 10,
            overdue: 8
        },
        "overdue from at or before now counts as overdue"
    );
    // Counted only as far as asked, each queue on its own: a tray's count costs the
    // same however much waits (front door 5, of which 3 overdue; supervisors 5 and 5).
    assert_eq!(
        s.count_work(&q, "2026-11-25T00:00:00", 4).unwrap(),
        WorkCount {
            total: 8,
            overdue: 7
        }
    );
    assert_eq!(
        s.count_work(&q, "2026-11-25T00:00:00", 5).unwrap(),
        WorkCount {
            total: 10,
            overdue: 8
        }
    );
    let front_door = queue("front-door");
    assert_eq!(
        s.count_work(&front_door, "2026-11-24T12:00:00", u64::MAX)
            .unwrap(),
        WorkCount {
            total: 5,
            overdue: 3
        }
    );

    // Case work: a practitioner's and the supervisors' trays page the same way.
    let child = PersonId::new_random();
    s.append(
        &[opened(child)],
        &[person(child, "child", "Ada", "Example", 0)],
        &[],
    )
    .unwrap();
    let sw = user(s, "tray-sw");
    let mut mine = Vec::new();
    for i in 0..4 {
        let c = uuid::Uuid::new_v4();
        s.append_case(
            &[entry(c, "case-opened", "{}", 1)],
            &CaseProjection {
                row: case_row_for(c, child, Some(sw)),
                work: vec![
                    case_work_row(c, child, "assessment-1", Some(sw), "2027-01-04T00:00:00"),
                    case_work_row(
                        c,
                        child,
                        &format!("review-{i}"),
                        Some(sw),
                        "2026-12-01T00:00:00",
                    ),
                    case_work_row(c, child, "allocate", None, "2026-11-20T00:00:00"),
                ],
                actions: vec![],
                involvements: vec![],
            },
        )
        .unwrap();
        mine.push((
            "2027-01-04T00:00:00".to_string(),
            c.to_string(),
            "assessment-1".to_string(),
        ));
        mine.push((
            "2026-12-01T00:00:00".to_string(),
            c.to_string(),
            format!("review-{i}"),
        ));
    }
    mine.sort();
    let q = |after: Option<WorkAfter>| TrayQuery {
        after,
        limit: 3,
        ..held_by(sw)
    };
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = s.work(&q(after)).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(WorkAfter {
            overdue_from: last.overdue_from.clone(),
            id: last.process_id.to_string(),
            key: last.key.clone(),
        });
        seen.extend(page.iter().map(|w| {
            (
                w.overdue_from.clone(),
                w.process_id.to_string(),
                w.key.clone(),
            )
        }));
    }
    assert_eq!(seen, mine);
    assert_eq!(
        s.count_work(&q(None), "2026-12-01T00:00:00", u64::MAX)
            .unwrap(),
        WorkCount {
            total: 8,
            overdue: 4
        }
    );
    assert_eq!(
        s.count_work(&q(None), "2026-12-01T00:00:00", 5).unwrap(),
        WorkCount {
            total: 5,
            overdue: 4
        }
    );
    // The work one practitioner holds about one child (the access decision's question).
    let other = PersonId::new_random();
    s.append(
        &[opened(other)],
        &[person(other, "child", "Bo", "Example", 0)],
        &[],
    )
    .unwrap();
    let c = uuid::Uuid::new_v4();
    s.append_case(
        &[entry(c, "case-opened", "{}", 1)],
        &CaseProjection {
            row: case_row_for(c, other, Some(sw)),
            work: vec![case_work_row(
                c,
                other,
                "assessment-1",
                Some(sw),
                "2026-11-30T00:00:00",
            )],
            actions: vec![],
            involvements: vec![],
        },
    )
    .unwrap();
    let about = |who: PersonId| TrayQuery {
        child: Some(who),
        ..held_by(sw)
    };
    assert_eq!(s.work(&about(other)).unwrap().len(), 1);
    assert!(s
        .work(&about(child))
        .unwrap()
        .iter()
        .all(|w| w.child == Some(child)));
    assert_eq!(s.work(&about(child)).unwrap().len(), 8);
    assert_eq!(
        s.count_work(&about(other), "2026-12-01T00:00:00", u64::MAX)
            .unwrap(),
        WorkCount {
            total: 1,
            overdue: 1
        }
    );
    let supervisors = unallocated_case_work();
    assert_eq!(
        s.count_work(&supervisors, "2026-12-01T00:00:00", u64::MAX)
            .unwrap(),
        WorkCount {
            total: 4,
            overdue: 4
        }
    );
}

fn lists_referrals_by_who_sent_them_and_by_child(s: &dyn Store) {
    let user = UserId::new_random();
    let ids: Vec<uuid::Uuid> = (0..3).map(|_| uuid::Uuid::new_v4()).collect();
    for (i, id) in ids.iter().enumerate() {
        let mut row = referral_row(*id, i as i64);
        if i < 2 {
            row.submitted_by_user = Some(user);
        }
        row.open_work = if i == 0 { 0 } else { 1 };
        s.append_referral(
            &[entry(*id, "referral-received", "{}", i as i64)],
            &ReferralProjection {
                row,
                children: vec![],
                work: vec![],
            },
        )
        .unwrap();
    }
    let mine = s
        .referrals(&ReferralQuery {
            submitted_by_user: Some(user),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        mine.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[1], ids[0]],
        "newest first"
    );
    let open = s
        .referrals(&ReferralQuery {
            open_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(open.len(), 2);
    let page = s
        .referrals(&ReferralQuery {
            limit: 1,
            offset: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page[0].id, ids[1]);
}

fn lists_matchable_children_with_their_households(s: &dyn Store) {
    let child = PersonId::new_random();
    let mother = PersonId::new_random();
    let visitor = PersonId::new_random();
    s.append(
        &[opened(child)],
        &[person(child, "child", "Ada", "Example", 0)],
        &[],
    )
    .unwrap();
    for (p, given, lives) in [(mother, "Jo", true), (visitor, "Sam", false)] {
        s.append(
            &[event(
                child,
                EventBody::FamilyMemberAdded {
                    person: p,
                    details: details(given, "Example"),
                    relationship: "relative".into(),
                    lives_with_child: lives,
                },
            )],
            &[person(p, "parent", given, "Example", 1)],
            &[],
        )
        .unwrap();
    }
    let other = PersonId::new_random();
    s.append(
        &[opened(other)],
        &[person(other, "child", "Bo", "Other", 2)],
        &[],
    )
    .unwrap();
    let all = s.matchable_children(None, 10).unwrap();
    assert_eq!(all.len(), 2, "children only, not the parent");
    let ada = all.iter().find(|m| m.person.id == child).unwrap();
    assert_eq!(
        ada.household,
        vec!["Jo Example".to_string()],
        "only those living with the child"
    );
    // Paging by id covers everyone once.
    let first = s.matchable_children(None, 1).unwrap();
    let rest = s.matchable_children(Some(first[0].person.id), 10).unwrap();
    assert_eq!(first.len() + rest.len(), 2);
    assert_ne!(first[0].person.id, rest[0].person.id);
}

fn case_row_for(id: uuid::Uuid, child: PersonId, lead: Option<UserId>) -> CaseRow {
    CaseRow {
        id,
        child,
        service: "social-care".into(),
        stage: "open".into(),
        local_authority: "Essex County Council".into(),
        opened_at: ts(1),
        referral: None,
        referral_date: "2026-12-10".into(),
        lead_user: lead,
        closed_on: None,
        closure_reason: None,
        updated_at: ts(1),
    }
}

fn case_work_row(
    case: uuid::Uuid,
    child: PersonId,
    key: &str,
    assignee: Option<UserId>,
    overdue_from: &str,
) -> WorkRow {
    WorkRow {
        process_kind: "case".into(),
        process_id: case,
        key: key.into(),
        owner: assignee
            .map(Owner::Person)
            .unwrap_or_else(Owner::supervisors),
        child: Some(child),
        title: key.into(),
        due: "{}".into(),
        overdue_from: overdue_from.into(),
        rule_id: None,
        citation: "WT2026".into(),
        link: format!("/cases/{case}"),
        summary: String::new(),
        urgent: false,
    }
}

fn keeps_a_case_log_its_trays_and_actions(s: &dyn Store) {
    let child = PersonId::new_random();
    s.append(
        &[opened(child)],
        &[person(child, "child", "Ada", "Example", 0)],
        &[],
    )
    .unwrap();
    let school = agency(s, "Castle Primary");
    let sw = user(s, "sw");
    let dsl = user(s, "dsl");
    let id = uuid::Uuid::new_v4();
    let first = s
        .append_case(
            &[entry(id, "case-opened", "{}", 1)],
            &CaseProjection {
                row: case_row_for(id, child, None),
                work: vec![case_work_row(
                    id,
                    child,
                    "allocate",
                    None,
                    "2026-12-12T00:00:00",
                )],
                actions: vec![],
                involvements: vec![],
            },
        )
        .unwrap();
    assert_eq!(first[0].prev_hash, GENESIS_HASH);
    let sup = s.work(&unallocated_case_work()).unwrap();
    assert_eq!(sup.len(), 1);
    assert_eq!(
        sup[0].summary, "Ada Example",
        "the child's name as the record has it"
    );
    // Allocated: the supervisors' item goes; the social worker's and the school's arrive.
    let row = case_row_for(id, child, Some(sw));
    s.append_case(
        &[entry(id, "allocation-accepted", "{}", 2)],
        &CaseProjection {
            row: row.clone(),
            work: vec![
                case_work_row(id, child, "assessment-1", Some(sw), "2027-02-17T00:00:00"),
                case_work_row(id, child, "action-1", Some(dsl), "2027-01-21T00:00:00"),
            ],
            actions: vec![CaseActionRow {
                case: id,
                number: 1,
                child,
                plan: 1,
                plan_kind: "family-help".into(),
                what: "Breakfast club".into(),
                owner_user: Some(dsl),
                owner_agency: Some(school),
                owner_name: "D. Lead".into(),
                due_by: "2027-01-20".into(),
                done_on: None,
            }],
            involvements: vec![Involvement {
                child,
                user: dsl,
                kind: "invited".into(),
                since: ts(2),
            }],
        },
    )
    .unwrap();
    assert_eq!(
        s.involvements(child, dsl).unwrap().len(),
        1,
        "invited to a meeting"
    );
    assert!(s.work(&unallocated_case_work()).unwrap().is_empty());
    let mine = s.work(&held_by(sw)).unwrap();
    assert_eq!(
        mine.iter().map(|w| w.key.as_str()).collect::<Vec<_>>(),
        vec!["assessment-1"]
    );
    assert_eq!(s.case(id).unwrap().unwrap(), row);
    assert_eq!(s.cases_of_child(child).unwrap(), vec![row.clone()]);
    assert_eq!(s.open_cases_led_by(sw).unwrap(), vec![row.clone()]);
    assert!(s.open_cases_led_by(dsl).unwrap().is_empty());
    let by_agency = s
        .case_actions(&CaseActionQuery {
            owner_agency: Some(school),
            open_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_agency.len(), 1);
    assert_eq!(by_agency[0].what, "Breakfast club");
    assert!(s
        .case_actions(&CaseActionQuery {
            owner_user: Some(sw),
            ..Default::default()
        })
        .unwrap()
        .is_empty());
    assert_eq!(
        s.case_actions(&CaseActionQuery {
            child: Some(child),
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    // All or nothing: a case row for a child not in people fails, and takes its entry with it.
    let other = uuid::Uuid::new_v4();
    let bad = CaseProjection {
        row: case_row_for(other, PersonId::new_random(), None),
        work: vec![],
        actions: vec![],
        involvements: vec![],
    };
    assert!(s
        .append_case(&[entry(other, "case-opened", "{}", 1)], &bad)
        .is_err());
    assert!(s.log(PersonId(other)).unwrap().is_empty());
    assert!(s.case(other).unwrap().is_none());
    assert_eq!(
        verify_all(s).unwrap().logs,
        2,
        "the child's log and the case's"
    );
}

// ---- the process kernel (issue 15) ------------------------------------------------------

fn process_row(
    kind: &str,
    id: uuid::Uuid,
    stage: &str,
    subjects: Vec<Subject>,
    at: i64,
) -> ProcessRow {
    ProcessRow {
        kind: kind.into(),
        id,
        stage: stage.into(),
        summary: format!("{kind} {stage}"),
        state: format!("{{\"stage\":\"{stage}\"}}"),
        opened_at: ts(1),
        updated_at: ts(at),
        subjects,
    }
}

fn process_work(
    kind: &str,
    id: uuid::Uuid,
    key: &str,
    owner: Owner,
    child: Option<PersonId>,
    overdue_from: &str,
) -> WorkRow {
    WorkRow {
        process_kind: kind.into(),
        process_id: id,
        key: key.into(),
        owner,
        child,
        title: format!("Do {key}"),
        due: r#"{"date":"2026-12-08"}"#.into(),
        overdue_from: overdue_from.into(),
        rule_id: Some("lado-notification".into()),
        citation: "WT2026 ¶264".into(),
        link: format!("/{kind}s/{id}"),
        summary: format!("{kind} summary"),
        urgent: false,
    }
}

/// A process with no table of its own keeps its log, its projection, its subjects and
/// its work through the generic methods: a new process adds nothing to the store.
fn keeps_any_process_its_subjects_and_its_work(s: &dyn Store) {
    let child = PersonId::new_random();
    s.append(
        &[opened(child)],
        &[person(child, "child", "Ada", "Example", 0)],
        &[],
    )
    .unwrap();
    let officer = user(s, "lado");
    let adult = Subject {
        kind: "adult".into(),
        id: uuid::Uuid::new_v4(),
    };
    let id = uuid::Uuid::new_v4();
    let subjects = vec![Subject::child(child), adult.clone()];
    let first = s
        .append_process(
            &[entry(id, "allegation-received", "{}", 1)],
            &ProcessProjection {
                row: process_row("allegation", id, "received", subjects.clone(), 1),
                work: vec![process_work(
                    "allegation",
                    id,
                    "classify",
                    Owner::Queue("designated-officer".into()),
                    Some(child),
                    "2026-12-09T00:00:00",
                )],
                involvements: vec![Involvement {
                    child,
                    user: officer,
                    kind: "participant".into(),
                    since: ts(1),
                }],
            },
        )
        .unwrap();
    assert_eq!(first[0].seq, 1);
    assert_eq!(first[0].prev_hash, GENESIS_HASH);
    let second = s
        .append_process(
            &[entry(id, "allegation-classified", "{}", 2)],
            &ProcessProjection {
                row: process_row("allegation", id, "classified", vec![adult.clone()], 2),
                work: vec![process_work(
                    "allegation",
                    id,
                    "meeting",
                    Owner::Person(officer),
                    None,
                    "2026-12-20T00:00:00",
                )],
                involvements: vec![],
            },
        )
        .unwrap();
    assert_eq!(second[0].prev_hash, first[0].hash, "one chain per process");
    let got = s.process("allegation", id).unwrap().expect("kept");
    assert_eq!(got.stage, "classified", "the projection is replaced");
    assert_eq!(
        got.subjects,
        vec![adult.clone()],
        "and its subjects with it"
    );
    assert!(
        s.process("serious-incident", id).unwrap().is_none(),
        "kind and id name a process"
    );
    assert_eq!(s.log(PersonId(id)).unwrap().len(), 2);
    assert_eq!(s.involvements(child, officer).unwrap().len(), 1);
    // Its work replaced: the queue's item gone, the officer's arrived.
    assert!(s.work(&queue("designated-officer")).unwrap().is_empty());
    let mine = s.work(&held_by(officer)).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].key.as_str(), mine[0].link.as_str()),
        ("meeting", format!("/allegations/{id}").as_str())
    );
    assert_eq!(
        mine[0].summary, "allegation summary",
        "about no child: the process's summary"
    );
    // Listed by kind, by subject, most recently changed first.
    let other = uuid::Uuid::new_v4();
    s.append_process(
        &[entry(other, "allegation-received", "{}", 3)],
        &ProcessProjection {
            row: process_row(
                "allegation",
                other,
                "received",
                vec![Subject::child(child)],
                3,
            ),
            work: vec![],
            involvements: vec![],
        },
    )
    .unwrap();
    let all = s
        .processes(&ProcessQuery {
            kind: Some("allegation".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        all.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![other, id]
    );
    let about_child = s
        .processes(&ProcessQuery {
            subject: Some(Subject::child(child)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        about_child.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![other]
    );
    assert_eq!(about_child[0].subjects, vec![Subject::child(child)]);
    assert!(s
        .processes(&ProcessQuery {
            kind: Some("child-death-review".into()),
            ..Default::default()
        })
        .unwrap()
        .is_empty());
    // All or nothing: an entry that cannot be written (its id is taken) leaves the
    // projection and the work as they were.
    let taken = entry(id, "allegation-closed", "{}", 4);
    let mut dup = taken.clone();
    dup.log = other;
    assert!(s
        .append_process(
            &[taken, dup],
            &ProcessProjection {
                row: process_row("allegation", id, "closed", vec![], 4),
                work: vec![],
                involvements: vec![],
            },
        )
        .is_err());
    assert_eq!(
        s.process("allegation", id).unwrap().unwrap().stage,
        "classified"
    );
    assert_eq!(s.work(&held_by(officer)).unwrap().len(), 1);
    // Rebuilt from its log (`reproject`): the projection replaced, nothing appended.
    s.append_process(
        &[],
        &ProcessProjection {
            row: process_row("allegation", id, "rebuilt", vec![adult.clone()], 2),
            work: vec![],
            involvements: vec![],
        },
    )
    .unwrap();
    assert_eq!(
        s.process("allegation", id).unwrap().unwrap().stage,
        "rebuilt"
    );
    assert!(s.work(&held_by(officer)).unwrap().is_empty());
    assert_eq!(s.log(PersonId(id)).unwrap().len(), 2);
    assert_eq!(
        verify_all(s).unwrap().logs,
        3,
        "the child's log and two processes'"
    );
    // Listed a page at a time.
    let page = |offset| {
        s.processes(&ProcessQuery {
            kind: Some("allegation".into()),
            limit: 1,
            offset,
            ..Default::default()
        })
        .unwrap()
    };
    assert_eq!(page(0)[0].id, other);
    assert_eq!(page(1)[0].id, id);
    assert!(page(2).is_empty());
}

/// The trays read one table: a person's work, their queues' and their team's, of any
/// process, merged in one order and counted together.
fn one_tray_holds_every_kind_of_work_for_every_kind_of_owner(s: &dyn Store) {
    let sw = user(s, "tray-owner");
    let team = TeamId::new_random();
    let (r, c, a) = (
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
    );
    s.append_referral(
        &[entry(r, "referral-received", "{}", 1)],
        &ReferralProjection {
            row: referral_row(r, 1),
            children: vec![],
            work: vec![work(r, "decide", "supervisor", "2026-12-03T00:00:00")],
        },
    )
    .unwrap();
    let child = PersonId::new_random();
    s.append(
        &[opened(child)],
        &[person(child, "child", "Bo", "Example", 0)],
        &[],
    )
    .unwrap();
    s.append_case(
        &[entry(c, "case-opened", "{}", 1)],
        &CaseProjection {
            row: case_row_for(c, child, Some(sw)),
            work: vec![case_work_row(
                c,
                child,
                "assessment-1",
                Some(sw),
                "2026-12-01T00:00:00",
            )],
            actions: vec![],
            involvements: vec![],
        },
    )
    .unwrap();
    s.append_process(
        &[entry(a, "notice-received", "{}", 1)],
        &ProcessProjection {
            row: process_row("encompass-notice", a, "received", vec![], 1),
            work: vec![
                process_work(
                    "encompass-notice",
                    a,
                    "share",
                    Owner::Team(team),
                    None,
                    "2026-12-02T00:00:00",
                ),
                process_work(
                    "encompass-notice",
                    a,
                    "other-team",
                    Owner::Team(TeamId::new_random()),
                    None,
                    "2026-11-30T00:00:00",
                ),
            ],
            involvements: vec![],
        },
    )
    .unwrap();
    let q = TrayQuery {
        owners: vec![Owner::Person(sw), Owner::supervisors(), Owner::Team(team)],
        ..Default::default()
    };
    let tray = s.work(&q).unwrap();
    assert_eq!(
        tray.iter()
            .map(|w| (w.process_kind.as_str(), w.key.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("case", "assessment-1"),
            ("encompass-notice", "share"),
            ("referral", "decide")
        ],
        "soonest overdue first, whatever the process; another team's work is not here"
    );
    assert_eq!(tray[0].summary, "Bo Example");
    assert_eq!(tray[2].summary, "Ada Example");
    assert_eq!(
        s.count_work(&q, "2026-12-02T00:00:00", u64::MAX).unwrap(),
        WorkCount {
            total: 3,
            overdue: 2
        }
    );
    // Pages follow each other across kinds.
    let first = s
        .work(&TrayQuery {
            limit: 2,
            ..q.clone()
        })
        .unwrap();
    let last = first.last().unwrap();
    let rest = s
        .work(&TrayQuery {
            after: Some(WorkAfter {
                overdue_from: last.overdue_from.clone(),
                id: last.process_id.to_string(),
                key: last.key.clone(),
            }),
            ..q.clone()
        })
        .unwrap();
    assert_eq!(first.len() + rest.len(), 3);
    assert_eq!(rest[0].key, "decide");
    // By kind, and by child.
    assert_eq!(
        s.work(&TrayQuery {
            kind: Some("case".into()),
            ..q.clone()
        })
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        s.work(&TrayQuery {
            child: Some(child),
            ..q.clone()
        })
        .unwrap()
        .len(),
        1
    );
}

/// Each access decision names its subject by kind and id, and the data protection
/// officer finds every decision about one subject.
fn the_access_log_is_searched_by_subject(s: &dyn Store) {
    let child = PersonId::new_random();
    let process = Subject {
        kind: "allegation".into(),
        id: uuid::Uuid::new_v4(),
    };
    s.log_access(&access(1, None, Some(child), true, false))
        .unwrap();
    let mut about_process = access(2, None, None, false, false);
    about_process.subject = Some(process.clone());
    s.log_access(&about_process).unwrap();
    let found = s
        .access_log(&AccessQuery {
            subject: Some(process.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject, Some(process));
    let found = s
        .access_log(&AccessQuery {
            subject: Some(Subject::child(child)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].child, Some(child));
}

//! The operator's commands, through the real `together` binary: the calendar, the
//! timescales (and a local profile that tries to lengthen a statutory one), and
//! `audit verify` before and after one byte of the record is changed behind
//! Together's back.

mod common;

use common::*;

#[test]
fn bank_holidays_2026() {
    let out = run_ok(&["calendar", "holidays", "2026"]);
    let expected = "\
2026-01-01 New Year's Day
2026-04-03 Good Friday
2026-04-06 Easter Monday
2026-05-04 Early May bank holiday
2026-05-25 Spring bank holiday
2026-08-31 Summer bank holiday
2026-12-25 Christmas Day
2026-12-28 Boxing Day (substitute day)
";
    assert_eq!(out, expected);
}

#[test]
fn a_year_out_of_range_is_refused() {
    let o = run(&["calendar", "holidays", "1989"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("1989"), "{}", stderr(&o));
}

#[test]
fn working_days_over_christmas() {
    // Christmas Day is a Friday and Boxing Day a Saturday, substituted on Monday 28th.
    assert_eq!(
        run_ok(&["calendar", "add-working-days", "2026-12-24", "1"]),
        "2026-12-29\n"
    );
    // Day 0 of a non-working day is the next working day.
    assert_eq!(
        run_ok(&["calendar", "add-working-days", "2026-12-26", "0"]),
        "2026-12-29\n"
    );
    let o = run(&["calendar", "add-working-days", "2026-02-30", "1"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("2026-02-30 is not a real date"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn timescale_list_names_icpc_with_its_citation() {
    let out = run_ok(&["timescale", "list"]);
    let line = out
        .lines()
        .find(|l| l.split_whitespace().next() == Some("icpc"))
        .unwrap_or_else(|| panic!("no icpc in:\n{out}"));
    assert!(line.contains("15 working days"), "{line}");
    assert!(
        line.contains("WT2026 ch.3 s4 'Outcome of section 47 enquiries' (003 L1816)"),
        "{line}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&run_ok(&["timescale", "list", "--json"])).expect("--json is JSON");
    assert_eq!(json["profile"], "national@2026.1");
    let icpc = json["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "icpc")
        .expect("icpc in --json");
    assert_eq!(icpc["amount"], 15);
    assert_eq!(icpc["unit"], "working_days");
    assert_eq!(icpc["statutory"], true);
}

#[test]
fn timescale_due_dates() {
    // 72 clock hours, through Christmas.
    assert_eq!(
        run_ok(&[
            "timescale",
            "due",
            "police-protection",
            "--from",
            "2026-12-24T16:30"
        ]),
        "2026-12-27T16:30\n"
    );
    // 15 working days from Monday 21 December 2026: 22, 23, 24 (3); 25, 28 Dec and
    // 1 Jan are bank holidays; 29, 30, 31 (6); 4-8 Jan (11); 11-14 Jan (15).
    assert_eq!(
        run_ok(&["timescale", "due", "icpc", "--from", "2026-12-21"]),
        "2027-01-14\n"
    );
}

#[test]
fn local_rules_differ_by_partnership() {
    // Northamptonshire: 24 hours (NSCP §5.1); SET: 48 hours ('Initiating the referral').
    let due = |p: &str| {
        run_ok(&[
            "timescale",
            "due",
            "referral-written-confirmation",
            "--from",
            "2026-03-02T10:00",
            "--partnership",
            p,
        ])
    };
    assert_eq!(due("northamptonshire"), "2026-03-03T10:00\n");
    assert_eq!(due("set"), "2026-03-04T10:00\n");
    // The national profile has no such rule.
    let o = run(&[
        "timescale",
        "due",
        "referral-written-confirmation",
        "--from",
        "2026-03-02T10:00",
    ]);
    assert!(!o.status.success());
}

#[test]
fn an_unknown_rule_is_refused_with_a_message() {
    let o = run(&["timescale", "due", "no-such-rule", "--from", "2026-03-02"]);
    assert!(!o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("no timescale \"no-such-rule\""), "{err}");
    assert!(err.contains("timescale list"), "{err}");
}

#[test]
fn a_local_profile_may_not_lengthen_a_statutory_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let national = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/partnerships/national.toml"
    );
    std::fs::copy(national, dir.path().join("national.toml")).expect("copy national.toml");
    let local = dir.path().join("lengthy.toml");
    std::fs::write(
        &local,
        r#"id = "lengthy"
name = "A partnership that would give itself longer"
version = "2026.1"
effective_from = 2026-01-01
front_door_name = "Front door"

[[override]]
id = "icpc"
amount = 20
citation = "Nowhere"
"#,
    )
    .expect("write the local profile");
    let profiles = dir.path().to_str().expect("utf-8 path");

    // The copied national profile loads from the directory.
    assert!(run_ok(&["timescale", "list", "--profiles", profiles]).contains("icpc"));

    for args in [
        vec![
            "timescale",
            "list",
            "--profiles",
            profiles,
            "--partnership",
            "lengthy",
        ],
        vec![
            "timescale",
            "due",
            "icpc",
            "--from",
            "2026-12-21",
            "--profiles",
            profiles,
            "--partnership",
            "lengthy",
        ],
    ] {
        let o = run(&args);
        assert!(!o.status.success(), "{args:?} should fail: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.contains("\"icpc\""),
            "the message names the rule: {err}"
        );
        assert!(
            err.contains(&local.display().to_string()),
            "the message names the file: {err}"
        );
    }
}

#[test]
fn audit_verify_catches_one_changed_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("together.db");
    let db = db.to_str().expect("utf-8 path");
    // The demo data is loaded by `serve --demo`; stop the server once it listens.
    Server::start(db, &dir.path().join("server.log")).kill9();

    let o = run(&["audit", "verify", "--database", db]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with("ok: "), "{}", stdout(&o));

    // One byte of one case note's text, changed with the file in hand: the
    // append-only trigger is simply dropped first.
    let c = rusqlite::Connection::open(db).expect("open the SQLite file");
    let (id, payload): (String, String) = c
        .query_row(
            "SELECT id, payload FROM events WHERE event_type = 'case-note-recorded' ORDER BY recorded_at LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a demo case note");
    let at = payload.find("\"text\":\"").expect("a text field") + "\"text\":\"".len();
    let mut bytes = payload.clone().into_bytes();
    bytes[at] = if bytes[at] == b'X' { b'Y' } else { b'X' };
    let tampered = String::from_utf8(bytes).expect("still UTF-8");
    assert_eq!(tampered.len(), payload.len());
    c.execute_batch("DROP TRIGGER events_no_update")
        .expect("drop the trigger");
    assert_eq!(
        c.execute(
            "UPDATE events SET payload = ?1 WHERE id = ?2",
            [&tampered, &id]
        )
        .expect("tamper"),
        1
    );
    drop(c);

    let o = run(&["audit", "verify", "--database", db]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(&id), "the failure names event {id}: {out}");
    assert!(out.contains("payload does not match its hash"), "{out}");
}

/// Issue 15: `together reproject` rebuilds every projection from the logs and appends
/// nothing; the record still verifies.
#[test]
fn reproject_rebuilds_the_projections_and_appends_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("together.db");
    let db = db.to_str().expect("utf-8 path");
    Server::start(db, &dir.path().join("server.log")).kill9();
    let count = |sql: &str| -> i64 {
        let c = rusqlite::Connection::open(db).expect("open the SQLite file");
        c.query_row(sql, [], |r| r.get(0)).expect(sql)
    };
    let (events, work) = (
        count("SELECT COUNT(*) FROM events"),
        count("SELECT COUNT(*) FROM work"),
    );
    assert!(work > 0, "the demo has work waiting");
    let out = run_ok(&["reproject", "--database", db]);
    assert!(out.starts_with("rebuilt: "), "{out}");
    assert!(!out.contains("rebuilt: 0 referrals"), "{out}");
    assert_eq!(count("SELECT COUNT(*) FROM events"), events);
    assert_eq!(count("SELECT COUNT(*) FROM work"), work);
    let o = run(&["audit", "verify", "--database", db]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

//! Partnership profiles: the shipped TOML files load, local rules merge with
//! the national ones, and no profile may lengthen a national timescale.

use chrono::{NaiveDate, NaiveDateTime};
use together_domain::calendar::Calendar;
use together_domain::profile::{Profile, ProfileError};
use together_domain::timescale::{Strength, Unit};

const NATIONAL: &str = include_str!("../../../config/partnerships/national.toml");
const SHIPPED: &[(&str, &str)] = &[
    (
        "config/partnerships/set.toml",
        include_str!("../../../config/partnerships/set.toml"),
    ),
    (
        "config/partnerships/northamptonshire.toml",
        include_str!("../../../config/partnerships/northamptonshire.toml"),
    ),
    (
        "config/partnerships/hips.toml",
        include_str!("../../../config/partnerships/hips.toml"),
    ),
    (
        "config/partnerships/liverpool.toml",
        include_str!("../../../config/partnerships/liverpool.toml"),
    ),
];

fn national() -> Profile {
    Profile::national(NATIONAL).expect("national.toml loads")
}

fn load(name: &str) -> Profile {
    let (path, text) = SHIPPED.iter().find(|(p, _)| p.ends_with(name)).unwrap();
    Profile::local(text, path, &national()).unwrap_or_else(|e| panic!("{e}"))
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// A minimal local profile with the given extra TOML.
fn local_with(extra: &str) -> Result<Profile, ProfileError> {
    let text = format!(
        "id = \"x\"\nname = \"Test partnership\"\nversion = \"2026.1\"\neffective_from = 2026-04-01\nfront_door_name = \"Front door\"\n{extra}"
    );
    Profile::local(&text, "config/partnerships/x.toml", &national())
}

#[test]
fn every_shipped_profile_loads_and_keeps_every_national_rule() {
    let nat = national();
    for (path, text) in SHIPPED {
        let p = Profile::local(text, path, &nat).unwrap_or_else(|e| panic!("{e}"));
        assert!(!p.front_door_name.is_empty());
        assert_eq!(p.national_version.as_deref(), Some("2026.1"));
        for n in &nat.rules {
            let r = p
                .rule(&n.id)
                .unwrap_or_else(|| panic!("{path} keeps {}", n.id));
            assert_eq!(r.statutory, n.statutory, "{path}: {}", n.id);
            assert!(
                !n.statutory || r.period().not_longer_than(&n.period()) == Some(true),
                "{path}: {} not longer",
                n.id
            );
        }
        for r in p.rules.iter().filter(|r| nat.rule(&r.id).is_none()) {
            assert!(!r.statutory, "{path}: local rule {} is not statutory", r.id);
        }
    }
}

#[test]
fn version_tags_and_front_doors() {
    assert_eq!(load("set.toml").version_tag(), "set@2026.1");
    assert_eq!(
        load("northamptonshire.toml").version_tag(),
        "northamptonshire@2026.1"
    );
    // NSCP §4.2 (L659-L661): the MASH.
    assert!(load("northamptonshire.toml")
        .front_door_name
        .contains("MASH"));
    assert_eq!(load("hips.toml").id, "hips");
    assert_eq!(load("liverpool.toml").id, "liverpool");
}

#[test]
fn written_confirmation_is_24_hours_in_northamptonshire_and_48_in_set() {
    // NSCP §5.1 (L755-L757) and SET L576-L577.
    let nscp = load("northamptonshire.toml");
    let set = load("set.toml");
    let n = nscp.rule("referral-written-confirmation").unwrap();
    let s = set.rule("referral-written-confirmation").unwrap();
    assert_eq!((n.amount, n.unit), (24, Unit::Hours));
    assert_eq!((s.amount, s.unit), (48, Unit::Hours));
    assert!(!n.statutory && !s.statutory);
    let cal = Calendar::england_and_wales();
    assert_eq!(
        n.due(at("2026-01-09 16:00"), &cal).to_string(),
        "2026-01-10T16:00"
    );
    assert_eq!(
        s.due(at("2026-01-09 16:00"), &cal).to_string(),
        "2026-01-11T16:00"
    );
    assert!(
        national().rule("referral-written-confirmation").is_none(),
        "not a national rule"
    );
}

#[test]
fn set_local_strategy_rules() {
    let set = load("set.toml");
    let get = |id: &str| set.rule(id).unwrap_or_else(|| panic!("{id}"));
    assert_eq!(
        (get("strategy-routine").amount, get("strategy-routine").unit),
        (3, Unit::WorkingDays)
    );
    assert_eq!(get("strategy-serious-harm").unit, Unit::SameDay);
    assert_eq!(get("strategy-forensic").unit, Unit::SameDay);
    assert_eq!(
        (
            get("strategy-after-emergency-action").amount,
            get("strategy-after-emergency-action").strength
        ),
        (1, Strength::Must)
    );
    assert_eq!(
        (get("strategy-complex").amount, get("strategy-complex").unit),
        (5, Unit::WorkingDays)
    );
    assert_eq!(
        (
            get("s47-child-missing").amount,
            get("s47-child-missing").unit
        ),
        (24, Unit::Hours)
    );
    assert_eq!(
        (
            get("referrer-follow-up").amount,
            get("referrer-follow-up").unit
        ),
        (3, Unit::WorkingDays)
    );
    assert_eq!(
        (get("cin-plan-review").amount, get("cin-plan-review").unit),
        (6, Unit::Months)
    );
    // SET 2.5.2: only a first-line manager agrees an extended assessment timescale.
    assert_eq!(
        get("assessment").extendable_by,
        vec!["practice-supervisor".to_string()]
    );
    assert!(
        get("assessment").citation.contains("WT2026 ¶169")
            && get("assessment").citation.contains("SET 2.5.2")
    );
    // With the same-day decision on an urgent referral (issue 16).
    assert_eq!(set.rules_started_by("referral-received").count(), 8);
}

#[test]
fn a_profile_can_shorten_a_national_rule() {
    let p = local_with(
        "[[override]]\nid = \"icpc\"\namount = 10\ncitation = \"Local protocol 4.2\"\n\n[[override]]\nid = \"review-first\"\namount = 2\nstrength = \"must\"\ncitation = \"Local protocol 5.1\"\n",
    )
    .unwrap();
    let icpc = p.rule("icpc").unwrap();
    assert_eq!((icpc.amount, icpc.unit), (10, Unit::WorkingDays));
    assert!(icpc.statutory);
    assert_eq!(
        icpc.start_event, "s47-enquiry-initiated",
        "events cannot be changed"
    );
    assert_eq!(p.rule("review-first").unwrap().strength, Strength::Must);
    assert_eq!(
        national().rule("icpc").unwrap().amount,
        15,
        "national unchanged"
    );
}

#[test]
fn a_profile_that_lengthens_a_national_rule_is_rejected_naming_rule_and_file() {
    let err =
        local_with("[[override]]\nid = \"icpc\"\namount = 20\ncitation = \"Local protocol\"\n")
            .unwrap_err();
    assert!(matches!(err, ProfileError::Lengthens { .. }));
    let msg = err.to_string();
    assert!(msg.starts_with("config/partnerships/x.toml: "), "{msg}");
    assert!(msg.contains("rule \"icpc\""), "{msg}");
    assert!(
        msg.contains("may not lengthen the statutory 15 working days to 20 working days"),
        "{msg}"
    );
    assert!(msg.contains("L1816"), "cites the paragraph: {msg}");
}

#[test]
fn unit_changes_are_accepted_only_when_provably_not_longer() {
    // 3 calendar days is never longer than 15 working days.
    let p = local_with(
        "[[override]]\nid = \"icpc\"\namount = 3\nunit = \"calendar_days\"\ncitation = \"L\"\n",
    )
    .unwrap();
    assert_eq!(p.rule("icpc").unwrap().unit, Unit::CalendarDays);
    // 24 hours is never longer than 1 working day.
    assert!(local_with("[[override]]\nid = \"referral-decision\"\namount = 24\nunit = \"hours\"\ncitation = \"L\"\n").is_ok());
    // 60 calendar days vs 3 months: not provable, rejected with the rule and file named.
    let err = local_with("[[override]]\nid = \"review-first\"\namount = 60\nunit = \"calendar_days\"\ncitation = \"L\"\n").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("x.toml") && msg.contains("\"review-first\""),
        "{msg}"
    );
    // 15 working days stated as 3 weeks' worth of hours: rejected (could be longer).
    assert!(local_with(
        "[[override]]\nid = \"icpc\"\namount = 500\nunit = \"hours\"\ncitation = \"L\"\n"
    )
    .is_err());
}

#[test]
fn a_profile_may_not_weaken_or_widen_a_national_rule() {
    // must -> should
    let e = local_with(
        "[[override]]\nid = \"police-protection\"\nstrength = \"should\"\ncitation = \"L\"\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("\"police-protection\""));
    // letting someone extend a rule nobody may extend
    let e = local_with("[[override]]\nid = \"icpc\"\nextendable_by = [\"practice-supervisor\"]\ncitation = \"L\"\n").unwrap_err();
    assert!(e.to_string().contains("practice-supervisor"), "{e}");
    // a bigger extension than the Act allows
    let e = local_with("[[override]]\nid = \"epo\"\nmax_extension = { amount = 8, unit = \"calendar_days\" }\ncitation = \"L\"\n").unwrap_err();
    assert!(e.to_string().contains("\"epo\""), "{e}");
    // redefining a national rule as a local one
    let e = local_with(
        "[[rule]]\nid = \"icpc\"\ntitle = \"t\"\nstart_event = \"a\"\nend_event = \"b\"\namount = 20\nunit = \"working_days\"\nstrength = \"should\"\ncitation = \"L\"\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("\"icpc\""), "{e}");
    // overriding a rule that does not exist
    assert!(local_with("[[override]]\nid = \"nope\"\namount = 1\ncitation = \"L\"\n").is_err());
}

#[test]
fn unknown_fields_and_bad_values_are_rejected() {
    let e = local_with("colour = \"blue\"\n").unwrap_err();
    assert!(matches!(e, ProfileError::Parse { .. }));
    assert!(
        e.to_string().starts_with("config/partnerships/x.toml: "),
        "{e}"
    );
    assert!(e.to_string().contains("colour"), "{e}");
    // a local rule cannot claim to be statutory
    let e = local_with(
        "[[rule]]\nid = \"r\"\ntitle = \"t\"\nstart_event = \"a\"\nend_event = \"b\"\namount = 2\nunit = \"working_days\"\nstrength = \"should\"\ncitation = \"L\"\nstatutory = true\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("statutory"), "{e}");
    // unknown unit
    assert!(
        local_with("[[override]]\nid = \"icpc\"\nunit = \"weeks\"\ncitation = \"L\"\n").is_err()
    );
    // unknown role as extender
    let e = local_with(
        "[[rule]]\nid = \"r\"\ntitle = \"t\"\nstart_event = \"a\"\nend_event = \"b\"\namount = 2\nunit = \"working_days\"\nstrength = \"should\"\nextendable_by = [\"archbishop\"]\ncitation = \"L\"\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("archbishop"), "{e}");
    // national profile with an override table
    assert!(Profile::national(&format!(
        "{NATIONAL}\n[[override]]\nid = \"icpc\"\namount = 1\ncitation = \"L\"\n"
    ))
    .is_err());
}

#[test]
fn local_closures_feed_the_calendar_but_not_the_clocks() {
    let p = local_with("[[local_closure]]\ndate = 2026-12-29\nname = \"Council closure day\"\n")
        .unwrap();
    assert_eq!(p.local_closures.len(), 1);
    let cal = p.calendar(Calendar::england_and_wales());
    let day = NaiveDate::from_ymd_opt(2026, 12, 29).unwrap();
    assert_eq!(cal.local_closure(day), Some("Council closure day"));
    // Referral decision from Christmas Eve is still due on the closure day (WT2026 fn 209).
    let due = p
        .rule("referral-decision")
        .unwrap()
        .due(at("2026-12-24 10:00"), &cal);
    assert_eq!(due.date(), day);
}

/// A rule that counts back from its start event (SET's pre-birth conference) is in days.
#[test]
fn a_rule_that_counts_back_is_in_days() {
    let text = r#"
id = "x"
name = "X"
version = "1"
effective_from = 2026-01-01
front_door_name = "Front door"
[[rule]]
id = "back"
title = "Back"
start_event = "expected-delivery-date"
end_event = "held"
amount = 2
unit = "months"
before = true
strength = "should"
citation = "test"
"#;
    assert!(Profile::local(text, "x.toml", &national()).is_err());
    let set = load("set.toml");
    let r = set
        .rule("pre-birth-conference")
        .expect("SET's pre-birth rule");
    assert!(r.before);
    assert_eq!(
        r.due(at("2027-06-10 00:00"), &Calendar::england_and_wales())
            .date(),
        NaiveDate::from_ymd_opt(2027, 4, 1).unwrap()
    );
}

/// Issue 15: where the guidance gives no number, Together's reading is in the national
/// profile, marked not statutory, and a partnership's procedure may set it longer as
/// well as shorter; a rule the guidance sets may still only be shortened.
#[test]
fn a_partnership_may_lengthen_togethers_own_readings_but_not_the_guidance() {
    let p = local_with(
        "[[override]]\nid = \"allocation\"\namount = 3\ncitation = \"Local procedure 4.2\"\n",
    )
    .unwrap();
    assert_eq!(p.rule("allocation").unwrap().amount, 3);
    assert!(!p.rule("allocation").unwrap().statutory);
    let e = local_with(
        "[[override]]\nid = \"step-up-decision\"\namount = 3\ncitation = \"Local procedure 4.2\"\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("step-up-decision"), "{e}");
    // Only the national profile says what is statutory.
    let e = local_with(
        "[[rule]]\nid = \"local-thing\"\ntitle = \"T\"\nstart_event = \"a\"\nend_event = \"b\"\namount = 1\nunit = \"working_days\"\nstrength = \"should\"\nstatutory = true\ncitation = \"L\"\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("statutory"), "{e}");
}

/// Issue 15: the referral and case processes count their work by rules every profile
/// holds; a national profile without one of them is refused when it is loaded.
#[test]
fn a_national_profile_without_a_rule_the_processes_use_is_refused() {
    for id in together_domain::profile::REQUIRED_RULES {
        assert!(national().rule(id).is_some(), "{id}");
    }
    let text = NATIONAL.replace("id = \"allocation\"\n", "id = \"allocation-elsewhere\"\n");
    assert_ne!(text, NATIONAL);
    let e = Profile::national(&text).unwrap_err();
    assert!(e.to_string().contains("\"allocation\""), "{e}");
}

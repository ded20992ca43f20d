//! Statutory timescales as data: the national rules in
//! config/partnerships/national.toml and how their due dates are computed.

use chrono::{NaiveDate, NaiveDateTime};
use together_domain::calendar::Calendar;
use together_domain::profile::Profile;
use together_domain::timescale::{Due, Period, Strength, TimescaleRule, Unit};

const NATIONAL: &str = include_str!("../../../config/partnerships/national.toml");
const SET: &str = include_str!("../../../config/partnerships/set.toml");

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn national() -> Profile {
    Profile::national(NATIONAL).expect("national.toml loads")
}

fn rule(p: &Profile, id: &str) -> TimescaleRule {
    p.rule(id)
        .unwrap_or_else(|| panic!("rule {id} exists"))
        .clone()
}

fn due(p: &Profile, id: &str, start: &str) -> String {
    rule(p, id)
        .due(at(start), &Calendar::england_and_wales())
        .to_string()
}

#[test]
fn every_national_rule_is_present_with_its_citation() {
    let p = national();
    // (id, amount, unit, strength, citation) of the rules the guidance sets.
    let expect: &[(&str, u32, Unit, Strength, &str)] = &[
        (
            "referral-acknowledgement",
            1,
            Unit::WorkingDays,
            Strength::Should,
            "¶167",
        ),
        (
            "referral-decision",
            1,
            Unit::WorkingDays,
            Strength::Should,
            "¶167",
        ),
        (
            "assessment",
            45,
            Unit::WorkingDays,
            Strength::Should,
            "¶169",
        ),
        ("icpc", 15, Unit::WorkingDays, Strength::Should, "L1816"),
        (
            "core-group-first",
            10,
            Unit::WorkingDays,
            Strength::Should,
            "L1917",
        ),
        ("review-first", 3, Unit::Months, Strength::Should, "L1911"),
        ("review-next", 6, Unit::Months, Strength::Should, "L1936"),
        (
            "transfer-in-conference",
            15,
            Unit::WorkingDays,
            Strength::Should,
            "L1956",
        ),
        (
            "police-protection",
            72,
            Unit::Hours,
            Strength::Must,
            "s46(6)",
        ),
        ("epo", 8, Unit::CalendarDays, Strength::Must, "s45(1)"),
        (
            "lado-notification",
            1,
            Unit::WorkingDays,
            Strength::Should,
            "¶264",
        ),
        (
            "serious-incident-notification",
            5,
            Unit::WorkingDays,
            Strength::Must,
            "¶372",
        ),
        (
            "rapid-review",
            15,
            Unit::WorkingDays,
            Strength::Should,
            "¶385",
        ),
        (
            "lcspr-publication",
            6,
            Unit::Months,
            Strength::Should,
            "¶408",
        ),
    ];
    for (id, amount, unit, strength, cite) in expect {
        let r = rule(&p, id);
        assert_eq!(
            (r.amount, r.unit, r.strength),
            (*amount, *unit, *strength),
            "{id}"
        );
        assert!(
            r.citation.contains(cite),
            "{id} cites {cite}: {}",
            r.citation
        );
        assert!(r.statutory, "{id} is set by the guidance or an Act");
    }
    // Issue 15: Together's own readings where the guidance gives no number, each in the
    // profile with its citation (and the paragraph it reads), never a number in code.
    let own: &[(&str, u32, Unit, &str)] = &[
        ("escalation-answer", 1, Unit::WorkingDays, "¶165"),
        ("allocation", 1, Unit::WorkingDays, "¶170"),
        ("allocation-answer", 1, Unit::WorkingDays, "¶170"),
        ("family-help-assessment", 45, Unit::WorkingDays, "¶144"),
        ("assessment-follow-up", 10, Unit::WorkingDays, "¶252"),
        ("transfer-out-handover", 15, Unit::WorkingDays, "L1481"),
        (
            "strategy-after-emergency-action",
            1,
            Unit::WorkingDays,
            "L1659",
        ),
        (
            "responsibility-written-confirmation",
            2,
            Unit::WorkingDays,
            "L1655",
        ),
        ("conference-request-answer", 1, Unit::WorkingDays, "L1785"),
        (
            "conference-escalation-answer",
            2,
            Unit::WorkingDays,
            "L1785",
        ),
        ("conference-report", 1, Unit::WorkingDays, "L1828"),
        ("detailed-plan", 10, Unit::WorkingDays, "L1897"),
        ("assessment-for-plan", 0, Unit::SameDay, "L1900"),
        // Issue 16: the end of police protection or of an order, counted back.
        (
            "immediate-protection-ends-notice",
            1,
            Unit::WorkingDays,
            "L1645",
        ),
    ];
    for (id, amount, unit, cite) in own {
        let r = rule(&p, id);
        assert_eq!((r.amount, r.unit), (*amount, *unit), "{id}");
        assert!(
            r.citation.contains(cite),
            "{id} cites {cite}: {}",
            r.citation
        );
        assert!(
            !r.statutory,
            "{id} is Together's reading, which a partnership may change"
        );
    }
    // Set by the guidance, read into a rule of its own.
    for (id, amount, cite) in [
        ("step-up-decision", 1, "¶167"),
        ("strategy-after-assessment", 1, "¶167"),
    ] {
        let r = rule(&p, id);
        assert_eq!((r.amount, r.unit), (amount, Unit::WorkingDays), "{id}");
        assert!(r.citation.contains(cite), "{id} cites {cite}");
        assert!(r.statutory, "{id}");
    }
    // Issue 16: a referral about immediate risk or significant harm is decided the same
    // day (¶164 "immediately", ¶168 "as soon as possible"); a partnership may not lengthen it.
    let urgent = rule(&p, "referral-decision-urgent");
    assert_eq!(urgent.unit, Unit::SameDay);
    assert!(urgent.citation.contains("¶164") && urgent.citation.contains("¶168"));
    assert!(urgent.statutory);
    assert_eq!(
        p.rules.len(),
        expect.len() + own.len() + 3,
        "no unexpected national rules"
    );
    // The report before a conference is counted back from the conference's date.
    assert!(rule(&p, "conference-report").before);
    assert_eq!(p.version_tag(), "national@2026.1");
}

#[test]
fn referral_decision_is_due_one_working_day_after_receipt() {
    // WT2026 ¶167.
    let p = national();
    assert_eq!(
        due(&p, "referral-decision", "2026-01-07 10:00"),
        "2026-01-08"
    );
    // Friday evening: Monday.
    assert_eq!(
        due(&p, "referral-decision", "2026-01-09 18:30"),
        "2026-01-12"
    );
    // Saturday: the first working day after it, Monday (issue 16; docs/decisions.md
    // "Day 0").
    assert_eq!(
        due(&p, "referral-acknowledgement", "2026-01-10 09:00"),
        "2026-01-12"
    );
    // Saturday 3 January 2026: the decision is due Monday 5 January.
    assert_eq!(
        due(&p, "referral-decision", "2026-01-03 11:00"),
        "2026-01-05"
    );
    // Christmas Eve 2026 (Thursday): Tuesday 29 December.
    assert_eq!(
        due(&p, "referral-decision", "2026-12-24 16:00"),
        "2026-12-29"
    );
}

#[test]
fn assessment_is_due_45_working_days_from_referral() {
    // WT2026 ¶169: "no longer than 45 working days from the point of referral".
    let p = national();
    assert_eq!(due(&p, "assessment", "2026-01-05 09:00"), "2026-03-09");
    // Over Easter 2026 (3 and 6 April) and early May (4 May): Monday 9 March + 45 working days.
    assert_eq!(due(&p, "assessment", "2026-03-09 09:00"), "2026-05-14");
}

#[test]
fn icpc_core_group_and_reviews_chain() {
    let cal = Calendar::england_and_wales();
    let p = national();
    // Strategy discussion initiating s47 on Wednesday 20 May 2026; spring bank holiday 25 May.
    let icpc = rule(&p, "icpc").due(at("2026-05-20 14:00"), &cal);
    assert_eq!(icpc, Due::Date(d("2026-06-11")));
    // ICPC held Thursday 11 June 2026: first core group within 10 working days.
    assert_eq!(
        due(&p, "core-group-first", "2026-06-11 10:00"),
        "2026-06-25"
    );
    // First review within three months: 11 September 2026 (a Friday).
    assert_eq!(due(&p, "review-first", "2026-06-11 10:00"), "2026-09-11");
    // Then six-monthly: 11 March 2027 (Thursday).
    assert_eq!(due(&p, "review-next", "2026-09-11 10:00"), "2027-03-11");
    // A review due on Christmas Day moves back to Christmas Eve.
    assert_eq!(due(&p, "review-first", "2026-09-25 10:00"), "2026-12-24");
    // ICPC on 30 November: 28 February 2027 is a Sunday, so Friday 26th.
    assert_eq!(due(&p, "review-first", "2026-11-30 10:00"), "2027-02-26");
}

#[test]
fn transfer_in_conference_is_15_working_days_from_notification() {
    let p = national();
    assert_eq!(
        due(&p, "transfer-in-conference", "2026-12-21 11:00"),
        "2027-01-14"
    );
}

#[test]
fn police_protection_is_72_real_hours() {
    // Children Act 1989 s46(6): no child may be kept in police protection for more than
    // 72 hours — elapsed hours, shown in England's local time (issue 16).
    let p = national();
    assert_eq!(
        due(&p, "police-protection", "2026-12-24 21:15"),
        "2026-12-27T21:15"
    );
    // From 12:00 BST on 24 October 2026, across the clocks going back: 11:00 GMT on the 27th.
    assert_eq!(
        due(&p, "police-protection", "2026-10-24 12:00"),
        "2026-10-27T11:00"
    );
    // From 12:00 GMT on 28 March 2026, across the clocks going forward: 13:00 BST on the 31st.
    assert_eq!(
        due(&p, "police-protection", "2026-03-28 12:00"),
        "2026-03-31T13:00"
    );
    let r = rule(&p, "police-protection");
    assert!(
        r.extendable_by.is_empty(),
        "police protection cannot be extended"
    );
    assert_eq!(
        r.latest_extended_due(at("2026-12-24 21:15"), &Calendar::england_and_wales()),
        None
    );
}

#[test]
fn epo_is_eight_days_with_one_court_extension_of_seven() {
    let cal = Calendar::england_and_wales();
    let p = national();
    let r = rule(&p, "epo");
    assert_eq!(
        r.due(at("2026-12-20 15:00"), &cal),
        Due::Date(d("2026-12-28")),
        "calendar days are not moved"
    );
    assert_eq!(r.extendable_by, vec!["court".to_string()]);
    assert_eq!(r.max_extension, Some(Period::new(7, Unit::CalendarDays)));
    assert_eq!(
        r.latest_extended_due(at("2026-12-20 15:00"), &cal),
        Some(Due::Date(d("2027-01-04")))
    );
}

#[test]
fn serious_incident_rapid_review_and_lcspr() {
    let p = national();
    // WT2026 ¶372: within five working days of becoming aware.
    // Wednesday 1 April 2026, over Good Friday and Easter Monday.
    assert_eq!(
        due(&p, "serious-incident-notification", "2026-04-01 12:00"),
        "2026-04-10"
    );
    // ¶385: rapid review within 15 working days of the notification.
    assert_eq!(due(&p, "rapid-review", "2026-04-13 12:00"), "2026-05-05");
    // ¶408: LCSPR published within six months of the decision.
    assert_eq!(
        due(&p, "lcspr-publication", "2026-03-31 12:00"),
        "2026-09-30"
    );
    assert_eq!(
        due(&p, "lcspr-publication", "2026-08-31 12:00"),
        "2027-02-26"
    );
}

#[test]
fn same_day_rules_are_due_that_day_even_at_a_weekend() {
    let national = national();
    let set = Profile::local(SET, "config/partnerships/set.toml", &national).unwrap();
    // SET L2066-L2068: serious physical injury referred on a Saturday.
    assert_eq!(
        due(&set, "strategy-serious-harm", "2026-01-10 11:00"),
        "2026-01-10"
    );
    // SET L2288-L2300: child missing during s47, 24 hours.
    assert_eq!(
        due(&set, "s47-child-missing", "2026-01-10 11:00"),
        "2026-01-11T11:00"
    );
    // SET L2057-L2061: routine strategy discussion, three working days.
    assert_eq!(
        due(&set, "strategy-routine", "2026-01-09 16:00"),
        "2026-01-14"
    );
}

#[test]
fn due_display_ordering_and_breach() {
    let date = Due::Date(d("2026-03-09"));
    let time = Due::DateTime(at("2026-03-09 17:00"));
    assert_eq!(date.to_string(), "2026-03-09");
    assert_eq!(time.to_string(), "2026-03-09T17:00");
    assert!(time < date, "a date-only deadline lasts all day");
    assert!(date.is_met_by(at("2026-03-09 23:59")));
    assert!(date.is_overdue_at(at("2026-03-10 00:00")));
    assert!(time.is_met_by(at("2026-03-09 17:00")));
    assert!(time.is_overdue_at(at("2026-03-09 17:01")));
    assert_eq!(date.date(), time.date());
}

#[test]
fn periods_compare_only_when_provable() {
    let p = Period::new;
    assert_eq!(
        p(10, Unit::WorkingDays).not_longer_than(&p(15, Unit::WorkingDays)),
        Some(true)
    );
    assert_eq!(
        p(20, Unit::WorkingDays).not_longer_than(&p(15, Unit::WorkingDays)),
        Some(false)
    );
    assert_eq!(
        p(24, Unit::Hours).not_longer_than(&p(1, Unit::WorkingDays)),
        Some(true)
    );
    assert_eq!(
        p(48, Unit::Hours).not_longer_than(&p(1, Unit::WorkingDays)),
        None
    );
    assert_eq!(
        p(3, Unit::CalendarDays).not_longer_than(&p(3, Unit::WorkingDays)),
        Some(true)
    );
    assert_eq!(
        p(3, Unit::WorkingDays).not_longer_than(&p(3, Unit::CalendarDays)),
        None
    );
    assert_eq!(
        p(0, Unit::SameDay).not_longer_than(&p(1, Unit::WorkingDays)),
        Some(true)
    );
    assert_eq!(
        p(0, Unit::SameDay).not_longer_than(&p(24, Unit::Hours)),
        None
    );
    assert_eq!(
        p(60, Unit::CalendarDays).not_longer_than(&p(3, Unit::Months)),
        None
    );
    assert_eq!(p(15, Unit::WorkingDays).to_string(), "15 working days");
    assert_eq!(p(1, Unit::WorkingDays).to_string(), "1 working day");
}

#[test]
fn rules_serialise_with_snake_case_units() {
    let p = national();
    let json = serde_json::to_value(rule(&p, "epo")).unwrap();
    assert_eq!(json["unit"], "calendar_days");
    assert_eq!(json["strength"], "must");
    assert_eq!(json["max_extension"]["unit"], "calendar_days");
    let back: TimescaleRule = serde_json::from_value(json).unwrap();
    assert_eq!(back, rule(&p, "epo"));
    let due = serde_json::to_string(&Due::Date(d("2026-01-01"))).unwrap();
    assert_eq!(due, r#"{"date":"2026-01-01"}"#);
}

/// Issue 16; SET 2.6.14: a pre-birth conference "ten weeks prior to the expected delivery
/// date". Counted back to a day it cannot be held, it is due the working day before.
#[test]
fn a_date_counted_back_to_a_non_working_day_moves_to_the_working_day_before() {
    let set = together_domain::profile::Profile::local(
        include_str!("../../../config/partnerships/set.toml"),
        "config/partnerships/set.toml",
        &national(),
    )
    .unwrap();
    // Expected on Sunday 7 March 2027: seventy days before is Sunday 27 December 2026,
    // after Christmas Day and with Boxing Day's substitute on the Monday: Thursday 24th.
    assert_eq!(
        due(&set, "pre-birth-conference", "2027-03-07 00:00"),
        "2026-12-24"
    );
    // Expected on a Wednesday: seventy days before is a Wednesday, kept.
    assert_eq!(
        due(&set, "pre-birth-conference", "2027-03-10 00:00"),
        "2026-12-30"
    );
}

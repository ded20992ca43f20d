//! The work tray a page at a time (issue 6): a practice supervisor with more work than
//! a page holds sees it all, page by page, soonest overdue first, and is told how much
//! is waiting and how much is overdue — the decisions the front door owes within one
//! working day (WT2026 ¶167) are never silently cut off the end of a list.

use chrono::{Duration, TimeZone, Utc};
use together_app::work_tray::{place_from_link, place_to_link, Counted, TrayItem};
use together_store::Owner;

mod common;
use common::*;

fn exactly(c: Counted) -> u64 {
    match c {
        Counted::Exactly(n) => n,
        Counted::MoreThan(n) => panic!("counted past {n}"),
    }
}

fn place(e: &TrayItem) -> (String, String, String) {
    let p = e.place();
    (p.overdue_from, p.id, p.key)
}

#[test]
fn a_full_tray_opens_a_page_at_a_time_with_nothing_lost_and_the_overdue_counted() {
    // Monday 23 November 2026, 09:00: 23 referrals arrive in the morning and 20 more
    // on Tuesday, each with work for the front door (acknowledge) and the supervisors
    // (decide), several falling due at the same moment.
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    for day in 0..2 {
        for n in 0..[23, 20][day] {
            submit(
                &f,
                "school",
                &school_referral(&format!("Child{day}x{n}"), "Tray", "2018-03-01"),
            );
            f.clock.advance(Duration::minutes(7));
        }
        f.clock
            .advance(Duration::days(1) - Duration::minutes(7 * 23));
    }
    let sup = caller(&f.app, "supervisor");
    let everything: Vec<_> = {
        let mut all: Vec<_> = f.app.tray(&sup).unwrap();
        all.extend(f.app.case_tray(&sup).unwrap());
        let mut keys: Vec<_> = all.iter().map(place).collect();
        keys.sort();
        keys
    };
    assert!(everything.len() > 50, "more work than one page holds");

    let first = f.app.work_tray(&sup, None, 50).unwrap();
    assert_eq!(first.items.len(), 50);
    assert_eq!(first.count.total, Counted::Exactly(everything.len() as u64));
    let mut seen: Vec<_> = first.items.iter().map(place).collect();
    let mut overdue_seen = first.items.iter().filter(|i| i.overdue).count();
    assert!(
        first
            .items
            .windows(2)
            .all(|w| w[0].overdue || !w[1].overdue),
        "overdue work comes first"
    );
    let mut next = first.next.clone();
    while let Some(after) = next {
        // The place travels through a link and back.
        let after = place_from_link(&place_to_link(&after)).expect("Together's own link");
        let page = f.app.work_tray(&sup, Some(&after), 50).unwrap();
        assert_eq!(page.count, first.count, "the count is of the whole tray");
        seen.extend(page.items.iter().map(place));
        overdue_seen += page.items.iter().filter(|i| i.overdue).count();
        next = page.next;
    }
    assert_eq!(seen, everything, "every item once, soonest overdue first");
    // Any item can start a page: the link made from its place reads back as it.
    let all = f.app.work_tray(&sup, None, 500).unwrap();
    for item in &all.items {
        let place = item.place();
        assert_eq!(
            place_from_link(&place_to_link(&place)).as_ref(),
            Some(&place),
            "{place:?}"
        );
    }
    assert_eq!(first.count.overdue, Counted::Exactly(overdue_seen as u64));

    // Two days on, Tuesday's decisions are overdue too (WT2026 ¶167: one working day).
    f.clock.advance(Duration::days(2));
    let later = f.app.work_tray(&sup, None, 50).unwrap();
    assert_eq!(later.count.total, first.count.total);
    assert!(exactly(later.count.overdue) > exactly(first.count.overdue));

    // The counts stop past a bound, so a tray costs the same however large a backlog
    // grows; up to the bound they are exact, referral and case work together.
    let n = everything.len() as u64;
    let overdue = exactly(later.count.overdue);
    let at = |to: u64| {
        f.app
            .work_tray_counted_to(&sup, None, 50, to)
            .unwrap()
            .count
    };
    assert_eq!(at(n).total, Counted::Exactly(n));
    assert_eq!(at(n - 1).total, Counted::MoreThan(n - 1));
    assert_eq!(at(overdue).overdue, Counted::Exactly(overdue));
    assert_eq!(at(overdue - 1).overdue, Counted::MoreThan(overdue - 1));
    assert_eq!(at(10).total, Counted::MoreThan(10));
    assert_eq!(at(10).overdue, Counted::MoreThan(10));
}

#[test]
fn a_front_door_worker_sees_only_the_front_doors_queue_and_a_partner_no_referral_work() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    submit(&f, "school", &school_referral("Ada", "Quill", "2019-05-01"));
    let fd = f
        .app
        .work_tray(&caller(&f.app, "frontdoor"), None, 50)
        .unwrap();
    assert!(fd
        .items
        .iter()
        .all(|i| i.work.process_kind == "referral"
            && i.work.owner == Owner::Queue("front-door".into())));
    assert_eq!(fd.count.total, Counted::Exactly(fd.items.len() as u64));
    let school = f
        .app
        .work_tray(&caller(&f.app, "school"), None, 50)
        .unwrap();
    assert!(
        school.items.iter().all(|i| i.work.process_kind == "case"),
        "a partner's tray holds only the plan work assigned to them"
    );
    assert_eq!(
        school.count.total,
        Counted::Exactly(school.items.len() as u64)
    );
}

/// Issue 16 (WT2026 ¶164: a referral about significant harm is made "immediately";
/// ¶168: protection "as soon as possible"): a referral that says the child is at
/// immediate risk is decided the same day, and heads the supervisor's tray and the
/// front door's list however much older work is waiting — even work already overdue —
/// marked urgent; it is not shown a second time further down.
#[test]
fn an_urgent_referral_heads_the_tray_and_the_list_and_is_due_the_same_day() {
    // Friday 20 November 2026: ten referrals, due Monday 23rd (one working day). On
    // Tuesday 24th they are overdue, and then an urgent one arrives.
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap());
    for n in 0..10 {
        submit(
            &f,
            "school",
            &school_referral(&format!("Older{n}"), "Waiting", "2018-03-01"),
        );
        f.clock.advance(Duration::minutes(3));
    }
    f.clock.advance(Duration::days(4));
    let mut urgent_input = school_referral("Now", "Urgent", "2019-01-01");
    urgent_input.significant_harm = "yes".into();
    let urgent = submit(&f, "school", &urgent_input);

    let sup = caller(&f.app, "supervisor");
    let tray = f.app.work_tray(&sup, None, 5).unwrap();
    // First the urgent referral's work (the decision, and the front door's check of
    // whether the child is known, which comes before it), then the overdue work.
    let (first, rest): (Vec<_>, Vec<_>) = tray.items.iter().partition(|i| i.work.urgent);
    assert!(tray.items[..first.len()].iter().all(|i| i.work.urgent));
    assert!(first.iter().all(|i| i.work.process_id == urgent.0));
    let decide = first
        .iter()
        .find(|i| i.work.key == "decide")
        .expect("the decision");
    assert!(decide.work.title.starts_with("Urgent"));
    assert!(
        !rest.is_empty() && rest.iter().all(|i| i.overdue),
        "then the overdue work"
    );
    // Due the same day it was received (Tuesday 24 November), by the profile's rule.
    let view = f.app.referral(&sup, urgent).unwrap();
    assert_eq!(
        view.referral.due.decision.rule_id,
        "referral-decision-urgent"
    );
    assert_eq!(
        view.referral.due.decision.due,
        together_domain::timescale::Due::Date(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
        )
    );
    // Every page after the first never shows it again.
    let mut after = tray.next.clone();
    while let Some(a) = after {
        let page = f.app.work_tray(&sup, Some(&a), 5).unwrap();
        assert!(page.items.iter().all(|i| !i.work.urgent));
        after = page.next;
    }
    // The front door's list: the urgent referral first, marked.
    let fd = caller(&f.app, "frontdoor");
    let list = f.app.referrals_for(&fd, false, 200).unwrap();
    assert_eq!(list[0].id, urgent.0);
    assert!(list[0].urgent);
    assert!(list[1..].iter().all(|r| !r.urgent));
}

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

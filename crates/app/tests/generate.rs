//! The synthetic partnership (issue 6): the same seed tells the same children however
//! many stories are told side by side, and the front door acknowledges what it is told on the telephone (WT2026 ¶167), so no
//! generated referral waits for ever in a tray.

use chrono::NaiveDate;
use std::sync::Arc;
use together_app::generate::{generate, Options, Report};
use together_app::profiles::ProfileSource;
use together_store::{Owner, Store, TrayQuery};

fn county(
    seed: u64,
    children: usize,
    years: u32,
    jobs: usize,
) -> (tempfile::TempDir, Arc<dyn Store>, Report) {
    let dir = tempfile::tempdir().unwrap();
    let store = together_store::open(dir.path().join("g.db").to_str().unwrap()).unwrap();
    let report = generate(
        store.clone(),
        ProfileSource::default().load("national").unwrap(),
        &Options {
            children,
            years,
            seed,
            until: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            la_code: "881".into(),
            jobs,
        },
        |_, _| {},
    )
    .unwrap();
    assert!(report.refused.is_empty(), "refused: {:?}", report.refused);
    (dir, store, report)
}

/// Every child as (given name, family name, date of birth, postcode), sorted.
fn children(store: &dyn Store) -> Vec<(String, String, Option<String>, Option<String>)> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = store.matchable_children(after, 500).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.person.id);
        all.extend(page.into_iter().map(|m| {
            let p = m.person;
            (p.given_name, p.family_name, p.date_of_birth, p.postcode)
        }));
    }
    all.sort();
    all
}

#[test]
fn the_same_seed_tells_the_same_children_however_many_are_told_side_by_side() {
    let (_a, one, by_one) = county(11, 60, 3, 1);
    let (_b, four, by_four) = county(11, 60, 3, 4);
    assert_eq!(by_one.children, 60);
    for (a, b) in [
        (by_one.referrals, by_four.referrals),
        (by_one.re_referrals, by_four.re_referrals),
        (by_one.cases, by_four.cases),
        (by_one.assessments, by_four.assessments),
        (by_one.cin_plans, by_four.cin_plans),
        (by_one.enquiries, by_four.enquiries),
        (by_one.conferences, by_four.conferences),
        (by_one.cp_plans, by_four.cp_plans),
    ] {
        assert_eq!(a, b, "{by_one:?} / {by_four:?}");
    }
    let people = children(one.as_ref());
    assert_eq!(people.len(), 60);
    assert_eq!(people, children(four.as_ref()));
    // A different seed is a different county.
    let (_c, other, _) = county(12, 60, 3, 4);
    assert_ne!(people, children(other.as_ref()));
}

#[test]
fn telephone_referrals_are_acknowledged_so_none_waits_for_ever() {
    // ¶167: the referrer is told the referral was received. Written referrals are
    // acknowledged on receipt; the generated front door acknowledges calls too, so the
    // only front-door work left is for referrals still in their first working day.
    let (_d, store, report) = county(3, 40, 2, 2);
    assert!(report.referrals >= 40);
    let waiting = store
        .work(&TrayQuery {
            owners: vec![Owner::Queue("front-door".into()), Owner::supervisors()],
            kind: Some("referral".into()),
            limit: 2_000,
            ..TrayQuery::default()
        })
        .unwrap();
    let acknowledge: Vec<_> = waiting
        .iter()
        .filter(|w| w.title.starts_with("Acknowledge"))
        .collect();
    assert!(acknowledge.is_empty(), "{acknowledge:?}");
}

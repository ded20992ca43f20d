//! `together reproject` (issue 15): every projection rebuilt from the hash-chained logs
//! gives the same trays, lists, figures and census as the projections written as the
//! work happened; and after a bank holiday is proclaimed, the due dates that cross it
//! move (WT2026 fn 209: a working day is not a bank holiday), and no other.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use std::sync::Arc;
use together_app::clock::FixedClock;
use together_app::generate::{generate, Options};
use together_app::profiles::ProfileSource;
use together_app::{App, Caller, Settings};
use together_domain::role::Role;
use together_domain::timescale::Due;
use together_returns::census::CollectionYear;
use together_store::{
    CaseActionQuery, Owner, ProclamationRow, ReferralQuery, Store, TrayQuery, WorkRow,
};

fn county() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = together_store::open(dir.path().join("r.db").to_str().unwrap()).unwrap();
    let report = generate(
        store.clone(),
        ProfileSource::default().load("national").unwrap(),
        &Options {
            children: 80,
            years: 2,
            seed: 7,
            until: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            la_code: "881".into(),
            jobs: 2,
        },
        |_, _| {},
    )
    .unwrap();
    assert!(report.refused.is_empty(), "refused: {:?}", report.refused);
    (dir, store)
}

fn app_on(store: Arc<dyn Store>) -> App {
    App::new(
        store,
        ProfileSource::default().load("national").unwrap(),
        Arc::new(FixedClock::at(
            Utc.with_ymd_and_hms(2026, 11, 20, 17, 0, 0).unwrap(),
        )),
        Settings::default(),
    )
    .unwrap()
}

fn someone(app: &App, role: Role) -> Caller {
    let u = app
        .store
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.role == role.id())
        .expect("the county has one");
    app.caller_for(&u, "test").unwrap()
}

/// Every piece of open work: every user's and every queue's.
fn all_work(store: &dyn Store) -> Vec<WorkRow> {
    let mut owners: Vec<Owner> = store
        .users()
        .unwrap()
        .into_iter()
        .map(|u| Owner::Person(u.id))
        .collect();
    owners.push(Owner::Queue("front-door".into()));
    owners.push(Owner::supervisors());
    let mut all = Vec::new();
    for owner in owners {
        let mut after = None;
        loop {
            let page = store
                .work(&TrayQuery {
                    owners: vec![owner.clone()],
                    after: after.clone(),
                    limit: 2_000,
                    ..Default::default()
                })
                .unwrap();
            let Some(last) = page.last() else { break };
            after = Some(together_store::WorkAfter {
                overdue_from: last.overdue_from.clone(),
                id: last.process_id.to_string(),
                key: last.key.clone(),
            });
            all.extend(page);
        }
    }
    all
}

/// What users see that the projections hold.
fn snapshot(app: &App) -> (Vec<WorkRow>, String, String, String, String) {
    let s = app.store.as_ref();
    let referrals = s
        .referrals(&ReferralQuery {
            limit: 1_000,
            ..Default::default()
        })
        .unwrap();
    let cases = s.cases_between("0000-01-01", "9999-12-31").unwrap();
    let actions = s
        .case_actions(&CaseActionQuery {
            limit: 2_000,
            ..Default::default()
        })
        .unwrap();
    let manager = someone(app, Role::PartnershipManager);
    let year = CollectionYear { first: 2025 };
    let (_, census) = app.census_xml(&manager, year, None).unwrap();
    let figures = format!("{:?}", app.figures(&manager, year, None).unwrap().tables);
    (
        all_work(s),
        format!("{referrals:?}{cases:?}{actions:?}"),
        census,
        figures,
        format!("{}", referrals.len()),
    )
}

#[test]
fn reprojecting_a_county_changes_nothing_users_see_and_a_proclaimed_holiday_moves_what_crosses_it()
{
    let (_dir, store) = county();
    let app = app_on(store.clone());
    let before = snapshot(&app);
    assert!(before.0.len() > 20, "a county with work waiting");
    let done = app.reproject_all().unwrap();
    assert!(done.referrals > 0 && done.cases > 0);
    let after = snapshot(&app);
    assert_eq!(after.0, before.0, "the same work, due the same days");
    assert_eq!(
        after.1, before.1,
        "the same referrals, cases and plan actions"
    );
    assert_eq!(after.2, before.2, "the same census");
    assert_eq!(after.3, before.3, "the same figures");

    // A day is proclaimed a bank holiday: Wednesday 25 November 2026. Work due by
    // working days from before it and on or after it moves a working day later;
    // work due before it does not move.
    let holiday = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    assert!(holiday.weekday().num_days_from_monday() < 5);
    app.store
        .add_proclamation(&ProclamationRow {
            date: holiday.to_string(),
            name: "A proclaimed bank holiday".into(),
            replaces: None,
            added_by: None,
            added_at: "2026-11-20T17:00:00Z".into(),
        })
        .unwrap();
    app.reload_calendar().unwrap();
    app.reproject_all().unwrap();
    let by_work = |mut w: Vec<WorkRow>| {
        w.sort_by_key(|w| (w.process_id, w.key.clone()));
        w
    };
    let moved = by_work(all_work(app.store.as_ref()));
    let was_due = by_work(before.0.clone());
    assert_eq!(moved.len(), was_due.len());
    let due = |w: &WorkRow| match serde_json::from_str::<Due>(&w.due).unwrap() {
        Due::Date(d) => Some(d),
        Due::DateTime(_) => None,
    };
    let mut crossed = 0;
    for (was, now) in was_due.iter().zip(&moved) {
        assert_eq!((&was.process_id, &was.key), (&now.process_id, &now.key));
        let (Some(a), Some(b)) = (due(was), due(now)) else {
            continue;
        };
        if a < holiday {
            assert_eq!(
                a, b,
                "{} {} due before the holiday",
                was.process_id, was.key
            );
        } else {
            assert!(b >= a, "{} {}", was.process_id, was.key);
            assert_ne!(b, holiday, "nothing is due on a bank holiday");
            if b > a {
                crossed += 1;
            }
        }
    }
    assert!(crossed > 0, "some work's due date crossed the new holiday");
}

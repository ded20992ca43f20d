//! The process kernel (issue 15): a process defined outside the app, the store and
//! the trays runs through the one path (gate → load → decide → apply → seal →
//! project → append), reaches the trays through the one work table, is logged in the
//! access log by kind and id, and is rebuilt from its log by `reproject`.
//!
//! The process is the kernel's worked example (`together_domain::process_example`): a
//! partner practitioner tells children's social care of a concern about a child; a
//! practice supervisor acknowledges it within the profile's `referral-decision` rule
//! (WT2026 ¶167: one working day).

use chrono::{NaiveDate, TimeZone, Utc};
use together_app::process::ProcessView;
use together_app::AppError;
use together_domain::access::Scope;
use together_domain::ids::PersonId;
use together_domain::process::Subject;
use together_domain::process_example::{Command, ConcernNotice};
use together_store::{AccessQuery, ChildQuery, ProclamationRow};

mod common;
use common::*;

fn a_child(f: &Fixture) -> PersonId {
    f.app
        .store
        .children(&ChildQuery {
            limit: 1,
            ..Default::default()
        })
        .unwrap()[0]
        .id
}

fn raise(f: &Fixture, who: &str, child: PersonId) -> Result<ProcessView<ConcernNotice>, AppError> {
    f.app.start_process::<ConcernNotice>(
        &caller(&f.app, who),
        uuid::Uuid::now_v7(),
        Command::Raise {
            child,
            concern: "Bruising seen at drop-off".into(),
        },
    )
}

#[test]
fn a_process_runs_through_the_one_path_to_the_tray_and_is_logged_by_kind_and_id() {
    // Friday 4 December 2026, 10:00 in England (GMT).
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap());
    let child = a_child(&f);
    let school = caller(&f.app, "school");
    let sup = caller(&f.app, "supervisor");

    // A partner starts one; the process's own rules check its fields.
    let bad = f.app.start_process::<ConcernNotice>(
        &school,
        uuid::Uuid::now_v7(),
        Command::Raise {
            child,
            concern: " ".into(),
        },
    );
    assert!(
        matches!(&bad, Err(AppError::Invalid(e)) if e.for_field("concern").is_some()),
        "{:?}",
        bad.err()
    );
    let v = raise(&f, "school", child).unwrap();
    let id = v.id;
    assert_eq!(v.history.len(), 1);

    // Its work is in the supervisors' tray with everything else, due by the profile's
    // rule: one working day after Friday is Monday 7 December (WT2026 ¶167).
    let tray = f.app.work_tray(&sup, None, 500).unwrap();
    let item = tray
        .items
        .iter()
        .find(|i| i.work.process_id == id)
        .expect("in the supervisors' tray");
    assert_eq!(item.work.link, format!("/concern-notices/{id}"));
    assert_eq!(item.work.rule_id.as_deref(), Some("referral-decision"));
    assert_eq!(item.work.citation, "WT2026 ¶167");
    assert_eq!(
        item.due,
        Some(together_domain::timescale::Due::Date(
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        ))
    );
    let child_row = f.app.store.person(child).unwrap().unwrap();
    assert_eq!(
        item.work.summary,
        format!("{} {}", child_row.given_name, child_row.family_name),
        "the tray names the child as the record has it"
    );
    assert!(!item.overdue);
    // Not in a front door worker's tray: not their queue.
    let fd = f
        .app
        .work_tray(&caller(&f.app, "frontdoor"), None, 500)
        .unwrap();
    assert!(fd.items.iter().all(|i| i.work.process_id != id));

    // The one access decision: holders in full, the partner who raised it as shared,
    // another partner and a role with no standing not at all.
    assert_eq!(
        f.app.process_view::<ConcernNotice>(&sup, id).unwrap().scope,
        Scope::Full
    );
    assert_eq!(
        f.app
            .process_view::<ConcernNotice>(&school, id)
            .unwrap()
            .scope,
        Scope::SharedOnly
    );
    for who in ["police", "frontdoor", "partnership", "admin"] {
        assert!(
            matches!(
                f.app
                    .process_view::<ConcernNotice>(&caller(&f.app, who), id),
                Err(AppError::Forbidden(_))
            ),
            "{who}"
        );
    }
    assert!(matches!(
        f.app
            .process_view::<ConcernNotice>(&sup, uuid::Uuid::now_v7()),
        Err(AppError::NotFound)
    ));
    // The process's own role table: a partner may not acknowledge (logged).
    assert!(matches!(
        f.app
            .act_on_process::<ConcernNotice>(&school, id, Command::Acknowledge),
        Err(AppError::Forbidden(_))
    ));

    // Every decision about it is in the access log under its kind and id, with the
    // child it is about.
    let logged = f
        .app
        .store
        .access_log(&AccessQuery {
            subject: Some(Subject {
                kind: "concern-notice".into(),
                id,
            }),
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert!(logged
        .iter()
        .any(|e| e.action == "view-process" && e.allowed));
    assert!(logged
        .iter()
        .any(|e| e.action == "view-process" && !e.allowed));
    assert!(logged
        .iter()
        .any(|e| e.action == "work-on-process" && !e.allowed));
    assert!(logged
        .iter()
        .filter(|e| e.action == "view-process" && e.allowed)
        .all(|e| e.child == Some(child)));

    // Overdue after Monday; acknowledged, it leaves the tray; twice is a conflict.
    f.clock.advance(chrono::Duration::days(4));
    let tray = f.app.work_tray(&sup, None, 500).unwrap();
    assert!(tray
        .items
        .iter()
        .any(|i| i.work.process_id == id && i.overdue));
    let done = f
        .app
        .act_on_process::<ConcernNotice>(&sup, id, Command::Acknowledge)
        .unwrap();
    assert_eq!(done.history.len(), 2);
    assert!(f
        .app
        .work_tray(&sup, None, 500)
        .unwrap()
        .items
        .iter()
        .all(|i| i.work.process_id != id));
    assert!(matches!(
        f.app
            .act_on_process::<ConcernNotice>(&sup, id, Command::Acknowledge),
        Err(AppError::Conflict(_))
    ));
    // Listed for its holders, about the child for those allowed.
    let listed = f.app.process_list::<ConcernNotice>(&sup, 50).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].stage, "acknowledged");
    assert!(f.app.process_list::<ConcernNotice>(&school, 50).is_err());
    let about = f
        .app
        .processes_about::<ConcernNotice>(&school, &Subject::child(child))
        .unwrap();
    assert_eq!(about.len(), 1);
    assert!(f
        .app
        .processes_about::<ConcernNotice>(&caller(&f.app, "police"), &Subject::child(child))
        .unwrap()
        .is_empty());
    // A second start with the same id is refused, not a second process.
    assert!(matches!(
        f.app.start_process::<ConcernNotice>(
            &school,
            id,
            Command::Raise {
                child,
                concern: "again".into()
            }
        ),
        Err(AppError::Conflict(_))
    ));
    // The chain holds.
    let report = together_store::audit::verify_all(f.app.store.as_ref()).unwrap();
    assert!(report.logs > 1);
}

#[test]
fn a_proclaimed_bank_holiday_moves_a_due_date_when_the_process_is_reprojected() {
    // Friday 4 December 2026: due Monday 7 December; then Monday is proclaimed a bank
    // holiday (as 19 September 2022 was), and the work is due Tuesday 8 December.
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap());
    let child = a_child(&f);
    let id = raise(&f, "school", child).unwrap().id;
    let sup = caller(&f.app, "supervisor");
    let due = |f: &Fixture| {
        f.app
            .work_tray(&sup, None, 500)
            .unwrap()
            .items
            .into_iter()
            .find(|i| i.work.process_id == id)
            .and_then(|i| i.due)
            .map(|d| d.date())
    };
    assert_eq!(due(&f), NaiveDate::from_ymd_opt(2026, 12, 7));
    f.app
        .store
        .add_proclamation(&ProclamationRow {
            date: "2026-12-07".into(),
            name: "A proclaimed day".into(),
            replaces: None,
            added_by: None,
            added_at: "2026-12-04T10:00:00Z".into(),
        })
        .unwrap();
    f.app.reload_calendar().unwrap();
    assert_eq!(
        due(&f),
        NaiveDate::from_ymd_opt(2026, 12, 7),
        "projections hold until rebuilt"
    );
    let before = f.app.store.log(PersonId(id)).unwrap();
    // A stored process whose kind this app does not run cannot be rebuilt: said, not skipped.
    assert!(
        matches!(f.app.reproject_all(), Err(AppError::Internal(m)) if m.contains("concern-notice"))
    );
    f.app
        .register(together_app::registry::entry::<ConcernNotice>());
    let done = f.app.reproject_all().unwrap();
    assert_eq!(done.processes, 1);
    assert_eq!(due(&f), NaiveDate::from_ymd_opt(2026, 12, 8));
    assert_eq!(
        f.app.store.log(PersonId(id)).unwrap(),
        before,
        "rebuilding appends nothing"
    );
}

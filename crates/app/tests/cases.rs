//! Help for children and families (issue 4) through the application and a real store:
//! a case opened from a referral decision takes the referral's next work; the 45
//! working days run from the referral; a school lead practitioner writes to the Family
//! Help record and nothing else, and refusals are logged; plan actions reach their
//! owners; re-opening starts a new case; every case log verifies.

use chrono::{TimeZone, Utc};
use together_app::front_door::ThresholdSupport;
use together_app::AppError;
use together_domain::case::decide::ActionInput;
use together_domain::case::{AssessmentKind, ClosureReason, Command, PlanKind, Service};
use together_domain::ids::CaseId;
use together_domain::referral::{DecideInput, Outcome, ReferralCommand, ReferralId};
use together_domain::timescale::Due;
use together_store::AccessQuery;

mod common;
use common::*;

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// A referral received on Thursday 10 December 2026, linked to a new record and decided
/// for a child in need assessment.
fn decided_referral(f: &Fixture) -> (ReferralId, together_domain::ids::PersonId) {
    let id = submit(
        f,
        "school",
        &school_referral("Mia", "Casework", "2018-02-02"),
    );
    let fd = caller(&f.app, "frontdoor");
    let person = f
        .app
        .open_child_record(
            &fd,
            &together_domain::person::PersonInput {
                kind: "child".into(),
                given_name: "Mia".into(),
                family_name: "Casework".into(),
                date_of_birth: "2018-02-02".into(),
                sex: "female".into(),
                ..Default::default()
            },
        )
        .unwrap();
    f.app.link_referred_child(&fd, id, 0, person).unwrap();
    let sup = caller(&f.app, "supervisor");
    f.app
        .act_on_referral(
            &sup,
            id,
            ReferralCommand::Decide(Box::new(DecideInput {
                outcomes: vec![Outcome::ChildInNeedAssessment],
                reasons: "Needs assessment under section 17.".into(),
                ..Default::default()
            })),
            ThresholdSupport::default(),
        )
        .unwrap();
    (id, person)
}

/// Issue 4: "Once a referral is accepted, a practice supervisor allocates a lead
/// practitioner"; ¶169: 45 working days "from the point of referral". Referral on
/// Thursday 10 December 2026; due Tuesday 16 February 2027 across Christmas and New Year.
#[test]
fn a_case_opened_from_a_referral_takes_its_work_and_its_clock() {
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 12, 10, 10, 0, 0).unwrap());
    let (rid, person) = decided_referral(&f);
    let sup = caller(&f.app, "supervisor");
    assert!(f
        .app
        .tray(&sup)
        .unwrap()
        .iter()
        .any(|t| t.work.process_id == rid.0 && t.work.key.starts_with("next-")));
    // A front door worker may not open a case from the referral: refused and logged.
    let fd = caller(&f.app, "frontdoor");
    assert!(matches!(
        f.app
            .open_case_from_referral(&fd, rid, 0, Service::SocialCare, "x", None),
        Err(AppError::Forbidden(_))
    ));
    f.clock.advance(chrono::Duration::days(4)); // Monday 14 December
    let case = f
        .app
        .open_case_from_referral(&sup, rid, 0, Service::SocialCare, "Referral accepted", None)
        .unwrap();
    assert!(
        !f.app
            .tray(&sup)
            .unwrap()
            .iter()
            .any(|t| t.work.process_id == rid.0 && t.work.key.starts_with("next-")),
        "the assessment work moved from the referral to the case"
    );
    // Twice is refused: the child already has an open case.
    assert!(f
        .app
        .open_case_from_referral(&sup, rid, 0, Service::SocialCare, "again", None)
        .is_err());
    let tray = f.app.case_tray(&sup).unwrap();
    assert!(tray
        .iter()
        .any(|t| t.work.process_id == case.0 && t.work.key == "allocate"));

    let sw = caller(&f.app, "socialworker");
    let me = f.app.practitioner(sw.actor_id).unwrap();
    f.app
        .act_on_case(
            &sup,
            case,
            Command::ProposeLead {
                to: me,
                family_views: "Mother agrees".into(),
                handover: String::new(),
            },
        )
        .unwrap();
    f.app
        .act_on_case(
            &sw,
            case,
            Command::AnswerAllocation {
                accept: true,
                reason: String::new(),
            },
        )
        .unwrap();
    // The lead practitioner's children are "your children" on their home page.
    assert!(f
        .app
        .my_children(&sw, Some("allocated"))
        .unwrap()
        .iter()
        .any(|p| p.id == person));
    let v = f
        .app
        .act_on_case(
            &sw,
            case,
            Command::StartAssessment {
                kind: AssessmentKind::ChildAndFamily,
                started_on: day("2026-12-14"),
                about: String::new(),
                gestation_weeks: None,
                late_start_reason: String::new(),
            },
        )
        .unwrap();
    assert_eq!(
        v.case.assessment(1).unwrap().due,
        Some(Due::Date(day("2027-02-16")))
    );
    let mine = f.app.case_tray(&sw).unwrap();
    let item = mine
        .iter()
        .find(|t| t.work.process_id == case.0 && t.work.key == "assessment-1")
        .unwrap();
    assert!(!item.overdue);
    f.clock.advance(chrono::Duration::days(65)); // Wednesday 17 February 2027
    let mine = f.app.case_tray(&sw).unwrap();
    // The tray's overdue flag is worked out when it is read.
    assert!(mine
        .iter()
        .any(|t| t.work.process_id == case.0 && t.work.key == "assessment-1" && t.overdue));
    assert_eq!(f.app.cases_of_child(person).unwrap().len(), 1);
    together_store::audit::verify_all(f.app.store.as_ref()).unwrap();
}

/// Issue 4: "A partner practitioner who is lead practitioner in Family Help can write to
/// that child's Family Help record and nothing else"; actions reach their owners and
/// agency systems; closing with an open plan is refused; re-opening is a new case.
#[test]
fn a_school_leads_family_help_and_nothing_else() {
    let f = fixture_at(Utc.with_ymd_and_hms(2027, 1, 11, 10, 0, 0).unwrap());
    let (rid, person) = decided_referral(&f);
    let sup = caller(&f.app, "supervisor");
    let school = caller(&f.app, "school");
    let health = caller(&f.app, "health");
    let case = f
        .app
        .open_case_from_referral(
            &sup,
            rid,
            0,
            Service::FamilyHelp,
            "Family Help agreed",
            None,
        )
        .unwrap();
    // Before allocation the school, which referred the child, sees only what is shared
    // (issue 16: a referrer's part in the work); health, with no part, sees nothing.
    assert_eq!(
        f.app.case_view(&school, case).unwrap().scope,
        together_domain::access::Scope::SharedOnly
    );
    assert!(matches!(
        f.app.case_view(&health, case),
        Err(AppError::Forbidden(_))
    ));
    let dsl = f.app.practitioner(school.actor_id).unwrap();
    f.app
        .act_on_case(
            &sup,
            case,
            Command::ProposeLead {
                to: dsl,
                family_views: "Mother trusts the school".into(),
                handover: String::new(),
            },
        )
        .unwrap();
    // Asked: the school may now read it and answer.
    f.app.case_view(&school, case).unwrap();
    f.app
        .act_on_case(
            &school,
            case,
            Command::AnswerAllocation {
                accept: true,
                reason: String::new(),
            },
        )
        .unwrap();
    f.app
        .act_on_case(
            &school,
            case,
            Command::RecordConsent {
                given: true,
                given_by: "Mother".into(),
                told: "What is recorded and shared, and why".into(),
                on: day("2027-01-11"),
            },
        )
        .unwrap();
    let owner = f.app.owner(Some(school.actor_id), "").unwrap();
    f.app
        .act_on_case(
            &school,
            case,
            Command::MakePlan {
                kind: PlanKind::FamilyHelp,
                agreed_on: day("2027-01-11"),
                outcomes: vec!["On time for school".into()],
                services: vec![],
                family_views: "Made with mother".into(),
                actions: vec![ActionInput {
                    what: "Breakfast club".into(),
                    owner,
                    by: Some(day("2027-01-20")),
                }],
                next_review: Some(day("2027-03-01")),
            },
        )
        .unwrap();
    // Not the statutory work: a child and family assessment, closure. Refusals are logged.
    assert!(matches!(
        f.app.act_on_case(
            &school,
            case,
            Command::Close {
                on: day("2027-01-11"),
                reason: ClosureReason::RC7,
                note: String::new()
            }
        ),
        Err(AppError::Forbidden(_))
    ));
    let refusals = f
        .app
        .store
        .access_log(&AccessQuery {
            child: Some(person),
            only_denied: true,
            ..Default::default()
        })
        .unwrap();
    assert!(refusals.iter().any(|e| e.action == "work-on-case"));
    // Another partner with no part in the work may not write to it.
    assert!(matches!(
        f.app
            .act_on_case(&health, case, Command::RequestStepUp { reason: "x".into() }),
        Err(AppError::Forbidden(_))
    ));
    // The action is the school's: in its tray and its list; it records it done.
    let actions: Vec<_> = f
        .app
        .actions_for(&school, true)
        .unwrap()
        .into_iter()
        .filter(|a| a.case == case.0)
        .collect();
    assert_eq!(actions.len(), 1);
    f.app
        .complete_action(
            &school,
            case,
            actions[0].number as u32,
            day("2027-01-11"),
            "Started",
        )
        .unwrap();
    assert!(!f
        .app
        .actions_for(&school, true)
        .unwrap()
        .iter()
        .any(|a| a.case == case.0));
    // Closing with the plan open is refused; after it ends, the case closes.
    assert!(matches!(
        f.app.act_on_case(
            &sup,
            case,
            Command::Close {
                on: day("2027-01-11"),
                reason: ClosureReason::RC7,
                note: String::new()
            }
        ),
        Err(AppError::Conflict(_))
    ));
    f.app
        .act_on_case(
            &school,
            case,
            Command::EndPlan {
                plan: 1,
                on: day("2027-01-11"),
                reason: "Outcomes met".into(),
            },
        )
        .unwrap();
    f.app
        .act_on_case(
            &sup,
            case,
            Command::Close {
                on: day("2027-01-11"),
                reason: ClosureReason::RC7,
                note: String::new(),
            },
        )
        .unwrap();
    // The school is no longer lead of an open case: it sees no more of it.
    assert!(f.app.case_view(&school, case).is_err());
    // Re-opening starts a new case; the closed one stays as it was.
    let before = f
        .app
        .store
        .log(together_domain::ids::PersonId(case.0))
        .unwrap();
    let new = f
        .app
        .open_case(
            &sup,
            CaseId::new_random(),
            person,
            Service::SocialCare,
            None,
            day("2027-01-11"),
            "New concerns",
            Some(case),
            None,
        )
        .unwrap();
    assert_eq!(new.case.reopens, Some(case));
    assert_eq!(
        f.app
            .store
            .log(together_domain::ids::PersonId(case.0))
            .unwrap(),
        before
    );
    assert_eq!(f.app.cases_of_child(person).unwrap().len(), 2);
    together_store::audit::verify_all(f.app.store.as_ref()).unwrap();
}

/// Issue 4: "across deployments, an export/import of the child's record in a documented
/// JSON format" (docs/record-exchange.md). The receiving deployment gets the child, the
/// family and the sending record's history; a partner practitioner may not export.
#[test]
fn a_record_moves_between_deployments_as_json() {
    let from = fixture_at(Utc.with_ymd_and_hms(2027, 1, 11, 10, 0, 0).unwrap());
    let (rid, person) = decided_referral(&from);
    let sup = caller(&from.app, "supervisor");
    from.app
        .open_case_from_referral(&sup, rid, 0, Service::SocialCare, "Referral accepted", None)
        .unwrap();
    assert!(matches!(
        from.app.export_child(&caller(&from.app, "school"), person),
        Err(AppError::Forbidden(_))
    ));
    let exported = from.app.export_child(&sup, person).unwrap();
    assert_eq!(exported.format, "together-child-record/1");
    assert!(exported
        .entries
        .iter()
        .any(|e| e.event_type == "case-opened" && e.log.starts_with("case:")));
    let json = serde_json::to_string(&exported).unwrap();

    let to = fixture_at(Utc.with_ymd_and_hms(2027, 1, 12, 10, 0, 0).unwrap());
    let back: together_app::exchange::ExportedRecord = serde_json::from_str(&json).unwrap();
    let new_sup = caller(&to.app, "supervisor");
    let child = to.app.import_child(&new_sup, &back).unwrap();
    let v = to.app.view_child(&new_sup, child).unwrap();
    assert_eq!(v.person.given_name, "Mia");
    assert!(v.chronology.iter().any(|e| e
        .event
        .payload
        .as_deref()
        .is_some_and(|p| p.contains("Case opened"))));
    // A file in another format is refused by field.
    let mut wrong = back.clone();
    wrong.format = "something-else/9".into();
    assert!(
        matches!(to.app.import_child(&new_sup, &wrong), Err(AppError::Invalid(e)) if e.for_field("format").is_some())
    );
}

/// Issue 5: an unborn child's plan is "carried to the baby's own record at birth". The
/// unborn child's record is the baby's: recording the birth changes its details, and its
/// case (with any plan) stays on it — nothing is copied, so nothing can be lost.
#[test]
fn a_baby_keeps_the_unborn_childs_case_at_birth() {
    let f = fixture_at(Utc.with_ymd_and_hms(2027, 1, 11, 10, 0, 0).unwrap());
    let sw = caller(&f.app, "socialworker");
    let unborn = f
        .app
        .store
        .children(&together_store::ChildQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .find(|p| p.kind == "unborn-child")
        .expect("the demo's unborn child");
    let before = f.app.cases_of_child(unborn.id).unwrap();
    assert_eq!(before.len(), 1, "the demo opened a case before birth");
    f.app
        .record_child_details(
            &sw,
            unborn.id,
            &together_domain::person::PersonInput {
                kind: "child".into(),
                given_name: "Robin".into(),
                family_name: unborn.family_name.clone(),
                date_of_birth: "2027-01-10".into(),
                sex: "female".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let born = f.app.store.person(unborn.id).unwrap().unwrap();
    assert_eq!(born.kind, "child");
    assert_eq!(f.app.cases_of_child(unborn.id).unwrap(), before);
}

/// WT2026 003 L1785: practitioners involved with the child "have the right to request"
/// a conference. The school that referred the child sees what is shared of the case and
/// asks; the request is the supervisors' to answer; agreed, a conference is convened. A
/// partner with no part in the child's work sees nothing (issue 16).
#[test]
fn the_school_that_referred_the_child_asks_for_a_conference() {
    use together_domain::case::protect::CpCommand;
    let f = fixture_at(Utc.with_ymd_and_hms(2026, 12, 10, 10, 0, 0).unwrap());
    let (rid, _person) = decided_referral(&f);
    let sup = caller(&f.app, "supervisor");
    let case = f
        .app
        .open_case_from_referral(&sup, rid, 0, Service::SocialCare, "Referral accepted", None)
        .unwrap();
    let school = caller(&f.app, "school");
    let v = f.app.case_view(&school, case).unwrap();
    assert_eq!(v.scope, together_domain::access::Scope::SharedOnly);
    f.app
        .act_on_case(
            &school,
            case,
            Command::Protection(Box::new(CpCommand::RequestConference {
                by: "Designated safeguarding lead".into(),
                reason: "Mia is frightened to go home".into(),
            })),
        )
        .unwrap();
    // Nothing else of the case is the school's to do.
    assert!(matches!(
        f.app.act_on_case(
            &school,
            case,
            Command::Protection(Box::new(CpCommand::AnswerConferenceRequest {
                index: 0,
                agreed: true,
                reason: "x".into(),
            })),
        ),
        Err(AppError::Forbidden(_))
    ));
    assert!(f
        .app
        .case_tray(&sup)
        .unwrap()
        .iter()
        .any(|t| t.work.process_id == case.0 && t.work.key == "conference-request-0"));
    let v = f
        .app
        .act_on_case(
            &sup,
            case,
            Command::Protection(Box::new(CpCommand::AnswerConferenceRequest {
                index: 0,
                agreed: true,
                reason: "Agreed: the pattern of concern needs a conference".into(),
            })),
        )
        .unwrap();
    assert!(v.case.protection.pending_conference().is_some());
    assert!(f
        .app
        .case_tray(&sup)
        .unwrap()
        .iter()
        .any(|t| t.work.process_id == case.0 && t.work.key == "conference-1"));
    // The police, with no part in this child's work, are refused the case.
    let police = caller(&f.app, "police");
    assert!(matches!(
        f.app.case_view(&police, case),
        Err(AppError::Forbidden(_))
    ));
}

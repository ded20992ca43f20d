//! Help for children and families (issue 4): the case from opening to closure, against
//! the seed texts. WT2026 is seed 003, SET 002, NSCP 001.

use proptest::prelude::*;
use together_domain::case::assessment::Timeliness;
use together_domain::case::decide::ActionInput;
use together_domain::case::state::FgcStage;
use together_domain::case::*;
use together_domain::case::{Actor, ClosureReason, Service};
use together_domain::timescale::Due;

mod common;
use common::*;

fn start(kind: AssessmentKind, on: &str) -> Command {
    Command::StartAssessment {
        kind,
        started_on: day(on),
        about: String::new(),
        gestation_weeks: None,
        late_start_reason: String::new(),
    }
}

fn record() -> AssessmentRecord {
    AssessmentRecord {
        child_developmental_needs: "Meeting milestones; school attendance 82%".into(),
        parenting_capacity: "Mother warm; struggling with routines".into(),
        family_and_environment: "Grandmother nearby; damp flat".into(),
        wishes_and_feelings: "\"I want mum to be less sad\"".into(),
        parents_views: "Mother wants help with housing".into(),
        analysis: "Needs are met with support; no indication of significant harm".into(),
    }
}

fn seen(on: &str) -> Command {
    Command::RecordChildSeen {
        assessment: 1,
        seen: together_domain::case::assessment::ChildSeen {
            on: day(on),
            by: "Sam Patel, social worker".into(),
            alone: SeenAlone::Alone,
            note: String::new(),
        },
    }
}

fn cin_plan(agreed: &str, review: Option<&str>) -> Command {
    Command::MakePlan {
        kind: PlanKind::ChildInNeed,
        agreed_on: day(agreed),
        outcomes: vec!["Amira goes to school every day".into()],
        services: vec!["Housing support".into()],
        family_views: "Made with mother and Amira at home".into(),
        actions: vec![action("Apply for rehousing", SOCIAL_WORKER, "2027-03-01")],
        next_review: review.map(day),
    }
}

/// WT2026 ¶169: "no longer than 45 working days from the point of referral" — counted
/// from the referral, not the allocation, across Christmas 2026 (Christmas Day on a
/// Friday, Boxing Day's substitute on Monday 28 December) and New Year's Day.
#[test]
fn assessment_clock_runs_from_referral_across_christmas() {
    let mut run = Run::new(national());
    run.ok(
        SUPERVISOR,
        "2026-12-14 10:00",
        open(Service::SocialCare, "2026-12-10"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2026-12-15 09:00");
    run.ok(
        SOCIAL_WORKER,
        "2026-12-16 09:00",
        start(AssessmentKind::ChildAndFamily, "2026-12-16"),
    );
    let a = run.case().assessment(1).unwrap();
    assert_eq!(a.clock_from, day("2026-12-10"));
    // 11–24 Dec: 10 days; 29–31 Dec: 3; 4 Jan–15 Feb: 31; 16 Feb is the 45th.
    assert_eq!(a.due, Some(Due::Date(day("2027-02-16"))));
    let w = run.work();
    let item = w.iter().find(|w| w.key == "assessment-1").unwrap();
    assert_eq!(item.assignee, Some(SOCIAL_WORKER.user));
    assert_eq!(item.due, Due::Date(day("2027-02-16")));
}

/// The same clock across Easter 2027 (Good Friday 26 March, Easter Monday 29 March) and
/// the early May bank holiday (3 May 2027).
#[test]
fn assessment_clock_across_easter_and_may_day() {
    let mut run = Run::new(national());
    run.ok(
        SUPERVISOR,
        "2027-03-01 16:00",
        open(Service::SocialCare, "2027-03-01"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-03-02 09:00");
    run.ok(
        SOCIAL_WORKER,
        "2027-03-02 09:00",
        start(AssessmentKind::ChildAndFamily, "2027-03-02"),
    );
    assert_eq!(
        run.case().assessment(1).unwrap().due,
        Some(Due::Date(day("2027-05-06")))
    );
}

/// Issue 4: "An assessment completed before the child was seen is refused (the child
/// must be seen, or the reason they could not be recorded and authorised)"; Box
/// "Statutory requirements for children in need"; SET 2.5.24.
#[test]
fn assessment_needs_the_child_seen_or_an_authorised_reason() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2027-01-12 09:00",
        start(AssessmentKind::ChildAndFamily, "2027-01-12"),
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 09:00",
        Command::SaveAssessment {
            assessment: 1,
            record: record(),
        },
    );
    let submit = |reason: &str| Command::SubmitAssessment {
        assessment: 1,
        outcome: AssessmentOutcome::ChildInNeedPlan,
        reasons: String::new(),
        child_not_seen_reason: reason.into(),
        primary_need: Some(together_domain::census::PrimaryNeed::N1),
        factors: vec![together_domain::census::AssessmentFactor::Neglect],
    };
    match run.try_do(SOCIAL_WORKER, "2027-01-20 10:00", submit("")) {
        Err(Refusal::Invalid(e)) => assert!(e.for_field("child_not_seen_reason").is_some()),
        other => panic!("expected refusal, got {other:?}"),
    }
    // Seen: the submission goes through, and only the supervisor authorises (Desc-A).
    run.ok(SOCIAL_WORKER, "2027-01-20 10:00", seen("2027-01-19"));
    run.ok(SOCIAL_WORKER, "2027-01-20 10:05", submit(""));
    assert!(matches!(
        run.try_do(
            SOCIAL_WORKER,
            "2027-01-20 11:00",
            Command::AuthoriseAssessment {
                assessment: 1,
                late_reason: String::new()
            }
        ),
        Err(Refusal::Forbidden { .. })
    ));
    run.ok(
        SUPERVISOR,
        "2027-01-21 09:00",
        Command::AuthoriseAssessment {
            assessment: 1,
            late_reason: String::new(),
        },
    );
    assert!(run
        .work()
        .iter()
        .any(|w| w.key == "followup-1" && w.title.contains("child in need plan")));
}

#[test]
fn a_reason_the_child_could_not_be_seen_goes_to_the_supervisor() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2027-01-12 09:00",
        start(AssessmentKind::ChildAndFamily, "2027-01-12"),
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 09:00",
        Command::SaveAssessment {
            assessment: 1,
            record: record(),
        },
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 10:00",
        Command::SubmitAssessment {
            assessment: 1,
            outcome: AssessmentOutcome::NoFurtherAction,
            reasons: "Needs met by universal services".into(),
            child_not_seen_reason: "Family moved abroad before a visit could be made".into(),
            primary_need: Some(together_domain::census::PrimaryNeed::N1),
            factors: vec![together_domain::census::AssessmentFactor::Neglect],
        },
    );
    run.ok(
        SUPERVISOR,
        "2027-01-20 12:00",
        Command::AuthoriseAssessment {
            assessment: 1,
            late_reason: String::new(),
        },
    );
    let a = run.case().assessment(1).unwrap();
    assert!(!a.child_seen());
    assert!(a.child_not_seen_reason.is_some());
}

/// ¶169: past 45 working days "the lead practitioner should record the reasons"; SET
/// 2.5.2: a first-line manager records the reason and agrees the new timescale.
#[test]
fn an_assessment_past_45_working_days_needs_its_reasons() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2026-12-14 10:00",
        open(Service::SocialCare, "2026-12-10"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2026-12-14 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2026-12-15 09:00",
        start(AssessmentKind::ChildAndFamily, "2026-12-15"),
    );
    run.ok(SOCIAL_WORKER, "2027-02-10 09:00", seen("2027-02-09"));
    run.ok(
        SOCIAL_WORKER,
        "2027-02-10 09:00",
        Command::SaveAssessment {
            assessment: 1,
            record: record(),
        },
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-02-16 16:00",
        Command::SubmitAssessment {
            assessment: 1,
            outcome: AssessmentOutcome::ChildInNeedPlan,
            reasons: String::new(),
            child_not_seen_reason: String::new(),
            primary_need: Some(together_domain::census::PrimaryNeed::N1),
            factors: vec![together_domain::census::AssessmentFactor::Neglect],
        },
    );
    // Due Tue 16 Feb; authorised on Wed 17 Feb without a reason: refused.
    match run.try_do(
        SUPERVISOR,
        "2027-02-17 09:00",
        Command::AuthoriseAssessment {
            assessment: 1,
            late_reason: String::new(),
        },
    ) {
        Err(Refusal::Invalid(e)) => assert!(e
            .for_field("late_reason")
            .unwrap()
            .contains("45 working days")),
        other => panic!("expected refusal, got {other:?}"),
    }
    run.ok(
        SUPERVISOR,
        "2027-02-17 09:00",
        Command::AuthoriseAssessment {
            assessment: 1,
            late_reason: "Health contribution arrived late".into(),
        },
    );
    assert_eq!(
        run.case().assessment(1).unwrap().late_reason.as_deref(),
        Some("Health contribution arrived late")
    );
}

/// SET overrides `assessment` so that only a practice supervisor extends it (SET 2.5.2).
#[test]
fn only_a_first_line_manager_extends_the_assessment_under_set() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2026-12-14 10:00",
        open(Service::SocialCare, "2026-12-10"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2026-12-14 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2026-12-15 09:00",
        start(AssessmentKind::ChildAndFamily, "2026-12-15"),
    );
    let extend = Command::ExtendAssessment {
        assessment: 1,
        reason: "Awaiting paediatric report".into(),
        agreed_until: day("2027-03-01"),
        consulted: String::new(),
    };
    assert!(matches!(
        run.try_do(SOCIAL_WORKER, "2027-02-01 09:00", extend.clone()),
        Err(Refusal::Forbidden { .. })
    ));
    run.ok(SUPERVISOR, "2027-02-01 09:00", extend);
    let w = run.work();
    assert_eq!(
        w.iter().find(|w| w.key == "assessment-1").unwrap().due,
        Due::Date(day("2027-03-01"))
    );
    // Issue 16 (WT2026 ¶169): the extension moves the work's due date, but work finished
    // after 45 working days (due Tuesday 16 February 2027, from Thursday 10 December
    // 2026 across Christmas, the substitute Boxing Day and New Year) counts as later than 45 working days in the
    // figures, under the extension; within the timescale, within.
    let a = run.case().assessment(1).unwrap();
    assert_eq!(a.due, Some(Due::Date(day("2027-02-16"))));
    assert_eq!(a.timeliness(day("2027-02-16")), Timeliness::Within);
    assert_eq!(
        a.timeliness(day("2027-02-17")),
        Timeliness::LateUnderExtension
    );
    assert_eq!(
        a.timeliness(day("2027-03-01")),
        Timeliness::LateUnderExtension
    );
    assert_eq!(a.timeliness(day("2027-03-02")), Timeliness::Late);
}

/// Issue 4: "an action with no owner or date is refused".
#[test]
fn an_action_needs_an_owner_and_a_date() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    let cmd = Command::MakePlan {
        kind: PlanKind::ChildInNeed,
        agreed_on: day("2027-01-20"),
        outcomes: vec!["Safe at home".into()],
        services: vec![],
        family_views: "Agreed at home".into(),
        actions: vec![ActionInput {
            what: "Parenting course".into(),
            owner: None,
            by: None,
        }],
        next_review: None,
    };
    match run.try_do(SOCIAL_WORKER, "2027-01-20 10:00", cmd) {
        Err(Refusal::Invalid(e)) => {
            assert!(e.for_field("actions[0].owner").is_some());
            assert!(e.for_field("actions[0].by").is_some());
        }
        other => panic!("expected refusal, got {other:?}"),
    }
}

/// SET 2.5.26: the child in need plan is reviewed "within a maximum of six months".
#[test]
fn child_in_need_plan_review_within_six_months_under_set() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    match run.try_do(
        SOCIAL_WORKER,
        "2027-01-20 10:00",
        cin_plan("2027-01-20", Some("2027-08-01")),
    ) {
        Err(Refusal::Invalid(e)) => assert!(e.for_field("next_review").unwrap().contains("2.5.26")),
        other => panic!("expected refusal, got {other:?}"),
    }
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 10:00",
        cin_plan("2027-01-20", None),
    );
    // Six months from 20 January 2027 is Tuesday 20 July 2027.
    assert_eq!(run.case().plan(1).unwrap().next_review, day("2027-07-20"));
}

/// The national profile has no interval ("reviewed regularly", ¶198): the date is asked for.
#[test]
fn national_profile_asks_for_the_review_date() {
    let mut run = Run::new(national());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    assert!(matches!(
        run.try_do(
            SOCIAL_WORKER,
            "2027-01-20 10:00",
            cin_plan("2027-01-20", None)
        ),
        Err(Refusal::Invalid(_))
    ));
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 10:00",
        cin_plan("2027-01-20", Some("2027-04-20")),
    );
}

/// Issue 4: "no sequence of commands can close a case with an open plan".
#[test]
fn a_case_with_an_open_plan_does_not_close() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 10:00",
        cin_plan("2027-01-20", None),
    );
    let close = Command::Close {
        on: day("2027-03-01"),
        reason: ClosureReason::RC7,
        note: String::new(),
    };
    assert!(matches!(
        run.try_do(SUPERVISOR, "2027-03-01 10:00", close.clone()),
        Err(Refusal::Conflict(_))
    ));
    run.ok(
        SOCIAL_WORKER,
        "2027-03-01 10:00",
        Command::EndPlan {
            plan: 1,
            on: day("2027-03-01"),
            reason: "Outcomes met".into(),
        },
    );
    run.ok(SUPERVISOR, "2027-03-01 11:00", close);
    assert_eq!(run.case().stage, Stage::Closed);
    // Closed is final: re-opening is a new case (issue 4).
    assert!(matches!(
        run.try_do(
            SUPERVISOR,
            "2027-03-02 10:00",
            Command::StepDown { reason: "x".into() }
        ),
        Err(Refusal::Conflict(_))
    ));
    // Issue 18: someone who may not give the command is refused as such, before anything
    // about the case (here, that it is closed) is said; a child protection command too.
    assert!(matches!(
        run.try_do(
            SCHOOL_DSL,
            "2027-03-02 10:00",
            Command::StepDown { reason: "x".into() }
        ),
        Err(Refusal::Forbidden { .. })
    ));
    assert!(matches!(
        run.try_do(
            SCHOOL_DSL,
            "2027-03-02 10:00",
            Command::Protection(Box::new(
                together_domain::case::protect::CpCommand::CancelStrategy {
                    number: 1,
                    reason: "x".into(),
                    merge_into: None,
                }
            ))
        ),
        Err(Refusal::Forbidden { .. })
    ));
}

/// ¶170: "with the lead practitioner's agreement"; a re-allocation keeps the old lead
/// until the new one agrees, so the child is never without one.
#[test]
fn reallocation_keeps_a_lead_until_the_new_one_agrees() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::FamilyHelp, "2027-01-11"),
    );
    assert!(run
        .work()
        .iter()
        .any(|w| w.key == "allocate" && w.assignee.is_none()));
    allocate(&mut run, SCHOOL_DSL, "2027-01-11 11:00");
    run.ok(
        SUPERVISOR,
        "2027-02-01 10:00",
        Command::ProposeLead {
            to: practitioner(SOCIAL_WORKER),
            family_views: "Family content".into(),
            handover: "Handover notes".into(),
        },
    );
    assert_eq!(run.case().lead_user(), Some(SCHOOL_DSL.user));
    // Only the proposed practitioner answers.
    assert!(matches!(
        run.try_do(
            OTHER_PARTNER,
            "2027-02-01 11:00",
            Command::AnswerAllocation {
                accept: true,
                reason: String::new()
            }
        ),
        Err(Refusal::Forbidden { .. })
    ));
    run.ok(
        SOCIAL_WORKER,
        "2027-02-01 11:00",
        Command::AnswerAllocation {
            accept: false,
            reason: "Caseload full".into(),
        },
    );
    assert_eq!(run.case().lead_user(), Some(SCHOOL_DSL.user));
    assert!(run.case().proposal.is_none());
}

/// ¶138: in Family Help the lead practitioner may work in a partner agency; children's
/// social care work is led by a social worker (SET L797, 2.5.3).
#[test]
fn partner_leads_family_help_but_not_social_care() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    match run.try_do(
        SUPERVISOR,
        "2027-01-11 11:00",
        Command::ProposeLead {
            to: practitioner(SCHOOL_DSL),
            family_views: "x".into(),
            handover: String::new(),
        },
    ) {
        Err(Refusal::Invalid(e)) => assert!(e.for_field("practitioner").is_some()),
        other => panic!("expected refusal, got {other:?}"),
    }
}

/// Issue 4: "A partner practitioner who is lead practitioner in Family Help can write to
/// that child's Family Help record and nothing else"; ¶135 and ¶144: with consent.
#[test]
fn family_help_with_a_school_as_lead_practitioner() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::FamilyHelp, "2027-01-11"),
    );
    allocate(&mut run, SCHOOL_DSL, "2027-01-11 11:00");
    // Another partner practitioner may not write to it.
    assert!(matches!(
        run.try_do(
            OTHER_PARTNER,
            "2027-01-12 10:00",
            Command::RecordConsent {
                given: true,
                given_by: "Mother".into(),
                told: "x".into(),
                on: day("2027-01-12")
            }
        ),
        Err(Refusal::Forbidden { .. })
    ));
    // No assessment before consent.
    assert!(matches!(
        run.try_do(
            SCHOOL_DSL,
            "2027-01-12 10:00",
            start(AssessmentKind::FamilyHelp, "2027-01-12")
        ),
        Err(Refusal::Conflict(_))
    ));
    run.ok(
        SCHOOL_DSL,
        "2027-01-12 10:00",
        Command::RecordConsent {
            given: true,
            given_by: "Mother".into(),
            told: "What we record, who sees it and why".into(),
            on: day("2027-01-12"),
        },
    );
    run.ok(
        SCHOOL_DSL,
        "2027-01-12 10:05",
        start(AssessmentKind::FamilyHelp, "2027-01-12"),
    );
    run.ok(SCHOOL_DSL, "2027-01-13 10:00", seen("2027-01-13"));
    run.ok(
        SCHOOL_DSL,
        "2027-01-14 10:00",
        Command::SaveAssessment {
            assessment: 1,
            record: record(),
        },
    );
    run.ok(
        SCHOOL_DSL,
        "2027-01-14 10:05",
        Command::SubmitAssessment {
            assessment: 1,
            outcome: AssessmentOutcome::ContinueHelp,
            reasons: String::new(),
            child_not_seen_reason: String::new(),
            primary_need: Some(together_domain::census::PrimaryNeed::N1),
            factors: vec![together_domain::census::AssessmentFactor::Neglect],
        },
    );
    assert!(!run.case().assessment(1).unwrap().is_open());
    run.ok(
        SCHOOL_DSL,
        "2027-01-15 10:00",
        Command::MakePlan {
            kind: PlanKind::FamilyHelp,
            agreed_on: day("2027-01-15"),
            outcomes: vec!["Amira is in school on time".into()],
            services: vec!["Breakfast club".into()],
            family_views: "Made with mother at school".into(),
            actions: vec![action("Breakfast club place", SCHOOL_DSL, "2027-01-20")],
            next_review: Some(day("2027-03-15")),
        },
    );
    // The school may not do children's social care work on the case: a child and
    // family assessment, closing, stepping up.
    assert!(matches!(
        run.try_do(
            SCHOOL_DSL,
            "2027-01-16 10:00",
            Command::StepUp { reason: "x".into() }
        ),
        Err(Refusal::Forbidden { .. })
    ));
    run.ok(
        SCHOOL_DSL,
        "2027-01-16 10:00",
        Command::RequestStepUp {
            reason: "Disclosure of violence at home".into(),
        },
    );
    assert!(run
        .work()
        .iter()
        .any(|w| w.key == "step-up" && w.assignee.is_none()));
}

/// ¶146: when the family declines, they are still told what is recorded and shared.
#[test]
fn a_family_that_declines_is_told_what_is_recorded() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::FamilyHelp, "2027-01-11"),
    );
    allocate(&mut run, SCHOOL_DSL, "2027-01-11 11:00");
    match run.try_do(
        SCHOOL_DSL,
        "2027-01-12 10:00",
        Command::RecordConsent {
            given: false,
            given_by: "Father".into(),
            told: " ".into(),
            on: day("2027-01-12"),
        },
    ) {
        Err(Refusal::Invalid(e)) => assert!(e.for_field("told").is_some()),
        other => panic!("expected refusal, got {other:?}"),
    }
    run.ok(SCHOOL_DSL, "2027-01-12 10:00", Command::RecordConsent {
        given: false, given_by: "Father".into(), told: "That the referral and this conversation are recorded and shared with children's social care, to keep the children safe".into(), on: day("2027-01-12"),
    });
    assert!(!run.case().consent_given());
}

/// A step up carries the case over: the same record, and the new assessment's clock
/// runs from the step up; the partner stays lead until a social worker agrees.
#[test]
fn step_up_keeps_the_record_and_starts_the_clock() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::FamilyHelp, "2027-01-11"),
    );
    allocate(&mut run, SCHOOL_DSL, "2027-01-11 11:00");
    run.ok(
        SUPERVISOR,
        "2027-02-01 10:00",
        Command::StepUp {
            reason: "Disclosure".into(),
        },
    );
    assert_eq!(run.case().service, Service::SocialCare);
    assert_eq!(run.case().lead_user(), Some(SCHOOL_DSL.user));
    assert!(run.work().iter().any(|w| w.key == "allocate-social-worker"));
    allocate(&mut run, SOCIAL_WORKER, "2027-02-01 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2027-02-02 10:00",
        start(AssessmentKind::ChildAndFamily, "2027-02-02"),
    );
    let a = run.case().assessment(1).unwrap();
    assert_eq!(a.clock_from, day("2027-02-01"));
}

/// SET 2.6.5: a pre-birth assessment "ideally between 8- and 12-weeks' gestation", with
/// a recorded rationale otherwise.
#[test]
fn pre_birth_assessment_after_twelve_weeks_needs_a_reason() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    let cmd = |why: &str| Command::StartAssessment {
        kind: AssessmentKind::PreBirth,
        started_on: day("2027-01-12"),
        about: String::new(),
        gestation_weeks: Some(20),
        late_start_reason: why.into(),
    };
    match run.try_do(SOCIAL_WORKER, "2027-01-12 10:00", cmd("")) {
        Err(Refusal::Invalid(e)) => assert!(e.for_field("late_start_reason").is_some()),
        other => panic!("expected refusal, got {other:?}"),
    }
    run.ok(
        SOCIAL_WORKER,
        "2027-01-12 10:00",
        cmd("Pregnancy concealed until 19 weeks"),
    );
    assert!(run
        .case()
        .assessment(1)
        .unwrap()
        .about
        .contains("after 12 weeks"));
    // The rule is SET's own (its profile's `pre-birth-assessment-by-gestation`): the
    // national profile asks for no reason (issue 16).
    let mut run = Run::new(national());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    run.ok(SOCIAL_WORKER, "2027-01-12 10:00", cmd(""));
}

/// Desc-A (003 L1481): information goes to the new authority "as soon as possible" and
/// the original keeps supporting "in the intervening period"; the handover closes the
/// case as transferred (RC5), its plan ending with it.
#[test]
fn moving_area_keeps_helping_until_handover() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 10:00",
        cin_plan("2027-01-20", None),
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-02-01 10:00",
        Command::StartTransfer {
            to_authority: "Thurrock Council".into(),
            to_agency: None,
            informed_on: day("2027-02-01"),
            information_sent_on: day("2027-02-01"),
            note: String::new(),
        },
    );
    assert!(run.case().is_open());
    assert!(run.work().iter().any(|w| w.key == "transfer"));
    run.ok(
        SUPERVISOR,
        "2027-02-10 10:00",
        Command::CompleteTransfer {
            on: day("2027-02-10"),
            accepted_by: "Thurrock duty team manager".into(),
            new_case: None,
        },
    );
    let c = run.case();
    assert_eq!(c.stage, Stage::Closed);
    assert_eq!(c.closure.as_ref().unwrap().reason, ClosureReason::RC5);
    assert!(c.open_plan().is_none());
    assert!(run.work().is_empty());
}

#[test]
fn family_group_conference_is_offered_then_answered_then_held() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    let fgc = |stage, note: &str| Command::RecordFamilyGroupConference {
        stage,
        on: day("2027-01-12"),
        note: note.into(),
    };
    assert!(run
        .try_do(
            SOCIAL_WORKER,
            "2027-01-12 10:00",
            fgc(FgcStage::Held, "plan")
        )
        .is_err());
    run.ok(
        SOCIAL_WORKER,
        "2027-01-12 10:00",
        fgc(FgcStage::Offered, ""),
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-01-12 10:00",
        fgc(FgcStage::Accepted, ""),
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-01-12 10:00",
        fgc(
            FgcStage::Held,
            "Grandmother to have the children at weekends",
        ),
    );
}

#[test]
fn events_round_trip_through_their_stored_form() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 10:00",
        cin_plan("2027-01-20", None),
    );
    for e in &run.events {
        let back = CaseEvent::from_stored(e.type_id(), &e.payload_json()).unwrap();
        assert_eq!(&back, e);
    }
    assert!(CaseEvent::from_stored("case-closed", &run.events[0].payload_json()).is_err());
}

// ---- property tests: the case's state machine ----------------------------------

fn any_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        Just(SUPERVISOR),
        Just(SOCIAL_WORKER),
        Just(SCHOOL_DSL),
        Just(OTHER_PARTNER)
    ]
}

fn any_command() -> impl Strategy<Value = Command> {
    let d = (0u32..60).prop_map(|n| day("2027-01-11") + chrono::Days::new(n as u64));
    prop_oneof![
        (any_actor()).prop_map(|a| Command::ProposeLead {
            to: practitioner(a),
            family_views: "views".into(),
            handover: "handover".into()
        }),
        any::<bool>().prop_map(|accept| Command::AnswerAllocation {
            accept,
            reason: "busy".into()
        }),
        any::<bool>().prop_map(|given| Command::RecordConsent {
            given,
            given_by: "Mother".into(),
            told: "told".into(),
            on: day("2027-01-11")
        }),
        prop_oneof![
            Just(AssessmentKind::ChildAndFamily),
            Just(AssessmentKind::FamilyHelp),
            Just(AssessmentKind::YoungCarer)
        ]
        .prop_map(|k| Command::StartAssessment {
            kind: k,
            started_on: day("2027-01-11"),
            about: "Mother".into(),
            gestation_weeks: None,
            late_start_reason: String::new()
        }),
        (1u32..3).prop_map(|n| Command::RecordChildSeen {
            assessment: n,
            seen: together_domain::case::assessment::ChildSeen {
                on: day("2027-01-11"),
                by: "SW".into(),
                alone: SeenAlone::Alone,
                note: String::new()
            }
        }),
        (1u32..3).prop_map(|n| Command::SaveAssessment {
            assessment: n,
            record: record()
        }),
        (1u32..3, 0usize..6).prop_map(|(n, o)| Command::SubmitAssessment {
            assessment: n,
            outcome: AssessmentOutcome::ALL[o],
            reasons: "reasons".into(),
            child_not_seen_reason: String::new(),
            primary_need: Some(together_domain::census::PrimaryNeed::N1),
            factors: vec![together_domain::census::AssessmentFactor::Neglect],
        }),
        (1u32..3).prop_map(|n| Command::AuthoriseAssessment {
            assessment: n,
            late_reason: "late".into()
        }),
        (1u32..3).prop_map(|n| Command::ReturnAssessment {
            assessment: n,
            reason: "more".into()
        }),
        (any::<bool>(), d.clone()).prop_map(|(fh, on)| Command::MakePlan {
            kind: if fh {
                PlanKind::FamilyHelp
            } else {
                PlanKind::ChildInNeed
            },
            agreed_on: on,
            outcomes: vec!["o".into()],
            services: vec![],
            family_views: "v".into(),
            actions: vec![action("a", SCHOOL_DSL, "2027-06-01")],
            next_review: None,
        }),
        (1u32..3, 1u32..4).prop_map(|(p, a)| Command::CompleteAction {
            plan: p,
            action: a,
            on: day("2027-03-15"),
            note: String::new()
        }),
        (1u32..3).prop_map(|p| Command::EndPlan {
            plan: p,
            on: day("2027-03-15"),
            reason: "done".into()
        }),
        Just(Command::StepUp { reason: "r".into() }),
        Just(Command::StepDown { reason: "r".into() }),
        Just(Command::RequestStepUp { reason: "r".into() }),
        Just(Command::StartTransfer {
            to_authority: "Thurrock".into(),
            to_agency: None,
            informed_on: day("2027-03-15"),
            information_sent_on: day("2027-03-15"),
            note: String::new()
        }),
        Just(Command::CompleteTransfer {
            on: day("2027-03-16"),
            accepted_by: "Thurrock".into(),
            new_case: None
        }),
        (0usize..9).prop_map(|r| Command::Close {
            on: day("2027-03-16"),
            reason: ClosureReason::ALL[r],
            note: String::new()
        }),
    ]
}

proptest! {
    /// Issue 4: no sequence of commands can close a case with an open plan, or leave an
    /// open case without a lead practitioner once it has had one; a closed case
    /// accepts nothing more.
    #[test]
    fn no_command_sequence_breaks_the_case_invariants(
        service in prop_oneof![Just(Service::FamilyHelp), Just(Service::SocialCare)],
        steps in proptest::collection::vec((any_actor(), any_command()), 1..40),
    ) {
        let mut run = Run::new(set());
        run.ok(SUPERVISOR, "2027-01-11 09:00", open(service, "2027-01-11"));
        for (who, cmd) in steps {
            let was_closed = !run.case().is_open();
            let had_lead = run.case().lead_user();
            let ctx = Context { now: at("2027-03-17 10:00"), actor: who, profile: set(), calendar: cal() };
            if let Ok(evs) = decide(run.case.as_ref(), cmd, &ctx) {
                    prop_assert!(!was_closed, "a closed case accepted a command");
                    for e in &evs {
                        run.case = apply(run.case.take(), e);
                    }
                    let c = run.case();
                    prop_assert_eq!(c.check_invariants(), Ok(()));
                    if had_lead.is_some() && c.is_open() {
                        prop_assert!(c.lead_user().is_some());
                    }
                    if c.stage == Stage::Closed {
                        prop_assert!(c.open_plan().is_none());
                        prop_assert!(open_work(c, national(), cal()).is_empty());
                    }
            }
        }
    }
}

/// Issue 6: the CIN census asks of every child and family assessment the factors
/// identified and the child's primary need (DfE rules 8897Q, 8869, 8610), so they are
/// asked when it is submitted: refused without factors, with "21 No factors
/// identified" beside another, or with no primary need on the assessment or the case.
#[test]
fn a_child_and_family_assessment_records_its_census_factors_and_primary_need() {
    use together_domain::census::{AssessmentFactor as F, PrimaryNeed};
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-01-11 10:00",
        open(Service::SocialCare, "2027-01-11"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2027-01-11 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2027-01-12 09:00",
        start(AssessmentKind::ChildAndFamily, "2027-01-12"),
    );
    run.ok(SOCIAL_WORKER, "2027-01-12 09:30", seen("2027-01-12"));
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 09:00",
        Command::SaveAssessment {
            assessment: 1,
            record: record(),
        },
    );
    let submit = |need: Option<PrimaryNeed>, factors: Vec<F>| Command::SubmitAssessment {
        assessment: 1,
        outcome: AssessmentOutcome::ChildInNeedPlan,
        reasons: String::new(),
        child_not_seen_reason: String::new(),
        primary_need: need,
        factors,
    };
    for (need, factors, field) in [
        (Some(PrimaryNeed::N5), vec![], "factors"),
        (
            Some(PrimaryNeed::N5),
            vec![F::NoFactors, F::Neglect],
            "factors",
        ),
        (
            Some(PrimaryNeed::N5),
            vec![F::Neglect, F::Neglect],
            "factors",
        ),
        (None, vec![F::Neglect], "primary_need"),
    ] {
        match run.try_do(SOCIAL_WORKER, "2027-01-20 10:00", submit(need, factors)) {
            Err(Refusal::Invalid(e)) => assert!(e.for_field(field).is_some(), "{field}"),
            other => panic!("expected a refusal on {field}, got {other:?}"),
        }
    }
    run.ok(
        SOCIAL_WORKER,
        "2027-01-20 10:05",
        submit(
            Some(PrimaryNeed::N5),
            vec![F::DomesticAbuseParent, F::MentalHealthParent],
        ),
    );
    let a = &run.case().assessments[0];
    assert_eq!(
        a.factors,
        vec![F::DomesticAbuseParent, F::MentalHealthParent]
    );
    assert_eq!(a.submitted_on, chrono::NaiveDate::from_ymd_opt(2027, 1, 20));
    assert_eq!(run.case().primary_need, Some(PrimaryNeed::N5));
}

/// Issue 16; WT2026 ¶166, ¶169: under the national profile too, only a practice
/// supervisor extends the assessment, with a reason; the lead practitioner records why
/// it is late.
#[test]
fn only_a_practice_supervisor_extends_the_assessment_nationally() {
    let mut run = Run::new(national());
    run.ok(
        SUPERVISOR,
        "2026-12-14 10:00",
        open(Service::SocialCare, "2026-12-10"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2026-12-14 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2026-12-15 09:00",
        start(AssessmentKind::ChildAndFamily, "2026-12-15"),
    );
    let extend = Command::ExtendAssessment {
        assessment: 1,
        reason: "Awaiting paediatric report".into(),
        agreed_until: day("2027-03-01"),
        consulted: String::new(),
    };
    assert!(matches!(
        run.try_do(SOCIAL_WORKER, "2027-02-01 09:00", extend.clone()),
        Err(Refusal::Forbidden { .. })
    ));
    run.ok(SUPERVISOR, "2027-02-01 09:00", extend);
}

/// LIV §5: "any extension to the time-scales must be authorised by the relevant manager
/// following consultation with relevant managers from the other agencies": in Liverpool's
/// profile a practice supervisor extends, and records who was consulted (issue 16).
#[test]
fn a_liverpool_extension_records_the_other_agencies_consulted() {
    let mut run = Run::new(liverpool());
    run.ok(
        SUPERVISOR,
        "2026-12-14 10:00",
        open(Service::SocialCare, "2026-12-10"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2026-12-14 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2026-12-15 09:00",
        start(AssessmentKind::ChildAndFamily, "2026-12-15"),
    );
    let extend = |consulted: &str| Command::ExtendAssessment {
        assessment: 1,
        reason: "Awaiting paediatric report".into(),
        agreed_until: day("2027-03-01"),
        consulted: consulted.into(),
    };
    assert!(matches!(
        run.try_do(SOCIAL_WORKER, "2027-02-01 09:00", extend("Police DI Jones")),
        Err(Refusal::Forbidden { .. })
    ));
    match run.try_do(SUPERVISOR, "2027-02-01 09:00", extend("")) {
        Err(Refusal::Invalid(e)) => assert!(e.for_field("consulted").unwrap().contains("LIV §5")),
        other => panic!("{other:?}"),
    }
    let evs = run
        .try_do(
            SUPERVISOR,
            "2027-02-01 09:00",
            extend("DI Jones (police) and the named nurse agreed"),
        )
        .unwrap();
    assert!(matches!(
        &evs[0].change,
        Change::AssessmentExtended { consulted, .. } if consulted.contains("DI Jones")
    ));
    // Nationally and in SET no consultation is asked for.
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2026-12-14 10:00",
        open(Service::SocialCare, "2026-12-10"),
    );
    allocate(&mut run, SOCIAL_WORKER, "2026-12-14 11:00");
    run.ok(
        SOCIAL_WORKER,
        "2026-12-15 09:00",
        start(AssessmentKind::ChildAndFamily, "2026-12-15"),
    );
    run.ok(SUPERVISOR, "2027-02-01 09:00", extend(""));
}

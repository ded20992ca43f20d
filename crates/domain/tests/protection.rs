//! Child protection (issue 5) on a case, against the seed texts: WT2026 is seed 003
//! (descriptors after ¶256 cited by line), SET 002.

use proptest::prelude::*;
use together_domain::case::*;
use together_domain::case::{Actor, ClosureReason, Practitioner, Service};
use together_domain::ids::UserId;
use together_domain::role::Role;
use together_domain::timescale::Due;
use uuid::Uuid;

mod common;
use common::*;

use together_domain::access::{Relationship, Standing};
use together_domain::case::process::CaseProcess;
use together_domain::case::protect::{CpCommand, OutcomeInput, StrategyTiming};
use together_domain::case::protection::*;
use together_domain::process::{Process, Subject};
use together_domain::role::AgencyKind;

const CHAIR: Actor = Actor {
    user: UserId(Uuid::from_u128(5)),
    role: Role::ConferenceChair,
};

fn cp(c: CpCommand) -> Command {
    Command::Protection(Box::new(c))
}

fn person(name: &str, role: &str, agency: &str, kind: Option<AgencyKind>) -> Participant {
    Participant {
        name: name.into(),
        role: role.into(),
        agency: agency.into(),
        agency_kind: kind,
        user: None,
    }
}

fn core_attendees() -> Vec<Participant> {
    vec![
        person(
            "Sam Patel",
            "social worker",
            "Children's social care",
            Some(AgencyKind::ChildrensSocialCare),
        ),
        person(
            "Dr Jones",
            "named doctor",
            "NHS trust",
            Some(AgencyKind::Health),
        ),
        person(
            "DC Smith",
            "detective constable",
            "Constabulary",
            Some(AgencyKind::Police),
        ),
    ]
}

fn hold_strategy(number: u32, at_: &str, attendees: Vec<Participant>, initiate: bool) -> Command {
    cp(CpCommand::HoldStrategy {
        number,
        held_at: at(at_),
        attendees,
        attendance_override: String::new(),
        information: "Bruising seen at school; history of domestic abuse call-outs.".into(),
        initiate_s47: Some(initiate),
        s47_reason: "Reasonable cause to suspect significant harm".into(),
        criminal_investigation: "Police to investigate; interview of mother's partner next week"
            .into(),
        immediate_actions: vec![action(
            "Child protection medical today",
            SOCIAL_WORKER,
            &at_[..10],
        )],
        legal_action: String::new(),
        share_with_family: "That enquiries are being made, and why".into(),
        withhold_from_family: "The timing of the police interview".into(),
        agency_decisions: vec![("Police".into(), "Investigate".into())],
    })
}

fn lead_sw() -> Practitioner {
    practitioner(SOCIAL_WORKER)
}

fn plan_outcome() -> OutcomeInput {
    OutcomeInput::Plan {
        categories: vec![HarmCategory::Physical],
        lead_social_worker: Some(lead_sw()),
        core_group: vec![
            person("Mother", "parent", "", None),
            person(
                "Sam Patel",
                "social worker",
                "CSC",
                Some(AgencyKind::ChildrensSocialCare),
            ),
        ],
        changes: vec![OutlineChange {
            what: "No physical chastisement".into(),
            by_how_much: "None at all".into(),
            by_when: day("2027-05-01"),
        }],
        core_group_every_weeks: 4,
        consider_proceedings: false,
    }
}

/// Strategy discussion → s47 → substantiated → ICPC with a plan, on a case opened in
/// children's social care. Returns the run with a plan.
fn to_icpc(run: &mut Run, strategy_at: &str) {
    run.ok(
        SUPERVISOR,
        strategy_at,
        cp(CpCommand::ConveneStrategy {
            timing: StrategyTiming::Routine,
            concerns_at: None,
            // Used only where the profile has no rule (the national profile).
            by: Some(day(&strategy_at[..10])),
            reason: "Bruising".into(),
            invitees: core_attendees(),
        }),
    );
    run.ok(
        SUPERVISOR,
        strategy_at,
        hold_strategy(1, strategy_at, core_attendees(), true),
    );
    let d = &strategy_at[..10];
    run.ok(
        SOCIAL_WORKER,
        strategy_at,
        cp(CpCommand::RecordS47Task {
            enquiry: 1,
            task: S47Task::ChildSeenAlone,
            on: day(d),
            note: "Seen alone at school".into(),
        }),
    );
    run.ok(
        SOCIAL_WORKER,
        strategy_at,
        cp(CpCommand::RecommendS47 {
            enquiry: 1,
            finding: S47Finding {
                substantiated: true,
                reasons: "Non-accidental injury".into(),
                discussed_with_family: String::new(),
                onward_support: String::new(),
                fgc_offered: false,
            },
        }),
    );
    run.ok(
        SUPERVISOR,
        strategy_at,
        cp(CpCommand::CountersignS47 {
            enquiry: 1,
            expected_delivery: None,
        }),
    );
}

/// ICPC descriptor (003 L1816): "within 15 working days of ... the strategy discussion at
/// which section 47 enquiries were initiated". Friday 19 March 2027 → Tuesday 13 April
/// 2027: Good Friday (26 March) and Easter Monday (29 March) are not working days.
#[test]
fn icpc_is_due_15_working_days_after_the_strategy_discussion_across_easter() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-03-18 10:00",
        open(Service::SocialCare, "2027-03-18"),
    );
    to_icpc(&mut run, "2027-03-19 10:00");
    let c = run.case().protection.pending_conference().unwrap();
    assert_eq!(c.kind, ConferenceKind::Initial);
    assert_eq!(c.due, Due::Date(day("2027-04-13")));
    // The countersignature a week later does not move the clock.
    assert_eq!(
        run.case().protection.enquiry(1).unwrap().icpc_due,
        Due::Date(day("2027-04-13"))
    );
}

/// Strategy discussion descriptor (003 L1677): "a local authority social worker, health
/// practitioners and a police representative should, as a minimum, be involved" — not
/// recorded as held without them unless a practice supervisor records why.
#[test]
fn a_strategy_discussion_needs_social_care_health_and_police() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-03-18 10:00",
        open(Service::SocialCare, "2027-03-18"),
    );
    run.ok(
        SUPERVISOR,
        "2027-03-18 10:00",
        cp(CpCommand::ConveneStrategy {
            timing: StrategyTiming::SeriousHarm,
            concerns_at: None,
            by: None,
            reason: "Serious injury".into(),
            invitees: vec![],
        }),
    );
    // SET L2066–L2068: serious injury → the same day.
    assert_eq!(
        run.case().protection.discussion(1).unwrap().due,
        Due::Date(day("2027-03-18"))
    );
    let two = core_attendees().into_iter().take(2).collect::<Vec<_>>();
    match run.try_do(
        SOCIAL_WORKER,
        "2027-03-18 15:00",
        hold_strategy(1, "2027-03-18 14:00", two.clone(), true),
    ) {
        Err(Refusal::Invalid(e)) => {
            assert!(e.for_field("attendees").unwrap().contains("the police"))
        }
        other => panic!("expected refusal, got {other:?}"),
    }
    // A social worker may not authorise the override; a practice supervisor may, with a reason.
    let with_override = |who: &str| match hold_strategy(1, "2027-03-18 14:00", two.clone(), true) {
        Command::Protection(b) => match *b {
            CpCommand::HoldStrategy {
                number,
                held_at,
                attendees,
                information,
                initiate_s47,
                s47_reason,
                criminal_investigation,
                immediate_actions,
                legal_action,
                share_with_family,
                withhold_from_family,
                agency_decisions,
                ..
            } => cp(CpCommand::HoldStrategy {
                number,
                held_at,
                attendees,
                attendance_override: who.into(),
                information,
                initiate_s47,
                s47_reason,
                criminal_investigation,
                immediate_actions,
                legal_action,
                share_with_family,
                withhold_from_family,
                agency_decisions,
            }),
            _ => unreachable!(),
        },
        _ => unreachable!(),
    };
    assert!(run
        .try_do(
            SOCIAL_WORKER,
            "2027-03-18 15:00",
            with_override("Police unavailable")
        )
        .is_err());
    run.ok(
        SUPERVISOR,
        "2027-03-18 15:00",
        with_override("Police could not join; briefed by phone at 15:30"),
    );
    assert!(run
        .case()
        .protection
        .discussion(1)
        .unwrap()
        .record
        .as_ref()
        .unwrap()
        .attendance_override
        .is_some());
}

/// Initial conference: the chair is independent (descriptor 003 L1853–1854); the plan
/// names categories, lead social worker and core group; the first core group is due
/// within 10 working days and the first review within 3 months (003 L1917, L1936).
#[test]
fn the_conference_makes_a_plan_with_its_clocks() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-03-18 10:00",
        open(Service::SocialCare, "2027-03-18"),
    );
    run.ok(
        SUPERVISOR,
        "2027-03-18 11:00",
        Command::ProposeLead {
            to: lead_sw(),
            family_views: "x".into(),
            handover: String::new(),
        },
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-03-18 11:00",
        Command::AnswerAllocation {
            accept: true,
            reason: String::new(),
        },
    );
    to_icpc(&mut run, "2027-03-19 10:00");
    let schedule = |chair: Practitioner, manages: bool| {
        cp(CpCommand::ScheduleConference {
            conference: 1,
            date: day("2027-04-08"),
            chair: Some(chair),
            chair_line_manages_lead: manages,
            invitees: vec![person("Mother", "parent", "", None)],
            time: chrono::NaiveTime::from_hms_opt(10, 0, 0),
            place: "Civic Centre".into(),
            late_reason: String::new(),
            late_authorised_by: String::new(),
            late_consulted: String::new(),
        })
    };
    // The lead social worker cannot chair; nor a manager of the lead.
    assert!(matches!(
        run.try_do(SUPERVISOR, "2027-03-22 10:00", schedule(lead_sw(), false)),
        Err(Refusal::Invalid(_))
    ));
    assert!(matches!(
        run.try_do(
            SUPERVISOR,
            "2027-03-22 10:00",
            schedule(practitioner(SUPERVISOR), true)
        ),
        Err(Refusal::Invalid(_))
    ));
    run.ok(
        SUPERVISOR,
        "2027-03-22 10:00",
        schedule(practitioner(CHAIR), false),
    );
    // Only the chair records the conference.
    let hold = |outcome| {
        cp(CpCommand::HoldConference {
            conference: 1,
            held_on: day("2027-04-08"),
            attendees: core_attendees(),
            views: vec![View {
                name: "Mother".into(),
                view: "Accepts help".into(),
                scale: Some(3),
            }],
            outcome,
            late_reason: String::new(),
            ongoing_support: String::new(),
            eighteenth_birthday: None,
        })
    };
    assert!(matches!(
        run.try_do(SUPERVISOR, "2027-04-08 15:00", hold(plan_outcome())),
        Err(Refusal::Forbidden { .. })
    ));
    run.ok(CHAIR, "2027-04-08 15:00", hold(plan_outcome()));
    let plan = run.case().protection.open_plan().unwrap();
    assert_eq!(plan.initial_categories, vec![HarmCategory::Physical]);
    // 10 working days from Thursday 8 April 2027: Thursday 22 April.
    assert_eq!(plan.next_core_group, Due::Date(day("2027-04-22")));
    // Three months: Thursday 8 July 2027.
    assert_eq!(plan.next_review, Due::Date(day("2027-07-08")));
    let review = run.case().protection.pending_conference().unwrap();
    assert_eq!(review.kind, ConferenceKind::Review);
    // Issue 16 (003 L1900): the plan was made with no assessment on the case, so the
    // supervisors are asked to start one, due the day the plan starts, until one is.
    let flag = run
        .work()
        .into_iter()
        .find(|w| w.key == "assessment-for-plan")
        .expect("flagged");
    assert_eq!(flag.assignee, None, "the supervisors' tray");
    assert_eq!(flag.due, Due::Date(day("2027-04-08")));
    assert_eq!(flag.rule_id.as_deref(), Some("assessment-for-plan"));
    run.ok(
        SOCIAL_WORKER,
        "2027-04-09 09:00",
        Command::StartAssessment {
            kind: together_domain::case::assessment::AssessmentKind::ChildAndFamilySection47,
            started_on: day("2027-04-09"),
            about: String::new(),
            gestation_weeks: None,
            late_start_reason: String::new(),
        },
    );
    assert!(run.work().iter().all(|w| w.key != "assessment-for-plan"));
    // The case cannot close, or step down, while the plan is open.
    assert!(run
        .try_do(
            SUPERVISOR,
            "2027-04-09 10:00",
            Command::Close {
                on: day("2027-04-09"),
                reason: ClosureReason::RC7,
                note: String::new()
            }
        )
        .is_err());
    // "No longer at risk" ends a plan only at a review conference.
    assert!(matches!(
        run.try_do(
            SUPERVISOR,
            "2027-04-09 10:00",
            cp(CpCommand::EndPlan {
                reason: EndReason::NoLongerAtRisk,
                on: day("2027-04-09"),
                notified: "All".into(),
                ongoing_support: "CIN".into()
            })
        ),
        Err(Refusal::Conflict(_))
    ));
    // The case is a process of the kernel (issue 15): it conforms, and how people stand
    // to it comes from its state — the lead social worker is allocated, the chair and
    // the attendees invited, someone else nothing.
    common::conforms::<CaseProcess>(&run.events, &run.case, set());
    assert_eq!(
        CaseProcess::relationships(&run.case, SOCIAL_WORKER.user),
        vec![Relationship::Allocated]
    );
    assert_eq!(
        CaseProcess::subjects(&run.case),
        vec![Subject::child(run.case().child)]
    );
    assert!(CaseProcess::relationships(&run.case, OTHER_PARTNER.user).is_empty());
    assert_eq!(CaseProcess::standing(Role::SocialWorker), Standing::Holder);
    assert_eq!(
        CaseProcess::standing(Role::PartnerPractitioner),
        Standing::Contributor
    );
    assert_eq!(
        CaseProcess::standing(Role::SystemAdministrator),
        Standing::None
    );
    let work = CaseProcess::work(run.case().id.0, &run.case, set(), cal());
    assert_eq!(work.len(), run.work().len());
}

/// Discontinuing descriptor (003 L1952–L1960): a child who moves permanently — the plan
/// ends only after the receiving authority's conference.
#[test]
fn a_plan_ended_by_a_move_waits_for_the_receiving_conference() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-03-18 10:00",
        open(Service::SocialCare, "2027-03-18"),
    );
    to_icpc(&mut run, "2027-03-19 10:00");
    run.ok(
        SUPERVISOR,
        "2027-03-22 10:00",
        cp(CpCommand::ScheduleConference {
            conference: 1,
            date: day("2027-04-08"),
            chair: Some(practitioner(CHAIR)),
            chair_line_manages_lead: false,
            invitees: vec![person("Mother", "parent", "", None)],
            time: chrono::NaiveTime::from_hms_opt(10, 0, 0),
            place: "Civic Centre".into(),
            late_reason: String::new(),
            late_authorised_by: String::new(),
            late_consulted: String::new(),
        }),
    );
    run.ok(
        CHAIR,
        "2027-04-08 15:00",
        cp(CpCommand::HoldConference {
            conference: 1,
            held_on: day("2027-04-08"),
            attendees: core_attendees(),
            views: vec![],
            outcome: plan_outcome(),
            late_reason: String::new(),
            ongoing_support: String::new(),
            eighteenth_birthday: None,
        }),
    );
    let end = |conf: &str| {
        cp(CpCommand::EndPlan {
            reason: EndReason::MovedPermanently {
                to: "Thurrock".into(),
                receiving_conference_on: day(conf),
            },
            on: day("2027-05-10"),
            notified: "Everyone invited to the initial conference".into(),
            ongoing_support: "Thurrock's plan".into(),
        })
    };
    assert!(matches!(
        run.try_do(SUPERVISOR, "2027-05-10 10:00", end("2027-05-12")),
        Err(Refusal::Invalid(_))
    ));
    run.ok(SUPERVISOR, "2027-05-10 10:00", end("2027-05-07"));
    assert!(run.case().protection.open_plan().is_none());
    assert!(
        run.case().protection.pending_conference().is_none(),
        "the review is no longer needed"
    );
}

/// 003 L1955: the receiving authority's conference within 15 working days of being
/// notified of the move (`transfer-in-conference`).
#[test]
fn a_child_moving_in_on_a_plan_gets_a_conference_within_15_working_days() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-03-18 10:00",
        open(Service::SocialCare, "2027-03-18"),
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-03-19 10:00",
        cp(CpCommand::NotifyTransferIn {
            from_authority: "Southend".into(),
            notified_on: day("2027-03-19"),
        }),
    );
    let c = run.case().protection.pending_conference().unwrap();
    assert_eq!(c.kind, ConferenceKind::TransferIn);
    assert_eq!(c.due, Due::Date(day("2027-04-13")));
}

/// Immediate protection: police protection lasts 72 hours at most; a strategy discussion
/// follows within a working day (SET L2074–L2075); an EPO extends once, by up to 7 days.
#[test]
fn emergency_action_sets_its_clocks() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-03-18 10:00",
        open(Service::SocialCare, "2027-03-18"),
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-03-19 22:00",
        cp(CpCommand::RecordEmergency {
            kind: EmergencyKind::PoliceProtection,
            at: at("2027-03-19 21:30"),
            agency: "Police".into(),
            legal_advice: "Not needed for police protection".into(),
            child_seen_by: "PC Jones".into(),
            other_children: "Sibling, 4, also taken".into(),
            ends_at: None,
        }),
    );
    let p = &run.case().protection;
    assert_eq!(
        p.emergencies[0].ends,
        Some(Due::DateTime(at("2027-03-22 21:30")))
    );
    // Friday night → the strategy discussion is due on Monday.
    assert_eq!(p.discussion(1).unwrap().due, Due::Date(day("2027-03-22")));
    run.ok(
        SOCIAL_WORKER,
        "2027-03-22 10:00",
        cp(CpCommand::RecordEmergency {
            kind: EmergencyKind::EmergencyProtectionOrder,
            at: at("2027-03-22 09:00"),
            agency: "Essex County Council".into(),
            legal_advice: "Legal advice taken".into(),
            child_seen_by: "Sam Patel".into(),
            other_children: "As before".into(),
            ends_at: Some(at("2027-03-30 09:00")),
        }),
    );
    // s45(5): an extension of seven days at most, from the end the court first gave.
    assert!(matches!(
        run.try_do(
            SUPERVISOR,
            "2027-03-23 10:00",
            cp(CpCommand::ExtendEpo {
                number: 2,
                ends_at: at("2027-04-06 09:01")
            })
        ),
        Err(Refusal::Invalid(_))
    ));
    run.ok(
        SUPERVISOR,
        "2027-03-23 10:00",
        cp(CpCommand::ExtendEpo {
            number: 2,
            ends_at: at("2027-04-06 09:00"),
        }),
    );
    // s45(6): once only.
    assert!(matches!(
        run.try_do(
            SUPERVISOR,
            "2027-03-23 10:00",
            cp(CpCommand::ExtendEpo {
                number: 2,
                ends_at: at("2027-04-06 10:00")
            })
        ),
        Err(Refusal::Conflict(_))
    ));
}

/// Outcome of s47 descriptor (003 L1785): any practitioner may ask for a conference when
/// children's social care decides not to hold one; a refusal is escalated to a named
/// manager, whose answer is due by the profile's rule and who may convene it.
#[test]
fn a_practitioner_asks_for_a_conference_and_escalates_the_refusal() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-03-18 10:00",
        open(Service::SocialCare, "2027-03-18"),
    );
    run.ok(
        SCHOOL_DSL,
        "2027-03-18 10:00",
        cp(CpCommand::RequestConference {
            by: "School DSL".into(),
            reason: "Bruises again".into(),
        }),
    );
    assert_eq!(
        run.case().protection.requests[0].by_user,
        Some(SCHOOL_DSL.user)
    );
    assert!(run
        .try_do(
            SCHOOL_DSL,
            "2027-03-18 10:00",
            cp(CpCommand::AnswerConferenceRequest {
                index: 0,
                agreed: true,
                reason: "x".into()
            })
        )
        .is_err());
    run.ok(
        SUPERVISOR,
        "2027-03-18 11:00",
        cp(CpCommand::AnswerConferenceRequest {
            index: 0,
            agreed: false,
            reason: "Enquiry found no harm".into(),
        }),
    );
    assert!(run.case().protection.conferences.is_empty());
    let manager = Actor {
        user: UserId(Uuid::from_u128(77)),
        role: Role::PracticeSupervisor,
    };
    let escalate = |to: Option<Practitioner>| {
        cp(CpCommand::EscalateConferenceRequest {
            index: 0,
            reason: "Disagree: escalating".into(),
            to,
        })
    };
    // To a named manager, not the one who refused, nor anyone else's to send.
    assert!(matches!(
        run.try_do(SCHOOL_DSL, "2027-03-18 12:00", escalate(None)),
        Err(Refusal::Invalid(_))
    ));
    assert!(matches!(
        run.try_do(
            SCHOOL_DSL,
            "2027-03-18 12:00",
            escalate(Some(practitioner(SUPERVISOR)))
        ),
        Err(Refusal::Invalid(_))
    ));
    assert!(matches!(
        run.try_do(
            CHAIR,
            "2027-03-18 12:00",
            escalate(Some(practitioner(manager)))
        ),
        Err(Refusal::Forbidden { .. })
    ));
    run.ok(
        SCHOOL_DSL,
        "2027-03-18 12:00",
        escalate(Some(practitioner(manager))),
    );
    // The manager's work: Thursday 18 March + 2 working days = Monday 22 March.
    let w = run.work();
    let item = w
        .iter()
        .find(|w| w.key == "conference-escalation-0")
        .unwrap();
    assert_eq!(item.assignee, Some(manager.user));
    assert_eq!(item.due, Due::Date(day("2027-03-22")));
    assert_eq!(
        item.rule_id.as_deref(),
        Some("conference-escalation-answer")
    );
    let answer = |agreed: bool| {
        cp(CpCommand::AnswerConferenceEscalation {
            index: 0,
            agreed,
            reason: "The pattern of bruising needs a conference".into(),
        })
    };
    assert!(matches!(
        run.try_do(SUPERVISOR, "2027-03-19 10:00", answer(true)),
        Err(Refusal::Forbidden { .. })
    ));
    run.ok(manager, "2027-03-19 10:00", answer(true));
    // Agreed: an initial conference is convened, due by `icpc` from the agreement, and
    // may be held although no section 47 enquiry substantiated the concerns.
    let p = &run.case().protection;
    assert!(p.requests[0].agreed());
    let c = p.pending_conference().unwrap();
    assert_eq!(c.kind, ConferenceKind::Initial);
    assert_eq!(c.rule_id.as_deref(), Some("icpc"));
    assert_eq!(
        c.due,
        Due::Date(cal().add_working_days(day("2027-03-19"), 15))
    );
    assert!(p.may_convene_initial());
    assert!(run
        .work()
        .iter()
        .any(|w| w.key == "conference-1" && w.assignee.is_none()));
    assert!(!run
        .work()
        .iter()
        .any(|w| w.key.starts_with("conference-escalation")));
}

/// A request agreed at once convenes the conference, in the supervisors' tray.
#[test]
fn an_agreed_request_convenes_the_conference() {
    let mut run = case_run(national());
    run.ok(
        SCHOOL_DSL,
        "2027-03-01 10:00",
        cp(CpCommand::RequestConference {
            by: "School DSL".into(),
            reason: "Disclosure".into(),
        }),
    );
    run.ok(
        SUPERVISOR,
        "2027-03-01 11:00",
        cp(CpCommand::AnswerConferenceRequest {
            index: 0,
            agreed: true,
            reason: "Agreed".into(),
        }),
    );
    let c = run.case().protection.pending_conference().unwrap();
    assert_eq!(c.due, Due::Date(day("2027-03-22")));
    let w = run.work();
    let arrange = w.iter().find(|w| w.key == "conference-1").unwrap();
    assert_eq!(arrange.assignee, None);
    assert!(arrange.title.starts_with("Arrange"));
}

fn any_cp_command() -> impl Strategy<Value = (Actor, Command)> {
    let who = prop_oneof![
        Just(SUPERVISOR),
        Just(SOCIAL_WORKER),
        Just(CHAIR),
        Just(SCHOOL_DSL)
    ];
    let cmd = prop_oneof![
        Just(cp(CpCommand::ConveneStrategy {
            timing: StrategyTiming::Routine,
            concerns_at: None,
            by: None,
            reason: "r".into(),
            invitees: vec![]
        })),
        (1u32..3, any::<bool>()).prop_map(|(n, i)| hold_strategy(
            n,
            "2027-03-19 10:00",
            core_attendees(),
            i
        )),
        (1u32..3).prop_map(|n| cp(CpCommand::RecordS47Task {
            enquiry: n,
            task: S47Task::ChildSeenAlone,
            on: day("2027-03-19"),
            note: "n".into()
        })),
        (1u32..3, any::<bool>()).prop_map(|(n, s)| cp(CpCommand::RecommendS47 {
            enquiry: n,
            finding: S47Finding {
                substantiated: s,
                reasons: "r".into(),
                discussed_with_family: "d".into(),
                onward_support: "o".into(),
                fgc_offered: true
            }
        })),
        (1u32..3).prop_map(|n| cp(CpCommand::CountersignS47 {
            enquiry: n,
            expected_delivery: None
        })),
        (0usize..2, any::<bool>()).prop_map(|(i, a)| cp(CpCommand::AnswerConferenceRequest {
            index: i,
            agreed: a,
            reason: "r".into()
        })),
        (1u32..5).prop_map(|n| cp(CpCommand::ScheduleConference {
            conference: n,
            date: day("2027-03-20"),
            chair: Some(practitioner(CHAIR)),
            chair_line_manages_lead: false,
            invitees: vec![person("Mother", "parent", "", None)],
            time: chrono::NaiveTime::from_hms_opt(10, 0, 0),
            place: "Civic Centre".into(),
            late_reason: String::new(),
            late_authorised_by: String::new(),
            late_consulted: String::new(),
        })),
        (1u32..5, 0usize..3).prop_map(|(n, o)| cp(CpCommand::HoldConference {
            conference: n,
            held_on: day("2027-03-19"),
            attendees: core_attendees(),
            views: vec![],
            outcome: match o {
                0 => plan_outcome(),
                1 => OutcomeInput::NoPlan {
                    reasons: "r".into()
                },
                _ => OutcomeInput::Discontinue {
                    reason: EndReason::NoLongerAtRisk
                },
            },
            late_reason: "late".into(),
            ongoing_support: "support".into(),
            eighteenth_birthday: None
        })),
        Just(cp(CpCommand::HoldCoreGroup {
            held_on: day("2027-03-19"),
            attendees: core_attendees(),
            absent_views: String::new(),
            progress: "p".into(),
            plan_changes: String::new(),
            next_by: None,
            new_actions: vec![]
        })),
        (0usize..4).prop_map(|r| cp(CpCommand::EndPlan {
            reason: [
                EndReason::NoLongerAtRisk,
                EndReason::Turned18,
                EndReason::Died,
                EndReason::LeftTheUk
            ][r]
                .clone(),
            on: day("2027-03-19"),
            notified: "all".into(),
            ongoing_support: "s".into()
        })),
        Just(cp(CpCommand::NotifyTransferIn {
            from_authority: "Southend".into(),
            notified_on: day("2027-03-19")
        })),
        (0usize..9).prop_map(|r| Command::Close {
            on: day("2027-03-19"),
            reason: ClosureReason::ALL[r],
            note: String::new()
        }),
    ];
    (who, cmd)
}

proptest! {
    /// Issue 5: no sequence of commands reaches a plan without a conference, a
    /// conference without a strategy discussion at which s47 was initiated (or a
    /// transfer in), or an ended plan without one of the five reasons (the type allows
    /// no other), and a case never closes with a plan open.
    #[test]
    fn child_protection_invariants_hold(steps in proptest::collection::vec(any_cp_command(), 1..50)) {
        let mut run = Run::new(set());
        run.ok(SUPERVISOR, "2027-03-18 09:00", open(Service::SocialCare, "2027-03-18"));
        for (who, cmd) in steps {
            let ctx = Context { now: at("2027-03-19 18:00"), actor: who, profile: set(), calendar: cal() };
            if let Ok(evs) = decide(run.case.as_ref(), cmd, &ctx) {
                for e in &evs {
                    prop_assert_eq!(&CaseEvent::from_stored(e.type_id(), &e.payload_json()).unwrap(), e);
                    run.case = apply(run.case.take(), e);
                }
                let c = run.case();
                prop_assert_eq!(c.check_invariants(), Ok(()));
                for plan in &c.protection.plans {
                    let conf = c.protection.conference(plan.conference).unwrap();
                    prop_assert!(conf.kind.is_initial() && conf.record.is_some());
                }
            }
        }
    }
}

/// SET 2.6.14 (`pre-birth-conference`): "ten weeks prior to the expected delivery date";
/// the earlier of that and the 15 working days from the strategy discussion is due.
#[test]
fn a_pre_birth_conference_is_due_ten_weeks_before_the_expected_date() {
    for (edd, due, rule) in [
        ("2027-06-10", "2027-04-01", "pre-birth-conference"), // 70 days back: 1 April
        ("2027-08-01", "2027-04-13", "icpc"),                 // 23 May is later: 15 WD
    ] {
        let mut run = Run::new(set());
        run.ok(
            SUPERVISOR,
            "2027-03-18 10:00",
            open(Service::SocialCare, "2027-03-18"),
        );
        run.ok(
            SUPERVISOR,
            "2027-03-19 10:00",
            cp(CpCommand::ConveneStrategy {
                timing: StrategyTiming::Routine,
                concerns_at: None,
                by: None,
                reason: "Pre-birth concerns".into(),
                invitees: vec![],
            }),
        );
        run.ok(
            SUPERVISOR,
            "2027-03-19 10:00",
            hold_strategy(1, "2027-03-19 10:00", core_attendees(), true),
        );
        run.ok(
            SOCIAL_WORKER,
            "2027-03-19 11:00",
            cp(CpCommand::RecordS47Task {
                enquiry: 1,
                task: S47Task::ChildSeenAlone,
                on: day("2027-03-19"),
                note: "Unborn: mother seen alone".into(),
            }),
        );
        run.ok(
            SOCIAL_WORKER,
            "2027-03-19 11:00",
            cp(CpCommand::RecommendS47 {
                enquiry: 1,
                finding: S47Finding {
                    substantiated: true,
                    reasons: "Risk to the unborn baby".into(),
                    discussed_with_family: String::new(),
                    onward_support: String::new(),
                    fgc_offered: false,
                },
            }),
        );
        run.ok(
            SUPERVISOR,
            "2027-03-19 12:00",
            cp(CpCommand::CountersignS47 {
                enquiry: 1,
                expected_delivery: Some(day(edd)),
            }),
        );
        let c = run.case().protection.pending_conference().unwrap();
        assert_eq!(c.kind, ConferenceKind::PreBirth);
        assert_eq!(c.due, Due::Date(day(due)), "EDD {edd}");
        assert_eq!(c.rule_id.as_deref(), Some(rule));
    }
}

/// 003 L1957: "a review around the child's birthday ... planned in advance". A child who
/// turns 18 on Tuesday 1 June 2027 has the review by Friday 28 May — Monday 31 May is the
/// spring bank holiday — not the three months (8 July) the plan would otherwise give.
#[test]
fn a_plan_is_reviewed_before_the_18th_birthday() {
    let mut run = Run::new(set());
    run.ok(
        SUPERVISOR,
        "2027-03-18 10:00",
        open(Service::SocialCare, "2027-03-18"),
    );
    to_icpc(&mut run, "2027-03-19 10:00");
    run.ok(
        SUPERVISOR,
        "2027-03-22 10:00",
        cp(CpCommand::ScheduleConference {
            conference: 1,
            date: day("2027-04-08"),
            chair: Some(practitioner(CHAIR)),
            chair_line_manages_lead: false,
            invitees: vec![person("Mother", "parent", "", None)],
            time: chrono::NaiveTime::from_hms_opt(10, 0, 0),
            place: "Civic Centre".into(),
            late_reason: String::new(),
            late_authorised_by: String::new(),
            late_consulted: String::new(),
        }),
    );
    run.ok(
        CHAIR,
        "2027-04-08 15:00",
        cp(CpCommand::HoldConference {
            conference: 1,
            held_on: day("2027-04-08"),
            attendees: core_attendees(),
            views: vec![],
            outcome: plan_outcome(),
            late_reason: String::new(),
            ongoing_support: String::new(),
            eighteenth_birthday: Some(day("2027-06-01")),
        }),
    );
    assert_eq!(
        run.case().protection.open_plan().unwrap().next_review,
        Due::Date(day("2027-05-28"))
    );
    assert_eq!(
        run.case().protection.pending_conference().unwrap().due,
        Due::Date(day("2027-05-28"))
    );
}

// ---- Issue 16: immediate protection as the court gives it, one strategy discussion at a
// time, conferences arranged with a date, a time, a place and a reason when late ----

fn refused_on(r: Result<Vec<CaseEvent>, Refusal>, field: &str) -> String {
    match r {
        Err(Refusal::Invalid(e)) => e
            .for_field(field)
            .unwrap_or_else(|| panic!("no error on {field}: {e:?}"))
            .to_string(),
        other => panic!("expected an error on {field}, got {other:?}"),
    }
}

fn emergency(kind: EmergencyKind, at_: &str, ends_at: Option<&str>) -> Command {
    cp(CpCommand::RecordEmergency {
        kind,
        at: at(at_),
        agency: "Police".into(),
        legal_advice: "Legal advice taken".into(),
        child_seen_by: "PC Jones".into(),
        other_children: "None".into(),
        ends_at: ends_at.map(at),
    })
}

fn case_run(profile: &'static together_domain::profile::Profile) -> Run {
    let mut run = Run::new(profile);
    run.ok(
        SUPERVISOR,
        "2027-03-01 09:00",
        open(Service::SocialCare, "2027-03-01"),
    );
    run
}

/// Children Act 1989 s45(1): the court specifies when an order ends. It is recorded as
/// given, with its time, and an end needs giving.
#[test]
fn an_emergency_protection_order_ends_when_the_court_says() {
    let mut run = case_run(national());
    let r = run.try_do(
        SOCIAL_WORKER,
        "2027-03-01 12:00",
        emergency(
            EmergencyKind::EmergencyProtectionOrder,
            "2027-03-01 10:00",
            None,
        ),
    );
    assert!(refused_on(r, "ends_at_date").contains("as the court gave it"));
    run.ok(
        SOCIAL_WORKER,
        "2027-03-01 12:00",
        emergency(
            EmergencyKind::EmergencyProtectionOrder,
            "2027-03-01 10:00",
            Some("2027-03-05 16:00"),
        ),
    );
    let x = &run.case().protection.emergencies[0];
    assert_eq!(x.ends, Some(Due::DateTime(at("2027-03-05 16:00"))));
    assert_eq!(x.end_warning(national(), cal()), None);
}

/// s45(1): eight days at most; s45(2): where the eighth day is a Sunday or public holiday
/// (Christmas Day, Good Friday, a bank holiday), until noon on the next day that is not.
#[test]
fn an_order_recorded_longer_than_the_act_allows_is_warned_with_the_statute() {
    let mut run = case_run(national());
    // Made Monday 1 March 10:00: the eighth day is Tuesday 9 March, an ordinary day.
    run.ok(
        SOCIAL_WORKER,
        "2027-03-01 12:00",
        emergency(
            EmergencyKind::EmergencyProtectionOrder,
            "2027-03-01 10:00",
            Some("2027-03-09 10:00"),
        ),
    );
    // Made Thursday 18 March 10:00: the eighth day is Good Friday 26 March 2027, so the
    // order may run until noon on Saturday 27 March.
    run.ok(
        SOCIAL_WORKER,
        "2027-03-18 12:00",
        emergency(
            EmergencyKind::EmergencyProtectionOrder,
            "2027-03-18 10:00",
            Some("2027-03-27 12:00"),
        ),
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-03-18 12:00",
        emergency(
            EmergencyKind::EmergencyProtectionOrder,
            "2027-03-18 10:00",
            Some("2027-03-27 12:01"),
        ),
    );
    run.ok(
        SOCIAL_WORKER,
        "2027-03-18 12:00",
        emergency(
            EmergencyKind::EmergencyProtectionOrder,
            "2027-03-01 10:00",
            Some("2027-03-09 10:01"),
        ),
    );
    let e = &run.case().protection.emergencies;
    assert_eq!(
        e[1].latest_end_the_act_allows(national(), cal()),
        Some(at("2027-03-27 12:00"))
    );
    assert_eq!(e[0].end_warning(national(), cal()), None);
    assert_eq!(e[1].end_warning(national(), cal()), None);
    let w = e[2]
        .end_warning(national(), cal())
        .expect("beyond noon on the next day");
    assert!(w.contains("s45(1)") && w.contains("s45(2)") && w.contains("27 March 2027"));
    assert!(e[3]
        .end_warning(national(), cal())
        .unwrap()
        .contains("s45(1)"));
}

/// The expiry of police protection and of an order is in the case's tray a working day
/// before it ends (issue 16), and leaves it when the end is recorded.
#[test]
fn the_end_of_immediate_protection_is_in_the_tray_a_working_day_before() {
    let mut run = case_run(national());
    allocate(&mut run, SOCIAL_WORKER, "2027-03-01 09:30");
    // Ends Tuesday 30 March 2027 09:00; Monday 29th is Easter Monday and Friday 26th
    // Good Friday, so the last working day before is Thursday 25 March.
    run.ok(
        SOCIAL_WORKER,
        "2027-03-22 12:00",
        emergency(
            EmergencyKind::EmergencyProtectionOrder,
            "2027-03-22 09:00",
            Some("2027-03-30 09:00"),
        ),
    );
    let w = run.work();
    let item = w.iter().find(|w| w.key == "emergency-ends-1").unwrap();
    assert_eq!(item.due, Due::Date(day("2027-03-25")));
    assert_eq!(item.assignee, Some(SOCIAL_WORKER.user));
    assert_eq!(
        item.rule_id.as_deref(),
        Some("immediate-protection-ends-notice")
    );
    assert!(item.title.contains("09:00 on 30 March 2027"));
    run.ok(
        SOCIAL_WORKER,
        "2027-03-24 12:00",
        cp(CpCommand::RecordEmergencyEnded {
            number: 1,
            ended_at: at("2027-03-24 11:00"),
            note: "Interim care order made".into(),
        }),
    );
    assert!(!run.work().iter().any(|w| w.key == "emergency-ends-1"));
    // An ended order is not extended.
    assert!(matches!(
        run.try_do(
            SUPERVISOR,
            "2027-03-24 12:00",
            cp(CpCommand::ExtendEpo {
                number: 1,
                ends_at: at("2027-04-01 09:00")
            })
        ),
        Err(Refusal::Conflict(_))
    ));
}

/// Police protection then an emergency protection order, for a child already awaiting
/// a strategy discussion, convene no second and third discussion: the one convened is
/// brought forward to the earlier due date (issue 16; SET L2074-L2075).
#[test]
fn immediate_protection_brings_the_awaited_discussion_forward_and_convenes_no_other() {
    let mut run = case_run(set());
    // Routine, SET: three working days from Monday 1 March → Thursday 4 March.
    run.ok(
        SUPERVISOR,
        "2027-03-01 10:00",
        cp(CpCommand::ConveneStrategy {
            timing: StrategyTiming::Routine,
            concerns_at: None,
            by: None,
            reason: "Bruising".into(),
            invitees: Vec::new(),
        }),
    );
    assert_eq!(
        run.case().protection.discussions[0].due,
        Due::Date(day("2027-03-04"))
    );
    // Police protection on Monday evening: within one working day → Tuesday 2 March.
    run.ok(
        SOCIAL_WORKER,
        "2027-03-01 22:00",
        emergency(EmergencyKind::PoliceProtection, "2027-03-01 21:00", None),
    );
    // The order on Tuesday: one working day → Wednesday, later than Tuesday: no change.
    run.ok(
        SOCIAL_WORKER,
        "2027-03-02 12:00",
        emergency(
            EmergencyKind::EmergencyProtectionOrder,
            "2027-03-02 11:00",
            Some("2027-03-09 16:00"),
        ),
    );
    let p = &run.case().protection;
    assert_eq!(p.discussions.len(), 1);
    assert_eq!(p.discussions[0].due, Due::Date(day("2027-03-02")));
    assert_eq!(
        p.discussions[0].rule_id.as_deref(),
        Some("strategy-after-emergency-action")
    );
    let strategy_work: Vec<_> = run
        .work()
        .into_iter()
        .filter(|w| w.key.starts_with("strategy-"))
        .collect();
    assert_eq!(strategy_work.len(), 1);
    assert_eq!(strategy_work[0].due, Due::Date(day("2027-03-02")));
    // Convening another, not needed sooner, is refused and names the one convened.
    match run.try_do(
        SUPERVISOR,
        "2027-03-02 12:00",
        cp(CpCommand::ConveneStrategy {
            timing: StrategyTiming::Complex,
            concerns_at: None,
            by: None,
            reason: "x".into(),
            invitees: Vec::new(),
        }),
    ) {
        Err(Refusal::Conflict(m)) => assert!(m.contains("strategy discussion 1")),
        other => panic!("{other:?}"),
    }
}

/// A convened discussion that has not been held can be cancelled, with a reason; it is
/// then neither held nor in the tray, and a new one can be convened (issue 16).
#[test]
fn a_convened_discussion_is_cancelled_with_a_reason() {
    let mut run = case_run(set());
    let convene = || {
        cp(CpCommand::ConveneStrategy {
            timing: StrategyTiming::Routine,
            concerns_at: None,
            by: None,
            reason: "Bruising".into(),
            invitees: Vec::new(),
        })
    };
    run.ok(SUPERVISOR, "2027-03-01 10:00", convene());
    let cancel = |reason: &str| {
        cp(CpCommand::CancelStrategy {
            number: 1,
            reason: reason.into(),
            merge_into: None,
        })
    };
    // A practice supervisor's decision, with its reason.
    assert!(matches!(
        run.try_do(SOCIAL_WORKER, "2027-03-01 11:00", cancel("x")),
        Err(Refusal::Forbidden { .. })
    ));
    refused_on(
        run.try_do(SUPERVISOR, "2027-03-01 11:00", cancel(" ")),
        "reason",
    );
    run.ok(
        SUPERVISOR,
        "2027-03-01 11:00",
        cancel("Explained by a medical condition, confirmed by the GP"),
    );
    assert!(!run.work().iter().any(|w| w.key.starts_with("strategy-")));
    assert!(matches!(
        run.try_do(
            SUPERVISOR,
            "2027-03-01 12:00",
            hold_strategy(1, "2027-03-01 12:00", core_attendees(), true)
        ),
        Err(Refusal::Conflict(_))
    ));
    run.ok(SUPERVISOR, "2027-03-02 10:00", convene());
    assert_eq!(run.case().protection.discussions[1].number, 2);
}

/// Two discussions convened before duplicates were stopped (events recorded earlier):
/// one is merged into the other, which takes the earlier due date and its invitees.
#[test]
fn a_duplicate_discussion_is_merged_into_the_other() {
    let mut run = case_run(set());
    let d = |n: u32, due: &str, who: &str| StrategyDiscussion {
        number: n,
        convened_at: at("2027-03-01 10:00"),
        reason: "x".into(),
        due: Due::Date(day(due)),
        rule_id: None,
        invitees: vec![person(who, "role", "", None)],
        record: None,
        not_held: None,
    };
    for discussion in [d(1, "2027-03-04", "A"), d(2, "2027-03-02", "B")] {
        let e = CaseEvent {
            at: at("2027-03-01 10:00"),
            by: SUPERVISOR,
            change: Change::StrategyDiscussionConvened { discussion },
        };
        run.case = apply(run.case.take(), &e);
    }
    // Merging into one that is not awaited, or into itself, is refused.
    let merge = |n: u32, into: u32| {
        cp(CpCommand::CancelStrategy {
            number: n,
            reason: "The same concerns".into(),
            merge_into: Some(into),
        })
    };
    refused_on(
        run.try_do(SUPERVISOR, "2027-03-01 11:00", merge(2, 2)),
        "merge_into",
    );
    run.ok(SUPERVISOR, "2027-03-01 11:00", merge(2, 1));
    let p = &run.case().protection;
    assert_eq!(
        p.discussions[1].not_held.as_ref().unwrap().merged_into,
        Some(1)
    );
    assert_eq!(p.discussions[0].due, Due::Date(day("2027-03-02")));
    let names: Vec<_> = p.discussions[0]
        .invitees
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["A", "B"]);
}

/// SET L2059: the strategy clock starts when the concerns were identified, which the
/// social worker records on an open case; not when the discussion is convened.
#[test]
fn the_strategy_clock_runs_from_when_the_concerns_were_identified() {
    let mut run = case_run(set());
    run.ok(
        SUPERVISOR,
        "2027-03-22 10:00",
        cp(CpCommand::ConveneStrategy {
            timing: StrategyTiming::Routine,
            concerns_at: Some(at("2027-03-19 16:00")),
            by: None,
            reason: "Disclosure at school on Friday afternoon".into(),
            invitees: Vec::new(),
        }),
    );
    // Friday 19 March → 22, 23, 24 March.
    assert_eq!(
        run.case().protection.discussions[0].due,
        Due::Date(day("2027-03-24"))
    );
}

fn schedule_on(date: &str, time: Option<&str>, late_reason: &str, authorised: &str) -> Command {
    cp(CpCommand::ScheduleConference {
        conference: 1,
        date: day(date),
        chair: Some(practitioner(CHAIR)),
        chair_line_manages_lead: false,
        invitees: vec![person("Mother", "parent", "", None)],
        time: time.map(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").unwrap()),
        place: "Civic Centre".into(),
        late_reason: late_reason.into(),
        late_authorised_by: authorised.into(),
        late_consulted: String::new(),
    })
}

/// Arranging an initial conference after its due date asks why at the time (WT2026 003
/// L1816, a *should*); in SET the conference "must" be within 15 working days (002
/// L2501) and a delay needs the operational service manager's written authorisation
/// (L2771).
#[test]
fn a_late_conference_asks_why_when_it_is_arranged() {
    for (profile, must) in [(national(), false), (set(), true)] {
        let mut run = case_run(profile);
        to_icpc(&mut run, "2027-03-19 10:00");
        // Due Tuesday 13 April 2027: 15 working days after Friday 19 March, Good Friday
        // and Easter Monday not counted.
        assert_eq!(
            run.case().protection.conferences[0].due,
            Due::Date(day("2027-04-13"))
        );
        let r = run.try_do(
            SUPERVISOR,
            "2027-03-22 10:00",
            schedule_on("2027-04-14", Some("10:00"), "", ""),
        );
        assert!(refused_on(r, "late_reason").contains("13 April 2027"));
        let r = run.try_do(
            SUPERVISOR,
            "2027-03-22 10:00",
            schedule_on(
                "2027-04-14",
                Some("10:00"),
                "The child's mother is in hospital",
                "",
            ),
        );
        if must {
            refused_on(r, "late_authorised_by");
            run.ok(
                SUPERVISOR,
                "2027-03-22 10:00",
                schedule_on(
                    "2027-04-14",
                    Some("10:00"),
                    "The child's mother is in hospital",
                    "J. Smith, operational service manager, email of 22 March",
                ),
            );
        } else {
            r.unwrap();
        }
        let c = &run.case().protection.conferences[0];
        let late = c.late.as_ref().unwrap();
        assert_eq!(late.reason, "The child's mother is in hospital");
        assert_eq!(late.authorised_by.is_some(), must);
        assert_eq!(c.time, chrono::NaiveTime::from_hms_opt(10, 0, 0));
        assert_eq!(c.place, "Civic Centre");
    }
}

/// A conference has a date, a time and a place; it meets on a working day; moving it
/// needs a reason, and each move is an event (issue 16).
#[test]
fn a_conference_is_arranged_with_a_time_and_place_and_moved_with_a_reason() {
    let mut run = case_run(national());
    to_icpc(&mut run, "2027-03-19 10:00");
    refused_on(
        run.try_do(
            SUPERVISOR,
            "2027-03-22 10:00",
            schedule_on("2027-04-08", None, "", ""),
        ),
        "time",
    );
    // Saturday 10 April.
    refused_on(
        run.try_do(
            SUPERVISOR,
            "2027-03-22 10:00",
            schedule_on("2027-04-10", Some("10:00"), "", ""),
        ),
        "date",
    );
    run.ok(
        SUPERVISOR,
        "2027-03-22 10:00",
        schedule_on("2027-04-08", Some("10:00"), "", ""),
    );
    let move_to = |date: &str, reason: &str, late: &str| {
        cp(CpCommand::RescheduleConference {
            conference: 1,
            date: day(date),
            time: chrono::NaiveTime::from_hms_opt(14, 0, 0),
            place: "By video call".into(),
            reason: reason.into(),
            late_reason: late.into(),
            late_authorised_by: String::new(),
            late_consulted: String::new(),
        })
    };
    refused_on(
        run.try_do(
            SUPERVISOR,
            "2027-03-30 10:00",
            move_to("2027-04-09", "", ""),
        ),
        "reason",
    );
    assert!(matches!(
        run.try_do(
            SOCIAL_WORKER,
            "2027-03-30 10:00",
            move_to("2027-04-09", "Chair ill", "")
        ),
        Err(Refusal::Forbidden { .. })
    ));
    let evs = run
        .try_do(
            SUPERVISOR,
            "2027-03-30 10:00",
            move_to("2027-04-09", "Chair ill", ""),
        )
        .unwrap();
    assert!(matches!(
        evs[0].change,
        Change::ConferenceRescheduled { .. }
    ));
    // Later than due needs the reason, as when it was arranged.
    refused_on(
        run.try_do(
            SUPERVISOR,
            "2027-03-31 10:00",
            move_to("2027-04-14", "Family asked", ""),
        ),
        "late_reason",
    );
    run.ok(
        SUPERVISOR,
        "2027-03-31 10:00",
        move_to(
            "2027-04-14",
            "Family asked",
            "The family's interpreter is available only then",
        ),
    );
    let c = &run.case().protection.conferences[0];
    assert_eq!(c.date, Some(day("2027-04-14")));
    assert_eq!(c.place, "By video call");
    assert_eq!(
        c.rescheduled.iter().map(|r| r.from).collect::<Vec<_>>(),
        [day("2027-04-08"), day("2027-04-09")]
    );
    assert!(c.late.is_some());
}

/// LIV §5 applies to every timescale in Liverpool's profile, not only the assessment: a
/// conference arranged after it is due needs the manager who authorised it and the other
/// agencies' managers consulted (issue 16).
#[test]
fn a_late_liverpool_conference_needs_the_manager_and_the_consultation() {
    let mut run = case_run(liverpool());
    to_icpc(&mut run, "2027-03-19 10:00");
    let r = run.try_do(
        SUPERVISOR,
        "2027-03-22 10:00",
        schedule_on("2027-04-14", Some("10:00"), "Mother in hospital", ""),
    );
    refused_on(r, "late_authorised_by");
    let with = |consulted: &str| {
        cp(CpCommand::ScheduleConference {
            conference: 1,
            date: day("2027-04-14"),
            chair: Some(practitioner(CHAIR)),
            chair_line_manages_lead: false,
            invitees: vec![person("Mother", "parent", "", None)],
            time: chrono::NaiveTime::from_hms_opt(10, 0, 0),
            place: "Civic Centre".into(),
            late_reason: "Mother in hospital".into(),
            late_authorised_by: "Team manager A. Khan".into(),
            late_consulted: consulted.into(),
        })
    };
    refused_on(
        run.try_do(SUPERVISOR, "2027-03-22 10:00", with("")),
        "late_consulted",
    );
    run.ok(
        SUPERVISOR,
        "2027-03-22 10:00",
        with("Police DS Reid; named nurse agreed"),
    );
    let late = run.case().protection.conferences[0].late.clone().unwrap();
    assert_eq!(
        late.consulted.as_deref(),
        Some("Police DS Reid; named nurse agreed")
    );
}

//! Commands on a case and [`decide`]: who may give each, and the rules that refuse.
//!
//! Roles: a practice supervisor opens the case, allocates, authorises, steps up or
//! down and closes (¶166, ¶170; SET 2.5.2, 2.5.24). Children's social care does the
//! statutory work. A partner practitioner who is the lead practitioner in Family Help
//! may write to that Family Help case and nothing else (issue 4, "Interfaces and
//! access"; ¶138). The owner of an action may record it done.

use super::assessment::{
    AssessmentKind, AssessmentOutcome, AssessmentRecord, ChildSeen, SeenAlone,
};
use super::plan::{Attendee, Meeting, Owner, Plan, PlanAction, PlanKind};
use super::state::{Case, CaseEvent, Change, FgcStage};
use super::{Actor, ClosureReason, Practitioner, Service, MAX_SHORT, MAX_TEXT};
use crate::calendar::Calendar;
use crate::ids::{AgencyId, CaseId, PersonId};
use crate::profile::Profile;
use crate::referral::ReferralId;
use crate::role::Role;
use crate::timescale::Due;
use crate::validate::ValidationErrors;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// What the caller knows that is not in the case: the time, who is acting, the rules.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Now, as the wall-clock time in England.
    pub now: NaiveDateTime,
    pub actor: Actor,
    pub profile: &'a Profile,
    pub calendar: &'a Calendar,
}

impl Context<'_> {
    fn today(&self) -> NaiveDate {
        self.now.date()
    }
}

/// An action as typed: what, who, by when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionInput {
    pub what: String,
    pub owner: Option<Owner>,
    pub by: Option<NaiveDate>,
}

/// What someone asks to do with a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Open {
        case: CaseId,
        child: PersonId,
        service: Service,
        referral: Option<ReferralId>,
        referral_date: NaiveDate,
        local_authority: String,
        reason: String,
        reopens: Option<CaseId>,
        transferred_from: Option<CaseId>,
        /// The child's primary need as the front door saw it (CIN census).
        primary_need: Option<crate::census::PrimaryNeed>,
    },
    /// Record or revise the child's primary need (CIN census "PrimaryNeedCode").
    RecordPrimaryNeed {
        need: crate::census::PrimaryNeed,
    },
    ProposeLead {
        to: Practitioner,
        family_views: String,
        handover: String,
    },
    AnswerAllocation {
        accept: bool,
        reason: String,
    },
    RecordConsent {
        given: bool,
        given_by: String,
        told: String,
        on: NaiveDate,
    },
    StartAssessment {
        kind: AssessmentKind,
        started_on: NaiveDate,
        about: String,
        gestation_weeks: Option<u8>,
        /// Why a pre-birth assessment starts after 12 weeks' gestation (SET 2.6.5).
        late_start_reason: String,
    },
    RecordChildSeen {
        assessment: u32,
        seen: ChildSeen,
    },
    RequestContribution {
        assessment: u32,
        agency: String,
        on: NaiveDate,
    },
    ChaseContribution {
        assessment: u32,
        index: usize,
        on: NaiveDate,
    },
    ReceiveContribution {
        assessment: u32,
        index: usize,
        on: NaiveDate,
        summary: String,
    },
    RequestSpecialist {
        assessment: u32,
        what: String,
        on: NaiveDate,
    },
    SaveAssessment {
        assessment: u32,
        record: AssessmentRecord,
    },
    SubmitAssessment {
        assessment: u32,
        outcome: AssessmentOutcome,
        reasons: String,
        child_not_seen_reason: String,
        /// Required for an assessment the CIN census counts.
        primary_need: Option<crate::census::PrimaryNeed>,
        factors: Vec<crate::census::AssessmentFactor>,
    },
    ReturnAssessment {
        assessment: u32,
        reason: String,
    },
    ExtendAssessment {
        assessment: u32,
        reason: String,
        agreed_until: NaiveDate,
    },
    AuthoriseAssessment {
        assessment: u32,
        late_reason: String,
    },
    MakePlan {
        kind: PlanKind,
        agreed_on: NaiveDate,
        outcomes: Vec<String>,
        services: Vec<String>,
        family_views: String,
        actions: Vec<ActionInput>,
        next_review: Option<NaiveDate>,
    },
    AddAction {
        plan: u32,
        action: ActionInput,
    },
    CompleteAction {
        plan: u32,
        action: u32,
        on: NaiveDate,
        note: String,
    },
    HoldMeeting {
        plan: u32,
        held_on: NaiveDate,
        attendees: Vec<Attendee>,
        child_views: String,
        summary: String,
        scale: Option<u8>,
        next_review: Option<NaiveDate>,
        new_actions: Vec<ActionInput>,
    },
    EndPlan {
        plan: u32,
        on: NaiveDate,
        reason: String,
    },
    RecordFamilyGroupConference {
        stage: FgcStage,
        on: NaiveDate,
        note: String,
    },
    RequestStepUp {
        reason: String,
    },
    StepUp {
        reason: String,
    },
    StepDown {
        reason: String,
    },
    RecordSharing {
        about: String,
        on: Option<NaiveDate>,
        how: String,
        not_shared_reason: String,
    },
    StartTransfer {
        to_authority: String,
        to_agency: Option<AgencyId>,
        informed_on: NaiveDate,
        information_sent_on: NaiveDate,
        note: String,
    },
    CompleteTransfer {
        on: NaiveDate,
        accepted_by: String,
        new_case: Option<CaseId>,
    },
    Close {
        on: NaiveDate,
        reason: ClosureReason,
        note: String,
    },
    /// Child protection (issue 5).
    Protection(Box<super::protect::CpCommand>),
}

impl Command {
    /// Whether this is work on the Family Help record, which the Family Help lead
    /// practitioner may do whatever their agency.
    fn is_family_help_work(&self, case: &Case) -> bool {
        let fh_assessment = |n: &u32| {
            case.assessment(*n)
                .is_some_and(|a| a.kind == AssessmentKind::FamilyHelp)
        };
        let fh_plan = |n: &u32| {
            case.plan(*n)
                .is_some_and(|p| p.kind == PlanKind::FamilyHelp)
        };
        match self {
            Command::RecordConsent { .. }
            | Command::RecordFamilyGroupConference { .. }
            | Command::RequestStepUp { .. }
            | Command::RecordSharing { .. } => true,
            Command::StartAssessment { kind, .. } => *kind == AssessmentKind::FamilyHelp,
            Command::RecordChildSeen { assessment, .. }
            | Command::RequestContribution { assessment, .. }
            | Command::ChaseContribution { assessment, .. }
            | Command::ReceiveContribution { assessment, .. }
            | Command::RequestSpecialist { assessment, .. }
            | Command::SaveAssessment { assessment, .. }
            | Command::SubmitAssessment { assessment, .. } => fh_assessment(assessment),
            Command::MakePlan { kind, .. } => *kind == PlanKind::FamilyHelp,
            Command::AddAction { plan, .. }
            | Command::CompleteAction { plan, .. }
            | Command::HoldMeeting { plan, .. }
            | Command::EndPlan { plan, .. } => fh_plan(plan),
            _ => false,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Command::Open { .. } => "open a case",
            Command::RecordPrimaryNeed { .. } => "record the child's primary need",
            Command::ProposeLead { .. } => "allocate a lead practitioner",
            Command::AnswerAllocation { .. } => "answer for another practitioner",
            Command::RecordConsent { .. } => "record the family's consent",
            Command::StartAssessment { .. } => "start this assessment",
            Command::RecordChildSeen { .. }
            | Command::RequestContribution { .. }
            | Command::ChaseContribution { .. }
            | Command::ReceiveContribution { .. }
            | Command::RequestSpecialist { .. }
            | Command::SaveAssessment { .. }
            | Command::SubmitAssessment { .. } => "work on this assessment",
            Command::ReturnAssessment { .. } | Command::AuthoriseAssessment { .. } => {
                "authorise an assessment"
            }
            Command::ExtendAssessment { .. } => "extend the assessment timescale",
            Command::MakePlan { .. } => "make this plan",
            Command::AddAction { .. } | Command::HoldMeeting { .. } | Command::EndPlan { .. } => {
                "work on this plan"
            }
            Command::CompleteAction { .. } => "record this action done",
            Command::RecordFamilyGroupConference { .. } => "record family group decision-making",
            Command::RequestStepUp { .. } => "ask for a step up",
            Command::StepUp { .. } | Command::StepDown { .. } => "step a case up or down",
            Command::RecordSharing { .. } => "record what was shared with the family",
            Command::StartTransfer { .. } | Command::CompleteTransfer { .. } => "transfer a case",
            Command::Close { .. } => "close a case",
            Command::Protection(c) => c.name(),
        }
    }
}

/// Why a command was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The actor may not do this (HTTP 403; the app logs it).
    #[error("{role} may not {action}", role = .role.label())]
    Forbidden { role: Role, action: &'static str },
    /// No such case, assessment, plan or action (404).
    #[error("{0}")]
    NotFound(String),
    /// Not in a state that allows this (409).
    #[error("{0}")]
    Conflict(String),
    /// Fields that cannot be accepted (422).
    #[error("{0}")]
    Invalid(ValidationErrors),
}

fn invalid(field: &str, message: impl Into<String>) -> Refusal {
    Refusal::Invalid(ValidationErrors::single(field, message))
}

/// Checks a text field: trimmed, not empty, bounded. Errors name the form field.
pub(super) fn text(
    errors: &mut ValidationErrors,
    field: &str,
    label: &str,
    v: &str,
    max: usize,
) -> String {
    match crate::validate::parse_text(label, v, max) {
        Ok(t) => t,
        Err(m) => {
            errors.add(field, m);
            String::new()
        }
    }
}

/// Optional text: empty is allowed, otherwise bounded.
pub(super) fn optional_text(
    errors: &mut ValidationErrors,
    field: &str,
    label: &str,
    v: &str,
) -> String {
    if v.trim().is_empty() {
        String::new()
    } else {
        text(errors, field, label, v, MAX_TEXT)
    }
}

fn not_future(
    errors: &mut ValidationErrors,
    field: &str,
    label: &str,
    d: NaiveDate,
    today: NaiveDate,
) {
    if d > today {
        errors.add(field, format!("The {label} must be today or in the past"));
    }
}

/// Decide a command. `case` is `None` before the case is opened.
pub fn decide(case: Option<&Case>, cmd: Command, ctx: &Context) -> Result<Vec<CaseEvent>, Refusal> {
    let role = ctx.actor.role;
    let event = |change: Change| CaseEvent {
        at: ctx.now,
        by: ctx.actor,
        change,
    };
    let supervisor = role == Role::PracticeSupervisor;
    let social_care = matches!(role, Role::SocialWorker | Role::PracticeSupervisor);
    let forbid = |c: &Command| Refusal::Forbidden {
        role,
        action: c.name(),
    };

    let Some(case) = case else {
        let Command::Open {
            case,
            child,
            service,
            referral,
            referral_date,
            local_authority,
            reason,
            reopens,
            transferred_from,
            primary_need,
        } = cmd
        else {
            return Err(Refusal::NotFound("there is no such case".into()));
        };
        if !supervisor {
            return Err(Refusal::Forbidden {
                role,
                action: "open a case",
            });
        }
        let mut e = ValidationErrors::new();
        let reason = text(
            &mut e,
            "reason",
            "reason for opening the case",
            &reason,
            MAX_TEXT,
        );
        let local_authority = text(
            &mut e,
            "local_authority",
            "local authority",
            &local_authority,
            MAX_SHORT,
        );
        if referral_date > ctx.today() {
            e.add(
                "referral_date",
                "The date of the referral must be today or in the past",
            );
        }
        e.into_result().map_err(Refusal::Invalid)?;
        return Ok(vec![event(Change::Opened {
            case,
            child,
            service,
            referral,
            referral_date,
            local_authority,
            reason,
            reopens,
            transferred_from,
            primary_need,
        })]);
    };

    if !case.is_open() {
        return Err(Refusal::Conflict(
            "the case is closed: re-opening it starts a new case, and this one stays as it was"
                .into(),
        ));
    }
    if matches!(cmd, Command::Open { .. }) {
        return Err(Refusal::Conflict("the case is already open".into()));
    }

    if let Command::Protection(c) = cmd {
        return super::protect::decide(case, *c, ctx);
    }
    // Who may give the command, before what it says is checked.
    let is_lead = case.lead_user() == Some(ctx.actor.user);
    let allowed = match &cmd {
        Command::Open { .. } => false,
        Command::ProposeLead { .. }
        | Command::ReturnAssessment { .. }
        | Command::AuthoriseAssessment { .. }
        | Command::StepUp { .. }
        | Command::StepDown { .. }
        | Command::Close { .. }
        | Command::CompleteTransfer { .. } => supervisor,
        Command::AnswerAllocation { .. } => case
            .proposal
            .as_ref()
            .is_some_and(|p| p.to.user == ctx.actor.user),
        Command::ExtendAssessment { .. } => {
            let rule = ctx.profile.rule("assessment");
            rule.is_some_and(|r| r.extendable_by.iter().any(|x| x == role.id()))
                || (is_lead && rule.is_none())
        }
        Command::CompleteAction { plan, action, .. } => {
            let owner = case
                .plan_actions(*plan)
                .and_then(|acts| acts.iter().find(|a| a.number == *action))
                .and_then(|a| a.owner.user());
            social_care || is_lead || owner == Some(ctx.actor.user)
        }
        Command::RequestStepUp { .. } => {
            case.service == Service::FamilyHelp && (is_lead || social_care)
        }
        c if c.is_family_help_work(case) => {
            social_care || (is_lead && case.service == Service::FamilyHelp)
        }
        _ => social_care,
    };
    if !allowed {
        return Err(forbid(&cmd));
    }

    let today = ctx.today();
    let mut e = ValidationErrors::new();
    let change = match cmd {
        Command::Open { .. } | Command::Protection(_) => unreachable!("handled above"),
        Command::RecordPrimaryNeed { need } => Change::PrimaryNeedRecorded { need },

        Command::ProposeLead {
            to,
            family_views,
            handover,
        } => {
            // ¶170; SET L797, 2.5.3: children's social care work is led by a social
            // worker; in Family Help the lead may work in a partner agency (¶138).
            let eligible = match case.service {
                Service::SocialCare => {
                    matches!(to.role, Role::SocialWorker | Role::PracticeSupervisor)
                }
                Service::FamilyHelp => matches!(
                    to.role,
                    Role::SocialWorker | Role::PracticeSupervisor | Role::PartnerPractitioner
                ),
            };
            if !eligible {
                e.add(
                    "practitioner",
                    match case.service {
                        Service::SocialCare => "Choose a social worker: children's social care work is led by a social worker (SET 2.5.3)",
                        Service::FamilyHelp => "Choose a social worker or a practitioner in a partner agency",
                    },
                );
            }
            if case.lead_user() == Some(to.user) {
                e.add(
                    "practitioner",
                    format!("{} is already the lead practitioner", to.name),
                );
            }
            let family_views = text(
                &mut e,
                "family_views",
                "family's views on who their lead practitioner should be",
                &family_views,
                MAX_TEXT,
            );
            let handover = if case.lead.is_some() {
                text(
                    &mut e,
                    "handover",
                    "handover for the new lead practitioner",
                    &handover,
                    MAX_TEXT,
                )
            } else {
                optional_text(&mut e, "handover", "handover", &handover)
            };
            e.into_result().map_err(Refusal::Invalid)?;
            Change::AllocationProposed {
                to,
                family_views,
                handover,
            }
        }

        Command::AnswerAllocation { accept, reason } => {
            if accept {
                Change::AllocationAccepted
            } else {
                let reason = text(&mut e, "reason", "reason", &reason, MAX_TEXT);
                e.into_result().map_err(Refusal::Invalid)?;
                Change::AllocationDeclined { reason }
            }
        }

        Command::RecordConsent {
            given,
            given_by,
            told,
            on,
        } => {
            let given_by = text(
                &mut e,
                "given_by",
                "name of who answered for the family",
                &given_by,
                MAX_SHORT,
            );
            // ¶146: even when the family declines, "still inform individuals that
            // their data will be recorded and shared, and the purpose of this explained".
            let told = text(
                &mut e,
                "told",
                "what the family was told is recorded and shared, and why",
                &told,
                MAX_TEXT,
            );
            not_future(&mut e, "on", "date", on, today);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ConsentRecorded {
                given,
                given_by,
                told,
                on,
            }
        }

        Command::StartAssessment {
            kind,
            started_on,
            about,
            gestation_weeks,
            late_start_reason,
        } => {
            if !kind.belongs_to(case.service) {
                return Err(Refusal::Conflict(format!(
                    "a {} belongs to {}; this case is in {}",
                    kind.label(),
                    if kind.is_statutory() {
                        "children's social care"
                    } else {
                        "Family Help"
                    },
                    case.service.label()
                )));
            }
            if kind == AssessmentKind::FamilyHelp && !case.consent_given() {
                return Err(Refusal::Conflict(
                    "Family Help is voluntary: record the family's consent before the assessment (¶135, ¶144)".into(),
                ));
            }
            if case.open_assessments().any(|a| a.kind == kind) {
                return Err(Refusal::Conflict(format!(
                    "a {} is already in progress",
                    kind.label()
                )));
            }
            not_future(&mut e, "started_on", "start date", started_on, today);
            let about = match kind {
                AssessmentKind::YoungCarer => text(
                    &mut e,
                    "about",
                    "who the young carer cares for",
                    &about,
                    MAX_SHORT,
                ),
                AssessmentKind::ParentCarer => {
                    text(&mut e, "about", "parent carer's name", &about, MAX_SHORT)
                }
                _ => optional_text(&mut e, "about", "note", &about),
            };
            let mut about = about;
            if kind == AssessmentKind::PreBirth {
                match gestation_weeks {
                    None => e.add(
                        "gestation_weeks",
                        "Enter the weeks of pregnancy at the start of the assessment",
                    ),
                    Some(w) if !(4..=42).contains(&w) => e.add(
                        "gestation_weeks",
                        "Weeks of pregnancy must be between 4 and 42",
                    ),
                    // SET 2.6.5: "ideally between 8- and 12-weeks' gestation", with a
                    // recorded management decision and rationale.
                    Some(w) if w > 12 => {
                        let why = text(
                            &mut e,
                            "late_start_reason",
                            "reason the pre-birth assessment starts after 12 weeks (SET 2.6.5)",
                            &late_start_reason,
                            MAX_TEXT,
                        );
                        if !why.is_empty() {
                            about = if about.is_empty() {
                                format!("Started after 12 weeks: {why}")
                            } else {
                                format!("{about}\nStarted after 12 weeks: {why}")
                            };
                        }
                    }
                    Some(_) => {}
                }
            }
            e.into_result().map_err(Refusal::Invalid)?;
            let number = case.assessments.len() as u32 + 1;
            let (clock_from, due, rule_id) = if kind.is_statutory() {
                // ¶169: "45 working days from the point of referral" — the referral's
                // date for the case's first statutory assessment (or a step up's), the
                // start date for any later one (docs/decisions.md).
                let from = case.clock_from.unwrap_or(started_on);
                match ctx.profile.rule("assessment") {
                    Some(r) => (
                        from,
                        Some(r.due(from.and_time(NaiveTime::MIN), ctx.calendar)),
                        Some(r.id.clone()),
                    ),
                    None => (from, None, None),
                }
            } else {
                (started_on, None, None)
            };
            Change::AssessmentStarted {
                number,
                kind,
                started_on,
                clock_from,
                due,
                rule_id,
                about,
                gestation_weeks,
            }
        }

        Command::RecordChildSeen { assessment, seen } => {
            open_assessment(case, assessment)?;
            not_future(&mut e, "on", "date the child was seen", seen.on, today);
            let by = text(
                &mut e,
                "by",
                "name of who saw the child",
                &seen.by,
                MAX_SHORT,
            );
            let alone = match seen.alone {
                SeenAlone::Alone => SeenAlone::Alone,
                SeenAlone::WithTrustedAdult { who } => SeenAlone::WithTrustedAdult {
                    who: text(
                        &mut e,
                        "trusted_adult",
                        "trusted adult the child asked for",
                        &who,
                        MAX_SHORT,
                    ),
                },
                SeenAlone::NotAlone { reason } => SeenAlone::NotAlone {
                    reason: text(
                        &mut e,
                        "not_alone_reason",
                        "reason the child was not seen alone",
                        &reason,
                        MAX_TEXT,
                    ),
                },
            };
            let note = optional_text(&mut e, "note", "note", &seen.note);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ChildSeen {
                assessment,
                seen: ChildSeen {
                    on: seen.on,
                    by,
                    alone,
                    note,
                },
            }
        }

        Command::RequestContribution {
            assessment,
            agency,
            on,
        } => {
            open_assessment(case, assessment)?;
            let agency = text(&mut e, "agency", "agency", &agency, MAX_SHORT);
            not_future(&mut e, "on", "date", on, today);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ContributionRequested {
                assessment,
                agency,
                on,
            }
        }
        Command::ChaseContribution {
            assessment,
            index,
            on,
        } => {
            let a = open_assessment(case, assessment)?;
            let c = a
                .contributions
                .get(index)
                .ok_or_else(|| Refusal::NotFound("no such contribution".into()))?;
            if c.received_on.is_some() {
                return Err(Refusal::Conflict(
                    "that contribution has been received".into(),
                ));
            }
            not_future(&mut e, "on", "date", on, today);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ContributionChased {
                assessment,
                index,
                on,
            }
        }
        Command::ReceiveContribution {
            assessment,
            index,
            on,
            summary,
        } => {
            let a = open_assessment(case, assessment)?;
            let c = a
                .contributions
                .get(index)
                .ok_or_else(|| Refusal::NotFound("no such contribution".into()))?;
            if c.received_on.is_some() {
                return Err(Refusal::Conflict(
                    "that contribution has already been received".into(),
                ));
            }
            not_future(&mut e, "on", "date", on, today);
            if on < c.requested_on {
                e.add(
                    "on",
                    "The date received must be on or after the date it was requested",
                );
            }
            let summary = text(
                &mut e,
                "summary",
                "summary of the contribution",
                &summary,
                MAX_TEXT,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ContributionReceived {
                assessment,
                index,
                on,
                summary,
            }
        }
        Command::RequestSpecialist {
            assessment,
            what,
            on,
        } => {
            open_assessment(case, assessment)?;
            let what = text(&mut e, "what", "specialist assessment", &what, MAX_SHORT);
            not_future(&mut e, "on", "date", on, today);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::SpecialistAssessmentRequested {
                assessment,
                what,
                on,
            }
        }
        Command::SaveAssessment { assessment, record } => {
            let a = open_assessment(case, assessment)?;
            if a.stage != super::assessment::AssessmentStage::InProgress {
                return Err(Refusal::Conflict(
                    "the assessment is with the practice supervisor to authorise".into(),
                ));
            }
            for (field, v) in [
                (
                    "child_developmental_needs",
                    &record.child_developmental_needs,
                ),
                ("parenting_capacity", &record.parenting_capacity),
                ("family_and_environment", &record.family_and_environment),
                ("wishes_and_feelings", &record.wishes_and_feelings),
                ("parents_views", &record.parents_views),
                ("analysis", &record.analysis),
            ] {
                if v.chars().count() > MAX_TEXT {
                    e.add(
                        field,
                        format!("This must be {MAX_TEXT} characters or fewer"),
                    );
                }
            }
            e.into_result().map_err(Refusal::Invalid)?;
            Change::AssessmentRecorded { assessment, record }
        }
        Command::SubmitAssessment {
            assessment,
            outcome,
            reasons,
            child_not_seen_reason,
            primary_need,
            factors,
        } => {
            let a = open_assessment(case, assessment)?;
            // The CIN census asks, of every child and family assessment, the factors
            // identified and the child's primary need (rules 8897Q, 8869, 8610).
            if a.kind.in_census() {
                if let Err(m) = crate::census::check_factors(&factors) {
                    e.add("factors", m);
                }
                if primary_need.is_none() && case.primary_need.is_none() {
                    e.add("primary_need", "Select the child's primary need");
                }
            }
            if a.stage != super::assessment::AssessmentStage::InProgress {
                return Err(Refusal::Conflict(
                    "the assessment has already been submitted".into(),
                ));
            }
            for (field, what) in a.record.missing() {
                e.add(
                    field,
                    format!("Record {what} before submitting the assessment"),
                );
            }
            // Box "Statutory requirements for children in need": every assessment
            // "must be informed by the views of the child"; SET 2.5.24: the child was
            // seen "or there has been a recorded management decision that this is not
            // appropriate" — the reason here, authorised with the assessment.
            let not_seen = if a.child_seen() {
                None
            } else if child_not_seen_reason.trim().is_empty() {
                e.add(
                    "child_not_seen_reason",
                    "The child has not been seen: record a visit, or the reason they could not be seen",
                );
                None
            } else {
                Some(text(
                    &mut e,
                    "child_not_seen_reason",
                    "reason the child was not seen",
                    &child_not_seen_reason,
                    MAX_TEXT,
                ))
            };
            if !AssessmentOutcome::allowed_for(a.kind).contains(&outcome) {
                e.add(
                    "outcome",
                    format!(
                        "A {} cannot conclude with {}",
                        a.kind.label(),
                        outcome.label()
                    ),
                );
            }
            let reasons = if outcome == AssessmentOutcome::NoFurtherAction {
                // ¶252: the reasons are recorded and shared with the child, family and
                // practitioners.
                text(
                    &mut e,
                    "reasons",
                    "reasons for no further action",
                    &reasons,
                    MAX_TEXT,
                )
            } else {
                optional_text(&mut e, "reasons", "reasons", &reasons)
            };
            e.into_result().map_err(Refusal::Invalid)?;
            let submitted = event(Change::AssessmentSubmitted {
                assessment,
                outcome,
                reasons,
                child_not_seen_reason: not_seen,
                primary_need,
                factors,
            });
            if a.kind.is_statutory() {
                return Ok(vec![submitted]);
            }
            // A Family Help assessment is agreed with the family: it completes when
            // the lead practitioner records it.
            return Ok(vec![
                submitted,
                event(Change::AssessmentCompleted {
                    assessment,
                    on: today,
                    late_reason: None,
                }),
            ]);
        }
        Command::ReturnAssessment { assessment, reason } => {
            let a = open_assessment(case, assessment)?;
            if a.stage != super::assessment::AssessmentStage::Submitted {
                return Err(Refusal::Conflict(
                    "the assessment has not been submitted".into(),
                ));
            }
            let reason = text(&mut e, "reason", "what more is needed", &reason, MAX_TEXT);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::AssessmentReturned { assessment, reason }
        }
        Command::ExtendAssessment {
            assessment,
            reason,
            agreed_until,
        } => {
            let a = open_assessment(case, assessment)?;
            if !a.kind.is_statutory() {
                return Err(Refusal::Conflict(
                    "this assessment has no timescale to extend".into(),
                ));
            }
            let reason = text(
                &mut e,
                "reason",
                "reason the assessment needs longer",
                &reason,
                MAX_TEXT,
            );
            if let Some(due) = a.working_due() {
                if agreed_until <= due.date() {
                    e.add(
                        "agreed_until",
                        format!(
                            "The new date must be after {}",
                            due.date().format("%-d %B %Y")
                        ),
                    );
                }
            }
            if agreed_until < today {
                e.add("agreed_until", "The new date must be today or later");
            }
            e.into_result().map_err(Refusal::Invalid)?;
            Change::AssessmentExtended {
                assessment,
                reason,
                agreed_until,
            }
        }
        Command::AuthoriseAssessment {
            assessment,
            late_reason,
        } => {
            let a = open_assessment(case, assessment)?;
            if a.stage != super::assessment::AssessmentStage::Submitted {
                return Err(Refusal::Conflict(
                    "the assessment has not been submitted for authorisation".into(),
                ));
            }
            // ¶169: past 45 working days the reasons are recorded. An extension agreed
            // beforehand (SET 2.5.2) already holds them.
            if a.outcome == Some(AssessmentOutcome::FamilyHelp) && case.protection.has_open_work() {
                return Err(Refusal::Conflict(
                    "child protection work is open: the case cannot step down to Family Help"
                        .into(),
                ));
            }
            let late = a.due.is_some_and(|d: Due| d.is_overdue_at(ctx.now));
            let late_reason = if late && a.extension.is_none() {
                Some(text(
                    &mut e,
                    "late_reason",
                    "reason the assessment took longer than 45 working days (¶169)",
                    &late_reason,
                    MAX_TEXT,
                ))
            } else if late_reason.trim().is_empty() {
                None
            } else {
                Some(text(
                    &mut e,
                    "late_reason",
                    "reason",
                    &late_reason,
                    MAX_TEXT,
                ))
            };
            e.into_result().map_err(Refusal::Invalid)?;
            Change::AssessmentCompleted {
                assessment,
                on: today,
                late_reason,
            }
        }

        Command::MakePlan {
            kind,
            agreed_on,
            outcomes,
            services,
            family_views,
            actions,
            next_review,
        } => {
            match kind {
                PlanKind::FamilyHelp => {
                    if case.service != Service::FamilyHelp {
                        return Err(Refusal::Conflict(
                            "a Family Help plan is made in Family Help: step the case down first"
                                .into(),
                        ));
                    }
                    if !case.consent_given() {
                        return Err(Refusal::Conflict(
                            "Family Help is voluntary: record the family's consent before the plan (¶135)".into(),
                        ));
                    }
                }
                PlanKind::ChildInNeed => {
                    if case.protection.open_plan().is_some() {
                        return Err(Refusal::Conflict(
                            "the child has a child protection plan: its core group carries the work".into(),
                        ));
                    }
                    if case.service != Service::SocialCare {
                        return Err(Refusal::Conflict(
                            "a child in need plan is made by children's social care".into(),
                        ));
                    }
                    if !case
                        .lead
                        .as_ref()
                        .is_some_and(|l| l.practitioner.role.is_childrens_social_care())
                    {
                        return Err(Refusal::Conflict(
                            "a child in need plan needs a social worker as lead practitioner (SET 2.5.3): allocate one first".into(),
                        ));
                    }
                }
            }
            if let Some(p) = case.open_plan() {
                return Err(Refusal::Conflict(format!(
                    "the {} is still open: a child has one plan at a time, so end it first",
                    p.kind.label()
                )));
            }
            not_future(
                &mut e,
                "agreed_on",
                "date the plan was agreed",
                agreed_on,
                today,
            );
            let outcomes: Vec<String> = outcomes
                .iter()
                .filter(|o| !o.trim().is_empty())
                .map(|o| text(&mut e, "outcomes", "outcome", o, MAX_TEXT))
                .collect();
            if outcomes.is_empty() {
                e.add(
                    "outcomes",
                    "Enter at least one outcome for the child: what should be better for them",
                );
            }
            let services: Vec<String> = services
                .iter()
                .filter(|o| !o.trim().is_empty())
                .map(|o| text(&mut e, "services", "service", o, MAX_SHORT))
                .collect();
            let family_views = text(
                &mut e,
                "family_views",
                "how the family took part and their views",
                &family_views,
                MAX_TEXT,
            );
            let mut number = case.last_action;
            let actions = actions_from(&mut e, "actions", actions, agreed_on, &mut number);
            if actions.is_empty() && !e.0.iter().any(|x| x.field.starts_with("actions")) {
                e.add(
                    "actions[0].what",
                    "Enter at least one action: who does what by when",
                );
            }
            let (first_rule, _) = kind.review_rules();
            let (next_review, review_rule) = review_date(
                &mut e,
                "next_review",
                ctx,
                first_rule,
                agreed_on,
                next_review,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            Change::PlanMade {
                plan: Plan {
                    number: case.plans.len() as u32 + 1,
                    kind,
                    agreed_on,
                    outcomes,
                    services,
                    family_views,
                    actions,
                    meetings: Vec::new(),
                    next_review,
                    review_rule,
                    ended_on: None,
                    end_reason: String::new(),
                },
            }
        }
        Command::AddAction { plan, action } => {
            let p = open_plan(case, plan)?;
            let mut number = case.last_action;
            let mut actions =
                actions_from(&mut e, "actions", vec![action], p.agreed_on, &mut number);
            e.into_result().map_err(Refusal::Invalid)?;
            let Some(action) = actions.pop() else {
                return Err(invalid("actions[0].what", "Enter what is to be done"));
            };
            Change::ActionAdded { plan, action }
        }
        Command::CompleteAction {
            plan,
            action,
            on,
            note,
        } => {
            let actions = if plan == 0 {
                // The child protection plan's core group actions.
                case.protection
                    .open_plan()
                    .map(|p| p.actions.as_slice())
                    .ok_or_else(|| {
                        Refusal::Conflict("there is no open child protection plan".into())
                    })?
            } else {
                open_plan(case, plan)?.actions.as_slice()
            };
            let a = actions
                .iter()
                .find(|a| a.number == action)
                .ok_or_else(|| Refusal::NotFound("no such action".into()))?;
            if a.done_on.is_some() {
                return Err(Refusal::Conflict(
                    "that action is already recorded as done".into(),
                ));
            }
            not_future(&mut e, "on", "date it was done", on, today);
            let note = optional_text(&mut e, "note", "note", &note);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ActionDone {
                plan,
                action,
                on,
                note,
            }
        }
        Command::HoldMeeting {
            plan,
            held_on,
            attendees,
            child_views,
            summary,
            scale,
            next_review,
            new_actions,
        } => {
            let p = open_plan(case, plan)?;
            not_future(&mut e, "held_on", "date of the meeting", held_on, today);
            if held_on < p.agreed_on {
                e.add(
                    "held_on",
                    "The meeting must be on or after the date the plan was agreed",
                );
            }
            let attendees: Vec<Attendee> = attendees
                .into_iter()
                .filter(|a| !a.name.trim().is_empty() || !a.role.trim().is_empty())
                .enumerate()
                .map(|(i, a)| Attendee {
                    name: text(
                        &mut e,
                        &format!("attendees[{i}].name"),
                        "attendee's name",
                        &a.name,
                        MAX_SHORT,
                    ),
                    role: text(
                        &mut e,
                        &format!("attendees[{i}].role"),
                        "attendee's role or relationship",
                        &a.role,
                        MAX_SHORT,
                    ),
                    agency: a.agency.trim().to_string(),
                })
                .collect();
            if attendees.is_empty() {
                e.add("attendees[0].name", "Enter who attended");
            }
            // Box "Statutory requirements for children in need": the child's wishes and
            // feelings "must be sought"; ¶191 reviews involve the child and family.
            let child_views = text(
                &mut e,
                "child_views",
                "child's views (or why they could not be given)",
                &child_views,
                MAX_TEXT,
            );
            let summary = text(
                &mut e,
                "summary",
                "summary of what was reviewed and decided",
                &summary,
                MAX_TEXT,
            );
            if let Some(s) = scale {
                if s > 10 {
                    e.add("scale", "The scale runs from 0 to 10");
                }
            }
            let mut number = case.last_action;
            let new_actions = actions_from(&mut e, "actions", new_actions, held_on, &mut number);
            let (_, next_rule) = p.kind.review_rules();
            let (next_review, _) =
                review_date(&mut e, "next_review", ctx, next_rule, held_on, next_review);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::MeetingHeld {
                plan,
                meeting: Meeting {
                    kind: p.kind.meeting(),
                    held_on,
                    attendees,
                    child_views,
                    summary,
                    scale,
                    next_review,
                },
                new_actions,
            }
        }
        Command::EndPlan { plan, on, reason } => {
            let p = open_plan(case, plan)?;
            not_future(&mut e, "on", "date the plan ended", on, today);
            if on < p.agreed_on {
                e.add("on", "The plan cannot end before it was agreed");
            }
            let reason = text(&mut e, "reason", "reason the plan ends", &reason, MAX_TEXT);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::PlanEnded { plan, on, reason }
        }

        Command::RecordFamilyGroupConference { stage, on, note } => {
            let last = case.fgc.last().map(|(s, _, _)| *s);
            let ok = match stage {
                FgcStage::Offered => true,
                FgcStage::Accepted | FgcStage::Declined => last == Some(FgcStage::Offered),
                FgcStage::Held => last == Some(FgcStage::Accepted),
            };
            if !ok {
                return Err(Refusal::Conflict(match stage {
                    FgcStage::Held => {
                        "record that the family accepted the family group conference first".into()
                    }
                    _ => "record that a family group conference was offered first".into(),
                }));
            }
            not_future(&mut e, "on", "date", on, today);
            let note = if stage == FgcStage::Held {
                text(
                    &mut e,
                    "note",
                    "family's plan or what was agreed",
                    &note,
                    MAX_TEXT,
                )
            } else {
                optional_text(&mut e, "note", "note", &note)
            };
            e.into_result().map_err(Refusal::Invalid)?;
            Change::FamilyGroupConference { stage, on, note }
        }

        Command::RequestStepUp { reason } => {
            if case.step_up_requested.is_some() {
                return Err(Refusal::Conflict(
                    "a step up has already been asked for".into(),
                ));
            }
            let reason = text(
                &mut e,
                "reason",
                "reason for stepping up",
                &reason,
                MAX_TEXT,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            Change::StepUpRequested { reason }
        }
        Command::StepUp { reason } => {
            if case.service == Service::SocialCare {
                return Err(Refusal::Conflict(
                    "the case is already with children's social care".into(),
                ));
            }
            let reason = text(
                &mut e,
                "reason",
                "reason for stepping up",
                &reason,
                MAX_TEXT,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ServiceChanged {
                to: Service::SocialCare,
                on: today,
                reason,
            }
        }
        Command::StepDown { reason } => {
            if case.service == Service::FamilyHelp {
                return Err(Refusal::Conflict(
                    "the case is already in Family Help".into(),
                ));
            }
            if let Some(p) = case.open_plan() {
                return Err(Refusal::Conflict(format!(
                    "end the {} before stepping down",
                    p.kind.label()
                )));
            }
            if case.protection.has_open_work() {
                return Err(Refusal::Conflict(
                    "child protection work is open on this case: finish it before stepping down"
                        .into(),
                ));
            }
            if case.open_assessments().next().is_some() {
                return Err(Refusal::Conflict(
                    "complete the assessment before stepping down".into(),
                ));
            }
            let reason = text(
                &mut e,
                "reason",
                "reason for stepping down",
                &reason,
                MAX_TEXT,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ServiceChanged {
                to: Service::FamilyHelp,
                on: today,
                reason,
            }
        }

        Command::RecordSharing {
            about,
            on,
            how,
            not_shared_reason,
        } => {
            let about = text(&mut e, "about", "what was shared", &about, MAX_SHORT);
            let (on, how, not_shared_reason) = if not_shared_reason.trim().is_empty() {
                match on {
                    None => e.add("on", "Enter the date it was shared, or why it was not"),
                    Some(d) => not_future(&mut e, "on", "date it was shared", d, today),
                }
                (
                    on,
                    text(
                        &mut e,
                        "how",
                        "how it was shared (letter, visit, meeting)",
                        &how,
                        MAX_SHORT,
                    ),
                    None,
                )
            } else {
                (
                    None,
                    String::new(),
                    Some(text(
                        &mut e,
                        "not_shared_reason",
                        "reason it was not shared",
                        &not_shared_reason,
                        MAX_TEXT,
                    )),
                )
            };
            e.into_result().map_err(Refusal::Invalid)?;
            Change::SharedWithFamily {
                about,
                on,
                how,
                not_shared_reason,
            }
        }

        Command::StartTransfer {
            to_authority,
            to_agency,
            informed_on,
            information_sent_on,
            note,
        } => {
            if case.transfer.is_some() {
                return Err(Refusal::Conflict("a transfer has already started".into()));
            }
            let to_authority = text(
                &mut e,
                "to_authority",
                "local authority the child has moved to",
                &to_authority,
                MAX_SHORT,
            );
            if to_authority.eq_ignore_ascii_case(&case.local_authority) {
                e.add(
                    "to_authority",
                    "The child has moved to another local authority: choose a different one",
                );
            }
            not_future(
                &mut e,
                "informed_on",
                "date the other authority was told",
                informed_on,
                today,
            );
            not_future(
                &mut e,
                "information_sent_on",
                "date the information was sent",
                information_sent_on,
                today,
            );
            let note = optional_text(&mut e, "note", "note", &note);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::TransferStarted {
                to_authority,
                to_agency,
                informed_on,
                information_sent_on,
                note,
            }
        }
        Command::CompleteTransfer {
            on,
            accepted_by,
            new_case,
        } => {
            if case.protection.open_plan().is_some() {
                return Err(Refusal::Conflict(
                    "end the child protection plan first (moved permanently, after the receiving authority's conference)".into(),
                ));
            }
            let Some(t) = &case.transfer else {
                return Err(Refusal::Conflict("no transfer has started".into()));
            };
            if t.completed_on.is_some() {
                return Err(Refusal::Conflict("the transfer is already complete".into()));
            }
            not_future(&mut e, "on", "date of the handover", on, today);
            if on < t.informed_on {
                e.add(
                    "on",
                    "The handover cannot be before the other authority was told",
                );
            }
            let accepted_by = text(
                &mut e,
                "accepted_by",
                "who accepted the case in the other authority",
                &accepted_by,
                MAX_SHORT,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            // "Support should continue to be provided by the original local authority in
            // the intervening period" (Desc-A, 003 L1481): until now. Plans end and the
            // case closes, transferred (RC5).
            let mut out: Vec<CaseEvent> = case
                .plans
                .iter()
                .filter(|p| p.is_open())
                .map(|p| {
                    event(Change::PlanEnded {
                        plan: p.number,
                        on,
                        reason: format!(
                            "The child moved to {}; the plan went with the information sent",
                            t.to_authority
                        ),
                    })
                })
                .collect();
            out.push(event(Change::TransferCompleted {
                on,
                accepted_by,
                new_case,
            }));
            out.push(event(Change::Closed {
                on,
                reason: ClosureReason::RC5,
                note: format!("Transferred to {}", t.to_authority),
            }));
            return Ok(out);
        }
        Command::Close { on, reason, note } => {
            if case.protection.has_open_work()
                && !matches!(reason, ClosureReason::RC2 | ClosureReason::RC5)
            {
                return Err(Refusal::Conflict(
                    "child protection work is open: a strategy discussion, enquiry, conference or plan".into(),
                ));
            }
            if case.protection.open_plan().is_some() {
                return Err(Refusal::Conflict(
                    "the child protection plan is open: it ends at a review conference or for one of the reasons the guidance gives".into(),
                ));
            }
            if let Some(p) = case.open_plan() {
                return Err(Refusal::Conflict(format!(
                    "the {} is still open: end it, with the reason, before closing the case",
                    p.kind.label()
                )));
            }
            if case.open_assessments().next().is_some()
                && !matches!(
                    reason,
                    ClosureReason::RC2 | ClosureReason::RC5 | ClosureReason::RC6
                )
            {
                return Err(Refusal::Conflict(
                    "an assessment is still open: complete it before closing the case".into(),
                ));
            }
            if matches!(reason, ClosureReason::RC8 | ClosureReason::RC9)
                && !case.assessments.iter().any(|a| a.completed_on.is_some())
            {
                e.add("reason", format!("{} is for a case closed after an assessment: no assessment has been completed", reason.code()));
            }
            if reason == ClosureReason::RC5 && case.transfer.is_some() {
                e.add("reason", "Record the handover on the transfer instead");
            }
            not_future(&mut e, "on", "closure date", on, today);
            if on < case.opened_at.date() {
                e.add("on", "The case cannot close before it opened");
            }
            let note = optional_text(&mut e, "note", "note", &note);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::Closed { on, reason, note }
        }
    };
    Ok(vec![event(change)])
}

fn open_assessment(case: &Case, n: u32) -> Result<&super::Assessment, Refusal> {
    let a = case
        .assessment(n)
        .ok_or_else(|| Refusal::NotFound("no such assessment".into()))?;
    if !a.is_open() {
        return Err(Refusal::Conflict("the assessment is complete".into()));
    }
    Ok(a)
}

fn open_plan(case: &Case, n: u32) -> Result<&Plan, Refusal> {
    let p = case
        .plan(n)
        .ok_or_else(|| Refusal::NotFound("no such plan".into()))?;
    if !p.is_open() {
        return Err(Refusal::Conflict("the plan has ended".into()));
    }
    Ok(p)
}

/// Actions as typed: blank rows are skipped; a row with anything in it needs all of
/// what, who and by when (issue 4: "an action with no owner or date is refused").
pub(super) fn actions_from(
    e: &mut ValidationErrors,
    prefix: &str,
    rows: Vec<ActionInput>,
    not_before: NaiveDate,
    number: &mut u32,
) -> Vec<PlanAction> {
    let mut out = Vec::new();
    for (i, a) in rows.into_iter().enumerate() {
        if a.what.trim().is_empty() && a.owner.is_none() && a.by.is_none() {
            continue;
        }
        let what = text(
            e,
            &format!("{prefix}[{i}].what"),
            "what is to be done",
            &a.what,
            MAX_SHORT,
        );
        let owner = match a.owner {
            Some(Owner::Named { name }) => Some(Owner::Named {
                name: text(
                    e,
                    &format!("{prefix}[{i}].owner"),
                    "name of who will do it",
                    &name,
                    MAX_SHORT,
                ),
            }),
            Some(o) => Some(o),
            None => {
                e.add(format!("{prefix}[{i}].owner"), "Choose who will do it");
                None
            }
        };
        let by = match a.by {
            Some(d) if d < not_before => {
                e.add(
                    format!("{prefix}[{i}].by"),
                    "The date must be on or after the plan or meeting date",
                );
                None
            }
            Some(d) => Some(d),
            None => {
                e.add(
                    format!("{prefix}[{i}].by"),
                    "Enter the date it will be done by",
                );
                None
            }
        };
        if let (Some(owner), Some(by)) = (owner, by) {
            *number += 1;
            out.push(PlanAction {
                number: *number,
                what,
                owner,
                by,
                done_on: None,
                done_note: String::new(),
            });
        }
    }
    out
}

/// The next review: the date given, which may not be later than the profile's
/// interval allows (SET 2.5.26: "within a maximum of six months"), or that limit.
fn review_date(
    e: &mut ValidationErrors,
    field: &str,
    ctx: &Context,
    rule_id: &str,
    from: NaiveDate,
    given: Option<NaiveDate>,
) -> (NaiveDate, Option<String>) {
    let rule = ctx.profile.rule(rule_id);
    let latest = rule.map(|r| r.due(from.and_time(NaiveTime::MIN), ctx.calendar).date());
    match (given, latest) {
        (Some(d), _) if d <= from => {
            e.add(
                field,
                "The review must be after the date of the plan or meeting",
            );
            (d, rule.map(|r| r.id.clone()))
        }
        (Some(d), Some(l)) if d > l => {
            e.add(
                field,
                format!(
                    "The review must be on or before {} ({})",
                    l.format("%-d %B %Y"),
                    rule.map(|r| r.citation.as_str()).unwrap_or_default()
                ),
            );
            (d, rule.map(|r| r.id.clone()))
        }
        (Some(d), _) => (d, rule.map(|r| r.id.clone())),
        (None, Some(l)) => (l, rule.map(|r| r.id.clone())),
        (None, None) => {
            e.add(field, "Enter the date of the next review");
            (from, None)
        }
    }
}

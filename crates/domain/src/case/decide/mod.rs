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
use super::{ClosureReason, Practitioner, Service, MAX_SHORT, MAX_TEXT};
use crate::ids::{AgencyId, CaseId, PersonId};
use crate::referral::ReferralId;
use crate::role::Role;
use crate::timescale::Due;
use crate::validate::ValidationErrors;
use chrono::{NaiveDate, NaiveTime};

/// What the caller knows that is not in the case (the time, who is acting, the rules)
/// and why a command is refused: the kernel's, as for every process (issue 15).
pub use crate::process::{Context, Refusal};

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
        /// The other agencies' managers consulted, where the profile asks (LIV §5).
        consulted: String,
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

fn invalid(field: &str, message: impl Into<String>) -> Refusal {
    Refusal::Invalid(ValidationErrors::single(field, message))
}

/// Checks a text field: trimmed, not empty, bounded. Errors name the form field.
/// The refusal of any command on a closed case, once the caller may give it.
pub(super) fn closed() -> Refusal {
    Refusal::Conflict(
        "the case is closed: re-opening it starts a new case, and this one stays as it was".into(),
    )
}

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

mod allocation;
mod assessing;
pub(crate) use assessing::consultation;
mod moving_on;
mod planning;

/// One change to the case, by the actor, now.
fn event(ctx: &Context, change: Change) -> CaseEvent {
    CaseEvent {
        at: ctx.now,
        by: ctx.actor,
        change,
    }
}

/// Decide a command: who may give it (the role table below), then the rules of the
/// command's own function, grouped by stage in `allocation`, `assessing`, `planning`
/// and `moving_on` (child protection: `super::protect`). `case` is `None` before the
/// case is opened.
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

    if matches!(cmd, Command::Open { .. }) && case.is_open() {
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
    // Who may act is decided before anything about the case is said (issue 18).
    if !case.is_open() {
        return Err(closed());
    }

    match cmd {
        Command::Open { .. } | Command::Protection(_) => unreachable!("handled above"),
        cmd @ Command::RecordPrimaryNeed { .. } => allocation::record_primary_need(case, ctx, cmd),
        cmd @ Command::ProposeLead { .. } => allocation::propose_lead(case, ctx, cmd),
        cmd @ Command::AnswerAllocation { .. } => allocation::answer_allocation(case, ctx, cmd),
        cmd @ Command::RecordConsent { .. } => allocation::record_consent(case, ctx, cmd),
        cmd @ Command::StartAssessment { .. } => assessing::start_assessment(case, ctx, cmd),
        cmd @ Command::RecordChildSeen { .. } => assessing::record_child_seen(case, ctx, cmd),
        cmd @ Command::RequestContribution { .. } => {
            assessing::request_contribution(case, ctx, cmd)
        }
        cmd @ Command::ChaseContribution { .. } => assessing::chase_contribution(case, ctx, cmd),
        cmd @ Command::ReceiveContribution { .. } => {
            assessing::receive_contribution(case, ctx, cmd)
        }
        cmd @ Command::RequestSpecialist { .. } => assessing::request_specialist(case, ctx, cmd),
        cmd @ Command::SaveAssessment { .. } => assessing::save_assessment(case, ctx, cmd),
        cmd @ Command::SubmitAssessment { .. } => assessing::submit_assessment(case, ctx, cmd),
        cmd @ Command::ReturnAssessment { .. } => assessing::return_assessment(case, ctx, cmd),
        cmd @ Command::ExtendAssessment { .. } => assessing::extend_assessment(case, ctx, cmd),
        cmd @ Command::AuthoriseAssessment { .. } => {
            assessing::authorise_assessment(case, ctx, cmd)
        }
        cmd @ Command::MakePlan { .. } => planning::make_plan(case, ctx, cmd),
        cmd @ Command::AddAction { .. } => planning::add_action(case, ctx, cmd),
        cmd @ Command::CompleteAction { .. } => planning::complete_action(case, ctx, cmd),
        cmd @ Command::HoldMeeting { .. } => planning::hold_meeting(case, ctx, cmd),
        cmd @ Command::EndPlan { .. } => planning::end_plan(case, ctx, cmd),
        cmd @ Command::RecordFamilyGroupConference { .. } => {
            planning::record_family_group_conference(case, ctx, cmd)
        }
        cmd @ Command::RequestStepUp { .. } => moving_on::request_step_up(case, ctx, cmd),
        cmd @ Command::StepUp { .. } => moving_on::step_up(case, ctx, cmd),
        cmd @ Command::StepDown { .. } => moving_on::step_down(case, ctx, cmd),
        cmd @ Command::RecordSharing { .. } => moving_on::record_sharing(case, ctx, cmd),
        cmd @ Command::StartTransfer { .. } => moving_on::start_transfer(case, ctx, cmd),
        cmd @ Command::CompleteTransfer { .. } => moving_on::complete_transfer(case, ctx, cmd),
        cmd @ Command::Close { .. } => moving_on::close(case, ctx, cmd),
    }
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

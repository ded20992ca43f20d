//! Child protection commands and their rules (issue 5). Called from
//! [`super::decide()`] for [`super::Command::Protection`].

use super::decide::{actions_from, optional_text, text, ActionInput, Context, Refusal};
use super::protection::{
    AgencyReport, Conference, ConferenceKind, ConferenceOutcome, ConferenceRecord, CoreGroup,
    EmergencyKind, EndReason, Enquiry, HarmCategory, LateArrangement, NotHeld, OutlineChange,
    Participant, PlanDecision, PlanEnd, PlanVersion, PreProceedingsStep, S47Finding, S47Task,
    StrategyDiscussion, StrategyRecord, View,
};
use super::state::{Case, CaseEvent, Change};
use super::{Practitioner, Service, MAX_SHORT, MAX_TEXT};
use crate::role::{AgencyKind, Role};
use crate::timescale::Due;
use crate::validate::ValidationErrors;
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};

/// How soon a strategy discussion is needed: each names a profile rule (SET L2057–L2080,
/// L2074–L2075, and the child missing during enquiries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyTiming {
    Routine,
    SeriousHarm,
    Forensic,
    Complex,
    AfterEmergencyAction,
    ChildMissing,
}

impl StrategyTiming {
    pub const ALL: [StrategyTiming; 6] = [
        StrategyTiming::Routine,
        StrategyTiming::SeriousHarm,
        StrategyTiming::Forensic,
        StrategyTiming::Complex,
        StrategyTiming::AfterEmergencyAction,
        StrategyTiming::ChildMissing,
    ];
    pub fn rule_id(self) -> &'static str {
        match self {
            StrategyTiming::Routine => "strategy-routine",
            StrategyTiming::SeriousHarm => "strategy-serious-harm",
            StrategyTiming::Forensic => "strategy-forensic",
            StrategyTiming::Complex => "strategy-complex",
            StrategyTiming::AfterEmergencyAction => "strategy-after-emergency-action",
            StrategyTiming::ChildMissing => "s47-child-missing",
        }
    }
    pub fn from_id(s: &str) -> Option<StrategyTiming> {
        StrategyTiming::ALL.into_iter().find(|t| t.rule_id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            StrategyTiming::Routine => "Routine",
            StrategyTiming::SeriousHarm => "Serious injury or serious neglect (same day)",
            StrategyTiming::Forensic => "Forensic evidence may be needed (same day)",
            StrategyTiming::Complex => "Complex: organised abuse, allegations against staff",
            StrategyTiming::AfterEmergencyAction => "After immediate protective action",
            StrategyTiming::ChildMissing => "The child is missing during enquiries",
        }
    }
}

/// What a conference decided, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutcomeInput {
    Plan {
        categories: Vec<HarmCategory>,
        lead_social_worker: Option<Practitioner>,
        core_group: Vec<Participant>,
        changes: Vec<OutlineChange>,
        core_group_every_weeks: u8,
        consider_proceedings: bool,
    },
    NoPlan {
        reasons: String,
    },
    Discontinue {
        reason: EndReason,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CpCommand {
    RecordEmergency {
        kind: EmergencyKind,
        at: NaiveDateTime,
        agency: String,
        legal_advice: String,
        child_seen_by: String,
        other_children: String,
        /// An emergency protection order's end, as the court gave it (date and time).
        ends_at: Option<NaiveDateTime>,
    },
    /// The court extends an order once, to the end it gives (s45(4)–(6)).
    ExtendEpo {
        number: u32,
        ends_at: NaiveDateTime,
    },
    /// Police protection or an order ended, and how.
    RecordEmergencyEnded {
        number: u32,
        ended_at: NaiveDateTime,
        note: String,
    },
    RecordResponsibility {
        number: u32,
        by_authority: String,
        written_confirmation_on: Option<NaiveDate>,
    },
    ConfirmResponsibilityInWriting {
        number: u32,
        on: NaiveDate,
    },
    ConveneStrategy {
        timing: StrategyTiming,
        /// When the concerns arose (the start of the clock); now if not given.
        concerns_at: Option<NaiveDateTime>,
        /// A date when the profile has no rule for the timing (the national profile).
        by: Option<NaiveDate>,
        reason: String,
        invitees: Vec<Participant>,
    },
    /// A convened discussion will not be held: cancelled, or merged into another
    /// awaited discussion (`merge_into`), with the reason.
    CancelStrategy {
        number: u32,
        reason: String,
        merge_into: Option<u32>,
    },
    HoldStrategy {
        number: u32,
        held_at: NaiveDateTime,
        attendees: Vec<Participant>,
        attendance_override: String,
        information: String,
        initiate_s47: Option<bool>,
        s47_reason: String,
        criminal_investigation: String,
        immediate_actions: Vec<ActionInput>,
        legal_action: String,
        share_with_family: String,
        withhold_from_family: String,
        agency_decisions: Vec<(String, String)>,
    },
    RecordS47Task {
        enquiry: u32,
        task: S47Task,
        on: NaiveDate,
        note: String,
    },
    RecommendS47 {
        enquiry: u32,
        finding: S47Finding,
    },
    CountersignS47 {
        enquiry: u32,
        /// The child is unborn, expected on this date: a pre-birth conference (SET 2.6.14).
        expected_delivery: Option<NaiveDate>,
    },
    RequestConference {
        by: String,
        reason: String,
    },
    AnswerConferenceRequest {
        index: usize,
        agreed: bool,
        reason: String,
    },
    /// Escalate a refusal to a named manager (003 L1785).
    EscalateConferenceRequest {
        index: usize,
        reason: String,
        to: Option<Practitioner>,
    },
    /// The named manager answers the escalation.
    AnswerConferenceEscalation {
        index: usize,
        agreed: bool,
        reason: String,
    },
    ScheduleConference {
        conference: u32,
        date: NaiveDate,
        chair: Option<Practitioner>,
        /// The app's finding from the reporting lines it knows.
        chair_line_manages_lead: bool,
        invitees: Vec<Participant>,
        time: Option<NaiveTime>,
        place: String,
        /// Needed when `date` is after the conference is due.
        late_reason: String,
        /// Who authorised the later date in writing, where the profile makes the
        /// timescale a *must* (SET 002 L2771: the operational service manager).
        late_authorised_by: String,
        /// The other agencies' managers consulted, where the profile asks (LIV §5).
        late_consulted: String,
    },
    /// Move an arranged conference, with the reason.
    RescheduleConference {
        conference: u32,
        date: NaiveDate,
        time: Option<NaiveTime>,
        place: String,
        reason: String,
        late_reason: String,
        late_authorised_by: String,
        late_consulted: String,
    },
    SubmitAgencyReport {
        conference: u32,
        report: AgencyReport,
    },
    RecordChairMeeting {
        conference: u32,
        on: NaiveDate,
        note: String,
    },
    HoldConference {
        conference: u32,
        held_on: NaiveDate,
        attendees: Vec<Participant>,
        views: Vec<View>,
        outcome: OutcomeInput,
        late_reason: String,
        ongoing_support: String,
        /// The child's 18th birthday, if known: a plan's review is held before it
        /// (003 L1957: "a review around the child's birthday ... planned in advance").
        eighteenth_birthday: Option<NaiveDate>,
    },
    RecordPlanVersion {
        detailed: bool,
        on: NaiveDate,
        circulated_to: String,
        agreed_with_child: String,
        text: String,
    },
    HoldCoreGroup {
        held_on: NaiveDate,
        attendees: Vec<Participant>,
        absent_views: String,
        progress: String,
        plan_changes: String,
        next_by: Option<NaiveDate>,
        new_actions: Vec<ActionInput>,
    },
    EndPlan {
        reason: EndReason,
        on: NaiveDate,
        notified: String,
        ongoing_support: String,
    },
    NotifyTransferIn {
        from_authority: String,
        notified_on: NaiveDate,
    },
    RecordPreProceedings {
        step: PreProceedingsStep,
        on: NaiveDate,
        note: String,
    },
    /// The partners were notified of the death of a child on a plan.
    RecordDeathNotified {
        on: NaiveDate,
        note: String,
    },
}

impl CpCommand {
    pub fn name(&self) -> &'static str {
        match self {
            CpCommand::RecordEmergency { .. }
            | CpCommand::ExtendEpo { .. }
            | CpCommand::RecordResponsibility { .. }
            | CpCommand::ConfirmResponsibilityInWriting { .. }
            | CpCommand::RecordEmergencyEnded { .. } => "record immediate protection",
            CpCommand::CancelStrategy { .. } => "cancel or merge a strategy discussion",
            CpCommand::RescheduleConference { .. } => "rearrange a conference",
            CpCommand::ConveneStrategy { .. } => "convene a strategy discussion",
            CpCommand::HoldStrategy { .. } => "record a strategy discussion",
            CpCommand::RecordS47Task { .. } | CpCommand::RecommendS47 { .. } => {
                "work on a section 47 enquiry"
            }
            CpCommand::CountersignS47 { .. } => "countersign a section 47 enquiry",
            CpCommand::RequestConference { .. } | CpCommand::EscalateConferenceRequest { .. } => {
                "ask for a conference"
            }
            CpCommand::AnswerConferenceRequest { .. } => "answer a request for a conference",
            CpCommand::AnswerConferenceEscalation { .. } => {
                "answer an escalated request for a conference"
            }
            CpCommand::ScheduleConference { .. } => "arrange a conference",
            CpCommand::SubmitAgencyReport { .. } => "submit a report for this conference",
            CpCommand::RecordChairMeeting { .. } | CpCommand::HoldConference { .. } => {
                "chair this conference"
            }
            CpCommand::RecordPlanVersion { .. } | CpCommand::HoldCoreGroup { .. } => {
                "work on the child protection plan"
            }
            CpCommand::EndPlan { .. } => "end a child protection plan",
            CpCommand::NotifyTransferIn { .. } => "record a child moving in on a plan",
            CpCommand::RecordPreProceedings { .. } => "record pre-proceedings",
            CpCommand::RecordDeathNotified { .. } => "record the notification of a death",
        }
    }
}

fn due_by_rule(ctx: &Context, rule: &str, from: NaiveDateTime) -> Option<(Due, String)> {
    crate::process::due_by(ctx.profile, rule, from, ctx.calendar).map(|d| (d.due, d.rule_id))
}

/// Due by a rule every profile holds (`profile::REQUIRED_RULES`), with its id.
fn required(ctx: &Context, rule: &str, from: NaiveDateTime) -> (Due, Option<String>) {
    let d = crate::process::due_by_required(ctx.profile, rule, from, ctx.calendar);
    (d.due, Some(d.rule_id))
}

/// The strategy discussion convened and not yet held or called off, if any: there is
/// one at a time (issue 16).
fn awaited_discussion(p: &super::protection::Protection) -> Option<&StrategyDiscussion> {
    p.discussions.iter().find(|d| d.is_awaited())
}

/// Whether deadline `a` falls before deadline `b`.
fn earlier(a: &Due, b: &Due) -> bool {
    a.missed_from() < b.missed_from()
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

fn participants(e: &mut ValidationErrors, field: &str, v: Vec<Participant>) -> Vec<Participant> {
    let out: Vec<Participant> = v
        .into_iter()
        .filter(|p| !p.name.trim().is_empty() || !p.role.trim().is_empty())
        .collect();
    for p in &out {
        if p.name.trim().is_empty() || p.role.trim().is_empty() {
            e.add(
                field,
                "Give each person's name and role (one per line: name, role, agency)",
            );
            break;
        }
    }
    out
}

mod conference;
mod enquiry;
mod immediate;
mod plan;
mod strategy;

/// A command's change, and any it brings with it (a strategy discussion convened after
/// emergency action, an enquiry initiated at a strategy discussion...).
type Changes = (Change, Vec<Change>);

/// Decide a child protection command on an open case: who may give it (the role table
/// below), then the rules of the command's own function, grouped by stage in
/// `immediate`, `strategy`, `enquiry`, `conference` and `plan`.
pub(super) fn decide(
    case: &Case,
    cmd: CpCommand,
    ctx: &Context,
) -> Result<Vec<CaseEvent>, Refusal> {
    let role = ctx.actor.role;
    let me = ctx.actor.user;
    let event = |change: Change| CaseEvent {
        at: ctx.now,
        by: ctx.actor,
        change,
    };
    let supervisor = role == Role::PracticeSupervisor;
    let social_care = matches!(role, Role::SocialWorker | Role::PracticeSupervisor);
    let p = &case.protection;
    let forbid = Refusal::Forbidden {
        role,
        action: cmd.name(),
    };
    let chair_of = |n: u32| {
        p.conference(n)
            .and_then(|c| c.chair.as_ref())
            .is_some_and(|c| c.user == me)
    };
    let invited_to = |n: u32| {
        p.conference(n)
            .is_some_and(|c| c.invitees.iter().any(|i| i.user == Some(me)))
    };
    let allowed = match &cmd {
        // Any practitioner working with the child may ask (003 L1785); the one who asked,
        // or children's social care, escalates a refusal; the named manager answers it.
        CpCommand::RequestConference { .. } => true,
        CpCommand::EscalateConferenceRequest { index, .. } => {
            social_care
                || p.requests
                    .get(*index)
                    .is_some_and(|r| r.by_user == Some(me))
        }
        CpCommand::AnswerConferenceEscalation { index, .. } => p
            .requests
            .get(*index)
            .and_then(|r| r.escalated_to.as_ref())
            .is_some_and(|m| m.user == me),
        CpCommand::ExtendEpo { .. }
        | CpCommand::CountersignS47 { .. }
        | CpCommand::AnswerConferenceRequest { .. }
        | CpCommand::ScheduleConference { .. }
        | CpCommand::RescheduleConference { .. }
        | CpCommand::CancelStrategy { .. }
        | CpCommand::EndPlan { .. }
        | CpCommand::RecordDeathNotified { .. } => supervisor,
        CpCommand::SubmitAgencyReport { conference, .. } => social_care || invited_to(*conference),
        CpCommand::RecordChairMeeting { conference, .. }
        | CpCommand::HoldConference { conference, .. } => chair_of(*conference),
        _ => social_care,
    };
    if !allowed {
        return Err(forbid);
    }
    // Who may act is decided before anything about the case is said (issue 18).
    if !case.is_open() {
        return Err(super::decide::closed());
    }
    let (change, extra) = match cmd {
        cmd @ CpCommand::RecordEmergency { .. } => immediate::record_emergency(case, ctx, cmd),
        cmd @ CpCommand::ExtendEpo { .. } => immediate::extend_epo(case, ctx, cmd),
        cmd @ CpCommand::RecordEmergencyEnded { .. } => {
            immediate::record_emergency_ended(case, ctx, cmd)
        }
        cmd @ CpCommand::CancelStrategy { .. } => strategy::cancel_strategy(case, ctx, cmd),
        cmd @ CpCommand::RescheduleConference { .. } => {
            conference::reschedule_conference(case, ctx, cmd)
        }
        cmd @ CpCommand::RecordResponsibility { .. } => {
            immediate::record_responsibility(case, ctx, cmd)
        }
        cmd @ CpCommand::ConfirmResponsibilityInWriting { .. } => {
            immediate::confirm_responsibility_in_writing(case, ctx, cmd)
        }
        cmd @ CpCommand::ConveneStrategy { .. } => strategy::convene_strategy(case, ctx, cmd),
        cmd @ CpCommand::HoldStrategy { .. } => strategy::hold_strategy(case, ctx, cmd),
        cmd @ CpCommand::RecordS47Task { .. } => enquiry::record_s47_task(case, ctx, cmd),
        cmd @ CpCommand::RecommendS47 { .. } => enquiry::recommend_s47(case, ctx, cmd),
        cmd @ CpCommand::CountersignS47 { .. } => enquiry::countersign_s47(case, ctx, cmd),
        cmd @ CpCommand::RequestConference { .. } => conference::request_conference(case, ctx, cmd),
        cmd @ CpCommand::AnswerConferenceRequest { .. } => {
            conference::answer_conference_request(case, ctx, cmd)
        }
        cmd @ CpCommand::EscalateConferenceRequest { .. } => {
            conference::escalate_conference_request(case, ctx, cmd)
        }
        cmd @ CpCommand::AnswerConferenceEscalation { .. } => {
            conference::answer_conference_escalation(case, ctx, cmd)
        }
        cmd @ CpCommand::ScheduleConference { .. } => {
            conference::schedule_conference(case, ctx, cmd)
        }
        cmd @ CpCommand::SubmitAgencyReport { .. } => {
            conference::submit_agency_report(case, ctx, cmd)
        }
        cmd @ CpCommand::RecordChairMeeting { .. } => {
            conference::record_chair_meeting(case, ctx, cmd)
        }
        cmd @ CpCommand::HoldConference { .. } => conference::hold_conference(case, ctx, cmd),
        cmd @ CpCommand::RecordPlanVersion { .. } => plan::record_plan_version(case, ctx, cmd),
        cmd @ CpCommand::HoldCoreGroup { .. } => plan::hold_core_group(case, ctx, cmd),
        cmd @ CpCommand::EndPlan { .. } => plan::end_plan(case, ctx, cmd),
        cmd @ CpCommand::NotifyTransferIn { .. } => plan::notify_transfer_in(case, ctx, cmd),
        cmd @ CpCommand::RecordDeathNotified { .. } => plan::record_death_notified(case, ctx, cmd),
        cmd @ CpCommand::RecordPreProceedings { .. } => {
            plan::record_pre_proceedings(case, ctx, cmd)
        }
    }?;
    let mut out = vec![event(change)];
    out.extend(extra.into_iter().map(event));
    Ok(out)
}

//! Child protection commands and their rules (issue 5). Called from
//! [`super::decide()`] for [`super::Command::Protection`].

use super::decide::{actions_from, optional_text, text, ActionInput, Context, Refusal};
use super::protection::{
    AgencyReport, Conference, ConferenceKind, ConferenceOutcome, ConferenceRecord, CoreGroup,
    EmergencyKind, EndReason, Enquiry, HarmCategory, OutlineChange, Participant, PlanDecision,
    PlanEnd, PlanVersion, PreProceedingsStep, S47Finding, S47Task, StrategyDiscussion,
    StrategyRecord, View,
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
    },
    ExtendEpo {
        number: u32,
        days: u32,
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
    EscalateConferenceRequest {
        index: usize,
        reason: String,
    },
    ScheduleConference {
        conference: u32,
        date: NaiveDate,
        chair: Option<Practitioner>,
        /// The app's finding from the reporting lines it knows.
        chair_line_manages_lead: bool,
        invitees: Vec<Participant>,
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
            | CpCommand::ConfirmResponsibilityInWriting { .. } => "record immediate protection",
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
    ctx.profile
        .rule(rule)
        .map(|r| (r.due(from, ctx.calendar), r.id.clone()))
}

/// Due by a rule every profile holds (`profile::REQUIRED_RULES`), with its id.
fn required(ctx: &Context, rule: &str, from: NaiveDateTime) -> (Due, Option<String>) {
    let d = crate::process::due_by_required(ctx.profile, rule, from, ctx.calendar);
    (d.due, Some(d.rule_id))
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

/// Decide a child protection command on an open case.
pub(super) fn decide(
    case: &Case,
    cmd: CpCommand,
    ctx: &Context,
) -> Result<Vec<CaseEvent>, Refusal> {
    let role = ctx.actor.role;
    let me = ctx.actor.user;
    let today = ctx.now.date();
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
        CpCommand::RequestConference { .. } | CpCommand::EscalateConferenceRequest { .. } => true,
        CpCommand::ExtendEpo { .. }
        | CpCommand::CountersignS47 { .. }
        | CpCommand::AnswerConferenceRequest { .. }
        | CpCommand::ScheduleConference { .. }
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
    let mut e = ValidationErrors::new();
    let not_future = |e: &mut ValidationErrors, field: &str, d: NaiveDate| {
        if d > today {
            e.add(field, "The date must be today or in the past");
        }
    };
    let mut extra: Vec<Change> = Vec::new();
    let change = match cmd {
        CpCommand::RecordEmergency {
            kind,
            at,
            agency,
            legal_advice,
            child_seen_by,
            other_children,
        } => {
            if at > ctx.now {
                e.add("at_date", "The time must be now or in the past");
            }
            let agency = text(&mut e, "agency", "agency that acted", &agency, MAX_SHORT);
            let legal_advice = text(
                &mut e,
                "legal_advice",
                "legal advice sought, or why not",
                &legal_advice,
                MAX_TEXT,
            );
            let child_seen_by = text(
                &mut e,
                "child_seen_by",
                "who saw the child",
                &child_seen_by,
                MAX_SHORT,
            );
            let other_children = text(
                &mut e,
                "other_children",
                "other children in the household and in the alleged perpetrator's household",
                &other_children,
                MAX_TEXT,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            let ends = kind
                .rule_id()
                .and_then(|r| due_by_rule(ctx, r, at))
                .map(|(d, _)| d);
            let number = p.emergencies.len() as u32 + 1;
            // WT2026 003 L1659–L1661, SET L2074–L2075: a strategy discussion as soon as
            // possible after the action (`strategy-after-emergency-action`).
            let (due, rule_id) = required(ctx, StrategyTiming::AfterEmergencyAction.rule_id(), at);
            extra.push(Change::StrategyDiscussionConvened {
                discussion: StrategyDiscussion {
                    number: p.discussions.len() as u32 + 1,
                    convened_at: ctx.now,
                    reason: format!("After immediate protection: {}", kind.label()),
                    due,
                    rule_id,
                    invitees: Vec::new(),
                    record: None,
                },
            });
            Change::EmergencyActionRecorded {
                emergency: super::protection::Emergency {
                    number,
                    kind,
                    at,
                    agency,
                    legal_advice,
                    child_seen_by,
                    other_children,
                    ends,
                    extended: false,
                    accepted_by: None,
                    accepted_at: None,
                    written_confirmation_on: None,
                },
            }
        }
        CpCommand::ExtendEpo { number, days } => {
            let x = p
                .emergencies
                .iter()
                .find(|x| x.number == number)
                .ok_or_else(|| Refusal::NotFound("no such emergency action".into()))?;
            if x.kind != EmergencyKind::EmergencyProtectionOrder {
                return Err(Refusal::Conflict(
                    "only an emergency protection order is extended".into(),
                ));
            }
            if x.extended {
                return Err(Refusal::Conflict(
                    "an emergency protection order is extended once only".into(),
                ));
            }
            // The profile's `epo` rule carries the most an extension may add (Children
            // Act 1989 s45(5)); a profile with none allows no extension.
            let max = ctx
                .profile
                .rule("epo")
                .and_then(|r| r.max_extension)
                .map(|m| m.amount)
                .unwrap_or(0);
            if max == 0 {
                return Err(Refusal::Conflict(
                    "the partnership's profile allows no extension of an emergency protection order".into(),
                ));
            }
            if days == 0 || days > max {
                return Err(Refusal::Invalid(ValidationErrors::single(
                    "days",
                    format!("An extension is of 1 to {max} days"),
                )));
            }
            let base = x.ends.map(|d| d.date()).unwrap_or(x.at.date());
            Change::EpoExtended {
                number,
                ends: Due::Date(base + Days::new(days as u64)),
            }
        }
        CpCommand::RecordResponsibility {
            number,
            by_authority,
            written_confirmation_on,
        } => {
            if !p.emergencies.iter().any(|x| x.number == number) {
                return Err(Refusal::NotFound("no such emergency action".into()));
            }
            let by_authority = text(
                &mut e,
                "by_authority",
                "authority that accepted responsibility",
                &by_authority,
                MAX_SHORT,
            );
            if let Some(d) = written_confirmation_on {
                not_future(&mut e, "written_confirmation_on", d);
            }
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ResponsibilityAccepted {
                number,
                by_authority,
                written_confirmation_on,
            }
        }
        CpCommand::ConfirmResponsibilityInWriting { number, on } => {
            if !p
                .emergencies
                .iter()
                .any(|x| x.number == number && x.accepted_by.is_some())
            {
                return Err(Refusal::Conflict(
                    "record who accepted responsibility first".into(),
                ));
            }
            not_future(&mut e, "on", on);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ResponsibilityConfirmedInWriting { number, on }
        }
        CpCommand::ConveneStrategy {
            timing,
            concerns_at,
            by,
            reason,
            invitees,
        } => {
            if case.service != Service::SocialCare {
                return Err(Refusal::Conflict(
                    "a strategy discussion is children's social care's: step the case up first"
                        .into(),
                ));
            }
            let from = concerns_at.unwrap_or(ctx.now);
            if from > ctx.now {
                e.add(
                    "concerns_at",
                    "The time the concerns arose must be now or in the past",
                );
            }
            let reason = text(
                &mut e,
                "reason",
                "reasonable cause to suspect significant harm",
                &reason,
                MAX_TEXT,
            );
            let invitees = participants(&mut e, "invitees", invitees);
            let (due, rule_id) = match (due_by_rule(ctx, timing.rule_id(), from), by) {
                (Some((d, r)), _) => (d, Some(r)),
                (None, Some(b)) => (Due::Date(b), None),
                (None, None) => {
                    e.add("by", "This partnership's profile has no timescale for this: enter the date it will be held by");
                    (Due::Date(today), None)
                }
            };
            e.into_result().map_err(Refusal::Invalid)?;
            Change::StrategyDiscussionConvened {
                discussion: StrategyDiscussion {
                    number: p.discussions.len() as u32 + 1,
                    convened_at: ctx.now,
                    reason,
                    due,
                    rule_id,
                    invitees,
                    record: None,
                },
            }
        }
        CpCommand::HoldStrategy {
            number,
            held_at,
            attendees,
            attendance_override,
            information,
            initiate_s47,
            s47_reason,
            criminal_investigation,
            immediate_actions,
            legal_action,
            share_with_family,
            withhold_from_family,
            agency_decisions,
        } => {
            let d = p
                .discussion(number)
                .ok_or_else(|| Refusal::NotFound("no such strategy discussion".into()))?;
            if d.record.is_some() {
                return Err(Refusal::Conflict(
                    "this strategy discussion has been recorded".into(),
                ));
            }
            if held_at > ctx.now {
                e.add("held_at_date", "The time must be now or in the past");
            }
            let attendees = participants(&mut e, "attendees", attendees);
            // "A local authority social worker, health practitioners and a police
            // representative" at least (strategy discussion descriptor; SET 2.7).
            let has = |k: AgencyKind| attendees.iter().any(|a| a.agency_kind == Some(k));
            let missing: Vec<&str> = [
                (
                    AgencyKind::ChildrensSocialCare,
                    "a local authority social worker",
                ),
                (AgencyKind::Health, "health"),
                (AgencyKind::Police, "the police"),
            ]
            .into_iter()
            .filter(|(k, _)| !has(*k))
            .map(|(_, l)| l)
            .collect();
            let attendance_override = if missing.is_empty() {
                None
            } else if attendance_override.trim().is_empty() {
                e.add(
                    "attendees",
                    format!(
                        "A strategy discussion needs {}: add them, or a practice supervisor records why it went ahead without",
                        missing.join(", ")
                    ),
                );
                None
            } else if !supervisor {
                e.add("attendance_override", "Only a practice supervisor may authorise a discussion without a social worker, health and police");
                None
            } else {
                Some(text(
                    &mut e,
                    "attendance_override",
                    "reason it went ahead without them",
                    &attendance_override,
                    MAX_TEXT,
                ))
            };
            let information = text(
                &mut e,
                "information",
                "information shared and analysed",
                &information,
                MAX_TEXT,
            );
            let initiate = match initiate_s47 {
                Some(b) => b,
                None => {
                    e.add(
                        "initiate_s47",
                        "Record the local authority's decision on section 47 enquiries",
                    );
                    false
                }
            };
            let s47_reason = text(
                &mut e,
                "s47_reason",
                "reasons for the decision",
                &s47_reason,
                MAX_TEXT,
            );
            let criminal_investigation = optional_text(
                &mut e,
                "criminal_investigation",
                "criminal investigation",
                &criminal_investigation,
            );
            let mut n = case.last_action;
            let immediate_actions =
                actions_from(&mut e, "actions", immediate_actions, held_at.date(), &mut n);
            let legal_action = optional_text(&mut e, "legal_action", "legal action", &legal_action);
            let share_with_family = text(
                &mut e,
                "share_with_family",
                "what may be shared with the child and family",
                &share_with_family,
                MAX_TEXT,
            );
            let withhold_from_family = optional_text(
                &mut e,
                "withhold_from_family",
                "what must not be shared",
                &withhold_from_family,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            if initiate {
                // ICPC descriptor: within 15 working days of the strategy discussion at
                // which section 47 enquiries were initiated (`icpc`).
                let (icpc_due, icpc_rule) = required(ctx, "icpc", midnight(held_at.date()));
                extra.push(Change::EnquiryInitiated {
                    enquiry: Enquiry {
                        number: p.enquiries.len() as u32 + 1,
                        strategy: number,
                        initiated_on: held_at.date(),
                        icpc_due,
                        icpc_rule,
                        tasks: Vec::new(),
                        recommendation: None,
                        recommended_by: None,
                        countersigned: None,
                    },
                });
            }
            Change::StrategyDiscussionHeld {
                number,
                record: StrategyRecord {
                    held_at,
                    attendees,
                    attendance_override,
                    information,
                    initiate_s47: initiate,
                    s47_reason,
                    criminal_investigation,
                    immediate_actions,
                    legal_action,
                    share_with_family,
                    withhold_from_family,
                    agency_decisions: agency_decisions
                        .into_iter()
                        .filter(|(a, d)| !a.trim().is_empty() && !d.trim().is_empty())
                        .collect(),
                },
            }
        }
        CpCommand::RecordS47Task {
            enquiry,
            task,
            on,
            note,
        } => {
            let q = p
                .enquiry(enquiry)
                .ok_or_else(|| Refusal::NotFound("no such enquiry".into()))?;
            if !q.is_open() {
                return Err(Refusal::Conflict("the enquiry has concluded".into()));
            }
            not_future(&mut e, "on", on);
            let note = text(
                &mut e,
                "note",
                "what was done or found (or why not)",
                &note,
                MAX_TEXT,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            Change::EnquiryTaskRecorded {
                enquiry,
                task,
                on,
                note,
            }
        }
        CpCommand::RecommendS47 { enquiry, finding } => {
            let q = p
                .enquiry(enquiry)
                .ok_or_else(|| Refusal::NotFound("no such enquiry".into()))?;
            if !q.is_open() {
                return Err(Refusal::Conflict("the enquiry has concluded".into()));
            }
            if !q
                .tasks
                .iter()
                .any(|(t, _, _)| *t == S47Task::ChildSeenAlone)
            {
                e.add(
                    "substantiated",
                    "Record whether the child was seen alone (or why not) first",
                );
            }
            let reasons = text(&mut e, "reasons", "reasons", &finding.reasons, MAX_TEXT);
            // Outcome of section 47 enquiries descriptor: not substantiated → reasons
            // discussed with the child and family, support, a family group conference.
            let (discussed, support) = if finding.substantiated {
                (
                    optional_text(
                        &mut e,
                        "discussed_with_family",
                        "note",
                        &finding.discussed_with_family,
                    ),
                    optional_text(&mut e, "onward_support", "note", &finding.onward_support),
                )
            } else {
                (
                    text(
                        &mut e,
                        "discussed_with_family",
                        "how the outcome was discussed with the child and family",
                        &finding.discussed_with_family,
                        MAX_TEXT,
                    ),
                    text(
                        &mut e,
                        "onward_support",
                        "the support offered",
                        &finding.onward_support,
                        MAX_TEXT,
                    ),
                )
            };
            e.into_result().map_err(Refusal::Invalid)?;
            Change::EnquiryOutcomeRecommended {
                enquiry,
                finding: S47Finding {
                    substantiated: finding.substantiated,
                    reasons,
                    discussed_with_family: discussed,
                    onward_support: support,
                    fgc_offered: finding.fgc_offered,
                },
            }
        }
        CpCommand::CountersignS47 {
            enquiry,
            expected_delivery,
        } => {
            let q = p
                .enquiry(enquiry)
                .ok_or_else(|| Refusal::NotFound("no such enquiry".into()))?;
            let Some(f) = &q.recommendation else {
                return Err(Refusal::Conflict(
                    "the social worker has not yet recorded the outcome".into(),
                ));
            };
            if q.recommended_by == Some(me) {
                return Err(Refusal::Conflict(
                    "the outcome is countersigned by someone other than who recorded it (SET L2624)"
                        .into(),
                ));
            }
            if !q.is_open() {
                return Err(Refusal::Conflict("already countersigned".into()));
            }
            if f.substantiated && p.pending_conference().is_none() {
                // SET 2.6.14: a pre-birth conference ten weeks before the expected date of
                // delivery, if that is earlier than the 15 working days (`pre-birth-conference`).
                let (due, rule_id) = match expected_delivery
                    .and_then(|edd| due_by_rule(ctx, "pre-birth-conference", midnight(edd)))
                {
                    Some((d, r)) if d.date() < q.icpc_due.date() => (d, Some(r)),
                    _ => (q.icpc_due, q.icpc_rule.clone()),
                };
                extra.push(Change::ConferenceConvened {
                    conference: Conference {
                        number: p.conferences.len() as u32 + 1,
                        kind: if expected_delivery.is_some() {
                            ConferenceKind::PreBirth
                        } else {
                            ConferenceKind::Initial
                        },
                        due,
                        rule_id,
                        date: None,
                        chair: None,
                        invitees: Vec::new(),
                        reports: Vec::new(),
                        chair_met_family: None,
                        record: None,
                        cancelled: None,
                    },
                });
            }
            Change::EnquiryCountersigned { enquiry, on: today }
        }
        CpCommand::RequestConference { by, reason } => {
            let by = text(&mut e, "by", "who is asking", &by, MAX_SHORT);
            let reason = text(
                &mut e,
                "reason",
                "why a conference is needed",
                &reason,
                MAX_TEXT,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ConferenceRequested { by, reason }
        }
        CpCommand::AnswerConferenceRequest {
            index,
            agreed,
            reason,
        } => {
            let r = p
                .requests
                .get(index)
                .ok_or_else(|| Refusal::NotFound("no such request".into()))?;
            if r.answer.is_some() {
                return Err(Refusal::Conflict("already answered".into()));
            }
            let reason = text(&mut e, "reason", "reasons", &reason, MAX_TEXT);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ConferenceRequestAnswered {
                index,
                agreed,
                reason,
            }
        }
        CpCommand::EscalateConferenceRequest { index, reason } => {
            let r = p
                .requests
                .get(index)
                .ok_or_else(|| Refusal::NotFound("no such request".into()))?;
            if !matches!(r.answer, Some((false, _))) {
                return Err(Refusal::Conflict(
                    "only a refused request is escalated".into(),
                ));
            }
            let reason = text(&mut e, "reason", "why", &reason, MAX_TEXT);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ConferenceRequestEscalated { index, reason }
        }
        CpCommand::ScheduleConference {
            conference,
            date,
            chair,
            chair_line_manages_lead,
            invitees,
        } => {
            let c = p
                .conference(conference)
                .ok_or_else(|| Refusal::NotFound("no such conference".into()))?;
            if c.record.is_some() || c.cancelled.is_some() {
                return Err(Refusal::Conflict(
                    "this conference is no longer to be arranged".into(),
                ));
            }
            // ICPC descriptor: the chair is "independent of operational and/or line
            // management responsibility for the case".
            let chair = match chair {
                None => {
                    e.add("chair", "Choose the chair");
                    None
                }
                Some(ch) if case.lead_user() == Some(ch.user) => {
                    e.add(
                        "chair",
                        "The lead practitioner cannot chair: the chair is independent of the case",
                    );
                    None
                }
                Some(_) if chair_line_manages_lead => {
                    e.add("chair", "This chair line-manages the lead practitioner: choose someone independent of the case");
                    None
                }
                Some(ch)
                    if !matches!(ch.role, Role::ConferenceChair | Role::PracticeSupervisor) =>
                {
                    e.add("chair", "A conference is chaired by a conference chair or a manager independent of the case");
                    None
                }
                Some(ch) => Some(ch),
            };
            // A conference arranged before it was recorded here may have a past date.
            let _ = today;
            let invitees = participants(&mut e, "invitees", invitees);
            if invitees.is_empty() {
                e.add(
                    "invitees",
                    "Invite the family and the practitioners involved",
                );
            }
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ConferenceScheduled {
                conference,
                date,
                chair: chair.expect("checked"),
                invitees,
            }
        }
        CpCommand::SubmitAgencyReport { conference, report } => {
            let c = p
                .conference(conference)
                .ok_or_else(|| Refusal::NotFound("no such conference".into()))?;
            if c.record.is_some() {
                return Err(Refusal::Conflict("the conference has been held".into()));
            }
            let agency = text(&mut e, "agency", "agency", &report.agency, MAX_SHORT);
            let by = text(&mut e, "by", "author", &report.by, MAX_SHORT);
            let summary = text(&mut e, "summary", "report", &report.summary, MAX_TEXT);
            let reason_not_shared = if report.share_with_parents {
                String::new()
            } else {
                text(
                    &mut e,
                    "reason_not_shared",
                    "why it is not to be shared with the parents",
                    &report.reason_not_shared,
                    MAX_TEXT,
                )
            };
            e.into_result().map_err(Refusal::Invalid)?;
            Change::AgencyReportSubmitted {
                conference,
                report: AgencyReport {
                    agency,
                    by,
                    summary,
                    submitted_on: today,
                    share_with_parents: report.share_with_parents,
                    reason_not_shared,
                },
            }
        }
        CpCommand::RecordChairMeeting {
            conference,
            on,
            note,
        } => {
            not_future(&mut e, "on", on);
            let note = text(&mut e, "note", "note of the meeting", &note, MAX_TEXT);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::ChairMetFamily {
                conference,
                on,
                note,
            }
        }
        CpCommand::HoldConference {
            conference,
            held_on,
            attendees,
            views,
            outcome,
            late_reason,
            ongoing_support,
            eighteenth_birthday,
        } => {
            let c = p
                .conference(conference)
                .ok_or_else(|| Refusal::NotFound("no such conference".into()))?;
            if c.record.is_some() || c.cancelled.is_some() {
                return Err(Refusal::Conflict("this conference has been held".into()));
            }
            if c.kind.is_initial() && !p.may_convene_initial() {
                return Err(Refusal::Conflict(
                    "an initial conference follows a substantiated section 47 enquiry".into(),
                ));
            }
            not_future(&mut e, "held_on", held_on);
            // Conferences are held on working days; the DfE rejects an initial
            // conference dated on a weekend (CIN census rule 8875), so a weekend date
            // is a typing error to catch here, not in March.
            if !ctx.calendar.is_working_day(held_on) {
                e.add(
                    "held_on",
                    "A conference is held on a working day: check the date (it is a weekend or bank holiday)",
                );
            }
            let attendees = participants(&mut e, "attendees", attendees);
            if attendees.is_empty() {
                e.add("attendees", "Record who attended");
            }
            let views: Vec<View> = views
                .into_iter()
                .filter(|v| !v.name.trim().is_empty())
                .collect();
            if views.iter().any(|v| v.scale.is_some_and(|s| s > 10)) {
                e.add("views", "Scaling runs from 0 to 10");
            }
            let late = !c.due.is_met_by(midnight(held_on));
            let late_reason = if late {
                Some(text(&mut e, "late_reason", "reason the conference is late (SET: authorised by the operational service manager)", &late_reason, MAX_TEXT))
            } else {
                None
            };
            let decision = |e: &mut ValidationErrors,
                            categories: Vec<HarmCategory>,
                            lead: Option<Practitioner>,
                            core_group: Vec<Participant>,
                            changes: Vec<OutlineChange>,
                            every: u8| {
                if categories.is_empty() {
                    e.add(
                        "category_physical",
                        "Choose the category or categories of harm",
                    );
                }
                let lead = match lead {
                    Some(l) if matches!(l.role, Role::SocialWorker | Role::PracticeSupervisor) => {
                        Some(l)
                    }
                    Some(_) => {
                        // ICPC descriptor: the lead practitioner for a plan is always a
                        // social worker (¶172), an employee of the lead statutory body.
                        e.add(
                            "lead_social_worker",
                            "The lead practitioner for a child protection plan is a social worker",
                        );
                        None
                    }
                    None => {
                        e.add("lead_social_worker", "Choose the lead social worker");
                        None
                    }
                };
                let core_group = participants(e, "core_group", core_group);
                if core_group.is_empty() {
                    e.add(
                        "core_group",
                        "Name the core group, including family members",
                    );
                }
                let changes: Vec<OutlineChange> = changes
                    .into_iter()
                    .filter(|c| !c.what.trim().is_empty())
                    .collect();
                if changes.is_empty() {
                    e.add("changes", "Say what must change, by how much and by when");
                }
                if changes.iter().any(|c| c.by_how_much.trim().is_empty()) {
                    e.add("changes", "Say by how much each thing must change");
                }
                if !(1..=12).contains(&every) {
                    e.add(
                        "core_group_every_weeks",
                        "Core groups meet every 1 to 12 weeks",
                    );
                }
                lead.map(|l| PlanDecision {
                    categories,
                    lead_body: l.agency_name.clone(),
                    lead_social_worker: l,
                    core_group,
                    changes,
                    core_group_every_weeks: every,
                })
            };
            let held = midnight(held_on);
            let (outcome, next_core_group, next_review, review_rule) = match (
                outcome,
                c.kind.is_initial(),
            ) {
                (
                    OutcomeInput::Plan {
                        categories,
                        lead_social_worker,
                        core_group,
                        changes,
                        core_group_every_weeks,
                        consider_proceedings,
                    },
                    initial,
                ) => {
                    if initial && p.open_plan().is_some() {
                        return Err(Refusal::Conflict(
                            "the child already has a child protection plan".into(),
                        ));
                    }
                    if !initial && p.open_plan().is_none() {
                        return Err(Refusal::Conflict("there is no plan to review".into()));
                    }
                    let d = decision(
                        &mut e,
                        categories,
                        lead_social_worker,
                        core_group,
                        changes,
                        core_group_every_weeks,
                    );
                    let review_rule_id = if initial {
                        "review-first"
                    } else {
                        "review-next"
                    };
                    let review = required(ctx, review_rule_id, held);
                    let first_core = if initial {
                        Some(required(ctx, "core-group-first", held).0)
                    } else {
                        p.open_plan().map(|pl| pl.next_core_group)
                    };
                    let Some(d) = d else {
                        return Err(Refusal::Invalid(e));
                    };
                    let out = if consider_proceedings && !initial {
                        ConferenceOutcome::ConsiderProceedings { decision: d }
                    } else {
                        ConferenceOutcome::Plan { decision: d }
                    };
                    (
                        out,
                        first_core.or(Some(required(ctx, "core-group-first", held).0)),
                        Some(review.0),
                        review.1,
                    )
                }
                (OutcomeInput::NoPlan { reasons }, true) => {
                    let reasons = text(
                        &mut e,
                        "no_plan_reasons",
                        "reasons and the help that follows",
                        &reasons,
                        MAX_TEXT,
                    );
                    (ConferenceOutcome::NoPlan { reasons }, None, None, None)
                }
                (OutcomeInput::Discontinue { reason }, false) => {
                    if let EndReason::MovedPermanently {
                        receiving_conference_on,
                        ..
                    } = &reason
                    {
                        if *receiving_conference_on > held_on {
                            e.add(
                                "receiving_conference_on",
                                "The plan ends only after the receiving authority's conference",
                            );
                        }
                    }
                    (ConferenceOutcome::Discontinue { reason }, None, None, None)
                }
                (OutcomeInput::NoPlan { .. }, false) => {
                    return Err(Refusal::Invalid(ValidationErrors::single("outcome", "At a review, the plan continues, changes, ends or proceedings are considered")));
                }
                (OutcomeInput::Discontinue { .. }, true) => {
                    return Err(Refusal::Invalid(ValidationErrors::single(
                        "outcome",
                        "An initial conference decides whether there is a plan",
                    )));
                }
            };
            let next_review = match (next_review, eighteenth_birthday) {
                (Some(r), Some(b)) if r.date() >= b => Some(Due::Date(
                    ctx.calendar.last_working_day_on_or_before(b - Days::new(1)),
                )),
                (r, _) => r,
            };
            let ongoing_support = if matches!(
                outcome,
                ConferenceOutcome::Discontinue { .. } | ConferenceOutcome::NoPlan { .. }
            ) {
                // ¶252: ongoing support considered when a plan ends or is not needed.
                text(
                    &mut e,
                    "ongoing_support",
                    "the support that continues (¶252)",
                    &ongoing_support,
                    MAX_TEXT,
                )
            } else {
                optional_text(&mut e, "ongoing_support", "support", &ongoing_support)
            };
            e.into_result().map_err(Refusal::Invalid)?;
            if let Some(review) = next_review {
                extra.push(Change::ConferenceConvened {
                    conference: Conference {
                        number: p.conferences.len() as u32 + 1,
                        kind: ConferenceKind::Review,
                        due: review,
                        rule_id: review_rule.clone(),
                        date: None,
                        chair: None,
                        invitees: Vec::new(),
                        reports: Vec::new(),
                        chair_met_family: None,
                        record: None,
                        cancelled: None,
                    },
                });
            }
            Change::ConferenceHeld {
                conference,
                record: ConferenceRecord {
                    held_on,
                    attendees,
                    views,
                    outcome,
                    late_reason,
                    next_core_group,
                    next_review,
                    review_rule,
                    ongoing_support,
                },
            }
        }
        CpCommand::RecordPlanVersion {
            detailed,
            on,
            circulated_to,
            agreed_with_child,
            text: body,
        } => {
            let plan = p
                .open_plan()
                .ok_or_else(|| Refusal::Conflict("there is no child protection plan".into()))?;
            not_future(&mut e, "on", on);
            let circulated_to = text(
                &mut e,
                "circulated_to",
                "who the plan was sent to",
                &circulated_to,
                MAX_TEXT,
            );
            let agreed_with_child = text(
                &mut e,
                "agreed_with_child",
                "how the plan was explained to and agreed with the child",
                &agreed_with_child,
                MAX_TEXT,
            );
            let body = text(&mut e, "text", "the plan", &body, MAX_TEXT);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::CpPlanVersionRecorded {
                version: PlanVersion {
                    number: plan.versions.len() as u32 + 1,
                    detailed,
                    on,
                    circulated_to,
                    agreed_with_child,
                    text: body,
                },
            }
        }
        CpCommand::HoldCoreGroup {
            held_on,
            attendees,
            absent_views,
            progress,
            plan_changes,
            next_by,
            new_actions,
        } => {
            let plan = p
                .open_plan()
                .ok_or_else(|| Refusal::Conflict("there is no child protection plan".into()))?;
            not_future(&mut e, "held_on", held_on);
            if held_on < plan.start {
                e.add("held_on", "A core group meets after the conference");
            }
            let attendees = participants(&mut e, "attendees", attendees);
            if attendees.is_empty() {
                e.add("attendees", "Record who attended");
            }
            let absent_views = optional_text(&mut e, "absent_views", "views", &absent_views);
            let progress = text(
                &mut e,
                "progress",
                "progress on each action of the plan",
                &progress,
                MAX_TEXT,
            );
            let plan_changes = optional_text(&mut e, "plan_changes", "changes", &plan_changes);
            let next = next_by
                .unwrap_or(held_on + Days::new(7 * plan.decision.core_group_every_weeks as u64));
            if next <= held_on {
                e.add("next_by", "The next core group must be after this one");
            }
            let mut n = case.last_action;
            let new_actions = actions_from(&mut e, "actions", new_actions, held_on, &mut n);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::CoreGroupHeld {
                meeting: CoreGroup {
                    held_on,
                    attendees,
                    absent_views,
                    progress,
                    plan_changes,
                },
                next_by: next,
                new_actions,
            }
        }
        CpCommand::EndPlan {
            reason,
            on,
            notified,
            ongoing_support,
        } => {
            let plan = p
                .open_plan()
                .ok_or_else(|| Refusal::Conflict("there is no child protection plan".into()))?;
            if reason == EndReason::NoLongerAtRisk {
                return Err(Refusal::Conflict(
                    "a plan ends because the child is no longer at risk only at a review conference".into(),
                ));
            }
            if let EndReason::MovedPermanently {
                receiving_conference_on,
                ..
            } = &reason
            {
                // "Only after this event may the original local authority discontinue" (L1955).
                if *receiving_conference_on > on {
                    e.add(
                        "receiving_conference_on",
                        "The plan ends only after the receiving authority's conference",
                    );
                }
            }
            not_future(&mut e, "on", on);
            if on < plan.start {
                e.add("on", "The plan cannot end before it started");
            }
            let notified = text(
                &mut e,
                "notified",
                "who was told (everyone invited to the initial conference)",
                &notified,
                MAX_TEXT,
            );
            let ongoing_support = text(
                &mut e,
                "ongoing_support",
                "the support that continues (¶252)",
                &ongoing_support,
                MAX_TEXT,
            );
            e.into_result().map_err(Refusal::Invalid)?;
            if let Some(c) = p.pending_conference() {
                extra.push(Change::ConferenceCancelled {
                    conference: c.number,
                    reason: "The plan ended".into(),
                });
            }
            Change::CpPlanEnded {
                end: PlanEnd {
                    on,
                    reason,
                    notified,
                    ongoing_support,
                },
            }
        }
        CpCommand::NotifyTransferIn {
            from_authority,
            notified_on,
        } => {
            if p.transfer_in.is_some() {
                return Err(Refusal::Conflict("already recorded".into()));
            }
            let from_authority = text(
                &mut e,
                "from_authority",
                "authority the child moved from",
                &from_authority,
                MAX_SHORT,
            );
            not_future(&mut e, "notified_on", notified_on);
            e.into_result().map_err(Refusal::Invalid)?;
            // L1955: the receiving authority's conference within 15 working days of
            // being notified (`transfer-in-conference`).
            let (due, rule) = required(ctx, "transfer-in-conference", midnight(notified_on));
            extra.push(Change::ConferenceConvened {
                conference: Conference {
                    number: p.conferences.len() as u32 + 1,
                    kind: ConferenceKind::TransferIn,
                    due,
                    rule_id: rule,
                    date: None,
                    chair: None,
                    invitees: Vec::new(),
                    reports: Vec::new(),
                    chair_met_family: None,
                    record: None,
                    cancelled: None,
                },
            });
            Change::TransferInNotified {
                from_authority,
                notified_on,
            }
        }
        CpCommand::RecordDeathNotified { on, note } => {
            if p.death_notification_due.is_none() {
                return Err(Refusal::Conflict("there is no death to notify".into()));
            }
            not_future(&mut e, "on", on);
            let note = text(&mut e, "note", "who was told and how", &note, MAX_TEXT);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::DeathNotified { on, note }
        }
        CpCommand::RecordPreProceedings { step, on, note } => {
            if step == PreProceedingsStep::DecisionToStart && !supervisor {
                return Err(forbid);
            }
            not_future(&mut e, "on", on);
            let note = optional_text(&mut e, "note", "note", &note);
            e.into_result().map_err(Refusal::Invalid)?;
            Change::PreProceedingsRecorded { step, on, note }
        }
    };
    let mut out = vec![event(change)];
    out.extend(extra.into_iter().map(event));
    Ok(out)
}

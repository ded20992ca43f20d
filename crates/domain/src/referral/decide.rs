//! Commands on a referral and [`decide`]: who may do what, when, and what it records.
//!
//! Must-rules refuse ([`Refusal`]); should-rules (WT2026 ¶6) let the practice supervisor
//! go ahead with a recorded reason that shows in reports ([`Override`]; design
//! principle 3).

use super::details::{Channel, ReferralDetails, MAX_SHORT};
use super::repeat::repeat_of;
use super::sharing::DisclosureInput;
use super::state::{
    Acknowledgement, AcknowledgementMethod, Decision, Escalation, EscalationAnswer, EscalationKind,
    EscalationOutcome, Feedback, Override, OverrideKind, Received, Recommendation, Referral,
    ReferralDue, ReferralEvent, ReferralState, RuleDue, ThresholdInput, WrittenConfirmation,
};
use super::work::{ChildRef, Outcome, Signpost, StrategyUrgency, WorkItem, WorkKind};
use super::{is_front_door_staff, Actor, ReferralId};
use crate::calendar::Calendar;
use crate::ids::PersonId;
use crate::profile::Profile;
use crate::role::Role;
use crate::timescale::Due;
use crate::validate::{parse_text, ValidationErrors};
use chrono::{NaiveDate, NaiveDateTime};

/// Longest reason, answer or note in a command.
pub const MAX_REASON: usize = 10_000;

/// What the caller knows that is not in the referral's state: the time, who is acting,
/// the partnership's rules and calendar, and the threshold model's suggestion.
#[derive(Clone, Copy, Debug)]
pub struct DecisionContext<'a> {
    /// Now, as the wall-clock time in England.
    pub now: NaiveDateTime,
    pub actor: Actor,
    /// The actor is the person (or agency system) who made this referral.
    pub actor_is_referrer: bool,
    pub profile: &'a Profile,
    /// The working-day calendar (`profile.calendar(Calendar::england_and_wales())`).
    pub calendar: &'a Calendar,
    /// The level of need the threshold model suggests, if it has been used.
    pub suggested_level: Option<u8>,
    /// A section 47 indicator was ticked: the threshold model says a strategy
    /// discussion is required (NSCP Appendix 1, "S47 strategy discussion required").
    pub strategy_discussion_required: bool,
}

/// The practice supervisor's decision, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecideInput {
    pub outcomes: Vec<Outcome>,
    /// Why: recorded with the decision and, for no further action, given to the referrer
    /// as the reasons the threshold is not met (WT2026 ¶165).
    pub reasons: String,
    /// The reason for departing from a "should" (below the suggested level, no strategy
    /// discussion after a section 47 indicator, no signposting). One reason covers every
    /// override the decision needs; each is recorded with it.
    pub override_reason: Option<String>,
    pub signposting: Vec<Signpost>,
    pub signposting_note: Option<String>,
    pub strategy_urgency: StrategyUrgency,
    /// When the strategy discussion is planned; required when the profile has no rule
    /// for the urgency chosen (the national profile has none).
    pub strategy_by: Option<NaiveDate>,
    /// When the child will be seen; required with [`Outcome::SeeChild`].
    pub see_child_by: Option<NaiveDate>,
    /// What immediate services; required with [`Outcome::ImmediateServices`].
    pub services: Option<String>,
    /// Which specialist assessment; required with [`Outcome::SpecialistAssessment`].
    pub specialist_assessment: Option<String>,
    /// To revise a decision already made: why. Without it a decided referral cannot be
    /// decided again.
    pub revision_reason: Option<String>,
}

/// What someone asks to do with a referral.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReferralCommand {
    /// A referral or contact arrives. `received_at` is for a call or visit recorded after
    /// it happened (defaults to now). `idempotency_key` is the API client's.
    Receive {
        referral: ReferralId,
        details: Box<ReferralDetails>,
        channel: Channel,
        received_at: Option<NaiveDateTime>,
        idempotency_key: Option<String>,
    },
    Acknowledge {
        method: AcknowledgementMethod,
    },
    /// The written confirmation of a spoken referral arrived (at `received_at`, default now).
    RecordWrittenConfirmation {
        received_at: Option<NaiveDateTime>,
    },
    /// A front door worker recommends next steps to the practice supervisor.
    Recommend {
        outcomes: Vec<Outcome>,
        reasons: String,
    },
    Decide(Box<DecideInput>),
    /// The referrer chases a missing decision or disagrees with the decision.
    Escalate {
        reason: String,
        ask_for_line_manager: bool,
    },
    AnswerEscalation {
        number: u32,
        answer: String,
        outcome: EscalationOutcome,
    },
    /// Child `child` (its index in the referral) is the person `person`, whose other
    /// referrals (not this one) were on `previous_referrals`.
    LinkChild {
        child: usize,
        person: PersonId,
        previous_referrals: Vec<NaiveDate>,
    },
    UnlinkChild {
        child: usize,
        reason: String,
    },
    RecordDisclosure(Box<DisclosureInput>),
    /// A practice supervisor opened a case for child `child` (issue 4).
    RecordCaseOpened {
        child: usize,
        case: crate::ids::CaseId,
    },
}

/// Why a command was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The role may not do this (HTTP 403; the app logs it).
    #[error("{} may not {action}", .role.label())]
    Forbidden { role: Role, action: &'static str },
    /// There is no referral yet (404).
    #[error("no referral has been received")]
    NotReceived,
    /// The referral is not in a state that allows this (409).
    #[error("{0}")]
    Conflict(String),
    /// Not yet: allowed from `allowed_from` under the rule (409).
    #[error("not yet: allowed from {allowed_from} ({rule_id})")]
    NotYet {
        allowed_from: NaiveDateTime,
        rule_id: String,
    },
    /// Fields are missing or wrong (422, naming each field).
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The decision departs from guidance that "should" be followed: it needs a reason
    /// (422 naming `override_reason`).
    #[error("a reason is needed to depart from the guidance: {}", .0.iter().map(|k| k.label()).collect::<Vec<_>>().join("; "))]
    OverrideReasonNeeded(Vec<OverrideKind>),
    /// The partnership profile lacks a national rule (a configuration error, 500).
    #[error("the partnership profile has no timescale rule \"{0}\"")]
    MissingRule(String),
}

impl Refusal {
    /// The HTTP status the API answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            Refusal::Forbidden { .. } => 403,
            Refusal::NotReceived => 404,
            Refusal::Conflict(_) | Refusal::NotYet { .. } => 409,
            Refusal::Invalid(_) | Refusal::OverrideReasonNeeded(_) => 422,
            Refusal::MissingRule(_) => 500,
        }
    }

    /// The field errors to show, if any (an override reason is a field too).
    pub fn field_errors(&self) -> Option<ValidationErrors> {
        match self {
            Refusal::Invalid(e) => Some(e.clone()),
            Refusal::OverrideReasonNeeded(kinds) => Some(ValidationErrors::single(
                "override_reason",
                format!(
                    "Give the reason for this decision: {}",
                    kinds
                        .iter()
                        .map(|k| k.label())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )),
            _ => None,
        }
    }
}

fn invalid(field: &str, message: impl Into<String>) -> Refusal {
    Refusal::Invalid(ValidationErrors::single(field, message))
}

fn forbidden(ctx: &DecisionContext, action: &'static str) -> Refusal {
    Refusal::Forbidden {
        role: ctx.actor.role,
        action,
    }
}

fn rule_due(ctx: &DecisionContext, id: &str, start: NaiveDateTime) -> Option<RuleDue> {
    ctx.profile.rule(id).map(|r| RuleDue {
        rule_id: r.id.clone(),
        due: r.due(start, ctx.calendar),
        strength: r.strength,
        citation: r.citation.clone(),
    })
}

fn required_rule_due(
    ctx: &DecisionContext,
    id: &str,
    start: NaiveDateTime,
) -> Result<RuleDue, Refusal> {
    rule_due(ctx, id, start).ok_or_else(|| Refusal::MissingRule(id.to_string()))
}

/// Turn a command into events, or refuse it. Pure: everything it needs is in the
/// arguments. An idempotent repeat of a `Receive` answers `Ok(vec![])`: nothing new
/// happened, and the referral is the one in `state`.
pub fn decide(
    state: &ReferralState,
    command: &ReferralCommand,
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    if let ReferralCommand::Receive {
        referral,
        details,
        channel,
        received_at,
        idempotency_key,
    } = command
    {
        return receive(
            state,
            *referral,
            details,
            *channel,
            *received_at,
            idempotency_key.as_deref(),
            ctx,
        );
    }
    check_role(command, ctx)?;
    let r = state.referral().ok_or(Refusal::NotReceived)?;
    if ctx.now < r.last_event_at {
        return Err(Refusal::Conflict(format!(
            "The time given ({}) is before the referral's latest entry ({}): entries are recorded in the order they happen",
            ctx.now.format("%Y-%m-%d %H:%M"),
            r.last_event_at.format("%Y-%m-%d %H:%M")
        )));
    }
    match command {
        ReferralCommand::Receive { .. } => unreachable!("handled above"),
        ReferralCommand::Acknowledge { method } => acknowledge(r, *method, ctx),
        ReferralCommand::RecordWrittenConfirmation { received_at } => {
            written_confirmation(r, *received_at, ctx)
        }
        ReferralCommand::Recommend { outcomes, reasons } => recommend(r, outcomes, reasons, ctx),
        ReferralCommand::Decide(input) => decide_next_steps(r, input, ctx),
        ReferralCommand::Escalate {
            reason,
            ask_for_line_manager,
        } => escalate(r, reason, *ask_for_line_manager, ctx),
        ReferralCommand::AnswerEscalation {
            number,
            answer,
            outcome,
        } => answer_escalation(r, *number, answer, *outcome, ctx),
        ReferralCommand::LinkChild {
            child,
            person,
            previous_referrals,
        } => link_child(r, *child, *person, previous_referrals, ctx),
        ReferralCommand::UnlinkChild { child, reason } => unlink_child(r, *child, reason, ctx),
        ReferralCommand::RecordCaseOpened { child, case } => {
            if !r.is_decided() {
                return Err(Refusal::Conflict(
                    "decide next steps before opening a case".into(),
                ));
            }
            if r.children.get(*child).and_then(|l| l.person).is_none() {
                return Err(Refusal::Conflict(
                    "link the child to their record before opening a case".into(),
                ));
            }
            if r.cases.iter().any(|(c, _)| c == child) {
                return Err(Refusal::Conflict(
                    "a case is already open for this child from this referral".into(),
                ));
            }
            Ok(vec![ReferralEvent::CaseOpened {
                child: *child,
                case: *case,
                at: ctx.now,
                by: ctx.actor,
            }])
        }
        ReferralCommand::RecordDisclosure(input) => {
            let number = r.disclosures.len() as u32 + 1;
            let d = input
                .check(&r.details.referrer, number, ctx.now, ctx.actor)
                .map_err(Refusal::Invalid)?;
            Ok(vec![ReferralEvent::DisclosureRecorded(Box::new(d))])
        }
    }
}

/// Who may do what (must-rules: refused with 403).
fn check_role(command: &ReferralCommand, ctx: &DecisionContext) -> Result<(), Refusal> {
    let role = ctx.actor.role;
    let staff = is_front_door_staff(role);
    match command {
        ReferralCommand::Receive { .. } => Ok(()),
        ReferralCommand::Acknowledge { .. } if !staff => {
            Err(forbidden(ctx, "acknowledge a referral"))
        }
        ReferralCommand::RecordWrittenConfirmation { .. } if !(staff || ctx.actor_is_referrer) => {
            Err(forbidden(
                ctx,
                "record the written confirmation of a referral",
            ))
        }
        // Issue 3: "a front-door worker may recommend".
        ReferralCommand::Recommend { .. }
            if !matches!(role, Role::FrontDoorWorker | Role::SocialWorker) =>
        {
            Err(forbidden(ctx, "recommend next steps on a referral"))
        }
        // WT2026 ¶167: "a social work qualified practice supervisor or manager should
        // decide next steps"; SET 2.4.22: a manager "must approve the decision".
        ReferralCommand::Decide(_) if role != Role::PracticeSupervisor => {
            Err(forbidden(ctx, "decide next steps on a referral"))
        }
        // WT2026 ¶165: the referrer follows up and escalates; front-door staff may record
        // it for a referrer who phones.
        ReferralCommand::Escalate { .. } if !(ctx.actor_is_referrer || staff) => Err(forbidden(
            ctx,
            "escalate a referral (only its referrer may)",
        )),
        // SET L586-L588: the referrer asks to speak to a line manager.
        ReferralCommand::AnswerEscalation { .. } if role != Role::PracticeSupervisor => {
            Err(forbidden(ctx, "answer a referrer's escalation"))
        }
        ReferralCommand::LinkChild { .. } | ReferralCommand::UnlinkChild { .. } if !staff => {
            Err(forbidden(ctx, "link a referred child to a record"))
        }
        // WT2026 ¶170: a practice supervisor allocates once a referral is accepted.
        ReferralCommand::RecordCaseOpened { .. } if role != Role::PracticeSupervisor => {
            Err(forbidden(ctx, "open a case from a referral"))
        }
        ReferralCommand::RecordDisclosure(_) if !staff => {
            Err(forbidden(ctx, "record information sharing for a referral"))
        }
        _ => Ok(()),
    }
}

fn check_idempotency_key(key: &str) -> Result<(), Refusal> {
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(invalid(
            "idempotency_key",
            "Idempotency-Key must be 1 to 200 visible ASCII characters",
        ));
    }
    Ok(())
}

fn receive(
    state: &ReferralState,
    referral: ReferralId,
    details: &ReferralDetails,
    channel: Channel,
    received_at: Option<NaiveDateTime>,
    key: Option<&str>,
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    let role = ctx.actor.role;
    let allowed = match channel {
        Channel::OnlineForm => role == Role::PartnerPractitioner,
        // A partner agency's system acts as a partner practitioner; the local
        // authority's own integration as a front door worker (docs/decisions.md).
        Channel::Api => matches!(role, Role::PartnerPractitioner | Role::FrontDoorWorker),
        Channel::Telephone | Channel::InPerson => is_front_door_staff(role),
    };
    if !allowed {
        return Err(forbidden(ctx, "record a referral through this channel"));
    }
    if let Some(k) = key {
        check_idempotency_key(k)?;
    }
    if let Some(existing) = state.referral() {
        if key.is_some() && existing.idempotency_key.as_deref() == key {
            if existing.details == *details && existing.channel == channel {
                return Ok(Vec::new());
            }
            return Err(Refusal::Conflict(
                "This Idempotency-Key was already used for a different referral".into(),
            ));
        }
        return Err(Refusal::Conflict(
            "This referral has already been received".into(),
        ));
    }
    let mut e = ValidationErrors::new();
    if channel.is_written() && !details.referrer.is_professional() {
        e.add(
            "referrer.kind",
            "A member of the public's concern is recorded by the front door, by telephone or in person",
        );
    }
    if details.children.is_empty() {
        e.add(
            "children",
            "Add the child or children you are worried about",
        );
    }
    // A written request for help carries the early help assessment, or says why not,
    // where the partnership asks (NSCP §4.2 L670-L675; issue 16).
    if let Some(cite) = &ctx
        .profile
        .referral
        .written_request_carries_early_help_assessment
    {
        if channel.is_written()
            && !details.is_urgent()
            && details.prior_assessment.is_none()
            && details.no_prior_assessment_reason.is_none()
        {
            e.add(
                "prior_assessment.kind",
                format!("Choose the early help assessment that comes with this referral and say what it found, or say why there is none ({cite})"),
            );
        }
    }
    for (i, c) in details.children.iter().enumerate() {
        if c.mother.is_some_and(|m| m >= details.family.len()) {
            e.add(
                format!("children[{i}].mother"),
                "Select the mother from the family members listed",
            );
        }
    }
    let received_at = match received_at {
        None => ctx.now,
        Some(t) if t > ctx.now => {
            e.add(
                "received_at",
                "The time of the contact must not be in the future",
            );
            ctx.now
        }
        Some(t) if channel.is_written() && t != ctx.now => {
            e.add(
                "received_at",
                "Only a telephone or in-person contact is recorded after it happened",
            );
            ctx.now
        }
        Some(t) => t,
    };
    e.into_result().map_err(Refusal::Invalid)?;

    let acknowledgement = required_rule_due(ctx, "referral-acknowledgement", received_at)?;
    // Immediate risk or suspected significant harm: decided the same day (issue 16;
    // WT2026 ¶164, ¶168), by the profile's `referral-decision-urgent`.
    let urgent = details.immediate_risk || details.significant_harm;
    let decision = if urgent {
        required_rule_due(ctx, "referral-decision-urgent", received_at)?
    } else {
        required_rule_due(ctx, "referral-decision", received_at)?
    };
    // SET L575-L577 (48 hours), NSCP §5.1 L755-L757 (24 hours): a professional confirms a
    // spoken referral in writing. A member of the public is not asked to.
    let written_confirmation = if channel.is_verbal() && details.referrer.is_professional() {
        rule_due(ctx, "referral-written-confirmation", received_at)
    } else {
        None
    };
    let referrer_follow_up = rule_due(ctx, "referrer-follow-up", received_at);
    let auto_ack = channel.is_written().then(|| Acknowledgement {
        at: received_at,
        by: ctx.actor,
        method: AcknowledgementMethod::Automatic,
        on_time: acknowledgement.due.is_met_by(received_at),
    });
    let mut events = vec![ReferralEvent::ReferralReceived(Box::new(Received {
        referral,
        details: details.clone(),
        channel,
        received_at,
        by: ctx.actor,
        idempotency_key: key.map(str::to_string),
        due: ReferralDue {
            acknowledgement,
            decision,
            written_confirmation,
            referrer_follow_up,
            profile_version: ctx.profile.version_tag(),
            calendar: ctx.calendar.fingerprint(),
        },
    }))];
    // Written referrals are acknowledged on receipt (WT2026 ¶167; the API answers with
    // the acknowledgement, issue 3).
    if let Some(a) = auto_ack {
        events.push(ReferralEvent::ReferralAcknowledged(a));
    }
    Ok(events)
}

fn acknowledge(
    r: &Referral,
    method: AcknowledgementMethod,
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    if r.acknowledgement.is_some() {
        return Err(Refusal::Conflict(
            "This referral has already been acknowledged".into(),
        ));
    }
    if method == AcknowledgementMethod::Automatic {
        return Err(invalid(
            "method",
            "Say how the referrer was told: during the contact, by email, telephone or letter",
        ));
    }
    if !r.details.referrer.has_contact_details() && method != AcknowledgementMethod::DuringContact {
        return Err(invalid(
            "method",
            "This referrer left no contact details: the referral can only be acknowledged during the contact",
        ));
    }
    Ok(vec![ReferralEvent::ReferralAcknowledged(Acknowledgement {
        at: ctx.now,
        by: ctx.actor,
        method,
        on_time: r.due.acknowledgement.due.is_met_by(ctx.now),
    })])
}

fn written_confirmation(
    r: &Referral,
    received_at: Option<NaiveDateTime>,
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    let due = match (&r.written_confirmation, &r.due.written_confirmation) {
        (WrittenConfirmation::Pending, Some(d)) => d,
        (WrittenConfirmation::Received { .. }, _) => {
            return Err(Refusal::Conflict(
                "The written confirmation has already been recorded".into(),
            ))
        }
        _ => {
            return Err(Refusal::Conflict(
                "No written confirmation is awaited for this referral".into(),
            ))
        }
    };
    let at = received_at.unwrap_or(ctx.now);
    if at > ctx.now || at < r.received_at {
        return Err(invalid(
            "received_at",
            "The written confirmation arrives after the referral and not in the future",
        ));
    }
    Ok(vec![ReferralEvent::WrittenConfirmationReceived {
        at,
        by: ctx.actor,
        on_time: due.due.is_met_by(at),
    }])
}

/// Sorted, without repeats; refuses none, and no further action with anything else.
fn normalise_outcomes(outcomes: &[Outcome], e: &mut ValidationErrors) -> Vec<Outcome> {
    let mut o = outcomes.to_vec();
    o.sort();
    o.dedup();
    if o.is_empty() {
        e.add("outcomes", "Select at least one next step");
    } else if o.len() > 1 && o.contains(&Outcome::NoFurtherAction) {
        e.add(
            "outcomes",
            "No further action cannot be combined with other next steps",
        );
    }
    o
}

fn recommend(
    r: &Referral,
    outcomes: &[Outcome],
    reasons: &str,
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    if r.is_decided() {
        return Err(Refusal::Conflict(
            "This referral has been decided: a recommendation is no longer needed".into(),
        ));
    }
    let mut e = ValidationErrors::new();
    let outcomes = normalise_outcomes(outcomes, &mut e);
    let reasons = e.take("reasons", parse_text("reasons", reasons, MAX_REASON));
    e.into_result().map_err(Refusal::Invalid)?;
    Ok(vec![ReferralEvent::RecommendationMade(Recommendation {
        at: ctx.now,
        by: ctx.actor,
        outcomes,
        reasons: reasons.unwrap_or_default(),
    })])
}

fn opt_text(
    e: &mut ValidationErrors,
    field: &str,
    label: &str,
    s: &Option<String>,
    max: usize,
) -> Option<String> {
    match s.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => e.take(field, parse_text(label, t, max)),
    }
}

fn decide_next_steps(
    r: &Referral,
    input: &DecideInput,
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    let mut e = ValidationErrors::new();
    let revision_reason = opt_text(
        &mut e,
        "revision_reason",
        "reason for revising the decision",
        &input.revision_reason,
        MAX_REASON,
    );
    // A decision stands until a supervisor revises it with a reason; the revision
    // records what it supersedes (docs/decisions.md).
    match (r.is_decided(), &revision_reason) {
        (true, None) if e.is_empty() => {
            return Err(Refusal::Conflict(
                "This referral has already been decided. To revise the decision, give the reason"
                    .into(),
            ))
        }
        (false, Some(_)) => e.add("revision_reason", "There is no decision to revise yet"),
        _ => {}
    }
    let outcomes = normalise_outcomes(&input.outcomes, &mut e);
    let reasons = e.take(
        "reasons",
        parse_text("reasons for the decision", &input.reasons, MAX_REASON),
    );
    let mut signposting = input.signposting.clone();
    signposting.sort();
    signposting.dedup();
    let signposting_note = opt_text(
        &mut e,
        "signposting_note",
        "suggestions for other support",
        &input.signposting_note,
        MAX_SHORT,
    );
    let override_reason = opt_text(
        &mut e,
        "override_reason",
        "reason",
        &input.override_reason,
        MAX_REASON,
    );
    let today = ctx.now.date();
    for (field, date) in [
        ("strategy_by", input.strategy_by),
        ("see_child_by", input.see_child_by),
    ] {
        if date.is_some_and(|d| d < today) {
            e.add(field, "The planned date must be today or later");
        }
    }
    let work = next_work(r, &outcomes, input, ctx, &mut e)?;
    e.into_result().map_err(Refusal::Invalid)?;
    let reasons = reasons.unwrap_or_default();

    // Should-rules: go ahead only with a recorded reason (WT2026 ¶6; principle 3).
    let level = Decision::level_of(&outcomes, &signposting);
    let nfa = outcomes == [Outcome::NoFurtherAction];
    let mut needed = Vec::new();
    if ctx.strategy_discussion_required
        && !outcomes.iter().any(|o| o.leads_to_strategy_discussion())
    {
        needed.push(OverrideKind::NoStrategyDiscussion);
    }
    if let Some(s) = ctx.suggested_level {
        if level < s {
            needed.push(OverrideKind::BelowSuggestedLevel {
                suggested: s,
                decided: level,
            });
        }
    }
    if nfa && signposting.is_empty() {
        needed.push(OverrideKind::NoSignposting);
    }
    if nfa && r.is_urgent() {
        needed.push(OverrideKind::UrgentNoFurtherAction);
    }
    let overrides = match (&override_reason, needed.is_empty()) {
        (_, true) => Vec::new(),
        (None, false) => return Err(Refusal::OverrideReasonNeeded(needed)),
        (Some(reason), false) => needed
            .into_iter()
            .map(|kind| Override {
                citation: kind.citation().to_string(),
                kind,
                reason: reason.clone(),
            })
            .collect(),
    };

    let number = r.decisions.len() as u32 + 1;
    let decision = Decision {
        number,
        decided_at: ctx.now,
        decided_by: ctx.actor,
        outcomes: outcomes.clone(),
        level,
        signposting: signposting.clone(),
        signposting_note: signposting_note.clone(),
        threshold: ThresholdInput {
            suggested_level: ctx.suggested_level,
            strategy_discussion_required: ctx.strategy_discussion_required,
        },
        overrides,
        next_work: work,
        feedback: Feedback {
            outcomes,
            threshold_not_met_reasons: nfa.then(|| reasons.clone()),
            suggestions: signposting,
            suggestions_note: signposting_note,
            confidential: !r.details.referrer.is_professional(),
        },
        reasons,
        // A revision keeps the original clock: the referral was decided when it was first decided.
        on_time: r
            .decisions
            .first()
            .map(|d| d.on_time)
            .unwrap_or_else(|| r.due.decision.due.is_met_by(ctx.now)),
        supersedes: r.is_decided().then_some(number - 1),
        revision_reason: if r.is_decided() {
            revision_reason
        } else {
            None
        },
        profile_version: ctx.profile.version_tag(),
        calendar: ctx.calendar.fingerprint(),
    };
    Ok(vec![ReferralEvent::ReferralDecided(Box::new(decision))])
}

/// The work items the decision creates, with due dates from the profile's rules.
fn next_work(
    r: &Referral,
    outcomes: &[Outcome],
    input: &DecideInput,
    ctx: &DecisionContext,
    e: &mut ValidationErrors,
) -> Result<Vec<WorkItem>, Refusal> {
    let children: Vec<ChildRef> = r
        .children
        .iter()
        .enumerate()
        .map(|(index, l)| ChildRef {
            index,
            person: l.person,
        })
        .collect();
    let today = ctx.now.date();
    let item = |kind, due, rule_id: Option<String>, citation: &str| WorkItem {
        kind,
        children: children.clone(),
        due,
        rule_id,
        citation: citation.to_string(),
        planned_for: None,
        note: None,
    };
    let mut out = Vec::new();
    for o in outcomes {
        match o {
            Outcome::NoFurtherAction => {}
            // ¶168: "as soon as possible": due today. The strategy discussion that follows
            // emergency action is created when the action is recorded (its clock starts then:
            // SET L2074-L2075).
            Outcome::ImmediateProtection => out.push(item(
                WorkKind::ImmediateProtection,
                Due::Date(today),
                None,
                "WT2026 ¶168; ch.3 s4 'Immediate protection' (003 L1645)",
            )),
            Outcome::StrategyDiscussion => {
                let urgency = input.strategy_urgency;
                match ctx.profile.rule(urgency.rule_id()) {
                    Some(rule) => {
                        // Every strategy clock runs from the referral: a referral's child
                        // protection concerns are identified when it is received, not when
                        // the supervisor decides (SET 002 L2059-L2061, L2588-L2596: "from
                        // when local authority children's social care receive a referral
                        // or identify a concern"). Issue 16.
                        let mut w = item(
                            WorkKind::StrategyDiscussion,
                            rule.due(r.received_at, ctx.calendar),
                            Some(rule.id.clone()),
                            &rule.citation,
                        );
                        w.planned_for = input.strategy_by;
                        out.push(w);
                    }
                    // No rule (the national profile: WT2026 sets no number): the supervisor
                    // sets the date by the child's needs (¶166).
                    None => match input.strategy_by {
                        Some(d) => {
                            let mut w = item(
                                WorkKind::StrategyDiscussion,
                                Due::Date(d),
                                None,
                                "WT2026 ¶166; ch.3 s4 'Strategy discussion' (003 L1669)",
                            );
                            w.planned_for = Some(d);
                            out.push(w);
                        }
                        None => e.add(
                            "strategy_by",
                            "This partnership sets no timescale for this strategy discussion: give the date it will be held by",
                        ),
                    },
                }
            }
            // ¶169: 45 working days "from the point of referral", not from the decision.
            Outcome::ChildInNeedAssessment => {
                let due = required_rule_due(ctx, "assessment", r.received_at)?;
                out.push(item(
                    WorkKind::Assessment,
                    due.due,
                    Some(due.rule_id),
                    &due.citation,
                ));
            }
            Outcome::ImmediateServices => {
                let note = opt_text(
                    e,
                    "services",
                    "immediate services",
                    &input.services,
                    MAX_SHORT,
                );
                if note.is_none()
                    && input
                        .services
                        .as_deref()
                        .is_none_or(|s| s.trim().is_empty())
                {
                    e.add("services", "Say which immediate services are needed");
                }
                let mut w = item(
                    WorkKind::ImmediateServices,
                    Due::Date(today),
                    None,
                    "WT2026 ¶167 ('any immediate services are required urgently')",
                );
                w.note = note;
                out.push(w);
            }
            // The specialist assessment informs the decision the assessment reaches, so it
            // runs to the same 45 working days from referral (¶167, ¶169).
            Outcome::SpecialistAssessment => {
                let note = opt_text(
                    e,
                    "specialist_assessment",
                    "specialist assessment",
                    &input.specialist_assessment,
                    MAX_SHORT,
                );
                if note.is_none()
                    && input
                        .specialist_assessment
                        .as_deref()
                        .is_none_or(|s| s.trim().is_empty())
                {
                    e.add(
                        "specialist_assessment",
                        "Say which specialist assessment is needed",
                    );
                }
                let due = required_rule_due(ctx, "assessment", r.received_at)?;
                let mut w = item(
                    WorkKind::SpecialistAssessment,
                    due.due,
                    Some(due.rule_id),
                    &due.citation,
                );
                w.note = note;
                out.push(w);
            }
            // ¶167: "to see the child as soon as possible": the supervisor plans the date.
            Outcome::SeeChild => match input.see_child_by {
                Some(d) => {
                    let mut w = item(
                        WorkKind::SeeChild,
                        Due::Date(d),
                        None,
                        "WT2026 ¶167 ('to see the child as soon as possible')",
                    );
                    w.planned_for = Some(d);
                    out.push(w);
                }
                None => e.add(
                    "see_child_by",
                    "Give the date by which the child will be seen",
                ),
            },
        }
    }
    Ok(out)
}

fn escalate(
    r: &Referral,
    reason: &str,
    ask_for_line_manager: bool,
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    if r.open_escalation().is_some() {
        return Err(Refusal::Conflict(
            "The referrer's earlier escalation has not been answered yet".into(),
        ));
    }
    let reason = parse_text("reason", reason, MAX_REASON).map_err(|m| invalid("reason", m))?;
    let kind = if r.is_decided() {
        // WT2026 ¶165; SET L590-L595: dissatisfied with the decision.
        EscalationKind::Disagreement
    } else {
        // SET L586-L588: no decision within three working days.
        let from = r.may_chase_from();
        if ctx.now < from {
            let rule_id = r
                .due
                .referrer_follow_up
                .as_ref()
                .unwrap_or(&r.due.decision)
                .rule_id
                .clone();
            return Err(Refusal::NotYet {
                allowed_from: from,
                rule_id,
            });
        }
        EscalationKind::Chase
    };
    Ok(vec![ReferralEvent::EscalationRaised(Escalation {
        number: r.escalations.len() as u32 + 1,
        kind,
        raised_at: ctx.now,
        raised_by: ctx.actor,
        recorded_for_referrer: !ctx.actor_is_referrer,
        reason,
        ask_for_line_manager,
        answer: None,
    })])
}

fn answer_escalation(
    r: &Referral,
    number: u32,
    answer: &str,
    outcome: EscalationOutcome,
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    match r.escalations.iter().find(|x| x.number == number) {
        None => return Err(invalid("number", "There is no such escalation")),
        Some(x) if x.answer.is_some() => {
            return Err(Refusal::Conflict(
                "This escalation has already been answered".into(),
            ))
        }
        Some(_) => {}
    }
    let answer = parse_text("answer", answer, MAX_REASON).map_err(|m| invalid("answer", m))?;
    Ok(vec![ReferralEvent::EscalationAnswered {
        number,
        answer: EscalationAnswer {
            at: ctx.now,
            by: ctx.actor,
            answer,
            outcome,
        },
    }])
}

fn link_child(
    r: &Referral,
    child: usize,
    person: PersonId,
    previous: &[NaiveDate],
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    let Some(link) = r.children.get(child) else {
        return Err(invalid("child", "There is no such child in this referral"));
    };
    match link.person {
        Some(p) if p == person => {
            return Err(Refusal::Conflict(
                "This child is already linked to that record".into(),
            ))
        }
        Some(_) => {
            return Err(Refusal::Conflict(
                "This child is linked to another record: unlink it first".into(),
            ))
        }
        None => {}
    }
    if r.children.iter().any(|l| l.person == Some(person)) {
        return Err(invalid(
            "person",
            "That record is already linked to another child in this referral",
        ));
    }
    Ok(vec![ReferralEvent::ChildLinked {
        child,
        person,
        at: ctx.now,
        by: ctx.actor,
        repeat_of: repeat_of(r.received_at.date(), previous),
    }])
}

fn unlink_child(
    r: &Referral,
    child: usize,
    reason: &str,
    ctx: &DecisionContext,
) -> Result<Vec<ReferralEvent>, Refusal> {
    match r.children.get(child) {
        None => return Err(invalid("child", "There is no such child in this referral")),
        Some(l) if l.person.is_none() => {
            return Err(Refusal::Conflict(
                "This child is not linked to a record".into(),
            ))
        }
        Some(_) => {}
    }
    let reason = parse_text("reason", reason, MAX_SHORT).map_err(|m| invalid("reason", m))?;
    Ok(vec![ReferralEvent::ChildUnlinked {
        child,
        at: ctx.now,
        by: ctx.actor,
        reason,
    }])
}

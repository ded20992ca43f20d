//! The referral as a process of the kernel (issue 15). A referral keeps its own table
//! (the front door's lists and the census read it), but it is decided, applied, owes
//! work and names its subjects through the same trait as every process.

use super::decide::{decide, DecisionContext, ReferralCommand, Refusal as ReferralRefusal};
use super::is_front_door_staff;
use super::state::{apply, ReferralEvent, ReferralState};
use super::tray::work_items;
use crate::access::{Relationship, Standing};
use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::process::{Context, Process, Refusal, Subject, WorkItem};
use crate::profile::Profile;
use crate::role::Role;
use chrono::NaiveDateTime;

/// The referral process: from receipt to the decision on next steps and any
/// escalation (WT2026 ¶163–¶168).
pub struct ReferralProcess;

/// A command to a referral with the facts the app knows beside its log: whether the
/// actor made the referral, and what the threshold model suggests.
#[derive(Clone, Debug)]
pub struct ReferralRequest {
    pub command: ReferralCommand,
    pub actor_is_referrer: bool,
    pub suggested_level: Option<u8>,
    pub strategy_discussion_required: bool,
}

impl ReferralRequest {
    /// A command with no threshold facts, by someone other than the referrer.
    pub fn new(command: ReferralCommand) -> ReferralRequest {
        ReferralRequest {
            command,
            actor_is_referrer: false,
            suggested_level: None,
            strategy_discussion_required: false,
        }
    }
}

/// The referral's refusals as the kernel's: "not yet" and a missing reason for a
/// departure from the guidance keep their words and their field.
impl From<ReferralRefusal> for Refusal {
    fn from(r: ReferralRefusal) -> Refusal {
        match r {
            ReferralRefusal::Forbidden { role, action } => Refusal::Forbidden { role, action },
            ReferralRefusal::NotReceived => Refusal::NotFound(r.to_string()),
            ReferralRefusal::Conflict(m) => Refusal::Conflict(m),
            ReferralRefusal::NotYet { .. } | ReferralRefusal::MissingRule(_) => {
                Refusal::Conflict(r.to_string())
            }
            ReferralRefusal::Invalid(_) | ReferralRefusal::OverrideReasonNeeded(_) => {
                Refusal::Invalid(r.field_errors().unwrap_or_default())
            }
        }
    }
}

impl Process for ReferralProcess {
    const KIND: &'static str = "referral";
    type State = ReferralState;
    type Command = ReferralRequest;
    type Event = ReferralEvent;

    fn decide(
        state: &ReferralState,
        request: ReferralRequest,
        ctx: &Context,
    ) -> Result<Vec<ReferralEvent>, Refusal> {
        let ctx = DecisionContext {
            now: ctx.now,
            actor: ctx.actor,
            actor_is_referrer: request.actor_is_referrer,
            profile: ctx.profile,
            calendar: ctx.calendar,
            suggested_level: request.suggested_level,
            strategy_discussion_required: request.strategy_discussion_required,
        };
        decide(state, &request.command, &ctx).map_err(Refusal::from)
    }

    fn apply(state: ReferralState, event: &ReferralEvent) -> ReferralState {
        apply(state, event)
    }

    /// The front door holds referrals (WT2026 ¶167); anyone who refers is a
    /// contributor who sees the outcome of their own (¶165).
    fn standing(role: Role) -> Standing {
        if is_front_door_staff(role) {
            Standing::Holder
        } else if role == Role::PartnerPractitioner {
            Standing::Contributor
        } else {
            Standing::None
        }
    }

    fn relationships(state: &ReferralState, user: UserId) -> Vec<Relationship> {
        match state.referral() {
            Some(r) if r.received_by.user == user => vec![Relationship::Referrer],
            _ => Vec::new(),
        }
    }

    fn is_started(state: &ReferralState) -> bool {
        state.referral().is_some()
    }

    fn event_type(event: &ReferralEvent) -> &'static str {
        event.type_id()
    }

    fn title(event: &ReferralEvent) -> String {
        event.title()
    }

    fn effective_at(event: &ReferralEvent) -> NaiveDateTime {
        event.at()
    }

    fn work(
        _id: uuid::Uuid,
        state: &ReferralState,
        profile: &Profile,
        calendar: &Calendar,
    ) -> Vec<WorkItem> {
        state
            .referral()
            .map(|r| work_items(r, profile, calendar))
            .unwrap_or_default()
    }

    /// The children linked to records (a child not yet identified is no subject yet).
    fn subjects(state: &ReferralState) -> Vec<Subject> {
        state
            .referral()
            .map(|r| {
                r.children
                    .iter()
                    .filter_map(|c| c.person.map(Subject::child))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn stage(state: &ReferralState) -> String {
        state
            .referral()
            .and_then(|r| serde_json::to_value(r.stage()).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "not-received".into())
    }

    /// How many children and how it came; no names (this may be logged).
    fn summary(state: &ReferralState) -> String {
        state
            .referral()
            .map(|r| {
                let n = r.details.children.len();
                format!(
                    "{n} {} ({})",
                    if n == 1 { "child" } else { "children" },
                    r.channel.label()
                )
            })
            .unwrap_or_default()
    }
}

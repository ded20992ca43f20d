//! The referral's events and its state, and [`apply`].
//!
//! A referral moves Received → Acknowledged → Recommended (optional) → Decided →
//! (Escalated → EscalationAnswered)*; alongside that it tracks written confirmation of a
//! spoken professional referral, which children have been linked to records, and every
//! disclosure during checks. The stage is derived from these facts ([`Referral::stage`]),
//! because acknowledgement, recommendation, a chase and the decision do not always
//! happen in that order.

use super::details::{Channel, ReferralDetails};
use super::sharing::{Direction, Disclosure};
use super::work::{Outcome, Signpost, WorkItem};
use super::{Actor, ReferralId};
use crate::ids::PersonId;
use crate::role::Role;
use crate::timescale::{Due, Strength};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// A due date computed from a profile rule when the clock started, kept with the rule
/// id and citation so it can be shown and recomputed at audit (design principle 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDue {
    pub rule_id: String,
    pub due: Due,
    pub strength: Strength,
    pub citation: String,
}

/// The clocks a referral starts on receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralDue {
    /// `referral-acknowledgement` (WT2026 ¶167).
    pub acknowledgement: RuleDue,
    /// `referral-decision` (WT2026 ¶167).
    pub decision: RuleDue,
    /// `referral-written-confirmation`, for a spoken referral by a professional where the
    /// profile has the rule (SET 48 hours, NSCP 24 hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_confirmation: Option<RuleDue>,
    /// `referrer-follow-up`: from when the referrer may chase a missing decision (SET 3 WD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer_follow_up: Option<RuleDue>,
    /// e.g. "set@2026.1".
    pub profile_version: String,
    /// [`crate::calendar::Calendar::fingerprint`].
    pub calendar: String,
}

/// The referral as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Received {
    pub referral: ReferralId,
    pub details: ReferralDetails,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    pub by: Actor,
    /// The API client's idempotency key, if it sent one (scoped to its agency by the app).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    pub due: ReferralDue,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AcknowledgementMethod {
    /// Sent by Together on receipt of a written referral (online form, API).
    Automatic,
    /// Told to the referrer during the call or visit.
    DuringContact,
    Email,
    Telephone,
    Letter,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    pub at: NaiveDateTime,
    pub by: Actor,
    pub method: AcknowledgementMethod,
    pub on_time: bool,
}

/// Written confirmation of a spoken referral by a professional (SET L575–L577, NSCP
/// §5.1 L755–L757).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case", deny_unknown_fields)]
pub enum WrittenConfirmation {
    /// A written referral, a member of the public, or no such rule in the profile.
    NotRequired,
    Pending,
    Received {
        at: NaiveDateTime,
        on_time: bool,
    },
}

/// A front door worker's recommendation to the practice supervisor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    pub at: NaiveDateTime,
    pub by: Actor,
    pub outcomes: Vec<Outcome>,
    pub reasons: String,
}

/// A "should" rule the decision departs from (design principle 3; WT2026 ¶6).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum OverrideKind {
    /// The response is below the level the threshold model suggested.
    BelowSuggestedLevel { suggested: u8, decided: u8 },
    /// A section 47 indicator was ticked but no strategy discussion follows.
    NoStrategyDiscussion,
    /// No further action without suggesting other support.
    NoSignposting,
    /// No further action on a referral about immediate risk or suspected significant
    /// harm (issue 16).
    UrgentNoFurtherAction,
}

impl OverrideKind {
    pub fn citation(&self) -> &'static str {
        match self {
            OverrideKind::BelowSuggestedLevel { .. } => {
                "WT2026 ¶6, ¶166-¶167 (professional judgement); NSCP §3 (levels of need)"
            }
            OverrideKind::NoStrategyDiscussion => {
                "WT2026 ¶167; ch.3 s4 'Strategy discussion' (003 L1669); NSCP Appendix 1 ('S47 strategy discussion required')"
            }
            OverrideKind::NoSignposting => "WT2026 ¶165; SET 2.4.25",
            OverrideKind::UrgentNoFurtherAction => "WT2026 ¶164, ¶168",
        }
    }
    pub fn label(&self) -> String {
        match self {
            OverrideKind::BelowSuggestedLevel { suggested, decided } => {
                format!("Response at level {decided}, below the suggested level {suggested}")
            }
            OverrideKind::NoStrategyDiscussion => {
                "No strategy discussion although a section 47 indicator was selected".into()
            }
            OverrideKind::NoSignposting => {
                "No further action without suggesting other support".into()
            }
            OverrideKind::UrgentNoFurtherAction => {
                "No further action on a referral about immediate risk or suspected significant harm"
                    .into()
            }
        }
    }
}

/// An override and its reason, shown in performance reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub kind: OverrideKind,
    pub reason: String,
    pub citation: String,
}

/// The threshold model's suggestion the decision was made against (from the
/// `threshold` module, passed in as plain values).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_level: Option<u8>,
    pub strategy_discussion_required: bool,
}

/// What the referrer is told (WT2026 ¶165): the decision and, where the case does not
/// meet the threshold for statutory services, the reasons and other support.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    pub outcomes: Vec<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_not_met_reasons: Option<String>,
    pub suggestions: Vec<Signpost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestions_note: Option<String>,
    /// A member of the public: feedback "must be consistent with the rights to
    /// confidentiality of the child and their family" (SET 2.4.26).
    pub confidential: bool,
}

/// The practice supervisor's decision on next steps (WT2026 ¶167).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// 1 for the first decision; a revision has the next number.
    pub number: u32,
    pub decided_at: NaiveDateTime,
    pub decided_by: Actor,
    pub outcomes: Vec<Outcome>,
    /// The level of need the response meets ([`Outcome::level`], [`Signpost::level`]).
    pub level: u8,
    pub reasons: String,
    pub signposting: Vec<Signpost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signposting_note: Option<String>,
    pub threshold: ThresholdInput,
    pub overrides: Vec<Override>,
    pub next_work: Vec<WorkItem>,
    pub feedback: Feedback,
    /// Made by the `referral-decision` due date (a revision keeps the original clock).
    pub on_time: bool,
    /// The decision this one replaces, with the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_reason: Option<String>,
    pub profile_version: String,
    pub calendar: String,
}

impl Decision {
    /// The level the outcomes and signposting meet.
    pub fn level_of(outcomes: &[Outcome], signposting: &[Signpost]) -> u8 {
        outcomes
            .iter()
            .map(|o| o.level())
            .chain(signposting.iter().map(|s| s.level()))
            .max()
            .unwrap_or(1)
    }
    pub fn is_no_further_action(&self) -> bool {
        self.outcomes == [Outcome::NoFurtherAction]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EscalationKind {
    /// No decision yet: the referrer contacts children's social care again and may ask
    /// for a line manager (SET L584–L588).
    Chase,
    /// The referrer disagrees with the decision (WT2026 ¶165; SET L590–L595).
    Disagreement,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EscalationOutcome {
    /// Progress or the decision was explained to the referrer.
    Explained,
    /// The decision will be revised (a new decision follows).
    DecisionToBeRevised,
    /// Not resolved: the professional disagreement procedure applies (SET Part B ch.11;
    /// NSCP Conflict Resolution Procedure).
    ProfessionalDisagreementProcedure,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationAnswer {
    pub at: NaiveDateTime,
    pub by: Actor,
    pub answer: String,
    pub outcome: EscalationOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// 1, 2, 3... within the referral.
    pub number: u32,
    pub kind: EscalationKind,
    pub raised_at: NaiveDateTime,
    pub raised_by: Actor,
    /// Recorded by front-door staff for a referrer who phoned, rather than by the
    /// referrer themselves.
    pub recorded_for_referrer: bool,
    pub reason: String,
    pub ask_for_line_manager: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<EscalationAnswer>,
}

/// Whether a child of the referral has been matched to a record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildLink {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonId>,
    /// The date of the previous referral of this child within 12 months, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of: Option<NaiveDate>,
}

/// Everything that can happen to a referral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    content = "data",
    rename_all = "kebab-case",
    deny_unknown_fields
)]
pub enum ReferralEvent {
    ReferralReceived(Box<Received>),
    ReferralAcknowledged(Acknowledgement),
    WrittenConfirmationReceived {
        at: NaiveDateTime,
        by: Actor,
        on_time: bool,
    },
    RecommendationMade(Recommendation),
    ReferralDecided(Box<Decision>),
    EscalationRaised(Escalation),
    EscalationAnswered {
        number: u32,
        answer: EscalationAnswer,
    },
    ChildLinked {
        child: usize,
        person: PersonId,
        at: NaiveDateTime,
        by: Actor,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        repeat_of: Option<NaiveDate>,
    },
    ChildUnlinked {
        child: usize,
        at: NaiveDateTime,
        by: Actor,
        reason: String,
    },
    DisclosureRecorded(Box<Disclosure>),
    /// A case opened for child `child` after the decision (issue 4): the decision's
    /// next work for that child moves to the case. Stored as
    /// "case-opened-from-referral" (its type id), which the tag must match to read back.
    #[serde(rename = "case-opened-from-referral", alias = "case-opened")]
    CaseOpened {
        child: usize,
        case: crate::ids::CaseId,
        at: NaiveDateTime,
        by: Actor,
    },
}

impl ReferralEvent {
    /// The stable type id stored beside the payload.
    pub fn type_id(&self) -> &'static str {
        match self {
            ReferralEvent::ReferralReceived(_) => "referral-received",
            ReferralEvent::ReferralAcknowledged(_) => "referral-acknowledged",
            ReferralEvent::WrittenConfirmationReceived { .. } => "written-confirmation-received",
            ReferralEvent::RecommendationMade(_) => "recommendation-made",
            ReferralEvent::ReferralDecided(_) => "referral-decided",
            ReferralEvent::EscalationRaised(_) => "escalation-raised",
            ReferralEvent::EscalationAnswered { .. } => "escalation-answered",
            ReferralEvent::ChildLinked { .. } => "child-linked",
            ReferralEvent::ChildUnlinked { .. } => "child-unlinked",
            ReferralEvent::DisclosureRecorded(_) => "disclosure-recorded",
            ReferralEvent::CaseOpened { .. } => "case-opened-from-referral",
        }
    }

    /// When it happened (for a referral received, the time of the contact).
    pub fn at(&self) -> NaiveDateTime {
        match self {
            ReferralEvent::ReferralReceived(r) => r.received_at,
            ReferralEvent::ReferralAcknowledged(a) => a.at,
            ReferralEvent::WrittenConfirmationReceived { at, .. } => *at,
            ReferralEvent::RecommendationMade(r) => r.at,
            ReferralEvent::ReferralDecided(d) => d.decided_at,
            ReferralEvent::EscalationRaised(x) => x.raised_at,
            ReferralEvent::EscalationAnswered { answer, .. } => answer.at,
            ReferralEvent::ChildLinked { at, .. } | ReferralEvent::ChildUnlinked { at, .. } => *at,
            ReferralEvent::DisclosureRecorded(d) => d.at,
            ReferralEvent::CaseOpened { at, .. } => *at,
        }
    }

    /// Words a practitioner sees in the referral's history.
    pub fn title(&self) -> String {
        match self {
            ReferralEvent::ReferralReceived(r) => {
                format!("Referral received ({})", r.channel.label())
            }
            ReferralEvent::ReferralAcknowledged(_) => "Referral acknowledged".into(),
            ReferralEvent::WrittenConfirmationReceived { .. } => {
                "Written confirmation received".into()
            }
            ReferralEvent::RecommendationMade(_) => "Recommendation made".into(),
            ReferralEvent::ReferralDecided(d) if d.supersedes.is_some() => {
                "Decision revised".into()
            }
            ReferralEvent::ReferralDecided(_) => "Decision on next steps".into(),
            ReferralEvent::EscalationRaised(e) => match e.kind {
                EscalationKind::Chase => "Referrer chased the decision".into(),
                EscalationKind::Disagreement => "Referrer escalated the decision".into(),
            },
            ReferralEvent::EscalationAnswered { .. } => "Escalation answered".into(),
            ReferralEvent::ChildLinked { .. } => "Child linked to a record".into(),
            ReferralEvent::ChildUnlinked { .. } => "Child unlinked from a record".into(),
            ReferralEvent::DisclosureRecorded(d) => match d.direction {
                Direction::SharedWith => format!("Information shared with {}", d.agency_name),
                Direction::ReceivedFrom => format!("Information received from {}", d.agency_name),
            },
            ReferralEvent::CaseOpened { .. } => "Case opened for a child".into(),
        }
    }

    /// The payload as stored: the `data` part as JSON text.
    pub fn payload_json(&self) -> String {
        let v = serde_json::to_value(self).expect("referral events serialise");
        let data = v.get("data").cloned().unwrap_or(serde_json::Value::Null);
        serde_json::to_string(&data).expect("json values serialise")
    }

    /// Rebuild an event from its stored type id and payload.
    pub fn from_stored(type_id: &str, payload: &str) -> Result<ReferralEvent, serde_json::Error> {
        let data: serde_json::Value = serde_json::from_str(payload)?;
        serde_json::from_value(serde_json::json!({ "type": type_id, "data": data }))
    }
}

/// Where the referral is, derived from what has happened.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Received,
    Acknowledged,
    Recommended,
    Decided,
    Escalated,
    EscalationAnswered,
}

/// A referral that has been received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: ReferralId,
    pub details: ReferralDetails,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    pub received_by: Actor,
    pub idempotency_key: Option<String>,
    pub due: ReferralDue,
    pub acknowledgement: Option<Acknowledgement>,
    pub written_confirmation: WrittenConfirmation,
    /// One per child in `details.children`, same order.
    pub children: Vec<ChildLink>,
    pub recommendations: Vec<Recommendation>,
    /// Every decision, oldest first; the last is in force.
    pub decisions: Vec<Decision>,
    pub escalations: Vec<Escalation>,
    pub disclosures: Vec<Disclosure>,
    /// Cases opened from this referral, as (child index, case).
    #[serde(default)]
    pub cases: Vec<(usize, crate::ids::CaseId)>,
    /// The latest time of any entry: commands dated earlier are refused, so the record
    /// stays in the order things happened.
    pub last_event_at: NaiveDateTime,
}

/// The state [`decide`](super::decide()) works on: nothing yet, or a referral.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReferralState {
    #[default]
    NotReceived,
    Open(Box<Referral>),
}

impl ReferralState {
    pub fn referral(&self) -> Option<&Referral> {
        match self {
            ReferralState::NotReceived => None,
            ReferralState::Open(r) => Some(r),
        }
    }

    /// The rules every state built by [`apply`] from events [`decide`](super::decide())
    /// produced must satisfy (checked by the property tests).
    pub fn check_invariants(&self) -> Result<(), String> {
        match self {
            ReferralState::NotReceived => Ok(()),
            ReferralState::Open(r) => r.check_invariants(),
        }
    }
}

/// Fold one event into the state. Total: an event that does not fit the state (which
/// `decide` never produces) leaves it unchanged.
pub fn apply(state: ReferralState, event: &ReferralEvent) -> ReferralState {
    match (state, event) {
        (ReferralState::NotReceived, ReferralEvent::ReferralReceived(r)) => {
            ReferralState::Open(Box::new(Referral::received(r)))
        }
        (ReferralState::Open(mut r), e) => {
            r.apply(e);
            ReferralState::Open(r)
        }
        (s, _) => s,
    }
}

/// The state after `events`, from nothing.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a ReferralEvent>) -> ReferralState {
    events.into_iter().fold(ReferralState::NotReceived, apply)
}

impl Referral {
    fn received(r: &Received) -> Referral {
        let written_confirmation = if r.due.written_confirmation.is_some() {
            WrittenConfirmation::Pending
        } else {
            WrittenConfirmation::NotRequired
        };
        Referral {
            id: r.referral,
            details: r.details.clone(),
            channel: r.channel,
            received_at: r.received_at,
            received_by: r.by,
            idempotency_key: r.idempotency_key.clone(),
            due: r.due.clone(),
            acknowledgement: None,
            written_confirmation,
            children: vec![ChildLink::default(); r.details.children.len()],
            recommendations: Vec::new(),
            decisions: Vec::new(),
            escalations: Vec::new(),
            disclosures: Vec::new(),
            cases: Vec::new(),
            last_event_at: r.received_at,
        }
    }

    /// Apply one event; `false` (and no change) if it does not fit.
    fn apply(&mut self, e: &ReferralEvent) -> bool {
        let applied = match e {
            ReferralEvent::ReferralReceived(_) => false,
            ReferralEvent::ReferralAcknowledged(a) => {
                let fits = self.acknowledgement.is_none();
                if fits {
                    self.acknowledgement = Some(a.clone());
                }
                fits
            }
            ReferralEvent::WrittenConfirmationReceived { at, on_time, .. } => {
                let fits = self.written_confirmation == WrittenConfirmation::Pending;
                if fits {
                    self.written_confirmation = WrittenConfirmation::Received {
                        at: *at,
                        on_time: *on_time,
                    };
                }
                fits
            }
            ReferralEvent::RecommendationMade(r) => {
                let fits = self.decisions.is_empty();
                if fits {
                    self.recommendations.push(r.clone());
                }
                fits
            }
            ReferralEvent::ReferralDecided(d) => {
                let fits = d.number as usize == self.decisions.len() + 1;
                if fits {
                    self.decisions.push((**d).clone());
                }
                fits
            }
            ReferralEvent::EscalationRaised(x) => {
                let fits = x.number as usize == self.escalations.len() + 1
                    && self.open_escalation().is_none();
                if fits {
                    self.escalations.push(x.clone());
                }
                fits
            }
            ReferralEvent::EscalationAnswered { number, answer } => {
                match self
                    .escalations
                    .iter_mut()
                    .find(|x| x.number == *number && x.answer.is_none())
                {
                    Some(x) => {
                        x.answer = Some(answer.clone());
                        true
                    }
                    None => false,
                }
            }
            ReferralEvent::ChildLinked {
                child,
                person,
                repeat_of,
                ..
            } => match self.children.get_mut(*child) {
                Some(l) if l.person.is_none() => {
                    l.person = Some(*person);
                    l.repeat_of = *repeat_of;
                    true
                }
                _ => false,
            },
            ReferralEvent::ChildUnlinked { child, .. } => match self.children.get_mut(*child) {
                Some(l) if l.person.is_some() => {
                    *l = ChildLink::default();
                    true
                }
                _ => false,
            },
            ReferralEvent::DisclosureRecorded(d) => {
                let fits = d.number as usize == self.disclosures.len() + 1;
                if fits {
                    self.disclosures.push((**d).clone());
                }
                fits
            }
            ReferralEvent::CaseOpened { child, case, .. } => {
                let fits =
                    *child < self.children.len() && !self.cases.iter().any(|(c, _)| c == child);
                if fits {
                    self.cases.push((*child, *case));
                }
                fits
            }
        };
        if applied {
            self.last_event_at = self.last_event_at.max(e.at());
        }
        applied
    }

    /// The decision in force.
    pub fn current_decision(&self) -> Option<&Decision> {
        self.decisions.last()
    }

    pub fn is_decided(&self) -> bool {
        !self.decisions.is_empty()
    }

    pub fn open_escalation(&self) -> Option<&Escalation> {
        self.escalations.iter().find(|x| x.answer.is_none())
    }

    /// Every override of a "should" rule in any decision, for performance reports.
    pub fn overrides(&self) -> impl Iterator<Item = (&Decision, &Override)> {
        self.decisions
            .iter()
            .flat_map(|d| d.overrides.iter().map(move |o| (d, o)))
    }

    /// The referrer says the child is at immediate risk or suspects significant harm:
    /// the decision is due the same day (WT2026 ¶164 "immediately", ¶168 "as soon as
    /// possible"), the work is shown first, and no further action needs a reason.
    pub fn is_urgent(&self) -> bool {
        self.details.is_urgent()
    }

    /// Where the partnership asks that significant harm is reported by telephone (NSCP
    /// §4.2, L660–L664: "These instances must be reported to the MASH by telephone"), a
    /// referral about it received in writing only: the front door phones the referrer.
    /// Its due date by the profile's `referral-significant-harm-call`.
    pub fn call_needed(
        &self,
        profile: &crate::profile::Profile,
        calendar: &crate::calendar::Calendar,
    ) -> Option<crate::process::DueBy> {
        // The referrer's own answers: immediate risk, or significant harm suspected.
        if !self.channel.is_written() || !self.is_urgent() {
            return None;
        }
        crate::process::due_by(
            profile,
            "referral-significant-harm-call",
            self.received_at,
            calendar,
        )
    }

    /// Whether any child's previous referral was within 12 months.
    pub fn is_repeat_referral(&self) -> bool {
        self.children.iter().any(|c| c.repeat_of.is_some())
    }

    /// Children still to be identified (described only, or an unnamed mother) and not yet
    /// linked to a record.
    pub fn children_to_identify(&self) -> Vec<usize> {
        self.details
            .children_needing_identification()
            .into_iter()
            .filter(|&i| self.children.get(i).is_some_and(|l| l.person.is_none()))
            .collect()
    }

    /// From when the referrer may chase a missing decision: once the profile's
    /// `referrer-follow-up` timescale has passed (SET 3 WD), or, without one, once the
    /// `referral-decision` timescale has (WT2026 ¶165 "always follow up").
    pub fn may_chase_from(&self) -> NaiveDateTime {
        let due = self
            .due
            .referrer_follow_up
            .as_ref()
            .unwrap_or(&self.due.decision);
        due.due.missed_from()
    }

    pub fn acknowledgement_overdue_at(&self, now: NaiveDateTime) -> bool {
        self.acknowledgement.is_none() && self.due.acknowledgement.due.is_overdue_at(now)
    }

    pub fn decision_overdue_at(&self, now: NaiveDateTime) -> bool {
        self.decisions.is_empty() && self.due.decision.due.is_overdue_at(now)
    }

    pub fn written_confirmation_overdue_at(&self, now: NaiveDateTime) -> bool {
        self.written_confirmation == WrittenConfirmation::Pending
            && self
                .due
                .written_confirmation
                .as_ref()
                .is_some_and(|w| w.due.is_overdue_at(now))
    }

    pub fn stage(&self) -> Stage {
        if self.open_escalation().is_some() {
            return Stage::Escalated;
        }
        if let Some(d) = self.current_decision() {
            let answered_since = self
                .escalations
                .iter()
                .any(|x| x.raised_at >= d.decided_at && x.answer.is_some());
            return if answered_since {
                Stage::EscalationAnswered
            } else {
                Stage::Decided
            };
        }
        if !self.recommendations.is_empty() {
            Stage::Recommended
        } else if self.acknowledgement.is_some() {
            Stage::Acknowledged
        } else {
            Stage::Received
        }
    }

    /// See [`ReferralState::check_invariants`].
    pub fn check_invariants(&self) -> Result<(), String> {
        let fail = |m: String| Err(m);
        if self.children.len() != self.details.children.len() {
            return fail("one link per child".into());
        }
        if self.details.children.is_empty() {
            return fail("a referral names at least one child".into());
        }
        let mut linked: Vec<PersonId> = self.children.iter().filter_map(|c| c.person).collect();
        let n = linked.len();
        linked.sort();
        linked.dedup();
        if linked.len() != n {
            return fail("two children linked to the same record".into());
        }
        if self
            .children
            .iter()
            .any(|c| c.person.is_none() && c.repeat_of.is_some())
        {
            return fail("a repeat flag without a linked record".into());
        }
        if let Some(a) = &self.acknowledgement {
            if a.at < self.received_at {
                return fail("acknowledged before received".into());
            }
        }
        if self.channel.is_written() && self.acknowledgement.is_none() {
            return fail("a written referral is acknowledged on receipt".into());
        }
        let needs_confirmation =
            self.channel.is_verbal() && self.details.referrer.is_professional();
        match (&self.written_confirmation, &self.due.written_confirmation) {
            (WrittenConfirmation::NotRequired, None) => {}
            (WrittenConfirmation::NotRequired, Some(_)) => {
                return fail("written confirmation due but not tracked".into())
            }
            (_, None) => return fail("written confirmation tracked without a rule".into()),
            (WrittenConfirmation::Pending, Some(_))
            | (WrittenConfirmation::Received { .. }, Some(_)) => {
                if !needs_confirmation {
                    return fail("written confirmation for a written or public referral".into());
                }
            }
        }
        if let WrittenConfirmation::Received { at, .. } = self.written_confirmation {
            if at < self.received_at {
                return fail("confirmed before received".into());
            }
        }
        for r in &self.recommendations {
            if !matches!(r.by.role, Role::FrontDoorWorker | Role::SocialWorker) {
                return fail("recommendation by a role that may not recommend".into());
            }
            if r.outcomes.is_empty() || r.reasons.trim().is_empty() {
                return fail("recommendation without outcomes or reasons".into());
            }
        }
        for (i, d) in self.decisions.iter().enumerate() {
            d.check(i, self)?;
        }
        let mut open = 0;
        for (i, x) in self.escalations.iter().enumerate() {
            if x.number as usize != i + 1 {
                return fail("escalations numbered in order".into());
            }
            if x.answer.is_none() {
                open += 1;
            }
            if x.raised_at < self.received_at || x.reason.trim().is_empty() {
                return fail("escalation before receipt or without a reason".into());
            }
            let decided_before = self.decisions.iter().any(|d| d.decided_at <= x.raised_at);
            match x.kind {
                EscalationKind::Disagreement if !decided_before => {
                    return fail("disagreement before any decision".into())
                }
                EscalationKind::Chase if decided_before => {
                    return fail("chase after the decision".into())
                }
                EscalationKind::Chase if x.raised_at < self.may_chase_from() => {
                    return fail("chase before the follow-up timescale passed".into())
                }
                _ => {}
            }
            if let Some(a) = &x.answer {
                if a.by.role != Role::PracticeSupervisor
                    || a.at < x.raised_at
                    || a.answer.trim().is_empty()
                {
                    return fail("escalation answered wrongly".into());
                }
            }
        }
        if open > 1 {
            return fail("more than one open escalation".into());
        }
        for (i, d) in self.disclosures.iter().enumerate() {
            if d.number as usize != i + 1 {
                return fail("disclosures numbered in order".into());
            }
            if d.includes_referrer_identity
                && d.direction == Direction::SharedWith
                && !self.details.referrer.identity_may_be_shared()
            {
                return fail("a withheld identity was shared".into());
            }
        }
        Ok(())
    }
}

impl Decision {
    fn check(&self, i: usize, r: &Referral) -> Result<(), String> {
        if self.number as usize != i + 1 {
            return Err("decisions numbered in order".into());
        }
        match (i, self.supersedes, &self.revision_reason) {
            (0, None, None) => {}
            (0, _, _) => return Err("a first decision supersedes nothing".into()),
            (k, Some(s), Some(reason)) if s as usize == k && !reason.trim().is_empty() => {}
            _ => return Err("a revision names what it supersedes, with a reason".into()),
        }
        if self.decided_by.role != Role::PracticeSupervisor {
            return Err("decided by a role that may not decide".into());
        }
        if self.decided_at < r.received_at {
            return Err("decided before received".into());
        }
        if i > 0 && self.decided_at < r.decisions[i - 1].decided_at {
            return Err("revision before the decision it revises".into());
        }
        if self.outcomes.is_empty() || self.reasons.trim().is_empty() {
            return Err("a decision has outcomes and reasons".into());
        }
        let nfa = self.outcomes.contains(&Outcome::NoFurtherAction);
        if nfa && self.outcomes.len() > 1 {
            return Err("no further action stands alone".into());
        }
        if self.level != Decision::level_of(&self.outcomes, &self.signposting) {
            return Err("level does not match the outcomes".into());
        }
        let has = |k: &OverrideKind| self.overrides.iter().any(|o| &o.kind == k);
        if self.threshold.strategy_discussion_required
            && !self
                .outcomes
                .iter()
                .any(|o| o.leads_to_strategy_discussion())
            && !has(&OverrideKind::NoStrategyDiscussion)
        {
            return Err("s47 indicator without strategy discussion and no override".into());
        }
        if let Some(s) = self.threshold.suggested_level {
            if self.level < s
                && !has(&OverrideKind::BelowSuggestedLevel {
                    suggested: s,
                    decided: self.level,
                })
            {
                return Err("below the suggested level with no override".into());
            }
        }
        if nfa && self.signposting.is_empty() && !has(&OverrideKind::NoSignposting) {
            return Err("no further action without signposting and no override".into());
        }
        if self.overrides.iter().any(|o| o.reason.trim().is_empty()) {
            return Err("an override without a reason".into());
        }
        if nfa != self.next_work.is_empty() {
            return Err("work items exist exactly when there is further action".into());
        }
        if nfa != self.feedback.threshold_not_met_reasons.is_some() {
            return Err("threshold reasons are given exactly for no further action".into());
        }
        for w in &self.next_work {
            if w.children.len() != r.details.children.len() {
                return Err("work covers every child of the referral".into());
            }
        }
        Ok(())
    }
}

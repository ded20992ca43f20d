//! Child protection on a case (issue 5; WT2026 chapter 3 section 4, ¶242–¶256 and the
//! descriptors after ¶256; SET 002 on strategy discussions, section 47 enquiries,
//! unborn babies and initial conferences): immediate protection, strategy discussions,
//! section 47 enquiries, conferences, the child protection plan with its core groups
//! and reviews, ending the plan, and pre-proceedings.
//!
//! The state lives in [`Protection`] inside the case; [`Step`] is the event payload,
//! folded by [`apply`]; the commands are [`CpCommand`], decided in `decide`.

use super::plan::PlanAction;
use super::Practitioner;
use crate::ids::UserId;
use crate::role::AgencyKind;
use crate::timescale::Due;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// Categories of harm (WT2026 ICPC descriptor; CIN census `CategoryOfAbuse`: PHY, EMO,
/// SAB, NEG). Domestic abuse is counted within them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HarmCategory {
    Physical,
    Emotional,
    Sexual,
    Neglect,
}

impl HarmCategory {
    pub const ALL: [HarmCategory; 4] = [
        HarmCategory::Physical,
        HarmCategory::Emotional,
        HarmCategory::Sexual,
        HarmCategory::Neglect,
    ];
    pub fn id(self) -> &'static str {
        match self {
            HarmCategory::Physical => "physical",
            HarmCategory::Emotional => "emotional",
            HarmCategory::Sexual => "sexual",
            HarmCategory::Neglect => "neglect",
        }
    }
    pub fn from_id(s: &str) -> Option<HarmCategory> {
        HarmCategory::ALL.into_iter().find(|c| c.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            HarmCategory::Physical => "Physical abuse",
            HarmCategory::Emotional => "Emotional abuse",
            HarmCategory::Sexual => "Sexual abuse",
            HarmCategory::Neglect => "Neglect",
        }
    }
    /// The CIN census code.
    pub fn census_code(self) -> &'static str {
        match self {
            HarmCategory::Physical => "PHY",
            HarmCategory::Emotional => "EMO",
            HarmCategory::Sexual => "SAB",
            HarmCategory::Neglect => "NEG",
        }
    }
}

/// Emergency action (WT2026 "Immediate protection" descriptor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmergencyKind {
    /// Police protection, Children Act 1989 s46: 72 hours at most (`police-protection`).
    PoliceProtection,
    /// An emergency protection order, s44: 8 days, one extension of up to 7 (`epo`).
    EmergencyProtectionOrder,
    /// Other immediate action (e.g. the child agreed to stay with a relative).
    OtherAction,
}

impl EmergencyKind {
    pub const ALL: [EmergencyKind; 3] = [
        EmergencyKind::PoliceProtection,
        EmergencyKind::EmergencyProtectionOrder,
        EmergencyKind::OtherAction,
    ];
    pub fn id(self) -> &'static str {
        match self {
            EmergencyKind::PoliceProtection => "police-protection",
            EmergencyKind::EmergencyProtectionOrder => "epo",
            EmergencyKind::OtherAction => "other",
        }
    }
    pub fn from_id(s: &str) -> Option<EmergencyKind> {
        EmergencyKind::ALL.into_iter().find(|k| k.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            EmergencyKind::PoliceProtection => "Police protection (section 46)",
            EmergencyKind::EmergencyProtectionOrder => "Emergency protection order (section 44)",
            EmergencyKind::OtherAction => "Other immediate action",
        }
    }
    /// The profile rule for how long it lasts.
    pub fn rule_id(self) -> Option<&'static str> {
        match self {
            EmergencyKind::PoliceProtection => Some("police-protection"),
            EmergencyKind::EmergencyProtectionOrder => Some("epo"),
            EmergencyKind::OtherAction => None,
        }
    }
}

/// Someone invited to, or at, a meeting.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub name: String,
    /// Role or relationship ("detective constable", "mother").
    pub role: String,
    pub agency: String,
    /// `None` for the family and anyone outside the partnership's agencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_kind: Option<AgencyKind>,
    /// A user of Together, who sees the meeting's record (issue 5: "a police officer
    /// invited to a strategy discussion sees that discussion's record").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
}

impl Participant {
    pub fn describe(&self) -> String {
        if self.agency.is_empty() {
            format!("{} ({})", self.name, self.role)
        } else {
            format!("{} ({}, {})", self.name, self.role, self.agency)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emergency {
    pub number: u32,
    pub kind: EmergencyKind,
    pub at: NaiveDateTime,
    pub agency: String,
    /// Legal advice sought, or why not.
    pub legal_advice: String,
    pub child_seen_by: String,
    /// Other children in the household and in the alleged perpetrator's household.
    pub other_children: String,
    pub ends: Option<Due>,
    pub extended: bool,
    /// The authority looking after the child, or holding its plan, that accepted
    /// responsibility (the authority where the child was found is responsible until then).
    pub accepted_by: Option<String>,
    /// When the acceptance was recorded: the written confirmation is chased from then.
    #[serde(default)]
    pub accepted_at: Option<NaiveDateTime>,
    pub written_confirmation_on: Option<NaiveDate>,
    /// When the police protection or the order ended, and how (the child went home, a
    /// care order was made...): its expiry leaves the tray then (issue 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<(NaiveDateTime, String)>,
}

impl Emergency {
    /// The latest end the Children Act 1989 allows an emergency protection order, as first
    /// made: eight days (s45(1)); when the eighth day is a Sunday or a public holiday
    /// (Christmas Day, Good Friday, a bank holiday), noon on the next day that is neither
    /// (s45(2)). The eight days are the profile's `epo` rule. `None` for any other action,
    /// or a profile without the rule.
    pub fn latest_end_the_act_allows(
        &self,
        profile: &crate::profile::Profile,
        calendar: &crate::calendar::Calendar,
    ) -> Option<NaiveDateTime> {
        if self.kind != EmergencyKind::EmergencyProtectionOrder {
            return None;
        }
        let days = profile.rule("epo")?.amount;
        let last = self.at + chrono::Days::new(u64::from(days));
        let holiday = |d: NaiveDate| {
            d.weekday() == chrono::Weekday::Sun || calendar.bank_holiday_name(d).is_some()
        };
        if !holiday(last.date()) {
            return Some(last);
        }
        let mut d = last.date().succ_opt()?;
        while holiday(d) {
            d = d.succ_opt()?;
        }
        Some(d.and_hms_opt(12, 0, 0).expect("noon"))
    }

    /// A warning, citing the statute, when the recorded end of an order is later than
    /// the Act allows as first made (an extension adds up to seven days, s45(5)).
    pub fn end_warning(
        &self,
        profile: &crate::profile::Profile,
        calendar: &crate::calendar::Calendar,
    ) -> Option<String> {
        let latest = self.latest_end_the_act_allows(profile, calendar)?;
        let Some(Due::DateTime(ends)) = self.ends else {
            return None;
        };
        if self.extended || ends <= latest {
            return None;
        }
        Some(format!(
            "The recorded end is more than eight days after the order was made: an emergency protection order lasts at most eight days (Children Act 1989 s45(1)), or until noon on {} where the eighth day is a Sunday or public holiday (s45(2)). Check the order.",
            latest.format("%-d %B %Y")
        ))
    }
}

/// Whether section 47 enquiries are initiated: the local authority's decision.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyRecord {
    pub held_at: NaiveDateTime,
    pub attendees: Vec<Participant>,
    /// Why the discussion went ahead without a social worker, health and police (an
    /// authorised override, with its reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance_override: Option<String>,
    pub information: String,
    pub initiate_s47: bool,
    pub s47_reason: String,
    /// The conduct and timing of any criminal investigation.
    pub criminal_investigation: String,
    pub immediate_actions: Vec<PlanAction>,
    pub legal_action: String,
    pub share_with_family: String,
    /// What must not be shared, to protect a police investigation or the child.
    pub withhold_from_family: String,
    /// Each agency's decisions, including to take no action and why.
    pub agency_decisions: Vec<(String, String)>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrategyDiscussion {
    pub number: u32,
    pub convened_at: NaiveDateTime,
    pub reason: String,
    pub due: Due,
    pub rule_id: Option<String>,
    pub invitees: Vec<Participant>,
    pub record: Option<StrategyRecord>,
    /// Not to be held: cancelled, or merged into another discussion, with the reason
    /// (issue 16: no duplicate discussions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_held: Option<NotHeld>,
}

impl StrategyDiscussion {
    /// Convened, and neither held nor called off.
    pub fn is_awaited(&self) -> bool {
        self.record.is_none() && self.not_held.is_none()
    }
}

/// Why a convened strategy discussion is not held.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotHeld {
    pub reason: String,
    /// The discussion it was merged into, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<u32>,
}

/// The tasks of a section 47 enquiry (WT2026 "Initiating section 47 enquiries").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum S47Task {
    ChildSeenAlone,
    WishesAndFeelings,
    ParentsInterviewed,
    HistoryAndContacts,
    HealthAssessment,
    JointInterview,
    PoliceInvestigation,
}

impl S47Task {
    pub const ALL: [S47Task; 7] = [
        S47Task::ChildSeenAlone,
        S47Task::WishesAndFeelings,
        S47Task::ParentsInterviewed,
        S47Task::HistoryAndContacts,
        S47Task::HealthAssessment,
        S47Task::JointInterview,
        S47Task::PoliceInvestigation,
    ];
    pub fn id(self) -> &'static str {
        match self {
            S47Task::ChildSeenAlone => "child-seen-alone",
            S47Task::WishesAndFeelings => "wishes-and-feelings",
            S47Task::ParentsInterviewed => "parents-interviewed",
            S47Task::HistoryAndContacts => "history-and-contacts",
            S47Task::HealthAssessment => "health-assessment",
            S47Task::JointInterview => "joint-interview",
            S47Task::PoliceInvestigation => "police-investigation",
        }
    }
    pub fn from_id(s: &str) -> Option<S47Task> {
        S47Task::ALL.into_iter().find(|t| t.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            S47Task::ChildSeenAlone => "The child seen alone (or why not)",
            S47Task::WishesAndFeelings => "The child's wishes and feelings",
            S47Task::ParentsInterviewed => "Parents and carers interviewed",
            S47Task::HistoryAndContacts => "History, and who has regular contact with the child",
            S47Task::HealthAssessment => "Health assessment (e.g. a child protection medical)",
            S47Task::JointInterview => "Joint interview (Achieving Best Evidence)",
            S47Task::PoliceInvestigation => {
                "Police investigation outcome (and reasons, if not proceeding)"
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S47Finding {
    pub substantiated: bool,
    pub reasons: String,
    /// Not substantiated: discussed with the child and family, the support offered, and
    /// whether a family group conference was offered.
    pub discussed_with_family: String,
    pub onward_support: String,
    pub fgc_offered: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enquiry {
    pub number: u32,
    pub strategy: u32,
    pub initiated_on: NaiveDate,
    /// The initial conference is due within 15 working days of the strategy discussion
    /// at which the enquiry was initiated (`icpc`).
    pub icpc_due: Due,
    pub icpc_rule: Option<String>,
    pub tasks: Vec<(S47Task, NaiveDate, String)>,
    pub recommendation: Option<S47Finding>,
    /// Who recorded the outcome: the countersignature is someone else's (SET L2624).
    #[serde(default)]
    pub recommended_by: Option<UserId>,
    pub countersigned: Option<(NaiveDate, UserId)>,
}

impl Enquiry {
    pub fn finding(&self) -> Option<&S47Finding> {
        self.countersigned.and(self.recommendation.as_ref())
    }
    pub fn is_open(&self) -> bool {
        self.countersigned.is_none()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConferenceKind {
    Initial,
    /// An initial conference about an unborn baby (SET 2.6.14).
    PreBirth,
    Review,
    /// The receiving authority's conference when a child on a plan moves in.
    TransferIn,
}

impl ConferenceKind {
    pub fn label(self) -> &'static str {
        match self {
            ConferenceKind::Initial => "Initial child protection conference",
            ConferenceKind::PreBirth => "Pre-birth child protection conference",
            ConferenceKind::Review => "Child protection review conference",
            ConferenceKind::TransferIn => "Transfer-in child protection conference",
        }
    }
    pub fn is_initial(self) -> bool {
        self != ConferenceKind::Review
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyReport {
    pub agency: String,
    pub by: String,
    pub summary: String,
    pub submitted_on: NaiveDate,
    pub share_with_parents: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason_not_shared: String,
}

/// What must change, by how much and by when (the outline plan).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlineChange {
    pub what: String,
    pub by_how_much: String,
    pub by_when: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDecision {
    pub categories: Vec<HarmCategory>,
    /// The lead statutory body: the lead social worker's employer.
    pub lead_body: String,
    pub lead_social_worker: Practitioner,
    pub core_group: Vec<Participant>,
    pub changes: Vec<OutlineChange>,
    /// Core groups after the first: every this many weeks (the plan sets it).
    pub core_group_every_weeks: u8,
}

/// Why a plan ends: one of the reasons the guidance gives (WT2026 "Discontinuing the
/// child protection plan"), and no other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case", deny_unknown_fields)]
pub enum EndReason {
    NoLongerAtRisk,
    /// Moved permanently: ended only after the receiving authority's conference.
    MovedPermanently {
        to: String,
        receiving_conference_on: NaiveDate,
    },
    Turned18,
    Died,
    LeftTheUk,
}

impl EndReason {
    pub fn label(&self) -> String {
        match self {
            EndReason::NoLongerAtRisk => {
                "No longer judged likely to suffer significant harm".into()
            }
            EndReason::MovedPermanently { to, .. } => format!("Moved permanently to {to}"),
            EndReason::Turned18 => "Reached 18".into(),
            EndReason::Died => "Died".into(),
            EndReason::LeftTheUk => "Permanently left the UK".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ConferenceOutcome {
    /// The child becomes (or, at a review, stays) the subject of a plan.
    Plan { decision: PlanDecision },
    /// An initial conference: no plan, with the reasons and the help that follows.
    NoPlan { reasons: String },
    /// A review: the plan ends.
    Discontinue { reason: EndReason },
    /// A review: the plan continues and family court proceedings are to be considered
    /// for all children in the household.
    ConsiderProceedings { decision: PlanDecision },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub name: String,
    pub view: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConferenceRecord {
    pub held_on: NaiveDate,
    pub attendees: Vec<Participant>,
    pub views: Vec<View>,
    pub outcome: ConferenceOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_reason: Option<String>,
    /// When the plan continues: the next core group and review conference, worked out
    /// from the profile when the conference was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_core_group: Option<Due>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_review: Option<Due>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_rule: Option<String>,
    /// When the plan ends: the support that continues (¶252), and who is told.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ongoing_support: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conference {
    pub number: u32,
    pub kind: ConferenceKind,
    pub due: Due,
    pub rule_id: Option<String>,
    pub date: Option<NaiveDate>,
    /// When and where it meets (issue 16: a conference has a date, a time and a place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place: String,
    /// Arranged for a date after it was due: why, and who authorised it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late: Option<LateArrangement>,
    /// Each earlier date it was moved from, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rescheduled: Vec<Rescheduled>,
    pub chair: Option<Practitioner>,
    pub invitees: Vec<Participant>,
    pub reports: Vec<AgencyReport>,
    pub chair_met_family: Option<(NaiveDate, String)>,
    pub record: Option<ConferenceRecord>,
    /// Not held, and why (a review no longer needed because the plan ended).
    pub cancelled: Option<String>,
}

impl Conference {
    /// A conference convened and still to be arranged: due by its rule, with no date,
    /// chair, invitations or record yet.
    pub fn convened(number: u32, kind: ConferenceKind, due: Due, rule_id: Option<String>) -> Self {
        Conference {
            number,
            kind,
            due,
            rule_id,
            date: None,
            time: None,
            place: String::new(),
            late: None,
            rescheduled: Vec::new(),
            chair: None,
            invitees: Vec::new(),
            reports: Vec::new(),
            chair_met_family: None,
            record: None,
            cancelled: None,
        }
    }
}

/// Why a conference is arranged for a date after it was due (a *should* everywhere; in
/// SET a *must*, with the operational service manager's written authorisation, 002
/// L2501, L2771).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LateArrangement {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorised_by: Option<String>,
    /// The other agencies' managers consulted first, where the profile asks (LIV §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consulted: Option<String>,
}

/// A conference moved to another date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rescheduled {
    pub from: NaiveDate,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanVersion {
    pub number: u32,
    pub detailed: bool,
    pub on: NaiveDate,
    pub circulated_to: String,
    pub agreed_with_child: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoreGroup {
    pub held_on: NaiveDate,
    pub attendees: Vec<Participant>,
    /// Written views of those who could not attend.
    pub absent_views: String,
    /// Progress on each action of the plan.
    pub progress: String,
    pub plan_changes: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpPlan {
    pub start: NaiveDate,
    /// The conference that started it.
    pub conference: u32,
    pub initial_categories: Vec<HarmCategory>,
    pub decision: PlanDecision,
    pub versions: Vec<PlanVersion>,
    pub core_groups: Vec<CoreGroup>,
    pub next_core_group: Due,
    pub next_review: Due,
    pub review_rule: Option<String>,
    pub proceedings_to_consider: bool,
    pub ended: Option<PlanEnd>,
    /// Actions agreed at core groups: who does what by when. Addressed as plan 0 (the
    /// child protection plan) where actions are done.
    #[serde(default)]
    pub actions: Vec<PlanAction>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEnd {
    pub on: NaiveDate,
    pub reason: EndReason,
    pub notified: String,
    pub ongoing_support: String,
}

impl CpPlan {
    pub fn is_open(&self) -> bool {
        self.ended.is_none()
    }
    pub fn latest_categories(&self) -> &[HarmCategory] {
        &self.decision.categories
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConferenceRequest {
    pub by: String,
    pub reason: String,
    pub at: NaiveDateTime,
    pub answer: Option<(bool, String)>,
    pub escalated: Option<String>,
    /// The user who asked: they see the answer and may escalate a refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_user: Option<UserId>,
    /// Who answered for the local authority (an escalation goes to someone else).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<UserId>,
    /// The named manager a refusal was escalated to, and when (003 L1785).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_to: Option<Practitioner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_at: Option<NaiveDateTime>,
    /// The manager's answer to the escalation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_answer: Option<(bool, String)>,
}

impl ConferenceRequest {
    /// Agreed, at first or on escalation: a conference is convened.
    pub fn agreed(&self) -> bool {
        matches!(self.answer, Some((true, _))) || matches!(self.escalation_answer, Some((true, _)))
    }
    /// Refused, and not (yet) escalated: the practitioner may escalate.
    pub fn may_be_escalated(&self) -> bool {
        matches!(self.answer, Some((false, _))) && self.escalated.is_none()
    }
    /// Escalated to a named manager who has not answered.
    pub fn awaits_escalation_answer(&self) -> bool {
        self.escalated.is_some() && self.escalation_answer.is_none()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreProceedingsStep {
    /// The local authority decides the threshold for proceedings is met in principle.
    DecisionToStart,
    LetterBeforeProceedings,
    FamilyGroupDecisionMakingOffered,
    ExpectationsSetWithParents,
    CareProceedingsIssued,
}

impl PreProceedingsStep {
    pub const ALL: [PreProceedingsStep; 5] = [
        PreProceedingsStep::DecisionToStart,
        PreProceedingsStep::LetterBeforeProceedings,
        PreProceedingsStep::FamilyGroupDecisionMakingOffered,
        PreProceedingsStep::ExpectationsSetWithParents,
        PreProceedingsStep::CareProceedingsIssued,
    ];
    pub fn id(self) -> &'static str {
        match self {
            PreProceedingsStep::DecisionToStart => "decision-to-start",
            PreProceedingsStep::LetterBeforeProceedings => "letter-before-proceedings",
            PreProceedingsStep::FamilyGroupDecisionMakingOffered => "family-group-decision-making",
            PreProceedingsStep::ExpectationsSetWithParents => "expectations-set",
            PreProceedingsStep::CareProceedingsIssued => "care-proceedings-issued",
        }
    }
    pub fn from_id(s: &str) -> Option<PreProceedingsStep> {
        PreProceedingsStep::ALL.into_iter().find(|x| x.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            PreProceedingsStep::DecisionToStart => {
                "Decision to start pre-proceedings (threshold met in principle)"
            }
            PreProceedingsStep::LetterBeforeProceedings => "Letter before proceedings sent",
            PreProceedingsStep::FamilyGroupDecisionMakingOffered => {
                "Family group decision-making offered"
            }
            PreProceedingsStep::ExpectationsSetWithParents => "Expectations set with the parents",
            PreProceedingsStep::CareProceedingsIssued => "Care proceedings issued",
        }
    }
}

/// The child protection part of a case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protection {
    pub emergencies: Vec<Emergency>,
    pub discussions: Vec<StrategyDiscussion>,
    pub enquiries: Vec<Enquiry>,
    pub requests: Vec<ConferenceRequest>,
    pub conferences: Vec<Conference>,
    pub plans: Vec<CpPlan>,
    pub pre_proceedings: Vec<(PreProceedingsStep, NaiveDate, String)>,
    /// A child on another authority's plan moved here: notified on this date.
    pub transfer_in: Option<(NaiveDate, String)>,
    /// The child died while on a plan: the partnership's serious incident and child
    /// death processes are to be started (a task until those exist).
    pub death_notification_due: Option<NaiveDate>,
    /// The partners were notified of the death: when, and what was done.
    #[serde(default)]
    pub death_notified: Option<(NaiveDate, String)>,
}

impl Protection {
    pub fn open_plan(&self) -> Option<&CpPlan> {
        self.plans.iter().find(|p| p.is_open())
    }
    pub fn open_plan_mut(&mut self) -> Option<&mut CpPlan> {
        self.plans.iter_mut().find(|p| p.is_open())
    }
    pub fn emergency_mut(&mut self, n: u32) -> Option<&mut Emergency> {
        self.emergencies.iter_mut().find(|x| x.number == n)
    }
    pub fn discussion_mut(&mut self, n: u32) -> Option<&mut StrategyDiscussion> {
        self.discussions.iter_mut().find(|x| x.number == n)
    }
    pub fn enquiry_mut(&mut self, n: u32) -> Option<&mut Enquiry> {
        self.enquiries.iter_mut().find(|x| x.number == n)
    }
    pub fn conference_mut(&mut self, n: u32) -> Option<&mut Conference> {
        self.conferences.iter_mut().find(|x| x.number == n)
    }
    pub fn conference(&self, n: u32) -> Option<&Conference> {
        self.conferences.iter().find(|c| c.number == n)
    }
    pub fn discussion(&self, n: u32) -> Option<&StrategyDiscussion> {
        self.discussions.iter().find(|d| d.number == n)
    }
    pub fn enquiry(&self, n: u32) -> Option<&Enquiry> {
        self.enquiries.iter().find(|e| e.number == n)
    }
    /// A conference waiting to be held.
    pub fn pending_conference(&self) -> Option<&Conference> {
        self.conferences
            .iter()
            .find(|c| c.record.is_none() && c.cancelled.is_none())
    }
    /// Initial conferences need a reason to exist: a substantiated enquiry begun at a
    /// strategy discussion that initiated it, or a child moving in on another
    /// authority's plan.
    pub fn may_convene_initial(&self) -> bool {
        self.transfer_in.is_some()
            // A practitioner's request the local authority agreed to (003 L1785).
            || self.requests.iter().any(|r| r.agreed())
            || self.enquiries.iter().any(|e| {
                e.finding().is_some_and(|f| f.substantiated)
                    && self
                        .discussion(e.strategy)
                        .and_then(|d| d.record.as_ref())
                        .is_some_and(|r| r.initiate_s47)
            })
    }
    pub fn has_open_work(&self) -> bool {
        self.open_plan().is_some()
            || self.pending_conference().is_some()
            || self.enquiries.iter().any(|e| e.is_open())
            || self.discussions.iter().any(|d| d.record.is_none())
    }
}

/// Fold a held conference into the plans.
pub(super) fn apply_conference(
    p: &mut Protection,
    number: u32,
    kind: Option<ConferenceKind>,
    record: &ConferenceRecord,
) {
    let Some(kind) = kind else { return };
    let next_core_group = record.next_core_group.unwrap_or(Due::Date(record.held_on));
    let next_review = record.next_review.unwrap_or(Due::Date(record.held_on));
    match (&record.outcome, kind.is_initial()) {
        (ConferenceOutcome::Plan { decision }, true) => p.plans.push(CpPlan {
            start: record.held_on,
            conference: number,
            initial_categories: decision.categories.clone(),
            decision: decision.clone(),
            versions: Vec::new(),
            core_groups: Vec::new(),
            next_core_group,
            next_review,
            review_rule: record.review_rule.clone(),
            proceedings_to_consider: false,
            ended: None,
            actions: Vec::new(),
        }),
        (ConferenceOutcome::Plan { decision }, false)
        | (ConferenceOutcome::ConsiderProceedings { decision }, false) => {
            let proceedings = matches!(
                record.outcome,
                ConferenceOutcome::ConsiderProceedings { .. }
            );
            if let Some(plan) = p.open_plan_mut() {
                plan.decision = decision.clone();
                plan.next_review = next_review;
                plan.review_rule = record.review_rule.clone();
                plan.proceedings_to_consider |= proceedings;
            }
        }
        (ConferenceOutcome::Discontinue { reason }, false) => {
            if *reason == EndReason::Died {
                p.death_notification_due = Some(record.held_on);
            }
            let notified = "Everyone invited to the initial conference".to_string();
            if let Some(plan) = p.open_plan_mut() {
                plan.ended = Some(PlanEnd {
                    on: record.held_on,
                    reason: reason.clone(),
                    notified,
                    ongoing_support: record.ongoing_support.clone(),
                });
            }
        }
        _ => {}
    }
}

impl Protection {
    /// Issue 5's property: never a plan without a conference, never an initial
    /// conference without a strategy discussion at which section 47 enquiries were
    /// initiated (or a transfer in), never an ended plan without one of the reasons.
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.plans.iter().filter(|p| p.is_open()).count() > 1 {
            return Err("more than one open child protection plan".into());
        }
        for plan in &self.plans {
            let held = self
                .conference(plan.conference)
                .and_then(|c| c.record.as_ref().map(|r| (c.kind, r)));
            match held {
                Some((k, r))
                    if k.is_initial() && matches!(r.outcome, ConferenceOutcome::Plan { .. }) => {}
                _ => {
                    return Err(
                        "a child protection plan without the conference that made it".into(),
                    )
                }
            }
        }
        for c in &self.conferences {
            if c.kind.is_initial() && c.record.is_some() && !self.may_convene_initial() {
                return Err(
                    "an initial conference without a section 47 enquiry or a transfer in".into(),
                );
            }
            if c.kind == ConferenceKind::Review
                && !self.plans.iter().any(|p| {
                    p.start
                        <= c.record
                            .as_ref()
                            .map(|r| r.held_on)
                            .unwrap_or(NaiveDate::MAX)
                })
            {
                return Err("a review conference without a plan".into());
            }
        }
        for e in &self.enquiries {
            if !self
                .discussion(e.strategy)
                .and_then(|d| d.record.as_ref())
                .is_some_and(|r| r.initiate_s47)
            {
                return Err(
                    "a section 47 enquiry without the strategy discussion that initiated it".into(),
                );
            }
        }
        Ok(())
    }
}

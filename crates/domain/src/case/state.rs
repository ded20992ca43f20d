//! The case's events and its state, folded from them by [`apply`].

use super::assessment::{
    Assessment, AssessmentKind, AssessmentOutcome, AssessmentRecord, AssessmentStage, ChildSeen,
    Contribution,
};
use super::plan::{Meeting, Plan, PlanAction};
use super::protection::{self as P, Protection};
use super::{Actor, ClosureReason, Practitioner, Service};
use crate::ids::{AgencyId, CaseId, PersonId};
use crate::referral::ReferralId;
use crate::timescale::Due;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// One event of a case: when, who, and what changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseEvent {
    /// Wall-clock time in England.
    pub at: NaiveDateTime,
    pub by: Actor,
    pub change: Change,
}

/// Family group decision-making (WT2026 ¶147–¶150): offered, answered, held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FgcStage {
    Offered,
    Accepted,
    Declined,
    Held,
}

impl FgcStage {
    pub const ALL: [FgcStage; 4] = [
        FgcStage::Offered,
        FgcStage::Accepted,
        FgcStage::Declined,
        FgcStage::Held,
    ];
    pub fn id(self) -> &'static str {
        match self {
            FgcStage::Offered => "offered",
            FgcStage::Accepted => "accepted",
            FgcStage::Declined => "declined",
            FgcStage::Held => "held",
        }
    }
    pub fn from_id(s: &str) -> Option<FgcStage> {
        FgcStage::ALL.into_iter().find(|x| x.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            FgcStage::Offered => "Family group conference offered",
            FgcStage::Accepted => "Family accepted a family group conference",
            FgcStage::Declined => "Family declined a family group conference",
            FgcStage::Held => "Family group conference held",
        }
    }
}

/// What changed. Each variant is one thing a practitioner did, in the guidance's words.
// A change is built once, stored and folded; its size does not matter, its shape does.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Change {
    /// The case opened: after a referral decision, a transfer in, or a re-opening.
    Opened {
        case: CaseId,
        child: PersonId,
        service: Service,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        referral: Option<ReferralId>,
        /// The date of the referral: the assessment clock runs from it (¶166).
        referral_date: NaiveDate,
        local_authority: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reopens: Option<CaseId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transferred_from: Option<CaseId>,
        /// The child's primary need as the front door saw it (CIN census code).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        primary_need: Option<crate::census::PrimaryNeed>,
    },
    /// The child's primary need, recorded or revised (CIN census "PrimaryNeedCode").
    PrimaryNeedRecorded {
        need: crate::census::PrimaryNeed,
    },
    /// A practice supervisor asks a practitioner to be the lead practitioner.
    AllocationProposed {
        to: Practitioner,
        /// The family's views on who it should be (¶137).
        family_views: String,
        /// What the incoming lead needs to know (for a re-allocation, the handover).
        handover: String,
    },
    /// The practitioner agreed (¶171: "with that practitioner's agreement").
    AllocationAccepted,
    AllocationDeclined {
        reason: String,
    },
    /// The family's consent to Family Help, or its refusal and what it was told (¶146).
    ConsentRecorded {
        given: bool,
        given_by: String,
        /// What the family was told is recorded and shared, and why.
        told: String,
        on: NaiveDate,
    },
    AssessmentStarted {
        number: u32,
        kind: AssessmentKind,
        started_on: NaiveDate,
        clock_from: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<Due>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule_id: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        about: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gestation_weeks: Option<u8>,
    },
    ChildSeen {
        assessment: u32,
        seen: ChildSeen,
    },
    ContributionRequested {
        assessment: u32,
        agency: String,
        on: NaiveDate,
    },
    ContributionChased {
        assessment: u32,
        index: usize,
        on: NaiveDate,
    },
    ContributionReceived {
        assessment: u32,
        index: usize,
        on: NaiveDate,
        summary: String,
    },
    SpecialistAssessmentRequested {
        assessment: u32,
        what: String,
        on: NaiveDate,
    },
    /// The assessment's text as it now stands (each save replaces the last).
    AssessmentRecorded {
        assessment: u32,
        record: AssessmentRecord,
    },
    AssessmentSubmitted {
        assessment: u32,
        outcome: AssessmentOutcome,
        reasons: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        child_not_seen_reason: Option<String>,
        /// The primary need the assessment found (CIN census).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        primary_need: Option<crate::census::PrimaryNeed>,
        /// The factors identified at the assessment (CIN census).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        factors: Vec<crate::census::AssessmentFactor>,
    },
    AssessmentReturned {
        assessment: u32,
        reason: String,
    },
    /// The assessment will go past its timescale: the reason and the new date agreed
    /// (¶169: the lead practitioner records the reasons; SET 2.5.2: a first-line
    /// manager reviews the file, records the reason and agrees the new timescale).
    AssessmentExtended {
        assessment: u32,
        reason: String,
        agreed_until: NaiveDate,
        /// The other agencies' managers consulted first (LIV §5).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        consulted: String,
    },
    /// Authorised by a practice supervisor (or, for Family Help, agreed with the family).
    AssessmentCompleted {
        assessment: u32,
        on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        late_reason: Option<String>,
    },
    PlanMade {
        plan: Plan,
    },
    ActionAdded {
        plan: u32,
        action: PlanAction,
    },
    ActionDone {
        plan: u32,
        action: u32,
        on: NaiveDate,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    MeetingHeld {
        plan: u32,
        meeting: Meeting,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        new_actions: Vec<PlanAction>,
    },
    PlanEnded {
        plan: u32,
        on: NaiveDate,
        reason: String,
    },
    FamilyGroupConference {
        stage: FgcStage,
        on: NaiveDate,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// The lead practitioner in Family Help asks children's social care to step up.
    StepUpRequested {
        reason: String,
    },
    /// Stepped up to children's social care, or down to Family Help; what is already
    /// known stays on the case (¶158–¶160).
    ServiceChanged {
        to: Service,
        on: NaiveDate,
        reason: String,
    },
    /// Something shared with the child and family, or why it was not (issue 4,
    /// "Children's and families' right to know"; ¶252).
    SharedWithFamily {
        about: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        how: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_shared_reason: Option<String>,
    },
    /// The child moved to another local authority: it is told and sent the
    /// information; this authority keeps helping until the other accepts.
    TransferStarted {
        to_authority: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_agency: Option<AgencyId>,
        informed_on: NaiveDate,
        information_sent_on: NaiveDate,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    TransferCompleted {
        on: NaiveDate,
        accepted_by: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_case: Option<CaseId>,
    },
    Closed {
        on: NaiveDate,
        reason: ClosureReason,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    // ---- child protection (issue 5) ----
    EmergencyActionRecorded {
        emergency: P::Emergency,
    },
    EpoExtended {
        number: u32,
        ends: Due,
    },
    /// Police protection or an order ended (issue 16).
    EmergencyEnded {
        number: u32,
        ended_at: NaiveDateTime,
        note: String,
    },
    ResponsibilityAccepted {
        number: u32,
        by_authority: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        written_confirmation_on: Option<NaiveDate>,
    },
    ResponsibilityConfirmedInWriting {
        number: u32,
        on: NaiveDate,
    },
    StrategyDiscussionConvened {
        discussion: P::StrategyDiscussion,
    },
    StrategyDiscussionHeld {
        number: u32,
        record: P::StrategyRecord,
    },
    /// A discussion already convened is needed sooner: no second one (issue 16).
    StrategyDiscussionBroughtForward {
        number: u32,
        due: Due,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule_id: Option<String>,
        reason: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        invitees: Vec<P::Participant>,
    },
    /// A convened discussion will not be held: cancelled, or merged into another.
    StrategyDiscussionNotHeld {
        number: u32,
        not_held: P::NotHeld,
    },
    EnquiryInitiated {
        enquiry: P::Enquiry,
    },
    EnquiryTaskRecorded {
        enquiry: u32,
        task: P::S47Task,
        on: NaiveDate,
        note: String,
    },
    EnquiryOutcomeRecommended {
        enquiry: u32,
        finding: P::S47Finding,
    },
    EnquiryCountersigned {
        enquiry: u32,
        on: NaiveDate,
    },
    ConferenceRequested {
        by: String,
        reason: String,
    },
    ConferenceRequestAnswered {
        index: usize,
        agreed: bool,
        reason: String,
    },
    ConferenceRequestEscalated {
        index: usize,
        reason: String,
        /// The named manager it goes to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<Practitioner>,
    },
    /// The named manager answers an escalated request for a conference (003 L1785).
    ConferenceEscalationAnswered {
        index: usize,
        agreed: bool,
        reason: String,
    },
    ConferenceConvened {
        conference: P::Conference,
    },
    ConferenceScheduled {
        conference: u32,
        date: NaiveDate,
        chair: Practitioner,
        invitees: Vec<P::Participant>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<NaiveTime>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        place: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        late: Option<P::LateArrangement>,
    },
    /// Moved to another date, time or place, with the reason (issue 16).
    ConferenceRescheduled {
        conference: u32,
        date: NaiveDate,
        time: NaiveTime,
        place: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        late: Option<P::LateArrangement>,
    },
    AgencyReportSubmitted {
        conference: u32,
        report: P::AgencyReport,
    },
    ChairMetFamily {
        conference: u32,
        on: NaiveDate,
        note: String,
    },
    ConferenceHeld {
        conference: u32,
        record: P::ConferenceRecord,
    },
    ConferenceCancelled {
        conference: u32,
        reason: String,
    },
    CpPlanVersionRecorded {
        version: P::PlanVersion,
    },
    CoreGroupHeld {
        meeting: P::CoreGroup,
        next_by: NaiveDate,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        new_actions: Vec<PlanAction>,
    },
    CpPlanEnded {
        end: P::PlanEnd,
    },
    TransferInNotified {
        from_authority: String,
        notified_on: NaiveDate,
    },
    PreProceedingsRecorded {
        step: P::PreProceedingsStep,
        on: NaiveDate,
        note: String,
    },
    /// The safeguarding partners and child death review partners were told of a death.
    DeathNotified {
        on: NaiveDate,
        note: String,
    },
}

impl Change {
    pub fn type_id(&self) -> &'static str {
        match self {
            Change::Opened { .. } => "case-opened",
            Change::PrimaryNeedRecorded { .. } => "primary-need-recorded",
            Change::AllocationProposed { .. } => "allocation-proposed",
            Change::AllocationAccepted => "allocation-accepted",
            Change::AllocationDeclined { .. } => "allocation-declined",
            Change::ConsentRecorded { .. } => "consent-recorded",
            Change::AssessmentStarted { .. } => "assessment-started",
            Change::ChildSeen { .. } => "child-seen",
            Change::ContributionRequested { .. } => "contribution-requested",
            Change::ContributionChased { .. } => "contribution-chased",
            Change::ContributionReceived { .. } => "contribution-received",
            Change::SpecialistAssessmentRequested { .. } => "specialist-assessment-requested",
            Change::AssessmentRecorded { .. } => "assessment-recorded",
            Change::AssessmentSubmitted { .. } => "assessment-submitted",
            Change::AssessmentReturned { .. } => "assessment-returned",
            Change::AssessmentExtended { .. } => "assessment-extended",
            Change::AssessmentCompleted { .. } => "assessment-completed",
            Change::PlanMade { .. } => "plan-made",
            Change::ActionAdded { .. } => "action-added",
            Change::ActionDone { .. } => "action-done",
            Change::MeetingHeld { .. } => "meeting-held",
            Change::PlanEnded { .. } => "plan-ended",
            Change::FamilyGroupConference { .. } => "family-group-conference",
            Change::StepUpRequested { .. } => "step-up-requested",
            Change::ServiceChanged { .. } => "service-changed",
            Change::SharedWithFamily { .. } => "shared-with-family",
            Change::TransferStarted { .. } => "transfer-started",
            Change::TransferCompleted { .. } => "transfer-completed",
            Change::Closed { .. } => "case-closed",
            Change::EmergencyActionRecorded { .. } => "emergency-action-recorded",
            Change::EpoExtended { .. } => "epo-extended",
            Change::EmergencyEnded { .. } => "emergency-ended",
            Change::StrategyDiscussionBroughtForward { .. } => {
                "strategy-discussion-brought-forward"
            }
            Change::StrategyDiscussionNotHeld { .. } => "strategy-discussion-not-held",
            Change::ConferenceRescheduled { .. } => "conference-rescheduled",
            Change::ResponsibilityAccepted { .. } => "responsibility-accepted",
            Change::ResponsibilityConfirmedInWriting { .. } => {
                "responsibility-confirmed-in-writing"
            }
            Change::StrategyDiscussionConvened { .. } => "strategy-discussion-convened",
            Change::StrategyDiscussionHeld { .. } => "strategy-discussion-held",
            Change::EnquiryInitiated { .. } => "s47-enquiry-initiated",
            Change::EnquiryTaskRecorded { .. } => "s47-task-recorded",
            Change::EnquiryOutcomeRecommended { .. } => "s47-outcome-recommended",
            Change::EnquiryCountersigned { .. } => "s47-outcome-countersigned",
            Change::ConferenceRequested { .. } => "conference-requested",
            Change::ConferenceRequestAnswered { .. } => "conference-request-answered",
            Change::ConferenceRequestEscalated { .. } => "conference-request-escalated",
            Change::ConferenceEscalationAnswered { .. } => "conference-escalation-answered",
            Change::ConferenceConvened { .. } => "conference-convened",
            Change::ConferenceScheduled { .. } => "conference-scheduled",
            Change::AgencyReportSubmitted { .. } => "agency-report-submitted",
            Change::ChairMetFamily { .. } => "chair-met-family",
            Change::ConferenceHeld { .. } => "conference-held",
            Change::ConferenceCancelled { .. } => "conference-cancelled",
            Change::CpPlanVersionRecorded { .. } => "cp-plan-version-recorded",
            Change::CoreGroupHeld { .. } => "core-group-held",
            Change::CpPlanEnded { .. } => "cp-plan-ended",
            Change::TransferInNotified { .. } => "transfer-in-notified",
            Change::PreProceedingsRecorded { .. } => "pre-proceedings-recorded",
            Change::DeathNotified { .. } => "death-notified",
        }
    }
}

impl CaseEvent {
    pub fn type_id(&self) -> &'static str {
        self.change.type_id()
    }
    /// The payload as stored: the whole event as JSON.
    pub fn payload_json(&self) -> String {
        serde_json::to_string(self).expect("case events serialise")
    }
    pub fn from_stored(type_id: &str, payload: &str) -> Result<CaseEvent, serde_json::Error> {
        let e: CaseEvent = serde_json::from_str(payload)?;
        if e.type_id() != type_id {
            return Err(serde::de::Error::custom(format!(
                "stored type {type_id} does not match payload {}",
                e.type_id()
            )));
        }
        Ok(e)
    }
    /// Words for the case's history.
    pub fn title(&self, case: Option<&Case>) -> String {
        let plan_label = |n: u32| {
            case.and_then(|c| c.plan(n))
                .map(|p| p.kind.label())
                .unwrap_or("Plan")
        };
        let assessment_label = |n: u32| {
            case.and_then(|c| c.assessment(n))
                .map(|a| a.kind.label())
                .unwrap_or("Assessment")
        };
        match &self.change {
            Change::Opened { service, .. } => format!("Case opened ({})", service.label()),
            Change::PrimaryNeedRecorded { need } => {
                format!("Primary need recorded: {} ({})", need.label(), need.code())
            }
            Change::AllocationProposed { to, .. } => {
                format!("Asked {} to be lead practitioner", to.describe())
            }
            Change::AllocationAccepted => "Agreed to be lead practitioner".into(),
            Change::AllocationDeclined { .. } => "Declined to be lead practitioner".into(),
            Change::ConsentRecorded { given: true, .. } => "Family consented to Family Help".into(),
            Change::ConsentRecorded { given: false, .. } => {
                "Family declined Family Help (what they were told is recorded)".into()
            }
            Change::AssessmentStarted { kind, .. } => format!("{} started", kind.label()),
            Change::ChildSeen { seen, .. } => {
                format!("Child seen on {}", seen.on.format("%-d %B %Y"))
            }
            Change::ContributionRequested { agency, .. } => {
                format!("Contribution requested from {agency}")
            }
            Change::ContributionChased { .. } => "Contribution chased".into(),
            Change::ContributionReceived { .. } => "Contribution received".into(),
            Change::SpecialistAssessmentRequested { what, .. } => {
                format!("Specialist assessment requested: {what}")
            }
            Change::AssessmentRecorded { assessment, .. } => {
                format!("{} saved", assessment_label(*assessment))
            }
            Change::AssessmentSubmitted { outcome, .. } => {
                format!("Assessment submitted: {}", outcome.label())
            }
            Change::AssessmentReturned { .. } => "Assessment returned for more work".into(),
            Change::AssessmentExtended { agreed_until, .. } => format!(
                "Assessment timescale extended to {} (reason recorded)",
                agreed_until.format("%-d %B %Y")
            ),
            Change::AssessmentCompleted { assessment, .. } => {
                format!("{} completed", assessment_label(*assessment))
            }
            Change::PlanMade { plan } => format!("{} made", plan.kind.label()),
            Change::ActionAdded { action, .. } => format!("Action added: {}", action.what),
            Change::ActionDone { .. } => "Action done".into(),
            Change::MeetingHeld { meeting, .. } => meeting.kind.label().to_string(),
            Change::PlanEnded { plan, .. } => format!("{} ended", plan_label(*plan)),
            Change::FamilyGroupConference { stage, .. } => stage.label().to_string(),
            Change::StepUpRequested { .. } => "Step up to children's social care requested".into(),
            Change::ServiceChanged {
                to: Service::SocialCare,
                ..
            } => "Stepped up to children's social care".into(),
            Change::ServiceChanged {
                to: Service::FamilyHelp,
                ..
            } => "Stepped down to Family Help".into(),
            Change::SharedWithFamily {
                about,
                not_shared_reason: None,
                ..
            } => format!("Shared with the family: {about}"),
            Change::SharedWithFamily { about, .. } => {
                format!("Not shared with the family: {about}")
            }
            Change::TransferStarted { to_authority, .. } => {
                format!("Moving to {to_authority}: information sent")
            }
            Change::TransferCompleted { accepted_by, .. } => {
                format!("Handed over to {accepted_by}")
            }
            Change::Closed { reason, .. } => {
                format!("Case closed: {} ({})", reason.label(), reason.code())
            }
            Change::EmergencyActionRecorded { emergency } => {
                format!("Immediate protection: {}", emergency.kind.label())
            }
            Change::EpoExtended { .. } => "Emergency protection order extended".into(),
            Change::EmergencyEnded { .. } => "Immediate protection ended".into(),
            Change::StrategyDiscussionBroughtForward { .. } => {
                "Strategy discussion brought forward".into()
            }
            Change::StrategyDiscussionNotHeld { not_held, .. } => match not_held.merged_into {
                Some(n) => format!("Strategy discussion merged into discussion {n}"),
                None => "Strategy discussion cancelled".into(),
            },
            Change::ConferenceRescheduled { date, .. } => {
                format!("Conference moved to {}", date.format("%-d %B %Y"))
            }
            Change::ResponsibilityAccepted { by_authority, .. } => {
                format!("{by_authority} accepted responsibility")
            }
            Change::ResponsibilityConfirmedInWriting { .. } => {
                "Responsibility confirmed in writing".into()
            }
            Change::StrategyDiscussionConvened { .. } => "Strategy discussion convened".into(),
            Change::StrategyDiscussionHeld { record, .. } => format!(
                "Strategy discussion held: {}",
                if record.initiate_s47 {
                    "section 47 enquiries initiated"
                } else {
                    "no section 47 enquiries"
                }
            ),
            Change::EnquiryInitiated { .. } => "Section 47 enquiry started".into(),
            Change::EnquiryTaskRecorded { task, .. } => format!("Section 47: {}", task.label()),
            Change::EnquiryOutcomeRecommended { finding, .. } => format!(
                "Section 47 outcome recommended: concerns {}",
                if finding.substantiated {
                    "substantiated"
                } else {
                    "not substantiated"
                }
            ),
            Change::EnquiryCountersigned { .. } => "Section 47 outcome countersigned".into(),
            Change::ConferenceRequested { .. } => "A practitioner asked for a conference".into(),
            Change::ConferenceRequestAnswered { agreed, .. } => format!(
                "Request for a conference {}",
                if *agreed { "agreed" } else { "refused" }
            ),
            Change::ConferenceRequestEscalated { .. } => "Refusal of a conference escalated".into(),
            Change::ConferenceEscalationAnswered { agreed, .. } => format!(
                "Escalated request for a conference {}",
                if *agreed { "agreed" } else { "refused" }
            ),
            Change::ConferenceConvened { conference } => {
                format!("{} to be held", conference.kind.label())
            }
            Change::ConferenceScheduled { date, .. } => {
                format!("Conference arranged for {}", date.format("%-d %B %Y"))
            }
            Change::AgencyReportSubmitted { report, .. } => {
                format!("Report for the conference from {}", report.agency)
            }
            Change::ChairMetFamily { .. } => "The chair met the child and family".into(),
            Change::ConferenceHeld { record, .. } => match &record.outcome {
                P::ConferenceOutcome::Plan { .. } => {
                    "Conference held: child protection plan".into()
                }
                P::ConferenceOutcome::NoPlan { .. } => {
                    "Conference held: no child protection plan".into()
                }
                P::ConferenceOutcome::Discontinue { .. } => {
                    "Conference held: plan discontinued".into()
                }
                P::ConferenceOutcome::ConsiderProceedings { .. } => {
                    "Conference held: plan continues; proceedings to be considered".into()
                }
            },
            Change::ConferenceCancelled { .. } => "Conference no longer needed".into(),
            Change::CpPlanVersionRecorded { version } => format!(
                "Child protection plan version {} ({})",
                version.number,
                if version.detailed {
                    "detailed"
                } else {
                    "outline"
                }
            ),
            Change::CoreGroupHeld { .. } => "Core group meeting".into(),
            Change::CpPlanEnded { end } => {
                format!("Child protection plan ended: {}", end.reason.label())
            }
            Change::TransferInNotified { from_authority, .. } => {
                format!("Moving in on a plan from {from_authority}")
            }
            Change::PreProceedingsRecorded { step, .. } => step.label().to_string(),
            Change::DeathNotified { .. } => "The partners were told of the child's death".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Open,
    Closed,
}

/// A lead practitioner's time on the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub practitioner: Practitioner,
    pub from: NaiveDateTime,
    pub family_views: String,
    pub handover: String,
    pub allocated_by: Actor,
}

/// A proposal waiting for the practitioner's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub to: Practitioner,
    pub at: NaiveDateTime,
    pub by: Actor,
    pub family_views: String,
    pub handover: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub given: bool,
    pub given_by: String,
    pub told: String,
    pub on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sharing {
    pub about: String,
    pub on: Option<NaiveDate>,
    pub how: String,
    pub not_shared_reason: Option<String>,
    pub recorded_at: NaiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub to_authority: String,
    pub to_agency: Option<AgencyId>,
    pub informed_on: NaiveDate,
    pub information_sent_on: NaiveDate,
    pub note: String,
    pub completed_on: Option<NaiveDate>,
    pub accepted_by: Option<String>,
    pub new_case: Option<CaseId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub on: NaiveDate,
    pub reason: ClosureReason,
    pub note: String,
    pub by: Actor,
}

/// Work an authorised assessment asks for that later commands close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Followup {
    pub assessment: u32,
    pub outcome: AssessmentOutcome,
    pub since: NaiveDate,
}

/// A case, as its events made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub child: PersonId,
    pub service: Service,
    pub stage: Stage,
    pub opened_at: NaiveDateTime,
    pub opened_by: Actor,
    pub referral: Option<ReferralId>,
    pub referral_date: NaiveDate,
    pub local_authority: String,
    pub reason: String,
    pub reopens: Option<CaseId>,
    pub transferred_from: Option<CaseId>,
    pub lead: Option<Allocation>,
    /// Every lead practitioner the case has had, the current one last.
    pub allocations: Vec<Allocation>,
    pub proposal: Option<Proposal>,
    pub consent: Option<Consent>,
    pub assessments: Vec<Assessment>,
    pub plans: Vec<Plan>,
    /// The highest action number given so far.
    pub last_action: u32,
    pub fgc: Vec<(FgcStage, NaiveDate, String)>,
    pub step_up_requested: Option<(NaiveDateTime, String)>,
    /// Service changes as (date, to, reason).
    pub service_changes: Vec<(NaiveDate, Service, String)>,
    /// The start of the assessment clock for the next statutory assessment: the
    /// referral date, or the date of a step up.
    pub clock_from: Option<NaiveDate>,
    pub shared: Vec<Sharing>,
    pub transfer: Option<Transfer>,
    /// The last completed assessment's outcome, while its follow-up is outstanding.
    pub followup: Option<Followup>,
    pub closure: Option<Closure>,
    /// Child protection (issue 5).
    #[serde(default)]
    pub protection: Protection,
    /// The child's primary need, as last recorded (CIN census).
    #[serde(default)]
    pub primary_need: Option<crate::census::PrimaryNeed>,
}

impl Case {
    pub fn is_open(&self) -> bool {
        self.stage == Stage::Open
    }
    pub fn assessment(&self, n: u32) -> Option<&Assessment> {
        self.assessments.iter().find(|a| a.number == n)
    }
    fn assessment_mut(&mut self, n: u32) -> Option<&mut Assessment> {
        self.assessments.iter_mut().find(|a| a.number == n)
    }
    pub fn plan(&self, n: u32) -> Option<&Plan> {
        self.plans.iter().find(|p| p.number == n)
    }
    fn plan_mut(&mut self, n: u32) -> Option<&mut Plan> {
        self.plans.iter_mut().find(|p| p.number == n)
    }
    /// The actions of plan `n`, or of the open child protection plan for 0.
    pub fn plan_actions(&self, n: u32) -> Option<&[PlanAction]> {
        if n == 0 {
            self.protection.open_plan().map(|p| p.actions.as_slice())
        } else {
            self.plan(n).map(|p| p.actions.as_slice())
        }
    }
    pub fn open_plan(&self) -> Option<&Plan> {
        self.plans.iter().find(|p| p.is_open())
    }
    pub fn open_assessments(&self) -> impl Iterator<Item = &Assessment> {
        self.assessments.iter().filter(|a| a.is_open())
    }
    pub fn lead_user(&self) -> Option<crate::ids::UserId> {
        self.lead.as_ref().map(|l| l.practitioner.user)
    }
    pub fn consent_given(&self) -> bool {
        self.consent.as_ref().is_some_and(|c| c.given)
    }
    /// The Signs of Safety (or other practice model) scale across every plan's
    /// meetings, oldest first.
    pub fn scale_trend(&self) -> Vec<(NaiveDate, u8)> {
        let mut all: Vec<_> = self.plans.iter().flat_map(|p| p.scale_trend()).collect();
        all.sort();
        all
    }
    /// Every action of every plan, with its plan's number.
    pub fn actions(&self) -> impl Iterator<Item = (u32, &PlanAction)> {
        self.plans
            .iter()
            .flat_map(|p| p.actions.iter().map(move |a| (p.number, a)))
    }

    /// The invariants no sequence of commands may break (issue 4's property tests).
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.stage == Stage::Closed {
            if self.closure.is_none() {
                return Err("closed without a closure".into());
            }
            if self.open_plan().is_some() {
                return Err("closed with an open plan".into());
            }
            if self.open_assessments().next().is_some() {
                return Err("closed with an open assessment".into());
            }
        }
        if self.stage == Stage::Closed && self.protection.open_plan().is_some() {
            return Err("closed with an open child protection plan".into());
        }
        self.protection.check_invariants()?;
        if self.plans.iter().filter(|p| p.is_open()).count() > 1 {
            return Err("more than one open plan".into());
        }
        // Once a lead practitioner has been allocated, the case is never without one.
        if self.is_open() && !self.allocations.is_empty() && self.lead.is_none() {
            return Err("open case left without a lead practitioner".into());
        }
        if let Some(l) = &self.lead {
            if self.service == Service::SocialCare
                && !l.practitioner.role.is_childrens_social_care()
                && self
                    .open_plan()
                    .is_some_and(|p| p.kind == super::PlanKind::ChildInNeed)
            {
                return Err("a child in need plan led from outside children's social care".into());
            }
        }
        Ok(())
    }
}

/// Fold one event into the case. Events come from [`super::decide()`], which has
/// already checked them; an event that does not fit is ignored rather than panicking
/// on stored history.
pub fn apply(state: Option<Case>, event: &CaseEvent) -> Option<Case> {
    let CaseEvent { at, by, change } = event;
    let Some(mut c) = state else {
        let Change::Opened {
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
        } = change
        else {
            return None;
        };
        return Some(Case {
            id: *case,
            child: *child,
            service: *service,
            stage: Stage::Open,
            opened_at: *at,
            opened_by: *by,
            referral: *referral,
            referral_date: *referral_date,
            local_authority: local_authority.clone(),
            reason: reason.clone(),
            reopens: *reopens,
            transferred_from: *transferred_from,
            lead: None,
            allocations: Vec::new(),
            proposal: None,
            consent: None,
            assessments: Vec::new(),
            plans: Vec::new(),
            last_action: 0,
            fgc: Vec::new(),
            step_up_requested: None,
            service_changes: Vec::new(),
            clock_from: Some(*referral_date),
            shared: Vec::new(),
            transfer: None,
            followup: None,
            closure: None,
            protection: Protection::default(),
            primary_need: *primary_need,
        });
    };
    match change {
        Change::Opened { .. } => {}
        Change::PrimaryNeedRecorded { need } => c.primary_need = Some(*need),
        Change::AllocationProposed {
            to,
            family_views,
            handover,
        } => {
            c.proposal = Some(Proposal {
                to: to.clone(),
                at: *at,
                by: *by,
                family_views: family_views.clone(),
                handover: handover.clone(),
            })
        }
        Change::AllocationAccepted => {
            if let Some(p) = c.proposal.take() {
                let new = Allocation {
                    practitioner: p.to,
                    from: *at,
                    family_views: p.family_views,
                    handover: p.handover,
                    allocated_by: p.by,
                };
                c.lead = Some(new.clone());
                c.allocations.push(new);
            }
        }
        Change::AllocationDeclined { .. } => c.proposal = None,
        Change::ConsentRecorded {
            given,
            given_by,
            told,
            on,
        } => {
            c.consent = Some(Consent {
                given: *given,
                given_by: given_by.clone(),
                told: told.clone(),
                on: *on,
            })
        }
        Change::AssessmentStarted {
            number,
            kind,
            started_on,
            clock_from,
            due,
            rule_id,
            about,
            gestation_weeks,
        } => {
            if kind.is_statutory() {
                // The referral's clock is spent by the first statutory assessment.
                c.clock_from = None;
            }
            c.assessments.push(Assessment {
                number: *number,
                kind: *kind,
                started_on: *started_on,
                clock_from: *clock_from,
                due: *due,
                rule_id: rule_id.clone(),
                about: about.clone(),
                gestation_weeks: *gestation_weeks,
                stage: AssessmentStage::InProgress,
                seen: Vec::new(),
                contributions: Vec::new(),
                specialist: Vec::new(),
                record: AssessmentRecord::default(),
                outcome: None,
                outcome_reasons: String::new(),
                child_not_seen_reason: None,
                completed_on: None,
                late_reason: None,
                extension: None,
                returned: Vec::new(),
                factors: Vec::new(),
                submitted_on: None,
            })
        }
        Change::ChildSeen { assessment, seen } => {
            if let Some(a) = c.assessment_mut(*assessment) {
                a.seen.push(seen.clone());
            }
        }
        Change::ContributionRequested {
            assessment,
            agency,
            on,
        } => {
            if let Some(a) = c.assessment_mut(*assessment) {
                a.contributions.push(Contribution {
                    agency: agency.clone(),
                    requested_on: *on,
                    chased_on: Vec::new(),
                    received_on: None,
                    summary: String::new(),
                });
            }
        }
        Change::ContributionChased {
            assessment,
            index,
            on,
        } => {
            if let Some(x) = c
                .assessment_mut(*assessment)
                .and_then(|a| a.contributions.get_mut(*index))
            {
                x.chased_on.push(*on);
            }
        }
        Change::ContributionReceived {
            assessment,
            index,
            on,
            summary,
        } => {
            if let Some(x) = c
                .assessment_mut(*assessment)
                .and_then(|a| a.contributions.get_mut(*index))
            {
                x.received_on = Some(*on);
                x.summary = summary.clone();
            }
        }
        Change::SpecialistAssessmentRequested {
            assessment,
            what,
            on,
        } => {
            if let Some(a) = c.assessment_mut(*assessment) {
                a.specialist.push((*on, what.clone()));
            }
        }
        Change::AssessmentRecorded { assessment, record } => {
            if let Some(a) = c.assessment_mut(*assessment) {
                a.record = record.clone();
            }
        }
        Change::AssessmentSubmitted {
            assessment,
            outcome,
            reasons,
            child_not_seen_reason,
            primary_need,
            factors,
        } => {
            if let Some(a) = c.assessment_mut(*assessment) {
                a.stage = AssessmentStage::Submitted;
                a.outcome = Some(*outcome);
                a.outcome_reasons = reasons.clone();
                a.child_not_seen_reason = child_not_seen_reason.clone();
                a.factors = factors.clone();
                a.submitted_on = Some(at.date());
            }
            if primary_need.is_some() {
                c.primary_need = *primary_need;
            }
        }
        Change::AssessmentReturned { assessment, reason } => {
            if let Some(a) = c.assessment_mut(*assessment) {
                a.stage = AssessmentStage::InProgress;
                a.returned.push(reason.clone());
            }
        }
        Change::AssessmentExtended {
            assessment,
            reason,
            agreed_until,
            ..
        } => {
            if let Some(a) = c.assessment_mut(*assessment) {
                a.extension = Some((*agreed_until, reason.clone()));
            }
        }
        Change::AssessmentCompleted {
            assessment,
            on,
            late_reason,
        } => {
            let mut followup = None;
            if let Some(a) = c.assessment_mut(*assessment) {
                a.stage = AssessmentStage::Completed;
                a.completed_on = Some(*on);
                a.late_reason = late_reason.clone();
                followup = a.outcome.map(|o| Followup {
                    assessment: a.number,
                    outcome: o,
                    since: *on,
                });
            }
            c.followup = followup.filter(|f| f.outcome != AssessmentOutcome::ContinueHelp);
            if c.followup
                .as_ref()
                .is_some_and(|f| f.outcome == AssessmentOutcome::FamilyHelp)
            {
                // The step down the assessment concluded on (¶158–¶160).
                c.service = Service::FamilyHelp;
                c.service_changes
                    .push((*on, Service::FamilyHelp, "assessment outcome".into()));
                c.followup = None;
            }
        }
        Change::PlanMade { plan } => {
            c.last_action = c
                .last_action
                .max(plan.actions.iter().map(|a| a.number).max().unwrap_or(0));
            if c.followup
                .as_ref()
                .is_some_and(|f| f.outcome == AssessmentOutcome::ChildInNeedPlan)
                && plan.kind == super::PlanKind::ChildInNeed
            {
                c.followup = None;
            }
            c.plans.push(plan.clone());
        }
        Change::ActionAdded { plan, action } => {
            c.last_action = c.last_action.max(action.number);
            if let Some(p) = c.plan_mut(*plan) {
                p.actions.push(action.clone());
            }
        }
        Change::ActionDone {
            plan,
            action,
            on,
            note,
        } => {
            let found = if *plan == 0 {
                c.protection
                    .open_plan_mut()
                    .and_then(|p| p.actions.iter_mut().find(|a| a.number == *action))
            } else {
                c.plan_mut(*plan)
                    .and_then(|p| p.actions.iter_mut().find(|a| a.number == *action))
            };
            if let Some(a) = found {
                a.done_on = Some(*on);
                a.done_note = note.clone();
            }
        }
        Change::MeetingHeld {
            plan,
            meeting,
            new_actions,
        } => {
            c.last_action = c
                .last_action
                .max(new_actions.iter().map(|a| a.number).max().unwrap_or(0));
            if let Some(p) = c.plan_mut(*plan) {
                p.meetings.push(meeting.clone());
                p.next_review = meeting.next_review;
                p.actions.extend(new_actions.iter().cloned());
            }
        }
        Change::PlanEnded { plan, on, reason } => {
            if let Some(p) = c.plan_mut(*plan) {
                p.ended_on = Some(*on);
                p.end_reason = reason.clone();
            }
        }
        Change::FamilyGroupConference { stage, on, note } => {
            c.fgc.push((*stage, *on, note.clone()))
        }
        Change::StepUpRequested { reason } => c.step_up_requested = Some((*at, reason.clone())),
        Change::ServiceChanged { to, on, reason } => {
            c.service = *to;
            c.step_up_requested = None;
            c.service_changes.push((*on, *to, reason.clone()));
            if *to == Service::SocialCare {
                // A step up is a new request for children's social care: the next
                // assessment's clock runs from it (docs/decisions.md).
                c.clock_from = Some(*on);
            }
            c.followup = None;
        }
        Change::SharedWithFamily {
            about,
            on,
            how,
            not_shared_reason,
        } => c.shared.push(Sharing {
            about: about.clone(),
            on: *on,
            how: how.clone(),
            not_shared_reason: not_shared_reason.clone(),
            recorded_at: *at,
        }),
        Change::TransferStarted {
            to_authority,
            to_agency,
            informed_on,
            information_sent_on,
            note,
        } => {
            c.transfer = Some(Transfer {
                to_authority: to_authority.clone(),
                to_agency: *to_agency,
                informed_on: *informed_on,
                information_sent_on: *information_sent_on,
                note: note.clone(),
                completed_on: None,
                accepted_by: None,
                new_case: None,
            })
        }
        Change::TransferCompleted {
            on,
            accepted_by,
            new_case,
        } => {
            if let Some(t) = c.transfer.as_mut() {
                t.completed_on = Some(*on);
                t.accepted_by = Some(accepted_by.clone());
                t.new_case = *new_case;
            }
        }
        Change::EmergencyActionRecorded { emergency } => {
            c.protection.emergencies.push(emergency.clone())
        }
        Change::EpoExtended { number, ends } => {
            if let Some(x) = c.protection.emergency_mut(*number) {
                x.ends = Some(*ends);
                x.extended = true;
            }
        }
        Change::EmergencyEnded {
            number,
            ended_at,
            note,
        } => {
            if let Some(x) = c.protection.emergency_mut(*number) {
                x.ended = Some((*ended_at, note.clone()));
            }
        }
        Change::StrategyDiscussionBroughtForward {
            number,
            due,
            rule_id,
            invitees,
            ..
        } => {
            if let Some(d) = c.protection.discussion_mut(*number) {
                d.due = *due;
                d.rule_id = rule_id.clone();
                for i in invitees {
                    if !d.invitees.contains(i) {
                        d.invitees.push(i.clone());
                    }
                }
            }
        }
        Change::StrategyDiscussionNotHeld { number, not_held } => {
            let moved = match c.protection.discussion_mut(*number) {
                Some(d) => {
                    d.not_held = Some(not_held.clone());
                    std::mem::take(&mut d.invitees)
                }
                None => Vec::new(),
            };
            // A merged discussion's invitees are invited to the one it joins.
            if let Some(into) = not_held
                .merged_into
                .and_then(|n| c.protection.discussion_mut(n))
            {
                for i in moved {
                    if !into.invitees.contains(&i) {
                        into.invitees.push(i);
                    }
                }
            }
        }
        Change::ResponsibilityAccepted {
            number,
            by_authority,
            written_confirmation_on,
        } => {
            if let Some(x) = c.protection.emergency_mut(*number) {
                x.accepted_at = Some(*at);
                x.accepted_by = Some(by_authority.clone());
                x.written_confirmation_on = *written_confirmation_on;
            }
        }
        Change::ResponsibilityConfirmedInWriting { number, on } => {
            if let Some(x) = c.protection.emergency_mut(*number) {
                x.written_confirmation_on = Some(*on);
            }
        }
        Change::StrategyDiscussionConvened { discussion } => {
            c.protection.discussions.push(discussion.clone());
            // The front door's or the assessment's "strategy discussion" follow-up is done.
            if c.followup
                .as_ref()
                .is_some_and(|f| f.outcome == AssessmentOutcome::StrategyDiscussion)
            {
                c.followup = None;
            }
        }
        Change::StrategyDiscussionHeld { number, record } => {
            c.last_action = c.last_action.max(
                record
                    .immediate_actions
                    .iter()
                    .map(|a| a.number)
                    .max()
                    .unwrap_or(0),
            );
            if let Some(d) = c.protection.discussion_mut(*number) {
                d.record = Some(record.clone());
            }
        }
        Change::EnquiryInitiated { enquiry } => c.protection.enquiries.push(enquiry.clone()),
        Change::EnquiryTaskRecorded {
            enquiry,
            task,
            on,
            note,
        } => {
            if let Some(e) = c.protection.enquiry_mut(*enquiry) {
                e.tasks.push((*task, *on, note.clone()));
            }
        }
        Change::EnquiryOutcomeRecommended { enquiry, finding } => {
            if let Some(e) = c.protection.enquiry_mut(*enquiry) {
                e.recommended_by = Some(by.user);
                e.recommendation = Some(finding.clone());
            }
        }
        Change::EnquiryCountersigned { enquiry, on } => {
            let user = by.user;
            if let Some(e) = c.protection.enquiry_mut(*enquiry) {
                e.countersigned = Some((*on, user));
            }
        }
        Change::ConferenceRequested { by: who, reason } => {
            c.protection.requests.push(P::ConferenceRequest {
                by: who.clone(),
                reason: reason.clone(),
                at: *at,
                answer: None,
                escalated: None,
                by_user: Some(by.user),
                answered_by: None,
                escalated_to: None,
                escalated_at: None,
                escalation_answer: None,
            })
        }
        Change::ConferenceRequestAnswered {
            index,
            agreed,
            reason,
        } => {
            if let Some(r) = c.protection.requests.get_mut(*index) {
                r.answer = Some((*agreed, reason.clone()));
                r.answered_by = Some(by.user);
            }
        }
        Change::ConferenceRequestEscalated { index, reason, to } => {
            if let Some(r) = c.protection.requests.get_mut(*index) {
                r.escalated = Some(reason.clone());
                r.escalated_to = to.clone();
                r.escalated_at = Some(*at);
            }
        }
        Change::ConferenceEscalationAnswered {
            index,
            agreed,
            reason,
        } => {
            if let Some(r) = c.protection.requests.get_mut(*index) {
                r.escalation_answer = Some((*agreed, reason.clone()));
            }
        }
        Change::ConferenceConvened { conference } => {
            c.protection.conferences.push(conference.clone())
        }
        Change::ConferenceScheduled {
            conference,
            date,
            chair,
            invitees,
            time,
            place,
            late,
        } => {
            if let Some(x) = c.protection.conference_mut(*conference) {
                x.date = Some(*date);
                x.time = *time;
                x.place = place.clone();
                x.late = late.clone();
                x.chair = Some(chair.clone());
                x.invitees = invitees.clone();
            }
        }
        Change::ConferenceRescheduled {
            conference,
            date,
            time,
            place,
            reason,
            late,
        } => {
            if let Some(x) = c.protection.conference_mut(*conference) {
                if let Some(from) = x.date {
                    x.rescheduled.push(P::Rescheduled {
                        from,
                        reason: reason.clone(),
                    });
                }
                x.date = Some(*date);
                x.time = Some(*time);
                x.place = place.clone();
                x.late = late.clone();
            }
        }
        Change::AgencyReportSubmitted { conference, report } => {
            if let Some(x) = c.protection.conference_mut(*conference) {
                x.reports.push(report.clone());
            }
        }
        Change::ChairMetFamily {
            conference,
            on,
            note,
        } => {
            if let Some(x) = c.protection.conference_mut(*conference) {
                x.chair_met_family = Some((*on, note.clone()));
            }
        }
        Change::ConferenceHeld { conference, record } => {
            let kind = c.protection.conference(*conference).map(|x| x.kind);
            if let Some(x) = c.protection.conference_mut(*conference) {
                x.record = Some(record.clone());
            }
            super::protection::apply_conference(&mut c.protection, *conference, kind, record);
        }
        Change::ConferenceCancelled { conference, reason } => {
            if let Some(x) = c.protection.conference_mut(*conference) {
                x.cancelled = Some(reason.clone());
            }
        }
        Change::CpPlanVersionRecorded { version } => {
            if let Some(p) = c.protection.open_plan_mut() {
                p.versions.push(version.clone());
            }
        }
        Change::CoreGroupHeld {
            meeting,
            next_by,
            new_actions,
        } => {
            c.last_action = c
                .last_action
                .max(new_actions.iter().map(|a| a.number).max().unwrap_or(0));
            if let Some(p) = c.protection.open_plan_mut() {
                p.core_groups.push(meeting.clone());
                p.next_core_group = Due::Date(*next_by);
                p.actions.extend(new_actions.iter().cloned());
            }
        }
        Change::CpPlanEnded { end } => {
            if let Some(p) = c.protection.open_plan_mut() {
                p.ended = Some(end.clone());
            }
            if end.reason == P::EndReason::Died {
                c.protection.death_notification_due = Some(end.on);
            }
        }
        Change::TransferInNotified {
            from_authority,
            notified_on,
        } => c.protection.transfer_in = Some((*notified_on, from_authority.clone())),
        Change::DeathNotified { on, note } => {
            c.protection.death_notified = Some((*on, note.clone()));
            c.protection.death_notification_due = None;
        }
        Change::PreProceedingsRecorded { step, on, note } => {
            c.protection
                .pre_proceedings
                .push((*step, *on, note.clone()))
        }
        Change::Closed { on, reason, note } => {
            for a in c.assessments.iter_mut().filter(|a| a.is_open()) {
                a.stage = AssessmentStage::Ended;
            }
            c.stage = Stage::Closed;
            c.proposal = None;
            c.followup = None;
            c.closure = Some(Closure {
                on: *on,
                reason: *reason,
                note: note.clone(),
                by: *by,
            });
        }
    }
    Some(c)
}

pub fn replay<'a>(events: impl IntoIterator<Item = &'a CaseEvent>) -> Option<Case> {
    events.into_iter().fold(None, apply)
}

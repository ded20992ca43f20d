//! The API's response bodies as Rust types (issue 15): each handler answers with one
//! of these, and the OpenAPI document's schemas are generated from them, so the
//! document cannot drift from what is sent. Field names are the wire names; no name or
//! date of birth here is ever logged.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use together_domain::access::Scope;
use together_domain::case::protection::StrategyDiscussion;
use together_domain::ids::{EventId, PersonId, UserId};
use together_domain::referral::state::{AcknowledgementMethod, EscalationOutcome};
use together_domain::referral::{Channel, Outcome, Signpost, Stage as ReferralStage};
use together_domain::timescale::{Due, TimescaleRule};
use utoipa::ToSchema;

/// A child's record, as far as the caller may see it.
#[derive(Serialize, ToSchema)]
#[schema(as = Child)]
pub struct ChildBody {
    pub id: PersonId,
    /// "child" or "unborn-child".
    pub kind: String,
    pub given_name: String,
    pub family_name: String,
    #[schema(format = Date)]
    pub date_of_birth: Option<String>,
    #[schema(format = Date)]
    pub expected_date_of_delivery: Option<String>,
    /// "female", "male" or "unknown".
    pub sex: String,
    pub nhs_number: Option<String>,
    /// A restricted record (e.g. a child at risk of being found): only named people see it.
    pub restricted: bool,
    /// "full" for children's social care; "shared-only" for a partner practitioner.
    pub scope: Scope,
    /// How many entries are hidden from the caller (shown as a count only).
    pub withheld_entries: usize,
    /// The chronology, oldest first, filtered to what the caller may see.
    pub chronology: Vec<ChronologyEntryBody>,
}

/// One entry of a child's chronology.
#[derive(Serialize, ToSchema)]
#[schema(as = ChronologyEntry)]
pub struct ChronologyEntryBody {
    pub id: EventId,
    /// The event's type, e.g. "case-note-added".
    #[serde(rename = "type")]
    pub event_type: String,
    /// When it happened (UTC, microseconds).
    pub effective_at: String,
    /// When it was recorded (UTC, microseconds).
    pub recorded_at: String,
    pub actor_role: String,
    /// Its title as the chronology shows it; none where it is withheld.
    pub title: Option<String>,
    /// The entry that corrected this one, if any.
    pub corrected_by: Option<EventId>,
    /// The entry's place in the record's hash chain.
    pub hash: String,
}

/// A case note, added.
#[derive(Serialize, ToSchema)]
#[schema(as = CaseNoteAdded)]
pub struct CaseNoteAddedBody {
    /// The note's entry in the chronology.
    pub id: EventId,
    pub child: PersonId,
}

/// A clock a referral started, and whether it was met.
#[derive(Serialize, ToSchema)]
#[schema(as = ReferralAcknowledgement)]
pub struct AcknowledgementBody {
    pub due: Due,
    pub rule_id: String,
    pub citation: String,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub method: Option<AcknowledgementMethod>,
}

/// The practice supervisor's decision on next steps (WT2026 ¶167), and the feedback
/// the referrer is owed (¶165).
#[derive(Serialize, ToSchema)]
#[schema(as = ReferralDecision)]
pub struct DecisionBody {
    pub due: Due,
    pub rule_id: String,
    pub citation: String,
    pub decided_at: Option<NaiveDateTime>,
    pub on_time: Option<bool>,
    pub outcomes: Option<Vec<Outcome>>,
    /// Where the threshold is not met, why (WT2026 ¶165).
    pub threshold_not_met_reasons: Option<String>,
    /// Other support suggested.
    pub suggestions: Option<Vec<Signpost>>,
    pub suggestions_note: Option<String>,
}

/// A referrer's escalation of a decision, and its answer.
#[derive(Serialize, ToSchema)]
#[schema(as = ReferralEscalation)]
pub struct EscalationBody {
    pub number: u32,
    pub raised_at: NaiveDateTime,
    pub reason: String,
    pub answered_at: Option<NaiveDateTime>,
    pub answer: Option<String>,
    pub outcome: Option<EscalationOutcome>,
}

/// A referral as its referrer sees it: the outcome and feedback they are owed
/// (WT2026 ¶165).
#[derive(Serialize, ToSchema)]
#[schema(as = Referral)]
pub struct ReferralBody {
    pub id: uuid::Uuid,
    /// When it was received (UTC, microseconds).
    pub received_at: String,
    pub channel: Channel,
    pub stage: ReferralStage,
    /// The children, as named or described.
    pub children: String,
    /// Referred again within 12 months of a previous referral.
    pub repeat_referral: bool,
    /// The referrer says the child is at immediate risk or suspects significant harm:
    /// decided the same day (WT2026 ¶164, ¶168).
    pub urgent: bool,
    pub acknowledgement: AcknowledgementBody,
    pub decision: DecisionBody,
    pub escalations: Vec<EscalationBody>,
    /// From when the referrer may chase a decision that has not come.
    pub may_chase_from: NaiveDateTime,
}

/// One referral this agency's system sent.
#[derive(Serialize, ToSchema)]
#[schema(as = ReferralSummary)]
pub struct ReferralSummaryBody {
    pub id: uuid::Uuid,
    pub received_at: String,
    /// "received", "acknowledged", "recommended", "decided", "escalated" or
    /// "escalation-answered".
    pub stage: String,
    pub children: String,
    /// The decision's due date ("2026-12-29" or "2026-12-29T17:00:00").
    pub decision_due: String,
    pub outcome: Option<String>,
    /// Immediate risk or suspected significant harm (WT2026 ¶164, ¶168).
    pub urgent: bool,
}

/// The referrals this agency's system sent, newest first.
#[derive(Serialize, ToSchema)]
#[schema(as = ReferralList)]
pub struct ReferralListBody {
    pub referrals: Vec<ReferralSummaryBody>,
}

/// A piece of open work one of the agency's practitioners owes.
#[derive(Serialize, ToSchema)]
#[schema(as = WorkItem)]
pub struct WorkItemBody {
    /// The process's kind: "referral", "case", or a kernel process's.
    pub process: String,
    /// The process's id.
    pub id: uuid::Uuid,
    /// The work's key within its process.
    pub key: String,
    /// The practitioner who owes it.
    pub owner: Option<UserId>,
    /// The child it is about, if one.
    pub child: Option<PersonId>,
    pub what: String,
    pub due: Option<Due>,
    pub overdue: bool,
    /// To be done at once (shown first).
    pub urgent: bool,
    /// The timescale rule it is due by, in the partnership's profile.
    pub rule: Option<String>,
    pub citation: String,
    /// Where the work is done in Together.
    pub link: String,
}

/// The open work this agency's practitioners owe.
#[derive(Serialize, ToSchema)]
#[schema(as = WorkList)]
pub struct WorkBody {
    pub work: Vec<WorkItemBody>,
}

/// An action of a plan owned by one of the agency's practitioners.
#[derive(Serialize, ToSchema)]
#[schema(as = PlanActionOwned)]
pub struct ActionBody {
    pub case: uuid::Uuid,
    pub child: PersonId,
    pub plan: i64,
    /// "family-help" or "child-in-need".
    pub plan_kind: String,
    pub number: i64,
    pub what: String,
    /// The owner's name as the plan gives it.
    pub owner: String,
    pub owner_user: Option<UserId>,
    #[schema(format = Date)]
    pub due_by: String,
    #[schema(format = Date)]
    pub done_on: Option<String>,
}

/// Plan actions owned by this agency's practitioners, soonest due first.
#[derive(Serialize, ToSchema)]
#[schema(as = ActionList)]
pub struct ActionsBody {
    pub actions: Vec<ActionBody>,
}

/// An action, recorded as done.
#[derive(Serialize, ToSchema)]
#[schema(as = ActionDone)]
pub struct ActionDoneBody {
    pub case: uuid::Uuid,
    pub number: u32,
    pub done_on: Option<NaiveDate>,
}

/// A meeting one of the agency's practitioners is invited to.
#[derive(Serialize, ToSchema)]
#[schema(as = Invitation)]
pub struct InvitationBody {
    pub case: uuid::Uuid,
    /// "strategy" or "conference".
    pub meeting: String,
    pub number: Option<u32>,
    pub invitee: Option<UserId>,
    pub what: String,
    pub due: Option<Due>,
}

/// Meetings this agency's practitioners are invited to.
#[derive(Serialize, ToSchema)]
#[schema(as = InvitationList)]
pub struct InvitationsBody {
    pub invitations: Vec<InvitationBody>,
}

/// A conference report, received.
#[derive(Serialize, ToSchema)]
#[schema(as = ReportReceived)]
pub struct ReportReceivedBody {
    pub case: uuid::Uuid,
    pub conference: u32,
}

/// A strategy discussion's record, for a practitioner invited to it.
#[derive(Serialize, ToSchema)]
#[schema(as = StrategyDiscussionRecord)]
pub struct StrategyRecordBody {
    pub case: uuid::Uuid,
    pub number: u32,
    pub discussion: Option<StrategyDiscussion>,
}

/// The timescales in force, with their citations.
#[derive(Serialize, ToSchema)]
#[schema(as = Timescales)]
pub struct TimescalesBody {
    /// The profile and its version, e.g. "set@2026.1".
    pub profile: String,
    pub rules: Vec<TimescaleRule>,
}

/// When a timescale falls due for a start.
#[derive(Serialize, ToSchema)]
#[schema(as = DueDate)]
pub struct DueBody {
    pub rule: String,
    pub from: String,
    /// "2026-12-29", or "2026-12-29T17:00:00" for a rule in hours.
    pub due: String,
    pub citation: String,
}

/// A bank holiday in England and Wales.
#[derive(Serialize, ToSchema)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub name: String,
}

/// The bank holidays of a year.
#[derive(Serialize, ToSchema)]
#[schema(as = BankHolidays)]
pub struct BankHolidaysBody {
    pub year: i32,
    pub bank_holidays: Vec<BankHoliday>,
}

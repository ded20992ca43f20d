//! Rows the store keeps, as plain data.

use serde::Serialize;
use together_domain::ids::{AgencyId, PersonId, TeamId, UserId};
use together_domain::process::{Owner, Subject, WorkItem};

/// The current view of a person, derived from events (a projection).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonRow {
    pub id: PersonId,
    /// `PersonKind` id.
    pub kind: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<String>,
    pub expected_date_of_delivery: Option<String>,
    pub sex: String,
    pub nhs_number: Option<String>,
    pub upn: Option<String>,
    pub postcode: Option<String>,
    pub restricted: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// Filters for the children list.
#[derive(Clone, Debug, Default)]
pub struct ChildQuery {
    /// Case-insensitive substring of the given or family name.
    pub name: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

/// How a user stands to a child (see `access::Relationship`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Involvement {
    pub child: PersonId,
    pub user: UserId,
    /// "referrer", "participant", "allocated", "granted" or "invited".
    pub kind: String,
    pub since: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogHead {
    pub child: PersonId,
    pub last_seq: i64,
    pub last_hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgencyRow {
    pub id: AgencyId,
    pub name: String,
    /// `AgencyKind` id.
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TeamRow {
    pub id: TeamId,
    pub agency: AgencyId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    /// `Role` id.
    pub role: String,
    pub agency: AgencyId,
    pub team: Option<TeamId>,
    /// argon2id PHC string.
    pub password_hash: String,
    pub active: bool,
    pub created_at: String,
    /// The password was set by an administrator: it must be changed at the next
    /// sign-in before anything else is done (issue 18).
    pub must_change_password: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 of the session token: the token itself is only ever in the cookie.
    pub token_hash: String,
    pub user: UserId,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiClientRow {
    pub id: uuid::Uuid,
    pub name: String,
    pub agency: AgencyId,
    /// SHA-256 of the bearer token.
    pub token_hash: String,
    pub active: bool,
    pub created_at: String,
}

/// One decision about access, as the data protection officer searches it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    pub id: uuid::Uuid,
    pub at: String,
    /// The user, or None for an API client or an anonymous request.
    pub user: Option<UserId>,
    pub api_client: Option<uuid::Uuid>,
    pub role: String,
    pub action: String,
    pub child: Option<PersonId>,
    pub allowed: bool,
    pub reason: String,
    pub break_glass: bool,
    pub request_id: String,
    /// The referral the decision was about, if any.
    pub referral: Option<uuid::Uuid>,
    /// What the decision was about, by kind and id: a child, a referral, a case, a
    /// process of any kind.
    pub subject: Option<Subject>,
}

#[derive(Clone, Debug, Default)]
pub struct AccessQuery {
    /// Only decisions about this subject.
    pub subject: Option<Subject>,
    pub user: Option<UserId>,
    pub child: Option<PersonId>,
    pub referral: Option<uuid::Uuid>,
    pub only_denied: bool,
    pub only_break_glass: bool,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProclamationRow {
    pub date: String,
    pub name: String,
    pub replaces: Option<String>,
    pub added_by: Option<UserId>,
    pub added_at: String,
}

/// A referral as the lists and trays show it: a projection of the referral's own log
/// (the log itself is read with `Store::log`, keyed by the referral id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReferralRow {
    pub id: uuid::Uuid,
    /// UTC timestamp, as events are stored.
    pub received_at: String,
    /// `Channel` id.
    pub channel: String,
    /// `Stage` id.
    pub stage: String,
    /// The children, as named or described ("Ada Smith, the unborn child of Jo Smith").
    pub summary: String,
    /// As the front door sees it (a member of the public who asked not to be named is
    /// still named here: their identity is withheld from the family and other agencies).
    pub referrer_name: String,
    pub referrer_agency_name: Option<String>,
    /// The signed-in user who sent it from the referral form.
    pub submitted_by_user: Option<UserId>,
    /// The agency system (API client) that posted it.
    pub submitted_by_client: Option<uuid::Uuid>,
    pub submitted_by_agency: Option<AgencyId>,
    pub idempotency_key: Option<String>,
    /// The decision's due date as shown ("2026-12-29" or "2026-12-29T17:00:00").
    pub decision_due: String,
    pub decided_at: Option<String>,
    /// The decision's outcome ids, comma-separated.
    pub outcome: Option<String>,
    pub repeat_referral: bool,
    /// How many pieces of open work the referral has.
    pub open_work: i64,
    pub updated_at: String,
    /// Immediate risk or suspected significant harm (WT2026 ¶164, ¶168): shown first
    /// and marked in the lists.
    pub urgent: bool,
}

/// Child `child_index` of a referral is the person `person`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReferralChildRow {
    pub referral: uuid::Uuid,
    pub child_index: i64,
    pub person: PersonId,
    pub received_at: String,
}

/// One piece of open work, whatever the process (the kernel's `WorkItem` as stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkRow {
    /// The process's kind ("referral", "case", ...).
    pub process_kind: String,
    pub process_id: uuid::Uuid,
    pub key: String,
    pub owner: Owner,
    /// The child the work is about, if one.
    pub child: Option<PersonId>,
    pub title: String,
    /// `Due` as JSON, e.g. `{"date":"2026-12-29"}`.
    pub due: String,
    /// The first instant the work is overdue, as wall-clock time in England
    /// ("2026-12-30T00:00:00"): the tray's order.
    pub overdue_from: String,
    pub rule_id: Option<String>,
    pub citation: String,
    /// Where the work is done ("/referrals/<id>").
    pub link: String,
    /// What the tray shows beside the title. Written by the process (a referral's
    /// summary); read back as the child's name as the record has it now when the work
    /// is about a child.
    pub summary: String,
    /// To be done at once (WT2026 ¶164, ¶168: "immediately"): shown first in the tray.
    pub urgent: bool,
}

impl WorkRow {
    /// A process's work item as the work table holds it.
    pub fn of(kind: &str, id: uuid::Uuid, w: &WorkItem, summary: &str) -> WorkRow {
        WorkRow {
            process_kind: kind.to_string(),
            process_id: id,
            key: w.key.clone(),
            owner: w.owner.clone(),
            child: w.child,
            title: w.title.clone(),
            due: serde_json::to_string(&w.due).expect("Due serialises"),
            overdue_from: w.overdue_from().format("%Y-%m-%dT%H:%M:%S").to_string(),
            rule_id: w.rule_id.clone(),
            citation: w.citation.clone(),
            link: w.link.clone(),
            summary: summary.to_string(),
            urgent: w.urgent,
        }
    }
}

/// What a referral's latest event makes of its projection: the row, its linked
/// children and its open work, each replacing what was there.
#[derive(Clone, Debug)]
pub struct ReferralProjection {
    pub row: ReferralRow,
    pub children: Vec<ReferralChildRow>,
    pub work: Vec<WorkRow>,
}

#[derive(Clone, Debug, Default)]
pub struct ReferralQuery {
    pub submitted_by_user: Option<UserId>,
    pub submitted_by_client: Option<uuid::Uuid>,
    /// Only referrals with open work.
    pub open_only: bool,
    pub limit: u32,
    pub offset: u32,
}

/// Which work a tray holds: the work of each of `owners` (a person's own, their role's
/// queues, their team's), merged in the tray's order.
#[derive(Clone, Debug, Default)]
pub struct TrayQuery {
    pub owners: Vec<Owner>,
    /// Only work of this kind of process.
    pub kind: Option<String>,
    /// Only work about this child.
    pub child: Option<PersonId>,
    /// Only work after this place in the tray's order (the next page).
    pub after: Option<WorkAfter>,
    /// Only urgent work (the tray shows it first, issue 16).
    pub urgent_only: bool,
    pub limit: u32,
}

/// A place in a tray's order, which is (overdue from, process id, work key):
/// a page of a tray starts strictly after it. Ids compare as their text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkAfter {
    pub overdue_from: String,
    pub id: String,
    pub key: String,
}

/// How much work a tray holds, and how much of it is overdue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkCount {
    pub total: u64,
    pub overdue: u64,
}

/// A child as the matching index holds them: the projection row and the full names of
/// the people recorded as living with them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchablePerson {
    pub person: PersonRow,
    pub household: Vec<String>,
}

/// A case (one episode of help for one child) as lists and trays show it: a projection
/// of the case's own log (read with `Store::log`, keyed by the case id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseRow {
    pub id: uuid::Uuid,
    pub child: PersonId,
    /// `Service` id: "family-help" or "social-care".
    pub service: String,
    /// "open" or "closed".
    pub stage: String,
    pub local_authority: String,
    /// Wall-clock time in England ("2026-12-10T10:00:00"), as the case's events hold it.
    pub opened_at: String,
    pub referral: Option<uuid::Uuid>,
    /// "2026-12-10".
    pub referral_date: String,
    pub lead_user: Option<UserId>,
    pub closed_on: Option<String>,
    /// CIN census code, "RC1".."RC9".
    pub closure_reason: Option<String>,
    pub updated_at: String,
}

/// One action of a case's plans, for the practitioners (and agency systems) who own them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseActionRow {
    pub case: uuid::Uuid,
    pub number: i64,
    pub child: PersonId,
    pub plan: i64,
    pub plan_kind: String,
    pub what: String,
    pub owner_user: Option<UserId>,
    pub owner_agency: Option<AgencyId>,
    pub owner_name: String,
    /// "2027-01-20".
    pub due_by: String,
    pub done_on: Option<String>,
}

/// What a case's latest event makes of its projection, each part replacing what was there.
#[derive(Clone, Debug)]
pub struct CaseProjection {
    pub row: CaseRow,
    pub work: Vec<WorkRow>,
    pub actions: Vec<CaseActionRow>,
    /// Involvements the case creates (kind "invited": invited to one of its meetings),
    /// added if new; never removed (the record of a meeting stays theirs to read).
    pub involvements: Vec<Involvement>,
}

#[derive(Clone, Debug, Default)]
pub struct CaseActionQuery {
    pub owner_user: Option<UserId>,
    pub owner_agency: Option<AgencyId>,
    pub child: Option<PersonId>,
    pub open_only: bool,
    pub limit: u32,
}

/// A process of a kind that has no table of its own, as lists show it: a projection of
/// its log (read with `Store::log`, keyed by the process id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcessRow {
    pub kind: String,
    pub id: uuid::Uuid,
    pub stage: String,
    pub summary: String,
    /// The process's state as its module serialises it (JSON).
    pub state: String,
    /// UTC timestamps.
    pub opened_at: String,
    pub updated_at: String,
    /// Whom it is about (filled in when read).
    pub subjects: Vec<Subject>,
}

/// What a process's latest event makes of its projection: its row, subjects and open
/// work each replace what was there; involvements are added if new.
#[derive(Clone, Debug)]
pub struct ProcessProjection {
    pub row: ProcessRow,
    pub work: Vec<WorkRow>,
    pub involvements: Vec<Involvement>,
}

#[derive(Clone, Debug, Default)]
pub struct ProcessQuery {
    pub kind: Option<String>,
    /// Only processes about this subject.
    pub subject: Option<Subject>,
    pub limit: u32,
    pub offset: u32,
}

/// An administrative change, made in one transaction with its entry in the
/// administration log (issue 18): the log never says something happened that did not,
/// and nothing happens that it does not say.
#[derive(Clone, Debug)]
pub enum AdminChange {
    CreateUser(UserRow),
    /// A user changed (deactivated, reactivated, a password reset); `end_sessions`
    /// signs them out everywhere.
    UpdateUser {
        user: UserRow,
        end_sessions: bool,
    },
    CreateApiClient(ApiClientRow),
    SetApiClientActive {
        id: uuid::Uuid,
        active: bool,
    },
    AddProclamation(ProclamationRow),
}

/// An entry for the administration log, before the store seals it into the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewAdminEntry {
    pub id: uuid::Uuid,
    /// UTC timestamp.
    pub at: String,
    /// The administrator; `None` for the operator's command line.
    pub actor: Option<UserId>,
    pub actor_name: String,
    /// What was done: "user-created", "password-reset", ...
    pub action: String,
    /// What it was done to: a user's or API client's id, a date.
    pub target: Option<String>,
    pub target_name: String,
    /// What changed, as JSON (never a password or a token).
    pub details: String,
}

/// An entry of the administration log as stored: its place and its hash chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AdminEntry {
    pub seq: i64,
    #[serde(flatten)]
    pub entry: NewAdminEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// A search of the administration log, newest first.
#[derive(Clone, Debug, Default)]
pub struct AdminQuery {
    pub actor: Option<UserId>,
    /// A user's or API client's id, a date.
    pub target: Option<String>,
    /// From this UTC timestamp (inclusive) to that (exclusive).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only entries after this place, oldest first (for verifying the chain).
    pub after_seq: Option<i64>,
    pub limit: u32,
}

/// A sign-in attempt: who it named and where it came from (issue 18, item 9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginAttempt {
    pub id: uuid::Uuid,
    pub username: String,
    /// The client's address ("" if unknown).
    pub client: String,
    pub at: String,
    pub succeeded: bool,
}

/// Failed sign-ins counted for the throttle, each since the window began and since
/// the last success of the same scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoginFailures {
    /// For this username from this address.
    pub from_client: u32,
    /// The latest two failures from this address, newest first.
    pub from_client_latest: Vec<String>,
    /// For this username from any address.
    pub from_anywhere: u32,
    pub from_anywhere_latest: Vec<String>,
    /// This username has signed in from this address before (within what is kept).
    pub client_known: bool,
}

/// What claiming a form's one-time token found (issue 18, item 6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormClaim {
    /// Unused until now: go ahead, then settle it.
    Claimed,
    /// Sent before, and what it made is here.
    Done(String),
    /// Sent before, and not settled: being made now, or the server stopped part way.
    InFlight,
    /// Not a token this user was given (or forgotten since).
    Unknown,
}

//! Rows the store keeps, as plain data.

use serde::Serialize;
use together_domain::ids::{AgencyId, PersonId, TeamId, UserId};

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
    /// "referrer", "participant", "allocated" or "granted".
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
}

#[derive(Clone, Debug, Default)]
pub struct AccessQuery {
    pub user: Option<UserId>,
    pub child: Option<PersonId>,
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

//! Plans: the Family Help plan (WT2026 ¶141–¶157) and the child in need plan (Box
//! "Statutory requirements for children in need"; SET 2.5.24–2.5.27), each with the
//! outcomes sought for the child, actions with an owner and a date, the services
//! provided, and meetings that review it.

use crate::ids::{AgencyId, UserId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanKind {
    FamilyHelp,
    ChildInNeed,
}

impl PlanKind {
    pub fn id(self) -> &'static str {
        match self {
            PlanKind::FamilyHelp => "family-help",
            PlanKind::ChildInNeed => "child-in-need",
        }
    }
    pub fn from_id(s: &str) -> Option<PlanKind> {
        [PlanKind::FamilyHelp, PlanKind::ChildInNeed]
            .into_iter()
            .find(|k| k.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            PlanKind::FamilyHelp => "Family Help plan",
            PlanKind::ChildInNeed => "Child in need plan",
        }
    }
    /// The meeting that reviews this plan.
    pub fn meeting(self) -> MeetingKind {
        match self {
            PlanKind::FamilyHelp => MeetingKind::TeamAroundTheFamily,
            PlanKind::ChildInNeed => MeetingKind::ChildInNeed,
        }
    }
    /// The profile rule for the first review and the next.
    pub fn review_rules(self) -> (&'static str, &'static str) {
        match self {
            PlanKind::FamilyHelp => ("family-help-plan-review", "family-help-plan-review-next"),
            PlanKind::ChildInNeed => ("cin-plan-review", "cin-plan-review-next"),
        }
    }
}

/// Who owns an action: a user of Together (whose tray and agency system show it), or
/// someone named who is not a user (a parent, a relative, a service outside the
/// partnership).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Owner {
    User {
        user: UserId,
        name: String,
        agency: AgencyId,
        agency_name: String,
    },
    Named {
        name: String,
    },
}

impl Owner {
    pub fn name(&self) -> &str {
        match self {
            Owner::User { name, .. } | Owner::Named { name } => name,
        }
    }
    pub fn describe(&self) -> String {
        match self {
            Owner::User {
                name, agency_name, ..
            } => format!("{name} ({agency_name})"),
            Owner::Named { name } => name.clone(),
        }
    }
    pub fn user(&self) -> Option<UserId> {
        match self {
            Owner::User { user, .. } => Some(*user),
            Owner::Named { .. } => None,
        }
    }
    pub fn agency(&self) -> Option<AgencyId> {
        match self {
            Owner::User { agency, .. } => Some(*agency),
            Owner::Named { .. } => None,
        }
    }
}

/// Who does what by when (issue 4: "an action with no owner or date is refused").
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanAction {
    /// Unique within the case.
    pub number: u32,
    pub what: String,
    pub owner: Owner,
    pub by: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub done_note: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingKind {
    /// A team-around-the-family meeting (Family Help).
    TeamAroundTheFamily,
    /// A child in need meeting or review (SET 2.5.26).
    ChildInNeed,
}

impl MeetingKind {
    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::TeamAroundTheFamily => "Team around the family meeting",
            MeetingKind::ChildInNeed => "Child in need meeting",
        }
    }
}

/// Someone at a meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attendee {
    pub name: String,
    /// Role or relationship ("mother", "class teacher", "health visitor").
    pub role: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub agency: String,
}

/// A meeting that reviewed the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub attendees: Vec<Attendee>,
    /// The child's views, in their words or as they gave them.
    pub child_views: String,
    pub summary: String,
    /// The practice model's scale (Signs of Safety: 0 = so worried the child must be
    /// protected, 10 = safe enough to close), where the partnership uses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u8>,
    pub next_review: NaiveDate,
}

/// A plan as the case holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub number: u32,
    pub kind: PlanKind,
    pub agreed_on: NaiveDate,
    /// What should be better for the child, in words the family uses.
    pub outcomes: Vec<String>,
    pub services: Vec<String>,
    /// How the family took part in making it, and their views (¶141).
    pub family_views: String,
    pub actions: Vec<PlanAction>,
    pub meetings: Vec<Meeting>,
    /// When it is next reviewed.
    pub next_review: NaiveDate,
    pub review_rule: Option<String>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: String,
}

impl Plan {
    pub fn is_open(&self) -> bool {
        self.ended_on.is_none()
    }
    pub fn open_actions(&self) -> impl Iterator<Item = &PlanAction> {
        self.actions.iter().filter(|a| a.done_on.is_none())
    }
    /// The scale at each meeting that recorded one, oldest first.
    pub fn scale_trend(&self) -> Vec<(NaiveDate, u8)> {
        self.meetings
            .iter()
            .filter_map(|m| m.scale.map(|s| (m.held_on, s)))
            .collect()
    }
}

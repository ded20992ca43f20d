//! Roles and agencies (design brief, "Who uses it"; WT2026 chapter 2 on the
//! safeguarding partners and relevant agencies).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user does in Together. One role per user account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Front door / MASH worker: takes contacts and referrals.
    FrontDoorWorker,
    /// Social worker, often the lead practitioner (WT2026 ¶170).
    SocialWorker,
    /// Social-work-qualified practice supervisor or team manager (WT2026 ¶167).
    PracticeSupervisor,
    /// Chairs child protection conferences, independent of the case's line management.
    ConferenceChair,
    /// A practitioner in a partner agency: police, health, education, ...
    PartnerPractitioner,
    /// Partnership manager or scrutineer: aggregates, not identifiable case data.
    PartnershipManager,
    /// Manages users, teams and configuration; no access to children's records.
    SystemAdministrator,
    /// Data protection officer: searches the access log.
    DataProtectionOfficer,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::FrontDoorWorker,
        Role::SocialWorker,
        Role::PracticeSupervisor,
        Role::ConferenceChair,
        Role::PartnerPractitioner,
        Role::PartnershipManager,
        Role::SystemAdministrator,
        Role::DataProtectionOfficer,
    ];

    /// Stable id used in storage, URLs and configuration.
    pub fn id(self) -> &'static str {
        match self {
            Role::FrontDoorWorker => "front-door-worker",
            Role::SocialWorker => "social-worker",
            Role::PracticeSupervisor => "practice-supervisor",
            Role::ConferenceChair => "conference-chair",
            Role::PartnerPractitioner => "partner-practitioner",
            Role::PartnershipManager => "partnership-manager",
            Role::SystemAdministrator => "system-administrator",
            Role::DataProtectionOfficer => "data-protection-officer",
        }
    }

    pub fn from_id(id: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Words a user sees.
    pub fn label(self) -> &'static str {
        match self {
            Role::FrontDoorWorker => "Front door worker",
            Role::SocialWorker => "Social worker",
            Role::PracticeSupervisor => "Practice supervisor",
            Role::ConferenceChair => "Conference chair",
            Role::PartnerPractitioner => "Partner practitioner",
            Role::PartnershipManager => "Partnership manager",
            Role::SystemAdministrator => "System administrator",
            Role::DataProtectionOfficer => "Data protection officer",
        }
    }

    /// Staff of the local authority's children's social care, who hold the child's
    /// record (WT2026 ¶163: the local authority's lead role under the Children Act 1989).
    pub fn is_childrens_social_care(self) -> bool {
        matches!(
            self,
            Role::FrontDoorWorker
                | Role::SocialWorker
                | Role::PracticeSupervisor
                | Role::ConferenceChair
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The kind of agency a user works for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgencyKind {
    ChildrensSocialCare,
    Police,
    Health,
    Education,
    EarlyYears,
    Probation,
    Housing,
    VoluntarySector,
    YouthJustice,
    Partnership,
    Other,
}

impl AgencyKind {
    pub const ALL: [AgencyKind; 11] = [
        AgencyKind::ChildrensSocialCare,
        AgencyKind::Police,
        AgencyKind::Health,
        AgencyKind::Education,
        AgencyKind::EarlyYears,
        AgencyKind::Probation,
        AgencyKind::Housing,
        AgencyKind::VoluntarySector,
        AgencyKind::YouthJustice,
        AgencyKind::Partnership,
        AgencyKind::Other,
    ];

    pub fn id(self) -> &'static str {
        match self {
            AgencyKind::ChildrensSocialCare => "childrens-social-care",
            AgencyKind::Police => "police",
            AgencyKind::Health => "health",
            AgencyKind::Education => "education",
            AgencyKind::EarlyYears => "early-years",
            AgencyKind::Probation => "probation",
            AgencyKind::Housing => "housing",
            AgencyKind::VoluntarySector => "voluntary-sector",
            AgencyKind::YouthJustice => "youth-justice",
            AgencyKind::Partnership => "partnership",
            AgencyKind::Other => "other",
        }
    }

    pub fn from_id(id: &str) -> Option<AgencyKind> {
        AgencyKind::ALL.into_iter().find(|a| a.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            AgencyKind::ChildrensSocialCare => "Children's social care",
            AgencyKind::Police => "Police",
            AgencyKind::Health => "Health",
            AgencyKind::Education => "Education",
            AgencyKind::EarlyYears => "Early years",
            AgencyKind::Probation => "Probation",
            AgencyKind::Housing => "Housing",
            AgencyKind::VoluntarySector => "Voluntary sector",
            AgencyKind::YouthJustice => "Youth justice",
            AgencyKind::Partnership => "Safeguarding partnership",
            AgencyKind::Other => "Other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_ids_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_id(r.id()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.id());
        }
        for a in AgencyKind::ALL {
            assert_eq!(AgencyKind::from_id(a.id()), Some(a));
        }
    }
}

//! Help for a child and family once the front door has decided: the *case* (one
//! episode of help, the CIN census "CIN episode") from its opening to its closure
//! (WT2026 chapter 3 sections 1–3, ¶120–¶241; SET 2.5; NSCP §5–§7).
//!
//! Pure, like the referral (design principle 2): [`decide()`] turns a [`Command`] into
//! events or a [`Refusal`]; [`apply`] folds an event into the [`Case`]. A case has a log
//! of its own (keyed by its [`CaseId`]), so re-opening a closed case starts a new log and
//! leaves the old one intact.
//!
//! - [`assessment`]: the child and family assessment (¶162–¶169) and the assessments
//!   the guidance names separately (young carers, parent carers, pre-birth, Family Help);
//! - [`plan`]: Family Help plans and child in need plans, their actions, meetings and
//!   reviews, with the practice model's scale;
//! - [`state`]: the case's events and [`apply`];
//! - [`decide`](mod@decide): commands, who may give them, and the rules;
//! - [`work`]: what the case still needs, for the work trays.

pub mod assessment;
pub mod decide;
pub mod plan;
pub mod process;
pub mod protect;
pub mod protection;
pub mod state;
pub mod work;

pub use assessment::{
    Assessment, AssessmentKind, AssessmentOutcome, AssessmentRecord, Contribution, SeenAlone,
};
pub use decide::{decide, Command, Context, Refusal};
pub use plan::{Attendee, Meeting, MeetingKind, Owner, Plan, PlanAction, PlanKind};
pub use state::{apply, replay, Case, CaseEvent, Change, Stage};
pub use work::{open_work, work_items, CaseWork};

use crate::ids::{AgencyId, UserId};
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// Which service the case is in. A case steps up and down between them without being
/// asked everything again: it is the same case, with the same record (WT2026 ¶141,
/// ¶158–¶160).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    /// Family Help: targeted help under section 17 with the family's consent, led by a
    /// lead practitioner who may work in a partner agency (WT2026 ¶120–¶160, ¶170–¶175).
    FamilyHelp,
    /// Children's social care: a child and family assessment and, where needed, a child
    /// in need plan, led by a social worker (WT2026 ¶162–¶169, ¶176).
    SocialCare,
}

impl Service {
    pub fn id(self) -> &'static str {
        match self {
            Service::FamilyHelp => "family-help",
            Service::SocialCare => "social-care",
        }
    }
    pub fn from_id(s: &str) -> Option<Service> {
        [Service::FamilyHelp, Service::SocialCare]
            .into_iter()
            .find(|x| x.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Service::FamilyHelp => "Family Help",
            Service::SocialCare => "Children's social care",
        }
    }
}

/// Why a case closed: the CIN census `ReasonForClosure` codes (DfE, Children in need
/// census 2025 to 2026 guide, "Reason for closure").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClosureReason {
    RC1,
    RC2,
    RC3,
    RC4,
    RC5,
    RC6,
    RC7,
    RC8,
    RC9,
}

impl ClosureReason {
    pub const ALL: [ClosureReason; 9] = [
        ClosureReason::RC1,
        ClosureReason::RC2,
        ClosureReason::RC3,
        ClosureReason::RC4,
        ClosureReason::RC5,
        ClosureReason::RC6,
        ClosureReason::RC7,
        ClosureReason::RC8,
        ClosureReason::RC9,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ClosureReason::RC1 => "RC1",
            ClosureReason::RC2 => "RC2",
            ClosureReason::RC3 => "RC3",
            ClosureReason::RC4 => "RC4",
            ClosureReason::RC5 => "RC5",
            ClosureReason::RC6 => "RC6",
            ClosureReason::RC7 => "RC7",
            ClosureReason::RC8 => "RC8",
            ClosureReason::RC9 => "RC9",
        }
    }
    pub fn from_code(s: &str) -> Option<ClosureReason> {
        ClosureReason::ALL.into_iter().find(|c| c.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            ClosureReason::RC1 => "Adopted",
            ClosureReason::RC2 => "Died",
            ClosureReason::RC3 => "Child arrangements order",
            ClosureReason::RC4 => "Special guardianship order",
            ClosureReason::RC5 => "Transferred to services of another local authority",
            ClosureReason::RC6 => "Transferred to adult social care services",
            ClosureReason::RC7 => {
                "Services ceased for any other reason, including the child no longer being in need"
            }
            ClosureReason::RC8 => "Case closed after assessment, no further action",
            ClosureReason::RC9 => "Case closed after assessment, referred to early help",
        }
    }
}

/// A practitioner as the case records them: who they are when the event is written,
/// so the history reads the same after they move on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practitioner {
    pub user: UserId,
    pub name: String,
    pub role: Role,
    pub agency: AgencyId,
    pub agency_name: String,
}

impl Practitioner {
    /// "Sam Patel (social worker, Children's social care)".
    pub fn describe(&self) -> String {
        format!(
            "{} ({}, {})",
            self.name,
            self.role.label().to_lowercase(),
            self.agency_name
        )
    }
}

/// Who did something, inside the case's events: the one actor of every process (the
/// same fields and JSON as the case's own type had, so stored events read unchanged).
pub use crate::referral::Actor;

/// Longest free text in a case command.
pub const MAX_TEXT: usize = 20_000;
/// Longest short text (a name, an agency, an action's description).
pub const MAX_SHORT: usize = 500;

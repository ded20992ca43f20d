//! The decision's vocabulary: the ¶167 outcomes, signposting, and the work items a
//! decision creates for the trays.

use crate::ids::PersonId;
use crate::timescale::Due;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the practice supervisor decides (WT2026 ¶167 bullets; SET 2.4.21). More than one
/// may apply (e.g. a strategy discussion and seeing the child); no further action stands
/// alone.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// "The child requires immediate protection and urgent action is required" (¶167, ¶168).
    ImmediateProtection,
    /// "Reasonable cause to suspect that the child is suffering or likely to suffer
    /// significant harm": a strategy discussion to decide on section 47 enquiries
    /// (¶167; ch.3 s4 "Strategy discussion", 003 L1669).
    StrategyDiscussion,
    /// "The child is in need and should be assessed under section 17" (¶167).
    ChildInNeedAssessment,
    /// "Any immediate services are required urgently by the child and family" (¶167).
    ImmediateServices,
    /// "Further specialist assessments are required" (¶167).
    SpecialistAssessment,
    /// "To see the child as soon as possible if ... the referral requires further
    /// assessment" (¶167).
    SeeChild,
    /// No further action by children's social care at this stage, with signposting to
    /// universal services, early help or Family Help (SET 2.4.21, 2.4.25; WT2026 ¶165).
    NoFurtherAction,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::ImmediateProtection,
        Outcome::StrategyDiscussion,
        Outcome::ChildInNeedAssessment,
        Outcome::ImmediateServices,
        Outcome::SpecialistAssessment,
        Outcome::SeeChild,
        Outcome::NoFurtherAction,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Outcome::ImmediateProtection => "immediate-protection",
            Outcome::StrategyDiscussion => "strategy-discussion",
            Outcome::ChildInNeedAssessment => "child-in-need-assessment",
            Outcome::ImmediateServices => "immediate-services",
            Outcome::SpecialistAssessment => "specialist-assessment",
            Outcome::SeeChild => "see-child",
            Outcome::NoFurtherAction => "no-further-action",
        }
    }
    pub fn from_id(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Outcome::ImmediateProtection => "Immediate protection and urgent action",
            Outcome::StrategyDiscussion => {
                "Reasonable cause to suspect significant harm: strategy discussion (section 47)"
            }
            Outcome::ChildInNeedAssessment => "Child in need assessment (section 17)",
            Outcome::ImmediateServices => "Immediate services",
            Outcome::SpecialistAssessment => "Further specialist assessment",
            Outcome::SeeChild => "See the child as soon as possible",
            Outcome::NoFurtherAction => "No further action, with signposting",
        }
    }
    /// The level of need this response meets, on the four-level continuum the threshold
    /// model uses (NSCP §4.1: 1 universal, 2 early help, 3 targeted / child in need,
    /// 4 statutory intervention). No further action is level 1; its signposting may
    /// raise it ([`Signpost::level`]).
    pub fn level(self) -> u8 {
        match self {
            Outcome::ImmediateProtection | Outcome::StrategyDiscussion => 4,
            Outcome::ChildInNeedAssessment
            | Outcome::ImmediateServices
            | Outcome::SpecialistAssessment
            | Outcome::SeeChild => 3,
            Outcome::NoFurtherAction => 1,
        }
    }
    /// Whether this outcome leads to a strategy discussion: directly, or after
    /// immediate protective action ("planned emergency action will normally take place
    /// following an immediate strategy discussion ... a strategy discussion should take
    /// place as soon as possible after action has been taken", 003 L1659–L1661).
    pub fn leads_to_strategy_discussion(self) -> bool {
        matches!(
            self,
            Outcome::StrategyDiscussion | Outcome::ImmediateProtection
        )
    }
}

/// Where a referral that does not need children's social care is pointed (WT2026 ¶165
/// "suggestions for other sources of more suitable support"; SET 2.4.21).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signpost {
    UniversalServices,
    EarlyHelp,
    FamilyHelp,
    OtherAgency,
}

impl Signpost {
    pub const ALL: [Signpost; 4] = [
        Signpost::UniversalServices,
        Signpost::EarlyHelp,
        Signpost::FamilyHelp,
        Signpost::OtherAgency,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Signpost::UniversalServices => "universal-services",
            Signpost::EarlyHelp => "early-help",
            Signpost::FamilyHelp => "family-help",
            Signpost::OtherAgency => "other-agency",
        }
    }
    pub fn from_id(s: &str) -> Option<Signpost> {
        Signpost::ALL.into_iter().find(|o| o.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Signpost::UniversalServices => "Universal services",
            Signpost::EarlyHelp => "Early help",
            Signpost::FamilyHelp => "Family Help",
            Signpost::OtherAgency => "Another agency or service",
        }
    }
    /// Universal services meet level 1 needs, early help level 2, and Family Help
    /// (targeted early help, WT2026 ¶121–¶125) level 3 (NSCP §4.1 "Targeted Support":
    /// "Contact the Early Help Support Service").
    pub fn level(self) -> u8 {
        match self {
            Signpost::UniversalServices | Signpost::OtherAgency => 1,
            Signpost::EarlyHelp => 2,
            Signpost::FamilyHelp => 3,
        }
    }
}

/// How soon a strategy discussion is needed; each names a profile rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StrategyUrgency {
    /// SET L2057–L2061: within three working days of concerns being identified.
    #[default]
    Routine,
    /// SET L2066–L2068: the same day (serious physical injury, serious neglect).
    SeriousHarm,
    /// SET L2070–L2072: the same day (penetrative sexual abuse, forensic evidence).
    Forensic,
    /// SET L2077–L2080: within five working days (organised abuse, allegations
    /// against staff).
    Complex,
}

impl StrategyUrgency {
    /// The profile rule id for this urgency.
    pub fn rule_id(self) -> &'static str {
        match self {
            StrategyUrgency::Routine => "strategy-routine",
            StrategyUrgency::SeriousHarm => "strategy-serious-harm",
            StrategyUrgency::Forensic => "strategy-forensic",
            StrategyUrgency::Complex => "strategy-complex",
        }
    }
}

/// What the next piece of work is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkKind {
    /// Act now to secure the child's safety (¶168).
    ImmediateProtection,
    /// Convene the strategy discussion.
    StrategyDiscussion,
    /// Allocate and carry out the child and family assessment (s17).
    Assessment,
    /// Arrange the immediate services.
    ImmediateServices,
    /// Commission the specialist assessment.
    SpecialistAssessment,
    /// See the child.
    SeeChild,
}

impl WorkKind {
    pub fn label(self) -> &'static str {
        match self {
            WorkKind::ImmediateProtection => "Take immediate protective action",
            WorkKind::StrategyDiscussion => "Convene the strategy discussion",
            WorkKind::Assessment => "Allocate and complete the assessment",
            WorkKind::ImmediateServices => "Arrange immediate services",
            WorkKind::SpecialistAssessment => "Arrange the specialist assessment",
            WorkKind::SeeChild => "See the child",
        }
    }
}

/// A child of the referral the work is about: its index in the referral, and its
/// record if it had been linked when the work was created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildRef {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonId>,
}

/// A piece of work a decision creates, as the app stores it and shows it in trays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkItem {
    pub kind: WorkKind,
    pub children: Vec<ChildRef>,
    pub due: Due,
    /// The profile rule the due date comes from; `None` when the supervisor set the
    /// date (no rule applies) or the guidance says "as soon as possible".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    pub citation: String,
    /// The date the supervisor planned it for, if they gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_for: Option<NaiveDate>,
    /// What the services or the specialist assessment are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl WorkItem {
    /// Planned for after the date the timescale gives: shown as a warning.
    pub fn planned_after_due(&self) -> bool {
        self.planned_for.is_some_and(|p| p > self.due.date())
    }
}

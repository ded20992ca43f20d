//! Assessments: the child and family assessment under section 17 or 47 (WT2026
//! ¶162–¶169), the ones the guidance names separately (young carers, s17ZA; parent
//! carers of disabled children, s17ZD; pre-birth, SET 2.5.14), and the Family Help
//! assessment made with the family (¶141–¶146).

use crate::timescale::Due;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentKind {
    /// The child and family assessment under section 17 (child in need), ¶162–¶169.
    ChildAndFamily,
    /// The same assessment carried out under section 47 (¶162; ch.3 s4 "Initiating
    /// section 47 enquiries": "a section 47 enquiry is carried out by undertaking a
    /// child and family assessment").
    ChildAndFamilySection47,
    /// A young carer's needs assessment (Children Act 1989 s17ZA; WT2026 Box
    /// "Statutory requirements for young carers").
    YoungCarer,
    /// A parent carer's needs assessment (s17ZD; Box "Statutory requirements for
    /// disabled children and their carers").
    ParentCarer,
    /// A pre-birth assessment of an unborn baby (SET 2.5.14–2.5.16).
    PreBirth,
    /// The Family Help assessment, made with the family and with its consent (¶141–¶146).
    FamilyHelp,
}

impl AssessmentKind {
    pub const ALL: [AssessmentKind; 6] = [
        AssessmentKind::ChildAndFamily,
        AssessmentKind::ChildAndFamilySection47,
        AssessmentKind::YoungCarer,
        AssessmentKind::ParentCarer,
        AssessmentKind::PreBirth,
        AssessmentKind::FamilyHelp,
    ];
    pub fn id(self) -> &'static str {
        match self {
            AssessmentKind::ChildAndFamily => "child-and-family",
            AssessmentKind::ChildAndFamilySection47 => "child-and-family-s47",
            AssessmentKind::YoungCarer => "young-carer",
            AssessmentKind::ParentCarer => "parent-carer",
            AssessmentKind::PreBirth => "pre-birth",
            AssessmentKind::FamilyHelp => "family-help",
        }
    }
    pub fn from_id(s: &str) -> Option<AssessmentKind> {
        AssessmentKind::ALL.into_iter().find(|k| k.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            AssessmentKind::ChildAndFamily => "Child and family assessment (section 17)",
            AssessmentKind::ChildAndFamilySection47 => "Child and family assessment (section 47)",
            AssessmentKind::YoungCarer => "Young carer's needs assessment (section 17ZA)",
            AssessmentKind::ParentCarer => "Parent carer's needs assessment (section 17ZD)",
            AssessmentKind::PreBirth => "Pre-birth assessment",
            AssessmentKind::FamilyHelp => "Family Help assessment",
        }
    }
    /// Made by children's social care and authorised by a practice supervisor, with the
    /// `assessment` timescale (¶166–¶169). A Family Help assessment is the family's and
    /// the lead practitioner's, and has no statutory clock.
    pub fn is_statutory(self) -> bool {
        self != AssessmentKind::FamilyHelp
    }
    /// Whether the CIN census counts it as an assessment (the child and family
    /// assessment under s17 or s47, including a pre-birth one): these record the
    /// factors identified and the primary need.
    pub fn in_census(self) -> bool {
        matches!(
            self,
            AssessmentKind::ChildAndFamily
                | AssessmentKind::ChildAndFamilySection47
                | AssessmentKind::PreBirth
        )
    }
    /// Whether the case's service may hold this kind.
    pub fn belongs_to(self, service: super::Service) -> bool {
        match service {
            super::Service::FamilyHelp => self == AssessmentKind::FamilyHelp,
            super::Service::SocialCare => self != AssessmentKind::FamilyHelp,
        }
    }
}

/// Whether the child was seen alone (WT2026 ¶162 "seen alone ... or with a trusted
/// adult at their request"; SET 2.5.9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SeenAlone {
    Alone,
    /// With a trusted adult the child asked for.
    WithTrustedAdult {
        who: String,
    },
    /// Not alone, and why.
    NotAlone {
        reason: String,
    },
}

/// One visit at which the child was seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildSeen {
    pub on: NaiveDate,
    /// Who saw the child, in words ("Sam Patel, social worker").
    pub by: String,
    pub alone: SeenAlone,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A contribution asked of another agency (¶162: "practitioners ... should contribute
/// to the assessment"): requested, chased, received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contribution {
    pub agency: String,
    pub requested_on: NaiveDate,
    #[serde(default)]
    pub chased_on: Vec<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
}

/// What the assessment says: the three domains of the assessment framework (WT2026
/// ¶162 and its diagram: the child's developmental needs; parents' and carers'
/// capacity to respond to those needs; the impact of wider family, community and
/// environmental factors), the child's own words, the parents' views and the analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRecord {
    pub child_developmental_needs: String,
    pub parenting_capacity: String,
    pub family_and_environment: String,
    /// "The child's wishes and feelings", in the child's own words (¶162; SET 2.5.9).
    pub wishes_and_feelings: String,
    pub parents_views: String,
    pub analysis: String,
}

impl AssessmentRecord {
    /// Fields still empty, as (form field, what is missing).
    pub fn missing(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        for (field, v, what) in [
            (
                "child_developmental_needs",
                &self.child_developmental_needs,
                "the child's developmental needs",
            ),
            (
                "parenting_capacity",
                &self.parenting_capacity,
                "parents' and carers' capacity to respond to those needs",
            ),
            (
                "family_and_environment",
                &self.family_and_environment,
                "family network, community and environmental factors",
            ),
            (
                "wishes_and_feelings",
                &self.wishes_and_feelings,
                "the child's wishes and feelings, in their own words",
            ),
            ("parents_views", &self.parents_views, "the parents' views"),
            ("analysis", &self.analysis, "the analysis"),
        ] {
            if v.trim().is_empty() {
                out.push((field, what));
            }
        }
        out
    }
}

/// What the assessment concluded (¶167 and ¶252; SET 2.5.20–2.5.23).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentOutcome {
    /// No further action, with the reasons shared with the child, family and
    /// practitioners (¶252).
    NoFurtherAction,
    /// Help continues as Family Help (a step down, ¶158–¶160).
    FamilyHelp,
    /// Early help outside the case (the case closes, CIN census RC9).
    EarlyHelp,
    /// A child in need plan (Box "Statutory requirements for children in need").
    ChildInNeedPlan,
    /// Reasonable cause to suspect significant harm: a strategy discussion (¶167).
    StrategyDiscussion,
    /// Continue the help already planned (a Family Help or young carer's assessment).
    ContinueHelp,
}

impl AssessmentOutcome {
    pub const ALL: [AssessmentOutcome; 6] = [
        AssessmentOutcome::NoFurtherAction,
        AssessmentOutcome::FamilyHelp,
        AssessmentOutcome::EarlyHelp,
        AssessmentOutcome::ChildInNeedPlan,
        AssessmentOutcome::StrategyDiscussion,
        AssessmentOutcome::ContinueHelp,
    ];
    pub fn id(self) -> &'static str {
        match self {
            AssessmentOutcome::NoFurtherAction => "no-further-action",
            AssessmentOutcome::FamilyHelp => "family-help",
            AssessmentOutcome::EarlyHelp => "early-help",
            AssessmentOutcome::ChildInNeedPlan => "child-in-need-plan",
            AssessmentOutcome::StrategyDiscussion => "strategy-discussion",
            AssessmentOutcome::ContinueHelp => "continue-help",
        }
    }
    pub fn from_id(s: &str) -> Option<AssessmentOutcome> {
        AssessmentOutcome::ALL.into_iter().find(|k| k.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            AssessmentOutcome::NoFurtherAction => "No further action",
            AssessmentOutcome::FamilyHelp => "Family Help (step down)",
            AssessmentOutcome::EarlyHelp => "Early help (the case closes)",
            AssessmentOutcome::ChildInNeedPlan => "A child in need plan",
            AssessmentOutcome::StrategyDiscussion => {
                "Reasonable cause to suspect significant harm: strategy discussion"
            }
            AssessmentOutcome::ContinueHelp => "Continue the help planned",
        }
    }
    /// The outcomes an assessment of this kind may reach.
    pub fn allowed_for(kind: AssessmentKind) -> &'static [AssessmentOutcome] {
        use AssessmentOutcome::*;
        match kind {
            AssessmentKind::FamilyHelp => &[ContinueHelp, NoFurtherAction, StrategyDiscussion],
            _ => &[
                NoFurtherAction,
                FamilyHelp,
                EarlyHelp,
                ChildInNeedPlan,
                StrategyDiscussion,
                ContinueHelp,
            ],
        }
    }
}

/// Where an assessment has got to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentStage {
    InProgress,
    /// Sent to the practice supervisor to authorise.
    Submitted,
    /// Complete: authorised (or, for Family Help, agreed with the family).
    Completed,
    /// Ended without completing, when the case closed.
    Ended,
}

/// One assessment as the case holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub number: u32,
    pub kind: AssessmentKind,
    pub started_on: NaiveDate,
    /// The date the clock runs from: the referral's (¶166–¶169: "from the point of
    /// referral"), not the allocation's.
    pub clock_from: NaiveDate,
    /// `None` for an assessment with no statutory clock.
    pub due: Option<Due>,
    pub rule_id: Option<String>,
    /// Who or what it is about beyond the child (the person cared for; the parent
    /// carer; the weeks of pregnancy at the start of a pre-birth assessment).
    pub about: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gestation_weeks: Option<u8>,
    pub stage: AssessmentStage,
    pub seen: Vec<ChildSeen>,
    pub contributions: Vec<Contribution>,
    pub specialist: Vec<(NaiveDate, String)>,
    pub record: AssessmentRecord,
    pub outcome: Option<AssessmentOutcome>,
    pub outcome_reasons: String,
    /// Why the child was not seen, authorised with the assessment.
    pub child_not_seen_reason: Option<String>,
    pub completed_on: Option<NaiveDate>,
    /// Why it took longer than its timescale, approved by a first-line manager
    /// (¶169; SET 2.5.2).
    pub late_reason: Option<String>,
    /// A new date agreed before the timescale ran out, and why (SET 2.5.2).
    pub extension: Option<(NaiveDate, String)>,
    pub returned: Vec<String>,
    /// The factors identified (CIN census), as last submitted.
    #[serde(default)]
    pub factors: Vec<crate::census::AssessmentFactor>,
    /// When the practitioner last submitted it (the census "internal review" date).
    #[serde(default)]
    pub submitted_on: Option<NaiveDate>,
}

/// An assessment's timing against its timescale, for the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeliness {
    Within,
    /// After the timescale, by an agreed extension's date.
    LateUnderExtension,
    Late,
}

impl Assessment {
    pub fn is_open(&self) -> bool {
        matches!(
            self.stage,
            AssessmentStage::InProgress | AssessmentStage::Submitted
        )
    }
    /// The date the work is now due: the agreed extension, else the timescale.
    pub fn working_due(&self) -> Option<Due> {
        self.extension
            .as_ref()
            .map(|(d, _)| Due::Date(*d))
            .or(self.due)
    }
    /// Whether work finished on `done` was within its timescale, as the figures count
    /// it (issue 16): against the timescale itself (45 working days, WT2026 ¶169), not
    /// an agreed extension — work finished after the timescale under an extension is
    /// late, and shown as such.
    pub fn timeliness(&self, done: NaiveDate) -> Timeliness {
        match (self.due, &self.extension) {
            (Some(due), _) if done <= due.date() => Timeliness::Within,
            (None, _) => Timeliness::Within,
            (Some(_), Some((until, _))) if done <= *until => Timeliness::LateUnderExtension,
            (Some(_), _) => Timeliness::Late,
        }
    }
    pub fn child_seen(&self) -> bool {
        !self.seen.is_empty()
    }
    /// Seen alone (or with a trusted adult at their request) at least once.
    pub fn seen_alone(&self) -> bool {
        self.seen
            .iter()
            .any(|s| !matches!(s.alone, SeenAlone::NotAlone { .. }))
    }
}

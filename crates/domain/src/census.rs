//! The Children in Need census code sets (DfE CIN census guide; the same lists the
//! DfE's own validator, `csc-validator-be-cin`, checks: rules 4220 ethnicity, 8540
//! disability, 8650 primary need, 8866 referral source, 8897Q/8869 assessment factors).
//! They are captured at the point of work — the child's details, the case's opening,
//! the assessment's submission — so the return is derived, never typed twice
//! (WT2026 ¶113: partners "should monitor the timeliness and effectiveness" of help).

use crate::referral::Referrer;
use crate::role::AgencyKind;
use serde::{Deserialize, Serialize};

/// Declares a code set: an enum whose serde form is the DfE code itself, with labels.
macro_rules! code_set {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal : $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The DfE code, as the return carries it.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn from_code(s: &str) -> Option<$name> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|c| c.code().eq_ignore_ascii_case(s))
            }
        }
    };
}

code_set! {
    /// The child's primary need at assessment (CIN census "PrimaryNeedCode"): the main
    /// reason children's social care is involved. Recorded when the case opens and
    /// revised when an assessment is submitted.
    PrimaryNeed {
        N1 = "N1": "Abuse or neglect",
        N2 = "N2": "Child's disability or illness",
        N3 = "N3": "Parental disability or illness",
        N4 = "N4": "Family in acute stress",
        N5 = "N5": "Family dysfunction",
        N6 = "N6": "Socially unacceptable behaviour",
        N7 = "N7": "Low income",
        N8 = "N8": "Absent parenting",
        N9 = "N9": "Cases other than children in need",
        N0 = "N0": "Not stated",
    }
}

code_set! {
    /// The child's ethnicity (CIN census "Ethnicity"; rule 4220). "Information not yet
    /// obtained" and "Refused" are answers in their own right.
    Ethnicity {
        WBRI = "WBRI": "White – British",
        WIRI = "WIRI": "White – Irish",
        WIRT = "WIRT": "White – Traveller of Irish heritage",
        WROM = "WROM": "White – Gypsy or Roma",
        WOTH = "WOTH": "White – any other White background",
        MWBC = "MWBC": "Mixed – White and Black Caribbean",
        MWBA = "MWBA": "Mixed – White and Black African",
        MWAS = "MWAS": "Mixed – White and Asian",
        MOTH = "MOTH": "Mixed – any other mixed background",
        AIND = "AIND": "Asian or Asian British – Indian",
        APKN = "APKN": "Asian or Asian British – Pakistani",
        ABAN = "ABAN": "Asian or Asian British – Bangladeshi",
        AOTH = "AOTH": "Asian or Asian British – any other Asian background",
        BCRB = "BCRB": "Black or Black British – Caribbean",
        BAFR = "BAFR": "Black or Black British – African",
        BOTH = "BOTH": "Black or Black British – any other Black background",
        CHNE = "CHNE": "Chinese",
        OOTH = "OOTH": "Any other ethnic group",
        REFU = "REFU": "Refused",
        NOBT = "NOBT": "Information not yet obtained",
    }
}

code_set! {
    /// A disability (CIN census "Disability"; rule 8540). `NONE` stands alone (8790).
    Disability {
        None = "NONE": "No disability",
        Mobility = "MOB": "Mobility: getting about the house and beyond",
        HandFunction = "HAND": "Hand function: using hands for everyday tasks",
        PersonalCare = "PC": "Personal care: eating, washing, dressing",
        Incontinence = "INC": "Incontinence or bladder and bowel control",
        Communication = "COMM": "Communication",
        Learning = "LD": "Learning",
        Hearing = "HEAR": "Hearing",
        Vision = "VIS": "Vision",
        Behaviour = "BEH": "Behaviour",
        Consciousness = "CON": "Consciousness: seizures",
        Autism = "AUT": "Autism or Asperger syndrome",
        Other = "DDA": "Other disability (Equality Act 2010)",
    }
}

code_set! {
    /// Who referred the child (CIN census "ReferralSource"; rule 8866).
    ReferralSource {
        Self_ = "1A": "Individual: the child themselves",
        Family = "1B": "Individual: a family member, relative or carer",
        Acquaintance = "1C": "Individual: an acquaintance (including neighbours and child minders)",
        OtherIndividual = "1D": "Individual: other",
        Schools = "2A": "Schools",
        EducationServices = "2B": "Education services",
        Gp = "3A": "Health: GP",
        HealthVisitor = "3B": "Health: health visitor",
        SchoolNurse = "3C": "Health: school nurse",
        OtherPrimaryHealth = "3D": "Health: other primary health services",
        AccidentAndEmergency = "3E": "Health: A&E",
        OtherHealth = "3F": "Health: other",
        Housing = "4": "Housing",
        SocialCare = "5A": "Local authority services: social care",
        OtherInternal = "5B": "Local authority services: other internal",
        OtherLocalAuthority = "5C": "Local authority services: external (another local authority)",
        EarlyHelp = "5D": "Early help",
        Police = "6": "Police",
        OtherLegal = "7": "Other legal agency",
        Other = "8": "Other",
        Anonymous = "9": "Anonymous",
        Unknown = "10": "Unknown",
    }
}

code_set! {
    /// A factor identified at the end of an assessment (CIN census
    /// "FactorsIdentifiedAtAssessment"; rules 8897Q, 8898, 8869, 8945Q, 8950Q).
    /// The A/B/C triples are about the child, a parent or carer, another person in
    /// the household.
    AssessmentFactor {
        AlcoholChild = "1A": "Alcohol misuse: the child",
        AlcoholParent = "1B": "Alcohol misuse: a parent or carer",
        AlcoholOther = "1C": "Alcohol misuse: another person living in the household",
        DrugsChild = "2A": "Drug misuse: the child",
        DrugsParent = "2B": "Drug misuse: a parent or carer",
        DrugsOther = "2C": "Drug misuse: another person living in the household",
        DomesticAbuseChild = "3A": "Domestic abuse: the child",
        DomesticAbuseParent = "3B": "Domestic abuse: a parent or carer",
        DomesticAbuseOther = "3C": "Domestic abuse: another person living in the household",
        MentalHealthChild = "4A": "Mental health: the child",
        MentalHealthParent = "4B": "Mental health: a parent or carer",
        MentalHealthOther = "4C": "Mental health: another person living in the household",
        LearningDisabilityChild = "5A": "Learning disability: the child",
        LearningDisabilityParent = "5B": "Learning disability: a parent or carer",
        LearningDisabilityOther = "5C": "Learning disability: another person living in the household",
        PhysicalDisabilityChild = "6A": "Physical disability or illness: the child",
        PhysicalDisabilityParent = "6B": "Physical disability or illness: a parent or carer",
        PhysicalDisabilityOther = "6C": "Physical disability or illness: another person living in the household",
        YoungCarer = "7A": "Young carer",
        PrivateFosteringOverseasReturn = "8B": "Privately fostered: overseas child intending to return home",
        PrivateFosteringOverseasStay = "8C": "Privately fostered: overseas child intending to stay",
        PrivateFosteringEducation = "8D": "Privately fostered: UK child in an educational placement",
        PrivateFosteringAlternative = "8E": "Privately fostered: UK child making alternative arrangements",
        PrivateFosteringOther = "8F": "Privately fostered: other",
        Uasc = "9A": "Unaccompanied asylum-seeking child",
        Missing = "10A": "Going or being missing",
        SexualExploitation = "11A": "Child sexual exploitation",
        Trafficking = "12A": "Trafficking",
        Gangs = "13A": "Gangs",
        SociallyUnacceptableBehaviour = "14A": "Socially unacceptable behaviour",
        SelfHarm = "15A": "Self-harm",
        Neglect = "16A": "Abuse or neglect: neglect",
        EmotionalAbuse = "17A": "Abuse or neglect: emotional abuse",
        PhysicalAbuseChildOnChild = "18B": "Abuse or neglect: physical abuse, child on child",
        PhysicalAbuseAdultOnChild = "18C": "Abuse or neglect: physical abuse, adult on child",
        SexualAbuseChildOnChild = "19B": "Abuse or neglect: sexual abuse, child on child",
        SexualAbuseAdultOnChild = "19C": "Abuse or neglect: sexual abuse, adult on child",
        Fgm = "20": "Female genital mutilation",
        NoFactors = "21": "No factors identified",
        FaithOrBelief = "22A": "Abuse linked to faith or belief",
        CriminalExploitation = "23A": "Child criminal exploitation",
        Other = "24A": "Other",
    }
}

/// Why a set of assessment factors cannot be recorded, if it cannot: "21 No factors
/// identified" stands alone (rule 8869) and none may repeat (8898).
pub fn check_factors(factors: &[AssessmentFactor]) -> Result<(), &'static str> {
    if factors.is_empty() {
        return Err("Select the factors identified at the assessment, or 'No factors identified'");
    }
    if factors.contains(&AssessmentFactor::NoFactors) && factors.len() > 1 {
        return Err("'No factors identified' cannot be chosen with other factors");
    }
    let mut seen = factors.to_vec();
    seen.sort();
    seen.dedup();
    if seen.len() != factors.len() {
        return Err("Each factor may be chosen once");
    }
    Ok(())
}

/// Why a set of disabilities cannot be recorded, if it cannot (rules 8790, 8794).
pub fn check_disabilities(d: &[Disability]) -> Result<(), &'static str> {
    if d.contains(&Disability::None) && d.len() > 1 {
        return Err("'No disability' cannot be chosen with a disability");
    }
    let mut seen = d.to_vec();
    seen.sort();
    seen.dedup();
    if seen.len() != d.len() {
        return Err("Each disability may be chosen once");
    }
    Ok(())
}

impl ReferralSource {
    /// The source a referral's referrer gives, from their agency's kind (a
    /// professional) or their relationship to the child (a member of the public).
    /// The front door may correct it; this is what it starts from.
    pub fn of(referrer: &Referrer) -> ReferralSource {
        match referrer {
            Referrer::Professional { agency_kind, .. } => match agency_kind {
                AgencyKind::ChildrensSocialCare => ReferralSource::SocialCare,
                AgencyKind::Police => ReferralSource::Police,
                AgencyKind::Health => ReferralSource::OtherHealth,
                AgencyKind::Education => ReferralSource::Schools,
                AgencyKind::EarlyYears => ReferralSource::EducationServices,
                AgencyKind::Probation | AgencyKind::YouthJustice => ReferralSource::OtherLegal,
                AgencyKind::Housing => ReferralSource::Housing,
                AgencyKind::VoluntarySector | AgencyKind::Partnership | AgencyKind::Other => {
                    ReferralSource::Other
                }
            },
            Referrer::MemberOfPublic {
                name: None,
                relationship_to_child,
                ..
            } if relationship_to_child.is_none() => ReferralSource::Anonymous,
            Referrer::MemberOfPublic {
                relationship_to_child,
                ..
            } => {
                let r = relationship_to_child
                    .as_deref()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let has = |words: &[&str]| words.iter().any(|w| r.contains(w));
                if has(&["self", "the child", "myself"]) {
                    ReferralSource::Self_
                } else if has(&[
                    "mother", "father", "mum", "dad", "parent", "grand", "aunt", "uncle", "sister",
                    "brother", "cousin", "carer", "relative", "step", "family",
                ]) {
                    ReferralSource::Family
                } else if has(&["neighbour", "friend", "childminder", "child minder"]) {
                    ReferralSource::Acquaintance
                } else if r.is_empty()
                    && matches!(referrer, Referrer::MemberOfPublic { name: None, .. })
                {
                    ReferralSource::Anonymous
                } else {
                    ReferralSource::OtherIndividual
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_the_dfe_lists() {
        // The validator's own lists (rule_4220, rule_8540, rule_8650, rule_8866, rule_8897Q).
        assert_eq!(Ethnicity::ALL.len(), 20);
        assert_eq!(Disability::ALL.len(), 13);
        assert_eq!(PrimaryNeed::ALL.len(), 10);
        assert_eq!(ReferralSource::ALL.len(), 22);
        for f in AssessmentFactor::ALL {
            assert_eq!(AssessmentFactor::from_code(f.code()), Some(*f));
            let json = serde_json::to_string(f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.code()));
        }
        assert_eq!(Disability::from_code("none"), Some(Disability::None));
    }

    #[test]
    fn no_factors_stands_alone_and_none_repeat() {
        use AssessmentFactor::*;
        assert!(check_factors(&[NoFactors]).is_ok());
        assert!(check_factors(&[NoFactors, Neglect]).is_err());
        assert!(check_factors(&[Neglect, Neglect]).is_err());
        assert!(check_factors(&[]).is_err());
        assert!(check_disabilities(&[Disability::None, Disability::Vision]).is_err());
        assert!(check_disabilities(&[]).is_ok());
    }

    #[test]
    fn the_source_follows_the_referrer() {
        let public = |name: Option<&str>, rel: Option<&str>| Referrer::MemberOfPublic {
            name: name.map(Into::into),
            phone: None,
            email: None,
            relationship_to_child: rel.map(Into::into),
            consents_to_identity_being_shared: false,
        };
        assert_eq!(
            ReferralSource::of(&public(None, None)),
            ReferralSource::Anonymous
        );
        assert_eq!(
            ReferralSource::of(&public(Some("Jo"), Some("Grandmother"))),
            ReferralSource::Family
        );
        assert_eq!(
            ReferralSource::of(&public(Some("Jo"), Some("neighbour"))),
            ReferralSource::Acquaintance
        );
    }
}

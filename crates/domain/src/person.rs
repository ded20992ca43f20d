//! People known to the partnership: children (including unborn children), parents,
//! carers, family network members and alleged perpetrators.

use crate::validate::{parse_date, parse_name, NhsNumber, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonKind {
    Child,
    /// An unborn child, known by the mother and the expected date of delivery
    /// (WT2026 ¶205–¶208 on pre-birth work; SET 002 §2.6).
    UnbornChild,
    Parent,
    Carer,
    FamilyNetworkMember,
    AllegedPerpetrator,
}

impl PersonKind {
    pub const ALL: [PersonKind; 6] = [
        PersonKind::Child,
        PersonKind::UnbornChild,
        PersonKind::Parent,
        PersonKind::Carer,
        PersonKind::FamilyNetworkMember,
        PersonKind::AllegedPerpetrator,
    ];
    pub fn id(self) -> &'static str {
        match self {
            PersonKind::Child => "child",
            PersonKind::UnbornChild => "unborn-child",
            PersonKind::Parent => "parent",
            PersonKind::Carer => "carer",
            PersonKind::FamilyNetworkMember => "family-network-member",
            PersonKind::AllegedPerpetrator => "alleged-perpetrator",
        }
    }
    pub fn from_id(s: &str) -> Option<PersonKind> {
        PersonKind::ALL.into_iter().find(|k| k.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            PersonKind::Child => "Child",
            PersonKind::UnbornChild => "Unborn child",
            PersonKind::Parent => "Parent",
            PersonKind::Carer => "Carer",
            PersonKind::FamilyNetworkMember => "Family network member",
            PersonKind::AllegedPerpetrator => "Alleged perpetrator",
        }
    }
    /// Whether this person has a log of their own (the child's record).
    pub fn is_child(self) -> bool {
        matches!(self, PersonKind::Child | PersonKind::UnbornChild)
    }
}

/// Sex as the DfE CIN census records it from 2024-25 (used by the returns crate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sex {
    Female,
    Male,
    Unknown,
}

impl Sex {
    pub fn id(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Unknown => "unknown",
        }
    }
    pub fn from_id(s: &str) -> Option<Sex> {
        [Sex::Female, Sex::Male, Sex::Unknown]
            .into_iter()
            .find(|x| x.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Sex::Female => "Female",
            Sex::Male => "Male",
            Sex::Unknown => "Not known",
        }
    }
}

/// What is known of a person. Names and dates of birth are personal data: they
/// live in payloads and projections, never in logs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonDetails {
    pub kind: PersonKind,
    pub given_name: String,
    pub family_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_date_of_delivery: Option<NaiveDate>,
    pub sex: Sex,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<NhsNumber>,
    /// The unique pupil number (DfE), checked by its check letter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<crate::upn::Upn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// The child's ethnicity as the child or family describe it (CIN census code set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<crate::census::Ethnicity>,
    /// The child's disabilities; `[NONE]` when the child has none, empty when not yet
    /// recorded (CIN census code set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabilities: Vec<crate::census::Disability>,
}

impl PersonDetails {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// Rules that need today's date (passed in: the domain has no clock).
    pub fn check(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        match self.kind {
            PersonKind::UnbornChild => {
                if self.date_of_birth.is_some() {
                    e.add(
                        "date_of_birth",
                        "An unborn child has no date of birth: give the expected date of delivery",
                    );
                }
                match self.expected_date_of_delivery {
                    None => e.add(
                        "expected_date_of_delivery",
                        "Enter the expected date of delivery",
                    ),
                    Some(edd) => {
                        if let Err(m) = plausible_expected_delivery(edd, today) {
                            e.add("expected_date_of_delivery", m);
                        }
                    }
                }
            }
            _ => {
                if self.expected_date_of_delivery.is_some() {
                    e.add(
                        "expected_date_of_delivery",
                        "Only an unborn child has an expected date of delivery",
                    );
                }
                if let Some(dob) = self.date_of_birth {
                    if dob > today {
                        e.add(
                            "date_of_birth",
                            "Date of birth must be today or in the past",
                        );
                    } else if dob < today - chrono::Days::new(365 * 120) {
                        e.add(
                            "date_of_birth",
                            "Date of birth must be within the last 120 years",
                        );
                    }
                }
                if self.kind == PersonKind::Child {
                    match self.date_of_birth {
                        None => e.add("date_of_birth", "Enter the child's date of birth"),
                        // A child is anyone who has not yet reached their 18th birthday (WT2026, Introduction).
                        Some(dob)
                            if dob
                                .checked_add_months(chrono::Months::new(18 * 12))
                                .is_some_and(|d18| d18 <= today) =>
                        {
                            e.add(
                                "date_of_birth",
                                "A child is under 18: this date of birth is 18 or more years ago",
                            )
                        }
                        _ => {}
                    }
                }
            }
        }
        e.into_result()
    }
}

/// The raw text of a person form or API body, before parsing. Kept so that a form
/// with errors is shown again with the user's entries.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// Who this person is.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            pattern = "^\\s*(child|unborn-child|parent|carer|family-network-member|alleged-perpetrator)\\s*$"
        )
    )]
    pub kind: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = "\\S", max_length = 100)
    )]
    pub given_name: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = "\\S", max_length = 100)
    )]
    pub family_name: String,
    /// YYYY-MM-DD; for a child who is born.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub date_of_birth: String,
    /// YYYY-MM-DD; for an unborn child.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub expected_date_of_delivery: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = "^\\s*(female|male|unknown)\\s*$")
    )]
    pub sex: String,
    /// Ten digits, spaces allowed; the last is a check digit (a wrong one is refused).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\s*([0-9]\\s*){10}$|^\\s*$"))]
    pub nhs_number: String,
    /// A unique pupil number: a letter, twelve digits (a check letter first).
    #[serde(default)]
    pub upn: String,
    #[serde(default)]
    pub postcode: String,
    /// Ethnicity code (empty: not recorded).
    #[serde(default)]
    pub ethnicity: String,
    /// Disability codes (none: not recorded).
    #[serde(default)]
    pub disabilities: Vec<String>,
}

impl PersonInput {
    /// Parse every field, collecting every error, then apply the date rules.
    pub fn parse(&self, today: NaiveDate) -> Result<PersonDetails, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let kind = e.take(
            "kind",
            PersonKind::from_id(self.kind.trim())
                .ok_or_else(|| "Select who this person is".to_string()),
        );
        let given = e.take("given_name", parse_name("first name", &self.given_name));
        let family = e.take("family_name", parse_name("last name", &self.family_name));
        let dob = if self.date_of_birth.trim().is_empty() {
            Some(None)
        } else {
            e.take(
                "date_of_birth",
                parse_date("date of birth", &self.date_of_birth),
            )
            .map(Some)
        };
        let edd = if self.expected_date_of_delivery.trim().is_empty() {
            Some(None)
        } else {
            e.take(
                "expected_date_of_delivery",
                parse_date("expected date of delivery", &self.expected_date_of_delivery),
            )
            .map(Some)
        };
        let sex = e.take(
            "sex",
            Sex::from_id(self.sex.trim())
                .ok_or_else(|| "Select the person's sex, or 'Not known'".to_string()),
        );
        let nhs = if self.nhs_number.trim().is_empty() {
            Some(None)
        } else {
            e.take("nhs_number", NhsNumber::parse(&self.nhs_number))
                .map(Some)
        };
        let upn = if self.upn.trim().is_empty() {
            Some(None)
        } else {
            e.take("upn", crate::upn::Upn::parse(&self.upn)).map(Some)
        };
        let postcode = parse_postcode(&self.postcode);
        let postcode = e.take("postcode", postcode);
        let ethnicity = if self.ethnicity.trim().is_empty() {
            None
        } else {
            e.take(
                "ethnicity",
                crate::census::Ethnicity::from_code(&self.ethnicity)
                    .ok_or_else(|| "Select an ethnicity from the list".to_string()),
            )
        };
        let mut disabilities = Vec::new();
        for d in self.disabilities.iter().filter(|d| !d.trim().is_empty()) {
            match crate::census::Disability::from_code(d) {
                Some(d) => disabilities.push(d),
                None => e.add("disabilities", "Select disabilities from the list"),
            }
        }
        if let Err(m) = crate::census::check_disabilities(&disabilities) {
            e.add("disabilities", m);
        }
        match (kind, given, family, dob, edd, sex, nhs, postcode, upn) {
            (
                Some(kind),
                Some(given_name),
                Some(family_name),
                Some(date_of_birth),
                Some(expected_date_of_delivery),
                Some(sex),
                Some(nhs_number),
                Some(postcode),
                Some(upn),
            ) if e.is_empty() => {
                let d = PersonDetails {
                    kind,
                    given_name,
                    family_name,
                    date_of_birth,
                    expected_date_of_delivery,
                    sex,
                    nhs_number,
                    upn,
                    postcode,
                    ethnicity,
                    disabilities,
                };
                d.check(today)?;
                Ok(d)
            }
            _ => Err(e),
        }
    }
}

/// A UK postcode, normalised to upper case with one space before the inward code.
/// Empty input is no postcode.
pub fn parse_postcode(s: &str) -> Result<Option<String>, String> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if compact.is_empty() {
        return Ok(None);
    }
    let ok = (5..=7).contains(&compact.len())
        && compact.chars().all(|c| c.is_ascii_alphanumeric())
        && compact
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && {
            let inward: Vec<char> = compact[compact.len() - 3..].chars().collect();
            inward[0].is_ascii_digit()
                && inward[1].is_ascii_alphabetic()
                && inward[2].is_ascii_alphabetic()
        };
    if !ok {
        return Err("Enter a real postcode, like SS1 2AB".into());
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    Ok(Some(format!("{outward} {inward}")))
}

/// An unborn child's expected date of delivery, as a person could mean it: a pregnancy
/// lasts at most about 42 weeks, so an EDD more than ten months away either side is a
/// typing error (issue 18: the year 864 was accepted). The same rule for a referral and
/// a record, whether typed on a page or sent by an agency's system.
pub fn plausible_expected_delivery(edd: NaiveDate, today: NaiveDate) -> Result<(), String> {
    let window = chrono::Days::new(300);
    if edd > today + window {
        return Err("Expected date of delivery must be within the next 10 months".into());
    }
    if edd < today - window {
        return Err("Expected date of delivery must be within the last 10 months: if the baby has been born, record the child with a date of birth".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn input(kind: &str, dob: &str, edd: &str) -> PersonInput {
        PersonInput {
            kind: kind.into(),
            given_name: "Ada".into(),
            family_name: "Example".into(),
            date_of_birth: dob.into(),
            expected_date_of_delivery: edd.into(),
            sex: "female".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_born_child_cannot_have_a_future_date_of_birth() {
        let e = input("child", "2026-11-24", "").parse(today()).unwrap_err();
        assert_eq!(
            e.for_field("date_of_birth"),
            Some("Date of birth must be today or in the past")
        );
        assert!(input("child", "2026-11-23", "").parse(today()).is_ok());
    }

    #[test]
    fn an_impossible_date_is_named() {
        let e = input("child", "2026-02-30", "").parse(today()).unwrap_err();
        assert!(e.for_field("date_of_birth").unwrap().contains("real date"));
    }

    #[test]
    fn an_unborn_child_needs_an_expected_date_of_delivery() {
        let e = input("unborn-child", "", "").parse(today()).unwrap_err();
        assert!(e.for_field("expected_date_of_delivery").is_some());
        assert!(input("unborn-child", "", "2027-03-01")
            .parse(today())
            .is_ok());
        assert!(input("unborn-child", "2026-01-01", "2027-03-01")
            .parse(today())
            .is_err());
    }

    /// Issue 18: an unborn child due in the year 864 was accepted through the API; an
    /// expected date of delivery is within ten months either side of today.
    #[test]
    fn an_expected_date_of_delivery_is_plausible() {
        let e = input("unborn-child", "", "0864-03-01")
            .parse(today())
            .unwrap_err();
        assert!(e
            .for_field("expected_date_of_delivery")
            .unwrap()
            .contains("last 10 months"));
        assert!(input("unborn-child", "", "2027-12-01")
            .parse(today())
            .is_err());
    }

    #[test]
    fn a_child_is_under_18() {
        assert!(input("child", "2008-11-23", "").parse(today()).is_err());
        assert!(input("child", "2008-11-24", "").parse(today()).is_ok());
        assert!(input("parent", "1990-01-01", "").parse(today()).is_ok());
    }

    #[test]
    fn every_error_is_collected() {
        let i = PersonInput {
            kind: "x".into(),
            ..Default::default()
        };
        let e = i.parse(today()).unwrap_err();
        for f in ["kind", "given_name", "family_name", "sex"] {
            assert!(e.for_field(f).is_some(), "{f}: {e}");
        }
    }

    #[test]
    fn postcodes() {
        assert_eq!(
            parse_postcode("ss12ab").unwrap().as_deref(),
            Some("SS1 2AB")
        );
        assert_eq!(
            parse_postcode(" NN1  1AA ").unwrap().as_deref(),
            Some("NN1 1AA")
        );
        assert_eq!(parse_postcode("").unwrap(), None);
        assert!(parse_postcode("12345").is_err());
    }
}

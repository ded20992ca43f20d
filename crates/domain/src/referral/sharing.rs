//! Information shared with, or received from, another agency during front-door checks
//! (WT2026 ch.1 "Information sharing", ¶29–¶33 and the "myths" box; requirements PR-22
//! and REC-IS). Every disclosure is recorded with its lawful basis, whether consent was
//! sought, and whether the family was told (and if not, why).

use super::details::{Referrer, MAX_SHORT};
use super::Actor;
use crate::role::AgencyKind;
use crate::validate::{parse_text, ValidationErrors};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Children's social care told the other agency.
    SharedWith,
    /// The other agency told children's social care.
    ReceivedFrom,
}

/// The UK GDPR Article 6 basis. WT2026 ¶32: "The legal bases that may be appropriate
/// ... could be 'legal obligation' or 'public task'"; consent is possible but "UK GDPR
/// sets a high standard for consent which is specific, time limited and can be withdrawn".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LawfulBasis {
    /// Art. 6(1)(e): a task in the public interest or in the exercise of official
    /// authority (the local authority's duties under the Children Act 1989 ss17, 47).
    PublicTask,
    /// Art. 6(1)(c): a legal obligation (e.g. a s16H request, WT2026 ¶89–¶91).
    LegalObligation,
    /// Art. 6(1)(a): the person's consent.
    Consent,
}

impl LawfulBasis {
    pub fn citation(self) -> &'static str {
        match self {
            LawfulBasis::PublicTask => "UK GDPR Art. 6(1)(e)",
            LawfulBasis::LegalObligation => "UK GDPR Art. 6(1)(c)",
            LawfulBasis::Consent => "UK GDPR Art. 6(1)(a)",
        }
    }
}

/// The Article 9 condition for special category data (health, ethnicity, religion, sex
/// life...). WT2026 ¶31b (003 L385): identify an Article 6 basis "and in addition be
/// able to meet one of the specific conditions for processing under Article 9".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpecialCategoryCondition {
    /// Art. 9(2)(g) with DPA 2018 s10(3) and Sch. 1 Pt 2 para 18, "safeguarding of
    /// children and of individuals at risk".
    SafeguardingOfChildren,
    /// Art. 9(2)(a): explicit consent.
    ExplicitConsent,
}

impl SpecialCategoryCondition {
    pub fn citation(self) -> &'static str {
        match self {
            SpecialCategoryCondition::SafeguardingOfChildren => {
                "UK GDPR Art. 9(2)(g); DPA 2018 s10(3), Sch. 1 para 18"
            }
            SpecialCategoryCondition::ExplicitConsent => "UK GDPR Art. 9(2)(a)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentSought {
    /// Not sought: not needed where there is another lawful basis (WT2026 ¶32, myths box).
    NotSought,
    Given,
    Refused,
}

/// Why special category data is shared under the safeguarding condition without
/// consent: the three cases of DPA 2018 Sch. 1 para 18(2), as WT2026 ¶31b puts them
/// ("where in the circumstances consent cannot be given, it cannot be reasonably expected
/// that a practitioner obtains consent or if to gain consent would place a child at risk").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WithoutConsentGround {
    ConsentCannotBeGiven,
    CannotReasonablyBeExpected,
    WouldPlaceChildAtRisk,
}

/// Why the family was not told about the sharing. WT2026 ¶33: be transparent "provided
/// that it is safe to do so"; SET 2.1.13 and NSCP §8.2 (L997–L1012) give the exceptions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotToldBecause {
    /// Telling them would place the child (or another person) at risk of significant harm.
    WouldPlaceChildAtRisk,
    /// Telling them could prejudice a police investigation or lose evidence.
    WouldPrejudiceInvestigation,
    /// Not yet: they will be told when it is safe and practical (say when in the details).
    NotYet,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "told", rename_all = "kebab-case", deny_unknown_fields)]
pub enum FamilyTold {
    Yes,
    No {
        because: NotToldBecause,
        details: String,
    },
}

/// A disclosure as the front door records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureInput {
    pub direction: Direction,
    pub agency_name: String,
    pub agency_kind: AgencyKind,
    /// What was shared (categories and purpose, not the content itself).
    pub summary: String,
    pub lawful_basis: LawfulBasis,
    pub special_category_data: bool,
    #[serde(default)]
    pub special_category_condition: Option<SpecialCategoryCondition>,
    pub consent: ConsentSought,
    #[serde(default)]
    pub without_consent_ground: Option<WithoutConsentGround>,
    pub family_told: bool,
    #[serde(default)]
    pub family_not_told_because: Option<NotToldBecause>,
    #[serde(default)]
    pub family_not_told_details: String,
    /// Whether the referrer's identity was part of what was shared.
    #[serde(default)]
    pub includes_referrer_identity: bool,
}

/// A recorded disclosure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// 1, 2, 3... within the referral.
    pub number: u32,
    pub at: NaiveDateTime,
    pub by: Actor,
    pub direction: Direction,
    pub agency_name: String,
    pub agency_kind: AgencyKind,
    pub summary: String,
    pub lawful_basis: LawfulBasis,
    /// `Some` when special category data was shared, with its Article 9 condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_category: Option<SpecialCategoryCondition>,
    pub consent: ConsentSought,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without_consent_ground: Option<WithoutConsentGround>,
    pub family_told: FamilyTold,
    pub includes_referrer_identity: bool,
}

impl DisclosureInput {
    /// Check the disclosure against the law and the referrer's wishes, collecting every
    /// error, and build the record.
    pub fn check(
        &self,
        referrer: &Referrer,
        number: u32,
        at: NaiveDateTime,
        by: Actor,
    ) -> Result<Disclosure, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let agency_name = e.take("agency_name", parse_text("agency", &self.agency_name, 200));
        let summary = e.take(
            "summary",
            parse_text("summary of what was shared", &self.summary, MAX_SHORT),
        );
        // Art. 9(1): special category data needs an Article 9 condition (¶31b).
        let special_category = match (self.special_category_data, self.special_category_condition) {
            (true, None) => {
                e.add(
                    "special_category_condition",
                    "Select the Article 9 condition for sharing special category data",
                );
                None
            }
            (true, Some(c)) => Some(c),
            (false, Some(_)) => {
                e.add(
                    "special_category_condition",
                    "Only select an Article 9 condition when special category data is shared",
                );
                None
            }
            (false, None) => None,
        };
        let consent_given = self.consent == ConsentSought::Given;
        if self.lawful_basis == LawfulBasis::Consent && !consent_given {
            e.add(
                "lawful_basis",
                "Consent is the lawful basis only when it was given: choose public task or legal obligation",
            );
        }
        if special_category == Some(SpecialCategoryCondition::ExplicitConsent) && !consent_given {
            e.add(
                "special_category_condition",
                "Explicit consent is the condition only when it was given: choose safeguarding of children",
            );
        }
        // DPA 2018 Sch. 1 para 18(2): sharing special category data under the
        // safeguarding condition without consent needs one of its three grounds.
        let without_ground_needed = self.direction == Direction::SharedWith
            && special_category == Some(SpecialCategoryCondition::SafeguardingOfChildren)
            && !consent_given;
        let without_consent_ground = if without_ground_needed {
            if self.without_consent_ground.is_none() {
                e.add(
                    "without_consent_ground",
                    "Say why consent was not obtained: it cannot be given, cannot reasonably be expected, or seeking it would place the child at risk",
                );
            }
            self.without_consent_ground
        } else {
            None
        };
        let family_told = if self.family_told {
            FamilyTold::Yes
        } else {
            let details = e.take(
                "family_not_told_details",
                parse_text(
                    "reason the family was not told",
                    &self.family_not_told_details,
                    MAX_SHORT,
                ),
            );
            match (self.family_not_told_because, details) {
                (Some(because), Some(details)) => FamilyTold::No { because, details },
                (None, _) => {
                    e.add(
                        "family_not_told_because",
                        "Say why the family was not told, for example because telling them would put the child at risk",
                    );
                    FamilyTold::Yes
                }
                _ => FamilyTold::Yes,
            }
        };
        // A member of the public's identity is withheld from other agencies unless they
        // agree (SET 2.4.26 L1281-L1283).
        if self.includes_referrer_identity
            && self.direction == Direction::SharedWith
            && !referrer.identity_may_be_shared()
        {
            e.add(
                "includes_referrer_identity",
                "The member of the public who made this referral has not agreed to their identity being shared",
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Disclosure {
            number,
            at,
            by,
            direction: self.direction,
            agency_name: agency_name.unwrap_or_default(),
            agency_kind: self.agency_kind,
            summary: summary.unwrap_or_default(),
            lawful_basis: self.lawful_basis,
            special_category,
            consent: self.consent,
            without_consent_ground,
            family_told,
            includes_referrer_identity: self.includes_referrer_identity,
        })
    }
}

//! What a referral says: the child or children, family and household, the referrer,
//! the concern and the ¶164 information, consent, immediate risk, any earlier
//! assessment and the Signs of Safety prompts.
//!
//! Input structs hold the raw text of a form or JSON body (every field a `String`, so a
//! form with errors can be shown again as typed); `ReferralInput::parse` checks every
//! field and collects every error, named by its path (`children[0].nhs_number`), as
//! [`crate::person::PersonInput::parse`] does.

use crate::person::{parse_postcode, Sex};
use crate::role::AgencyKind;
use crate::upn::Upn;
use crate::validate::{parse_date, parse_name, parse_text, NhsNumber, ValidationErrors};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Longest free text in a referral (what happened, what was seen or heard).
pub const MAX_NARRATIVE: usize = 20_000;
/// Longest short free text (a description, a reason, a job title).
pub const MAX_SHORT: usize = 2_000;
/// At most this many children in one referral (a sibling group; more is a typing error).
pub const MAX_CHILDREN: usize = 20;
/// At most this many family and household members.
pub const MAX_FAMILY: usize = 40;

/// How the referral came in (issue 3: "three ways in").
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// A partner practitioner, signed in, filled in the referral form.
    OnlineForm,
    /// A partner agency's system posted it to `/api/v1` with its bearer token.
    Api,
    /// A front door worker recorded a telephone call.
    Telephone,
    /// A front door worker recorded someone who came in person.
    InPerson,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::OnlineForm,
        Channel::Api,
        Channel::Telephone,
        Channel::InPerson,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Channel::OnlineForm => "online-form",
            Channel::Api => "api",
            Channel::Telephone => "telephone",
            Channel::InPerson => "in-person",
        }
    }
    pub fn from_id(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.id() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::OnlineForm => "Online referral form",
            Channel::Api => "Agency system (API)",
            Channel::Telephone => "Telephone",
            Channel::InPerson => "In person",
        }
    }
    /// A spoken referral, which a professional confirms in writing
    /// (SET L575–L577 "verbal and telephone referrals"; NSCP §5.1 L755–L757).
    pub fn is_verbal(self) -> bool {
        matches!(self, Channel::Telephone | Channel::InPerson)
    }
    /// Received in writing through Together, so acknowledged on receipt.
    pub fn is_written(self) -> bool {
        !self.is_verbal()
    }
}

/// Who made the referral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Referrer {
    /// A practitioner. "A child protection referral from a professional cannot be
    /// treated as anonymous" (SET L512–L514): name, role, agency and a way to reach
    /// them are required.
    Professional {
        name: String,
        job_title: String,
        agency_name: String,
        agency_kind: AgencyKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phone: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        relationship_to_child: Option<String>,
    },
    /// A member of the public (including a relative or neighbour, WT2026 ¶163). They may
    /// stay anonymous; if they give their name it is withheld from the family and
    /// other agencies unless they agree (SET 2.4.26 L1281–L1283).
    MemberOfPublic {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phone: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        relationship_to_child: Option<String>,
        consents_to_identity_being_shared: bool,
    },
}

impl Referrer {
    pub fn is_professional(&self) -> bool {
        matches!(self, Referrer::Professional { .. })
    }
    /// A member of the public who gave no name.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Referrer::MemberOfPublic { name: None, .. })
    }
    /// Whether the referrer's identity may be told to the family or another agency.
    /// A professional's always may (SET L512–L514); a member of the public's only with
    /// their agreement.
    pub fn identity_may_be_shared(&self) -> bool {
        match self {
            Referrer::Professional { .. } => true,
            Referrer::MemberOfPublic {
                name,
                consents_to_identity_being_shared,
                ..
            } => name.is_some() && *consents_to_identity_being_shared,
        }
    }
    /// Whether Together has any way to reach the referrer after the contact.
    pub fn has_contact_details(&self) -> bool {
        match self {
            Referrer::Professional { phone, email, .. }
            | Referrer::MemberOfPublic { phone, email, .. } => phone.is_some() || email.is_some(),
        }
    }
    /// The name shown to people allowed to see it; "Anonymous" otherwise.
    pub fn display_name(&self) -> &str {
        match self {
            Referrer::Professional { name, .. } => name,
            Referrer::MemberOfPublic { name: Some(n), .. } => n,
            Referrer::MemberOfPublic { name: None, .. } => "Anonymous",
        }
    }
}

/// A child the referral is about: named, or described only. An unborn child is known by
/// the expected date of delivery and the mother (WT2026 ¶5; SET 2.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferredChild {
    pub unborn: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_date_of_delivery: Option<NaiveDate>,
    pub sex: Sex,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<NhsNumber>,
    /// The unique pupil number, when a school refers (checked by its check letter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<Upn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// How to recognise the child when the name is not known ("boy of about 7 at
    /// Park Road school, lives above the shop").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// For an unborn child: the index in [`ReferralDetails::family`] of the mother.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mother: Option<usize>,
}

/// A parent, carer, household member, frequent visitor or alleged perpetrator
/// (SET 2.4.4: "names and date of birth of all household members and frequent
/// visitors"; "details of alleged perpetrator").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferredFamilyMember {
    /// In the referrer's words: "mother", "mother's partner", "lodger".
    pub relationship: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lives_with_child: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parental_responsibility: Option<bool>,
    pub alleged_perpetrator: bool,
}

impl ReferredFamilyMember {
    /// Named in full, so the front door can search for them (SET 2.4.4, last bullet).
    pub fn is_named(&self) -> bool {
        self.given_name.is_some() && self.family_name.is_some()
    }
}

/// What happened, and what the referrer knows under the three domains of the
/// assessment framework (WT2026 ¶164: "any information they have on the child's
/// developmental needs, the capacity of the child's parents, carers, or family network to
/// meet those needs and any external factors that may be undermining their capacity to
/// parent").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concern {
    pub what_happened: String,
    /// What the referrer saw or heard themselves (NSCP §2.4 "What have you seen or
    /// heard that worries you? Who saw this and what did they see?").
    pub seen_or_heard: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developmental_needs: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parenting_capacity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_and_environment: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FamilyKnows {
    Yes,
    No,
    /// Only a member of the public may not know (a professional decides whether to
    /// seek the parents' agreement, SET L486–L509).
    NotKnown,
}

/// Whether the family knows of, and agrees to, the referral (SET L486–L530; NSCP §8.2;
/// WT2026 ¶146).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyConsent {
    pub family_knows: FamilyKnows,
    /// Asked only when the family knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_consents: Option<bool>,
    /// Why the family was not told, or why the referral goes ahead without their
    /// agreement: "must be recorded ... with reasons" (SET L505–L509, L524).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl FamilyConsent {
    /// The referral goes ahead without the family's agreement (told and refused, or not told).
    pub fn without_agreement(&self) -> bool {
        self.family_knows == FamilyKnows::No || self.family_consents == Some(false)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriorAssessmentKind {
    EarlyHelp,
    FamilyHelp,
    Other,
}

impl PriorAssessmentKind {
    pub fn from_id(s: &str) -> Option<PriorAssessmentKind> {
        match s {
            "early-help" => Some(PriorAssessmentKind::EarlyHelp),
            "family-help" => Some(PriorAssessmentKind::FamilyHelp),
            "other" => Some(PriorAssessmentKind::Other),
            _ => None,
        }
    }
}

/// An early help or Family Help assessment already done: "where one has been
/// undertaken, it should be used to support the referral" (WT2026 ¶164; SET L579–L581).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorAssessment {
    pub kind: PriorAssessmentKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// The Signs of Safety prompts (NSCP §2.3–§2.4, L259–L311). The scale's anchor wording
/// ("0 = very worried, 10 = not worried at all" in Northamptonshire) belongs to the
/// partnership profile; only the number is stored here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignsOfSafety {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worried_about: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_well: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_to_happen: Option<String>,
    /// 0 to 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u8>,
}

/// A referral's content, every field valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralDetails {
    pub referrer: Referrer,
    pub children: Vec<ReferredChild>,
    #[serde(default)]
    pub family: Vec<ReferredFamilyMember>,
    pub concern: Concern,
    pub consent: FamilyConsent,
    /// "Whether the child needs immediate protection" (SET 2.4.4).
    pub immediate_risk: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immediate_risk_details: Option<String>,
    /// The referrer is concerned the child is suffering, or is likely to suffer,
    /// significant harm: the referral is made "immediately" (WT2026 ¶164).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub significant_harm: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_assessment: Option<PriorAssessment>,
    /// Why no early help assessment comes with it, where the partnership asks for one
    /// (NSCP §4.2, L670–L675).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_prior_assessment_reason: Option<String>,
    #[serde(default)]
    pub signs_of_safety: SignsOfSafety,
}

impl ReferralDetails {
    /// The referrer says the child is at immediate risk or suspects significant harm.
    pub fn is_urgent(&self) -> bool {
        self.immediate_risk || self.significant_harm
    }

    /// Whether child `i` still has to be identified before it can be matched to a
    /// record: a born child needs a full name and a date of birth or NHS number; an
    /// unborn child needs a mother named in full.
    pub fn child_needs_identification(&self, i: usize) -> bool {
        let Some(c) = self.children.get(i) else {
            return false;
        };
        if c.unborn {
            !c.mother
                .and_then(|m| self.family.get(m))
                .is_some_and(ReferredFamilyMember::is_named)
        } else {
            !(c.given_name.is_some()
                && c.family_name.is_some()
                && (c.date_of_birth.is_some() || c.nhs_number.is_some()))
        }
    }

    /// How child `i` is shown in trays and lists: the name as given, "unborn child of
    /// <mother>", or the start of the description.
    pub fn child_label(&self, i: usize) -> String {
        let Some(c) = self.children.get(i) else {
            return "the child".into();
        };
        let name = [c.given_name.as_deref(), c.family_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if c.unborn {
            let mother = c
                .mother
                .and_then(|m| self.family.get(m))
                .map(|m| {
                    [m.given_name.as_deref(), m.family_name.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .filter(|n| !n.is_empty());
            return match mother {
                Some(m) => format!("the unborn child of {m}"),
                None => "an unborn child".into(),
            };
        }
        if !name.is_empty() {
            return name;
        }
        match &c.description {
            Some(d) => {
                let short: String = d.chars().take(40).collect();
                if short.len() < d.len() {
                    format!("a child described as \"{short}…\"")
                } else {
                    format!("a child described as \"{short}\"")
                }
            }
            None => "an unnamed child".into(),
        }
    }

    /// Every child, as [`Self::child_label`], joined for a one-line summary.
    pub fn children_summary(&self) -> String {
        (0..self.children.len())
            .map(|i| self.child_label(i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The indexes of the children who need identification.
    pub fn children_needing_identification(&self) -> Vec<usize> {
        (0..self.children.len())
            .filter(|&i| self.child_needs_identification(i))
            .collect()
    }
}

// ---- Input -------------------------------------------------------------------

/// The raw referrer fields.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferrerInput {
    /// "professional" or "member-of-public".
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = "^\\s*(professional|member-of-public)\\s*$")
    )]
    pub kind: String,
    pub name: String,
    pub job_title: String,
    pub agency_name: String,
    /// An [`AgencyKind`] id, e.g. "health".
    pub agency_kind: String,
    pub phone: String,
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub email: String,
    pub relationship_to_child: String,
    /// "yes" if a member of the public agrees to their identity being shared.
    pub share_identity: String,
}

/// The raw fields of one child.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChildInput {
    /// "yes" for an unborn child.
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\s*(yes|no)?\\s*$"))]
    pub unborn: String,
    pub given_name: String,
    pub family_name: String,
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub date_of_birth: String,
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub expected_date_of_delivery: String,
    /// A [`Sex`] id; empty is "not known".
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^\\s*(female|male|unknown)?\\s*$")
    )]
    pub sex: String,
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\s*([0-9]\\s*){10}$|^\\s*$"))]
    pub nhs_number: String,
    pub upn: String,
    pub postcode: String,
    pub description: String,
    /// For an unborn child, the index (from 0) of the mother in `family`.
    pub mother: String,
}

/// The raw fields of one family or household member.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FamilyMemberInput {
    pub relationship: String,
    pub given_name: String,
    pub family_name: String,
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub date_of_birth: String,
    pub description: String,
    /// "yes", "no" or empty (not known).
    pub lives_with_child: String,
    pub parental_responsibility: String,
    pub alleged_perpetrator: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConcernInput {
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = "\\S"))]
    pub what_happened: String,
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = "\\S"))]
    pub seen_or_heard: String,
    pub developmental_needs: String,
    pub parenting_capacity: String,
    pub family_and_environment: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentInput {
    /// "yes", "no" or "not-known".
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = "^\\s*(yes|no|not-known)\\s*$")
    )]
    pub family_knows: String,
    /// "yes" or "no" (when the family knows).
    pub family_consents: String,
    pub reason: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriorAssessmentInput {
    /// "", "none", "early-help", "family-help" or "other".
    pub kind: String,
    pub completed_on: String,
    pub summary: String,
    /// With no assessment: why there is none (where the partnership asks for one).
    pub why_none: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignsOfSafetyInput {
    pub worried_about: String,
    pub working_well: String,
    pub needs_to_happen: String,
    /// A whole number from 0 to 10, or empty.
    pub scale: String,
}

/// A referral as typed into the form or posted to the API, before parsing.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferralInput {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub referrer: ReferrerInput,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_items = 1, max_items = 20)
    )]
    pub children: Vec<ChildInput>,
    pub family: Vec<FamilyMemberInput>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub concern: ConcernInput,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub consent: ConsentInput,
    /// "yes" or "no".
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = "^\\s*(yes|no)\\s*$")
    )]
    pub immediate_risk: String,
    pub immediate_risk_details: String,
    /// "yes" if the referrer suspects significant harm (WT2026 ¶164); "no" or empty if not.
    pub significant_harm: String,
    pub prior_assessment: PriorAssessmentInput,
    pub signs_of_safety: SignsOfSafetyInput,
}

fn opt_text(label: &str, s: &str, max: usize) -> Result<Option<String>, String> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_text(label, s, max).map(Some)
    }
}

fn opt_name(label: &str, s: &str) -> Result<Option<String>, String> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_name(label, s).map(Some)
    }
}

fn opt_date(label: &str, s: &str) -> Result<Option<NaiveDate>, String> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(label, s).map(Some)
    }
}

/// "yes"/"no" (or "true"/"false"), any case; empty is `None`.
fn opt_yes_no(s: &str) -> Result<Option<bool>, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "true" => Ok(Some(true)),
        "no" | "false" => Ok(Some(false)),
        _ => Err("Select yes or no".into()),
    }
}

fn yes_no(question: &str, s: &str) -> Result<bool, String> {
    opt_yes_no(s)?.ok_or_else(|| format!("Select whether {question}"))
}

/// A UK or international telephone number: digits with optional spaces, brackets,
/// hyphens and a leading +; 7 to 15 digits (ITU-T E.164 allows at most 15).
pub fn parse_phone(s: &str) -> Result<Option<String>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let ok_chars = t.char_indices().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
    });
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    if !ok_chars || !(7..=15).contains(&digits) {
        return Err("Enter a telephone number, like 01632 960 001 or +44 808 157 0192".into());
    }
    Ok(Some(t.to_string()))
}

/// An email address: one `@`, something before it, a dotted domain after it, no spaces.
pub fn parse_email(s: &str) -> Result<Option<String>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let ok = t.len() <= 254
        && !t.chars().any(|c| c.is_whitespace() || c.is_control())
        && match t.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if !ok {
        return Err("Enter an email address in the correct format, like name@example.org".into());
    }
    Ok(Some(t.to_string()))
}

impl ReferrerInput {
    fn parse(&self, e: &mut ValidationErrors) -> Option<Referrer> {
        let phone = e.take("referrer.phone", parse_phone(&self.phone));
        let email = e.take("referrer.email", parse_email(&self.email));
        let relationship = e.take(
            "referrer.relationship_to_child",
            opt_text(
                "relationship to the child",
                &self.relationship_to_child,
                MAX_SHORT,
            ),
        );
        match self.kind.trim() {
            "professional" => {
                // SET L512-L514: a professional's referral cannot be anonymous.
                let name = e.take(
                    "referrer.name",
                    if self.name.trim().is_empty() {
                        Err(
                            "Enter your name: a referral from a professional cannot be anonymous"
                                .to_string(),
                        )
                    } else {
                        parse_name("name", &self.name)
                    },
                );
                let job_title = e.take(
                    "referrer.job_title",
                    parse_text("job title", &self.job_title, 200),
                );
                let agency_name = e.take(
                    "referrer.agency_name",
                    parse_text("agency", &self.agency_name, 200),
                );
                let agency_kind = e.take(
                    "referrer.agency_kind",
                    AgencyKind::from_id(self.agency_kind.trim())
                        .ok_or_else(|| "Select the kind of agency you work for".to_string()),
                );
                if let (Some(None), Some(None)) = (&phone, &email) {
                    e.add(
                        "referrer.phone",
                        "Enter a telephone number or an email address so the front door can reach you",
                    );
                }
                Some(Referrer::Professional {
                    name: name?,
                    job_title: job_title?,
                    agency_name: agency_name?,
                    agency_kind: agency_kind?,
                    phone: phone?,
                    email: email?,
                    relationship_to_child: relationship?,
                })
            }
            "member-of-public" => {
                let name = e.take("referrer.name", opt_name("name", &self.name));
                let share = e.take("referrer.share_identity", opt_yes_no(&self.share_identity));
                Some(Referrer::MemberOfPublic {
                    name: name?,
                    phone: phone?,
                    email: email?,
                    relationship_to_child: relationship?,
                    // Withheld unless they agree (SET 2.4.26).
                    consents_to_identity_being_shared: share?.unwrap_or(false),
                })
            }
            _ => {
                e.add(
                    "referrer.kind",
                    "Select whether the referrer is a professional or a member of the public",
                );
                None
            }
        }
    }
}

impl FamilyMemberInput {
    fn parse(
        &self,
        i: usize,
        today: NaiveDate,
        e: &mut ValidationErrors,
    ) -> Option<ReferredFamilyMember> {
        let f = |name: &str| format!("family[{i}].{name}");
        let relationship = e.take(
            &f("relationship"),
            parse_text("relationship to the child", &self.relationship, 200),
        );
        let given = e.take(&f("given_name"), opt_name("first name", &self.given_name));
        let family = e.take(&f("family_name"), opt_name("last name", &self.family_name));
        let dob = e.take(
            &f("date_of_birth"),
            opt_date("date of birth", &self.date_of_birth),
        );
        if let Some(Some(d)) = dob {
            if d > today {
                e.add(
                    f("date_of_birth"),
                    "Date of birth must be today or in the past",
                );
            }
        }
        let description = e.take(
            &f("description"),
            opt_text("description", &self.description, MAX_SHORT),
        );
        if let (Some(None), Some(None), Some(None)) = (&given, &family, &description) {
            e.add(
                f("description"),
                "Give this person's name, or describe them so they can be identified",
            );
        }
        let lives = e.take(&f("lives_with_child"), opt_yes_no(&self.lives_with_child));
        let pr = e.take(
            &f("parental_responsibility"),
            opt_yes_no(&self.parental_responsibility),
        );
        let ap = e.take(
            &f("alleged_perpetrator"),
            opt_yes_no(&self.alleged_perpetrator),
        );
        Some(ReferredFamilyMember {
            relationship: relationship?,
            given_name: given?,
            family_name: family?,
            date_of_birth: dob?,
            description: description?,
            lives_with_child: lives?,
            parental_responsibility: pr?,
            alleged_perpetrator: ap?.unwrap_or(false),
        })
    }
}

impl ChildInput {
    fn parse(
        &self,
        i: usize,
        today: NaiveDate,
        family_len: usize,
        e: &mut ValidationErrors,
    ) -> Option<ReferredChild> {
        let f = |name: &str| format!("children[{i}].{name}");
        let unborn = e
            .take(&f("unborn"), opt_yes_no(&self.unborn))
            .map(|u| u.unwrap_or(false));
        let given = e.take(&f("given_name"), opt_name("first name", &self.given_name));
        let family = e.take(&f("family_name"), opt_name("last name", &self.family_name));
        let dob = e.take(
            &f("date_of_birth"),
            opt_date("date of birth", &self.date_of_birth),
        );
        let edd = e.take(
            &f("expected_date_of_delivery"),
            opt_date("expected date of delivery", &self.expected_date_of_delivery),
        );
        let sex = e.take(
            &f("sex"),
            if self.sex.trim().is_empty() {
                Ok(Sex::Unknown)
            } else {
                Sex::from_id(self.sex.trim())
                    .ok_or_else(|| "Select the child's sex, or 'Not known'".to_string())
            },
        );
        // Invalid NHS number: refused with this error, every other field still checked
        // (docs/decisions.md, "An invalid NHS number refuses the referral").
        let nhs = e.take(
            &f("nhs_number"),
            if self.nhs_number.trim().is_empty() {
                Ok(None)
            } else {
                NhsNumber::parse(&self.nhs_number).map(Some)
            },
        );
        let upn = e.take(
            &f("upn"),
            if self.upn.trim().is_empty() {
                Ok(None)
            } else {
                Upn::parse(&self.upn).map(Some)
            },
        );
        let postcode = e.take(&f("postcode"), parse_postcode(&self.postcode));
        let description = e.take(
            &f("description"),
            opt_text("description", &self.description, MAX_SHORT),
        );
        let mother = e.take(
            &f("mother"),
            match self.mother.trim() {
                "" => Ok(None),
                m => match m.parse::<usize>() {
                    Ok(n) if n < family_len => Ok(Some(n)),
                    _ => Err("Select the mother from the family members listed".to_string()),
                },
            },
        );
        let unborn_v = unborn?;
        if unborn_v {
            if matches!(dob, Some(Some(_))) {
                e.add(
                    f("date_of_birth"),
                    "An unborn child has no date of birth: give the expected date of delivery",
                );
            }
            if matches!(nhs, Some(Some(_))) {
                e.add(f("nhs_number"), "An unborn child has no NHS number yet");
            }
            match edd {
                Some(None) => e.add(
                    f("expected_date_of_delivery"),
                    "Enter the expected date of delivery",
                ),
                // As a record's: within ten months either side.
                Some(Some(d)) => {
                    if let Err(m) = crate::person::plausible_expected_delivery(d, today) {
                        e.add(f("expected_date_of_delivery"), m);
                    }
                }
                _ => {}
            }
            if matches!(mother, Some(None)) {
                e.add(
                    f("mother"),
                    "An unborn child is referred with the mother: add her as a family member and select her",
                );
            }
        } else {
            if matches!(edd, Some(Some(_))) {
                e.add(
                    f("expected_date_of_delivery"),
                    "Only an unborn child has an expected date of delivery",
                );
            }
            if let Some(Some(d)) = dob {
                if d > today {
                    e.add(
                        f("date_of_birth"),
                        "Date of birth must be today or in the past",
                    );
                } else if d
                    .checked_add_months(Months::new(18 * 12))
                    .is_some_and(|d18| d18 <= today)
                {
                    // A child is anyone who has not yet reached their 18th birthday (WT2026 Introduction).
                    e.add(
                        f("date_of_birth"),
                        "A child is under 18: this date of birth is 18 or more years ago",
                    );
                }
            }
            // A child may be described only (issue 3), but not left blank.
            if let (Some(None), Some(None), Some(None)) = (&given, &family, &description) {
                e.add(
                    f("description"),
                    "Give the child's name, or describe them so they can be identified",
                );
            }
        }
        Some(ReferredChild {
            unborn: unborn_v,
            given_name: given?,
            family_name: family?,
            date_of_birth: dob?,
            expected_date_of_delivery: edd?,
            sex: sex?,
            nhs_number: nhs?,
            upn: upn?,
            postcode: postcode?,
            description: description?,
            mother: if unborn_v { mother? } else { None },
        })
    }
}

impl ReferralInput {
    /// Parse every field, collecting every error (GOV.UK error summary pattern). Errors
    /// are named by path: `referrer.name`, `children[0].nhs_number`,
    /// `family[1].relationship`, `consent.reason`, `signs_of_safety.scale`.
    pub fn parse(&self, today: NaiveDate) -> Result<ReferralDetails, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let referrer = self.referrer.parse(&mut e);

        if self.family.len() > MAX_FAMILY {
            e.add(
                "family",
                format!("A referral can list at most {MAX_FAMILY} family and household members"),
            );
        }
        let family: Vec<Option<ReferredFamilyMember>> = self
            .family
            .iter()
            .take(MAX_FAMILY)
            .enumerate()
            .map(|(i, m)| m.parse(i, today, &mut e))
            .collect();

        if self.children.is_empty() {
            e.add(
                "children",
                "Add the child or children you are worried about",
            );
        } else if self.children.len() > MAX_CHILDREN {
            e.add(
                "children",
                format!("A referral can name at most {MAX_CHILDREN} children"),
            );
        }
        let family_len = self.family.len().min(MAX_FAMILY);
        let children: Vec<Option<ReferredChild>> = self
            .children
            .iter()
            .take(MAX_CHILDREN)
            .enumerate()
            .map(|(i, c)| c.parse(i, today, family_len, &mut e))
            .collect();

        let c = &self.concern;
        let what_happened = e.take(
            "concern.what_happened",
            parse_text("account of what happened", &c.what_happened, MAX_NARRATIVE),
        );
        let seen_or_heard = e.take(
            "concern.seen_or_heard",
            parse_text(
                "account of what you saw or heard",
                &c.seen_or_heard,
                MAX_NARRATIVE,
            ),
        );
        let dev = e.take(
            "concern.developmental_needs",
            opt_text(
                "child's developmental needs",
                &c.developmental_needs,
                MAX_NARRATIVE,
            ),
        );
        let cap = e.take(
            "concern.parenting_capacity",
            opt_text("parenting capacity", &c.parenting_capacity, MAX_NARRATIVE),
        );
        let env = e.take(
            "concern.family_and_environment",
            opt_text(
                "family and environmental factors",
                &c.family_and_environment,
                MAX_NARRATIVE,
            ),
        );

        let consent = self.parse_consent(referrer.as_ref(), &mut e);

        let immediate_risk = e.take(
            "immediate_risk",
            yes_no("the child needs protecting now", &self.immediate_risk),
        );
        let risk_details = e.take(
            "immediate_risk_details",
            opt_text("immediate risk", &self.immediate_risk_details, MAX_SHORT),
        );
        if immediate_risk == Some(true) && matches!(risk_details, Some(None)) {
            e.add(
                "immediate_risk_details",
                "Say what the immediate risk is and where the child is now",
            );
        }

        let significant_harm = e.take("significant_harm", opt_yes_no(&self.significant_harm));
        let prior = self.parse_prior(today, &mut e);

        let s = &self.signs_of_safety;
        let worried = e.take(
            "signs_of_safety.worried_about",
            opt_text("what we are worried about", &s.worried_about, MAX_NARRATIVE),
        );
        let working = e.take(
            "signs_of_safety.working_well",
            opt_text("what is working well", &s.working_well, MAX_NARRATIVE),
        );
        let needs = e.take(
            "signs_of_safety.needs_to_happen",
            opt_text("what needs to happen", &s.needs_to_happen, MAX_NARRATIVE),
        );
        let scale = e.take("signs_of_safety.scale", parse_scale(&s.scale));

        if !e.is_empty() {
            return Err(e);
        }
        // Every field parsed: each Option below is Some.
        let built = (|| {
            Some(ReferralDetails {
                referrer: referrer?,
                children: children.into_iter().collect::<Option<Vec<_>>>()?,
                family: family.into_iter().collect::<Option<Vec<_>>>()?,
                concern: Concern {
                    what_happened: what_happened?,
                    seen_or_heard: seen_or_heard?,
                    developmental_needs: dev?,
                    parenting_capacity: cap?,
                    family_and_environment: env?,
                },
                consent: consent?,
                immediate_risk: immediate_risk?,
                immediate_risk_details: risk_details?,
                significant_harm: significant_harm?.unwrap_or(false),
                prior_assessment: prior.clone()?.0,
                no_prior_assessment_reason: prior?.1,
                signs_of_safety: SignsOfSafety {
                    worried_about: worried?,
                    working_well: working?,
                    needs_to_happen: needs?,
                    scale: scale?,
                },
            })
        })();
        built.ok_or_else(|| ValidationErrors::single("referral", "The referral could not be read"))
    }

    fn parse_consent(
        &self,
        referrer: Option<&Referrer>,
        e: &mut ValidationErrors,
    ) -> Option<FamilyConsent> {
        let c = &self.consent;
        let knows = e.take(
            "consent.family_knows",
            match c.family_knows.trim() {
                "yes" => Ok(FamilyKnows::Yes),
                "no" => Ok(FamilyKnows::No),
                "not-known" => Ok(FamilyKnows::NotKnown),
                _ => Err("Select whether the family knows about this referral".to_string()),
            },
        );
        let consents = e.take("consent.family_consents", opt_yes_no(&c.family_consents));
        let reason = e.take("consent.reason", opt_text("reason", &c.reason, MAX_SHORT));
        let (knows, consents, reason) = (knows?, consents?, reason?);
        match knows {
            FamilyKnows::Yes => match consents {
                None => e.add(
                    "consent.family_consents",
                    "Select whether the family agrees to the referral",
                ),
                // SET L522-L524: the reason for proceeding without agreement must be recorded.
                Some(false) if reason.is_none() => e.add(
                    "consent.reason",
                    "Say why the referral is made without the family's agreement",
                ),
                _ => {}
            },
            FamilyKnows::No => {
                if consents.is_some() {
                    e.add(
                        "consent.family_consents",
                        "The family cannot have agreed to a referral they do not know about",
                    );
                }
                // SET L505-L509: a decision not to seek permission must be recorded with reasons.
                if reason.is_none() {
                    e.add(
                        "consent.reason",
                        "Say why the family has not been told, for example because telling them would put the child at risk",
                    );
                }
            }
            FamilyKnows::NotKnown => {
                if referrer.is_some_and(Referrer::is_professional) {
                    e.add(
                        "consent.family_knows",
                        "Say whether you have told the family about this referral",
                    );
                }
                if consents.is_some() {
                    e.add(
                        "consent.family_consents",
                        "Leave this empty when you do not know whether the family knows",
                    );
                }
            }
        }
        Some(FamilyConsent {
            family_knows: knows,
            family_consents: consents,
            reason,
        })
    }

    /// The assessment already done, or why there is none.
    fn parse_prior(
        &self,
        today: NaiveDate,
        e: &mut ValidationErrors,
    ) -> Option<(Option<PriorAssessment>, Option<String>)> {
        let p = &self.prior_assessment;
        let kind = e.take(
            "prior_assessment.kind",
            match p.kind.trim() {
                "" | "none" => Ok(None),
                k => PriorAssessmentKind::from_id(k).map(Some).ok_or_else(|| {
                    "Select the kind of assessment already done, or none".to_string()
                }),
            },
        );
        let date = e.take(
            "prior_assessment.completed_on",
            opt_date("date the assessment was completed", &p.completed_on),
        );
        if let Some(Some(d)) = date {
            if d > today {
                e.add(
                    "prior_assessment.completed_on",
                    "Date the assessment was completed must be today or in the past",
                );
            }
        }
        let summary = e.take(
            "prior_assessment.summary",
            opt_text("assessment summary", &p.summary, MAX_NARRATIVE),
        );
        let why_none = e.take(
            "prior_assessment.why_none",
            opt_text("why there is no assessment", &p.why_none, MAX_NARRATIVE),
        );
        let (kind, date, summary, why_none) = (kind?, date?, summary?, why_none?);
        match kind {
            None => {
                if date.is_some() || summary.is_some() {
                    e.add(
                        "prior_assessment.kind",
                        "Select the kind of assessment already done",
                    );
                }
                Some((None, why_none))
            }
            Some(kind) => {
                if why_none.is_some() {
                    e.add(
                        "prior_assessment.why_none",
                        "An assessment was chosen: leave \"why there is none\" empty",
                    );
                }
                Some((
                    Some(PriorAssessment {
                        kind,
                        completed_on: date,
                        summary,
                    }),
                    None,
                ))
            }
        }
    }
}

/// The Signs of Safety scale: a whole number from 0 to 10 (NSCP §2.3 L272, §2.4 L311).
pub fn parse_scale(s: &str) -> Result<Option<u8>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u8>() {
        Ok(n) if n <= 10 => Ok(Some(n)),
        _ => Err("Scale must be a whole number from 0 to 10".into()),
    }
}

//! Is this child known? Person matching for the front door (issue 3).
//!
//! On every referral the front door searches the people already known: exactly on
//! NHS number (only a number whose modulus 11 check digit is right) and UPN (only one
//! whose check letter is right), then fuzzily on name, date of birth, sex, postcode
//! and household members. [`Index::search`] returns ranked [`Candidate`]s, each with
//! the [`MatchReason`]s for and against it, in words a front-door worker reads.
//!
//! **Nothing here links or merges anyone.** A score at or above [`LINK_THRESHOLD`]
//! means "likely the same child": the worker still confirms the link (an event,
//! reversible) or creates a new person. An exact NHS number or UPN match scores 1.0
//! and is shown first, and is still only a candidate.
//!
//! How it works:
//!
//! * **Normalisation** ([`fold`], [`name_tokens`]): lower case; accents and other
//!   diacritics of Latin-1 and Latin Extended-A folded by a table (é → e, ß → ss,
//!   Ł → l, Œ → oe); apostrophes dropped (O'Brien → obrien); hyphens and spaces split
//!   names into parts (Smith-Jones → smith, jones); "Mac" written as "Mc"; particles
//!   (van, de, al, bin…) kept in the whole name but not matched as parts on their own.
//! * **Given names**: a table of English short forms and of spelling variants and
//!   transliterations (`matching/given_names.txt`: Elizabeth/Liz/Beth/Betty,
//!   William/Bill/Liam, Mohammed/Muhammad/Mohamed, Aleksandr/Alexander…).
//! * **Similarity**: Jaro–Winkler ([`jaro_winkler`]) for spelling, and a phonetic key
//!   ([`phonetic`], a small Metaphone) for "sounds alike" and for blocking.
//! * **Blocking**: the [`Index`] keeps, for every person, a handful of keys (NHS
//!   number; UPN; date of birth; postcode; household members' names; phonetic family
//!   name (whole and each part), alone if rare and with year of birth; phonetic given
//!   name or its short-form group with year of birth; given name with the phonetic
//!   family name, and with its first or last three letters) and compares a probe only
//!   with people who share a key. A probe also looks up its date of birth with day
//!   and month swapped, and its names the other way round.
//! * **Scoring**: each field's comparison adds a weight in bits, the log-likelihood
//!   ratio of "same person" against "different people" (Fellegi–Sunter); agreeing on
//!   a name weighs by how rare the name is among the people held. The sum becomes a
//!   score between 0 and 1 by a logistic curve. Missing fields add nothing. Because
//!   fields are not independent within a family (twins share everything but the
//!   first name), a candidate whose first name or date of birth differs, or with no
//!   date of birth to compare and neither address nor household to corroborate, is
//!   capped below the link threshold. The weights were set by hand and checked on
//!   generated data with known truth (`crates/matchbench`, results in BENCHMARKS.md).
//!
//! Pure: no I/O. Names, dates of birth and reasons are personal data: show them to
//! the worker, never log them.

use crate::ids::PersonId;
use crate::person::{parse_postcode, PersonDetails, Sex};
use crate::upn::Upn;
use crate::validate::NhsNumber;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// At or above this score a candidate is "likely the same child". The worker still
/// confirms: nothing is linked or merged automatically.
pub const LINK_THRESHOLD: f32 = 0.9;

/// The weight sum (bits) that scores 0.5; 18.2 bits score 0.9. Names and date of
/// birth all equal give at least 2.5 + 3 + 8 = 13.5 bits for the commonest names
/// (score 0.26) and 6 + 7 + 8 = 21 bits with the fixed weights (0.98).
const SCORE_MIDPOINT: f32 = 15.0;

/// The most weight a candidate can have when a first name or date of birth differs
/// (see `weigh`): score 0.85, just under the link threshold.
const UNLIKELY_CAP: f32 = SCORE_MIDPOINT + 2.5;

/// Blocks larger than this are too unselective to read (a name like "Baby" with no
/// year); identifier blocks are always read.
const MAX_BLOCK: u32 = 5_000;
/// The family name on its own is read only when it is this rare (it finds people
/// whose date of birth and first name were both given wrongly or not at all).
const MAX_FAMILY_BLOCK: u32 = 2_000;

/// Weights in bits: log2 of how much more often a field agrees this way for the same
/// person than for two different people.
mod w {
    pub const NHS_DIFFERS: f32 = -8.0;
    pub const UPN_DIFFERS: f32 = -5.0;

    pub const GIVEN_EXACT: f32 = 6.0;
    pub const GIVEN_SPELLING: f32 = 5.5;
    pub const GIVEN_SHORT_FORM: f32 = 5.0;
    pub const GIVEN_BOTH_SHORT: f32 = 4.0;
    pub const GIVEN_SIMILAR: f32 = 4.0;
    pub const GIVEN_SHARED: f32 = 3.5;
    pub const GIVEN_SOUNDS: f32 = 3.0;
    pub const GIVEN_SOMEWHAT: f32 = 1.5;
    pub const GIVEN_INITIAL: f32 = 1.0;
    pub const GIVEN_DIFFERS: f32 = -6.0;

    pub const FAMILY_EXACT: f32 = 7.0;
    pub const FAMILY_PART: f32 = 5.5;
    pub const FAMILY_SIMILAR: f32 = 5.0;
    pub const FAMILY_SOUNDS: f32 = 3.5;
    pub const FAMILY_SOMEWHAT: f32 = 2.0;
    pub const FAMILY_DIFFERS: f32 = -4.0;
    /// Taken off when the names agree only the other way round.
    pub const NAMES_REVERSED_PENALTY: f32 = 2.0;

    pub const DOB_EXACT: f32 = 8.0;
    pub const DOB_SWAPPED: f32 = 6.0;
    pub const DOB_ONE_TYPO: f32 = 5.0;
    pub const DOB_WEEK: f32 = 3.5;
    pub const DOB_MONTH: f32 = 1.0;
    pub const DOB_SAME_YEAR: f32 = -4.0;
    pub const DOB_DIFFERS: f32 = -8.0;

    pub const SEX_AGREES: f32 = 0.7;
    pub const SEX_DIFFERS: f32 = -3.0;

    pub const POSTCODE_SAME: f32 = 3.5;
    pub const POSTCODE_AREA: f32 = 1.0;
    pub const POSTCODE_DIFFERS: f32 = -0.5;

    pub const HOUSEHOLD_ONE: f32 = 3.5;
    pub const HOUSEHOLD_TWO: f32 = 6.0;
    pub const HOUSEHOLD_MORE: f32 = 8.0;
    /// Both lists given and no one in common (lists are often incomplete, so mild).
    pub const HOUSEHOLD_NONE: f32 = -1.5;
    /// The candidate is named as one of the people the person lives with.
    pub const NAMED_IN_HOUSEHOLD: f32 = -6.0;
}

// ---------------------------------------------------------------------------
// Inputs and outputs
// ---------------------------------------------------------------------------

/// What a referral says about the person it is about. Every field but the names may
/// be missing; a missing field is no evidence either way. Identifiers that fail their
/// check (NHS number modulus 11, UPN check letter) are not used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub nhs_number: Option<String>,
    pub upn: Option<String>,
    pub postcode: Option<String>,
    /// Full names ("Jane Smith") of the people the person lives with.
    pub household: Vec<String>,
}

impl Probe {
    /// The fields of a person's details (household is not in them). For an
    /// unborn child the expected date of delivery stands in for the date of birth, so
    /// the born child is found by a near date.
    pub fn from_details(d: &PersonDetails) -> Probe {
        Probe {
            given_name: d.given_name.clone(),
            family_name: d.family_name.clone(),
            date_of_birth: d.date_of_birth.or(d.expected_date_of_delivery),
            sex: Some(d.sex),
            nhs_number: d.nhs_number.as_ref().map(|n| n.as_str().to_string()),
            upn: d.upn.as_ref().map(|u| u.as_str().to_string()),
            postcode: d.postcode.clone(),
            household: Vec::new(),
        }
    }
}

impl From<&Known> for Probe {
    /// The search a known person's own details make.
    fn from(k: &Known) -> Probe {
        Probe {
            given_name: k.given_name.clone(),
            family_name: k.family_name.clone(),
            date_of_birth: k.date_of_birth,
            sex: k.sex,
            nhs_number: k.nhs_number.clone(),
            upn: k.upn.clone(),
            postcode: k.postcode.clone(),
            household: k.household.clone(),
        }
    }
}

/// A person already known, as the index holds them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub nhs_number: Option<String>,
    pub upn: Option<String>,
    pub postcode: Option<String>,
    pub household: Vec<String>,
}

impl Known {
    pub fn new(id: PersonId, p: Probe) -> Known {
        Known {
            id,
            given_name: p.given_name,
            family_name: p.family_name,
            date_of_birth: p.date_of_birth,
            sex: p.sex,
            nhs_number: p.nhs_number,
            upn: p.upn,
            postcode: p.postcode,
            household: p.household,
        }
    }
}

/// One person who may be the one searched for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub person: PersonId,
    /// 0 to 1; 1.0 for an exact NHS number or UPN match.
    pub score: f32,
    /// Why, for and against, most decisive first within each field.
    pub reasons: Vec<MatchReason>,
}

impl Candidate {
    /// At or above [`LINK_THRESHOLD`]: likely the same person (the worker confirms).
    pub fn is_likely(&self) -> bool {
        self.score >= LINK_THRESHOLD
    }
}

/// Why a candidate was scored as it was. `Display` gives the sentence a front-door
/// worker reads. Reasons carry names: show them, never log them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum MatchReason {
    NhsNumberMatches,
    NhsNumberDiffers,
    UpnMatches,
    UpnDiffers,
    GivenNameMatches,
    /// `given` is what the search gave, `recorded` what is held.
    GivenNameSpellingVariant {
        given: String,
        recorded: String,
    },
    GivenNameShortForm {
        short: String,
        full: String,
    },
    GivenNamesBothShortForms {
        given: String,
        recorded: String,
        full: String,
    },
    /// One of the names is the other's middle name.
    GivenNameShared {
        name: String,
    },
    GivenNameSimilar {
        given: String,
        recorded: String,
    },
    GivenNameSoundsAlike {
        given: String,
        recorded: String,
    },
    GivenNameInitial,
    GivenNameDiffers {
        given: String,
        recorded: String,
    },
    FamilyNameMatches,
    FamilyNamePart {
        part: String,
        given: String,
        recorded: String,
    },
    FamilyNameSimilar {
        given: String,
        recorded: String,
    },
    FamilyNameSoundsAlike {
        given: String,
        recorded: String,
    },
    FamilyNameDiffers {
        given: String,
        recorded: String,
    },
    NamesReversed,
    DateOfBirthMatches,
    DateOfBirthDayMonthSwapped,
    DateOfBirthOneTypingError,
    DateOfBirthNear {
        days: i64,
    },
    DateOfBirthSameYearOnly,
    DateOfBirthDiffers,
    SexMatches,
    SexDiffers,
    PostcodeMatches,
    PostcodeSameArea {
        outward: String,
    },
    PostcodeDiffers,
    HouseholdMembers {
        names: Vec<String>,
    },
    HouseholdDiffers,
    /// The person recorded is named as one of the people the searched-for person
    /// lives with.
    NamedAsHouseholdMember,
}

impl MatchReason {
    /// Whether this reason is evidence for the match (false: against it).
    pub fn supports(&self) -> bool {
        use MatchReason::*;
        !matches!(
            self,
            NhsNumberDiffers
                | UpnDiffers
                | GivenNameDiffers { .. }
                | FamilyNameDiffers { .. }
                | DateOfBirthSameYearOnly
                | DateOfBirthDiffers
                | SexDiffers
                | PostcodeDiffers
                | HouseholdDiffers
                | NamedAsHouseholdMember
        )
    }
}

impl fmt::Display for MatchReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MatchReason::*;
        match self {
            NhsNumberMatches => f.write_str("NHS number matches"),
            NhsNumberDiffers => f.write_str("NHS number is different"),
            UpnMatches => f.write_str("UPN matches"),
            UpnDiffers => f.write_str("UPN is different"),
            GivenNameMatches => f.write_str("First name matches"),
            GivenNameSpellingVariant { given, recorded } => write!(
                f,
                "First name is a known spelling variant: {given} for {recorded}"
            ),
            GivenNameShortForm { short, full } => {
                write!(f, "First name is a known short form: {short} for {full}")
            }
            GivenNamesBothShortForms {
                given,
                recorded,
                full,
            } => write!(
                f,
                "First names are both short forms of {full}: {given} and {recorded}"
            ),
            GivenNameShared { name } => {
                write!(f, "First names share {name} (one as a middle name)")
            }
            GivenNameSimilar { given, recorded } => {
                write!(f, "First name is spelt similarly: {given} and {recorded}")
            }
            GivenNameSoundsAlike { given, recorded } => {
                write!(f, "First name sounds alike: {given} and {recorded}")
            }
            GivenNameInitial => f.write_str("First name's initial matches"),
            GivenNameDiffers { given, recorded } => {
                write!(f, "First name is different: {given} and {recorded}")
            }
            FamilyNameMatches => f.write_str("Last name matches"),
            FamilyNamePart {
                part,
                given,
                recorded,
            } => write!(f, "Last names share {part}: {given} and {recorded}"),
            FamilyNameSimilar { given, recorded } => {
                write!(f, "Last name is spelt similarly: {given} and {recorded}")
            }
            FamilyNameSoundsAlike { given, recorded } => {
                write!(f, "Last name sounds alike: {given} and {recorded}")
            }
            FamilyNameDiffers { given, recorded } => {
                write!(f, "Last name is different: {given} and {recorded}")
            }
            NamesReversed => f.write_str("First and last names match the other way round"),
            DateOfBirthMatches => f.write_str("Date of birth matches"),
            DateOfBirthDayMonthSwapped => {
                f.write_str("Date of birth matches with day and month swapped")
            }
            DateOfBirthOneTypingError => f.write_str(
                "Date of birth differs by one typing error (one digit wrong, or two swapped)",
            ),
            DateOfBirthNear { days } => write!(
                f,
                "Date of birth is {days} day{} apart",
                if *days == 1 { "" } else { "s" }
            ),
            DateOfBirthSameYearOnly => f.write_str("Only the year of birth matches"),
            DateOfBirthDiffers => f.write_str("Date of birth is different"),
            SexMatches => f.write_str("Sex matches"),
            SexDiffers => f.write_str("Sex is different"),
            PostcodeMatches => f.write_str("Postcode matches"),
            PostcodeSameArea { outward } => {
                write!(f, "Postcode is in the same area ({outward})")
            }
            PostcodeDiffers => f.write_str("Postcode is different"),
            HouseholdMembers { names } => {
                write!(f, "Lives with the same people: {}", names.join(", "))
            }
            HouseholdDiffers => f.write_str("No household members in common"),
            NamedAsHouseholdMember => {
                f.write_str("Is named as someone this person lives with (a twin or relative?)")
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------

/// Base letters for U+00C0..=U+00FF; `*` is a letter that folds to two (Æ, Þ, ß),
/// a space a symbol (× ÷).
const LATIN_1: &[u8; 64] = b"\
    aaaaaa*ceeeeiiii\
    dnooooo ouuuuy**\
    aaaaaa*ceeeeiiii\
    dnooooo ouuuuy*y\
";
/// Base letters for U+0100..=U+017F (Latin Extended-A); `*` is Ĳ ĳ Œ œ.
const LATIN_EXT_A: &[u8; 128] = b"\
    aaaaaaccccccccdd\
    ddeeeeeeeeeegggg\
    gggghhhhiiiiiiii\
    ii**jjkkklllllll\
    lllnnnnnnnnnoooo\
    oo**rrrrrrssssss\
    ssttttttuuuuuuuu\
    uuuuwwyyyzzzzzzs\
";

fn fold_non_ascii(c: char, out: &mut String) {
    let u = c as u32;
    let base = match u {
        0xC0..=0xFF => LATIN_1[(u - 0xC0) as usize],
        0x100..=0x17F => LATIN_EXT_A[(u - 0x100) as usize],
        0x218 | 0x219 => b's', // Ș ș (Romanian)
        0x21A | 0x21B => b't', // Ț ț
        _ => 0,
    };
    match base {
        b'*' => out.push_str(match c {
            'Æ' | 'æ' => "ae",
            'Þ' | 'þ' => "th",
            'ß' => "ss",
            'Ĳ' | 'ĳ' => "ij",
            _ => "oe", // Œ œ
        }),
        b' ' => out.push(' '),
        0 if c.is_alphabetic() => out.extend(c.to_lowercase()),
        0 if c.is_whitespace() => out.push(' '),
        0 => {}
        b => out.push(b as char),
    }
}

/// Fold a name for comparison: lower case, accents removed, apostrophes dropped,
/// hyphens and other separators made single spaces, digits and symbols dropped.
/// Letters of other scripts are kept (lower-cased), so they still match exactly.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'a'..='z' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' => {}
            c if c.is_ascii() => {
                if c.is_ascii_whitespace() || c.is_ascii_punctuation() {
                    out.push(' ')
                }
            }
            '\u{2010}'..='\u{2015}' => out.push(' '),
            c => fold_non_ascii(c, &mut out),
        }
    }
    // Collapse runs of spaces and trim.
    let mut t = String::with_capacity(out.len());
    for w in out.split(' ').filter(|w| !w.is_empty()) {
        if !t.is_empty() {
            t.push(' ');
        }
        t.push_str(w);
    }
    t
}

/// Surname particles: part of the whole name, not matched as parts on their own.
const PARTICLES: &[&str] = &[
    "al", "el", "bin", "ibn", "bint", "binti", "ben", "abu", "da", "das", "de", "del", "della",
    "der", "den", "di", "do", "dos", "du", "la", "le", "van", "von", "ter", "ten", "op", "y",
];

fn is_particle(t: &str) -> bool {
    PARTICLES.contains(&t)
}

/// First names that stand for "not named yet" (an unborn or newborn baby, a person
/// whose name the referrer does not know): treated as no first name at all.
const PLACEHOLDERS: &[&str] = &[
    "baby", "unborn", "newborn", "infant", "unnamed", "unknown", "nk", "tbc", "child", "twin",
    "boy", "girl", "male", "female",
];

/// The folded parts of a name: "Mary-Jane O'Brien" → mary, jane, obrien. "Mac" is
/// written "Mc" (MacDonald and McDonald compare equal) and "St" as "saint".
pub fn name_tokens(s: &str) -> Vec<String> {
    fold(s)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| {
            if t == "st" {
                "saint".to_string()
            } else if t.len() >= 5 && t.starts_with("mac") {
                format!("mc{}", &t[3..])
            } else {
                t.to_string()
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Given-name table
// ---------------------------------------------------------------------------

const GIVEN_NAMES: &str = include_str!("matching/given_names.txt");

struct NameGroup {
    full: Vec<&'static str>,
    short: Vec<&'static str>,
}

struct GivenTable {
    groups: Vec<NameGroup>,
    /// Name → codes (group << 1 | 1 if a short form in it).
    by_name: HashMap<&'static str, Vec<u16>>,
}

fn given_table() -> &'static GivenTable {
    static T: OnceLock<GivenTable> = OnceLock::new();
    T.get_or_init(|| {
        let mut groups = Vec::new();
        let mut by_name: HashMap<&'static str, Vec<u16>> = HashMap::new();
        for line in GIVEN_NAMES.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (full, short) = line.split_once(':').unwrap_or((line, ""));
            let g = NameGroup {
                full: full.split_whitespace().collect(),
                short: short.split_whitespace().collect(),
            };
            let id = groups.len() as u16;
            for n in &g.full {
                by_name.entry(n).or_default().push(id << 1);
            }
            for n in &g.short {
                by_name.entry(n).or_default().push((id << 1) | 1);
            }
            groups.push(g);
        }
        for codes in by_name.values_mut() {
            codes.sort_unstable();
            codes.dedup_by_key(|c| *c >> 1);
        }
        GivenTable { groups, by_name }
    })
}

fn given_codes(token: &str) -> &'static [u16] {
    given_table()
        .by_name
        .get(token)
        .map(|v| v.as_slice())
        .unwrap_or(&[])
}

/// How two given names are related by the table, if they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GivenRelation {
    /// Spellings or transliterations of the same name (Mohamed, Muhammad).
    SpellingVariant,
    /// The first is a short form of the second (Beth, Elizabeth).
    FirstIsShortFor,
    /// The second is a short form of the first.
    SecondIsShortFor,
    /// Both are short forms of the same name (Liz, Beth: Elizabeth); the group's
    /// first full form.
    BothShortFor(&'static str),
}

/// The table's relation between two given names (compared folded), if any.
pub fn given_relation(a: &str, b: &str) -> Option<GivenRelation> {
    let (a, b) = (fold(a), fold(b));
    relation_of_codes(given_codes(&a), given_codes(&b))
}

/// The full forms a given name is short for (Beth → elizabeth, bethany), folded.
pub fn full_forms(name: &str) -> Vec<&'static str> {
    let t = given_table();
    given_codes(&fold(name))
        .iter()
        .filter(|c| *c & 1 == 1)
        .flat_map(|c| t.groups[(*c >> 1) as usize].full.iter().copied())
        .collect()
}

/// The known short forms of a given name (Elizabeth → eliza, liz, beth…), folded.
pub fn short_forms(name: &str) -> Vec<&'static str> {
    let t = given_table();
    given_codes(&fold(name))
        .iter()
        .filter(|c| *c & 1 == 0)
        .flat_map(|c| t.groups[(*c >> 1) as usize].short.iter().copied())
        .collect()
}

/// Other spellings and transliterations of a given name (Mohamed → mohammed,
/// muhammad…), folded, not including the name itself.
pub fn spelling_variants(name: &str) -> Vec<&'static str> {
    let t = given_table();
    let f = fold(name);
    given_codes(&f)
        .iter()
        .filter(|c| *c & 1 == 0)
        .flat_map(|c| t.groups[(*c >> 1) as usize].full.iter().copied())
        .filter(|n| *n != f)
        .collect()
}

fn relation_of_codes(a: &[u16], b: &[u16]) -> Option<GivenRelation> {
    let mut best: Option<(u8, GivenRelation)> = None;
    for &x in a {
        for &y in b {
            if x >> 1 != y >> 1 {
                continue;
            }
            let r = match (x & 1, y & 1) {
                (0, 0) => (4, GivenRelation::SpellingVariant),
                (1, 0) => (3, GivenRelation::FirstIsShortFor),
                (0, _) => (3, GivenRelation::SecondIsShortFor),
                _ => (
                    2,
                    GivenRelation::BothShortFor(given_table().groups[(x >> 1) as usize].full[0]),
                ),
            };
            if best.is_none_or(|(rank, _)| r.0 > rank) {
                best = Some(r);
            }
        }
    }
    best.map(|(_, r)| r)
}

// ---------------------------------------------------------------------------
// Similarity and phonetic keys
// ---------------------------------------------------------------------------

/// Jaro–Winkler similarity (0 to 1) of two strings, compared byte by byte (use on
/// folded names). Prefix scale 0.1, prefix up to 4.
pub fn jaro_winkler(a: &str, b: &str) -> f32 {
    jw(a.as_bytes(), b.as_bytes())
}

fn jw(a: &[u8], b: &[u8]) -> f32 {
    if a == b {
        return if a.is_empty() { 0.0 } else { 1.0 };
    }
    let a = &a[..a.len().min(64)];
    let b = &b[..b.len().min(64)];
    let (la, lb) = (a.len(), b.len());
    if la == 0 || lb == 0 {
        return 0.0;
    }
    let window = (la.max(lb) / 2).saturating_sub(1);
    // Matched positions as bit sets. For a–z, where each letter of `b` is, so a
    // match is found with a mask instead of a scan of the window.
    let (mut am, mut bm) = (0u64, 0u64);
    let mut m = 0u32;
    let letters = a.iter().chain(b).all(u8::is_ascii_lowercase);
    if letters {
        let mut at = [0u64; 26];
        for (j, c) in b.iter().enumerate() {
            at[(c - b'a') as usize] |= 1 << j;
        }
        for (i, c) in a.iter().enumerate() {
            let lo = i.saturating_sub(window);
            let hi = (i + window + 1).min(lb);
            if lo >= hi {
                break;
            }
            let span = if hi - lo >= 64 {
                u64::MAX
            } else {
                ((1u64 << (hi - lo)) - 1) << lo
            };
            let free = at[(c - b'a') as usize] & span & !bm;
            if free != 0 {
                bm |= free & free.wrapping_neg();
                am |= 1 << i;
                m += 1;
            }
        }
    } else {
        for (i, c) in a.iter().enumerate() {
            let lo = i.saturating_sub(window);
            let hi = (i + window + 1).min(lb);
            if let Some(j) = (lo..hi).find(|&j| bm & (1 << j) == 0 && *c == b[j]) {
                am |= 1 << i;
                bm |= 1 << j;
                m += 1;
            }
        }
    }
    if m == 0 {
        return 0.0;
    }
    // Half the matched characters out of order are transpositions.
    let mut t = 0u32;
    let mut rest = bm;
    let mut ai = am;
    while ai != 0 {
        let i = ai.trailing_zeros() as usize;
        let j = rest.trailing_zeros() as usize;
        if a[i] != b[j] {
            t += 1;
        }
        ai &= ai - 1;
        rest &= rest - 1;
    }
    let mf = m as f32;
    let jaro = (mf / la as f32 + mf / lb as f32 + (mf - (t / 2) as f32) / mf) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f32 * 0.1 * (1.0 - jaro)
}

const MAX_CODES: usize = 6;

fn is_vowel(c: Option<&u8>) -> bool {
    matches!(c, Some(b'a' | b'e' | b'i' | b'o' | b'u'))
}

/// A phonetic key for one folded name part: a small Metaphone (consonant skeleton;
/// "ph" → F, soft c → S, "th" → 0, silent "gh", "kn", "wr"…), at most six codes.
/// Mohammed, Muhammad and Mohamed all give MHMT; Smith and Smyth give SM0.
pub fn phonetic(word: &str) -> String {
    let mut buf = [0u8; 8];
    let n = phonetic_codes(word.as_bytes(), &mut buf);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

fn phonetic_codes(w: &[u8], out: &mut [u8; 8]) -> usize {
    let n = w.len();
    let mut len = 0usize;
    let mut emit = |c: u8, len: &mut usize| {
        if *len < MAX_CODES && (*len == 0 || out[*len - 1] != c) {
            out[*len] = c;
            *len += 1;
        }
    };
    if n == 0 {
        return 0;
    }
    let mut i = 0;
    if n >= 2 && matches!(&w[..2], b"kn" | b"gn" | b"pn" | b"wr" | b"ps") {
        i = 1;
    } else if w[0] == b'x' {
        emit(b'S', &mut len);
        i = 1;
    } else if n >= 2 && &w[..2] == b"wh" {
        emit(b'W', &mut len);
        i = 2;
    } else if is_vowel(w.first()) {
        emit(b'A', &mut len);
        i = 1;
    }
    while i < n && len < MAX_CODES {
        let c = w[i];
        let prev = if i > 0 { Some(w[i - 1]) } else { None };
        let next = w.get(i + 1).copied();
        let next2 = w.get(i + 2).copied();
        if prev == Some(c) && c != b'c' {
            i += 1;
            continue;
        }
        match c {
            // A final "mb" is an m (Lamb).
            b'b' if !(prev == Some(b'm') && i + 1 == n) => emit(b'B', &mut len),
            b'c' => {
                if prev == Some(b's') && next == Some(b'h') {
                    emit(b'K', &mut len);
                    i += 1;
                } else if next == Some(b'h') {
                    emit(b'X', &mut len);
                    i += 1;
                } else if next == Some(b'i') && next2 == Some(b'a') {
                    emit(b'X', &mut len);
                } else if matches!(next, Some(b'e' | b'i' | b'y')) {
                    emit(b'S', &mut len);
                } else {
                    emit(b'K', &mut len);
                    if next == Some(b'k') {
                        i += 1;
                    }
                }
            }
            b'd' => {
                if next == Some(b'g') && matches!(next2, Some(b'e' | b'i' | b'y')) {
                    emit(b'J', &mut len);
                    i += 2;
                } else {
                    emit(b'T', &mut len);
                }
            }
            b'g' => {
                if next == Some(b'h') {
                    if i == 0 {
                        emit(b'K', &mut len);
                    }
                    i += 1;
                } else if next == Some(b'n') && i + 2 == n {
                } else if matches!(next, Some(b'e' | b'i' | b'y')) {
                    emit(b'J', &mut len);
                } else {
                    emit(b'K', &mut len);
                }
            }
            b'h' if is_vowel(next.as_ref())
                && !matches!(prev, Some(b'c' | b's' | b'p' | b't' | b'g')) =>
            {
                emit(b'H', &mut len)
            }
            b'k' if prev != Some(b'c') => emit(b'K', &mut len),
            b'p' => {
                if next == Some(b'h') {
                    emit(b'F', &mut len);
                    i += 1;
                } else {
                    emit(b'P', &mut len);
                }
            }
            b'q' => emit(b'K', &mut len),
            b's' => {
                if next == Some(b'h') {
                    emit(b'X', &mut len);
                    i += 1;
                } else if next == Some(b'i') && matches!(next2, Some(b'o' | b'a')) {
                    emit(b'X', &mut len);
                } else {
                    emit(b'S', &mut len);
                }
            }
            b't' => {
                if next == Some(b'i') && matches!(next2, Some(b'o' | b'a')) {
                    emit(b'X', &mut len);
                } else if next == Some(b'h') {
                    emit(b'0', &mut len);
                    i += 1;
                } else if !(next == Some(b'c') && next2 == Some(b'h')) {
                    emit(b'T', &mut len);
                }
            }
            b'v' | b'f' => emit(b'F', &mut len),
            b'w' | b'y' if is_vowel(next.as_ref()) => emit(c.to_ascii_uppercase(), &mut len),
            b'x' => {
                emit(b'K', &mut len);
                emit(b'S', &mut len);
            }
            b'z' => emit(b'S', &mut len),
            b'j' | b'l' | b'm' | b'n' | b'r' => emit(c.to_ascii_uppercase(), &mut len),
            _ => {} // vowels after the first letter, and anything else
        }
        i += 1;
    }
    len
}

/// The phonetic key of a name part as a number (0 for none). Parts not in a–z (other
/// scripts) are keyed by their bytes, so they still block together when equal.
fn phon_key(word: &str) -> u64 {
    if word.is_empty() {
        return 0;
    }
    if word.bytes().all(|b| b.is_ascii_lowercase()) {
        let mut buf = [0u8; 8];
        let n = phonetic_codes(word.as_bytes(), &mut buf);
        if n == 0 {
            // A name of vowels only ("Ia"): its own letters.
            return pack(word.as_bytes());
        }
        u64::from_le_bytes(buf)
    } else {
        hash_bytes(word.as_bytes()) & !GROUP_FLAG | 1
    }
}

// ---------------------------------------------------------------------------
// Field comparisons
// ---------------------------------------------------------------------------

/// How two dates of birth compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DobMatch {
    Exact,
    /// Day and month the other way round (3/4 for 4/3), same year.
    DayMonthSwapped,
    /// One digit of YYYYMMDD wrong, or two adjacent digits swapped.
    OneTypingError,
    /// Within a month, by this many days.
    Near(i64),
    SameYearOnly,
    Differs,
}

fn digits8(d: NaiveDate) -> [u8; 8] {
    let v = d.year().clamp(0, 9999) as u32 * 10_000 + d.month() * 100 + d.day();
    let mut out = [0u8; 8];
    let mut x = v;
    for o in out.iter_mut().rev() {
        *o = (x % 10) as u8;
        x /= 10;
    }
    out
}

/// Compare a date of birth as given with one recorded.
pub fn compare_dob(given: NaiveDate, recorded: NaiveDate) -> DobMatch {
    if given == recorded {
        return DobMatch::Exact;
    }
    if given.year() == recorded.year()
        && given.day() == recorded.month()
        && given.month() == recorded.day()
    {
        return DobMatch::DayMonthSwapped;
    }
    let (a, b) = (digits8(given), digits8(recorded));
    let mut diffs = [0usize; 8];
    let mut n = 0;
    for i in 0..8 {
        if a[i] != b[i] {
            diffs[n] = i;
            n += 1;
        }
    }
    if n == 1
        || (n == 2
            && diffs[1] == diffs[0] + 1
            && a[diffs[0]] == b[diffs[1]]
            && a[diffs[1]] == b[diffs[0]])
    {
        return DobMatch::OneTypingError;
    }
    let days = (given - recorded).num_days().abs();
    if days <= 31 {
        return DobMatch::Near(days);
    }
    if given.year() == recorded.year() {
        return DobMatch::SameYearOnly;
    }
    DobMatch::Differs
}

// ---------------------------------------------------------------------------
// Normalised people
// ---------------------------------------------------------------------------

const GROUP_FLAG: u64 = 1 << 63;

/// A person's fields made ready for comparison, owned (a probe; a known person while
/// being inserted).
#[derive(Default)]
struct Norm {
    given_display: String,
    family_display: String,
    /// Folded given-name tokens, space-separated.
    given: String,
    /// Folded family-name tokens run together.
    family_full: String,
    /// Folded family-name parts (particles left out), space-separated.
    family_parts: String,
    given_phon: u64,
    family_phon: u64,
    groups: Vec<u16>,
    dob: Option<NaiveDate>,
    sex: u8,
    nhs: u64,
    upn: u64,
    postcode: u64,
    outward: u64,
    household: Vec<u64>,
    household_display: Vec<String>,
}

/// The same, borrowed: a probe's `Norm` or a record in the index.
#[derive(Clone, Copy)]
struct View<'a> {
    given_display: &'a str,
    family_display: &'a str,
    given: &'a str,
    family_full: &'a str,
    family_parts: &'a str,
    given_phon: u64,
    family_phon: u64,
    groups: &'a [u16],
    dob: Option<NaiveDate>,
    sex: u8,
    nhs: u64,
    upn: u64,
    postcode: u64,
    outward: u64,
    household: &'a [u64],
}

fn pack(b: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = b.len().min(8);
    buf[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(buf)
}

fn unpack(v: u64) -> String {
    v.to_le_bytes()
        .iter()
        .take_while(|b| **b != 0)
        .map(|b| *b as char)
        .collect()
}

fn nhs_code(s: &str) -> u64 {
    NhsNumber::parse(s)
        .ok()
        .and_then(|n| n.as_str().parse::<u64>().ok())
        .map(|v| v | GROUP_FLAG)
        .unwrap_or(0)
}

fn upn_code(s: &str) -> u64 {
    let Ok(u) = Upn::parse(s) else { return 0 };
    let b = u.as_str().as_bytes();
    let letter = crate::upn::LETTERS
        .bytes()
        .position(|l| l == b[0])
        .unwrap_or(0) as u64;
    let digits: u64 = u.as_str()[1..12].parse().unwrap_or(0);
    let last = if b[12].is_ascii_digit() {
        (b[12] - b'0') as u64
    } else {
        10 + crate::upn::LETTERS
            .bytes()
            .position(|l| l == b[12])
            .unwrap_or(0) as u64
    };
    GROUP_FLAG | (letter << 43) | (digits << 6) | last
}

fn sex_code(s: Option<Sex>) -> u8 {
    match s {
        Some(Sex::Female) => 1,
        Some(Sex::Male) => 2,
        _ => 0,
    }
}

/// The key of a given-name token for households and blocking: its first table group,
/// or the token itself.
fn given_canon(token: &str) -> u64 {
    match given_codes(token).first() {
        Some(c) => GROUP_FLAG | (*c >> 1) as u64,
        None => hash_bytes(token.as_bytes()) & !GROUP_FLAG,
    }
}

fn household_key(full_name: &str) -> Option<u64> {
    let t = name_tokens(full_name);
    let last = if t.len() > 1 {
        t.last().map(|s| s.as_str())
    } else {
        None
    };
    member_key(t.first()?, last)
}

/// A household member's key: first name (by table group) and last name part.
fn member_key(first: &str, last: Option<&str>) -> Option<u64> {
    if first.is_empty() {
        return None;
    }
    let last = last
        .filter(|l| !l.is_empty())
        .map(|l| hash_bytes(l.as_bytes()))
        .unwrap_or(0);
    Some(mix(given_canon(first) ^ mix(last)))
}

#[allow(clippy::too_many_arguments)]
fn normalise(
    given: &str,
    family: &str,
    dob: Option<NaiveDate>,
    sex: Option<Sex>,
    nhs: Option<&str>,
    upn: Option<&str>,
    postcode: Option<&str>,
    household: &[String],
    keep_household_names: bool,
) -> Norm {
    let mut gt = name_tokens(given);
    if gt
        .first()
        .is_some_and(|t| PLACEHOLDERS.contains(&t.as_str()))
    {
        // "Baby Smith", "Unknown": no first name yet, so no evidence either way.
        gt.clear();
    }
    let ft = name_tokens(family);
    let significant: Vec<&String> = ft.iter().filter(|t| !is_particle(t)).collect();
    let parts: Vec<&String> = if significant.is_empty() {
        ft.iter().collect()
    } else {
        significant
    };
    let family_full: String = ft.concat();
    let first = gt.first().map(|s| s.as_str()).unwrap_or("");
    let (postcode, outward) = match postcode.map(parse_postcode) {
        Some(Ok(Some(pc))) => {
            let compact: String = pc.chars().filter(|c| *c != ' ').collect();
            let out = &compact[..compact.len() - 3];
            (pack(compact.as_bytes()), pack(out.as_bytes()))
        }
        _ => (0, 0),
    };
    let mut hh = Vec::new();
    let mut hh_names = Vec::new();
    for m in household {
        if let Some(k) = household_key(m) {
            if !hh.contains(&k) {
                hh.push(k);
                if keep_household_names {
                    hh_names.push(m.trim().to_string());
                }
            }
        }
    }
    Norm {
        given_display: given.trim().to_string(),
        family_display: family.trim().to_string(),
        given: gt.join(" "),
        family_full: family_full.clone(),
        family_parts: parts
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        given_phon: phon_key(first),
        family_phon: phon_key(&family_full),
        groups: given_codes(first).to_vec(),
        dob,
        sex: sex_code(sex),
        nhs: nhs.map(nhs_code).unwrap_or(0),
        upn: upn.map(upn_code).unwrap_or(0),
        postcode,
        outward,
        household: hh,
        household_display: hh_names,
    }
}

impl Norm {
    fn of_probe(p: &Probe) -> Norm {
        normalise(
            &p.given_name,
            &p.family_name,
            p.date_of_birth,
            p.sex,
            p.nhs_number.as_deref(),
            p.upn.as_deref(),
            p.postcode.as_deref(),
            &p.household,
            true,
        )
    }
    fn view(&self) -> View<'_> {
        View {
            given_display: &self.given_display,
            family_display: &self.family_display,
            given: &self.given,
            family_full: &self.family_full,
            family_parts: &self.family_parts,
            given_phon: self.given_phon,
            family_phon: self.family_phon,
            groups: &self.groups,
            dob: self.dob,
            sex: self.sex,
            nhs: self.nhs,
            upn: self.upn,
            postcode: self.postcode,
            outward: self.outward,
            household: &self.household,
        }
    }
}

fn first_token(s: &str) -> &str {
    s.split(' ').next().unwrap_or("")
}

fn first_word(s: &str) -> String {
    s.split_whitespace().next().unwrap_or("").to_string()
}

// ---------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum GivenOutcome {
    Missing,
    Exact,
    Relation(GivenRelation),
    Shared,
    Similar,
    SoundsAlike,
    Somewhat,
    Initial,
    Differs,
}

fn compare_given(p: &View, k: &View) -> GivenOutcome {
    let (pf, kf) = (first_token(p.given), first_token(k.given));
    if pf.is_empty() || kf.is_empty() {
        return GivenOutcome::Missing;
    }
    if pf == kf {
        return GivenOutcome::Exact;
    }
    if let Some(r) = relation_of_codes(p.groups, k.groups) {
        return GivenOutcome::Relation(r);
    }
    if p.given
        .split(' ')
        .any(|a| a.len() > 1 && k.given.split(' ').any(|b| a == b))
    {
        return GivenOutcome::Shared;
    }
    if pf.len() == 1 || kf.len() == 1 {
        return if pf.as_bytes()[0] == kf.as_bytes()[0] {
            GivenOutcome::Initial
        } else {
            GivenOutcome::Differs
        };
    }
    let s = jw(pf.as_bytes(), kf.as_bytes());
    if s >= 0.92 {
        GivenOutcome::Similar
    } else if p.given_phon == k.given_phon {
        GivenOutcome::SoundsAlike
    } else if s >= 0.85 {
        GivenOutcome::Somewhat
    } else {
        GivenOutcome::Differs
    }
}

fn given_weight(o: GivenOutcome) -> f32 {
    match o {
        GivenOutcome::Missing => 0.0,
        GivenOutcome::Exact => w::GIVEN_EXACT,
        GivenOutcome::Relation(GivenRelation::SpellingVariant) => w::GIVEN_SPELLING,
        GivenOutcome::Relation(GivenRelation::BothShortFor(_)) => w::GIVEN_BOTH_SHORT,
        GivenOutcome::Relation(_) => w::GIVEN_SHORT_FORM,
        GivenOutcome::Shared => w::GIVEN_SHARED,
        GivenOutcome::Similar => w::GIVEN_SIMILAR,
        GivenOutcome::SoundsAlike => w::GIVEN_SOUNDS,
        GivenOutcome::Somewhat => w::GIVEN_SOMEWHAT,
        GivenOutcome::Initial => w::GIVEN_INITIAL,
        GivenOutcome::Differs => w::GIVEN_DIFFERS,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum FamilyOutcome<'a> {
    Missing,
    Exact,
    Part(&'a str),
    Similar,
    SoundsAlike,
    Somewhat,
    Differs,
}

fn compare_family<'a>(p: &View<'a>, k: &View) -> FamilyOutcome<'a> {
    if p.family_full.is_empty() || k.family_full.is_empty() {
        return FamilyOutcome::Missing;
    }
    if p.family_full == k.family_full {
        return FamilyOutcome::Exact;
    }
    let multi = p.family_parts.contains(' ') || k.family_parts.contains(' ');
    if multi {
        if let Some(part) = p
            .family_parts
            .split(' ')
            .find(|a| a.len() > 1 && k.family_parts.split(' ').any(|b| *a == b))
        {
            return FamilyOutcome::Part(part);
        }
    }
    let mut best = jw(p.family_full.as_bytes(), k.family_full.as_bytes());
    let mut sounds = p.family_phon == k.family_phon;
    if multi {
        for a in p.family_parts.split(' ').filter(|a| a.len() >= 3) {
            for b in k.family_parts.split(' ').filter(|b| b.len() >= 3) {
                best = best.max(jw(a.as_bytes(), b.as_bytes()));
                sounds = sounds || phon_key(a) == phon_key(b);
            }
        }
    }
    if best >= 0.92 {
        FamilyOutcome::Similar
    } else if sounds {
        FamilyOutcome::SoundsAlike
    } else if best >= 0.85 {
        FamilyOutcome::Somewhat
    } else {
        FamilyOutcome::Differs
    }
}

fn family_weight(o: &FamilyOutcome) -> f32 {
    match o {
        FamilyOutcome::Missing => 0.0,
        FamilyOutcome::Exact => w::FAMILY_EXACT,
        FamilyOutcome::Part(_) => w::FAMILY_PART,
        FamilyOutcome::Similar => w::FAMILY_SIMILAR,
        FamilyOutcome::SoundsAlike => w::FAMILY_SOUNDS,
        FamilyOutcome::Somewhat => w::FAMILY_SOMEWHAT,
        FamilyOutcome::Differs => w::FAMILY_DIFFERS,
    }
}

fn dob_weight(m: DobMatch) -> f32 {
    match m {
        DobMatch::Exact => w::DOB_EXACT,
        DobMatch::DayMonthSwapped => w::DOB_SWAPPED,
        DobMatch::OneTypingError => w::DOB_ONE_TYPO,
        DobMatch::Near(d) if d <= 7 => w::DOB_WEEK,
        DobMatch::Near(_) => w::DOB_MONTH,
        DobMatch::SameYearOnly => w::DOB_SAME_YEAR,
        DobMatch::Differs => w::DOB_DIFFERS,
    }
}

/// The weight of evidence (bits) that `k` is the person `p` describes, whether an
/// identifier matched exactly, and (if asked) the reasons.
fn weigh(
    p: &View,
    k: &View,
    freq: Option<&Frequencies>,
    why: Option<&mut Vec<MatchReason>>,
) -> (f32, bool) {
    let (total, f) = weigh_fields(p, k, freq, why);
    // The fields are not independent within a family: twins share everything but the
    // first name, a parent and child may share both names and an address, and names
    // recur in families. So whatever the sum, a candidate is never "likely" when the
    // first name differs, when the date of birth differs, or when there is no date of
    // birth to compare and neither address nor household corroborates.
    let capped =
        !f.identifier && (f.given_differs || f.dob_differs || (f.dob_missing && !f.corroborated));
    let total = if capped {
        total.min(UNLIKELY_CAP)
    } else {
        total
    };
    (total, f.identifier)
}

#[derive(Default)]
struct Flags {
    identifier: bool,
    given_differs: bool,
    dob_differs: bool,
    dob_missing: bool,
    /// Same postcode and at least one household member in common.
    corroborated: bool,
}

fn weigh_fields(
    p: &View,
    k: &View,
    freq: Option<&Frequencies>,
    mut why: Option<&mut Vec<MatchReason>>,
) -> (f32, Flags) {
    let mut total = 0.0f32;
    let mut identifier = false;
    let mut flags = Flags::default();
    // Reasons are built only when asked for (the first pass scores every candidate).
    macro_rules! say {
        ($r:expr) => {
            if let Some(v) = why.as_deref_mut() {
                v.push($r)
            }
        };
    }
    if p.nhs != 0 && k.nhs != 0 {
        if p.nhs == k.nhs {
            identifier = true;
            say!(MatchReason::NhsNumberMatches);
        } else {
            total += w::NHS_DIFFERS;
            say!(MatchReason::NhsNumberDiffers);
        }
    }
    if p.upn != 0 && k.upn != 0 {
        if p.upn == k.upn {
            identifier = true;
            say!(MatchReason::UpnMatches);
        } else {
            total += w::UPN_DIFFERS;
            say!(MatchReason::UpnDiffers);
        }
    }

    // Names.
    let g = compare_given(p, k);
    let f = compare_family(p, k);
    // Agreeing on a common name is weaker evidence than on a rare one.
    let (mut gw, mut fw) = (given_weight(g), family_weight(&f));
    if let Some(fr) = freq {
        if gw > 0.0 && !matches!(g, GivenOutcome::Initial) {
            let exact = fr.given_weight(first_token(k.given));
            gw = if g == GivenOutcome::Exact {
                exact
            } else {
                gw.min(exact)
            };
        }
        if matches!(f, FamilyOutcome::Exact | FamilyOutcome::Part(_)) {
            let exact = fr.family_weight(k.family_full);
            fw = if f == FamilyOutcome::Exact {
                exact
            } else {
                fw.min(exact)
            };
        }
    }
    let crossed = if matches!(g, GivenOutcome::Differs) || matches!(f, FamilyOutcome::Differs) {
        crossed_names(p, k)
    } else {
        None
    };
    let given_differs = match crossed {
        Some(c) if c > gw + fw => {
            total += c;
            say!(MatchReason::NamesReversed);
            false
        }
        _ => {
            total += gw + fw;
            if let Some(v) = why.as_deref_mut() {
                v.extend(given_reason(g, p, k));
                v.extend(family_reason(&f, p, k));
            }
            matches!(g, GivenOutcome::Differs)
        }
    };

    flags.given_differs = given_differs;
    flags.identifier = identifier;
    flags.dob_missing = p.dob.is_none() || k.dob.is_none();
    if let (Some(a), Some(b)) = (p.dob, k.dob) {
        let m = compare_dob(a, b);
        flags.dob_differs = matches!(m, DobMatch::Differs | DobMatch::SameYearOnly);
        total += dob_weight(m);
        say!(match m {
            DobMatch::Exact => MatchReason::DateOfBirthMatches,
            DobMatch::DayMonthSwapped => MatchReason::DateOfBirthDayMonthSwapped,
            DobMatch::OneTypingError => MatchReason::DateOfBirthOneTypingError,
            DobMatch::Near(days) => MatchReason::DateOfBirthNear { days },
            DobMatch::SameYearOnly => MatchReason::DateOfBirthSameYearOnly,
            DobMatch::Differs => MatchReason::DateOfBirthDiffers,
        });
    }
    if p.sex != 0 && k.sex != 0 {
        if p.sex == k.sex {
            total += w::SEX_AGREES;
            say!(MatchReason::SexMatches);
        } else {
            total += w::SEX_DIFFERS;
            say!(MatchReason::SexDiffers);
        }
    }
    let mut same_postcode = false;
    if p.postcode != 0 && k.postcode != 0 {
        if p.postcode == k.postcode {
            same_postcode = true;
            total += w::POSTCODE_SAME;
            say!(MatchReason::PostcodeMatches);
        } else if p.outward == k.outward {
            total += w::POSTCODE_AREA;
            say!(MatchReason::PostcodeSameArea {
                outward: unpack(p.outward),
            });
        } else {
            total += w::POSTCODE_DIFFERS;
            say!(MatchReason::PostcodeDiffers);
        }
    }
    if !p.household.is_empty() && !k.household.is_empty() {
        let shared = p
            .household
            .iter()
            .filter(|h| k.household.contains(h))
            .count();
        if shared > 0 {
            total += match shared {
                1 => w::HOUSEHOLD_ONE,
                2 => w::HOUSEHOLD_TWO,
                _ => w::HOUSEHOLD_MORE,
            };
            flags.corroborated = same_postcode;
            // The names are filled in by `explain`, which has the probe's.
            say!(MatchReason::HouseholdMembers { names: Vec::new() });
        } else {
            total += w::HOUSEHOLD_NONE;
            say!(MatchReason::HouseholdDiffers);
        }
    }
    if !p.household.is_empty() && !identifier {
        // The person recorded is named as someone the searched-for person lives with
        // (a twin, a sibling, a parent of the same name): not them.
        let own = member_key(first_token(k.given), k.family_parts.rsplit(' ').next());
        if own.is_some_and(|o| p.household.contains(&o)) {
            total += w::NAMED_IN_HOUSEHOLD;
            say!(MatchReason::NamedAsHouseholdMember);
        }
    }
    (total, flags)
}

/// The names compared the other way round (first name as given against the
/// recorded last name and the reverse), allowing a spelling slip in each: the weight,
/// if both agree.
fn crossed_names(p: &View, k: &View) -> Option<f32> {
    let (pg, kg) = (first_token(p.given), first_token(k.given));
    if pg.is_empty() || kg.is_empty() || p.family_full.is_empty() || k.family_full.is_empty() {
        return None;
    }
    let one = |a: &str, b: &str, exact: f32, similar: f32| {
        if a == b {
            Some(exact)
        } else if jw(a.as_bytes(), b.as_bytes()) >= 0.92 {
            Some(similar)
        } else {
            None
        }
    };
    let given = one(p.family_full, kg, w::GIVEN_EXACT, w::GIVEN_SIMILAR)?;
    let family = one(pg, k.family_full, w::FAMILY_EXACT, w::FAMILY_SIMILAR)?;
    Some(given + family - w::NAMES_REVERSED_PENALTY)
}

fn given_reason(o: GivenOutcome, p: &View, k: &View) -> Option<MatchReason> {
    let (given, recorded) = (first_word(p.given_display), first_word(k.given_display));
    Some(match o {
        GivenOutcome::Missing => return None,
        GivenOutcome::Exact => MatchReason::GivenNameMatches,
        GivenOutcome::Relation(GivenRelation::SpellingVariant) => {
            MatchReason::GivenNameSpellingVariant { given, recorded }
        }
        GivenOutcome::Relation(GivenRelation::FirstIsShortFor) => MatchReason::GivenNameShortForm {
            short: given,
            full: recorded,
        },
        GivenOutcome::Relation(GivenRelation::SecondIsShortFor) => {
            MatchReason::GivenNameShortForm {
                short: recorded,
                full: given,
            }
        }
        GivenOutcome::Relation(GivenRelation::BothShortFor(full)) => {
            MatchReason::GivenNamesBothShortForms {
                given,
                recorded,
                full: capitalise(full),
            }
        }
        GivenOutcome::Shared => {
            let name = p
                .given_display
                .split_whitespace()
                .find(|a| {
                    let fa = fold(a);
                    fa.len() > 1 && k.given.split(' ').any(|b| b == fa)
                })
                .map(|s| s.to_string())
                .unwrap_or(given);
            MatchReason::GivenNameShared { name }
        }
        GivenOutcome::Similar | GivenOutcome::Somewhat => {
            MatchReason::GivenNameSimilar { given, recorded }
        }
        GivenOutcome::SoundsAlike => MatchReason::GivenNameSoundsAlike { given, recorded },
        GivenOutcome::Initial => MatchReason::GivenNameInitial,
        GivenOutcome::Differs => MatchReason::GivenNameDiffers { given, recorded },
    })
}

fn family_reason(o: &FamilyOutcome, p: &View, k: &View) -> Option<MatchReason> {
    let (given, recorded) = (p.family_display.to_string(), k.family_display.to_string());
    Some(match o {
        FamilyOutcome::Missing => return None,
        FamilyOutcome::Exact => MatchReason::FamilyNameMatches,
        FamilyOutcome::Part(part) => MatchReason::FamilyNamePart {
            part: p
                .family_display
                .split(|c: char| c.is_whitespace() || c == '-')
                .find(|w| name_tokens(w).first().is_some_and(|t| t == part))
                .map(|s| s.to_string())
                .unwrap_or_else(|| capitalise(part)),
            given,
            recorded,
        },
        FamilyOutcome::Similar | FamilyOutcome::Somewhat => {
            MatchReason::FamilyNameSimilar { given, recorded }
        }
        FamilyOutcome::SoundsAlike => MatchReason::FamilyNameSoundsAlike { given, recorded },
        FamilyOutcome::Differs => MatchReason::FamilyNameDiffers { given, recorded },
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn to_score(weight: f32, identifier: bool) -> f32 {
    if identifier {
        1.0
    } else {
        // Never 1.0 without an identifier, however strong the rest.
        (1.0 / (1.0 + (SCORE_MIDPOINT - weight).exp2())).min(0.999)
    }
}

/// Compare a probe with one known person directly (no index): the candidate as
/// [`Index::search`] would give it.
pub fn compare(probe: &Probe, known: &Known) -> Candidate {
    let p = Norm::of_probe(probe);
    let k = normalise(
        &known.given_name,
        &known.family_name,
        known.date_of_birth,
        known.sex,
        known.nhs_number.as_deref(),
        known.upn.as_deref(),
        known.postcode.as_deref(),
        &known.household,
        false,
    );
    explain(&p, &k.view(), None, known.id)
}

fn explain(p: &Norm, k: &View, freq: Option<&Frequencies>, id: PersonId) -> Candidate {
    let mut reasons = Vec::new();
    let (weight, identifier) = weigh(&p.view(), k, freq, Some(&mut reasons));
    for r in reasons.iter_mut() {
        if let MatchReason::HouseholdMembers { names } = r {
            *names = p
                .household
                .iter()
                .zip(&p.household_display)
                .filter(|(h, _)| k.household.contains(h))
                .map(|(_, n)| n.clone())
                .collect();
        }
    }
    Candidate {
        person: id,
        score: to_score(weight, identifier),
        reasons,
    }
}

// ---------------------------------------------------------------------------
// Name frequencies
// ---------------------------------------------------------------------------

/// How many people held have each first name (by table group) and each family name,
/// so that agreeing on a rare name weighs more than agreeing on a common one: the
/// weight is log2(m/u) with u the name's share of everyone held, smoothed towards
/// the fixed weight's share by a thousand pseudo-people (so a small index behaves
/// like the fixed weights).
#[derive(Default)]
struct Frequencies {
    given: HashMap<u64, u32, Fast>,
    family: HashMap<u64, u32, Fast>,
    n: usize,
}

const PSEUDO_PEOPLE: f32 = 1000.0;
/// The chance a true match agrees exactly on a name.
const M_NAME: f32 = 0.9;

fn share_of(weight: f32) -> f32 {
    M_NAME / weight.exp2()
}

fn frequency_weight(count: u32, n: usize, prior: f32, lo: f32, hi: f32) -> f32 {
    let u = (count as f32 + PSEUDO_PEOPLE * share_of(prior)) / (n as f32 + PSEUDO_PEOPLE);
    (M_NAME / u).log2().clamp(lo, hi)
}

impl Frequencies {
    fn given_key(first: &str) -> u64 {
        given_canon(first)
    }
    fn family_key(full: &str) -> u64 {
        hash_bytes(full.as_bytes())
    }
    fn add(&mut self, v: &View, by: i32) {
        let g = first_token(v.given);
        if !g.is_empty() {
            let c = self.given.entry(Self::given_key(g)).or_default();
            *c = c.saturating_add_signed(by);
        }
        if !v.family_full.is_empty() {
            let c = self
                .family
                .entry(Self::family_key(v.family_full))
                .or_default();
            *c = c.saturating_add_signed(by);
        }
        self.n = self.n.saturating_add_signed(by as isize);
    }
    fn given_weight(&self, first: &str) -> f32 {
        let c = self
            .given
            .get(&Self::given_key(first))
            .copied()
            .unwrap_or(0);
        frequency_weight(c, self.n, w::GIVEN_EXACT, 2.5, 10.0)
    }
    fn family_weight(&self, full: &str) -> f32 {
        let c = self
            .family
            .get(&Self::family_key(full))
            .copied()
            .unwrap_or(0);
        frequency_weight(c, self.n, w::FAMILY_EXACT, 3.0, 11.0)
    }
}

// ---------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &x in b {
        h = (h ^ x as u64).wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// A fast hasher for keys that are already well mixed (and for ids).
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            self.write_u64(pack(c));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = mix(self.0 ^ v);
    }
}

type Fast = BuildHasherDefault<FastHasher>;

// ---------------------------------------------------------------------------
// Index
// ---------------------------------------------------------------------------

mod tag {
    pub const NHS: u64 = 1;
    pub const UPN: u64 = 2;
    pub const FAMILY_YEAR: u64 = 3;
    pub const GIVEN_YEAR: u64 = 4;
    pub const DOB: u64 = 5;
    pub const NAMES: u64 = 6;
    pub const POSTCODE: u64 = 7;
    pub const FAMILY: u64 = 8;
    pub const HOUSEHOLD: u64 = 9;
    pub const NAMES_HEAD: u64 = 10;
    pub const NAMES_TAIL: u64 = 11;
}

fn key(tag: u64, a: u64, b: u64) -> u64 {
    mix(mix(mix(tag) ^ a) ^ b)
}

/// The given-name keys of a person: the phonetic key of the first given name and
/// each table group it is in (so Beth and Elizabeth share a key).
fn given_keys(v: &View, out: &mut Vec<u64>) {
    if v.given_phon != 0 {
        out.push(v.given_phon);
    }
    for c in v.groups {
        out.push(GROUP_FLAG | (*c >> 1) as u64);
    }
}

/// The family-name keys: phonetic key of the whole name and of each part.
fn family_keys(v: &View, out: &mut Vec<u64>) {
    if v.family_phon != 0 {
        out.push(v.family_phon);
    }
    if v.family_parts.contains(' ') || v.family_parts != v.family_full {
        for part in v.family_parts.split(' ') {
            let k = phon_key(part);
            if k != 0 && !out.contains(&k) {
                out.push(k);
            }
        }
    }
}

/// Blocking keys, each with the largest block worth reading for it. A probe also
/// looks its date of birth up with day and month swapped, and its names the other
/// way round.
fn block_keys(v: &View, probe: bool, out: &mut Vec<(u64, u32)>) {
    if v.nhs != 0 {
        out.push((key(tag::NHS, v.nhs, 0), u32::MAX));
    }
    if v.upn != 0 {
        out.push((key(tag::UPN, v.upn, 0), u32::MAX));
    }
    let mut gk = Vec::with_capacity(4);
    let mut fk = Vec::with_capacity(4);
    given_keys(v, &mut gk);
    family_keys(v, &mut fk);
    for f in &fk {
        out.push((key(tag::FAMILY, *f, 0), MAX_FAMILY_BLOCK));
    }
    if let Some(d) = v.dob {
        let y = d.year() as u64;
        for f in &fk {
            out.push((key(tag::FAMILY_YEAR, *f, y), MAX_BLOCK));
        }
        for g in &gk {
            out.push((key(tag::GIVEN_YEAR, *g, y), MAX_BLOCK));
        }
        out.push((key(tag::DOB, d.num_days_from_ce() as u64, 0), MAX_BLOCK));
        if probe && d.day() <= 12 && d.day() != d.month() {
            if let Some(s) = NaiveDate::from_ymd_opt(d.year(), d.day(), d.month()) {
                out.push((key(tag::DOB, s.num_days_from_ce() as u64, 0), MAX_BLOCK));
            }
        }
    }
    // The first name with the first or the last three letters of the family name:
    // one typing slip in the family name leaves one of the two intact.
    let ff = v.family_full.as_bytes();
    let (head, tail) = if ff.len() >= 3 {
        (pack(&ff[..3]), pack(&ff[ff.len() - 3..]))
    } else {
        (pack(ff), 0)
    };
    for g in &gk {
        for f in &fk {
            out.push((key(tag::NAMES, *g, *f), MAX_BLOCK));
        }
        if head != 0 {
            out.push((key(tag::NAMES_HEAD, *g, head), MAX_BLOCK));
        }
        if tail != 0 {
            out.push((key(tag::NAMES_TAIL, *g, tail), MAX_BLOCK));
        }
    }
    if probe && v.family_phon != 0 && v.given_phon != 0 {
        // Names the other way round: the family name as a given name and vice versa.
        out.push((key(tag::NAMES, v.family_phon, v.given_phon), MAX_BLOCK));
    }
    if v.postcode != 0 {
        out.push((key(tag::POSTCODE, v.postcode, 0), MAX_BLOCK));
    }
    for h in v.household {
        out.push((key(tag::HOUSEHOLD, *h, 0), MAX_BLOCK));
    }
}

#[derive(Clone, Copy)]
struct Block {
    head: u32,
    len: u32,
}

#[derive(Clone, Copy)]
struct Posting {
    rec: u32,
    next: u32,
}

const END: u32 = u32::MAX;

/// One known person, packed: strings live in the index's text arena, groups and
/// household keys in side arenas.
struct Rec {
    id: PersonId,
    text: u32,
    /// Lengths of given display, family display, given, family full, family parts.
    lens: [u8; 5],
    sex: u8,
    n_groups: u8,
    n_household: u8,
    dead: bool,
    groups_at: u32,
    household_at: u32,
    dob: i32,
    given_phon: u64,
    family_phon: u64,
    nhs: u64,
    upn: u64,
    postcode: u64,
    outward: u64,
}

const NO_DOB: i32 = i32::MIN;

/// A name cut to at most 255 bytes at a character boundary.
fn clip(s: &str) -> &str {
    if s.len() <= 255 {
        return s;
    }
    let mut end = 255;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// An in-memory blocking index of the people known, for [`Index::search`].
///
/// Built once at start ([`Index::build`]) and kept up to date as people are
/// recorded or corrected ([`Index::insert`], which replaces a person already held
/// under the same id, and [`Index::remove`]): an insert is a few hash-map pushes
/// (about 10 µs). About 410 bytes a person: 390 MiB for a million (BENCHMARKS.md).
#[derive(Default)]
pub struct Index {
    recs: Vec<Rec>,
    text: String,
    groups: Vec<u16>,
    household: Vec<u64>,
    by_id: HashMap<PersonId, u32, Fast>,
    blocks: HashMap<u64, Block, Fast>,
    postings: Vec<Posting>,
    freq: Frequencies,
    live: usize,
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    pub fn build(people: impl IntoIterator<Item = Known>) -> Index {
        let it = people.into_iter();
        let mut ix = Index::new();
        let n = it.size_hint().0;
        ix.recs.reserve(n);
        ix.by_id.reserve(n);
        ix.postings.reserve(n * 12);
        ix.blocks.reserve(n * 4);
        ix.text.reserve(n * 48);
        for k in it {
            ix.insert(k);
        }
        ix.postings.shrink_to_fit();
        ix.text.shrink_to_fit();
        ix.household.shrink_to_fit();
        ix
    }

    /// People held (not counting replaced or removed ones).
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Add a person, or replace the one held under the same id (after a correction).
    pub fn insert(&mut self, k: Known) {
        self.remove(k.id);
        let n = normalise(
            &k.given_name,
            &k.family_name,
            k.date_of_birth,
            k.sex,
            k.nhs_number.as_deref(),
            k.upn.as_deref(),
            k.postcode.as_deref(),
            &k.household,
            false,
        );
        let r = self.recs.len() as u32;
        let text = self.text.len() as u32;
        let mut lens = [0u8; 5];
        for (i, s) in [
            n.given_display.as_str(),
            n.family_display.as_str(),
            n.given.as_str(),
            n.family_full.as_str(),
            n.family_parts.as_str(),
        ]
        .into_iter()
        .enumerate()
        {
            let s = clip(s);
            lens[i] = s.len() as u8;
            self.text.push_str(s);
        }
        let groups_at = self.groups.len() as u32;
        let n_groups = n.groups.len().min(255);
        self.groups.extend_from_slice(&n.groups[..n_groups]);
        let household_at = self.household.len() as u32;
        let n_household = n.household.len().min(255);
        self.household
            .extend_from_slice(&n.household[..n_household]);
        self.recs.push(Rec {
            id: k.id,
            text,
            lens,
            sex: n.sex,
            n_groups: n_groups as u8,
            n_household: n_household as u8,
            dead: false,
            groups_at,
            household_at,
            dob: n.dob.map(|d| d.num_days_from_ce()).unwrap_or(NO_DOB),
            given_phon: n.given_phon,
            family_phon: n.family_phon,
            nhs: n.nhs,
            upn: n.upn,
            postcode: n.postcode,
            outward: n.outward,
        });
        self.by_id.insert(k.id, r);
        self.live += 1;
        self.freq.add(&n.view(), 1);
        let mut keys = Vec::with_capacity(16);
        block_keys(&n.view(), false, &mut keys);
        keys.sort_unstable();
        keys.dedup();
        for (kk, _) in keys {
            let at = self.postings.len() as u32;
            let b = self.blocks.entry(kk).or_insert(Block { head: END, len: 0 });
            self.postings.push(Posting {
                rec: r,
                next: b.head,
            });
            b.head = at;
            b.len += 1;
        }
    }

    /// Forget a person (their postings stay, marked dead, until a rebuild).
    pub fn remove(&mut self, id: PersonId) -> bool {
        match self.by_id.remove(&id) {
            Some(r) => {
                let mut f = std::mem::take(&mut self.freq);
                f.add(&self.view(r), -1);
                self.freq = f;
                self.recs[r as usize].dead = true;
                self.live -= 1;
                true
            }
            None => false,
        }
    }

    fn view(&self, r: u32) -> View<'_> {
        let rec = &self.recs[r as usize];
        let mut at = rec.text as usize;
        let mut s = [""; 5];
        for (i, l) in rec.lens.iter().enumerate() {
            s[i] = &self.text[at..at + *l as usize];
            at += *l as usize;
        }
        let g = rec.groups_at as usize;
        let h = rec.household_at as usize;
        View {
            given_display: s[0],
            family_display: s[1],
            given: s[2],
            family_full: s[3],
            family_parts: s[4],
            given_phon: rec.given_phon,
            family_phon: rec.family_phon,
            groups: &self.groups[g..g + rec.n_groups as usize],
            dob: if rec.dob == NO_DOB {
                None
            } else {
                NaiveDate::from_num_days_from_ce_opt(rec.dob)
            },
            sex: rec.sex,
            nhs: rec.nhs,
            upn: rec.upn,
            postcode: rec.postcode,
            outward: rec.outward,
            household: &self.household[h..h + rec.n_household as usize],
        }
    }

    /// The people who may be the one the probe describes, best first, at most
    /// `limit`, each with a score and its reasons. Exact identifier matches come
    /// first (score 1.0). Nothing is linked: the worker decides.
    pub fn search(&self, probe: &Probe, limit: usize) -> Vec<Candidate> {
        if limit == 0 || self.live == 0 {
            return Vec::new();
        }
        let p = Norm::of_probe(probe);
        let pv = p.view();
        let mut keys = Vec::with_capacity(24);
        block_keys(&pv, true, &mut keys);
        let mut cands: Vec<u32> = Vec::with_capacity(256);
        for (kk, cap) in keys {
            if let Some(b) = self.blocks.get(&kk) {
                if b.len > cap {
                    continue;
                }
                let mut at = b.head;
                while at != END {
                    let post = self.postings[at as usize];
                    cands.push(post.rec);
                    at = post.next;
                }
            }
        }
        cands.sort_unstable();
        cands.dedup();
        let mut scored: Vec<(bool, f32, u32)> = cands
            .into_iter()
            .filter(|r| !self.recs[*r as usize].dead)
            .map(|r| {
                let (wt, id) = weigh(&pv, &self.view(r), Some(&self.freq), None);
                (id, wt, r)
            })
            .collect();
        let order = |a: &(bool, f32, u32), b: &(bool, f32, u32)| {
            b.0.cmp(&a.0)
                .then(b.1.total_cmp(&a.1))
                .then(self.recs[a.2 as usize].id.cmp(&self.recs[b.2 as usize].id))
        };
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit - 1, order);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(order);
        scored
            .into_iter()
            .map(|(_, _, r)| {
                explain(
                    &p,
                    &self.view(r),
                    Some(&self.freq),
                    self.recs[r as usize].id,
                )
            })
            .collect()
    }

    /// An estimate of the heap the index holds, in bytes.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        // A hashbrown table holds capacity/(7/8) buckets of the entry plus a control byte.
        let table =
            |cap: usize, entry: usize| (cap * 8).div_ceil(7).next_power_of_two() * (entry + 1);
        self.recs.capacity() * size_of::<Rec>()
            + self.text.capacity()
            + self.groups.capacity() * 2
            + self.household.capacity() * 8
            + self.postings.capacity() * size_of::<Posting>()
            + table(self.by_id.capacity(), size_of::<(PersonId, u32)>())
            + table(self.blocks.capacity(), size_of::<(u64, Block)>())
            + table(self.freq.given.capacity(), size_of::<(u64, u32)>())
            + table(self.freq.family.capacity(), size_of::<(u64, u32)>())
    }

    /// Blocks (distinct keys) and postings held, for measuring.
    pub fn stats(&self) -> (usize, usize) {
        (self.blocks.len(), self.postings.len())
    }
}

#[cfg(test)]
mod tests;

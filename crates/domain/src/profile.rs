//! Partnership profiles (design principle 9): the national default from
//! WT2026 and each local safeguarding partnership's procedures, as TOML.
//!
//! A local profile may
//! - shorten a national rule, or tighten it (should → must, fewer people who
//!   may extend it, a smaller extension cap) with an `[[override]]`;
//! - add its own rules with `[[rule]]` (new ids);
//! - list local closure days and notes shown to users;
//! - carry a threshold model (`[threshold]`, [`crate::threshold`]) and a
//!   practice model (`[practice_model]`, [`crate::practice`]). WT2026 ¶125
//!   leaves the threshold document to each partnership and ¶154 the practice
//!   framework, so the national profile has neither; a local profile without
//!   one inherits the national profile's (none, as shipped).
//!
//! It may never lengthen a national rule: WT2026 sets the maximum and a
//! local procedure can only ask for faster action (WT2026 ¶169 "should be no
//! longer than"; LIV §5 "shorter time-scales must be achieved"). Such a
//! profile is rejected when it is loaded, naming the rule and the file.
//!
//! This module parses text; reading the files is the caller's job.

use crate::calendar::Calendar;
use crate::practice::PracticeModel;
use crate::role::Role;
use crate::threshold::ThresholdModel;
use crate::timescale::{Period, Strength, TimescaleRule, Unit};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Who, other than a Together role, may extend a timescale: a court (an
/// emergency protection order is extended by the court, Children Act 1989 s45(4)).
pub const EXTERNAL_EXTENDERS: &[&str] = &["court"];

/// A day the partnership's offices are shut that is not a bank holiday.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalClosure {
    pub date: NaiveDate,
    pub name: String,
}

/// Guidance shown to users that is not a timescale (e.g. LIV §5 on
/// extensions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileNote {
    pub topic: String,
    pub text: String,
    pub citation: String,
}

/// What a partnership asks of a referral beyond the national form (issue 16).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequirements {
    /// A written referral that is not about immediate risk or significant harm (a
    /// request for help) carries the early help assessment, or says why there is none;
    /// the citation (NSCP §4.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_request_carries_early_help_assessment: Option<String>,
}

/// How a partnership lets any of its timescales be extended (LIV §5: "any extension to
/// the time-scales must be authorised by the relevant manager following consultation with
/// relevant managers from the other agencies"). Applies to every rule of the profile
/// except those only a court extends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionPolicy {
    /// Role ids who authorise an extension.
    pub by: Vec<String>,
    /// The managers of the other agencies are consulted first, and who is recorded.
    pub consult_other_agencies: bool,
    pub citation: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// e.g. "set".
    pub id: String,
    pub name: String,
    /// e.g. "2026.1".
    pub version: String,
    pub effective_from: NaiveDate,
    /// What the front door is called locally, e.g. "Multi-Agency Safeguarding Hub (MASH)".
    pub front_door_name: String,
    /// The local authority's three-digit DfE code, for the CIN census `LEA`; `None`
    /// where the profile serves no single authority (the national default).
    pub la_code: Option<String>,
    pub local_closures: Vec<LocalClosure>,
    /// Effective rules: national rules with local overrides applied, then local rules.
    pub rules: Vec<TimescaleRule>,
    pub notes: Vec<ProfileNote>,
    /// The partnership's threshold model (continuum of need), if it has one.
    pub threshold: Option<ThresholdModel>,
    /// The partnership's practice model (e.g. Signs of Safety), if it has one.
    pub practice_model: Option<PracticeModel>,
    /// What the partnership asks of a referral beyond its timescales.
    #[serde(default)]
    pub referral: ReferralRequirements,
    /// The partnership's rule for extending any of its timescales, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<ExtensionPolicy>,
    /// The national profile's version this was merged with; `None` for the national profile.
    pub national_version: Option<String>,
    /// The name of the text this was parsed from, used in error messages.
    pub source_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// Not valid TOML, or an unknown or missing field.
    #[error("{source_name}: {message}")]
    Parse {
        source_name: String,
        message: String,
    },
    /// A local profile tried to make a national rule longer.
    #[error("{source_name}: rule \"{rule}\" may not lengthen the statutory {national} to {local} ({citation})")]
    Lengthens {
        source_name: String,
        rule: String,
        national: String,
        local: String,
        citation: String,
    },
    /// Well-formed but not acceptable.
    #[error("{source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
}

// ---- The file format -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    id: String,
    name: String,
    version: String,
    #[serde(deserialize_with = "toml_date")]
    effective_from: NaiveDate,
    front_door_name: String,
    #[serde(default)]
    la_code: Option<String>,
    #[serde(default, rename = "local_closure")]
    local_closures: Vec<LocalClosureSpec>,
    #[serde(default, rename = "note")]
    notes: Vec<ProfileNote>,
    #[serde(default, rename = "override")]
    overrides: Vec<OverrideSpec>,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleSpec>,
    #[serde(default)]
    threshold: Option<ThresholdModel>,
    #[serde(default)]
    practice_model: Option<PracticeModel>,
    #[serde(default)]
    extensions: Option<ExtensionPolicy>,
    #[serde(default)]
    referral: ReferralRequirements,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalClosureSpec {
    #[serde(deserialize_with = "toml_date")]
    date: NaiveDate,
    name: String,
}

/// A TOML local date (`2026-04-01`, unquoted) as a `NaiveDate`.
fn toml_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    use serde::de::Error;
    let dt = toml::value::Datetime::deserialize(d)?;
    match (dt.date, dt.time, dt.offset) {
        (Some(date), None, None) => {
            NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
                .ok_or_else(|| D::Error::custom(format!("{dt} is not a valid date")))
        }
        _ => Err(D::Error::custom(format!(
            "expected a date such as 2026-04-01, found {dt}"
        ))),
    }
}

/// A rule as written in TOML. `statutory` is not written: it is true for the
/// national file and false for a local one, so a local file cannot claim it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    title: String,
    start_event: String,
    end_event: String,
    amount: u32,
    unit: Unit,
    strength: Strength,
    #[serde(default)]
    extendable_by: Vec<String>,
    #[serde(default)]
    max_extension: Option<Period>,
    citation: String,
    #[serde(default)]
    before: bool,
    /// National rules only: `false` for Together's own reading where the guidance gives
    /// no number (a partnership may lengthen it as well as shorten it). Default true.
    #[serde(default)]
    statutory: Option<bool>,
}

/// A local change to a national rule. Fields left out keep the national value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideSpec {
    id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    amount: Option<u32>,
    #[serde(default)]
    unit: Option<Unit>,
    #[serde(default)]
    strength: Option<Strength>,
    #[serde(default)]
    extendable_by: Option<Vec<String>>,
    #[serde(default)]
    max_extension: Option<Period>,
    /// The local source for the change, e.g. "SET 2.5.2".
    citation: String,
}

/// The rules the referral and case processes count their work by: the national
/// profile must hold every one (local profiles inherit them), so no due date falls
/// back to a number written in code.
pub const REQUIRED_RULES: &[&str] = &[
    "referral-acknowledgement",
    "referral-decision",
    "referral-decision-urgent",
    "escalation-answer",
    "assessment",
    "allocation",
    "allocation-answer",
    "step-up-decision",
    "family-help-assessment",
    "assessment-follow-up",
    "strategy-after-assessment",
    "transfer-out-handover",
    "strategy-after-emergency-action",
    "responsibility-written-confirmation",
    "conference-request-answer",
    "conference-escalation-answer",
    "conference-report",
    "icpc",
    "core-group-first",
    "review-first",
    "review-next",
    "transfer-in-conference",
    "detailed-plan",
    "assessment-for-plan",
    "police-protection",
    "epo",
    "immediate-protection-ends-notice",
    "serious-incident-notification",
];

// ---- Loading ----------------------------------------------------------------

impl Profile {
    /// Parse the national profile (`config/partnerships/national.toml`).
    pub fn national(national_toml: &str) -> Result<Profile, ProfileError> {
        Profile::national_named(national_toml, "national.toml")
    }

    /// As [`Profile::national`], naming the source in error messages.
    pub fn national_named(national_toml: &str, source_name: &str) -> Result<Profile, ProfileError> {
        let file = parse(national_toml, source_name)?;
        let invalid = |message: String| ProfileError::Invalid {
            source_name: source_name.to_string(),
            message,
        };
        if !file.overrides.is_empty() {
            return Err(invalid(
                "the national profile cannot contain [[override]] tables".into(),
            ));
        }
        check_header(&file, source_name)?;
        let mut rules = Vec::with_capacity(file.rules.len());
        let mut seen = HashSet::new();
        for spec in file.rules {
            if !seen.insert(spec.id.clone()) {
                return Err(invalid(format!("rule \"{}\" is defined twice", spec.id)));
            }
            let statutory = spec.statutory.unwrap_or(true);
            let rule = spec.into_rule(statutory, false);
            check_rule(&rule).map_err(invalid)?;
            rules.push(rule);
        }
        if let Some(missing) = REQUIRED_RULES
            .iter()
            .find(|id| !rules.iter().any(|r| r.id == **id))
        {
            return Err(invalid(format!(
                "rule \"{missing}\" is missing: the referral and case processes count their work by it"
            )));
        }
        Ok(Profile {
            id: file.id,
            name: file.name,
            version: file.version,
            effective_from: file.effective_from,
            front_door_name: file.front_door_name,
            la_code: file.la_code,
            local_closures: closures(file.local_closures),
            rules,
            notes: file.notes,
            threshold: file.threshold,
            practice_model: file.practice_model,
            extensions: file.extensions,
            referral: file.referral,
            national_version: None,
            source_name: source_name.to_string(),
        })
    }

    /// Parse a local partnership profile and merge it with `national`.
    /// `source_name` (e.g. "config/partnerships/set.toml") names the file in
    /// error messages.
    pub fn local(
        toml_text: &str,
        source_name: &str,
        national: &Profile,
    ) -> Result<Profile, ProfileError> {
        let file = parse(toml_text, source_name)?;
        let invalid = |message: String| ProfileError::Invalid {
            source_name: source_name.to_string(),
            message,
        };
        check_header(&file, source_name)?;
        if file.id == national.id {
            return Err(invalid(format!(
                "a local profile cannot use the national id \"{}\"",
                national.id
            )));
        }
        let mut rules = national.rules.clone();
        let mut overridden = HashSet::new();
        for o in file.overrides {
            if !overridden.insert(o.id.clone()) {
                return Err(invalid(format!("rule \"{}\" is overridden twice", o.id)));
            }
            let Some(slot) = rules.iter_mut().find(|r| r.id == o.id) else {
                return Err(invalid(format!(
                    "[[override]] names rule \"{}\", which is not a national rule; add a local rule with [[rule]] instead",
                    o.id
                )));
            };
            *slot = apply_override(slot, o, source_name)?;
        }
        let national_ids: HashSet<&str> = national.rules.iter().map(|r| r.id.as_str()).collect();
        let mut local_ids = HashSet::new();
        let mut added = Vec::new();
        for spec in file.rules {
            if national_ids.contains(spec.id.as_str()) {
                return Err(invalid(format!(
                    "rule \"{}\" is a national rule; change it with [[override]], which may only shorten it",
                    spec.id
                )));
            }
            if !local_ids.insert(spec.id.clone()) {
                return Err(invalid(format!("rule \"{}\" is defined twice", spec.id)));
            }
            if spec.statutory.is_some() {
                return Err(invalid(format!(
                    "rule \"{}\": only national rules say whether they are statutory",
                    spec.id
                )));
            }
            let rule = spec.into_rule(false, true);
            check_rule(&rule).map_err(invalid)?;
            added.push(rule);
        }
        rules.extend(added);
        // A partnership-wide extension rule applies to every timescale but the court's.
        if let Some(policy) = &file.extensions {
            if let Some(bad) = policy
                .by
                .iter()
                .find(|x| crate::role::Role::from_id(x).is_none())
            {
                return Err(invalid(format!(
                    "[extensions]: \"{bad}\" in by is not a role id"
                )));
            }
            for r in rules
                .iter_mut()
                .filter(|r| !r.extendable_by.iter().any(|x| x == "court"))
            {
                r.extendable_by = policy.by.clone();
            }
        }
        Ok(Profile {
            id: file.id,
            name: file.name,
            version: file.version,
            effective_from: file.effective_from,
            front_door_name: file.front_door_name,
            la_code: file.la_code,
            local_closures: closures(file.local_closures),
            rules,
            notes: file.notes,
            threshold: file.threshold.or_else(|| national.threshold.clone()),
            practice_model: file
                .practice_model
                .or_else(|| national.practice_model.clone()),
            extensions: file.extensions,
            referral: file.referral,
            national_version: Some(national.version.clone()),
            source_name: source_name.to_string(),
        })
    }

    pub fn rule(&self, id: &str) -> Option<&TimescaleRule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Rules started by an event, e.g. every clock "referral-received" starts.
    pub fn rules_started_by<'a>(
        &'a self,
        event: &'a str,
    ) -> impl Iterator<Item = &'a TimescaleRule> + 'a {
        self.rules.iter().filter(move |r| r.start_event == event)
    }

    /// e.g. "set@2026.1": recorded on every event so a due date can be
    /// recomputed with the rules that applied at the time.
    pub fn version_tag(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    /// The local closure days as the calendar takes them.
    pub fn local_closure_days(&self) -> Vec<(NaiveDate, String)> {
        self.local_closures
            .iter()
            .map(|c| (c.date, c.name.clone()))
            .collect()
    }

    /// `base` (England and Wales plus any proclamations) with this
    /// partnership's closure days added.
    pub fn calendar(&self, base: Calendar) -> Calendar {
        base.with_local_closures(self.local_closure_days())
    }
}

fn closures(specs: Vec<LocalClosureSpec>) -> Vec<LocalClosure> {
    specs
        .into_iter()
        .map(|c| LocalClosure {
            date: c.date,
            name: c.name,
        })
        .collect()
}

fn parse(text: &str, source_name: &str) -> Result<ProfileFile, ProfileError> {
    toml::from_str(text).map_err(|e| ProfileError::Parse {
        source_name: source_name.to_string(),
        message: e.to_string().trim_end().to_string(),
    })
}

fn check_header(file: &ProfileFile, source_name: &str) -> Result<(), ProfileError> {
    let invalid = |message: String| ProfileError::Invalid {
        source_name: source_name.to_string(),
        message,
    };
    if !is_id(&file.id) {
        return Err(invalid(format!(
            "profile id \"{}\" must be lower-case letters, digits and hyphens",
            file.id
        )));
    }
    if file.version.trim().is_empty() || file.version.contains('@') {
        return Err(invalid(format!(
            "version \"{}\" must be non-empty and contain no '@'",
            file.version
        )));
    }
    if file.name.trim().is_empty() || file.front_door_name.trim().is_empty() {
        return Err(invalid("name and front_door_name must not be empty".into()));
    }
    if let Some(t) = &file.threshold {
        t.validate().map_err(invalid)?;
    }
    if let Some(p) = &file.practice_model {
        p.validate().map_err(invalid)?;
    }
    let mut days = HashSet::new();
    for c in &file.local_closures {
        if !days.insert(c.date) {
            return Err(invalid(format!("local closure {} is listed twice", c.date)));
        }
        if c.name.trim().is_empty() {
            return Err(invalid(format!("local closure {} has no name", c.date)));
        }
    }
    Ok(())
}

pub(crate) fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_extender(id: &str) -> bool {
    Role::from_id(id).is_some() || EXTERNAL_EXTENDERS.contains(&id)
}

impl RuleSpec {
    fn into_rule(self, statutory: bool, local: bool) -> TimescaleRule {
        TimescaleRule {
            id: self.id,
            title: self.title,
            start_event: self.start_event,
            end_event: self.end_event,
            amount: self.amount,
            unit: self.unit,
            strength: self.strength,
            extendable_by: self.extendable_by,
            max_extension: self.max_extension,
            citation: self.citation,
            statutory,
            local,
            before: self.before,
        }
    }
}

/// Checks every rule must pass, national or local.
fn check_rule(r: &TimescaleRule) -> Result<(), String> {
    let id = &r.id;
    if !is_id(id) {
        return Err(format!(
            "rule id \"{id}\" must be lower-case letters, digits and hyphens"
        ));
    }
    if !is_id(&r.start_event) || !is_id(&r.end_event) {
        return Err(format!(
            "rule \"{id}\": start_event and end_event must be lower-case ids"
        ));
    }
    if r.title.trim().is_empty() || r.citation.trim().is_empty() {
        return Err(format!(
            "rule \"{id}\": title and citation must not be empty"
        ));
    }
    match r.unit {
        Unit::SameDay if r.amount != 0 => {
            return Err(format!(
                "rule \"{id}\": a same_day rule must have amount = 0"
            ));
        }
        Unit::SameDay => {}
        _ if r.amount == 0 => return Err(format!("rule \"{id}\": amount must be at least 1")),
        _ => {}
    }
    if r.before && !matches!(r.unit, Unit::CalendarDays | Unit::WorkingDays) {
        return Err(format!(
            "rule \"{id}\": a rule that counts back (before = true) is in calendar or working days"
        ));
    }
    for e in &r.extendable_by {
        if !is_extender(e) {
            return Err(format!(
                "rule \"{id}\": \"{e}\" in extendable_by is not a role id or \"court\""
            ));
        }
    }
    if let Some(ext) = r.max_extension {
        if r.extendable_by.is_empty() {
            return Err(format!("rule \"{id}\": max_extension is set but nobody may extend it (extendable_by is empty)"));
        }
        if ext.unit == Unit::SameDay || ext.amount == 0 {
            return Err(format!(
                "rule \"{id}\": max_extension must be at least 1 of a counted unit"
            ));
        }
    }
    Ok(())
}

fn apply_override(
    nat: &TimescaleRule,
    o: OverrideSpec,
    source_name: &str,
) -> Result<TimescaleRule, ProfileError> {
    let invalid = |message: String| ProfileError::Invalid {
        source_name: source_name.to_string(),
        message,
    };
    let id = nat.id.clone();
    let national = nat.period();
    let local = Period::new(o.amount.unwrap_or(nat.amount), o.unit.unwrap_or(nat.unit));
    // Together's own reading where the guidance gives no number: the partnership's
    // procedure may set any length (docs/decisions.md).
    let may_lengthen = !nat.statutory;
    match local.not_longer_than(&national) {
        _ if may_lengthen => {}
        Some(true) => {}
        Some(false) => {
            return Err(ProfileError::Lengthens {
                source_name: source_name.to_string(),
                rule: id,
                national: national.to_string(),
                local: local.to_string(),
                citation: nat.citation.clone(),
            })
        }
        None => {
            return Err(invalid(format!(
                "rule \"{id}\" changes the statutory {national} to {local}, which cannot be shown never to be longer ({}); keep the unit {}",
                nat.citation,
                nat.unit.id()
            )))
        }
    }
    let strength = o.strength.unwrap_or(nat.strength);
    if nat.strength == Strength::Must && strength == Strength::Should {
        return Err(invalid(format!(
            "rule \"{id}\" may not weaken the statutory \"must\" to \"should\" ({})",
            nat.citation
        )));
    }
    let extendable_by = o.extendable_by.unwrap_or_else(|| nat.extendable_by.clone());
    for e in &extendable_by {
        if nat.extendable_by.is_empty() {
            return Err(invalid(format!(
                "rule \"{id}\" cannot be extended nationally, so \"{e}\" may not extend it ({})",
                nat.citation
            )));
        }
        if !nat.extendable_by.contains(e) {
            return Err(invalid(format!(
                "rule \"{id}\" may not let \"{e}\" extend the statutory timescale; a profile may only narrow who may extend it (nationally: {})",
                nat.extendable_by.join(", ")
            )));
        }
    }
    let max_extension = match (nat.max_extension, o.max_extension) {
        _ if extendable_by.is_empty() => None,
        (n, None) => n,
        (None, Some(l)) => Some(l),
        (Some(n), Some(l)) => match l.not_longer_than(&n) {
            Some(true) => Some(l),
            _ => {
                return Err(invalid(format!(
                    "rule \"{id}\" may not raise the statutory extension limit of {n} to {l} ({})",
                    nat.citation
                )))
            }
        },
    };
    let rule = TimescaleRule {
        id: nat.id.clone(),
        title: o.title.unwrap_or_else(|| nat.title.clone()),
        start_event: nat.start_event.clone(),
        end_event: nat.end_event.clone(),
        amount: local.amount,
        unit: local.unit,
        strength,
        extendable_by,
        max_extension,
        citation: format!("{}; {}", nat.citation, o.citation),
        statutory: nat.statutory,
        local: false,
        before: nat.before,
    };
    check_rule(&rule).map_err(invalid)?;
    Ok(rule)
}

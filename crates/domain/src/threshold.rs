//! Threshold decision support: a partnership's continuum of need as data, and
//! a suggested level from the indicators a worker has seen.
//!
//! WT2026 ¶124–¶125: safeguarding partners agree the criteria for levels of
//! need and publish a local threshold document, so the model belongs to a
//! partnership profile ([`crate::profile::Profile::threshold`]); the national
//! profile has none. Northamptonshire's continuum (seed 001: §3, §4.1,
//! Appendix 1 and Appendix 2) ships in `config/partnerships/northamptonshire.toml`.
//!
//! The suggestion supports a human decision and never makes it: "guidance will
//! never … take the place of … sound professional judgement" (NSCP §10,
//! L1046–L1048). A decision below the suggested level is allowed with a
//! recorded reason ([`check_decision_level`]): WT2026 ¶6, guidance that
//! "should be complied with unless exceptional circumstances arise".
//!
//! How the level is computed: the highest level of any ticked indicator, and
//! at least the model's `s47_level` when a strategy discussion is required.
//! Several indicators at one level do not raise the level: the seed's own rule
//! for that case is an action at the same level ("If a number of issues or
//! needs at Level 2 are identified consider completing an Early Help
//! Assessment", NSCP §4.1 L530–L535), and children may move straight to the
//! level they need "without necessarily moving up through each level" (NSCP §3
//! L465–L468). See docs/decisions.md.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};

/// A partnership's threshold model (its continuum of need).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdModel {
    /// e.g. "Northamptonshire continuum of need".
    pub name: String,
    pub citation: String,
    /// The words that mark an indicator needing a strategy discussion, e.g.
    /// "S47 strategy discussion required" (NSCP Appendix 1 footnote).
    pub s47_marker: String,
    /// The title of the separate list of section 47 circumstances, if any.
    #[serde(default)]
    pub s47_list_title: Option<String>,
    /// The level a strategy discussion implies (NSCP: 4, "Statutory
    /// intervention i.e. Section 47", §4.1).
    pub s47_level: u8,
    /// Levels numbered 1..=n, lowest need first.
    #[serde(rename = "level")]
    pub levels: Vec<Level>,
    #[serde(rename = "domain")]
    pub domains: Vec<Domain>,
    #[serde(rename = "indicator")]
    pub indicators: Vec<Indicator>,
    /// Circumstances that call for a section 47 strategy discussion, listed
    /// apart from the indicators (NSCP Appendix 2).
    #[serde(default, rename = "s47_item")]
    pub s47_list: Vec<S47Item>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// 1 for the lowest level of need.
    pub number: u8,
    pub id: String,
    pub name: String,
    /// The needs of children at this level.
    pub description: String,
    /// What to do at this level.
    pub response: String,
    /// The outcome the level aims for.
    #[serde(default)]
    pub outcome: Option<String>,
    /// Example services.
    #[serde(default)]
    pub services: Vec<String>,
    pub citation: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable, e.g. "health-3-07".
    pub id: String,
    /// A [`Domain::id`].
    pub domain: String,
    /// A [`Level::number`].
    pub level: u8,
    pub text: String,
    /// Marked as needing a section 47 strategy discussion.
    #[serde(default)]
    pub s47: bool,
    pub citation: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S47Item {
    pub id: String,
    pub text: String,
    /// The indicator describing the same circumstance, if the model has one.
    #[serde(default)]
    pub indicator: Option<String>,
    pub citation: String,
}

/// A ticked id that is neither an indicator nor an item of the s47 list.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown threshold indicator \"{0}\"")]
pub struct UnknownIndicator(pub String);

/// A ticked indicator, as shown under its domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickedIndicator {
    pub id: String,
    pub level: u8,
    pub text: String,
    pub s47: bool,
}

/// The ticked indicators of one domain, in the model's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainTicks {
    pub domain: String,
    pub name: String,
    pub indicators: Vec<TickedIndicator>,
}

/// Which list made a strategy discussion required (requirements CFG-TH-04:
/// record which list fired).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum S47Source {
    /// An indicator marked `s47`.
    MarkedIndicator,
    /// An item of the separate s47 list.
    ListItem,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct S47Trigger {
    pub id: String,
    pub text: String,
    pub source: S47Source,
}

/// What [`assess`] suggests. Nothing here is a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdSuggestion {
    /// The suggested level; `None` when nothing was ticked.
    pub suggested: Option<Level>,
    /// The number of levels in the model.
    pub level_count: u8,
    /// How many ticked indicators sit at the suggested level.
    pub ticked_at_suggested_level: usize,
    /// Ticked indicators by domain (domains with none left out), model order.
    pub by_domain: Vec<DomainTicks>,
    /// Ticked items of the separate s47 list, in the model's order.
    pub s47_list_ticked: Vec<S47Trigger>,
    /// Everything ticked that requires a strategy discussion.
    pub s47_triggers: Vec<S47Trigger>,
    pub strategy_discussion_required: bool,
    /// Plain English for the page, one paragraph per line.
    pub message: String,
}

impl ThresholdSuggestion {
    pub fn suggested_level(&self) -> Option<u8> {
        self.suggested.as_ref().map(|l| l.number)
    }
}

impl ThresholdModel {
    /// Parse a model from TOML (the body of a profile's `[threshold]` table)
    /// and validate it.
    pub fn from_toml(text: &str) -> Result<ThresholdModel, String> {
        let model: ThresholdModel = toml::from_str(text).map_err(|e| e.to_string())?;
        model.validate()?;
        Ok(model)
    }

    /// Checks made when a profile is loaded: unique ids, every indicator's
    /// domain and level exist, levels numbered 1..=n.
    pub fn validate(&self) -> Result<(), String> {
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.name) || blank(&self.citation) || blank(&self.s47_marker) {
            return Err("threshold: name, citation and s47_marker must not be empty".into());
        }
        if self.levels.is_empty() {
            return Err("threshold: at least one [[threshold.level]] is needed".into());
        }
        if self.levels.len() > usize::from(u8::MAX) {
            return Err("threshold: too many levels".into());
        }
        let mut ids = HashSet::new();
        for (i, l) in self.levels.iter().enumerate() {
            if usize::from(l.number) != i + 1 {
                return Err(format!(
                    "threshold: levels must be numbered 1, 2, 3, … in order; level \"{}\" is number {} in position {}",
                    l.id,
                    l.number,
                    i + 1
                ));
            }
            if !crate::profile::is_id(&l.id) || !ids.insert(l.id.as_str()) {
                return Err(format!(
                    "threshold: level id \"{}\" must be a unique lower-case id",
                    l.id
                ));
            }
            if blank(&l.name) || blank(&l.description) || blank(&l.response) || blank(&l.citation) {
                return Err(format!(
                    "threshold: level {} needs a name, description, response and citation",
                    l.number
                ));
            }
        }
        let n = self.levels.len() as u8;
        if !(1..=n).contains(&self.s47_level) {
            return Err(format!(
                "threshold: s47_level {} is not a level (1 to {n})",
                self.s47_level
            ));
        }
        if self.domains.is_empty() {
            return Err("threshold: at least one [[threshold.domain]] is needed".into());
        }
        let mut domains = HashSet::new();
        for d in &self.domains {
            if !crate::profile::is_id(&d.id) || !domains.insert(d.id.as_str()) {
                return Err(format!(
                    "threshold: domain id \"{}\" must be a unique lower-case id",
                    d.id
                ));
            }
            if blank(&d.name) {
                return Err(format!("threshold: domain \"{}\" has no name", d.id));
            }
        }
        // Indicators and list items share one id space: both can be ticked.
        let mut ticks = HashSet::new();
        for i in &self.indicators {
            if !crate::profile::is_id(&i.id) {
                return Err(format!(
                    "threshold: indicator id \"{}\" must be lower-case letters, digits and hyphens",
                    i.id
                ));
            }
            if !ticks.insert(i.id.as_str()) {
                return Err(format!(
                    "threshold: indicator \"{}\" is defined twice",
                    i.id
                ));
            }
            if !domains.contains(i.domain.as_str()) {
                return Err(format!(
                    "threshold: indicator \"{}\" names domain \"{}\", which is not defined",
                    i.id, i.domain
                ));
            }
            if !(1..=n).contains(&i.level) {
                return Err(format!(
                    "threshold: indicator \"{}\" has level {}, not a level (1 to {n})",
                    i.id, i.level
                ));
            }
            if blank(&i.text) || blank(&i.citation) {
                return Err(format!(
                    "threshold: indicator \"{}\" needs text and a citation",
                    i.id
                ));
            }
        }
        if !self.s47_list.is_empty() && self.s47_list_title.as_deref().is_none_or(blank) {
            return Err("threshold: s47_list_title is needed with [[threshold.s47_item]]".into());
        }
        for s in &self.s47_list {
            if !crate::profile::is_id(&s.id) {
                return Err(format!(
                    "threshold: s47 item id \"{}\" must be lower-case letters, digits and hyphens",
                    s.id
                ));
            }
            if !ticks.insert(s.id.as_str()) {
                return Err(format!(
                    "threshold: id \"{}\" is used twice (indicators and s47 items share ids)",
                    s.id
                ));
            }
            if blank(&s.text) || blank(&s.citation) {
                return Err(format!(
                    "threshold: s47 item \"{}\" needs text and a citation",
                    s.id
                ));
            }
            if let Some(ind) = &s.indicator {
                match self.indicator(ind) {
                    Some(i) if i.s47 => {}
                    Some(_) => {
                        return Err(format!(
                            "threshold: s47 item \"{}\" names indicator \"{ind}\", which is not marked s47",
                            s.id
                        ))
                    }
                    None => {
                        return Err(format!(
                            "threshold: s47 item \"{}\" names indicator \"{ind}\", which is not defined",
                            s.id
                        ))
                    }
                }
            }
        }
        Ok(())
    }

    pub fn level(&self, number: u8) -> Option<&Level> {
        self.levels.iter().find(|l| l.number == number)
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    pub fn s47_item(&self, id: &str) -> Option<&S47Item> {
        self.s47_list.iter().find(|i| i.id == id)
    }

    /// Indicators of one domain at one level, in the model's order.
    pub fn indicators_in<'a>(
        &'a self,
        domain: &'a str,
        level: u8,
    ) -> impl Iterator<Item = &'a Indicator> + 'a {
        self.indicators
            .iter()
            .filter(move |i| i.domain == domain && i.level == level)
    }
}

/// The suggested level for the ticked indicator and s47-list ids.
///
/// The suggestion is the highest level of any ticked indicator; when anything
/// ticked requires a strategy discussion (an indicator marked `s47` or an item
/// of the s47 list), it is at least `model.s47_level`. Ticking an id twice
/// counts once. Any unknown id is an error, so a stale form cannot silently
/// drop a tick.
pub fn assess(
    model: &ThresholdModel,
    ticked: &[&str],
) -> Result<ThresholdSuggestion, UnknownIndicator> {
    let mut set = BTreeSet::new();
    for id in ticked {
        if model.indicator(id).is_none() && model.s47_item(id).is_none() {
            return Err(UnknownIndicator((*id).to_string()));
        }
        set.insert(*id);
    }
    let ticked_indicators: Vec<&Indicator> = model
        .indicators
        .iter()
        .filter(|i| set.contains(i.id.as_str()))
        .collect();
    let by_domain: Vec<DomainTicks> = model
        .domains
        .iter()
        .filter_map(|d| {
            let indicators: Vec<TickedIndicator> = ticked_indicators
                .iter()
                .filter(|i| i.domain == d.id)
                .map(|i| TickedIndicator {
                    id: i.id.clone(),
                    level: i.level,
                    text: i.text.clone(),
                    s47: i.s47,
                })
                .collect();
            (!indicators.is_empty()).then(|| DomainTicks {
                domain: d.id.clone(),
                name: d.name.clone(),
                indicators,
            })
        })
        .collect();
    let s47_list_ticked: Vec<S47Trigger> = model
        .s47_list
        .iter()
        .filter(|s| set.contains(s.id.as_str()))
        .map(|s| S47Trigger {
            id: s.id.clone(),
            text: s.text.clone(),
            source: S47Source::ListItem,
        })
        .collect();
    let s47_triggers: Vec<S47Trigger> = ticked_indicators
        .iter()
        .filter(|i| i.s47)
        .map(|i| S47Trigger {
            id: i.id.clone(),
            text: i.text.clone(),
            source: S47Source::MarkedIndicator,
        })
        .chain(s47_list_ticked.iter().cloned())
        .collect();
    let strategy_discussion_required = !s47_triggers.is_empty();

    let highest = ticked_indicators.iter().map(|i| i.level).max();
    let level_number = match (highest, strategy_discussion_required) {
        (h, true) => Some(h.unwrap_or(0).max(model.s47_level)),
        (h, false) => h,
    };
    let suggested = level_number.and_then(|n| model.level(n)).cloned();
    let ticked_at_suggested_level = level_number
        .map(|n| ticked_indicators.iter().filter(|i| i.level == n).count())
        .unwrap_or(0);

    let message = message(
        model,
        suggested.as_ref(),
        ticked_indicators.len(),
        ticked_at_suggested_level,
        &s47_triggers,
    );
    Ok(ThresholdSuggestion {
        suggested,
        level_count: model.levels.len() as u8,
        ticked_at_suggested_level,
        by_domain,
        s47_list_ticked,
        s47_triggers,
        strategy_discussion_required,
        message,
    })
}

fn message(
    model: &ThresholdModel,
    suggested: Option<&Level>,
    indicators: usize,
    at_level: usize,
    s47: &[S47Trigger],
) -> String {
    let mut paras = Vec::new();
    if !s47.is_empty() {
        let list_title = model.s47_list_title.as_deref().unwrap_or("the s47 list");
        let items: Vec<String> = s47
            .iter()
            .map(|t| match t.source {
                S47Source::MarkedIndicator => {
                    format!("\u{201c}{}\u{201d} ({})", t.text, model.s47_marker)
                }
                S47Source::ListItem => format!("\u{201c}{}\u{201d} ({list_title})", t.text),
            })
            .collect();
        paras.push(format!(
            "A strategy discussion is required (section 47, Children Act 1989). You ticked: {}.",
            items.join("; ")
        ));
    }
    match suggested {
        None => paras.push(
            "No indicators are ticked, so no level is suggested. Tick the indicators you have seen."
                .to_string(),
        ),
        Some(level) => {
            let basis = if at_level == 0 {
                format!(
                    "Level {} because a strategy discussion is required.",
                    level.number
                )
            } else if at_level == indicators {
                if indicators == 1 {
                    "The one indicator ticked is at this level.".to_string()
                } else {
                    format!("All {indicators} indicators ticked are at this level.")
                }
            } else {
                format!(
                    "{} of the {} indicators ticked {} at this level.",
                    at_level,
                    indicators,
                    if at_level == 1 { "is" } else { "are" }
                )
            };
            paras.push(format!(
                "Suggested level: Level {}, {}. {basis}",
                level.number, level.name
            ));
            paras.push(format!("What to do: {}", level.response));
            paras.push(format!(
                "This suggestion supports your professional judgement; the decision is yours. A decision below Level {} needs a recorded reason.",
                level.number
            ));
        }
    }
    paras.join("\n")
}

/// Check a worker's decided level against the suggestion. A decision at or
/// above the suggested level stands; one below it needs a non-empty reason
/// (a "should", not a "must": WT2026 ¶6, design principle 3).
pub fn check_decision_level(
    suggestion: &ThresholdSuggestion,
    decided_level: u8,
    reason: Option<&str>,
) -> Result<(), String> {
    if decided_level == 0 || decided_level > suggestion.level_count {
        return Err(format!(
            "level {decided_level} does not exist; choose a level from 1 to {}",
            suggestion.level_count
        ));
    }
    let Some(suggested) = &suggestion.suggested else {
        return Ok(());
    };
    if decided_level >= suggested.number || reason.is_some_and(|r| !r.trim().is_empty()) {
        return Ok(());
    }
    let mut msg = format!(
        "Level {decided_level} is below the suggested Level {} ({}): record the reason for your decision.",
        suggested.number, suggested.name
    );
    if suggestion.strategy_discussion_required {
        msg.push_str(" A strategy discussion is still required by what you ticked.");
    }
    Err(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"
name = "Test continuum"
citation = "test"
s47_marker = "S47 strategy discussion required"
s47_list_title = "Section 47 list"
s47_level = 3

[[level]]
number = 1
id = "one"
name = "One"
description = "d1"
response = "r1"
citation = "c"

[[level]]
number = 2
id = "two"
name = "Two"
description = "d2"
response = "r2"
citation = "c"

[[level]]
number = 3
id = "three"
name = "Three"
description = "d3"
response = "Phone the hub."
citation = "c"

[[domain]]
id = "health"
name = "Health"

[[domain]]
id = "family"
name = "Family"

[[indicator]]
id = "health-1-01"
domain = "health"
level = 1
text = "Healthy"
citation = "c"

[[indicator]]
id = "health-2-01"
domain = "health"
level = 2
text = "Missed appointments"
citation = "c"

[[indicator]]
id = "family-2-01"
domain = "family"
level = 2
text = "Lack of routine"
citation = "c"

[[indicator]]
id = "family-3-01"
domain = "family"
level = 3
text = "Abandonment"
s47 = true
citation = "c"

[[s47_item]]
id = "list-01"
text = "Suspicious injury"
citation = "c"

[[s47_item]]
id = "list-02"
text = "Abandonment"
indicator = "family-3-01"
citation = "c"
"#;

    fn model() -> ThresholdModel {
        ThresholdModel::from_toml(MODEL).unwrap()
    }

    #[test]
    fn nothing_ticked_suggests_nothing() {
        let s = assess(&model(), &[]).unwrap();
        assert_eq!(s.suggested_level(), None);
        assert!(!s.strategy_discussion_required);
        assert!(s.by_domain.is_empty());
        assert!(s.message.contains("no level is suggested"));
        assert_eq!(check_decision_level(&s, 1, None), Ok(()));
        assert!(check_decision_level(&s, 4, Some("x")).is_err());
    }

    #[test]
    fn the_highest_ticked_level_is_suggested_and_several_lower_do_not_raise_it() {
        let m = model();
        let s = assess(&m, &["health-1-01", "health-2-01", "family-2-01"]).unwrap();
        assert_eq!(s.suggested_level(), Some(2));
        assert_eq!(s.ticked_at_suggested_level, 2);
        assert!(!s.strategy_discussion_required);
        assert!(s.message.contains("Suggested level: Level 2, Two."));
        assert!(s
            .message
            .contains("2 of the 3 indicators ticked are at this level."));
        assert!(s.message.contains("What to do: r2"));
        assert!(!s.message.contains("strategy discussion"));
        let domains: Vec<&str> = s.by_domain.iter().map(|d| d.domain.as_str()).collect();
        assert_eq!(domains, ["health", "family"]);
        assert_eq!(s.by_domain[0].indicators.len(), 2);
    }

    #[test]
    fn duplicates_count_once_and_order_is_the_models() {
        let s = assess(&model(), &["health-2-01", "health-1-01", "health-2-01"]).unwrap();
        let ids: Vec<&str> = s.by_domain[0]
            .indicators
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(ids, ["health-1-01", "health-2-01"]);
        assert_eq!(s.ticked_at_suggested_level, 1);
        assert!(s
            .message
            .contains("1 of the 2 indicators ticked is at this level."));
    }

    #[test]
    fn an_s47_indicator_requires_a_strategy_discussion() {
        let s = assess(&model(), &["family-3-01"]).unwrap();
        assert!(s.strategy_discussion_required);
        assert_eq!(s.suggested_level(), Some(3));
        assert_eq!(s.s47_triggers.len(), 1);
        assert_eq!(s.s47_triggers[0].source, S47Source::MarkedIndicator);
        assert!(s.message.starts_with(
            "A strategy discussion is required (section 47, Children Act 1989). You ticked: \u{201c}Abandonment\u{201d} (S47 strategy discussion required)."
        ));
        assert!(s.message.contains("What to do: Phone the hub."));
    }

    #[test]
    fn a_list_item_alone_requires_a_strategy_discussion_and_raises_the_level() {
        let s = assess(&model(), &["health-1-01", "list-01"]).unwrap();
        assert!(s.strategy_discussion_required);
        assert_eq!(s.suggested_level(), Some(3));
        assert_eq!(s.ticked_at_suggested_level, 0);
        assert_eq!(s.s47_list_ticked.len(), 1);
        assert_eq!(s.s47_triggers[0].source, S47Source::ListItem);
        assert!(s.message.contains("(Section 47 list)"));
        assert!(s
            .message
            .contains("Level 3 because a strategy discussion is required."));
        // Only a list item ticked: still a suggestion.
        let s = assess(&model(), &["list-02"]).unwrap();
        assert_eq!(s.suggested_level(), Some(3));
        assert!(s.by_domain.is_empty());
    }

    #[test]
    fn both_lists_are_recorded_when_both_fire() {
        let s = assess(&model(), &["list-02", "family-3-01"]).unwrap();
        let sources: Vec<S47Source> = s.s47_triggers.iter().map(|t| t.source).collect();
        assert_eq!(sources, [S47Source::MarkedIndicator, S47Source::ListItem]);
    }

    #[test]
    fn unknown_ids_are_an_error() {
        assert_eq!(
            assess(&model(), &["health-1-01", "nope"]),
            Err(UnknownIndicator("nope".into()))
        );
    }

    #[test]
    fn a_decision_below_the_suggestion_needs_a_reason() {
        let s = assess(&model(), &["health-2-01"]).unwrap();
        assert_eq!(check_decision_level(&s, 2, None), Ok(()));
        assert_eq!(check_decision_level(&s, 3, None), Ok(()));
        let e = check_decision_level(&s, 1, None).unwrap_err();
        assert!(e.contains("below the suggested Level 2 (Two)"), "{e}");
        assert!(!e.contains("strategy"));
        assert!(check_decision_level(&s, 1, Some("  \n")).is_err());
        assert_eq!(
            check_decision_level(&s, 1, Some("Needs met by school nurse")),
            Ok(())
        );
        assert!(check_decision_level(&s, 0, Some("x")).is_err());
        assert!(check_decision_level(&s, 4, None).is_err());

        let s = assess(&model(), &["list-01"]).unwrap();
        let e = check_decision_level(&s, 2, None).unwrap_err();
        assert!(e.contains("A strategy discussion is still required"), "{e}");
    }

    fn invalid(from: &str, to: &str) -> String {
        assert!(MODEL.contains(from), "{from}");
        ThresholdModel::from_toml(&MODEL.replacen(from, to, 1)).unwrap_err()
    }

    #[test]
    fn invalid_models_are_rejected() {
        let e = invalid("id = \"health-2-01\"", "id = \"health-1-01\"");
        assert!(e.contains("\"health-1-01\" is defined twice"), "{e}");
        let e = invalid(
            "domain = \"family\"\nlevel = 2",
            "domain = \"housing\"\nlevel = 2",
        );
        assert!(
            e.contains("domain \"housing\", which is not defined"),
            "{e}"
        );
        let e = invalid(
            "level = 3\ntext = \"Abandonment\"",
            "level = 4\ntext = \"Abandonment\"",
        );
        assert!(e.contains("has level 4, not a level (1 to 3)"), "{e}");
        let e = invalid("number = 2", "number = 3");
        assert!(e.contains("numbered 1, 2, 3"), "{e}");
        let e = invalid("s47_level = 3", "s47_level = 0");
        assert!(e.contains("s47_level 0"), "{e}");
        let e = invalid("id = \"list-01\"", "id = \"family-2-01\"");
        assert!(e.contains("used twice"), "{e}");
        let e = invalid("indicator = \"family-3-01\"", "indicator = \"family-2-01\"");
        assert!(e.contains("not marked s47"), "{e}");
        let e = invalid("indicator = \"family-3-01\"", "indicator = \"family-9-01\"");
        assert!(e.contains("not defined"), "{e}");
        let e = invalid("id = \"two\"", "id = \"one\"");
        assert!(e.contains("level id \"one\""), "{e}");
        let e = invalid("id = \"family\"", "id = \"health\"");
        assert!(e.contains("domain id \"health\""), "{e}");
        let e = invalid("s47_list_title = \"Section 47 list\"\n", "");
        assert!(e.contains("s47_list_title"), "{e}");
        let e = invalid("s47 = true", "s47 = true\ncolour = \"red\"");
        assert!(e.contains("colour"), "{e}");
        let e = invalid("text = \"Healthy\"", "text = \" \"");
        assert!(e.contains("needs text"), "{e}");
        let e = invalid("id = \"health-1-01\"", "id = \"Health 1\"");
        assert!(e.contains("lower-case"), "{e}");
    }
}

//! A partnership's practice model, e.g. Signs of Safety: the questions a
//! worker answers and the 0–10 scaling with the partnership's own anchor
//! wording.
//!
//! The practice framework is local: WT2026 ¶154 (the local protocol for
//! assessment "should reflect the local practice framework"); SET L2662–L2669
//! (partnerships "may have" a Strengthening Families or Signs of Safety
//! approach). Northamptonshire has adopted Signs of Safety "across all partner
//! agencies" (NSCP §2.3 L239–L240), so its profile carries one; the national
//! profile has none.
//!
//! A score is stored with the anchor text it was given against
//! ([`PracticeScale::anchors`]), so scores from partnerships that word the
//! anchors differently stay readable (requirements SOS-02).

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeModel {
    /// e.g. "Signs of Safety".
    pub name: String,
    pub citation: String,
    /// The questions, in the source's order.
    #[serde(rename = "question")]
    pub questions: Vec<PracticeQuestion>,
    /// The question a form or meeting starts with, if the model says so
    /// (NSCP L294–L295: "we always start with our 'what's working well'
    /// questions").
    #[serde(default)]
    pub start_with: Option<String>,
    pub scale: PracticeScale,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeQuestion {
    pub id: String,
    /// e.g. "What are we worried about?".
    pub text: String,
    /// What the question is about, e.g. "We talk about harm and complicating factors".
    #[serde(default)]
    pub focus: Option<String>,
    /// Prompts that help answer it.
    #[serde(default)]
    pub prompts: Vec<String>,
    pub citation: String,
}

/// The scaling question, e.g. "How worried are we on a scale of 0-10?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeScale {
    /// Always 0.
    pub min: u8,
    /// Always 10.
    pub max: u8,
    pub question: String,
    /// What `min` means, e.g. "very worried".
    pub low_anchor: String,
    /// What `max` means, e.g. "not worried at all".
    pub high_anchor: String,
    pub citation: String,
}

impl PracticeModel {
    /// Checks made when a profile is loaded.
    pub fn validate(&self) -> Result<(), String> {
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.name) || blank(&self.citation) {
            return Err("practice_model: name and citation must not be empty".into());
        }
        if self.questions.is_empty() {
            return Err(
                "practice_model: at least one [[practice_model.question]] is needed".into(),
            );
        }
        let mut ids = HashSet::new();
        for q in &self.questions {
            if !crate::profile::is_id(&q.id) || !ids.insert(q.id.as_str()) {
                return Err(format!(
                    "practice_model: question id \"{}\" must be a unique lower-case id",
                    q.id
                ));
            }
            if blank(&q.text) || blank(&q.citation) || q.prompts.iter().any(|p| blank(p)) {
                return Err(format!(
                    "practice_model: question \"{}\" needs text, a citation and no empty prompts",
                    q.id
                ));
            }
        }
        if let Some(first) = &self.start_with {
            if !ids.contains(first.as_str()) {
                return Err(format!(
                    "practice_model: start_with names \"{first}\", which is not a question"
                ));
            }
        }
        let s = &self.scale;
        if s.min != 0 || s.max != 10 {
            return Err(format!(
                "practice_model: the scale must run from 0 to 10, not {} to {}",
                s.min, s.max
            ));
        }
        if blank(&s.question) || blank(&s.low_anchor) || blank(&s.high_anchor) || blank(&s.citation)
        {
            return Err(
                "practice_model: the scale needs a question, both anchors and a citation".into(),
            );
        }
        Ok(())
    }

    /// The questions in the order to ask them: `start_with` first, then the
    /// rest in the source's order.
    pub fn questions_in_asking_order(&self) -> Vec<&PracticeQuestion> {
        let first = self.start_with.as_deref();
        self.questions
            .iter()
            .filter(|q| Some(q.id.as_str()) == first)
            .chain(
                self.questions
                    .iter()
                    .filter(|q| Some(q.id.as_str()) != first),
            )
            .collect()
    }

    pub fn question(&self, id: &str) -> Option<&PracticeQuestion> {
        self.questions.iter().find(|q| q.id == id)
    }
}

impl PracticeScale {
    /// A score must be a whole number from `min` to `max`.
    pub fn check(&self, score: u8) -> Result<(), String> {
        if (self.min..=self.max).contains(&score) {
            Ok(())
        } else {
            Err(format!(
                "a score must be from {} to {} ({}), not {score}",
                self.min,
                self.max,
                self.anchors()
            ))
        }
    }

    /// e.g. "0 = very worried, 10 = not worried at all", to store with a score.
    pub fn anchors(&self) -> String {
        format!(
            "{} = {}, {} = {}",
            self.min, self.low_anchor, self.max, self.high_anchor
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"
name = "Signs of Safety"
citation = "c"
start_with = "working-well"

[[question]]
id = "worried"
text = "What are we worried about?"
citation = "c"

[[question]]
id = "working-well"
text = "What's working well?"
prompts = ["Who is in their network?"]
citation = "c"

[scale]
min = 0
max = 10
question = "How worried are we on a scale of 0-10?"
low_anchor = "very worried"
high_anchor = "not worried at all"
citation = "c"
"#;

    fn parse(text: &str) -> Result<PracticeModel, String> {
        let m: PracticeModel = toml::from_str(text).map_err(|e| e.to_string())?;
        m.validate()?;
        Ok(m)
    }

    #[test]
    fn scale_and_order() {
        let m = parse(MODEL).unwrap();
        let order: Vec<&str> = m
            .questions_in_asking_order()
            .iter()
            .map(|q| q.id.as_str())
            .collect();
        assert_eq!(order, ["working-well", "worried"]);
        assert_eq!(
            m.scale.anchors(),
            "0 = very worried, 10 = not worried at all"
        );
        assert!(m.scale.check(0).is_ok());
        assert!(m.scale.check(10).is_ok());
        let e = m.scale.check(11).unwrap_err();
        assert!(e.contains("from 0 to 10"), "{e}");
    }

    #[test]
    fn invalid_models_are_rejected() {
        for (from, to, want) in [
            ("max = 10", "max = 11", "0 to 10"),
            ("min = 0", "min = 1", "0 to 10"),
            (
                "start_with = \"working-well\"",
                "start_with = \"x\"",
                "start_with",
            ),
            ("id = \"worried\"", "id = \"working-well\"", "unique"),
            (
                "low_anchor = \"very worried\"",
                "low_anchor = \"\"",
                "anchors",
            ),
            (
                "citation = \"c\"\nstart_with",
                "citation = \"c\"\ncolour = 1\nstart_with",
                "colour",
            ),
            (
                "[\"Who is in their network?\"]",
                "[\"\"]",
                "no empty prompts",
            ),
        ] {
            assert!(MODEL.contains(from), "{from}");
            let e = parse(&MODEL.replacen(from, to, 1)).unwrap_err();
            assert!(e.contains(want), "{from}: {e}");
        }
    }
}

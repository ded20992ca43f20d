//! Validated values and field errors.
//!
//! A value that exists is a valid one: each type here is built only through `parse`.
//! Errors name the field and say why in words a practitioner understands; the web
//! layer shows them next to the field (UI) or in a problem+json body (API).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One reason a field cannot be accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as submitted (form field or JSON pointer-ish path, e.g. `date_of_birth`).
    pub field: String,
    pub message: String,
}

/// Every reason a submission cannot be accepted. Collected rather than stopping at
/// the first, so a user fixes them all in one go (GOV.UK error summary pattern).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }
    /// The message for one field, if it has one.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
    /// Ok(()) when empty, otherwise Err(self).
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
    /// Keep the value of a field-level parse, recording its error under `field`.
    pub fn take<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(m) => {
                self.add(field, m);
                None
            }
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Parse an ISO date (`YYYY-MM-DD`), rejecting impossible dates such as 2026-02-30
/// with a message that says so. `label` is the field's name as users see it.
pub fn parse_date(label: &str, s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(format!("Enter the {label}"));
    }
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3
        || parts[0].len() != 4
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!(
            "{} must be a date in the form YYYY-MM-DD, for example 2026-03-27",
            capitalise(label)
        ));
    }
    let (y, m, d): (i32, u32, u32) = (
        parts[0].parse().unwrap_or(0),
        parts[1].parse().unwrap_or(0),
        parts[2].parse().unwrap_or(0),
    );
    if !(1..=12).contains(&m) {
        return Err(format!(
            "{} must be a real date: month {m} does not exist",
            capitalise(label)
        ));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        format!(
            "{} must be a real date: {s} does not exist",
            capitalise(label)
        )
    })
}

/// Parse a date given as day, month and year fields (GOV.UK date input pattern).
pub fn parse_date_parts(
    label: &str,
    day: &str,
    month: &str,
    year: &str,
) -> Result<NaiveDate, String> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Err(format!("Enter the {label}"));
    }
    let missing: Vec<&str> = [("day", day), ("month", month), ("year", year)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} must include a {}",
            capitalise(label),
            missing.join(" and ")
        ));
    }
    let num = |v: &str| v.parse::<u32>().ok();
    match (num(day), num(month), year.parse::<i32>().ok()) {
        (Some(d), Some(m), Some(y)) if year.len() == 4 => {
            if !(1..=12).contains(&m) {
                return Err(format!(
                    "{} must be a real date: month {m} does not exist",
                    capitalise(label)
                ));
            }
            NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
                format!(
                    "{} must be a real date: {y:04}-{m:02}-{d:02} does not exist",
                    capitalise(label)
                )
            })
        }
        _ => Err(format!(
            "{} must be a real date, for example 27 3 2026",
            capitalise(label)
        )),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Unicode format characters that change how text is shown or split it invisibly: the
/// bidirectional embeddings, overrides and isolates, zero-width spaces and joiners, the
/// word joiner and invisible operators, the byte order mark, the soft hyphen and the
/// Arabic letter mark. In a name they spoof what is displayed and split one child's
/// history across records (issue 18).
pub fn is_format_character(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// A person's name part: trimmed, not empty, no control or format characters, at most
/// 100 characters, in Unicode NFC (so a name typed with combining accents matches the
/// same name typed with precomposed ones).
pub fn parse_name(label: &str, s: &str) -> Result<String, String> {
    use unicode_normalization::UnicodeNormalization;
    let nfc: String = s.nfc().collect();
    let t = nfc.trim();
    if t.is_empty() {
        return Err(format!("Enter the {label}"));
    }
    if t.chars().count() > 100 {
        return Err(format!(
            "{} must be 100 characters or fewer",
            capitalise(label)
        ));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(format!(
            "{} must not contain control characters",
            capitalise(label)
        ));
    }
    if t.chars().any(is_format_character) {
        return Err(format!(
            "{} must not contain invisible formatting characters (such as a right-to-left override or a zero-width space): retype it",
            capitalise(label)
        ));
    }
    Ok(t.to_string())
}

/// Free text (a case note, a reason): trimmed, not empty, bounded.
pub fn parse_text(label: &str, s: &str, max_chars: usize) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(format!("Enter the {label}"));
    }
    if t.chars().count() > max_chars {
        return Err(format!(
            "{} must be {max_chars} characters or fewer",
            capitalise(label)
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(format!(
            "{} must not contain control characters",
            capitalise(label)
        ));
    }
    Ok(t.replace("\r\n", "\n"))
}

/// An NHS number: ten digits whose last is a modulus 11 check digit
/// (NHS Data Dictionary, "NHS Number"). Spaces and hyphens are allowed on input.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber(String);

impl NhsNumber {
    pub fn parse(s: &str) -> Result<NhsNumber, String> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("NHS number must be 10 digits".into());
        }
        let d: Vec<u32> = digits.bytes().map(|b| (b - b'0') as u32).collect();
        let sum: u32 = d[..9]
            .iter()
            .enumerate()
            .map(|(i, v)| v * (10 - i as u32))
            .sum();
        let check = 11 - (sum % 11);
        let check = if check == 11 { 0 } else { check };
        if check == 10 || check != d[9] {
            return Err("NHS number is not valid: check the digits".into());
        }
        Ok(NhsNumber(digits))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Shown as 3-3-4, the way it is printed on NHS letters.
    pub fn formatted(&self) -> String {
        format!("{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        NhsNumber::parse(&s)
    }
}

impl From<NhsNumber> for String {
    fn from(n: NhsNumber) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18: `A\u{202e}B\u{200b}C` was accepted as a name, spoofing what is shown and
    /// splitting a child's history; a name is refused with such characters, and kept in
    /// NFC so "Zoë" typed with a combining diaeresis is the same name as with "ë".
    #[test]
    fn names_refuse_invisible_formatting_and_are_kept_in_nfc() {
        for bad in [
            "A\u{202e}B\u{200b}C",
            "Ada\u{200d}",
            "\u{2066}Ada\u{2069}",
            "Ad\u{00ad}a",
            "\u{feff}Ada",
        ] {
            let e = parse_name("first name", bad).unwrap_err();
            assert!(e.contains("invisible formatting"), "{bad:?}: {e}");
        }
        assert_eq!(
            parse_name("first name", "Zoe\u{0308}").unwrap(),
            "Zo\u{00eb}"
        );
        assert_eq!(
            parse_name("first name", "  Zo\u{00eb} ").unwrap(),
            "Zo\u{00eb}"
        );
        // Scripts written right to left are names like any other.
        assert_eq!(
            parse_name("first name", "\u{0645}\u{062d}\u{0645}\u{062f}")
                .unwrap()
                .chars()
                .count(),
            4
        );
    }

    #[test]
    fn impossible_dates_are_named() {
        let e = parse_date("date of birth", "2026-02-30").unwrap_err();
        assert!(e.contains("real date"), "{e}");
        assert!(parse_date("date of birth", "2024-02-29").is_ok());
        assert!(parse_date("date of birth", "2025-02-29").is_err());
        assert!(parse_date("date of birth", "2025-13-01")
            .unwrap_err()
            .contains("month 13"));
        assert!(parse_date("date of birth", "27/03/2026").is_err());
        assert_eq!(
            parse_date("date of birth", "").unwrap_err(),
            "Enter the date of birth"
        );
    }

    #[test]
    fn date_parts() {
        assert_eq!(
            parse_date_parts("date of birth", "27", "3", "2026").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 27).unwrap()
        );
        assert!(parse_date_parts("date of birth", "30", "2", "2026")
            .unwrap_err()
            .contains("does not exist"));
        assert!(parse_date_parts("date of birth", "", "2", "2026")
            .unwrap_err()
            .contains("include a day"));
        assert!(parse_date_parts("date of birth", "1", "2", "26").is_err());
    }

    #[test]
    fn nhs_number_modulus_11() {
        // 943 476 5919 is the NHS Data Dictionary's worked example.
        assert_eq!(
            NhsNumber::parse("943 476 5919").unwrap().as_str(),
            "9434765919"
        );
        assert!(NhsNumber::parse("9434765918").is_err());
        assert!(NhsNumber::parse("12345").is_err());
        // 000000006x: weighted sum 12, 11 - (12 mod 11) = 10, so no check digit is valid.
        for last in 0..=9 {
            assert!(NhsNumber::parse(&format!("000000006{last}")).is_err());
        }
        assert_eq!(
            NhsNumber::parse("9434765919").unwrap().formatted(),
            "943 476 5919"
        );
    }

    #[test]
    fn names() {
        assert_eq!(parse_name("first name", "  Ava ").unwrap(), "Ava");
        assert!(parse_name("first name", " ").is_err());
        assert!(parse_name("first name", &"x".repeat(101)).is_err());
    }
}

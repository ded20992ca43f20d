//! What every page shows: the layout's data, and the form state of a page with a form.

use std::collections::HashMap;
use together_domain::validate::ValidationErrors;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct UserNav {
    pub display_name: String,
    pub role_label: String,
    pub agency: String,
}

/// The layout's data.
pub struct Page {
    pub title: String,
    pub partnership: String,
    pub profile_version: String,
    pub user: Option<UserNav>,
    pub nav: Vec<NavItem>,
    pub csrf_token: String,
    pub has_errors: bool,
}

/// A form as the user filled it in, and what was wrong with it: shown again with
/// the entries kept and each error next to its field.
#[derive(Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: ValidationErrors,
}

impl FormState {
    pub fn new(values: HashMap<String, String>) -> Self {
        FormState {
            values,
            errors: ValidationErrors::new(),
        }
    }
    pub fn with_errors(values: HashMap<String, String>, errors: ValidationErrors) -> Self {
        FormState { values, errors }
    }
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.for_field(name)
    }
}

/// Radio options as (value, label).
pub fn options<I: IntoIterator<Item = (&'static str, &'static str)>>(
    i: I,
) -> Vec<(String, String)> {
    i.into_iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

/// A count as GOV.UK style writes it: digits grouped in threes by commas ("183,475").
pub fn count(n: &u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "23 November 2026", as GOV.UK writes dates.
pub fn long_date(d: chrono::NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A stored UTC timestamp shown in UK time: "23 November 2026 at 9:30am".
pub fn long_timestamp(s: &str) -> String {
    match together_domain::event::parse_timestamp(s) {
        Some(t) => long_local_time(together_app::record::to_london(t).naive_local()),
        None => s.to_string(),
    }
}

/// A wall-clock time in England: "23 November 2026 at 9:30am".
pub fn long_local_time(t: chrono::NaiveDateTime) -> String {
    t.format("%-d %B %Y at %-I:%M%P").to_string()
}

/// A stored date text ("2026-11-23") shown long, or as given if not a date.
pub fn long_date_text(s: &str) -> String {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(long_date)
        .unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_in_threes() {
        assert_eq!(super::count(&0), "0");
        assert_eq!(super::count(&999), "999");
        assert_eq!(super::count(&1_000), "1,000");
        assert_eq!(super::count(&183_475), "183,475");
        assert_eq!(super::count(&1_234_567), "1,234,567");
    }
}

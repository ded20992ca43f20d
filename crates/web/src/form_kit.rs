//! The form kit (issue 15): one way to declare a form — its fields, each with a
//! label, a hint and a kind of input following the GOV.UK Design System's patterns —
//! and the parsing helpers every form shares. Pages declare their forms with it; the
//! one form template (`form.html`) renders any of them, keeping the user's
//! entries and showing each error next to its field.

use crate::ctx::{render_form, Ctx};
use crate::forms::FormData;
use crate::views::{FormState, Page};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use together_domain::validate::{parse_date, ValidationErrors};

/// The kind of input a field takes.
pub enum Kind {
    Checkbox,
    Text,
    Textarea,
    Date,
    Number,
    Select(Vec<(String, String)>),
    Radios(Vec<(String, String)>),
    /// Several answers: each option posts as `name-VALUE` = "yes".
    Checkboxes(Vec<(String, String)>),
}

pub struct Field {
    pub name: String,
    pub label: String,
    pub hint: String,
    pub kind: Kind,
}

pub fn f(name: &str, label: &str, hint: &str, kind: Kind) -> Field {
    Field {
        name: name.into(),
        label: label.into(),
        hint: hint.into(),
        kind,
    }
}

pub fn opts<'a>(i: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    i.into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// A form: its heading, what it is for, its fields and its button.
pub struct Spec {
    pub heading: String,
    pub intro: String,
    pub fields: Vec<Field>,
    pub submit: String,
}

/// The numbers after a form's name: "child-seen-1" → ("child-seen", [1]).
pub fn split_form(form: &str) -> (String, Vec<u32>) {
    let mut parts: Vec<&str> = form.split('-').collect();
    let mut nums = Vec::new();
    while let Some(last) = parts.last() {
        match last.parse::<u32>() {
            Ok(n) if parts.len() > 1 => {
                nums.insert(0, n);
                parts.pop();
            }
            _ => break,
        }
    }
    (parts.join("-"), nums)
}

pub fn date(
    e: &mut ValidationErrors,
    form: &FormData,
    name: &str,
    label: &str,
) -> Option<chrono::NaiveDate> {
    e.take(name, parse_date(label, form.get(name)))
}

pub fn opt_date(
    e: &mut ValidationErrors,
    form: &FormData,
    name: &str,
    label: &str,
) -> Option<chrono::NaiveDate> {
    if form.get(name).trim().is_empty() {
        None
    } else {
        date(e, form, name, label)
    }
}

pub fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The one page every declared form is shown on (`form.html`).
#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    page: Page,
    form: FormState,
    /// Problems not about one field of this form.
    general: Vec<String>,
    caption: String,
    heading: String,
    intro: String,
    action: String,
    back: String,
    back_label: String,
    fields: Vec<Field>,
    submit: String,
}

/// Where a form sits: what it is about, where it posts, and the way back.
pub struct FormAt {
    /// Above the heading: the record it is about ("Ada Quill — Family Help").
    pub caption: String,
    /// Where it posts.
    pub action: String,
    pub back: String,
    pub back_label: String,
    /// The navigation item it sits under ("/children").
    pub nav: String,
}

/// A declared form as a page, with the user's entries kept and each error next to its
/// field; an error about something not on this form is shown at the top instead.
pub fn form_response(
    ctx: &Ctx,
    sp: Spec,
    mut state: FormState,
    at: FormAt,
    status: StatusCode,
) -> Response {
    let known: Vec<&str> = sp.fields.iter().map(|f| f.name.as_str()).collect();
    for e in state.errors.0.iter_mut() {
        if !known.contains(&e.field.as_str()) {
            e.field = "form".into();
        }
    }
    let general: Vec<String> = state
        .errors
        .0
        .iter()
        .filter(|e| e.field == "form")
        .map(|e| e.message.clone())
        .collect();
    let has_errors = !state.errors.is_empty();
    let page = FormPage {
        general,
        page: ctx.page_with_errors(&sp.heading, &at.nav, has_errors),
        form: state,
        caption: at.caption,
        heading: sp.heading,
        intro: sp.intro,
        action: at.action,
        back: at.back,
        back_label: at.back_label,
        fields: sp.fields,
        submit: sp.submit,
    };
    (status, render_form(&page, has_errors)).into_response()
}

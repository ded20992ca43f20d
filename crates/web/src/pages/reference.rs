//! Reference pages every signed-in user may open: the timescales in force with their
//! sources, and the working-day calendar, each with a calculator.

use crate::auth::Signed;
use crate::ctx::{render, Ctx};
use crate::views::{long_date, FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use together_domain::access::Action;
use together_domain::timescale::{parse_start, Due, Strength};
use together_domain::validate::{parse_date, ValidationErrors};

struct RuleRow {
    id: String,
    title: String,
    period: String,
    start_event: String,
    strength: &'static str,
    extenders: String,
    citation: String,
    /// "national", "default" (Together's reading where the guidance gives no number)
    /// or "local".
    origin: &'static str,
}

#[derive(Template)]
#[template(path = "timescales.html")]
struct TimescalesPage {
    page: Page,
    form: FormState,
    rules: Vec<RuleRow>,
    result: Option<(String, String)>,
}

fn describe_due(d: &Due) -> String {
    match d {
        Due::Date(x) => format!("{} (by the end of the day)", long_date(*x)),
        Due::DateTime(t) => format!("{} at {}", long_date(t.date()), t.format("%H:%M")),
    }
}

pub async fn timescales(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    if let Err(e) = ctx
        .run(|app, caller| app.authorize(caller, Action::ViewHome))
        .await
    {
        return ctx.fail(e);
    }
    let app = &ctx.state.app;
    let profile = &app.profile;
    let rules = profile
        .rules
        .iter()
        .map(|r| RuleRow {
            id: r.id.clone(),
            title: r.title.clone(),
            period: if r.before {
                format!("{} before", r.period())
            } else {
                r.period().to_string()
            },
            start_event: r.start_event.replace('-', " "),
            strength: match r.strength {
                Strength::Must => "Must",
                Strength::Should => "Should",
            },
            extenders: if r.extendable_by.is_empty() {
                "Nobody".into()
            } else {
                r.extendable_by.join(", ").replace('-', " ")
            },
            citation: r.citation.clone(),
            origin: r.origin(),
        })
        .collect();
    let mut form = FormState::new(q.clone());
    let mut result = None;
    if q.contains_key("from") {
        let mut errors = ValidationErrors::new();
        let rule = profile.rule(q.get("rule").map(String::as_str).unwrap_or(""));
        if rule.is_none() {
            errors.add("rule", "Select a timescale");
        }
        let start = errors.take(
            "from",
            parse_start(q.get("from").map(String::as_str).unwrap_or("")),
        );
        if let (Some(rule), Some(start)) = (rule, start) {
            let due = rule.due(start, &app.calendar());
            result = Some((
                describe_due(&due),
                format!(
                    "{} — {} {} {}. {}",
                    rule.title,
                    rule.period(),
                    if rule.before { "before" } else { "from" },
                    rule.start_event.replace('-', " "),
                    rule.citation
                ),
            ));
        }
        form.errors = errors;
    }
    let has_errors = !form.errors.is_empty();
    render(&TimescalesPage {
        page: ctx.page_with_errors("Timescales", "/timescales", has_errors),
        form,
        rules,
        result,
    })
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    page: Page,
    year: i32,
    holidays: Vec<(String, String)>,
    closures: Vec<(String, String)>,
    form: FormState,
    result: Option<String>,
}

pub async fn calendar(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    if let Err(e) = ctx
        .run(|app, caller| app.authorize(caller, Action::ViewHome))
        .await
    {
        return ctx.fail(e);
    }
    let cal = ctx.state.app.calendar();
    let today = ctx.state.app.today();
    let year = q
        .get("year")
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (1990..=2100).contains(y))
        .unwrap_or(today.year());
    let holidays = cal
        .bank_holidays(year)
        .into_iter()
        .map(|(d, n)| (long_date(d), n))
        .collect();
    let closures = cal
        .local_closures()
        .into_iter()
        .filter(|(d, _)| d.year() == year)
        .map(|(d, n)| (long_date(d), n))
        .collect();
    let mut form = FormState::new(q.clone());
    let mut result = None;
    if q.contains_key("from") {
        let mut e = ValidationErrors::new();
        let from = e.take(
            "from",
            parse_date("from date", q.get("from").map(String::as_str).unwrap_or("")),
        );
        let days = e.take(
            "days",
            q.get("days")
                .and_then(|d| d.trim().parse::<u32>().ok())
                .filter(|d| *d <= 2000)
                .ok_or_else(|| "Working days must be a whole number from 0 to 2000".to_string()),
        );
        if let (Some(from), Some(days)) = (from, days) {
            let to: NaiveDate = cal.add_working_days(from, days);
            result = Some(format!(
                "{days} working days after {} is {}.",
                long_date(from),
                to.format("%A %-d %B %Y")
            ));
        }
        form.errors = e;
    }
    let has_errors = !form.errors.is_empty();
    render(&CalendarPage {
        page: ctx.page_with_errors("Working days", "/calendar", has_errors),
        year,
        holidays,
        closures,
        form,
        result,
    })
}

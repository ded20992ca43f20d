//! The access log, searched by the data protection officer.

use crate::auth::Signed;
use crate::ctx::{render, Ctx};
use crate::views::{long_timestamp, FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use std::collections::HashMap;
use together_app::directory::{AccessSearch, AdminSearch};
use together_app::AppError;
use together_domain::ids::PersonId;
use together_domain::validate::{parse_date, ValidationErrors};

struct Row {
    when: String,
    who: String,
    action: String,
    child: String,
    allowed: bool,
    break_glass: bool,
    reason: String,
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct AccessLogPage {
    page: Page,
    form: FormState,
    rows: Vec<Row>,
}

/// The search's "from" and "to" days, each optional; a day that is not one is a field
/// error.
fn days(
    q: &HashMap<String, String>,
    e: &mut ValidationErrors,
) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) {
    let mut day = |k: &str, label: &str| {
        let v = q.get(k).map(|s| s.trim()).unwrap_or_default();
        if v.is_empty() {
            None
        } else {
            e.take(k, parse_date(label, v))
        }
    };
    (day("from", "from date"), day("to", "to date"))
}

/// What a search found, with the form as it was filled in: its field errors (the
/// form's own, and the search's) instead of rows if it had any.
fn found<T>(
    q: &HashMap<String, String>,
    errors: ValidationErrors,
    loaded: Result<Vec<T>, AppError>,
) -> Result<(FormState, Vec<T>), AppError> {
    let mut form = FormState::with_errors(q.clone(), errors);
    let rows = match loaded {
        Ok(rows) if form.errors.is_empty() => rows,
        Ok(_) => Vec::new(),
        Err(AppError::Invalid(v)) => {
            form.errors.0.extend(v.0);
            Vec::new()
        }
        Err(err) => return Err(err),
    };
    Ok((form, rows))
}

pub async fn search(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let get = |k: &str| q.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut e = ValidationErrors::new();
    let child = if get("child").is_empty() {
        None
    } else {
        e.take(
            "child",
            get("child")
                .parse::<PersonId>()
                .map_err(|_| "Enter a record id as shown in the log".to_string()),
        )
    };
    let (from, to) = days(&q, &mut e);
    let username = get("user");
    let (denied, break_glass) = (get("denied") == "yes", get("break_glass") == "yes");
    let errors = e.clone();
    let loaded = ctx
        .run(move |app, caller| {
            let (rows, users) = app.search_access_log(
                caller,
                AccessSearch {
                    username: Some(username),
                    child,
                    only_denied: denied,
                    only_break_glass: break_glass,
                    from,
                    to,
                },
            )?;
            Ok(rows
                .into_iter()
                .map(|r| Row {
                    when: long_timestamp(&r.at),
                    who: r
                        .user
                        .and_then(|u| users.iter().find(|x| x.id == u))
                        .map(|u| format!("{} ({})", u.display_name, u.username))
                        .unwrap_or_else(|| "A partner agency's system".into()),
                    action: r.action.replace('-', " "),
                    // A child's record by its id; any other subject (a referral, a
                    // process) by its kind and id.
                    child: match (r.child, &r.subject) {
                        (Some(c), _) => c.to_string(),
                        (None, Some(s)) => format!("{} {}", s.kind.replace('-', " "), s.id),
                        (None, None) => "—".into(),
                    },
                    allowed: r.allowed,
                    break_glass: r.break_glass,
                    reason: r.reason,
                })
                .collect::<Vec<_>>())
        })
        .await;
    let (form, rows) = match found(&q, errors, loaded) {
        Ok(f) => f,
        Err(err) => return ctx.fail(err),
    };
    let has_errors = !form.errors.is_empty();
    render(&AccessLogPage {
        page: ctx.page_with_errors("Access log", "/access-log", has_errors),
        form,
        rows,
    })
}

struct AdminRow {
    seq: i64,
    when: String,
    who: String,
    action: String,
    target: String,
    details: String,
}

#[derive(Template)]
#[template(path = "admin_log.html")]
struct AdminLogPage {
    page: Page,
    form: FormState,
    rows: Vec<AdminRow>,
}

/// An entry's details (JSON) as a person reads them: "role: social-worker; sessions
/// ended: yes", leaving out what is empty.
fn details_text(json: &str) -> String {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(json) else {
        return json.to_string();
    };
    fields
        .iter()
        .filter_map(|(k, v)| {
            let v = match v {
                serde_json::Value::Null => return None,
                serde_json::Value::Bool(true) => "yes".to_string(),
                serde_json::Value::Bool(false) => "no".to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(format!("{}: {v}", k.replace('_', " ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "password-reset" as a person reads it: "Password reset".
fn action_label(action: &str) -> String {
    let words = action.replace('-', " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => words,
    }
}

/// The administration log (issue 18, item 2), searched by the data protection
/// officer: every administrative action, newest first, by whom and to what.
pub async fn admin_log(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let get = |k: &str| q.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut e = ValidationErrors::new();
    let (from, to) = days(&q, &mut e);
    let (done_by, done_to) = (get("user"), get("target"));
    let errors = e.clone();
    let loaded = ctx
        .run(move |app, caller| {
            let rows = app.search_admin_log(
                caller,
                AdminSearch {
                    done_by: Some(done_by),
                    done_to: Some(done_to),
                    from,
                    to,
                },
            )?;
            Ok(rows
                .into_iter()
                .map(|r| AdminRow {
                    seq: r.seq,
                    when: long_timestamp(&r.entry.at),
                    who: r.entry.actor_name,
                    action: action_label(&r.entry.action),
                    target: match r.entry.target {
                        Some(t) => format!("{} ({t})", r.entry.target_name),
                        None => r.entry.target_name,
                    },
                    details: details_text(&r.entry.details),
                })
                .collect::<Vec<_>>())
        })
        .await;
    let (form, rows) = match found(&q, errors, loaded) {
        Ok(f) => f,
        Err(err) => return ctx.fail(err),
    };
    let has_errors = !form.errors.is_empty();
    render(&AdminLogPage {
        page: ctx.page_with_errors("Administration log", "/admin-log", has_errors),
        form,
        rows,
    })
}

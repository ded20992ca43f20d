//! The access log, searched by the data protection officer.

use crate::auth::Signed;
use crate::ctx::{render, Ctx};
use crate::views::{long_timestamp, FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use std::collections::HashMap;
use together_app::directory::AccessSearch;
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
    let day = |k: &str, label: &str, e: &mut ValidationErrors| {
        if get(k).is_empty() {
            None
        } else {
            e.take(k, parse_date(label, &get(k)))
        }
    };
    let from = day("from", "from date", &mut e);
    let to = day("to", "to date", &mut e);
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
    let mut form = FormState::with_errors(q.clone(), errors);
    let rows = match loaded {
        Ok(rows) if form.errors.is_empty() => rows,
        Ok(_) => Vec::new(),
        Err(AppError::Invalid(v)) => {
            form.errors.0.extend(v.0);
            Vec::new()
        }
        Err(err) => return ctx.fail(err),
    };
    let has_errors = !form.errors.is_empty();
    render(&AccessLogPage {
        page: ctx.page_with_errors("Access log", "/access-log", has_errors),
        form,
        rows,
    })
}

//! The child's multi-agency chronology page: filterable by date and agency, printable
//! (Liverpool 004 §6; issue 5).

use crate::auth::Signed;
use crate::ctx::{render, Ctx};
use crate::views::Page;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use std::collections::HashMap;
use together_app::chronology::{Filter, Line};
use together_app::AppError;
use together_domain::ids::PersonId;
use together_domain::validate::parse_date;

#[derive(Template)]
#[template(path = "chronology.html")]
struct ChronologyPage {
    page: Page,
    child_id: PersonId,
    lines: Vec<Line>,
    agencies: Vec<String>,
    from: String,
    to: String,
    agency: String,
    error: Option<String>,
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let Ok(child) = id.parse::<PersonId>() else {
        return ctx.fail(AppError::NotFound);
    };
    let get = |k: &str| q.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let (from, to, agency) = (get("from"), get("to"), get("agency"));
    let mut error = None;
    let mut date = |s: &str, label: &str| {
        if s.is_empty() {
            return None;
        }
        match parse_date(label, s) {
            Ok(d) => Some(d),
            Err(m) => {
                error = Some(m);
                None
            }
        }
    };
    let filter = Filter {
        from: date(&from, "from date"),
        to: date(&to, "to date"),
        agency: (!agency.is_empty()).then(|| agency.clone()),
    };
    match ctx
        .run(move |app, caller| app.chronology(caller, child, &filter))
        .await
    {
        Ok((lines, agencies)) => render(&ChronologyPage {
            page: ctx.page("Chronology", "/children"),
            child_id: child,
            lines,
            agencies,
            from,
            to,
            agency,
            error,
        }),
        Err(e) => ctx.fail(e),
    }
}

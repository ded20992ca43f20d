//! Operations: health, metrics, static files, and the page for anything unknown.

use crate::auth::Signed;
use crate::ctx::{anonymous_page, render, Ctx, ErrorPage};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const GOVUK_CSS: &str = include_str!("../../static/govuk-frontend.min.css");
const TOGETHER_CSS: &str = include_str!("../../static/together.css");

/// Liveness and readiness: the database answers.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let app = state.app.clone();
    let ok = tokio::task::spawn_blocking(move || app.healthy())
        .await
        .unwrap_or(false);
    let backend = state.app.backend();
    let body =
        serde_json::json!({ "status": if ok { "ok" } else { "unavailable" }, "database": backend });
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `/metrics` for the scraper holding the configured token; not served without one
/// (issue 18: the figures are no one else's, and not the public listener's).
pub async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(expected) = state.metrics_token.as_deref() else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !crate::ctx::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a scraper's bearer token is needed",
        )
            .into_response();
    }
    let body = state.metrics.render(state.app.backend());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

pub async fn static_file(Path(file): Path<String>) -> Response {
    let body = match file.as_str() {
        "govuk-frontend.min.css" => GOVUK_CSS,
        "together.css" => TOGETHER_CSS,
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], body).into_response()
}

pub async fn not_found(State(state): State<AppState>, signed: Option<Signed>) -> Response {
    match signed {
        Some(s) => Ctx::new(state, s).error_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "If you typed the web address, check it is correct.",
        ),
        None => {
            let page = ErrorPage {
                page: anonymous_page(&state, "Page not found", false),
                heading: "Page not found".into(),
                message: "If you typed the web address, check it is correct.".into(),
                request_id: String::new(),
            };
            (StatusCode::NOT_FOUND, render(&page)).into_response()
        }
    }
}

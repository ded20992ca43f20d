//! Who is asking. Browser users carry a session cookie (HttpOnly, Secure,
//! SameSite=Lax; a new token at every sign-in); partner systems a bearer token.

use crate::middleware::RequestId;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use together_app::rows::UserRow;
use together_app::{AppError, Caller};

pub const SESSION_COOKIE: &str = "together_session";
/// Double-submit token for the sign-in form, before there is a session.
pub const LOGIN_CSRF_COOKIE: &str = "together_login_csrf";

pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A `Set-Cookie` value. `max_age` None is a session cookie; Some(0) deletes it.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; Secure; SameSite=Lax{age}"
    ))
    .expect("cookie values are hex")
}

pub fn request_id(parts: &Parts) -> String {
    parts
        .extensions
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

/// What a user whose password an administrator set may do before changing it.
const MAY_BEFORE_CHANGING: [&str; 2] = ["/account/password", "/logout"];

/// A signed-in user.
pub struct Signed {
    pub caller: Caller,
    pub user: UserRow,
    pub csrf_token: String,
    pub token: String,
    pub agency_name: String,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let rid = request_id(parts);
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(Redirect::to("/login").into_response());
        };
        let app = state.app.clone();
        let t = token.clone();
        let found = tokio::task::spawn_blocking(move || -> Result<_, AppError> {
            let Some((session, user)) = app.session(&t)? else {
                return Ok(None);
            };
            let caller = app.caller_for(&user, &rid)?;
            let agency_name = app.agency(user.agency)?.map(|a| a.name).unwrap_or_default();
            Ok(Some((session, user, caller, agency_name)))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()));
        match found.and_then(|r| r) {
            // A temporary password set by an administrator is changed before anything
            // else is done (issue 18): every other page sends the user to change it.
            Ok(Some((_, user, _, _)))
                if user.must_change_password
                    && !MAY_BEFORE_CHANGING.contains(&parts.uri.path()) =>
            {
                Err(Redirect::to("/account/password").into_response())
            }
            Ok(Some((session, user, caller, agency_name))) => Ok(Signed {
                caller,
                user,
                csrf_token: session.csrf_token,
                token,
                agency_name,
            }),
            Ok(None) => {
                let mut res = Redirect::to("/login?expired=1").into_response();
                res.headers_mut()
                    .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)));
                Err(res)
            }
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                Err((
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong. Try again.",
                )
                    .into_response())
            }
        }
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for Signed {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(
            <Signed as FromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .ok(),
        )
    }
}

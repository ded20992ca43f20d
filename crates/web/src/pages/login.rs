//! Sign in and sign out.

use crate::auth::{cookie, set_cookie, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::ctx::{anonymous_page, blocking, constant_time_eq, render, Posted};
use crate::forms::FormData;
use crate::views::{FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use together_app::identity::{random_token, SignInError};
use together_domain::validate::ValidationErrors;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    form: FormState,
    login_csrf: String,
    max_failures: u32,
    window_minutes: i64,
    idle_minutes: i64,
}

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
}

fn login_page(state: &AppState, form: FormState, status: StatusCode) -> Response {
    let token = random_token(32);
    let s = &state.app.settings;
    let page = LoginPage {
        page: anonymous_page(state, "Sign in", !form.errors.is_empty()),
        form,
        login_csrf: token.clone(),
        max_failures: s.login_max_failures,
        window_minutes: s.login_window_minutes,
        idle_minutes: s.session_idle_minutes,
    };
    let mut res = (status, render(&page)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &token, Some(3600)),
    );
    res
}

pub async fn form(State(state): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    let mut f = FormState::default();
    if q.expired.is_some() {
        f.errors
            .add("username", "Your session ended. Sign in again to carry on.");
    }
    login_page(&state, f, StatusCode::OK)
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<axum::Extension<crate::Peer>>,
    form: FormData,
) -> Response {
    let client = crate::client_address(&state, peer.map(|p| p.0), &headers);
    let username = form.get("username").to_string();
    let password = form.get("password").to_string();
    let kept = form.kept();
    let csrf_ok = cookie(&headers, LOGIN_CSRF_COOKIE)
        .is_some_and(|c| constant_time_eq(c.as_bytes(), form.get("csrf_token").as_bytes()));
    if !csrf_ok {
        let e = ValidationErrors::single("username", "The sign-in page expired. Sign in again.");
        return login_page(
            &state,
            FormState::with_errors(kept, e),
            StatusCode::FORBIDDEN,
        );
    }
    let mut e = ValidationErrors::new();
    if username.trim().is_empty() {
        e.add("username", "Enter your username");
    }
    if password.is_empty() {
        e.add("password", "Enter your password");
    }
    if !e.is_empty() {
        return login_page(
            &state,
            FormState::with_errors(kept, e),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let result = blocking(&state, move |app| {
        Ok(app.sign_in(&username, &password, &client))
    })
    .await;
    match result {
        Ok(Ok(session)) => {
            let mut res = Redirect::to("/").into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session.token, None),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", Some(0)),
            );
            res
        }
        Ok(Err(SignInError::BadCredentials)) => {
            let e = ValidationErrors::single("username", "The username or password is not right");
            login_page(
                &state,
                FormState::with_errors(kept, e),
                StatusCode::UNAUTHORIZED,
            )
        }
        Ok(Err(SignInError::Locked { minutes })) => {
            let e = ValidationErrors::single(
                "username",
                format!("Too many failed attempts. Try again in {minutes} minutes, or ask your system administrator."),
            );
            login_page(
                &state,
                FormState::with_errors(kept, e),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Ok(Err(SignInError::Internal(err))) | Err(err) => {
            tracing::error!(error = %err, "sign-in failed");
            let e = ValidationErrors::single(
                "username",
                "Sorry, there is a problem with the service. Try again later.",
            );
            login_page(
                &state,
                FormState::with_errors(kept, e),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    }
}

pub async fn logout(Posted { ctx, .. }: Posted) -> Response {
    let token = ctx.signed.token.clone();
    if let Err(e) = blocking(&ctx.state, move |app| app.sign_out(&token)).await {
        return ctx.fail(e);
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)));
    res
}

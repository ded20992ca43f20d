//! The context of one signed-in page request: the layout, rendering, errors, the
//! CSRF check, and running application services off the async threads.

use crate::auth::Signed;
use crate::forms::FormData;
use crate::views::{NavItem, Page, UserNav};
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use together_app::{App, AppError, Caller};
use together_domain::access::{authorize, Action, Actor, Resource};
use together_domain::role::Role;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: Page,
    pub heading: String,
    pub message: String,
    pub request_id: String,
}

/// A signed-in user's form submission whose CSRF token has been checked. Taking this
/// extractor is how a state-changing handler gets its form, so none can skip the check.
pub struct Posted {
    pub ctx: Ctx,
    pub form: FormData,
}

impl axum::extract::FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Response> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let signed = Signed::from_request_parts(&mut parts, state).await?;
        let form =
            FormData::from_request(axum::extract::Request::from_parts(parts, body), state).await?;
        let ctx = Ctx::new(state.clone(), signed);
        ctx.check_csrf(&form)?;
        Ok(Posted { ctx, form })
    }
}

pub struct Ctx {
    pub state: AppState,
    pub signed: Signed,
}

/// Run a blocking application call on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&App) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let app = state.app.clone();
    tokio::task::spawn_blocking(move || f(&app))
        .await
        .map_err(|e| AppError::Internal(format!("task failed: {e}")))?
}

/// The menu for a role: only what the access decision would allow.
fn nav_for(role: Role, active: &str) -> Vec<NavItem> {
    let may = |a: Action| authorize(Actor { role }, a, Resource::System).allowed;
    let mut items = vec![("/", "Home")];
    if may(Action::SubmitReferral) {
        items.push(("/referrals", "Referrals"));
    }
    if may(Action::SearchChildren) {
        items.push(("/children", "Children"));
    }
    if may(Action::ManageUsers) {
        items.push(("/admin/users", "Users"));
    }
    if may(Action::ManageCalendar) {
        items.push(("/admin/calendar", "Bank holidays"));
    }
    if may(Action::ViewAccessLog) {
        items.push(("/access-log", "Access log"));
        items.push(("/admin-log", "Administration log"));
    }
    if may(Action::ViewPartnershipFigures) {
        items.push(("/figures", "Figures"));
    }
    if may(Action::ProduceReturns) {
        items.push(("/returns/census", "Census"));
    }
    if matches!(
        role,
        Role::FrontDoorWorker
            | Role::SocialWorker
            | Role::PracticeSupervisor
            | Role::ConferenceChair
            | Role::PartnerPractitioner
    ) {
        items.push(("/threshold", "Threshold"));
    }
    items.push(("/timescales", "Timescales"));
    items.push(("/account/password", "Your account"));
    items
        .into_iter()
        .map(|(href, label)| NavItem {
            href,
            label,
            active: href == active || (href != "/" && active.starts_with(href)),
        })
        .collect()
}

pub fn anonymous_page(state: &AppState, title: &str, has_errors: bool) -> Page {
    Page {
        title: title.into(),
        partnership: state.app.profile.name.clone(),
        profile_version: state.app.profile.version_tag(),
        user: None,
        nav: Vec::new(),
        csrf_token: String::new(),
        has_errors,
    }
}

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong showing this page.",
            )
                .into_response()
        }
    }
}

/// Render a page with a form: 422 when it comes back with errors, 200 otherwise.
pub fn render_form<T: Template>(t: &T, has_errors: bool) -> Response {
    let mut r = render(t);
    if has_errors && r.status() == StatusCode::OK {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

impl Ctx {
    pub fn new(state: AppState, signed: Signed) -> Ctx {
        Ctx { state, signed }
    }

    pub fn caller(&self) -> Caller {
        self.signed.caller.clone()
    }

    pub fn page(&self, title: &str, active: &str) -> Page {
        let role = self.signed.caller.role;
        Page {
            title: title.into(),
            partnership: self.state.app.profile.name.clone(),
            profile_version: self.state.app.profile.version_tag(),
            user: Some(UserNav {
                display_name: self.signed.user.display_name.clone(),
                role_label: role.label().into(),
                agency: self.signed.agency_name.clone(),
            }),
            nav: nav_for(role, active),
            csrf_token: self.signed.csrf_token.clone(),
            has_errors: false,
        }
    }

    pub fn page_with_errors(&self, title: &str, active: &str, has_errors: bool) -> Page {
        Page {
            has_errors,
            ..self.page(title, active)
        }
    }

    /// Run an application service as this caller.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&App, &Caller) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let caller = self.caller();
        blocking(&self.state, move |app| {
            app.with_one_access_commit(&caller, f)
        })
        .await
    }

    /// The form must carry this session's CSRF token.
    fn check_csrf(&self, form: &FormData) -> Result<(), Response> {
        let sent = form.get("csrf_token");
        if !sent.is_empty() && constant_time_eq(sent.as_bytes(), self.signed.csrf_token.as_bytes())
        {
            Ok(())
        } else {
            tracing::warn!(request_id = %self.signed.caller.request_id, "csrf token mismatch");
            Err(self.error_page(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The page was open too long or came from somewhere else. Go back, reload the page and try again. Nothing was saved.",
            ))
        }
    }

    pub fn error_page(&self, status: StatusCode, heading: &str, message: &str) -> Response {
        let page = ErrorPage {
            page: self.page(heading, ""),
            heading: heading.into(),
            message: message.into(),
            request_id: self.signed.caller.request_id.clone(),
        };
        (status, render(&page)).into_response()
    }

    /// An application error as a page with the right status. (Invalid input is
    /// handled by each form, next to its fields.)
    pub fn fail(&self, e: AppError) -> Response {
        match e {
            AppError::Forbidden(reason) => self.error_page(
                StatusCode::FORBIDDEN,
                "You do not have access to this",
                &format!("Together did not allow this: {reason}. The attempt has been logged."),
            ),
            AppError::NotFound => self.error_page(
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here, or it is not a record you can see.",
            ),
            AppError::Invalid(v) => self.error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "There is a problem",
                &v.to_string(),
            ),
            AppError::Conflict(_) => self.error_page(
                StatusCode::CONFLICT,
                "Someone else changed this",
                "Go back, reload the page and try again.",
            ),
            AppError::Unauthenticated => axum::response::Redirect::to("/login").into_response(),
            AppError::Locked(m) => {
                self.error_page(StatusCode::TOO_MANY_REQUESTS, "Too many attempts", &m)
            }
            e @ (AppError::Internal(_) | AppError::Store(_)) => {
                tracing::error!(request_id = %self.signed.caller.request_id, cause = %e.chain(), "internal error");
                self.error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    "We cannot tell whether what you sent was saved. Open the record to check before trying again; if you ask for help, give the reference below.",
                )
            }
        }
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

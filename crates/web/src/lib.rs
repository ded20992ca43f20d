#![recursion_limit = "512"]
//! The web face of Together: server-rendered, accessible HTML for practitioners
//! and a JSON API for partner agencies' systems (design principle 8). Both call the
//! same application services in `together-app`; neither touches the database.

// Handlers return `Result<_, Response>` so an early refusal is already the page to send;
// a Response is large but this is the idiom axum is built around.
#![allow(clippy::result_large_err)]

mod api;
mod auth;
mod ctx;
pub mod form_kit;
pub mod forms;
mod metrics;
mod middleware;
mod pages;
mod problem;
pub mod process_pages;
mod views;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use together_app::App;

pub use metrics::Metrics;

/// Everything a handler needs.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub metrics: Arc<Metrics>,
    /// Served to users over HTTPS (from `--public-url`): send HSTS.
    pub https: bool,
    /// The bearer token a Prometheus scraper sends for `/metrics`; `None`: `/metrics` is
    /// not served (issue 18: never to the public by default).
    pub metrics_token: Option<String>,
}

/// The largest request body accepted: forms and JSON are small; a larger body is refused
/// with 413 before it is read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    router_with(state, process_pages::registered())
}

/// The router with `processes`' pages beside the rest: every registered process's
/// ([`process_pages::registered`]), or others a test mounts.
pub fn router_with(state: AppState, processes: Router<AppState>) -> Router {
    let html = Router::new()
        .route("/", get(pages::home::home))
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route(
            "/children",
            get(pages::children::list).post(pages::children::create),
        )
        .route("/children/new", get(pages::children::new_form))
        .route("/children/{id}", get(pages::children::view))
        .route(
            "/children/{id}/details",
            get(pages::children::details_form).post(pages::children::record_details),
        )
        .route(
            "/children/{id}/break-glass",
            get(pages::children::break_glass_form).post(pages::children::break_glass),
        )
        .route(
            "/children/{id}/notes",
            get(pages::children::note_form).post(pages::children::add_note),
        )
        .route(
            "/children/{id}/family",
            get(pages::children::family_form).post(pages::children::add_family),
        )
        .route(
            "/children/{id}/restrict",
            get(pages::children::restrict_form).post(pages::children::restrict),
        )
        .route(
            "/children/{id}/entries/{entry}/correct",
            get(pages::children::correct_form).post(pages::children::correct),
        )
        .route("/timescales", get(pages::reference::timescales))
        .route("/threshold", get(pages::threshold::support))
        .route("/referrals", get(pages::referrals::list))
        .route(
            "/referrals/new",
            get(pages::referrals::new_referral).post(pages::referrals::create_referral),
        )
        .route(
            "/contacts/new",
            get(pages::referrals::new_contact).post(pages::referrals::create_contact),
        )
        .route("/referrals/{id}", get(pages::referrals::view))
        .route(
            "/referrals/{id}/acknowledge",
            post(pages::referrals::acknowledge),
        )
        .route(
            "/referrals/{id}/written-confirmation",
            post(pages::referrals::written_confirmation),
        )
        .route("/referrals/{id}/link", post(pages::referrals::link))
        .route("/referrals/{id}/unlink", post(pages::referrals::unlink))
        .route(
            "/referrals/{id}/recommend",
            post(pages::referrals::recommend),
        )
        .route("/referrals/{id}/decide", post(pages::referrals::decide))
        .route("/referrals/{id}/escalate", post(pages::referrals::escalate))
        .route("/referrals/{id}/answer", post(pages::referrals::answer))
        .route(
            "/referrals/{id}/disclosure",
            post(pages::referrals::disclosure),
        )
        .route("/cases/{id}", get(pages::cases::view))
        .route("/cases/{id}/summary", get(pages::cases::summary))
        .route(
            "/cases/{id}/record/{meeting}",
            get(pages::cases::meeting_record),
        )
        .route(
            "/cases/{id}/{form}",
            get(pages::cases::form).post(pages::cases::submit),
        )
        .route(
            "/referrals/{id}/open-case",
            post(pages::cases::open_from_referral),
        )
        .route("/children/{id}/cases", post(pages::cases::reopen))
        .route("/children/{id}/chronology", get(pages::chronology::view))
        .route("/calendar", get(pages::reference::calendar))
        .route(
            "/account/password",
            get(pages::account::password_form).post(pages::account::change_password),
        )
        .route("/admin/users", get(pages::admin::users))
        .route(
            "/admin/users/new",
            get(pages::admin::new_user_form).post(pages::admin::create_user),
        )
        .route(
            "/admin/users/{id}/reset-password",
            post(pages::admin::reset_password),
        )
        .route("/admin/users/{id}/active", post(pages::admin::set_active))
        .route(
            "/admin/calendar",
            get(pages::admin::calendar).post(pages::admin::add_proclamation),
        )
        .route("/access-log", get(pages::access_log::search))
        .route("/figures", get(pages::figures::view))
        .route("/figures/{table}", get(pages::figures::csv))
        .route("/returns/census", get(pages::figures::census))
        .route("/returns/census.xml", get(pages::figures::census_xml));

    Router::new()
        .merge(html)
        .merge(processes)
        .nest("/api/v1", api::router())
        .route("/healthz", get(pages::ops::healthz))
        .route("/metrics", get(pages::ops::metrics))
        .route("/static/{file}", get(pages::ops::static_file))
        .fallback(pages::ops::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .with_state(state)
}

/// Serve until SIGTERM or Ctrl-C, then stop taking connections and let in-flight
/// requests (and the writes they are making) finish.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

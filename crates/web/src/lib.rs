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
mod once;
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
    /// Reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`):
    /// the sign-in throttle is by account and client address (issue 18).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// The address a connection came from (set by [`serve_with`]).
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub std::net::SocketAddr);

/// The client's address: the connection's, or — when it comes from a trusted reverse
/// proxy — the last address that proxy put in `X-Forwarded-For` (the one it saw; any
/// earlier ones the client could have written itself). "" if unknown.
pub fn client_address(
    state: &AppState,
    peer: Option<Peer>,
    headers: &axum::http::HeaderMap,
) -> String {
    let Some(Peer(addr)) = peer else {
        return String::new();
    };
    let ip = addr.ip();
    if state.trusted_proxies.contains(&ip) {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter_map(|a| a.parse::<std::net::IpAddr>().ok())
            .next_back();
        if let Some(client) = forwarded {
            return client.to_string();
        }
    }
    ip.to_string()
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
            "/admin/users/{id}/edit",
            get(pages::admin::edit_user_form).post(pages::admin::change_user),
        )
        .route(
            "/admin/calendar",
            get(pages::admin::calendar).post(pages::admin::add_proclamation),
        )
        .route("/access-log", get(pages::access_log::search))
        .route("/admin-log", get(pages::access_log::admin_log))
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
/// What one server lets a connection take (issue 18: 3,000 slow connections were held
/// open for 42 s and beyond). A reverse proxy in front should set its own, tighter ones.
#[derive(Clone, Copy, Debug)]
pub struct ServeLimits {
    /// A request's headers must arrive within this; an idle keep-alive connection is
    /// closed after it too.
    pub header_read_timeout: std::time::Duration,
    /// A whole request, body and answer, within this; past it, 503.
    pub request_timeout: std::time::Duration,
    /// Connections served at once; one more is closed at once.
    pub max_connections: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: std::time::Duration::from_secs(10),
            // The census and the figures of a large county are the slowest answers.
            request_timeout: std::time::Duration::from_secs(120),
            max_connections: 1024,
        }
    }
}

pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_with(state, listener, ServeLimits::default(), shutdown_signal()).await
}

/// Serve until `shutdown`, then finish the requests in flight.
pub async fn serve_with(
    state: AppState,
    listener: tokio::net::TcpListener,
    limits: ServeLimits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use axum::response::IntoResponse;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let app = router(state);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let (closing, _) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => (stream, peer),
                Err(e) => {
                    // e.g. too many open files: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!("connection limit reached: a connection was closed");
            continue;
        };
        let app = app.clone();
        let mut closing = closing.subscribe();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |req: axum::http::Request<hyper::body::Incoming>| {
                    let app = app.clone();
                    async move {
                        let mut req = req.map(axum::body::Body::new);
                        req.extensions_mut().insert(Peer(peer));
                        match tokio::time::timeout(limits.request_timeout, app.oneshot(req)).await {
                            Ok(answer) => answer,
                            Err(_) => Ok((
                                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                                "the request took too long",
                            )
                                .into_response()),
                        }
                    }
                },
            );
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = closing.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(slot);
        });
    }
    let _ = closing.send(true);
    // Every slot back: every connection has finished its request in flight.
    let n = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(n).await;
    Ok(())
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

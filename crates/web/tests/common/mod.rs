//! Test harness: the real Together app, in process, on a fresh SQLite database in a
//! temporary directory, seeded with the demo partnership, driven through the real
//! router with `tower::ServiceExt::oneshot`. Time stands still on a `FixedClock`
//! that tests may move; no test looks at the wall clock.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::sync::Arc;
use together_app::clock::FixedClock;
use together_app::demo::DemoSeed;
use together_app::profiles::ProfileSource;
use together_app::{App, Settings};
use together_domain::ids::{AgencyId, PersonId};
use together_store::{ChildQuery, LogHead};
use together_web::{AppState, Metrics};
use tower::ServiceExt;

/// Monday 23 November 2026, 10:00 UTC (and London: GMT).
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

/// The token the tests' Prometheus scraper sends for `/metrics`.
pub const METRICS_TOKEN: &str = "scrape-token-for-tests";

pub struct TestApp {
    pub app: Arc<App>,
    pub clock: Arc<FixedClock>,
    pub seed: DemoSeed,
    pub metrics: Arc<Metrics>,
    pub router: Router,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// A fresh, seeded app served without HTTPS.
    pub async fn start() -> TestApp {
        tokio::task::spawn_blocking(|| TestApp::build(false))
            .await
            .expect("build task")
    }

    fn build(https: bool) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("together.db");
        let store = together_store::open(path.to_str().expect("utf-8 path")).expect("open store");
        let profile = ProfileSource::default()
            .load("national")
            .expect("national profile");
        let clock = Arc::new(FixedClock::at(start_time()));
        let app =
            Arc::new(App::new(store, profile, clock.clone(), Settings::default()).expect("app"));
        let seed = together_app::demo::seed(&app)
            .expect("seed")
            .expect("a fresh database is seeded");
        let metrics = Arc::new(Metrics::default());
        let router = together_web::router(AppState {
            app: app.clone(),
            metrics: metrics.clone(),
            https,
            metrics_token: Some(METRICS_TOKEN.into()),
            trusted_proxies: Vec::new(),
        });
        TestApp {
            app,
            clock,
            seed,
            metrics,
            router,
            _dir: dir,
        }
    }

    /// Another router over the same app and database, e.g. served over HTTPS.
    pub fn router_with(&self, https: bool) -> Router {
        together_web::router(AppState {
            app: self.app.clone(),
            metrics: self.metrics.clone(),
            https,
            metrics_token: Some(METRICS_TOKEN.into()),
            trusted_proxies: Vec::new(),
        })
    }

    /// Run a synchronous store/app call off the async threads.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&App) -> T + Send + 'static,
    ) -> T {
        let app = self.app.clone();
        tokio::task::spawn_blocking(move || f(&app))
            .await
            .expect("blocking task")
    }

    pub fn advance_minutes(&self, m: i64) {
        self.clock.advance(chrono::Duration::minutes(m));
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        send_to(&self.router, req).await
    }

    pub fn password(&self, username: &str) -> String {
        self.seed
            .logins
            .iter()
            .find(|l| l.username == username)
            .unwrap_or_else(|| panic!("no demo login {username}"))
            .password
            .clone()
    }

    pub fn child(&self, i: usize) -> PersonId {
        self.seed.children[i]
    }

    pub fn browser(&self) -> Browser<'_> {
        Browser {
            ta: self,
            cookies: HashMap::new(),
            peer: None,
        }
    }

    /// A browser connecting from `ip`.
    pub fn browser_from(&self, ip: &str) -> Browser<'_> {
        Browser {
            ta: self,
            cookies: HashMap::new(),
            peer: Some(std::net::SocketAddr::new(
                ip.parse().expect("an IP address"),
                50000,
            )),
        }
    }

    /// A browser signed in as a demo user.
    pub async fn signed_in(&self, username: &str) -> Browser<'_> {
        let password = self.password(username);
        self.signed_in_with(username, &password).await
    }

    pub async fn signed_in_with(&self, username: &str, password: &str) -> Browser<'_> {
        let mut b = self.browser();
        let r = b.sign_in(username, password).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in as {username}: {}",
            r.body
        );
        assert_eq!(r.location(), "/");
        b
    }

    pub async fn children_count(&self) -> usize {
        self.blocking(|app| {
            app.store
                .children(&ChildQuery {
                    limit: 10_000,
                    ..Default::default()
                })
                .expect("children")
                .len()
        })
        .await
    }

    pub async fn log_heads(&self) -> Vec<LogHead> {
        self.blocking(|app| app.store.log_heads().expect("log heads"))
            .await
    }

    pub async fn agency_of_kind(&self, kind: &'static str) -> AgencyId {
        self.blocking(move |app| {
            app.store
                .agencies()
                .expect("agencies")
                .into_iter()
                // The hand-made demo's agency (the generated partnership has its own).
                .find(|a| a.kind == kind && a.name.starts_with("Demo "))
                .expect("agency of kind")
                .id
        })
        .await
    }

    pub async fn user_id(&self, username: &'static str) -> together_domain::ids::UserId {
        self.blocking(move |app| {
            app.store
                .user_by_username(username)
                .expect("user")
                .expect("user exists")
                .id
        })
        .await
    }

    /// A call to the JSON API, with an optional bearer token and body.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some((content_type, bytes)) => b
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(bytes)),
            None => b.body(Body::empty()),
        };
        self.send(req.expect("request")).await
    }

    pub async fn api_json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        json: &serde_json::Value,
    ) -> Resp {
        self.api(
            method,
            path,
            Some(token),
            Some(("application/json", json.to_string().into_bytes())),
        )
        .await
    }
}

pub async fn send_to(router: &Router, req: Request<Body>) -> Resp {
    let res = router
        .clone()
        .oneshot(req)
        .await
        .expect("router is infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn location(&self) -> &str {
        self.header("location")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(String::from)
            .collect()
    }
    /// The whole `Set-Cookie` header that sets `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }
    /// The value of the page's hidden `csrf_token` input.
    pub fn csrf(&self) -> String {
        hidden_csrf(&self.body)
            .unwrap_or_else(|| panic!("no csrf_token on the page: {}", self.body))
    }
}

pub fn hidden_csrf(html: &str) -> Option<String> {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string()).filter(|v| !v.is_empty())
}

/// `application/x-www-form-urlencoded`.
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A browser: a cookie jar over the test app.
pub struct Browser<'a> {
    pub ta: &'a TestApp,
    pub cookies: HashMap<String, String>,
    /// The address the browser connects from, as the server loop would record it.
    pub peer: Option<std::net::SocketAddr>,
}

impl Browser<'_> {
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let jar = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            b = b.header(header::COOKIE, jar);
        }
        let req = match form {
            Some(fields) => b
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form_encode(fields))),
            None => b.body(Body::empty()),
        }
        .expect("request");
        let mut req = req;
        if let Some(peer) = self.peer {
            req.extensions_mut().insert(together_web::Peer(peer));
        }
        let r = self.ta.send(req).await;
        for c in r.set_cookies() {
            let first = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        r
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        self.request(Method::POST, path, Some(fields)).await
    }

    /// POST with this session's CSRF token (read from the home page's sign-out form).
    pub async fn post_csrf(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", token.as_str()));
        self.post(path, &all).await
    }

    /// This session's CSRF token, as a page carries it.
    pub async fn csrf(&mut self) -> String {
        let mut home = self.get("/").await;
        if home.location() == "/account/password" {
            // A temporary password: the only page there is until it is changed.
            home = self.get("/account/password").await;
        }
        assert_eq!(
            home.status,
            StatusCode::OK,
            "home page to read the CSRF token"
        );
        home.csrf()
    }

    /// The sign-in journey: GET /login for the login CSRF cookie and field, then POST.
    pub async fn sign_in(&mut self, username: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            self.cookies.contains_key("together_login_csrf"),
            "GET /login sets the login CSRF cookie"
        );
        let token = page.csrf();
        self.post(
            "/login",
            &[
                ("csrf_token", token.as_str()),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    pub fn session(&self) -> Option<String> {
        self.cookies.get("together_session").cloned()
    }
}

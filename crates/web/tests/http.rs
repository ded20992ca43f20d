//! The web pages through HTTP: signing in, sessions, CSRF, security headers, who may
//! see what, forms with bad input, and the case note and correction journey.

mod common;

use axum::http::StatusCode;
use common::{send_to, TestApp, METRICS_TOKEN};
use together_app::identity::NewUserInput;
use together_store::AccessQuery;

// ---- 1. signing in ------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn anonymous_visitors_are_sent_to_sign_in() {
    // Design brief: every page but sign-in needs a signed-in user.
    let ta = TestApp::start().await;
    let r = ta.browser().get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login");
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_sets_a_hardened_session_cookie_and_rotates_it() {
    // Issue requirement (sessions): the cookie is HttpOnly, Secure, SameSite=Lax, and a
    // NEW token is issued at every sign-in (session fixation defence, OWASP ASVS 3.2.1).
    let ta = TestApp::start().await;
    let password = ta.password("socialworker");
    let mut b = ta.browser();
    let r = b.sign_in("socialworker", &password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/");
    let cookie = r
        .set_cookie("together_session")
        .expect("a session cookie is set");
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(
            cookie.split(';').any(|a| a.trim() == attr),
            "{attr} missing from {cookie}"
        );
    }
    let first = b.session().expect("session kept");
    assert!(b.get("/").await.status == StatusCode::OK);

    // Signing in again, even from the same browser, gives a different token.
    let r = b.sign_in("socialworker", &password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let second = b.session().expect("session kept");
    assert_ne!(first, second, "the session token is rotated at sign-in");
    let other = ta.signed_in("socialworker").await.session().unwrap();
    assert!(other != first && other != second);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_is_refused_with_the_username_kept_and_the_password_not_echoed() {
    // GOV.UK Design System (error summary, error message): say what went wrong, keep
    // what the user typed; never send a password back to the browser.
    let ta = TestApp::start().await;
    let mut b = ta.browser();
    let wrong = "not-the-password-xyzzy";
    let r = b.sign_in("socialworker", wrong).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("There is a problem"), "{}", r.body);
    assert!(r.body.contains(r#"value="socialworker""#), "username kept");
    assert!(!r.body.contains(wrong), "the password is not echoed");
    assert!(b.session().is_none());
    assert!(r.set_cookie("together_session").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sign_in_form_needs_its_csrf_cookie_and_field() {
    // OWASP login CSRF: the sign-in form carries a double-submit token.
    let ta = TestApp::start().await;
    let password = ta.password("socialworker");

    // Neither cookie nor field.
    let mut b = ta.browser();
    let r = b
        .post(
            "/login",
            &[("username", "socialworker"), ("password", &password)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(b.session().is_none());

    // The field but no cookie.
    let mut b = ta.browser();
    let token = b.get("/login").await.csrf();
    b.cookies.clear();
    let r = b
        .post(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "socialworker"),
                ("password", &password),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(b.session().is_none());

    // The cookie but a different field.
    let mut b = ta.browser();
    b.get("/login").await;
    let r = b
        .post(
            "/login",
            &[
                ("csrf_token", "abcdef0123456789"),
                ("username", "socialworker"),
                ("password", &password),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(b.session().is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn five_failures_lock_the_account_even_against_the_right_password() {
    // NCSC password guidance / Settings::login_max_failures = 5: throttle, don't
    // demand complexity. The 6th attempt within the window is refused even if right.
    let ta = TestApp::start().await;
    let mut b = ta.browser();
    for i in 0..5 {
        let r = b.sign_in("school", &format!("wrong-password-{i}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = b.sign_in("school", &ta.password("school")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(b.session().is_none());
    // Another account is not affected.
    ta.signed_in("police").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_change_ends_the_other_sessions_and_is_throttled() {
    // Issue 18: a password change ends the user's other sessions (whoever else holds one
    // must sign in again) and keeps the one in use; the current-password check counts
    // against the sign-in throttle.
    let ta = TestApp::start().await;
    let mut here = ta.signed_in("socialworker").await;
    let mut elsewhere = ta.signed_in("socialworker").await;
    let old = ta.password("socialworker");
    let r = here
        .post_csrf(
            "/account/password",
            &[
                ("current_password", old.as_str()),
                ("new_password", "a-new-long-password-123"),
                ("confirm_password", "a-new-long-password-123"),
            ],
        )
        .await;
    assert!(
        r.status.is_redirection() || r.status == StatusCode::OK,
        "{}",
        r.status
    );
    assert_eq!(
        here.get("/").await.status,
        StatusCode::OK,
        "the session in use stays"
    );
    assert_ne!(
        elsewhere.get("/").await.status,
        StatusCode::OK,
        "the other session ended"
    );
    // Five wrong current passwords, a minute later: the sixth attempt is refused as too
    // many, even with the right password.
    ta.advance_minutes(1);
    for i in 0..5 {
        let wrong = format!("wrong-{i}");
        let r = here
            .post_csrf(
                "/account/password",
                &[
                    ("current_password", wrong.as_str()),
                    ("new_password", "another-long-password-1"),
                    ("confirm_password", "another-long-password-1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = here
        .post_csrf(
            "/account/password",
            &[
                ("current_password", "a-new-long-password-123"),
                ("new_password", "another-long-password-1"),
                ("confirm_password", "another-long-password-1"),
            ],
        )
        .await;
    assert!(r.body.contains("Too many wrong passwords"), "{}", r.status);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_ends_twelve_hours_after_sign_in_however_busy() {
    // Issue 18: an absolute lifetime besides the idle timeout.
    let ta = TestApp::start().await;
    let mut b = ta.signed_in("socialworker").await;
    for _ in 0..24 {
        ta.advance_minutes(29);
        assert_eq!(b.get("/").await.status, StatusCode::OK);
    }
    ta.advance_minutes(29); // 12 hours 5 minutes after signing in
    assert_ne!(b.get("/").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_with_an_overlong_username_stores_nothing() {
    // Issue 18: 300 sign-ins with 60 KB usernames grew the database by 18 MB. No user's
    // name is longer than 64 bytes: such an attempt is refused like any other and
    // nothing of it is kept.
    let ta = TestApp::start().await;
    let mut b = ta.browser();
    let long = "a".repeat(10_000);
    let r = b.sign_in(&long, "whatever").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let kept = ta
        .blocking(move |app| {
            app.store
                .login_failures(&long, "", "2000-01-01T00:00:00")
                .unwrap()
                .from_anywhere
        })
        .await;
    assert_eq!(kept, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_ends_the_session() {
    // Issue requirement (sessions): sign out ends the session on the server, so the
    // old cookie is worthless.
    let ta = TestApp::start().await;
    let mut b = ta.signed_in("socialworker").await;
    let old = b.session().unwrap();

    // Without the CSRF token, signing out is refused and the session lives on.
    let r = b.post("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/").await.status, StatusCode::OK);

    let r = b.post_csrf("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login");
    assert!(b.session().is_none(), "the cookie is cleared");

    let mut replay = ta.browser();
    replay.cookies.insert("together_session".into(), old);
    let r = replay.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"), "{}", r.location());
}

// ---- 2. idle timeout -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_session_ends_after_thirty_minutes() {
    // Settings::session_idle_minutes = 30 (NCSC / ASVS 3.3: idle timeout).
    let ta = TestApp::start().await;
    let mut b = ta.signed_in("socialworker").await;

    ta.advance_minutes(29);
    assert_eq!(
        b.get("/").await.status,
        StatusCode::OK,
        "29 idle minutes: still signed in"
    );
    ta.advance_minutes(29);
    assert_eq!(
        b.get("/").await.status,
        StatusCode::OK,
        "use resets the idle clock"
    );

    ta.advance_minutes(31);
    let r = b.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?expired=1");
    assert!(b.session().is_none(), "the dead cookie is cleared");
    let page = b.get("/login?expired=1").await;
    assert!(page.body.contains("Your session ended"), "{}", page.body);
}

// ---- 3. CSRF on every state-changing form -------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn every_state_changing_form_needs_the_sessions_csrf_token() {
    // OWASP CSRF prevention (synchronizer token): every POST from a signed-in page
    // carries the session's token; without it, or with another's, 403 and nothing written.
    let ta = TestApp::start().await;
    let (c0, c3, c4) = (ta.child(0), ta.child(3), ta.child(4));
    let note = ta
        .blocking(move |app| {
            app.store
                .log(c3)
                .unwrap()
                .into_iter()
                .find(|e| e.event_type == "case-note-recorded")
                .unwrap()
                .id
        })
        .await;
    let sw_id = ta.user_id("socialworker").await;
    let csc = ta.agency_of_kind("childrens-social-care").await.to_string();

    let mut sw = ta.signed_in("socialworker").await;
    let mut sup = ta.signed_in("supervisor").await;
    let mut admin = ta.signed_in("admin").await;
    let sup_token = sup.csrf().await;

    let children_before = ta.children_count().await;
    let heads_before = ta.log_heads().await;
    let users_before = ta.blocking(|app| app.store.users().unwrap()).await;
    let procs_before = ta.blocking(|app| app.store.proclamations().unwrap()).await;
    let bg_query = || AccessQuery {
        only_break_glass: true,
        limit: 1000,
        ..Default::default()
    };
    let bg_before = ta
        .blocking(move |app| app.store.access_log(&bg_query()).unwrap().len())
        .await;

    let child_fields = [
        ("kind", "child"),
        ("given_name", "Csrf"),
        ("family_name", "Test"),
        ("date_of_birth", "2020-01-01"),
        ("sex", "female"),
    ];
    let note_fields = [("title", "Forged"), ("text", "Should not be written")];
    // (who posts, where, the form's fields)
    type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        ("socialworker", "/children".into(), child_fields.to_vec()),
        (
            "socialworker",
            format!("/children/{c3}/notes"),
            note_fields.to_vec(),
        ),
        (
            "socialworker",
            format!("/children/{c3}/family"),
            vec![
                ("kind", "parent"),
                ("given_name", "Forged"),
                ("family_name", "Parent"),
                ("sex", "male"),
                ("relationship", "Father"),
            ],
        ),
        (
            "socialworker",
            format!("/children/{c3}/entries/{note}/correct"),
            vec![
                ("reason", "forged correction"),
                ("title", "X"),
                ("text", "Y"),
            ],
        ),
        (
            "socialworker",
            format!("/children/{c4}/break-glass"),
            vec![("reason", "Out of hours call about this child")],
        ),
        (
            "socialworker",
            "/account/password".into(),
            vec![
                ("current_password", "x"),
                ("new_password", "a-new-password-123"),
                ("confirm_password", "a-new-password-123"),
            ],
        ),
        (
            "supervisor",
            format!("/children/{c0}/restrict"),
            vec![("reason", "Forged restriction reason")],
        ),
        (
            "admin",
            "/admin/users/new".into(),
            vec![
                ("username", "forged"),
                ("display_name", "Forged User"),
                ("role", "social-worker"),
                ("agency", csc.as_str()),
            ],
        ),
        (
            "admin",
            format!("/admin/users/{sw_id}/reset-password"),
            vec![],
        ),
        (
            "admin",
            format!("/admin/users/{sw_id}/active"),
            vec![("active", "no")],
        ),
        (
            "admin",
            "/admin/calendar".into(),
            vec![("date", "2026-12-31"), ("name", "Forged holiday")],
        ),
        ("socialworker", "/logout".into(), vec![]),
    ];
    for (who, path, fields) in &cases {
        let b = match *who {
            "socialworker" => &mut sw,
            "supervisor" => &mut sup,
            _ => &mut admin,
        };
        let r = b.post(path, fields).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{who} POST {path} without a token"
        );
        assert!(
            r.body.contains("This form has expired"),
            "{who} POST {path}: refused for the token, not for access: {}",
            r.body
        );
        let mut wrong = fields.clone();
        wrong.push((
            "csrf_token",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ));
        let r = b.post(path, &wrong).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{who} POST {path} with a wrong token"
        );
        if *who != "supervisor" {
            // Another user's real token is just as wrong.
            let mut other = fields.clone();
            other.push(("csrf_token", sup_token.as_str()));
            let r = b.post(path, &other).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{who} POST {path} with another session's token"
            );
        }
    }

    assert_eq!(ta.children_count().await, children_before);
    assert_eq!(ta.log_heads().await, heads_before, "no event appended");
    assert_eq!(
        ta.blocking(|app| app.store.users().unwrap()).await,
        users_before,
        "no user created or changed"
    );
    assert_eq!(
        ta.blocking(|app| app.store.proclamations().unwrap()).await,
        procs_before
    );
    assert_eq!(
        ta.blocking(move |app| app.store.access_log(&bg_query()).unwrap().len())
            .await,
        bg_before,
        "no break-glass"
    );
    assert_eq!(
        sw.get("/").await.status,
        StatusCode::OK,
        "the refused sign-out left the session alive"
    );
    let r = sw.get("/children").await;
    assert!(!r.body.contains("Csrf"), "the children list is unchanged");
}

// ---- 4. security headers ----------------------------------------------------------------

fn assert_page_headers(r: &common::Resp, what: &str) {
    let csp = r.header("content-security-policy");
    assert!(!csp.is_empty(), "{what}: CSP present");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .map(String::from)
    };
    let scripts = directive("script-src")
        .or_else(|| directive("default-src"))
        .unwrap_or_else(|| panic!("{what}: scripts not limited: {csp}"));
    assert!(
        !scripts.contains('*') && !scripts.contains("data:"),
        "{what}: scripts limited: {scripts}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(r.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(r.header("x-frame-options"), "DENY", "{what}");
    assert!(!r.header("x-request-id").is_empty(), "{what}: x-request-id");
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_carry_the_security_headers() {
    // Design brief (security): CSP with no inline script, nosniff, no framing,
    // no caching of children's records, a request id for support, HSTS over HTTPS.
    let ta = TestApp::start().await;
    let login = ta.browser().get("/login").await;
    assert_page_headers(&login, "GET /login");

    let mut b = ta.signed_in("socialworker").await;
    let c = ta.child(1);
    for path in [
        "/".to_string(),
        "/children".into(),
        format!("/children/{c}"),
    ] {
        let r = b.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_page_headers(&r, &path);
        assert!(
            r.header("cache-control").contains("no-store"),
            "{path}: {}",
            r.header("cache-control")
        );
        assert!(
            r.header("strict-transport-security").is_empty(),
            "no HSTS over plain HTTP"
        );
    }

    // Every response has a request id, whatever it is; each its own.
    let mut ids = Vec::new();
    for r in [
        ta.browser().get("/no-such-page").await,
        ta.browser().get("/static/together.css").await,
        ta.browser().get("/healthz").await,
        ta.api(axum::http::Method::GET, "/api/v1/timescales", None, None)
            .await,
        b.post("/children", &[]).await,
    ] {
        let id = r.header("x-request-id").to_string();
        assert!(!id.is_empty(), "x-request-id on a {} response", r.status);
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "request ids are distinct");

    let https = ta.router_with(true);
    let req = axum::http::Request::get("/login")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = send_to(&https, req).await;
    let hsts = r.header("strict-transport-security");
    assert!(
        hsts.contains("max-age=") && !hsts.contains("max-age=0"),
        "HSTS over HTTPS: {hsts:?}"
    );
}

// ---- 5. role access ------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn each_role_reaches_only_its_own_pages() {
    // Design brief principle (least privilege, one access decision) and WT2026 ¶163:
    // children's social care holds the record; partners see what is shared about the
    // children they work with; administrators and the DPO see no case data.
    let ta = TestApp::start().await;
    let csc_roles = ["frontdoor", "socialworker", "supervisor", "chair"];
    let all = [
        "frontdoor",
        "socialworker",
        "supervisor",
        "chair",
        "police",
        "health",
        "school",
        "partnership",
        "admin",
        "dpo",
    ];
    for who in all {
        let mut b = ta.signed_in(who).await;
        assert_eq!(b.get("/").await.status, StatusCode::OK, "{who} GET /");
        let want = if csc_roles.contains(&who) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(b.get("/children").await.status, want, "{who} GET /children");
        let want = if who == "admin" {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            b.get("/admin/users").await.status,
            want,
            "{who} GET /admin/users"
        );
        let want = if who == "dpo" {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            b.get("/access-log").await.status,
            want,
            "{who} GET /access-log"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn childrens_records_are_shown_only_as_far_as_the_role_and_relationship_allow() {
    // WT2026 ¶29–¶37 (information sharing) and the access decision: partners with a part
    // in the work see what is shared; others are refused and the refusal is logged.
    let ta = TestApp::start().await;
    let c: Vec<_> = (0..6).map(|i| ta.child(i)).collect();
    let mut refused = Vec::new();

    // The system administrator sees no children's records.
    let mut admin = ta.signed_in("admin").await;
    let r = admin.get(&format!("/children/{}", c[1])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    refused.push(("admin", c[1]));
    for (who, child) in [("partnership", c[0]), ("dpo", c[0])] {
        let mut b = ta.signed_in(who).await;
        assert_eq!(
            b.get(&format!("/children/{child}")).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        refused.push((who, child));
    }

    // Police referred children[0]: they see the shared entries only.
    let mut police = ta.signed_in("police").await;
    let r = police.get(&format!("/children/{}", c[0])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r
        .body
        .contains("You are seeing what has been shared with partner agencies"));
    assert!(
        r.body.contains("Police attendance"),
        "their own shared note"
    );
    assert!(!r.body.contains("Mother"), "family members are not shared");
    assert!(!r.body.contains("Family and household"));
    assert!(!r.body.contains("Postcode"));
    let r = police.get(&format!("/children/{}", c[1])).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "police have no part in children[1]"
    );
    refused.push(("police", c[1]));

    // Health takes part in work about children[1], whose home visit note is not shared.
    let mut sw = ta.signed_in("socialworker").await;
    assert!(
        sw.get(&format!("/children/{}", c[1]))
            .await
            .body
            .contains("Home visit"),
        "children's social care sees it"
    );
    let mut health = ta.signed_in("health").await;
    let r = health.get(&format!("/children/{}", c[1])).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.body.contains("Home visit"),
        "an unshared note is not shown to a partner"
    );
    assert!(
        r.body.contains("other entries are held by children"),
        "{}",
        r.body
    );
    let r = health.get(&format!("/children/{}", c[2])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    refused.push(("health", c[2]));

    // The school referred children[2].
    let mut school = ta.signed_in("school").await;
    assert_eq!(
        school.get(&format!("/children/{}", c[2])).await.status,
        StatusCode::OK
    );
    assert_eq!(
        school.get(&format!("/children/{}", c[3])).await.status,
        StatusCode::FORBIDDEN
    );
    refused.push(("school", c[3]));

    // A restricted record: a social worker not allocated gets the break-glass form.
    let r = sw.get(&format!("/children/{}", c[4])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let action = format!(r#"action="/children/{}/break-glass""#, c[4]);
    assert!(r.body.contains(&action), "the break-glass form: {}", r.body);
    refused.push(("socialworker", c[4]));
    // The restricted record is refused outright to a partner with no grant.
    assert_eq!(
        police.get(&format!("/children/{}", c[4])).await.status,
        StatusCode::FORBIDDEN
    );
    refused.push(("police", c[4]));

    // Break-glass with a reason opens it, says so, and logs it.
    let sw_id = ta.user_id("socialworker").await;
    let r = sw
        .post_csrf(
            &format!("/children/{}/break-glass", c[4]),
            &[(
                "reason",
                "Out of hours call: police concerned for the child tonight",
            )],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("You opened this restricted record under break-glass access"),
        "the page says it was opened under break-glass"
    );
    assert!(r.body.contains("Chronology"));
    let c4 = c[4];
    let bg = ta
        .blocking(move |app| {
            app.store
                .access_log(&AccessQuery {
                    child: Some(c4),
                    only_break_glass: true,
                    limit: 1000,
                    ..Default::default()
                })
                .unwrap()
        })
        .await;
    assert!(
        bg.iter().any(|e| e.user == Some(sw_id)
            && e.allowed
            && e.break_glass
            && e.reason.contains("Out of hours call")),
        "a break-glass entry with the stated reason: {bg:?}"
    );
    // ...and only for that view: the next plain GET is refused again.
    assert_eq!(
        sw.get(&format!("/children/{}", c[4])).await.status,
        StatusCode::FORBIDDEN
    );

    // Every refusal is in the access log, refused.
    for (who, child) in refused {
        let uid = ta
            .blocking(move |app| app.store.user_by_username(who).unwrap().unwrap().id)
            .await;
        let rows = ta
            .blocking(move |app| {
                app.store
                    .access_log(&AccessQuery {
                        user: Some(uid),
                        child: Some(child),
                        limit: 1000,
                        ..Default::default()
                    })
                    .unwrap()
            })
            .await;
        assert!(
            rows.iter()
                .any(|e| !e.allowed && e.action == "view-child-record"),
            "{who} refused on {child} is logged: {rows:?}"
        );
    }
}

// ---- 6. bad input in the UI ---------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_form_with_errors_comes_back_with_each_error_by_its_field_and_nothing_written() {
    // GOV.UK Design System error summary and error message patterns; design brief:
    // validate at the boundary, never half-write.
    let ta = TestApp::start().await;
    let mut b = ta.signed_in("frontdoor").await;
    let before = ta.children_count().await;
    let heads = ta.log_heads().await;

    let r = b
        .post_csrf(
            "/children",
            &[
                ("kind", "child"),
                ("given_name", ""),
                ("family_name", "Example"),
                ("date_of_birth", "2026-02-30"),
                ("sex", "female"),
                ("nhs_number", "1234567890"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(
        r.body.contains("<title>Error: "),
        "the title says there is an error"
    );
    for f in ["given_name", "date_of_birth", "nhs_number"] {
        assert!(
            r.body.contains(&format!(r##"href="#{f}""##)),
            "summary links to #{f}"
        );
        assert!(
            r.body.contains(&format!(r#"id="{f}-error""#)),
            "error message next to {f}"
        );
        assert!(
            r.body
                .contains(&format!(r#"aria-describedby="{f}-hint {f}-error""#))
                || r.body
                    .contains(&format!(r#"aria-describedby=" {f}-error""#)),
            "{f} described by its error"
        );
    }
    assert!(
        r.body.contains(r#"value="2026-02-30""#),
        "the date typed is kept"
    );
    assert!(
        r.body.contains(r#"value="1234567890""#),
        "the NHS number typed is kept"
    );
    assert!(r.body.contains(r#"value="Example""#));
    assert_eq!(ta.children_count().await, before);
    assert_eq!(ta.log_heads().await, heads);

    // What is typed is shown back escaped, never as markup (OWASP XSS prevention).
    let evil = r#""><script>alert(1)</script>"#;
    let r = b
        .post_csrf(
            "/children",
            &[
                ("kind", "child"),
                ("given_name", evil),
                ("family_name", "X"),
                ("date_of_birth", "nonsense"),
                ("sex", "female"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("<script>"), "{}", r.body);
    assert!(
        r.body.contains("&lt;script&gt;") || r.body.contains("&#60;script&#62;"),
        "the entry is kept, escaped"
    );

    // A born child cannot be born tomorrow (the clock says 23 November 2026).
    let r = b
        .post_csrf(
            "/children",
            &[
                ("kind", "child"),
                ("given_name", "Future"),
                ("family_name", "Child"),
                ("date_of_birth", "2026-11-24"),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(r#"id="date_of_birth-error""#), "{}", r.body);
    assert_eq!(ta.children_count().await, before);

    // A good form opens the record and goes to it.
    let r = b
        .post_csrf(
            "/children",
            &[
                ("kind", "child"),
                ("given_name", "Ottilie"),
                ("family_name", "Quarrington"),
                ("date_of_birth", "2026-11-23"),
                ("sex", "female"),
                ("nhs_number", "943 476 5919"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.location().to_string();
    assert!(to.starts_with("/children/"), "{to}");
    let page = b.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ottilie Quarrington"));
    assert_eq!(ta.children_count().await, before + 1);
}

// ---- 7. case notes and corrections ----------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_case_note_is_added_and_corrected_with_its_history_kept() {
    // Design brief: the record is append-only; a correction is a new entry with a
    // reason, made by the author or a practice supervisor, and both versions are shown.
    let ta = TestApp::start().await;
    let child = ta.child(3);
    let page_path = format!("/children/{child}");
    let mut sw = ta.signed_in("socialworker").await;

    let r = sw
        .post_csrf(
            &format!("{page_path}/notes"),
            &[
                ("title", "Call with the school"),
                ("text", "Spoke to the head teacher about attendance."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with(&page_path));
    let page = sw.get(&page_path).await;
    assert!(
        page.body.contains("Call with the school")
            && page
                .body
                .contains("Spoke to the head teacher about attendance.")
    );
    let note = ta
        .blocking(move |app| {
            app.store
                .log(child)
                .unwrap()
                .into_iter()
                .rev()
                .find(|e| e.event_type == "case-note-recorded")
                .unwrap()
                .id
        })
        .await;
    let correct = format!("{page_path}/entries/{note}/correct");

    // A correction needs a reason: the error is by the reason field, the text is kept.
    let heads = ta.log_heads().await;
    let r = sw
        .post_csrf(
            &correct,
            &[
                ("reason", ""),
                ("title", "Call with the school"),
                ("text", "Spoke to the deputy head teacher about attendance."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains(r#"id="reason-error""#), "{}", r.body);
    assert!(r.body.contains(r##"href="#reason""##));
    assert!(
        r.body
            .contains("Spoke to the deputy head teacher about attendance."),
        "the text typed is kept"
    );
    assert_eq!(ta.log_heads().await, heads, "nothing written");

    // The author corrects it.
    let r = sw
        .post_csrf(
            &correct,
            &[
                ("reason", "It was the deputy head, not the head teacher"),
                ("title", "Call with the school"),
                ("text", "Spoke to the deputy head teacher about attendance."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = sw.get(&page_path).await;
    assert!(page
        .body
        .contains("Spoke to the deputy head teacher about attendance."));
    assert!(page.body.contains("Corrected"));
    assert!(page.body.contains("What was first recorded"));
    assert!(
        page.body
            .contains("Spoke to the head teacher about attendance."),
        "the original is kept and shown"
    );
    assert!(
        page.body
            .contains("It was the deputy head, not the head teacher"),
        "the reason is shown"
    );

    // Another social worker may not correct it.
    let csc = ta.agency_of_kind("childrens-social-care").await;
    let (_, password) = ta
        .blocking(move |app| {
            let (user, password) = app
                .create_user(
                    None,
                    &NewUserInput {
                        username: "socialworker2".into(),
                        display_name: "Sam Other".into(),
                        role: "social-worker".into(),
                        agency: csc.to_string(),
                        team: String::new(),
                    },
                )
                .unwrap();
            // As if they had already chosen their own password.
            let user = together_store::UserRow {
                must_change_password: false,
                ..user
            };
            app.store.update_user(&user).unwrap();
            (user, password)
        })
        .await;
    let mut other = ta.signed_in_with("socialworker2", &password).await;
    let heads = ta.log_heads().await;
    let r = other
        .post_csrf(
            &correct,
            &[
                ("reason", "I think it was someone else"),
                ("title", "Call"),
                ("text", "Other text"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(ta.log_heads().await, heads, "nothing written");
    assert!(
        !other
            .get(&page_path)
            .await
            .body
            .contains(&format!("entries/{note}/correct")),
        "no correction link offered"
    );

    // A practice supervisor may.
    let mut sup = ta.signed_in("supervisor").await;
    let r = sup
        .post_csrf(
            &correct,
            &[
                ("reason", "Supervisor review: the call was about lateness"),
                ("title", "Call with the school"),
                ("text", "Spoke to the deputy head teacher about lateness."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(sup
        .get(&page_path)
        .await
        .body
        .contains("Spoke to the deputy head teacher about lateness."));
}

// ---- 10. operations -------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn health_metrics_static_files_and_unknown_pages() {
    // Design brief (operability): a health check an orchestrator can read, Prometheus
    // figures, a GOV.UK 404 page, static CSS served as CSS.
    let ta = TestApp::start().await;
    let mut b = ta.browser();

    let r = b.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("application/json"));
    let h = r.json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["database"], "sqlite");

    b.get("/login").await;
    // Issue 18: an invented method is counted as "other", so it cannot grow the figures.
    for m in ["FOOBAR", "BAZ"] {
        ta.api(
            axum::http::Method::from_bytes(m.as_bytes()).unwrap(),
            "/healthz",
            None,
            None,
        )
        .await;
    }
    // The figures are the scraper's: without its token, refused.
    let r = b.get("/metrics").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = ta
        .api(axum::http::Method::GET, "/metrics", Some("wrong"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = ta
        .api(
            axum::http::Method::GET,
            "/metrics",
            Some(METRICS_TOKEN),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.body.contains("FOOBAR") && r.body.contains(r#"method="other""#),
        "{}",
        r.body
    );
    assert!(r.header("content-type").starts_with("text/plain"));
    assert!(
        r.body.contains("together_http_requests_total"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(
            r#"together_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"route="/login""#));

    let r = b.get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Page not found"));
    assert!(r.header("content-type").starts_with("text/html"));

    let r = b.get("/static/govuk-frontend.min.css").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-type").starts_with("text/css"),
        "{}",
        r.header("content-type")
    );
    assert!(r.body.len() > 1000);
    assert_eq!(
        b.get("/static/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Issues 4 and 5: a partner practitioner with a part in a case sees their part of it —
/// the Family Help they lead, their actions, the meetings they attended — and not the
/// statutory assessment or the child protection detail; the forms for that are refused
/// and the refusals logged.
#[tokio::test(flavor = "multi_thread")]
async fn a_school_sees_its_part_of_a_case_and_not_the_statutory_work() {
    let ta = TestApp::start().await;
    // The demo case whose child protection plan gives the school a daily welfare check.
    let (cp_case, cin_case) = ta
        .blocking(|app| {
            let school = app.store.user_by_username("school").unwrap().unwrap().id;
            let actions = app
                .store
                .case_actions(&together_store::CaseActionQuery {
                    owner_user: Some(school),
                    limit: 100,
                    ..Default::default()
                })
                .unwrap();
            let cp = actions
                .iter()
                .find(|a| a.plan_kind == "child-protection")
                .unwrap()
                .case;
            let cin = actions
                .iter()
                .find(|a| a.plan_kind == "child-in-need")
                .unwrap()
                .case;
            (cp, cin)
        })
        .await;
    let mut school = ta.signed_in("school").await;
    let r = school.get(&format!("/cases/{cp_case}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Daily welfare check at school"),
        "its own action"
    );
    assert!(
        r.body.contains("/record/strategy-1"),
        "the discussion it attended"
    );
    for secret in [
        "Legal advice",
        "Medical consistent with",
        "Police to interview",
    ] {
        assert!(!r.body.contains(secret), "a partner does not see: {secret}");
    }
    // Its own discussion record, yes; the statutory forms, no (403, logged).
    assert_eq!(
        school
            .get(&format!("/cases/{cp_case}/record/strategy-1"))
            .await
            .status,
        StatusCode::OK
    );
    for form in [
        "hold-strategy-1",
        "s47-outcome-1",
        "conference-1",
        "end-cp-plan",
    ] {
        assert_eq!(
            school.get(&format!("/cases/{cp_case}/{form}")).await.status,
            StatusCode::FORBIDDEN,
            "{form}"
        );
    }
    assert_eq!(
        school
            .get(&format!("/cases/{cin_case}/start-assessment"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let refusals = ta
        .blocking(|app| {
            let school = app.store.user_by_username("school").unwrap().unwrap().id;
            app.store
                .access_log(&together_store::AccessQuery {
                    user: Some(school),
                    only_denied: true,
                    limit: 100,
                    ..Default::default()
                })
                .unwrap()
                .len()
        })
        .await;
    assert!(refusals >= 5, "each refusal is logged ({refusals})");
}

#[tokio::test]
async fn a_long_record_opens_at_its_newest_entries_with_links_to_older_ones() {
    // Issue 6: a record with thousands of entries opens a page at a time.
    let ta = TestApp::start().await;
    let child = ta.child(2);
    let page_path = format!("/children/{child}");
    let sw_caller = ta
        .blocking(|app| {
            let u = app.store.user_by_username("socialworker").unwrap().unwrap();
            app.caller_for(&u, "test").unwrap()
        })
        .await;
    ta.blocking(move |app| {
        for n in 0..60 {
            let note = together_app::record::CaseNoteInput {
                title: format!("Weekly visit number {n:02}"),
                text: "Seen at home.".into(),
                effective_date: String::new(),
                shared_with_partners: false,
            };
            app.add_case_note(&sw_caller, child, &note).unwrap();
        }
    })
    .await;
    let total = ta
        .blocking(move |app| app.store.log_len(child).unwrap())
        .await;
    let mut sw = ta.signed_in("socialworker").await;
    let first = sw.get(&page_path).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first
            .body
            .contains(&format!("The 50 most recent of {total} entries.")),
        "{}",
        first.body
    );
    assert!(first.body.contains("Weekly visit number 59"));
    assert!(
        !first.body.contains("Weekly visit number 09"),
        "older notes are on the next page"
    );
    let older = first
        .body
        .split(r#"href=""#)
        .find_map(|s| s.split('"').next().filter(|h| h.contains("?before=")))
        .expect("a link to older entries")
        .replace("&amp;", "&");
    let second = sw.get(&older).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert!(second.body.contains("Weekly visit number 09"));
    assert!(!second.body.contains("Weekly visit number 59"));
    assert!(second
        .body
        .contains(&format!("{} older entries of {total}.", total - 50)));
    assert!(second.body.contains("Newest entries"));
    assert!(
        !second.body.contains("?before="),
        "the last page has no older link"
    );

    // A link Together did not make is refused plainly.
    let bad = sw.get(&format!("{page_path}?before=yesterday")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("not one Together made"), "{}", bad.body);
}

#[tokio::test]
async fn a_full_work_tray_says_how_much_is_waiting_and_opens_a_page_at_a_time() {
    // Issue 6: a supervisor's tray shows the 50 items due soonest, says how many are
    // waiting and how many are overdue, and links to the rest (WT2026 ¶167: no decision
    // owed within one working day is cut off the end of a list unseen).
    use together_domain::referral::details::{
        ChildInput, ConcernInput, ConsentInput, ReferrerInput, SignsOfSafetyInput,
    };
    use together_domain::referral::{Channel, ReferralInput};
    let ta = TestApp::start().await;
    ta.blocking(|app| {
        let u = app.store.user_by_username("school").unwrap().unwrap();
        let school = app.caller_for(&u, "test").unwrap();
        for n in 0..60 {
            let input = ReferralInput {
                referrer: ReferrerInput {
                    kind: "professional".into(),
                    name: "Sam Okafor".into(),
                    job_title: "Designated safeguarding lead".into(),
                    agency_name: "Park Road Primary School".into(),
                    agency_kind: "education".into(),
                    email: "dsl@parkroad.example.org".into(),
                    ..Default::default()
                },
                children: vec![ChildInput {
                    given_name: format!("Tray{n:02}"),
                    family_name: "Pager".into(),
                    date_of_birth: "2017-06-01".into(),
                    sex: "male".into(),
                    ..Default::default()
                }],
                concern: ConcernInput {
                    what_happened: "Hungry at school every morning.".into(),
                    seen_or_heard: "Asks classmates for food.".into(),
                    ..Default::default()
                },
                consent: ConsentInput {
                    family_knows: "yes".into(),
                    family_consents: "yes".into(),
                    ..Default::default()
                },
                signs_of_safety: SignsOfSafetyInput {
                    scale: "4".into(),
                    ..Default::default()
                },
                immediate_risk: "no".into(),
                ..Default::default()
            };
            let d = input.parse(app.today()).unwrap();
            app.receive_referral(&school, d, Channel::OnlineForm, None, None)
                .unwrap();
        }
    })
    .await;
    let mut sup = ta.signed_in("supervisor").await;
    let first = sup.get("/").await;
    assert_eq!(first.status, StatusCode::OK);
    let count = first
        .body
        .split(r#"id="tray-count">"#)
        .nth(1)
        .and_then(|s| s.split(" items of work are waiting").next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("a count of the tray: {}", first.body));
    assert!(count >= 120, "60 referrals, each to acknowledge and decide");
    assert!(first.body.contains("The 50 due soonest are shown first."));
    let rows = |body: &str| body.matches(r#"<tr class="govuk-table__row"><td"#).count();
    assert_eq!(rows(&first.body), 50);
    let mut shown = 50;
    let mut page = first;
    while let Some(later) = page
        .body
        .split(r#"href=""#)
        .find_map(|s| s.split('"').next().filter(|h| h.contains("?after=")))
        .map(|h| h.replace("&amp;", "&"))
    {
        page = sup.get(&later).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Work due soonest"));
        assert!(page
            .body
            .contains("These are due later than those on the first page."));
        shown += rows(&page.body);
    }
    assert_eq!(shown, count, "every item of work is on one of the pages");

    // A link Together did not make is refused plainly.
    let bad = sup.get("/?after=soon").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("not one Together made"), "{}", bad.body);
}

// ---- listing pages are logged (issue 18, item 4) -----------------------------------

/// The record ids a page links to under `prefix` ("/children/"), each once.
fn linked_ids(html: &str, prefix: &str) -> Vec<uuid::Uuid> {
    let mut out = Vec::new();
    for (i, _) in html.match_indices(prefix) {
        let rest = &html[i + prefix.len()..];
        if let Some(id) = rest.get(..36).and_then(|s| uuid::Uuid::parse_str(s).ok()) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_that_lists_children_by_name_logs_each_one_it_names() {
    // Issue 18, item 4: the home page's tray and "recently opened", the children's and
    // the referrals' lists each write an access-log entry for every child (or referral)
    // they name, so the data protection officer's search finds them like record pages.
    let ta = TestApp::start().await;
    let pages = [
        ("socialworker", "/"),
        ("supervisor", "/"),
        ("frontdoor", "/"),
        ("frontdoor", "/referrals"),
        ("school", "/"),
        ("socialworker", "/children"),
    ];
    let mut named = 0;
    for (who, path) in pages {
        let user = ta.user_id(who).await;
        let mut b = ta.signed_in(who).await;
        let r = b.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{who} {path}");
        let children = linked_ids(&r.body, "/children/");
        let referrals = linked_ids(&r.body, "/referrals/");
        let logged = ta
            .blocking(move |app| {
                app.store
                    .access_log(&AccessQuery {
                        user: Some(user),
                        limit: 5000,
                        ..Default::default()
                    })
                    .unwrap()
            })
            .await;
        for c in &children {
            assert!(
                logged.iter().any(|e| e.child.map(|p| p.0) == Some(*c)),
                "{who} {path}: child {c} shown but not logged"
            );
        }
        for id in &referrals {
            assert!(
                logged.iter().any(|e| e.referral == Some(*id)),
                "{who} {path}: referral {id} shown but not logged"
            );
        }
        named += children.len() + referrals.len();
    }
    assert!(named > 10, "the demo's pages name children ({named})");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_passwords_from_one_address_do_not_lock_the_user_out_from_theirs() {
    // Issue 18, item 9: anyone could lock out any named account with six wrong
    // passwords every 15 minutes. Now the throttle is by account and address, with
    // increasing delays: the attacker's address waits, the user's own does not; the
    // answer is the same whether or not the account exists.
    let ta = TestApp::start().await;
    let right = ta.password("school");
    let mut attacker = ta.browser_from("203.0.113.9");
    for i in 0..5 {
        let r = attacker.sign_in("school", &format!("wrong-{i}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = attacker.sign_in("school", &right).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(
        r.body.contains("Try again in 1 minutes") || r.body.contains("Try again in 1 minute"),
        "{}",
        r.body
    );

    // The user, from their own address, signs in at once.
    let mut user = ta.browser_from("198.51.100.7");
    let r = user.sign_in("school", &right).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Waiting as long as told is enough for one more try; the next wait is longer.
    ta.advance_minutes(1);
    let r = attacker.sign_in("school", "wrong-again").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    ta.advance_minutes(1);
    let r = attacker.sign_in("school", "wrong-again").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "two minutes now");
    ta.advance_minutes(1);
    let r = attacker.sign_in("school", &right).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // No enumeration: an account that does not exist is throttled the same way.
    let mut prober = ta.browser_from("203.0.113.10");
    for name in ["school", "no-such-user"] {
        for _ in 0..5 {
            assert_eq!(
                prober.sign_in(name, "x-wrong").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            prober.sign_in(name, "x-wrong").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_reset_is_logged_ends_sessions_and_must_be_changed_at_sign_in() {
    // Issue 18, item 2: an administrator could take over any account unseen. Now a
    // reset gives a temporary password that must be changed at the first sign-in (so
    // the user notices theirs no longer works and the administrator cannot use the
    // account quietly), ends the user's sessions, and is in the administration log,
    // hash-chained, which the data protection officer searches.
    let ta = TestApp::start().await;
    let sup_id = ta.user_id("supervisor").await;
    let mut sup = ta.signed_in("supervisor").await;
    let mut admin = ta.signed_in("admin").await;
    let r = admin
        .post_csrf(&format!("/admin/users/{sup_id}/reset-password"), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let temporary = r
        .body
        .split("<code")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .expect("the temporary password is shown once")
        .to_string();
    assert!(
        sup.get("/").await.location().starts_with("/login"),
        "the supervisor's session ended"
    );

    // Signed in with it, every page leads to changing it, and nothing else is done.
    let mut taker = ta.signed_in_with("supervisor", &temporary).await;
    for page in ["/", "/children", "/referrals"] {
        let r = taker.get(page).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(r.location(), "/account/password", "{page}");
    }
    let r = taker.get("/account/password").await;
    assert!(r.body.contains("set by an administrator"), "{}", r.body);
    let r = taker
        .post_csrf(
            "/account/password",
            &[
                ("current_password", temporary.as_str()),
                ("new_password", "the-supervisors-own-one"),
                ("confirm_password", "the-supervisors-own-one"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(taker.get("/").await.status, StatusCode::OK);

    // The data protection officer finds it, and the chain verifies.
    let mut dpo = ta.signed_in("dpo").await;
    let r = dpo.get(&format!("/admin-log?target={sup_id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Password reset"), "{}", r.body);
    assert!(!r.body.contains(&temporary), "never the password itself");
    let n = ta
        .blocking(|app| together_store::audit::verify_admin_log(app.store.as_ref()).unwrap())
        .await;
    assert!(n >= 1);
    // An administrator does not read it; nor does anyone else but the officer.
    assert_eq!(taker.get("/admin-log").await.status, StatusCode::FORBIDDEN);
    for who in ["admin", "police"] {
        let mut b = ta.signed_in(who).await;
        assert_eq!(
            b.get("/admin-log").await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
}

/// The one-time token a form carries.
fn form_token(html: &str) -> String {
    let at = html
        .find(r#"name="form_token" value=""#)
        .expect("the form carries a one-time token");
    let rest = &html[at + r#"name="form_token" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_that_creates_sent_twice_creates_once() {
    // Issue 18, item 6: HTML forms that create things (open a record, refer a child,
    // record a contact) carry a one-time form token, so that re-submitting creates
    // nothing twice: the second send is taken to what the first made.
    let ta = TestApp::start().await;
    let mut b = ta.signed_in("frontdoor").await;
    let before = ta.children_count().await;
    let page = b.get("/children/new").await;
    let token = form_token(&page.body);
    let fields = [
        ("kind", "child"),
        ("given_name", "Onceonly"),
        ("family_name", "Twiceclicked"),
        ("date_of_birth", "2020-01-02"),
        ("sex", "female"),
        ("form_token", token.as_str()),
    ];
    let first = b.post_csrf("/children", &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let again = b.post_csrf("/children", &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(
        again.location(),
        first.location(),
        "to the record the first made"
    );
    assert_eq!(ta.children_count().await, before + 1, "one record, not two");

    // The same for a referral.
    let school_id = ta.user_id("school").await;
    let count = move |app: &together_app::App| {
        app.store
            .referrals(&together_store::ReferralQuery {
                submitted_by_user: Some(school_id),
                limit: 1000,
                ..Default::default()
            })
            .unwrap()
            .len()
    };
    let mut school = ta.signed_in("school").await;
    let referrals_before = ta.blocking(count).await;
    let page = school.get("/referrals/new").await;
    assert_eq!(page.status, StatusCode::OK);
    let token = form_token(&page.body);
    let referral = [
        ("referrer.kind", "professional"),
        ("referrer.name", "Sam Okafor"),
        ("referrer.job_title", "Designated safeguarding lead"),
        ("referrer.agency_name", "Demo Primary School"),
        ("referrer.agency_kind", "education"),
        ("referrer.email", "dsl@example.org"),
        ("children[0].given_name", "Onceonly"),
        ("children[0].family_name", "Referred"),
        ("children[0].date_of_birth", "2019-05-01"),
        ("children[0].sex", "female"),
        ("concern.what_happened", "Bruising on both arms"),
        ("concern.seen_or_heard", "Finger-mark bruises seen in PE"),
        ("consent.family_knows", "yes"),
        ("consent.family_consents", "yes"),
        ("immediate_risk", "no"),
        ("form_token", token.as_str()),
    ];
    let first = school.post_csrf("/referrals/new", &referral).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let again = school.post_csrf("/referrals/new", &referral).await;
    assert_eq!(again.location(), first.location());
    assert_eq!(
        ta.blocking(count).await,
        referrals_before + 1,
        "one referral, not two"
    );

    // A token this user was never given: the form comes back, entries kept, to send again.
    let mut forged = fields;
    forged[5] = ("form_token", "not-a-token-together-gave");
    let r = b.post_csrf("/children", &forged).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("was sent already"), "{}", r.body);
    assert!(r.body.contains(r#"value="Twiceclicked""#));
    assert_ne!(form_token(&r.body), token, "a fresh token to send it with");
    assert_eq!(ta.children_count().await, before + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_of_role_is_logged_with_what_it_was_and_ends_the_sessions() {
    // Issue 18, item 2: a role or agency change is an administrative action in the
    // administration log; what the user may see changes, so their sessions end.
    let ta = TestApp::start().await;
    let sw = ta.user_id("socialworker").await;
    let admin_id = ta.user_id("admin").await;
    let mut worker = ta.signed_in("socialworker").await;
    let mut admin = ta.signed_in("admin").await;
    let csc = ta.agency_of_kind("childrens-social-care").await.to_string();
    let form = admin.get(&format!("/admin/users/{sw}/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains(r#"value="social-worker" checked"#),
        "the form shows their role: {}",
        form.body
    );
    let r = admin
        .post_csrf(
            &format!("/admin/users/{sw}/edit"),
            &[
                ("display_name", "Sam Promoted"),
                ("role", "practice-supervisor"),
                ("agency", csc.as_str()),
                ("team", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("details are changed"), "{}", r.body);
    assert!(
        worker.get("/").await.location().starts_with("/login"),
        "their session ended"
    );
    let changed = ta
        .blocking(move |app| app.store.user(sw).unwrap().unwrap())
        .await;
    assert_eq!(changed.role, "practice-supervisor");
    let entry = ta
        .blocking(move |app| {
            app.store
                .admin_log(&together_store::AdminQuery {
                    target: Some(sw.to_string()),
                    ..Default::default()
                })
                .unwrap()
                .remove(0)
        })
        .await;
    assert_eq!(entry.entry.action, "user-changed");
    assert_eq!(entry.entry.actor, Some(admin_id));
    assert!(
        entry
            .entry
            .details
            .contains("Social worker → Practice supervisor"),
        "{}",
        entry.entry.details
    );

    // An administrator cannot change their own role.
    let r = admin
        .post_csrf(
            &format!("/admin/users/{admin_id}/edit"),
            &[
                ("display_name", "Admin"),
                ("role", "social-worker"),
                ("agency", csc.as_str()),
                ("team", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("You cannot change your own role"));
    // And only an administrator changes anyone.
    let mut sup = ta.signed_in("supervisor").await;
    assert_eq!(
        sup.get(&format!("/admin/users/{sw}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
}

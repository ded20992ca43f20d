//! The JSON API for partner agencies' systems through HTTP (design principle 8):
//! bearer tokens, RFC 9457 problem details naming the field, strict input, and an
//! OpenAPI document whose every path answers.

mod common;

use axum::http::{Method, StatusCode};
use common::{Resp, TestApp};
use serde_json::{json, Value};

fn assert_problem(r: &Resp, status: StatusCode, what: &str) -> Value {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    assert_eq!(
        r.header("content-type"),
        "application/problem+json",
        "{what}"
    );
    let p = r.json();
    assert_eq!(p["status"], status.as_u16(), "{what}: {p}");
    assert!(
        p["title"].is_string() && p["type"].is_string(),
        "{what}: RFC 9457 members: {p}"
    );
    p
}

fn first_error_field(p: &Value) -> &str {
    p["errors"][0]["field"]
        .as_str()
        .unwrap_or_else(|| panic!("errors[0].field: {p}"))
}

fn child_body() -> Value {
    json!({ "kind": "child", "given_name": "Api", "family_name": "Opened", "date_of_birth": "2021-06-01", "sex": "male" })
}

/// A token for the local authority's own integration (a children's social care client).
async fn csc_token(ta: &TestApp) -> String {
    let csc = ta.agency_of_kind("childrens-social-care").await;
    ta.blocking(move |app| {
        app.create_api_client(None, csc, "LA integration")
            .expect("api client")
            .1
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_without_a_valid_bearer_token_are_refused() {
    // RFC 6750 §3: a 401 names the Bearer scheme; RFC 9457 problem details.
    let ta = TestApp::start().await;
    let r = ta.api(Method::GET, "/api/v1/timescales", None, None).await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "no token");
    assert_eq!(r.header("www-authenticate"), "Bearer");

    let r = ta
        .api(
            Method::GET,
            "/api/v1/timescales",
            Some("tgr_0000000000000000000000000000000000000000000000000000000000000000"),
            None,
        )
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "bad token");
    assert_eq!(r.header("www-authenticate"), "Bearer");

    // A browser session is not an API credential, nor is a token under another scheme.
    let mut b = ta.signed_in("frontdoor").await;
    let r = b.get("/api/v1/timescales").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let req = axum::http::Request::get("/api/v1/timescales")
        .header("authorization", format!("Basic {}", ta.seed.api_token))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(ta.send(req).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partner_system_reads_timescales_and_the_calendar() {
    // WT2026 ch.3 s4: the initial child protection conference within 15 working days;
    // working days in England and Wales (Banking and Financial Dealings Act 1971).
    let ta = TestApp::start().await;
    let police = ta.seed.api_token.clone();

    let r = ta
        .api(Method::GET, "/api/v1/timescales", Some(&police), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rules = r.json()["rules"].as_array().cloned().expect("rules");
    assert!(rules.iter().any(|x| x["id"] == "icpc"), "{rules:?}");

    let r = ta
        .api(
            Method::GET,
            "/api/v1/calendar/bank-holidays?year=2026",
            Some(&police),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let days: Vec<String> = r.json()["bank_holidays"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["date"].as_str().unwrap().to_string())
        .collect();
    assert!(
        days.contains(&"2026-12-25".to_string()),
        "Christmas Day: {days:?}"
    );
    // 26 December 2026 is a Saturday: the Boxing Day holiday moves to Monday 28th.
    assert!(
        days.contains(&"2026-12-28".to_string()),
        "Boxing Day (substitute): {days:?}"
    );
    assert!(!days.contains(&"2026-12-26".to_string()), "{days:?}");

    let r = ta
        .api(
            Method::GET,
            "/api/v1/calendar/bank-holidays?year=abc",
            Some(&police),
            None,
        )
        .await;
    let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "year=abc");
    assert_eq!(first_error_field(&p), "year");

    // Day 0 is Monday 21 December 2026. Working days after it: 22, 23, 24 Dec (3);
    // 25 Dec (Christmas) and 28 Dec (Boxing Day substitute) are holidays, 26–27 a weekend;
    // 29, 30, 31 Dec (6); 1 Jan 2027 a holiday; 4–8 Jan (11); 11, 12, 13, 14 Jan (15).
    let r = ta
        .api(
            Method::GET,
            "/api/v1/timescales/icpc/due?from=2026-12-21",
            Some(&police),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let due = r.json();
    assert_eq!(due["rule"], "icpc");
    assert_eq!(due["due"], "2027-01-14");

    let r = ta
        .api(
            Method::GET,
            "/api/v1/timescales/icpc/due?from=2026-02-30",
            Some(&police),
            None,
        )
        .await;
    let p = assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "impossible start date",
    );
    assert_eq!(first_error_field(&p), "from");
    let r = ta
        .api(
            Method::GET,
            "/api/v1/timescales/no-such-rule/due?from=2026-12-21",
            Some(&police),
            None,
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "unknown rule");
}

#[tokio::test(flavor = "multi_thread")]
async fn partner_systems_do_not_open_childrens_records() {
    // WT2026 ¶163: the local authority holds the child's record; partners refer.
    let ta = TestApp::start().await;
    let before = ta.children_count().await;
    let r = ta
        .api_json(
            Method::POST,
            "/api/v1/children",
            &ta.seed.api_token,
            &child_body(),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "police system opening a record");
    assert_eq!(ta.children_count().await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_local_authority_opens_records_and_bad_input_is_refused_by_field() {
    // Design brief: strict input at the boundary, RFC 9457 naming the field, and
    // nothing half-written whatever the failure.
    let ta = TestApp::start().await;
    let token = csc_token(&ta).await;
    let before = ta.children_count().await;
    let heads_before = ta.log_heads().await.len();

    let r = ta
        .api_json(Method::POST, "/api/v1/children", &token, &child_body())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = r.json();
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(r.location(), format!("/api/v1/children/{id}"));
    assert_eq!(created["given_name"], "Api");

    let mut bad = child_body();
    bad["favourite_colour"] = json!("blue");
    let r = ta
        .api_json(Method::POST, "/api/v1/children", &token, &bad)
        .await;
    let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
    assert_eq!(first_error_field(&p), "favourite_colour", "{p}");

    let mut bad = child_body();
    bad["given_name"] = json!(5);
    let p = assert_problem(
        &ta.api_json(Method::POST, "/api/v1/children", &token, &bad)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong type",
    );
    assert_eq!(first_error_field(&p), "given_name");

    let mut bad = child_body();
    bad["date_of_birth"] = json!("2026-02-30");
    let p = assert_problem(
        &ta.api_json(Method::POST, "/api/v1/children", &token, &bad)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "impossible date",
    );
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "date_of_birth"),
        "{p}"
    );

    // The clock stands at 23 November 2026.
    let mut bad = child_body();
    bad["date_of_birth"] = json!("2026-11-24");
    let p = assert_problem(
        &ta.api_json(Method::POST, "/api/v1/children", &token, &bad)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "future date of birth",
    );
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "date_of_birth"),
        "{p}"
    );

    let r = ta
        .api(
            Method::POST,
            "/api/v1/children",
            Some(&token),
            Some((
                "application/json",
                br#"{"kind": "child", "given_name": "#.to_vec(),
            )),
        )
        .await;
    assert!(
        matches!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST
        ),
        "malformed JSON: {}",
        r.status
    );
    assert_eq!(r.header("content-type"), "application/problem+json");

    let r = ta
        .api(
            Method::POST,
            "/api/v1/children",
            Some(&token),
            Some(("text/plain", child_body().to_string().into_bytes())),
        )
        .await;
    assert_problem(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "wrong content type");

    let mut big = child_body();
    big["postcode"] = json!("x".repeat(70 * 1024));
    let r = ta
        .api_json(Method::POST, "/api/v1/children", &token, &big)
        .await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "a body over 64 KiB");

    assert_eq!(
        ta.children_count().await,
        before + 1,
        "only the valid call wrote a record"
    );
    assert_eq!(ta.log_heads().await.len(), heads_before + 1);

    // The record, with its chronology.
    let r = ta
        .api(
            Method::GET,
            &format!("/api/v1/children/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let child = r.json();
    assert_eq!(child["id"], id.as_str());
    assert_eq!(child["date_of_birth"], "2021-06-01");
    let chron = child["chronology"].as_array().expect("chronology");
    assert!(
        chron.iter().any(|e| e["type"] == "child-record-opened"),
        "{child}"
    );

    let r = ta
        .api(
            Method::GET,
            "/api/v1/children/not-a-uuid",
            Some(&token),
            None,
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not an id");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_documented_path_answers() {
    // Design principle 8 and OpenAPI 3.1: the document is the contract; each path in it
    // is served (anything but 404 when called properly).
    let ta = TestApp::start().await;
    let token = csc_token(&ta).await;
    let child = ta.child(0).to_string();
    // A demo case whose plan has an action 1 (the school's, so this client is refused: 403).
    let case = ta
        .blocking(|app| {
            app.store
                .case_actions(&together_store::CaseActionQuery {
                    limit: 1000,
                    ..Default::default()
                })
                .expect("actions")
                .into_iter()
                .find(|a| a.number == 1)
                .expect("a demo action 1")
                .case
                .to_string()
        })
        .await;

    // A demo case with a strategy discussion the police officer attended, for reading it.
    let (cp_case, police_user) = ta
        .blocking(|app| {
            let case = app
                .store
                .work(&together_store::TrayQuery {
                    owners: vec![together_store::Owner::supervisors()],
                    kind: Some("case".into()),
                    limit: 1000,
                    ..Default::default()
                })
                .expect("work")
                .into_iter()
                .find(|w| w.key.starts_with("conference-"))
                .expect("a demo case waiting for a conference")
                .process_id
                .to_string();
            let police = app
                .store
                .user_by_username("police")
                .expect("user")
                .expect("police")
                .id
                .to_string();
            (case, police)
        })
        .await;
    let r = ta
        .api(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1.")),
        "{}",
        doc["openapi"]
    );
    let base = doc["servers"][0]["url"]
        .as_str()
        .unwrap_or("/api/v1")
        .to_string();
    let resolve = |p: &Value| -> Value {
        match p["$ref"].as_str() {
            Some(r) => {
                let ptr = r.trim_start_matches('#');
                doc.pointer(ptr)
                    .cloned()
                    .unwrap_or_else(|| panic!("dangling $ref {r}"))
            }
            None => p.clone(),
        }
    };
    let paths = doc["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    // A referral the token's agency may read: the demo police referral (the token here
    // is police's, see above) or, failing that, any; 403 is an answer too.
    let referral = ta
        .blocking(|app| {
            app.store
                .referrals(&Default::default())
                .unwrap()
                .first()
                .map(|r| r.id.to_string())
                .unwrap_or_default()
        })
        .await;
    let mut called = 0;
    let mut validated = 0;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let mut url = format!("{base}{path}");
            let mut query = Vec::new();
            for p in op["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(resolve)
            {
                let name = p["name"].as_str().unwrap();
                if p["in"] == "header" {
                    continue; // optional headers (Idempotency-Key)
                }
                let value = if p["schema"]["format"] == "uuid" && path.starts_with("/referrals") {
                    referral.clone()
                } else if p["schema"]["format"] == "uuid"
                    && path.contains("strategy-discussions")
                    && name == "for"
                {
                    police_user.clone()
                } else if p["schema"]["format"] == "uuid" && path.contains("strategy-discussions") {
                    cp_case.clone()
                } else if p["schema"]["format"] == "uuid" && path.starts_with("/cases") {
                    case.clone()
                } else if path.starts_with("/cases") && name == "n" {
                    "1".to_string()
                } else if p["schema"]["type"] == "boolean" {
                    "true".to_string()
                } else if p["schema"]["format"] == "uuid" {
                    child.clone()
                } else if let Some(e) = p["example"].as_str() {
                    e.to_string()
                } else if p["schema"]["type"] == "integer" {
                    "2026".to_string()
                } else {
                    panic!("no value for parameter {name} of {path}")
                };
                match p["in"].as_str() {
                    Some("path") => url = url.replace(&format!("{{{name}}}"), &value),
                    Some("query") => query.push(format!("{name}={value}")),
                    other => panic!("parameter in {other:?}"),
                }
            }
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            assert!(!url.contains('{'), "unfilled path parameter: {url}");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = op
                .get("requestBody")
                .map(|_| ("application/json", b"{}".to_vec()));
            let r = ta.api(m, &url, Some(&token), body).await;
            assert_ne!(
                r.status,
                StatusCode::NOT_FOUND,
                "{method} {url}: {}",
                r.body
            );
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {url}");
            assert!(r.status.as_u16() < 500, "{method} {url}: {}", r.body);
            // The answer is what the document says it is: its body is valid against the
            // schema generated from the handler's Rust type (issue 15).
            let status = r.status.as_u16().to_string();
            let answer = resolve(&op["responses"][status.as_str()]);
            let content = answer["content"].as_object().unwrap_or_else(|| {
                panic!("{method} {url}: the document gives no body for {status}")
            });
            let (_, media) = content.iter().next().expect("a media type");
            let body = r.json();
            assert_valid(
                &doc,
                &media["schema"],
                &body,
                &format!("{method} {url} {status}"),
            );
            if r.status.is_success() {
                validated += 1;
            }
            called += 1;
        }
    }
    assert!(called >= 6, "{called} operations");
    assert!(validated >= 8, "only {validated} answers were 2xx");
    // No schema in the document is a bare `type: object`: every body has its fields.
    for (name, schema) in doc["components"]["schemas"].as_object().expect("schemas") {
        let mut bare = Vec::new();
        bare_objects(schema, name, &mut bare);
        assert!(bare.is_empty(), "schemas with no fields: {bare:?}");
    }
    // ...and an undocumented path is a problem+json 404.
    let r = ta
        .api(Method::GET, "/api/v1/no-such-thing", Some(&token), None)
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "unknown API path");
}

/// Check `body` against `schema` (a `$ref` into the document, or an inline schema),
/// with the document's components beside it so its references resolve.
fn assert_valid(doc: &Value, schema: &Value, body: &Value, what: &str) {
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = jsonschema::draft202012::new(&root)
        .unwrap_or_else(|e| panic!("{what}: the document's schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{body:#}");
}

/// The paths of object schemas inside `schema` that name no field at all.
fn bare_objects(schema: &Value, at: &str, out: &mut Vec<String>) {
    match schema {
        Value::Object(m) => {
            let is_object = m.get("type").is_some_and(|t| {
                t == "object" || t.as_array().is_some_and(|a| a.contains(&json!("object")))
            });
            if is_object && !m.contains_key("properties") && !m.contains_key("additionalProperties")
            {
                out.push(at.to_string());
            }
            for (k, v) in m {
                bare_objects(v, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                bare_objects(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn referral_body(nhs: &str) -> Value {
    json!({
        "referrer": { "kind": "professional", "name": "Sam Okafor", "job_title": "DSL",
                      "agency_name": "Park Road Primary", "agency_kind": "education",
                      "email": "dsl@example.org" },
        "children": [{ "given_name": "Api", "family_name": "Referred", "date_of_birth": "2019-05-01",
                       "sex": "female", "nhs_number": nhs }],
        "concern": { "what_happened": "Bruising", "seen_or_heard": "Finger-mark bruises" },
        "consent": { "family_knows": "yes", "family_consents": "yes" },
        "immediate_risk": "no"
    })
}

async fn post_referral(ta: &TestApp, token: &str, key: Option<&str>, body: &Value) -> Resp {
    let mut b = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/referrals")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    ta.send(b.body(axum::body::Body::from(body.to_string())).unwrap())
        .await
}

/// Issue 3: an agency system refers through the API and gets the referral id and its
/// acknowledgement back; the same idempotency key returns the same referral; an invalid
/// NHS number is named; another agency cannot read it; the referrer reads the outcome
/// with the reasons and suggestions when the threshold is not met (WT2026 ¶165).
#[tokio::test(flavor = "multi_thread")]
async fn a_partner_system_refers_idempotently_and_reads_the_feedback() {
    let ta = TestApp::start().await;
    let school = ta.agency_of_kind("education").await;
    let police = ta.agency_of_kind("police").await;
    let (token, other) = ta
        .blocking(move |app| {
            (
                app.create_api_client(None, school, "School MIS").unwrap().1,
                app.create_api_client(None, police, "Police system")
                    .unwrap()
                    .1,
            )
        })
        .await;
    let bad = post_referral(&ta, &token, Some("k-1"), &referral_body("943 476 5918")).await;
    let p = assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, "bad NHS number");
    assert_eq!(first_error_field(&p), "children[0].nhs_number");

    let first = post_referral(&ta, &token, Some("k-1"), &referral_body("943 476 5919")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let r = first.json();
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(r["acknowledgement"]["rule_id"], "referral-acknowledgement");
    assert!(r["acknowledgement"]["acknowledged_at"].is_string(), "{r}");
    assert_eq!(r["decision"]["rule_id"], "referral-decision");
    let again = post_referral(&ta, &token, Some("k-1"), &referral_body("943 476 5919")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["id"], id.as_str(), "same referral back");
    // Issue 18: the same key with a different child is refused, not answered with the
    // first referral while the second is dropped.
    let mut other_child = referral_body("943 476 5919");
    other_child["children"][0]["given_name"] = json!("Bravo");
    let reused = post_referral(&ta, &token, Some("k-1"), &other_child).await;
    let p = assert_problem(&reused, StatusCode::UNPROCESSABLE_ENTITY, "reused key");
    assert_eq!(first_error_field(&p), "Idempotency-Key");
    let mine = ta
        .api(Method::GET, "/api/v1/referrals", Some(&token), None)
        .await
        .json();
    assert_eq!(
        mine["referrals"].as_array().unwrap().len(),
        1,
        "no second referral"
    );

    let path = format!("/api/v1/referrals/{id}");
    let theirs = ta.api(Method::GET, &path, Some(&other), None).await;
    assert_problem(&theirs, StatusCode::FORBIDDEN, "another agency");

    let rid = together_domain::referral::ReferralId(id.parse().unwrap());
    ta.blocking(move |app| {
        let u = app.store.user_by_username("supervisor").unwrap().unwrap();
        let sup = app.caller_for(&u, "t").unwrap();
        app.act_on_referral(
            &sup,
            rid,
            together_domain::referral::ReferralCommand::Decide(Box::new(
                together_domain::referral::DecideInput {
                    outcomes: vec![together_domain::referral::Outcome::NoFurtherAction],
                    reasons: "The school's pastoral plan meets the need.".into(),
                    signposting: vec![together_domain::referral::Signpost::EarlyHelp],
                    ..Default::default()
                },
            )),
            together_app::front_door::ThresholdSupport::default(),
        )
        .unwrap();
    })
    .await;
    let fb = ta.api(Method::GET, &path, Some(&token), None).await;
    assert_eq!(fb.status, StatusCode::OK, "{}", fb.body);
    let fb = fb.json();
    assert_eq!(fb["decision"]["outcomes"], json!(["no-further-action"]));
    assert_eq!(
        fb["decision"]["threshold_not_met_reasons"],
        "The school's pastoral plan meets the need."
    );
    assert_eq!(fb["decision"]["suggestions"], json!(["early-help"]));
}

/// Issue 4: "API endpoints for partner systems to read the plans and actions assigned to
/// their practitioners and to record that an action is done".
#[tokio::test(flavor = "multi_thread")]
async fn a_partner_system_reads_its_practitioners_actions_and_records_one_done() {
    let ta = TestApp::start().await;
    let school = ta.agency_of_kind("education").await;
    let token = ta
        .blocking(move |app| {
            app.create_api_client(None, school, "School MIS")
                .expect("api client")
                .1
        })
        .await;
    let r = ta
        .api(Method::GET, "/api/v1/actions?open=true", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let actions = r.json()["actions"].as_array().cloned().unwrap_or_default();
    assert!(!actions.is_empty(), "the demo school owns plan actions");
    let a = &actions[0];
    let path = format!(
        "/api/v1/cases/{}/actions/{}/done",
        a["case"].as_str().unwrap(),
        a["number"]
    );

    // Another agency's system may not record the school's action.
    let police = ta.seed.api_token.clone();
    let r = ta
        .api(
            Method::POST,
            &path,
            Some(&police),
            Some(("application/json", br#"{"note":"x"}"#.to_vec())),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "another agency's action");
    // A date that is not a date is refused by field.
    let r = ta
        .api(
            Method::POST,
            &path,
            Some(&token),
            Some(("application/json", br#"{"on":"31/12/2026"}"#.to_vec())),
        )
        .await;
    let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "bad date");
    assert_eq!(first_error_field(&p), "on");

    let r = ta
        .api(
            Method::POST,
            &path,
            Some(&token),
            Some(("application/json", br#"{"note":"Done at school"}"#.to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    assert_eq!(r.json()["done_on"], "2026-11-23");
    let r = ta
        .api(Method::GET, "/api/v1/actions?open=true", Some(&token), None)
        .await;
    assert_eq!(
        r.json()["actions"].as_array().unwrap().len(),
        actions.len() - 1
    );
    // Recording it again is a conflict, not a second entry.
    let r = ta
        .api(
            Method::POST,
            &path,
            Some(&token),
            Some(("application/json", b"{}".to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

/// Issue 5: "a police officer invited to a strategy discussion sees that discussion's
/// record, not the child's whole file" — through the police system too.
#[tokio::test(flavor = "multi_thread")]
async fn a_police_system_reads_the_strategy_discussion_its_officer_attended() {
    let ta = TestApp::start().await;
    let (case, child, officer, school_user) = ta
        .blocking(|app| {
            let officer = app.store.user_by_username("police").unwrap().unwrap().id;
            let w = app
                .store
                .work(&together_store::TrayQuery {
                    owners: vec![together_store::Owner::supervisors()],
                    kind: Some("case".into()),
                    limit: 1000,
                    ..Default::default()
                })
                .expect("work")
                .into_iter()
                // Of the demo's cases waiting for a conference, the one whose first
                // strategy discussion the police officer took part in (cases tie on
                // their due date, and their ids are random).
                .filter(|w| w.key.starts_with("conference-"))
                .find(|w| {
                    let log = app.store.log(together_domain::ids::PersonId(w.process_id));
                    log.unwrap().iter().any(|e| {
                        e.event_type == "strategy-discussion-held"
                            && e.payload
                                .as_deref()
                                .is_some_and(|p| p.contains(&officer.to_string()))
                    })
                })
                .expect("a demo case waiting for its conference, the officer at its discussion");
            let school = app.store.user_by_username("school").unwrap().unwrap().id;
            (
                w.process_id,
                w.child.expect("case work is about a child"),
                officer,
                school,
            )
        })
        .await;
    let token = ta.seed.api_token.clone();
    let path = format!("/api/v1/cases/{case}/strategy-discussions/1?for={officer}");
    let r = ta.api(Method::GET, &path, Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let d = &r.json()["discussion"];
    assert_eq!(d["record"]["initiate_s47"], true);
    assert!(d["record"]["withhold_from_family"]
        .as_str()
        .unwrap()
        .contains("police interview"));
    // Not for another agency's practitioner, and not the child's file.
    let r = ta
        .api(
            Method::GET,
            &format!("/api/v1/cases/{case}/strategy-discussions/1?for={school_user}"),
            Some(&token),
            None,
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "another agency's practitioner");
    let r = ta
        .api(
            Method::GET,
            &format!("/api/v1/children/{child}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Issue 15: an agency's system reads the open work its practitioners owe, of every
/// process, from the one work table; nothing of another agency's, and no queue's.
#[tokio::test(flavor = "multi_thread")]
async fn a_partner_system_reads_the_work_its_practitioners_owe() {
    let ta = TestApp::start().await;
    // The demo school's practitioner holds plan actions; its system reads them.
    let (school_token, school_staff) = ta
        .blocking(|app| {
            let school = app
                .store
                .user_by_username("school")
                .unwrap()
                .unwrap()
                .agency;
            let (_, token) = app
                .create_api_client(None, school, "Castle Primary's system")
                .unwrap();
            let staff: Vec<String> = app
                .store
                .users()
                .unwrap()
                .into_iter()
                .filter(|u| u.agency == school)
                .map(|u| u.id.to_string())
                .collect();
            (token, staff)
        })
        .await;
    let r = ta
        .api(
            Method::GET,
            "/api/v1/work?limit=500",
            Some(&school_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let work = r.json()["work"].as_array().cloned().expect("a list");
    assert!(
        work.iter().any(|w| w["process"] == "case"
            && w["key"].as_str().is_some_and(|k| k.starts_with("action-"))
            && w["link"].as_str().is_some_and(|l| l.starts_with("/cases/"))),
        "{work:?}"
    );
    for w in &work {
        let owner = w["owner"]
            .as_str()
            .expect("owned by a practitioner, not a queue");
        assert!(school_staff.iter().any(|p| p == owner), "{w}");
        assert!(!w["citation"].as_str().unwrap_or_default().is_empty());
    }
    // Overdue first, as a tray.
    let overdue: Vec<bool> = work.iter().map(|w| w["overdue"] == true).collect();
    assert!(overdue.windows(2).all(|p| p[0] || !p[1]), "{overdue:?}");
    let limited = ta
        .api(
            Method::GET,
            "/api/v1/work?limit=1",
            Some(&school_token),
            None,
        )
        .await;
    assert_eq!(limited.json()["work"].as_array().map(Vec::len), Some(1));
    // The police force's system sees none of the school's.
    let police = ta
        .api(Method::GET, "/api/v1/work", Some(&ta.seed.api_token), None)
        .await;
    assert_eq!(police.status, StatusCode::OK);
    assert!(police.json()["work"]
        .as_array()
        .expect("a list")
        .iter()
        .all(|w| !school_staff.iter().any(|p| w["owner"] == p.as_str())));
}

/// Issue 18, item 14: the OpenAPI document says what the server needs, so a client
/// generated from it gets no surprise 422: for each request body, every field the
/// server names as missing from an empty body is one the document marks required (at
/// its place in the nested schemas), and a body made to the schema's required fields
/// with their formats is accepted.
#[tokio::test(flavor = "multi_thread")]
async fn what_the_server_requires_the_document_marks_required() {
    let ta = TestApp::start().await;
    let doc = ta
        .api(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .json();
    let schemas = doc["components"]["schemas"].clone();
    // A reference, directly or as the one choice of a `oneOf`.
    let resolve = |v: &Value| -> Value {
        let r = v["$ref"].as_str().or(v["oneOf"][0]["$ref"].as_str());
        match r {
            Some(r) => schemas[r.rsplit('/').next().unwrap()].clone(),
            None => v.clone(),
        }
    };
    // The schema at a dotted field ("referrer.kind", "children[0].given_name"), and
    // whether each step on the way is required.
    let required_at = |root: &str, field: &str| -> bool {
        let mut schema = schemas[root].clone();
        for part in field.split('.') {
            let name = part.split('[').next().unwrap();
            let listed = schema["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x == name));
            if !listed {
                return false;
            }
            let mut next = resolve(&schema["properties"][name]);
            if part.contains('[') {
                next = resolve(&next["items"]);
            }
            schema = next;
        }
        true
    };
    let csc = csc_token(&ta).await;
    let police = ta.seed.api_token.clone();
    let child = ta.child(0);
    for (path, token, schema) in [
        ("/api/v1/children".to_string(), &csc, "PersonInput"),
        (
            format!("/api/v1/children/{child}/case-notes"),
            &csc,
            "CaseNoteInput",
        ),
        ("/api/v1/referrals".to_string(), &police, "ReferralInput"),
    ] {
        let r = ta
            .api(
                Method::POST,
                &path,
                Some(token),
                Some(("application/json", b"{}".to_vec())),
            )
            .await;
        let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, &path);
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(!fields.is_empty(), "{path}: {p}");
        for f in fields {
            assert!(
                required_at(schema, f),
                "{path}: the server needs {f}, which {schema} does not mark required"
            );
        }
    }
}

//! The JSON API under `/api/v1`, for partner agencies' systems (design principle 8).
//! Bearer tokens are bound to an agency; every call goes through the same access
//! decision as the pages; every refusal is RFC 9457 problem+json naming the field.

use crate::ctx::blocking;
use crate::middleware::RequestId;
use crate::problem::Problem;
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::collections::HashMap;
use together_app::record::{CaseNoteInput, ChildView};
use together_app::{AppError, Caller};
use together_domain::access::Action;
use together_domain::event::EventBody;
use together_domain::ids::PersonId;
use together_domain::person::PersonInput;
use together_domain::validate::FieldError;

mod openapi;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/children", post(open_child))
        .route("/children/{id}", get(child))
        .route("/children/{id}/case-notes", post(add_case_note))
        .route("/referrals", post(submit_referral).get(my_referrals))
        .route("/referrals/{id}", get(referral))
        .route("/actions", get(my_actions))
        .route("/invitations", get(my_invitations))
        .route("/work", get(my_work))
        .route(
            "/cases/{id}/conferences/{n}/reports",
            post(conference_report),
        )
        .route("/cases/{id}/strategy-discussions/{n}", get(strategy_record))
        .route("/cases/{id}/actions/{n}/done", post(action_done))
        .route("/timescales", get(timescales))
        .route("/timescales/{id}/due", get(due))
        .route("/calendar/bank-holidays", get(bank_holidays))
        .fallback(|parts: Parts| async move {
            Problem::new(StatusCode::NOT_FOUND, "Not found", None, &rid(&parts)).into_response()
        })
}

fn rid(parts: &Parts) -> String {
    parts
        .extensions
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

/// A partner system, from its bearer token.
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let request_id = rid(parts);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty() && t.len() <= 200);
        let Some(token) = token else {
            return Err(Problem::from_app(AppError::Unauthenticated, &request_id).into_response());
        };
        let r = request_id.clone();
        blocking(state, move |app| app.api_caller(&token, &r))
            .await
            .map(ApiCaller)
            .map_err(|e| Problem::from_app(e, &request_id).into_response())
    }
}

/// A JSON body read strictly: unknown fields, wrong types and malformed JSON are
/// refused with the path of the field at fault.
pub struct StrictJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for StrictJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim() == "application/json")
            });
        if !json_type {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                Some("Send Content-Type: application/json".into()),
                &request_id,
            )
            .into_response());
        }
        let bytes = match bytes::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) => {
                let status = e.status();
                let detail = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    format!("The body is larger than {} bytes", crate::MAX_BODY_BYTES)
                } else {
                    "The body could not be read".into()
                };
                return Err(Problem::new(
                    status,
                    "The body cannot be accepted",
                    Some(detail),
                    &request_id,
                )
                .into_response());
            }
        };
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(StrictJson(v)),
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                let field = if path == "." || path.is_empty() {
                    unknown_field(&inner.to_string()).unwrap_or_else(|| "body".into())
                } else {
                    path
                };
                let message = if inner.is_syntax() || inner.is_eof() {
                    "The body is not valid JSON".to_string()
                } else {
                    inner
                        .to_string()
                        .split(" at line")
                        .next()
                        .unwrap_or_default()
                        .to_string()
                };
                Err(
                    Problem::invalid(vec![FieldError { field, message }], &request_id)
                        .into_response(),
                )
            }
        }
    }
}

/// serde names an unknown field inside its message: "unknown field `x`, expected ...".
fn unknown_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    Some(rest.split('`').next()?.to_string())
}

fn fail(e: AppError, caller: &Caller) -> Response {
    Problem::from_app(e, &caller.request_id).into_response()
}

fn child_json(v: &ChildView) -> Value {
    let entries: Vec<Value> = v
        .chronology
        .iter()
        .map(|e| {
            json!({
                "id": e.event.id,
                "type": e.event.event_type,
                "effective_at": e.event.effective_at,
                "recorded_at": e.event.recorded_at,
                "actor_role": e.event.actor_role,
                "title": e.current.as_ref().map(EventBody::title),
                "corrected_by": e.corrected_by,
                "hash": e.event.hash,
            })
        })
        .collect();
    json!({
        "id": v.person.id,
        "kind": v.person.kind,
        "given_name": v.person.given_name,
        "family_name": v.person.family_name,
        "date_of_birth": v.person.date_of_birth,
        "expected_date_of_delivery": v.person.expected_date_of_delivery,
        "sex": v.person.sex,
        "nhs_number": v.person.nhs_number,
        "restricted": v.person.restricted,
        "scope": v.permit.scope,
        "withheld_entries": v.withheld,
        "chronology": entries,
    })
}

async fn open_child(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    StrictJson(input): StrictJson<PersonInput>,
) -> Response {
    let c = caller.clone();
    match blocking(&state, move |app| {
        let id = app.open_child_record(&c, &input)?;
        // The record is written: if reading it back fails, still answer 201 with its id,
        // so the caller does not send it again and make a second record.
        Ok((
            id,
            app.view_child(&c, id)
                .map_err(|e| tracing::error!(error = %e, "reading back a new record failed"))
                .ok(),
        ))
    })
    .await
    {
        Ok((id, view)) => {
            let body = view
                .as_ref()
                .map(child_json)
                .unwrap_or_else(|| json!({ "id": id }));
            let mut r = (StatusCode::CREATED, Json(body)).into_response();
            if let Ok(v) = header::HeaderValue::from_str(&format!("/api/v1/children/{id}")) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Err(e) => fail(e, &caller),
    }
}

fn parse_id(id: &str, caller: &Caller) -> Result<PersonId, Response> {
    id.parse::<PersonId>()
        .map_err(|_| fail(AppError::NotFound, caller))
}

async fn child(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let child = match parse_id(&id, &caller) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let c = caller.clone();
    match blocking(&state, move |app| app.view_child(&c, child)).await {
        Ok(view) => Json(child_json(&view)).into_response(),
        Err(e) => fail(e, &caller),
    }
}

async fn add_case_note(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    StrictJson(input): StrictJson<CaseNoteInput>,
) -> Response {
    let child = match parse_id(&id, &caller) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let c = caller.clone();
    match blocking(&state, move |app| app.add_case_note(&c, child, &input)).await {
        Ok(event) => (
            StatusCode::CREATED,
            Json(json!({ "id": event, "child": child })),
        )
            .into_response(),
        Err(e) => fail(e, &caller),
    }
}

async fn timescales(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Response {
    let c = caller.clone();
    if let Err(e) = blocking(&state, move |app| app.authorize(&c, Action::ViewHome)).await {
        return fail(e, &caller);
    }
    let p = &state.app.profile;
    Json(json!({ "profile": p.version_tag(), "rules": p.rules })).into_response()
}

async fn due(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = caller.clone();
    if let Err(e) = blocking(&state, move |app| app.authorize(&c, Action::ViewHome)).await {
        return fail(e, &caller);
    }
    let Some(rule) = state.app.profile.rule(&id) else {
        return fail(AppError::NotFound, &caller);
    };
    let from = q.get("from").map(String::as_str).unwrap_or("");
    match together_domain::timescale::parse_start(from) {
        Ok(start) => {
            let due = rule.due(start, &state.app.calendar());
            Json(json!({ "rule": rule.id, "from": from, "due": due.to_string(), "citation": rule.citation })).into_response()
        }
        Err(m) => Problem::invalid(
            vec![FieldError {
                field: "from".into(),
                message: m,
            }],
            &caller.request_id,
        )
        .into_response(),
    }
}

async fn bank_holidays(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = caller.clone();
    if let Err(e) = blocking(&state, move |app| app.authorize(&c, Action::ViewHome)).await {
        return fail(e, &caller);
    }
    let year = match q.get("year").map(|y| y.parse::<i32>()) {
        Some(Ok(y)) if (1990..=2100).contains(&y) => y,
        _ => {
            return Problem::invalid(
                vec![FieldError {
                    field: "year".into(),
                    message: "year must be a whole number from 1990 to 2100".into(),
                }],
                &caller.request_id,
            )
            .into_response()
        }
    };
    let days: Vec<Value> = state
        .app
        .calendar()
        .bank_holidays(year)
        .into_iter()
        .map(|(d, n)| json!({ "date": d, "name": n }))
        .collect();
    Json(json!({ "year": year, "bank_holidays": days })).into_response()
}

/// A referral as the API shows it: to the referrer, the outcome and feedback they are
/// owed (WT2026 ¶165); to the front door, the same with the work still open.
fn referral_json(v: &together_app::front_door::ReferralView) -> Value {
    let r = &v.referral;
    let d = r.current_decision();
    json!({
        "id": v.row.id,
        "received_at": v.row.received_at,
        "channel": r.channel,
        "stage": r.stage(),
        "children": r.details.children_summary(),
        "repeat_referral": r.is_repeat_referral(),
        "acknowledgement": {
            "due": r.due.acknowledgement.due,
            "rule_id": r.due.acknowledgement.rule_id,
            "citation": r.due.acknowledgement.citation,
            "acknowledged_at": r.acknowledgement.as_ref().map(|a| a.at),
            "method": r.acknowledgement.as_ref().map(|a| a.method),
        },
        "decision": {
            "due": r.due.decision.due,
            "rule_id": r.due.decision.rule_id,
            "citation": r.due.decision.citation,
            "decided_at": d.map(|d| d.decided_at),
            "on_time": d.map(|d| d.on_time),
            "outcomes": d.map(|d| &d.feedback.outcomes),
            "threshold_not_met_reasons": d.and_then(|d| d.feedback.threshold_not_met_reasons.clone()),
            "suggestions": d.map(|d| &d.feedback.suggestions),
            "suggestions_note": d.and_then(|d| d.feedback.suggestions_note.clone()),
        },
        "escalations": r.escalations.iter().map(|x| json!({
            "number": x.number,
            "raised_at": x.raised_at,
            "reason": x.reason,
            "answered_at": x.answer.as_ref().map(|a| a.at),
            "answer": x.answer.as_ref().map(|a| &a.answer),
            "outcome": x.answer.as_ref().map(|a| a.outcome),
        })).collect::<Vec<_>>(),
        "may_chase_from": r.may_chase_from(),
    })
}

/// `POST /api/v1/referrals`: a partner agency's system refers a child. The
/// `Idempotency-Key` header makes a retry safe: the same key returns the same referral
/// (200) instead of making a second one (201).
async fn submit_referral(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    headers: axum::http::HeaderMap,
    StrictJson(input): StrictJson<together_domain::referral::ReferralInput>,
) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let c = caller.clone();
    match blocking(&state, move |app| {
        let details = input.parse(app.today())?;
        let (view, created) =
            app.receive_referral_view(&c, details, together_domain::referral::Channel::Api, key)?;
        Ok((created, view))
    })
    .await
    {
        Ok((created, view)) => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let mut r = (status, Json(referral_json(&view))).into_response();
            if let Ok(v) =
                header::HeaderValue::from_str(&format!("/api/v1/referrals/{}", view.row.id))
            {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Err(e) => fail(e, &caller),
    }
}

/// `GET /api/v1/referrals/{id}`: the referral and its outcome, for its referrer.
async fn referral(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<together_domain::referral::ReferralId>() else {
        return fail(AppError::NotFound, &caller);
    };
    let c = caller.clone();
    match blocking(&state, move |app| app.referral(&c, id)).await {
        Ok(v) => Json(referral_json(&v)).into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// `GET /api/v1/referrals`: the referrals this agency system sent, newest first.
async fn my_referrals(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Response {
    let c = caller.clone();
    match blocking(&state, move |app| app.referrals_for(&c, false, 200)).await {
        Ok(rows) => Json(json!({ "referrals": rows.iter().map(|r| json!({
            "id": r.id,
            "received_at": r.received_at,
            "stage": r.stage,
            "children": r.summary,
            "decision_due": r.decision_due,
            "outcome": r.outcome,
        })).collect::<Vec<_>>() }))
        .into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// `GET /api/v1/work`: the open work this agency's practitioners owe, of every process
/// (issue 15), soonest overdue first, each with its due date, the rule and citation it
/// is due by, and where it is done; `?limit=N` (at most 500).
async fn my_work(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = caller.clone();
    let limit = q
        .get("limit")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(200);
    match blocking(&state, move |app| app.agency_work(&c, limit)).await {
        Ok(items) => Json(json!({ "work": items.iter().map(|i| json!({
            "process": i.work.process_kind,
            "id": i.work.process_id,
            "key": i.work.key,
            "owner": i.work.owner.person(),
            "child": i.work.child,
            "what": i.work.title,
            "due": serde_json::from_str::<serde_json::Value>(&i.work.due).unwrap_or_default(),
            "overdue": i.overdue,
            "rule": i.work.rule_id,
            "citation": i.work.citation,
            "link": i.work.link,
        })).collect::<Vec<_>>() }))
        .into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// `GET /api/v1/actions`: plan actions owned by this agency's practitioners (issue 4),
/// soonest due first; `?open=true` for those not yet done.
async fn my_actions(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = caller.clone();
    let open_only = q.get("open").is_some_and(|v| v == "true");
    match blocking(&state, move |app| app.actions_for(&c, open_only)).await {
        Ok(rows) => Json(json!({ "actions": rows.iter().map(|a| json!({
            "case": a.case,
            "child": a.child,
            "plan": a.plan,
            "plan_kind": a.plan_kind,
            "number": a.number,
            "what": a.what,
            "owner": a.owner_name,
            "owner_user": a.owner_user,
            "due_by": a.due_by,
            "done_on": a.done_on,
        })).collect::<Vec<_>>() }))
        .into_response(),
        Err(e) => fail(e, &caller),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionDoneInput {
    /// "2027-01-20"; today if absent.
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/cases/{id}/actions/{n}/done`: record that one of this agency's
/// practitioners did an action of the plan.
async fn action_done(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((id, n)): Path<(String, String)>,
    StrictJson(input): StrictJson<ActionDoneInput>,
) -> Response {
    let (Ok(case), Ok(n)) = (id.parse::<together_domain::ids::CaseId>(), n.parse::<u32>()) else {
        return fail(AppError::NotFound, &caller);
    };
    let on = match input.on.as_deref() {
        None => None,
        Some(s) => match together_domain::validate::parse_date("date done", s) {
            Ok(d) => Some(d),
            Err(m) => {
                return fail(
                    AppError::Invalid(together_domain::validate::ValidationErrors::single("on", m)),
                    &caller,
                )
            }
        },
    };
    let c = caller.clone();
    match blocking(&state, move |app| {
        let on = on.unwrap_or_else(|| app.today());
        app.complete_action(&c, case, n, on, &input.note)
    })
    .await
    {
        Ok(view) => {
            let done = view
                .case
                .actions()
                .map(|(_, a)| a)
                .chain(view.case.plan_actions(0).unwrap_or_default())
                .find(|a| a.number == n)
                .and_then(|a| a.done_on);
            Json(json!({ "case": case, "number": n, "done_on": done })).into_response()
        }
        Err(e) => fail(e, &caller),
    }
}

/// `GET /api/v1/invitations`: meetings this agency's practitioners are invited to
/// (strategy discussions and conferences to come), issue 5.
async fn my_invitations(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Response {
    let c = caller.clone();
    match blocking(&state, move |app| app.invitations_for(&c)).await {
        Ok(rows) => Json(json!({ "invitations": rows.iter().map(|w| {
            let mut parts = w.key.split('-');
            let kind = parts.nth(1).unwrap_or_default().to_string();
            let number = parts.next().and_then(|n| n.parse::<u32>().ok());
            json!({
                "case": w.process_id,
                "meeting": kind,
                "number": number,
                "invitee": w.owner.person(),
                "what": w.title,
                "due": serde_json::from_str::<serde_json::Value>(&w.due).unwrap_or_default(),
            })
        }).collect::<Vec<_>>() }))
        .into_response(),
        Err(e) => fail(e, &caller),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportInput {
    /// The invited practitioner the report is from (a user of this agency).
    author: uuid::Uuid,
    summary: String,
    share_with_parents: bool,
    #[serde(default)]
    reason_not_shared: String,
}

/// `POST /api/v1/cases/{id}/conferences/{n}/reports`: an invited practitioner's report
/// for a conference, with the decision on sharing it with the parents (003 L1828).
async fn conference_report(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((id, n)): Path<(String, String)>,
    StrictJson(input): StrictJson<ReportInput>,
) -> Response {
    let (Ok(case), Ok(n)) = (id.parse::<together_domain::ids::CaseId>(), n.parse::<u32>()) else {
        return fail(AppError::NotFound, &caller);
    };
    let c = caller.clone();
    match blocking(&state, move |app| {
        app.submit_report_for(
            &c,
            case,
            n,
            together_domain::ids::UserId(input.author),
            &input.summary,
            input.share_with_parents,
            &input.reason_not_shared,
        )
    })
    .await
    {
        Ok(()) => (
            StatusCode::CREATED,
            Json(json!({ "case": case, "conference": n })),
        )
            .into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// `GET /api/v1/cases/{id}/strategy-discussions/{n}?for=USER`: the record of a strategy
/// discussion, for this agency's practitioner who was invited to it.
async fn strategy_record(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((id, n)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Ok(case), Ok(n)) = (id.parse::<together_domain::ids::CaseId>(), n.parse::<u32>()) else {
        return fail(AppError::NotFound, &caller);
    };
    let Some(user) = q.get("for").and_then(|u| u.parse::<uuid::Uuid>().ok()) else {
        return fail(
            AppError::Invalid(together_domain::validate::ValidationErrors::single(
                "for",
                "Give the id of the invited practitioner",
            )),
            &caller,
        );
    };
    let c = caller.clone();
    match blocking(&state, move |app| {
        app.meeting_view_for(&c, together_domain::ids::UserId(user), case, false, n)
    })
    .await
    {
        Ok(v) => {
            let d = v.case.protection.discussion(n).cloned();
            Json(json!({ "case": case, "number": n, "discussion": d })).into_response()
        }
        Err(e) => fail(e, &caller),
    }
}

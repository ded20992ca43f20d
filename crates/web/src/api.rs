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
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;
use together_app::record::{CaseNoteInput, ChildView};
use together_app::{AppError, Caller};
use together_domain::access::Action;
use together_domain::event::EventBody;
use together_domain::ids::PersonId;
use together_domain::person::PersonInput;
use together_domain::validate::FieldError;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod bodies;
pub mod openapi;

use bodies::*;

/// The API's routes and its OpenAPI document, made together: a route is added only
/// with `routes!`, which documents it from its handler's `#[utoipa::path]` and its
/// request and response types, so the document lists every route the API answers.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(open_child))
        .routes(routes!(child))
        .routes(routes!(add_case_note))
        .routes(routes!(submit_referral, my_referrals))
        .routes(routes!(referral))
        .routes(routes!(my_actions))
        .routes(routes!(my_invitations))
        .routes(routes!(my_work))
        .routes(routes!(conference_report))
        .routes(routes!(strategy_record))
        .routes(routes!(action_done))
        .routes(routes!(timescales))
        .routes(routes!(due))
        .routes(routes!(bank_holidays))
        .split_for_parts();
    openapi::finish(&mut doc);
    (router, doc)
}

pub fn router() -> Router<AppState> {
    let (router, doc) = routes();
    let doc = std::sync::Arc::new(doc);
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
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

fn child_body(v: &ChildView) -> ChildBody {
    ChildBody {
        id: v.person.id,
        kind: v.person.kind.clone(),
        given_name: v.person.given_name.clone(),
        family_name: v.person.family_name.clone(),
        date_of_birth: v.person.date_of_birth.clone(),
        expected_date_of_delivery: v.person.expected_date_of_delivery.clone(),
        sex: v.person.sex.clone(),
        nhs_number: v.person.nhs_number.clone(),
        restricted: v.person.restricted,
        scope: v.permit.scope,
        withheld_entries: v.withheld,
        chronology: v
            .chronology
            .iter()
            .map(|e| ChronologyEntryBody {
                id: e.event.id,
                event_type: e.event.event_type.clone(),
                effective_at: e.event.effective_at.clone(),
                recorded_at: e.event.recorded_at.clone(),
                actor_role: e.event.actor_role.clone(),
                title: e.current.as_ref().map(EventBody::title),
                corrected_by: e.corrected_by,
                hash: e.event.hash.clone(),
            })
            .collect(),
    }
}

/// A 201 with the new resource's address.
fn created(location: String, body: impl serde::Serialize) -> Response {
    let mut r = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Open a child's record (children's social care systems only).
#[utoipa::path(
    post,
    path = "/children",
    operation_id = "openChildRecord",
    request_body = PersonInput,
    responses((status = 201, description = "The record, opened (the body has only `id` if it could not be read back)", body = ChildBody))
)]
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
            let location = format!("/api/v1/children/{id}");
            match view {
                Some(v) => created(location, child_body(&v)),
                None => created(location, json!({ "id": id })),
            }
        }
        Err(e) => fail(e, &caller),
    }
}

fn parse_id(id: &str, caller: &Caller) -> Result<PersonId, Response> {
    id.parse::<PersonId>()
        .map_err(|_| fail(AppError::NotFound, caller))
}

/// A child's record, as far as the caller may see it.
#[utoipa::path(
    get,
    path = "/children/{id}",
    operation_id = "getChild",
    params(("id" = uuid::Uuid, Path, description = "The child's id")),
    responses((status = 200, description = "The record", body = ChildBody))
)]
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
        Ok(view) => Json(child_body(&view)).into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// Add a case note to a child's record.
#[utoipa::path(
    post,
    path = "/children/{id}/case-notes",
    operation_id = "addCaseNote",
    params(("id" = uuid::Uuid, Path, description = "The child's id")),
    request_body = CaseNoteInput,
    responses((status = 201, description = "The note, added", body = CaseNoteAddedBody))
)]
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
            Json(CaseNoteAddedBody { id: event, child }),
        )
            .into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// The timescales in force, with their citations.
#[utoipa::path(
    get,
    path = "/timescales",
    operation_id = "listTimescales",
    responses((status = 200, description = "The rules of the partnership's profile", body = TimescalesBody))
)]
async fn timescales(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Response {
    let c = caller.clone();
    if let Err(e) = blocking(&state, move |app| app.authorize(&c, Action::ViewHome)).await {
        return fail(e, &caller);
    }
    let p = &state.app.profile;
    Json(TimescalesBody {
        profile: p.version_tag(),
        rules: p.rules.clone(),
    })
    .into_response()
}

/// When a timescale falls due for a start date or date-time.
#[utoipa::path(
    get,
    path = "/timescales/{id}/due",
    operation_id = "dueDate",
    params(
        ("id" = String, Path, description = "The rule's id", example = "icpc"),
        ("from" = String, Query, description = "YYYY-MM-DD, or YYYY-MM-DDTHH:MM for hour rules", example = "2026-12-24"),
    ),
    responses((status = 200, description = "The due date", body = DueBody))
)]
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
            Json(DueBody {
                rule: rule.id.clone(),
                from: from.to_string(),
                due: due.to_string(),
                citation: rule.citation.clone(),
            })
            .into_response()
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

/// Bank holidays in England and Wales for a year, with proclamations.
#[utoipa::path(
    get,
    path = "/calendar/bank-holidays",
    operation_id = "bankHolidays",
    params(("year" = i32, Query, minimum = 1990, maximum = 2100)),
    responses((status = 200, description = "Bank holidays", body = BankHolidaysBody))
)]
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
    let bank_holidays = state
        .app
        .calendar()
        .bank_holidays(year)
        .into_iter()
        .map(|(date, name)| BankHoliday {
            date,
            name: name.to_string(),
        })
        .collect();
    Json(BankHolidaysBody {
        year,
        bank_holidays,
    })
    .into_response()
}

/// A referral as the API shows it: to the referrer, the outcome and feedback they are
/// owed (WT2026 ¶165); to the front door, the same with the work still open.
fn referral_body(v: &together_app::front_door::ReferralView) -> ReferralBody {
    let r = &v.referral;
    let d = r.current_decision();
    ReferralBody {
        id: v.row.id,
        received_at: v.row.received_at.clone(),
        channel: r.channel,
        stage: r.stage(),
        children: r.details.children_summary(),
        repeat_referral: r.is_repeat_referral(),
        urgent: r.is_urgent(),
        acknowledgement: AcknowledgementBody {
            due: r.due.acknowledgement.due,
            rule_id: r.due.acknowledgement.rule_id.clone(),
            citation: r.due.acknowledgement.citation.clone(),
            acknowledged_at: r.acknowledgement.as_ref().map(|a| a.at),
            method: r.acknowledgement.as_ref().map(|a| a.method),
        },
        decision: DecisionBody {
            due: r.due.decision.due,
            rule_id: r.due.decision.rule_id.clone(),
            citation: r.due.decision.citation.clone(),
            decided_at: d.map(|d| d.decided_at),
            on_time: d.map(|d| d.on_time),
            outcomes: d.map(|d| d.feedback.outcomes.clone()),
            threshold_not_met_reasons: d.and_then(|d| d.feedback.threshold_not_met_reasons.clone()),
            suggestions: d.map(|d| d.feedback.suggestions.clone()),
            suggestions_note: d.and_then(|d| d.feedback.suggestions_note.clone()),
        },
        escalations: r
            .escalations
            .iter()
            .map(|x| EscalationBody {
                number: x.number,
                raised_at: x.raised_at,
                reason: x.reason.clone(),
                answered_at: x.answer.as_ref().map(|a| a.at),
                answer: x.answer.as_ref().map(|a| a.answer.clone()),
                outcome: x.answer.as_ref().map(|a| a.outcome),
            })
            .collect(),
        may_chase_from: r.may_chase_from(),
    }
}

/// Refer a child to children's social care (WT2026 ¶163–¶164). Send an
/// `Idempotency-Key` header so that a retry returns the same referral (200) rather
/// than making a second one (201).
#[utoipa::path(
    post,
    path = "/referrals",
    operation_id = "submitReferral",
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key returns the same referral", max_length = 200)),
    request_body(content = together_domain::referral::ReferralInput, description = "Every value a string as on the form (see docs/decisions.md); unknown fields are refused"),
    responses(
        (status = 201, description = "The referral, received, with its acknowledgement and the decision's due date", body = ReferralBody),
        (status = 200, description = "The referral this idempotency key made before", body = ReferralBody),
    )
)]
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
        Ok((true, view)) => created(
            format!("/api/v1/referrals/{}", view.row.id),
            referral_body(&view),
        ),
        Ok((false, view)) => {
            let mut r = Json(referral_body(&view)).into_response();
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

/// A referral and its outcome: the decision and, where the threshold is not met, the
/// reasons and other support suggested (WT2026 ¶165).
#[utoipa::path(
    get,
    path = "/referrals/{id}",
    operation_id = "getReferral",
    params(("id" = uuid::Uuid, Path, description = "The referral's id")),
    responses((status = 200, description = "The referral", body = ReferralBody))
)]
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
        Ok(v) => Json(referral_body(&v)).into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// The referrals this agency system sent, newest first.
#[utoipa::path(
    get,
    path = "/referrals",
    operation_id = "listMyReferrals",
    responses((status = 200, description = "Referrals", body = ReferralListBody))
)]
async fn my_referrals(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Response {
    let c = caller.clone();
    match blocking(&state, move |app| app.referrals_for(&c, false, 200)).await {
        Ok(rows) => Json(ReferralListBody {
            referrals: rows
                .into_iter()
                .map(|r| ReferralSummaryBody {
                    id: r.id,
                    received_at: r.received_at,
                    stage: r.stage,
                    children: r.summary,
                    decision_due: r.decision_due,
                    outcome: r.outcome,
                    urgent: r.urgent,
                })
                .collect(),
        })
        .into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// The open work this agency's practitioners owe, of every process (referrals, cases
/// and every process of the kernel's, issue 15), soonest overdue first, each due by a
/// rule of the partnership's profile.
#[utoipa::path(
    get,
    path = "/work",
    operation_id = "listWork",
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "At most this many (200 if not given)")),
    responses((status = 200, description = "Work", body = WorkBody))
)]
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
        Ok(items) => Json(WorkBody {
            work: items
                .into_iter()
                .map(|i| WorkItemBody {
                    due: i.due.or_else(|| serde_json::from_str(&i.work.due).ok()),
                    overdue: i.overdue,
                    urgent: i.work.urgent,
                    owner: i.work.owner.person(),
                    process: i.work.process_kind,
                    id: i.work.process_id,
                    key: i.work.key,
                    child: i.work.child,
                    what: i.work.title,
                    rule: i.work.rule_id,
                    citation: i.work.citation,
                    link: i.work.link,
                })
                .collect(),
        })
        .into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// Plan actions owned by this agency's practitioners (Family Help and child in need
/// plans, issue 4), soonest due first.
#[utoipa::path(
    get,
    path = "/actions",
    operation_id = "listActions",
    params(("open" = Option<bool>, Query, description = "Only actions not yet done")),
    responses((status = 200, description = "Actions", body = ActionsBody))
)]
async fn my_actions(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = caller.clone();
    let open_only = q.get("open").is_some_and(|v| v == "true");
    match blocking(&state, move |app| app.actions_for(&c, open_only)).await {
        Ok(rows) => Json(ActionsBody {
            actions: rows
                .into_iter()
                .map(|a| ActionBody {
                    case: a.case,
                    child: a.child,
                    plan: a.plan,
                    plan_kind: a.plan_kind,
                    number: a.number,
                    what: a.what,
                    owner: a.owner_name,
                    owner_user: a.owner_user,
                    due_by: a.due_by,
                    done_on: a.done_on,
                })
                .collect(),
        })
        .into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// That an action of a plan was done.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ActionDoneInput {
    /// The day it was done, "2027-01-20"; today if absent.
    #[serde(default)]
    #[schema(format = Date)]
    on: Option<String>,
    #[serde(default)]
    note: String,
}

/// Record that one of this agency's practitioners did an action of the plan.
#[utoipa::path(
    post,
    path = "/cases/{id}/actions/{n}/done",
    operation_id = "recordActionDone",
    params(
        ("id" = uuid::Uuid, Path, description = "The case's id"),
        ("n" = u32, Path, minimum = 1, description = "The action's number"),
    ),
    request_body = ActionDoneInput,
    responses((status = 200, description = "Recorded", body = ActionDoneBody))
)]
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
            let done_on = view
                .case
                .actions()
                .map(|(_, a)| a)
                .chain(view.case.plan_actions(0).unwrap_or_default())
                .find(|a| a.number == n)
                .and_then(|a| a.done_on);
            Json(ActionDoneBody {
                case: case.0,
                number: n,
                done_on,
            })
            .into_response()
        }
        Err(e) => fail(e, &caller),
    }
}

/// Strategy discussions and conferences this agency's practitioners are invited to
/// (issue 5).
#[utoipa::path(
    get,
    path = "/invitations",
    operation_id = "listInvitations",
    responses((status = 200, description = "Invitations", body = InvitationsBody))
)]
async fn my_invitations(
    state: axum::extract::State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Response {
    let c = caller.clone();
    match blocking(&state, move |app| app.invitations_for(&c)).await {
        Ok(rows) => Json(InvitationsBody {
            invitations: rows
                .into_iter()
                .map(|w| {
                    let mut parts = w.key.split('-');
                    let meeting = parts.nth(1).unwrap_or_default().to_string();
                    let number = parts.next().and_then(|n| n.parse::<u32>().ok());
                    InvitationBody {
                        due: serde_json::from_str(&w.due).ok(),
                        case: w.process_id,
                        meeting,
                        number,
                        invitee: w.owner.person(),
                        what: w.title,
                    }
                })
                .collect(),
        })
        .into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// An invited practitioner's report for a conference.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReportInput {
    /// The invited practitioner the report is from (a user of this agency).
    author: uuid::Uuid,
    summary: String,
    /// Whether the report may be shared with the parents (003 L1828).
    share_with_parents: bool,
    /// Why not, when it may not.
    #[serde(default)]
    reason_not_shared: String,
}

/// An invited practitioner's report for a child protection conference, and whether it
/// may be shared with the parents (WT2026 003 L1828).
#[utoipa::path(
    post,
    path = "/cases/{id}/conferences/{n}/reports",
    operation_id = "submitConferenceReport",
    params(
        ("id" = uuid::Uuid, Path, description = "The case's id"),
        ("n" = u32, Path, minimum = 1, description = "The conference's number"),
    ),
    request_body = ReportInput,
    responses((status = 201, description = "Received", body = ReportReceivedBody))
)]
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
            Json(ReportReceivedBody {
                case: case.0,
                conference: n,
            }),
        )
            .into_response(),
        Err(e) => fail(e, &caller),
    }
}

/// The record of a strategy discussion, for the agency's practitioner who was invited
/// to it (not the child's file).
#[utoipa::path(
    get,
    path = "/cases/{id}/strategy-discussions/{n}",
    operation_id = "getStrategyDiscussion",
    params(
        ("id" = uuid::Uuid, Path, description = "The case's id"),
        ("n" = u32, Path, minimum = 1, description = "The discussion's number"),
        ("for" = uuid::Uuid, Query, description = "The invited practitioner"),
    ),
    responses((status = 200, description = "The record", body = StrategyRecordBody))
)]
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
        Ok(v) => Json(StrategyRecordBody {
            case: case.0,
            number: n,
            discussion: v.case.protection.discussion(n).cloned(),
        })
        .into_response(),
        Err(e) => fail(e, &caller),
    }
}

#[cfg(test)]
mod tests {
    /// Every route of the API is added with `routes!`, which documents it from its
    /// handler's `#[utoipa::path]` (issue 15): no `.route(` but the document's own, and
    /// as many documented handlers as routed ones. (The web tests call every documented
    /// operation and check its answer against its schema.)
    #[test]
    fn every_route_is_added_with_its_documentation() {
        let code = include_str!("api.rs")
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default();
        assert_eq!(
            code.matches(".route(").count(),
            1,
            "a route added with .route( is not in the OpenAPI document: use routes!"
        );
        let documented = code.matches("#[utoipa::path(").count();
        let routed: usize = code
            .split("routes!(")
            .skip(1)
            .map(|rest| {
                rest.split(')')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .count()
            })
            .sum();
        assert_eq!(documented, routed, "documented handlers vs routed handlers");
        let (_, doc) = super::routes();
        let operations: usize = doc
            .paths
            .paths
            .values()
            .map(|item| {
                [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                    .iter()
                    .filter(|o| o.is_some())
                    .count()
            })
            .sum();
        assert_eq!(operations, routed, "operations in the document");
    }
}

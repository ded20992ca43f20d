//! The pages of every kernel process (issue 15): one list, one start form, one page of
//! the process and one handler pair for all its forms, generic over the process. A
//! process's pages module implements [`ProcessPages`] — its forms' fields, how their
//! answers parse into its commands, and which of them the caller is offered — and adds
//! one line to [`registered`]. The access decision, the logging and the trays are the
//! kernel's; nothing here knows a process by name.

use crate::auth::Signed;
use crate::ctx::{render, Ctx, Posted};
use crate::form_kit::{form_response, FormAt, Spec};
use crate::forms::FormData;
use crate::views::{FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use together_app::process::ProcessView;
use together_app::{App, AppError, Caller};
use together_domain::access::Scope;
use together_domain::process::Process;
use together_domain::validate::ValidationErrors;

/// A process's pages: its forms, declared with the form kit, in one place.
pub trait ProcessPages: Send + Sync + 'static {
    type P: Process;
    /// The path its pages live under ("allegations").
    const PATH: &'static str;
    /// What one is called in headings ("Allegation").
    const NAME: &'static str;

    /// The form that starts one.
    fn start_form(app: &App, caller: &Caller) -> Result<Spec, AppError>;
    /// The command the start form's answers make, or each field's error.
    fn start_command(
        app: &App,
        caller: &Caller,
        form: &FormData,
    ) -> Result<<Self::P as Process>::Command, ValidationErrors>;
    /// The forms the caller is offered on this process now: (form name, link text).
    fn forms(view: &ProcessView<Self::P>, caller: &Caller) -> Vec<(String, String)>;
    /// The form named `name`, if this process has one.
    fn form(app: &App, view: &ProcessView<Self::P>, name: &str) -> Option<Spec>;
    /// The command a form's answers make, or each field's error.
    fn command(
        app: &App,
        view: &ProcessView<Self::P>,
        caller: &Caller,
        name: &str,
        form: &FormData,
    ) -> Result<<Self::P as Process>::Command, ValidationErrors>;
    /// What the process's page shows of it, as (label, value) rows, for the scope the
    /// caller has (`SharedOnly`: only what is shared with their agency).
    fn summary(view: &ProcessView<Self::P>) -> Vec<(String, String)>;
}

/// Every process's pages this build of Together serves, one line each.
pub fn registered() -> Router<AppState> {
    Router::new()
}

/// The routes of one process's pages.
pub fn routes<F: ProcessPages>() -> Router<AppState> {
    let base = format!("/{}", F::PATH);
    Router::new()
        .route(&base, get(list::<F>))
        .route(
            &format!("{base}/new"),
            get(start_form::<F>).post(start::<F>),
        )
        .route(&format!("{base}/{{id}}"), get(view::<F>))
        .route(
            &format!("{base}/{{id}}/{{form}}"),
            get(form::<F>).post(submit::<F>),
        )
}

struct HistoryRow {
    when: String,
    title: String,
}

#[derive(Template)]
#[template(path = "process.html")]
struct ProcessPage {
    page: Page,
    name: String,
    stage: String,
    summary: Vec<(String, String)>,
    shared_only: bool,
    forms: Vec<(String, String)>,
    history: Vec<HistoryRow>,
}

struct ListRow {
    href: String,
    summary: String,
    stage: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "process_list.html")]
struct ListPage {
    page: Page,
    name: String,
    new_href: String,
    rows: Vec<ListRow>,
}

fn id_of(ctx: &Ctx, id: &str) -> Result<uuid::Uuid, Response> {
    uuid::Uuid::parse_str(id).map_err(|_| ctx.fail(AppError::NotFound))
}

async fn list<F: ProcessPages>(State(state): State<AppState>, signed: Signed) -> Response {
    let ctx = Ctx::new(state, signed);
    let path = format!("/{}", F::PATH);
    match ctx
        .run(|app, caller| app.process_list::<F::P>(caller, 200))
        .await
    {
        Ok(rows) => render(&ListPage {
            page: ctx.page(F::NAME, &path),
            name: F::NAME.into(),
            new_href: format!("{path}/new"),
            rows: rows
                .into_iter()
                .map(|r| ListRow {
                    href: format!("{path}/{}", r.id),
                    summary: r.summary,
                    stage: r.stage.replace('-', " "),
                    updated: crate::views::long_timestamp(&r.updated_at),
                })
                .collect(),
        }),
        Err(e) => ctx.fail(e),
    }
}

async fn start_form<F: ProcessPages>(State(state): State<AppState>, signed: Signed) -> Response {
    let ctx = Ctx::new(state, signed);
    show_start::<F>(&ctx, FormState::default(), StatusCode::OK).await
}

async fn show_start<F: ProcessPages>(ctx: &Ctx, state: FormState, status: StatusCode) -> Response {
    match ctx.run(|app, caller| F::start_form(app, caller)).await {
        Ok(sp) => form_response(
            ctx,
            sp,
            state,
            FormAt {
                caption: F::NAME.into(),
                action: format!("/{}/new", F::PATH),
                back: "/".into(),
                back_label: "Back to your home page".into(),
                nav: format!("/{}", F::PATH),
            },
            status,
        ),
        Err(e) => ctx.fail(e),
    }
}

async fn start<F: ProcessPages>(Posted { ctx, form }: Posted) -> Response {
    let kept = form.kept();
    let id = uuid::Uuid::now_v7();
    let result = ctx
        .run(move |app, caller| {
            let command = F::start_command(app, caller, &form).map_err(AppError::Invalid)?;
            app.start_process::<F::P>(caller, id, command)
        })
        .await;
    match result {
        Ok(v) => Redirect::to(&format!("/{}/{}", F::PATH, v.id)).into_response(),
        Err(AppError::Invalid(e)) => {
            show_start::<F>(
                &ctx,
                FormState::with_errors(kept, e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}

async fn view<F: ProcessPages>(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let id = match id_of(&ctx, &id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let loaded = ctx
        .run(move |app, caller| {
            let v = app.process_view::<F::P>(caller, id)?;
            let forms = F::forms(&v, caller);
            Ok((v, forms))
        })
        .await;
    let (v, forms) = match loaded {
        Ok(x) => x,
        Err(e) => return ctx.fail(e),
    };
    let path = format!("/{}", F::PATH);
    render(&ProcessPage {
        page: ctx.page(F::NAME, &path),
        name: F::NAME.into(),
        stage: <F::P as Process>::stage(&v.state).replace('-', " "),
        summary: F::summary(&v),
        shared_only: v.scope != Scope::Full,
        forms: forms
            .into_iter()
            .map(|(name, text)| (format!("{path}/{id}/{name}"), text))
            .collect(),
        history: v
            .history
            .iter()
            .rev()
            .map(|(e, ev)| HistoryRow {
                when: crate::views::long_timestamp(&e.recorded_at),
                title: <F::P as Process>::title(ev),
            })
            .collect(),
    })
}

async fn form<F: ProcessPages>(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let id = match id_of(&ctx, &id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    show_form::<F>(&ctx, id, name, FormState::default(), StatusCode::OK).await
}

async fn show_form<F: ProcessPages>(
    ctx: &Ctx,
    id: uuid::Uuid,
    name: String,
    state: FormState,
    status: StatusCode,
) -> Response {
    let n = name.clone();
    let loaded = ctx
        .run(move |app, caller| {
            let v = app.process_view::<F::P>(caller, id)?;
            // Only the forms the caller is offered are shown to them.
            if !F::forms(&v, caller).iter().any(|(f, _)| *f == n) {
                return Err(AppError::NotFound);
            }
            let sp = F::form(app, &v, &n).ok_or(AppError::NotFound)?;
            Ok((sp, <F::P as Process>::summary(&v.state)))
        })
        .await;
    match loaded {
        Ok((sp, summary)) => form_response(
            ctx,
            sp,
            state,
            FormAt {
                caption: summary,
                action: format!("/{}/{id}/{name}", F::PATH),
                back: format!("/{}/{id}", F::PATH),
                back_label: format!("Back to the {}", F::NAME.to_lowercase()),
                nav: format!("/{}", F::PATH),
            },
            status,
        ),
        Err(e) => ctx.fail(e),
    }
}

async fn submit<F: ProcessPages>(
    Path((id, name)): Path<(String, String)>,
    Posted { ctx, form }: Posted,
) -> Response {
    let id = match id_of(&ctx, &id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let kept: HashMap<String, String> = form.kept();
    let n = name.clone();
    let result = ctx
        .run(move |app, caller| {
            let v = app.process_view::<F::P>(caller, id)?;
            if !F::forms(&v, caller).iter().any(|(f, _)| *f == n) {
                return Err(AppError::NotFound);
            }
            let command = F::command(app, &v, caller, &n, &form).map_err(AppError::Invalid)?;
            app.act_on_process::<F::P>(caller, id, command)
        })
        .await;
    match result {
        Ok(_) => Redirect::to(&format!("/{}/{id}", F::PATH)).into_response(),
        Err(AppError::Invalid(e)) => {
            show_form::<F>(
                &ctx,
                id,
                name,
                FormState::with_errors(kept, e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}

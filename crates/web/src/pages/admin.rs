//! Administration: users and the calendar of proclaimed bank holidays. System
//! administrators manage these and see no children's records.

use crate::auth::Signed;
use crate::ctx::{render, render_form, Ctx, Posted};
use crate::views::{long_date, options, FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use together_app::identity::NewUserInput;
use together_app::AppError;
use together_domain::access::Action;
use together_domain::ids::UserId;
use together_domain::role::Role;
use together_domain::validate::{parse_date, parse_name, ValidationErrors};

struct UserView {
    id: UserId,
    name: String,
    username: String,
    role: &'static str,
    agency: String,
    active: bool,
    is_me: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    page: Page,
    users: Vec<UserView>,
    flash: Option<(String, String)>,
}

async fn users_page(ctx: &Ctx, flash: Option<(String, String)>) -> Response {
    let me = ctx.signed.caller.actor_id;
    let loaded = ctx.run(|app, caller| app.users_and_agencies(caller)).await;
    let (users, agencies) = match loaded {
        Ok(x) => x,
        Err(e) => return ctx.fail(e),
    };
    let users = users
        .into_iter()
        .map(|u| UserView {
            id: u.id,
            name: u.display_name,
            username: u.username,
            role: Role::from_id(&u.role)
                .map(|r| r.label())
                .unwrap_or("Unknown"),
            agency: agencies
                .iter()
                .find(|a| a.id == u.agency)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            active: u.active,
            is_me: u.id == me,
        })
        .collect();
    render(&UsersPage {
        page: ctx.page("Users", "/admin/users"),
        users,
        flash,
    })
}

pub async fn users(State(state): State<AppState>, signed: Signed) -> Response {
    users_page(&Ctx::new(state, signed), None).await
}

#[derive(Template)]
#[template(path = "admin_user_new.html")]
struct NewUserPage {
    page: Page,
    form: FormState,
    heading: String,
    action: String,
    submit: String,
    /// Changing an existing user (no username, no password made).
    editing: bool,
    role_options: Vec<(String, String)>,
    agency_options: Vec<(String, String)>,
    team_options: Vec<(String, String)>,
}

async fn new_user_page(ctx: &Ctx, form: FormState) -> Response {
    user_form_page(ctx, form, None).await
}

/// The form to add a user, or (`editing`: their id and username) to change one.
async fn user_form_page(ctx: &Ctx, form: FormState, editing: Option<(UserId, String)>) -> Response {
    let loaded = ctx.run(|app, caller| app.agencies_and_teams(caller)).await;
    let (agencies, teams) = match loaded {
        Ok(x) => x,
        Err(e) => return ctx.fail(e),
    };
    let has_errors = !form.errors.is_empty();
    let mut team_options = vec![(String::new(), "No team".to_string())];
    team_options.extend(teams.into_iter().map(|t| (t.id.to_string(), t.name)));
    let page = NewUserPage {
        page: ctx.page_with_errors(
            if editing.is_some() {
                "Change a user"
            } else {
                "Add a user"
            },
            "/admin/users",
            has_errors,
        ),
        form,
        heading: match &editing {
            Some((_, username)) => format!("Change {username}"),
            None => "Add a user".into(),
        },
        action: match &editing {
            Some((id, _)) => format!("/admin/users/{id}/edit"),
            None => "/admin/users/new".into(),
        },
        submit: if editing.is_some() {
            "Save the changes".into()
        } else {
            "Add the user".into()
        },
        editing: editing.is_some(),
        role_options: options(Role::ALL.map(|r| (r.id(), r.label()))),
        agency_options: agencies
            .into_iter()
            .map(|a| (a.id.to_string(), a.name))
            .collect(),
        team_options,
    };
    render_form(&page, has_errors)
}

pub async fn new_user_form(State(state): State<AppState>, signed: Signed) -> Response {
    new_user_page(&Ctx::new(state, signed), FormState::default()).await
}

pub async fn create_user(Posted { ctx, form }: Posted) -> Response {
    let input = NewUserInput {
        username: form.get("username").into(),
        display_name: form.get("display_name").into(),
        role: form.get("role").into(),
        agency: form.get("agency").into(),
        team: form.get("team").into(),
    };
    match ctx
        .run(move |app, caller| app.create_user(Some(caller), &input))
        .await
    {
        Ok((user, password)) => {
            users_page(
                &ctx,
                Some((
                    format!("{} can now sign in as {}", user.display_name, user.username),
                    password,
                )),
            )
            .await
        }
        Err(AppError::Invalid(e)) => {
            new_user_page(&ctx, FormState::with_errors(form.kept(), e)).await
        }
        Err(e) => ctx.fail(e),
    }
}

pub async fn edit_user_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let ctx = Ctx::new(state, signed);
    let uid = match user_id(&ctx, &id) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let user = match the_user(&ctx, uid).await {
        Ok(u) => u,
        Err(e) => return ctx.fail(e),
    };
    let values = [
        ("display_name", user.display_name.clone()),
        ("role", user.role.clone()),
        ("agency", user.agency.to_string()),
        ("team", user.team.map(|t| t.to_string()).unwrap_or_default()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    user_form_page(&ctx, FormState::new(values), Some((uid, user.username))).await
}

/// One user, as the administrator's list has them.
async fn the_user(ctx: &Ctx, uid: UserId) -> Result<together_app::rows::UserRow, AppError> {
    ctx.run(move |app, caller| {
        let (users, _) = app.users_and_agencies(caller)?;
        users
            .into_iter()
            .find(|u| u.id == uid)
            .ok_or(AppError::NotFound)
    })
    .await
}

/// Change a user's name, role, agency or team (issue 18: in the administration log).
pub async fn change_user(Path(id): Path<String>, Posted { ctx, form }: Posted) -> Response {
    let uid = match user_id(&ctx, &id) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let input = NewUserInput {
        username: String::new(),
        display_name: form.get("display_name").into(),
        role: form.get("role").into(),
        agency: form.get("agency").into(),
        team: form.get("team").into(),
    };
    let name = input.display_name.trim().to_string();
    match ctx
        .run(move |app, caller| app.change_user(caller, uid, &input))
        .await
    {
        Ok(()) => {
            users_page(
                &ctx,
                Some((
                    format!("{name}'s details are changed; a change of role, agency or team ends their sessions"),
                    String::new(),
                )),
            )
            .await
        }
        Err(AppError::Invalid(e)) => match the_user(&ctx, uid).await {
            Ok(u) => {
                let form = FormState::with_errors(form.kept(), e);
                user_form_page(&ctx, form, Some((uid, u.username))).await
            }
            Err(e) => ctx.fail(e),
        },
        Err(e) => ctx.fail(e),
    }
}

fn user_id(ctx: &Ctx, id: &str) -> Result<UserId, Response> {
    id.parse::<UserId>()
        .map_err(|_| ctx.fail(AppError::NotFound))
}

pub async fn reset_password(Path(id): Path<String>, Posted { ctx, .. }: Posted) -> Response {
    let uid = match user_id(&ctx, &id) {
        Ok(u) => u,
        Err(r) => return r,
    };
    match ctx
        .run(move |app, caller| app.reset_password(Some(caller), uid))
        .await
    {
        Ok(password) => {
            users_page(
                &ctx,
                Some((
                    "The password is reset and their sessions are ended".into(),
                    password,
                )),
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}

pub async fn set_active(Path(id): Path<String>, Posted { ctx, form }: Posted) -> Response {
    let uid = match user_id(&ctx, &id) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let active = form.get("active") == "yes";
    match ctx
        .run(move |app, caller| app.set_user_active(Some(caller), uid, active))
        .await
    {
        Ok(()) => {
            users_page(
                &ctx,
                Some((
                    if active {
                        "The account is active again"
                    } else {
                        "The account is deactivated and its sessions ended"
                    }
                    .into(),
                    String::new(),
                )),
            )
            .await
        }
        Err(e) => ctx.fail(e),
    }
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarAdminPage {
    page: Page,
    form: FormState,
    flash: Option<String>,
    proclamations: Vec<(String, String, String, String)>,
}

async fn calendar_page(ctx: &Ctx, form: FormState, flash: Option<String>) -> Response {
    let loaded = ctx
        .run(|app, caller| {
            app.authorize(caller, Action::ManageCalendar)
                .map(|_| app.calendar())
        })
        .await;
    let cal = match loaded {
        Ok(c) => c,
        Err(e) => return ctx.fail(e),
    };
    let mut proclamations: Vec<(String, String, String, String)> = cal
        .proclamations()
        .iter()
        .map(|p| {
            (
                long_date(p.date),
                p.name.clone(),
                p.replaces.map(long_date).unwrap_or_default(),
                String::new(),
            )
        })
        .collect();
    let built_in: Vec<chrono::NaiveDate> = together_domain::calendar::built_in_proclamations()
        .iter()
        .map(|p| p.date)
        .collect();
    for (row, p) in proclamations.iter_mut().zip(cal.proclamations()) {
        row.3 = if built_in.contains(&p.date) {
            "Built in".into()
        } else {
            "Added by an administrator".into()
        };
    }
    let has_errors = !form.errors.is_empty();
    render_form(
        &CalendarAdminPage {
            page: ctx.page_with_errors("Bank holidays", "/admin/calendar", has_errors),
            form,
            flash,
            proclamations,
        },
        has_errors,
    )
}

pub async fn calendar(State(state): State<AppState>, signed: Signed) -> Response {
    calendar_page(&Ctx::new(state, signed), FormState::default(), None).await
}

pub async fn add_proclamation(Posted { ctx, form }: Posted) -> Response {
    let mut e = ValidationErrors::new();
    let date = e.take(
        "date",
        parse_date("date of the bank holiday", form.get("date")),
    );
    let name = e.take("name", parse_name("name", form.get("name")));
    let replaces = if form.get("replaces").trim().is_empty() {
        Some(None)
    } else {
        e.take(
            "replaces",
            parse_date("date it moves from", form.get("replaces")),
        )
        .map(Some)
    };
    let (Some(date), Some(name), Some(replaces)) = (date, name, replaces) else {
        return calendar_page(&ctx, FormState::with_errors(form.kept(), e), None).await;
    };
    let result = ctx
        .run(move |app, caller| app.proclaim(caller, date, name, replaces))
        .await;
    match result {
        Ok(()) => {
            calendar_page(
                &ctx,
                FormState::default(),
                Some(format!("{} is now a bank holiday.", long_date(date))),
            )
            .await
        }
        Err(AppError::Invalid(e)) => {
            calendar_page(&ctx, FormState::with_errors(form.kept(), e), None).await
        }
        Err(e) => ctx.fail(e),
    }
    .into_response()
}

//! The user's own account: change password.

use crate::auth::Signed;
use crate::ctx::{render_form, Ctx, Posted};
use crate::views::{FormState, Page};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use together_app::AppError;
use together_domain::access::Action;

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    page: Page,
    form: FormState,
    done: bool,
    /// The password was set by an administrator and must be changed first.
    must_change: bool,
    username: String,
    role: &'static str,
    fields: Vec<(&'static str, &'static str, &'static str)>,
}

fn page(ctx: &Ctx, form: FormState, done: bool) -> Response {
    let has_errors = !form.errors.is_empty();
    render_form(
        &PasswordPage {
            page: ctx.page_with_errors("Your account", "/account/password", has_errors),
            form,
            done,
            must_change: ctx.signed.user.must_change_password && !done,
            username: ctx.signed.user.username.clone(),
            role: ctx.signed.caller.role.label(),
            fields: vec![
                ("current_password", "Current password", "current-password"),
                (
                    "new_password",
                    "New password (at least 12 characters)",
                    "new-password",
                ),
                ("confirm_password", "New password again", "new-password"),
            ],
        },
        has_errors,
    )
}

pub async fn password_form(State(state): State<AppState>, signed: Signed) -> Response {
    let ctx = Ctx::new(state, signed);
    // One's own account: the home permission, through the one decision like every page.
    if let Err(e) = ctx
        .run(|app, caller| app.authorize(caller, Action::ViewHome))
        .await
    {
        return ctx.fail(e);
    }
    page(&ctx, FormState::default(), false)
}

pub async fn change_password(Posted { ctx, form }: Posted) -> Response {
    let (cur, new, confirm) = (
        form.get("current_password").to_string(),
        form.get("new_password").to_string(),
        form.get("confirm_password").to_string(),
    );
    let token = ctx.signed.token.clone();
    match ctx
        .run(move |app, caller| {
            app.authorize(caller, Action::ViewHome)?;
            app.change_password(caller, &token, &cur, &new, &confirm)
        })
        .await
    {
        Ok(()) => page(&ctx, FormState::default(), true),
        Err(AppError::Invalid(e)) => page(&ctx, FormState::with_errors(form.kept(), e), false),
        Err(e) => ctx.fail(e),
    }
}

//! Forms that create (refer a child, record a contact, open a record) carry a
//! one-time token, so that sending one twice — a double click, the back button, a
//! retry after a slow answer — creates nothing twice (issue 18, item 6). Only the
//! token's first send goes ahead; a later one is taken to what the first made.

use crate::ctx::Ctx;
use crate::forms::FormData;
use crate::views::FormState;
use axum::http::StatusCode;
use axum::response::Response;
use together_app::rows::FormClaim;
use together_app::{App, AppError, Caller};
use together_domain::validate::ValidationErrors;

/// The hidden field the token travels in.
pub const FIELD: &str = "form_token";

/// What sending a form that creates came to.
pub enum Once {
    /// Made now, or by an earlier send of the same form: where it is.
    Made(String),
    /// Nothing made: the form comes back with these errors.
    Invalid(ValidationErrors),
    /// Anything else, as a page.
    Failed(Response),
}

impl Ctx {
    /// `form` with a fresh one-time token in it, for a form that creates. Without one
    /// (the store could not issue it) the form still works, unguarded.
    pub async fn with_form_token(&self, mut form: FormState) -> FormState {
        match self.run(|app, caller| app.issue_form_token(caller)).await {
            Ok(token) => {
                form.values.insert(FIELD.into(), token);
            }
            Err(e) => {
                tracing::warn!(error = %e, "no form token issued");
                form.values.remove(FIELD);
            }
        }
        form
    }

    /// Run `make` (which answers with where what it made is) once for the form's
    /// token. A form without a token (a script's) is made as sent.
    pub async fn once(
        &self,
        form: &FormData,
        make: impl FnOnce(&App, &Caller) -> Result<String, AppError> + Send + 'static,
    ) -> Once {
        let token = form.get(FIELD).trim().to_string();
        let result = self
            .run(move |app, caller| {
                if token.is_empty() {
                    return make(app, caller).map(Some);
                }
                match app.claim_form_token(caller, &token)? {
                    FormClaim::Claimed => match make(app, caller) {
                        Ok(link) => {
                            app.settle_form_token(&token, Some(&link))?;
                            Ok(Some(link))
                        }
                        // Nothing was written: the corrected form may be sent again.
                        Err(
                            e @ (AppError::Invalid(_)
                            | AppError::Forbidden(_)
                            | AppError::NotFound
                            | AppError::Conflict(_)
                            | AppError::Locked(_)),
                        ) => {
                            app.settle_form_token(&token, None)?;
                            Err(e)
                        }
                        // The outcome is unknown: the token stays claimed, so a second
                        // send cannot make a twin of what may have been saved.
                        Err(e) => Err(e),
                    },
                    FormClaim::Done(link) => Ok(Some(link)),
                    FormClaim::InFlight => Ok(None),
                    FormClaim::Unknown => Err(AppError::Invalid(ValidationErrors::single(
                        FIELD,
                        "This form was open for more than a day, or was sent already: check the entries below and send it again",
                    ))),
                }
            })
            .await;
        match result {
            Ok(Some(link)) => Once::Made(link),
            Ok(None) => Once::Failed(self.error_page(
                StatusCode::CONFLICT,
                "This form was sent already",
                "It was sent a moment ago and is still being saved, or the service stopped while saving it. Check the referrals or the children's records for it before sending it again.",
            )),
            Err(AppError::Invalid(e)) => Once::Invalid(e),
            Err(e) => Once::Failed(self.fail(e)),
        }
    }
}

//! Reading forms: every field as text, so that a form with errors comes back with
//! what the user typed. The CSRF token is checked here, before anything else.

use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// A submitted `application/x-www-form-urlencoded` form.
pub struct FormData(pub HashMap<String, String>, Vec<(String, String)>);

impl FormData {
    /// Every value of a repeated field (checkboxes), in order.
    pub fn all(&self, k: &str) -> Vec<&str> {
        self.1
            .iter()
            .filter(|(name, _)| name == k)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }
    pub fn checked(&self, k: &str) -> bool {
        matches!(self.get(k), "yes" | "on" | "true")
    }
    /// The values to show again, without the CSRF token or any password.
    pub fn kept(&self) -> HashMap<String, String> {
        self.0
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "csrf_token"
                        | "password"
                        | "current_password"
                        | "new_password"
                        | "confirm_password"
                )
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|e| {
                (
                    e.status(),
                    "The form could not be read. Go back and try again.",
                )
                    .into_response()
            })?;
        let mut map = HashMap::new();
        for (k, v) in &pairs {
            // A repeated field keeps its first value here; `all` has every value.
            map.entry(k.clone()).or_insert(v.clone());
        }
        Ok(FormData(map, pairs))
    }
}

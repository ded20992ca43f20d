//! RFC 9457 problem details for the JSON API: every refusal says what and, for bad
//! input, which field and why.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use together_app::AppError;
use together_domain::validate::FieldError;

/// What a 500 says: whether a write took effect is not known when the database failed
/// mid-request (issue 18: 3 of 12,365 "nothing was saved" replies had in fact committed).
pub const UNKNOWN_OUTCOME: &str = "Something went wrong, and whether the request took effect is not known. Read the resource (or list yours) before sending it again; a referral sent again with the same Idempotency-Key is never recorded twice. Quote the request_id if you ask for help.";

/// A problem (RFC 9457): what went wrong and, for bad input, which field and why.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    pub request_id: String,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        title: &str,
        detail: Option<String>,
        request_id: &str,
    ) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors: Vec::new(),
            request_id: request_id.into(),
        }
    }

    pub fn invalid(errors: Vec<FieldError>, request_id: &str) -> Problem {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Problem {
            kind: "https://together.invalid/problems/invalid-input".into(),
            title: "The request has invalid fields".into(),
            status: 422,
            detail: Some(detail),
            errors,
            request_id: request_id.into(),
        }
    }

    pub fn from_app(e: AppError, request_id: &str) -> Problem {
        match e {
            AppError::Invalid(v) => Problem::invalid(v.0, request_id),
            AppError::Forbidden(m) => {
                Problem::new(StatusCode::FORBIDDEN, "Forbidden", Some(m), request_id)
            }
            AppError::NotFound => {
                Problem::new(StatusCode::NOT_FOUND, "Not found", None, request_id)
            }
            AppError::Conflict(_) => Problem::new(
                StatusCode::CONFLICT,
                "Conflict",
                Some("The request conflicts with the record as it stands".into()),
                request_id,
            ),
            AppError::Unauthenticated => Problem::new(
                StatusCode::UNAUTHORIZED,
                "Unauthorised",
                Some("Send a valid bearer token".into()),
                request_id,
            ),
            AppError::Locked(m) => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                Some(m),
                request_id,
            ),
            e @ (AppError::Internal(_) | AppError::Store(_)) => {
                tracing::error!(request_id, cause = %e.chain(), "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error",
                    Some(UNKNOWN_OUTCOME.into()),
                    request_id,
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, serde_json::to_string(&self).unwrap_or_default()).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18: a 500 does not claim nothing was saved; it says the outcome is unknown
    /// and how to check.
    #[test]
    fn an_internal_error_says_the_outcome_is_unknown() {
        let p = Problem::from_app(AppError::Internal("database gone".into()), "r-1");
        assert_eq!(p.status, 500);
        let d = p.detail.unwrap();
        assert!(d.contains("not known") && !d.to_lowercase().contains("nothing was saved"));
        assert!(
            !d.contains("database gone"),
            "no cause is shown to the caller"
        );
    }
}

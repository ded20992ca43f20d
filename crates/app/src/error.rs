use together_domain::validate::ValidationErrors;
use together_store::StoreError;

/// What can go wrong in a service, in the terms the web layer answers with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input cannot be accepted: each field says why (400/422).
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// The access decision said no (403). The reason is safe to show the user.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No such thing, or not one the caller may know exists (404).
    #[error("not found")]
    NotFound,
    /// A conflicting write, e.g. a username already taken (409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Not signed in, or the session ended (401).
    #[error("not signed in")]
    Unauthenticated,
    /// Too many failed sign-ins (429).
    #[error("locked: {0}")]
    Locked(String),
    /// Something broke: logged with its cause, shown to users plainly (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Backend(m) => AppError::Internal(m),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Invalid(e)
    }
}

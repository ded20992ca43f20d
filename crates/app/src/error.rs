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
    /// The database failed: the store's error kept as the cause (500), logged once with
    /// its whole chain where the request ends.
    #[error("the database failed")]
    Store(#[source] StoreError),
}

impl AppError {
    /// This error and each of its causes, "a: b: c", for the one log line a failed
    /// request writes (never shown to the user).
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(e) = next {
            out.push_str(": ");
            out.push_str(&e.to_string());
            next = e.source();
        }
        out
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::NotFound(_) => AppError::NotFound,
            e @ (StoreError::Backend(_) | StoreError::Database { .. }) => AppError::Store(e),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Invalid(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_failure_keeps_its_cause_to_the_log() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "connection reset");
        let e: AppError = StoreError::database("could not write", io).into();
        assert!(matches!(e, AppError::Store(_)));
        let cause = std::error::Error::source(&e).expect("the store's error");
        assert!(cause.source().is_some(), "and the driver's under it");
        assert_eq!(
            e.chain(),
            "the database failed: database error: could not write: connection reset"
        );
        assert_eq!(
            e.to_string(),
            "the database failed",
            "what a user could be shown"
        );
    }
}

//! The one error model at the HTTP edge.
//!
//! Handlers return [`AppError`]; it travels inside the response untranslated, and the request
//! context layer (`api::context`) renders it once it knows the caller's language and kind:
//! JSON clients get `{"error":{"code","message","details"}}`, browsers a translated page.

use crate::domain::error_code::ErrorCode;
use crate::domain::validation::FieldError;
use crate::service::ServiceError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A failure to report to the caller.
#[derive(Debug, Clone)]
pub struct AppError {
    /// Stable code.
    pub code: ErrorCode,
    /// Failing fields of a validation error.
    pub fields: Vec<FieldError>,
    /// Extra machine-readable facts (never secrets or internals).
    pub details: Option<Box<serde_json::Value>>,
    /// Seconds to wait, for rate limits (also sent as `Retry-After`).
    pub retry_after: Option<u64>,
    /// Broken rulebook rules, serialised (`code`, parameters, `citation`), translated when
    /// rendered.
    pub rules: Vec<serde_json::Value>,
}

impl AppError {
    /// An error with just a code.
    pub fn new(code: ErrorCode) -> AppError {
        AppError {
            code,
            fields: Vec::new(),
            details: None,
            retry_after: None,
            rules: Vec::new(),
        }
    }

    /// Adds machine-readable details.
    pub fn with_details(mut self, details: serde_json::Value) -> AppError {
        self.details = Some(Box::new(details));
        self
    }

    /// The HTTP status of the code.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> AppError {
        let err = match err {
            ServiceError::Auction(hub) => return hub.into(),
            other => other,
        };
        let code = err.code();
        if matches!(
            code,
            ErrorCode::InternalError | ErrorCode::ServiceUnavailable
        ) {
            // Logged here, once, with the cause; the caller only sees the code.
            tracing::error!(error = %err, "request failed");
        }
        let mut app = AppError::new(code);
        match err {
            ServiceError::Validation(fields) => app.fields = fields,
            ServiceError::RateLimited { retry_after_secs } => {
                app.retry_after = Some(retry_after_secs)
            }
            ServiceError::IllegalTransition { from, action } => {
                app.details = Some(Box::new(
                    serde_json::json!({"from": from, "action": action}),
                ))
            }
            ServiceError::Rules(violations) => {
                app.rules = violations
                    .iter()
                    .filter_map(|v| serde_json::to_value(v).ok())
                    .collect()
            }
            ServiceError::Repo(crate::repository::RepoError::UniqueViolation(constraint)) => {
                tracing::warn!(constraint, "unique constraint refused a write");
            }
            ServiceError::CallOff(r) => app.details = Some(Box::new(r.details())),
            ServiceError::Opening { code, member } => {
                app.details = Some(Box::new(
                    serde_json::json!({"reason": code, "member": member}),
                ))
            }
            _ => {}
        }
        app
    }
}

impl From<crate::repository::RepoError> for AppError {
    fn from(err: crate::repository::RepoError) -> AppError {
        ServiceError::from(err).into()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // The body is a placeholder: the context layer replaces it with the translated one.
        let mut response = (self.status(), self.code.as_str().to_string()).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Result type of handlers.
pub type AppResult<T> = Result<T, AppError>;

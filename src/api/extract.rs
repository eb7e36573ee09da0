//! Request extractors whose failures speak the platform's error model.
//!
//! axum's own extractors answer malformed input with plain-text bodies; these wrappers turn
//! every rejection (bad JSON, wrong types, oversized bodies, invalid UTF-8 in a query string,
//! a non-numeric id) into an [`AppError`] with a stable code, so bad input always gets the same
//! translated answer and never reaches a handler.

use super::error::AppError;
use crate::domain::error_code::ErrorCode;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

fn body_error(status: StatusCode, fallback: ErrorCode, text: String) -> AppError {
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::RequestTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::RequestUnsupportedMediaType,
        _ => fallback,
    };
    let err = AppError::new(code);
    if code == fallback {
        // The parser's description (field, line, column) helps API clients fix their request;
        // it contains only what they sent, never server internals.
        err.with_details(serde_json::json!({ "reason": truncate(&text, 300) }))
    } else {
        err
    }
}

/// Whether every key and value of an `application/x-www-form-urlencoded` text decodes to valid
/// UTF-8. The standard parsers replace invalid bytes with U+FFFD silently; we refuse them
/// instead, so corrupted input never becomes stored text.
pub fn urlencoded_is_utf8(raw: &[u8]) -> bool {
    raw.split(|b| *b == b'&')
        .all(|pair| percent_encoding::percent_decode(pair).decode_utf8().is_ok())
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A JSON body. A whole number written with a fraction (`135.0`, `1e3`) is read as the
/// integer it is wherever an integer is expected: JSON has one number type, and JSON Schema
/// (the OpenAPI document's `integer`) counts `135.0` as an integer (issue 13: an outside
/// client's schema-valid bodies were refused). A real fraction (`135.5`) is still refused.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(mut value) = axum::Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(json_rejection)?;
        whole_numbers_as_integers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                // The words of axum's own extractor, which clients already saw.
                let reason =
                    format!("Failed to deserialize the JSON body into the target type: {e}");
                AppError::new(ErrorCode::RequestInvalidJson)
                    .with_details(serde_json::json!({ "reason": truncate(&reason, 300) }))
            })
    }
}

/// Turns every number of `value` that is a whole number written as a float into that integer,
/// when it fits one (`i64`, or `u64` above it); other numbers stay as they are.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            // 2⁶³ and 2⁶⁴, exact as floats: `as` would saturate beyond them.
            const I64_END: f64 = -(i64::MIN as f64);
            const U64_END: f64 = 2.0 * I64_END;
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0) {
                if (-I64_END..I64_END).contains(&f) {
                    *value = Value::from(f as i64);
                } else if (0.0..U64_END).contains(&f) {
                    *value = Value::from(f as u64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    body_error(
        rejection.status(),
        ErrorCode::RequestInvalidJson,
        rejection.body_text(),
    )
}

/// A URL-encoded form body. Parsed with `serde_html_form`, which (unlike axum's `Form`)
/// reads repeated keys such as several checked `roles` boxes into a list.
#[derive(Debug, Clone)]
pub struct WebForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for WebForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::new(ErrorCode::RequestUnsupportedMediaType));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                body_error(
                    rejection.status(),
                    ErrorCode::RequestInvalidForm,
                    rejection.body_text(),
                )
            })?;
        if !urlencoded_is_utf8(&bytes) {
            return Err(AppError::new(ErrorCode::RequestInvalidForm)
                .with_details(serde_json::json!({ "reason": "invalid UTF-8" })));
        }
        serde_html_form::from_bytes::<T>(&bytes)
            .map(WebForm)
            .map_err(|e| {
                AppError::new(ErrorCode::RequestInvalidForm)
                    .with_details(serde_json::json!({ "reason": truncate(&e.to_string(), 300) }))
            })
    }
}

/// A `multipart/form-data` body (file uploads). axum's own extractor answers a missing or
/// wrong `Content-Type` in plain text; this one answers 415 with the error model (issue 13).
pub struct ApiMultipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(|rejection| {
                AppError::new(ErrorCode::RequestUnsupportedMediaType).with_details(
                    serde_json::json!({ "reason": truncate(&rejection.body_text(), 300) }),
                )
            })
    }
}

/// Query-string parameters.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(query) = parts.uri.query()
            && !urlencoded_is_utf8(query.as_bytes())
        {
            return Err(AppError::new(ErrorCode::RequestInvalidQuery)
                .with_details(serde_json::json!({ "reason": "invalid UTF-8" })));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> AppError {
    AppError::new(ErrorCode::RequestInvalidQuery)
        .with_details(serde_json::json!({ "reason": truncate(&rejection.body_text(), 300) }))
}

/// Path parameters.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_rejection(rejection)),
        }
    }
}

fn path_rejection(rejection: PathRejection) -> AppError {
    AppError::new(ErrorCode::RequestInvalidPath)
        .with_details(serde_json::json!({ "reason": truncate(&rejection.body_text(), 300) }))
}

/// Paging parameters shared by list routes.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200, default 50).
    pub per_page: Option<i64>,
}

impl Paging {
    /// Rows per page, bounded.
    pub fn limit(&self) -> i64 {
        self.per_page.unwrap_or(50).clamp(1, 200)
    }

    /// Offset of the page's first row.
    pub fn offset(&self) -> i64 {
        (self.page.unwrap_or(1).clamp(1, 1_000_000) - 1) * self.limit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_floats_read_as_integers_and_fractions_stay() {
        let mut body = serde_json::json!({
            "lot": 135.0, "ids": [-2.0, 1e3, 7], "price": 12.5, "big": 1e300, "name": "1.0",
            "nested": {"quarter": -0.0}
        });
        whole_numbers_as_integers(&mut body);
        assert_eq!(
            body,
            serde_json::json!({
                "lot": 135, "ids": [-2, 1000, 7], "price": 12.5, "big": 1e300, "name": "1.0",
                "nested": {"quarter": 0}
            })
        );
        assert!(body["lot"].is_i64() && body["big"].is_f64());
        let mut edge = serde_json::json!([i64::MIN as f64, -(i64::MIN as f64)]);
        whole_numbers_as_integers(&mut edge);
        assert_eq!(edge, serde_json::json!([i64::MIN, 1u64 << 63]));
    }
}

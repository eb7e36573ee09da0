//! Static assets compiled into the binary (no CDN, no files needed at run time).

use super::error::AppError;
use super::extract::ApiPath;
use crate::domain::error_code::ErrorCode;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// (file name, content type, bytes).
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "tianguis.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/tianguis.css"),
    ),
    (
        "tianguis.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/tianguis.js"),
    ),
    (
        "auction.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/auction.js"),
    ),
    (
        "logo.svg",
        "image/svg+xml",
        include_bytes!("../../assets/logo.svg"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../assets/favicon.svg"),
    ),
];

fn etags() -> &'static Vec<String> {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|(_, _, bytes)| format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..16]))
            .collect()
    })
}

/// `GET /assets/{file}`, with a content hash as ETag so browsers revalidate cheaply.
pub async fn asset(ApiPath(file): ApiPath<String>, headers: HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|(name, _, _)| *name == file) else {
        return AppError::new(ErrorCode::ResourceNotFound).into_response();
    };
    let (_, content_type, bytes) = ASSETS[index];
    let etag = &etags()[index];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    response
}

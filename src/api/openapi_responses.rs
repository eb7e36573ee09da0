//! The answers every JSON operation can give besides its own, added to the OpenAPI document in
//! one place (issue 13, "The API's face": an outside client found secured operations without a
//! 401, most without a 403 or 415 and some without a 404 or 422).
//!
//! Which of them an operation can give follows from facts the document and the route table
//! already hold — who may call it, whether it has path or query parameters, whether it takes a
//! body — because the answers come from shared layers (the request context, the extractors of
//! `api::extract`, the body limit), not from each handler. An operation's own annotation wins
//! when it documents the same status.

use super::routes;
use crate::domain::role::Access;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Schema};

/// A shared answer: status, component name, description.
struct Standard {
    status: &'static str,
    name: &'static str,
    description: &'static str,
}

const BAD_REQUEST: Standard = Standard {
    status: "400",
    name: "BadRequest",
    description: "Malformed request: a path or query parameter of the wrong type or out of range, \
invalid UTF-8, or a body that is not valid JSON for the operation (`request.invalid_path`, \
`request.invalid_query`, `request.invalid_json`; `details.reason` or `details.parameter` says what).",
};
const UNAUTHORIZED: Standard = Standard {
    status: "401",
    name: "Unauthorized",
    description: "Not signed in (`auth.required`), or the `Authorization` header carries a token \
that is unknown, revoked or expired (`auth.invalid_token`; also on public operations).",
};
const FORBIDDEN: Standard = Standard {
    status: "403",
    name: "Forbidden",
    description: "The caller's role or relation to the record does not allow this \
(`auth.forbidden`, `auth.not_permitted`, `auth.account_disabled`), or a browser session sent no \
valid anti-forgery token (`csrf.invalid`).",
};
const NOT_FOUND: Standard = Standard {
    status: "404",
    name: "NotFound",
    description: "No such record, or one the caller may not see (`resource.not_found`).",
};
const TOO_LARGE: Standard = Standard {
    status: "413",
    name: "PayloadTooLarge",
    description: "The body exceeds the node's limit (`request.too_large`; `--body-limit`, larger \
for file uploads).",
};
const UNSUPPORTED: Standard = Standard {
    status: "415",
    name: "UnsupportedMediaType",
    description: "The body's `Content-Type` is missing or is not the one documented \
(`request.unsupported_media_type`).",
};
const UNPROCESSABLE: Standard = Standard {
    status: "422",
    name: "ValidationFailed",
    description: "Well-formed but refused: invalid fields (`validation.failed`, each in \
`details.fields` with `field`, `code` and `message`) or broken rulebook rules (`rule.violated`).",
};
const TOO_MANY: Standard = Standard {
    status: "429",
    name: "TooManyRequests",
    description: "Rate limit reached (`auth.rate_limited`); wait the seconds in `Retry-After` \
(also in `details.retry_after_secs`).",
};

/// Every shared answer, for the document's `components.responses`.
const ALL: [&Standard; 8] = [
    &BAD_REQUEST,
    &UNAUTHORIZED,
    &FORBIDDEN,
    &NOT_FOUND,
    &TOO_LARGE,
    &UNSUPPORTED,
    &UNPROCESSABLE,
    &TOO_MANY,
];

/// The component name of the shared answer with `status` (`422` → `ValidationFailed`).
pub fn shared_name(status: &str) -> Option<&'static str> {
    ALL.iter().find(|s| s.status == status).map(|s| s.name)
}

/// Operations a rate limit guards (issue 13: self-registration, sealed-bid replacement and
/// colleagues added by a firm; sign-in and live-auction bids before). Method and path.
const RATE_LIMITED: [(&str, &str); 4] = [
    ("post", "/api/suppliers"),
    ("post", "/api/tenders/{id}/bids"),
    ("post", "/api/me/colleagues"),
    ("post", "/api/auctions/{id}/bids"),
];

/// Adds the shared answers to the document (see the module's documentation).
pub struct StandardResponses;

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for standard in ALL {
            components
                .responses
                .insert(standard.name.to_string(), RefOr::T(response(standard)));
        }
        let table = routes();
        // The JSON API's answers; other paths (`/healthz`) answer errors as pages.
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/") {
                continue;
            }
            let operations = [
                ("get", item.get.as_mut()),
                ("put", item.put.as_mut()),
                ("post", item.post.as_mut()),
                ("delete", item.delete.as_mut()),
                ("patch", item.patch.as_mut()),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                let access = table
                    .iter()
                    .find(|r| r.method.as_str().eq_ignore_ascii_case(method) && r.path == path)
                    .map(|r| r.access.clone());
                let limited = RATE_LIMITED.contains(&(method, path.as_str()));
                complete(operation, access, limited);
            }
        }
    }
}

fn response(standard: &Standard) -> Response {
    let body = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    let mut builder = ResponseBuilder::new()
        .description(standard.description)
        .content("application/json", body);
    if standard.status == "429" {
        builder = builder.header(
            "Retry-After",
            utoipa::openapi::header::HeaderBuilder::new()
                .schema(Some(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::Integer),
                ))
                .description(Some("Seconds to wait before trying again."))
                .build(),
        );
    }
    builder.build()
}

/// Moves the description of a parameter's schema onto the parameter when it has none: utoipa
/// leaves a parameter built with `schema_with` (see `openapi_schemas`) without its own.
fn lift_descriptions(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        if parameter.description.is_some() {
            continue;
        }
        parameter.description = match &parameter.schema {
            Some(RefOr::T(Schema::Object(o))) => o.description.clone(),
            Some(RefOr::T(Schema::AnyOf(a))) => a.description.clone(),
            _ => None,
        };
    }
}

/// The shared answers one operation can give, added where its annotation is silent.
fn complete(operation: &mut Operation, access: Option<Access>, rate_limited: bool) {
    lift_descriptions(operation);
    let parameters: Vec<ParameterIn> = operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p.parameter_in.clone()),
            RefOr::Ref(_) => None,
        })
        .collect();
    let has_path = parameters.iter().any(|p| matches!(p, ParameterIn::Path));
    let has_query = parameters.iter().any(|p| matches!(p, ParameterIn::Query));
    let has_body = operation.request_body.is_some();
    let secured = matches!(access, Some(Access::Authenticated | Access::AnyOf(_)));
    if secured && operation.security.is_none() {
        operation.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
    let mut add = |standard: &Standard| {
        operation
            .responses
            .responses
            .entry(standard.status.to_string())
            .or_insert_with(|| {
                RefOr::Ref(Ref::new(format!(
                    "#/components/responses/{}",
                    standard.name
                )))
            });
    };
    // Any operation: a bad token is refused before the handler runs, public or not.
    add(&UNAUTHORIZED);
    // A body may also come from a browser form, which needs the anti-forgery token.
    if secured || has_body {
        add(&FORBIDDEN);
    }
    if has_path || has_query || has_body {
        add(&BAD_REQUEST);
    }
    if has_path {
        add(&NOT_FOUND);
    }
    if has_body {
        add(&TOO_LARGE);
        add(&UNSUPPORTED);
        add(&UNPROCESSABLE);
    }
    if rate_limited {
        add(&TOO_MANY);
    }
}

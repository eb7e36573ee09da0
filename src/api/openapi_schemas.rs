//! Schemas of query parameters whose values the handlers restrict, so the OpenAPI document says
//! what a handler accepts (issue 13: an outside client's schema-valid requests were refused
//! because enums, dates and limits were only in the handlers). Each handler's query type
//! points here with `#[param(schema_with = …)]` and passes the same list it checks against.
//!
//! utoipa drops a parameter's doc comment when `schema_with` is used, so these schemas carry
//! the description and `openapi_responses` lifts it onto the parameter.

use utoipa::Modify;
use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, SchemaFormat, Type};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema};

/// A string that is one of `values`. Query parameters that treat an empty value as absent (as
/// HTML forms send an unselected choice) list `""` among the values.
pub fn one_of(values: &[&str], description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.iter().copied()))
        .into()
}

/// An instant (RFC 3339) or a day (`YYYY-MM-DD`, UTC), as `Timestamp::parse` reads them; empty
/// means absent.
pub fn instant_or_day(description: &str) -> RefOr<Schema> {
    let format = |f: KnownFormat| -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(f)))
            .into()
    };
    AnyOfBuilder::new()
        .item(format(KnownFormat::DateTime))
        .item(format(KnownFormat::Date))
        .item(one_of(&[""], "Absent."))
        .description(Some(description))
        .into()
}

/// A positive amount with at most two decimals and a decimal point (`1250.50`), as
/// `domain::money::parse_positive` reads it; empty means absent.
pub fn amount(description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(
            r"^([1-9][0-9]{0,11}(\.[0-9]{1,2})?|0\.([1-9][0-9]?|0[1-9]))?$",
        ))
        .into()
}

/// What a `multipart/form-data` part's name can be: it travels quoted in the part's
/// `Content-Disposition` header, which carries no control characters and ends at a double quote
/// (RFC 7578, 4.2). Other names cannot be sent, so a client generating them from the schema
/// (issue 13: Schemathesis, whose extra parts named `"\x0cM\x04S"` the server could not read)
/// must be told; unknown parts with sendable names are ignored.
pub struct MultipartPartNames;

impl Modify for MultipartPartNames {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut names = Vec::new();
        for item in openapi.paths.paths.values() {
            let operations = [&item.post, &item.put, &item.patch];
            for operation in operations.into_iter().flatten() {
                let Some(RefOr::T(body)) = &operation.request_body else {
                    continue;
                };
                let content = &body.content;
                for (media_type, content) in content {
                    if let ("multipart/form-data", RefOr::T(content)) =
                        (media_type.as_str(), content)
                        && let Some(RefOr::Ref(r)) = &content.schema
                    {
                        names.extend(r.ref_location.rsplit('/').next().map(str::to_string));
                    }
                }
            }
        }
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for name in names {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
                object.property_names = Some(Box::new(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(r#"^[^\x00-\x1F\x7F"]*$"#))
                        .into(),
                ));
            }
        }
    }
}

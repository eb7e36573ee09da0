//! `ocds validate`: schema and codelist checks with the file, line and JSON pointer of each.
//!
//! Why these rules (issue 5: "schema and codelist errors with the file, line and JSON pointer of
//! each, a summary, and a non-zero exit when any error is found"; every release Tianguis
//! publishes must validate against "the official 1.1.5 schema with the extensions patched in"):
//!
//! - each release (and each embedded release and compiled release of a record) is validated
//!   against the vendored patched 1.1.5 release schema (JSON Schema draft 4, formats included);
//! - package metadata is validated against the 1.1.5 release/record package schema with its
//!   `releases`/`records` checked one by one instead (so a package is never held in memory);
//!   records are validated against the package schema's `record` definition;
//! - codelists: a value outside a *closed* codelist is an error (`ocds.validate.codelist`,
//!   reported instead of the schema's duplicate `enum` error); outside an *open* codelist it is a
//!   warning (`ocds.validate.open_codelist`), as the OCDS documentation on codelists says;
//! - whatever the reader refuses (invalid JSON, missing ids…) is an error with the reader's code.
//!
//! No network: the schemas' remote `$ref`s to the unpatched release schema are replaced by the
//! embedded patched one.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::read::{Input, Item, Kind, Location, ReadOptions, Reader};
use crate::schema;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Breaks the schema or a closed codelist (exit code 1).
    Error,
    /// A value outside an open codelist.
    Warning,
}

/// One problem found.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code: `ocds.validate.schema`, `ocds.validate.codelist`,
    /// `ocds.validate.open_codelist`, or a reader code such as `ocds.invalid_json`.
    pub code: &'static str,
    /// File, line and pointer of the offending value.
    pub location: Location,
    /// Human explanation.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}: {severity}: {} [{}]",
            self.location, self.message, self.code
        )
    }
}

/// Counts of a validation run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Items (releases, records) checked.
    pub items: u64,
    /// Errors found.
    pub errors: u64,
    /// Warnings found.
    pub warnings: u64,
    /// Findings per code.
    pub by_code: std::collections::BTreeMap<&'static str, u64>,
}

/// Errors building the validators (a defect of the embedded schemas, not of the input).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the {which} validator: {message}")]
pub struct SchemaBuildError {
    which: &'static str,
    message: String,
}

impl SchemaBuildError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        "ocds.validate.schema_build"
    }
}

/// Compiled validators and codelists, built once and reused for every item.
pub struct Validator {
    release: jsonschema::Validator,
    release_package: jsonschema::Validator,
    record_package: jsonschema::Validator,
    record: jsonschema::Validator,
    schema: Value,
    codelists: HashMap<&'static str, HashSet<String>>,
}

const RELEASE_REF_PREFIX: &str = "https://standard.open-contracting.org/schema/";

/// Replace remote `$ref`s: to the release schema by a stand-in that only asks for an object
/// with the release's required fields (releases are validated on their own), others by `{}`.
fn localize(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("$ref")
                && reference.starts_with(RELEASE_REF_PREFIX)
            {
                let stand_in = if reference.ends_with("/release-schema.json") {
                    json!({"type": "object", "required": ["ocid", "id", "date", "tag", "initiationType"]})
                } else {
                    json!({})
                };
                *value = stand_in;
                return;
            }
            for v in object.values_mut() {
                localize(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(localize),
        _ => {}
    }
}

fn build(which: &'static str, schema: &Value) -> Result<jsonschema::Validator, SchemaBuildError> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .offline()
        .build(schema)
        .map_err(|e| SchemaBuildError {
            which,
            message: e.to_string(),
        })
}

fn parse(which: &'static str, text: &str) -> Result<Value, SchemaBuildError> {
    serde_json::from_str(text).map_err(|e| SchemaBuildError {
        which,
        message: e.to_string(),
    })
}

impl Validator {
    /// Build the validators from the embedded schemas.
    pub fn new() -> Result<Self, SchemaBuildError> {
        let release_schema = parse("release", schema::RELEASE_SCHEMA_PATCHED)?;
        let mut release_package = parse("release package", schema::RELEASE_PACKAGE_SCHEMA)?;
        localize(&mut release_package);
        let mut record_package = parse("record package", schema::RECORD_PACKAGE_SCHEMA)?;
        localize(&mut record_package);
        let record = json!({
            "$ref": "#/definitions/record",
            "definitions": record_package.get("definitions").cloned().unwrap_or(Value::Null),
        });
        // Package metadata is checked with its releases/records replaced by one stand-in entry.
        if let Some(items) = record_package.pointer_mut("/properties/records/items") {
            *items = json!({});
        }
        let codelists = schema::CODELISTS
            .iter()
            .map(|c| (c.name, codes(c.csv)))
            .collect();
        Ok(Validator {
            release: build("release", &release_schema)?,
            release_package: build("release package", &release_package)?,
            record_package: build("record package", &record_package)?,
            record: build("record", &record)?,
            schema: release_schema,
            codelists,
        })
    }

    /// Check one item from the reader; findings are appended to `out`.
    pub fn check_item(&self, item: &Item, out: &mut Vec<Finding>) {
        match item.kind {
            Kind::Record => {
                self.check_with(&self.record, &item.value, &item.location, out, false);
                if let Some(Value::Array(releases)) = item.value.get("releases") {
                    for (i, release) in releases.iter().enumerate() {
                        if release.get("ocid").is_some() {
                            let location = sub(&item.location, &format!("/releases/{i}"));
                            self.check_release(release, &location, out);
                        }
                    }
                }
                if let Some(compiled) = item.value.get("compiledRelease") {
                    let location = sub(&item.location, "/compiledRelease");
                    self.check_release(compiled, &location, out);
                }
            }
            _ => self.check_release(&item.value, &item.location, out),
        }
    }

    /// Check a package's metadata (everything but its releases or records).
    pub fn check_package(
        &self,
        metadata: &Map<String, Value>,
        kind: Kind,
        location: &Location,
        out: &mut Vec<Finding>,
    ) {
        let mut probe = metadata.clone();
        let validator = if kind == Kind::RecordPackage {
            probe.insert("records".into(), json!([{}]));
            &self.record_package
        } else {
            probe.insert(
                "releases".into(),
                json!([{"ocid": "-", "id": "-", "date": "-", "tag": [], "initiationType": "-"}]),
            );
            &self.release_package
        };
        self.check_with(validator, &Value::Object(probe), location, out, false);
    }

    fn check_release(&self, release: &Value, location: &Location, out: &mut Vec<Finding>) {
        let mark = out.len();
        self.check_codelists(
            release,
            &self.schema,
            location,
            &mut location.pointer.clone(),
            out,
        );
        let closed: HashSet<String> = out[mark..]
            .iter()
            .filter(|f| f.code == "ocds.validate.codelist")
            .map(|f| f.location.pointer.clone())
            .collect();
        let mut schema_findings = Vec::new();
        self.check_with(&self.release, release, location, &mut schema_findings, true);
        // A closed-codelist violation is reported once, as a codelist error.
        schema_findings.retain(|f| {
            !(f.message.starts_with("[enum] ") && closed.contains(&f.location.pointer))
        });
        for f in &mut schema_findings {
            if let Some(rest) = f.message.strip_prefix("[enum] ") {
                f.message = rest.to_owned();
            }
        }
        out.extend(schema_findings);
    }

    fn check_with(
        &self,
        validator: &jsonschema::Validator,
        instance: &Value,
        location: &Location,
        out: &mut Vec<Finding>,
        tag_enums: bool,
    ) {
        for error in validator.iter_errors(instance) {
            let pointer = format!("{}{}", location.pointer, error.instance_path().as_str());
            let is_enum = matches!(
                error.kind(),
                jsonschema::error::ValidationErrorKind::Enum { .. }
            );
            let message = if tag_enums && is_enum {
                format!("[enum] {error}")
            } else {
                error.to_string()
            };
            out.push(Finding {
                severity: Severity::Error,
                code: "ocds.validate.schema",
                location: Location {
                    pointer,
                    ..location.clone()
                },
                message,
            });
        }
    }

    /// Walk the instance alongside the schema, checking every field that names a codelist.
    fn check_codelists(
        &self,
        instance: &Value,
        schema: &Value,
        location: &Location,
        pointer: &mut String,
        out: &mut Vec<Finding>,
    ) {
        let schema = deref(&self.schema, schema);
        match instance {
            Value::Object(object) => {
                let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                    return;
                };
                for (key, value) in object {
                    let Some(property) = properties.get(key) else {
                        continue;
                    };
                    let property = deref(&self.schema, property);
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    if let Some(Value::String(codelist)) = property.get("codelist") {
                        let open = property
                            .get("openCodelist")
                            .and_then(Value::as_bool)
                            .unwrap_or(false);
                        self.check_codes(value, codelist, open, location, pointer, out);
                    } else {
                        self.check_codelists(value, property, location, pointer, out);
                    }
                    pointer.truncate(len);
                }
            }
            Value::Array(items) => {
                let Some(item_schema) = schema.get("items") else {
                    return;
                };
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push_str(&format!("/{i}"));
                    self.check_codelists(item, item_schema, location, pointer, out);
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
    }

    fn check_codes(
        &self,
        value: &Value,
        codelist: &str,
        open: bool,
        location: &Location,
        pointer: &str,
        out: &mut Vec<Finding>,
    ) {
        let Some(codes) = self.codelists.get(codelist) else {
            return;
        };
        let mut check = |code: &str, pointer: String| {
            if codes.contains(code) {
                return;
            }
            out.push(Finding {
                severity: if open {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                code: if open {
                    "ocds.validate.open_codelist"
                } else {
                    "ocds.validate.codelist"
                },
                location: Location {
                    pointer,
                    ..location.clone()
                },
                message: format!(
                    "{code:?} is not in the {} codelist {codelist}",
                    if open { "open" } else { "closed" }
                ),
            });
        };
        match value {
            Value::String(code) => check(code, pointer.to_owned()),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::String(code) = item {
                        check(code, format!("{pointer}/{i}"));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The target of a schema's local `$ref` (the value itself if it has none or it is broken).
fn deref<'a>(root: &'a Value, value: &'a Value) -> &'a Value {
    crate::rules::deref(root, value).unwrap_or(value)
}

fn sub(location: &Location, suffix: &str) -> Location {
    Location {
        pointer: format!("{}{suffix}", location.pointer),
        ..location.clone()
    }
}

/// The `Code` column of a codelist CSV (codes never contain commas or quotes in OCDS).
fn codes(csv: &str) -> HashSet<String> {
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default();
    let column = header
        .split(',')
        .position(|h| h.trim() == "Code")
        .unwrap_or(0);
    lines
        .filter_map(|line| line.split(',').nth(column))
        .map(|code| code.trim().trim_matches('"').to_owned())
        .filter(|code| !code.is_empty())
        .collect()
}

/// Validate every item of `inputs`, calling `report` for each finding; returns the summary.
pub fn validate(
    inputs: Vec<Input>,
    options: ReadOptions,
    validator: &Validator,
    report: &mut dyn FnMut(&Finding),
) -> Summary {
    let mut summary = Summary::default();
    let mut last_package: Option<Arc<crate::read::Package>> = None;
    let mut findings = Vec::new();
    for item in Reader::new(inputs, options) {
        findings.clear();
        match item {
            Ok(item) => {
                summary.items += 1;
                if let Some(package) = &item.package
                    && !last_package
                        .as_ref()
                        .is_some_and(|p| Arc::ptr_eq(p, package))
                {
                    let mut location = item.location.clone();
                    location.pointer = String::new();
                    validator.check_package(
                        &package.metadata,
                        package.kind,
                        &location,
                        &mut findings,
                    );
                    last_package = Some(package.clone());
                }
                validator.check_item(&item, &mut findings);
            }
            Err(e) => findings.push(Finding {
                severity: Severity::Error,
                code: e.code(),
                location: e.location.clone(),
                message: e.kind.to_string(),
            }),
        }
        for finding in &findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
            }
            *summary.by_code.entry(finding.code).or_default() += 1;
            report(finding);
        }
    }
    summary
}

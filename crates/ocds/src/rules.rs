//! Merge rules derived from a release schema.
//!
//! Why derive them instead of hard-coding: the OCDS merge routine is defined by the schema
//! ("Merging", <https://standard.open-contracting.org/1.1/en/schema/merging/>): every field that
//! sets `omitWhenMerged` is dropped, every array that sets `wholeListMerge` (or whose items are
//! not objects, or are objects without an `id` property) is replaced whole, and arrays of objects
//! with an `id` are merged by identifier. Extensions (bid, lots, medicines) add fields and arrays,
//! so the rules must follow whatever patched schema is in use. The algorithm mirrors
//! `ocdsmerge.rules.get_merge_rules` (the reference implementation used by `ocdskit compile`),
//! including its treatment of `$ref` (a `$ref` object is replaced by its target; sibling keywords
//! are ignored, as `jsonref` does) and of the deprecated 1.0 `mergeStrategy` keywords.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

/// The rule that applies to one field path (object keys only; array positions are transparent,
/// as in the specification's rule paths such as `awards.suppliers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRule {
    /// `omitWhenMerged: true` (or 1.0 `mergeStrategy: ocdsOmit`): the field never reaches a
    /// compiled or versioned release.
    Omit,
    /// `wholeListMerge: true` (or 1.0 `mergeStrategy: ocdsVersion`), or an array whose items are
    /// not objects with an `id`: the newest value replaces the older one entirely.
    WholeList,
}

/// A node of the rule tree: the rule at this path (if any) and the rules below it.
#[derive(Debug, Default, Clone)]
pub(crate) struct RuleNode {
    pub(crate) rule: Option<MergeRule>,
    pub(crate) children: HashMap<String, RuleNode, rustc_hash::FxBuildHasher>,
}

/// Errors raised while reading merge rules from a schema.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The schema is not an object with `properties`.
    #[error("the release schema has no top-level `properties` object")]
    NoProperties,
    /// A `$ref` points outside the document or nowhere.
    #[error("unresolvable $ref {0:?} (only local `#/...` references are supported)")]
    UnresolvableRef(String),
    /// `$ref`s form a cycle, or nesting is deeper than any OCDS schema.
    #[error("schema nesting deeper than {0} levels (cyclic $ref?)")]
    TooDeep(usize),
    /// The schema text is not JSON.
    #[error("schema is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl SchemaError {
    /// Stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            SchemaError::NoProperties => "ocds.schema.no_properties",
            SchemaError::UnresolvableRef(_) => "ocds.schema.unresolvable_ref",
            SchemaError::TooDeep(_) => "ocds.schema.too_deep",
            SchemaError::Json(_) => "ocds.schema.invalid_json",
        }
    }
}

/// The full set of merge rules of one release schema.
#[derive(Debug, Clone)]
pub struct MergeRules {
    pub(crate) root: RuleNode,
}

const MAX_DEPTH: usize = 64;

impl MergeRules {
    /// Derive the rules from a (dereferenced or not) release schema, as
    /// `ocdsmerge.rules.get_merge_rules` does.
    pub fn from_schema(schema: &Value) -> Result<Self, SchemaError> {
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .ok_or(SchemaError::NoProperties)?;
        let mut root = RuleNode::default();
        collect(schema, properties, &mut root, 0)?;
        Ok(MergeRules { root })
    }

    /// The rules of the vendored OCDS 1.1.5 release schema patched with the bid, lots and
    /// medicines extensions — what Tianguis publishes (issue 5) and the default of `ocds compile`.
    pub fn patched() -> &'static MergeRules {
        static RULES: OnceLock<MergeRules> = OnceLock::new();
        RULES.get_or_init(|| {
            // The embedded schema is a compile-time constant checked by the tests, so failing
            // here would be a build defect, not an input error.
            let schema: Value =
                serde_json::from_str(crate::schema::RELEASE_SCHEMA_PATCHED).unwrap_or(Value::Null);
            MergeRules::from_schema(&schema).unwrap_or(MergeRules {
                root: RuleNode::default(),
            })
        })
    }

    /// The rule at a dotted field path such as `awards.suppliers` (array levels omitted).
    pub fn rule_at(&self, path: &str) -> Option<MergeRule> {
        let mut node = &self.root;
        for part in path.split('.') {
            node = node.children.get(part)?;
        }
        node.rule
    }

    /// Every path that carries a rule, sorted, as dotted strings (for reports and tests).
    pub fn list(&self) -> Vec<(String, MergeRule)> {
        fn walk(node: &RuleNode, prefix: &str, out: &mut Vec<(String, MergeRule)>) {
            for (key, child) in &node.children {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                if let Some(rule) = child.rule {
                    out.push((path.clone(), rule));
                }
                walk(child, &path, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.root, "", &mut out);
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// Follow `$ref`s (replacing the object by its target, like `jsonref`).
pub(crate) fn deref<'a>(root: &'a Value, mut value: &'a Value) -> Result<&'a Value, SchemaError> {
    for _ in 0..MAX_DEPTH {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference
                    .strip_prefix('#')
                    .ok_or_else(|| SchemaError::UnresolvableRef(reference.to_owned()))?;
                value = root
                    .pointer(pointer)
                    .ok_or_else(|| SchemaError::UnresolvableRef(reference.to_owned()))?;
            }
            None => return Ok(value),
        }
    }
    Err(SchemaError::TooDeep(MAX_DEPTH))
}

fn types(value: &Value) -> Vec<&str> {
    match value.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

fn collect(
    root: &Value,
    properties: &serde_json::Map<String, Value>,
    node: &mut RuleNode,
    depth: usize,
) -> Result<(), SchemaError> {
    if depth > MAX_DEPTH {
        return Err(SchemaError::TooDeep(MAX_DEPTH));
    }
    for (key, value) in properties {
        let value = deref(root, value)?;
        let kinds = types(value);
        let strategy = value.get("mergeStrategy").and_then(Value::as_str);
        let mut child = RuleNode::default();
        if truthy(value.get("omitWhenMerged")) || strategy == Some("ocdsOmit") {
            child.rule = Some(MergeRule::Omit);
        } else if kinds.contains(&"array")
            && (truthy(value.get("wholeListMerge")) || strategy == Some("ocdsVersion"))
        {
            child.rule = Some(MergeRule::WholeList);
        } else if kinds.contains(&"object")
            && let Some(props) = value.get("properties").and_then(Value::as_object)
        {
            collect(root, props, &mut child, depth + 1)?;
        } else if kinds.contains(&"array")
            && let Some(items) = value.get("items")
        {
            let items = deref(root, items)?;
            let item_types = types(items);
            let item_props = items.get("properties").and_then(Value::as_object);
            if item_types.iter().any(|t| *t != "object") {
                child.rule = Some(MergeRule::WholeList);
            } else if item_types.contains(&"object")
                && let Some(props) = item_props
            {
                if props.contains_key("id") {
                    collect(root, props, &mut child, depth + 1)?;
                } else {
                    child.rule = Some(MergeRule::WholeList);
                }
            }
        }
        if child.rule.is_some() || !child.children.is_empty() {
            node.children.insert(key.clone(), child);
        }
    }
    Ok(())
}

//! Tianguis OCDS toolkit: read any OCDS container as a stream, upgrade 1.0 to 1.1, merge
//! releases into compiled and versioned releases, and validate against the patched 1.1.5 schema.
//!
//! Why a separate pure library: the same code serves the `tianguis ocds …` commands (issue 5,
//! "Toolkit"), the platform's own record publication (issue 5, "Publication", which calls
//! [`Merger`]) and the importer (which reads with [`read::Reader`]), with no database or web
//! framework involved.
//!
//! Modules, in the order data flows:
//! - [`read`]: format detection, gzip, JSON lines, two-pass streaming of large documents;
//! - [`upgrade`]: OCDS 1.0 → 1.1, as ocdskit does it;
//! - [`rules`] and [`merge`]: merge rules derived from the schema, compiled/versioned releases;
//! - [`compile`]: the bounded-memory grouping by ocid and parallel merging of `ocds compile`;
//! - [`validate`]: JSON Schema and codelist checks;
//! - [`cli`]: the `compile`, `validate` and `upgrade` subcommands.

#![warn(missing_docs)]

pub mod cli;
pub mod compile;
pub mod json;
pub mod merge;
pub mod read;
pub mod rules;
mod scan;
pub mod schema;
pub mod upgrade;
pub mod validate;

pub use json::Json;
pub use merge::{MergeError, Merger, Mode, compile, versioned};
pub use rules::{MergeRule, MergeRules};

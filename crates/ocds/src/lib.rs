//! Tianguis OCDS toolkit: read any OCDS container as a stream, upgrade 1.0 to 1.1, merge
//! releases into compiled and versioned releases, and validate against the patched 1.1.5 schema.
//!
//! Why a separate pure library: the same code serves the `tianguis ocds …` commands (issue 5,
//! "Toolkit"), the platform's own record publication (issue 5, "Publication", which calls
//! [`merge::Merger`]) and the importer, with no database or web framework involved.

pub mod json;
pub mod merge;
pub mod read;
pub mod rules;
pub mod schema;
pub mod upgrade;

pub use json::Json;
pub use merge::{MergeError, Merger, Mode, compile, versioned};
pub use rules::{MergeRule, MergeRules};

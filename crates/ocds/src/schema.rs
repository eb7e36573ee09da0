//! The OCDS schema files embedded in the binary.
//!
//! Why embedded: the toolkit must run on any machine with no network and no `../shared`
//! checkout (issue 5, "usable on any OCDS data, no server needed"). The files are vendored
//! verbatim under `crates/ocds/schema/` (Apache-2.0, see `schema/NOTICE.md`) and a test keeps
//! them equal to `../shared/ocds/`.

/// OCDS 1.1.5 release schema patched with the bid, lots, medicines, techniques and metrics
/// extensions.
pub const RELEASE_SCHEMA_PATCHED: &str = include_str!("../schema/release-schema-patched.json");
/// OCDS 1.1.5 release package schema (its `releases` items are checked against the patched
/// release schema instead of the unpatched URL it references).
pub const RELEASE_PACKAGE_SCHEMA: &str =
    include_str!("../schema/schema-1.1.5/release-package-schema.json");
/// OCDS 1.1.5 record package schema.
pub const RECORD_PACKAGE_SCHEMA: &str =
    include_str!("../schema/schema-1.1.5/record-package-schema.json");

/// One codelist: its file name (as referenced by a schema's `codelist` keyword) and CSV text.
pub struct Codelist {
    /// File name, e.g. `method.csv`.
    pub name: &'static str,
    /// CSV text with a `Code` column.
    pub csv: &'static str,
}

macro_rules! codelists {
    ($($dir:literal / $name:literal),* $(,)?) => {
        /// Every codelist of OCDS 1.1.5 and of the bid, lots, medicines and techniques extensions.
        pub const CODELISTS: &[Codelist] = &[
            $(Codelist { name: $name, csv: include_str!(concat!("../schema/", $dir, "/codelists/", $name)) }),*
        ];
    };
}

codelists!(
    "schema-1.1.5" / "awardCriteria.csv",
    "schema-1.1.5" / "awardStatus.csv",
    "schema-1.1.5" / "contractStatus.csv",
    "schema-1.1.5" / "currency.csv",
    "schema-1.1.5" / "documentType.csv",
    "schema-1.1.5" / "extendedProcurementCategory.csv",
    "schema-1.1.5" / "initiationType.csv",
    "schema-1.1.5" / "itemClassificationScheme.csv",
    "schema-1.1.5" / "method.csv",
    "schema-1.1.5" / "milestoneStatus.csv",
    "schema-1.1.5" / "milestoneType.csv",
    "schema-1.1.5" / "partyRole.csv",
    "schema-1.1.5" / "procurementCategory.csv",
    "schema-1.1.5" / "relatedProcess.csv",
    "schema-1.1.5" / "relatedProcessScheme.csv",
    "schema-1.1.5" / "releaseTag.csv",
    "schema-1.1.5" / "submissionMethod.csv",
    "schema-1.1.5" / "tenderStatus.csv",
    "schema-1.1.5" / "unitClassificationScheme.csv",
    "extensions/bid" / "bidStatistics.csv",
    "extensions/bid" / "bidStatus.csv",
    "extensions/medicines" / "administrationRoute.csv",
    "extensions/medicines" / "dosageForm.csv",
    "extensions/medicines" / "immediateContainer.csv",
    "extensions/techniques" / "dynamicPurchasingSystemStatus.csv",
    "extensions/techniques" / "dynamicPurchasingSystemType.csv",
    "extensions/techniques" / "frameworkAgreementMethod.csv",
);

/// Paths (relative to `crates/ocds/schema/` and to `../shared/ocds/`) of every vendored file,
/// for the test that keeps the copies equal to the originals.
pub const VENDORED_FILES: &[&str] = &[
    "release-schema-patched.json",
    "schema-1.1.5/release-schema.json",
    "schema-1.1.5/release-package-schema.json",
    "schema-1.1.5/record-package-schema.json",
    "schema-1.1.5/versioned-release-validation-schema.json",
    "extensions/bid/extension.json",
    "extensions/bid/release-schema.json",
    "extensions/lots/extension.json",
    "extensions/lots/release-schema.json",
    "extensions/medicines/extension.json",
    "extensions/medicines/release-schema.json",
    "extensions/techniques/extension.json",
    "extensions/techniques/release-schema.json",
    "extensions/metrics/extension.json",
    "extensions/metrics/release-schema.json",
];

//! GS1 identification keys as Tianguis reads them.
//!
//! Medicines and supplies reach a public health institution with GS1 barcodes: the box says
//! which trade item it is (its GTIN) and, from issue 15 on, which batch, which expiry date and
//! which serial number (the element strings of Application Identifiers 01, 17, 10 and 21). A
//! supplier's product card (issue 14) names the GTIN of what it delivers; the goods receipt
//! will scan the same number. A number typed wrong would tie deliveries to the wrong product,
//! so every GTIN is checked against its check digit before it is stored.
//!
//! The crate is pure (no I/O, no web or database types), so the rules can be tested alone and
//! used by the platform, its command line and any other tool. The rules are the GS1 General
//! Specifications' (GS1, Release 24.0, January 2024); each function cites its section.
//!
//! * [`gtin`]: GTIN-8, GTIN-12, GTIN-13 and GTIN-14, validated and normalised to GTIN-14.

pub mod gtin;

pub use gtin::{Gtin, GtinError, check_digit};

//! Tianguis: fair and equitable public procurement and supply.
//!
//! The folders are the architecture (after the Dutch Electoral Council's abacus backend):
//! - [`api`]: HTTP handlers and pages, one module per resource;
//! - [`service`]: workflows, each in one transaction with its audit event;
//! - [`repository`]: SQL, one query code path for SQLite and PostgreSQL;
//! - [`domain`]: pure types and rules shared by all, no I/O;
//! - [`i18n`]: Spanish and English messages; [`format`]: money, numbers and dates for people;
//! - [`server`] and [`cli`]: starting a node and the command line;
//! - [`bench`]: load generators whose figures go to `docs/benchmarks.md`.
//!
//! Pure algorithms with a clear boundary live in their own crates under `crates/`
//! (OCDS toolkit, red-flag indicators, auction rules).

pub mod api;
pub mod bench;
pub mod cli;
pub mod config;
pub mod domain;
pub mod format;
pub mod i18n;
pub mod report;
pub mod repository;
pub mod server;
pub mod service;

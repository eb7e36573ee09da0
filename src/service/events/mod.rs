//! The events each workflow records in the audit log (issue 14): one type per kind of event
//! ([`AuditAction`](crate::domain::audit::AuditAction)), implementing
//! [`AsAuditEvent`](crate::domain::audit_event::AsAuditEvent), in a module named after the
//! service module that records it.
//!
//! An event type holds what the log shows of the change: borrowed records and the few values
//! around them. The JSON it writes is, byte for byte, the JSON the untyped code wrote for the
//! same change (each module's tests compare the two), so the chain of stored events is
//! unaffected. A new workflow adds its kind to `AuditAction` (with its sentences), its type
//! here, and ends with `service::audit::commit_with`.

pub mod auctions;
pub mod auth;
pub mod awards;
pub mod bids;
pub mod catalogue;
pub mod demo;
pub mod evaluation;
pub mod imports;
pub mod load_data;
pub mod plan;
pub mod suppliers;
pub mod tenders;
pub mod tokens;
pub mod users;
pub mod webhooks;
pub mod workspace;

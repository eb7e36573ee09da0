//! Pure domain types and rules: no I/O, no database, no HTTP. Everything here can be tested,
//! fuzzed and reasoned about alone; the service layer composes it with the repositories.

pub mod agreement;
pub mod audit;
pub mod audit_event;
pub mod bid;
pub mod catalogue;
pub mod error_code;
pub mod evaluation;
pub mod lang;
pub mod money;
pub mod nit;
pub mod product_card;
pub mod role;
pub mod search;
pub mod supplier;
pub mod tender;
pub mod time;
pub mod unit;
pub mod user;
pub mod validation;

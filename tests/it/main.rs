//! Integration tests: every case runs against a real node over HTTP, once on SQLite and once
//! on a throwaway PostgreSQL cluster (see `support`).

mod agreements;
mod auction_faults;
mod auctions;
mod audit_log;
mod auth;
mod browser;
mod charts;
mod contract;
mod crash;
mod dashboards;
mod demo;
mod desks;
mod doors;
mod errors;
mod esourcing;
mod findability;
mod forms;
mod front;
mod matrix;
mod ocds_import;
mod open_data;
mod plan;
mod platform;
mod product_cards;
mod registry;
mod reload;
mod support;
mod sweep;
mod tender_list;
mod units;
mod users;

//! Workflows: each public function is one thing a user does, run in one transaction that
//! also appends its audit event (a type of `events`) and ends with `audit::commit_with`. Services take explicit inputs (the acting user, the data),
//! call `domain/` for rules and `repository/` for storage, and never know about HTTP.

pub mod agreements;
pub mod auctions;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod bids;
pub mod call_offs;
pub mod catalogue;
pub mod dashboards;
pub mod demo;
pub mod demo_agreements;
pub mod demo_bases;
pub mod demo_prices;
pub mod demo_products;
pub mod demo_units;
pub mod demo_year;
pub mod evaluation;
pub mod events;
pub mod figures;
pub mod imports;
pub mod load_data;
pub mod plan;
pub mod product_cards;
pub mod publication;
pub mod rate_limit;
pub mod registry;
pub mod suppliers;
pub mod tender_view;
pub mod tenders;
pub mod tokens;
pub mod units;
pub mod users;
pub mod workspace;

use crate::domain::error_code::ErrorCode;
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::domain::validation::{FieldCode, FieldError};
use crate::repository::RepoError;

/// Who performs a workflow, recorded as the actor of its audit events.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in user or API token holder.
    User(User),
    /// The platform itself (demo seed, scheduled jobs, command line), with a label.
    System(&'static str),
}

impl Actor {
    /// Label stored in the audit log.
    pub fn label(&self) -> String {
        match self {
            Actor::User(u) => u.actor_label(),
            Actor::System(name) => format!("system:{name}"),
        }
    }

    /// Acting user's id, if a user.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User(u) => Some(u.id),
            Actor::System(_) => None,
        }
    }

    /// Whether the actor may act with this role (the system may do anything).
    pub fn has_role(&self, role: Role) -> bool {
        match self {
            Actor::User(u) => u.has_role(role),
            Actor::System(_) => true,
        }
    }
}

/// Failures of a workflow, each mapped to one stable [`ErrorCode`] at the HTTP edge.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The record does not exist or is not visible to the actor.
    #[error("not found")]
    NotFound,
    /// Submitted fields are invalid; nothing was changed.
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    /// Username or password wrong.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The account is deactivated.
    #[error("account disabled")]
    AccountDisabled,
    /// The API token is unknown, revoked or expired.
    #[error("invalid token")]
    InvalidToken,
    /// Too many attempts; retry after the given seconds.
    #[error("rate limited, retry after {retry_after_secs}s")]
    RateLimited {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// The actor may not do this to this record.
    #[error("forbidden")]
    Forbidden,
    /// The record's state does not allow this action.
    #[error("illegal transition: {action} from {from}")]
    IllegalTransition {
        /// Current state.
        from: String,
        /// Attempted action.
        action: String,
    },
    /// The change breaks rules of the procurement rulebook (each with its citation).
    #[error("rulebook violations: {0:?}")]
    Rules(Vec<tianguis_rulebook::RuleViolation>),
    /// The bids could not be opened; the code says why (`sealed.wrong_passphrase`, …).
    #[error("opening failed: {code}")]
    Opening {
        /// Stable sealed-bid error code.
        code: &'static str,
        /// The member concerned, when one is.
        member: Option<i64>,
    },
    /// A tender cannot be published without a document (its bidding conditions, issue 13).
    #[error("a tender document is required")]
    DocumentRequired,
    /// The live auction refused the command or could not serve it (issue 4).
    #[error(transparent)]
    Auction(#[from] auctions::HubError),
    /// A call-off the agreement cannot take (issue 14); the code says why.
    #[error("call-off refused: {0:?}")]
    CallOff(crate::domain::agreement::CallOffRefusal),
    /// Storage failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// Something that should not happen (e.g. the password hasher failed).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// An action the tender's phase does not allow.
    pub fn illegal(e: crate::domain::tender::IllegalTransition) -> ServiceError {
        ServiceError::IllegalTransition {
            from: e.phase.code().to_string(),
            action: e.action.code().to_string(),
        }
    }

    /// One field error as a validation failure.
    pub fn field(field: &str, code: FieldCode) -> ServiceError {
        ServiceError::Validation(vec![FieldError {
            field: field.to_string(),
            code,
        }])
    }

    /// The stable code reported to the user.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::NotFound | ServiceError::Repo(RepoError::NotFound) => {
                ErrorCode::ResourceNotFound
            }
            ServiceError::Validation(_) => ErrorCode::ValidationFailed,
            ServiceError::InvalidCredentials => ErrorCode::AuthInvalidCredentials,
            ServiceError::AccountDisabled => ErrorCode::AuthAccountDisabled,
            ServiceError::InvalidToken => ErrorCode::AuthInvalidToken,
            ServiceError::RateLimited { .. } => ErrorCode::AuthRateLimited,
            ServiceError::Forbidden => ErrorCode::AuthNotPermitted,
            ServiceError::IllegalTransition { .. } => ErrorCode::StateIllegalTransition,
            ServiceError::Rules(_) => ErrorCode::RuleViolated,
            ServiceError::Opening { .. } => ErrorCode::OpeningFailed,
            ServiceError::DocumentRequired => ErrorCode::TenderDocumentRequired,
            ServiceError::CallOff(r) => r.error_code(),
            ServiceError::Auction(auctions::HubError::NotFound) => ErrorCode::ResourceNotFound,
            ServiceError::Auction(auctions::HubError::Invalid(_)) => {
                ErrorCode::AuctionCommandInvalid
            }
            ServiceError::Auction(auctions::HubError::Unavailable(_)) => {
                ErrorCode::AuctionUnavailable
            }
            ServiceError::Repo(RepoError::UniqueViolation(_)) => ErrorCode::ResourceConflict,
            ServiceError::Repo(e) if e.is_unavailable() => ErrorCode::ServiceUnavailable,
            ServiceError::Repo(_) | ServiceError::Internal(_) => ErrorCode::InternalError,
        }
    }
}

/// What the untyped audit code wrote for a record in the before/after columns, before events
/// were typed (issue 14): the events' tests check they write the same bytes.
#[cfg(test)]
pub(crate) fn snapshot<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

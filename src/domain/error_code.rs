//! The stable machine codes of every failure the platform reports.
//!
//! Clients (our own pages, API consumers, the observers' scripts) branch on these codes, so
//! they are part of the public contract: a code is never renamed or reused for another
//! meaning. Each code has a translated message in every language (`locales/*/main.ftl`,
//! key `error-` + the code with dots replaced by dashes); a test fails if one is missing.

use serde::Serialize;

/// One stable failure code (see the module documentation for why they never change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ErrorCode {
    /// Username or password wrong (never says which, so accounts cannot be enumerated).
    AuthInvalidCredentials,
    /// The route needs a signed-in user or a valid API token.
    AuthRequired,
    /// The signed-in user's roles do not allow this route.
    AuthForbidden,
    /// The route is open to the user's role, but not for this record (e.g. an evaluator who is
    /// not on this tender's committee, a supplier acting on another supplier's bid).
    AuthNotPermitted,
    /// Too many sign-in attempts for this account or address; retry later.
    AuthRateLimited,
    /// The account has been deactivated by an administrator.
    AuthAccountDisabled,
    /// The API token is unknown, revoked or expired.
    AuthInvalidToken,
    /// A form or cookie-authenticated request came without the anti-forgery token.
    CsrfInvalid,
    /// The body is not valid JSON or does not have the expected shape.
    RequestInvalidJson,
    /// The form body could not be read.
    RequestInvalidForm,
    /// The query string is malformed (including invalid UTF-8).
    RequestInvalidQuery,
    /// A path parameter has the wrong type (e.g. a non-numeric id).
    RequestInvalidPath,
    /// The body is larger than the configured limit.
    RequestTooLarge,
    /// The HTTP method is not supported on this route.
    RequestMethodNotAllowed,
    /// The content type is not one this route accepts.
    RequestUnsupportedMediaType,
    /// One or more fields failed validation; `details` lists them.
    ValidationFailed,
    /// The resource does not exist (or is not visible to the caller).
    ResourceNotFound,
    /// A resource with the same natural key already exists.
    ResourceConflict,
    /// The requested state change is not allowed from the current state.
    StateIllegalTransition,
    /// The change breaks a rule of the procurement rulebook; `details.violations` cites it.
    RuleViolated,
    /// The bids could not be opened (wrong passphrases, too few members); nothing was opened.
    OpeningFailed,
    /// A tender is published with no document: attach its bidding conditions first (issue 13).
    TenderDocumentRequired,
    /// An uploaded import file cannot be used as a whole (unreadable, missing columns, empty,
    /// too many rows); `details.problem` says which. Row errors are a report, not this code.
    ImportInvalidFile,
    /// The agreement does not take call-offs now (pending, suspended, expired, terminated or exhausted); `details.status` says which.
    AgreementNotActive,
    /// The call-off, or one of its delivery dates, falls outside the agreement's period.
    AgreementOutsidePeriod,
    /// The unit is not one of the agreement's participating units.
    AgreementUnitNotParticipant,
    /// An item that is not in the agreement; `details.item_id` names it.
    AgreementUnknownItem,
    /// The quantity or value left cannot take the call-off; `details.item_id` (0 for the value) and `details.remaining` say how much is left.
    AgreementCeilingReached,
    /// A WebSocket route was called without the upgrade handshake.
    RequestWebsocketRequired,
    /// The live auction cannot take this command now (not started, already finished, …);
    /// `details.reason` carries the engine's code. Refused bids are not errors: they are
    /// recorded and acknowledged with their reason.
    AuctionCommandInvalid,
    /// The node running the auction cannot be reached right now; retry with the same
    /// `request_id` (the bid is never recorded twice).
    AuctionUnavailable,
    /// The database could not be reached.
    ServiceUnavailable,
    /// An unexpected internal failure; details are logged, never shown.
    InternalError,
}

impl ErrorCode {
    /// Every code, so tests can prove each has a translation in every language.
    pub const ALL: &'static [ErrorCode] = &[
        Self::AuthInvalidCredentials,
        Self::AuthRequired,
        Self::AuthForbidden,
        Self::AuthNotPermitted,
        Self::AuthRateLimited,
        Self::AuthAccountDisabled,
        Self::AuthInvalidToken,
        Self::CsrfInvalid,
        Self::RequestInvalidJson,
        Self::RequestInvalidForm,
        Self::RequestInvalidQuery,
        Self::RequestInvalidPath,
        Self::RequestTooLarge,
        Self::RequestMethodNotAllowed,
        Self::RequestUnsupportedMediaType,
        Self::ValidationFailed,
        Self::ResourceNotFound,
        Self::ResourceConflict,
        Self::StateIllegalTransition,
        Self::RuleViolated,
        Self::OpeningFailed,
        Self::TenderDocumentRequired,
        Self::ImportInvalidFile,
        Self::AgreementNotActive,
        Self::AgreementOutsidePeriod,
        Self::AgreementUnitNotParticipant,
        Self::AgreementUnknownItem,
        Self::AgreementCeilingReached,
        Self::RequestWebsocketRequired,
        Self::AuctionCommandInvalid,
        Self::AuctionUnavailable,
        Self::ServiceUnavailable,
        Self::InternalError,
    ];

    /// The wire form of the code, e.g. `auth.invalid_credentials`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AuthInvalidCredentials => "auth.invalid_credentials",
            Self::AuthRequired => "auth.required",
            Self::AuthForbidden => "auth.forbidden",
            Self::AuthNotPermitted => "auth.not_permitted",
            Self::AuthRateLimited => "auth.rate_limited",
            Self::AuthAccountDisabled => "auth.account_disabled",
            Self::AuthInvalidToken => "auth.invalid_token",
            Self::CsrfInvalid => "csrf.invalid",
            Self::RequestInvalidJson => "request.invalid_json",
            Self::RequestInvalidForm => "request.invalid_form",
            Self::RequestInvalidQuery => "request.invalid_query",
            Self::RequestInvalidPath => "request.invalid_path",
            Self::RequestTooLarge => "request.too_large",
            Self::RequestMethodNotAllowed => "request.method_not_allowed",
            Self::RequestUnsupportedMediaType => "request.unsupported_media_type",
            Self::ValidationFailed => "validation.failed",
            Self::ResourceNotFound => "resource.not_found",
            Self::ResourceConflict => "resource.conflict",
            Self::StateIllegalTransition => "state.illegal_transition",
            Self::RuleViolated => "rule.violated",
            Self::OpeningFailed => "opening.failed",
            Self::TenderDocumentRequired => "tender.document_required",
            Self::ImportInvalidFile => "import.invalid_file",
            Self::AgreementNotActive => "agreement.not_active",
            Self::AgreementOutsidePeriod => "agreement.outside_period",
            Self::AgreementUnitNotParticipant => "agreement.unit_not_participant",
            Self::AgreementUnknownItem => "agreement.item_not_in_agreement",
            Self::AgreementCeilingReached => "agreement.ceiling_reached",
            Self::RequestWebsocketRequired => "request.websocket_required",
            Self::AuctionCommandInvalid => "auction.command_invalid",
            Self::AuctionUnavailable => "auction.unavailable",
            Self::ServiceUnavailable => "service.unavailable",
            Self::InternalError => "internal.error",
        }
    }

    /// The HTTP status this code travels with; kept beside the code so every layer agrees.
    pub const fn http_status(self) -> u16 {
        match self {
            Self::AuthInvalidCredentials | Self::AuthRequired | Self::AuthInvalidToken => 401,
            Self::AuthForbidden
            | Self::AuthNotPermitted
            | Self::AuthAccountDisabled
            | Self::CsrfInvalid => 403,
            Self::AuthRateLimited => 429,
            Self::RequestInvalidJson
            | Self::RequestInvalidForm
            | Self::RequestInvalidQuery
            | Self::RequestInvalidPath => 400,
            Self::RequestTooLarge => 413,
            Self::RequestWebsocketRequired => 426,
            Self::RequestMethodNotAllowed => 405,
            Self::RequestUnsupportedMediaType => 415,
            Self::ValidationFailed
            | Self::RuleViolated
            | Self::OpeningFailed
            | Self::TenderDocumentRequired
            | Self::ImportInvalidFile
            | Self::AgreementUnknownItem => 422,
            Self::AgreementUnitNotParticipant => 403,
            Self::AgreementNotActive
            | Self::AgreementOutsidePeriod
            | Self::AgreementCeilingReached => 409,
            Self::ResourceNotFound => 404,
            Self::ResourceConflict | Self::StateIllegalTransition | Self::AuctionCommandInvalid => {
                409
            }
            Self::ServiceUnavailable | Self::AuctionUnavailable => 503,
            Self::InternalError => 500,
        }
    }

    /// The translation key of the code's message (fluent ids cannot contain dots).
    pub fn message_key(self) -> String {
        format!("error-{}", self.as_str().replace('.', "-"))
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_dotted() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert!(code.as_str().contains('.'), "{code} must be namespaced");
            assert!((400..600).contains(&code.http_status()));
        }
    }

    #[test]
    fn message_keys_are_fluent_identifiers() {
        for code in ErrorCode::ALL {
            let key = code.message_key();
            assert!(
                key.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{key}"
            );
        }
    }
}

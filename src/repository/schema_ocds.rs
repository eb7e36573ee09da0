//! Tables of the open-data publication (issue 5): every OCDS release the platform publishes,
//! the compiled record of each process, and the webhook subscriptions that push releases out.
//!
//! The feed's order is `ocds_releases.seq`. It is taken from `ocds_feed_head` by an `UPDATE …
//! RETURNING` in the publishing transaction itself: on PostgreSQL the row stays locked until that
//! transaction commits, so a release with a higher number can never become visible before one
//! with a lower number. That is what lets the cursor feed promise "never skips a release, even
//! when transactions commit out of order" (issue 5, point 3) without a gap-detection scheme.
//! SQLite serialises writers anyway.

use super::schema::Step;
use sea_query::{ColumnDef, ForeignKey, ForeignKeyAction, Iden, Index, Query, Table};

/// One row holding the last release number handed out.
#[derive(Iden, Clone, Copy, Debug)]
pub enum OcdsFeedHead {
    /// Table.
    Table,
    /// Always 1.
    Id,
    /// The last `ocds_releases.seq` handed out.
    LastSeq,
}

/// Every published release, immutable once written.
#[derive(Iden, Clone, Copy, Debug)]
pub enum OcdsReleases {
    /// Table.
    Table,
    /// Position in the feed (1, 2, … without gaps, in commit order).
    Seq,
    /// The release `id` (unique).
    ReleaseId,
    /// The process's ocid.
    Ocid,
    /// The release's `tag` list, comma-separated (for filtering without parsing JSON).
    Tags,
    /// The release `date` (UTC µs): what `since=` filters on.
    ReleaseDate,
    /// The release as JSON text, exactly as served.
    Json,
}

/// The compiled release of each process, rewritten in the transaction that publishes a new
/// release for it, so records and the bulk file are always current.
#[derive(Iden, Clone, Copy, Debug)]
pub enum OcdsRecords {
    /// Table.
    Table,
    /// The ocid (primary key).
    Ocid,
    /// The compiled release as JSON text.
    Compiled,
    /// How many releases the process has.
    ReleaseCount,
    /// The `seq` of its newest release.
    LastSeq,
    /// The newest release's date (UTC µs).
    UpdatedAt,
}

/// Webhook subscriptions: where to push every new release, and how delivery is going.
#[derive(Iden, Clone, Copy, Debug)]
pub enum WebhookSubscriptions {
    /// Table.
    Table,
    /// Id.
    Id,
    /// The account that registered it (sees its state and failures).
    UserId,
    /// The receiving URL.
    Url,
    /// The HMAC key (shown once, at registration).
    Secret,
    /// `active` or `disabled` (by its owner).
    Status,
    /// The last release `seq` the receiver acknowledged with a 2xx.
    DeliveredSeq,
    /// Failed attempts in a row since the last success.
    FailedAttempts,
    /// Not before this instant (UTC µs) is the next attempt made; also the claim of a node.
    NextAttemptAt,
    /// The last failure, as shown to the subscriber.
    LastError,
    /// When the current run of failures began (UTC µs).
    FailingSince,
    /// The last successful delivery (UTC µs).
    LastSuccessAt,
    /// Registration.
    CreatedAt,
}

/// Every delivery attempt, kept for the subscriber to see.
#[derive(Iden, Clone, Copy, Debug)]
pub enum WebhookAttempts {
    /// Table.
    Table,
    /// Id.
    Id,
    /// Subscription.
    SubscriptionId,
    /// When (UTC µs).
    AttemptedAt,
    /// First release `seq` in the delivery.
    FirstSeq,
    /// Last release `seq` in the delivery.
    LastSeq,
    /// HTTP status received, if any.
    StatusCode,
    /// The failure, if it failed.
    Error,
    /// Round-trip milliseconds.
    DurationMs,
}

/// Migration 5.
pub fn publication() -> Vec<Step> {
    vec![
        Step::Table(
            Table::create()
                .table(OcdsFeedHead::Table)
                .col(
                    ColumnDef::new(OcdsFeedHead::Id)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(OcdsFeedHead::LastSeq)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        ),
        Step::Insert(
            Query::insert()
                .into_table(OcdsFeedHead::Table)
                .columns([OcdsFeedHead::Id, OcdsFeedHead::LastSeq])
                .values_panic([1.into(), 0.into()])
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(OcdsReleases::Table)
                .col(
                    ColumnDef::new(OcdsReleases::Seq)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(OcdsReleases::ReleaseId)
                        .text()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(OcdsReleases::Ocid).text().not_null())
                .col(ColumnDef::new(OcdsReleases::Tags).text().not_null())
                .col(
                    ColumnDef::new(OcdsReleases::ReleaseDate)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(OcdsReleases::Json).text().not_null())
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_ocds_releases_ocid")
                .table(OcdsReleases::Table)
                .col(OcdsReleases::Ocid)
                .col(OcdsReleases::Seq)
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_ocds_releases_date")
                .table(OcdsReleases::Table)
                .col(OcdsReleases::ReleaseDate)
                .col(OcdsReleases::Seq)
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(OcdsRecords::Table)
                .col(
                    ColumnDef::new(OcdsRecords::Ocid)
                        .text()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(OcdsRecords::Compiled).text().not_null())
                .col(
                    ColumnDef::new(OcdsRecords::ReleaseCount)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(OcdsRecords::LastSeq)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(OcdsRecords::UpdatedAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(WebhookSubscriptions::Table)
                .col(
                    ColumnDef::new(WebhookSubscriptions::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(WebhookSubscriptions::UserId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(WebhookSubscriptions::Url).text().not_null())
                .col(
                    ColumnDef::new(WebhookSubscriptions::Secret)
                        .text()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookSubscriptions::Status)
                        .text()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookSubscriptions::DeliveredSeq)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookSubscriptions::FailedAttempts)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookSubscriptions::NextAttemptAt)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(WebhookSubscriptions::LastError).text())
                .col(ColumnDef::new(WebhookSubscriptions::FailingSince).big_integer())
                .col(ColumnDef::new(WebhookSubscriptions::LastSuccessAt).big_integer())
                .col(
                    ColumnDef::new(WebhookSubscriptions::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_subscriptions_user")
                        .from(WebhookSubscriptions::Table, WebhookSubscriptions::UserId)
                        .to(super::schema::Users::Table, super::schema::Users::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(WebhookAttempts::Table)
                .col(
                    ColumnDef::new(WebhookAttempts::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(WebhookAttempts::SubscriptionId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookAttempts::AttemptedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookAttempts::FirstSeq)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookAttempts::LastSeq)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(WebhookAttempts::StatusCode).big_integer())
                .col(ColumnDef::new(WebhookAttempts::Error).text())
                .col(
                    ColumnDef::new(WebhookAttempts::DurationMs)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_attempts_subscription")
                        .from(WebhookAttempts::Table, WebhookAttempts::SubscriptionId)
                        .to(WebhookSubscriptions::Table, WebhookSubscriptions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_webhook_attempts_subscription")
                .table(WebhookAttempts::Table)
                .col(WebhookAttempts::SubscriptionId)
                .col(WebhookAttempts::Id)
                .to_owned(),
        ),
    ]
}

/// Releases imported from other publishers (`tianguis ocds import`, issue 5): kept as given
/// (after the 1.0 → 1.1 upgrade), one row per `(ocid, id)` so re-importing changes nothing.
#[derive(Iden, Clone, Copy, Debug)]
pub enum ImportedReleases {
    /// Table.
    Table,
    /// Process.
    Ocid,
    /// Release id (unique within the process).
    ReleaseId,
    /// The release's `date` as given (text: external data is not ours to reinterpret).
    ReleaseDate,
    /// The release JSON.
    Json,
    /// Where it came from (file or package URI).
    Source,
}

/// External processes as read-only records: the compiled release and the fields search and
/// the dashboards need, extracted once at import.
#[derive(Iden, Clone, Copy, Debug)]
pub enum ImportedProcesses {
    /// Table.
    Table,
    /// The ocid (primary key).
    Ocid,
    /// `tender.title` (or the first award's title).
    Title,
    /// `buyer.name`.
    Buyer,
    /// `tender.procurementMethod`.
    Method,
    /// `tender.status`.
    Status,
    /// `tender.value.amount` as exact text.
    Value,
    /// `tender.value.currency`.
    Currency,
    /// The newest release date as given.
    ReleaseDate,
    /// Releases stored for it (0 when only a compiled release was imported).
    ReleaseCount,
    /// The compiled release JSON.
    Compiled,
    /// Where it came from.
    Source,
    /// When it was last imported (UTC µs).
    ImportedAt,
}

/// Migration 6.
pub fn imports() -> Vec<Step> {
    vec![
        Step::Table(
            Table::create()
                .table(ImportedReleases::Table)
                .col(ColumnDef::new(ImportedReleases::Ocid).text().not_null())
                .col(
                    ColumnDef::new(ImportedReleases::ReleaseId)
                        .text()
                        .not_null(),
                )
                .col(ColumnDef::new(ImportedReleases::ReleaseDate).text())
                .col(ColumnDef::new(ImportedReleases::Json).text().not_null())
                .col(ColumnDef::new(ImportedReleases::Source).text().not_null())
                .primary_key(
                    Index::create()
                        .col(ImportedReleases::Ocid)
                        .col(ImportedReleases::ReleaseId),
                )
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(ImportedProcesses::Table)
                .col(
                    ColumnDef::new(ImportedProcesses::Ocid)
                        .text()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(ImportedProcesses::Title).text())
                .col(ColumnDef::new(ImportedProcesses::Buyer).text())
                .col(ColumnDef::new(ImportedProcesses::Method).text())
                .col(ColumnDef::new(ImportedProcesses::Status).text())
                .col(ColumnDef::new(ImportedProcesses::Value).text())
                .col(ColumnDef::new(ImportedProcesses::Currency).text())
                .col(ColumnDef::new(ImportedProcesses::ReleaseDate).text())
                .col(
                    ColumnDef::new(ImportedProcesses::ReleaseCount)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ImportedProcesses::Compiled)
                        .text()
                        .not_null(),
                )
                .col(ColumnDef::new(ImportedProcesses::Source).text().not_null())
                .col(
                    ColumnDef::new(ImportedProcesses::ImportedAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_imported_processes_buyer")
                .table(ImportedProcesses::Table)
                .col(ImportedProcesses::Buyer)
                .to_owned(),
        ),
    ]
}

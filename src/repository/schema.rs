//! Table and column names, and the migrations that create them.
//!
//! Migrations are written once with `sea-query`'s schema builder and rendered for each engine,
//! so SQLite and PostgreSQL always have the same tables. Conventions that keep the two engines
//! identical: every integer is 64-bit (`BIGINT`), instants are UTC microseconds in a `BIGINT`
//! (see `domain::time`), money is integer minor units or exact decimal text, JSON is text.
//! A migration is never edited after release; changes are new migrations.

use sea_query::{
    ColumnDef, Expr, ForeignKey, ForeignKeyAction, Iden, Index, IndexCreateStatement,
    InsertStatement, PostgresQueryBuilder, Query, SqliteQueryBuilder, Table, TableCreateStatement,
};

use super::db::{Backend, Database, Queryable, RepoError};

/// `schema_migrations`: which migrations ran.
#[derive(Iden, Clone, Copy)]
pub enum SchemaMigrations {
    Table,
    Version,
    Name,
    AppliedAt,
}

/// `buyers`: procuring entities (the institution and its units).
#[derive(Iden, Clone, Copy)]
pub enum Buyers {
    Table,
    Id,
    Name,
    ShortName,
    IdentifierScheme,
    Identifier,
    Department,
    CreatedAt,
}

/// `suppliers`: the supplier registry.
#[derive(Iden, Clone, Copy)]
pub enum Suppliers {
    Table,
    Id,
    LegalName,
    Nit,
    Status,
    Email,
    Phone,
    Department,
    CreatedAt,
    UpdatedAt,
    TradeName,
    Address,
    Municipality,
    Website,
    Categories,
    SuspensionReason,
    VerifiedAt,
    SuspendedAt,
}

/// `catalogue_items`: medicines and supplies.
#[derive(Iden, Clone, Copy)]
pub enum CatalogueItems {
    Table,
    Id,
    Code,
    Kind,
    Name,
    Strength,
    Form,
    Presentation,
    Unit,
    AtcCode,
    UnspscCode,
    LevelOfCare,
    Active,
    CreatedAt,
    UpdatedAt,
}

/// `users`: accounts.
#[derive(Iden, Clone, Copy)]
pub enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    Email,
    PasswordHash,
    SupplierId,
    Locale,
    Active,
    CreatedAt,
    UpdatedAt,
}

/// `user_roles`: the roles each account holds.
#[derive(Iden, Clone, Copy)]
pub enum UserRoles {
    Table,
    UserId,
    Role,
}

/// `sessions`: signed-in browsers (only the token's hash is stored).
#[derive(Iden, Clone, Copy)]
pub enum Sessions {
    Table,
    TokenHash,
    UserId,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

/// `api_tokens`: personal API tokens (only the hash is stored).
#[derive(Iden, Clone, Copy)]
pub enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    Prefix,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
}

/// `audit_events`: the hash-chained audit log.
#[derive(Iden, Clone, Copy)]
pub enum AuditEvents {
    Table,
    Seq,
    OccurredAt,
    ActorUserId,
    Actor,
    Action,
    EntityType,
    EntityId,
    BeforeJson,
    AfterJson,
    Public,
    PrevHash,
    Hash,
}

/// `audit_head`: one row holding the chain's last sequence number and hash; updating it
/// serialises appends on PostgreSQL (row lock until commit).
#[derive(Iden, Clone, Copy)]
pub enum AuditHead {
    Table,
    Id,
    LastSeq,
    LastHash,
}

/// One schema step, rendered for either engine.
pub enum Step {
    /// `CREATE TABLE`.
    Table(TableCreateStatement),
    /// `CREATE INDEX`.
    Index(IndexCreateStatement),
    /// A constant row.
    Insert(InsertStatement),
    /// `ALTER TABLE` (one change per statement, as SQLite requires).
    Alter(sea_query::TableAlterStatement),
    /// SQL that both engines accept as written (e.g. partial indexes, which the schema builder
    /// cannot express).
    Sql(&'static str),
}

impl Step {
    fn render(&self, backend: Backend) -> String {
        match (self, backend) {
            (Step::Table(s), Backend::Sqlite) => s.to_string(SqliteQueryBuilder),
            (Step::Table(s), Backend::Postgres) => s.to_string(PostgresQueryBuilder),
            (Step::Index(s), Backend::Sqlite) => s.to_string(SqliteQueryBuilder),
            (Step::Index(s), Backend::Postgres) => s.to_string(PostgresQueryBuilder),
            (Step::Insert(s), Backend::Sqlite) => s.to_string(SqliteQueryBuilder),
            (Step::Insert(s), Backend::Postgres) => s.to_string(PostgresQueryBuilder),
            (Step::Alter(s), Backend::Sqlite) => s.to_string(SqliteQueryBuilder),
            (Step::Alter(s), Backend::Postgres) => s.to_string(PostgresQueryBuilder),
            (Step::Sql(sql), _) => (*sql).to_owned(),
        }
    }
}

/// A numbered migration.
pub struct Migration {
    /// Increasing version number.
    pub version: i64,
    /// Short description.
    pub name: &'static str,
    /// Its steps.
    pub steps: fn() -> Vec<Step>,
}

/// Every migration, in order. Later issues append theirs.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation: buyers, suppliers, catalogue, users, sessions, tokens, audit log",
        steps: foundation,
    },
    Migration {
        version: 2,
        name: "e-sourcing: registry, catalogue proposals, plan, tenders, bids, evaluation, awards, contracts",
        steps: super::schema_esourcing::esourcing,
    },
    Migration {
        version: 3,
        name: "one standing bid per supplier and lot, enforced by the database",
        steps: || {
            vec![Step::Sql(
                "CREATE UNIQUE INDEX ux_bids_standing ON bids (lot_id, supplier_id) WHERE status = 'submitted'",
            )]
        },
    },
    Migration {
        version: 4,
        name: "electronic reverse auctions: auctions, durable event log, nodes and leases",
        steps: super::schema_auction::auction,
    },
    Migration {
        version: 5,
        name: "open data: OCDS releases feed, compiled records, webhook subscriptions",
        steps: super::schema_ocds::publication,
    },
    Migration {
        version: 6,
        name: "open data: processes imported from other OCDS publishers",
        steps: super::schema_ocds::imports,
    },
    Migration {
        version: 7,
        name: "live auctions: the last sequence number is read from the log, not stored",
        steps: super::schema_auction::drop_stored_last_seq,
    },
    Migration {
        version: 8,
        name: "tenders: each item keeps its estimated unit price",
        steps: super::schema_esourcing::item_unit_prices,
    },
    Migration {
        version: 9,
        name: "the institution's units and the users who act for them",
        steps: super::schema_units::units,
    },
    Migration {
        version: 10,
        name: "framework agreements: terms, agreements, parties, prices, call-offs, offers, amendments",
        steps: super::schema_agreements::agreements,
    },
    Migration {
        version: 11,
        name: "suppliers' product cards: brand, manufacturer, health registration, GTIN, pack size",
        steps: super::schema_products::product_cards,
    },
];

fn id_col<T: Iden + 'static>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn foundation() -> Vec<Step> {
    vec![
        Step::Table(
            Table::create()
                .table(Buyers::Table)
                .col(id_col(Buyers::Id))
                .col(ColumnDef::new(Buyers::Name).text().not_null())
                .col(ColumnDef::new(Buyers::ShortName).text().not_null())
                .col(ColumnDef::new(Buyers::IdentifierScheme).text().not_null())
                .col(
                    ColumnDef::new(Buyers::Identifier)
                        .text()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Buyers::Department).text())
                .col(ColumnDef::new(Buyers::CreatedAt).big_integer().not_null())
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(Suppliers::Table)
                .col(id_col(Suppliers::Id))
                .col(ColumnDef::new(Suppliers::LegalName).text().not_null())
                .col(
                    ColumnDef::new(Suppliers::Nit)
                        .text()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Suppliers::Status).text().not_null())
                .col(ColumnDef::new(Suppliers::Email).text())
                .col(ColumnDef::new(Suppliers::Phone).text())
                .col(ColumnDef::new(Suppliers::Department).text())
                .col(
                    ColumnDef::new(Suppliers::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Suppliers::UpdatedAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_suppliers_legal_name")
                .table(Suppliers::Table)
                .col(Suppliers::LegalName)
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(CatalogueItems::Table)
                .col(id_col(CatalogueItems::Id))
                .col(
                    ColumnDef::new(CatalogueItems::Code)
                        .text()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(CatalogueItems::Kind).text().not_null())
                .col(ColumnDef::new(CatalogueItems::Name).text().not_null())
                .col(ColumnDef::new(CatalogueItems::Strength).text())
                .col(ColumnDef::new(CatalogueItems::Form).text())
                .col(ColumnDef::new(CatalogueItems::Presentation).text())
                .col(ColumnDef::new(CatalogueItems::Unit).text().not_null())
                .col(ColumnDef::new(CatalogueItems::AtcCode).text())
                .col(ColumnDef::new(CatalogueItems::UnspscCode).text())
                .col(ColumnDef::new(CatalogueItems::LevelOfCare).big_integer())
                .col(
                    ColumnDef::new(CatalogueItems::Active)
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .col(
                    ColumnDef::new(CatalogueItems::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(Users::Table)
                .col(id_col(Users::Id))
                .col(
                    ColumnDef::new(Users::Username)
                        .text()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Users::DisplayName).text().not_null())
                .col(ColumnDef::new(Users::Email).text())
                .col(ColumnDef::new(Users::PasswordHash).text().not_null())
                .col(ColumnDef::new(Users::SupplierId).big_integer())
                .col(ColumnDef::new(Users::Locale).text())
                .col(
                    ColumnDef::new(Users::Active)
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .col(ColumnDef::new(Users::CreatedAt).big_integer().not_null())
                .col(ColumnDef::new(Users::UpdatedAt).big_integer().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_users_supplier")
                        .from(Users::Table, Users::SupplierId)
                        .to(Suppliers::Table, Suppliers::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(UserRoles::Table)
                .col(ColumnDef::new(UserRoles::UserId).big_integer().not_null())
                .col(ColumnDef::new(UserRoles::Role).text().not_null())
                .primary_key(Index::create().col(UserRoles::UserId).col(UserRoles::Role))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_user_roles_user")
                        .from(UserRoles::Table, UserRoles::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_user_roles_role")
                .table(UserRoles::Table)
                .col(UserRoles::Role)
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(Sessions::Table)
                .col(
                    ColumnDef::new(Sessions::TokenHash)
                        .text()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Sessions::UserId).big_integer().not_null())
                .col(ColumnDef::new(Sessions::CsrfToken).text().not_null())
                .col(ColumnDef::new(Sessions::CreatedAt).big_integer().not_null())
                .col(
                    ColumnDef::new(Sessions::LastSeenAt)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Sessions::ExpiresAt).big_integer().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sessions_user")
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_sessions_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(ApiTokens::Table)
                .col(id_col(ApiTokens::Id))
                .col(ColumnDef::new(ApiTokens::UserId).big_integer().not_null())
                .col(ColumnDef::new(ApiTokens::Name).text().not_null())
                .col(
                    ColumnDef::new(ApiTokens::TokenHash)
                        .text()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(ApiTokens::Prefix).text().not_null())
                .col(
                    ColumnDef::new(ApiTokens::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(ApiTokens::LastUsedAt).big_integer())
                .col(ColumnDef::new(ApiTokens::ExpiresAt).big_integer())
                .col(ColumnDef::new(ApiTokens::RevokedAt).big_integer())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_api_tokens_user")
                        .from(ApiTokens::Table, ApiTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_api_tokens_user")
                .table(ApiTokens::Table)
                .col(ApiTokens::UserId)
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(AuditEvents::Table)
                .col(
                    ColumnDef::new(AuditEvents::Seq)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(AuditEvents::OccurredAt)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(AuditEvents::ActorUserId).big_integer())
                .col(ColumnDef::new(AuditEvents::Actor).text().not_null())
                .col(ColumnDef::new(AuditEvents::Action).text().not_null())
                .col(ColumnDef::new(AuditEvents::EntityType).text().not_null())
                .col(ColumnDef::new(AuditEvents::EntityId).text())
                .col(ColumnDef::new(AuditEvents::BeforeJson).text())
                .col(ColumnDef::new(AuditEvents::AfterJson).text())
                .col(ColumnDef::new(AuditEvents::Public).boolean().not_null())
                .col(ColumnDef::new(AuditEvents::PrevHash).text().not_null())
                .col(ColumnDef::new(AuditEvents::Hash).text().not_null())
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_audit_public_seq")
                .table(AuditEvents::Table)
                .col(AuditEvents::Public)
                .col(AuditEvents::Seq)
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_audit_entity")
                .table(AuditEvents::Table)
                .col(AuditEvents::EntityType)
                .col(AuditEvents::EntityId)
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_audit_occurred_at")
                .table(AuditEvents::Table)
                .col(AuditEvents::OccurredAt)
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(AuditHead::Table)
                .col(
                    ColumnDef::new(AuditHead::Id)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(AuditHead::LastSeq).big_integer().not_null())
                .col(ColumnDef::new(AuditHead::LastHash).text().not_null())
                .to_owned(),
        ),
        Step::Insert(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([AuditHead::Id, AuditHead::LastSeq, AuditHead::LastHash])
                .values_panic([
                    1i64.into(),
                    0i64.into(),
                    crate::domain::audit::GENESIS_HASH.into(),
                ])
                .to_owned(),
        ),
    ]
}

/// Failures specific to migrating.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database was migrated by a newer Tianguis; running an older binary could corrupt it.
    #[error(
        "the database is at schema version {found}, newer than this program's {known}: upgrade Tianguis"
    )]
    TooNew {
        /// Version in the database.
        found: i64,
        /// Newest version this binary knows.
        known: i64,
    },
    /// A migration's SQL failed; nothing of it was applied.
    #[error("migration {version} ({name}) failed: {source}")]
    Failed {
        /// Its version.
        version: i64,
        /// Its name.
        name: &'static str,
        /// The cause.
        source: RepoError,
    },
    /// Reading or recording the migration state failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// Applies every pending migration in one transaction and returns the versions applied.
/// Several nodes starting at once on PostgreSQL serialise on an advisory lock.
pub async fn migrate(db: &Database) -> Result<Vec<i64>, MigrationError> {
    let mut tx = db.begin().await?;
    let backend = db.backend();
    if backend == Backend::Postgres {
        // 0x7469616e = "tian": an arbitrary, documented lock number for schema changes.
        tx.handle()
            .execute_raw("SELECT pg_advisory_xact_lock(1952063854)".to_string())
            .await?;
    }
    let create = Table::create()
        .table(SchemaMigrations::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(SchemaMigrations::Version)
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(SchemaMigrations::Name).text().not_null())
        .col(
            ColumnDef::new(SchemaMigrations::AppliedAt)
                .big_integer()
                .not_null(),
        )
        .to_owned();
    tx.handle()
        .execute_raw(Step::Table(create).render(backend))
        .await?;
    let applied: Vec<(i64,)> = tx
        .handle()
        .all(
            &Query::select()
                .column(SchemaMigrations::Version)
                .from(SchemaMigrations::Table)
                .to_owned(),
        )
        .await?;
    let applied: std::collections::BTreeSet<i64> = applied.into_iter().map(|(v,)| v).collect();
    // The newest version, not the last listed: versions may leave gaps that a later release
    // fills (see `MIGRATIONS`).
    let known = MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some(&found) = applied.iter().next_back().filter(|&&v| v > known) {
        return Err(MigrationError::TooNew { found, known });
    }
    let mut done = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        for step in (migration.steps)() {
            tx.handle()
                .execute_raw(step.render(backend))
                .await
                .map_err(|source| MigrationError::Failed {
                    version: migration.version,
                    name: migration.name,
                    source,
                })?;
        }
        tx.handle()
            .execute(
                &Query::insert()
                    .into_table(SchemaMigrations::Table)
                    .columns([
                        SchemaMigrations::Version,
                        SchemaMigrations::Name,
                        SchemaMigrations::AppliedAt,
                    ])
                    .values_panic([
                        migration.version.into(),
                        migration.name.into(),
                        Expr::val(crate::domain::time::Timestamp::now().as_micros()),
                    ])
                    .to_owned(),
            )
            .await?;
        done.push(migration.version);
    }
    tx.commit().await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repository::DbOptions;

    #[test]
    fn migrations_are_numbered_in_order() {
        // Gaps are allowed (a version written on another branch arrives later), a repeated or
        // out-of-order number is not: each is applied once, in the listed order.
        for pair in MIGRATIONS.windows(2) {
            assert!(
                pair[0].version < pair[1].version,
                "migration {} is listed after {}",
                pair[1].version,
                pair[0].version
            );
        }
    }

    #[tokio::test]
    async fn a_gap_in_the_versions_is_applied_around() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Database::connect(&url, &DbOptions::default())
            .await
            .unwrap();
        let applied = migrate(&db).await.unwrap();
        let listed: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(applied, listed);
        assert!(migrate(&db).await.unwrap().is_empty(), "nothing twice");
    }
}

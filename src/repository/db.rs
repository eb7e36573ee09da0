//! One database handle for both engines, so every repository has a single query code path.
//!
//! Queries are built once with `sea-query` and rendered for the engine in use: embedded SQLite
//! (the default, one binary runs a whole institution) or PostgreSQL (several app nodes run a
//! country) — PRODUCT.md principle 4. Rows decode through `sqlx::FromRow`, derived once per
//! type and valid for both engines. `sqlx::Any` is avoided on purpose: it erases types
//! (no `i64`/`bool` guarantees) and hides engine errors.
//!
//! SQLite serialises writers anyway, so it gets a dedicated single-connection writer pool
//! (transactions start with `BEGIN IMMEDIATE`, never failing later with `SQLITE_BUSY`) and a
//! separate pool of read-only connections; WAL mode lets readers proceed during a write, and
//! `synchronous = FULL` makes every acknowledged commit durable.

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Connection, FromRow, PgPool, Postgres, Sqlite, SqlitePool};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Failures of the repository layer.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The `--db` value is not a database address we understand.
    #[error("unsupported database address {0:?}: use sqlite://PATH or postgres://…")]
    InvalidUrl(String),
    /// A uniqueness rule (e.g. one account per username) would be broken.
    #[error("duplicate value for a unique field ({0})")]
    UniqueViolation(String),
    /// A row that must exist does not.
    #[error("row not found")]
    NotFound,
    /// A stored value cannot be interpreted (e.g. an unknown role code).
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// Creating the SQLite file's directory failed.
    #[error("cannot create the database directory {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Any other engine error.
    #[error("database error: {0}")]
    Engine(sqlx::Error),
}

impl From<sqlx::Error> for RepoError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => RepoError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => RepoError::UniqueViolation(
                db.constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| db.message().to_string()),
            ),
            _ => RepoError::Engine(err),
        }
    }
}

impl RepoError {
    /// Whether the database could not be reached at all (mapped to 503, not 500).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            RepoError::Engine(
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)
            )
        )
    }
}

/// The engine behind a [`Database`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Name used in logs and metrics.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A row type readable from both engines.
pub trait DbRow:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> DbRow for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

enum Pools {
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
    },
    Postgres {
        pool: PgPool,
    },
}

/// Occupancy of one connection pool, exported as metrics.
#[derive(Debug, Clone)]
pub struct PoolStats {
    /// `writer`, `reader` or `main`.
    pub name: &'static str,
    /// Open connections.
    pub size: u32,
    /// Idle connections among them.
    pub idle: u32,
    /// Configured maximum.
    pub max: u32,
}

/// Connection settings beyond the address.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Maximum connections (PostgreSQL pool, SQLite reader pool).
    pub max_connections: u32,
    /// How long a request may wait for a connection before failing with 503.
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// A cheaply clonable handle to the platform's database.
#[derive(Clone)]
pub struct Database {
    pools: Arc<Pools>,
    max_connections: u32,
}

/// Where a `--db` address points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string.
    Postgres(String),
}

impl DbUrl {
    /// Parses `sqlite://PATH`, `sqlite:PATH` or `postgres://…`/`postgresql://…`.
    pub fn parse(url: &str) -> Result<DbUrl, RepoError> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or("");
            if path.is_empty() {
                return Err(RepoError::InvalidUrl(url.to_string()));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_string()));
        }
        Err(RepoError::InvalidUrl(url.to_string()))
    }
}

impl Database {
    /// Opens the database named by `url` (see [`DbUrl::parse`]); an SQLite file and its
    /// directory are created when missing.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Database, RepoError> {
        let pools = match DbUrl::parse(url)? {
            DbUrl::Sqlite(path) => Self::open_sqlite(&path, options).await?,
            DbUrl::Postgres(url) => {
                let connect = PgConnectOptions::from_str(&url)
                    .map_err(|_| RepoError::InvalidUrl(redact(&url)))?;
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(connect)
                    .await?;
                Pools::Postgres { pool }
            }
        };
        Ok(Database {
            pools: Arc::new(pools),
            max_connections: options.max_connections,
        })
    }

    async fn open_sqlite(path: &Path, options: &DbOptions) -> Result<Pools, RepoError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| RepoError::Directory {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let base = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(base.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(base.pragma("query_only", "ON"))
            .await?;
        Ok(Pools::Sqlite { writer, reader })
    }

    /// The engine in use.
    pub fn backend(&self) -> Backend {
        match &*self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres { .. } => Backend::Postgres,
        }
    }

    /// Starts a write transaction. Everything a workflow changes, and its audit event, goes
    /// through one of these so they commit or vanish together.
    pub async fn begin(&self) -> Result<Tx, RepoError> {
        Ok(match &*self.pools {
            Pools::Sqlite { writer, .. } => Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Pools::Postgres { pool } => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A connection for one self-contained write statement, committed on its own (autocommit):
    /// one round trip instead of BEGIN, the statement and COMMIT. Only for a single statement
    /// whose change needs no audit record of its own (the live auction's plain events, whose
    /// log is their record).
    pub async fn write_alone(&self) -> Result<Conn, RepoError> {
        Ok(match &*self.pools {
            Pools::Sqlite { writer, .. } => Conn::Sqlite(writer.acquire().await?),
            Pools::Postgres { pool } => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// A connection for reads outside any transaction (cannot write on SQLite).
    pub async fn read(&self) -> Result<Conn, RepoError> {
        Ok(match &*self.pools {
            Pools::Sqlite { reader, .. } => Conn::Sqlite(reader.acquire().await?),
            Pools::Postgres { pool } => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// Refreshes PostgreSQL's planner statistics (`ANALYZE`) after a bulk load. Without them it
    /// planned from the empty tables' figures and chose nested loops that made a filtered
    /// search 20× slower until autovacuum caught up. SQLite is left alone on purpose: with
    /// `sqlite_stat1` its planner picked worse plans for the same searches (2.5× slower,
    /// measured with `bench/search.sh`, issue 3).
    pub async fn analyze(&self) -> Result<(), RepoError> {
        if self.backend() == Backend::Postgres {
            let mut tx = self.begin().await?;
            tx.handle().execute_raw("ANALYZE".to_string()).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Checks that the database answers (health check).
    pub async fn ping(&self) -> Result<(), RepoError> {
        match &*self.pools {
            Pools::Sqlite { reader, writer } => {
                reader.acquire().await?.ping().await?;
                // The writer may be busy with a long transaction; its pool being open is enough.
                if writer.is_closed() {
                    return Err(RepoError::Engine(sqlx::Error::PoolClosed));
                }
            }
            Pools::Postgres { pool } => pool.acquire().await?.ping().await?,
        }
        Ok(())
    }

    /// Closes every connection cleanly (SQLite checkpoints its WAL on the last close).
    pub async fn close(&self) {
        match &*self.pools {
            Pools::Sqlite { writer, reader } => {
                reader.close().await;
                writer.close().await;
            }
            Pools::Postgres { pool } => pool.close().await,
        }
    }

    /// Pool occupancy for `/metrics`.
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        match &*self.pools {
            Pools::Sqlite { writer, reader } => vec![
                PoolStats {
                    name: "writer",
                    size: writer.size(),
                    idle: writer.num_idle() as u32,
                    max: 1,
                },
                PoolStats {
                    name: "reader",
                    size: reader.size(),
                    idle: reader.num_idle() as u32,
                    max: self.max_connections,
                },
            ],
            Pools::Postgres { pool } => vec![PoolStats {
                name: "main",
                size: pool.size(),
                idle: pool.num_idle() as u32,
                max: self.max_connections,
            }],
        }
    }
}

/// Hides the password of a connection string before it reaches a log or an error page.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "<unparseable address>".to_string(),
    }
}

/// A write transaction on either engine. Dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    /// On SQLite.
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    /// On PostgreSQL.
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    /// Makes every change of the transaction durable (only then may the user be told).
    pub async fn commit(self) -> Result<(), RepoError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// A pooled connection on either engine, for reads.
pub enum Conn {
    /// On SQLite.
    Sqlite(PoolConnection<Sqlite>),
    /// On PostgreSQL.
    Postgres(PoolConnection<Postgres>),
}

/// Anything queries can run on: a transaction or a read connection.
pub trait Queryable: Send {
    /// Borrows the underlying connection for one query.
    fn handle(&mut self) -> Handle<'_>;
}

impl Queryable for Tx {
    fn handle(&mut self) -> Handle<'_> {
        match self {
            Tx::Sqlite(tx) => Handle::Sqlite(&mut *tx),
            Tx::Postgres(tx) => Handle::Postgres(&mut *tx),
        }
    }
}

impl Queryable for Conn {
    fn handle(&mut self) -> Handle<'_> {
        match self {
            Conn::Sqlite(c) => Handle::Sqlite(&mut *c),
            Conn::Postgres(c) => Handle::Postgres(&mut *c),
        }
    }
}

/// One borrowed connection; renders each statement for its engine.
pub enum Handle<'c> {
    /// SQLite.
    Sqlite(&'c mut sqlx::SqliteConnection),
    /// PostgreSQL.
    Postgres(&'c mut sqlx::PgConnection),
}

impl Handle<'_> {
    /// The engine of this connection.
    pub fn backend(&self) -> Backend {
        match self {
            Handle::Sqlite(_) => Backend::Sqlite,
            Handle::Postgres(_) => Backend::Postgres,
        }
    }

    /// Every row of a query.
    pub async fn all<T: DbRow>(self, query: &impl SqlxBinder) -> Result<Vec<T>, RepoError> {
        Ok(match self {
            Handle::Sqlite(c) => {
                let (sql, values) = query.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(c)
                    .await?
            }
            Handle::Postgres(c) => {
                let (sql, values) = query.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(c)
                    .await?
            }
        })
    }

    /// The first row of a query, if any.
    pub async fn optional<T: DbRow>(self, query: &impl SqlxBinder) -> Result<Option<T>, RepoError> {
        Ok(match self {
            Handle::Sqlite(c) => {
                let (sql, values) = query.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(c)
                    .await?
            }
            Handle::Postgres(c) => {
                let (sql, values) = query.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(c)
                    .await?
            }
        })
    }

    /// Exactly one row ([`RepoError::NotFound`] otherwise).
    pub async fn one<T: DbRow>(self, query: &impl SqlxBinder) -> Result<T, RepoError> {
        self.optional(query).await?.ok_or(RepoError::NotFound)
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(self, query: &impl SqlxBinder) -> Result<u64, RepoError> {
        Ok(match self {
            Handle::Sqlite(c) => {
                let (sql, values) = query.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(c)
                    .await?
                    .rows_affected()
            }
            Handle::Postgres(c) => {
                let (sql, values) = query.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(c)
                    .await?
                    .rows_affected()
            }
        })
    }

    /// Runs engine-specific SQL without parameters (schema migrations only).
    pub async fn execute_raw(self, sql: String) -> Result<(), RepoError> {
        match self {
            Handle::Sqlite(c) => {
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(c).await?;
            }
            Handle::Postgres(c) => {
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(c).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            DbUrl::parse("sqlite://./data/t.db").unwrap(),
            DbUrl::Sqlite(PathBuf::from("./data/t.db"))
        );
        assert_eq!(
            DbUrl::parse("sqlite:/tmp/x.db?mode=rwc").unwrap(),
            DbUrl::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        assert!(matches!(
            DbUrl::parse("postgres://u:p@h/db").unwrap(),
            DbUrl::Postgres(_)
        ));
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://ana:s3cret@db.example/tianguis"),
            "postgres://ana:***@db.example/tianguis"
        );
        assert!(!redact("postgres://ana:s3cret@db/t").contains("s3cret"));
    }
}

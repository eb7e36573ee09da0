//! The supplier registry.

use super::db::{Queryable, RepoError};
use super::schema::Suppliers;
use super::{Page, contains_ci};
use crate::domain::supplier::{Supplier, SupplierStatus};
use crate::domain::time::Timestamp;
use sea_query::{Asterisk, Cond, Expr, ExprTrait, Order, Query};

#[derive(sqlx::FromRow)]
struct SupplierRow {
    id: i64,
    legal_name: String,
    nit: String,
    status: String,
    email: Option<String>,
    phone: Option<String>,
    department: Option<String>,
    created_at: i64,
}

impl TryFrom<SupplierRow> for Supplier {
    type Error = RepoError;
    fn try_from(r: SupplierRow) -> Result<Self, RepoError> {
        Ok(Supplier {
            status: SupplierStatus::from_code(&r.status)
                .ok_or_else(|| RepoError::Corrupt(format!("supplier status {:?}", r.status)))?,
            id: r.id,
            legal_name: r.legal_name,
            nit: r.nit,
            email: r.email,
            phone: r.phone,
            department: r.department,
            created_at: Timestamp::from_micros(r.created_at),
        })
    }
}

const COLUMNS: [Suppliers; 8] = [
    Suppliers::Id,
    Suppliers::LegalName,
    Suppliers::Nit,
    Suppliers::Status,
    Suppliers::Email,
    Suppliers::Phone,
    Suppliers::Department,
    Suppliers::CreatedAt,
];

/// Data of a new supplier (the NIT already validated).
#[derive(Debug, Clone)]
pub struct NewSupplier<'a> {
    /// Legal name.
    pub legal_name: &'a str,
    /// Canonical NIT.
    pub nit: &'a str,
    /// Initial status.
    pub status: SupplierStatus,
    /// Contact e-mail.
    pub email: Option<&'a str>,
    /// Contact phone.
    pub phone: Option<&'a str>,
    /// Department.
    pub department: Option<&'a str>,
}

/// Registers a supplier; [`RepoError::UniqueViolation`] if the NIT is already registered.
pub async fn insert(
    db: &mut impl Queryable,
    s: &NewSupplier<'_>,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Suppliers::Table)
                .columns([
                    Suppliers::LegalName,
                    Suppliers::Nit,
                    Suppliers::Status,
                    Suppliers::Email,
                    Suppliers::Phone,
                    Suppliers::Department,
                    Suppliers::CreatedAt,
                    Suppliers::UpdatedAt,
                ])
                .values_panic([
                    s.legal_name.into(),
                    s.nit.into(),
                    s.status.code().into(),
                    s.email.into(),
                    s.phone.into(),
                    s.department.into(),
                    now.as_micros().into(),
                    now.as_micros().into(),
                ])
                .returning_col(Suppliers::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// The supplier with this id.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<Supplier>, RepoError> {
    let row: Option<SupplierRow> = db
        .handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(Suppliers::Table)
                .and_where(Expr::col(Suppliers::Id).eq(id))
                .to_owned(),
        )
        .await?;
    row.map(Supplier::try_from).transpose()
}

/// The supplier with this canonical NIT.
pub async fn find_by_nit(
    db: &mut impl Queryable,
    nit: &str,
) -> Result<Option<Supplier>, RepoError> {
    let row: Option<SupplierRow> = db
        .handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(Suppliers::Table)
                .and_where(Expr::col(Suppliers::Nit).eq(nit))
                .to_owned(),
        )
        .await?;
    row.map(Supplier::try_from).transpose()
}

/// A page of suppliers by legal name, optionally filtered by text (name or NIT) and status.
pub async fn list(
    db: &mut impl Queryable,
    search: Option<&str>,
    status: Option<SupplierStatus>,
    offset: i64,
    limit: i64,
) -> Result<Page<Supplier>, RepoError> {
    let mut cond = Cond::all();
    if let Some(search) = search.filter(|s| !s.is_empty()) {
        cond = cond.add(
            Cond::any()
                .add(contains_ci(Suppliers::LegalName, search))
                .add(contains_ci(Suppliers::Nit, search)),
        );
    }
    if let Some(status) = status {
        cond = cond.add(Expr::col(Suppliers::Status).eq(status.code()));
    }
    let (total,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Suppliers::Table)
                .cond_where(cond.clone())
                .to_owned(),
        )
        .await?;
    let rows: Vec<SupplierRow> = db
        .handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(Suppliers::Table)
                .cond_where(cond)
                .order_by(Suppliers::LegalName, Order::Asc)
                .order_by(Suppliers::Id, Order::Asc)
                .limit(limit as u64)
                .offset(offset as u64)
                .to_owned(),
        )
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(Supplier::try_from)
            .collect::<Result<_, _>>()?,
        total,
        offset,
        limit,
    })
}

//! The supplier registry.

use super::db::{Queryable, RepoError};
use super::schema::Suppliers;
use super::{Page, contains_ci, contains_folded};
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
                .add(contains_folded(Suppliers::LegalName, search))
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

/// Registry details beyond the listing fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct SupplierDetails {
    /// Trade name (nombre comercial).
    pub trade_name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Municipality.
    pub municipality: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// JSON list of category codes supplied (UNSPSC segments, ATC groups).
    pub categories: Option<String>,
    /// Why it was suspended.
    pub suspension_reason: Option<String>,
    /// When verified (µs).
    pub verified_at: Option<i64>,
    /// When suspended (µs).
    pub suspended_at: Option<i64>,
}

/// Registry details of a supplier.
pub async fn details(
    db: &mut impl Queryable,
    id: i64,
) -> Result<Option<SupplierDetails>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns([
                    Suppliers::TradeName,
                    Suppliers::Address,
                    Suppliers::Municipality,
                    Suppliers::Website,
                    Suppliers::Categories,
                    Suppliers::SuspensionReason,
                    Suppliers::VerifiedAt,
                    Suppliers::SuspendedAt,
                ])
                .from(Suppliers::Table)
                .and_where(Expr::col(Suppliers::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// Stores registry details.
pub async fn set_details(
    db: &mut impl Queryable,
    id: i64,
    d: &SupplierDetails,
    now: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Suppliers::Table)
                .values([
                    (Suppliers::TradeName, d.trade_name.clone().into()),
                    (Suppliers::Address, d.address.clone().into()),
                    (Suppliers::Municipality, d.municipality.clone().into()),
                    (Suppliers::Website, d.website.clone().into()),
                    (Suppliers::Categories, d.categories.clone().into()),
                    (Suppliers::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(Suppliers::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Moves a supplier between registry statuses (returns whether it was in `from`).
pub async fn set_status(
    db: &mut impl Queryable,
    id: i64,
    from: SupplierStatus,
    to: SupplierStatus,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<bool, RepoError> {
    let mut q = Query::update()
        .table(Suppliers::Table)
        .values([
            (Suppliers::Status, to.code().into()),
            (Suppliers::UpdatedAt, now.as_micros().into()),
        ])
        .and_where(Expr::col(Suppliers::Id).eq(id))
        .and_where(Expr::col(Suppliers::Status).eq(from.code()))
        .to_owned();
    match to {
        SupplierStatus::Verified => {
            q.value(Suppliers::VerifiedAt, now.as_micros());
            q.value(Suppliers::SuspensionReason, Option::<String>::None);
            q.value(Suppliers::SuspendedAt, Option::<i64>::None);
        }
        SupplierStatus::Suspended => {
            q.value(Suppliers::SuspensionReason, reason.map(str::to_string));
            q.value(Suppliers::SuspendedAt, now.as_micros());
        }
        SupplierStatus::Pending => {}
    }
    Ok(db.handle().execute(&q).await? == 1)
}

/// A contact person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct ContactRow {
    /// Name.
    pub name: String,
    /// Position.
    pub position: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// A beneficial owner.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct OwnerRow {
    /// Name.
    pub name: String,
    /// Nationality.
    pub nationality: Option<String>,
    /// Identity document (DPI, passport).
    pub document_id: Option<String>,
    /// Share held, percent (exact text).
    pub share_percent: String,
    /// Politically exposed person.
    pub politically_exposed: bool,
}

/// Replaces a supplier's contacts.
pub async fn set_contacts(
    db: &mut impl Queryable,
    id: i64,
    contacts: &[ContactRow],
) -> Result<(), RepoError> {
    use super::schema_esourcing::SupplierContacts as C;
    db.handle()
        .execute(
            &Query::delete()
                .from_table(C::Table)
                .and_where(Expr::col(C::SupplierId).eq(id))
                .to_owned(),
        )
        .await?;
    if contacts.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert()
        .into_table(C::Table)
        .columns([C::SupplierId, C::Name, C::Position, C::Email, C::Phone])
        .to_owned();
    for c in contacts {
        insert.values_panic([
            id.into(),
            c.name.as_str().into(),
            c.position.clone().into(),
            c.email.clone().into(),
            c.phone.clone().into(),
        ]);
    }
    db.handle().execute(&insert).await?;
    Ok(())
}

/// A supplier's contacts.
pub async fn contacts(db: &mut impl Queryable, id: i64) -> Result<Vec<ContactRow>, RepoError> {
    use super::schema_esourcing::SupplierContacts as C;
    db.handle()
        .all(
            &Query::select()
                .columns([C::Name, C::Position, C::Email, C::Phone])
                .from(C::Table)
                .and_where(Expr::col(C::SupplierId).eq(id))
                .order_by(C::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Replaces a supplier's beneficial owners.
pub async fn set_owners(
    db: &mut impl Queryable,
    id: i64,
    owners: &[OwnerRow],
) -> Result<(), RepoError> {
    use super::schema_esourcing::SupplierOwners as O;
    db.handle()
        .execute(
            &Query::delete()
                .from_table(O::Table)
                .and_where(Expr::col(O::SupplierId).eq(id))
                .to_owned(),
        )
        .await?;
    if owners.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert()
        .into_table(O::Table)
        .columns([
            O::SupplierId,
            O::Name,
            O::Nationality,
            O::DocumentId,
            O::SharePercent,
            O::PoliticallyExposed,
        ])
        .to_owned();
    for o in owners {
        insert.values_panic([
            id.into(),
            o.name.as_str().into(),
            o.nationality.clone().into(),
            o.document_id.clone().into(),
            o.share_percent.as_str().into(),
            o.politically_exposed.into(),
        ]);
    }
    db.handle().execute(&insert).await?;
    Ok(())
}

/// A supplier's beneficial owners.
pub async fn owners(db: &mut impl Queryable, id: i64) -> Result<Vec<OwnerRow>, RepoError> {
    use super::schema_esourcing::SupplierOwners as O;
    db.handle()
        .all(
            &Query::select()
                .columns([
                    O::Name,
                    O::Nationality,
                    O::DocumentId,
                    O::SharePercent,
                    O::PoliticallyExposed,
                ])
                .from(O::Table)
                .and_where(Expr::col(O::SupplierId).eq(id))
                .order_by(O::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Users bound to a supplier (to notify them).
pub async fn user_ids(
    db: &mut impl Queryable,
    supplier_ids: &[i64],
) -> Result<Vec<i64>, RepoError> {
    use super::schema::Users;
    if supplier_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column(Users::Id)
                .from(Users::Table)
                .and_where(Expr::col(Users::SupplierId).is_in(supplier_ids.to_vec()))
                .and_where(Expr::col(Users::Active).eq(true))
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

//! Accounts and their roles.

use super::db::{Queryable, RepoError};
use super::schema::{UserRoles, Users};
use super::{Page, contains_ci};
use crate::domain::lang::Lang;
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use crate::domain::user::{User, UserFields};
use sea_query::{Asterisk, Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use std::collections::{BTreeSet, HashMap};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    email: Option<String>,
    supplier_id: Option<i64>,
    locale: Option<String>,
    active: bool,
    created_at: i64,
}

const USER_COLUMNS: [Users; 8] = [
    Users::Id,
    Users::Username,
    Users::DisplayName,
    Users::Email,
    Users::SupplierId,
    Users::Locale,
    Users::Active,
    Users::CreatedAt,
];

fn select_users() -> SelectStatement {
    Query::select()
        .columns(USER_COLUMNS)
        .from(Users::Table)
        .to_owned()
}

async fn with_roles(db: &mut impl Queryable, rows: Vec<UserRow>) -> Result<Vec<User>, RepoError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let role_rows: Vec<(i64, String)> = db
        .handle()
        .all(
            &Query::select()
                .columns([UserRoles::UserId, UserRoles::Role])
                .from(UserRoles::Table)
                .and_where(Expr::col(UserRoles::UserId).is_in(ids))
                .to_owned(),
        )
        .await?;
    let mut roles: HashMap<i64, BTreeSet<Role>> = HashMap::new();
    for (user_id, code) in role_rows {
        let role = Role::from_code(&code)
            .ok_or_else(|| RepoError::Corrupt(format!("unknown role {code:?}")))?;
        roles.entry(user_id).or_default().insert(role);
    }
    Ok(rows
        .into_iter()
        .map(|r| User {
            roles: roles.remove(&r.id).unwrap_or_default(),
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            supplier_id: r.supplier_id,
            locale: r.locale.as_deref().and_then(Lang::from_code),
            active: r.active,
            created_at: Timestamp::from_micros(r.created_at),
        })
        .collect())
}

/// The ids of the active accounts that hold `role` (who to notify of work for that role).
pub async fn active_ids_with_role(
    db: &mut impl Queryable,
    role: Role,
) -> Result<Vec<i64>, RepoError> {
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column((UserRoles::Table, UserRoles::UserId))
                .from(UserRoles::Table)
                .inner_join(
                    Users::Table,
                    Expr::col((Users::Table, Users::Id))
                        .equals((UserRoles::Table, UserRoles::UserId)),
                )
                .and_where(Expr::col((UserRoles::Table, UserRoles::Role)).eq(role.code()))
                .and_where(Expr::col((Users::Table, Users::Active)).eq(true))
                .order_by((UserRoles::Table, UserRoles::UserId), Order::Asc)
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The account with this id.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<User>, RepoError> {
    let row: Option<UserRow> = db
        .handle()
        .optional(
            &select_users()
                .and_where(Expr::col(Users::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(with_roles(db, row.into_iter().collect()).await?.pop())
}

/// The account with this (canonical) username and its password hash, for signing in.
pub async fn find_for_login(
    db: &mut impl Queryable,
    username: &str,
) -> Result<Option<(User, String)>, RepoError> {
    let row: Option<(i64, String)> = db
        .handle()
        .optional(
            &Query::select()
                .columns([Users::Id, Users::PasswordHash])
                .from(Users::Table)
                .and_where(Expr::col(Users::Username).eq(username))
                .to_owned(),
        )
        .await?;
    let Some((id, hash)) = row else {
        return Ok(None);
    };
    Ok(find(db, id).await?.map(|u| (u, hash)))
}

/// The password hash of an account (to check the current password before changing it).
pub async fn password_hash(db: &mut impl Queryable, id: i64) -> Result<String, RepoError> {
    let (hash,): (String,) = db
        .handle()
        .one(
            &Query::select()
                .column(Users::PasswordHash)
                .from(Users::Table)
                .and_where(Expr::col(Users::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(hash)
}

/// Filters of the account list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Text contained in the username or display name.
    pub search: Option<String>,
    /// Only holders of this role.
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) accounts.
    pub active: Option<bool>,
}

/// A page of accounts, ordered by username.
pub async fn list(
    db: &mut impl Queryable,
    filter: &UserFilter,
    offset: i64,
    limit: i64,
) -> Result<Page<User>, RepoError> {
    let mut cond = Cond::all();
    if let Some(search) = filter.search.as_deref().filter(|s| !s.is_empty()) {
        cond = cond.add(
            Cond::any()
                .add(contains_ci((Users::Table, Users::Username), search))
                .add(contains_ci((Users::Table, Users::DisplayName), search)),
        );
    }
    if let Some(role) = filter.role {
        cond = cond.add(
            Expr::col((Users::Table, Users::Id)).in_subquery(
                Query::select()
                    .column(UserRoles::UserId)
                    .from(UserRoles::Table)
                    .and_where(Expr::col(UserRoles::Role).eq(role.code()))
                    .to_owned(),
            ),
        );
    }
    if let Some(active) = filter.active {
        cond = cond.add(Expr::col((Users::Table, Users::Active)).eq(active));
    }
    let (total,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Users::Table)
                .cond_where(cond.clone())
                .to_owned(),
        )
        .await?;
    let rows: Vec<UserRow> = db
        .handle()
        .all(
            &select_users()
                .cond_where(cond)
                .order_by(Users::Username, Order::Asc)
                .limit(limit as u64)
                .offset(offset as u64)
                .to_owned(),
        )
        .await?;
    Ok(Page {
        items: with_roles(db, rows).await?,
        total,
        offset,
        limit,
    })
}

/// Number of accounts.
pub async fn count(db: &mut impl Queryable) -> Result<i64, RepoError> {
    let (n,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Users::Table)
                .to_owned(),
        )
        .await?;
    Ok(n)
}

async fn replace_roles(
    db: &mut impl Queryable,
    id: i64,
    roles: &BTreeSet<Role>,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::delete()
                .from_table(UserRoles::Table)
                .and_where(Expr::col(UserRoles::UserId).eq(id))
                .to_owned(),
        )
        .await?;
    if roles.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert()
        .into_table(UserRoles::Table)
        .columns([UserRoles::UserId, UserRoles::Role])
        .to_owned();
    for role in roles {
        insert.values_panic([id.into(), role.code().into()]);
    }
    db.handle().execute(&insert).await?;
    Ok(())
}

/// Creates an account; fails with [`RepoError::UniqueViolation`] if the username is taken.
pub async fn insert(
    db: &mut impl Queryable,
    fields: &UserFields,
    password_hash: &str,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Users::Table)
                .columns([
                    Users::Username,
                    Users::DisplayName,
                    Users::Email,
                    Users::PasswordHash,
                    Users::SupplierId,
                    Users::Active,
                    Users::CreatedAt,
                    Users::UpdatedAt,
                ])
                .values_panic([
                    fields.username.as_str().into(),
                    fields.display_name.as_str().into(),
                    fields.email.clone().into(),
                    password_hash.into(),
                    fields.supplier_id.into(),
                    true.into(),
                    now.as_micros().into(),
                    now.as_micros().into(),
                ])
                .returning_col(Users::Id)
                .to_owned(),
        )
        .await?;
    replace_roles(db, id, &fields.roles).await?;
    Ok(id)
}

/// Replaces an account's editable fields and roles.
pub async fn update(
    db: &mut impl Queryable,
    id: i64,
    fields: &UserFields,
    now: Timestamp,
) -> Result<(), RepoError> {
    let changed = db
        .handle()
        .execute(
            &Query::update()
                .table(Users::Table)
                .values([
                    (Users::Username, fields.username.as_str().into()),
                    (Users::DisplayName, fields.display_name.as_str().into()),
                    (Users::Email, fields.email.clone().into()),
                    (Users::SupplierId, fields.supplier_id.into()),
                    (Users::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(Users::Id).eq(id))
                .to_owned(),
        )
        .await?;
    if changed == 0 {
        return Err(RepoError::NotFound);
    }
    replace_roles(db, id, &fields.roles).await
}

/// Sets one column of an account.
async fn set_column(
    db: &mut impl Queryable,
    id: i64,
    column: Users,
    value: sea_query::Value,
    now: Timestamp,
) -> Result<(), RepoError> {
    let changed = db
        .handle()
        .execute(
            &Query::update()
                .table(Users::Table)
                .values([
                    (column, Expr::val(value)),
                    (Users::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(Users::Id).eq(id))
                .to_owned(),
        )
        .await?;
    if changed == 0 {
        return Err(RepoError::NotFound);
    }
    Ok(())
}

/// Stores a new password hash.
pub async fn set_password_hash(
    db: &mut impl Queryable,
    id: i64,
    hash: &str,
    now: Timestamp,
) -> Result<(), RepoError> {
    set_column(db, id, Users::PasswordHash, hash.into(), now).await
}

/// Activates or deactivates an account.
pub async fn set_active(
    db: &mut impl Queryable,
    id: i64,
    active: bool,
    now: Timestamp,
) -> Result<(), RepoError> {
    set_column(db, id, Users::Active, active.into(), now).await
}

/// Remembers the interface language a user chose.
pub async fn set_locale(
    db: &mut impl Queryable,
    id: i64,
    lang: Lang,
    now: Timestamp,
) -> Result<(), RepoError> {
    set_column(db, id, Users::Locale, lang.code().into(), now).await
}

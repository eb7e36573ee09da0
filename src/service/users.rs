//! Account administration and each user's own settings.

use super::audit::{Publication, commit_with};
use super::auth::{hash_password, verify_password};
use super::events::users::{
    AccountChange, UserActivated, UserCreated, UserDeactivated, UserLocaleChanged,
    UserPasswordChanged, UserPasswordReset, UserUpdated,
};
use super::{Actor, ServiceError};
use crate::domain::lang::Lang;
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use crate::domain::user::{User, UserInput, validate_password, validate_user};
use crate::domain::validation::{FieldCode, FieldError};
use crate::repository::users::UserFilter;
use crate::repository::{Database, Page, Queryable, RepoError, sessions, suppliers, users};
use serde::Deserialize;

/// Account fields as submitted by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UserForm {
    /// Sign-in name (3–64 of `a-z 0-9 . _ -`, case-insensitive).
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Contact e-mail (optional).
    #[serde(default)]
    pub email: Option<String>,
    /// Role codes: `administrator`, `buyer`, `evaluator`, `supplier`, `warehouse`, `analyst`,
    /// `observer`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The supplier a `supplier` user acts for.
    #[serde(default)]
    pub supplier_id: Option<i64>,
}

fn require_admin(actor: &Actor) -> Result<(), ServiceError> {
    if actor.has_role(Role::Administrator) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

async fn check_fields(
    db: &mut impl Queryable,
    form: &UserForm,
) -> Result<crate::domain::user::UserFields, ServiceError> {
    let email = form.email.clone().unwrap_or_default();
    let mut result = validate_user(&UserInput {
        username: &form.username,
        display_name: &form.display_name,
        email: &email,
        roles: &form.roles,
        supplier_id: form.supplier_id,
    });
    if let Some(id) = form.supplier_id
        && suppliers::find(db, id).await?.is_none()
    {
        let unknown = FieldError {
            field: "supplier_id".into(),
            code: FieldCode::UnknownSupplier,
        };
        match &mut result {
            Ok(_) => result = Err(vec![unknown]),
            Err(errors) => errors.push(unknown),
        }
    }
    result.map_err(ServiceError::Validation)
}

fn taken(err: RepoError) -> ServiceError {
    match err {
        RepoError::UniqueViolation(_) => ServiceError::field("username", FieldCode::UsernameTaken),
        other => other.into(),
    }
}

/// Creates an account with an initial password (administrators only).
pub async fn create(
    db: &Database,
    actor: &Actor,
    form: &UserForm,
    password: &str,
) -> Result<User, ServiceError> {
    require_admin(actor)?;
    let mut tx = db.begin().await?;
    let fields = check_fields(&mut tx, form).await?;
    validate_password(&fields.username, password)
        .map_err(|code| ServiceError::field("password", code))?;
    let hash = hash_password(password.to_string()).await?;
    let now = Timestamp::now();
    let id = users::insert(&mut tx, &fields, &hash, now)
        .await
        .map_err(taken)?;
    let user = users::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(tx, actor, &UserCreated { user: &user }, Publication::None).await?;
    Ok(user)
}

/// Replaces an account's fields and roles (administrators only).
pub async fn update(
    db: &Database,
    actor: &Actor,
    id: i64,
    form: &UserForm,
) -> Result<User, ServiceError> {
    require_admin(actor)?;
    let mut tx = db.begin().await?;
    let before = users::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let fields = check_fields(&mut tx, form).await?;
    if actor.user_id() == Some(id) && !fields.roles.contains(&Role::Administrator) {
        // An administrator removing their own administrator role could lock everyone out.
        return Err(ServiceError::field("roles", FieldCode::RoleCombination));
    }
    users::update(&mut tx, id, &fields, Timestamp::now())
        .await
        .map_err(taken)?;
    let after = users::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let change = AccountChange {
        before: &before,
        after: &after,
    };
    commit_with(tx, actor, &UserUpdated(change), Publication::None).await?;
    Ok(after)
}

/// Activates or deactivates an account (administrators only; not one's own). Deactivation
/// ends the account's sessions at once.
pub async fn set_active(
    db: &Database,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<User, ServiceError> {
    require_admin(actor)?;
    let mut tx = db.begin().await?;
    let before = users::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if before.active == active {
        return Err(ServiceError::IllegalTransition {
            from: if active { "active" } else { "inactive" }.into(),
            action: if active { "activate" } else { "deactivate" }.into(),
        });
    }
    if actor.user_id() == Some(id) {
        return Err(ServiceError::Forbidden);
    }
    let now = Timestamp::now();
    users::set_active(&mut tx, id, active, now).await?;
    if !active {
        sessions::delete_for_user(&mut tx, id).await?;
    }
    let after = users::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let change = AccountChange {
        before: &before,
        after: &after,
    };
    if active {
        commit_with(tx, actor, &UserActivated(change), Publication::None).await?;
    } else {
        commit_with(tx, actor, &UserDeactivated(change), Publication::None).await?;
    }
    Ok(after)
}

/// Sets a new password for an account (administrators only); ends its sessions.
pub async fn reset_password(
    db: &Database,
    actor: &Actor,
    id: i64,
    password: &str,
) -> Result<(), ServiceError> {
    require_admin(actor)?;
    let user = {
        let mut conn = db.read().await?;
        users::find(&mut conn, id)
            .await?
            .ok_or(ServiceError::NotFound)?
    };
    validate_password(&user.username, password)
        .map_err(|code| ServiceError::field("password", code))?;
    let hash = hash_password(password.to_string()).await?;
    let mut tx = db.begin().await?;
    users::set_password_hash(&mut tx, id, &hash, Timestamp::now()).await?;
    sessions::delete_for_user(&mut tx, id).await?;
    commit_with(
        tx,
        actor,
        &UserPasswordReset { user_id: id },
        Publication::None,
    )
    .await?;
    Ok(())
}

/// A user changes their own password, proving they know the current one. Other sessions of
/// the account end; the current one stays.
pub async fn change_own_password(
    db: &Database,
    user: &User,
    current: &str,
    new: &str,
    confirmation: &str,
    keep_session_hash: Option<&str>,
) -> Result<(), ServiceError> {
    let stored = {
        let mut conn = db.read().await?;
        users::password_hash(&mut conn, user.id).await?
    };
    if !verify_password(current.to_string(), stored).await {
        return Err(ServiceError::field(
            "current_password",
            FieldCode::WrongPassword,
        ));
    }
    if new != confirmation {
        return Err(ServiceError::field(
            "confirmation",
            FieldCode::PasswordMismatch,
        ));
    }
    validate_password(&user.username, new).map_err(|code| ServiceError::field("password", code))?;
    let hash = hash_password(new.to_string()).await?;
    let mut tx = db.begin().await?;
    users::set_password_hash(&mut tx, user.id, &hash, Timestamp::now()).await?;
    sessions::delete_for_user_except(&mut tx, user.id, keep_session_hash).await?;
    commit_with(
        tx,
        &Actor::User(user.clone()),
        &UserPasswordChanged { user_id: user.id },
        Publication::None,
    )
    .await?;
    Ok(())
}

/// Remembers the language a user chose with the switcher.
pub async fn set_locale(db: &Database, user: &User, lang: Lang) -> Result<(), ServiceError> {
    if user.locale == Some(lang) {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    users::set_locale(&mut tx, user.id, lang, Timestamp::now()).await?;
    commit_with(
        tx,
        &Actor::User(user.clone()),
        &UserLocaleChanged {
            user_id: user.id,
            before: user.locale.map(Into::into),
            after: lang.into(),
        },
        Publication::None,
    )
    .await?;
    Ok(())
}

/// One account (administrators only).
pub async fn get(db: &Database, actor: &Actor, id: i64) -> Result<User, ServiceError> {
    require_admin(actor)?;
    let mut conn = db.read().await?;
    users::find(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A page of accounts (administrators only).
pub async fn list(
    db: &Database,
    actor: &Actor,
    filter: &UserFilter,
    offset: i64,
    limit: i64,
) -> Result<Page<User>, ServiceError> {
    require_admin(actor)?;
    let mut conn = db.read().await?;
    Ok(users::list(&mut conn, filter, offset.max(0), limit.clamp(1, 200)).await?)
}

//! Accounts: who may sign in, with which roles, and the rules on their fields.

use crate::domain::lang::Lang;
use crate::domain::role::{Role, validate_role_set};
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, FieldError, Validator, looks_like_email};
use serde::Serialize;
use std::collections::BTreeSet;

/// Shortest password accepted. NIST SP 800-63B §5.1.1.2 asks for at least 8; public-sector
/// accounts that can award contracts deserve a little more.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (bounds the hashing work an attacker can request).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A user account as the rest of the platform sees it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Internal id.
    pub id: i64,
    /// Sign-in name: lowercase, unique.
    pub username: String,
    /// Name shown on pages and in the audit log.
    pub display_name: String,
    /// Contact address for notifications.
    pub email: Option<String>,
    /// Roles held (see `role::validate_role_set` for allowed combinations).
    pub roles: BTreeSet<Role>,
    /// The supplier a supplier user acts for.
    pub supplier_id: Option<i64>,
    /// Interface language chosen by the user, if any.
    pub locale: Option<Lang>,
    /// Deactivated users cannot sign in; accounts are never deleted so the audit log keeps
    /// pointing at real people.
    pub active: bool,
    /// When the account was created.
    pub created_at: Timestamp,
}

impl User {
    /// Whether the user holds the role.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The label recorded as actor in the audit log.
    pub fn actor_label(&self) -> String {
        format!("user:{}", self.username)
    }
}

/// A checked set of editable account fields (creation or update by an administrator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFields {
    /// Canonical (lowercase, trimmed) username.
    pub username: String,
    /// Trimmed display name.
    pub display_name: String,
    /// Trimmed e-mail, if given.
    pub email: Option<String>,
    /// The roles.
    pub roles: BTreeSet<Role>,
    /// The supplier binding.
    pub supplier_id: Option<i64>,
}

/// Raw, untrusted input for [`UserFields`].
#[derive(Debug, Clone, Default)]
pub struct UserInput<'a> {
    /// Submitted username.
    pub username: &'a str,
    /// Submitted display name.
    pub display_name: &'a str,
    /// Submitted e-mail (empty = none).
    pub email: &'a str,
    /// Submitted role codes.
    pub roles: &'a [String],
    /// Submitted supplier id.
    pub supplier_id: Option<i64>,
}

/// Canonical username: trimmed and lowercased, so `Ana` and `ana` are one account.
pub fn canonical_username(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// Checks account fields, reporting every failing field.
pub fn validate_user(input: &UserInput<'_>) -> Result<UserFields, Vec<FieldError>> {
    let mut v = Validator::new();
    let username = canonical_username(input.username);
    if username.is_empty() {
        v.fail("username", FieldCode::Required);
    } else if username.chars().count() < 3 {
        v.fail("username", FieldCode::TooShort);
    } else if username.chars().count() > 64 {
        v.fail("username", FieldCode::TooLong);
    } else if !username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        v.fail("username", FieldCode::InvalidCharacters);
    }
    let display_name = v.name("display_name", input.display_name, 1, 120);
    let email = input.email.trim();
    let email = if email.is_empty() {
        None
    } else {
        if !looks_like_email(email) {
            v.fail("email", FieldCode::InvalidEmail);
        }
        Some(email.to_string())
    };
    let mut roles = BTreeSet::new();
    for code in input.roles {
        match Role::from_code(code) {
            Some(role) => {
                roles.insert(role);
            }
            None => v.fail("roles", FieldCode::UnknownOption),
        }
    }
    if v.errors().iter().all(|e| e.field != "roles")
        && validate_role_set(&roles, input.supplier_id).is_err()
    {
        v.fail("roles", FieldCode::RoleCombination);
    }
    v.finish()?;
    Ok(UserFields {
        username,
        display_name,
        email,
        roles,
        supplier_id: input.supplier_id,
    })
}

/// Checks a new password: length bounds and not one of the passwords every attacker tries
/// first, nor the username itself.
pub fn validate_password(username: &str, password: &str) -> Result<(), FieldCode> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(FieldCode::WeakPassword);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(FieldCode::TooLong);
    }
    let lowered = password.to_lowercase();
    const COMMON: &[&str] = &[
        "1234567890",
        "12345678910",
        "contraseña123",
        "contrasena123",
        "password123",
        "qwertyuiop",
        "administrador",
        "guatemala123",
        "0123456789",
    ];
    if COMMON.contains(&lowered.as_str())
        || (!username.is_empty() && lowered.contains(&username.to_lowercase()))
        || password.chars().all(|c| password.starts_with(c))
    {
        return Err(FieldCode::WeakPassword);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn valid_user() {
        let r = roles(&["buyer", "evaluator"]);
        let fields = validate_user(&UserInput {
            username: "  Ana.Lopez ",
            display_name: "Ana López",
            email: "ana@igss.gob.gt",
            roles: &r,
            supplier_id: None,
        })
        .unwrap();
        assert_eq!(fields.username, "ana.lopez");
        assert_eq!(fields.roles.len(), 2);
    }

    #[test]
    fn all_failures_reported_together() {
        let r = roles(&["emperor"]);
        let errs = validate_user(&UserInput {
            username: "<script>",
            display_name: "",
            email: "nope",
            roles: &r,
            supplier_id: None,
        })
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("username", FieldCode::InvalidCharacters),
                ("display_name", FieldCode::Required),
                ("email", FieldCode::InvalidEmail),
                ("roles", FieldCode::UnknownOption),
            ]
        );
    }

    #[test]
    fn role_combination_rejected() {
        let r = roles(&["supplier", "buyer"]);
        let errs = validate_user(&UserInput {
            username: "prov",
            display_name: "Prov",
            email: "",
            roles: &r,
            supplier_id: Some(1),
        })
        .unwrap_err();
        assert_eq!(errs[0].code, FieldCode::RoleCombination);
    }

    #[test]
    fn passwords() {
        assert_eq!(
            validate_password("ana", "corta"),
            Err(FieldCode::WeakPassword)
        );
        assert_eq!(
            validate_password("ana", "1234567890"),
            Err(FieldCode::WeakPassword)
        );
        assert_eq!(
            validate_password("ana", "aaaaaaaaaaaa"),
            Err(FieldCode::WeakPassword)
        );
        assert_eq!(
            validate_password("analopez", "xxanalopezxx"),
            Err(FieldCode::WeakPassword)
        );
        assert_eq!(
            validate_password("ana", &"x".repeat(300)),
            Err(FieldCode::TooLong)
        );
        assert_eq!(validate_password("ana", "Quetzal-verde-2026"), Ok(()));
    }
}

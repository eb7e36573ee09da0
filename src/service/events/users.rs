//! Events of account administration and of each user's own settings (`service::users`).
//! Accounts are never public; a [`User`] never carries its password hash.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::domain::lang::Lang;
use crate::domain::user::User;
use serde::Serialize;

/// `user.created`: an account was created, by an administrator, a supplier's registration or
/// the demo.
#[derive(Debug, Clone, Copy)]
pub struct UserCreated<'a> {
    /// The account as stored.
    pub user: &'a User,
}

impl AsAuditEvent for UserCreated<'_> {
    const ACTION: AuditAction = AuditAction::UserCreated;
    const ENTITY_TYPE: &'static str = "user";
    type Before = NoSnapshot;
    type After = User;
    fn entity_id(&self) -> Option<String> {
        Some(self.user.id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&User> {
        Some(self.user)
    }
}

/// An account before and after a change of its fields or of its state.
#[derive(Debug, Clone, Copy)]
pub struct AccountChange<'a> {
    /// Before.
    pub before: &'a User,
    /// After.
    pub after: &'a User,
}

/// `user.updated`: an administrator changed an account's fields or roles.
#[derive(Debug, Clone, Copy)]
pub struct UserUpdated<'a>(pub AccountChange<'a>);

/// `user.activated`: an administrator let an account sign in again.
#[derive(Debug, Clone, Copy)]
pub struct UserActivated<'a>(pub AccountChange<'a>);

/// `user.deactivated`: an administrator stopped an account from signing in (and ended its
/// sessions).
#[derive(Debug, Clone, Copy)]
pub struct UserDeactivated<'a>(pub AccountChange<'a>);

macro_rules! account_change {
    ($event:ident, $action:ident) => {
        impl AsAuditEvent for $event<'_> {
            const ACTION: AuditAction = AuditAction::$action;
            const ENTITY_TYPE: &'static str = "user";
            type Before = User;
            type After = User;
            fn entity_id(&self) -> Option<String> {
                Some(self.0.after.id.to_string())
            }
            fn public(&self) -> bool {
                false
            }
            fn before(&self) -> Option<&User> {
                Some(self.0.before)
            }
            fn after(&self) -> Option<&User> {
                Some(self.0.after)
            }
        }
    };
}
account_change!(UserUpdated, UserUpdated);
account_change!(UserActivated, UserActivated);
account_change!(UserDeactivated, UserDeactivated);

/// `user.password_reset`: an administrator set an account's password (and ended its
/// sessions). Nothing of the password is logged.
#[derive(Debug, Clone, Copy)]
pub struct UserPasswordReset {
    /// The account.
    pub user_id: i64,
}

impl AsAuditEvent for UserPasswordReset {
    const ACTION: AuditAction = AuditAction::UserPasswordReset;
    const ENTITY_TYPE: &'static str = "user";
    type Before = NoSnapshot;
    type After = NoSnapshot;
    fn entity_id(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&NoSnapshot> {
        None
    }
}

/// `user.password_changed`: a user changed their own password (their other sessions ended).
/// Nothing of the password is logged.
#[derive(Debug, Clone, Copy)]
pub struct UserPasswordChanged {
    /// The account.
    pub user_id: i64,
}

impl AsAuditEvent for UserPasswordChanged {
    const ACTION: AuditAction = AuditAction::UserPasswordChanged;
    const ENTITY_TYPE: &'static str = "user";
    type Before = NoSnapshot;
    type After = NoSnapshot;
    fn entity_id(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&NoSnapshot> {
        None
    }
}

/// The interface language of an account, as the log shows it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LocaleSetting {
    /// `es` or `en`.
    pub locale: &'static str,
}

impl From<Lang> for LocaleSetting {
    fn from(lang: Lang) -> Self {
        LocaleSetting {
            locale: lang.code(),
        }
    }
}

/// `user.locale_changed`: a user chose another language with the switcher.
#[derive(Debug, Clone, Copy)]
pub struct UserLocaleChanged {
    /// The account.
    pub user_id: i64,
    /// The language chosen before, if the user had chosen one.
    pub before: Option<LocaleSetting>,
    /// The language chosen now.
    pub after: LocaleSetting,
}

impl AsAuditEvent for UserLocaleChanged {
    const ACTION: AuditAction = AuditAction::UserLocaleChanged;
    const ENTITY_TYPE: &'static str = "user";
    type Before = LocaleSetting;
    type After = LocaleSetting;
    fn entity_id(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&LocaleSetting> {
        self.before.as_ref()
    }
    fn after(&self) -> Option<&LocaleSetting> {
        Some(&self.after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::domain::role::Role;
    use crate::domain::time::Timestamp;
    use crate::service::snapshot;

    /// An account with every field set, accents and quotes included.
    fn user() -> User {
        User {
            id: 12,
            username: "ana.pérez".into(),
            display_name: "Ana \"Anita\" Pérez".into(),
            email: Some("ana@example.gt".into()),
            roles: [Role::Buyer, Role::Evaluator].into_iter().collect(),
            supplier_id: None,
            locale: Some(Lang::En),
            active: true,
            created_at: Timestamp::from_micros(1_767_225_600_123_456),
        }
    }

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let before = user();
        let after = User {
            active: false,
            email: None,
            ..user()
        };
        let e = encode(&UserCreated { user: &before }).unwrap();
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("user", Some("12"), false)
        );
        assert_eq!((e.before, e.after), (None, snapshot(&before)));
        let change = AccountChange {
            before: &before,
            after: &after,
        };
        let e = encode(&UserDeactivated(change)).unwrap();
        assert_eq!(e.action, AuditAction::UserDeactivated);
        assert_eq!((e.before, e.after), (snapshot(&before), snapshot(&after)));
        assert_eq!(
            encode(&UserActivated(change)).unwrap().action.code(),
            "user.activated"
        );
        assert_eq!(
            encode(&UserUpdated(change)).unwrap().action.code(),
            "user.updated"
        );
        let e = encode(&UserPasswordReset { user_id: 12 }).unwrap();
        assert_eq!((e.before, e.after, e.public), (None, None, false));
        // The untyped code formatted the language by hand.
        let e = encode(&UserLocaleChanged {
            user_id: 12,
            before: before.locale.map(LocaleSetting::from),
            after: Lang::Es.into(),
        })
        .unwrap();
        assert_eq!(
            e.before,
            before
                .locale
                .map(|l| format!("{{\"locale\":\"{}\"}}", l.code()))
        );
        assert_eq!(
            e.after,
            Some(format!("{{\"locale\":\"{}\"}}", Lang::Es.code()))
        );
        let e = encode(&UserLocaleChanged {
            user_id: 12,
            before: None,
            after: Lang::En.into(),
        })
        .unwrap();
        assert_eq!(e.before, None);
    }
}

//! Events of framework agreements and call-offs (`service::agreements`,
//! `service::call_offs`, issue 14). Agreements and call-offs are public contracting facts:
//! every event here is public.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::agreements::{AgreementItemRow, AgreementRow, PartyRow, PriceRow, Terms};
use crate::repository::call_offs::{CallOffRow, LineRow, OfferRow};
use serde::Serialize;

macro_rules! public_event {
    ($ty:ident, $action:ident, $entity:literal, $before:ty, $after:ty, |$s:ident| $id:expr, $b:expr, $a:expr) => {
        impl AsAuditEvent for $ty<'_> {
            const ACTION: AuditAction = AuditAction::$action;
            const ENTITY_TYPE: &'static str = $entity;
            type Before = $before;
            type After = $after;
            fn entity_id(&self) -> Option<String> {
                let $s = self;
                Some($id.to_string())
            }
            fn public(&self) -> bool {
                true
            }
            #[allow(unused_variables)]
            fn before(&self) -> Option<&$before> {
                let $s = self;
                $b
            }
            fn after(&self) -> Option<&$after> {
                let $s = self;
                $a
            }
        }
    };
}

/// `framework.terms_set`: a buyer set a framework tender's terms (before publication).
#[derive(Debug, Clone, Copy)]
pub struct FrameworkTermsSet<'a> {
    /// The terms before, if any.
    pub before: Option<&'a Terms>,
    /// The terms as stored.
    pub after: &'a Terms,
}

public_event!(
    FrameworkTermsSet,
    FrameworkTermsSet,
    "tender",
    Terms,
    Terms,
    |s| s.after.terms.tender_id,
    s.before,
    Some(s.after)
);

/// An agreement as concluded: the record and everything that belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgreementSnapshot {
    /// The agreement.
    pub agreement: AgreementRow,
    /// Ranked parties.
    pub parties: Vec<PartyRow>,
    /// Items with their estimates and maxima.
    pub items: Vec<AgreementItemRow>,
    /// Unit prices.
    pub prices: Vec<PriceRow>,
    /// Participating units.
    pub unit_ids: Vec<i64>,
}

/// `agreement.concluded`: a framework lot's award became an agreement.
#[derive(Debug, Clone, Copy)]
pub struct AgreementConcluded<'a> {
    /// What was concluded.
    pub snapshot: &'a AgreementSnapshot,
}

public_event!(
    AgreementConcluded,
    AgreementConcluded,
    "agreement",
    NoSnapshot,
    AgreementSnapshot,
    |s| s.snapshot.agreement.id,
    None,
    Some(s.snapshot)
);

/// An agreement's status with why it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgreementState {
    /// Status code.
    pub status: String,
    /// Why (`clock`, `exhausted`, or an amendment's id).
    pub reason: String,
}

/// `agreement.status_changed`: started, expired, exhausted, suspended, resumed or terminated.
#[derive(Debug, Clone, Copy)]
pub struct AgreementStatusChanged<'a> {
    /// The agreement.
    pub agreement_id: i64,
    /// Before.
    pub before: &'a AgreementState,
    /// After.
    pub after: &'a AgreementState,
}

public_event!(
    AgreementStatusChanged,
    AgreementStatusChanged,
    "agreement",
    AgreementState,
    AgreementState,
    |s| s.agreement_id,
    Some(s.before),
    Some(s.after)
);

/// A call-off as the log shows it: its record, lines and offers so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallOffSnapshot {
    /// The call-off.
    pub call_off: CallOffRow,
    /// Its lines.
    pub lines: Vec<LineRow>,
    /// Its offers, in order.
    pub offers: Vec<OfferRow>,
}

/// `call_off.placed`: a unit placed a call-off (and it was offered to its first rank).
#[derive(Debug, Clone, Copy)]
pub struct CallOffPlaced<'a> {
    /// As placed.
    pub after: &'a CallOffSnapshot,
}

public_event!(
    CallOffPlaced,
    CallOffPlaced,
    "call_off",
    NoSnapshot,
    CallOffSnapshot,
    |s| s.after.call_off.id,
    None,
    Some(s.after)
);

/// `call_off.confirmed`: the supplier it was offered to confirmed it.
#[derive(Debug, Clone, Copy)]
pub struct CallOffConfirmed<'a> {
    /// Before.
    pub before: &'a CallOffSnapshot,
    /// After.
    pub after: &'a CallOffSnapshot,
}

public_event!(
    CallOffConfirmed,
    CallOffConfirmed,
    "call_off",
    CallOffSnapshot,
    CallOffSnapshot,
    |s| s.after.call_off.id,
    Some(s.before),
    Some(s.after)
);

/// `call_off.declined`: the supplier declined with a coded reason; the call-off passed to the
/// next rank or was found unfilled.
#[derive(Debug, Clone, Copy)]
pub struct CallOffDeclined<'a> {
    /// Before.
    pub before: &'a CallOffSnapshot,
    /// After.
    pub after: &'a CallOffSnapshot,
}

public_event!(
    CallOffDeclined,
    CallOffDeclined,
    "call_off",
    CallOffSnapshot,
    CallOffSnapshot,
    |s| s.after.call_off.id,
    Some(s.before),
    Some(s.after)
);

/// `call_off.offer_expired`: the confirmation window closed in silence; the call-off passed to
/// the next rank or was found unfilled.
#[derive(Debug, Clone, Copy)]
pub struct CallOffOfferExpired<'a> {
    /// Before.
    pub before: &'a CallOffSnapshot,
    /// After.
    pub after: &'a CallOffSnapshot,
}

public_event!(
    CallOffOfferExpired,
    CallOffOfferExpired,
    "call_off",
    CallOffSnapshot,
    CallOffSnapshot,
    |s| s.after.call_off.id,
    Some(s.before),
    Some(s.after)
);

/// `call_off.cancelled`: its unit withdrew it before any supplier confirmed.
#[derive(Debug, Clone, Copy)]
pub struct CallOffCancelled<'a> {
    /// Before.
    pub before: &'a CallOffSnapshot,
    /// After.
    pub after: &'a CallOffSnapshot,
}

public_event!(
    CallOffCancelled,
    CallOffCancelled,
    "call_off",
    CallOffSnapshot,
    CallOffSnapshot,
    |s| s.after.call_off.id,
    Some(s.before),
    Some(s.after)
);

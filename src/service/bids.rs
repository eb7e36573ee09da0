//! Sealed bids: committee members' opening keys, submission with a receipt, withdrawal and
//! replacement before the deadline, and the opening by k members (issue 3, items 7–8).
//!
//! Late bids are impossible: the deadline is checked against the server clock inside the same
//! transaction that stores the bid, and the deadline is exclusive (a bid at the deadline
//! instant is late). Nothing readable is stored before the opening: the content is sealed to
//! the tender key (crate `tianguis-sealed`), withdrawn and replaced ciphertexts are erased, and
//! the opening needs `k` members' passphrases in one act.

use super::audit::{Publication, commit_with};
use super::events::bids::{
    BidReplaced, BidSubmitted, BidWithdrawn, OpeningKeyRegistered, TenderBidsOpened,
};
use super::publication::release::ReleaseEvent;
use super::tenders::{acting_supplier, sanitize_filename};
use super::{Actor, ServiceError};
use crate::domain::bid::{
    BidContent, BidDocumentMeta, BidInput, FeatureRule, LotItem, total, validate_bid,
};
use crate::domain::money;
use crate::domain::role::Role;
use crate::domain::tender::{Action, TenderStatus, check};
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, FieldError};
use crate::repository::bids::{self, BidRow, SealedDocumentRow, status};
use crate::repository::{
    Database, Queryable, committee, documents, notifications, suppliers, tenders,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tianguis_rulebook::Rulebook;
use tianguis_sealed::{MemberKey, MemberSecret, SealedBid, TenderSealingKey, WrappedPrivateKey};

/// Largest document attached to a bid.
pub const MAX_BID_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// A committee member registers (or changes) their opening key, protected by an opening
/// passphrase that is not their sign-in password. Changing it keeps the same key when the old
/// passphrase is given, so tenders already published stay openable.
pub async fn register_opening_key(
    db: &Database,
    actor: &Actor,
    passphrase: &str,
    old_passphrase: Option<&str>,
) -> Result<String, ServiceError> {
    let Actor::User(user) = actor else {
        return Err(ServiceError::Forbidden);
    };
    if !user.has_role(Role::Evaluator) {
        return Err(ServiceError::Forbidden);
    }
    let passphrase = passphrase.to_string();
    let existing = {
        let mut conn = db.read().await?;
        committee::opening_keys(&mut conn, &[user.id]).await?.pop()
    };
    let old = old_passphrase.map(str::to_string);
    // Argon2id with 64 MiB: run off the async threads.
    let (public, wrapped) =
        tokio::task::spawn_blocking(move || -> Result<(String, String), ServiceError> {
            match (existing, old) {
                (Some(row), Some(old)) => {
                    let wrapped = WrappedPrivateKey::from_base64(&row.wrapped_key)
                        .map_err(|e| ServiceError::Internal(format!("stored key: {}", e.code())))?;
                    let secret = wrapped.unwrap(&old).map_err(|_| {
                        ServiceError::field("old_passphrase", FieldCode::WrongPassword)
                    })?;
                    let rewrapped = secret
                        .wrap(&passphrase)
                        .map_err(|e| passphrase_error(e.code()))?;
                    Ok((row.public_key, rewrapped.to_base64()))
                }
                _ => {
                    let (public, wrapped) =
                        MemberKey::generate(&passphrase).map_err(|e| passphrase_error(e.code()))?;
                    Ok((public.to_base64(), wrapped.to_base64()))
                }
            }
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))??;
    let fingerprint = tianguis_sealed::PublicKey::from_base64(&public)
        .map(|k| k.fingerprint())
        .map_err(|e| ServiceError::Internal(e.code().to_string()))?;
    let mut tx = db.begin().await?;
    committee::put_opening_key(&mut tx, user.id, &public, &wrapped, Timestamp::now()).await?;
    commit_with(
        tx,
        actor,
        &OpeningKeyRegistered {
            user_id: user.id,
            fingerprint: &fingerprint,
        },
        Publication::None,
    )
    .await?;
    Ok(fingerprint)
}

fn passphrase_error(code: &str) -> ServiceError {
    match code {
        "sealed.weak_passphrase" => ServiceError::field("passphrase", FieldCode::WeakPassword),
        _ => ServiceError::Internal(code.to_string()),
    }
}

/// The fingerprint of a member's opening key, if registered.
pub async fn opening_key_fingerprint(
    db: &Database,
    user_id: i64,
) -> Result<Option<String>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(committee::opening_keys(&mut conn, &[user_id])
        .await?
        .pop()
        .and_then(|k| tianguis_sealed::PublicKey::from_base64(&k.public_key).ok())
        .map(|k| k.fingerprint()))
}

/// What the supplier gets back: proof of what was submitted and when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Receipt {
    /// Bid id.
    pub bid_id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Lot.
    pub lot_id: i64,
    /// SHA-256 over the sealed bid (never over the prices): shown again in the opening record.
    pub receipt_hash: String,
    /// Server time of submission (RFC 3339, UTC).
    pub submitted_at: String,
    /// Fingerprint of the tender's sealing key, as published in the tender notice.
    pub sealing_key_fingerprint: String,
    /// SHA-256 of each sealed document's ciphertext.
    pub documents: Vec<String>,
    /// The bid this one replaced, if any.
    pub replaces: Option<i64>,
}

/// A file attached to a bid.
#[derive(Debug, Clone)]
pub struct BidFile {
    /// File name.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// Content.
    pub bytes: Vec<u8>,
}

async fn load_key(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<TenderSealingKey, ServiceError> {
    let row = committee::tender_key(db, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    TenderSealingKey::from_base64(&row.sealing_key)
        .map_err(|e| ServiceError::Internal(format!("stored sealing key: {}", e.code())))
}

async fn lot_items(
    db: &mut impl Queryable,
    tender_id: i64,
    lot_id: i64,
) -> Result<Vec<LotItem>, ServiceError> {
    Ok(tenders::items(db, tender_id)
        .await?
        .into_iter()
        .filter(|i| i.lot_id == lot_id)
        .map(|i| LotItem {
            id: i.id,
            quantity: money::stored(&i.quantity),
        })
        .collect())
}

/// The non-price features a bid under this method declares (score-ranked auctions; none
/// otherwise), as the bid rules need them.
pub fn feature_rules(rulebook: &Rulebook, method_code: &str) -> Vec<FeatureRule> {
    rulebook
        .method(method_code)
        .map(|m| {
            m.auction_features()
                .iter()
                .map(|f| FeatureRule {
                    code: f.code.clone(),
                    options: f
                        .options
                        .iter()
                        .map(|o| (o.code.clone(), o.value))
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Submits (or replaces) a supplier's sealed bid on a lot, before the deadline.
pub async fn submit(
    db: &Database,
    rulebook: &Rulebook,
    actor: &Actor,
    tender_id: i64,
    lot_id: i64,
    input: &BidInput,
    files: &[BidFile],
    now: Timestamp,
) -> Result<Receipt, ServiceError> {
    let mut errors = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if f.bytes.len() > MAX_BID_DOCUMENT_BYTES {
            errors.push(FieldError {
                field: format!("documents[{i}]"),
                code: FieldCode::TooLong,
            });
        }
        if sanitize_filename(&f.filename).is_empty() {
            errors.push(FieldError {
                field: format!("documents[{i}]"),
                code: FieldCode::Required,
            });
        }
    }
    if files.len() > 20 {
        errors.push(FieldError {
            field: "documents".into(),
            code: FieldCode::TooLong,
        });
    }
    let mut tx = db.begin().await?;
    let supplier_id = acting_supplier(&mut tx, actor).await?;
    let tender = tenders::find(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !tender.status().is_public() {
        return Err(ServiceError::NotFound);
    }
    // The server clock decides, inside the transaction that stores the bid.
    check(tender.phase(now), Action::SubmitBid).map_err(ServiceError::illegal)?;
    let lot = tenders::lots(&mut tx, tender_id)
        .await?
        .into_iter()
        .find(|l| l.id == lot_id)
        .ok_or(ServiceError::NotFound)?;
    tenders::lock_lot(&mut tx, lot.id).await?;
    let items = lot_items(&mut tx, tender_id, lot.id).await?;
    let features = feature_rules(rulebook, &tender.method_code);
    let (mut content, _total) = match validate_bid(lot.id, &items, &features, input) {
        Ok(ok) if errors.is_empty() => ok,
        Ok(_) => return Err(ServiceError::Validation(errors)),
        Err(mut e) => {
            e.extend(errors);
            return Err(ServiceError::Validation(e));
        }
    };
    content.documents = files
        .iter()
        .map(|f| BidDocumentMeta {
            filename: sanitize_filename(&f.filename),
            sha256: hex::encode(Sha256::digest(&f.bytes)),
            size: f.bytes.len() as i64,
        })
        .collect();
    let key = load_key(&mut tx, tender_id).await?;
    let previous = bids::standing(&mut tx, lot.id, supplier_id).await?;
    // The previous bid stops standing before the new one exists: the database allows one
    // standing bid per supplier and lot.
    if let Some(prev) = &previous {
        bids::set_status(
            &mut tx,
            prev.id,
            status::SUBMITTED,
            status::REPLACED,
            now,
            None,
        )
        .await?;
        erase_ciphertext(&mut tx, prev.id).await?;
    }
    let by = actor.user_id().unwrap_or(0);
    let bid_id = bids::insert(&mut tx, tender_id, lot.id, supplier_id, by, now).await?;
    let plaintext =
        serde_json::to_vec(&content).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let (tid, bid) = (tender_id.to_string(), bid_id.to_string());
    let sealed = tianguis_sealed::seal(key.public_key(), &tid, &bid, &plaintext)
        .map_err(|e| ServiceError::Internal(e.code().to_string()))?;
    let receipt_hash = sealed
        .receipt_hash(key.public_key(), &tid, &bid)
        .to_string();
    bids::set_sealed(&mut tx, bid_id, &sealed.to_base64(), &receipt_hash).await?;
    let mut document_hashes = Vec::new();
    for (n, f) in files.iter().enumerate() {
        let doc_id = format!("{bid_id}/document/{n}");
        let sealed_doc = tianguis_sealed::seal(key.public_key(), &tid, &doc_id, &f.bytes)
            .map_err(|e| ServiceError::Internal(e.code().to_string()))?;
        let encoded = sealed_doc.to_base64();
        let hash = hex::encode(Sha256::digest(encoded.as_bytes()));
        bids::insert_document(
            &mut tx,
            &SealedDocumentRow {
                id: 0,
                bid_id,
                filename: sanitize_filename(&f.filename),
                content_type: if f.content_type.len() > 100 {
                    "application/octet-stream".into()
                } else {
                    f.content_type.clone()
                },
                size: f.bytes.len() as i64,
                sealed: encoded,
                ciphertext_sha256: hash.clone(),
            },
        )
        .await?;
        document_hashes.push(hash);
    }
    if let Some(prev) = &previous {
        bids::set_status(
            &mut tx,
            prev.id,
            status::SUBMITTED,
            status::REPLACED,
            now,
            Some(bid_id),
        )
        .await?;
        erase_ciphertext(&mut tx, prev.id).await?;
    }
    bids::register_interest(&mut tx, tender_id, supplier_id, now).await?;
    let receipt = Receipt {
        bid_id,
        tender_id,
        lot_id: lot.id,
        receipt_hash,
        submitted_at: now.to_rfc3339(),
        sealing_key_fingerprint: key.public_key().fingerprint(),
        documents: document_hashes,
        replaces: previous.map(|p| p.id),
    };
    // Private: who bid is not public until the opening, and never what.
    if receipt.replaces.is_some() {
        let event = BidReplaced { receipt: &receipt };
        commit_with(tx, actor, &event, Publication::None).await?;
    } else {
        let event = BidSubmitted { receipt: &receipt };
        commit_with(tx, actor, &event, Publication::None).await?;
    }
    Ok(receipt)
}

/// Withdrawn and replaced bids lose their ciphertext: once the tender key is rebuilt at the
/// opening, a kept ciphertext would become readable (crate `tianguis-sealed`, threat model).
async fn erase_ciphertext(db: &mut impl Queryable, bid_id: i64) -> Result<(), ServiceError> {
    bids::erase_sealed(db, bid_id).await?;
    Ok(())
}

/// A supplier withdraws its standing bid before the deadline.
pub async fn withdraw(
    db: &Database,
    actor: &Actor,
    bid_id: i64,
    now: Timestamp,
) -> Result<BidRow, ServiceError> {
    let mut tx = db.begin().await?;
    let supplier_id = acting_supplier(&mut tx, actor).await?;
    let bid = bids::find(&mut tx, bid_id)
        .await?
        .filter(|b| b.supplier_id == supplier_id)
        .ok_or(ServiceError::NotFound)?;
    let tender = tenders::find(&mut tx, bid.tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(tender.phase(now), Action::WithdrawBid).map_err(ServiceError::illegal)?;
    if !bids::set_status(
        &mut tx,
        bid_id,
        status::SUBMITTED,
        status::WITHDRAWN,
        now,
        None,
    )
    .await?
    {
        return Err(ServiceError::IllegalTransition {
            from: bid.status.clone(),
            action: "withdraw".into(),
        });
    }
    erase_ciphertext(&mut tx, bid_id).await?;
    let after = bids::find(&mut tx, bid_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(tx, actor, &BidWithdrawn { bid: &after }, Publication::None).await?;
    Ok(after)
}

/// A supplier's own bids (receipts; never content before the opening).
pub async fn of_supplier(db: &Database, actor: &Actor) -> Result<Vec<BidRow>, ServiceError> {
    let mut conn = db.read().await?;
    let Actor::User(user) = actor else {
        return Err(ServiceError::Forbidden);
    };
    let supplier_id = user
        .supplier_id
        .filter(|_| user.has_role(Role::Supplier))
        .ok_or(ServiceError::Forbidden)?;
    Ok(bids::of_supplier(&mut conn, supplier_id).await?)
}

/// The receipt of one of the supplier's own bids, rebuilt from what was stored at submission
/// (the portal lists them; a supplier may need it again for a complaint). Another supplier's
/// bid is "not found": even its existence is private until the opening.
pub async fn receipt(db: &Database, actor: &Actor, bid_id: i64) -> Result<Receipt, ServiceError> {
    let Actor::User(user) = actor else {
        return Err(ServiceError::Forbidden);
    };
    let supplier_id = user
        .supplier_id
        .filter(|_| user.has_role(Role::Supplier))
        .ok_or(ServiceError::Forbidden)?;
    let mut conn = db.read().await?;
    let bid = bids::find(&mut conn, bid_id)
        .await?
        .filter(|b| b.supplier_id == supplier_id)
        .ok_or(ServiceError::NotFound)?;
    let key = load_key(&mut conn, bid.tender_id).await?;
    let documents = bids::documents(&mut conn, bid.id)
        .await?
        .into_iter()
        .map(|d| d.ciphertext_sha256)
        .collect();
    let replaces = bids::of_supplier(&mut conn, supplier_id)
        .await?
        .into_iter()
        .find(|b| b.replaced_by == Some(bid.id))
        .map(|b| b.id);
    Ok(Receipt {
        bid_id: bid.id,
        tender_id: bid.tender_id,
        lot_id: bid.lot_id,
        receipt_hash: bid.receipt_hash,
        submitted_at: Timestamp::from_micros(bid.submitted_at).to_rfc3339(),
        sealing_key_fingerprint: key.public_key().fingerprint(),
        documents,
        replaces,
    })
}

/// One member's passphrase at the opening act.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct MemberPassphrase {
    /// The member.
    pub user_id: i64,
    /// Their opening passphrase.
    pub passphrase: String,
}

/// One line of the public opening record.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OpeningLine {
    /// Bid.
    pub bid_id: i64,
    /// Lot.
    pub lot_id: i64,
    /// Supplier id.
    pub supplier_id: i64,
    /// Supplier's legal name.
    pub supplier: String,
    /// Total price.
    pub total: String,
    /// The receipt hash the supplier was given.
    pub receipt_hash: String,
    /// Server time of submission.
    pub submitted_at: String,
    /// Whether the content matches the commitment sealed with it (anyone can re-check).
    pub commitment_verified: bool,
    /// The commitment salt (hex), published so observers can verify.
    pub commitment_salt: String,
}

/// Opens every bid of a tender at once: at or after the deadline, with at least `k` committee
/// members' passphrases given in one act by a committee member. Any wrong passphrase or
/// tampered bid stops the whole opening (nothing is opened and nothing changes).
pub async fn open(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    passphrases: &[MemberPassphrase],
    now: Timestamp,
) -> Result<Vec<OpeningLine>, ServiceError> {
    let Actor::User(user) = actor else {
        return Err(ServiceError::Forbidden);
    };
    // Checked before the (slow) unlocking, and again inside the opening's transaction.
    let (members, keys) = {
        let mut conn = db.read().await?;
        let tender = tenders::find(&mut conn, tender_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        check(tender.phase(now), Action::OpenBids).map_err(ServiceError::illegal)?;
        let members = committee::members(&mut conn, tender_id).await?;
        if !members.iter().any(|m| m.user_id == user.id) {
            return Err(ServiceError::Forbidden);
        }
        let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
        let keys = committee::opening_keys(&mut conn, &ids).await?;
        (members, keys)
    };
    // Unlock the shares (Argon2id per member) off the async threads.
    let given: Vec<(i64, String, String)> = passphrases
        .iter()
        .filter(|p| !p.passphrase.is_empty())
        .filter(|p| members.iter().any(|m| m.user_id == p.user_id))
        .map(|p| {
            let wrapped = keys
                .iter()
                .find(|k| k.user_id == p.user_id)
                .map(|k| k.wrapped_key.clone())
                .unwrap_or_default();
            (p.user_id, wrapped, p.passphrase.clone())
        })
        .collect();
    let secrets =
        tokio::task::spawn_blocking(move || -> Result<Vec<(i64, MemberSecret)>, ServiceError> {
            let mut secrets = Vec::new();
            for (user_id, wrapped, passphrase) in given {
                let wrapped = WrappedPrivateKey::from_base64(&wrapped).map_err(|_| {
                    ServiceError::Opening {
                        code: "sealed.wrong_member_key",
                        member: Some(user_id),
                    }
                })?;
                let secret = wrapped
                    .unwrap(&passphrase)
                    .map_err(|e| ServiceError::Opening {
                        code: e.code(),
                        member: Some(user_id),
                    })?;
                secrets.push((user_id, secret));
            }
            Ok(secrets)
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))??;
    let unlocked: Vec<(i64, &MemberSecret)> = secrets.iter().map(|(id, s)| (*id, s)).collect();
    open_with_secrets(db, actor, tender_id, &unlocked, now).await
}

/// The opening act once the members' keys are unlocked: rebuilds the tender key from their
/// shares (at least `k`), unseals every standing bid and publishes the opening record, all in
/// one transaction. Separate from [`open`] so the demo seed can unlock each demo member's key
/// once instead of once per tender (Argon2id is deliberately slow); not reachable over HTTP.
pub(crate) async fn open_with_secrets(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    unlocked: &[(i64, &MemberSecret)],
    now: Timestamp,
) -> Result<Vec<OpeningLine>, ServiceError> {
    let Actor::User(user) = actor else {
        return Err(ServiceError::Forbidden);
    };
    let (tender, members, key) = {
        let mut conn = db.read().await?;
        let tender = tenders::find(&mut conn, tender_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        check(tender.phase(now), Action::OpenBids).map_err(ServiceError::illegal)?;
        let members = committee::members(&mut conn, tender_id).await?;
        if !members.iter().any(|m| m.user_id == user.id) {
            return Err(ServiceError::Forbidden);
        }
        (tender, members, load_key(&mut conn, tender_id).await?)
    };
    let mut shares = Vec::new();
    for (user_id, secret) in unlocked {
        if !members.iter().any(|m| m.user_id == *user_id) {
            continue;
        }
        shares.push(key.open_share(&user_id.to_string(), secret).map_err(|e| {
            ServiceError::Opening {
                code: e.code(),
                member: Some(*user_id),
            }
        })?);
    }
    if shares.len() < key.threshold() {
        return Err(ServiceError::Opening {
            code: "sealed.not_enough_shares",
            member: None,
        });
    }
    let secret = key.combine(&shares).map_err(|e| ServiceError::Opening {
        code: e.code(),
        member: None,
    })?;
    drop(shares);

    let mut tx = db.begin().await?;
    // Re-check inside the write transaction: the phase may have changed meanwhile.
    let current = tenders::find(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(current.phase(now), Action::OpenBids).map_err(ServiceError::illegal)?;
    let standing = bids::of_tender(&mut tx, tender_id, Some(status::SUBMITTED)).await?;
    let all_items = tenders::items(&mut tx, tender_id).await?;
    let mut record_lines = Vec::new();
    for bid in &standing {
        let sealed = SealedBid::from_base64(&bid.sealed).map_err(|e| ServiceError::Opening {
            code: e.code(),
            member: None,
        })?;
        let opened =
            secret
                .unseal(&sealed, &bid.id.to_string())
                .map_err(|e| ServiceError::Opening {
                    code: e.code(),
                    member: None,
                })?;
        let content: BidContent = serde_json::from_slice(&opened.plaintext)
            .map_err(|e| ServiceError::Internal(format!("bid content: {e}")))?;
        let items: Vec<LotItem> = all_items
            .iter()
            .filter(|i| i.lot_id == bid.lot_id)
            .map(|i| LotItem {
                id: i.id,
                quantity: money::stored(&i.quantity),
            })
            .collect();
        let bid_total = total(&content, &items);
        bids::insert_opened(
            &mut tx,
            bid.id,
            &String::from_utf8_lossy(&opened.plaintext),
            &bid_total.to_string(),
            money::to_minor(bid_total),
        )
        .await?;
        bids::set_status(
            &mut tx,
            bid.id,
            status::SUBMITTED,
            status::OPENED,
            now,
            None,
        )
        .await?;
        // Documents become public bid documents once opened.
        for (n, d) in bids::documents(&mut tx, bid.id)
            .await?
            .into_iter()
            .enumerate()
        {
            let sealed_doc =
                SealedBid::from_base64(&d.sealed).map_err(|e| ServiceError::Opening {
                    code: e.code(),
                    member: None,
                })?;
            let doc = secret
                .unseal(&sealed_doc, &format!("{}/document/{n}", bid.id))
                .map_err(|e| ServiceError::Opening {
                    code: e.code(),
                    member: None,
                })?;
            let sha = hex::encode(Sha256::digest(&doc.plaintext));
            documents::put_blob(&mut tx, &sha, &doc.plaintext).await?;
            documents::attach(
                &mut tx,
                "bid",
                bid.id,
                &d.filename,
                &d.content_type,
                d.size,
                &sha,
                true,
                user.id,
                now,
            )
            .await?;
        }
        let supplier = suppliers::find(&mut tx, bid.supplier_id)
            .await?
            .map(|s| s.legal_name)
            .unwrap_or_default();
        record_lines.push(OpeningLine {
            bid_id: bid.id,
            lot_id: bid.lot_id,
            supplier_id: bid.supplier_id,
            supplier,
            total: bid_total.to_string(),
            receipt_hash: bid.receipt_hash.clone(),
            submitted_at: Timestamp::from_micros(bid.submitted_at).to_rfc3339(),
            commitment_verified: opened
                .verify_commitment(&tender_id.to_string(), &bid.id.to_string()),
            commitment_salt: hex::encode(opened.commitment_salt),
        });
    }
    drop(secret);
    if !tenders::set_status(
        &mut tx,
        tender_id,
        TenderStatus::Published,
        TenderStatus::Evaluation,
        None,
        now,
    )
    .await?
    {
        return Err(ServiceError::IllegalTransition {
            from: current.status.clone(),
            action: "open_bids".into(),
        });
    }
    let opened_by: Vec<i64> = unlocked.iter().map(|(id, _)| *id).collect();
    bids::insert_opening(
        &mut tx,
        &bids::OpeningRow {
            tender_id,
            opened_at: now.as_micros(),
            opened_by: serde_json::to_string(&opened_by).unwrap_or_default(),
            record: serde_json::to_string(&record_lines).unwrap_or_default(),
        },
    )
    .await?;
    let bidder_users = suppliers::user_ids(
        &mut tx,
        &standing.iter().map(|b| b.supplier_id).collect::<Vec<_>>(),
    )
    .await?;
    notifications::notify(
        &mut tx,
        &bidder_users,
        "bids-opened",
        &serde_json::json!({"title": tender.title}),
        &format!("/tenders/{tender_id}#opening"),
        now,
    )
    .await?;
    commit_with(
        tx,
        actor,
        &TenderBidsOpened {
            tender_id,
            opened_by: &opened_by,
            bids: &record_lines,
        },
        Publication::release(tender_id, ReleaseEvent::TenderUpdate, now),
    )
    .await?;
    Ok(record_lines)
}

//! The basic medicines list and supplies catalogue: proposals reviewed by the therapeutic
//! committee, and import/export as CSV and XLSX (issue 3, item 1).
//!
//! Every change to the list is a proposal with a justification; an administrator (acting for
//! the therapeutic committee) approves or rejects it with the committee's decision recorded.
//! The proposer never reviews their own proposal (four-eyes rule). An import is one proposal
//! holding every valid row; a file with errors imports nothing unless the user explicitly asks
//! to import the valid rows.

use super::audit::{Publication, commit_with};
use super::events::catalogue::{
    CatalogueProposalApproved, CatalogueProposalCreated, CatalogueProposalRejected, Proposed,
    Review,
};
use super::{Actor, ServiceError};
use crate::domain::catalogue::{CatalogueItem, ItemInput, validate_item};
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, FieldError, Validator};
use crate::repository::Database;
use crate::repository::catalogue::{self, ProposalRow};
use serde::{Deserialize, Serialize};

/// The columns of import and export files, in order.
pub const COLUMNS: [&str; 10] = [
    "code",
    "kind",
    "name",
    "strength",
    "form",
    "presentation",
    "unit",
    "atc_code",
    "unspsc_code",
    "level_of_care",
];

/// Largest import file accepted.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// Most rows in one import.
pub const MAX_IMPORT_ROWS: usize = 20_000;

/// What a proposal changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    /// Add a new item.
    Add,
    /// Change an existing item.
    Modify,
    /// Retire an item from the list.
    Retire,
    /// Add or change many items from a file.
    Import,
}

impl ProposalKind {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            ProposalKind::Add => "add",
            ProposalKind::Modify => "modify",
            ProposalKind::Retire => "retire",
            ProposalKind::Import => "import",
        }
    }
}

fn may_propose(actor: &Actor) -> Result<(), ServiceError> {
    if [Role::Administrator, Role::Buyer, Role::Analyst]
        .iter()
        .any(|r| actor.has_role(*r))
    {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn justification(v: &mut Validator, text: &str) -> String {
    v.text("justification", text, 10, 4000)
}

/// Proposes adding a new item or changing an existing one (by code).
pub async fn propose_item(
    db: &Database,
    actor: &Actor,
    input: &ItemInput,
    why: &str,
) -> Result<ProposalRow, ServiceError> {
    may_propose(actor)?;
    let mut v = Validator::new();
    let why = justification(&mut v, why);
    let item = match validate_item(input) {
        Ok(item) if v.is_ok() => item,
        Ok(_) => return Err(ServiceError::Validation(v.errors().to_vec())),
        Err(mut errors) => {
            errors.extend(v.errors().iter().cloned());
            return Err(ServiceError::Validation(errors));
        }
    };
    let mut tx = db.begin().await?;
    let existing = catalogue::find_by_code(&mut tx, &item.code).await?;
    let (kind, item_id) = match &existing {
        Some(e) => (ProposalKind::Modify, Some(e.id)),
        None => (ProposalKind::Add, None),
    };
    let payload = serde_json::to_string(&vec![&item]).unwrap_or_default();
    let now = Timestamp::now();
    let by = actor.user_id().unwrap_or(0);
    let id = catalogue::propose(&mut tx, kind.code(), item_id, &payload, &why, by, now).await?;
    notify_reviewers(&mut tx, id, by_of(actor), Timestamp::now()).await?;
    let row = catalogue::proposal(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let event = CatalogueProposalCreated {
        proposal_id: id,
        item: existing.as_ref(),
        proposed: Proposed::Proposal(&row),
    };
    commit_with(tx, actor, &event, Publication::None).await?;
    Ok(row)
}

/// Proposes retiring an item.
pub async fn propose_retirement(
    db: &Database,
    actor: &Actor,
    item_id: i64,
    why: &str,
) -> Result<ProposalRow, ServiceError> {
    may_propose(actor)?;
    let mut v = Validator::new();
    let why = justification(&mut v, why);
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let item = catalogue::find(&mut tx, item_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let payload = serde_json::to_string(&vec![&item]).unwrap_or_default();
    let by = actor.user_id().unwrap_or(0);
    let id = catalogue::propose(
        &mut tx,
        ProposalKind::Retire.code(),
        Some(item_id),
        &payload,
        &why,
        by,
        Timestamp::now(),
    )
    .await?;
    notify_reviewers(&mut tx, id, by_of(actor), Timestamp::now()).await?;
    let row = catalogue::proposal(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let event = CatalogueProposalCreated {
        proposal_id: id,
        item: Some(&item),
        proposed: Proposed::Proposal(&row),
    };
    commit_with(tx, actor, &event, Publication::None).await?;
    Ok(row)
}

/// Approves (applying the change) or rejects a pending proposal, recording the committee's
/// decision. Administrators only, and never the proposer.
pub async fn review(
    db: &Database,
    actor: &Actor,
    proposal_id: i64,
    approve: bool,
    decision: &str,
) -> Result<ProposalRow, ServiceError> {
    if !actor.has_role(Role::Administrator) {
        return Err(ServiceError::Forbidden);
    }
    let mut v = Validator::new();
    let decision = v.text("decision", decision, 5, 4000);
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let before = catalogue::proposal(&mut tx, proposal_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if before.status != "proposed" {
        return Err(ServiceError::IllegalTransition {
            from: before.status.clone(),
            action: if approve { "approve" } else { "reject" }.into(),
        });
    }
    if actor.user_id() == Some(before.proposed_by) {
        return Err(ServiceError::Forbidden);
    }
    let now = Timestamp::now();
    if approve {
        let items: Vec<CatalogueItem> = serde_json::from_str(&before.payload)
            .map_err(|e| ServiceError::Internal(format!("proposal payload: {e}")))?;
        for item in items {
            match before.kind.as_str() {
                "retire" => catalogue::retire(&mut tx, item.id, now).await?,
                _ => match catalogue::find_by_code(&mut tx, &item.code).await? {
                    Some(existing) => {
                        catalogue::update(
                            &mut tx,
                            &CatalogueItem {
                                id: existing.id,
                                ..item
                            },
                            now,
                        )
                        .await?
                    }
                    None => {
                        catalogue::insert(&mut tx, &item, now).await?;
                    }
                },
            }
        }
    }
    let by = actor.user_id().unwrap_or(0);
    catalogue::decide(&mut tx, proposal_id, approve, &decision, by, now).await?;
    let after = catalogue::proposal(&mut tx, proposal_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let review = Review {
        before: &before,
        after: &after,
    };
    if approve {
        commit_with(
            tx,
            actor,
            &CatalogueProposalApproved(review),
            Publication::None,
        )
        .await?;
    } else {
        commit_with(
            tx,
            actor,
            &CatalogueProposalRejected(review),
            Publication::None,
        )
        .await?;
    }
    Ok(after)
}

/// Proposals, newest first.
pub async fn proposals(
    db: &Database,
    status: Option<&str>,
) -> Result<Vec<ProposalRow>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(catalogue::proposals(&mut conn, status, 200).await?)
}

/// One proposal.
pub async fn proposal(db: &Database, id: i64) -> Result<ProposalRow, ServiceError> {
    let mut conn = db.read().await?;
    catalogue::proposal(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The outcome of one row of an import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowReport {
    /// Row number in the file (the header is row 1).
    pub row: usize,
    /// Item code as written.
    pub code: String,
    /// Field errors (empty when the row is valid).
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
    /// Whether the row adds a new item (false: changes an existing one).
    pub is_new: bool,
}

/// The row-by-row report of an import.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Every row.
    pub rows: Vec<RowReport>,
    /// Rows without errors.
    pub valid: usize,
    /// Rows with errors.
    pub invalid: usize,
    /// The proposal created, if anything was imported.
    pub proposal_id: Option<i64>,
}

/// Errors of the file as a whole (not of one row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FileProblem {
    /// Not CSV nor XLSX, or unreadable.
    Unreadable,
    /// The header row lacks required columns.
    MissingColumns,
    /// More rows than [`MAX_IMPORT_ROWS`].
    TooManyRows,
    /// No data rows.
    Empty,
}

impl FileProblem {
    /// Every problem (for the translation test).
    pub const ALL: [FileProblem; 4] = [
        FileProblem::Unreadable,
        FileProblem::MissingColumns,
        FileProblem::TooManyRows,
        FileProblem::Empty,
    ];

    /// Stable code (`details.problem` of `import.invalid_file`, translation `import-problem-…`).
    pub fn code(self) -> &'static str {
        match self {
            FileProblem::Unreadable => "unreadable",
            FileProblem::MissingColumns => "missing_columns",
            FileProblem::TooManyRows => "too_many_rows",
            FileProblem::Empty => "empty",
        }
    }
}

/// Reads a CSV or XLSX file (detected by content) into a header and rows of text.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileProblem> {
    if bytes.starts_with(b"PK\x03\x04") {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
                .map_err(|_| FileProblem::Unreadable)?;
        let range = book
            .worksheet_range_at(0)
            .ok_or(FileProblem::Empty)?
            .map_err(|_| FileProblem::Unreadable)?;
        return Ok(range
            .rows()
            .take(MAX_IMPORT_ROWS + 2)
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                            format!("{}", *f as i64)
                        }
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect());
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| FileProblem::Unreadable)?;
    let delimiter = if text
        .lines()
        .next()
        .is_some_and(|l| l.matches(';').count() > l.matches(',').count())
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records().take(MAX_IMPORT_ROWS + 2) {
        let record = record.map_err(|_| FileProblem::Unreadable)?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// Checks every row of an import file; with `import_valid_rows` or a clean file, proposes the
/// valid rows as one import proposal. Nothing is created when the file has errors and the user
/// did not choose to import the valid rows.
pub async fn import(
    db: &Database,
    actor: &Actor,
    bytes: &[u8],
    why: &str,
    import_valid_rows: bool,
) -> Result<Result<ImportReport, FileProblem>, ServiceError> {
    may_propose(actor)?;
    let mut v = Validator::new();
    let why = justification(&mut v, why);
    v.finish().map_err(ServiceError::Validation)?;
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ServiceError::field("file", FieldCode::TooLong));
    }
    let table = match read_table(bytes) {
        Ok(t) => t,
        Err(problem) => return Ok(Err(problem)),
    };
    let Some((header, data)) = table.split_first() else {
        return Ok(Err(FileProblem::Empty));
    };
    if data.len() > MAX_IMPORT_ROWS {
        return Ok(Err(FileProblem::TooManyRows));
    }
    if data.iter().all(|r| r.iter().all(|c| c.trim().is_empty())) {
        return Ok(Err(FileProblem::Empty));
    }
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let position = |name: &str| header.iter().position(|h| h == name);
    if ["code", "kind", "name", "unit"]
        .iter()
        .any(|c| position(c).is_none())
    {
        return Ok(Err(FileProblem::MissingColumns));
    }
    let cell = |row: &Vec<String>, name: &str| {
        position(name)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let mut conn = db.read().await?;
    let mut seen = std::collections::HashSet::new();
    let mut reports = Vec::new();
    let mut valid_items = Vec::new();
    for (i, row) in data.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let input = ItemInput {
            code: cell(row, "code"),
            kind: cell(row, "kind"),
            name: cell(row, "name"),
            strength: cell(row, "strength"),
            form: cell(row, "form"),
            presentation: cell(row, "presentation"),
            unit: cell(row, "unit"),
            atc_code: cell(row, "atc_code"),
            unspsc_code: cell(row, "unspsc_code"),
            level_of_care: cell(row, "level_of_care"),
        };
        let (errors, is_new) = match validate_item(&input) {
            Ok(item) => {
                if !seen.insert(item.code.clone()) {
                    (
                        vec![FieldError {
                            field: "code".into(),
                            code: FieldCode::Duplicate,
                        }],
                        false,
                    )
                } else {
                    let is_new = catalogue::find_by_code(&mut conn, &item.code)
                        .await?
                        .is_none();
                    valid_items.push(item);
                    (Vec::new(), is_new)
                }
            }
            Err(errors) => (errors, false),
        };
        reports.push(RowReport {
            row: i + 2,
            code: input.code.trim().chars().take(40).collect(),
            errors,
            is_new,
        });
    }
    drop(conn);
    let invalid = reports.iter().filter(|r| !r.errors.is_empty()).count();
    let mut report = ImportReport {
        valid: reports.len() - invalid,
        invalid,
        rows: reports,
        proposal_id: None,
    };
    if (invalid > 0 && !import_valid_rows) || valid_items.is_empty() {
        return Ok(Ok(report));
    }
    let mut tx = db.begin().await?;
    let payload = serde_json::to_string(&valid_items).unwrap_or_default();
    let by = actor.user_id().unwrap_or(0);
    let id = catalogue::propose(
        &mut tx,
        ProposalKind::Import.code(),
        None,
        &payload,
        &why,
        by,
        Timestamp::now(),
    )
    .await?;
    notify_reviewers(&mut tx, id, by_of(actor), Timestamp::now()).await?;
    let event = CatalogueProposalCreated {
        proposal_id: id,
        item: None,
        proposed: Proposed::import(valid_items.len(), invalid),
    };
    commit_with(tx, actor, &event, Publication::None).await?;
    report.proposal_id = Some(id);
    Ok(Ok(report))
}

fn item_cells(item: &CatalogueItem) -> [String; 10] {
    [
        item.code.clone(),
        item.kind.code().to_string(),
        item.name.clone(),
        item.strength.clone().unwrap_or_default(),
        item.form.clone().unwrap_or_default(),
        item.presentation.clone().unwrap_or_default(),
        item.unit.clone(),
        item.atc_code.clone().unwrap_or_default(),
        item.unspsc_code.clone().unwrap_or_default(),
        item.level_of_care
            .map(|l| l.to_string())
            .unwrap_or_default(),
    ]
}

/// The active list as CSV (UTF-8 with BOM, so spreadsheet programs read the accents), text
/// cells neutralised against formula injection.
pub async fn export_csv(db: &Database) -> Result<Vec<u8>, ServiceError> {
    let items = {
        let mut conn = db.read().await?;
        catalogue::all_active(&mut conn).await?
    };
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer
            .write_record(COLUMNS)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        for item in &items {
            // Every column is text entered by users (a proposal's name, form, unit…), except
            // the level of care, a digit 1–3 that `text` leaves as it is (issue 13).
            writer
                .write_record(
                    item_cells(item)
                        .iter()
                        .map(|c| tianguis_csvcell::text(c).into_owned()),
                )
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
        }
        writer
            .flush()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
    }
    Ok(out)
}

/// The active list as an XLSX workbook.
pub async fn export_xlsx(db: &Database) -> Result<Vec<u8>, ServiceError> {
    let items = {
        let mut conn = db.read().await?;
        catalogue::all_active(&mut conn).await?
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let err = |e: rust_xlsxwriter::XlsxError| ServiceError::Internal(e.to_string());
    sheet.set_name("catalogo").map_err(err)?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *name).map_err(err)?;
    }
    for (r, item) in items.iter().enumerate() {
        for (c, value) in item_cells(item).iter().enumerate() {
            sheet
                .write_string(r as u32 + 1, c as u16, value)
                .map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}

/// Tells the therapeutic committee's reviewers (administrators other than the proposer) that a
/// proposal waits for them: a review nobody hears of is never done (issue 13).
async fn notify_reviewers(
    tx: &mut impl crate::repository::db::Queryable,
    proposal_id: i64,
    proposer: i64,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let reviewers: Vec<i64> =
        crate::repository::users::active_ids_with_role(tx, Role::Administrator)
            .await?
            .into_iter()
            .filter(|id| *id != proposer)
            .collect();
    crate::repository::notifications::notify(
        tx,
        &reviewers,
        "catalogue-proposal",
        &serde_json::json!({"number": proposal_id}),
        &format!("/catalogue/proposals/{proposal_id}"),
        now,
    )
    .await?;
    Ok(())
}

fn by_of(actor: &Actor) -> i64 {
    actor.user_id().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_and_bom() {
        let rows = read_table(
            "\u{FEFF}code;kind;name;unit\nMED-1;medicine;Paracetamol;tableta\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(rows[0], vec!["code", "kind", "name", "unit"]);
        assert_eq!(rows[1][2], "Paracetamol");
    }

    #[test]
    fn garbage_is_unreadable() {
        assert_eq!(
            read_table(&[0xff, 0xfe, 0x00, 0x01]),
            Err(FileProblem::Unreadable)
        );
        assert_eq!(
            read_table(b"PK\x03\x04garbage"),
            Err(FileProblem::Unreadable)
        );
    }
}

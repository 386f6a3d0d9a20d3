//! What an import answered, kept for `GET /v1/imports[/{importId}]`: a summary item per
//! import and its row results in chunks (an item holds at most 400 KB).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::ImportError;
use super::rows::RowError;
use super::sheet::Format;
use crate::domain::api_key::Principal;
use crate::domain::ids::ClientId;
use crate::store::records::{from_item, to_item};
use crate::store::StoreError;
use crate::store::{keys, Cond, Key, Query, Update};
use crate::Ctx;

/// Row results per stored chunk (an error-heavy row is a few hundred bytes); a background
/// import writes one chunk per slice of this many rows.
pub const ROWS_PER_CHUNK: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowStatus {
    /// A new draft.
    Draft,
    /// A new placed order (a courier's track-only import).
    Placed,
    /// An existing draft, updated.
    Updated,
    /// Its order was already submitted: left as it was.
    Unchanged,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowResult {
    pub row: usize,
    /// The row's `Id`, if it has one.
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    pub status: RowStatus,
    #[serde(default)]
    pub errors: Vec<StoredRowError>,
    /// Whose new order the row made (a new draft or placed order): counted on that client
    /// when the rows are recorded ([`order_counts`]). Not stored.
    #[serde(skip)]
    pub new_order_of: Option<String>,
}

/// The clients' order counts for the new orders of `rows`, in the writes that record them
/// (one per client; a transaction holds at most 100 writes, so past 99 clients the rest
/// follow it).
pub fn order_counts(courier_id: &str, rows: &[RowResult]) -> Vec<crate::store::Write> {
    let mut per_client = std::collections::BTreeMap::<&str, u64>::new();
    for client in rows.iter().filter_map(|r| r.new_order_of.as_deref()) {
        *per_client.entry(client).or_default() += 1;
    }
    per_client
        .into_iter()
        .map(|(client, n)| crate::store::clients::count_orders(courier_id, client, n, None))
        .collect()
}

/// Writes `first` (with its condition) and the clients' `counts` in one transaction; counts
/// past what a transaction holds are added after it. `first`'s condition failing is
/// [`StoreError::ConditionFailed`], as a lone write's would be.
pub async fn write_counted(
    ctx: &Ctx,
    first: crate::store::Write,
    mut counts: Vec<crate::store::Write>,
) -> Result<(), StoreError> {
    if counts.is_empty() {
        return match first {
            crate::store::Write::Put { item, cond } => ctx.store.put(item, cond).await,
            other => ctx.store.transact(vec![other]).await,
        };
    }
    let rest = counts.split_off(counts.len().min(MAX_TRANSACTION - 1));
    let mut writes = vec![first];
    writes.extend(counts);
    match ctx.store.transact(writes).await {
        Ok(()) => {}
        Err(e) if e.condition_failed_at(0) => {
            return Err(StoreError::ConditionFailed { old: None })
        }
        Err(e) => return Err(e),
    }
    for count in rest {
        ctx.store.transact(vec![count]).await?;
    }
    Ok(())
}

/// The most writes one transaction holds.
const MAX_TRANSACTION: usize = 100;

/// [`RowError`] as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRowError {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl From<RowError> for StoredRowError {
    fn from(e: RowError) -> Self {
        Self {
            row: e.row,
            column: e.column,
            value: e.value,
            reason: e.reason,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub rows: usize,
    pub drafts: usize,
    pub updated: usize,
    pub errors: usize,
    pub unchanged: usize,
    /// Placed orders (track-only imports).
    pub placed: usize,
}

impl Counts {
    pub fn of(rows: &[RowResult]) -> Self {
        let count = |s: RowStatus| rows.iter().filter(|r| r.status == s).count();
        Self {
            rows: rows.len(),
            drafts: count(RowStatus::Draft),
            updated: count(RowStatus::Updated),
            errors: count(RowStatus::Error),
            unchanged: count(RowStatus::Unchanged),
            placed: count(RowStatus::Placed),
        }
    }
}

impl Counts {
    /// Adds a slice's counts (a background import's).
    pub fn add(&mut self, other: &Counts) {
        self.rows += other.rows;
        self.drafts += other.drafts;
        self.updated += other.updated;
        self.errors += other.errors;
        self.unchanged += other.unchanged;
        self.placed += other.placed;
    }
}

/// Whether an import's rows are all written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportStatus {
    /// A background import still writing its rows.
    Running,
    #[default]
    Done,
    /// A background import whose worker gave up (`failure` says why, in words): the rows
    /// listed were written, the others not.
    Failed,
}

/// A running import with no step recorded for this long has been given up on by the
/// worker's stream (its records are discarded after `MaximumRecordAgeInSeconds`, 6 hours,
/// in template.yaml, and a step runs at most 5 minutes): it is failed, whatever stopped it
/// (every retry failing, the records aged out, the worker's destination taking them).
pub const STALLED_AFTER_MINUTES: i64 = 6 * 60 + 10;

/// Why a stalled import failed, as its page and `GET /v1/imports/{id}` say it.
pub const STALLED_REASON: &str = "The import stopped before all its rows were written: writing them failed again and again. The rows listed were written; upload the same file again to import the others (rows already imported are not imported twice).";

/// How far a background import is: rows written (with their results kept) of the sheet's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub written: usize,
    pub total: usize,
}

impl Progress {
    /// Percent written, rounded down.
    pub fn percent(&self) -> usize {
        (self.written * 100).checked_div(self.total).unwrap_or(100)
    }
}

/// An import's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub id: String,
    /// The day of rows whose times have no date: the import's `date`, else the next
    /// delivery day (absent from imports made before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    pub counts: Counts,
    pub unknown_columns: Vec<String>,
    pub rows: Vec<RowResult>,
    /// `running` while a background import writes its rows (its `counts` and `rows` are
    /// those written so far), then `done`.
    #[serde(default)]
    pub status: ImportStatus,
    /// A background import's progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// Why a `failed` import stopped, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// The summary as listed (without rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    pub counts: Counts,
    pub unknown_columns: Vec<String>,
    /// `client:…` or `courier:…`.
    pub by: String,
    pub created_at: String,
    /// Chunks of row results.
    pub chunks: usize,
    #[serde(default)]
    pub status: ImportStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// Rows written so far by a background import: the condition of its next step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<usize>,
    /// What a background import's worker needs, while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<Job>,
    /// When a background import's last step was recorded (its start, before the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_at: Option<String>,
    /// Why a `failed` import stopped, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

impl ImportSummary {
    pub fn view(&self) -> Value {
        let mut view = json!({
            "id": self.id, "counts": self.counts, "unknownColumns": self.unknown_columns,
            "createdAt": self.created_at, "status": self.status,
        });
        if let Some(progress) = self.progress {
            view["progress"] = json!(progress);
        }
        if let Some(failure) = &self.failure {
            view["failure"] = json!(failure);
        }
        view
    }

    /// A running import whose worker has given up: no step for [`STALLED_AFTER_MINUTES`].
    pub fn stalled(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        let last = self.step_at.as_deref().unwrap_or(&self.created_at);
        self.status == ImportStatus::Running
            && last
                .parse::<chrono::DateTime<chrono::Utc>>()
                .is_ok_and(|at| now - at > chrono::Duration::minutes(STALLED_AFTER_MINUTES))
    }
}

/// Marks a stalled import failed (over the step read: a step recorded meanwhile keeps it
/// running) and answers the summary as it now is. Its file stays until its TTL.
pub async fn fail_if_stalled(
    ctx: &Ctx,
    org_id: &str,
    mut summary: ImportSummary,
) -> Result<ImportSummary, StoreError> {
    if !summary.stalled(ctx.now()) {
        return Ok(summary);
    }
    let over_step = match summary.written {
        Some(written) => Cond::eq("written", written),
        None => Cond::not_exists("written"),
    };
    let failed = Update::new()
        .set("status", "failed")
        .set("failure", STALLED_REASON)
        .remove("job");
    match ctx
        .store
        .update(
            &summary_key(org_id, &summary.id),
            &failed,
            Some(Cond::eq("status", "running").and(over_step)),
        )
        .await
    {
        Ok(item) => summary = from_item(item)?,
        // A step was recorded meanwhile: it runs on.
        Err(StoreError::ConditionFailed { .. }) => {}
        Err(e) => return Err(e),
    }
    Ok(summary)
}

/// What a background import's worker needs, kept on its summary while it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub by: Principal,
    pub format: Format,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    pub base_url: String,
    /// Chunks of the stored file.
    pub file_chunks: usize,
}

pub fn summary_key(org_id: &str, import_id: &str) -> Key {
    keys::import(org_id, import_id)
}

pub use keys::IMPORT_PREFIX;

fn chunk_prefix(import_id: &str) -> String {
    keys::import_rows_prefix(import_id)
}

/// Saves chunk `n` of an import's row results (a put: saving it again changes nothing).
pub async fn save_chunk(
    ctx: &Ctx,
    org_id: &str,
    import_id: &str,
    n: usize,
    rows: &[RowResult],
) -> Result<(), ImportError> {
    let key = Key::new(
        keys::org_pk(org_id),
        format!("{}{n:04}", chunk_prefix(import_id)),
    );
    ctx.store
        .put(to_item(&json!({ "rows": rows }), &key, "ImportRows")?, None)
        .await?;
    Ok(())
}

/// Saves the report: its chunks, then its summary (a summary is never without its rows),
/// with its new orders counted on their clients.
pub async fn save(
    ctx: &Ctx,
    courier_id: &str,
    org_id: &str,
    by: String,
    created_at: String,
    report: &ImportReport,
) -> Result<(), ImportError> {
    let chunks: Vec<&[RowResult]> = report.rows.chunks(ROWS_PER_CHUNK).collect();
    for (n, rows) in chunks.iter().enumerate() {
        save_chunk(ctx, org_id, &report.id, n, rows).await?;
    }
    let summary = ImportSummary {
        id: report.id.clone(),
        date: report.date,
        counts: report.counts.clone(),
        unknown_columns: report.unknown_columns.clone(),
        by,
        created_at,
        chunks: chunks.len(),
        status: ImportStatus::Done,
        progress: None,
        written: None,
        job: None,
        step_at: None,
        failure: None,
    };
    let counts = order_counts(courier_id, &report.rows);
    let put = crate::store::Write::Put {
        item: to_item(&summary, &summary_key(org_id, &report.id), "Import")?,
        cond: None,
    };
    write_counted(ctx, put, counts).await?;
    Ok(())
}

/// An organisation's import with its rows; another organisation's is not found.
pub async fn load(ctx: &Ctx, org_id: &str, import_id: &str) -> Result<ImportReport, ImportError> {
    read(ctx, org_id, import_id)
        .await?
        .ok_or(ImportError::NotFound)
}

/// An organisation's import with its rows, if it has one by that id.
pub async fn read(
    ctx: &Ctx,
    org_id: &str,
    import_id: &str,
) -> Result<Option<ImportReport>, StoreError> {
    if !import_id.starts_with("imp_") || import_id.len() > 40 {
        return Ok(None);
    }
    let Some(item) = ctx.store.get(&summary_key(org_id, import_id)).await? else {
        return Ok(None);
    };
    let summary = fail_if_stalled(ctx, org_id, from_item(item)?).await?;
    let mut rows = Vec::with_capacity(summary.counts.rows);
    let mut query = Query::partition(keys::org_pk(org_id)).sk_begins_with(chunk_prefix(import_id));
    loop {
        let page = ctx.store.query(&query).await?;
        for item in page.items {
            let chunk: Chunk = from_item(item)?;
            rows.extend(chunk.rows);
        }
        match page.last_key {
            Some(last) => query = query.start_after(Some(last)),
            None => break,
        }
    }
    Ok(Some(ImportReport {
        id: summary.id,
        date: summary.date,
        counts: summary.counts,
        unknown_columns: summary.unknown_columns,
        rows,
        status: summary.status,
        progress: summary.progress,
        failure: summary.failure,
    }))
}

#[derive(Deserialize)]
struct Chunk {
    rows: Vec<RowResult>,
}

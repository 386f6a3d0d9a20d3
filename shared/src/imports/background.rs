//! A background import's kept state: its file (base64, in chunks, expiring) and its summary
//! marked `running` with what the worker needs ([`Job`]); the worker
//! ([`super::worker`]) reads them back a step at a time.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::NaiveDate;
use serde_json::json;

use super::error::ImportError;
use super::record::{
    summary_key, Counts, ImportReport, ImportStatus, ImportSummary, Job, Progress,
};
use crate::clock::timestamp;
use crate::ordering::changes::actor;
use crate::store::records::to_item;
use crate::store::{keys, Cond, Key, Query, PK};
use crate::Ctx;

/// Characters of the (base64) file per stored chunk (an item holds at most 400 KB).
const FILE_CHUNK_CHARS: usize = 300_000;
/// The file's chunks expire after this long if the import never finishes.
const FILE_TTL_DAYS: i64 = 7;

/// What the summary of a background import starts with.
pub(crate) struct Kept {
    pub rows: usize,
    pub date: NaiveDate,
    pub unknown_columns: Vec<String>,
}

/// Keeps the file and the summary (`running`, nothing written) of a background import.
pub(crate) async fn start(
    ctx: &Ctx,
    id: String,
    job: Job,
    file: &[u8],
    sheet: Kept,
) -> Result<ImportReport, ImportError> {
    let org_id = job.by.org_id().to_string();
    let org_id = org_id.as_str();
    let encoded = STANDARD.encode(file);
    let ttl = (ctx.now() + chrono::Duration::days(FILE_TTL_DAYS)).timestamp();
    // Base64 is ASCII: any byte offset is a character boundary.
    let pieces: Vec<&str> = encoded
        .as_bytes()
        .chunks(FILE_CHUNK_CHARS)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    for (n, piece) in pieces.iter().enumerate() {
        let key = file_key(org_id, &id, n);
        let item = to_item(&json!({ "data": piece, "ttl": ttl }), &key, "ImportFile")?;
        ctx.store.put(item, None).await?;
    }
    let progress = Progress {
        written: 0,
        total: sheet.rows,
    };
    let summary = ImportSummary {
        id: id.clone(),
        date: Some(sheet.date),
        counts: Counts::default(),
        unknown_columns: sheet.unknown_columns.clone(),
        by: actor(&job.by),
        created_at: timestamp(ctx.now()),
        chunks: 0,
        status: ImportStatus::Running,
        progress: Some(progress),
        written: Some(0),
        job: Some(Job {
            file_chunks: pieces.len(),
            ..job
        }),
        step_at: None,
        failure: None,
    };
    ctx.store
        .put(
            to_item(&summary, &summary_key(org_id, &id), "Import")?,
            Some(Cond::not_exists(PK)),
        )
        .await?;
    Ok(ImportReport {
        id,
        date: Some(sheet.date),
        counts: Counts::default(),
        unknown_columns: sheet.unknown_columns,
        rows: vec![],
        status: ImportStatus::Running,
        progress: Some(progress),
        failure: None,
    })
}

pub(crate) fn file_key(org_id: &str, import_id: &str, n: usize) -> Key {
    Key::new(
        keys::org_pk(org_id),
        format!("{}{n:04}", keys::import_file_prefix(import_id)),
    )
}

/// The stored file of a background import.
pub(crate) async fn read_file(
    ctx: &Ctx,
    org_id: &str,
    import_id: &str,
    chunks: usize,
) -> Result<Vec<u8>, ImportError> {
    let mut encoded = String::new();
    let mut query =
        Query::partition(keys::org_pk(org_id)).sk_begins_with(keys::import_file_prefix(import_id));
    let mut read = 0;
    loop {
        let page = ctx.store.query(&query).await?;
        for item in page.items {
            read += 1;
            encoded.push_str(
                item.get("data")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default(),
            );
        }
        match page.last_key {
            Some(last) => query = query.start_after(Some(last)),
            None => break,
        }
    }
    if read != chunks {
        return Err(ImportError::Internal(format!(
            "the import's file has {read} of its {chunks} chunks"
        )));
    }
    STANDARD
        .decode(encoded)
        .map_err(|e| ImportError::Internal(format!("the import's file is unreadable: {e}")))
}

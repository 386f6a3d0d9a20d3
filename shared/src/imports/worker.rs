//! Background imports: a sheet of more than [`INLINE_ROWS`](super::run::INLINE_ROWS) rows is
//! kept (its file, in chunks) with its summary marked `running`, and the request answers
//! `202`. The `import-worker` function, invoked by the table's stream on that summary
//! ([`STREAM_FILTER`]), writes one slice of [`SLICE`] rows per step and records its progress
//! on the summary with a condition on the rows written before (`written`): that write is the
//! next step's stream record, and a step delivered twice advances nothing twice.
//!
//! A step that dies part-way is finished by the next attempt (Lambda retries the record):
//! every row's order id is derived from the import's id and the row's line
//! ([`OwnRows`]), so a row whose marker already holds that id is recognised as written (or,
//! its order missing, written at once with that id), and a draft this import re-imported
//! names the import in its timeline. No row is written twice.

use super::background::{file_key, read_file};
use super::error::ImportError;
use super::plan::{plan_rows, resolve_existing, OwnRows, Planned};
use super::record::{
    order_counts, save_chunk, write_counted, Counts, ImportStatus, ImportSummary, Progress,
    ROWS_PER_CHUNK,
};
use super::run::{commit, prepare, ImportCommand};
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Key, StoreError, Write, PK, SK};
use crate::Ctx;
use aws_lambda_events::dynamodb::{Event as DynamoDbEvent, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

/// Rows written per step (one chunk of row results): a step stays well within the
/// function's timeout and the table's write budget (about 3 writes a row, 25 per
/// BatchWriteItem, 32 calls in flight).
pub const SLICE: usize = ROWS_PER_CHUNK;

/// The event-source filter in `template.yaml` (a test compares them): only a running
/// import's summary invokes the worker.
pub const STREAM_FILTER: &str = r#"{"eventName":["INSERT","MODIFY"],"dynamodb":{"Keys":{"SK":{"S":[{"prefix":"IMPORT#"}]}},"NewImage":{"status":{"S":["running"]}}}}"#;

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A slice was written; more follow (the summary's update invokes the next step).
    Wrote(Progress),
    /// The last slice was written.
    Done(Progress),
    /// Nothing to do: no such import, already done, or another attempt advanced it first.
    Idle,
}

/// One step of the background import whose summary is at `key`.
pub async fn advance(ctx: &Ctx, key: &Key) -> Result<Step, ImportError> {
    advance_or_stop(ctx, key, None).await
}

/// [`advance`], stopping (as if the function died) after writing the first `stop_after`
/// rows of its slice, before recording anything: what the tests of resumption run.
pub async fn advance_or_stop(
    ctx: &Ctx,
    key: &Key,
    stop_after: Option<usize>,
) -> Result<Step, ImportError> {
    let Some(item) = ctx.store.get(key).await? else {
        return Ok(Step::Idle);
    };
    let mut summary: ImportSummary = from_item(item)?;
    let (Some(job), Some(written), ImportStatus::Running) =
        (summary.job.clone(), summary.written, summary.status)
    else {
        return Ok(Step::Idle);
    };
    let org_id = job.by.org_id().to_string();
    let file = read_file(ctx, &org_id, &summary.id, job.file_chunks).await?;
    let cmd = ImportCommand {
        by: job.by.clone(),
        format: job.format,
        file: file.into(),
        date: summary.date,
        preflight: false,
        client_id: job.client_id.clone(),
        base_url: job.base_url.clone(),
    };
    let prepared = prepare(ctx, &cmd).await?;
    let courier_id = cmd.by.courier_id.as_str().to_string();
    // Every row is planned (a row repeating an earlier one is an error, whatever its
    // slice); only this slice's are resolved against the store and written.
    let planned = plan_rows(
        &courier_id,
        &prepared.header,
        &prepared.sheet,
        &prepared.owners,
    );
    let total = planned.len();
    let end = (written + SLICE).min(total);
    let slice: Vec<Planned> = planned
        .into_iter()
        .skip(written)
        .take(end.saturating_sub(written))
        .collect();
    let own = OwnRows {
        import_id: summary.id.clone(),
    };
    let mut slice = resolve_existing(ctx, &courier_id, slice, Some(&own)).await?;
    if let Some(stop) = stop_after {
        slice.truncate(stop);
        commit(ctx, &cmd, &prepared.owners, slice, Some(&own)).await?;
        return Err(ImportError::Internal(
            "the import worker stopped part-way".into(),
        ));
    }
    let rows = commit(ctx, &cmd, &prepared.owners, slice, Some(&own)).await?;
    save_chunk(ctx, &org_id, &summary.id, written / SLICE, &rows).await?;
    summary.counts.add(&Counts::of(&rows));
    summary.chunks = written / SLICE + 1;
    summary.written = Some(end);
    let progress = Progress {
        written: end,
        total,
    };
    summary.progress = Some(progress);
    summary.step_at = Some(crate::clock::timestamp(ctx.now()));
    let done = end >= total;
    if done {
        summary.status = ImportStatus::Done;
        summary.job = None;
    }
    // The step is recorded once (its condition), and its new orders are counted on their
    // clients in the same transaction: a step done again counts nothing.
    let record = Write::Put {
        item: to_item(&summary, key, "Import")?,
        cond: Some(Cond::eq("written", written)),
    };
    let saved = write_counted(ctx, record, order_counts(&courier_id, &rows)).await;
    match saved {
        Ok(()) => super::run::observe_rows(&summary.id, &rows),
        // Another attempt of this step recorded it first (its rows were the same).
        Err(StoreError::ConditionFailed { .. }) => return Ok(Step::Idle),
        Err(e) => return Err(e.into()),
    }
    if !done {
        return Ok(Step::Wrote(progress));
    }
    let deletes = (0..job.file_chunks)
        .map(|n| Write::Delete {
            key: file_key(&org_id, &summary.id, n),
            cond: None,
        })
        .collect();
    // Chunks left behind expire (`ttl`).
    if let Err(e) = ctx.store.write_each(deletes).await {
        tracing::warn!(import = %summary.id, error = %e, "an import's file was not removed");
    }
    Ok(Step::Done(progress))
}

/// Whether a change passes [`STREAM_FILTER`].
pub fn is_relevant(event_name: &str, sk: Option<&str>, status: Option<&str>) -> bool {
    matches!(event_name, "INSERT" | "MODIFY")
        && sk.is_some_and(|sk| sk.starts_with(keys::IMPORT_PREFIX))
        && status == Some("running")
}

fn string<'a>(item: &'a serde_dynamo::Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(serde_dynamo::AttributeValue::S(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// Whether a stream record passes [`STREAM_FILTER`] (what the event source lets through).
pub fn record_is_relevant(record: &EventRecord) -> bool {
    is_relevant(
        &record.event_name,
        string(&record.change.keys, SK),
        string(&record.change.new_image, "status"),
    )
}

/// One batch from the stream: a step per running import's record, in order; the first
/// that fails is reported (Lambda retries from it, the step resumes where it stopped).
pub async fn handle_stream(ctx: &Ctx, event: DynamoDbEvent) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in event.records {
        if !record_is_relevant(&record) {
            continue;
        }
        let (Some(pk), Some(sk)) = (
            string(&record.change.keys, PK),
            string(&record.change.keys, SK),
        ) else {
            continue;
        };
        let key = Key::new(pk, sk);
        match advance(ctx, &key).await {
            Ok(step) => tracing::info!(import = %key.sk, ?step, "import step"),
            Err(e) => {
                tracing::error!(import = %key.sk, error = %e, "import step failed");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = record.change.sequence_number.clone();
                response.batch_item_failures.push(failure);
                break;
            }
        }
    }
    response
}

//! The import use case: read the sheet, plan every row, then (unless preflight) create the
//! new orders through [`place_orders`] (batched, no transactions) and update re-imported
//! drafts (conditional puts, batched), and keep the answer for `GET /v1/imports/{importId}`.

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::background::Kept;
use super::columns::{Column, Header};
use super::delivery_day::{latest_time_of_day, next_delivery_day};
use super::error::ImportError;
use super::plan::{plan, OwnRows, Owners, Planned};
use super::record::{
    self, Counts, ImportReport, ImportStatus, Job, RowResult, RowStatus, StoredRowError,
};
use super::rows::{ParsedRow, RowContext, RowError, StopKind};
use super::sheet::{self, Format};
use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::client::Client;
use crate::domain::courier::Courier;
use crate::domain::ids::{next_ulid_at, ClientId};
use crate::domain::order::{Order, Source, Stop, TimelineEntry};
use crate::domain::order_fields::Pieces;
use crate::domain::order_machine::OrderStatus;
use crate::domain::settings::Units;
use crate::ordering::changes::actor;
use crate::ordering::place_batch::{reuse_id, stored_item};
use crate::ordering::search::{index_writes, reindex_writes};
use crate::ordering::{
    new_order, place_orders, BatchOrder, BatchOutcome, CreateOrder, DraftMode, OrderOwner,
};
use crate::store::records::from_item;
use crate::store::{keys, Cond, Key, StoreError, Write};
use crate::Ctx;

#[derive(Debug, Clone)]
pub struct ImportCommand {
    pub by: Principal,
    pub format: Format,
    pub file: bytes::Bytes,
    /// The day of rows that have times but no Date (else the next delivery day, see
    /// [`super::delivery_day`]).
    pub date: Option<NaiveDate>,
    /// Validate and answer; write nothing.
    pub preflight: bool,
    /// A courier's import: the client of rows without a Client ID.
    pub client_id: Option<ClientId>,
    /// Base of tracking URLs.
    pub base_url: String,
}

/// Sheets of more rows than this are written by the background worker
/// ([`super::worker`]): the request answers `202` with the import running.
pub const INLINE_ROWS: usize = 200;

/// A sheet read, matched and owned, with the day of its rows: what an import (inline, or
/// each slice of a background one) starts from.
pub(crate) struct Prepared {
    pub sheet: sheet::Sheet,
    pub header: Header,
    pub owners: Owners,
    pub date: NaiveDate,
}

pub async fn run_import(ctx: &Ctx, cmd: ImportCommand) -> Result<ImportReport, ImportError> {
    let prepared = prepare(ctx, &cmd).await?;
    let now = ctx.now();
    let id = format!("imp_{}", next_ulid_at(now));
    if !cmd.preflight && prepared.sheet.rows.len() > INLINE_ROWS {
        let job = Job {
            by: cmd.by.clone(),
            format: cmd.format,
            client_id: cmd.client_id.clone(),
            base_url: cmd.base_url.clone(),
            file_chunks: 0,
        };
        let kept = Kept {
            rows: prepared.sheet.rows.len(),
            date: prepared.date,
            unknown_columns: prepared.header.unknown,
        };
        return super::background::start(ctx, id, job, &cmd.file, kept).await;
    }
    let Prepared {
        sheet,
        header,
        owners,
        date,
    } = prepared;
    let courier_id = cmd.by.courier_id.as_str().to_string();
    let planned = plan(ctx, &courier_id, &header, &sheet, &owners).await?;
    let rows = if cmd.preflight {
        planned.iter().map(preview).collect()
    } else {
        commit(ctx, &cmd, &owners, planned, None).await?
    };
    let report = ImportReport {
        id,
        date: Some(date),
        counts: Counts::of(&rows),
        unknown_columns: header.unknown.clone(),
        rows,
        status: ImportStatus::Done,
        progress: None,
        failure: None,
    };
    if !cmd.preflight {
        observe_rows(&report.id, &report.rows);
        record::save(
            ctx,
            cmd.by.courier_id.as_str(),
            cmd.by.org_id(),
            actor(&cmd.by),
            timestamp(now),
            &report,
        )
        .await?;
    }
    Ok(report)
}

/// Reads the sheet and loads whom its rows are for; the day of rows without a date is
/// `cmd.date`, else the next delivery day.
pub(crate) async fn prepare(ctx: &Ctx, cmd: &ImportCommand) -> Result<Prepared, ImportError> {
    // A client may upload before its file is read: reading costs (a workbook is unpacked),
    // and a client without uploads gets no part of it.
    let client = match (&cmd.by.role, &cmd.by.client_id) {
        (Role::Client, Some(client_id)) => Some(load_client(ctx, cmd, client_id).await?),
        _ => None,
    };
    let sheet = sheet::read(cmd.format, &cmd.file)?;
    let mut header = Header::match_names(&sheet.headers);
    let mut owners = match client {
        Some((client, courier)) => {
            // A client's sheet cannot name other clients: the column is not read.
            header.ignore(Column::ClientId);
            let cx = context(&client, courier.as_ref());
            Owners::Client(Box::new((client, cx)))
        }
        None => load_clients(ctx, cmd, &header, &sheet).await?,
    };
    let date = cmd.date.unwrap_or_else(|| {
        next_delivery_day(
            ctx.now(),
            zone(&owners),
            latest_time_of_day(&header, &sheet),
        )
    });
    on_day(&mut owners, date);
    Ok(Prepared {
        sheet,
        header,
        owners,
        date,
    })
}

/// A committed import's rows, counted (written, failed) and its failed rows logged at warn
/// with their ids (the first few: a sheet of errors is one line each up to there). The
/// cell values are left out: they are people's names, numbers and addresses.
pub(crate) fn observe_rows(import_id: &str, rows: &[RowResult]) {
    use crate::observe::metrics::{count, Metric};
    const LOGGED_ROWS: usize = 20;
    let counts = &Counts::of(rows);
    count(
        Metric::ImportRows("written"),
        (counts.drafts + counts.updated + counts.placed) as u64,
    );
    count(Metric::ImportRows("failed"), counts.errors as u64);
    let failed = rows.iter().filter(|r| r.status == RowStatus::Error);
    for row in failed.take(LOGGED_ROWS) {
        let columns: Vec<&str> = row.errors.iter().map(|e| e.column.as_str()).collect();
        tracing::warn!(
            import_id = %import_id,
            row = row.row,
            row_id = row.id.as_deref().unwrap_or(""),
            order_id = row.order_id.as_deref().unwrap_or(""),
            columns = %columns.join(","),
            "import row not written"
        );
    }
    if counts.errors > 0 {
        tracing::warn!(
            import_id = %import_id,
            rows = counts.rows,
            failed = counts.errors,
            "import finished with rows not written"
        );
    }
}

/// The importing client and its courier, if it may upload.
async fn load_client(
    ctx: &Ctx,
    cmd: &ImportCommand,
    client_id: &ClientId,
) -> Result<(Client, Option<Courier>), ImportError> {
    if cmd.client_id.is_some() {
        return Err(ImportError::ClientNamedByClient);
    }
    let courier_id = cmd.by.courier_id.as_str();
    let mut found = ctx
        .store
        .batch_get(&[
            keys::client(courier_id, client_id.as_str()),
            keys::courier(courier_id),
        ])
        .await?
        .into_iter();
    let client: Client = from_item(found.next().flatten().ok_or(ImportError::ClientNotFound)?)?;
    let courier: Option<Courier> = found.next().flatten().map(from_item).transpose()?;
    if !client.allow_order_upload {
        return Err(ImportError::UploadsNotAllowed);
    }
    Ok((client, courier))
}

/// A courier's import: the clients its rows are for (its `Client ID` column, else
/// `?clientId=`), with the zone, country and units their rows are read in.
async fn load_clients(
    ctx: &Ctx,
    cmd: &ImportCommand,
    header: &Header,
    sheet: &sheet::Sheet,
) -> Result<Owners, ImportError> {
    let who = &cmd.by;
    if cmd.client_id.is_none() && header.position(Column::ClientId).is_none() {
        return Err(ImportError::ClientNotNamed);
    }
    let mut ids: Vec<ClientId> = cmd.client_id.iter().cloned().collect();
    if let Some(i) = header.position(Column::ClientId) {
        for row in &sheet.rows {
            if let Ok(id) = ClientId::parse(&row.cell(i).text()) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    let mut keys_wanted: Vec<Key> = ids
        .iter()
        .map(|id| keys::client(who.courier_id.as_str(), id.as_str()))
        .collect();
    keys_wanted.push(keys::courier(who.courier_id.as_str()));
    let mut found = Vec::with_capacity(keys_wanted.len());
    for chunk in keys_wanted.chunks(100) {
        found.extend(ctx.store.batch_get(chunk).await?);
    }
    let courier: Option<Courier> = found.pop().flatten().map(from_item).transpose()?;
    let mut clients = HashMap::new();
    for item in found.into_iter().flatten() {
        let client: Client = from_item(item)?;
        let cx = context(&client, courier.as_ref());
        clients.insert(client.id.clone(), (client, cx));
    }
    Ok(Owners::Courier {
        clients,
        fallback: RowContext {
            tz: courier_tz(courier.as_ref()),
            country: None,
            // The import's day, set once the sheet is read (see `on_day`).
            date: None,
            units: Units::Metric,
        },
        default: cmd.client_id.clone(),
    })
}

/// The zone the import's day is read in: the client's, or for a courier's import (one day
/// for all its rows) the courier's.
fn zone(owners: &Owners) -> Tz {
    match owners {
        Owners::Client(owner) => owner.1.tz,
        Owners::Courier { fallback, .. } => fallback.tz,
    }
}

/// Rows with times of day and no Date fall on `date`.
fn on_day(owners: &mut Owners, date: NaiveDate) {
    match owners {
        Owners::Client(owner) => owner.1.date = Some(date),
        Owners::Courier {
            clients, fallback, ..
        } => {
            fallback.date = Some(date);
            for (_, cx) in clients.values_mut() {
                cx.date = Some(date);
            }
        }
    }
}

fn courier_tz(courier: Option<&Courier>) -> Tz {
    courier
        .and_then(|c| c.timezone.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

/// Times in the client's zone (its notification settings', else its courier's); phones in
/// its country (its organisation's, else its default pickup's).
fn context(client: &Client, courier: Option<&Courier>) -> RowContext {
    let org = client.organization_settings();
    RowContext {
        tz: client
            .notifications
            .as_ref()
            .and_then(|n| n.timezone)
            .map(|t| t.tz())
            .or(org.timezone.map(|t| t.tz()))
            .unwrap_or_else(|| courier_tz(courier)),
        country: org.country.clone().or_else(|| {
            client
                .default_pickup
                .as_ref()
                .and_then(|p| p.address.country.clone())
        }),
        // The import's day, set once the sheet is read (see `on_day`).
        date: None,
        units: org.units,
    }
}

fn result(
    line: usize,
    id: Option<String>,
    order_id: Option<String>,
    status: RowStatus,
    errors: Vec<RowError>,
) -> RowResult {
    RowResult {
        row: line,
        id,
        order_id,
        status,
        errors: errors.into_iter().map(StoredRowError::from).collect(),
        new_order_of: None,
    }
}

/// What a row would do (preflight).
fn preview(p: &Planned) -> RowResult {
    match p {
        Planned::Bad { line, id, errors } => {
            result(*line, id.clone(), None, RowStatus::Error, errors.clone())
        }
        Planned::New {
            id, row, client, ..
        } => {
            let _ = client;
            result(row.line, id.clone(), None, RowStatus::Draft, vec![])
        }
        Planned::Update { id, row, order } => result(
            row.line,
            id.clone(),
            Some(order.id.clone()),
            RowStatus::Updated,
            vec![],
        ),
        Planned::Unchanged { line, id, order_id } => result(
            *line,
            id.clone(),
            Some(order_id.clone()),
            RowStatus::Unchanged,
            vec![],
        ),
        Planned::Written {
            line,
            id,
            order_id,
            status,
            new_order_of,
            ..
        } => RowResult {
            new_order_of: new_order_of.clone(),
            ..result(*line, id.clone(), Some(order_id.clone()), *status, vec![])
        },
    }
}

/// Writes the planned rows; a background import's (`own`) new orders get the ids derived
/// from the import and their rows, and its re-imported drafts name it.
pub(crate) async fn commit(
    ctx: &Ctx,
    cmd: &ImportCommand,
    owners: &Owners,
    planned: Vec<Planned>,
    own: Option<&OwnRows>,
) -> Result<Vec<RowResult>, ImportError> {
    let now = ctx.now();
    let mut results: Vec<Option<RowResult>> = vec![None; planned.len()];
    let mut batch = Vec::new();
    let mut batch_at = Vec::new();
    let mut updates = Vec::new();
    let mut terms = Vec::new();
    let draft = match cmd.by.role {
        Role::Client => DraftMode::Always,
        // Track-only: the courier's sheet is the order list itself.
        Role::Courier => DraftMode::Never,
    };
    for (i, p) in planned.into_iter().enumerate() {
        match p {
            Planned::New {
                id,
                client,
                row,
                marker,
                recover,
            } => {
                let client = owner(owners, &client)?;
                let create = creation(cmd, client, &row, draft);
                match new_order(&create, now) {
                    Ok(mut order) => {
                        let recovered = recover.is_some();
                        if let Some(order_id) = recover {
                            reuse_id(&mut order, order_id);
                        } else if let Some(own) = own {
                            reuse_id(&mut order, own.order_id(row.line));
                        }
                        batch.push(BatchOrder {
                            order,
                            marker,
                            recovered,
                        });
                        batch_at.push((i, row.line, id));
                    }
                    Err(e) => results[i] = Some(row_failed(row.line, id, &e.to_string())),
                }
            }
            Planned::Update { id, row, order } => updates.push((i, id, row, order)),
            Planned::Written {
                placed: Some(ref order),
                ..
            } => {
                terms.extend(index_writes(order)?);
                results[i] = Some(preview(&p));
            }
            other => results[i] = Some(preview(&other)),
        }
    }
    if !terms.is_empty() {
        fail_on_any(ctx.store.write_each(terms).await?)?;
    }
    let placed = place_orders(ctx, batch).await?;
    for ((i, line, id), outcome) in batch_at.into_iter().zip(placed) {
        results[i] = Some(match outcome {
            BatchOutcome::Created(order) => {
                let status = if order.status == OrderStatus::Draft {
                    RowStatus::Draft
                } else {
                    RowStatus::Placed
                };
                let mut row = result(line, id, Some(order.id.clone()), status, vec![]);
                row.new_order_of = Some(order.client_id.to_string());
                row
            }
            BatchOutcome::Taken => row_failed(
                line,
                id,
                "was imported by another request at the same time; import again",
            ),
            BatchOutcome::Failed(e) => row_failed(line, id, &e.to_string()),
        });
    }
    for (i, outcome) in update_drafts(ctx, cmd, updates, own).await? {
        results[i] = Some(outcome);
    }
    Ok(results.into_iter().flatten().collect())
}

/// The first failure of writes that have no condition to fail.
fn fail_on_any(outcomes: Vec<Result<(), StoreError>>) -> Result<(), ImportError> {
    outcomes
        .into_iter()
        .collect::<Result<Vec<()>, _>>()
        .map(|_| ())
        .map_err(ImportError::from)
}

fn row_failed(line: usize, id: Option<String>, reason: &str) -> RowResult {
    result(
        line,
        id.clone(),
        None,
        RowStatus::Error,
        vec![RowError {
            row: line,
            column: super::columns::circuit_name(Column::Id).into(),
            value: id.unwrap_or_default(),
            reason: reason.into(),
        }],
    )
}

fn owner<'a>(owners: &'a Owners, id: &ClientId) -> Result<&'a Client, ImportError> {
    match owners {
        Owners::Client(owner) => Ok(&owner.0),
        Owners::Courier { clients, .. } => clients
            .get(id)
            .map(|(c, _)| c)
            .ok_or_else(|| ImportError::Internal("a planned row's client was not loaded".into())),
    }
}

/// The client's default location as a stop.
fn default_stop(client: &Client) -> Option<Stop> {
    client.default_pickup.as_ref().map(|l| Stop {
        address: l.address.clone(),
        contact: l.contact.clone(),
        notes: l.notes.clone(),
        window: Default::default(),
        requirements: Default::default(),
    })
}

/// The row's stops: a delivery from the client's default pickup, or a pickup delivered to
/// the client's default address.
fn stops(client: &Client, row: &ParsedRow) -> (Option<Stop>, Stop) {
    match row.kind {
        StopKind::Delivery => (default_stop(client), row.stop.clone()),
        StopKind::Pickup => (
            Some(row.stop.clone()),
            default_stop(client).unwrap_or_else(|| row.stop.clone()),
        ),
    }
}

fn creation(
    cmd: &ImportCommand,
    client: &Client,
    row: &ParsedRow,
    draft: DraftMode,
) -> CreateOrder {
    let (pickup, dropoff) = stops(client, row);
    let mut create = CreateOrder::new(
        OrderOwner::of_client(client),
        actor(&cmd.by),
        Source::Import,
        dropoff,
        cmd.base_url.clone(),
    );
    create.pickup = pickup;
    create.weight = row.weight;
    create.pieces = row.pieces;
    create.notes = row.notes.clone();
    create.external_id = row.external_id.clone();
    create.draft = draft;
    create
}

type Update = (usize, Option<String>, Box<ParsedRow>, Box<Order>);

/// Re-imported drafts: each put (compact) at the version read, in batches of single
/// conditional writes; a draft changed meanwhile is a row error. A draft whose search terms
/// are written (one drafted before imports deferred them) has them moved afterwards.
async fn update_drafts(
    ctx: &Ctx,
    cmd: &ImportCommand,
    updates: Vec<Update>,
    own: Option<&OwnRows>,
) -> Result<Vec<(usize, RowResult)>, ImportError> {
    let at = timestamp(ctx.now());
    let mut writes = Vec::with_capacity(updates.len());
    let mut rows = Vec::with_capacity(updates.len());
    for (i, id, row, old) in updates {
        let detail = own.map_or_else(|| "re-imported".to_string(), OwnRows::reimport_detail);
        let edited = edit(cmd, &old, &row, &at, detail);
        writes.push(Write::Put {
            item: stored_item(&edited)?,
            cond: Some(Cond::eq("version", old.version)),
        });
        let reindex = if old.unindexed {
            vec![]
        } else {
            reindex_writes(&old, &edited)?
        };
        let ok = result(
            row.line,
            id,
            Some(old.id.clone()),
            RowStatus::Updated,
            vec![],
        );
        rows.push((i, ok, reindex));
    }
    if writes.is_empty() {
        return Ok(vec![]);
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut terms = Vec::new();
    for ((i, ok, reindex), outcome) in rows.into_iter().zip(ctx.store.write_each(writes).await?) {
        match outcome {
            Ok(()) => {
                terms.extend(reindex);
                out.push((i, ok));
            }
            Err(StoreError::ConditionFailed { .. }) => out.push((
                i,
                row_failed(
                    ok.row,
                    ok.id,
                    "its draft was changed while importing; import again",
                ),
            )),
            Err(e) => return Err(e.into()),
        }
    }
    if !terms.is_empty() {
        ctx.store.write_each(terms).await?;
    }
    Ok(out)
}

/// The draft as the row now describes it (same id, short id and tracking link).
fn edit(cmd: &ImportCommand, old: &Order, row: &ParsedRow, at: &str, detail: String) -> Order {
    let mut edited = old.clone();
    match row.kind {
        StopKind::Delivery => edited.dropoff.stop = row.stop.clone(),
        StopKind::Pickup => edited.pickup.stop = row.stop.clone(),
    }
    edited.weight = row.weight;
    edited.pieces = row.pieces.map(Pieces::get);
    edited.notes = row.notes.as_ref().map(|n| n.to_string());
    edited.external_id = row.external_id.as_ref().map(|e| e.as_str().to_string());
    edited.version = old.version + 1;
    edited.updated_at = at.to_string();
    edited.timeline.push(TimelineEntry {
        at: at.to_string(),
        what: "edited".into(),
        by: actor(&cmd.by),
        detail: Some(detail),
    });
    edited
}

//! Placing a new order: its search terms first (plain batched puts: in a transaction each
//! would cost twice), then one transaction with the order, its short-id marker, a check
//! that the client is still active, the idempotency record and the caller's extra writes.

use serde_json::{json, Value};
use std::sync::Arc;

use super::error::{FieldProblem, OrderError, OrderField};
use super::owner::OrderOwner;
use super::quoting;
use crate::clock::timestamp;
use crate::domain::client::ClientStatus;
use crate::domain::ids::{next_ulid_at, ServiceId};
use crate::domain::order::{self, Order, Source, Stop, Task, TimelineEntry};
use crate::domain::order_fields::{ExternalId, Pieces};
use crate::domain::order_machine::{OrderStatus, TaskKind, TaskState};
use crate::domain::pricing::{Quoting, Weight};
use crate::domain::text::Notes;
use crate::domain::token;
use crate::ordering::search::index_writes;
use crate::store::orders::{order_item, short_id_marker};
use crate::store::records::to_item;
use crate::store::{self, keys, Cond, Key, Write, PK};
use crate::Ctx;

/// How long an idempotency record is remembered.
const IDEMPOTENCY_HOURS: i64 = 24;

/// Whether the order is saved as a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftMode {
    /// Placed (sent to the courier).
    Never,
    /// Saved as a draft, not sent (`"draft": true`).
    Always,
    /// Placed when it can be quoted, else a draft with its reasons (integrations).
    WhenUnquotable,
}

/// A request remembered by its key: a second request with the key gets the first answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Idempotency {
    /// Where the record is kept (per organisation and key).
    pub record: Key,
    /// What the request said: another request with the same key is refused.
    pub request_hash: String,
}

impl Idempotency {
    /// The record of `key` for the organisation `org_id`, for a request whose content hashes
    /// to `request_hash`.
    pub fn new(org_id: &str, key: &str, request_hash: String) -> Self {
        Self {
            record: keys::idempotency(org_id, &token::hash(key)),
            request_hash,
        }
    }
}

/// Everything a new order is made of, already validated.
#[derive(Debug, Clone)]
pub struct CreateOrder {
    pub owner: OrderOwner,
    /// Who creates it, for the timeline (`client:cli_…`, `courier:cou_…`, `integration:…`).
    pub actor: String,
    pub source: Source,
    /// `None`: the client's default pickup.
    pub pickup: Option<Stop>,
    pub dropoff: Stop,
    pub weight: Option<Weight>,
    pub pieces: Option<Pieces>,
    pub notes: Option<Notes>,
    pub external_id: Option<ExternalId>,
    /// The service asked for; `None`: the client's `serviceSelection` picks (clients with
    /// services only).
    pub service_id: Option<ServiceId>,
    pub draft: DraftMode,
    pub idempotency: Option<Idempotency>,
    /// Written in the same transaction, after the order's own writes (e.g. a marker that
    /// keeps one platform order to one order). A failed condition on one of them writes
    /// nothing and answers [`Placed::Refused`].
    pub extra_writes: Vec<Write>,
    /// Writes made from the order being placed (a marker holding its id, a record of
    /// its status), appended after `extra_writes`; `Placed::Refused` counts them on from
    /// there.
    pub order_writes: Option<OrderWrites>,
    /// An item written, after the extra writes, with `{"orderId"}` only if it does not exist
    /// yet (one order per sheet row or platform order); when it exists nothing is written
    /// and the answer is [`Placed::Refused`] with `index` = `extra_writes.len()`.
    pub marker: Option<Key>,
    /// Base of the tracking URL (`https://api.example.com`).
    pub base_url: String,
}

impl CreateOrder {
    /// A placed order with only its dropoff (pickup: the client's default); set the other
    /// fields on the value (build it with this rather than a literal: fields get added).
    pub fn new(
        owner: OrderOwner,
        actor: String,
        source: Source,
        dropoff: Stop,
        base_url: String,
    ) -> Self {
        Self {
            owner,
            actor,
            source,
            pickup: None,
            dropoff,
            weight: None,
            pieces: None,
            notes: None,
            external_id: None,
            service_id: None,
            draft: DraftMode::Never,
            idempotency: None,
            extra_writes: vec![],
            order_writes: None,
            marker: None,
            base_url,
        }
    }
}

/// Builds writes from the order an attempt places (each attempt has its own order id).
#[derive(Clone)]
pub struct OrderWrites(pub Arc<WritesOf>);

/// The writes that go with an order.
pub type WritesOf = dyn Fn(&Order) -> Result<Vec<Write>, OrderError> + Send + Sync;

impl std::fmt::Debug for OrderWrites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OrderWrites(..)")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Placed {
    Created(Box<Order>),
    /// The same idempotency key was used for the same request before: its first answer,
    /// and the id of the order it created.
    Replayed {
        status: u16,
        body: String,
        order_id: String,
    },
    /// The condition of `extra_writes[index]` failed: nothing was written.
    Refused {
        index: usize,
    },
}

/// Attempts at placing one order (a new short id, or after meeting a concurrent write).
const PLACE_ATTEMPTS: u64 = 5;

/// Places (or drafts) a new order. Retries a short-id collision or a concurrent write with
/// a new order; a retry never duplicates (the idempotency record and the extra writes'
/// conditions hold across attempts).
pub async fn place_order(ctx: &Ctx, cmd: CreateOrder) -> Result<Placed, OrderError> {
    let pickup = match &cmd.pickup {
        Some(stop) => stop.clone(),
        None => default_pickup(&cmd.owner)?,
    };
    let now = ctx.now();
    let priced = price(&cmd, &pickup, now)?;
    for attempt in 0..PLACE_ATTEMPTS {
        let order = priced_order(&cmd, &pickup, now, &priced);
        let placement = Placement::of(&cmd, &order, now)?;
        // The search terms, before the order (as `finalize` does): a failure fails the call
        // with nothing placed, and an order never exists that search cannot find. Terms of
        // an order that is then not written point at no order: search skips them.
        let terms = index_writes(&order)?;
        written(ctx.store.write_each(terms.clone()).await?)?;
        let failed = match ctx.store.transact(placement.writes).await {
            Ok(()) => {
                crate::observe::metrics::order_written(&order);
                return Ok(Placed::Created(Box::new(order)));
            }
            Err(e) => e,
        };
        unindex(ctx, terms).await;
        let refused = placement
            .extras
            .clone()
            .find(|&i| failed.condition_failed_at(i))
            .map(|i| Placed::Refused {
                index: i - placement.extras.start,
            });
        let idempotency_taken = placement
            .idempotency
            .is_some_and(|i| failed.condition_failed_at(i));
        if cmd.idempotency.is_some() && (idempotency_taken || failed.is_conflict()) {
            if let Some(replayed) = replay(ctx, cmd.idempotency.as_ref()).await? {
                return Ok(replayed);
            }
        }
        if failed.condition_failed_at(placement.client_check) {
            return Err(OrderError::invalid(
                OrderField::ClientId,
                "is not an active client",
            ));
        }
        if let Some(refused) = refused {
            return Ok(refused);
        }
        // A short id collision, a concurrent write, or an idempotency record that expired
        // as it was read: build a new order and try again. Concurrent orders of one client
        // meet on its item (the count): the next attempt waits a moment, at random, so they
        // do not meet again.
        if failed.is_conflict() {
            let wait = rand::random_range(5..25) * (attempt + 1);
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            continue;
        }
        if failed.condition_failed_at(placement.short_id) || idempotency_taken {
            continue;
        }
        return Err(failed.into());
    }
    Err(OrderError::ConcurrentUpdate)
}

/// One attempt's transaction, with the position of each write whose condition failing
/// means something different: named here, so the answer to a failed condition is read by
/// name, not by counting.
struct Placement {
    writes: Vec<Write>,
    /// The short-id marker: taken means another order has the short id (a new one is tried).
    short_id: usize,
    /// The client check: failing means the client is gone or deleted.
    client_check: usize,
    /// The idempotency record: taken means the key was used (the first answer is replayed).
    idempotency: Option<usize>,
    /// The caller's extra writes, its marker and the writes built from the order (a
    /// failure refuses the order, by index among them).
    extras: std::ops::Range<usize>,
}

impl Placement {
    fn of(
        cmd: &CreateOrder,
        order: &Order,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self, OrderError> {
        let [order_put, short_id_put] = order_writes(order)?;
        let mut writes = vec![order_put];
        let short_id = push(&mut writes, short_id_put);
        let client_check = push(&mut writes, client_count(order));
        let idempotency = match &cmd.idempotency {
            Some(idem) => {
                let expires = now + chrono::Duration::hours(IDEMPOTENCY_HOURS);
                let record = json!({
                    "requestHash": idem.request_hash, "status": 201,
                    "response": order.view().to_string(),
                    "orderId": order.id, "expiresAt": timestamp(expires), "ttl": expires.timestamp(),
                });
                Some(push(
                    &mut writes,
                    Write::Put {
                        item: to_item(&record, &idem.record, "IdempotencyRecord")?,
                        cond: Some(Cond::Or(vec![
                            Cond::not_exists(PK),
                            Cond::lt("expiresAt", timestamp(now)),
                        ])),
                    },
                ))
            }
            None => None,
        };
        let extras_from = writes.len();
        writes.extend(extra_writes(cmd, order)?);
        if let Some(order_writes) = &cmd.order_writes {
            writes.extend((order_writes.0)(order)?);
        }
        let extras = extras_from..writes.len();
        Ok(Placement {
            writes,
            short_id,
            client_check,
            idempotency,
            extras,
        })
    }
}

/// Every write of a [`Store::write_each`](crate::store::Store::write_each) applied, or the
/// first one's error.
fn written(outcomes: Vec<Result<(), store::StoreError>>) -> Result<(), OrderError> {
    outcomes
        .into_iter()
        .collect::<Result<Vec<()>, _>>()
        .map(|_| ())
        .map_err(OrderError::from)
}

/// Deletes the search terms of an attempt whose order was not written (another try builds
/// a new order, with a new id). A failure only leaves terms that point at no order, which
/// search skips: logged, not raised over the reason the attempt failed.
async fn unindex(ctx: &Ctx, terms: Vec<Write>) {
    let deletes = terms
        .iter()
        .map(|write| Write::Delete {
            key: write.key(),
            cond: None,
        })
        .collect();
    let outcome = match ctx.store.write_each(deletes).await {
        Ok(outcomes) => written(outcomes),
        Err(error) => Err(error.into()),
    };
    if let Err(error) = outcome {
        tracing::warn!(%error, "the search terms of an order not placed were not deleted");
    }
}

/// Appends a write and answers its position.
fn push(writes: &mut Vec<Write>, write: Write) -> usize {
    writes.push(write);
    writes.len() - 1
}

/// The quote of the order `cmd` describes and, when it cannot be quoted and may be a
/// draft, the reasons it is one (an error when it must be placed).
pub(crate) fn price(
    cmd: &CreateOrder,
    pickup: &Stop,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Priced, OrderError> {
    let quoting = quoting::quote(
        cmd.owner.pricing.as_ref(),
        cmd.owner.service_selection,
        cmd.service_id.as_ref(),
        &quoting::shipment(
            cmd.source,
            pickup,
            &cmd.dropoff,
            cmd.weight,
            cmd.pieces.map(Pieces::get),
        ),
        now,
    )?;
    let (quote, draft_reasons) = match quoting {
        Quoting::Unpriced => (None, vec![]),
        Quoting::Quoted(quote) => (Some(quote), vec![]),
        Quoting::Unquotable { reasons, services } => match cmd.draft {
            DraftMode::Never => {
                return Err(quoting::unquotable(
                    cmd.service_id.as_ref(),
                    &reasons,
                    services,
                ))
            }
            DraftMode::Always | DraftMode::WhenUnquotable => {
                (None, quoting::reason_codes(&reasons))
            }
        },
    };
    Ok(Priced {
        quote,
        draft_reasons,
    })
}

/// What pricing decided for a new order.
pub(crate) struct Priced {
    pub quote: Option<crate::domain::pricing::OrderQuote>,
    pub draft_reasons: Vec<String>,
}

/// The new order, quoted (a draft with its reasons when it could not be).
pub(crate) fn priced_order(
    cmd: &CreateOrder,
    pickup: &Stop,
    now: chrono::DateTime<chrono::Utc>,
    priced: &Priced,
) -> Order {
    let mut order = build_order(cmd, pickup, now);
    if !priced.draft_reasons.is_empty() {
        order.status = OrderStatus::Draft;
        order.draft_reasons = priced.draft_reasons.clone();
        order.timeline[0].what = OrderStatus::Draft.as_str().into();
    }
    order.quote = priced.quote.clone();
    order
}

/// The caller's extra writes, then its marker holding the new order's id.
pub(super) fn extra_writes(cmd: &CreateOrder, order: &Order) -> Result<Vec<Write>, OrderError> {
    let mut writes = cmd.extra_writes.clone();
    if let Some(marker) = &cmd.marker {
        writes.push(Write::Put {
            item: to_item(&json!({ "orderId": order.id }), marker, "OrderMarker")?,
            cond: Some(Cond::not_exists(PK)),
        });
    }
    Ok(writes)
}

/// The order and its short-id marker, each written only if new.
pub(super) fn order_writes(order: &Order) -> Result<[Write; 2], OrderError> {
    Ok([
        Write::Put {
            item: order_item(order)?,
            cond: Some(Cond::not_exists(PK)),
        },
        Write::Put {
            item: to_item(
                &json!({ "orderId": order.id }),
                &short_id_marker(order),
                "ShortId",
            )?,
            cond: Some(Cond::not_exists(PK)),
        },
    ])
}

/// Holds when the order's client exists and is not deleted.
/// Counts the order on its client, which must still exist and not be deleted (its deletion
/// revokes its keys; this closes the race). It takes the place of a condition check on the
/// same item, for the same write units.
pub(super) fn client_count(order: &Order) -> Write {
    store::clients::count_orders(
        order.courier_id.as_str(),
        order.client_id.as_str(),
        1,
        Some(Cond::ne("status", ClientStatus::Deleted.as_str())),
    )
}

pub(crate) fn default_pickup(owner: &OrderOwner) -> Result<Stop, OrderError> {
    let location = owner.default_pickup.as_ref().ok_or_else(|| {
        OrderError::field(
            OrderField::Pickup,
            FieldProblem::Missing,
            "the client has no default pickup: send a pickup",
        )
    })?;
    Ok(Stop {
        address: location.address.clone(),
        contact: location.contact.clone(),
        notes: location.notes.clone(),
        window: Default::default(),
        requirements: Default::default(),
    })
}

pub(super) fn build_order(
    cmd: &CreateOrder,
    pickup: &Stop,
    now: chrono::DateTime<chrono::Utc>,
) -> Order {
    let id = format!("ord_{}", next_ulid_at(now));
    let tracking_token = token::tracking_token();
    let at = timestamp(now);
    let team_id = cmd.owner.team_id.clone();
    let task = |kind: TaskKind, stop: &Stop| Task {
        id: order::task_id(&id, kind),
        kind,
        stop: stop.clone(),
        state: TaskState::Unassigned,
        depends_on: (kind == TaskKind::Dropoff).then(|| order::task_id(&id, TaskKind::Pickup)),
        team_id: team_id.clone(),
        driver: None,
        eta: None,
        started_at: None,
        arrived_at: None,
        completed_at: None,
        proof: None,
        failure_reason: None,
        location: None,
    };
    let status = match cmd.draft {
        DraftMode::Always => OrderStatus::Draft,
        DraftMode::Never | DraftMode::WhenUnquotable => OrderStatus::Placed,
    };
    Order {
        short_id: order::new_short_id(),
        courier_id: cmd.owner.courier_id.clone(),
        client_id: cmd.owner.client_id.clone(),
        client_name: cmd.owner.client_name.clone(),
        status,
        pickup: task(TaskKind::Pickup, pickup),
        dropoff: task(TaskKind::Dropoff, &cmd.dropoff),
        weight: cmd.weight,
        pieces: cmd.pieces.map(Pieces::get),
        notes: cmd.notes.as_ref().map(|n| n.to_string()),
        external_id: cmd.external_id.as_ref().map(|e| e.as_str().to_string()),
        source: cmd.source,
        service_id: cmd.service_id.clone(),
        quote: None,
        team_id: team_id.clone(),
        rejection: None,
        rating: None,
        draft_reasons: vec![],
        tracking_url: format!("{}/track/{tracking_token}", cmd.base_url),
        tracking_token,
        timeline: vec![TimelineEntry {
            at: at.clone(),
            what: status.as_str().into(),
            by: cmd.actor.clone(),
            detail: None,
        }],
        version: 1,
        created_at: at.clone(),
        updated_at: at,
        unindexed: false,
        id,
    }
}

/// The first answer to this key, when it was for the same request; another request with
/// the same key is refused.
async fn replay(ctx: &Ctx, idem: Option<&Idempotency>) -> Result<Option<Placed>, OrderError> {
    let Some(idem) = idem else {
        return Ok(None);
    };
    let Some(record) = ctx.store.get(&idem.record).await? else {
        return Ok(None);
    };
    if record.get("requestHash").and_then(Value::as_str) != Some(idem.request_hash.as_str()) {
        return Err(OrderError::field(
            OrderField::IdempotencyKey,
            FieldProblem::Reused,
            "this Idempotency-Key was used for a different request",
        ));
    }
    Ok(Some(Placed::Replayed {
        status: record.get("status").and_then(Value::as_u64).unwrap_or(201) as u16,
        body: record
            .get("response")
            .and_then(Value::as_str)
            .unwrap_or("{}")
            .to_string(),
        order_id: record
            .get("orderId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    }))
}

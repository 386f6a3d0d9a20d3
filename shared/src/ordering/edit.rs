//! Editing an order until its pickup starts, at the version the editor last read: the
//! changes are applied to the order as a value (quoted again for a client with services),
//! then saved once.

use serde::Serialize;
use serde_json::Value;

use super::error::{OrderError, OrderField};
use super::owner::load_client;
use crate::clock::timestamp;
use crate::domain::api_key::Principal;
use crate::domain::ids::ServiceId;
use crate::domain::order::{Order, Stop, TimelineEntry, Window};
use crate::domain::order_fields::{ExternalId, Pieces};
use crate::domain::order_machine::{transition, Event, OrderStatus};
use crate::domain::pricing::{Quoting, Weight};
use crate::domain::text::Notes;
use crate::store::{keys, Cond, Update, Write};
use crate::Ctx;

use super::changes::{actor, save_change, stale, versioned};
use super::quoting;
use super::read::find_order;
use super::search::reindex_writes;

/// What an edit changes; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct OrderChanges {
    pub pickup: Option<Stop>,
    pub dropoff: Option<Stop>,
    pub weight: Option<Option<Weight>>,
    pub pieces: Option<Option<Pieces>>,
    pub notes: Option<Option<Notes>>,
    pub external_id: Option<Option<ExternalId>>,
    pub service_id: Option<Option<ServiceId>>,
}

impl OrderChanges {
    fn apply_to(self, order: &mut Order) {
        if let Some(stop) = self.pickup {
            order.pickup.stop = stop;
        }
        if let Some(stop) = self.dropoff {
            order.dropoff.stop = stop;
        }
        if let Some(weight) = self.weight {
            order.weight = weight;
        }
        if let Some(pieces) = self.pieces {
            order.pieces = pieces.map(Pieces::get);
        }
        if let Some(notes) = self.notes {
            order.notes = notes.map(String::from);
        }
        if let Some(external) = self.external_id {
            order.external_id = external.map(String::from);
        }
        if let Some(service_id) = self.service_id {
            order.service_id = service_id;
        }
    }
}

#[derive(Debug, Clone)]
pub struct EditOrder {
    pub by: Principal,
    /// An order id or short id.
    pub order_id: String,
    /// The version the editor read.
    pub version: u64,
    pub changes: OrderChanges,
}

/// A window must end after it starts; `field` names its end in the error.
pub fn check_window(window: &Window, field: OrderField) -> Result<(), OrderError> {
    if let (Some(after), Some(before)) = (window.complete_after, window.complete_before) {
        if after >= before {
            return Err(OrderError::invalid(
                field,
                "must be later than completeAfter",
            ));
        }
    }
    Ok(())
}

pub async fn edit_order(ctx: &Ctx, cmd: EditOrder) -> Result<Order, OrderError> {
    let EditOrder {
        by: who,
        order_id,
        version,
        changes,
    } = cmd;
    if let Some(stop) = &changes.pickup {
        check_window(&stop.window, OrderField::PickupWindowEnd)?;
    }
    if let Some(stop) = &changes.dropoff {
        check_window(&stop.window, OrderField::DropoffWindowEnd)?;
    }
    let order = find_order(ctx, &who, &order_id).await?;
    if order.version != version {
        return Err(stale(order.version));
    }
    transition(order.state(), Event::Edit).map_err(|e| OrderError::NotAllowed(e.to_string()))?;
    let mut edited = order.clone();
    changes.apply_to(&mut edited);
    if who.has_services || edited.service_id.is_some() {
        requote(ctx, &who, &mut edited).await?;
    }
    let entry = TimelineEntry {
        at: timestamp(ctx.now()),
        what: "edited".into(),
        by: actor(&who),
        detail: None,
    };
    save_edit(ctx, &order, edited, entry).await
}

/// Quotes an edited order again (clients with services): a draft takes the new quote or
/// the reasons it has none; a placed order that can no longer be quoted is not changed (422).
async fn requote(ctx: &Ctx, who: &Principal, edited: &mut Order) -> Result<(), OrderError> {
    let (pricing, rule) = if who.has_services {
        let client = load_client(ctx, &who.courier_id, edited.client_id.as_str()).await?;
        (client.pricing, client.service_selection)
    } else {
        (None, Default::default())
    };
    let shipment = quoting::shipment(
        edited.source,
        &edited.pickup.stop,
        &edited.dropoff.stop,
        edited.weight,
        edited.pieces,
    );
    let quoting = quoting::quote(
        pricing.as_ref(),
        rule,
        edited.service_id.as_ref(),
        &shipment,
        ctx.now(),
    )?;
    match quoting {
        Quoting::Unpriced => {}
        Quoting::Quoted(quote) => {
            edited.quote = Some(quote);
            edited.draft_reasons.clear();
        }
        Quoting::Unquotable { reasons, services } => {
            if edited.status != OrderStatus::Draft {
                return Err(quoting::unquotable(
                    edited.service_id.as_ref(),
                    &reasons,
                    services,
                ));
            }
            edited.quote = None;
            edited.draft_reasons = quoting::reason_codes(&reasons);
        }
    }
    Ok(())
}

/// The attribute as stored, or nothing to remove it.
fn attr<T: Serialize>(value: &Option<T>) -> Option<Value> {
    value
        .as_ref()
        .map(|v| serde_json::to_value(v).unwrap_or_default())
}

/// Saves the edited order once, at the version read: every field an edit can change
/// (whole tasks: they carry dispatch fields the edit keeps as they were), and, when its
/// search terms change, the stale and new terms in the same transaction.
async fn save_edit(
    ctx: &Ctx,
    order: &Order,
    mut edited: Order,
    entry: TimelineEntry,
) -> Result<Order, OrderError> {
    let reasons = (!edited.draft_reasons.is_empty()).then(|| edited.draft_reasons.clone());
    let update = Update::new()
        .set(
            "pickup",
            serde_json::to_value(&edited.pickup).unwrap_or_default(),
        )
        .set(
            "dropoff",
            serde_json::to_value(&edited.dropoff).unwrap_or_default(),
        )
        .set_or_remove("weight", edited.weight.map(|w| Value::from(w.kg())))
        .set_or_remove("pieces", attr(&edited.pieces))
        .set_or_remove("notes", attr(&edited.notes))
        .set_or_remove("externalId", attr(&edited.external_id))
        .set_or_remove("serviceId", attr(&edited.service_id))
        .set_or_remove("quote", attr(&edited.quote))
        .set_or_remove("draftReasons", attr(&reasons));
    // An imported draft's terms are written when it is placed, from its fields then.
    let reindex = if order.unindexed {
        vec![]
    } else {
        reindex_writes(order, &edited)?
    };
    if reindex.is_empty() {
        return save_change(ctx, order, update, entry).await;
    }
    let order_write = Write::Update {
        key: keys::order(order.courier_id.as_str(), &order.id),
        update: versioned(update, &entry),
        cond: Some(Cond::eq("version", order.version)),
    };
    let mut writes = vec![order_write];
    writes.extend(reindex);
    const ORDER_WRITE: usize = 0;
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(ORDER_WRITE) || e.is_conflict() {
            stale(order.version + 1)
        } else {
            e.into()
        }
    })?;
    edited.version += 1;
    edited.updated_at = entry.at.clone();
    edited.timeline.push(entry);
    Ok(edited)
}

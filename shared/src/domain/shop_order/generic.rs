//! The generic format: the body of `POST /v1/orders` (pickup optional: the client's
//! default pickup), signed per Standard Webhooks. Topic `order.created` (the default when
//! the sender names none in `webhook-type`).

use serde::Deserialize;
use serde_json::Value;

use super::event::{Incoming, ShopEvent, ShopOrder};
use crate::domain::ids::ServiceId;
use crate::domain::order::Stop;
use crate::domain::text::Notes;

pub const TOPIC: &str = "order.created";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GenericOrder {
    #[serde(default)]
    pickup: Option<Stop>,
    dropoff: Stop,
    #[serde(default)]
    weight: Option<Value>,
    #[serde(default)]
    pieces: Option<u32>,
    #[serde(default)]
    notes: Option<Notes>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    service_id: Option<ServiceId>,
    #[serde(default)]
    draft: bool,
}

pub fn map(incoming: &Incoming<'_>) -> ShopEvent {
    if incoming.topic != TOPIC {
        return ShopEvent::Ignore(vec![format!("unsupported_topic: {}", incoming.topic)]);
    }
    let body = incoming.body.to_string();
    let order: GenericOrder = match crate::domain::json::read_object(body.as_bytes()) {
        Ok(order) => order,
        // A field error reads `dropoff.address.line1: must not be empty`.
        Err(e) => return ShopEvent::Unreadable(vec![e.to_string()]),
    };
    let external_id = order
        .external_id
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    ShopEvent::Create(Box::new(ShopOrder {
        // The sender's own order id keeps one order per external id.
        platform_order_id: external_id.clone(),
        external_id,
        pickup: order.pickup,
        dropoff: order.dropoff,
        pieces: order.pieces,
        weight_grams: None,
        weight: order.weight,
        notes: order.notes.map(String::from),
        service_id: order.service_id,
        draft: order.draft,
        reasons: vec![],
    }))
}

//! WooCommerce webhooks: `order.created` and `order.updated` (REST v3 order resource).

use serde_json::Value;

use super::event::{Incoming, ShopEvent, ShopOrder};
use super::parts::{notes, text, window_from, DropoffParts};

/// Shipping methods that mean the customer collects the order.
const PICKUP_METHODS: &[&str] = &["local_pickup", "pickup_location", "local_pickup_plus"];

pub fn map(incoming: &Incoming<'_>) -> ShopEvent {
    let body = incoming.body;
    match incoming.topic {
        "order.created" => create(body, incoming.default_piece_grams),
        "order.updated" if body["status"].as_str() == Some("cancelled") => match text(body, "id") {
            Some(id) => ShopEvent::Cancel {
                platform_order_id: id,
            },
            None => ShopEvent::Unreadable(vec!["id: the order has no id".into()]),
        },
        "order.updated" => ShopEvent::Ignore(vec![format!(
            "unsupported_update: status {}",
            text(body, "status").unwrap_or_default()
        )]),
        other => ShopEvent::Ignore(vec![format!("unsupported_topic: {other}")]),
    }
}

fn create(body: &Value, default_piece_grams: Option<u64>) -> ShopEvent {
    let Some(platform_order_id) = text(body, "id") else {
        return ShopEvent::Unreadable(vec!["id: the order has no id".into()]);
    };
    // The order resource gives no weight and no shipping flag per line.
    let pieces: u64 = body["line_items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["quantity"].as_u64())
        .sum();
    if pieces == 0 {
        return ShopEvent::Ignore(vec!["nothing_to_ship: the order has no items".into()]);
    }
    if let Some(method) = body["shipping_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| text(l, "method_id"))
        .find(|m| PICKUP_METHODS.contains(&m.as_str()))
    {
        return ShopEvent::Ignore(vec![format!("local_pickup: shipping method {method}")]);
    }
    let shipping = &body["shipping"];
    let billing = &body["billing"];
    if text(shipping, "address_1").is_none() {
        return ShopEvent::Ignore(vec!["nothing_to_ship: no shipping address".into()]);
    }
    let mut reasons = vec![];
    let meta: Vec<(String, String)> = body["meta_data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| Some((text(m, "key")?, text(m, "value")?)))
        .collect();
    let name = [text(shipping, "first_name"), text(shipping, "last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let dropoff = DropoffParts {
        line1: text(shipping, "address_1"),
        line2: text(shipping, "address_2"),
        city: text(shipping, "city"),
        state: text(shipping, "state"),
        postal_code: text(shipping, "postcode"),
        country: text(shipping, "country"),
        lat: None,
        lng: None,
        name: Some(name)
            .filter(|n| !n.is_empty())
            .or_else(|| text(shipping, "company")),
        phones: vec![text(shipping, "phone"), text(billing, "phone")],
        emails: vec![text(billing, "email")],
        window: window_from(&meta, &mut reasons),
    };
    let dropoff = match dropoff.into_stop(&mut reasons) {
        Ok(stop) => stop,
        Err(why) => return ShopEvent::Unreadable(why),
    };
    ShopEvent::Create(Box::new(ShopOrder {
        external_id: text(body, "number").or_else(|| Some(platform_order_id.clone())),
        platform_order_id: Some(platform_order_id),
        pickup: None,
        dropoff,
        pieces: u32::try_from(pieces).ok(),
        weight_grams: default_piece_grams.map(|g| g * pieces),
        weight: None,
        notes: notes(text(body, "customer_note")),
        service_id: None,
        draft: false,
        reasons,
    }))
}

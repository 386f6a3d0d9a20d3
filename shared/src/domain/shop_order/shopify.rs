//! Shopify webhooks: `orders/create` (REST order resource) and `orders/cancelled`.

use serde_json::Value;

use super::event::{Incoming, ShopEvent, ShopOrder};
use super::parts::{notes, text, window_from, DropoffParts};

pub fn map(incoming: &Incoming<'_>) -> ShopEvent {
    let body = incoming.body;
    match incoming.topic {
        "orders/create" => create(body, incoming.default_piece_grams),
        "orders/cancelled" => match text(body, "id") {
            Some(id) => ShopEvent::Cancel {
                platform_order_id: id,
            },
            None => ShopEvent::Unreadable(vec!["id: the order has no id".into()]),
        },
        other => ShopEvent::Ignore(vec![format!("unsupported_topic: {other}")]),
    }
}

fn create(body: &Value, default_piece_grams: Option<u64>) -> ShopEvent {
    let Some(platform_order_id) = text(body, "id") else {
        return ShopEvent::Unreadable(vec!["id: the order has no id".into()]);
    };
    let lines: Vec<&Value> = body["line_items"]
        .as_array()
        .map(|l| l.iter().collect())
        .unwrap_or_default();
    // Lines without `requires_shipping` are shipped (the field is always sent).
    let shipped: Vec<(u64, u64)> = lines
        .iter()
        .filter(|l| l["requires_shipping"].as_bool() != Some(false))
        .map(|l| {
            (
                l["quantity"].as_u64().unwrap_or(0),
                l["grams"].as_u64().unwrap_or(0),
            )
        })
        .filter(|(quantity, _)| *quantity > 0)
        .collect();
    let pieces: u64 = shipped.iter().map(|(q, _)| q).sum();
    if pieces == 0 {
        return ShopEvent::Ignore(vec!["nothing_to_ship: no line requires shipping".into()]);
    }
    if let Some(line) = body["shipping_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| is_local_pickup(l))
    {
        return ShopEvent::Ignore(vec![format!(
            "local_pickup: shipping line {:?}",
            text(line, "title").unwrap_or_default()
        )]);
    }
    let shipping = &body["shipping_address"];
    if !shipping.is_object() {
        return ShopEvent::Ignore(vec!["nothing_to_ship: no shipping address".into()]);
    }
    // Line grams × quantity; `total_weight` can be 0 while lines weigh something.
    let line_grams: u64 = shipped.iter().map(|(q, g)| q * g).sum();
    let weight_grams = Some(line_grams)
        .filter(|g| *g > 0)
        .or_else(|| body["total_weight"].as_u64().filter(|g| *g > 0))
        .or_else(|| default_piece_grams.map(|g| g * pieces));
    let mut reasons = vec![];
    let attributes: Vec<(String, String)> = body["note_attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| Some((text(a, "name")?, text(a, "value")?)))
        .collect();
    let customer = &body["customer"];
    let name = text(shipping, "name")
        .or_else(|| full_name(shipping))
        .or_else(|| full_name(customer));
    let dropoff = DropoffParts {
        line1: text(shipping, "address1"),
        line2: text(shipping, "address2"),
        city: text(shipping, "city"),
        state: text(shipping, "province_code").or_else(|| text(shipping, "province")),
        postal_code: text(shipping, "zip"),
        country: text(shipping, "country_code"),
        lat: shipping["latitude"].as_f64(),
        lng: shipping["longitude"].as_f64(),
        name,
        phones: vec![
            text(shipping, "phone"),
            text(body, "phone"),
            text(customer, "phone"),
            text(&body["billing_address"], "phone"),
        ],
        emails: vec![
            text(body, "email"),
            text(body, "contact_email"),
            text(customer, "email"),
        ],
        window: window_from(&attributes, &mut reasons),
    };
    let dropoff = match dropoff.into_stop(&mut reasons) {
        Ok(stop) => stop,
        Err(why) => return ShopEvent::Unreadable(why),
    };
    ShopEvent::Create(Box::new(ShopOrder {
        external_id: text(body, "name").or_else(|| text(body, "order_number")),
        platform_order_id: Some(platform_order_id),
        pickup: None,
        dropoff,
        pieces: u32::try_from(pieces).ok(),
        weight_grams,
        weight: None,
        notes: notes(text(body, "note")),
        service_id: None,
        draft: false,
        reasons,
    }))
}

fn full_name(person: &Value) -> Option<String> {
    let name = [text(person, "first_name"), text(person, "last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// Shopify local pickup: the line's delivery category, or a pickup code or title.
fn is_local_pickup(line: &Value) -> bool {
    let pickup = |v: Option<String>| {
        v.map(|v| v.to_lowercase().replace(['-', ' ', '_'], ""))
            .is_some_and(|v| v.contains("pickup"))
    };
    pickup(text(line, "delivery_category"))
        || pickup(text(line, "code"))
        || pickup(text(line, "title"))
}

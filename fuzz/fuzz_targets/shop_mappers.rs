//! A shop's webhook body as the inbox maps it: the first byte picks the platform (Shopify,
//! WooCommerce, generic) and the topic, the next two the integration's default weight per
//! piece, the rest is the body (JSON, read as processing reads it). A mapped order's values
//! are then checked as `integrations::webhook::place` checks them before creating the order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal::domain::integration::Platform;
use portal::domain::order_fields::{ExternalId, Pieces};
use portal::domain::pricing::Weight;
use portal::domain::shop_order::{self, generic, Incoming, ShopEvent};
use portal::domain::text::Notes;
use serde_json::Value;

#[global_allocator]
static ALLOCATOR: portal_fuzz::Capped = portal_fuzz::Capped;

const TOPICS: [(Platform, &str); 8] = [
    (Platform::Shopify, "orders/create"),
    (Platform::Shopify, "orders/cancelled"),
    (Platform::Shopify, "orders/updated"),
    (Platform::Woocommerce, "order.created"),
    (Platform::Woocommerce, "order.updated"),
    (Platform::Woocommerce, "order.deleted"),
    (Platform::Generic, generic::TOPIC),
    (Platform::Generic, "order.cancelled"),
];

fuzz_target!(|data: &[u8]| {
    let [selector, w0, w1, body @ ..] = data else {
        return;
    };
    let (platform, topic) = TOPICS[*selector as usize % TOPICS.len()];
    let default_piece_grams = match u16::from_le_bytes([*w0, *w1]) {
        0 => None,
        grams => Some(u64::from(grams)),
    };
    // Processing maps what parses as JSON; anything else is unreadable before the mapper.
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let event = shop_order::map(&Incoming {
        platform,
        topic,
        body: &body,
        default_piece_grams,
    });
    match event {
        ShopEvent::Create(order) => {
            if let Some(grams) = order.weight_grams {
                let _ = Weight::from_grams(grams);
            } else if let Some(value) = order.weight {
                let _ = serde_json::from_value::<Weight>(value);
            }
            if let Some(pieces) = order.pieces {
                let _ = Pieces::try_from(pieces);
            }
            if let Some(notes) = &order.notes {
                let _ = Notes::parse(notes);
            }
            if let Some(external_id) = &order.external_id {
                let _ = ExternalId::parse(external_id);
            }
            let _ = serde_json::to_string(&order.dropoff);
        }
        ShopEvent::Cancel { platform_order_id } => {
            assert!(!platform_order_id.is_empty(), "a cancel names its order")
        }
        ShopEvent::Ignore(reasons) | ShopEvent::Unreadable(reasons) => {
            assert!(!reasons.is_empty(), "an ignored delivery says why")
        }
    }
});

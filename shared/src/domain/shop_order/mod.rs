//! Orders as shops send them: Shopify `orders/create` / `orders/cancelled`, WooCommerce
//! `order.created` / `order.updated`, and the generic body (that of `POST /v1/orders`,
//! pickup optional), mapped to what the portal does with them. Pure: no store, no clock.

pub mod contact;
pub mod event;
pub mod generic;
pub mod parts;
pub mod shopify;
pub mod woocommerce;

use super::integration::Platform;
pub use event::{Incoming, ShopEvent, ShopOrder};

pub fn map(incoming: &Incoming<'_>) -> ShopEvent {
    match incoming.platform {
        Platform::Shopify => shopify::map(incoming),
        Platform::Woocommerce => woocommerce::map(incoming),
        Platform::Generic => generic::map(incoming),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn map_json(platform: Platform, topic: &str, body: Value, piece: Option<u64>) -> ShopEvent {
        map(&Incoming {
            platform,
            topic,
            body: &body,
            default_piece_grams: piece,
        })
    }

    fn shopify(extra: Value) -> Value {
        let mut order = json!({
            "id": 1, "name": "#1", "total_weight": 0,
            "line_items": [{"quantity": 3, "grams": 0, "requires_shipping": true},
                           {"quantity": 5, "grams": 100, "requires_shipping": false}],
            "shipping_address": {"name": "Ana Lima", "address1": "9 Rue de la Paix", "city": "Paris", "country_code": "FR"}
        });
        for (k, v) in extra.as_object().unwrap() {
            order[k] = v.clone();
        }
        order
    }

    fn created(event: ShopEvent) -> ShopOrder {
        match event {
            ShopEvent::Create(order) => *order,
            other => panic!("not an order: {other:?}"),
        }
    }

    #[test]
    fn shopify_weight_prefers_lines_then_total_then_the_default() {
        // Unshipped lines count for nothing; 0 g lines fall back to total_weight…
        let order = created(map_json(
            Platform::Shopify,
            "orders/create",
            shopify(json!({"total_weight": 1200})),
            Some(500),
        ));
        assert_eq!((order.pieces, order.weight_grams), (Some(3), Some(1200)));
        // …then to pieces × the integration's default, else no weight.
        let order = created(map_json(
            Platform::Shopify,
            "orders/create",
            shopify(json!({})),
            Some(500),
        ));
        assert_eq!(order.weight_grams, Some(1500));
        let order = created(map_json(
            Platform::Shopify,
            "orders/create",
            shopify(json!({})),
            None,
        ));
        assert_eq!(order.weight_grams, None);
        assert_eq!(order.external_id.as_deref(), Some("#1"));
    }

    #[test]
    fn what_cannot_be_delivered_is_ignored_with_its_reason() {
        let reason = |event: ShopEvent| match event {
            ShopEvent::Ignore(reasons) => reasons[0].split(':').next().unwrap().to_string(),
            other => panic!("not ignored: {other:?}"),
        };
        let no_address = shopify(json!({"shipping_address": null}));
        assert_eq!(
            reason(map_json(
                Platform::Shopify,
                "orders/create",
                no_address,
                None
            )),
            "nothing_to_ship"
        );
        let pickup =
            shopify(json!({"shipping_lines": [{"title": "Pick up in store", "code": null}]}));
        assert_eq!(
            reason(map_json(Platform::Shopify, "orders/create", pickup, None)),
            "local_pickup"
        );
        let woo = json!({"id": 9, "line_items": [{"quantity": 1}], "shipping_lines": [{"method_id": "local_pickup"}],
                         "shipping": {"address_1": "1 Main St"}});
        assert_eq!(
            reason(map_json(Platform::Woocommerce, "order.created", woo, None)),
            "local_pickup"
        );
        assert_eq!(
            reason(map_json(
                Platform::Woocommerce,
                "coupon.created",
                json!({}),
                None
            )),
            "unsupported_topic"
        );
        let processing = json!({"id": 9, "status": "processing"});
        assert_eq!(
            reason(map_json(
                Platform::Woocommerce,
                "order.updated",
                processing,
                None
            )),
            "unsupported_update"
        );
    }

    #[test]
    fn a_dropoff_window_comes_from_the_order_attributes() {
        let window = |start: &str, end: &str| {
            created(map_json(
                Platform::Shopify,
                "orders/create",
                shopify(json!({"note_attributes": [
                    {"name": "delivery_window_start", "value": start},
                    {"name": "delivery_window_end", "value": end}]})),
                None,
            ))
        };
        let order = window("2026-12-02T09:00:00+01:00", "2026-12-02T12:00:00+01:00");
        assert!(order.dropoff.window.complete_after.is_some() && order.reasons.is_empty());
        // The end before the start (in another offset): no window, and the inbox says why.
        let order = window("2026-12-02T12:00:00+01:00", "2026-12-02T10:00:00+00:00");
        assert_eq!(order.dropoff.window, Default::default());
        assert!(order.reasons[0].starts_with("window_invalid"));
    }

    #[test]
    fn cancellations_name_the_platform_order() {
        assert_eq!(
            map_json(
                Platform::Shopify,
                "orders/cancelled",
                json!({"id": 42}),
                None
            ),
            ShopEvent::Cancel {
                platform_order_id: "42".into()
            }
        );
        assert_eq!(
            map_json(
                Platform::Woocommerce,
                "order.updated",
                json!({"id": 7, "status": "cancelled"}),
                None
            ),
            ShopEvent::Cancel {
                platform_order_id: "7".into()
            }
        );
    }
}

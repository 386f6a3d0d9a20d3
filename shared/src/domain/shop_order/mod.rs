//! Orders as shops send them: Shopify `orders/create` / `orders/cancelled`, WooCommerce
//! `order.created` / `order.updated`, and the generic body (that of `POST /v1/orders`,
//! pickup optional), mapped to what the portal does with them. Pure: no store, no clock.

pub mod contact;
pub mod generic;
pub mod shopify;
pub mod woocommerce;

use serde_json::{json, Value};

use super::integration::Platform;
use super::order::Stop;

/// What a delivery asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum ShopEvent {
    /// A new order to place (or draft).
    Create(Box<ShopOrder>),
    /// The platform order was cancelled: withdraw the order made from it.
    Cancel { platform_order_id: String },
    /// Nothing to do, and why (`nothing_to_ship`, `local_pickup`, `unsupported_topic`…).
    Ignore(Vec<String>),
    /// The body is not an order of this platform, and why.
    Unreadable(Vec<String>),
}

/// A shop's order, mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopOrder {
    /// The platform's id of the order: one platform order never makes two orders.
    pub platform_order_id: Option<String>,
    /// The shop's order name or number (`#1001`, `727`).
    pub external_id: Option<String>,
    /// The generic body may name a pickup; shops never do (the client's default pickup).
    pub pickup: Option<Stop>,
    pub dropoff: Stop,
    pub pieces: Option<u32>,
    pub weight_grams: Option<u64>,
    /// A weight as the generic body gives it (kg, or `{"value", "units"}`).
    pub weight: Option<Value>,
    pub notes: Option<String>,
    /// The service the generic body asks for (else the client's rule picks).
    pub service_id: Option<crate::domain::ids::ServiceId>,
    /// The generic body's `draft: true`.
    pub draft: bool,
    /// What the inbox says about the mapping (a phone that is not a number…).
    pub reasons: Vec<String>,
}

/// A delivery as the mapping reads it.
pub struct Incoming<'a> {
    pub platform: Platform,
    pub topic: &'a str,
    pub body: &'a Value,
    /// The integration's default weight per piece, for platforms that send no weight.
    pub default_piece_grams: Option<u64>,
}

pub fn map(incoming: &Incoming<'_>) -> ShopEvent {
    match incoming.platform {
        Platform::Shopify => shopify::map(incoming),
        Platform::Woocommerce => woocommerce::map(incoming),
        Platform::Generic => generic::map(incoming),
    }
}

/// A shop address and contact as one dropoff (validated like every stop).
pub(crate) struct DropoffParts {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub name: Option<String>,
    pub phones: Vec<Option<String>>,
    pub emails: Vec<Option<String>>,
    pub window: Option<Value>,
}

impl DropoffParts {
    /// The stop, and the reasons the inbox records (an unusable phone or email is left out).
    pub fn into_stop(self, reasons: &mut Vec<String>) -> Result<Stop, Vec<String>> {
        let country = self.country.clone();
        let mut contact = serde_json::Map::new();
        if let Some(name) = self.name.filter(|n| !n.trim().is_empty()) {
            contact.insert("name".into(), name.into());
            match contact::first_phone(&self.phones, country.as_deref()) {
                Ok(Some(phone)) => {
                    contact.insert("phone".into(), phone.as_str().into());
                }
                Ok(None) => {}
                Err(why) => reasons.push(why),
            }
            match contact::first_email(&self.emails) {
                Ok(Some(email)) => {
                    contact.insert("email".into(), email.as_str().into());
                }
                Ok(None) => {}
                Err(why) => reasons.push(why),
            }
        }
        let mut address = serde_json::Map::new();
        for (field, value) in [
            ("line1", self.line1),
            ("line2", self.line2),
            ("city", self.city),
            ("state", self.state),
            ("postalCode", self.postal_code),
            ("country", self.country),
        ] {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                address.insert(field.into(), v.into());
            }
        }
        if let (Some(lat), Some(lng)) = (self.lat, self.lng) {
            address.insert("lat".into(), lat.into());
            address.insert("lng".into(), lng.into());
        }
        let mut stop = json!({ "address": address });
        if !contact.is_empty() {
            stop["contact"] = Value::Object(contact);
        }
        if let Some(window) = self.window {
            stop["window"] = window;
        }
        parse_stop(stop, "dropoff")
    }
}

/// A stop from JSON, with the path of what is wrong.
pub(crate) fn parse_stop(value: Value, at: &str) -> Result<Stop, Vec<String>> {
    serde_path_to_error::deserialize::<_, Stop>(value).map_err(|e| {
        let path = e.path().to_string();
        vec![format!("{at}.{path}: {}", e.into_inner())]
    })
}

/// A string field (numbers as their text).
pub(crate) fn text(value: &Value, field: &str) -> Option<String> {
    match value.get(field)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A dropoff window from a shop's custom attributes (`delivery_window_start`,
/// `delivery_window_end`: ISO 8601 with an offset), when the shop sends one.
pub(crate) fn window_from(pairs: &[(String, String)], reasons: &mut Vec<String>) -> Option<Value> {
    let find = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
    };
    let (after, before) = (find("delivery_window_start"), find("delivery_window_end"));
    if after.is_none() && before.is_none() {
        return None;
    }
    let parse = |v: &Option<String>| match v {
        None => Ok(None),
        Some(v) => chrono::DateTime::parse_from_rfc3339(v).map(Some),
    };
    match (parse(&after), parse(&before)) {
        (Ok(a), Ok(b)) if !matches!((a, b), (Some(a), Some(b)) if a >= b) => {
            let mut window = serde_json::Map::new();
            if let Some(a) = a {
                window.insert("completeAfter".into(), a.to_rfc3339().into());
            }
            if let Some(b) = b {
                window.insert("completeBefore".into(), b.to_rfc3339().into());
            }
            Some(Value::Object(window))
        }
        _ => {
            reasons.push("window_invalid: delivery_window_start and delivery_window_end must be ISO 8601 times with an offset, the start before the end".into());
            None
        }
    }
}

/// Notes cut to what an order keeps.
pub(crate) fn notes(raw: Option<String>) -> Option<String> {
    raw.map(|n| n.chars().take(2000).collect::<String>())
        .filter(|n| !n.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

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

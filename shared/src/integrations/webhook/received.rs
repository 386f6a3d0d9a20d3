//! A delivery as received: the headers processing reads (kept for replay), the raw body,
//! and what makes a redelivery the same delivery.

use bytes::Bytes;
use serde_json::Value;

use crate::clock::timestamp;
use crate::domain::integration::delivery::new_delivery_id;
use crate::domain::integration::{Delivery, Integration, Outcome, Platform, SignatureCheck};
use crate::domain::shop_order::generic;
use crate::domain::token;
use crate::Ctx;

/// The largest body the inbox keeps for replay (a DynamoDB item holds at most 400 KB).
pub const MAX_KEPT_BODY: usize = 256 * 1024;
/// How long deliveries and their markers stay (platforms redeliver for days, not months).
const DELIVERY_TTL_DAYS: i64 = 90;

/// The headers processing reads, kept with the delivery for replay (lower-case).
pub const KEPT_HEADERS: &[&str] = &[
    "x-shopify-topic",
    "x-shopify-webhook-id",
    "x-shopify-shop-domain",
    "x-shopify-event-id",
    "x-shopify-triggered-at",
    "x-wc-webhook-topic",
    "x-wc-webhook-source",
    "x-wc-webhook-id",
    "x-wc-webhook-delivery-id",
    "webhook-id",
    "webhook-timestamp",
    "webhook-type",
];

/// A delivery as received: what processing reads (kept for replay).
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Received {
    /// The delivery of a request: its [`KEPT_HEADERS`] (as `header` finds them) and body.
    pub fn new<'a>(header: impl Fn(&str) -> Option<&'a str>, body: Bytes) -> Self {
        let headers = KEPT_HEADERS
            .iter()
            .filter_map(|name| Some((name.to_string(), header(name)?.trim().to_string())))
            .collect();
        Self { headers, body }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub(super) fn topic(&self, platform: Platform) -> Option<&str> {
        match platform {
            Platform::Shopify => self.header("x-shopify-topic"),
            Platform::Woocommerce => self.header("x-wc-webhook-topic"),
            Platform::Generic => Some(self.header("webhook-type").unwrap_or(generic::TOPIC)),
        }
    }

    fn platform_delivery_id(&self, platform: Platform) -> Option<&str> {
        match platform {
            Platform::Shopify => self.header("x-shopify-webhook-id"),
            Platform::Woocommerce => self.header("x-wc-webhook-delivery-id"),
            Platform::Generic => self.header("webhook-id"),
        }
    }

    /// What makes a redelivery the same delivery: Shopify's `X-Shopify-Webhook-Id`, the
    /// generic `webhook-id`; WooCommerce's delivery id changes every second, so its source,
    /// order, topic and modification time.
    pub(super) fn dedupe_hash(&self, platform: Platform, body: Option<&Value>) -> Option<String> {
        let key = match platform {
            Platform::Shopify => format!("shopify\n{}", self.header("x-shopify-webhook-id")?),
            Platform::Generic => format!("generic\n{}", self.header("webhook-id")?),
            Platform::Woocommerce => {
                let body = body?;
                format!(
                    "woocommerce\n{}\n{}\n{}\n{}",
                    self.header("x-wc-webhook-source").unwrap_or_default(),
                    shop_order_text(body, "id")?,
                    self.header("x-wc-webhook-topic").unwrap_or_default(),
                    shop_order_text(body, "date_modified_gmt").unwrap_or_default(),
                )
            }
        };
        Some(token::hash(&key))
    }

    /// A new inbox record for this delivery (signature valid, outcome to be decided).
    pub fn delivery(&self, ctx: &Ctx, integration: &Integration) -> Delivery {
        let now = ctx.now();
        let kept = self.body.len() <= MAX_KEPT_BODY;
        Delivery {
            id: new_delivery_id(now),
            integration_id: integration.id.clone(),
            courier_id: integration.courier_id.clone(),
            client_id: integration.client_id.clone(),
            received_at: timestamp(now),
            platform: integration.platform,
            topic: self.topic(integration.platform).map(str::to_string),
            delivery_id: self
                .platform_delivery_id(integration.platform)
                .map(str::to_string),
            signature: SignatureCheck::Valid,
            outcome: Outcome::Failed,
            reasons: vec![],
            order_id: None,
            replay_of: None,
            headers: self.headers.clone(),
            body: kept.then(|| String::from_utf8_lossy(&self.body).into_owned()),
            body_bytes: Some(self.body.len()),
            ttl: (now + chrono::Duration::days(DELIVERY_TTL_DAYS)).timestamp(),
        }
    }
}

fn shop_order_text(body: &Value, field: &str) -> Option<String> {
    match body.get(field)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

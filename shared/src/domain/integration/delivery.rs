//! One webhook delivery, as the integration inbox records it.

use serde::{Deserialize, Serialize};

use super::{Platform, SignatureCheck};
use crate::domain::ids::{ClientId, CourierId};

/// What became of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An order was placed.
    Created,
    /// An order was saved as a draft (it could not be quoted), with its reasons.
    Drafted,
    /// A redelivery, or another delivery of a platform order already handled.
    Duplicate,
    /// Nothing to do (nothing to ship, local pickup, a topic the portal does not handle).
    Ignored,
    /// Integrations are off for the client, or the integration is deleted.
    Refused,
    RejectedSignature,
    /// The body could not be turned into an order; the reasons say why.
    Failed,
    /// A cancellation withdrew the order.
    Withdrawn,
    /// A cancellation came for an order that can no longer be withdrawn (the courier
    /// scheduled it): the courier and client see it here.
    Flagged,
}

impl Outcome {
    pub const ALL: [Outcome; 9] = [
        Outcome::Created,
        Outcome::Drafted,
        Outcome::Duplicate,
        Outcome::Ignored,
        Outcome::Refused,
        Outcome::RejectedSignature,
        Outcome::Failed,
        Outcome::Withdrawn,
        Outcome::Flagged,
    ];

    /// As the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Drafted => "drafted",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
            Outcome::Refused => "refused",
            Outcome::RejectedSignature => "rejected_signature",
            Outcome::Failed => "failed",
            Outcome::Withdrawn => "withdrawn",
            Outcome::Flagged => "flagged",
        }
    }
}

/// Delivery ids: `dlv_` + ULID (newest first in the inbox).
pub fn new_delivery_id(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("dlv_{}", crate::domain::ids::next_ulid_at(at))
}

pub fn parse_delivery_id(raw: &str) -> Option<&str> {
    let ulid = raw.strip_prefix("dlv_")?;
    ulid::Ulid::from_string(ulid).ok()?;
    Some(raw)
}

/// A delivery as stored (`INTEGRATION#<id>` / `DELIVERY#<id>`), with its raw body for replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: String,
    pub integration_id: String,
    pub courier_id: CourierId,
    pub client_id: ClientId,
    pub received_at: String,
    pub platform: Platform,
    /// `orders/create`, `order.created`, … (`ping` for WooCommerce's ping).
    pub topic: Option<String>,
    /// The platform's id of the delivery (`X-Shopify-Webhook-Id`, `X-WC-Webhook-Delivery-ID`,
    /// `webhook-id`).
    pub delivery_id: Option<String>,
    pub signature: SignatureCheck,
    pub outcome: Outcome,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The delivery this one replays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<String>,
    /// The headers the processing reads (lower-case names), for replay.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The raw body as received (UTF-8), absent when it was too large to keep or its
    /// signature failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body's size in bytes as received (kept or not; absent on records written
    /// before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_bytes: Option<usize>,
    /// When DynamoDB's TTL removes it.
    pub ttl: i64,
}

impl Delivery {
    pub fn view(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "id": self.id,
            "integrationId": self.integration_id,
            "receivedAt": self.received_at,
            "platform": self.platform,
            "topic": self.topic,
            "deliveryId": self.delivery_id,
            "signature": self.signature,
            "outcome": self.outcome,
            "reasons": self.reasons,
            "orderId": self.order_id,
            "bodyBytes": self.body_bytes.or(self.body.as_ref().map(String::len)),
            "bodyKept": self.body.is_some(),
        });
        if let Some(original) = &self.replay_of {
            value["replayOf"] = original.as_str().into();
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::integration::IntegrationStatus;

    #[test]
    fn names_are_the_serialized_ones() {
        for outcome in Outcome::ALL {
            assert_eq!(serde_json::json!(outcome), outcome.as_str());
        }
        for check in [
            SignatureCheck::Valid,
            SignatureCheck::Invalid,
            SignatureCheck::Missing,
        ] {
            assert_eq!(serde_json::json!(check), check.as_str());
        }
        for status in [IntegrationStatus::Active, IntegrationStatus::Deleted] {
            assert_eq!(serde_json::json!(status), status.as_str());
        }
    }
}

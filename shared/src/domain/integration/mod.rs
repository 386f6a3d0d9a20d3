//! Integrations: a client's shop (Shopify, WooCommerce) or any other system (generic,
//! Standard Webhooks) that sends it orders by signed webhook, and the inbox of deliveries.

pub mod delivery;
pub mod platform;
pub mod secret;
pub mod signature;

use serde::{Deserialize, Serialize};

use super::ids::{ClientId, CourierId};
use super::Name;
pub use delivery::{Delivery, Outcome};
pub use platform::Platform;
pub use secret::{SecretText, StoredSecret};
pub use signature::SignatureCheck;

/// At most two secrets: the current one and the one it replaces during a rotation.
pub const MAX_SECRETS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntegrationStatus {
    Active,
    /// Deleted by its client: kept so that its deliveries are answered `refused` and its
    /// inbox stays readable.
    Deleted,
}

impl IntegrationStatus {
    /// As the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationStatus::Active => "active",
            IntegrationStatus::Deleted => "deleted",
        }
    }
}

/// A default weight per piece, in grams (sent as kg): above 0, at most 10 tonnes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct PieceWeight(u64);

impl TryFrom<f64> for PieceWeight {
    type Error = String;
    fn try_from(kg: f64) -> Result<Self, String> {
        if kg.is_finite() && kg > 0.0 && kg <= 10_000.0 {
            Ok(Self(((kg * 1000.0).round() as u64).max(1)))
        } else {
            Err("must be a weight in kg, above 0 and at most 10000".into())
        }
    }
}

impl From<PieceWeight> for f64 {
    fn from(w: PieceWeight) -> f64 {
        w.0 as f64 / 1000.0
    }
}

impl PieceWeight {
    pub fn grams(self) -> u64 {
        self.0
    }
}

/// An integration as stored (`INTEGRATION#<id>` / `INTEGRATION`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    pub id: String,
    pub courier_id: CourierId,
    pub client_id: ClientId,
    pub platform: Platform,
    pub name: Name,
    pub secrets: Vec<StoredSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_weight_per_piece_kg: Option<PieceWeight>,
    pub status: IntegrationStatus,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

impl Integration {
    /// The HMAC keys a delivery may be signed with.
    pub fn keys(&self) -> Vec<Vec<u8>> {
        self.secrets.iter().map(|s| s.key(self.platform)).collect()
    }

    /// The URL to give the platform.
    pub fn webhook_url(&self, base_url: &str) -> String {
        format!("{base_url}/v1/integrations/{}/webhook", self.id)
    }

    /// As the API shows it: secrets by id and date only.
    pub fn view(&self, base_url: &str) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "secrets".into(),
                self.secrets.iter().map(StoredSecret::view).collect(),
            );
            map.insert("webhookUrl".into(), self.webhook_url(base_url).into());
        }
        value
    }
}

/// Integration ids: `int_` + ULID.
pub fn new_integration_id() -> String {
    format!("int_{}", super::ids::next_ulid())
}

pub fn parse_integration_id(raw: &str) -> Option<&str> {
    let ulid = raw.strip_prefix("int_")?;
    ulid::Ulid::from_string(ulid).ok()?;
    Some(raw)
}

use serde::{Deserialize, Serialize};

use super::ids::CourierId;
use super::timezone::Timezone;

/// A delivery company: the tenant that owns clients and orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Courier {
    pub id: CourierId,
    pub name: String,
    pub email: String,
    pub timezone: String,
    #[serde(default)]
    pub teams: Vec<Team>,
    pub created_at: String,
    /// Phone, country, units and logo (organisation settings; the time zone is above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<super::settings::OrganizationProfile>,
    /// A new email waiting for confirmation from that address (organisation settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
    /// Hash of the token that confirms `pending_email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_token_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    pub id: String,
    pub name: String,
}

/// The courier's time zone, or the default when it has none (or none that parses).
pub fn courier_timezone(courier: Option<&Courier>) -> Timezone {
    courier
        .and_then(|c| Timezone::parse(&c.timezone).ok())
        .unwrap_or_default()
}

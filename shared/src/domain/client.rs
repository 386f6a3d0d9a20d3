use serde::{Deserialize, Serialize};

use super::ids::{ClientId, CourierId};
use super::notifications::NotificationSettings;
use super::pricing::PricingContext;
// Here for its users; a rule of pricing, which the client's record names.
pub use super::pricing::quote::ServiceSelection;
use super::settings::OrganizationProfile;
use super::timezone::Timezone;
use super::tracking::TrackingPageSettings;
use super::{Email, Location, Name, TeamId};

/// A client named in an answer (the clients that keep a team, a service or a rate table in
/// use), by id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedClient {
    pub id: ClientId,
    pub name: String,
}

/// A courier's business client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    pub id: ClientId,
    pub courier_id: CourierId,
    pub name: Name,
    pub email: Email,
    pub status: ClientStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<Email>,
    pub allow_order_upload: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_assign_team_id: Option<TeamId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_pickup: Option<Location>,
    pub integrations_enabled: bool,
    pub service_selection: ServiceSelection,
    /// SMS templates, language, time zone; the defaults until the client saves its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<NotificationSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_page: Option<TrackingPageSettings>,
    /// Phone, country, time zone, units and logo (organisation settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrganizationProfile>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
    /// Hash of the current invitation token (re-inviting replaces it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_token_hash: Option<String>,
    /// Hash of the token that confirms `pending_email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_token_hash: Option<String>,
    /// The client's services and rates (copies), when the courier gave it some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<PricingContext>,
    /// Keys not revoked; capped so that deleting a client revokes them all in one transaction.
    #[serde(default)]
    pub active_keys: u32,
    /// Orders placed for the client (drafts included), counted in each order's own
    /// transaction (`ordering::place`) and, for imports, when the import's rows are written.
    #[serde(default)]
    pub order_count: u64,
}

impl Client {
    pub fn notification_settings(&self) -> NotificationSettings {
        self.notifications.clone().unwrap_or_default()
    }

    pub fn organization_settings(&self) -> OrganizationProfile {
        self.organization.clone().unwrap_or_default()
    }

    /// The time zone the client set for itself: its organisation's, else its notification
    /// settings' (none: its people read times in its courier's zone).
    pub fn own_timezone(&self) -> Option<Timezone> {
        self.organization_settings()
            .timezone
            .or(self.notification_settings().timezone)
    }

    /// Whether the client's orders are quoted (it has at least one service).
    pub fn has_services(&self) -> bool {
        self.pricing
            .as_ref()
            .is_some_and(PricingContext::has_services)
    }

    pub fn tracking_page_settings(&self) -> TrackingPageSettings {
        self.tracking_page.clone().unwrap_or_default()
    }

    /// The client as the API shows it (without internal bookkeeping, with its settings).
    pub fn view(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "notifications".into(),
                serde_json::to_value(self.notification_settings()).unwrap_or_default(),
            );
            map.insert(
                "trackingPage".into(),
                serde_json::to_value(self.tracking_page_settings()).unwrap_or_default(),
            );
            for internal in [
                "inviteTokenHash",
                "emailTokenHash",
                "activeKeys",
                "organization",
                "pricing",
            ] {
                map.remove(internal);
            }
        }
        value
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientStatus {
    /// Created, not invited yet.
    Pending,
    /// Invitation sent, not accepted yet.
    Invited,
    Active,
    /// Can no longer sign in; its orders stay.
    Deleted,
}

impl ClientStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientStatus::Pending => "pending",
            ClientStatus::Invited => "invited",
            ClientStatus::Active => "active",
            ClientStatus::Deleted => "deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Invited, Self::Active, Self::Deleted]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

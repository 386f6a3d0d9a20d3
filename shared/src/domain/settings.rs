//! An organisation's own settings (Onfleet's "Organization" tab).

use serde::{Deserialize, Serialize};

/// How weights are read in imports and shown; stored weights stay in grams (kg in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    #[default]
    Metric,
    Imperial,
}

/// What an organisation says about itself besides its name and email (which live on the
/// client or courier record): the defaults until it saves its own.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<super::Phone>,
    /// National phone numbers in imports are read in this country's format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<super::address::CountryCode>,
    /// Times in imports (and reminders' local morning) are in this zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<super::timezone::Timezone>,
    #[serde(default)]
    pub units: Units,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<super::tracking::LogoUrl>,
}

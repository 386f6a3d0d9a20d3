//! How a client's tracking page looks: colours, logo, the details it shows.

use super::error::SettingsError;
use super::{load_own_client, save_setting};
use crate::domain::api_key::Principal;
use crate::domain::tracking::TrackingPageSettings;
use crate::Ctx;

/// The calling client's tracking page settings (the defaults until it saves its own).
pub async fn tracking_page_settings(
    ctx: &Ctx,
    who: &Principal,
) -> Result<TrackingPageSettings, SettingsError> {
    Ok(load_own_client(ctx, who).await?.tracking_page_settings())
}

/// Replaces the calling client's tracking page settings; the settings as saved.
pub async fn save_tracking_page_settings(
    ctx: &Ctx,
    who: &Principal,
    settings: TrackingPageSettings,
) -> Result<TrackingPageSettings, SettingsError> {
    let client = save_setting(ctx, who, "trackingPage", serde_json::to_value(&settings)).await?;
    Ok(client.tracking_page_settings())
}

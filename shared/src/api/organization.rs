//! `GET|PATCH /v1/settings/organization`: the caller's own organisation (a client's, or the
//! courier's): name, contact email, phone, country, time zone, units, logo, onto the use
//! cases `accounts::organization::organization_settings` and
//! `update_organization_settings` (a new email waits for confirmation from that address).

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::accounts::organization::{self, OrganizationChange, OrganizationSettings};
use crate::domain::address::CountryCode;
use crate::domain::settings::Units;
use crate::domain::timezone::Timezone;
use crate::domain::tracking::LogoUrl;
use crate::domain::{Email, Name, Phone};
use crate::http::{nullable, ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationPatch {
    #[serde(default)]
    name: Option<Name>,
    #[serde(default)]
    email: Option<Email>,
    #[serde(default, deserialize_with = "nullable")]
    phone: Option<Option<Phone>>,
    #[serde(default, deserialize_with = "nullable")]
    country: Option<Option<CountryCode>>,
    #[serde(default, deserialize_with = "nullable")]
    timezone: Option<Option<Timezone>>,
    #[serde(default)]
    units: Option<Units>,
    #[serde(default, deserialize_with = "nullable")]
    logo_url: Option<Option<LogoUrl>>,
    /// As GET shows it (a client's email waiting for confirmation): accepted back, ignored.
    #[serde(default, rename = "pendingEmail")]
    _pending_email: Option<IgnoredAny>,
}

fn view(settings: &OrganizationSettings) -> Value {
    let mut view = json!({
        "name": settings.name, "email": settings.email,
        "phone": settings.phone, "country": settings.country, "timezone": settings.timezone,
        "units": settings.units, "logoUrl": settings.logo_url,
    });
    if let Some(pending) = &settings.pending_email {
        view["pendingEmail"] = json!(pending);
    }
    view
}

pub async fn get_organization_settings(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    Ok(ApiResponse::ok(&view(
        &organization::organization_settings(ctx, who).await?,
    )))
}

pub async fn update_organization_settings(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?.clone();
    let patch: OrganizationPatch = req.json()?;
    let change = OrganizationChange {
        by: who,
        name: patch.name,
        email: patch.email,
        phone: patch.phone,
        country: patch.country,
        timezone: patch.timezone,
        units: patch.units,
        logo_url: patch.logo_url,
        base_url: ctx.base_url(&req),
    };
    Ok(ApiResponse::ok(&view(
        &organization::update_organization_settings(ctx, change).await?,
    )))
}

//! `GET /settings/organization` and `POST /settings/organization`: the organisation's name,
//! contact email (a client's new email waits for confirmation from that address), phone,
//! country, time zone, units and logo URL, onto the use cases
//! `accounts::organization::organization_settings` and `update_organization_settings`; an
//! error is shown next to the field it concerns.

use askama::Template;

use super::{field, form, html, redirect, signed_in_admin, signed_in_admin_post, Brand};
use crate::accounts::error::AccountError;
use crate::accounts::organization::{
    organization_settings, update_organization_settings, OrganizationChange, OrganizationSettings,
};
use crate::domain::address::CountryCode;
use crate::domain::settings::Units;
use crate::domain::timezone::Timezone;
use crate::domain::tracking::LogoUrl;
use crate::domain::{Email, Name, Phone};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

/// The form's inputs: (name, label, input type, hint).
const INPUTS: [(&str, &str, &str, &str); 6] = [
    ("name", "Organization name", "text", ""),
    (
        "email",
        "Contact email",
        "email",
        "A new address takes effect once confirmed from that address.",
    ),
    (
        "phone",
        "Phone",
        "tel",
        "In international format: +33612345678.",
    ),
    ("country", "Country", "text", "Two letters: FR, GB, US…"),
    (
        "timezone",
        "Time zone",
        "text",
        "As in the tz database: Europe/Paris.",
    ),
    (
        "logoUrl",
        "Logo URL",
        "url",
        "An https:// image, shown on your pages and tracking page.",
    ),
];

pub struct SettingsInput {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "web/settings_organization.html")]
struct OrganizationPage {
    client_name: Brand,
    inputs: Vec<SettingsInput>,
    units: String,
    units_error: Option<String>,
    pending_email: Option<String>,
    /// A client's id, which its courier's track-only sheets name it by.
    portal_id: Option<String>,
    logo_url: String,
    saved: bool,
    alert: Option<String>,
}

impl OrganizationPage {
    fn of(client_name: Brand, value: impl Fn(&str) -> String) -> Self {
        OrganizationPage {
            client_name,
            inputs: INPUTS
                .iter()
                .map(|(name, label, kind, hint)| SettingsInput {
                    name,
                    label,
                    kind,
                    hint,
                    value: value(name),
                    error: None,
                })
                .collect(),
            units: value("units"),
            units_error: None,
            pending_email: None,
            portal_id: None,
            logo_url: String::new(),
            saved: false,
            alert: None,
        }
    }
}

/// A saved setting as its input shows it, by the input's name.
fn saved_value(settings: &OrganizationSettings, name: &str) -> String {
    let optional = |value: Option<&str>| value.unwrap_or_default().to_string();
    match name {
        "name" => settings.name.clone(),
        "email" => settings.email.clone(),
        "phone" => optional(settings.phone.as_ref().map(Phone::as_str)),
        "country" => optional(settings.country.as_ref().map(CountryCode::as_str)),
        "timezone" => optional(settings.timezone.as_deref()),
        "units" => units_value(settings.units).into(),
        "logoUrl" => optional(settings.logo_url.as_ref().map(LogoUrl::as_str)),
        _ => String::new(),
    }
}

/// The units' option value.
fn units_value(units: Units) -> &'static str {
    match units {
        Units::Metric => "metric",
        Units::Imperial => "imperial",
    }
}

/// An optional setting as typed: blank clears it.
fn optional<T>(
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    if value.is_empty() {
        Ok(None)
    } else {
        parse(value).map(Some)
    }
}

/// A required setting as typed.
fn required<T>(value: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<T, String> {
    if value.is_empty() {
        Err("is required".into())
    } else {
        parse(value)
    }
}

/// The value parsed, or its error next to its input.
fn checked<T>(page: &mut OrganizationPage, name: &str, parsed: Result<T, String>) -> Option<T> {
    match parsed {
        Ok(value) => Some(value),
        Err(message) => {
            page.place_error(name, message);
            None
        }
    }
}

impl OrganizationPage {
    /// An error next to its input (`units`: next to its choice), else above the form.
    fn place_error(&mut self, name: &str, message: String) {
        match self.inputs.iter_mut().find(|i| i.name == name) {
            Some(input) => input.error = Some(message),
            None if name == "units" => self.units_error = Some(message),
            None => self.alert = Some(format!("{name}: {message}")),
        }
    }
}

pub async fn organization_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let settings = organization_settings(ctx, &principal).await?;
    let mut page = OrganizationPage::of(Brand::named(settings.name.clone(), &principal), |name| {
        saved_value(&settings, name)
    });
    page.pending_email = settings.pending_email.clone();
    page.portal_id = principal.client_id.as_ref().map(|id| id.to_string());
    page.logo_url = saved_value(&settings, "logoUrl");
    page.saved = req.query_param("saved").is_some();
    Ok(html(200, &page))
}

pub async fn save_organization_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let get = |name: &str| field(&values, name).trim().to_string();
    let mut page = OrganizationPage::of(Brand::of(&principal), |n| get(n));
    page.portal_id = principal.client_id.as_ref().map(|id| id.to_string());
    // Every field as typed: an emptied optional field is cleared.
    let name = checked(&mut page, "name", required(&get("name"), Name::parse));
    let email = checked(&mut page, "email", required(&get("email"), Email::parse));
    let phone = checked(&mut page, "phone", optional(&get("phone"), Phone::parse));
    let country = checked(
        &mut page,
        "country",
        optional(&get("country"), |c| CountryCode::try_from(c.to_string())),
    );
    let timezone = checked(
        &mut page,
        "timezone",
        optional(&get("timezone"), Timezone::parse),
    );
    let units = checked(
        &mut page,
        "units",
        match get("units").as_str() {
            "metric" => Ok(Units::Metric),
            "imperial" => Ok(Units::Imperial),
            _ => Err("must be metric or imperial".to_string()),
        },
    );
    let logo_url = checked(
        &mut page,
        "logoUrl",
        optional(&get("logoUrl"), LogoUrl::parse),
    );
    let (
        Some(name),
        Some(email),
        Some(phone),
        Some(country),
        Some(timezone),
        Some(units),
        Some(logo_url),
    ) = (name, email, phone, country, timezone, units, logo_url)
    else {
        return Ok(html(422, &page));
    };
    let change = OrganizationChange {
        by: principal,
        name: Some(name),
        email: Some(email),
        phone: Some(phone),
        country: Some(country),
        timezone: Some(timezone),
        units: Some(units),
        logo_url: Some(logo_url),
        base_url: ctx.base_url(&req),
    };
    match update_organization_settings(ctx, change).await {
        Ok(_) => Ok(redirect("/settings/organization?saved=1")),
        Err(e) => refused(page, e),
    }
}

/// The one place an [`AccountError`] of the form becomes words on the page: a field's
/// next to its input (422), too many confirmation mails next to the email (429), a change
/// made meanwhile above the form (409); anything else answers as the API would.
fn refused(mut page: OrganizationPage, e: AccountError) -> ApiResult {
    let message = e.to_string();
    let changed_meanwhile = |mut page: OrganizationPage, message: String| {
        page.alert = Some(format!(
            "Not saved: {message}. Reload the page and try again."
        ));
        Ok(html(409, &page))
    };
    match e {
        AccountError::Field { field, message, .. } => {
            page.place_error(field.api_name(), message);
            Ok(html(422, &page))
        }
        AccountError::ConfirmationsLimited { retry_after, .. } => {
            page.place_error("email", format!("not changed: {message}."));
            Ok(html(429, &page).with_header("retry-after", &retry_after.max(1).to_string()))
        }
        AccountError::ClientStale { .. } | AccountError::EmailChangedMeanwhile => {
            changed_meanwhile(page, message)
        }
        // Another request wrote the same items at the same time.
        AccountError::Store(e) if e.is_conflict() => {
            changed_meanwhile(page, ApiError::from(e).to_string())
        }
        e => Err(e.into()),
    }
}

//! `GET /settings/organization` and `POST /settings/organization`: the organisation's name,
//! contact email (a client's new email waits for confirmation from that address), phone,
//! country, time zone, units and logo URL, onto the JSON use cases
//! `get_organization_settings` and `update_organization_settings`; an error is shown next
//! to the field it concerns.

use askama::Template;
use serde_json::{json, Map, Value};

use super::format::text;
use super::{as_api, field, form, html, redirect, signed_in, signed_in_post, Brand};
use crate::api::organization::{get_organization_settings, update_organization_settings};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

/// The form's inputs: (name, label, input type, hint), named as the API's fields.
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
            logo_url: String::new(),
            saved: false,
            alert: None,
        }
    }
}

pub async fn organization_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let settings: Value = serde_json::from_slice(
        &get_organization_settings(ctx, as_api(principal.clone(), &req))
            .await?
            .body,
    )
    .unwrap_or_default();
    let mut page =
        OrganizationPage::of(Brand::named(text(&settings["name"]), &principal), |name| {
            text(&settings[name])
        });
    page.pending_email = settings["pendingEmail"].as_str().map(str::to_string);
    page.logo_url = text(&settings["logoUrl"]);
    page.saved = req.query_param("saved").is_some();
    Ok(html(200, &page))
}

pub async fn save_organization_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let get = |name: &str| field(&values, name).trim().to_string();
    // Every field as the API takes it: an emptied optional field is cleared (`null`).
    let mut body = Map::new();
    for (name, ..) in INPUTS {
        let value = get(name);
        let required = matches!(name, "name" | "email");
        if value.is_empty() && required {
            continue;
        }
        let value = match name {
            "country" => json!(value.to_ascii_uppercase()),
            _ => json!(value),
        };
        body.insert(
            name.to_string(),
            if value == json!("") {
                Value::Null
            } else {
                value
            },
        );
    }
    body.insert("units".into(), json!(get("units")));
    let mut api = as_api(principal.clone(), &req);
    api.method = "PATCH".into();
    api.body = Value::Object(body).to_string().into();
    let mut page = OrganizationPage::of(Brand::of(&principal), |n| get(n));
    for required in ["name", "email"] {
        if get(required).is_empty() {
            if let Some(input) = page.inputs.iter_mut().find(|i| i.name == required) {
                input.error = Some("is required".into());
            }
            return Ok(html(422, &page));
        }
    }
    match update_organization_settings(ctx, api).await {
        Ok(_) => Ok(redirect("/settings/organization?saved=1")),
        Err(ApiError::Invalid { field, message, .. }) => {
            let field = field.split('.').next().unwrap_or("").to_string();
            match page.inputs.iter_mut().find(|i| i.name == field) {
                Some(input) => input.error = Some(message),
                None if field == "units" => page.units_error = Some(message),
                None => page.alert = Some(format!("{field}: {message}")),
            }
            Ok(html(422, &page))
        }
        Err(ApiError::RateLimited {
            message,
            retry_after,
            ..
        }) => {
            if let Some(input) = page.inputs.iter_mut().find(|i| i.name == "email") {
                input.error = Some(format!("not changed: {message}."));
            }
            Ok(html(429, &page).with_header("retry-after", &retry_after.max(1).to_string()))
        }
        Err(e @ ApiError::Conflict { .. }) => {
            page.alert = Some(format!("Not saved: {e}. Reload the page and try again."));
            Ok(html(409, &page))
        }
        Err(e) => Err(e),
    }
}

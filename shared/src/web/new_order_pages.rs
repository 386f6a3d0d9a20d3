//! `GET /orders/new` (the form, the client's default pickup prefilled) and `POST /orders`
//! (the form's post onto the JSON use case `create_order`; an error is shown next to the
//! field it concerns). A hidden form id is the idempotency key, so a double submit places
//! one order. The dropoff window is entered in the client's time zone; a client with
//! services chooses one, and "Get quotes" (`quote=1`, also sent by htmx on a change)
//! re-renders the form with each service's quote from the quote use case.

use askama::Template;
use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use super::order_quotes::{choice, services, ServiceChoice};
use super::{as_api, field, form, html, redirect, signed_in, signed_in_post};
use crate::api::orders::create_order;
use crate::api::records::from_item;
use crate::domain::api_key::Principal;
use crate::domain::client::Client;
use crate::domain::order::MinimumAge;
use crate::domain::token;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::store::keys;
use crate::Ctx;

/// The form's fields and, for each, where the API reports it.
const FIELDS: [(&str, &str); 11] = [
    ("pickup_line1", "pickup.address.line1"),
    ("pickup_city", "pickup.address.city"),
    ("pickup_name", "pickup.contact.name"),
    ("pickup_phone", "pickup.contact.phone"),
    ("dropoff_line1", "dropoff.address.line1"),
    ("dropoff_city", "dropoff.address.city"),
    ("recipient_name", "dropoff.recipient.name"),
    ("recipient_phone", "dropoff.recipient.phone"),
    ("weight", "weight"),
    ("pieces", "pieces"),
    ("notes", "notes"),
];

/// Where the API reports the form's other fields (first match wins).
const MORE_FIELDS: [(&str, &str); 6] = [
    ("dropoff_after", "dropoff.window.completeAfter"),
    ("dropoff_before", "dropoff.window"),
    ("dropoff_before", "dueBy"),
    ("minimum_age", "dropoff.requirements"),
    ("service_id", "serviceId"),
    ("pickup_line1", "pickup"),
];

/// The dropoff's requirement check boxes: (form name, the API's name, label).
const REQUIREMENTS: [(&str, &str, &str); 3] = [
    ("require_signature", "signature", "Signature"),
    ("require_photo", "photo", "Photo"),
    ("require_notes", "notes", "Notes"),
];

#[derive(Template)]
#[template(path = "web/new_order.html")]
struct NewOrderPage {
    /// The client's time zone: the window's times are read in it.
    zone: String,
    has_services: bool,
    services: Vec<ServiceChoice>,
    /// Whether `services` carry quotes.
    quoted: bool,
    client_name: String,
    logo_url: Option<String>,
    form_id: String,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    alert: Option<String>,
}

pub struct Input<'a> {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub value: &'a str,
    pub error: Option<&'a str>,
}

/// One input: (name, label, input type, autocomplete).
type InputSpec = (&'static str, &'static str, &'static str, &'static str);

/// The form's inputs by fieldset.
const GROUPS: [(&str, [InputSpec; 4]); 2] = [
    (
        "Pickup",
        [
            ("pickup_line1", "Address", "text", "off"),
            ("pickup_city", "City", "text", "off"),
            ("pickup_name", "Contact name", "text", "off"),
            ("pickup_phone", "Contact phone", "tel", "off"),
        ],
    ),
    (
        "Dropoff",
        [
            ("dropoff_line1", "Address", "text", "off"),
            ("dropoff_city", "City", "text", "off"),
            ("recipient_name", "Recipient name", "text", "off"),
            ("recipient_phone", "Recipient phone", "tel", "off"),
        ],
    ),
];
const PARCEL: [InputSpec; 3] = [
    ("weight", "Weight (kg)", "text", "off"),
    ("pieces", "Pieces", "number", "off"),
    ("notes", "Notes for the driver", "text", "off"),
];

impl NewOrderPage {
    fn input(
        &self,
        (name, label, kind, autocomplete): (&'static str, &'static str, &'static str, &'static str),
    ) -> Input<'_> {
        Input {
            name,
            label,
            kind,
            autocomplete,
            value: field(&self.values, name),
            error: self
                .errors
                .iter()
                .find(|(f, _)| f == name)
                .map(|(_, m)| m.as_str()),
        }
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }

    fn value(&self, name: &str) -> &str {
        field(&self.values, name)
    }

    fn requirements(&self) -> Vec<(&'static str, &'static str, bool)> {
        REQUIREMENTS
            .iter()
            .map(|(name, _, label)| (*name, *label, !self.value(name).is_empty()))
            .collect()
    }

    fn groups(&self) -> Vec<(&'static str, Vec<Input<'_>>)> {
        let mut groups: Vec<_> = GROUPS
            .iter()
            .map(|(legend, inputs)| (*legend, inputs.iter().map(|i| self.input(*i)).collect()))
            .collect();
        groups.push(("Parcel", PARCEL.iter().map(|i| self.input(*i)).collect()));
        groups
    }
}

/// The client (for its default pickup and time zone) and its time zone: its organisation's,
/// its notification settings', else its courier's, else UTC.
async fn client_and_zone(
    ctx: &Ctx,
    principal: &Principal,
) -> Result<(Option<Client>, Tz), ApiError> {
    let mut client = None;
    if let Some(client_id) = &principal.client_id {
        if let Some(item) = ctx
            .store
            .get(&keys::client(
                principal.courier_id.as_str(),
                client_id.as_str(),
            ))
            .await?
        {
            client = Some(from_item::<Client>(item)?);
        }
    }
    let own = client.as_ref().and_then(|c| {
        c.organization_settings()
            .timezone
            .or(c.notification_settings().timezone)
    });
    let zone = match own {
        Some(zone) => zone.tz(),
        None => ctx
            .store
            .get(&keys::courier(principal.courier_id.as_str()))
            .await?
            .and_then(|item| {
                item.get("timezone")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            })
            .and_then(|name| name.parse::<Tz>().ok())
            .unwrap_or(chrono_tz::UTC),
    };
    Ok((client, zone))
}

/// The form field an API error concerns.
fn form_field(api_field: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .chain(MORE_FIELDS.iter())
        .find(|(_, path)| api_field.starts_with(path))
        .map(|(name, _)| *name)
}

/// An API message in the form's words (the window's ends as the form labels them).
fn in_form_words(message: &str) -> String {
    message
        .replace("completeAfter", "the earliest time")
        .replace("completeBefore", "the latest time")
        .replace("readyBy", "the pickup time")
}

pub async fn new_order_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let mut values = vec![];
    let (client, zone) = client_and_zone(ctx, &principal).await?;
    if let Some(pickup) = client.and_then(|c| c.default_pickup) {
        let pickup = serde_json::to_value(&pickup).unwrap_or_default();
        for (name, path) in &FIELDS[..4] {
            let value = path
                .split('.')
                .skip(1)
                .fold(&pickup, |v, k| &v[k])
                .as_str()
                .unwrap_or("");
            values.push((name.to_string(), value.to_string()));
        }
    }
    values.push(("pieces".into(), "1".into()));
    let (services, quoted, _) = services(ctx, &principal, &req, None, zone).await?;
    Ok(html(
        200,
        &NewOrderPage {
            zone: zone.name().to_string(),
            has_services: principal.has_services,
            services,
            quoted,
            client_name: principal.client_name.clone().unwrap_or_default(),
            logo_url: principal.logo_url.clone(),
            form_id: token::random_secret(),
            values,
            errors: vec![],
            // A courier's user: the form places orders for the client signed in only.
            alert: principal.client_id.is_none().then(|| {
                "You are signed in for the courier: clients place their orders here; a courier places one for a client through the API (POST /v1/orders with clientId).".to_string()
            }),
        },
    ))
}

pub async fn create_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let form_id = field(&values, "form_id").to_string();
    let (_, zone) = client_and_zone(ctx, &principal).await?;
    let mut page = NewOrderPage {
        zone: zone.name().to_string(),
        has_services: principal.has_services,
        services: vec![],
        quoted: false,
        client_name: principal.client_name.clone().unwrap_or_default(),
        logo_url: principal.logo_url.clone(),
        form_id: if token::well_formed(&form_id) {
            form_id.clone()
        } else {
            token::random_secret()
        },
        values: values.clone(),
        errors: vec![],
        alert: None,
    };
    let body = match order_body(&values, zone) {
        Ok(body) => body,
        Err((name, message)) => {
            page.errors.push((name.to_string(), message));
            (page.services, page.quoted, _) = services(ctx, &principal, &req, None, zone).await?;
            return Ok(html(422, &page));
        }
    };
    if !field(&values, "quote").is_empty() {
        // "Get quotes": the same form again, each service with its quote.
        let (services, quoted, refused) =
            services(ctx, &principal, &req, Some(&body), zone).await?;
        (page.services, page.quoted) = (services, quoted);
        if let Some((api_field, message)) = refused {
            match form_field(&api_field) {
                Some(name) => page
                    .errors
                    .push((name.to_string(), in_form_words(&message))),
                None => page.alert = Some(format!("{api_field}: {message}")),
            }
            return Ok(html(422, &page));
        }
        return Ok(html(200, &page));
    }
    let mut api = as_api(principal.clone(), &req);
    api.method = "POST".into();
    api.body = body.to_string().into();
    if let Ok(key) = format!("web-{}", page.form_id).parse() {
        api.headers.insert("idempotency-key", key);
    }
    match create_order(ctx, api).await {
        Ok(response) => {
            let order: Value = serde_json::from_slice(&response.body).unwrap_or_default();
            let id = order["id"].as_str().unwrap_or("");
            return Ok(redirect(&format!("/orders/{id}")));
        }
        Err(ApiError::Invalid { field, message, .. }) => match form_field(&field) {
            Some(name) => page
                .errors
                .push((name.to_string(), in_form_words(&message))),
            None => page.alert = Some(format!("{field}: {message}")),
        },
        Err(ApiError::Unquotable {
            field,
            reasons,
            services,
        }) => {
            let why = reasons
                .iter()
                .map(|r| r.replace('_', " "))
                .collect::<Vec<_>>()
                .join(", ");
            let message = format!("cannot serve this order ({why})");
            match field.as_deref().and_then(form_field) {
                Some(name) => page.errors.push((name.to_string(), message)),
                None => page.alert = Some(format!("No service can serve this order: {why}.")),
            }
            if !services.is_empty() {
                page.services = services.iter().map(|q| choice(q, zone)).collect();
                page.quoted = true;
            }
        }
        Err(e @ (ApiError::Conflict { .. } | ApiError::Malformed { .. })) => {
            page.alert = Some(e.to_string());
        }
        Err(e) => return Err(e),
    }
    if page.services.is_empty() {
        (page.services, page.quoted, _) = services(ctx, &principal, &req, None, zone).await?;
    }
    Ok(html(422, &page))
}

/// A `datetime-local` value (`2026-12-01T14:30`, seconds optional) in `zone`, as RFC 3339.
fn local_time(raw: &str, zone: Tz) -> Result<String, String> {
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "must be a date and time".to_string())?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.fixed_offset().to_rfc3339())
        .ok_or_else(|| format!("is not a time that exists in {}", zone.name()))
}

/// The JSON body of `POST /v1/orders` from the form (empty optional fields left out).
fn order_body(values: &[(String, String)], zone: Tz) -> Result<Value, (&'static str, String)> {
    let get = |name: &str| field(values, name).trim().to_string();
    let mut body = Map::new();
    for (name, path) in FIELDS {
        let value = get(name);
        if value.is_empty() {
            continue;
        }
        let value = match name {
            "weight" => json!(value
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| ("weight", "must be a number of kilograms".to_string()))?),
            "pieces" => json!(value
                .parse::<u32>()
                .map_err(|_| ("pieces", "must be a whole number".to_string()))?),
            _ => json!(value),
        };
        let mut at = &mut body;
        let parts: Vec<&str> = path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            at = at
                .entry(part.to_string())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("an object");
        }
        at.insert(parts[parts.len() - 1].to_string(), value);
    }
    for (stop, line1) in [("pickup", "pickup_line1"), ("dropoff", "dropoff_line1")] {
        if get(line1).is_empty() {
            let _ = stop;
            return Err((line1, "is required".to_string()));
        }
    }
    let dropoff = body
        .entry("dropoff")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("an object");
    let mut window = Map::new();
    for (name, key) in [
        ("dropoff_after", "completeAfter"),
        ("dropoff_before", "completeBefore"),
    ] {
        let raw = get(name);
        if !raw.is_empty() {
            window.insert(
                key.into(),
                json!(local_time(&raw, zone).map_err(|e| (name, e))?),
            );
        }
    }
    if !window.is_empty() {
        dropoff.insert("window".into(), Value::Object(window));
    }
    let mut requirements = Map::new();
    for (name, api_name, _) in REQUIREMENTS {
        if !get(name).is_empty() {
            requirements.insert(api_name.into(), json!(true));
        }
    }
    let age = get("minimum_age");
    if !age.is_empty() {
        let age = age
            .parse::<u8>()
            .map_err(|_| "must be an age from 1 to 25".to_string())
            .and_then(MinimumAge::try_from)
            .map_err(|e| ("minimum_age", e))?;
        requirements.insert("minimumAge".into(), json!(u8::from(age)));
    }
    if !requirements.is_empty() {
        dropoff.insert("requirements".into(), Value::Object(requirements));
    }
    let service = get("service_id");
    if !service.is_empty() {
        body.insert("serviceId".into(), json!(service));
    }
    Ok(Value::Object(body))
}

//! `GET /orders/new` (the form, the client's default pickup prefilled) and `POST /orders`
//! (the form's post onto the JSON use case `create_order`; an error is shown next to the
//! field it concerns). A hidden form id is the idempotency key, so a double submit places
//! one order.

use askama::Template;
use serde_json::{json, Map, Value};

use super::{as_api, cross_site, field, form, html, redirect, same_origin, signed_in};
use crate::api::orders::create_order;
use crate::api::records::from_item;
use crate::domain::client::Client;
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

#[derive(Template)]
#[template(path = "web/new_order.html")]
struct NewOrderPage {
    client_name: String,
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

    fn groups(&self) -> Vec<(&'static str, Vec<Input<'_>>)> {
        let mut groups: Vec<_> = GROUPS
            .iter()
            .map(|(legend, inputs)| (*legend, inputs.iter().map(|i| self.input(*i)).collect()))
            .collect();
        groups.push(("Parcel", PARCEL.iter().map(|i| self.input(*i)).collect()));
        groups
    }
}

pub async fn new_order_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let mut values = vec![];
    if let Some(client_id) = &principal.client_id {
        if let Some(item) = ctx
            .store
            .get(&keys::client(
                principal.courier_id.as_str(),
                client_id.as_str(),
            ))
            .await?
        {
            let client: Client = from_item(item)?;
            if let Some(pickup) = client.default_pickup {
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
        }
    }
    values.push(("pieces".into(), "1".into()));
    Ok(html(
        200,
        &NewOrderPage {
            client_name: principal.client_name.clone().unwrap_or_default(),
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
    if !same_origin(ctx, &req) {
        return Ok(cross_site());
    }
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let form_id = field(&values, "form_id").to_string();
    let mut page = NewOrderPage {
        client_name: principal.client_name.clone().unwrap_or_default(),
        form_id: if token::well_formed(&form_id) {
            form_id.clone()
        } else {
            token::random_secret()
        },
        values: values.clone(),
        errors: vec![],
        alert: None,
    };
    let body = match order_body(&values) {
        Ok(body) => body,
        Err((name, message)) => {
            page.errors.push((name.to_string(), message));
            return Ok(html(422, &page));
        }
    };
    let mut api = as_api(principal, &req);
    api.method = "POST".into();
    api.body = body.to_string().into();
    if let Ok(key) = format!("web-{}", page.form_id).parse() {
        api.headers.insert("idempotency-key", key);
    }
    match create_order(ctx, api).await {
        Ok(response) => {
            let order: Value = serde_json::from_slice(&response.body).unwrap_or_default();
            let id = order["id"].as_str().unwrap_or("");
            Ok(redirect(&format!("/orders/{id}")))
        }
        Err(ApiError::Invalid { field, message, .. }) => {
            match FIELDS.iter().find(|(_, path)| field.starts_with(path)) {
                Some((name, _)) => page.errors.push((name.to_string(), message)),
                None => page.alert = Some(format!("{field}: {message}")),
            }
            Ok(html(422, &page))
        }
        Err(
            e @ (ApiError::Unquotable { .. }
            | ApiError::Conflict { .. }
            | ApiError::Malformed { .. }),
        ) => {
            page.alert = Some(e.to_string());
            Ok(html(422, &page))
        }
        Err(e) => Err(e),
    }
}

/// The JSON body of `POST /v1/orders` from the form (empty optional fields left out).
fn order_body(values: &[(String, String)]) -> Result<Value, (&'static str, String)> {
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
    Ok(Value::Object(body))
}

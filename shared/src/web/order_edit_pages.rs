//! The order page's actions: `POST /orders/{orderId}/edit` (the order as edited, at the
//! version the page showed, onto `update_order`; allowed until the pickup starts; an error
//! is shown next to its field) and `POST /orders/{orderId}/withdraw` (onto `withdraw_order`;
//! allowed until the order is scheduled).

use serde_json::{json, Map, Value};

use super::orders_pages::{order_view, read_order};
use super::{as_api, field, form, html, not_found, redirect, signed_in_post, MessagePage};
use crate::api::order_actions::withdraw_order;
use crate::api::orders::update_order;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

/// The edit form's inputs by fieldset: (name, label, input type, the order's JSON path).
type InputSpec = (&'static str, &'static str, &'static str, &'static str);
const GROUPS: [(&str, &[InputSpec]); 3] = [
    (
        "Pickup",
        &[
            ("pickup_line1", "Address", "text", "pickup.address.line1"),
            ("pickup_city", "City", "text", "pickup.address.city"),
            ("pickup_name", "Contact name", "text", "pickup.contact.name"),
            (
                "pickup_phone",
                "Contact phone",
                "tel",
                "pickup.contact.phone",
            ),
        ],
    ),
    (
        "Dropoff",
        &[
            ("dropoff_line1", "Address", "text", "dropoff.address.line1"),
            ("dropoff_city", "City", "text", "dropoff.address.city"),
            (
                "recipient_name",
                "Recipient name",
                "text",
                "dropoff.contact.name",
            ),
            (
                "recipient_phone",
                "Recipient phone",
                "tel",
                "dropoff.contact.phone",
            ),
        ],
    ),
    (
        "Parcel",
        &[
            ("weight", "Weight (kg)", "text", "weight"),
            ("pieces", "Pieces", "number", "pieces"),
            ("notes", "Notes for the driver", "text", "notes"),
        ],
    ),
];

pub struct EditField {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
}

/// The edit form: prefilled from the order, or as sent with its errors.
pub struct EditForm {
    pub version: u64,
    pub groups: Vec<(&'static str, Vec<EditField>)>,
    pub alert: Option<String>,
    /// Open when it comes back with errors.
    pub open: bool,
}

fn at<'a>(order: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(order, |v, k| &v[k])
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

impl EditForm {
    /// Prefilled with the order as read.
    pub fn of(order: &Value) -> Self {
        Self::build(order["version"].as_u64().unwrap_or(0), |name| {
            let path = spec(name).map(|s| s.3).unwrap_or("");
            shown(at(order, path))
        })
    }

    fn build(version: u64, value: impl Fn(&str) -> String) -> Self {
        EditForm {
            version,
            groups: GROUPS
                .iter()
                .map(|(legend, inputs)| {
                    let fields = inputs
                        .iter()
                        .map(|(name, label, kind, _)| EditField {
                            name,
                            label,
                            kind,
                            value: value(name),
                            error: None,
                        })
                        .collect();
                    (*legend, fields)
                })
                .collect(),
            alert: None,
            open: false,
        }
    }

    fn error(&mut self, name: &str, message: String) {
        match self
            .groups
            .iter_mut()
            .flat_map(|(_, fields)| fields.iter_mut())
            .find(|f| f.name == name)
        {
            Some(f) => f.error = Some(message),
            None => self.alert = Some(message),
        }
        self.open = true;
    }
}

fn spec(name: &str) -> Option<&'static InputSpec> {
    GROUPS
        .iter()
        .flat_map(|(_, inputs)| inputs.iter())
        .find(|s| s.0 == name)
}

/// The `PATCH /v1/orders/{orderId}` body: each stop as the order has it (postal code,
/// window, requirements… kept) with the form's fields over it.
fn patch(order: &Value, values: &[(String, String)]) -> Result<Value, (&'static str, String)> {
    let get = |name: &str| field(values, name).trim().to_string();
    let mut body = Map::new();
    for stop in ["pickup", "dropoff"] {
        let mut edits = vec![];
        for (name, _, _, path) in GROUPS[..2].iter().flat_map(|(_, i)| i.iter()) {
            let Some(rest) = path.strip_prefix(stop).and_then(|p| p.strip_prefix('.')) else {
                continue;
            };
            let value = get(name);
            if rest.ends_with(".line1") && value.is_empty() {
                return Err((name, "is required".into()));
            }
            edits.push((rest, value));
        }
        body.insert(stop.to_string(), stop_patch(order, stop, &edits));
    }
    let weight = get("weight");
    body.insert(
        "weight".into(),
        if weight.is_empty() {
            Value::Null
        } else {
            json!(weight
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| ("weight", "must be a number of kilograms".to_string()))?)
        },
    );
    let pieces = get("pieces");
    body.insert(
        "pieces".into(),
        if pieces.is_empty() {
            Value::Null
        } else {
            json!(pieces
                .parse::<u32>()
                .map_err(|_| ("pieces", "must be a whole number".to_string()))?)
        },
    );
    let notes = get("notes");
    body.insert(
        "notes".into(),
        if notes.is_empty() {
            Value::Null
        } else {
            json!(notes)
        },
    );
    body.insert(
        "version".into(),
        json!(get("version").parse::<u64>().unwrap_or(0)),
    );
    Ok(Value::Object(body))
}

/// A stop of the order as it is (postal code, window, requirements… kept) with `edits`
/// (`address.line1`, value) over it; an empty value removes the field.
pub(super) fn stop_patch(order: &Value, stop: &str, edits: &[(&str, String)]) -> Value {
    let mut kept: Map<String, Value> = ["address", "contact", "notes", "window", "requirements"]
        .into_iter()
        .filter(|k| !order[stop][*k].is_null())
        .map(|k| (k.to_string(), order[stop][k].clone()))
        .collect();
    for (path, value) in edits {
        let (object, key) = path.split_once('.').unwrap_or(("", path));
        let entry = kept.entry(object.to_string()).or_insert_with(|| json!({}));
        if let Some(map) = entry.as_object_mut() {
            if value.is_empty() {
                map.remove(key);
            } else {
                map.insert(key.to_string(), json!(value));
            }
        }
    }
    // A contact with neither name nor phone is no contact.
    if kept
        .get("contact")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        kept.remove("contact");
    }
    Value::Object(kept)
}

/// The form field an API error's field (`dropoff.recipient.phone`) belongs to.
fn form_field(api_field: &str) -> Option<&'static str> {
    let normalized = api_field.replace(".recipient.", ".contact.");
    GROUPS
        .iter()
        .flat_map(|(_, inputs)| inputs.iter())
        .find(|(_, _, _, path)| normalized.starts_with(path))
        .map(|s| s.0)
}

pub async fn edit_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?.to_string();
    let Some(order) = read_order(ctx, &req, &principal, &order_id).await? else {
        return Ok(not_found(true));
    };
    let values = form(&req);
    let version = field(&values, "version").trim().parse().unwrap_or(0);
    let mut sent = EditForm::build(version, |name| field(&values, name).to_string());
    let body = match patch(&order, &values) {
        Ok(body) => body,
        Err((name, message)) => {
            sent.error(name, message);
            return Ok(html(422, &order_view(&principal, &order, Some(sent))));
        }
    };
    let mut api = as_api(principal.clone(), &req);
    api.method = "PATCH".into();
    api.path_params.insert("orderId".into(), order_id.clone());
    api.body = body.to_string().into();
    match update_order(ctx, api).await {
        Ok(_) => Ok(redirect(&format!("/orders/{order_id}"))),
        Err(ApiError::NotFound(_)) => Ok(not_found(true)),
        Err(ApiError::Invalid { field, message, .. }) => {
            match form_field(&field) {
                Some(name) => sent.error(name, message),
                None => sent.error("", format!("{field}: {message}")),
            }
            Ok(html(422, &order_view(&principal, &order, Some(sent))))
        }
        Err(e @ (ApiError::Conflict { .. } | ApiError::Unquotable { .. })) => {
            // A newer version, or a state that no longer allows edits: the order as it is
            // now, with the reason.
            let current = read_order(ctx, &req, &principal, &order_id)
                .await?
                .unwrap_or(order);
            let mut again = EditForm::of(&current);
            again.error("", format!("Not saved: {e}"));
            Ok(html(409, &order_view(&principal, &current, Some(again))))
        }
        Err(e) => Err(e),
    }
}

pub async fn withdraw_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?.to_string();
    let mut api = as_api(principal, &req);
    api.method = "POST".into();
    api.path_params.insert("orderId".into(), order_id.clone());
    match withdraw_order(ctx, api).await {
        Ok(_) => Ok(redirect(&format!("/orders/{order_id}"))),
        Err(ApiError::NotFound(_) | ApiError::Invalid { .. }) => Ok(not_found(true)),
        Err(e @ ApiError::Conflict { .. }) => Ok(html(
            409,
            &MessagePage {
                title: "The order was not withdrawn",
                message: &e.to_string(),
                signed_in: true,
            },
        )),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_keeps_what_the_form_does_not_show() {
        let order = json!({
            "version": 3,
            "pickup": {"address": {"line1": "1 Market St", "city": "Lyon", "postalCode": "69002"}, "state": "unassigned", "id": "tsk_1"},
            "dropoff": {"address": {"line1": "9 Rue", "city": "Paris", "country": "FR"}, "contact": {"name": "Marie"}, "window": {"completeBefore": "2026-12-07T10:00:00Z"}},
        });
        let values: Vec<(String, String)> = [
            ("version", "3"),
            ("pickup_line1", "2 Market St"),
            ("pickup_city", "Lyon"),
            ("dropoff_line1", "9 Rue"),
            ("dropoff_city", "Paris"),
            ("recipient_name", "Marie Curie"),
            ("recipient_phone", ""),
            ("weight", "2,5"),
            ("pieces", "2"),
            ("notes", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let body = patch(&order, &values).unwrap();
        assert_eq!(body["pickup"]["address"]["postalCode"], "69002");
        assert_eq!(body["pickup"]["address"]["line1"], "2 Market St");
        assert!(body["pickup"].get("state").is_none());
        assert!(body["pickup"].get("contact").is_none());
        assert_eq!(body["dropoff"]["address"]["country"], "FR");
        assert_eq!(body["dropoff"]["contact"], json!({"name": "Marie Curie"}));
        assert_eq!(
            body["dropoff"]["window"]["completeBefore"],
            "2026-12-07T10:00:00Z"
        );
        assert_eq!(
            (
                body["weight"].clone(),
                body["pieces"].clone(),
                body["version"].clone()
            ),
            (json!(2.5), json!(2), json!(3))
        );
        assert!(body["notes"].is_null());
    }

    #[test]
    fn api_fields_map_to_the_form() {
        assert_eq!(
            form_field("dropoff.recipient.phone"),
            Some("recipient_phone")
        );
        assert_eq!(form_field("pickup.address.line1"), Some("pickup_line1"));
        assert_eq!(form_field("weight"), Some("weight"));
        assert_eq!(form_field("serviceId"), None);
    }
}

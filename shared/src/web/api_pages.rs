//! `GET /settings/api`: API keys (create, revoke; a new key's secret shown once) and
//! integrations (add one; its webhook URL; its inbox with `?integration=`, each delivery
//! replayable). Forms: `POST /settings/api/keys`, `POST /settings/api/keys/{keyId}/revoke`,
//! `POST /settings/api/integrations`,
//! `POST /settings/api/integrations/{integrationId}/deliveries/{deliveryId}/replay`; each onto
//! the JSON use case of the same name, so the API's rules (20 active keys, a secret per
//! platform, tenant isolation) hold here too.

use askama::Template;
use serde_json::{json, Value};

use super::format::{text, when};
use super::{as_api, field, form, html, not_found, redirect, signed_in, signed_in_post, Brand};
use crate::api::api_keys::{create_api_key, list_api_keys, revoke_api_key};
use crate::api::deliveries::{list_deliveries, replay_delivery};
use crate::api::integrations::{create_integration, list_integrations};
use crate::domain::api_key::Principal;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

pub struct KeyRow {
    pub id: String,
    pub prefix: String,
    pub label: String,
    pub created: String,
    pub revoked: String,
}

pub struct IntegrationRow {
    pub id: String,
    pub name: String,
    pub platform: String,
    pub webhook_url: String,
    pub status: String,
}

pub struct DeliveryRow {
    pub id: String,
    pub received: String,
    pub topic: String,
    pub signature: String,
    pub outcome: String,
    pub reasons: String,
    pub order_id: String,
    /// The body's size as received ("150.0 KB").
    pub size: String,
    /// Why it cannot be replayed (no body kept), or nothing: it can.
    pub not_replayable: Option<&'static str>,
}

/// Something shown once: a new key's or integration's secret.
pub struct Secret {
    pub what: String,
    pub value: String,
    pub webhook_url: String,
}

#[derive(Template)]
#[template(path = "web/settings_api.html")]
struct ApiPage {
    client_name: Brand,
    keys: Vec<KeyRow>,
    integrations: Vec<IntegrationRow>,
    /// The inbox shown: the integration's id and name, its deliveries.
    inbox: Option<(String, String, Vec<DeliveryRow>)>,
    secret: Option<Secret>,
    alert: Option<String>,
    label: String,
    label_error: Option<String>,
    integration_name: String,
    platform: String,
    errors: Vec<(String, String)>,
}

impl ApiPage {
    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }
}

fn items(response: Result<crate::http::ApiResponse, ApiError>) -> Result<Vec<Value>, ApiError> {
    match response {
        Ok(r) => Ok(
            serde_json::from_slice::<Value>(&r.body).unwrap_or_default()["items"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        ),
        // A courier has no integrations of its own to list here.
        Err(ApiError::Invalid { .. } | ApiError::Forbidden(_)) => Ok(vec![]),
        Err(e) => Err(e),
    }
}

/// The page: keys, integrations, and one integration's inbox.
async fn api_page(
    ctx: &Ctx,
    req: &ApiRequest,
    principal: &Principal,
    inbox: Option<&str>,
) -> Result<Option<ApiPage>, ApiError> {
    let mut list = as_api(principal.clone(), req);
    list.query.push(("limit".into(), "50".into()));
    let keys = items(list_api_keys(ctx, list.clone()).await)?
        .iter()
        .map(|k| KeyRow {
            id: text(&k["id"]),
            prefix: text(&k["prefix"]),
            label: text(&k["label"]),
            created: when(&k["createdAt"]),
            revoked: when(&k["revokedAt"]),
        })
        .collect();
    let integrations: Vec<IntegrationRow> = items(list_integrations(ctx, list.clone()).await)?
        .iter()
        .map(|i| IntegrationRow {
            id: text(&i["id"]),
            name: text(&i["name"]),
            platform: text(&i["platform"]),
            webhook_url: text(&i["webhookUrl"]),
            status: text(&i["status"]),
        })
        .collect();
    let inbox = match inbox {
        None => None,
        Some(id) => {
            let mut api = list.clone();
            api.path_params.insert("integrationId".into(), id.into());
            let deliveries = match list_deliveries(ctx, api).await {
                Ok(r) => items(Ok(r))?,
                Err(ApiError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(e),
            };
            let name = integrations
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            let rows = deliveries
                .iter()
                .map(|d| DeliveryRow {
                    id: text(&d["id"]),
                    received: when(&d["receivedAt"]),
                    topic: text(&d["topic"]),
                    signature: text(&d["signature"]),
                    outcome: text(&d["outcome"]),
                    reasons: d["reasons"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    order_id: text(&d["orderId"]),
                    size: d["bodyBytes"].as_u64().map(size_text).unwrap_or_default(),
                    not_replayable: not_replayable(d),
                })
                .collect();
            Some((id.to_string(), name, rows))
        }
    };
    Ok(Some(ApiPage {
        client_name: Brand::of(principal),
        keys,
        integrations,
        inbox,
        secret: None,
        alert: None,
        label: String::new(),
        label_error: None,
        integration_name: String::new(),
        platform: "shopify".into(),
        errors: vec![],
    }))
}

/// A body's size as people read it.
fn size_text(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// Replay needs the body, which is kept only for a signed delivery of at most 256 KiB
/// (`replay_delivery` refuses the others, with the same reasons).
fn not_replayable(delivery: &Value) -> Option<&'static str> {
    if delivery["signature"] != "valid" {
        Some("Not replayable: the signature failed, so its body was not kept")
    } else if delivery["bodyKept"] == false {
        Some("Not replayable: its body was too large to keep")
    } else {
        None
    }
}

pub async fn api_settings_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let inbox = req.query_param("integration").filter(|i| !i.is_empty());
    match api_page(ctx, &req, &principal, inbox).await? {
        Some(page) => Ok(html(200, &page)),
        None => Ok(not_found(true)),
    }
}

pub async fn create_api_key_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let label = field(&values, "label").trim().to_string();
    let mut api = as_api(principal.clone(), &req);
    api.method = "POST".into();
    api.body = if label.is_empty() {
        json!({})
    } else {
        json!({ "label": label })
    }
    .to_string()
    .into();
    let created = create_api_key(ctx, api).await;
    let Some(mut page) = api_page(ctx, &req, &principal, None).await? else {
        return Ok(not_found(true));
    };
    match created {
        Ok(response) => {
            let key: Value = serde_json::from_slice(&response.body).unwrap_or_default();
            page.secret = Some(Secret {
                what: format!("API key {}", text(&key["prefix"])),
                value: text(&key["key"]),
                webhook_url: String::new(),
            });
            Ok(html(201, &page))
        }
        Err(ApiError::Invalid { message, .. }) => {
            page.label = label;
            page.label_error = Some(message);
            Ok(html(422, &page))
        }
        Err(e @ ApiError::Conflict { .. }) => {
            page.alert = Some(e.to_string());
            Ok(html(409, &page))
        }
        Err(e) => Err(e),
    }
}

pub async fn revoke_api_key_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let mut api = as_api(principal, &req);
    api.method = "DELETE".into();
    api.path_params
        .insert("keyId".into(), req.path_param("keyId")?.to_string());
    match revoke_api_key(ctx, api).await {
        Ok(_) => Ok(redirect("/settings/api")),
        Err(ApiError::NotFound(_)) => Ok(not_found(true)),
        Err(e) => Err(e),
    }
}

pub async fn create_integration_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let get = |name: &str| field(&values, name).trim().to_string();
    let mut body = json!({ "platform": get("platform"), "name": get("name") });
    if !get("secret").is_empty() {
        body["secret"] = json!(get("secret"));
    }
    let mut api = as_api(principal.clone(), &req);
    api.method = "POST".into();
    api.body = body.to_string().into();
    let created = create_integration(ctx, api).await;
    let Some(mut page) = api_page(ctx, &req, &principal, None).await? else {
        return Ok(not_found(true));
    };
    page.integration_name = get("name");
    page.platform = get("platform");
    match created {
        Ok(response) => {
            let integration: Value = serde_json::from_slice(&response.body).unwrap_or_default();
            page.integration_name = String::new();
            page.secret = Some(Secret {
                what: format!("Integration {}", text(&integration["name"])),
                value: text(&integration["secret"]),
                webhook_url: text(&integration["webhookUrl"]),
            });
            Ok(html(201, &page))
        }
        Err(ApiError::Invalid { field, message, .. }) => {
            let field = if ["platform", "name", "secret"].contains(&field.as_str()) {
                field
            } else {
                "name".into()
            };
            page.errors.push((field, message));
            Ok(html(422, &page))
        }
        Err(ApiError::Forbidden(message)) => {
            page.alert = Some(message);
            Ok(html(403, &page))
        }
        Err(e) => Err(e),
    }
}

pub async fn replay_delivery_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let integration = req.path_param("integrationId")?.to_string();
    let mut api = as_api(principal, &req);
    api.method = "POST".into();
    api.path_params
        .insert("integrationId".into(), integration.clone());
    api.path_params.insert(
        "deliveryId".into(),
        req.path_param("deliveryId")?.to_string(),
    );
    match replay_delivery(ctx, api).await {
        Ok(_) => Ok(redirect(&format!(
            "/settings/api?integration={integration}"
        ))),
        Err(ApiError::NotFound(_) | ApiError::Invalid { .. }) => Ok(not_found(true)),
        Err(e @ ApiError::Conflict { .. }) => Ok(html(
            409,
            &super::MessagePage {
                title: "The delivery was not replayed",
                message: &e.to_string(),
                signed_in: true,
            },
        )),
        Err(e) => Err(e),
    }
}

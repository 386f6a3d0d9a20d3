//! `GET /settings/api`: API keys (create, revoke; a new key's secret shown once) and
//! integrations (add one; its webhook URL; its inbox with `?integration=`, each delivery
//! replayable). Forms: `POST /settings/api/keys`, `POST /settings/api/keys/{keyId}/revoke`,
//! `POST /settings/api/integrations`,
//! `POST /settings/api/integrations/{integrationId}/deliveries/{deliveryId}/replay`; each onto
//! the use case the JSON API runs too (`accounts::api_keys`, `integrations`), so the API's
//! rules (20 active keys, a secret per platform, tenant isolation) hold here too.
//!
//! Webhook endpoints (couriers and clients): listed with their state, added (the secret
//! shown once), turned off and on, deleted, their secret rotated, a test event sent; an
//! endpoint's delivery log with `?webhook=`, each delivery replayable. One form route,
//! `POST /settings/api/webhooks`, whose `action` names what to do, onto `hooks`.

use askama::Template;
use serde_json::json;

use super::format::local;
use super::reader::reader;
use super::{
    field, form, html, not_found, redirect, signed_in_admin, signed_in_admin_post, typed, Brand,
};
use crate::accounts::api_keys::{self, IssuedKey};
use crate::accounts::error::AccountError;
use crate::domain::api_key::{Principal, Role};
use crate::domain::ids::KeyId;
use crate::domain::integration::{Delivery, SignatureCheck};
use crate::domain::webhook::{self, DeliveryStatus, EventType};
use crate::domain::Label;
use crate::error::ApiError;
use crate::hooks::{self, EndpointFields, HookError};
use crate::http::client_only;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::integrations::error::IntegrationError;
use crate::integrations::{self, AddedIntegration, NewIntegration};
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

/// A webhook endpoint as the page lists it.
pub struct HookRow {
    pub id: String,
    pub url: String,
    pub description: String,
    /// The events it wants, in words.
    pub events: String,
    pub enabled: bool,
    /// Its state in words ("On", "Off: …").
    pub state: String,
}

/// One delivery of the log, in words and local time.
pub struct HookDeliveryRow {
    pub id: String,
    pub made: String,
    pub what: String,
    pub result: String,
    pub attempts: Vec<String>,
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
    hooks: Vec<HookRow>,
    /// The delivery log shown: the endpoint's id and URL, its deliveries.
    hook_log: Option<(String, String, Vec<HookDeliveryRow>)>,
    hook_url: String,
    hook_description: String,
    hook_types: Vec<String>,
    /// What the last webhook action did, in words (a test event's outcome).
    hook_notice: Option<String>,
    event_types: Vec<(&'static str, &'static str)>,
}

impl ApiPage {
    fn hook_checked(&self, value: &str) -> bool {
        self.hook_types.iter().any(|t| t == value)
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }
}

/// What the page lists: at most this many keys, integrations and deliveries.
const LISTED: u32 = 50;

/// The page: keys, integrations, and one integration's inbox.
async fn api_page(
    ctx: &Ctx,
    req: &ApiRequest,
    principal: &Principal,
    inbox: Option<&str>,
    hook: Option<&str>,
) -> Result<Option<ApiPage>, ApiError> {
    // Times in the reader's time zone.
    let zone = reader(ctx, principal).await?.1.tz();
    let keys = api_keys::list_api_keys(ctx, principal, LISTED, None)
        .await?
        .keys
        .into_iter()
        .map(|k| KeyRow {
            id: k.id.to_string(),
            prefix: k.prefix,
            label: k.label.unwrap_or_default(),
            created: local(&k.created_at, zone),
            revoked: k
                .revoked_at
                .as_deref()
                .map(|t| local(t, zone))
                .unwrap_or_default(),
        })
        .collect();
    // A courier has no integrations of its own to list here.
    let integrations: Vec<IntegrationRow> = match principal.role {
        Role::Courier => vec![],
        Role::Client => {
            let base = ctx.base_url(req);
            integrations::list_integrations(ctx, principal, None, LISTED, None)
                .await?
                .integrations
                .into_iter()
                .map(|i| IntegrationRow {
                    webhook_url: i.webhook_url(&base),
                    id: i.id,
                    name: i.name.to_string(),
                    platform: i.platform.as_str().into(),
                    status: i.status.as_str().into(),
                })
                .collect()
        }
    };
    let inbox = match inbox {
        None => None,
        Some(id) => {
            let deliveries =
                match integrations::list_deliveries(ctx, principal, id, LISTED, None).await {
                    Ok(page) => page.deliveries,
                    Err(IntegrationError::NotFound) => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
            let name = integrations
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            let rows = deliveries.iter().map(|d| delivery_row(d, zone)).collect();
            Some((id.to_string(), name, rows))
        }
    };
    let hooks = hooks::list_endpoints(ctx, principal, LISTED, None)
        .await?
        .0
        .iter()
        .map(|e| HookRow {
            id: e.id.clone(),
            url: e.url.clone(),
            description: e.description.clone().unwrap_or_default(),
            events: e
                .event_types
                .iter()
                .map(|t| t.label())
                .collect::<Vec<_>>()
                .join("; "),
            enabled: e.enabled,
            state: match (e.enabled, &e.disabled_reason) {
                (true, _) => match &e.failing_since {
                    Some(since) => format!("On, failing since {}", local(since, zone)),
                    None => "On".into(),
                },
                (false, Some(_)) => {
                    "Off: turned off by us after three days of failed deliveries".into()
                }
                (false, None) => "Off".into(),
            },
        })
        .collect();
    let hook_log = match hook {
        None => None,
        Some(id) => match hooks::list_deliveries(ctx, principal, id, LISTED, None).await {
            Ok((endpoint, deliveries, _)) => Some((
                endpoint.id,
                endpoint.url,
                deliveries
                    .iter()
                    .map(|d| hook_delivery_row(d, zone))
                    .collect(),
            )),
            Err(HookError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        },
    };
    Ok(Some(ApiPage {
        hooks,
        hook_log,
        hook_url: String::new(),
        hook_description: String::new(),
        hook_types: vec![],
        hook_notice: None,
        event_types: EventType::ALL.map(|t| (t.as_str(), t.label())).to_vec(),
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

fn hook_delivery_row(d: &webhook::Delivery, zone: chrono_tz::Tz) -> HookDeliveryRow {
    HookDeliveryRow {
        id: d.id(),
        made: local(&d.created_at, zone),
        what: event_words(&d.event_type),
        result: match d.status {
            DeliveryStatus::Delivered => "Delivered".into(),
            DeliveryStatus::Failed => "Not delivered: we stopped trying".into(),
            DeliveryStatus::Pending => match (&d.next_attempt_at, d.attempts.is_empty()) {
                (Some(next), false) => format!("Will try again at {}", local(next, zone)),
                _ => "Waiting to be sent".into(),
            },
        },
        attempts: d
            .attempts
            .iter()
            .map(|a| {
                let at = local(&a.at, zone);
                match (a.status_code, a.outcome.as_str()) {
                    (Some(code), _) => format!(
                        "{at}: your endpoint answered {code} after {} ms",
                        a.latency_ms
                    ),
                    (None, "refused") => format!(
                        "{at}: not sent, {}",
                        a.error.as_deref().unwrap_or("the address is not public")
                    ),
                    (None, _) => format!(
                        "{at}: no answer ({})",
                        a.error.as_deref().unwrap_or("the connection failed")
                    ),
                }
            })
            .collect(),
    }
}

/// An event type in words.
fn event_words(event_type: &str) -> String {
    match EventType::parse(event_type) {
        Some(t) => t.label().into(),
        None if event_type == "ping" => "Test event".into(),
        None => event_type.into(),
    }
}

fn delivery_row(d: &Delivery, zone: chrono_tz::Tz) -> DeliveryRow {
    DeliveryRow {
        id: d.id.clone(),
        received: local(&d.received_at, zone),
        topic: d.topic.clone().unwrap_or_default(),
        signature: d.signature.as_str().into(),
        outcome: d.outcome.as_str().into(),
        reasons: d.reasons.join(", "),
        order_id: d.order_id.clone().unwrap_or_default(),
        size: d
            .body_bytes
            .or(d.body.as_ref().map(String::len))
            .map(|b| size_text(b as u64))
            .unwrap_or_default(),
        not_replayable: not_replayable(d),
    }
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
fn not_replayable(delivery: &Delivery) -> Option<&'static str> {
    if delivery.signature != SignatureCheck::Valid {
        Some("Not replayable: the signature failed, so its body was not kept")
    } else if delivery.body.is_none() {
        Some("Not replayable: its body was too large to keep")
    } else {
        None
    }
}

pub async fn api_settings_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let inbox = req.query_param("integration").filter(|i| !i.is_empty());
    let hook = req.query_param("webhook").filter(|i| !i.is_empty());
    match api_page(ctx, &req, &principal, inbox, hook).await? {
        Some(page) => Ok(html(200, &page)),
        None => Ok(not_found(true)),
    }
}

pub async fn create_api_key_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let label = field(&values, "label").trim().to_string();
    let label_typed = match label.as_str() {
        "" => Ok(None),
        _ => typed::<Label>("label", json!(label)).map(Some),
    };
    // The label's error, or the use case's outcome.
    let created = match label_typed {
        Ok(label) => Ok(api_keys::create_api_key(ctx, &principal, label).await),
        Err(e) => Err(e),
    };
    let Some(mut page) = api_page(ctx, &req, &principal, None, None).await? else {
        return Ok(not_found(true));
    };
    match created {
        Ok(Ok(IssuedKey { record, key })) => {
            page.secret = Some(Secret {
                what: format!("API key {}", record.prefix),
                value: key.secret,
                webhook_url: String::new(),
            });
            Ok(html(201, &page))
        }
        Ok(Err(e)) => key_refused(page, e),
        Err(ApiError::Invalid { message, .. }) => {
            page.label = label;
            page.label_error = Some(message);
            Ok(html(422, &page))
        }
        Err(e) => Err(e),
    }
}

/// The one place an [`AccountError`] of a new key becomes words on the page: too many keys
/// (or a write that raced another) above the form (409); anything else answers as the API
/// would.
fn key_refused(mut page: ApiPage, e: AccountError) -> ApiResult {
    let alert = match e {
        e @ AccountError::TooManyKeys { .. } => e.to_string(),
        // Another request wrote the same items at the same time.
        AccountError::Store(e) if e.is_conflict() => ApiError::from(e).to_string(),
        e => return Err(e.into()),
    };
    page.alert = Some(alert);
    Ok(html(409, &page))
}

pub async fn revoke_api_key_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let Ok(key_id) = KeyId::parse(req.path_param("keyId")?) else {
        return Ok(not_found(true));
    };
    match api_keys::revoke_api_key(ctx, &principal, &key_id).await {
        Ok(()) => Ok(redirect("/settings/api")),
        Err(AccountError::KeyNotFound) => Ok(not_found(true)),
        Err(e) => Err(e.into()),
    }
}

/// The new integration the form describes, each value checked as the JSON API checks it
/// (the first error in the API's order: name, platform, secret).
fn new_integration(get: impl Fn(&str) -> String) -> Result<NewIntegration, ApiError> {
    let name = typed("name", json!(get("name")))?;
    let platform = typed("platform", json!(get("platform")))?;
    let secret = match get("secret") {
        s if s.is_empty() => None,
        s => Some(typed("secret", json!(s))?),
    };
    Ok(NewIntegration {
        platform,
        name,
        secret,
        default_weight_per_piece_kg: None,
    })
}

pub async fn create_integration_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    // A courier has no integrations of its own: its people find no such form (404).
    let principal = match super::signed_in_client_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let get = |name: &str| field(&values, name).trim().to_string();
    // A courier is refused before its form is read, as the API refuses it.
    let created = match client_only(&principal).and_then(|_| new_integration(get)) {
        Ok(new) => integrations::create_integration(ctx, &principal, new)
            .await
            .map_err(|e| match e {
                IntegrationError::Field { field, message, .. } => {
                    Refused::Field(field.api_name().into(), message)
                }
                e @ IntegrationError::ClientsOnly => Refused::Forbidden(e.to_string()),
                e => Refused::Failed(e.into()),
            }),
        Err(ApiError::Invalid { field, message, .. }) => Err(Refused::Field(field, message)),
        Err(ApiError::Forbidden(message)) => Err(Refused::Forbidden(message)),
        Err(e) => Err(Refused::Failed(e)),
    };
    let Some(mut page) = api_page(ctx, &req, &principal, None, None).await? else {
        return Ok(not_found(true));
    };
    page.integration_name = get("name");
    page.platform = get("platform");
    match created {
        Ok(AddedIntegration {
            integration,
            generated_secret,
        }) => {
            page.integration_name = String::new();
            page.secret = Some(Secret {
                what: format!("Integration {}", integration.name),
                value: generated_secret
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                webhook_url: integration.webhook_url(&ctx.base_url(&req)),
            });
            Ok(html(201, &page))
        }
        Err(Refused::Field(field, message)) => {
            let field = if ["platform", "name", "secret"].contains(&field.as_str()) {
                field
            } else {
                "name".into()
            };
            page.errors.push((field, message));
            Ok(html(422, &page))
        }
        Err(Refused::Forbidden(message)) => {
            page.alert = Some(message);
            Ok(html(403, &page))
        }
        Err(Refused::Failed(e)) => Err(e),
    }
}

/// Why the integration form was refused: a field of the form's, a courier's person, or
/// a failure the page answers as the API would.
enum Refused {
    Field(String, String),
    Forbidden(String),
    Failed(ApiError),
}

pub async fn replay_delivery_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let integration = req.path_param("integrationId")?.to_string();
    let replayed = integrations::replay_delivery(
        ctx,
        &principal,
        &integration,
        req.path_param("deliveryId")?,
        ctx.base_url(&req),
    )
    .await;
    match replayed {
        Ok(_) => Ok(redirect(&format!(
            "/settings/api?integration={integration}"
        ))),
        Err(IntegrationError::NotFound | IntegrationError::DeliveryNotFound) => Ok(not_found(true)),
        Err(e @ IntegrationError::NotReplayable { .. }) => Ok(html(
            409,
            &super::MessagePage {
                title: "The delivery was not replayed",
                message: &e.to_string(),
                signed_in: true,
                brand: None,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/api/webhooks`: `action` is `create` (`url`, `eventTypes` as many times
/// as chosen, `description`), or one of `enable`, `disable`, `delete`, `rotate`, `test` on
/// `endpointId`, or `replay` of its `deliveryId`. A new or rotated secret is shown on the
/// answer only; a test event's outcome too; the others go back to the page.
pub async fn webhook_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let get = |name: &str| field(&values, name).trim().to_string();
    let id = get("endpointId");
    let back = redirect("/settings/api#webhooks");
    let done: Result<ApiResponse, HookError> = match get("action").as_str() {
        "create" => {
            let types: Vec<String> = values
                .iter()
                .filter(|(k, _)| k == "eventTypes")
                .map(|(_, v)| v.clone())
                .collect();
            let fields = EndpointFields {
                url: Some(get("url")),
                event_types: Some(types.clone()),
                description: Some(Some(get("description"))),
                enabled: Some(true),
            };
            let created = hooks::create_endpoint(ctx, &principal, fields).await;
            let Some(mut page) = api_page(ctx, &req, &principal, None, None).await? else {
                return Ok(not_found(true));
            };
            return match created {
                Ok((endpoint, secret)) => {
                    page.secret = Some(Secret {
                        what: format!("Webhook endpoint {}", endpoint.url),
                        value: secret,
                        webhook_url: String::new(),
                    });
                    Ok(html(201, &page))
                }
                Err(e) => {
                    page.hook_url = get("url");
                    page.hook_description = get("description");
                    page.hook_types = types;
                    match e {
                        HookError::Field { field, message, .. } => {
                            let field = match field {
                                "eventTypes" => "eventTypes",
                                "description" => "description",
                                _ => "url",
                            };
                            page.errors.push((field.into(), message));
                            Ok(html(422, &page))
                        }
                        e @ HookError::TooMany(_) => {
                            page.alert = Some(e.to_string());
                            Ok(html(422, &page))
                        }
                        e => Err(e.into()),
                    }
                }
            };
        }
        "enable" | "disable" => {
            let fields = EndpointFields {
                enabled: Some(get("action") == "enable"),
                ..Default::default()
            };
            hooks::update_endpoint(ctx, &principal, &id, fields, None)
                .await
                .map(|_| back)
        }
        "delete" => hooks::delete_endpoint(ctx, &principal, &id)
            .await
            .map(|_| back),
        "replay" => hooks::replay_delivery(ctx, &principal, &id, &get("deliveryId"))
            .await
            .map(|_| redirect(&format!("/settings/api?webhook={id}#webhook-log"))),
        "rotate" => match hooks::rotate_secret(ctx, &principal, &id).await {
            Ok((endpoint, secret)) => {
                let Some(mut page) = api_page(ctx, &req, &principal, None, None).await? else {
                    return Ok(not_found(true));
                };
                page.secret = Some(Secret {
                    what: format!("A new secret for {}", endpoint.url),
                    value: secret,
                    webhook_url: String::new(),
                });
                page.hook_notice = Some(
                    "The old secret keeps signing beside the new one for 24 hours: switch your \
                     system to the new one within a day."
                        .into(),
                );
                Ok(html(200, &page))
            }
            Err(e) => Err(e),
        },
        "test" => match hooks::send_test_event(ctx, &principal, &id).await {
            Ok(delivery) => {
                let Some(mut page) = api_page(ctx, &req, &principal, None, Some(&id)).await? else {
                    return Ok(not_found(true));
                };
                let attempt = delivery.attempts.first();
                page.hook_notice = Some(match attempt {
                    Some(a) if a.succeeded() => format!(
                        "Test event sent: your endpoint answered {} after {} ms.",
                        a.status_code.unwrap_or_default(),
                        a.latency_ms
                    ),
                    Some(a) => match a.status_code {
                        Some(code) => format!(
                            "The test event was not accepted: your endpoint answered {code}."
                        ),
                        None => format!(
                            "The test event did not arrive: {}.",
                            a.error.as_deref().unwrap_or("no answer")
                        ),
                    },
                    None => "The test event was not sent.".into(),
                });
                Ok(html(200, &page))
            }
            Err(e) => Err(e),
        },
        _ => return Ok(not_found(true)),
    };
    match done {
        Ok(response) => Ok(response),
        Err(HookError::NotFound(_)) => Ok(not_found(true)),
        Err(e) => Err(e.into()),
    }
}

//! `POST /v1/integrations/{integrationId}/webhook` (public: the signature is the
//! credential). At most three DynamoDB calls: GetItem of the integration, BatchGetItem of
//! the client and the delivery's markers, then one write (the order's transaction with the
//! markers and the delivery record, or the delivery record alone). A lost race between two
//! deliveries of one platform order, and a cancellation of an order that can no longer be
//! withdrawn, cost a fourth call (the delivery record), as `infra/DATA_MODEL.md` says.

use bytes::Bytes;
use serde_json::{json, Value};
use std::sync::Arc;

use super::orders::{order_key, versioned};
use super::records::{from_item, to_item};
use crate::clock::timestamp;
use crate::domain::client::{Client, ClientStatus};
use crate::domain::integration::delivery::new_delivery_id;
use crate::domain::integration::signature::{self, Signed};
use crate::domain::integration::{
    parse_integration_id, Delivery, Integration, IntegrationStatus, Outcome, Platform,
    SignatureCheck,
};
use crate::domain::order::{Order, Source, TimelineEntry};
use crate::domain::order_fields::{ExternalId, Pieces};
use crate::domain::order_machine::{transition, Event, OrderState, OrderStatus};
use crate::domain::pricing::Weight;
use crate::domain::shop_order::{self, generic, Incoming, ShopEvent, ShopOrder};
use crate::domain::text::Notes;
use crate::domain::token;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::{place_order, CreateOrder, DraftMode, OrderOwner, OrderWrites, Placed};
use crate::store::{keys, Cond, Key, Update, Write, PK};
use crate::Ctx;

/// The largest body the inbox keeps for replay (a DynamoDB item holds at most 400 KB).
pub const MAX_KEPT_BODY: usize = 256 * 1024;
/// How long deliveries and their markers stay (platforms redeliver for days, not months).
const DELIVERY_TTL_DAYS: i64 = 90;

/// The headers processing reads, kept with the delivery for replay (lower-case).
const KEPT_HEADERS: &[&str] = &[
    "x-shopify-topic",
    "x-shopify-webhook-id",
    "x-shopify-shop-domain",
    "x-shopify-event-id",
    "x-shopify-triggered-at",
    "x-wc-webhook-topic",
    "x-wc-webhook-source",
    "x-wc-webhook-id",
    "x-wc-webhook-delivery-id",
    "webhook-id",
    "webhook-timestamp",
    "webhook-type",
];

pub async fn receive_webhook(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let not_found = || ApiError::NotFound("integration");
    let id = parse_integration_id(req.path_param("integrationId")?).ok_or_else(not_found)?;
    let item = ctx
        .store
        .get(&keys::integration(id))
        .await?
        .ok_or_else(not_found)?;
    let integration: Integration = from_item(item)?;
    if integration.platform == Platform::Woocommerce && is_woocommerce_ping(&req) {
        // WooCommerce checks the URL with an unsigned ping and wants exactly 200.
        return Ok(ApiResponse::ok(&json!({ "ping": "ok" })));
    }
    let received = Received::from_request(&req);
    let signed = Signed {
        headers: &req.headers,
        body: &req.body,
    };
    if let Err(rejected) = signature::verify(
        integration.platform,
        &integration.keys(),
        &signed,
        ctx.now(),
    ) {
        let mut delivery = received.delivery(ctx, &integration);
        delivery.signature = rejected.check;
        delivery.outcome = Outcome::RejectedSignature;
        delivery.reasons = vec![rejected.reason.to_string()];
        record(ctx, &delivery, None).await?;
        let (code, message) = match rejected.check {
            SignatureCheck::Missing => ("missing_signature", "the delivery is not signed"),
            _ => (
                "invalid_signature",
                "the signature does not match this integration's secrets",
            ),
        };
        return Ok(ApiResponse::json(
            401,
            &json!({ "error": { "code": code, "message": message } }),
        ));
    }
    let delivery = process(ctx, &integration, received, None, ctx.base_url(&req)).await?;
    Ok(ApiResponse::ok(&delivery.view()))
}

/// WooCommerce's ping: `webhook_id=<n>`, no signature, no WooCommerce headers.
fn is_woocommerce_ping(req: &ApiRequest) -> bool {
    req.header("x-wc-webhook-signature").is_none()
        && req.header("x-wc-webhook-topic").is_none()
        && std::str::from_utf8(&req.body)
            .ok()
            .and_then(|b| b.trim().strip_prefix("webhook_id="))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// A delivery as received: what processing reads (kept for replay).
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Received {
    pub fn from_request(req: &ApiRequest) -> Self {
        let headers = KEPT_HEADERS
            .iter()
            .filter_map(|name| Some((name.to_string(), req.header(name)?.trim().to_string())))
            .collect();
        Self {
            headers,
            body: req.body.clone(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn topic(&self, platform: Platform) -> Option<&str> {
        match platform {
            Platform::Shopify => self.header("x-shopify-topic"),
            Platform::Woocommerce => self.header("x-wc-webhook-topic"),
            Platform::Generic => Some(self.header("webhook-type").unwrap_or(generic::TOPIC)),
        }
    }

    fn platform_delivery_id(&self, platform: Platform) -> Option<&str> {
        match platform {
            Platform::Shopify => self.header("x-shopify-webhook-id"),
            Platform::Woocommerce => self.header("x-wc-webhook-delivery-id"),
            Platform::Generic => self.header("webhook-id"),
        }
    }

    /// What makes a redelivery the same delivery: Shopify's `X-Shopify-Webhook-Id`, the
    /// generic `webhook-id`; WooCommerce's delivery id changes every second, so its source,
    /// order, topic and modification time.
    fn dedupe_hash(&self, platform: Platform, body: Option<&Value>) -> Option<String> {
        let key = match platform {
            Platform::Shopify => format!("shopify\n{}", self.header("x-shopify-webhook-id")?),
            Platform::Generic => format!("generic\n{}", self.header("webhook-id")?),
            Platform::Woocommerce => {
                let body = body?;
                format!(
                    "woocommerce\n{}\n{}\n{}\n{}",
                    self.header("x-wc-webhook-source").unwrap_or_default(),
                    shop_order_text(body, "id")?,
                    self.header("x-wc-webhook-topic").unwrap_or_default(),
                    shop_order_text(body, "date_modified_gmt").unwrap_or_default(),
                )
            }
        };
        Some(token::hash(&key))
    }

    /// A new inbox record for this delivery (signature valid, outcome to be decided).
    fn delivery(&self, ctx: &Ctx, integration: &Integration) -> Delivery {
        let now = ctx.now();
        let kept = self.body.len() <= MAX_KEPT_BODY;
        Delivery {
            id: new_delivery_id(now),
            integration_id: integration.id.clone(),
            courier_id: integration.courier_id.clone(),
            client_id: integration.client_id.clone(),
            received_at: timestamp(now),
            platform: integration.platform,
            topic: self.topic(integration.platform).map(str::to_string),
            delivery_id: self
                .platform_delivery_id(integration.platform)
                .map(str::to_string),
            signature: SignatureCheck::Valid,
            outcome: Outcome::Failed,
            reasons: vec![],
            order_id: None,
            replay_of: None,
            headers: self.headers.clone(),
            body: kept.then(|| String::from_utf8_lossy(&self.body).into_owned()),
            ttl: (now + chrono::Duration::days(DELIVERY_TTL_DAYS)).timestamp(),
        }
    }
}

fn shop_order_text(body: &Value, field: &str) -> Option<String> {
    match body.get(field)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Processes a delivery whose signature holds (or a replay of one): the second read and
/// the one write of the webhook.
pub async fn process(
    ctx: &Ctx,
    integration: &Integration,
    received: Received,
    replay_of: Option<String>,
    base_url: String,
) -> Result<Delivery, ApiError> {
    let mut delivery = received.delivery(ctx, integration);
    delivery.replay_of = replay_of.clone();
    if delivery.body.is_none() {
        delivery.reasons = vec![format!(
            "body_too_large: the body is larger than {MAX_KEPT_BODY} bytes"
        )];
        record(ctx, &delivery, None).await?;
        return Ok(delivery);
    }
    let body: Option<Value> = serde_json::from_slice(&received.body).ok();
    let event = match (received.topic(integration.platform), &body) {
        (None, _) => ShopEvent::Ignore(vec!["topic_missing: the delivery names no topic".into()]),
        (Some(_), None) => {
            ShopEvent::Unreadable(vec!["body_not_json: the body is not JSON".into()])
        }
        (Some(topic), Some(body)) => shop_order::map(&Incoming {
            platform: integration.platform,
            topic,
            body,
            default_piece_grams: integration.default_weight_per_piece_kg.map(|w| w.grams()),
        }),
    };
    // A replay is processed again on purpose: only the platform order's marker holds.
    let seen_marker = match replay_of {
        None => received
            .dedupe_hash(integration.platform, body.as_ref())
            .map(|hash| keys::delivery_marker(&integration.id, &hash)),
        Some(_) => None,
    };
    let order_marker = match &event {
        ShopEvent::Create(order) => order.platform_order_id.as_deref(),
        ShopEvent::Cancel { platform_order_id } => Some(platform_order_id.as_str()),
        _ => None,
    }
    .map(|id| keys::platform_order(&integration.id, id));
    let mut reads = vec![keys::client(
        integration.courier_id.as_str(),
        integration.client_id.as_str(),
    )];
    reads.extend(seen_marker.clone());
    reads.extend(order_marker.clone());
    let mut found = ctx.store.batch_get(&reads).await?.into_iter();
    let client: Option<Client> = found.next().flatten().map(from_item).transpose()?;
    let seen = match &seen_marker {
        Some(_) => found.next().flatten(),
        None => None,
    };
    let made: Option<String> = match &order_marker {
        Some(_) => found
            .next()
            .flatten()
            .and_then(|m| m.get("orderId")?.as_str().map(str::to_string)),
        None => None,
    };

    if let Some(first) = seen {
        delivery.outcome = Outcome::Duplicate;
        delivery.order_id = first
            .get("orderId")
            .and_then(Value::as_str)
            .map(str::to_string);
        delivery.reasons = vec![format!(
            "redelivery: already received as {}",
            first
                .get("deliveryId")
                .and_then(Value::as_str)
                .unwrap_or("an earlier delivery")
        )];
        record(ctx, &delivery, None).await?;
        return Ok(delivery);
    }
    let refusal = if integration.status == IntegrationStatus::Deleted {
        Some("integration_deleted: the client deleted this integration")
    } else if !client
        .as_ref()
        .is_some_and(|c| c.integrations_enabled && c.status != ClientStatus::Deleted)
    {
        Some("integrations_disabled: the courier has not turned integrations on for this client")
    } else {
        None
    };
    if let Some(why) = refusal {
        delivery.outcome = Outcome::Refused;
        delivery.reasons = vec![why.into()];
        record(ctx, &delivery, None).await?;
        return Ok(delivery);
    }
    let client = client.ok_or_else(|| ApiError::Internal("checked above".into()))?;
    match event {
        ShopEvent::Ignore(reasons) => {
            delivery.outcome = Outcome::Ignored;
            delivery.reasons = reasons;
            record(ctx, &delivery, seen_marker).await?;
        }
        ShopEvent::Unreadable(reasons) => {
            delivery.outcome = Outcome::Failed;
            delivery.reasons = reasons;
            record(ctx, &delivery, None).await?;
        }
        ShopEvent::Cancel { platform_order_id } => match made {
            Some(order_id) => withdraw(ctx, &mut delivery, &order_id, seen_marker).await?,
            None => {
                delivery.outcome = Outcome::Ignored;
                delivery.reasons = vec![format!(
                    "no_order: no order was made from platform order {platform_order_id}"
                )];
                record(ctx, &delivery, seen_marker).await?;
            }
        },
        ShopEvent::Create(order) => match made {
            Some(order_id) => {
                delivery.outcome = Outcome::Duplicate;
                delivery.reasons = vec![format!(
                    "order_exists: {order_id} was already made from this platform order"
                )];
                delivery.order_id = Some(order_id);
                record(ctx, &delivery, seen_marker).await?;
            }
            None => {
                let owner = OrderOwner::of_client(&client);
                place(
                    ctx,
                    &mut delivery,
                    owner,
                    *order,
                    seen_marker,
                    order_marker,
                    base_url,
                )
                .await?;
            }
        },
    }
    Ok(delivery)
}

/// Places (or drafts) the order through the one order-creation use case, with the markers
/// and the delivery record in its transaction.
async fn place(
    ctx: &Ctx,
    delivery: &mut Delivery,
    owner: OrderOwner,
    order: ShopOrder,
    seen_marker: Option<Key>,
    order_marker: Option<Key>,
    base_url: String,
) -> Result<(), ApiError> {
    delivery.reasons = order.reasons.clone();
    let cmd = match command(owner, &delivery.integration_id, order, base_url) {
        Ok(cmd) => cmd,
        Err(why) => {
            delivery.outcome = Outcome::Failed;
            delivery.reasons.push(why);
            return record(ctx, delivery, None).await;
        }
    };
    let mut cmd = cmd;
    let template = delivery.clone();
    cmd.order_writes = Some(OrderWrites(Arc::new(move |order: &Order| {
        let done = placed(&template, order);
        let mut writes = vec![];
        // Both markers hold the order's id; either one already there writes nothing.
        if let Some(key) = &seen_marker {
            writes.push(Write::Put {
                item: marker_item(key, &done, Some(&order.id))?,
                cond: Some(Cond::not_exists(PK)),
            });
        }
        if let Some(key) = &order_marker {
            writes.push(Write::Put {
                item: to_item(
                    &json!({ "orderId": order.id, "deliveryId": done.id }),
                    key,
                    "PlatformOrder",
                )?,
                cond: Some(Cond::not_exists(PK)),
            });
        }
        writes.push(Write::Put {
            item: delivery_item(&done)?,
            cond: None,
        });
        Ok(writes)
    })));
    match place_order(ctx, cmd).await {
        Ok(Placed::Created(order)) => {
            *delivery = placed(delivery, &order);
            Ok(())
        }
        Ok(Placed::Refused { .. } | Placed::Replayed { .. }) => {
            // Another delivery of the same platform order won the race.
            delivery.outcome = Outcome::Duplicate;
            delivery
                .reasons
                .push("order_exists: another delivery of this platform order made it".into());
            record(ctx, delivery, None).await
        }
        Err(e) if e.status() < 500 => {
            delivery.outcome = Outcome::Failed;
            delivery.reasons.push(e.to_string());
            record(ctx, delivery, None).await
        }
        Err(e) => Err(e),
    }
}

/// The delivery once `order` is made: created or drafted, with the draft's reasons.
fn placed(delivery: &Delivery, order: &Order) -> Delivery {
    let mut delivery = delivery.clone();
    delivery.order_id = Some(order.id.clone());
    if order.status == OrderStatus::Draft {
        delivery.outcome = Outcome::Drafted;
        delivery.reasons.extend(order.draft_reasons.iter().cloned());
    } else {
        delivery.outcome = Outcome::Created;
    }
    delivery
}

/// The order-creation command of a shop order: its values checked as the API checks them.
fn command(
    owner: OrderOwner,
    integration_id: &str,
    order: ShopOrder,
    base_url: String,
) -> Result<CreateOrder, String> {
    let mut cmd = CreateOrder::new(
        owner,
        format!("integration:{integration_id}"),
        Source::Integration,
        order.dropoff,
        base_url,
    );
    cmd.pickup = order.pickup;
    cmd.service_id = order.service_id;
    cmd.weight = match (order.weight_grams, order.weight) {
        (Some(grams), _) => Some(Weight::from_grams(grams).map_err(|e| format!("weight: {e}"))?),
        (None, Some(value)) => {
            Some(serde_json::from_value(value).map_err(|e| format!("weight: {e}"))?)
        }
        (None, None) => None,
    };
    cmd.pieces = order
        .pieces
        .map(Pieces::try_from)
        .transpose()
        .map_err(|e| format!("pieces: {e}"))?;
    cmd.notes = order
        .notes
        .map(|n| Notes::parse(&n))
        .transpose()
        .map_err(|e| format!("notes: {e}"))?;
    cmd.external_id = order
        .external_id
        .map(|e| ExternalId::parse(&e))
        .transpose()
        .map_err(|e| format!("externalId: {e}"))?;
    cmd.draft = if order.draft {
        DraftMode::Always
    } else {
        DraftMode::WhenUnquotable
    };
    Ok(cmd)
}

/// A cancellation: the order is withdrawn when its state allows (the status machine's
/// states for `Withdraw`, checked in the write), else flagged in the inbox.
async fn withdraw(
    ctx: &Ctx,
    delivery: &mut Delivery,
    order_id: &str,
    seen_marker: Option<Key>,
) -> Result<(), ApiError> {
    let withdrawable: Vec<&str> = OrderStatus::ALL
        .into_iter()
        .filter(|s| transition(OrderState::new(*s), Event::Withdraw).is_ok())
        .map(OrderStatus::as_str)
        .collect();
    let entry = TimelineEntry {
        at: delivery.received_at.clone(),
        what: "withdrawn".into(),
        by: format!("integration:{}", delivery.integration_id),
        detail: Some("cancelled in the shop".into()),
    };
    delivery.order_id = Some(order_id.to_string());
    delivery.outcome = Outcome::Withdrawn;
    let mut writes = vec![
        Write::Update {
            key: order_key(delivery.courier_id.as_str(), order_id),
            update: versioned(
                Update::new().set("status", OrderStatus::Withdrawn.as_str()),
                &entry,
            ),
            cond: Some(
                Cond::one_of("status", withdrawable)
                    .and(Cond::eq("clientId", delivery.client_id.as_str())),
            ),
        },
        Write::Put {
            item: delivery_item(delivery)?,
            cond: None,
        },
    ];
    if let Some(key) = &seen_marker {
        writes.push(Write::Put {
            item: marker_item(key, delivery, Some(order_id))?,
            cond: None,
        });
    }
    match ctx.store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(e) if e.condition_failed_at(0) => {
            delivery.outcome = Outcome::Flagged;
            delivery.reasons = vec![format!(
                "not_withdrawable: {order_id} is scheduled, under way, done or already withdrawn; ask the courier"
            )];
            record(ctx, delivery, seen_marker).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes the delivery record (with the marker that makes a redelivery a duplicate).
pub async fn record(ctx: &Ctx, delivery: &Delivery, marker: Option<Key>) -> Result<(), ApiError> {
    let item = delivery_item(delivery)?;
    match marker {
        None => ctx.store.put(item, None).await?,
        Some(key) => {
            let writes = vec![
                Write::Put { item, cond: None },
                Write::Put {
                    item: marker_item(&key, delivery, delivery.order_id.as_deref())?,
                    cond: None,
                },
            ];
            ctx.store.transact(writes).await?
        }
    }
    Ok(())
}

pub fn delivery_item(delivery: &Delivery) -> Result<crate::store::Item, ApiError> {
    to_item(
        delivery,
        &keys::delivery(&delivery.integration_id, &delivery.id),
        "Delivery",
    )
}

fn marker_item(
    key: &Key,
    delivery: &Delivery,
    order_id: Option<&str>,
) -> Result<crate::store::Item, ApiError> {
    to_item(
        &json!({ "deliveryId": delivery.id, "orderId": order_id, "ttl": delivery.ttl }),
        key,
        "DeliveryMarker",
    )
}

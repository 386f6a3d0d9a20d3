//! `POST /v1/integrations/{integrationId}/webhook` (public: the signature is the
//! credential). At most three DynamoDB calls: GetItem of the integration, BatchGetItem of
//! the client and the delivery's markers, then one write (the order's transaction with the
//! markers and the delivery record, or the delivery record alone). A lost race between two
//! deliveries of one platform order, and a cancellation of an order that can no longer be
//! withdrawn, cost a fourth call (the delivery record), as `infra/DATA_MODEL.md` says.

use serde_json::json;

use crate::api::records::from_item;
use crate::domain::integration::signature::{self, Signed};
use crate::domain::integration::{
    parse_integration_id, Integration, Outcome, Platform, SignatureCheck,
};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::integrations::webhook::{process, record, Received};
use crate::store::keys;
use crate::Ctx;

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
    let received = Received::new(|name| req.header(name), req.body.clone());
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
        // Anyone may post here: an unsigned body is never replayed, and kept it would
        // let them store 256 KB for 90 days per post. The record keeps its size.
        delivery.body = None;
        record(ctx, &delivery, None).await?;
        webhook_outcome(&delivery);
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
    webhook_outcome(&delivery);
    Ok(ApiResponse::ok(&delivery.view()))
}

/// A delivery's outcome, counted and logged (a refused or failed one at warn, with its ids).
fn webhook_outcome(delivery: &crate::domain::integration::Delivery) {
    crate::observe::record_ids(
        delivery.courier_id.as_str(),
        Some(delivery.client_id.as_str()),
    );
    let outcome = delivery.outcome.as_str();
    crate::observe::metrics::count(
        crate::observe::metrics::Metric::WebhookDeliveries(outcome),
        1,
    );
    match delivery.outcome {
        Outcome::Created | Outcome::Drafted | Outcome::Duplicate | Outcome::Withdrawn => {
            tracing::info!(
                integration_id = %delivery.integration_id,
                delivery_id = %delivery.id,
                order_id = delivery.order_id.as_deref().unwrap_or(""),
                outcome,
                "webhook delivery"
            )
        }
        _ => tracing::warn!(
            integration_id = %delivery.integration_id,
            delivery_id = %delivery.id,
            outcome,
            reasons = %crate::observe::redact::text(&delivery.reasons.join("; ")),
            "webhook delivery not turned into an order"
        ),
    }
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

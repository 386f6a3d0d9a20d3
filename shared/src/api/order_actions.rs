//! Status changes of an order: `POST /v1/orders/{orderId}/withdraw|resubmit|finalize`
//! (client; finalize also courier) and `.../reject` (courier).

use serde::Deserialize;

use super::orders::{actor, apply, load_order};
use crate::clock::timestamp;
use crate::domain::order::{Order, Rejection, TimelineEntry};
use crate::domain::order_machine::{transition, Event, OrderState};
use crate::domain::text::Notes;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::{finalize, FinalizeOrder};
use crate::store::Update;
use crate::Ctx;

pub async fn withdraw_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.client()?;
    change(ctx, &req, who, Event::Withdraw, "withdrawn", None).await
}

pub async fn resubmit_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.client()?;
    change(ctx, &req, who, Event::Resubmit, "resubmitted", None).await
}

/// The HTTP adapter onto [`crate::ordering::finalize`].
pub async fn finalize_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let cmd = FinalizeOrder {
        by: req.principal()?.clone(),
        order_id: req.path_param("orderId")?.to_string(),
    };
    let order = finalize(ctx, cmd).await?;
    Ok(ApiResponse::ok(&order.view()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectBody {
    reason: Notes,
}

pub async fn reject_order(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let body: RejectBody = req.json()?;
    change(
        ctx,
        &req,
        who,
        Event::Reject,
        "rejected",
        Some(body.reason.to_string()),
    )
    .await
}

/// Loads the order, asks the status machine, and writes the new state at the read version.
async fn change(
    ctx: &Ctx,
    req: &ApiRequest,
    who: &crate::domain::api_key::Principal,
    event: Event,
    what: &str,
    reason: Option<String>,
) -> ApiResult {
    let order = load_order(ctx, who, req.path_param("orderId")?).await?;
    let next = transition(order.state(), event)
        .map_err(|e| ApiError::conflict("invalid_state", e.to_string()))?;
    let at = timestamp(ctx.now());
    let mut update = state_update(&order, next);
    if let Some(reason) = &reason {
        update = update.set(
            "rejection",
            serde_json::to_value(Rejection {
                reason: reason.clone(),
                at: at.clone(),
            })
            .unwrap_or_default(),
        );
    }
    let entry = TimelineEntry {
        at,
        what: what.into(),
        by: actor(who),
        detail: reason,
    };
    let saved = apply(ctx, &order, update, entry).await?;
    Ok(ApiResponse::ok(&saved.view()))
}

/// Sets status and task states that differ from the order's (assignments are dropped
/// when tasks return to unassigned).
pub fn state_update(order: &Order, next: OrderState) -> Update {
    let mut update = Update::new();
    if next.status != order.status {
        update = update.set("status", next.status.as_str());
        if order.status == crate::domain::order_machine::OrderStatus::Draft {
            // Out of the sparse index of drafts; into the tracking index (a compact draft
            // is not in it).
            update = update
                .remove("GSI4PK")
                .remove("GSI4SK")
                .set(
                    "GSI3PK",
                    crate::store::keys::tracking_pk(&order.tracking_token).as_str(),
                )
                .set("GSI3SK", crate::store::keys::TRACKING_SK);
        }
    }
    for (path, before, after) in [
        ("pickup", order.pickup.state, next.pickup),
        ("dropoff", order.dropoff.state, next.dropoff),
    ] {
        if before != after {
            update = update.set(&format!("{path}.state"), after.as_str());
            if after == crate::domain::order_machine::TaskState::Unassigned {
                update = update
                    .remove(&format!("{path}.driver"))
                    .remove(&format!("{path}.eta"));
            }
        }
    }
    update
}

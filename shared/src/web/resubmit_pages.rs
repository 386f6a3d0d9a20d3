//! `POST /orders/{orderId}/resubmit` ("Save and resubmit" on a rejected order's page): the
//! dropoff as edited, at the version the page showed, through the JSON use cases
//! `update_order` then `resubmit_order`; back to the order's page.

use serde_json::json;

use super::order_edit_pages::stop_patch;
use super::orders_pages::read_order;
use super::{as_api, field, form, html, not_found, redirect, signed_in_post, MessagePage};
use crate::api::order_actions::resubmit_order;
use crate::api::orders::update_order;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

pub async fn resubmit_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?.to_string();
    let values = form(&req);
    let get = |name: &str| field(&values, name).trim().to_string();
    // The dropoff as the order has it (postal code, country, window… kept), edited.
    let Some(order) = read_order(ctx, &req, &principal, &order_id).await? else {
        return Ok(not_found(true));
    };
    let edits: Vec<(&str, String)> = [
        ("address.line1", "dropoff_line1"),
        ("address.city", "dropoff_city"),
        ("contact.name", "recipient_name"),
        ("contact.phone", "recipient_phone"),
    ]
    .into_iter()
    .map(|(path, name)| (path, get(name)))
    .collect();
    let dropoff = stop_patch(&order, "dropoff", &edits);
    let version = get("version").parse::<u64>().unwrap_or(0);
    let mut edit = as_api(principal.clone(), &req);
    edit.method = "PATCH".into();
    edit.path_params.insert("orderId".into(), order_id.clone());
    edit.body = json!({ "version": version, "dropoff": dropoff })
        .to_string()
        .into();
    let refused = |message: String| {
        html(
            422,
            &MessagePage {
                title: "The order was not resubmitted",
                message: &message,
                signed_in: true,
            },
        )
    };
    match update_order(ctx, edit).await {
        Ok(_) => {}
        Err(ApiError::NotFound(_)) => return Ok(not_found(true)),
        Err(ApiError::Invalid { field, message, .. }) => {
            return Ok(refused(format!(
                "{field} {message}. Go back and correct it."
            )))
        }
        Err(e @ ApiError::Conflict { .. }) => return Ok(refused(e.to_string())),
        Err(e) => return Err(e),
    }
    let mut again = as_api(principal, &req);
    again.method = "POST".into();
    again.path_params.insert("orderId".into(), order_id.clone());
    match resubmit_order(ctx, again).await {
        Ok(_) => Ok(redirect(&format!("/orders/{order_id}"))),
        Err(e @ ApiError::Conflict { .. }) => Ok(refused(e.to_string())),
        Err(e) => Err(e),
    }
}

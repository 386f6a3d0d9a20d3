//! `POST /orders/{orderId}/resubmit` ("Save and resubmit" on a rejected order's page): the
//! dropoff as edited, at the version the page showed, through the use cases `edit_order`
//! then `change_status` (resubmit); back to the order's page.

use super::order_edit_pages::client_only;
use super::order_errors::refusal;
use super::order_form::{edited_stop, DROPOFF};
use super::orders_pages::read_order;
use super::{field, form, html, not_found, redirect, signed_in_post, MessagePage};
use crate::http::{ApiRequest, ApiResult};
use crate::ordering::OrderError;
use crate::ordering::{change_status, edit_order, EditOrder, OrderChanges, StatusChange};
use crate::Ctx;

pub async fn resubmit_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    client_only(&principal)?;
    let order_id = req.path_param("orderId")?.to_string();
    let values = form(&req);
    let Some(order) = read_order(ctx, &principal, &order_id).await? else {
        return Ok(not_found(true));
    };
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
    // The dropoff as the order has it (postal code, country, window… kept), edited.
    let dropoff = match edited_stop(&order.dropoff.stop, &DROPOFF, &values) {
        Ok(dropoff) => dropoff,
        Err(errors) => {
            let (name, message) = &errors[0];
            let label = match *name {
                "dropoff_line1" => "The address",
                "dropoff_city" => "The city",
                "recipient_name" => "The recipient's name",
                _ => "The recipient's phone",
            };
            return Ok(refused(format!(
                "{label} {message}. Go back and correct it."
            )));
        }
    };
    let cmd = EditOrder {
        by: principal.clone(),
        order_id: order_id.clone(),
        version: field(&values, "version").trim().parse().unwrap_or(0),
        changes: OrderChanges {
            dropoff: Some(dropoff),
            ..OrderChanges::default()
        },
    };
    match edit_order(ctx, cmd).await {
        Ok(_) => {}
        Err(OrderError::NotFound) => return Ok(not_found(true)),
        Err(e) => return Ok(refused(shown(e)?)),
    }
    match change_status(ctx, &principal, &order_id, StatusChange::Resubmit).await {
        Ok(_) => Ok(redirect(&format!("/orders/{order_id}"))),
        Err(e) => Ok(refused(shown(e)?)),
    }
}

/// A refusal as the page words it (a field's, with the field's name as the API gives it).
fn shown(e: OrderError) -> Result<String, OrderError> {
    let refusal = refusal(e)?;
    Ok(match refusal.field {
        Some(field) => format!("{}: {}", field.api_name(), refusal.message),
        None => refusal.message,
    })
}

//! `POST /orders/{orderId}/resubmit` ("Save and resubmit" on a rejected order's page):
//! the order as edited (both stops and the parcel, as the order form has them), at the
//! version the page showed, through the use cases `edit_order` then `change_status`
//! (resubmit); back to the order's page, or to it with every error next to its field.

use super::order_edit_pages::not_saved;
use super::order_errors::refusal;
use super::order_form::{changes, EditForm};
use super::orders_pages::{order_view, read_order};
use super::reader::reader;
use super::{field, form, html, not_found, redirect, signed_in_client_post};
use crate::domain::api_key::Principal;
use crate::domain::order_machine::OrderStatus;
use crate::domain::timezone::Timezone;
use crate::http::{ApiRequest, ApiResult};
use crate::ordering::OrderError;
use crate::ordering::{change_status, edit_order, EditOrder, StatusChange};
use crate::Ctx;

pub async fn resubmit_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?.to_string();
    let values = form(&req);
    let Some(order) = read_order(ctx, &principal, &order_id).await? else {
        return Ok(not_found(true));
    };
    let (_, reader_zone) = reader(ctx, &principal).await?;
    let zone = reader_zone.tz();
    let version = field(&values, "version").trim().parse().unwrap_or(0);
    let sent = |errors: &[(&'static str, String)]| {
        let form = EditForm::sent(version, &values, zone, true, errors);
        html(
            422,
            &order_view(&principal, &order, reader_zone, Some(form)),
        )
    };
    let changes = match changes(&order, &values, zone) {
        Ok(changes) => changes,
        Err(errors) => return Ok(sent(&errors)),
    };
    let cmd = EditOrder {
        by: principal.clone(),
        order_id: order_id.clone(),
        version,
        changes,
    };
    match edit_order(ctx, cmd).await {
        Ok(_) => {}
        Err(OrderError::NotFound) => return Ok(not_found(true)),
        Err(e @ OrderError::Field { .. }) => return Ok(sent(&[not_saved(refusal(e)?)])),
        Err(e) => return as_it_is_now(ctx, &principal, &order_id, reader_zone, e).await,
    }
    match change_status(ctx, &principal, &order_id, StatusChange::Resubmit).await {
        Ok(_) => Ok(redirect(&format!("/orders/{order_id}"))),
        Err(e) => as_it_is_now(ctx, &principal, &order_id, reader_zone, e).await,
    }
}

/// A newer version, or a state that no longer allows it: the order's page as it is now
/// (409), the reason above its form.
async fn as_it_is_now(
    ctx: &Ctx,
    principal: &Principal,
    order_id: &str,
    zone: Timezone,
    e: OrderError,
) -> ApiResult {
    let why = refusal(e)?.message;
    let Some(current) = read_order(ctx, principal, order_id).await? else {
        return Ok(not_found(true));
    };
    let form = EditForm {
        alert: Some(format!("Not resubmitted: {why}")),
        open: true,
        ..EditForm::of(&current, zone.tz(), current.status == OrderStatus::Rejected)
    };
    Ok(html(
        409,
        &order_view(principal, &current, zone, Some(form)),
    ))
}

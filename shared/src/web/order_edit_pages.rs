//! The order page's actions: `POST /orders/{orderId}/edit` (the order as edited, at the
//! version the page showed, onto the `ordering::edit_order` use case; allowed until the
//! pickup starts; every error is shown next to its field) and `POST /orders/{orderId}/withdraw`
//! (onto `ordering::change_status`; allowed until the order is scheduled).

use super::form_view::input_names;
use super::order_errors::{refusal, Refusal};
use super::order_form::{changes, input_of, EditForm};
use super::orders_pages::{order_view, read_order};
use super::reader::reader;
use super::{field, form, html, not_found, redirect, signed_in_client_post, MessagePage};
use crate::http::{ApiRequest, ApiResult};
use crate::ordering::OrderError;
use crate::ordering::{change_status, edit_order, EditOrder, StatusChange};
use crate::Ctx;

pub async fn edit_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?.to_string();
    let Some(order) = read_order(ctx, &principal, &order_id).await? else {
        return Ok(not_found(true));
    };
    let (_, reader_zone) = reader(ctx, &principal).await?;
    let zone = reader_zone.tz();
    let values = form(&req);
    let version = field(&values, "version").trim().parse().unwrap_or(0);
    let sent = |errors: &[(&'static str, String)]| {
        let form = EditForm::sent(version, &values, zone, false, errors);
        order_view(&principal, &order, reader_zone, Some(form))
    };
    let changes = match changes(&order, &values, zone) {
        Ok(changes) => changes,
        Err(errors) => return Ok(html(422, &sent(&errors))),
    };
    let cmd = EditOrder {
        by: principal.clone(),
        order_id: order_id.clone(),
        version,
        changes,
    };
    match edit_order(ctx, cmd).await {
        Ok(_) => Ok(redirect(&format!("/orders/{order_id}"))),
        Err(OrderError::NotFound) => Ok(not_found(true)),
        Err(e @ OrderError::Field { .. }) => Ok(html(422, &sent(&[not_saved(refusal(e)?)]))),
        Err(e) => {
            // A newer version, or a state that no longer allows edits: the order as it is
            // now, with the reason.
            let why = not_saved(refusal(e)?);
            let current = read_order(ctx, &principal, &order_id)
                .await?
                .unwrap_or(order);
            let again = EditForm::of(&current, zone, false);
            let again = EditForm {
                alert: Some(why.1),
                open: true,
                ..again
            };
            Ok(html(
                409,
                &order_view(&principal, &current, reader_zone, Some(again)),
            ))
        }
    }
}

/// A use case's refusal as a form error: next to the input of its field, else above the
/// form, saying the change was not saved.
pub(super) fn not_saved(refused: Refusal) -> (&'static str, String) {
    match refused.field.and_then(input_of) {
        Some(input) if input_names().contains(&input) => (input, refused.message),
        _ => ("", format!("Not saved: {}", refused.message)),
    }
}

pub async fn withdraw_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let order_id = req.path_param("orderId")?.to_string();
    match change_status(ctx, &principal, &order_id, StatusChange::Withdraw).await {
        Ok(_) => Ok(redirect(&format!("/orders/{order_id}"))),
        Err(OrderError::NotFound) => Ok(not_found(true)),
        Err(e) => Ok(html(
            409,
            &MessagePage {
                title: "The order was not withdrawn",
                message: &refusal(e)?.message,
                signed_in: true,
                brand: None,
            },
        )),
    }
}

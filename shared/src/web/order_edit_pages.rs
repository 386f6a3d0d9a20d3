//! The order page's actions: `POST /orders/{orderId}/edit` (the order as edited, at the
//! version the page showed, onto the `ordering::edit_order` use case; allowed until the
//! pickup starts; an error is shown next to its field) and `POST /orders/{orderId}/withdraw`
//! (onto `ordering::change_status`; allowed until the order is scheduled).

use super::order_errors::refusal;
use super::order_form::{changes, EditForm};
use super::orders_pages::{order_view, read_order};
use super::reader::reader;
use super::{field, form, html, not_found, redirect, signed_in_post, MessagePage};
use crate::domain::api_key::{Principal, Role};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::ordering::OrderError;
use crate::ordering::{change_status, edit_order, EditOrder, StatusChange};
use crate::Ctx;

/// The page's actions are the client's: a courier's person is refused as by the API.
pub(super) fn client_only(principal: &Principal) -> Result<(), ApiError> {
    match principal.role {
        Role::Client => Ok(()),
        Role::Courier => Err(ApiError::Forbidden(
            "this page is for clients; a courier cannot change a client's order here".into(),
        )),
    }
}

pub async fn edit_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    client_only(&principal)?;
    let order_id = req.path_param("orderId")?.to_string();
    let Some(order) = read_order(ctx, &principal, &order_id).await? else {
        return Ok(not_found(true));
    };
    let values = form(&req);
    let version = field(&values, "version").trim().parse().unwrap_or(0);
    let mut sent = EditForm::build(version, |name| field(&values, name).to_string());
    let changes = match changes(&order, &values) {
        Ok(changes) => changes,
        Err(errors) => {
            for (name, message) in errors {
                sent.error(name, message);
            }
            let (_, zone) = reader(ctx, &principal).await?;
            return Ok(html(422, &order_view(&principal, &order, Some(sent), zone)));
        }
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
        Err(e @ OrderError::Field { .. }) => {
            sent.error("", format!("Not saved: {}", refusal(e)?.message));
            let (_, zone) = reader(ctx, &principal).await?;
            Ok(html(422, &order_view(&principal, &order, Some(sent), zone)))
        }
        Err(e) => {
            // A newer version, or a state that no longer allows edits: the order as it is
            // now, with the reason.
            let why = refusal(e)?.message;
            let current = read_order(ctx, &principal, &order_id)
                .await?
                .unwrap_or(order);
            let mut again = EditForm::of(&current);
            again.error("", format!("Not saved: {why}"));
            let (_, zone) = reader(ctx, &principal).await?;
            Ok(html(
                409,
                &order_view(&principal, &current, Some(again), zone),
            ))
        }
    }
}

pub async fn withdraw_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    client_only(&principal)?;
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
            },
        )),
    }
}

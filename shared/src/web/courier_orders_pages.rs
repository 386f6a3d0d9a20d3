//! A courier's person on its orders: `POST /orders/{orderId}/reject` (the reason asked for
//! on the order's page, `?reject=1#confirm-reject`), `POST /tasks/{taskId}/events` (the
//! order page's **Record progress** forms, one per event, field `type`) and
//! `GET /orders/export.csv` (the orders page's filters, as CSV). Each onto the use case the
//! JSON API runs (`ordering::reject_order`, `dispatch::record_task_event`,
//! `ordering::export`), so its rules hold here too. A client's person gets 404 on the
//! forms (it may export its own orders); another courier's order or task answers 404.

use super::orders_pages::{courier_or_client_view, orders_view, OrderPage, ProgressErrors};
use super::stop_form::local_time;
use super::{field, form, html, not_found, redirect, signed_in, words};
use crate::dispatch::{
    record_task_event, AssignedDriver, RecordTaskEvent, TaskEventError, TaskField,
};
use crate::domain::order::{self, Proof};
use crate::domain::order_machine::{TaskEvent, TaskKind};
use crate::domain::text::Notes;
use crate::domain::{Name, Phone, TeamId};
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::export::{export_orders, to_csv, ExportOrders, MAX_EXPORT_ROWS};
use crate::ordering::{reject_order, OrderError};
use crate::Ctx;

/// `POST /orders/{orderId}/reject`: field `reason` (required).
pub async fn reject_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match super::signed_in_courier_post(ctx, &req).await? {
        Ok(p) => p,
        Err(answer) => return Ok(answer),
    };
    let order_id = req.path_param("orderId")?;
    let values = form(&req);
    let typed = field(&values, "reason").to_string();
    let refused = match typed.trim() {
        "" => Err((
            422,
            "is required: say why, your client reads it.".to_string(),
        )),
        reason => match Notes::parse(reason) {
            Err(message) => Err((422, format!("{message}."))),
            Ok(reason) => match reject_order(ctx, &principal, order_id, reason).await {
                Ok(order) => return Ok(redirect(&format!("/orders/{}?done=rejected", order.id))),
                Err(OrderError::NotFound) => return Ok(not_found(true)),
                Err(e @ (OrderError::NotAllowed(_) | OrderError::Stale { .. })) => {
                    Ok((409, format!("The order was not rejected: {e}.")))
                }
                Err(e) => return Err(e.into()),
            },
        },
    };
    let Some(mut page) = courier_or_client_view(ctx, &principal, order_id).await? else {
        return Ok(not_found(true));
    };
    Ok(match refused {
        Err((status, message)) => {
            if let Some(reject) = page.reject.as_mut() {
                reject.confirm = true;
                reject.reason = typed;
                reject.error = Some(message);
            } else {
                page.alert = Some(format!("The order was not rejected: reason {message}"));
            }
            html(status, &page)
        }
        Ok((status, message)) => {
            page.alert = Some(message);
            html(status, &page)
        }
    })
}

/// The event a form's `type` names.
fn event_of(raw: &str) -> Option<TaskEvent> {
    serde_json::from_value(raw.into()).ok()
}

/// The verb of an event, for a refusal: "The pickup cannot be {verb} now".
fn verb(event: TaskEvent) -> &'static str {
    match event {
        TaskEvent::Assigned => "assigned",
        TaskEvent::Unassigned => "unassigned",
        TaskEvent::Started => "started",
        TaskEvent::Eta => "given an ETA",
        TaskEvent::Arrived => "marked arrived",
        TaskEvent::Completed => "completed",
        TaskEvent::Failed => "marked failed",
    }
}

/// `POST /tasks/{taskId}/events`: field `type` (assigned, started, eta, arrived, completed,
/// failed) and the event's fields: `driverName`, `driverPhone`, `teamId` (assigned); `eta`
/// (a `datetime-local` in the reader's zone); `notes`, `photoUrls` (one per line),
/// `signedBy` (completed); `reason` (failed).
pub async fn record_task_event_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match super::signed_in_courier_post(ctx, &req).await? {
        Ok(p) => p,
        Err(answer) => return Ok(answer),
    };
    let task_id = req.path_param("taskId")?;
    let Some((order_id, kind)) = order::parse_task_id(task_id) else {
        return Ok(not_found(true));
    };
    // The page (its order, zone and teams): what an error is shown on, and a check that the
    // order is the courier's before anything is written.
    let Some(mut page) = courier_or_client_view(ctx, &principal, &order_id).await? else {
        return Ok(not_found(true));
    };
    let values = form(&req);
    let value = |name: &str| field(&values, name).trim().to_string();
    let Some(event) = event_of(&value("type")).filter(|e| *e != TaskEvent::Unassigned) else {
        set_alert(
            &mut page,
            kind,
            "Choose what happened from the forms below.".into(),
        );
        return Ok(html(422, &page));
    };
    let zone: chrono_tz::Tz = page.zone.parse().unwrap_or(chrono_tz::UTC);
    let mut errors = ProgressErrors::default();
    let mut cmd = RecordTaskEvent::new(&principal, task_id, event);
    match event {
        TaskEvent::Assigned => {
            let name = match value("driverName").as_str() {
                "" => Err("is required".to_string()),
                raw => Name::parse(raw),
            };
            let phone = match value("driverPhone").as_str() {
                "" => Ok(None),
                raw => Phone::parse(raw).map(Some),
            };
            let team = match value("teamId").as_str() {
                "" => Ok(None),
                raw => TeamId::parse(raw).map(Some),
            };
            errors.driver_name = name.as_ref().err().map(|e| format!("{e}."));
            errors.driver_phone = phone.as_ref().err().map(|e| format!("{e}."));
            errors.team_id = team.as_ref().err().map(|e| format!("{e}."));
            if let (Ok(name), Ok(phone), Ok(team)) = (name, phone, team) {
                cmd.driver = Some(AssignedDriver { name, phone });
                cmd.team_id = team;
            }
        }
        TaskEvent::Eta => match value("eta").as_str() {
            "" => errors.eta = Some("is required.".into()),
            raw => match local_time(raw, zone) {
                Ok(eta) => cmd.eta = Some(eta),
                Err(e) => errors.eta = Some(format!("{e}.")),
            },
        },
        TaskEvent::Completed => {
            let notes = optional_notes(&value("notes"));
            let signed_by = match value("signedBy").as_str() {
                "" => Ok(None),
                raw => Name::parse(raw).map(|n| Some(n.to_string())),
            };
            let photos: Vec<String> = value("photoUrls")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            errors.notes = notes.as_ref().err().map(|e| format!("{e}."));
            errors.signed_by = signed_by.as_ref().err().map(|e| format!("{e}."));
            if photos.iter().any(|p| !crate::dispatch::is_photo_url(p)) {
                errors.photo_urls = Some("must be web addresses (https://…), one per line.".into());
            }
            if let (Ok(notes), Ok(signature)) = (notes, signed_by) {
                let notes = notes.map(|n| n.to_string());
                if notes.is_some() || signature.is_some() || !photos.is_empty() {
                    cmd.proof = Some(Proof {
                        signature,
                        photos,
                        notes,
                    });
                }
            }
        }
        TaskEvent::Failed => match value("reason").as_str() {
            "" => errors.reason = Some("is required: say why.".into()),
            raw => match Notes::parse(raw) {
                Ok(reason) => cmd.failure_reason = Some(reason),
                Err(e) => errors.reason = Some(format!("{e}.")),
            },
        },
        TaskEvent::Started | TaskEvent::Arrived | TaskEvent::Unassigned => {}
    }
    if errors.any() {
        return Ok(refused_form(page, kind, &values, errors, None, 422));
    }
    match record_task_event(ctx, cmd).await {
        Ok(order) => Ok(redirect(&format!(
            "/orders/{}?done={}_{}#task-{}",
            order.id,
            kind.as_str(),
            value("type"),
            kind.as_str()
        ))),
        Err(TaskEventError::NotFound) => Ok(not_found(true)),
        Err(e) => {
            if let Some((field, message)) = e.field() {
                let message = format!("{message}.");
                let mut errors = ProgressErrors::default();
                match field {
                    TaskField::Driver => errors.driver_name = Some(message),
                    TaskField::TeamId => errors.team_id = Some(message),
                    TaskField::Eta => errors.eta = Some(message),
                    TaskField::ProofPhotos => errors.photo_urls = Some(message),
                    TaskField::FailureReason => errors.reason = Some(message),
                }
                return Ok(refused_form(page, kind, &values, errors, None, 422));
            }
            let alert = match e {
                TaskEventError::NotAllowed(_) => {
                    let (title, _) = words::task_kind(kind);
                    let state = page
                        .tasks
                        .iter()
                        .find(|t| t.kind == kind.as_str())
                        .map(|t| t.state.clone())
                        .unwrap_or_default();
                    format!(
                        "{title} cannot be {} now: it is “{state}” and the order is “{}”.",
                        verb(event),
                        page.row.status_text
                    )
                }
                TaskEventError::VersionConflict => {
                    "The order changed at the same time: read it again below, then send the event again.".into()
                }
                e => return Err(e.into()),
            };
            Ok(refused_form(page, kind, &values, errors, Some(alert), 409))
        }
    }
}

/// Optional notes: empty is none.
fn optional_notes(raw: &str) -> Result<Option<Notes>, String> {
    match raw {
        "" => Ok(None),
        raw => Notes::parse(raw).map(Some),
    }
}

fn set_alert(page: &mut OrderPage, kind: TaskKind, alert: String) {
    if let Some(p) = page
        .tasks
        .iter_mut()
        .find(|t| t.kind == kind.as_str())
        .and_then(|t| t.progress.as_mut())
    {
        p.alert = Some(alert);
    }
}

/// The order's page with the task's form as sent: its errors next to their fields, or a
/// refusal in words above the forms.
fn refused_form(
    mut page: OrderPage,
    kind: TaskKind,
    values: &[(String, String)],
    errors: ProgressErrors,
    alert: Option<String>,
    status: u16,
) -> ApiResponse {
    if let Some(p) = page
        .tasks
        .iter_mut()
        .find(|t| t.kind == kind.as_str())
        .and_then(|t| t.progress.as_mut())
    {
        let value = |name: &str| field(values, name).to_string();
        p.values.driver_name = value("driverName");
        p.values.driver_phone = value("driverPhone");
        p.values.team_id = value("teamId");
        p.values.eta = value("eta");
        p.values.notes = value("notes");
        p.values.photo_urls = value("photoUrls");
        p.values.signed_by = value("signedBy");
        p.values.reason = value("reason");
        p.errors = errors;
        p.alert = alert;
    }
    html(status, &page)
}

/// `GET /orders/export.csv?<the orders page's filters>`: the filtered orders as CSV (a
/// search's words are not applied: the export reads by client, status and dates).
pub async fn export_orders_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let (mut page, filter) = orders_view(ctx, &principal, &req).await?;
    let Some(filter) = filter else {
        return Ok(html(422, &page));
    };
    let export = ExportOrders {
        client: filter.client,
        statuses: filter.statuses,
        created: filter.created,
        max_rows: MAX_EXPORT_ROWS,
    };
    match export_orders(ctx, &principal, &export).await {
        Ok(orders) => Ok(ApiResponse::orders_csv(to_csv(&orders)?)),
        Err(e) => {
            page.refused(e)?;
            if let Some(error) = page.error.take() {
                page.error = Some(format!("Not exported: {error}"));
            }
            Ok(html(422, &page))
        }
    }
}

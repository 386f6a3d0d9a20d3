//! The courier's clients: `GET /clients` (newest first, paginated), `GET /clients/new` and
//! `POST /clients` (a new client), `GET /clients/{clientId}` (the client: its details to
//! edit, its invitation, its services and rate tables, its integrations and their inbox,
//! its Client Portal ID, a delete's confirmation with `?delete=1`) and its forms:
//! `POST /clients/{clientId}` (save), `…/invitation` (invite, re-invite), `…/delete`,
//! `…/services` (the service and rate table pairs) and
//! `…/integrations/{integrationId}/deliveries/{deliveryId}/replay`. Each form runs the use
//! case the JSON API runs too (`clients`, `integrations`), so the API's rules hold here
//! too. A client's person finds nothing here (404), nor does another courier's client.

use askama::Template;

use super::client_form::{
    client_form, client_values, team_options, typed_client, Choice, ClientForm, FieldErrors,
};

use super::format::local;
use super::reader::reader;
use super::{capitalise, field, form, html, not_found, redirect, signed_in, signed_in_post, Brand};
use crate::clients::{self, ClientChanges, ClientError};
use crate::domain::api_key::Principal;
use crate::domain::client::{Client, ClientStatus};
use crate::domain::ids::{RateTableId, ServiceId};
use crate::domain::integration::{Delivery, IntegrationStatus, Platform, SignatureCheck};
use crate::domain::pricing::catalog::MAX_PAIRS;
use crate::domain::pricing::Pair;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::integrations::{self, error::IntegrationError};
use crate::Ctx;

/// What the list shows at once (a link reads the next ones).
const LISTED: u32 = 50;
/// Empty rows the services form offers after the client's pairs.
const BLANK_PAIRS: usize = 2;

/// A client's status as people read it.
pub fn status_words(status: ClientStatus) -> &'static str {
    match status {
        ClientStatus::Pending => "Pending (not invited yet)",
        ClientStatus::Invited => "Invited",
        ClientStatus::Active => "Active",
        ClientStatus::Deleted => "Deleted",
    }
}

fn platform_words(platform: Platform) -> &'static str {
    match platform {
        Platform::Shopify => "Shopify",
        Platform::Woocommerce => "WooCommerce",
        Platform::Generic => "Generic webhook",
    }
}

// ---------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------

pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub status: &'static str,
    pub pending_email: Option<String>,
    pub services: usize,
    pub created: String,
    /// "No orders", "1 order", "1,204 orders".
    pub orders: String,
}

#[derive(Template)]
#[template(path = "web/clients.html")]
struct ClientsPage {
    client_name: Brand,
    clients: Vec<ClientRow>,
    next_cursor: Option<String>,
    notice: Option<&'static str>,
}

pub async fn clients_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match super::signed_in_courier(ctx, &req).await? {
        Ok(p) => p,
        Err(answer) => return Ok(answer),
    };
    let cursor = req.query_param("cursor").filter(|c| !c.is_empty());
    let (courier_name, zone) = reader(ctx, &principal).await?;
    let page = clients::list_clients(ctx, &principal, &[], LISTED, cursor).await?;
    let rows = page
        .clients
        .iter()
        .map(|c| ClientRow {
            id: c.id.to_string(),
            name: c.name.to_string(),
            email: c.email.to_string(),
            status: status_words(c.status),
            pending_email: c.pending_email.as_ref().map(ToString::to_string),
            services: clients::client_services(c).len(),
            created: local(&c.created_at, zone.tz()),
            orders: order_count_words(c.order_count),
        })
        .collect();
    let notice = match req.query_param("done") {
        Some("deleted") => {
            Some("Client deleted. Its people can no longer sign in; its orders stay.")
        }
        _ => None,
    };
    Ok(html(
        200,
        &ClientsPage {
            client_name: Brand::named(courier_name, &principal),
            clients: rows,
            next_cursor: page.next_cursor,
            notice,
        },
    ))
}

/// A client's order count as a person reads it.
pub fn order_count_words(count: u64) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    match count {
        0 => "No orders".into(),
        1 => "1 order".into(),
        _ => format!("{grouped} orders"),
    }
}

/// Why a form was not applied, as the page shows it.
enum Refused {
    /// No such client of the courier's, or a client's person: the page is not theirs.
    NotFound,
    /// Next to their inputs (the status: 422, or 409 for an email another client has).
    Fields(u16, FieldErrors),
    /// Above the form, with its status.
    Alert(u16, String),
}

impl Refused {
    /// The one place a [`ClientError`] of a form becomes words on the page; anything else
    /// answers as the API would.
    fn of(e: ClientError) -> Result<Self, ApiError> {
        Ok(match e {
            ClientError::NotFound | ClientError::CouriersOnly => Refused::NotFound,
            ClientError::EmailTaken(_) => {
                Refused::Fields(409, vec![("email", "is already another client's".into())])
            }
            ClientError::UnknownTeam => Refused::Fields(
                422,
                vec![("auto_assign_team_id", "is not one of your teams".into())],
            ),
            ClientError::Store(e) if !e.is_conflict() => return Err(e.into()),
            e => {
                let api = ApiError::from(e);
                match api.status() {
                    status @ (409 | 410 | 422 | 429 | 503) => {
                        Refused::Alert(status, format!("{}.", capitalise(&api.to_string())))
                    }
                    _ => return Err(api),
                }
            }
        })
    }
}

// ---------------------------------------------------------------------------------------
// New client
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/client_new.html")]
struct NewClientPage {
    client_name: Brand,
    form: ClientForm,
    alert: Option<String>,
}

async fn new_client_page_for(
    ctx: &Ctx,
    principal: &Principal,
    values: &[(String, String)],
    errors: &FieldErrors,
) -> Result<NewClientPage, ApiError> {
    let (courier_name, _) = reader(ctx, principal).await?;
    let teams = team_options(ctx, principal).await?;
    Ok(NewClientPage {
        client_name: Brand::named(courier_name, principal),
        form: client_form(
            values,
            errors,
            &teams,
            "/clients".into(),
            "Create client",
            None,
            None,
        ),
        alert: None,
    })
}

pub async fn new_client_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match super::signed_in_courier(ctx, &req).await? {
        Ok(p) => p,
        Err(answer) => return Ok(answer),
    };
    let page = new_client_page_for(ctx, &principal, &[], &vec![]).await?;
    Ok(html(200, &page))
}

pub async fn create_client_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match super::signed_in_courier_post(ctx, &req).await? {
        Ok(p) => p,
        Err(answer) => return Ok(answer),
    };
    let values = form(&req);
    let refused = match typed_client(&values, None) {
        Err(errors) => Refused::Fields(422, errors),
        Ok(new) => match clients::create_client(ctx, &principal, new).await {
            Ok(client) => return Ok(redirect(&format!("/clients/{}?done=created", client.id))),
            Err(e) => Refused::of(e)?,
        },
    };
    let (status, errors, alert) = match refused {
        Refused::NotFound => return Ok(not_found(true)),
        Refused::Fields(status, errors) => (status, errors, None),
        Refused::Alert(status, message) => {
            (status, vec![], Some(format!("Not created: {message}")))
        }
    };
    let mut page = new_client_page_for(ctx, &principal, &values, &errors).await?;
    page.alert = alert;
    Ok(html(status, &page))
}

// ---------------------------------------------------------------------------------------
// The client's page
// ---------------------------------------------------------------------------------------

/// One row of the services form: a service and its rate table (empty: a blank row).
pub struct PairRow {
    pub index: usize,
    pub services: Vec<Choice>,
    pub rate_tables: Vec<Choice>,
}

/// One of the client's pairs, as listed.
pub struct PairShown {
    pub service: String,
    pub rate_table: String,
}

pub struct IntegrationRow {
    pub id: String,
    pub name: String,
    pub platform: &'static str,
    pub status: &'static str,
    pub webhook_url: String,
}

pub struct DeliveryRow {
    pub id: String,
    pub received: String,
    pub topic: String,
    pub outcome: String,
    pub reasons: String,
    pub order_id: String,
    pub not_replayable: Option<&'static str>,
}

/// The inbox of one of the client's integrations.
pub struct Inbox {
    pub integration_id: String,
    pub name: String,
    pub deliveries: Vec<DeliveryRow>,
}

#[derive(Template)]
#[template(path = "web/client.html")]
struct ClientPage {
    client_name: Brand,
    id: String,
    name: String,
    email: String,
    status: &'static str,
    deleted: bool,
    /// Invite (pending) or Re-invite (invited); none once active or deleted.
    invite: Option<&'static str>,
    created: String,
    updated: String,
    /// Its order count in words, the link to its orders.
    orders: String,
    form: ClientForm,
    pairs: Vec<PairShown>,
    pair_rows: Vec<PairRow>,
    services_error: Option<String>,
    has_catalog: bool,
    integrations: Vec<IntegrationRow>,
    inbox: Option<Inbox>,
    confirm_delete: bool,
    notice: Option<&'static str>,
    alert: Option<String>,
}

/// The client's page for a courier's person, or `None` (a client's person, another
/// courier's client, no such client): not found.
async fn client_page_for(
    ctx: &Ctx,
    req: &ApiRequest,
    principal: &Principal,
    client_id: &str,
    inbox_of: Option<&str>,
) -> Result<Option<(ClientPage, Client)>, ApiError> {
    let client = match clients::load_client(ctx, principal, client_id).await {
        Ok(c) => c,
        Err(ClientError::NotFound | ClientError::CouriersOnly) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let (courier_name, zone) = reader(ctx, principal).await?;
    let teams = team_options(ctx, principal).await?;
    let catalog = clients::catalog(ctx, principal).await?;
    let pairs = clients::client_services(&client);
    let values = client_values(&client);
    let form = client_form(
        &values,
        &vec![],
        &teams,
        format!("/clients/{}", client.id),
        "Save changes",
        Some(client.version),
        client.pending_email.as_ref().map(ToString::to_string),
    );
    let shown = pairs
        .iter()
        .map(|p| PairShown {
            service: p
                .service_name
                .clone()
                .unwrap_or_else(|| p.service_id.to_string()),
            rate_table: p
                .rate_table_name
                .clone()
                .unwrap_or_else(|| p.rate_table_id.to_string()),
        })
        .collect();
    let chosen: Vec<(String, String)> = pairs
        .iter()
        .map(|p| (p.service_id.to_string(), p.rate_table_id.to_string()))
        .collect();
    let pair_rows = pair_rows(&catalog, &chosen);
    let base = ctx.base_url(req);
    let listed =
        integrations::list_integrations(ctx, principal, Some(client.id.clone()), LISTED, None)
            .await?
            .integrations;
    let inbox = match inbox_of.filter(|id| listed.iter().any(|i| i.id == *id)) {
        None => None,
        Some(id) => {
            let page = integrations::list_deliveries(ctx, principal, id, LISTED, None).await?;
            Some(Inbox {
                integration_id: id.to_string(),
                name: listed
                    .iter()
                    .find(|i| i.id == id)
                    .map(|i| i.name.to_string())
                    .unwrap_or_default(),
                deliveries: page
                    .deliveries
                    .iter()
                    .map(|d| delivery_row(d, zone.tz()))
                    .collect(),
            })
        }
    };
    let integration_rows = listed
        .iter()
        .map(|i| IntegrationRow {
            id: i.id.clone(),
            name: i.name.to_string(),
            platform: platform_words(i.platform),
            status: match i.status {
                IntegrationStatus::Active => "Active",
                IntegrationStatus::Deleted => "Deleted",
            },
            webhook_url: i.webhook_url(&base),
        })
        .collect();
    let page = ClientPage {
        client_name: Brand::named(courier_name, principal),
        id: client.id.to_string(),
        name: client.name.to_string(),
        email: client.email.to_string(),
        status: status_words(client.status),
        orders: order_count_words(client.order_count),
        deleted: client.status == ClientStatus::Deleted,
        invite: match client.status {
            ClientStatus::Pending => Some("Invite"),
            ClientStatus::Invited => Some("Re-invite"),
            _ => None,
        },
        created: local(&client.created_at, zone.tz()),
        updated: local(&client.updated_at, zone.tz()),
        form,
        pairs: shown,
        pair_rows,
        services_error: None,
        has_catalog: !catalog.services.is_empty() && !catalog.rate_tables.is_empty(),
        integrations: integration_rows,
        inbox,
        confirm_delete: false,
        notice: None,
        alert: None,
    };
    Ok(Some((page, client)))
}

/// The services form's rows: the chosen pairs (by id), then blank rows, at most
/// [`MAX_PAIRS`].
fn pair_rows(catalog: &clients::Catalog, chosen: &[(String, String)]) -> Vec<PairRow> {
    let rows = (chosen.len() + BLANK_PAIRS)
        .min(MAX_PAIRS)
        .max(chosen.len());
    (0..rows)
        .map(|index| {
            let (service, table) = chosen
                .get(index)
                .map(|(s, t)| (s.as_str(), t.as_str()))
                .unwrap_or(("", ""));
            let none = |selected: bool| Choice {
                value: String::new(),
                label: "None".into(),
                selected,
            };
            let mut services = vec![none(service.is_empty())];
            services.extend(catalog.services.iter().map(|s| Choice {
                selected: s.id.as_str() == service,
                value: s.id.to_string(),
                label: s.spec.name.to_string(),
            }));
            let mut rate_tables = vec![none(table.is_empty())];
            rate_tables.extend(catalog.rate_tables.iter().map(|t| Choice {
                selected: t.id.as_str() == table,
                value: t.id.to_string(),
                label: format!("{} ({})", t.spec.name, t.spec.currency.code()),
            }));
            PairRow {
                index,
                services,
                rate_tables,
            }
        })
        .collect()
}

fn delivery_row(d: &Delivery, zone: chrono_tz::Tz) -> DeliveryRow {
    DeliveryRow {
        id: d.id.clone(),
        received: local(&d.received_at, zone),
        topic: d.topic.clone().unwrap_or_default(),
        outcome: capitalise(&d.outcome.as_str().replace('_', " ")),
        reasons: d.reasons.join(", "),
        order_id: d.order_id.clone().unwrap_or_default(),
        not_replayable: if d.signature != SignatureCheck::Valid {
            Some("Not replayable: the signature failed, so its body was not kept")
        } else if d.body.is_none() {
            Some("Not replayable: its body was too large to keep")
        } else {
            None
        },
    }
}

pub async fn client_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let client_id = req.path_param("clientId")?;
    let inbox = req.query_param("integration").filter(|i| !i.is_empty());
    let Some((mut page, _)) = client_page_for(ctx, &req, &principal, client_id, inbox).await?
    else {
        return Ok(not_found(true));
    };
    page.confirm_delete = req.query_param("delete").is_some_and(|d| !d.is_empty()) && !page.deleted;
    page.notice = match req.query_param("done") {
        Some("created") => Some("Client created. Invite it when you are ready."),
        Some("saved") => Some("Changes saved."),
        Some("invited") => Some("Invitation sent."),
        Some("services") => Some("Services saved."),
        Some("replayed") => Some("Delivery replayed: the inbox shows the new delivery."),
        _ => None,
    };
    if page.notice == Some("Changes saved.") && page.form.pending_email.is_some() {
        page.notice = Some(
            "Changes saved. The new email waits for its owner to confirm it: a link was sent to it.",
        );
    }
    Ok(html(200, &page))
}

pub async fn update_client_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let client_id = req.path_param("clientId")?;
    let values = form(&req);
    // The depot saved: what the form does not show of it is kept.
    let saved = match clients::load_client(ctx, &principal, client_id).await {
        Ok(c) => c,
        Err(ClientError::NotFound | ClientError::CouriersOnly) => return Ok(not_found(true)),
        Err(e) => return Err(e.into()),
    };
    let refused = match typed_client(&values, saved.default_pickup.as_ref()) {
        Err(errors) => Refused::Fields(422, errors),
        Ok(t) => {
            let changes = ClientChanges {
                name: Some(t.name),
                email: Some(t.email),
                // The current email, as the form shows it, keeps a pending change.
                keep_pending: true,
                allow_order_upload: Some(t.allow_order_upload),
                auto_assign_team_id: Some(t.auto_assign_team_id),
                default_pickup: Some(t.default_pickup),
                integrations_enabled: Some(t.integrations_enabled),
                service_selection: Some(t.service_selection),
                expected_version: field(&values, "version").trim().parse().ok(),
                check: None,
            };
            let base = ctx.base_url(&req);
            match clients::update_client(ctx, &principal, client_id, changes, &base).await {
                Ok(_) => return Ok(redirect(&format!("/clients/{client_id}?done=saved"))),
                Err(e) => Refused::of(e)?,
            }
        }
    };
    let Some((mut page, client)) = client_page_for(ctx, &req, &principal, client_id, None).await?
    else {
        return Ok(not_found(true));
    };
    let (status, errors) = match refused {
        Refused::NotFound => return Ok(not_found(true)),
        Refused::Fields(status, errors) => (status, errors),
        Refused::Alert(status, message) => {
            page.alert = Some(format!("Not saved: {message}"));
            (status, vec![])
        }
    };
    let teams = team_options(ctx, &principal).await?;
    page.form = client_form(
        &values,
        &errors,
        &teams,
        format!("/clients/{}", client.id),
        "Save changes",
        Some(client.version),
        client.pending_email.as_ref().map(ToString::to_string),
    );
    Ok(html(status, &page))
}

/// A form of the client's page whose refusal shows the page with `alert` above it.
async fn refused_on_page(
    ctx: &Ctx,
    req: &ApiRequest,
    principal: &Principal,
    client_id: &str,
    refused: Refused,
    what: &str,
) -> ApiResult {
    let Some((mut page, _)) = client_page_for(ctx, req, principal, client_id, None).await? else {
        return Ok(not_found(true));
    };
    Ok(match refused {
        Refused::NotFound => not_found(true),
        Refused::Fields(status, errors) => {
            page.alert = Some(format!(
                "{what}: {}.",
                errors
                    .iter()
                    .map(|(_, m)| m.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            html(status, &page)
        }
        Refused::Alert(status, message) => {
            page.alert = Some(format!("{what}: {message}"));
            html(status, &page)
        }
    })
}

pub async fn invite_client_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let client_id = req.path_param("clientId")?;
    let base = ctx.base_url(&req);
    let refused = match clients::invite(ctx, &principal, client_id, &base).await {
        Ok(_) => return Ok(redirect(&format!("/clients/{client_id}?done=invited"))),
        Err(e) => Refused::of(e)?,
    };
    refused_on_page(ctx, &req, &principal, client_id, refused, "Not invited").await
}

pub async fn delete_client_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let client_id = req.path_param("clientId")?;
    // Refused (the client changed meanwhile): a message, with the way back to its page.
    match clients::delete_client(ctx, &principal, client_id).await {
        Ok(()) => Ok(redirect("/clients?done=deleted")),
        Err(e) => match Refused::of(e)? {
            Refused::NotFound => Ok(not_found(true)),
            Refused::Fields(status, errors) => Ok(message(
                status,
                "The client was not deleted",
                &errors
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            Refused::Alert(status, text) => {
                Ok(message(status, "The client was not deleted", &text))
            }
        },
    }
}

/// A refusal shown on its own page (the forms whose page would need more to read).
fn message(status: u16, title: &str, text: &str) -> crate::http::ApiResponse {
    html(
        status,
        &super::MessagePage {
            title,
            message: text,
            signed_in: true,
            brand: None,
        },
    )
}

/// The pairs of the services form: rows `service_{i}` and `rate_table_{i}`, a row with
/// neither left out.
fn typed_pairs(values: &[(String, String)]) -> Result<Vec<Pair>, String> {
    let mut pairs = vec![];
    for i in 0..MAX_PAIRS {
        let service = field(values, &format!("service_{i}")).trim();
        let table = field(values, &format!("rate_table_{i}")).trim();
        match (service, table) {
            ("", "") => continue,
            ("", _) => return Err(format!("Row {}: choose a service", i + 1)),
            (_, "") => return Err(format!("Row {}: choose a rate table", i + 1)),
            (service, table) => pairs.push(Pair {
                service_id: ServiceId::parse(service)
                    .map_err(|m| format!("Row {}: service {m}", i + 1))?,
                rate_table_id: RateTableId::parse(table)
                    .map_err(|m| format!("Row {}: rate table {m}", i + 1))?,
            }),
        }
    }
    Ok(pairs)
}

pub async fn client_services_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match super::signed_in_courier_post(ctx, &req).await? {
        Ok(p) => p,
        Err(answer) => return Ok(answer),
    };
    let client_id = req.path_param("clientId")?;
    let values = form(&req);
    let (status, message) = match typed_pairs(&values) {
        Err(message) => (422, message),
        Ok(pairs) => match clients::set_client_services(ctx, &principal, client_id, pairs).await {
            Ok(_) => {
                return Ok(redirect(&format!(
                    "/clients/{client_id}?done=services#services"
                )))
            }
            Err(ClientError::Field { field, message }) => (422, services_words(&field, &message)),
            Err(e) => match Refused::of(e)? {
                Refused::NotFound => return Ok(not_found(true)),
                Refused::Fields(status, errors) => (
                    status,
                    errors
                        .into_iter()
                        .map(|(_, m)| m)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Refused::Alert(status, message) => (status, message),
            },
        },
    };
    let Some((mut page, _)) = client_page_for(ctx, &req, &principal, client_id, None).await? else {
        return Ok(not_found(true));
    };
    // What was chosen stays chosen.
    let chosen: Vec<(String, String)> = (0..MAX_PAIRS)
        .map(|i| {
            (
                field(&values, &format!("service_{i}")).to_string(),
                field(&values, &format!("rate_table_{i}")).to_string(),
            )
        })
        .collect();
    let last = chosen
        .iter()
        .rposition(|(s, t)| !s.is_empty() || !t.is_empty())
        .map_or(0, |i| i + 1);
    let catalog = clients::catalog(ctx, &principal).await?;
    page.pair_rows = pair_rows(&catalog, &chosen[..last]);
    page.services_error = Some(message);
    Ok(html(status, &page))
}

/// A refusal of the use case about a row (`services[1].serviceId`) in the form's words.
fn services_words(field: &str, message: &str) -> String {
    let row = field
        .strip_prefix("services[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok());
    let what = if field.ends_with("rateTableId") {
        "the rate table"
    } else {
        "the service"
    };
    match row {
        Some(i) => format!("Row {}: {what} {message}", i + 1),
        None => format!("{}.", capitalise(message)),
    }
}

pub async fn replay_client_delivery_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let client_id = req.path_param("clientId")?;
    let integration = req.path_param("integrationId")?;
    // The client must be the courier's, and the integration the client's.
    let client = match clients::load_client(ctx, &principal, client_id).await {
        Ok(c) => c,
        Err(ClientError::NotFound | ClientError::CouriersOnly) => return Ok(not_found(true)),
        Err(e) => return Err(e.into()),
    };
    match integrations::load_any(ctx, &principal, integration).await {
        Ok(i) if i.client_id == client.id => {}
        Ok(_) | Err(IntegrationError::NotFound) => return Ok(not_found(true)),
        Err(e) => return Err(e.into()),
    }
    let replayed = integrations::replay_delivery(
        ctx,
        &principal,
        integration,
        req.path_param("deliveryId")?,
        ctx.base_url(&req),
    )
    .await;
    match replayed {
        Ok(_) => Ok(redirect(&format!(
            "/clients/{client_id}?integration={integration}&done=replayed#inbox"
        ))),
        Err(IntegrationError::NotFound | IntegrationError::DeliveryNotFound) => Ok(not_found(true)),
        Err(e @ IntegrationError::NotReplayable { .. }) => Ok(message(
            409,
            "The delivery was not replayed",
            &format!("{}.", capitalise(&e.to_string())),
        )),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::order_count_words;

    #[test]
    fn order_counts_read_as_words() {
        assert_eq!(order_count_words(0), "No orders");
        assert_eq!(order_count_words(1), "1 order");
        assert_eq!(order_count_words(999), "999 orders");
        assert_eq!(order_count_words(1204), "1,204 orders");
        assert_eq!(order_count_words(1_000_000), "1,000,000 orders");
    }
}

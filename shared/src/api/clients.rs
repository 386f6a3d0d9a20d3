//! The courier's clients: `POST|GET /v1/clients`, `GET|PATCH|DELETE /v1/clients/{clientId}`,
//! onto the use cases of `clients`.

use serde::Deserialize;
use serde_json::Value;

use super::records::listing;
use crate::accounts::organization::stale;
use crate::clients::{self, ClientChanges, ClientError, NewClient};
use crate::domain::client::{Client, ClientStatus, ServiceSelection};
use crate::domain::{Email, Location, Name, TeamId};
use crate::error::ApiError;
use crate::http::{nullable, page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewClientBody {
    name: Name,
    email: Email,
    #[serde(default)]
    allow_order_upload: bool,
    #[serde(default)]
    auto_assign_team_id: Option<TeamId>,
    #[serde(default)]
    default_pickup: Option<Location>,
    #[serde(default)]
    integrations_enabled: bool,
    #[serde(default)]
    service_selection: ServiceSelection,
}

pub async fn create_client(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let body: NewClientBody = req.json()?;
    let new = NewClient {
        name: body.name,
        email: body.email,
        allow_order_upload: body.allow_order_upload,
        auto_assign_team_id: body.auto_assign_team_id,
        default_pickup: body.default_pickup,
        integrations_enabled: body.integrations_enabled,
        service_selection: body.service_selection,
    };
    let client = clients::create_client(ctx, who, new).await?;
    Ok(ApiResponse::created(&client.view())
        .with_header("location", &format!("/v1/clients/{}", client.id)))
}

pub async fn list_clients(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let limit = page_limit(req.query_param("limit"))?;
    let statuses = match req.query_param("status") {
        None => vec![],
        Some(raw) => raw
            .split(',')
            .map(|s| ClientStatus::parse(s.trim()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ApiError::invalid(
                    "status",
                    "must be pending, invited, active or deleted (comma-separated)",
                )
            })?,
    };
    let page = clients::list_clients(ctx, who, &statuses, limit, req.query_param("cursor")).await?;
    let views = page.clients.iter().map(Client::view).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

pub async fn get_client(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let client = clients::load_client(ctx, who, req.path_param("clientId")?).await?;
    Ok(ApiResponse::ok(&client.view()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientPatch {
    #[serde(default)]
    name: Option<Name>,
    #[serde(default)]
    email: Option<Email>,
    #[serde(default)]
    allow_order_upload: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    auto_assign_team_id: Option<Option<TeamId>>,
    #[serde(default, deserialize_with = "nullable")]
    default_pickup: Option<Option<Location>>,
    #[serde(default)]
    integrations_enabled: Option<bool>,
    #[serde(default)]
    service_selection: Option<ServiceSelection>,
    /// Optimistic concurrency: the version the caller last read (or `If-Match`).
    #[serde(default)]
    version: Option<u64>,
    /// The client's read-only fields, as GET shows them: a document read can be sent back
    /// as it is, provided they are unchanged.
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    courier_id: Option<Value>,
    #[serde(default)]
    status: Option<Value>,
    #[serde(default)]
    pending_email: Option<Value>,
    #[serde(default)]
    notifications: Option<Value>,
    #[serde(default)]
    tracking_page: Option<Value>,
    #[serde(default)]
    created_at: Option<Value>,
    #[serde(default)]
    updated_at: Option<Value>,
    /// Moves as orders are placed: accepted with any value and ignored, so a document read
    /// a moment ago can still be sent back.
    #[serde(default, rename = "orderCount")]
    _order_count: Option<Value>,
}

/// What `check_read_only` compares: the read-only fields as sent.
struct ReadOnly {
    id: Option<Value>,
    courier_id: Option<Value>,
    status: Option<Value>,
    pending_email: Option<Value>,
    notifications: Option<Value>,
    tracking_page: Option<Value>,
    created_at: Option<Value>,
    updated_at: Option<Value>,
}

impl ReadOnly {
    /// Refuses a read-only field sent with another value than `client` has; an `updatedAt`
    /// other than the client's means the document sent was read before a change (409).
    fn check_read_only(&self, client: &Client) -> Result<(), ClientError> {
        let view = client.view();
        if self
            .updated_at
            .as_ref()
            .is_some_and(|at| view.get("updatedAt") != Some(at))
        {
            return Err(stale(client.version).into());
        }
        let read_only = [
            ("id", &self.id),
            ("courierId", &self.courier_id),
            ("status", &self.status),
            ("pendingEmail", &self.pending_email),
            ("notifications", &self.notifications),
            ("trackingPage", &self.tracking_page),
            ("createdAt", &self.created_at),
        ];
        match read_only
            .into_iter()
            .find(|(name, sent)| sent.as_ref().is_some_and(|v| view.get(*name) != Some(v)))
        {
            Some((name, _)) => Err(ClientError::ReadOnly(name)),
            None => Ok(()),
        }
    }
}

/// Changes a client. A new email does not apply at once: it waits in `pendingEmail` until
/// its owner confirms it with the token mailed to it.
pub async fn update_client(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    // The confirmation is mailed after the write: a function built without SES fails first.
    ctx.mailer()?;
    let patch: ClientPatch = req.json()?;
    let expected_version = req.expected_version(patch.version)?;
    let read_only = ReadOnly {
        id: patch.id,
        courier_id: patch.courier_id,
        status: patch.status,
        // The current email sent back with the pending one (a document read from GET)
        // keeps the pending change; the current email alone cancels it.
        pending_email: patch.pending_email,
        notifications: patch.notifications,
        tracking_page: patch.tracking_page,
        created_at: patch.created_at,
        updated_at: patch.updated_at,
    };
    let changes = ClientChanges {
        name: patch.name,
        email: patch.email,
        keep_pending: read_only.pending_email.is_some(),
        allow_order_upload: patch.allow_order_upload,
        auto_assign_team_id: patch.auto_assign_team_id,
        default_pickup: patch.default_pickup,
        integrations_enabled: patch.integrations_enabled,
        service_selection: patch.service_selection,
        expected_version,
        check: Some(Box::new(move |client: &Client| {
            read_only.check_read_only(client)
        })),
    };
    let client_id = req.path_param("clientId")?;
    let updated = clients::update_client(ctx, who, client_id, changes, &ctx.base_url(&req)).await?;
    Ok(ApiResponse::ok(&updated.view()))
}

/// Deletes a client: it can no longer sign in (every key is revoked in the same
/// transaction), its email is free again, and its record and orders stay.
pub async fn delete_client(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    clients::delete_client(ctx, who, req.path_param("clientId")?).await?;
    Ok(ApiResponse::no_content())
}

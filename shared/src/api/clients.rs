//! The courier's clients: `POST|GET /v1/clients`, `GET|PATCH|DELETE /v1/clients/{clientId}`.

use serde::Deserialize;
use serde_json::Value;

use super::records::{from_item, list_page, listing, to_item};
use crate::accounts::email_change::{
    email_change, limit_confirmation, send_confirmation, sending_courier,
};
use crate::accounts::organization::{stale, stale_if_first_failed};
use crate::clock::timestamp;
use crate::domain::api_key::ApiKeyRecord;
use crate::domain::client::{Client, ClientStatus, ServiceSelection};
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::{Email, Location, Name, TeamId};
use crate::error::ApiError;
use crate::http::{nullable, page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::store::{keys, Cond, Item, Query, Update, Write, PK};
use crate::teams;
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewClient {
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
    let body: NewClient = req.json()?;
    let now = timestamp(ctx.now());
    let client = Client {
        id: ClientId::generate(),
        courier_id: who.courier_id.clone(),
        name: body.name,
        email: body.email,
        status: ClientStatus::Pending,
        pending_email: None,
        allow_order_upload: body.allow_order_upload,
        auto_assign_team_id: body.auto_assign_team_id,
        default_pickup: body.default_pickup,
        integrations_enabled: body.integrations_enabled,
        service_selection: body.service_selection,
        notifications: None,
        tracking_page: None,
        organization: None,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
        invite_token_hash: None,
        email_token_hash: None,
        active_keys: 0,
        pricing: None,
    };
    let mut writes = vec![
        Write::Put {
            item: client_item(&client)?,
            cond: Some(Cond::not_exists(PK)),
        },
        Write::Put {
            item: email_marker(&client.courier_id, &client.email, &client.id)?,
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    // The team's write is the third: it fails when the courier has no such team.
    if let Some(team) = &client.auto_assign_team_id {
        writes.extend(
            teams::assign(client.courier_id.as_str(), team, &client.id)?
                .ok_or_else(unknown_team)?,
        );
    }
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(1) {
            email_taken(&client.email)
        } else if e.condition_failed_at(2) {
            unknown_team()
        } else {
            e.into()
        }
    })?;
    Ok(ApiResponse::created(&client.view())
        .with_header("location", &format!("/v1/clients/{}", client.id)))
}

pub async fn list_clients(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let limit = page_limit(req.query_param("limit"))?;
    let filter = match req.query_param("status") {
        None => None,
        Some(raw) => {
            let statuses = raw
                .split(',')
                .map(|s| ClientStatus::parse(s.trim()).map(ClientStatus::as_str))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    ApiError::invalid(
                        "status",
                        "must be pending, invited, active or deleted (comma-separated)",
                    )
                })?;
            Some(Cond::one_of("status", statuses))
        }
    };
    let query = Query::partition(keys::courier_pk(who.courier_id.as_str()))
        .sk_begins_with(keys::CLIENT_PREFIX)
        .descending()
        .filter(filter);
    let (items, next) =
        list_page(ctx.store.as_ref(), query, limit, req.query_param("cursor")).await?;
    let views = items
        .into_iter()
        .map(|i| from_item::<Client>(i).map(|c| c.view()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiResponse::ok(&listing(views, next)))
}

pub async fn get_client(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let client = load_client(ctx, &who.courier_id, req.path_param("clientId")?).await?;
    Ok(ApiResponse::ok(&client.view()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientPatch {
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
}

impl ClientPatch {
    /// Refuses a read-only field sent with another value than `client` has; an `updatedAt`
    /// other than the client's means the document sent was read before a change (409).
    fn check_read_only(&self, client: &Client) -> Result<(), ApiError> {
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
            Some((name, _)) => Err(ApiError::read_only(name)),
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
    let expected = req.expected_version(patch.version)?;
    let client = load_client(ctx, &who.courier_id, req.path_param("clientId")?).await?;
    if client.status == ClientStatus::Deleted {
        return Err(ApiError::conflict(
            "client_deleted",
            "a deleted client cannot be changed",
        ));
    }
    if expected.is_some_and(|v| v != client.version) {
        return Err(stale(client.version).into());
    }
    patch.check_read_only(&client)?;
    // The current email sent back with the pending one (a document read from GET) keeps the
    // pending change; the current email alone cancels it.
    let email = patch
        .email
        .filter(|e| patch.pending_email.is_none() || e.normalized() != client.email.normalized());
    let now = ctx.now();
    let mut updated = client.clone();
    // Only what differs is written: a document sent back unchanged changes nothing.
    let mut update = Update::new();
    if let Some(name) = patch.name.filter(|n| *n != client.name) {
        update = update.set("name", name.as_str());
        updated.name = name;
    }
    if let Some(allow) = patch
        .allow_order_upload
        .filter(|a| *a != client.allow_order_upload)
    {
        update = update.set("allowOrderUpload", allow);
        updated.allow_order_upload = allow;
    }
    if let Some(enabled) = patch
        .integrations_enabled
        .filter(|e| *e != client.integrations_enabled)
    {
        update = update.set("integrationsEnabled", enabled);
        updated.integrations_enabled = enabled;
    }
    if let Some(selection) = patch
        .service_selection
        .filter(|s| *s != client.service_selection)
    {
        update = update.set(
            "serviceSelection",
            serde_json::to_value(selection).unwrap_or_default(),
        );
        updated.service_selection = selection;
    }
    // The old team's usage item goes, the new team's comes (its write second in the
    // transaction, after the client's: it fails when the courier has no such team).
    let mut team_writes = vec![];
    if let Some(team) = patch
        .auto_assign_team_id
        .filter(|t| *t != client.auto_assign_team_id)
    {
        let courier = client.courier_id.as_str();
        if let Some(new) = &team {
            team_writes.extend(teams::assign(courier, new, &client.id)?.ok_or_else(unknown_team)?);
        }
        if let Some(old) = &client.auto_assign_team_id {
            team_writes.push(teams::unassign(courier, old, &client.id));
        }
        update = update.set_or_remove("autoAssignTeamId", team.as_ref().map(|t| t.as_str().into()));
        updated.auto_assign_team_id = team;
    }
    let team_assigned = updated.auto_assign_team_id.is_some() && !team_writes.is_empty();
    if let Some(pickup) = patch.default_pickup.filter(|p| *p != client.default_pickup) {
        update = update.set_or_remove(
            "defaultPickup",
            pickup
                .as_ref()
                .map(|p| serde_json::to_value(p).unwrap_or_default()),
        );
        updated.default_pickup = pickup;
    }
    let change = email_change(&client, email, now)?;
    limit_confirmation(ctx, client.id.as_str(), &change).await?;
    for action in change.update.actions {
        update.actions.push(action);
    }
    let mut extra_writes = team_writes;
    extra_writes.extend(change.writes);
    if let Some(pending) = change.pending {
        updated.pending_email = pending;
    }
    let confirmation = change.confirmation;
    if update.actions.is_empty() {
        return Ok(ApiResponse::ok(&client.view()));
    }
    updated.version = client.version + 1;
    updated.updated_at = timestamp(now);
    let update = update
        .set("updatedAt", updated.updated_at.as_str())
        .increment("version", 1);
    let key = keys::client(client.courier_id.as_str(), client.id.as_str());
    let cond = Cond::eq("version", client.version);
    if extra_writes.is_empty() {
        ctx.store
            .update(&key, &update, Some(cond))
            .await
            .map_err(|e| match e {
                crate::store::StoreError::ConditionFailed { .. } => stale(client.version + 1),
                e => e.into(),
            })?;
    } else {
        let mut writes = vec![Write::Update {
            key,
            update,
            cond: Some(cond),
        }];
        writes.extend(extra_writes);
        ctx.store.transact(writes).await.map_err(|e| {
            if team_assigned && e.condition_failed_at(1) {
                unknown_team()
            } else {
                stale_if_first_failed(e, client.version).into()
            }
        })?;
    }
    if let Some(confirmation) = confirmation {
        let courier = sending_courier(ctx, client.courier_id.as_str()).await?;
        send_confirmation(ctx, &ctx.base_url(&req), &courier, confirmation).await?;
    }
    Ok(ApiResponse::ok(&updated.view()))
}

/// Deletes a client: it can no longer sign in (every key is revoked in the same
/// transaction), its email is free again, and its record and orders stay.
pub async fn delete_client(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let client = load_client(ctx, &who.courier_id, req.path_param("clientId")?).await?;
    if client.status == ClientStatus::Deleted {
        return Ok(ApiResponse::no_content());
    }
    let keys_page = ctx
        .store
        .query(&Query::partition(keys::org_pk(client.id.as_str())).sk_begins_with(keys::KEY_PREFIX))
        .await?;
    let now = timestamp(ctx.now());
    let mut writes = vec![Write::Update {
        key: keys::client(client.courier_id.as_str(), client.id.as_str()),
        update: Update::new()
            .set("status", ClientStatus::Deleted.as_str())
            .set("updatedAt", now.as_str())
            .set("activeKeys", 0)
            .remove("inviteTokenHash")
            .remove("emailTokenHash")
            .remove("pendingEmail")
            .remove("pricing")
            .increment("version", 1),
        cond: Some(Cond::eq("version", client.version)),
    }];
    // Its services and rate tables no longer count it (they can be deleted again), nor
    // its auto-assign team.
    writes.extend(super::catalog::unlink_all(&client));
    if let Some(team) = &client.auto_assign_team_id {
        writes.push(teams::unassign(
            client.courier_id.as_str(),
            team,
            &client.id,
        ));
    }
    writes.push(Write::Delete {
        key: keys::client_email(client.courier_id.as_str(), &client.email.normalized()),
        cond: Some(Cond::eq("clientId", client.id.as_str())),
    });
    for item in keys_page.items {
        let record: ApiKeyRecord = from_item(item)?;
        if record.revoked_at.is_some() {
            continue;
        }
        let revoke = Update::new().set("revokedAt", now.as_str());
        writes.push(Write::Update {
            key: keys::api_key(client.id.as_str(), record.id.as_str()),
            update: revoke.clone(),
            cond: None,
        });
        writes.push(Write::Update {
            key: keys::api_key_secret(&record.hash),
            update: revoke,
            cond: Some(Cond::exists(PK)),
        });
    }
    ctx.store
        .transact(writes)
        .await
        .map_err(|e| stale_if_first_failed(e, client.version))?;
    Ok(ApiResponse::no_content())
}

/// A courier's client by id; another courier's client (or a malformed id) is not found.
pub use crate::ordering::owner::load_client;

pub fn client_item(client: &Client) -> Result<Item, ApiError> {
    to_item(
        client,
        &keys::client(client.courier_id.as_str(), client.id.as_str()),
        "Client",
    )
}

pub fn email_marker(
    courier_id: &CourierId,
    email: &Email,
    client_id: &ClientId,
) -> Result<Item, ApiError> {
    to_item(
        &serde_json::json!({ "clientId": client_id }),
        &keys::client_email(courier_id.as_str(), &email.normalized()),
        "ClientEmail",
    )
}

pub fn email_taken(email: &Email) -> ApiError {
    ApiError::conflict(
        "email_taken",
        format!("another client of this courier already uses {email}"),
    )
}

/// An auto-assign team that is not one of the courier's teams.
fn unknown_team() -> ApiError {
    ApiError::invalid("autoAssignTeamId", "is not one of your teams")
}

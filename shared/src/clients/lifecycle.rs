//! A client created, listed, changed and deleted.

use super::access::{courier_of, load_client};
use super::error::ClientError;
use super::services;
use crate::accounts::email_change::{
    email_change, limit_confirmation, send_confirmation, sending_courier,
};
use crate::accounts::organization::{stale, stale_if_first_failed};
use crate::clock::timestamp;
use crate::domain::api_key::{ApiKeyRecord, Principal};
use crate::domain::client::{Client, ClientStatus, ServiceSelection};
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::{Email, Location, Name, TeamId};
use crate::store::clients::{changed_meanwhile, save_change};
use crate::store::pages::list_page;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Item, Query, StoreError, Update, Write, PK};
use crate::teams;
use crate::Ctx;

/// A new client, as `POST /v1/clients` and the New client page take it.
pub struct NewClient {
    pub name: Name,
    pub email: Email,
    pub allow_order_upload: bool,
    pub auto_assign_team_id: Option<TeamId>,
    pub default_pickup: Option<Location>,
    pub integrations_enabled: bool,
    pub service_selection: ServiceSelection,
}

/// Creates a pending client: the client, its email's marker and (with an auto-assign team)
/// the team's usage in one transaction.
pub async fn create_client(
    ctx: &Ctx,
    who: &Principal,
    new: NewClient,
) -> Result<Client, ClientError> {
    let courier = courier_of(who)?;
    let now = timestamp(ctx.now());
    let client = Client {
        id: ClientId::generate(),
        courier_id: courier.clone(),
        name: new.name,
        email: new.email,
        status: ClientStatus::Pending,
        pending_email: None,
        allow_order_upload: new.allow_order_upload,
        auto_assign_team_id: new.auto_assign_team_id,
        default_pickup: new.default_pickup,
        integrations_enabled: new.integrations_enabled,
        service_selection: new.service_selection,
        notifications: None,
        tracking_page: None,
        organization: None,
        created_at: now.clone(),
        updated_at: now,
        version: 1,
        invite_token_hash: None,
        email_token_hash: None,
        active_keys: 0,
        order_count: 0,
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
                .ok_or(ClientError::UnknownTeam)?,
        );
    }
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(1) {
            ClientError::EmailTaken(client.email.clone())
        } else if e.condition_failed_at(2) {
            ClientError::UnknownTeam
        } else {
            e.into()
        }
    })?;
    Ok(client)
}

/// One page of the courier's clients, newest first.
pub struct ClientPage {
    pub clients: Vec<Client>,
    pub next_cursor: Option<String>,
}

/// The courier's clients, newest first; `statuses` (when not empty) keeps those in one of them.
pub async fn list_clients(
    ctx: &Ctx,
    who: &Principal,
    statuses: &[ClientStatus],
    limit: u32,
    cursor: Option<&str>,
) -> Result<ClientPage, ClientError> {
    let courier = courier_of(who)?;
    let filter = (!statuses.is_empty()).then(|| {
        Cond::one_of(
            "status",
            statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        )
    });
    let query = Query::partition(keys::courier_pk(courier.as_str()))
        .sk_begins_with(keys::CLIENT_PREFIX)
        .descending()
        .filter(filter);
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let clients = items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<Client>, _>>()?;
    Ok(ClientPage {
        clients,
        next_cursor,
    })
}

/// A check of the client as read, before anything is written (the API's read-only fields).
pub type ReadCheck<'a> = Box<dyn FnOnce(&Client) -> Result<(), ClientError> + Send + 'a>;

/// What changes on a client: each field that is `Some` (an inner `None` clears it).
#[derive(Default)]
pub struct ClientChanges<'a> {
    pub name: Option<Name>,
    /// A new email waits in `pendingEmail` until confirmed; the current email cancels a
    /// pending change, unless `keep_pending`.
    pub email: Option<Email>,
    /// The current email sent with the rest (a form, a document read back) keeps a pending
    /// change instead of cancelling it.
    pub keep_pending: bool,
    pub allow_order_upload: Option<bool>,
    pub auto_assign_team_id: Option<Option<TeamId>>,
    pub default_pickup: Option<Option<Location>>,
    pub integrations_enabled: Option<bool>,
    pub service_selection: Option<ServiceSelection>,
    /// The version the caller read, if it says.
    pub expected_version: Option<u64>,
    /// Checked on the client read, after its version.
    pub check: Option<ReadCheck<'a>>,
}

/// Changes a client (version condition). Only what differs is written; a new email is
/// mailed its confirmation link under `base_url` after the write.
pub async fn update_client(
    ctx: &Ctx,
    who: &Principal,
    client_id: &str,
    changes: ClientChanges<'_>,
    base_url: &str,
) -> Result<Client, ClientError> {
    // The confirmation is mailed after the write: a function built without SES fails first.
    ctx.mailer()?;
    let client = load_client(ctx, who, client_id).await?;
    if client.status == ClientStatus::Deleted {
        return Err(ClientError::Deleted { action: "changed" });
    }
    if changes
        .expected_version
        .is_some_and(|v| v != client.version)
    {
        return Err(stale(client.version).into());
    }
    if let Some(check) = changes.check {
        check(&client)?;
    }
    let email = changes
        .email
        .filter(|e| !changes.keep_pending || e.normalized() != client.email.normalized());
    let now = ctx.now();
    let mut updated = client.clone();
    let mut update = Update::new();
    if let Some(name) = changes.name.filter(|n| *n != client.name) {
        update = update.set("name", name.as_str());
        updated.name = name;
    }
    if let Some(allow) = changes
        .allow_order_upload
        .filter(|a| *a != client.allow_order_upload)
    {
        update = update.set("allowOrderUpload", allow);
        updated.allow_order_upload = allow;
    }
    if let Some(enabled) = changes
        .integrations_enabled
        .filter(|e| *e != client.integrations_enabled)
    {
        update = update.set("integrationsEnabled", enabled);
        updated.integrations_enabled = enabled;
    }
    if let Some(selection) = changes
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
    if let Some(team) = changes
        .auto_assign_team_id
        .filter(|t| *t != client.auto_assign_team_id)
    {
        let courier = client.courier_id.as_str();
        if let Some(new) = &team {
            team_writes
                .extend(teams::assign(courier, new, &client.id)?.ok_or(ClientError::UnknownTeam)?);
        }
        if let Some(old) = &client.auto_assign_team_id {
            team_writes.push(teams::unassign(courier, old, &client.id));
        }
        update = update.set_or_remove("autoAssignTeamId", team.as_ref().map(|t| t.as_str().into()));
        updated.auto_assign_team_id = team;
    }
    let team_assigned = updated.auto_assign_team_id.is_some() && !team_writes.is_empty();
    if let Some(pickup) = changes
        .default_pickup
        .filter(|p| *p != client.default_pickup)
    {
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
        return Ok(client);
    }
    updated.version = client.version + 1;
    updated.updated_at = timestamp(now);
    let saved = save_change(
        ctx.store.as_ref(),
        &client,
        update,
        &updated.updated_at,
        extra_writes,
    );
    saved.await.map_err(|e| {
        if team_assigned && e.condition_failed_at(1) {
            ClientError::UnknownTeam
        } else if changed_meanwhile(&e) {
            stale(client.version + 1).into()
        } else {
            e.into()
        }
    })?;
    if let Some(confirmation) = confirmation {
        let courier = sending_courier(ctx, client.courier_id.as_str()).await?;
        send_confirmation(ctx, base_url, &courier, confirmation).await?;
    }
    Ok(updated)
}

/// Deletes a client: it can no longer sign in (every key is revoked in the same
/// transaction), its email is free again, and its record and orders stay. Deleting a
/// deleted client changes nothing.
pub async fn delete_client(ctx: &Ctx, who: &Principal, client_id: &str) -> Result<(), ClientError> {
    let client = load_client(ctx, who, client_id).await?;
    if client.status == ClientStatus::Deleted {
        // A retry finishes what an earlier attempt may have left.
        return close_conversation(ctx, &client).await;
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
    writes.extend(services::unlink_all(&client));
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
    close_conversation(ctx, &client).await
}

/// The deleted client's conversation leaves the courier's list and unread counts.
async fn close_conversation(ctx: &Ctx, client: &Client) -> Result<(), ClientError> {
    crate::chat::close_conversation(ctx, client.courier_id.as_str(), client.id.as_str())
        .await
        .map_err(|e| match e {
            crate::chat::ChatError::Store(e) => ClientError::Store(e),
            other => ClientError::Store(StoreError::Backend(other.to_string())),
        })
}

pub fn client_item(client: &Client) -> Result<Item, StoreError> {
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
) -> Result<Item, StoreError> {
    to_item(
        &serde_json::json!({ "clientId": client_id }),
        &keys::client_email(courier_id.as_str(), &email.normalized()),
        "ClientEmail",
    )
}

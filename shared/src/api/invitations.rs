//! `POST /v1/clients/{clientId}/invitation` (courier) and the public
//! `POST /v1/invitations/{token}/accept`, which activates the client and returns its first key.

use serde::{Deserialize, Serialize};

use super::api_keys::{below_key_cap, issue_key, shown_once};
use super::clients::load_client;
use super::records::{from_item, to_item};
use crate::clock::timestamp;
use crate::domain::api_key::{NewApiKey, Role};
use crate::domain::client::ClientStatus;
use crate::domain::courier::Courier;
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::{token, Label};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::notify::OutgoingEmail;
use crate::store::{keys, Cond, Update, Write, PK};
use crate::Ctx;

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 7;

/// The stored invitation (by the hash of its token).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Invitation {
    client_id: ClientId,
    courier_id: CourierId,
    email: String,
    expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    used_at: Option<String>,
    /// Epoch seconds after which DynamoDB may delete the item (reads check `expiresAt`).
    ttl: i64,
}

pub async fn invite_client(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let mailer = ctx.mailer()?;
    let client = load_client(ctx, &who.courier_id, req.path_param("clientId")?).await?;
    match client.status {
        ClientStatus::Pending | ClientStatus::Invited => {}
        ClientStatus::Active => {
            return Err(ApiError::conflict(
                "already_active",
                "the client has already accepted an invitation",
            ))
        }
        ClientStatus::Deleted => {
            return Err(ApiError::conflict(
                "client_deleted",
                "a deleted client cannot be invited",
            ))
        }
    }
    let courier: Courier = from_item(
        ctx.store
            .get(&keys::courier(who.courier_id.as_str()))
            .await?
            .ok_or(ApiError::NotFound("courier"))?,
    )?;
    let secret = token::random_secret();
    let hash = token::hash(&secret);
    let now = ctx.now();
    let expires = now + chrono::Duration::days(INVITATION_DAYS);
    let invitation = Invitation {
        client_id: client.id.clone(),
        courier_id: client.courier_id.clone(),
        email: client.email.to_string(),
        expires_at: timestamp(expires),
        used_at: None,
        ttl: expires.timestamp() + 86_400,
    };
    let writes = vec![
        Write::Update {
            key: keys::client(client.courier_id.as_str(), client.id.as_str()),
            update: Update::new()
                .set("status", ClientStatus::Invited.as_str())
                .set("inviteTokenHash", hash.as_str())
                .set("updatedAt", timestamp(now))
                .increment("version", 1),
            cond: Some(Cond::eq("version", client.version)),
        },
        Write::Put {
            item: to_item(&invitation, &keys::invitation(&hash), "Invitation")?,
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    // Re-inviting replaces the previous token: the client now holds the new token's hash,
    // so accepting the old one fails its condition (410) until TTL removes it.
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            ApiError::conflict(
                "version_conflict",
                "the client changed while inviting it; try again",
            )
        } else {
            e.into()
        }
    })?;
    let link = format!("{}/v1/invitations/{secret}/accept", ctx.base_url(&req));
    let message = OutgoingEmail {
        to: client.email.clone(),
        subject: format!("{} invites {} to its client portal", courier.name, client.name),
        text: format!(
            "Hello {client},\n\n{courier} invites you to send and follow your deliveries in its client portal.\n\n\
             Accept the invitation (this gives you your API key): POST {link}\n(curl -X POST {link})\n\n\
             Your Client Portal ID is {id}. The invitation can be used once and expires on {expires}.\n",
            client = client.name,
            courier = courier.name,
            id = client.id,
            expires = invitation.expires_at,
        ),
    };
    mailer.send_email(&message).await.map_err(|e| {
        ApiError::Unavailable(format!(
            "the invitation could not be emailed ({e}); invite again to retry"
        ))
    })?;
    Ok(ApiResponse::ok(&serde_json::json!({
        "clientId": client.id, "status": "invited", "sentTo": client.email, "expiresAt": invitation.expires_at,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    #[serde(default)]
    label: Option<Label>,
}

pub async fn accept_invitation(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let raw = req.path_param("token")?;
    let body: AcceptBody = req.json_or_empty()?;
    let not_found = ApiError::NotFound("invitation");
    if !token::well_formed(raw) {
        return Err(not_found);
    }
    let hash = token::hash(raw);
    let invitation: Invitation = from_item(
        ctx.store
            .get(&keys::invitation(&hash))
            .await?
            .ok_or(not_found)?,
    )?;
    let now = ctx.now();
    check_usable(
        invitation.used_at.as_deref(),
        &invitation.expires_at,
        now,
        "invitation",
    )?;
    let key = NewApiKey::generate(Role::Client);
    let now_text = timestamp(now);
    let label = body.label.or_else(|| Label::parse("first key").ok());
    let (record, key_writes) = issue_key(
        &key,
        Role::Client,
        &invitation.courier_id,
        Some(&invitation.client_id),
        label,
        &now_text,
    )?;
    let mut writes = vec![
        Write::Update {
            key: keys::invitation(&hash),
            update: Update::new().set("usedAt", now_text.as_str()),
            cond: Some(Cond::not_exists("usedAt").and(Cond::gt("expiresAt", now_text.as_str()))),
        },
        Write::Update {
            key: keys::client(
                invitation.courier_id.as_str(),
                invitation.client_id.as_str(),
            ),
            update: Update::new()
                .set("status", ClientStatus::Active.as_str())
                .remove("inviteTokenHash")
                .set("updatedAt", now_text.as_str())
                .increment("activeKeys", 1)
                .increment("version", 1),
            cond: Some(
                Cond::eq("status", ClientStatus::Invited.as_str())
                    .and(Cond::eq("inviteTokenHash", hash.as_str()))
                    .and(below_key_cap()),
            ),
        },
    ];
    writes.extend(key_writes);
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            ApiError::gone("token_used", "this invitation has already been used")
        } else if e.condition_failed_at(1) {
            ApiError::gone("token_replaced", "this invitation is no longer valid (replaced by a newer one, or the client was removed)")
        } else {
            e.into()
        }
    })?;
    let mut response = serde_json::json!({
        "clientId": invitation.client_id, "courierId": invitation.courier_id, "status": "active",
    });
    response["apiKey"] = shown_once(&record, &key);
    Ok(ApiResponse::created(&response))
}

/// A single-use token's state: used or expired answers 410 (TTL deletion is lazy, so the
/// expiry is checked on read too).
pub fn check_usable(
    used_at: Option<&str>,
    expires_at: &str,
    now: chrono::DateTime<chrono::Utc>,
    what: &str,
) -> Result<(), ApiError> {
    if used_at.is_some() {
        return Err(ApiError::gone(
            "token_used",
            format!("this {what} has already been used"),
        ));
    }
    if expires_at <= timestamp(now).as_str() {
        return Err(ApiError::gone(
            "token_expired",
            format!("this {what} has expired"),
        ));
    }
    Ok(())
}

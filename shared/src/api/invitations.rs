//! `POST /v1/clients/{clientId}/invitation` (courier) and the public
//! `POST /v1/invitations/{token}/accept`, which activates the client and returns its first key
//! (the use case of `accounts::invitation`, as the invitation page's "API access only").

use serde::Deserialize;

use super::api_keys::shown_once;
use super::clients::load_client;
use super::records::{from_item, to_item};
use crate::accounts::invitation::{accept_with_key, Invitation, INVITATION_DAYS};
use crate::clock::timestamp;
use crate::domain::api_key::Principal;
use crate::domain::client::ClientStatus;
use crate::domain::courier::{courier_timezone, Courier};
use crate::domain::ids::ClientId;
use crate::domain::{token, Email, Label};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::notify::letter::Letter;
use crate::store::{keys, Cond, Update, Write, PK};
use crate::Ctx;

pub async fn invite_client(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let invited = invite(ctx, who, req.path_param("clientId")?, &ctx.base_url(&req)).await?;
    Ok(ApiResponse::ok(&serde_json::json!({
        "clientId": invited.client_id, "status": "invited", "sentTo": invited.sent_to, "expiresAt": invited.expires_at,
    })))
}

/// An invitation sent: to whom, until when, and its token (in the email's links only; the
/// local portal's demo accepts it at once).
pub struct Invited {
    pub client_id: ClientId,
    pub sent_to: Email,
    pub expires_at: String,
    pub token: String,
}

/// Invites the courier's client `client_id` (pending or invited): a new token replaces any
/// earlier one, and the invitation is emailed with links under `base`.
pub async fn invite(
    ctx: &Ctx,
    who: &Principal,
    client_id: &str,
    base: &str,
) -> Result<Invited, ApiError> {
    let mailer = ctx.mailer()?;
    let client = load_client(ctx, &who.courier_id, client_id).await?;
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
    let expires_in_words = courier_timezone(Some(&courier)).in_words(expires);
    let message = Letter {
        to: client.email.clone(),
        subject: format!(
            "{} invites {} to its client portal",
            courier.name, client.name
        ),
        brand: courier.name.clone(),
        greeting: format!("Hello {},", client.name),
        paragraphs: vec![
            format!(
                "{} invites {} to send and follow its deliveries in its client portal.",
                courier.name, client.name
            ),
            "Open the invitation to choose your name and password. If you only send orders \
             through the API (from a shop or your own software), choose \"API access only\" on \
             the same page instead: it shows your API key."
                .into(),
        ],
        action: Some((
            "Open the invitation".into(),
            format!("{base}/invitations/{secret}"),
        )),
        notes: vec![
            format!("Your Client Portal ID is {}.", client.id),
            format!("The invitation can be used once, until {expires_in_words}."),
        ],
    }
    .email();
    mailer.send_email(&message).await.map_err(|e| {
        ApiError::Unavailable(format!(
            "the invitation could not be emailed ({e}); invite again to retry"
        ))
    })?;
    Ok(Invited {
        client_id: client.id,
        sent_to: client.email,
        expires_at: invitation.expires_at,
        token: secret,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    #[serde(default)]
    label: Option<Label>,
}

pub async fn accept_invitation(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let body: AcceptBody = req.json_or_empty()?;
    let accepted = accept_with_key(ctx, req.path_param("token")?, body.label).await?;
    let mut response = serde_json::json!({
        "clientId": accepted.client_id, "courierId": accepted.courier_id, "status": "active",
    });
    response["apiKey"] = shown_once(&accepted.record, &accepted.key);
    Ok(ApiResponse::created(&response))
}

//! `POST /v1/clients/{clientId}/invitation` (courier) and the public
//! `POST /v1/invitations/{token}/accept`, which activates the client and returns its first key.

use serde::{Deserialize, Serialize};

use super::api_keys::{below_key_cap, issue_key, shown_once};
use super::clients::load_client;
use super::records::{from_item, to_item};
use crate::accounts::tokens::check_usable;
use crate::clock::timestamp;
use crate::domain::api_key::{NewApiKey, Principal, Role};
use crate::domain::client::ClientStatus;
use crate::domain::courier::Courier;
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::user::{Password, User};
use crate::domain::{token, Email, Label, Name, Phone};
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
    let page = format!("{base}/invitations/{secret}");
    let link = format!("{base}/v1/invitations/{secret}/accept");
    let message = OutgoingEmail {
        to: client.email.clone(),
        subject: format!("{} invites {} to its client portal", courier.name, client.name),
        text: format!(
            "Hello {client},\n\n{courier} invites you to send and follow your deliveries in its client portal.\n\n\
             Set your name and password to open the portal: {page}\n\n\
             For API access only, accept it with a request instead (this gives you your API key): POST {link}\n(curl -X POST {link})\n\n\
             Your Client Portal ID is {id}. The invitation can be used once and expires on {expires}.\n",
            client = client.name,
            courier = courier.name,
            id = client.id,
            expires = invitation.expires_at,
        ),
        html: None,
    };
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
    let (invitation, hash) = open_invitation(ctx, req.path_param("token")?).await?;
    let key = NewApiKey::generate(Role::Client);
    let now_text = timestamp(ctx.now());
    let label = body.label.or_else(|| Label::parse("first key").ok());
    let (record, key_writes) = issue_key(
        &key,
        Role::Client,
        &invitation.courier_id,
        Some(&invitation.client_id),
        label,
        &now_text,
    )?;
    let mut writes = acceptance_writes(
        &invitation,
        &hash,
        &now_text,
        Update::new().increment("activeKeys", 1),
        Some(below_key_cap()),
    );
    writes.extend(key_writes);
    run_acceptance(ctx, writes).await?;
    let mut response = serde_json::json!({
        "clientId": invitation.client_id, "courierId": invitation.courier_id, "status": "active",
    });
    response["apiKey"] = shown_once(&record, &key);
    Ok(ApiResponse::created(&response))
}

/// Who an invitation is for, as its page shows it (reading never consumes it).
pub struct OpenInvitation {
    pub email: String,
    pub client_id: ClientId,
}

/// The invitation behind a token, if it can still be accepted.
pub async fn invitation_for_page(ctx: &Ctx, raw: &str) -> Result<OpenInvitation, ApiError> {
    let (invitation, _) = open_invitation(ctx, raw).await?;
    Ok(OpenInvitation {
        email: invitation.email,
        client_id: invitation.client_id,
    })
}

/// What the invited person sets on the invitation page.
pub struct FirstUser {
    pub name: Name,
    pub phone: Option<Phone>,
    pub password: Password,
}

/// The invitation page's form: the same acceptance as the JSON route (the token used, the
/// client active), creating the client's first user instead of a key, and signing the
/// person in, all in one transaction. Returns the session cookie's value.
pub async fn accept_as_user(ctx: &Ctx, raw: &str, first: FirstUser) -> Result<String, ApiError> {
    let (invitation, hash) = open_invitation(ctx, raw).await?;
    let now = ctx.now();
    let now_text = timestamp(now);
    let email = Email::parse(&invitation.email).map_err(ApiError::Internal)?;
    let user = User {
        user_id: User::new_id(),
        email: email.clone(),
        name: first.name,
        phone: first.phone,
        password_hash: first.password.hash(),
        role: Role::Client,
        courier_id: invitation.courier_id.clone(),
        client_id: Some(invitation.client_id.clone()),
        created_at: now_text.clone(),
        updated_at: now_text.clone(),
        version: 1,
    };
    let (cookie, session) = crate::accounts::session::new_session(&user, now)?;
    let mut writes = acceptance_writes(&invitation, &hash, &now_text, Update::new(), None);
    // The user (index 2: its login email taken) and its id's reference.
    writes.extend(crate::accounts::users::create_user_writes(&user)?);
    writes.push(Write::Put {
        item: session,
        cond: Some(Cond::not_exists(PK)),
    });
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(2) {
            ApiError::conflict(
                "email_taken",
                "a user with this email already exists: sign in instead",
            )
        } else {
            acceptance_error(e)
        }
    })?;
    Ok(cookie)
}

/// Reads the invitation by its token and checks it can still be accepted.
async fn open_invitation(ctx: &Ctx, raw: &str) -> Result<(Invitation, String), ApiError> {
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
    check_usable(
        invitation.used_at.as_deref(),
        &invitation.expires_at,
        ctx.now(),
        "invitation",
    )?;
    Ok((invitation, hash))
}

/// The token marked used and the client activated (first two writes of the transaction).
fn acceptance_writes(
    invitation: &Invitation,
    hash: &str,
    now_text: &str,
    client_update: Update,
    client_cond: Option<Cond>,
) -> Vec<Write> {
    let update = client_update
        .set("status", ClientStatus::Active.as_str())
        .remove("inviteTokenHash")
        .set("updatedAt", now_text)
        .increment("version", 1);
    let mut cond =
        Cond::eq("status", ClientStatus::Invited.as_str()).and(Cond::eq("inviteTokenHash", hash));
    if let Some(extra) = client_cond {
        cond = cond.and(extra);
    }
    vec![
        Write::Update {
            key: keys::invitation(hash),
            update: Update::new().set("usedAt", now_text),
            cond: Some(Cond::not_exists("usedAt").and(Cond::gt("expiresAt", now_text))),
        },
        Write::Update {
            key: keys::client(
                invitation.courier_id.as_str(),
                invitation.client_id.as_str(),
            ),
            update,
            cond: Some(cond),
        },
    ]
}

async fn run_acceptance(ctx: &Ctx, writes: Vec<Write>) -> Result<(), ApiError> {
    ctx.store.transact(writes).await.map_err(acceptance_error)
}

fn acceptance_error(e: crate::store::StoreError) -> ApiError {
    if e.condition_failed_at(0) {
        ApiError::gone("token_used", "this invitation has already been used")
    } else if e.condition_failed_at(1) {
        ApiError::gone("token_replaced", "this invitation is no longer valid (replaced by a newer one, or the client was removed)")
    } else {
        e.into()
    }
}

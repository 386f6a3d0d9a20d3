//! A client invited to its portal (`POST /v1/clients/{clientId}/invitation` and the
//! client's page's **Invite** / **Re-invite**): a new token replaces any earlier one, and
//! the invitation is emailed.

use super::access::load_client;
use super::error::ClientError;
use crate::accounts::invitation::{Invitation, INVITATION_DAYS};
use crate::clock::timestamp;
use crate::domain::api_key::Principal;
use crate::domain::client::ClientStatus;
use crate::domain::courier::{courier_timezone, Courier};
use crate::domain::ids::ClientId;
use crate::domain::{token, Email};
use crate::notify::letter::Letter;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Update, Write, PK};
use crate::Ctx;

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
) -> Result<Invited, ClientError> {
    let mailer = ctx.mailer()?;
    let client = load_client(ctx, who, client_id).await?;
    match client.status {
        ClientStatus::Pending | ClientStatus::Invited => {}
        ClientStatus::Active => return Err(ClientError::AlreadyActive),
        ClientStatus::Deleted => return Err(ClientError::Deleted { action: "invited" }),
    }
    let courier: Courier = from_item(
        ctx.store
            .get(&keys::courier(who.courier_id.as_str()))
            .await?
            .ok_or(ClientError::CourierNotFound)?,
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
            ClientError::InviteRaced
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
    mailer
        .send_email(&message)
        .await
        .map_err(|e| ClientError::InvitationNotSent(e.to_string()))?;
    Ok(Invited {
        client_id: client.id,
        sent_to: client.email,
        expires_at: invitation.expires_at,
        token: secret,
    })
}

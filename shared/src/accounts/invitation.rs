//! An invitation accepted from the link mailed to the client: what it is for (reading never
//! uses it), and its acceptance, once, in one transaction (the token used, the client
//! active) with either the client's first user, signed in (the invitation page's form), or
//! its first API key, shown once (the page's "API access only", and
//! `POST /v1/invitations/{token}/accept`).

use serde::{Deserialize, Serialize};

use super::api_keys::{below_key_cap, issue_key};
use super::error::AccountError;
use super::tokens::check_usable;
use crate::clock::timestamp;
use crate::domain::api_key::{ApiKeyRecord, NewApiKey, Role};
use crate::domain::client::{Client, ClientStatus};
use crate::domain::courier::Courier;
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::user::{Password, User};
use crate::domain::{token, Email, Label, Name, Phone};
use crate::store::{keys, records, Cond, StoreError, Update, Write, PK};
use crate::Ctx;

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 7;

/// The stored invitation (by the hash of its token).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub client_id: ClientId,
    pub courier_id: CourierId,
    pub email: String,
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<String>,
    /// Epoch seconds after which DynamoDB may delete the item (reads check `expiresAt`).
    pub ttl: i64,
}

/// Who an invitation is for and from, as its page shows it (reading never consumes it).
pub struct OpenInvitation {
    pub email: String,
    pub client_id: ClientId,
    /// The client invited, by its name as it is now.
    pub client_name: String,
    /// The courier that invites, by its name as it is now.
    pub courier_name: String,
}

/// The invitation behind a token, if it can still be accepted, with its client and courier
/// (read together); a client deleted since is an unknown invitation.
pub async fn invitation_for_page(ctx: &Ctx, raw: &str) -> Result<OpenInvitation, AccountError> {
    let (invitation, _) = open_invitation(ctx, raw).await?;
    let courier_id = invitation.courier_id.as_str();
    let mut found = ctx
        .store
        .batch_get(&[
            keys::client(courier_id, invitation.client_id.as_str()),
            keys::courier(courier_id),
        ])
        .await?
        .into_iter();
    let client: Client = records::from_item(
        found
            .next()
            .flatten()
            .ok_or(AccountError::InvitationNotFound)?,
    )?;
    let courier: Courier = records::from_item(
        found
            .next()
            .flatten()
            .ok_or(AccountError::InvitationNotFound)?,
    )?;
    Ok(OpenInvitation {
        email: invitation.email,
        client_id: invitation.client_id,
        client_name: client.name.as_str().to_string(),
        courier_name: courier.name,
    })
}

/// An invitation accepted for API use: the client active and its first key (`key`'s
/// secret, to show once).
pub struct AcceptedWithKey {
    pub client_id: ClientId,
    pub courier_id: CourierId,
    pub record: ApiKeyRecord,
    pub key: NewApiKey,
}

/// Accepts the invitation with the client's first API key (`label`, else "first key"):
/// the token used, the client active and the key issued in one transaction.
pub async fn accept_with_key(
    ctx: &Ctx,
    raw: &str,
    label: Option<Label>,
) -> Result<AcceptedWithKey, AccountError> {
    let (invitation, hash) = open_invitation(ctx, raw).await?;
    let key = NewApiKey::generate(Role::Client);
    let now_text = timestamp(ctx.now());
    let label = label.or_else(|| Label::parse("first key").ok());
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
    ctx.store.transact(writes).await.map_err(acceptance_error)?;
    Ok(AcceptedWithKey {
        client_id: invitation.client_id,
        courier_id: invitation.courier_id,
        record,
        key,
    })
}

/// What the invited person sets on the invitation page.
pub struct FirstUser {
    pub name: Name,
    pub phone: Option<Phone>,
    pub password: Password,
}

/// Accepts the invitation with the client's first user instead of a key, and signs the
/// person in, all in one transaction. Returns the session cookie's value.
pub async fn accept_as_user(
    ctx: &Ctx,
    raw: &str,
    first: FirstUser,
) -> Result<String, AccountError> {
    let (invitation, hash) = open_invitation(ctx, raw).await?;
    let now = ctx.now();
    let now_text = timestamp(now);
    let email = Email::parse(&invitation.email).map_err(AccountError::Internal)?;
    let user = User {
        user_id: User::new_id(),
        email: email.clone(),
        name: first.name,
        phone: first.phone,
        password_hash: first.password.hash(),
        role: Role::Client,
        team_role: crate::domain::user::TeamRole::Admin,
        courier_id: invitation.courier_id.clone(),
        client_id: Some(invitation.client_id.clone()),
        created_at: now_text.clone(),
        updated_at: now_text.clone(),
        version: 1,
    };
    let (cookie, session) = super::session::new_session(&user, now)?;
    let mut writes = acceptance_writes(&invitation, &hash, &now_text, Update::new(), None);
    // The user (index 2: its login email taken) and its id's reference.
    writes.extend(super::users::create_user_writes(&user)?);
    writes.push(Write::Put {
        item: session,
        cond: Some(Cond::not_exists(PK)),
    });
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(2) {
            AccountError::UserExists
        } else {
            acceptance_error(e)
        }
    })?;
    Ok(cookie)
}

/// Reads the invitation by its token and checks it can still be accepted.
async fn open_invitation(ctx: &Ctx, raw: &str) -> Result<(Invitation, String), AccountError> {
    if !token::well_formed(raw) {
        return Err(AccountError::InvitationNotFound);
    }
    let hash = token::hash(raw);
    let invitation: Invitation = records::from_item(
        ctx.store
            .get(&keys::invitation(&hash))
            .await?
            .ok_or(AccountError::InvitationNotFound)?,
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

/// Which condition of the acceptance failed: the token used meanwhile (0), or the client no
/// longer waiting for this token (1).
fn acceptance_error(e: StoreError) -> AccountError {
    if e.condition_failed_at(0) {
        AccountError::TokenUsed { what: "invitation" }
    } else if e.condition_failed_at(1) {
        AccountError::InvitationReplaced
    } else {
        e.into()
    }
}

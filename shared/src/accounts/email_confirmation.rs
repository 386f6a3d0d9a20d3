//! An organisation's email change confirmed from the link mailed to the new address (a
//! client's, or a courier's own): what the link would change (reading never uses it), and
//! the change applied, once. The JSON route (`POST /v1/email-confirmations/{token}`) and
//! the page's **Confirm** button both run [`confirm_organization_email`].

use serde::Deserialize;

use super::error::AccountError;
use super::tokens::check_usable;
use crate::clock::timestamp;
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::{token, Email};
use crate::store::{couriers, keys, records, Cond, Update, Write, PK};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailConfirmation {
    /// Absent: the courier's own email.
    #[serde(default)]
    client_id: Option<ClientId>,
    courier_id: CourierId,
    email: Email,
    expires_at: String,
    #[serde(default)]
    used_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientEmail {
    email: Email,
}

/// What a confirmation link would change, as its page says it: the new address and the
/// courier whose portal it is on (nothing the organisation typed).
pub struct PendingConfirmation {
    pub email: Email,
    pub courier_name: String,
}

/// A confirmed change: whose email it is now.
pub enum Confirmed {
    Client { client_id: ClientId, email: Email },
    Courier { courier_id: CourierId, email: Email },
}

impl Confirmed {
    pub fn email(&self) -> &Email {
        match self {
            Confirmed::Client { email, .. } | Confirmed::Courier { email, .. } => email,
        }
    }
}

/// The confirmation behind a token, if it can still be used, with its hash.
async fn open(ctx: &Ctx, raw: &str) -> Result<(EmailConfirmation, String), AccountError> {
    if !token::well_formed(raw) {
        return Err(AccountError::EmailConfirmationNotFound);
    }
    let hash = token::hash(raw);
    let confirmation: EmailConfirmation = records::from_item(
        ctx.store
            .get(&keys::email_confirmation(&hash))
            .await?
            .ok_or(AccountError::EmailConfirmationNotFound)?,
    )?;
    check_usable(
        confirmation.used_at.as_deref(),
        &confirmation.expires_at,
        ctx.now(),
        "confirmation",
    )?;
    Ok((confirmation, hash))
}

/// What the link would change, if it can still be used (reading never uses it).
pub async fn open_confirmation(ctx: &Ctx, raw: &str) -> Result<PendingConfirmation, AccountError> {
    let (confirmation, _) = open(ctx, raw).await?;
    let courier = couriers::get(ctx.store.as_ref(), confirmation.courier_id.as_str())
        .await?
        .ok_or(AccountError::CourierNotFound)?;
    Ok(PendingConfirmation {
        email: confirmation.email,
        courier_name: courier.name,
    })
}

/// Applies the pending email change behind the token: the token used, the organisation's
/// email set (a client's email marker moved with it), in one transaction.
pub async fn confirm_organization_email(ctx: &Ctx, raw: &str) -> Result<Confirmed, AccountError> {
    let (confirmation, hash) = open(ctx, raw).await?;
    let now_text = timestamp(ctx.now());
    let use_token = Write::Update {
        key: keys::email_confirmation(&hash),
        update: Update::new().set("usedAt", now_text.as_str()),
        cond: Some(Cond::not_exists("usedAt").and(Cond::gt("expiresAt", now_text.as_str()))),
    };
    let Some(client_id) = confirmation.client_id.clone() else {
        let writes = vec![
            use_token,
            Write::Update {
                key: keys::courier(confirmation.courier_id.as_str()),
                update: Update::new()
                    .set("email", confirmation.email.as_str())
                    .remove("pendingEmail")
                    .remove("emailTokenHash"),
                cond: Some(Cond::eq("emailTokenHash", hash.as_str())),
            },
        ];
        ctx.store
            .transact(writes)
            .await
            .map_err(|e| confirmation_error(e, &confirmation.email))?;
        return Ok(Confirmed::Courier {
            courier_id: confirmation.courier_id,
            email: confirmation.email,
        });
    };
    let client_key = keys::client(confirmation.courier_id.as_str(), client_id.as_str());
    let current: ClientEmail = records::from_item(
        ctx.store
            .get(&client_key)
            .await?
            .ok_or(AccountError::ClientNotFound)?,
    )?;
    let marker = records::to_item(
        &serde_json::json!({ "clientId": client_id }),
        &keys::client_email(
            confirmation.courier_id.as_str(),
            &confirmation.email.normalized(),
        ),
        "ClientEmail",
    )?;
    let writes = vec![
        use_token,
        Write::Update {
            key: client_key,
            update: Update::new()
                .set("email", confirmation.email.as_str())
                .remove("pendingEmail")
                .remove("emailTokenHash")
                .set("updatedAt", now_text.as_str())
                .increment("version", 1),
            cond: Some(
                Cond::eq("emailTokenHash", hash.as_str())
                    .and(Cond::eq("email", current.email.as_str())),
            ),
        },
        Write::Delete {
            key: keys::client_email(
                confirmation.courier_id.as_str(),
                &current.email.normalized(),
            ),
            cond: Some(Cond::eq("clientId", client_id.as_str())),
        },
        Write::Put {
            item: marker,
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    ctx.store
        .transact(writes)
        .await
        .map_err(|e| confirmation_error(e, &confirmation.email))?;
    Ok(Confirmed::Client {
        client_id,
        email: confirmation.email,
    })
}

/// Which condition of the confirmation's transaction failed: the token used meanwhile (0),
/// a newer change (1), the address taken by another client of the courier (3).
fn confirmation_error(e: crate::store::StoreError, email: &Email) -> AccountError {
    if e.condition_failed_at(0) {
        AccountError::TokenUsed {
            what: "confirmation",
        }
    } else if e.condition_failed_at(1) {
        AccountError::EmailChangeReplaced
    } else if e.condition_failed_at(3) {
        AccountError::ClientEmailTaken {
            email: email.to_string(),
        }
    } else {
        e.into()
    }
}

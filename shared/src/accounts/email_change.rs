//! An organisation's email change (a client's, by its courier or itself, or a courier's
//! own): the new address waits in `pendingEmail` until it is confirmed with the token
//! mailed to it; confirmation mails are limited per organisation and per address.

use serde_json::json;

use super::error::{AccountError, AccountField};
use crate::clock::timestamp;
use crate::domain::client::Client;
use crate::domain::courier::{courier_timezone, Courier};
use crate::domain::{token, Email};
use crate::notify::letter::Letter;
use crate::notify::OutgoingEmail;
use crate::store::{couriers, keys, records, Cond, Update, Write, PK};
use crate::Ctx;

/// How long an email-change confirmation stays valid.
pub const EMAIL_CONFIRMATION_DAYS: i64 = 7;

/// A client's email change: what to add to its update and transaction, and the email to
/// confirm. A new email waits in `pendingEmail`; the current one sent again cancels a
/// pending change.
pub struct EmailChange {
    pub update: Update,
    pub writes: Vec<Write>,
    /// The new `pendingEmail` (`Some(None)`: cleared), when it changes.
    pub pending: Option<Option<Email>>,
    pub confirmation: Option<Confirmation>,
}

/// A confirmation to mail: the new email, the token, its expiry.
pub type Confirmation = (Email, String, chrono::DateTime<chrono::Utc>);

pub fn email_change(
    client: &Client,
    email: Option<Email>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<EmailChange, AccountError> {
    let owner = serde_json::json!({"clientId": client.id, "courierId": client.courier_id});
    let current = Current {
        email: &client.email.normalized(),
        token_hash: client.email_token_hash.as_deref(),
        pending: client.pending_email.is_some(),
    };
    pending_email_change(current, owner, email, now)
}

/// An organisation's email as stored: the address, and the change waiting for confirmation.
pub struct Current<'a> {
    /// Normalised (lowercased).
    pub email: &'a str,
    pub token_hash: Option<&'a str>,
    pub pending: bool,
}

/// An email change (a client's, or a courier's own) waits for confirmation from the new
/// address: `pendingEmail` and a confirmation record naming `owner` (its ids); a newer
/// change replaces an older one, and the current email sent again cancels it.
pub fn pending_email_change(
    current: Current,
    owner: serde_json::Value,
    email: Option<Email>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<EmailChange, AccountError> {
    let mut change = EmailChange {
        update: Update::new(),
        writes: vec![],
        pending: None,
        confirmation: None,
    };
    let email_given = email.is_some();
    let forget_old = |writes: &mut Vec<Write>| {
        if let Some(old) = current.token_hash {
            writes.push(Write::Delete {
                key: keys::email_confirmation(old),
                cond: None,
            });
        }
    };
    if let Some(email) = email.filter(|e| e.normalized() != current.email) {
        let secret = token::random_secret();
        let hash = token::hash(&secret);
        let expires = now + chrono::Duration::days(EMAIL_CONFIRMATION_DAYS);
        let mut record = owner;
        record["email"] = serde_json::json!(email);
        record["expiresAt"] = serde_json::json!(timestamp(expires));
        record["ttl"] = serde_json::json!(expires.timestamp() + 86_400);
        change.writes.push(Write::Put {
            item: records::to_item(
                &record,
                &keys::email_confirmation(&hash),
                "EmailConfirmation",
            )?,
            cond: Some(Cond::not_exists(PK)),
        });
        forget_old(&mut change.writes);
        change.update = change
            .update
            .set("pendingEmail", email.as_str())
            .set("emailTokenHash", hash.as_str());
        change.pending = Some(Some(email.clone()));
        change.confirmation = Some((email, secret, expires));
    } else if email_given && current.pending {
        // Setting the email back to the current one cancels a pending change.
        change.update = change
            .update
            .remove("pendingEmail")
            .remove("emailTokenHash");
        forget_old(&mut change.writes);
        change.pending = Some(None);
    }
    Ok(change)
}

/// Counts a confirmation mail of `organization` to the change's new address, if the change
/// sends one: [`AccountError::ConfirmationsLimited`] past the limits, before anything is written.
pub async fn limit_confirmation(
    ctx: &Ctx,
    organization: &str,
    change: &EmailChange,
) -> Result<(), AccountError> {
    match &change.confirmation {
        Some((email, ..)) => {
            super::throttle::count_confirmation(ctx, organization, email, AccountField::Email).await
        }
        None => Ok(()),
    }
}

/// The courier, whose name and time zone its confirmation mails are written with.
pub async fn sending_courier(ctx: &Ctx, courier_id: &str) -> Result<Courier, AccountError> {
    couriers::get(ctx.store.as_ref(), courier_id)
        .await?
        .ok_or(AccountError::CourierNotFound)
}

/// Mails the confirmation link of a saved email change (`base_url`: the portal's, which
/// the link is under): a page with a **Confirm** button, the expiry in the courier's time
/// zone. The address is not confirmed yet, so the mail names only the courier and carries
/// no text the client typed: an organisation's name could say anything to anyone.
pub async fn send_confirmation(
    ctx: &Ctx,
    base_url: &str,
    courier: &Courier,
    confirmation: Confirmation,
) -> Result<(), AccountError> {
    let message = confirmation_email(base_url, courier, confirmation);
    ctx.mailer()?
        .send_email(&message)
        .await
        .map_err(|e| AccountError::ConfirmationNotSent {
            error: e.to_string(),
        })
}

fn confirmation_email(
    base_url: &str,
    courier: &Courier,
    (email, secret, expires): Confirmation,
) -> OutgoingEmail {
    let name = &courier.name;
    let expires = courier_timezone(Some(courier)).in_words(expires);
    Letter {
        to: email.clone(),
        subject: format!("Confirm your email address on {name}'s client portal"),
        brand: name.clone(),
        greeting: "Hello,".into(),
        paragraphs: vec![format!(
            "Someone asked to make {email} the contact address of an organisation on {name}'s client portal."
        )],
        action: Some((
            "Open the page to confirm it".into(),
            format!("{base_url}/email-confirmations/{secret}"),
        )),
        notes: vec![
            format!("The page has a Confirm button; the link works once, until {expires}."),
            "Until you confirm, nothing changes. If you did not expect this, ignore this email."
                .into(),
        ],
    }
    .email()
}

/// A courier's own email change waits for confirmation from the new address, as a
/// client's does.
pub fn courier_email_change(
    courier: &Courier,
    email: Option<Email>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<EmailChange, AccountError> {
    let current = Current {
        email: &courier.email.to_lowercase(),
        token_hash: courier.email_token_hash.as_deref(),
        pending: courier.pending_email.is_some(),
    };
    pending_email_change(current, json!({"courierId": courier.id}), email, now)
}

//! A signed-in user's own settings: name and phone; the password (the current one needed;
//! every other session of the user ends); the login email (a confirmation link goes to the
//! new address, and the login email changes only when it is confirmed, in one transaction
//! that keeps login emails unique).

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::error::{AccountError, AccountField};
use super::throttle::{count_attempt, count_confirmation, AttemptError};
use super::tokens::check_usable;
use super::users::{end_sessions, user_by_email, user_by_id};
use crate::clock::timestamp;
use crate::domain::user::{verify_password, Password, User};
use crate::domain::{token, Email, Name, Phone};
use crate::notify::letter::Letter;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Update, Write, PK};
use crate::Ctx;

/// How long a login-email confirmation link works.
pub const EMAIL_CHANGE_HOURS: i64 = 24;

/// The user with the login email waiting for confirmation, if any.
pub struct Account {
    pub user: User,
    pub pending_email: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pending {
    #[serde(default)]
    pending_email: Option<String>,
}

pub async fn account(ctx: &Ctx, user_id: &str) -> Result<Account, AccountError> {
    let user = user_by_id(ctx, user_id)
        .await?
        .ok_or(AccountError::UserNotFound)?;
    let pending: Pending = from_item(
        ctx.store
            .get(&keys::user(&user.email.normalized()))
            .await?
            .ok_or(AccountError::UserNotFound)?,
    )?;
    Ok(Account {
        user,
        pending_email: pending.pending_email,
    })
}

/// Name and phone.
pub async fn update_profile(
    ctx: &Ctx,
    user_id: &str,
    name: Name,
    phone: Option<Phone>,
) -> Result<(), AccountError> {
    let user = user_by_id(ctx, user_id)
        .await?
        .ok_or(AccountError::UserNotFound)?;
    let mut update = Update::new()
        .set("name", name.to_string())
        .set("updatedAt", timestamp(ctx.now()))
        .increment("version", 1);
    update = match phone {
        Some(phone) => update.set("phone", phone.to_string()),
        None => update.remove("phone"),
    };
    ctx.store
        .update(
            &keys::user(&user.email.normalized()),
            &update,
            Some(Cond::eq("userId", user_id).and(Cond::eq("version", user.version))),
        )
        .await
        .map_err(|e| match e {
            crate::store::StoreError::ConditionFailed { .. } => AccountError::AccountChanged,
            e => e.into(),
        })?;
    Ok(())
}

#[derive(Debug)]
pub enum ChangeError {
    /// The current password given is not right.
    WrongPassword,
    /// Too many wrong passwords (the sign-in limit of the account).
    Throttled,
    /// The new login email is the current one.
    SameEmail,
    /// Another account signs in with the new login email.
    EmailTaken,
    /// Anything else: the account changed meanwhile, too many confirmation mails, the
    /// store, a fault…
    Failed(AccountError),
}

impl From<crate::store::StoreError> for ChangeError {
    fn from(e: crate::store::StoreError) -> Self {
        ChangeError::Failed(e.into())
    }
}

impl From<AccountError> for ChangeError {
    fn from(e: AccountError) -> Self {
        ChangeError::Failed(e)
    }
}

/// The current password, checked under the account's sign-in limit.
async fn check_current(ctx: &Ctx, user: &User, current: &str) -> Result<(), ChangeError> {
    count_attempt(ctx, &user.email.normalized(), None)
        .await
        .map_err(|e| match e {
            AttemptError::Throttled => ChangeError::Throttled,
            AttemptError::Store(e) => e.into(),
        })?;
    if verify_password(&user.password_hash, current) {
        Ok(())
    } else {
        Err(ChangeError::WrongPassword)
    }
}

/// A new password; every other session of the user ends (`keep`: the hash of the session
/// that made the change).
pub async fn change_password(
    ctx: &Ctx,
    user_id: &str,
    current: &str,
    new: Password,
    keep: Option<&str>,
) -> Result<(), ChangeError> {
    let user = user_by_id(ctx, user_id)
        .await?
        .ok_or(AccountError::UserNotFound)?;
    check_current(ctx, &user, current).await?;
    ctx.store
        .update(
            &keys::user(&user.email.normalized()),
            &Update::new()
                .set("passwordHash", new.hash())
                .set("updatedAt", timestamp(ctx.now()))
                .increment("version", 1),
            Some(Cond::eq("userId", user_id).and(Cond::eq("version", user.version))),
        )
        .await
        .map_err(|e| match e {
            crate::store::StoreError::ConditionFailed { .. } => AccountError::AccountChanged,
            e => e.into(),
        })?;
    end_sessions(ctx, user_id, keep).await?;
    Ok(())
}

/// The stored login-email change (by the hash of its token).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailChange {
    pub user_id: String,
    /// The login email (normalized) when the change was asked for.
    pub old_email: String,
    pub new_email: Email,
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<String>,
    pub ttl: i64,
}

/// Asks for a new login email: the current password is needed; a confirmation link goes
/// to the new address (a newer request replaces an older one).
pub async fn request_email_change(
    ctx: &Ctx,
    user_id: &str,
    new_email: Email,
    current: &str,
    base_url: &str,
) -> Result<(), ChangeError> {
    let mailer = ctx.mailer().map_err(AccountError::from)?;
    let user = user_by_id(ctx, user_id)
        .await?
        .ok_or(AccountError::UserNotFound)?;
    check_current(ctx, &user, current).await?;
    if new_email.normalized() == user.email.normalized() {
        return Err(ChangeError::SameEmail);
    }
    if user_by_email(ctx, &new_email).await?.is_some() {
        return Err(ChangeError::EmailTaken);
    }
    let organization = user
        .client_id
        .as_ref()
        .map(|c| c.as_str())
        .unwrap_or(user.courier_id.as_str());
    count_confirmation(ctx, organization, &new_email, AccountField::NewEmail).await?;
    let courier = crate::store::couriers::get(ctx.store.as_ref(), user.courier_id.as_str())
        .await?
        .ok_or(AccountError::CourierNotFound)?
        .name;
    let secret = token::random_secret();
    let hash = token::hash(&secret);
    let now = ctx.now();
    let expires = now + Duration::hours(EMAIL_CHANGE_HOURS);
    let change = EmailChange {
        user_id: user_id.to_string(),
        old_email: user.email.normalized(),
        new_email: new_email.clone(),
        expires_at: timestamp(expires),
        used_at: None,
        ttl: expires.timestamp() + 86_400,
    };
    let writes = vec![
        Write::Put {
            item: to_item(
                &change,
                &keys::login_email_change(&hash),
                "LoginEmailChange",
            )?,
            cond: Some(Cond::not_exists(PK)),
        },
        Write::Update {
            key: keys::user(&user.email.normalized()),
            update: Update::new()
                .set("pendingEmail", new_email.as_str())
                .set("emailTokenHash", hash.as_str()),
            cond: Some(Cond::eq("userId", user_id).and(Cond::eq("version", user.version))),
        },
    ];
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(1) {
            AccountError::AccountChanged
        } else {
            e.into()
        }
    })?;
    let link = format!("{}/login-email/{secret}", base_url.trim_end_matches('/'));
    // The new address is not confirmed yet: the mail names the courier, and carries no
    // text the user typed (a name could say anything to anyone).
    let message = Letter {
        to: new_email.clone(),
        subject: format!("Confirm your new {courier} client portal login email"),
        brand: courier.clone(),
        greeting: "Hello,".into(),
        paragraphs: vec![format!(
            "Someone asked to sign in to {courier}'s client portal with this address ({new_email}) instead of {old}.",
            old = user.email,
        )],
        action: Some(("Open the page to confirm it".into(), link)),
        notes: vec![
            format!(
                "The page has a Confirm button; the link works once, for {EMAIL_CHANGE_HOURS} hours."
            ),
            "Until it is confirmed, nothing changes. If you did not ask for it, ignore this email."
                .into(),
        ],
    }
    .email();
    mailer
        .send_email(&message)
        .await
        .map_err(|e| AccountError::LoginConfirmationNotSent {
            error: e.to_string(),
        })?;
    Ok(())
}

/// The change behind a token, if it can still be confirmed (reading never uses it).
pub async fn open_email_change(
    ctx: &Ctx,
    raw: &str,
) -> Result<(EmailChange, String), AccountError> {
    if !token::well_formed(raw) {
        return Err(AccountError::EmailChangeNotFound);
    }
    let hash = token::hash(raw);
    let change: EmailChange = from_item(
        ctx.store
            .get(&keys::login_email_change(&hash))
            .await?
            .ok_or(AccountError::EmailChangeNotFound)?,
    )?;
    check_usable(
        change.used_at.as_deref(),
        &change.expires_at,
        ctx.now(),
        "confirmation link",
    )?;
    Ok((change, hash))
}

/// Confirms a new login email: in one transaction, the link is used, the user item moves
/// from the old email's key to the new one's (`attribute_not_exists`: login emails stay
/// unique), and the id's reference follows. Sessions are kept (they belong to the id).
pub async fn confirm_email_change(ctx: &Ctx, raw: &str) -> Result<Email, AccountError> {
    let (change, hash) = open_email_change(ctx, raw).await?;
    let old_key = keys::user(&change.old_email);
    let item = ctx
        .store
        .get(&old_key)
        .await?
        .ok_or(AccountError::EmailChangeReplaced)?;
    let current_hash = item
        .get("emailTokenHash")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let mut user: User = from_item(item)?;
    if user.user_id != change.user_id || current_hash.as_deref() != Some(hash.as_str()) {
        return Err(AccountError::EmailChangeReplaced);
    }
    let now_text = timestamp(ctx.now());
    let version = user.version;
    user.email = change.new_email.clone();
    user.updated_at = now_text.clone();
    user.version += 1;
    let new_key = keys::user(&user.email.normalized());
    let writes = vec![
        Write::Update {
            key: keys::login_email_change(&hash),
            update: Update::new().set("usedAt", now_text.as_str()),
            cond: Some(Cond::not_exists("usedAt").and(Cond::gt("expiresAt", now_text.as_str()))),
        },
        Write::Delete {
            key: old_key,
            cond: Some(
                Cond::eq("userId", change.user_id.as_str())
                    .and(Cond::eq("version", version))
                    .and(Cond::eq("emailTokenHash", hash.as_str())),
            ),
        },
        Write::Put {
            item: to_item(&user, &new_key, "User")?,
            cond: Some(Cond::not_exists(PK)),
        },
        Write::Update {
            key: keys::user_ref(&change.user_id),
            update: Update::new().set("email", user.email.normalized()),
            cond: Some(Cond::eq("email", change.old_email.as_str())),
        },
    ];
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            AccountError::TokenUsed {
                what: "confirmation link",
            }
        } else if e.condition_failed_at(1) || e.condition_failed_at(3) {
            AccountError::EmailChangeReplaced
        } else if e.condition_failed_at(2) {
            AccountError::EmailTaken
        } else {
            e.into()
        }
    })?;
    Ok(change.new_email)
}

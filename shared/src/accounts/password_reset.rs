//! "Forgot password": a single-use link, valid [`RESET_MINUTES`], emailed to a user's login
//! email; and the first set-password link of a courier's user, valid [`SETUP_DAYS`]. Opening
//! the link never uses it; setting the password uses it (a conditional write), ends every
//! session of the user and signs the person in. A link works only while the account is as
//! it was when the link was made (its version), so using one link retires the others. An
//! unknown email gets the same answer as a known one, after the same time
//! ([`RESET_ANSWER_MILLIS`]); requests are limited per email and per client address.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::error::AccountError;
use super::session::new_session;
use super::throttle::{count, AttemptError};
use super::tokens::check_usable;
use super::users::{end_sessions, may_sign_in, user_by_email};
use crate::clock::timestamp;
use crate::domain::user::{Password, User};
use crate::domain::{token, Email};
use crate::notify::letter::Letter;
use crate::notify::OutgoingEmail;
use crate::store::records::{from_item, to_item};
use crate::store::{couriers, keys, Cond, Update, Write, PK};
use crate::Ctx;

/// How long a "forgot password" link works.
pub const RESET_MINUTES: i64 = 60;
/// How long a new courier user's set-password link works.
pub const SETUP_DAYS: i64 = 7;
/// Reset emails per login email, and requests per client address, in the 15-minute window.
pub const RESETS_PER_EMAIL: i64 = 3;
pub const RESETS_PER_ADDRESS: i64 = 10;
/// How long "forgot password" takes to answer, whether or not it stored a link and sent an
/// email: an unknown email that answered at once would tell who has an account. The link's
/// write and SES's answer take well under this; past it, the answer waits no longer.
pub const RESET_ANSWER_MILLIS: i64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// "Forgot password".
    Reset,
    /// A new user's first password.
    Setup,
}

/// The stored link (by the hash of its token).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordReset {
    pub user_id: String,
    /// The login email (normalized) the link was made for: the user item's key.
    pub email: String,
    pub purpose: Purpose,
    /// The user's version when the link was made: any change to the account since (another
    /// link used, a password or profile change) makes the link unusable.
    pub user_version: u64,
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<String>,
    pub ttl: i64,
}

/// A new link for `user`: the token (shown once, in the link) and the put that stores it.
pub fn new_link(
    user: &User,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<(String, Write), AccountError> {
    let secret = token::random_secret();
    let expires = match purpose {
        Purpose::Reset => now + Duration::minutes(RESET_MINUTES),
        Purpose::Setup => now + Duration::days(SETUP_DAYS),
    };
    let record = PasswordReset {
        user_id: user.user_id.clone(),
        email: user.email.normalized(),
        purpose,
        user_version: user.version,
        expires_at: timestamp(expires),
        used_at: None,
        ttl: expires.timestamp() + 86_400,
    };
    let item = to_item(
        &record,
        &keys::password_reset(&token::hash(&secret)),
        "PasswordReset",
    )?;
    Ok((
        secret,
        Write::Put {
            item,
            cond: Some(Cond::not_exists(PK)),
        },
    ))
}

/// A set-password link for an existing user, stored and returned (not emailed): what the
/// operator hands out (`portal-admin password-link`, the local portal's demo people).
/// Valid [`SETUP_DAYS`]; like every link, only while the account stays as it is now.
pub async fn setup_link(ctx: &Ctx, user: &User, base_url: &str) -> Result<String, AccountError> {
    let (secret, write) = new_link(user, Purpose::Setup, ctx.now())?;
    ctx.store.transact(vec![write]).await?;
    Ok(link(base_url, &secret))
}

pub fn link(base_url: &str, secret: &str) -> String {
    format!("{}/reset-password/{secret}", base_url.trim_end_matches('/'))
}

#[derive(Debug)]
pub enum ResetRequestError {
    /// Too many requests for the email, or from the address, in the window.
    Throttled,
    /// Anything else (the store, a fault).
    Failed(AccountError),
}

impl From<AccountError> for ResetRequestError {
    fn from(e: AccountError) -> Self {
        ResetRequestError::Failed(e)
    }
}

impl From<crate::store::StoreError> for ResetRequestError {
    fn from(e: crate::store::StoreError) -> Self {
        ResetRequestError::Failed(e.into())
    }
}

/// `POST /forgot-password`: emails a link when the email is a user's who may sign in;
/// otherwise does nothing, and answers the same, after the same time.
pub async fn request_reset(
    ctx: &Ctx,
    email: &Email,
    address: Option<&str>,
    base_url: &str,
) -> Result<(), ResetRequestError> {
    let deadline = ctx.now() + Duration::milliseconds(RESET_ANSWER_MILLIS);
    let sent = send_reset(ctx, email, address, base_url).await;
    // A refused request (the limit, a failure) answers at once: it says nothing about the
    // account, and is the same for every email.
    if sent.is_ok() {
        ctx.clock.wait_until(deadline).await;
    }
    sent
}

async fn send_reset(
    ctx: &Ctx,
    email: &Email,
    address: Option<&str>,
    base_url: &str,
) -> Result<(), ResetRequestError> {
    let mailer = ctx.mailer().map_err(AccountError::from)?;
    let mut subjects = vec![(format!("reset#{}", email.normalized()), RESETS_PER_EMAIL)];
    if let Some(address) = address.filter(|a| !a.is_empty()) {
        subjects.push((format!("reset-addr#{address}"), RESETS_PER_ADDRESS));
    }
    count(ctx, &subjects).await.map_err(|e| match e {
        AttemptError::Throttled => ResetRequestError::Throttled,
        AttemptError::Store(e) => e.into(),
    })?;
    let Some(user) = user_by_email(ctx, email).await? else {
        return Ok(());
    };
    if !may_sign_in(ctx, &user).await? {
        return Ok(());
    }
    let (secret, write) = new_link(&user, Purpose::Reset, ctx.now())?;
    let Write::Put { item, cond } = write else {
        unreachable!("new_link makes a put")
    };
    ctx.store.put(item, cond).await?;
    // The courier's name heads the mail, as its portal is the one the person signs in to.
    let courier = couriers::get(ctx.store.as_ref(), user.courier_id.as_str())
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let message = reset_email(&user, &courier, &link(base_url, &secret));
    // A failed send is logged, not shown: an unknown email never fails, so showing it would
    // tell who has an account.
    if let Err(e) = mailer.send_email(&message).await {
        eprintln!("password reset email not sent: {e}");
    }
    Ok(())
}

fn reset_email(user: &User, courier: &str, link: &str) -> OutgoingEmail {
    let portal = match courier {
        "" => "the client portal".to_string(),
        name => format!("{name}'s client portal"),
    };
    Letter {
        to: user.email.clone(),
        subject: "Reset your client portal password".into(),
        brand: if courier.is_empty() {
            "Client portal".into()
        } else {
            courier.to_string()
        },
        greeting: format!("Hello {},", user.name),
        paragraphs: vec![format!(
            "Someone (we hope you) asked to reset the password of your account on {portal}."
        )],
        action: Some(("Choose a new password".into(), link.to_string())),
        notes: vec![format!(
            "The link works once, for {RESET_MINUTES} minutes. If you did not ask for it, \
             ignore this email: your password stays as it is."
        )],
    }
    .email()
}

/// The link behind a token, if it can still be used (reading never uses it).
pub async fn open_link(ctx: &Ctx, raw: &str) -> Result<(PasswordReset, String), AccountError> {
    if !token::well_formed(raw) {
        return Err(AccountError::LinkNotFound);
    }
    let hash = token::hash(raw);
    let record: PasswordReset = from_item(
        ctx.store
            .get(&keys::password_reset(&hash))
            .await?
            .ok_or(AccountError::LinkNotFound)?,
    )?;
    check_usable(
        record.used_at.as_deref(),
        &record.expires_at,
        ctx.now(),
        "link",
    )?;
    Ok((record, hash))
}

/// Sets the password: the link used (conditional write), the password changed, a new
/// session, all in one transaction; then every other session of the user ends. Returns
/// the new session cookie's value.
pub async fn complete_reset(
    ctx: &Ctx,
    raw: &str,
    password: Password,
) -> Result<String, AccountError> {
    let (record, hash) = open_link(ctx, raw).await?;
    let email = Email::parse(&record.email).map_err(AccountError::Internal)?;
    let user = user_by_email(ctx, &email)
        .await?
        .filter(|u| u.user_id == record.user_id && u.version == record.user_version)
        .ok_or(AccountError::LinkReplaced)?;
    if !may_sign_in(ctx, &user).await? {
        return Err(AccountError::LinkReplaced);
    }
    let now = ctx.now();
    let now_text = timestamp(now);
    let (cookie, session) = new_session(&user, now)?;
    let writes = vec![
        Write::Update {
            key: keys::password_reset(&hash),
            update: Update::new().set("usedAt", now_text.as_str()),
            cond: Some(Cond::not_exists("usedAt").and(Cond::gt("expiresAt", now_text.as_str()))),
        },
        Write::Update {
            key: keys::user(&record.email),
            update: Update::new()
                .set("passwordHash", password.hash())
                .set("updatedAt", now_text.as_str())
                .increment("version", 1),
            cond: Some(
                Cond::eq("userId", user.user_id.as_str())
                    .and(Cond::eq("version", record.user_version)),
            ),
        },
        Write::Put {
            item: session,
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    ctx.store.transact(writes).await.map_err(|e| {
        if e.condition_failed_at(0) {
            AccountError::TokenUsed { what: "link" }
        } else if e.condition_failed_at(1) {
            AccountError::LinkReplaced
        } else {
            e.into()
        }
    })?;
    end_sessions(
        ctx,
        &user.user_id,
        Some(&super::session::cookie_hash(&cookie)),
    )
    .await?;
    super::users::ensure_member(ctx, &user).await?;
    Ok(cookie)
}

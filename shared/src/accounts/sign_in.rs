//! Signing in with an email and a password. An unknown email, a wrong password and a
//! deleted client's user all get the same answer, checked in the same time (an unknown
//! email is verified against a decoy hash).

use super::error::AccountError;
use super::session::new_session;
use super::throttle::{count_attempt, AttemptError};
use crate::domain::user::{decoy_hash, verify_password, User};
use crate::domain::Email;
use crate::store::records::from_item;
use crate::store::{keys, Cond, PK};
use crate::Ctx;

pub struct SignIn {
    pub email: String,
    pub password: String,
    /// The caller's address: attempts are limited per account from this address, and per
    /// address ([`throttle`](super::throttle)).
    pub address: Option<String>,
}

#[derive(Debug)]
pub enum SignInError {
    /// "The email or password is not right" — whichever it was.
    Refused,
    /// Too many attempts in the window: on this account from this address, from this
    /// address, or on this account from every address (its much higher ceiling).
    Throttled,
    /// Anything else (the store, a fault).
    Failed(AccountError),
}

impl From<crate::store::StoreError> for SignInError {
    fn from(e: crate::store::StoreError) -> Self {
        SignInError::Failed(e.into())
    }
}

impl From<AccountError> for SignInError {
    fn from(e: AccountError) -> Self {
        SignInError::Failed(e)
    }
}

/// A new session for the person: the cookie's value.
pub async fn sign_in(ctx: &Ctx, cmd: SignIn) -> Result<String, SignInError> {
    let Ok(email) = Email::parse(&cmd.email) else {
        return Err(SignInError::Refused);
    };
    let normalized = email.normalized();
    count_attempt(ctx, &normalized, cmd.address.as_deref())
        .await
        .map_err(|e| match e {
            AttemptError::Throttled => SignInError::Throttled,
            AttemptError::Store(e) => e.into(),
        })?;
    let user: Option<User> = match ctx.store.get(&keys::user(&normalized)).await? {
        Some(item) => Some(from_item(item)?),
        None => None,
    };
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.as_str())
        .unwrap_or(decoy_hash());
    let matches = verify_password(hash, &cmd.password);
    let Some(user) = user.filter(|_| matches) else {
        return Err(SignInError::Refused);
    };
    if user.client_id.is_some() {
        let principal = crate::domain::api_key::Principal {
            role: user.role,
            courier_id: user.courier_id.clone(),
            client_id: user.client_id.clone(),
            key_id: crate::domain::ids::KeyId::parse(&format!(
                "key_{}",
                user.user_id.trim_start_matches("usr_")
            ))
            .map_err(AccountError::Internal)?,
            client_name: None,
            auto_assign_team_id: None,
            has_services: false,
            logo_url: None,
            team_role: user.team_role,
            unread_messages: 0,
        };
        if crate::auth::with_client(ctx.store.as_ref(), principal)
            .await?
            .is_none()
        {
            return Err(SignInError::Refused);
        }
    }
    super::users::ensure_member(ctx, &user).await?;
    let (cookie, item) = new_session(&user, ctx.now())?;
    ctx.store.put(item, Some(Cond::not_exists(PK))).await?;
    Ok(cookie)
}

//! Browser sessions. The cookie `__Host-session` holds `<userId>.<secret>` (256 random
//! bits); the table keeps only the secret's SHA-256 hash, under the user's partition so a
//! password change can end them all. A session ends after [`IDLE_MINUTES`] without a
//! request or [`ABSOLUTE_HOURS`] after sign-in, whichever comes first (TTL then removes
//! the item; reads check the times themselves, as TTL deletion is lazy).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::error::AccountError;
use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::ids::{ClientId, CourierId, KeyId};
use crate::domain::token;
use crate::domain::user::{TeamRole, User};
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Item, Update, PK};
use crate::Ctx;

pub const COOKIE: &str = "__Host-session";
pub const IDLE_MINUTES: i64 = 30;
pub const ABSOLUTE_HOURS: i64 = 12;
/// The idle deadline moves at most this often, so most page views cost one read.
pub const REFRESH_AFTER_MINUTES: i64 = 5;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRecord {
    pub user_id: String,
    pub role: Role,
    /// The person's role in the organisation when the session began, kept in step by a
    /// change of role (sessions before roles read as an admin's, as their users do).
    #[serde(default)]
    pub team_role: TeamRole,
    pub courier_id: CourierId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    pub created_at: String,
    pub idle_expires_at: String,
    pub absolute_expires_at: String,
    pub ttl: i64,
}

/// A new session for `user`: the cookie's value (shown once) and the item to put.
pub fn new_session(user: &User, now: DateTime<Utc>) -> Result<(String, Item), AccountError> {
    let secret = token::random_secret();
    let absolute = now + Duration::hours(ABSOLUTE_HOURS);
    let record = SessionRecord {
        user_id: user.user_id.clone(),
        role: user.role,
        team_role: user.team_role,
        courier_id: user.courier_id.clone(),
        client_id: user.client_id.clone(),
        created_at: timestamp(now),
        idle_expires_at: timestamp(now + Duration::minutes(IDLE_MINUTES)),
        absolute_expires_at: timestamp(absolute),
        ttl: absolute.timestamp(),
    };
    let key = keys::session(&user.user_id, &token::hash(&secret));
    let item = to_item(&record, &key, "Session")?;
    Ok((format!("{}.{secret}", user.user_id), item))
}

/// The stored hash of a session cookie's value (`<userId>.<secret>`).
pub fn cookie_hash(value: &str) -> String {
    token::hash(value.split_once('.').map(|(_, s)| s).unwrap_or(value))
}

/// `Set-Cookie` for a new session (no Max-Age: it ends with the browser or the server).
pub fn set_cookie(value: &str) -> String {
    format!("{COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Lax")
}

/// `Set-Cookie` that removes the cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The session cookie among a request's headers, split into user id and secret, when well
/// formed.
pub fn presented(headers: &http::HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim())?;
    let (user_id, secret) = value.split_once('.')?;
    let ulid = user_id.strip_prefix("usr_")?;
    ulid::Ulid::from_string(ulid).ok()?;
    token::well_formed(secret).then(|| (user_id.to_string(), secret.to_string()))
}

/// The signed-in person as a principal (`None`: no session, ended, or expired). One read;
/// a client's session also reads the client (a deleted client's users are signed out), and
/// a session whose idle deadline is older than [`REFRESH_AFTER_MINUTES`] is moved on.
pub async fn resolve(
    ctx: &Ctx,
    headers: &http::HeaderMap,
) -> Result<Option<Principal>, AccountError> {
    let Some((user_id, secret)) = presented(headers) else {
        return Ok(None);
    };
    let key = keys::session(&user_id, &token::hash(&secret));
    let Some(item) = ctx.store.get(&key).await? else {
        return Ok(None);
    };
    let record: SessionRecord = from_item(item)?;
    let now = ctx.now();
    let Some(principal) = open_principal(ctx, &record, &user_id).await? else {
        return Ok(None);
    };
    crate::observe::record_principal(&principal);
    let refresh_at =
        timestamp(now + Duration::minutes(IDLE_MINUTES) - Duration::minutes(REFRESH_AFTER_MINUTES));
    if record.idle_expires_at < refresh_at {
        let idle = timestamp(now + Duration::minutes(IDLE_MINUTES));
        let moved = ctx
            .store
            .update(
                &key,
                &Update::new().set("idleExpiresAt", idle),
                Some(Cond::exists(PK)),
            )
            .await;
        if let Err(e) = moved {
            // Signed out in between: the session is gone.
            if matches!(e, crate::store::StoreError::ConditionFailed { .. }) {
                return Ok(None);
            }
            return Err(e.into());
        }
    }
    Ok(Some(principal))
}

/// The session's principal, when the session is still open (its deadlines, a deleted
/// client's people signed out).
async fn open_principal(
    ctx: &Ctx,
    record: &SessionRecord,
    user_id: &str,
) -> Result<Option<Principal>, AccountError> {
    let now_text = timestamp(ctx.now());
    if record.idle_expires_at <= now_text || record.absolute_expires_at <= now_text {
        return Ok(None);
    }
    let key_id = KeyId::parse(&format!("key_{}", user_id.trim_start_matches("usr_")))
        .map_err(AccountError::Internal)?;
    let principal = Principal {
        role: record.role,
        courier_id: record.courier_id.clone(),
        client_id: record.client_id.clone(),
        key_id,
        client_name: None,
        auto_assign_team_id: None,
        has_services: false,
        logo_url: None,
        team_role: record.team_role,
        unread_messages: 0,
    };
    Ok(crate::auth::with_client(ctx.store.as_ref(), principal).await?)
}

/// The live-updates ticket of the request's session (`<userId>.<tag>`), for the page to
/// open its WebSocket with: the WebSocket API is on its own host, where the session
/// cookie (host-only) is never sent. The tag is derived from the session's stored hash, so
/// it names one session, ends with it, and neither is nor reveals the cookie.
pub fn live_ticket(headers: &http::HeaderMap) -> Option<String> {
    let (user_id, secret) = presented(headers)?;
    Some(format!("{user_id}.{}", ticket_tag(&token::hash(&secret))))
}

fn ticket_tag(session_hash: &str) -> String {
    token::hash(&format!("live:{session_hash}"))
}

/// The person a live-updates ticket names, while its session is open: one Query of the
/// person's sessions (a handful), the one whose tag it is. Not a sign-in: the session's
/// idle deadline is not moved.
pub async fn resolve_live_ticket(
    ctx: &Ctx,
    ticket: &str,
) -> Result<Option<Principal>, AccountError> {
    let Some((user_id, tag)) = ticket.split_once('.') else {
        return Ok(None);
    };
    let well_formed = user_id
        .strip_prefix("usr_")
        .is_some_and(|u| ulid::Ulid::from_string(u).is_ok())
        && tag.len() == 64
        && tag.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Ok(None);
    }
    let query =
        crate::store::Query::partition(keys::user_sessions_pk(user_id)).sk_begins_with("SESSION#");
    let page = ctx.store.query(&query).await?;
    for item in page.items {
        let hash = item
            .get(crate::store::SK)
            .and_then(|v| v.as_str())
            .and_then(|sk| sk.strip_prefix("SESSION#"))
            .map(str::to_string);
        if hash.is_some_and(|hash| ticket_tag(&hash) == tag) {
            let record: SessionRecord = from_item(item)?;
            return open_principal(ctx, &record, user_id).await;
        }
    }
    Ok(None)
}

/// Ends the request's session server-side (sign-out). Nothing to end is fine.
pub async fn end(ctx: &Ctx, headers: &http::HeaderMap) -> Result<(), AccountError> {
    if let Some((user_id, secret)) = presented(headers) {
        ctx.store
            .delete(&keys::session(&user_id, &token::hash(&secret)), None)
            .await?;
    }
    Ok(())
}

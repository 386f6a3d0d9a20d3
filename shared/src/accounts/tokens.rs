//! Single-use tokens (invitations, password resets, email confirmations): whether one can
//! still be used.

use super::error::AccountError;
use crate::clock::timestamp;

/// A single-use token's state: used or expired (410 `token_used`, `token_expired` in the
/// API). TTL deletion is lazy, so the expiry is checked on read too.
pub fn check_usable(
    used_at: Option<&str>,
    expires_at: &str,
    now: chrono::DateTime<chrono::Utc>,
    what: &'static str,
) -> Result<(), AccountError> {
    if used_at.is_some() {
        return Err(AccountError::TokenUsed { what });
    }
    if expires_at <= timestamp(now).as_str() {
        return Err(AccountError::TokenExpired { what });
    }
    Ok(())
}

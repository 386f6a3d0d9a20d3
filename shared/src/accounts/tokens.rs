//! Single-use tokens (invitations, password resets, email confirmations): whether one can
//! still be used.

use crate::clock::timestamp;
use crate::error::ApiError;

/// A single-use token's state: used or expired answers 410 (TTL deletion is lazy, so the
/// expiry is checked on read too).
pub fn check_usable(
    used_at: Option<&str>,
    expires_at: &str,
    now: chrono::DateTime<chrono::Utc>,
    what: &str,
) -> Result<(), ApiError> {
    if used_at.is_some() {
        return Err(ApiError::gone(
            "token_used",
            format!("this {what} has already been used"),
        ));
    }
    if expires_at <= timestamp(now).as_str() {
        return Err(ApiError::gone(
            "token_expired",
            format!("this {what} has expired"),
        ));
    }
    Ok(())
}

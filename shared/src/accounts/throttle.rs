//! Sign-in attempts are limited per account and per client address: at most
//! [`MAX_ATTEMPTS`] in a fixed window of [`WINDOW_MINUTES`]. Both counters move in one
//! conditional transaction before the password is checked, so parallel guesses cannot
//! slip past the limit; the counters expire through TTL.

use crate::error::ApiError;
use crate::store::{keys, Cond, Update, Write};
use crate::Ctx;

pub const MAX_ATTEMPTS: i64 = 10;
pub const WINDOW_MINUTES: i64 = 15;

/// Counts one attempt for the account and the address; `Err(Throttled)` past the limit.
pub async fn count_attempt(
    ctx: &Ctx,
    email_normalized: &str,
    address: Option<&str>,
) -> Result<(), AttemptError> {
    let mut subjects = vec![(format!("account#{email_normalized}"), MAX_ATTEMPTS)];
    if let Some(address) = address.filter(|a| !a.is_empty()) {
        subjects.push((format!("addr#{address}"), MAX_ATTEMPTS));
    }
    count(ctx, &subjects).await
}

/// Counts one request for each `(subject, limit)` in the current window, all or none:
/// `Err(Throttled)` when any subject has reached its limit.
pub async fn count(ctx: &Ctx, subjects: &[(String, i64)]) -> Result<(), AttemptError> {
    let window = WINDOW_MINUTES * 60;
    let start = ctx.now().timestamp() / window * window;
    let writes = subjects
        .iter()
        .map(|(subject, limit)| Write::Update {
            key: keys::sign_in_attempts(subject, start),
            update: Update::new()
                .increment("attempts", 1)
                .set("ttl", start + window + 3600),
            cond: Some(Cond::Or(vec![
                Cond::not_exists("attempts"),
                Cond::lt("attempts", *limit),
            ])),
        })
        .collect::<Vec<_>>();
    let count = writes.len();
    ctx.store.transact(writes).await.map_err(|e| {
        if (0..count).any(|i| e.condition_failed_at(i)) {
            AttemptError::Throttled
        } else {
            AttemptError::Store(e.into())
        }
    })
}

#[derive(Debug)]
pub enum AttemptError {
    Throttled,
    Store(ApiError),
}

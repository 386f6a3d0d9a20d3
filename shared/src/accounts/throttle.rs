//! Request limits in fixed windows, counted in one conditional transaction before the work
//! they guard (so parallel requests cannot slip past a limit); the counters expire through
//! TTL.
//!
//! Sign-in attempts (and the current password on the settings page) are counted per
//! account *and* address together: someone guessing a password from one address stops
//! after [`PER_ACCOUNT_AND_ADDRESS`] tries, while the account's owner, from another
//! address, still signs in. An address is also limited across accounts
//! ([`PER_ADDRESS`]: a shared office NAT has room, one address spraying many accounts does
//! not). An account alone has only a ceiling ([`PER_ACCOUNT`]) far above what one address
//! may try: it takes [`PER_ACCOUNT`] / [`PER_ACCOUNT_AND_ADDRESS`] addresses guessing
//! together to reach it (and so to keep the owner out for the window), and at that rate
//! (under 30,000 a day) a 12-character password is still out of reach.

use super::error::{AccountError, AccountField};
use crate::domain::Email;
use crate::store::{keys, Cond, StoreError, Update, Write};
use crate::Ctx;

/// Sign-in attempts on one account from one address, in the window.
pub const PER_ACCOUNT_AND_ADDRESS: i64 = 10;
/// Sign-in attempts from one address, whichever the accounts, in the window.
pub const PER_ADDRESS: i64 = 50;
/// Sign-in attempts on one account, from every address together, in the window.
pub const PER_ACCOUNT: i64 = 300;
pub const WINDOW_MINUTES: i64 = 15;

/// Confirmation mails (a link to an address nobody has confirmed yet: an organisation's new
/// contact email, a user's new login email) per organisation, and per address whoever asks,
/// in [`CONFIRMATION_WINDOW_MINUTES`]: they go out through the courier's SES identity to any
/// address typed in, so without a limit they are a way to mail anyone, as often as one likes.
pub const CONFIRMATIONS_PER_ORGANIZATION: i64 = 5;
pub const CONFIRMATIONS_PER_ADDRESS: i64 = 3;
pub const CONFIRMATION_WINDOW_MINUTES: i64 = 60;

/// The address of a caller whose address is not known (the settings page's password
/// check): its attempts share one counter per account.
const NO_ADDRESS: &str = "-";

/// Counts one sign-in attempt on the account from the address; `Err(Throttled)` past a
/// limit.
pub async fn count_attempt(
    ctx: &Ctx,
    email_normalized: &str,
    address: Option<&str>,
) -> Result<(), AttemptError> {
    let address = address.filter(|a| !a.is_empty());
    let mut subjects = vec![
        (
            format!(
                "account#{email_normalized}#addr#{}",
                address.unwrap_or(NO_ADDRESS)
            ),
            PER_ACCOUNT_AND_ADDRESS,
        ),
        (format!("account#{email_normalized}"), PER_ACCOUNT),
    ];
    if let Some(address) = address {
        subjects.push((format!("addr#{address}"), PER_ADDRESS));
    }
    count(ctx, &subjects).await
}

/// Counts one confirmation mail of `organization` (a client's or a courier's id) to `to`;
/// past a limit, [`AccountError::ConfirmationsLimited`] on `field` (429 `rate_limited` in the
/// API) with the seconds until the window ends.
pub async fn count_confirmation(
    ctx: &Ctx,
    organization: &str,
    to: &Email,
    field: AccountField,
) -> Result<(), AccountError> {
    let subjects = [
        (
            format!("confirm-org#{organization}"),
            CONFIRMATIONS_PER_ORGANIZATION,
        ),
        (
            format!("confirm-to#{}", to.normalized()),
            CONFIRMATIONS_PER_ADDRESS,
        ),
    ];
    let window = CONFIRMATION_WINDOW_MINUTES * 60;
    match count_in(ctx, &subjects, window).await {
        Ok(()) => Ok(()),
        Err(AttemptError::Store(e)) => Err(e.into()),
        Err(AttemptError::Throttled) => {
            let start = ctx.now().timestamp() / window * window;
            let retry_after = start + window - ctx.now().timestamp();
            Err(AccountError::ConfirmationsLimited {
                field,
                per_organization: CONFIRMATIONS_PER_ORGANIZATION,
                per_address: CONFIRMATIONS_PER_ADDRESS,
                retry_after,
            })
        }
    }
}

/// Counts one request for each `(subject, limit)` in the current 15-minute window, all or
/// none: `Err(Throttled)` when any subject has reached its limit.
pub async fn count(ctx: &Ctx, subjects: &[(String, i64)]) -> Result<(), AttemptError> {
    count_in(ctx, subjects, WINDOW_MINUTES * 60).await
}

/// Like [`count`], in windows of `window` seconds.
pub async fn count_in(
    ctx: &Ctx,
    subjects: &[(String, i64)],
    window: i64,
) -> Result<(), AttemptError> {
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
            AttemptError::Store(e)
        }
    })
}

#[derive(Debug)]
pub enum AttemptError {
    Throttled,
    Store(StoreError),
}

//! Sending a message at most once per notification id, and again only if sending failed.

use crate::domain::Phone;
use crate::notify::OutgoingEmail;
use crate::store::records::to_item;
use crate::store::{keys, Cond, Item, Store, StoreError, Write, PK, TTL};
use crate::Ctx;

use super::error::FanoutError;

/// Notification ids are kept long after any stream record could come back (24 hours).
const KEEP_DAYS: i64 = 30;

fn marker(ctx: &Ctx, id: &str, channel: &str, to: &str) -> Result<Item, FanoutError> {
    let now = ctx.now();
    let marker = serde_json::json!({
        "channel": channel,
        "to": to,
        "sentAt": crate::clock::timestamp(now),
        TTL: (now + chrono::Duration::days(KEEP_DAYS)).timestamp(),
    });
    Ok(to_item(&marker, &keys::notification(id), "Notification")?)
}

/// One transaction: the notification id (new) and the recipient's opt-out (absent). A
/// message already sent or to a number that said STOP is skipped; a failed send frees
/// the id again so the retry sends it.
pub async fn send_sms_once(ctx: &Ctx, id: &str, to: &Phone, text: &str) -> Result<(), FanoutError> {
    let sms = ctx.sms()?;
    let writes = vec![
        Write::Put {
            item: marker(ctx, id, "sms", to.as_str())?,
            cond: Some(Cond::not_exists(PK)),
        },
        Write::Check {
            key: keys::opt_out(to.as_str()),
            cond: Cond::not_exists(PK),
        },
    ];
    match ctx.store.transact(writes).await {
        Ok(()) => {}
        Err(e) if e.condition_failed_at(0) => {
            tracing::info!(id, "already sent");
            return Ok(());
        }
        Err(e) if e.condition_failed_at(1) => {
            tracing::info!(id, "recipient opted out");
            use crate::observe::metrics::{count, Metric};
            count(Metric::SmsMessages("skipped"), 1);
            count(
                Metric::SmsSegments("skipped"),
                crate::domain::sms::segments(text) as u64,
            );
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    if let Err(e) = sms.send_sms(to, text).await {
        release(ctx.store.as_ref(), id).await;
        return Err(e.into());
    }
    Ok(())
}

pub async fn send_email_once(
    ctx: &Ctx,
    id: &str,
    email: &OutgoingEmail,
) -> Result<(), FanoutError> {
    let mailer = ctx.mailer()?;
    match ctx
        .store
        .put(
            marker(ctx, id, "email", email.to.as_str())?,
            Some(Cond::not_exists(PK)),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            tracing::info!(id, "already sent");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    if let Err(e) = mailer.send_email(email).await {
        release(ctx.store.as_ref(), id).await;
        return Err(e.into());
    }
    Ok(())
}

async fn release(store: &dyn Store, id: &str) {
    if let Err(e) = store.delete(&keys::notification(id), None).await {
        tracing::error!(id, error = %e, "could not free the notification id after a failed send");
    }
}

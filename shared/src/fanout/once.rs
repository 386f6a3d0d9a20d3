//! Sending a message at most once per notification id, and again only if sending failed
//! for a reason a retry may cure.

use crate::domain::Phone;
use crate::notify::{NotifyError, OutgoingEmail};
use crate::store::records::to_item;
use crate::store::{keys, Cond, Item, Store, StoreError, PK, TTL};
use crate::Ctx;

use super::error::FanoutError;

/// Notification ids are kept long after any stream record could come back (24 hours).
const KEEP_DAYS: i64 = 30;

/// What became of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Its notification id was already taken: sent before, or failed for good before.
    AlreadyHandled,
    /// The recipient said STOP.
    OptedOut,
    /// Refused for good (see `notify::failure`): recorded on its marker, not retried.
    FailedPermanently,
    /// Its answer was lost: it may have gone out. Recorded on its marker, never sent again
    /// (at most once: README, "What a lost answer means").
    Uncertain,
}

/// The send-once marker of one attempt. `attempt` tells this attempt's own write from
/// another's: a put whose answer was lost after it took effect is retried by the SDK, and
/// its condition then fails on the marker it wrote itself.
fn marker(ctx: &Ctx, id: &str, channel: &str, to: &str) -> Result<Item, FanoutError> {
    let now = ctx.now();
    let marker = serde_json::json!({
        "channel": channel,
        "to": to,
        "attempt": ulid::Ulid::generate().to_string(),
        "sentAt": crate::clock::timestamp(now),
        TTL: (now + chrono::Duration::days(KEEP_DAYS)).timestamp(),
    });
    Ok(to_item(&marker, &keys::notification(id), "Notification")?)
}

/// The recipient's opt-out read (strongly consistent), then the notification id taken
/// (a conditional put). A message to a number that said STOP, or already sent, is skipped;
/// a failed send frees the id again so the retry sends it, unless the failure is permanent.
///
/// Not one transaction (which bills each of its two writes twice): a STOP stored before the
/// read is honoured, as one stored before a transaction's check would be; one stored after
/// it, like one stored after a transaction and before the send, is honoured from the next
/// message on. The id is taken only once the number is known not to have opted out, so a
/// START followed by a redelivery still sends, as before.
pub async fn send_sms_once(
    ctx: &Ctx,
    id: &str,
    to: &Phone,
    text: &str,
) -> Result<Outcome, FanoutError> {
    let sms = ctx.sms()?;
    if ctx.store.get(&keys::opt_out(to.as_str())).await?.is_some() {
        tracing::info!(id, "recipient opted out");
        use crate::observe::metrics::{count, Metric};
        count(Metric::SmsMessages("skipped"), 1);
        count(
            Metric::SmsSegments("skipped"),
            crate::domain::sms::segments(text) as u64,
        );
        return Ok(Outcome::OptedOut);
    }
    let marker = marker(ctx, id, "sms", to.as_str())?;
    if !take(ctx.store.as_ref(), id, &marker).await? {
        return Ok(Outcome::AlreadyHandled);
    }
    match sms.send_sms(to, text).await {
        Ok(()) => Ok(Outcome::Sent),
        Err(e) => failed(ctx.store.as_ref(), id, marker, e).await,
    }
}

pub async fn send_email_once(
    ctx: &Ctx,
    id: &str,
    email: &OutgoingEmail,
) -> Result<Outcome, FanoutError> {
    let mailer = ctx.mailer()?;
    let marker = marker(ctx, id, "email", email.to.as_str())?;
    if !take(ctx.store.as_ref(), id, &marker).await? {
        return Ok(Outcome::AlreadyHandled);
    }
    match mailer.send_email(email).await {
        Ok(()) => Ok(Outcome::Sent),
        Err(e) => failed(ctx.store.as_ref(), id, marker, e).await,
    }
}

/// Takes the notification id (a conditional put of `marker`): `false` when another attempt
/// holds it. A condition failing on this attempt's own marker (its first answer lost, the
/// SDK's retry refused) is this attempt's: taken.
async fn take(store: &dyn Store, id: &str, marker: &Item) -> Result<bool, FanoutError> {
    match store.put(marker.clone(), Some(Cond::not_exists(PK))).await {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed { old }) => {
            let ours = old.is_some_and(|old| old.get("attempt") == marker.get("attempt"));
            if !ours {
                tracing::info!(id, "already sent");
            }
            Ok(ours)
        }
        Err(e) => Err(e.into()),
    }
}

/// A send that failed. Permanent: the marker stays, rewritten to say so (a retry or a
/// replay finds it and sends nothing), and the failure is counted. Uncertain (the answer
/// lost): the same, so that it is sent at most once. Transient (not taken, e.g. throttled):
/// the id is freed and the error goes up, so the record is retried.
async fn failed(
    store: &dyn Store,
    id: &str,
    mut marker: Item,
    e: NotifyError,
) -> Result<Outcome, FanoutError> {
    if e.uncertain {
        // Sent or not, it is not sent again: the marker stays, and says so.
        tracing::warn!(
            notification = id,
            channel = e.channel,
            code = %e.code,
            "the answer was lost: it may have gone out, and is not sent again"
        );
        marker.insert("uncertain".into(), true.into());
    } else if !e.permanent {
        release(store, id).await;
        return Err(e.into());
    } else {
        count_permanent_failure(id, &e);
    }
    // The time written just before the send becomes the failure's.
    let at = marker.remove("sentAt").unwrap_or_default();
    marker.insert("failedAt".into(), at);
    marker.insert("failure".into(), e.code.clone().into());
    let uncertain = e.uncertain;
    if let Err(e) = store.put(marker, None).await {
        // The marker written before the send is still there: nothing is sent again.
        tracing::error!(id, error = %e, "could not record the failure on its marker");
    }
    Ok(if uncertain {
        Outcome::Uncertain
    } else {
        Outcome::FailedPermanently
    })
}

/// The one place a permanent failure is counted: a warning with the notification id (the
/// order's id, its notice) and the provider's error code, never the number or the address.
/// The structured field `failure = "permanent"` is what a metric filter (or an EMF metric
/// added here) counts.
pub fn count_permanent_failure(id: &str, e: &NotifyError) {
    tracing::warn!(
        failure = "permanent",
        notification = id,
        order = id.split(':').next().unwrap_or(""),
        channel = e.channel,
        code = %e.code,
        "message not sent: the provider refused it for good; it will not be retried"
    );
}

/// Whether the marker of `id` records a permanent failure (`None`: no marker).
pub async fn marker_failed(store: &dyn Store, id: &str) -> Result<Option<bool>, StoreError> {
    Ok(store
        .get(&keys::notification(id))
        .await?
        .map(|m| m.contains_key("failedAt")))
}

async fn release(store: &dyn Store, id: &str) {
    if let Err(e) = store.delete(&keys::notification(id), None).await {
        tracing::error!(id, error = %e, "could not free the notification id after a failed send");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_permanent_failure_is_counted_with_its_ids_and_never_the_recipient() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            count_permanent_failure(
                "ord_01J00000000000000000000000:sms:dropoff:started:2026-12-01T08:30:00.000Z",
                &NotifyError::permanent(
                    "sms",
                    "InvalidParameter",
                    "Invalid parameter: PhoneNumber +33612345678",
                ),
            )
        });
        let line = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(line.contains("WARN"), "{line}");
        assert!(line.contains("failure=\"permanent\""), "{line}");
        assert!(
            line.contains("order=\"ord_01J00000000000000000000000\""),
            "{line}"
        );
        assert!(line.contains("code=InvalidParameter"), "{line}");
        assert!(!line.contains("+3361"), "{line}");
    }
}

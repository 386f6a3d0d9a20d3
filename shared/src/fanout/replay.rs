//! Replaying the notifications of the orders changed in a window (`portal-admin
//! replay-notifications`): for messages lost past the stream's 24 hours (a record given up
//! on, its dead-letter pointer expired). Each order as stored goes through the fan-out's
//! own sending ([`super::deliver`]) with what its state calls for
//! ([`super::current_notices`]); the notification ids are the live path's, so a message
//! already sent (or refused for good) is not sent again.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::order::Order;
use crate::store::records::from_item;
use crate::store::{orders, Key, Scanner};
use crate::Ctx;

use super::error::FanoutError;
use super::once::{marker_failed, Outcome};
use super::{current_notices, deliver};

/// What a replay did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    pub from: String,
    pub to: String,
    /// Orders changed in the window.
    pub orders_looked_at: usize,
    pub messages_sent: usize,
    pub already_sent: usize,
    /// The recipient said STOP.
    pub opted_out: usize,
    /// Refused for good now or before (recorded on their markers), or failed now for a
    /// reason a later replay may cure (see the logs).
    pub failed: usize,
}

/// BatchGetItem reads at most 100 keys.
const READ_BATCH: usize = 100;

/// `scanner` reads the table (the store of `ctx`, as the operator's tool holds it).
pub async fn replay_notifications(
    ctx: &Ctx,
    scanner: &dyn Scanner,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ReplayReport, FanoutError> {
    let (from, to) = (crate::clock::timestamp(from), crate::clock::timestamp(to));
    let mut report = ReplayReport {
        from: from.clone(),
        to: to.clone(),
        ..Default::default()
    };
    let mut start = None;
    loop {
        let (keys, next) = orders::changed_between(scanner, &from, &to, start.take()).await?;
        for chunk in keys.chunks(READ_BATCH) {
            replay_orders(ctx, chunk, &mut report).await?;
        }
        match next {
            Some(next) => start = Some(next),
            None => return Ok(report),
        }
    }
}

async fn replay_orders(
    ctx: &Ctx,
    keys: &[Key],
    report: &mut ReplayReport,
) -> Result<(), FanoutError> {
    for item in ctx.store.batch_get(keys).await?.into_iter().flatten() {
        let order = match from_item::<Order>(item) {
            Ok(order) => order,
            Err(e) => {
                tracing::warn!(error = %e, "replay: an order item that cannot be read");
                report.failed += 1;
                continue;
            }
        };
        report.orders_looked_at += 1;
        match deliver(ctx, &order, current_notices(&order)).await {
            Ok(outcomes) => {
                for (id, outcome) in outcomes {
                    match outcome {
                        Outcome::Sent => report.messages_sent += 1,
                        Outcome::OptedOut => report.opted_out += 1,
                        // Uncertain: it may have gone out, and is not sent again.
                        Outcome::FailedPermanently | Outcome::Uncertain => report.failed += 1,
                        // Its marker says whether it went out or was refused for good.
                        Outcome::AlreadyHandled => {
                            if marker_failed(ctx.store.as_ref(), &id).await? == Some(true) {
                                report.failed += 1;
                            } else {
                                report.already_sent += 1;
                            }
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(order = %order.id, error = %e, "replay: not sent, try again later");
                report.failed += 1;
            }
        }
    }
    Ok(())
}

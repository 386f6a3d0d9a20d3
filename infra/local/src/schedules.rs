//! EventBridge schedules, run in-process by the local portal.

use std::sync::Arc;
use std::time::Duration;

use portal::Ctx;

/// `draft-reminders` at the top of every hour, as its `rate(1 hour)` schedule would run it.
pub async fn hourly_draft_reminders(ctx: Arc<Ctx>) {
    let ctx = ctx.wired_for(crate::functions::DRAFT_REMINDERS.needs);
    loop {
        let now = ctx.now();
        let next = 3600 - now.timestamp().rem_euclid(3600);
        tokio::time::sleep(Duration::from_secs(next as u64)).await;
        match portal::reminders::run_draft_reminders(&ctx, ctx.now()).await {
            Ok(report) => tracing::info!(
                drafts = report.drafts,
                sent = report.sent.len(),
                "draft reminders"
            ),
            Err(e) => tracing::warn!(error = %e, "draft reminders failed"),
        }
    }
}

/// `chat-notices` every five minutes, as its `rate(5 minutes)` schedule would run it.
pub async fn chat_notices_every_five_minutes(ctx: Arc<Ctx>) {
    let ctx = ctx.wired_for(crate::functions::CHAT_NOTICES.needs);
    loop {
        let now = ctx.now();
        let next = 300 - now.timestamp().rem_euclid(300);
        tokio::time::sleep(Duration::from_secs(next as u64)).await;
        match portal::chat::notices::run_chat_notices(&ctx, ctx.now()).await {
            Ok(report) => tracing::info!(sent = report.sent.len(), "chat notices"),
            Err(e) => tracing::warn!(error = %e, "chat notices failed"),
        }
    }
}

/// `webhook-deliveries` every minute, as its `rate(1 minute)` schedule would run it.
pub async fn webhook_deliveries_every_minute(ctx: Arc<Ctx>) {
    let ctx = ctx.wired_for(crate::functions::WEBHOOK_DELIVERIES.needs);
    loop {
        let now = ctx.now();
        let next = 60 - now.timestamp().rem_euclid(60);
        tokio::time::sleep(Duration::from_secs(next as u64)).await;
        match portal::hooks::worker::run_due_deliveries(&ctx, ctx.now()).await {
            Ok(report) => tracing::info!(
                attempted = report.attempted,
                delivered = report.delivered,
                "webhook deliveries"
            ),
            Err(e) => tracing::warn!(error = %e, "webhook deliveries failed"),
        }
    }
}

/// `order-digests` every 15 minutes (on the clock), as its `cron(0/15 * * * ? *)` schedule
/// would run it.
pub async fn order_digests_every_quarter_hour(ctx: Arc<Ctx>) {
    let ctx = ctx.wired_for(crate::functions::ORDER_DIGESTS.needs);
    loop {
        let now = ctx.now();
        let next = 900 - now.timestamp().rem_euclid(900);
        tokio::time::sleep(Duration::from_secs(next as u64)).await;
        match portal::digests::run_order_digests(&ctx, ctx.now()).await {
            Ok(report) => {
                tracing::info!(due = report.due, sent = report.sent.len(), "order digests")
            }
            Err(e) => tracing::warn!(error = %e, "order digests failed"),
        }
    }
}

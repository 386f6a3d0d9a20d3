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

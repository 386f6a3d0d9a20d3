//! Hourly: each client's morning email of its waiting drafts (`portal::reminders`).

use portal::lambda::{serve_draft_reminders, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE.with_mail();

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_draft_reminders(NEEDS).await
}

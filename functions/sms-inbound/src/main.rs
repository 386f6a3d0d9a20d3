//! Inbound SMS from the two-way SMS topic: STOP / START / HELP (`portal::fanout::inbound`).

use portal::lambda::{serve_sms_inbound, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE.with_sms();

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_sms_inbound(NEEDS).await
}

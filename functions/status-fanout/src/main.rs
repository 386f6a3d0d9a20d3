//! Status fan-out on the table's DynamoDB stream (`portal::fanout::handle_stream`).

use portal::lambda::{serve_status_fanout, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE.with_mail().with_sms();

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_status_fanout(NEEDS).await
}

//! POST /v1/email-confirmations/{token} (public): applies a pending email change (`api::email_confirmations::confirm_email`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::email_confirmations::confirm_email, NEEDS).await
}

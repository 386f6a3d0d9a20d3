//! POST /v1/email-confirmations/{token} (public): applies a pending email change (`api::email_confirmations::confirm_email`).
//! Wiring only: the use case is found in `portal::functions` by this binary's name.

#[tokio::main]
async fn main() -> Result<(), portal::lambda::Error> {
    portal::lambda::serve_http(env!("CARGO_BIN_NAME")).await
}

//! POST /v1/api-keys: a new key for the caller's organisation (`api::api_keys::create_api_key`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::api_keys::create_api_key, NEEDS).await
}

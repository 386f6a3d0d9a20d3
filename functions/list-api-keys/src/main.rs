//! GET /v1/api-keys: the caller's keys, prefix and label only (`api::api_keys::list_api_keys`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::api_keys::list_api_keys, NEEDS).await
}

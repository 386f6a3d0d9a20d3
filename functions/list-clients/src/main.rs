//! GET /v1/clients: the courier's clients, newest first (`api::clients::list_clients`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::clients::list_clients, NEEDS).await
}

//! PATCH /v1/clients/{clientId} (`api::clients::update_client`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE.with_mail();

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::clients::update_client, NEEDS).await
}

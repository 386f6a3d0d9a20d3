//! POST /v1/integrations/{integrationId}/webhook (`api::webhook::receive_webhook`; public: the signature is the credential).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::webhook::receive_webhook, NEEDS).await
}

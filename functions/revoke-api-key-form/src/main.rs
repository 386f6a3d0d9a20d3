//! POST /settings/api/keys/{keyId}/revoke (the web portal) (`web::api_pages::revoke_api_key_form`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::web::api_pages::revoke_api_key_form, NEEDS).await
}

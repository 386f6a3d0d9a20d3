//! POST /settings/api/integrations/{integrationId}/deliveries/{deliveryId}/replay (the web portal) (`web::api_pages::replay_delivery_form`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::web::api_pages::replay_delivery_form, NEEDS).await
}

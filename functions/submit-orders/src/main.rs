//! POST /v1/orders/submit (`api::bulk_submit::submit_orders`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::bulk_submit::submit_orders, NEEDS).await
}

//! PUT /v1/settings/tracking-page (`api::settings::put_tracking_page_settings`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::settings::put_tracking_page_settings, NEEDS).await
}

//! GET /v1/settings/notifications (`api::settings::get_notification_settings`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::settings::get_notification_settings, NEEDS).await
}

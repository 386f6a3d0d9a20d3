//! PATCH /v1/settings/organization (`api::organization::update_organization_settings`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE.with_mail();

#[tokio::main]
#[rustfmt::skip]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::organization::update_organization_settings, NEEDS).await
}

//! POST /settings/organization (the web portal) (`web::settings_pages::save_organization_form`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE.with_mail();

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::web::settings_pages::save_organization_form, NEEDS).await
}

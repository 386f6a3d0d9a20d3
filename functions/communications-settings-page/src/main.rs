//! GET /settings/communications (the web portal) (`web::communications_pages::page`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::web::communications_pages::page, NEEDS).await
}

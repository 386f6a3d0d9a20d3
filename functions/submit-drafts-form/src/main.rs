//! POST /drafts (the web portal) (`web::drafts_pages::submit_drafts_form`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::web::drafts_pages::submit_drafts_form, NEEDS).await
}

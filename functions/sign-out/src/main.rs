//! POST /logout (the web portal) (`web::sign_in_pages::sign_out`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::web::sign_in_pages::sign_out, NEEDS).await
}

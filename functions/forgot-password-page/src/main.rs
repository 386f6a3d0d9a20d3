//! GET /forgot-password (the web portal) (`web::reset_pages::forgot_password_page`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::web::reset_pages::forgot_password_page, NEEDS).await
}

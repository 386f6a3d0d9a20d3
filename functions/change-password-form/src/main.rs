//! POST /settings/user/password (the web portal) (`web::account_pages::change_password_form`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::web::account_pages::change_password_form, NEEDS).await
}

//! GET /static/{version}/{file} (the web portal) (`web::assets::static_asset`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::web::assets::static_asset, NEEDS).await
}

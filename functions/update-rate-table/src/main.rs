//! PATCH /v1/rate-tables/{rateTableId} (`api::rate_tables::update_rate_table`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::rate_tables::update_rate_table, NEEDS).await
}

//! The HTTP API's Lambda authorizer: resolves `Authorization: Bearer <key>` to the courier or
//! client that owns the key (`portal::lambda::authorizer_response`).

use portal::lambda::{serve_authorizer, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_authorizer(NEEDS).await
}

//! POST /v1/invitations/{token}/accept (public): activates the client, returns its first key (`api::invitations::accept_invitation`).

use portal::lambda::{serve_http, Error, Needs};

/// The AWS clients this function is built with (its IAM policy grants no more).
pub const NEEDS: Needs = Needs::STORE;

#[tokio::main]
async fn main() -> Result<(), Error> {
    serve_http(portal::api::invitations::accept_invitation, NEEDS).await
}

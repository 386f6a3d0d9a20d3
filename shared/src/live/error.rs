//! Why a page's WebSocket was refused or a push did not go out: the live use cases' own
//! error. The WebSocket adapter answers `$connect` with its status (`status`).

use crate::accounts::error::AccountError;
use crate::needs::NotWired;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The page's origin is not the portal's: another site's page.
    #[error("the connection comes from another site")]
    CrossSite,
    /// No session, an ended one, or a ticket that names none.
    #[error("sign in to receive live updates")]
    SignedOut,
    /// A tracking token that names no order.
    #[error("tracking page not found")]
    NotFound,
    /// The connection id is stored already.
    #[error("this connection is open already")]
    AlreadyConnected,
    /// A stream record that is not what its key says.
    #[error("the stream record is not readable: {0}")]
    Unreadable(String),
    /// The push failed for a reason other than a closed page (retried).
    #[error("the message could not be pushed: {0}")]
    NotPushed(String),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    NotWired(#[from] NotWired),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LiveError {
    /// The HTTP status `$connect` answers with (API Gateway refuses the upgrade with it).
    pub fn status(&self) -> u16 {
        match self {
            LiveError::CrossSite => 403,
            LiveError::SignedOut => 401,
            LiveError::NotFound => 404,
            LiveError::AlreadyConnected => 409,
            _ => 500,
        }
    }
}

//! Why a client was not created, listed, changed, invited, deleted or given its services:
//! the clients use cases' own error. The JSON API answers it in one place
//! (`From<ClientError> for ApiError`, `error.rs`); the clients pages show it next to the
//! field it concerns, or above the form.

use crate::accounts::error::AccountError;
use crate::domain::Email;
use crate::needs::NotWired;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A client's key or person: clients are the courier's.
    #[error("this route is for the courier; a client key cannot use it")]
    CouriersOnly,
    /// No such client, or another courier's (the two are indistinguishable on purpose).
    #[error("client not found")]
    NotFound,
    /// Another client of the courier already uses this email.
    #[error("another client of this courier already uses {0}")]
    EmailTaken(Email),
    /// The auto-assign team is not one of the courier's teams.
    #[error("is not one of your teams")]
    UnknownTeam,
    /// A deleted client cannot be `action` (changed, invited).
    #[error("a deleted client cannot be {action}")]
    Deleted { action: &'static str },
    /// A read-only field (API name) sent with another value than the client has.
    #[error("is read-only: send it unchanged, or leave it out")]
    ReadOnly(&'static str),
    /// The client has already accepted an invitation.
    #[error("the client has already accepted an invitation")]
    AlreadyActive,
    /// The client changed between reading it and writing its invitation.
    #[error("the client changed while inviting it; try again")]
    InviteRaced,
    /// The invitation was written but could not be emailed.
    #[error("the invitation could not be emailed ({0}); invite again to retry")]
    InvitationNotSent(String),
    /// The courier's own record is missing.
    #[error("courier not found")]
    CourierNotFound,
    /// A field of the client's services (API name: `services[0].serviceId`…) is refused.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    /// A service or rate table is already given to as many clients as it may be.
    #[error("the {what} {id} is already given to {max} clients")]
    TooManyClients {
        what: &'static str,
        id: String,
        max: usize,
    },
    /// The client, or a service or rate table, changed while the services were saved.
    #[error("the client, or a service or rate table, changed at the same time; retry")]
    ServicesRaced,
    /// The client is past the version read, an email change refused or throttled…
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    NotWired(#[from] NotWired),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ClientError {
    pub(crate) fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ClientError::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}

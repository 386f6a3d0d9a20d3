//! Why a message was not posted or a conversation not read: the chat use cases' own error.
//! The JSON API answers it in one place (`From<ChatError> for ApiError`, `error.rs`); the
//! chat pages show a field's problem next to the field.

use crate::accounts::error::AccountError;
use crate::needs::NotWired;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// A client's key or person on a courier's listing (the conversations).
    #[error("this route is for the courier; a client key cannot use it")]
    CouriersOnly,
    /// No such client, another courier's, or deleted (indistinguishable on purpose).
    #[error("client not found")]
    ClientNotFound,
    /// A field of the message: `code` is the API's error code.
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    /// The `Idempotency-Key` was used for another request.
    #[error("this Idempotency-Key was used for a different request")]
    KeyReused,
    /// Others wrote to the conversation at the same moment, again and again.
    #[error("the conversation changed at the same time; send the message again")]
    Busy,
    /// The email of an unread notice was not sent (the next run tries again).
    #[error("the unread-message email could not be sent: {0}")]
    NotSent(String),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    NotWired(#[from] NotWired),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ChatError {
    pub fn field(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        ChatError::Field {
            field,
            code,
            message: message.into(),
        }
    }
}

//! Why an endpoint was not created or changed, or a delivery not made: the webhook use
//! cases' own error. The JSON API answers it in one place (`From<HookError> for ApiError`,
//! `error.rs`); the settings page shows a field's problem next to the field.

use crate::needs::NotWired;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// No such endpoint or delivery, or another organisation's (indistinguishable on purpose).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A field of the endpoint: `code` is the API's error code.
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    /// The organisation has as many endpoints as it may.
    #[error("an organisation has at most {0} webhook endpoints; delete one first")]
    TooMany(u64),
    /// The endpoint changed since the caller read it (its `version`).
    #[error("the endpoint changed since it was read; read it again")]
    Changed,
    #[error(transparent)]
    NotWired(#[from] NotWired),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl HookError {
    pub fn field(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        HookError::Field {
            field,
            code,
            message: message.into(),
        }
    }
}

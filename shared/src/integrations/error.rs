//! Why an integration use case did not do what it was asked: their own error. The JSON
//! API answers it in one place (`From<IntegrationError> for ApiError`, `error.rs`); the API
//! settings page shows it next to its field.

use crate::ordering::{FieldProblem, OrderError};
use crate::store::StoreError;

/// A field of an integration command, named as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationField {
    Secret,
    ClientId,
}

impl IntegrationField {
    pub fn api_name(self) -> &'static str {
        match self {
            IntegrationField::Secret => "secret",
            IntegrationField::ClientId => "clientId",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    /// No such integration, or another tenant's.
    #[error("integration not found")]
    NotFound,
    /// No such delivery of the caller's integration.
    #[error("delivery not found")]
    DeliveryNotFound,
    /// A field of the command cannot be used.
    #[error("{}: {message}", field.api_name())]
    Field {
        field: IntegrationField,
        problem: FieldProblem,
        message: String,
    },
    /// A courier asked for what only a client does (adding an integration).
    #[error("this route is for clients; a courier key cannot use it")]
    ClientsOnly,
    /// The delivery cannot be replayed (`code`: `unsigned_delivery`, `body_not_kept`).
    #[error("{message}")]
    NotReplayable { code: &'static str, message: String },
    /// Placing or withdrawing the delivery's order failed (the store, or a fault).
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of ours, never caused by what the caller sent.
    #[error("{0}")]
    Internal(String),
}

impl IntegrationError {
    pub fn field(
        field: IntegrationField,
        problem: FieldProblem,
        message: impl Into<String>,
    ) -> Self {
        IntegrationError::Field {
            field,
            problem,
            message: message.into(),
        }
    }
}

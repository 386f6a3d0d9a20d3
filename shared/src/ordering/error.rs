//! Why an order use case did not do what it was asked: the ordering use cases' own error.
//! The JSON API turns it into its answers in one place (`From<OrderError> for ApiError`,
//! `error.rs`); the pages put [`OrderError::field`]'s message next to their own input.

use crate::domain::pricing::QuotedService;
use crate::store::StoreError;

/// A field of an order command, named as the API names it (`api_name`); the pages map it to
/// their input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    ClientId,
    Pickup,
    /// The end of the pickup window (`pickup.window.completeBefore`).
    PickupWindowEnd,
    /// The end of the dropoff window (`dropoff.window.completeBefore`).
    DropoffWindowEnd,
    ServiceId,
    /// A quote's due time (`dueBy`).
    DueBy,
    OrderIds,
    ImportId,
    IdempotencyKey,
    /// The first day of a list's creation range (`createdFrom`).
    CreatedFrom,
    /// The last day of a list's creation range (`createdTo`).
    CreatedTo,
}

impl OrderField {
    pub fn api_name(self) -> &'static str {
        match self {
            OrderField::ClientId => "clientId",
            OrderField::Pickup => "pickup",
            OrderField::PickupWindowEnd => "pickup.window.completeBefore",
            OrderField::DropoffWindowEnd => "dropoff.window.completeBefore",
            OrderField::ServiceId => "serviceId",
            OrderField::DueBy => "dueBy",
            OrderField::OrderIds => "orderIds",
            OrderField::ImportId => "importId",
            OrderField::IdempotencyKey => "Idempotency-Key",
            OrderField::CreatedFrom => "createdFrom",
            OrderField::CreatedTo => "createdTo",
        }
    }
}

/// How a field is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    /// Sent, but not taken from this caller (`unknown_field`).
    NotTaken,
    /// Required and missing (`missing_field`).
    Missing,
    /// Sent, with a value that cannot be used (`invalid_field`).
    Invalid,
    /// An idempotency key sent before with another request (`idempotency_key_reused`).
    Reused,
}

impl FieldProblem {
    /// The API's error code for it.
    pub fn code(self) -> &'static str {
        match self {
            FieldProblem::NotTaken => "unknown_field",
            FieldProblem::Missing => "missing_field",
            FieldProblem::Invalid => "invalid_field",
            FieldProblem::Reused => "idempotency_key_reused",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// No such order, or another tenant's (the two are indistinguishable on purpose).
    #[error("order not found")]
    NotFound,
    /// No such client of the caller's courier.
    #[error("client not found")]
    ClientNotFound,
    /// A field of the command cannot be used: which, how, and why in words.
    #[error("{}: {message}", field.api_name())]
    Field {
        field: OrderField,
        problem: FieldProblem,
        message: String,
    },
    /// No service of the client (or not the one named) can serve the order.
    #[error("no service can take this order: {}", reasons.join(", "))]
    Unquotable {
        /// The command named a service.
        service_named: bool,
        reasons: Vec<String>,
        services: Vec<QuotedService>,
    },
    /// The order is no longer at the version the change was made to.
    #[error(
        "the order was changed by someone else (now at version {current} or later); read it again"
    )]
    Stale { current: u64 },
    /// The order's state does not allow the change (the status machine's words).
    #[error("{0}")]
    NotAllowed(String),
    /// Concurrent writes kept the order from being saved.
    #[error("the order could not be saved; retry")]
    ConcurrentUpdate,
    /// An export's range holds more orders than one export holds.
    #[error(
        "the range holds more than {max} orders, the most one export holds; narrow it with from and to"
    )]
    TooManyRows { max: usize },
    /// A search cursor that is not one of this search's.
    #[error("the cursor is not valid")]
    InvalidCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of ours, never caused by what the caller sent.
    #[error("{0}")]
    Internal(String),
}

impl OrderError {
    pub fn field(field: OrderField, problem: FieldProblem, message: impl Into<String>) -> Self {
        OrderError::Field {
            field,
            problem,
            message: message.into(),
        }
    }

    pub fn invalid(field: OrderField, message: impl Into<String>) -> Self {
        Self::field(field, FieldProblem::Invalid, message)
    }
}

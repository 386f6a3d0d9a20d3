//! Why a task event was not recorded: the dispatch use case's own error. The JSON API answers
//! it in one place (`From<TaskEventError> for ApiError`, `error.rs`); the order's page shows
//! a field's error next to its input and a refused transition in words above the form.

use crate::store::StoreError;

/// A field of a task event, named as the API names it ([`TaskField::api_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskField {
    /// The driver of an assignment.
    Driver,
    TeamId,
    Eta,
    /// The photos of a completion's proof.
    ProofPhotos,
    FailureReason,
}

impl TaskField {
    pub fn api_name(self) -> &'static str {
        match self {
            TaskField::Driver => "driver",
            TaskField::TeamId => "teamId",
            TaskField::Eta => "eta",
            TaskField::ProofPhotos => "proof.photos",
            TaskField::FailureReason => "failureReason",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TaskEventError {
    /// A client's key or person: tasks are the courier's to report on.
    #[error("this route is for the courier; a client key cannot use it")]
    CouriersOnly,
    /// No such task, or another courier's (the two are indistinguishable on purpose).
    #[error("task not found")]
    NotFound,
    /// A field the event needs is missing.
    #[error("{}: {message}", field.api_name())]
    Missing { field: TaskField, message: String },
    /// A field's value cannot be used.
    #[error("{}: {message}", field.api_name())]
    Invalid { field: TaskField, message: String },
    /// The order's state does not take this event now (the status machine's words).
    #[error("{0}")]
    NotAllowed(String),
    /// The order changed between the read and the write.
    #[error("the order changed at the same time; send the event again")]
    VersionConflict,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TaskEventError {
    /// The field refused and why, if the error concerns one.
    pub fn field(&self) -> Option<(TaskField, &str)> {
        match self {
            TaskEventError::Missing { field, message }
            | TaskEventError::Invalid { field, message } => Some((*field, message.as_str())),
            _ => None,
        }
    }
}

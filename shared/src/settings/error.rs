//! Why a client's settings were not read or saved: the settings use cases' own error. The
//! JSON API answers it in one place (`From<SettingsError> for ApiError`, `error.rs`); the
//! settings pages show it next to their field.

use crate::domain::notifications::Trigger;
use crate::domain::order_machine::TaskKind;
use crate::ordering::FieldProblem;
use crate::store::StoreError;

/// A field of a settings command, named as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsField {
    Timezone,
    /// One SMS template (`templates.<kind>.<trigger>`).
    Template(TaskKind, Trigger),
}

impl SettingsField {
    pub fn api_name(self) -> String {
        match self {
            SettingsField::Timezone => "timezone".into(),
            SettingsField::Template(kind, trigger) => {
                format!("templates.{}.{}", kind.as_str(), trigger.as_str())
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A courier asked for a client's settings.
    #[error("{0}")]
    ClientsOnly(&'static str),
    /// The calling client is gone (or deleted).
    #[error("client not found")]
    ClientNotFound,
    /// A field of the command cannot be used.
    #[error("{}: {message}", field.api_name())]
    Field {
        field: SettingsField,
        problem: FieldProblem,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of ours, never caused by what the caller sent.
    #[error("{0}")]
    Internal(String),
}

//! Why a service or rate table was not listed, created, changed or deleted: the catalog use
//! cases' own error. The JSON API answers it in one place (`From<CatalogError> for
//! ApiError`, `error.rs`); the services pages show it next to the field it concerns, or
//! above the form.

use crate::store::StoreError;

/// A client that holds a copy of a service or rate table, by id and name.
pub type CatalogClient = crate::domain::client::NamedClient;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A client's key or person: services and rate tables are the courier's.
    #[error("this route is for the courier; a client key cannot use it")]
    CouriersOnly,
    /// No such item, or another courier's (the two are indistinguishable on purpose);
    /// `what`: "service" or "rate table".
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// A field the shape alone does not check (`field`: its JSON name).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The item is past the version the caller read.
    #[error(
        "the {what} was changed by someone else (now at version {current} or later); read it again"
    )]
    Stale { what: &'static str, current: u64 },
    /// The item (or a client using it) was written at the same time.
    #[error("{message}")]
    ChangedMeanwhile { message: String },
    /// Clients hold a copy: `clients` are the first of them (at most
    /// [`super::NAMED_CLIENTS`]), `count` how many there are.
    #[error("{}", in_use_message(what, clients, *count))]
    InUse {
        what: &'static str,
        clients: Vec<CatalogClient>,
        count: usize,
    },
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CatalogError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        CatalogError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

fn in_use_message(what: &str, clients: &[CatalogClient], count: usize) -> String {
    let named: Vec<String> = clients
        .iter()
        .map(|c| {
            if c.name.is_empty() {
                c.id.to_string()
            } else {
                format!("{} ({})", c.name, c.id)
            }
        })
        .collect();
    format!(
        "the {what} is given to {count} client(s) ({}{}): change their services first",
        named.join(", "),
        if count > clients.len() { ", …" } else { "" }
    )
}

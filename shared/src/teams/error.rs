//! Why a team was not listed, created, renamed or deleted: the teams use cases' own error.
//! The JSON API answers it in one place (`From<TeamError> for ApiError`, `error.rs`); the
//! teams page shows it next to the name it concerns, or above the list.

use crate::store::StoreError;

/// A client whose auto-assign rule names a team, by id and name.
pub type TeamClient = crate::domain::client::NamedClient;

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// A client's key or person: teams are the courier's.
    #[error("this route is for the courier; a client key cannot use it")]
    CouriersOnly,
    /// No such team, or another courier's (the two are indistinguishable on purpose).
    #[error("team not found")]
    NotFound,
    /// Another team of the courier has this name (whatever its case).
    #[error("another team is already named {0}")]
    NameTaken(String),
    /// The team is past the version the caller read.
    #[error(
        "the team was changed by someone else (now at version {current} or later); read it again"
    )]
    Stale { current: u64 },
    /// A client was given the team while it was being deleted.
    #[error("the team changed at the same time; read it again")]
    ChangedMeanwhile,
    /// Clients' auto-assign rules name the team: `clients` are the first of them (at most
    /// [`super::NAMED_CLIENTS`]), `more` whether there are others.
    #[error("{}", in_use_message(clients, *more))]
    InUse {
        clients: Vec<TeamClient>,
        more: bool,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn in_use_message(clients: &[TeamClient], more: bool) -> String {
    let named: Vec<String> = clients
        .iter()
        .map(|c| format!("{} ({})", c.name, c.id))
        .collect();
    format!(
        "the team is in the auto-assign rule of {}{}: change their auto-assign team first",
        named.join(", "),
        if more { " and others" } else { "" }
    )
}

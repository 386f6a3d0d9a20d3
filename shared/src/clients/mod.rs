//! A courier's clients, which the JSON API (`api::clients`, `api::client_services`,
//! `api::invitations`) and the clients pages both create, list, change, invite, delete and
//! give services through here.
//!
//! A client's email is unique per courier through a marker item written in the same
//! transaction. A new email does not apply at once: it waits in `pendingEmail` until its
//! owner confirms it (`accounts::email_change`). Deleting a client revokes every key in the
//! same transaction; its record and orders stay.

pub mod access;
pub mod error;
pub mod invitation;
pub mod lifecycle;
pub mod services;

pub use access::{courier_of, load_client};
pub use error::ClientError;
pub use invitation::{invite, Invited};
pub use lifecycle::{
    client_item, create_client, delete_client, email_marker, list_clients, update_client,
    ClientChanges, ClientPage, NewClient, ReadCheck,
};
pub use services::{catalog, client_services, set_client_services, Catalog, ServicePair};

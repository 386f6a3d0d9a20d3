//! Accounts: users who sign in with a password, their sessions, and the limit on sign-in
//! attempts. Sessions resolve to the same [`Principal`](crate::domain::api_key::Principal)
//! as an API key, so every tenant rule of the API applies to the pages unchanged.

pub mod api_keys;
pub mod email_change;
pub mod email_confirmation;
pub mod error;
pub mod invitation;
pub mod organization;
pub mod password_reset;
pub mod session;
pub mod sign_in;
pub mod team;
pub mod throttle;
pub mod tokens;
pub mod user_settings;
pub mod users;

pub use error::{AccountError, AccountField};

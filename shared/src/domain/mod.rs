//! Validated domain types: a value of one of these types is valid by construction.

pub mod address;
pub mod api_key;
pub mod chat;
pub mod client;
pub mod country;
pub mod courier;
pub mod created_days;
pub mod email;
pub mod ids;
pub mod integration;
pub mod json;
pub mod notifications;
pub mod order;
pub mod order_fields;
pub mod order_machine;
pub mod order_storage;
pub mod phone;
pub mod pricing;
pub mod search;
pub mod settings;
pub mod shop_order;
pub mod sms;
pub mod sms_identity;
pub mod sms_price;
pub mod team;
pub mod team_role;
pub mod text;
pub mod timezone;
pub mod token;
pub mod tracking;
pub mod user;

pub use address::{Address, Contact, Location};
pub use email::Email;
pub use phone::Phone;
pub use text::{Label, Name, TeamId};

//! The use cases, one module per capability; each public `async fn` is one Lambda function.

pub mod api_keys;
pub mod bulk_submit;
pub mod catalog;
pub mod chat;
pub mod client_services;
pub mod clients;
pub mod couriers;
pub mod deliveries;
pub mod email_confirmations;
pub mod export;
pub mod imports;
pub mod integrations;
pub mod invitations;
pub mod order_actions;
pub mod orders;
pub mod organization;
pub mod quotes;
pub mod rate_tables;
pub(crate) mod records;
pub mod services;
pub mod settings;
pub mod task_events;
pub mod teams;
pub mod tracking;
pub mod users;
pub mod webhook;

//! The courier client portal's domain crate: validated types, use cases (one module per
//! capability under `api`), the storage and notifier ports with their adapters, and the
//! glue that runs a use case as an AWS Lambda function.

pub mod accounts;
pub mod api;
pub mod auth;
pub mod aws;
pub mod catalog;
pub mod chat;
pub mod clients;
pub mod clock;
pub mod ctx;
pub mod digests;
pub mod dispatch;
pub mod domain;
pub mod error;
pub mod fanout;
pub mod functions;
pub mod hooks;
pub mod http;
pub mod imports;
pub mod integrations;
pub mod lambda;
pub mod live;
pub mod needs;
pub mod notify;
pub mod observe;
pub mod ordering;
pub mod reminders;
pub mod settings;
pub mod store;
pub mod teams;
pub mod web;

pub use ctx::Ctx;
pub use error::ApiError;
pub use needs::Needs;

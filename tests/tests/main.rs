//! One test binary: every scenario runs against the embedded store and against moto server.

mod accounts;
mod api_keys;
mod bad_input;
mod dependencies;
mod iam;
mod imports;
mod integrations;
mod lambda_events;
mod layout;
mod local_portal;
mod notifications;
mod onboarding;
mod openapi;
mod orders;
mod organization;
mod pricing;
mod reminders;
mod round_trip;
mod search;
mod server;
mod settings_pages;
mod store_contract;
mod tracking;
mod web_pages;
mod web_sessions;
mod wiring;

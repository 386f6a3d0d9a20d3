//! Outbound webhooks: an organisation's endpoints (`api::webhook_endpoints` and the API &
//! integrations settings page manage them here) and the deliveries made to them.
//!
//! The status fan-out derives an order's events from each change on the table's stream
//! ([`order_events`]) and writes one delivery per subscribed endpoint of the order's courier
//! and client ([`enqueue_order_events`]); a delivery's key is its endpoint and the event's
//! ULID, which the change names (the order's `updatedAt` and version), so a redelivered
//! record writes nothing twice. The `webhook-deliveries` schedule sends what is due
//! (`worker`): in order per order and endpoint, retried with backoff, the endpoint disabled
//! and its admins emailed after three days of failures.

pub mod endpoints;
pub mod error;
pub mod events;
pub mod send;
pub mod worker;

pub use endpoints::{
    create_endpoint, delete_endpoint, get_endpoint, list_deliveries, list_endpoints,
    replay_delivery, rotate_secret, send_test_event, update_endpoint, EndpointFields,
};
pub use error::HookError;
pub use events::{
    chat_endpoints, chat_message_writes, enqueue_order_events, order_events, OrderEvent,
};

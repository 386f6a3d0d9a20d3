//! Order use cases with typed inputs, whatever the entry point (the JSON API, an integration
//! webhook, an import): each entry point is a thin adapter that builds the command.

pub mod finalize;
pub mod owner;
pub mod place;
pub mod place_batch;
pub mod quoting;

pub use finalize::{finalize, FinalizeOrder};
pub use owner::OrderOwner;
pub use place::{place_order, CreateOrder, DraftMode, Idempotency, OrderWrites, Placed};
pub use place_batch::{new_order, place_orders, BatchOrder, BatchOutcome};

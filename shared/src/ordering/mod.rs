//! Order use cases with typed inputs, whatever the entry point (the JSON API, an integration
//! webhook, an import): each entry point is a thin adapter that builds the command.

pub mod changes;
pub mod create;
pub mod edit;
pub mod error;
pub mod export;
pub mod finalize;
pub mod owner;
pub mod place;
pub mod place_batch;
pub mod quotes;
pub mod quoting;
pub mod rate;
pub mod read;
pub mod search;
pub mod status;
pub mod submit;

pub use create::{create_order, Created, IdempotencyKey, NewOrder};
pub use edit::{edit_order, EditOrder, OrderChanges};
pub use error::{FieldProblem, OrderError, OrderField};
pub use finalize::{finalize, FinalizeOrder};
pub use owner::OrderOwner;
pub use place::{place_order, CreateOrder, DraftMode, Idempotency, OrderWrites, Placed};
pub use place_batch::{new_order, place_orders, BatchOrder, BatchOutcome};
pub use quotes::{
    own_services, quote_services, quote_shipment, ClientService, QuoteOrder, QuoteShipment,
};
pub use read::{find_order, list_orders, OrderFilter, OrdersPage};
pub use status::{change_status, reject_order, StatusChange};

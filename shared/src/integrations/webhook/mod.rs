//! A webhook delivery whose signature holds (checked by `api::webhook`), or a replay of
//! one: the BatchGetItem of the client and the delivery's markers, then one write (the
//! order's transaction with the markers and the delivery record, or the delivery record
//! alone).

mod decide;
mod place;
mod processing;
mod received;
mod record;
mod withdraw;

pub use processing::process;
pub use received::{Received, KEPT_HEADERS};
pub use record::record;

//! Services, rate tables and quotes: pure functions of their inputs (times are parameters).

pub mod catalog;
pub mod geo;
pub mod money;
pub mod quote;
pub mod rate_table;
pub mod schedule;
pub mod service;
pub mod weight;

pub use catalog::{
    quote_order, OrderQuote, Pair, PricingContext, QuotedService, Quoting, QuotingError, RateTable,
    Service,
};
pub use money::{Amount, Currency};
pub use quote::{quote, select, Quote, Reason, Shipment};
pub use rate_table::RateTableSpec;
pub use service::{ServiceSpec, StopFacts};
pub use weight::Weight;

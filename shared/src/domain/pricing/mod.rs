//! Services, rate tables and quotes: pure functions of their inputs (times are parameters).

pub mod weight;

pub use weight::Weight;

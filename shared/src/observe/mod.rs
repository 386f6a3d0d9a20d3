//! What the functions tell their operator: log lines (JSON on Lambda; the ids of the
//! request or event they belong to), metrics in CloudWatch's embedded metric format, and the
//! masking that keeps people's numbers and addresses out of both. Beside the ports (the
//! store and notifier adapters use it, and the use cases count what they did); the spans
//! themselves are opened by the adapters (`http::request_span`, `lambda`).

pub mod ids;
pub mod logging;
pub mod metrics;
pub mod redact;

pub use ids::{record_ids, record_order, record_principal};

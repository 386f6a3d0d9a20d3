//! What the functions tell their operator: log lines (JSON on Lambda, one span per request
//! or event carrying its ids and, on its last line, the outcome), metrics in CloudWatch's
//! embedded metric format, and the masking that keeps people's numbers and addresses out of
//! both. Cross-cutting: the adapters open the spans, the use cases count what they did.

pub mod logging;
pub mod metrics;
pub mod redact;
pub mod request;

pub use request::{record_ids, record_principal, serve_request};

//! The local stand-in for API Gateway: the routes of `template.yaml`, the same authorizer
//! code before every protected route, and the same use cases behind them.

pub mod app;
pub mod router;
pub mod server;
pub mod table;
pub mod template;

pub use app::LocalApp;
pub use template::Template;

/// The SAM template, built into the binary so what runs locally is what deploys.
pub const TEMPLATE_YAML: &str = include_str!("../../../template.yaml");

//! The API contract (`infra/openapi.yaml`), built into the binary and served as JSON at
//! `GET /openapi.json`.

use std::sync::OnceLock;

/// The OpenAPI document as authored.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// The document as JSON (read once).
pub fn document() -> &'static serde_json::Value {
    static DOCUMENT: OnceLock<serde_json::Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        serde_yaml_ng::from_str(OPENAPI_YAML).expect("the built-in infra/openapi.yaml is readable")
    })
}

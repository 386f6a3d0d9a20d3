//! The courier's API as its own client calls it, for the demo data that has no typed use
//! case of its own (a client, a service, a rate table, task events).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use serde_json::Value;

use portal::domain::api_key::Principal;

use super::Result;
use crate::app::LocalApp;

/// The courier's API, called as a client of it would: through the route's handler, with
/// the courier's key, the same authorizer and the function's own context.
pub(super) struct Api<'a> {
    pub(super) app: &'a LocalApp,
    pub(super) key: &'a str,
    pub(super) base_url: &'a str,
}

impl Api<'_> {
    pub(super) async fn send(&self, method: &str, path: &str, body: Value) -> Result<Value> {
        let mut headers = HeaderMap::new();
        let bearer = format!("Bearer {}", self.key);
        headers.insert(
            "authorization",
            HeaderValue::from_str(&bearer).map_err(|e| e.to_string())?,
        );
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let host = self
            .base_url
            .trim_start_matches("http://")
            .trim_start_matches("https://");
        if let Ok(host) = HeaderValue::from_str(host) {
            headers.insert("host", host);
        }
        let response = self
            .app
            .handle(method, path, headers, Bytes::from(body.to_string()))
            .await;
        let answer: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        if response.status >= 300 {
            return Err(format!(
                "{method} {path} answered {}: {answer}",
                response.status
            ));
        }
        Ok(answer)
    }

    pub(super) async fn post(&self, path: &str, body: Value) -> Result<Value> {
        self.send("POST", path, body).await
    }

    /// Who the key is, as the authorizer resolves it.
    pub(super) async fn principal(&self) -> Result<Principal> {
        portal::auth::authorize(
            self.app.ctx.store.as_ref(),
            Some(&format!("Bearer {}", self.key)),
        )
        .await
        .map_err(|e| e.to_string())?
    }
}

pub(super) fn text(value: &Value, field: &str) -> Result<String> {
    value[field]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no {field} in {value}"))
}

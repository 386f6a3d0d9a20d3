//! The request and response every HTTP use case takes and gives, whatever carries them
//! (API Gateway through `lambda`, or the local server).

mod body;
mod cursor;
mod error_body;
mod request_span;
mod security;

pub use crate::store::pages::{decode_cursor, encode_cursor};
pub use body::{parse_json, MAX_JSON_BODY};
pub use cursor::page_limit;
pub use request_span::serve_request;
pub use security::{page_policy, page_policy_with, with_security_headers};

use bytes::Bytes;
use serde::Serialize;
use std::collections::HashMap;

use crate::domain::api_key::{Principal, Role};
use crate::error::ApiError;
use crate::Ctx;

#[derive(Debug, Clone, Default)]
pub struct ApiRequest {
    pub method: String,
    pub path_params: HashMap<String, String>,
    pub query: Vec<(String, String)>,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    /// What the authorizer resolved: `None` on public routes.
    pub auth: Option<Result<Principal, String>>,
    /// The public base URL of the API, for links in emails (`https://api.example.com`).
    pub base_url: Option<String>,
    /// The caller's address (API Gateway's `sourceIp`; the peer locally), for the sign-in limit.
    pub source_ip: Option<String>,
    /// The template's route, as API Gateway's `routeKey` names it
    /// (`POST /v1/webhook-endpoints/{endpointId}/test`): for a function serving several.
    pub route: String,
}

impl ApiRequest {
    /// The caller, courier or client.
    pub fn principal(&self) -> Result<&Principal, ApiError> {
        match &self.auth {
            Some(Ok(principal)) => Ok(principal),
            Some(Err(reason)) => Err(ApiError::Unauthorized(reason.clone())),
            None => Err(ApiError::Unauthorized(
                "an API key is required: Authorization: Bearer <key>".into(),
            )),
        }
    }

    /// The caller, who must be a courier.
    pub fn courier(&self) -> Result<&Principal, ApiError> {
        let principal = self.principal()?;
        match principal.role {
            Role::Courier => Ok(principal),
            Role::Client => Err(ApiError::Forbidden(
                "this route is for the courier; a client key cannot use it".into(),
            )),
        }
    }

    /// The caller, who must be an admin of its organisation (people, API keys, integrations
    /// and settings): an API key acts as an admin, a member's session does not.
    pub fn admin(&self) -> Result<&Principal, ApiError> {
        Ok(self.principal()?.admin()?)
    }

    /// The caller, who must be a client.
    pub fn client(&self) -> Result<&Principal, ApiError> {
        client_only(self.principal()?)
    }

    pub fn path_param(&self, name: &str) -> Result<&str, ApiError> {
        self.path_params
            .get(name)
            .map(String::as_str)
            .ok_or(ApiError::NotFound("route"))
    }

    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The version the caller last read, from the body or an `If-Match` header (`"3"`).
    pub fn expected_version(&self, body_version: Option<u64>) -> Result<Option<u64>, ApiError> {
        match (body_version, self.header("if-match")) {
            (Some(v), _) => Ok(Some(v)),
            (None, None) => Ok(None),
            (None, Some(raw)) => raw
                .trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .parse()
                .map(Some)
                .map_err(|_| ApiError::Malformed {
                    code: "invalid_header",
                    message: "If-Match must be a version number".into(),
                    field: Some("If-Match".into()),
                }),
        }
    }

    /// The body as `T`; malformed JSON is 400, a missing, unknown or invalid field is 422.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        body::parse_json(&self.body)
    }

    /// Like [`json`](Self::json), but an empty body reads as `{}`.
    pub fn json_or_empty<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            body::parse_json(b"{}")
        } else {
            self.json()
        }
    }
}

// Here rather than in `ctx`, which the use cases below the HTTP adapters run with too.
impl Ctx {
    /// Base URL for links in messages: the configured one, else the host the request came
    /// in on.
    pub fn base_url(&self, req: &ApiRequest) -> String {
        self.config
            .public_base_url
            .clone()
            .or_else(|| req.base_url.clone())
            .unwrap_or_else(|| "http://127.0.0.1:3000".into())
            .trim_end_matches('/')
            .to_string()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl ApiResponse {
    pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    pub fn ok<T: Serialize + ?Sized>(value: &T) -> Self {
        Self::json(200, value)
    }

    pub fn created<T: Serialize + ?Sized>(value: &T) -> Self {
        Self::json(201, value)
    }

    pub fn no_content() -> Self {
        Self {
            status: 204,
            headers: vec![],
            body: Bytes::new(),
        }
    }

    /// The orders as a CSV download (`orders.csv`, UTF-8), never cached: the export's answer
    /// to the API and to the orders page alike.
    pub fn orders_csv(body: Vec<u8>) -> Self {
        Self {
            status: 200,
            headers: vec![
                ("content-type".into(), "text/csv; charset=utf-8".into()),
                (
                    "content-disposition".into(),
                    "attachment; filename=\"orders.csv\"".into(),
                ),
                ("cache-control".into(), "no-store".into()),
            ],
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// For PATCH bodies: `Some(None)` for an explicit `null` (clear the field), `None` when absent.
/// Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(de).map(Some)
}

/// What every HTTP use case returns.
pub type ApiResult = Result<ApiResponse, ApiError>;

/// A use case behind the one error mapping: it always yields a response. A fn pointer with
/// a boxed answer, so the Lambda serve loop and the local server take every function as
/// one type (the serve loop is compiled once, not once per function).
pub type HttpHandler =
    fn(std::sync::Arc<crate::Ctx>, ApiRequest) -> futures::future::BoxFuture<'static, ApiResponse>;

/// The caller of a use case that is for clients only; a courier is refused (403).
pub fn client_only(who: &Principal) -> Result<&Principal, ApiError> {
    match who.role {
        Role::Client => Ok(who),
        Role::Courier => Err(ApiError::Forbidden(
            "this route is for clients; a courier key cannot use it".into(),
        )),
    }
}

//! One request through the local stand-in for API Gateway: route, authorize, run the use case.

use bytes::Bytes;
use http::HeaderMap;
use std::collections::HashMap;
use std::sync::Arc;

use portal::error::ApiError;
use portal::http::{ApiRequest, ApiResponse};
use portal::Ctx;

use crate::functions::{self, HttpFunction};
use crate::router::{Match, Router};
use crate::template::Template;

pub struct LocalApp {
    /// Every client: for the local portal's own work (seeding, the outbox).
    pub ctx: Arc<Ctx>,
    /// Each function's context, with only the clients it is built with.
    wired: HashMap<&'static str, Arc<Ctx>>,
    router: Router,
}

impl LocalApp {
    pub fn new(ctx: Arc<Ctx>, template: &Template) -> Self {
        let wired = functions::HTTP_FUNCTIONS
            .iter()
            .map(|f| (f.name, Arc::new(ctx.wired_for(f.needs))))
            .collect();
        Self {
            ctx,
            wired,
            router: Router::from_template(template),
        }
    }

    /// The context `function` runs with, as on Lambda.
    pub fn ctx_for(&self, function: &HttpFunction) -> Arc<Ctx> {
        self.wired
            .get(function.name)
            .cloned()
            .unwrap_or_else(|| Arc::new(self.ctx.wired_for(function.needs)))
    }

    pub fn router(&self) -> &Router {
        &self.router
    }

    /// `uri` is a path with an optional query string (`/v1/clients?limit=5`).
    pub async fn handle(
        &self,
        method: &str,
        uri: &str,
        headers: HeaderMap,
        body: Bytes,
    ) -> ApiResponse {
        // As the Lambda glue does for every function's answer.
        portal::http::with_security_headers(self.route(method, uri, headers, body).await)
    }

    async fn route(&self, method: &str, uri: &str, headers: HeaderMap, body: Bytes) -> ApiResponse {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let (function, public, params, route) = match self.router.find(method, path) {
            Match::Found {
                function,
                public,
                params,
                route,
            } => (function, public, params, route),
            Match::NotFound => return ApiError::NotFound("route").to_response(),
            Match::MethodNotAllowed(allowed) => {
                let body = serde_json::json!({ "error": {
                    "code": "method_not_allowed",
                    "message": format!("{method} is not allowed here; use {}", allowed.join(", ")),
                }});
                return ApiResponse::json(405, &body).with_header("allow", &allowed.join(", "));
            }
        };
        let Some(function) = functions::http_function(function) else {
            return ApiError::Internal(format!(
                "the template routes to {function}, which has no handler"
            ))
            .to_response();
        };
        // The same code as the authorizer Lambda, before every protected route.
        let auth = if public {
            None
        } else {
            let header = headers.get("authorization").and_then(|v| v.to_str().ok());
            match portal::auth::authorize(self.ctx.store.as_ref(), header).await {
                Ok(result) => Some(result),
                Err(e) => return ApiError::from(e).to_response(),
            }
        };
        let base_url = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .map(|h| format!("http://{h}"));
        let request = ApiRequest {
            method: method.to_string(),
            path_params: params,
            query: form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
            headers,
            body,
            auth,
            base_url,
            // The local portal listens on loopback: every caller is this machine.
            source_ip: Some("127.0.0.1".into()),
            route: route.clone(),
        };
        let request_id = ulid::Ulid::generate().to_string();
        portal::http::serve_request(
            function.handler,
            self.ctx_for(function),
            request,
            &route,
            &request_id,
        )
        .await
    }
}

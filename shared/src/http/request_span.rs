//! One span per HTTP request, in the one place every request goes through (the Lambda serve
//! loop and the local stand-in for API Gateway): its lines carry the request id, the route
//! and, once authorization knows them, the courier's and client's ids; its last line says
//! the outcome (status, and the error code of an error answer).

use std::sync::Arc;
use tracing::field::Empty;
use tracing::Instrument;

use super::{ApiRequest, ApiResponse, HttpHandler};
use crate::observe::ids::record_on;
use crate::Ctx;

/// Runs `handler` on `req` inside the request's span. `route` is the template's route
/// (`POST /v1/orders`), never the path: paths carry tokens (invitations, resets, tracking).
pub async fn serve_request(
    handler: HttpHandler,
    ctx: Arc<Ctx>,
    req: ApiRequest,
    route: &str,
    request_id: &str,
) -> ApiResponse {
    let span = tracing::info_span!(
        "request",
        request_id,
        route,
        courier_id = Empty,
        client_id = Empty,
        order_id = Empty,
    );
    if let Some(Ok(principal)) = &req.auth {
        record_on(&span, principal);
    }
    let started = std::time::Instant::now();
    let response = handler(ctx, req).instrument(span.clone()).await;
    let _entered = span.enter();
    log_outcome(&response, started.elapsed().as_millis() as u64);
    response
}

/// The request's last line: 429 (a rate limit) and 503 (a dependency refused) at warn, any
/// other 5xx at error, the rest at info.
fn log_outcome(response: &ApiResponse, ms: u64) {
    let status = response.status;
    let code = error_code(response);
    let code = code.as_deref().unwrap_or("");
    match status {
        429 | 503 => tracing::warn!(status, error_code = code, ms, "request refused"),
        500..=599 => tracing::error!(status, error_code = code, ms, "request failed"),
        _ => tracing::info!(status, error_code = code, ms, "request done"),
    }
}

/// The `error.code` of a JSON error answer.
fn error_code(response: &ApiResponse) -> Option<String> {
    if response.status < 400 {
        return None;
    }
    let json = response.headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("content-type") && value.starts_with("application/json")
    });
    if !json {
        return None;
    }
    let body: serde_json::Value = serde_json::from_slice(&response.body).ok()?;
    body["error"]["code"].as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    #[test]
    fn the_error_code_is_read_from_json_errors_only() {
        assert_eq!(
            error_code(&ApiError::NotFound("order").to_response()).as_deref(),
            Some("not_found")
        );
        assert_eq!(error_code(&ApiResponse::ok(&serde_json::json!({}))), None);
    }
}

//! An [`ApiError`] as the JSON error body of PRODUCT.md, `{"error": {"code", "message",
//! "field"}}`, with the status and code `error.rs` gives it. Here, with [`ApiResponse`], so
//! that `error` (which every use case returns) does not depend on the HTTP adapters.

use super::ApiResponse;
use crate::error::ApiError;

impl ApiError {
    pub fn to_response(&self) -> ApiResponse {
        if let ApiError::Internal(detail) = self {
            tracing::error!(detail = %detail, "internal error");
        }
        let mut error = serde_json::json!({ "code": self.code(), "message": self.to_string() });
        if let Some(field) = self.field() {
            error["field"] = field.into();
        }
        if let ApiError::Unquotable {
            reasons, services, ..
        } = self
        {
            error["reasons"] = serde_json::json!(reasons);
            error["services"] = serde_json::json!(services);
        }
        let response = ApiResponse::json(self.status(), &serde_json::json!({ "error": error }));
        match self {
            ApiError::Unauthorized(_) => response.with_header("www-authenticate", "Bearer"),
            ApiError::Throttled => response.with_header("retry-after", "1"),
            ApiError::RateLimited { retry_after, .. } => {
                response.with_header("retry-after", &retry_after.max(&1).to_string())
            }
            _ => response,
        }
    }
}

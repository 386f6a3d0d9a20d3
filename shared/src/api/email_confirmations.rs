//! Public `POST /v1/email-confirmations/{token}`: applies a pending email change (a
//! client's, or a courier's own organisation email), through the same use case as the
//! confirmation page's button.

use crate::accounts::email_confirmation::{confirm_organization_email, Confirmed};
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

pub async fn confirm_email(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let confirmed = confirm_organization_email(ctx, req.path_param("token")?).await?;
    Ok(ApiResponse::ok(&match confirmed {
        Confirmed::Client { client_id, email } => {
            serde_json::json!({ "clientId": client_id, "email": email })
        }
        Confirmed::Courier { courier_id, email } => {
            serde_json::json!({ "courierId": courier_id, "email": email })
        }
    }))
}

//! `POST /v1/clients/{clientId}/invitation` (courier) and the public
//! `POST /v1/invitations/{token}/accept`, which activates the client and returns its first key
//! (the use case of `accounts::invitation`, as the invitation page's "API access only").

use serde::Deserialize;

use super::api_keys::shown_once;
use crate::accounts::invitation::accept_with_key;
use crate::clients;
use crate::domain::Label;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

pub async fn invite_client(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let invited =
        clients::invite(ctx, who, req.path_param("clientId")?, &ctx.base_url(&req)).await?;
    Ok(ApiResponse::ok(&serde_json::json!({
        "clientId": invited.client_id, "status": "invited", "sentTo": invited.sent_to, "expiresAt": invited.expires_at,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    #[serde(default)]
    label: Option<Label>,
}

pub async fn accept_invitation(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let body: AcceptBody = req.json_or_empty()?;
    let accepted = accept_with_key(ctx, req.path_param("token")?, body.label).await?;
    let mut response = serde_json::json!({
        "clientId": accepted.client_id, "courierId": accepted.courier_id, "status": "active",
    });
    response["apiKey"] = shown_once(&accepted.record, &accepted.key);
    Ok(ApiResponse::created(&response))
}

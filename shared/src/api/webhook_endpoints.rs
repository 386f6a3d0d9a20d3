//! Outbound webhook endpoints, for couriers and clients alike (an organisation's admins):
//! `POST|GET /v1/webhook-endpoints`, `GET|PATCH|DELETE /v1/webhook-endpoints/{endpointId}`,
//! `POST …/{endpointId}/rotate-secret`, `POST …/{endpointId}/test`,
//! `GET …/{endpointId}/deliveries` and `POST …/{endpointId}/deliveries/{deliveryId}/replay`,
//! onto the use cases in `hooks`. One function serves them all (its route picks the use
//! case), so the family costs the stack one function.

use serde::Deserialize;
use serde_json::json;

use super::records::listing;
use crate::error::ApiError;
use crate::hooks::{self, EndpointFields};
use crate::http::{nullable, page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Body {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    event_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    version: Option<u64>,
}

impl Body {
    pub fn fields(self) -> (EndpointFields, Option<u64>) {
        (
            EndpointFields {
                url: self.url,
                event_types: self.event_types,
                description: self.description,
                enabled: self.enabled,
            },
            self.version,
        )
    }
}

/// The route's use case.
pub async fn serve(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.admin()?;
    let id = || req.path_param("endpointId");
    match req.route.as_str() {
        "POST /v1/webhook-endpoints" => {
            let (fields, _) = req.json::<Body>()?.fields();
            let (endpoint, secret) = hooks::create_endpoint(ctx, who, fields).await?;
            let mut view = endpoint.view();
            view["secret"] = secret.into();
            Ok(ApiResponse::created(&view))
        }
        "GET /v1/webhook-endpoints" => {
            let limit = page_limit(req.query_param("limit"))?;
            let (endpoints, next) =
                hooks::list_endpoints(ctx, who, limit, req.query_param("cursor")).await?;
            let views = endpoints.iter().map(|e| e.view()).collect();
            Ok(ApiResponse::ok(&listing(views, next)))
        }
        "GET /v1/webhook-endpoints/{endpointId}" => {
            let endpoint = hooks::get_endpoint(ctx, who, id()?).await?;
            Ok(ApiResponse::ok(&endpoint.view()))
        }
        "PATCH /v1/webhook-endpoints/{endpointId}" => {
            let (fields, version) = req.json::<Body>()?.fields();
            let version = req.expected_version(version)?;
            let endpoint = hooks::update_endpoint(ctx, who, id()?, fields, version).await?;
            Ok(ApiResponse::ok(&endpoint.view()))
        }
        "DELETE /v1/webhook-endpoints/{endpointId}" => {
            hooks::delete_endpoint(ctx, who, id()?).await?;
            Ok(ApiResponse::no_content())
        }
        "POST /v1/webhook-endpoints/{endpointId}/rotate-secret" => {
            let (endpoint, secret) = hooks::rotate_secret(ctx, who, id()?).await?;
            let mut view = endpoint.view();
            view["secret"] = secret.into();
            Ok(ApiResponse::ok(&view))
        }
        "POST /v1/webhook-endpoints/{endpointId}/test" => {
            let delivery = hooks::send_test_event(ctx, who, id()?).await?;
            Ok(ApiResponse::ok(&delivery.view()))
        }
        "GET /v1/webhook-endpoints/{endpointId}/deliveries" => {
            let limit = page_limit(req.query_param("limit"))?;
            let (_, deliveries, next) =
                hooks::list_deliveries(ctx, who, id()?, limit, req.query_param("cursor")).await?;
            let views = deliveries.iter().map(|d| d.view()).collect();
            Ok(ApiResponse::ok(&listing(views, next)))
        }
        "POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay" => {
            let delivery =
                hooks::replay_delivery(ctx, who, id()?, req.path_param("deliveryId")?).await?;
            Ok(ApiResponse::json(202, &json!(delivery.view())))
        }
        _ => Err(ApiError::NotFound("route")),
    }
}

//! Services: `POST|GET /v1/services`, `GET|PATCH|DELETE /v1/services/{serviceId}` (courier);
//! a client's key on `GET /v1/services` reads its own services and rates.

use serde_json::{json, Value};

use super::catalog::{self, Services};
use super::clients::load_client;
use crate::domain::api_key::Role;
use crate::domain::pricing::PricingContext;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

pub async fn create_service(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::create::<Services>(ctx, req).await
}

pub async fn list_services(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    match (who.role, &who.client_id) {
        (Role::Client, Some(client_id)) => {
            // A client without services reads nothing.
            let pricing = if who.has_services {
                load_client(ctx, &who.courier_id, client_id.as_str())
                    .await?
                    .pricing
            } else {
                None
            };
            let items = pricing.as_ref().map(client_view).unwrap_or_default();
            Ok(ApiResponse::ok(&json!({ "items": items })))
        }
        _ => catalog::list::<Services>(ctx, &req).await,
    }
}

/// What a client sees of its services: each service with the rates it gets (not the rate
/// table's name or id, nor anything of other clients).
fn client_view(pricing: &PricingContext) -> Vec<Value> {
    pricing
        .pairs
        .iter()
        .filter_map(|pair| {
            let service = pricing.services.get(&pair.service_id)?;
            let rates = pricing.rate_tables.get(&pair.rate_table_id)?;
            let mut view = json!({ "id": pair.service_id });
            if let (Some(map), Value::Object(mut spec)) = (
                view.as_object_mut(),
                serde_json::to_value(service).unwrap_or_default(),
            ) {
                map.append(&mut spec);
                let mut rates = serde_json::to_value(rates).unwrap_or_default();
                if let Some(rates) = rates.as_object_mut() {
                    rates.remove("name");
                }
                map.insert("rates".into(), rates);
            }
            Some(view)
        })
        .collect()
}

pub async fn get_service(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::get::<Services>(ctx, req, "serviceId").await
}

pub async fn update_service(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::update::<Services>(ctx, req, "serviceId").await
}

pub async fn delete_service(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::delete::<Services>(ctx, req, "serviceId").await
}

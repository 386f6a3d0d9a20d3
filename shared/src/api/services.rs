//! Services: `POST|GET /v1/services`, `GET|PATCH|DELETE /v1/services/{serviceId}` (courier);
//! a client's key on `GET /v1/services` reads its own services and rates.

use serde_json::{json, Value};

use super::catalog::{self, Services};
use crate::domain::api_key::Role;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::quotes::{own_services, ClientService};
use crate::Ctx;

pub async fn create_service(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    catalog::create::<Services>(ctx, req).await
}

pub async fn list_services(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    match (who.role, &who.client_id) {
        (Role::Client, Some(_)) => {
            let items: Vec<Value> = own_services(ctx, who)
                .await?
                .iter()
                .map(client_view)
                .collect();
            Ok(ApiResponse::ok(&json!({ "items": items })))
        }
        _ => catalog::list::<Services>(ctx, &req).await,
    }
}

/// What a client sees of one of its services: the service with the rates it gets (not the
/// rate table's name or id, nor anything of other clients).
fn client_view(service: &ClientService) -> Value {
    let mut view = json!({ "id": service.id });
    if let (Some(map), Value::Object(mut spec)) = (
        view.as_object_mut(),
        serde_json::to_value(&service.service).unwrap_or_default(),
    ) {
        map.append(&mut spec);
        let mut rates = serde_json::to_value(&service.rates).unwrap_or_default();
        if let Some(rates) = rates.as_object_mut() {
            rates.remove("name");
        }
        map.insert("rates".into(), rates);
    }
    view
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

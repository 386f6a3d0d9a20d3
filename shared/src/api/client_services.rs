//! A client's services: `PUT|GET /v1/clients/{clientId}/services` (courier): pairs of a
//! service and the rate table the client pays, at most one per service, onto the use cases
//! of `clients::services`.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::clients::{self, client_services, ServicePair};
use crate::domain::pricing::Pair;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientServices {
    services: Vec<Pair>,
}

pub async fn get_client_services(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let client = clients::load_client(ctx, who, req.path_param("clientId")?).await?;
    Ok(ApiResponse::ok(&view(&client_services(&client))))
}

/// `{"services": [{"serviceId", "rateTableId", "serviceName", "rateTableName"}]}`.
fn view(pairs: &[ServicePair]) -> Value {
    let pairs: Vec<Value> = pairs
        .iter()
        .map(|pair| {
            json!({
                "serviceId": pair.service_id, "rateTableId": pair.rate_table_id,
                "serviceName": pair.service_name, "rateTableName": pair.rate_table_name,
            })
        })
        .collect();
    json!({ "services": pairs })
}

pub async fn put_client_services(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let body: ClientServices = req.json()?;
    let client_id = req.path_param("clientId")?;
    let saved = clients::set_client_services(ctx, who, client_id, body.services).await?;
    Ok(ApiResponse::ok(&view(&client_services(&saved))))
}

//! Every HTTP function by name: the crate name under `functions/`, the binary name and
//! `BuildProperties.Binary` in `template.yaml`. Lambda binaries and the local server both
//! find their use case here, so what runs locally is what deploys.

use futures::future::BoxFuture;
use std::sync::Arc;

use crate::http::{ApiRequest, ApiResponse};
use crate::{api, Ctx};

/// A use case behind the one error mapping: it always yields a response.
pub type HttpHandler = fn(Arc<Ctx>, ApiRequest) -> BoxFuture<'static, ApiResponse>;

pub struct HttpFunction {
    pub name: &'static str,
    pub handler: HttpHandler,
}

macro_rules! http_functions {
    ($($name:literal => $($path:ident)::+),* $(,)?) => {
        pub const HTTP_FUNCTIONS: &[HttpFunction] = &[$(
            HttpFunction {
                name: $name,
                handler: |ctx, req| Box::pin(async move {
                    $($path)::+(&ctx, req).await.unwrap_or_else(|e| e.to_response())
                }),
            },
        )*];
    };
}

http_functions! {
    "create-api-key" => api::api_keys::create_api_key,
    "list-api-keys" => api::api_keys::list_api_keys,
    "revoke-api-key" => api::api_keys::revoke_api_key,
    "create-client" => api::clients::create_client,
    "list-clients" => api::clients::list_clients,
    "get-client" => api::clients::get_client,
    "update-client" => api::clients::update_client,
    "delete-client" => api::clients::delete_client,
    "invite-client" => api::invitations::invite_client,
    "accept-invitation" => api::invitations::accept_invitation,
    "confirm-email" => api::email_confirmations::confirm_email,
    "create-order" => api::orders::create_order,
    "list-orders" => api::orders::list_orders,
    "export-orders" => api::export::export_orders,
    "get-order" => api::orders::get_order,
    "update-order" => api::orders::update_order,
    "withdraw-order" => api::order_actions::withdraw_order,
    "resubmit-order" => api::order_actions::resubmit_order,
    "finalize-order" => api::order_actions::finalize_order,
    "reject-order" => api::order_actions::reject_order,
    "record-task-event" => api::task_events::record_task_event,
    "get-notification-settings" => api::settings::get_notification_settings,
    "put-notification-settings" => api::settings::put_notification_settings,
    "get-tracking-page-settings" => api::settings::get_tracking_page_settings,
    "put-tracking-page-settings" => api::settings::put_tracking_page_settings,
    "tracking-page" => api::tracking::tracking_page,
}

/// Functions that are not HTTP routes (the authorizer, event handlers).
pub const EVENT_FUNCTIONS: &[&str] = &["authorizer", "sms-inbound", "status-fanout"];

pub fn http_handler(name: &str) -> Option<HttpHandler> {
    HTTP_FUNCTIONS
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.handler)
}

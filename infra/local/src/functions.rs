//! Every function of `template.yaml` by name (the crate under `functions/`, its binary and
//! `BuildProperties.Binary`), with its use case and the AWS clients it is built with. The
//! local portal and the tests run each use case through here, on a context holding only
//! those clients, so a use case that reaches for another fails here as on Lambda. The
//! Lambda binaries name their use case and `NEEDS` in their own main.rs; the layout tests
//! hold this table and those files to each other.

use futures::future::BoxFuture;
use std::sync::Arc;

use portal::http::{ApiRequest, ApiResponse};
use portal::{api, web, Ctx, Needs};

/// A use case behind the one error mapping: it always yields a response.
pub type HttpHandler = fn(Arc<Ctx>, ApiRequest) -> BoxFuture<'static, ApiResponse>;

pub struct HttpFunction {
    pub name: &'static str,
    pub handler: HttpHandler,
    /// The use case as main.rs names it (`api::orders::get_order`).
    pub use_case: &'static str,
    pub needs: Needs,
}

/// A function that is not an HTTP route: the authorizer and the event handlers.
pub struct EventFunction {
    pub name: &'static str,
    /// The `portal::lambda` function main.rs runs.
    pub serve: &'static str,
    pub needs: Needs,
}

const STORE: Needs = Needs::STORE;
const MAIL: Needs = Needs::STORE.with_mail();

macro_rules! http_functions {
    ($($name:literal => $use_case:path, $needs:expr;)*) => {
        pub const HTTP_FUNCTIONS: &[HttpFunction] = &[$(
            HttpFunction {
                name: $name,
                handler: |ctx, req| Box::pin(async move {
                    $use_case(&ctx, req).await.unwrap_or_else(|e| e.to_response())
                }),
                use_case: stringify!($use_case),
                needs: $needs,
            },
        )*];
    };
}

http_functions! {
    "create-api-key" => api::api_keys::create_api_key, STORE;
    "list-api-keys" => api::api_keys::list_api_keys, STORE;
    "revoke-api-key" => api::api_keys::revoke_api_key, STORE;
    "create-client" => api::clients::create_client, STORE;
    "list-clients" => api::clients::list_clients, STORE;
    "get-client" => api::clients::get_client, STORE;
    "update-client" => api::clients::update_client, MAIL;
    "delete-client" => api::clients::delete_client, STORE;
    "invite-client" => api::invitations::invite_client, MAIL;
    "accept-invitation" => api::invitations::accept_invitation, STORE;
    "confirm-email" => api::email_confirmations::confirm_email, STORE;
    "create-order" => api::orders::create_order, STORE;
    "list-orders" => api::orders::list_orders, STORE;
    "export-orders" => api::export::export_orders, STORE;
    "get-order" => api::orders::get_order, STORE;
    "update-order" => api::orders::update_order, STORE;
    "withdraw-order" => api::order_actions::withdraw_order, STORE;
    "resubmit-order" => api::order_actions::resubmit_order, STORE;
    "finalize-order" => api::order_actions::finalize_order, STORE;
    "submit-orders" => api::bulk_submit::submit_orders, STORE;
    "create-import" => api::imports::create_import, STORE;
    "list-imports" => api::imports::list_imports, STORE;
    "get-import" => api::imports::get_import, STORE;
    "reject-order" => api::order_actions::reject_order, STORE;
    "record-task-event" => api::task_events::record_task_event, STORE;
    "get-notification-settings" => api::settings::get_notification_settings, STORE;
    "put-notification-settings" => api::settings::put_notification_settings, STORE;
    "get-organization-settings" => api::organization::get_organization_settings, STORE;
    "update-organization-settings" => api::organization::update_organization_settings, MAIL;
    "get-tracking-page-settings" => api::settings::get_tracking_page_settings, STORE;
    "put-tracking-page-settings" => api::settings::put_tracking_page_settings, STORE;
    "tracking-page" => api::tracking::tracking_page, STORE;
    "create-integration" => api::integrations::create_integration, STORE;
    "list-integrations" => api::integrations::list_integrations, STORE;
    "get-integration" => api::integrations::get_integration, STORE;
    "update-integration" => api::integrations::update_integration, STORE;
    "delete-integration" => api::integrations::delete_integration, STORE;
    "integration-webhook" => api::webhook::receive_webhook, STORE;
    "list-deliveries" => api::deliveries::list_deliveries, STORE;
    "get-delivery" => api::deliveries::get_delivery, STORE;
    "replay-delivery" => api::deliveries::replay_delivery, STORE;
    "create-service" => api::services::create_service, STORE;
    "list-services" => api::services::list_services, STORE;
    "get-service" => api::services::get_service, STORE;
    "update-service" => api::services::update_service, STORE;
    "delete-service" => api::services::delete_service, STORE;
    "create-rate-table" => api::rate_tables::create_rate_table, STORE;
    "list-rate-tables" => api::rate_tables::list_rate_tables, STORE;
    "get-rate-table" => api::rate_tables::get_rate_table, STORE;
    "update-rate-table" => api::rate_tables::update_rate_table, STORE;
    "delete-rate-table" => api::rate_tables::delete_rate_table, STORE;
    "put-client-services" => api::client_services::put_client_services, STORE;
    "get-client-services" => api::client_services::get_client_services, STORE;
    "create-quote" => api::quotes::create_quote, STORE;
    "home-page" => web::home_page, STORE;
    "login-page" => web::sign_in_pages::login_page, STORE;
    "sign-in" => web::sign_in_pages::sign_in_form, STORE;
    "sign-out" => web::sign_in_pages::sign_out, STORE;
    "invitation-page" => web::invitation_pages::invitation_page, STORE;
    "accept-invitation-form" => web::invitation_pages::accept_invitation_form, STORE;
    "orders-page" => web::orders_pages::orders_page, STORE;
    "order-page" => web::orders_pages::order_page, STORE;
    "new-order-page" => web::new_order_pages::new_order_page, STORE;
    "create-order-form" => web::new_order_pages::create_order_form, STORE;
    "resubmit-order-form" => web::resubmit_pages::resubmit_order_form, STORE;
    "forgot-password-page" => web::reset_pages::forgot_password_page, STORE;
    "forgot-password-form" => web::reset_pages::forgot_password_form, MAIL;
    "reset-password-page" => web::reset_pages::reset_password_page, STORE;
    "reset-password-form" => web::reset_pages::reset_password_form, STORE;
    "user-settings-page" => web::account_pages::user_settings_page, STORE;
    "update-user-form" => web::account_pages::update_user_form, STORE;
    "change-password-form" => web::account_pages::change_password_form, STORE;
    "change-login-email-form" => web::account_pages::change_login_email_form, MAIL;
    "login-email-page" => web::account_pages::login_email_page, STORE;
    "confirm-login-email-form" => web::account_pages::confirm_login_email_form, STORE;
    "static-assets" => web::assets::static_asset, STORE;
    "drafts-page" => web::drafts_pages::drafts_page, STORE;
    "submit-drafts-form" => web::drafts_pages::submit_drafts_form, STORE;
    "finalize-order-form" => web::drafts_pages::finalize_order_form, STORE;
    "imports-page" => web::imports_pages::imports_page, STORE;
    "import-form" => web::imports_pages::import_form, STORE;
    "edit-order-form" => web::order_edit_pages::edit_order_form, STORE;
    "withdraw-order-form" => web::order_edit_pages::withdraw_order_form, STORE;
    "organization-settings-page" => web::settings_pages::organization_page, STORE;
    "update-organization-settings-form" => web::settings_pages::save_organization_form, MAIL;
    "communications-settings-page" => web::communications_pages::page, STORE;
    "update-communications-settings-form" => web::communications_pages::save_form, STORE;
    "tracking-page-settings-page" => web::tracking_settings_pages::page, STORE;
    "update-tracking-page-settings-form" => web::tracking_settings_pages::save_form, STORE;
    "api-settings-page" => web::api_pages::api_settings_page, STORE;
    "create-api-key-form" => web::api_pages::create_api_key_form, STORE;
    "revoke-api-key-form" => web::api_pages::revoke_api_key_form, STORE;
    "create-integration-form" => web::api_pages::create_integration_form, STORE;
    "replay-delivery-form" => web::api_pages::replay_delivery_form, STORE;
}

pub const AUTHORIZER: EventFunction = EventFunction {
    name: "authorizer",
    serve: "serve_authorizer",
    needs: Needs::STORE,
};
pub const STATUS_FANOUT: EventFunction = EventFunction {
    name: "status-fanout",
    serve: "serve_status_fanout",
    needs: Needs::STORE.with_mail().with_sms(),
};
pub const SMS_INBOUND: EventFunction = EventFunction {
    name: "sms-inbound",
    serve: "serve_sms_inbound",
    needs: Needs::STORE.with_sms(),
};

pub const DRAFT_REMINDERS: EventFunction = EventFunction {
    name: "draft-reminders",
    serve: "serve_draft_reminders",
    needs: Needs::STORE.with_mail(),
};

pub const EVENT_FUNCTIONS: &[EventFunction] =
    &[AUTHORIZER, STATUS_FANOUT, SMS_INBOUND, DRAFT_REMINDERS];

pub fn http_function(name: &str) -> Option<&'static HttpFunction> {
    HTTP_FUNCTIONS.iter().find(|f| f.name == name)
}

/// What each function of the stack is built with, by name (HTTP and event functions).
pub fn needs(name: &str) -> Option<Needs> {
    http_function(name).map(|f| f.needs).or_else(|| {
        EVENT_FUNCTIONS
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.needs)
    })
}

//! Every function of `template.yaml`, written once: its name (the binary, template.yaml's
//! `BuildProperties.Binary`), its use case and `needs`, the AWS clients it is built with
//! (DynamoDB always; SES, SNS only where the use case sends mail or SMS), so its binary links
//! nothing else and its IAM policy grants no more.
//!
//! Each Lambda binary (`functions/src/bin/<name>.rs`) is one line: it runs its module's
//! `main` here (`portal::functions::get_order::main()`), which links that use case only. The
//! local portal and the tests run the same use cases through [`HTTP_FUNCTIONS`] and
//! [`EVENT_FUNCTIONS`], on a context holding only the function's clients, so a use case that
//! reaches for another fails locally as on Lambda.

use std::future::Future;

use crate::lambda::Error;
use crate::needs::Needs;
#[allow(unused_imports)]
use crate::{api, web};

const STORE: Needs = Needs::STORE;
const MAIL: Needs = Needs::STORE.with_mail();

/// Runs a function's serve loop on the runtime `#[tokio::main]` would build.
fn run(serve: impl Future<Output = Result<(), Error>>) -> Result<(), Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve)
}

/// An HTTP function as the local portal and the tests run it.
#[derive(Clone, Copy)]
pub struct HttpFunction {
    pub name: &'static str,
    #[cfg(feature = "embedded")]
    pub handler: HttpHandler,
    /// The use case (`api::orders::get_order`).
    pub use_case: &'static str,
    pub needs: Needs,
}

pub use crate::http::HttpHandler;

/// A function that is not an HTTP route: the authorizer and the event handlers.
#[derive(Clone, Copy)]
pub struct EventFunction {
    pub name: &'static str,
    /// The `portal::lambda` function its `main` runs.
    pub serve: &'static str,
    pub needs: Needs,
}

macro_rules! http_functions {
    ($($module:ident $name:literal => $use_case:path, $needs:expr;)*) => {
        $(
            #[doc = concat!("`", $name, "`: `", stringify!($use_case), "`.")]
            pub mod $module {
                use super::*;
                pub const NAME: &str = $name;
                pub const NEEDS: Needs = $needs;
                /// The use case behind the one error mapping.
                pub fn handler(
                    ctx: std::sync::Arc<crate::Ctx>,
                    req: crate::http::ApiRequest,
                ) -> futures::future::BoxFuture<'static, crate::http::ApiResponse> {
                    Box::pin(async move {
                        $use_case(&ctx, req).await.unwrap_or_else(|e| e.to_response())
                    })
                }
                /// The Lambda binary's `main`.
                pub fn main() -> Result<(), Error> {
                    run(crate::lambda::serve_http(handler, NEEDS))
                }
            }
        )*

        pub const HTTP_FUNCTIONS: &[HttpFunction] = &[$(
            HttpFunction {
                name: $name,
                #[cfg(feature = "embedded")]
                handler: $module::handler,
                use_case: stringify!($use_case),
                needs: $needs,
            },
        )*];
    };
}

macro_rules! event_functions {
    ($($constant:ident $module:ident $name:literal => $serve:ident, $needs:expr;)*) => {
        $(
            #[doc = concat!("`", $name, "`: `lambda::", stringify!($serve), "`.")]
            pub mod $module {
                use super::*;
                pub const NAME: &str = $name;
                pub const NEEDS: Needs = $needs;
                /// The Lambda binary's `main`.
                pub fn main() -> Result<(), Error> {
                    run(crate::lambda::$serve(NEEDS))
                }
            }
            pub const $constant: EventFunction = EventFunction {
                name: $name,
                serve: stringify!($serve),
                needs: $needs,
            };
        )*

        pub const EVENT_FUNCTIONS: &[EventFunction] = &[$($constant),*];
    };
}

http_functions! {
create_api_key "create-api-key" => api::api_keys::create_api_key, STORE;
list_api_keys "list-api-keys" => api::api_keys::list_api_keys, STORE;
revoke_api_key "revoke-api-key" => api::api_keys::revoke_api_key, STORE;
create_user "create-user" => api::users::create_user, MAIL;
list_users "list-users" => api::users::list_users, STORE;
update_user "update-user" => api::users::update_user, STORE;
delete_user "delete-user" => api::users::delete_user, STORE;
create_client "create-client" => api::clients::create_client, STORE;
list_clients "list-clients" => api::clients::list_clients, STORE;
get_client "get-client" => api::clients::get_client, STORE;
update_client "update-client" => api::clients::update_client, MAIL;
delete_client "delete-client" => api::clients::delete_client, STORE;
invite_client "invite-client" => api::invitations::invite_client, MAIL;
accept_invitation "accept-invitation" => api::invitations::accept_invitation, STORE;
confirm_email "confirm-email" => api::email_confirmations::confirm_email, STORE;
create_order "create-order" => api::orders::create_order, STORE;
list_orders "list-orders" => api::orders::list_orders, STORE;
export_orders "export-orders" => api::export::export_orders, STORE;
get_order "get-order" => api::orders::get_order, STORE;
update_order "update-order" => api::orders::update_order, STORE;
withdraw_order "withdraw-order" => api::order_actions::withdraw_order, STORE;
resubmit_order "resubmit-order" => api::order_actions::resubmit_order, STORE;
finalize_order "finalize-order" => api::order_actions::finalize_order, STORE;
submit_orders "submit-orders" => api::bulk_submit::submit_orders, STORE;
create_import "create-import" => api::imports::create_import, STORE;
list_imports "list-imports" => api::imports::list_imports, STORE;
get_import "get-import" => api::imports::get_import, STORE;
reject_order "reject-order" => api::order_actions::reject_order, STORE;
record_task_event "record-task-event" => api::task_events::record_task_event, STORE;
record_task_location "record-task-location" => api::task_events::record_task_location, STORE;
get_notification_settings "get-notification-settings" => api::settings::get_notification_settings, STORE;
put_notification_settings "put-notification-settings" => api::settings::put_notification_settings, STORE;
get_organization_settings "get-organization-settings" => api::organization::get_organization_settings, STORE;
update_organization_settings "update-organization-settings" => api::organization::update_organization_settings, MAIL;
get_tracking_page_settings "get-tracking-page-settings" => api::settings::get_tracking_page_settings, STORE;
put_tracking_page_settings "put-tracking-page-settings" => api::settings::put_tracking_page_settings, STORE;
tracking_page "tracking-page" => api::tracking::tracking_page, STORE;
rate_delivery_form "rate-delivery-form" => api::tracking::rate_delivery_form, STORE;
create_integration "create-integration" => api::integrations::create_integration, STORE;
list_integrations "list-integrations" => api::integrations::list_integrations, STORE;
get_integration "get-integration" => api::integrations::get_integration, STORE;
update_integration "update-integration" => api::integrations::update_integration, STORE;
delete_integration "delete-integration" => api::integrations::delete_integration, STORE;
integration_webhook "integration-webhook" => api::webhook::receive_webhook, STORE;
list_deliveries "list-deliveries" => api::deliveries::list_deliveries, STORE;
get_delivery "get-delivery" => api::deliveries::get_delivery, STORE;
replay_delivery "replay-delivery" => api::deliveries::replay_delivery, STORE;
create_service "create-service" => api::services::create_service, STORE;
list_services "list-services" => api::services::list_services, STORE;
get_service "get-service" => api::services::get_service, STORE;
update_service "update-service" => api::services::update_service, STORE;
delete_service "delete-service" => api::services::delete_service, STORE;
create_team "create-team" => api::teams::create_team, STORE;
list_teams "list-teams" => api::teams::list_teams, STORE;
update_team "update-team" => api::teams::update_team, STORE;
delete_team "delete-team" => api::teams::delete_team, STORE;
create_rate_table "create-rate-table" => api::rate_tables::create_rate_table, STORE;
list_rate_tables "list-rate-tables" => api::rate_tables::list_rate_tables, STORE;
get_rate_table "get-rate-table" => api::rate_tables::get_rate_table, STORE;
update_rate_table "update-rate-table" => api::rate_tables::update_rate_table, STORE;
delete_rate_table "delete-rate-table" => api::rate_tables::delete_rate_table, STORE;
put_client_services "put-client-services" => api::client_services::put_client_services, STORE;
get_client_services "get-client-services" => api::client_services::get_client_services, STORE;
create_quote "create-quote" => api::quotes::create_quote, STORE;
post_chat_message "post-chat-message" => api::chat::post_message, STORE;
list_chat_messages "list-chat-messages" => api::chat::list_messages, STORE;
list_conversations "list-conversations" => api::chat::list_conversations, STORE;
home_page "home-page" => web::home_page, STORE;
login_page "login-page" => web::sign_in_pages::login_page, STORE;
sign_in "sign-in" => web::sign_in_pages::sign_in_form, STORE;
sign_out "sign-out" => web::sign_in_pages::sign_out, STORE;
invitation_page "invitation-page" => web::invitation_pages::invitation_page, STORE;
accept_invitation_form "accept-invitation-form" => web::invitation_pages::accept_invitation_form, STORE;
orders_page "orders-page" => web::orders_pages::orders_page, STORE;
order_page "order-page" => web::orders_pages::order_page, STORE;
new_order_page "new-order-page" => web::new_order_pages::new_order_page, STORE;
create_order_form "create-order-form" => web::new_order_pages::create_order_form, STORE;
resubmit_order_form "resubmit-order-form" => web::resubmit_pages::resubmit_order_form, STORE;
forgot_password_page "forgot-password-page" => web::reset_pages::forgot_password_page, STORE;
forgot_password_form "forgot-password-form" => web::reset_pages::forgot_password_form, MAIL;
reset_password_page "reset-password-page" => web::reset_pages::reset_password_page, STORE;
reset_password_form "reset-password-form" => web::reset_pages::reset_password_form, STORE;
user_settings_page "user-settings-page" => web::account_pages::user_settings_page, STORE;
update_user_form "update-user-form" => web::account_pages::update_user_form, STORE;
change_password_form "change-password-form" => web::account_pages::change_password_form, STORE;
change_login_email_form "change-login-email-form" => web::account_pages::change_login_email_form, MAIL;
login_email_page "login-email-page" => web::account_pages::login_email_page, STORE;
confirm_login_email_form "confirm-login-email-form" => web::account_pages::confirm_login_email_form, STORE;
email_confirmation_page "email-confirmation-page" => web::email_confirmation_pages::email_confirmation_page, STORE;
confirm_email_form "confirm-email-form" => web::email_confirmation_pages::confirm_email_form, STORE;
static_assets "static-assets" => web::assets::static_asset, STORE;
drafts_page "drafts-page" => web::drafts_pages::drafts_page, STORE;
submit_drafts_form "submit-drafts-form" => web::drafts_pages::submit_drafts_form, STORE;
finalize_order_form "finalize-order-form" => web::drafts_pages::finalize_order_form, STORE;
imports_page "imports-page" => web::imports_pages::imports_page, STORE;
import_form "import-form" => web::imports_pages::import_form, STORE;
import_columns_page "import-columns-page" => web::import_columns_pages::import_columns_page, STORE;
edit_order_form "edit-order-form" => web::order_edit_pages::edit_order_form, STORE;
withdraw_order_form "withdraw-order-form" => web::order_edit_pages::withdraw_order_form, STORE;
reject_order_form "reject-order-form" => web::courier_orders_pages::reject_order_form, STORE;
record_task_event_form "record-task-event-form" => web::courier_orders_pages::record_task_event_form, STORE;
export_orders_page "export-orders-page" => web::courier_orders_pages::export_orders_page, STORE;
organization_settings_page "organization-settings-page" => web::settings_pages::organization_page, STORE;
update_organization_settings_form "update-organization-settings-form" => web::settings_pages::save_organization_form, MAIL;
communications_settings_page "communications-settings-page" => web::communications_pages::page, STORE;
update_communications_settings_form "update-communications-settings-form" => web::communications_pages::save_form, STORE;
tracking_page_settings_page "tracking-page-settings-page" => web::tracking_settings_pages::page, STORE;
update_tracking_page_settings_form "update-tracking-page-settings-form" => web::tracking_settings_pages::save_form, STORE;
teams_settings_page "teams-settings-page" => web::teams_pages::teams_settings_page, STORE;
create_team_form "create-team-form" => web::teams_pages::create_team_form, STORE;
rename_team_form "rename-team-form" => web::teams_pages::rename_team_form, STORE;
delete_team_form "delete-team-form" => web::teams_pages::delete_team_form, STORE;
services_page "services-page" => web::services_pages::services_page, STORE;
rate_tables_page "rate-tables-page" => web::services_pages::rate_tables_page, STORE;
new_service_page "new-service-page" => web::services_pages::new_service_page, STORE;
create_service_form "create-service-form" => web::services_pages::create_service_form, STORE;
service_page "service-page" => web::services_pages::service_page, STORE;
update_service_form "update-service-form" => web::services_pages::update_service_form, STORE;
delete_service_form "delete-service-form" => web::services_pages::delete_service_form, STORE;
new_rate_table_page "new-rate-table-page" => web::services_pages::new_rate_table_page, STORE;
create_rate_table_form "create-rate-table-form" => web::services_pages::create_rate_table_form, STORE;
rate_table_page "rate-table-page" => web::services_pages::rate_table_page, STORE;
update_rate_table_form "update-rate-table-form" => web::services_pages::update_rate_table_form, STORE;
delete_rate_table_form "delete-rate-table-form" => web::services_pages::delete_rate_table_form, STORE;
team_settings_page "team-settings-page" => web::team_pages::team_settings_page, STORE;
invite_teammate_form "invite-teammate-form" => web::team_pages::invite_teammate_form, MAIL;
change_teammate_role_form "change-teammate-role-form" => web::team_pages::change_teammate_role_form, STORE;
remove_teammate_form "remove-teammate-form" => web::team_pages::remove_teammate_form, STORE;
api_settings_page "api-settings-page" => web::api_pages::api_settings_page, STORE;
create_api_key_form "create-api-key-form" => web::api_pages::create_api_key_form, STORE;
revoke_api_key_form "revoke-api-key-form" => web::api_pages::revoke_api_key_form, STORE;
create_integration_form "create-integration-form" => web::api_pages::create_integration_form, STORE;
replay_delivery_form "replay-delivery-form" => web::api_pages::replay_delivery_form, STORE;
clients_page "clients-page" => web::clients_pages::clients_page, STORE;
messages_page "messages-page" => web::chat_pages::messages_page, STORE;
conversation_page "conversation-page" => web::chat_pages::conversation_page, STORE;
post_message_form "post-message-form" => web::chat_pages::post_message_form, STORE;
new_client_page "new-client-page" => web::clients_pages::new_client_page, STORE;
create_client_form "create-client-form" => web::clients_pages::create_client_form, STORE;
client_page "client-page" => web::clients_pages::client_page, STORE;
update_client_form "update-client-form" => web::clients_pages::update_client_form, MAIL;
invite_client_form "invite-client-form" => web::clients_pages::invite_client_form, MAIL;
delete_client_form "delete-client-form" => web::clients_pages::delete_client_form, STORE;
client_services_form "client-services-form" => web::clients_pages::client_services_form, STORE;
replay_client_delivery_form "replay-client-delivery-form" => web::clients_pages::replay_client_delivery_form, STORE;
webhook_endpoints "webhook-endpoints" => api::webhook_endpoints::serve, STORE;
webhook_endpoint_form "webhook-endpoint-form" => web::api_pages::webhook_form, STORE;}

event_functions! {
    AUTHORIZER authorizer "authorizer" => serve_authorizer, STORE;
    STATUS_FANOUT status_fanout "status-fanout" => serve_status_fanout, Needs::ALL;
    SMS_INBOUND sms_inbound "sms-inbound" => serve_sms_inbound, Needs::STORE.with_sms();
    DRAFT_REMINDERS draft_reminders "draft-reminders" => serve_draft_reminders, MAIL;
    IMPORT_WORKER import_worker "import-worker" => serve_import_worker, STORE;
    CHAT_NOTICES chat_notices "chat-notices" => serve_chat_notices, MAIL;
    LIVE_CONNECTIONS live_connections "live-connections" => serve_live_connections, STORE;
    LIVE_PUSHER live_pusher "live-pusher" => serve_live_pusher, Needs::STORE.with_push();
    WEBHOOK_DELIVERIES webhook_deliveries "webhook-deliveries" => serve_webhook_deliveries, MAIL;
    ORDER_DIGESTS order_digests "order-digests" => serve_order_digests, MAIL;
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut names: Vec<&str> = HTTP_FUNCTIONS.iter().map(|f| f.name).collect();
        names.extend(EVENT_FUNCTIONS.iter().map(|f| f.name));
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "a name is registered once");
        for name in names {
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name}"
            );
        }
        assert_eq!(get_order::NAME, "get-order");
        assert_eq!(status_fanout::NEEDS, Needs::ALL);
    }
}

//! Running a use case as an AWS Lambda function: API Gateway (HTTP API, payload 2.0)
//! events in and out, and the HTTP API's Lambda authorizer.

use aws_lambda_events::apigw::{
    ApiGatewayV2CustomAuthorizerSimpleResponse, ApiGatewayV2CustomAuthorizerV2Request,
    ApiGatewayV2httpRequest, ApiGatewayV2httpResponse,
};
use aws_lambda_events::encodings::Body;
use lambda_http::request::{LambdaRequest, RequestContext};
use lambda_http::{Request, RequestExt};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tracing::Instrument;

use crate::domain::api_key::Principal;
use crate::http::{ApiRequest, ApiResponse, HttpHandler};
use crate::store::{Store, StoreError};
use crate::Ctx;

pub use crate::needs::Needs;

pub type Error = lambda_runtime::Error;

/// Serves one use case on Lambda (API Gateway HTTP API, payload 2.0), with the AWS clients
/// `needs` names and no others. The event is read with lambda_http's request conversion;
/// the answer is written straight to the payload 2.0 response ([`to_lambda`]), which keeps
/// lambda_http's generic response conversion (and its legacy text-encoding tables, ~155 KB
/// of every binary) out of the functions: the use cases answer UTF-8 or bytes already.
///
/// The use case comes as a plain fn pointer that boxes its answer
/// ([`HttpHandler`]), so this serve loop is compiled once, not
/// once per function: `sam build` compiles the domain crate's one codegen unit in release.
pub async fn serve_http(handler: HttpHandler, needs: Needs) -> Result<(), Error> {
    let ctx = cold_start(needs).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<ApiGatewayV2httpRequest>| {
            let ctx = ctx.clone();
            async move {
                // API Gateway's ids: the request id is the access log's `requestId`.
                let route = event.payload.route_key.clone().unwrap_or_default();
                let request_id = event
                    .payload
                    .request_context
                    .request_id
                    .clone()
                    .unwrap_or_else(|| event.context.request_id.clone());
                let request = from_lambda(event.payload);
                let response =
                    crate::http::serve_request(handler, ctx, request, &route, &request_id).await;
                Ok::<_, Error>(to_lambda(response))
            }
        },
    ))
    .await
}

/// Serves the HTTP API's Lambda authorizer (simple responses).
pub async fn serve_authorizer(needs: Needs) -> Result<(), Error> {
    let ctx = cold_start(needs).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<ApiGatewayV2CustomAuthorizerV2Request>| {
            let ctx = ctx.clone();
            // API Gateway's request id: the same as the function's request line that follows.
            let span = tracing::info_span!(
                "authorizer",
                request_id = event.payload.request_context.request_id.as_deref().unwrap_or(""),
                route = event.payload.route_key.as_deref().unwrap_or(""),
            );
            async move { Ok::<_, Error>(authorizer_response(ctx.store.as_ref(), &event.payload).await?) }
                .instrument(span)
        },
    ))
    .await
}

/// Serves the status fan-out on the table's stream (partial batch responses).
pub async fn serve_status_fanout(needs: Needs) -> Result<(), Error> {
    let ctx = cold_start(needs).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<aws_lambda_events::dynamodb::Event>| {
            let ctx = ctx.clone();
            let span = event_span("status-fanout", &event.context);
            async move {
                let records = event.payload.records.len();
                let response = crate::fanout::handle_stream(&ctx, event.payload).await;
                tracing::info!(
                    records,
                    failed = response.batch_item_failures.len(),
                    "stream batch done"
                );
                Ok::<_, Error>(response)
            }
            .instrument(span)
        },
    ))
    .await
}

/// Serves the WebSocket API's routes (`$connect`, `$disconnect`, `$default`): the live
/// updates' connections ([`crate::live::handle_route`]). The portal's own origin, which a
/// page's `Origin` must be, is `PORTAL_ORIGIN` (else `PUBLIC_BASE_URL`).
pub async fn serve_live_connections(needs: Needs) -> Result<(), Error> {
    let ctx = cold_start(needs).await?;
    let origin = std::env::var("PORTAL_ORIGIN")
        .ok()
        .filter(|o| !o.trim().is_empty())
        .or_else(|| ctx.config.public_base_url.clone())
        .unwrap_or_default();
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<
            aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest,
        >| {
            let ctx = ctx.clone();
            let origin = origin.clone();
            let span = event_span("live-connections", &event.context);
            async move {
                let request = event.payload;
                let context = &request.request_context;
                let route = context.route_key.clone().unwrap_or_default();
                let connection_id = context.connection_id.clone().unwrap_or_default();
                let query: Vec<(String, String)> = ["ticket", "track"]
                    .iter()
                    .filter_map(|name| {
                        request
                            .query_string_parameters
                            .first(name)
                            .map(|v| (name.to_string(), v.to_string()))
                    })
                    .collect();
                let answer = crate::live::handle_route(
                    &ctx,
                    &route,
                    &connection_id,
                    &request.headers,
                    &query,
                    &origin,
                    request.body.as_deref(),
                )
                .await;
                let mut response = aws_lambda_events::apigw::ApiGatewayProxyResponse::default();
                response.status_code = i64::from(answer.status);
                response.body = answer.body.map(Body::Text);
                Ok::<_, Error>(response)
            }
            .instrument(span)
        },
    ))
    .await
}

/// Serves the live updates' pusher on the table's stream ([`crate::live::handle_stream`]).
pub async fn serve_live_pusher(needs: Needs) -> Result<(), Error> {
    let ctx = cold_start(needs).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<aws_lambda_events::dynamodb::Event>| {
            let ctx = ctx.clone();
            let span = event_span("live-pusher", &event.context);
            async move {
                let records = event.payload.records.len();
                let response = crate::live::handle_stream(&ctx, event.payload).await;
                tracing::info!(
                    records,
                    failed = response.batch_item_failures.len(),
                    "live batch done"
                );
                Ok::<_, Error>(response)
            }
            .instrument(span)
        },
    ))
    .await
}

/// Serves the import worker on the table's stream (a running import's summary).
pub async fn serve_import_worker(needs: Needs) -> Result<(), Error> {
    let ctx = cold_start(needs).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<aws_lambda_events::dynamodb::Event>| {
            let ctx = ctx.clone();
            async move {
                Ok::<_, Error>(crate::imports::worker::handle_stream(&ctx, event.payload).await)
            }
        },
    ))
    .await
}

/// Serves the inbound-SMS handler on the two-way SMS topic.
pub async fn serve_sms_inbound(needs: Needs) -> Result<(), Error> {
    let ctx = cold_start(needs).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<aws_lambda_events::sns::SnsEvent>| {
            let ctx = ctx.clone();
            let span = event_span("sms-inbound", &event.context);
            async move {
                let records = event.payload.records.len();
                let outcome = crate::fanout::inbound::handle_sns(&ctx, event.payload).await;
                match &outcome {
                    Ok(_) => tracing::info!(records, "inbound SMS done"),
                    Err(e) => tracing::error!(records, error = %e, "inbound SMS failed"),
                }
                outcome.map(|_| ()).map_err(Error::from)
            }
            .instrument(span)
        },
    ))
    .await
}

/// Serves the draft reminders on their EventBridge schedule (the event's time is the run's).
pub async fn serve_draft_reminders(needs: Needs) -> Result<(), Error> {
    serve_schedule("draft-reminders", needs, |ctx, at| async move {
        let report = crate::reminders::run_draft_reminders(&ctx, at).await?;
        tracing::info!(
            drafts = report.drafts,
            sent = report.sent.len(),
            "draft reminders"
        );
        Ok(())
    })
    .await
}

/// The `chat-notices` schedule: emails a side that left a message unread
/// (`chat::notices::run_chat_notices`).
pub async fn serve_chat_notices(needs: Needs) -> Result<(), Error> {
    serve_schedule("chat-notices", needs, |ctx, at| async move {
        let report = crate::chat::notices::run_chat_notices(&ctx, at).await?;
        tracing::info!(sent = report.sent.len(), "chat notices");
        Ok(())
    })
    .await
}

/// The `webhook-deliveries` schedule: sends the outbound webhooks that are due
/// (`hooks::worker::run_due_deliveries`).
pub async fn serve_webhook_deliveries(needs: Needs) -> Result<(), Error> {
    serve_schedule("webhook-deliveries", needs, |ctx, at| async move {
        let report = crate::hooks::worker::run_due_deliveries(&ctx, at).await?;
        tracing::info!(
            attempted = report.attempted,
            delivered = report.delivered,
            waiting = report.waiting,
            "webhook deliveries"
        );
        Ok(())
    })
    .await
}

/// The `order-digests` schedule: emails each courier person whose digest window has ended
/// the orders and drafts created in it (`digests::run_order_digests`).
pub async fn serve_order_digests(needs: Needs) -> Result<(), Error> {
    serve_schedule("order-digests", needs, |ctx, at| async move {
        let report = crate::digests::run_order_digests(&ctx, at).await?;
        tracing::info!(due = report.due, sent = report.sent.len(), "order digests");
        Ok(())
    })
    .await
}

/// Serves one EventBridge schedule: each event runs `run` at the event's time, in the
/// invocation's span; a failed run is logged and fails the invocation (EventBridge retries).
async fn serve_schedule<F, Fut>(handler: &'static str, needs: Needs, run: F) -> Result<(), Error>
where
    F: Fn(Arc<Ctx>, chrono::DateTime<chrono::Utc>) -> Fut,
    Fut: std::future::Future<Output = Result<(), Error>>,
{
    let ctx = cold_start(needs).await?;
    let run = &run;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<
            aws_lambda_events::cloudwatch_events::CloudWatchEvent,
        >| {
            let ctx = ctx.clone();
            let span = event_span(handler, &event.context);
            async move {
                run(ctx, event.payload.time)
                    .await
                    .inspect_err(|e| tracing::error!(error = %e, handler, "run failed"))
            }
            .instrument(span)
        },
    ))
    .await
}

/// The span of one event handler's invocation: its lines carry the invocation's request id
/// and the handler, as a request's carry its route, and the ids of the order being handled
/// ([`crate::observe::record_order`]).
fn event_span(handler: &'static str, context: &lambda_runtime::Context) -> tracing::Span {
    tracing::info_span!(
        "event",
        request_id = %context.request_id,
        handler,
        order_id = tracing::field::Empty,
        courier_id = tracing::field::Empty,
        client_id = tracing::field::Empty,
    )
}

/// Once per cold start: logging, then the context with the clients the function needs.
async fn cold_start(needs: Needs) -> Result<Arc<Ctx>, Error> {
    crate::observe::logging::init();
    Ok(Arc::new(Ctx::from_lambda_env(needs)?))
}

/// The authorizer lets every request through to its function with either the principal or
/// the reason it has none in the context: HTTP APIs cannot shape their own 401 bodies, so
/// the function answers the JSON 401 of the API (see `ApiRequest::principal`).
pub async fn authorizer_response(
    store: &dyn Store,
    event: &ApiGatewayV2CustomAuthorizerV2Request,
) -> Result<ApiGatewayV2CustomAuthorizerSimpleResponse, StoreError> {
    let header = event
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let context = match crate::auth::authorize(store, header).await? {
        Ok(principal) => serde_json::to_value(principal).unwrap_or(Value::Null),
        Err(reason) => serde_json::json!({ "authError": reason }),
    };
    let mut response = ApiGatewayV2CustomAuthorizerSimpleResponse::default();
    response.is_authorized = true;
    response.context = context;
    Ok(response)
}

/// An API Gateway request as the use cases see it.
pub fn from_lambda(event: ApiGatewayV2httpRequest) -> ApiRequest {
    let route = event.route_key.clone().unwrap_or_default();
    let event: Request = LambdaRequest::ApiGatewayV2(event).into();
    let path_params = event
        .path_parameters()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let query = event
        .query_string_parameters()
        .iter()
        .flat_map(|(k, _)| {
            let values = event
                .query_string_parameters()
                .all(k)
                .unwrap_or_default()
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>();
            values.into_iter().map(move |v| (k.to_string(), v))
        })
        .collect();
    let (auth, base_url, source_ip) = match event.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => (
            context
                .authorizer
                .as_ref()
                .and_then(|a| principal_from_context(&a.fields)),
            context.domain_name.as_ref().map(|d| format!("https://{d}")),
            context.http.source_ip.clone(),
        ),
        _ => (None, None, None),
    };
    let body = bytes::Bytes::copy_from_slice(event.body().as_ref());
    ApiRequest {
        method: event.method().to_string(),
        path_params,
        query,
        headers: event.headers().clone(),
        body,
        auth,
        base_url,
        source_ip,
        route,
    }
}

fn principal_from_context(fields: &HashMap<String, Value>) -> Option<Result<Principal, String>> {
    if fields.is_empty() {
        return None;
    }
    if let Some(reason) = fields.get("authError").and_then(Value::as_str) {
        return Some(Err(reason.to_string()));
    }
    let map = fields
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect::<serde_json::Map<_, _>>();
    Some(
        serde_json::from_value(Value::Object(map))
            .map_err(|_| "the authorizer context is not readable".to_string()),
    )
}

/// A use case's answer as the HTTP API's payload 2.0 response, with the headers every answer
/// carries ([`with_security_headers`](crate::http::with_security_headers)): UTF-8 bodies as
/// text, others base64; `Set-Cookie` headers in `cookies`, as API Gateway requires.
pub fn to_lambda(response: ApiResponse) -> ApiGatewayV2httpResponse {
    let response = crate::http::with_security_headers(response);
    let (body, is_base64_encoded) = match String::from_utf8(response.body.to_vec()) {
        Ok(text) if text.is_empty() => (None, false),
        Ok(text) => (Some(Body::Text(text)), false),
        Err(e) => (Some(Body::Binary(e.into_bytes())), true),
    };
    // Payload 2.0 takes cookies in their own field; other repeated headers are joined.
    let mut headers = http::HeaderMap::new();
    let mut cookies = Vec::new();
    for (name, value) in response.headers {
        if name.eq_ignore_ascii_case("set-cookie") {
            cookies.push(value);
        } else if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            headers.append(name, value);
        }
    }
    let mut answer = ApiGatewayV2httpResponse::default();
    answer.status_code = i64::from(response.status);
    answer.headers = headers;
    answer.cookies = cookies;
    answer.body = body;
    answer.is_base64_encoded = is_base64_encoded;
    answer
}

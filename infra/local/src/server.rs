//! The local HTTP server: every route of the template, plus `GET /openapi.json` (the API
//! contract), `GET /dev/outbox` (captured email and SMS) and `POST /dev/sms-inbound` (a
//! recipient texting the portal's number).

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;

use portal::error::ApiError;
use portal::http::ApiResponse;
use portal::notify::Connections;
use portal::store::embedded::EmbeddedStore;

/// Where pages open their WebSocket locally (`LIVE_URL` unset: the page's own host).
pub const LIVE_PATH: &str = "/live";

use crate::app::LocalApp;

/// API Gateway's own limit on request bodies is larger; ours keeps memory bounded.
pub const MAX_REQUEST_BODY: usize = 6 * 1024 * 1024;

/// How much of a body over the limit is read and thrown away so that a client that sends
/// its whole body before reading the answer (urllib, most SDKs) gets the 413 rather than a
/// reset connection. Past this, the connection is closed without reading on.
pub const MAX_DRAINED_BODY: usize = 64 * 1024 * 1024;

pub struct Server {
    pub app: Arc<LocalApp>,
    /// The embedded store whose outbox `GET /dev/outbox` lists (local mode only).
    pub outbox: Option<EmbeddedStore>,
    /// The open WebSockets of `/live` (the context's pusher pushes to them).
    pub live: Arc<Connections>,
}

impl Server {
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (stream, _) = listener.accept().await?;
            let server = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let server = server.clone();
                    async move { Ok::<_, Infallible>(server.respond(req).await) }
                });
                if let Err(e) = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await
                {
                    tracing::debug!(error = %e, "connection closed");
                }
            });
        }
    }

    async fn respond(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        if req.uri().path() == LIVE_PATH {
            return self.live(req).await;
        }
        let started = std::time::Instant::now();
        let (parts, body) = req.into_parts();
        let uri = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let response = match read_body(&parts.headers, body).await {
            Err(e) => e.to_response().with_header("connection", "close"),
            Ok(_) if parts.uri.path() == "/openapi.json" => openapi(parts.method.as_str()),
            Ok(body) if parts.uri.path() == "/dev/outbox" => {
                self.outbox(parts.method.as_str(), body).await
            }
            Ok(body) if parts.uri.path() == "/dev/sms-inbound" => {
                self.sms_inbound(parts.method.as_str(), body).await
            }
            Ok(body) if parts.uri.path() == "/dev/schedules/draft-reminders" => {
                self.draft_reminders(parts.method.as_str(), body).await
            }
            Ok(body) => {
                self.app
                    .handle(parts.method.as_str(), &uri, parts.headers, body)
                    .await
            }
        };
        // Not the URI: paths and queries carry tokens (invitations, resets, tracking links).
        // A routed request's own lines say its route and outcome (`portal::observe`).
        tracing::debug!(method = %parts.method, status = response.status, ms = started.elapsed().as_millis() as u64, "served");
        let mut builder = Response::builder().status(response.status);
        for (name, value) in &response.headers {
            builder = builder.header(name, value);
        }
        builder
            .body(Full::new(response.body))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }

    /// `GET /live`, a WebSocket: the same protocol as the stack's WebSocket API (its
    /// `$connect`, `$disconnect` and `$default` routes run `portal::live::handle_route`, with
    /// a connection id of our own), pushed to by the live pusher's local delivery.
    async fn live(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let status = |code: u16, text: &'static str| {
            Response::builder()
                .status(code)
                .header("content-type", "text/plain")
                .body(Full::new(Bytes::from_static(text.as_bytes())))
                .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
        };
        let headers = req.headers().clone();
        let upgrade = headers
            .get("upgrade")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
        let Some(key) = headers.get("sec-websocket-key").filter(|_| upgrade) else {
            return status(426, "a WebSocket upgrade is expected here");
        };
        let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
        let query: Vec<(String, String)> = req
            .uri()
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let ctx = Arc::new(
            self.app
                .ctx
                .wired_for(crate::functions::LIVE_CONNECTIONS.needs),
        );
        let origin = ctx.config.public_base_url.clone().unwrap_or_else(|| {
            headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .map(|h| format!("http://{h}"))
                .unwrap_or_default()
        });
        let connection_id = ulid::Ulid::generate().to_string();
        let answer = portal::live::handle_route(
            &ctx,
            "$connect",
            &connection_id,
            &headers,
            &query,
            &origin,
            None,
        )
        .await;
        if answer.status != 200 {
            return Response::builder()
                .status(answer.status)
                .body(Full::new(Bytes::new()))
                .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
        }
        let mut pushed = self.live.open(&connection_id);
        let live = self.live.clone();
        tokio::spawn(async move {
            use futures::{SinkExt, StreamExt};
            use tokio_tungstenite::tungstenite::protocol::{Message, Role};
            if let Ok(upgraded) = hyper::upgrade::on(req).await {
                let mut socket = tokio_tungstenite::WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    None,
                )
                .await;
                loop {
                    tokio::select! {
                        message = pushed.recv() => match message {
                            Some(text) => {
                                if socket.send(Message::text(text)).await.is_err() {
                                    break;
                                }
                            }
                            None => break,
                        },
                        incoming = socket.next() => match incoming {
                            Some(Ok(Message::Text(text))) => {
                                let answer = portal::live::handle_route(
                                    &ctx, "$default", &connection_id, &http::HeaderMap::new(),
                                    &[], "", Some(text.as_str()),
                                )
                                .await;
                                if let Some(body) = answer.body {
                                    if socket.send(Message::text(body)).await.is_err() {
                                        break;
                                    }
                                }
                            }
                            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                            Some(Ok(_)) => {}
                        },
                    }
                }
            }
            live.close(&connection_id);
            portal::live::handle_route(
                &ctx,
                "$disconnect",
                &connection_id,
                &http::HeaderMap::new(),
                &[],
                "",
                None,
            )
            .await;
        });
        Response::builder()
            .status(101)
            .header("connection", "Upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-accept", accept)
            .body(Full::new(Bytes::new()))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }

    /// Simulates two-way SMS: `{"from": "+15551234567", "body": "STOP"}` becomes the SNS
    /// event the `sms-inbound` function receives, handled in-process.
    async fn sms_inbound(&self, method: &str, body: Bytes) -> ApiResponse {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Simulated {
            from: portal::domain::Phone,
            body: String,
            #[serde(default)]
            to: Option<portal::domain::Phone>,
        }
        if method != "POST" {
            return ApiResponse::json(
                405,
                &serde_json::json!({"error": {"code": "method_not_allowed", "message": "use POST"}}),
            );
        }
        let simulated: Simulated = match portal::http::parse_json(&body) {
            Ok(s) => s,
            Err(e) => return e.to_response(),
        };
        let sms = portal::fanout::inbound::InboundSms {
            origination_number: simulated.from.as_str().to_string(),
            destination_number: simulated.to.map(|p| p.as_str().to_string()),
            message_keyword: None,
            message_body: simulated.body,
            inbound_message_id: ulid::Ulid::generate().to_string(),
        };
        let event = portal::fanout::inbound::sns_event(
            "arn:aws:sns:local:000000000000:InboundSmsTopic",
            &sms,
        );
        match portal::fanout::inbound::handle_sns(
            &self.app.ctx.wired_for(crate::functions::SMS_INBOUND.needs),
            event,
        )
        .await
        {
            Ok(outcomes) => ApiResponse::ok(&serde_json::json!({ "handled": outcomes })),
            Err(e) => ApiError::Unavailable(e.to_string()).to_response(),
        }
    }

    /// Runs the hourly draft reminders now (local mode only), as of `{"at": ISO 8601}` when
    /// given: the email appears in `/dev/outbox`.
    async fn draft_reminders(&self, method: &str, body: Bytes) -> ApiResponse {
        #[derive(serde::Deserialize, Default)]
        #[serde(deny_unknown_fields)]
        struct Trigger {
            #[serde(default)]
            at: Option<chrono::DateTime<chrono::FixedOffset>>,
        }
        if self.outbox.is_none() {
            return ApiError::NotFound("local schedule (the local portal runs on AWS services)")
                .to_response();
        }
        if method != "POST" {
            return ApiResponse::json(
                405,
                &serde_json::json!({"error": {"code": "method_not_allowed", "message": "use POST"}}),
            );
        }
        let trigger: Trigger = if body.iter().all(u8::is_ascii_whitespace) {
            Trigger::default()
        } else {
            match portal::http::parse_json(&body) {
                Ok(t) => t,
                Err(e) => return e.to_response(),
            }
        };
        let ctx = self
            .app
            .ctx
            .wired_for(crate::functions::DRAFT_REMINDERS.needs);
        let at = trigger
            .at
            .map(|at| at.with_timezone(&chrono::Utc))
            .unwrap_or_else(|| ctx.now());
        match portal::reminders::run_draft_reminders(&ctx, at).await {
            Ok(report) => ApiResponse::ok(&report),
            Err(e) => ApiError::from(e).to_response(),
        }
    }

    async fn outbox(&self, method: &str, _body: Bytes) -> ApiResponse {
        let Some(store) = &self.outbox else {
            return ApiError::NotFound("outbox (the local portal runs on AWS services)")
                .to_response();
        };
        if method != "GET" {
            return ApiResponse::json(
                405,
                &serde_json::json!({"error": {"code": "method_not_allowed", "message": "use GET"}}),
            );
        }
        match store.outbox().await {
            Ok(items) => ApiResponse::ok(&serde_json::json!({ "items": items })),
            Err(e) => ApiError::from(e).to_response(),
        }
    }
}

/// The body, up to [`MAX_REQUEST_BODY`]. A larger one answers 413 once it has been read
/// (and discarded) up to [`MAX_DRAINED_BODY`]; one announced larger than that, at once.
async fn read_body(headers: &http::HeaderMap, mut body: Incoming) -> Result<Bytes, ApiError> {
    let too_large = ApiError::TooLarge {
        limit: MAX_REQUEST_BODY,
    };
    let announced = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > MAX_DRAINED_BODY as u64) {
        return Err(too_large);
    }
    let mut kept = BytesMut::new();
    let mut received = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::malformed(format!("the request body could not be read: {e}")))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        received += data.len();
        if received <= MAX_REQUEST_BODY {
            kept.extend_from_slice(&data);
        } else if received > MAX_DRAINED_BODY {
            break;
        }
    }
    if received > MAX_REQUEST_BODY {
        return Err(too_large);
    }
    Ok(kept.freeze())
}

/// `GET /openapi.json`: the API contract.
fn openapi(method: &str) -> ApiResponse {
    if method != "GET" {
        return ApiResponse::json(
            405,
            &serde_json::json!({"error": {"code": "method_not_allowed", "message": "use GET"}}),
        )
        .with_header("allow", "GET");
    }
    ApiResponse::ok(crate::openapi::document())
}

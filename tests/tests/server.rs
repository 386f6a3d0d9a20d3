//! The local portal over real HTTP: routes, the outbox, and the body limit.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use portal::notify::Outbox;
use portal_local::server::Server;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn send(port: u16, method: &str, path: &str, key: Option<&str>, body: Bytes) -> (u16, Value) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(format!("http://127.0.0.1:{port}{path}"));
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    let response = client
        .request(request.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The local portal on a free port, with a courier: its port and the courier's key.
async fn start_portal() -> (u16, String, tempfile::TempDir) {
    let (store, dir) = portal_tests::embedded_store();
    let outbox = Outbox::new(store.clone());
    let ctx = portal::Ctx {
        store: Arc::new(store.clone()),
        mailer: Some(Arc::new(outbox.clone())),
        sms: Some(Arc::new(outbox)),
        pusher: None,
        clock: Arc::new(portal::clock::SystemClock),
        config: portal::ctx::Config {
            public_base_url: None,
            sender_email: "no-reply@portal.test".into(),
            sms: Default::default(),
            webhooks_allow_private: true,
        },
    };
    let (_, key) =
        portal::api::couriers::create_courier(&ctx, "Swift Couriers", "ops@swift.example", "UTC")
            .await
            .unwrap();
    let app = Arc::new(portal_local::LocalApp::new(
        Arc::new(ctx),
        &portal_local::Template::built_in(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(
        Arc::new(Server {
            app,
            outbox: Some(store),
            live: Default::default(),
        })
        .serve(listener),
    );
    (port, key.secret, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_portal_serves_the_api_and_its_outbox_over_http() {
    let (port, key, _dir) = start_portal().await;
    let body =
        Bytes::from(json!({"name": "Bloom Florist", "email": "orders@bloom.example"}).to_string());
    let (status, client) = send(port, "POST", "/v1/clients", Some(&key), body).await;
    assert_eq!(status, 201);
    let id = client["id"].as_str().unwrap();
    let (status, _) = send(
        port,
        "POST",
        &format!("/v1/clients/{id}/invitation"),
        Some(&key),
        Bytes::new(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, outbox) = send(port, "GET", "/dev/outbox", None, Bytes::new()).await;
    assert_eq!(status, 200);
    let email = &outbox["items"][0];
    assert_eq!(email["channel"], "email");
    assert_eq!(email["to"], "orders@bloom.example");
    assert!(
        email["body"]
            .as_str()
            .unwrap()
            .contains(&format!("http://127.0.0.1:{port}/invitations/")),
        "links point at the local portal"
    );
    assert!(email["at"].is_string() && email["subject"].is_string());

    let huge = Bytes::from(vec![b'x'; portal_local::server::MAX_REQUEST_BODY + 1]);
    let (status, error) = send(port, "POST", "/v1/clients", Some(&key), huge).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_sends_a_whole_oversized_body_before_reading_gets_the_413() {
    let (port, key, _dir) = start_portal().await;
    // Like urllib or most SDKs: the whole body is written, then the answer read.
    let length = portal_local::server::MAX_REQUEST_BODY + 24 * 1024 * 1024;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "POST /v1/clients HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    let mut sent = 0;
    while sent < length {
        let n = chunk.len().min(length - sent);
        stream
            .write_all(&chunk[..n])
            .await
            .expect("the server reads the whole body");
        sent += n;
    }
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .expect("the answer arrives, not a reset connection");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""code":"payload_too_large""#), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_portal_serves_its_api_contract() {
    let (port, _key, _dir) = start_portal().await;
    let (status, served) = send(port, "GET", "/openapi.json", None, Bytes::new()).await;
    assert_eq!(status, 200);
    assert_eq!(&served, portal_local::openapi::document());
    assert_eq!(served["openapi"], "3.1.0");
    let (status, error) = send(port, "POST", "/openapi.json", None, Bytes::new()).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
}

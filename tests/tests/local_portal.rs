//! The local portal as a newcomer runs it: over HTTP, with the stream delivered in-process
//! (a task event puts the recipient's SMS in `/dev/outbox`), a simulated STOP, and the
//! tracking page opened in a real browser (headless Chromium).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use std::time::Duration;

const RECIPIENT: &str = "+15551234567";

struct Portal {
    port: u16,
    _dir: tempfile::TempDir,
}

impl Portal {
    async fn start() -> Self {
        let (store, dir) = portal_tests::embedded_store();
        let (server, stream) = portal_local::embedded_portal(
            store,
            portal::ctx::Config {
                public_base_url: None,
                sender_email: "no-reply@portal.test".into(),
                sms: Default::default(),
                webhooks_allow_private: true,
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(stream.run());
        tokio::spawn(server.serve(listener));
        Self { port, _dir: dir }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("http://127.0.0.1:{}{path}", self.port));
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
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

    async fn outbox(&self) -> Vec<Value> {
        let (_, outbox) = self.send("GET", "/dev/outbox", None, None).await;
        outbox["items"].as_array().cloned().unwrap_or_default()
    }

    async fn sms_to(&self, to: &str) -> Vec<String> {
        self.outbox()
            .await
            .into_iter()
            .filter(|m| m["channel"] == "sms" && m["to"] == to)
            .map(|m| m["body"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Waits (bounded) until `to` has received `count` SMS.
    async fn wait_for_sms(&self, to: &str, count: usize) -> Vec<String> {
        for _ in 0..100 {
            let sms = self.sms_to(to).await;
            if sms.len() >= count {
                return sms;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{to} did not receive {count} SMS: {:?}",
            self.sms_to(to).await
        )
    }

    async fn event(&self, courier: &str, order: &Value, kind: &str, body: Value) {
        let task = order[kind]["id"].as_str().unwrap();
        let (status, response) = self
            .send(
                "POST",
                &format!("/v1/tasks/{task}/events"),
                Some(courier),
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{response}");
    }
}

/// A courier (as `portal-admin create-courier` makes it), a client onboarded over HTTP,
/// and one order.
async fn onboard(portal: &Portal) -> (String, String, Value) {
    let dir = portal._dir.path();
    let store = portal::store::embedded::EmbeddedStore::open(dir).unwrap();
    let outbox = portal::notify::Outbox::new(store.clone());
    let ctx = portal::Ctx {
        store: std::sync::Arc::new(store),
        mailer: Some(std::sync::Arc::new(outbox.clone())),
        sms: Some(std::sync::Arc::new(outbox)),
        pusher: None,
        clock: std::sync::Arc::new(portal::clock::SystemClock),
        config: portal::ctx::Config::from_env().expect("the environment's settings"),
    };
    let (_, key) = portal::api::couriers::create_courier(
        &ctx,
        "Swift Couriers",
        "ops@swift.example",
        "America/New_York",
    )
    .await
    .unwrap();
    let courier = key.secret;
    let (_, client) = portal
        .send(
            "POST",
            "/v1/clients",
            Some(&courier),
            Some(json!({"name": "Bloom Florist", "email": "orders@bloom.example"})),
        )
        .await;
    let id = client["id"].as_str().unwrap();
    portal
        .send(
            "POST",
            &format!("/v1/clients/{id}/invitation"),
            Some(&courier),
            None,
        )
        .await;
    let invitation = portal.outbox().await.last().unwrap()["body"]
        .as_str()
        .unwrap()
        .to_string();
    let token = portal_tests::token_in(&invitation, "/invitations/", "\n");
    let (status, accepted) = portal
        .send(
            "POST",
            &format!("/v1/invitations/{token}/accept"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    let client_key = accepted["apiKey"]["key"].as_str().unwrap().to_string();
    let order = create_order(portal, &client_key, RECIPIENT).await;
    (courier, client_key, order)
}

async fn create_order(portal: &Portal, client_key: &str, phone: &str) -> Value {
    let (status, order) = portal
        .send(
            "POST",
            "/v1/orders",
            Some(client_key),
            Some(json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Boston"}},
                "dropoff": {"address": {"line1": "9 Elm St", "city": "Cambridge"},
                            "recipient": {"name": "Marie Curie", "phone": phone}}
            })),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    order
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_event_on_the_local_portal_texts_the_recipient_and_stop_is_honoured() {
    let portal = Portal::start().await;
    let (courier, client, order) = onboard(&portal).await;
    // A picked-up parcel and a driver at the door are news the client turns on (off by
    // default): the suggested messages, with the default on-its-way one.
    let (status, saved) = portal
        .send(
            "PUT",
            "/v1/settings/notifications",
            Some(&client),
            Some(json!({"templates": {
                "pickup": {"completed": "Hi {recipientName}, your {clientName} order {orderShortId} has been picked up by {courierName}. Track it: {trackingLink}"},
                "dropoff": {
                    "started": "Hi {recipientName}, your {clientName} order {orderShortId} is on its way with {courierName}. Track it: {trackingLink}",
                    "arriving": "{driverName} from {courierName} is arriving with your {clientName} order {orderShortId}. {trackingLink}"
                }
            }})),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    for (kind, event) in [
        (
            "pickup",
            json!({"type": "assigned", "driver": {"name": "Sam Rivera"}}),
        ),
        ("pickup", json!({"type": "started"})),
        ("pickup", json!({"type": "completed"})),
    ] {
        portal.event(&courier, &order, kind, event).await;
    }
    // The suggested English message for a completed pickup.
    let sms = portal.wait_for_sms(RECIPIENT, 1).await;
    assert!(
        sms[0].starts_with("Hi Marie Curie, your Bloom Florist order"),
        "{sms:?}"
    );
    assert!(sms[0].contains(order["trackingUrl"].as_str().unwrap()));

    let (status, handled) = portal
        .send(
            "POST",
            "/dev/sms-inbound",
            None,
            Some(json!({"from": RECIPIENT, "body": "STOP"})),
        )
        .await;
    assert_eq!(status, 200, "{handled}");
    assert_eq!(handled["handled"][0]["command"], "stop");
    let sms = portal.wait_for_sms(RECIPIENT, 2).await;
    assert!(sms[1].contains("Reply START"), "{sms:?}");
    let (status, bad) = portal
        .send(
            "POST",
            "/dev/sms-inbound",
            None,
            Some(json!({"from": "not a phone", "body": "STOP"})),
        )
        .await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (422, Some("from"))
    );

    portal
        .event(
            &courier,
            &order,
            "dropoff",
            json!({"type": "assigned", "driver": {"name": "Sam Rivera"}}),
        )
        .await;
    portal
        .event(&courier, &order, "dropoff", json!({"type": "started"}))
        .await;
    // The stream is delivered in order: once a later change has texted someone else, the
    // start above has been handled (and sent nothing to the opted-out number).
    let other = "+15559876543";
    let later = create_order(&portal, &client, other).await;
    for (kind, event) in [
        (
            "pickup",
            json!({"type": "assigned", "driver": {"name": "Kim"}}),
        ),
        ("pickup", json!({"type": "started"})),
        ("pickup", json!({"type": "completed"})),
    ] {
        portal.event(&courier, &later, kind, event).await;
    }
    portal.wait_for_sms(other, 1).await;
    assert_eq!(
        portal.sms_to(RECIPIENT).await.len(),
        2,
        "only the replies so far"
    );
    // START: the next trigger (arriving) is sent again.
    portal
        .send(
            "POST",
            "/dev/sms-inbound",
            None,
            Some(json!({"from": RECIPIENT, "body": "start"})),
        )
        .await;
    portal
        .event(&courier, &order, "dropoff", json!({"type": "arrived"}))
        .await;
    let sms = portal.wait_for_sms(RECIPIENT, 4).await;
    assert!(
        sms[2].contains("receive delivery messages again"),
        "{sms:?}"
    );
    assert!(
        sms[3].starts_with("Sam from Swift Couriers is arriving"),
        "{sms:?}"
    );
    assert!(
        !sms.iter().any(|s| s.contains("is on its way")),
        "nothing was sent while the number was opted out: {sms:?}"
    );
}

/// Headless Chromium from Debian's package (`scripts/browser-env.sh` installs it), or
/// `CHROMIUM`. A test that needs it and cannot have it fails: passing without running would
/// report a page nobody looked at as working.
fn chromium() -> String {
    let candidate = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let found = std::process::Command::new(&candidate)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{candidate} is not installed (or does not run): this test needs Chromium; \
         ./scripts/browser-env.sh installs it (Debian's package)"
    );
    candidate
}

fn browse(chromium: &str, args: &[&str], url: &str) -> std::process::Output {
    std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=412,915",
        ])
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs")
}

// Ignored, so that a plain `cargo test` reports it as not run rather than needing Chromium;
// ./scripts/test.sh runs it (`--include-ignored`), and there a missing Chromium fails it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium (./scripts/browser-env.sh installs it); ./scripts/test.sh runs it"]
async fn the_tracking_page_renders_in_a_real_browser() {
    let chromium = chromium();
    let portal = Portal::start().await;
    let (courier, client, order) = onboard(&portal).await;
    let (status, _) = portal
        .send(
            "PUT",
            "/v1/settings/tracking-page",
            Some(&client),
            Some(json!({"primaryColor": "#ff5500", "headerTextColor": "#ffffff"})),
        )
        .await;
    assert_eq!(status, 200);
    for (kind, event) in [
        (
            "pickup",
            json!({"type": "assigned", "driver": {"name": "Sam Rivera"}}),
        ),
        ("pickup", json!({"type": "started"})),
        ("pickup", json!({"type": "completed"})),
        (
            "dropoff",
            json!({"type": "assigned", "driver": {"name": "Sam Rivera"}}),
        ),
        ("dropoff", json!({"type": "started"})),
    ] {
        portal.event(&courier, &order, kind, event).await;
    }
    let url = order["trackingUrl"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("http://127.0.0.1:{}/track/", portal.port)));
    let (dom, shot) = tokio::task::spawn_blocking(move || {
        let dom = browse(&chromium, &["--dump-dom"], &url);
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("tracking.png");
        let shot = browse(
            &chromium,
            &[&format!("--screenshot={}", png.display())],
            &url,
        );
        assert!(
            shot.status.success(),
            "{}",
            String::from_utf8_lossy(&shot.stderr)
        );
        (dom, std::fs::read(png).expect("a screenshot"))
    })
    .await
    .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    // The status heading (which live.js refreshes in place).
    assert!(dom.contains(r#"<h1 id="status""#), "{dom}");
    assert!(dom.contains(">On its way</h1>"), "{dom}");
    assert!(dom.contains("Sam"), "the driver's first name");
    assert!(!dom.contains("Rivera"), "only the first name");

    // The header is drawn in the client's colour.
    let decoder = png::Decoder::new(std::io::Cursor::new(shot));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![
        0;
        reader
            .output_buffer_size()
            .expect("a frame that fits in memory")
    ];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert!(
        info.width >= 400 && info.height >= 800,
        "{}x{}",
        info.width,
        info.height
    );
    let channels = info.color_type.samples();
    let at = |x: usize, y: usize| {
        let i = (y * info.width as usize + x) * channels;
        (pixels[i], pixels[i + 1], pixels[i + 2])
    };
    assert_eq!(at(5, 5), (0xff, 0x55, 0x00), "header colour");
    assert_ne!(
        at(5, info.height as usize - 5),
        (0xff, 0x55, 0x00),
        "the page below it is not"
    );
}

/// A request as a browser sends it from the portal's own origin (a form post or a page).
async fn browse_as(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: &str,
) -> (u16, Vec<(String, String)>, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(format!("http://127.0.0.1:{port}{path}"))
        .header("origin", format!("http://127.0.0.1:{port}"))
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = client
        .request(
            request
                .body(Full::new(Bytes::from(form.to_string())))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn session_cookie(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .find(|(n, v)| n == "set-cookie" && v.starts_with("__Host-session="))
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("a session cookie in {headers:?}"))
}

/// `portal-local`'s start on `data`, serving on a free port: its welcome (as printed) and
/// the tasks to stop it with.
async fn start_local(
    data: &std::path::Path,
    demo: bool,
) -> (u16, String, [tokio::task::JoinHandle<()>; 2]) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = portal::ctx::Config {
        public_base_url: None,
        sender_email: "no-reply@portal.test".into(),
        sms: Default::default(),
        webhooks_allow_private: true,
    };
    let base = format!("http://127.0.0.1:{port}");
    let (server, stream, welcome) = portal_local::start_embedded(data, config, &base, demo)
        .await
        .unwrap();
    let tasks = [
        tokio::spawn(stream.run()),
        tokio::spawn(async move {
            let _ = server.serve(listener).await;
        }),
    ];
    (port, welcome.to_string(), tasks)
}

fn printed_after<'a>(printed: &'a str, label: &str) -> &'a str {
    printed
        .split_once(label)
        .unwrap_or_else(|| panic!("{label:?} in:\n{printed}"))
        .1
        .split_whitespace()
        .next()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_prints_sign_in_links_and_makes_demo_data_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (port, printed, tasks) = start_local(&data, true).await;
    let base = format!("http://127.0.0.1:{port}");
    let courier_link = printed_after(
        &printed,
        "Sign in as the courier (Demo Courier, dispatch@demo-courier.example):",
    );
    let client_link = printed_after(
        &printed,
        "Sign in as the client (Demo Florist, orders@demo-florist.example):",
    );
    for link in [courier_link, client_link] {
        assert!(
            link.starts_with(&format!("{base}/reset-password/")),
            "{printed}"
        );
    }
    assert_ne!(courier_link, client_link);
    assert!(!printed.contains('{'), "no JSON: {printed}");
    let key = printed_after(&printed, "export COURIER_KEY=").to_string();
    let client_key = printed_after(&printed, "export CLIENT_KEY=").to_string();

    // The courier's link: its page, then a password set there signs the courier's person in.
    let path = courier_link.trim_start_matches(&base);
    let (status, _, form) = browse_as(port, "GET", path, None, "").await;
    assert_eq!(status, 200, "{form}");
    assert!(form.contains("Set your password"), "{form}");
    let (status, headers, text) =
        browse_as(port, "POST", path, None, "password=demo+courier+passphrase").await;
    assert_eq!(status, 303, "{text}");
    let courier = session_cookie(&headers);
    let (status, _, orders) = browse_as(port, "GET", "/orders", Some(&courier), "").await;
    assert_eq!(status, 200, "{orders}");
    assert!(
        orders.contains("Marie Curie"),
        "the demo client's orders: {orders}"
    );
    // The client's link, then the client's person signs in again with that password.
    let path = client_link.trim_start_matches(&base);
    let (status, _, text) =
        browse_as(port, "POST", path, None, "password=demo+florist+passphrase").await;
    assert_eq!(status, 303, "{text}");
    let (status, headers, text) = browse_as(
        port,
        "POST",
        "/login",
        None,
        "email=orders%40demo-florist.example&password=demo+florist+passphrase",
    )
    .await;
    assert_eq!(status, 303, "{text}");
    let (status, _, orders) =
        browse_as(port, "GET", "/orders", Some(&session_cookie(&headers)), "").await;
    assert_eq!(status, 200, "{orders}");
    assert!(orders.contains("Marie Curie"), "a demo recipient");

    // The demo client has an order in every status, and is priced (its orders are quoted).
    let portal = Portal { port, _dir: dir };
    let (status, listed) = portal
        .send("GET", "/v1/orders?limit=100", Some(&key), None)
        .await;
    assert_eq!(status, 200, "{listed}");
    let items = listed["items"].as_array().unwrap();
    let mut statuses: Vec<&str> = items
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            "completed",
            "draft",
            "failed",
            "in_progress",
            "placed",
            "rejected",
            "scheduled",
            "withdrawn"
        ]
    );
    assert!(items.iter().all(|o| o["clientName"] == "Demo Florist"));
    assert!(
        items.iter().all(|o| o["quote"].is_object()),
        "quoted with the demo service: {listed}"
    );
    let (_, clients) = portal.send("GET", "/v1/clients", Some(&key), None).await;
    assert_eq!(clients["items"].as_array().unwrap().len(), 1, "{clients}");
    assert_eq!(clients["items"][0]["status"], "active");
    let (status, own) = portal
        .send("GET", "/v1/orders?limit=100", Some(&client_key), None)
        .await;
    assert_eq!(status, 200, "the client's key: {own}");
    assert_eq!(own["items"].as_array().unwrap().len(), 8, "{own}");

    // A second start on the same directory creates nothing and says how to sign in again.
    for task in tasks {
        task.abort();
        let _ = task.await;
    }
    let (port, again, tasks) = start_local(&data, true).await;
    assert!(!again.contains("/reset-password/"), "{again}");
    assert!(!again.contains("COURIER_KEY"), "{again}");
    for expected in [
        "dispatch@demo-courier.example",
        "orders@demo-florist.example",
        "portal-admin -- password-link",
        &format!("--data-dir {}", data.display()),
    ] {
        assert!(again.contains(expected), "{expected:?} in:\n{again}");
    }
    let portal = Portal {
        port,
        _dir: portal._dir,
    };
    let (_, listed) = portal
        .send("GET", "/v1/orders?limit=100", Some(&key), None)
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 8, "{listed}");
    let (_, clients) = portal.send("GET", "/v1/clients", Some(&key), None).await;
    assert_eq!(clients["items"].as_array().unwrap().len(), 1, "{clients}");
    // The people are the same: the courier's password set on the first run still signs in.
    let (status, _, text) = browse_as(
        port,
        "POST",
        "/login",
        None,
        "email=dispatch%40demo-courier.example&password=demo+courier+passphrase",
    )
    .await;
    assert_eq!(status, 303, "{text}");
    for task in tasks {
        task.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_without_demo_data_makes_only_the_courier_and_its_person() {
    let dir = tempfile::tempdir().unwrap();
    let (port, printed, tasks) = start_local(dir.path(), false).await;
    assert!(printed.contains("Sign in as the courier"), "{printed}");
    assert!(!printed.contains("the client"), "{printed}");
    assert!(!printed.contains("CLIENT_KEY"), "{printed}");
    let key = printed_after(&printed, "export COURIER_KEY=").to_string();
    let portal = Portal { port, _dir: dir };
    let (_, clients) = portal.send("GET", "/v1/clients", Some(&key), None).await;
    assert_eq!(clients["items"], json!([]), "{clients}");
    for task in tasks {
        task.abort();
    }
}

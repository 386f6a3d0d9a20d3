//! `TestApp`: the portal as the tests drive it. The same template routes, authorizer and use
//! cases as the local server, on the embedded store or on moto server (DynamoDB, SES, SNS).

use bytes::Bytes;
use serde_json::Value;
use std::sync::Arc;

use portal::clock::ShiftedClock;
use portal::ctx::Config;
use portal::notify::{Connections, Outbox, OutgoingEmail, Recorder, Sent, SesMailer, SnsSms};
use portal::store::dynamo::DynamoStore;
use portal::store::embedded::EmbeddedStore;
use portal::store::{Scanner, Store};
use portal::Ctx;
use portal_local::streams::LocalStream;
use portal_local::{LocalApp, Template};

pub mod faults;
pub mod logs;
pub mod moto_stream;

pub use logs::LogWatch;

pub const SENDER: &str = "no-reply@portal.example";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Moto,
}

pub struct TestApp {
    pub app: LocalApp,
    pub backend: Backend,
    pub recorder: Arc<Recorder>,
    pub clock: Arc<ShiftedClock>,
    pub store: Arc<dyn Store>,
    /// The same store as a [`Scanner`] (what `portal-admin` holds; no function does).
    pub scanner: Arc<dyn Scanner>,
    /// The embedded store's directory (kept alive for the test).
    pub dir: Option<tempfile::TempDir>,
    pub moto_url: Option<String>,
    /// The table on moto server (moto only).
    pub table: Option<String>,
    /// DynamoDB calls made since the last `take` (moto only).
    pub calls: CallCounter,
    /// The table's stream: the embedded change log, or moto's stream.
    pub stream: Stream,
    /// The same stream, read by the live updates' pusher.
    pub live_stream: Stream,
    /// The open pages' WebSockets the pusher posts to (`live.open(id)` opens one).
    pub live: Arc<Connections>,
    /// The scenario's log lines and the secrets it handled ([`on_both_backends!`] checks
    /// that no line holds one).
    pub logs: LogWatch,
}

pub enum Stream {
    Embedded(LocalStream),
    Moto(moto_stream::MotoStream),
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub headers: Vec<(String, String)>,
}

impl From<portal::http::ApiResponse> for TestResponse {
    fn from(response: portal::http::ApiResponse) -> Self {
        let text = String::from_utf8_lossy(&response.body).into_owned();
        TestResponse {
            status: response.status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            headers: response.headers,
        }
    }
}

impl TestResponse {
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
    pub fn error_field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or_default()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A courier or client with its key, as tests hold them.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub key: String,
}

/// moto server's URL, from `PORTAL_MOTO_URL` (the test script starts moto and sets it).
/// Tests on moto call [`skip_without_moto`] first.
pub fn moto_url() -> String {
    std::env::var("PORTAL_MOTO_URL").unwrap_or_else(|_| {
        panic!("PORTAL_MOTO_URL is not set: run the tests with ./scripts/test.sh, which starts moto server")
    })
}

/// What a run without moto server prints, once.
pub const MOTO_SKIPPED: &str = "PORTAL_MOTO_URL is not set: the scenarios on moto server \
(DynamoDB, SES, SNS) were skipped and pass without running; only the embedded store ran. \
./scripts/test.sh starts moto and runs them all.";

/// Whether a test on moto server is to be skipped: `PORTAL_MOTO_URL` is not set (a plain
/// `cargo test` runs the embedded half), which it says once per run. Where moto is required
/// (`PORTAL_REQUIRE_MOTO`, set by ./scripts/test.sh) a missing URL fails the test instead.
pub fn skip_without_moto() -> bool {
    if std::env::var_os("PORTAL_MOTO_URL").is_some_and(|url| !url.is_empty()) {
        return false;
    }
    assert!(
        std::env::var_os("PORTAL_REQUIRE_MOTO").is_none(),
        "PORTAL_REQUIRE_MOTO is set but PORTAL_MOTO_URL is not: these tests need moto server \
         (./scripts/test.sh starts it)"
    );
    static NOTICE: std::sync::Once = std::sync::Once::new();
    NOTICE.call_once(|| {
        // Straight to the terminal: the harness keeps what a passing test prints to itself.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("\nnotice: {MOTO_SKIPPED}\n").as_bytes(),
        );
    });
    true
}

/// The functions' own HTTPS client (built-in trust store) over plain http to moto server.
pub async fn moto_aws_config() -> aws_config::SdkConfig {
    moto_aws_config_at(&moto_url()).await
}

/// [`moto_aws_config`] with every client pointed at `url` (a [`faults::FaultProxy`] before
/// moto server). The standard retries of the functions, with a 20 ms first backoff instead
/// of 1 s: the fault tests throttle hundreds of calls, and wait for none of them.
pub async fn moto_aws_config_at(url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_initial_backoff(std::time::Duration::from_millis(20)),
        )
        .http_client(portal::aws::https_client().expect("the functions' HTTPS client"))
        .endpoint_url(url)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await
}

/// Counts DynamoDB operations (one per API call, whatever its retries), to pin how many
/// calls each endpoint makes.
#[derive(Debug, Clone, Default)]
pub struct CallCounter(Arc<std::sync::atomic::AtomicUsize>);

impl CallCounter {
    pub fn take(&self) -> usize {
        self.0.swap(0, std::sync::atomic::Ordering::SeqCst)
    }
}

impl aws_smithy_runtime_api::client::interceptors::Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_execution(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef<'_>,
        _config: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

/// A fresh table on moto server, created from template.yaml's definition.
pub async fn moto_store() -> DynamoStore {
    moto_store_counted(CallCounter::default()).await
}

pub async fn moto_store_counted(counter: CallCounter) -> DynamoStore {
    moto_store_at(&moto_url(), counter).await
}

async fn moto_store_at(url: &str, counter: CallCounter) -> DynamoStore {
    let aws = moto_aws_config_at(url).await;
    let config = aws_sdk_dynamodb::config::Builder::from(&aws)
        .interceptor(counter)
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let table = format!("portal-test-{}", ulid::Ulid::generate());
    portal_local::table::create_table(&client, &table, &Template::built_in().table)
        .await
        .expect("table created on moto");
    DynamoStore::new(client, table)
}

pub fn embedded_store() -> (EmbeddedStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    (
        EmbeddedStore::open(dir.path()).expect("embedded store opens"),
        dir,
    )
}

impl TestApp {
    /// Moves the clock to the start of the next hour, so that a test counting requests in
    /// fixed windows (15 and 60 minutes) stays inside one window however slow the machine
    /// is: on wall-clock time, 350 counted attempts on moto can straddle a window's end,
    /// and the count starts again mid-test. Call it first, before anything is created.
    pub fn at_the_start_of_a_window(&self) {
        // A second past the hour: the clock's offset is kept in whole milliseconds.
        let next = (chrono::Utc::now().timestamp() / 3600 + 1) * 3600 + 1;
        self.clock
            .travel_to(chrono::DateTime::from_timestamp(next, 0).expect("a time"));
    }

    pub async fn new(backend: Backend) -> Self {
        let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        match backend {
            Backend::Embedded => Self::embedded().await,
            Backend::Moto => Self::moto().await,
        }
    }

    pub async fn embedded() -> Self {
        let (store, dir) = embedded_store();
        let outbox = Arc::new(Outbox::new(store.clone()));
        let recorder = Arc::new(Recorder::new(outbox.clone(), outbox));
        Self::assemble(
            Backend::Embedded,
            (Arc::new(store.clone()), Arc::new(store.clone())),
            recorder,
            Some(dir),
            None,
            CallCounter::default(),
            |ctx, full| {
                (
                    Stream::Embedded(LocalStream::new(store.clone(), ctx)),
                    Stream::Embedded(LocalStream::live_pusher(store, full)),
                )
            },
        )
    }

    pub async fn moto() -> Self {
        Self::moto_at(&moto_url()).await
    }

    /// On moto server through `url` (a [`faults::FaultProxy`]): every DynamoDB, SES and SNS
    /// call of the portal goes there; the tests' own reads of moto's outbox do not.
    pub async fn moto_at(url: &str) -> Self {
        let aws = moto_aws_config_at(url).await;
        let ses = aws_sdk_sesv2::Client::new(&aws);
        // moto, like SES in the sandbox, sends only from verified identities.
        let _ = ses
            .create_email_identity()
            .email_identity(SENDER)
            .send()
            .await;
        let recorder = Arc::new(Recorder::new(
            Arc::new(SesMailer::new(ses, SENDER)),
            Arc::new(SnsSms::new(aws_sdk_sns::Client::new(&aws))),
        ));
        let calls = CallCounter::default();
        let store = moto_store_at(url, calls.clone()).await;
        let stream = moto_stream::MotoStream::open(store.client(), store.table()).await;
        let live_stream = moto_stream::MotoStream::open(store.client(), store.table()).await;
        let table = store.table().to_string();
        let mut app = Self::assemble(
            Backend::Moto,
            (Arc::new(store.clone()), Arc::new(store)),
            recorder,
            None,
            Some(moto_url()),
            calls,
            |_, _| (Stream::Moto(stream), Stream::Moto(live_stream)),
        );
        app.table = Some(table);
        app
    }

    fn assemble(
        backend: Backend,
        (store, scanner): (Arc<dyn Store>, Arc<dyn Scanner>),
        recorder: Arc<Recorder>,
        dir: Option<tempfile::TempDir>,
        moto_url: Option<String>,
        calls: CallCounter,
        stream: impl FnOnce(Arc<Ctx>, &Ctx) -> (Stream, Stream),
    ) -> Self {
        let clock = Arc::new(ShiftedClock::default());
        let live = Arc::new(Connections::default());
        let ctx = Ctx {
            store: store.clone(),
            mailer: Some(recorder.clone()),
            sms: Some(recorder.clone()),
            pusher: Some(live.clone()),
            clock: clock.clone(),
            config: Config {
                public_base_url: Some("https://portal.test".into()),
                sender_email: SENDER.into(),
                sms: Default::default(),
                webhooks_allow_private: true,
            },
        };
        let ctx = Arc::new(ctx);
        let (stream, live_stream) = stream(
            Arc::new(ctx.wired_for(portal_local::functions::STATUS_FANOUT.needs)),
            &ctx,
        );
        let app = LocalApp::new(ctx, &Template::built_in());
        Self {
            logs: LogWatch::default(),
            stream,
            live_stream,
            live,
            app,
            backend,
            recorder,
            clock,
            store,
            scanner,
            dir,
            moto_url,
            table: None,
            calls,
        }
    }

    pub fn ctx(&self) -> &Ctx {
        &self.app.ctx
    }

    /// A recorder that has sent nothing (for checks run outside a scenario).
    pub fn null_recorder() -> Recorder {
        struct Nowhere;
        #[async_trait::async_trait]
        impl portal::notify::Mailer for Nowhere {
            async fn send_email(
                &self,
                _: &OutgoingEmail,
            ) -> Result<(), portal::notify::NotifyError> {
                Ok(())
            }
        }
        #[async_trait::async_trait]
        impl portal::notify::SmsSender for Nowhere {
            async fn send_sms(
                &self,
                _: &portal::domain::Phone,
                _: &str,
            ) -> Result<(), portal::notify::NotifyError> {
                Ok(())
            }
        }
        Recorder::new(Arc::new(Nowhere), Arc::new(Nowhere))
    }

    /// An answer as the tests read it, its secrets noted for the log check.
    fn observed(&self, response: portal::http::ApiResponse) -> TestResponse {
        let response = TestResponse::from(response);
        self.logs.note_response(&response.headers, &response.text);
        response
    }

    /// A JSON request with an optional key.
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut headers = vec![];
        if let Some(key) = key {
            headers.push(("authorization", format!("Bearer {key}")));
        }
        let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.raw(method, uri, &headers, body).await
    }

    pub async fn raw(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> TestResponse {
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        self.logs.note_request(&map, &body);
        let response = self.app.handle(method, uri, map, body).await;
        self.observed(response)
    }

    pub async fn get(&self, uri: &str, key: &str) -> TestResponse {
        self.call("GET", uri, Some(key), None).await
    }

    pub async fn post(&self, uri: &str, key: &str, body: Value) -> TestResponse {
        self.call("POST", uri, Some(key), Some(body)).await
    }

    pub async fn create_courier(&self, name: &str) -> Org {
        let email = format!("dispatch@{}.example", name.to_lowercase().replace(' ', "-"));
        let (courier, key) =
            portal::api::couriers::create_courier(self.ctx(), name, &email, "Europe/Paris")
                .await
                .expect("courier created");
        self.logs.secret(&key.secret);
        self.logs.secret(&email);
        Org {
            id: courier.id.to_string(),
            key: key.secret,
        }
    }

    /// Creates a team of `courier` and returns its id (`team_…`).
    pub async fn create_team(&self, courier: &Org, name: &str) -> String {
        let response = self
            .post(
                "/v1/teams",
                &courier.key,
                serde_json::json!({ "name": name }),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        response.body["id"].as_str().unwrap().to_string()
    }

    /// Creates a client as `courier` and returns its id (status pending).
    pub async fn create_client(&self, courier: &Org, name: &str, email: &str) -> String {
        let response = self
            .post(
                "/v1/clients",
                &courier.key,
                serde_json::json!({ "name": name, "email": email }),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        response.body["id"].as_str().unwrap().to_string()
    }

    /// Invites the client and returns the token from the invitation email.
    pub async fn invite(&self, courier: &Org, client_id: &str) -> String {
        let response = self
            .call(
                "POST",
                &format!("/v1/clients/{client_id}/invitation"),
                Some(&courier.key),
                None,
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        let email = self.last_email_to(response.body["sentTo"].as_str().unwrap());
        token_in(&email.text, "/invitations/", "\n")
    }

    /// Create, invite, accept: an active client with its first key.
    pub async fn onboard_client(&self, courier: &Org, name: &str, email: &str) -> Org {
        let id = self.create_client(courier, name, email).await;
        let token = self.invite(courier, &id).await;
        let accepted = self
            .call(
                "POST",
                &format!("/v1/invitations/{token}/accept"),
                None,
                None,
            )
            .await;
        assert_eq!(accepted.status, 201, "{}", accepted.text);
        Org {
            id,
            key: accepted.body["apiKey"]["key"].as_str().unwrap().to_string(),
        }
    }

    /// Calls a use case directly, as its Lambda function would run it behind the authorizer
    /// (so only the use case's own store calls are made).
    pub async fn invoke(
        &self,
        function: &str,
        key: &str,
        path_params: &[(&str, &str)],
        body: Option<Value>,
    ) -> TestResponse {
        let header = format!("Bearer {key}");
        let principal = portal::auth::authorize(self.store.as_ref(), Some(&header))
            .await
            .unwrap()
            .expect("a valid key");
        // The authorizer is its own Lambda: its reads are not the use case's.
        self.calls.take();
        let request = portal::http::ApiRequest {
            method: "POST".into(),
            path_params: path_params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.map(|b| Bytes::from(b.to_string())).unwrap_or_default(),
            auth: Some(Ok(principal)),
            ..Default::default()
        };
        let function =
            portal_local::functions::http_function(function).expect("a registered function");
        self.logs.note_request(&request.headers, &request.body);
        self.logs.secret(key);
        let response = (function.handler)(self.app.ctx_for(function), request).await;
        self.observed(response)
    }

    /// Like [`invoke`](Self::invoke), with a query string, a content type and a raw body
    /// (a sheet for `create-import`).
    pub async fn invoke_raw(
        &self,
        function: &str,
        key: &str,
        query: &[(&str, &str)],
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> TestResponse {
        let header = format!("Bearer {key}");
        let principal = portal::auth::authorize(self.store.as_ref(), Some(&header))
            .await
            .unwrap()
            .expect("a valid key");
        self.calls.take();
        let mut headers = http::HeaderMap::new();
        headers.insert("content-type", content_type.parse().unwrap());
        let request = portal::http::ApiRequest {
            method: "POST".into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers,
            body: body.into(),
            auth: Some(Ok(principal)),
            ..Default::default()
        };
        let function =
            portal_local::functions::http_function(function).expect("a registered function");
        self.logs.note_request(&request.headers, &request.body);
        self.logs.secret(key);
        let response = (function.handler)(self.app.ctx_for(function), request).await;
        self.observed(response)
    }

    /// Delivers what the table's stream holds to the status fan-out, as the event source
    /// mapping would; returns how many batches reported a failed record.
    pub async fn deliver_stream(&self) -> usize {
        match &self.stream {
            Stream::Embedded(stream) => stream
                .drain()
                .await
                .expect("local stream delivery")
                .iter()
                .filter(|d| d.failed.is_some())
                .count(),
            Stream::Moto(stream) => stream
                .deliver(
                    &self
                        .app
                        .ctx
                        .wired_for(portal_local::functions::STATUS_FANOUT.needs),
                )
                .await
                .iter()
                .filter(|r| !r.batch_item_failures.is_empty())
                .count(),
        }
    }

    /// Delivers the stream's new records to the live updates' pusher; how many batches
    /// reported a failure.
    pub async fn deliver_live(&self) -> usize {
        match &self.live_stream {
            Stream::Embedded(stream) => stream
                .drain()
                .await
                .expect("local stream delivery")
                .iter()
                .filter(|d| d.failed.is_some())
                .count(),
            Stream::Moto(stream) => stream
                .deliver_live(
                    &self
                        .app
                        .ctx
                        .wired_for(portal_local::functions::LIVE_PUSHER.needs),
                )
                .await
                .iter()
                .filter(|r| !r.batch_item_failures.is_empty())
                .count(),
        }
    }

    /// Delivers the whole stream again from its start (a replay after a failure).
    pub async fn redeliver_stream_from_start(&self) -> usize {
        match &self.stream {
            Stream::Embedded(stream) => stream.rewind().await.expect("rewind"),
            Stream::Moto(stream) => stream.rewind().await,
        }
        self.deliver_stream().await
    }

    /// SMS that moto's SNS sent, as (to, text).
    pub async fn moto_sms(&self) -> Vec<(String, String)> {
        moto_data().await["sns"]["SMS"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|m| {
                (
                    m["phone_number"].as_str().unwrap_or("").to_string(),
                    m["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    /// Emails that moto's SES sent, each as "subject\nbody".
    pub async fn moto_emails(&self) -> Vec<String> {
        moto_data().await["ses"]["Message"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|m| {
                format!(
                    "{}\n{}",
                    m["subject"].as_str().unwrap_or(""),
                    m["body"].as_str().unwrap_or("")
                )
            })
            .collect()
    }

    /// SMS sent, as (to, text), oldest first.
    pub fn sms(&self) -> Vec<(String, String)> {
        self.recorder
            .sent()
            .into_iter()
            .filter_map(|s| match s {
                Sent::Sms { to, body } => Some((to.as_str().to_string(), body)),
                _ => None,
            })
            .collect()
    }

    pub fn emails(&self) -> Vec<OutgoingEmail> {
        self.recorder
            .sent()
            .into_iter()
            .filter_map(|s| {
                if let Sent::Email(e) = s {
                    Some(e)
                } else {
                    None
                }
            })
            .collect()
    }

    pub fn last_email_to(&self, to: &str) -> OutgoingEmail {
        self.emails()
            .into_iter()
            .rev()
            .find(|e| e.to.as_str() == to)
            .unwrap_or_else(|| panic!("no email to {to}"))
    }
}

/// A real AWS event from aws_lambda_events' own fixtures (in cargo's registry).
pub fn fixture_text(name: &str) -> String {
    let cargo_home = std::env::var("CARGO_HOME")
        .unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap()));
    let registries =
        std::fs::read_dir(format!("{cargo_home}/registry/src")).expect("cargo registry sources");
    let crate_dir = registries
        .filter_map(Result::ok)
        .flat_map(|registry| {
            std::fs::read_dir(registry.path())
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
        })
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!(
                    "aws_lambda_events-{}",
                    locked_version("aws_lambda_events")
                ))
                && p.join("src/fixtures").is_dir()
        })
        .max()
        .expect("aws_lambda_events sources with fixtures");
    std::fs::read_to_string(crate_dir.join("src/fixtures").join(name)).unwrap()
}

pub fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).expect("a JSON fixture")
}

/// What moto server recorded (`/moto-api/data.json`).
pub async fn moto_data() -> Value {
    use http_body_util::BodyExt;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<Bytes>>();
    let uri: hyper::Uri = format!("{}/moto-api/data.json", moto_url())
        .parse()
        .unwrap();
    let response = client.get(uri).await.expect("moto data");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).expect("moto data is JSON")
}

/// The token between `before` and `after` in a message.
/// `name=value` of the session cookie a response sets, to send back as `Cookie`.
pub fn session_cookie(response: &portal::http::ApiResponse) -> String {
    response
        .headers
        .iter()
        .find(|(name, value)| {
            name.eq_ignore_ascii_case("set-cookie") && value.starts_with("__Host-session=")
        })
        .and_then(|(_, value)| value.split(';').next())
        .expect("a session cookie")
        .to_string()
}

pub fn token_in(text: &str, before: &str, after: &str) -> String {
    let start = text
        .find(before)
        .unwrap_or_else(|| panic!("no {before} in {text}"))
        + before.len();
    let end = text[start..].find(after).unwrap() + start;
    text[start..end].to_string()
}

/// Runs a scenario with its log lines captured ([`TestApp::logs`]), then checks that none
/// holds a secret or a person's number or address the scenario handled.
pub async fn run_watched<F, Fut>(app: TestApp, scenario: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use tracing::instrument::WithSubscriber;
    let logs = app.logs.clone();
    let recorder = app.recorder.clone();
    scenario(app).with_subscriber(logs.dispatch()).await;
    logs.assert_no_secrets(&recorder);
}

/// Generates one test per backend for each named `async fn(TestApp)`, its logs checked
/// ([`run_watched`]).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::run_watched($crate::TestApp::new($crate::Backend::Embedded).await, super::$name).await
                }
            )*
        }
        mod moto {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::skip_without_moto() {
                        return;
                    }
                    $crate::run_watched($crate::TestApp::new($crate::Backend::Moto).await, super::$name).await
                }
            )*
        }
    };
}

/// `cargo metadata --format-version 1` of the workspace, with `extra` flags (`--no-deps`,
/// `--locked`, …): what the layout and dependency tests read.
pub fn cargo_metadata(extra: &[&str]) -> Value {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .args(extra)
        .current_dir(workspace)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The version of `package` in the workspace's Cargo.lock.
pub fn locked_version(package: &str) -> String {
    let lock = include_str!("../../Cargo.lock");
    let name = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == name {
            let version = lines.next().expect("a version after the name");
            return version
                .trim_start_matches("version = \"")
                .trim_end_matches('"')
                .to_string();
        }
    }
    panic!("{package} is not in Cargo.lock")
}

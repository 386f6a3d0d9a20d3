//! The HTTP client every AWS SDK client is given: HTTP/1.1 over rustls (ring) on hyper 1's
//! pooled client, trusting only the roots in [`super::TRUSTED_ROOTS`].
//!
//! The SDK's own client (aws-smithy-http-client) always links HTTP/2 (h2, some 250 KB of
//! code in every binary); DynamoDB, SNS and SES answer over HTTP/1.1, which is what the SDK
//! negotiates with them anyway. This adapter is what that crate's hyper client does for
//! HTTP/1.1: the SDK's request is turned into an `http` 1.x request, sent on a kept-alive
//! connection, and failures are classified for the SDK's retry strategy (connection and I/O
//! errors and timeouts are transient, so retried). As there, the SDK's connect timeout bounds
//! the TCP connect and the TLS handshake together, its read timeout bounds each request until
//! the response's head, and the connection that served a request is made known to the SDK, so
//! that after a transient failure it can poison it and retry on a new one.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connection::{CaptureSmithyConnection, ConnectionMetadata};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::ErrorKind;
use http::Uri;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder, MaybeHttpsStream};
use hyper_util::client::legacy::connect::{
    capture_connection, CaptureConnection, HttpConnector as TcpConnector, HttpInfo,
};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioIo;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

type Pool = Client<Bounded, SdkBody>;

/// The connect and read timeouts the SDK asks a connector for.
type Timeouts = (Option<Duration>, Option<Duration>);

/// An [`HttpClient`] for the SDK: one connection pool per pair of connect and read timeouts
/// the SDK asks for (in practice one: every client here is configured alike).
#[derive(Debug)]
pub struct Http1Client {
    tls: ClientConfig,
    pools: Mutex<Vec<(Timeouts, SharedHttpConnector)>>,
}

impl Http1Client {
    /// A client trusting `roots` (PEM certificates).
    pub fn new<'a>(roots: impl IntoIterator<Item = &'a [u8]>) -> Result<Self, String> {
        let mut store = RootCertStore::empty();
        for pem in roots {
            let cert = CertificateDer::from_pem_slice(pem)
                .map_err(|e| format!("a built-in root certificate cannot be read: {e}"))?;
            store
                .add(cert)
                .map_err(|e| format!("a built-in root certificate is not usable: {e}"))?;
        }
        let tls = ClientConfig::builder_with_provider(Arc::new(ring_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("the TLS configuration cannot be built: {e}"))?
            .with_root_certificates(store)
            .with_no_client_auth();
        Ok(Self {
            tls,
            pools: Mutex::new(Vec::new()),
        })
    }

    /// This client as the SDK takes it.
    pub fn shared(self) -> SharedHttpClient {
        SharedHttpClient::new(self)
    }

    /// The connector for `settings`' timeouts.
    fn connector(&self, settings: &HttpConnectorSettings) -> SharedHttpConnector {
        let timeouts = (settings.connect_timeout(), settings.read_timeout());
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, connector)) = pools.iter().find(|(t, _)| *t == timeouts) {
            return connector.clone();
        }
        let connector = SharedHttpConnector::new(Http1Connector {
            pool: self.pool(timeouts.0),
            read_timeout: timeouts.1,
        });
        pools.push((timeouts, connector.clone()));
        connector
    }

    fn pool(&self, connect_timeout: Option<Duration>) -> Pool {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        // hyper shares this out between an endpoint's addresses, so that one that does not
        // answer leaves time for the next; `Bounded` holds the whole connection to it.
        tcp.set_connect_timeout(connect_timeout);
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(self.tls.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .build(Bounded {
                inner: https,
                limit: connect_timeout,
            })
    }
}

impl HttpClient for Http1Client {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.connector(settings)
    }
}

/// rustls on *ring*: TLS 1.3 and 1.2 with X25519, P-256 and P-384 key exchange, no C
/// toolchain beyond ring's own, and 0.17 MB less per zip than aws-lc-rs (BENCHMARKS.md).
/// rustls 0.23.48 deprecated this provider because *ring* has no post-quantum key exchange
/// (ML-KEM hybrids need aws-lc-rs): a known trade-off here, written down in BENCHMARKS.md,
/// "Size", not an oversight.
#[allow(deprecated)]
pub(crate) fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// The HTTPS connector with the SDK's connect timeout over the whole of making a connection:
/// TCP connect and TLS handshake (a server that accepts and never completes the handshake
/// would otherwise hold a request until the function times out).
#[derive(Clone, Debug)]
struct Bounded {
    inner: HttpsConnector<TcpConnector>,
    limit: Option<Duration>,
}

type Connecting = Pin<
    Box<
        dyn Future<Output = Result<MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>, BoxError>>
            + Send,
    >,
>;

impl tower_service::Service<Uri> for Bounded {
    type Response = MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Connecting {
        let connecting = self.inner.call(uri);
        let Some(limit) = self.limit else {
            return Box::pin(connecting);
        };
        Box::pin(async move {
            tokio::time::timeout(limit, connecting)
                .await
                .map_err(|_| timed_out("no connection", limit))?
        })
    }
}

/// A timeout as [`classify`] recognises it.
fn timed_out(what: &str, limit: Duration) -> BoxError {
    std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("{what} within {limit:?}"),
    )
    .into()
}

/// One pool of kept-alive connections, and the read timeout of each request on it.
#[derive(Clone, Debug)]
struct Http1Connector {
    pool: Pool,
    read_timeout: Option<Duration>,
}

impl HttpConnector for Http1Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let mut request = match request.try_into_http1x() {
            Ok(request) => request,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        // The SDK's connection-poisoning interceptor puts a `CaptureSmithyConnection` in the
        // request; after a transient failure it asks it for the connection, to poison it (hyper
        // then drops it instead of pooling it, and the retry gets a new one). Without a
        // connection there it logs an error and the bad connection is reused.
        let connection = capture_connection(&mut request);
        if let Some(capture) = request.extensions().get::<CaptureSmithyConnection>() {
            capture.set_connection_retriever(move || smithy_connection(&connection));
        }
        let sent = self.pool.request(request);
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            // As the SDK's own client: from the request to the response's head (a wait for a
            // connection included).
            let response = match read_timeout {
                Some(limit) => tokio::time::timeout(limit, sent)
                    .await
                    .map_err(|_| ConnectorError::timeout(timed_out("no response", limit)))?,
                None => sent.await,
            }
            .map_err(|e| classify(e.into()))?;
            Response::try_from(response.map(SdkBody::from_body_1_x))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// The connection hyper used for a request, as the SDK sees it: its addresses and how to
/// poison it.
fn smithy_connection(capture: &CaptureConnection) -> Option<ConnectionMetadata> {
    let connected = capture.connection_metadata();
    let connected = connected.as_ref()?;
    let mut extensions = http::Extensions::new();
    connected.get_extras(&mut extensions);
    let info = extensions.get::<HttpInfo>();
    let poisoned = capture.clone();
    let mut metadata = ConnectionMetadata::builder()
        .proxied(connected.is_proxied())
        .poison_fn(move || {
            if let Some(connected) = poisoned.connection_metadata().as_ref() {
                connected.poison();
            }
        });
    metadata
        .set_local_addr(info.map(HttpInfo::local_addr))
        .set_remote_addr(info.map(HttpInfo::remote_addr));
    Some(metadata.build())
}

/// What the SDK's retry strategy needs to know of a failed exchange: a connection that could
/// not be made, broke or was closed, or that timed out, is worth another attempt.
fn classify(error: BoxError) -> ConnectorError {
    let legacy = find::<hyper_util::client::legacy::Error>(error.as_ref());
    let hyper = find::<hyper::Error>(error.as_ref());
    let io = find::<std::io::Error>(error.as_ref());
    if hyper.is_some_and(|e| e.is_timeout())
        || io.is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut)
    {
        return ConnectorError::timeout(error);
    }
    if hyper.is_some_and(|e| e.is_user()) {
        return ConnectorError::user(error);
    }
    if legacy.is_some_and(|e| e.is_connect())
        || hyper.is_some_and(|e| e.is_closed() || e.is_canceled())
        || io.is_some()
    {
        return ConnectorError::io(error);
    }
    if hyper.is_some_and(|e| e.is_incomplete_message()) {
        return ConnectorError::other(error, Some(ErrorKind::TransientError));
    }
    ConnectorError::other(error, None)
}

fn find<'a, E: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    std::iter::successors(Some(error), |&e| e.source()).find_map(|e| e.downcast_ref::<E>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const TEST_ROOT: &[u8] = include_bytes!("test-tls/ca.pem");

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// An HTTPS server on loopback with a certificate for `localhost` issued by the test
    /// root, answering every request on a connection with `200 hello` (kept alive).
    async fn tls_server() -> (u16, tokio::task::JoinHandle<usize>) {
        let cert = CertificateDer::from_pem_slice(include_bytes!("test-tls/server.pem")).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(include_bytes!(
            "test-tls/server-key.pem"
        ))
        .unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(ring_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            // Answers requests until the client goes away; returns how many connections it took.
            let mut connections = 0;
            while let Ok(Ok((tcp, _))) =
                tokio::time::timeout(Duration::from_millis(500), listener.accept()).await
            {
                connections += 1;
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    continue;
                };
                let mut buf = vec![0u8; 4096];
                while let Ok(n) = tls.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello";
                    if tls.write_all(reply).await.is_err() {
                        break;
                    }
                }
            }
            connections
        });
        (port, server)
    }

    fn get(url: &str) -> http::Request<SdkBody> {
        http::Request::get(url).body(SdkBody::empty()).unwrap()
    }

    #[test]
    fn it_speaks_https_to_a_server_its_roots_trust_on_one_kept_alive_connection() {
        runtime().block_on(async {
            let (port, server) = tls_server().await;
            let pool = Http1Client::new([TEST_ROOT]).unwrap().pool(None);
            for _ in 0..3 {
                let response = pool
                    .request(get(&format!("https://localhost:{port}/")))
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                assert_eq!(response.version(), http::Version::HTTP_11);
                let body = http_body_util::BodyExt::collect(response.into_body())
                    .await
                    .unwrap()
                    .to_bytes();
                assert_eq!(&body[..], b"hello");
            }
            drop(pool);
            assert_eq!(
                server.await.unwrap(),
                1,
                "the three requests share a connection"
            );
        });
    }

    #[test]
    fn a_server_its_roots_do_not_trust_is_refused() {
        runtime().block_on(async {
            let (port, _server) = tls_server().await;
            let pool = Http1Client::new(super::super::TRUSTED_ROOTS.map(|(_, pem)| pem))
                .unwrap()
                .pool(None);
            let error = pool
                .request(get(&format!("https://localhost:{port}/")))
                .await
                .unwrap_err();
            let chain = std::iter::successors(Some(&error as &dyn StdError), |&e| e.source())
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(": ");
            assert!(chain.contains("UnknownIssuer"), "{chain}");
        });
    }

    #[test]
    fn a_refused_connection_is_a_transient_io_error() {
        runtime().block_on(async {
            // A port nothing listens on: bind one, then drop the listener.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let pool = Http1Client::new([TEST_ROOT])
                .unwrap()
                .pool(Some(Duration::from_secs(1)));
            let error = classify(
                pool.request(get(&format!("http://127.0.0.1:{port}/")))
                    .await
                    .unwrap_err()
                    .into(),
            );
            assert!(error.is_io(), "{error:?}");
        });
    }

    /// A loopback server that accepts every connection and reads whatever comes, but never
    /// writes a byte: no TLS handshake, no HTTP response.
    async fn mute_server() -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    while tcp.read(&mut buf).await.is_ok_and(|n| n > 0) {}
                });
            }
        });
        port
    }

    /// Sends a GET through the connector the SDK gets for `settings`; a request still going
    /// after 5 s fails the test rather than hanging it. Answers the result and how long it took.
    async fn send_with(
        settings: HttpConnectorSettings,
        url: &str,
    ) -> (Result<Response, ConnectorError>, Duration) {
        let connector = Http1Client::new([TEST_ROOT]).unwrap().connector(&settings);
        let started = std::time::Instant::now();
        let result = tokio::time::timeout(
            Duration::from_secs(5),
            connector.call(HttpRequest::try_from(get(url)).unwrap()),
        )
        .await
        .unwrap_or_else(|_| panic!("{url}: still waiting after 5 s, no timeout fired"));
        (result, started.elapsed())
    }

    #[test]
    fn a_server_that_never_speaks_tls_times_out_within_the_connect_timeout() {
        runtime().block_on(async {
            let port = mute_server().await;
            let settings = HttpConnectorSettings::builder()
                .connect_timeout(Duration::from_millis(300))
                .build();
            let (result, took) = send_with(settings, &format!("https://localhost:{port}/")).await;
            let error = result.unwrap_err();
            assert!(
                error.is_timeout(),
                "a timeout, which the SDK retries: {error:?}"
            );
            assert!(
                took >= Duration::from_millis(300) && took < Duration::from_secs(2),
                "{took:?}"
            );
        });
    }

    #[test]
    fn a_server_that_never_answers_times_out_after_the_read_timeout() {
        runtime().block_on(async {
            let port = mute_server().await;
            let settings = HttpConnectorSettings::builder()
                .connect_timeout(Duration::from_secs(1))
                .read_timeout(Duration::from_millis(300))
                .build();
            let (result, took) = send_with(settings, &format!("http://127.0.0.1:{port}/")).await;
            let error = result.unwrap_err();
            assert!(
                error.is_timeout(),
                "a timeout, which the SDK retries: {error:?}"
            );
            assert!(
                took >= Duration::from_millis(300) && took < Duration::from_secs(2),
                "{took:?}"
            );
        });
    }

    /// A plain-http server on loopback answering `replies` in turn, one per request whatever
    /// the connection (then the last one again); answers how many connections it took.
    async fn scripted_server(
        replies: &'static [&'static str],
    ) -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let requests = requests.clone();
                tokio::spawn(async move {
                    let mut tcp = tokio::io::BufReader::new(tcp);
                    loop {
                        // The head, then as many body bytes as it announces.
                        let mut length = 0;
                        loop {
                            let mut line = String::new();
                            match tokio::io::AsyncBufReadExt::read_line(&mut tcp, &mut line).await {
                                Ok(0) | Err(_) => return,
                                Ok(_) => {}
                            }
                            let line = line.trim_end().to_ascii_lowercase();
                            if line.is_empty() {
                                break;
                            }
                            if let Some(n) = line.strip_prefix("content-length:") {
                                length = n.trim().parse().unwrap();
                            }
                        }
                        let mut body = vec![0u8; length];
                        if tcp.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        let n = requests.fetch_add(1, Ordering::SeqCst);
                        let body = replies[n.min(replies.len() - 1)];
                        let status = if body.contains("ServiceUnavailable") {
                            "503 Service Unavailable"
                        } else {
                            "200 OK"
                        };
                        let reply = format!(
                            "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if tcp.get_mut().write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (port, connections)
    }

    /// Everything the SDK logs (debug and up) while it is held, on this thread.
    #[derive(Clone, Default)]
    struct Logs(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Logs {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Logs {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }

    #[test]
    fn after_a_transient_failure_the_sdk_drops_that_connection_and_retries_on_a_new_one() {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _logging = tracing::subscriber::set_default(subscriber);
        let connections = runtime().block_on(async {
            let (port, connections) = scripted_server(&[
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#ServiceUnavailable","message":"busy"}"#,
                "{}",
            ])
            .await;
            use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
            let config = aws_sdk_dynamodb::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
                .endpoint_url(format!("http://127.0.0.1:{port}"))
                .http_client(Http1Client::new([TEST_ROOT]).unwrap().shared())
                .retry_config(
                    aws_config::retry::RetryConfig::standard()
                        .with_initial_backoff(Duration::from_millis(1)),
                )
                .build();
            let client = aws_sdk_dynamodb::Client::from_conf(config);
            let item = client
                .get_item()
                .table_name("t")
                .key(
                    "PK",
                    aws_sdk_dynamodb::types::AttributeValue::S("a".into()),
                )
                .send()
                .await
                .expect("the retry succeeds");
            assert!(item.item().is_none());
            connections.load(std::sync::atomic::Ordering::SeqCst)
        });
        let logs = logs.text();
        assert!(!logs.contains("ERROR"), "{logs}");
        assert!(
            logs.contains("the connection was marked for closure"),
            "the SDK poisoned the connection: {logs}"
        );
        assert_eq!(connections, 2, "the retry went on a new connection");
    }

    #[test]
    fn a_root_that_is_not_a_certificate_is_refused() {
        let error = Http1Client::new([b"not a certificate".as_slice()]).unwrap_err();
        assert!(error.contains("root certificate"), "{error}");
    }
}

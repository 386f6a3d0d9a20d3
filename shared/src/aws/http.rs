//! The HTTP client every AWS SDK client is given: HTTP/1.1 over rustls (ring) on hyper 1's
//! pooled client, trusting only the roots in [`super::TRUSTED_ROOTS`].
//!
//! The SDK's own client (aws-smithy-http-client) always links HTTP/2 (h2, some 250 KB of
//! code in every binary); DynamoDB, SNS and SES answer over HTTP/1.1, which is what the SDK
//! negotiates with them anyway. This adapter is what that crate's hyper client does for
//! HTTP/1.1: the SDK's request is turned into an `http` 1.x request, sent on a kept-alive
//! connection, and failures are classified for the SDK's retry strategy (connection and I/O
//! errors and timeouts are transient, so retried).

use std::error::Error as StdError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
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
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

type Pool = Client<HttpsConnector<TcpConnector>, SdkBody>;

/// An [`HttpClient`] for the SDK: one connection pool per connect timeout the SDK asks for
/// (in practice one: every client here is configured alike).
#[derive(Debug)]
pub struct Http1Client {
    tls: ClientConfig,
    pools: Mutex<Vec<(Option<Duration>, SharedHttpConnector)>>,
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

    fn pool(&self, connect_timeout: Option<Duration>) -> Pool {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(connect_timeout);
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(self.tls.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .build(https)
    }
}

impl HttpClient for Http1Client {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let timeout = settings.connect_timeout();
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, connector)) = pools.iter().find(|(t, _)| *t == timeout) {
            return connector.clone();
        }
        let connector = SharedHttpConnector::new(Http1Connector {
            pool: self.pool(timeout),
        });
        pools.push((timeout, connector.clone()));
        connector
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

/// One pool of kept-alive connections.
#[derive(Clone, Debug)]
struct Http1Connector {
    pool: Pool,
}

impl HttpConnector for Http1Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(request) => request,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let sent = self.pool.request(request);
        HttpConnectorFuture::new(async move {
            let response = sent.await.map_err(|e| classify(e.into()))?;
            Response::try_from(response.map(SdkBody::from_body_1_x))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
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

    #[test]
    fn a_root_that_is_not_a_certificate_is_refused() {
        let error = Http1Client::new([b"not a certificate".as_slice()]).unwrap_err();
        assert!(error.contains("root certificate"), "{error}");
    }
}

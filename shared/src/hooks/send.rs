//! Sending one webhook: the endpoint's host resolved, every address checked (no private,
//! loopback, link-local… target unless `PORTAL_WEBHOOKS_ALLOW_PRIVATE=1`), and the request
//! sent on a connection to the checked address itself, so a second DNS answer cannot move
//! it elsewhere (no rebinding). HTTP/1.1 on hyper over rustls (ring), as the AWS clients;
//! the trusted roots are the system's (`SSL_CERT_FILE`, else the usual bundle paths: Lambda's
//! Amazon Linux has `/etc/pki/tls/certs/ca-bundle.crt`), read once. Redirects are not
//! followed: a 3xx is a failed attempt.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};

use crate::domain::webhook::{is_public, EndpointUrl};
use crate::Ctx;

/// Resolving and connecting (TCP and TLS) together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// From the request to the answer's head.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether deliveries may go to private, loopback or link-local addresses (and `http://`):
/// `PORTAL_WEBHOOKS_ALLOW_PRIVATE=1`, for a receiver on this machine (the local portal and
/// the tests); never on AWS.
pub fn allow_private(ctx: &Ctx) -> bool {
    ctx.config.webhooks_allow_private
}

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Option<u16>,
    pub latency_ms: u64,
    /// Why there was no 2xx answer, in words.
    pub error: Option<String>,
    /// The address was refused before any connection.
    pub refused: bool,
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    fn failed(started: Instant, error: String, refused: bool) -> Self {
        Self {
            status: None,
            latency_ms: started.elapsed().as_millis() as u64,
            error: Some(error),
            refused,
        }
    }
}

/// POSTs `body` with `headers` to `url`.
pub async fn post(
    url: &EndpointUrl,
    headers: &[(&'static str, String)],
    body: &str,
    allow_private: bool,
) -> Outcome {
    let started = Instant::now();
    let address = match checked_address(url, allow_private).await {
        Ok(address) => address,
        Err((e, refused)) => return Outcome::failed(started, e, refused),
    };
    match tokio::time::timeout(
        CONNECT_TIMEOUT + ANSWER_TIMEOUT,
        send(url, address, headers, body),
    )
    .await
    {
        Ok(Ok(status)) => Outcome {
            status: Some(status),
            latency_ms: started.elapsed().as_millis() as u64,
            error: (!(200..300).contains(&status))
                .then(|| format!("the endpoint answered {status}")),
            refused: false,
        },
        Ok(Err(e)) => Outcome::failed(started, e, false),
        Err(_) => Outcome::failed(started, "no answer within 15 seconds".into(), false),
    }
}

/// The address to connect to: the host's first address, when every address it has is
/// public (or private ones are allowed).
async fn checked_address(
    url: &EndpointUrl,
    allow_private: bool,
) -> Result<SocketAddr, (String, bool)> {
    let lookup = tokio::net::lookup_host((url.host.as_str(), url.port));
    let addresses: Vec<SocketAddr> = match tokio::time::timeout(CONNECT_TIMEOUT, lookup).await {
        Ok(Ok(found)) => found.collect(),
        Ok(Err(e)) => return Err((format!("{} cannot be resolved: {e}", url.host), false)),
        Err(_) => return Err((format!("{} did not resolve in time", url.host), false)),
    };
    if addresses.is_empty() {
        return Err((format!("{} has no address", url.host), false));
    }
    if !allow_private {
        if let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
            return Err((
                format!(
                    "{} resolves to {}, which is not a public address",
                    url.host,
                    private.ip()
                ),
                true,
            ));
        }
    }
    Ok(addresses[0])
}

async fn send(
    url: &EndpointUrl,
    address: SocketAddr,
    headers: &[(&'static str, String)],
    body: &str,
) -> Result<u16, String> {
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(address))
        .await
        .map_err(|_| format!("no connection to {address} within 5 seconds"))?
        .map_err(|e| format!("no connection to {address}: {e}"))?;
    tcp.set_nodelay(true).ok();
    let request = request(url, headers, body)?;
    if url.https {
        let name = ServerName::try_from(url.host.clone()).map_err(|_| {
            format!(
                "{} is not a name a certificate can be checked for",
                url.host
            )
        })?;
        let tls = tokio_rustls::TlsConnector::from(tls_config()?)
            .connect(name, tcp)
            .await
            .map_err(|e| format!("the TLS handshake failed: {e}"))?;
        exchange(TokioIo::new(tls), request).await
    } else {
        exchange(TokioIo::new(tcp), request).await
    }
}

fn request(
    url: &EndpointUrl,
    headers: &[(&'static str, String)],
    body: &str,
) -> Result<http::Request<Full<Bytes>>, String> {
    let default_port = if url.https { 443 } else { 80 };
    let host = match (url.host.contains(':'), url.port == default_port) {
        (true, true) => format!("[{}]", url.host),
        (true, false) => format!("[{}]:{}", url.host, url.port),
        (false, true) => url.host.clone(),
        (false, false) => format!("{}:{}", url.host, url.port),
    };
    let mut builder = http::Request::post(url.path.as_str())
        .header("host", host)
        .header("content-type", "application/json")
        .header("user-agent", "courier-portal-webhooks/1")
        .header("connection", "close");
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|e| format!("the request cannot be built: {e}"))
}

async fn exchange<IO>(io: IO, request: http::Request<Full<Bytes>>) -> Result<u16, String>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| format!("the HTTP exchange failed: {e}"))?;
    let driver = tokio::spawn(async move {
        let _ = connection.await;
    });
    let answer = sender
        .send_request(request)
        .await
        .map_err(|e| format!("the HTTP exchange failed: {e}"));
    driver.abort();
    Ok(answer?.status().as_u16())
}

/// The TLS configuration with the system's trusted roots, built once.
fn tls_config() -> Result<Arc<ClientConfig>, String> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = RootCertStore::empty();
            let explicit = std::env::var("SSL_CERT_FILE").ok();
            let paths = explicit.iter().map(String::as_str).chain([
                "/etc/pki/tls/certs/ca-bundle.crt",
                "/etc/ssl/certs/ca-certificates.crt",
                "/etc/ssl/cert.pem",
            ]);
            for path in paths {
                let Ok(certs) = CertificateDer::pem_file_iter(path) else {
                    continue;
                };
                for cert in certs.flatten() {
                    let _ = roots.add(cert);
                }
                if !roots.is_empty() {
                    break;
                }
            }
            if roots.is_empty() {
                return Err("no trusted root certificates were found".into());
            }
            let config =
                ClientConfig::builder_with_provider(Arc::new(crate::aws::http::ring_provider()))
                    .with_safe_default_protocol_versions()
                    .map_err(|e| format!("the TLS configuration cannot be built: {e}"))?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
            Ok(Arc::new(config))
        })
        .clone()
}

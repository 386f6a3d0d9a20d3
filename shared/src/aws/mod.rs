//! The AWS environment a function starts with: one SDK configuration whose HTTPS client
//! ([`http::Http1Client`]) trusts the roots AWS endpoints chain to, built into the binary.
//! The SDK's default client reads the system's certificate directory (some 145 files) on the
//! first request of every cold start; these five certificates are all an AWS endpoint needs.
//! A plain-http endpoint (`AWS_ENDPOINT_URL=http://…`, moto server) goes through the same
//! client.

pub mod http;

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::rt::sleep::default_async_sleep;
use aws_smithy_async::time::SharedTimeSource;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Amazon Trust Services' roots (every AWS endpoint's certificate chains to one of them)
/// and Starfield Services Root G2, which cross-signs them; as in Mozilla's root program
/// (a test compares them with `webpki-root-certs`).
pub const TRUSTED_ROOTS: [(&str, &[u8]); 5] = [
    (
        "Amazon Root CA 1",
        include_bytes!("roots/amazon-root-ca-1.pem"),
    ),
    (
        "Amazon Root CA 2",
        include_bytes!("roots/amazon-root-ca-2.pem"),
    ),
    (
        "Amazon Root CA 3",
        include_bytes!("roots/amazon-root-ca-3.pem"),
    ),
    (
        "Amazon Root CA 4",
        include_bytes!("roots/amazon-root-ca-4.pem"),
    ),
    (
        "Starfield Services Root Certificate Authority - G2",
        include_bytes!("roots/starfield-services-root-ca-g2.pem"),
    ),
];

/// The SDK clients' HTTPS client (hyper 1, HTTP/1.1, rustls with ring) on the built-in
/// roots only.
pub fn https_client() -> Result<SharedHttpClient, String> {
    Ok(http::Http1Client::new(TRUSTED_ROOTS.map(|(_, pem)| pem))?.shared())
}

/// Region, credentials and endpoint from the standard AWS environment (`AWS_ENDPOINT_URL`
/// points every client at moto server in tests), with [`https_client`]: the full provider
/// chain (profiles, SSO, web identity, IMDS), for the local portal and the operator command.
pub async fn sdk_config() -> Result<SdkConfig, String> {
    Ok(aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client()?)
        .timeout_config(timeouts())
        .load()
        .await)
}

/// A Lambda function's configuration: Lambda puts the credentials, the region and any
/// endpoint override in the environment, so that is all this reads. Naming no other
/// provider keeps the default chain (profile files, STS web identity, ECS, IMDS) out of
/// every function's binary.
pub fn lambda_sdk_config() -> Result<SdkConfig, String> {
    lambda_sdk_config_from(|name| std::env::var(name).ok())
}

/// [`lambda_sdk_config`] from the environment `var` reads.
fn lambda_sdk_config_from(var: impl Fn(&str) -> Option<String>) -> Result<SdkConfig, String> {
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .ok_or("AWS_REGION is not set")?;
    let sleep = default_async_sleep().ok_or("no async sleep for the tokio runtime")?;
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(
            EnvironmentVariableCredentialsProvider::new(),
        ))
        .http_client(https_client()?)
        .sleep_impl(sleep)
        .time_source(SharedTimeSource::default())
        .retry_config(RetryConfig::standard())
        .timeout_config(timeouts());
    if let Some(url) = var("AWS_ENDPOINT_URL").filter(|u| !u.is_empty()) {
        config = config.endpoint_url(url);
    }
    Ok(config.build())
}

/// Every SDK client's timeouts: the SDK's default connect timeout (TCP connect and TLS
/// handshake, [`http::Http1Client`]) and a bound on each attempt, which the SDK has none of by
/// default: an endpoint that accepts a request and never answers would otherwise hold the
/// function until Lambda stops it, with no retry. DynamoDB, SES and SNS answer in tens to
/// hundreds of milliseconds; the bound is above the connect timeout, so that a slow connect
/// can still finish, and a stalled attempt is retried well within a 10 s function.
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build()
}

/// The SDK's default connect timeout (what `aws_config::defaults` sets).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(3100);
const ATTEMPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(4);

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn der(pem: &[u8]) -> Vec<u8> {
        let text = std::str::from_utf8(pem).unwrap();
        let body: String = text
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        assert_eq!(text.matches("BEGIN CERTIFICATE").count(), 1);
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    }

    #[test]
    fn a_functions_sdk_config_bounds_the_connect_and_every_attempt() {
        let config =
            lambda_sdk_config_from(|name| (name == "AWS_REGION").then(|| "eu-west-1".to_string()))
                .unwrap();
        let timeouts = config.timeout_config().expect("timeouts");
        assert_eq!(timeouts.connect_timeout(), Some(CONNECT_TIMEOUT));
        assert_eq!(timeouts.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
    }

    /// The SHA-256 fingerprints of the roots' DER, as Amazon Trust Services publishes them
    /// (amazontrust.com/repository): a root file that changes, or a sixth one, fails here.
    const FINGERPRINTS: [(&str, &str); 5] = [
        (
            "Amazon Root CA 1",
            "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e",
        ),
        (
            "Amazon Root CA 2",
            "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4",
        ),
        (
            "Amazon Root CA 3",
            "18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4",
        ),
        (
            "Amazon Root CA 4",
            "e35d28419ed02025cfa69038cd623962458da5c695fbdea3c22b0bfb25897092",
        ),
        (
            "Starfield Services Root Certificate Authority - G2",
            "568d6905a2c88708a4b3025190edcfedb1974a606a13c6e5290fcb2ae63edab5",
        ),
    ];

    #[test]
    fn the_built_in_roots_are_pinned_by_fingerprint() {
        use sha2::Digest;
        let actual: Vec<(&str, String)> = TRUSTED_ROOTS
            .iter()
            .map(|(name, pem)| (*name, hex::encode(sha2::Sha256::digest(der(pem)))))
            .collect();
        let expected: Vec<(&str, String)> = FINGERPRINTS
            .iter()
            .map(|(name, sha)| (*name, sha.to_string()))
            .collect();
        assert_eq!(actual, expected);
    }

    #[test]
    fn the_built_in_roots_are_mozillas_amazon_and_starfield_roots() {
        for (name, pem) in TRUSTED_ROOTS {
            let der = der(pem);
            assert!(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS
                    .iter()
                    .any(|root| root.as_ref() == der.as_slice()),
                "{name} is a root of Mozilla's program"
            );
        }
    }
}

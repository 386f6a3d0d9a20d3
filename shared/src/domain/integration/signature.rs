//! Webhook signatures, verified over the raw body in constant time
//! (`hmac::Mac::verify_slice`): Shopify's `X-Shopify-Hmac-Sha256` and WooCommerce's
//! `X-WC-Webhook-Signature` (base64 HMAC-SHA256 of the body), and Standard Webhooks
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …` over
//! `id.timestamp.body`, within five minutes).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::platform::Platform;

type HmacSha256 = Hmac<Sha256>;

/// How far a Standard Webhooks timestamp may be from now, either way.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// The signature result the inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureCheck {
    Valid,
    Invalid,
    Missing,
}

impl SignatureCheck {
    /// As the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureCheck::Valid => "valid",
            SignatureCheck::Invalid => "invalid",
            SignatureCheck::Missing => "missing",
        }
    }
}

/// A signature that did not verify, and why (for the inbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub check: SignatureCheck,
    pub reason: &'static str,
}

impl Rejected {
    fn missing(reason: &'static str) -> Self {
        Self {
            check: SignatureCheck::Missing,
            reason,
        }
    }
    fn invalid(reason: &'static str) -> Self {
        Self {
            check: SignatureCheck::Invalid,
            reason,
        }
    }
}

/// What a delivery presents: its headers (names are case-insensitive) and raw body.
pub struct Signed<'a> {
    pub headers: &'a http::HeaderMap,
    pub body: &'a [u8],
}

impl Signed<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// Verifies a delivery for `platform` with any of `keys` (two during a rotation).
pub fn verify(
    platform: Platform,
    keys: &[Vec<u8>],
    signed: &Signed<'_>,
    now: DateTime<Utc>,
) -> Result<(), Rejected> {
    match platform {
        Platform::Shopify => hmac_header(keys, signed, "x-shopify-hmac-sha256"),
        Platform::Woocommerce => hmac_header(keys, signed, "x-wc-webhook-signature"),
        Platform::Generic => standard_webhooks(keys, signed, now),
    }
}

fn hmac_header(keys: &[Vec<u8>], signed: &Signed<'_>, header: &str) -> Result<(), Rejected> {
    let presented = signed
        .header(header)
        .ok_or_else(|| Rejected::missing("signature_missing"))?;
    let Ok(signature) = STANDARD.decode(presented) else {
        return Err(Rejected::invalid("signature_not_base64"));
    };
    if keys
        .iter()
        .any(|key| matches(key, &[signed.body], &signature))
    {
        Ok(())
    } else {
        Err(Rejected::invalid("signature_mismatch"))
    }
}

fn standard_webhooks(
    keys: &[Vec<u8>],
    signed: &Signed<'_>,
    now: DateTime<Utc>,
) -> Result<(), Rejected> {
    let (Some(id), Some(timestamp), Some(signatures)) = (
        signed.header("webhook-id"),
        signed.header("webhook-timestamp"),
        signed.header("webhook-signature"),
    ) else {
        return Err(Rejected::missing("signature_missing"));
    };
    let seconds: i64 = timestamp
        .parse()
        .map_err(|_| Rejected::invalid("timestamp_invalid"))?;
    if !within_tolerance(now, seconds) {
        return Err(Rejected::invalid("timestamp_out_of_tolerance"));
    }
    let content = [id.as_bytes(), b".", timestamp.as_bytes(), b".", signed.body];
    let found = signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|signature| keys.iter().any(|key| matches(key, &content, &signature)));
    if found {
        Ok(())
    } else {
        Err(Rejected::invalid("signature_mismatch"))
    }
}

/// Whether a sender's timestamp is within [`TOLERANCE_SECONDS`] of now. The header is the
/// sender's: `now - seconds` overflows an i64 for a timestamp near `i64::MIN` (a panic in
/// debug builds, a wrapped and wrongly accepted difference in release), so the distance
/// is taken as an unsigned `abs_diff`, which cannot overflow.
fn within_tolerance(now: DateTime<Utc>, seconds: i64) -> bool {
    now.timestamp().abs_diff(seconds) <= TOLERANCE_SECONDS.unsigned_abs()
}

/// Constant-time comparison of HMAC-SHA256(key, parts…) with `signature`.
fn matches(key: &[u8], parts: &[&[u8]], signature: &[u8]) -> bool {
    let Ok(mut mac) = <HmacSha256 as KeyInit>::new_from_slice(key) else {
        return false;
    };
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(signature).is_ok()
}

/// Base64 HMAC-SHA256 of `parts` (signing, for tests and the README's examples).
pub fn sign(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    for part in parts {
        mac.update(part);
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> http::HeaderMap {
        pairs
            .iter()
            .map(|(n, v)| {
                (
                    http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn shopify_hmac_in_any_header_case_with_either_key() {
        let body = b"{\"id\":1}";
        let good = sign(b"new", &[body]);
        let h = headers(&[("X-Shopify-Hmac-SHA256", &good)]);
        let signed = Signed { headers: &h, body };
        let keys = vec![b"old".to_vec(), b"new".to_vec()];
        assert!(verify(Platform::Shopify, &keys, &signed, Utc::now()).is_ok());
        assert_eq!(
            verify(Platform::Shopify, &keys[..1], &signed, Utc::now())
                .unwrap_err()
                .reason,
            "signature_mismatch"
        );
        let none = headers(&[]);
        let unsigned = Signed {
            headers: &none,
            body,
        };
        assert_eq!(
            verify(Platform::Shopify, &keys, &unsigned, Utc::now())
                .unwrap_err()
                .check,
            SignatureCheck::Missing
        );
    }

    #[test]
    fn standard_webhooks_specification_example() {
        // From the Standard Webhooks specification's reference libraries.
        let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let at = DateTime::from_timestamp(1_614_265_330, 0).unwrap();
        let h = headers(&[
            ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            ("webhook-timestamp", "1614265330"),
            (
                "webhook-signature",
                "v1,bm9ldHUK v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ),
        ]);
        let signed = Signed { headers: &h, body };
        let keys = vec![key];
        assert!(verify(Platform::Generic, &keys, &signed, at).is_ok());
        let later = at + chrono::Duration::seconds(TOLERANCE_SECONDS + 1);
        assert_eq!(
            verify(Platform::Generic, &keys, &signed, later)
                .unwrap_err()
                .reason,
            "timestamp_out_of_tolerance"
        );
        let earlier = at - chrono::Duration::seconds(TOLERANCE_SECONDS);
        assert!(verify(Platform::Generic, &keys, &signed, earlier).is_ok());
        let tampered = Signed {
            headers: &h,
            body: br#"{"test": 2432232315}"#,
        };
        assert!(verify(Platform::Generic, &keys, &tampered, at).is_err());
    }

    #[test]
    fn extreme_timestamps_are_out_of_tolerance_not_a_panic() {
        let body = b"{}";
        let now = Utc::now();
        let reason = |timestamp: &str| {
            let h = headers(&[
                ("webhook-id", "msg_1"),
                ("webhook-timestamp", timestamp),
                ("webhook-signature", "v1,bm9ldHUK"),
            ]);
            let signed = Signed { headers: &h, body };
            verify(Platform::Generic, &[b"key".to_vec()], &signed, now)
                .unwrap_err()
                .reason
        };
        for extreme in [
            i64::MAX.to_string(),
            i64::MIN.to_string(),
            (i64::MIN + 1).to_string(),
            (-TOLERANCE_SECONDS).to_string(),
            "0".into(),
        ] {
            assert_eq!(reason(&extreme), "timestamp_out_of_tolerance", "{extreme}");
        }
        // Beyond an i64 (a u64, or more): not a timestamp at all.
        for beyond in [u64::MAX.to_string(), (i64::MAX as u64 + 1).to_string()] {
            assert_eq!(reason(&beyond), "timestamp_invalid", "{beyond}");
        }
        // Within tolerance the check goes on to the signature.
        assert_eq!(reason(&now.timestamp().to_string()), "signature_mismatch");
        assert!(within_tolerance(now, now.timestamp() + TOLERANCE_SECONDS));
        assert!(!within_tolerance(
            now,
            now.timestamp() + TOLERANCE_SECONDS + 1
        ));
    }
}

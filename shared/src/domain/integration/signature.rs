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
    /// A header's one value; a header sent twice is refused rather than guessed at (which
    /// copy a proxy or a library reads differs; API Gateway joins them with commas).
    fn header(&self, name: &str) -> Result<Option<&str>, Rejected> {
        let mut values = self.headers.get_all(name).iter();
        let first = values.next();
        if values.next().is_some() {
            return Err(Rejected::invalid("header_repeated"));
        }
        Ok(first
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty()))
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
        .header(header)?
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
        signed.header("webhook-id")?,
        signed.header("webhook-timestamp")?,
        signed.header("webhook-signature")?,
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

    /// The vendors' own verifier tests, for each scheme: every single flipped byte of the
    /// body, the same JSON re-serialised, a wrong secret, each header missing or sent twice,
    /// the timestamp's edges, and a rotation's two secrets.
    mod vendor_style {
        use super::*;

        const BODY: &[u8] = br#"{"id":820982911946154508,"email":"jon@example.com","total_price":"25.00","line_items":[{"title":"Tulips","quantity":2}]}"#;
        const SECRET: &[u8] = b"hush-0123456789abcdef";
        const OLD_SECRET: &[u8] = b"old-hush-0123456789";

        fn standard_headers(id: &str, at: i64, body: &[u8], keys: &[&[u8]]) -> http::HeaderMap {
            let at = at.to_string();
            let signatures: Vec<String> = keys
                .iter()
                .map(|key| {
                    format!(
                        "v1,{}",
                        sign(key, &[id.as_bytes(), b".", at.as_bytes(), b".", body])
                    )
                })
                .collect();
            headers(&[
                ("webhook-id", id),
                ("webhook-timestamp", &at),
                ("webhook-signature", &signatures.join(" ")),
            ])
        }

        /// (platform, headers signing `body` with `key`) for every scheme.
        fn schemes(body: &[u8], key: &[u8], now: i64) -> Vec<(Platform, http::HeaderMap)> {
            let hmac = sign(key, &[body]);
            vec![
                (
                    Platform::Shopify,
                    headers(&[("x-shopify-hmac-sha256", &hmac)]),
                ),
                (
                    Platform::Woocommerce,
                    headers(&[("x-wc-webhook-signature", &hmac)]),
                ),
                (
                    Platform::Generic,
                    standard_headers("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", now, body, &[key]),
                ),
            ]
        }

        fn check(
            platform: Platform,
            keys: &[&[u8]],
            h: &http::HeaderMap,
            body: &[u8],
            now: i64,
        ) -> Result<(), Rejected> {
            let keys: Vec<Vec<u8>> = keys.iter().map(|k| k.to_vec()).collect();
            let signed = Signed { headers: h, body };
            verify(
                platform,
                &keys,
                &signed,
                DateTime::from_timestamp(now, 0).unwrap(),
            )
        }

        const NOW: i64 = 1_765_152_000;

        #[test]
        fn the_signed_body_verifies_and_every_flipped_byte_does_not() {
            for (platform, h) in schemes(BODY, SECRET, NOW) {
                assert_eq!(
                    check(platform, &[SECRET], &h, BODY, NOW),
                    Ok(()),
                    "{platform:?}"
                );
                for i in 0..BODY.len() {
                    for bit in [0x01u8, 0x80] {
                        let mut flipped = BODY.to_vec();
                        flipped[i] ^= bit;
                        assert_eq!(
                            check(platform, &[SECRET], &h, &flipped, NOW)
                                .unwrap_err()
                                .reason,
                            "signature_mismatch",
                            "{platform:?}: byte {i} flipped"
                        );
                    }
                }
            }
        }

        #[test]
        fn the_same_json_re_serialised_does_not_verify() {
            let value: serde_json::Value = serde_json::from_slice(BODY).unwrap();
            let pretty = serde_json::to_vec_pretty(&value).unwrap();
            let spaced = String::from_utf8(BODY.to_vec()).unwrap().replace(':', ": ");
            for other in [pretty, spaced.into_bytes()] {
                assert_ne!(other, BODY);
                for (platform, h) in schemes(BODY, SECRET, NOW) {
                    assert_eq!(
                        check(platform, &[SECRET], &h, &other, NOW)
                            .unwrap_err()
                            .reason,
                        "signature_mismatch",
                        "{platform:?}"
                    );
                }
            }
        }

        #[test]
        fn a_wrong_secret_does_not_verify() {
            for (platform, h) in schemes(BODY, b"someone-elses-secret", NOW) {
                assert_eq!(
                    check(platform, &[SECRET], &h, BODY, NOW)
                        .unwrap_err()
                        .reason,
                    "signature_mismatch",
                    "{platform:?}"
                );
            }
            // An empty key signs nothing of ours either.
            for (platform, h) in schemes(BODY, b"", NOW) {
                assert!(
                    check(platform, &[SECRET], &h, BODY, NOW).is_err(),
                    "{platform:?}"
                );
            }
        }

        #[test]
        fn each_header_missing_is_missing_and_sent_twice_is_refused() {
            for (platform, h) in schemes(BODY, SECRET, NOW) {
                for name in h.keys() {
                    let mut without = h.clone();
                    without.remove(name);
                    let rejected = check(platform, &[SECRET], &without, BODY, NOW).unwrap_err();
                    assert_eq!(
                        rejected.check,
                        SignatureCheck::Missing,
                        "{platform:?} without {name}"
                    );
                    let mut empty = h.clone();
                    empty.insert(name, http::HeaderValue::from_static(""));
                    let rejected = check(platform, &[SECRET], &empty, BODY, NOW).unwrap_err();
                    assert_eq!(
                        rejected.check,
                        SignatureCheck::Missing,
                        "{platform:?} empty {name}"
                    );
                    // Twice: the same value, then a different one; neither is guessed at.
                    for second in [h[name].clone(), http::HeaderValue::from_static("v1,AAAA")] {
                        let mut twice = h.clone();
                        twice.append(name, second);
                        assert_eq!(
                            check(platform, &[SECRET], &twice, BODY, NOW)
                                .unwrap_err()
                                .reason,
                            "header_repeated",
                            "{platform:?} {name} twice"
                        );
                    }
                }
            }
        }

        #[test]
        fn timestamps_299_seconds_away_verify_and_301_do_not() {
            for offset in [-299, -300, 0, 299, 300] {
                let h = standard_headers("msg_1", NOW + offset, BODY, &[SECRET]);
                assert_eq!(
                    check(Platform::Generic, &[SECRET], &h, BODY, NOW),
                    Ok(()),
                    "{offset:+} s"
                );
            }
            for offset in [-301, 301, -86_400, 86_400] {
                let h = standard_headers("msg_1", NOW + offset, BODY, &[SECRET]);
                assert_eq!(
                    check(Platform::Generic, &[SECRET], &h, BODY, NOW)
                        .unwrap_err()
                        .reason,
                    "timestamp_out_of_tolerance",
                    "{offset:+} s"
                );
            }
            // A timestamp that is not whole seconds since the epoch.
            for bad in ["1765152000.5", "2025-12-08T00:00:00Z", "-", "0x10"] {
                let mut h = standard_headers("msg_1", NOW, BODY, &[SECRET]);
                h.insert("webhook-timestamp", bad.parse().unwrap());
                assert_eq!(
                    check(Platform::Generic, &[SECRET], &h, BODY, NOW)
                        .unwrap_err()
                        .reason,
                    "timestamp_invalid",
                    "{bad}"
                );
            }
        }

        #[test]
        fn the_signed_id_and_timestamp_cannot_be_swapped() {
            let h = standard_headers("msg_1", NOW, BODY, &[SECRET]);
            let mut other_id = h.clone();
            other_id.insert("webhook-id", "msg_2".parse().unwrap());
            let mut other_time = h.clone();
            other_time.insert("webhook-timestamp", (NOW + 1).to_string().parse().unwrap());
            for changed in [other_id, other_time] {
                assert_eq!(
                    check(Platform::Generic, &[SECRET], &changed, BODY, NOW)
                        .unwrap_err()
                        .reason,
                    "signature_mismatch"
                );
            }
        }

        #[test]
        fn during_a_rotation_either_secret_verifies() {
            // The portal holds both secrets; the sender signs with either, or with both
            // (Standard Webhooks: several space-separated signatures).
            for key in [SECRET, OLD_SECRET] {
                for (platform, h) in schemes(BODY, key, NOW) {
                    assert_eq!(
                        check(platform, &[OLD_SECRET, SECRET], &h, BODY, NOW),
                        Ok(()),
                        "{platform:?}"
                    );
                }
            }
            let both = standard_headers("msg_1", NOW, BODY, &[OLD_SECRET, SECRET]);
            assert_eq!(
                check(Platform::Generic, &[SECRET], &both, BODY, NOW),
                Ok(())
            );
            assert_eq!(
                check(Platform::Generic, &[OLD_SECRET], &both, BODY, NOW),
                Ok(())
            );
            // After the rotation ends, the old secret's signature alone is refused.
            let old = standard_headers("msg_1", NOW, BODY, &[OLD_SECRET]);
            assert_eq!(
                check(Platform::Generic, &[SECRET], &old, BODY, NOW)
                    .unwrap_err()
                    .reason,
                "signature_mismatch"
            );
            // An unknown version's signature is not read as v1.
            let mut v2 = both.clone();
            let v1 = v2["webhook-signature"]
                .to_str()
                .unwrap()
                .replace("v1,", "v2,");
            v2.insert("webhook-signature", v1.parse().unwrap());
            assert!(check(Platform::Generic, &[SECRET], &v2, BODY, NOW).is_err());
        }
    }
}

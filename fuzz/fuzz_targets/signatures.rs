//! Webhook signatures as the inbox checks them: the first byte picks the platform (Shopify,
//! WooCommerce, Standard Webhooks), the second the key's length; then the key, then the
//! headers (`name: value` lines, repeats kept) up to a blank line, then the body.
//!
//! Besides not failing on any input, the verifier must accept the same headers once the
//! signature (and, for Standard Webhooks, a current timestamp) is made right, and refuse
//! them under another key; a pasted secret must be refused or give a usable key.
#![no_main]

use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use portal::domain::integration::signature::{sign, verify, Signed, TOLERANCE_SECONDS};
use portal::domain::integration::{Platform, SecretText, StoredSecret};

#[global_allocator]
static ALLOCATOR: portal_fuzz::Capped = portal_fuzz::Capped;

const PLATFORMS: [Platform; 3] = [Platform::Shopify, Platform::Woocommerce, Platform::Generic];

fn headers(block: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in block.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name),
            HeaderValue::from_bytes(value.trim_ascii()),
        ) {
            map.append(name, value);
        }
    }
    map
}

fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("an ASCII header value")
}

fuzz_target!(|data: &[u8]| {
    let [selector, key_len, rest @ ..] = data else {
        return;
    };
    let platform = PLATFORMS[*selector as usize % PLATFORMS.len()];
    let key_len = (*key_len as usize).min(rest.len());
    let (key, rest) = rest.split_at(key_len);
    let (block, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&rest[..at], &rest[at + 2..]),
        None => (rest, &b""[..]),
    };
    let now: DateTime<Utc> = DateTime::from_timestamp(1_767_225_600, 0).unwrap();
    let keys = vec![key.to_vec()];

    // Whatever was sent.
    let mut map = headers(block);
    let _ = verify(
        platform,
        &keys,
        &Signed {
            headers: &map,
            body,
        },
        now,
    );

    // The same delivery, signed right: accepted with the key, refused with another.
    let skew = i64::from(*selector) * TOLERANCE_SECONDS / 255;
    match platform {
        Platform::Shopify | Platform::Woocommerce => {
            let name = if platform == Platform::Shopify {
                "x-shopify-hmac-sha256"
            } else {
                "x-wc-webhook-signature"
            };
            map.insert(name, value(&sign(key, &[body])));
        }
        Platform::Generic => {
            let timestamp = (now.timestamp() - skew).to_string();
            let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
            let signature = sign(
                key,
                &[id.as_bytes(), b".", timestamp.as_bytes(), b".", body],
            );
            map.insert("webhook-id", value(id));
            map.insert("webhook-timestamp", value(&timestamp));
            map.insert(
                "webhook-signature",
                value(&format!("v1a,bm9wZQ== v1,{signature} v2,x")),
            );
        }
    }
    let signed = Signed {
        headers: &map,
        body,
    };
    if let Err(e) = verify(platform, &keys, &signed, now) {
        panic!("a right signature refused: {e:?}");
    }
    let other = vec![[key, b"!"].concat()];
    assert!(verify(platform, &other, &signed, now).is_err());
    let rotation = vec![other[0].clone(), key.to_vec()];
    assert!(verify(platform, &rotation, &signed, now).is_ok());

    // The key as a pasted secret.
    if let Ok(text) = std::str::from_utf8(key) {
        if let Ok(secret) = SecretText::try_from(text.to_string()) {
            if let Ok(secret) = secret.for_platform(platform) {
                let stored = StoredSecret::new(secret, "2026-01-01T00:00:00Z".into());
                assert!(!stored.key(platform).is_empty());
            }
        }
    }
});

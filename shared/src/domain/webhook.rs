//! Outbound webhooks: an organisation's endpoints (a public `https` URL, the event types it
//! wants, a Standard Webhooks signing secret) and the deliveries made to them.
//!
//! Deliveries follow Standard Webhooks: headers `webhook-id`, `webhook-timestamp` and
//! `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` keyed by the bytes of
//! the secret after `whsec_` (the scheme the inbound generic integration verifies,
//! `integration::signature`). Two signatures while a rotated-out secret still signs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::integration::platform::Platform;
use super::integration::secret::{self, StoredSecret};
use super::integration::signature;

/// Endpoints an organisation may have.
pub const MAX_ENDPOINTS: u64 = 10;
/// How long a rotated-out secret keeps signing beside the new one.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;
/// An endpoint failing for this long without a success is disabled.
pub const DISABLE_AFTER_DAYS: i64 = 3;
/// The wait before each retry (after the 1st, 2nd… failed attempt): 87 h 36 min in all, so
/// a single event keeps an endpoint tried past [`DISABLE_AFTER_DAYS`].
pub const RETRY_MINUTES: [i64; 12] = [1, 5, 30, 120, 300, 600, 600, 600, 600, 600, 600, 600];
/// The longest description.
const MAX_DESCRIPTION: usize = 200;
/// The longest URL.
const MAX_URL: usize = 2000;

/// What an endpoint may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "order.created")]
    OrderCreated,
    #[serde(rename = "order.status_changed")]
    OrderStatusChanged,
    #[serde(rename = "order.rejected")]
    OrderRejected,
    #[serde(rename = "task.eta")]
    TaskEta,
    #[serde(rename = "task.completed")]
    TaskCompleted,
    #[serde(rename = "task.failed")]
    TaskFailed,
    #[serde(rename = "chat.message")]
    ChatMessage,
}

impl EventType {
    pub const ALL: [EventType; 7] = [
        EventType::OrderCreated,
        EventType::OrderStatusChanged,
        EventType::OrderRejected,
        EventType::TaskEta,
        EventType::TaskCompleted,
        EventType::TaskFailed,
        EventType::ChatMessage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::OrderCreated => "order.created",
            EventType::OrderStatusChanged => "order.status_changed",
            EventType::OrderRejected => "order.rejected",
            EventType::TaskEta => "task.eta",
            EventType::TaskCompleted => "task.completed",
            EventType::TaskFailed => "task.failed",
            EventType::ChatMessage => "chat.message",
        }
    }

    /// In human words, for the settings page.
    pub fn label(self) -> &'static str {
        match self {
            EventType::OrderCreated => "A new order",
            EventType::OrderStatusChanged => "An order's status changes",
            EventType::OrderRejected => "An order is rejected",
            EventType::TaskEta => "A pickup or drop-off gets a new arrival time",
            EventType::TaskCompleted => "A pickup or drop-off is done",
            EventType::TaskFailed => "A pickup or drop-off failed",
            EventType::ChatMessage => "A chat message",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

/// The event types an endpoint wants: at least one, each known, each once.
pub fn parse_event_types(raw: &[String]) -> Result<Vec<EventType>, String> {
    if raw.is_empty() {
        return Err("choose at least one event type".into());
    }
    let mut types = Vec::with_capacity(raw.len());
    for name in raw {
        let Some(t) = EventType::parse(name.trim()) else {
            return Err(format!(
                "`{name}` is not an event type; use {}",
                EventType::ALL.map(EventType::as_str).join(", ")
            ));
        };
        if !types.contains(&t) {
            types.push(t);
        }
    }
    types.sort();
    Ok(types)
}

/// A description: trimmed, at most 200 characters, no control characters; empty is none.
pub fn parse_description(raw: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(format!("must be at most {MAX_DESCRIPTION} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must be one line of text".into());
    }
    Ok(Some(text.to_string()))
}

/// A parsed endpoint URL: scheme, host (lower case, brackets off an IPv6 literal), port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl {
    pub url: String,
    pub https: bool,
    pub host: String,
    pub port: u16,
    /// The path and query, as sent in the request line (`/` when empty).
    pub path: String,
}

/// Why a URL is refused (the message names the problem in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRefused {
    pub code: &'static str,
    pub message: String,
}

impl UrlRefused {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl EndpointUrl {
    /// Parses and checks a URL: `https` (also `http` when private targets are allowed,
    /// for a receiver on this machine), a host name or address that is not private,
    /// loopback, link-local, CGNAT, multicast or unspecified (unless `allow_private`), no
    /// user name or password, no fragment.
    pub fn parse(raw: &str, allow_private: bool) -> Result<Self, UrlRefused> {
        let url = raw.trim();
        if url.is_empty() {
            return Err(UrlRefused::new("missing_field", "give the URL to send to"));
        }
        if url.len() > MAX_URL || url.chars().any(|c| c.is_control() || c == ' ') {
            return Err(UrlRefused::new(
                "invalid_field",
                format!("must be a URL of at most {MAX_URL} characters, without spaces"),
            ));
        }
        let (https, rest) = if let Some(rest) = strip_prefix_ci(url, "https://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ci(url, "http://") {
            if !allow_private {
                return Err(UrlRefused::new(
                    "https_required",
                    "must start with https:// (deliveries are only sent encrypted)",
                ));
            }
            (false, rest)
        } else {
            return Err(UrlRefused::new(
                "https_required",
                "must start with https://",
            ));
        };
        if url.contains('#') {
            return Err(UrlRefused::new(
                "invalid_field",
                "must not have a #fragment",
            ));
        }
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(UrlRefused::new(
                "invalid_field",
                "must not hold a user name or password",
            ));
        }
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| UrlRefused::new("invalid_field", "has no valid host name"))?;
        let port = match port {
            Some(p) => p,
            None if https => 443,
            None => 80,
        };
        let host = host.to_ascii_lowercase();
        if let Ok(ip) = host.parse::<IpAddr>() {
            if !allow_private && !is_public(ip) {
                return Err(UrlRefused::new(
                    "private_address",
                    format!("{ip} is not a public address; give a public https URL"),
                ));
            }
        } else {
            if !valid_hostname(&host) {
                return Err(UrlRefused::new("invalid_field", "has no valid host name"));
            }
            if !allow_private && is_private_name(&host) {
                return Err(UrlRefused::new(
                    "private_address",
                    format!("{host} names this network, not a public address"),
                ));
            }
        }
        let path = match path {
            "" => "/".to_string(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_string(),
        };
        Ok(Self {
            url: url.to_string(),
            https,
            host,
            port,
            path,
        })
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// `host[:port]` or `[v6][:port]`.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        host.parse::<Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')?
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)?,
            ),
        };
        return Some((host.to_string(), port));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse::<u16>().ok().filter(|p| *p != 0)?)),
        None => (authority, None),
    };
    (!host.is_empty()).then(|| (host.trim_end_matches('.').to_string(), port))
}

fn valid_hostname(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        // A name of digits and dots only would be an address in another notation
        // (`2130706433`, `127.1`): refused rather than guessed.
        && !host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !host.starts_with("0x")
}

/// Names that mean this machine or this network whatever DNS says.
fn is_private_name(host: &str) -> bool {
    host == "localhost"
        || [
            ".localhost",
            ".local",
            ".internal",
            ".localdomain",
            ".home.arpa",
        ]
        .iter()
        .any(|suffix| host.ends_with(suffix))
        || ["local", "internal", "localdomain"].contains(&host)
}

/// Whether a delivery may go to `ip`: not private (10/8, 172.16/12, 192.168/16, fc00::/7),
/// loopback, link-local (169.254/16 with the cloud metadata address, fe80::/10), CGNAT
/// (100.64/10), multicast, broadcast, unspecified, documentation or reserved; IPv4 inside
/// IPv6 (mapped, compatible, NAT64) judged as the IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) and the deprecated IPv4-compatible form (::a.b.c.d).
            if (s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0]) || s[..6] == [0; 6] {
                let v4 =
                    Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
                return v6 != Ipv6Addr::UNSPECIFIED
                    && v6 != Ipv6Addr::LOCALHOST
                    && is_public_v4(v4);
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0100 && s[1..4] == [0, 0, 0])) // discard-only
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// One endpoint, as stored (`ORG#{orgId}` / `WHEP#{endpointId}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub id: String,
    pub org_id: String,
    pub courier_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub url: String,
    pub event_types: Vec<EventType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub enabled: bool,
    /// The signing secret (kept, not hashed: it must stay usable for HMAC).
    pub secret: StoredSecret,
    /// The secret a rotation replaced, signing beside the new one until it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret: Option<StoredSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret_expires_at: Option<String>,
    /// The first failed attempt since the last success (cleared by a success).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<String>,
    /// Why it was disabled by the portal (not by its organisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u64,
}

pub fn new_endpoint_id() -> String {
    format!("whep_{}", super::ids::next_ulid())
}

impl Endpoint {
    pub fn wants(&self, event: EventType) -> bool {
        self.enabled && self.event_types.contains(&event)
    }

    /// The HMAC keys that sign at `now`: the secret, and the rotated-out one until it expires.
    pub fn signing_keys(&self, now: DateTime<Utc>) -> Vec<Vec<u8>> {
        let mut keys = vec![self.secret.key(Platform::Generic)];
        if let (Some(previous), Some(until)) =
            (&self.previous_secret, &self.previous_secret_expires_at)
        {
            if parse_time(until).is_some_and(|until| now < until) {
                keys.push(previous.key(Platform::Generic));
            }
        }
        keys
    }

    /// What the API shows: never a secret's value.
    pub fn view(&self) -> Value {
        let mut view = json!({
            "id": self.id,
            "url": self.url,
            "eventTypes": self.event_types,
            "enabled": self.enabled,
            "secretCreatedAt": self.secret.created_at,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "version": self.version,
        });
        if let Some(d) = &self.description {
            view["description"] = d.clone().into();
        }
        if let Some(until) = &self.previous_secret_expires_at {
            view["previousSecretExpiresAt"] = until.clone().into();
        }
        if let Some(since) = &self.failing_since {
            view["failingSince"] = since.clone().into();
        }
        if let Some(reason) = &self.disabled_reason {
            view["disabledReason"] = reason.clone().into();
        }
        view
    }
}

/// A new signing secret: `whsec_` + base64 of 32 random bytes.
pub fn new_secret(created_at: String) -> StoredSecret {
    StoredSecret::new(secret::generate(), created_at)
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    Delivered,
    /// Retries exhausted, or the endpoint was deleted or disabled.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// One attempt to deliver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub at: String,
    /// `delivered`, `failed` (an answer other than 2xx, or no answer) or `refused` (the
    /// address is not public).
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.outcome == "delivered"
    }
}

/// One event for one endpoint (`WHEP#{endpointId}` / `DLV#{ulid}`): the body as sent, so
/// every attempt and a replay send the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The ULID naming it: `dlv_{ulid}` in the API, `msg_{ulid}` as `webhook-id`.
    pub ulid: String,
    pub endpoint_id: String,
    pub org_id: String,
    pub event_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    pub body: String,
    pub status: DeliveryStatus,
    #[serde(default)]
    pub attempts: Vec<Attempt>,
    /// Failed attempts since it was made or replayed (what the next wait depends on).
    #[serde(default)]
    pub failures: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
    pub created_at: String,
}

impl Delivery {
    pub fn id(&self) -> String {
        format!("dlv_{}", self.ulid)
    }

    pub fn message_id(&self) -> String {
        format!("msg_{}", self.ulid)
    }

    pub fn view(&self) -> Value {
        let mut view = json!({
            "id": self.id(),
            "endpointId": self.endpoint_id,
            "eventId": self.message_id(),
            "eventType": self.event_type,
            "status": self.status.as_str(),
            "attempts": self.attempts,
            "createdAt": self.created_at,
        });
        if let Some(order) = &self.order_id {
            view["orderId"] = order.clone().into();
        }
        if let Some(next) = &self.next_attempt_at {
            view["nextAttemptAt"] = next.clone().into();
        }
        view
    }
}

/// The wait after the `failures`-th failed attempt, or none when retries are over.
pub fn retry_after(failures: usize) -> Option<Duration> {
    RETRY_MINUTES
        .get(failures.checked_sub(1)?)
        .map(|m| Duration::minutes(*m))
}

/// An event's ULID, the same for the same change however often the stream delivers it:
/// the change's time (the order's `updatedAt`) and, in the random part, its place among the
/// change's events and a hash of what names it. Events of one order sort in order.
pub fn event_ulid(at: DateTime<Utc>, index: usize, name: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(name.as_bytes());
    let mut low = [0u8; 16];
    low.copy_from_slice(&hash[..16]);
    let random = (u128::from_be_bytes(low) >> 56) | ((index as u128 & 0xff) << 72);
    let ms = u64::try_from(at.timestamp_millis()).unwrap_or_default();
    ulid::Ulid::from_parts(ms, random).to_string()
}

/// The JSON body of an event: `{type, timestamp, data}`.
pub fn event_body(event_type: &str, at: &str, data: Value) -> String {
    json!({ "type": event_type, "timestamp": at, "data": data }).to_string()
}

/// The Standard Webhooks headers of one attempt: its id, its time in seconds, and one
/// `v1,` signature per key, space-separated.
pub fn signed_headers(
    message_id: &str,
    at: DateTime<Utc>,
    body: &str,
    keys: &[Vec<u8>],
) -> Vec<(&'static str, String)> {
    let timestamp = at.timestamp().to_string();
    let signatures = keys
        .iter()
        .map(|key| {
            format!(
                "v1,{}",
                signature::sign(
                    key,
                    &[
                        message_id.as_bytes(),
                        b".",
                        timestamp.as_bytes(),
                        b".",
                        body.as_bytes()
                    ]
                )
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        ("webhook-id", message_id.to_string()),
        ("webhook-timestamp", timestamp),
        ("webhook-signature", signatures),
    ]
}

pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_to_public_hosts() {
        let ok = EndpointUrl::parse("https://hooks.example.com/in?x=1", false).unwrap();
        assert_eq!(
            (ok.host.as_str(), ok.port, ok.path.as_str()),
            ("hooks.example.com", 443, "/in?x=1")
        );
        for (url, code) in [
            ("http://hooks.example.com/", "https_required"),
            ("ftp://hooks.example.com/", "https_required"),
            ("https://127.0.0.1/", "private_address"),
            (
                "https://169.254.169.254/latest/meta-data",
                "private_address",
            ),
            ("https://[::1]:8443/", "private_address"),
            ("https://[::ffff:10.0.0.1]/", "private_address"),
            ("https://10.1.2.3/", "private_address"),
            ("https://100.64.0.1/", "private_address"),
            ("https://224.0.0.1/", "private_address"),
            ("https://0.0.0.0/", "private_address"),
            ("https://localhost/", "private_address"),
            ("https://db.internal/", "private_address"),
            ("https://2130706433/", "invalid_field"),
            ("https://user:pw@hooks.example.com/", "invalid_field"),
            ("https://hooks.example.com:0/", "invalid_field"),
            ("", "missing_field"),
        ] {
            assert_eq!(
                EndpointUrl::parse(url, false).unwrap_err().code,
                code,
                "{url}"
            );
        }
        assert!(EndpointUrl::parse("https://8.8.8.8/", false).is_ok());
        let local = EndpointUrl::parse("http://127.0.0.1:9000/hook", true).unwrap();
        assert_eq!((local.https, local.port), (false, 9000));
    }

    #[test]
    fn public_addresses() {
        for ip in ["8.8.8.8", "2606:4700::1111", "1.1.1.1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "169.254.169.254",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "192.168.1.1",
            "172.16.0.1",
            "100.127.255.255",
            "255.255.255.255",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn event_types_are_checked() {
        assert_eq!(
            parse_event_types(&["task.eta".into(), "order.created".into(), "task.eta".into()])
                .unwrap(),
            vec![EventType::OrderCreated, EventType::TaskEta]
        );
        assert!(parse_event_types(&[]).is_err());
        assert!(parse_event_types(&["order.deleted".into()]).is_err());
    }

    #[test]
    fn event_ids_are_stable_and_ordered() {
        let at = parse_time("2026-12-01T08:00:00.000Z").unwrap();
        let a = event_ulid(at, 0, "ord_1:v3:order.status_changed");
        assert_eq!(a, event_ulid(at, 0, "ord_1:v3:order.status_changed"));
        let b = event_ulid(at, 1, "ord_1:v3:task.completed");
        assert!(a < b);
        let later = event_ulid(at + Duration::milliseconds(1), 0, "ord_1:v4:x");
        assert!(b < later);
    }

    #[test]
    fn retries_span_more_than_three_days() {
        let total: i64 = RETRY_MINUTES.iter().sum();
        assert!(total > DISABLE_AFTER_DAYS * 24 * 60);
        assert_eq!(retry_after(1), Some(Duration::minutes(1)));
        assert_eq!(retry_after(RETRY_MINUTES.len() + 1), None);
        assert_eq!(retry_after(0), None);
    }
}

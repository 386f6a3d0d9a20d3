//! The log lines a scenario writes, captured (JSON, as on Lambda) and checked: no line may
//! hold a secret the scenario handled (API keys, passwords, session cookies, tokens from
//! links, webhook secrets) or a person's phone number or email address. Every scenario run
//! by [`on_both_backends!`](crate::on_both_backends) is checked this way; the metrics it
//! emitted (`portal::metrics` debug events off Lambda) are read from the same lines.

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

use portal::notify::{Recorder, Sent};

/// What a scenario logged, and the secrets it handled.
#[derive(Clone, Default)]
pub struct LogWatch {
    lines: Arc<Mutex<Vec<u8>>>,
    secrets: Arc<Mutex<BTreeSet<String>>>,
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogWatch {
    /// A subscriber writing JSON lines into this watch: the portal's own lines from debug
    /// up (metrics are debug events), other crates' (the AWS SDK's) from info.
    pub fn dispatch(&self) -> tracing::Dispatch {
        let lines = self.lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .flatten_event(true)
            .with_env_filter(tracing_subscriber::EnvFilter::new("info,portal=debug"))
            .with_writer(move || Sink(lines.clone()))
            .finish();
        tracing::Dispatch::new(subscriber)
    }

    /// Every captured line, parsed.
    pub fn lines(&self) -> Vec<Value> {
        let bytes = self.lines.lock().unwrap().clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// The EMF documents the scenario emitted, in order.
    pub fn metrics(&self) -> Vec<Value> {
        self.lines()
            .iter()
            .filter(|l| l["target"] == portal::observe::metrics::TARGET)
            .filter_map(|l| {
                l["emf"]
                    .as_str()
                    .map(|emf| serde_json::from_str(emf).unwrap())
            })
            .collect()
    }

    /// The sum of `name` over the documents whose `dimension` is `value`.
    pub fn metric_sum(&self, name: &str, dimension: &str, value: &str) -> u64 {
        self.metrics()
            .iter()
            .filter(|m| m[dimension] == value)
            .filter_map(|m| m[name].as_u64())
            .sum()
    }

    /// A value no log line may hold.
    pub fn secret(&self, value: &str) {
        let value = value.trim();
        if value.len() >= 8 {
            self.secrets.lock().unwrap().insert(value.to_string());
        }
    }

    /// The secrets in a request: its credentials and the passwords, phones and email
    /// addresses of its body (JSON or a form).
    pub fn note_request(&self, headers: &http::HeaderMap, body: &[u8]) {
        for (name, value) in headers {
            let Ok(value) = value.to_str() else { continue };
            match name.as_str() {
                "authorization" => self.secret(value.trim_start_matches("Bearer ")),
                "cookie" => value
                    .split(';')
                    .filter_map(|c| c.split_once('='))
                    .for_each(|(_, v)| self.secret(v)),
                _ => {}
            }
        }
        if let Ok(json) = serde_json::from_slice::<Value>(body) {
            self.note_json(&json, "");
        } else if let Ok(text) = std::str::from_utf8(body) {
            for (name, value) in form_urlencoded::parse(text.as_bytes()) {
                if personal(&name) {
                    self.secret(&value);
                }
            }
        }
    }

    /// The secrets in an answer: keys, secrets and tokens it hands out, its session cookie,
    /// the tokens of the links it shows.
    pub fn note_response(&self, headers: &[(String, String)], body: &str) {
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                if let Some((_, v)) = value.split(';').next().and_then(|c| c.split_once('=')) {
                    self.secret(v);
                }
            }
        }
        match serde_json::from_str::<Value>(body) {
            Ok(json) => self.note_json(&json, ""),
            Err(_) => self.note_text(body),
        }
    }

    fn note_json(&self, value: &Value, name: &str) {
        match value {
            Value::Object(map) => map.iter().for_each(|(k, v)| self.note_json(v, k)),
            Value::Array(items) => items.iter().for_each(|v| self.note_json(v, name)),
            Value::String(text) => {
                let lower = name.to_ascii_lowercase();
                if personal(name)
                    || lower.contains("secret")
                    || lower.contains("token")
                    || text.contains("_sk_")
                {
                    self.secret(text);
                }
                self.note_text(text);
            }
            _ => {}
        }
    }

    /// Tokens in the links of a text (22 or 43 URL-safe characters: tracking, invitation,
    /// reset and confirmation tokens) and API keys.
    pub fn note_text(&self, text: &str) {
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
            if word.contains("_sk_") {
                self.secret(word);
            }
        }
        for (i, _) in text.match_indices("://") {
            let url: String = text[i + 3..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !"\"'<>".contains(*c))
                .collect();
            for segment in url.split(['/', '?', '&', '=', '#']) {
                let token_like = matches!(segment.len(), 22 | 43)
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    && !segment.contains('.');
                if token_like {
                    self.secret(segment);
                }
            }
        }
    }

    /// The messages sent: recipients' numbers and addresses, the tokens of their links.
    pub fn note_sent(&self, recorder: &Recorder) {
        for sent in recorder.sent() {
            match sent {
                Sent::Sms { to, body } => {
                    self.secret(to.as_str());
                    self.note_text(&body);
                }
                Sent::Email(email) => {
                    self.secret(email.to.as_str());
                    self.note_text(&email.text);
                }
            }
        }
    }

    /// Fails on the first line holding a secret (a phone number also without its `+`), or
    /// an API key however it came.
    pub fn assert_no_secrets(&self, recorder: &Recorder) {
        self.note_sent(recorder);
        let secrets = self.secrets.lock().unwrap().clone();
        let bytes = self.lines.lock().unwrap().clone();
        let text = String::from_utf8_lossy(&bytes);
        for line in text.lines() {
            assert!(
                !line.contains("_sk_"),
                "a log line holds an API key: {line}"
            );
            for secret in &secrets {
                let bare = secret
                    .strip_prefix('+')
                    .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
                assert!(
                    !line.contains(secret.as_str()) && !bare.is_some_and(|d| line.contains(d)),
                    "a log line holds a secret or a person's number or address ({secret}): {line}"
                );
            }
        }
    }

    /// Whether `value` is among the secrets the lines are checked against.
    pub fn noted(&self, value: &str) -> bool {
        self.secrets.lock().unwrap().contains(value)
    }
}

/// A field holding a password, a phone number or an email address.
fn personal(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("password") || name.contains("phone") || name.contains("email")
}

//! `scripts/fault-proxy.py`, started for one test between the portal's AWS clients and moto
//! server, and its rules: which calls of which operation fail, and how (throttled, 5xx,
//! timed out, reset, or lost after taking effect).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

pub struct FaultProxy {
    child: Child,
    port: u16,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream` (moto server's URL) on a free port.
    pub fn start(upstream: &str) -> Self {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap();
        let mut child = Command::new(root.join(".venv/bin/python"))
            .arg(root.join("scripts/fault-proxy.py"))
            .args(["--upstream", upstream, "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the fault proxy starts (.venv/bin/python: ./scripts/python-env.sh)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the fault proxy said {line:?}"))
            .parse()
            .unwrap();
        Self { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replaces the rules (and zeroes the counters).
    pub fn set(&self, rules: Value) -> Value {
        self.control("POST", &json!({ "rules": rules }).to_string())
    }

    /// No more faults; the counters stay.
    pub fn clear(&self) -> Value {
        self.control("DELETE", "")
    }

    /// `{"calls": {"dynamodb.PutItem": n, …}, "injected": {…}}` since the last `set`.
    pub fn stats(&self) -> Value {
        self.control("GET", "")
    }

    /// The number of faults injected since the last `set`.
    pub fn injected(&self) -> u64 {
        self.stats()["injected"]
            .as_object()
            .map(|m| m.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0)
    }

    fn control(&self, method: &str, body: &str) -> Value {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "{method} /__faults HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (_, json) = answer.split_once("\r\n\r\n").unwrap();
        serde_json::from_str(json).unwrap()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A rule: `fault` on the calls of `service.operation` whose count modulo `every` is in `at`.
pub fn rule(service: &str, operation: &str, every: u32, at: &[u32], fault: &str) -> Value {
    json!({"service": service, "operation": operation, "every": every, "at": at, "fault": fault})
}

/// The first call of `service.operation` only.
pub fn first(service: &str, operation: &str, fault: &str) -> Value {
    rule(service, operation, 1_000_000, &[0], fault)
}

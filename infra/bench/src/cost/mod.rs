//! `portal-bench cost`: what a million orders cost on AWS. A scripted order lifecycle runs
//! N times in process through the portal's own routes (the authorizer's code, the functions'
//! handlers, the table's stream into the status fan-out) on the embedded store, metered as
//! AWS bills it: DynamoDB request units from the items themselves ([`metered`]), Lambda
//! invocations and their billed duration at each function's memory in template.yaml, HTTP
//! API requests, CloudWatch log bytes ([`logs`]), X-Ray traces, SMS segments and emails.
//! Prices: [`prices`]. Driven by `scripts/bench-cost.sh`; BENCHMARKS.md keeps the figures.

mod logs;
mod metered;
mod prices;
mod report;
mod template;

use bytes::Bytes;
use chrono::{DateTime, Duration as Span, Utc};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use portal::clock::ShiftedClock;
use portal::ctx::Config;
use portal::notify::{Outbox, Recorder, Sent};
use portal::store::embedded::EmbeddedStore;
use portal::store::Store;
use portal::Ctx;
use portal_local::router::Match;
use portal_local::streams::{LocalStream, FANOUT};
use portal_local::{LocalApp, Template};

use logs::LogCounter;
use metered::{Meter, Metered};
pub use report::Totals;
use template::Billing;

/// A deployment without a custom domain: links carry the API's own host (what the SMS
/// segments depend on). `--base-url` measures another.
pub const EXECUTE_API_URL: &str = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com";

/// Round trips a deployed function waits for, added to the time measured in process (the
/// embedded store answers in microseconds; DynamoDB in-region in a few milliseconds).
pub const DYNAMODB_CALL_MS: f64 = 6.0;
pub const DYNAMODB_TRANSACTION_MS: f64 = 12.0;
pub const SEND_MS: f64 = 30.0;

/// Monday 30 November 2026, 09:00 in San Francisco (the courier's zone).
const START: &str = "2026-11-30T17:00:00Z";

/// One phase of the lifecycle, summed over every run.
#[derive(Default, Clone)]
pub struct Phase {
    pub name: &'static str,
    pub api_requests: u64,
    /// (binary, invocations, billed milliseconds, memory MB)
    pub lambda: Vec<(String, u64, f64, u64)>,
    pub meter: Meter,
    pub log_lines: u64,
    pub log_bytes: u64,
    pub sms: u64,
    pub sms_segments: u64,
    pub emails: u64,
}

impl Phase {
    fn invoke(&mut self, binary: &str, ms: f64, memory: u64) {
        let billed = ms.ceil().max(1.0);
        match self.lambda.iter_mut().find(|(b, ..)| b == binary) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += billed;
            }
            None => self.lambda.push((binary.to_string(), 1, billed, memory)),
        }
    }
}

struct Bench {
    app: LocalApp,
    store: EmbeddedStore,
    metered: Arc<Metered>,
    recorder: Arc<Recorder>,
    clock: Arc<ShiftedClock>,
    stream: LocalStream,
    billing: Billing,
    logs: Arc<LogCounter>,
    sent_seen: usize,
}

pub async fn run(
    dir: &Path,
    orders: usize,
    base_url: &str,
) -> Result<Totals, Box<dyn std::error::Error>> {
    if dir.join("portal.sqlite3").exists() {
        return Err(format!(
            "{} already holds a portal: use a fresh directory",
            dir.display()
        )
        .into());
    }
    let logs = Arc::new(LogCounter::default());
    logs::capture(logs.clone());
    let billing = Billing::parse(portal_local::TEMPLATE_YAML)?;
    let store = EmbeddedStore::open(dir)?;
    let metered = Arc::new(Metered::new(
        Arc::new(store.clone()),
        billing.projections.clone(),
    ));
    let outbox = Outbox::new(store.clone());
    let recorder = Arc::new(Recorder::new(Arc::new(outbox.clone()), Arc::new(outbox)));
    let clock = Arc::new(ShiftedClock::default());
    clock.travel_to(START.parse::<DateTime<Utc>>()?);
    let ctx = Arc::new(Ctx {
        store: metered.clone(),
        mailer: Some(recorder.clone()),
        sms: Some(recorder.clone()),
        pusher: None,
        clock: clock.clone(),
        config: Config {
            public_base_url: Some(base_url.to_string()),
            sender_email: "no-reply@courier.example".into(),
            sms: Default::default(),
            webhooks_allow_private: true,
        },
    });
    let fanout = Arc::new(ctx.wired_for(portal::functions::STATUS_FANOUT.needs));
    let mut bench = Bench {
        app: LocalApp::new(ctx.clone(), &Template::built_in()),
        stream: LocalStream::new(store.clone(), fanout),
        store,
        metered,
        recorder,
        clock,
        billing,
        logs,
        sent_seen: 0,
    };
    let (courier_key, client_key) = bench.set_up().await?;
    let mut phases: Vec<Phase> = [
        "create the order (quoted)",
        "8 task events",
        "2 order reads",
        "2 tracking page views",
        "status fan-out",
    ]
    .into_iter()
    .map(|name| Phase {
        name,
        ..Phase::default()
    })
    .collect();
    let started = Instant::now();
    for n in 0..orders {
        bench
            .lifecycle(n, &courier_key, &client_key, &mut phases)
            .await?;
        if (n + 1) % 50 == 0 {
            eprintln!(
                "{} lifecycles in {:.0} s",
                n + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(Totals {
        orders: orders as u64,
        base_url: base_url.to_string(),
        phases,
        projections: bench
            .billing
            .projections
            .iter()
            .map(|(i, p)| (i.name(), p.label()))
            .collect(),
        platform_lines: bench.billing.default_platform_lines,
    })
}

impl Bench {
    /// A courier in San Francisco with a same-day service and a flat rate, a client priced
    /// with it: not metered.
    async fn set_up(&mut self) -> Result<(String, String), Box<dyn std::error::Error>> {
        let (_, key) = portal::api::couriers::create_courier(
            &self.app.ctx,
            "Swift Couriers",
            "dispatch@swift.example",
            "America/Los_Angeles",
        )
        .await?;
        let courier = key.secret;
        let service = self
            .call("POST", "/v1/services", Some(&courier), Some(json!({
                "name": "Same day", "sla": {"kind": "same_day", "hours": 4},
                "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "07:00", "to": "21:00"},
                "maxWeightKg": 20, "maxPieces": 5,
                "area": {"postalCodePrefixes": ["94"]}
            })), None)
            .await?;
        let rate = self
            .call(
                "POST",
                "/v1/rate-tables",
                Some(&courier),
                Some(json!({"name": "City flat", "currency": "USD", "base": {"method": "flat", "amount": 1500}})),
                None,
            )
            .await?;
        let (client_id, client_key) = crate::seed::onboard_with(
            &self.app,
            &self.store,
            &courier,
            "Bloom Florist",
            0,
            json!({"defaultPickup": {"address": {"line1": "10 Depot Rd", "city": "San Francisco", "postalCode": "94107", "country": "US"}}}),
        )
        .await?;
        self.call(
            "PUT",
            &format!("/v1/clients/{client_id}/services"),
            Some(&courier),
            Some(json!({"services": [{"serviceId": service["id"], "rateTableId": rate["id"]}]})),
            None,
        )
        .await?;
        // The stream starts after the set-up; the meters too.
        self.store
            .set_stream_position(FANOUT, self.store.last_change_seq().await?)
            .await?;
        self.metered.take();
        self.logs.take();
        self.sent_seen = self.recorder.sent().len();
        Ok((courier, client_key))
    }

    async fn lifecycle(
        &mut self,
        n: usize,
        courier: &str,
        client: &str,
        phases: &mut [Phase],
    ) -> Result<(), Box<dyn std::error::Error>> {
        // Each lifecycle on its own morning, so every quote sees the same hours.
        self.clock
            .travel_to(START.parse::<DateTime<Utc>>()? + Span::days(n as i64 % 5));
        let order = json!({
            "pickup": {"address": {"line1": "10 Depot Rd", "city": "San Francisco", "postalCode": "94107", "country": "US"},
                       "contact": {"name": "Bloom Florist", "phone": "+14155550100"}},
            "dropoff": {
                "address": {"line1": format!("{} Valencia St", 100 + n % 900), "line2": "Apt 4", "city": "San Francisco", "state": "CA", "postalCode": "94110", "country": "US"},
                "recipient": {"name": "Maria Gonzalez", "phone": format!("+1415555{:04}", n % 10_000), "email": format!("maria{n}@example.com")},
                "notes": "Ring the bell, leave with the doorman if no answer"
            },
            "weight": 2.5, "pieces": 1, "externalId": format!("SHOP-{n:06}")
        });
        let created = self
            .call(
                "POST",
                "/v1/orders",
                Some(client),
                Some(order),
                Some(&mut phases[0]),
            )
            .await?;
        self.fan_out(&mut phases[4]).await?;
        let id = created["id"].as_str().unwrap_or_default().to_string();
        let task = |kind: &str| created[kind]["id"].as_str().unwrap_or_default().to_string();
        let (pickup, dropoff) = (task("pickup"), task("dropoff"));
        let now = self.clock_now();
        let events = [
            (
                &pickup,
                json!({"type": "assigned", "driver": {"name": "Sam Rivera", "phone": "+14155550142"}}),
            ),
            (
                &dropoff,
                json!({"type": "assigned", "driver": {"name": "Sam Rivera", "phone": "+14155550142"}}),
            ),
            (&pickup, json!({"type": "started"})),
            (
                &pickup,
                json!({"type": "completed", "proof": {"notes": "2 bags"}}),
            ),
            (&dropoff, json!({"type": "started"})),
            (
                &dropoff,
                json!({"type": "eta", "eta": (now + Span::minutes(95)).to_rfc3339()}),
            ),
            (&dropoff, json!({"type": "arrived"})),
            (
                &dropoff,
                json!({"type": "completed", "proof": {
                    "signature": "M. Gonzalez",
                    "photos": [format!("https://photos.swift.example/pod/{id}/1.jpg")],
                    "notes": "Handed to the recipient"
                }}),
            ),
        ];
        for (task, event) in events {
            self.clock.advance(Span::minutes(12));
            self.call(
                "POST",
                &format!("/v1/tasks/{task}/events"),
                Some(courier),
                Some(event),
                Some(&mut phases[1]),
            )
            .await?;
            self.fan_out(&mut phases[4]).await?;
        }
        for key in [client, courier] {
            self.call(
                "GET",
                &format!("/v1/orders/{id}"),
                Some(key),
                None,
                Some(&mut phases[2]),
            )
            .await?;
        }
        let link = created["trackingUrl"].as_str().unwrap_or_default();
        let path = link
            .find("/track/")
            .map(|at| &link[at..])
            .unwrap_or("/track/none");
        for _ in 0..2 {
            self.call("GET", path, None, None, Some(&mut phases[3]))
                .await?;
        }
        self.fan_out(&mut phases[4]).await?;
        Ok(())
    }

    fn clock_now(&self) -> DateTime<Utc> {
        use portal::clock::Clock;
        self.clock.now()
    }

    /// One request through API Gateway: the authorizer (on a protected route) and the
    /// route's function, metered into `phase` (when given).
    async fn call(
        &mut self,
        method: &str,
        uri: &str,
        key: Option<&str>,
        body: Option<Value>,
        phase: Option<&mut Phase>,
    ) -> Result<Value, Box<dyn std::error::Error>> {
        let path = uri.split('?').next().unwrap_or(uri);
        let (binary, public) = match self.app.router().find(method, path) {
            Match::Found {
                function, public, ..
            } => (function.to_string(), public),
            _ => return Err(format!("{method} {uri}: no route").into()),
        };
        let mut headers = http::HeaderMap::new();
        if let Some(key) = key {
            headers.insert("authorization", format!("Bearer {key}").parse()?);
        }
        if method == "GET" && path.starts_with("/track/") {
            headers.insert("accept", "text/html".parse()?);
        }
        // The authorizer's own time, on the store without the meter (its reads are
        // metered once, in the request below).
        let authorizer_ms = if public {
            None
        } else {
            let header = key.map(|k| format!("Bearer {k}"));
            let started = Instant::now();
            let _ = portal::auth::authorize(&self.store as &dyn Store, header.as_deref()).await;
            Some(started.elapsed().as_secs_f64() * 1000.0)
        };
        let calls_before = self.metered.calls();
        let started = Instant::now();
        let response = self
            .app
            .handle(
                method,
                uri,
                headers,
                body.map(|b| Bytes::from(b.to_string())).unwrap_or_default(),
            )
            .await;
        let total_ms = started.elapsed().as_secs_f64() * 1000.0;
        let text = String::from_utf8_lossy(&response.body).into_owned();
        if response.status >= 300 {
            return Err(format!("{method} {uri}: {}: {text}", response.status).into());
        }
        if let Some(phase) = phase {
            let (calls, transactions) = self.metered.calls_since(calls_before);
            let waits = calls as f64 * DYNAMODB_CALL_MS
                + transactions as f64 * (DYNAMODB_TRANSACTION_MS - DYNAMODB_CALL_MS);
            phase.api_requests += 1;
            let mut handler_ms = total_ms;
            if let Some(auth_ms) = authorizer_ms {
                handler_ms = (total_ms - auth_ms).max(0.0);
                // One GetItem (the key's record).
                let memory = self.billing.memory_of("authorizer");
                phase.invoke("authorizer", auth_ms + DYNAMODB_CALL_MS, memory);
                self.platform_log("authorizer", auth_ms + DYNAMODB_CALL_MS, memory);
            }
            let memory = self.billing.memory_of(&binary);
            let auth_waits = if public { 0.0 } else { DYNAMODB_CALL_MS };
            let ms = handler_ms + (waits - auth_waits).max(0.0);
            phase.invoke(&binary, ms, memory);
            self.platform_log(&binary, ms, memory);
            let route_key = self
                .app
                .router()
                .routes()
                .iter()
                .find(|r| r.function == binary && r.method == method)
                .map(|r| format!("{method} /{}", r.segments.join("/")))
                .unwrap_or_else(|| format!("{method} {path}"));
            self.logs
                .add_line(&logs::access_line(&route_key, response.status));
            phase.meter.add(&self.metered.take());
            let (lines, bytes) = self.logs.take();
            phase.log_lines += lines;
            phase.log_bytes += bytes;
            self.count_sent(phase);
        }
        if text.trim_start().starts_with('<') {
            return Ok(Value::String(text));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Delivers what the stream holds to the status fan-out, one invocation per batch.
    async fn fan_out(&mut self, phase: &mut Phase) -> Result<(), Box<dyn std::error::Error>> {
        // Writes before this point belong to their request.
        loop {
            let calls_before = self.metered.calls();
            let sent_before = self.recorder.sent().len();
            let started = Instant::now();
            let delivery = self.stream.deliver_next().await?;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if delivery.delivered > 0 {
                let (calls, transactions) = self.metered.calls_since(calls_before);
                let sends = self.recorder.sent().len() - sent_before;
                let ms = ms
                    + calls as f64 * DYNAMODB_CALL_MS
                    + transactions as f64 * (DYNAMODB_TRANSACTION_MS - DYNAMODB_CALL_MS)
                    + sends as f64 * SEND_MS;
                // The line `serve_status_fanout` prints after each batch, in its span (the
                // request id of a Lambda invocation).
                tracing::info_span!(
                    "event",
                    request_id = "6f2c9e4a-8b1d-4c3e-9f7a-2d5b8e1c0a93",
                    handler = "status-fanout",
                )
                .in_scope(|| {
                    tracing::info!(
                        records = delivery.delivered,
                        failed = usize::from(delivery.failed.is_some()),
                        "stream batch done"
                    )
                });
                let memory = self.billing.memory_of("status-fanout");
                phase.invoke("status-fanout", ms, memory);
                self.platform_log("status-fanout", ms, memory);
            }
            phase.meter.add(&self.metered.take());
            let (lines, bytes) = self.logs.take();
            phase.log_lines += lines;
            phase.log_bytes += bytes;
            self.count_sent(phase);
            if delivery.failed.is_some() {
                return Err(format!("the fan-out failed a record: {delivery:?}").into());
            }
            if !delivery.more {
                return Ok(());
            }
        }
    }

    /// Lambda's own lines of one invocation, when its `SystemLogLevel` lets them through.
    fn platform_log(&self, binary: &str, ms: f64, memory: u64) {
        if self.billing.platform_lines_of(binary) {
            for line in logs::platform_lines(binary, ms.ceil() as u64, memory) {
                self.logs.add_line(&line);
            }
        }
    }

    fn count_sent(&mut self, phase: &mut Phase) {
        let sent = self.recorder.sent();
        for message in &sent[self.sent_seen..] {
            match message {
                Sent::Sms { body, .. } => {
                    phase.sms += 1;
                    phase.sms_segments += portal::domain::sms::segments(body) as u64;
                }
                Sent::Email(_) => phase.emails += 1,
            }
        }
        self.sent_seen = sent.len();
    }
}

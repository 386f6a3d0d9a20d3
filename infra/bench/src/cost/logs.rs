//! The log lines the handlers print, counted as CloudWatch Logs bills their ingestion: the
//! functions log JSON (`LoggingConfig.LogFormat: JSON`), one event per line, each event's
//! bytes plus 26 bytes of event overhead.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// CloudWatch Logs' per-event overhead in billed bytes.
pub const EVENT_OVERHEAD: u64 = 26;

#[derive(Default)]
pub struct LogCounter {
    pub lines: AtomicU64,
    pub bytes: AtomicU64,
}

impl LogCounter {
    /// Lines and billed bytes since the last call.
    pub fn take(&self) -> (u64, u64) {
        (
            self.lines.swap(0, Ordering::SeqCst),
            self.bytes.swap(0, Ordering::SeqCst),
        )
    }

    /// One line written by something other than the handlers (the platform's, the
    /// API's access log), billed the same way.
    pub fn add_line(&self, line: &str) {
        self.lines.fetch_add(1, Ordering::SeqCst);
        self.bytes
            .fetch_add(line.len() as u64 + EVENT_OVERHEAD, Ordering::SeqCst);
    }
}

pub struct Counting(Arc<LogCounter>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let lines = buf.iter().filter(|b| **b == b'\n').count() as u64;
        self.0.lines.fetch_add(lines, Ordering::SeqCst);
        // The newline is not part of the event; the overhead is.
        self.0.bytes.fetch_add(
            buf.len() as u64 - lines + lines * EVENT_OVERHEAD,
            Ordering::SeqCst,
        );
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the functions' own subscriber (INFO, JSON, no target, no time: Lambda stamps
/// each event), writing into `counter` instead of stdout; and counts each EMF metric line
/// the functions print on Lambda (off Lambda the same line is a `debug` event of target
/// `portal::metrics`, its `emf` field), billed as the line itself.
pub fn capture(counter: Arc<LogCounter>) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let lines = counter.clone();
    let _ = tracing_subscriber::registry()
        .with(
            // As `portal::observe::logging::init` formats them on Lambda (JSON): the
            // event's fields flattened, with the fields of the spans it is in.
            tracing_subscriber::fmt::layer()
                .with_target(false)
                .without_time()
                .json()
                .with_current_span(false)
                .with_span_list(true)
                .flatten_event(true)
                .with_writer(move || Counting(lines.clone()))
                .with_filter(LevelFilter::INFO),
        )
        .with(Emf(counter).with_filter(
            Targets::new().with_target(portal::observe::metrics::TARGET, tracing::Level::DEBUG),
        ))
        .try_init();
}

/// Counts the `emf` field of each metric event as one log line.
struct Emf(Arc<LogCounter>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Emf {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Field(Option<String>);
        impl tracing::field::Visit for Field {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "emf" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        let mut emf = Field(None);
        event.record(&mut emf);
        if let Some(line) = emf.0 {
            self.0.add_line(&line);
        }
    }
}

/// The lines Lambda writes itself around each invocation in JSON log format
/// (`platform.start` and `platform.report`, with X-Ray on), with typical values.
pub fn platform_lines(binary: &str, billed_ms: u64, memory_mb: u64) -> [String; 2] {
    let id = "6f2c9e4a-8b1d-4c3e-9f7a-2d5b8e1c0a93";
    let trace = "Root=1-6757a1b0-3c9f2e8d7a6b5c4d3e2f1a0b;Parent=4f3e2d1c0b9a8776;Sampled=1";
    [
        format!(
            r#"{{"time":"2026-12-07T21:00:00.000Z","type":"platform.start","record":{{"requestId":"{id}","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:courier-portal-{binary}","version":"$LATEST","tracing":{{"spanId":"4f3e2d1c0b9a8776","type":"X-Amzn-Trace-Id","value":"{trace}"}}}}}}"#
        ),
        format!(
            r#"{{"time":"2026-12-07T21:00:00.012Z","type":"platform.report","record":{{"requestId":"{id}","metrics":{{"durationMs":{billed_ms}.42,"billedDurationMs":{billed_ms},"memorySizeMB":{memory_mb},"maxMemoryUsedMB":31}},"tracing":{{"spanId":"4f3e2d1c0b9a8776","type":"X-Amzn-Trace-Id","value":"{trace}"}},"status":"success"}}}}"#
        ),
    ]
}

/// The API's access log line for one request (the stage's `AccessLogSettings.Format`,
/// with typical values: a browser's user agent, a 2 KB answer).
pub fn access_line(route_key: &str, status: u16) -> String {
    format!(
        r#"{{"requestId":"Ab3dEfGhIjKlMnO=","time":"07/Dec/2026:21:00:00 +0000","routeKey":"{route_key}","status":"{status}","latencyMs":"38","integrationLatencyMs":"31","integrationStatus":"200","integrationError":"-","authorizerError":"-","errorMessage":"-","ip":"203.0.113.45","userAgent":"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1","responseLength":"2048"}}"#
    )
}

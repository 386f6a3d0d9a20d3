//! Time as a dependency, so expiry is testable without waiting.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Waits until the clock reads `deadline` (at once when it already does): answers that
    /// must take a fixed time whatever work they did.
    fn wait_until(&self, deadline: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let left = (deadline - self.now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(left))
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system clock moved by an adjustable offset (tests travel forward in time).
#[derive(Default)]
pub struct ShiftedClock {
    offset_millis: AtomicI64,
}

impl ShiftedClock {
    pub fn advance(&self, by: Duration) {
        self.offset_millis
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }

    /// Moves the clock so that it now reads `at` (and runs on from there).
    pub fn travel_to(&self, at: DateTime<Utc>) {
        self.offset_millis
            .store((at - Utc::now()).num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_millis.load(Ordering::SeqCst))
    }

    /// Jumps to the deadline instead of sleeping: tests of a fixed answer time read it on
    /// this clock, and never wait for it.
    fn wait_until(&self, deadline: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let left = deadline - self.now();
        if left > Duration::zero() {
            // Whole milliseconds, rounded up: the clock reads the deadline or just past it.
            let micros = left.num_microseconds().unwrap_or(i64::MAX);
            self.advance(Duration::milliseconds(micros.saturating_add(999) / 1000));
        }
        Box::pin(std::future::ready(()))
    }
}

/// Timestamps in JSON and in the store: RFC 3339, UTC, milliseconds (sorts as text).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

//! How pages write values.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use serde_json::Value;

/// A timestamp as a person reads it, in their time zone: `2026-01-01T15:42:00Z` in
/// Europe/Paris is `1 Jan 2026, 16:42`. A value that is not a timestamp is shown as it is.
pub fn local(t: &str, zone: Tz) -> String {
    match DateTime::parse_from_rfc3339(t) {
        Ok(at) => local_at(at, zone),
        Err(_) => t.to_string(),
    }
}

/// An instant as [`local`] writes it.
pub fn local_at(at: DateTime<FixedOffset>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%-d %b %Y, %H:%M")
        .to_string()
}

/// Integer minor units with two decimals (the currencies our couriers price in).
pub fn money(minor: u64, currency: &str) -> String {
    format!("{}.{:02} {currency}", minor / 100, minor % 100)
}

/// A string field of a JSON answer, or nothing (for the pages that still read JSON answers
/// of their use cases: the settings and API pages).
pub fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_written() {
        assert_eq!(money(1250, "EUR"), "12.50 EUR");
        assert_eq!(money(5, "USD"), "0.05 USD");
        let paris: Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(local("2026-01-01T15:42:00Z", paris), "1 Jan 2026, 16:42");
        assert_eq!(
            local("2026-07-01T09:05:00+00:00", paris),
            "1 Jul 2026, 11:05"
        );
        assert_eq!(local("soon", paris), "soon");
    }
}

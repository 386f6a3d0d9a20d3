//! How pages write values.

use serde_json::Value;

/// A timestamp to the minute, in the offset it was given with: `2026-12-01T08:30:00Z` as
/// `2026-12-01 08:30`.
pub fn to_minute(t: &str) -> String {
    match (t.get(..10), t.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => t.to_string(),
    }
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

/// A JSON timestamp field, to the minute ([`to_minute`]).
pub fn when(v: &Value) -> String {
    to_minute(v.as_str().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_written() {
        assert_eq!(to_minute("2026-12-01T08:30:00Z"), "2026-12-01 08:30");
        assert_eq!(to_minute("soon"), "soon");
        assert_eq!(money(1250, "EUR"), "12.50 EUR");
        assert_eq!(money(5, "USD"), "0.05 USD");
    }
}

//! Money: integer minor units of an ISO 4217 currency (never floating point).

use serde::{Deserialize, Serialize};

/// ISO 4217 codes with the number of digits of their minor unit.
#[rustfmt::skip]
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2), ("ARS", 2), ("AUD", 2), ("BGN", 2), ("BHD", 3), ("BRL", 2), ("CAD", 2),
    ("CHF", 2), ("CLP", 0), ("CNY", 2), ("COP", 2), ("CZK", 2), ("DKK", 2), ("EGP", 2),
    ("EUR", 2), ("GBP", 2), ("HKD", 2), ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2),
    ("ISK", 0), ("JOD", 3), ("JPY", 0), ("KES", 2), ("KRW", 0), ("KWD", 3), ("MAD", 2),
    ("MXN", 2), ("MYR", 2), ("NGN", 2), ("NOK", 2), ("NZD", 2), ("OMR", 3), ("PEN", 2),
    ("PHP", 2), ("PKR", 2), ("PLN", 2), ("QAR", 2), ("RON", 2), ("SAR", 2), ("SEK", 2),
    ("SGD", 2), ("THB", 2), ("TND", 3), ("TRY", 2), ("TWD", 2), ("UAH", 2), ("USD", 2),
    ("VND", 0), ("XAF", 0), ("XOF", 0), ("ZAR", 2),
];

/// An ISO 4217 currency this portal prices in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    /// Position in [`CURRENCIES`].
    index: u8,
}

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, String> {
        CURRENCIES
            .iter()
            .position(|(code, _)| *code == raw)
            .map(|index| Self { index: index as u8 })
            .ok_or_else(|| {
                "must be an ISO 4217 currency code in upper case, such as USD or EUR".into()
            })
    }

    pub fn code(self) -> &'static str {
        CURRENCIES[usize::from(self.index)].0
    }

    /// Digits of the minor unit: 2 for USD (cents), 0 for JPY, 3 for KWD.
    pub fn exponent(self) -> u8 {
        CURRENCIES[usize::from(self.index)].1
    }

    /// `amount` minor units written in major units ("12.50"), for people.
    pub fn format(self, amount: u64) -> String {
        if self.exponent() == 0 {
            return format!("{amount} {}", self.code());
        }
        let scale = 10u64.pow(u32::from(self.exponent()));
        format!(
            "{}.{:0width$} {}",
            amount / scale,
            amount % scale,
            self.code(),
            width = usize::from(self.exponent())
        )
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

/// A non-negative amount in minor units, at most 10^12 (ten billion dollars in cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Amount(u64);

impl Amount {
    pub const MAX: u64 = 1_000_000_000_000;

    pub fn new(minor: u64) -> Result<Self, String> {
        if minor <= Self::MAX {
            Ok(Self(minor))
        } else {
            Err(format!(
                "must be a whole amount in minor units (cents) from 0 to {}",
                Self::MAX
            ))
        }
    }

    pub fn minor(self) -> u64 {
        self.0
    }
}

impl TryFrom<u64> for Amount {
    type Error = String;
    fn try_from(minor: u64) -> Result<Self, String> {
        Self::new(minor)
    }
}

impl From<Amount> for u64 {
    fn from(a: Amount) -> u64 {
        a.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_know_their_minor_unit() {
        for (code, exponent, amount, shown) in [
            ("USD", 2, 1250, "12.50 USD"),
            ("JPY", 0, 1250, "1250 JPY"),
            ("KWD", 3, 1250, "1.250 KWD"),
            ("EUR", 2, 5, "0.05 EUR"),
        ] {
            let c = Currency::parse(code).unwrap();
            assert_eq!(c.exponent(), exponent);
            assert_eq!(c.format(amount), shown);
        }
        for bad in ["usd", "US", "XYZ", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_are_whole_minor_units() {
        assert!(serde_json::from_str::<Amount>("250").is_ok());
        assert!(serde_json::from_str::<Amount>("2.5").is_err());
        assert!(serde_json::from_str::<Amount>("-1").is_err());
        assert!(serde_json::from_str::<Amount>("1000000000001").is_err());
    }
}

//! Countries, as addresses and phone numbers name them.

use serde::{Deserialize, Serialize};

/// ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        let code = raw.trim().to_uppercase();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err("must be a two-letter ISO 3166 country code".into())
        }
    }
}

impl CountryCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.0
    }
}

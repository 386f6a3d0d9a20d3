use serde::{Deserialize, Serialize};
use std::fmt;

/// A phone number in E.164: `+`, a country code that does not start with 0, 8 to 15 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let invalid = || "must be a phone number in E.164 format, like +14155550123".to_string();
        let digits = raw.strip_prefix('+').ok_or_else(invalid)?;
        if !(8..=15).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(invalid());
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Phone;

    #[test]
    fn e164_only() {
        assert!(Phone::parse("+14155550123").is_ok());
        assert!(Phone::parse("+447911123456").is_ok());
        for bad in [
            "4155550123",
            "+0155550123",
            "+1 415 555",
            "+1415555012345678",
            "+1-415-555-0123",
            "+",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}

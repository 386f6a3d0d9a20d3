use serde::{Deserialize, Serialize};
use std::fmt;

use super::country::CountryCode;

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

    /// A number as people and shops type it: international (`+33 6 12…`, `0033 6 12…`), or
    /// national in `country` (`06 12 34 56 78` in FR, its trunk prefix dropped), with
    /// spaces, dots, dashes, slashes and brackets. The one reading of sheets and shop orders.
    pub fn from_national(raw: &str, country: Option<&CountryCode>) -> Result<Self, String> {
        let trimmed = raw.trim();
        let international = trimmed.starts_with('+');
        let rest = trimmed.strip_prefix('+').unwrap_or(trimmed);
        if rest.is_empty()
            || rest
                .chars()
                .any(|c| !(c.is_ascii_digit() || " ()-./".contains(c)))
        {
            return Err("is not a phone number".into());
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if international {
            return Self::parse(&format!("+{digits}"));
        }
        if let Some(international) = digits.strip_prefix("00") {
            return Self::parse(&format!("+{international}"));
        }
        let Some(plan) = country.and_then(|c| numbering(&String::from(c.clone()))) else {
            return Err(
                "must be in international format (+…): the client's country is not known".into(),
            );
        };
        let (min, max) = plan.digits;
        let national = if !plan.trunk.is_empty() && digits.len() > min {
            digits.strip_prefix(plan.trunk).unwrap_or(&digits)
        } else {
            &digits
        };
        if national.len() < min {
            return Err(format!("is too short for a {} phone number", plan.code));
        }
        if national.len() > max {
            return Err(format!("is too long for a {} phone number", plan.code));
        }
        Self::parse(&format!("+{}{national}", plan.calling))
    }
}

/// A country's numbering plan: its calling code, the trunk prefix a national number starts
/// with (dropped before the calling code), and the national number's lengths.
struct Numbering {
    code: &'static str,
    calling: &'static str,
    trunk: &'static str,
    digits: (usize, usize),
}

const fn plan(
    code: &'static str,
    calling: &'static str,
    trunk: &'static str,
    digits: (usize, usize),
) -> Numbering {
    Numbering {
        code,
        calling,
        trunk,
        digits,
    }
}

/// The countries whose national numbers are read; others must be typed with `+`.
const NUMBERING: &[Numbering] = &[
    // The North American plan: 10 digits, `1` as the trunk prefix.
    plan("US", "1", "1", (10, 10)),
    plan("CA", "1", "1", (10, 10)),
    plan("PR", "1", "1", (10, 10)),
    plan("GU", "1", "1", (10, 10)),
    plan("VI", "1", "1", (10, 10)),
    plan("AS", "1", "1", (10, 10)),
    plan("MP", "1", "1", (10, 10)),
    plan("GB", "44", "0", (9, 10)),
    plan("IE", "353", "0", (7, 9)),
    plan("FR", "33", "0", (9, 9)),
    plan("DE", "49", "0", (6, 11)),
    plan("ES", "34", "", (9, 9)),
    plan("IT", "39", "", (6, 11)),
    plan("PT", "351", "", (9, 9)),
    plan("NL", "31", "0", (9, 9)),
    plan("BE", "32", "0", (8, 9)),
    plan("CH", "41", "0", (9, 9)),
    plan("AT", "43", "0", (6, 13)),
    plan("AU", "61", "0", (9, 9)),
    plan("NZ", "64", "0", (8, 10)),
    plan("MX", "52", "", (10, 10)),
];

fn numbering(code: &str) -> Option<&'static Numbering> {
    NUMBERING.iter().find(|n| n.code == code)
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
    use crate::domain::country::CountryCode;

    #[test]
    fn national_numbers_take_the_country() {
        let table: &[(&str, Option<&str>, Result<&str, &str>)] = &[
            // France: the trunk 0 dropped, however it is written.
            ("06 12 34 56 78", Some("FR"), Ok("+33612345678")),
            ("06.12.34.56.78", Some("FR"), Ok("+33612345678")),
            ("06-12-34-56-78", Some("FR"), Ok("+33612345678")),
            ("0612345678", Some("FR"), Ok("+33612345678")),
            ("612345678", Some("FR"), Ok("+33612345678")),
            ("+33 6 12 34 56 78", Some("FR"), Ok("+33612345678")),
            ("0033 6 12 34 56 78", Some("FR"), Ok("+33612345678")),
            ("06 12 34 56", Some("FR"), Err("too short")),
            ("06 12 34 56 78 90", Some("FR"), Err("too long")),
            // Great Britain.
            ("07911 123456", Some("GB"), Ok("+447911123456")),
            ("07911-123-456", Some("GB"), Ok("+447911123456")),
            ("020 7946 0018", Some("GB"), Ok("+442079460018")),
            ("+44 7911 123456", Some("GB"), Ok("+447911123456")),
            ("0044 7911 123456", Some("GB"), Ok("+447911123456")),
            // The United States.
            ("(415) 555-0147", Some("US"), Ok("+14155550147")),
            ("415.555.0147", Some("US"), Ok("+14155550147")),
            ("1-415-555-0147", Some("US"), Ok("+14155550147")),
            ("+1 415 555 0147", Some("US"), Ok("+14155550147")),
            ("555-0147", Some("US"), Err("too short")),
            // Germany.
            ("030 1234567", Some("DE"), Ok("+49301234567")),
            ("0151/23456789", Some("DE"), Ok("+4915123456789")),
            ("+49 30 1234567", Some("DE"), Ok("+49301234567")),
            ("0049 30 1234567", Some("DE"), Ok("+49301234567")),
            // International numbers need no country; national ones do.
            ("+33 6 12 34 56 78", None, Ok("+33612345678")),
            ("0033612345678", Some("US"), Ok("+33612345678")),
            ("0612345678", None, Err("international format")),
            ("0612345678", Some("ZZ"), Err("international format")),
            // Not numbers.
            ("call me", Some("FR"), Err("not a phone number")),
            ("06 12 34 56 7x", Some("FR"), Err("not a phone number")),
            ("33+612345678", Some("FR"), Err("not a phone number")),
            ("+", Some("FR"), Err("not a phone number")),
            ("", Some("FR"), Err("not a phone number")),
        ];
        for (raw, country, expected) in table {
            let country = country.map(|c| CountryCode::try_from(c.to_string()).unwrap());
            let got = Phone::from_national(raw, country.as_ref());
            match (expected, &got) {
                (Ok(e164), Ok(phone)) => assert_eq!(phone.as_str(), *e164, "{raw:?}"),
                (Err(reason), Err(error)) => assert!(error.contains(reason), "{raw:?}: {error}"),
                _ => panic!("{raw:?} in {country:?}: {got:?}, expected {expected:?}"),
            }
        }
    }

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

//! Who an SMS says it is from: the origination number (a toll-free number, a 10DLC number or
//! a short code: US carriers refuse SMS without one) and the alphanumeric sender id (shown
//! instead of a number where the country allows it). Both are deployment settings
//! (`SMS_ORIGINATION_NUMBER`, `SMS_SENDER_ID`), read and checked once at start-up.

use std::fmt;

/// An origination number: E.164 (`+18885550123`), or a short code of 3 to 8 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginationNumber(String);

impl OriginationNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let short_code = (3..=8).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit());
        if short_code || super::phone::Phone::parse(raw).is_ok() {
            Ok(Self(raw.to_string()))
        } else {
            Err(format!(
                "SMS_ORIGINATION_NUMBER must be a number in E.164 format (+18885550123) or a \
                 short code (3 to 8 digits), not {raw:?}"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An alphanumeric sender id: 1 to 11 letters and digits, at least one letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderId(String);

impl SenderId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let valid = (1..=11).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric())
            && raw.bytes().any(|b| b.is_ascii_alphabetic());
        if valid {
            Ok(Self(raw.to_string()))
        } else {
            Err(format!(
                "SMS_SENDER_ID must be 1 to 11 letters and digits with at least one letter \
                 (no spaces), not {raw:?}"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SenderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The identity every SMS is sent with; either part may be unset (an empty setting).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmsIdentity {
    pub origination_number: Option<OriginationNumber>,
    pub sender_id: Option<SenderId>,
}

impl SmsIdentity {
    /// From the two settings as the environment has them (unset or blank: none).
    pub fn parse(
        origination_number: Option<&str>,
        sender_id: Option<&str>,
    ) -> Result<Self, String> {
        Ok(Self {
            origination_number: set(origination_number)
                .map(OriginationNumber::parse)
                .transpose()?,
            sender_id: set(sender_id).map(SenderId::parse).transpose()?,
        })
    }
}

/// A setting's value, if it has one (unset or blank: none).
fn set(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origination_numbers_are_e164_or_short_codes() {
        assert!(OriginationNumber::parse("+18885550123").is_ok());
        assert!(OriginationNumber::parse("12345").is_ok());
        assert!(OriginationNumber::parse("888-555-0123").is_err());
        assert!(OriginationNumber::parse("+1").is_err());
        assert!(OriginationNumber::parse("18885550123").is_err());
    }

    #[test]
    fn sender_ids_are_up_to_eleven_alphanumerics_with_a_letter() {
        assert!(SenderId::parse("DemoCourier").is_ok());
        assert!(SenderId::parse("Courier24").is_ok());
        assert!(SenderId::parse("DemoCourier1").is_err());
        assert!(SenderId::parse("Demo Courier").is_err());
        assert!(SenderId::parse("12345").is_err());
        assert!(SenderId::parse("").is_err());
    }

    #[test]
    fn blank_settings_are_no_identity_and_bad_ones_are_refused() {
        assert_eq!(
            SmsIdentity::parse(None, Some("  ")),
            Ok(SmsIdentity::default())
        );
        let identity = SmsIdentity::parse(Some("+18885550123"), Some("Demo")).unwrap();
        assert_eq!(
            identity.origination_number.unwrap().as_str(),
            "+18885550123"
        );
        assert_eq!(identity.sender_id.unwrap().as_str(), "Demo");
        let refused = SmsIdentity::parse(Some("0800 123"), None).unwrap_err();
        assert!(refused.contains("SMS_ORIGINATION_NUMBER"), "{refused}");
    }
}

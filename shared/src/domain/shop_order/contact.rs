//! A shop customer's phone and email, as shops type them.

use crate::domain::address::CountryCode;
use crate::domain::{Email, Phone};

/// The first usable phone among `candidates` (shipping, then order, then billing…), in
/// E.164. Shops keep what customers typed: a national number (`06 12 34 56 78`,
/// `(555) 555-5555`) is read in the shipping country, as a sheet's is
/// ([`Phone::from_national`]). Candidates present but unusable give the reason the order
/// goes without SMS.
pub fn first_phone(
    candidates: &[Option<String>],
    country: Option<&str>,
) -> Result<Option<Phone>, String> {
    let present: Vec<&str> = candidates
        .iter()
        .flatten()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    let country = country.and_then(|c| CountryCode::try_from(c.to_string()).ok());
    if let Some(phone) = present
        .iter()
        .find_map(|p| Phone::from_national(p, country.as_ref()).ok())
    {
        return Ok(Some(phone));
    }
    match present.first() {
        None => Ok(None),
        Some(first) => Err(format!(
            "phone_invalid: {first:?} is not a phone number; the order has no SMS"
        )),
    }
}

/// The first valid email among `candidates`.
pub fn first_email(candidates: &[Option<String>]) -> Result<Option<Email>, String> {
    let present: Vec<&str> = candidates
        .iter()
        .flatten()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
        .collect();
    if let Some(email) = present.iter().find_map(|e| Email::parse(e).ok()) {
        return Ok(Some(email));
    }
    match present.first() {
        None => Ok(None),
        Some(first) => Err(format!("email_invalid: {first:?} is not an email address")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(raw: &str, country: &str) -> Result<Option<String>, String> {
        first_phone(&[Some(raw.to_string())], Some(country))
            .map(|p| p.map(|p| p.as_str().to_string()))
    }

    #[test]
    fn shop_phones_become_e164_or_a_reason() {
        assert_eq!(
            phone("(555) 555-5555", "US"),
            Ok(Some("+15555555555".into()))
        );
        assert_eq!(
            phone("+33 6 12 34 56 78", "FR"),
            Ok(Some("+33612345678".into()))
        );
        assert_eq!(
            phone("0033612345678", "FR"),
            Ok(Some("+33612345678".into()))
        );
        assert!(phone("555-555-SHIP", "US")
            .unwrap_err()
            .starts_with("phone_invalid"));
        // National numbers of the shipping country, as a sheet's are read.
        assert_eq!(
            phone("06 12 34 56 78", "FR"),
            Ok(Some("+33612345678".into()))
        );
        assert_eq!(
            phone("07911 123456", "GB"),
            Ok(Some("+447911123456".into()))
        );
        assert_eq!(phone("030 1234567", "DE"), Ok(Some("+49301234567".into())));
        assert_eq!(first_phone(&[None, Some(" ".into())], None), Ok(None));
        // A later candidate that is a number is used.
        assert_eq!(
            first_phone(
                &[Some("555-555-SHIP".into()), Some("+14155550123".into())],
                None
            )
            .unwrap()
            .map(|p| p.as_str().to_string()),
            Some("+14155550123".into())
        );
    }
}

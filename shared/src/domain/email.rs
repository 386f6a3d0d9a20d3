use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address as SES sends to it: trimmed, one `@`, an ASCII local part, and a
/// dotted domain in ASCII, an internationalised one converted to punycode (`bücher.example`
/// is kept as `xn--bcher-kva.example`, the same domain); RFC 5321 lengths. SES refuses
/// non-ASCII local parts (SMTPUTF8) outright, so they are refused here, where the person
/// typing can still correct them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim();
        let invalid = || "must be a valid email address".to_string();
        if email.chars().count() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        if !local.is_ascii() {
            return Err("must have only ASCII letters, digits and symbols before the @".into());
        }
        let domain = ascii_domain(domain).ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        if local.is_empty()
            || local.len() > 64
            || !domain_ok
            || local.contains(['<', '>', '"', ',', ';', '(', ')'])
        {
            return Err(invalid());
        }
        let email = format!("{local}@{domain}");
        if email.len() > 254 {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for uniqueness (addresses compare without case).
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// The domain in ASCII: as typed when it is plain ASCII, else (Unicode, or punycode labels
/// to check) through IDNA's strict conversion, which also refuses invalid punycode.
fn ascii_domain(domain: &str) -> Option<String> {
    let plain = domain.is_ascii()
        && !domain
            .split('.')
            .any(|label| label.to_ascii_lowercase().starts_with("xn--"));
    if plain {
        Some(domain.to_string())
    } else {
        idna::domain_to_ascii_strict(domain).ok()
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "ops@shop.example",
            "a.b+c@sub.domain.co.uk",
            " padded@x.io ",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "", "plain", "@x.io", "a@", "a@b", "a b@x.io", "a@@x.io", "a@x..io", "<a>@x.io",
            "a@-x.io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    /// SES takes ASCII local parts only, and domains in punycode.
    #[test]
    fn what_is_kept_is_what_ses_accepts() {
        for bad in [
            "jörg@shop.example",
            "пётр@x.io",
            "a\u{200b}b@x.io",
            "a@xn--.io",
            "a@xn--zz-.io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        for (raw, kept) in [
            ("anna@bücher.example", "anna@xn--bcher-kva.example"),
            ("Anna@Bücher.Example", "Anna@xn--bcher-kva.example"),
            ("ops@münchen.de", "ops@xn--mnchen-3ya.de"),
            ("ops@xn--mnchen-3ya.de", "ops@xn--mnchen-3ya.de"),
            ("ops@例え.テスト", "ops@xn--r8jz45g.xn--zckzah"),
        ] {
            let email = Email::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(email.as_str(), kept, "{raw}");
            assert!(email.as_str().is_ascii());
        }
    }
}

use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, trimmed, with one `@`, a dotted domain and no spaces (RFC 5321 lengths).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim();
        let invalid = || "must be a valid email address".to_string();
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
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
        Ok(Self(email.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for uniqueness (addresses compare without case).
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
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
        for bad in ["jörg@shop.example", "пётр@x.io", "a\u{200b}b@x.io", "a@xn--.io", "a@xn--zz-.io"] {
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

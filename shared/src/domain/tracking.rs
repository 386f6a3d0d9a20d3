//! How a client's tracking page looks: colours, logo, and which details it shows.

use serde::{Deserialize, Serialize};

/// `#RRGGBB` (or `#RGB`), kept as written in lower case. Safe to place in CSS as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Colour(String);

impl Colour {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let hex = raw.trim().strip_prefix('#').unwrap_or("");
        if (hex.len() == 6 || hex.len() == 3) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(format!("#{}", hex.to_ascii_lowercase())))
        } else {
            Err("must be a hex colour such as #1a73e8".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn fixed(hex: &str) -> Self {
        Self(hex.to_string())
    }
}

impl TryFrom<String> for Colour {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Colour> for String {
    fn from(c: Colour) -> String {
        c.0
    }
}

/// An `https://` address of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LogoUrl(String);

impl LogoUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = raw.trim();
        let host = url.strip_prefix("https://").unwrap_or("");
        if host.is_empty()
            || host.starts_with('/')
            || url.len() > 2000
            || url.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\')
            })
        {
            return Err("must be an https:// address of an image, without spaces or quotes".into());
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LogoUrl {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<LogoUrl> for String {
    fn from(u: LogoUrl) -> String {
        u.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TrackingPageSettings {
    /// Header and accents.
    pub primary_color: Colour,
    /// Text on the header.
    pub header_text_color: Colour,
    pub background_color: Colour,
    pub text_color: Colour,
    #[serde(default)]
    pub logo_url: Option<LogoUrl>,
    pub show_driver_name: bool,
    pub show_eta: bool,
    pub show_proof_of_delivery: bool,
    /// **Call** and **Text** buttons with the driver's number while the driver is on the way
    /// to the recipient (off unless the client turns it on).
    pub contact_driver: bool,
}

impl Default for TrackingPageSettings {
    fn default() -> Self {
        Self {
            primary_color: Colour::fixed("#1a73e8"),
            header_text_color: Colour::fixed("#ffffff"),
            background_color: Colour::fixed("#f5f7fa"),
            text_color: Colour::fixed("#1f2933"),
            logo_url: None,
            show_driver_name: true,
            show_eta: true,
            show_proof_of_delivery: true,
            contact_driver: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_logos_are_checked() {
        assert_eq!(Colour::parse("#ABCDEF").unwrap().as_str(), "#abcdef");
        assert!(Colour::parse("#abc").is_ok());
        for bad in ["red", "#abcd", "#12345g", "abcdef", "#fff;}body{"] {
            assert!(Colour::parse(bad).is_err(), "{bad}");
        }
        assert!(LogoUrl::parse("https://cdn.example.com/logo.png").is_ok());
        for bad in [
            "http://cdn.example.com/logo.png",
            "javascript:alert(1)",
            "https://",
            "https://x/a b.png",
            "https://x/\"onerror=\"alert(1)",
        ] {
            assert!(LogoUrl::parse(bad).is_err(), "{bad}");
        }
    }
}

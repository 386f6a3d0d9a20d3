//! Bounded, trimmed text values.

use serde::{Deserialize, Serialize};

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, String> {
                let text = raw.trim();
                if text.is_empty() {
                    return Err("must not be empty".into());
                }
                if text.chars().count() > $max {
                    return Err(format!("must be at most {} characters", $max));
                }
                if text.chars().any(|c| c.is_control() && c != '\n') {
                    return Err("must not contain control characters".into());
                }
                Ok(Self(text.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(raw: String) -> Result<Self, String> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// A person's or an organisation's name.
    Name, 200
);
bounded_text!(
    /// A label for an API key ("dispatch integration").
    Label, 100
);
bounded_text!(
    /// A dispatch team's id, as the courier's dispatch system names it.
    TeamId, 64
);
bounded_text!(
    /// Free notes on an address, a task or an order.
    Notes, 2000
);
bounded_text!(
    /// One line of a postal address.
    AddressLine, 200
);

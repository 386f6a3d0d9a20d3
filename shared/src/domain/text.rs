//! Bounded, trimmed text values.

use serde::{Deserialize, Serialize};

/// `$line_breaks`: whether `\n` may appear inside the text; no other control character
/// (tab, carriage return, NEL…) ever may.
macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        bounded_text!($(#[$doc])* $name, $max, true);
    };
    ($(#[$doc:meta])* $name:ident, $max:expr, $line_breaks:expr) => {
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
                if text.chars().any(|c| c.is_control() && !($line_breaks && c == '\n')) {
                    return Err(if $line_breaks {
                        "must not contain control characters".into()
                    } else {
                        "must be one line, without tabs or other control characters".into()
                    });
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
    /// A person's or an organisation's name: one line. Names go into emails and text
    /// messages; a line break would let one write a paragraph of its own into them.
    Name, 200, false
);
bounded_text!(
    /// A label for an API key ("dispatch integration").
    Label, 100
);
bounded_text!(
    /// A courier's team (`team_<ulid>`, see `domain::team`): what a client's auto-assign rule
    /// and a task's assignment name.
    TeamId, 64
);
impl TeamId {
    /// What the ids of the teams the portal creates start with.
    pub const PREFIX: &'static str = "team_";

    /// A new team's id: [`Self::PREFIX`] and a ULID (time-sortable: teams list newest first).
    pub fn generate() -> Self {
        Self(format!("{}{}", Self::PREFIX, super::ids::next_ulid()))
    }

    /// Whether this is an id the portal gives its teams; any other (an id made up before
    /// teams existed, or one with a key separator in it) names no team.
    pub fn is_generated(&self) -> bool {
        self.0
            .strip_prefix(Self::PREFIX)
            .is_some_and(|ulid| ulid::Ulid::from_string(ulid).is_ok())
    }
}

bounded_text!(
    /// Free notes on an address, a task or an order.
    Notes, 2000
);
bounded_text!(
    /// One line of a postal address.
    AddressLine, 200
);

#[cfg(test)]
mod tests {
    use super::{Name, Notes};

    #[test]
    fn names_are_one_line_notes_may_have_several() {
        for bad in [
            "Bloom\nFlorist",
            "Bloom\r\nFlorist",
            "Bloom\tFlorist",
            "Bloom\u{85}Florist",
        ] {
            assert!(Name::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Name::parse(" Bloom Florist ").unwrap().as_str(),
            "Bloom Florist"
        );
        assert!(Notes::parse("Gate code 1234\nRing twice").is_ok());
        assert!(Notes::parse("Gate\tcode").is_err());
    }
}

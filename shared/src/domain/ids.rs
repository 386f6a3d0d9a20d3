//! Identifiers: a readable type prefix and a ULID (time-sortable, so keys list newest first).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! prefixed_id {
    ($name:ident, $prefix:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, ulid::Ulid::new()))
            }

            pub fn parse(raw: &str) -> Result<Self, String> {
                let ulid = raw
                    .strip_prefix($prefix)
                    .ok_or_else(|| format!("must start with {}", $prefix))?;
                ulid::Ulid::from_string(ulid).map_err(|_| "is not a valid id".to_string())?;
                Ok(Self(raw.to_string()))
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
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

prefixed_id!(CourierId, "cou_");
prefixed_id!(ClientId, "cli_");
prefixed_id!(KeyId, "key_");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_foreign_prefixes() {
        let id = ClientId::generate();
        assert_eq!(ClientId::parse(id.as_str()).unwrap(), id);
        assert!(ClientId::parse(CourierId::generate().as_str()).is_err());
        assert!(ClientId::parse("cli_not-a-ulid").is_err());
    }
}

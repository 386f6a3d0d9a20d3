//! Identifiers: a readable type prefix and a ULID (time-sortable, so keys list newest first).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Mutex;

/// ULIDs made in one process sort in creation order, even within one millisecond.
static GENERATOR: Mutex<ulid::Generator> = Mutex::new(ulid::Generator::new());

/// A new ULID, later than every other this process made.
pub fn next_ulid() -> ulid::Ulid {
    let mut generator = GENERATOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // The random part overflows only after 2^80 ids in one millisecond.
    generator
        .generate()
        .unwrap_or_else(|_| ulid::Ulid::generate())
}

/// The last ULID [`next_ulid_at`] made.
static LAST_AT: Mutex<ulid::Ulid> = Mutex::new(ulid::Ulid::nil());

/// A new ULID for `at` (the clock's time, so that an order's id sorts by its `createdAt`);
/// ids made in one millisecond sort in creation order.
pub fn next_ulid_at(at: chrono::DateTime<chrono::Utc>) -> ulid::Ulid {
    let at_ms = u64::try_from(at.timestamp_millis()).unwrap_or_default();
    let mut last = LAST_AT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let next = Some(*last)
        .filter(|last| last.timestamp_ms() == at_ms)
        .and_then(|last| last.increment().ok())
        .unwrap_or_else(|| ulid::Ulid::from_parts(at_ms, rand::random::<u128>()));
    *last = next;
    next
}

macro_rules! prefixed_id {
    ($name:ident, $prefix:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, next_ulid()))
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
prefixed_id!(ServiceId, "svc_");
prefixed_id!(RateTableId, "rtb_");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_in_a_row_sort_in_order() {
        let ids: Vec<_> = (0..1000).map(|_| ClientId::generate()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ids_round_trip_and_reject_foreign_prefixes() {
        let id = ClientId::generate();
        assert_eq!(ClientId::parse(id.as_str()).unwrap(), id);
        assert!(ClientId::parse(CourierId::generate().as_str()).is_err());
        assert!(ClientId::parse("cli_not-a-ulid").is_err());
    }

    /// Stored keys hold ULIDs as text: the form (26 characters of Crockford base32, 48 bits of
    /// milliseconds then 80 random bits) and its order must not change with the crate.
    #[test]
    fn ulids_keep_their_text_form_and_order() {
        let id = ulid::Ulid::from_parts(1_700_000_000_000, 0x0123_4567_89ab_cdef_0123);
        assert_eq!(id.to_string(), "01HF7YAT0004HMASW9NF6YY093");
        assert_eq!(
            ulid::Ulid::from_string("01HF7YAT0004HMASW9NF6YY093").unwrap(),
            id
        );
        assert_eq!(
            ulid::Ulid::from_string("01hf7yat0004hmasw9nf6yy093").unwrap(),
            id
        );
        assert_eq!(id.timestamp_ms(), 1_700_000_000_000);
        assert_eq!(ulid::Ulid::nil().to_string(), "0".repeat(26));
        let at = chrono::DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
        let (a, b) = (next_ulid_at(at), next_ulid_at(at));
        assert!(a < b && a.to_string() < b.to_string());
        assert_eq!(a.to_string().len(), 26);
        assert!(next_ulid().to_string() < next_ulid().to_string());
    }
}

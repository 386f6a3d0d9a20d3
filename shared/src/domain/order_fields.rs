//! Validated fields of a new order besides its stops.

use serde::{Deserialize, Serialize};

/// A number of pieces, 1 to 10000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Pieces(u32);

impl Pieces {
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Pieces {
    type Error = String;
    fn try_from(p: u32) -> Result<Self, String> {
        if (1..=10_000).contains(&p) {
            Ok(Self(p))
        } else {
            Err("must be a count from 1 to 10000".into())
        }
    }
}

impl From<Pieces> for u32 {
    fn from(p: Pieces) -> u32 {
        p.0
    }
}

/// The client's own reference for an order (a shop's order number): 1 to 100 printable
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(String);

impl ExternalId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let id = raw.trim();
        if id.is_empty() || id.len() > 100 || id.chars().any(char::is_control) {
            return Err("must be 1 to 100 printable characters".into());
        }
        Ok(Self(id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExternalId {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<ExternalId> for String {
    fn from(id: ExternalId) -> String {
        id.0
    }
}

//! The `limit` of a listing request (the cursor itself is the store's: `store::pages`).

use crate::error::ApiError;

/// `limit`: 1 to 100, default 50.
pub fn page_limit(raw: Option<&str>) -> Result<u32, ApiError> {
    match raw {
        None => Ok(50),
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| ApiError::invalid("limit", "must be a whole number from 1 to 100")),
    }
}

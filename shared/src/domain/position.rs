//! A driver's position: latitude, longitude (WGS 84 degrees) and when it was taken.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// Degrees north, −90 to 90.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Latitude(f64);

/// Degrees east, −180 to 180.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Longitude(f64);

impl TryFrom<f64> for Latitude {
    type Error = String;
    fn try_from(lat: f64) -> Result<Self, String> {
        if lat.is_finite() && (-90.0..=90.0).contains(&lat) {
            Ok(Self(lat))
        } else {
            Err("must be a latitude in degrees from -90 to 90".into())
        }
    }
}

impl TryFrom<f64> for Longitude {
    type Error = String;
    fn try_from(lng: f64) -> Result<Self, String> {
        if lng.is_finite() && (-180.0..=180.0).contains(&lng) {
            Ok(Self(lng))
        } else {
            Err("must be a longitude in degrees from -180 to 180".into())
        }
    }
}

impl From<Latitude> for f64 {
    fn from(l: Latitude) -> f64 {
        l.0
    }
}

impl From<Longitude> for f64 {
    fn from(l: Longitude) -> f64 {
        l.0
    }
}

impl Latitude {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Longitude {
    pub fn get(self) -> f64 {
        self.0
    }
}

/// A position as a request gives it: `at` (RFC 3339) left out means now.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    pub lat: Latitude,
    pub lng: Longitude,
    #[serde(default)]
    pub at: Option<DateTime<FixedOffset>>,
}

impl PositionInput {
    pub fn at(self, now: DateTime<Utc>) -> Position {
        Position {
            lat: self.lat,
            lng: self.lng,
            at: crate::clock::timestamp(self.at.map(|a| a.with_timezone(&Utc)).unwrap_or(now)),
        }
    }
}

/// A position as stored and shown: `at` in UTC with milliseconds, so positions compare as
/// strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    pub lat: Latitude,
    pub lng: Longitude,
    pub at: String,
}

impl Position {
    /// The later of two positions (by `at`).
    pub fn latest(a: Option<Position>, b: Option<Position>) -> Option<Position> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.at > a.at { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_checked_and_the_latest_wins() {
        let ok: PositionInput = serde_json::from_str(
            r#"{"lat": 48.85, "lng": 2.35, "at": "2026-12-01T10:00:00+01:00"}"#,
        )
        .unwrap();
        let now = "2026-12-01T12:00:00Z".parse().unwrap();
        let position = ok.at(now);
        assert_eq!(position.at, "2026-12-01T09:00:00.000Z");
        for bad in [
            r#"{"lat": 91, "lng": 0}"#,
            r#"{"lat": 0, "lng": -180.5}"#,
            r#"{"lat": 0, "lng": 0, "at": "yesterday"}"#,
            r#"{"lat": "48", "lng": 0}"#,
        ] {
            assert!(serde_json::from_str::<PositionInput>(bad).is_err(), "{bad}");
        }
        let later = Position {
            at: "2026-12-01T09:05:00.000Z".into(),
            ..position.clone()
        };
        assert_eq!(
            Position::latest(Some(later.clone()), Some(position.clone())),
            Some(later.clone())
        );
        assert_eq!(
            Position::latest(None, Some(position.clone())),
            Some(position)
        );
    }
}

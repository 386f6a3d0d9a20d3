//! A courier's service: what the client sees by name, its SLA and calendar, where it goes
//! and what it carries.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::geo::{Point, Region};
use super::schedule::{Availability, Sla, TimeOfDay};
use super::weight::Weight;
use crate::domain::order_fields::Pieces;
use crate::domain::Name;

/// At most this many holidays per service.
pub const MAX_HOLIDAYS: usize = 100;
/// At most this many postal-code prefixes per service.
pub const MAX_PREFIXES: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceSpec {
    pub name: Name,
    pub sla: Sla,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<TimeOfDay>,
    pub availability: Availability,
    #[serde(default, deserialize_with = "holidays")]
    pub holidays: Vec<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<Area>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_weight_kg: Option<Weight>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pieces: Option<Pieces>,
}

fn holidays<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<NaiveDate>, D::Error> {
    let mut days = Vec::<NaiveDate>::deserialize(de)?;
    if days.len() > MAX_HOLIDAYS {
        return Err(serde::de::Error::custom(format!(
            "at most {MAX_HOLIDAYS} holidays"
        )));
    }
    days.sort();
    days.dedup();
    Ok(days)
}

/// Where a service goes: both stops must be in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Area {
    PostalCodes(PostalCodes),
    Polygon(PolygonArea),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PostalCodes {
    #[serde(deserialize_with = "prefixes")]
    pub postal_code_prefixes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolygonArea {
    pub polygon: Region,
}

/// Postal codes compare without spaces or dashes, in upper case.
pub fn normalize_postal_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn prefixes<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    let raw = Vec::<String>::deserialize(de)?;
    if raw.is_empty() || raw.len() > MAX_PREFIXES {
        return Err(serde::de::Error::custom(format!(
            "postalCodePrefixes holds 1 to {MAX_PREFIXES} prefixes"
        )));
    }
    raw.iter()
        .map(|p| {
            let n = normalize_postal_code(p);
            if n.is_empty() || n.len() > 12 {
                Err(serde::de::Error::custom(
                    "each postal-code prefix has 1 to 12 letters or digits",
                ))
            } else {
                Ok(n)
            }
        })
        .collect()
}

/// What the area check needs to know of a stop.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StopFacts {
    pub postal_code: Option<String>,
    pub point: Option<Point>,
}

/// Whether a stop is in the area: `None` when it cannot tell (a polygon, and the stop has
/// no coordinates).
pub fn in_area(area: &Area, stop: &StopFacts) -> Option<bool> {
    match area {
        Area::PostalCodes(codes) => Some(stop.postal_code.as_deref().is_some_and(|code| {
            let code = normalize_postal_code(code);
            codes
                .postal_code_prefixes
                .iter()
                .any(|p| code.starts_with(p.as_str()))
        })),
        Area::Polygon(polygon) => stop.point.map(|p| polygon.polygon.contains(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(extra: serde_json::Value) -> Result<ServiceSpec, String> {
        let mut base = json!({
            "name": "Same day", "sla": {"kind": "same_day", "hours": 4},
            "availability": {"days": ["mon", "tue"], "from": "08:00", "to": "20:00"}
        });
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        serde_json::from_value(base).map_err(|e| e.to_string())
    }

    #[test]
    fn services_read_the_issue_shape() {
        let s = service(json!({
            "cutoff": "16:00", "holidays": ["2026-12-25", "2026-12-25"],
            "area": {"postalCodePrefixes": ["941", "75 0"]}, "maxWeightKg": 20, "maxPieces": 5
        }))
        .unwrap();
        assert_eq!(s.holidays.len(), 1);
        assert_eq!(s.max_weight_kg.unwrap().grams(), 20_000);
        let shown = serde_json::to_value(&s).unwrap();
        assert_eq!(shown["area"], json!({"postalCodePrefixes": ["941", "750"]}));
        assert_eq!(shown["maxWeightKg"], json!(20.0));
        assert_eq!(serde_json::from_value::<ServiceSpec>(shown).unwrap(), s);
        let polygon = service(json!({"area": {"polygon": {"type": "Polygon",
            "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}}))
        .unwrap();
        assert!(matches!(polygon.area, Some(Area::Polygon(_))));
        for bad in [
            json!({"area": {"postalCodePrefixes": []}}),
            json!({"area": {"somewhere": 1}}),
            json!({"holidays": ["2026-13-01"]}),
            json!({"maxPieces": 0}),
            json!({"cutoff": "4pm"}),
            json!({"sla": {"kind": "weekly"}}),
        ] {
            assert!(service(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn areas_check_postal_codes_or_coordinates() {
        let codes = Area::PostalCodes(PostalCodes {
            postal_code_prefixes: vec!["941".into(), "SW1".into()],
        });
        let stop = |code: Option<&str>, point: Option<Point>| StopFacts {
            postal_code: code.map(String::from),
            point,
        };
        assert_eq!(in_area(&codes, &stop(Some("94107"), None)), Some(true));
        assert_eq!(in_area(&codes, &stop(Some("sw1a 1aa"), None)), Some(true));
        assert_eq!(in_area(&codes, &stop(Some("10001"), None)), Some(false));
        assert_eq!(in_area(&codes, &stop(None, None)), Some(false));
        let square: Region = serde_json::from_value(json!({"type": "Polygon",
            "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}))
        .unwrap();
        let polygon = Area::Polygon(PolygonArea { polygon: square });
        let inside = Point { lat: 0.5, lng: 0.5 };
        let outside = Point { lat: 2.0, lng: 0.5 };
        assert_eq!(in_area(&polygon, &stop(None, Some(inside))), Some(true));
        assert_eq!(in_area(&polygon, &stop(None, Some(outside))), Some(false));
        assert_eq!(in_area(&polygon, &stop(Some("94107"), None)), None);
    }
}

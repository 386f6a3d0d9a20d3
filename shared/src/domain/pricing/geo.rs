//! Great-circle distance and GeoJSON polygons (RFC 7946: positions are `[longitude,
//! latitude]`; a polygon is an outer ring and holes, each ring closed).

use serde::{Deserialize, Serialize};

/// A point on the earth, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

/// Mean earth radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Haversine distance in whole metres (the only rounding; prices use metres).
pub fn distance_m(a: Point, b: Point) -> u64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlng = (b.lng - a.lng).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
    let c = 2.0 * h.sqrt().min(1.0).asin();
    (EARTH_RADIUS_M * c).round() as u64
}

/// At most this many positions in one area (it is copied onto every client that uses it,
/// and a client item holds at most 400 KB).
pub const MAX_POSITIONS: usize = 500;

/// A GeoJSON `Polygon` or `MultiPolygon` geometry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGeometry", into = "RawGeometry")]
pub struct Region {
    /// Polygons, each an outer ring then its holes; each ring a closed list of positions.
    polygons: Vec<Vec<Vec<[f64; 2]>>>,
    multi: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
enum RawGeometry {
    Polygon {
        coordinates: Vec<Vec<[f64; 2]>>,
    },
    MultiPolygon {
        coordinates: Vec<Vec<Vec<[f64; 2]>>>,
    },
}

impl TryFrom<RawGeometry> for Region {
    type Error = String;
    fn try_from(raw: RawGeometry) -> Result<Self, String> {
        let (polygons, multi) = match raw {
            RawGeometry::Polygon { coordinates } => (vec![coordinates], false),
            RawGeometry::MultiPolygon { coordinates } => (coordinates, true),
        };
        if polygons.is_empty() {
            return Err("a MultiPolygon needs at least one polygon".into());
        }
        let mut positions = 0;
        for polygon in &polygons {
            if polygon.is_empty() {
                return Err("a polygon needs an outer ring".into());
            }
            for ring in polygon {
                positions += ring.len();
                if ring.len() < 4 || ring.first() != ring.last() {
                    return Err(
                        "each ring needs at least 4 positions and must end where it starts".into(),
                    );
                }
                if ring
                    .iter()
                    .any(|[lng, lat]| !(lng.abs() <= 180.0 && lat.abs() <= 90.0))
                {
                    return Err(
                        "positions are [longitude, latitude] within -180..180 and -90..90".into(),
                    );
                }
            }
        }
        if positions > MAX_POSITIONS {
            return Err(format!("an area holds at most {MAX_POSITIONS} positions"));
        }
        Ok(Self { polygons, multi })
    }
}

impl From<Region> for RawGeometry {
    fn from(r: Region) -> Self {
        if r.multi {
            RawGeometry::MultiPolygon {
                coordinates: r.polygons,
            }
        } else {
            RawGeometry::Polygon {
                coordinates: r.polygons.into_iter().next().unwrap_or_default(),
            }
        }
    }
}

impl Region {
    /// Inside one polygon's outer ring and none of its holes (even-odd rule on longitude and
    /// latitude, as GeoJSON areas are drawn).
    pub fn contains(&self, p: Point) -> bool {
        self.polygons.iter().any(|polygon| {
            let mut rings = polygon.iter();
            rings.next().is_some_and(|outer| in_ring(outer, p)) && !rings.any(|h| in_ring(h, p))
        })
    }
}

fn in_ring(ring: &[[f64; 2]], p: Point) -> bool {
    let (x, y) = (p.lng, p.lat);
    let mut inside = false;
    for edge in ring.windows(2) {
        let ([x1, y1], [x2, y2]) = (edge[0], edge[1]);
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn distances_are_great_circle_metres() {
        let paris = Point {
            lat: 48.8566,
            lng: 2.3522,
        };
        let london = Point {
            lat: 51.5074,
            lng: -0.1278,
        };
        let d = distance_m(paris, london);
        assert!((343_000..345_000).contains(&d), "{d}");
        assert_eq!(distance_m(paris, paris), 0);
        // One degree of latitude is about 111.2 km.
        let a = Point { lat: 0.0, lng: 0.0 };
        let b = Point { lat: 1.0, lng: 0.0 };
        assert_eq!(distance_m(a, b), 111_195);
    }

    #[test]
    fn points_in_polygons_with_holes_and_multipolygons() {
        let square: Region = serde_json::from_value(json!({"type": "Polygon", "coordinates": [
            [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
            [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
        ]}))
        .unwrap();
        let at = |lng: f64, lat: f64| Point { lat, lng };
        assert!(square.contains(at(1.0, 1.0)));
        assert!(!square.contains(at(5.0, 5.0)), "in the hole");
        assert!(!square.contains(at(11.0, 5.0)));
        let multi: Region = serde_json::from_value(json!({"type": "MultiPolygon", "coordinates": [
            [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
            [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]
        ]}))
        .unwrap();
        assert!(multi.contains(at(5.5, 5.5)));
        assert!(multi.contains(at(0.5, 0.5)));
        assert!(!multi.contains(at(3.0, 3.0)));
        let shown = serde_json::to_value(&multi).unwrap();
        assert_eq!(shown["type"], "MultiPolygon");
        for bad in [
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}),
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}),
            json!({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}),
            json!({"type": "Point", "coordinates": [0, 0]}),
        ] {
            assert!(
                serde_json::from_value::<Region>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}

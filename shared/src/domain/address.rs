use serde::{Deserialize, Serialize};

pub use super::country::CountryCode;
use super::text::{AddressLine, Notes};
use super::{Email, Name, Phone};

/// A postal address with optional coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<AddressLine>,
    pub line1: AddressLine,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<AddressLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<AddressLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<AddressLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<AddressLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<Latitude>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lng: Option<Longitude>,
}

impl Address {
    /// A form's address (no coordinates: a form has none to give) with those of `kept`,
    /// the address it edits, when it is the same place: an unmoved stop keeps its
    /// coordinates, a moved one loses them.
    pub fn keeping_coordinates_of(mut self, kept: &Address) -> Address {
        let unmoved = Address {
            lat: None,
            lng: None,
            ..kept.clone()
        };
        if unmoved == self {
            (self.lat, self.lng) = (kept.lat, kept.lng);
        }
        self
    }

    /// One line for lists, exports and search.
    pub fn one_line(&self) -> String {
        [
            Some(&self.unit),
            Some(&Some(self.line1.clone())),
            Some(&self.line2),
            Some(&self.city),
            Some(&self.state),
            Some(&self.postal_code),
        ]
        .into_iter()
        .flatten()
        .flatten()
        .map(|l| l.as_str().to_string())
        .chain(self.country.as_ref().map(|c| c.as_str().to_string()))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Someone to call at a stop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    pub name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

/// An address with its contact and notes, e.g. a client's default pickup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Location {
    pub address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Notes>,
}

macro_rules! coordinate {
    ($name:ident, $limit:expr, $what:literal) => {
        #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
        #[serde(try_from = "f64", into = "f64")]
        pub struct $name(f64);

        impl TryFrom<f64> for $name {
            type Error = String;
            fn try_from(v: f64) -> Result<Self, String> {
                if v.is_finite() && v.abs() <= $limit {
                    Ok(Self(v))
                } else {
                    Err(format!(
                        "must be a {} between -{} and {}",
                        $what, $limit, $limit
                    ))
                }
            }
        }

        impl From<$name> for f64 {
            fn from(v: $name) -> f64 {
                v.0
            }
        }
    };
}

coordinate!(Latitude, 90.0, "latitude");
coordinate!(Longitude, 180.0, "longitude");

#[cfg(test)]
mod tests {
    use super::*;

    fn address(json: serde_json::Value) -> Address {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn an_unmoved_address_keeps_its_coordinates_and_a_moved_one_loses_them() {
        let kept = address(
            serde_json::json!({"line1": "1 Rue du Bac", "city": "Paris", "lat": 48.85, "lng": 2.32}),
        );
        let same = address(serde_json::json!({"line1": "1 Rue du Bac", "city": "Paris"}));
        assert_eq!(same.keeping_coordinates_of(&kept), kept);
        let moved = address(serde_json::json!({"line1": "2 Rue du Bac", "city": "Paris"}));
        let edited = moved.clone().keeping_coordinates_of(&kept);
        assert_eq!(edited, moved);
        assert_eq!((edited.lat, edited.lng), (None, None));
    }
}

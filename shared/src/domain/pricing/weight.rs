//! Weight, kept in whole grams: `2.5` (kg) or `{"value": 5.5, "units": "lb"}` in requests,
//! kg in responses.

use serde::{Deserialize, Serialize};

/// Grams in one avoirdupois pound (exact, by definition).
const GRAMS_PER_LB: f64 = 453.592_37;
/// At most 10 tonnes.
pub const MAX_GRAMS: u64 = 10_000_000;

/// A weight above 0 and at most 10 tonnes, in grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "WeightInput", into = "f64")]
pub struct Weight(u64);

impl Weight {
    pub fn from_grams(grams: u64) -> Result<Self, String> {
        if (1..=MAX_GRAMS).contains(&grams) {
            Ok(Self(grams))
        } else {
            Err("must be a weight above 0 and at most 10000 kg".into())
        }
    }

    pub fn from_kg(kg: f64) -> Result<Self, String> {
        Self::from_units(kg, 1000.0)
    }

    pub fn from_lb(lb: f64) -> Result<Self, String> {
        Self::from_units(lb, GRAMS_PER_LB)
    }

    fn from_units(value: f64, grams_per_unit: f64) -> Result<Self, String> {
        let grams = value * grams_per_unit;
        if !value.is_finite() || value <= 0.0 || grams > MAX_GRAMS as f64 {
            return Err("must be a weight above 0 and at most 10000 kg".into());
        }
        // Anything above 0 weighs at least a gram.
        Self::from_grams((grams.round() as u64).max(1))
    }

    pub fn grams(self) -> u64 {
        self.0
    }

    /// For display only: arithmetic stays in grams.
    pub fn kg(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl From<Weight> for f64 {
    fn from(w: Weight) -> f64 {
        w.kg()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WeightInput {
    Kg(f64),
    WithUnits(WithUnits),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithUnits {
    value: f64,
    units: String,
}

impl TryFrom<WeightInput> for Weight {
    type Error = String;
    fn try_from(input: WeightInput) -> Result<Self, String> {
        match input {
            WeightInput::Kg(kg) => Self::from_kg(kg),
            WeightInput::WithUnits(w) => match w.units.as_str() {
                "kg" => Self::from_kg(w.value),
                "lb" => Self::from_lb(w.value),
                _ => Err("units must be \"kg\" or \"lb\"".into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: serde_json::Value) -> Result<Weight, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn weights_read_kg_or_units_and_keep_grams() {
        use serde_json::json;
        for (input, grams) in [
            (json!(2.5), 2500),
            (json!(0.1), 100),
            (json!({"value": 1, "units": "lb"}), 454),
            (json!({"value": 10, "units": "lb"}), 4536),
            (json!({"value": 3, "units": "kg"}), 3000),
            (json!(0.0001), 1),
            (json!(10000), 10_000_000),
        ] {
            assert_eq!(parse(input.clone()).unwrap().grams(), grams, "{input}");
        }
        for bad in [
            json!(0),
            json!(-1),
            json!(10000.5),
            json!({"value": 1, "units": "st"}),
            json!({"value": 1}),
            json!("2"),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn weights_show_as_kg_and_read_back_the_same() {
        for grams in [1, 100, 2500, 4536, 10_000_000] {
            let w = Weight::from_grams(grams).unwrap();
            let shown = serde_json::to_value(w).unwrap();
            assert_eq!(parse(shown).unwrap(), w);
        }
    }
}

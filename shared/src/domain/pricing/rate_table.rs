//! Rate tables: a currency, a base rate, modifiers above thresholds, a minimum and a maximum.
//! Prices are computed in thousandths of a minor unit from whole metres, grams and pieces,
//! and rounded once (half up) at the end: no rounding drift, no floating point.

use serde::{Deserialize, Serialize};

use super::money::{Amount, Currency};
use crate::domain::Name;

/// At most this many modifiers per rate table.
pub const MAX_MODIFIERS: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateTableSpec {
    pub name: Name,
    pub currency: Currency,
    pub base: Base,
    #[serde(default, deserialize_with = "modifiers")]
    pub modifiers: Vec<Modifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_price: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_price: Option<Amount>,
}

fn modifiers<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<Modifier>, D::Error> {
    let modifiers = Vec::<Modifier>::deserialize(de)?;
    if modifiers.len() > MAX_MODIFIERS {
        return Err(serde::de::Error::custom(format!(
            "at most {MAX_MODIFIERS} modifiers"
        )));
    }
    Ok(modifiers)
}

impl RateTableSpec {
    /// What one field cannot tell: the minimum is not above the maximum (field, message).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if let (Some(min), Some(max)) = (self.min_price, self.max_price) {
            if min > max {
                return Err(("minPrice", "must not be above maxPrice".into()));
            }
        }
        Ok(())
    }
}

/// The base rate: flat, or an amount per km, kg or piece.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Base {
    pub method: Method,
    pub amount: Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Flat,
    Distance,
    Weight,
    Pieces,
}

/// Adds `amount` when the measure is over `threshold`, and/or `amountPerUnit` for each unit
/// (km, kg, piece; fractions count) above it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawModifier")]
pub struct Modifier {
    pub when: Over,
    pub threshold: Threshold,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_per_unit: Option<Amount>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawModifier {
    when: Over,
    threshold: Threshold,
    #[serde(default)]
    amount: Option<Amount>,
    #[serde(default)]
    amount_per_unit: Option<Amount>,
}

impl TryFrom<RawModifier> for Modifier {
    type Error = String;
    fn try_from(raw: RawModifier) -> Result<Self, String> {
        if raw.amount.is_none() && raw.amount_per_unit.is_none() {
            return Err("a modifier needs amount, amountPerUnit or both".into());
        }
        if raw.when == Over::PiecesOver && !raw.threshold.milli.is_multiple_of(1000) {
            return Err("a pieces threshold is a whole number".into());
        }
        Ok(Self {
            when: raw.when,
            threshold: raw.threshold,
            amount: raw.amount,
            amount_per_unit: raw.amount_per_unit,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Over {
    DistanceOver,
    WeightOver,
    PiecesOver,
}

/// A threshold in km, kg or pieces, kept in thousandths (metres, grams, milli-pieces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Threshold {
    milli: u64,
}

impl TryFrom<f64> for Threshold {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        let milli = (v * 1000.0).round();
        if !v.is_finite() || v < 0.0 || milli > 1e10 || (v * 1000.0 - milli).abs() > 1e-6 {
            return Err("must be a number from 0 to 10000000 with at most 3 decimals".into());
        }
        Ok(Self {
            milli: milli as u64,
        })
    }
}

impl From<Threshold> for f64 {
    fn from(t: Threshold) -> f64 {
        t.milli as f64 / 1000.0
    }
}

/// What a price depends on, in whole metres, grams and pieces (missing when not known).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measures {
    pub distance_m: Option<u64>,
    pub weight_g: Option<u64>,
    pub pieces: Option<u32>,
}

/// A measure the price needs and the order lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Distance,
    Weight,
    Pieces,
}

impl RateTableSpec {
    /// Every measure this table reads.
    fn needs(&self) -> Vec<Missing> {
        let base = match self.base.method {
            Method::Flat => None,
            Method::Distance => Some(Missing::Distance),
            Method::Weight => Some(Missing::Weight),
            Method::Pieces => Some(Missing::Pieces),
        };
        let modifiers = self.modifiers.iter().map(|m| match m.when {
            Over::DistanceOver => Missing::Distance,
            Over::WeightOver => Missing::Weight,
            Over::PiecesOver => Missing::Pieces,
        });
        let mut needs: Vec<Missing> = base.into_iter().chain(modifiers).collect();
        needs.dedup();
        needs
    }

    /// The price in minor units, or the measures it lacks.
    pub fn price(&self, m: &Measures) -> Result<u64, Vec<Missing>> {
        let milli = |need: Missing| -> Option<u128> {
            match need {
                Missing::Distance => m.distance_m.map(u128::from),
                Missing::Weight => m.weight_g.map(u128::from),
                Missing::Pieces => m.pieces.map(|p| u128::from(p) * 1000),
            }
        };
        let mut missing: Vec<Missing> = self
            .needs()
            .into_iter()
            .filter(|n| milli(*n).is_none())
            .collect();
        if !missing.is_empty() {
            missing.sort_by_key(|n| *n as u8);
            missing.dedup();
            return Err(missing);
        }
        let measure = |need| milli(need).unwrap_or_default();
        // Thousandths of a minor unit.
        let mut total: u128 = match self.base.method {
            Method::Flat => u128::from(self.base.amount.minor()) * 1000,
            Method::Distance => u128::from(self.base.amount.minor()) * measure(Missing::Distance),
            Method::Weight => u128::from(self.base.amount.minor()) * measure(Missing::Weight),
            Method::Pieces => u128::from(self.base.amount.minor()) * measure(Missing::Pieces),
        };
        for modifier in &self.modifiers {
            let value = measure(match modifier.when {
                Over::DistanceOver => Missing::Distance,
                Over::WeightOver => Missing::Weight,
                Over::PiecesOver => Missing::Pieces,
            });
            let threshold = u128::from(modifier.threshold.milli);
            if value <= threshold {
                continue;
            }
            if let Some(amount) = modifier.amount {
                total += u128::from(amount.minor()) * 1000;
            }
            if let Some(per_unit) = modifier.amount_per_unit {
                total += u128::from(per_unit.minor()) * (value - threshold);
            }
        }
        let mut price = u64::try_from((total + 500) / 1000).unwrap_or(u64::MAX);
        if let Some(min) = self.min_price {
            price = price.max(min.minor());
        }
        if let Some(max) = self.max_price {
            price = price.min(max.minor());
        }
        Ok(price)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(v: serde_json::Value) -> RateTableSpec {
        let mut base = json!({"name": "Standard", "currency": "USD"});
        for (k, x) in v.as_object().unwrap() {
            base[k] = x.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    fn measures(km_m: Option<u64>, g: Option<u64>, pieces: Option<u32>) -> Measures {
        Measures {
            distance_m: km_m,
            weight_g: g,
            pieces,
        }
    }

    #[test]
    fn prices_follow_base_modifiers_and_bounds() {
        type Case = (
            &'static str,
            serde_json::Value,
            Measures,
            Result<u64, Vec<Missing>>,
        );
        let cases: &[Case] = &[
            (
                "flat",
                json!({"base": {"method": "flat", "amount": 950}}),
                measures(None, None, None),
                Ok(950),
            ),
            // 12.345 km at 100/km = 1234.5 -> 1235 (half up, once)
            (
                "per km",
                json!({"base": {"method": "distance", "amount": 100}}),
                measures(Some(12_345), None, None),
                Ok(1235),
            ),
            (
                "per kg",
                json!({"base": {"method": "weight", "amount": 40}}),
                measures(None, Some(2_500), None),
                Ok(100),
            ),
            (
                "per piece",
                json!({"base": {"method": "pieces", "amount": 250}}),
                measures(None, None, Some(3)),
                Ok(750),
            ),
            // over 10 km: +500 once, and 100 per km above 10 (2.5 km -> 250)
            (
                "distance modifier",
                json!({"base": {"method": "flat", "amount": 1000},
                "modifiers": [{"when": "distance_over", "threshold": 10, "amount": 500, "amountPerUnit": 100}]}),
                measures(Some(12_500), None, None),
                Ok(1750),
            ),
            // at the threshold exactly: not over
            (
                "at threshold",
                json!({"base": {"method": "flat", "amount": 1000},
                "modifiers": [{"when": "weight_over", "threshold": 5, "amount": 300}]}),
                measures(None, Some(5_000), None),
                Ok(1000),
            ),
            (
                "pieces modifier",
                json!({"base": {"method": "flat", "amount": 1000},
                "modifiers": [{"when": "pieces_over", "threshold": 2, "amountPerUnit": 150}]}),
                measures(None, None, Some(5)),
                Ok(1450),
            ),
            (
                "minimum",
                json!({"base": {"method": "distance", "amount": 100}, "minPrice": 800}),
                measures(Some(1_000), None, None),
                Ok(800),
            ),
            (
                "maximum",
                json!({"base": {"method": "distance", "amount": 100}, "maxPrice": 5000}),
                measures(Some(900_000), None, None),
                Ok(5000),
            ),
            (
                "missing weight",
                json!({"base": {"method": "weight", "amount": 40}}),
                measures(Some(1), None, Some(1)),
                Err(vec![Missing::Weight]),
            ),
            (
                "missing for a modifier",
                json!({"base": {"method": "pieces", "amount": 40},
                "modifiers": [{"when": "distance_over", "threshold": 1, "amount": 1}]}),
                measures(None, None, None),
                Err(vec![Missing::Distance, Missing::Pieces]),
            ),
        ];
        for (name, spec, m, expected) in cases {
            assert_eq!(&table(spec.clone()).price(m), expected, "{name}");
        }
    }

    #[test]
    fn fractions_add_up_before_rounding() {
        // Three modifiers of 0.4 minor units each: rounding each would give 0, rounding the
        // sum gives 1.
        let t = table(
            json!({"base": {"method": "flat", "amount": 0}, "modifiers": [
                {"when": "distance_over", "threshold": 0, "amountPerUnit": 1},
                {"when": "distance_over", "threshold": 0, "amountPerUnit": 1},
                {"when": "distance_over", "threshold": 0, "amountPerUnit": 1}
            ]}),
        );
        assert_eq!(t.price(&measures(Some(400), None, None)), Ok(1));
        // 0.1 km steps: 1000 prices of 0.1 km at 10/km sum to what 100 km costs.
        let per_km = table(json!({"base": {"method": "distance", "amount": 10}}));
        let sum: u64 = (0..1000)
            .map(|_| per_km.price(&measures(Some(100), None, None)).unwrap())
            .sum();
        assert_eq!(
            sum,
            per_km.price(&measures(Some(100_000), None, None)).unwrap()
        );
    }

    #[test]
    fn tables_are_checked() {
        let bad = |v: serde_json::Value| {
            let mut base =
                json!({"name": "T", "currency": "USD", "base": {"method": "flat", "amount": 1}});
            for (k, x) in v.as_object().unwrap() {
                base[k] = x.clone();
            }
            serde_json::from_value::<RateTableSpec>(base).is_err()
        };
        assert!(bad(json!({"currency": "usd"})));
        assert!(bad(json!({"base": {"method": "flat", "amount": 2.5}})));
        let inverted =
            table(json!({"base": {"method": "flat", "amount": 1}, "minPrice": 10, "maxPrice": 5}));
        assert_eq!(inverted.check().unwrap_err().0, "minPrice");
        assert!(
            table(json!({"base": {"method": "flat", "amount": 1}, "minPrice": 10}))
                .check()
                .is_ok()
        );
        assert!(bad(
            json!({"modifiers": [{"when": "distance_over", "threshold": 1}]})
        ));
        assert!(bad(
            json!({"modifiers": [{"when": "pieces_over", "threshold": 1.5, "amount": 1}]})
        ));
        assert!(bad(
            json!({"modifiers": [{"when": "distance_over", "threshold": -1, "amount": 1}]})
        ));
        assert!(!bad(
            json!({"modifiers": [{"when": "weight_over", "threshold": 2.25, "amount": 1}]})
        ));
    }
}

//! The services pages' forms: a service's and a rate table's inputs as typed (kept on a
//! refusal), read into the catalog's specs by the types' own checks, each error next to its
//! input; and the words the list shows for each rule (SLA, days and hours, area, limits,
//! base rate, modifiers). Lists are text areas, one entry a line.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::domain::order_fields::Pieces;
use crate::domain::pricing::geo::Region;
use crate::domain::pricing::rate_table::{Base, Method, Modifier, Over};
use crate::domain::pricing::schedule::{Availability, Day, Sla, SlaHours, TimeOfDay};
use crate::domain::pricing::service::{Area, PolygonArea, PostalCodes, MAX_HOLIDAYS};
use crate::domain::pricing::{Amount, Currency, RateTableSpec, ServiceSpec, Weight};
use crate::domain::Name;

/// A form's values as typed and its errors (each a whole sentence), by input name.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
}

impl FormState {
    /// The form as posted; repeated inputs (the days) joined with commas.
    pub fn posted(fields: &[(String, String)]) -> Self {
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in fields {
            values
                .entry(k.clone())
                .and_modify(|old| {
                    old.push(',');
                    old.push_str(v);
                })
                .or_insert_with(|| v.clone());
        }
        FormState {
            values,
            errors: BTreeMap::new(),
        }
    }

    fn of(values: &[(&str, String)]) -> Self {
        FormState {
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            errors: BTreeMap::new(),
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// `value` is the input's (a select's option, a radio).
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.value(name) == value
    }

    /// A check box of a repeated input (the days).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.value(name).split(',').any(|v| v == value)
    }

    /// ` aria-invalid="true" aria-describedby="…"` as the input needs: its hint's id when it
    /// has one, its error's when it is in error.
    pub fn aria(&self, name: &str, hint: bool) -> String {
        let mut ids = vec![];
        if hint {
            ids.push(format!("{name}-hint"));
        }
        let mut out = String::new();
        if self.errors.contains_key(name) {
            out.push_str(" aria-invalid=\"true\"");
            ids.push(format!("{name}-error"));
        }
        if !ids.is_empty() {
            out.push_str(&format!(" aria-describedby=\"{}\"", ids.join(" ")));
        }
        out
    }

    /// ` aria-describedby="…-error"` for a group of inputs (a fieldset) in error.
    pub fn describe(&self, name: &str) -> String {
        if self.errors.contains_key(name) {
            format!(" aria-describedby=\"{name}-error\"")
        } else {
            String::new()
        }
    }

    /// The error of input `name`: `message` after the input's label ("Name is required").
    pub fn refuse(&mut self, name: &str, message: &str) {
        let label = label(name);
        self.errors
            .entry(name.to_string())
            .or_insert_with(|| format!("{label} {}", message.trim_end_matches('.')));
    }

    fn text(&self, name: &str) -> &str {
        self.value(name).trim()
    }

    /// The non-empty lines of a text area.
    fn lines(&self, name: &str) -> Vec<(usize, String)> {
        self.value(name)
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim().to_string()))
            .filter(|(_, l)| !l.is_empty())
            .collect()
    }
}

/// Every input's label, as its error starts.
fn label(name: &str) -> &'static str {
    match name {
        "name" => "Name",
        "slaKind" => "Speed",
        "slaHours" => "Hours",
        "slaBy" => "Completed by",
        "days" => "Days",
        "from" => "Opens at",
        "to" => "Closes at",
        "cutoff" => "Cutoff",
        "holidays" => "Holidays",
        "areaKind" => "Area",
        "postalCodePrefixes" => "Postal code prefixes",
        "polygon" => "Area polygon",
        "maxWeightKg" => "Maximum weight",
        "maxPieces" => "Maximum pieces",
        "currency" => "Currency",
        "baseMethod" => "Base rate",
        "baseAmount" => "Base amount",
        "modifiers" => "Modifiers",
        "minPrice" => "Minimum price",
        "maxPrice" => "Maximum price",
        "client" => "Client",
        "pickupPostalCode" => "Pickup postal code",
        "pickupLat" => "Pickup latitude",
        "pickupLng" => "Pickup longitude",
        "dropoffPostalCode" => "Dropoff postal code",
        "dropoffLat" => "Dropoff latitude",
        "dropoffLng" => "Dropoff longitude",
        "weight" => "Weight",
        "pieces" => "Pieces",
        "readyBy" => "Ready at",
        "dueBy" => "Deliver by",
        _ => "This field",
    }
}

pub const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

fn day_code(day: Day) -> &'static str {
    match day {
        Day::Mon => "mon",
        Day::Tue => "tue",
        Day::Wed => "wed",
        Day::Thu => "thu",
        Day::Fri => "fri",
        Day::Sat => "sat",
        Day::Sun => "sun",
    }
}

fn time(t: TimeOfDay) -> String {
    String::from(t)
}

/// A number as people write it: no trailing zeros ("2.5", "10").
fn number(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn name_of(f: &mut FormState) -> Option<Name> {
    match f.text("name") {
        "" => {
            f.refuse("name", "is required");
            None
        }
        raw => Name::parse(raw).map_err(|e| f.refuse("name", &e)).ok(),
    }
}

// ---- Services ----

/// A new service's form: same day within 4 hours, weekdays 08:00–18:00, anywhere.
pub fn service_defaults() -> FormState {
    FormState::of(&[
        ("slaKind", "same_day".into()),
        ("slaHours", "4".into()),
        ("slaBy", "12:00".into()),
        ("days", "mon,tue,wed,thu,fri".into()),
        ("from", "08:00".into()),
        ("to", "18:00".into()),
        ("areaKind", "anywhere".into()),
    ])
}

/// A stored service's form.
pub fn service_values(spec: &ServiceSpec) -> FormState {
    let (kind, hours, by) = match spec.sla {
        Sla::SameDay { hours } => ("same_day", u32::from(hours).to_string(), "12:00".into()),
        Sla::NextDay { by } => ("next_day", "4".into(), time(by)),
    };
    let (area, prefixes, polygon) = match &spec.area {
        None => ("anywhere", String::new(), String::new()),
        Some(Area::PostalCodes(codes)) => (
            "postcodes",
            codes.postal_code_prefixes.join("\n"),
            String::new(),
        ),
        Some(Area::Polygon(p)) => (
            "polygon",
            String::new(),
            serde_json::to_string_pretty(&p.polygon).unwrap_or_default(),
        ),
    };
    FormState::of(&[
        ("name", spec.name.to_string()),
        ("slaKind", kind.into()),
        ("slaHours", hours),
        ("slaBy", by),
        (
            "days",
            spec.availability
                .days
                .iter()
                .map(|d| day_code(*d))
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("from", time(spec.availability.from)),
        ("to", time(spec.availability.to)),
        ("cutoff", spec.cutoff.map(time).unwrap_or_default()),
        (
            "holidays",
            spec.holidays
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("areaKind", area.into()),
        ("postalCodePrefixes", prefixes),
        ("polygon", polygon),
        (
            "maxWeightKg",
            spec.max_weight_kg
                .map(|w| number(w.kg()))
                .unwrap_or_default(),
        ),
        (
            "maxPieces",
            spec.max_pieces
                .map(|p| p.get().to_string())
                .unwrap_or_default(),
        ),
    ])
}

fn time_of(f: &mut FormState, name: &str) -> Option<TimeOfDay> {
    TimeOfDay::parse(f.text(name))
        .map_err(|e| f.refuse(name, &e))
        .ok()
}

/// The service the form describes, or `None` with each error next to its input.
pub fn parse_service(f: &mut FormState) -> Option<ServiceSpec> {
    let name = name_of(f);
    let sla = match f.text("slaKind") {
        "same_day" => f
            .text("slaHours")
            .parse::<u32>()
            .map_err(|_| "must be a number of hours from 1 to 24".to_string())
            .and_then(SlaHours::try_from)
            .map(|hours| Sla::SameDay { hours })
            .map_err(|e| f.refuse("slaHours", &e))
            .ok(),
        "next_day" => time_of(f, "slaBy").map(|by| Sla::NextDay { by }),
        _ => {
            f.refuse("slaKind", "must be chosen");
            None
        }
    };
    let mut days = vec![];
    let codes: Vec<String> = f
        .value("days")
        .split(',')
        .filter(|d| !d.is_empty())
        .map(String::from)
        .collect();
    for code in codes {
        match serde_json::from_value::<Day>(json!(code)) {
            Ok(day) if !days.contains(&day) => days.push(day),
            Ok(_) => {}
            Err(_) => f.refuse("days", "must be days of the week"),
        }
    }
    if days.is_empty() {
        f.refuse("days", "must include at least one day");
    }
    let (from, to) = (time_of(f, "from"), time_of(f, "to"));
    let availability = match (from, to) {
        (Some(from), Some(to)) if from >= to => {
            f.refuse("to", "must be later than the opening time");
            None
        }
        (Some(from), Some(to)) if !days.is_empty() => Some(Availability { days, from, to }),
        _ => None,
    };
    let cutoff = match f.text("cutoff") {
        "" => Some(None),
        _ => time_of(f, "cutoff").map(Some),
    };
    let mut holidays = vec![];
    for (n, line) in f.lines("holidays") {
        match NaiveDate::parse_from_str(&line, "%Y-%m-%d") {
            Ok(day) => holidays.push(day),
            Err(_) => f.refuse(
                "holidays",
                &format!("line {n} (“{line}”) is not a date written as 2026-12-25"),
            ),
        }
    }
    holidays.sort();
    holidays.dedup();
    if holidays.len() > MAX_HOLIDAYS {
        f.refuse("holidays", &format!("are at most {MAX_HOLIDAYS}"));
    }
    let area = match f.text("areaKind") {
        "" | "anywhere" => Some(None),
        "postcodes" => {
            let prefixes: Vec<String> = f
                .lines("postalCodePrefixes")
                .into_iter()
                .flat_map(|(_, l)| {
                    l.split(',')
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                })
                .collect();
            if prefixes.is_empty() {
                f.refuse("postalCodePrefixes", "must list at least one prefix");
                None
            } else {
                serde_json::from_value::<PostalCodes>(json!({ "postalCodePrefixes": prefixes }))
                    .map(|codes| Some(Area::PostalCodes(codes)))
                    .map_err(|e| f.refuse("postalCodePrefixes", &e.to_string()))
                    .ok()
            }
        }
        "polygon" => serde_json::from_str::<Value>(f.text("polygon"))
            .map_err(|_| "must be a GeoJSON Polygon or MultiPolygon".to_string())
            .and_then(|v| serde_json::from_value::<Region>(v).map_err(|e| e.to_string()))
            .map(|polygon| Some(Area::Polygon(PolygonArea { polygon })))
            .map_err(|e| f.refuse("polygon", &e))
            .ok(),
        _ => {
            f.refuse("areaKind", "must be chosen");
            None
        }
    };
    let max_weight_kg = match f.text("maxWeightKg") {
        "" => Some(None),
        raw => raw
            .parse::<f64>()
            .map_err(|_| "must be a weight in kg, such as 20 or 2.5".to_string())
            .and_then(Weight::from_kg)
            .map(Some)
            .map_err(|e| f.refuse("maxWeightKg", &e))
            .ok(),
    };
    let max_pieces = match f.text("maxPieces") {
        "" => Some(None),
        raw => raw
            .parse::<u32>()
            .map_err(|_| "must be a count from 1 to 10000".to_string())
            .and_then(Pieces::try_from)
            .map(Some)
            .map_err(|e| f.refuse("maxPieces", &e))
            .ok(),
    };
    if f.has_errors() {
        return None;
    }
    Some(ServiceSpec {
        name: name?,
        sla: sla?,
        cutoff: cutoff?,
        availability: availability?,
        holidays,
        area: area?,
        max_weight_kg: max_weight_kg?,
        max_pieces: max_pieces?,
    })
}

/// The input of a service's field as the API names it in an error.
pub fn service_input(api_field: &str) -> Option<&'static str> {
    Some(match api_field.split(['.', '[']).next().unwrap_or("") {
        "name" => "name",
        "sla" => "slaHours",
        "availability" => "to",
        "cutoff" => "cutoff",
        "holidays" => "holidays",
        "area" => "postalCodePrefixes",
        "maxWeightKg" => "maxWeightKg",
        "maxPieces" => "maxPieces",
        _ => return None,
    })
}

/// A service's rules in words, as the list shows them.
pub struct ServiceWords {
    pub sla: String,
    pub hours: String,
    pub cutoff: String,
    pub holidays: String,
    pub area: String,
    pub limits: String,
}

pub fn service_words(spec: &ServiceSpec) -> ServiceWords {
    let sla = match spec.sla {
        Sla::SameDay { hours } => {
            let h = u32::from(hours);
            format!("Same day, within {h} hour{}", if h == 1 { "" } else { "s" })
        }
        Sla::NextDay { by } => format!("Next service day, by {}", time(by)),
    };
    let codes: Vec<&str> = spec
        .availability
        .days
        .iter()
        .map(|d| day_code(*d))
        .collect();
    let days = match codes.as_slice() {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] => "Every day".to_string(),
        ["mon", "tue", "wed", "thu", "fri"] => "Monday to Friday".to_string(),
        ["mon", "tue", "wed", "thu", "fri", "sat"] => "Monday to Saturday".to_string(),
        _ => DAYS
            .iter()
            .filter(|(code, _)| codes.contains(code))
            .map(|(_, name)| *name)
            .collect::<Vec<_>>()
            .join(", "),
    };
    let hours = format!(
        "{days}, {} to {}",
        time(spec.availability.from),
        time(spec.availability.to)
    );
    let cutoff = match spec.cutoff {
        Some(c) => format!("Orders ready after {} start the next service day", time(c)),
        None => "None: orders start until closing time".into(),
    };
    let holidays = match spec.holidays.len() {
        0 => "None".to_string(),
        n => {
            let shown: Vec<String> = spec
                .holidays
                .iter()
                .take(3)
                .map(|d| d.format("%-d %b %Y").to_string())
                .collect();
            format!(
                "{}{}",
                shown.join(", "),
                if n > 3 {
                    format!(" and {} more", n - 3)
                } else {
                    String::new()
                }
            )
        }
    };
    let area = match &spec.area {
        None => "Anywhere".to_string(),
        Some(Area::PostalCodes(codes)) => {
            let p = &codes.postal_code_prefixes;
            let shown: Vec<&str> = p.iter().take(5).map(String::as_str).collect();
            format!(
                "Postal codes starting with {}{}",
                shown.join(", "),
                if p.len() > 5 {
                    format!(" and {} more", p.len() - 5)
                } else {
                    String::new()
                }
            )
        }
        Some(Area::Polygon(_)) => "Inside a drawn area (GeoJSON polygon)".to_string(),
    };
    let mut limits = vec![];
    if let Some(w) = spec.max_weight_kg {
        limits.push(format!("up to {} kg", number(w.kg())));
    }
    if let Some(p) = spec.max_pieces {
        limits.push(format!(
            "up to {} piece{}",
            p.get(),
            if p.get() == 1 { "" } else { "s" }
        ));
    }
    let limits = if limits.is_empty() {
        "No limits".to_string()
    } else {
        super::capitalise(&limits.join(", "))
    };
    ServiceWords {
        sla,
        hours,
        cutoff,
        holidays,
        area,
        limits,
    }
}

// ---- Rate tables ----

/// An amount in major units as typed ("12.50"), without the currency.
pub fn major(currency: Currency, minor: u64) -> String {
    let shown = currency.format(minor);
    shown
        .strip_suffix(&format!(" {}", currency.code()))
        .unwrap_or(&shown)
        .to_string()
}

/// An amount typed in major units ("12.50", "12") in minor units of `exponent` digits.
fn parse_major(raw: &str, exponent: u8) -> Result<Amount, String> {
    let bad = || {
        if exponent == 0 {
            "must be a whole amount, such as 12".to_string()
        } else {
            format!(
                "must be an amount such as 12.{}, with at most {exponent} decimals",
                "5".repeat(usize::from(exponent))
            )
        }
    };
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > usize::from(exponent)
        || (raw.contains('.') && fraction.is_empty())
        || whole.len() > 13
    {
        return Err(bad());
    }
    let scale = 10u64.pow(u32::from(exponent));
    let padded = format!("{fraction:0<width$}", width = usize::from(exponent));
    let minor = whole.parse::<u64>().map_err(|_| bad())? * scale
        + if padded.is_empty() {
            0
        } else {
            padded.parse::<u64>().map_err(|_| bad())?
        };
    Amount::new(minor)
}

const METHODS: [(&str, Method); 4] = [
    ("flat", Method::Flat),
    ("distance", Method::Distance),
    ("weight", Method::Weight),
    ("pieces", Method::Pieces),
];

fn method_code(m: Method) -> &'static str {
    METHODS
        .iter()
        .find(|(_, method)| *method == m)
        .map(|(code, _)| *code)
        .unwrap_or("flat")
}

/// (word in a modifier's line, unit).
fn over_words(over: Over) -> (&'static str, &'static str) {
    match over {
        Over::DistanceOver => ("distance", "km"),
        Over::WeightOver => ("weight", "kg"),
        Over::PiecesOver => ("pieces", "piece"),
    }
}

/// A modifier as one line of the form: `weight over 5 kg: 2.00 + 0.50 per kg`.
pub fn modifier_line(m: &Modifier, currency: Currency) -> String {
    let (word, unit) = over_words(m.when);
    let mut parts = vec![];
    if let Some(a) = m.amount {
        parts.push(major(currency, a.minor()));
    }
    if let Some(a) = m.amount_per_unit {
        parts.push(format!("{} per {unit}", major(currency, a.minor())));
    }
    let threshold = f64::from(m.threshold);
    let shown_unit = if m.when == Over::PiecesOver {
        if threshold == 1.0 {
            " piece"
        } else {
            " pieces"
        }
    } else if m.when == Over::DistanceOver {
        " km"
    } else {
        " kg"
    };
    format!(
        "{word} over {}{shown_unit}: {}",
        number(threshold),
        parts.join(" + ")
    )
}

const MODIFIER_FORMAT: &str =
    "write it as “weight over 5 kg: 2.00 + 0.50 per kg” (distance in km, weight in kg, pieces)";

/// One line of the modifiers' text area.
fn parse_modifier(line: &str, exponent: u8) -> Result<Modifier, String> {
    let lower = line.to_lowercase();
    let (condition, price) = lower.split_once(':').ok_or(MODIFIER_FORMAT)?;
    let words: Vec<&str> = condition.split_whitespace().collect();
    let (when, units): (&str, &[&str]) = match words.first().copied() {
        Some("distance") => ("distance_over", &["km"]),
        Some("weight") => ("weight_over", &["kg"]),
        Some("pieces") | Some("piece") => ("pieces_over", &["piece", "pieces"]),
        _ => return Err(MODIFIER_FORMAT.into()),
    };
    if words.get(1) != Some(&"over")
        || words.len() > 4
        || words.get(3).is_some_and(|u| !units.contains(u))
    {
        return Err(MODIFIER_FORMAT.into());
    }
    let threshold: f64 = words
        .get(2)
        .and_then(|t| t.parse().ok())
        .ok_or(MODIFIER_FORMAT)?;
    let (mut amount, mut per_unit) = (None, None);
    for part in price.split('+').map(str::trim) {
        match part.split_once(" per ") {
            Some((a, unit)) => {
                if !units.contains(&unit.trim()) {
                    return Err(MODIFIER_FORMAT.into());
                }
                per_unit = Some(parse_major(a.trim(), exponent)?.minor());
            }
            None if !part.is_empty() => amount = Some(parse_major(part, exponent)?.minor()),
            None => return Err(MODIFIER_FORMAT.into()),
        }
    }
    let mut raw = json!({ "when": when, "threshold": threshold });
    if let Some(a) = amount {
        raw["amount"] = json!(a);
    }
    if let Some(a) = per_unit {
        raw["amountPerUnit"] = json!(a);
    }
    serde_json::from_value(raw).map_err(|e| e.to_string())
}

/// A new rate table's form: flat, in the courier's usual currency.
pub fn rate_table_defaults() -> FormState {
    FormState::of(&[("currency", "USD".into()), ("baseMethod", "flat".into())])
}

/// A stored rate table's form.
pub fn rate_table_values(spec: &RateTableSpec) -> FormState {
    let c = spec.currency;
    FormState::of(&[
        ("name", spec.name.to_string()),
        ("currency", c.code().into()),
        ("baseMethod", method_code(spec.base.method).into()),
        ("baseAmount", major(c, spec.base.amount.minor())),
        (
            "modifiers",
            spec.modifiers
                .iter()
                .map(|m| modifier_line(m, c))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        (
            "minPrice",
            spec.min_price
                .map(|a| major(c, a.minor()))
                .unwrap_or_default(),
        ),
        (
            "maxPrice",
            spec.max_price
                .map(|a| major(c, a.minor()))
                .unwrap_or_default(),
        ),
    ])
}

/// The rate table the form describes, or `None` with each error next to its input.
pub fn parse_rate_table(f: &mut FormState) -> Option<RateTableSpec> {
    let name = name_of(f);
    let typed_currency = f.text("currency").to_uppercase();
    let currency = match typed_currency.as_str() {
        "" => {
            f.refuse("currency", "is required");
            None
        }
        code => Currency::parse(code)
            .map_err(|e| f.refuse("currency", &e))
            .ok(),
    };
    // Amounts read in the currency's minor unit (cents when the currency is not known yet).
    let exponent = currency.map_or(2, Currency::exponent);
    let method = METHODS
        .iter()
        .find(|(code, _)| *code == f.text("baseMethod"))
        .map(|(_, m)| *m);
    if method.is_none() {
        f.refuse("baseMethod", "must be chosen");
    }
    let amount = match f.text("baseAmount") {
        "" => {
            f.refuse("baseAmount", "is required");
            None
        }
        raw => parse_major(raw, exponent)
            .map_err(|e| f.refuse("baseAmount", &e))
            .ok(),
    };
    let mut modifiers = vec![];
    for (n, line) in f.lines("modifiers") {
        match parse_modifier(&line, exponent) {
            Ok(m) => modifiers.push(m),
            Err(e) => f.refuse("modifiers", &format!("line {n} (“{line}”): {e}")),
        }
    }
    if modifiers.len() > crate::domain::pricing::rate_table::MAX_MODIFIERS {
        f.refuse(
            "modifiers",
            &format!(
                "are at most {}",
                crate::domain::pricing::rate_table::MAX_MODIFIERS
            ),
        );
    }
    let mut price = |name: &str| match f.text(name) {
        "" => Some(None),
        raw => parse_major(raw, exponent)
            .map(Some)
            .map_err(|e| f.refuse(name, &e))
            .ok(),
    };
    let (min_price, max_price) = (price("minPrice"), price("maxPrice"));
    if f.has_errors() {
        return None;
    }
    Some(RateTableSpec {
        name: name?,
        currency: currency?,
        base: Base {
            method: method?,
            amount: amount?,
        },
        modifiers,
        min_price: min_price?,
        max_price: max_price?,
    })
}

/// The input of a rate table's field as the API names it in an error.
pub fn rate_table_input(api_field: &str) -> Option<&'static str> {
    Some(match api_field.split(['.', '[']).next().unwrap_or("") {
        "name" => "name",
        "currency" => "currency",
        "base" => "baseAmount",
        "modifiers" => "modifiers",
        "minPrice" => "minPrice",
        "maxPrice" => "maxPrice",
        _ => return None,
    })
}

/// A rate table's rules in words, as the list shows them.
pub struct RateWords {
    pub base: String,
    pub modifiers: String,
    pub limits: String,
}

pub fn rate_words(spec: &RateTableSpec) -> RateWords {
    let c = spec.currency;
    let amount = c.format(spec.base.amount.minor());
    let base = match spec.base.method {
        Method::Flat => format!("{amount} flat"),
        Method::Distance => format!("{amount} per km"),
        Method::Weight => format!("{amount} per kg"),
        Method::Pieces => format!("{amount} per piece"),
    };
    let modifiers = if spec.modifiers.is_empty() {
        "None".to_string()
    } else {
        spec.modifiers
            .iter()
            .map(|m| modifier_line(m, c))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let limits = match (spec.min_price, spec.max_price) {
        (None, None) => "None".to_string(),
        (Some(min), None) => format!("At least {}", c.format(min.minor())),
        (None, Some(max)) => format!("At most {}", c.format(max.minor())),
        (Some(min), Some(max)) => format!("{} to {}", c.format(min.minor()), c.format(max.minor())),
    };
    RateWords {
        base,
        modifiers,
        limits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> FormState {
        let fields: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        FormState::posted(&fields)
    }

    #[test]
    fn a_service_reads_back_as_its_form() {
        let mut f = posted(&[
            ("name", "Same day"),
            ("slaKind", "same_day"),
            ("slaHours", "4"),
            ("days", "mon"),
            ("days", "tue"),
            ("from", "08:00"),
            ("to", "18:00"),
            ("cutoff", "16:00"),
            ("holidays", "2026-12-25\n\n2026-12-24"),
            ("areaKind", "postcodes"),
            ("postalCodePrefixes", "941\n75 0, SW1"),
            ("maxWeightKg", "2.5"),
            ("maxPieces", "3"),
        ]);
        let spec = parse_service(&mut f).expect("valid");
        assert_eq!(spec.holidays.len(), 2);
        let again = service_values(&spec);
        let mut again = FormState::posted(
            &again
                .values
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>(),
        );
        assert_eq!(parse_service(&mut again), Some(spec.clone()));
        let words = service_words(&spec);
        assert_eq!(words.hours, "Monday, Tuesday, 08:00 to 18:00");
        assert_eq!(words.area, "Postal codes starting with 941, 750, SW1");
        assert_eq!(words.limits, "Up to 2.5 kg, up to 3 pieces");

        let mut bad = posted(&[
            ("name", ""),
            ("slaKind", "same_day"),
            ("slaHours", "30"),
            ("from", "18:00"),
            ("to", "08:00"),
            ("holidays", "25/12/2026"),
            ("areaKind", "postcodes"),
        ]);
        assert!(parse_service(&mut bad).is_none());
        assert_eq!(bad.error("name"), Some("Name is required"));
        assert!(bad.error("slaHours").unwrap().starts_with("Hours must be"));
        assert!(bad.error("days").is_some());
        assert!(bad.error("to").is_some());
        assert!(bad.error("holidays").unwrap().contains("line 1"));
        assert!(bad.error("postalCodePrefixes").is_some());
    }

    #[test]
    fn a_rate_table_reads_back_as_its_form() {
        let mut f = posted(&[
            ("name", "Standard"),
            ("currency", "usd"),
            ("baseMethod", "distance"),
            ("baseAmount", "1.20"),
            (
                "modifiers",
                "weight over 5 kg: 2.00 + 0.50 per kg\npieces over 3: 1\ndistance over 10.5 km: 0.25 per km",
            ),
            ("minPrice", "5"),
            ("maxPrice", ""),
        ]);
        let spec = parse_rate_table(&mut f).expect("valid");
        assert_eq!(spec.base.amount.minor(), 120);
        assert_eq!(spec.modifiers.len(), 3);
        assert_eq!(spec.min_price.unwrap().minor(), 500);
        let values = rate_table_values(&spec);
        assert_eq!(
            values.value("modifiers"),
            "weight over 5 kg: 2.00 + 0.50 per kg\npieces over 3 pieces: 1.00\ndistance over 10.5 km: 0.25 per km"
        );
        let mut again = FormState::posted(
            &values
                .values
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>(),
        );
        assert_eq!(parse_rate_table(&mut again), Some(spec.clone()));
        assert_eq!(rate_words(&spec).base, "1.20 USD per km");

        let mut bad = posted(&[
            ("name", "X"),
            ("currency", "XYZ"),
            ("baseMethod", "flat"),
            ("baseAmount", "1.234"),
            ("modifiers", "heavier than 5: 2"),
        ]);
        assert!(parse_rate_table(&mut bad).is_none());
        assert!(bad.error("currency").is_some());
        assert!(bad.error("baseAmount").is_some());
        assert!(bad.error("modifiers").unwrap().contains("line 1"));
        assert_eq!(parse_major("12.5", 2).unwrap().minor(), 1250);
        assert_eq!(parse_major("7", 0).unwrap().minor(), 7);
        assert!(parse_major("1.", 2).is_err());
    }
}

//! The pieces every shop mapper is built from: a dropoff from a shop's address and contact,
//! stops, text fields, windows and notes.

use serde_json::{json, Value};

use super::contact;
use crate::domain::order::Stop;

/// A shop address and contact as one dropoff (validated like every stop).
pub(crate) struct DropoffParts {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub name: Option<String>,
    pub phones: Vec<Option<String>>,
    pub emails: Vec<Option<String>>,
    pub window: Option<Value>,
}

impl DropoffParts {
    /// The stop, and the reasons the inbox records (an unusable phone or email is left out).
    pub fn into_stop(self, reasons: &mut Vec<String>) -> Result<Stop, Vec<String>> {
        let country = self.country.clone();
        let mut contact = serde_json::Map::new();
        if let Some(name) = self.name.filter(|n| !n.trim().is_empty()) {
            contact.insert("name".into(), name.into());
            match contact::first_phone(&self.phones, country.as_deref()) {
                Ok(Some(phone)) => {
                    contact.insert("phone".into(), phone.as_str().into());
                }
                Ok(None) => {}
                Err(why) => reasons.push(why),
            }
            match contact::first_email(&self.emails) {
                Ok(Some(email)) => {
                    contact.insert("email".into(), email.as_str().into());
                }
                Ok(None) => {}
                Err(why) => reasons.push(why),
            }
        }
        let mut address = serde_json::Map::new();
        for (field, value) in [
            ("line1", self.line1),
            ("line2", self.line2),
            ("city", self.city),
            ("state", self.state),
            ("postalCode", self.postal_code),
            ("country", self.country),
        ] {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                address.insert(field.into(), v.into());
            }
        }
        if let (Some(lat), Some(lng)) = (self.lat, self.lng) {
            address.insert("lat".into(), lat.into());
            address.insert("lng".into(), lng.into());
        }
        let mut stop = json!({ "address": address });
        if !contact.is_empty() {
            stop["contact"] = Value::Object(contact);
        }
        if let Some(window) = self.window {
            stop["window"] = window;
        }
        parse_stop(stop, "dropoff")
    }
}

/// A stop from JSON, with the path of what is wrong.
pub(crate) fn parse_stop(value: Value, at: &str) -> Result<Stop, Vec<String>> {
    serde_path_to_error::deserialize::<_, Stop>(value).map_err(|e| {
        let path = e.path().to_string();
        vec![format!("{at}.{path}: {}", e.into_inner())]
    })
}

/// A string field (numbers as their text).
pub(crate) fn text(value: &Value, field: &str) -> Option<String> {
    match value.get(field)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A dropoff window from a shop's custom attributes (`delivery_window_start`,
/// `delivery_window_end`: ISO 8601 with an offset), when the shop sends one.
pub(crate) fn window_from(pairs: &[(String, String)], reasons: &mut Vec<String>) -> Option<Value> {
    let find = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
    };
    let (after, before) = (find("delivery_window_start"), find("delivery_window_end"));
    if after.is_none() && before.is_none() {
        return None;
    }
    let parse = |v: &Option<String>| match v {
        None => Ok(None),
        Some(v) => chrono::DateTime::parse_from_rfc3339(v).map(Some),
    };
    match (parse(&after), parse(&before)) {
        (Ok(a), Ok(b)) if !matches!((a, b), (Some(a), Some(b)) if a >= b) => {
            let mut window = serde_json::Map::new();
            if let Some(a) = a {
                window.insert("completeAfter".into(), a.to_rfc3339().into());
            }
            if let Some(b) = b {
                window.insert("completeBefore".into(), b.to_rfc3339().into());
            }
            Some(Value::Object(window))
        }
        _ => {
            reasons.push("window_invalid: delivery_window_start and delivery_window_end must be ISO 8601 times with an offset, the start before the end".into());
            None
        }
    }
}

/// Notes cut to what an order keeps.
pub(crate) fn notes(raw: Option<String>) -> Option<String> {
    raw.map(|n| n.chars().take(2000).collect::<String>())
        .filter(|n| !n.trim().is_empty())
}

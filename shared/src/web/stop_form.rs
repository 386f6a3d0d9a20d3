//! One stop as the order forms show it (the new order, the edit and the resubmit forms):
//! the names of its inputs, the stop read from them (every error at once, times in the
//! client's zone) and the values that prefill them.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::field;
use crate::domain::country::CountryCode;
use crate::domain::order::{MinimumAge, Requirements, Stop, Window};
use crate::domain::text::{AddressLine, Name};
use crate::domain::{Address, Contact, Phone};

/// Form errors: (input name, message), in the order the form shows its inputs.
pub(super) type FieldErrors = Vec<(&'static str, String)>;

/// The names of one stop's inputs, and the words that differ between the stops.
pub(super) struct StopInputs {
    pub legend: &'static str,
    pub unit: &'static str,
    pub line1: &'static str,
    pub line2: &'static str,
    pub city: &'static str,
    pub state: &'static str,
    pub postal_code: &'static str,
    pub country: &'static str,
    pub name: &'static str,
    pub name_label: &'static str,
    pub phone: &'static str,
    pub phone_label: &'static str,
    pub after: &'static str,
    pub after_label: &'static str,
    pub before: &'static str,
    pub before_label: &'static str,
    pub signature: &'static str,
    pub photo: &'static str,
    pub notes: &'static str,
    /// Only the dropoff asks for an age check; the pickup keeps what it has.
    pub minimum_age: Option<&'static str>,
}

pub(super) const PICKUP: StopInputs = StopInputs {
    legend: "Pickup",
    unit: "pickup_unit",
    line1: "pickup_line1",
    line2: "pickup_line2",
    city: "pickup_city",
    state: "pickup_state",
    postal_code: "pickup_postal_code",
    country: "pickup_country",
    name: "pickup_name",
    name_label: "Contact name",
    phone: "pickup_phone",
    phone_label: "Contact phone",
    after: "pickup_after",
    after_label: "Earliest pickup",
    before: "pickup_before",
    before_label: "Latest pickup",
    signature: "pickup_require_signature",
    photo: "pickup_require_photo",
    notes: "pickup_require_notes",
    minimum_age: None,
};

pub(super) const DROPOFF: StopInputs = StopInputs {
    legend: "Dropoff",
    unit: "dropoff_unit",
    line1: "dropoff_line1",
    line2: "dropoff_line2",
    city: "dropoff_city",
    state: "dropoff_state",
    postal_code: "dropoff_postal_code",
    country: "dropoff_country",
    name: "recipient_name",
    name_label: "Recipient name",
    phone: "recipient_phone",
    phone_label: "Recipient phone",
    after: "dropoff_after",
    after_label: "Earliest dropoff",
    before: "dropoff_before",
    before_label: "Latest dropoff",
    signature: "require_signature",
    photo: "require_photo",
    notes: "require_notes",
    minimum_age: Some("minimum_age"),
};

/// The stop the inputs describe, over `kept` (what the form does not show: the contact's
/// email, the stop's notes, the pickup's age check, and the coordinates while the address
/// is unchanged); every input's error at once.
pub(super) fn stop_from_form(
    values: &[(String, String)],
    inputs: &StopInputs,
    zone: Tz,
    kept: Option<&Stop>,
) -> Result<Stop, FieldErrors> {
    let raw = |name: &str| field(values, name).trim();
    let mut errors = FieldErrors::new();
    let line1 = match raw(inputs.line1) {
        "" => {
            errors.push((inputs.line1, "is required".into()));
            None
        }
        line => note(inputs.line1, AddressLine::parse(line), &mut errors),
    };
    let mut line = |name: &'static str| optional(raw(name), name, AddressLine::parse, &mut errors);
    let (unit, line2, postal_code, city, state) = (
        line(inputs.unit),
        line(inputs.line2),
        line(inputs.postal_code),
        line(inputs.city),
        line(inputs.state),
    );
    let country = optional(
        raw(inputs.country),
        inputs.country,
        |c| CountryCode::try_from(c.to_string()),
        &mut errors,
    );
    let name = optional(raw(inputs.name), inputs.name, Name::parse, &mut errors);
    let phone = optional(raw(inputs.phone), inputs.phone, Phone::parse, &mut errors);
    if raw(inputs.name).is_empty() && !raw(inputs.phone).is_empty() {
        errors.push((inputs.name, "is required with a phone number".into()));
    }
    let in_zone = |raw: &str| local_time(raw, zone);
    let window = Window {
        complete_after: optional(raw(inputs.after), inputs.after, in_zone, &mut errors),
        complete_before: optional(raw(inputs.before), inputs.before, in_zone, &mut errors),
    };
    if let (Some(after), Some(before)) = (window.complete_after, window.complete_before) {
        if after >= before {
            errors.push((inputs.before, "must be later than the earliest time".into()));
        }
    }
    let minimum_age = match inputs.minimum_age {
        Some(input) => optional(raw(input), input, parse_age, &mut errors),
        None => kept.and_then(|k| k.requirements.minimum_age),
    };
    let (Some(line1), true) = (line1, errors.is_empty()) else {
        return Err(sorted(errors, inputs));
    };
    let mut address = Address {
        unit,
        line1,
        line2,
        city,
        state,
        postal_code,
        country,
        lat: None,
        lng: None,
    };
    if let Some(kept) = kept {
        address = address.keeping_coordinates_of(&kept.address);
    }
    let checked = |name: &str| !raw(name).is_empty();
    Ok(Stop {
        address,
        contact: name.map(|name| Contact {
            name,
            phone,
            email: kept.and_then(|k| k.contact.as_ref()?.email.clone()),
        }),
        notes: kept.and_then(|k| k.notes.clone()),
        window,
        requirements: Requirements {
            signature: checked(inputs.signature),
            photo: checked(inputs.photo),
            notes: checked(inputs.notes),
            minimum_age,
        },
    })
}

/// The values that show `stop` in the inputs (times in `zone`).
pub(super) fn stop_values(stop: &Stop, inputs: &StopInputs, zone: Tz) -> Vec<(String, String)> {
    let a = &stop.address;
    let text = |l: &Option<AddressLine>| l.as_ref().map(ToString::to_string);
    let contact = stop.contact.as_ref();
    let time = |t: &Option<DateTime<FixedOffset>>| t.map(|t| datetime_local(t, zone));
    let r = &stop.requirements;
    let check = |on: bool| on.then(|| "1".to_string());
    let mut values = vec![
        (inputs.unit, text(&a.unit)),
        (inputs.line1, Some(a.line1.to_string())),
        (inputs.line2, text(&a.line2)),
        (inputs.postal_code, text(&a.postal_code)),
        (inputs.city, text(&a.city)),
        (inputs.state, text(&a.state)),
        (
            inputs.country,
            a.country.as_ref().map(|c| c.as_str().into()),
        ),
        (inputs.name, contact.map(|c| c.name.to_string())),
        (
            inputs.phone,
            contact.and_then(|c| Some(c.phone.as_ref()?.to_string())),
        ),
        (inputs.after, time(&stop.window.complete_after)),
        (inputs.before, time(&stop.window.complete_before)),
        (inputs.signature, check(r.signature)),
        (inputs.photo, check(r.photo)),
        (inputs.notes, check(r.notes)),
    ];
    if let Some(input) = inputs.minimum_age {
        values.push((input, r.minimum_age.map(|age| u8::from(age).to_string())));
    }
    values
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_string(), value?)))
        .collect()
}

/// A `datetime-local` value (`2026-12-01T14:30`, seconds optional) in `zone`.
pub(super) fn local_time(raw: &str, zone: Tz) -> Result<DateTime<FixedOffset>, String> {
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "must be a date and time".to_string())?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.fixed_offset())
        .ok_or_else(|| format!("is not a time that exists in {}", zone.name()))
}

/// `t` as a `datetime-local` value in `zone`.
fn datetime_local(t: DateTime<FixedOffset>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
}

fn parse_age(raw: &str) -> Result<MinimumAge, String> {
    raw.parse::<u8>()
        .map_err(|_| "must be an age from 1 to 25".to_string())
        .and_then(MinimumAge::try_from)
}

/// An optional input: empty is none; else parsed, its error noted.
pub(super) fn optional<T>(
    raw: &str,
    name: &'static str,
    parse: impl Fn(&str) -> Result<T, String>,
    errors: &mut FieldErrors,
) -> Option<T> {
    if raw.is_empty() {
        return None;
    }
    note(name, parse(raw), errors)
}

fn note<T>(name: &'static str, parsed: Result<T, String>, errors: &mut FieldErrors) -> Option<T> {
    parsed.map_err(|e| errors.push((name, e))).ok()
}

/// The errors in the order of the inputs on the page.
fn sorted(mut errors: FieldErrors, inputs: &StopInputs) -> FieldErrors {
    let order = [
        inputs.line1,
        inputs.line2,
        inputs.unit,
        inputs.postal_code,
        inputs.city,
        inputs.state,
        inputs.country,
        inputs.name,
        inputs.phone,
        inputs.after,
        inputs.before,
    ];
    errors.sort_by_key(|(name, _)| order.iter().position(|n| n == name).unwrap_or(order.len()));
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PARIS: Tz = chrono_tz::Europe::Paris;

    fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn stop(value: serde_json::Value) -> Stop {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn the_full_address_window_and_requirements_are_read() {
        let sent = values(&[
            ("pickup_unit", "Floor 2"),
            ("pickup_line1", "1 Market St"),
            ("pickup_line2", "Building B"),
            ("pickup_city", "Lyon"),
            ("pickup_state", "Rhône"),
            ("pickup_postal_code", "69002"),
            ("pickup_country", "fr"),
            ("pickup_name", "Ana"),
            ("pickup_phone", "+33612345678"),
            ("pickup_after", "2026-12-01T09:00"),
            ("pickup_before", "2026-07-01T10:30"),
            ("pickup_require_photo", "1"),
        ]);
        let Err(errors) = stop_from_form(&sent, &PICKUP, PARIS, None) else {
            panic!("a window that ends before it starts");
        };
        assert_eq!(
            errors,
            [(
                "pickup_before",
                "must be later than the earliest time".to_string()
            )]
        );
        let mut sent = sent;
        sent[10].1 = "2026-12-01T10:30".into();
        let pickup = stop_from_form(&sent, &PICKUP, PARIS, None).unwrap();
        assert_eq!(
            serde_json::to_value(&pickup).unwrap(),
            json!({
                "address": {"unit": "Floor 2", "line1": "1 Market St", "line2": "Building B",
                            "city": "Lyon", "state": "Rhône", "postalCode": "69002", "country": "FR"},
                "contact": {"name": "Ana", "phone": "+33612345678"},
                "window": {"completeAfter": "2026-12-01T09:00:00+01:00",
                           "completeBefore": "2026-12-01T10:30:00+01:00"},
                "requirements": {"signature": false, "photo": true, "notes": false},
            })
        );
        // Shown again in the same zone, the values are what was typed.
        let mut shown = stop_values(&pickup, &PICKUP, PARIS);
        shown.sort();
        let mut typed = sent.clone();
        typed[6].1 = "FR".into();
        typed.sort();
        assert_eq!(shown, typed);
    }

    #[test]
    fn times_are_read_and_shown_in_the_zone() {
        let sent = values(&[
            ("dropoff_line1", "9 Rue"),
            ("dropoff_before", "2026-07-01T18:00"),
        ]);
        let dropoff = stop_from_form(&sent, &DROPOFF, chrono_tz::America::New_York, None).unwrap();
        let before = dropoff.window.complete_before.unwrap();
        assert_eq!(before.to_rfc3339(), "2026-07-01T18:00:00-04:00");
        let in_paris = stop_values(&dropoff, &DROPOFF, PARIS);
        assert!(in_paris.contains(&("dropoff_before".into(), "2026-07-02T00:00".into())));
    }

    #[test]
    fn every_error_is_reported_at_once_in_the_order_of_the_inputs() {
        let long = "x".repeat(AddressLine::MAX + 1);
        let sent = values(&[
            ("dropoff_line1", " "),
            ("dropoff_postal_code", &long),
            ("dropoff_country", "France"),
            ("recipient_phone", "06 12"),
            ("dropoff_after", "tomorrow"),
            ("minimum_age", "40"),
        ]);
        let errors = stop_from_form(&sent, &DROPOFF, PARIS, None).unwrap_err();
        let names: Vec<&str> = errors.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            [
                "dropoff_line1",
                "dropoff_postal_code",
                "dropoff_country",
                "recipient_name",
                "recipient_phone",
                "dropoff_after",
                "minimum_age"
            ]
        );
        assert_eq!(errors[0].1, "is required");
        assert_eq!(errors[3].1, "is required with a phone number");
        assert_eq!(errors[5].1, "must be a date and time");
    }

    #[test]
    fn what_the_form_does_not_show_is_kept() {
        let before = stop(json!({
            "address": {"line1": "9 Rue", "city": "Paris", "postalCode": "75002", "country": "FR",
                        "lat": 48.8686, "lng": 2.3314},
            "contact": {"name": "Marie", "email": "marie@example.com"},
            "notes": "Code 1234",
            "requirements": {"minimumAge": 18},
        }));
        let mut sent = values(&[
            ("pickup_line1", "9 Rue"),
            ("pickup_city", "Paris"),
            ("pickup_postal_code", "75002"),
            ("pickup_country", "FR"),
            ("pickup_name", "Marie Curie"),
        ]);
        let same_place = stop_from_form(&sent, &PICKUP, PARIS, Some(&before)).unwrap();
        assert_eq!(same_place.address, before.address, "the coordinates kept");
        assert_eq!(same_place.notes, before.notes);
        assert_eq!(
            same_place.requirements.minimum_age,
            before.requirements.minimum_age
        );
        let contact = same_place.contact.unwrap();
        assert_eq!(contact.name.as_str(), "Marie Curie");
        assert_eq!(
            contact.email,
            before.contact.as_ref().unwrap().email,
            "kept"
        );
        sent[2].1 = "75008".into();
        let moved = stop_from_form(&sent, &PICKUP, PARIS, Some(&before)).unwrap();
        assert_eq!(
            (moved.address.lat, moved.address.lng),
            (None, None),
            "no longer there"
        );
        // An emptied contact is no contact; an emptied field is cleared.
        sent.retain(|(name, _)| name != "pickup_name" && name != "pickup_city");
        let emptied = stop_from_form(&sent, &PICKUP, PARIS, Some(&before)).unwrap();
        assert!(emptied.contact.is_none() && emptied.address.city.is_none());
    }
}

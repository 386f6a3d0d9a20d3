//! The order forms' inputs as the templates show them (`web/order_fields.html`): each
//! stop's address, contact, window and requirements, then the parcel; each input with its
//! value, and its error next to it. The new order, edit and resubmit forms are all this.

use chrono_tz::Tz;

use super::field;
use super::stop_form::{StopInputs, DROPOFF, PICKUP};

/// The parcel's inputs: (name, label, input type).
const PARCEL: [(&str, &str, &str); 3] = [
    ("weight", "Weight (kg)", "text"),
    ("pieces", "Pieces", "number"),
    ("notes", "Notes for the driver", "text"),
];

pub struct Field {
    pub id: String,
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    /// Further attributes, written by this module only.
    pub attrs: &'static str,
    pub value: String,
    /// The whole sentence: "Postal code must be at most 200 characters".
    pub error: Option<String>,
    /// The ids of what describes it (the time zone hint, its error).
    pub described_by: String,
}

pub struct Check {
    pub id: String,
    pub name: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub struct StopFieldset {
    pub legend: &'static str,
    /// Address, then contact.
    pub fields: Vec<Field>,
    pub window_legend: String,
    pub window: Vec<Field>,
    pub proof_legend: String,
    pub checks: Vec<Check>,
    pub age: Option<Field>,
}

/// Both stops and the parcel, as one form shows them.
pub struct OrderFields {
    /// The heading level of each fieldset's legend (`h2` on its own page, `h3` in a card).
    pub heading: &'static str,
    /// The time zone hint, which every time input refers to.
    pub hint_id: String,
    pub zone: String,
    pub stops: Vec<StopFieldset>,
    pub parcel: Vec<Field>,
}

/// Every input name of the order forms.
pub(super) fn input_names() -> Vec<&'static str> {
    let mut names = vec![];
    for s in [&PICKUP, &DROPOFF] {
        names.extend(stop_specs(s).iter().map(|(name, ..)| *name));
        names.extend([s.after, s.before]);
        names.extend(s.minimum_age);
    }
    names.extend(PARCEL.iter().map(|(name, ..)| *name));
    names
}

/// One text input: (name, label, input type, further attributes).
type Spec = (&'static str, &'static str, &'static str, &'static str);

/// A stop's address and contact inputs, in the order they are shown.
fn stop_specs(s: &StopInputs) -> [Spec; 9] {
    [
        (s.line1, "Street address", "text", ""),
        (s.line2, "Address line 2 (optional)", "text", ""),
        (s.unit, "Unit or floor (optional)", "text", ""),
        (s.postal_code, "Postal code", "text", ""),
        (s.city, "City", "text", ""),
        (s.state, "State or region (optional)", "text", ""),
        (
            s.country,
            "Country (2 letters, e.g. FR)",
            "text",
            r#" maxlength="2" autocapitalize="characters""#,
        ),
        (s.name, s.name_label, "text", ""),
        (s.phone, s.phone_label, "tel", ""),
    ]
}

impl OrderFields {
    /// The inputs with `values`, and `errors` next to theirs; ids are `prefix` + name.
    pub(super) fn new(
        prefix: &'static str,
        heading: &'static str,
        zone: Tz,
        values: &[(String, String)],
        errors: &[(&str, String)],
    ) -> Self {
        let hint_id = format!("{prefix}window-hint");
        let input = |(name, label, kind, attrs): Spec, hint: Option<&str>| {
            let id = format!("{prefix}{name}");
            let error = errors.iter().find(|(n, _)| *n == name).map(|(_, m)| {
                // "Country (2 letters, e.g. FR)" says "Country must be …".
                let noun = label.split(" (").next().unwrap_or(label);
                format!("{noun} {m}")
            });
            let described_by = [
                hint.map(str::to_string),
                error.as_ref().map(|_| format!("{id}-error")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            Field {
                name,
                label,
                kind,
                attrs,
                value: field(values, name).to_string(),
                error,
                described_by,
                id,
            }
        };
        let stop = |s: &StopInputs| {
            let what = s.legend.to_lowercase();
            let check = |name: &'static str, label: &'static str| Check {
                id: format!("{prefix}{name}"),
                name,
                label,
                checked: !field(values, name).is_empty(),
            };
            StopFieldset {
                legend: s.legend,
                fields: stop_specs(s).into_iter().map(|i| input(i, None)).collect(),
                window_legend: format!("{} window", s.legend),
                window: [(s.after, s.after_label), (s.before, s.before_label)]
                    .into_iter()
                    .map(|(name, label)| input((name, label, "datetime-local", ""), Some(&hint_id)))
                    .collect(),
                proof_legend: format!("Proof required at {what}"),
                checks: vec![
                    check(s.signature, "Signature"),
                    check(s.photo, "Photo"),
                    check(s.notes, "Notes"),
                ],
                age: s.minimum_age.map(|name| {
                    let attrs = r#" min="1" max="25" inputmode="numeric""#;
                    input((name, "Minimum age (age check)", "number", attrs), None)
                }),
            }
        };
        OrderFields {
            heading,
            zone: zone.name().to_string(),
            stops: vec![stop(&PICKUP), stop(&DROPOFF)],
            parcel: PARCEL
                .iter()
                .map(|&(name, label, kind)| input((name, label, kind, ""), None))
                .collect(),
            hint_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_a_sentence_next_to_its_input_and_described_by_it() {
        let values = vec![("dropoff_country".to_string(), "France".to_string())];
        let errors = [(
            "dropoff_country",
            "must be a two-letter ISO 3166 country code".into(),
        )];
        let form = OrderFields::new("edit_", "h3", chrono_tz::Europe::Paris, &values, &errors);
        let country = form.stops[1]
            .fields
            .iter()
            .find(|f| f.name == "dropoff_country")
            .unwrap();
        assert_eq!(country.id, "edit_dropoff_country");
        assert_eq!(country.value, "France");
        assert_eq!(
            country.error.as_deref(),
            Some("Country must be a two-letter ISO 3166 country code")
        );
        assert_eq!(country.described_by, "edit_dropoff_country-error");
        let after = &form.stops[0].window[0];
        assert_eq!(
            (after.name, after.described_by.as_str()),
            ("pickup_after", "edit_window-hint")
        );
        assert!(input_names().contains(&"pickup_postal_code") && input_names().contains(&"notes"));
    }
}

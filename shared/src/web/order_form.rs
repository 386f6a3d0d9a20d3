//! The order edit form: its inputs by fieldset, the form filled from an order or from what
//! was sent, and what was sent as the changes of the `ordering::edit_order` use case (or
//! the errors next to their fields).

use super::field;
use crate::domain::address::Contact;
use crate::domain::order::{Order, Stop};
use crate::domain::order_fields::Pieces;
use crate::domain::pricing::Weight;
use crate::domain::text::{AddressLine, Name, Notes};
use crate::domain::Phone;
use crate::ordering::OrderChanges;

/// The edit form's inputs by fieldset: (name, label, input type).
type InputSpec = (&'static str, &'static str, &'static str);
const GROUPS: [(&str, &[InputSpec]); 3] = [
    (
        "Pickup",
        &[
            ("pickup_line1", "Address", "text"),
            ("pickup_city", "City", "text"),
            ("pickup_name", "Contact name", "text"),
            ("pickup_phone", "Contact phone", "tel"),
        ],
    ),
    (
        "Dropoff",
        &[
            ("dropoff_line1", "Address", "text"),
            ("dropoff_city", "City", "text"),
            ("recipient_name", "Recipient name", "text"),
            ("recipient_phone", "Recipient phone", "tel"),
        ],
    ),
    (
        "Parcel",
        &[
            ("weight", "Weight (kg)", "text"),
            ("pieces", "Pieces", "number"),
            ("notes", "Notes for the driver", "text"),
        ],
    ),
];

/// The inputs of one stop: address line, city, contact name, contact phone.
pub(super) struct StopInputs {
    pub line1: &'static str,
    pub city: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
}

pub(super) const PICKUP: StopInputs = StopInputs {
    line1: "pickup_line1",
    city: "pickup_city",
    name: "pickup_name",
    phone: "pickup_phone",
};

pub(super) const DROPOFF: StopInputs = StopInputs {
    line1: "dropoff_line1",
    city: "dropoff_city",
    name: "recipient_name",
    phone: "recipient_phone",
};

/// Form errors: (input name, message).
pub(super) type FieldErrors = Vec<(&'static str, String)>;

pub struct EditField {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
}

/// The edit form: prefilled from the order, or as sent with its errors.
pub struct EditForm {
    pub version: u64,
    pub groups: Vec<(&'static str, Vec<EditField>)>,
    pub alert: Option<String>,
    /// Open when it comes back with errors.
    pub open: bool,
}

/// What the order has in the input `name`.
fn order_value(order: &Order, name: &str) -> String {
    let (pickup, dropoff) = (&order.pickup.stop, &order.dropoff.stop);
    let of_stop = |stop: &Stop, inputs: &StopInputs| -> Option<String> {
        let contact = stop.contact.as_ref();
        Some(match name {
            n if n == inputs.line1 => stop.address.line1.to_string(),
            n if n == inputs.city => stop.address.city.as_ref()?.to_string(),
            n if n == inputs.name => contact?.name.to_string(),
            n if n == inputs.phone => contact?.phone.as_ref()?.to_string(),
            _ => return None,
        })
    };
    of_stop(pickup, &PICKUP)
        .or_else(|| of_stop(dropoff, &DROPOFF))
        .or_else(|| match name {
            "weight" => order.weight.map(|w| w.kg().to_string()),
            "pieces" => order.pieces.map(|p| p.to_string()),
            "notes" => order.notes.clone(),
            _ => None,
        })
        .unwrap_or_default()
}

impl EditForm {
    /// Prefilled with the order as read.
    pub fn of(order: &Order) -> Self {
        Self::build(order.version, |name| order_value(order, name))
    }

    pub(super) fn build(version: u64, value: impl Fn(&str) -> String) -> Self {
        EditForm {
            version,
            groups: GROUPS
                .iter()
                .map(|(legend, inputs)| {
                    let fields = inputs
                        .iter()
                        .map(|(name, label, kind)| EditField {
                            name,
                            label,
                            kind,
                            value: value(name),
                            error: None,
                        })
                        .collect();
                    (*legend, fields)
                })
                .collect(),
            alert: None,
            open: false,
        }
    }

    /// Shows `message` next to the input `name`, or above the form when it has none.
    pub(super) fn error(&mut self, name: &str, message: String) {
        match self
            .groups
            .iter_mut()
            .flat_map(|(_, fields)| fields.iter_mut())
            .find(|f| f.name == name)
        {
            Some(f) => f.error = Some(message),
            None => self.alert = Some(message),
        }
        self.open = true;
    }
}

/// `stop` with the form's inputs over it (postal code, window, requirements… kept as the
/// order has them); every input's error at once.
pub(super) fn edited_stop(
    stop: &Stop,
    inputs: &StopInputs,
    values: &[(String, String)],
) -> Result<Stop, FieldErrors> {
    let get = |name: &str| field(values, name).trim().to_string();
    let mut errors = FieldErrors::new();
    let mut edited = stop.clone();
    match AddressLine::parse(&get(inputs.line1)) {
        Ok(line1) => edited.address.line1 = line1,
        Err(_) if get(inputs.line1).is_empty() => errors.push((inputs.line1, "is required".into())),
        Err(e) => errors.push((inputs.line1, e)),
    }
    edited.address.city = optional(
        &get(inputs.city),
        inputs.city,
        AddressLine::parse,
        &mut errors,
    );
    let phone_sent = !get(inputs.phone).is_empty();
    let phone = optional(&get(inputs.phone), inputs.phone, Phone::parse, &mut errors);
    let name = optional(&get(inputs.name), inputs.name, Name::parse, &mut errors);
    edited.contact = match name {
        Some(name) => Some(Contact {
            name,
            phone,
            email: stop.contact.as_ref().and_then(|c| c.email.clone()),
        }),
        None if phone_sent => {
            errors.push((inputs.name, "is required with a phone number".into()));
            None
        }
        None => None,
    };
    if errors.is_empty() {
        Ok(edited)
    } else {
        Err(errors)
    }
}

/// An optional input: empty is none; else parsed, its error noted.
fn optional<T>(
    raw: &str,
    name: &'static str,
    parse: impl Fn(&str) -> Result<T, String>,
    errors: &mut FieldErrors,
) -> Option<T> {
    if raw.is_empty() {
        return None;
    }
    parse(raw).map_err(|e| errors.push((name, e))).ok()
}

/// The edit as the use case takes it: both stops and the parcel from the form.
pub(super) fn changes(
    order: &Order,
    values: &[(String, String)],
) -> Result<OrderChanges, FieldErrors> {
    let get = |name: &str| field(values, name).trim().to_string();
    let mut errors = FieldErrors::new();
    let mut stop = |stop: &Stop, inputs: &StopInputs| {
        edited_stop(stop, inputs, values)
            .map_err(|e| errors.extend(e))
            .ok()
    };
    let pickup = stop(&order.pickup.stop, &PICKUP);
    let dropoff = stop(&order.dropoff.stop, &DROPOFF);
    let weight = optional(&get("weight"), "weight", parse_weight, &mut errors);
    let pieces = optional(&get("pieces"), "pieces", parse_pieces, &mut errors);
    let notes = optional(&get("notes"), "notes", Notes::parse, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OrderChanges {
        pickup,
        dropoff,
        weight: Some(weight),
        pieces: Some(pieces),
        notes: Some(notes),
        ..OrderChanges::default()
    })
}

/// Kilograms, with a decimal point or comma.
fn parse_weight(raw: &str) -> Result<Weight, String> {
    let kg: f64 = raw
        .replace(',', ".")
        .parse()
        .map_err(|_| "must be a number of kilograms".to_string())?;
    Weight::from_kg(kg)
}

fn parse_pieces(raw: &str) -> Result<Pieces, String> {
    let count: u32 = raw
        .parse()
        .map_err(|_| "must be a whole number".to_string())?;
    Pieces::try_from(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stop(value: serde_json::Value) -> Stop {
        serde_json::from_value(value).unwrap()
    }

    fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_edit_keeps_what_the_form_does_not_show() {
        let dropoff = stop(json!({
            "address": {"line1": "9 Rue", "city": "Paris", "postalCode": "75001", "country": "FR"},
            "contact": {"name": "Marie", "email": "marie@example.com"},
            "window": {"completeBefore": "2026-12-07T10:00:00Z"},
            "requirements": {"signature": true},
        }));
        let sent = values(&[
            ("dropoff_line1", "10 Rue"),
            ("dropoff_city", "Paris"),
            ("recipient_name", "Marie Curie"),
            ("recipient_phone", "+33612345678"),
        ]);
        let edited = edited_stop(&dropoff, &DROPOFF, &sent).unwrap();
        assert_eq!(edited.address.line1.as_str(), "10 Rue");
        assert_eq!(edited.address.postal_code, dropoff.address.postal_code);
        assert_eq!(edited.address.country, dropoff.address.country);
        assert_eq!(edited.window, dropoff.window);
        assert_eq!(edited.requirements, dropoff.requirements);
        let contact = edited.contact.unwrap();
        assert_eq!(contact.name.as_str(), "Marie Curie");
        assert_eq!(contact.phone.unwrap().as_str(), "+33612345678");
        assert_eq!(contact.email, dropoff.contact.unwrap().email, "kept");
    }

    #[test]
    fn an_empty_contact_is_no_contact() {
        let pickup =
            stop(json!({"address": {"line1": "1 Market St"}, "contact": {"name": "Depot"}}));
        let sent = values(&[("pickup_line1", "1 Market St")]);
        let edited = edited_stop(&pickup, &PICKUP, &sent).unwrap();
        assert!(edited.contact.is_none());
        assert!(edited.address.city.is_none());
    }

    #[test]
    fn every_error_is_named_by_its_input() {
        let dropoff = stop(json!({"address": {"line1": "9 Rue"}}));
        let sent = values(&[("dropoff_line1", " "), ("recipient_phone", "06 12")]);
        let errors = edited_stop(&dropoff, &DROPOFF, &sent).unwrap_err();
        let names: Vec<&str> = errors.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            ["dropoff_line1", "recipient_phone", "recipient_name"]
        );
        assert_eq!(errors[0].1, "is required");
    }

    #[test]
    fn weight_and_pieces_read_as_people_write_them() {
        assert_eq!(parse_weight("2,5").unwrap().kg(), 2.5);
        assert!(parse_weight("two").is_err());
        assert_eq!(parse_pieces("3").unwrap().get(), 3);
        assert!(parse_pieces("0").is_err());
        assert!(parse_pieces("1.5").is_err());
    }
}

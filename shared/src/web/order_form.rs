//! The order page's form (edit, or "Save and resubmit" on a rejected order): the form
//! filled from an order or from what was sent, and what was sent as the changes of the
//! `ordering::edit_order` use case (or every error next to its field). Its inputs are the
//! new order form's ([`OrderFields`]).

use chrono_tz::Tz;

use super::field;
use super::form_view::{input_names, OrderFields};
use super::stop_form::{optional, stop_from_form, stop_values, FieldErrors, DROPOFF, PICKUP};
use crate::domain::order::Order;
use crate::domain::order_fields::Pieces;
use crate::domain::pricing::Weight;
use crate::domain::text::Notes;
use crate::ordering::{OrderChanges, OrderField};

/// The edit form: prefilled from the order, or as sent with its errors.
pub struct EditForm {
    pub version: u64,
    pub fields: OrderFields,
    /// Posts to `/resubmit` ("Save and resubmit") rather than `/edit`.
    pub resubmit: bool,
    pub alert: Option<String>,
    /// Open when it comes back with errors.
    pub open: bool,
}

/// The inputs' ids are `edit_` + name (the order page shows no other form with them).
const PREFIX: &str = "edit_";

impl EditForm {
    /// Prefilled with the order as read, times in `zone`.
    pub fn of(order: &Order, zone: Tz, resubmit: bool) -> Self {
        let mut values = stop_values(&order.pickup.stop, &PICKUP, zone);
        values.extend(stop_values(&order.dropoff.stop, &DROPOFF, zone));
        let parcel = [
            ("weight", order.weight.map(|w| w.kg().to_string())),
            ("pieces", order.pieces.map(|p| p.to_string())),
            ("notes", order.notes.clone()),
        ];
        values.extend(
            parcel
                .into_iter()
                .filter_map(|(name, value)| Some((name.to_string(), value?))),
        );
        Self::sent(order.version, &values, zone, resubmit, &[])
    }

    /// As sent, with `errors` next to their inputs (or above the form).
    pub(super) fn sent(
        version: u64,
        values: &[(String, String)],
        zone: Tz,
        resubmit: bool,
        errors: &[(&'static str, String)],
    ) -> Self {
        let names = input_names();
        let alert = errors
            .iter()
            .find(|(name, _)| !names.contains(name))
            .map(|(_, message)| message.clone());
        EditForm {
            version,
            fields: OrderFields::new(PREFIX, "h3", zone, values, errors),
            resubmit,
            alert,
            open: !errors.is_empty(),
        }
    }
}

/// The form's input for a field of the order use cases (`None`: shown above the form).
pub(super) fn input_of(field: OrderField) -> Option<&'static str> {
    match field {
        OrderField::Pickup => Some(PICKUP.line1),
        OrderField::PickupWindowEnd => Some(PICKUP.before),
        OrderField::DropoffWindowEnd | OrderField::DueBy => Some(DROPOFF.before),
        OrderField::ServiceId => Some("service_id"),
        OrderField::ClientId
        | OrderField::OrderIds
        | OrderField::ImportId
        | OrderField::IdempotencyKey
        | OrderField::CreatedFrom
        | OrderField::CreatedTo => None,
    }
}

/// The edit as the use case takes it: both stops (over what the order has) and the
/// parcel from the form, times in `zone`.
pub(super) fn changes(
    order: &Order,
    values: &[(String, String)],
    zone: Tz,
) -> Result<OrderChanges, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut stop = |stop, inputs| {
        stop_from_form(values, inputs, zone, Some(stop))
            .map_err(|e| errors.extend(e))
            .ok()
    };
    let pickup = stop(&order.pickup.stop, &PICKUP);
    let dropoff = stop(&order.dropoff.stop, &DROPOFF);
    let parcel = parcel(values, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OrderChanges {
        pickup,
        dropoff,
        weight: Some(parcel.weight),
        pieces: Some(parcel.pieces),
        notes: Some(parcel.notes),
        ..OrderChanges::default()
    })
}

/// What the form says of the parcel.
pub(super) struct Parcel {
    pub weight: Option<Weight>,
    pub pieces: Option<Pieces>,
    pub notes: Option<Notes>,
}

/// The parcel from the form (empty inputs are none); errors noted.
pub(super) fn parcel(values: &[(String, String)], errors: &mut FieldErrors) -> Parcel {
    let raw = |name: &str| field(values, name).trim();
    Parcel {
        weight: optional(raw("weight"), "weight", parse_weight, errors),
        pieces: optional(raw("pieces"), "pieces", parse_pieces, errors),
        notes: optional(raw("notes"), "notes", Notes::parse, errors),
    }
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

    fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn weight_and_pieces_read_as_people_write_them() {
        assert_eq!(parse_weight("2,5").unwrap().kg(), 2.5);
        assert!(parse_weight("two").is_err());
        assert!(parse_weight("inf").is_err());
        assert_eq!(parse_pieces("3").unwrap().get(), 3);
        assert!(parse_pieces("0").is_err());
        assert!(parse_pieces("1.5").is_err());
    }

    #[test]
    fn a_refusal_without_an_input_is_shown_above_the_form() {
        let sent = values(&[("pickup_line1", "1 Market St")]);
        let errors = [
            (
                "pickup_before",
                "must be later than the earliest time".to_string(),
            ),
            ("version", "the order changed meanwhile".to_string()),
        ];
        let form = EditForm::sent(3, &sent, chrono_tz::UTC, true, &errors);
        assert_eq!(form.alert.as_deref(), Some("the order changed meanwhile"));
        assert!(form.open && form.resubmit);
        let before = &form.fields.stops[0].window[1];
        assert_eq!(before.id, "edit_pickup_before");
        assert!(before.error.is_some());
    }
}

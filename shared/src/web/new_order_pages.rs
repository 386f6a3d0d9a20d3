//! `GET /orders/new` (the form, the client's default pickup prefilled) and `POST /orders`
//! (the form parsed into an order onto the `ordering::create_order` use case; an error is
//! shown next to the field it concerns). A hidden form id is the idempotency key, so a
//! double submit places one order. The dropoff window is entered in the client's time zone;
//! a client with services chooses one, and "Get quotes" (`quote=1`, also sent by htmx on a
//! change) re-renders the form with each service's quote from the quote use case.

use askama::Template;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::order_errors::{refusal, Refusal};
use super::order_form::{StopInputs, DROPOFF, PICKUP};
use super::order_quotes::{choice, services, ServiceChoice};
use super::{field, form, html, redirect, signed_in, signed_in_post};
use crate::domain::api_key::Principal;
use crate::domain::client::Client;
use crate::domain::courier::courier_timezone;
use crate::domain::ids::ServiceId;
use crate::domain::order::{MinimumAge, Requirements, Stop, Window};
use crate::domain::order_fields::Pieces;
use crate::domain::pricing::Weight;
use crate::domain::text::{AddressLine, Name, Notes};
use crate::domain::{token, Address, Contact, Phone};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::ordering::{create_order, Created, IdempotencyKey, NewOrder, OrderField, QuoteOrder};
use crate::Ctx;

/// The dropoff's requirement check boxes: (form name, label).
const REQUIREMENTS: [(&str, &str); 3] = [
    ("require_signature", "Signature"),
    ("require_photo", "Photo"),
    ("require_notes", "Notes"),
];

#[derive(Template)]
#[template(path = "web/new_order.html")]
struct NewOrderPage {
    /// The client's time zone: the window's times are read in it.
    zone: String,
    has_services: bool,
    services: Vec<ServiceChoice>,
    /// Whether `services` carry quotes.
    quoted: bool,
    client_name: String,
    logo_url: Option<String>,
    form_id: String,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    alert: Option<String>,
}

pub struct Input<'a> {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub value: &'a str,
    pub error: Option<&'a str>,
}

/// One input: (name, label, input type, autocomplete).
type InputSpec = (&'static str, &'static str, &'static str, &'static str);

/// The form's inputs by fieldset.
const GROUPS: [(&str, [InputSpec; 4]); 2] = [
    (
        "Pickup",
        [
            ("pickup_line1", "Address", "text", "off"),
            ("pickup_city", "City", "text", "off"),
            ("pickup_name", "Contact name", "text", "off"),
            ("pickup_phone", "Contact phone", "tel", "off"),
        ],
    ),
    (
        "Dropoff",
        [
            ("dropoff_line1", "Address", "text", "off"),
            ("dropoff_city", "City", "text", "off"),
            ("recipient_name", "Recipient name", "text", "off"),
            ("recipient_phone", "Recipient phone", "tel", "off"),
        ],
    ),
];
const PARCEL: [InputSpec; 3] = [
    ("weight", "Weight (kg)", "text", "off"),
    ("pieces", "Pieces", "number", "off"),
    ("notes", "Notes for the driver", "text", "off"),
];

impl NewOrderPage {
    /// Shows why the use case refused the order: next to its input, or above the form;
    /// each service's quote when none could take it.
    fn refused(&mut self, refused: Refusal, zone: Tz) {
        match refused.field.and_then(input_of) {
            Some(name) => self.errors.push((name.to_string(), refused.message)),
            None => self.alert = Some(refused.message),
        }
        if !refused.services.is_empty() {
            self.services = refused.services.iter().map(|q| choice(q, zone)).collect();
            self.quoted = true;
        }
    }

    fn input(
        &self,
        (name, label, kind, autocomplete): (&'static str, &'static str, &'static str, &'static str),
    ) -> Input<'_> {
        Input {
            name,
            label,
            kind,
            autocomplete,
            value: field(&self.values, name),
            error: self
                .errors
                .iter()
                .find(|(f, _)| f == name)
                .map(|(_, m)| m.as_str()),
        }
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }

    fn value(&self, name: &str) -> &str {
        field(&self.values, name)
    }

    fn requirements(&self) -> Vec<(&'static str, &'static str, bool)> {
        REQUIREMENTS
            .iter()
            .map(|(name, label)| (*name, *label, !self.value(name).is_empty()))
            .collect()
    }

    fn groups(&self) -> Vec<(&'static str, Vec<Input<'_>>)> {
        let mut groups: Vec<_> = GROUPS
            .iter()
            .map(|(legend, inputs)| (*legend, inputs.iter().map(|i| self.input(*i)).collect()))
            .collect();
        groups.push(("Parcel", PARCEL.iter().map(|i| self.input(*i)).collect()));
        groups
    }
}

/// The client (for its default pickup and time zone) and its time zone: its organisation's,
/// its notification settings', else its courier's, else UTC.
async fn client_and_zone(
    ctx: &Ctx,
    principal: &Principal,
) -> Result<(Option<Client>, Tz), ApiError> {
    let client = match &principal.client_id {
        Some(client_id) => {
            crate::store::clients::get(
                ctx.store.as_ref(),
                principal.courier_id.as_str(),
                client_id.as_str(),
            )
            .await?
        }
        None => None,
    };
    let own = client.as_ref().and_then(|c| {
        c.organization_settings()
            .timezone
            .or(c.notification_settings().timezone)
    });
    let zone = match own {
        Some(zone) => zone,
        None => courier_timezone(
            crate::store::couriers::get(ctx.store.as_ref(), principal.courier_id.as_str())
                .await?
                .as_ref(),
        ),
    };
    Ok((client, zone.tz()))
}

/// This form's input for a field of the order use cases (`None`: shown above the form).
fn input_of(field: OrderField) -> Option<&'static str> {
    match field {
        OrderField::Pickup => Some("pickup_line1"),
        OrderField::DropoffWindowEnd | OrderField::DueBy => Some("dropoff_before"),
        OrderField::ServiceId => Some("service_id"),
        OrderField::ClientId
        | OrderField::PickupWindowEnd
        | OrderField::OrderIds
        | OrderField::ImportId
        | OrderField::IdempotencyKey
        | OrderField::CreatedFrom
        | OrderField::CreatedTo => None,
    }
}

pub async fn new_order_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let mut values = vec![];
    let (client, zone) = client_and_zone(ctx, &principal).await?;
    if let Some(pickup) = client.and_then(|c| c.default_pickup) {
        let contact = pickup.contact.as_ref();
        for (name, value) in [
            (PICKUP.line1, Some(pickup.address.line1.to_string())),
            (
                PICKUP.city,
                pickup.address.city.as_ref().map(|c| c.to_string()),
            ),
            (PICKUP.name, contact.map(|c| c.name.to_string())),
            (
                PICKUP.phone,
                contact
                    .and_then(|c| c.phone.as_ref())
                    .map(|p| p.to_string()),
            ),
        ] {
            values.push((name.to_string(), value.unwrap_or_default()));
        }
    }
    values.push(("pieces".into(), "1".into()));
    let (services, quoted, _) = services(ctx, &principal, None, zone).await?;
    Ok(html(
        200,
        &NewOrderPage {
            zone: zone.name().to_string(),
            has_services: principal.has_services,
            services,
            quoted,
            client_name: principal.client_name.clone().unwrap_or_default(),
            logo_url: principal.logo_url.clone(),
            form_id: token::random_secret(),
            values,
            errors: vec![],
            // A courier's user: the form places orders for the client signed in only.
            alert: principal.client_id.is_none().then(|| {
                "You are signed in for the courier: clients place their orders here; a courier places one for a client through the API (POST /v1/orders with clientId).".to_string()
            }),
        },
    ))
}

pub async fn create_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let form_id = field(&values, "form_id").to_string();
    let (_, zone) = client_and_zone(ctx, &principal).await?;
    let mut page = NewOrderPage {
        zone: zone.name().to_string(),
        has_services: principal.has_services,
        services: vec![],
        quoted: false,
        client_name: principal.client_name.clone().unwrap_or_default(),
        logo_url: principal.logo_url.clone(),
        form_id: if token::well_formed(&form_id) {
            form_id.clone()
        } else {
            token::random_secret()
        },
        values: values.clone(),
        errors: vec![],
        alert: None,
    };
    let quote = !field(&values, "quote").is_empty();
    let order = match order_form(&values, zone, quote) {
        Ok(order) => order,
        Err((name, message)) => {
            page.errors.push((name.to_string(), message));
            (page.services, page.quoted, _) = services(ctx, &principal, None, zone).await?;
            return Ok(html(422, &page));
        }
    };
    if quote {
        // "Get quotes": the same form again, each service with its quote.
        let asked = QuoteOrder {
            by: principal.clone(),
            client_id: None,
            ready_by: None,
            due_by: order.dropoff.window.complete_before,
            weight: order.weight,
            pieces: order.pieces,
            pickup: Some(order.pickup),
            dropoff: order.dropoff,
        };
        let (services, quoted, refused) = services(ctx, &principal, Some(asked), zone).await?;
        (page.services, page.quoted) = (services, quoted);
        if let Some(refused) = refused {
            page.refused(refused, zone);
            return Ok(html(422, &page));
        }
        return Ok(html(200, &page));
    }
    // What the order says, whatever else the form carries: a second submit of the same
    // order with the same form id places it once.
    let request = serde_json::to_string(&(
        &order.pickup,
        &order.dropoff,
        order.weight,
        order.pieces,
        &order.notes,
        &order.service_id,
    ))
    .map_err(|e| ApiError::Internal(format!("the order does not serialise: {e}")))?;
    let cmd = NewOrder {
        by: principal.clone(),
        pickup: order.pickup,
        dropoff: order.dropoff,
        weight: order.weight,
        pieces: order.pieces,
        notes: order.notes,
        external_id: None,
        service_id: order.service_id,
        draft: false,
        client_id: None,
        idempotency: Some(IdempotencyKey {
            key: format!("web-{}", page.form_id),
            request,
        }),
        base_url: ctx.base_url(&req),
    };
    match create_order(ctx, cmd).await {
        Ok(Created::Order(order)) => return Ok(redirect(&format!("/orders/{}", order.id))),
        Ok(Created::Replayed { order_id, .. }) => {
            return Ok(redirect(&format!("/orders/{order_id}")))
        }
        Err(e) => page.refused(refusal(e)?, zone),
    }
    if page.services.is_empty() {
        (page.services, page.quoted, _) = services(ctx, &principal, None, zone).await?;
    }
    Ok(html(422, &page))
}

/// A `datetime-local` value (`2026-12-01T14:30`, seconds optional) in `zone`.
fn local_time(raw: &str, zone: Tz) -> Result<DateTime<FixedOffset>, String> {
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "must be a date and time".to_string())?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.fixed_offset())
        .ok_or_else(|| format!("is not a time that exists in {}", zone.name()))
}

/// The order the form describes.
struct OrderForm {
    pickup: Stop,
    dropoff: Stop,
    weight: Option<Weight>,
    pieces: Option<Pieces>,
    notes: Option<Notes>,
    service_id: Option<ServiceId>,
}

/// A form error: (input name, message).
type FieldError = (&'static str, String);

/// An optional input: empty is none; else parsed, its error named by the input.
fn optional<T>(
    values: &[(String, String)],
    name: &'static str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, FieldError> {
    let raw = field(values, name).trim();
    if raw.is_empty() {
        return Ok(None);
    }
    parse(raw).map(Some).map_err(|e| (name, e))
}

/// The order from the form (empty optional fields are none), or its first error, found in
/// the order the form has always reported them: the numbers, the addresses and times, then
/// each value (dropoff, notes, pickup, pieces, service, weight) and the dropoff window. A
/// quote (`for_quote`) reads neither the notes nor the service, nor checks the window.
fn order_form(
    values: &[(String, String)],
    zone: Tz,
    for_quote: bool,
) -> Result<OrderForm, FieldError> {
    let kg = optional(values, "weight", |raw| {
        raw.replace(',', ".")
            .parse::<f64>()
            .map_err(|_| "must be a number of kilograms".to_string())
    })?;
    let count = optional(values, "pieces", |raw| {
        raw.parse::<u32>()
            .map_err(|_| "must be a whole number".to_string())
    })?;
    for line1 in [PICKUP.line1, DROPOFF.line1] {
        if field(values, line1).trim().is_empty() {
            return Err((line1, "is required".to_string()));
        }
    }
    let window = Window {
        complete_after: optional(values, "dropoff_after", |raw| local_time(raw, zone))?,
        complete_before: optional(values, "dropoff_before", |raw| local_time(raw, zone))?,
    };
    let minimum_age = optional(values, "minimum_age", |raw| {
        raw.parse::<u8>()
            .map_err(|_| "must be an age from 1 to 25".to_string())
            .and_then(MinimumAge::try_from)
    })?;
    let checked = |name: &str| !field(values, name).trim().is_empty();
    let requirements = Requirements {
        signature: checked("require_signature"),
        photo: checked("require_photo"),
        notes: checked("require_notes"),
        minimum_age,
    };
    let dropoff = stop(values, &DROPOFF, window, requirements)?;
    let notes = match for_quote {
        true => None,
        false => optional(values, "notes", Notes::parse)?,
    };
    let pickup = stop(values, &PICKUP, Window::default(), Requirements::default())?;
    let pieces = count
        .map(Pieces::try_from)
        .transpose()
        .map_err(|e| ("pieces", e))?;
    let service_id = match for_quote {
        true => None,
        false => optional(values, "service_id", ServiceId::parse)?,
    };
    // A weight that is no number (`inf`, `NaN`) has always been left out, as JSON would.
    let weight = kg
        .filter(|kg| kg.is_finite())
        .map(Weight::from_kg)
        .transpose()
        .map_err(|e| ("weight", e))?;
    if let (Some(after), Some(before)) = (
        dropoff.window.complete_after,
        dropoff.window.complete_before,
    ) {
        if !for_quote && after >= before {
            return Err((
                "dropoff_before",
                "must be later than the earliest time".to_string(),
            ));
        }
    }
    Ok(OrderForm {
        pickup,
        dropoff,
        weight,
        pieces,
        notes,
        service_id,
    })
}

/// One stop from its inputs: the address (city, then line), the contact (name, then phone;
/// a phone needs a name).
fn stop(
    values: &[(String, String)],
    inputs: &StopInputs,
    window: Window,
    requirements: Requirements,
) -> Result<Stop, FieldError> {
    let city = optional(values, inputs.city, AddressLine::parse)?;
    let line1 =
        AddressLine::parse(field(values, inputs.line1).trim()).map_err(|e| (inputs.line1, e))?;
    let name = optional(values, inputs.name, Name::parse)?;
    let phone = optional(values, inputs.phone, Phone::parse)?;
    let contact = match (name, phone) {
        (Some(name), phone) => Some(Contact {
            name,
            phone,
            email: None,
        }),
        (None, Some(_)) => return Err((inputs.name, "name is required".to_string())),
        (None, None) => None,
    };
    Ok(Stop {
        address: Address {
            unit: None,
            line1,
            line2: None,
            city,
            state: None,
            postal_code: None,
            country: None,
            lat: None,
            lng: None,
        },
        contact,
        notes: None,
        window,
        requirements,
    })
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

    fn error(pairs: &[(&str, &str)], for_quote: bool) -> Option<FieldError> {
        order_form(&values(pairs), chrono_tz::Europe::Paris, for_quote).err()
    }

    const GOOD: [(&str, &str); 4] = [
        ("pickup_line1", "1 Market St"),
        ("dropoff_line1", "9 Rue de la Paix"),
        ("recipient_name", "Marie Curie"),
        ("recipient_phone", "+33698765432"),
    ];

    #[test]
    fn the_form_reads_into_an_order() {
        let mut form = GOOD.to_vec();
        form.extend([
            ("weight", "2,5"),
            ("pieces", "3"),
            ("dropoff_after", "2026-12-01T14:00"),
            ("dropoff_before", "2026-12-01T16:00"),
            ("require_photo", "1"),
            ("minimum_age", "18"),
        ]);
        let order = order_form(&values(&form), chrono_tz::Europe::Paris, false).unwrap();
        assert_eq!(order.weight.map(Weight::grams), Some(2500));
        assert_eq!(order.pieces.map(Pieces::get), Some(3));
        assert_eq!(
            order.dropoff.window.complete_after.map(|t| t.to_rfc3339()),
            Some("2026-12-01T14:00:00+01:00".to_string())
        );
        assert!(order.dropoff.requirements.photo && !order.dropoff.requirements.signature);
        let contact = order.dropoff.contact.unwrap();
        assert_eq!(contact.name.as_str(), "Marie Curie");
        assert!(order.pickup.contact.is_none());
    }

    #[test]
    fn the_first_error_is_the_one_the_form_always_showed() {
        // The numbers first, then the addresses, then the values.
        let mut form = vec![("weight", "heavy"), ("dropoff_line1", "x")];
        assert_eq!(
            error(&form, false),
            Some(("weight", "must be a number of kilograms".into()))
        );
        form[0] = ("weight", "0");
        assert_eq!(
            error(&form, false),
            Some(("pickup_line1", "is required".into()))
        );
        form.push(("pickup_line1", "1 Market St"));
        assert_eq!(
            error(&form, false).map(|e| e.0),
            Some("weight"),
            "a weight of 0"
        );
        // A phone needs a name.
        let form = [
            ("pickup_line1", "1 Market St"),
            ("dropoff_line1", "9 Rue de la Paix"),
            ("recipient_phone", "+33698765432"),
        ];
        assert_eq!(
            error(&form, false),
            Some(("recipient_name", "name is required".into()))
        );
    }

    #[test]
    fn a_quote_reads_neither_notes_nor_service_nor_checks_the_window() {
        let mut form = GOOD.to_vec();
        form.extend([
            ("service_id", "nope"),
            ("dropoff_after", "2026-12-01T16:00"),
            ("dropoff_before", "2026-12-01T14:00"),
        ]);
        assert_eq!(error(&form, true), None);
        assert_eq!(error(&form, false).map(|e| e.0), Some("service_id"));
        form.retain(|(k, _)| *k != "service_id");
        assert_eq!(
            error(&form, false),
            Some((
                "dropoff_before",
                "must be later than the earliest time".into()
            ))
        );
    }
}

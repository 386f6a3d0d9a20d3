//! `GET /orders/new` (the form, the client's default pickup and country prefilled) and
//! `POST /orders` (the form parsed into an order onto the `ordering::create_order` use case;
//! every error is shown next to the field it concerns). A hidden form id is the idempotency
//! key, so a double submit places one order. Both stops have their full address, window
//! (entered in the client's time zone) and requirements; a client with services chooses
//! one, and "Get quotes" (`quote=1`, also sent by htmx on a change) re-renders the form
//! with each service's quote from the quote use case (postal codes included, for the
//! services whose area is a list of postcodes).

use askama::Template;
use chrono_tz::Tz;

use super::client_zone::client_and_zone;
use super::form_view::OrderFields;
use super::order_errors::{refusal, Refusal};
use super::order_form::{input_of, parcel};
use super::order_quotes::{choice, services, ServiceChoice};
use super::stop_form::{optional, stop_from_form, stop_values, FieldErrors, DROPOFF, PICKUP};
use super::{field, form, html, redirect, signed_in_client, signed_in_client_post};
use crate::domain::client::Client;
use crate::domain::ids::ServiceId;
use crate::domain::order::Stop;
use crate::domain::order_fields::Pieces;
use crate::domain::order_machine::OrderStatus;
use crate::domain::pricing::Weight;
use crate::domain::text::Notes;
use crate::domain::token;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::observe::metrics::{self, Channel};
use crate::ordering::{create_order, Created, IdempotencyKey, NewOrder, QuoteOrder};
use crate::Ctx;

#[derive(Template)]
#[template(path = "web/new_order.html")]
struct NewOrderPage {
    /// The client's time zone: the windows' times are read in it.
    zone: Tz,
    has_services: bool,
    services: Vec<ServiceChoice>,
    /// Whether `services` carry quotes.
    quoted: bool,
    client_name: super::Brand,
    form_id: String,
    values: Vec<(String, String)>,
    errors: FieldErrors,
    alert: Option<String>,
}

impl NewOrderPage {
    /// Shows why the use case refused the order: next to its input, or above the form;
    /// each service's quote when none could take it.
    fn refused(&mut self, refused: Refusal, zone: Tz) {
        match refused.field.and_then(input_of) {
            Some(name) => self.errors.push((name, refused.message)),
            None => self.alert = Some(refused.message),
        }
        if !refused.services.is_empty() {
            self.services = refused.services.iter().map(|q| choice(q, zone)).collect();
            self.quoted = true;
        }
    }

    fn fields(&self) -> OrderFields {
        OrderFields::new("", "h2", self.zone, &self.values, &self.errors)
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, m)| m.as_str())
    }

    fn value(&self, name: &str) -> &str {
        field(&self.values, name)
    }
}

/// The client's default pickup as an order's pickup stop.
fn default_pickup(client: Option<&Client>) -> Option<Stop> {
    let location = client?.default_pickup.clone()?;
    Some(Stop {
        address: location.address,
        contact: location.contact,
        notes: location.notes,
        window: Default::default(),
        requirements: Default::default(),
    })
}

/// The empty form's values: the default pickup, and each stop's country as the client's
/// depot has it, else as its organisation's settings say.
fn first_values(client: Option<&Client>, zone: Tz) -> Vec<(String, String)> {
    let pickup = default_pickup(client);
    let mut values = pickup
        .as_ref()
        .map(|p| stop_values(p, &PICKUP, zone))
        .unwrap_or_default();
    let country = pickup
        .and_then(|p| p.address.country)
        .or_else(|| client?.organization_settings().country);
    if let Some(country) = country {
        for input in [PICKUP.country, DROPOFF.country] {
            if field(&values, input).is_empty() {
                values.push((input.to_string(), country.as_str().to_string()));
            }
        }
    }
    values.push(("pieces".into(), "1".into()));
    values
}

pub async fn new_order_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let (client, zone) = client_and_zone(ctx, &principal).await?;
    let (services, quoted, _) = services(ctx, &principal, None, zone).await?;
    Ok(html(
        200,
        &NewOrderPage {
            zone,
            has_services: principal.has_services,
            services,
            quoted,
            client_name: super::Brand::of(&principal),
            form_id: token::random_secret(),
            values: first_values(client.as_ref(), zone),
            errors: vec![],
            alert: None,
        },
    ))
}

pub async fn create_order_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let form_id = field(&values, "form_id").to_string();
    let (client, zone) = client_and_zone(ctx, &principal).await?;
    let mut page = NewOrderPage {
        zone,
        has_services: principal.has_services,
        services: vec![],
        quoted: false,
        client_name: super::Brand::of(&principal),
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
    let kept = default_pickup(client.as_ref());
    let order = match order_form(&values, zone, kept.as_ref(), quote) {
        Ok(order) => order,
        Err(errors) => {
            page.errors = errors;
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
        Ok(Created::Order(order)) => {
            metrics::order_created(Channel::Web, order.status == OrderStatus::Draft);
            return Ok(redirect(&format!("/orders/{}", order.id)));
        }
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

/// The order the form describes.
struct OrderForm {
    pickup: Stop,
    dropoff: Stop,
    weight: Option<Weight>,
    pieces: Option<Pieces>,
    notes: Option<Notes>,
    service_id: Option<ServiceId>,
}

/// The order from the form (empty inputs are none; the pickup over the client's default
/// pickup, `kept`), or every error in the order of the inputs: the pickup, the dropoff,
/// the parcel, the service. A quote (`for_quote`) is asked of every service: it reads none.
fn order_form(
    values: &[(String, String)],
    zone: Tz,
    kept: Option<&Stop>,
    for_quote: bool,
) -> Result<OrderForm, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut stop = |inputs, kept| {
        stop_from_form(values, inputs, zone, kept)
            .map_err(|e| errors.extend(e))
            .ok()
    };
    let pickup = stop(&PICKUP, kept);
    let dropoff = stop(&DROPOFF, None);
    let parcel = parcel(values, &mut errors);
    let service_id = match for_quote {
        true => None,
        false => optional(
            field(values, "service_id").trim(),
            "service_id",
            ServiceId::parse,
            &mut errors,
        ),
    };
    match (pickup, dropoff) {
        (Some(pickup), Some(dropoff)) if errors.is_empty() => Ok(OrderForm {
            pickup,
            dropoff,
            weight: parcel.weight,
            pieces: parcel.pieces,
            notes: parcel.notes,
            service_id,
        }),
        _ => Err(errors),
    }
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

    fn errors(pairs: &[(&str, &str)], for_quote: bool) -> Vec<&'static str> {
        match order_form(&values(pairs), chrono_tz::Europe::Paris, None, for_quote) {
            Ok(_) => vec![],
            Err(errors) => errors.into_iter().map(|(name, _)| name).collect(),
        }
    }

    const GOOD: [(&str, &str); 5] = [
        ("pickup_line1", "1 Market St"),
        ("dropoff_line1", "9 Rue de la Paix"),
        ("dropoff_postal_code", "75002"),
        ("recipient_name", "Marie Curie"),
        ("recipient_phone", "+33698765432"),
    ];

    #[test]
    fn the_form_reads_into_an_order() {
        let mut form = GOOD.to_vec();
        form.extend([
            ("weight", "2,5"),
            ("pieces", "3"),
            ("pickup_after", "2026-12-01T09:00"),
            ("pickup_require_signature", "1"),
            ("dropoff_after", "2026-12-01T14:00"),
            ("dropoff_before", "2026-12-01T16:00"),
            ("require_photo", "1"),
            ("minimum_age", "18"),
        ]);
        let order = order_form(&values(&form), chrono_tz::Europe::Paris, None, false).unwrap();
        assert_eq!(order.weight.map(Weight::grams), Some(2500));
        assert_eq!(order.pieces.map(Pieces::get), Some(3));
        assert_eq!(
            order.dropoff.address.postal_code.map(|p| p.to_string()),
            Some("75002".into())
        );
        assert_eq!(
            order.pickup.window.complete_after.map(|t| t.to_rfc3339()),
            Some("2026-12-01T09:00:00+01:00".to_string())
        );
        assert!(order.pickup.requirements.signature && !order.pickup.requirements.photo);
        assert!(order.dropoff.requirements.photo && !order.dropoff.requirements.signature);
        let contact = order.dropoff.contact.unwrap();
        assert_eq!(contact.name.as_str(), "Marie Curie");
        assert!(order.pickup.contact.is_none());
    }

    #[test]
    fn every_error_is_reported_at_once_stops_then_parcel() {
        let form = [
            ("weight", "heavy"),
            ("pieces", "0"),
            ("dropoff_line1", "x"),
            ("dropoff_country", "France"),
            ("pickup_before", "soon"),
            ("service_id", "nope"),
        ];
        assert_eq!(
            errors(&form, false),
            [
                "pickup_line1",
                "pickup_before",
                "dropoff_country",
                "weight",
                "pieces",
                "service_id"
            ]
        );
    }

    #[test]
    fn a_quote_reads_no_service() {
        let mut form = GOOD.to_vec();
        form.push(("service_id", "nope"));
        assert!(errors(&form, true).is_empty());
        assert_eq!(errors(&form, false), ["service_id"]);
    }

    #[test]
    fn the_empty_form_has_the_depot_and_the_country() {
        let client: Client = serde_json::from_value(serde_json::json!({
            "id": "cli_01J00000000000000000000000", "courierId": "cou_01J00000000000000000000000",
            "name": "Bloom", "email": "pia@bloom.example", "status": "active",
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z", "version": 1,
            "allowOrderUpload": false, "integrationsEnabled": false, "serviceSelection": "fastest",
            "organization": {"country": "BE"},
            "defaultPickup": {"address": {"line1": "1 Market St", "postalCode": "69002", "country": "FR"}}
        }))
        .unwrap();
        let values = first_values(Some(&client), chrono_tz::Europe::Paris);
        let value = |name| field(&values, name).to_string();
        assert_eq!(
            (
                value("pickup_postal_code"),
                value("pickup_country"),
                value("dropoff_country")
            ),
            ("69002".into(), "FR".into(), "FR".into())
        );
        let mut client = client;
        client.default_pickup = None;
        let values = first_values(Some(&client), chrono_tz::Europe::Paris);
        assert_eq!(
            field(&values, "dropoff_country"),
            "BE",
            "the organisation's"
        );
    }
}

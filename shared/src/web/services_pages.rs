//! Services & rates, the courier's console: `GET /services` lists the courier's services
//! and rate tables (each rule in words) with a **Try a quote** panel (a GET form on the same
//! page: `?quote=1&client=…`, quoted by the use case of `POST /v1/quotes`); `GET
//! /rate-tables` is the same list (a redirect to its rate tables). A service's and a rate
//! table's own page (`/services/new`, `/services/{serviceId}`, `/rate-tables/new`,
//! `/rate-tables/{rateTableId}`) is its whole form; `POST /services`, `POST
//! /services/{serviceId}` (at the version shown), `POST /services/{serviceId}/delete`
//! after the confirmation step (`?delete=1#confirm-delete`), and the same for rate tables.
//! Each form runs the catalog use case the JSON API runs (`crate::catalog`), so the API's
//! rules hold here too; an error is shown next to its input, a stale edit, a change at the
//! same time and an item in use (naming the clients) above the form. A client's person
//! finds nothing here (404), nor does another courier's item.

use askama::Template;
use chrono_tz::Tz;

use super::catalog_forms::{
    parse_rate_table, parse_service, rate_table_defaults, rate_table_input, rate_table_values,
    rate_words, service_defaults, service_input, service_values, service_words, FormState, DAYS,
};
use super::format::local;
use super::order_errors::refusal;
use super::reader::reader;
use super::stop_form::local_time;
use super::words::quote_reason;
use super::{
    capitalise, form, html, not_found, redirect, signed_in_courier, signed_in_courier_post, Brand,
};
use crate::catalog::{
    self, CatalogError, Kind, PricedClient, RateTables, Services, Stored, UpdateItem,
};
use crate::domain::api_key::Principal;
use crate::domain::ids::ClientId;
use crate::domain::order_fields::Pieces;
use crate::domain::pricing::geo::Point;
use crate::domain::pricing::{QuotedService, StopFacts, Weight};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::{quote_shipment, OrderField, QuoteShipment};
use crate::Ctx;

/// How many services and rate tables the list shows at once.
const LISTED: u32 = 100;

pub struct ServiceRow {
    pub id: String,
    pub name: String,
    pub sla: String,
    pub hours: String,
    pub cutoff: String,
    pub holidays: String,
    pub area: String,
    pub limits: String,
    pub clients: usize,
}

pub struct RateRow {
    pub id: String,
    pub name: String,
    pub currency: String,
    pub base: String,
    pub modifiers: String,
    pub limits: String,
    pub clients: usize,
}

/// One service's answer in the quote panel.
pub struct QuoteRow {
    pub name: String,
    /// The price when it can serve the order ("12.50 USD").
    pub price: Option<String>,
    pub complete_by: String,
    /// Why it cannot, in words.
    pub reasons: String,
}

pub struct QuotePanel {
    pub clients: Vec<PricedClient>,
    /// The hints of the times, which are read in the reader's time zone.
    pub ready_hint: String,
    pub due_hint: String,
    pub form: FormState,
    /// `Some` once asked: each service's answer (empty: the client has no services).
    pub results: Option<Vec<QuoteRow>>,
    pub alert: Option<String>,
}

#[derive(Template)]
#[template(path = "web/services.html")]
struct ServicesPage {
    client_name: Brand,
    notice: Option<&'static str>,
    services: Vec<ServiceRow>,
    more_services: bool,
    rate_tables: Vec<RateRow>,
    more_rate_tables: bool,
    quote: QuotePanel,
}

/// `GET /services`: the list, and the quote panel (asked when `quote` is in the query).
pub async fn services_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_courier(ctx, &req).await? {
        Ok(p) => p,
        Err(answer) => return Ok(answer),
    };
    let (courier_name, zone) = reader(ctx, &principal).await?;
    let services = catalog::list::<Services>(ctx, &principal, LISTED, None).await?;
    let rates = catalog::list::<RateTables>(ctx, &principal, LISTED, None).await?;
    let clients = catalog::priced_clients(ctx, &principal).await?;
    let values: Vec<(String, String)> = req
        .query
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut quote = QuotePanel {
        clients,
        ready_hint: format!("Empty: now. In your time zone ({}).", zone.tz().name()),
        due_hint: format!("In your time zone ({}).", zone.tz().name()),
        form: FormState::posted(&values),
        results: None,
        alert: None,
    };
    // Without clients to quote for, the panel says so instead of its form.
    if req.query_param("quote").is_some() && !quote.clients.is_empty() {
        try_quote(ctx, &principal, &mut quote, zone.tz()).await?;
    }
    let page = ServicesPage {
        client_name: Brand::named(courier_name, &principal),
        notice: match req.query_param("done") {
            Some("service-created") => Some("Service created."),
            Some("service-saved") => Some("Service saved."),
            Some("service-deleted") => Some("Service deleted."),
            Some("rate-table-created") => Some("Rate table created."),
            Some("rate-table-saved") => Some("Rate table saved."),
            Some("rate-table-deleted") => Some("Rate table deleted."),
            _ => None,
        },
        more_services: services.next_cursor.is_some(),
        services: services
            .items
            .iter()
            .map(|s| {
                let w = service_words(&s.spec);
                ServiceRow {
                    id: s.id.to_string(),
                    name: s.spec.name.to_string(),
                    sla: w.sla,
                    hours: w.hours,
                    cutoff: w.cutoff,
                    holidays: w.holidays,
                    area: w.area,
                    limits: w.limits,
                    clients: s.clients.len(),
                }
            })
            .collect(),
        more_rate_tables: rates.next_cursor.is_some(),
        rate_tables: rates
            .items
            .iter()
            .map(|r| {
                let w = rate_words(&r.spec);
                RateRow {
                    id: r.id.to_string(),
                    name: r.spec.name.to_string(),
                    currency: r.spec.currency.code().to_string(),
                    base: w.base,
                    modifiers: w.modifiers,
                    limits: w.limits,
                    clients: r.clients.len(),
                }
            })
            .collect(),
        quote,
    };
    let status = if page.quote.form.has_errors() {
        422
    } else {
        200
    };
    Ok(html(status, &page))
}

/// `GET /rate-tables`: the rate tables are listed on the services page.
pub async fn rate_tables_page(_ctx: &Ctx, _req: ApiRequest) -> ApiResult {
    Ok(redirect("/services#rate-tables"))
}

/// A coordinate as typed: `None` when empty.
fn coordinate(f: &mut FormState, name: &str, max: f64) -> Option<f64> {
    let raw = f.value(name).trim().to_string();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= max => Some(v),
        _ => {
            f.refuse(
                name,
                &format!("must be a number of degrees from -{max} to {max}"),
            );
            None
        }
    }
}

/// A stop of the quote panel: its postal code and coordinates; `None` when nothing is
/// typed (the pickup: the client's default pickup).
fn stop(f: &mut FormState, which: &str) -> Option<StopFacts> {
    let code = f.value(&format!("{which}PostalCode")).trim().to_string();
    let lat = coordinate(f, &format!("{which}Lat"), 90.0);
    let lng = coordinate(f, &format!("{which}Lng"), 180.0);
    let point = match (lat, lng) {
        (Some(lat), Some(lng)) => Some(Point { lat, lng }),
        (None, None) => None,
        (Some(_), None) => {
            f.refuse(&format!("{which}Lng"), "is needed with the latitude");
            None
        }
        (None, Some(_)) => {
            f.refuse(&format!("{which}Lat"), "is needed with the longitude");
            None
        }
    };
    if code.is_empty() && point.is_none() {
        return None;
    }
    Some(StopFacts {
        postal_code: (!code.is_empty()).then_some(code),
        point,
    })
}

/// Quotes the panel's order with the client's services (the use case of `POST /v1/quotes`).
async fn try_quote(
    ctx: &Ctx,
    principal: &Principal,
    panel: &mut QuotePanel,
    zone: Tz,
) -> Result<(), ApiError> {
    let f = &mut panel.form;
    let client = f.value("client").trim().to_string();
    let client_id = match ClientId::parse(&client) {
        Ok(id) if panel.clients.iter().any(|c| c.id == id) => Some(id),
        _ if client.is_empty() => {
            f.refuse("client", "must be chosen");
            None
        }
        _ => {
            f.refuse("client", "must be one of your clients with services");
            None
        }
    };
    let pickup = stop(f, "pickup");
    let dropoff = stop(f, "dropoff");
    if dropoff.is_none() {
        f.refuse(
            "dropoffPostalCode",
            "is needed (or the dropoff's coordinates)",
        );
    }
    let weight = match f.value("weight").trim() {
        "" => None,
        raw => match raw
            .parse::<f64>()
            .map_err(|_| "must be a weight in kg, such as 2.5".to_string())
            .and_then(Weight::from_kg)
        {
            Ok(w) => Some(w),
            Err(e) => {
                f.refuse("weight", &e);
                None
            }
        },
    };
    let pieces = match f.value("pieces").trim() {
        "" => None,
        raw => match raw
            .parse::<u32>()
            .map_err(|_| "must be a count from 1 to 10000".to_string())
            .and_then(Pieces::try_from)
        {
            Ok(p) => Some(p),
            Err(e) => {
                f.refuse("pieces", &e);
                None
            }
        },
    };
    let mut time = |name: &str| match f.value(name).trim() {
        "" => None,
        raw => match local_time(raw, zone) {
            Ok(t) => Some(t),
            Err(e) => {
                f.refuse(name, &e);
                None
            }
        },
    };
    let (ready_by, due_by) = (time("readyBy"), time("dueBy"));
    let (Some(client_id), Some(dropoff), false) = (client_id, dropoff, f.has_errors()) else {
        return Ok(());
    };
    let cmd = QuoteShipment {
        by: principal.clone(),
        client_id: Some(client_id),
        ready_by,
        due_by,
        weight,
        pieces,
        pickup,
        dropoff,
    };
    match quote_shipment(ctx, cmd).await {
        Ok(quoted) => panel.results = Some(quoted.iter().map(|q| quote_row(q, zone)).collect()),
        Err(e) => {
            let refused = refusal(e)?;
            match refused.field {
                Some(OrderField::ClientId) => f.refuse("client", &refused.message),
                Some(OrderField::DueBy) => f.refuse("dueBy", "must be later than the ready time"),
                Some(OrderField::Pickup) => {
                    panel.alert = Some(
                        "The client has no default pickup: type the pickup's postal code or coordinates."
                            .into(),
                    )
                }
                _ => panel.alert = Some(format!("{}.", capitalise(&refused.message))),
            }
        }
    }
    Ok(())
}

fn quote_row(q: &QuotedService, zone: Tz) -> QuoteRow {
    QuoteRow {
        name: q.name.clone(),
        price: match (q.eligible, q.price) {
            (true, Some(minor)) => Some(q.currency.format(minor)),
            _ => None,
        },
        complete_by: q
            .complete_by
            .as_deref()
            .map(|t| local(t, zone))
            .unwrap_or_default(),
        reasons: capitalise(
            &q.reasons
                .iter()
                .map(|r| quote_reason(*r))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

// ---- A service's and a rate table's page ----

/// One item's page: its form, and what is known of it when it exists.
pub struct ItemView {
    /// `None`: a new one.
    pub id: Option<String>,
    /// Its stored name (the headings), or empty for a new one.
    pub name: String,
    pub version: u64,
    pub clients: usize,
    pub created: String,
    pub updated: String,
    pub form: FormState,
    pub alert: Option<String>,
    /// The delete's confirmation step is shown.
    pub confirm: bool,
    pub days: [(&'static str, &'static str); 7],
}

#[derive(Template)]
#[template(path = "web/service.html")]
struct ServicePage {
    client_name: Brand,
    item: ItemView,
}

#[derive(Template)]
#[template(path = "web/rate_table.html")]
struct RateTablePage {
    client_name: Brand,
    item: ItemView,
}

/// What the pages need of a kind of item beyond the use cases.
pub trait CatalogPage: Kind {
    /// The list's path of the item's pages ("/services").
    const BASE: &'static str;
    /// Its path parameter.
    const PARAM: &'static str;
    /// The `done` notice key ("service", "rate-table").
    const DONE: &'static str;
    fn defaults() -> FormState;
    fn values(spec: &Self::Spec) -> FormState;
    fn read_form(form: &mut FormState) -> Option<Self::Spec>;
    /// The input of a field the API names in an error.
    fn input(api_field: &str) -> Option<&'static str>;
    fn render(status: u16, client_name: Brand, item: ItemView) -> ApiResponse;
}

impl CatalogPage for Services {
    const BASE: &'static str = "/services";
    const PARAM: &'static str = "serviceId";
    const DONE: &'static str = "service";
    fn defaults() -> FormState {
        service_defaults()
    }
    fn values(spec: &Self::Spec) -> FormState {
        service_values(spec)
    }
    fn read_form(form: &mut FormState) -> Option<Self::Spec> {
        parse_service(form)
    }
    fn input(api_field: &str) -> Option<&'static str> {
        service_input(api_field)
    }
    fn render(status: u16, client_name: Brand, item: ItemView) -> ApiResponse {
        html(status, &ServicePage { client_name, item })
    }
}

impl CatalogPage for RateTables {
    const BASE: &'static str = "/rate-tables";
    const PARAM: &'static str = "rateTableId";
    const DONE: &'static str = "rate-table";
    fn defaults() -> FormState {
        rate_table_defaults()
    }
    fn values(spec: &Self::Spec) -> FormState {
        rate_table_values(spec)
    }
    fn read_form(form: &mut FormState) -> Option<Self::Spec> {
        parse_rate_table(form)
    }
    fn input(api_field: &str) -> Option<&'static str> {
        rate_table_input(api_field)
    }
    fn render(status: u16, client_name: Brand, item: ItemView) -> ApiResponse {
        html(status, &RateTablePage { client_name, item })
    }
}

fn view<K: CatalogPage>(stored: Option<&Stored<K>>, zone: Tz) -> ItemView
where
    K::Spec: Named,
{
    ItemView {
        id: stored.map(|s| s.id.to_string()),
        name: stored.map(|s| s.spec.name()).unwrap_or_default(),
        version: stored.map_or(0, |s| s.version),
        clients: stored.map_or(0, |s| s.clients.len()),
        created: stored
            .map(|s| local(&s.created_at, zone))
            .unwrap_or_default(),
        updated: stored
            .map(|s| local(&s.updated_at, zone))
            .unwrap_or_default(),
        form: stored.map_or_else(K::defaults, |s| K::values(&s.spec)),
        alert: None,
        confirm: false,
        days: DAYS,
    }
}

/// A spec's name, for the headings.
pub trait Named {
    fn name(&self) -> String;
}

impl Named for crate::domain::pricing::ServiceSpec {
    fn name(&self) -> String {
        self.name.to_string()
    }
}

impl Named for crate::domain::pricing::RateTableSpec {
    fn name(&self) -> String {
        self.name.to_string()
    }
}

/// The signed-in courier's person with the reader's name and zone; `Err`: the answer (to
/// sign in, or not found for a client's person).
async fn courier_reader(
    ctx: &Ctx,
    req: &ApiRequest,
    post: bool,
) -> Result<Result<(Principal, Brand, Tz), ApiResponse>, ApiError> {
    let principal = match if post {
        signed_in_courier_post(ctx, req).await?
    } else {
        signed_in_courier(ctx, req).await?
    } {
        Ok(p) => p,
        Err(answer) => return Ok(Err(answer)),
    };
    let (courier_name, zone) = reader(ctx, &principal).await?;
    let brand = Brand::named(courier_name, &principal);
    Ok(Ok((principal, brand, zone.tz())))
}

/// `GET /services/new`, `GET /rate-tables/new`.
async fn new_page<K: CatalogPage>(ctx: &Ctx, req: ApiRequest) -> ApiResult
where
    K::Spec: Named,
{
    let (_, brand, zone) = match courier_reader(ctx, &req, false).await? {
        Ok(r) => r,
        Err(answer) => return Ok(answer),
    };
    Ok(K::render(200, brand, view::<K>(None, zone)))
}

/// `GET /services/{serviceId}`, `GET /rate-tables/{rateTableId}` (`?delete=1`: the
/// delete's confirmation step).
async fn item_page<K: CatalogPage>(ctx: &Ctx, req: ApiRequest) -> ApiResult
where
    K::Spec: Named,
{
    let (principal, brand, zone) = match courier_reader(ctx, &req, false).await? {
        Ok(r) => r,
        Err(answer) => return Ok(answer),
    };
    let stored = match catalog::read::<K>(ctx, &principal, req.path_param(K::PARAM)?).await {
        Ok(s) => s,
        Err(CatalogError::NotFound { .. } | CatalogError::CouriersOnly) => {
            return Ok(not_found(true))
        }
        Err(e) => return Err(e.into()),
    };
    let mut item = view::<K>(Some(&stored), zone);
    item.confirm = req.query_param("delete").is_some();
    Ok(K::render(200, brand, item))
}

/// Why a form was not applied, as the page shows it.
enum Refused {
    NotFound,
    /// Next to an input (status, input, message).
    Input(u16, &'static str, String),
    /// Above the form.
    Alert(String),
}

impl Refused {
    /// The one place a [`CatalogError`] of a form becomes words on the page; anything else
    /// answers as the API would.
    fn of<K: CatalogPage>(e: CatalogError) -> Result<Self, ApiError> {
        let message = e.to_string();
        Ok(match e {
            CatalogError::NotFound { .. } | CatalogError::CouriersOnly => Refused::NotFound,
            CatalogError::Invalid { field, message } => match K::input(&field) {
                Some(input) => Refused::Input(422, input, message),
                None => Refused::Alert(format!("{}: {message}", field)),
            },
            CatalogError::Stale { what, .. } => Refused::Alert(format!(
                "this {what} was changed by someone else since you opened it. Reload the page to see the changes, then make yours again"
            )),
            CatalogError::ChangedMeanwhile { .. } | CatalogError::InUse { .. } => {
                Refused::Alert(message)
            }
            CatalogError::Store(e) if e.is_conflict() => {
                Refused::Alert(ApiError::from(e).to_string())
            }
            e => return Err(e.into()),
        })
    }
}

/// The form again with what was typed and why it was refused; above the form, `verb` ("Not
/// saved") then the reason.
fn refused_page<K: CatalogPage>(
    refused: Refused,
    verb: &str,
    brand: Brand,
    mut item: ItemView,
) -> ApiResponse {
    match refused {
        Refused::NotFound => not_found(true),
        Refused::Input(status, input, message) => {
            item.form.refuse(input, &message);
            K::render(status, brand, item)
        }
        Refused::Alert(message) => {
            item.alert = Some(format!("{verb}: {}.", message.trim_end_matches('.')));
            K::render(409, brand, item)
        }
    }
}

/// `POST /services`, `POST /rate-tables`.
async fn create_form<K: CatalogPage>(ctx: &Ctx, req: ApiRequest) -> ApiResult
where
    K::Spec: Named,
{
    let (principal, brand, zone) = match courier_reader(ctx, &req, true).await? {
        Ok(r) => r,
        Err(answer) => return Ok(answer),
    };
    let mut typed = FormState::posted(&form(&req));
    let mut item = view::<K>(None, zone);
    let Some(spec) = K::read_form(&mut typed) else {
        item.form = typed;
        return Ok(K::render(422, brand, item));
    };
    item.form = typed;
    match catalog::create::<K>(ctx, &principal, spec).await {
        Ok(_) => Ok(redirect(&format!("/services?done={}-created", K::DONE))),
        Err(e) => Ok(refused_page::<K>(
            Refused::of::<K>(e)?,
            "Not created",
            brand,
            item,
        )),
    }
}

/// `POST /services/{serviceId}`, `POST /rate-tables/{rateTableId}`: the whole form, at the
/// version shown.
async fn update_form<K: CatalogPage>(ctx: &Ctx, req: ApiRequest) -> ApiResult
where
    K::Spec: Named,
{
    let (principal, brand, zone) = match courier_reader(ctx, &req, true).await? {
        Ok(r) => r,
        Err(answer) => return Ok(answer),
    };
    let id = req.path_param(K::PARAM)?;
    let stored = match catalog::read::<K>(ctx, &principal, id).await {
        Ok(s) => s,
        Err(CatalogError::NotFound { .. } | CatalogError::CouriersOnly) => {
            return Ok(not_found(true))
        }
        Err(e) => return Err(e.into()),
    };
    let fields = form(&req);
    let mut typed = FormState::posted(&fields);
    let mut item = view::<K>(Some(&stored), zone);
    let expected_version = typed.value("version").trim().parse::<u64>().ok();
    if let Some(v) = expected_version {
        // The form is shown again at the version it was read at.
        item.version = v;
    }
    let Some(spec) = K::read_form(&mut typed) else {
        item.form = typed;
        return Ok(K::render(422, brand, item));
    };
    item.form = typed;
    let cmd = UpdateItem::<K> {
        by: &principal,
        id,
        spec,
        expected_version,
    };
    match catalog::update::<K>(ctx, cmd).await {
        Ok(_) => Ok(redirect(&format!("/services?done={}-saved", K::DONE))),
        Err(e) => Ok(refused_page::<K>(
            Refused::of::<K>(e)?,
            "Not saved",
            brand,
            item,
        )),
    }
}

/// `POST /services/{serviceId}/delete`, `POST /rate-tables/{rateTableId}/delete`.
async fn delete_form<K: CatalogPage>(ctx: &Ctx, req: ApiRequest) -> ApiResult
where
    K::Spec: Named,
{
    let (principal, brand, zone) = match courier_reader(ctx, &req, true).await? {
        Ok(r) => r,
        Err(answer) => return Ok(answer),
    };
    let id = req.path_param(K::PARAM)?;
    let fields = form(&req);
    let expected = FormState::posted(&fields)
        .value("version")
        .trim()
        .parse::<u64>()
        .ok();
    let refused = match catalog::delete::<K>(ctx, &principal, id, expected).await {
        Ok(()) => return Ok(redirect(&format!("/services?done={}-deleted", K::DONE))),
        Err(e) => Refused::of::<K>(e)?,
    };
    let stored = match catalog::read::<K>(ctx, &principal, id).await {
        Ok(s) => s,
        Err(CatalogError::NotFound { .. } | CatalogError::CouriersOnly) => {
            return Ok(not_found(true))
        }
        Err(e) => return Err(e.into()),
    };
    let item = view::<K>(Some(&stored), zone);
    let refused = match refused {
        Refused::Input(_, _, message) => Refused::Alert(message),
        other => other,
    };
    Ok(refused_page::<K>(refused, "Not deleted", brand, item))
}

pub async fn new_service_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    new_page::<Services>(ctx, req).await
}

pub async fn create_service_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    create_form::<Services>(ctx, req).await
}

pub async fn service_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    item_page::<Services>(ctx, req).await
}

pub async fn update_service_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    update_form::<Services>(ctx, req).await
}

pub async fn delete_service_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    delete_form::<Services>(ctx, req).await
}

pub async fn new_rate_table_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    new_page::<RateTables>(ctx, req).await
}

pub async fn create_rate_table_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    create_form::<RateTables>(ctx, req).await
}

pub async fn rate_table_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    item_page::<RateTables>(ctx, req).await
}

pub async fn update_rate_table_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    update_form::<RateTables>(ctx, req).await
}

pub async fn delete_rate_table_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    delete_form::<RateTables>(ctx, req).await
}

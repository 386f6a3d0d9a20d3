//! `GET /track/{trackingToken}`: the page a recipient opens from an SMS. Public: the token
//! is the credential. One Query on GSI3 finds the order; one BatchGetItem reads the
//! client's branding and the courier's name. HTML by default (every value escaped by the
//! template engine), JSON with `Accept: application/json`. An unknown or malformed token
//! answers the same 404 whether or not it ever existed.

use askama::Template;
use serde::Serialize;

use crate::ctx::Config;
use crate::dispatch::positions::position_of;
use crate::domain::client::Client;
use crate::domain::courier::courier_timezone;
use crate::domain::courier::Courier;
use crate::domain::map::{MapTiles, MapView};
use crate::domain::notifications::{Language, Values, Var};
use crate::domain::order::Order;
use crate::domain::order_machine::TaskKind;
use crate::domain::order_machine::{OrderStatus, TaskState};
use crate::domain::position::Position;
use crate::domain::rating::{Rating, RatingField};
use crate::domain::timezone::Timezone;
use crate::domain::token;
use crate::domain::tracking::TrackingPageSettings;
use crate::error::ApiError;
use crate::fanout::eta_text;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::rate::{check, rate_delivery, RateError};
use crate::store::clients::load_client_courier_and;
use crate::store::keys;
use crate::Ctx;

/// What the page shows, and the JSON form of it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackingView {
    pub status: OrderStatus,
    pub status_text: String,
    pub order_short_id: String,
    pub courier_name: String,
    pub client_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eta_local: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver_first_name: Option<String>,
    /// The dropoff driver's latest position, while the dropoff is active only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver_location: Option<LocationView>,
    /// The map around the driver's position, when the deployment has map tiles.
    #[serde(skip)]
    pub map: Option<MapView>,
    /// The dropoff driver's number, while the dropoff is active and the client lets
    /// recipients contact the driver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_of_delivery: Option<ProofView>,
    /// The recipient's rating, once given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// The delivery is completed and not rated yet: the page offers the rating form.
    pub can_rate: bool,
    pub updated_at: String,
    pub branding: TrackingPageSettings,
    #[serde(skip)]
    pub language: Language,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    /// `delivered_at` as the page writes it: in the client's time zone and language.
    #[serde(skip)]
    pub delivered_local: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    pub photos: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationView {
    pub lat: f64,
    pub lng: f64,
    pub at: String,
    /// `at` as the page writes it: in the client's time zone and language.
    pub at_local: String,
}

impl LocationView {
    /// A `geo:` link: the recipient's own maps app shows the position (the page itself
    /// requests nothing from anywhere else).
    pub fn geo_uri(&self) -> String {
        format!("geo:{:.6},{:.6}", self.lat, self.lng)
    }

    pub fn coordinates(&self) -> String {
        format!("{:.5}, {:.5}", self.lat, self.lng)
    }
}

#[derive(Template)]
#[template(path = "tracking.html")]
struct TrackingPage<'a> {
    view: &'a TrackingView,
    labels: &'a Labels,
    form: RatingForm,
    /// The page's own path (`/track/<token>`), for the rating form.
    path: String,
    /// The page updates itself (`live.js`, by its tracking token): the status, and the
    /// driver's position as it arrives. `None`: a preview, or a form's answer.
    live: Option<TrackingLive>,
}

/// What the tracking page's `live.js` is given: the WebSocket's URL and the page's token.
struct TrackingLive {
    url: String,
    track: String,
}

/// The rating form, as typed, with its errors next to their fields.
#[derive(Default)]
struct RatingForm {
    stars: String,
    comment: String,
    stars_error: Option<String>,
    comment_error: Option<String>,
    /// Said above the form (already rated, not delivered yet).
    alert: Option<String>,
    /// Just rated.
    thanks: bool,
}

#[derive(Template)]
#[template(path = "tracking_not_found.html")]
struct NotFoundPage;

pub struct Labels {
    pub lang: &'static str,
    pub title: &'static str,
    pub order: &'static str,
    pub eta: &'static str,
    pub driver: &'static str,
    pub delivered_by: &'static str,
    pub proof: &'static str,
    pub signature: &'static str,
    pub photo: &'static str,
    pub for_client: &'static str,
    pub position: &'static str,
    pub map: &'static str,
    pub open_in_maps: &'static str,
    pub call: &'static str,
    pub text: &'static str,
    pub refresh: &'static str,
    pub rate: &'static str,
    pub stars: &'static str,
    pub comment: &'static str,
    pub comment_hint: &'static str,
    pub send_rating: &'static str,
    pub your_rating: &'static str,
    pub thanks: &'static str,
    pub out_of_five: &'static str,
}

fn labels(language: Language) -> &'static Labels {
    const EN: Labels = Labels {
        lang: "en",
        title: "Track your delivery",
        order: "Order",
        eta: "Estimated arrival",
        driver: "Your driver",
        delivered_by: "Delivered by",
        proof: "Proof of delivery",
        signature: "Signed by",
        photo: "Delivery photo",
        for_client: "Order from",
        position: "Your driver was here at",
        map: "Map of where your driver was",
        open_in_maps: "Open in your maps app",
        call: "Call",
        text: "Text",
        refresh: "Refresh this page for the latest",
        rate: "How was your delivery?",
        stars: "Your rating",
        comment: "Comment (optional)",
        comment_hint: "Up to 1,000 characters.",
        send_rating: "Send rating",
        your_rating: "Your rating",
        thanks: "Thank you for your rating.",
        out_of_five: "out of 5",
    };
    const ES: Labels = Labels {
        lang: "es",
        title: "Siga su entrega",
        order: "Pedido",
        eta: "Llegada estimada",
        driver: "Su repartidor",
        delivered_by: "Entrega de",
        proof: "Prueba de entrega",
        signature: "Firmado por",
        photo: "Foto de la entrega",
        for_client: "Pedido de",
        position: "Su repartidor estaba aquí a las",
        map: "Mapa de dónde estaba su repartidor",
        open_in_maps: "Abrir en su aplicación de mapas",
        call: "Llamar",
        text: "Enviar SMS",
        refresh: "Recargue la página para ver lo último",
        rate: "¿Qué tal fue su entrega?",
        stars: "Su valoración",
        comment: "Comentario (opcional)",
        comment_hint: "Hasta 1000 caracteres.",
        send_rating: "Enviar valoración",
        your_rating: "Su valoración",
        thanks: "Gracias por su valoración.",
        out_of_five: "de 5",
    };
    const FR: Labels = Labels {
        lang: "fr",
        title: "Suivez votre livraison",
        order: "Commande",
        eta: "Arrivée prévue",
        driver: "Votre livreur",
        delivered_by: "Livraison par",
        proof: "Preuve de livraison",
        signature: "Signé par",
        photo: "Photo de livraison",
        for_client: "Commande de",
        position: "Votre livreur était ici à",
        map: "Carte de l'endroit où était votre livreur",
        open_in_maps: "Ouvrir dans votre application de cartes",
        call: "Appeler",
        text: "Envoyer un SMS",
        refresh: "Rechargez la page pour les dernières nouvelles",
        rate: "Comment s'est passée votre livraison ?",
        stars: "Votre note",
        comment: "Commentaire (facultatif)",
        comment_hint: "Jusqu'à 1 000 caractères.",
        send_rating: "Envoyer la note",
        your_rating: "Votre note",
        thanks: "Merci pour votre note.",
        out_of_five: "sur 5",
    };
    match language {
        Language::En => &EN,
        Language::Es => &ES,
        Language::Fr => &FR,
    }
}

/// What the recipient reads as the status, in the client's language.
pub fn status_text(order: &Order, language: Language) -> &'static str {
    let arriving = order.dropoff.arrived_at.is_some() && order.dropoff.state == TaskState::Active;
    let on_the_way = order.dropoff.state == TaskState::Active;
    let picked_up = order.pickup.state == TaskState::Completed;
    let key = match order.status {
        OrderStatus::Draft | OrderStatus::Placed => 0,
        OrderStatus::Scheduled => 1,
        OrderStatus::InProgress if arriving => 4,
        OrderStatus::InProgress if on_the_way => 3,
        OrderStatus::InProgress if picked_up => 3,
        OrderStatus::InProgress => 2,
        OrderStatus::Completed => 5,
        OrderStatus::Failed => 6,
        OrderStatus::Rejected | OrderStatus::Withdrawn => 7,
    };
    step_text(key, language)
}

/// The status line of one step (0 received … 7 cancelled), in a language.
fn step_text(key: usize, language: Language) -> &'static str {
    const TEXTS: [[&str; 8]; 3] = [
        [
            "Order received",
            "Scheduled",
            "Being picked up",
            "On its way",
            "Arriving now",
            "Delivered",
            "Delivery failed",
            "Cancelled",
        ],
        [
            "Pedido recibido",
            "Programado",
            "En recogida",
            "En camino",
            "Llegando",
            "Entregado",
            "Entrega fallida",
            "Cancelado",
        ],
        [
            "Commande reçue",
            "Planifiée",
            "En cours d'enlèvement",
            "En route",
            "Arrive maintenant",
            "Livrée",
            "Échec de livraison",
            "Annulée",
        ],
    ];
    let row = match language {
        Language::En => 0,
        Language::Es => 1,
        Language::Fr => 2,
    };
    TEXTS[row][key]
}

/// The tracking page as a recipient would see it with these settings, for a sample order
/// on its way (`delivered: false`: ETA and driver) or delivered (proof of delivery). The
/// settings pages show it as a preview.
pub fn sample_page(
    branding: &TrackingPageSettings,
    client_name: &str,
    language: Language,
    delivered: bool,
) -> Result<String, askama::Error> {
    let sample = Values::sample(language);
    let eta = (!delivered && branding.show_eta).then(|| sample.get(Var::Eta).to_string());
    let view = TrackingView {
        status: if delivered {
            OrderStatus::Completed
        } else {
            OrderStatus::InProgress
        },
        status_text: step_text(if delivered { 5 } else { 3 }, language).to_string(),
        order_short_id: sample.get(Var::OrderShortId).to_string(),
        courier_name: sample.get(Var::CourierName).to_string(),
        client_name: client_name.to_string(),
        eta_local: eta.clone(),
        eta,
        driver_first_name: branding
            .show_driver_name
            .then(|| sample.get(Var::DriverName).to_string()),
        rating: None,
        can_rate: delivered,
        driver_location: None,
        map: None,
        driver_phone: (!delivered && branding.contact_driver).then(|| "+15555550100".to_string()),
        proof_of_delivery: (delivered && branding.show_proof_of_delivery).then(|| ProofView {
            delivered_at: Some("2026-01-01T15:42:00Z".into()),
            delivered_local: Some(time_text(
                "2026-01-01T15:42:00Z",
                Timezone::default(),
                language,
            )),
            signature: Some(sample.get(Var::RecipientName).to_string()),
            photos: vec![],
            notes: Some("Left with the concierge".into()),
        }),
        updated_at: "2026-01-01T15:42:00Z".into(),
        branding: branding.clone(),
        language,
    };
    render_sample(&view)
}

fn render_sample(view: &TrackingView) -> Result<String, askama::Error> {
    TrackingPage {
        view,
        labels: labels(view.language),
        form: RatingForm::default(),
        path: "#".into(),
        live: None,
    }
    .render()
}

pub async fn tracking_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let wants_json = req
        .header("accept")
        .is_some_and(|a| a.to_ascii_lowercase().contains("application/json"));
    let raw = req.path_param("trackingToken").unwrap_or_default();
    let Some(view) = find(ctx, raw).await? else {
        return Ok(if wants_json {
            ApiError::NotFound("tracking page").to_response()
        } else {
            html(404, NotFoundPage.render())
        });
    };
    if wants_json {
        return Ok(with_page_headers(ApiResponse::ok(&view)));
    }
    let form = RatingForm {
        thanks: req.query_param("rated").is_some() && view.rating.is_some(),
        ..RatingForm::default()
    };
    Ok(html(
        200,
        TrackingPage {
            view: &view,
            labels: labels(view.language),
            form,
            path: format!("/track/{raw}"),
            live: Some(TrackingLive {
                url: crate::web::live_url(ctx, &req),
                track: raw.to_string(),
            }),
        }
        .render(),
    ))
}

/// `POST /track/{trackingToken}/rating` (a form: `stars`, `comment`): the recipient rates
/// the completed delivery, once. Recorded: 303 back to the page, which thanks them. A bad
/// field: the page again (422) with the message next to it and what was typed kept; rated
/// already or not delivered yet: the page (409) saying so.
pub async fn rate_delivery_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    if !crate::web::same_origin(ctx, &req) {
        return Ok(with_page_headers(crate::web::cross_site()));
    }
    let raw = req.path_param("trackingToken").unwrap_or_default();
    let values = crate::web::form(&req);
    let typed = RatingForm {
        stars: crate::web::field(&values, "stars").to_string(),
        comment: crate::web::field(&values, "comment").to_string(),
        ..RatingForm::default()
    };
    let (status, form) = match check(&typed.stars, &typed.comment) {
        Ok((stars, comment)) => match rate_delivery(ctx, raw, stars, comment).await {
            Ok(_) => return Ok(crate::web::redirect(&format!("/track/{raw}?rated=1"))),
            Err(RateError::NotFound) => return Ok(html(404, NotFoundPage.render())),
            Err(e @ (RateError::AlreadyRated | RateError::NotDelivered)) => (
                409,
                RatingForm {
                    alert: Some(e.to_string()),
                    ..typed
                },
            ),
            Err(RateError::Invalid { field, message }) => {
                let mut form = typed;
                form.place(field, message);
                (422, form)
            }
            Err(RateError::Store(e)) => return Err(e.into()),
        },
        Err(errors) => {
            let mut form = typed;
            for e in errors {
                if let RateError::Invalid { field, message } = e {
                    form.place(field, message);
                }
            }
            (422, form)
        }
    };
    let Some(view) = find(ctx, raw).await? else {
        return Ok(html(404, NotFoundPage.render()));
    };
    Ok(html(
        status,
        TrackingPage {
            view: &view,
            labels: labels(view.language),
            form,
            path: format!("/track/{raw}"),
            live: None,
        }
        .render(),
    ))
}

impl RatingForm {
    fn place(&mut self, field: RatingField, message: String) {
        match field {
            RatingField::Stars => self.stars_error = Some(message),
            RatingField::Comment => self.comment_error = Some(message),
        }
    }

    fn choices(&self) -> [u8; 5] {
        [1, 2, 3, 4, 5]
    }

    /// Whether `n` stars is the choice typed.
    fn chosen(&self, n: &u8) -> bool {
        self.stars.trim() == n.to_string()
    }
}

async fn find(ctx: &Ctx, raw: &str) -> Result<Option<TrackingView>, ApiError> {
    if !token::well_formed_tracking(raw) {
        return Ok(None);
    }
    let Some(order) = crate::store::orders::get_by_tracking_token(ctx.store.as_ref(), raw).await?
    else {
        return Ok(None);
    };
    // The dropoff driver's position, read in the same BatchGetItem.
    let (client, courier, position) = load_client_courier_and(
        ctx.store.as_ref(),
        order.courier_id.as_str(),
        order.client_id.as_str(),
        keys::driver_position(
            order.courier_id.as_str(),
            order.id.as_str(),
            TaskKind::Dropoff.as_str(),
        ),
    )
    .await?;
    let position = position_of(position, ctx.now());
    Ok(Some(view(
        ctx,
        &order,
        client.as_ref(),
        courier.as_ref(),
        position,
        Config::map_tiles().as_ref(),
    )))
}

pub fn view(
    ctx: &Ctx,
    order: &Order,
    client: Option<&Client>,
    courier: Option<&Courier>,
    position: Option<Position>,
    tiles: Option<&MapTiles>,
) -> TrackingView {
    let notifications = client
        .map(Client::notification_settings)
        .unwrap_or_default();
    let branding = client
        .map(Client::tracking_page_settings)
        .unwrap_or_default();
    let language = notifications.language;
    let timezone = notifications
        .timezone
        .unwrap_or_else(|| courier_timezone(courier));
    let open = !matches!(
        order.status,
        OrderStatus::Completed
            | OrderStatus::Failed
            | OrderStatus::Rejected
            | OrderStatus::Withdrawn
    );
    let eta = order
        .dropoff
        .eta
        .clone()
        .filter(|_| open && branding.show_eta);
    // The driver has set off for this dropoff and is not done with it.
    let on_the_way =
        order.status == OrderStatus::InProgress && order.dropoff.state == TaskState::Active;
    let driver_task = if order.dropoff.driver.is_some() {
        &order.dropoff
    } else {
        &order.pickup
    };
    let proof =
        (order.status == OrderStatus::Completed && branding.show_proof_of_delivery).then(|| {
            let proof = order.dropoff.proof.clone().unwrap_or_default();
            ProofView {
                delivered_local: order
                    .dropoff
                    .completed_at
                    .as_deref()
                    .map(|at| time_text(at, timezone, language)),
                delivered_at: order.dropoff.completed_at.clone(),
                signature: proof.signature,
                photos: proof.photos,
                notes: proof.notes,
            }
        });
    let driver_location = on_the_way
        .then(|| Position::latest(order.dropoff.location.clone(), position))
        .flatten()
        .map(|p| LocationView {
            lat: p.lat.get(),
            lng: p.lng.get(),
            at_local: time_text(&p.at, timezone, language),
            at: p.at,
        });
    TrackingView {
        status: order.status,
        status_text: status_text(order, language).to_string(),
        order_short_id: order.short_id.clone(),
        courier_name: courier.map(|c| c.name.clone()).unwrap_or_default(),
        client_name: client
            .map(|c| c.name.to_string())
            .unwrap_or_else(|| order.client_name.clone()),
        eta_local: eta
            .as_deref()
            .map(|e| eta_text(Some(e), timezone, language, ctx.now())),
        eta,
        driver_first_name: branding
            .show_driver_name
            .then(|| crate::fanout::driver_first_name(driver_task))
            .flatten()
            .filter(|_| open || order.status == OrderStatus::Completed),
        map: tiles
            .zip(driver_location.as_ref())
            .map(|(t, p)| t.around(p.lat, p.lng)),
        driver_location,
        driver_phone: order
            .dropoff
            .driver
            .as_ref()
            .and_then(|d| d.phone.as_ref())
            .map(|p| p.as_str().to_string())
            .filter(|_| on_the_way && branding.contact_driver),
        proof_of_delivery: proof,
        rating: order.rating.clone(),
        can_rate: order.status == OrderStatus::Completed && order.rating.is_none(),
        updated_at: order.updated_at.clone(),
        branding,
        language,
    }
}

/// A time as the recipient reads it: in the client's (else the courier's) time zone, in the
/// page's language (`1 Jan 2026, 16:42`; `01/01/2026 16:42` in Spanish and French).
pub fn time_text(at: &str, timezone: Timezone, language: Language) -> String {
    let Ok(at) = chrono::DateTime::parse_from_rfc3339(at) else {
        return at.to_string();
    };
    let format = match language {
        Language::En => "%-d %b %Y, %H:%M",
        Language::Es | Language::Fr => "%d/%m/%Y %H:%M",
    };
    at.with_timezone(&timezone.tz()).format(format).to_string()
}

fn with_page_headers(response: ApiResponse) -> ApiResponse {
    response
        .with_header("cache-control", "no-store")
        .with_header("referrer-policy", "no-referrer")
        .with_header("x-robots-tag", "noindex, nofollow")
        .with_header("x-content-type-options", "nosniff")
}

fn html(status: u16, rendered: Result<String, askama::Error>) -> ApiResponse {
    let body = rendered.unwrap_or_else(|e| {
        tracing::error!(error = %e, "tracking page could not be rendered");
        "<!doctype html><title>Tracking</title><p>This page is unavailable right now.</p>".into()
    });
    with_page_headers(ApiResponse {
        status,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: body.into_bytes().into(),
    })
    .with_header("content-security-policy", &policy())
}

/// The page's policy: images over https (the logo, proof photos, map tiles) or, for a local
/// tile stub, from its origin; the portal's own script only (`live.js`) and connections to
/// the portal (its re-fetch) and the live updates' WebSocket; forms to the portal only.
fn policy() -> String {
    let live = crate::ctx::Config::live_origin()
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    let stub = Config::map_tiles()
        .map(|t| t.origin())
        .filter(|o| o.starts_with("http://"))
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; connect-src 'self'{live}; img-src https: data:{stub}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map: the tiles around the driver from the deployment's template, the marker,
    /// the attribution; no script, and the tile stub's origin allowed for images only when
    /// it is one (no env here: the view is given its map).
    #[test]
    fn the_map_is_tiles_around_the_driver_with_its_credit() {
        let tiles =
            MapTiles::parse("http://127.0.0.1:8123/tiles/{z}/{x}/{y}.png", "© Stub maps").unwrap();
        let branding = TrackingPageSettings::default();
        let page = sample_page(&branding, "Bloom", Language::En, false).unwrap();
        assert!(!page.contains("id=\"driver-map\""), "no position, no map");
        let location = LocationView {
            lat: 48.8606,
            lng: 2.3376,
            at: "2026-01-01T15:40:00Z".into(),
            at_local: "1 Jan 2026, 16:40".into(),
        };
        let mut sample_view = sample_view_for_test(&branding);
        sample_view.map = Some(tiles.around(location.lat, location.lng));
        sample_view.driver_location = Some(location);
        let html = render_sample(&sample_view).unwrap();
        assert!(
            html.contains(
                "id=\"driver-map\" role=\"img\" aria-label=\"Map of where your driver was\""
            ),
            "{html}"
        );
        assert!(
            html.contains("src=\"http://127.0.0.1:8123/tiles/15/16596/11272.png\""),
            "{html}"
        );
        assert!(html.contains("class=\"marker\""));
        assert!(html.contains("<p class=\"attribution\">© Stub maps</p>"));
        assert!(!html.contains("<script"));
    }

    fn sample_view_for_test(branding: &TrackingPageSettings) -> TrackingView {
        TrackingView {
            status: OrderStatus::InProgress,
            status_text: "On its way".into(),
            order_short_id: "7KQ4MZ2P".into(),
            courier_name: "Speedy".into(),
            client_name: "Bloom".into(),
            eta: None,
            eta_local: None,
            driver_first_name: Some("Sam".into()),
            driver_location: None,
            map: None,
            driver_phone: None,
            proof_of_delivery: None,
            rating: None,
            can_rate: false,
            updated_at: "2026-01-01T15:42:00Z".into(),
            branding: branding.clone(),
            language: Language::En,
        }
    }
}

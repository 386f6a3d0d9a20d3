//! `GET /track/{trackingToken}`: the page a recipient opens from an SMS. Public: the token
//! is the credential. One Query on GSI3 finds the order; one BatchGetItem reads the
//! client's branding and the courier's name. HTML by default (every value escaped by the
//! template engine), JSON with `Accept: application/json`. An unknown or malformed token
//! answers the same 404 whether or not it ever existed.

use askama::Template;
use serde::Serialize;

use crate::domain::client::Client;
use crate::domain::courier::courier_timezone;
use crate::domain::courier::Courier;
use crate::domain::notifications::{Language, Values, Var};
use crate::domain::order::Order;
use crate::domain::order_machine::{OrderStatus, TaskState};
use crate::domain::timezone::Timezone;
use crate::domain::token;
use crate::domain::tracking::TrackingPageSettings;
use crate::error::ApiError;
use crate::fanout::eta_text;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::store::clients::load_client_and_courier;
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_of_delivery: Option<ProofView>,
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

#[derive(Template)]
#[template(path = "tracking.html")]
struct TrackingPage<'a> {
    view: &'a TrackingView,
    labels: &'a Labels,
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
    TrackingPage {
        view: &view,
        labels: labels(language),
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
    Ok(html(
        200,
        TrackingPage {
            view: &view,
            labels: labels(view.language),
        }
        .render(),
    ))
}

async fn find(ctx: &Ctx, raw: &str) -> Result<Option<TrackingView>, ApiError> {
    if !token::well_formed_tracking(raw) {
        return Ok(None);
    }
    let Some(order) = crate::store::orders::get_by_tracking_token(ctx.store.as_ref(), raw).await?
    else {
        return Ok(None);
    };
    let (client, courier) = load_client_and_courier(
        ctx.store.as_ref(),
        order.courier_id.as_str(),
        order.client_id.as_str(),
    )
    .await?;
    Ok(Some(view(ctx, &order, client.as_ref(), courier.as_ref())))
}

pub fn view(
    ctx: &Ctx,
    order: &Order,
    client: Option<&Client>,
    courier: Option<&Courier>,
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
        proof_of_delivery: proof,
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
    .with_header(
        "content-security-policy",
        "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
}

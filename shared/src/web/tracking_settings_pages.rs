//! `GET /settings/tracking-page` and `POST /settings/tracking-page`: how the page a
//! recipient opens from an SMS looks (colours, logo, which details it shows), onto the use
//! cases `settings::tracking_page_settings` and `settings::save_tracking_page_settings`. The preview is
//! the real tracking page template rendered on the server with a sample order, in the
//! client's language (from `settings::notification_settings`), in sandboxed frames; the "Preview"
//! button re-renders the page with what was typed, without saving (htmx does the same as
//! one types). An error is shown next to its field.

use askama::Template;

use super::{
    field, form, html, redirect, signed_in_client_admin, signed_in_client_admin_post, Brand,
};
use crate::api::tracking::sample_page;
use crate::domain::api_key::Principal;
use crate::domain::notifications::Language;
use crate::domain::tracking::{Colour, LogoUrl, TrackingPageSettings};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::settings::error::SettingsError;
use crate::settings::{notification_settings, save_tracking_page_settings, tracking_page_settings};
use crate::Ctx;

/// The pages' policy, with inline styles: the previews are the tracking page itself in
/// `srcdoc` frames, which take this page's policy, and its `<style>` holds the colours
/// being typed (a hash or nonce fixed when the page loaded could not follow the previews
/// htmx swaps in). Scripts stay the portal's own files only.
const PREVIEW_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn with_previews(status: u16, page: &impl Template) -> ApiResponse {
    html(status, page).with_header("content-security-policy", PREVIEW_POLICY)
}

/// The colour inputs: (name as the API's field, label, hint).
const COLOURS: [(&str, &str, &str); 4] = [
    ("primaryColor", "Header colour", "The header and accents."),
    (
        "headerTextColor",
        "Header text colour",
        "Text on the header.",
    ),
    ("backgroundColor", "Background colour", "Behind the cards."),
    ("textColor", "Text colour", "Text on the background."),
];

/// The details the page may show: (name as the API's field, label).
const SHOWN: [(&str, &str); 4] = [
    ("showEta", "The estimated arrival time"),
    ("showDriverName", "The driver's first name"),
    (
        "showProofOfDelivery",
        "The proof of delivery (signature, photos, notes)",
    ),
    (
        "contactDriver",
        "Call and Text buttons, so the recipient can reach the driver while the driver is on the way to them (off by default)",
    ),
];

pub struct ColourInput {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    /// The colour when it is valid, for the swatch.
    pub swatch: Option<String>,
    pub error: Option<String>,
}

pub struct ShownInput {
    pub name: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "web/settings_tracking.html")]
struct TrackingSettingsPage {
    client_name: Brand,
    colours: Vec<ColourInput>,
    logo_url: String,
    logo_error: Option<String>,
    shown: Vec<ShownInput>,
    /// The tracking page with these settings: a sample order on its way, and delivered.
    on_the_way: String,
    delivered: String,
    saved: bool,
    previewed: bool,
    alert: Option<String>,
    /// The settings shown: every valid value, the default for a field in error.
    settings: TrackingPageSettings,
}

impl TrackingSettingsPage {
    /// The page for these values (as saved, or as typed); the preview uses every valid
    /// value, and the default for a field in error.
    fn of(
        client_name: Brand,
        language: Language,
        value: impl Fn(&str) -> String,
        checked: impl Fn(&str) -> bool,
    ) -> Self {
        let mut settings = TrackingPageSettings::default();
        let colours: Vec<ColourInput> = COLOURS
            .iter()
            .map(|(name, label, hint)| {
                let raw = value(name);
                let parsed = Colour::parse(&raw);
                if let Ok(colour) = &parsed {
                    let slot = match *name {
                        "primaryColor" => &mut settings.primary_color,
                        "headerTextColor" => &mut settings.header_text_color,
                        "backgroundColor" => &mut settings.background_color,
                        _ => &mut settings.text_color,
                    };
                    *slot = colour.clone();
                }
                ColourInput {
                    name,
                    label,
                    hint,
                    value: raw,
                    swatch: parsed.as_ref().ok().map(|c| c.as_str().to_string()),
                    error: parsed.err(),
                }
            })
            .collect();
        let logo_url = value("logoUrl").trim().to_string();
        let logo_error = if logo_url.is_empty() {
            None
        } else {
            match LogoUrl::parse(&logo_url) {
                Ok(url) => {
                    settings.logo_url = Some(url);
                    None
                }
                Err(e) => Some(e),
            }
        };
        let shown: Vec<ShownInput> = SHOWN
            .iter()
            .map(|(name, label)| ShownInput {
                name,
                label,
                checked: checked(name),
            })
            .collect();
        settings.show_eta = checked("showEta");
        settings.show_driver_name = checked("showDriverName");
        settings.show_proof_of_delivery = checked("showProofOfDelivery");
        settings.contact_driver = checked("contactDriver");
        let sample = |delivered| {
            sample_page(&settings, &client_name.name, language, delivered).unwrap_or_default()
        };
        let (on_the_way, delivered) = (sample(false), sample(true));
        TrackingSettingsPage {
            on_the_way,
            delivered,
            settings,
            client_name,
            colours,
            logo_url,
            logo_error,
            shown,
            saved: false,
            previewed: false,
            alert: None,
        }
    }

    fn has_errors(&self) -> bool {
        self.logo_error.is_some() || self.colours.iter().any(|c| c.error.is_some())
    }

    /// An error the use case found, next to its field.
    fn place_error(&mut self, field: &str, message: String) {
        if let Some(c) = self.colours.iter_mut().find(|c| c.name == field) {
            c.error = Some(message);
        } else if field == "logoUrl" {
            self.logo_error = Some(message);
        } else {
            self.alert = Some(format!("{field}: {message}"));
        }
    }
}

/// The client's language (of its notification settings): the tracking page speaks it, so
/// its preview does too.
async fn client_language(ctx: &Ctx, principal: &Principal) -> Result<Language, ApiError> {
    Ok(notification_settings(ctx, principal)
        .await?
        .settings
        .language)
}

/// A saved setting as its input shows it, by the input's name.
fn saved_value(settings: &TrackingPageSettings, name: &str) -> String {
    match name {
        "primaryColor" => settings.primary_color.as_str().into(),
        "headerTextColor" => settings.header_text_color.as_str().into(),
        "backgroundColor" => settings.background_color.as_str().into(),
        "textColor" => settings.text_color.as_str().into(),
        "logoUrl" => settings
            .logo_url
            .as_ref()
            .map(|u| u.as_str().to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// A saved detail's checkbox, by the input's name.
fn saved_checked(settings: &TrackingPageSettings, name: &str) -> bool {
    match name {
        "showEta" => settings.show_eta,
        "showDriverName" => settings.show_driver_name,
        "showProofOfDelivery" => settings.show_proof_of_delivery,
        "contactDriver" => settings.contact_driver,
        _ => false,
    }
}

pub async fn page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_admin(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let settings = tracking_page_settings(ctx, &principal).await?;
    let language = client_language(ctx, &principal).await?;
    let mut page = TrackingSettingsPage::of(
        Brand::of(&principal),
        language,
        |name| saved_value(&settings, name),
        |name| saved_checked(&settings, name),
    );
    page.saved = req.query_param("saved").is_some();
    Ok(with_previews(200, &page))
}

pub async fn save_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let language = client_language(ctx, &principal).await?;
    let mut page = TrackingSettingsPage::of(
        Brand::of(&principal),
        language,
        |name| field(&values, name).to_string(),
        |name| !field(&values, name).is_empty(),
    );
    if field(&values, "action") == "preview" {
        page.previewed = true;
        return Ok(with_previews(200, &page));
    }
    if page.has_errors() {
        return Ok(with_previews(422, &page));
    }
    match save_tracking_page_settings(ctx, &principal, page.settings.clone()).await {
        Ok(_) => Ok(redirect("/settings/tracking-page?saved=1")),
        Err(SettingsError::Field { field, message, .. }) => {
            page.place_error(&field.api_name(), message);
            Ok(with_previews(422, &page))
        }
        Err(e) => Err(e.into()),
    }
}

//! `GET /settings/communications` and `POST /settings/communications`: the text messages a
//! client's recipients get (one template per task kind and trigger, with the variables it
//! may use), their language, and the draft reminder email, onto the JSON use cases
//! `get_notification_settings` and `put_notification_settings`. Every template is shown
//! rendered with sample values, with its length and SMS segment count, computed here on the
//! server: the form's "Preview" button re-renders the page without saving (htmx does the
//! same while typing, swapping only the previews). An error is shown next to its field.

use askama::Template;
use serde_json::{json, Map, Value};

use super::{as_api, field, form, html, redirect, signed_in, signed_in_post, Brand};
use crate::api::settings::{get_notification_settings, put_notification_settings};
use crate::domain::notifications::{Language, ReminderHours, SmsTemplate, Trigger, Var};
use crate::domain::order_machine::TaskKind;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

const KINDS: [TaskKind; 2] = [TaskKind::Pickup, TaskKind::Dropoff];

/// What a trigger means to the person writing its message.
fn trigger_text(trigger: Trigger) -> (&'static str, &'static str) {
    match trigger {
        Trigger::Started => ("driver sets off", "When the driver sets off for it."),
        Trigger::Eta => (
            "new ETA",
            "At every new estimated arrival time (can be frequent).",
        ),
        Trigger::Arriving => ("driver arriving", "When the driver is at the address."),
        Trigger::Completed => ("completed", "When the task is done."),
        Trigger::Failed => ("failed", "When the task could not be done."),
        Trigger::Delayed => (
            "running late",
            "When the ETA passes the window, or moves 15 minutes or more later.",
        ),
    }
}

/// A template rendered with the sample values.
pub struct SmsPreview {
    pub text: String,
    pub units: usize,
    pub encoding: &'static str,
    pub single_limit: usize,
    pub segments: usize,
}

pub struct TemplateInput {
    /// As the API names the field: `templates.dropoff.started`.
    pub name: String,
    /// `t-dropoff-started`.
    pub id: String,
    pub label: String,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub preview: Option<SmsPreview>,
}

#[derive(Template)]
#[template(path = "web/settings_communications.html")]
struct CommunicationsPage {
    client_name: Brand,
    languages: Vec<(&'static str, &'static str)>,
    language: String,
    language_error: Option<String>,
    /// The zone ETAs are written in, and whether it is the client's own or the courier's
    /// (carried through the form unchanged: `PUT` replaces the whole document).
    timezone: String,
    timezone_from: String,
    reminders_enabled: bool,
    after_hours: String,
    after_hours_error: Option<String>,
    variables: Vec<&'static str>,
    templates: Vec<TemplateInput>,
    /// `#t-pickup-started-live,…`: what the live preview swaps.
    live_ids: String,
    saved: bool,
    previewed: bool,
    alert: Option<String>,
}

impl CommunicationsPage {
    /// The page for these values (as saved, or as typed): each template parsed and
    /// previewed in the chosen language, or its error.
    fn of(client_name: Brand, value: impl Fn(&str) -> String, reminders_enabled: bool) -> Self {
        let language_code = value("language");
        let (language, language_error) = match Language::parse(&language_code) {
            Some(l) => (l, None),
            None => (
                Language::default(),
                Some(format!(
                    "must be one of {}",
                    Language::ALL.map(Language::code).join(", ")
                )),
            ),
        };
        let templates: Vec<TemplateInput> = KINDS
            .iter()
            .flat_map(|kind| Trigger::ALL.iter().map(move |trigger| (*kind, *trigger)))
            .map(|(kind, trigger)| {
                let name = format!("templates.{}.{}", kind.as_str(), trigger.as_str());
                let text = value(&name);
                let (what, hint) = trigger_text(trigger);
                let kind_label = match kind {
                    TaskKind::Pickup => "Pickup",
                    TaskKind::Dropoff => "Dropoff",
                };
                let (preview, error) = if text.trim().is_empty() {
                    (None, None)
                } else {
                    match SmsTemplate::parse(&text) {
                        Ok(template) => {
                            let (text, length) = template.sample_message(language);
                            let preview = SmsPreview {
                                text,
                                units: length.units,
                                encoding: length.encoding.label(),
                                single_limit: length.single_limit(),
                                segments: length.segments(),
                            };
                            // The API's budget, shown on Preview as well as on Save.
                            (Some(preview), template.check_budget().err())
                        }
                        Err(message) => (None, Some(message)),
                    }
                };
                TemplateInput {
                    id: format!("t-{}-{}", kind.as_str(), trigger.as_str()),
                    name,
                    label: format!("{kind_label}: {what}"),
                    hint,
                    value: text,
                    error,
                    preview,
                }
            })
            .collect();
        let after_hours = value("draftReminders.afterHours");
        let after_hours_error = after_hours
            .trim()
            .parse::<u32>()
            .map_err(|_| "must be a number of hours from 1 to 720".to_string())
            .and_then(ReminderHours::try_from)
            .err();
        CommunicationsPage {
            client_name,
            languages: Language::ALL.map(|l| (l.code(), l.name())).to_vec(),
            language: language.code().to_string(),
            language_error,
            timezone: value("timezone"),
            timezone_from: value("timezoneFrom"),
            reminders_enabled,
            after_hours,
            after_hours_error,
            variables: Var::ALL.map(Var::name).to_vec(),
            live_ids: templates
                .iter()
                .map(|t| format!("#{}-live", t.id))
                .collect::<Vec<_>>()
                .join(","),
            templates,
            saved: false,
            previewed: false,
            alert: None,
        }
    }

    fn has_errors(&self) -> bool {
        self.language_error.is_some()
            || self.after_hours_error.is_some()
            || self.templates.iter().any(|t| t.error.is_some())
    }

    /// The settings document `PUT /v1/settings/notifications` takes: an empty template
    /// sends nothing.
    fn body(&self) -> Value {
        let mut templates = Map::new();
        for kind in KINDS {
            let mut triggers = Map::new();
            for t in &self.templates {
                let prefix = format!("templates.{}.", kind.as_str());
                if let Some(trigger) = t.name.strip_prefix(&prefix) {
                    if !t.value.trim().is_empty() {
                        triggers.insert(trigger.to_string(), json!(t.value));
                    }
                }
            }
            templates.insert(kind.as_str().to_string(), Value::Object(triggers));
        }
        let mut body = json!({
            "language": self.language,
            "templates": templates,
            "draftReminders": {
                "enabled": self.reminders_enabled,
                "afterHours": self.after_hours.trim().parse::<u32>().unwrap_or(0),
            },
        });
        if !self.timezone.is_empty() {
            body["timezone"] = json!(self.timezone);
        }
        if matches!(self.timezone_from.as_str(), "client" | "courier") {
            body["timezoneFrom"] = json!(self.timezone_from);
        }
        body
    }

    /// An error the use case found, next to its field.
    fn place_error(&mut self, field: &str, message: String) {
        if let Some(t) = self.templates.iter_mut().find(|t| t.name == field) {
            t.error = Some(message);
        } else if field == "language" {
            self.language_error = Some(message);
        } else if field.starts_with("draftReminders") {
            self.after_hours_error = Some(message);
        } else {
            self.alert = Some(format!("{field}: {message}"));
        }
    }
}

pub async fn page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let settings: Value = serde_json::from_slice(
        &get_notification_settings(ctx, as_api(principal.clone(), &req))
            .await?
            .body,
    )
    .unwrap_or_default();
    let value = |name: &str| {
        let path: Vec<&str> = name.split('.').collect();
        let found = path.iter().fold(&settings, |v, key| &v[*key]);
        match found {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        }
    };
    let enabled = settings["draftReminders"]["enabled"]
        .as_bool()
        .unwrap_or(true);
    let mut page = CommunicationsPage::of(Brand::of(&principal), value, enabled);
    page.saved = req.query_param("saved").is_some();
    Ok(html(200, &page))
}

pub async fn save_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let mut page = CommunicationsPage::of(
        Brand::of(&principal),
        |name| field(&values, name).to_string(),
        !field(&values, "draftReminders.enabled").is_empty(),
    );
    if field(&values, "action") == "preview" {
        page.previewed = true;
        return Ok(html(200, &page));
    }
    if page.has_errors() {
        return Ok(html(422, &page));
    }
    let mut api = as_api(principal, &req);
    api.method = "PUT".into();
    api.body = page.body().to_string().into();
    match put_notification_settings(ctx, api).await {
        Ok(_) => Ok(redirect("/settings/communications?saved=1")),
        Err(ApiError::Invalid { field, message, .. }) => {
            page.place_error(&field, message);
            Ok(html(422, &page))
        }
        Err(e) => Err(e),
    }
}

//! `GET /settings/communications` and `POST /settings/communications`: the text messages a
//! client's recipients get (one template per task kind and trigger, with the variables it
//! may use), their language, and the draft reminder email, onto the use cases
//! `settings::notification_settings` and `settings::save_notification_settings`. Every
//! template is shown rendered with sample values, with its length and SMS segment count,
//! computed here on the server: the form's "Preview" button re-renders the page without
//! saving (htmx does the same while typing, swapping only the previews). An error is shown
//! next to its field. What the messages cost is shown too: each message's segments with the
//! deployment's own tracking link, priced at `SMS_PRICE_PER_SEGMENT_USD`, and what a
//! delivered order sends in all. A trigger that is off offers its suggested message.

use std::collections::BTreeMap;

use askama::Template;

use super::{
    field, form, html, redirect, signed_in_client_admin, signed_in_client_admin_post, Brand,
};
use crate::ctx::Config;
use crate::domain::notifications::{
    suggested_templates, ArrivingMinutes, DraftReminders, Language, ReminderHours, SmsTemplate,
    Templates, Trigger, Var,
};
use crate::domain::order_machine::TaskKind;
use crate::domain::sms_price::{usd, SegmentPrice};
use crate::domain::timezone::Timezone;
use crate::http::{ApiRequest, ApiResult};
use crate::settings::error::SettingsError;
use crate::settings::{
    notification_settings, save_notification_settings, Notifications, SaveNotifications,
    TimezoneFrom,
};
use crate::Ctx;

const KINDS: [TaskKind; 2] = [TaskKind::Pickup, TaskKind::Dropoff];

/// What a trigger means to the person writing its message.
fn trigger_text(trigger: Trigger) -> (&'static str, &'static str) {
    match trigger {
        Trigger::Started => ("driver sets off", "When the driver sets off for it."),
        Trigger::Eta => (
            "first ETA",
            "Once, when the first estimated arrival time is known. Later ETAs update the tracking page; they text again only when running late or arriving.",
        ),
        Trigger::Arriving => (
            "driver arriving",
            "Once: when the ETA comes within the arriving time below, or when the driver is at the address, whichever is first.",
        ),
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
    /// What one such message costs (`$0.00883`).
    pub cost: String,
}

/// What the cost lines are worked out with: the price of a segment and where tracking
/// links point.
pub struct Costing {
    pub price: SegmentPrice,
    /// `https://track.courier.example` (no trailing slash).
    pub link_base: String,
}

impl Costing {
    pub fn of(ctx: &Ctx, req: &ApiRequest) -> Self {
        Self {
            price: Config::sms_segment_price(),
            link_base: ctx.base_url(req),
        }
    }
}

/// How many times a trigger's message goes out for one order delivered as planned: once
/// per step; an ETA at least once; failed and running late only when that happens.
fn sends_when_delivered(trigger: Trigger) -> u64 {
    match trigger {
        Trigger::Started | Trigger::Eta | Trigger::Arriving | Trigger::Completed => 1,
        Trigger::Failed | Trigger::Delayed => 0,
    }
}

/// What a delivered order's messages cost, in words.
pub struct CostSummary {
    /// The labels of the messages a delivered order sends.
    pub sent: Vec<String>,
    pub segments: u64,
    pub per_order: String,
    pub per_thousand: String,
    pub price: String,
    /// A tracking link's length in characters, as counted.
    pub link_length: usize,
}

impl CostSummary {
    fn of(templates: &[TemplateInput], costing: &Costing) -> Self {
        let mut sent = vec![];
        let mut segments = 0;
        for t in templates {
            if let (Some(preview), None) = (&t.preview, &t.error) {
                let times = sends_when_delivered(t.trigger);
                if times > 0 {
                    sent.push(t.label.clone());
                    segments += times * preview.segments as u64;
                }
            }
        }
        let micros = costing.price.micros() * segments;
        CostSummary {
            sent,
            segments,
            per_order: usd(micros),
            per_thousand: usd(micros * 1000),
            price: usd(costing.price.micros()),
            link_length: format!("{}/track/Xk3v9QpL2mN8rT5wY7zB1c", costing.link_base)
                .chars()
                .count(),
        }
    }
}

/// What the form shows, as saved or as typed.
struct FormValues {
    language: String,
    timezone: String,
    timezone_from: String,
    reminders_enabled: bool,
    after_hours: String,
    arriving_minutes: String,
    /// By task kind and trigger; none (or blank): the trigger sends nothing.
    templates: BTreeMap<(TaskKind, Trigger), String>,
}

impl FormValues {
    /// The settings as saved.
    fn saved(shown: &Notifications) -> Self {
        let settings = &shown.settings;
        FormValues {
            language: settings.language.code().into(),
            timezone: String::from(shown.timezone),
            timezone_from: shown.timezone_from().as_str().into(),
            reminders_enabled: settings.draft_reminders.enabled,
            after_hours: settings.draft_reminders.after_hours.get().to_string(),
            arriving_minutes: settings.arriving_minutes.get().to_string(),
            templates: settings
                .templates
                .iter()
                .flat_map(|(kind, triggers)| {
                    triggers
                        .iter()
                        .map(move |(trigger, t)| ((*kind, *trigger), t.as_str().to_string()))
                })
                .collect(),
        }
    }

    /// The settings as typed in the form.
    fn typed(values: &[(String, String)]) -> Self {
        FormValues {
            language: field(values, "language").into(),
            timezone: field(values, "timezone").into(),
            timezone_from: field(values, "timezoneFrom").into(),
            reminders_enabled: !field(values, "draftReminders.enabled").is_empty(),
            after_hours: field(values, "draftReminders.afterHours").into(),
            // A form without the field (posted before it existed): the default.
            arriving_minutes: if values.iter().any(|(k, _)| k == "arrivingMinutes") {
                field(values, "arrivingMinutes").into()
            } else {
                ArrivingMinutes::default().get().to_string()
            },
            templates: KINDS
                .iter()
                .flat_map(|kind| Trigger::ALL.iter().map(move |trigger| (*kind, *trigger)))
                .map(|(kind, trigger)| {
                    let name = template_field(kind, trigger);
                    ((kind, trigger), field(values, &name).to_string())
                })
                .collect(),
        }
    }
}

/// A template's input: `templates.dropoff.started`.
fn template_field(kind: TaskKind, trigger: Trigger) -> String {
    format!("templates.{}.{}", kind.as_str(), trigger.as_str())
}

pub struct TemplateInput {
    /// `templates.dropoff.started`, as the save names its errors.
    pub name: String,
    pub kind: TaskKind,
    pub trigger: Trigger,
    /// The template typed, parsed (`None`: blank or not a template).
    pub template: Option<SmsTemplate>,
    /// `t-dropoff-started`.
    pub id: String,
    pub label: String,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub preview: Option<SmsPreview>,
    /// For a trigger that is off: the message suggested for it, to copy.
    pub suggestion: Option<String>,
}

#[derive(Template)]
#[template(path = "web/settings_communications.html")]
struct CommunicationsPage {
    client_name: Brand,
    languages: Vec<(&'static str, &'static str)>,
    language: String,
    language_error: Option<String>,
    parsed_language: Language,
    /// The zone ETAs are written in, and whether it is the client's own or the courier's
    /// (carried through the form unchanged: `PUT` replaces the whole document).
    timezone: String,
    timezone_from: String,
    reminders_enabled: bool,
    after_hours: String,
    after_hours_error: Option<String>,
    reminder_hours: Option<ReminderHours>,
    /// As typed, its error, and its value when it is one.
    arriving_minutes: String,
    arriving_minutes_error: Option<String>,
    parsed_arriving: Option<ArrivingMinutes>,
    variables: Vec<&'static str>,
    templates: Vec<TemplateInput>,
    cost: CostSummary,
    /// `#t-pickup-started-live,…`: what the live preview swaps.
    live_ids: String,
    saved: bool,
    previewed: bool,
    alert: Option<String>,
}

impl CommunicationsPage {
    /// The page for these values (as saved, or as typed): each template parsed and
    /// previewed in the chosen language, or its error.
    fn of(client_name: Brand, values: FormValues, costing: &Costing) -> Self {
        let (language, language_error) = match Language::parse(&values.language) {
            Some(l) => (l, None),
            None => (
                Language::default(),
                Some(format!(
                    "must be one of {}",
                    Language::ALL.map(Language::code).join(", ")
                )),
            ),
        };
        let suggested = suggested_templates(language);
        let templates: Vec<TemplateInput> = KINDS
            .iter()
            .flat_map(|kind| Trigger::ALL.iter().map(move |trigger| (*kind, *trigger)))
            .map(|(kind, trigger)| {
                let text = values
                    .templates
                    .get(&(kind, trigger))
                    .cloned()
                    .unwrap_or_default();
                let (what, hint) = trigger_text(trigger);
                let kind_label = match kind {
                    TaskKind::Pickup => "Pickup",
                    TaskKind::Dropoff => "Dropoff",
                };
                let (template, preview, error) = if text.trim().is_empty() {
                    (None, None, None)
                } else {
                    match SmsTemplate::parse(&text) {
                        Ok(template) => {
                            let (text, length) =
                                template.typical_message(language, Some(&costing.link_base));
                            let preview = SmsPreview {
                                text,
                                units: length.units,
                                encoding: length.encoding.label(),
                                single_limit: length.single_limit(),
                                segments: length.segments(),
                                cost: usd(costing.price.of(length.segments())),
                            };
                            // The save's budget, shown on Preview as well as on Save.
                            let error = template.check_budget().err();
                            (Some(template), Some(preview), error)
                        }
                        Err(message) => (None, None, Some(message)),
                    }
                };
                let suggestion = match &template {
                    None if error.is_none() => suggested
                        .get(&kind)
                        .and_then(|t| t.get(&trigger))
                        .map(|t| t.as_str().to_string()),
                    _ => None,
                };
                TemplateInput {
                    suggestion,
                    id: format!("t-{}-{}", kind.as_str(), trigger.as_str()),
                    name: template_field(kind, trigger),
                    kind,
                    trigger,
                    template,
                    label: format!("{kind_label}: {what}"),
                    hint,
                    value: text,
                    error,
                    preview,
                }
            })
            .collect();
        let after_hours = values.after_hours;
        let (reminder_hours, after_hours_error) = match after_hours
            .trim()
            .parse::<u32>()
            .map_err(|_| "must be a number of hours from 1 to 720".to_string())
            .and_then(ReminderHours::try_from)
        {
            Ok(hours) => (Some(hours), None),
            Err(message) => (None, Some(message)),
        };
        let arriving_minutes = values.arriving_minutes;
        let (parsed_arriving, arriving_minutes_error) = match arriving_minutes
            .trim()
            .parse::<u32>()
            .map_err(|_| ArrivingMinutes::PROBLEM.to_string())
            .and_then(ArrivingMinutes::try_from)
        {
            Ok(minutes) => (Some(minutes), None),
            Err(message) => (None, Some(message)),
        };
        CommunicationsPage {
            client_name,
            arriving_minutes,
            arriving_minutes_error,
            parsed_arriving,
            languages: Language::ALL.map(|l| (l.code(), l.name())).to_vec(),
            language: language.code().to_string(),
            language_error,
            parsed_language: language,
            timezone: values.timezone,
            timezone_from: values.timezone_from,
            reminders_enabled: values.reminders_enabled,
            after_hours,
            after_hours_error,
            reminder_hours,
            variables: Var::ALL.map(Var::name).to_vec(),
            live_ids: templates
                .iter()
                .map(|t| format!("#{}-live", t.id))
                .chain(["#sms-cost-figures".to_string()])
                .collect::<Vec<_>>()
                .join(","),
            cost: CostSummary::of(&templates, costing),
            templates,
            saved: false,
            previewed: false,
            alert: None,
        }
    }

    fn has_errors(&self) -> bool {
        self.language_error.is_some()
            || self.after_hours_error.is_some()
            || self.arriving_minutes_error.is_some()
            || self.templates.iter().any(|t| t.error.is_some())
    }

    /// The settings to save, from a form without errors: an empty template sends
    /// nothing. `Err`: the time zone the form carried is not one (its message).
    fn command(&self) -> Result<SaveNotifications, String> {
        let mut templates = Templates::new();
        for t in &self.templates {
            if let Some(template) = &t.template {
                templates
                    .entry(t.kind)
                    .or_default()
                    .insert(t.trigger, template.clone());
            }
        }
        let timezone = match self.timezone.as_str() {
            "" => None,
            zone => Some(Timezone::parse(zone)?),
        };
        let timezone_from = match self.timezone_from.as_str() {
            "client" => Some(TimezoneFrom::Client),
            "courier" => Some(TimezoneFrom::Courier),
            _ => None,
        };
        let draft_reminders = DraftReminders {
            enabled: self.reminders_enabled,
            after_hours: self
                .reminder_hours
                .unwrap_or(DraftReminders::default().after_hours),
        };
        Ok(SaveNotifications {
            language: self.parsed_language,
            timezone,
            timezone_from,
            templates: Some(templates),
            draft_reminders,
            arriving_minutes: self.parsed_arriving.unwrap_or_default(),
        })
    }

    /// An error the use case found, next to its field.
    fn place_error(&mut self, field: &str, message: String) {
        if let Some(t) = self.templates.iter_mut().find(|t| t.name == field) {
            t.error = Some(message);
        } else {
            self.alert = Some(format!("{field}: {message}"));
        }
    }
}

pub async fn page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_admin(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let shown = notification_settings(ctx, &principal).await?;
    let costing = Costing::of(ctx, &req);
    let mut page =
        CommunicationsPage::of(Brand::of(&principal), FormValues::saved(&shown), &costing);
    page.saved = req.query_param("saved").is_some();
    Ok(html(200, &page))
}

pub async fn save_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_client_admin_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let values = form(&req);
    let costing = Costing::of(ctx, &req);
    let mut page =
        CommunicationsPage::of(Brand::of(&principal), FormValues::typed(&values), &costing);
    if field(&values, "action") == "preview" {
        page.previewed = true;
        return Ok(html(200, &page));
    }
    if page.has_errors() {
        return Ok(html(422, &page));
    }
    let cmd = match page.command() {
        Ok(cmd) => cmd,
        Err(message) => {
            page.place_error("timezone", message);
            return Ok(html(422, &page));
        }
    };
    match save_notification_settings(ctx, &principal, cmd).await {
        Ok(_) => Ok(redirect("/settings/communications?saved=1")),
        Err(SettingsError::Field { field, message, .. }) => {
            page.place_error(&field.api_name(), message);
            Ok(html(422, &page))
        }
        Err(e) => Err(e.into()),
    }
}

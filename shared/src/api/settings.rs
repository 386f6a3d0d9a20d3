//! A client's settings: `GET|PUT /v1/settings/notifications` (SMS templates, language, time
//! zone) and `GET|PUT /v1/settings/tracking-page` (colours, logo, details shown).

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use crate::domain::notifications::{
    ArrivingMinutes, DraftReminders, Language, SmsTemplate, Templates, Trigger, Var,
};
use crate::domain::order_machine::TaskKind;
use crate::domain::timezone::Timezone;
use crate::domain::tracking::TrackingPageSettings;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::settings::{self, Notifications, SaveNotifications, TimezoneFrom};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationsBody {
    #[serde(default)]
    language: Language,
    #[serde(default)]
    timezone: Option<Timezone>,
    /// Left out: the default (on, after 24 hours).
    #[serde(default)]
    draft_reminders: DraftReminders,
    /// Left out: 10 minutes.
    #[serde(default)]
    arriving_minutes: ArrivingMinutes,
    /// Without templates, the defaults of the language; a trigger left out or `null` sends nothing.
    #[serde(default)]
    pub templates: Option<BTreeMap<String, BTreeMap<String, Option<String>>>>,
    /// As GET shows it: `courier` with the courier's time zone keeps following the courier.
    #[serde(default)]
    timezone_from: Option<TimezoneFrom>,
    /// Derived by GET from the templates; accepted back and ignored.
    #[serde(default, rename = "variables")]
    _variables: Option<IgnoredAny>,
    #[serde(default, rename = "triggers")]
    _triggers: Option<IgnoredAny>,
    #[serde(default, rename = "previews")]
    _previews: Option<IgnoredAny>,
}

/// Templates as sent, checked one by one so an error names its field
/// (`templates.dropoff.started`).
pub fn parse_templates(
    raw: BTreeMap<String, BTreeMap<String, Option<String>>>,
) -> Result<Templates, ApiError> {
    let mut templates = Templates::new();
    for (kind_name, triggers) in raw {
        let kind = [TaskKind::Pickup, TaskKind::Dropoff]
            .into_iter()
            .find(|k| k.as_str() == kind_name)
            .ok_or_else(|| {
                ApiError::invalid(
                    format!("templates.{kind_name}"),
                    "must be pickup or dropoff",
                )
            })?;
        for (trigger_name, text) in triggers {
            let field = format!("templates.{kind_name}.{trigger_name}");
            let trigger = Trigger::ALL
                .into_iter()
                .find(|t| t.as_str() == trigger_name)
                .ok_or_else(|| {
                    ApiError::invalid(
                        field.clone(),
                        format!(
                            "is not a trigger; the triggers are {}",
                            Trigger::ALL.map(Trigger::as_str).join(", ")
                        ),
                    )
                })?;
            let Some(text) = text else { continue };
            let template = SmsTemplate::parse(&text)
                .and_then(|t| t.check_budget().map(|()| t))
                .map_err(|m| ApiError::invalid(field, m))?;
            templates.entry(kind).or_default().insert(trigger, template);
        }
    }
    Ok(templates)
}

pub async fn get_notification_settings(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = crate::http::client_only(req.admin()?)?;
    let shown = settings::notification_settings(ctx, who).await?;
    Ok(ApiResponse::ok(&notifications_view(&shown)))
}

pub async fn put_notification_settings(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = crate::http::client_only(req.admin()?)?;
    let body: NotificationsBody = req.json()?;
    let templates = body.templates.map(parse_templates).transpose()?;
    let cmd = SaveNotifications {
        language: body.language,
        timezone: body.timezone,
        timezone_from: body.timezone_from,
        templates,
        draft_reminders: body.draft_reminders,
        arriving_minutes: body.arriving_minutes,
    };
    let saved = settings::save_notification_settings(ctx, who, cmd).await?;
    Ok(ApiResponse::ok(&notifications_view(&saved)))
}

pub async fn get_tracking_page_settings(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = crate::http::client_only(req.admin()?)?;
    Ok(ApiResponse::ok(
        &settings::tracking_page_settings(ctx, who).await?,
    ))
}

pub async fn put_tracking_page_settings(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = crate::http::client_only(req.admin()?)?;
    let body: TrackingPageSettings = req.json()?;
    Ok(ApiResponse::ok(
        &settings::save_tracking_page_settings(ctx, who, body).await?,
    ))
}

/// The settings as the API shows them: the time zone in effect, the variables a template
/// may use, and each template rendered with sample values, with its length in SMS terms.
pub fn notifications_view(shown: &Notifications) -> Value {
    let settings = &shown.settings;
    let previews: BTreeMap<TaskKind, BTreeMap<Trigger, Value>> = settings
        .templates
        .iter()
        .map(|(kind, triggers)| {
            let rendered = triggers
                .iter()
                .map(|(trigger, template)| {
                    let (text, length) = template.sample_message(settings.language);
                    let preview = json!({
                        "text": text,
                        "length": length.units,
                        "encoding": length.encoding.as_str(),
                        "segments": length.segments(),
                    });
                    (*trigger, preview)
                })
                .collect();
            (*kind, rendered)
        })
        .collect();
    json!({
        "language": settings.language,
        "timezone": shown.timezone,
        "timezoneFrom": shown.timezone_from().as_str(),
        "templates": settings.templates,
        "draftReminders": settings.draft_reminders,
        "arrivingMinutes": settings.arriving_minutes,
        "variables": Var::ALL.iter().map(|v| v.name()).collect::<Vec<_>>(),
        "triggers": Trigger::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "previews": previews,
    })
}

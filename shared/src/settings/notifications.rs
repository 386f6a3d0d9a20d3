//! A client's notification settings: the text messages its recipients get (a template per
//! task kind and trigger), their language, the zone ETAs are written in, and the draft
//! reminder email.

use super::error::{SettingsError, SettingsField};
use super::{client_id, save_setting};
use crate::domain::api_key::{Principal, Role};
use crate::domain::courier::courier_timezone;
use crate::domain::notifications::{
    default_templates, ArrivingMinutes, DraftReminders, Language, NotificationSettings, Templates,
};
use crate::domain::timezone::Timezone;
use crate::ordering::FieldProblem;
use crate::store::clients::load_client_and_courier;
use crate::store::couriers;
use crate::Ctx;

/// A client's notification settings as saved, and the time zone shown with them.
#[derive(Debug, Clone, PartialEq)]
pub struct Notifications {
    pub settings: NotificationSettings,
    pub timezone: Timezone,
}

impl Notifications {
    /// Where the zone comes from: the client's own, or its courier's (the client has none).
    pub fn timezone_from(&self) -> TimezoneFrom {
        if self.settings.timezone.is_some() {
            TimezoneFrom::Client
        } else {
            TimezoneFrom::Courier
        }
    }
}

/// Whose time zone a settings document shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimezoneFrom {
    Client,
    Courier,
}

impl TimezoneFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            TimezoneFrom::Client => "client",
            TimezoneFrom::Courier => "courier",
        }
    }
}

/// The settings a client saves (they replace the old ones whole).
#[derive(Debug, Clone, PartialEq)]
pub struct SaveNotifications {
    pub language: Language,
    pub timezone: Option<Timezone>,
    /// As the settings were shown: `Courier` with the courier's zone keeps following the
    /// courier; another zone becomes the client's own.
    pub timezone_from: Option<TimezoneFrom>,
    /// `None`: the defaults of the language. A trigger left out sends nothing.
    pub templates: Option<Templates>,
    pub draft_reminders: DraftReminders,
    /// How close (by the ETA) the driver is when the `arriving` message goes out.
    pub arriving_minutes: ArrivingMinutes,
}

impl SaveNotifications {
    /// The client's own time zone, or `None` to follow the courier's.
    fn own_timezone(&self, courier: Timezone) -> Result<Option<Timezone>, SettingsError> {
        match (self.timezone, self.timezone_from) {
            (None, Some(TimezoneFrom::Client)) => Err(SettingsError::Field {
                field: SettingsField::Timezone,
                problem: FieldProblem::Missing,
                message: "timezoneFrom client needs the client's timezone".into(),
            }),
            (Some(tz), Some(TimezoneFrom::Courier)) if tz == courier => Ok(None),
            (tz, _) => Ok(tz),
        }
    }
}

/// The calling client's notification settings (the defaults until it saves its own), shown
/// with its courier's time zone (one BatchGetItem: the client and its courier).
pub async fn notification_settings(
    ctx: &Ctx,
    who: &Principal,
) -> Result<Notifications, SettingsError> {
    clients_only(who)?;
    let (client, courier) = load_client_and_courier(
        ctx.store.as_ref(),
        who.courier_id.as_str(),
        client_id(who)?.as_str(),
    )
    .await?;
    let client = client.ok_or(SettingsError::ClientNotFound)?;
    let settings = client.notification_settings();
    // The client's own zone when it has one, else its courier's.
    let timezone = settings
        .timezone
        .unwrap_or_else(|| courier_timezone(courier.as_ref()));
    Ok(Notifications { settings, timezone })
}

/// Replaces the calling client's notification settings; the settings as saved, with the
/// zone in effect. Every template is checked against the SMS budget (422 on its field,
/// `templates.<kind>.<trigger>`).
pub async fn save_notification_settings(
    ctx: &Ctx,
    who: &Principal,
    cmd: SaveNotifications,
) -> Result<Notifications, SettingsError> {
    clients_only(who)?;
    let templates = match &cmd.templates {
        None => default_templates(cmd.language),
        Some(templates) => {
            check_budgets(templates)?;
            templates.clone()
        }
    };
    // The courier's zone decides a `timezoneFrom: courier` document, and is the one shown
    // when the client has none.
    let courier_zone = if cmd.timezone.is_none() || cmd.timezone_from.is_some() {
        let courier = couriers::get(ctx.store.as_ref(), who.courier_id.as_str()).await?;
        Some(courier_timezone(courier.as_ref()))
    } else {
        None
    };
    let settings = NotificationSettings {
        language: cmd.language,
        timezone: cmd.own_timezone(courier_zone.unwrap_or_default())?,
        templates,
        draft_reminders: cmd.draft_reminders,
        arriving_minutes: cmd.arriving_minutes,
    };
    let client = save_setting(ctx, who, "notifications", serde_json::to_value(&settings)).await?;
    let saved = client.notification_settings();
    let timezone = saved.timezone.or(courier_zone).unwrap_or_default();
    Ok(Notifications {
        settings: saved,
        timezone,
    })
}

/// A courier is refused (403), as the API refuses a courier key on a client's route.
fn clients_only(who: &Principal) -> Result<(), SettingsError> {
    match who.role {
        Role::Client => Ok(()),
        Role::Courier => Err(SettingsError::ClientsOnly(
            "this route is for clients; a courier key cannot use it",
        )),
    }
}

/// Every template within the SMS budget, or the first that is not, on its field.
fn check_budgets(templates: &Templates) -> Result<(), SettingsError> {
    for (kind, triggers) in templates {
        for (trigger, template) in triggers {
            template
                .check_budget()
                .map_err(|message| SettingsError::Field {
                    field: SettingsField::Template(*kind, *trigger),
                    problem: FieldProblem::Invalid,
                    message,
                })?;
        }
    }
    Ok(())
}

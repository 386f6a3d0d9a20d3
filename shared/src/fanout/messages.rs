//! The words of each notice: SMS from the client's templates, emails to the client.

use chrono::{DateTime, Utc};

use crate::domain::client::Client;
use crate::domain::courier::courier_timezone;
use crate::domain::courier::Courier;
use crate::domain::notifications::{ArrivingMinutes, Language, SmsTemplate, Values, Var};
use crate::domain::order::{Order, Task};
use crate::domain::order_machine::TaskKind;
use crate::domain::timezone::Timezone;
use crate::domain::Phone;
use crate::notify::letter::Letter;
use crate::notify::OutgoingEmail;
use crate::store::clients::load_client_and_courier;
use crate::Ctx;

use super::error::FanoutError;
use super::triggers::Notice;

pub enum Message {
    Sms { to: Phone, text: String },
    Email(OutgoingEmail),
}

/// What every message of one order change needs: the client (templates, language, email)
/// and the courier (name, time zone), read together in one call.
pub struct MessageContext {
    client: Option<Client>,
    courier: Option<Courier>,
}

impl MessageContext {
    pub async fn load(ctx: &Ctx, order: &Order) -> Result<Self, FanoutError> {
        let (client, courier) = load_client_and_courier(
            ctx.store.as_ref(),
            order.courier_id.as_str(),
            order.client_id.as_str(),
        )
        .await?;
        Ok(Self { client, courier })
    }

    /// The client's arriving threshold (the default without a client).
    pub fn arriving_minutes(&self) -> ArrivingMinutes {
        self.client
            .as_ref()
            .map(|c| c.notification_settings().arriving_minutes)
            .unwrap_or_default()
    }

    fn courier_name(&self) -> &str {
        self.courier.as_ref().map(|c| c.name.as_str()).unwrap_or("")
    }

    /// The header of the client's mail: its courier's name and its own.
    fn brand(&self, client: &Client) -> String {
        match self.courier_name() {
            "" => client.name.to_string(),
            courier => format!("{courier} · {}", client.name),
        }
    }

    pub fn message(&self, ctx: &Ctx, order: &Order, notice: &Notice) -> Option<Message> {
        let client = self.client.as_ref()?;
        match notice {
            Notice::Sms(kind, trigger) => {
                let settings = client.notification_settings();
                let template = settings.template(*kind, *trigger)?;
                let recipient = order.dropoff.stop.contact.as_ref()?;
                let to = recipient.phone.clone()?;
                let task = match kind {
                    TaskKind::Pickup => &order.pickup,
                    TaskKind::Dropoff => &order.dropoff,
                };
                let timezone = settings
                    .timezone
                    .unwrap_or_else(|| courier_timezone(self.courier.as_ref()));
                let mut values = Values::default();
                values
                    .set(Var::RecipientName, recipient.name.as_str())
                    .set(Var::CourierName, self.courier_name())
                    .set(Var::ClientName, client.name.as_str())
                    .set(Var::OrderShortId, order.short_id.as_str())
                    .set(
                        Var::Eta,
                        eta_text(task.eta.as_deref(), timezone, settings.language, ctx.now()),
                    )
                    .set(Var::TrackingLink, order.tracking_url.as_str())
                    .set(Var::DriverName, driver_first_name(task).unwrap_or_default());
                let Some(text) = template.render_fitting(&values) else {
                    tracing::warn!(
                        order = %order.id,
                        kind = kind.as_str(),
                        trigger = trigger.as_str(),
                        "SMS not sent: over {} segments however its names are shortened",
                        SmsTemplate::MAX_SEGMENTS
                    );
                    return None;
                };
                Some(Message::Sms { to, text })
            }
            // Resolved before messages are written (`resolve_nearing`).
            Notice::Nearing(_) => None,
            Notice::Rejected => {
                let reason = order
                    .rejection
                    .as_ref()
                    .map(|r| r.reason.as_str())
                    .unwrap_or("no reason given");
                let courier = or_your_courier(self.courier_name());
                let zone = client
                    .own_timezone()
                    .unwrap_or_else(|| courier_timezone(self.courier.as_ref()));
                let when = order
                    .rejection
                    .as_ref()
                    .and_then(|r| DateTime::parse_from_rfc3339(&r.at).ok())
                    .map(|at| format!(" on {}", zone.in_words(at.with_timezone(&Utc))))
                    .unwrap_or_default();
                Some(Message::Email(
                    Letter {
                        to: client.email.clone(),
                        subject: format!("Order {} was rejected by {courier}", order.short_id),
                        brand: self.brand(client),
                        greeting: format!("Hello {},", client.name),
                        paragraphs: vec![
                            format!("{courier} rejected your order {}{when}.", order.short_id),
                            format!("Reason: {reason}"),
                            "You can correct the order on its page and resubmit it: it keeps \
                             its id and history."
                                .into(),
                        ],
                        action: Some((
                            "Correct and resubmit the order".into(),
                            format!("{}/orders/{}", portal_base(ctx, order), order.id),
                        )),
                        notes: vec![],
                    }
                    .email(),
                ))
            }
            Notice::Failed => {
                let failed = [&order.pickup, &order.dropoff]
                    .into_iter()
                    .find(|t| t.failure_reason.is_some());
                let reason = failed
                    .and_then(|t| t.failure_reason.as_deref())
                    .unwrap_or("no reason given");
                let which = failed.map(|t| t.kind.as_str()).unwrap_or("delivery");
                Some(Message::Email(
                    Letter {
                        to: client.email.clone(),
                        subject: format!("Order {} failed", order.short_id),
                        brand: self.brand(client),
                        greeting: format!("Hello {},", client.name),
                        paragraphs: vec![
                            format!("The {which} of your order {} failed.", order.short_id),
                            format!("Reason: {reason}"),
                            format!(
                                "{} will contact you about what happens next.",
                                or_your_courier(self.courier_name())
                            ),
                        ],
                        action: Some((
                            "See the order".into(),
                            format!("{}/orders/{}", portal_base(ctx, order), order.id),
                        )),
                        notes: vec![format!(
                            "The recipient's tracking page: {}",
                            order.tracking_url
                        )],
                    }
                    .email(),
                ))
            }
        }
    }
}

/// The portal's base URL for links in the client's mail: the configured one, else the one
/// the order was placed under (its tracking link's).
fn portal_base(ctx: &Ctx, order: &Order) -> String {
    ctx.config
        .public_base_url
        .clone()
        .or_else(|| {
            order
                .tracking_url
                .rsplit_once("/track/")
                .map(|(base, _)| base.to_string())
        })
        .unwrap_or_else(|| "http://127.0.0.1:3000".into())
        .trim_end_matches('/')
        .to_string()
}

fn or_your_courier(name: &str) -> &str {
    if name.is_empty() {
        "Your courier"
    } else {
        name
    }
}

pub fn driver_first_name(task: &Task) -> Option<String> {
    task.driver
        .as_ref()
        .and_then(|d| d.name.split_whitespace().next())
        .map(str::to_string)
}

/// An ETA as a recipient reads it: the time in the zone, with the day when it is not today.
pub fn eta_text(
    eta: Option<&str>,
    timezone: Timezone,
    language: Language,
    now: DateTime<Utc>,
) -> String {
    let Some(eta) = eta.and_then(|e| DateTime::parse_from_rfc3339(e).ok()) else {
        return match language {
            Language::En => "soon",
            Language::Es => "pronto",
            Language::Fr => "bientot",
        }
        .to_string();
    };
    let tz = timezone.tz();
    let local = eta.with_timezone(&tz);
    let today = now.with_timezone(&tz).date_naive() == local.date_naive();
    let format = match (language, today) {
        (Language::En, true) => "%-I:%M %p",
        (Language::En, false) => "%a %b %-d, %-I:%M %p",
        (_, true) => "%H:%M",
        (_, false) => "%d/%m %H:%M",
    };
    local.format(format).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etas_are_written_in_the_zone_and_language() {
        let now: DateTime<Utc> = "2026-11-21T18:00:00Z".parse().unwrap();
        let ny = Timezone::parse("America/New_York").unwrap();
        let paris = Timezone::parse("Europe/Paris").unwrap();
        let eta = Some("2026-11-21T20:45:00Z");
        assert_eq!(eta_text(eta, ny, Language::En, now), "3:45 PM");
        assert_eq!(eta_text(eta, paris, Language::Fr, now), "21:45");
        assert_eq!(
            eta_text(Some("2026-11-23T20:45:00Z"), ny, Language::En, now),
            "Mon Nov 23, 3:45 PM"
        );
        assert_eq!(eta_text(None, ny, Language::Es, now), "pronto");
    }
}

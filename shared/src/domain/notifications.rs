//! A client's notification settings: one SMS template per trigger and task kind, the
//! language, and the time zone ETAs are written in.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::order_machine::TaskKind;
use super::sms::Length;
use super::timezone::Timezone;

/// What happened to a task that a recipient may be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The driver set off for the task.
    Started,
    /// A new estimated arrival time.
    Eta,
    /// The driver is at the address, or the ETA is within the client's
    /// [`ArrivingMinutes`]: once per task.
    Arriving,
    Completed,
    Failed,
    /// The ETA passed the end of the window, or moved later by 15 minutes or more.
    Delayed,
}

impl Trigger {
    pub const ALL: [Trigger; 6] = [
        Trigger::Started,
        Trigger::Eta,
        Trigger::Arriving,
        Trigger::Completed,
        Trigger::Failed,
        Trigger::Delayed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Started => "started",
            Trigger::Eta => "eta",
            Trigger::Arriving => "arriving",
            Trigger::Completed => "completed",
            Trigger::Failed => "failed",
            Trigger::Delayed => "delayed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
    Fr,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::En, Language::Es, Language::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
            Language::Fr => "fr",
        }
    }

    /// The language's own name, for pickers.
    pub fn name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Es => "Español",
            Language::Fr => "Français",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// A template variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Var {
    RecipientName,
    CourierName,
    ClientName,
    OrderShortId,
    Eta,
    TrackingLink,
    DriverName,
}

impl Var {
    pub const ALL: [Var; 7] = [
        Var::RecipientName,
        Var::CourierName,
        Var::ClientName,
        Var::OrderShortId,
        Var::Eta,
        Var::TrackingLink,
        Var::DriverName,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Var::RecipientName => "recipientName",
            Var::CourierName => "courierName",
            Var::ClientName => "clientName",
            Var::OrderShortId => "orderShortId",
            Var::Eta => "eta",
            Var::TrackingLink => "trackingLink",
            Var::DriverName => "driverName",
        }
    }

    /// Names may be shortened to keep a message in one segment; ids, times and links not.
    fn shortenable(self) -> bool {
        matches!(
            self,
            Var::RecipientName | Var::CourierName | Var::ClientName | Var::DriverName
        )
    }

    /// The longest this variable is in a message, in characters: a name is cut there when
    /// it is sent (names may be 200 characters); an 8-character short id; the longest ETA
    /// ("Wed Sep 30, 12:45 PM"); a tracking link on a base URL of up to 71 characters
    /// (`/track/` and a 22-character token follow it; API Gateway's own domains are at
    /// most 59). A longer link is not cut: the sender's budget holds regardless.
    pub fn max_chars(self) -> usize {
        match self {
            Var::RecipientName | Var::CourierName | Var::ClientName | Var::DriverName => 40,
            Var::OrderShortId => 8,
            Var::Eta => 20,
            Var::TrackingLink => 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(Var),
}

/// An SMS template: text with `{variable}` placeholders, parsed when it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SmsTemplate {
    source: String,
    parts: Vec<Part>,
}

impl SmsTemplate {
    pub const MAX_CHARS: usize = 612;
    /// The most segments one message may take: each is billed to the courier.
    pub const MAX_SEGMENTS: usize = 3;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let source = raw.trim().to_string();
        if source.is_empty() {
            return Err("must not be empty (leave the trigger out to send nothing)".into());
        }
        if source.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "must be at most {} characters (4 SMS segments)",
                Self::MAX_CHARS
            ));
        }
        let mut parts = Vec::new();
        let mut rest = source.as_str();
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err("has a '}' without its '{'".into());
            }
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or("has a '{' without its '}'".to_string())?;
            let name = &after[..close];
            let var = Var::ALL
                .into_iter()
                .find(|v| v.name() == name)
                .ok_or_else(|| {
                    format!(
                        "uses the unknown variable {{{name}}}; the variables are {}",
                        Var::ALL
                            .iter()
                            .map(|v| format!("{{{}}}", v.name()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
            parts.push(Part::Var(var));
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Self { source, parts })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn render(&self, values: &Values) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Var(v) => values.get(*v),
            })
            .collect()
    }

    /// The message, kept within one segment when the template allows: names (cut at
    /// their [`Var::max_chars`]) are shortened (longest first, never below one character)
    /// until it fits; if even that does not fit, it is sent with its names as long as
    /// [`Self::MAX_SEGMENTS`] allows. `None` when no shortening brings it within that
    /// budget (a template saved before the budget was checked, a very long base URL, a
    /// value that makes it UCS-2): such a message is not sent rather than cut, since a cut
    /// could end it inside the tracking link or mid-sentence, and would still be billed.
    pub fn render_fitting(&self, values: &Values) -> Option<String> {
        let capped = values.capped();
        self.shortened_to(&capped, 1)
            .or_else(|| self.shortened_to(&capped, Self::MAX_SEGMENTS))
    }

    /// The message with names shortened until it takes at most `segments`, if it can.
    fn shortened_to(&self, values: &Values, segments: usize) -> Option<String> {
        let mut shortened = values.clone();
        loop {
            let text = self.render(&shortened);
            let length = Length::of(&text);
            let allowed = length.units_within(segments);
            if length.units <= allowed {
                return Some(text);
            }
            let longest = self
                .parts
                .iter()
                .filter_map(|p| match p {
                    Part::Var(v) if v.shortenable() => Some(*v),
                    _ => None,
                })
                .max_by_key(|v| shortened.get(*v).chars().count())
                .filter(|v| shortened.get(*v).chars().count() > 1)?;
            let value = shortened.get(longest);
            let excess = length.units - allowed;
            let keep = value.chars().count().saturating_sub(excess).max(1);
            let cut: String = value.chars().take(keep).collect();
            shortened.set(longest, cut.trim_end().to_string());
        }
    }

    /// The message's length with every variable at its longest ([`Var::max_chars`]),
    /// in the template's own encoding.
    pub fn worst_case(&self) -> Length {
        let mut longest = Values::default();
        for var in Var::ALL {
            longest.set(var, "x".repeat(var.max_chars()));
        }
        Length::of(&self.render(&longest))
    }

    /// Checked when a template is saved (not when a stored one is read): at its worst, a
    /// message takes at most [`Self::MAX_SEGMENTS`]. A value outside GSM-7 can still make
    /// a message UCS-2; the sender holds the budget then ([`Self::render_fitting`]).
    pub fn check_budget(&self) -> Result<(), String> {
        let worst = self.worst_case();
        let segments = worst.segments();
        if segments <= Self::MAX_SEGMENTS {
            return Ok(());
        }
        Err(format!(
            "can take {segments} SMS segments with every variable at its longest ({} {} characters, of {} for {}): shorten it",
            worst.units,
            worst.encoding.label(),
            worst.units_within(Self::MAX_SEGMENTS),
            Self::MAX_SEGMENTS,
        ))
    }
}

impl SmsTemplate {
    /// The message as it would be sent with plausible values (names shortened to keep one
    /// segment, as a real message), and its length: what settings pages preview.
    pub fn sample_message(&self, language: Language) -> (String, Length) {
        self.typical_message(language, None)
    }

    /// [`Self::sample_message`] with the deployment's own tracking link (`base`: where links
    /// point, `https://track.courier.example`), whose length decides the segments.
    pub fn typical_message(&self, language: Language, base: Option<&str>) -> (String, Length) {
        let mut values = Values::sample(language);
        if let Some(base) = base {
            values.set(
                Var::TrackingLink,
                format!(
                    "{}/track/{SAMPLE_TRACKING_TOKEN}",
                    base.trim_end_matches('/')
                ),
            );
        }
        // Over budget (refused when saved), the preview shows it whole.
        let text = self
            .render_fitting(&values)
            .unwrap_or_else(|| self.render(&values));
        let length = Length::of(&text);
        (text, length)
    }
}

impl TryFrom<String> for SmsTemplate {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<SmsTemplate> for String {
    fn from(t: SmsTemplate) -> String {
        t.source
    }
}

/// The values of the variables for one message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values(BTreeMap<&'static str, String>);

impl Values {
    pub fn set(&mut self, var: Var, value: impl Into<String>) -> &mut Self {
        self.0.insert(var.name(), value.into());
        self
    }

    pub fn get(&self, var: Var) -> &str {
        self.0.get(var.name()).map(String::as_str).unwrap_or("")
    }

    /// The values with each name cut at its [`Var::max_chars`] (what the budget assumes).
    fn capped(&self) -> Self {
        let mut capped = self.clone();
        for var in Var::ALL.into_iter().filter(|v| v.shortenable()) {
            let value = self.get(var);
            if value.chars().count() > var.max_chars() {
                let cut: String = value.chars().take(var.max_chars()).collect();
                capped.set(var, cut.trim_end().to_string());
            }
        }
        capped
    }

    /// Plausible values, for previews of a template's length.
    pub fn sample(language: Language) -> Self {
        let mut values = Self::default();
        values
            .set(Var::RecipientName, "Alex Morgan")
            .set(Var::CourierName, "Speedy Couriers")
            .set(Var::ClientName, "Corner Bakery")
            .set(Var::OrderShortId, "7KQ4MZ2P")
            .set(Var::Eta, format_sample_eta(language))
            .set(
                Var::TrackingLink,
                format!("https://portal.example.com/track/{SAMPLE_TRACKING_TOKEN}"),
            )
            .set(Var::DriverName, "Sam");
        values
    }
}

/// A tracking token as links carry it (22 characters).
const SAMPLE_TRACKING_TOKEN: &str = "Xk3v9QpL2mN8rT5wY7zB1c";

fn format_sample_eta(language: Language) -> &'static str {
    match language {
        Language::En => "3:45 PM",
        Language::Es | Language::Fr => "15:45",
    }
}

/// Templates by task kind and trigger; a missing trigger sends nothing.
pub type Templates = BTreeMap<TaskKind, BTreeMap<Trigger, SmsTemplate>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    pub language: Language,
    /// ETAs are written in this zone; without one, the courier's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Timezone>,
    pub templates: Templates,
    /// The daily email listing drafts left waiting.
    #[serde(default)]
    pub draft_reminders: DraftReminders,
    /// A later ETA this close sends the `arriving` message (once per task).
    #[serde(default)]
    pub arriving_minutes: ArrivingMinutes,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            language: Language::En,
            timezone: None,
            templates: default_templates(Language::En),
            draft_reminders: DraftReminders::default(),
            arriving_minutes: ArrivingMinutes::default(),
        }
    }
}

/// How close the driver is, by the ETA, when the recipient is told the driver is arriving:
/// 1 to 120 minutes, 10 by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct ArrivingMinutes(u32);

impl ArrivingMinutes {
    pub const PROBLEM: &'static str = "must be a number of minutes from 1 to 120";

    pub fn get(self) -> u32 {
        self.0
    }

    /// Whether an ETA at `eta` is within the threshold at `now` (or already past).
    pub fn covers(
        self,
        eta: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        eta - now <= chrono::Duration::minutes(i64::from(self.0))
    }
}

impl Default for ArrivingMinutes {
    fn default() -> Self {
        Self(10)
    }
}

impl TryFrom<u32> for ArrivingMinutes {
    type Error = String;
    fn try_from(minutes: u32) -> Result<Self, String> {
        if (1..=120).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(Self::PROBLEM.into())
        }
    }
}

impl From<ArrivingMinutes> for u32 {
    fn from(m: ArrivingMinutes) -> u32 {
        m.0
    }
}

/// Whether a client gets the morning email of its drafts older than `afterHours`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DraftReminders {
    pub enabled: bool,
    pub after_hours: ReminderHours,
}

impl Default for DraftReminders {
    fn default() -> Self {
        Self {
            enabled: true,
            after_hours: ReminderHours(24),
        }
    }
}

/// Hours a draft waits before it is listed: 1 to 720 (30 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct ReminderHours(u32);

impl ReminderHours {
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for ReminderHours {
    type Error = String;
    fn try_from(hours: u32) -> Result<Self, String> {
        if (1..=720).contains(&hours) {
            Ok(Self(hours))
        } else {
            Err("must be a number of hours from 1 to 720".into())
        }
    }
}

impl From<ReminderHours> for u32 {
    fn from(h: ReminderHours) -> u32 {
        h.0
    }
}

impl NotificationSettings {
    pub fn template(&self, kind: TaskKind, trigger: Trigger) -> Option<&SmsTemplate> {
        self.templates.get(&kind)?.get(&trigger)
    }
}

/// The messages on for a new client: at most two per delivery (on its way, with the
/// tracking link; then delivered or failed). Every other trigger is opt-in: SMS is nearly all
/// of what a delivery costs to run.
pub const DEFAULT_ON: [(TaskKind, Trigger); 3] = [
    (TaskKind::Dropoff, Trigger::Started),
    (TaskKind::Dropoff, Trigger::Completed),
    (TaskKind::Dropoff, Trigger::Failed),
];

/// The templates a client starts with, in its language: the [`suggested_templates`] that are
/// [`DEFAULT_ON`].
pub fn default_templates(language: Language) -> Templates {
    let mut templates = suggested_templates(language);
    for (kind, triggers) in templates.iter_mut() {
        triggers.retain(|trigger, _| DEFAULT_ON.contains(&(*kind, *trigger)));
    }
    templates.retain(|_, triggers| !triggers.is_empty());
    templates
}

/// A ready message for each trigger a client may turn on, in its language (the
/// Communications page offers the ones that are off). Pickup news goes to the recipient only
/// once the parcel is on board; there is none for ETA updates (they can be frequent).
pub fn suggested_templates(language: Language) -> Templates {
    use TaskKind::{Dropoff, Pickup};
    use Trigger::*;
    let texts: &[(TaskKind, Trigger, &str)] = match language {
        Language::En => &[
            (Pickup, Completed, "Hi {recipientName}, your {clientName} order {orderShortId} has been picked up by {courierName}. Track it: {trackingLink}"),
            (Dropoff, Started, "Hi {recipientName}, your {clientName} order {orderShortId} is on its way with {courierName}. Track it: {trackingLink}"),
            (Dropoff, Arriving, "{driverName} from {courierName} is arriving with your {clientName} order {orderShortId}. {trackingLink}"),
            (Dropoff, Completed, "Your {clientName} order {orderShortId} has been delivered by {courierName}. Details: {trackingLink}"),
            (Dropoff, Failed, "We could not deliver your {clientName} order {orderShortId}. {courierName} will be in touch. {trackingLink}"),
            (Dropoff, Delayed, "Your {clientName} order {orderShortId} is running late. New ETA: {eta}. Track it: {trackingLink}"),
        ],
        Language::Es => &[
            (Pickup, Completed, "Hola {recipientName}, {courierName} ha recogido su pedido {orderShortId} de {clientName}. Siga el envio: {trackingLink}"),
            (Dropoff, Started, "Hola {recipientName}, su pedido {orderShortId} de {clientName} va en camino con {courierName}. Siga el envio: {trackingLink}"),
            (Dropoff, Arriving, "{driverName} de {courierName} esta llegando con su pedido {orderShortId} de {clientName}. {trackingLink}"),
            (Dropoff, Completed, "{courierName} ha entregado su pedido {orderShortId} de {clientName}. Detalles: {trackingLink}"),
            (Dropoff, Failed, "No pudimos entregar su pedido {orderShortId} de {clientName}. {courierName} le contactara. {trackingLink}"),
            (Dropoff, Delayed, "Su pedido {orderShortId} de {clientName} llega con retraso. Nueva hora estimada: {eta}. {trackingLink}"),
        ],
        Language::Fr => &[
            (Pickup, Completed, "Bonjour {recipientName}, votre commande {clientName} {orderShortId} a été récupérée par {courierName}. Suivi : {trackingLink}"),
            (Dropoff, Started, "Bonjour {recipientName}, votre commande {clientName} {orderShortId} est en route avec {courierName}. Suivi : {trackingLink}"),
            (Dropoff, Arriving, "{driverName} de {courierName} arrive avec votre commande {clientName} {orderShortId}. {trackingLink}"),
            (Dropoff, Completed, "Votre commande {clientName} {orderShortId} a été livrée par {courierName}. Détails : {trackingLink}"),
            (Dropoff, Failed, "Nous n'avons pas pu livrer votre commande {clientName} {orderShortId}. {courierName} vous contactera. {trackingLink}"),
            (Dropoff, Delayed, "Votre commande {clientName} {orderShortId} est en retard. Nouvelle heure prévue : {eta}. {trackingLink}"),
        ],
    };
    let mut templates = Templates::new();
    for (kind, trigger, text) in texts {
        if let Ok(template) = SmsTemplate::parse(text) {
            templates
                .entry(*kind)
                .or_default()
                .insert(*trigger, template);
        }
    }
    templates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sms::{Encoding, Length};

    #[test]
    fn templates_name_only_known_variables() {
        let t = SmsTemplate::parse("Hi {recipientName}, {trackingLink}").unwrap();
        let mut values = Values::default();
        values
            .set(Var::RecipientName, "Ana")
            .set(Var::TrackingLink, "https://x/t/1");
        assert_eq!(t.render(&values), "Hi Ana, https://x/t/1");
        let err = SmsTemplate::parse("Hi {firstName}").unwrap_err();
        assert!(err.contains("{firstName}") && err.contains("{recipientName}"));
        assert!(SmsTemplate::parse("Hi {recipientName").is_err());
        assert!(SmsTemplate::parse("Hi }").is_err());
        assert!(SmsTemplate::parse("  ").is_err());
        assert!(SmsTemplate::parse(&"a".repeat(613)).is_err());
    }

    #[test]
    fn every_default_fits_one_gsm_segment_with_typical_values() {
        for language in [Language::En, Language::Es, Language::Fr] {
            let templates = suggested_templates(language);
            assert_eq!(templates.values().map(BTreeMap::len).sum::<usize>(), 6);
            for template in templates.values().flat_map(BTreeMap::values) {
                let text = template.render_fitting(&Values::sample(language)).unwrap();
                let length = Length::of(&text);
                assert_eq!(length.encoding, Encoding::Gsm7, "{language:?}: {text}");
                assert!(length.units <= 160, "{language:?}: {text}");
            }
        }
    }

    #[test]
    fn a_delivery_sends_at_most_two_messages_by_default() {
        for language in Language::ALL {
            let templates = default_templates(language);
            let on: Vec<(TaskKind, Trigger)> = templates
                .iter()
                .flat_map(|(kind, t)| t.keys().map(move |trigger| (*kind, *trigger)))
                .collect();
            assert_eq!(on, DEFAULT_ON.to_vec(), "{language:?}");
            // On its way (with the tracking link), then delivered or failed: never both.
            let started = &templates[&TaskKind::Dropoff][&Trigger::Started];
            assert!(started.as_str().contains("{trackingLink}"));
            assert!(templates.get(&TaskKind::Pickup).is_none());
        }
    }

    #[test]
    fn long_names_are_shortened_to_keep_one_segment() {
        let template = SmsTemplate::parse(
            "Hi {recipientName}, your {clientName} order {orderShortId} is on its way: {trackingLink}",
        )
        .unwrap();
        let mut values = Values::sample(Language::En);
        values
            .set(
                Var::RecipientName,
                "Maximiliana Alexandra Bartholomew-Featherstonehaugh",
            )
            .set(
                Var::ClientName,
                "The Extraordinarily Long Named Artisanal Bakery Company",
            );
        let text = template.render_fitting(&values).unwrap();
        assert!(Length::of(&text).units <= 160, "{text}");
        // Ids and links are never cut.
        assert!(text.contains("7KQ4MZ2P"));
        assert!(text.ends_with("https://portal.example.com/track/Xk3v9QpL2mN8rT5wY7zB1c"));
        assert!(text.starts_with("Hi Maxim"));
    }

    #[test]
    fn a_template_too_long_for_one_segment_is_sent_whole() {
        let template = SmsTemplate::parse(&format!(
            "{} {{orderShortId}} {{recipientName}}",
            "x".repeat(170)
        ))
        .unwrap();
        let values = Values::sample(Language::En);
        assert_eq!(
            template.render_fitting(&values),
            Some(template.render(&values))
        );
    }

    #[test]
    fn every_default_is_within_the_budget_at_its_worst() {
        for language in Language::ALL {
            for template in suggested_templates(language)
                .values()
                .flat_map(BTreeMap::values)
            {
                assert!(template.worst_case().segments() <= 2, "{template:?}");
                assert_eq!(template.check_budget(), Ok(()));
            }
        }
    }

    #[test]
    fn the_worst_case_is_held_to_three_segments_in_either_encoding() {
        let link = Var::TrackingLink.max_chars();
        let check = |text: String| SmsTemplate::parse(&text).unwrap().check_budget();
        // GSM-7: 3 × 153 septets.
        assert_eq!(
            check(format!("{}{{trackingLink}}", "a".repeat(459 - link))),
            Ok(())
        );
        let over = check(format!("{}{{trackingLink}}", "a".repeat(460 - link))).unwrap_err();
        assert!(over.starts_with("can take 4 SMS segments"), "{over}");
        assert!(
            over.contains("(460 GSM-7 characters, of 459 for 3)"),
            "{over}"
        );
        // UCS-2: 3 × 67.
        assert_eq!(
            check(format!("ç{}{{trackingLink}}", "a".repeat(200 - link))),
            Ok(())
        );
        let over = check(format!("ç{}{{trackingLink}}", "a".repeat(201 - link))).unwrap_err();
        assert!(over.contains("Unicode (UCS-2)"), "{over}");
        // 43 links fit the 612 characters of a template, not the budget.
        let links = SmsTemplate::parse(&"{trackingLink}".repeat(43)).unwrap();
        assert_eq!(links.worst_case().units, 43 * link);
        assert!(links.check_budget().is_err());
    }

    #[test]
    fn the_sender_never_goes_over_the_budget() {
        let mut values = Values::sample(Language::En);
        let links = SmsTemplate::parse(&"{trackingLink}".repeat(43)).unwrap();
        assert_eq!(links.render(&values).len(), 43 * 55, "16 segments");
        assert_eq!(links.render_fitting(&values), None, "refused, not cut");
        // Names longer than their maximum are cut there.
        let long = SmsTemplate::parse(&format!("{} {{recipientName}}", "a".repeat(300))).unwrap();
        values.set(Var::RecipientName, "N".repeat(200));
        let text = long.render_fitting(&values).unwrap();
        assert!(text.ends_with(&format!(" {}", "N".repeat(40))), "{text}");
        // A name outside GSM-7 makes the message UCS-2 (67 per part): names are shortened
        // to fit.
        let short = SmsTemplate::parse(&format!("{} {{recipientName}}", "a".repeat(180))).unwrap();
        values.set(Var::RecipientName, "François Dupont-Aignan");
        let text = short.render_fitting(&values).unwrap();
        assert_eq!(crate::domain::sms::segments(&text), 3, "{text}");
        assert!(text.ends_with(" François Dupont-Aign"), "{text}");
        // Cut to its first letter, the name is GSM-7 again, and the message fits.
        let text = long.render_fitting(&values).unwrap();
        assert!(text.ends_with(" F"), "{text}");
    }
}

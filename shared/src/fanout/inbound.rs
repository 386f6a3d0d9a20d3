//! Inbound SMS (two-way SMS publishes each message to an SNS topic): STOP and its synonyms
//! opt the number out of every message from this portal, START / YES / UNSTOP opt it back
//! in, HELP answers with what the commands do. Each inbound message is answered once.

use aws_lambda_events::sns::{SnsEvent, SnsRecord};
use serde::{Deserialize, Serialize};

use crate::clock::timestamp;
use crate::domain::Phone;
use crate::store::records::to_item;
use crate::store::{keys, Cond, StoreError, PK, TTL};
use crate::Ctx;

use super::error::FanoutError;

/// The message AWS End User Messaging SMS publishes for an inbound SMS.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundSms {
    pub origination_number: String,
    #[serde(default)]
    pub destination_number: Option<String>,
    #[serde(default)]
    pub message_keyword: Option<String>,
    pub message_body: String,
    pub inbound_message_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    Stop,
    Start,
    Help,
    /// Anything else: no action, no reply.
    Other,
}

pub const STOP_WORDS: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPTOUT",
    "OPT-OUT",
    "REVOKE",
    "ARRET",
    "ARRÊT",
    "PARAR",
];
pub const START_WORDS: &[&str] = &["START", "YES", "UNSTOP", "SUBSCRIBE", "OPTIN", "OPT-IN"];
pub const HELP_WORDS: &[&str] = &["HELP", "INFO", "AIDE", "AYUDA"];

pub const HELP_REPLY: &str = "Delivery updates from your courier. Reply STOP to stop all messages, START to receive them again. Msg&data rates may apply.";
pub const STOP_REPLY: &str =
    "You will not receive any more delivery messages from this number. Reply START to receive them again.";
pub const START_REPLY: &str =
    "You will receive delivery messages again. Reply STOP to stop, HELP for help.";

impl Command {
    /// The command in a message: its first word, in any case.
    pub fn of(body: &str) -> Self {
        let word = body
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches(|c: char| c.is_ascii_punctuation() && c != '-')
            .to_uppercase();
        if STOP_WORDS.contains(&word.as_str()) {
            Command::Stop
        } else if START_WORDS.contains(&word.as_str()) {
            Command::Start
        } else if HELP_WORDS.contains(&word.as_str()) {
            Command::Help
        } else {
            Command::Other
        }
    }

    fn reply(self) -> Option<&'static str> {
        match self {
            Command::Stop => Some(STOP_REPLY),
            Command::Start => Some(START_REPLY),
            Command::Help => Some(HELP_REPLY),
            Command::Other => None,
        }
    }
}

/// What was done with one inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub from: String,
    pub command: Command,
    /// False when this message had been answered before (a redelivery).
    pub replied: bool,
}

/// A batch from SNS. A message that cannot be read is logged and dropped (it will never
/// become readable); a store or SNS failure fails the invocation so SNS retries it.
pub async fn handle_sns(ctx: &Ctx, event: SnsEvent) -> Result<Vec<Outcome>, FanoutError> {
    let mut outcomes = Vec::new();
    for record in &event.records {
        match parse(record) {
            Ok(sms) => outcomes.push(handle_inbound(ctx, &sms).await?),
            Err(e) => {
                tracing::warn!(message_id = %record.sns.message_id, error = %e, "unreadable inbound SMS")
            }
        }
    }
    Ok(outcomes)
}

fn parse(record: &SnsRecord) -> Result<InboundSms, String> {
    serde_json::from_str(&record.sns.message).map_err(|e| e.to_string())
}

pub async fn handle_inbound(ctx: &Ctx, sms: &InboundSms) -> Result<Outcome, FanoutError> {
    let sender = ctx.sms()?;
    let from = Phone::parse(&sms.origination_number)
        .map_err(|e| FanoutError::Unreadable(format!("originationNumber {e}")))?;
    let command = Command::of(&sms.message_body);
    let now = ctx.now();
    match command {
        Command::Stop => {
            let opt_out = serde_json::json!({
                "phone": from.as_str(),
                "at": timestamp(now),
                "keyword": sms.message_body.trim(),
            });
            let item = to_item(&opt_out, &keys::opt_out(from.as_str()), "OptOut")?;
            ctx.store.put(item, None).await?;
        }
        Command::Start => {
            ctx.store
                .delete(&keys::opt_out(from.as_str()), None)
                .await?
        }
        Command::Help | Command::Other => {}
    }
    let Some(reply) = command.reply() else {
        return Ok(Outcome {
            from: from.as_str().into(),
            command,
            replied: false,
        });
    };
    let key = keys::inbound_sms(&sms.inbound_message_id);
    let expires = serde_json::json!({ TTL: (now + chrono::Duration::days(7)).timestamp() });
    let marker = to_item(&expires, &key, "InboundSms")?;
    match ctx.store.put(marker, Some(Cond::not_exists(PK))).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Ok(Outcome {
                from: from.as_str().into(),
                command,
                replied: false,
            })
        }
        Err(e) => return Err(e.into()),
    }
    if let Err(e) = sender.send_sms(&from, reply).await {
        if e.uncertain {
            // Its answer was lost: it may have gone out. A reply goes at most once.
            tracing::warn!(code = %e.code, "the reply's answer was lost: not sent again");
            return Ok(Outcome {
                from: from.as_str().into(),
                command,
                replied: false,
            });
        }
        let _ = ctx.store.delete(&key, None).await;
        return Err(e.into());
    }
    Ok(Outcome {
        from: from.as_str().into(),
        command,
        replied: true,
    })
}

/// An SNS event carrying one inbound SMS, as two-way SMS publishes it (the local portal's
/// simulation and the tests build theirs with it).
pub fn sns_event(topic_arn: &str, sms: &InboundSms) -> SnsEvent {
    let message = serde_json::to_string(sms).unwrap_or_default();
    let record = serde_json::json!({
        "EventVersion": "1.0",
        "EventSubscriptionArn": format!("{topic_arn}:{}", ulid::Ulid::generate()),
        "EventSource": "aws:sns",
        "Sns": {
            "SignatureVersion": "1",
            "Timestamp": timestamp(chrono::Utc::now()),
            "Signature": "local",
            "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/local.pem",
            "MessageId": ulid::Ulid::generate().to_string(),
            "Message": message,
            "MessageAttributes": {},
            "Type": "Notification",
            "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/unsubscribe",
            "TopicArn": topic_arn,
            "Subject": null
        }
    });
    serde_json::from_value(serde_json::json!({ "Records": [record] })).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_the_first_word_in_any_case() {
        for (body, command) in [
            ("STOP", Command::Stop),
            ("stop please", Command::Stop),
            (" Unsubscribe ", Command::Stop),
            ("cancel.", Command::Stop),
            ("START", Command::Start),
            ("yes", Command::Start),
            ("Unstop", Command::Start),
            ("help", Command::Help),
            ("info?", Command::Help),
            ("thanks!", Command::Other),
            ("", Command::Other),
        ] {
            assert_eq!(Command::of(body), command, "{body:?}");
        }
    }
}

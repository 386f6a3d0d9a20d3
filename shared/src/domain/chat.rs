//! Chat between a client's people and its courier's people: one conversation per client.
//! A message's text, its author, and the two sides of a conversation.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::ids::{next_ulid_at, ClientId, CourierId};

/// Why a message's text was refused: the code the API answers (`empty`, `too_long`,
/// `control_characters`) and its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong,
    ControlCharacters,
}

impl TextProblem {
    pub fn code(self) -> &'static str {
        match self {
            TextProblem::Empty => "invalid_field",
            TextProblem::TooLong => "too_long",
            TextProblem::ControlCharacters => "invalid_field",
        }
    }

    pub fn message(self) -> String {
        match self {
            TextProblem::Empty => "write a message first".into(),
            TextProblem::TooLong => {
                format!("a message is at most {} characters", MessageText::MAX_CHARS)
            }
            TextProblem::ControlCharacters => {
                "a message cannot hold control characters other than line breaks".into()
            }
        }
    }
}

/// A message's text: trimmed, 1 to 2,000 characters, line breaks kept (a form's `\r\n`
/// read as `\n`), no other control character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String")]
pub struct MessageText(String);

impl MessageText {
    pub const MAX_CHARS: usize = 2_000;

    pub fn parse(raw: &str) -> Result<Self, TextProblem> {
        let text = raw.replace("\r\n", "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err(TextProblem::Empty);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(TextProblem::TooLong);
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(TextProblem::ControlCharacters);
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<MessageText> for String {
    fn from(text: MessageText) -> String {
        text.0
    }
}

/// The two sides of a conversation: the client's people and the courier's people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Client,
    Courier,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Courier => "courier",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::Client => Side::Courier,
            Side::Courier => Side::Client,
        }
    }

    /// The conversation summary's count of this side's messages.
    pub fn count_attr(self) -> &'static str {
        match self {
            Side::Client => "clientMessages",
            Side::Courier => "courierMessages",
        }
    }
}

/// A message id: `msg_` and a ULID of its time, so a conversation's keys sort by time.
pub fn new_message_id(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("msg_{}", next_ulid_at(at))
}

/// Is `raw` the shape of a message id?
pub fn is_message_id(raw: &str) -> bool {
    raw.strip_prefix("msg_")
        .is_some_and(|u| ulid::Ulid::from_string(u).is_ok())
}

/// Who wrote a message: a person (`usr_…`) or an API key (`key_…`), by name, and their
/// organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Author {
    pub id: String,
    pub name: String,
    pub side: Side,
    pub organisation_id: String,
    pub organisation_name: String,
}

/// One message of a client's conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub courier_id: CourierId,
    pub client_id: ClientId,
    pub text: MessageText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The order's short id, as the pages name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_short_id: Option<String>,
    pub author: Author,
    pub created_at: String,
}

impl Message {
    /// The API's view (`ChatMessage` in openapi.yaml).
    pub fn view(&self) -> Value {
        let mut view = json!({
            "id": self.id,
            "clientId": self.client_id,
            "text": self.text.as_str(),
            "author": {
                "id": self.author.id,
                "name": self.author.name,
                "organisation": {
                    "kind": self.author.side.as_str(),
                    "id": self.author.organisation_id,
                    "name": self.author.organisation_name,
                },
            },
            "createdAt": self.created_at,
        });
        if let Some(order) = &self.order_id {
            view["orderId"] = json!(order);
        }
        view
    }
}

/// A client's conversation as its courier lists it: the last message and how many
/// messages each side wrote (what a reader's unread count is counted from).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub courier_id: CourierId,
    pub client_id: ClientId,
    pub client_name: String,
    pub last_message: Message,
    #[serde(default)]
    pub client_messages: u64,
    #[serde(default)]
    pub courier_messages: u64,
    pub version: u64,
}

impl Conversation {
    /// How many messages `side` wrote.
    pub fn written_by(&self, side: Side) -> u64 {
        match side {
            Side::Client => self.client_messages,
            Side::Courier => self.courier_messages,
        }
    }
}

/// What one reader (a person or an API key) has read of a conversation: the last message
/// id read and how many of the other side's messages there were then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadMarker {
    pub reader_id: String,
    pub last_read_message_id: String,
    pub seen: u64,
    pub read_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_keeps_line_breaks() {
        assert_eq!(
            MessageText::parse("  hi\r\nthere  ").unwrap().as_str(),
            "hi\nthere"
        );
        assert_eq!(MessageText::parse("   "), Err(TextProblem::Empty));
        let long = "é".repeat(2_000);
        assert!(MessageText::parse(&long).is_ok());
        assert_eq!(
            MessageText::parse(&format!("{long}x")),
            Err(TextProblem::TooLong)
        );
        assert_eq!(TextProblem::TooLong.code(), "too_long");
        assert_eq!(
            MessageText::parse("a\u{7}b"),
            Err(TextProblem::ControlCharacters)
        );
    }

    #[test]
    fn message_ids_sort_by_time() {
        let early = new_message_id(chrono::DateTime::from_timestamp(1_000, 0).unwrap());
        let late = new_message_id(chrono::DateTime::from_timestamp(2_000, 0).unwrap());
        assert!(early < late);
        assert!(is_message_id(&early));
        assert!(!is_message_id("ord_01H"));
    }
}

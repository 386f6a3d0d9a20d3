//! Orders and their two linked tasks (the dropoff depends on the pickup).

use chrono::{DateTime, FixedOffset};
use rand::rand_core::UnwrapErr;
use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::ids::{ClientId, CourierId};
use super::order_machine::{OrderState, OrderStatus, TaskKind, TaskState};
use super::text::Notes;
use super::{Address, Contact, Phone};

/// A delivery window; `completeAfter` is when it can be picked up or delivered from,
/// `completeBefore` when it is due by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Window {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_after: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_before: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Requirements {
    #[serde(default)]
    pub signature: bool,
    #[serde(default)]
    pub photo: bool,
    #[serde(default)]
    pub notes: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<MinimumAge>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct MinimumAge(u8);

impl TryFrom<u8> for MinimumAge {
    type Error = String;
    fn try_from(age: u8) -> Result<Self, String> {
        if (1..=25).contains(&age) {
            Ok(Self(age))
        } else {
            Err("must be an age from 1 to 25".into())
        }
    }
}

impl From<MinimumAge> for u8 {
    fn from(a: MinimumAge) -> u8 {
        a.0
    }
}

/// One stop as a client describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Stop {
    pub address: Address,
    /// The pickup's contact, or the dropoff's recipient.
    #[serde(default, alias = "recipient", skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Notes>,
    #[serde(default)]
    pub window: Window,
    #[serde(default)]
    pub requirements: Requirements,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Proof {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Left out of a compact stored order (derived from the order id).
    #[serde(default)]
    pub id: String,
    pub kind: TaskKind,
    #[serde(flatten)]
    pub stop: Stop,
    #[serde(default = "unassigned")]
    pub state: TaskState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<Driver>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrived_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<Proof>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// The driver's position as the task's last event with one gave it (frequent
    /// positions are kept beside the order: `store::positions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<super::position::Position>,
}

fn unassigned() -> TaskState {
    TaskState::Unassigned
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Portal,
    Api,
    Import,
    Integration,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    pub reason: String,
    pub at: String,
}

/// What happened to an order, when, and by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    /// Left out of a compact stored order's first entry (its `createdAt`).
    #[serde(default)]
    pub at: String,
    pub what: String,
    /// Left out of a compact stored order when it is the order's client.
    #[serde(default)]
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Read through [`super::order_storage::StoredOrder`] (a stored order may be compact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    try_from = "super::order_storage::StoredOrder"
)]
pub struct Order {
    pub id: String,
    pub short_id: String,
    pub courier_id: CourierId,
    pub client_id: ClientId,
    pub client_name: String,
    pub status: OrderStatus,
    pub pickup: Task,
    pub dropoff: Task,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<super::pricing::Weight>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pieces: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub source: Source,
    /// The service the order asked for (`None`: the client's rule picks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<super::ids::ServiceId>,
    /// The quote it was placed (or last edited) with, for clients with services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<super::pricing::OrderQuote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
    /// The recipient's rating of the completed delivery (given once, from the tracking page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<super::rating::Rating>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub draft_reasons: Vec<String>,
    pub tracking_token: String,
    pub tracking_url: String,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
    /// Its search terms are not written yet: an imported draft's are written when it is
    /// placed (see `infra/DATA_MODEL.md`, "Search terms"). Stored only; not in the view.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unindexed: bool,
}

impl Order {
    pub fn state(&self) -> OrderState {
        OrderState {
            status: self.status,
            pickup: self.pickup.state,
            dropoff: self.dropoff.state,
        }
    }

    /// The order as the API shows it (the tracking token stays inside the tracking URL).
    pub fn view(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("trackingToken");
            map.remove("unindexed");
        }
        value
    }
}

/// Order ids: `ord_` + ULID. Task ids derive from them: `tsk_<ulid>_pickup|dropoff`, so a
/// task event finds its order without a lookup.
pub fn task_id(order_id: &str, kind: TaskKind) -> String {
    format!(
        "tsk_{}_{}",
        order_id.trim_start_matches("ord_"),
        kind.as_str()
    )
}

/// The order id and task kind of a task id.
pub fn parse_task_id(task_id: &str) -> Option<(String, TaskKind)> {
    let rest = task_id.strip_prefix("tsk_")?;
    let (ulid, kind) = rest.split_once('_')?;
    ulid::Ulid::from_string(ulid).ok()?;
    let kind = match kind {
        "pickup" => TaskKind::Pickup,
        "dropoff" => TaskKind::Dropoff,
        _ => return None,
    };
    Some((format!("ord_{ulid}"), kind))
}

pub fn parse_order_id(raw: &str) -> Option<String> {
    let ulid = raw.strip_prefix("ord_")?;
    ulid::Ulid::from_string(ulid).ok()?;
    Some(raw.to_string())
}

/// Short ids are read aloud: 8 characters without 0/O, 1/I/L.
const SHORT_ID_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

pub fn new_short_id() -> String {
    let mut rng = UnwrapErr(rand::rngs::SysRng);
    (0..8)
        .map(|_| SHORT_ID_ALPHABET[rng.random_range(0..SHORT_ID_ALPHABET.len())] as char)
        .collect()
}

/// A short id as someone may type it (any case), if it can be one.
pub fn parse_short_id(raw: &str) -> Option<String> {
    let upper = raw.trim().to_uppercase();
    (upper.len() == 8 && upper.bytes().all(|b| SHORT_ID_ALPHABET.contains(&b))).then_some(upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_lead_back_to_their_order() {
        let order = format!("ord_{}", ulid::Ulid::generate());
        assert_eq!(
            parse_task_id(&task_id(&order, TaskKind::Dropoff)),
            Some((order.clone(), TaskKind::Dropoff))
        );
        assert_eq!(parse_task_id("tsk_nope_pickup"), None);
        assert_eq!(
            parse_task_id(&format!("tsk_{}_other", ulid::Ulid::generate())),
            None
        );
    }

    #[test]
    fn short_ids_are_readable() {
        let id = new_short_id();
        assert_eq!(parse_short_id(&id.to_lowercase()), Some(id.clone()));
        assert!(!id.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(parse_short_id("ABC"), None);
    }
}

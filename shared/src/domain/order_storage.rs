//! The stored form of an order. An imported draft is stored compact (under 1 KB for a
//! typical sheet row, so one DynamoDB write unit): what its keys or other fields already
//! say is left out ([`compact`]) and filled in again when the order is read
//! ([`StoredOrder`], which every `Order` is deserialised through). Any order item, compact
//! or full, reads the same.

use serde::Deserialize;
use serde_json::Value;

use super::ids::{ClientId, CourierId};
use super::order::{task_id, Order, Rejection, Source, Task, TimelineEntry};
use super::order_machine::{OrderStatus, TaskKind};

/// Leaves out of an order item what its keys or other fields say: the ids (in `PK`, `SK`,
/// `GSI1PK`), the tracking token (the end of the tracking URL), `updatedAt` when it is
/// `createdAt`, each task's id, dependency, initial state and empty window and
/// requirements, and in the timeline `by` when it is the order's client and the first
/// entry's `at` when it is `createdAt`. A draft also leaves out its tracking-index keys (`GSI3PK`/`GSI3SK`): it
/// has nothing to track; they are set when it is placed.
pub fn compact(item: &mut serde_json::Map<String, Value>) {
    let by_client = item
        .get("clientId")
        .and_then(Value::as_str)
        .map(|id| format!("client:{id}"));
    let created = item.get("createdAt").cloned();
    if let Some(Value::Array(timeline)) = item.get_mut("timeline") {
        for (n, entry) in timeline.iter_mut().enumerate() {
            let Value::Object(entry) = entry else {
                continue;
            };
            if by_client.is_some()
                && entry.get("by").and_then(Value::as_str) == by_client.as_deref()
            {
                entry.remove("by");
            }
            if n == 0 && entry.get("at") == created.as_ref() {
                entry.remove("at");
            }
        }
    }
    for attr in ["id", "courierId", "clientId", "trackingToken"] {
        item.remove(attr);
    }
    if item.get("updatedAt") == item.get("createdAt") {
        item.remove("updatedAt");
    }
    if item.get("status").and_then(Value::as_str) == Some(OrderStatus::Draft.as_str()) {
        item.remove("GSI3PK");
        item.remove("GSI3SK");
    }
    for task in ["pickup", "dropoff"] {
        let Some(Value::Object(task)) = item.get_mut(task) else {
            continue;
        };
        task.remove("id");
        task.remove("dependsOn");
        if task.get("state").and_then(Value::as_str) == Some("unassigned") {
            task.remove("state");
        }
        if task
            .get("window")
            .is_some_and(|w| w == &serde_json::json!({}))
        {
            task.remove("window");
        }
        let plain = serde_json::json!({"signature": false, "photo": false, "notes": false});
        if task.get("requirements") == Some(&plain) {
            task.remove("requirements");
        }
    }
}

/// An order as stored, full or [`compact`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredOrder {
    #[serde(rename = "PK", default)]
    pk: Option<String>,
    #[serde(rename = "SK", default)]
    sk: Option<String>,
    #[serde(rename = "GSI1PK", default)]
    gsi1pk: Option<String>,
    #[serde(default)]
    id: Option<String>,
    short_id: String,
    #[serde(default)]
    courier_id: Option<CourierId>,
    #[serde(default)]
    client_id: Option<ClientId>,
    client_name: String,
    status: OrderStatus,
    pickup: Task,
    dropoff: Task,
    #[serde(default)]
    weight: Option<super::pricing::Weight>,
    #[serde(default)]
    pieces: Option<u32>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    source: Source,
    #[serde(default)]
    service_id: Option<super::ids::ServiceId>,
    #[serde(default)]
    quote: Option<super::pricing::OrderQuote>,
    #[serde(default)]
    team_id: Option<String>,
    #[serde(default)]
    rejection: Option<Rejection>,
    #[serde(default)]
    rating: Option<super::rating::Rating>,
    #[serde(default)]
    draft_reasons: Vec<String>,
    #[serde(default)]
    tracking_token: Option<String>,
    tracking_url: String,
    #[serde(default)]
    timeline: Vec<TimelineEntry>,
    version: u64,
    created_at: String,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    unindexed: bool,
}

impl TryFrom<StoredOrder> for Order {
    type Error = String;

    fn try_from(s: StoredOrder) -> Result<Self, String> {
        let missing = |what: &str| format!("missing field `{what}`");
        let id = match s.id {
            Some(id) => id,
            None => {
                s.sk.as_deref()
                    .and_then(|sk| sk.strip_prefix("ORDER#"))
                    .map(str::to_string)
                    .ok_or_else(|| missing("id"))?
            }
        };
        let courier_id = match s.courier_id {
            Some(id) => id,
            None => {
                s.pk.as_deref()
                    .and_then(|pk| pk.strip_prefix("COURIER#"))
                    .map(CourierId::parse)
                    .transpose()?
                    .ok_or_else(|| missing("courierId"))?
            }
        };
        let client_id = match s.client_id {
            Some(id) => id,
            None => s
                .gsi1pk
                .as_deref()
                .and_then(|pk| pk.strip_prefix("CLIENT#"))
                .map(ClientId::parse)
                .transpose()?
                .ok_or_else(|| missing("clientId"))?,
        };
        let tracking_token = match s.tracking_token {
            Some(token) => token,
            None => s
                .tracking_url
                .rsplit_once("/track/")
                .map(|(_, token)| token.to_string())
                .ok_or_else(|| missing("trackingToken"))?,
        };
        let mut timeline = s.timeline;
        for (n, entry) in timeline.iter_mut().enumerate() {
            if entry.by.is_empty() {
                entry.by = format!("client:{client_id}");
            }
            if n == 0 && entry.at.is_empty() {
                entry.at = s.created_at.clone();
            }
        }
        let mut pickup = s.pickup;
        let mut dropoff = s.dropoff;
        if pickup.id.is_empty() {
            pickup.id = task_id(&id, TaskKind::Pickup);
        }
        if dropoff.id.is_empty() {
            dropoff.id = task_id(&id, TaskKind::Dropoff);
            dropoff.depends_on = dropoff.depends_on.or_else(|| Some(pickup.id.clone()));
        }
        Ok(Order {
            short_id: s.short_id,
            courier_id,
            client_id,
            client_name: s.client_name,
            status: s.status,
            pickup,
            dropoff,
            weight: s.weight,
            pieces: s.pieces,
            notes: s.notes,
            external_id: s.external_id,
            source: s.source,
            service_id: s.service_id,
            quote: s.quote,
            rating: s.rating,
            team_id: s.team_id,
            rejection: s.rejection,
            draft_reasons: s.draft_reasons,
            tracking_token,
            tracking_url: s.tracking_url,
            timeline,
            version: s.version,
            updated_at: s.updated_at.unwrap_or_else(|| s.created_at.clone()),
            created_at: s.created_at,
            unindexed: s.unindexed,
            id,
        })
    }
}

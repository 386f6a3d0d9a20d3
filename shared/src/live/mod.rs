//! Live updates: open pages hold a WebSocket (API Gateway's WebSocket API on AWS, the local
//! server's `/live` route locally), and the table's stream pushes them a small message
//! when something they show changes (`domain::live`).
//!
//! - `$connect` ([`connect`]): the page's origin must be the portal's own (a page of
//!   another site cannot open one with the person's credentials), then who listens:
//!   a signed-in person by the live ticket of their session (the page holds it) or the
//!   session cookie where the socket is on the portal's own host, or a tracking page by
//!   its tracking token. The connection is kept as two items written together, both
//!   conditional (a connection id is stored once): one under its audience
//!   (`LIVE#{id}` / `CONN#{connectionId}`, what the pusher Queries) and one by its id
//!   alone (what `$disconnect` is given). Both expire with API Gateway's two-hour limit.
//! - `$disconnect` ([`disconnect`]) deletes both.
//! - The pusher ([`handle_stream`]) reads new and changed orders, new chat messages and
//!   drivers' positions from the stream (its own filter, [`STREAM_FILTER`]: a position wakes
//!   it and nothing else), works out who hears what (`domain::live`), Queries each
//!   audience's connections and posts to each; a connection that is gone (410) is deleted.

mod error;

pub use error::LiveError;

use aws_lambda_events::dynamodb::{Event as DynamoDbEvent, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use serde_json::json;

use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::live::{self, Audience, LiveMessage, CONNECTION_HOURS};
use crate::domain::order::Order;
use crate::domain::order_machine::TaskKind;
use crate::notify::PushError;
use crate::store::records::from_item;
use crate::store::{keys, Cond, Item, Key, Query, Write, PK, SK, TTL};
use crate::Ctx;

/// The pusher's event-source filter in `template.yaml` (a test compares them): orders
/// created or changed, chat messages posted, drivers' positions kept. The handler applies
/// the same rule, so local delivery matches.
pub const STREAM_FILTER: &str = r#"{"eventName":["INSERT","MODIFY"],"dynamodb":{"Keys":{"SK":{"S":[{"prefix":"ORDER#"},{"prefix":"MSG#"},{"prefix":"POSITION#"}]}}}}"#;

/// How a page says who it is on `$connect`.
#[derive(Debug, Clone)]
pub enum Credential {
    /// The `ticket` query parameter: the live ticket of the person's session
    /// (`accounts::session::live_ticket`), which the page was given.
    Ticket(String),
    /// The request's headers, for the session cookie (the socket on the portal's own host,
    /// as locally).
    Session(http::HeaderMap),
    /// The `track` query parameter: a tracking page's token.
    Tracking(String),
}

/// Opens a connection: checks the origin and the credential, and keeps the connection
/// under its audience. `expected_origin` is the portal's own (`https://portal.example`).
pub async fn connect(
    ctx: &Ctx,
    connection_id: &str,
    origin: Option<&str>,
    expected_origin: &str,
    credential: Credential,
) -> Result<Audience, LiveError> {
    let same = origin.is_some_and(|o| {
        o.trim_end_matches('/')
            .eq_ignore_ascii_case(expected_origin.trim_end_matches('/'))
    });
    if !same {
        return Err(LiveError::CrossSite);
    }
    let audience = match credential {
        Credential::Tracking(token) => {
            if !crate::domain::token::well_formed_tracking(&token) {
                return Err(LiveError::NotFound);
            }
            let order = crate::store::orders::get_by_tracking_token(ctx.store.as_ref(), &token)
                .await?
                .ok_or(LiveError::NotFound)?;
            Audience::Tracking(order.id)
        }
        Credential::Ticket(ticket) => {
            let principal = crate::accounts::session::resolve_live_ticket(ctx, &ticket)
                .await?
                .ok_or(LiveError::SignedOut)?;
            audience_of(&principal)?
        }
        Credential::Session(headers) => {
            let principal = crate::accounts::session::resolve(ctx, &headers)
                .await?
                .ok_or(LiveError::SignedOut)?;
            audience_of(&principal)?
        }
    };
    let now = ctx.now();
    let expires = now + chrono::Duration::hours(CONNECTION_HOURS);
    let key = keys::live_connection(audience.id(), connection_id);
    let reference = keys::live_connection_ref(connection_id);
    let item = |key: &Key, extra: serde_json::Value| {
        let mut item = Item::new();
        item.insert(PK.into(), key.pk.clone().into());
        item.insert(SK.into(), key.sk.clone().into());
        item.insert("type".into(), "LiveConnection".into());
        item.insert("connectionId".into(), connection_id.into());
        item.insert("connectedAt".into(), timestamp(now).into());
        item.insert(TTL.into(), expires.timestamp().into());
        if let serde_json::Value::Object(extra) = extra {
            item.extend(extra);
        }
        item
    };
    let writes = vec![
        Write::Put {
            item: item(&key, json!({})),
            cond: Some(Cond::not_exists(PK)),
        },
        Write::Put {
            item: item(&reference, json!({ "audiencePk": key.pk })),
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    match ctx.store.transact(writes).await {
        Ok(()) => Ok(audience),
        Err(e) if e.condition_failed_at(0) || e.condition_failed_at(1) => {
            Err(LiveError::AlreadyConnected)
        }
        Err(e) => Err(e.into()),
    }
}

/// The organisation a person listens as.
fn audience_of(principal: &Principal) -> Result<Audience, LiveError> {
    Ok(match principal.role {
        Role::Courier => Audience::Courier(principal.courier_id.to_string()),
        Role::Client => Audience::Client(
            principal
                .client_id
                .as_ref()
                .ok_or(LiveError::SignedOut)?
                .to_string(),
        ),
    })
}

/// Forgets a connection (`$disconnect`): its reference names its audience's item. A
/// connection never stored, or already forgotten, is fine.
pub async fn disconnect(ctx: &Ctx, connection_id: &str) -> Result<(), LiveError> {
    let reference = keys::live_connection_ref(connection_id);
    let Some(item) = ctx.store.get(&reference).await? else {
        return Ok(());
    };
    if let Some(pk) = item.get("audiencePk").and_then(|v| v.as_str()) {
        let key = Key::new(
            pk,
            format!("{}{connection_id}", keys::LIVE_CONNECTION_PREFIX),
        );
        ctx.store.delete(&key, None).await?;
    }
    ctx.store.delete(&reference, None).await?;
    Ok(())
}

/// Pushes `message` to every open page of `audience`; each that is gone is forgotten. The
/// first other failure stops it (the record is retried: a page may hear it twice, and
/// only fetches its fragment again). How many pages heard it.
pub async fn push(
    ctx: &Ctx,
    audience: &Audience,
    message: &LiveMessage,
) -> Result<usize, LiveError> {
    let pusher = ctx.pusher()?;
    let text = message.to_json();
    let mut query =
        Query::partition(keys::live_pk(audience.id())).sk_begins_with(keys::LIVE_CONNECTION_PREFIX);
    let mut heard = 0;
    loop {
        let page = ctx.store.query(&query).await?;
        for item in &page.items {
            let Some(connection_id) = item.get("connectionId").and_then(|v| v.as_str()) else {
                continue;
            };
            match pusher.push(connection_id, &text).await {
                Ok(()) => heard += 1,
                Err(PushError::Gone) => {
                    tracing::info!("a closed page's connection forgotten");
                    disconnect(ctx, connection_id).await?;
                }
                Err(PushError::Failed(e)) => return Err(LiveError::NotPushed(e)),
            }
        }
        match page.last_key {
            Some(last) => query = query.start_after(Some(last)),
            None => return Ok(heard),
        }
    }
}

/// Whether a stream record passes [`STREAM_FILTER`].
pub fn record_is_relevant(record: &EventRecord) -> bool {
    let sk = record.change.keys.get(SK).and_then(|v| match v {
        serde_dynamo::AttributeValue::S(s) => Some(s.as_str()),
        _ => None,
    });
    is_relevant(&record.event_name, sk)
}

pub fn is_relevant(event_name: &str, sk: Option<&str>) -> bool {
    matches!(event_name, "INSERT" | "MODIFY")
        && sk.is_some_and(|sk| {
            sk.starts_with(keys::ORDER_PREFIX)
                || sk.starts_with(keys::CHAT_MESSAGE_PREFIX)
                || sk.starts_with(keys::POSITION_PREFIX)
        })
}

/// One batch from the stream, as the status fan-out handles its own: in order, the first
/// record that fails for a reason a retry may cure reported, and the handler stops there.
pub async fn handle_stream(ctx: &Ctx, event: DynamoDbEvent) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in event.records {
        if let Err(e) = handle_record(ctx, &record).await {
            tracing::error!(
                sequence = record.change.sequence_number.as_deref().unwrap_or(""),
                error = %e,
                "live push failed: reported, Lambda retries the batch from it"
            );
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = record.change.sequence_number.clone();
            response.batch_item_failures.push(failure);
            break;
        }
    }
    response
}

/// One record: who hears of it, and the pushes. A record that is not readable is logged
/// and passed over (a retry cannot mend it, and a page only misses a refresh).
pub async fn handle_record(ctx: &Ctx, record: &EventRecord) -> Result<(), LiveError> {
    if !record_is_relevant(record) {
        return Ok(());
    }
    let image = |item: &serde_dynamo::Item| -> Option<Item> {
        if item.is_empty() {
            return None;
        }
        serde_dynamo::from_item::<_, Item>(item.clone()).ok()
    };
    let (old, new) = (
        image(&record.change.old_image),
        image(&record.change.new_image),
    );
    let Some(new) = new else {
        return Ok(());
    };
    match heard(ctx, old, new).await {
        Ok(pushes) => {
            for (audience, message) in pushes {
                push(ctx, &audience, &message).await?;
            }
            Ok(())
        }
        Err(LiveError::Unreadable(e)) => {
            tracing::warn!(error = %e, "stream record not readable: no push");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// What one change calls for.
async fn heard(
    ctx: &Ctx,
    old: Option<Item>,
    new: Item,
) -> Result<Vec<(Audience, LiveMessage)>, LiveError> {
    let sk = new
        .get(SK)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let pk = new
        .get(PK)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let unreadable = |e: String| LiveError::Unreadable(e);
    if sk.starts_with(keys::ORDER_PREFIX) {
        let read = |item: Item| from_item::<Order>(item).map_err(|e| unreadable(e.to_string()));
        let new = read(new)?;
        let old = old.map(read).transpose()?;
        return Ok(live::order_audiences(old.as_ref(), &new));
    }
    if sk.starts_with(keys::CHAT_MESSAGE_PREFIX) {
        if old.is_some() {
            return Ok(vec![]);
        }
        let ids = pk
            .strip_prefix("CHAT#")
            .and_then(|rest| rest.split_once('#'));
        let (courier_id, client_id) = ids.ok_or_else(|| unreadable(format!("chat key {pk}")))?;
        return Ok(live::chat_audiences(courier_id, client_id));
    }
    if let Some(rest) = sk.strip_prefix(keys::POSITION_PREFIX) {
        let (order_id, kind) = rest
            .split_once('#')
            .ok_or_else(|| unreadable(format!("position key {sk}")))?;
        if kind != TaskKind::Dropoff.as_str() {
            return Ok(vec![]);
        }
        let number = |name: &str| new.get(name).and_then(|v| v.as_f64());
        let (Some(lat), Some(lng), Some(at)) = (
            number("lat"),
            number("lng"),
            new.get("at").and_then(|v| v.as_str()),
        ) else {
            return Err(unreadable(format!("position {sk}")));
        };
        return position_heard(
            ctx,
            &pk,
            order_id,
            LiveMessage::TaskLocation {
                lat,
                lng,
                at: at.to_string(),
            },
        )
        .await;
    }
    Ok(vec![])
}

/// A dropoff's new position: heard by its tracking pages, only while the dropoff is under
/// way. The order is read only when a tracking page is open.
async fn position_heard(
    ctx: &Ctx,
    courier_pk: &str,
    order_id: &str,
    message: LiveMessage,
) -> Result<Vec<(Audience, LiveMessage)>, LiveError> {
    let audience = Audience::Tracking(order_id.to_string());
    let open = ctx
        .store
        .query(
            &Query::partition(keys::live_pk(audience.id()))
                .sk_begins_with(keys::LIVE_CONNECTION_PREFIX)
                .limit(1),
        )
        .await?;
    if open.items.is_empty() {
        return Ok(vec![]);
    }
    let key = Key::new(courier_pk, format!("{}{order_id}", keys::ORDER_PREFIX));
    let Some(item) = ctx.store.get(&key).await? else {
        return Ok(vec![]);
    };
    let order: Order = from_item(item).map_err(|e| LiveError::Unreadable(e.to_string()))?;
    Ok(if live::shows_position(&order) {
        vec![(audience, message)]
    } else {
        vec![]
    })
}

/// What a route of the WebSocket API answers: `$connect`'s status accepts (200) or refuses
/// the upgrade; `$default`'s body goes back to the page (the route response).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Option<String>,
}

/// One request of the WebSocket API (`$connect`, `$disconnect`, `$default`), as API
/// Gateway and the local server route it: the connection's id, the upgrade's headers and
/// query (`ticket`, `track`), the portal's own origin, and the message (`$default`).
pub async fn handle_route(
    ctx: &Ctx,
    route_key: &str,
    connection_id: &str,
    headers: &http::HeaderMap,
    query: &[(String, String)],
    expected_origin: &str,
    body: Option<&str>,
) -> Answer {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    match route_key {
        "$connect" => {
            let credential = match (param("track"), param("ticket")) {
                (Some(token), _) => Credential::Tracking(token),
                (None, Some(ticket)) => Credential::Ticket(ticket),
                (None, None) => Credential::Session(headers.clone()),
            };
            let origin = headers.get("origin").and_then(|v| v.to_str().ok());
            match connect(ctx, connection_id, origin, expected_origin, credential).await {
                Ok(audience) => {
                    let kind = match audience {
                        Audience::Courier(_) => "courier",
                        Audience::Client(_) => "client",
                        Audience::Tracking(_) => "tracking",
                    };
                    tracing::info!(audience = kind, "live connection opened");
                    Answer {
                        status: 200,
                        body: None,
                    }
                }
                Err(e) => {
                    if e.status() == 500 {
                        tracing::error!(error = %e, "live connection failed");
                    } else {
                        tracing::info!(reason = %e, "live connection refused");
                    }
                    Answer {
                        status: e.status(),
                        body: None,
                    }
                }
            }
        }
        "$disconnect" => match disconnect(ctx, connection_id).await {
            Ok(()) => Answer {
                status: 200,
                body: None,
            },
            Err(e) => {
                tracing::error!(error = %e, "live disconnection not recorded (the item expires)");
                Answer {
                    status: 500,
                    body: None,
                }
            }
        },
        _ => {
            let ping = body
                .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
                .is_some_and(|v| v["type"] == "ping");
            Answer {
                status: 200,
                body: ping.then(|| LiveMessage::Pong.to_json()),
            }
        }
    }
}

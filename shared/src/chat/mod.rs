//! Chat: one conversation per client, between the client's people and its courier's
//! people. The JSON API (`api::chat`) and the chat pages post and read messages through
//! here; the `chat-notices` schedule emails a side that left a message unread (`notices`).
//!
//! A message is written in one transaction with its conversation's summary (in the
//! courier's partition, on GSI1 `CHATS#{courierId}` by last message, so the courier's
//! conversations are one Query) and its author's read marker. The summary counts each
//! side's messages and moves on by `version`, so two messages at once both count; a
//! reader's unread count is the other side's count less what their marker saw.

pub mod error;
pub mod notices;

pub use error::ChatError;

use serde_json::{json, Value};

use crate::accounts::users::user_by_id;
use crate::clock::timestamp;
use crate::domain::api_key::{Principal, Role};
use crate::domain::chat::{Author, Conversation, Message, MessageText, ReadMarker, Side};
use crate::domain::client::{Client, ClientStatus};
use crate::domain::courier::Courier;
use crate::domain::ids::{ClientId, CourierId};
use crate::domain::token;
use crate::store::pages::list_page;
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Index, Item, Key, Query, StoreError, Update, Write, PK};
use crate::Ctx;

/// How long an `Idempotency-Key`'s first answer is replayed (as orders').
const IDEMPOTENCY_HOURS: i64 = 24;
/// How often a message is tried again when others wrote to the conversation meanwhile.
const ATTEMPTS: usize = 5;
/// How long a message waits unread before the other side is emailed.
pub const NOTICE_AFTER_MINUTES: i64 = 15;

/// The conversation a reader reads or writes: its courier, its client, and the reader's
/// side of it.
#[derive(Debug, Clone)]
pub struct Party {
    pub courier_id: CourierId,
    pub client_id: ClientId,
    pub client_name: String,
    pub side: Side,
}

/// The reader's conversation: a client's own (a `clientId` naming another is not found);
/// for a courier, the client it names (required; another courier's is not found).
pub async fn party(
    ctx: &Ctx,
    who: &Principal,
    client_id: Option<&str>,
) -> Result<Party, ChatError> {
    let (side, client_id) = match (&who.client_id, client_id) {
        (Some(own), None) => (Side::Client, own.clone()),
        (Some(own), Some(named)) if named == own.as_str() => (Side::Client, own.clone()),
        (Some(_), Some(_)) => return Err(ChatError::ClientNotFound),
        (None, None) => {
            return Err(ChatError::field(
                "clientId",
                "missing_field",
                "name the client whose conversation this is",
            ))
        }
        (None, Some(named)) => (
            Side::Courier,
            ClientId::parse(named).map_err(|_| ChatError::ClientNotFound)?,
        ),
    };
    let item = ctx
        .store
        .get(&keys::client(who.courier_id.as_str(), client_id.as_str()))
        .await?
        .ok_or(ChatError::ClientNotFound)?;
    let client: Client = from_item(item)?;
    if client.status == ClientStatus::Deleted {
        return Err(ChatError::ClientNotFound);
    }
    Ok(Party {
        courier_id: who.courier_id.clone(),
        client_id,
        client_name: client.name.to_string(),
        side,
    })
}

/// A message to post. `idempotency`: the caller's key and what its request said.
pub struct PostMessage<'a> {
    pub by: &'a Principal,
    pub client_id: Option<&'a str>,
    pub text: &'a str,
    pub order_id: Option<&'a str>,
    pub idempotency: Option<(String, String)>,
}

/// What posting answered: the new message, or the first answer to the same key.
pub enum Posted {
    Message(Box<Message>),
    Replayed { status: u16, body: String },
}

/// Posts a message to the reader's conversation.
pub async fn post_message(ctx: &Ctx, cmd: PostMessage<'_>) -> Result<Posted, ChatError> {
    let text = MessageText::parse(cmd.text)
        .map_err(|p| ChatError::field("text", p.code(), p.message()))?;
    let party = party(ctx, cmd.by, cmd.client_id).await?;
    let (order_id, order_short_id) = match cmd.order_id.map(str::trim).filter(|o| !o.is_empty()) {
        Some(order) => {
            let (id, short) = check_order(ctx, &party, order).await?;
            (Some(id), short)
        }
        None => (None, None),
    };
    let idempotency = cmd.idempotency.as_ref().map(|(key, request)| {
        let org = cmd.by.org_id();
        (
            keys::idempotency(org, &token::hash(key)),
            token::hash(&format!("{org}\nchat\n{request}")),
        )
    });
    if let Some((record, hash)) = &idempotency {
        if let Some(replayed) = replay(ctx, record, hash).await? {
            return Ok(replayed);
        }
    }
    let author = author(ctx, cmd.by, &party).await?;
    let reader = reader_id(cmd.by);
    // The endpoints that want `chat.message`: their deliveries go in the message's
    // transaction (after the idempotency record, whose place the retries below check).
    let hooks =
        crate::hooks::chat_endpoints(ctx, party.courier_id.as_str(), party.client_id.as_str())
            .await
            .map_err(hook_error)?;
    for _ in 0..ATTEMPTS {
        let now = ctx.now();
        let message = Message {
            id: crate::domain::chat::new_message_id(now),
            courier_id: party.courier_id.clone(),
            client_id: party.client_id.clone(),
            text: text.clone(),
            order_id: order_id.clone(),
            order_short_id: order_short_id.clone(),
            author: author.clone(),
            created_at: timestamp(now),
        };
        let (previous, own_marker) = summary_and_marker(ctx, &party, &reader).await?;
        let mut writes = vec![Write::Put {
            item: to_item(
                &message,
                &keys::chat_message(
                    party.courier_id.as_str(),
                    party.client_id.as_str(),
                    &message.id,
                ),
                "ChatMessage",
            )?,
            cond: Some(Cond::not_exists(PK)),
        }];
        let (summary, cond) = summary_after(&party, previous.as_ref(), &message)?;
        writes.push(Write::Put {
            item: summary.1,
            cond: Some(cond),
        });
        let seen = summary.0.written_by(party.side.other());
        // The author's marker over the one read (so the count its move adds is counted
        // once): written again by a reader meanwhile, the attempt starts over.
        let was_seen = own_marker.as_ref().map_or(0, |m| m.seen);
        writes.push(Write::Put {
            item: marker_item(&party, &reader, &message.id, seen, now)?,
            cond: Some(match &own_marker {
                None => Cond::not_exists(PK),
                Some(m) => Cond::eq("lastReadMessageId", m.last_read_message_id.as_str()),
            }),
        });
        if let Some((record, hash)) = &idempotency {
            let expires = now + chrono::Duration::hours(IDEMPOTENCY_HOURS);
            let saved = json!({
                "requestHash": hash, "status": 201, "response": message.view().to_string(),
                "expiresAt": timestamp(expires), "ttl": expires.timestamp(),
            });
            writes.push(Write::Put {
                item: to_item(&saved, record, "IdempotencyRecord")?,
                cond: Some(Cond::Or(vec![
                    Cond::not_exists(PK),
                    Cond::lt("expiresAt", timestamp(now)),
                ])),
            });
        }
        writes
            .extend(crate::hooks::chat_message_writes(&hooks, &message, now).map_err(hook_error)?);
        // The navigation's counts: one more message for the other side; the author has
        // read what their side had received.
        writes.push(Write::Update {
            key: counts_key(&party, party.side.other()),
            update: Update::new().increment("received", 1),
            cond: None,
        });
        if seen > was_seen {
            writes.push(Write::Update {
                key: counts_key(&party, party.side),
                update: Update::new()
                    .increment(&keys::chat_seen_attr(&reader), (seen - was_seen) as i64),
                cond: None,
            });
        }
        match ctx.store.transact(writes).await {
            Ok(()) => {
                notice_other_side(ctx, &party, &message).await?;
                if previous
                    .as_ref()
                    .is_some_and(|p| unread_of(p, party.side, own_marker.as_ref()) > 0)
                {
                    // The author has read what their side had not: no email about it.
                    clear_notice(ctx, &party).await?;
                }
                return Ok(Posted::Message(Box::new(message)));
            }
            // The key was taken meanwhile (the same request twice at once): its answer.
            Err(e) if e.condition_failed_at(3) => {
                return match &idempotency {
                    Some((record, hash)) => replay(ctx, record, hash).await?.ok_or(ChatError::Busy),
                    None => Err(e.into()),
                };
            }
            Err(e) if e.condition_failed_at(1) || e.condition_failed_at(2) || e.is_conflict() => {
                continue
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ChatError::Busy)
}

/// The order a message is about: one of the conversation's client's orders (its id and
/// short id).
pub async fn check_order(
    ctx: &Ctx,
    party: &Party,
    raw: &str,
) -> Result<(String, Option<String>), ChatError> {
    let unknown = || {
        ChatError::field(
            "orderId",
            "invalid_field",
            "is not one of this client's orders",
        )
    };
    let id = crate::domain::order::parse_order_id(raw).ok_or_else(unknown)?;
    let order = crate::store::orders::get(ctx.store.as_ref(), party.courier_id.as_str(), &id)
        .await?
        .ok_or_else(unknown)?;
    if order.client_id != party.client_id {
        return Err(unknown());
    }
    Ok((order.id, Some(order.short_id)))
}

/// The author of a message: the signed-in person (by name), else the API key (by label).
async fn author(ctx: &Ctx, who: &Principal, party: &Party) -> Result<Author, ChatError> {
    let org_name = match party.side {
        Side::Client => party.client_name.clone(),
        Side::Courier => ctx
            .store
            .get(&keys::courier(party.courier_id.as_str()))
            .await?
            .map(from_item::<Courier>)
            .transpose()?
            .map(|c| c.name)
            .unwrap_or_default(),
    };
    let key_ulid = who.key_id.as_str().trim_start_matches("key_");
    let user_id = format!("usr_{key_ulid}");
    let is_member = ctx
        .store
        .get(&keys::member(who.org_id(), &user_id))
        .await?
        .is_some();
    let (id, name) = match is_member {
        true => match user_by_id(ctx, &user_id).await? {
            Some(user) => (user_id, user.name.to_string()),
            None => (user_id, "A former teammate".to_string()),
        },
        false => {
            let label = ctx
                .store
                .get(&keys::api_key(who.org_id(), who.key_id.as_str()))
                .await?
                .and_then(|k| k.get("label").and_then(Value::as_str).map(str::to_string))
                .filter(|l| !l.is_empty());
            (
                who.key_id.to_string(),
                label.unwrap_or_else(|| "API key".to_string()),
            )
        }
    };
    Ok(Author {
        id,
        name,
        side: party.side,
        organisation_id: match party.side {
            Side::Client => party.client_id.to_string(),
            Side::Courier => party.courier_id.to_string(),
        },
        organisation_name: org_name,
    })
}

/// The reader's own id for read markers: the principal's key id (a person's is derived
/// from their user id, an API key's is its own).
pub fn reader_id(who: &Principal) -> String {
    who.key_id.to_string()
}

/// The conversation's summary as stored, if a message was ever written.
pub async fn conversation(ctx: &Ctx, party: &Party) -> Result<Option<Conversation>, ChatError> {
    let key = keys::conversation(party.courier_id.as_str(), party.client_id.as_str());
    Ok(ctx.store.get(&key).await?.map(from_item).transpose()?)
}

/// The summary after `message` and the condition that keeps it from overwriting another
/// writer's: absent before the first message, else at the version read.
fn summary_after(
    party: &Party,
    previous: Option<&Conversation>,
    message: &Message,
) -> Result<((Conversation, Item), Cond), ChatError> {
    let (client_messages, courier_messages, version) = previous
        .map(|c| (c.client_messages, c.courier_messages, c.version))
        .unwrap_or((0, 0, 0));
    let summary = Conversation {
        courier_id: party.courier_id.clone(),
        client_id: party.client_id.clone(),
        client_name: party.client_name.clone(),
        last_message: message.clone(),
        client_messages: client_messages + u64::from(message.author.side == Side::Client),
        courier_messages: courier_messages + u64::from(message.author.side == Side::Courier),
        version: version + 1,
    };
    let mut item = to_item(
        &summary,
        &keys::conversation(party.courier_id.as_str(), party.client_id.as_str()),
        "Conversation",
    )?;
    item.insert(
        Index::Gsi1.pk_attr().into(),
        keys::conversations_pk(party.courier_id.as_str()).into(),
    );
    item.insert(Index::Gsi1.sk_attr().into(), message.id.clone().into());
    let cond = match previous {
        None => Cond::not_exists(PK),
        Some(c) => Cond::eq("version", c.version),
    };
    Ok(((summary, item), cond))
}

fn marker_item(
    party: &Party,
    reader: &str,
    message_id: &str,
    seen: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Item, ChatError> {
    let marker = ReadMarker {
        reader_id: reader.to_string(),
        last_read_message_id: message_id.to_string(),
        seen,
        read_at: timestamp(now),
    };
    Ok(to_item(
        &marker,
        &keys::chat_read(party.courier_id.as_str(), party.client_id.as_str(), reader),
        "ChatReadMarker",
    )?)
}

/// The other side gets an email if nobody of theirs reads this within
/// [`NOTICE_AFTER_MINUTES`]: one pending notice per side, written only when none is (so a
/// conversation emails once, not once per message, until that side reads).
async fn notice_other_side(ctx: &Ctx, party: &Party, message: &Message) -> Result<(), ChatError> {
    let side = party.side.other();
    let due = timestamp(ctx.now() + chrono::Duration::minutes(NOTICE_AFTER_MINUTES));
    let key = keys::chat_notice(
        party.courier_id.as_str(),
        party.client_id.as_str(),
        side.as_str(),
    );
    let mut item = to_item(
        &json!({
            "courierId": party.courier_id, "clientId": party.client_id, "side": side,
            "messageId": message.id, "dueAt": due,
        }),
        &key,
        "ChatNotice",
    )?;
    item.insert(
        Index::Gsi4.pk_attr().into(),
        keys::chat_notices_pk(party.client_id.as_str()).into(),
    );
    item.insert(
        Index::Gsi4.sk_attr().into(),
        keys::chat_notice_sk(
            &due,
            party.courier_id.as_str(),
            party.client_id.as_str(),
            side.as_str(),
        )
        .into(),
    );
    match ctx.store.put(item, Some(Cond::not_exists(PK))).await {
        Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

async fn replay(
    ctx: &Ctx,
    record: &crate::store::Key,
    hash: &str,
) -> Result<Option<Posted>, ChatError> {
    let Some(saved) = ctx.store.get(record).await? else {
        return Ok(None);
    };
    if saved
        .get("expiresAt")
        .and_then(Value::as_str)
        .is_some_and(|e| e < timestamp(ctx.now()).as_str())
    {
        return Ok(None);
    }
    if saved.get("requestHash").and_then(Value::as_str) != Some(hash) {
        return Err(ChatError::KeyReused);
    }
    Ok(Some(Posted::Replayed {
        status: saved.get("status").and_then(Value::as_u64).unwrap_or(201) as u16,
        body: saved
            .get("response")
            .and_then(Value::as_str)
            .unwrap_or("{}")
            .to_string(),
    }))
}

/// One page of a conversation: oldest to newest; `next_cursor` reads the older messages
/// before it.
pub struct MessagesPage {
    pub party: Party,
    pub messages: Vec<Message>,
    pub next_cursor: Option<String>,
    /// How many of the other side's messages the reader had not read before this page.
    pub unread: u64,
}

/// The newest `limit` messages of the reader's conversation (or those before `cursor`).
/// Reading the newest page marks the conversation read for the reader.
pub async fn list_messages(
    ctx: &Ctx,
    who: &Principal,
    client_id: Option<&str>,
    limit: u32,
    cursor: Option<&str>,
) -> Result<MessagesPage, ChatError> {
    let party = party(ctx, who, client_id).await?;
    let query = Query::partition(keys::chat_pk(
        party.courier_id.as_str(),
        party.client_id.as_str(),
    ))
    .sk_begins_with(keys::CHAT_MESSAGE_PREFIX)
    .descending();
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let mut messages = items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<Message>, _>>()?;
    messages.reverse();
    let unread = match cursor {
        None => mark_read(ctx, who, &party).await?,
        Some(_) => 0,
    };
    Ok(MessagesPage {
        party,
        messages,
        next_cursor,
        unread,
    })
}

/// Marks the conversation read up to its last message for the reader, and clears the
/// reader's side's pending email; answers how many messages were unread.
async fn mark_read(ctx: &Ctx, who: &Principal, party: &Party) -> Result<u64, ChatError> {
    let reader = reader_id(who);
    let (summary, marker) = summary_and_marker(ctx, party, &reader).await?;
    let Some(summary) = summary else {
        return Ok(0);
    };
    let unread = unread_of(&summary, party.side, marker.as_ref());
    if marker
        .as_ref()
        .is_some_and(|m| m.last_read_message_id >= summary.last_message.id)
    {
        return Ok(unread);
    }
    let seen = summary.written_by(party.side.other());
    let item = marker_item(party, &reader, &summary.last_message.id, seen, ctx.now())?;
    // Over the marker read, so the count it adds to the navigation's is added once.
    let over_read = match &marker {
        None => Cond::not_exists(PK),
        Some(m) => Cond::eq("lastReadMessageId", m.last_read_message_id.as_str()),
    };
    let was_seen = marker.as_ref().map_or(0, |m| m.seen);
    let mut writes = vec![Write::Put {
        item,
        cond: Some(over_read),
    }];
    if seen > was_seen {
        writes.push(Write::Update {
            key: counts_key(party, party.side),
            update: Update::new()
                .increment(&keys::chat_seen_attr(&reader), (seen - was_seen) as i64),
            cond: None,
        });
    }
    let written = match writes.len() {
        // Nothing more to count (the reader had seen every message): one conditional put.
        1 => match writes.pop() {
            Some(Write::Put { item, cond }) => ctx.store.put(item, cond).await,
            _ => Ok(()),
        },
        _ => ctx.store.transact(writes).await,
    };
    match written {
        // Read by another of the reader's pages meanwhile: theirs counted it.
        Ok(())
        | Err(StoreError::ConditionFailed { .. })
        | Err(StoreError::TransactionCanceled { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    if unread > 0 {
        // Someone of this side has read it: no email about it.
        clear_notice(ctx, party).await?;
    }
    Ok(unread)
}

/// The reader's side's pending email is dropped (it may have been sent already: then a
/// later message can email again).
async fn clear_notice(ctx: &Ctx, party: &Party) -> Result<(), ChatError> {
    let notice = keys::chat_notice(
        party.courier_id.as_str(),
        party.client_id.as_str(),
        party.side.as_str(),
    );
    Ok(ctx.store.delete(&notice, None).await?)
}

/// The conversation's summary and the reader's marker, in one BatchGetItem.
async fn summary_and_marker(
    ctx: &Ctx,
    party: &Party,
    reader: &str,
) -> Result<(Option<Conversation>, Option<ReadMarker>), ChatError> {
    let wanted = [
        keys::conversation(party.courier_id.as_str(), party.client_id.as_str()),
        keys::chat_read(party.courier_id.as_str(), party.client_id.as_str(), reader),
    ];
    let mut found = ctx.store.batch_get(&wanted).await?.into_iter();
    let summary = found.next().flatten().map(from_item).transpose()?;
    let marker = found.next().flatten().map(from_item).transpose()?;
    Ok((summary, marker))
}

/// The reader's unread count: the other side's messages their marker has not seen.
pub fn unread_of(summary: &Conversation, side: Side, marker: Option<&ReadMarker>) -> u64 {
    summary
        .written_by(side.other())
        .saturating_sub(marker.map_or(0, |m| m.seen))
}

/// The reader's unread count over all their side's conversations (the navigation's
/// "Messages"): one GetItem of their side's counts, what it received less what this
/// reader has read.
pub async fn unread_count(ctx: &Ctx, who: &Principal) -> Result<u64, ChatError> {
    let key = keys::chat_counts(who.courier_id.as_str(), who.org_id());
    let Some(counts) = ctx.store.get(&key).await? else {
        return Ok(0);
    };
    let number = |name: &str| counts.get(name).and_then(Value::as_u64).unwrap_or(0);
    Ok(number("received").saturating_sub(number(&keys::chat_seen_attr(&reader_id(who)))))
}

/// A deleted client's conversation leaves the courier's list (its GSI1 keys removed) and
/// its messages leave the courier side's navigation count: what the client wrote comes off
/// `received`, what each of the courier's readers had read of it off their `seen`. One
/// transaction, over the summary's version (a message meanwhile: read again).
pub async fn close_conversation(
    ctx: &Ctx,
    courier_id: &str,
    client_id: &str,
) -> Result<(), ChatError> {
    for _ in 0..ATTEMPTS {
        let summary_key = keys::conversation(courier_id, client_id);
        let counts_key = keys::chat_counts(courier_id, courier_id);
        let mut found = ctx
            .store
            .batch_get(&[summary_key.clone(), counts_key.clone()])
            .await?
            .into_iter();
        let Some(summary) = found.next().flatten() else {
            return Ok(());
        };
        if !summary.contains_key(Index::Gsi1.pk_attr()) {
            // Closed already (a retried deletion): nothing comes off twice.
            return Ok(());
        }
        let counts = found.next().flatten().unwrap_or_default();
        let summary: Conversation = from_item(summary)?;
        let number = |name: &str| counts.get(name).and_then(Value::as_u64).unwrap_or(0);
        let mut less = Update::new().increment(
            "received",
            -(summary.client_messages.min(number("received")) as i64),
        );
        let mut query = Query::partition(keys::chat_pk(courier_id, client_id))
            .sk_begins_with(keys::CHAT_READ_PREFIX);
        loop {
            let page = ctx.store.query(&query).await?;
            for item in page.items {
                let marker: ReadMarker = from_item(item)?;
                let attr = keys::chat_seen_attr(&marker.reader_id);
                // Only the courier's readers count on the courier side.
                if counts.contains_key(&attr) {
                    less = less.increment(&attr, -(marker.seen.min(number(&attr)) as i64));
                }
            }
            match page.last_key {
                Some(last) => query = query.start_after(Some(last)),
                None => break,
            }
        }
        let mut writes = vec![Write::Update {
            key: summary_key,
            update: Update::new()
                .remove(Index::Gsi1.pk_attr())
                .remove(Index::Gsi1.sk_attr())
                .increment("version", 1),
            cond: Some(Cond::eq("version", summary.version)),
        }];
        if !counts.is_empty() {
            writes.push(Write::Update {
                key: counts_key,
                update: less,
                cond: None,
            });
        }
        match ctx.store.transact(writes).await {
            Ok(()) => return Ok(()),
            Err(e) if e.condition_failed_at(0) || e.is_conflict() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ChatError::Busy)
}

/// A side's counts item in a conversation between `party`'s courier and client.
fn counts_key(party: &Party, side: Side) -> Key {
    let org = match side {
        Side::Client => party.client_id.as_str(),
        Side::Courier => party.courier_id.as_str(),
    };
    keys::chat_counts(party.courier_id.as_str(), org)
}

/// Conversations read for a courier's navigation count.
pub const CONVERSATIONS_PAGE: u32 = 50;

/// A client's conversation as the courier's reader sees it in the list.
pub struct ConversationEntry {
    pub conversation: Conversation,
    pub unread: u64,
}

pub struct ConversationsPage {
    pub conversations: Vec<ConversationEntry>,
    pub next_cursor: Option<String>,
}

/// The courier's conversations, the most recent first: one Query of GSI1, then the
/// reader's markers of that page in one BatchGetItem.
pub async fn list_conversations(
    ctx: &Ctx,
    who: &Principal,
    limit: u32,
    cursor: Option<&str>,
) -> Result<ConversationsPage, ChatError> {
    if who.role != Role::Courier || who.client_id.is_some() {
        return Err(ChatError::CouriersOnly);
    }
    let courier = who.courier_id.as_str();
    let query = Query::partition(keys::conversations_pk(courier))
        .on(Index::Gsi1)
        .descending();
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let conversations = items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<Conversation>, _>>()?;
    let reader = reader_id(who);
    let marker_keys: Vec<_> = conversations
        .iter()
        .map(|c| keys::chat_read(courier, c.client_id.as_str(), &reader))
        .collect();
    let markers = if marker_keys.is_empty() {
        vec![]
    } else {
        ctx.store.batch_get(&marker_keys).await?
    };
    let conversations = conversations
        .into_iter()
        .zip(markers)
        .map(|(conversation, marker)| {
            let marker = marker.map(from_item::<ReadMarker>).transpose()?;
            Ok(ConversationEntry {
                unread: unread_of(&conversation, Side::Courier, marker.as_ref()),
                conversation,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(ConversationsPage {
        conversations,
        next_cursor,
    })
}

/// A webhook step's failure as the chat's (only the store fails there).
fn hook_error(e: crate::hooks::HookError) -> ChatError {
    match e {
        crate::hooks::HookError::Store(e) => ChatError::Store(e),
        other => ChatError::Store(StoreError::Backend(other.to_string())),
    }
}

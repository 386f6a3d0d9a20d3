//! Chat in the portals: `GET /messages` (a client's people: their conversation with the
//! courier; a courier's people: every client's conversation with their unread counts),
//! `GET /messages/{clientId}` (a courier's people: one client's conversation) and
//! `POST /messages` (a message, from either). Onto the use cases in `chat`, as the JSON
//! routes are; without JavaScript a message is a form post and the reload shows it.

use askama::Template;

use super::format::local;
use super::reader::reader;
use super::{
    form, html, not_found, redirect, signed_in, signed_in_courier, signed_in_post, Brand, Live,
};
use crate::chat::{self, ChatError, Party, PostMessage};
use crate::domain::api_key::Principal;
use crate::domain::chat::{Message, Side};
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::Ctx;

/// Messages a page shows at once.
const PAGE: u32 = 30;

pub struct MessageRow {
    pub id: String,
    /// Written by the reader's side (shown on the right).
    pub mine: bool,
    pub author: String,
    pub organisation: String,
    pub at: String,
    pub at_iso: String,
    pub text: String,
    /// The order it is about: its id and short id.
    pub order: Option<(String, String)>,
}

/// The message form, as sent when it was refused.
#[derive(Default)]
pub struct MessageForm {
    pub text: String,
    pub text_error: Option<String>,
    /// The order the message is about (pre-filled by "Ask about this order").
    pub order_id: String,
    pub order_label: String,
    pub order_error: Option<String>,
}

#[derive(Template)]
#[template(path = "web/chat.html")]
struct ChatPage {
    client_name: Brand,
    /// Whom the reader writes to: the courier's name, or the client's.
    with: String,
    /// A courier's person: the client's id goes with the form.
    client_id: Option<String>,
    /// Where this conversation is (`/messages` or `/messages/{clientId}`).
    path: String,
    messages: Vec<MessageRow>,
    older: Option<String>,
    /// Reading an older page: a link back to the latest.
    back_to_latest: bool,
    form: MessageForm,
}

pub struct ConversationRow {
    pub client_id: String,
    pub client: String,
    pub unread: u64,
    pub last: String,
    pub last_by: String,
    pub at: String,
    pub at_iso: String,
}

#[derive(Template)]
#[template(path = "web/conversations.html")]
struct ConversationsPage {
    client_name: Brand,
    rows: Vec<ConversationRow>,
    next: Option<String>,
}

/// `GET /messages`: a client's conversation, or a courier's conversations.
pub async fn messages_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    if principal.client_id.is_none() {
        return conversations(ctx, &principal, req.query_param("cursor"), heard(ctx, &req)).await;
    }
    let form = prefilled(ctx, &principal, None, req.query_param("orderId")).await?;
    conversation(
        ctx,
        &principal,
        None,
        req.query_param("cursor"),
        form,
        200,
        heard(ctx, &req),
    )
    .await
}

/// `GET /messages/{clientId}`: one client's conversation, for a courier's person.
pub async fn conversation_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_courier(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let client_id = req.path_param("clientId")?.to_string();
    let form = prefilled(
        ctx,
        &principal,
        Some(&client_id),
        req.query_param("orderId"),
    )
    .await?;
    conversation(
        ctx,
        &principal,
        Some(&client_id),
        req.query_param("cursor"),
        form,
        200,
        heard(ctx, &req),
    )
    .await
}

/// A messages page's live updates: a new message fetches the page again (which reads it).
fn heard(ctx: &Ctx, req: &ApiRequest) -> Option<Live> {
    Live::page(ctx, req, "chat.message", "New messages.")
}

/// `POST /messages`: the message, then the conversation again (303); refused, the page
/// with the problem next to its field (422).
pub async fn post_message_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let fields = form(&req);
    let field = |name: &str| super::field(&fields, name).to_string();
    let (text, order_id) = (field("text"), field("orderId"));
    let client_id = match principal.client_id {
        Some(_) => None,
        None => Some(field("clientId")),
    };
    let posted = chat::post_message(
        ctx,
        PostMessage {
            by: &principal,
            client_id: client_id.as_deref(),
            text: &text,
            order_id: Some(order_id.as_str()),
            idempotency: None,
        },
    )
    .await;
    let path = match &client_id {
        Some(client) => format!("/messages/{client}"),
        None => "/messages".to_string(),
    };
    match posted {
        Ok(_) => Ok(redirect(&format!("{path}#latest"))),
        Err(ChatError::Field { field, message, .. }) => {
            let mut form =
                prefilled(ctx, &principal, client_id.as_deref(), Some(&order_id)).await?;
            form.text = text;
            if field == "orderId" {
                form.order_error = Some("That order is not one of this client's orders.".into());
            } else {
                form.text_error = Some(sentence(&message));
            }
            // A refused form's answer is not a page to fetch again: no live updates.
            conversation(ctx, &principal, client_id.as_deref(), None, form, 422, None).await
        }
        Err(ChatError::ClientNotFound) => Ok(not_found(true)),
        Err(e) => Err(e.into()),
    }
}

/// "Ask about this order": the form pre-filled with one of the conversation's client's
/// orders (an order that is not theirs is left out).
async fn prefilled(
    ctx: &Ctx,
    principal: &Principal,
    client_id: Option<&str>,
    order_id: Option<&str>,
) -> Result<MessageForm, ApiError> {
    let Some(order_id) = order_id.filter(|o| !o.is_empty()) else {
        return Ok(MessageForm::default());
    };
    let party = match chat::party(ctx, principal, client_id).await {
        Ok(party) => party,
        Err(ChatError::ClientNotFound | ChatError::Field { .. }) => {
            return Ok(MessageForm::default())
        }
        Err(e) => return Err(e.into()),
    };
    Ok(match chat::check_order(ctx, &party, order_id).await {
        Ok((id, short)) => MessageForm {
            order_label: short.unwrap_or_else(|| id.clone()),
            order_id: id,
            ..Default::default()
        },
        Err(ChatError::Field { .. }) => MessageForm::default(),
        Err(e) => return Err(e.into()),
    })
}

/// The conversation's page: a page of messages (reading the newest marks it read), the
/// form, the reader's unread count elsewhere in the navigation.
async fn conversation(
    ctx: &Ctx,
    principal: &Principal,
    client_id: Option<&str>,
    cursor: Option<&str>,
    form: MessageForm,
    status: u16,
    live: Option<Live>,
) -> ApiResult {
    let cursor = cursor.filter(|c| !c.is_empty());
    let page = match chat::list_messages(ctx, principal, client_id, PAGE, cursor).await {
        Ok(page) => page,
        Err(ChatError::ClientNotFound | ChatError::Field { .. }) => return Ok(not_found(true)),
        Err(ChatError::Store(crate::store::StoreError::InvalidCursor)) => {
            chat::list_messages(ctx, principal, client_id, PAGE, None).await?
        }
        Err(e) => return Err(e.into()),
    };
    let (courier_name, zone) = reader(ctx, principal).await?;
    let zone = zone.tz();
    let mut brand = brand(courier_name.clone(), principal);
    brand.unread = chat::unread_count(ctx, principal).await?;
    let side = page.party.side;
    // A courier's person hears every client's messages: this page, this client's only.
    brand.live = live.map(|live| Live {
        client: match side {
            Side::Courier => page.party.client_id.to_string(),
            Side::Client => String::new(),
        },
        ..live
    });
    let path = path_of(&page.party);
    let older = page
        .next_cursor
        .as_ref()
        .map(|c| format!("{path}?cursor={}", urlencoding(c)));
    let messages = page.messages.iter().map(|m| row(m, side, zone)).collect();
    let with = match side {
        Side::Client => courier_name,
        Side::Courier => page.party.client_name.clone(),
    };
    let client_id = (side == Side::Courier).then(|| page.party.client_id.to_string());
    Ok(html(
        status,
        &ChatPage {
            client_name: brand,
            with,
            client_id,
            path,
            messages,
            older,
            back_to_latest: cursor.is_some(),
            form,
        },
    ))
}

/// The courier's conversations, the most recent first, with the reader's unread counts.
async fn conversations(
    ctx: &Ctx,
    principal: &Principal,
    cursor: Option<&str>,
    live: Option<Live>,
) -> ApiResult {
    let cursor = cursor.filter(|c| !c.is_empty());
    let listed = match chat::list_conversations(ctx, principal, 50, cursor).await {
        Ok(listed) => listed,
        Err(ChatError::Store(crate::store::StoreError::InvalidCursor)) => {
            chat::list_conversations(ctx, principal, 50, None).await?
        }
        Err(e) => return Err(e.into()),
    };
    let (courier_name, zone) = reader(ctx, principal).await?;
    let zone = zone.tz();
    let mut brand = brand(courier_name, principal);
    brand.live = live;
    let rows = listed
        .conversations
        .iter()
        .map(|entry| {
            let c = &entry.conversation;
            ConversationRow {
                client_id: c.client_id.to_string(),
                client: c.client_name.clone(),
                unread: entry.unread,
                last: excerpt(c.last_message.text.as_str()),
                last_by: c.last_message.author.name.clone(),
                at: local(&c.last_message.created_at, zone),
                at_iso: c.last_message.created_at.clone(),
            }
        })
        .collect();
    let next = listed
        .next_cursor
        .map(|c| format!("/messages?cursor={}", urlencoding(&c)));
    Ok(html(
        200,
        &ConversationsPage {
            client_name: brand,
            rows,
            next,
        },
    ))
}

fn path_of(party: &Party) -> String {
    match party.side {
        Side::Client => "/messages".to_string(),
        Side::Courier => format!("/messages/{}", party.client_id),
    }
}

fn brand(courier_name: String, principal: &Principal) -> Brand {
    match principal.client_id {
        Some(_) => Brand::of(principal),
        None => Brand::named(courier_name, principal),
    }
}

fn row(message: &Message, side: Side, zone: chrono_tz::Tz) -> MessageRow {
    MessageRow {
        id: message.id.clone(),
        mine: message.author.side == side,
        author: message.author.name.clone(),
        organisation: message.author.organisation_name.clone(),
        at: local(&message.created_at, zone),
        at_iso: message.created_at.clone(),
        text: message.text.as_str().to_string(),
        order: message.order_id.clone().map(|id| {
            let short = message.order_short_id.clone().unwrap_or_else(|| id.clone());
            (id, short)
        }),
    }
}

/// The start of a message in a list: its first 120 characters.
fn excerpt(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= 120 {
        return line;
    }
    format!("{}…", line.chars().take(120).collect::<String>().trim_end())
}

/// A use case's message as a sentence for a person ("a message is at most…" → "A message
/// is at most….").
fn sentence(message: &str) -> String {
    let mut text = super::capitalise(message);
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

fn urlencoding(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

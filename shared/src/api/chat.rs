//! Chat: `GET|POST /v1/chat/messages` (a client: its conversation; a courier: the one of
//! the client it names with `clientId`) and `GET /v1/chat/conversations` (a courier's),
//! onto the use cases in `chat`.

use serde::Deserialize;
use serde_json::json;

use super::orders::idempotency_key;
use super::records::listing;
use crate::chat::{self, PostMessage, Posted};
use crate::http::{page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewMessage {
    text: String,
    #[serde(default)]
    order_id: Option<String>,
    /// Courier only: the client whose conversation this is.
    #[serde(default)]
    client_id: Option<String>,
}

/// `POST /v1/chat/messages`: 201 with the message; the same `Idempotency-Key` with the
/// same request replays the first answer.
pub async fn post_message(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let key = idempotency_key(&req)?;
    let body: NewMessage = req.json()?;
    let posted = chat::post_message(
        ctx,
        PostMessage {
            by: who,
            client_id: body.client_id.as_deref(),
            text: &body.text,
            order_id: body.order_id.as_deref(),
            idempotency: key.map(|k| (k, String::from_utf8_lossy(&req.body).into_owned())),
        },
    )
    .await?;
    Ok(match posted {
        Posted::Message(message) => ApiResponse::created(&message.view()),
        Posted::Replayed { status, body } => ApiResponse {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("idempotent-replayed".into(), "true".into()),
            ],
            body: body.into(),
        },
    })
}

/// `GET /v1/chat/messages`: the newest page, oldest to newest; `nextCursor` reads the
/// older messages. Reading the newest page marks the conversation read.
pub async fn list_messages(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let limit = page_limit(req.query_param("limit"))?;
    let page = chat::list_messages(
        ctx,
        who,
        req.query_param("clientId"),
        limit,
        req.query_param("cursor"),
    )
    .await?;
    let views = page.messages.iter().map(|m| m.view()).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

/// `GET /v1/chat/conversations`: the courier's conversations, the most recent first, each
/// with its last message and the caller's unread count.
pub async fn list_conversations(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let limit = page_limit(req.query_param("limit"))?;
    let page = chat::list_conversations(ctx, who, limit, req.query_param("cursor")).await?;
    let views = page
        .conversations
        .iter()
        .map(|entry| {
            let c = &entry.conversation;
            json!({
                "clientId": c.client_id,
                "clientName": c.client_name,
                "lastMessage": c.last_message.view(),
                "unread": entry.unread,
            })
        })
        .collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

//! The `chat-notices` schedule (every 5 minutes): a side that has left a message unread for
//! [`super::NOTICE_AFTER_MINUTES`] gets one email per person, with a link to the
//! conversation. Pending notices are read from the sparse, sharded notices index (GSI4
//! `CHATNOTICES#{shard}`, sorted by due time), due ones only; a notice is taken out of the
//! index by a conditional write before its email is sent, so it is sent once. It stays (out
//! of the index) until someone of that side reads, so later messages send nothing more.

use askama::Template;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::ChatError;
use crate::clock::timestamp;
use crate::domain::chat::{Message, Side};
use crate::domain::client::Client;
use crate::domain::courier::Courier;
use crate::domain::user::User;
use crate::notify::OutgoingEmail;
use crate::store::clients::load_client_courier_and;
use crate::store::records::from_item;
use crate::store::{keys, Cond, Index, Item, Query, SkCond, StoreError, Update};
use crate::Ctx;

/// What one run sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeReport {
    pub at: String,
    pub sent: Vec<SentNotice>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentNotice {
    pub client_id: String,
    pub side: Side,
    pub to: Vec<String>,
}

/// Sends the notices due at `at`.
pub async fn run_chat_notices(ctx: &Ctx, at: DateTime<Utc>) -> Result<NoticeReport, ChatError> {
    let now = timestamp(at);
    let mut report = NoticeReport {
        at: now.clone(),
        sent: vec![],
    };
    for shard in 0..keys::DRAFT_SHARDS {
        let mut query = Query::partition(keys::chat_notices_shard_pk(shard)).on(Index::Gsi4);
        // Due times sort as text; `#` follows the due time in the key, `~` sorts after it.
        query.sk = Some(SkCond::Between("0".into(), format!("{now}~")));
        loop {
            let found = ctx.store.query(&query).await?;
            for item in found.items {
                if let Some(sent) = send_notice(ctx, at, item).await? {
                    report.sent.push(sent);
                }
            }
            match found.last_key {
                Some(last) => query = query.start_after(Some(last)),
                None => break,
            }
        }
    }
    Ok(report)
}

async fn send_notice(
    ctx: &Ctx,
    at: DateTime<Utc>,
    item: Item,
) -> Result<Option<SentNotice>, ChatError> {
    let text = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or_default();
    let (courier_id, client_id) = (text("courierId").to_string(), text("clientId").to_string());
    let side: Side = serde_json::from_value(item.get("side").cloned().unwrap_or_default())
        .map_err(|e| StoreError::Backend(format!("unreadable chat notice: {e}")))?;
    let index_sk = text(Index::Gsi4.sk_attr()).to_string();
    let index_pk = text(Index::Gsi4.pk_attr()).to_string();
    let message_id = text("messageId").to_string();
    let key = keys::chat_notice(&courier_id, &client_id, side.as_str());
    // Taken out of the index first: a second run, or a redelivered schedule, finds nothing.
    let taken = ctx
        .store
        .update(
            &key,
            &Update::new()
                .remove(Index::Gsi4.pk_attr())
                .remove(Index::Gsi4.sk_attr())
                .set("sentAt", timestamp(at)),
            Some(Cond::eq(Index::Gsi4.sk_attr(), index_sk.as_str())),
        )
        .await;
    match taken {
        Ok(_) => {}
        // Read (deleted) or sent meanwhile.
        Err(StoreError::ConditionFailed { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let message_key = keys::chat_message(&courier_id, &client_id, &message_id);
    let (client, courier, message) =
        load_client_courier_and(ctx.store.as_ref(), &courier_id, &client_id, message_key).await?;
    let message = message.map(from_item::<Message>).transpose()?;
    let (Some(client), Some(courier), Some(message)) = (client, courier, message) else {
        return Ok(None);
    };
    let org = match side {
        Side::Client => client_id.as_str(),
        Side::Courier => courier_id.as_str(),
    };
    let people = people_of(ctx, org).await?;
    let mut to = vec![];
    for person in &people {
        let email = email(ctx, side, &client, &courier, &message, person);
        if let Err(e) = ctx.mailer()?.send_email(&email).await {
            // Back in the index: the next run tries again.
            let back = Update::new()
                .set(Index::Gsi4.pk_attr(), index_pk.as_str())
                .set(Index::Gsi4.sk_attr(), index_sk.as_str())
                .remove("sentAt");
            ctx.store
                .update(&key, &back, Some(Cond::exists(crate::store::PK)))
                .await
                .ok();
            return Err(ChatError::NotSent(e.to_string()));
        }
        to.push(person.email.to_string());
    }
    Ok(Some(SentNotice {
        client_id,
        side,
        to,
    }))
}

/// The people of an organisation (an invited person too: the link takes them to sign
/// in first): its members, then their users (two BatchGetItems a page).
async fn people_of(ctx: &Ctx, org: &str) -> Result<Vec<User>, ChatError> {
    Ok(crate::accounts::users::org_users(ctx, org, |_| true).await?)
}

#[derive(Template)]
#[template(path = "email/chat_unread.html")]
struct UnreadHtml<'a> {
    subject: &'a str,
    brand: &'a str,
    name: &'a str,
    intro: &'a str,
    excerpt: &'a str,
    link: &'a str,
}

/// The email to one person: who wrote, the start of the message, and the link to the
/// conversation (a client's person: `/messages`; a courier's: the client's conversation).
fn email(
    ctx: &Ctx,
    side: Side,
    client: &Client,
    courier: &Courier,
    message: &Message,
    person: &User,
) -> OutgoingEmail {
    let base = ctx
        .config
        .public_base_url
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:3000".into());
    let base = base.trim_end_matches('/');
    let (link, brand) = match side {
        Side::Client => (
            format!("{base}/messages"),
            format!("{} · {}", courier.name, client.name),
        ),
        Side::Courier => (
            format!("{base}/messages/{}", client.id),
            courier.name.clone(),
        ),
    };
    let subject = format!("New message from {}", message.author.organisation_name);
    let intro = format!(
        "{} of {} wrote to you and nobody on your side has read it yet:",
        message.author.name, message.author.organisation_name
    );
    let excerpt = excerpt(message.text.as_str());
    let text = format!(
        "Hello {name},\n\n{intro}\n\n{quoted}\n\nRead and reply: {link}\n\n\
         We email once per conversation until someone on your side reads it.\n\n— {brand}\n",
        name = person.name,
        quoted = excerpt
            .lines()
            .map(|l| format!("> {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let name = person.name.to_string();
    let html = UnreadHtml {
        subject: &subject,
        brand: &brand,
        name: &name,
        intro: &intro,
        excerpt: &excerpt,
        link: &link,
    }
    .render()
    .ok();
    OutgoingEmail {
        to: person.email.clone(),
        subject,
        text,
        html,
    }
}

/// The start of a message for an email: at most 300 characters.
fn excerpt(text: &str) -> String {
    const MAX: usize = 300;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{}…", cut.trim_end())
}

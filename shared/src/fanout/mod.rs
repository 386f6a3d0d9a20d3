//! Status fan-out: the table's stream in, SMS to recipients (SNS) and email to clients
//! (SES) out. Each message is sent once: a notification id, named by the order, its
//! version and the notice, is written with a condition before the message goes out, so a
//! redelivered record (Lambda retries, bisected batches) finds it and sends nothing.

mod error;
pub mod inbound;
mod messages;
mod once;
pub mod replay;
pub mod triggers;

use aws_lambda_events::dynamodb::{Event as DynamoDbEvent, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

use crate::domain::order::Order;
use crate::store::records::from_item;
use crate::store::{Item, SK};
use crate::Ctx;

pub use error::FanoutError;
pub use messages::{driver_first_name, eta_text};
pub use once::{count_permanent_failure, Outcome};
pub use triggers::{current_notices, notices, notification_id, resolve_nearing, Notice};

/// The event-source filter in `template.yaml` (a test compares them): only orders put or
/// modified invoke the function (a new order: its `order.created` webhook only). The handler applies the same rule, so local delivery matches.
pub const STREAM_FILTER: &str =
    r#"{"eventName":["INSERT","MODIFY"],"dynamodb":{"Keys":{"SK":{"S":[{"prefix":"ORDER#"}]}}}}"#;

/// One batch from the stream. Records are handled in order; the first that fails for a
/// reason a retry may cure (throttling, a 5xx, a timeout, an unreadable record) is reported
/// by its sequence number and the handler stops there, so Lambda retries from it and the
/// records before it are not delivered again. A message refused for good (an invalid
/// number, a refused address) is not a failure of its record: it is logged, counted and
/// recorded on its marker by `once`, and the batch goes on.
pub async fn handle_stream(ctx: &Ctx, event: DynamoDbEvent) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in event.records {
        if let Err(e) = handle_record(ctx, &record).await {
            tracing::error!(
                failure = "transient",
                sequence = record.change.sequence_number.as_deref().unwrap_or(""),
                error = %e,
                "stream record failed: reported, Lambda retries the batch from it"
            );
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = record.change.sequence_number.clone();
            response.batch_item_failures.push(failure);
            break;
        }
    }
    response
}

/// Whether a change passes [`STREAM_FILTER`].
pub fn is_relevant(event_name: &str, sk: Option<&str>) -> bool {
    matches!(event_name, "INSERT" | "MODIFY")
        && sk.is_some_and(|sk| sk.starts_with(crate::store::keys::ORDER_PREFIX))
}

/// Whether a stream record passes [`STREAM_FILTER`] (what the event source lets through).
pub fn record_is_relevant(record: &EventRecord) -> bool {
    let sk = record.change.keys.get(SK).and_then(|v| match v {
        serde_dynamo::AttributeValue::S(s) => Some(s.as_str()),
        _ => None,
    });
    is_relevant(&record.event_name, sk)
}

pub async fn handle_record(ctx: &Ctx, record: &EventRecord) -> Result<(), FanoutError> {
    let image = |item: &serde_dynamo::Item| -> Result<Option<Item>, FanoutError> {
        if item.is_empty() {
            return Ok(None);
        }
        serde_dynamo::from_item::<_, Item>(item.clone())
            .map(Some)
            .map_err(|e| FanoutError::Unreadable(e.to_string()))
    };
    if !record_is_relevant(record) {
        return Ok(());
    }
    handle_change(
        ctx,
        image(&record.change.old_image)?,
        image(&record.change.new_image)?,
    )
    .await
}

/// One change of an order: works out what it calls for and sends each message once.
pub async fn handle_change(
    ctx: &Ctx,
    old: Option<Item>,
    new: Option<Item>,
) -> Result<(), FanoutError> {
    let read =
        |item: Item| from_item::<Order>(item).map_err(|e| FanoutError::Unreadable(e.to_string()));
    let (old, new) = match (old, new) {
        (Some(old), Some(new)) => (read(old)?, read(new)?),
        // A new order: its webhooks only (no message is sent about an order being put).
        (None, Some(new)) => {
            let new = read(new)?;
            crate::observe::record_order(&new);
            crate::hooks::enqueue_order_events(ctx, None, &new).await?;
            return Ok(());
        }
        _ => return Ok(()),
    };
    crate::observe::record_order(&new);
    // The webhooks first: written once each (keyed by the change), so a retry after a
    // failed message below writes none twice.
    crate::hooks::enqueue_order_events(ctx, Some(&old), &new).await?;
    let notices = notices(&old, &new);
    if notices.is_empty() {
        return Ok(());
    }
    deliver(ctx, &new, notices).await?;
    Ok(())
}

/// Sends the messages `notices` call for on `order`, each once; each message's
/// notification id and outcome (a notice without a template or a recipient has none). The
/// first transient failure stops it and goes up.
pub async fn deliver(
    ctx: &Ctx,
    order: &Order,
    notices: Vec<Notice>,
) -> Result<Vec<(String, Outcome)>, FanoutError> {
    let mut outcomes = Vec::new();
    if notices.is_empty() {
        return Ok(outcomes);
    }
    let context = messages::MessageContext::load(ctx, order).await?;
    let notices = triggers::resolve_nearing(notices, order, context.arriving_minutes(), ctx.now());
    for notice in notices {
        let id = notification_id(order, &notice);
        let outcome = match context.message(ctx, order, &notice) {
            Some(messages::Message::Sms { to, text }) => {
                once::send_sms_once(ctx, &id, &to, &text).await?
            }
            Some(messages::Message::Email(email)) => {
                once::send_email_once(ctx, &id, &email).await?
            }
            None => continue,
        };
        outcomes.push((id, outcome));
    }
    Ok(outcomes)
}

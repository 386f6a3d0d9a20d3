//! The table's stream, locally: the embedded store's change log delivered to the status
//! fan-out (and, by a second consumer, to the import worker) as real-shaped
//! `DynamoDbEvent`s, through the same event-source filter and with the same partial-batch
//! semantics as the Lambda event source mapping (retry from the first failed record, give
//! up on it after a few attempts).

use aws_lambda_events::dynamodb::{Event, EventRecord, StreamRecord, StreamViewType};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::streams::DynamoDbEventResponse;
use futures::future::BoxFuture;
use portal::fanout;
use portal::store::embedded::{Change, EmbeddedStore};
use portal::store::{Item, StoreError, PK, SK};
use portal::Ctx;

/// The consumer name of the fan-out in the change log's cursor table.
pub const FANOUT: &str = "status-fanout";
/// As `BatchSize` in template.yaml.
pub const BATCH_SIZE: usize = 100;
/// As `MaximumRetryAttempts` in template.yaml.
pub const MAX_RETRIES: u32 = 5;

/// The consumer name of the import worker in the change log's cursor table.
pub const IMPORT_WORKER: &str = "import-worker";

/// A function on the stream: its filter and its handler.
#[derive(Clone, Copy)]
struct Consumer {
    name: &'static str,
    batch_size: usize,
    relevant: fn(&EventRecord) -> bool,
    handle: for<'a> fn(&'a Ctx, Event) -> BoxFuture<'a, DynamoDbEventResponse>,
}

const FANOUT_CONSUMER: Consumer = Consumer {
    name: FANOUT,
    batch_size: BATCH_SIZE,
    relevant: portal::fanout::record_is_relevant,
    handle: |ctx, event| Box::pin(fanout::handle_stream(ctx, event)),
};

const WORKER_CONSUMER: Consumer = Consumer {
    name: IMPORT_WORKER,
    // As the worker's `BatchSize` in template.yaml.
    batch_size: 1,
    relevant: portal::imports::worker::record_is_relevant,
    handle: |ctx, event| Box::pin(portal::imports::worker::handle_stream(ctx, event)),
};

/// The consumer name of the live updates' pusher.
pub const LIVE_PUSHER: &str = "live-pusher";

const PUSHER_CONSUMER: Consumer = Consumer {
    name: LIVE_PUSHER,
    // As the pusher's `BatchSize` in template.yaml.
    batch_size: BATCH_SIZE,
    relevant: portal::live::record_is_relevant,
    handle: |ctx, event| Box::pin(portal::live::handle_stream(ctx, event)),
};

pub struct LocalStream {
    store: EmbeddedStore,
    ctx: Arc<Ctx>,
    consumer: Consumer,
    attempts: tokio::sync::Mutex<HashMap<i64, u32>>,
}

/// What one delivery did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Records given to the handler.
    pub delivered: usize,
    /// The sequence number reported failed, if one was.
    pub failed: Option<i64>,
    /// Whether more changes wait.
    pub more: bool,
}

impl LocalStream {
    /// The status fan-out's delivery.
    pub fn new(store: EmbeddedStore, ctx: Arc<Ctx>) -> Self {
        Self {
            store,
            ctx,
            consumer: FANOUT_CONSUMER,
            attempts: Default::default(),
        }
    }

    /// The import worker's delivery (running imports' summaries, one record at a time).
    pub fn import_worker(store: EmbeddedStore, ctx: Arc<Ctx>) -> Self {
        Self {
            store,
            ctx,
            consumer: WORKER_CONSUMER,
            attempts: Default::default(),
        }
    }

    /// The import worker's delivery on the same change log, with `ctx` wired for it.
    pub fn import_worker_beside(&self) -> Self {
        Self::import_worker(
            self.store.clone(),
            Arc::new(self.ctx.wired_for(crate::functions::IMPORT_WORKER.needs)),
        )
    }

    /// The live updates' pusher's delivery, with `ctx` (the portal's whole context) wired
    /// for it: its pusher the local server's open WebSockets.
    pub fn live_pusher(store: EmbeddedStore, ctx: &Ctx) -> Self {
        Self {
            store,
            ctx: Arc::new(ctx.wired_for(crate::functions::LIVE_PUSHER.needs)),
            consumer: PUSHER_CONSUMER,
            attempts: Default::default(),
        }
    }

    /// Delivers the next batch of changes, if any.
    pub async fn deliver_next(&self) -> Result<Delivery, StoreError> {
        let name = self.consumer.name;
        let batch_size = self.consumer.batch_size;
        let position = self.store.stream_position(name).await?;
        let changes = self.store.changes_since(position, batch_size).await?;
        let Some(last) = changes.last().map(|c| c.seq) else {
            return Ok(Delivery::default());
        };
        let records: Vec<EventRecord> = changes
            .iter()
            .filter_map(record)
            .filter(|r| (self.consumer.relevant)(r))
            .collect();
        let delivered = records.len();
        if records.is_empty() {
            self.store.set_stream_position(name, last).await?;
            return Ok(Delivery {
                delivered,
                failed: None,
                more: changes.len() == batch_size,
            });
        }
        let response = (self.consumer.handle)(&self.ctx, stream_event(records)).await;
        let failed = response
            .batch_item_failures
            .iter()
            .filter_map(|f| f.item_identifier.as_deref()?.parse::<i64>().ok())
            .min();
        match failed {
            None => {
                self.store.set_stream_position(name, last).await?;
                Ok(Delivery {
                    delivered,
                    failed: None,
                    more: changes.len() == batch_size,
                })
            }
            Some(seq) => {
                let mut attempts = self.attempts.lock().await;
                let tries = attempts.entry(seq).or_insert(0);
                *tries += 1;
                // Records before the failed one are done; the failed one is retried,
                // until it has had its retries (then it is skipped, as the mapping would
                // send it to the on-failure destination).
                let resume = if *tries > MAX_RETRIES {
                    tracing::error!(seq, "stream record dropped after {MAX_RETRIES} retries");
                    attempts.remove(&seq);
                    seq
                } else {
                    seq - 1
                };
                self.store.set_stream_position(name, resume).await?;
                Ok(Delivery {
                    delivered,
                    failed: Some(seq),
                    more: true,
                })
            }
        }
    }

    /// Starts again from the oldest change, as a replayed stream would.
    pub async fn rewind(&self) -> Result<(), StoreError> {
        self.attempts.lock().await.clear();
        self.store.set_stream_position(self.consumer.name, 0).await
    }

    /// Delivers until nothing waits or a record fails (tests call this after a change).
    pub async fn drain(&self) -> Result<Vec<Delivery>, StoreError> {
        let mut deliveries = Vec::new();
        loop {
            let delivery = self.deliver_next().await?;
            let stop = !delivery.more || delivery.failed.is_some();
            deliveries.push(delivery);
            if stop {
                return Ok(deliveries);
            }
        }
    }

    /// Polls the change log for as long as the server runs.
    pub async fn run(self: Arc<Self>) {
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.deliver_next().await {
                Ok(d) if d.failed.is_some() => {
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    tokio::time::sleep(backoff).await;
                }
                Ok(d) if d.more => {}
                Ok(_) => {
                    backoff = Duration::from_millis(100);
                    tokio::time::sleep(backoff).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "local stream delivery failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// A batch of records as the event source mapping invokes the function with it.
pub fn stream_event(records: Vec<EventRecord>) -> Event {
    let mut event = Event::default();
    event.records = records;
    event
}

/// A change as DynamoDB Streams delivers it to Lambda.
pub fn record(change: &Change) -> Option<EventRecord> {
    let event_name = match (&change.old, &change.new) {
        (None, Some(_)) => "INSERT",
        (Some(_), Some(_)) => "MODIFY",
        (Some(_), None) => "REMOVE",
        (None, None) => return None,
    };
    let image = |item: &Option<Item>| -> serde_dynamo::Item {
        item.as_ref()
            .and_then(|i| serde_dynamo::to_item(i).ok())
            .unwrap_or_default()
    };
    let mut keys = Item::new();
    keys.insert(PK.into(), change.key.pk.clone().into());
    keys.insert(SK.into(), change.key.sk.clone().into());
    let size = [&change.old, &change.new]
        .iter()
        .filter_map(|i| i.as_ref())
        .map(|i| serde_json::to_string(i).map(|s| s.len()).unwrap_or(0))
        .sum::<usize>();
    let mut stream = StreamRecord::default();
    stream.approximate_creation_date_time =
        chrono::DateTime::from_timestamp_millis(change.at_ms).unwrap_or_default();
    stream.keys = serde_dynamo::to_item(&keys).unwrap_or_default();
    stream.new_image = image(&change.new);
    stream.old_image = image(&change.old);
    stream.sequence_number = Some(change.seq.to_string());
    stream.size_bytes = size as i64;
    stream.stream_view_type = Some(StreamViewType::NewAndOldImages);
    let mut record = EventRecord::default();
    record.aws_region = "local".into();
    record.change = stream;
    record.event_id = format!("local-{}", change.seq);
    record.event_name = event_name.into();
    record.event_source = Some("aws:dynamodb".into());
    record.event_version = Some("1.1".into());
    record.event_source_arn =
        Some("arn:aws:dynamodb:local:000000000000:table/portal/stream/local".into());
    Some(record)
}

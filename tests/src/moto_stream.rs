//! The table's stream on moto server, read with the DynamoDB Streams API and handed to the
//! status fan-out as Lambda would: filtered like the event source, one batch per read, and
//! re-read from the first failed record.

use aws_lambda_events::dynamodb::{EventRecord, StreamRecord, StreamViewType};
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use std::collections::HashMap;

use portal::Ctx;

pub struct MotoStream {
    client: aws_sdk_dynamodbstreams::Client,
    stream_arn: String,
    /// Shard id → where to read next (a sequence number to read after, or the start).
    positions: tokio::sync::Mutex<HashMap<String, Option<String>>>,
}

impl MotoStream {
    pub async fn open(dynamodb: &aws_sdk_dynamodb::Client, table: &str) -> Self {
        let aws = crate::moto_aws_config().await;
        let described = dynamodb
            .describe_table()
            .table_name(table)
            .send()
            .await
            .expect("describe table");
        let stream_arn = described
            .table
            .and_then(|t| t.latest_stream_arn)
            .expect("the table has a stream");
        Self {
            client: aws_sdk_dynamodbstreams::Client::new(&aws),
            stream_arn,
            positions: Default::default(),
        }
    }

    /// Reads from the start of the stream again.
    pub async fn rewind(&self) {
        self.positions.lock().await.clear();
    }

    /// Reads every new record and delivers it to the status fan-out; returns the batches'
    /// responses.
    pub async fn deliver(
        &self,
        ctx: &Ctx,
    ) -> Vec<aws_lambda_events::streams::DynamoDbEventResponse> {
        self.deliver_to(ctx, portal::fanout::record_is_relevant, |ctx, event| {
            Box::pin(portal::fanout::handle_stream(ctx, event))
        })
        .await
    }

    /// The same, to the live updates' pusher (its own filter).
    pub async fn deliver_live(
        &self,
        ctx: &Ctx,
    ) -> Vec<aws_lambda_events::streams::DynamoDbEventResponse> {
        self.deliver_to(ctx, portal::live::record_is_relevant, |ctx, event| {
            Box::pin(portal::live::handle_stream(ctx, event))
        })
        .await
    }

    /// Reads every new record and hands those `relevant` lets through to `handle`.
    pub async fn deliver_to(
        &self,
        ctx: &Ctx,
        relevant: fn(&EventRecord) -> bool,
        handle: for<'a> fn(
            &'a Ctx,
            aws_lambda_events::dynamodb::Event,
        ) -> futures::future::BoxFuture<
            'a,
            aws_lambda_events::streams::DynamoDbEventResponse,
        >,
    ) -> Vec<aws_lambda_events::streams::DynamoDbEventResponse> {
        let shards = self
            .client
            .describe_stream()
            .stream_arn(&self.stream_arn)
            .send()
            .await
            .expect("describe stream")
            .stream_description
            .map(|d| d.shards.unwrap_or_default())
            .unwrap_or_default();
        let mut responses = Vec::new();
        let mut positions = self.positions.lock().await;
        for shard in shards {
            let Some(shard_id) = shard.shard_id else {
                continue;
            };
            let after = positions.get(&shard_id).cloned().flatten();
            let mut iterator = self
                .client
                .get_shard_iterator()
                .stream_arn(&self.stream_arn)
                .shard_id(&shard_id);
            iterator = match &after {
                Some(seq) => iterator
                    .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                    .sequence_number(seq),
                None => iterator.shard_iterator_type(ShardIteratorType::TrimHorizon),
            };
            let Some(iterator) = iterator
                .send()
                .await
                .expect("shard iterator")
                .shard_iterator
            else {
                continue;
            };
            let records = self
                .client
                .get_records()
                .shard_iterator(iterator)
                .send()
                .await
                .expect("get records")
                .records
                .unwrap_or_default();
            let Some(last) = records
                .last()
                .and_then(|r| r.dynamodb.as_ref())
                .and_then(|d| d.sequence_number.clone())
            else {
                continue;
            };
            let records: Vec<EventRecord> = records
                .into_iter()
                .map(event_record)
                .filter(|r| relevant(r))
                .collect();
            // Lambda resumes at the first failed record; the records before it are done.
            let mut next = Some(last);
            if !records.is_empty() {
                let sequences: Vec<String> = records
                    .iter()
                    .filter_map(|r| r.change.sequence_number.clone())
                    .collect();
                let response = handle(ctx, portal_local::streams::stream_event(records)).await;
                if let Some(failed) = response
                    .batch_item_failures
                    .first()
                    .and_then(|f| f.item_identifier.clone())
                {
                    let index = sequences.iter().position(|s| *s == failed).unwrap_or(0);
                    next = match index {
                        0 => after.clone(),
                        i => Some(sequences[i - 1].clone()),
                    };
                }
                responses.push(response);
            }
            positions.insert(shard_id, next);
        }
        responses
    }
}

fn item(
    attrs: Option<HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>>,
) -> serde_dynamo::Item {
    let attrs: HashMap<String, serde_dynamo::AttributeValue> = attrs
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, serde_dynamo::AttributeValue::from(v)))
        .collect();
    serde_dynamo::Item::from(attrs)
}

/// A DynamoDB Streams record in the shape Lambda delivers it.
pub fn event_record(record: aws_sdk_dynamodbstreams::types::Record) -> EventRecord {
    let change = record
        .dynamodb
        .unwrap_or_else(|| aws_sdk_dynamodbstreams::types::StreamRecord::builder().build());
    let mut stream = StreamRecord::default();
    stream.approximate_creation_date_time = change
        .approximate_creation_date_time
        .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), 0))
        .unwrap_or_default();
    stream.keys = item(change.keys);
    stream.new_image = item(change.new_image);
    stream.old_image = item(change.old_image);
    stream.sequence_number = change.sequence_number;
    stream.size_bytes = change.size_bytes.unwrap_or_default();
    stream.stream_view_type = Some(StreamViewType::NewAndOldImages);
    let mut event = EventRecord::default();
    event.aws_region = record.aws_region.unwrap_or_default();
    event.change = stream;
    event.event_id = record.event_id.unwrap_or_default();
    event.event_name = record
        .event_name
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    event.event_source = record.event_source;
    event.event_version = record.event_version;
    event
}

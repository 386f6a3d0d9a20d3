//! The DynamoDB adapter of the storage port (AWS, or moto server through `AWS_ENDPOINT_URL`).

use async_trait::async_trait;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, DeleteRequest, KeysAndAttributes, Put, PutRequest,
    ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update as DynamoUpdate,
    WriteRequest,
};
use aws_sdk_dynamodb::Client;
use futures::stream::{self, StreamExt};
use serde_json::Value;
use std::collections::HashMap;

use super::expr::{Action, Cond, Update};
use super::{
    CancelReason, Item, Key, Page, Query, Scan, Scanner, SkCond, Store, StoreError, Write, PK, SK,
};

type Attrs = HashMap<String, AttributeValue>;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", e))?;
        out.item.map(from_attrs).transpose()
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        let mut found: HashMap<Key, Item> = HashMap::new();
        let mut pending: Vec<Attrs> = keys.iter().map(key_attrs).collect();
        pending.dedup();
        let mut attempt = 0u32;
        while !pending.is_empty() {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::Invalid(format!("BatchGetItem: {e}")))?;
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(|e| sdk_error("BatchGetItem", e))?;
            for attrs in out
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default()
            {
                let item = from_attrs(attrs)?;
                if let Some(key) = super::item_key(&item) {
                    found.insert(key, item);
                }
            }
            // Keys DynamoDB could not read this time (throughput) are asked again, backing off.
            pending = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
                .map(|k| k.keys)
                .unwrap_or_default();
            if !pending.is_empty() {
                attempt += 1;
                if attempt > 5 {
                    tracing::warn!(
                        unread = pending.len(),
                        "batch read gave up: keys left unprocessed"
                    );
                    return Err(StoreError::Throttled);
                }
                tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
            }
        }
        Ok(keys.iter().map(|k| found.get(k).cloned()).collect())
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        let mut exprs = Exprs::default();
        let condition = cond.as_ref().map(|c| exprs.cond(c));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_attrs(&item)?))
            .set_condition_expression(condition)
            .set_expression_attribute_names(exprs.names())
            .set_expression_attribute_values(exprs.values()?)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await
            .map_err(|e| sdk_error("PutItem", e))?;
        Ok(())
    }

    async fn update(
        &self,
        key: &Key,
        update: &Update,
        cond: Option<Cond>,
    ) -> Result<Item, StoreError> {
        let mut exprs = Exprs::default();
        let update_expression = exprs.update(update);
        let condition = cond.as_ref().map(|c| exprs.cond(c));
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .update_expression(update_expression)
            .set_condition_expression(condition)
            .set_expression_attribute_names(exprs.names())
            .set_expression_attribute_values(exprs.values()?)
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await
            .map_err(|e| sdk_error("UpdateItem", e))?;
        from_attrs(out.attributes.unwrap_or_default())
    }

    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        let mut exprs = Exprs::default();
        let condition = cond.as_ref().map(|c| exprs.cond(c));
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(exprs.names())
            .set_expression_attribute_values(exprs.values()?)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await
            .map_err(|e| sdk_error("DeleteItem", e))?;
        Ok(())
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        super::validate_transaction(&writes)?;
        let items = writes
            .iter()
            .map(|w| self.transact_item(w))
            .collect::<Result<Vec<_>, _>>()?;
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => {
                if let Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(e)) =
                    err.as_service_error()
                {
                    let reasons = e
                        .cancellation_reasons()
                        .iter()
                        .map(|r| match r.code() {
                            Some("ConditionalCheckFailed") => CancelReason::ConditionFailed,
                            Some("TransactionConflict") => CancelReason::Conflict,
                            _ => CancelReason::None,
                        })
                        .collect::<Vec<_>>();
                    // A cancellation with no condition failure is a conflict to retry.
                    let reasons = if reasons.iter().all(|r| *r == CancelReason::None) {
                        vec![CancelReason::Conflict; writes.len()]
                    } else {
                        reasons
                    };
                    return Err(StoreError::TransactionCanceled { reasons });
                }
                Err(sdk_error("TransactWriteItems", err))
            }
        }
    }

    async fn write_each(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        super::validate_write_each(&writes)?;
        let mut results: Vec<Result<(), StoreError>> = writes.iter().map(|_| Ok(())).collect();
        // Unconditional puts and deletes: BatchWriteItem; the others: one call each.
        let mut batched = Vec::new();
        let mut single = Vec::new();
        for (i, write) in writes.into_iter().enumerate() {
            match write {
                Write::Put { cond: None, .. } | Write::Delete { cond: None, .. } => {
                    batched.push(batch_request(&write)?)
                }
                write => single.push((i, write)),
            }
        }
        let mut calls: Vec<Vec<WriteRequest>> = Vec::new();
        while !batched.is_empty() {
            let rest = batched.split_off(batched.len().min(super::MAX_BATCH_WRITES));
            calls.push(std::mem::replace(&mut batched, rest));
        }
        let store = self.clone();
        let batch_outcomes: Vec<Result<(), StoreError>> =
            stream::iter(calls.into_iter().map(move |requests| {
                let store = store.clone();
                async move { store.batch_write(requests).await }
            }))
            .buffer_unordered(WRITES_IN_FLIGHT)
            .collect()
            .await;
        for outcome in batch_outcomes {
            outcome?;
        }
        let store = self.clone();
        let singles: Vec<(usize, Result<(), StoreError>)> =
            stream::iter(single.into_iter().map(move |(i, write)| {
                let store = store.clone();
                async move {
                    let outcome = match write {
                        Write::Put { item, cond } => store.put(item, cond).await,
                        Write::Update { key, update, cond } => {
                            store.update(&key, &update, cond).await.map(|_| ())
                        }
                        Write::Delete { key, cond } => store.delete(&key, cond).await,
                        Write::Check { .. } => Err(StoreError::Invalid(
                            "a condition check needs a transaction".into(),
                        )),
                    };
                    (i, outcome)
                }
            }))
            .buffer_unordered(WRITES_IN_FLIGHT)
            .collect()
            .await;
        for (i, outcome) in singles {
            match outcome {
                Ok(()) => {}
                Err(e @ StoreError::ConditionFailed { .. }) => results[i] = Err(e),
                Err(e) => return Err(e),
            }
        }
        Ok(results)
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        let mut exprs = Exprs::default();
        let (pk_attr, sk_attr) = match query.index {
            Some(index) => (index.pk_attr(), index.sk_attr()),
            None => (PK, SK),
        };
        let mut key_condition = format!(
            "{} = {}",
            exprs.name(pk_attr),
            exprs.value(Value::from(query.pk.clone()))
        );
        match &query.sk {
            None => {}
            Some(SkCond::BeginsWith(prefix)) => {
                let (n, v) = (
                    exprs.name(sk_attr),
                    exprs.value(Value::from(prefix.clone())),
                );
                key_condition.push_str(&format!(" AND begins_with({n}, {v})"));
            }
            Some(SkCond::Between(low, high)) => {
                let n = exprs.name(sk_attr);
                let (l, h) = (
                    exprs.value(Value::from(low.clone())),
                    exprs.value(Value::from(high.clone())),
                );
                key_condition.push_str(&format!(" AND {n} BETWEEN {l} AND {h}"));
            }
        }
        let filter = query.filter.as_ref().map(|c| exprs.cond(c));
        let start = query.start_after.as_ref().map(to_attrs).transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(query.index.map(|i| i.name().to_string()))
            .key_condition_expression(key_condition)
            .set_filter_expression(filter)
            .set_expression_attribute_names(exprs.names())
            .set_expression_attribute_values(exprs.values()?)
            .scan_index_forward(!query.descending)
            .set_limit(query.limit.map(|l| l as i32))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| sdk_error("Query", e))?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_attrs)
            .collect::<Result<Vec<_>, _>>()?;
        let last_key = out.last_evaluated_key.map(from_attrs).transpose()?;
        Ok(Page { items, last_key })
    }
}

#[async_trait]
impl Scanner for DynamoStore {
    async fn scan(&self, scan: &Scan) -> Result<Page, StoreError> {
        let mut exprs = Exprs::default();
        let filter = scan.filter.as_ref().map(|c| exprs.cond(c));
        let projection = (!scan.projection.is_empty()).then(|| {
            [PK, SK]
                .into_iter()
                .chain(scan.projection.iter().map(String::as_str))
                .map(|a| exprs.name(a))
                .collect::<Vec<_>>()
                .join(", ")
        });
        let start = scan.start_after.as_ref().map(to_attrs).transpose()?;
        let out = self
            .client
            .scan()
            .table_name(&self.table)
            .set_filter_expression(filter)
            .set_projection_expression(projection)
            .set_expression_attribute_names(exprs.names())
            .set_expression_attribute_values(exprs.values()?)
            .set_limit(scan.limit.map(|l| l as i32))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| sdk_error("Scan", e))?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_attrs)
            .collect::<Result<Vec<_>, _>>()?;
        let last_key = out.last_evaluated_key.map(from_attrs).transpose()?;
        Ok(Page { items, last_key })
    }
}

/// Times a BatchWriteItem's unprocessed items are sent again before the call answers
/// `Throttled` (about 5 s in all: a fresh on-demand table's partitions split meanwhile;
/// a background import's step is then retried whole by its stream, and resumes).
const UNPROCESSED_RETRIES: u32 = 8;

/// The wait before the `attempt`th resend: exponential from 50 ms, capped at 1 s, with
/// jitter (calls in flight together do not all come back at once).
fn backoff(attempt: u32) -> std::time::Duration {
    let base = (25u64 << attempt.min(6)).min(1_000);
    std::time::Duration::from_millis(base / 2 + rand::random::<u64>() % (base / 2 + 1))
}

/// Calls of one [`Store::write_each`] in flight at once.
const WRITES_IN_FLIGHT: usize = 32;

fn batch_request(write: &Write) -> Result<WriteRequest, StoreError> {
    Ok(match write {
        Write::Put { item, .. } => WriteRequest::builder()
            .put_request(
                PutRequest::builder()
                    .set_item(Some(to_attrs(item)?))
                    .build()
                    .map_err(build_error)?,
            )
            .build(),
        Write::Delete { key, .. } => WriteRequest::builder()
            .delete_request(
                DeleteRequest::builder()
                    .set_key(Some(key_attrs(key)))
                    .build()
                    .map_err(build_error)?,
            )
            .build(),
        _ => {
            return Err(StoreError::Invalid(
                "only puts and deletes are batched".into(),
            ))
        }
    })
}

/// The keys of a batch's unprocessed items (`PK SK`, the first ten), for the warning: keys
/// are ids, never people's data.
fn unprocessed_keys(pending: &[WriteRequest]) -> String {
    let text = |attrs: &Attrs, name: &str| {
        attrs
            .get(name)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    pending
        .iter()
        .take(10)
        .filter_map(|w| {
            w.put_request()
                .map(|p| p.item())
                .or_else(|| w.delete_request().map(|d| d.key()))
        })
        .map(|attrs| {
            let pk = crate::observe::redact::key(&text(attrs, PK));
            let sk = crate::observe::redact::key(&text(attrs, SK));
            format!("{pk} {sk}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl DynamoStore {
    /// One BatchWriteItem, with what DynamoDB leaves unprocessed sent again (backing off).
    async fn batch_write(&self, mut pending: Vec<WriteRequest>) -> Result<(), StoreError> {
        let mut attempt = 0u32;
        while !pending.is_empty() {
            let out = self
                .client
                .batch_write_item()
                .request_items(&self.table, pending)
                .send()
                .await
                .map_err(|e| sdk_error("BatchWriteItem", e))?;
            pending = out
                .unprocessed_items
                .and_then(|mut u| u.remove(&self.table))
                .unwrap_or_default();
            if !pending.is_empty() {
                attempt += 1;
                let keys = unprocessed_keys(&pending);
                if attempt > UNPROCESSED_RETRIES {
                    tracing::warn!(
                        unprocessed = pending.len(),
                        keys = %keys,
                        "batch write gave up: items left unprocessed"
                    );
                    return Err(StoreError::Throttled);
                }
                tracing::warn!(
                    unprocessed = pending.len(),
                    attempt,
                    keys = %keys,
                    "batch write: items left unprocessed, sent again"
                );
                tokio::time::sleep(backoff(attempt)).await;
            }
        }
        Ok(())
    }

    fn transact_item(&self, write: &Write) -> Result<TransactWriteItem, StoreError> {
        let mut exprs = Exprs::default();
        let built = match write {
            Write::Put { item, cond } => {
                let condition = cond.as_ref().map(|c| exprs.cond(c));
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(to_attrs(item)?))
                            .set_condition_expression(condition)
                            .set_expression_attribute_names(exprs.names())
                            .set_expression_attribute_values(exprs.values()?)
                            .build()
                            .map_err(build_error)?,
                    )
                    .build()
            }
            Write::Update { key, update, cond } => {
                let update_expression = exprs.update(update);
                let condition = cond.as_ref().map(|c| exprs.cond(c));
                TransactWriteItem::builder()
                    .update(
                        DynamoUpdate::builder()
                            .table_name(&self.table)
                            .set_key(Some(key_attrs(key)))
                            .update_expression(update_expression)
                            .set_condition_expression(condition)
                            .set_expression_attribute_names(exprs.names())
                            .set_expression_attribute_values(exprs.values()?)
                            .build()
                            .map_err(build_error)?,
                    )
                    .build()
            }
            Write::Delete { key, cond } => {
                let condition = cond.as_ref().map(|c| exprs.cond(c));
                TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name(&self.table)
                            .set_key(Some(key_attrs(key)))
                            .set_condition_expression(condition)
                            .set_expression_attribute_names(exprs.names())
                            .set_expression_attribute_values(exprs.values()?)
                            .build()
                            .map_err(build_error)?,
                    )
                    .build()
            }
            Write::Check { key, cond } => {
                let condition = exprs.cond(cond);
                TransactWriteItem::builder()
                    .condition_check(
                        ConditionCheck::builder()
                            .table_name(&self.table)
                            .set_key(Some(key_attrs(key)))
                            .condition_expression(condition)
                            .set_expression_attribute_names(exprs.names())
                            .set_expression_attribute_values(exprs.values()?)
                            .build()
                            .map_err(build_error)?,
                    )
                    .build()
            }
        };
        Ok(built)
    }
}

/// Placeholder names (`#n0`) and values (`:v0`) for one request's expressions.
#[derive(Default)]
struct Exprs {
    names: Vec<String>,
    values: Vec<Value>,
}

impl Exprs {
    fn name(&mut self, attr: &str) -> String {
        let at = self
            .names
            .iter()
            .position(|n| n == attr)
            .unwrap_or_else(|| {
                self.names.push(attr.to_string());
                self.names.len() - 1
            });
        format!("#n{at}")
    }

    fn path(&mut self, path: &str) -> String {
        path.split('.')
            .map(|part| self.name(part))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn value(&mut self, value: Value) -> String {
        self.values.push(value);
        format!(":v{}", self.values.len() - 1)
    }

    fn cond(&mut self, cond: &Cond) -> String {
        let binary = |exprs: &mut Self, p: &str, op: &str, v: &Value| {
            let (p, v) = (exprs.path(p), exprs.value(v.clone()));
            format!("{p} {op} {v}")
        };
        match cond {
            Cond::Exists(p) => format!("attribute_exists({})", self.path(p)),
            Cond::NotExists(p) => format!("attribute_not_exists({})", self.path(p)),
            Cond::Eq(p, v) => binary(self, p, "=", v),
            Cond::Ne(p, v) => binary(self, p, "<>", v),
            Cond::Lt(p, v) => binary(self, p, "<", v),
            Cond::Gt(p, v) => binary(self, p, ">", v),
            Cond::In(p, vs) => {
                let p = self.path(p);
                let vs = vs
                    .iter()
                    .map(|v| self.value(v.clone()))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("{p} IN ({vs})")
            }
            Cond::Contains(p, needle) => {
                let (p, v) = (self.path(p), self.value(Value::from(needle.clone())));
                format!("contains({p}, {v})")
            }
            Cond::And(all) => self.join(
                all,
                " AND ",
                "attribute_exists(PK) OR attribute_not_exists(PK)",
            ),
            Cond::Or(any) => self.join(
                any,
                " OR ",
                "attribute_exists(PK) AND attribute_not_exists(PK)",
            ),
            Cond::Not(c) => format!("NOT {}", self.operand(c)),
        }
    }

    /// DynamoDB refuses redundant parentheses, so only compound parts are wrapped.
    fn join(&mut self, conds: &[Cond], sep: &str, empty: &str) -> String {
        match conds {
            [] => empty.to_string(),
            [single] => self.cond(single),
            many => many
                .iter()
                .map(|c| self.operand(c))
                .collect::<Vec<_>>()
                .join(sep),
        }
    }

    /// A part of a compound condition: wrapped when compound itself, the empty And and Or
    /// too (they render as `… OR …` and `… AND …` on the key).
    fn operand(&mut self, cond: &Cond) -> String {
        match cond {
            Cond::And(parts) | Cond::Or(parts) if parts.len() != 1 => {
                format!("({})", self.cond(cond))
            }
            _ => self.cond(cond),
        }
    }

    fn update(&mut self, update: &Update) -> String {
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        for action in &update.actions {
            match action {
                Action::Set(p, v) => {
                    let (p, v) = (self.path(p), self.value(v.clone()));
                    sets.push(format!("{p} = {v}"));
                }
                Action::Remove(p) => removes.push(self.path(p)),
                Action::Increment(p, by) => {
                    let (p, zero, by) = (
                        self.path(p),
                        self.value(Value::from(0)),
                        self.value(Value::from(*by)),
                    );
                    sets.push(format!("{p} = if_not_exists({p}, {zero}) + {by}"));
                }
                Action::Append(p, values) => {
                    let p = self.path(p);
                    let empty = self.value(Value::Array(vec![]));
                    let values = self.value(Value::Array(values.clone()));
                    sets.push(format!(
                        "{p} = list_append(if_not_exists({p}, {empty}), {values})"
                    ));
                }
            }
        }
        let mut expression = String::new();
        if !sets.is_empty() {
            expression.push_str(&format!("SET {}", sets.join(", ")));
        }
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        expression.trim().to_string()
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| {
            self.names
                .iter()
                .enumerate()
                .map(|(i, n)| (format!("#n{i}"), n.clone()))
                .collect()
        })
    }

    fn values(&self) -> Result<Option<Attrs>, StoreError> {
        if self.values.is_empty() {
            return Ok(None);
        }
        let mut attrs = HashMap::new();
        for (i, v) in self.values.iter().enumerate() {
            attrs.insert(format!(":v{i}"), to_attr(v)?);
        }
        Ok(Some(attrs))
    }
}

fn key_attrs(key: &Key) -> Attrs {
    HashMap::from([
        (PK.to_string(), AttributeValue::S(key.pk.clone())),
        (SK.to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

fn to_attr(value: &Value) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value)
        .map_err(|e| StoreError::Invalid(format!("cannot store value: {e}")))
}

fn to_attrs(item: &Item) -> Result<Attrs, StoreError> {
    // Absent and null mean the same to the domain; DynamoDB keeps no NULL attributes from us.
    item.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| Ok((k.clone(), to_attr(v)?)))
        .collect()
}

fn from_attrs(attrs: Attrs) -> Result<Item, StoreError> {
    serde_dynamo::from_item(attrs)
        .map_err(|e| StoreError::Backend(format!("cannot read stored item: {e}")))
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn sdk_error<E, R>(operation: &str, err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().unwrap_or_default().to_string();
    match code.as_str() {
        "ConditionalCheckFailedException" => {
            let old = match &err {
                SdkError::ServiceError(service) => conditional_item(service.err()),
                _ => None,
            };
            StoreError::ConditionFailed {
                old: old.map(Box::new),
            }
        }
        "ProvisionedThroughputExceededException"
        | "ThrottlingException"
        | "RequestLimitExceeded" => StoreError::Throttled,
        "ValidationException" => StoreError::Invalid(format!(
            "{operation}: {}",
            err.message().unwrap_or_default()
        )),
        _ => StoreError::Backend(format!(
            "{operation}: {}",
            aws_smithy_types::error::display::DisplayErrorContext(&err)
        )),
    }
}

/// The old item that DynamoDB returns with a failed condition (`ALL_OLD`).
fn conditional_item<E: std::error::Error + 'static>(err: &E) -> Option<Item> {
    use aws_sdk_dynamodb::operation::{
        delete_item::DeleteItemError, put_item::PutItemError, update_item::UpdateItemError,
    };
    let any: &dyn std::error::Error = err;
    let attrs = if let Some(PutItemError::ConditionalCheckFailedException(e)) =
        any.downcast_ref::<PutItemError>()
    {
        e.item.clone()
    } else if let Some(UpdateItemError::ConditionalCheckFailedException(e)) =
        any.downcast_ref::<UpdateItemError>()
    {
        e.item.clone()
    } else if let Some(DeleteItemError::ConditionalCheckFailedException(e)) =
        any.downcast_ref::<DeleteItemError>()
    {
        e.item.clone()
    } else {
        None
    };
    attrs.and_then(|a| from_attrs(a).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// One condition rendered on fresh placeholders: (expression, names, values).
    fn render(cond: &Cond) -> (String, Vec<String>, Vec<Value>) {
        let mut exprs = Exprs::default();
        let expression = exprs.cond(cond);
        (expression, exprs.names, exprs.values)
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    // The always-true and always-false conditions an empty And and Or stand for.
    const TRUE: &str = "attribute_exists(PK) OR attribute_not_exists(PK)";
    const FALSE: &str = "attribute_exists(PK) AND attribute_not_exists(PK)";

    #[test]
    fn conditions_render_to_placeholders() {
        let cases: Vec<(Cond, &str, &[&str], Vec<Value>)> = vec![
            // Every attribute name is a placeholder, so reserved words need no care.
            (
                Cond::exists("status"),
                "attribute_exists(#n0)",
                &["status"],
                vec![],
            ),
            (
                Cond::not_exists("PK"),
                "attribute_not_exists(#n0)",
                &["PK"],
                vec![],
            ),
            (
                Cond::eq("name", "Ann"),
                "#n0 = :v0",
                &["name"],
                vec![json!("Ann")],
            ),
            (Cond::ne("size", 3), "#n0 <> :v0", &["size"], vec![json!(3)]),
            (
                Cond::lt("version", 5),
                "#n0 < :v0",
                &["version"],
                vec![json!(5)],
            ),
            (
                Cond::gt("at", "2025-01-01"),
                "#n0 > :v0",
                &["at"],
                vec![json!("2025-01-01")],
            ),
            (
                Cond::contains("search", "ann"),
                "contains(#n0, :v0)",
                &["search"],
                vec![json!("ann")],
            ),
            // A dotted path is one placeholder per segment; a name repeated is named once.
            (
                Cond::eq("pickup.state", "done"),
                "#n0.#n1 = :v0",
                &["pickup", "state"],
                vec![json!("done")],
            ),
            (
                Cond::eq("pickup.state", "a").and(Cond::eq("dropoff.state", "b")),
                "#n0.#n1 = :v0 AND #n2.#n1 = :v1",
                &["pickup", "state", "dropoff"],
                vec![json!("a"), json!("b")],
            ),
            (
                Cond::one_of("status", ["placed", "scheduled", "started"]),
                "#n0 IN (:v0, :v1, :v2)",
                &["status"],
                vec![json!("placed"), json!("scheduled"), json!("started")],
            ),
            (
                Cond::one_of("status", ["placed"]),
                "#n0 IN (:v0)",
                &["status"],
                vec![json!("placed")],
            ),
            // Values are not shared, even when equal.
            (
                Cond::Or(vec![Cond::eq("a", 1), Cond::eq("b", 1)]),
                "#n0 = :v0 OR #n1 = :v1",
                &["a", "b"],
                vec![json!(1), json!(1)],
            ),
        ];
        for (cond, expression, names, values) in cases {
            assert_eq!(
                render(&cond),
                (expression.to_string(), strings(names), values),
                "{cond:?}"
            );
        }
    }

    #[test]
    fn compound_conditions_parenthesise_only_compound_parts() {
        let (a, b, c) = (Cond::eq("a", 1), Cond::eq("b", 2), Cond::exists("c"));
        let cases: Vec<(Cond, &str)> = vec![
            (Cond::And(vec![a.clone()]), "#n0 = :v0"),
            (Cond::Or(vec![a.clone()]), "#n0 = :v0"),
            (
                Cond::And(vec![a.clone(), b.clone(), c.clone()]),
                "#n0 = :v0 AND #n1 = :v1 AND attribute_exists(#n2)",
            ),
            (
                Cond::Or(vec![Cond::And(vec![a.clone(), b.clone()]), c.clone()]),
                "(#n0 = :v0 AND #n1 = :v1) OR attribute_exists(#n2)",
            ),
            (
                Cond::And(vec![Cond::Or(vec![a.clone(), b.clone()]), c.clone()]),
                "(#n0 = :v0 OR #n1 = :v1) AND attribute_exists(#n2)",
            ),
            (
                Cond::And(vec![Cond::Or(vec![a.clone()]), c.clone()]),
                "#n0 = :v0 AND attribute_exists(#n1)",
            ),
            (Cond::Not(Box::new(c.clone())), "NOT attribute_exists(#n0)"),
            (
                Cond::Not(Box::new(Cond::And(vec![a.clone(), b.clone()]))),
                "NOT (#n0 = :v0 AND #n1 = :v1)",
            ),
            (
                Cond::Not(Box::new(Cond::Or(vec![a.clone()]))),
                "NOT #n0 = :v0",
            ),
            (
                Cond::Not(Box::new(Cond::Not(Box::new(c.clone())))),
                "NOT NOT attribute_exists(#n0)",
            ),
            (
                Cond::Or(vec![
                    Cond::Not(Box::new(Cond::eq("pickup.state", "done"))),
                    Cond::And(vec![
                        Cond::one_of("status", ["placed", "failed"]),
                        Cond::Or(vec![
                            Cond::contains("notes", "x"),
                            Cond::not_exists("notes"),
                        ]),
                    ]),
                ]),
                "NOT #n0.#n1 = :v0 OR (#n2 IN (:v1, :v2) AND (contains(#n3, :v3) \
                 OR attribute_not_exists(#n3)))",
            ),
        ];
        for (cond, expression) in cases {
            assert_eq!(render(&cond).0, expression, "{cond:?}");
        }
    }

    /// An empty And holds, an empty Or does not (as `Cond::holds` has them): each renders
    /// as a compound condition on the key, so it is wrapped like one wherever it is a part.
    #[test]
    fn empty_and_and_or_are_true_and_false_wherever_they_stand() {
        let a = Cond::eq("a", 1);
        let cases: Vec<(Cond, String)> = vec![
            (Cond::And(vec![]), TRUE.into()),
            (Cond::Or(vec![]), FALSE.into()),
            (
                Cond::Not(Box::new(Cond::And(vec![]))),
                format!("NOT ({TRUE})"),
            ),
            (
                Cond::Not(Box::new(Cond::Or(vec![]))),
                format!("NOT ({FALSE})"),
            ),
            (
                Cond::And(vec![a.clone(), Cond::And(vec![])]),
                format!("#n0 = :v0 AND ({TRUE})"),
            ),
            (
                Cond::Or(vec![a.clone(), Cond::Or(vec![])]),
                format!("#n0 = :v0 OR ({FALSE})"),
            ),
        ];
        for (cond, expression) in cases {
            let (rendered, names, values) = render(&cond);
            assert_eq!(rendered, expression, "{cond:?}");
            let placeholders = usize::from(rendered.contains("#n0"));
            assert_eq!((names.len(), values.len()), (placeholders, placeholders));
        }
    }

    #[test]
    fn updates_render_set_then_remove() {
        let cases: Vec<(Update, &str, &[&str], Vec<Value>)> = vec![
            (Update::new(), "", &[], vec![]),
            (
                Update::new().set("status", "done"),
                "SET #n0 = :v0",
                &["status"],
                vec![json!("done")],
            ),
            (
                Update::new()
                    .set("status", "done")
                    .set("pickup.state", "done"),
                "SET #n0 = :v0, #n1.#n2 = :v1",
                &["status", "pickup", "state"],
                vec![json!("done"), json!("done")],
            ),
            (Update::new().remove("eta"), "REMOVE #n0", &["eta"], vec![]),
            (
                Update::new().remove("eta").remove("pickup.driver"),
                "REMOVE #n0, #n1.#n2",
                &["eta", "pickup", "driver"],
                vec![],
            ),
            // Removes come after the sets, whatever the order they were added in.
            (
                Update::new().remove("eta").set("name", "Ann"),
                "SET #n1 = :v0 REMOVE #n0",
                &["eta", "name"],
                vec![json!("Ann")],
            ),
            (
                Update::new().set_or_remove("phone", None),
                "REMOVE #n0",
                &["phone"],
                vec![],
            ),
            (
                Update::new().increment("version", 1),
                "SET #n0 = if_not_exists(#n0, :v0) + :v1",
                &["version"],
                vec![json!(0), json!(1)],
            ),
            (
                Update::new().append("timeline", vec![json!({"at": "t"})]),
                "SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)",
                &["timeline"],
                vec![json!([]), json!([{"at": "t"}])],
            ),
            (
                Update::new()
                    .increment("version", -2)
                    .set("status", "failed")
                    .remove("status_reason"),
                "SET #n0 = if_not_exists(#n0, :v0) + :v1, #n1 = :v2 REMOVE #n2",
                &["version", "status", "status_reason"],
                vec![json!(0), json!(-2), json!("failed")],
            ),
        ];
        for (update, expression, names, values) in cases {
            let mut exprs = Exprs::default();
            assert_eq!(exprs.update(&update), expression, "{update:?}");
            assert_eq!(
                (exprs.names, exprs.values),
                (strings(names), values),
                "{update:?}"
            );
        }
    }

    /// UpdateItem renders the update, then its condition, on the same placeholders.
    #[test]
    fn an_update_and_its_condition_share_names_but_not_values() {
        let mut exprs = Exprs::default();
        let update = exprs.update(&Update::new().set("version", 2).set("status", "done"));
        let cond = exprs.cond(&Cond::eq("version", 1).and(Cond::exists("PK")));
        assert_eq!(update, "SET #n0 = :v0, #n1 = :v1");
        assert_eq!(cond, "#n0 = :v2 AND attribute_exists(#n2)");
        assert_eq!(
            exprs.names(),
            Some(HashMap::from([
                ("#n0".to_string(), "version".to_string()),
                ("#n1".to_string(), "status".to_string()),
                ("#n2".to_string(), "PK".to_string()),
            ]))
        );
        assert_eq!(
            exprs.values().unwrap(),
            Some(HashMap::from([
                (":v0".to_string(), AttributeValue::N("2".into())),
                (":v1".to_string(), AttributeValue::S("done".into())),
                (":v2".to_string(), AttributeValue::N("1".into())),
            ]))
        );
    }

    #[test]
    fn no_placeholders_leave_the_maps_out() {
        // DynamoDB refuses empty ExpressionAttributeNames/Values maps: they must be absent.
        let mut exprs = Exprs::default();
        assert_eq!(exprs.cond(&Cond::And(vec![])), TRUE);
        assert_eq!(exprs.names(), None);
        assert_eq!(exprs.values().unwrap(), None);

        exprs.cond(&Cond::exists("a"));
        assert_eq!(
            exprs.names(),
            Some(HashMap::from([("#n0".to_string(), "a".to_string())]))
        );
        assert_eq!(exprs.values().unwrap(), None, "names without values");

        let mut exprs = Exprs::default();
        exprs.value(json!({"list": [true, null], "n": 1.5}));
        assert_eq!(exprs.names(), None, "values without names");
        assert_eq!(
            exprs.values().unwrap(),
            Some(HashMap::from([(
                ":v0".to_string(),
                AttributeValue::M(HashMap::from([
                    (
                        "list".to_string(),
                        AttributeValue::L(vec![
                            AttributeValue::Bool(true),
                            AttributeValue::Null(true)
                        ])
                    ),
                    ("n".to_string(), AttributeValue::N("1.5".into())),
                ]))
            )]))
        );
    }

    #[test]
    fn a_name_is_one_placeholder_however_often_it_is_used() {
        let mut exprs = Exprs::default();
        assert_eq!(exprs.name("status"), "#n0");
        assert_eq!(exprs.path("order.status"), "#n1.#n0");
        assert_eq!(exprs.path("status.order.status"), "#n0.#n1.#n0");
        assert_eq!(exprs.names, strings(&["status", "order"]));
        assert_eq!(exprs.value(json!(1)), ":v0");
        assert_eq!(exprs.value(json!(1)), ":v1");
    }
}

//! The storage port: a single DynamoDB-style table of items addressed by `PK`/`SK`, with
//! two global secondary indexes, conditional writes and all-or-nothing transactions.
//! Two adapters implement it: [`dynamo::DynamoStore`] (AWS and moto) and, with the
//! `embedded` feature, [`embedded::EmbeddedStore`] (SQLite in a data directory).
//! Access patterns and keys are documented in `infra/DATA_MODEL.md` and built in [`keys`].

pub mod clients;
pub mod couriers;
pub mod dynamo;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod expr;
pub mod keys;
pub mod orders;
pub mod pages;
pub mod records;

use async_trait::async_trait;
use serde_json::Value;

pub use expr::{Cond, Update};

/// One stored item: attribute name → JSON value (strings, numbers, booleans, lists, maps).
pub type Item = serde_json::Map<String, Value>;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
/// Attribute that DynamoDB's TTL (and the embedded store's sweeper) expires items by.
pub const TTL: &str = "ttl";

/// The table's primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// The table's global secondary indexes (names and key attributes match `template.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Gsi1,
    Gsi2,
    Gsi3,
    /// Sparse: drafts only (`DRAFTS` / `{createdAt}#{orderId}`), for the draft reminders.
    Gsi4,
}

impl Index {
    pub const ALL: [Index; 4] = [Index::Gsi1, Index::Gsi2, Index::Gsi3, Index::Gsi4];

    pub fn name(self) -> &'static str {
        match self {
            Index::Gsi1 => "GSI1",
            Index::Gsi2 => "GSI2",
            Index::Gsi3 => "GSI3",
            Index::Gsi4 => "GSI4",
        }
    }

    pub fn pk_attr(self) -> &'static str {
        match self {
            Index::Gsi1 => "GSI1PK",
            Index::Gsi2 => "GSI2PK",
            Index::Gsi3 => "GSI3PK",
            Index::Gsi4 => "GSI4PK",
        }
    }

    pub fn sk_attr(self) -> &'static str {
        match self {
            Index::Gsi1 => "GSI1SK",
            Index::Gsi2 => "GSI2SK",
            Index::Gsi3 => "GSI3SK",
            Index::Gsi4 => "GSI4SK",
        }
    }

    /// The index holds only the keys (`KEYS_ONLY` in template.yaml), not a copy of the item:
    /// the point lookups (an order by short id, by tracking token) read the keys, then the
    /// item. A copy of the order in each would cost its write units again on every change.
    pub fn keys_only(self) -> bool {
        matches!(self, Index::Gsi2 | Index::Gsi3)
    }
}

/// Condition on the sort key of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum SkCond {
    BeginsWith(String),
    /// Inclusive on both ends, as DynamoDB's BETWEEN.
    Between(String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub index: Option<Index>,
    pub pk: String,
    pub sk: Option<SkCond>,
    /// Descending sort-key order (newest first for ULID-based keys).
    pub descending: bool,
    /// Items to read before filtering (DynamoDB's `Limit`).
    pub limit: Option<u32>,
    /// Continue after this key (a previous page's `last_key`).
    pub start_after: Option<Item>,
    pub filter: Option<Cond>,
}

impl Query {
    pub fn partition(pk: impl Into<String>) -> Self {
        Self {
            index: None,
            pk: pk.into(),
            sk: None,
            descending: false,
            limit: None,
            start_after: None,
            filter: None,
        }
    }

    pub fn on(mut self, index: Index) -> Self {
        self.index = Some(index);
        self
    }

    pub fn sk_begins_with(mut self, prefix: impl Into<String>) -> Self {
        self.sk = Some(SkCond::BeginsWith(prefix.into()));
        self
    }

    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn start_after(mut self, key: Option<Item>) -> Self {
        self.start_after = key;
        self
    }

    pub fn filter(mut self, cond: Option<Cond>) -> Self {
        self.filter = cond;
        self
    }

    /// The attributes a page's `last_key` holds for this query (table key plus index key).
    pub fn key_attrs(&self) -> Vec<&'static str> {
        let mut attrs = vec![PK, SK];
        if let Some(index) = self.index {
            attrs.push(index.pk_attr());
            attrs.push(index.sk_attr());
        }
        attrs
    }
}

/// A read of the whole table, a page at a time (DynamoDB's Scan, sequential, never
/// parallel): for rare operator commands only (`portal-admin replay-notifications`), never
/// a request path. Billed on every item read, whatever the filter keeps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    pub filter: Option<Cond>,
    /// The attributes returned (the key attributes are always returned).
    pub projection: Vec<String>,
    /// Items to read before filtering.
    pub limit: Option<u32>,
    /// Continue after this key (a previous page's `last_key`).
    pub start_after: Option<Item>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
    /// Present when more items may follow: pass it as `start_after`.
    pub last_key: Option<Item>,
}

/// One write of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        cond: Option<Cond>,
    },
    Update {
        key: Key,
        update: Update,
        cond: Option<Cond>,
    },
    Delete {
        key: Key,
        cond: Option<Cond>,
    },
    Check {
        key: Key,
        cond: Cond,
    },
}

impl Write {
    pub fn key(&self) -> Key {
        match self {
            Write::Put { item, .. } => item_key(item).unwrap_or_else(|| Key::new("", "")),
            Write::Update { key, .. } | Write::Delete { key, .. } | Write::Check { key, .. } => {
                key.clone()
            }
        }
    }
}

/// Why one write of a cancelled transaction did not go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// This write was fine; another one cancelled the transaction.
    None,
    ConditionFailed,
    /// Another transaction was writing the same item at the same moment.
    Conflict,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the condition of the write did not hold")]
    ConditionFailed {
        /// The item as it was (DynamoDB's `ReturnValuesOnConditionCheckFailure=ALL_OLD`).
        old: Option<Box<Item>>,
    },
    #[error("the transaction was cancelled: {reasons:?}")]
    TransactionCanceled { reasons: Vec<CancelReason> },
    #[error("the store is throttling requests")]
    Throttled,
    #[error("the store rejected the request: {0}")]
    Invalid(String),
    #[error("the store failed: {0}")]
    Backend(String),
    /// A listing's cursor that is not one of ours, or not of this listing's partition.
    #[error("the cursor is not valid")]
    InvalidCursor,
}

impl StoreError {
    /// For a cancelled transaction: did the write at `index` fail its condition?
    pub fn condition_failed_at(&self, index: usize) -> bool {
        matches!(self, StoreError::TransactionCanceled { reasons } if reasons.get(index) == Some(&CancelReason::ConditionFailed))
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::TransactionCanceled { reasons } if reasons.contains(&CancelReason::Conflict))
    }
}

/// The storage port. Every write that must be unique or must not race carries a condition.
#[async_trait]
pub trait Store: Send + Sync {
    /// Strongly consistent read of one item.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;
    /// Several items in one call (BatchGetItem), in the order of `keys`.
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError>;
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError>;
    /// Applies `update` when `cond` holds and returns the item as it is afterwards.
    async fn update(
        &self,
        key: &Key,
        update: &Update,
        cond: Option<Cond>,
    ) -> Result<Item, StoreError>;
    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError>;
    /// All writes or none (at most 100, each on a different item).
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;
    /// Many writes, each on its own (not all-or-nothing; each item at most once): one
    /// result per write, in order, where a failed condition is that write's
    /// `Err(ConditionFailed)` and the others still apply. On DynamoDB unconditional puts and
    /// deletes go 25 to a BatchWriteItem and conditional writes one call each, several calls
    /// in flight; the embedded store applies them in one SQLite transaction. `Check` writes
    /// are refused. An `Err` of the whole call (throttled, backend) may have applied some.
    async fn write_each(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Result<(), StoreError>>, StoreError>;
    async fn query(&self, query: &Query) -> Result<Page, StoreError>;
}

/// Reads the whole table a page at a time: an operator's tool only (`portal-admin
/// replay-notifications`), never a request path. It is a port of its own, not a method of
/// [`Store`], so no function's binary links DynamoDB's Scan and no handler can call it
/// (handlers hold a `dyn Store`).
#[async_trait]
pub trait Scanner: Send + Sync {
    /// One page of a [`Scan`].
    async fn scan(&self, scan: &Scan) -> Result<Page, StoreError>;
}

/// An item's size as DynamoDB counts it: attribute names plus values (strings by their
/// UTF-8 length, numbers about one byte per two digits plus one, lists and maps 3 bytes
/// plus one per element).
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn value_size(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len(),
        Value::Number(n) => {
            n.to_string()
                .trim_start_matches('-')
                .replace('.', "")
                .len()
                .div_ceil(2)
                + 1
        }
        Value::Bool(_) | Value::Null => 1,
        Value::Array(items) => 3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        Value::Object(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
    }
}

/// The primary key of an item, when it has one.
pub fn item_key(item: &Item) -> Option<Key> {
    Some(Key::new(item.get(PK)?.as_str()?, item.get(SK)?.as_str()?))
}

/// The most writes one BatchWriteItem holds (DynamoDB's limit).
pub const MAX_BATCH_WRITES: usize = 25;

/// Checks a [`Store::write_each`] call: no condition check, no item twice.
pub fn validate_write_each(writes: &[Write]) -> Result<(), StoreError> {
    let mut seen = std::collections::HashSet::with_capacity(writes.len());
    for write in writes {
        if matches!(write, Write::Check { .. }) {
            return Err(StoreError::Invalid(
                "a condition check needs a transaction".into(),
            ));
        }
        if !seen.insert(write.key()) {
            return Err(StoreError::Invalid(
                "one call of write_each cannot write one item twice".into(),
            ));
        }
    }
    Ok(())
}

/// The most writes one transaction holds (DynamoDB's limit).
pub const MAX_TRANSACTION_WRITES: usize = 100;

/// Checks a transaction the way DynamoDB does before running it.
pub fn validate_transaction(writes: &[Write]) -> Result<(), StoreError> {
    if writes.is_empty() || writes.len() > MAX_TRANSACTION_WRITES {
        return Err(StoreError::Invalid(format!(
            "a transaction holds 1 to 100 writes, not {}",
            writes.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for write in writes {
        if !seen.insert(write.key()) {
            return Err(StoreError::Invalid(
                "a transaction cannot write one item twice".into(),
            ));
        }
    }
    Ok(())
}

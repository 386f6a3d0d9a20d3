//! The store the use cases write through, metering every call as DynamoDB on-demand bills
//! it, from the items themselves (read before and after each call on the embedded store,
//! outside the meter):
//!
//! - an item's size is its attribute names plus values ([`item_size`]);
//! - a write is `ceil(size / 1 KB)` write units on the larger of the item before and after
//!   (a delete: the item deleted; a write whose condition fails is billed all the same);
//!   inside a transaction every write, delete and condition check counts twice;
//! - every index whose keys the item carries gets its projection of the item: an index
//!   entry is the projected attributes plus the table's and the index's keys plus 100
//!   bytes; a put or a change of what the index projects writes it (`ceil(entry / 1 KB)`),
//!   a change of the index's keys deletes the old entry and writes the new one, losing the
//!   keys deletes it; an update that changes nothing the index projects writes nothing there;
//! - a read is `ceil(size / 4 KB)` read units, strongly consistent (`get`, `batch_get`, per
//!   item, an absent item 1) or half of it eventually consistent (`query`: the sum of the
//!   items read before the filter, rounded up once per page). Index queries read the index
//!   entries (their projection).

use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use portal::store::{
    item_key, item_size, Cond, Index, Item, Key, Page, Query, Store, StoreError, Update, Write,
};

use super::template::Projection;

/// What the calls of one phase cost, by operation.
#[derive(Debug, Default, Clone)]
pub struct Meter {
    /// Write units of the table, by operation (`PutItem`, `TransactWriteItems`, …).
    pub table_writes: BTreeMap<&'static str, f64>,
    /// Write units of the indexes' copies, by index.
    pub index_writes: BTreeMap<&'static str, f64>,
    /// Read units, by operation.
    pub reads: BTreeMap<&'static str, f64>,
    /// Calls, by operation.
    pub calls: BTreeMap<&'static str, u64>,
    /// Write units by the kind of item written (the sort key's first segment), table and
    /// indexes together: what dominates.
    pub writes_by_item: BTreeMap<String, f64>,
    /// Items written (puts, updates, deletes, checks), all calls.
    pub items_written: u64,
}

impl Meter {
    pub fn read_units(&self) -> f64 {
        self.reads.values().sum()
    }
    pub fn add(&mut self, other: &Meter) {
        for (k, v) in &other.table_writes {
            *self.table_writes.entry(k).or_default() += v;
        }
        for (k, v) in &other.index_writes {
            *self.index_writes.entry(k).or_default() += v;
        }
        for (k, v) in &other.reads {
            *self.reads.entry(k).or_default() += v;
        }
        for (k, v) in &other.calls {
            *self.calls.entry(k).or_default() += v;
        }
        for (k, v) in &other.writes_by_item {
            *self.writes_by_item.entry(k.clone()).or_default() += v;
        }
        self.items_written += other.items_written;
    }
}

pub struct Metered {
    inner: Arc<dyn Store>,
    projections: Vec<(Index, Projection)>,
    meter: Mutex<Meter>,
    /// Calls and transactions so far (for the time a deployed function waits on them).
    calls: AtomicU64,
    transactions: AtomicU64,
}

fn kb_units(bytes: usize, unit: usize) -> f64 {
    bytes.div_ceil(unit).max(1) as f64
}

/// The kind of an item, for the breakdown: `COURIER/ORDER`, `SEARCH/*`, `NOTIF/NOTIF`…
/// (each key's first segment, `*` for one that is a value rather than a constant).
fn kind_of(key: &Key) -> String {
    let head = |s: &str| {
        let head = s.split('#').next().unwrap_or("");
        if !head.is_empty() && head.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            head.to_string()
        } else {
            "*".to_string()
        }
    };
    format!("{}/{}", head(&key.pk), head(&key.sk))
}

impl Metered {
    pub fn new(inner: Arc<dyn Store>, projections: Vec<(Index, Projection)>) -> Self {
        Self {
            inner,
            projections,
            meter: Mutex::default(),
            calls: AtomicU64::default(),
            transactions: AtomicU64::default(),
        }
    }

    /// What was metered since the last call, and a fresh meter.
    pub fn take(&self) -> Meter {
        std::mem::take(&mut *self.meter.lock().unwrap())
    }

    /// The index entry of `item` in `index` (projected attributes and the keys), if the
    /// item carries the index's keys.
    fn entry(&self, index: Index, projection: &Projection, item: &Item) -> Option<Item> {
        let (pk, sk) = (index.pk_attr(), index.sk_attr());
        if !(item.contains_key(pk) && item.contains_key(sk)) {
            return None;
        }
        Some(
            item.iter()
                .filter(|(name, _)| {
                    [portal::store::PK, portal::store::SK, pk, sk].contains(&name.as_str())
                        || projection.projects(name)
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// Bills one item's write: `old` and `new` as they were and are (`new` = `old` after a
    /// failed condition; `attempted` the item a put tried to write).
    fn bill_write(
        &self,
        op: &'static str,
        key: &Key,
        old: &Option<Item>,
        new: &Option<Item>,
        attempted: Option<&Item>,
        factor: f64,
    ) {
        let size = [old.as_ref(), new.as_ref(), attempted]
            .into_iter()
            .flatten()
            .map(item_size)
            .max()
            .unwrap_or(0);
        let table = kb_units(size, 1024) * factor;
        let mut index_total = 0.0;
        let mut meter = self.meter.lock().unwrap();
        for (index, projection) in &self.projections {
            let before = old.as_ref().and_then(|i| self.entry(*index, projection, i));
            let after = new.as_ref().and_then(|i| self.entry(*index, projection, i));
            let units = match (&before, &after) {
                (None, None) => 0.0,
                (Some(b), None) => kb_units(item_size(b) + 100, 1024),
                (None, Some(a)) => kb_units(item_size(a) + 100, 1024),
                (Some(b), Some(a)) if b == a => 0.0,
                (Some(b), Some(a)) => {
                    let same_keys = b.get(index.pk_attr()) == a.get(index.pk_attr())
                        && b.get(index.sk_attr()) == a.get(index.sk_attr());
                    if same_keys {
                        kb_units(item_size(a) + 100, 1024)
                    } else {
                        kb_units(item_size(b) + 100, 1024) + kb_units(item_size(a) + 100, 1024)
                    }
                }
            };
            if units > 0.0 {
                *meter.index_writes.entry(index.name()).or_default() += units;
                index_total += units;
            }
        }
        *meter.table_writes.entry(op).or_default() += table;
        *meter.writes_by_item.entry(kind_of(key)).or_default() += table + index_total;
        meter.items_written += 1;
    }

    fn bill_read(&self, op: &'static str, units: f64) {
        let mut meter = self.meter.lock().unwrap();
        *meter.reads.entry(op).or_default() += units;
    }

    /// Calls and transactions so far.
    pub fn calls(&self) -> (u64, u64) {
        (
            self.calls.load(Ordering::SeqCst),
            self.transactions.load(Ordering::SeqCst),
        )
    }

    /// Calls and transactions since `before` (what [`Metered::calls`] said then).
    pub fn calls_since(&self, before: (u64, u64)) -> (u64, u64) {
        let now = self.calls();
        (now.0 - before.0, now.1 - before.1)
    }

    fn call(&self, op: &'static str) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if op == "TransactWriteItems" {
            self.transactions.fetch_add(1, Ordering::SeqCst);
        }
        *self.meter.lock().unwrap().calls.entry(op).or_default() += 1;
    }

    async fn snapshot(&self, key: &Key) -> Option<Item> {
        self.inner.get(key).await.ok().flatten()
    }
}

#[async_trait]
impl Store for Metered {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.call("GetItem");
        let found = self.inner.get(key).await?;
        let size = found.as_ref().map(item_size).unwrap_or(0);
        self.bill_read("GetItem", kb_units(size, 4096));
        Ok(found)
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.call("BatchGetItem");
        let found = self.inner.batch_get(keys).await?;
        let units: f64 = found
            .iter()
            .map(|i| kb_units(i.as_ref().map(item_size).unwrap_or(0), 4096))
            .sum();
        self.bill_read("BatchGetItem", units);
        Ok(found)
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        self.call("PutItem");
        let key = item_key(&item).unwrap_or_else(|| Key::new("", ""));
        let old = self.snapshot(&key).await;
        let attempted = item.clone();
        let result = self.inner.put(item, cond).await;
        let new = self.snapshot(&key).await;
        self.bill_write("PutItem", &key, &old, &new, Some(&attempted), 1.0);
        result
    }

    async fn update(
        &self,
        key: &Key,
        update: &Update,
        cond: Option<Cond>,
    ) -> Result<Item, StoreError> {
        self.call("UpdateItem");
        let old = self.snapshot(key).await;
        let result = self.inner.update(key, update, cond).await;
        let new = self.snapshot(key).await;
        self.bill_write("UpdateItem", key, &old, &new, None, 1.0);
        result
    }

    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        self.call("DeleteItem");
        let old = self.snapshot(key).await;
        let result = self.inner.delete(key, cond).await;
        let new = self.snapshot(key).await;
        self.bill_write("DeleteItem", key, &old, &new, None, 1.0);
        result
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.call("TransactWriteItems");
        let mut before = Vec::with_capacity(writes.len());
        for write in &writes {
            let attempted = match write {
                Write::Put { item, .. } => Some(item.clone()),
                _ => None,
            };
            let checked = matches!(write, Write::Check { .. });
            before.push((
                write.key(),
                self.snapshot(&write.key()).await,
                attempted,
                checked,
            ));
        }
        let result = self.inner.transact(writes).await;
        for (key, old, attempted, checked) in before {
            if checked {
                let size = old.as_ref().map(item_size).unwrap_or(0);
                self.bill_check(&key, size);
                continue;
            }
            let new = self.snapshot(&key).await;
            self.bill_write(
                "TransactWriteItems",
                &key,
                &old,
                &new,
                attempted.as_ref(),
                2.0,
            );
        }
        result
    }

    async fn write_each(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        self.call("BatchWriteItem");
        let mut before = Vec::with_capacity(writes.len());
        for write in &writes {
            let attempted = match write {
                Write::Put { item, .. } => Some(item.clone()),
                _ => None,
            };
            before.push((write.key(), self.snapshot(&write.key()).await, attempted));
        }
        let result = self.inner.write_each(writes).await;
        for (key, old, attempted) in before {
            let new = self.snapshot(&key).await;
            self.bill_write("BatchWriteItem", &key, &old, &new, attempted.as_ref(), 1.0);
        }
        result
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.call("Query");
        let page = self.inner.query(query).await?;
        // DynamoDB reads every item up to the limit before the filter: the same query
        // without it, from the same start, read the items the filter saw.
        let read = if query.filter.is_some() {
            let mut unfiltered = query.clone();
            unfiltered.filter = None;
            let all = self.inner.query(&unfiltered).await?;
            // Stop where the filtered page stopped (its last key), when it did.
            match &page.last_key {
                Some(last) => {
                    let last = item_key(last);
                    let mut items = vec![];
                    for item in all.items {
                        let stop = item_key(&item) == last;
                        items.push(item);
                        if stop {
                            break;
                        }
                    }
                    items
                }
                None => all.items,
            }
        } else {
            page.items.clone()
        };
        let projection = query
            .index
            .and_then(|i| self.projections.iter().find(|(x, _)| *x == i).cloned());
        let bytes: usize = read
            .iter()
            .map(|item| match &projection {
                Some((index, p)) => self
                    .entry(*index, p, item)
                    .map(|e| item_size(&e))
                    .unwrap_or(0),
                None => item_size(item),
            })
            .sum();
        self.bill_read("Query", kb_units(bytes, 4096) / 2.0);
        Ok(page)
    }
}

impl Metered {
    fn bill_check(&self, key: &Key, size: usize) {
        let units = kb_units(size, 1024) * 2.0;
        let mut meter = self.meter.lock().unwrap();
        *meter
            .table_writes
            .entry("TransactWriteItems (check)")
            .or_default() += units;
        *meter.writes_by_item.entry(kind_of(key)).or_default() += units;
        meter.items_written += 1;
    }
}

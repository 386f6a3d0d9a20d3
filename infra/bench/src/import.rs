//! A 10,000-row import on the embedded store, through the portal's own route in process
//! (authorizer, `create-import`, the batched order transactions), timed: preflight, commit,
//! and the same file again (every row an update). Every write is measured as DynamoDB
//! would bill it (write units from the item's size, doubled inside a transaction), so the
//! figures also give the write units per row on DynamoDB.

use async_trait::async_trait;
use bytes::Bytes;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use portal::clock::SystemClock;
use portal::ctx::Config;
use portal::notify::Outbox;
use portal::store::embedded::EmbeddedStore;
use portal::store::{Cond, Index, Item, Key, Page, Query, Store, StoreError, Update, Write};
use portal::Ctx;
use portal_local::{LocalApp, Template};

pub async fn run(dir: &Path, rows: usize) -> Result<Value, Box<dyn std::error::Error>> {
    if dir.join("portal.sqlite3").exists() {
        return Err(format!(
            "{} already holds a portal: use a fresh directory",
            dir.display()
        )
        .into());
    }
    let store = EmbeddedStore::open(dir)?;
    let measured = Arc::new(Measured {
        inner: Arc::new(store.clone()),
        units: AtomicU64::default(),
        items: AtomicU64::default(),
        gsi_units: AtomicU64::default(),
    });
    let outbox = Arc::new(Outbox::new(store.clone()));
    let ctx = Arc::new(Ctx {
        store: measured.clone(),
        mailer: Some(outbox.clone()),
        sms: Some(outbox),
        pusher: None,
        clock: Arc::new(SystemClock),
        config: Config::from_env()?,
    });
    let app = LocalApp::new(ctx.clone(), &Template::built_in());
    let (_, key) = portal::api::couriers::create_courier(
        &ctx,
        "Bench Couriers",
        "dispatch@bench.example",
        "America/New_York",
    )
    .await?;
    let client = crate::seed::onboard_with(
        &app,
        &store,
        &key.secret,
        "Bloom Florist",
        0,
        json!({
            "allowOrderUpload": true,
            "defaultPickup": {"address": {"line1": "10 Depot Rd", "city": "San Francisco", "country": "US"}}
        }),
    )
    .await?;
    let sheet = sheet(rows);
    let mut out = json!({ "rows": rows, "bytes": sheet.len() });
    for (step, query) in [
        ("preflight", "?preflight=true&date=2026-12-02"),
        ("commit", "?date=2026-12-02"),
        ("reimport", "?date=2026-12-02"),
    ] {
        measured.units.store(0, Ordering::SeqCst);
        measured.items.store(0, Ordering::SeqCst);
        measured.gsi_units.store(0, Ordering::SeqCst);
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", format!("Bearer {}", client.1).parse()?);
        headers.insert("content-type", "text/csv".parse()?);
        let started = Instant::now();
        let cpu_before = cpu_seconds();
        let response = app
            .handle(
                "POST",
                &format!("/v1/imports{query}"),
                headers,
                Bytes::from(sheet.clone()),
            )
            .await;
        let seconds = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu_before;
        let body: Value = serde_json::from_slice(&response.body)?;
        if response.status >= 300 {
            return Err(format!("{step}: {} {body}", response.status).into());
        }
        let units = measured.units.load(Ordering::SeqCst);
        let items = measured.items.load(Ordering::SeqCst);
        let gsi_units = measured.gsi_units.load(Ordering::SeqCst);
        eprintln!(
            "{step}: {seconds:.3} s (CPU {cpu:.2} s), {}",
            body["counts"]
        );
        out[step] = json!({
            "seconds": seconds,
            "cpuSeconds": cpu,
            "counts": body["counts"],
            "itemsWritten": items,
            "writeUnits": units,
            "writeUnitsPerRow": units as f64 / rows as f64,
            "gsiWriteUnits": gsi_units,
            "gsiWriteUnitsPerRow": gsi_units as f64 / rows as f64,
        });
    }
    Ok(out)
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (in clock
/// ticks of 1/100 s): the work of a step apart from the time it waited for a busy machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// A realistic sheet: Circuit's headers, national phone numbers, time windows.
fn sheet(rows: usize) -> String {
    let mut csv = String::from("Id,Recipient Name,Address Line 1,City,State,Zip,Country,Recipient Phone Number,Recipient Email Address,Package Count,Earliest Time,Latest Time,Notes\r\n");
    for n in 0..rows {
        csv.push_str(&format!(
            "SO-{n:05},Customer {n},{} Market St,San Francisco,CA,941{:02},United States,(415) 555-{:04},customer{n}@example.com,{},{:02}:00,{:02}:30,Leave at the door\r\n",
            n % 900 + 1,
            n % 100,
            n % 10_000,
            n % 5 + 1,
            8 + n % 8,
            9 + n % 8,
        ));
    }
    csv
}

/// The store, measuring what each write would cost on DynamoDB: `ceil(size / 1 KB)` write
/// units per item, twice that inside a transaction (conditions checks count 1 KB units too).
struct Measured {
    inner: Arc<dyn Store>,
    units: AtomicU64,
    items: AtomicU64,
    /// Write units of the global secondary indexes' copies (every index projects ALL: a
    /// put of an item with an index's keys writes it there too, `ceil(size / 1 KB)` units).
    gsi_units: AtomicU64,
}

impl Measured {
    fn bill(&self, item_bytes: usize, factor: u64) {
        self.units.fetch_add(
            item_bytes.div_ceil(1024).max(1) as u64 * factor,
            Ordering::SeqCst,
        );
        self.items.fetch_add(1, Ordering::SeqCst);
    }

    fn bill_indexes(&self, item: &Item) {
        self.gsi_units
            .fetch_add(index_units(item), Ordering::SeqCst);
    }
}

pub use portal::store::item_size;

/// Write units of an item's copies in the indexes whose keys it has.
fn index_units(item: &Item) -> u64 {
    let copies = Index::ALL
        .iter()
        .filter(|i| item.contains_key(i.pk_attr()) && item.contains_key(i.sk_attr()))
        .count() as u64;
    if copies == 0 {
        return 0;
    }
    copies * item_size(item).div_ceil(1024).max(1) as u64
}

#[async_trait]
impl Store for Measured {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.inner.batch_get(keys).await
    }
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        self.bill(item_size(&item), 1);
        self.bill_indexes(&item);
        self.inner.put(item, cond).await
    }
    async fn update(
        &self,
        key: &Key,
        update: &Update,
        cond: Option<Cond>,
    ) -> Result<Item, StoreError> {
        let after = self.inner.update(key, update, cond).await?;
        self.bill(item_size(&after), 1);
        self.bill_indexes(&after);
        Ok(after)
    }
    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        self.bill(0, 1);
        self.inner.delete(key, cond).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let sizes: Vec<usize> = writes
            .iter()
            .map(|w| match w {
                Write::Put { item, .. } => item_size(item),
                _ => 0,
            })
            .collect();
        let index: u64 = writes
            .iter()
            .map(|w| match w {
                Write::Put { item, .. } => index_units(item),
                _ => 0,
            })
            .sum();
        self.inner.transact(writes).await?;
        for size in sizes {
            self.bill(size, 2);
        }
        self.gsi_units.fetch_add(index, Ordering::SeqCst);
        Ok(())
    }
    async fn write_each(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        // A write whose condition fails is billed too (as DynamoDB does).
        for write in &writes {
            match write {
                Write::Put { item, .. } => self.bill(item_size(item), 1),
                _ => self.bill(0, 1),
            }
        }
        let index: Vec<u64> = writes
            .iter()
            .map(|w| match w {
                Write::Put { item, .. } => index_units(item),
                _ => 0,
            })
            .collect();
        let outcomes = self.inner.write_each(writes).await?;
        let written: u64 = index
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.is_ok())
            .map(|(units, _)| units)
            .sum();
        self.gsi_units.fetch_add(written, Ordering::SeqCst);
        Ok(outcomes)
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
}

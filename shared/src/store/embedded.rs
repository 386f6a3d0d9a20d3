//! The embedded adapter of the storage port: one SQLite file in a data directory, so the
//! local portal keeps its state across restarts and the operator command can share it.
//! It keeps DynamoDB's semantics that the domain relies on: conditional writes, atomic
//! transactions with per-write cancellation reasons, key-ordered queries on the table and
//! its indexes, `Limit` before filtering, and a change log standing in for the stream.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::expr::{Cond, Update};
use super::{
    item_key, CancelReason, Index, Item, Key, Page, Query, Scan, Scanner, SkCond, Store,
    StoreError, Write, PK, SK,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL, sk TEXT NOT NULL, body TEXT NOT NULL,
    gsi1pk TEXT, gsi1sk TEXT, gsi2pk TEXT, gsi2sk TEXT, gsi3pk TEXT, gsi3sk TEXT,
    gsi4pk TEXT, gsi4sk TEXT,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi3 ON items (gsi3pk, gsi3sk, pk, sk) WHERE gsi3pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi4 ON items (gsi4pk, gsi4sk, pk, sk) WHERE gsi4pk IS NOT NULL;
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL,
    pk TEXT NOT NULL, sk TEXT NOT NULL, old TEXT, new TEXT
);
CREATE TABLE IF NOT EXISTS stream_cursor (
    consumer TEXT PRIMARY KEY, seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, channel TEXT NOT NULL,
    recipient TEXT NOT NULL, subject TEXT, body TEXT NOT NULL
);
";

/// One entry of the change log, as a stream record carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub seq: i64,
    pub at_ms: i64,
    pub key: Key,
    pub old: Option<Item>,
    pub new: Option<Item>,
}

#[derive(Clone)]
pub struct EmbeddedStore {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

/// A message captured instead of sent (local runs and tests).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: i64,
    pub at: String,
    pub channel: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
}

impl EmbeddedStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("portal.sqlite3");
        let conn = Connection::open(&path).map_err(db_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(db_error)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db_error)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db_error)?;
        // A page cache of 64 MB (the default is 2 MB): a batch of thousands of writes (an
        // import) stays in memory until its commit instead of spilling pages.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(db_error)?;
        conn.execute_batch(SCHEMA).map_err(db_error)?;
        migrate(&conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("embedded store task failed: {e}")))?
    }

    /// Runs writes atomically; on a failed condition returns each write's reason and the
    /// old item of the first failing write.
    async fn write(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Option<Item>>, (Vec<CancelReason>, Option<Item>, Option<StoreError>)> {
        self.run(move |conn| Ok(apply_writes(conn, &writes)))
            .await
            .unwrap_or_else(|e| Err((vec![], None, Some(e))))
    }

    /// Changes after `after_seq`, oldest first: the embedded stand-in for the table's stream.
    pub async fn changes_since(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<Change>, StoreError> {
        self.run(move |conn| {
            let mut stmt = conn
                .prepare("SELECT seq, at_ms, pk, sk, old, new FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2")
                .map_err(db_error)?;
            let rows = stmt
                .query_map(params![after_seq, limit as i64], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                })
                .map_err(db_error)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_error)?;
            rows.into_iter()
                .map(|(seq, at_ms, pk, sk, old, new)| {
                    Ok(Change {
                        seq,
                        at_ms,
                        key: Key::new(pk, sk),
                        old: old.as_deref().map(decode).transpose()?,
                        new: new.as_deref().map(decode).transpose()?,
                    })
                })
                .collect()
        })
        .await
    }

    /// The sequence number of the latest change (0 when there is none).
    pub async fn last_change_seq(&self) -> Result<i64, StoreError> {
        self.run(|conn| {
            conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
                r.get(0)
            })
            .map_err(db_error)
        })
        .await
    }

    /// Where `consumer` is in the change log (0 before its first change).
    pub async fn stream_position(&self, consumer: &str) -> Result<i64, StoreError> {
        let consumer = consumer.to_string();
        self.run(move |conn| {
            conn.query_row(
                "SELECT seq FROM stream_cursor WHERE consumer = ?1",
                params![consumer],
                |r| r.get(0),
            )
            .optional()
            .map(|seq| seq.unwrap_or(0))
            .map_err(db_error)
        })
        .await
    }

    /// Records that `consumer` has handled everything up to `seq`, and forgets changes
    /// older than a day that every consumer has passed (DynamoDB streams keep 24 hours).
    pub async fn set_stream_position(&self, consumer: &str, seq: i64) -> Result<(), StoreError> {
        let consumer = consumer.to_string();
        let day_ago = chrono::Utc::now().timestamp_millis() - 86_400_000;
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO stream_cursor (consumer, seq) VALUES (?1, ?2) ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq",
                params![consumer, seq],
            )
            .map_err(db_error)?;
            conn.execute(
                "DELETE FROM changes WHERE at_ms < ?1 AND seq <= (SELECT MIN(seq) FROM stream_cursor)",
                params![day_ago],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    /// Records a message in the outbox.
    pub async fn record_outbox(
        &self,
        channel: &str,
        to: &str,
        subject: Option<&str>,
        body: &str,
    ) -> Result<(), StoreError> {
        let (channel, to, subject, body) = (
            channel.to_string(),
            to.to_string(),
            subject.map(str::to_string),
            body.to_string(),
        );
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO outbox (at, channel, recipient, subject, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![at, channel, to, subject, body],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    /// Everything captured in the outbox, oldest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        self.run(|conn| {
            let mut stmt = conn
                .prepare("SELECT id, at, channel, recipient, subject, body FROM outbox ORDER BY id")
                .map_err(db_error)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(OutboxEntry {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        channel: r.get(2)?,
                        to: r.get(3)?,
                        subject: r.get(4)?,
                        body: r.get(5)?,
                    })
                })
                .map_err(db_error)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
        })
        .await
    }
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        self.run(move |conn| read_item(conn, &key)).await
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        let keys = keys.to_vec();
        self.run(move |conn| keys.iter().map(|k| read_item(conn, k)).collect())
            .await
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        self.write(vec![Write::Put { item, cond }])
            .await
            .map(|_| ())
            .map_err(single_failure)
    }

    async fn update(
        &self,
        key: &Key,
        update: &Update,
        cond: Option<Cond>,
    ) -> Result<Item, StoreError> {
        let write = Write::Update {
            key: key.clone(),
            update: update.clone(),
            cond,
        };
        let mut new = self.write(vec![write]).await.map_err(single_failure)?;
        Ok(new.pop().flatten().unwrap_or_default())
    }

    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        self.write(vec![Write::Delete {
            key: key.clone(),
            cond,
        }])
        .await
        .map(|_| ())
        .map_err(single_failure)
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        super::validate_transaction(&writes)?;
        self.write(writes)
            .await
            .map(|_| ())
            .map_err(|(reasons, _, error)| match error {
                Some(error) => error,
                None => StoreError::TransactionCanceled { reasons },
            })
    }

    async fn write_each(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        super::validate_write_each(&writes)?;
        if writes.is_empty() {
            return Ok(vec![]);
        }
        self.run(move |conn| apply_each(conn, writes)).await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        let query = query.clone();
        self.run(move |conn| run_query(conn, &query)).await
    }
}

#[async_trait]
impl Scanner for EmbeddedStore {
    async fn scan(&self, scan: &Scan) -> Result<Page, StoreError> {
        let scan = scan.clone();
        self.run(move |conn| run_scan(conn, &scan)).await
    }
}

/// A page of the whole table in key order, filtered and projected as DynamoDB does (the
/// filter after the limit, the key attributes always kept).
fn run_scan(conn: &Connection, scan: &Scan) -> Result<Page, StoreError> {
    let text = |attr: &str| {
        scan.start_after
            .as_ref()
            .and_then(|k| k.get(attr))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (after_pk, after_sk) = (text(PK).unwrap_or_default(), text(SK).unwrap_or_default());
    let limit = scan.limit.map(i64::from).unwrap_or(-1);
    let mut stmt = conn
        .prepare("SELECT body FROM items WHERE (pk, sk) > (?1, ?2) ORDER BY pk, sk LIMIT ?3")
        .map_err(db_error)?;
    let read = stmt
        .query_map(params![after_pk, after_sk, limit], |r| {
            r.get::<_, String>(0)
        })
        .map_err(db_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_error)?
        .iter()
        .map(|b| decode(b))
        .collect::<Result<Vec<_>, _>>()?;
    let last_key = match (scan.limit, read.last()) {
        (Some(limit), Some(last)) if read.len() as u32 == limit => item_key(last).map(|k| {
            Item::from_iter([(PK.to_string(), k.pk.into()), (SK.to_string(), k.sk.into())])
        }),
        _ => None,
    };
    let items = read
        .into_iter()
        .filter(|i| scan.filter.as_ref().is_none_or(|f| f.holds(Some(i))))
        .map(|mut item| {
            if !scan.projection.is_empty() {
                item.retain(|a, _| a == PK || a == SK || scan.projection.contains(a));
            }
            item
        })
        .collect();
    Ok(Page { items, last_key })
}

fn single_failure(
    (_, old, error): (Vec<CancelReason>, Option<Item>, Option<StoreError>),
) -> StoreError {
    error.unwrap_or(StoreError::ConditionFailed {
        old: old.map(Box::new),
    })
}

type WriteFailure = (Vec<CancelReason>, Option<Item>, Option<StoreError>);

fn apply_writes(
    conn: &mut Connection,
    writes: &[Write],
) -> Result<Vec<Option<Item>>, WriteFailure> {
    let fail = |e: StoreError| (vec![], None, Some(e));
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| fail(db_error(e)))?;
    let mut planned = Vec::with_capacity(writes.len());
    let mut reasons = Vec::with_capacity(writes.len());
    let mut first_old = None;
    for write in writes {
        let key = write.key();
        let old = read_item(&tx, &key).map_err(fail)?;
        if !condition_holds(write, old.as_ref()) {
            reasons.push(CancelReason::ConditionFailed);
            if first_old.is_none() {
                first_old = Some(old.clone());
            }
            // As in DynamoDB, the condition is decided before the update is tried.
            continue;
        }
        reasons.push(CancelReason::None);
        let new = next_item(write, &key, old.as_ref()).map_err(fail)?;
        planned.push((key, old, new, matches!(write, Write::Check { .. })));
    }
    if reasons.contains(&CancelReason::ConditionFailed) {
        return Err((reasons, first_old.flatten(), None));
    }
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut results = Vec::with_capacity(planned.len());
    for (key, old, new, is_check) in planned {
        if !is_check {
            let old_body = old.map(|i| Value::Object(i).to_string());
            store_change(&tx, &key, old_body, new.as_ref(), now_ms).map_err(fail)?;
        }
        results.push(new);
    }
    tx.commit().map_err(|e| fail(db_error(e)))?;
    Ok(results)
}

/// [`Store::write_each`]: every write on its own, all in one SQLite transaction (so a
/// batch costs one commit, not one per write).
fn apply_each(
    conn: &mut Connection,
    writes: Vec<Write>,
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_error)?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut out = Vec::with_capacity(writes.len());
    for write in writes {
        let key = write.key();
        // The stored body as is (for the change log); decoded only when the write needs it.
        let old_body = read_body(&tx, &key)?;
        let needs_old = match &write {
            Write::Put { cond, .. } | Write::Delete { cond, .. } => cond.is_some(),
            Write::Update { .. } | Write::Check { .. } => true,
        };
        let old = match (&old_body, needs_old) {
            (Some(body), true) => Some(decode(body)?),
            _ => None,
        };
        if !condition_holds(&write, old.as_ref()) {
            out.push(Err(StoreError::ConditionFailed {
                old: old.map(Box::new),
            }));
            continue;
        }
        let new = match write {
            // The item itself (no copy).
            Write::Put { item, .. } if item_key(&item).is_some() => Some(item),
            write => next_item(&write, &key, old.as_ref())?,
        };
        store_change(&tx, &key, old_body, new.as_ref(), now_ms)?;
        out.push(Ok(()));
    }
    tx.commit().map_err(db_error)?;
    Ok(out)
}

fn condition_holds(write: &Write, old: Option<&Item>) -> bool {
    let cond = match write {
        Write::Put { cond, .. } | Write::Update { cond, .. } | Write::Delete { cond, .. } => {
            cond.as_ref()
        }
        Write::Check { cond, .. } => Some(cond),
    };
    cond.is_none_or(|c| c.holds(old))
}

/// The item after `write` (`None`: deleted; a check leaves it as it was).
fn next_item(write: &Write, key: &Key, old: Option<&Item>) -> Result<Option<Item>, StoreError> {
    Ok(match write {
        Write::Put { item, .. } => {
            if item_key(item).is_none() {
                return Err(StoreError::Invalid("an item needs string PK and SK".into()));
            }
            Some(item.clone())
        }
        Write::Update { update, .. } => {
            let mut item = old.cloned().unwrap_or_else(|| {
                Item::from_iter([
                    (PK.to_string(), Value::from(key.pk.clone())),
                    (SK.to_string(), Value::from(key.sk.clone())),
                ])
            });
            update.apply(&mut item).map_err(StoreError::Invalid)?;
            Some(item)
        }
        Write::Delete { .. } => None,
        Write::Check { .. } => old.cloned(),
    })
}

/// Writes (or deletes) the item and records the change for the stream.
fn store_change(
    conn: &Connection,
    key: &Key,
    old_body: Option<String>,
    new: Option<&Item>,
    now_ms: i64,
) -> Result<(), StoreError> {
    let new_body = match new {
        Some(item) => Some(write_item(conn, key, item)?),
        None => {
            conn.prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")
                .and_then(|mut s| s.execute(params![key.pk, key.sk]))
                .map_err(db_error)?;
            None
        }
    };
    if old_body.is_some() || new.is_some() {
        conn.prepare_cached(
            "INSERT INTO changes (at_ms, pk, sk, old, new) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| s.execute(params![now_ms, key.pk, key.sk, old_body, new_body]))
        .map_err(db_error)?;
    }
    Ok(())
}

/// Brings a data directory made by an earlier version up to the current schema.
fn migrate(conn: &Connection) -> Result<(), StoreError> {
    for index in ["gsi3", "gsi4"] {
        let present: bool = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('items') WHERE name = ?1",
                params![format!("{index}pk")],
                |r| r.get::<_, i64>(0),
            )
            .map_err(db_error)?
            > 0;
        if !present {
            conn.execute_batch(&format!(
                "ALTER TABLE items ADD COLUMN {index}pk TEXT; ALTER TABLE items ADD COLUMN {index}sk TEXT;"
            ))
            .map_err(db_error)?;
        }
        conn.execute_batch(&format!(
            "CREATE INDEX IF NOT EXISTS items_{index} ON items ({index}pk, {index}sk, pk, sk) WHERE {index}pk IS NOT NULL;"
        ))
        .map_err(db_error)?;
    }
    Ok(())
}

fn read_item(conn: &Connection, key: &Key) -> Result<Option<Item>, StoreError> {
    read_body(conn, key)?.map(|b| decode(&b)).transpose()
}

fn read_body(conn: &Connection, key: &Key) -> Result<Option<String>, StoreError> {
    conn.prepare_cached("SELECT body FROM items WHERE pk = ?1 AND sk = ?2")
        .and_then(|mut s| {
            s.query_row(params![key.pk, key.sk], |r| r.get(0))
                .optional()
        })
        .map_err(db_error)
}

/// Writes the item; returns its stored body (as the change log keeps it).
fn write_item(conn: &Connection, key: &Key, item: &Item) -> Result<String, StoreError> {
    let index_key = |index: Index| -> (Option<String>, Option<String>) {
        match (
            item.get(index.pk_attr()).and_then(Value::as_str),
            item.get(index.sk_attr()).and_then(Value::as_str),
        ) {
            (Some(pk), Some(sk)) => (Some(pk.to_string()), Some(sk.to_string())),
            _ => (None, None),
        }
    };
    let (g1pk, g1sk) = index_key(Index::Gsi1);
    let (g2pk, g2sk) = index_key(Index::Gsi2);
    let (g3pk, g3sk) = index_key(Index::Gsi3);
    let (g4pk, g4sk) = index_key(Index::Gsi4);
    let body = if item.values().any(Value::is_null) {
        let stored: Item = item
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Value::Object(stored).to_string()
    } else {
        serde_json::to_string(item).map_err(|e| StoreError::Invalid(e.to_string()))?
    };
    conn.prepare_cached(
        "INSERT OR REPLACE INTO items (pk, sk, body, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, gsi4pk, gsi4sk) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .and_then(|mut s| {
        s.execute(params![key.pk, key.sk, body, g1pk, g1sk, g2pk, g2sk, g3pk, g3sk, g4pk, g4sk])
    })
    .map_err(db_error)?;
    Ok(body)
}

fn run_query(conn: &Connection, query: &Query) -> Result<Page, StoreError> {
    let (pk_col, sk_col) = match query.index {
        None => ("pk", "sk"),
        Some(Index::Gsi1) => ("gsi1pk", "gsi1sk"),
        Some(Index::Gsi2) => ("gsi2pk", "gsi2sk"),
        Some(Index::Gsi3) => ("gsi3pk", "gsi3sk"),
        Some(Index::Gsi4) => ("gsi4pk", "gsi4sk"),
    };
    let mut sql = format!("SELECT body FROM items WHERE {pk_col} = ?1");
    let mut args: Vec<String> = vec![query.pk.clone()];
    let mut arg = |sql: &mut String, fragment: &str, value: String| {
        args.push(value);
        sql.push_str(&fragment.replace('?', &format!("?{}", args.len())));
    };
    match &query.sk {
        None => {}
        Some(SkCond::BeginsWith(prefix)) => {
            // A key range (not `substr`), so SQLite seeks the index instead of reading the
            // whole partition.
            arg(&mut sql, &format!(" AND {sk_col} >= ?"), prefix.clone());
            match prefix_end(prefix) {
                Some(end) => arg(&mut sql, &format!(" AND {sk_col} < ?"), end),
                None => {
                    let len = prefix.len();
                    arg(
                        &mut sql,
                        &format!(" AND substr({sk_col}, 1, {len}) = ?"),
                        prefix.clone(),
                    );
                }
            }
        }
        Some(SkCond::Between(low, high)) => {
            arg(&mut sql, &format!(" AND {sk_col} >= ?"), low.clone());
            arg(&mut sql, &format!(" AND {sk_col} <= ?"), high.clone());
        }
    }
    let op = if query.descending { "<" } else { ">" };
    if let Some(start) = &query.start_after {
        let text = |attr: &str| start.get(attr).and_then(Value::as_str).map(str::to_string);
        let invalid = || StoreError::Invalid("the provided starting key is invalid".into());
        let (pk, sk) = (text(PK).ok_or_else(invalid)?, text(SK).ok_or_else(invalid)?);
        match query.index {
            None => arg(&mut sql, &format!(" AND sk {op} ?"), sk),
            Some(index) => {
                let isk = text(index.sk_attr()).ok_or_else(invalid)?;
                args.extend([isk, pk, sk]);
                let n = args.len();
                sql.push_str(&format!(
                    " AND ({sk_col}, pk, sk) {op} (?{}, ?{}, ?{})",
                    n - 2,
                    n - 1,
                    n
                ));
            }
        }
    }
    let order = if query.descending { "DESC" } else { "ASC" };
    sql.push_str(&format!(
        " ORDER BY {sk_col} {order}, pk {order}, sk {order}"
    ));
    if let Some(limit) = query.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut stmt = conn.prepare(&sql).map_err(db_error)?;
    let bodies = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })
        .map_err(db_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_error)?;
    let read = bodies
        .iter()
        .map(|b| decode(b))
        .collect::<Result<Vec<_>, _>>()?;
    let last_key = match (query.limit, read.last()) {
        (Some(limit), Some(last)) if read.len() as u32 == limit => Some(
            query
                .key_attrs()
                .into_iter()
                .filter_map(|a| Some((a.to_string(), last.get(a)?.clone())))
                .collect(),
        ),
        _ => None,
    };
    // An index that projects only the keys answers only the keys, as DynamoDB does.
    let read: Vec<Item> = match query.index {
        Some(index) if index.keys_only() => read
            .into_iter()
            .map(|item| {
                item.into_iter()
                    .filter(|(name, _)| {
                        [PK, SK, index.pk_attr(), index.sk_attr()].contains(&name.as_str())
                    })
                    .collect()
            })
            .collect(),
        _ => read,
    };
    let items = read
        .into_iter()
        .filter(|i| query.filter.as_ref().is_none_or(|f| f.holds(Some(i))))
        .collect();
    Ok(Page { items, last_key })
}

/// The first string after every string that starts with `prefix` (byte order, as DynamoDB
/// and SQLite's default collation compare): its last character moved one code point up.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn decode(body: &str) -> Result<Item, StoreError> {
    serde_json::from_str(body)
        .map_err(|e| StoreError::Backend(format!("corrupt item in embedded store: {e}")))
}

fn db_error(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
            StoreError::Throttled
        }
        e => StoreError::Backend(format!("embedded store: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn a_prefix_range_ends_after_every_key_that_starts_with_it() {
        assert_eq!(prefix_end("mar").as_deref(), Some("mas"));
        assert_eq!(prefix_end("curie#").as_deref(), Some("curie$"));
        assert!(prefix_end("mar").unwrap().as_str() > "marzzzz#ord_1");
        assert_eq!(prefix_end("").as_deref(), None);
    }
}

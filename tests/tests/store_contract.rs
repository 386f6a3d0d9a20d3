//! The storage port's contract, run against both adapters (DynamoDB on moto, embedded).

use portal::store::{Cond, Index, Item, Key, Query, Store, StoreError, Update, Write, PK};
use serde_json::{json, Value};
use std::sync::Arc;

fn item(pk: &str, sk: &str, extra: Value) -> Item {
    let mut item = extra.as_object().cloned().unwrap_or_default();
    item.insert("PK".into(), pk.into());
    item.insert("SK".into(), sk.into());
    item
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (store, _dir) = portal_tests::embedded_store();
                    super::$name(std::sync::Arc::new(store)).await
                }
            )*
        }
        mod moto {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if portal_tests::skip_without_moto() {
                        return;
                    }
                    super::$name(std::sync::Arc::new(portal_tests::moto_store().await)).await
                }
            )*
        }
    };
}

on_both_stores!(
    put_if_absent_writes_once_and_returns_the_existing_item,
    update_sets_increments_appends_and_removes,
    update_condition_failure_returns_the_old_item,
    delete_honours_its_condition,
    transactions_are_all_or_nothing_with_reasons,
    a_transaction_cannot_touch_one_item_twice,
    queries_order_prefix_and_page,
    index_queries_and_filters,
    concurrent_creators_exactly_one_wins,
    concurrent_versioned_updates_never_lose_a_write,
    write_each_applies_each_write_on_its_own,
    a_keys_only_index_answers_the_keys_alone,
);

/// GSI2 and GSI3 project only the keys (template.yaml): a query there answers the table's
/// and the index's keys, nothing else, on both stores; GSI1 the whole item.
async fn a_keys_only_index_answers_the_keys_alone(store: Arc<dyn Store>) {
    let stored = item(
        "COURIER#c",
        "ORDER#1",
        json!({
            "GSI1PK": "CLIENT#k", "GSI1SK": "ORDER#1",
            "GSI2PK": "SHORT#c#AB12", "GSI2SK": "ORDER",
            "GSI3PK": "TRACK#t", "GSI3SK": "ORDER",
            "status": "placed", "recipient": {"name": "Ada"}
        }),
    );
    store.put(stored.clone(), None).await.unwrap();
    for (index, pk) in [(Index::Gsi2, "SHORT#c#AB12"), (Index::Gsi3, "TRACK#t")] {
        assert!(index.keys_only());
        let page = store
            .query(&Query::partition(pk).on(index).limit(1))
            .await
            .unwrap();
        let mut names: Vec<&str> = page.items[0].keys().map(String::as_str).collect();
        names.sort();
        let mut expected = vec!["PK", "SK", index.pk_attr(), index.sk_attr()];
        expected.sort();
        assert_eq!(names, expected, "{}", index.name());
    }
    let whole = store
        .query(&Query::partition("CLIENT#k").on(Index::Gsi1))
        .await
        .unwrap();
    assert_eq!(whole.items, vec![stored]);
}

/// `write_each`: unconditional puts and deletes (batched on DynamoDB, over several calls of
/// 25) and conditional writes, each on its own: a failed condition fails that write only.
async fn write_each_applies_each_write_on_its_own(store: Arc<dyn Store>) {
    store
        .put(item("W", "taken", json!({"n": 1})), None)
        .await
        .unwrap();
    store
        .put(item("W", "gone", json!({"n": 1})), None)
        .await
        .unwrap();
    store
        .put(item("W", "versioned", json!({"version": 3})), None)
        .await
        .unwrap();
    let mut writes: Vec<Write> = (0..60)
        .map(|n| Write::Put {
            item: item("W", &format!("bulk#{n:02}"), json!({"n": n})),
            cond: None,
        })
        .collect();
    writes.push(Write::Put {
        item: item("W", "taken", json!({"n": 2})),
        cond: Some(Cond::not_exists(PK)),
    });
    writes.push(Write::Put {
        item: item("W", "fresh", json!({"n": 2})),
        cond: Some(Cond::not_exists(PK)),
    });
    writes.push(Write::Delete {
        key: Key::new("W", "gone"),
        cond: None,
    });
    writes.push(Write::Put {
        item: item("W", "versioned", json!({"version": 4})),
        cond: Some(Cond::eq("version", 2)),
    });
    let results = store.write_each(writes).await.unwrap();
    assert_eq!(results.len(), 64);
    assert!(results[..60].iter().all(Result::is_ok));
    assert!(matches!(
        results[60],
        Err(StoreError::ConditionFailed { .. })
    ));
    assert!(results[61].is_ok());
    assert!(results[62].is_ok());
    assert!(matches!(
        results[63],
        Err(StoreError::ConditionFailed { .. })
    ));
    let page = store
        .query(&Query::partition("W").sk_begins_with("bulk#"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 60);
    let get = |sk: &str| {
        let store = store.clone();
        let key = Key::new("W", sk);
        async move { store.get(&key).await.unwrap() }
    };
    assert_eq!(get("taken").await.unwrap()["n"], json!(1));
    assert_eq!(get("fresh").await.unwrap()["n"], json!(2));
    assert!(get("gone").await.is_none());
    assert_eq!(get("versioned").await.unwrap()["version"], json!(3));
    // A condition check needs a transaction; one call writes an item once.
    let check = Write::Check {
        key: Key::new("W", "taken"),
        cond: Cond::exists(PK),
    };
    assert!(matches!(
        store.write_each(vec![check]).await,
        Err(StoreError::Invalid(_))
    ));
    let twice = vec![
        Write::Put {
            item: item("W", "x", json!({})),
            cond: None,
        },
        Write::Delete {
            key: Key::new("W", "x"),
            cond: None,
        },
    ];
    assert!(matches!(
        store.write_each(twice).await,
        Err(StoreError::Invalid(_))
    ));
}

async fn put_if_absent_writes_once_and_returns_the_existing_item(store: Arc<dyn Store>) {
    let first = item("A", "1", json!({"n": 1}));
    store
        .put(first.clone(), Some(Cond::not_exists(PK)))
        .await
        .unwrap();
    let err = store
        .put(item("A", "1", json!({"n": 2})), Some(Cond::not_exists(PK)))
        .await
        .unwrap_err();
    match err {
        StoreError::ConditionFailed { old } => assert_eq!(old.unwrap()["n"], json!(1)),
        other => panic!("expected a condition failure, got {other:?}"),
    }
    assert_eq!(
        store.get(&Key::new("A", "1")).await.unwrap().unwrap()["n"],
        json!(1)
    );
    assert!(store.get(&Key::new("A", "2")).await.unwrap().is_none());
}

async fn update_sets_increments_appends_and_removes(store: Arc<dyn Store>) {
    store
        .put(
            item(
                "U",
                "1",
                json!({"version": 1, "pickup": {"state": "unassigned"}, "gone": "x"}),
            ),
            None,
        )
        .await
        .unwrap();
    let update = Update::new()
        .set("pickup.state", "assigned")
        .increment("version", 1)
        .increment("count", 5)
        .append("timeline", vec![json!({"what": "assigned"})])
        .remove("gone");
    let new = store
        .update(&Key::new("U", "1"), &update, Some(Cond::eq("version", 1)))
        .await
        .unwrap();
    assert_eq!(new["pickup"]["state"], json!("assigned"));
    assert_eq!(new["version"].as_f64(), Some(2.0));
    assert_eq!(new["count"].as_f64(), Some(5.0));
    assert_eq!(new["timeline"], json!([{"what": "assigned"}]));
    assert!(new.get("gone").is_none());
    let again = store
        .update(
            &Key::new("U", "1"),
            &Update::new().append("timeline", vec![json!(2)]),
            None,
        )
        .await
        .unwrap();
    assert_eq!(again["timeline"].as_array().unwrap().len(), 2);
}

async fn update_condition_failure_returns_the_old_item(store: Arc<dyn Store>) {
    store
        .put(
            item("V", "1", json!({"version": 3, "status": "placed"})),
            None,
        )
        .await
        .unwrap();
    let err = store
        .update(
            &Key::new("V", "1"),
            &Update::new().set("status", "rejected"),
            Some(Cond::eq("version", 2)),
        )
        .await
        .unwrap_err();
    match err {
        StoreError::ConditionFailed { old } => assert_eq!(old.unwrap()["status"], json!("placed")),
        other => panic!("{other:?}"),
    }
    // On a missing item the failure carries no item: the caller can tell 404 from 409.
    let err = store
        .update(
            &Key::new("V", "404"),
            &Update::new().set("a", 1),
            Some(Cond::exists(PK)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ConditionFailed { old: None }));
    assert!(store.get(&Key::new("V", "404")).await.unwrap().is_none());
}

async fn delete_honours_its_condition(store: Arc<dyn Store>) {
    store
        .put(item("D", "1", json!({"owner": "a"})), None)
        .await
        .unwrap();
    assert!(store
        .delete(&Key::new("D", "1"), Some(Cond::eq("owner", "b")))
        .await
        .is_err());
    store
        .delete(&Key::new("D", "1"), Some(Cond::eq("owner", "a")))
        .await
        .unwrap();
    assert!(store.get(&Key::new("D", "1")).await.unwrap().is_none());
}

async fn transactions_are_all_or_nothing_with_reasons(store: Arc<dyn Store>) {
    store
        .put(item("T", "taken", json!({})), None)
        .await
        .unwrap();
    let writes = vec![
        Write::Put {
            item: item("T", "new", json!({})),
            cond: Some(Cond::not_exists(PK)),
        },
        Write::Update {
            key: Key::new("T", "counter"),
            update: Update::new().increment("n", 1),
            cond: None,
        },
        Write::Put {
            item: item("T", "taken", json!({"again": true})),
            cond: Some(Cond::not_exists(PK)),
        },
    ];
    let err = store.transact(writes).await.unwrap_err();
    assert!(
        !err.condition_failed_at(0) && !err.condition_failed_at(1) && err.condition_failed_at(2),
        "{err:?}"
    );
    assert!(
        store.get(&Key::new("T", "new")).await.unwrap().is_none(),
        "nothing is half-written"
    );
    assert!(store
        .get(&Key::new("T", "counter"))
        .await
        .unwrap()
        .is_none());
    store
        .transact(vec![
            Write::Put {
                item: item("T", "new", json!({})),
                cond: Some(Cond::not_exists(PK)),
            },
            Write::Check {
                key: Key::new("T", "taken"),
                cond: Cond::exists(PK),
            },
            Write::Delete {
                key: Key::new("T", "absent"),
                cond: None,
            },
        ])
        .await
        .unwrap();
    assert!(store.get(&Key::new("T", "new")).await.unwrap().is_some());
}

async fn a_transaction_cannot_touch_one_item_twice(store: Arc<dyn Store>) {
    let writes = vec![
        Write::Put {
            item: item("X", "1", json!({})),
            cond: None,
        },
        Write::Update {
            key: Key::new("X", "1"),
            update: Update::new().set("a", 1),
            cond: None,
        },
    ];
    assert!(matches!(
        store.transact(writes).await,
        Err(StoreError::Invalid(_))
    ));
}

async fn queries_order_prefix_and_page(store: Arc<dyn Store>) {
    for i in 0..7 {
        store
            .put(item("Q", &format!("ITEM#{i}"), json!({"i": i})), None)
            .await
            .unwrap();
    }
    store
        .put(item("Q", "OTHER#1", json!({})), None)
        .await
        .unwrap();
    let all = store
        .query(&Query::partition("Q").sk_begins_with("ITEM#"))
        .await
        .unwrap();
    assert_eq!(all.items.len(), 7);
    let newest_first = store
        .query(
            &Query::partition("Q")
                .sk_begins_with("ITEM#")
                .descending()
                .limit(3),
        )
        .await
        .unwrap();
    let sks: Vec<_> = newest_first
        .items
        .iter()
        .map(|i| i["SK"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sks, ["ITEM#6", "ITEM#5", "ITEM#4"]);
    let mut seen = sks.clone();
    let mut next = newest_first.last_key;
    while let Some(start) = next {
        let page = store
            .query(
                &Query::partition("Q")
                    .sk_begins_with("ITEM#")
                    .descending()
                    .limit(3)
                    .start_after(Some(start)),
            )
            .await
            .unwrap();
        seen.extend(
            page.items
                .iter()
                .map(|i| i["SK"].as_str().unwrap().to_string()),
        );
        next = page.last_key;
    }
    assert_eq!(
        seen,
        (0..7)
            .rev()
            .map(|i| format!("ITEM#{i}"))
            .collect::<Vec<_>>()
    );
}

async fn index_queries_and_filters(store: Arc<dyn Store>) {
    for (i, status) in ["placed", "rejected", "placed"].iter().enumerate() {
        store
            .put(item(&format!("ORDER#{i}"), "ORDER", json!({"GSI1PK": "CLIENT#c", "GSI1SK": format!("ORDER#{i}"), "status": status, "q": format!("bloom {i}")})), None)
            .await
            .unwrap();
    }
    store
        .put(
            item(
                "ORDER#9",
                "ORDER",
                json!({"GSI1PK": "CLIENT#other", "GSI1SK": "ORDER#9"}),
            ),
            None,
        )
        .await
        .unwrap();
    let page = store
        .query(&Query::partition("CLIENT#c").on(Index::Gsi1).descending())
        .await
        .unwrap();
    let pks: Vec<_> = page
        .items
        .iter()
        .map(|i| i["PK"].as_str().unwrap())
        .collect();
    assert_eq!(pks, ["ORDER#2", "ORDER#1", "ORDER#0"]);
    let placed = store
        .query(&Query::partition("CLIENT#c").on(Index::Gsi1).filter(Some(
            Cond::one_of("status", ["placed"]).and(Cond::contains("q", "bloom")),
        )))
        .await
        .unwrap();
    assert_eq!(placed.items.len(), 2);
    let first = store
        .query(&Query::partition("CLIENT#c").on(Index::Gsi1).limit(1))
        .await
        .unwrap();
    let rest = store
        .query(
            &Query::partition("CLIENT#c")
                .on(Index::Gsi1)
                .start_after(first.last_key.clone()),
        )
        .await
        .unwrap();
    assert_eq!(first.items.len() + rest.items.len(), 3);
    assert_eq!(rest.items[0]["PK"], json!("ORDER#1"));
}

async fn concurrent_creators_exactly_one_wins(store: Arc<dyn Store>) {
    let attempts = (0..10).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .transact(vec![
                    Write::Put {
                        item: item("C", "unique", json!({"writer": i})),
                        cond: Some(Cond::not_exists(PK)),
                    },
                    Write::Put {
                        item: item("C", &format!("writer#{i}"), json!({})),
                        cond: Some(Cond::not_exists(PK)),
                    },
                ])
                .await
        })
    });
    let results = futures::future::join_all(attempts).await;
    let wins = results.iter().filter(|r| matches!(r, Ok(Ok(())))).count();
    assert_eq!(wins, 1, "{results:?}");
    let winners = store
        .query(&Query::partition("C").sk_begins_with("writer#"))
        .await
        .unwrap();
    assert_eq!(winners.items.len(), 1, "the losers wrote nothing");
}

async fn concurrent_versioned_updates_never_lose_a_write(store: Arc<dyn Store>) {
    store
        .put(item("N", "1", json!({"version": 0, "n": 0})), None)
        .await
        .unwrap();
    let writers = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let current = store.get(&Key::new("N", "1")).await.unwrap().unwrap();
            let version = current["version"].as_i64().unwrap();
            store
                .update(
                    &Key::new("N", "1"),
                    &Update::new().increment("n", 1).increment("version", 1),
                    Some(Cond::eq("version", version)),
                )
                .await
                .is_ok()
        })
    });
    let successes = futures::future::join_all(writers)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    let stored = store.get(&Key::new("N", "1")).await.unwrap().unwrap();
    assert!(successes >= 1);
    assert_eq!(
        stored["n"].as_i64(),
        Some(successes as i64),
        "every accepted write is counted once"
    );
    assert_eq!(stored["version"].as_i64(), Some(successes as i64));
}

#[tokio::test]
async fn the_embedded_store_keeps_its_data_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = portal::store::embedded::EmbeddedStore::open(dir.path()).unwrap();
        store
            .put(item("P", "1", json!({"kept": true})), None)
            .await
            .unwrap();
    }
    let reopened = portal::store::embedded::EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(
        reopened.get(&Key::new("P", "1")).await.unwrap().unwrap()["kept"],
        json!(true)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_data_directory_do_not_both_win() {
    // Two handles on the same file stand for portal-local and portal-admin side by side.
    let dir = tempfile::tempdir().unwrap();
    let a = Arc::new(portal::store::embedded::EmbeddedStore::open(dir.path()).unwrap());
    let b = Arc::new(portal::store::embedded::EmbeddedStore::open(dir.path()).unwrap());
    let (ra, rb) = tokio::join!(
        a.put(
            item("M", "1", json!({"by": "a"})),
            Some(Cond::not_exists(PK))
        ),
        b.put(
            item("M", "1", json!({"by": "b"})),
            Some(Cond::not_exists(PK))
        )
    );
    assert_eq!([ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count(), 1);
}

//! Listing cursors as `?cursor=` brings them: the first byte picks one of the listings'
//! query shapes (a partition, a sort-key prefix, a range, an index), the rest is the cursor
//! text. A cursor is refused (400) or is a key of that very partition and range, which
//! reads back the same once encoded again; the orders search's cursor likewise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal::ordering::search::SearchCursor;
use portal::store::pages::{decode_cursor, encode_cursor};
use portal::store::{keys, Index, Query, SkCond};
use serde_json::Value;

#[global_allocator]
static ALLOCATOR: portal_fuzz::Capped = portal_fuzz::Capped;

const COURIER: &str = "cou_01JD0000000000000000000000";
const CLIENT: &str = "cli_01JD0000000000000000000000";

fn queries() -> Vec<Query> {
    vec![
        Query::partition(keys::org_pk(COURIER)),
        Query::partition(keys::org_pk(COURIER))
            .sk_begins_with(keys::IMPORT_PREFIX)
            .descending(),
        Query::partition(keys::client_integrations_pk(CLIENT))
            .on(Index::Gsi1)
            .descending(),
        Query {
            sk: Some(SkCond::Between(
                "ORDER#2026-01-01".into(),
                "ORDER#2026-01-31~".into(),
            )),
            ..Query::partition(keys::org_pk(COURIER)).on(Index::Gsi2)
        },
        Query::partition(keys::search_pk(COURIER)).sk_begins_with("lyo"),
        Query::partition(keys::client_search_pk(CLIENT))
            .on(Index::Gsi1)
            .sk_begins_with(format!("rue{}", keys::SEARCH_TERM_END)),
    ]
}

fn sort_attr(query: &Query) -> &'static str {
    query.index.map_or("SK", |i| i.sk_attr())
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, raw)) = data.split_first() else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(raw) else {
        return;
    };
    let queries = queries();
    let query = &queries[selector as usize % queries.len()];
    if let Ok(Some(item)) = decode_cursor(Some(raw), query) {
        let partition = query.index.map_or("PK", |i| i.pk_attr());
        assert_eq!(
            item.get(partition).and_then(Value::as_str),
            Some(query.pk.as_str())
        );
        assert_eq!(item.len(), query.key_attrs().len());
        let again = decode_cursor(Some(&encode_cursor(&item)), query);
        assert_eq!(again.ok().flatten().as_ref(), Some(&item));
    }
    let range = match &query.sk {
        Some(SkCond::BeginsWith(prefix)) => prefix.clone(),
        _ => String::new(),
    };
    if let Ok(cursor) = SearchCursor::decode(Some(raw), query, &range) {
        if let Some(window) = &cursor.window {
            let sk = window.get(sort_attr(query)).and_then(Value::as_str);
            assert!(sk.is_some_and(|sk| sk.starts_with(&range)));
        }
        let again = SearchCursor::decode(Some(&cursor.encode()), query, &range)
            .expect("an encoded cursor reads back");
        assert_eq!((again.window, again.after), (cursor.window, cursor.after));
    }
});

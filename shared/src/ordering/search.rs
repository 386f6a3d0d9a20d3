//! Order search (`GET /v1/orders?q=`): one index item per term of an order, written just
//! before a new order (in an edit's own transaction), and the search that reads them (see
//! `infra/DATA_MODEL.md`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use super::error::OrderError;
use crate::domain::api_key::{Principal, Role};
use crate::domain::ids::ClientId;
use crate::domain::order::{parse_order_id, Order};
use crate::domain::search::{SearchQuery, SearchTerms};
use crate::store::pages::{decode_cursor, encode_cursor};
use crate::store::records::{from_item, to_item};
use crate::store::{keys, Cond, Index, Item, Key, Query, Write};
use crate::Ctx;

/// Index items one Query reads at most (each a few hundred bytes: well under 1 MB).
const WINDOW: u32 = 1000;
/// Queries one search makes at most; then one BatchGetItem of the page's orders.
const MAX_WINDOWS: usize = 2;
/// Attribute of an index item holding all its order's terms (see [`SearchTerms::words_attr`]).
const WORDS: &str = "words";

/// The index items of an order: one per term, in the courier's partition and (GSI1) in
/// its client's.
pub fn index_items(order: &Order) -> Result<Vec<Item>, OrderError> {
    let terms = SearchTerms::of_order(order);
    let words = terms.words_attr();
    terms
        .as_slice()
        .iter()
        .map(|term| {
            let key = keys::search_term(order.courier_id.as_str(), term, &order.id);
            let sk = key.sk.clone();
            let mut item = to_item(
                &serde_json::json!({
                    "orderId": order.id,
                    "courierId": order.courier_id,
                    "clientId": order.client_id,
                    WORDS: words,
                }),
                &key,
                "SearchTerm",
            )?;
            item.insert(
                Index::Gsi1.pk_attr().into(),
                keys::client_search_pk(order.client_id.as_str()).into(),
            );
            item.insert(Index::Gsi1.sk_attr().into(), sk.into());
            Ok(item)
        })
        .collect()
}

/// The writes that index a new order (its ids are new: nothing to overwrite).
pub fn index_writes(order: &Order) -> Result<Vec<Write>, OrderError> {
    Ok(index_items(order)?
        .into_iter()
        .map(|item| Write::Put { item, cond: None })
        .collect())
}

/// The writes that move an order's index from `old` to `new`: stale terms deleted, every
/// current term written again (each carries all the order's words). None when no term
/// changed.
pub fn reindex_writes(old: &Order, new: &Order) -> Result<Vec<Write>, OrderError> {
    let (before, after) = (SearchTerms::of_order(old), SearchTerms::of_order(new));
    if before == after {
        return Ok(vec![]);
    }
    let stale = before
        .as_slice()
        .iter()
        .filter(|term| !after.as_slice().contains(term))
        .map(|term| Write::Delete {
            key: keys::search_term(old.courier_id.as_str(), term, &old.id),
            cond: None,
        });
    Ok(stale.chain(index_writes(new)?).collect())
}

/// What the caller searches: a client its own orders, a courier all of its orders or one
/// client's (`clientId`), optionally only some statuses.
pub struct Search<'a> {
    pub who: &'a Principal,
    pub query: SearchQuery,
    pub client: Option<ClientId>,
    pub status: Option<Cond>,
    /// Only orders whose id is within this range (inclusive): a range of creation days.
    pub created: Option<(String, String)>,
    pub limit: u32,
}

/// Newest first: the orders matching every word, and the cursor of what follows.
///
/// The index is read in windows of up to [`WINDOW`] items of the most selective key range
/// (a whole word's orders when the query has several words, else the last word's start),
/// with the other words checked by the Query's filter; each window's orders are put newest
/// first. At most [`MAX_WINDOWS`] Queries, then one BatchGetItem.
pub async fn search_orders(
    ctx: &Ctx,
    search: &Search<'_>,
    cursor: Option<&str>,
) -> Result<(Vec<Order>, Option<String>), OrderError> {
    let (query, range) = index_query(search);
    let SearchCursor {
        mut window,
        mut after,
    } = SearchCursor::decode(cursor, &query, &range)?;
    let limit = search.limit as usize;
    let mut picked: Vec<String> = Vec::with_capacity(limit);
    let mut next = None;
    for read in 0..MAX_WINDOWS {
        let page = ctx
            .store
            .query(&query.clone().start_after(window.clone()))
            .await?;
        let mut ids: Vec<String> = page
            .items
            .iter()
            .filter_map(|i| i.get("orderId").and_then(Value::as_str))
            .filter(|id| after.as_deref().is_none_or(|a| *id < a))
            .map(str::to_string)
            .collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        ids.retain(|id| !picked.contains(id));
        let room = limit - picked.len();
        let more_here = ids.len() > room;
        picked.extend(ids.into_iter().take(room));
        if more_here {
            // More of this window follows the page.
            next = Some(SearchCursor {
                window,
                after: picked.last().cloned(),
            });
            break;
        }
        match page.last_key {
            None => break,
            Some(last) => {
                (window, after) = (Some(last), None);
                if picked.len() == limit || read + 1 == MAX_WINDOWS {
                    next = Some(SearchCursor { window, after });
                    break;
                }
            }
        }
    }
    let orders = load_orders(ctx, search, &picked).await?;
    Ok((orders, next.map(|c| c.encode())))
}

/// The Query over the index for `search`, and the sort-key range it reads.
fn index_query(search: &Search<'_>) -> (Query, String) {
    let mut filters = vec![];
    let base = match (&search.who.role, &search.who.client_id, &search.client) {
        (Role::Client, Some(own), _) => {
            Query::partition(keys::client_search_pk(own.as_str())).on(Index::Gsi1)
        }
        (Role::Courier, _, Some(client)) => {
            // GSI1 holds every courier's clients: keep this courier's terms only.
            filters.push(Cond::eq("courierId", search.who.courier_id.as_str()));
            Query::partition(keys::client_search_pk(client.as_str())).on(Index::Gsi1)
        }
        _ => Query::partition(keys::search_pk(search.who.courier_id.as_str())),
    };
    if let Some((low, high)) = &search.created {
        // Read by the Query's filter, so a window of terms counts only orders in range.
        filters.push(Cond::Not(Box::new(Cond::lt("orderId", low.as_str()))));
        filters.push(Cond::Not(Box::new(Cond::gt("orderId", high.as_str()))));
    }
    let words = &search.query;
    let driving = words.exact.iter().max_by_key(|w| w.len());
    let range = match driving {
        Some(word) => {
            for other in words.exact.iter().filter(|w| *w != word) {
                filters.push(Cond::contains(WORDS, &format!(" {other} ")));
            }
            filters.push(Cond::contains(WORDS, &format!(" {}", words.prefix)));
            format!("{word}{}", keys::SEARCH_TERM_END)
        }
        None => words.prefix.clone(),
    };
    let filter = match filters.len() {
        0 => None,
        1 => filters.pop(),
        _ => Some(Cond::And(filters)),
    };
    let query = base
        .sk_begins_with(range.clone())
        .descending()
        .limit(WINDOW)
        .filter(filter);
    (query, range)
}

/// The page's orders in one BatchGetItem, each checked again against the caller and the
/// filters (a status may have changed since it was indexed).
async fn load_orders(
    ctx: &Ctx,
    search: &Search<'_>,
    ids: &[String],
) -> Result<Vec<Order>, OrderError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let who = search.who;
    let keys: Vec<Key> = ids
        .iter()
        .map(|id| keys::order(who.courier_id.as_str(), id))
        .collect();
    let mut orders = Vec::with_capacity(ids.len());
    for item in ctx.store.batch_get(&keys).await?.into_iter().flatten() {
        if search
            .status
            .as_ref()
            .is_some_and(|status| !status.holds(Some(&item)))
        {
            continue;
        }
        let order: Order = from_item(item)?;
        let own = match who.role {
            Role::Client => who.client_id.as_ref() == Some(&order.client_id),
            Role::Courier => search.client.as_ref().is_none_or(|c| *c == order.client_id),
        };
        if own && order.courier_id == who.courier_id {
            orders.push(order);
        }
    }
    Ok(orders)
}

/// Where the next page starts: the window (index key to read after, none for the first)
/// and, within it, the last order already shown.
pub struct SearchCursor {
    pub window: Option<Item>,
    pub after: Option<String>,
}

impl SearchCursor {
    pub fn encode(&self) -> String {
        let mut cursor = Item::new();
        if let Some(window) = &self.window {
            cursor.insert("window".into(), Value::Object(window.clone()));
        }
        if let Some(after) = &self.after {
            cursor.insert("after".into(), after.clone().into());
        }
        encode_cursor(&cursor)
    }

    /// A cursor of this search only: its window key must be in the partition and key range
    /// the query reads, so a crafted one can neither fail the store nor cross tenants.
    pub fn decode(raw: Option<&str>, query: &Query, range: &str) -> Result<Self, OrderError> {
        let Some(raw) = raw else {
            return Ok(Self {
                window: None,
                after: None,
            });
        };
        let invalid = || OrderError::InvalidCursor;
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        let mut cursor: Item = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        let window = match cursor.remove("window") {
            None => None,
            Some(Value::Object(key)) => {
                let key = decode_cursor(Some(&encode_cursor(&key)), query)?;
                let sort_attr = query.index.map_or(crate::store::SK, |i| i.sk_attr());
                let in_range = key
                    .as_ref()
                    .and_then(|k| k.get(sort_attr))
                    .and_then(Value::as_str)
                    .is_some_and(|sk| sk.starts_with(range));
                if !in_range {
                    return Err(invalid());
                }
                key
            }
            Some(_) => return Err(invalid()),
        };
        let after = match cursor.remove("after") {
            None => None,
            Some(Value::String(id)) if parse_order_id(&id).as_deref() == Some(id.as_str()) => {
                Some(id)
            }
            Some(_) => return Err(invalid()),
        };
        if !cursor.is_empty() {
            return Err(invalid());
        }
        Ok(Self { window, after })
    }
}

/// The key range a query reads, for tests of the cursor.
#[cfg(test)]
fn range_of(query: &Query) -> Option<&str> {
    match &query.sk {
        Some(crate::store::SkCond::BeginsWith(prefix)) => Some(prefix),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::api_key::Role;

    fn courier() -> Principal {
        let who = Principal {
            role: Role::Courier,
            courier_id: crate::domain::ids::CourierId::parse(&format!("cou_{}", ulid::Ulid::nil()))
                .unwrap(),
            client_id: None,
            key_id: crate::domain::ids::KeyId::parse(&format!("key_{}", ulid::Ulid::nil()))
                .unwrap(),
            client_name: None,
            auto_assign_team_id: None,
            has_services: false,
            logo_url: None,
            team_role: Default::default(),
            unread_messages: 0,
        };
        who
    }

    #[test]
    fn several_words_read_the_longest_whole_word_and_filter_the_others() {
        let who = courier();
        let search = Search {
            who: &who,
            query: SearchQuery::parse(Some("rue marie cu")).unwrap().unwrap(),
            client: None,
            status: None,
            created: None,
            limit: 10,
        };
        let (query, range) = index_query(&search);
        assert_eq!(range, "marie#");
        assert_eq!(range_of(&query), Some("marie#"));
        assert_eq!(
            query.filter,
            Some(Cond::And(vec![
                Cond::contains("words", " rue "),
                Cond::contains("words", " cu"),
            ]))
        );
    }

    #[test]
    fn a_cursor_outside_the_range_is_refused() {
        let who = courier();
        let search = Search {
            who: &who,
            query: SearchQuery::parse(Some("curie")).unwrap().unwrap(),
            client: None,
            status: None,
            created: None,
            limit: 10,
        };
        let (query, range) = index_query(&search);
        let window = |sk: &str| {
            SearchCursor {
                window: Some(Item::from_iter([
                    ("PK".to_string(), Value::from(query.pk.clone())),
                    ("SK".to_string(), Value::from(sk)),
                ])),
                after: None,
            }
            .encode()
        };
        assert!(SearchCursor::decode(Some(&window("curie#ord_1")), &query, &range).is_ok());
        assert!(SearchCursor::decode(Some(&window("zola#ord_1")), &query, &range).is_err());
        assert!(SearchCursor::decode(Some("bm9wZQ"), &query, &range).is_err());
    }
}

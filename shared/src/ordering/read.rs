//! Reading orders as the caller may see them: one order by id or short id, and a page of
//! orders (newest first, filtered by client and status, or searched). The JSON API and the
//! pages both read through here, so tenant rules are written once: another organisation's
//! order is not found, exactly like a missing one.

use super::error::{OrderError, OrderField};
use crate::domain::api_key::{Principal, Role};
use crate::domain::created_days::CreatedDays;
use crate::domain::ids::ClientId;
use crate::domain::order::{self, Order};
use crate::domain::order_machine::OrderStatus;
use crate::domain::search::SearchQuery;
use crate::store::records::from_item;
use crate::store::{keys, orders, Cond, Index, Query};
use crate::Ctx;

use super::search::{search_orders, Search};

/// Which orders a page lists.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Words to search for (recipient, address, ids…); none lists newest first.
    pub search: Option<SearchQuery>,
    /// A courier's orders for one of its clients (ignored for a client: its own only).
    pub client: Option<ClientId>,
    /// Any of these statuses; empty: every status.
    pub statuses: Vec<OrderStatus>,
    /// Only orders created on these days (inclusive, in the range's zone); with words, the
    /// search terms found are narrowed to them by their order id.
    pub created: CreatedDays,
    pub limit: u32,
    /// Where the previous page ended.
    pub cursor: Option<String>,
}

/// A page of orders and the cursor of what follows.
#[derive(Debug)]
pub struct OrdersPage {
    pub orders: Vec<Order>,
    pub next_cursor: Option<String>,
}

/// The caller's order by id or short id; anyone else's answers 404 like a missing one.
pub async fn find_order(ctx: &Ctx, who: &Principal, raw: &str) -> Result<Order, OrderError> {
    let courier = who.courier_id.as_str();
    let found = if let Some(id) = order::parse_order_id(raw) {
        orders::get(ctx.store.as_ref(), courier, &id).await?
    } else if let Some(short) = order::parse_short_id(raw) {
        orders::get_by_short_id(ctx.store.as_ref(), courier, &short).await?
    } else {
        None
    };
    found
        .filter(|order| may_see(who, order))
        .ok_or(OrderError::NotFound)
}

/// Whether `who` may see `order`: its courier, or the client it is for.
pub fn may_see(who: &Principal, order: &Order) -> bool {
    order.courier_id == who.courier_id
        && (who.role == Role::Courier || who.client_id.as_ref() == Some(&order.client_id))
}

/// A page of the caller's orders: searched through the term index when the filter has
/// words, else read newest first from the courier's or the client's partition.
pub async fn list_orders(
    ctx: &Ctx,
    who: &Principal,
    filter: &OrderFilter,
) -> Result<OrdersPage, OrderError> {
    let client = match who.role {
        Role::Courier => filter.client.clone(),
        Role::Client => None,
    };
    if filter.created.is_reversed() {
        return Err(OrderError::invalid(
            OrderField::CreatedFrom,
            "must not be after createdTo",
        ));
    }
    let (from, to) = filter.created.instants();
    let created = (!filter.created.is_empty()).then(|| keys::order_id_range(from, to));
    if let Some(query) = &filter.search {
        let search = Search {
            who,
            query: query.clone(),
            client,
            status: status_cond(&filter.statuses),
            created,
            limit: filter.limit,
        };
        let (orders, next_cursor) = search_orders(ctx, &search, filter.cursor.as_deref()).await?;
        return Ok(OrdersPage {
            orders,
            next_cursor,
        });
    }
    let client = match client {
        Some(id) => Some(own_client(ctx, who, id).await?),
        None => None,
    };
    let mut query = orders_query(who, client.as_ref(), &filter.statuses);
    if created.is_some() {
        // The creation range is a range of sort keys: older orders are reached, not hidden
        // behind pages of newer ones.
        query.sk = Some(keys::order_sk_range(from, to));
    }
    let (items, next_cursor) = crate::store::pages::list_page(
        ctx.store.as_ref(),
        query,
        filter.limit,
        filter.cursor.as_deref(),
    )
    .await?;
    let orders = items
        .into_iter()
        .map(from_item::<Order>)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OrdersPage {
        orders,
        next_cursor,
    })
}

/// A client of the signed-in courier, checked (one GetItem): what a courier's list and
/// export of one client's orders read. The client's partition of GSI1 holds its orders
/// only, imported ones too (whose compact items carry no courier id to filter on).
#[derive(Debug, Clone, PartialEq)]
pub struct OwnClient(ClientId);

/// The courier's client `id`; another courier's, or none, is refused on `clientId`.
pub async fn own_client(ctx: &Ctx, who: &Principal, id: ClientId) -> Result<OwnClient, OrderError> {
    match crate::store::clients::get(ctx.store.as_ref(), who.courier_id.as_str(), id.as_str())
        .await?
    {
        Some(_) => Ok(OwnClient(id)),
        None => Err(OrderError::invalid(
            OrderField::ClientId,
            "is not one of your clients",
        )),
    }
}

/// The query behind the list without words and behind the export: newest first, the
/// caller's orders only, for one client (a courier's, checked), in any of `statuses`.
pub fn orders_query(
    who: &Principal,
    client: Option<&OwnClient>,
    statuses: &[OrderStatus],
) -> Query {
    let mut filters: Vec<Cond> = status_cond(statuses).into_iter().collect();
    let query = match (&who.role, &who.client_id, client) {
        (Role::Client, Some(own), _) => {
            Query::partition(keys::client_orders_pk(own.as_str())).on(Index::Gsi1)
        }
        (Role::Courier, _, Some(OwnClient(client))) => {
            Query::partition(keys::client_orders_pk(client.as_str())).on(Index::Gsi1)
        }
        _ => Query::partition(keys::courier_pk(who.courier_id.as_str()))
            .sk_begins_with(keys::ORDER_PREFIX),
    };
    let filter = match filters.len() {
        0 => None,
        1 => filters.pop(),
        _ => Some(Cond::And(filters)),
    };
    query.descending().filter(filter)
}

/// The condition "status is one of `statuses`"; none for every status.
fn status_cond(statuses: &[OrderStatus]) -> Option<Cond> {
    (!statuses.is_empty()).then(|| Cond::one_of("status", statuses.iter().map(|s| s.as_str())))
}

/// A client as a courier's filters name it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientName {
    pub id: ClientId,
    pub name: String,
}

/// The courier's clients (deleted ones too: their orders stay), by name: what the orders
/// page's client filter offers. One Query of the courier's partition, page after page; none
/// for a client's caller.
pub async fn client_names(ctx: &Ctx, who: &Principal) -> Result<Vec<ClientName>, OrderError> {
    if who.role != Role::Courier {
        return Ok(vec![]);
    }
    let mut query = Query::partition(keys::courier_pk(who.courier_id.as_str()))
        .sk_begins_with(keys::CLIENT_PREFIX);
    let mut names = Vec::new();
    loop {
        let page = ctx.store.query(&query).await?;
        for item in page.items {
            let client: crate::domain::client::Client = from_item(item)?;
            names.push(ClientName {
                id: client.id,
                name: client.name.to_string(),
            });
        }
        match page.last_key {
            Some(last) => query.start_after = Some(last),
            None => break,
        }
    }
    names.sort_by_key(|c| c.name.to_lowercase());
    Ok(names)
}

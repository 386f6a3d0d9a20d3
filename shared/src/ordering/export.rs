//! The orders as CSV (`GET /v1/orders/export` and the orders page's **Export CSV**): the
//! caller's orders (a courier's, or one of its clients'; a client's own), in some statuses,
//! created within a range of days that holds at most [`MAX_EXPORT_ROWS`] orders, never cut.

use super::error::OrderError;
use super::read::{orders_query, own_client};
use crate::domain::api_key::Principal;
use crate::domain::created_days::CreatedDays;
use crate::domain::ids::ClientId;
use crate::domain::order::Order;
use crate::domain::order_machine::OrderStatus;
use crate::store::keys;
use crate::store::records::from_item;
use crate::Ctx;

/// One export holds at most this many orders; a range with more is refused, never cut.
pub const MAX_EXPORT_ROWS: usize = 10_000;

/// Which orders an export holds (the list's filters, without words).
#[derive(Debug, Clone)]
pub struct ExportOrders {
    /// One of a courier's clients (checked; ignored for a client: its own only).
    pub client: Option<ClientId>,
    /// Any of these statuses; empty: every status.
    pub statuses: Vec<OrderStatus>,
    /// Created on these days (inclusive, in the range's zone).
    pub created: CreatedDays,
    /// The most orders the export holds ([`MAX_EXPORT_ROWS`]; tests use fewer).
    pub max_rows: usize,
}

/// The orders of `filter`, newest first, or [`OrderError::TooManyRows`].
pub async fn export_orders(
    ctx: &Ctx,
    who: &Principal,
    filter: &ExportOrders,
) -> Result<Vec<Order>, OrderError> {
    if filter.created.is_reversed() {
        return Err(OrderError::invalid(
            super::OrderField::CreatedFrom,
            "must not be after the last day",
        ));
    }
    let client = match (&who.role, &filter.client) {
        (crate::domain::api_key::Role::Courier, Some(id)) => {
            Some(own_client(ctx, who, id.clone()).await?)
        }
        _ => None,
    };
    let mut query = orders_query(who, client.as_ref(), &filter.statuses);
    // Order ids are ULIDs of their creation time, so the range is a range of sort keys
    // (`ORDER#ord_<ULID>`), read by the Query's key condition.
    let (from, to) = filter.created.instants();
    query.sk = Some(keys::order_sk_range(from, to));
    let mut orders = Vec::new();
    loop {
        let page = ctx.store.query(&query).await?;
        for item in page.items {
            orders.push(from_item::<Order>(item)?);
        }
        if orders.len() > filter.max_rows {
            return Err(OrderError::TooManyRows {
                max: filter.max_rows,
            });
        }
        match page.last_key {
            Some(last) => query.start_after = Some(last),
            None => break,
        }
    }
    Ok(orders)
}

/// The CSV of `orders`, the client's name in its own column.
pub fn to_csv(orders: &[Order]) -> Result<Vec<u8>, OrderError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| OrderError::Internal(format!("csv: {e}"));
    out.write_record([
        "order id",
        "short id",
        "client name",
        "status",
        "recipient",
        "recipient phone",
        "pickup address",
        "dropoff address",
        "external id",
        "created at",
        "updated at",
    ])
    .map_err(fail)?;
    for order in orders {
        let recipient = order.dropoff.stop.contact.as_ref();
        let row = [
            order.id.clone(),
            order.short_id.clone(),
            order.client_name.clone(),
            order.status.as_str().to_string(),
            recipient.map(|c| c.name.to_string()).unwrap_or_default(),
            recipient
                .and_then(|c| c.phone.as_ref())
                .map(|p| p.to_string())
                .unwrap_or_default(),
            order.pickup.stop.address.one_line(),
            order.dropoff.stop.address.one_line(),
            order.external_id.clone().unwrap_or_default(),
            order.created_at.clone(),
            order.updated_at.clone(),
        ];
        out.write_record(row.iter().map(|cell| neutralise(cell)))
            .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| OrderError::Internal(format!("csv: {e}")))
}

/// A cell a spreadsheet would run as a formula is prefixed with `'` so it stays text.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_become_text() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise("Bloom Florist"), "Bloom Florist");
        assert_eq!(neutralise("+33612345678").chars().next(), Some('\''));
    }
}

//! `GET /v1/orders/export`: the courier's orders (same filters as the list) as CSV.

use super::orders::orders_query;
use super::records::from_item;
use crate::domain::order::Order;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

/// An export reads at most this many orders (narrow it with filters for more).
const MAX_EXPORT_ROWS: usize = 10_000;

pub async fn export_orders(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.courier()?;
    let mut query = orders_query(&req, who)?;
    let mut orders = Vec::new();
    loop {
        let page = ctx.store.query(&query).await?;
        for item in page.items {
            orders.push(from_item::<Order>(item)?);
        }
        match page.last_key {
            Some(last) if orders.len() < MAX_EXPORT_ROWS => query.start_after = Some(last),
            _ => break,
        }
    }
    orders.truncate(MAX_EXPORT_ROWS);
    Ok(ApiResponse {
        status: 200,
        headers: vec![
            ("content-type".into(), "text/csv; charset=utf-8".into()),
            (
                "content-disposition".into(),
                "attachment; filename=\"orders.csv\"".into(),
            ),
        ],
        body: to_csv(&orders)?.into(),
    })
}

pub fn to_csv(orders: &[Order]) -> Result<Vec<u8>, ApiError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Internal(format!("csv: {e}"));
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
        .map_err(|e| ApiError::Internal(format!("csv: {e}")))
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

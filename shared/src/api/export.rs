//! `GET /v1/orders/export`: the courier's orders (same filters as the list) as CSV, for a
//! range of creation dates that holds at most [`MAX_EXPORT_ROWS`] orders.

use super::orders::{client_param, statuses_param};
use super::records::from_item;
use crate::domain::created_days::CreatedDays;
use crate::domain::order::Order;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::read::{orders_query, own_client};
use crate::store::{keys, SkCond};
use crate::Ctx;

/// One export holds at most this many orders; a range with more is refused, never cut.
pub const MAX_EXPORT_ROWS: usize = 10_000;

pub async fn export_orders(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    export_at_most(ctx, req, MAX_EXPORT_ROWS).await
}

/// The export with its row limit as a parameter (tests use a small one).
pub async fn export_at_most(ctx: &Ctx, req: ApiRequest, max_rows: usize) -> ApiResult {
    let who = req.courier()?;
    if req.query_param("q").is_some() {
        return Err(ApiError::invalid(
            "q",
            "the export does not search; select orders with from, to, status and clientId",
        ));
    }
    let range = DateRange::parse(&req)?;
    let statuses = statuses_param(&req)?;
    let client = match client_param(&req)? {
        Some(id) => Some(own_client(ctx, who, id).await?),
        None => None,
    };
    let mut query = orders_query(who, client.as_ref(), &statuses);
    query.sk = Some(range.sort_keys());
    let mut orders = Vec::new();
    loop {
        let page = ctx.store.query(&query).await?;
        for item in page.items {
            orders.push(from_item::<Order>(item)?);
        }
        if orders.len() > max_rows {
            return Err(ApiError::Invalid {
                code: "too_many_rows",
                field: "from".into(),
                message: format!(
                    "the range holds more than {max_rows} orders, the most one export holds; narrow it with from and to"
                ),
            });
        }
        match page.last_key {
            Some(last) => query.start_after = Some(last),
            None => break,
        }
    }
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

/// `from` and `to`: days (`YYYY-MM-DD`, UTC) of `createdAt`, both inclusive, both optional:
/// the same range as the list's `createdFrom` / `createdTo`, which the export also takes
/// (the list's filters export as they are).
struct DateRange(CreatedDays);

impl DateRange {
    fn parse(req: &ApiRequest) -> Result<Self, ApiError> {
        let day = |names: [&str; 2]| -> Result<Option<_>, ApiError> {
            let given: Vec<(&str, &str)> = names
                .iter()
                .filter_map(|name| Some((*name, req.query_param(name)?)))
                .collect();
            match given.as_slice() {
                [] => Ok(None),
                [(name, raw)] => CreatedDays::parse_day(raw)
                    .map(Some)
                    .ok_or_else(|| ApiError::invalid(*name, "must be a date as YYYY-MM-DD (UTC)")),
                _ => Err(ApiError::invalid(
                    names[1],
                    format!("give {} or {}, not both", names[0], names[1]),
                )),
            }
        };
        let range = CreatedDays {
            from: day(["from", "createdFrom"])?,
            to: day(["to", "createdTo"])?,
            zone: Default::default(),
        };
        if range.is_reversed() {
            let first = ["from", "createdFrom"]
                .into_iter()
                .find(|name| req.query_param(name).is_some())
                .unwrap_or("from");
            return Err(ApiError::invalid(first, "must not be after the last day"));
        }
        Ok(Self(range))
    }

    /// Order ids are ULIDs of their creation time, so the range is a range of sort keys
    /// (`ORDER#ord_<ULID>`), read by the Query's key condition.
    fn sort_keys(&self) -> SkCond {
        let (from, to) = self.0.instants();
        keys::order_sk_range(from, to)
    }
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

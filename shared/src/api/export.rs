//! `GET /v1/orders/export`: the courier's orders (same filters as the list) as CSV, for a
//! range of creation dates that holds at most [`MAX_EXPORT_ROWS`] orders. The HTTP adapter
//! onto [`crate::ordering::export`] (the orders page's **Export CSV** runs it too).

use super::orders::{client_param, statuses_param};
use crate::domain::created_days::CreatedDays;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::ordering::export::{export_orders as export, to_csv, ExportOrders};
use crate::Ctx;

pub use crate::ordering::export::MAX_EXPORT_ROWS;

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
    let filter = ExportOrders {
        statuses: statuses_param(&req)?,
        client: client_param(&req)?,
        created: range.0,
        max_rows,
    };
    let orders = export(ctx, who, &filter).await?;
    Ok(ApiResponse::orders_csv(to_csv(&orders)?))
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
}

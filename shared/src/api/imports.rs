//! Imports: `POST /v1/imports` (a CSV, TSV or XLSX body), `GET /v1/imports`,
//! `GET /v1/imports/{importId}`. HTTP adapters onto [`crate::imports`].

use chrono::NaiveDate;

use super::records::listing;
use crate::domain::ids::ClientId;
use crate::error::ApiError;
use crate::http::{page_limit, ApiRequest, ApiResponse, ApiResult};
use crate::imports::record::{ImportStatus, ImportSummary};
use crate::imports::sheet::Format;
use crate::imports::{self, run_import, ImportCommand};
use crate::Ctx;

/// `POST /v1/imports[?preflight=true][&date=YYYY-MM-DD][&clientId=…]`.
pub async fn create_import(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?.clone();
    let format = Format::from_content_type(req.header("content-type"))?;
    let preflight = match req.query_param("preflight") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::invalid("preflight", "must be true or false")),
    };
    let date = req
        .query_param("date")
        .map(|raw| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| ApiError::invalid("date", "must be a date (YYYY-MM-DD)"))
        })
        .transpose()?;
    let client_id = req
        .query_param("clientId")
        .map(|raw| {
            ClientId::parse(raw).map_err(|_| ApiError::invalid("clientId", "is not a client id"))
        })
        .transpose()?;
    let cmd = ImportCommand {
        by: who,
        format,
        file: req.body.clone(),
        date,
        preflight,
        client_id,
        base_url: ctx.base_url(&req),
    };
    let report = run_import(ctx, cmd).await?;
    let status = match (preflight, report.status) {
        (true, _) => 200,
        // A large sheet: its rows are being written by the import worker.
        (false, ImportStatus::Running) => 202,
        (false, ImportStatus::Done | ImportStatus::Failed) => 201,
    };
    let response = ApiResponse::json(status, &report);
    Ok(if preflight {
        response
    } else {
        response.with_header("location", &format!("/v1/imports/{}", report.id))
    })
}

/// `GET /v1/imports`: the caller's imports, newest first (without their rows).
pub async fn list_imports(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let limit = page_limit(req.query_param("limit"))?;
    let page = imports::list_imports(ctx, who, limit, req.query_param("cursor")).await?;
    let views = page.imports.iter().map(ImportSummary::view).collect();
    Ok(ApiResponse::ok(&listing(views, page.next_cursor)))
}

/// `GET /v1/imports/{importId}`: the import's answer as it was given (a background import's
/// progress and the rows written so far while it runs).
pub async fn get_import(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let who = req.principal()?;
    let report = imports::find_import(ctx, who, req.path_param("importId")?).await?;
    Ok(ApiResponse::ok(&report))
}

//! `GET /imports` (the upload form, past imports with their counts, and one import's report
//! with `?import=`) and `POST /imports` (a multipart form: `step=preflight` with the file
//! checks it and shows the preflight table, row errors by row and column; `step=commit`
//! imports it). The file goes from the preflight to the commit in a hidden field (base64),
//! so nothing is stored until the person commits; both steps are the JSON use case
//! `create_import` (`?preflight=true`, then without).

use askama::Template;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::NaiveDate;
use serde_json::Value;

use super::multipart::{self, Part};
use super::{as_api, html, redirect, signed_in, signed_in_post};
use crate::api::imports::{create_import, get_import, list_imports};
use crate::domain::api_key::Principal;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::imports::sheet::XLSX_TYPE;
use crate::Ctx;

/// One past import, as listed.
pub struct PastImport {
    pub id: String,
    pub created: String,
    pub rows: u64,
    pub drafts: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: u64,
}

/// One row error: row, column, value, reason.
pub struct RowIssue {
    pub row: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// A preflight's or an import's answer as the page shows it.
pub struct Report {
    pub id: String,
    /// The day of rows whose times have no date (`YYYY-MM-DD`, carried to the commit), and
    /// as people read it ("Tuesday 8 December 2026").
    pub date: Option<(String, String)>,
    pub rows: u64,
    /// New drafts (to be made, or made).
    pub drafts: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: u64,
    pub unknown_columns: Vec<String>,
    pub issues: Vec<RowIssue>,
}

/// The file carried from the preflight to the commit.
pub struct Carried {
    pub name: String,
    pub data: String,
}

#[derive(Template)]
#[template(path = "web/imports.html")]
struct ImportsPage {
    client_name: String,
    logo_url: Option<String>,
    past: Vec<PastImport>,
    next: Option<String>,
    /// A preflight waiting for its commit.
    preflight: Option<(Report, Carried)>,
    /// A committed import (`?import=`).
    done: Option<Report>,
    alert: Option<String>,
    file_error: Option<String>,
    /// The delivery date picked on the form (empty: the next delivery day).
    date: String,
    date_error: Option<String>,
}

impl ImportsPage {
    fn new(principal: &Principal) -> Self {
        ImportsPage {
            client_name: principal.client_name.clone().unwrap_or_default(),
            logo_url: principal.logo_url.clone(),
            past: vec![],
            next: None,
            preflight: None,
            done: None,
            alert: None,
            file_error: None,
            date: String::new(),
            date_error: None,
        }
    }
}

pub async fn imports_page(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let mut page = ImportsPage::new(&principal);
    if let Some(import_id) = req.query_param("import").filter(|i| !i.is_empty()) {
        let mut api = as_api(principal.clone(), &req);
        api.path_params.insert("importId".into(), import_id.into());
        match get_import(ctx, api).await {
            Ok(response) => {
                let body: Value = serde_json::from_slice(&response.body).unwrap_or_default();
                page.done = Some(report(&body));
            }
            Err(ApiError::NotFound(_)) => return Ok(super::not_found(true)),
            Err(e) => return Err(e),
        }
    }
    past(ctx, &req, &principal, req.query_param("cursor"), &mut page).await?;
    Ok(html(200, &page))
}

pub async fn import_form(ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let principal = match signed_in_post(ctx, &req).await? {
        Ok(p) => p,
        Err(to_login) => return Ok(to_login),
    };
    let mut page = ImportsPage::new(&principal);
    let Some(parts) = multipart::parse(req.header("content-type"), &req.body) else {
        page.file_error = Some("Choose a CSV, TSV or XLSX file to upload.".into());
        past(ctx, &req, &principal, None, &mut page).await?;
        return Ok(html(422, &page));
    };
    let value = |name: &str| -> Option<&Part> { parts.iter().find(|p| p.name == name) };
    let text = |name: &str| {
        value(name)
            .map(|p| String::from_utf8_lossy(&p.body).trim().to_string())
            .unwrap_or_default()
    };
    let commit = text("step") == "commit";
    page.date = text("date");
    // The file: uploaded now, or carried over from the preflight.
    let (name, file) = match value("file").filter(|p| !p.body.is_empty()) {
        Some(part) => (part.filename.clone().unwrap_or_default(), part.body.clone()),
        None => match STANDARD.decode(text("file_data")) {
            Ok(bytes) if !bytes.is_empty() => (text("file_name"), bytes.into()),
            _ => {
                page.file_error = Some("Choose a CSV, TSV or XLSX file to upload.".into());
                past(ctx, &req, &principal, None, &mut page).await?;
                return Ok(html(422, &page));
            }
        },
    };
    let Some(content_type) = content_type(&name) else {
        page.file_error = Some("The file must end in .csv, .tsv or .xlsx.".into());
        past(ctx, &req, &principal, None, &mut page).await?;
        return Ok(html(422, &page));
    };
    let mut api = as_api(principal.clone(), &req);
    api.method = "POST".into();
    if let Ok(value) = content_type.parse() {
        api.headers.insert("content-type", value);
    }
    if !commit {
        api.query.push(("preflight".into(), "true".into()));
    }
    if !page.date.is_empty() {
        api.query.push(("date".into(), page.date.clone()));
    }
    api.body = file.clone();
    let status = match create_import(ctx, api).await {
        Ok(response) => {
            let body: Value = serde_json::from_slice(&response.body).unwrap_or_default();
            if commit {
                let id = body["id"].as_str().unwrap_or("");
                return Ok(redirect(&format!("/imports?import={id}")));
            }
            page.preflight = Some((
                report(&body),
                Carried {
                    name,
                    data: STANDARD.encode(&file),
                },
            ));
            200
        }
        Err(
            e @ (ApiError::Forbidden(_)
            | ApiError::TooLarge { .. }
            | ApiError::LimitExceeded { .. }),
        ) => {
            let status = e.status();
            page.alert = Some(match e {
                ApiError::Forbidden(_) => {
                    "Your courier has not enabled spreadsheet uploads for you. Ask them to turn on order uploads.".into()
                }
                e => e.to_string(),
            });
            status
        }
        Err(ApiError::Invalid { field, .. }) if field == "date" => {
            page.date_error = Some("Enter the delivery date as a date (YYYY-MM-DD).".into());
            422
        }
        Err(e @ (ApiError::Malformed { .. } | ApiError::Invalid { .. })) => {
            page.file_error = Some(format!("This file cannot be read: {e}"));
            422
        }
        Err(e) => return Err(e),
    };
    past(ctx, &req, &principal, None, &mut page).await?;
    Ok(html(status, &page))
}

/// The content type `create_import` reads a file name's extension as.
fn content_type(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    [
        (".csv", "text/csv"),
        (".tsv", "text/tab-separated-values"),
        (".txt", "text/tab-separated-values"),
        (".xlsx", XLSX_TYPE),
    ]
    .into_iter()
    .find(|(ext, _)| lower.ends_with(ext))
    .map(|(_, t)| t)
}

/// The client's past imports, newest first.
async fn past(
    ctx: &Ctx,
    req: &ApiRequest,
    principal: &Principal,
    cursor: Option<&str>,
    page: &mut ImportsPage,
) -> Result<(), ApiError> {
    let mut api = as_api(principal.clone(), req);
    api.query.push(("limit".into(), "20".into()));
    if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
        api.query.push(("cursor".into(), cursor.into()));
    }
    let body: Value = match list_imports(ctx, api).await {
        Ok(response) => serde_json::from_slice(&response.body).unwrap_or_default(),
        Err(ApiError::Malformed { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    page.past = body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let count = |k: &str| i["counts"][k].as_u64().unwrap_or(0);
            let created = i["createdAt"].as_str().unwrap_or("");
            PastImport {
                id: i["id"].as_str().unwrap_or("").into(),
                created: match (created.get(..10), created.get(11..16)) {
                    (Some(d), Some(t)) => format!("{d} {t}"),
                    _ => created.into(),
                },
                rows: count("rows"),
                drafts: count("drafts"),
                updated: count("updated"),
                unchanged: count("unchanged"),
                errors: count("errors"),
            }
        })
        .collect();
    page.next = body["nextCursor"].as_str().map(str::to_string);
    Ok(())
}

fn report(body: &Value) -> Report {
    let count = |k: &str| body["counts"][k].as_u64().unwrap_or(0);
    Report {
        id: body["id"].as_str().unwrap_or("").into(),
        date: body["date"]
            .as_str()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| (d.to_string(), d.format("%A %-d %B %Y").to_string())),
        rows: count("rows"),
        drafts: count("drafts") + count("placed"),
        updated: count("updated"),
        unchanged: count("unchanged"),
        errors: count("errors"),
        unknown_columns: body["unknownColumns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        issues: body["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["errors"].as_array().into_iter().flatten())
            .map(|e| RowIssue {
                row: e["row"].as_u64().unwrap_or(0),
                column: e["column"].as_str().unwrap_or("").into(),
                value: e["value"].as_str().unwrap_or("").into(),
                reason: e["reason"].as_str().unwrap_or("").into(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::content_type;

    #[test]
    fn a_file_is_read_by_its_extension() {
        assert_eq!(content_type("Orders.CSV"), Some("text/csv"));
        assert_eq!(content_type("a.tsv"), Some("text/tab-separated-values"));
        assert!(content_type("a.xlsx").is_some_and(|t| t.contains("spreadsheetml")));
        assert_eq!(content_type("a.pdf"), None);
    }
}

//! `GET /imports` (the upload form, past imports with their counts, and one import's report
//! with `?import=`) and `POST /imports` (a multipart form: `step=preflight` with the file
//! checks it and shows the preflight table, row errors by row and column; `step=commit`
//! imports it). The file goes from the preflight to the commit in a hidden field (base64),
//! so nothing is stored until the person commits; both steps are the import use case
//! `imports::run_import` (a preflight, then not), and the lists `imports::list_imports` and
//! `imports::find_import`. A courier's person imports a track-only sheet for its clients:
//! a `Client ID` column, or one client picked (`client`), placed as orders.

use askama::Template;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::NaiveDate;

use super::format::local;
use super::multipart::{self, Part};
use super::reader::reader;
use super::{html, redirect, signed_in, signed_in_post, Brand};
use crate::domain::api_key::{Principal, Role};
use crate::domain::ids::ClientId;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResult};
use crate::imports::error::ImportError;
use crate::imports::record::{ImportReport, ImportStatus, ImportSummary, Progress};
use crate::imports::sheet::Format;
use crate::imports::{find_import, list_imports, run_import, ImportCommand};
use crate::ordering::read::client_names;
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
    /// A background import still writing its rows.
    pub running: Option<Running>,
    /// A background import that stopped: how far it got.
    pub failed: Option<Running>,
}

/// How far a background import is, as the page shows it.
#[derive(Debug, Clone, Copy)]
pub struct Running {
    pub written: u64,
    pub total: u64,
    pub percent: u64,
}

impl Running {
    fn of(status: ImportStatus, progress: Option<Progress>) -> Option<Self> {
        Self::when(ImportStatus::Running, status, progress)
    }

    fn when(
        wanted: ImportStatus,
        status: ImportStatus,
        progress: Option<Progress>,
    ) -> Option<Self> {
        match (status, progress) {
            (s, Some(p)) if s == wanted => Some(Running {
                written: p.written as u64,
                total: p.total as u64,
                percent: p.percent() as u64,
            }),
            _ => None,
        }
    }
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
    /// A background import still writing its rows (the counts are those written so far).
    pub running: Option<Running>,
    /// Why a background import stopped (its counts are those written), in words.
    pub failure: Option<String>,
}

/// The file carried from the preflight to the commit.
pub struct Carried {
    pub name: String,
    pub data: String,
}

/// A client a courier's import may be for.
pub struct ClientChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "web/imports.html")]
struct ImportsPage {
    client_name: Brand,
    /// The reader is a courier's person: a track-only sheet for its clients (a `Client ID`
    /// column, or one client picked), placed as orders, not drafts.
    courier: bool,
    /// The courier's clients (its pick of the sheet's client).
    clients: Vec<ClientChoice>,
    /// The client picked (an id; empty: each row's `Client ID`).
    client: String,
    client_error: Option<String>,
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
    /// Whether an import shown is still writing its rows (the page reloads itself).
    fn running(&self) -> bool {
        self.done.as_ref().is_some_and(|d| d.running.is_some())
            || self.past.iter().any(|p| p.running.is_some())
    }

    fn new(principal: &Principal) -> Self {
        ImportsPage {
            client_name: Brand::of(principal),
            courier: principal.role == Role::Courier,
            clients: vec![],
            client: String::new(),
            client_error: None,
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
        match find_import(ctx, &principal, import_id).await {
            Ok(done) => page.done = Some(report(&done)),
            Err(ImportError::NotFound) => return Ok(super::not_found(true)),
            Err(e) => return Err(e.into()),
        }
    }
    past(ctx, &principal, req.query_param("cursor"), &mut page).await?;
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
        past(ctx, &principal, None, &mut page).await?;
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
    if page.courier {
        page.client = text("client");
    }
    // The file: uploaded now, or carried over from the preflight.
    let (name, file) = match value("file").filter(|p| !p.body.is_empty()) {
        Some(part) => (part.filename.clone().unwrap_or_default(), part.body.clone()),
        None => match STANDARD.decode(text("file_data")) {
            Ok(bytes) if !bytes.is_empty() => (text("file_name"), bytes.into()),
            _ => {
                page.file_error = Some("Choose a CSV, TSV or XLSX file to upload.".into());
                past(ctx, &principal, None, &mut page).await?;
                return Ok(html(422, &page));
            }
        },
    };
    let Some(format) = format(&name) else {
        page.file_error = Some("The file must end in .csv, .tsv or .xlsx.".into());
        past(ctx, &principal, None, &mut page).await?;
        return Ok(html(422, &page));
    };
    let date = match page.date.as_str() {
        "" => None,
        raw => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                page.date_error = Some("Enter the delivery date as a date (YYYY-MM-DD).".into());
                past(ctx, &principal, None, &mut page).await?;
                return Ok(html(422, &page));
            }
        },
    };
    // A courier's sheet is for the client picked, else each row's Client ID column.
    let client_id = match page.client.as_str() {
        "" => None,
        raw => match ClientId::parse(raw) {
            Ok(id) => Some(id),
            Err(_) => {
                page.client_error = Some("Choose a client from the list.".into());
                past(ctx, &principal, None, &mut page).await?;
                return Ok(html(422, &page));
            }
        },
    };
    let cmd = ImportCommand {
        by: principal.clone(),
        format,
        file: file.clone(),
        date,
        preflight: !commit,
        client_id,
        base_url: ctx.base_url(&req),
    };
    let status = match run_import(ctx, cmd).await {
        Ok(answer) => {
            if commit {
                return Ok(redirect(&format!("/imports?import={}", answer.id)));
            }
            page.preflight = Some((
                report(&answer),
                Carried {
                    name,
                    data: STANDARD.encode(&file),
                },
            ));
            200
        }
        // What the person can act on: next to the file, or above the form.
        Err(ImportError::UploadsNotAllowed) => {
            page.alert = Some(
                "Your courier has not enabled spreadsheet uploads for you. Ask them to turn on order uploads.".into(),
            );
            403
        }
        Err(e @ ImportError::TooLarge(_)) => {
            page.alert = Some(e.to_string());
            413
        }
        Err(ImportError::ClientNotNamed) => {
            page.client_error = Some(
                "Choose the sheet's client, or give each row its client in a Client ID column."
                    .into(),
            );
            422
        }
        Err(
            e @ (ImportError::Unreadable { .. }
            | ImportError::EmptySheet
            | ImportError::UnsupportedFormat(_)
            | ImportError::ClientNamedByClient),
        ) => {
            page.file_error = Some(format!("This file cannot be read: {e}"));
            422
        }
        Err(e) => return Err(e.into()),
    };
    past(ctx, &principal, None, &mut page).await?;
    Ok(html(status, &page))
}

/// The sheet format of a file, by its name's extension.
pub fn format(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    [
        (".csv", Format::Csv),
        (".tsv", Format::Tsv),
        (".txt", Format::Tsv),
        (".xlsx", Format::Xlsx),
    ]
    .into_iter()
    .find(|(ext, _)| lower.ends_with(ext))
    .map(|(_, format)| format)
}

/// The client's past imports, newest first.
async fn past(
    ctx: &Ctx,
    principal: &Principal,
    cursor: Option<&str>,
    page: &mut ImportsPage,
) -> Result<(), ApiError> {
    let cursor = cursor.filter(|c| !c.is_empty());
    let listed = match list_imports(ctx, principal, 20, cursor).await {
        Ok(listed) => listed,
        // A cursor that is not this list's: the first page's imports are shown.
        Err(ImportError::Store(crate::store::StoreError::InvalidCursor)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    // When each was made, in the reader's time zone; a courier's clients (its pick).
    let (reader, clients) = futures::join!(reader(ctx, principal), client_names(ctx, principal));
    let (courier_name, zone) = reader?;
    let zone = zone.tz();
    if page.courier {
        page.client_name = Brand::named(courier_name, principal);
        page.clients = clients?
            .into_iter()
            .map(|c| ClientChoice {
                selected: c.id.as_str() == page.client,
                id: c.id.to_string(),
                name: c.name,
            })
            .collect();
    }
    page.past = listed
        .imports
        .iter()
        .map(|import| past_import(import, zone))
        .collect();
    page.next = listed.next_cursor;
    Ok(())
}

fn past_import(import: &ImportSummary, zone: chrono_tz::Tz) -> PastImport {
    PastImport {
        id: import.id.clone(),
        created: local(&import.created_at, zone),
        rows: import.counts.rows as u64,
        drafts: import.counts.drafts as u64,
        updated: import.counts.updated as u64,
        unchanged: import.counts.unchanged as u64,
        errors: import.counts.errors as u64,
        running: Running::of(import.status, import.progress),
        failed: Running::when(ImportStatus::Failed, import.status, import.progress),
    }
}

fn report(answer: &ImportReport) -> Report {
    let counts = &answer.counts;
    Report {
        id: answer.id.clone(),
        date: answer
            .date
            .map(|d| (d.to_string(), d.format("%A %-d %B %Y").to_string())),
        rows: counts.rows as u64,
        drafts: (counts.drafts + counts.placed) as u64,
        updated: counts.updated as u64,
        unchanged: counts.unchanged as u64,
        errors: counts.errors as u64,
        unknown_columns: answer.unknown_columns.clone(),
        issues: answer
            .rows
            .iter()
            .flat_map(|r| &r.errors)
            .map(|e| RowIssue {
                row: e.row as u64,
                column: e.column.clone(),
                value: e.value.clone(),
                reason: e.reason.clone(),
            })
            .collect(),
        running: Running::of(answer.status, answer.progress),
        failure: answer.failure.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::format;
    use crate::imports::sheet::Format;

    #[test]
    fn a_file_is_read_by_its_extension() {
        assert_eq!(format("Orders.CSV"), Some(Format::Csv));
        assert_eq!(format("a.tsv"), Some(Format::Tsv));
        assert_eq!(format("a.txt"), Some(Format::Tsv));
        assert_eq!(format("a.xlsx"), Some(Format::Xlsx));
        assert_eq!(format("a.pdf"), None);
    }
}

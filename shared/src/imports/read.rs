//! Reading the caller's imports back: a page of them, newest first (without their rows), and
//! one with its rows as it was answered. Another organisation's import is not found.

use super::error::ImportError;
use super::record::{self, ImportReport, ImportSummary, IMPORT_PREFIX};
use crate::domain::api_key::Principal;
use crate::store::pages::list_page;
use crate::store::records::from_item;
use crate::store::{keys, Query};
use crate::Ctx;

/// A page of imports and the cursor of what follows.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportsPage {
    pub imports: Vec<ImportSummary>,
    pub next_cursor: Option<String>,
}

/// Up to `limit` of the caller's imports after `cursor`, newest first.
pub async fn list_imports(
    ctx: &Ctx,
    who: &Principal,
    limit: u32,
    cursor: Option<&str>,
) -> Result<ImportsPage, ImportError> {
    let query = Query::partition(keys::org_pk(who.org_id()))
        .sk_begins_with(IMPORT_PREFIX)
        .descending();
    let (items, next_cursor) = list_page(ctx.store.as_ref(), query, limit, cursor).await?;
    let mut imports = Vec::with_capacity(items.len());
    for item in items {
        // A running import whose worker gave up is listed as failed.
        imports.push(
            record::fail_if_stalled(ctx, who.org_id(), from_item::<ImportSummary>(item)?).await?,
        );
    }
    Ok(ImportsPage {
        imports,
        next_cursor,
    })
}

/// The caller's import with its rows, as it was answered.
pub async fn find_import(
    ctx: &Ctx,
    who: &Principal,
    import_id: &str,
) -> Result<ImportReport, ImportError> {
    record::load(ctx, who.org_id(), import_id).await
}

//! Spreadsheet imports: a sheet (CSV, TSV, XLSX) becomes drafts of the client (or, for a
//! courier's track-only import, placed orders of its clients) through the order-creation
//! use case, batched; re-imports update drafts in place (one marker per client and row Id).

pub mod background;
pub mod columns;
pub mod delivery_day;
pub mod error;
pub mod guide;
pub mod plan;
pub mod read;
pub mod record;
pub mod rows;
pub mod run;
pub mod sheet;
pub mod values;
pub mod worker;

pub use read::{find_import, list_imports, ImportsPage};
pub use run::{run_import, ImportCommand, INLINE_ROWS};

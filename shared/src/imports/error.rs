//! Why an import did not run: the import use cases' own error. The JSON API answers it in
//! one place (`From<ImportError> for ApiError`, `error.rs`); the imports page puts it next
//! to the file input.

use crate::ordering::OrderError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not one of the formats read (CSV, TSV, XLSX).
    #[error("{0}")]
    UnsupportedFormat(String),
    /// The file, or the sheet in it, is past a limit (bytes, rows, cells, unpacked size).
    #[error("{0}")]
    TooLarge(String),
    /// The file cannot be read as a sheet (`code`: `invalid_encoding`, `malformed_sheet`).
    #[error("{message}")]
    Unreadable { code: &'static str, message: String },
    /// The sheet has no header row.
    #[error("the sheet has no header row")]
    EmptySheet,
    /// A client named a client (it imports for itself).
    #[error("a client imports for itself")]
    ClientNamedByClient,
    /// A courier named no client: no `Client ID` column and no `clientId`.
    #[error("a courier imports for its clients: add a Client ID column or ?clientId=")]
    ClientNotNamed,
    /// The importing client is not there.
    #[error("client not found")]
    ClientNotFound,
    /// The courier has not allowed the client to upload orders.
    #[error("your courier has not enabled order uploads for you (allowOrderUpload)")]
    UploadsNotAllowed,
    /// No such import, or another organisation's.
    #[error("import not found")]
    NotFound,
    /// Placing or updating the rows' orders failed (the store, or a fault).
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of ours, never caused by what the caller sent.
    #[error("{0}")]
    Internal(String),
}

//! The spreadsheet reader as `POST /v1/imports` and the import form run it: the first byte
//! picks the format (CSV, TSV, XLSX), the rest is the file. A sheet read is matched to the
//! columns and every row parsed, as the import's plan does. The reader's own errors are the
//! caller's (400, 413); anything else, a panic, a hang or a large allocation is a defect.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal::domain::settings::Units;
use portal::imports::columns::Header;
use portal::imports::delivery_day::latest_time_of_day;
use portal::imports::error::ImportError;
use portal::imports::rows::{parse_row, RowContext};
use portal::imports::sheet::{read, Format, MAX_ROWS};
use portal::imports::values::parse_country;

#[global_allocator]
static ALLOCATOR: portal_fuzz::Capped = portal_fuzz::Capped;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let format = match selector % 3 {
        0 => Format::Csv,
        1 => Format::Tsv,
        _ => Format::Xlsx,
    };
    let sheet = match read(format, file) {
        Ok(sheet) => sheet,
        Err(
            ImportError::TooLarge(_) | ImportError::Unreadable { .. } | ImportError::EmptySheet,
        ) => return,
        Err(other) => panic!("the reader answered a caller's file with {other:?}"),
    };
    assert!(sheet.rows.len() <= MAX_ROWS, "{} rows", sheet.rows.len());
    let mut header = Header::match_names(&sheet.headers);
    let _ = latest_time_of_day(&header, &sheet);
    let cx = RowContext {
        tz: chrono_tz::Europe::Paris,
        country: parse_country("FR").ok(),
        // The import's `date` (for rows with times but no Date), or none.
        date: (selector & 0x40 != 0).then(|| chrono::NaiveDate::from_ymd_opt(2026, 12, 9).unwrap()),
        units: if selector & 0x80 == 0 {
            Units::Metric
        } else {
            Units::Imperial
        },
    };
    for row in &sheet.rows {
        for cell in &row.cells {
            let _ = cell.text();
        }
        if let Err(errors) = parse_row(&header, row, &cx) {
            assert!(!errors.is_empty(), "a refused row names its problems");
        }
    }
    // A courier's sheet whose Client ID column is ignored (the import names the client).
    header.ignore(portal::imports::columns::Column::ClientId);
    if let Some(row) = sheet.rows.first() {
        let _ = parse_row(&header, row, &cx);
    }
});

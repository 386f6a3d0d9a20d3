//! The imports page's example sheets (`shared/static/example-orders.csv` and `.xlsx`, served
//! by static-assets) are what the column guide (`portal::imports::guide`) describes, and they
//! import cleanly through the import use case: every row a draft, every column read. The
//! imports page links them and the column glossary, which names every column the reader
//! accepts, under every header it is read from.
//!
//! After a change to the guide (or to rust_xlsxwriter's output), write both files again with
//! `PORTAL_WRITE_EXAMPLE_SHEETS=1 cargo test -p portal-tests --test portal -- example_sheets::`
//! and commit them.

use bytes::Bytes;
use portal::imports::columns::NAMES;
use portal::imports::guide::{example_csv, example_sheet, glossary};
use portal_tests::{on_both_backends, TestApp};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use super::imports::{upload, world, CSV, XLSX};
use super::web_pages::{get, signed_up, visible};

const CSV_FILE: &str = "example-orders.csv";
const XLSX_FILE: &str = "example-orders.xlsx";

/// Columns the reader reads as numbers: written as numbers, so Excel shows no "number
/// stored as text" (a postal code or a phone number stays text).
const NUMBERS: [&str; 5] = [
    "Latitude",
    "Longitude",
    "Time at stop",
    "Package Count",
    "Weight",
];

/// The example workbook: one sheet, the header in bold and frozen, the columns wide enough.
fn example_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    // A fixed creation time: the same guide gives the same bytes.
    let created = ExcelDateTime::from_ymd(2027, 1, 1).unwrap();
    book.set_properties(
        &DocProperties::new()
            .set_title("Example orders")
            .set_creation_datetime(&created),
    );
    let sheet = book.add_worksheet();
    sheet.set_name("Orders").unwrap();
    let bold = Format::new().set_bold();
    let rows = example_sheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r == 0 {
                sheet.write_string_with_format(r, c, *value, &bold).unwrap();
                let width = rows
                    .iter()
                    .map(|row| row[c as usize].len())
                    .max()
                    .unwrap_or(8);
                sheet
                    .set_column_width(c, width.max(8) as f64 + 2.0)
                    .unwrap();
            } else if value.is_empty() {
                continue;
            } else if NUMBERS.contains(&rows[0][c as usize]) {
                sheet
                    .write_number(r, c, value.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r, c, *value).unwrap();
            }
        }
    }
    sheet.set_freeze_panes(1, 0).unwrap();
    book.save_to_buffer().unwrap()
}

fn static_path(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/static")
        .join(file)
}

#[test]
fn the_checked_in_example_sheets_are_what_the_column_guide_describes() {
    let expected = [
        (CSV_FILE, example_csv().into_bytes()),
        (XLSX_FILE, example_workbook()),
    ];
    if std::env::var_os("PORTAL_WRITE_EXAMPLE_SHEETS").is_some() {
        for (file, bytes) in &expected {
            std::fs::write(static_path(file), bytes).unwrap();
        }
    }
    for (file, bytes) in expected {
        // What static-assets serves, compiled in.
        let served = portal::web::assets::file(file).expect("served by static-assets");
        assert!(
            served == bytes.as_slice(),
            "shared/static/{file} is not what the column guide describes: write it again with \
             PORTAL_WRITE_EXAMPLE_SHEETS=1 cargo test -p portal-tests --test portal -- \
             example_sheets:: (then build again: the file is compiled into static-assets)"
        );
    }
    assert_eq!(
        example_workbook(),
        example_workbook(),
        "the workbook's bytes are stable"
    );
}

/// Both example sheets through the import use case, committed: the CSV makes a draft of
/// every row, the XLSX (the same Ids) updates each of them; no row has an error and no
/// column is left unread.
async fn the_example_sheets_import_cleanly(app: TestApp) {
    let w = world(app).await;
    let files = [
        (CSV, bytes::Bytes::from(example_csv()), "drafts"),
        (XLSX, bytes::Bytes::from(example_workbook()), "updated"),
    ];
    for (content_type, file, made) in files {
        let imported = upload(
            &w.app,
            &w.client.key,
            "?date=2027-01-14",
            content_type,
            file,
        )
        .await;
        assert_eq!(imported.status, 201, "{}", imported.text);
        let report = &imported.body;
        let rows = example_sheet().len() - 1;
        assert_eq!(report["counts"]["rows"], rows, "{report}");
        assert_eq!(report["counts"][made], rows, "{report}");
        assert_eq!(report["counts"]["errors"], 0, "{report}");
        assert_eq!(report["unknownColumns"], serde_json::json!([]), "{report}");
    }
}

/// The imports page links both downloads and the glossary; the glossary (signed in only)
/// says, for every column the reader accepts, whether it is required and every header it is
/// read from; both files are served with their type.
async fn the_imports_page_links_the_examples_and_the_column_glossary(app: TestApp) {
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let imports = get(&app, "/imports", &cookie).await;
    assert_eq!(imports.status, 200, "{}", imports.text);
    let version = portal::web::assets::version();
    for (link, words) in [
        (
            format!("/static/{version}/example-orders.csv"),
            "Download an example (CSV)",
        ),
        (
            format!("/static/{version}/example-orders.xlsx"),
            "Download an example (Excel)",
        ),
        ("/imports/columns".to_string(), "What each column means"),
    ] {
        assert!(
            imports.text.contains(&format!("href=\"{link}\"")) && imports.text.contains(words),
            "{link} {words}: {}",
            imports.text
        );
    }
    for (file, kind) in [
        ("example-orders.csv", "text/csv"),
        (
            "example-orders.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let got = app
            .raw(
                "GET",
                &format!("/static/{version}/{file}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(got.status, 200, "{file}");
        assert!(
            got.header("content-type").unwrap().starts_with(kind),
            "{file}"
        );
    }

    let signed_out = app.raw("GET", "/imports/columns", &[], Bytes::new()).await;
    assert_eq!(signed_out.status, 303);
    let page = get(&app, "/imports/columns", &cookie).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let text = visible(&page.text);
    for (name, _) in NAMES {
        assert!(text.contains(name), "the glossary names the header {name}");
    }
    for column in glossary() {
        assert!(
            page.text.contains(&format!(">{}</h2>", column.name()))
                && text.contains(&column.required_words()),
            "{}",
            column.name()
        );
    }
    assert!(text.contains("Required with a phone or email"));
    assert!(!page.text.contains("/v1/"), "no API address on a page");
}

on_both_backends!(
    the_example_sheets_import_cleanly,
    the_imports_page_links_the_examples_and_the_column_glossary,
);

//! Reading an uploaded sheet (CSV, TSV or XLSX) into a header and cells, whatever the
//! format: the rest of the import sees only [`Sheet`].

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxError};

use super::error::ImportError;

/// The largest file accepted.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// The most rows (besides the header) accepted.
pub const MAX_ROWS: usize = 10_000;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Tsv,
    Xlsx,
}

impl Format {
    /// The format a `Content-Type` names (parameters such as `charset` are ignored).
    pub fn from_content_type(content_type: Option<&str>) -> Result<Self, ImportError> {
        let mime = content_type
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "text/csv" | "application/csv" => Ok(Format::Csv),
            "text/tab-separated-values" => Ok(Format::Tsv),
            XLSX_TYPE => Ok(Format::Xlsx),
            _ => Err(ImportError::UnsupportedFormat(format!(
                "this Content-Type is not accepted: send the sheet as text/csv, text/tab-separated-values or {XLSX_TYPE}"
            ))),
        }
    }
}

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// An Excel date, time or date-time: days since 1899-12-30 (the fraction is the time).
    ExcelDate(f64),
}

impl Cell {
    /// The cell as text (what an error quotes, and what text fields take).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) | Cell::ExcelDate(n) => format_number(*n),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A data row: its line in the sheet (the header is line 1) and its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, index: usize) -> &Cell {
        self.cells.get(index).unwrap_or(&Cell::Empty)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    /// The header as written.
    pub headers: Vec<String>,
    /// Data rows that are not entirely empty.
    pub rows: Vec<Row>,
}

/// Reads the file; more than [`MAX_BYTES`] or [`MAX_ROWS`] (or, in an XLSX workbook, more
/// than its bounds: unpacked size, cells, columns, rows) is 413 naming the limit.
pub fn read(format: Format, bytes: &[u8]) -> Result<Sheet, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(too_large(format!(
            "the file is larger than {MAX_BYTES} bytes (4 MB); split it"
        )));
    }
    let sheet = match format {
        Format::Csv => read_delimited(bytes, b',')?,
        Format::Tsv => read_delimited(bytes, b'\t')?,
        Format::Xlsx => read_xlsx(bytes, &XLSX_BOUNDS)?,
    };
    if sheet.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(ImportError::EmptySheet);
    }
    Ok(sheet)
}

fn too_large(message: String) -> ImportError {
    ImportError::TooLarge(message)
}

fn too_many_rows() -> ImportError {
    too_large(format!("the sheet has more than {MAX_ROWS} rows; split it"))
}

fn read_delimited(bytes: &[u8], delimiter: u8) -> Result<Sheet, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::Unreadable {
        code: "invalid_encoding",
        message: "the file must be UTF-8 text".into(),
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers = None;
    let mut rows = Vec::new();
    let mut lines = Lines {
        text: text.as_bytes(),
        byte: 0,
        line: 1,
    };
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Unreadable {
            code: "malformed_sheet",
            message: format!("the file cannot be read as a sheet: {e}"),
        })?;
        let line = lines.at(record.position().map(|p| p.byte() as usize).unwrap_or(0));
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if headers.is_none() {
            headers = Some(cells);
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(too_many_rows());
        }
        rows.push(Row {
            line,
            cells: cells.into_iter().map(Cell::Text).collect(),
        });
    }
    Ok(Sheet {
        headers: headers.unwrap_or_default(),
        rows,
    })
}

/// Line numbers of records, counted as the reader moves forward (records come in order).
struct Lines<'a> {
    text: &'a [u8],
    /// Up to here, `line` lines.
    byte: usize,
    line: usize,
}

impl Lines<'_> {
    /// The line (from 1) of the record starting at `byte` (blank lines before it skipped).
    fn at(&mut self, byte: usize) -> usize {
        let mut start = byte.min(self.text.len()).max(self.byte);
        while start < self.text.len() && (self.text[start] == b'\r' || self.text[start] == b'\n') {
            start += 1;
        }
        // A line ends at `\n`, `\r\n` or a lone `\r` (the CSV reader's terminators).
        let skipped = &self.text[self.byte..start];
        self.line += skipped
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && skipped.get(i + 1) != Some(&b'\n')))
            .count();
        self.byte = start;
        self.line
    }
}

/// What an XLSX workbook may hold. A few KB of zip can declare a grid of 17 billion cells
/// (one cell at `A1`, one at `XFD1048576`) or unpack to gigabytes, and a reader that lays
/// the sheet out as a grid allocates all of it; so the zip's declared sizes and the sheet's
/// declared dimension are checked before reading, and each cell while its sheet is streamed.
#[derive(Debug, Clone, Copy)]
struct XlsxBounds {
    /// Every part of the zip, unpacked (the sizes its directory declares, which the zip
    /// reader holds each part to).
    unpacked_bytes: u64,
    /// Rows of the grid: no cell below this one.
    lines: u32,
    /// Columns of the grid: no cell right of this one.
    columns: u32,
    /// Cells of the grid as it is laid out (its rows × its columns): what reading costs.
    cells: usize,
}

const XLSX_BOUNDS: XlsxBounds = XlsxBounds {
    unpacked_bytes: 32 * 1024 * 1024,
    lines: 100_000,
    columns: 256,
    cells: 1_000_000,
};

impl XlsxBounds {
    fn beyond(&self, last_row: u32, last_column: u32, what: String) -> ImportError {
        too_large(format!(
            "{what} reaches {}: at most {} columns ({}) and {} rows are read; delete what \
             lies beyond your data, or copy the data to a new sheet",
            cell_name(last_row, last_column),
            self.columns,
            column_name(self.columns - 1),
            self.lines,
        ))
    }

    fn within(&self, row: u32, column: u32) -> bool {
        row < self.lines && column < self.columns
    }
}

/// `XFD1048576` for row 1048575, column 16383 (from 0).
fn cell_name(row: u32, column: u32) -> String {
    format!("{}{}", column_name(column), u64::from(row) + 1)
}

/// `A`…`Z`, `AA`…: a column's letters (from 0).
fn column_name(column: u32) -> String {
    let mut n = u64::from(column) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.iter().rev().map(|&b| b as char).collect()
}

fn unreadable_xlsx(e: impl std::fmt::Display) -> ImportError {
    ImportError::Unreadable {
        code: "malformed_sheet",
        message: format!("the file cannot be read as an XLSX workbook: {e}"),
    }
}

/// The sizes the zip's directory declares, before anything is unpacked.
fn check_unpacked_size(bytes: &[u8], bounds: &XlsxBounds) -> Result<(), ImportError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable_xlsx)?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_data(i).map_err(unreadable_xlsx)?;
        total = total.saturating_add(entry.size());
        if total > bounds.unpacked_bytes {
            let limit = match bounds.unpacked_bytes {
                b if b >= 1024 * 1024 => format!("{} MB", b / (1024 * 1024)),
                b => format!("{b} bytes"),
            };
            return Err(too_large(format!(
                "the workbook unpacks to more than {limit}; split it"
            )));
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], bounds: &XlsxBounds) -> Result<Sheet, ImportError> {
    check_unpacked_size(bytes, bounds)?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(unreadable_xlsx)?;
    let name = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| unreadable_xlsx("it has no sheet"))?;
    let mut reader = match workbook.worksheet_cells_reader(&name) {
        Ok(reader) => reader,
        // A chart sheet first: no cells, so no header row.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Sheet::default()),
        Err(e) => return Err(unreadable_xlsx(e)),
    };
    let declared = reader.dimensions();
    if !bounds.within(declared.end.0, declared.end.1) {
        return Err(bounds.beyond(
            declared.end.0,
            declared.end.1,
            format!(
                "the sheet's declared range ({}:{})",
                cell_name(declared.start.0, declared.start.1),
                cell_name(declared.end.0, declared.end.1)
            ),
        ));
    }
    // The cells as they stream by, by row; the grid is their bounding box, as calamine's
    // range would lay it out (a row without an Id is known by all its cells, so its width
    // must not change).
    let mut by_row: BTreeMap<u32, Vec<(u32, Cell)>> = BTreeMap::new();
    let mut last_column = 0;
    while let Some(c) = reader.next_cell().map_err(unreadable_xlsx)? {
        if matches!(c.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, column) = c.get_position();
        if !bounds.within(row, column) {
            return Err(bounds.beyond(row, column, "a cell".into()));
        }
        last_column = last_column.max(column);
        by_row
            .entry(row)
            .or_default()
            .push((column, cell(c.get_value())));
        let width = last_column as usize + 1;
        if by_row.len().saturating_mul(width) > bounds.cells {
            return Err(too_large(format!(
                "the sheet has more than {} cells (rows × columns); split it",
                bounds.cells
            )));
        }
    }
    let width = last_column as usize + 1;
    let mut headers = None;
    let mut rows = Vec::new();
    for (row, cells_at) in by_row {
        let mut cells = vec![Cell::Empty; width];
        for (column, value) in cells_at {
            cells[column as usize] = value;
        }
        if headers.is_none() {
            headers = Some(cells.iter().map(Cell::text).collect::<Vec<_>>());
            continue;
        }
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(too_many_rows());
        }
        rows.push(Row {
            line: row as usize + 1,
            cells,
        });
    }
    Ok(Sheet {
        headers: headers.unwrap_or_default(),
        rows,
    })
}

fn cell(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(s.clone())
        }
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Text(b.to_string()),
        DataRef::DateTime(dt) => Cell::ExcelDate(dt.as_f64()),
    }
}

#[cfg(test)]
mod tests {
    /// The HTTP status and code the API answers an import error with.
    fn status(e: &ImportError) -> u16 {
        match e {
            ImportError::TooLarge(_) => 413,
            ImportError::Unreadable { .. } => 400,
            _ => 0,
        }
    }

    fn code(e: &ImportError) -> &'static str {
        match e {
            ImportError::TooLarge(_) => "payload_too_large",
            ImportError::Unreadable { code, .. } => code,
            _ => "",
        }
    }

    use super::*;

    #[test]
    fn csv_with_bom_crlf_and_quoted_lines() {
        let sheet = read(
            Format::Csv,
            b"\xEF\xBB\xBFName,Notes\r\nAda,\"two\r\nlines\"\r\n\r\nBob,x\r\n",
        )
        .unwrap();
        assert_eq!(sheet.headers, vec!["Name", "Notes"]);
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(sheet.rows[0].line, 2);
        assert_eq!(sheet.rows[1].line, 5);
        assert_eq!(sheet.rows[1].cell(0).text(), "Bob");
        assert_eq!(sheet.rows[1].cell(7), &Cell::Empty);
    }

    #[test]
    fn lone_carriage_returns_end_lines_too() {
        let sheet = read(Format::Csv, b"Name,Notes\rAda,x\r\rBob,y").unwrap();
        assert_eq!(sheet.rows[0].line, 2);
        assert_eq!(sheet.rows[1].line, 4);
    }

    #[test]
    fn tsv_and_limits() {
        let sheet = read(Format::Tsv, b"A\tB\n1\t2\n").unwrap();
        assert_eq!(sheet.rows[0].cell(1).text(), "2");
        let mut big = String::from("A\n");
        for i in 0..=MAX_ROWS {
            big.push_str(&format!("{i}\n"));
        }
        let err = read(Format::Csv, big.as_bytes()).unwrap_err();
        assert_eq!(status(&err), 413);
        assert!(err.to_string().contains("10000 rows"), "{err}");
        let err = read(Format::Csv, &vec![b'a'; MAX_BYTES + 1]).unwrap_err();
        assert_eq!(status(&err), 413);
        assert!(status(&read(Format::Xlsx, b"not a zip").unwrap_err()) == 400);
    }

    /// A workbook written by hand: the parts calamine reads, and `sheet` (the sheet's XML
    /// between `<worksheet>` and `</worksheet>`), inline strings and numbers.
    fn workbook(sheet: &str) -> Vec<u8> {
        use std::io::Write;
        const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
        const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
            ),
            (
                "_rels/.rels",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ),
            (
                "xl/workbook.xml",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{DOC}"><sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{sheet}</worksheet>"#),
            ),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in parts {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn text(at: &str, value: &str) -> String {
        format!(r#"<c r="{at}" t="inlineStr"><is><t>{value}</t></is></c>"#)
    }

    /// A sheet's cells, one `<row>` per cell (positions come from each cell's reference).
    fn sheet_data(cells: &[String]) -> String {
        let rows: String = cells
            .iter()
            .map(|c| {
                let at = c.split('"').nth(1).unwrap();
                let row = at.trim_start_matches(|ch: char| ch.is_ascii_alphabetic());
                format!(r#"<row r="{row}">{c}</row>"#)
            })
            .collect();
        format!("<sheetData>{rows}</sheetData>")
    }

    #[test]
    fn an_xlsx_sheet_is_streamed_into_its_used_range() {
        let book = workbook(&sheet_data(&[
            text("B2", "Address"),
            text("C2", "Packages"),
            text("B3", "1 Main St"),
            r#"<c r="C3"><v>2</v></c>"#.to_string(),
            text("B5", " "),
            text("B6", "2 Main St"),
            r#"<c r="E6" t="e"><v>#N/A</v></c>"#.to_string(),
        ]));
        let sheet = read(Format::Xlsx, &book).unwrap();
        // Columns where the sheet has them; every row as wide as the used range.
        assert_eq!(sheet.headers, vec!["", "Address", "Packages", "", ""]);
        assert_eq!(sheet.rows.len(), 2, "the blank row is skipped");
        assert_eq!(sheet.rows[0].line, 3);
        assert_eq!(sheet.rows[0].cells.len(), 5);
        assert_eq!(sheet.rows[0].cell(2), &Cell::Number(2.0));
        assert_eq!(sheet.rows[1].line, 6);
        assert_eq!(sheet.rows[1].cell(1).text(), "2 Main St");
        assert_eq!(
            sheet.rows[1].cell(4),
            &Cell::Empty,
            "an error cell is empty"
        );
    }

    #[test]
    fn an_xlsx_bomb_is_refused_before_its_grid_is_laid_out() {
        let corners = [text("A1", "Address"), text("XFD1048576", "boom")];
        // Declared: refused before a cell is read.
        let declared = workbook(&format!(
            r#"<dimension ref="A1:XFD1048576"/>{}"#,
            sheet_data(&corners)
        ));
        assert!(declared.len() < 4096, "{} bytes", declared.len());
        let err = read(Format::Xlsx, &declared).unwrap_err();
        assert_eq!((status(&err), code(&err)), (413, "payload_too_large"));
        assert!(err.to_string().contains("(A1:XFD1048576)"), "{err}");
        // Not declared: refused at the cell.
        let err = read(Format::Xlsx, &workbook(&sheet_data(&corners))).unwrap_err();
        assert_eq!(status(&err), 413);
        assert!(
            err.to_string().contains("a cell reaches XFD1048576"),
            "{err}"
        );
        assert!(err.to_string().contains("256 columns (IV)"), "{err}");
        // Far down, in the first column: rows are bounded too.
        let deep = workbook(&sheet_data(&[text("A1", "Address"), text("A100001", "x")]));
        let err = read(Format::Xlsx, &deep).unwrap_err();
        assert!(err.to_string().contains("reaches A100001"), "{err}");
        let within = workbook(&sheet_data(&[text("A1", "Address"), text("A100000", "x")]));
        assert_eq!(read(Format::Xlsx, &within).unwrap().rows[0].line, 100_000);
    }

    #[test]
    fn an_xlsx_workbook_is_bounded_by_its_unpacked_size_and_cells() {
        let book = workbook(&sheet_data(&[
            text("A1", "Address"),
            text("C1", "Name"),
            text("A2", "1 Main St"),
            text("A3", "2 Main St"),
        ]));
        let small = |unpacked_bytes, cells| XlsxBounds {
            unpacked_bytes,
            cells,
            ..XLSX_BOUNDS
        };
        assert_eq!(read_xlsx(&book, &small(1 << 20, 9)).unwrap().rows.len(), 2);
        let err = read_xlsx(&book, &small(1 << 20, 8)).unwrap_err();
        assert_eq!(status(&err), 413);
        assert!(err.to_string().contains("more than 8 cells"), "{err}");
        let err = read_xlsx(&book, &small(1000, 9)).unwrap_err();
        assert_eq!(status(&err), 413);
        assert!(err.to_string().contains("unpacks to more than"), "{err}");
        // A part declaring 2 GB (the zip reader holds a part to its declared size, so what
        // is declared is what may be unpacked): refused before calamine opens the zip.
        let mut inflated = book.clone();
        let central = inflated
            .windows(4)
            .rposition(|w| w == b"PK\x01\x02")
            .unwrap();
        inflated[central + 24..central + 28].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
        let err = read(Format::Xlsx, &inflated).unwrap_err();
        assert_eq!(status(&err), 413);
        assert!(err.to_string().contains("more than 32 MB"), "{err}");
    }
}

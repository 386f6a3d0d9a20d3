//! Reading an uploaded sheet (CSV, TSV or XLSX) into a header and cells, whatever the
//! format: the rest of the import sees only [`Sheet`].

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::error::ApiError;

/// The largest file accepted.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// The most rows (besides the header) accepted.
pub const MAX_ROWS: usize = 10_000;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Tsv,
    Xlsx,
}

impl Format {
    /// The format a `Content-Type` names (parameters such as `charset` are ignored).
    pub fn from_content_type(content_type: Option<&str>) -> Result<Self, ApiError> {
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
            _ => Err(ApiError::UnsupportedMediaType {
                message: format!(
                    "this Content-Type is not accepted: send the sheet as text/csv, text/tab-separated-values or {XLSX_TYPE}"
                ),
            }),
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

#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The header as written.
    pub headers: Vec<String>,
    /// Data rows that are not entirely empty.
    pub rows: Vec<Row>,
}

/// Reads the file; more than [`MAX_BYTES`] or [`MAX_ROWS`] is 413 naming the limit.
pub fn read(format: Format, bytes: &[u8]) -> Result<Sheet, ApiError> {
    if bytes.len() > MAX_BYTES {
        return Err(too_large(format!(
            "the file is larger than {MAX_BYTES} bytes (4 MB); split it"
        )));
    }
    let sheet = match format {
        Format::Csv => read_delimited(bytes, b',')?,
        Format::Tsv => read_delimited(bytes, b'\t')?,
        Format::Xlsx => read_xlsx(bytes)?,
    };
    if sheet.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(ApiError::Invalid {
            code: "empty_sheet",
            field: "body".into(),
            message: "the sheet has no header row".into(),
        });
    }
    Ok(sheet)
}

fn too_large(message: String) -> ApiError {
    ApiError::LimitExceeded {
        code: "payload_too_large",
        message,
    }
}

fn too_many_rows() -> ApiError {
    too_large(format!("the sheet has more than {MAX_ROWS} rows; split it"))
}

fn read_delimited(bytes: &[u8], delimiter: u8) -> Result<Sheet, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::Malformed {
        code: "invalid_encoding",
        message: "the file must be UTF-8 text".into(),
        field: Some("body".into()),
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
        let record = record.map_err(|e| ApiError::Malformed {
            code: "malformed_sheet",
            message: format!("the file cannot be read as a sheet: {e}"),
            field: Some("body".into()),
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

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, ApiError> {
    let unreadable = |e: String| ApiError::Malformed {
        code: "malformed_sheet",
        message: format!("the file cannot be read as an XLSX workbook: {e}"),
        field: Some("body".into()),
    };
    let mut workbook =
        Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| unreadable(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("it has no sheet".into()))?
        .map_err(|e| unreadable(e.to_string()))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    // Cells left of the used range are empty: keep columns where the sheet has them.
    let pad = first_col as usize;
    let mut headers = None;
    let mut rows = Vec::new();
    for (i, raw) in range.rows().enumerate() {
        let line = first_row as usize + i + 1;
        let cells: Vec<Cell> = std::iter::repeat_n(Cell::Empty, pad)
            .chain(raw.iter().map(cell))
            .collect();
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
        rows.push(Row { line, cells });
    }
    Ok(Sheet {
        headers: headers.unwrap_or_default(),
        rows,
    })
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) => Cell::ExcelDate(dt.as_f64()),
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(err.status(), 413);
        assert!(err.to_string().contains("10000 rows"), "{err}");
        let err = read(Format::Csv, &vec![b'a'; MAX_BYTES + 1]).unwrap_err();
        assert_eq!(err.status(), 413);
        assert!(read(Format::Xlsx, b"not a zip").unwrap_err().status() == 400);
    }
}

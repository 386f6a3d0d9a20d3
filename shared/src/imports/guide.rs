//! The columns an import reads, described for people: what each means, the formats it
//! accepts, whether it is required, and its values in the example sheet. The column
//! glossary page (`/imports/columns`) and the example sheets (`shared/static/example-orders.csv`
//! and `.xlsx`, checked by a test against [`example_sheet`]) are made from this one
//! description, and [`describe`] matches every [`Column`], so neither can drift from what
//! the reader accepts. The headers a column is read from come from [`columns::NAMES`].

use super::columns::{self, Column};
use crate::domain::text::{AddressLine, Name, Notes};

/// Rows of the example sheet.
pub const EXAMPLE_ROWS: usize = 3;

/// Every column, in the example sheet's and the glossary's order: the order's reference and
/// recipient, the address, the contact, the stop, the parcels; the courier's column last.
pub const COLUMNS: [Column; 23] = [
    Column::Id,
    Column::RecipientName,
    Column::Unit,
    Column::Line1,
    Column::Line2,
    Column::City,
    Column::State,
    Column::Zip,
    Column::Country,
    Column::Latitude,
    Column::Longitude,
    Column::Phone,
    Column::Email,
    Column::Notes,
    Column::StopType,
    Column::Date,
    Column::EarliestTime,
    Column::LatestTime,
    Column::TimeAtStop,
    Column::Packages,
    Column::Weight,
    Column::Products,
    Column::ClientId,
];

/// Whether a row needs a value in the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    Always,
    /// Only when the row has the other thing named ("a phone or email").
    With(&'static str),
    No,
}

/// One column as the glossary shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnGuide {
    pub column: Column,
    pub required: Required,
    /// What the column says about the order, in a sentence or two.
    pub meaning: &'static str,
    /// What a cell may hold.
    pub formats: String,
    /// Only a courier's sheet is read with it (a client's sheet leaves it out).
    pub couriers_only: bool,
    /// Its cells in the example sheet, row by row (empty: no value).
    pub examples: [&'static str; EXAMPLE_ROWS],
}

impl ColumnGuide {
    /// Circuit's name, the example sheet's header.
    pub fn name(&self) -> &'static str {
        columns::circuit_name(self.column)
    }

    /// The other headers the column is read from.
    pub fn synonyms(&self) -> Vec<&'static str> {
        columns::names_of(self.column).skip(1).collect()
    }

    /// Whether a row needs it, in words.
    pub fn required_words(&self) -> String {
        match self.required {
            Required::Always => "Required".into(),
            Required::With(what) => format!("Required with {what}"),
            Required::No => "Optional".into(),
        }
    }

    /// Its first example value, if it has one.
    pub fn example(&self) -> Option<&'static str> {
        self.examples.iter().find(|e| !e.is_empty()).copied()
    }
}

/// The glossary: every column, in [`COLUMNS`]' order.
pub fn glossary() -> Vec<ColumnGuide> {
    COLUMNS.iter().map(|c| describe(*c)).collect()
}

/// The example sheet of a client's import: the header (Circuit's names of every column a
/// client's sheet is read with), then its rows.
pub fn example_sheet() -> Vec<Vec<&'static str>> {
    let guides: Vec<ColumnGuide> = glossary()
        .into_iter()
        .filter(|g| !g.couriers_only)
        .collect();
    let mut sheet = vec![guides.iter().map(ColumnGuide::name).collect()];
    for row in 0..EXAMPLE_ROWS {
        sheet.push(guides.iter().map(|g| g.examples[row]).collect());
    }
    sheet
}

/// The example sheet as CSV (RFC 4180: fields with a comma or a quote are quoted).
pub fn example_csv() -> String {
    let mut csv = String::new();
    for row in example_sheet() {
        let fields: Vec<String> = row
            .iter()
            .map(|f| {
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.to_string()
                }
            })
            .collect();
        csv.push_str(&fields.join(","));
        csv.push_str("\r\n");
    }
    csv
}

fn text(what: &str, max: usize) -> String {
    format!("{what}, up to {max} characters.")
}

/// The description of one column.
pub fn describe(column: Column) -> ColumnGuide {
    let guide = |required, meaning, formats: String, examples| ColumnGuide {
        column,
        required,
        meaning,
        formats,
        couriers_only: false,
        examples,
    };
    let line = || text("Text on one line", AddressLine::MAX);
    let time = |which: &str| {
        format!(
            "A time of day (09:00, 14:30, 2:30 PM) on the row's Date, or a date and time \
             (2027-01-15 09:00, or with its offset: 2027-01-15T09:00:00+01:00); in Excel, a \
             time or date-time cell. Read in your time zone. {which}"
        )
    };
    match column {
        Column::Unit => guide(
            Required::No,
            "The flat, apartment, suite or unit at the address.",
            line(),
            ["Apt 4", "", ""],
        ),
        Column::Line1 => guide(
            Required::Always,
            "The street address: number and street. The only column every row needs.",
            line(),
            ["1 Market St", "200 Valencia St", "3 Ocean Ave"],
        ),
        Column::Line2 => guide(
            Required::No,
            "More of the address: a building, a company, a floor.",
            line(),
            ["Ferry Building", "", ""],
        ),
        Column::City => guide(
            Required::No,
            "The town or city.",
            line(),
            ["San Francisco", "San Francisco", "Sausalito"],
        ),
        Column::State => guide(
            Required::No,
            "The state, province, region or county.",
            line(),
            ["CA", "CA", ""],
        ),
        Column::Zip => guide(
            Required::No,
            "The postal code. Services that cover some postal codes only quote the orders \
             inside them.",
            line(),
            ["94105", "94103", "94965"],
        ),
        Column::Country => guide(
            Required::No,
            "The address's country. Phone numbers without a + are read in it.",
            "A two-letter ISO 3166 code (US, GB, FR) or the country's name in English \
             (United States, United Kingdom, France)."
                .into(),
            ["US", "United States", ""],
        ),
        Column::Notes => guide(
            Required::No,
            "Instructions for the driver at this stop.",
            text("Text", Notes::MAX),
            ["Ring twice", "", ""],
        ),
        Column::RecipientName => guide(
            Required::With("a phone or email"),
            "The person at the stop: who receives the delivery, or hands over the pickup.",
            text("A name on one line", Name::MAX),
            ["Ada Lovelace", "Grace Hopper", ""],
        ),
        Column::StopType => guide(
            Required::No,
            "What happens at the address: a delivery there (from your default pickup \
             address) or a pickup there (delivered to your default address).",
            "delivery (or dropoff, drop off, deliver) or pickup (or pick up, collection, \
             collect). Empty: delivery."
                .into(),
            ["delivery", "pickup", ""],
        ),
        Column::Email => guide(
            Required::No,
            "The recipient's email address, for delivery updates.",
            "An email address.".into(),
            ["ada@example.com", "", ""],
        ),
        Column::Phone => guide(
            Required::No,
            "The recipient's phone number, for text message updates and the driver.",
            "An international number (+1 415 555 0199), or a national one (415-555-0147) in \
             the row's Country, else your organisation's country."
                .into(),
            ["(415) 555-0147", "+1 415 555 0199", ""],
        ),
        Column::Id => guide(
            Required::No,
            "Your reference for the order, once per sheet. Importing the sheet again updates \
             the drafts of the same Id instead of adding new ones.",
            text("Text", 100),
            ["A-1001", "A-1002", "A-1003"],
        ),
        Column::Packages => guide(
            Required::No,
            "How many packages the order has.",
            "A whole number from 1 to 10000.".into(),
            ["2", "1", ""],
        ),
        Column::Products => guide(
            Required::No,
            "What is delivered. Kept as the order's notes.",
            text("Text", Notes::MAX),
            ["Tulips and a vase", "", ""],
        ),
        Column::Latitude => guide(
            Required::With("a Longitude"),
            "Where the stop is exactly, when the address alone does not say.",
            "Decimal degrees, from -90 to 90 (37.7955).".into(),
            ["37.7955", "", ""],
        ),
        Column::Longitude => guide(
            Required::With("a Latitude"),
            "Where the stop is exactly, with the Latitude.",
            "Decimal degrees, from -180 to 180 (-122.3937).".into(),
            ["-122.3937", "", ""],
        ),
        Column::EarliestTime => guide(
            Required::No,
            "The start of the stop's window: not before this time.",
            time(""),
            ["09:00", "2:00 PM", ""],
        ),
        Column::LatestTime => guide(
            Required::No,
            "The end of the stop's window: not after this time.",
            time("Later than the Earliest Time."),
            ["11:30", "4:00 PM", ""],
        ),
        Column::TimeAtStop => guide(
            Required::No,
            "How long the driver needs at the stop. Added to the stop's notes.",
            "Minutes, a number from 0 to 1440.".into(),
            ["5", "", ""],
        ),
        Column::Weight => guide(
            Required::No,
            "What the order weighs. Services may price by weight or limit it.",
            "A number above 0, in your organisation's units: kilograms, or pounds when \
             they are imperial (Settings)."
                .into(),
            ["2.5", "", ""],
        ),
        Column::Date => guide(
            Required::No,
            "The day of the row's times of day. Empty: the delivery date chosen on the \
             imports page, else the next delivery day.",
            "A date, YYYY-MM-DD (2027-01-15), or an Excel date cell.".into(),
            ["2027-01-15", "", ""],
        ),
        Column::ClientId => ColumnGuide {
            couriers_only: true,
            ..guide(
                Required::No,
                "Couriers' sheets only (track-only imports): the client each row is for. A \
                 client's own sheet leaves it out: it is not read there.",
                "A client's Client Portal ID, as its settings show it (cli_ then 26 letters \
                 and digits)."
                    .into(),
                ["", "", ""],
            )
        },
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::address::CountryCode;
    use crate::domain::settings::Units;
    use crate::imports::columns::{Header, NAMES};
    use crate::imports::rows::{parse_row, RowContext, RowError};
    use crate::imports::sheet::{Cell, Row};

    #[test]
    fn every_column_the_reader_accepts_is_in_the_glossary_once() {
        for (name, column) in NAMES {
            let found = COLUMNS.iter().filter(|c| *c == column).count();
            assert_eq!(found, 1, "{name} reads {column:?}: in the glossary once");
        }
        for guide in glossary() {
            assert_eq!(guide.column, describe(guide.column).column);
            assert!(!guide.meaning.is_empty() && !guide.formats.is_empty());
        }
    }

    fn read(sheet: &[Vec<String>]) -> Vec<Result<(), Vec<RowError>>> {
        let header = Header::match_names(&sheet[0]);
        assert!(header.unknown.is_empty(), "{:?}", header.unknown);
        let cx = RowContext {
            tz: "America/Los_Angeles".parse().unwrap(),
            country: Some(CountryCode::try_from("US".to_string()).unwrap()),
            date: NaiveDate::from_ymd_opt(2027, 1, 14),
            units: Units::Metric,
        };
        sheet[1..]
            .iter()
            .enumerate()
            .map(|(i, cells)| {
                let row = Row {
                    line: i + 2,
                    cells: cells.iter().map(|c| Cell::Text(c.clone())).collect(),
                };
                parse_row(&header, &row, &cx).map(|_| ())
            })
            .collect()
    }

    fn owned(sheet: Vec<Vec<&str>>) -> Vec<Vec<String>> {
        sheet
            .into_iter()
            .map(|r| r.into_iter().map(String::from).collect())
            .collect()
    }

    #[test]
    fn the_example_rows_read_without_a_problem() {
        for result in read(&owned(example_sheet())) {
            assert_eq!(result, Ok(()));
        }
        assert!(!example_sheet()[0].contains(&"Client ID"));
    }

    /// What the glossary says is required is what the reader requires: each column emptied
    /// in the first example row (which has every column) is missed exactly when it says so.
    #[test]
    fn required_means_what_the_reader_does() {
        let sheet = owned(example_sheet());
        for (i, name) in sheet[0].iter().enumerate() {
            let guide = glossary().into_iter().find(|g| g.name() == name).unwrap();
            let mut emptied = sheet.clone();
            emptied[1][i].clear();
            let result = read(&emptied).remove(0);
            match guide.required {
                Required::No => assert_eq!(result, Ok(()), "{name} is optional"),
                Required::Always | Required::With(_) => {
                    let errors = result.expect_err(name);
                    assert_eq!(errors[0].column, *name, "{errors:?}");
                }
            }
        }
    }

    #[test]
    fn the_csv_quotes_what_needs_it() {
        let csv = example_csv();
        assert!(csv.starts_with("Id,Recipient Name,Unit/Flat/Unit Name,Address Line 1,"));
        assert_eq!(csv.lines().count(), EXAMPLE_ROWS + 1);
        assert!(csv.contains(",(415) 555-0147,"));
    }
}

//! One data row → the stop and order fields it describes, or every problem it has
//! (`{row, column, value, reason}`, the column as the sheet names it).

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use super::columns::{Column, Header};
use super::sheet::{Cell, Row};
use super::values::{parse_country, parse_date, parse_time};
use crate::domain::address::{CountryCode, Latitude, Longitude};
use crate::domain::ids::ClientId;
use crate::domain::order::{Stop, Window};
use crate::domain::order_fields::{ExternalId, Pieces};
use crate::domain::pricing::Weight;
use crate::domain::settings::Units;
use crate::domain::text::{AddressLine, Notes};
use crate::domain::{Address, Contact, Email, Name, Phone};

/// A problem with one cell of one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    /// The line in the sheet (the header is line 1).
    pub row: usize,
    /// The header as written (Circuit's name when the sheet has no such column).
    pub column: String,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopKind {
    /// A dropoff at the row's address, picked up at the client's default pickup.
    Delivery,
    /// A pickup at the row's address, delivered to the client's default address.
    Pickup,
}

/// What the rows are read with.
#[derive(Debug, Clone)]
pub struct RowContext {
    /// Times without an offset are in this zone.
    pub tz: Tz,
    /// National phone numbers are in this country's format.
    pub country: Option<CountryCode>,
    /// The import's `date`, for rows with times but no Date.
    pub date: Option<NaiveDate>,
    /// What a Weight column is in.
    pub units: Units,
}

/// A good row.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRow {
    pub line: usize,
    pub external_id: Option<ExternalId>,
    pub kind: StopKind,
    /// The stop at the row's address.
    pub stop: Stop,
    pub weight: Option<Weight>,
    pub pieces: Option<Pieces>,
    /// Order notes (the Products column).
    pub notes: Option<Notes>,
    /// The `Client ID` column (courier imports).
    pub client_id: Option<ClientId>,
}

/// Reads one row; all of its problems at once.
pub fn parse_row(header: &Header, row: &Row, cx: &RowContext) -> Result<ParsedRow, Vec<RowError>> {
    let mut r = Reader {
        header,
        row,
        errors: vec![],
    };
    let line1 = r.required(Column::Line1, AddressLine::parse);
    let unit = r.optional(Column::Unit, AddressLine::parse);
    let line2 = r.optional(Column::Line2, AddressLine::parse);
    let city = r.optional(Column::City, AddressLine::parse);
    let state = r.optional(Column::State, AddressLine::parse);
    let postal_code = r.optional(Column::Zip, AddressLine::parse);
    let country = r.optional(Column::Country, parse_country);
    let lat = r.optional_cell(Column::Latitude, |c| number(c).and_then(Latitude::try_from));
    let lng = r.optional_cell(Column::Longitude, |c| {
        number(c).and_then(Longitude::try_from)
    });
    if lat.is_some() != lng.is_some() {
        let missing = if lat.is_none() {
            Column::Latitude
        } else {
            Column::Longitude
        };
        r.fail(missing, "is required with the other coordinate");
    }
    let name = r.optional(Column::RecipientName, Name::parse);
    let phone_country = country.clone().or_else(|| cx.country.clone());
    let phone = r.optional(Column::Phone, |raw| {
        Phone::from_national(raw, phone_country.as_ref())
    });
    let email = r.optional(Column::Email, Email::parse);
    if name.is_none() && (phone.is_some() || email.is_some()) {
        r.fail(Column::RecipientName, "is required with a phone or email");
    }
    let stop_notes = r.optional(Column::Notes, Notes::parse);
    let minutes = r.optional_cell(Column::TimeAtStop, |c| {
        number(c).and_then(|m| {
            if (0.0..=1440.0).contains(&m) {
                Ok(m.round() as u32)
            } else {
                Err("must be minutes from 0 to 1440".into())
            }
        })
    });
    let kind = r
        .optional(Column::StopType, |raw| {
            match raw.trim().to_lowercase().as_str() {
                "delivery" | "dropoff" | "drop off" | "drop-off" | "deliver" => {
                    Ok(StopKind::Delivery)
                }
                "pickup" | "pick up" | "pick-up" | "collection" | "collect" => Ok(StopKind::Pickup),
                _ => Err("must be delivery or pickup".to_string()),
            }
        })
        .unwrap_or(StopKind::Delivery);
    let date = r.optional_cell(Column::Date, parse_date).or(cx.date);
    let after = r.optional_cell(Column::EarliestTime, |c| parse_time(c, date, cx.tz));
    let before = r.optional_cell(Column::LatestTime, |c| parse_time(c, date, cx.tz));
    if let (Some(a), Some(b)) = (after, before) {
        if a >= b {
            r.fail(Column::LatestTime, "must be later than the earliest time");
        }
    }
    let external_id = r.optional(Column::Id, ExternalId::parse);
    let pieces = r.optional_cell(Column::Packages, |c| {
        let n = number(c)?;
        if n.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&n) {
            return Err("must be a whole number of packages".into());
        }
        Pieces::try_from(n as u32)
    });
    let weight = r.optional_cell(Column::Weight, |c| {
        let n = number(c)?;
        match cx.units {
            Units::Metric => Weight::from_kg(n),
            Units::Imperial => Weight::from_lb(n),
        }
    });
    let notes = r.optional(Column::Products, Notes::parse);
    let client_id = r.optional(Column::ClientId, |raw| {
        ClientId::parse(raw.trim()).map_err(|_| "is not a client id".to_string())
    });
    if !r.errors.is_empty() {
        return Err(r.errors);
    }
    let Some(line1) = line1 else {
        return Err(r.errors);
    };
    let notes_at_stop = match (stop_notes, minutes) {
        (notes, None) => notes,
        (notes, Some(m)) => Notes::parse(&match notes {
            Some(n) => format!("{n} ({m} min at stop)"),
            None => format!("{m} min at stop"),
        })
        .ok(),
    };
    Ok(ParsedRow {
        line: row.line,
        external_id,
        kind,
        stop: Stop {
            address: Address {
                unit,
                line1,
                line2,
                city,
                state,
                postal_code,
                country,
                lat,
                lng,
            },
            contact: name.map(|name| Contact { name, phone, email }),
            notes: notes_at_stop,
            window: Window {
                complete_after: after,
                complete_before: before,
            },
            requirements: Default::default(),
        },
        weight,
        pieces,
        notes,
        client_id,
    })
}

fn number(cell: &Cell) -> Result<f64, String> {
    match cell {
        Cell::Number(n) | Cell::ExcelDate(n) => Ok(*n),
        other => other
            .text()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| "must be a number".into()),
    }
}

struct Reader<'a> {
    header: &'a Header,
    row: &'a Row,
    errors: Vec<RowError>,
}

impl Reader<'_> {
    fn cell(&self, column: Column) -> &Cell {
        match self.header.position(column) {
            Some(i) => self.row.cell(i),
            None => &Cell::Empty,
        }
    }

    fn fail(&mut self, column: Column, reason: impl Into<String>) {
        let value: String = self.cell(column).text().chars().take(200).collect();
        self.errors.push(RowError {
            row: self.row.line,
            column: self.header.name(column),
            value,
            reason: reason.into(),
        });
    }

    fn optional_cell<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&Cell) -> Result<T, String>,
    ) -> Option<T> {
        let cell = self.cell(column).clone();
        if cell.is_empty() {
            return None;
        }
        match parse(&cell) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.fail(column, reason);
                None
            }
        }
    }

    fn optional<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        self.optional_cell(column, |c| parse(&c.text()))
    }

    fn required<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        if self.cell(column).is_empty() {
            self.fail(column, "is required");
            return None;
        }
        self.optional(column, parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> RowContext {
        RowContext {
            tz: "America/New_York".parse().unwrap(),
            country: Some(CountryCode::try_from("US".to_string()).unwrap()),
            date: NaiveDate::from_ymd_opt(2026, 12, 2),
            units: Units::Metric,
        }
    }

    fn parse(headers: &[&str], cells: &[&str]) -> Result<ParsedRow, Vec<RowError>> {
        let header =
            Header::match_names(&headers.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let row = Row {
            line: 7,
            cells: cells.iter().map(|c| Cell::Text(c.to_string())).collect(),
        };
        parse_row(&header, &row, &cx())
    }

    #[test]
    fn a_good_row() {
        let row = parse(
            &[
                "Address",
                "City",
                "Country",
                "Name",
                "Phone",
                "Id",
                "Packages",
                "Earliest Time",
                "Latest Time",
                "Type of stop",
            ],
            &[
                "1 Main St",
                "Springfield",
                "United States",
                "Ada",
                "(415) 555-0147",
                "A-1",
                "2",
                "09:00",
                "11:30",
                "Pickup",
            ],
        )
        .unwrap();
        assert_eq!(row.kind, StopKind::Pickup);
        assert_eq!(
            row.stop.contact.unwrap().phone.unwrap().as_str(),
            "+14155550147"
        );
        assert_eq!(row.pieces.unwrap().get(), 2);
        assert_eq!(row.external_id.unwrap().as_str(), "A-1");
        assert_eq!(
            row.stop.window.complete_before.unwrap().to_rfc3339(),
            "2026-12-02T11:30:00-05:00"
        );
    }

    #[test]
    fn every_problem_of_a_bad_row() {
        let errors = parse(
            &[
                "Street", "Name", "Mobile", "E-mail", "Quantity", "From", "To",
            ],
            &["", "Bob", "555-01", "bob@", "0", "10:00", "25:30"],
        )
        .unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            columns,
            vec!["Street", "Mobile", "E-mail", "To", "Quantity"]
        );
        assert!(errors.iter().all(|e| e.row == 7));
        assert_eq!(errors[1].value, "555-01");
        let inverted = parse(
            &["Address", "Earliest Time", "Latest Time"],
            &["1 Main St", "12:00", "09:00"],
        )
        .unwrap_err();
        assert_eq!(inverted[0].column, "Latest Time");
        assert!(inverted[0].reason.contains("later"));
    }
}

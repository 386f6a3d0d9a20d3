//! The day of a sheet's times of day when it has no Date column and the import no `date`
//! (Circuit's sheets carry `Earliest Time` / `Latest Time` only): the next delivery day,
//! today in the client's zone while the sheet's latest time of day is still ahead, else
//! tomorrow.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::columns::{Column, Header};
use super::sheet::Sheet;
use super::values::time_of_day;

/// The latest time of day of the rows that take the import's day (a row with its own Date
/// is on that day).
pub fn latest_time_of_day(header: &Header, sheet: &Sheet) -> Option<NaiveTime> {
    let at = |column: Column| header.position(column);
    let times = [at(Column::EarliestTime), at(Column::LatestTime)];
    sheet
        .rows
        .iter()
        .filter(|row| at(Column::Date).is_none_or(|i| row.cell(i).is_empty()))
        .flat_map(|row| times.iter().flatten().map(|&i| row.cell(i)))
        .filter_map(time_of_day)
        .max()
}

/// Today in `tz` while `latest` is still ahead (or when there is no time at all), else
/// tomorrow.
pub fn next_delivery_day(now: DateTime<Utc>, tz: Tz, latest: Option<NaiveTime>) -> NaiveDate {
    let local = now.with_timezone(&tz);
    let today = local.date_naive();
    match latest {
        Some(latest) if local.time() >= latest => today.succ_opt().unwrap_or(today),
        _ => today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::sheet::{Cell, Row};

    fn sheet(headers: &[&str], rows: &[&[Cell]]) -> (Header, Sheet) {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let sheet = Sheet {
            headers: headers.clone(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, cells)| Row {
                    line: i + 2,
                    cells: cells.to_vec(),
                })
                .collect(),
        };
        (Header::match_names(&headers), sheet)
    }

    fn t(text: &str) -> Cell {
        Cell::Text(text.into())
    }

    #[test]
    fn the_latest_time_of_the_rows_without_a_date() {
        let (header, rows) = sheet(
            &["Address", "Date", "Earliest Time", "Latest Time"],
            &[
                &[t("1 Main St"), Cell::Empty, t("09:00"), t("11:00")],
                // An Excel time: 0.75 is 18:00; only an earliest time.
                &[
                    t("2 Main St"),
                    Cell::Empty,
                    Cell::ExcelDate(0.75),
                    Cell::Empty,
                ],
                // On its own date: not counted.
                &[t("3 Main St"), t("2026-12-09"), t("20:00"), t("22:00")],
                // A date-time is not a time of day.
                &[
                    t("4 Main St"),
                    Cell::Empty,
                    t("2026-12-09T21:00"),
                    Cell::Empty,
                ],
            ],
        );
        assert_eq!(
            latest_time_of_day(&header, &rows),
            NaiveTime::from_hms_opt(18, 0, 0)
        );
        let (header, rows) = sheet(&["Address"], &[&[t("1 Main St")]]);
        assert_eq!(latest_time_of_day(&header, &rows), None);
    }

    #[test]
    fn today_while_the_latest_time_is_ahead_else_tomorrow() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let five = NaiveTime::from_hms_opt(17, 0, 0);
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        // 16:59 in Paris.
        assert_eq!(
            next_delivery_day(at("2026-12-07T15:59:00Z"), paris, five),
            day(7)
        );
        // 17:00 in Paris: no longer ahead.
        assert_eq!(
            next_delivery_day(at("2026-12-07T16:00:00Z"), paris, five),
            day(8)
        );
        // 00:30 in Paris on the 8th is still the 7th in UTC: the zone's day counts.
        assert_eq!(
            next_delivery_day(at("2026-12-07T23:30:00Z"), paris, five),
            day(8)
        );
        assert_eq!(
            next_delivery_day(at("2026-12-07T23:30:00Z"), paris, None),
            day(8)
        );
        assert_eq!(
            next_delivery_day(at("2026-12-07T20:00:00Z"), paris, None),
            day(7)
        );
    }
}

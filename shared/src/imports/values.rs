//! Reading one cell as what it means: countries by name or code, Excel dates, `HH:MM`
//! times and ISO date-times in the client's zone (phone numbers: `Phone::from_national`).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::sheet::Cell;
use crate::domain::address::CountryCode;

/// Countries by code, with the names a sheet may give them by (their phone numbers are
/// read by [`Phone::from_national`]).
struct Country {
    code: &'static str,
    names: &'static [&'static str],
}

const COUNTRIES: &[Country] = &[
    Country {
        code: "US",
        names: &[
            "united states",
            "united states of america",
            "usa",
            "america",
        ],
    },
    Country {
        code: "CA",
        names: &["canada"],
    },
    Country {
        code: "GB",
        names: &[
            "united kingdom",
            "uk",
            "great britain",
            "england",
            "scotland",
            "wales",
            "northern ireland",
        ],
    },
    Country {
        code: "IE",
        names: &["ireland"],
    },
    Country {
        code: "FR",
        names: &["france"],
    },
    Country {
        code: "DE",
        names: &["germany", "deutschland"],
    },
    Country {
        code: "ES",
        names: &["spain", "espana", "españa"],
    },
    Country {
        code: "IT",
        names: &["italy", "italia"],
    },
    Country {
        code: "PT",
        names: &["portugal"],
    },
    Country {
        code: "NL",
        names: &["netherlands", "the netherlands", "holland"],
    },
    Country {
        code: "BE",
        names: &["belgium", "belgique"],
    },
    Country {
        code: "CH",
        names: &["switzerland", "suisse", "schweiz"],
    },
    Country {
        code: "AT",
        names: &["austria", "österreich"],
    },
    Country {
        code: "AU",
        names: &["australia"],
    },
    Country {
        code: "NZ",
        names: &["new zealand"],
    },
    Country {
        code: "MX",
        names: &["mexico", "méxico"],
    },
];

/// A country by its ISO code or its name.
pub fn parse_country(raw: &str) -> Result<CountryCode, String> {
    let lower = raw.trim().to_lowercase();
    if let Some(c) = COUNTRIES.iter().find(|c| c.names.contains(&lower.as_str())) {
        return CountryCode::try_from(c.code.to_string());
    }
    CountryCode::try_from(raw.to_string())
        .map_err(|_| "is not a country name or two-letter ISO 3166 code".to_string())
}

/// Days from Excel's day 0 (1899-12-30, which absorbs its 1900 leap-year bug).
fn excel_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

fn from_excel(serial: f64) -> Option<NaiveDateTime> {
    if !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let seconds = (serial * 86_400.0).round() as i64;
    excel_epoch().checked_add_signed(Duration::seconds(seconds))
}

/// A date: an Excel date or `YYYY-MM-DD`.
pub fn parse_date(cell: &Cell) -> Result<NaiveDate, String> {
    let bad = || "must be a date (YYYY-MM-DD)".to_string();
    match cell {
        Cell::ExcelDate(serial) | Cell::Number(serial) if *serial >= 1.0 => {
            from_excel(*serial).map(|d| d.date()).ok_or_else(bad)
        }
        Cell::Text(t) => NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// A time of day (`HH:MM`, `HH:MM:SS`, `9:30 AM`, an Excel time) on `date`, or a full
/// date-time (ISO 8601, with or without offset; an Excel date-time), in the zone `tz`.
pub fn parse_time(
    cell: &Cell,
    date: Option<NaiveDate>,
    tz: Tz,
) -> Result<DateTime<FixedOffset>, String> {
    let local = match cell {
        Cell::ExcelDate(serial) | Cell::Number(serial) => {
            let at = from_excel(*serial).ok_or("is not a time")?;
            if *serial < 1.0 {
                on_date(at.time(), date)?
            } else {
                at
            }
        }
        Cell::Text(text) => {
            let text = text.trim();
            if let Ok(at) = DateTime::parse_from_rfc3339(text) {
                return Ok(at);
            }
            if let Some(at) = [
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            {
                at
            } else {
                on_date(parse_clock(text)?, date)?
            }
        }
        Cell::Empty => return Err("is empty".into()),
    };
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) => Ok(at.fixed_offset()),
        chrono::LocalResult::Ambiguous(first, _) => Ok(first.fixed_offset()),
        chrono::LocalResult::None => Err(format!("does not exist in {}", tz.name())),
    }
}

/// The time of day a cell holds without a date (`HH:MM`, `9:30 AM`, an Excel time), if so.
pub fn time_of_day(cell: &Cell) -> Option<NaiveTime> {
    match cell {
        Cell::ExcelDate(serial) | Cell::Number(serial) if (0.0..1.0).contains(serial) => {
            from_excel(*serial).map(|at| at.time())
        }
        Cell::Text(text) => parse_clock(text.trim()).ok(),
        _ => None,
    }
}

fn on_date(time: NaiveTime, date: Option<NaiveDate>) -> Result<NaiveDateTime, String> {
    date.map(|d| d.and_time(time))
        .ok_or_else(|| "is a time without a date: add a Date column or ?date=YYYY-MM-DD".into())
}

fn parse_clock(text: &str) -> Result<NaiveTime, String> {
    let upper = text.to_uppercase().replace('.', "");
    ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p", "%I%p"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(&upper, f).ok())
        .ok_or_else(|| {
            "must be a time of day (HH:MM, 00:00 to 23:59) or an ISO 8601 date-time".into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_by_name_or_code() {
        assert_eq!(String::from(parse_country("United States").unwrap()), "US");
        assert_eq!(String::from(parse_country("fr").unwrap()), "FR");
        assert!(parse_country("Atlantis").is_err());
    }

    #[test]
    fn times_in_the_clients_zone() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 2);
        let at = parse_time(&Cell::Text("09:30".into()), day, ny).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-02T09:30:00-05:00");
        let at = parse_time(&Cell::Text("2:15 pm".into()), day, ny).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-02T14:15:00-05:00");
        assert!(parse_time(&Cell::Text("25:30".into()), day, ny).is_err());
        assert!(parse_time(&Cell::Text("09:30".into()), None, ny)
            .unwrap_err()
            .contains("Date"));
        let at = parse_time(&Cell::Text("2026-12-03T08:00:00Z".into()), None, ny).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-03T08:00:00+00:00");
        let at = parse_time(&Cell::Text("2026-12-03 08:00".into()), None, ny).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-03T08:00:00-05:00");
        // Excel: 2026-12-02 is serial 46358; 0.75 is 18:00.
        let at = parse_time(&Cell::ExcelDate(46358.75), None, ny).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-02T18:00:00-05:00");
        let at = parse_time(&Cell::ExcelDate(0.5), day, ny).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-02T12:00:00-05:00");
        assert_eq!(parse_date(&Cell::ExcelDate(46358.0)).unwrap(), day.unwrap());
    }
}

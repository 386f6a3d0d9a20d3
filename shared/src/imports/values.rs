//! Reading one cell as what it means: countries by name or code, phone numbers in
//! national format, Excel dates, `HH:MM` times and ISO date-times in the client's zone.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::sheet::Cell;
use crate::domain::address::CountryCode;
use crate::domain::Phone;

/// Countries by code, with their names and calling codes; `trunk`: the national prefix
/// dropped before the calling code, `digits`: the national number's lengths.
struct Country {
    code: &'static str,
    names: &'static [&'static str],
    calling: &'static str,
    trunk: &'static str,
    digits: (usize, usize),
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
        calling: "1",
        trunk: "1",
        digits: (10, 10),
    },
    Country {
        code: "CA",
        names: &["canada"],
        calling: "1",
        trunk: "1",
        digits: (10, 10),
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
        calling: "44",
        trunk: "0",
        digits: (9, 10),
    },
    Country {
        code: "IE",
        names: &["ireland"],
        calling: "353",
        trunk: "0",
        digits: (7, 9),
    },
    Country {
        code: "FR",
        names: &["france"],
        calling: "33",
        trunk: "0",
        digits: (9, 9),
    },
    Country {
        code: "DE",
        names: &["germany", "deutschland"],
        calling: "49",
        trunk: "0",
        digits: (6, 11),
    },
    Country {
        code: "ES",
        names: &["spain", "espana", "españa"],
        calling: "34",
        trunk: "",
        digits: (9, 9),
    },
    Country {
        code: "IT",
        names: &["italy", "italia"],
        calling: "39",
        trunk: "",
        digits: (6, 11),
    },
    Country {
        code: "PT",
        names: &["portugal"],
        calling: "351",
        trunk: "",
        digits: (9, 9),
    },
    Country {
        code: "NL",
        names: &["netherlands", "the netherlands", "holland"],
        calling: "31",
        trunk: "0",
        digits: (9, 9),
    },
    Country {
        code: "BE",
        names: &["belgium", "belgique"],
        calling: "32",
        trunk: "0",
        digits: (8, 9),
    },
    Country {
        code: "CH",
        names: &["switzerland", "suisse", "schweiz"],
        calling: "41",
        trunk: "0",
        digits: (9, 9),
    },
    Country {
        code: "AT",
        names: &["austria", "österreich"],
        calling: "43",
        trunk: "0",
        digits: (6, 13),
    },
    Country {
        code: "AU",
        names: &["australia"],
        calling: "61",
        trunk: "0",
        digits: (9, 9),
    },
    Country {
        code: "NZ",
        names: &["new zealand"],
        calling: "64",
        trunk: "0",
        digits: (8, 10),
    },
    Country {
        code: "MX",
        names: &["mexico", "méxico"],
        calling: "52",
        trunk: "",
        digits: (10, 10),
    },
];

fn country_by_code(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code == code)
}

/// A country by its ISO code or its name.
pub fn parse_country(raw: &str) -> Result<CountryCode, String> {
    let lower = raw.trim().to_lowercase();
    if let Some(c) = COUNTRIES.iter().find(|c| c.names.contains(&lower.as_str())) {
        return CountryCode::try_from(c.code.to_string());
    }
    CountryCode::try_from(raw.to_string())
        .map_err(|_| "is not a country name or two-letter ISO 3166 code".to_string())
}

/// A phone number in E.164, or in the national format of `country`.
pub fn parse_phone(raw: &str, country: Option<&CountryCode>) -> Result<Phone, String> {
    let trimmed = raw.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || " ()-.+/".contains(c)))
    {
        return Err("is not a phone number".into());
    }
    if trimmed.starts_with('+') {
        return Phone::parse(&format!("+{digits}"));
    }
    if let Some(international) = digits.strip_prefix("00") {
        return Phone::parse(&format!("+{international}"));
    }
    let Some(country) = country.and_then(|c| country_by_code(&String::from(c.clone()))) else {
        return Err(
            "must be in international format (+…): the client's country is not known".into(),
        );
    };
    let national = if !country.trunk.is_empty() && digits.len() > country.digits.0 {
        digits.strip_prefix(country.trunk).unwrap_or(&digits)
    } else {
        &digits
    };
    let (min, max) = country.digits;
    if national.len() < min {
        return Err(format!("is too short for a {} phone number", country.code));
    }
    if national.len() > max {
        return Err(format!("is too long for a {} phone number", country.code));
    }
    Phone::parse(&format!("+{}{national}", country.calling))
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

    fn us() -> CountryCode {
        CountryCode::try_from("US".to_string()).unwrap()
    }

    #[test]
    fn national_phones_take_the_country() {
        let gb = CountryCode::try_from("GB".to_string()).unwrap();
        assert_eq!(
            parse_phone("(415) 555-0147", Some(&us())).unwrap().as_str(),
            "+14155550147"
        );
        assert_eq!(
            parse_phone("1-415-555-0147", Some(&us())).unwrap().as_str(),
            "+14155550147"
        );
        assert_eq!(
            parse_phone("07911 123456", Some(&gb)).unwrap().as_str(),
            "+447911123456"
        );
        assert_eq!(
            parse_phone("+33 6 12 34 56 78", None).unwrap().as_str(),
            "+33612345678"
        );
        assert_eq!(
            parse_phone("0033612345678", Some(&us())).unwrap().as_str(),
            "+33612345678"
        );
        assert!(parse_phone("555-0147", Some(&us()))
            .unwrap_err()
            .contains("too short"));
        assert!(parse_phone("call me", Some(&us())).is_err());
        assert!(parse_phone("4155550147", None).is_err());
    }

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

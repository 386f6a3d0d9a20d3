//! A range of creation days (`createdFrom` / `createdTo` of a list of orders, `from` / `to`
//! of the export): whole days, both inclusive, in a time zone. Order ids are ULIDs of their
//! creation time, so the range becomes a range of ids (`store::keys::order_id_range`).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

use super::timezone::Timezone;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreatedDays {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The zone the days are days of (UTC for the API; the reader's zone on a page).
    pub zone: Timezone,
}

impl CreatedDays {
    /// A day written `YYYY-MM-DD` (exactly that: no time, no other form).
    pub fn parse_day(raw: &str) -> Option<NaiveDate> {
        let raw = raw.trim();
        (raw.len() == 10)
            .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
            .flatten()
    }

    pub fn is_empty(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// Whether `from` comes after `to` (an empty range, refused rather than answered empty).
    pub fn is_reversed(&self) -> bool {
        matches!((self.from, self.to), (Some(from), Some(to)) if from > to)
    }

    /// The first instant of `from` and the last millisecond of `to`, in the zone.
    pub fn instants(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let start = |day: NaiveDate| self.start_of(day);
        (
            self.from.map(start),
            self.to
                .map(|day| start(day.succ_opt().unwrap_or(day)) - Duration::milliseconds(1)),
        )
    }

    /// Midnight of `day` in the zone (or the first instant of the day when a clock change
    /// skips midnight).
    fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        let tz = self.zone.tz();
        (0..=2)
            .find_map(|hour| {
                let time = NaiveTime::from_hms_opt(hour, 0, 0)?;
                tz.from_local_datetime(&day.and_time(time)).earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| day.and_time(NaiveTime::MIN).and_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(raw: &str) -> NaiveDate {
        CreatedDays::parse_day(raw).unwrap()
    }

    #[test]
    fn days_are_strict_dates() {
        assert!(CreatedDays::parse_day("2026-01-31").is_some());
        for bad in [
            "2026-1-31",
            "2026-02-30",
            "31/01/2026",
            "2026-01-31T00:00",
            "",
        ] {
            assert!(CreatedDays::parse_day(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_range_covers_whole_days_in_its_zone() {
        let utc = CreatedDays {
            from: Some(day("2026-03-01")),
            to: Some(day("2026-03-02")),
            zone: Timezone::default(),
        };
        let (from, to) = utc.instants();
        assert_eq!(from.unwrap().to_rfc3339(), "2026-03-01T00:00:00+00:00");
        assert_eq!(
            to.unwrap().timestamp_millis(),
            day("2026-03-03")
                .and_time(NaiveTime::MIN)
                .and_utc()
                .timestamp_millis()
                - 1
        );
        let paris = CreatedDays {
            zone: Timezone::parse("Europe/Paris").unwrap(),
            ..utc
        };
        assert_eq!(
            paris.instants().0.unwrap().to_rfc3339(),
            "2026-02-28T23:00:00+00:00"
        );
        assert!(!utc.is_reversed());
        assert!(CreatedDays {
            from: utc.to,
            to: utc.from,
            ..utc
        }
        .is_reversed());
    }
}

//! When a service can start an order and when it completes it: weekdays and hours in the
//! courier's time zone, holidays, the cutoff after which an order rolls to the next service
//! day, and the SLA (same day within N hours, or next service day by a time).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// How many days ahead a service looks for a day it works.
pub const HORIZON_DAYS: u32 = 31;

/// A time of day, `"HH:MM"` (24 hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(NaiveTime);

impl TimeOfDay {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || "must be a time of day \"HH:MM\" (24 hours)".to_string();
        if raw.len() != 5 {
            return Err(bad());
        }
        NaiveTime::parse_from_str(raw, "%H:%M")
            .map(Self)
            .map_err(|_| bad())
    }

    pub fn time(self) -> NaiveTime {
        self.0
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> String {
        t.0.format("%H:%M").to_string()
    }
}

/// A day of the week, `"mon"` … `"sun"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub fn weekday(self) -> Weekday {
        match self {
            Day::Mon => Weekday::Mon,
            Day::Tue => Weekday::Tue,
            Day::Wed => Weekday::Wed,
            Day::Thu => Weekday::Thu,
            Day::Fri => Weekday::Fri,
            Day::Sat => Weekday::Sat,
            Day::Sun => Weekday::Sun,
        }
    }
}

/// The days and hours a service works, in the courier's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawAvailability")]
pub struct Availability {
    pub days: Vec<Day>,
    pub from: TimeOfDay,
    pub to: TimeOfDay,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawAvailability {
    days: Vec<Day>,
    from: TimeOfDay,
    to: TimeOfDay,
}

impl TryFrom<RawAvailability> for Availability {
    type Error = String;
    fn try_from(raw: RawAvailability) -> Result<Self, String> {
        if raw.days.is_empty() {
            return Err("days must name at least one day".into());
        }
        if raw.from >= raw.to {
            return Err("from must be earlier than to".into());
        }
        let mut days = Vec::new();
        for day in raw.days {
            if !days.contains(&day) {
                days.push(day);
            }
        }
        Ok(Self {
            days,
            from: raw.from,
            to: raw.to,
        })
    }
}

/// How fast a service completes an order once it starts it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Sla {
    /// Within `hours` of the start.
    SameDay { hours: SlaHours },
    /// By `by` on the next service day.
    NextDay { by: TimeOfDay },
}

/// 1 to 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct SlaHours(u32);

impl TryFrom<u32> for SlaHours {
    type Error = String;
    fn try_from(h: u32) -> Result<Self, String> {
        if (1..=24).contains(&h) {
            Ok(Self(h))
        } else {
            Err("must be a number of hours from 1 to 24".into())
        }
    }
}

impl From<SlaHours> for u32 {
    fn from(h: SlaHours) -> u32 {
        h.0
    }
}

/// Everything that decides a service's times.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar<'a, Tz: TimeZone> {
    pub tz: Tz,
    pub availability: &'a Availability,
    pub holidays: &'a [NaiveDate],
    pub cutoff: Option<TimeOfDay>,
    pub sla: Sla,
}

/// When the service starts and completes an order ready at `ready`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    pub start: DateTime<Utc>,
    pub complete_by: DateTime<Utc>,
}

impl<Tz: TimeZone> Calendar<'_, Tz> {
    fn works_on(&self, day: NaiveDate) -> bool {
        self.availability
            .days
            .iter()
            .any(|d| d.weekday() == day.weekday())
            && !self.holidays.contains(&day)
    }

    /// The latest ready time that still starts the same day.
    fn last_start(&self) -> NaiveTime {
        let to = self.availability.to.time();
        self.cutoff.map_or(to, |c| c.time().min(to))
    }

    fn at(&self, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        let naive = day.and_time(time);
        // A time that a clock change skips is taken an hour later.
        let local = self.tz.from_local_datetime(&naive).earliest().or_else(|| {
            let later = naive.checked_add_signed(Duration::hours(1))?;
            self.tz.from_local_datetime(&later).earliest()
        })?;
        Some(local.with_timezone(&Utc))
    }

    /// The first service day from `day` on (within the horizon).
    fn next_service_day(&self, day: NaiveDate) -> Option<NaiveDate> {
        (0..HORIZON_DAYS)
            .filter_map(|n| day.checked_add_signed(Duration::days(i64::from(n))))
            .find(|d| self.works_on(*d))
    }

    /// `None`: the service has no day within the horizon (unavailable).
    pub fn times(&self, ready: DateTime<Utc>) -> Option<Times> {
        let local = ready.with_timezone(&self.tz).naive_local();
        let (today, now) = (local.date(), local.time());
        let start = if self.works_on(today) && now <= self.last_start() {
            self.at(today, now.max(self.availability.from.time()))?
        } else {
            let day = self.next_service_day(today.succ_opt()?)?;
            self.at(day, self.availability.from.time())?
        };
        let start_day = start.with_timezone(&self.tz).date_naive();
        let complete_by = match self.sla {
            Sla::SameDay { hours } => {
                start.checked_add_signed(Duration::hours(i64::from(hours.0)))?
            }
            Sla::NextDay { by } => {
                let day = self.next_service_day(start_day.succ_opt()?)?;
                self.at(day, by.time())?
            }
        };
        Some(Times { start, complete_by })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(raw: &str) -> TimeOfDay {
        TimeOfDay::parse(raw).unwrap()
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn weekdays() -> Availability {
        Availability {
            days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
            from: t("08:00"),
            to: t("20:00"),
        }
    }

    #[test]
    fn times_follow_sla_cutoff_availability_and_holidays() {
        let availability = weekdays();
        let holidays = [NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()];
        let same_day = Sla::SameDay { hours: SlaHours(4) };
        let next_day = Sla::NextDay { by: t("12:00") };
        // Paris is UTC+1 in December. 2026-12-01 is a Tuesday.
        type Case = (
            &'static str,
            Sla,
            Option<&'static str>,
            &'static str,
            &'static str,
            &'static str,
        );
        let cases: &[Case] = &[
            // ready during hours: starts at once
            (
                "same day, in hours",
                same_day,
                None,
                "2026-12-01T09:30:00Z",
                "2026-12-01T09:30:00Z",
                "2026-12-01T13:30:00Z",
            ),
            // ready before opening: starts at opening
            (
                "same day, early",
                same_day,
                None,
                "2026-12-01T05:00:00Z",
                "2026-12-01T07:00:00Z",
                "2026-12-01T11:00:00Z",
            ),
            // ready exactly at the cutoff: still today
            (
                "at cutoff",
                same_day,
                Some("16:00"),
                "2026-12-01T15:00:00Z",
                "2026-12-01T15:00:00Z",
                "2026-12-01T19:00:00Z",
            ),
            // a minute after the cutoff: next day at opening
            (
                "after cutoff",
                same_day,
                Some("16:00"),
                "2026-12-01T15:01:00Z",
                "2026-12-02T07:00:00Z",
                "2026-12-02T11:00:00Z",
            ),
            // no cutoff: after closing rolls too
            (
                "after hours",
                same_day,
                None,
                "2026-12-01T19:30:00Z",
                "2026-12-02T07:00:00Z",
                "2026-12-02T11:00:00Z",
            ),
            // Friday evening rolls to Monday
            (
                "weekend",
                same_day,
                None,
                "2026-12-04T19:30:00Z",
                "2026-12-07T07:00:00Z",
                "2026-12-07T11:00:00Z",
            ),
            // Christmas (Friday) is a holiday: Thursday after hours goes to Monday 28th
            (
                "holiday",
                same_day,
                None,
                "2026-12-24T20:00:00Z",
                "2026-12-28T07:00:00Z",
                "2026-12-28T11:00:00Z",
            ),
            // next day by noon: the next service day
            (
                "next day",
                next_day,
                None,
                "2026-12-01T09:30:00Z",
                "2026-12-01T09:30:00Z",
                "2026-12-02T11:00:00Z",
            ),
            (
                "next day from friday",
                next_day,
                None,
                "2026-12-04T09:30:00Z",
                "2026-12-04T09:30:00Z",
                "2026-12-07T11:00:00Z",
            ),
            (
                "next day after cutoff",
                next_day,
                Some("16:00"),
                "2026-12-01T16:30:00Z",
                "2026-12-02T07:00:00Z",
                "2026-12-03T11:00:00Z",
            ),
        ];
        for (name, sla, cutoff, ready, start, complete) in cases {
            let calendar = Calendar {
                tz: chrono_tz::Europe::Paris,
                availability: &availability,
                holidays: &holidays,
                cutoff: cutoff.map(t),
                sla: *sla,
            };
            let times = calendar.times(utc(ready)).unwrap();
            assert_eq!(times.start, utc(start), "{name}: start");
            assert_eq!(times.complete_by, utc(complete), "{name}: complete by");
        }
    }

    #[test]
    fn a_service_without_a_day_in_the_horizon_is_unavailable() {
        let availability = Availability {
            days: vec![Day::Sun],
            from: t("08:00"),
            to: t("20:00"),
        };
        let holidays: Vec<NaiveDate> = (0..5)
            .map(|w| NaiveDate::from_ymd_opt(2026, 12, 6).unwrap() + Duration::weeks(w))
            .collect();
        let calendar = Calendar {
            tz: chrono_tz::UTC,
            availability: &availability,
            holidays: &holidays,
            cutoff: None,
            sla: Sla::SameDay { hours: SlaHours(2) },
        };
        assert_eq!(calendar.times(utc("2026-12-01T09:00:00Z")), None);
    }

    #[test]
    fn shapes_are_checked() {
        assert!(TimeOfDay::parse("8:00").is_err());
        assert!(TimeOfDay::parse("24:00").is_err());
        assert_eq!(String::from(t("08:05")), "08:05");
        let bad: Result<Availability, _> =
            serde_json::from_str(r#"{"days": ["mon"], "from": "20:00", "to": "08:00"}"#);
        assert!(bad.is_err());
        let bad: Result<Availability, _> =
            serde_json::from_str(r#"{"days": [], "from": "08:00", "to": "20:00"}"#);
        assert!(bad.is_err());
        let sla: Sla = serde_json::from_str(r#"{"kind": "next_day", "by": "12:00"}"#).unwrap();
        assert_eq!(sla, Sla::NextDay { by: t("12:00") });
        assert!(serde_json::from_str::<Sla>(r#"{"kind": "same_day", "hours": 0}"#).is_err());
    }
}

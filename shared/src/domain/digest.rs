//! A courier person's email digest of new orders and drafts: how often it comes (off by
//! default; every 15 minutes, every hour, or every day at 08:00 in the courier's time
//! zone) and when the next one is due. Windows are aligned on the clock (:00, :15, :30,
//! :45; the top of the hour; 08:00 local), so every run of the schedule agrees on them.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestCadence {
    #[default]
    Off,
    #[serde(rename = "every_15_minutes")]
    Every15Minutes,
    Hourly,
    #[serde(rename = "daily_at_8")]
    DailyAt8,
}

/// The local time of the daily digest.
pub const DAILY_AT: u32 = 8;

impl DigestCadence {
    pub const ALL: [DigestCadence; 4] = [
        DigestCadence::Off,
        DigestCadence::Every15Minutes,
        DigestCadence::Hourly,
        DigestCadence::DailyAt8,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DigestCadence::Off => "off",
            DigestCadence::Every15Minutes => "every_15_minutes",
            DigestCadence::Hourly => "hourly",
            DigestCadence::DailyAt8 => "daily_at_8",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw.trim())
            .ok_or_else(|| "must be one of the choices offered".to_string())
    }

    /// The choice as a person reads it ("Every hour").
    pub fn words(self) -> &'static str {
        match self {
            DigestCadence::Off => "Never (off)",
            DigestCadence::Every15Minutes => "Every 15 minutes",
            DigestCadence::Hourly => "Every hour",
            DigestCadence::DailyAt8 => "Every day at 8:00",
        }
    }

    pub fn is_on(self) -> bool {
        self != DigestCadence::Off
    }

    /// The end of the first window after `at` (strictly later), in `zone` for the daily
    /// digest; `None` when off.
    pub fn next_after(self, at: DateTime<Utc>, zone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
        let aligned = |minutes: i64| {
            let step = minutes * 60;
            let secs = at.timestamp();
            let next = (secs.div_euclid(step) + 1) * step;
            DateTime::<Utc>::from_timestamp(next, 0)
        };
        match self {
            DigestCadence::Off => None,
            DigestCadence::Every15Minutes => aligned(15),
            DigestCadence::Hourly => aligned(60),
            DigestCadence::DailyAt8 => {
                let local = at.with_timezone(&zone);
                let eight = NaiveTime::from_hms_opt(DAILY_AT, 0, 0)?;
                (0..3).find_map(|days| {
                    let day = local.date_naive() + Duration::days(days);
                    // A day whose 08:00 does not exist (a clock change) sends at 09:00.
                    let local_eight = zone
                        .from_local_datetime(&day.and_time(eight))
                        .earliest()
                        .or_else(|| {
                            zone.from_local_datetime(&day.and_time(eight.with_hour(DAILY_AT + 1)?))
                                .earliest()
                        })?;
                    let utc = local_eight.with_timezone(&Utc);
                    (utc > at).then_some(utc)
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap()
    }

    #[test]
    fn windows_end_on_the_clock() {
        let utc = chrono_tz::UTC;
        let paris = chrono_tz::Europe::Paris;
        let t = at("2026-12-08T09:07:30Z");
        assert_eq!(DigestCadence::Off.next_after(t, utc), None);
        assert_eq!(
            DigestCadence::Every15Minutes.next_after(t, utc),
            Some(at("2026-12-08T09:15:00Z"))
        );
        assert_eq!(
            DigestCadence::Every15Minutes.next_after(at("2026-12-08T09:15:00Z"), utc),
            Some(at("2026-12-08T09:30:00Z")),
            "strictly later"
        );
        assert_eq!(
            DigestCadence::Hourly.next_after(t, utc),
            Some(at("2026-12-08T10:00:00Z"))
        );
        // 08:00 in Paris is 07:00 UTC in winter: the next one is tomorrow's.
        assert_eq!(
            DigestCadence::DailyAt8.next_after(t, paris),
            Some(at("2026-12-09T07:00:00Z"))
        );
        assert_eq!(
            DigestCadence::DailyAt8.next_after(at("2026-12-08T06:59:00Z"), paris),
            Some(at("2026-12-08T07:00:00Z"))
        );
        // Summer time: 06:00 UTC.
        assert_eq!(
            DigestCadence::DailyAt8.next_after(at("2026-07-01T12:00:00Z"), paris),
            Some(at("2026-07-02T06:00:00Z"))
        );
    }

    #[test]
    fn choices_parse_from_their_names_only() {
        for cadence in DigestCadence::ALL {
            assert_eq!(DigestCadence::parse(cadence.as_str()), Ok(cadence));
        }
        assert!(DigestCadence::parse("weekly").is_err());
        // Stored as the form sends it.
        for cadence in DigestCadence::ALL {
            assert_eq!(serde_json::json!(cadence), cadence.as_str());
        }
        assert!(!DigestCadence::default().is_on());
    }
}

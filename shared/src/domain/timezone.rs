//! IANA time zones ("America/New_York"), checked against the tz database.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.trim()
            .parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| "must be an IANA time zone such as America/New_York".into())
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    /// A moment as a person in this zone reads it in an email: the day and time in words,
    /// with the zone named ("Tuesday 8 December 2026 at 14:30 (Europe/Paris time)"), never
    /// an ISO timestamp.
    pub fn in_words(self, at: chrono::DateTime<chrono::Utc>) -> String {
        let local = at.with_timezone(&self.0);
        format!(
            "{} ({} time)",
            local.format("%A %-d %B %Y at %H:%M"),
            self.0.name()
        )
    }
}

impl Default for Timezone {
    fn default() -> Self {
        Self(chrono_tz::UTC)
    }
}

impl TryFrom<String> for Timezone {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Timezone> for String {
    fn from(tz: Timezone) -> String {
        tz.0.name().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_come_from_the_tz_database() {
        assert_eq!(
            String::from(Timezone::parse("Europe/Paris").unwrap()),
            "Europe/Paris"
        );
        assert!(Timezone::parse("Mars/Olympus").is_err());
        assert!(Timezone::parse("").is_err());
    }

    #[test]
    fn moments_are_written_in_words_in_the_zone() {
        let at: chrono::DateTime<chrono::Utc> = "2026-12-08T13:30:00Z".parse().unwrap();
        assert_eq!(
            Timezone::parse("Europe/Paris").unwrap().in_words(at),
            "Tuesday 8 December 2026 at 14:30 (Europe/Paris time)"
        );
        assert_eq!(
            Timezone::parse("America/New_York").unwrap().in_words(at),
            "Tuesday 8 December 2026 at 08:30 (America/New_York time)"
        );
    }
}

//! What one SMS segment costs the courier, in US dollars (the stack's
//! `SmsPricePerSegmentUsd`), and amounts of it as people read them.

/// A price per SMS segment, in millionths of a US dollar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentPrice(u64);

impl SegmentPrice {
    /// A segment to a US number through AWS End User Messaging, toll-free origination
    /// (0.00581 base + 0.00302 carrier fee, https://aws.amazon.com/end-user-messaging/pricing/,
    /// read 2026-12-07).
    pub const DEFAULT: SegmentPrice = SegmentPrice(8_830);

    /// A decimal number of US dollars from 0 to 1 with at most six decimals (`0.00883`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim().trim_start_matches('$');
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !digits(whole)
            || !digits(fraction)
            || fraction.len() > 6
        {
            return Err(format!(
                "{text:?} is not an amount of US dollars with at most six decimals"
            ));
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| format!("{text:?} is too large"))?
        };
        let micros =
            whole.saturating_mul(1_000_000) + format!("{fraction:0<6}").parse::<u64>().unwrap_or(0);
        if micros > 1_000_000 {
            return Err(format!("{text:?} is more than a dollar a segment"));
        }
        Ok(Self(micros))
    }

    pub fn micros(self) -> u64 {
        self.0
    }

    /// What `segments` cost, in millionths of a dollar.
    pub fn of(self, segments: usize) -> u64 {
        self.0 * segments as u64
    }
}

impl Default for SegmentPrice {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Millionths of a US dollar as the client reads them: `$1,766.00` from a dollar up
/// (cents), `$0.0177` from a cent, `$0.00883` below one (enough decimals to tell small
/// amounts apart; trailing zeros dropped down to cents).
pub fn usd(micros: u64) -> String {
    if micros >= 1_000_000 {
        let cents = (micros + 5_000) / 10_000;
        let dollars = (cents / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        return format!("${grouped}.{:02}", cents % 100);
    }
    let decimals = if micros >= 10_000 { 4 } else { 5 };
    let scale = 10u64.pow(6 - decimals);
    let rounded = (micros + scale / 2) / scale;
    let mut fraction = format!("{rounded:0>width$}", width = decimals as usize);
    while fraction.len() > 2 && fraction.ends_with('0') {
        fraction.pop();
    }
    format!("$0.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_as_dollars_with_six_decimals_at_most() {
        assert_eq!(SegmentPrice::parse("0.00883"), Ok(SegmentPrice(8_830)));
        assert_eq!(SegmentPrice::parse(" $0.0075 "), Ok(SegmentPrice(7_500)));
        assert_eq!(SegmentPrice::parse(".05"), Ok(SegmentPrice(50_000)));
        assert_eq!(SegmentPrice::parse("1"), Ok(SegmentPrice(1_000_000)));
        assert_eq!(SegmentPrice::parse("0"), Ok(SegmentPrice(0)));
        for bad in ["", ".", "abc", "-0.01", "0.0000001", "1.5", "0,01", "1e-3"] {
            assert!(SegmentPrice::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(SegmentPrice::default().of(2), 17_660);
    }

    #[test]
    fn amounts_read_in_dollars_with_the_decimals_they_need() {
        assert_eq!(usd(8_830), "$0.00883");
        assert_eq!(usd(17_660), "$0.0177");
        assert_eq!(usd(500_000), "$0.50");
        assert_eq!(usd(0), "$0.00");
        assert_eq!(usd(17_660_000), "$17.66");
        assert_eq!(usd(1_766_000_000), "$1,766.00");
        assert_eq!(usd(8_830_000_000_000), "$8,830,000.00");
    }
}

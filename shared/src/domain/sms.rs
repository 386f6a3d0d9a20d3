//! SMS length: how many segments a text takes. GSM-7 texts fit 160 characters in one
//! segment (153 per part when split), where characters of the extension table count
//! twice; anything else is sent as UCS-2: 70 characters (67 per part).

/// GSM 03.38 basic character set.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// GSM 03.38 extension table (escape + character: two septets each).
const GSM7_EXTENDED: &str = "^{}\\[~]|€\u{c}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    /// As the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "Unicode (UCS-2)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Length {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
}

impl Length {
    pub fn of(text: &str) -> Self {
        let gsm = text.chars().try_fold(0usize, |n, c| {
            if GSM7_BASIC.contains(c) {
                Some(n + 1)
            } else if GSM7_EXTENDED.contains(c) {
                Some(n + 2)
            } else {
                None
            }
        });
        match gsm {
            Some(units) => Self {
                encoding: Encoding::Gsm7,
                units,
            },
            None => Self {
                encoding: Encoding::Ucs2,
                units: text.encode_utf16().count(),
            },
        }
    }

    /// What one segment holds in this encoding.
    pub fn single_limit(&self) -> usize {
        match self.encoding {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// What one segment holds, and each part of a longer message (its header takes the rest).
    fn sizes(&self) -> (usize, usize) {
        match self.encoding {
            Encoding::Gsm7 => (160, 153),
            Encoding::Ucs2 => (70, 67),
        }
    }

    pub fn segments(&self) -> usize {
        let (single, part) = self.sizes();
        if self.units <= single {
            1
        } else {
            self.units.div_ceil(part)
        }
    }

    /// The most units `segments` hold in this encoding.
    pub fn units_within(&self, segments: usize) -> usize {
        let (single, part) = self.sizes();
        if segments <= 1 {
            single
        } else {
            segments * part
        }
    }
}

pub fn segments(text: &str) -> usize {
    Length::of(text).segments()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_follow_the_encoding() {
        assert_eq!(Length::of("Hello é").encoding, Encoding::Gsm7);
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"a".repeat(307)), 3);
        // The euro sign takes two septets.
        assert_eq!(Length::of("€").units, 2);
        assert_eq!(segments(&"€".repeat(81)), 2);
        // One emoji or an accent outside GSM-7 makes the whole text UCS-2.
        assert_eq!(Length::of("está").encoding, Encoding::Ucs2);
        assert_eq!(segments(&format!("🙂{}", "a".repeat(68))), 1);
        assert_eq!(segments(&format!("ç{}", "a".repeat(70))), 2);
    }

    #[test]
    fn units_within_segments_match_the_count() {
        for text in ["a", "ç"] {
            let length = Length::of(text);
            for n in 1..=4 {
                let most = Length {
                    units: length.units_within(n),
                    ..length
                };
                let over = Length {
                    units: most.units + 1,
                    ..length
                };
                assert_eq!((most.segments(), over.segments()), (n, n + 1), "{text} {n}");
            }
        }
    }
}

//! What a search matches: the terms an order is indexed under and the words of a query,
//! normalised the same way (lower case, accents folded, punctuation dropped).

use super::order::Order;
use super::Phone;

/// An order is indexed under at most this many terms (its create stays one transaction of
/// at most 100 writes, and an edit that changes every term too).
pub const MAX_TERMS: usize = 40;
/// Longer words are indexed (and searched) by their first characters.
const MAX_TERM_CHARS: usize = 40;
/// Words shorter than this are not indexed (`9`, `a`), except as a query's last word.
const MIN_TERM_CHARS: usize = 2;
/// A query holds at most this many words.
const MAX_QUERY_WORDS: usize = 8;

/// The terms an order is found by, sorted and without duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms(Vec<String>);

impl SearchTerms {
    /// Short id, external id, recipient name words, recipient phone (E.164 digits, national
    /// number with and without its trunk `0`, last four digits), dropoff postal code and
    /// dropoff street words.
    pub fn of_order(order: &Order) -> Self {
        let dropoff = &order.dropoff.stop;
        let mut terms = words(&order.short_id);
        terms.extend(order.external_id.iter().flat_map(|id| words(id)));
        if let Some(contact) = &dropoff.contact {
            terms.extend(words(contact.name.as_str()));
            terms.extend(contact.phone.iter().flat_map(phone_terms));
        }
        if let Some(postal) = &dropoff.address.postal_code {
            let parts = words(postal.as_str());
            if parts.len() > 1 {
                terms.push(parts.iter().filter(|p| !p.is_empty()).cloned().collect());
            }
            terms.extend(parts);
        }
        terms.extend(words(dropoff.address.line1.as_str()));
        let mut kept: Vec<String> = Vec::new();
        for term in terms {
            let term: String = term.chars().take(MAX_TERM_CHARS).collect();
            if term.chars().count() >= MIN_TERM_CHARS && !kept.contains(&term) {
                kept.push(term);
            }
            if kept.len() == MAX_TERMS {
                break;
            }
        }
        kept.sort();
        Self(kept)
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Every term between spaces (` marie curie 75002 `): a query's other words are checked
    /// on it with `contains(words, " marie ")` (a whole word) or `" cur"` (a word's start).
    pub fn words_attr(&self) -> String {
        format!(" {} ", self.0.join(" "))
    }
}

/// A parsed `q`: every word but the last must be a whole term, the last a term's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub exact: Vec<String>,
    pub prefix: String,
}

impl SearchQuery {
    /// `None` when `q` is absent or blank.
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, String> {
        let Some(raw) = raw.map(str::trim).filter(|q| !q.is_empty()) else {
            return Ok(None);
        };
        if raw.chars().count() > 100 {
            return Err("must be at most 100 characters".into());
        }
        let mut words: Vec<String> = if is_phone_like(raw) {
            vec![raw.chars().filter(char::is_ascii_digit).collect()]
        } else {
            raw.split_whitespace()
                .map(|w| normalize(w).chars().take(MAX_TERM_CHARS).collect())
                .filter(|w: &String| !w.is_empty())
                .collect()
        };
        if words.len() > MAX_QUERY_WORDS {
            return Err(format!("must have at most {MAX_QUERY_WORDS} words"));
        }
        let Some(prefix) = words.pop() else {
            return Err("must contain letters or digits".into());
        };
        let mut exact: Vec<String> = Vec::new();
        for word in words {
            if word.chars().count() >= MIN_TERM_CHARS && !exact.contains(&word) {
                exact.push(word);
            }
        }
        Ok(Some(Self { exact, prefix }))
    }
}

/// A phone number as people type it: digits with spaces, dashes, dots, brackets, a `+`.
fn is_phone_like(raw: &str) -> bool {
    raw.chars().filter(char::is_ascii_digit).count() >= 4
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()/".contains(c))
}

/// The terms of a phone number: `+33698765432` → `33698765432`, `698765432`,
/// `0698765432` and `5432`.
fn phone_terms(phone: &Phone) -> Vec<String> {
    let digits = phone.as_str().trim_start_matches('+');
    let national = &digits[calling_code_len(digits).min(digits.len())..];
    vec![
        digits.to_string(),
        national.to_string(),
        format!("0{national}"),
        digits[digits.len().saturating_sub(4)..].to_string(),
    ]
}

/// Length of the country calling code that starts `digits` (ITU-T E.164 assignments:
/// zones 1 and 7 have one digit, the listed codes two, every other three).
fn calling_code_len(digits: &str) -> usize {
    const TWO_DIGITS: [&str; 44] = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    if digits.starts_with('1') || digits.starts_with('7') {
        1
    } else if TWO_DIGITS.iter().any(|code| digits.starts_with(code)) {
        2
    } else {
        3
    }
}

/// The words of a text; a word with punctuation inside also gives its parts
/// (`Jean-Pierre` → `jeanpierre`, `jean`, `pierre`).
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split_whitespace() {
        let folded = fold(raw);
        let parts: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
            .collect();
        out.push(parts.concat());
        if parts.len() > 1 {
            out.extend(parts.iter().map(|p| p.to_string()));
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

/// One query word: folded, punctuation dropped.
fn normalize(word: &str) -> String {
    fold(word).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Lower case with the accents of Latin letters folded (`Éloïse` → `eloise`, `Straße` →
/// `strasse`).
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'à'..='å' | 'ā' | 'ă' | 'ą' => out.push('a'),
            'æ' => out.push_str("ae"),
            'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => out.push('c'),
            'ď' | 'đ' | 'ð' => out.push('d'),
            'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => out.push('e'),
            'ĝ' | 'ğ' | 'ġ' | 'ģ' => out.push('g'),
            'ĥ' | 'ħ' => out.push('h'),
            'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => out.push('i'),
            'ĵ' => out.push('j'),
            'ķ' => out.push('k'),
            'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => out.push('l'),
            'ñ' | 'ń' | 'ņ' | 'ň' => out.push('n'),
            'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => out.push('o'),
            'œ' => out.push_str("oe"),
            'ŕ' | 'ŗ' | 'ř' => out.push('r'),
            'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => out.push('s'),
            'ß' => out.push_str("ss"),
            'ţ' | 'ť' | 'ŧ' | 'ț' => out.push('t'),
            'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => out.push('u'),
            'ŵ' => out.push('w'),
            'ý' | 'ÿ' | 'ŷ' => out.push('y'),
            'ź' | 'ż' | 'ž' => out.push('z'),
            'þ' => out.push_str("th"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(q: &str) -> SearchQuery {
        SearchQuery::parse(Some(q)).unwrap().unwrap()
    }

    #[test]
    fn words_are_folded_and_split() {
        assert_eq!(fold("Éloïse Straße Łódź"), "eloise strasse lodz");
        assert_eq!(
            words("Jean-Pierre O'Brien"),
            ["jeanpierre", "jean", "pierre", "obrien", "o", "brien"]
        );
        assert_eq!(words("SHOP-1001"), ["shop1001", "shop", "1001"]);
    }

    #[test]
    fn phones_are_indexed_as_people_type_them() {
        let fr = Phone::parse("+33698765432").unwrap();
        assert_eq!(
            phone_terms(&fr),
            ["33698765432", "698765432", "0698765432", "5432"]
        );
        let us = Phone::parse("+14155550123").unwrap();
        assert_eq!(phone_terms(&us)[1], "4155550123");
        let ie = Phone::parse("+353861234567").unwrap();
        assert_eq!(phone_terms(&ie)[1], "861234567");
    }

    #[test]
    fn queries_keep_every_word_and_a_prefix() {
        assert_eq!(
            query("Marie  CURIE"),
            SearchQuery {
                exact: vec!["marie".into()],
                prefix: "curie".into()
            }
        );
        assert_eq!(query("06 98 76").prefix, "069876");
        assert_eq!(query("+33 6 98").prefix, "33698");
        assert_eq!(query("rue de la paix").exact, ["rue", "de", "la"]);
        assert_eq!(query("9 rue").exact, Vec::<String>::new());
        assert_eq!(query("SHOP-1001").prefix, "shop1001");
        assert_eq!(SearchQuery::parse(Some("  ")).unwrap(), None);
        assert!(SearchQuery::parse(Some("!!")).is_err());
        assert!(SearchQuery::parse(Some(&"a".repeat(101))).is_err());
        assert!(SearchQuery::parse(Some("a b c d e f g h i")).is_err());
    }
}

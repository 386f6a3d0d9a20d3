//! People's phone numbers and email addresses as log lines show them: enough to tell two
//! apart and to find a message in the provider's console, never the whole value.
//!
//! Email addresses are personal data (most are a person's own), so none is logged whole:
//! its first letter and domain stay (`o***@demo-florist.example`). Phone numbers keep the
//! `+`, the first digit of the country code and the last four digits (`+1******4567`).

/// `+14155550123` → `+1******0123`.
pub fn phone(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return "+***".into();
    }
    let hidden = digits.len() - 5;
    let mut masked = String::with_capacity(digits.len() + 1);
    masked.push('+');
    masked.push(digits[0]);
    masked.extend(std::iter::repeat_n('*', hidden));
    masked.extend(&digits[digits.len() - 4..]);
    masked
}

/// `orders@demo-florist.example` → `o***@demo-florist.example`.
pub fn email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// A provider's error text with every phone number and email address in it masked (SNS
/// names the number it refused, SES the addresses it did not verify).
pub fn text(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for (i, word) in message.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&word_masked(word));
    }
    out
}

/// A table key (`OPTOUT#+14155550123`, `LOGIN#a@b.example`) with the numbers and addresses
/// among its `#`-separated parts masked.
pub fn key(key: &str) -> String {
    key.split('#')
        .map(word_masked)
        .collect::<Vec<_>>()
        .join("#")
}

fn word_masked(word: &str) -> String {
    let trimmed = word.trim_matches(|c: char| !(c.is_alphanumeric() || c == '+'));
    if trimmed.is_empty() {
        return word.to_string();
    }
    let masked = if trimmed.contains('@') {
        email(trimmed)
    } else if looks_like_phone(trimmed) {
        phone(trimmed)
    } else {
        return word.to_string();
    };
    word.replacen(trimmed, &masked, 1)
}

/// Eight digits or more, with at most a leading `+`: a number, not an id or a count.
fn looks_like_phone(word: &str) -> bool {
    let digits = word.strip_prefix('+').unwrap_or(word);
    digits.len() >= 8 && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_keeps_its_country_digit_and_last_four() {
        assert_eq!(phone("+14155550123"), "+1******0123");
        assert_eq!(phone("+33612345678"), "+3******5678");
        assert_eq!(phone("+123"), "+***");
    }

    #[test]
    fn an_email_keeps_its_first_letter_and_domain() {
        assert_eq!(
            email("orders@demo-florist.example"),
            "o***@demo-florist.example"
        );
        assert_eq!(email("nonsense"), "***");
    }

    #[test]
    fn provider_errors_lose_the_numbers_and_addresses_they_name() {
        assert_eq!(
            text("Invalid parameter: PhoneNumber Reason: +14155550123 is not valid to publish"),
            "Invalid parameter: PhoneNumber Reason: +1******0123 is not valid to publish"
        );
        assert_eq!(
            text("Email address is not verified: a.person@shop.example, b@c.example."),
            "Email address is not verified: a***@shop.example, b***@c.example."
        );
        assert_eq!(
            text("throttled after 3 attempts"),
            "throttled after 3 attempts"
        );
    }

    #[test]
    fn keys_lose_the_numbers_and_addresses_in_them() {
        assert_eq!(key("OPTOUT#+14155550123"), "OPTOUT#+1******0123");
        assert_eq!(
            key("LOGIN#a.person@shop.example"),
            "LOGIN#a***@shop.example"
        );
        assert_eq!(
            key("COURIER#cou_01H#ORDER#ord_01H"),
            "COURIER#cou_01H#ORDER#ord_01H"
        );
    }
}

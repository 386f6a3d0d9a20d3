//! A recipient's rating of a completed delivery: 1 to 5 stars and an optional comment.

use serde::{Deserialize, Serialize};

/// The most characters a comment may have.
pub const MAX_COMMENT_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rating {
    /// 1 to 5.
    pub stars: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub at: String,
}

/// A field of a rating, as the form names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingField {
    Stars,
    Comment,
}

impl RatingField {
    pub fn name(self) -> &'static str {
        match self {
            RatingField::Stars => "stars",
            RatingField::Comment => "comment",
        }
    }
}

/// The stars as typed: a whole number from 1 to 5.
pub fn parse_stars(raw: &str) -> Result<u8, String> {
    match raw.trim().parse::<u8>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err("choose from 1 to 5 stars".into()),
    }
}

/// The comment as typed: trimmed, `None` when empty, at most [`MAX_COMMENT_CHARS`].
pub fn parse_comment(raw: &str) -> Result<Option<String>, String> {
    let comment = raw.trim();
    if comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(format!(
            "must be at most {MAX_COMMENT_CHARS} characters (it has {})",
            comment.chars().count()
        ));
    }
    if comment
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("must be plain text".into());
    }
    Ok((!comment.is_empty()).then(|| comment.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_comments_are_checked() {
        assert_eq!(parse_stars("4"), Ok(4));
        for bad in ["0", "6", "", "four", "-1", "3.5"] {
            assert!(parse_stars(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_comment("  "), Ok(None));
        assert_eq!(parse_comment(" Great "), Ok(Some("Great".into())));
        assert!(parse_comment(&"é".repeat(1000)).is_ok());
        assert!(parse_comment(&"é".repeat(1001)).is_err());
    }
}

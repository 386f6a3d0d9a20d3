//! JSON request bodies: [`domain::json`](crate::domain::json)'s reading, as API errors.

use crate::domain::json::read_object;
use crate::error::ApiError;

pub use crate::domain::json::MAX_JSON_BODY;

pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    Ok(read_object(body)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        email: crate::domain::Email,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Option<Inner>,
    }

    fn err(body: &str) -> ApiError {
        parse_json::<Outer>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn malformed_json_is_400() {
        assert_eq!(err("{").status(), 400);
        assert_eq!(err("[1]").status(), 400);
        assert_eq!(err("").status(), 400);
        assert_eq!(err(r#"{"name":"a"} trailing"#).status(), 400);
    }

    #[test]
    fn field_errors_are_422_with_the_field() {
        let e = err(r#"{"name":"a","bogus":1}"#);
        assert_eq!(
            (e.status(), e.code(), e.field()),
            (422, "unknown_field", Some("bogus"))
        );
        let e = err(r#"{}"#);
        assert_eq!((e.code(), e.field()), ("missing_field", Some("name")));
        let e = err(r#"{"name":"a","inner":{"email":"nope"}}"#);
        assert_eq!(
            (e.code(), e.field()),
            ("invalid_field", Some("inner.email"))
        );
        assert_eq!(e.to_string(), "inner.email: must be a valid email address");
        let e = err(r#"{"name":5}"#);
        assert_eq!((e.status(), e.field()), (422, Some("name")));
    }

    #[test]
    fn oversized_bodies_are_413() {
        let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(MAX_JSON_BODY));
        assert_eq!(err(&big).status(), 413);
    }
}

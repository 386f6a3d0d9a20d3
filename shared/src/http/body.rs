//! JSON bodies: size limit, then parse with the path of the offending field.

use crate::error::ApiError;

/// Largest JSON body a route accepts (spreadsheet imports have their own limit).
pub const MAX_JSON_BODY: usize = 64 * 1024;

pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.len() > MAX_JSON_BODY {
        return Err(ApiError::TooLarge {
            limit: MAX_JSON_BODY,
        });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed("a JSON body is required"));
    }
    // serde would read a struct from an array too; the API takes objects only.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::malformed("the body must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if !inner.is_data() {
            return ApiError::malformed(format!("the body is not valid JSON: {inner}"));
        }
        data_error(&path, &strip_position(&inner.to_string()))
    })?;
    de.end()
        .map_err(|e| ApiError::malformed(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

fn data_error(path: &str, message: &str) -> ApiError {
    let parent = if path == "." {
        String::new()
    } else {
        format!("{path}.")
    };
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(name) = quoted("unknown field `") {
        // The path already ends with the unknown field's name.
        let field = if path == "." {
            name.clone()
        } else {
            path.to_string()
        };
        return ApiError::Invalid {
            code: "unknown_field",
            field,
            message: format!("{name} is not a field this request accepts"),
        };
    }
    if let Some(name) = quoted("missing field `") {
        return ApiError::Invalid {
            code: "missing_field",
            field: format!("{parent}{name}"),
            message: format!("{name} is required"),
        };
    }
    if path == "." {
        return ApiError::malformed(format!("the body must be a JSON object ({message})"));
    }
    ApiError::invalid(path, message)
}

/// serde_json appends " at line 1 column 9" to data errors; the field already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
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

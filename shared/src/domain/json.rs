//! A JSON object read into a typed value, with the path of the field that does not fit:
//! what the JSON API reads its bodies with (`http::parse_json`, which answers 400/413/422
//! from it) and what the generic webhook mapper reads an order with.

/// Why a body is not the object asked for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonError {
    /// Larger than [`MAX_JSON_BODY`].
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// Not JSON, not an object, or trailing data.
    #[error("{0}")]
    Malformed(String),
    /// A field is unknown, missing or invalid: `code` is `unknown_field`, `missing_field` or
    /// `invalid_field`, `field` its dotted path.
    #[error("{field}: {message}")]
    Field {
        code: &'static str,
        field: String,
        message: String,
    },
}
/// Largest JSON body a route accepts (spreadsheet imports have their own limit).
pub const MAX_JSON_BODY: usize = 64 * 1024;

pub fn read_object<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, JsonError> {
    if body.len() > MAX_JSON_BODY {
        return Err(JsonError::TooLarge {
            limit: MAX_JSON_BODY,
        });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(JsonError::Malformed("a JSON body is required".into()));
    }
    // serde would read a struct from an array too; the API takes objects only.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(JsonError::Malformed(
            "the body must be a JSON object".into(),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if !inner.is_data() {
            return JsonError::Malformed(format!("the body is not valid JSON: {inner}"));
        }
        data_error(&path, &strip_position(&inner.to_string()))
    })?;
    de.end()
        .map_err(|e| JsonError::Malformed(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

fn data_error(path: &str, message: &str) -> JsonError {
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
        return JsonError::Field {
            code: "unknown_field",
            field,
            message: format!("{name} is not a field this request accepts"),
        };
    }
    if let Some(name) = quoted("missing field `") {
        return JsonError::Field {
            code: "missing_field",
            field: format!("{parent}{name}"),
            message: format!("{name} is required"),
        };
    }
    if path == "." {
        return JsonError::Malformed(format!("the body must be a JSON object ({message})"));
    }
    JsonError::Field {
        code: "invalid_field",
        field: path.to_string(),
        message: message.to_string(),
    }
}

/// serde_json appends " at line 1 column 9" to data errors; the field already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

//! `multipart/form-data` bodies (a form with a file): just enough of RFC 7578 for the
//! portal's own forms: each part's name, its file name and content type, and its bytes.

use bytes::Bytes;

pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

/// The parts of `body`, or `None` when it is not a well-formed multipart body of
/// `content_type`.
pub fn parse(content_type: Option<&str>, body: &Bytes) -> Option<Vec<Part>> {
    let boundary = boundary(content_type?)?;
    let delimiter = format!("--{boundary}");
    let mut parts = vec![];
    let mut rest = body.slice(find(body, delimiter.as_bytes())? + delimiter.len()..);
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.slice(rest.strip_prefix(b"\r\n").map(|_| 2)?..);
        let head_end = find(&rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = rest.slice(head_end + 4..);
        let next = find(&content, format!("\r\n{delimiter}").as_bytes())?;
        parts.push(part(head, content.slice(..next))?);
        rest = content.slice(next + 2 + delimiter.len()..);
    }
}

fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parameters(params)?
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty() && b.len() <= 70)
}

fn part(head: &str, body: Bytes) -> Option<Part> {
    let mut name = None;
    let mut filename = None;
    let mut content_type = None;
    for line in head.split("\r\n") {
        let (header, value) = line.split_once(':')?;
        if header.trim().eq_ignore_ascii_case("content-disposition") {
            // `form-data; name="…"; filename="…"`: the disposition type, then parameters.
            let params = value.split_once(';').map_or("", |(_, p)| p);
            for (k, v) in parameters(params)? {
                match k.to_ascii_lowercase().as_str() {
                    "name" => name = Some(v),
                    "filename" => filename = Some(v),
                    _ => {}
                }
            }
        } else if header.trim().eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_string());
        }
    }
    Some(Part {
        name: name?,
        filename,
        content_type,
        body,
    })
}

/// `k=v; k="quoted; \"value\""` (RFC 9110 parameters): a value is a token or a quoted
/// string, whose `\` escapes the next character, so a `;` or `"` inside the quotes is part
/// of the value (a file named `a;b.csv`). `None` when a quote is left open.
fn parameters(text: &str) -> Option<Vec<(String, String)>> {
    let mut params = vec![];
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == ';').is_some() {}
        if chars.peek().is_none() {
            return Some(params);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ';') {
            key.push(c);
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            if chars.next_if_eq(&'"').is_some() {
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => value.push(chars.next()?),
                        c => value.push(c),
                    }
                }
                // Anything between the closing quote and the next `;` is not part of it.
                while chars.next_if(|c| *c != ';').is_some() {}
            } else {
                while let Some(c) = chars.next_if(|c| *c != ';') {
                    value.push(c);
                }
                value = value.trim_end().to_string();
            }
        }
        params.push((key.trim().to_string(), value));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"step\"\r\n\r\npreflight\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nAddress,City\r\n1 Rue,Lyon\r\n\r\n--XyZ--\r\n",
        );
        let parts = parse(Some("multipart/form-data; boundary=XyZ"), &body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), &parts[0].body[..]),
            ("step", &b"preflight"[..])
        );
        assert_eq!(parts[1].filename.as_deref(), Some("a.csv"));
        assert_eq!(parts[1].content_type.as_deref(), Some("text/csv"));
        assert_eq!(&parts[1].body[..], b"Address,City\r\n1 Rue,Lyon\r\n");
    }

    #[test]
    fn quoted_parameters_keep_their_semicolons_and_escaped_quotes() {
        let body = Bytes::from_static(
            b"--==_Part:1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"week 49; \\\"Lyon\\\" \\\\ co.csv\"\r\n\r\nx\r\n--==_Part:1\r\nContent-Disposition: form-data;name=step\r\n\r\ncommit\r\n--==_Part:1--\r\n",
        );
        let parts = parse(
            Some("multipart/form-data; charset=utf-8; boundary=\"==_Part:1\""),
            &body,
        )
        .unwrap();
        assert_eq!(parts[0].name, "file");
        assert_eq!(
            parts[0].filename.as_deref(),
            Some(r#"week 49; "Lyon" \ co.csv"#)
        );
        assert_eq!(
            (parts[1].name.as_str(), &parts[1].body[..]),
            ("step", &b"commit"[..])
        );
        // An unterminated quote is not a well-formed header.
        let broken = Bytes::from_static(
            b"--Q\r\nContent-Disposition: form-data; name=\"file; filename=a.csv\r\n\r\nx\r\n--Q--\r\n",
        );
        assert!(parse(Some("multipart/form-data; boundary=Q"), &broken).is_none());
    }

    #[test]
    fn refuses_what_is_not_multipart() {
        assert!(parse(Some("text/csv"), &Bytes::from_static(b"a,b")).is_none());
        assert!(parse(
            Some("multipart/form-data; boundary=Q"),
            &Bytes::from_static(b"--Q\r\nbroken")
        )
        .is_none());
        assert!(parse(None, &Bytes::new()).is_none());
    }
}

//! `multipart/form-data` bodies as the import form reads them: the first byte is the length
//! of the `Content-Type` that follows (its boundary), the rest is the body. The parts are
//! then used as `web::imports_pages` uses them: the fields as text, the file (uploaded, or
//! carried over in `file_data` as base64) read as a sheet of the format its name gives.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use portal::imports::sheet::read;
use portal::web::imports_pages::format;
use portal::web::multipart::parse;

#[global_allocator]
static ALLOCATOR: portal_fuzz::Capped = portal_fuzz::Capped;

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let len = (len as usize).min(rest.len());
    let content_type = String::from_utf8_lossy(&rest[..len]);
    let body = Bytes::copy_from_slice(&rest[len..]);
    let Some(parts) = parse(Some(&content_type), &body) else {
        return;
    };
    let mut total = 0;
    for part in &parts {
        total += part.body.len();
        // Each part's bytes are the body's own, never more.
        if !part.body.is_empty() {
            let start = (part.body.as_ptr() as usize).wrapping_sub(body.as_ptr() as usize);
            assert!(start + part.body.len() <= body.len());
        }
    }
    assert!(total <= body.len());
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name)
            .map(|p| String::from_utf8_lossy(&p.body).trim().to_string())
            .unwrap_or_default()
    };
    let _ = (text("step"), text("date"), text("client"));
    let file = match parts
        .iter()
        .find(|p| p.name == "file" && !p.body.is_empty())
    {
        Some(part) => Some((part.filename.clone().unwrap_or_default(), part.body.clone())),
        None => STANDARD
            .decode(text("file_data"))
            .ok()
            .map(|bytes| (text("file_name"), Bytes::from(bytes))),
    };
    if let Some((name, file)) = file {
        if let Some(format) = format(&name) {
            let _ = read(format, &file);
        }
    }
});

//! `GET /static/{version}/{file}`: the portal's stylesheet, htmx (2.0.11, vendored: see
//! `shared/static/README.md`), the import form's progress script, the live updates' script and the imports page's
//! example sheets (made from `imports::guide`, checked by a test), compiled into the
//! binary. `{version}` is a hash of every file, so pages always ask for the assets they
//! were rendered with, and browsers and CDNs keep them for a year without asking again.

use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

/// Each file: its name in the URL, its content type, its bytes.
const FILES: [(&str, &str, &[u8]); 6] = [
    (
        "portal.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/portal.css"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx-2.0.11.min.js"),
    ),
    (
        "portal.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/portal.js"),
    ),
    (
        "live.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/live.js"),
    ),
    (
        "example-orders.csv",
        "text/csv; charset=utf-8",
        include_bytes!("../../static/example-orders.csv"),
    ),
    (
        "example-orders.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        include_bytes!("../../static/example-orders.xlsx"),
    ),
];

/// The assets' version: FNV-1a (64 bits) of every file, in hex. Pages link
/// `/static/{version}/portal.css`. Worked out by the compiler, so that a page's binary holds
/// the 16 characters and not the files (htmx alone is 52 KB).
pub fn version() -> &'static str {
    VERSION
}

const VERSION: &str = match std::str::from_utf8(&hex(hash_files())) {
    Ok(version) => version,
    Err(_) => panic!("hex digits are UTF-8"),
};

const fn hash_files() -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut file = 0;
    while file < FILES.len() {
        hash = fnv1a(hash, FILES[file].0.as_bytes());
        hash = fnv1a(hash, FILES[file].2);
        file += 1;
    }
    hash
}

const fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

const fn hex(value: u64) -> [u8; 16] {
    let mut digits = [0u8; 16];
    let mut i = 0;
    while i < 16 {
        let nibble = ((value >> (60 - 4 * i)) & 0xf) as u8;
        digits[i] = if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        };
        i += 1;
    }
    digits
}

/// The bytes of a static file (for tests and size checks).
pub fn file(name: &str) -> Option<&'static [u8]> {
    FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, b)| *b)
}

pub async fn static_asset(_ctx: &Ctx, req: ApiRequest) -> ApiResult {
    let found = FILES
        .iter()
        .find(|(name, _, _)| Some(*name) == req.path_params.get("file").map(String::as_str));
    // Another version is another deploy's file: never cache today's bytes under its name.
    let current = req.path_params.get("version").map(String::as_str) == Some(version());
    Ok(match (found, current) {
        (Some((_, content_type, bytes)), true) => ApiResponse {
            status: 200,
            headers: vec![
                ("content-type".into(), (*content_type).into()),
                (
                    "cache-control".into(),
                    "public, max-age=31536000, immutable".into(),
                ),
                ("x-content-type-options".into(), "nosniff".into()),
            ],
            body: bytes::Bytes::from_static(bytes),
        },
        _ => ApiResponse {
            status: 404,
            headers: vec![
                ("content-type".into(), "text/plain; charset=utf-8".into()),
                ("cache-control".into(), "no-store".into()),
            ],
            body: bytes::Bytes::from_static(b"not found"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_hash_of_every_file_name_and_byte() {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, _, bytes) in FILES {
            for b in name.as_bytes().iter().chain(bytes.iter()) {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        assert_eq!(version(), format!("{hash:016x}"));
    }
}

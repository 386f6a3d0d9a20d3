//! `GET /static/{version}/{file}`: the portal's stylesheet, htmx (2.0.11, vendored: see
//! `shared/static/README.md`) and the import form's progress script, compiled into the
//! binary. `{version}` is a hash of every file, so pages always ask for the assets they
//! were rendered with, and browsers and CDNs keep them for a year without asking again.

use std::sync::OnceLock;

use crate::http::{ApiRequest, ApiResponse, ApiResult};
use crate::Ctx;

/// Each file: its name in the URL, its content type, its bytes.
const FILES: [(&str, &str, &[u8]); 3] = [
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
];

/// The assets' version: FNV-1a (64 bits) of every file, in hex. Pages link
/// `/static/{version}/portal.css`.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, _, bytes) in FILES {
            for b in name.as_bytes().iter().chain(bytes.iter()) {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    })
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

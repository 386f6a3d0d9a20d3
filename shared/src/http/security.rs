//! What every answer tells the browser, added once where answers leave (the Lambda glue,
//! the local server): don't guess content types (`nosniff`), HTTPS only (HSTS), no full
//! URLs in `Referer` to other sites, and on a page the Content-Security-Policy. A header
//! an answer sets itself (the tracking page's stricter policy and referrer policy) is kept.

use super::ApiResponse;

/// The portal's pages: scripts and styles from the portal's own files only (no inline
/// script, style or handler: htmx runs without eval), images also from the organisations'
/// https logos, forms posted to the portal only, never framed; connections (`live.js`'s
/// re-fetch and WebSocket) to the portal and to the live updates' WebSocket API
/// ([`Config::live_origin`](crate::ctx::Config::live_origin)).
pub fn page_policy() -> String {
    page_policy_with(crate::ctx::Config::live_origin().as_deref())
}

/// [`page_policy`] for a live updates' origin (`None`: the portal's own host, as locally).
pub fn page_policy_with(live_origin: Option<&str>) -> String {
    let live = live_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'{live}; \
         img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Two years, the subdomains too: the portal is only ever served over HTTPS.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// `response` with the headers every answer carries, and a page's policy on HTML.
pub fn with_security_headers(mut response: ApiResponse) -> ApiResponse {
    let is_page = header(&response, "content-type").is_some_and(|t| t.starts_with("text/html"));
    let mut add = |name: &str, value: &str| {
        if header(&response, name).is_none() {
            response.headers.push((name.to_string(), value.to_string()));
        }
    };
    add("x-content-type-options", "nosniff");
    add("strict-transport-security", HSTS);
    add("referrer-policy", "same-origin");
    if is_page {
        add("content-security-policy", &page_policy());
    }
    response
}

fn header<'a>(response: &'a ApiResponse, name: &str) -> Option<&'a str> {
    response
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

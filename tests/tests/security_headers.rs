//! What every answer tells the browser, on both stores: each page (the tracking page too)
//! has a Content-Security-Policy that allows no inline script and no framing, the portal's
//! own scripts and connections (live.js) only, and every
//! response, API and static files included, has `nosniff`, HSTS and a referrer policy. The
//! pages themselves hold no inline script, inline style or inline event handler (the policy
//! would block them).

use bytes::Bytes;
use portal_tests::{on_both_backends, TestApp, TestResponse};
use serde_json::json;

use crate::web_pages::{get, signed_up, HOST};

fn assert_sent_everywhere(what: &str, r: &TestResponse) {
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}: {:?}",
        r.headers
    );
    let hsts = r.header("strict-transport-security").unwrap_or_default();
    assert!(hsts.starts_with("max-age="), "{what}: {:?}", r.headers);
    assert!(
        r.header("referrer-policy").is_some(),
        "{what}: {:?}",
        r.headers
    );
}

/// The page's policy, split into its directives.
fn policy(what: &str, r: &TestResponse) -> Vec<String> {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP in {:?}", r.headers));
    assert_eq!(
        r.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-security-policy"))
            .count(),
        1,
        "{what}: one policy"
    );
    csp.split(';').map(|d| d.trim().to_string()).collect()
}

fn assert_page_policy(what: &str, r: &TestResponse) {
    assert_sent_everywhere(what, r);
    let directives = policy(what, r);
    assert!(
        directives.contains(&"frame-ancestors 'none'".to_string()),
        "{what}: {directives:?}"
    );
    let script = directives
        .iter()
        .find(|d| d.starts_with("script-src "))
        .or_else(|| directives.iter().find(|d| d.starts_with("default-src ")))
        .unwrap_or_else(|| panic!("{what}: {directives:?}"));
    assert_eq!(script, "script-src 'self'", "{what}");
    // live.js's re-fetch and WebSocket: the portal itself (locally its own host's /live;
    // on AWS the WebSocket API's origin too, `page_policy_with`).
    // (A page without live.js, the tracking page's settings, leaves it to `default-src`.)
    let connect = directives
        .iter()
        .find(|d| d.starts_with("connect-src "))
        .or_else(|| directives.iter().find(|d| d.starts_with("default-src ")))
        .unwrap_or_else(|| panic!("{what}: {directives:?}"));
    assert!(
        connect == "connect-src 'self'" || connect == "default-src 'self'",
        "{what}: {connect}"
    );
    assert!(!r.text.is_empty(), "{what}");
}

/// On AWS the pages may connect to the WebSocket API's origin (from `LIVE_URL`), and only
/// to it and the portal.
#[test]
fn the_pages_connect_to_the_portal_and_its_websocket_api_only() {
    let url = "wss://abc123.execute-api.eu-west-1.amazonaws.com/live";
    let origin = portal::ctx::live_origin_of(url).unwrap();
    assert_eq!(origin, "wss://abc123.execute-api.eu-west-1.amazonaws.com");
    let policy = portal::http::page_policy_with(Some(&origin));
    assert!(
        policy.contains("connect-src 'self' wss://abc123.execute-api.eu-west-1.amazonaws.com;"),
        "{policy}"
    );
    assert!(portal::http::page_policy_with(None).contains("connect-src 'self';"));
    assert_eq!(
        portal::ctx::live_origin_of("ws://127.0.0.1:3000").as_deref(),
        Some("ws://127.0.0.1:3000")
    );
    for bad in ["wss://", "wss://a.example; script-src *", "nothing"] {
        assert_eq!(portal::ctx::live_origin_of(bad), None, "{bad}");
    }
}

/// No `<script>` without `src`, no `style="…"`, no `on…=` handler, no `hx-on`.
fn assert_nothing_inline(what: &str, html: &str) {
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or_default();
        assert!(tag.contains(" src="), "{what}: inline script <script{tag}>");
    }
    assert!(!html.contains(" style="), "{what}: a style attribute");
    assert!(!html.contains("hx-on"), "{what}: hx-on");
    let lower = html.to_ascii_lowercase();
    for (at, _) in lower.match_indices(" on") {
        let name: String = lower[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        let after = &lower[at + 3 + name.len()..];
        assert!(
            name.is_empty() || !after.starts_with('='),
            "{what}: an inline handler on{name}="
        );
    }
}

async fn every_page_and_answer_carries_the_security_headers(app: TestApp) {
    let (courier, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    for uri in ["/login", "/forgot-password"] {
        let r = app.raw("GET", uri, &[("host", HOST)], Bytes::new()).await;
        assert_eq!(r.status, 200, "{uri}");
        assert_page_policy(uri, &r);
        assert_nothing_inline(uri, &r.text);
    }
    for uri in [
        "/orders",
        "/orders/new",
        "/drafts",
        "/imports",
        "/imports/columns",
        "/settings/organization",
        "/settings/api",
        "/settings/communications",
        "/settings/tracking-page",
        "/settings/user",
    ] {
        let r = get(&app, uri, &cookie).await;
        assert_eq!(r.status, 200, "{uri}: {}", r.text);
        assert_page_policy(uri, &r);
        assert_nothing_inline(uri, &r.text);
    }
    // A redirect and a refused form are answers too.
    let to_login = app
        .raw("GET", "/orders", &[("host", HOST)], Bytes::new())
        .await;
    assert_eq!(to_login.status, 303);
    assert_sent_everywhere("redirect", &to_login);
    // The API: an answer, an error, an unknown route.
    let orders = app.get("/v1/orders", &courier.key).await;
    assert_eq!(orders.status, 200, "{}", orders.text);
    assert_sent_everywhere("GET /v1/orders", &orders);
    let unauthorized = app.call("GET", "/v1/orders", None, None).await;
    assert_eq!(unauthorized.status, 401);
    assert_sent_everywhere("401", &unauthorized);
    let unknown = app.call("GET", "/v1/nothing-here", None, None).await;
    assert_eq!(unknown.status, 404);
    assert_sent_everywhere("404", &unknown);
    // Static files.
    let login = app
        .raw("GET", "/login", &[("host", HOST)], Bytes::new())
        .await;
    let version = portal_tests::token_in(&login.text, "/static/", "/portal.css");
    for file in ["portal.css", "htmx.min.js", "portal.js", "live.js"] {
        let got = app
            .raw(
                "GET",
                &format!("/static/{version}/{file}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(got.status, 200, "{file}");
        assert_sent_everywhere(file, &got);
    }
    // The tracking page, and its 404.
    let client = app
        .onboard_client(&courier, "Thorn", "ops@thorn.example")
        .await;
    let order = app
        .post(
            "/v1/orders",
            &client.key,
            json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                            "recipient": {"name": "Marie", "phone": "+33698765432"}}
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let url = order.body["trackingUrl"].as_str().unwrap();
    let path = &url[url.find("/track/").unwrap()..];
    let accept = [("accept", "text/html")];
    let tracking = app.raw("GET", path, &accept, Bytes::new()).await;
    assert_eq!(tracking.status, 200, "{}", tracking.text);
    assert_page_policy("tracking page", &tracking);
    let missing = app
        .raw(
            "GET",
            &format!("/track/{}", "A".repeat(43)),
            &accept,
            Bytes::new(),
        )
        .await;
    assert_eq!(missing.status, 404);
    assert_page_policy("tracking 404", &missing);
}

/// The pages ask htmx never to evaluate script from attributes, inject its own styles or
/// set a style attribute when it settles a swap.
async fn htmx_runs_without_eval_or_inline_styles(app: TestApp) {
    let login = app
        .raw("GET", "/login", &[("host", HOST)], Bytes::new())
        .await;
    let config = login
        .text
        .split("name=\"htmx-config\" content='")
        .nth(1)
        .and_then(|t| t.split('\'').next())
        .expect("the htmx config");
    let config: serde_json::Value = serde_json::from_str(config).unwrap();
    assert_eq!(config["allowEval"], false, "{config}");
    assert_eq!(config["includeIndicatorStyles"], false, "{config}");
    assert_eq!(
        config["attributesToSettle"],
        json!(["class", "width", "height"]),
        "{config}"
    );
}

on_both_backends!(
    every_page_and_answer_carries_the_security_headers,
    htmx_runs_without_eval_or_inline_styles,
);

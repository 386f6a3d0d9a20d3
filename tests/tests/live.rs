//! Live updates: a page's WebSocket is opened only from the portal's own origin, by a
//! session (its ticket or cookie) or a tracking token; the pusher, on the table's stream,
//! posts each change to the pages allowed to see it and nothing to others; a page that has
//! gone (API Gateway's 410) is forgotten. The pages that update themselves (orders, an
//! order, messages, conversations, tracking) carry `live.js` and what it needs: a ticket
//! that connects, the messages heard, the regions it swaps; no other page does.

use serde_json::{json, Value};

use portal::live::handle_route;
use portal_tests::{on_both_backends, TestApp};

on_both_backends!(
    a_connection_needs_a_session_or_a_tracking_token_from_the_portals_origin,
    chat_and_order_changes_reach_their_organisations_pages_only,
    a_tracking_page_hears_its_drivers_positions_only_while_under_way,
    a_page_that_has_gone_is_forgotten,
    the_pages_carry_what_live_js_needs_and_nothing_else_does,
);

const ORIGIN: &str = "https://portal.test";

/// `$connect` as API Gateway runs it: the upgrade's headers and query; its status.
async fn connect(
    app: &TestApp,
    id: &str,
    origin: Option<&str>,
    cookie: Option<&str>,
    query: &[(&str, &str)],
) -> u16 {
    let mut headers = http::HeaderMap::new();
    if let Some(origin) = origin {
        headers.insert("origin", origin.parse().unwrap());
    }
    if let Some(cookie) = cookie {
        headers.insert("cookie", cookie.parse().unwrap());
    }
    let query: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let ctx = app
        .ctx()
        .wired_for(portal_local::functions::LIVE_CONNECTIONS.needs);
    handle_route(&ctx, "$connect", id, &headers, &query, ORIGIN, None)
        .await
        .status
}

fn ticket(cookie: &str) -> String {
    let mut headers = http::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    portal::accounts::session::live_ticket(&headers).expect("a session's ticket")
}

/// What a page has heard, as JSON.
fn heard(app: &TestApp, id: &str) -> Vec<Value> {
    app.live
        .pushed_to(id)
        .iter()
        .map(|m| serde_json::from_str(m).unwrap())
        .collect()
}

async fn order_for(app: &TestApp, courier_key: &str, client_id: &str) -> Value {
    let created = app
        .post(
            "/v1/orders",
            courier_key,
            json!({
                "clientId": client_id,
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris", "country": "FR"},
                            "recipient": {"name": "Marie Curie", "phone": "+33698765432"}},
                "weight": 1, "pieces": 1
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body
}

fn tracking_token(order: &Value) -> String {
    let url = order["trackingUrl"].as_str().unwrap();
    url[url.find("/track/").unwrap() + 7..].to_string()
}

async fn a_connection_needs_a_session_or_a_tracking_token_from_the_portals_origin(app: TestApp) {
    let (courier, courier_cookie) =
        crate::teams::courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let (client_id, pia) =
        crate::web_pages::client_with_user(&app, &courier, "Rose Florist", "pia@rose.example")
            .await;
    // No credential, a made-up ticket, a ticket of another site's page: refused.
    assert_eq!(connect(&app, "c1", Some(ORIGIN), None, &[]).await, 401);
    let forged = format!("usr_01J00000000000000000000000.{}", "a".repeat(64));
    assert_eq!(
        connect(&app, "c2", Some(ORIGIN), None, &[("ticket", &forged)]).await,
        401
    );
    let pia_ticket = ticket(&pia);
    assert_eq!(
        connect(
            &app,
            "c3",
            Some("https://evil.example"),
            None,
            &[("ticket", &pia_ticket)]
        )
        .await,
        403
    );
    assert_eq!(connect(&app, "c4", None, Some(&pia), &[]).await, 403);
    // The person's ticket, or the cookie on the portal's own host: accepted.
    assert_eq!(
        connect(&app, "c5", Some(ORIGIN), None, &[("ticket", &pia_ticket)]).await,
        200
    );
    assert_eq!(
        connect(&app, "c6", Some(ORIGIN), Some(&courier_cookie), &[]).await,
        200
    );
    // A connection id is kept once.
    assert_eq!(
        connect(&app, "c5", Some(ORIGIN), None, &[("ticket", &pia_ticket)]).await,
        409
    );
    // A tracking page: by a token that names an order only.
    assert_eq!(
        connect(
            &app,
            "c7",
            Some(ORIGIN),
            None,
            &[("track", &"A".repeat(22))]
        )
        .await,
        404
    );
    let order = order_for(&app, &courier.key, &client_id).await;
    assert_eq!(
        connect(
            &app,
            "c8",
            Some(ORIGIN),
            None,
            &[("track", &tracking_token(&order))]
        )
        .await,
        200
    );
    // Signed out: the ticket no longer opens anything.
    let out = app
        .raw(
            "POST",
            "/logout",
            &[
                ("cookie", pia.as_str()),
                ("origin", ORIGIN),
                ("host", "portal.test"),
            ],
            bytes::Bytes::new(),
        )
        .await;
    assert!(out.status < 400, "{}", out.text);
    assert_eq!(
        connect(&app, "c9", Some(ORIGIN), None, &[("ticket", &pia_ticket)]).await,
        401
    );
}

async fn chat_and_order_changes_reach_their_organisations_pages_only(app: TestApp) {
    let (courier, courier_cookie) =
        crate::teams::courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let (rose, pia) =
        crate::web_pages::client_with_user(&app, &courier, "Rose Florist", "pia@rose.example")
            .await;
    let (_tulip, tom) =
        crate::web_pages::client_with_user(&app, &courier, "Tulip Shop", "tom@tulip.example").await;
    let (other, other_cookie) =
        crate::teams::courier_signed_in(&app, "Other Couriers", "ops@other.example").await;
    let _ = other;
    for (id, cookie) in [
        ("courier", &courier_cookie),
        ("rose", &pia),
        ("tulip", &tom),
        ("other", &other_cookie),
    ] {
        assert_eq!(
            connect(&app, id, Some(ORIGIN), None, &[("ticket", &ticket(cookie))]).await,
            200
        );
        std::mem::forget(app.live.open(id));
    }
    let said = app
        .post(
            "/v1/chat/messages",
            &courier.key,
            json!({"clientId": rose, "text": "Your van is on its way"}),
        )
        .await;
    assert_eq!(said.status, 201, "{}", said.text);
    let order = order_for(&app, &courier.key, &rose).await;
    let order_id = order["id"].as_str().unwrap();
    let rejected = app
        .post(
            &format!("/v1/orders/{order_id}/reject"),
            &courier.key,
            json!({"reason": "Outside our area"}),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    assert_eq!(app.deliver_live().await, 0);

    let chat = json!({"type": "chat.message", "clientId": rose});
    let created = json!({"type": "order.created", "orderId": order_id, "status": "placed"});
    let changed = json!({"type": "order.changed", "orderId": order_id, "status": "rejected"});
    for page in ["courier", "rose"] {
        let heard = heard(&app, page);
        assert_eq!(
            heard,
            vec![chat.clone(), created.clone(), changed.clone()],
            "{page}"
        );
    }
    // Another client of the same courier, and another courier, hear nothing of them.
    assert!(
        heard(&app, "tulip").is_empty(),
        "{:?}",
        heard(&app, "tulip")
    );
    assert!(
        heard(&app, "other").is_empty(),
        "{:?}",
        heard(&app, "other")
    );
}

async fn a_tracking_page_hears_its_drivers_positions_only_while_under_way(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Rose Florist", "orders@rose.example")
        .await;
    let order = order_for(&app, &courier.key, &client.id).await;
    let other = order_for(&app, &courier.key, &client.id).await;
    let task = |order: &Value, kind: &str| order[kind]["id"].as_str().unwrap().to_string();
    assert_eq!(
        connect(
            &app,
            "track",
            Some(ORIGIN),
            None,
            &[("track", &tracking_token(&order))]
        )
        .await,
        200
    );
    std::mem::forget(app.live.open("track"));
    let post = |path: String, body: Value| {
        let app = &app;
        let key = courier.key.clone();
        async move {
            let answer = app.post(&path, &key, body).await;
            assert!(answer.status < 300, "{path}: {}", answer.text);
        }
    };
    let dropoff = task(&order, "dropoff");
    let driver =
        json!({"type": "assigned", "driver": {"name": "Sam Driverson", "phone": "+33612345678"}});
    // Both tasks assigned, the pickup done (the dropoff may start after it).
    for o in [&order, &other] {
        let pickup = task(o, "pickup");
        post(format!("/v1/tasks/{pickup}/events"), driver.clone()).await;
        post(
            format!("/v1/tasks/{}/events", task(o, "dropoff")),
            driver.clone(),
        )
        .await;
        post(
            format!("/v1/tasks/{pickup}/events"),
            json!({"type": "started"}),
        )
        .await;
        post(
            format!("/v1/tasks/{pickup}/events"),
            json!({"type": "completed"}),
        )
        .await;
    }
    // Before the driver sets off: no position.
    post(
        format!("/v1/tasks/{dropoff}/location"),
        json!({"lat": 48.85, "lng": 2.35, "at": "2030-01-01T09:00:00Z"}),
    )
    .await;
    assert_eq!(app.deliver_live().await, 0);
    let before: Vec<Value> = heard(&app, "track")
        .into_iter()
        .filter(|m| m["type"] == "task.location")
        .collect();
    assert!(before.is_empty(), "{before:?}");

    post(
        format!("/v1/tasks/{dropoff}/events"),
        json!({"type": "started"}),
    )
    .await;
    post(
        format!("/v1/tasks/{dropoff}/location"),
        json!({"lat": 48.86, "lng": 2.36, "at": "2030-01-01T09:01:00Z"}),
    )
    .await;
    // Another order's driver: not this page's.
    let elsewhere = task(&other, "dropoff");
    post(
        format!("/v1/tasks/{elsewhere}/events"),
        json!({"type": "started"}),
    )
    .await;
    post(
        format!("/v1/tasks/{elsewhere}/location"),
        json!({"lat": 1.0, "lng": 1.0, "at": "2030-01-01T09:01:00Z"}),
    )
    .await;
    assert_eq!(app.deliver_live().await, 0);
    let heard = heard(&app, "track");
    let positions: Vec<&Value> = heard
        .iter()
        .filter(|m| m["type"] == "task.location")
        .collect();
    assert_eq!(positions.len(), 1, "{heard:?}");
    assert_eq!(positions[0]["lat"], 48.86);
    assert_eq!(positions[0]["lng"], 2.36);
    assert!(positions[0]["at"]
        .as_str()
        .unwrap()
        .starts_with("2030-01-01T09:01:00"));
    // The page hears its own status, and never an order id, a name or a phone.
    assert!(heard.iter().any(|m| m["type"] == "tracking.changed"));
    let text = serde_json::to_string(&heard).unwrap();
    for secret in ["Driverson", "Sam", "+336", "ord_", "cli_"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

async fn a_page_that_has_gone_is_forgotten(app: TestApp) {
    let (courier, courier_cookie) =
        crate::teams::courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let (rose, _pia) =
        crate::web_pages::client_with_user(&app, &courier, "Rose Florist", "pia@rose.example")
            .await;
    let courier_ticket = ticket(&courier_cookie);
    assert_eq!(
        connect(
            &app,
            "open",
            Some(ORIGIN),
            None,
            &[("ticket", &courier_ticket)]
        )
        .await,
        200
    );
    assert_eq!(
        connect(
            &app,
            "gone",
            Some(ORIGIN),
            None,
            &[("ticket", &courier_ticket)]
        )
        .await,
        200
    );
    std::mem::forget(app.live.open("open"));
    let said = app
        .post(
            "/v1/chat/messages",
            &courier.key,
            json!({"clientId": rose, "text": "Hello"}),
        )
        .await;
    assert_eq!(said.status, 201, "{}", said.text);
    assert_eq!(app.deliver_live().await, 0);
    assert_eq!(heard(&app, "open").len(), 1);
    // "gone" answered 410: both its items are deleted, and the next push skips it.
    let reference = portal::store::keys::live_connection_ref("gone");
    assert!(app.store.get(&reference).await.unwrap().is_none());
    let item = portal::store::keys::live_connection(&courier.id, "gone");
    assert!(app.store.get(&item).await.unwrap().is_none());
    let kept = portal::store::keys::live_connection(&courier.id, "open");
    assert!(app.store.get(&kept).await.unwrap().is_some());
    // $disconnect of the open one deletes it too.
    let ctx = app
        .ctx()
        .wired_for(portal_local::functions::LIVE_CONNECTIONS.needs);
    let answer = handle_route(
        &ctx,
        "$disconnect",
        "open",
        &http::HeaderMap::new(),
        &[],
        ORIGIN,
        None,
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(app.store.get(&kept).await.unwrap().is_none());
    // $default answers a ping.
    let pong = handle_route(
        &ctx,
        "$default",
        "x",
        &http::HeaderMap::new(),
        &[],
        ORIGIN,
        Some(r#"{"type":"ping"}"#),
    )
    .await;
    assert_eq!(pong.body.as_deref(), Some(r#"{"type":"pong"}"#));
}

/// The data attributes of a page's `<div hidden id="live" …>`; `None` when it has none.
fn live_data(html: &str) -> Option<std::collections::HashMap<String, String>> {
    let start = html.find("<div hidden id=\"live\"")?;
    let tag = &html[start..start + html[start..].find('>')?];
    Some(
        tag.split(" data-")
            .skip(1)
            .filter_map(|a| {
                let (name, value) = a.split_once("=\"")?;
                Some((name.to_string(), value.trim_end_matches('"').to_string()))
            })
            .collect(),
    )
}

async fn the_pages_carry_what_live_js_needs_and_nothing_else_does(app: TestApp) {
    use crate::web_pages::{get, post};
    let (courier, courier_cookie) =
        crate::teams::courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let (rose, pia) =
        crate::web_pages::client_with_user(&app, &courier, "Rose Florist", "pia@rose.example")
            .await;
    let order = order_for(&app, &courier.key, &rose).await;
    let order_id = order["id"].as_str().unwrap();
    // Locally (no LIVE_URL) the WebSocket is the portal's own host's /live.
    let base = app.ctx().base_url(&portal::http::ApiRequest {
        base_url: Some(format!("http://{}", crate::web_pages::HOST)),
        ..Default::default()
    });
    let ws = format!("{}/live", base.replacen("http", "ws", 1));
    let pages: Vec<(&str, String, &str, &str, &str, &str)> = vec![
        // who, page, heard, order, client, region
        (
            "pia",
            "/orders".into(),
            "order.created order.changed",
            "",
            "",
            "orders-live",
        ),
        (
            "courier",
            "/orders".into(),
            "order.created order.changed",
            "",
            "",
            "orders-live",
        ),
        (
            "pia",
            format!("/orders/{order_id}"),
            "order.changed",
            order_id,
            "",
            "order-live",
        ),
        (
            "courier",
            format!("/orders/{order_id}"),
            "order.changed",
            order_id,
            "",
            "order-live",
        ),
        (
            "pia",
            "/messages".into(),
            "chat.message",
            "",
            "",
            "chat-live",
        ),
        (
            "courier",
            "/messages".into(),
            "chat.message",
            "",
            "",
            "conversations-live",
        ),
        (
            "courier",
            format!("/messages/{rose}"),
            "chat.message",
            "",
            &rose,
            "chat-live",
        ),
    ];
    for (n, (who, uri, on, only_order, only_client, region)) in pages.iter().enumerate() {
        let cookie = if *who == "pia" { &pia } else { &courier_cookie };
        let page = get(&app, uri, cookie).await;
        assert_eq!(page.status, 200, "{uri}: {}", page.text);
        let data = live_data(&page.text).unwrap_or_else(|| panic!("{who} {uri}: no live data"));
        assert_eq!(data["url"], ws, "{who} {uri}");
        assert_eq!(data["ticket"], ticket(cookie), "{who} {uri}");
        assert_eq!(data["on"], *on, "{who} {uri}");
        assert_eq!(data["order"], *only_order, "{who} {uri}");
        assert_eq!(data["client"], *only_client, "{who} {uri}");
        assert!(!data["said"].is_empty(), "{who} {uri}");
        assert!(
            page.text
                .contains(&format!("id=\"{region}\" data-live-region")),
            "{who} {uri}: no region {region}"
        );
        assert!(
            page.text.contains("role=\"status\" aria-live=\"polite\""),
            "{who} {uri}"
        );
        let version = portal::web::assets::version();
        assert!(
            page.text
                .contains(&format!("<script src=\"/static/{version}/live.js\" defer>")),
            "{who} {uri}"
        );
        // The page's ticket opens its WebSocket.
        let id = format!("page{n}");
        assert_eq!(
            connect(
                &app,
                &id,
                Some(ORIGIN),
                None,
                &[("ticket", &data["ticket"])]
            )
            .await,
            200,
            "{who} {uri}"
        );
    }
    // The live file is served, as JavaScript.
    let js = app
        .raw(
            "GET",
            &format!("/static/{}/live.js", portal::web::assets::version()),
            &[],
            bytes::Bytes::new(),
        )
        .await;
    assert_eq!(js.status, 200);
    assert!(js
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    assert!(js.text.contains("new WebSocket("));
    // Other pages, and a refused form's answer (not a page to fetch again): no live data.
    for uri in ["/settings/user", "/orders/new", "/drafts"] {
        let page = get(&app, uri, &pia).await;
        assert_eq!(page.status, 200, "{uri}");
        assert!(live_data(&page.text).is_none(), "{uri}");
    }
    let refused = post(&app, "/messages", &pia, &[("text", "")]).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(live_data(&refused.text).is_none());
    // The tracking page: its token, the status and positions heard, the script allowed.
    let token = tracking_token(&order);
    let tracking = app
        .raw(
            "GET",
            &format!("/track/{token}"),
            &[("accept", "text/html"), ("host", crate::web_pages::HOST)],
            bytes::Bytes::new(),
        )
        .await;
    assert_eq!(tracking.status, 200, "{}", tracking.text);
    let data = live_data(&tracking.text).expect("the tracking page's live data");
    assert_eq!(data["track"], token);
    assert_eq!(data["on"], "tracking.changed task.location");
    assert!(!data.contains_key("ticket"));
    assert!(tracking
        .text
        .contains("id=\"tracking-live\" data-live-region"));
    assert!(tracking.text.contains("id=\"status\" data-live-region"));
    let policy = tracking.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    assert_eq!(
        connect(
            &app,
            "tracking",
            Some(ORIGIN),
            None,
            &[("track", &data["track"])]
        )
        .await,
        200
    );
}

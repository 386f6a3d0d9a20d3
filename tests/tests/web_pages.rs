//! The web portal's pages and forms beyond sign-in, on both stores: static assets
//! (versioned, immutable, under the JavaScript budget), drafts submitted in bulk and one by
//! one, an order edited and withdrawn from its page, a spreadsheet checked then imported,
//! and the organisation's settings; another client's order, draft or import answers 404.

use bytes::Bytes;
use portal_tests::{on_both_backends, Org, TestApp, TestResponse};
use serde_json::{json, Value};

pub(crate) const HOST: &str = "127.0.0.1:3000";
const PASSWORD: &str = "a long passphrase";

fn origin(app: &TestApp) -> String {
    let req = portal::http::ApiRequest {
        base_url: Some(format!("http://{HOST}")),
        ..Default::default()
    };
    app.ctx().base_url(&req)
}

/// A request from the portal's own pages (same origin), with the session cookie.
pub(crate) async fn page(
    app: &TestApp,
    method: &str,
    uri: &str,
    cookie: &str,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> TestResponse {
    let origin = origin(app);
    let mut headers = vec![
        ("host", HOST),
        ("origin", origin.as_str()),
        ("cookie", cookie),
    ];
    if let Some(content_type) = content_type {
        headers.push(("content-type", content_type));
    }
    app.raw(method, uri, &headers, body.into()).await
}

pub(crate) async fn get(app: &TestApp, uri: &str, cookie: &str) -> TestResponse {
    page(app, "GET", uri, cookie, None, Bytes::new()).await
}

pub(crate) async fn post(
    app: &TestApp,
    uri: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> TestResponse {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    page(
        app,
        "POST",
        uri,
        cookie,
        Some("application/x-www-form-urlencoded"),
        body,
    )
    .await
}

/// A courier and a client (uploads allowed) whose first user signed up on the invitation
/// page: the courier, the client's id, the session cookie.
pub(crate) async fn signed_up(app: &TestApp, name: &str, email: &str) -> (Org, String, String) {
    let courier = app.create_courier(&format!("{name} Couriers")).await;
    let client = client_with_user(app, &courier, name, email).await;
    (courier, client.0, client.1)
}

pub(crate) async fn client_with_user(
    app: &TestApp,
    courier: &Org,
    name: &str,
    email: &str,
) -> (String, String) {
    let created = app
        .post(
            "/v1/clients",
            &courier.key,
            json!({
                "name": name, "email": email, "allowOrderUpload": true,
                "defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon", "postalCode": "69002", "country": "FR"}}
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let client = created.body["id"].as_str().unwrap().to_string();
    app.invite(courier, &client).await;
    let token = portal_tests::token_in(&app.last_email_to(email).text, "/invitations/", "\n");
    let origin = origin(app);
    let accepted = app
        .raw(
            "POST",
            &format!("/invitations/{token}"),
            &[("host", HOST), ("origin", origin.as_str())],
            Bytes::from(format!("name=Pia&password={}", PASSWORD.replace(' ', "+"))),
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.text);
    let cookie = accepted
        .headers
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("__Host-session="))
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .expect("a session cookie");
    (client, cookie)
}

/// An order the courier places for `client` (a draft when `draft`).
async fn order_for(app: &TestApp, courier: &Org, client: &str, name: &str, draft: bool) -> Value {
    let created = app
        .post(
            "/v1/orders",
            &courier.key,
            json!({
                "clientId": client, "draft": draft,
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon", "postalCode": "69002"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris", "country": "FR"},
                            "recipient": {"name": name, "phone": "+33698765432"}},
                "weight": 2, "pieces": 1
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body
}

async fn status_of(app: &TestApp, courier: &Org, id: &str) -> String {
    let got = app.get(&format!("/v1/orders/{id}"), &courier.key).await;
    got.body["status"].as_str().unwrap_or("").to_string()
}

async fn static_assets_are_versioned_and_immutable(app: TestApp) {
    let origin = origin(&app);
    let login = app
        .raw(
            "GET",
            "/login",
            &[("host", HOST), ("origin", &origin)],
            Bytes::new(),
        )
        .await;
    let version = portal_tests::token_in(&login.text, "/static/", "/portal.css");
    assert!(login
        .text
        .contains(&format!("/static/{version}/htmx.min.js")));
    for (file, kind) in [
        ("portal.css", "text/css"),
        ("htmx.min.js", "text/javascript"),
    ] {
        let got = app
            .raw(
                "GET",
                &format!("/static/{version}/{file}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(got.status, 200, "{file}");
        assert!(got.header("content-type").unwrap().starts_with(kind));
        assert_eq!(
            got.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert!(!got.text.is_empty());
    }
    // No page ships more than 100 KB of JavaScript: htmx, the import page's script and the
    // live updates'.
    let js: usize = ["htmx.min.js", "portal.js", "live.js"]
        .iter()
        .map(|f| portal::web::assets::file(f).unwrap().len())
        .sum();
    assert!(js < 100 * 1024, "{js} bytes of JavaScript");
    // Another version's file is not served (nor cached) under its name.
    for uri in [
        "/static/0000000000000000/portal.css",
        &format!("/static/{version}/secret.txt"),
    ] {
        let got = app.raw("GET", uri, &[], Bytes::new()).await;
        assert_eq!(got.status, 404, "{uri}");
        assert_eq!(got.header("cache-control"), Some("no-store"));
    }
}

async fn drafts_are_submitted_in_bulk_and_one_by_one(app: TestApp) {
    let (courier, client, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let (other, other_cookie) =
        client_with_user(&app, &courier, "Thorn", "ops@thorn.example").await;
    let empty = get(&app, "/drafts", &cookie).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert!(empty.text.contains("No drafts"));
    let drafts: Vec<Value> = futures::future::join_all(
        ["Ada Lovelace", "Bob Stone", "Cy Young"]
            .iter()
            .map(|n| order_for(&app, &courier, &client, n, true)),
    )
    .await;
    let theirs = order_for(&app, &courier, &other, "Marie Curie", true).await;
    let listed = get(&app, "/drafts", &cookie).await;
    assert_eq!(listed.status, 200);
    for d in &drafts {
        assert!(listed.text.contains(d["shortId"].as_str().unwrap()));
    }
    assert!(!listed.text.contains("Marie Curie"));
    assert!(listed.text.contains("Submit for delivery"));
    // Nothing checked: the page again, with the message.
    let none = post(&app, "/drafts", &cookie, &[]).await;
    assert_eq!(none.status, 422);
    assert!(none.text.contains("Select from 1 to 500 drafts"));
    // Two of ours and another client's: ours are placed, theirs is not found (and stays).
    let value = |o: &Value| {
        format!(
            "{}:{}",
            o["id"].as_str().unwrap(),
            o["shortId"].as_str().unwrap()
        )
    };
    let (a, b, t) = (value(&drafts[0]), value(&drafts[1]), value(&theirs));
    let submitted = post(
        &app,
        "/drafts",
        &cookie,
        &[
            ("order", a.as_str()),
            ("order", b.as_str()),
            ("order", t.as_str()),
        ],
    )
    .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert!(
        submitted.text.contains("Submitted 2 of 3"),
        "{}",
        submitted.text
    );
    assert!(submitted.text.contains("order not found"));
    for d in &drafts[..2] {
        assert_eq!(
            status_of(&app, &courier, d["id"].as_str().unwrap()).await,
            "placed"
        );
    }
    assert_eq!(
        status_of(&app, &courier, theirs["id"].as_str().unwrap()).await,
        "draft"
    );
    // The last one from its own page.
    let last = drafts[2]["id"].as_str().unwrap();
    let shown = get(&app, &format!("/orders/{last}"), &cookie).await;
    assert!(shown
        .text
        .contains(&format!("action=\"/orders/{last}/finalize\"")));
    let finalized = post(&app, &format!("/orders/{last}/finalize"), &cookie, &[]).await;
    assert_eq!(finalized.status, 303, "{}", finalized.text);
    assert_eq!(status_of(&app, &courier, last).await, "placed");
    let again = post(&app, &format!("/orders/{last}/finalize"), &cookie, &[]).await;
    assert_eq!(again.status, 422);
    // Another client's draft: 404 from its page's form; it stays a draft.
    let id = theirs["id"].as_str().unwrap();
    let refused = post(&app, &format!("/orders/{id}/finalize"), &cookie, &[]).await;
    assert_eq!(refused.status, 404);
    assert_eq!(status_of(&app, &courier, id).await, "draft");
    assert!(get(&app, "/drafts", &other_cookie)
        .await
        .text
        .contains("Marie Curie"));
    // Cross-site: refused.
    let cross = app
        .raw(
            "POST",
            "/drafts",
            &[
                ("host", HOST),
                ("origin", "https://evil.example"),
                ("cookie", &cookie),
            ],
            Bytes::from(format!("order={t}")),
        )
        .await;
    assert_eq!(cross.status, 403);
}

async fn orders_are_edited_and_withdrawn_from_their_page(app: TestApp) {
    let (courier, client, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let (other, _) = client_with_user(&app, &courier, "Thorn", "ops@thorn.example").await;
    let order = order_for(&app, &courier, &client, "Ada Lovelace", false).await;
    let id = order["id"].as_str().unwrap();
    let shown = get(&app, &format!("/orders/{id}"), &cookie).await;
    assert!(shown.text.contains("Edit order") && shown.text.contains("Withdraw order"));
    assert!(shown.text.contains("value=\"Ada Lovelace\""), "prefilled");
    // The form as the page prefills it, the dropoff moved.
    let edit = |version: &'static str, phone: &'static str| {
        vec![
            ("version", version),
            ("pickup_line1", "1 Market St"),
            ("pickup_city", "Lyon"),
            ("pickup_postal_code", "69002"),
            ("dropoff_line1", "2 Quai Claude Bernard"),
            ("dropoff_country", "FR"),
            ("dropoff_city", "Lyon"),
            ("recipient_name", "Ada Lovelace"),
            ("recipient_phone", phone),
            ("weight", "3,5"),
            ("pieces", "2"),
            ("notes", "Ring twice"),
        ]
    };
    // An invalid phone: the page again, the error next to its field.
    let bad = post(
        &app,
        &format!("/orders/{id}/edit"),
        &cookie,
        &edit("1", "12"),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text.contains("id=\"edit_recipient_phone-error\""),
        "{}",
        bad.text
    );
    let saved = post(
        &app,
        &format!("/orders/{id}/edit"),
        &cookie,
        &edit("1", "+33698765432"),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let got = app
        .get(&format!("/v1/orders/{id}"), &courier.key)
        .await
        .body;
    assert_eq!(got["dropoff"]["address"]["line1"], "2 Quai Claude Bernard");
    assert_eq!(got["dropoff"]["address"]["country"], "FR");
    assert_eq!(got["pickup"]["address"]["postalCode"], "69002");
    assert_eq!(
        (got["weight"].clone(), got["pieces"].clone()),
        (json!(3.5), json!(2))
    );
    assert_eq!(got["notes"], "Ring twice");
    // The same form again: a stale version, refused with the order as it is now.
    let stale = post(
        &app,
        &format!("/orders/{id}/edit"),
        &cookie,
        &edit("1", "+33698765432"),
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert!(stale.text.contains("Not saved"));
    // Another client's order: 404 to edit and to withdraw; unchanged.
    let theirs = order_for(&app, &courier, &other, "Marie Curie", false).await;
    let their_id = theirs["id"].as_str().unwrap();
    let v = theirs["version"].to_string();
    let mut form = edit("1", "+33698765432");
    form[0].1 = &v;
    assert_eq!(
        post(&app, &format!("/orders/{their_id}/edit"), &cookie, &form)
            .await
            .status,
        404
    );
    assert_eq!(
        post(&app, &format!("/orders/{their_id}/withdraw"), &cookie, &[])
            .await
            .status,
        404
    );
    assert_eq!(status_of(&app, &courier, their_id).await, "placed");
    // Save and resubmit edits the whole order as its form shows it.
    let rejected = order_for(&app, &courier, &client, "Bob Stone", false).await;
    let rid = rejected["id"].as_str().unwrap();
    let refused = app
        .post(
            &format!("/v1/orders/{rid}/reject"),
            &courier.key,
            json!({"reason": "No such street"}),
        )
        .await;
    assert_eq!(refused.status, 200, "{}", refused.text);
    let resubmitted = post(
        &app,
        &format!("/orders/{rid}/resubmit"),
        &cookie,
        &[
            ("version", "2"),
            ("pickup_line1", "1 Market St"),
            ("dropoff_line1", "5 Rue du Bac"),
            ("dropoff_city", "Paris"),
            ("dropoff_country", "FR"),
            ("recipient_name", "Bob Stone"),
        ],
    )
    .await;
    assert_eq!(resubmitted.status, 303, "{}", resubmitted.text);
    let got = app
        .get(&format!("/v1/orders/{rid}"), &courier.key)
        .await
        .body;
    assert_eq!(
        (
            got["status"].as_str(),
            got["dropoff"]["address"]["line1"].as_str()
        ),
        (Some("placed"), Some("5 Rue du Bac"))
    );
    assert_eq!(got["dropoff"]["address"]["country"], "FR");
    assert_eq!(
        got["dropoff"]["contact"]["phone"],
        json!(null),
        "emptied: removed"
    );
    // Placed again, its page no longer says it is rejected (the timeline still does).
    let shown = get(&app, &format!("/orders/{rid}"), &cookie).await;
    assert!(
        !shown.text.contains("Rejected by the courier:</strong>"),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("Rejected by the courier</strong>"));
    // Withdrawn, once.
    let withdrawn = post(&app, &format!("/orders/{id}/withdraw"), &cookie, &[]).await;
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.text);
    assert_eq!(status_of(&app, &courier, id).await, "withdrawn");
    let page_after = get(&app, &format!("/orders/{id}"), &cookie).await;
    assert!(!page_after.text.contains("Withdraw order") && !page_after.text.contains("Edit order"));
    assert_eq!(
        post(&app, &format!("/orders/{id}/withdraw"), &cookie, &[])
            .await
            .status,
        409
    );
}

pub(crate) fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----portal-test-boundary";
    let mut body = vec![];
    for (name, filename, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) fn hidden(text: &str, name: &str) -> String {
    let html = text
        .split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .expect(name);
    let mut value = html.split('"').next().unwrap().to_string();
    for (entity, c) in [
        ("&#43;", "+"),
        ("&#x2b;", "+"),
        ("&#x2f;", "/"),
        ("&#47;", "/"),
        ("&#61;", "="),
        ("&#x3d;", "="),
    ] {
        value = value.replace(entity, c);
    }
    value
}

async fn a_sheet_is_checked_then_imported(app: TestApp) {
    let (courier, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let (_, other_cookie) = client_with_user(&app, &courier, "Thorn", "ops@thorn.example").await;
    let empty = get(&app, "/imports", &cookie).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert!(empty.text.contains("No imports yet"));
    let sheet = "Address Line 1,City,Recipient Name,Recipient Phone Number,Id\n\
                 2 Quai Claude Bernard,Lyon,Ada Lovelace,+33698765432,A-1\n\
                 ,Lyon,Bob Stone,,A-2\n\
                 3 Rue du Bac,Paris,Cy Young,555-01,A-3\n";
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("file", Some("orders.csv"), sheet.as_bytes()),
    ]);
    let checked = page(&app, "POST", "/imports", &cookie, Some(&kind), body).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    // The preflight table: each error by row and column; nothing saved yet.
    assert!(
        checked.text.contains("<td>3</td><td>Address Line 1</td>"),
        "{}",
        checked.text
    );
    assert!(checked
        .text
        .contains("<td>4</td><td>Recipient Phone Number</td><td>555-01</td>"));
    assert!(checked.text.contains("Import 1 row as drafts"));
    assert!(get(&app, "/drafts", &cookie)
        .await
        .text
        .contains("No drafts"));
    // Commit: the file carried in the hidden field.
    let data = hidden(&checked.text, "file_data");
    let (kind, body) = multipart(&[
        ("step", None, b"commit"),
        ("file_name", None, b"orders.csv"),
        ("file_data", None, data.as_bytes()),
    ]);
    app.clock.travel_to("2026-11-30T12:00:00Z".parse().unwrap());
    let committed = page(&app, "POST", "/imports", &cookie, Some(&kind), body).await;
    assert_eq!(committed.status, 303, "{}", committed.text);
    let location = committed.header("location").unwrap().to_string();
    assert!(location.starts_with("/imports?import=imp_"), "{location}");
    let report = get(&app, &location, &cookie).await;
    assert_eq!(report.status, 200);
    assert!(report.text.contains("Import finished"));
    assert!(report.text.contains("1 new draft,"), "{}", report.text);
    assert!(get(&app, "/drafts", &cookie)
        .await
        .text
        .contains("Ada Lovelace"));
    // Past imports list it; another client's user cannot open it.
    let listed = get(&app, "/imports", &cookie).await;
    assert!(listed.text.contains(&location));
    // When it was made, in the client's time zone (its courier's: Paris).
    assert!(
        listed.text.contains("30 Nov 2026, 13:00"),
        "{}",
        listed.text
    );
    assert_eq!(get(&app, &location, &other_cookie).await.status, 404);
    // No file, or not a sheet: the message next to the file input.
    let (kind, body) = multipart(&[("step", None, b"preflight")]);
    let none = page(&app, "POST", "/imports", &cookie, Some(&kind), body).await;
    assert_eq!(none.status, 422);
    assert!(none.text.contains("id=\"file-error\""));
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("file", Some("notes.pdf"), b"%PDF"),
    ]);
    assert_eq!(
        page(&app, "POST", "/imports", &cookie, Some(&kind), body)
            .await
            .status,
        422
    );
    // A client without uploads: refused with the reason.
    let no_upload = app
        .post(
            "/v1/clients",
            &courier.key,
            json!({"name": "Fern", "email": "fern@example.com"}),
        )
        .await;
    let fern = no_upload.body["id"].as_str().unwrap();
    app.invite(&courier, fern).await;
    let token = portal_tests::token_in(
        &app.last_email_to("fern@example.com").text,
        "/invitations/",
        "\n",
    );
    let origin = origin(&app);
    let accepted = app
        .raw(
            "POST",
            &format!("/invitations/{token}"),
            &[("host", HOST), ("origin", &origin)],
            Bytes::from(format!("name=Fern&password={}", PASSWORD.replace(' ', "+"))),
        )
        .await;
    let fern_cookie = accepted
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("file", Some("orders.csv"), sheet.as_bytes()),
    ]);
    let refused = page(&app, "POST", "/imports", &fern_cookie, Some(&kind), body).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(refused.text.contains("not enabled spreadsheet uploads"));
}

/// A sheet with times of day and no Date: the page lets the person pick the day, else the
/// check uses the next delivery day and says which, and the import keeps that day.
async fn an_import_says_its_delivery_date(app: TestApp) {
    // Monday 7 December 2026, 18:00 in Lyon (before signing in: a session is 12 hours).
    app.clock.travel_to("2026-12-07T17:00:00Z".parse().unwrap());
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let form = get(&app, "/imports", &cookie).await;
    assert!(
        form.text.contains("type=\"date\"") && form.text.contains("name=\"date\""),
        "{}",
        form.text
    );
    let sheet = "Address Line 1,City,Recipient Name,Earliest Time,Latest Time\n\
                 2 Quai Claude Bernard,Lyon,Ada Lovelace,09:00,11:00\n";
    // 18:00 in Lyon, after the sheet's latest time: tomorrow.
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("date", None, b""),
        ("file", Some("orders.csv"), sheet.as_bytes()),
    ]);
    let checked = page(&app, "POST", "/imports", &cookie, Some(&kind), body).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert!(
        checked
            .text
            .contains("Delivery date: Tuesday 8 December 2026"),
        "{}",
        checked.text
    );
    assert!(
        checked.text.contains("Import 1 row as drafts"),
        "{}",
        checked.text
    );
    let data = hidden(&checked.text, "file_data");
    let date = hidden(&checked.text, "date");
    assert_eq!(date, "2026-12-08");
    let (kind, body) = multipart(&[
        ("step", None, b"commit"),
        ("date", None, date.as_bytes()),
        ("file_name", None, b"orders.csv"),
        ("file_data", None, data.as_bytes()),
    ]);
    let committed = page(&app, "POST", "/imports", &cookie, Some(&kind), body).await;
    assert_eq!(committed.status, 303, "{}", committed.text);
    let report = get(&app, committed.header("location").unwrap(), &cookie).await;
    assert!(
        report
            .text
            .contains("Delivery date: Tuesday 8 December 2026"),
        "{}",
        report.text
    );
    // A day picked on the form wins; a wrong one is shown next to the field.
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("date", None, b"2026-12-24"),
        ("file", Some("orders.csv"), sheet.as_bytes()),
    ]);
    let picked = page(&app, "POST", "/imports", &cookie, Some(&kind), body).await;
    assert!(
        picked
            .text
            .contains("Delivery date: Thursday 24 December 2026"),
        "{}",
        picked.text
    );
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("date", None, b"24/12/2026"),
        ("file", Some("orders.csv"), sheet.as_bytes()),
    ]);
    let wrong = page(&app, "POST", "/imports", &cookie, Some(&kind), body).await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(wrong.text.contains("id=\"date-error\""), "{}", wrong.text);
}

/// A file name is a quoted parameter: a `;` or an escaped quote in it is part of the name.
async fn a_file_name_with_a_semicolon_is_read_whole(app: TestApp) {
    let (_, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let sheet = "Address Line 1,City,Recipient Name\n2 Quai Claude Bernard,Lyon,Ada Lovelace\n";
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("file", Some("week 49; Lyon.csv"), sheet.as_bytes()),
    ]);
    let checked = page(&app, "POST", "/imports", &cookie, Some(&kind), body).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert!(
        checked
            .text
            .contains("Check before importing: week 49; Lyon.csv"),
        "{}",
        checked.text
    );
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        (
            "file",
            Some(r#"the \"best\"; orders.csv"#),
            sheet.as_bytes(),
        ),
    ]);
    let quoted = page(&app, "POST", "/imports", &cookie, Some(&kind), body).await;
    assert_eq!(quoted.status, 200, "{}", quoted.text);
    assert!(
        quoted
            .text
            .contains("Check before importing: the &#34;best&#34;; orders.csv"),
        "{}",
        quoted.text
    );
}

async fn organization_settings_round_trip(app: TestApp) {
    let (_, client_id, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let shown = get(&app, "/settings/organization", &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("value=\"Bloom\""));
    // The Client Portal ID, which the courier's track-only sheets name the client by.
    assert!(
        shown
            .text
            .contains(&format!("<code id=\"portal-id\">{client_id}</code>")),
        "{}",
        shown.text
    );
    let form = |phone: &'static str| {
        vec![
            ("name", "Bloom Florists"),
            ("email", "pia@bloom.example"),
            ("phone", phone),
            ("country", "fr"),
            ("timezone", "Europe/Paris"),
            ("units", "imperial"),
            ("logoUrl", "https://cdn.example/bloom.png"),
        ]
    };
    let bad = post(&app, "/settings/organization", &cookie, &form("12")).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("id=\"phone-error\""), "{}", bad.text);
    assert!(
        bad.text.contains("value=\"Bloom Florists\""),
        "what was typed is kept"
    );
    let saved = post(
        &app,
        "/settings/organization",
        &cookie,
        &form("+33612345678"),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let again = get(&app, "/settings/organization?saved=1", &cookie).await;
    for value in [
        "Bloom Florists",
        "+33612345678",
        "FR",
        "Europe/Paris",
        "https://cdn.example/bloom.png",
    ] {
        assert!(
            again.text.contains(&format!("value=\"{value}\"")),
            "{value}"
        );
    }
    assert!(again.text.contains("<option value=\"imperial\" selected>"));
    // A required field emptied: refused next to it.
    let mut empty = form("+33612345678");
    empty[0].1 = "";
    let refused = post(&app, "/settings/organization", &cookie, &empty).await;
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("id=\"name-error\""));
    // Clearing an optional field clears it.
    let mut cleared = form("");
    cleared[6].1 = "";
    assert_eq!(
        post(&app, "/settings/organization", &cookie, &cleared)
            .await
            .status,
        303
    );
    let after = get(&app, "/settings/organization", &cookie).await;
    assert!(
        after
            .text
            .contains("id=\"phone\" name=\"phone\" type=\"tel\" value=\"\""),
        "{}",
        after.text
    );
}

async fn api_keys_and_integrations_from_the_settings(app: TestApp) {
    let (courier, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let (_, other_cookie) = client_with_user(&app, &courier, "Thorn", "ops@thorn.example").await;
    let shown = get(&app, "/settings/api", &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("No API keys yet") && shown.text.contains("No integrations yet"));
    // A new key: its secret on this answer only; it works on the API.
    app.clock.travel_to("2026-11-30T12:00:00Z".parse().unwrap());
    let created = post(&app, "/settings/api/keys", &cookie, &[("label", "Shop")]).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = portal_tests::token_in(&created.text, "id=\"secret-value\">", "<");
    assert!(secret.starts_with("client_sk_"), "{secret}");
    assert_eq!(app.get("/v1/orders", &secret).await.status, 200);
    let again = get(&app, "/settings/api", &cookie).await;
    assert!(!again.text.contains(&secret), "shown once");
    assert!(again.text.contains("Shop"));
    // When it was made, in the client's time zone (its courier's: Paris).
    assert!(again.text.contains("30 Nov 2026, 13:00"), "{}", again.text);
    assert_eq!(iso_timestamp(&visible(&again.text)), None);
    // Another client's user cannot revoke it; its owner can.
    let key_id = portal_tests::token_in(&again.text, "/settings/api/keys/", "/revoke");
    let theirs = post(
        &app,
        &format!("/settings/api/keys/{key_id}/revoke"),
        &other_cookie,
        &[],
    )
    .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(app.get("/v1/orders", &secret).await.status, 200);
    let revoked = post(
        &app,
        &format!("/settings/api/keys/{key_id}/revoke"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(revoked.status, 303);
    assert_eq!(app.get("/v1/orders", &secret).await.status, 401);
    // An integration: Shopify needs the app's secret (the error next to the field); a
    // generic one gets a generated secret and its webhook URL, shown once.
    let refused = post(
        &app,
        "/settings/api/integrations",
        &cookie,
        &[("platform", "shopify"), ("name", "Bloom shop")],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("id=\"secret-error\""));
    assert!(refused.text.contains("value=\"Bloom shop\""));
    let added = post(
        &app,
        "/settings/api/integrations",
        &cookie,
        &[("platform", "generic"), ("name", "ERP")],
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text);
    assert!(portal_tests::token_in(&added.text, "id=\"secret-value\">", "<").starts_with("whsec_"));
    let webhook = portal_tests::token_in(&added.text, "id=\"webhook-url\">", "<");
    assert!(webhook.ends_with("/webhook"), "{webhook}");
    let id = portal_tests::token_in(&added.text, "/settings/api?integration=", "\"");
    let inbox = get(&app, &format!("/settings/api?integration={id}"), &cookie).await;
    assert_eq!(inbox.status, 200);
    assert!(inbox.text.contains("No webhook received yet"));
    // A signed webhook (refused: the courier has not turned integrations on for this client)
    // is in the inbox, and is replayed from it.
    let secret = portal_tests::token_in(&added.text, "id=\"secret-value\">", "<");
    let bad = json!({"dropoff": {"address": {"line1": ""}}}).to_string();
    let now = app.ctx().now().timestamp();
    let headers = crate::integrations::standard_headers(&secret, "msg_1", now, bad.as_bytes());
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let delivered = app
        .raw(
            "POST",
            &format!("/v1/integrations/{id}/webhook"),
            &headers,
            Bytes::from(bad),
        )
        .await;
    assert_eq!(delivered.status, 200, "{}", delivered.text);
    let delivery = delivered.body["id"].as_str().unwrap().to_string();
    let inbox = get(&app, &format!("/settings/api?integration={id}"), &cookie).await;
    assert!(
        inbox.text.contains(&delivery) && inbox.text.contains("<td>valid</td>"),
        "{}",
        inbox.text
    );
    let replay = format!("/settings/api/integrations/{id}/deliveries/{delivery}/replay");
    let replayed = post(&app, &replay, &cookie, &[]).await;
    assert_eq!(replayed.status, 303, "{}", replayed.text);
    let inbox = get(&app, &format!("/settings/api?integration={id}"), &cookie).await;
    assert_eq!(
        inbox.text.matches("aria-label=\"Replay delivery").count(),
        2
    );
    assert_eq!(post(&app, &replay, &other_cookie, &[]).await.status, 404);
    // An unsigned post is listed with its size, without a body to replay: no Replay
    // button, the reason instead, and a replay posted anyway is refused with it.
    let unsigned = app
        .raw(
            "POST",
            &format!("/v1/integrations/{id}/webhook"),
            &[("webhook-id", "msg_2")],
            Bytes::from(vec![b'x'; 150 * 1024]),
        )
        .await;
    assert_eq!(unsigned.status, 401, "{}", unsigned.text);
    let inbox = get(&app, &format!("/settings/api?integration={id}"), &cookie).await;
    assert_eq!(
        inbox.text.matches("aria-label=\"Replay delivery").count(),
        2,
        "{}",
        inbox.text
    );
    assert!(inbox.text.contains("<td>150.0 KB</td>"), "{}", inbox.text);
    let rejected = portal_tests::token_in(&inbox.text, "<tr id=\"delivery-", "\"");
    assert!(
        inbox
            .text
            .contains("Not replayable: the signature failed, so its body was not kept"),
        "{}",
        inbox.text
    );
    let refused = post(
        &app,
        &format!("/settings/api/integrations/{id}/deliveries/{rejected}/replay"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(
        refused
            .text
            .contains("only a delivery whose signature held can be replayed"),
        "{}",
        refused.text
    );
    // Another client's inbox: 404.
    assert_eq!(
        get(
            &app,
            &format!("/settings/api?integration={id}"),
            &other_cookie
        )
        .await
        .status,
        404
    );
}

/// The order form's dropoff window (in the client's time zone) and requirements reach the
/// order; a bad window is shown next to its field; a client with services gets quotes
/// ("Get quotes") and the chosen service is the order's quote. The orders table shows the
/// courier, and the header the client's logo.
async fn the_order_form_sends_window_requirements_and_service(app: TestApp) {
    app.clock.travel_to("2026-11-30T08:00:00Z".parse().unwrap());
    let (courier, client, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let settings = post(
        &app,
        "/settings/organization",
        &cookie,
        &[
            ("name", "Bloom"),
            ("email", "pia@bloom.example"),
            ("phone", ""),
            ("country", "fr"),
            ("timezone", "Europe/Paris"),
            ("units", "metric"),
            ("logoUrl", "https://cdn.example/bloom.png"),
        ],
    )
    .await;
    assert_eq!(settings.status, 303, "{}", settings.text);
    let shown = get(&app, "/orders/new", &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(
        shown.text.contains("Times are in Europe/Paris."),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("type=\"datetime-local\""));
    assert!(
        !shown.text.contains("id=\"services\""),
        "no services, no choice"
    );
    assert!(
        shown
            .text
            .contains("<img class=\"logo\" src=\"https://cdn.example/bloom.png\" alt=\"Bloom\">"),
        "{}",
        shown.text
    );
    // The settings pages carry the same header.
    for path in [
        "/settings/organization",
        "/settings/user",
        "/settings/communications",
        "/settings/tracking-page",
        "/settings/api",
    ] {
        let settings = get(&app, path, &cookie).await;
        assert_eq!(settings.status, 200, "{path}: {}", settings.text);
        assert!(
            settings.text.contains(
                "<img class=\"logo\" src=\"https://cdn.example/bloom.png\" alt=\"Bloom\">"
            ),
            "{path}: the logo in the header"
        );
    }
    let base = |form_id: &'static str| {
        vec![
            ("form_id", form_id),
            ("pickup_line1", "1 Market St"),
            ("pickup_city", "Lyon"),
            ("dropoff_line1", "9 Rue de la Paix"),
            ("dropoff_city", "Paris"),
            ("recipient_name", "Marie Curie"),
            ("recipient_phone", "+33698765432"),
            ("weight", "2"),
            ("pieces", "1"),
        ]
    };
    // A window that ends before it starts: refused, next to "Latest", what was typed kept.
    let mut bad = base("");
    bad.extend([
        ("dropoff_after", "2026-12-01T16:00"),
        ("dropoff_before", "2026-12-01T14:00"),
    ]);
    let refused = post(&app, "/orders", &cookie, &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"dropoff_before-error\""),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("value=\"2026-12-01T16:00\""));
    let mut bad = base("");
    bad.extend([("dropoff_after", "tomorrow"), ("minimum_age", "40")]);
    let refused = post(&app, "/orders", &cookie, &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"dropoff_after-error\""),
        "{}",
        refused.text
    );
    let mut bad = base("");
    bad.push(("minimum_age", "40"));
    let refused = post(&app, "/orders", &cookie, &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"minimum_age-error\""),
        "{}",
        refused.text
    );
    // A good window and requirements reach the order.
    let mut good = base("");
    good.extend([
        ("dropoff_after", "2026-12-01T14:00"),
        ("dropoff_before", "2026-12-01T16:00"),
        ("require_signature", "1"),
        ("require_photo", "1"),
        ("minimum_age", "18"),
    ]);
    let placed = post(&app, "/orders", &cookie, &good).await;
    assert_eq!(placed.status, 303, "{}", placed.text);
    let id = placed
        .header("location")
        .unwrap()
        .trim_start_matches("/orders/");
    let order = app.get(&format!("/v1/orders/{id}"), &courier.key).await;
    assert_eq!(order.status, 200, "{}", order.text);
    let dropoff = &order.body["dropoff"];
    assert_eq!(
        dropoff["window"],
        json!({"completeAfter": "2026-12-01T14:00:00+01:00", "completeBefore": "2026-12-01T16:00:00+01:00"}),
        "{}",
        order.text
    );
    assert_eq!(
        dropoff["requirements"],
        json!({"signature": true, "photo": true, "notes": false, "minimumAge": 18}),
        "{}",
        order.text
    );
    // ... and the order's page shows them.
    let page = get(&app, &format!("/orders/{id}"), &cookie).await;
    assert!(
        page.text
            .contains("<dt>Window</dt><dd>1 Dec 2026, 14:00 – 16:00</dd>"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("<dt>Requirements</dt><dd>signature, photo, recipient aged 18+</dd>"),
        "{}",
        page.text
    );
    // The orders table names the courier.
    let table = get(&app, "/orders", &cookie).await;
    assert!(table
        .text
        .contains("<th scope=\"col\" class=\"wide\">Courier</th>"));
    assert!(
        table
            .text
            .contains("<td data-label=\"Courier\" class=\"wide\">Bloom Couriers</td>"),
        "{}",
        table.text
    );

    // Services: the form offers them, quotes them, and the chosen one is the order's quote.
    let service = app
        .post(
            "/v1/services",
            &courier.key,
            json!({"name": "Same day", "sla": {"kind": "same_day", "hours": 4},
                   "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "23:59"}}),
        )
        .await;
    assert_eq!(service.status, 201, "{}", service.text);
    let service = service.body["id"].as_str().unwrap().to_string();
    let rates = app
        .post(
            "/v1/rate-tables",
            &courier.key,
            json!({"name": "Flat", "currency": "EUR", "base": {"method": "flat", "amount": 2500}}),
        )
        .await;
    assert_eq!(rates.status, 201, "{}", rates.text);
    let given = app
        .call(
            "PUT",
            &format!("/v1/clients/{client}/services"),
            Some(&courier.key),
            Some(json!({"services": [{"serviceId": service, "rateTableId": rates.body["id"]}]})),
        )
        .await;
    assert_eq!(given.status, 200, "{}", given.text);
    let shown = get(&app, "/orders/new", &cookie).await;
    assert!(shown.text.contains("id=\"services\""), "{}", shown.text);
    assert!(shown.text.contains(&format!("value=\"{service}\"")));
    assert!(shown.text.contains("name=\"quote\""), "a Get quotes button");
    let mut asked = base("");
    asked.extend([("dropoff_before", "2026-12-01T16:00"), ("quote", "1")]);
    let quoted = post(&app, "/orders", &cookie, &asked).await;
    assert_eq!(quoted.status, 200, "{}", quoted.text);
    assert!(
        quoted
            .text
            .contains("25.00 EUR, complete by 30 Nov 2026, 13:00"),
        "{}",
        quoted.text
    );
    let mut chosen = base("");
    chosen.push(("service_id", service.as_str()));
    let placed = post(&app, "/orders", &cookie, &chosen).await;
    assert_eq!(placed.status, 303, "{}", placed.text);
    let id = placed
        .header("location")
        .unwrap()
        .trim_start_matches("/orders/");
    let order = app.get(&format!("/v1/orders/{id}"), &courier.key).await;
    assert_eq!(
        order.body["quote"]["serviceId"],
        json!(service),
        "{}",
        order.text
    );
    assert_eq!(order.body["quote"]["price"], 2500);
}

/// `form` with `changes` (each replaces its input's value, or is added).
fn with<'a>(
    form: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut changed = form.to_vec();
    for (name, value) in changes {
        match changed.iter_mut().find(|(n, _)| n == name) {
            Some(input) => input.1 = value,
            None => changed.push((name, value)),
        }
    }
    changed
}

/// The client's time zone for its forms: Europe/Paris.
async fn in_paris(app: &TestApp, cookie: &str) {
    let settings = post(
        app,
        "/settings/organization",
        cookie,
        &[
            ("name", "Bloom"),
            ("email", "pia@bloom.example"),
            ("phone", ""),
            ("country", "fr"),
            ("timezone", "Europe/Paris"),
            ("units", "metric"),
            ("logoUrl", ""),
        ],
    )
    .await;
    assert_eq!(settings.status, 303, "{}", settings.text);
}

/// A courier's service that covers some postcodes only (Paris and Lyon) quotes an order
/// from the web form when its dropoff's postal code is inside, and not when outside: the
/// form has the postal codes (and prefills the depot's, and its country).
async fn a_postcode_service_quotes_web_orders_inside_its_area_only(app: TestApp) {
    app.clock.travel_to("2026-11-30T08:00:00Z".parse().unwrap());
    let (courier, client, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let service = app
        .post(
            "/v1/services",
            &courier.key,
            json!({"name": "Paris and Lyon", "sla": {"kind": "same_day", "hours": 4},
                   "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "23:59"},
                   "area": {"postalCodePrefixes": ["75", "69"]}}),
        )
        .await;
    assert_eq!(service.status, 201, "{}", service.text);
    let service = service.body["id"].as_str().unwrap().to_string();
    let rates = app
        .post(
            "/v1/rate-tables",
            &courier.key,
            json!({"name": "Flat", "currency": "EUR", "base": {"method": "flat", "amount": 2500}}),
        )
        .await;
    let given = app
        .call(
            "PUT",
            &format!("/v1/clients/{client}/services"),
            Some(&courier.key),
            Some(json!({"services": [{"serviceId": service, "rateTableId": rates.body["id"]}]})),
        )
        .await;
    assert_eq!(given.status, 200, "{}", given.text);
    let shown = get(&app, "/orders/new", &cookie).await;
    for prefilled in [
        r#"id="pickup_postal_code" name="pickup_postal_code" type="text" autocomplete="off" value="69002""#,
        r#"id="pickup_country" name="pickup_country" type="text" autocomplete="off" value="FR""#,
        r#"id="dropoff_country" name="dropoff_country" type="text" autocomplete="off" value="FR""#,
        r#"<label for="dropoff_postal_code">Postal code</label>"#,
    ] {
        assert!(
            shown.text.contains(prefilled),
            "{prefilled}: {}",
            shown.text
        );
    }
    let form = [
        ("form_id", ""),
        ("pickup_line1", "1 Market St"),
        ("pickup_city", "Lyon"),
        ("pickup_postal_code", "69002"),
        ("pickup_country", "FR"),
        ("dropoff_line1", "9 Rue de la Paix"),
        ("dropoff_city", "Paris"),
        ("dropoff_postal_code", "75002"),
        ("dropoff_country", "FR"),
        ("recipient_name", "Marie Curie"),
        ("pieces", "1"),
    ];
    let inside = post(&app, "/orders", &cookie, &with(&form, &[("quote", "1")])).await;
    assert_eq!(inside.status, 200, "{}", inside.text);
    assert!(
        inside.text.contains("25.00 EUR, complete by"),
        "{}",
        inside.text
    );
    let outside = with(&form, &[("dropoff_postal_code", "13001"), ("quote", "1")]);
    let outside = post(&app, "/orders", &cookie, &outside).await;
    assert!(
        !outside.text.contains("25.00 EUR") && outside.text.contains("Not available: outside area"),
        "{}",
        outside.text
    );
    let placed = post(&app, "/orders", &cookie, &form).await;
    assert_eq!(placed.status, 303, "{}", placed.text);
    let id = placed
        .header("location")
        .unwrap()
        .trim_start_matches("/orders/");
    let order = app.get(&format!("/v1/orders/{id}"), &courier.key).await;
    assert_eq!(order.body["dropoff"]["address"]["postalCode"], "75002");
    assert_eq!(
        order.body["quote"]["serviceId"],
        json!(service),
        "{}",
        order.text
    );
}

/// An order placed from the form has both stops' full address, the pickup's window and
/// requirements as well as the dropoff's; the edit form changes windows and requirements;
/// a rejected order is corrected (its pickup too) and resubmitted from its page, a bad
/// field shown next to it.
async fn the_whole_order_is_placed_edited_and_resubmitted_from_its_forms(app: TestApp) {
    app.clock.travel_to("2026-11-30T08:00:00Z".parse().unwrap());
    let (courier, _, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    in_paris(&app, &cookie).await;
    let form = [
        ("pickup_unit", "Floor 2"),
        ("pickup_line1", "1 Market St"),
        ("pickup_line2", "Building B"),
        ("pickup_city", "Lyon"),
        ("pickup_state", "Rhône"),
        ("pickup_postal_code", "69002"),
        ("pickup_country", "fr"),
        ("pickup_name", "Ana"),
        ("pickup_after", "2026-12-01T09:00"),
        ("pickup_before", "2026-12-01T10:00"),
        ("pickup_require_signature", "1"),
        ("dropoff_line1", "9 Rue de la Paix"),
        ("dropoff_city", "Paris"),
        ("dropoff_postal_code", "75002"),
        ("dropoff_country", "FR"),
        ("recipient_name", "Marie Curie"),
        ("recipient_phone", "+33698765432"),
        ("dropoff_before", "2026-12-01T16:00"),
        ("require_photo", "1"),
        ("minimum_age", "18"),
        ("weight", "2"),
        ("pieces", "1"),
    ];
    let placed = post(&app, "/orders", &cookie, &with(&form, &[("form_id", "")])).await;
    assert_eq!(placed.status, 303, "{}", placed.text);
    let id = placed
        .header("location")
        .unwrap()
        .trim_start_matches("/orders/")
        .to_string();
    let order = app
        .get(&format!("/v1/orders/{id}"), &courier.key)
        .await
        .body;
    assert_eq!(
        order["pickup"]["address"],
        json!({"unit": "Floor 2", "line1": "1 Market St", "line2": "Building B", "city": "Lyon",
               "state": "Rhône", "postalCode": "69002", "country": "FR"})
    );
    assert_eq!(
        order["pickup"]["window"],
        json!({"completeAfter": "2026-12-01T09:00:00+01:00", "completeBefore": "2026-12-01T10:00:00+01:00"})
    );
    assert_eq!(
        order["pickup"]["requirements"],
        json!({"signature": true, "photo": false, "notes": false})
    );
    assert_eq!(
        (
            order["dropoff"]["address"]["postalCode"].clone(),
            order["dropoff"]["requirements"]["minimumAge"].clone()
        ),
        (json!("75002"), json!(18))
    );
    // The edit form shows all of it, times in the client's zone.
    let page = get(&app, &format!("/orders/{id}"), &cookie).await;
    for shown in [
        r#"id="edit_pickup_after" name="pickup_after" type="datetime-local" autocomplete="off" value="2026-12-01T09:00""#,
        r#"id="edit_pickup_require_signature" name="pickup_require_signature" type="checkbox" value="1" checked"#,
        r#"id="edit_pickup_unit" name="pickup_unit" type="text" autocomplete="off" value="Floor 2""#,
    ] {
        assert!(page.text.contains(shown), "{shown}: {}", page.text);
    }
    // It changes a window and the requirements.
    let edited = with(
        &form,
        &[
            ("version", "1"),
            ("pickup_before", "2026-12-01T11:00"),
            ("pickup_require_signature", ""),
            ("pickup_require_notes", "1"),
            ("minimum_age", ""),
        ],
    );
    let saved = post(&app, &format!("/orders/{id}/edit"), &cookie, &edited).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let order = app
        .get(&format!("/v1/orders/{id}"), &courier.key)
        .await
        .body;
    assert_eq!(
        order["pickup"]["window"]["completeBefore"],
        "2026-12-01T11:00:00+01:00"
    );
    assert_eq!(
        order["pickup"]["requirements"],
        json!({"signature": false, "photo": false, "notes": true})
    );
    assert_eq!(
        order["dropoff"]["requirements"],
        json!({"signature": false, "photo": true, "notes": false})
    );
    // Rejected: corrected on its page, then resubmitted.
    let refused = app
        .post(
            &format!("/v1/orders/{id}/reject"),
            &courier.key,
            json!({"reason": "The depot moved"}),
        )
        .await;
    assert_eq!(refused.status, 200, "{}", refused.text);
    let version = refused.body["version"].to_string();
    let page = get(&app, &format!("/orders/{id}"), &cookie).await;
    assert!(
        page.text.contains("Save and resubmit")
            && page
                .text
                .contains(r#"id="edit_pickup_line1" name="pickup_line1""#)
            && page.text.contains(r#"value="2026-12-01T11:00""#),
        "{}",
        page.text
    );
    let corrected = with(
        &edited,
        &[
            ("version", version.as_str()),
            ("pickup_line1", "3 Rue Mercière"),
        ],
    );
    let bad = with(
        &corrected,
        &[("dropoff_country", "France"), ("pickup_after", "soon")],
    );
    let bad = post(&app, &format!("/orders/{id}/resubmit"), &cookie, &bad).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    for next_to_its_field in [
        r#"aria-invalid="true" aria-describedby="edit_dropoff_country-error""#,
        r#"<p class="error" id="edit_dropoff_country-error">Country must be a two-letter ISO 3166 country code</p>"#,
        r#"aria-invalid="true" aria-describedby="edit_window-hint edit_pickup_after-error""#,
        r#"value="3 Rue Mercière""#,
    ] {
        assert!(
            bad.text.contains(next_to_its_field),
            "{next_to_its_field}: {}",
            bad.text
        );
    }
    assert_eq!(
        status_of(&app, &courier, &id).await,
        "rejected",
        "not resubmitted"
    );
    let resubmitted = post(&app, &format!("/orders/{id}/resubmit"), &cookie, &corrected).await;
    assert_eq!(resubmitted.status, 303, "{}", resubmitted.text);
    let order = app
        .get(&format!("/v1/orders/{id}"), &courier.key)
        .await
        .body;
    assert_eq!(order["status"], "placed");
    assert_eq!(order["pickup"]["address"]["line1"], "3 Rue Mercière");
    assert_eq!(order["pickup"]["address"]["unit"], "Floor 2");
    assert_eq!(order["dropoff"]["address"]["postalCode"], "75002");
}

on_both_backends!(
    static_assets_are_versioned_and_immutable,
    drafts_are_submitted_in_bulk_and_one_by_one,
    orders_are_edited_and_withdrawn_from_their_page,
    a_sheet_is_checked_then_imported,
    an_import_says_its_delivery_date,
    a_file_name_with_a_semicolon_is_read_whole,
    organization_settings_round_trip,
    api_keys_and_integrations_from_the_settings,
    the_order_form_sends_window_requirements_and_service,
    the_orders_page_finds_old_orders_by_date_and_several_statuses,
    the_order_page_speaks_in_words_and_local_times,
    a_postcode_service_quotes_web_orders_inside_its_area_only,
    the_whole_order_is_placed_edited_and_resubmitted_from_its_forms,
);

/// A task event from the courier's dispatch.
async fn task_event(app: &TestApp, courier: &Org, order: &Value, kind: &str, body: Value) {
    let task = order[kind]["id"].as_str().unwrap();
    let response = app
        .post(&format!("/v1/tasks/{task}/events"), &courier.key, body)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
}

/// The text a person reads on a page: the HTML without its tags.
pub(crate) fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// An ISO 8601 timestamp (`2026-01-01T15:42`) in `text`, if any.
pub(crate) fn iso_timestamp(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(16).find_map(|w| {
        let shape = "dddd-dd-ddTdd:dd";
        let fits = w.iter().zip(shape.chars()).all(|(c, s)| match s {
            'd' => c.is_ascii_digit(),
            s => *c == s,
        });
        fits.then(|| w.iter().collect())
    })
}

async fn the_orders_page_finds_old_orders_by_date_and_several_statuses(app: TestApp) {
    let (courier, client, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    // 23:30 in Paris (the client's zone, its courier's) on 2 March is 22:30 UTC.
    app.clock.travel_to("2026-03-02T22:30:00Z".parse().unwrap());
    let old = order_for(&app, &courier, &client, "Old Ada", false).await;
    let old_short = old["shortId"].as_str().unwrap();
    let rejected = app
        .post(
            &format!("/v1/orders/{}/reject", old["id"].as_str().unwrap()),
            &courier.key,
            json!({"reason": "No van that day"}),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    app.clock.travel_to("2026-03-05T09:00:00Z".parse().unwrap());
    let mut newer = vec![];
    for n in 0..50 {
        newer.push(order_for(&app, &courier, &client, &format!("Newer {n}"), false).await);
    }
    // One of them is on its way: the table shows its ETA in the client's time zone.
    let moving = &newer[49];
    task_event(
        &app,
        &courier,
        moving,
        "dropoff",
        json!({"type": "assigned", "driver": {"name": "Sam"}}),
    )
    .await;
    task_event(
        &app,
        &courier,
        moving,
        "dropoff",
        json!({"type": "eta", "eta": "2026-03-06T09:15:00Z"}),
    )
    .await;

    // The first page holds the 50 newer orders; the old one is found by its day, on the
    // client's calendar (2 March in Paris, 22:30 UTC), not hidden behind them.
    let first = get(&app, "/orders", &cookie).await;
    assert!(
        !first.text.contains(old_short),
        "50 newer orders come first"
    );
    assert!(first.text.contains("Next page"));
    let by_day = get(&app, "/orders?from=2026-03-01&to=2026-03-02", &cookie).await;
    assert_eq!(by_day.status, 200, "{}", by_day.text);
    assert!(by_day.text.contains(old_short), "{}", by_day.text);
    assert!(!by_day.text.contains("No order matches"));
    assert!(!by_day.text.contains("Newer 1"), "only that day's orders");
    let utc_day = get(&app, "/orders?from=2026-03-03&to=2026-03-03", &cookie).await;
    assert!(
        !utc_day.text.contains(old_short),
        "3 March is not its day in Paris"
    );
    assert!(utc_day.text.contains("No order matches"));
    // With a search too, and across pages of newer matches.
    let searched = get(&app, "/orders?q=ada&from=2026-03-02", &cookie).await;
    assert!(searched.text.contains(old_short), "{}", searched.text);
    let searched_later = get(&app, "/orders?q=ada&from=2026-03-04", &cookie).await;
    assert!(!searched_later.text.contains(old_short));

    // Several statuses at once (check boxes), and the Active preset.
    let two = get(&app, "/orders?status=rejected&status=withdrawn", &cookie).await;
    assert!(two.text.contains(old_short), "{}", two.text);
    assert!(!two.text.contains("Newer 3"));
    assert!(
        two.text.contains(r#"value="rejected" checked"#),
        "{}",
        two.text
    );
    assert!(two.text.contains(r#"value="withdrawn" checked"#));
    assert!(!two.text.contains(r#"value="placed" checked"#));
    let preset = "/orders?status=placed&#38;status=scheduled&#38;status=in_progress";
    assert!(
        two.text.contains(&format!("href=\"{preset}\"")),
        "{}",
        two.text
    );
    let active = get(&app, &preset.replace("&#38;", "&"), &cookie).await;
    assert_eq!(active.status, 200, "{}", active.text);
    assert!(
        !active.text.contains(old_short),
        "a rejected order is not active"
    );
    assert!(active.text.contains("Newer 49") && active.text.contains("Newer 0"));
    assert!(
        active.text.contains(r#"aria-current="true">Active"#),
        "{}",
        active.text
    );
    assert!(
        active.text.contains("6 Mar 2026, 10:15"),
        "the ETA in Paris time"
    );
    assert!(active.text.contains(">ETA</th>"));
    // 51 orders: a next page, which keeps the filters and holds the old order.
    let many = get(
        &app,
        "/orders?status=placed&status=scheduled&status=rejected",
        &cookie,
    )
    .await;
    assert!(!many.text.contains(old_short));
    let next = many.text.split("class=\"pager\"").nth(1).unwrap_or("");
    let href = next
        .split("href=\"")
        .nth(1)
        .unwrap_or("")
        .split('"')
        .next()
        .unwrap();
    assert!(
        href.contains("status=rejected"),
        "the next page keeps the filters: {href}"
    );
    let second = get(&app, &href.replace("&#38;", "&"), &cookie).await;
    assert!(second.text.contains(old_short), "{}", second.text);

    // Dates that cannot be used are said next to their input.
    let reversed = get(&app, "/orders?from=2026-03-05&to=2026-03-01", &cookie).await;
    assert!(
        reversed.text.contains(r#"id="from-error""#),
        "{}",
        reversed.text
    );
    let bad = get(&app, "/orders?to=soon", &cookie).await;
    assert!(bad.text.contains(r#"id="to-error""#), "{}", bad.text);
    assert!(!bad.text.contains("Newer 1"));
}

async fn the_order_page_speaks_in_words_and_local_times(app: TestApp) {
    let (courier, client, cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    app.clock.travel_to("2026-11-30T12:00:00Z".parse().unwrap());
    let order = order_for(&app, &courier, &client, "Ada Lovelace", false).await;
    let driver = json!({"type": "assigned", "driver": {"name": "Sam"}});
    task_event(&app, &courier, &order, "pickup", driver.clone()).await;
    task_event(&app, &courier, &order, "pickup", json!({"type": "started"})).await;
    task_event(
        &app,
        &courier,
        &order,
        "pickup",
        json!({"type": "completed"}),
    )
    .await;
    task_event(&app, &courier, &order, "dropoff", driver).await;
    task_event(
        &app,
        &courier,
        &order,
        "dropoff",
        json!({"type": "started"}),
    )
    .await;
    task_event(
        &app,
        &courier,
        &order,
        "dropoff",
        json!({"type": "eta", "eta": "2026-11-30T13:30:00Z"}),
    )
    .await;
    task_event(
        &app,
        &courier,
        &order,
        "dropoff",
        json!({"type": "arrived"}),
    )
    .await;
    task_event(
        &app,
        &courier,
        &order,
        "dropoff",
        json!({"type": "completed", "proof": {"signature": "A. Lovelace"}}),
    )
    .await;

    let shown = get(
        &app,
        &format!("/orders/{}", order["id"].as_str().unwrap()),
        &cookie,
    )
    .await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let text = visible(&shown.text);
    for words in [
        "Order placed",
        "Driver assigned to the pickup",
        "Driver on the way to the pickup",
        "Pickup completed",
        "Driver assigned to the dropoff",
        "New arrival time for the dropoff",
        "Driver arrived at the dropoff",
        "Dropoff completed",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(
        shown.text.contains("<dt>State</dt><dd>Completed</dd>"),
        "{}",
        shown.text
    );
    for raw in ["pickup_", "dropoff_", "in_progress", "unassigned"] {
        assert!(!text.contains(raw), "{raw} shown raw: {text}");
    }
    for raw in [">completed<", ">placed<", ">active<", ">assigned<"] {
        assert!(!shown.text.contains(raw), "{raw} shown raw");
    }
    // Every time in the client's zone (its courier's: Paris), never an ISO timestamp.
    assert_eq!(iso_timestamp(&text), None, "{text}");
    assert!(text.contains("30 Nov 2026, 13:00"), "{text}");
    assert!(text.contains("30 Nov 2026, 14:30"), "the ETA: {text}");
}

//! A courier's person on the orders pages, on both stores: every client's orders with the
//! client's name and a client filter, exported as CSV with the client's name; an order
//! rejected after a confirmation step (an empty reason refused next to the field; the
//! client emailed); a task's progress recorded by hand from assignment to completion with
//! proof (the client's page then shows the proof and a human timeline), a refused
//! transition said in words, a failed task; a track-only import with a Client ID column,
//! or one client picked. A client's person gets 404 on the courier's forms (and exports its
//! own orders only); another courier's order is not found; a form from another site is
//! refused.

use bytes::Bytes;
use portal_tests::{on_both_backends, Org, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::team::joined;
use crate::web_pages::{client_with_user, get, hidden, multipart, page, post, HOST};

on_both_backends!(
    a_large_import_shows_its_progress_until_it_is_done,
    an_import_whose_worker_gave_up_ends_failed_with_its_reason,
    the_courier_sees_every_clients_orders_filters_and_exports_them,
    the_courier_rejects_an_order_with_a_reason,
    the_courier_records_progress_to_completion_with_proof,
    a_refused_transition_is_said_in_words_and_a_task_fails,
    the_courier_imports_a_track_only_sheet,
    clients_other_couriers_and_other_sites_are_refused,
);

/// A courier with its own person signed in, and two clients (each with a person): the
/// courier, its cookie, and each client's id and cookie.
struct World {
    app: TestApp,
    courier: Org,
    cookie: String,
    bloom: (String, String),
    thorn: (String, String),
}

async fn world(app: TestApp) -> World {
    let courier = app.create_courier("Swift Couriers").await;
    let (_, cookie) = joined(&app, &courier, "ops@swift.example", "admin").await;
    let bloom = client_with_user(&app, &courier, "Bloom Florist", "pia@bloom.example").await;
    let thorn = client_with_user(&app, &courier, "Thorn Garden", "ops@thorn.example").await;
    World {
        app,
        courier,
        cookie,
        bloom,
        thorn,
    }
}

impl World {
    /// An order the courier places for `client`, for `recipient`.
    async fn order(&self, client: &str, recipient: &str) -> Value {
        let created = self
            .app
            .post(
                "/v1/orders",
                &self.courier.key,
                json!({
                    "clientId": client,
                    "pickup": {"address": {"line1": "1 Market St", "city": "Lyon", "postalCode": "69002"}},
                    "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris", "country": "FR"},
                                "recipient": {"name": recipient, "phone": "+33698765432"}},
                    "weight": 2, "pieces": 1
                }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        created.body
    }

    async fn get(&self, uri: &str) -> TestResponse {
        get(&self.app, uri, &self.cookie).await
    }

    async fn post(&self, uri: &str, form: &[(&str, &str)]) -> TestResponse {
        post(&self.app, uri, &self.cookie, form).await
    }

    /// A task event from the order's page: the answer.
    async fn event(&self, task: &str, form: &[(&str, &str)]) -> TestResponse {
        self.post(&format!("/tasks/{task}/events"), form).await
    }

    async fn status_of(&self, id: &str) -> String {
        let got = self
            .app
            .get(&format!("/v1/orders/{id}"), &self.courier.key)
            .await;
        got.body["status"].as_str().unwrap_or("").to_string()
    }
}

fn str_of<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap()
}

async fn the_courier_sees_every_clients_orders_filters_and_exports_them(app: TestApp) {
    let w = world(app).await;
    w.order(&w.bloom.0, "Ada Lovelace").await;
    w.order(&w.thorn.0, "Bob Stone").await;

    let all = w.get("/orders").await;
    assert_eq!(all.status, 200, "{}", all.text);
    // The Client column with each client's name; no client-only actions.
    assert!(
        all.text.contains("<th scope=\"col\">Client</th>"),
        "{}",
        all.text
    );
    assert!(!all.text.contains("<th scope=\"col\">Courier</th>"));
    assert!(
        all.text
            .contains("<td data-label=\"Client\">Bloom Florist</td>"),
        "{}",
        all.text
    );
    assert!(all
        .text
        .contains("<td data-label=\"Client\">Thorn Garden</td>"));
    assert!(all.text.contains("Ada Lovelace") && all.text.contains("Bob Stone"));
    assert!(!all.text.contains("Place your first order"));
    assert!(
        all.text.contains("Swift Couriers"),
        "the courier in the header"
    );
    // The client filter: a drop-down of the courier's clients.
    assert!(all.text.contains("<select id=\"client\" name=\"client\""));
    assert!(all.text.contains(&format!(
        "<option value=\"{}\">Bloom Florist</option>",
        w.bloom.0
    )));
    assert!(
        all.text.contains("href=\"/orders/export.csv\""),
        "{}",
        all.text
    );

    let bloom_only = w.get(&format!("/orders?client={}", w.bloom.0)).await;
    assert_eq!(bloom_only.status, 200);
    assert!(bloom_only.text.contains("Ada Lovelace"));
    assert!(!bloom_only.text.contains("Bob Stone"));
    assert!(bloom_only.text.contains(&format!(
        "<option value=\"{}\" selected>Bloom Florist</option>",
        w.bloom.0
    )));
    let export_href = format!(
        "href=\"/orders/export.csv?status=placed&#38;client={}\"",
        w.bloom.0
    );
    let placed = w
        .get(&format!("/orders?status=placed&client={}", w.bloom.0))
        .await;
    assert!(placed.text.contains(&export_href), "{}", placed.text);

    // Another courier's client: refused next to the filter.
    let rival = w.app.create_courier("Rival Couriers").await;
    let foreign = w
        .app
        .create_client(&rival, "Not Yours", "x@rival.example")
        .await;
    let refused = w.get(&format!("/orders?client={foreign}")).await;
    assert_eq!(refused.status, 200);
    assert!(
        refused
            .text
            .contains("id=\"client-error\">Client is not one of your clients"),
        "{}",
        refused.text
    );

    // The export: a download, with the client's name.
    let csv = w.get("/orders/export.csv").await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.text.starts_with("order id,short id,client name,"),
        "{}",
        csv.text
    );
    assert!(csv.text.contains("Bloom Florist") && csv.text.contains("Thorn Garden"));
    let one = w
        .get(&format!(
            "/orders/export.csv?status=placed&client={}",
            w.bloom.0
        ))
        .await;
    assert_eq!(one.status, 200);
    assert!(
        one.text.contains("Bloom Florist,placed,Ada Lovelace"),
        "{}",
        one.text
    );
    assert!(!one.text.contains("Thorn Garden"));
    let bad = w.get(&format!("/orders/export.csv?client={foreign}")).await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("id=\"client-error\""));

    // A client's person: its own orders, the Courier column, no client filter; its export
    // holds its own orders only.
    let theirs = get(&w.app, "/orders", &w.bloom.1).await;
    assert!(theirs
        .text
        .contains("<th scope=\"col\" class=\"wide\">Courier</th>"));
    assert!(!theirs.text.contains("name=\"client\""));
    assert!(!theirs.text.contains("Bob Stone"));
    let own = get(
        &w.app,
        &format!("/orders/export.csv?client={}", w.thorn.0),
        &w.bloom.1,
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert!(own.text.contains("Ada Lovelace"));
    assert!(!own.text.contains("Bob Stone"));
}

async fn the_courier_rejects_an_order_with_a_reason(app: TestApp) {
    let w = world(app).await;
    let order = w.order(&w.bloom.0, "Ada Lovelace").await;
    let id = str_of(&order, "/id");
    let short = str_of(&order, "/shortId");

    let shown = w.get(&format!("/orders/{id}")).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("For <strong>Bloom Florist</strong>"));
    assert!(shown.text.contains(&format!(
        "href=\"/orders/{id}?reject=1#confirm-reject\">Reject order</a>"
    )));
    // None of the client's actions.
    for client_only in [
        "Withdraw order",
        "Edit order",
        "Submit for delivery",
        "/withdraw",
    ] {
        assert!(!shown.text.contains(client_only), "{client_only}");
    }
    // The confirmation step asks for the reason.
    let confirm = w.get(&format!("/orders/{id}?reject=1")).await;
    assert!(
        confirm.text.contains("id=\"confirm-reject\""),
        "{}",
        confirm.text
    );
    assert!(confirm
        .text
        .contains("<textarea id=\"reason\" name=\"reason\""));
    assert!(confirm
        .text
        .contains("<button class=\"danger\" type=\"submit\">Reject order</button>"));

    // No reason: refused next to the field, nothing changed.
    let empty = w
        .post(&format!("/orders/{id}/reject"), &[("reason", "  ")])
        .await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    assert!(
        empty.text.contains("aria-describedby=\"reason-error\""),
        "{}",
        empty.text
    );
    assert!(empty
        .text
        .contains("id=\"reason-error\">Reason is required"));
    assert_eq!(w.status_of(id).await, "placed");

    // With a reason (by its short id): rejected, the client emailed through the stream.
    let rejected = w
        .post(
            &format!("/orders/{short}/reject"),
            &[("reason", "No deliveries to Paris on Sundays")],
        )
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.text);
    let location = rejected.header("location").unwrap().to_string();
    assert_eq!(location, format!("/orders/{id}?done=rejected"));
    let after = w.get(&location).await;
    assert!(after
        .text
        .contains("Order rejected. Your client is told by email."));
    assert!(after.text.contains("No deliveries to Paris on Sundays"));
    assert!(!after.text.contains("?reject=1"), "no longer rejectable");
    assert_eq!(w.status_of(id).await, "rejected");
    w.app.deliver_stream().await;
    let email = w.app.last_email_to("pia@bloom.example");
    assert_eq!(
        email.subject,
        format!("Order {short} was rejected by Swift Couriers")
    );
    assert!(email.text.contains("No deliveries to Paris on Sundays"));
    // The client's page says why.
    let theirs = get(&w.app, &format!("/orders/{id}"), &w.bloom.1).await;
    assert!(theirs.text.contains("Rejected by the courier:"));
    assert!(theirs.text.contains("No deliveries to Paris on Sundays"));

    // Again: not rejectable any more, said above the page.
    let again = w
        .post(&format!("/orders/{id}/reject"), &[("reason", "Twice")])
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert!(
        again.text.contains("The order was not rejected:"),
        "{}",
        again.text
    );
}

async fn the_courier_records_progress_to_completion_with_proof(app: TestApp) {
    let w = world(app).await;
    let team = w.app.create_team(&w.courier, "North").await;
    let order = w.order(&w.bloom.0, "Ada Lovelace").await;
    let id = str_of(&order, "/id");
    let pickup = str_of(&order, "/pickup/id");
    let dropoff = str_of(&order, "/dropoff/id");

    let shown = w.get(&format!("/orders/{id}")).await;
    assert!(
        shown
            .text
            .contains(&format!("action=\"/tasks/{pickup}/events\"")),
        "{}",
        shown.text
    );
    assert!(shown
        .text
        .contains("<select id=\"pickup-teamId\" name=\"teamId\""));
    assert!(shown
        .text
        .contains(&format!("<option value=\"{team}\">North</option>")));
    assert!(shown.text.contains("Assign driver"));
    // Only what the state allows: the pickup cannot start before it is assigned.
    assert!(!shown.text.contains("Mark started"));

    // No driver's name: next to the field, what was typed kept.
    let missing = w
        .event(
            pickup,
            &[
                ("type", "assigned"),
                ("driverName", ""),
                ("driverPhone", "+33612345678"),
            ],
        )
        .await;
    assert_eq!(missing.status, 422, "{}", missing.text);
    assert!(missing
        .text
        .contains("id=\"pickup-driverName-error\">Driver's name is required"));
    assert!(missing.text.contains("value=\"+33612345678\""));

    for (task, form, done) in [
        (
            pickup,
            vec![
                ("type", "assigned"),
                ("driverName", "Sam Driver"),
                ("driverPhone", "+33612345678"),
                ("teamId", team.as_str()),
            ],
            "Driver assigned to the pickup.",
        ),
        (
            pickup,
            vec![("type", "started")],
            "Driver on the way to the pickup.",
        ),
        (
            pickup,
            vec![("type", "eta"), ("eta", "2026-12-08T09:30")],
            "New arrival time for the pickup.",
        ),
        (
            pickup,
            vec![("type", "arrived")],
            "Driver arrived at the pickup.",
        ),
        (
            pickup,
            vec![
                ("type", "completed"),
                ("notes", ""),
                ("photoUrls", ""),
                ("signedBy", ""),
            ],
            "Pickup completed.",
        ),
        (
            dropoff,
            vec![
                ("type", "assigned"),
                ("driverName", "Sam Driver"),
                ("teamId", ""),
            ],
            "Driver assigned to the dropoff.",
        ),
        (
            dropoff,
            vec![("type", "started")],
            "Driver on the way to the dropoff.",
        ),
        (
            dropoff,
            vec![("type", "eta"), ("eta", "2026-12-08T11:15")],
            "New arrival time for the dropoff.",
        ),
        (
            dropoff,
            vec![("type", "arrived")],
            "Driver arrived at the dropoff.",
        ),
    ] {
        let answer = w.event(task, &form).await;
        assert_eq!(answer.status, 303, "{form:?}: {}", answer.text);
        let location = answer.header("location").unwrap().to_string();
        assert!(
            location.starts_with(&format!("/orders/{id}?done=")),
            "{location}"
        );
        // The browser keeps the fragment (the task's card) to itself.
        let (location, _) = location.split_once('#').unwrap();
        let after = w.get(location).await;
        assert!(after.text.contains(done), "{done}: {}", after.text);
    }
    // A photo that is not a web address: next to its field.
    let bad_photo = w
        .event(
            dropoff,
            &[
                ("type", "completed"),
                ("photoUrls", "file:///tmp/door.jpg"),
                ("signedBy", "Ada"),
            ],
        )
        .await;
    assert_eq!(bad_photo.status, 422, "{}", bad_photo.text);
    assert!(bad_photo
        .text
        .contains("id=\"dropoff-photoUrls-error\">Photo URLs must be web addresses"));
    let completed = w
        .event(
            dropoff,
            &[
                ("type", "completed"),
                ("notes", "Left with the concierge"),
                (
                    "photoUrls",
                    "https://photos.example/door.jpg\r\nhttps://photos.example/parcel.jpg",
                ),
                ("signedBy", "Ada Lovelace"),
            ],
        )
        .await;
    assert_eq!(completed.status, 303, "{}", completed.text);
    assert_eq!(w.status_of(id).await, "completed");
    let got = w.app.get(&format!("/v1/orders/{id}"), &w.courier.key).await;
    assert_eq!(got.body["pickup"]["teamId"], json!(team));
    assert_eq!(got.body["pickup"]["driver"]["phone"], "+33612345678");
    assert_eq!(
        got.body["dropoff"]["proof"]["photos"],
        json!([
            "https://photos.example/door.jpg",
            "https://photos.example/parcel.jpg"
        ])
    );

    // The client's page: the proof and a timeline in words.
    let theirs = get(&w.app, &format!("/orders/{id}"), &w.bloom.1).await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.text.contains("Proof of delivery"));
    assert!(theirs
        .text
        .contains("Signed by <strong>Ada Lovelace</strong>"));
    assert!(theirs.text.contains("Left with the concierge"));
    assert!(theirs
        .text
        .contains("src=\"https://photos.example/door.jpg\""));
    for words in [
        "Driver assigned to the pickup",
        "Driver on the way to the pickup",
        "Driver arrived at the dropoff",
        "Dropoff completed",
    ] {
        assert!(theirs.text.contains(words), "{words}: {}", theirs.text);
    }
    assert!(!theirs.text.contains("pickup_assigned"));
    assert!(
        !theirs.text.contains("Record progress"),
        "no courier forms for the client"
    );
    // Nothing left to record.
    let done = w.get(&format!("/orders/{id}")).await;
    assert!(!done.text.contains("Record progress"));
}

async fn a_refused_transition_is_said_in_words_and_a_task_fails(app: TestApp) {
    let w = world(app).await;
    let order = w.order(&w.bloom.0, "Ada Lovelace").await;
    let id = str_of(&order, "/id");
    let pickup = str_of(&order, "/pickup/id");
    let assigned = w
        .event(pickup, &[("type", "assigned"), ("driverName", "Sam")])
        .await;
    assert_eq!(assigned.status, 303, "{}", assigned.text);
    // Completed before it started: refused in words above the form.
    let early = w
        .event(
            pickup,
            &[
                ("type", "completed"),
                ("notes", ""),
                ("photoUrls", ""),
                ("signedBy", ""),
            ],
        )
        .await;
    assert_eq!(early.status, 409, "{}", early.text);
    assert!(
        early.text.contains(
            "id=\"pickup-alert\">Pickup cannot be completed now: it is “Driver assigned” and the order is “Scheduled”."
        ),
        "{}",
        early.text
    );
    // A team that is not the courier's: next to the drop-down.
    let rival = w.app.create_courier("Rival Couriers").await;
    let theirs = w.app.create_team(&rival, "South").await;
    let foreign = w
        .event(
            pickup,
            &[
                ("type", "assigned"),
                ("driverName", "Sam"),
                ("teamId", theirs.as_str()),
            ],
        )
        .await;
    assert_eq!(foreign.status, 422, "{}", foreign.text);
    assert!(foreign
        .text
        .contains("id=\"pickup-teamId-error\">Team is not one of your teams"));
    // An unreadable ETA.
    let eta = w
        .event(pickup, &[("type", "eta"), ("eta", "tomorrow")])
        .await;
    assert_eq!(eta.status, 422);
    assert!(eta
        .text
        .contains("id=\"pickup-eta-error\">Estimated arrival must be a date and time"));

    // Failed: a reason is required, then the order has failed.
    let no_reason = w.event(pickup, &[("type", "failed"), ("reason", "")]).await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.text);
    assert!(no_reason
        .text
        .contains("id=\"pickup-reason-error\">Reason is required"));
    let failed = w
        .event(pickup, &[("type", "failed"), ("reason", "Shop closed")])
        .await;
    assert_eq!(failed.status, 303, "{}", failed.text);
    assert_eq!(w.status_of(id).await, "failed");
    let location = failed.header("location").unwrap();
    assert!(location.ends_with("#task-pickup"), "{location}");
    let after = w.get(location.split_once('#').unwrap().0).await;
    assert!(after.text.contains("Pickup failed."), "{}", after.text);
    assert!(after.text.contains("<dt>Failure</dt><dd>Shop closed</dd>"));
    // An event the form does not offer.
    let odd = w.event(pickup, &[("type", "teleported")]).await;
    assert_eq!(odd.status, 422);
}

async fn the_courier_imports_a_track_only_sheet(app: TestApp) {
    let w = world(app).await;
    let form = w.get("/imports").await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(
        form.text.contains("<select id=\"client\" name=\"client\">"),
        "{}",
        form.text
    );
    assert!(form.text.contains("Each row's Client ID column"));
    assert!(form.text.contains(&format!(
        "<option value=\"{}\">Thorn Garden</option>",
        w.thorn.0
    )));

    // No Client ID column and no client picked: said next to the drop-down.
    let plain =
        "Address Line 1,City,Recipient Name,Id\n2 Quai Claude Bernard,Lyon,Ada Lovelace,T-1\n";
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("client", None, b""),
        ("file", Some("orders.csv"), plain.as_bytes()),
    ]);
    let unnamed = page(&w.app, "POST", "/imports", &w.cookie, Some(&kind), body).await;
    assert_eq!(unnamed.status, 422, "{}", unnamed.text);
    assert!(unnamed
        .text
        .contains("id=\"client-error\">Choose the sheet"));

    // A Client ID column: checked, then imported as placed orders of each client.
    let sheet = format!(
        "Client ID,Address Line 1,City,Recipient Name,Id\n{},2 Quai Claude Bernard,Lyon,Ada Lovelace,T-1\n{},3 Rue du Bac,Paris,Bob Stone,T-2\n",
        w.bloom.0, w.thorn.0
    );
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("client", None, b""),
        ("file", Some("tracked.csv"), sheet.as_bytes()),
    ]);
    let checked = page(&w.app, "POST", "/imports", &w.cookie, Some(&kind), body).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert!(
        checked.text.contains("<strong>2</strong> new orders"),
        "{}",
        checked.text
    );
    assert!(checked.text.contains("Import 2 rows</button>"));
    let data = hidden(&checked.text, "file_data");
    let (kind, body) = multipart(&[
        ("step", None, b"commit"),
        ("client", None, b""),
        ("file_name", None, b"tracked.csv"),
        ("file_data", None, data.as_bytes()),
    ]);
    let committed = page(&w.app, "POST", "/imports", &w.cookie, Some(&kind), body).await;
    assert_eq!(committed.status, 303, "{}", committed.text);
    let report = w.get(committed.header("location").unwrap()).await;
    assert!(
        report.text.contains("2 new orders placed"),
        "{}",
        report.text
    );
    let listed = w.get("/orders").await;
    assert!(listed.text.contains("Ada Lovelace") && listed.text.contains("Bob Stone"));
    let bloom = w
        .app
        .get(
            &format!("/v1/orders?clientId={}", w.bloom.0),
            &w.courier.key,
        )
        .await;
    let items = bloom.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", bloom.text);
    assert_eq!(items[0]["status"], "placed");
    assert_eq!(items[0]["source"], "import");

    // One client picked for a sheet without the column.
    let picked = w.thorn.0.clone();
    let (kind, body) = multipart(&[
        ("step", None, b"preflight"),
        ("client", None, picked.as_bytes()),
        (
            "file",
            Some("orders.csv"),
            plain.replace("T-1", "T-9").as_bytes(),
        ),
    ]);
    let checked = page(&w.app, "POST", "/imports", &w.cookie, Some(&kind), body).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert!(
        checked.text.contains("<strong>1</strong> new orders"),
        "{}",
        checked.text
    );
    assert!(checked.text.contains(&format!(
        "<input type=\"hidden\" name=\"client\" value=\"{picked}\">"
    )));
}

async fn clients_other_couriers_and_other_sites_are_refused(app: TestApp) {
    let w = world(app).await;
    let order = w.order(&w.bloom.0, "Ada Lovelace").await;
    let id = str_of(&order, "/id");
    let pickup = str_of(&order, "/pickup/id");

    // A client's person: no courier form, and the page has none of the courier's actions.
    let client = &w.bloom.1;
    let reject = post(
        &w.app,
        &format!("/orders/{id}/reject"),
        client,
        &[("reason", "Mine")],
    )
    .await;
    assert_eq!(reject.status, 404, "{}", reject.text);
    let event = post(
        &w.app,
        &format!("/tasks/{pickup}/events"),
        client,
        &[("type", "assigned"), ("driverName", "Me")],
    )
    .await;
    assert_eq!(event.status, 404, "{}", event.text);
    let theirs = get(&w.app, &format!("/orders/{id}"), client).await;
    assert!(!theirs.text.contains("Reject order"));
    assert!(!theirs.text.contains("Record progress"));
    assert_eq!(w.status_of(id).await, "placed");

    // Another courier's person: the order and its task are not found.
    let rival = w.app.create_courier("Rival Couriers").await;
    let (_, rival_cookie) = joined(&w.app, &rival, "ops@rival.example", "admin").await;
    assert_eq!(
        get(&w.app, &format!("/orders/{id}"), &rival_cookie)
            .await
            .status,
        404
    );
    assert_eq!(
        post(
            &w.app,
            &format!("/orders/{id}/reject"),
            &rival_cookie,
            &[("reason", "x")]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        post(
            &w.app,
            &format!("/tasks/{pickup}/events"),
            &rival_cookie,
            &[("type", "started")]
        )
        .await
        .status,
        404
    );
    let rival_csv = get(&w.app, "/orders/export.csv", &rival_cookie).await;
    assert!(!rival_csv.text.contains("Ada Lovelace"));
    // A task id that is not one.
    assert_eq!(
        w.event("tsk_nope_pickup", &[("type", "started")])
            .await
            .status,
        404
    );

    // A form from another site: refused, nothing changed.
    for (uri, form) in [
        (format!("/orders/{id}/reject"), "reason=Spam"),
        (
            format!("/tasks/{pickup}/events"),
            "type=assigned&driverName=Eve",
        ),
    ] {
        let cross = w
            .app
            .raw(
                "POST",
                &uri,
                &[
                    ("host", HOST),
                    ("cookie", w.cookie.as_str()),
                    ("sec-fetch-site", "cross-site"),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                Bytes::from(form),
            )
            .await;
        assert_eq!(cross.status, 403, "{uri}: {}", cross.text);
    }
    assert_eq!(w.status_of(id).await, "placed");
    // Not signed in: to sign in.
    let anonymous = w
        .app
        .raw("GET", "/orders/export.csv", &[("host", HOST)], Bytes::new())
        .await;
    assert_eq!(anonymous.status, 303);
}

/// A sheet past the inline threshold: the imports page shows a progress bar (with its text)
/// and reloads itself while the worker writes the rows, then the finished report.
async fn a_large_import_shows_its_progress_until_it_is_done(app: TestApp) {
    use portal::imports::worker::{advance, Step};
    let w = world(app).await;
    let rows = portal::imports::INLINE_ROWS + 1;
    let mut sheet = String::from("Address Line 1,City,Id\n");
    for n in 0..rows {
        sheet.push_str(&format!("{n} Rue Longue,Lyon,L-{n}\n"));
    }
    let auth = format!("Bearer {}", w.courier.key);
    let started = w
        .app
        .raw(
            "POST",
            &format!("/v1/imports?clientId={}", w.bloom.0),
            &[("authorization", &auth), ("content-type", "text/csv")],
            Bytes::from(sheet),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    let id = started.body["id"].as_str().unwrap().to_string();
    let running = w.get(&format!("/imports?import={id}")).await;
    assert_eq!(running.status, 200, "{}", running.text);
    assert!(
        running.text.contains(&format!(
            r#"<progress id="import-progress" max="{rows}" value="0">"#
        )),
        "{}",
        running.text
    );
    assert!(running.text.contains(&format!("0 of {rows} rows written")));
    assert!(running
        .text
        .contains(r#"<meta http-equiv="refresh" content="3">"#));
    let listed = w.get("/imports").await;
    assert!(
        listed
            .text
            .contains(&format!("Importing: 0 of {rows} rows")),
        "{}",
        listed.text
    );

    let ctx = w
        .app
        .ctx()
        .wired_for(portal_local::functions::IMPORT_WORKER.needs);
    let key = portal::imports::record::summary_key(&w.courier.id, &id);
    while let Step::Wrote(_) = advance(&ctx, &key).await.unwrap() {}
    let done = w.get(&format!("/imports?import={id}")).await;
    assert!(done.text.contains("Import finished"), "{}", done.text);
    assert!(
        done.text.contains(&format!("{rows} new orders placed")),
        "{}",
        done.text
    );
    assert!(!done.text.contains("http-equiv=\"refresh\""));
    assert!(!done.text.contains("<progress id=\"import-progress\""));
}

/// A large import whose worker fails every retry (a step dies part-way, then nothing more):
/// once no step has been recorded for longer than its stream keeps a record, its GET, the
/// list and its page say it failed, why, and what to do; the rows of its recorded steps
/// stay; the worker, invoked again, writes nothing; a later step cannot revive it.
async fn an_import_whose_worker_gave_up_ends_failed_with_its_reason(app: TestApp) {
    use portal::imports::record::{STALLED_AFTER_MINUTES, STALLED_REASON};
    use portal::imports::worker::{advance, advance_or_stop, Step, SLICE};
    let w = world(app).await;
    let rows = 2 * SLICE;
    let mut sheet = String::from("Address Line 1,City,Id\n");
    for n in 0..rows {
        sheet.push_str(&format!("{n} Rue Longue,Lyon,L-{n}\n"));
    }
    let auth = format!("Bearer {}", w.courier.key);
    let started = w
        .app
        .raw(
            "POST",
            &format!("/v1/imports?clientId={}", w.bloom.0),
            &[("authorization", &auth), ("content-type", "text/csv")],
            Bytes::from(sheet),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    let id = started.body["id"].as_str().unwrap().to_string();
    let ctx = w
        .app
        .ctx()
        .wired_for(portal_local::functions::IMPORT_WORKER.needs);
    let key = portal::imports::record::summary_key(&w.courier.id, &id);
    assert!(matches!(advance(&ctx, &key).await.unwrap(), Step::Wrote(_)));
    // The second step dies part-way, on every attempt; the stream gives up on it.
    assert!(advance_or_stop(&ctx, &key, Some(10)).await.is_err());
    // Not yet: a step may still be retried.
    w.app
        .clock
        .advance(chrono::Duration::minutes(STALLED_AFTER_MINUTES - 5));
    assert_eq!(fetch(&w, &id).await.body["status"], "running");

    w.app.clock.advance(chrono::Duration::minutes(10));
    let failed = fetch(&w, &id).await;
    assert_eq!(failed.status, 200, "{}", failed.text);
    assert_eq!(failed.body["status"], "failed", "{}", failed.text);
    assert_eq!(failed.body["failure"], STALLED_REASON);
    assert_eq!(
        failed.body["progress"],
        json!({"written": SLICE, "total": rows})
    );
    assert_eq!(failed.body["counts"]["placed"], SLICE);
    let listed = w.app.get("/v1/imports", &w.courier.key).await;
    assert_eq!(
        listed.body["items"][0]["status"], "failed",
        "{}",
        listed.text
    );
    assert_eq!(listed.body["items"][0]["failure"], STALLED_REASON);
    // Its page (a fresh session: the old one idled out meanwhile).
    let (_, cookie) = joined(&w.app, &w.courier, "lead@swift.example", "admin").await;
    let page = get(&w.app, &format!("/imports?import={id}"), &cookie).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Import stopped"), "{}", page.text);
    assert!(page.text.contains("upload the same file again"));
    assert!(!page.text.contains("http-equiv=\"refresh\""));
    let list = get(&w.app, "/imports", &cookie).await;
    assert!(
        list.text
            .contains(&format!("Stopped: {SLICE} of {rows} rows written")),
        "{}",
        list.text
    );
    // The worker, invoked again (a redelivered record), writes nothing more.
    assert_eq!(advance(&ctx, &key).await.unwrap(), Step::Idle);
    assert_eq!(fetch(&w, &id).await.body["status"], "failed");
}

/// `GET /v1/imports/{id}` with the courier's key.
async fn fetch(w: &World, id: &str) -> TestResponse {
    w.app
        .get(&format!("/v1/imports/{id}"), &w.courier.key)
        .await
}

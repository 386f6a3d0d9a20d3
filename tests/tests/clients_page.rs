//! The courier's Clients pages (`/clients`, `/clients/new`, `/clients/{clientId}`), on both
//! stores: a client created with a depot and an auto-assign team (a bad field refused next
//! to it), edited (a new email pending until confirmed), invited and re-invited (the
//! invitation in the outbox), given its services, deleted after a confirmation step (its
//! person can no longer sign in), its integrations read and a refused delivery replayed
//! from their inbox; a client's person and another courier find nothing here,
//! and a form from another site is refused.

use portal_tests::{on_both_backends, Org, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::team::joined;
use crate::web_sessions::{credentials, page, signed_up, PASSWORD};

on_both_backends!(
    a_courier_creates_edits_and_lists_a_client,
    a_client_is_invited_reinvited_and_deleted_after_confirmation,
    a_clients_services_are_set_as_pairs,
    a_clients_integrations_and_inbox_with_replay,
    clients_pages_are_the_couriers_own,
    a_clients_orders_are_counted,
);

async fn post(app: &TestApp, uri: &str, cookie: &str, fields: &[(&str, &str)]) -> TestResponse {
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    page(app, "POST", uri, Some(cookie), &form).await
}

async fn get(app: &TestApp, uri: &str, cookie: &str) -> TestResponse {
    page(app, "GET", uri, Some(cookie), "").await
}

/// A courier and its signed-in admin's cookie.
async fn courier_signed_in(app: &TestApp, name: &str, email: &str) -> (Org, String) {
    let courier = app.create_courier(name).await;
    let (_, cookie) = joined(app, &courier, email, "admin").await;
    (courier, cookie)
}

/// The client page's form as it was shown, with `changes` over it.
fn client_fields<'a>(version: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("version", version),
        ("name", "Bloom Florist"),
        ("email", "orders@bloom.example"),
        ("allow_order_upload", "on"),
        ("pickup_line1", "1 Place Bellecour"),
        ("pickup_city", "Lyon"),
        ("pickup_postal_code", "69002"),
        ("pickup_country", "FR"),
        ("pickup_name", "Depot desk"),
        ("pickup_phone", "+33612345678"),
        ("service_selection", "cheapest"),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

async fn client_json(app: &TestApp, courier: &Org, id: &str) -> Value {
    let got = app.get(&format!("/v1/clients/{id}"), &courier.key).await;
    assert_eq!(got.status, 200, "{}", got.text);
    got.body
}

async fn a_courier_creates_edits_and_lists_a_client(app: TestApp) {
    let (courier, cookie) = courier_signed_in(&app, "Swift Couriers", "ana@swift.example").await;
    let north = app.create_team(&courier, "North").await;

    let list = get(&app, "/clients", &cookie).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains("No clients yet."));
    assert!(list.text.contains("href=\"/clients/new\">New client</a>"));

    let new = get(&app, "/clients/new", &cookie).await;
    assert_eq!(new.status, 200, "{}", new.text);
    assert!(
        new.text.contains("Swift Couriers</"),
        "the courier's name in the header"
    );
    let none_at = new
        .text
        .find("<option value=\"\" selected>None</option>")
        .expect("None first, chosen");
    let north_at = new
        .text
        .find(&format!("<option value=\"{north}\">North</option>"))
        .expect("the team offered");
    assert!(none_at < north_at);
    for name in [
        "pickup_unit",
        "pickup_line2",
        "pickup_state",
        "pickup_postal_code",
        "pickup_country",
    ] {
        assert!(new.text.contains(&format!("name=\"{name}\"")), "{name}");
    }

    // A bad email and a depot without its first line: each next to its field, what was
    // typed kept; nothing created.
    let bad = post(
        &app,
        "/clients",
        &cookie,
        &[
            ("name", "Bloom Florist"),
            ("email", "orders-at-bloom"),
            ("pickup_city", "Lyon"),
            ("auto_assign_team_id", &north),
        ],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text
            .contains("id=\"email-error\">Email must be a valid email address"),
        "{}",
        bad.text
    );
    assert!(bad.text.contains("aria-describedby=\"email-error\""));
    assert!(bad
        .text
        .contains("id=\"pickup_line1-error\">Address line 1 is required"));
    assert!(bad.text.contains("value=\"orders-at-bloom\""));
    assert!(bad.text.contains(&format!(
        "<option value=\"{north}\" selected>North</option>"
    )));
    assert_eq!(
        app.get("/v1/clients", &courier.key).await.body["items"],
        json!([])
    );

    // Created with its depot and team: to its page, with a notice.
    let mut fields = client_fields("", &[("auto_assign_team_id", &north)]);
    fields.retain(|(n, _)| *n != "version");
    let created = post(&app, "/clients", &cookie, &fields).await;
    assert_eq!(created.status, 303, "{}", created.text);
    let location = created.header("location").unwrap().to_string();
    let id = location
        .strip_prefix("/clients/")
        .and_then(|rest| rest.strip_suffix("?done=created"))
        .unwrap_or_else(|| panic!("{location}"))
        .to_string();
    let shown = get(&app, &location, &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("Client created."), "{}", shown.text);
    assert!(shown.text.contains("<h1>Bloom Florist</h1>"));
    assert!(shown
        .text
        .contains(&format!("id=\"client-portal-id\">{id}</code>")));
    assert!(shown.text.contains("Pending (not invited yet)"));
    assert!(shown.text.contains("value=\"1 Place Bellecour\""));
    assert!(shown.text.contains(&format!(
        "<option value=\"{north}\" selected>North</option>"
    )));
    assert!(shown.text.contains("<option value=\"cheapest\" selected>"));
    assert!(shown.text.contains(">Invite</button>"));
    let saved = client_json(&app, &courier, &id).await;
    assert_eq!(saved["autoAssignTeamId"], json!(north));
    assert_eq!(saved["allowOrderUpload"], true);
    assert_eq!(saved["integrationsEnabled"], false);
    assert_eq!(saved["serviceSelection"], "cheapest");
    assert_eq!(
        saved["defaultPickup"],
        json!({"address": {"line1": "1 Place Bellecour", "city": "Lyon", "postalCode": "69002", "country": "FR"},
               "contact": {"name": "Depot desk", "phone": "+33612345678"}})
    );

    // The same email again: another client's, next to the field.
    let taken = post(
        &app,
        "/clients",
        &cookie,
        &[("name", "Other"), ("email", "ORDERS@bloom.example")],
    )
    .await;
    assert_eq!(taken.status, 409, "{}", taken.text);
    assert!(taken
        .text
        .contains("id=\"email-error\">Email is already another client"));

    // Edited: renamed, no team, integrations on, the depot's second line; a bad phone
    // refused next to it first.
    let version = saved["version"].to_string();
    let bad_phone = post(
        &app,
        &format!("/clients/{id}"),
        &cookie,
        &client_fields(&version, &[("pickup_phone", "call me")]),
    )
    .await;
    assert_eq!(bad_phone.status, 422, "{}", bad_phone.text);
    assert!(
        bad_phone
            .text
            .contains("id=\"pickup_phone-error\">Contact phone "),
        "{}",
        bad_phone.text
    );
    assert!(bad_phone.text.contains("value=\"call me\""));
    let edited = post(
        &app,
        &format!("/clients/{id}"),
        &cookie,
        &client_fields(
            &version,
            &[
                ("name", "Bloom Florist Lyon"),
                ("auto_assign_team_id", ""),
                ("integrations_enabled", "on"),
                ("pickup_line2", "Back door"),
            ],
        ),
    )
    .await;
    assert_eq!(edited.status, 303, "{}", edited.text);
    assert_eq!(
        edited.header("location"),
        Some(format!("/clients/{id}?done=saved").as_str())
    );
    let saved = client_json(&app, &courier, &id).await;
    assert_eq!(saved["name"], "Bloom Florist Lyon");
    assert!(saved.get("autoAssignTeamId").is_none(), "{saved}");
    assert_eq!(saved["integrationsEnabled"], true);
    assert_eq!(saved["defaultPickup"]["address"]["line2"], "Back door");
    // The team is free again: it can be deleted.
    let freed = app
        .call(
            "DELETE",
            &format!("/v1/teams/{north}"),
            Some(&courier.key),
            None,
        )
        .await;
    assert!((200..300).contains(&freed.status), "{}", freed.text);

    // A stale form (the version read before the edit) is refused above the form.
    let stale = post(
        &app,
        &format!("/clients/{id}"),
        &cookie,
        &client_fields(&version, &[("name", "Late")]),
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert!(
        stale.text.contains("id=\"client-alert\">Not saved: "),
        "{}",
        stale.text
    );

    // A new email waits for its owner to confirm it: the page and the API show it pending,
    // the confirmation is in the outbox.
    let version = saved["version"].to_string();
    let changed = post(
        &app,
        &format!("/clients/{id}"),
        &cookie,
        &client_fields(
            &version,
            &[
                ("name", "Bloom Florist Lyon"),
                ("integrations_enabled", "on"),
                ("pickup_line2", "Back door"),
                ("email", "desk@bloom.example"),
            ],
        ),
    )
    .await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    let saved = client_json(&app, &courier, &id).await;
    assert_eq!(saved["email"], "orders@bloom.example");
    assert_eq!(saved["pendingEmail"], "desk@bloom.example");
    let mail = app.last_email_to("desk@bloom.example");
    assert!(
        mail.text.contains("/email-confirmations/") || mail.text.contains("confirm"),
        "{}",
        mail.text
    );
    let shown = get(&app, &format!("/clients/{id}?done=saved"), &cookie).await;
    assert!(
        shown.text.contains("Pending: desk@bloom.example"),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("value=\"orders@bloom.example\""));
    // Saving the form again as shown keeps the change pending.
    let version = saved["version"].to_string();
    let again = post(
        &app,
        &format!("/clients/{id}"),
        &cookie,
        &client_fields(
            &version,
            &[
                ("name", "Bloom Florist Lyon"),
                ("integrations_enabled", "on"),
                ("pickup_line2", "Back door"),
            ],
        ),
    )
    .await;
    assert_eq!(again.status, 303, "{}", again.text);
    assert_eq!(
        client_json(&app, &courier, &id).await["pendingEmail"],
        "desk@bloom.example"
    );

    // The list: the name linked, the status in words, the pending email.
    let list = get(&app, "/clients", &cookie).await;
    assert_eq!(list.status, 200);
    assert!(
        list.text
            .contains(&format!("<a href=\"/clients/{id}\">Bloom Florist Lyon</a>")),
        "{}",
        list.text
    );
    assert!(list
        .text
        .contains("<td data-label=\"Status\">Pending (not invited yet)</td>"));
    assert!(list
        .text
        .contains("desk@bloom.example <span class=\"hint\">(not confirmed yet)</span>"));
    assert!(!list.text.contains("pending</td>"));
    // Each client's orders are one click away: the orders page filtered on it.
    assert!(list
        .text
        .contains(&format!("<a href=\"/orders?client={id}\">No orders<span")));
    let page = get(&app, &format!("/clients/{id}"), &cookie).await;
    assert!(
        page.text.contains(&format!(
            "<a href=\"/orders?client={id}\">Bloom Florist Lyon's orders</a>"
        )),
        "{}",
        page.text
    );
}

async fn a_client_is_invited_reinvited_and_deleted_after_confirmation(app: TestApp) {
    // A client whose person signed up, and another one only created.
    let (courier, bloom, bloom_cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let (_, cookie) = joined(&app, &courier, "ana@bloom-couriers.example", "admin").await;
    let thorn = app
        .create_client(&courier, "Thorn", "ops@thorn.example")
        .await;

    let shown = get(&app, &format!("/clients/{thorn}"), &cookie).await;
    assert!(shown.text.contains(">Invite</button>"), "{}", shown.text);
    let invited = post(&app, &format!("/clients/{thorn}/invitation"), &cookie, &[]).await;
    assert_eq!(invited.status, 303, "{}", invited.text);
    assert_eq!(
        invited.header("location"),
        Some(format!("/clients/{thorn}?done=invited").as_str())
    );
    let first = app.last_email_to("ops@thorn.example");
    assert!(first.text.contains("/invitations/"), "{}", first.text);
    assert!(
        first.text.contains(&thorn),
        "the Client Portal ID in the mail"
    );
    let shown = get(&app, &format!("/clients/{thorn}?done=invited"), &cookie).await;
    assert!(shown.text.contains("Invitation sent."));
    assert!(shown.text.contains("id=\"client-status\">Invited</dd>"));
    assert!(shown.text.contains(">Re-invite</button>"));
    let reinvited = post(&app, &format!("/clients/{thorn}/invitation"), &cookie, &[]).await;
    assert_eq!(reinvited.status, 303, "{}", reinvited.text);
    let mails: Vec<_> = app
        .emails()
        .into_iter()
        .filter(|e| e.to.as_str() == "ops@thorn.example")
        .collect();
    assert_eq!(mails.len(), 2);
    assert_ne!(mails[0].text, mails[1].text, "a new link");

    // An active client has no Invite; inviting it anyway is refused above the page.
    let active = get(&app, &format!("/clients/{bloom}"), &cookie).await;
    assert!(active.text.contains("id=\"client-status\">Active</dd>"));
    assert!(
        !active.text.contains(">Invite</button>") && !active.text.contains(">Re-invite</button>")
    );
    let refused = post(&app, &format!("/clients/{bloom}/invitation"), &cookie, &[]).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(
        refused
            .text
            .contains("Not invited: The client has already accepted an invitation."),
        "{}",
        refused.text
    );

    // Deleted after a confirmation step: its person can no longer sign in.
    let confirm = get(&app, &format!("/clients/{bloom}?delete=1"), &cookie).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.text.contains("id=\"confirm-delete\""));
    assert!(confirm
        .text
        .contains(&format!("action=\"/clients/{bloom}/delete\"")));
    assert!(confirm.text.contains("Delete client Bloom</button>"));
    assert!(!active.text.contains("id=\"confirm-delete\""));
    let deleted = post(&app, &format!("/clients/{bloom}/delete"), &cookie, &[]).await;
    assert_eq!(deleted.status, 303, "{}", deleted.text);
    assert_eq!(deleted.header("location"), Some("/clients?done=deleted"));
    let list = get(&app, "/clients?done=deleted", &cookie).await;
    assert!(list.text.contains("Client deleted."));
    assert!(list.text.contains("<td data-label=\"Status\">Deleted</td>"));
    assert_eq!(
        client_json(&app, &courier, &bloom).await["status"],
        "deleted"
    );
    assert_eq!(
        page(&app, "GET", "/orders", Some(&bloom_cookie), "")
            .await
            .status,
        303
    );
    let sign_in = page(
        &app,
        "POST",
        "/login",
        None,
        &credentials("pia@bloom.example", PASSWORD),
    )
    .await;
    assert_eq!(sign_in.status, 401);
    // A deleted client's page says so and offers nothing to change.
    let gone = get(&app, &format!("/clients/{bloom}"), &cookie).await;
    assert_eq!(gone.status, 200);
    assert!(gone.text.contains("This client is deleted"));
    assert!(!gone.text.contains("Save changes"));
}

async fn a_clients_services_are_set_as_pairs(app: TestApp) {
    let (courier, cookie) = courier_signed_in(&app, "Swift Couriers", "ana@swift.example").await;
    let client = app
        .create_client(&courier, "Bloom", "orders@bloom.example")
        .await;
    let uri = format!("/clients/{client}");
    let none = get(&app, &uri, &cookie).await;
    assert!(none.text.contains("No services"), "{}", none.text);
    assert!(none
        .text
        .contains("Create a service and a rate table first"));

    let mut ids = vec![];
    for (path, body) in [
        (
            "/v1/services",
            json!({"name": "Express", "sla": {"kind": "same_day", "hours": 2},
            "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "20:00"}}),
        ),
        (
            "/v1/services",
            json!({"name": "Next day", "sla": {"kind": "next_day", "by": "12:00"},
            "availability": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "18:00"}}),
        ),
        (
            "/v1/rate-tables",
            json!({"name": "Flat", "currency": "EUR", "base": {"method": "flat", "amount": 2500}}),
        ),
        (
            "/v1/rate-tables",
            json!({"name": "Dollars", "currency": "USD", "base": {"method": "flat", "amount": 900}}),
        ),
    ] {
        let created = app.post(path, &courier.key, body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        ids.push(created.body["id"].as_str().unwrap().to_string());
    }
    let (express, next_day, flat, dollars) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    let form = get(&app, &uri, &cookie).await;
    assert!(
        form.text
            .contains("<label for=\"service-0\">Service 1</label>"),
        "{}",
        form.text
    );
    assert!(form
        .text
        .contains(&format!("<option value=\"{express}\">Express</option>")));
    assert!(form
        .text
        .contains(&format!("<option value=\"{flat}\">Flat (EUR)</option>")));

    // A half-filled row, then two currencies: refused above the form.
    let half = post(
        &app,
        &format!("{uri}/services"),
        &cookie,
        &[("service_0", express), ("rate_table_0", "")],
    )
    .await;
    assert_eq!(half.status, 422, "{}", half.text);
    assert!(
        half.text
            .contains("id=\"services-error\">Row 1: choose a rate table"),
        "{}",
        half.text
    );
    let mixed = post(
        &app,
        &format!("{uri}/services"),
        &cookie,
        &[
            ("service_0", express),
            ("rate_table_0", flat),
            ("service_1", next_day),
            ("rate_table_1", dollars),
        ],
    )
    .await;
    assert_eq!(mixed.status, 422, "{}", mixed.text);
    assert!(
        mixed.text.contains("must all be in one currency"),
        "{}",
        mixed.text
    );
    assert!(
        mixed
            .text
            .contains(&format!("<option value=\"{dollars}\" selected>")),
        "what was chosen stays chosen"
    );

    let set = post(
        &app,
        &format!("{uri}/services"),
        &cookie,
        &[
            ("service_0", express),
            ("rate_table_0", flat),
            ("service_1", next_day),
            ("rate_table_1", flat),
            ("service_2", ""),
            ("rate_table_2", ""),
        ],
    )
    .await;
    assert_eq!(set.status, 303, "{}", set.text);
    assert_eq!(
        set.header("location"),
        Some(format!("{uri}?done=services#services").as_str())
    );
    let pairs = app
        .get(&format!("/v1/clients/{client}/services"), &courier.key)
        .await;
    assert_eq!(
        pairs.body["services"],
        json!([
            {"serviceId": express, "rateTableId": flat, "serviceName": "Express", "rateTableName": "Flat"},
            {"serviceId": next_day, "rateTableId": flat, "serviceName": "Next day", "rateTableName": "Flat"},
        ])
    );
    let shown = get(&app, &format!("{uri}?done=services"), &cookie).await;
    assert!(shown.text.contains("Services saved."));
    assert!(
        shown
            .text
            .contains("<tr><td>Express</td><td>Flat</td></tr>"),
        "{}",
        shown.text
    );
    assert!(shown.text.contains(&format!(
        "<option value=\"{next_day}\" selected>Next day</option>"
    )));
    let list = get(&app, "/clients", &cookie).await;
    assert!(
        list.text.contains("<td data-label=\"Services\">2</td>"),
        "{}",
        list.text
    );

    // Every row on None: no services.
    let cleared = post(
        &app,
        &format!("{uri}/services"),
        &cookie,
        &[("service_0", ""), ("rate_table_0", "")],
    )
    .await;
    assert_eq!(cleared.status, 303, "{}", cleared.text);
    let pairs = app
        .get(&format!("/v1/clients/{client}/services"), &courier.key)
        .await;
    assert_eq!(pairs.body["services"], json!([]));
}

async fn clients_pages_are_the_couriers_own(app: TestApp) {
    let (courier, bloom, bloom_cookie) = signed_up(&app, "Bloom", "pia@bloom.example").await;
    let (_, cookie) = joined(&app, &courier, "ana@bloom-couriers.example", "admin").await;
    let (_, other_cookie) = courier_signed_in(&app, "Rapid Couriers", "ops@rapid.example").await;

    // A client's person: none of the pages, none of the forms.
    for uri in [
        "/clients".to_string(),
        "/clients/new".into(),
        format!("/clients/{bloom}"),
    ] {
        let r = get(&app, &uri, &bloom_cookie).await;
        assert_eq!(r.status, 404, "{uri}: {}", r.text);
    }
    // Another courier: not its client.
    let r = get(&app, &format!("/clients/{bloom}"), &other_cookie).await;
    assert_eq!(r.status, 404);
    assert!(!r.text.contains("pia@bloom.example"));
    assert!(!get(&app, "/clients", &other_cookie)
        .await
        .text
        .contains("Bloom"));
    for (who, cookie_of) in [("client", &bloom_cookie), ("other courier", &other_cookie)] {
        for (uri, fields) in [
            (
                "/clients".to_string(),
                vec![("name", "Sneaky"), ("email", "s@sneaky.example")],
            ),
            (format!("/clients/{bloom}"), client_fields("1", &[])),
            (format!("/clients/{bloom}/invitation"), vec![]),
            (format!("/clients/{bloom}/delete"), vec![]),
            (format!("/clients/{bloom}/services"), vec![]),
        ] {
            if who == "other courier" && uri == "/clients" {
                continue;
            }
            let r = post(&app, &uri, cookie_of, &fields).await;
            assert_eq!(r.status, 404, "{who} {uri}: {}", r.text);
        }
    }
    assert_eq!(
        client_json(&app, &courier, &bloom).await["status"],
        "active"
    );
    assert_eq!(client_json(&app, &courier, &bloom).await["name"], "Bloom");

    // Not signed in: to sign in.
    let anonymous = page(&app, "GET", "/clients", None, "").await;
    assert_eq!(
        (anonymous.status, anonymous.header("location")),
        (303, Some("/login"))
    );

    // From another site: refused, nothing deleted.
    let cross = app
        .raw(
            "POST",
            &format!("/clients/{bloom}/delete"),
            &[
                ("host", crate::web_pages::HOST),
                ("origin", "https://evil.example"),
                ("cookie", &cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            bytes::Bytes::new(),
        )
        .await;
    assert_eq!(cross.status, 403);
    assert!(cross.text.contains("Request refused"), "{}", cross.text);
    assert_eq!(
        client_json(&app, &courier, &bloom).await["status"],
        "active"
    );
}

async fn a_clients_integrations_and_inbox_with_replay(app: TestApp) {
    let (courier, cookie) = courier_signed_in(&app, "Swift Couriers", "ana@swift.example").await;
    let client = app
        .onboard_client(&courier, "Bloom", "orders@bloom.example")
        .await;
    let created = app
        .post(
            "/v1/integrations",
            &client.key,
            json!({"platform": "generic", "name": "ERP"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let integration = created.body["id"].as_str().unwrap().to_string();
    let secret = created.body["secret"].as_str().unwrap().to_string();
    let uri = format!("/clients/{}", client.id);
    let listed = get(&app, &uri, &cookie).await;
    assert!(
        listed.text.contains(&format!(
            "id=\"integration-{integration}\"><td>ERP</td><td>Generic webhook</td><td>Active</td>"
        )),
        "{}",
        listed.text
    );
    assert!(listed
        .text
        .contains(&format!("/v1/integrations/{integration}/webhook</code>")));
    assert!(listed
        .text
        .contains("Integrations are off for this client."));

    // A shop order while the client's integrations are off: refused, in the inbox.
    let body = json!({
        "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"}, "recipient": {"name": "Marie Curie", "phone": "+33698765432"}},
        "externalId": "ERP-1"
    })
    .to_string();
    let now = app.ctx().now().timestamp();
    let headers = crate::integrations::standard_headers(&secret, "msg_1", now, body.as_bytes());
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = app
        .raw(
            "POST",
            &format!("/v1/integrations/{integration}/webhook"),
            &headers,
            bytes::Bytes::from(body),
        )
        .await;
    assert_eq!(refused.body["outcome"], "refused", "{}", refused.text);
    let delivery = refused.body["id"].as_str().unwrap().to_string();
    let inbox = get(&app, &format!("{uri}?integration={integration}"), &cookie).await;
    assert_eq!(inbox.status, 200);
    assert!(
        inbox.text.contains("id=\"inbox\">Inbox of ERP</h3>"),
        "{}",
        inbox.text
    );
    assert!(inbox.text.contains(&format!("id=\"delivery-{delivery}\"")));
    assert!(inbox.text.contains("<td>Refused</td>"));
    let replay = format!("{uri}/integrations/{integration}/deliveries/{delivery}/replay");
    assert!(inbox.text.contains(&format!("action=\"{replay}\"")));

    // The courier turns integrations on (with a depot, the orders' pickup), then replays
    // it: an order.
    let on = post(
        &app,
        &uri,
        &cookie,
        &[
            ("name", "Bloom"),
            ("email", "orders@bloom.example"),
            ("integrations_enabled", "on"),
            ("pickup_line1", "1 Market St"),
            ("pickup_city", "Lyon"),
        ],
    )
    .await;
    assert_eq!(on.status, 303, "{}", on.text);
    let replayed = post(&app, &replay, &cookie, &[]).await;
    assert_eq!(replayed.status, 303, "{}", replayed.text);
    assert_eq!(
        replayed.header("location"),
        Some(format!("{uri}?integration={integration}&done=replayed#inbox").as_str())
    );
    let after = get(
        &app,
        &format!("{uri}?integration={integration}&done=replayed"),
        &cookie,
    )
    .await;
    assert!(after.text.contains("Delivery replayed"));
    assert!(after.text.contains("<td>Created</td>"), "{}", after.text);
    let orders = app.get("/v1/orders", &client.key).await;
    assert_eq!(
        orders.body["items"][0]["externalId"], "ERP-1",
        "{}",
        orders.text
    );

    // Another client's integration is not this client's inbox, nor replayed through it.
    let other = app
        .create_client(&courier, "Thorn", "ops@thorn.example")
        .await;
    let elsewhere = post(
        &app,
        &format!("/clients/{other}/integrations/{integration}/deliveries/{delivery}/replay"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.text);
    let not_shown = get(
        &app,
        &format!("/clients/{other}?integration={integration}"),
        &cookie,
    )
    .await;
    assert!(!not_shown.text.contains("Inbox of ERP"));
}

/// An order as the client's API key sends it (the client has no default pickup).
fn an_order(reference: &str) -> Value {
    json!({
        "pickup": {"address": {"line1": "1 Market St", "city": "Lyon", "country": "FR"}, "contact": {"name": "Ana", "phone": "+33612345678"}},
        "dropoff": {
            "address": {"line1": "9 Rue de la Paix", "city": "Paris", "postalCode": "75002"},
            "recipient": {"name": "Marie", "phone": "+33698765432"}
        },
        "externalId": reference
    })
}

/// Each order placed for a client counts once on it — an idempotent retry and a refused
/// order do not — and the clients list and the client's page say how many; the count moves
/// without making the client's document stale.
async fn a_clients_orders_are_counted(app: TestApp) {
    let (courier, cookie) = courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let read_before = client_json(&app, &courier, &client.id).await;
    assert_eq!(read_before["orderCount"], 0, "{read_before}");
    let list = get(&app, "/clients", &cookie).await;
    assert!(list.text.contains("No orders"), "{}", list.text);

    // Two orders one after the other, one sent three times with the same Idempotency-Key.
    for reference in ["A-1", "A-2"] {
        let created = app
            .post("/v1/orders", &client.key, an_order(reference))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let bearer = format!("Bearer {}", client.key);
    for _ in 0..3 {
        let sent = app
            .raw(
                "POST",
                "/v1/orders",
                &[
                    ("authorization", bearer.as_str()),
                    ("idempotency-key", "retry-once-please"),
                ],
                an_order("A-3").to_string().into(),
            )
            .await;
        assert_eq!(sent.status, 201, "{}", sent.text);
    }
    // Four at the same time.
    let together = futures::future::join_all(
        ["B-1", "B-2", "B-3", "B-4"].map(|r| app.post("/v1/orders", &client.key, an_order(r))),
    )
    .await;
    assert!(together.iter().all(|r| r.status == 201));
    // A refused order (no dropoff) counts nothing.
    let refused = app
        .post("/v1/orders", &client.key, json!({"externalId": "bad"}))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);

    let read = client_json(&app, &courier, &client.id).await;
    assert_eq!(read["orderCount"], 7, "{read}");
    assert_eq!(
        read["version"], read_before["version"],
        "a count is not an edit"
    );
    let list = get(&app, "/clients", &cookie).await;
    assert!(list.text.contains(">7 orders<"), "{}", list.text);
    let one = get(&app, &format!("/clients/{}", client.id), &cookie).await;
    assert!(one.text.contains("(7 orders)"), "{}", one.text);

    // The document read before the orders can still be sent back with a change.
    let mut sent_back = read_before.clone();
    sent_back["name"] = json!("Bloom & Co");
    let patched = app
        .call(
            "PATCH",
            &format!("/v1/clients/{}", client.id),
            Some(&courier.key),
            Some(sent_back),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["orderCount"], 7, "{}", patched.text);
}

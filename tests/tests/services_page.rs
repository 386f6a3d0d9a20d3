//! Services & rates (`/services`, `/rate-tables`), on both stores: the courier's person
//! creates a service with its area and hours (a bad field refused next to it), edits it (a
//! stale edit says so), creates and edits a rate table; deletes one in use (refused, the
//! clients named) and one not in use after the confirmation step; **Try a quote** shows a
//! price and a refusal in words. A client's person finds none of these pages, nor another
//! courier's service; a form from another site is refused.

use portal_tests::{on_both_backends, Org, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::team::joined;
use crate::web_pages::signed_up;
use crate::web_sessions::page;

on_both_backends!(
    a_service_is_created_with_its_area_and_hours_and_edited,
    a_rate_table_is_created_and_edited,
    deleting_names_the_clients_of_one_in_use_and_deletes_one_not_in_use,
    try_a_quote_shows_a_price_and_a_refusal_in_words,
    a_clients_person_and_another_courier_find_nothing_here,
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
async fn courier(app: &TestApp, name: &str) -> (Org, String) {
    let courier = app.create_courier(name).await;
    let email = format!("ops@{}.example", name.to_lowercase().replace(' ', "-"));
    let (_, cookie) = joined(app, &courier, &email, "admin").await;
    (courier, cookie)
}

const SERVICE: &[(&str, &str)] = &[
    ("name", "Same day"),
    ("slaKind", "same_day"),
    ("slaHours", "4"),
    ("slaBy", "12:00"),
    ("days", "mon"),
    ("days", "tue"),
    ("days", "wed"),
    ("days", "thu"),
    ("days", "fri"),
    ("from", "08:00"),
    ("to", "18:00"),
    ("cutoff", "16:00"),
    ("holidays", "2026-12-25\n2026-12-24"),
    ("areaKind", "postcodes"),
    ("postalCodePrefixes", "941\n75 0"),
    ("maxWeightKg", "20"),
    ("maxPieces", "5"),
];

/// `SERVICE` with some fields replaced (and others added).
fn with<'a>(
    base: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> = base
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .copied()
        .collect();
    fields.extend_from_slice(changes);
    fields
}

/// The id of the item named `name` of a list of the API.
async fn id_named(app: &TestApp, org: &Org, list: &str, name: &str) -> String {
    let listed = app.get(list, &org.key).await;
    listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("{name} in {}", listed.text))
        .to_string()
}

async fn a_service_is_created_with_its_area_and_hours_and_edited(app: TestApp) {
    let (swift, cookie) = courier(&app, "Swift Couriers").await;
    let empty = get(&app, "/services", &cookie).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert!(empty.text.contains("<h1>Services &amp; rates</h1>"));
    assert!(empty.text.contains("No services yet."));
    assert!(empty.text.contains("href=\"/services/new\""));
    assert!(empty.text.contains("href=\"/rate-tables/new\""));
    assert!(empty.text.contains("Swift Couriers</"), "the courier named");
    let new = get(&app, "/services/new", &cookie).await;
    assert_eq!(new.status, 200, "{}", new.text);
    assert!(new.text.contains("<h1>New service</h1>"));

    // Bad fields: each next to its input, what was typed kept.
    let bad = post(
        &app,
        "/services",
        &cookie,
        &with(
            SERVICE,
            &[
                ("name", " "),
                ("slaHours", "30"),
                ("holidays", "25/12/2026"),
                ("to", "07:00"),
            ],
        ),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text.contains("id=\"name-error\">Name is required"),
        "{}",
        bad.text
    );
    assert!(bad
        .text
        .contains("id=\"slaHours-error\">Hours must be a number of hours from 1 to 24"));
    assert!(bad.text.contains("id=\"holidays-error\">Holidays line 1"));
    assert!(bad
        .text
        .contains("id=\"to-error\">Closes at must be later than the opening time"));
    assert!(bad
        .text
        .contains("aria-describedby=\"slaHours-hint slaHours-error\""));
    assert!(bad.text.contains("value=\"30\""));
    assert!(app.get("/v1/services", &swift.key).await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());

    // Created with its area, days and hours, cutoff, holidays and limits.
    let created = post(&app, "/services", &cookie, SERVICE).await;
    assert_eq!(created.status, 303, "{}", created.text);
    let location = created.header("location").unwrap().to_string();
    assert_eq!(location, "/services?done=service-created");
    let listed = get(&app, &location, &cookie).await;
    assert!(listed.text.contains("Service created."), "{}", listed.text);
    for words in [
        "Same day, within 4 hours",
        "Monday to Friday, 08:00 to 18:00",
        "Orders ready after 16:00 start the next service day",
        "24 Dec 2026, 25 Dec 2026",
        "Postal codes starting with 941, 750",
        "Up to 20 kg, up to 5 pieces",
    ] {
        assert!(listed.text.contains(words), "{words}: {}", listed.text);
    }
    let id = id_named(&app, &swift, "/v1/services", "Same day").await;
    let stored = app.get(&format!("/v1/services/{id}"), &swift.key).await;
    assert_eq!(
        stored.body["area"],
        json!({"postalCodePrefixes": ["941", "750"]})
    );
    assert_eq!(
        stored.body["availability"],
        json!({"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "18:00"})
    );
    assert_eq!(stored.body["cutoff"], "16:00");
    assert_eq!(stored.body["holidays"], json!(["2026-12-24", "2026-12-25"]));
    assert_eq!(stored.body["sla"], json!({"kind": "same_day", "hours": 4}));
    assert_eq!(stored.body["maxPieces"], 5);
    assert!(listed.text.contains(&format!("href=\"/services/{id}\"")));

    // Its page is its form, filled in.
    let shown = get(&app, &format!("/services/{id}"), &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("<h1>Service Same day</h1>"));
    assert!(shown.text.contains("value=\"Same day\""));
    assert!(shown.text.contains("value=\"fri\" checked"));
    assert!(!shown.text.contains("value=\"sat\" checked"));
    assert!(shown.text.contains("value=\"postcodes\" checked"));
    assert!(shown.text.contains(">941\n750</textarea>"));
    assert!(shown.text.contains("name=\"version\" value=\"1\""));

    // Edited at the version shown: next day by 12:00, anywhere, every day.
    let mut edit = with(
        SERVICE,
        &[
            ("name", "Next day"),
            ("slaKind", "next_day"),
            ("areaKind", "anywhere"),
            ("cutoff", ""),
            ("maxWeightKg", ""),
            ("version", "1"),
        ],
    );
    edit.push(("days", "sat"));
    let saved = post(&app, &format!("/services/{id}"), &cookie, &edit).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(
        saved.header("location"),
        Some("/services?done=service-saved")
    );
    let stored = app.get(&format!("/v1/services/{id}"), &swift.key).await;
    assert_eq!(stored.body["version"], 2);
    assert_eq!(stored.body["name"], "Next day");
    assert_eq!(
        stored.body["sla"],
        json!({"kind": "next_day", "by": "12:00"})
    );
    assert_eq!(stored.body.get("area"), None);
    assert_eq!(stored.body.get("cutoff"), None);
    assert_eq!(stored.body.get("maxWeightKg"), None);
    assert_eq!(
        stored.body["availability"]["days"],
        json!(["mon", "tue", "wed", "thu", "fri", "sat"])
    );
    let listed = get(&app, "/services?done=service-saved", &cookie).await;
    assert!(listed.text.contains("Service saved."));
    assert!(listed.text.contains("Next service day, by 12:00"));
    assert!(listed.text.contains("Monday to Saturday, 08:00 to 18:00"));
    assert!(listed.text.contains("<td>Anywhere</td>"));

    // A stale edit (read at version 1): said above the form, what was typed kept, nothing
    // saved.
    let stale = post(
        &app,
        &format!("/services/{id}"),
        &cookie,
        &with(&edit, &[("name", "Stale name")]),
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert!(
        stale
            .text
            .contains("changed by someone else since you opened it"),
        "{}",
        stale.text
    );
    assert!(stale.text.contains("value=\"Stale name\""));
    let stored = app.get(&format!("/v1/services/{id}"), &swift.key).await;
    assert_eq!(stored.body["name"], "Next day");
}

const RATES: &[(&str, &str)] = &[
    ("name", "Standard"),
    ("currency", "USD"),
    ("baseMethod", "distance"),
    ("baseAmount", "1.20"),
    (
        "modifiers",
        "weight over 5 kg: 2.00 + 0.50 per kg\npieces over 3: 1.50",
    ),
    ("minPrice", "5"),
    ("maxPrice", ""),
];

async fn a_rate_table_is_created_and_edited(app: TestApp) {
    let (swift, cookie) = courier(&app, "Swift Couriers").await;
    let redirected = get(&app, "/rate-tables", &cookie).await;
    assert_eq!(redirected.status, 303);
    assert_eq!(redirected.header("location"), Some("/services#rate-tables"));
    let new = get(&app, "/rate-tables/new", &cookie).await;
    assert_eq!(new.status, 200, "{}", new.text);
    assert!(new.text.contains("<h1>New rate table</h1>"));

    let bad = post(
        &app,
        "/rate-tables",
        &cookie,
        &with(
            RATES,
            &[
                ("currency", "Dollars"),
                ("baseAmount", "1.234"),
                ("modifiers", "heavier than 5: 2"),
                ("minPrice", "ten"),
            ],
        ),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad
        .text
        .contains("id=\"currency-error\">Currency must be an ISO 4217"));
    assert!(bad
        .text
        .contains("id=\"baseAmount-error\">Base amount must be an amount"));
    assert!(bad.text.contains("id=\"modifiers-error\">Modifiers line 1"));
    assert!(bad
        .text
        .contains("id=\"minPrice-error\">Minimum price must be an amount"));
    // A minimum above the maximum: the use case's check, next to the minimum.
    let inverted = post(
        &app,
        "/rate-tables",
        &cookie,
        &with(RATES, &[("minPrice", "10"), ("maxPrice", "5")]),
    )
    .await;
    assert_eq!(inverted.status, 422, "{}", inverted.text);
    assert!(inverted
        .text
        .contains("id=\"minPrice-error\">Minimum price must not be above maxPrice"));

    let created = post(&app, "/rate-tables", &cookie, RATES).await;
    assert_eq!(created.status, 303, "{}", created.text);
    assert_eq!(
        created.header("location"),
        Some("/services?done=rate-table-created")
    );
    let listed = get(&app, "/services?done=rate-table-created", &cookie).await;
    for words in [
        "Rate table created.",
        "1.20 USD per km",
        "weight over 5 kg: 2.00 + 0.50 per kg; pieces over 3 pieces: 1.50",
        "At least 5.00 USD",
        "<td>USD</td>",
    ] {
        assert!(listed.text.contains(words), "{words}: {}", listed.text);
    }
    let id = id_named(&app, &swift, "/v1/rate-tables", "Standard").await;
    let stored = app.get(&format!("/v1/rate-tables/{id}"), &swift.key).await;
    assert_eq!(
        stored.body["base"],
        json!({"method": "distance", "amount": 120})
    );
    assert_eq!(
        stored.body["modifiers"],
        json!([
            {"when": "weight_over", "threshold": 5.0, "amount": 200, "amountPerUnit": 50},
            {"when": "pieces_over", "threshold": 3.0, "amount": 150}
        ])
    );
    assert_eq!(stored.body["minPrice"], 500);

    let shown = get(&app, &format!("/rate-tables/{id}"), &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("<h1>Rate table Standard</h1>"));
    assert!(shown.text.contains("value=\"1.20\""));
    assert!(shown.text.contains("value=\"distance\" selected"));

    let edit = with(
        RATES,
        &[
            ("baseMethod", "flat"),
            ("baseAmount", "12.50"),
            ("modifiers", ""),
            ("maxPrice", "40"),
            ("version", "1"),
        ],
    );
    let saved = post(&app, &format!("/rate-tables/{id}"), &cookie, &edit).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let stored = app.get(&format!("/v1/rate-tables/{id}"), &swift.key).await;
    assert_eq!(
        stored.body["base"],
        json!({"method": "flat", "amount": 1250})
    );
    assert_eq!(stored.body["modifiers"], json!([]));
    assert_eq!(stored.body["maxPrice"], 4000);
    assert_eq!(stored.body["version"], 2);
    let stale = post(&app, &format!("/rate-tables/{id}"), &cookie, &edit).await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert!(stale
        .text
        .contains("changed by someone else since you opened it"));
}

/// A service and a rate table made over the API, given to `client` (as its one pair).
async fn priced(
    app: &TestApp,
    org: &Org,
    client: &str,
    name: &str,
    prefix: &str,
    amount: u64,
) -> (String, String) {
    let service = app
        .post(
            "/v1/services",
            &org.key,
            json!({"name": name, "sla": {"kind": "same_day", "hours": 4},
                "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "23:59"},
                "area": {"postalCodePrefixes": [prefix]}}),
        )
        .await;
    assert_eq!(service.status, 201, "{}", service.text);
    let rates = app
        .post(
            "/v1/rate-tables",
            &org.key,
            json!({"name": format!("{name} rates"), "currency": "USD", "base": {"method": "flat", "amount": amount}}),
        )
        .await;
    assert_eq!(rates.status, 201, "{}", rates.text);
    let ids = (
        service.body["id"].as_str().unwrap().to_string(),
        rates.body["id"].as_str().unwrap().to_string(),
    );
    let current = app
        .get(&format!("/v1/clients/{client}/services"), &org.key)
        .await;
    let mut pairs: Vec<Value> = current.body["services"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|p| json!({"serviceId": p["serviceId"], "rateTableId": p["rateTableId"]}))
        .collect();
    pairs.push(json!({"serviceId": ids.0, "rateTableId": ids.1}));
    let given = app
        .call(
            "PUT",
            &format!("/v1/clients/{client}/services"),
            Some(&org.key),
            Some(json!({ "services": pairs })),
        )
        .await;
    assert_eq!(given.status, 200, "{}", given.text);
    ids
}

/// A client of `org` with its depot in Lyon (69002).
async fn client(app: &TestApp, org: &Org, name: &str) -> String {
    let created = app
        .post(
            "/v1/clients",
            &org.key,
            json!({"name": name, "email": format!("orders@{}.example", name.to_lowercase()),
                "defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon", "postalCode": "69002", "country": "FR"}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["id"].as_str().unwrap().to_string()
}

async fn deleting_names_the_clients_of_one_in_use_and_deletes_one_not_in_use(app: TestApp) {
    let (swift, cookie) = courier(&app, "Swift Couriers").await;
    let bloom = client(&app, &swift, "Bloom").await;
    let (service, rates) = priced(&app, &swift, &bloom, "Lyon same day", "69", 1250).await;

    // The confirmation step, then the refusal naming the client.
    let confirm = get(&app, &format!("/services/{service}?delete=1"), &cookie).await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    assert!(confirm.text.contains("id=\"confirm-delete\""));
    assert!(confirm
        .text
        .contains("Delete service Lyon same day</button>"));
    let version = portal_tests::token_in(&confirm.text, "name=\"version\" value=\"", "\"");
    let refused = post(
        &app,
        &format!("/services/{service}/delete"),
        &cookie,
        &[("version", &version)],
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(refused.text.contains("Not deleted"), "{}", refused.text);
    assert!(
        refused.text.contains(&format!("Bloom ({bloom})")),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("change their services first"));
    // Its currency cannot change while a client uses it: next to the currency.
    let shown = get(&app, &format!("/rate-tables/{rates}"), &cookie).await;
    let version = portal_tests::token_in(&shown.text, "name=\"version\" value=\"", "\"");
    let euros = post(
        &app,
        &format!("/rate-tables/{rates}"),
        &cookie,
        &with(RATES, &[("currency", "EUR"), ("version", &version)]),
    )
    .await;
    assert_eq!(euros.status, 422, "{}", euros.text);
    assert!(
        euros.text.contains(
            "id=\"currency-error\">Currency cannot change while clients use the rate table"
        ),
        "{}",
        euros.text
    );
    let rates_refused = post(&app, &format!("/rate-tables/{rates}/delete"), &cookie, &[]).await;
    assert_eq!(rates_refused.status, 409, "{}", rates_refused.text);
    assert!(rates_refused.text.contains(&format!("Bloom ({bloom})")));
    assert_eq!(
        app.get(&format!("/v1/services/{service}"), &swift.key)
            .await
            .status,
        200
    );
    // The API's refusal names the client too.
    let api = app
        .call(
            "DELETE",
            &format!("/v1/services/{service}"),
            Some(&swift.key),
            None,
        )
        .await;
    assert_eq!((api.status, api.error_code()), (409, "in_use"));
    assert!(api.text.contains("Bloom"), "{}", api.text);

    // One not in use: confirmed, deleted.
    let spare = post(
        &app,
        "/services",
        &cookie,
        &with(SERVICE, &[("name", "Spare")]),
    )
    .await;
    assert_eq!(spare.status, 303, "{}", spare.text);
    let spare = id_named(&app, &swift, "/v1/services", "Spare").await;
    let confirm = get(&app, &format!("/services/{spare}?delete=1"), &cookie).await;
    assert!(confirm
        .text
        .contains(&format!("action=\"/services/{spare}/delete\"")));
    let deleted = post(
        &app,
        &format!("/services/{spare}/delete"),
        &cookie,
        &[("version", "1")],
    )
    .await;
    assert_eq!(deleted.status, 303, "{}", deleted.text);
    assert_eq!(
        deleted.header("location"),
        Some("/services?done=service-deleted")
    );
    assert_eq!(
        app.get(&format!("/v1/services/{spare}"), &swift.key)
            .await
            .status,
        404
    );
    let spare_rates = post(
        &app,
        "/rate-tables",
        &cookie,
        &with(RATES, &[("name", "Spare rates")]),
    )
    .await;
    assert_eq!(spare_rates.status, 303);
    let spare_rates = id_named(&app, &swift, "/v1/rate-tables", "Spare rates").await;
    let deleted = post(
        &app,
        &format!("/rate-tables/{spare_rates}/delete"),
        &cookie,
        &[("version", "1")],
    )
    .await;
    assert_eq!(deleted.status, 303, "{}", deleted.text);
    let listed = get(&app, "/services?done=rate-table-deleted", &cookie).await;
    assert!(listed.text.contains("Rate table deleted."));
    assert!(!listed.text.contains("Spare rates"));
}

async fn try_a_quote_shows_a_price_and_a_refusal_in_words(app: TestApp) {
    let (swift, cookie) = courier(&app, "Swift Couriers").await;
    let bloom = client(&app, &swift, "Bloom").await;
    priced(&app, &swift, &bloom, "Lyon same day", "69", 1250).await;
    priced(&app, &swift, &bloom, "Paris same day", "75", 900).await;
    // A client without services is not offered.
    client(&app, &swift, "Idle").await;

    let panel = get(&app, "/services", &cookie).await;
    assert!(panel
        .text
        .contains("<h2 id=\"quote-title\">Try a quote</h2>"));
    assert!(panel
        .text
        .contains(&format!("<option value=\"{bloom}\">Bloom</option>")));
    assert!(!panel.text.contains(">Idle</option>"));

    // From the client's depot (69002) to 69003: Lyon's price; Paris's refusal in words.
    let quoted = get(
        &app,
        &format!(
            "/services?quote=1&client={bloom}&pickupPostalCode=&dropoffPostalCode=69003&pieces=1"
        ),
        &cookie,
    )
    .await;
    assert_eq!(quoted.status, 200, "{}", quoted.text);
    assert!(
        quoted.text.contains("<td>12.50 USD</td>"),
        "{}",
        quoted.text
    );
    assert!(
        quoted
            .text
            .contains("Cannot serve this order: A stop is outside the service"),
        "{}",
        quoted.text
    );
    assert!(quoted
        .text
        .contains(&format!("<option value=\"{bloom}\" selected>")));

    // A pickup typed: Paris to Paris.
    let paris = get(
        &app,
        &format!("/services?quote=1&client={bloom}&pickupPostalCode=75001&dropoffPostalCode=75011"),
        &cookie,
    )
    .await;
    assert!(paris.text.contains("<td>9.00 USD</td>"), "{}", paris.text);

    // Ready at 10:00, due by 11:00: a 4-hour service misses it, said in words.
    let late = get(
        &app,
        &format!("/services?quote=1&client={bloom}&dropoffPostalCode=69003&readyBy=2030-01-01T10%3A00&dueBy=2030-01-01T11%3A00"),
        &cookie,
    )
    .await;
    assert_eq!(late.status, 200, "{}", late.text);
    assert!(
        late.text
            .contains("Cannot serve this order: Cannot deliver by the time asked"),
        "{}",
        late.text
    );
    let inverted = get(
        &app,
        &format!("/services?quote=1&client={bloom}&dropoffPostalCode=69003&readyBy=2030-01-01T10%3A00&dueBy=2030-01-01T09%3A00"),
        &cookie,
    )
    .await;
    assert!(
        inverted
            .text
            .contains("id=\"dueBy-error\">Deliver by must be later than the ready time"),
        "{}",
        inverted.text
    );

    // No client, a bad weight: next to their inputs.
    let bad = get(
        &app,
        "/services?quote=1&client=&dropoffPostalCode=69003&weight=heavy",
        &cookie,
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad
        .text
        .contains("id=\"client-error\">Client must be chosen"));
    assert!(bad
        .text
        .contains("id=\"weight-error\">Weight must be a weight in kg"));
}

async fn a_clients_person_and_another_courier_find_nothing_here(app: TestApp) {
    let (swift, cookie) = courier(&app, "Swift Couriers").await;
    let bloom = client(&app, &swift, "Bloom").await;
    let (service, rates) = priced(&app, &swift, &bloom, "Lyon same day", "69", 1250).await;

    // A client's person: none of these pages.
    let (_, _, clients) = signed_up(&app, "Fleur", "pia@fleur.example").await;
    for uri in [
        "/services".to_string(),
        "/services/new".into(),
        "/rate-tables/new".into(),
        format!("/services?quote=1&client={bloom}&dropoffPostalCode=69003"),
    ] {
        assert_eq!(get(&app, &uri, &clients).await.status, 404, "{uri}");
    }
    assert_eq!(post(&app, "/services", &clients, SERVICE).await.status, 404);
    assert_eq!(
        post(&app, "/rate-tables", &clients, RATES).await.status,
        404
    );

    // Another courier: the service and rate table are not found, nothing changed.
    let (_, rivals) = courier(&app, "Rival Riders").await;
    for uri in [
        format!("/services/{service}"),
        format!("/services/{service}?delete=1"),
        format!("/rate-tables/{rates}"),
    ] {
        assert_eq!(get(&app, &uri, &rivals).await.status, 404, "{uri}");
    }
    for (uri, fields) in [
        (
            format!("/services/{service}"),
            with(SERVICE, &[("version", "1")]),
        ),
        (format!("/services/{service}/delete"), vec![]),
        (
            format!("/rate-tables/{rates}"),
            with(RATES, &[("version", "1")]),
        ),
        (format!("/rate-tables/{rates}/delete"), vec![]),
    ] {
        assert_eq!(
            post(&app, &uri, &rivals, &fields).await.status,
            404,
            "{uri}"
        );
    }
    let rival_list = get(&app, "/services", &rivals).await;
    assert!(!rival_list.text.contains("Lyon same day"));
    assert!(!rival_list.text.contains(">Bloom</option>"));
    // Quoting for another courier's client: refused next to the client.
    let theirs = get(
        &app,
        &format!("/services?quote=1&client={bloom}&dropoffPostalCode=69003"),
        &rivals,
    )
    .await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.text.contains("No client has services yet"));
    assert!(!theirs.text.contains("Lyon same day"));
    assert_eq!(
        app.get(&format!("/v1/services/{service}"), &swift.key)
            .await
            .body["name"],
        "Lyon same day"
    );

    // From another site: refused, nothing created.
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(SERVICE)
        .finish();
    let cross = app
        .raw(
            "POST",
            "/services",
            &[
                ("host", crate::web_pages::HOST),
                ("origin", "https://evil.example"),
                ("cookie", &cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            bytes::Bytes::from(form),
        )
        .await;
    assert_eq!(cross.status, 403);
    assert!(cross.text.contains("Request refused"), "{}", cross.text);
    assert_eq!(
        app.get("/v1/services", &swift.key).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

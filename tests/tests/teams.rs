//! A courier's teams, on both stores: created, listed newest first and paginated, renamed
//! (version-checked, names unique per courier whatever their case), deleted unless a
//! client's auto-assign rule names them (409 naming the clients); `autoAssignTeamId` and an
//! assignment's `teamId` must name one of the courier's teams (422); another courier's team
//! is not found, a client's key is refused. The teams page under Settings does the same
//! for the courier's signed-in person, and is not found for a client's.

use bytes::Bytes;
use portal_tests::{on_both_backends, Org, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::web_pages::{client_with_user, get, post, HOST};

on_both_backends!(
    a_courier_creates_lists_and_renames_its_teams,
    a_team_in_an_auto_assign_rule_is_not_deleted_and_the_clients_are_named,
    auto_assign_and_assignments_name_one_of_the_couriers_teams,
    teams_are_the_couriers_own,
    the_teams_page_creates_renames_and_deletes_after_confirmation,
);

async fn create(app: &TestApp, courier: &Org, name: &str) -> TestResponse {
    app.post("/v1/teams", &courier.key, json!({ "name": name }))
        .await
}

async fn patch(app: &TestApp, key: &str, team: &str, body: Value) -> TestResponse {
    app.call("PATCH", &format!("/v1/teams/{team}"), Some(key), Some(body))
        .await
}

async fn delete(app: &TestApp, key: &str, team: &str) -> TestResponse {
    app.call("DELETE", &format!("/v1/teams/{team}"), Some(key), None)
        .await
}

fn names(listed: &TestResponse) -> Vec<&str> {
    listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

async fn a_courier_creates_lists_and_renames_its_teams(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let north = create(&app, &courier, " North ").await;
    assert_eq!(north.status, 201, "{}", north.text);
    let id = north.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("team_"), "{id}");
    assert_eq!(
        (&north.body["name"], &north.body["version"]),
        (&json!("North"), &json!(1))
    );
    assert_eq!(
        north.header("location"),
        Some(format!("/v1/teams/{id}").as_str())
    );
    create(&app, &courier, "South").await;

    // Newest first, a page at a time.
    let listed = app.get("/v1/teams", &courier.key).await;
    assert_eq!(names(&listed), ["South", "North"]);
    let first = app.get("/v1/teams?limit=1", &courier.key).await;
    assert_eq!(names(&first), ["South"]);
    let cursor = first.body["nextCursor"].as_str().unwrap();
    let second = app
        .get(&format!("/v1/teams?limit=1&cursor={cursor}"), &courier.key)
        .await;
    assert_eq!(names(&second), ["North"]);
    assert!(second.body.get("nextCursor").is_none(), "{}", second.text);

    // Names are unique per courier, whatever their case; a name is required.
    let taken = create(&app, &courier, "south").await;
    assert_eq!((taken.status, taken.error_code()), (409, "name_taken"));
    let blank = create(&app, &courier, "  ").await;
    assert_eq!((blank.status, blank.error_field()), (422, "name"));

    // Renamed with the version read; a stale version is a conflict.
    let renamed = patch(
        &app,
        &courier.key,
        &id,
        json!({"name": "North side", "version": 1}),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(
        (&renamed.body["name"], &renamed.body["version"]),
        (&json!("North side"), &json!(2))
    );
    assert_eq!(renamed.header("etag"), Some("\"2\""));
    let stale = patch(
        &app,
        &courier.key,
        &id,
        json!({"name": "North", "version": 1}),
    )
    .await;
    assert_eq!(
        (stale.status, stale.error_code()),
        (409, "version_conflict")
    );
    let onto_taken = patch(&app, &courier.key, &id, json!({"name": "SOUTH"})).await;
    assert_eq!(
        (onto_taken.status, onto_taken.error_code()),
        (409, "name_taken")
    );
    // Its case alone changes; its old name is free again.
    let recased = patch(&app, &courier.key, &id, json!({"name": "north Side"})).await;
    assert_eq!(
        (recased.status, &recased.body["name"]),
        (200, &json!("north Side"))
    );
    assert_eq!(create(&app, &courier, "North").await.status, 201);
    let unknown = patch(
        &app,
        &courier.key,
        &id,
        json!({"name": "X", "colour": "red"}),
    )
    .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text);
    assert_eq!(
        names(&app.get("/v1/teams", &courier.key).await),
        ["North", "South", "north Side"]
    );
}

async fn a_team_in_an_auto_assign_rule_is_not_deleted_and_the_clients_are_named(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let team = app.create_team(&courier, "North").await;
    let client =
        |name: &str, email: &str| json!({"name": name, "email": email, "autoAssignTeamId": team});
    let bloom = app
        .post(
            "/v1/clients",
            &courier.key,
            client("Bloom Florist", "orders@bloom.example"),
        )
        .await;
    assert_eq!(bloom.status, 201, "{}", bloom.text);
    assert_eq!(bloom.body["autoAssignTeamId"], team.as_str());
    let bloom = bloom.body["id"].as_str().unwrap().to_string();
    let thorn = app
        .post(
            "/v1/clients",
            &courier.key,
            client("Thorn & Co", "ops@thorn.example"),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();

    let refused = delete(&app, &courier.key, &team).await;
    assert_eq!((refused.status, refused.error_code()), (409, "in_use"));
    let message = refused.body["error"]["message"].as_str().unwrap();
    for named in [
        "Bloom Florist",
        bloom.as_str(),
        "Thorn & Co",
        thorn.as_str(),
    ] {
        assert!(message.contains(named), "{named} in {message}");
    }

    // Moved off it: no longer named. Deleted: no longer counted.
    let cleared = app
        .call(
            "PATCH",
            &format!("/v1/clients/{bloom}"),
            Some(&courier.key),
            Some(json!({"autoAssignTeamId": null})),
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    let refused = delete(&app, &courier.key, &team).await;
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains("Bloom") && message.contains("Thorn"),
        "{message}"
    );
    let gone = app
        .call(
            "DELETE",
            &format!("/v1/clients/{thorn}"),
            Some(&courier.key),
            None,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);

    // A stale version is refused; then it goes, and its name is free again.
    let stale = app
        .raw(
            "DELETE",
            &format!("/v1/teams/{team}"),
            &[
                ("authorization", &format!("Bearer {}", courier.key)),
                ("if-match", "\"99\""),
            ],
            Bytes::new(),
        )
        .await;
    assert_eq!(
        (stale.status, stale.error_code()),
        (409, "version_conflict")
    );
    assert_eq!(delete(&app, &courier.key, &team).await.status, 204);
    assert_eq!(delete(&app, &courier.key, &team).await.status, 404);
    assert!(names(&app.get("/v1/teams", &courier.key).await).is_empty());
    assert_eq!(create(&app, &courier, "North").await.status, 201);
}

async fn auto_assign_and_assignments_name_one_of_the_couriers_teams(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let rival = app.create_courier("Rival Riders").await;
    let theirs = app.create_team(&rival, "North").await;
    let ours = app.create_team(&courier, "North").await;
    for unknown in [
        json!("north"),
        json!(theirs),
        json!("team_01J9Z3X8Q6V2N4M7K5H3G1F0DE"),
    ] {
        let refused = app
            .post(
                "/v1/clients",
                &courier.key,
                json!({"name": "Bloom", "email": "orders@bloom.example", "autoAssignTeamId": unknown}),
            )
            .await;
        assert_eq!(
            (refused.status, refused.error_field()),
            (422, "autoAssignTeamId"),
            "{unknown}: {}",
            refused.text
        );
    }
    // Nothing of the refused client stays: its email is free.
    let client = app
        .onboard_client(&courier, "Bloom", "orders@bloom.example")
        .await;
    let path = format!("/v1/clients/{}", client.id);
    let refused = app
        .call(
            "PATCH",
            &path,
            Some(&courier.key),
            Some(json!({"autoAssignTeamId": theirs})),
        )
        .await;
    assert_eq!(
        (refused.status, refused.error_field()),
        (422, "autoAssignTeamId")
    );
    assert!(app
        .get(&path, &courier.key)
        .await
        .body
        .get("autoAssignTeamId")
        .is_none());
    let given = app
        .call(
            "PATCH",
            &path,
            Some(&courier.key),
            Some(json!({"autoAssignTeamId": ours})),
        )
        .await;
    assert_eq!(
        given.body["autoAssignTeamId"],
        ours.as_str(),
        "{}",
        given.text
    );

    // An assignment names one of the courier's teams, or none.
    let order = app
        .post(
            "/v1/orders",
            &client.key,
            json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"}, "recipient": {"name": "Marie Curie", "phone": "+33698765432"}}
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    assert_eq!(
        order.body["pickup"]["teamId"],
        ours.as_str(),
        "auto-assigned"
    );
    let event = |task: &str, team: Value| {
        let app = &app;
        let key = courier.key.clone();
        let uri = format!("/v1/tasks/{task}/events");
        async move {
            app.post(
                &uri,
                &key,
                json!({"type": "assigned", "driver": {"name": "Sam Rider"}, "teamId": team}),
            )
            .await
        }
    };
    let pickup = order.body["pickup"]["id"].as_str().unwrap();
    let dropoff = order.body["dropoff"]["id"].as_str().unwrap();
    for unknown in [json!("north"), json!(theirs)] {
        let refused = event(pickup, unknown).await;
        assert_eq!(
            (refused.status, refused.error_field()),
            (422, "teamId"),
            "{}",
            refused.text
        );
    }
    let other = app.create_team(&courier, "South").await;
    let assigned = event(dropoff, json!(other)).await;
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    assert_eq!(assigned.body["dropoff"]["teamId"], other.as_str());
    assert_eq!(assigned.body["dropoff"]["driver"]["name"], "Sam Rider");
}

async fn teams_are_the_couriers_own(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let rival = app.create_courier("Rival Riders").await;
    let team = app.create_team(&courier, "North").await;
    // Another courier: its own (empty) list, the same name free, our team not found.
    assert!(names(&app.get("/v1/teams", &rival.key).await).is_empty());
    assert_eq!(create(&app, &rival, "North").await.status, 201);
    let renamed = patch(&app, &rival.key, &team, json!({"name": "Mine"})).await;
    assert_eq!(renamed.status, 404, "{}", renamed.text);
    assert_eq!(delete(&app, &rival.key, &team).await.status, 404);
    assert_eq!(delete(&app, &courier.key, "north").await.status, 404);
    // A client's key: refused, like the other courier routes.
    let client = app
        .onboard_client(&courier, "Bloom", "orders@bloom.example")
        .await;
    let services = app.get("/v1/clients", &client.key).await.status;
    for response in [
        app.get("/v1/teams", &client.key).await,
        create(&app, &client, "Mine").await,
        patch(&app, &client.key, &team, json!({"name": "Mine"})).await,
        delete(&app, &client.key, &team).await,
    ] {
        assert_eq!(
            (response.status, response.error_code()),
            (services, "forbidden"),
            "{}",
            response.text
        );
    }
    assert_eq!(names(&app.get("/v1/teams", &courier.key).await), ["North"]);
}

/// A courier whose first person set a password from its link: the courier, its cookie.
pub(crate) async fn courier_signed_in(app: &TestApp, name: &str, email: &str) -> (Org, String) {
    let created = portal::api::couriers::create_courier_with_user(
        app.ctx(),
        name,
        email,
        "Europe/Paris",
        &format!("http://{HOST}"),
    )
    .await
    .unwrap();
    let link = created
        .set_password_link
        .trim_start_matches(&format!("http://{HOST}"))
        .to_string();
    let origin = app.ctx().base_url(&portal::http::ApiRequest {
        base_url: Some(format!("http://{HOST}")),
        ..Default::default()
    });
    let set = app
        .raw(
            "POST",
            &link,
            &[
                ("host", HOST),
                ("origin", origin.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Bytes::from("password=the+courier+passphrase"),
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.text);
    let cookie = set
        .headers
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("__Host-session="))
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .expect("a session cookie");
    let courier = Org {
        id: created.courier.id.to_string(),
        key: created.key.secret,
    };
    (courier, cookie)
}

async fn the_teams_page_creates_renames_and_deletes_after_confirmation(app: TestApp) {
    let (courier, cookie) = courier_signed_in(&app, "Swift Couriers", "ops@swift.example").await;
    let empty = get(&app, "/settings/teams", &cookie).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert!(empty.text.contains("No teams yet."));
    assert!(empty.text.contains("aria-current=\"page\">Teams</a>"));

    // Created; its name again is refused next to the field, as is an empty one.
    let created = post(&app, "/settings/teams", &cookie, &[("name", "North")]).await;
    assert_eq!(
        (created.status, created.header("location")),
        (303, Some("/settings/teams?done=created"))
    );
    let north = app.get("/v1/teams", &courier.key).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = get(&app, "/settings/teams?done=created", &cookie).await;
    assert!(shown.text.contains("Team created."));
    assert!(shown.text.contains(&format!("id=\"team-{north}\"")));
    let taken = post(&app, "/settings/teams", &cookie, &[("name", "north")]).await;
    assert_eq!(taken.status, 409);
    assert!(
        taken
            .text
            .contains("id=\"name-error\">Name is already another team&#39;s")
            || taken
                .text
                .contains("id=\"name-error\">Name is already another team's"),
        "{}",
        taken.text
    );
    assert!(
        taken.text.contains("value=\"north\""),
        "what was typed stays"
    );
    let blank = post(&app, "/settings/teams", &cookie, &[("name", " ")]).await;
    assert_eq!(blank.status, 422);
    assert!(blank.text.contains("id=\"name-error\">Name is required"));

    // Renamed in its row; a taken name is refused next to that row's input.
    post(&app, "/settings/teams", &cookie, &[("name", "South")]).await;
    let renamed = post(
        &app,
        &format!("/settings/teams/{north}"),
        &cookie,
        &[("name", "North side"), ("version", "1")],
    )
    .await;
    assert_eq!(renamed.status, 303, "{}", renamed.text);
    let refused = post(
        &app,
        &format!("/settings/teams/{north}"),
        &cookie,
        &[("name", "SOUTH"), ("version", "2")],
    )
    .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused
            .text
            .contains(&format!("id=\"name-{north}-error\">Name is already")),
        "{}",
        refused.text
    );
    let stale = post(
        &app,
        &format!("/settings/teams/{north}"),
        &cookie,
        &[("name", "Other"), ("version", "1")],
    )
    .await;
    assert_eq!(stale.status, 409);
    assert!(stale.text.contains("id=\"teams-alert\">Not renamed"));

    // A delete asks first; in use, it names the client and keeps the team.
    let bloom = app
        .post(
            "/v1/clients",
            &courier.key,
            json!({"name": "Bloom Florist", "email": "orders@bloom.example", "autoAssignTeamId": north}),
        )
        .await;
    assert_eq!(bloom.status, 201, "{}", bloom.text);
    let confirm = get(&app, &format!("/settings/teams?delete={north}"), &cookie).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.text.contains("Delete the team North side?"));
    assert!(confirm
        .text
        .contains(&format!("action=\"/settings/teams/{north}/delete\"")));
    let in_use = post(
        &app,
        &format!("/settings/teams/{north}/delete"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(in_use.status, 409);
    assert!(
        in_use
            .text
            .contains("Not deleted: the team is in the auto-assign rule of Bloom Florist"),
        "{}",
        in_use.text
    );
    let south = app.get("/v1/teams", &courier.key).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deleted = post(
        &app,
        &format!("/settings/teams/{south}/delete"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(
        (deleted.status, deleted.header("location")),
        (303, Some("/settings/teams?done=deleted"))
    );
    assert_eq!(
        names(&app.get("/v1/teams", &courier.key).await),
        ["North side"]
    );
    assert_eq!(
        post(
            &app,
            &format!("/settings/teams/{south}/delete"),
            &cookie,
            &[]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(&app, &format!("/settings/teams?delete={south}"), &cookie)
            .await
            .status,
        404
    );

    // A client's person: not found, and no Teams link in its settings.
    let (_, client_cookie) = client_with_user(&app, &courier, "Thorn", "pia@thorn.example").await;
    assert_eq!(
        get(&app, "/settings/teams", &client_cookie).await.status,
        404
    );
    for (uri, form) in [
        ("/settings/teams".to_string(), vec![("name", "Mine")]),
        (format!("/settings/teams/{north}"), vec![("name", "Mine")]),
        (format!("/settings/teams/{north}/delete"), vec![]),
    ] {
        assert_eq!(
            post(&app, &uri, &client_cookie, &form).await.status,
            404,
            "{uri}"
        );
    }
    let settings = get(&app, "/settings/organization", &client_cookie).await;
    assert!(!settings.text.contains("/settings/teams"));
    let courier_settings = get(&app, "/settings/organization", &cookie).await;
    assert!(courier_settings.text.contains("href=\"/settings/teams\""));
    assert_eq!(
        names(&app.get("/v1/teams", &courier.key).await),
        ["North side"]
    );

    // From another site: refused.
    let cross = app
        .raw(
            "POST",
            "/settings/teams",
            &[
                ("host", HOST),
                ("origin", "https://evil.example"),
                ("cookie", &cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Bytes::from("name=Evil"),
        )
        .await;
    assert_eq!(cross.status, 403);
}

//! Settings → Team (`/settings/team`), on both stores: an admin sees the organisation's
//! people (a courier's, or a client's), invites one (the emailed link sets a password and
//! signs in), changes their role and removes them after a confirmation step (their next
//! request is signed out); errors are shown next to their field, the last admin's refusal
//! above the list in the use case's words (as is an invitation that could not be emailed). A member gets the "Admins only" page and no
//! admin links in the settings; another organisation's person is not found; a form from
//! another site is refused.

use portal_tests::{on_both_backends, token_in, Org, TestApp, TestResponse};

use crate::team::{joined, PASSWORD};
use crate::web_sessions::{cookie_of, page};

on_both_backends!(
    an_admin_invites_changes_the_role_of_and_removes_a_person,
    the_last_admin_is_refused_in_the_use_cases_words,
    a_clients_admin_sees_the_clients_people_only,
    a_member_gets_admins_only_and_no_admin_links,
    another_organisations_person_is_not_found_and_other_sites_are_refused,
    the_main_navigation_is_the_readers,
);

/// A form of the page, as the portal's own page sends it.
async fn post(app: &TestApp, uri: &str, cookie: &str, fields: &[(&str, &str)]) -> TestResponse {
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    page(app, "POST", uri, Some(cookie), &form).await
}

async fn get(app: &TestApp, uri: &str, cookie: &str) -> TestResponse {
    page(app, "GET", uri, Some(cookie), "").await
}

/// The id of the person listed (over the API) with `email`.
async fn id_of(app: &TestApp, org: &Org, email: &str) -> String {
    let listed = app.get("/v1/users", &org.key).await;
    listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == email)
        .and_then(|p| p["id"].as_str())
        .unwrap_or_else(|| panic!("{email} listed: {}", listed.text))
        .to_string()
}

async fn an_admin_invites_changes_the_role_of_and_removes_a_person(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let (ana, cookie) = joined(&app, &courier, "ana@swift.example", "admin").await;
    let shown = get(&app, "/settings/team", &cookie).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("aria-current=\"page\">Team</a>"));
    assert!(
        shown.text.contains("Swift Couriers</"),
        "the courier named in the header"
    );
    assert!(shown.text.contains(&format!("id=\"person-{ana}\"")));
    assert!(shown.text.contains("ana@swift.example"));
    assert!(shown.text.contains("(You)"));
    assert!(shown.text.contains("<td>Admin</td>"));
    assert!(!shown.text.contains("Invited — has not signed in yet"));

    // A bad email, an empty name: each next to its field, what was typed kept.
    let bad = post(
        &app,
        "/settings/team",
        &cookie,
        &[("email", "sam-at-swift"), ("name", " "), ("role", "member")],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text
            .contains("id=\"email-error\">Email must be a valid email address"),
        "{}",
        bad.text
    );
    assert!(bad.text.contains("id=\"name-error\">Name is required"));
    assert!(bad.text.contains("value=\"sam-at-swift\""));

    // Invited: the notice names the email, the person is listed as invited, the link is
    // in the outbox.
    let invited = post(
        &app,
        "/settings/team",
        &cookie,
        &[
            ("email", "sam@swift.example"),
            ("name", "Sam Teammate"),
            ("role", "member"),
        ],
    )
    .await;
    assert_eq!(invited.status, 303, "{}", invited.text);
    let location = invited.header("location").unwrap().to_string();
    assert!(
        location.starts_with("/settings/team?invited="),
        "{location}"
    );
    let after = get(&app, &location, &cookie).await;
    assert!(
        after.text.contains("Invitation sent to sam@swift.example."),
        "{}",
        after.text
    );
    assert!(after.text.contains("Invited — has not signed in yet"));
    assert!(after.text.contains("<td>Member</td>"));
    let sam = id_of(&app, &courier, "sam@swift.example").await;
    assert!(after.text.contains(&format!("id=\"person-{sam}\"")));
    let again = post(
        &app,
        "/settings/team",
        &cookie,
        &[
            ("email", "SAM@swift.example"),
            ("name", "Sam"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert!(
        again
            .text
            .contains("id=\"email-error\">Another account signs in with this email now"),
        "{}",
        again.text
    );

    // The link sets Sam's password and signs Sam in.
    let mail = app.last_email_to("sam@swift.example");
    assert!(!mail.text.contains("/v1/"), "{}", mail.text);
    let link = format!(
        "/reset-password/{}",
        token_in(&mail.text, "/reset-password/", "\n")
    );
    let form = format!("password={}", PASSWORD.replace(' ', "+"));
    let set = page(&app, "POST", &link, None, &form).await;
    assert_eq!(set.status, 303, "{}", set.text);
    let sams = cookie_of(&set);
    assert_eq!(get(&app, "/orders", &sams).await.status, 200);
    let listed = get(&app, "/settings/team", &cookie).await;
    assert!(!listed.text.contains("Invited — has not signed in yet"));

    // Made an admin, in Sam's row.
    let role = post(
        &app,
        &format!("/settings/team/{sam}/role"),
        &cookie,
        &[("role", "admin")],
    )
    .await;
    assert_eq!(
        (role.status, role.header("location")),
        (303, Some("/settings/team?done=role"))
    );
    assert!(get(&app, "/settings/team?done=role", &cookie)
        .await
        .text
        .contains("Role changed."));
    let people = app.get("/v1/users", &courier.key).await;
    assert!(
        people.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == sam.as_str() && p["role"] == "admin"),
        "{}",
        people.text
    );
    assert_eq!(get(&app, "/settings/team", &sams).await.status, 200);

    // Removed after a confirmation step; Sam's next request is signed out.
    let confirm = get(&app, &format!("/settings/team?remove={sam}"), &cookie).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.text.contains("Remove Sam Teammate from the team?"));
    assert!(confirm
        .text
        .contains(&format!("action=\"/settings/team/{sam}/remove\"")));
    let removed = post(&app, &format!("/settings/team/{sam}/remove"), &cookie, &[]).await;
    assert_eq!(
        (removed.status, removed.header("location")),
        (303, Some("/settings/team?done=removed"))
    );
    let gone = get(&app, "/settings/team?done=removed", &cookie).await;
    assert!(gone.text.contains("Removed from the team."));
    assert!(!gone.text.contains("sam@swift.example"));
    let signed_out = get(&app, "/orders", &sams).await;
    assert_eq!(
        (signed_out.status, signed_out.header("location")),
        (303, Some("/login"))
    );
    assert_eq!(
        post(&app, &format!("/settings/team/{sam}/remove"), &cookie, &[])
            .await
            .status,
        404
    );
    assert_eq!(
        get(&app, &format!("/settings/team?remove={sam}"), &cookie)
            .await
            .status,
        404
    );
}

async fn the_last_admin_is_refused_in_the_use_cases_words(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let (ana, cookie) = joined(&app, &courier, "ana@swift.example", "admin").await;
    let confirm = get(&app, &format!("/settings/team?remove={ana}"), &cookie).await;
    assert!(confirm.text.contains("Remove yourself from the team?"));
    for (uri, form, said) in [
        (
            format!("/settings/team/{ana}/role"),
            vec![("role", "member")],
            "Not changed",
        ),
        (
            format!("/settings/team/{ana}/remove"),
            vec![],
            "Not removed",
        ),
    ] {
        let refused = post(&app, &uri, &cookie, &form).await;
        assert_eq!(refused.status, 409, "{uri}: {}", refused.text);
        assert!(
            refused.text.contains(&format!(
                "id=\"team-alert\">{said}: the organisation&#39;s last admin cannot be removed or made a member; make someone else an admin first."
            )) || refused.text.contains(&format!(
                "id=\"team-alert\">{said}: the organisation's last admin cannot be removed or made a member; make someone else an admin first."
            )),
            "{}",
            refused.text
        );
    }
    let bad_role = post(
        &app,
        &format!("/settings/team/{ana}/role"),
        &cookie,
        &[("role", "owner")],
    )
    .await;
    assert_eq!(bad_role.status, 422);
    assert_eq!(get(&app, "/orders", &cookie).await.status, 200);
}

async fn a_clients_admin_sees_the_clients_people_only(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    joined(&app, &courier, "ana@swift.example", "admin").await;
    let client = app
        .onboard_client(&courier, "Bloom", "orders@bloom.example")
        .await;
    let (_, cookie) = joined(&app, &client, "pia@bloom.example", "admin").await;
    let invited = post(
        &app,
        "/settings/team",
        &cookie,
        &[
            ("email", "leo@bloom.example"),
            ("name", "Leo"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(invited.status, 303, "{}", invited.text);
    let shown = get(&app, "/settings/team", &cookie).await;
    assert!(shown.text.contains("pia@bloom.example"));
    assert!(shown.text.contains("leo@bloom.example"));
    assert!(!shown.text.contains("ana@swift.example"));
    let mail = app.last_email_to("leo@bloom.example");
    assert!(mail.text.contains("Bloom"), "{}", mail.text);

    // An invitation that could not be emailed is undone, and the page says so.
    app.recorder.fail_sends(true);
    let unsent = post(
        &app,
        "/settings/team",
        &cookie,
        &[
            ("email", "mo@bloom.example"),
            ("name", "Mo"),
            ("role", "member"),
        ],
    )
    .await;
    app.recorder.fail_sends(false);
    assert_eq!(unsent.status, 503, "{}", unsent.text);
    assert!(
        unsent
            .text
            .contains("id=\"team-alert\">Not invited: the invitation could not be emailed"),
        "{}",
        unsent.text
    );
    assert!(!get(&app, "/settings/team", &cookie)
        .await
        .text
        .contains("mo@bloom.example"));
}

async fn a_member_gets_admins_only_and_no_admin_links(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let (ana, admin) = joined(&app, &courier, "ana@swift.example", "admin").await;
    let (_, member) = joined(&app, &courier, "sam@swift.example", "member").await;
    for (method, uri, form) in [
        ("GET", "/settings/team".to_string(), ""),
        (
            "POST",
            "/settings/team".into(),
            "email=x%40swift.example&name=X&role=admin",
        ),
        ("POST", format!("/settings/team/{ana}/role"), "role=member"),
        ("POST", format!("/settings/team/{ana}/remove"), ""),
    ] {
        let answer = page(&app, method, &uri, Some(&member), form).await;
        assert_eq!(answer.status, 403, "{method} {uri}: {}", answer.text);
        assert!(answer.text.contains("Admins only"), "{}", answer.text);
    }
    assert_eq!(
        app.get("/v1/users", &courier.key).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A member's settings link their own account (and the courier's teams) only.
    let own = get(&app, "/settings/user", &member).await;
    assert_eq!(own.status, 200);
    let subnav = settings_nav(&own.text);
    assert!(subnav.contains("/settings/teams"), "{subnav}");
    for admins_only in [
        "/settings/team\"",
        "/settings/organization",
        "/settings/api",
        "/settings/communications",
        "/settings/tracking-page",
    ] {
        assert!(!subnav.contains(admins_only), "{admins_only}: {subnav}");
    }
    let admins = get(&app, "/settings/user", &admin).await;
    assert!(admins.text.contains("<a href=\"/settings/team\">Team</a>"));
}

/// The main navigation of a page.
fn main_nav(page: &str) -> &str {
    let start = page
        .find("<nav aria-label=\"Main\"")
        .expect("the main navigation");
    let end = start + page[start..].find("</nav>").unwrap();
    &page[start..end]
}

/// The main navigation: a courier's people manage clients, services and rates (no New
/// order, no Drafts), a client's people place orders; everyone has Messages (chat); Settings is an admin's (a courier's
/// member keeps the teams page; a client's member only has their own account), and the
/// "Admins only" page keeps the reader's navigation. The header names the courier.
async fn the_main_navigation_is_the_readers(app: TestApp) {
    let courier = app.create_courier("Swift Couriers").await;
    let (_, admin) = joined(&app, &courier, "ana@swift.example", "admin").await;
    let (_, member) = joined(&app, &courier, "sam@swift.example", "member").await;
    let client = app
        .onboard_client(&courier, "Bloom", "orders@bloom.example")
        .await;
    let (_, pia) = joined(&app, &client, "pia@bloom.example", "admin").await;
    let (_, leo) = joined(&app, &client, "leo@bloom.example", "member").await;
    let links = |page: &str| -> Vec<String> {
        main_nav(page)
            .split("<a href=\"")
            .skip(1)
            .map(|a| a.split('<').next().unwrap().replace("\">", " "))
            .collect()
    };
    let shown = get(&app, "/orders", &admin).await;
    assert!(
        shown.text.contains("Swift Couriers</a>"),
        "the courier in the header"
    );
    assert_eq!(
        links(&shown.text),
        [
            "/orders Orders",
            "/clients Clients",
            "/services Services &amp; rates",
            "/imports Imports",
            "/messages Messages",
            "/settings/organization Settings",
            "/settings/user Your account",
        ]
    );
    // The client's own pages are not a courier's: not found, for a form too.
    for uri in ["/orders/new", "/drafts"] {
        let answer = get(&app, uri, &admin).await;
        assert_eq!(answer.status, 404, "{uri}: {}", answer.text);
        assert!(links(&answer.text).is_empty() || !answer.text.contains("/orders/new\""));
    }
    let form = post(&app, "/orders", &admin, &[("recipientName", "X")]).await;
    assert_eq!(form.status, 404, "{}", form.text);
    // A client's messages and tracking page are its own settings: not a courier's.
    for uri in ["/settings/communications", "/settings/tracking-page"] {
        let answer = get(&app, uri, &admin).await;
        assert_eq!(answer.status, 404, "{uri}: {}", answer.text);
        assert!(answer.text.contains("<h1>Not found</h1>"));
        let form = post(&app, uri, &admin, &[]).await;
        assert_eq!(form.status, 404, "{uri}: {}", form.text);
    }
    let settings = get(&app, "/settings/organization", &admin).await;
    let subnav = settings_nav(&settings.text);
    assert!(!subnav.contains("/settings/communications"), "{subnav}");
    assert!(!subnav.contains("/settings/tracking-page"), "{subnav}");
    assert!(subnav.contains("/settings/teams"), "{subnav}");
    let theirs = get(&app, "/settings/organization", &pia).await;
    assert!(settings_nav(&theirs.text).contains("/settings/communications"));
    let shown = get(&app, "/orders", &member).await;
    assert!(links(&shown.text).contains(&"/settings/teams Settings".to_string()));
    let refused = get(&app, "/settings/organization", &member).await;
    assert_eq!(refused.status, 403);
    assert!(links(&refused.text).contains(&"/clients Clients".to_string()));
    assert!(
        refused.text.contains("Courier console</a>") || refused.text.contains("Swift Couriers</a>")
    );
    let shown = get(&app, "/orders", &pia).await;
    assert_eq!(
        links(&shown.text),
        [
            "/orders Orders",
            "/orders/new New order",
            "/drafts Drafts",
            "/imports Imports",
            "/messages Messages",
            "/settings/organization Settings",
            "/settings/user Your account",
        ]
    );
    let shown = get(&app, "/orders", &leo).await;
    assert_eq!(
        links(&shown.text),
        [
            "/orders Orders",
            "/orders/new New order",
            "/drafts Drafts",
            "/imports Imports",
            "/messages Messages",
            "/settings/user Your account",
        ]
    );
}

/// The settings' sub-navigation of a page.
fn settings_nav(page: &str) -> &str {
    let start = page
        .find("<nav aria-label=\"Settings\"")
        .expect("the settings navigation");
    let end = start + page[start..].find("</nav>").unwrap();
    &page[start..end]
}

async fn another_organisations_person_is_not_found_and_other_sites_are_refused(app: TestApp) {
    let swift = app.create_courier("Swift Couriers").await;
    let rival = app.create_courier("Rival Riders").await;
    let (ana, cookie) = joined(&app, &swift, "ana@swift.example", "admin").await;
    joined(&app, &swift, "ben@swift.example", "admin").await;
    let (_, theirs) = joined(&app, &rival, "rae@rival.example", "admin").await;
    assert_eq!(
        get(&app, &format!("/settings/team?remove={ana}"), &theirs)
            .await
            .status,
        404
    );
    for (uri, form) in [
        (
            format!("/settings/team/{ana}/role"),
            vec![("role", "member")],
        ),
        (format!("/settings/team/{ana}/remove"), vec![]),
    ] {
        assert_eq!(post(&app, &uri, &theirs, &form).await.status, 404, "{uri}");
    }
    assert!(!get(&app, "/settings/team", &theirs)
        .await
        .text
        .contains("ana@swift.example"));

    // From another site: refused, nothing removed.
    let cross = app
        .raw(
            "POST",
            &format!("/settings/team/{ana}/remove"),
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
    assert_eq!(get(&app, "/orders", &cookie).await.status, 200);
    id_of(&app, &swift, "ana@swift.example").await;
}

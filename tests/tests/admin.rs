//! `portal-admin` as an operator runs it on a deployment: DynamoDB (moto server as the real
//! table) without a data directory. The table is created as template.yaml defines it, a
//! courier's set-password link is on the portal's address (never the local portal's), and
//! `replay-notifications` sends a lost SMS once.

use portal::ctx::Config;
use portal_admin::Env;
use portal_tests::{on_both_backends, Backend, TestApp, SENDER};
use serde_json::{json, Value};

on_both_backends!(replay_notifications_sends_a_lost_sms_once);

const PORTAL: &str = "https://portal.example.com";

fn config() -> Config {
    Config {
        public_base_url: None,
        sender_email: SENDER.into(),
        sms: Default::default(),
        webhooks_allow_private: true,
    }
}

async fn on_table(table: &str) -> Env {
    Env {
        table: Some(table.into()),
        public_base_url: None,
        config: config(),
        sender_email_set: true,
        aws: Some(portal_tests::moto_aws_config().await),
    }
}

async fn admin(env: &Env, args: &[&str]) -> Result<Value, String> {
    portal_admin::run_args(
        std::iter::once("portal-admin").chain(args.iter().copied()),
        env,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_links_are_on_the_portal_url_and_it_is_required() {
    if portal_tests::skip_without_moto() {
        return;
    }
    let table = format!("portal-admin-{}", ulid::Ulid::generate());
    let env = on_table(&table).await;
    let created = admin(&env, &["create-table"]).await.unwrap();
    assert_eq!(created, json!({"table": table, "created": true}));

    let refused = admin(
        &env,
        &[
            "create-courier",
            "--name",
            "Swift Couriers",
            "--email",
            "ops@swift.example",
        ],
    )
    .await
    .unwrap_err();
    assert!(
        refused.contains("--portal-url is required on DynamoDB")
            && refused.contains("PUBLIC_BASE_URL"),
        "{refused}"
    );
    assert!(!refused.contains("ops@swift.example"));

    let courier = admin(
        &env,
        &[
            "create-courier",
            "--name",
            "Swift Couriers",
            "--email",
            "ops@swift.example",
            "--portal-url",
            PORTAL,
        ],
    )
    .await
    .unwrap();
    let link = courier["setPasswordLink"].as_str().unwrap();
    assert!(link.starts_with(&format!("{PORTAL}/")), "{courier}");
    // The courier is on the table: its key is the authorizer's.
    let store = portal::store::dynamo::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(env.aws.as_ref().unwrap()),
        table.clone(),
    );
    let key = format!("Bearer {}", courier["apiKey"].as_str().unwrap());
    let principal = portal::auth::authorize(&store, Some(&key)).await.unwrap();
    assert!(principal.is_ok(), "the courier's key is valid");

    let refused = admin(&env, &["password-link", "--email", "ops@swift.example"])
        .await
        .unwrap_err();
    assert!(refused.contains("--portal-url"), "{refused}");
    let again = admin(
        &env,
        &[
            "password-link",
            "--email",
            "ops@swift.example",
            "--portal-url",
            PORTAL,
        ],
    )
    .await
    .unwrap();
    assert!(
        again["setPasswordLink"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{PORTAL}/")),
        "{again}"
    );
    // PUBLIC_BASE_URL stands for the flag.
    let with_env = Env {
        public_base_url: Some(format!("{PORTAL}/")),
        ..on_table(&table).await
    };
    let again = admin(
        &with_env,
        &["password-link", "--email", "ops@swift.example"],
    )
    .await
    .unwrap();
    assert!(
        again["setPasswordLink"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{PORTAL}/")),
        "{again}"
    );
    let replay = admin(
        &env,
        &[
            "replay-notifications",
            "--from",
            "2026-01-01T00:00:00Z",
            "--to",
            "2026-01-02T00:00:00Z",
        ],
    )
    .await
    .unwrap();
    assert_eq!(replay["ordersLookedAt"], 0, "{replay}");
    let no_sender = Env {
        sender_email_set: false,
        ..on_table(&table).await
    };
    let refused = admin(
        &no_sender,
        &[
            "replay-notifications",
            "--from",
            "2026-01-01T00:00:00Z",
            "--to",
            "2026-01-02T00:00:00Z",
        ],
    )
    .await
    .unwrap_err();
    assert!(refused.starts_with("SENDER_EMAIL is required"), "{refused}");
    let bad = admin(
        &env,
        &[
            "replay-notifications",
            "--from",
            "yesterday",
            "--to",
            "2026-01-02T00:00:00Z",
        ],
    )
    .await
    .unwrap_err();
    assert!(bad.starts_with("--from:"), "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_data_dir_links_default_to_the_local_portal() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env {
        table: Some("ignored-with-a-data-dir".into()),
        public_base_url: None,
        config: config(),
        sender_email_set: false,
        aws: None,
    };
    let courier = admin(
        &env,
        &[
            "create-courier",
            "--name",
            "Swift Couriers",
            "--email",
            "ops@swift.example",
            "--data-dir",
            dir.path().to_str().unwrap(),
        ],
    )
    .await
    .unwrap();
    let link = courier["setPasswordLink"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/", portal_admin::LOCAL_PORTAL_URL)),
        "{courier}"
    );
}

const RECIPIENT: &str = "+33633333333";

/// An order whose SMS never went out (the stream was not delivered), then
/// `portal-admin replay-notifications` over the window, twice.
async fn replay_notifications_sends_a_lost_sms_once(app: TestApp) {
    let from = app.ctx().now() - chrono::Duration::seconds(1);
    let courier = app.create_courier("Swift Couriers").await;
    let client = app
        .onboard_client(&courier, "Bloom Florist", "orders@bloom.example")
        .await;
    let order = app
        .post(
            "/v1/orders",
            &client.key,
            json!({
                "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
                "dropoff": {
                    "address": {"line1": "9 Rue de la Paix", "city": "Paris"},
                    "recipient": {"name": "Marie Curie", "phone": RECIPIENT}
                },
                "weight": 1.0, "pieces": 1
            }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    for (kind, event) in [
        (
            "pickup",
            json!({"type": "assigned", "driver": {"name": "Sam"}}),
        ),
        ("pickup", json!({"type": "started"})),
        ("pickup", json!({"type": "completed"})),
        (
            "dropoff",
            json!({"type": "assigned", "driver": {"name": "Sam"}}),
        ),
        ("dropoff", json!({"type": "started"})),
    ] {
        let task = order.body[kind]["id"].as_str().unwrap();
        let done = app
            .post(&format!("/v1/tasks/{task}/events"), &courier.key, event)
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
    }
    let to = app.ctx().now() + chrono::Duration::seconds(1);
    let env = match app.backend {
        Backend::Moto => on_table(app.table.as_deref().unwrap()).await,
        Backend::Embedded => Env {
            table: None,
            public_base_url: None,
            config: config(),
            sender_email_set: false,
            aws: None,
        },
    };
    let dir = app
        .dir
        .as_ref()
        .map(|d| d.path().to_str().unwrap().to_string());
    let (from, to) = (portal::clock::timestamp(from), portal::clock::timestamp(to));
    let mut args = vec!["replay-notifications", "--from", &from, "--to", &to];
    if let Some(dir) = &dir {
        args.extend(["--data-dir", dir]);
    }
    let replay = admin(&env, &args).await.unwrap();
    assert_eq!(replay["ordersLookedAt"], 1, "{replay}");
    let sent = replay["messagesSent"].as_u64().unwrap();
    assert!(sent >= 1, "the dropoff start's SMS at least: {replay}");
    assert_eq!(replay["alreadySent"], 0, "{replay}");
    assert_eq!(replay["failed"], 0, "{replay}");
    let again = admin(&env, &args).await.unwrap();
    assert_eq!(again["messagesSent"], 0, "{again}");
    assert_eq!(again["alreadySent"], sent, "{again}");
    if app.backend == Backend::Moto {
        // moto keeps every run's SMS: this order's, by its short id.
        let short = order.body["shortId"].as_str().unwrap();
        let texts: Vec<_> = app
            .moto_sms()
            .await
            .into_iter()
            .filter(|(to, text)| to == RECIPIENT && text.contains(short))
            .collect();
        assert_eq!(texts.len() as u64, sent, "{texts:?}");
        assert!(
            texts.iter().any(|(_, t)| t.contains("on its way")),
            "{texts:?}"
        );
    }
}

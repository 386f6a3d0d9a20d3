//! A large courier, written through the portal's own routes in process (the same use
//! cases, builder and transactions as `POST /v1/orders`), without HTTP in between.

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Instant;

use portal::ctx::Config;
use portal::http::ApiResponse;
use portal::store::embedded::EmbeddedStore;
use portal_local::server::Server;
use portal_local::LocalApp;

/// The recipient the benchmark searches for: five orders of the first client, the oldest
/// near the start of the history (so almost every order is newer).
pub const TARGET_NAME: &str = "Ada Lovelace";
pub const TARGET_PHONE: &str = "+33700000001";

const FIRST: [&str; 24] = [
    "Marie", "Jean", "Pierre", "Sophie", "Lucas", "Emma", "Louis", "Chloé", "Hugo", "Léa",
    "Nathan", "Manon", "Paul", "Camille", "Jules", "Sarah", "Arthur", "Inès", "Tom", "Julie",
    "Gabriel", "Zoé", "Martin", "Alice",
];
const LAST: [&str; 30] = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
];
const STREETS: [&str; 12] = [
    "Rue de la Paix",
    "Avenue Foch",
    "Boulevard Haussmann",
    "Rue Royale",
    "Quai Voltaire",
    "Rue du Bac",
    "Avenue de l'Opéra",
    "Rue Oberkampf",
    "Rue de Rivoli",
    "Place Monge",
    "Rue Mouffetard",
    "Cours Lafayette",
];

pub async fn seed(dir: &Path, orders: usize) -> Result<Value, Box<dyn std::error::Error>> {
    if dir.join("portal.sqlite3").exists() {
        return Err(format!(
            "{} already holds a portal: seed a fresh directory",
            dir.display()
        )
        .into());
    }
    let store = EmbeddedStore::open(dir)?;
    let (server, _stream) = portal_local::embedded_portal(store.clone(), Config::from_env()?);
    let (courier, key) = portal::api::couriers::create_courier(
        &server.app.ctx,
        "Bench Couriers",
        "dispatch@bench.example",
        "Europe/Paris",
    )
    .await?;
    let courier_key = key.secret;
    let mut clients = vec![];
    for (i, name) in ["Bloom Florist", "Corner Pharmacy", "Book Nook"]
        .iter()
        .enumerate()
    {
        clients.push(onboard(&server, &store, &courier_key, name, i).await?);
    }
    let mut rng = StdRng::seed_from_u64(8);
    let targets: Vec<usize> = [
        orders / 1000,
        orders * 3 / 10,
        orders * 6 / 10,
        orders * 9 / 10,
        orders - 10,
    ]
    .into_iter()
    .collect();
    let mut target_orders = vec![];
    let started = Instant::now();
    for n in 0..orders {
        let is_target = targets.contains(&n);
        // Half the orders are the first client's, then 30 % and 20 %.
        let client = if is_target {
            0
        } else {
            match rng.random_range(0..10) {
                0..=4 => 0,
                5..=7 => 1,
                _ => 2,
            }
        };
        let (name, phone) = if is_target {
            (TARGET_NAME.to_string(), TARGET_PHONE.to_string())
        } else {
            (
                format!(
                    "{} {}",
                    FIRST[rng.random_range(0..FIRST.len())],
                    LAST[rng.random_range(0..LAST.len())]
                ),
                format!("+336{:08}", rng.random_range(0..100_000_000)),
            )
        };
        let body = json!({
            "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}},
            "dropoff": {
                "address": {
                    "line1": format!("{} {}", rng.random_range(1..200), STREETS[rng.random_range(0..STREETS.len())]),
                    "city": "Paris",
                    "postalCode": format!("750{:02}", rng.random_range(1..21))
                },
                "recipient": {"name": name, "phone": phone}
            },
            "weight": 2.5,
            "externalId": format!("SHOP-{n}")
        });
        let created = call(&server.app, "POST", "/v1/orders", &clients[client].1, body).await?;
        if is_target {
            target_orders.push(created);
        }
        if (n + 1) % 10_000 == 0 {
            eprintln!(
                "seeded {} orders in {:.0} s",
                n + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    // The fan-out has nothing to say about seeded orders: start the stream after them.
    store
        .set_stream_position(
            portal_local::streams::FANOUT,
            store.last_change_seq().await?,
        )
        .await?;
    target_orders.reverse();
    Ok(json!({
        "courierId": courier.id.to_string(),
        "courierKey": courier_key,
        "clients": clients.iter().map(|(id, key)| json!({"id": id, "key": key})).collect::<Vec<_>>(),
        "orders": orders,
        "target": {
            "name": TARGET_NAME,
            "phone": TARGET_PHONE,
            "clientIndex": 0,
            "orderIds": target_orders.iter().map(|o| o["id"].clone()).collect::<Vec<_>>(),
            "oldestShortId": target_orders.last().map(|o| o["shortId"].clone()),
        },
    }))
}

/// Create, invite, accept: a client and its key.
async fn onboard(
    server: &Server,
    store: &EmbeddedStore,
    courier_key: &str,
    name: &str,
    i: usize,
) -> Result<(String, String), Box<dyn std::error::Error>> {
    onboard_with(&server.app, store, courier_key, name, i, json!({})).await
}

/// [`onboard`], with more of the client's fields (`fields` is merged into its creation).
pub async fn onboard_with(
    app: &LocalApp,
    store: &EmbeddedStore,
    courier_key: &str,
    name: &str,
    i: usize,
    fields: Value,
) -> Result<(String, String), Box<dyn std::error::Error>> {
    let email = format!("orders{i}@client.example");
    let mut body = json!({"name": name, "email": email});
    if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
        body.extend(fields.clone());
    }
    let client = call(app, "POST", "/v1/clients", courier_key, body).await?;
    let id = client["id"].as_str().unwrap_or_default().to_string();
    call(
        app,
        "POST",
        &format!("/v1/clients/{id}/invitation"),
        courier_key,
        json!({}),
    )
    .await?;
    let mail = store
        .outbox()
        .await?
        .into_iter()
        .rev()
        .find(|m| m.to == email)
        .ok_or("no invitation email")?;
    // The invitation links the page `/invitations/{token}` (the API accepts the same token).
    let token: String = mail
        .body
        .split("/invitations/")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .filter(|t: &String| !t.is_empty())
        .ok_or("no invitation link")?;
    let response = app
        .handle(
            "POST",
            &format!("/v1/invitations/{token}/accept"),
            http::HeaderMap::new(),
            Bytes::new(),
        )
        .await;
    let accepted = answer(response)?;
    let key = accepted["apiKey"]["key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Ok((id, key))
}

async fn call(
    app: &LocalApp,
    method: &str,
    uri: &str,
    key: &str,
    body: Value,
) -> Result<Value, Box<dyn std::error::Error>> {
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {key}").parse()?);
    let response = app
        .handle(method, uri, headers, Bytes::from(body.to_string()))
        .await;
    answer(response)
}

fn answer(response: ApiResponse) -> Result<Value, Box<dyn std::error::Error>> {
    let text = String::from_utf8_lossy(&response.body).into_owned();
    if response.status >= 300 {
        return Err(format!("{}: {text}", response.status).into());
    }
    Ok(serde_json::from_str(&text)?)
}

//! The demo client: created and priced through the courier's API, its person invited and
//! accepted as on the invitation page, then its orders.

use http::{HeaderMap, HeaderValue};
use serde_json::json;

use portal::accounts::api_keys::create_api_key;
use portal::accounts::invitation::{accept_as_user, FirstUser};
use portal::accounts::password_reset::setup_link;
use portal::accounts::users::user_by_email;
use portal::clients::invite;
use portal::domain::token;
use portal::domain::user::Password;
use portal::domain::{Email, Label, Name};

use super::api::{text, Api};
use super::demo_orders::demo_orders;
use super::{Demo, Person, Result, CLIENT_EMAIL, CLIENT_NAME, CLIENT_PERSON};
use crate::app::LocalApp;

/// The demo client, its pricing, its person, its orders and its API key.
pub(super) async fn demo_data(app: &LocalApp, courier_key: &str, base_url: &str) -> Result<Demo> {
    let ctx = app.ctx.as_ref();
    let api = Api {
        app,
        key: courier_key,
        base_url,
    };
    let client = api
        .post(
            "/v1/clients",
            json!({
                "name": CLIENT_NAME, "email": CLIENT_EMAIL,
                "defaultPickup": {
                    "address": {"line1": "12 Flower Market", "city": "Boston", "state": "MA",
                                "postalCode": "02118", "country": "US"},
                    "contact": {"name": "Flora Demo", "phone": "+15550100001"}
                }
            }),
        )
        .await?;
    let client_id = text(&client, "id")?;
    let service = api
        .post(
            "/v1/services",
            json!({
                "name": "Same day", "sla": {"kind": "same_day", "hours": 4},
                "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                 "from": "08:00", "to": "20:00"}
            }),
        )
        .await?;
    let rates = api
        .post(
            "/v1/rate-tables",
            json!({"name": "Demo flat rate", "currency": "USD", "base": {"method": "flat", "amount": 1500}}),
        )
        .await?;
    api.send(
        "PUT",
        &format!("/v1/clients/{client_id}/services"),
        json!({"services": [{"serviceId": text(&service, "id")?, "rateTableId": text(&rates, "id")?}]}),
    )
    .await?;

    // The client's person: invited and accepted as on the invitation page, with a password
    // nobody knows; the printed link sets theirs.
    let courier = api.principal().await?;
    let invited = invite(ctx, &courier, &client_id, base_url)
        .await
        .map_err(|e| format!("inviting the demo client: {e}"))?;
    let first = FirstUser {
        name: Name::parse(CLIENT_PERSON).map_err(|e| e.to_string())?,
        phone: None,
        password: Password::parse(&token::random_secret()).map_err(|e| e.to_string())?,
    };
    let cookie = accept_as_user(ctx, &invited.token, first)
        .await
        .map_err(|e| format!("accepting the demo invitation: {e}"))?;
    let email = Email::parse(CLIENT_EMAIL).map_err(|e| e.to_string())?;
    let person = user_by_email(ctx, &email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the demo client's person was not created")?;
    let mut headers = HeaderMap::new();
    let cookie = format!("{}={cookie}", portal::accounts::session::COOKIE);
    headers.insert(
        "cookie",
        HeaderValue::from_str(&cookie).map_err(|e| e.to_string())?,
    );
    let client_person = portal::accounts::session::resolve(ctx, &headers)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the demo client's session did not sign in")?;

    let orders = demo_orders(&api, &client_person, &courier).await?;
    // A key of its own, as the person makes one on the API settings page.
    let key = create_api_key(ctx, &client_person, Label::parse("demo key").ok())
        .await
        .map_err(|e| format!("the demo client's API key: {e}"))?;
    // Last: a link works only while the account is as it was when the link was made.
    let link = setup_link(ctx, &person, base_url)
        .await
        .map_err(|e| format!("the demo client's set-password link: {e}"))?;
    Ok(Demo {
        client: Person {
            organisation: CLIENT_NAME.into(),
            email: CLIENT_EMAIL.into(),
            set_password_link: link,
        },
        client_id,
        api_key: key.key.secret,
        orders,
    })
}

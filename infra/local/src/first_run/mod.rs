//! What `portal-local` does on its first start with an empty data directory: the demo
//! courier with its first person (as `portal-admin create-courier` makes them), and unless
//! asked not to, demo data ([`demo`]): a client with its own person, a service and a rate
//! table given to it, and an order in every status ([`demo_orders`]). Everything goes
//! through the use cases (or, where there is none, the route's handler with a real request,
//! as the API runs it: [`api`]), so what a newcomer sees is what the product makes. Later
//! starts create nothing and say how to sign in again ([`welcome`] prints both).

mod api;
mod demo;
mod demo_orders;
mod welcome;

use portal::accounts::users::user_by_email;
use portal::domain::order::Order;
use portal::domain::Email;
use portal::Ctx;

use crate::app::LocalApp;

pub const COURIER_NAME: &str = "Demo Courier";
pub const COURIER_EMAIL: &str = "dispatch@demo-courier.example";
pub const CLIENT_NAME: &str = "Demo Florist";
pub const CLIENT_EMAIL: &str = "orders@demo-florist.example";
const CLIENT_PERSON: &str = "Flora Demo";

/// What a start printed about signing in.
#[derive(Debug)]
pub enum Welcome {
    /// The first start: what was created, with its links.
    FirstRun(FirstRun),
    /// A later start on the same data directory: nothing created.
    Again(Again),
}

#[derive(Debug)]
pub struct FirstRun {
    pub base_url: String,
    pub courier: Person,
    /// The courier's first API key, shown this once.
    pub api_key: String,
    pub demo: Option<Demo>,
}

/// A person who signs in, and the link that sets their password and signs them in.
#[derive(Debug)]
pub struct Person {
    pub organisation: String,
    pub email: String,
    pub set_password_link: String,
}

#[derive(Debug)]
pub struct Demo {
    pub client: Person,
    pub client_id: String,
    /// The demo client's API key (made by its person), shown this once.
    pub api_key: String,
    /// The demo client's orders, one per status (draft, placed, …, withdrawn).
    pub orders: Vec<Order>,
}

#[derive(Debug)]
pub struct Again {
    pub base_url: String,
    /// The demo people still signing in with their demo emails.
    pub people: Vec<(&'static str, &'static str)>,
    /// `--data-dir DIR --portal-url URL` for `portal-admin password-link`.
    pub admin_args: String,
}

type Result<T> = std::result::Result<T, String>;

/// The first start on an empty data directory: the demo courier and its person, and the
/// demo data when `demo`. Links point at `base_url` (where the portal listens).
pub async fn set_up(app: &LocalApp, base_url: &str, demo: bool) -> Result<FirstRun> {
    let ctx = app.ctx.as_ref();
    let created = portal::api::couriers::create_courier_with_user(
        ctx,
        COURIER_NAME,
        COURIER_EMAIL,
        "UTC",
        base_url,
    )
    .await
    .map_err(|e| format!("creating the demo courier: {e}"))?;
    let courier = Person {
        organisation: created.courier.name.clone(),
        email: created.courier.email.clone(),
        set_password_link: created.set_password_link,
    };
    let api_key = created.key.secret;
    let demo = if demo {
        Some(demo::demo_data(app, &api_key, base_url).await?)
    } else {
        None
    };
    Ok(FirstRun {
        base_url: base_url.to_string(),
        courier,
        api_key,
        demo,
    })
}

/// A later start: which demo people exist (nothing is created). `admin_args` locate this
/// portal for `portal-admin` (its data directory and address).
pub async fn again(ctx: &Ctx, base_url: &str, admin_args: &str) -> Result<Again> {
    let mut people = Vec::new();
    for (who, email) in [("courier", COURIER_EMAIL), ("client", CLIENT_EMAIL)] {
        let parsed = Email::parse(email).map_err(|e| e.to_string())?;
        let found = user_by_email(ctx, &parsed)
            .await
            .map_err(|e| e.to_string())?;
        if found.is_some() {
            people.push((who, email));
        }
    }
    Ok(Again {
        base_url: base_url.to_string(),
        people,
        admin_args: admin_args.to_string(),
    })
}

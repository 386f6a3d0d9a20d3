//! The web portal: server-rendered pages (askama) on the same use cases as the JSON API.
//! Each page or form is its own Lambda function, public at API Gateway: the page resolves
//! the `__Host-session` cookie itself (to the same principal an API key gives). Forms are
//! plain HTML forms; every state-changing request is checked against the portal's own
//! origin (Fetch Metadata, else `Origin`).

pub mod account_pages;
pub mod api_pages;
pub mod assets;
pub mod catalog_forms;
pub mod chat_pages;
pub mod client_form;
mod client_zone;
pub mod clients_pages;
pub mod communications_pages;
pub mod courier_orders_pages;
pub mod drafts_pages;
pub mod email_confirmation_pages;
pub mod form_view;
pub mod format;
pub mod import_columns_pages;
pub mod imports_pages;
pub mod invitation_pages;
pub mod multipart;
pub mod new_order_pages;
pub mod order_edit_pages;
pub mod order_errors;
pub mod order_form;
pub mod order_quotes;
pub mod orders_pages;
pub mod reader;
pub mod reset_pages;
pub mod resubmit_pages;
pub mod services_pages;
pub mod settings_pages;
pub mod sign_in_pages;
mod stop_form;
pub mod team_pages;
pub mod teams_pages;
pub mod tracking_settings_pages;
pub mod words;

use askama::Template;

use crate::domain::api_key::Principal;
use crate::error::ApiError;
use crate::http::{ApiRequest, ApiResponse};
use crate::Ctx;

/// An HTML page (never cached: it shows one person's data).
pub fn html(status: u16, page: &impl Template) -> ApiResponse {
    match page.render() {
        Ok(body) => ApiResponse {
            status,
            headers: vec![
                ("content-type".into(), "text/html; charset=utf-8".into()),
                ("cache-control".into(), "no-store".into()),
                ("x-frame-options".into(), "DENY".into()),
                ("referrer-policy".into(), "same-origin".into()),
            ],
            body: body.into(),
        },
        Err(e) => ApiError::Internal(format!("page did not render: {e}")).to_response(),
    }
}

/// The organisation in a signed-in page's header: its name ("Client portal", or "Courier
/// console" for a courier's people, when it has none), and its logo when it has one; and
/// what the reader's navigation holds.
#[derive(Clone, Debug, Default)]
pub struct Brand {
    pub name: String,
    pub logo: Option<String>,
    /// The reader is a courier's person: the courier's own settings (teams) are shown.
    pub courier: bool,
    /// The reader is one of the organisation's admins: the admins-only settings (the
    /// organisation, people, API keys…) are linked; a member's settings link their own only.
    pub admin: bool,
    /// The reader's unread chat messages, shown next to Messages on every signed-in page
    /// (read by [`signed_in`]; the messages pages count again after marking them read).
    pub unread: u64,
    /// The page updates itself (`live.js`): where it connects and what it listens for.
    /// `None`: a page that updates on reload only.
    pub live: Option<Live>,
}

/// What a page's `live.js` is given (data attributes of a hidden element, the policy
/// allowing no inline script): the WebSocket's URL, the session's live ticket (the
/// WebSocket API has its own host, where the session cookie never goes), the messages
/// that make it fetch itself again and swap its `data-live-region`s, and what it then
/// says to a screen reader.
#[derive(Clone, Debug, Default)]
pub struct Live {
    pub url: String,
    pub ticket: String,
    /// The message types heard, space-separated (`order.created order.changed`).
    pub on: &'static str,
    /// Only this order's messages (an order's page); empty: all.
    pub order: String,
    /// Only this client's conversation (a courier's conversation page); empty: all.
    pub client: String,
    /// Said politely after an update ("Orders updated.").
    pub said: &'static str,
}

impl Live {
    /// A signed-in page's live updates: `None` without a session cookie (an API key never
    /// reads pages).
    pub fn page(ctx: &Ctx, req: &ApiRequest, on: &'static str, said: &'static str) -> Option<Self> {
        Some(Live {
            url: live_url(ctx, req),
            ticket: crate::accounts::session::live_ticket(&req.headers)?,
            on,
            order: String::new(),
            client: String::new(),
            said,
        })
    }
}

/// Where a page opens its WebSocket: the stack's `LIVE_URL`, else (portal-local) the
/// portal's own host's `/live`.
pub fn live_url(ctx: &Ctx, req: &ApiRequest) -> String {
    crate::ctx::Config::live_url().unwrap_or_else(|| {
        let base = ctx.base_url(req);
        let ws = match base.strip_prefix("https://") {
            Some(host) => format!("wss://{host}"),
            None => format!("ws://{}", base.trim_start_matches("http://")),
        };
        format!("{ws}/live")
    })
}

impl Brand {
    pub fn of(principal: &Principal) -> Self {
        Self::named(principal.client_name.clone().unwrap_or_default(), principal)
    }

    /// The header of a page whose reader's courier is `courier_name` ([`reader::reader`]): a
    /// courier's people see their courier's name, a client's people their client's.
    pub fn reading(courier_name: &str, principal: &Principal) -> Self {
        match principal.client_id {
            Some(_) => Self::of(principal),
            None => Self::named(courier_name.to_string(), principal),
        }
    }

    /// The principal's logo under a name read elsewhere (the organisation's settings).
    pub fn named(name: String, principal: &Principal) -> Self {
        Brand {
            name,
            logo: principal.logo_url.clone(),
            courier: principal.role == crate::domain::api_key::Role::Courier,
            admin: principal.admin().is_ok(),
            unread: principal.unread_messages,
            live: None,
        }
    }
}

impl std::fmt::Display for Brand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.name.is_empty() && self.courier {
            f.write_str("Courier console")
        } else if self.name.is_empty() {
            f.write_str("Client portal")
        } else {
            f.write_str(&self.name)
        }
    }
}

/// A link that cannot be used as a page: unknown (404, `unknown` says so), or used,
/// expired or replaced (410, the error's own words). Any other error answers as itself.
pub(crate) fn unusable_link(e: ApiError, title: &str, unknown: &str) -> ApiResponse {
    match &e {
        ApiError::NotFound(_) => link_page(404, title, unknown.to_string()),
        ApiError::Gone { message, .. } | ApiError::Conflict { message, .. } => {
            link_page(410, title, format!("{}.", capitalise(message)))
        }
        _ => e.to_response(),
    }
}

/// The page of a link that cannot be used: `title`, and `message` as it is said.
pub(crate) fn link_page(status: u16, title: &str, message: String) -> ApiResponse {
    html(
        status,
        &MessagePage {
            title,
            message: &message,
            signed_in: false,
            brand: None,
        },
    )
}

pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// 303 See Other: after a form, the browser GETs `location`.
pub fn redirect(location: &str) -> ApiResponse {
    ApiResponse {
        status: 303,
        headers: vec![
            ("location".into(), location.into()),
            ("cache-control".into(), "no-store".into()),
        ],
        body: Default::default(),
    }
}

/// The fields of an `application/x-www-form-urlencoded` body.
pub fn form(req: &ApiRequest) -> Vec<(String, String)> {
    form_urlencoded::parse(&req.body).into_owned().collect()
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// A form's value read as the JSON API reads the same field: by its type's own check, so
/// the page shows the API's words; an error names `name`.
pub fn typed<T: serde::de::DeserializeOwned>(
    name: &str,
    value: serde_json::Value,
) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::invalid(name, e.to_string()))
}

/// A state-changing request must come from the portal's own pages: `Sec-Fetch-Site:
/// same-origin` when the browser sends Fetch Metadata, else an `Origin` equal to the
/// portal's. Neither: refused (every current browser sends one of them on a POST).
pub fn same_origin(ctx: &Ctx, req: &ApiRequest) -> bool {
    match req.header("sec-fetch-site") {
        Some(site) => site == "same-origin",
        None => req
            .header("origin")
            .is_some_and(|origin| origin.trim_end_matches('/') == ctx.base_url(req)),
    }
}

#[derive(Template)]
#[template(path = "web/message.html")]
pub struct MessagePage<'a> {
    pub title: &'a str,
    pub message: &'a str,
    pub signed_in: bool,
    /// The signed-in reader's organisation, when known: the page has its whole navigation
    /// (else a signed-in page links the orders and the person's own account only).
    pub brand: Option<Brand>,
}

/// A refused cross-site form post.
pub fn cross_site() -> ApiResponse {
    html(
        403,
        &MessagePage {
            title: "Request refused",
            message: "This form was sent from another site. Open the portal and try again.",
            brand: None,
            signed_in: false,
        },
    )
}

pub fn not_found(signed_in: bool) -> ApiResponse {
    html(
        404,
        &MessagePage {
            title: "Not found",
            brand: None,
            message: "There is nothing here, or it belongs to someone else.",
            signed_in,
        },
    )
}

/// The signed-in person, or the redirect to sign in.
pub async fn signed_in(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    Ok(
        match crate::accounts::session::resolve(ctx, &req.headers).await? {
            Some(mut principal) => {
                // Every signed-in page's navigation says how many messages are unread.
                principal.unread_messages = crate::chat::unread_count(ctx, &principal).await?;
                Ok(principal)
            }
            None => Err(redirect("/login")),
        },
    )
}

/// A form post by the signed-in person: from another site, refused (403); without a
/// session, sent to sign in; else its principal.
pub async fn signed_in_post(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    if !same_origin(ctx, req) {
        return Ok(Err(cross_site()));
    }
    signed_in(ctx, req).await
}

/// The signed-in person on a page only the organisation's admins may open (people, API
/// keys, integrations, settings): a member gets 403 ([`Principal::admin`], the API's check).
pub async fn signed_in_admin(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    Ok(signed_in(ctx, req).await?.and_then(admins_only))
}

/// A form post of an admins-only page ([`signed_in_post`], then [`signed_in_admin`]'s check).
pub async fn signed_in_admin_post(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    Ok(signed_in_post(ctx, req).await?.and_then(admins_only))
}

/// The signed-in person on a page only a client's people use (placing orders, drafts): a
/// courier's person finds nothing there (404), as a client's finds nothing on a courier page.
pub async fn signed_in_client(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    Ok(signed_in(ctx, req).await?.and_then(clients_only))
}

/// A form post of a page only a client's people use ([`signed_in_post`], then
/// [`signed_in_client`]'s check).
pub async fn signed_in_client_post(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    Ok(signed_in_post(ctx, req).await?.and_then(clients_only))
}

/// [`signed_in_admin`] on a page of a client's own settings (its messages, its tracking
/// page): a courier's person finds nothing there (404).
pub async fn signed_in_client_admin(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    Ok(signed_in_client(ctx, req).await?.and_then(admins_only))
}

/// A form post of [`signed_in_client_admin`]'s pages.
pub async fn signed_in_client_admin_post(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    Ok(signed_in_client_post(ctx, req).await?.and_then(admins_only))
}

/// The signed-in person on a courier's page (its clients, services and rates, orders'
/// actions): a client's person finds nothing there (404).
pub async fn signed_in_courier(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    Ok(signed_in(ctx, req).await?.and_then(couriers_only))
}

/// A form post of a courier's page ([`signed_in_post`], then [`signed_in_courier`]'s check).
pub async fn signed_in_courier_post(
    ctx: &Ctx,
    req: &ApiRequest,
) -> Result<Result<Principal, ApiResponse>, ApiError> {
    Ok(signed_in_post(ctx, req).await?.and_then(couriers_only))
}

fn couriers_only(principal: Principal) -> Result<Principal, ApiResponse> {
    match principal.client_id {
        None => Ok(principal),
        Some(_) => Err(not_found(true)),
    }
}

fn clients_only(principal: Principal) -> Result<Principal, ApiResponse> {
    match principal.client_id {
        Some(_) => Ok(principal),
        None => Err(not_found(true)),
    }
}

fn admins_only(principal: Principal) -> Result<Principal, ApiResponse> {
    match principal.admin() {
        Ok(_) => Ok(principal),
        Err(refused) => Err(html(
            403,
            &MessagePage {
                title: "Admins only",
                message: &format!("{}.", capitalise(&refused.to_string())),
                signed_in: true,
                brand: Some(Brand::of(&principal)),
            },
        )),
    }
}

/// `GET /`: the orders when signed in, else the sign-in page.
pub async fn home_page(ctx: &Ctx, req: ApiRequest) -> crate::http::ApiResult {
    Ok(match signed_in(ctx, &req).await? {
        Ok(_) => redirect("/orders"),
        Err(to_login) => to_login,
    })
}

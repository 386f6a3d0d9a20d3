//! The demo client's orders, one in every status, each driven there by the use cases the
//! API runs: so their timelines, indexes and short ids are real.

use serde_json::{json, Value};

use portal::domain::api_key::Principal;
use portal::domain::order::{task_id, Order, Stop};
use portal::domain::order_machine::{OrderStatus, TaskKind};
use portal::domain::text::Notes;
use portal::ordering::{change_status, create_order, find_order, Created, NewOrder, StatusChange};

use super::api::Api;
use super::Result;

/// The demo orders: to whom, and the status each is driven to.
const PLAN: [(&str, &str, OrderStatus); 8] = [
    ("Ada Lovelace", "3 Beacon St", OrderStatus::Draft),
    ("Grace Hopper", "41 Elm St", OrderStatus::Placed),
    ("Alan Turing", "7 Harvard Sq", OrderStatus::Scheduled),
    ("Katherine Johnson", "22 Main St", OrderStatus::InProgress),
    ("Marie Curie", "9 Oak Ave", OrderStatus::Completed),
    ("Rosalind Franklin", "15 Pine Rd", OrderStatus::Failed),
    ("Emmy Noether", "88 Cedar Ln", OrderStatus::Rejected),
    ("Lise Meitner", "5 Maple Ct", OrderStatus::Withdrawn),
];

/// One order per status, each driven there as it would be in use: the client creates
/// (or drafts) it, the courier records task events or rejects it, the client withdraws it.
pub(super) async fn demo_orders(
    api: &Api<'_>,
    client: &Principal,
    courier: &Principal,
) -> Result<Vec<Order>> {
    let ctx = api.app.ctx.as_ref();
    let mut orders = Vec::new();
    for (n, (recipient, street, status)) in PLAN.into_iter().enumerate() {
        let draft = status == OrderStatus::Draft;
        let order = new_order(api, client, recipient, street, n, draft).await?;
        for (kind, event) in task_events(status) {
            let task = task_id(&order.id, kind);
            api.send("POST", &format!("/v1/tasks/{task}/events"), event)
                .await?;
        }
        let change = match status {
            OrderStatus::Rejected => Some((courier, rejection()?)),
            OrderStatus::Withdrawn => Some((client, StatusChange::Withdraw)),
            _ => None,
        };
        if let Some((who, change)) = change {
            change_status(ctx, who, &order.id, change)
                .await
                .map_err(|e| format!("a demo order's status: {e}"))?;
        }
        let order = find_order(ctx, client, &order.id)
            .await
            .map_err(|e| e.to_string())?;
        if order.status != status {
            return Err(format!(
                "the demo order {} is {}, not {}",
                order.id,
                order.status.as_str(),
                status.as_str()
            ));
        }
        orders.push(order);
    }
    Ok(orders)
}

/// The task events (as the courier's dispatch system posts them) that take a placed order
/// to `status`.
fn task_events(status: OrderStatus) -> Vec<(TaskKind, Value)> {
    use TaskKind::{Dropoff, Pickup};
    let assigned =
        || json!({"type": "assigned", "driver": {"name": "Sam Rivera", "phone": "+15550100002"}});
    let started = || json!({"type": "started"});
    let picked_up = vec![
        (Pickup, assigned()),
        (Pickup, started()),
        (Pickup, json!({"type": "completed"})),
        (Dropoff, assigned()),
        (Dropoff, started()),
    ];
    match status {
        OrderStatus::Scheduled => vec![(Pickup, assigned())],
        OrderStatus::InProgress => picked_up,
        OrderStatus::Completed => {
            let mut events = picked_up;
            events.push((Dropoff, json!({"type": "arrived"})));
            events.push((
                Dropoff,
                json!({"type": "completed", "notes": "Left with the concierge",
                       "proof": {"signature": "J. Ortiz", "notes": "Left with the concierge"}}),
            ));
            events
        }
        OrderStatus::Failed => vec![
            (Pickup, assigned()),
            (Pickup, started()),
            (
                Pickup,
                json!({"type": "failed", "failureReason": "The shop was closed"}),
            ),
        ],
        _ => vec![],
    }
}

fn rejection() -> Result<StatusChange> {
    Ok(StatusChange::Reject {
        reason: Notes::parse("We do not deliver to this street on weekends")
            .map_err(|e| e.to_string())?,
    })
}

async fn new_order(
    api: &Api<'_>,
    client: &Principal,
    recipient: &str,
    street: &str,
    n: usize,
    draft: bool,
) -> Result<Order> {
    let stop = |value: Value| serde_json::from_value::<Stop>(value).map_err(|e| e.to_string());
    let pickup = stop(json!({
        "address": {"line1": "12 Flower Market", "city": "Boston", "state": "MA",
                    "postalCode": "02118", "country": "US"},
        "contact": {"name": "Flora Demo", "phone": "+15550100001"}
    }))?;
    let dropoff = stop(json!({
        "address": {"line1": street, "city": "Cambridge", "state": "MA",
                    "postalCode": "02139", "country": "US"},
        "recipient": {"name": recipient, "phone": format!("+1555020{n:04}")}
    }))?;
    let cmd = NewOrder {
        by: client.clone(),
        pickup,
        dropoff,
        weight: None,
        pieces: None,
        notes: Notes::parse("A bouquet of seasonal flowers").ok(),
        external_id: None,
        service_id: None,
        draft,
        client_id: None,
        idempotency: None,
        base_url: api.base_url.to_string(),
    };
    match create_order(api.app.ctx.as_ref(), cmd)
        .await
        .map_err(|e| format!("a demo order: {e}"))?
    {
        Created::Order(order) => Ok(*order),
        Created::Replayed { .. } => Err("a demo order was replayed".into()),
    }
}

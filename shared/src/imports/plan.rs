//! What each row of an import will do, decided before anything is written (so a preflight
//! answers exactly what the import would do): a new order, an update of the draft its `Id`
//! made before, nothing (already submitted), or its errors.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::columns::{circuit_name, Column, Header};
use super::error::ImportError;
use super::record::RowStatus;
use super::rows::{parse_row, ParsedRow, RowContext, RowError, StopKind};
use super::sheet::{Cell, Sheet};
use crate::domain::client::{Client, ClientStatus};
use crate::domain::ids::ClientId;
use crate::domain::order::Order;
use crate::domain::order_machine::OrderStatus;
use crate::domain::token;
use crate::store::records::from_item;
use crate::store::{keys, Key};
use crate::Ctx;

/// Whom the rows are for: one client, or (track-only) the client each row names.
pub enum Owners {
    Client(Box<(Client, RowContext)>),
    /// A courier's clients by id, with the context their rows are read in; rows naming
    /// another id are errors.
    Courier {
        clients: HashMap<ClientId, (Client, RowContext)>,
        /// Context of rows whose client is unknown (for their other errors).
        fallback: RowContext,
        /// `?clientId=`: the client of rows without a Client ID.
        default: Option<ClientId>,
    },
}

#[derive(Debug, Clone)]
pub enum Planned {
    Bad {
        line: usize,
        id: Option<String>,
        errors: Vec<RowError>,
    },
    New {
        id: Option<String>,
        client: ClientId,
        row: Box<ParsedRow>,
        marker: Key,
        /// The marker exists, holding this order id, but the order does not: an import
        /// stopped between its markers and its orders. The order is written with this id.
        recover: Option<String>,
    },
    Update {
        id: Option<String>,
        row: Box<ParsedRow>,
        order: Box<Order>,
    },
    Unchanged {
        line: usize,
        id: Option<String>,
        order_id: String,
    },
    /// A background import's row that an earlier attempt of the same import wrote (its
    /// marker holds the order id derived from the import and the row, or its draft's last
    /// edit names the import): nothing is written again.
    Written {
        line: usize,
        id: Option<String>,
        order_id: String,
        status: RowStatus,
        /// A placed order's search terms are put again (idempotent puts): the attempt that
        /// wrote the order may have stopped before them.
        placed: Option<Box<Order>>,
        /// The client of the order an earlier attempt created (not of an updated draft):
        /// it is counted when this attempt records the rows.
        new_order_of: Option<String>,
    },
}

/// The rows a background import writes as its own: the order id of each row is derived
/// from the import's id and the row's line, so an attempt that stopped part-way is finished
/// by the next with no row written twice.
#[derive(Debug, Clone)]
pub struct OwnRows {
    pub import_id: String,
}

impl OwnRows {
    /// The order id of the row at `line`: a ULID of the import's time, its random part a
    /// SHA-256 of the import id and the line.
    pub fn order_id(&self, line: usize) -> String {
        let at_ms = self
            .import_id
            .strip_prefix("imp_")
            .and_then(|u| ulid::Ulid::from_string(u).ok())
            .map(|u| u.timestamp_ms())
            .unwrap_or_default();
        let digest = Sha256::digest(format!("{}#{line}", self.import_id).as_bytes());
        let mut random = [0u8; 16];
        random.copy_from_slice(&digest[..16]);
        format!(
            "ord_{}",
            ulid::Ulid::from_parts(at_ms, u128::from_be_bytes(random))
        )
    }

    /// The timeline detail of a draft this import re-imported.
    pub fn reimport_detail(&self) -> String {
        format!("re-imported ({})", self.import_id)
    }
}

/// The marker that keeps one order per client and row identity (its `Id`, or for rows
/// without one, the row's content).
pub fn marker_key(courier_id: &str, client_id: &str, identity: &str) -> Key {
    keys::import_marker(courier_id, client_id, &token::hash(identity))
}

pub async fn plan(
    ctx: &Ctx,
    courier_id: &str,
    header: &Header,
    sheet: &Sheet,
    owners: &Owners,
) -> Result<Vec<Planned>, ImportError> {
    let planned = plan_rows(courier_id, header, sheet, owners);
    resolve_existing(ctx, courier_id, planned, None).await
}

/// Every row read and checked (errors, repeated rows), before any read of the store.
pub fn plan_rows(
    courier_id: &str,
    header: &Header,
    sheet: &Sheet,
    owners: &Owners,
) -> Vec<Planned> {
    let mut planned = Vec::with_capacity(sheet.rows.len());
    // Rows by identity: a second row with the same one is an error.
    let mut seen: HashMap<(ClientId, String), usize> = HashMap::new();
    for row in &sheet.rows {
        let id_cell = header.position(Column::Id).map(|i| row.cell(i).text());
        let id = id_cell.filter(|t| !t.is_empty());
        let (client, cx, mut errors) = owner_of(header, row, owners);
        let parsed = match cx {
            Some(cx) => parse_row(header, row, cx),
            None => Err(vec![]),
        };
        let parsed = match parsed {
            Ok(parsed) => Some(parsed),
            Err(mut more) => {
                errors.append(&mut more);
                None
            }
        };
        let (Some(parsed), Some(client)) = (parsed, client) else {
            planned.push(Planned::Bad {
                line: row.line,
                id,
                errors,
            });
            continue;
        };
        if let Some(problem) = missing_default(client, parsed.kind) {
            planned.push(Planned::Bad {
                line: row.line,
                id,
                errors: vec![RowError {
                    row: row.line,
                    column: header.name(Column::StopType),
                    value: header
                        .position(Column::StopType)
                        .map(|i| row.cell(i).text())
                        .unwrap_or_default(),
                    reason: problem.into(),
                }],
            });
            continue;
        }
        let identity = match &id {
            Some(id) => format!("id:{id}"),
            None => format!("row:{}", content(&row.cells)),
        };
        if let Some(first) = seen.get(&(client.id.clone(), identity.clone())) {
            planned.push(Planned::Bad {
                line: row.line,
                id: id.clone(),
                errors: vec![RowError {
                    row: row.line,
                    column: header.name(Column::Id),
                    value: id.unwrap_or_default(),
                    reason: format!("repeats row {first}"),
                }],
            });
            continue;
        }
        seen.insert((client.id.clone(), identity.clone()), row.line);
        planned.push(Planned::New {
            id,
            client: client.id.clone(),
            marker: marker_key(courier_id, client.id.as_str(), &identity),
            row: Box::new(parsed),
            recover: None,
        });
    }
    planned
}

/// The row's content, for rows without an `Id`.
fn content(cells: &[Cell]) -> String {
    cells
        .iter()
        .map(Cell::text)
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

fn missing_default(client: &Client, kind: StopKind) -> Option<&'static str> {
    if client.default_pickup.is_some() {
        return None;
    }
    Some(match kind {
        StopKind::Delivery => "the client has no default pickup address to deliver from",
        StopKind::Pickup => "the client has no default address to deliver pickups to",
    })
}

/// The client of a row and the context it is read in, or why it has none.
fn owner_of<'a>(
    header: &Header,
    row: &super::sheet::Row,
    owners: &'a Owners,
) -> (Option<&'a Client>, Option<&'a RowContext>, Vec<RowError>) {
    match owners {
        Owners::Client(owner) => (Some(&owner.0), Some(&owner.1), vec![]),
        Owners::Courier {
            clients,
            fallback,
            default,
        } => {
            let raw = header
                .position(Column::ClientId)
                .map(|i| row.cell(i).text())
                .filter(|t| !t.is_empty());
            let wanted = match &raw {
                Some(raw) => ClientId::parse(raw).ok(),
                None => default.clone(),
            };
            let found = wanted.as_ref().and_then(|id| clients.get(id));
            match found {
                Some((client, cx)) if client.status != ClientStatus::Deleted => {
                    (Some(client), Some(cx), vec![])
                }
                _ => {
                    let reason = match (&raw, found) {
                        (None, _) if default.is_none() => "is required: name the client of the row",
                        (_, Some(_)) => "is a deleted client",
                        _ => "is not one of your clients",
                    };
                    let column = if header.position(Column::ClientId).is_some() {
                        header.name(Column::ClientId)
                    } else {
                        circuit_name(Column::ClientId).to_string()
                    };
                    let error = RowError {
                        row: row.line,
                        column,
                        value: raw.unwrap_or_default(),
                        reason: reason.into(),
                    };
                    (None, Some(fallback), vec![error])
                }
            }
        }
    }
}

/// Rows whose marker exists: an update of their draft, or unchanged; for a background
/// import (`own`), rows an earlier attempt of it wrote are [`Planned::Written`], and an
/// order its marker names but that is missing is written at once (the attempt stopped).
pub async fn resolve_existing(
    ctx: &Ctx,
    courier_id: &str,
    planned: Vec<Planned>,
    own: Option<&OwnRows>,
) -> Result<Vec<Planned>, ImportError> {
    let markers: Vec<Key> = planned
        .iter()
        .filter_map(|p| match p {
            Planned::New { marker, .. } => Some(marker.clone()),
            _ => None,
        })
        .collect();
    let mut order_ids: HashMap<Key, String> = HashMap::new();
    // When each marker was written (markers written before this field: with their order).
    let mut marked_at: HashMap<Key, String> = HashMap::new();
    for chunk in markers.chunks(100) {
        for (key, item) in chunk.iter().zip(ctx.store.batch_get(chunk).await?) {
            let Some(item) = item else { continue };
            if let Some(order_id) = item.get("orderId").and_then(|v| v.as_str()) {
                order_ids.insert(key.clone(), order_id.to_string());
            }
            if let Some(at) = item.get("at").and_then(|v| v.as_str()) {
                marked_at.insert(key.clone(), at.to_string());
            }
        }
    }
    if order_ids.is_empty() {
        return Ok(planned);
    }
    let order_keys: Vec<Key> = order_ids
        .values()
        .map(|id| crate::store::keys::order(courier_id, id))
        .collect();
    let mut orders: HashMap<String, Order> = HashMap::new();
    for chunk in order_keys.chunks(100) {
        for item in ctx.store.batch_get(chunk).await?.into_iter().flatten() {
            let order: Order = from_item(item)?;
            orders.insert(order.id.clone(), order);
        }
    }
    // A marker without its order this long after it was written: its import has stopped
    // (a function runs 15 minutes at most).
    let stopped_before = crate::clock::timestamp(ctx.now() - chrono::Duration::minutes(15));
    Ok(planned
        .into_iter()
        .map(|p| match p {
            Planned::New {
                id,
                client,
                row,
                marker,
                recover,
            } => match order_ids.get(&marker) {
                None => Planned::New {
                    id,
                    client,
                    row,
                    marker,
                    recover,
                },
                Some(order_id) if own.is_some_and(|o| o.order_id(row.line) == *order_id) => {
                    match orders.get(order_id) {
                        Some(order) => Planned::Written {
                            line: row.line,
                            id,
                            order_id: order_id.clone(),
                            status: if order.status == OrderStatus::Draft {
                                RowStatus::Draft
                            } else {
                                RowStatus::Placed
                            },
                            placed: (!order.unindexed).then(|| Box::new(order.clone())),
                            new_order_of: Some(order.client_id.to_string()),
                        },
                        None => Planned::New {
                            id,
                            client,
                            row,
                            marker,
                            recover: Some(order_id.clone()),
                        },
                    }
                }
                Some(order_id) => match orders.get(order_id) {
                    Some(order)
                        if own.is_some_and(|o| {
                            order.timeline.last().and_then(|t| t.detail.as_deref())
                                == Some(o.reimport_detail().as_str())
                        }) =>
                    {
                        Planned::Written {
                            line: row.line,
                            id,
                            order_id: order.id.clone(),
                            status: RowStatus::Updated,
                            placed: None,
                            new_order_of: None,
                        }
                    }
                    Some(order) if order.status == OrderStatus::Draft => Planned::Update {
                        id,
                        row,
                        order: Box::new(order.clone()),
                    },
                    Some(order) => Planned::Unchanged {
                        line: row.line,
                        id,
                        order_id: order.id.clone(),
                    },
                    None if marked_at
                        .get(&marker)
                        .is_none_or(|at| *at < stopped_before) =>
                    {
                        Planned::New {
                            id,
                            client,
                            row,
                            marker,
                            recover: Some(order_id.clone()),
                        }
                    }
                    None => Planned::Bad {
                        line: row.line,
                        id: id.clone(),
                        errors: vec![RowError {
                            row: row.line,
                            column: circuit_name(Column::Id).into(),
                            value: id.unwrap_or_default(),
                            reason: "is being imported by another request; import again in a few minutes".into(),
                        }],
                    },
                },
            },
            other => other,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::OwnRows;

    #[test]
    fn a_background_imports_order_ids_are_derived_from_the_import_and_the_row() {
        let own = OwnRows {
            import_id: "imp_01KBX7Y3T2Q9M4ZC8N6RJ5W0HD".into(),
        };
        let first = own.order_id(2);
        assert_eq!(first, own.order_id(2), "the same on every attempt");
        assert!(first.starts_with("ord_"));
        assert_ne!(first, own.order_id(3));
        let other = OwnRows {
            import_id: "imp_01KBX7Y3T2Q9M4ZC8N6RJ5W0HE".into(),
        };
        assert_ne!(first, other.order_id(2));
        // A ULID of the import's time: ids sort with the import's.
        let ulid = ulid::Ulid::from_string(first.trim_start_matches("ord_")).unwrap();
        let import = ulid::Ulid::from_string("01KBX7Y3T2Q9M4ZC8N6RJ5W0HD").unwrap();
        assert_eq!(ulid.timestamp_ms(), import.timestamp_ms());
    }
}

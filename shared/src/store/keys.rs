//! Every key of the single table is built here (see `infra/DATA_MODEL.md`).

use super::Key;

pub fn courier(courier_id: &str) -> Key {
    Key::new(courier_pk(courier_id), "PROFILE")
}

pub fn courier_pk(courier_id: &str) -> String {
    format!("COURIER#{courier_id}")
}

pub fn client(courier_id: &str, client_id: &str) -> Key {
    Key::new(
        courier_pk(courier_id),
        format!("{CLIENT_PREFIX}{client_id}"),
    )
}

/// Sort-key prefix of a courier's clients (`Query` lists them, newest first).
pub const CLIENT_PREFIX: &str = "CLIENT#";

/// Marker that keeps a client email unique within a courier.
pub fn client_email(courier_id: &str, email: &str) -> Key {
    Key::new(
        courier_pk(courier_id),
        format!("EMAIL#{}", email.to_lowercase()),
    )
}

/// What the authorizer reads: the key's SHA-256 hash → its organisation.
pub fn api_key_secret(hash_hex: &str) -> Key {
    Key::new(format!("APIKEY#{hash_hex}"), "APIKEY")
}

/// The organisation's own record of a key, for listing and revoking by id.
pub fn api_key(org_id: &str, key_id: &str) -> Key {
    Key::new(org_pk(org_id), format!("{KEY_PREFIX}{key_id}"))
}

pub fn org_pk(org_id: &str) -> String {
    format!("ORG#{org_id}")
}

pub const KEY_PREFIX: &str = "KEY#";

pub fn invitation(token_hash_hex: &str) -> Key {
    Key::new(format!("INVITE#{token_hash_hex}"), "INVITE")
}

/// The latest position of a task's driver, beside its order under the courier's partition
/// (not an `ORDER#` key: the status fan-out's stream filter lets none of its writes through).
pub fn driver_position(courier_id: &str, order_id: &str, kind: &str) -> Key {
    Key::new(
        courier_pk(courier_id),
        format!("{POSITION_PREFIX}{order_id}#{kind}"),
    )
}

pub const POSITION_PREFIX: &str = "POSITION#";

/// A user by login email (normalized): one GetItem at sign-in; the key keeps emails unique.
pub fn user(email_normalized: &str) -> Key {
    Key::new(format!("USER#{email_normalized}"), "USER")
}

/// A user by id → its login email (the user item's key), for the pages of a signed-in user.
pub fn user_ref(user_id: &str) -> Key {
    Key::new(format!("USERID#{user_id}"), "USER")
}

/// A person of an organisation (the courier, or a client): their id and role, under the
/// organisation's partition, so its people are one Query.
pub fn member(org_id: &str, user_id: &str) -> Key {
    Key::new(org_pk(org_id), format!("{MEMBER_PREFIX}{user_id}"))
}

pub const MEMBER_PREFIX: &str = "MEMBER#";

/// How many admins an organisation has (`admins`): removing or demoting one is a
/// conditional write on it, so two admins demoting each other cannot leave none.
pub fn admin_count(org_id: &str) -> Key {
    Key::new(org_pk(org_id), "ADMINS")
}

/// A password-reset (or first set-password) link, by the hash of its token.
pub fn password_reset(token_hash_hex: &str) -> Key {
    Key::new(format!("RESET#{token_hash_hex}"), "RESET")
}

/// A pending change of a user's login email, by the hash of its confirmation token.
pub fn login_email_change(token_hash_hex: &str) -> Key {
    Key::new(format!("LOGINEMAIL#{token_hash_hex}"), "LOGINEMAIL")
}

/// A user's sessions share a partition, so a password change ends them all with one Query.
pub fn user_sessions_pk(user_id: &str) -> String {
    format!("SESSIONS#{user_id}")
}

/// A session by the hash of its secret, under its user.
pub fn session(user_id: &str, secret_hash_hex: &str) -> Key {
    Key::new(
        user_sessions_pk(user_id),
        format!("SESSION#{secret_hash_hex}"),
    )
}

/// Sign-in attempts of one subject (`account#<email>` or `addr#<ip>`) in one window.
pub fn sign_in_attempts(subject: &str, window_start: i64) -> Key {
    Key::new(
        format!("ATTEMPTS#{subject}"),
        format!("WINDOW#{window_start}"),
    )
}

pub fn email_confirmation(token_hash_hex: &str) -> Key {
    Key::new(format!("EMAILCONF#{token_hash_hex}"), "EMAILCONF")
}

/// GSI3 key of an order: its tracking token, for the public tracking page.
pub fn tracking_pk(tracking_token: &str) -> String {
    format!("TRACK#{tracking_token}")
}

pub const TRACKING_SK: &str = "ORDER";

/// Partition of a courier's search terms (`SK` = [`search_sk`]).
pub fn search_pk(courier_id: &str) -> String {
    format!("SEARCH#{courier_id}")
}

/// GSI1 partition of one client's search terms (`GSI1SK` = [`search_sk`]), so that a
/// client's search reads only its own orders.
pub fn client_search_pk(client_id: &str) -> String {
    format!("SEARCH#{client_id}")
}

/// One search term of one order: terms sort by term, then by order id (oldest first), so
/// `begins_with` finds a term's start and a whole term's orders read newest first backwards.
pub fn search_sk(term: &str, order_id: &str) -> String {
    format!("{term}{SEARCH_TERM_END}{order_id}")
}

/// Ends a term in [`search_sk`]: terms are letters and digits, and `#` sorts before both.
pub const SEARCH_TERM_END: char = '#';

/// One search term of an order (in the courier's search partition).
pub fn search_term(courier_id: &str, term: &str, order_id: &str) -> Key {
    Key::new(search_pk(courier_id), search_sk(term, order_id))
}

/// Written before a message is sent, so that a redelivered stream record sends nothing twice.
pub fn notification(notification_id: &str) -> Key {
    Key::new(format!("NOTIF#{notification_id}"), "NOTIF")
}

/// A phone number that answered STOP.
pub fn opt_out(phone_e164: &str) -> Key {
    Key::new(format!("OPTOUT#{phone_e164}"), "OPTOUT")
}

/// An inbound SMS already answered (SNS may deliver it again).
pub fn inbound_sms(message_id: &str) -> Key {
    Key::new(format!("INBOUND#{message_id}"), "INBOUND")
}

/// An integration, by its id alone: the public webhook reads it first.
pub fn integration(integration_id: &str) -> Key {
    Key::new(integration_pk(integration_id), "INTEGRATION")
}

/// The partition of an integration: the integration, its deliveries and its markers.
pub fn integration_pk(integration_id: &str) -> String {
    format!("INTEGRATION#{integration_id}")
}

/// GSI1 partition of a client's integrations (`GSI1SK` = `INTEGRATION#{integrationId}`).
pub fn client_integrations_pk(client_id: &str) -> String {
    format!("INTEGRATIONS#{client_id}")
}

/// One delivery of the integration inbox.
pub fn delivery(integration_id: &str, delivery_id: &str) -> Key {
    Key::new(
        integration_pk(integration_id),
        format!("{DELIVERY_PREFIX}{delivery_id}"),
    )
}

/// Sort-key prefix of an integration's deliveries (`Query` lists them, newest first).
pub const DELIVERY_PREFIX: &str = "DELIVERY#";

/// A platform delivery already handled (its id, or WooCommerce's source + order + topic +
/// modification time), hashed: a redelivery changes nothing.
pub fn delivery_marker(integration_id: &str, dedupe_hash: &str) -> Key {
    Key::new(
        integration_pk(integration_id),
        format!("SEEN#{dedupe_hash}"),
    )
}

/// The order made from a platform order: one platform order never makes two orders.
pub fn platform_order(integration_id: &str, platform_order_id: &str) -> Key {
    Key::new(
        integration_pk(integration_id),
        format!("SHOPORDER#{platform_order_id}"),
    )
}
/// Sort-key prefix of a courier's orders (`Query` lists them, newest first).
pub const ORDER_PREFIX: &str = "ORDER#";

/// The first sort key after every order's (`#` + 1 = `$`): orders are `ORDER_PREFIX < SK <
/// ORDER_PREFIX_END`, for a filter (a Scan cannot use `begins_with` on our `Cond`).
pub const ORDER_PREFIX_END: &str = "ORDER$";

/// An order, in its courier's partition.
pub fn order(courier_id: &str, order_id: &str) -> Key {
    Key::new(courier_pk(courier_id), format!("{ORDER_PREFIX}{order_id}"))
}

/// The order ids created within `from ..= to` (either end open): ULIDs of the first and the
/// last possible id of those instants, so a creation range is a key range of `ORDER#` sort
/// keys, or a filter on the `orderId` of search terms.
pub fn order_id_range(
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
) -> (String, String) {
    let ulid_at = |at: chrono::DateTime<chrono::Utc>, random: u128| {
        let ms = at.timestamp_millis().clamp(0, (1 << 48) - 1) as u64;
        format!("ord_{}", ulid::Ulid::from_parts(ms, random))
    };
    (
        from.map_or_else(|| "ord_".to_string(), |at| ulid_at(at, 0)),
        to.map_or_else(|| "ord_~".to_string(), |at| ulid_at(at, u128::MAX)),
    )
}

/// The `ORDER#` sort keys (table or GSI1) of orders created within `from ..= to`.
pub fn order_sk_range(
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
) -> super::SkCond {
    let (low, high) = order_id_range(from, to);
    super::SkCond::Between(
        format!("{ORDER_PREFIX}{low}"),
        format!("{ORDER_PREFIX}{high}"),
    )
}

/// Marker that keeps an order's short id unique within its courier.
pub fn short_id(courier_id: &str, short_id: &str) -> Key {
    Key::new(courier_pk(courier_id), format!("SHORTID#{short_id}"))
}

/// GSI1 partition of a client's orders (and of its search terms' client copies).
pub fn client_orders_pk(client_id: &str) -> String {
    format!("{CLIENT_PREFIX}{client_id}")
}

/// GSI2: an order by its short id (one item per partition).
pub fn short_id_index_pk(courier_id: &str, short_id: &str) -> String {
    format!("SHORT#{courier_id}#{short_id}")
}

/// GSI2 sort key of an order's short-id entry.
pub const SHORT_ID_INDEX_SK: &str = "ORDER";

/// A saved answer to an order creation with an `Idempotency-Key` (`key_hash`: the key's
/// SHA-256), per organisation.
pub fn idempotency(org_id: &str, key_hash: &str) -> Key {
    Key::new(format!("IDEMPOTENCY#{org_id}#{key_hash}"), "IDEMPOTENCY")
}

/// Marker that keeps one imported order per client and row identity (`identity_hash`).
pub fn import_marker(courier_id: &str, client_id: &str, identity_hash: &str) -> Key {
    Key::new(
        courier_pk(courier_id),
        format!("IMPORTED#{client_id}#{identity_hash}"),
    )
}

/// An import's summary, in its organisation's partition.
pub fn import(org_id: &str, import_id: &str) -> Key {
    Key::new(org_pk(org_id), format!("{IMPORT_PREFIX}{import_id}"))
}

/// Sort-key prefix of an organisation's imports (listed newest first).
pub const IMPORT_PREFIX: &str = "IMPORT#";

/// Sort-key prefix of a background import's file, in chunks (after it: the chunk's
/// number), kept while its worker runs.
pub fn import_file_prefix(import_id: &str) -> String {
    format!("IMPORTFILE#{import_id}#")
}

/// Sort-key prefix of an import's row chunks (after it: the chunk's number).
pub fn import_rows_prefix(import_id: &str) -> String {
    format!("IMPORTROWS#{import_id}#")
}

/// GSI1 sort key of an integration under its client.
pub fn integration_index_sk(integration_id: &str) -> String {
    format!("INTEGRATION#{integration_id}")
}

/// Shards of the drafts index (GSI4): no index key is shared by every tenant; a client's
/// drafts all fall in one shard, together (see [`draft_sk`]).
pub const DRAFT_SHARDS: u32 = 16;

/// The drafts-index shard of a client: a stable hash of its id (FNV-1a), so every run
/// and every writer agree without a lookup.
pub fn draft_shard(client_id: &str) -> u32 {
    let hash = client_id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % DRAFT_SHARDS
}

/// GSI4 partition of shard `shard` of the draft orders (sparse: an order leaves it when it
/// leaves draft).
pub fn drafts_shard_pk(shard: u32) -> String {
    format!("DRAFTS#{shard:02}")
}

/// GSI4 partition of a client's drafts (its shard's).
pub fn drafts_pk(client_id: &str) -> String {
    drafts_shard_pk(draft_shard(client_id))
}

/// GSI4 sort key of a draft: by client, then oldest first, so a shard is read one client
/// after another.
pub fn draft_sk(client_id: &str, created_at: &str, order_id: &str) -> String {
    format!("{client_id}#{created_at}#{order_id}")
}

/// One draft digest per client and local day.
pub fn draft_reminder(client_id: &str, local_day: &str) -> Key {
    Key::new(format!("REMINDER#{client_id}"), format!("DAY#{local_day}"))
}

/// A courier's service (`SK` = [`SERVICE_PREFIX`] + id; `Query` lists them).
pub fn service(courier_id: &str, service_id: &str) -> Key {
    Key::new(
        courier_pk(courier_id),
        format!("{SERVICE_PREFIX}{service_id}"),
    )
}

pub const SERVICE_PREFIX: &str = "SERVICE#";

/// A courier's rate table (`SK` = [`RATE_TABLE_PREFIX`] + id).
pub fn rate_table(courier_id: &str, rate_table_id: &str) -> Key {
    Key::new(
        courier_pk(courier_id),
        format!("{RATE_TABLE_PREFIX}{rate_table_id}"),
    )
}

pub const RATE_TABLE_PREFIX: &str = "RATETABLE#";

/// A courier's team (`SK` = [`TEAM_PREFIX`] + id; `Query` lists them).
pub fn team(courier_id: &str, team_id: &str) -> Key {
    Key::new(courier_pk(courier_id), format!("{TEAM_PREFIX}{team_id}"))
}

pub const TEAM_PREFIX: &str = "TEAM#";

/// A team's name, taken (`teamId`): one team per name and courier, whatever its case.
pub fn team_name(courier_id: &str, name: &str) -> Key {
    Key::new(
        courier_pk(courier_id),
        format!("TEAMNAME#{}", name.to_lowercase()),
    )
}

/// A client whose auto-assign rule names a team (`Query` on [`team_clients_prefix`] lists
/// them, so a team in use is not deleted).
pub fn team_client(courier_id: &str, team_id: &str, client_id: &str) -> Key {
    Key::new(
        courier_pk(courier_id),
        format!("{}{client_id}", team_clients_prefix(team_id)),
    )
}

pub fn team_clients_prefix(team_id: &str) -> String {
    format!("TEAMCLIENT#{team_id}#")
}

/// The partition of a client's conversation with its courier: its messages
/// ([`chat_message`]), each reader's marker ([`chat_read`]) and the pending unread notices
/// ([`chat_notice`]).
pub fn chat_pk(courier_id: &str, client_id: &str) -> String {
    format!("CHAT#{courier_id}#{client_id}")
}

/// Sort-key prefix of a conversation's messages (ULIDs: `Query` reads them by time).
pub const CHAT_MESSAGE_PREFIX: &str = "MSG#";

/// One message of a client's conversation.
pub fn chat_message(courier_id: &str, client_id: &str, message_id: &str) -> Key {
    Key::new(
        chat_pk(courier_id, client_id),
        format!("{CHAT_MESSAGE_PREFIX}{message_id}"),
    )
}

/// What one reader (a person's or an API key's id, `key_…`) last read of a conversation.
pub fn chat_read(courier_id: &str, client_id: &str, reader_id: &str) -> Key {
    Key::new(
        chat_pk(courier_id, client_id),
        format!("{CHAT_READ_PREFIX}{reader_id}"),
    )
}

/// Sort-key prefix of a conversation's read markers.
pub const CHAT_READ_PREFIX: &str = "READ#";

/// A conversation's pending email to one side (`client` or `courier`) about a message it
/// has not read: written with the first such message, deleted when that side reads, and
/// taken out of the notices index once the email is sent.
pub fn chat_notice(courier_id: &str, client_id: &str, side: &str) -> Key {
    Key::new(chat_pk(courier_id, client_id), format!("NOTICE#{side}"))
}

/// A client's conversation summary, in its courier's partition (last message, counts).
pub fn conversation(courier_id: &str, client_id: &str) -> Key {
    Key::new(courier_pk(courier_id), format!("CHAT#{client_id}"))
}

/// GSI1 partition of a courier's conversations (`GSI1SK` = the last message's id, so the
/// most recent conversation is first in a descending Query).
pub fn conversations_pk(courier_id: &str) -> String {
    format!("CHATS#{courier_id}")
}

/// Shards of the unread-notices index (GSI4), as the drafts' (by client).
pub fn chat_notices_pk(client_id: &str) -> String {
    chat_notices_shard_pk(draft_shard(client_id))
}

pub fn chat_notices_shard_pk(shard: u32) -> String {
    format!("CHATNOTICES#{shard:02}")
}

/// GSI4 sort key of a pending notice: due time first, so a run reads the due ones only.
pub fn chat_notice_sk(due_at: &str, courier_id: &str, client_id: &str, side: &str) -> String {
    format!("{due_at}#{courier_id}#{client_id}#{side}")
}

/// The open pages (WebSocket connections) of one audience: an organisation's people
/// (`cou_…`, `cli_…`) or a tracking page's order (`ord_…`). The pusher reads them with one
/// Query.
pub fn live_pk(audience_id: &str) -> String {
    format!("LIVE#{audience_id}")
}

/// Sort-key prefix of an audience's connections.
pub const LIVE_CONNECTION_PREFIX: &str = "CONN#";

/// One open page of an audience.
pub fn live_connection(audience_id: &str, connection_id: &str) -> Key {
    Key::new(
        live_pk(audience_id),
        format!("{LIVE_CONNECTION_PREFIX}{connection_id}"),
    )
}

/// A connection by its id alone (what `$disconnect` knows): names its audience's item.
pub fn live_connection_ref(connection_id: &str) -> Key {
    Key::new(format!("CONN#{connection_id}"), "CONN")
}

/// An organisation's outbound webhook endpoint, in its partition (`Query` lists them).
pub fn webhook_endpoint(org_id: &str, endpoint_id: &str) -> Key {
    Key::new(
        org_pk(org_id),
        format!("{WEBHOOK_ENDPOINT_PREFIX}{endpoint_id}"),
    )
}

pub const WEBHOOK_ENDPOINT_PREFIX: &str = "WHEP#";

/// How many endpoints an organisation has (`count`): creating one is conditioned on it.
pub fn webhook_endpoint_count(org_id: &str) -> Key {
    Key::new(org_pk(org_id), "WHEPCOUNT")
}

/// The partition of an endpoint's deliveries (ULIDs: newest first in a descending Query).
pub fn webhook_deliveries_pk(endpoint_id: &str) -> String {
    format!("WHEP#{endpoint_id}")
}

pub const WEBHOOK_DELIVERY_PREFIX: &str = "DLV#";

/// One delivery of an event to an endpoint: the event's ULID names it, so the same event
/// written twice (a redelivered stream record) is one item.
pub fn webhook_delivery(endpoint_id: &str, ulid: &str) -> Key {
    Key::new(
        webhook_deliveries_pk(endpoint_id),
        format!("{WEBHOOK_DELIVERY_PREFIX}{ulid}"),
    )
}

/// An order's pending deliveries to one endpoint, oldest first: only the first is sent,
/// so an endpoint receives an order's events in order.
pub fn webhook_lane(endpoint_id: &str, order_id: &str, ulid: &str) -> Key {
    Key::new(webhook_lane_pk(endpoint_id, order_id), ulid.to_string())
}

pub fn webhook_lane_pk(endpoint_id: &str, order_id: &str) -> String {
    format!("WHLANE#{endpoint_id}#{order_id}")
}

/// Shards of the due-deliveries index (GSI4), by endpoint.
pub const WEBHOOK_SHARDS: u32 = 4;

pub fn webhook_due_pk(endpoint_id: &str) -> String {
    let shard = endpoint_id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % WEBHOOK_SHARDS;
    webhook_due_shard_pk(shard)
}

pub fn webhook_due_shard_pk(shard: u32) -> String {
    format!("WHDUE#{shard}")
}

/// GSI4 sort key of a pending delivery: its due time first, so a run reads due ones only.
pub fn webhook_due_sk(due_at: &str, endpoint_id: &str, ulid: &str) -> String {
    format!("{due_at}#{endpoint_id}#{ulid}")
}

/// One side's unread counts (the navigation's, one GetItem): `received`, the messages
/// written to that side (a courier's: every client's), and `seen_{readerId}`, how many of
/// them each of its readers has read. `org_id` is the courier's id for its side, else the
/// client's.
pub fn chat_counts(courier_id: &str, org_id: &str) -> Key {
    Key::new(format!("CHATCOUNTS#{courier_id}"), format!("SIDE#{org_id}"))
}

/// The attribute of a reader's count on [`chat_counts`].
pub fn chat_seen_attr(reader_id: &str) -> String {
    format!("seen_{reader_id}")
}

/// A courier person's order digest setting (`cadence`, `since`, `nextAt`).
pub fn order_digest(user_id: &str) -> Key {
    Key::new(format!("DIGEST#{user_id}"), "DIGEST")
}

/// The marker of one digest window (its end), written with `attribute_not_exists` before
/// the window's email is sent, so a retried or repeated run never sends it twice.
pub fn order_digest_window(user_id: &str, window_end: &str) -> Key {
    Key::new(format!("DIGEST#{user_id}"), format!("SENT#{window_end}"))
}

/// GSI4 partition of the digests that are on, sharded by person as the drafts are by
/// client (no index key shared by every tenant).
pub fn order_digests_pk(user_id: &str) -> String {
    order_digests_shard_pk(draft_shard(user_id))
}

pub fn order_digests_shard_pk(shard: u32) -> String {
    format!("DIGESTS#{shard:02}")
}

/// GSI4 sort key of a digest that is on: its next window's end first, so a run reads the
/// due ones only.
pub fn order_digest_sk(next_at: &str, user_id: &str) -> String {
    format!("{next_at}#{user_id}")
}

/// Marks that the local portal has seeded its demo courier.
pub fn demo_seed() -> Key {
    Key::new("SYSTEM", "DEMO")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_digests_are_keyed_by_person_and_sharded() {
        assert_eq!(order_digest("usr_1"), Key::new("DIGEST#usr_1", "DIGEST"));
        assert_eq!(
            order_digest_window("usr_1", "2026-12-08T09:15:00.000Z"),
            Key::new("DIGEST#usr_1", "SENT#2026-12-08T09:15:00.000Z")
        );
        assert!(order_digests_pk("usr_1").starts_with("DIGESTS#"));
        assert_eq!(
            order_digest_sk("2026-12-08T09:15:00.000Z", "usr_1"),
            "2026-12-08T09:15:00.000Z#usr_1"
        );
    }

    #[test]
    fn drafts_are_sharded_by_client() {
        // Stable: the same client always lands in the same shard.
        assert_eq!(drafts_pk("cli_2"), drafts_pk("cli_2"));
        assert!(drafts_pk("cli_2").starts_with("DRAFTS#"));
        let shards: std::collections::HashSet<String> =
            (0..200).map(|n| drafts_pk(&format!("cli_{n}"))).collect();
        assert_eq!(
            shards.len(),
            DRAFT_SHARDS as usize,
            "clients spread over every shard"
        );
        assert_eq!(
            draft_sk("cli_2", "2026-12-01T06:00:00Z", "ord_9"),
            "cli_2#2026-12-01T06:00:00Z#ord_9"
        );
    }

    #[test]
    fn keys_are_pinned() {
        assert_eq!(courier("cou_1"), Key::new("COURIER#cou_1", "PROFILE"));
        assert_eq!(
            order("cou_1", "ord_9"),
            Key::new("COURIER#cou_1", "ORDER#ord_9")
        );
        assert_eq!(
            short_id("cou_1", "K7Q2M4"),
            Key::new("COURIER#cou_1", "SHORTID#K7Q2M4")
        );
        assert_eq!(client_orders_pk("cli_2"), "CLIENT#cli_2");
        assert_eq!(
            team("cou_1", "team_3"),
            Key::new("COURIER#cou_1", "TEAM#team_3")
        );
        assert_eq!(
            team_name("cou_1", "North Side"),
            Key::new("COURIER#cou_1", "TEAMNAME#north side")
        );
        assert_eq!(
            team_client("cou_1", "team_3", "cli_2"),
            Key::new("COURIER#cou_1", "TEAMCLIENT#team_3#cli_2")
        );
        assert_eq!(short_id_index_pk("cou_1", "K7Q2M4"), "SHORT#cou_1#K7Q2M4");
        assert_eq!(SHORT_ID_INDEX_SK, "ORDER");
        assert_eq!(
            idempotency("cli_2", "ab12"),
            Key::new("IDEMPOTENCY#cli_2#ab12", "IDEMPOTENCY")
        );
        assert_eq!(
            import_marker("cou_1", "cli_2", "ab12"),
            Key::new("COURIER#cou_1", "IMPORTED#cli_2#ab12")
        );
        assert_eq!(
            import("cli_2", "imp_3"),
            Key::new("ORG#cli_2", "IMPORT#imp_3")
        );
        assert_eq!(import_rows_prefix("imp_3"), "IMPORTROWS#imp_3#");
        assert_eq!(import_file_prefix("imp_3"), "IMPORTFILE#imp_3#");
        assert_eq!(integration_index_sk("int_4"), "INTEGRATION#int_4");
        assert_eq!(
            client("cou_1", "cli_2"),
            Key::new("COURIER#cou_1", "CLIENT#cli_2")
        );
        assert_eq!(
            client_email("cou_1", "A@B.io"),
            Key::new("COURIER#cou_1", "EMAIL#a@b.io")
        );
        assert_eq!(api_key_secret("ab"), Key::new("APIKEY#ab", "APIKEY"));
        assert_eq!(
            api_key("cli_2", "key_3"),
            Key::new("ORG#cli_2", "KEY#key_3")
        );
        assert_eq!(
            member("cli_2", "usr_3"),
            Key::new("ORG#cli_2", "MEMBER#usr_3")
        );
        assert_eq!(admin_count("cli_2"), Key::new("ORG#cli_2", "ADMINS"));
        assert!(!admin_count("c").sk.starts_with(MEMBER_PREFIX));
        assert_eq!(invitation("ff"), Key::new("INVITE#ff", "INVITE"));
        assert_eq!(
            email_confirmation("ee"),
            Key::new("EMAILCONF#ee", "EMAILCONF")
        );
        assert_eq!(tracking_pk("tok"), "TRACK#tok");
        assert_eq!(notification("n1"), Key::new("NOTIF#n1", "NOTIF"));
        assert_eq!(
            opt_out("+15551234567"),
            Key::new("OPTOUT#+15551234567", "OPTOUT")
        );
        assert_eq!(inbound_sms("m1"), Key::new("INBOUND#m1", "INBOUND"));
        assert_eq!(search_pk("cou_1"), "SEARCH#cou_1");
        assert_eq!(
            service("cou_1", "svc_2"),
            Key::new("COURIER#cou_1", "SERVICE#svc_2")
        );
        assert_eq!(
            rate_table("cou_1", "rtb_3"),
            Key::new("COURIER#cou_1", "RATETABLE#rtb_3")
        );
        assert_eq!(client_search_pk("cli_2"), "SEARCH#cli_2");
        assert_eq!(search_sk("curie", "ord_3"), "curie#ord_3");
        assert_eq!(
            search_term("cou_1", "curie", "ord_3"),
            Key::new("SEARCH#cou_1".to_string(), "curie#ord_3".to_string())
        );
        assert_eq!(
            integration("int_1"),
            Key::new("INTEGRATION#int_1", "INTEGRATION")
        );
        assert_eq!(client_integrations_pk("cli_2"), "INTEGRATIONS#cli_2");
        assert_eq!(
            delivery("int_1", "dlv_2"),
            Key::new("INTEGRATION#int_1", "DELIVERY#dlv_2")
        );
        assert_eq!(
            delivery_marker("int_1", "ab"),
            Key::new("INTEGRATION#int_1", "SEEN#ab")
        );
        assert_eq!(
            platform_order("int_1", "727"),
            Key::new("INTEGRATION#int_1", "SHOPORDER#727")
        );
        assert_eq!(
            chat_message("cou_1", "cli_2", "msg_3"),
            Key::new("CHAT#cou_1#cli_2", "MSG#msg_3")
        );
        assert_eq!(
            chat_read("cou_1", "cli_2", "key_4"),
            Key::new("CHAT#cou_1#cli_2", "READ#key_4")
        );
        assert_eq!(
            chat_notice("cou_1", "cli_2", "client"),
            Key::new("CHAT#cou_1#cli_2", "NOTICE#client")
        );
        assert_eq!(
            conversation("cou_1", "cli_2"),
            Key::new("COURIER#cou_1", "CHAT#cli_2")
        );
        assert_eq!(conversations_pk("cou_1"), "CHATS#cou_1");
        assert!(chat_notices_pk("cli_2").starts_with("CHATNOTICES#"));
        assert_eq!(
            chat_notice_sk("2026-12-01T06:00:00Z", "cou_1", "cli_2", "courier"),
            "2026-12-01T06:00:00Z#cou_1#cli_2#courier"
        );
        // A conversation's summary never matches the client listing prefix.
        assert!(!conversation("c", "cli_2").sk.starts_with(CLIENT_PREFIX));
        // A whole term's keys sort before every longer term that starts with it.
        assert!(search_sk("curie", "ord_Z") < search_sk("curie0", "ord_0"));
        // The client-email marker must never match the client listing prefix.
        assert!(!client_email("c", "x@y.z").sk.starts_with(CLIENT_PREFIX));
    }
}

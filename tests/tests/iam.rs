//! Least privilege: each function's IAM policy in template.yaml grants exactly the actions
//! its code calls, no fewer (it would fail in AWS only) and no more.
//!
//! `CALLS` is read from the code: each function's use case (`shared/src/api/`, the
//! authorizer in `shared/src/auth.rs`, the event handlers in `shared/src/fanout/`) and the
//! adapters it goes through. The DynamoDB adapter (`shared/src/store/dynamo.rs`) maps the
//! storage port one to one: `get` → GetItem, `batch_get` → BatchGetItem, `put` → PutItem,
//! `update` → UpdateItem, `delete` → DeleteItem, `query` → Query (on the table, or on the
//! index named after `@`), and `transact` → TransactWriteItems, which IAM authorises by
//! the action of each write: Put → PutItem, Update → UpdateItem, Delete → DeleteItem,
//! Check → ConditionCheckItem; `write_each` → BatchWriteItem for unconditional puts and
//! deletes, else the write's own action. The mailer (`notify/ses.rs`) calls SES v2 SendEmail, the
//! SMS sender (`notify/sns.rs`) SNS Publish. A change to a use case's calls changes its
//! line here and its policy in template.yaml, in the same commit.
//!
//! The table is checked twice, both ways each time: against template.yaml, and against what
//! the functions actually call (`observed`: the same mapping recorded at the storage and
//! notifier ports while every route, the stream and inbound SMS run on the embedded store).
//! Each function's observed calls must equal its line, so every action of the line must
//! be reached: a write path the run never takes would otherwise hide a missing grant (the
//! web import, the drafts' bulk submit and a draft's finalize once wrote through
//! BatchWriteItem without it, and the run never imported a row or placed an imported draft).

use portal_local::TEMPLATE_YAML;
use serde_yaml_ng::Value;
use std::collections::{BTreeMap, BTreeSet};

const CALLS: &[(&str, &[&str])] = &[
    // The key's item by hash, then the client's item for a client key.
    ("authorizer", &["dynamodb:GetItem"]),
    // Web portal pages: the session (its idle deadline moved on at most every 5 minutes)
    // and a client's own item, then the JSON use case's calls.
    ("home-page", &["dynamodb:GetItem", "dynamodb:UpdateItem"]),
    ("login-page", &["dynamodb:GetItem", "dynamodb:UpdateItem"]),
    // Both attempt counters in one transaction, the user, the client, the new session.
    (
        "sign-in",
        &[
            "dynamodb:UpdateItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
        ],
    ),
    ("sign-out", &["dynamodb:DeleteItem"]),
    // The session (signed in: on to the user's settings).
    (
        "forgot-password-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // Both request counters in one transaction, the user, the client, the link; the email.
    (
        "forgot-password-form",
        &[
            "dynamodb:UpdateItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "ses:SendEmail",
        ],
    ),
    // The link by its hash.
    ("reset-password-page", &["dynamodb:GetItem"]),
    // The link, the user, the client; one transaction (link used, password, new session); the user's sessions queried and ended.
    (
        "reset-password-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:DeleteItem",
        ],
    ),
    // The session, the client, the user's reference and item.
    (
        "user-settings-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // The session, the client, the user; the user updated (version condition).
    (
        "update-user-form",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // The session, the client, the user, the attempt counter; the password; the other sessions queried and ended.
    (
        "change-password-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:DeleteItem",
        ],
    ),
    // The session, the client, the user, the attempt counter; the link and the pending email in one transaction; the email.
    (
        "change-login-email-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "ses:SendEmail",
        ],
    ),
    // The link by its hash.
    ("login-email-page", &["dynamodb:GetItem"]),
    // The link, the user; one transaction (link used, the user item moved to its new email's key, the id's reference); the session, if any.
    (
        "confirm-login-email-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:PutItem",
        ],
    ),
    // The confirmation by its hash; the courier (its name).
    ("email-confirmation-page", &["dynamodb:GetItem"]),
    // The JSON confirmation's reads and writes (the confirmation used, the email set, the
    // old email marker deleted, the new one put).
    (
        "confirm-email-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:PutItem",
        ],
    ),
    // The invitation, then its client and courier together (their names on the page).
    (
        "invitation-page",
        &["dynamodb:GetItem", "dynamodb:BatchGetItem"],
    ),
    // The invitation with its client and courier (the page again on an error), then the
    // JSON acceptance's writes with the first user and their session.
    (
        "accept-invitation-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
        ],
    ),
    (
        "orders-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
            "dynamodb:BatchGetItem",
        ],
    ),
    (
        "new-order-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    (
        "create-order-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:BatchWriteItem",
        ],
    ),
    (
        "resubmit-order-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query@GSI2",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchGetItem",
        ],
    ),
    // Compiled-in files: no AWS call.
    ("static-assets", &[]),
    // The session (its idle deadline moved on), then the client's drafts (GSI1, filtered).
    (
        "drafts-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query@GSI1",
        ],
    ),
    // The session; the orders in one BatchGetItem and an update each (the bulk submit: an
    // imported draft's search terms first, BatchWriteItem); the drafts left.
    (
        "submit-drafts-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:Query@GSI1",
        ],
    ),
    // The session, then finalize_order's read (by id or short id) and update (an imported
    // draft's search terms first, BatchWriteItem).
    (
        "finalize-order-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query@GSI2",
            "dynamodb:BatchWriteItem",
        ],
    ),
    // The session; the client's imports (its partition) and one import's summary and rows;
    // the client and its courier together (the reader's time zone).
    (
        "imports-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The session; the glossary is in the code.
    (
        "import-columns-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // The session, create_import's calls (reads in BatchGetItems; markers put one by one;
    // new orders in BatchWriteItems; a marker of an order not written deleted), then the
    // past imports.
    (
        "import-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
        ],
    ),
    // The session, the order (by id or short id), then update_order (search terms moved in its transaction).
    (
        "edit-order-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query@GSI2",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The session, then withdraw_order's read and update.
    (
        "withdraw-order-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query@GSI2",
        ],
    ),
    // The session, then the organisation's item.
    (
        "organization-settings-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // The session, then update_organization_settings (a client's new email: a transaction with its confirmation, and the email).
    (
        "update-organization-settings-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "ses:SendEmail",
        ],
    ),
    // The session, then get_notification_settings (the client and its courier in one BatchGetItem).
    (
        "communications-settings-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The session, then put_notification_settings (the update; the courier's time zone when the client has none).
    (
        "update-communications-settings-form",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // The session, get_tracking_page_settings (the client's item), and get_notification_settings for the preview's language (the client and its courier in one BatchGetItem).
    (
        "tracking-page-settings-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The session, get_notification_settings for the preview's language (one BatchGetItem), then put_tracking_page_settings (one UpdateItem).
    (
        "update-tracking-page-settings-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The session, the courier (its name and time zone), its teams; the team a delete
    // confirms. A refused form shows the page again.
    (
        "teams-settings-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    ),
    (
        "create-team-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
        ],
    ),
    (
        "rename-team-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
        ],
    ),
    (
        "delete-team-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:DeleteItem",
        ],
    ),
    // Services & rates (web): the session (GetItem, its deadline UpdateItem) and the courier,
    // then the catalog use cases; a refused form shows the page again.
    (
        "services-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    ),
    ("rate-tables-page", &[]),
    (
        "new-service-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    (
        "create-service-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
        ],
    ),
    ("service-page", &["dynamodb:GetItem", "dynamodb:UpdateItem"]),
    (
        "update-service-form",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    (
        "delete-service-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
            "dynamodb:DeleteItem",
        ],
    ),
    (
        "new-rate-table-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    (
        "create-rate-table-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
        ],
    ),
    (
        "rate-table-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    (
        "update-rate-table-form",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    (
        "delete-rate-table-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
            "dynamodb:DeleteItem",
        ],
    ),
    // The session, then list_people (the member items, then their references and users);
    // the person a removal confirms. A refused form shows the page again.
    (
        "team-settings-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
        ],
    ),
    // invite_person's transaction, the courier (the email's name) and the email; a failed
    // email undoes the invitation (one transaction of deletes).
    (
        "invite-teammate-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "ses:SendEmail",
        ],
    ),
    // change_role: the person read, one transaction of updates, their sessions updated.
    (
        "change-teammate-role-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
        ],
    ),
    // remove_person: the person read, one transaction of deletes (and the admins' count),
    // their sessions queried and deleted.
    (
        "remove-teammate-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The session; the organisation's keys (its partition), the client's integrations (GSI1), an integration and its deliveries;
    // the reader's time zone (the client and its courier together).
    (
        "api-settings-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The session; create_api_key's transaction (two items, the key counter); the page's lists.
    (
        "create-api-key-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The session, then revoke_api_key's read and transaction of updates.
    (
        "revoke-api-key-form",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // The session; the integration put; the page's lists.
    (
        "create-integration-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The session, then replay_delivery: the delivery and its integration, then what the webhook does.
    (
        "replay-delivery-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:BatchWriteItem",
        ],
    ),
    // The session, the courier (its name and time zone), its clients.
    (
        "clients-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    ),
    // The session, the courier, its teams.
    (
        "new-client-page",
        &["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    ),
    // The session, then create_client's transaction (the client, its email's marker; the team's version and usage); refused, the form again (the courier, its teams).
    (
        "create-client-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
        ],
    ),
    // The session, the client, the courier, its teams, services and rate tables, the client's integrations (GSI1), an integration and its deliveries.
    (
        "client-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
        ],
    ),
    // The session, the client, then update_client (the client; the teams' usage moved; a new email's token and counter, the courier); refused, the page again.
    (
        "update-client-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
            "ses:SendEmail",
        ],
    ),
    // The session, then invite (the client, the courier, one transaction: the client, the invitation; the email); refused, the page again.
    (
        "invite-client-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
            "ses:SendEmail",
        ],
    ),
    // The session, then delete_client (the client, its keys; one transaction: the client, its services' and team's links, its email's marker, its keys revoked); refused, a message.
    (
        "delete-client-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:DeleteItem",
        ],
    ),
    // The session, then set_client_services (one read of the client, the courier, the services and rate tables; one transaction); refused, the page again.
    (
        "client-services-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
        ],
    ),
    // The session, the client, its integration, then replay_delivery (the delivery, then what the webhook does); refused, a message.
    (
        "replay-client-delivery-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:BatchWriteItem",
        ],
    ),
    (
        "order-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query@GSI2",
            "dynamodb:BatchGetItem",
            // A courier's teams, for its assignment form.
            "dynamodb:Query",
        ],
    ),
    // The session, reject_order's read (by id, or short id on GSI2) and update; a refused
    // form shows the page again (the courier's item, its teams).
    (
        "reject-order-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI2",
        ],
    ),
    // The session; the order, the courier and its teams; an assignment's team; the
    // event's conditional update(s).
    (
        "record-task-event-form",
        &["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    ),
    // The session; the reader (a courier's item; a client's with its courier); the
    // courier's clients and a client filter checked; the orders (courier's partition, or a
    // client's on GSI1).
    (
        "export-orders-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
        ],
    ),
    // Two new items in a transaction with the organisation's counter update.
    (
        "create-api-key",
        &["dynamodb:PutItem", "dynamodb:UpdateItem"],
    ),
    ("list-api-keys", &["dynamodb:Query"]),
    (
        "revoke-api-key",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // One transaction (the user, its reference, its member item, the set-password link; the
    // admins count for an admin); the courier for the email's name; the email; a failed
    // email undoes the invitation (one transaction of deletes, the admins count).
    (
        "create-user",
        &[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:GetItem",
            "dynamodb:DeleteItem",
            "ses:SendEmail",
        ],
    ),
    // The member items, then their references and users.
    ("list-users", &["dynamodb:Query", "dynamodb:BatchGetItem"]),
    // The member, reference and user; one transaction of updates; the sessions updated.
    (
        "update-user",
        &["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    ),
    // The member, reference and user; one transaction (deletes, the admins count); the
    // sessions queried and deleted.
    (
        "delete-user",
        &[
            "dynamodb:GetItem",
            "dynamodb:DeleteItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
        ],
    ),
    // The client and its email marker in one transaction (with an auto-assign team: the
    // team's version moved on, and its usage item).
    (
        "create-client",
        &["dynamodb:PutItem", "dynamodb:UpdateItem"],
    ),
    ("list-clients", &["dynamodb:Query"]),
    ("get-client", &["dynamodb:GetItem"]),
    // A plain update, or a transaction with the new confirmation and the old one's removal;
    // then the confirmation email.
    (
        "update-client",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "ses:SendEmail",
        ],
    ),
    // Reads the client's keys, then one transaction: the client, its email marker, each key.
    (
        "delete-client",
        &[
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        ],
    ),
    (
        "invite-client",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "ses:SendEmail",
        ],
    ),
    (
        "accept-invitation",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
        ],
    ),
    (
        "confirm-email",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:PutItem",
        ],
    ),
    // The client (a courier's order, or a client with services: its pricing) and an
    // idempotency replay are reads; the order's search terms a BatchWriteItem (deleted
    // again should its transaction fail); the order, its short id and the idempotency
    // record are puts, with the order counted on its client (an update that also checks
    // the client exists).
    (
        "create-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:UpdateItem",
        ],
    ),
    // The courier's partition, or a client's orders on GSI1; a search reads its index terms
    // there too, then the matching orders in one BatchGetItem.
    (
        "list-orders",
        &[
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
            "dynamodb:BatchGetItem",
            // A courier's clientId filter checks the client is its own.
            "dynamodb:GetItem",
        ],
    ),
    (
        "export-orders",
        &["dynamodb:Query", "dynamodb:Query@GSI1", "dynamodb:GetItem"],
    ),
    // By id (GetItem) or by short id (GSI2).
    ("get-order", &["dynamodb:GetItem", "dynamodb:Query@GSI2"]),
    (
        "update-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query@GSI2",
            "dynamodb:UpdateItem",
            // An edit of a searched field moves its search terms in the same transaction.
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
        ],
    ),
    (
        "withdraw-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query@GSI2",
            "dynamodb:UpdateItem",
        ],
    ),
    (
        "resubmit-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query@GSI2",
            "dynamodb:UpdateItem",
        ],
    ),
    // An imported draft's search terms are written (BatchWriteItem) when it is placed.
    (
        "finalize-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query@GSI2",
            "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem",
        ],
    ),
    // The import's rows (importId), the orders in one BatchGetItem, an update per order
    // (an imported draft's search terms first, BatchWriteItem).
    (
        "submit-orders",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem",
        ],
    ),
    // Client(s), courier, markers and re-imported orders read in BatchGetItems; markers,
    // short ids and re-imported drafts put one by one (conditional); new orders and search
    // terms in BatchWriteItems; a marker of an order not written deleted; the record put.
    (
        "create-import",
        &[
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
        ],
    ),
    // The imports; a stalled one marked failed (conditional UpdateItem).
    ("list-imports", &["dynamodb:Query", "dynamodb:UpdateItem"]),
    (
        "get-import",
        &["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
    ),
    (
        "reject-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query@GSI2",
            "dynamodb:UpdateItem",
        ],
    ),
    // An assignment's team; one conditional update (a second one when the first guard
    // does not hold).
    (
        "record-task-event",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // The task's latest position: one conditional put beside the order.
    ("record-task-location", &["dynamodb:PutItem"]),
    // The client and its courier in one BatchGetItem.
    ("get-notification-settings", &["dynamodb:BatchGetItem"]),
    // The update, then the courier's time zone when the client has none.
    (
        "put-notification-settings",
        &["dynamodb:UpdateItem", "dynamodb:GetItem"],
    ),
    // The organisation's item (a client's, or the courier's profile).
    ("get-organization-settings", &["dynamodb:GetItem"]),
    // Read, then an update (a transaction with a client's email confirmation), the email.
    (
        "update-organization-settings",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "ses:SendEmail",
        ],
    ),
    ("get-tracking-page-settings", &["dynamodb:GetItem"]),
    ("put-tracking-page-settings", &["dynamodb:UpdateItem"]),
    // The order's keys by tracking token (GSI3, keys only), the order, then its client and
    // courier.
    (
        "tracking-page",
        &[
            "dynamodb:Query@GSI3",
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
        ],
    ),
    // The order by tracking token (GSI3, keys only, then the order), its conditional
    // rating; the page again (client and courier) when a field is refused.
    (
        "rate-delivery-form",
        &[
            "dynamodb:Query@GSI3",
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
        ],
    ),
    // Client and courier, then per SMS the opt-out read and the marker's conditional put
    // (per email the put), the send, and the marker's removal when the send fails. Records
    // given up on go to the dead-letter queue (the event source mapping's on-failure
    // destination, sent with the function's role).
    (
        "status-fanout",
        &[
            "dynamodb:BatchGetItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            // The order's courier's and client's webhook endpoints.
            "dynamodb:Query",
            "sns:Publish",
            "ses:SendEmail",
            "sqs:SendMessage",
        ],
    ),
    // The drafts' sparse index (GSI4), clients and couriers, the day's marker (removed
    // when the email fails), the email.
    (
        "draft-reminders",
        &[
            "dynamodb:Query@GSI4",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "ses:SendEmail",
        ],
    ),
    // A running import's summary and stored file; clients, courier, markers and
    // re-imported orders in BatchGetItems; markers, short ids, re-imported drafts, row
    // results and the summary put one by one; new orders, search terms and the file's
    // removal in BatchWriteItems; a marker of an order not written deleted.
    (
        "import-worker",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "sqs:SendMessage",
        ],
    ),
    // Opt-out item and the inbound marker (put), removed on START or a failed reply.
    (
        "sms-inbound",
        &["dynamodb:PutItem", "dynamodb:DeleteItem", "sns:Publish"],
    ),
    ("create-integration", &["dynamodb:PutItem"]),
    // A client's integrations on GSI1 (a courier's: filtered on its id).
    ("list-integrations", &["dynamodb:Query@GSI1"]),
    ("get-integration", &["dynamodb:GetItem"]),
    (
        "update-integration",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // The integration stays (status deleted) for its inbox and refused deliveries.
    (
        "delete-integration",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    // The integration, then the client and the markers, then the order's search terms (a
    // BatchWriteItem, deleted again should the transaction fail) and its transaction (order,
    // short id, client check, markers, delivery record) or the delivery record
    // alone (a put, or a transaction with its marker); a cancellation updates the order.
    (
        "integration-webhook",
        &[
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:UpdateItem",
        ],
    ),
    // The integration (tenant check), then its partition's deliveries.
    ("list-deliveries", &["dynamodb:GetItem", "dynamodb:Query"]),
    ("get-delivery", &["dynamodb:GetItem"]),
    // The delivery and its integration, then what the webhook does.
    (
        "replay-delivery",
        &[
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:UpdateItem",
        ],
    ),
    // Services and rate tables: items of the courier's partition. A change writes the item
    // and every client's copy in one transaction (UpdateItem each); a deletion refused while
    // clients use the item names them (one BatchGetItem of their items).
    ("create-service", &["dynamodb:PutItem"]),
    // The courier's (Query), or a client's own pairs on its item (GetItem).
    ("list-services", &["dynamodb:GetItem", "dynamodb:Query"]),
    ("get-service", &["dynamodb:GetItem"]),
    (
        "update-service",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    (
        "delete-service",
        &[
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:DeleteItem",
        ],
    ),
    // Teams: the team and its name's marker in one transaction; a rename moves the
    // marker; a deletion reads the team's usage items (in use: the clients named, in one
    // BatchGetItem).
    // Chat: the client, the order it is about, the author (member, user, API key), the
    // courier, the summary and the author's marker (BatchGetItem); the message's
    // transaction and the other side's notice (PutItem); the author's side's notice removed.
    // The conversation's webhook endpoints (Query): chat.message deliveries in the
    // message's transaction.
    (
        "post-chat-message",
        &[
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
        ],
    ),
    // The client, the page of messages, the summary and marker; the marker moved on and the
    // reader's side's notice removed.
    (
        "list-chat-messages",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        ],
    ),
    // The courier's conversations (GSI1), the reader's markers.
    (
        "list-conversations",
        &["dynamodb:Query@GSI1", "dynamodb:BatchGetItem"],
    ),
    // The notices index (GSI4); each notice taken out of it (put back when the email
    // fails); the client, courier and message; the side's people; the emails.
    (
        "chat-notices",
        &[
            "dynamodb:Query@GSI4",
            "dynamodb:UpdateItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "ses:SendEmail",
        ],
    ),
    // $connect: the person's sessions (the ticket's) and client, or the order by tracking
    // token (GSI3); the connection and its reference (one transaction of conditional puts).
    // $disconnect: the reference read, both deleted.
    (
        "live-connections",
        &[
            "dynamodb:Query",
            "dynamodb:Query@GSI3",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
        ],
    ),
    // Each audience's connections; a post to each; a closed page's reference read and
    // both its items deleted.
    (
        "live-pusher",
        &[
            "dynamodb:Query",
            "dynamodb:GetItem",
            "dynamodb:DeleteItem",
            "execute-api:ManageConnections",
        ],
    ),
    // Outbound webhooks (one function for the routes): an endpoint by key; the
    // organisation's endpoints and an endpoint's deliveries (Query); the endpoint with the
    // organisation's count (a transaction: UpdateItem, PutItem); a change, a rotation, the
    // test event's delivery (PutItem); a deletion (DeleteItem, UpdateItem); a replay
    // (UpdateItem).
    (
        "webhook-endpoints",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        ],
    ),
    // The API & integrations page's webhook form: the session, the endpoint use cases (the
    // endpoint with the count, changes, deletion, replay, the test event's delivery), the
    // page's lists (the client's integrations over GSI1) and the reader's time zone.
    (
        "webhook-endpoint-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:Query@GSI1",
        ],
    ),
    // The due index (GSI4); each delivery claimed and its attempt logged; its endpoint; its
    // order's lane (the entry removed when done); the endpoint's failure noted or it turned
    // off, and its admins (members, users) emailed.
    (
        "webhook-deliveries",
        &[
            "dynamodb:Query@GSI4",
            "dynamodb:UpdateItem",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:DeleteItem",
            "dynamodb:BatchGetItem",
            "ses:SendEmail",
        ],
    ),
    // The digests index (GSI4); each person's reference, courier and user; the window's
    // orders; its marker (deleted when the email fails); the window moved on; the emails.
    (
        "order-digests",
        &[
            "dynamodb:Query@GSI4",
            "dynamodb:BatchGetItem",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:UpdateItem",
            "ses:SendEmail",
        ],
    ),
    // The chat pages: the session, then the conversation (the client, a page of messages,
    // the summary and marker, the marker moved on and the notice removed, the order asked
    // about, the reader's names and zone, the unread count: a courier's over GSI1), or the
    // courier's conversations (GSI1) and markers; the form also posts the message.
    (
        "messages-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:Query@GSI1",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
        ],
    ),
    (
        "conversation-page",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
        ],
    ),
    (
        "post-message-form",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
        ],
    ),
    ("create-team", &["dynamodb:PutItem"]),
    ("list-teams", &["dynamodb:Query"]),
    (
        "update-team",
        &[
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
        ],
    ),
    (
        "delete-team",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:DeleteItem",
        ],
    ),
    ("create-rate-table", &["dynamodb:PutItem"]),
    ("list-rate-tables", &["dynamodb:Query"]),
    ("get-rate-table", &["dynamodb:GetItem"]),
    (
        "update-rate-table",
        &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    ),
    (
        "delete-rate-table",
        &[
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:DeleteItem",
        ],
    ),
    // Client, courier, services and rate tables in one BatchGetItem; then one transaction:
    // the client's copies, each added or removed item's client set, a check of each kept one.
    (
        "put-client-services",
        &[
            "dynamodb:BatchGetItem",
            "dynamodb:UpdateItem",
            "dynamodb:ConditionCheckItem",
        ],
    ),
    ("get-client-services", &["dynamodb:GetItem"]),
    // The client's item (its services and rates); none for a client without services.
    ("create-quote", &["dynamodb:GetItem"]),
];

/// A resource as written in the template (`!GetAtt Table.Arn`, `!Sub "..."`, `"*"`).
fn resource_text(resource: &Value) -> String {
    match resource {
        Value::String(s) => s.clone(),
        Value::Tagged(tagged) => resource_text(&tagged.value),
        other => serde_yaml_ng::to_string(other).unwrap(),
    }
}

/// What one statement grants: `action` on the table (or another resource), and
/// `action@INDEX` on an index (`@*` for every index).
fn grants_of(function: &str, statement: &Value) -> Vec<String> {
    assert_eq!(
        statement["Effect"].as_str(),
        Some("Allow"),
        "{function}: only Allow statements"
    );
    let one_or_many = |v: &Value| -> Vec<Value> {
        match v {
            Value::Sequence(items) => items.clone(),
            Value::Null => panic!("{function}: a statement without Action or Resource"),
            other => vec![other.clone()],
        }
    };
    let actions: Vec<String> = one_or_many(&statement["Action"])
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let resources: Vec<String> = one_or_many(&statement["Resource"])
        .iter()
        .map(resource_text)
        .collect();
    let mut grants = vec![];
    for action in &actions {
        assert!(
            !action.contains('*'),
            "{function}: no wildcard actions ({action})"
        );
        for resource in &resources {
            if action.starts_with("dynamodb:") {
                if let Some((_, index)) = resource.split_once("Table.Arn}/index/") {
                    grants.push(format!("{action}@{index}"));
                } else {
                    assert_eq!(
                        resource, "Table.Arn",
                        "{function}: {action} is on the portal's table only"
                    );
                    grants.push(action.clone());
                }
            } else {
                grants.push(action.clone());
            }
        }
    }
    grants
}

/// A function's statements: its own `Policies:` (SAM makes its role), or those of the shared
/// `AWS::IAM::Role` its `Role: !GetAtt <Role>.Arn` names (scripts/share-roles.py), never both.
fn statements_of(doc: &Value, binary: &str, properties: &Value) -> Vec<Value> {
    let policies = match properties.get("Role") {
        Some(role) => {
            assert!(
                properties.get("Policies").is_none(),
                "{binary}: a shared role and policies of its own"
            );
            let name = resource_text(role);
            let name = name
                .strip_suffix(".Arn")
                .unwrap_or_else(|| panic!("{binary}: Role is `!GetAtt <Role>.Arn` ({name})"));
            let role = &doc["Resources"][name];
            assert_eq!(
                role["Type"].as_str(),
                Some("AWS::IAM::Role"),
                "{binary}: {name} is a role of the template"
            );
            role["Properties"]["Policies"]
                .as_sequence()
                .unwrap_or_else(|| panic!("{name}: inline policies"))
                .iter()
                .map(|policy| policy["PolicyDocument"].clone())
                .collect::<Vec<_>>()
        }
        None => properties["Policies"]
            .as_sequence()
            .cloned()
            .unwrap_or_default(),
    };
    policies
        .iter()
        .flat_map(|policy| {
            policy["Statement"]
                .as_sequence()
                .unwrap_or_else(|| panic!("{binary}: inline Statement policies only"))
                .clone()
        })
        .collect()
}

fn template_grants() -> BTreeMap<String, BTreeSet<String>> {
    let doc: Value = serde_yaml_ng::from_str(TEMPLATE_YAML).unwrap();
    let mut all = BTreeMap::new();
    for (_, resource) in doc["Resources"].as_mapping().unwrap() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap()
            .to_string();
        let mut grants = BTreeSet::new();
        for statement in statements_of(&doc, &binary, &resource["Properties"]) {
            grants.extend(grants_of(&binary, &statement));
        }
        all.insert(binary, grants);
    }
    all
}

#[test]
fn every_function_is_granted_exactly_what_its_code_calls() {
    let granted = template_grants();
    let calls: BTreeMap<&str, BTreeSet<String>> = CALLS
        .iter()
        .map(|(f, actions)| (*f, actions.iter().map(|a| a.to_string()).collect()))
        .collect();
    assert_eq!(CALLS.len(), calls.len(), "one line per function");
    assert_eq!(
        granted.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        calls.keys().copied().collect::<BTreeSet<_>>(),
        "CALLS has a line for every function of template.yaml"
    );
    let mut wrong = vec![];
    for (function, needs) in &calls {
        let has = &granted[*function];
        let missing: Vec<_> = needs.difference(has).collect();
        let extra: Vec<_> = has.difference(needs).collect();
        if !missing.is_empty() || !extra.is_empty() {
            wrong.push(format!("{function}: missing {missing:?}, extra {extra:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "template.yaml policies:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn a_grant_the_code_does_not_call_is_caught() {
    // The comparison above relies on this parsing: an index wildcard and a table-level
    // Query are different grants, and both directions are seen.
    let statement: Value = serde_yaml_ng::from_str(
        "Effect: Allow\nAction: [dynamodb:Query, dynamodb:GetItem]\nResource:\n  - !GetAtt Table.Arn\n  - !Sub \"${Table.Arn}/index/*\"\n",
    )
    .unwrap();
    let grants: BTreeSet<String> = grants_of("example", &statement).into_iter().collect();
    assert_eq!(
        grants,
        [
            "dynamodb:GetItem",
            "dynamodb:GetItem@*",
            "dynamodb:Query",
            "dynamodb:Query@*"
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
}

/// The calls each function makes in a run through every route, the stream and an inbound
/// SMS (its error paths too: a lost race, failed sends), attributed to the function that
/// made them: they must equal the function's line of `CALLS`: a call not in it is a grant
/// missing in AWS, an action of it never made is a path the run does not reach (or a grant
/// the code does not need).
mod observed {
    use super::CALLS;
    use async_trait::async_trait;
    use bytes::Bytes;
    use portal::clock::ShiftedClock;
    use portal::ctx::Config;
    use portal::domain::phone::Phone;
    use portal::http::ApiRequest;
    use portal::notify::{Mailer, NotifyError, Outbox, OutgoingEmail, Recorder, Sent, SmsSender};
    use portal::store::embedded::EmbeddedStore;
    use portal::store::Cond;
    use portal::store::{Item, Key, Page, Query, Store, StoreError, Update, Write};
    use portal::Ctx;
    use portal_local::router::Match;
    use portal_local::streams::LocalStream;
    use portal_local::{LocalApp, Template};
    use serde_json::{json, Value};
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::{Arc, Mutex};

    /// Who is calling now, and what each caller called.
    #[derive(Default)]
    struct Observed {
        now: Mutex<String>,
        calls: Mutex<BTreeMap<String, BTreeSet<String>>>,
        /// A function whose next `write_each` loses a race: another writer puts the item
        /// of its first conditional put just before (an import's row marker).
        race: Mutex<Option<String>>,
    }

    impl Observed {
        fn acting_as(&self, function: &str) {
            *self.now.lock().unwrap() = function.to_string();
        }

        /// Whether the function calling now loses this race (once).
        fn loses_race(&self) -> bool {
            let now = self.now.lock().unwrap().clone();
            let mut race = self.race.lock().unwrap();
            if race.as_deref() == Some(now.as_str()) {
                *race = None;
                true
            } else {
                false
            }
        }

        fn note(&self, action: impl Into<String>) {
            let who = self.now.lock().unwrap().clone();
            self.calls
                .lock()
                .unwrap()
                .entry(who)
                .or_default()
                .insert(action.into());
        }
    }

    /// The storage port as IAM sees it (see the mapping at the top of this file).
    struct Recording {
        inner: Arc<dyn Store>,
        seen: Arc<Observed>,
    }

    #[async_trait]
    impl Store for Recording {
        async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
            self.seen.note("dynamodb:GetItem");
            self.inner.get(key).await
        }
        async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
            self.seen.note("dynamodb:BatchGetItem");
            self.inner.batch_get(keys).await
        }
        async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
            self.seen.note("dynamodb:PutItem");
            self.inner.put(item, cond).await
        }
        async fn update(
            &self,
            key: &Key,
            update: &Update,
            cond: Option<Cond>,
        ) -> Result<Item, StoreError> {
            self.seen.note("dynamodb:UpdateItem");
            self.inner.update(key, update, cond).await
        }
        async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
            self.seen.note("dynamodb:DeleteItem");
            self.inner.delete(key, cond).await
        }
        async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
            for write in &writes {
                self.seen.note(match write {
                    Write::Put { .. } => "dynamodb:PutItem",
                    Write::Update { .. } => "dynamodb:UpdateItem",
                    Write::Delete { .. } => "dynamodb:DeleteItem",
                    Write::Check { .. } => "dynamodb:ConditionCheckItem",
                });
            }
            self.inner.transact(writes).await
        }
        async fn write_each(
            &self,
            writes: Vec<Write>,
        ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
            if self.seen.loses_race() {
                let first = writes.iter().find_map(|w| match w {
                    Write::Put {
                        item,
                        cond: Some(_),
                    } => Some(item.clone()),
                    _ => None,
                });
                self.inner
                    .put(first.expect("a conditional put"), None)
                    .await?;
            }
            for write in &writes {
                self.seen.note(match write {
                    Write::Put { cond: None, .. } | Write::Delete { cond: None, .. } => {
                        "dynamodb:BatchWriteItem"
                    }
                    Write::Put { .. } => "dynamodb:PutItem",
                    Write::Update { .. } => "dynamodb:UpdateItem",
                    Write::Delete { .. } => "dynamodb:DeleteItem",
                    Write::Check { .. } => "dynamodb:ConditionCheckItem",
                });
            }
            self.inner.write_each(writes).await
        }
        async fn query(&self, query: &Query) -> Result<Page, StoreError> {
            self.seen.note(match query.index {
                None => "dynamodb:Query".to_string(),
                Some(index) => format!("dynamodb:Query@{}", index.name()),
            });
            self.inner.query(query).await
        }
    }

    struct RecordingMail(Arc<dyn Mailer>, Arc<Observed>);

    #[async_trait]
    impl Mailer for RecordingMail {
        async fn send_email(&self, email: &OutgoingEmail) -> Result<(), NotifyError> {
            self.1.note("ses:SendEmail");
            self.0.send_email(email).await
        }
    }

    struct RecordingSms(Arc<dyn SmsSender>, Arc<Observed>);

    #[async_trait]
    impl SmsSender for RecordingSms {
        async fn send_sms(&self, to: &Phone, body: &str) -> Result<(), NotifyError> {
            self.1.note("sns:Publish");
            self.0.send_sms(to, body).await
        }
    }

    struct RecordingPusher(Arc<portal::notify::Connections>, Arc<Observed>);

    #[async_trait]
    impl portal::notify::Pusher for RecordingPusher {
        async fn push(
            &self,
            connection_id: &str,
            message: &str,
        ) -> Result<(), portal::notify::PushError> {
            self.1.note("execute-api:ManageConnections");
            self.0.push(connection_id, message).await
        }
    }

    struct World {
        ctx: Arc<Ctx>,
        live: Arc<portal::notify::Connections>,
        live_stream: LocalStream,
        app: LocalApp,
        seen: Arc<Observed>,
        recorder: Arc<Recorder>,
        clock: Arc<ShiftedClock>,
        stream: LocalStream,
        _dir: tempfile::TempDir,
    }

    impl World {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let store = EmbeddedStore::open(dir.path()).unwrap();
            let outbox = Arc::new(Outbox::new(store.clone()));
            let recorder = Arc::new(Recorder::new(outbox.clone(), outbox));
            let seen = Arc::new(Observed::default());
            let clock = Arc::new(ShiftedClock::default());
            let live = Arc::new(portal::notify::Connections::default());
            let ctx = Arc::new(Ctx {
                store: Arc::new(Recording {
                    inner: Arc::new(store.clone()),
                    seen: seen.clone(),
                }),
                mailer: Some(Arc::new(RecordingMail(recorder.clone(), seen.clone()))),
                sms: Some(Arc::new(RecordingSms(recorder.clone(), seen.clone()))),
                pusher: Some(Arc::new(RecordingPusher(live.clone(), seen.clone()))),
                clock: clock.clone(),
                config: Config {
                    public_base_url: Some("https://portal.test".into()),
                    sender_email: portal_tests::SENDER.into(),
                    sms: Default::default(),
                    webhooks_allow_private: true,
                },
            });
            Self {
                app: LocalApp::new(ctx.clone(), &Template::built_in()),
                live_stream: LocalStream::live_pusher(store.clone(), &ctx),
                live,
                stream: LocalStream::new(store, ctx.clone()),
                ctx,
                seen,
                recorder,
                clock,
                _dir: dir,
            }
        }

        /// One request, as API Gateway runs it: the authorizer's calls, then the function's.
        async fn call(
            &self,
            method: &str,
            uri: &str,
            key: Option<&str>,
            body: Option<Value>,
        ) -> (u16, Value) {
            let mut headers = http::HeaderMap::new();
            if let Some(external) = body.as_ref().and_then(|b| b["externalId"].as_str()) {
                headers.insert("idempotency-key", external.parse().unwrap());
            }
            // A JSON string body is sent as it is: a CSV sheet.
            let body = match body {
                Some(Value::String(sheet)) => {
                    headers.insert("content-type", "text/csv".parse().unwrap());
                    Bytes::from(sheet)
                }
                other => other
                    .map(|b| Bytes::from(b.to_string()))
                    .unwrap_or_default(),
            };
            self.send(method, uri, key, headers, body).await
        }

        /// A request with its own headers and raw body (a signed webhook).
        async fn send(
            &self,
            method: &str,
            uri: &str,
            key: Option<&str>,
            headers: http::HeaderMap,
            body: Bytes,
        ) -> (u16, Value) {
            let response = self.respond(method, uri, key, headers, body).await;
            let body = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            (response.status, body)
        }

        /// A web page or form post from the portal's own origin, with a session cookie,
        /// six minutes after the last one: a session's idle deadline moves on (UpdateItem)
        /// at most every five.
        async fn page(
            &self,
            method: &str,
            uri: &str,
            cookie: Option<&str>,
            form: &str,
        ) -> portal::http::ApiResponse {
            self.clock.advance(chrono::Duration::minutes(6));
            let mut headers = http::HeaderMap::new();
            headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
            if let Some(cookie) = cookie {
                headers.insert("cookie", cookie.parse().unwrap());
            }
            self.respond(method, uri, None, headers, Bytes::from(form.to_string()))
                .await
        }

        async fn respond(
            &self,
            method: &str,
            uri: &str,
            key: Option<&str>,
            headers: http::HeaderMap,
            body: Bytes,
        ) -> portal::http::ApiResponse {
            let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
            let Match::Found {
                function,
                public,
                params,
                route,
            } = self.app.router().find(method, path)
            else {
                panic!("{method} {path} is not a route");
            };
            let auth = if public {
                None
            } else {
                self.seen.acting_as("authorizer");
                let header = key.map(|k| format!("Bearer {k}"));
                Some(
                    portal::auth::authorize(self.ctx.store.as_ref(), header.as_deref())
                        .await
                        .unwrap(),
                )
            };
            self.seen.acting_as(function);
            let function = portal_local::functions::http_function(function).unwrap();
            let request = ApiRequest {
                method: method.into(),
                path_params: params,
                query: form_urlencoded_pairs(query),
                headers,
                body,
                auth,
                base_url: None,
                source_ip: None,
                route,
            };
            // The function's own context: only the clients its main.rs names.
            (function.handler)(self.app.ctx_for(function), request).await
        }

        async fn ok(&self, method: &str, uri: &str, key: &str, body: Option<Value>) -> Value {
            let (status, body) = self.call(method, uri, Some(key), body).await;
            assert!(
                (200..300).contains(&status),
                "{method} {uri}: {status} {body}"
            );
            body
        }

        fn last_email_text(&self) -> String {
            self.recorder
                .sent()
                .into_iter()
                .rev()
                .find_map(|s| match s {
                    Sent::Email(e) => Some(e.text),
                    _ => None,
                })
                .expect("an email")
        }
    }

    fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect()
    }

    #[tokio::test]
    async fn every_call_a_function_makes_is_in_its_line_of_the_table() {
        let w = World::new();
        w.seen.acting_as("setup");
        let courier = portal::api::couriers::create_courier_with_user(
            &w.ctx,
            "Swift Couriers",
            "ops@swift.example",
            "Europe/Paris",
            "https://portal.test",
        )
        .await
        .unwrap();
        let c = courier.key.secret.as_str();

        // Clients, invitation, email change.
        let client = w
            .ok(
                "POST",
                "/v1/clients",
                c,
                Some(json!({"name": "Bloom", "email": "orders@bloom.example"})),
            )
            .await;
        let client_id = client["id"].as_str().unwrap().to_string();
        w.ok("GET", "/v1/clients", c, None).await;
        w.ok("GET", &format!("/v1/clients/{client_id}"), c, None)
            .await;
        w.ok(
            "POST",
            &format!("/v1/clients/{client_id}/invitation"),
            c,
            None,
        )
        .await;
        let token = portal_tests::token_in(&w.last_email_text(), "/invitations/", "\n");
        let (status, accepted) = w
            .call(
                "POST",
                &format!("/v1/invitations/{token}/accept"),
                None,
                None,
            )
            .await;
        assert_eq!(status, 201, "{accepted}");
        let k = accepted["apiKey"]["key"].as_str().unwrap().to_string();
        let version = w
            .ok("GET", &format!("/v1/clients/{client_id}"), c, None)
            .await["version"]
            .clone();
        w.ok(
            "PATCH",
            &format!("/v1/clients/{client_id}"),
            c,
            Some(json!({"version": version, "email": "newer@bloom.example"})),
        )
        .await;
        // A second change replaces the pending one (its confirmation removed).
        w.ok(
            "PATCH",
            &format!("/v1/clients/{client_id}"),
            c,
            Some(json!({"email": "new@bloom.example"})),
        )
        .await;
        let token = portal_tests::token_in(&w.last_email_text(), "/email-confirmations/", "\n");
        let (status, body) = w
            .call(
                "POST",
                &format!("/v1/email-confirmations/{token}"),
                None,
                None,
            )
            .await;
        assert!((200..300).contains(&status), "{status} {body}");
        // Another change, confirmed from its page's button.
        w.ok(
            "PATCH",
            &format!("/v1/clients/{client_id}"),
            c,
            Some(json!({"email": "orders@bloom.example"})),
        )
        .await;
        let confirm = format!(
            "/email-confirmations/{}",
            portal_tests::token_in(&w.last_email_text(), "/email-confirmations/", "\n")
        );
        assert_eq!(w.page("GET", &confirm, None, "").await.status, 200);
        assert_eq!(w.page("POST", &confirm, None, "").await.status, 200);

        // API keys.
        let key = w
            .ok("POST", "/v1/api-keys", &k, Some(json!({"label": "shop"})))
            .await;
        w.ok("GET", "/v1/api-keys", &k, None).await;
        let key_id = key["id"].as_str().unwrap().to_string();
        w.ok("DELETE", &format!("/v1/api-keys/{key_id}"), &k, None)
            .await;

        // Teammates: three admins invited, listed; one made a member, another removed.
        let mut people = vec![];
        for name in ["ana", "ben", "cleo"] {
            let person = w
                .ok(
                    "POST",
                    "/v1/users",
                    &k,
                    Some(json!({"email": format!("{name}@bloom.example"), "name": name, "role": "admin"})),
                )
                .await;
            people.push(person["id"].as_str().unwrap().to_string());
        }
        w.ok("GET", "/v1/users", &k, None).await;
        w.recorder.fail_sends(true);
        let (status, body) = w
            .call(
                "POST",
                "/v1/users",
                Some(&k),
                Some(json!({"email": "dora@bloom.example", "name": "dora", "role": "admin"})),
            )
            .await;
        assert_eq!(status, 503, "{body}");
        w.recorder.fail_sends(false);
        w.ok(
            "PATCH",
            &format!("/v1/users/{}", people[0]),
            &k,
            Some(json!({"role": "member"})),
        )
        .await;
        w.ok("DELETE", &format!("/v1/users/{}", people[1]), &k, None)
            .await;

        // Orders.
        let order_body = json!({
            "pickup": {"address": {"line1": "1 Market St", "city": "Lyon"}, "contact": {"name": "Ana", "phone": "+33612345678"}},
            "dropoff": {"address": {"line1": "9 Rue de la Paix", "city": "Paris"}, "recipient": {"name": "Marie Curie", "phone": "+33698765432"}},
            "weight": 2.5, "pieces": 1, "externalId": "SHOP-1"
        });
        let order = w
            .ok("POST", "/v1/orders", &k, Some(order_body.clone()))
            .await;
        w.ok("POST", "/v1/orders", &k, Some(order_body.clone()))
            .await; // idempotent replay
        let id = order["id"].as_str().unwrap().to_string();
        let short = order["shortId"].as_str().unwrap().to_string();
        w.ok("GET", "/v1/orders?q=curie", c, None).await;
        w.ok("GET", "/v1/orders", &k, None).await;
        w.ok("GET", &format!("/v1/orders?clientId={client_id}"), c, None)
            .await;
        w.call("GET", "/v1/orders/export", Some(c), None).await;
        // One client's orders (GSI1).
        w.call(
            "GET",
            &format!("/v1/orders/export?clientId={client_id}"),
            Some(c),
            None,
        )
        .await;
        w.ok("GET", &format!("/v1/orders/{id}"), c, None).await;
        w.ok("GET", &format!("/v1/orders/{short}"), &k, None).await;
        w.ok(
            "PATCH",
            &format!("/v1/orders/{short}"),
            &k,
            Some(json!({"version": 1, "weight": 3})),
        )
        .await;
        // A searched field: its search terms move in the update's transaction.
        let mut renamed = order_body["dropoff"].clone();
        renamed["recipient"]["name"] = json!("Marie Sklodowska");
        w.ok(
            "PATCH",
            &format!("/v1/orders/{id}"),
            &k,
            Some(json!({"version": 2, "dropoff": renamed})),
        )
        .await;
        let pickup = order["pickup"]["id"].as_str().unwrap().to_string();
        let dropoff = order["dropoff"]["id"].as_str().unwrap().to_string();
        // Teams: created, listed, renamed (its name's marker moved); a client created with
        // it as its auto-assign team, moved off it and back; refused deletion (in use,
        // naming the client), then a spare one deleted.
        let team = w
            .ok("POST", "/v1/teams", c, Some(json!({"name": "North"})))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        w.ok("GET", "/v1/teams", c, None).await;
        w.ok(
            "PATCH",
            &format!("/v1/teams/{team}"),
            c,
            Some(json!({"name": "North side"})),
        )
        .await;
        let teamed = w
            .ok(
                "POST",
                "/v1/clients",
                c,
                Some(json!({"name": "Teamed", "email": "t@teamed.example", "autoAssignTeamId": team})),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let spare = w
            .ok("POST", "/v1/teams", c, Some(json!({"name": "Spare"})))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        for moved_to in [&spare, &team] {
            w.ok(
                "PATCH",
                &format!("/v1/clients/{teamed}"),
                c,
                Some(json!({"autoAssignTeamId": moved_to})),
            )
            .await;
        }
        let (status, body) = w
            .call("DELETE", &format!("/v1/teams/{team}"), Some(c), None)
            .await;
        assert_eq!(status, 409, "in use: {body}");
        w.ok("DELETE", &format!("/v1/teams/{spare}"), c, None).await;
        for (task, event) in [
            (
                &pickup,
                json!({"type": "assigned", "driver": {"name": "Sam Rider"}, "teamId": team}),
            ),
            (
                &dropoff,
                json!({"type": "assigned", "driver": {"name": "Sam Rider"}}),
            ),
            (&pickup, json!({"type": "started"})),
            (&pickup, json!({"type": "completed"})),
            (&dropoff, json!({"type": "started"})),
        ] {
            w.ok("POST", &format!("/v1/tasks/{task}/events"), c, Some(event))
                .await;
        }
        let track = order["trackingUrl"]
            .as_str()
            .unwrap()
            .rsplit_once("/track/")
            .unwrap()
            .1
            .to_string();
        w.ok(
            "POST",
            &format!("/v1/tasks/{dropoff}/location"),
            c,
            Some(json!({"lat": 48.85, "lng": 2.35})),
        )
        .await;
        w.call("GET", &format!("/track/{track}"), None, None).await;
        // Delivered, then rated from the tracking page: a refused field first (the page
        // again), then the rating.
        w.ok(
            "POST",
            &format!("/v1/tasks/{dropoff}/events"),
            c,
            Some(json!({"type": "completed"})),
        )
        .await;
        for (form, status) in [("stars=9", 422), ("stars=5&comment=Quick", 303)] {
            let answer = w
                .page("POST", &format!("/track/{track}/rating"), None, form)
                .await;
            assert_eq!(answer.status, status, "{form}: {:?}", answer.body);
        }

        // A second order: rejected, resubmitted, withdrawn; a draft finalized.
        let mut second = order_body.clone();
        second["externalId"] = json!("SHOP-2");
        let second = w.ok("POST", "/v1/orders", &k, Some(second)).await;
        // By id (GetItem) and by short id (the GSI2 lookup).
        let ids = [
            second["id"].as_str().unwrap().to_string(),
            second["shortId"].as_str().unwrap().to_string(),
        ];
        for (reject, resubmit) in [(&ids[1], &ids[0]), (&ids[0], &ids[1])] {
            w.ok(
                "POST",
                &format!("/v1/orders/{reject}/reject"),
                c,
                Some(json!({"reason": "No Sundays"})),
            )
            .await;
            w.ok("POST", &format!("/v1/orders/{resubmit}/resubmit"), &k, None)
                .await;
        }
        w.ok("POST", &format!("/v1/orders/{}/withdraw", ids[1]), &k, None)
            .await;
        let mut third = order_body.clone();
        third["externalId"] = json!("SHOP-3");
        let third = w.ok("POST", "/v1/orders", &k, Some(third)).await;
        w.ok(
            "POST",
            &format!("/v1/orders/{}/withdraw", third["id"].as_str().unwrap()),
            &k,
            None,
        )
        .await;
        let mut draft = order_body.clone();
        draft["draft"] = json!(true);
        draft["externalId"] = json!("DRAFT-1");
        let draft = w.ok("POST", "/v1/orders", &k, Some(draft)).await;
        w.call(
            "POST",
            &format!("/v1/orders/{}/finalize", draft["id"].as_str().unwrap()),
            Some(&k),
            None,
        )
        .await;

        // Imports: the client uploads drafts (and updates them), submits them; the
        // courier imports placed orders for the client.
        w.ok(
            "PATCH",
            &format!("/v1/clients/{client_id}"),
            c,
            Some(json!({
                "allowOrderUpload": true,
                "defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon"}}
            })),
        )
        .await;
        let sheet = "Address,City,Name,Id\n5 Rue Neuve,Lyon,Eve Curie,R-1\n,Lyon,No Street,R-2\n";
        let imported = w.ok("POST", "/v1/imports", &k, Some(json!(sheet))).await;
        w.ok(
            "POST",
            "/v1/imports",
            &k,
            Some(json!(sheet.replace("Neuve", "Vieille"))),
        )
        .await;
        w.ok("POST", "/v1/imports?preflight=true", &k, Some(json!(sheet)))
            .await;
        let import_id = imported["id"].as_str().unwrap().to_string();
        w.ok("GET", "/v1/imports", &k, None).await;
        w.ok("GET", &format!("/v1/imports/{import_id}"), &k, None)
            .await;
        w.ok(
            "POST",
            "/v1/orders/submit",
            &k,
            Some(json!({"importId": import_id})),
        )
        .await;
        // Another import's draft, finalised alone (by short id): its search terms are
        // written then. One more, whose first row's marker another import takes between
        // the reads and the writes: the order's short id marker is removed.
        let other = w
            .ok(
                "POST",
                "/v1/imports",
                &k,
                Some(json!("Address,City,Name,Id\n8 Rue Neuve,Lyon,Ada,R-3\n")),
            )
            .await;
        let imported = other["rows"][0]["orderId"].as_str().unwrap();
        let imported = w
            .ok("GET", &format!("/v1/orders/{imported}"), &k, None)
            .await;
        w.ok(
            "POST",
            &format!(
                "/v1/orders/{}/finalize",
                imported["shortId"].as_str().unwrap()
            ),
            &k,
            None,
        )
        .await;
        *w.seen.race.lock().unwrap() = Some("create-import".into());
        w.ok(
            "POST",
            "/v1/imports",
            &k,
            Some(json!("Address,City,Name,Id\n9 Rue Neuve,Lyon,Ada,R-4\n")),
        )
        .await;
        w.ok(
            "POST",
            &format!("/v1/imports?clientId={client_id}"),
            c,
            Some(json!("Address,Id\n7 Quai Est,T-1\n")),
        )
        .await;
        // A large sheet: the import worker writes it, a slice per step (its first marker
        // lost to a race, so the short id it had put is removed).
        let mut sheet = String::from("Address,City,Name,Id\n");
        for n in 0..=portal::imports::INLINE_ROWS {
            sheet.push_str(&format!("{n} Rue Longue,Lyon,Ada,L-{n}\n"));
        }
        let running = w.ok("POST", "/v1/imports", &k, Some(json!(sheet))).await;
        assert_eq!(running["status"], json!("running"), "{running}");
        let import_id = running["id"].as_str().unwrap().to_string();
        w.seen.acting_as("import-worker");
        *w.seen.race.lock().unwrap() = Some("import-worker".into());
        let worker = w
            .ctx
            .wired_for(portal_local::functions::IMPORT_WORKER.needs);
        let summary = portal::imports::record::summary_key(&client_id, &import_id);
        loop {
            match portal::imports::worker::advance(&worker, &summary)
                .await
                .unwrap()
            {
                portal::imports::worker::Step::Wrote(_) => continue,
                step => {
                    assert!(
                        matches!(step, portal::imports::worker::Step::Done(_)),
                        "{step:?}"
                    );
                    break;
                }
            }
        }
        // Two large imports whose worker never runs: hours later, each is failed by the
        // read that finds it stalled (the one, by its GET; the other, by the list).
        *w.seen.race.lock().unwrap() = None;
        let mut stalled = vec![];
        for prefix in ["S", "T"] {
            let mut sheet = String::from("Address,City,Name,Id\n");
            for n in 0..=portal::imports::INLINE_ROWS {
                sheet.push_str(&format!("{n} Rue Courte,Lyon,Ada,{prefix}-{n}\n"));
            }
            let started = w.ok("POST", "/v1/imports", &k, Some(json!(sheet))).await;
            stalled.push(started["id"].as_str().unwrap().to_string());
        }
        w.clock.advance(chrono::Duration::minutes(
            portal::imports::record::STALLED_AFTER_MINUTES + 1,
        ));
        let failed = w
            .ok("GET", &format!("/v1/imports/{}", stalled[1]), &k, None)
            .await;
        assert_eq!(failed["status"], json!("failed"), "{failed}");
        let listed = w.ok("GET", "/v1/imports", &k, None).await;
        assert_eq!(listed["items"][0]["status"], json!("failed"), "{listed}");

        // Services and rate tables, given to the client; quotes; a quoted order.
        let service = |name: &str| {
            json!({"name": name, "sla": {"kind": "same_day", "hours": 4},
                   "availability": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "23:59"}})
        };
        let rates = json!({"name": "Standard", "currency": "EUR", "base": {"method": "flat", "amount": 900}});
        let svc = w
            .ok("POST", "/v1/services", c, Some(service("Same day")))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let rtb = w
            .ok("POST", "/v1/rate-tables", c, Some(rates.clone()))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        w.ok("GET", "/v1/services", c, None).await;
        w.ok("GET", "/v1/rate-tables", c, None).await;
        w.ok("GET", &format!("/v1/services/{svc}"), c, None).await;
        w.ok("GET", &format!("/v1/rate-tables/{rtb}"), c, None)
            .await;
        w.ok(
            "PUT",
            &format!("/v1/clients/{client_id}/services"),
            c,
            Some(json!({"services": [{"serviceId": svc, "rateTableId": rtb}]})),
        )
        .await;
        w.ok("GET", &format!("/v1/clients/{client_id}/services"), c, None)
            .await;
        // The same pairs again: each kept one checked.
        w.ok(
            "PUT",
            &format!("/v1/clients/{client_id}/services"),
            c,
            Some(json!({"services": [{"serviceId": svc, "rateTableId": rtb}]})),
        )
        .await;
        // Changes reach the client's copy.
        w.ok(
            "PATCH",
            &format!("/v1/services/{svc}"),
            c,
            Some(json!({"maxPieces": 10})),
        )
        .await;
        w.ok(
            "PATCH",
            &format!("/v1/rate-tables/{rtb}"),
            c,
            Some(json!({"minPrice": 500})),
        )
        .await;
        w.ok("GET", "/v1/services", &k, None).await;
        let quote = json!({"dropoff": order_body["dropoff"].clone(), "pickup": order_body["pickup"].clone(), "pieces": 1});
        w.ok("POST", "/v1/quotes", &k, Some(quote.clone())).await;
        let mut for_client = quote.clone();
        for_client["clientId"] = json!(client_id);
        w.ok("POST", "/v1/quotes", c, Some(for_client)).await;
        let mut quoted = order_body.clone();
        quoted["externalId"] = json!("QUOTED-1");
        w.ok("POST", "/v1/orders", &k, Some(quoted)).await;
        let (status, _) = w
            .call("DELETE", &format!("/v1/services/{svc}"), Some(c), None)
            .await;
        assert_eq!(status, 409, "in use");
        let (status, _) = w
            .call("DELETE", &format!("/v1/rate-tables/{rtb}"), Some(c), None)
            .await;
        assert_eq!(status, 409, "in use");
        let spare = w
            .ok("POST", "/v1/services", c, Some(service("Spare")))
            .await;
        w.ok(
            "DELETE",
            &format!("/v1/services/{}", spare["id"].as_str().unwrap()),
            c,
            None,
        )
        .await;
        let spare = w.ok("POST", "/v1/rate-tables", c, Some(rates)).await;
        w.ok(
            "DELETE",
            &format!("/v1/rate-tables/{}", spare["id"].as_str().unwrap()),
            c,
            None,
        )
        .await;

        // Settings.
        w.ok("GET", "/v1/settings/notifications", &k, None).await;
        w.call(
            "PUT",
            "/v1/settings/notifications",
            Some(&k),
            Some(json!({"language": "fr"})),
        )
        .await;
        w.ok("GET", "/v1/settings/organization", &k, None).await;
        w.ok("GET", "/v1/settings/organization", c, None).await;
        for email in ["hi@bloom.example", "hello@bloom.example"] {
            w.ok(
                "PATCH",
                "/v1/settings/organization",
                &k,
                Some(json!({"email": email, "units": "imperial"})),
            )
            .await;
        }
        w.ok(
            "PATCH",
            "/v1/settings/organization",
            c,
            Some(json!({"phone": "+33612345678"})),
        )
        .await;
        w.ok("GET", "/v1/settings/tracking-page", &k, None).await;
        w.ok(
            "PUT",
            "/v1/settings/tracking-page",
            &k,
            Some(json!({"primaryColor": "#ff5500"})),
        )
        .await;

        // The stream's order changes (recipient SMS, rejection email), then a STOP.
        w.seen.acting_as("status-fanout");
        w.recorder.fail_sends(true);
        let deliveries = w.stream.drain().await.unwrap();
        assert!(
            deliveries.last().unwrap().failed.is_some(),
            "{deliveries:?}"
        );
        w.recorder.fail_sends(false);
        let deliveries = w.stream.drain().await.unwrap();
        assert!(deliveries.iter().all(|d| d.failed.is_none()));
        w.seen.acting_as("sms-inbound");
        let stop = portal::fanout::inbound::InboundSms {
            origination_number: "+33698765432".into(),
            destination_number: None,
            message_keyword: None,
            message_body: "STOP".into(),
            inbound_message_id: "in-1".into(),
        };
        portal::fanout::inbound::handle_sns(
            &w.ctx,
            portal::fanout::inbound::sns_event("arn:aws:sns:us-east-1:1:inbound", &stop),
        )
        .await
        .unwrap();
        for (n, body) in ["HELP", "START"].into_iter().enumerate() {
            let sms = portal::fanout::inbound::InboundSms {
                message_body: body.into(),
                inbound_message_id: format!("in-{}", n + 2),
                ..stop.clone()
            };
            portal::fanout::inbound::handle_sns(
                &w.ctx,
                portal::fanout::inbound::sns_event("arn:aws:sns:us-east-1:1:inbound", &sms),
            )
            .await
            .unwrap();
        }

        // Integrations: the client creates one, the courier turns them on, a signed order
        // arrives, is read in the inbox, replayed, cancelled; then the integration goes.
        let integration = w
            .ok(
                "POST",
                "/v1/integrations",
                &k,
                Some(json!({"platform": "woocommerce", "name": "Woo"})),
            )
            .await;
        let (int_id, secret) = (
            integration["id"].as_str().unwrap().to_string(),
            integration["secret"].as_str().unwrap().to_string(),
        );
        w.ok("GET", "/v1/integrations", &k, None).await;
        w.ok("GET", &format!("/v1/integrations/{int_id}"), c, None)
            .await;
        w.ok(
            "PATCH",
            &format!("/v1/integrations/{int_id}"),
            &k,
            Some(json!({"defaultWeightPerPieceKg": 0.5})),
        )
        .await;
        let webhook = |topic: &str, status: &str, id: u64| {
            let body = json!({
                "id": id, "number": id.to_string(), "status": status, "date_modified_gmt": status,
                "line_items": [{"quantity": 2}],
                "shipping": {"first_name": "Ana", "address_1": "9 Rue de la Paix", "city": "Paris", "country": "FR"},
                "billing": {"phone": "+33698765432"}
            })
            .to_string();
            let mut headers = http::HeaderMap::new();
            headers.insert("x-wc-webhook-topic", topic.parse().unwrap());
            let signature =
                portal::domain::integration::signature::sign(secret.as_bytes(), &[body.as_bytes()]);
            headers.insert("x-wc-webhook-signature", signature.parse().unwrap());
            (headers, Bytes::from(body))
        };
        let uri = format!("/v1/integrations/{int_id}/webhook");
        // Before the courier turns integrations on: an order and its cancellation refused,
        // replayed once they are on (the order's transaction, the withdrawal's update).
        let mut refused = vec![];
        for (topic, status) in [
            ("order.created", "processing"),
            ("order.updated", "cancelled"),
        ] {
            let (headers, body) = webhook(topic, status, 728);
            let (status, delivery) = w.send("POST", &uri, None, headers, body).await;
            assert_eq!(
                (status, &delivery["outcome"]),
                (200, &json!("refused")),
                "{delivery}"
            );
            refused.push(delivery["id"].as_str().unwrap().to_string());
        }
        let version = w
            .ok("GET", &format!("/v1/clients/{client_id}"), c, None)
            .await["version"]
            .clone();
        w.ok(
            "PATCH",
            &format!("/v1/clients/{client_id}"),
            c,
            Some(json!({"version": version, "integrationsEnabled": true, "defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon"}}})),
        )
        .await;
        for (dlv, outcome) in refused.iter().zip(["created", "withdrawn"]) {
            let replayed = w
                .ok(
                    "POST",
                    &format!("/v1/integrations/{int_id}/deliveries/{dlv}/replay"),
                    &k,
                    None,
                )
                .await;
            assert_eq!(replayed["outcome"], outcome, "{replayed}");
        }
        let (headers, body) = webhook("order.created", "processing", 727);
        let (status, delivery) = w.send("POST", &uri, None, headers, body).await;
        assert_eq!(
            (status, &delivery["outcome"]),
            (200, &json!("created")),
            "{delivery}"
        );
        let deliveries = format!("/v1/integrations/{int_id}/deliveries");
        w.ok("GET", &deliveries, c, None).await;
        let dlv = delivery["id"].as_str().unwrap();
        w.ok("GET", &format!("{deliveries}/{dlv}"), &k, None).await;
        w.ok("POST", &format!("{deliveries}/{dlv}/replay"), &k, None)
            .await;
        let (headers, body) = webhook("order.updated", "cancelled", 727);
        let (status, delivery) = w.send("POST", &uri, None, headers, body).await;
        assert_eq!(
            (status, &delivery["outcome"]),
            (200, &json!("withdrawn")),
            "{delivery}"
        );
        w.ok("DELETE", &format!("/v1/integrations/{int_id}"), &k, None)
            .await;
        // The hourly draft reminders, on a morning two days later (07:30 UTC is 08:30 or
        // 09:30 in Paris, the client's zone through its courier).
        let mut waiting = order_body.clone();
        waiting["draft"] = json!(true);
        waiting["externalId"] = json!("DRAFT-2");
        w.ok("POST", "/v1/orders", &k, Some(waiting)).await;
        w.seen.acting_as("draft-reminders");
        let day = (chrono::Utc::now() + chrono::Duration::days(2)).date_naive();
        let at = day.and_hms_opt(7, 30, 0).unwrap().and_utc();
        let reminders = w
            .ctx
            .wired_for(portal_local::functions::DRAFT_REMINDERS.needs);
        w.recorder.fail_sends(true);
        assert!(portal::reminders::run_draft_reminders(&reminders, at)
            .await
            .is_err());
        w.recorder.fail_sends(false);
        let report = portal::reminders::run_draft_reminders(&reminders, at)
            .await
            .unwrap();
        assert_eq!(report.sent.len(), 1, "{report:?}");

        // The web portal: a second client's invitation page and form, its pages, sign-out
        // and sign-in.
        let petals = w
            .ok(
                "POST",
                "/v1/clients",
                c,
                Some(json!({"name": "Petals", "email": "hello@petals.example", "allowOrderUpload": true,
                    "defaultPickup": {"address": {"line1": "1 Market St", "city": "Lyon"}}})),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        w.ok("POST", &format!("/v1/clients/{petals}/invitation"), c, None)
            .await;
        let token = portal_tests::token_in(&w.last_email_text(), "/invitations/", "\n");
        let invitation = format!("/invitations/{token}");
        assert_eq!(w.page("GET", &invitation, None, "").await.status, 200);
        let accepted = w
            .page(
                "POST",
                &invitation,
                None,
                "name=Pia&password=a+long+passphrase",
            )
            .await;
        assert_eq!(accepted.status, 303);
        let cookie = portal_tests::session_cookie(&accepted);
        // Live updates: the client's person's pages open WebSockets (by the session's
        // ticket), a tracking page with an unknown token is refused, one page closes.
        w.seen.acting_as("live-connections");
        let live_ctx = w
            .ctx
            .wired_for(portal_local::functions::LIVE_CONNECTIONS.needs);
        let mut upgrade = http::HeaderMap::new();
        upgrade.insert("cookie", cookie.parse().unwrap());
        upgrade.insert("origin", "https://portal.test".parse().unwrap());
        let ticket = portal::accounts::session::live_ticket(&upgrade).unwrap();
        let by_ticket = vec![("ticket".to_string(), ticket)];
        for id in ["conn-a", "conn-b", "conn-c"] {
            let answer = portal::live::handle_route(
                &live_ctx,
                "$connect",
                id,
                &upgrade,
                &by_ticket,
                "https://portal.test",
                None,
            )
            .await;
            assert_eq!(answer.status, 200, "{id}");
        }
        let unknown = vec![("track".to_string(), "A".repeat(22))];
        let answer = portal::live::handle_route(
            &live_ctx,
            "$connect",
            "conn-d",
            &upgrade,
            &unknown,
            "https://portal.test",
            None,
        )
        .await;
        assert_eq!(answer.status, 404);
        let answer = portal::live::handle_route(
            &live_ctx,
            "$disconnect",
            "conn-a",
            &upgrade,
            &[],
            "https://portal.test",
            None,
        )
        .await;
        assert_eq!(answer.status, 200);
        // conn-b is open in this process; conn-c is a page that has gone (410).
        let _open = w.live.open("conn-b");
        let placed = w
            .page(
                "POST",
                "/orders",
                Some(&cookie),
                "form_id=&pickup_line1=1+Market+St&dropoff_line1=9+Rue+de+la+Paix&recipient_name=Marie&recipient_phone=%2B33698765432",
            )
            .await;
        assert_eq!(placed.status, 303, "{:?}", placed.body);
        let location = placed
            .headers
            .iter()
            .find(|(n, _)| n == "location")
            .map(|(_, v)| v.clone())
            .unwrap();
        let placed_id = location.trim_start_matches("/orders/").to_string();
        w.ok(
            "POST",
            &format!("/v1/orders/{placed_id}/reject"),
            c,
            Some(json!({"reason": "No such street"})),
        )
        .await;
        // The order's own pages and forms by its short id (the GSI2 lookup).
        let placed_short = w
            .ok("GET", &format!("/v1/orders/{placed_id}"), c, None)
            .await["shortId"]
            .as_str()
            .unwrap()
            .to_string();
        let resubmitted = w
            .page(
                "POST",
                &format!("/orders/{placed_short}/resubmit"),
                Some(&cookie),
                "version=2&pickup_line1=1+Market+St&dropoff_line1=2+Quai+Claude+Bernard&dropoff_city=Lyon",
            )
            .await;
        assert_eq!(resubmitted.status, 303, "{:?}", resubmitted.body);
        // A sheet checked, then imported as drafts (its first row's marker taken by another
        // import meanwhile: that order's short id marker is removed).
        for step in ["preflight", "commit"] {
            let boundary = "b0undary";
            let body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"step\"\r\n\r\n{step}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nAddress Line 1,City,Id\n1 Rue,Lyon,Z-1\n2 Rue,Lyon,Z-2\n3 Rue,Lyon,Z-3\n\r\n--{boundary}--\r\n"
            );
            let mut headers = http::HeaderMap::new();
            headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
            headers.insert("cookie", cookie.parse().unwrap());
            headers.insert(
                "content-type",
                format!("multipart/form-data; boundary={boundary}")
                    .parse()
                    .unwrap(),
            );
            if step == "commit" {
                *w.seen.race.lock().unwrap() = Some("import-form".into());
            }
            w.clock.advance(chrono::Duration::minutes(6));
            let answer = w
                .respond("POST", "/imports", None, headers, Bytes::from(body))
                .await;
            assert!(
                [200, 303].contains(&answer.status),
                "{step}: {:?}",
                answer.body
            );
        }
        let listed = w.ok("GET", "/v1/orders?status=draft", c, None).await;
        let imported = |external: &str| {
            let order = listed["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["externalId"] == external)
                .unwrap_or_else(|| panic!("{external} in {listed}"));
            (
                order["id"].as_str().unwrap().to_string(),
                order["shortId"].as_str().unwrap().to_string(),
            )
        };
        let (z2, _) = imported("Z-2");
        let (_, z3_short) = imported("Z-3");
        // The portal's other pages and forms: drafts (an imported one among them), the
        // order's actions, settings, static files.
        let draft = w
            .ok(
                "POST",
                "/v1/orders",
                c,
                Some(json!({"clientId": petals, "draft": true,
                    "pickup": {"address": {"line1": "1 Market St"}},
                    "dropoff": {"address": {"line1": "3 Rue du Bac"}}})),
            )
            .await;
        let draft_id = draft["id"].as_str().unwrap().to_string();
        for (uri, form, expected) in [
            (
                "/drafts".to_string(),
                format!("order={draft_id}%3AX&order={z2}%3AY"),
                200,
            ),
            (format!("/orders/{z3_short}/finalize"), String::new(), 303),
            // Refused (a phone that is not one): the order's page again, in the reader's zone.
            (
                format!("/orders/{placed_short}/edit"),
                "version=4&pickup_line1=1+Market+St&dropoff_line1=5+Rue+du+Bac&recipient_name=Marie&recipient_phone=12".into(),
                422,
            ),
            (
                format!("/orders/{placed_short}/edit"),
                "version=4&pickup_line1=1+Market+St&dropoff_line1=5+Rue+du+Bac&recipient_name=Marie".into(),
                303,
            ),
            (format!("/orders/{placed_short}/withdraw"), String::new(), 303),
            // A new contact email waits for its confirmation; a second one replaces it.
            (
                "/settings/organization".into(),
                "name=Petals&email=new%40petals.example&units=metric&country=FR".into(),
                303,
            ),
            (
                "/settings/organization".into(),
                "name=Petals&email=newer%40petals.example&units=metric&country=FR".into(),
                303,
            ),
            (
                "/settings/communications".into(),
                "language=fr&templates.dropoff.started=En+route+%7BtrackingLink%7D&draftReminders.enabled=on&draftReminders.afterHours=12".into(),
                303,
            ),
            (
                "/settings/tracking-page".into(),
                "primaryColor=%23123456&headerTextColor=%23ffffff&backgroundColor=%23f5f7fa&textColor=%23111111&logoUrl=&showEta=on".into(),
                303,
            ),
        ] {
            let answer = w.page("POST", &uri, Some(&cookie), &form).await;
            assert_eq!(answer.status, expected, "{uri}: {:?}", answer.body);
        }
        let drafts = w.ok("GET", "/v1/orders?status=draft", c, None).await;
        assert!(
            drafts["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["externalId"] != "Z-2" && o["externalId"] != "Z-3"),
            "the imported drafts were placed: {drafts}"
        );
        let version = portal::web::assets::version();
        for uri in [
            "/drafts".to_string(),
            "/imports".into(),
            "/imports/columns".into(),
            "/settings/organization".into(),
            "/settings/communications".into(),
            "/settings/tracking-page".into(),
            format!("/static/{version}/portal.css"),
        ] {
            assert_eq!(
                w.page("GET", &uri, Some(&cookie), "").await.status,
                200,
                "{uri}"
            );
        }
        // API keys and integrations.
        let created = w
            .page("POST", "/settings/api/keys", Some(&cookie), "label=Shop")
            .await;
        assert_eq!(created.status, 201);
        let listed = w.ok("GET", "/v1/api-keys", c, None).await;
        let _ = listed;
        let text = String::from_utf8_lossy(&created.body).to_string();
        let key_id = portal_tests::token_in(&text, "/settings/api/keys/", "/revoke");
        let revoked = w
            .page(
                "POST",
                &format!("/settings/api/keys/{key_id}/revoke"),
                Some(&cookie),
                "",
            )
            .await;
        assert_eq!(revoked.status, 303);
        let integration = w
            .page(
                "POST",
                "/settings/api/integrations",
                Some(&cookie),
                "platform=generic&name=ERP",
            )
            .await;
        assert_eq!(integration.status, 201);
        let text = String::from_utf8_lossy(&integration.body).to_string();
        let integration_id = portal_tests::token_in(&text, "/settings/api?integration=", "\"");
        let secret = portal_tests::token_in(&text, "id=\"secret-value\">", "<");
        // A shop order before the courier turns integrations on for Petals: refused, then
        // replayed from the inbox once they are (the order's transaction).
        let shop_order = json!({"dropoff": {"address": {"line1": "6 Rue du Bac", "city": "Lyon"}}, "externalId": "ERP-1"}).to_string();
        let mut headers = http::HeaderMap::new();
        for (name, value) in crate::integrations::standard_headers(
            &secret,
            "msg_1",
            w.ctx.now().timestamp(),
            shop_order.as_bytes(),
        ) {
            headers.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        let (status, delivery) = w
            .send(
                "POST",
                &format!("/v1/integrations/{integration_id}/webhook"),
                None,
                headers,
                Bytes::from(shop_order),
            )
            .await;
        assert_eq!(
            (status, &delivery["outcome"]),
            (200, &json!("refused")),
            "{delivery}"
        );
        w.ok(
            "PATCH",
            &format!("/v1/clients/{petals}"),
            c,
            Some(json!({"integrationsEnabled": true})),
        )
        .await;
        let inbox = w
            .page(
                "GET",
                &format!("/settings/api?integration={integration_id}"),
                Some(&cookie),
                "",
            )
            .await;
        assert_eq!(inbox.status, 200);
        let replay = |delivery: &str| {
            format!("/settings/api/integrations/{integration_id}/deliveries/{delivery}/replay")
        };
        let replayed = w
            .page(
                "POST",
                &replay(delivery["id"].as_str().unwrap()),
                Some(&cookie),
                "",
            )
            .await;
        assert_eq!(replayed.status, 303, "{:?}", replayed.body);
        let missing = w
            .page(
                "POST",
                &replay("dlv_01J9Z3X8Q6V2N4M7K5H3G1F0DE"),
                Some(&cookie),
                "",
            )
            .await;
        assert_eq!(missing.status, 404);
        // Webhook endpoints on the page: one added (to a closed port here; a refused
        // address first), turned off and on, its secret rotated, a test event sent and
        // replayed from its log, the log read, the endpoint deleted.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let refused = w
            .page(
                "POST",
                "/settings/api/webhooks",
                Some(&cookie),
                "action=create&url=&eventTypes=order.created",
            )
            .await;
        assert_eq!(refused.status, 422, "{:?}", refused.body);
        let added = w
            .page(
                "POST",
                "/settings/api/webhooks",
                Some(&cookie),
                &format!("action=create&url=http%3A%2F%2F{closed}%2F&eventTypes=order.created&eventTypes=task.completed&description=ERP"),
            )
            .await;
        assert_eq!(added.status, 201, "{:?}", added.body);
        let text = String::from_utf8_lossy(&added.body).to_string();
        let hook = portal_tests::token_in(&text, "name=\"endpointId\" value=\"", "\"");
        for (action, status) in [("disable", 303), ("enable", 303), ("rotate", 200)] {
            let answer = w
                .page(
                    "POST",
                    "/settings/api/webhooks",
                    Some(&cookie),
                    &format!("action={action}&endpointId={hook}"),
                )
                .await;
            assert_eq!(answer.status, status, "{action}: {:?}", answer.body);
        }
        let tested = w
            .page(
                "POST",
                "/settings/api/webhooks",
                Some(&cookie),
                &format!("action=test&endpointId={hook}"),
            )
            .await;
        assert_eq!(tested.status, 200, "{:?}", tested.body);
        let text = String::from_utf8_lossy(&tested.body).to_string();
        let sent = portal_tests::token_in(&text, "name=\"deliveryId\" value=\"", "\"");
        let replayed = w
            .page(
                "POST",
                "/settings/api/webhooks",
                Some(&cookie),
                &format!("action=replay&endpointId={hook}&deliveryId={sent}"),
            )
            .await;
        assert_eq!(replayed.status, 303, "{:?}", replayed.body);
        let log = w
            .page(
                "GET",
                &format!("/settings/api?webhook={hook}"),
                Some(&cookie),
                "",
            )
            .await;
        assert_eq!(log.status, 200);
        let deleted = w
            .page(
                "POST",
                "/settings/api/webhooks",
                Some(&cookie),
                &format!("action=delete&endpointId={hook}"),
            )
            .await;
        assert_eq!(deleted.status, 303, "{:?}", deleted.body);
        let imports = w.page("GET", "/imports", Some(&cookie), "").await;
        let text = String::from_utf8_lossy(&imports.body).to_string();
        let import_id = portal_tests::token_in(&text, "/imports?import=", "\"");
        let report = w
            .page(
                "GET",
                &format!("/imports?import={import_id}"),
                Some(&cookie),
                "",
            )
            .await;
        assert_eq!(report.status, 200);
        for uri in [
            "/",
            "/login",
            "/orders",
            "/orders?q=marie",
            "/orders/new",
            &format!("/orders/{id}"),
            &format!("/orders/{placed_short}"),
        ] {
            let status = w.page("GET", uri, Some(&cookie), "").await.status;
            assert!([200, 303, 404].contains(&status), "{uri}: {status}");
        }
        assert_eq!(
            w.page("POST", "/logout", Some(&cookie), "").await.status,
            303
        );
        // Two sessions: changing the password ends the other one.
        let mut sessions = vec![];
        for _ in 0..2 {
            let signed_in = w
                .page(
                    "POST",
                    "/login",
                    None,
                    "email=hello%40petals.example&password=a+long+passphrase",
                )
                .await;
            assert_eq!(signed_in.status, 303);
            sessions.push(portal_tests::session_cookie(&signed_in));
        }

        // The courier's first user sets a password from its link (and is signed in), then
        // lists and searches all its clients' orders (its partition, its search terms).
        let setup = courier
            .set_password_link
            .split_once("/reset-password/")
            .unwrap()
            .1;
        let set = w
            .page(
                "POST",
                &format!("/reset-password/{setup}"),
                None,
                "password=the+courier+passphrase",
            )
            .await;
        assert_eq!(set.status, 303, "{:?}", set.body);
        let courier_cookie = portal_tests::session_cookie(&set);
        for uri in ["/orders", "/orders?q=curie"] {
            let answer = w.page("GET", uri, Some(&courier_cookie), "").await;
            assert_eq!(answer.status, 200, "{uri}");
        }

        // Accounts: the user's settings (profile, password, login email confirmed from its
        // link), then "forgot password" and its link.
        let cookie = sessions[1].clone();
        for (method, uri, form, status) in [
            ("GET", "/settings/user", "", 200),
            ("POST", "/settings/user", "name=Pia+Rose&phone=", 303),
            (
                "POST",
                "/settings/user/password",
                "current_password=a+long+passphrase&new_password=a+longer+passphrase",
                303,
            ),
            (
                "POST",
                "/settings/user/email",
                "new_email=pia%40rose.example&password=a+longer+passphrase",
                303,
            ),
        ] {
            let answer = w.page(method, uri, Some(&cookie), form).await;
            assert_eq!(answer.status, status, "{method} {uri}: {:?}", answer.body);
        }
        let confirm = format!(
            "/login-email/{}",
            portal_tests::token_in(&w.last_email_text(), "/login-email/", "\n")
        );
        assert_eq!(w.page("GET", &confirm, None, "").await.status, 200);
        assert_eq!(
            w.page("POST", &confirm, Some(&cookie), "").await.status,
            200
        );
        assert_eq!(
            w.page("GET", "/forgot-password", Some(&cookie), "")
                .await
                .status,
            303
        );
        assert_eq!(
            w.page("POST", "/forgot-password", None, "email=pia%40rose.example")
                .await
                .status,
            200
        );
        let reset = format!(
            "/reset-password/{}",
            portal_tests::token_in(&w.last_email_text(), "/reset-password/", "\n")
        );
        assert_eq!(w.page("GET", &reset, None, "").await.status, 200);
        assert_eq!(
            w.page("POST", &reset, None, "password=the+newest+passphrase")
                .await
                .status,
            303
        );

        // The courier's teams page (signed in again: the session above has gone idle): a
        // team created (then its name again, refused and the
        // page shown), renamed (then to a taken name), a delete confirmed; the team in use
        // refused (naming its client), the new one deleted.
        let signed_in = w
            .page(
                "POST",
                "/login",
                None,
                "email=ops%40swift.example&password=the+courier+passphrase",
            )
            .await;
        assert_eq!(signed_in.status, 303, "{:?}", signed_in.body);
        let courier_cookie = portal_tests::session_cookie(&signed_in);
        let created = w
            .page(
                "POST",
                "/settings/teams",
                Some(&courier_cookie),
                "name=East",
            )
            .await;
        assert_eq!(created.status, 303, "{:?}", created.body);
        let east = w.ok("GET", "/v1/teams", c, None).await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        for (method, uri, form, status) in [
            ("GET", "/settings/teams".to_string(), "", 200),
            ("POST", "/settings/teams".into(), "name=east", 409),
            (
                "POST",
                format!("/settings/teams/{east}"),
                "name=East+side",
                303,
            ),
            (
                "POST",
                format!("/settings/teams/{east}"),
                "name=North+side",
                409,
            ),
            ("GET", format!("/settings/teams?delete={east}"), "", 200),
            ("POST", format!("/settings/teams/{team}/delete"), "", 409),
            ("POST", format!("/settings/teams/{east}/delete"), "", 303),
        ] {
            let answer = w.page(method, &uri, Some(&courier_cookie), form).await;
            assert_eq!(answer.status, status, "{method} {uri}: {:?}", answer.body);
        }

        // Services & rates (web): the list and a quote; a service and a rate table created
        // (a bad field refused first), read, changed (then again at the old version:
        // stale), a delete confirmed; the ones in use refused (their clients named), the
        // new ones deleted.
        let service_form = "name=Web+same+day&slaKind=same_day&slaHours=4&days=mon&days=tue&from=08%3A00&to=18%3A00&areaKind=postcodes&postalCodePrefixes=69";
        let rates_form = "name=Web+flat&currency=EUR&baseMethod=flat&baseAmount=5.50";
        for (uri, form) in [("/services", service_form), ("/rate-tables", rates_form)] {
            let created = w.page("POST", uri, Some(&courier_cookie), form).await;
            assert_eq!(created.status, 303, "{uri}: {:?}", created.body);
        }
        let id_named = |list: serde_json::Value, name: &str| -> String {
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["name"] == name)
                .and_then(|i| i["id"].as_str())
                .unwrap()
                .to_string()
        };
        let web_svc = id_named(w.ok("GET", "/v1/services", c, None).await, "Web same day");
        let web_rtb = id_named(w.ok("GET", "/v1/rate-tables", c, None).await, "Web flat");
        for (method, uri, form, status) in [
            ("GET", "/services".to_string(), String::new(), 200),
            (
                "GET",
                format!("/services?quote=1&client={client_id}&dropoffPostalCode=69003&pieces=1"),
                String::new(),
                200,
            ),
            ("GET", "/rate-tables".into(), String::new(), 303),
            ("GET", "/services/new".into(), String::new(), 200),
            ("POST", "/services".into(), "name=".into(), 422),
            ("GET", format!("/services/{web_svc}"), String::new(), 200),
            (
                "GET",
                format!("/services/{web_svc}?delete=1"),
                String::new(),
                200,
            ),
            (
                "POST",
                format!("/services/{web_svc}"),
                format!("{service_form}&version=1"),
                303,
            ),
            (
                "POST",
                format!("/services/{web_svc}"),
                format!("{service_form}&version=1"),
                409,
            ),
            (
                "POST",
                format!("/services/{svc}/delete"),
                String::new(),
                409,
            ),
            (
                "POST",
                format!("/services/{web_svc}/delete"),
                String::new(),
                303,
            ),
            ("GET", "/rate-tables/new".into(), String::new(), 200),
            ("POST", "/rate-tables".into(), "name=".into(), 422),
            ("GET", format!("/rate-tables/{web_rtb}"), String::new(), 200),
            (
                "GET",
                format!("/rate-tables/{web_rtb}?delete=1"),
                String::new(),
                200,
            ),
            (
                "POST",
                format!("/rate-tables/{web_rtb}"),
                format!("{rates_form}&version=1"),
                303,
            ),
            (
                "POST",
                format!("/rate-tables/{web_rtb}"),
                format!("{rates_form}&version=1"),
                409,
            ),
            (
                "POST",
                format!("/rate-tables/{rtb}/delete"),
                String::new(),
                409,
            ),
            (
                "POST",
                format!("/rate-tables/{web_rtb}/delete"),
                String::new(),
                303,
            ),
        ] {
            let answer = w.page(method, &uri, Some(&courier_cookie), &form).await;
            assert_eq!(answer.status, status, "{method} {uri}: {:?}", answer.body);
        }

        // The courier's team page: a person invited (then again, refused next to the
        // email), made an admin and a member again; the last admin neither made a member
        // nor removed (the page again); a removal confirmed, then done.
        let invited = w
            .page(
                "POST",
                "/settings/team",
                Some(&courier_cookie),
                "email=dan%40swift.example&name=Dan&role=member",
            )
            .await;
        assert_eq!(invited.status, 303, "{:?}", invited.body);
        w.recorder.fail_sends(true);
        let unsent = w
            .page(
                "POST",
                "/settings/team",
                Some(&courier_cookie),
                "email=eve%40swift.example&name=Eve&role=admin",
            )
            .await;
        assert_eq!(unsent.status, 503, "{:?}", unsent.body);
        w.recorder.fail_sends(false);
        let dan = invited
            .headers
            .iter()
            .find(|(n, _)| n == "location")
            .and_then(|(_, v)| v.split_once("invited=").map(|(_, id)| id.to_string()))
            .expect("the invited person's id");
        w.seen.acting_as("setup");
        let ops = portal::accounts::users::user_by_email(
            &w.ctx,
            &portal::domain::Email::parse("ops@swift.example").unwrap(),
        )
        .await
        .unwrap()
        .unwrap()
        .user_id;
        for (method, uri, form, status) in [
            ("GET", "/settings/team".to_string(), "", 200),
            (
                "POST",
                "/settings/team".into(),
                "email=dan%40swift.example&name=Dan&role=admin",
                409,
            ),
            (
                "POST",
                format!("/settings/team/{dan}/role"),
                "role=admin",
                303,
            ),
            (
                "POST",
                format!("/settings/team/{dan}/role"),
                "role=member",
                303,
            ),
            (
                "POST",
                format!("/settings/team/{ops}/role"),
                "role=member",
                409,
            ),
            ("POST", format!("/settings/team/{ops}/remove"), "", 409),
            ("GET", format!("/settings/team?remove={dan}"), "", 200),
            ("POST", format!("/settings/team/{dan}/remove"), "", 303),
        ] {
            let answer = w.page(method, &uri, Some(&courier_cookie), form).await;
            assert_eq!(answer.status, status, "{method} {uri}: {:?}", answer.body);
        }

        // The courier's clients pages: the list and the new client form; a new client
        // refused (its email taken: the form again), then created with a depot and a team;
        // Petals' page with its inbox, one of its deliveries replayed; the new client's
        // page, a change refused (stale: the page again), then its team taken off and a new
        // email (its confirmation mailed); invited, and an active client's invitation
        // refused (the page again); its services set, kept, and a half row refused (the page
        // again); a deletion confirmed, then done.
        // A shop order while Petals' integrations are off again: refused, for the replay.
        for on in [false, true] {
            if on {
                let shop_order = json!({"dropoff": {"address": {"line1": "7 Rue du Bac", "city": "Lyon"}}, "externalId": "ERP-2"}).to_string();
                let mut headers = http::HeaderMap::new();
                for (name, value) in crate::integrations::standard_headers(
                    &secret,
                    "msg_2",
                    w.ctx.now().timestamp(),
                    shop_order.as_bytes(),
                ) {
                    headers.insert(
                        http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                        value.parse().unwrap(),
                    );
                }
                let (status, refused) = w
                    .send(
                        "POST",
                        &format!("/v1/integrations/{integration_id}/webhook"),
                        None,
                        headers,
                        Bytes::from(shop_order),
                    )
                    .await;
                assert_eq!(
                    (status, &refused["outcome"]),
                    (200, &json!("refused")),
                    "{refused}"
                );
            }
            w.ok(
                "PATCH",
                &format!("/v1/clients/{petals}"),
                c,
                Some(json!({"integrationsEnabled": on})),
            )
            .await;
        }
        let delivered = w
            .ok(
                "GET",
                &format!("/v1/integrations/{integration_id}/deliveries"),
                c,
                None,
            )
            .await;
        let some_delivery = delivered["items"][0]["id"].as_str().unwrap().to_string();
        let depot = "pickup_line1=1+Market+St&pickup_city=Lyon&pickup_name=Desk&pickup_phone=%2B33612345678";
        let created = w
            .page(
                "POST",
                "/clients",
                Some(&courier_cookie),
                &format!("name=Lily&email=hi%40lily.example&auto_assign_team_id={team}&{depot}"),
            )
            .await;
        assert_eq!(created.status, 303, "{:?}", created.body);
        let lily = created
            .headers
            .iter()
            .find(|(n, _)| n == "location")
            .and_then(|(_, v)| {
                v.strip_prefix("/clients/")?
                    .split('?')
                    .next()
                    .map(String::from)
            })
            .expect("the new client's page");
        let lily_form = |version: &str, email: &str| {
            format!("version={version}&name=Lily&email={email}&{depot}")
        };
        for (method, uri, form, status) in [
            ("GET", "/clients".to_string(), String::new(), 200),
            ("GET", "/clients/new".into(), String::new(), 200),
            ("POST", "/clients".into(), "name=Again&email=hi%40lily.example".into(), 409),
            (
                "GET",
                format!("/clients/{petals}?integration={integration_id}"),
                String::new(),
                200,
            ),
            (
                "POST",
                format!("/clients/{petals}/integrations/{integration_id}/deliveries/{some_delivery}/replay"),
                String::new(),
                303,
            ),
            ("GET", format!("/clients/{lily}?delete=1"), String::new(), 200),
            ("POST", format!("/clients/{lily}"), lily_form("99", "hi%40lily.example"), 409),
            ("POST", format!("/clients/{lily}"), lily_form("1", "desk%40lily.example"), 303),
            ("POST", format!("/clients/{lily}/invitation"), String::new(), 303),
            ("POST", format!("/clients/{client_id}/invitation"), String::new(), 409),
            (
                "POST",
                format!("/clients/{lily}/services"),
                format!("service_0={svc}&rate_table_0={rtb}"),
                303,
            ),
            (
                "POST",
                format!("/clients/{lily}/services"),
                format!("service_0={svc}&rate_table_0={rtb}"),
                303,
            ),
            (
                "POST",
                format!("/clients/{lily}/services"),
                format!("service_0={svc}"),
                422,
            ),
            ("POST", format!("/clients/{lily}/delete"), String::new(), 303),
        ] {
            let answer = w.page(method, &uri, Some(&courier_cookie), &form).await;
            assert_eq!(answer.status, status, "{method} {uri}: {:?}", answer.body);
        }

        // The courier's orders on its pages: one client's (GSI1, the client checked),
        // exported as CSV (its partition, then one client's); an order's page (its teams);
        // an order rejected (the reason missing first: the page again; then by its short
        // id, GSI2); a task's progress recorded by hand (a team named), then a refused
        // event (the page again); a client's person's own export (its item and courier
        // together, its partition on GSI1).
        let mut body = order_body.clone();
        body["externalId"] = json!("PAGES-1");
        let to_reject = w.ok("POST", "/v1/orders", &k, Some(body.clone())).await;
        body["externalId"] = json!("PAGES-2");
        let to_record = w.ok("POST", "/v1/orders", &k, Some(body)).await;
        let reject_id = to_reject["id"].as_str().unwrap();
        let reject_short = to_reject["shortId"].as_str().unwrap();
        let record_id = to_record["id"].as_str().unwrap();
        let pickup_task = to_record["pickup"]["id"].as_str().unwrap();
        for (method, uri, form, status) in [
            (
                "GET",
                format!("/orders?client={client_id}"),
                String::new(),
                200,
            ),
            ("GET", "/orders/export.csv".to_string(), String::new(), 200),
            (
                "GET",
                format!("/orders/export.csv?client={client_id}"),
                String::new(),
                200,
            ),
            ("GET", format!("/orders/{record_id}"), String::new(), 200),
            (
                "POST",
                format!("/orders/{reject_id}/reject"),
                "reason=".to_string(),
                422,
            ),
            (
                "POST",
                format!("/orders/{reject_short}/reject"),
                "reason=No+such+street".to_string(),
                303,
            ),
            (
                "POST",
                format!("/tasks/{pickup_task}/events"),
                format!("type=assigned&driverName=Sam&driverPhone=&teamId={team}"),
                303,
            ),
            (
                "POST",
                format!("/tasks/{pickup_task}/events"),
                "type=completed&notes=&photoUrls=&signedBy=".to_string(),
                409,
            ),
        ] {
            let answer = w.page(method, &uri, Some(&courier_cookie), &form).await;
            assert_eq!(answer.status, status, "{method} {uri}: {:?}", answer.body);
        }
        let client_signed_in = w
            .page(
                "POST",
                "/login",
                None,
                "email=pia%40rose.example&password=the+newest+passphrase",
            )
            .await;
        assert_eq!(client_signed_in.status, 303, "{:?}", client_signed_in.body);
        let client_cookie = portal_tests::session_cookie(&client_signed_in);
        let exported = w
            .page("GET", "/orders/export.csv", Some(&client_cookie), "")
            .await;
        assert_eq!(exported.status, 200, "{:?}", exported.body);

        // The chat pages: the courier writes to Petals and lists its conversations; Pia opens
        // hers (about an order that is not hers: not pre-filled), is refused an empty
        // message and answers; the courier's person reads Petals' conversation, is refused
        // an empty message and answers. (Each cookie is used at least every 30 minutes.)
        let say_to_petals = |text: &str| json!({"clientId": petals, "text": text});
        w.ok(
            "POST",
            "/v1/chat/messages",
            c,
            Some(say_to_petals("Hello Petals")),
        )
        .await;
        let (pia, ops) = (client_cookie.clone(), courier_cookie.clone());
        let steps = [
            ("GET", "/messages".to_string(), &ops, String::new(), 200),
            (
                "GET",
                format!("/messages?orderId={id}"),
                &pia,
                String::new(),
                200,
            ),
            ("POST", "/messages".into(), &pia, "text=".into(), 422),
            (
                "POST",
                "/messages".into(),
                &pia,
                "text=Hello+back".into(),
                303,
            ),
            (
                "GET",
                format!("/messages/{petals}"),
                &ops,
                String::new(),
                200,
            ),
            (
                "POST",
                "/messages".into(),
                &pia,
                "text=One+more".into(),
                303,
            ),
            (
                "POST",
                "/messages".into(),
                &ops,
                format!("clientId={petals}&text="),
                422,
            ),
            (
                "POST",
                "/messages".into(),
                &ops,
                format!("clientId={petals}&text=Thanks"),
                303,
            ),
        ];
        for (n, (method, uri, cookie, form, status)) in steps.into_iter().enumerate() {
            if n == 2 {
                // Pia has read "Hello Petals"; the courier writes again before she answers.
                w.ok(
                    "POST",
                    "/v1/chat/messages",
                    c,
                    Some(say_to_petals("Are you there?")),
                )
                .await;
            }
            let answer = w.page(method, &uri, Some(cookie), &form).await;
            assert_eq!(answer.status, status, "{method} {uri}: {:?}", answer.body);
        }

        // Chat: the client asks about its order, the courier reads and answers, the client
        // (which had not read the answer) writes again; the courier's conversations; the
        // unread-message emails, 16 minutes later (a failed email is put back).
        let chat_order = w
            .ok("POST", "/v1/orders", &k, Some(order_body.clone()))
            .await;
        let mut about = json!({"text": "Where is it?", "orderId": chat_order["id"]});
        w.ok("POST", "/v1/chat/messages", &k, Some(about.clone()))
            .await;
        w.ok(
            "GET",
            &format!("/v1/chat/messages?clientId={client_id}"),
            c,
            None,
        )
        .await;
        w.ok(
            "POST",
            "/v1/chat/messages",
            c,
            Some(json!({"clientId": client_id, "text": "On its way"})),
        )
        .await;
        about["text"] = json!("Thanks!");
        w.ok("POST", "/v1/chat/messages", &k, Some(about)).await;
        w.ok("GET", "/v1/chat/conversations", c, None).await;
        w.seen.acting_as("chat-notices");
        w.clock.advance(chrono::Duration::minutes(16));
        let notices = w.ctx.wired_for(portal_local::functions::CHAT_NOTICES.needs);
        w.recorder.fail_sends(true);
        assert!(
            portal::chat::notices::run_chat_notices(&notices, w.ctx.now())
                .await
                .is_err()
        );
        w.recorder.fail_sends(false);
        let report = portal::chat::notices::run_chat_notices(&notices, w.ctx.now())
            .await
            .unwrap();
        // Bloom's courier side and Petals' client side (the pages above).
        assert_eq!(report.sent.len(), 2, "{report:?}");

        // The order digest: the courier's person opts in on their account page, the client
        // orders, the window ends; a failed email takes its window's marker back.
        for (method, form, status) in [
            ("POST", "form=digest&digest=every_15_minutes", 303),
            ("GET", "", 200),
        ] {
            let answer = w
                .page(method, "/settings/user", Some(&courier_cookie), form)
                .await;
            assert_eq!(answer.status, status, "{method} digest: {:?}", answer.body);
        }
        let mut digested = order_body.clone();
        digested["externalId"] = json!("SHOP-DIGEST");
        w.ok("POST", "/v1/orders", &k, Some(digested)).await;
        w.seen.acting_as("order-digests");
        w.clock.advance(chrono::Duration::minutes(16));
        let digests = w
            .ctx
            .wired_for(portal_local::functions::ORDER_DIGESTS.needs);
        w.recorder.fail_sends(true);
        let failed = portal::digests::run_order_digests(&digests, w.ctx.now()).await;
        assert!(failed.is_err(), "{failed:?}");
        w.recorder.fail_sends(false);
        let report = portal::digests::run_order_digests(&digests, w.ctx.now())
            .await
            .unwrap();
        assert_eq!(report.sent.len(), 1, "{report:?}");

        // The live pusher: the run's orders and messages to the client's open page; the
        // page that has gone is forgotten.
        w.seen.acting_as("live-pusher");
        let deliveries = w.live_stream.drain().await.unwrap();
        assert!(
            deliveries.iter().all(|d| d.failed.is_none()),
            "{deliveries:?}"
        );
        assert!(!w.live.pushed_to("conn-b").is_empty());

        // Outbound webhooks: the courier's endpoint (a closed port on this machine), read,
        // changed, tested, its secret rotated; a second one deleted; a new order's event
        // written by the fan-out and tried by the schedule until, three days on, the
        // endpoint is turned off and the courier's admins emailed; the delivery replayed.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let hook = w
            .ok(
                "POST",
                "/v1/webhook-endpoints",
                c,
                Some(json!({"url": format!("http://{closed}/"), "eventTypes": ["order.created"]})),
            )
            .await;
        let hook_id = hook["id"].as_str().unwrap().to_string();
        let spare = w
            .ok(
                "POST",
                "/v1/webhook-endpoints",
                c,
                Some(json!({"url": "https://hooks.example.com/", "eventTypes": ["task.eta"]})),
            )
            .await;
        w.ok("GET", "/v1/webhook-endpoints", c, None).await;
        w.ok("GET", &format!("/v1/webhook-endpoints/{hook_id}"), c, None)
            .await;
        w.ok(
            "PATCH",
            &format!("/v1/webhook-endpoints/{hook_id}"),
            c,
            Some(json!({"description": "Dispatch"})),
        )
        .await;
        w.ok(
            "POST",
            &format!("/v1/webhook-endpoints/{hook_id}/rotate-secret"),
            c,
            None,
        )
        .await;
        w.ok(
            "POST",
            &format!("/v1/webhook-endpoints/{hook_id}/test"),
            c,
            None,
        )
        .await;
        w.ok(
            "DELETE",
            &format!("/v1/webhook-endpoints/{}", spare["id"].as_str().unwrap()),
            c,
            None,
        )
        .await;
        w.ok("POST", "/v1/orders", &k, Some(order_body.clone()))
            .await;
        w.seen.acting_as("status-fanout");
        w.stream.drain().await.unwrap();
        w.seen.acting_as("webhook-deliveries");
        let schedule = w
            .ctx
            .wired_for(portal_local::functions::WEBHOOK_DELIVERIES.needs);
        let mut turned_off = false;
        for _ in 0..20 {
            let report = portal::hooks::worker::run_due_deliveries(&schedule, w.ctx.now())
                .await
                .unwrap();
            if !report.disabled.is_empty() {
                turned_off = true;
                break;
            }
            w.clock.advance(chrono::Duration::hours(11));
        }
        assert!(turned_off, "three days of failures turn the endpoint off");
        // Turned off: the pending delivery is given up (out of its lane).
        w.clock.advance(chrono::Duration::hours(11));
        portal::hooks::worker::run_due_deliveries(&schedule, w.ctx.now())
            .await
            .unwrap();
        let log = w
            .ok(
                "GET",
                &format!("/v1/webhook-endpoints/{hook_id}/deliveries"),
                c,
                None,
            )
            .await;
        let delivery = log["items"][0]["id"].as_str().unwrap().to_string();
        w.ok(
            "POST",
            &format!("/v1/webhook-endpoints/{hook_id}/deliveries/{delivery}/replay"),
            c,
            None,
        )
        .await;

        // Deleting the client revokes its keys.
        w.ok("DELETE", &format!("/v1/clients/{client_id}"), c, None)
            .await;

        let observed = w.seen.calls.lock().unwrap().clone();
        let wrong = differences(&observed);
        assert!(wrong.is_empty(), "observed vs CALLS:\n{}", wrong.join("\n"));
    }

    /// Actions a function's role is granted for AWS to use on its behalf, which no code of
    /// the function calls: status-fanout's event source mapping sends the records it gives
    /// up on to the dead-letter queue with the function's role, and the import worker's
    /// the records of steps it gives up on to its failure queue.
    const NOT_CALLED_BY_CODE: &[(&str, &str)] = &[
        ("status-fanout", "sqs:SendMessage"),
        ("import-worker", "sqs:SendMessage"),
    ];

    /// Every function's observed calls against its line of `CALLS`, both ways: a call not
    /// in its line (a grant missing in AWS), and an action of its line never observed (a
    /// grant the code does not need, or a write path the run never reached, where a
    /// missing grant would hide).
    fn differences(observed: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
        let mut wrong = vec![];
        for function in observed.keys() {
            if function != "setup" && !CALLS.iter().any(|(f, _)| f == function) {
                wrong.push(format!("{function} is not in CALLS"));
            }
        }
        let none = BTreeSet::new();
        for (function, actions) in CALLS {
            let made = observed.get(*function).unwrap_or(&none);
            let declared: BTreeSet<String> = actions
                .iter()
                .filter(|a| !NOT_CALLED_BY_CODE.contains(&(*function, **a)))
                .map(|a| a.to_string())
                .collect();
            let not_listed: Vec<_> = made.difference(&declared).collect();
            let never_made: Vec<_> = declared.difference(made).collect();
            if !not_listed.is_empty() {
                wrong.push(format!("{function} called {not_listed:?}, not in CALLS"));
            }
            if !never_made.is_empty() {
                wrong.push(format!(
                    "{function} never called {never_made:?}: exercise that path, or drop the grant"
                ));
            }
        }
        wrong
    }

    #[test]
    fn a_grant_never_exercised_and_a_call_never_granted_are_both_caught() {
        let mut observed: BTreeMap<String, BTreeSet<String>> = CALLS
            .iter()
            .map(|(f, actions)| {
                let actions = actions
                    .iter()
                    .filter(|a| !NOT_CALLED_BY_CODE.contains(&(*f, **a)))
                    .map(|a| a.to_string())
                    .collect();
                (f.to_string(), actions)
            })
            .filter(|(_, actions): &(String, BTreeSet<String>)| !actions.is_empty())
            .collect();
        assert_eq!(differences(&observed), Vec::<String>::new());
        let import = observed.get_mut("import-form").unwrap();
        import.remove("dynamodb:GetItem");
        import.insert("dynamodb:Scan".into());
        assert_eq!(
            differences(&observed),
            vec![
                "import-form called [\"dynamodb:Scan\"], not in CALLS".to_string(),
                "import-form never called [\"dynamodb:GetItem\"]: exercise that path, or drop the grant".to_string(),
            ]
        );
        observed.remove("sign-out");
        assert!(differences(&observed)
            .iter()
            .any(|d| d.starts_with("sign-out never called")));
    }
}

#[test]
fn the_clients_each_function_is_built_with_are_the_ones_its_calls_need() {
    for (function, actions) in CALLS {
        let needs = portal_local::functions::needs(function)
            .unwrap_or_else(|| panic!("{function} is in the registry"));
        let calls = |service: &str| actions.iter().any(|a| a.starts_with(service));
        assert_eq!(
            needs.mail(),
            calls("ses:"),
            "{function}: SES client vs its calls"
        );
        assert_eq!(
            needs.sms(),
            calls("sns:"),
            "{function}: SNS client vs its calls"
        );
        assert_eq!(
            needs.push(),
            calls("execute-api:"),
            "{function}: API Gateway Management client vs its calls"
        );
        // Every function uses the table, but the static files (compiled in: no call at all).
        assert!(
            calls("dynamodb:") || actions.is_empty(),
            "{function}: every function uses the table"
        );
    }
}

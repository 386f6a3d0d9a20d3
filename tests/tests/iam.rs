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
//! Check → ConditionCheckItem. The mailer (`notify/ses.rs`) calls SES v2 SendEmail, the
//! SMS sender (`notify/sns.rs`) SNS Publish. A change to a use case's calls changes its
//! line here and its policy in template.yaml, in the same commit.

use portal_local::TEMPLATE_YAML;
use serde_yaml_ng::Value;
use std::collections::{BTreeMap, BTreeSet};

const CALLS: &[(&str, &[&str])] = &[
    // The key's item by hash, then the client's item for a client key.
    ("authorizer", &["dynamodb:GetItem"]),
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
    // The client and its email marker in one transaction.
    ("create-client", &["dynamodb:PutItem"]),
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
    // The client (a courier's order) and an idempotency replay are reads; the order, its
    // short id and the idempotency record are puts next to a check that the client exists.
    (
        "create-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:ConditionCheckItem",
        ],
    ),
    // The courier's partition, or a client's orders on GSI1.
    ("list-orders", &["dynamodb:Query", "dynamodb:Query@GSI1"]),
    ("export-orders", &["dynamodb:Query", "dynamodb:Query@GSI1"]),
    // By id (GetItem) or by short id (GSI2).
    ("get-order", &["dynamodb:GetItem", "dynamodb:Query@GSI2"]),
    (
        "update-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query@GSI2",
            "dynamodb:UpdateItem",
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
    (
        "finalize-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query@GSI2",
            "dynamodb:UpdateItem",
        ],
    ),
    (
        "reject-order",
        &[
            "dynamodb:GetItem",
            "dynamodb:Query@GSI2",
            "dynamodb:UpdateItem",
        ],
    ),
    // One conditional update (a second one when the first guard does not hold).
    ("record-task-event", &["dynamodb:UpdateItem"]),
    // The client and its courier in one BatchGetItem.
    ("get-notification-settings", &["dynamodb:BatchGetItem"]),
    // The update, then the courier's time zone when the client has none.
    (
        "put-notification-settings",
        &["dynamodb:UpdateItem", "dynamodb:GetItem"],
    ),
    ("get-tracking-page-settings", &["dynamodb:GetItem"]),
    ("put-tracking-page-settings", &["dynamodb:UpdateItem"]),
    // The order by tracking token (GSI3), then its client and courier.
    (
        "tracking-page",
        &["dynamodb:Query@GSI3", "dynamodb:BatchGetItem"],
    ),
    // Client and courier, then per message a marker put checked against the opt-out in
    // one transaction, the send, and the marker's removal when the send fails. Records
    // given up on go to the dead-letter queue (the event source mapping's on-failure
    // destination, sent with the function's role).
    (
        "status-fanout",
        &[
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem",
            "sns:Publish",
            "ses:SendEmail",
            "sqs:SendMessage",
        ],
    ),
    // Opt-out item and the inbound marker (put), removed on START or a failed reply.
    (
        "sms-inbound",
        &["dynamodb:PutItem", "dynamodb:DeleteItem", "sns:Publish"],
    ),
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
        for policy in resource["Properties"]["Policies"]
            .as_sequence()
            .cloned()
            .unwrap_or_default()
        {
            let statements = policy["Statement"]
                .as_sequence()
                .unwrap_or_else(|| panic!("{binary}: inline Statement policies only"));
            for statement in statements {
                grants.extend(grants_of(&binary, statement));
            }
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

//! Business metrics in CloudWatch's embedded metric format (EMF): one JSON object per line
//! on the function's stdout, which CloudWatch Logs turns into metrics in the `CourierPortal`
//! namespace, with no API call and no client in the binary. Each line is one metric with one
//! dimension (`Source` or `Outcome`), so each combination is one custom metric.
//!
//! Written to stdout only on Lambda (`AWS_LAMBDA_FUNCTION_NAME` is set); elsewhere (the
//! local portal, the tests) the same line is a `debug` event with target `portal::metrics`,
//! which the local portal's default `info` level does not print and the tests read.

use serde_json::{json, Map, Value};
use std::sync::OnceLock;

use crate::domain::order::Source;

pub const NAMESPACE: &str = "CourierPortal";
/// The target of the `debug` event a metric is off Lambda.
pub const TARGET: &str = "portal::metrics";

/// What a metric counts, by its CloudWatch name and dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// An order placed (not a draft), by the channel it came through.
    OrdersCreated(Channel),
    /// An order saved as a draft, by the channel it came through.
    DraftsCreated(Channel),
    /// A webhook delivery's outcome (`created`, `duplicate`, `refused`, `failed`, …).
    WebhookDeliveries(&'static str),
    /// An import's rows: `written` or `failed`.
    ImportRows(&'static str),
    /// SMS: `sent`, `skipped` (the recipient opted out) or `failed`.
    SmsMessages(&'static str),
    /// The segments of the SMS counted by [`Metric::SmsMessages`], by the same outcome.
    SmsSegments(&'static str),
    /// Emails: `sent` or `failed`.
    Emails(&'static str),
}

impl Metric {
    fn name(&self) -> &'static str {
        match self {
            Metric::OrdersCreated(_) => "OrdersCreated",
            Metric::DraftsCreated(_) => "DraftsCreated",
            Metric::WebhookDeliveries(_) => "WebhookDeliveries",
            Metric::ImportRows(_) => "ImportRows",
            Metric::SmsMessages(_) => "SmsMessages",
            Metric::SmsSegments(_) => "SmsSegments",
            Metric::Emails(_) => "Emails",
        }
    }

    fn dimension(&self) -> (&'static str, &'static str) {
        match self {
            Metric::OrdersCreated(channel) | Metric::DraftsCreated(channel) => {
                ("Source", channel.as_str())
            }
            Metric::WebhookDeliveries(outcome)
            | Metric::ImportRows(outcome)
            | Metric::SmsMessages(outcome)
            | Metric::SmsSegments(outcome)
            | Metric::Emails(outcome) => ("Outcome", outcome),
        }
    }
}

/// The channel an order came through (the `Source` dimension). Not the order's stored
/// `source`, which says who made it (`portal`: the client, by key or page; `api`: the
/// courier), so the JSON API and the pages count their own orders; imports and webhooks are
/// known by the stored source ([`Channel::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Api,
    Web,
    Import,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Web => "web",
            Channel::Import => "import",
            Channel::Webhook => "webhook",
        }
    }

    /// The channel a stored source names by itself (an import's or a webhook's order).
    pub fn of(source: Source) -> Option<Channel> {
        match source {
            Source::Import => Some(Channel::Import),
            Source::Integration => Some(Channel::Webhook),
            Source::Portal | Source::Api => None,
        }
    }
}

/// Adds `value` to `metric` (a count; nothing is written for 0).
pub fn count(metric: Metric, value: u64) {
    if value == 0 {
        return;
    }
    let line = emf_line(metric, value, chrono::Utc::now().timestamp_millis()).to_string();
    if on_lambda() {
        println!("{line}");
    } else {
        tracing::debug!(target: TARGET, emf = %line, "metric");
    }
}

/// An order just written: counted as placed or as a draft, by its channel.
pub fn order_created(channel: Channel, draft: bool) {
    count(
        if draft {
            Metric::DraftsCreated(channel)
        } else {
            Metric::OrdersCreated(channel)
        },
        1,
    );
}

/// An order an import or a webhook just wrote (the JSON API and the pages count theirs).
pub fn order_written(order: &crate::domain::order::Order) {
    if let Some(channel) = Channel::of(order.source) {
        order_created(
            channel,
            order.status == crate::domain::order_machine::OrderStatus::Draft,
        );
    }
}

/// One EMF document (the specification's root node): `_aws` metadata with the timestamp and
/// one metric directive, then the dimension and the metric value as root members.
pub fn emf_line(metric: Metric, value: u64, timestamp_ms: i64) -> Value {
    let (dimension, dimension_value) = metric.dimension();
    let mut root = Map::new();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [[dimension]],
                "Metrics": [{ "Name": metric.name(), "Unit": "Count" }],
            }],
        }),
    );
    root.insert(dimension.into(), dimension_value.into());
    root.insert(metric.name().into(), value.into());
    Value::Object(root)
}

fn on_lambda() -> bool {
    static ON_LAMBDA: OnceLock<bool> = OnceLock::new();
    *ON_LAMBDA.get_or_init(|| std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's rules, checked on a document: the root has `_aws` with an
    /// integer `Timestamp` and `CloudWatchMetrics`; each directive has a `Namespace`, a
    /// `Dimensions` array of arrays of at most 30 keys, each a string member of the root,
    /// and `Metrics` whose `Name` is a numeric member of the root and `Unit` a valid unit.
    fn assert_valid_emf(doc: &Value) {
        let root = doc.as_object().expect("the root is an object");
        let aws = root["_aws"].as_object().expect("_aws is an object");
        assert!(
            aws["Timestamp"].is_i64(),
            "Timestamp is a number of milliseconds"
        );
        let directives = aws["CloudWatchMetrics"].as_array().unwrap();
        assert!(!directives.is_empty());
        for directive in directives {
            assert!(directive["Namespace"].is_string());
            let namespace = directive["Namespace"].as_str().unwrap();
            assert!(!namespace.is_empty() && namespace.len() <= 255);
            for set in directive["Dimensions"].as_array().unwrap() {
                let set = set.as_array().expect("a dimension set is an array");
                assert!(set.len() <= 30);
                for key in set {
                    let key = key.as_str().unwrap();
                    assert!(root[key].is_string(), "dimension {key} is a root string");
                }
            }
            let metrics = directive["Metrics"].as_array().unwrap();
            assert!(!metrics.is_empty() && metrics.len() <= 100);
            for metric in metrics {
                let name = metric["Name"].as_str().unwrap();
                assert!(!name.is_empty() && name.len() <= 1024);
                assert!(root[name].is_number(), "metric {name} is a root number");
                assert_eq!(metric["Unit"], "Count");
            }
        }
    }

    #[test]
    fn an_order_by_the_api_is_one_order_created_with_its_source() {
        let doc = emf_line(Metric::OrdersCreated(Channel::Api), 1, 1_765_000_000_000);
        assert_valid_emf(&doc);
        assert_eq!(
            doc,
            json!({
                "_aws": {
                    "Timestamp": 1_765_000_000_000_i64,
                    "CloudWatchMetrics": [{
                        "Namespace": "CourierPortal",
                        "Dimensions": [["Source"]],
                        "Metrics": [{ "Name": "OrdersCreated", "Unit": "Count" }],
                    }],
                },
                "Source": "api",
                "OrdersCreated": 1,
            })
        );
    }

    #[test]
    fn every_metric_is_a_valid_document() {
        for metric in [
            Metric::OrdersCreated(Channel::Web),
            Metric::DraftsCreated(Channel::Import),
            Metric::WebhookDeliveries("created"),
            Metric::ImportRows("failed"),
            Metric::SmsMessages("skipped"),
            Metric::SmsSegments("sent"),
            Metric::Emails("failed"),
        ] {
            let doc = emf_line(metric, 3, 0);
            assert_valid_emf(&doc);
            assert_eq!(doc[metric.name()], 3);
            // One line: what CloudWatch Logs reads as one event.
            assert!(!doc.to_string().contains('\n'));
        }
    }

    #[test]
    fn imports_and_webhooks_are_known_by_their_orders_source() {
        assert_eq!(Channel::of(Source::Import), Some(Channel::Import));
        assert_eq!(Channel::of(Source::Integration), Some(Channel::Webhook));
        // Made by the client (key or page) or the courier: the adapter says which.
        assert_eq!(Channel::of(Source::Portal), None);
        assert_eq!(Channel::of(Source::Api), None);
    }
}

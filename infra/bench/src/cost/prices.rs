//! List prices, us-east-1, arm64, on-demand, as published on the services' pricing pages
//! (read 2026-12-07; free tiers left out: the figure is the marginal cost of orders).

/// One price: what it is per, its source.
pub struct Price {
    pub usd: f64,
    pub per: &'static str,
    pub source: &'static str,
}

/// DynamoDB on-demand, standard table class: per million write request units.
pub const DYNAMODB_WRITE: Price = Price {
    usd: 0.625,
    per: "1M write request units",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/ (after the 2024-11-01 cut)",
};
/// Per million read request units (an eventually consistent read of 4 KB is half of one).
pub const DYNAMODB_READ: Price = Price {
    usd: 0.125,
    per: "1M read request units",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
};
/// Lambda requests.
pub const LAMBDA_REQUEST: Price = Price {
    usd: 0.20,
    per: "1M requests",
    source: "https://aws.amazon.com/lambda/pricing/",
};
/// Lambda duration on arm64 (first 7.5 billion GB-seconds a month).
pub const LAMBDA_GB_SECOND: Price = Price {
    usd: 0.000_013_333_4,
    per: "GB-second (arm64)",
    source: "https://aws.amazon.com/lambda/pricing/",
};
/// API Gateway HTTP API (first 300 million a month; each 512 KB of a request is one).
pub const HTTP_API_REQUEST: Price = Price {
    usd: 1.00,
    per: "1M requests",
    source: "https://aws.amazon.com/api-gateway/pricing/",
};
/// CloudWatch Logs ingestion, standard class (Lambda's logs: vended logs, first 10 TB).
pub const LOG_INGESTION: Price = Price {
    usd: 0.50,
    per: "GB ingested",
    source: "https://aws.amazon.com/cloudwatch/pricing/",
};
/// X-Ray traces recorded (the functions run with `Tracing: Active`).
pub const XRAY_TRACE: Price = Price {
    usd: 5.00,
    per: "1M traces recorded",
    source: "https://aws.amazon.com/xray/pricing/",
};
/// SMS to a US number through AWS End User Messaging (SNS): the base price plus the
/// carriers' fee, per message part (segment), toll-free origination. The stack's
/// `SmsPricePerSegmentUsd` default.
pub const SMS_SEGMENT: Price = Price {
    usd: 0.00883,
    per: "SMS segment (US)",
    source: "https://aws.amazon.com/end-user-messaging/pricing/ (US, toll-free: 0.00581 base + 0.00302 carrier fee)",
};
/// SES outbound email.
pub const EMAIL: Price = Price {
    usd: 0.10,
    per: "1,000 emails",
    source: "https://aws.amazon.com/ses/pricing/",
};

pub const ALL: [(&str, &Price); 9] = [
    ("DynamoDB writes", &DYNAMODB_WRITE),
    ("DynamoDB reads", &DYNAMODB_READ),
    ("Lambda requests", &LAMBDA_REQUEST),
    ("Lambda duration", &LAMBDA_GB_SECOND),
    ("HTTP API requests", &HTTP_API_REQUEST),
    ("CloudWatch Logs ingestion", &LOG_INGESTION),
    ("X-Ray traces", &XRAY_TRACE),
    ("SMS", &SMS_SEGMENT),
    ("Email", &EMAIL),
];

//! The figures per lifecycle and the cost of a million orders, as Markdown tables.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::metered::Meter;
use super::prices::{self, Price};
use super::Phase;

pub struct Totals {
    pub orders: u64,
    pub base_url: String,
    pub phases: Vec<Phase>,
    pub projections: Vec<(&'static str, String)>,
    /// Lambda's own per-invocation lines in the logs (`SystemLogLevel` not WARN).
    pub platform_lines: bool,
}

/// A month of 30 days: the traffic X-Ray's sampling sees (a million orders a month).
const MONTH_SECONDS: f64 = 30.0 * 24.0 * 3600.0;
const MILLION: f64 = 1_000_000.0;
const GB: f64 = 1024.0 * 1024.0 * 1024.0;

fn cost(price: &Price, quantity: f64) -> f64 {
    let unit = match price.per {
        p if p.starts_with("1M ") => MILLION,
        p if p.starts_with("1,000 ") => 1000.0,
        _ => 1.0,
    };
    price.usd * quantity / unit
}

/// Traces X-Ray records of `n` invocations a month under Lambda's sampling (the first
/// request each second, 5 % of the others): with one reservoir for the account.
fn traced(n: f64) -> f64 {
    let reservoir = n.min(MONTH_SECONDS);
    reservoir + 0.05 * (n - reservoir)
}

impl Totals {
    fn per_order(&self, x: f64) -> f64 {
        x / self.orders as f64
    }

    fn meter(&self) -> Meter {
        let mut all = Meter::default();
        for p in &self.phases {
            all.add(&p.meter);
        }
        all
    }

    /// (item, quantity per million orders, cost) for the infrastructure, then SMS and email.
    pub fn costs(&self) -> (Vec<(String, f64, f64)>, Vec<(String, f64, f64)>) {
        let m = self.meter();
        let per_m = |x: f64| self.per_order(x) * MILLION;
        let invocations: u64 = self
            .phases
            .iter()
            .flat_map(|p| &p.lambda)
            .map(|l| l.1)
            .sum();
        let gb_s: f64 = self
            .phases
            .iter()
            .flat_map(|p| &p.lambda)
            .map(|(_, _, ms, mb)| ms / 1000.0 * *mb as f64 / 1024.0)
            .sum();
        let requests: u64 = self.phases.iter().map(|p| p.api_requests).sum();
        let log_bytes: u64 = self.phases.iter().map(|p| p.log_bytes).sum();
        let segments: u64 = self.phases.iter().map(|p| p.sms_segments).sum();
        let emails: u64 = self.phases.iter().map(|p| p.emails).sum();
        let table_w: f64 = m.table_writes.values().sum();
        let index_w: f64 = m.index_writes.values().sum();
        let infra = vec![
            (
                "DynamoDB writes: table".to_string(),
                per_m(table_w),
                &prices::DYNAMODB_WRITE,
            ),
            (
                "DynamoDB writes: index copies".to_string(),
                per_m(index_w),
                &prices::DYNAMODB_WRITE,
            ),
            (
                "DynamoDB reads".to_string(),
                per_m(m.read_units()),
                &prices::DYNAMODB_READ,
            ),
            (
                "Lambda requests".to_string(),
                per_m(invocations as f64),
                &prices::LAMBDA_REQUEST,
            ),
            (
                "Lambda duration (GB-s, estimate)".to_string(),
                per_m(gb_s),
                &prices::LAMBDA_GB_SECOND,
            ),
            (
                "HTTP API requests".to_string(),
                per_m(requests as f64),
                &prices::HTTP_API_REQUEST,
            ),
            (
                "CloudWatch Logs (GB)".to_string(),
                per_m(log_bytes as f64) / GB,
                &prices::LOG_INGESTION,
            ),
            (
                "X-Ray traces (a million orders a month)".to_string(),
                traced(per_m(invocations as f64)),
                &prices::XRAY_TRACE,
            ),
        ];
        let messages = vec![
            (
                "SMS segments".to_string(),
                per_m(segments as f64),
                &prices::SMS_SEGMENT,
            ),
            ("Emails".to_string(), per_m(emails as f64), &prices::EMAIL),
        ];
        let priced = |rows: Vec<(String, f64, &Price)>| {
            rows.into_iter()
                .map(|(name, q, price)| {
                    let c = cost(price, q);
                    (name, q, c)
                })
                .collect()
        };
        (priced(infra), priced(messages))
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let n = self.orders as f64;
        let _ = writeln!(
            out,
            "### Prices (us-east-1, arm64, on demand; read 2026-12-07)\n"
        );
        let _ = writeln!(
            out,
            "| item | USD | per | source |\n| --- | --- | --- | --- |"
        );
        for (name, p) in prices::ALL {
            let _ = writeln!(out, "| {name} | {} | {} | {} |", p.usd, p.per, p.source);
        }
        let _ = writeln!(
            out,
            "\n### Per order ({} lifecycles; links on {}; indexes: {}; Lambda's own log lines: {})\n",
            self.orders,
            self.base_url,
            self.projections
                .iter()
                .map(|(i, p)| format!("{i} {p}"))
                .collect::<Vec<_>>()
                .join(", "),
            if self.platform_lines {
                "platform.start and platform.report per invocation"
            } else {
                "none (SystemLogLevel WARN)"
            }
        );
        let _ = writeln!(out, "| phase | API requests | Lambda invocations | billed ms (est.) | write units: table | index copies | read units | log KB | SMS (segments) | emails |");
        let _ = writeln!(
            out,
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        );
        for p in &self.phases {
            let inv: u64 = p.lambda.iter().map(|l| l.1).sum();
            let ms: f64 = p.lambda.iter().map(|l| l.2).sum();
            let _ = writeln!(
                out,
                "| {} | {:.1} | {:.1} | {:.0} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} ({:.2}) | {:.2} |",
                p.name,
                p.api_requests as f64 / n,
                inv as f64 / n,
                ms / n,
                p.meter.table_writes.values().sum::<f64>() / n + 0.0,
                p.meter.index_writes.values().sum::<f64>() / n + 0.0,
                p.meter.read_units() / n + 0.0,
                p.log_bytes as f64 / n / 1024.0,
                p.sms as f64 / n,
                p.sms_segments as f64 / n,
                p.emails as f64 / n,
            );
        }
        let m = self.meter();
        let _ = writeln!(out, "\n### DynamoDB per order\n");
        let _ = writeln!(out, "| what | units |\n| --- | --- |");
        for (op, units) in &m.table_writes {
            let _ = writeln!(out, "| write units: {op} | {:.1} |", units / n);
        }
        for (index, units) in &m.index_writes {
            let _ = writeln!(out, "| write units: {index} copies | {:.1} |", units / n);
        }
        for (op, units) in &m.reads {
            let _ = writeln!(out, "| read units: {op} | {:.1} |", units / n);
        }
        for (op, calls) in &m.calls {
            let _ = writeln!(out, "| calls: {op} | {:.1} |", *calls as f64 / n);
        }
        let _ = writeln!(out, "| items written | {:.1} |", m.items_written as f64 / n);
        let mut by_item: Vec<(&String, &f64)> = m.writes_by_item.iter().collect();
        by_item.sort_by(|a, b| b.1.total_cmp(a.1));
        let _ = writeln!(
            out,
            "\n### Write units per order by item (table and index copies)\n"
        );
        let _ = writeln!(
            out,
            "| item (sort key prefix) | write units |\n| --- | --- |"
        );
        for (kind, units) in by_item {
            let _ = writeln!(out, "| {kind} | {:.1} |", units / n);
        }
        let mut functions: BTreeMap<(String, u64), (u64, f64)> = BTreeMap::new();
        for (binary, count, ms, mb) in self.phases.iter().flat_map(|p| &p.lambda) {
            let e = functions.entry((binary.clone(), *mb)).or_default();
            e.0 += count;
            e.1 += ms;
        }
        let _ = writeln!(out, "\n### Lambda per order (billed ms: measured in process + {} ms per DynamoDB call, {} per transaction, {} per SMS or email sent)\n", super::DYNAMODB_CALL_MS, super::DYNAMODB_TRANSACTION_MS, super::SEND_MS);
        let _ = writeln!(
            out,
            "| function | memory MB | invocations | billed ms each |\n| --- | --- | --- | --- |"
        );
        for ((binary, mb), (count, ms)) in &functions {
            let _ = writeln!(
                out,
                "| {binary} | {mb} | {:.1} | {:.1} |",
                *count as f64 / n,
                ms / *count as f64
            );
        }
        let (infra, messages) = self.costs();
        let _ = writeln!(out, "\n### Cost of 1,000,000 orders (USD)\n");
        let _ = writeln!(out, "| item | quantity | USD |\n| --- | --- | --- |");
        let mut total = 0.0;
        for (name, q, c) in &infra {
            total += c;
            let _ = writeln!(out, "| {name} | {q:.0} | {c:.2} |");
        }
        let _ = writeln!(out, "| **infrastructure** | | **{total:.2}** |");
        let mut sent = 0.0;
        for (name, q, c) in &messages {
            sent += c;
            let _ = writeln!(out, "| {name} | {q:.0} | {c:.2} |");
        }
        let _ = writeln!(out, "| **SMS and email** | | **{sent:.2}** |");
        let _ = writeln!(out, "| **total** | | **{:.2}** |", total + sent);
        out
    }
}

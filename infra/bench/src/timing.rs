//! Times searches over HTTP against a running portal: p50, p95 and max over N runs, each
//! checked to answer what it should.

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

struct Case {
    what: &'static str,
    key: String,
    query: String,
    /// Order ids the first page must hold (the target recipient's).
    expect: Vec<String>,
}

pub fn run(url: &str, seeded: &Value, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let courier = seeded["courierKey"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let client = seeded["clients"][0]["key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let target: Vec<String> = seeded["target"]["orderIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let short_id = seeded["target"]["oldestShortId"]
        .as_str()
        .unwrap_or_default();
    let oldest = target.last().cloned().into_iter().collect::<Vec<_>>();
    let cases = [
        Case {
            what: "recipient, courier",
            key: courier.clone(),
            query: "q=ada+lovelace".into(),
            expect: target.clone(),
        },
        Case {
            what: "recipient, client",
            key: client.clone(),
            query: "q=ada+lovelace".into(),
            expect: target.clone(),
        },
        Case {
            what: "last name, courier",
            key: courier.clone(),
            query: "q=lovelace".into(),
            expect: target.clone(),
        },
        Case {
            what: "last name prefix, client",
            key: client.clone(),
            query: "q=lovel".into(),
            expect: target.clone(),
        },
        Case {
            what: "phone as typed, courier",
            key: courier.clone(),
            query: "q=07+00+00+00+01".into(),
            expect: target.clone(),
        },
        Case {
            what: "oldest short id, courier",
            key: courier.clone(),
            query: format!("q={short_id}"),
            expect: oldest,
        },
        Case {
            what: "two letters (type-ahead), courier",
            key: courier.clone(),
            query: "q=ma".into(),
            expect: vec![],
        },
        Case {
            what: "street word + prefix, client",
            key: client.clone(),
            query: "q=rue+pa".into(),
            expect: vec![],
        },
        Case {
            what: "list without q, courier",
            key: courier.clone(),
            query: "limit=50".into(),
            expect: vec![],
        },
    ];
    println!(
        "Courier with {} orders; {runs} runs per search (after 3 warm-up runs).\n",
        seeded["orders"]
    );
    println!("| search | query | results on page 1 | p50 ms | p95 ms | max ms |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for case in &cases {
        let path = format!("/v1/orders?{}", case.query);
        let mut times = Vec::with_capacity(runs);
        let mut found = 0;
        for run in 0..runs + 3 {
            let started = Instant::now();
            let (status, body) = get(&host, &path, &case.key)?;
            let elapsed = started.elapsed();
            if status != 200 {
                return Err(format!("{path}: {status} {body}").into());
            }
            let page: Value = serde_json::from_str(&body)?;
            let ids: Vec<&str> = page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o["id"].as_str())
                .collect();
            if let Some(missing) = case.expect.iter().find(|id| !ids.contains(&id.as_str())) {
                return Err(format!("{path}: {missing} is not on the first page").into());
            }
            found = ids.len();
            if run >= 3 {
                times.push(elapsed);
            }
        }
        times.sort();
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
        let at =
            |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
        println!(
            "| {} | `{}` | {found} | {} | {} | {} |",
            case.what,
            case.query,
            ms(at(0.50)),
            ms(at(0.95)),
            ms(*times.last().unwrap_or(&Duration::ZERO)),
        );
    }
    Ok(())
}

/// One `GET` over a new loopback connection; the status and the body.
fn get(host: &str, path: &str, key: &str) -> Result<(u16, String), Box<dyn std::error::Error>> {
    let mut stream = TcpStream::connect(host)?;
    stream.set_nodelay(true)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no HTTP head")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status")?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Ok((
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    ))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

//! Notification bookkeeping during an outage: 10,000 deliveries pending (1,000 groups with 10
//! each, as a receiver that was down for a while leaves them), then drained the way the
//! delivery task drains them (next due, attempt, finish). Before the index, every attempt,
//! every superseded update, every `/v3/admin/notifiers` request and every `/metrics` render
//! scanned and JSON-decoded the whole table: the reference row says what one such pass costs.
//! Prints a table; `cargo bench -p warren-store --bench deliveries`.

use std::time::{Duration, Instant};

use warren_core::evaluator::GroupStatus;
use warren_core::incident::{Incident, IncidentKind};
use warren_core::ledger::{Delivery, IncidentKey, Ledger, NextDue};
use warren_core::model::Status;
use warren_store::Store;

const GROUPS: usize = 1_000;
const EACH: usize = 10;

fn delivery(group: usize, n: usize) -> Delivery {
    let name = format!("payments-consumer-{group}");
    Delivery {
        key: IncidentKey {
            notifier: "ops".into(),
            cluster: "prod".into(),
            group: name.clone(),
        },
        kind: if n == 0 {
            IncidentKind::Opened
        } else {
            IncidentKind::Updated
        },
        incident: Incident {
            id: format!("{group:08}-0000-8000-8000-000000000000"),
            started_ms: 1_700_000_000_000,
            last_status: Status::Err,
            last_sent_ms: 1_700_000_000_000,
        },
        status: GroupStatus::not_found("prod", &name),
        event_ms: 1_700_000_000_000 + n as i64,
        attempts: 3,
        next_attempt_ms: 1_700_000_000_000 + n as i64,
        last_error: Some("HTTP 503".into()),
    }
}

fn row(what: &str, took: Duration) {
    let ms = took.as_secs_f64() * 1e3;
    if ms < 1.0 {
        println!("| {what} | {:.1} µs |", ms * 1e3);
    } else {
        println!("| {what} | {ms:.1} ms |");
    }
}

fn main() {
    let store = Store::in_memory().expect("store");
    let all: Vec<Delivery> = (0..EACH)
        .flat_map(|n| (0..GROUPS).map(move |g| delivery(g, n)))
        .collect();
    println!("| 10,000 pending deliveries (in-memory store) | time |");
    println!("|---|---|");
    let start = Instant::now();
    for d in &all {
        Ledger::record(&store, &d.key, Some(&d.incident), Some(d)).expect("record");
    }
    row("record 10,000 (one transaction each)", start.elapsed());

    let calls = 1_000;
    let start = Instant::now();
    for _ in 0..calls {
        let _ = store.next_due("ops", i64::MAX).expect("next");
    }
    row(
        "next due, one call with 10,000 pending",
        start.elapsed() / calls,
    );

    let start = Instant::now();
    let report = Ledger::deliveries(&store, "ops").expect("report");
    row(
        "the notifier's pending list (admin route, /metrics)",
        start.elapsed(),
    );
    assert_eq!(report.len(), GROUPS * EACH);

    let encoded: Vec<Vec<u8>> = all
        .iter()
        .map(|d| serde_json::to_vec(d).expect("encode"))
        .collect();
    let start = Instant::now();
    let decoded: Vec<Delivery> = encoded
        .iter()
        .map(|b| serde_json::from_slice(b).expect("decode"))
        .collect();
    row(
        "reference: decoding the 10,000 stored records once (before: per attempt)",
        start.elapsed(),
    );
    assert_eq!(decoded.len(), all.len());

    let start = Instant::now();
    let mut drained = 0;
    while let NextDue::Now(seq, _) = store.next_due("ops", i64::MAX).expect("next") {
        Ledger::finish_delivery(&store, seq).expect("finish");
        drained += 1;
    }
    row("drain all 10,000 (next due + finish each)", start.elapsed());
    assert_eq!(drained, GROUPS * EACH);
}

//! The notification wiring end to end, one rule per test, each against a control that shows
//! the rule made the difference: the real daemon on librdkafka's mock cluster, groups
//! committing in Kafka's record format, the built-in webhook notifier (and the built-in
//! `skip-empty` group filter) delivering to real HTTP receivers on 127.0.0.1. Where a test
//! asserts that something did *not* happen, it first waits for a control notifier to have
//! spoken several times since, so the silence is not just a notifier that had no tick yet.

use std::collections::BTreeSet;
use std::time::Duration;

use rdkafka::producer::Producer;
use serde_json::Value;
use warren_core::codec;
use warren_integration_tests::notify::{
    broker, broker_with, groups_named, notifier_report, restart, start, wait_ok_and_full,
    wait_requests, wait_status, webhook,
};
use warren_integration_tests::receiver::{Receiver, Reply};
use warren_integration_tests::{one_member_group, produce_raw, producer, wait_until};

const WITHIN: Duration = Duration::from_secs(30);

fn is_close(body: &Value) -> bool {
    body["ids"].is_array()
}

fn only(group: &str) -> BTreeSet<String> {
    BTreeSet::from([group.to_owned()])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_never_answers_delays_no_other_notifier() {
    let (mock, traffic, group) = broker();
    let dead = Receiver::start().await;
    dead.script("/dead", vec![Reply::Hang(Duration::from_secs(300))]);
    let live = Receiver::start().await;
    // The dead notifier's attempt may run for a minute: far longer than this test.
    let notifiers = webhook("dead", &dead, "").replace("timeout = \"2s\"", "timeout = \"60s\"")
        + &webhook("live", &live, "");
    let dir = tempfile::tempdir().unwrap();
    let d = start(&mock, dir.path(), &notifiers).await;
    wait_ok_and_full(&d, &group).await;

    traffic.commits(0, false);
    wait_requests(&dead, "/dead", 1, WITHIN).await;
    wait_requests(&live, "/live", 1, WITHIN).await;
    traffic.commits(0, true);
    let bodies = wait_requests(&live, "/live", 2, WITHIN).await;
    assert!(is_close(&bodies[1]), "{}", bodies[1]);

    // Both of the live notifier's messages went out while the dead one's first attempt was
    // still hanging: not answered, not timed out, not retried.
    assert_eq!(dead.requests("/dead").len(), 1);
    let report = notifier_report(&d, "dead").await;
    assert_eq!(
        (&report["delivered"], &report["retried"], &report["failed"]),
        (&Value::from(0), &Value::from(0), &Value::from(0)),
        "{report}"
    );
    // Not `stop`: a clean shutdown lets the hanging request run out its drain time.
    drop(d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_waits_behind_its_open_while_the_open_is_retried() {
    let (mock, traffic, group) = broker();
    let hook = Receiver::start().await;
    hook.script("/hook", vec![Reply::Status(500); 1000]);
    let dir = tempfile::tempdir().unwrap();
    let d = start(&mock, dir.path(), &webhook("hook", &hook, "")).await;
    wait_ok_and_full(&d, &group).await;

    traffic.commits(0, false);
    wait_requests(&hook, "/hook", 1, WITHIN).await;
    traffic.commits(0, true);
    wait_until(WITHIN, "the close queued behind the open", || async {
        let report = notifier_report(&d, "hook").await;
        let kinds: Vec<&str> = report["pending"]
            .as_array()
            .map(|p| p.iter().filter_map(|d| d["kind"].as_str()).collect())
            .unwrap_or_default();
        kinds == ["opened", "resolved"]
    })
    .await;
    hook.heal("/hook");
    wait_until(WITHIN, "the open and the close accepted", || async {
        let accepted = hook.accepted("/hook");
        accepted.len() >= 2 || accepted.iter().any(|r| is_close(&r.body))
    })
    .await;

    let all = hook.requests("/hook");
    let first_accepted = all.iter().position(|r| r.answered == 200).unwrap();
    assert!(
        first_accepted >= 1,
        "the open was refused at least once first"
    );
    for r in &all[..=first_accepted] {
        assert!(
            !is_close(&r.body),
            "the close went out before its open was accepted: {:?}",
            all.iter()
                .map(|r| (if is_close(&r.body) { "close" } else { "open" }, r.answered))
                .collect::<Vec<_>>()
        );
    }
    let accepted = hook.accepted("/hook");
    let id = accepted[0].body["events"][0]["id"].as_str().expect("id");
    assert!(is_close(&accepted[1].body), "{}", accepted[1].body);
    assert_eq!(accepted[1].body["ids"][0].as_str(), Some(id));
    assert_eq!(accepted.len(), 2, "each once");
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_once_sends_the_open_and_no_reminder() {
    let (mock, traffic, group) = broker();
    let r = Receiver::start().await;
    let notifiers = webhook("once", &r, "send-interval = \"300ms\"\nsend-once = true")
        + &webhook("reminded", &r, "send-interval = \"300ms\"");
    let dir = tempfile::tempdir().unwrap();
    let d = start(&mock, dir.path(), &notifiers).await;
    wait_ok_and_full(&d, &group).await;

    traffic.commits(0, false);
    // The control: an open and then a reminder on each of three later ticks.
    wait_requests(&r, "/reminded", 4, WITHIN).await;
    let once = r.requests("/once");
    assert_eq!(
        once.len(),
        1,
        "{:?}",
        once.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert_eq!(once[0].body["events"][0]["event"]["group"], group.as_str());
    let report = notifier_report(&d, "once").await;
    assert_eq!(report["decided"], 1, "{report}");
    assert_eq!(report["open-incidents"].as_array().map(Vec::len), Some(1));
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_close_false_resolves_the_incident_without_a_message() {
    let (mock, traffic, group) = broker();
    let r = Receiver::start().await;
    let notifiers = webhook("quiet", &r, "send-close = false") + &webhook("closing", &r, "");
    let dir = tempfile::tempdir().unwrap();
    let d = start(&mock, dir.path(), &notifiers).await;
    wait_ok_and_full(&d, &group).await;

    traffic.commits(0, false);
    wait_requests(&r, "/quiet", 1, WITHIN).await;
    wait_requests(&r, "/closing", 1, WITHIN).await;
    traffic.commits(0, true);
    let closing = wait_requests(&r, "/closing", 2, WITHIN).await;
    assert!(is_close(&closing[1]), "the control closes: {}", closing[1]);
    wait_until(WITHIN, "the quiet notifier's incident resolved", || async {
        notifier_report(&d, "quiet").await["open-incidents"]
            .as_array()
            .is_some_and(Vec::is_empty)
    })
    .await;
    let quiet = r.requests("/quiet");
    assert_eq!(
        quiet.len(),
        1,
        "{:?}",
        quiet.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert!(!is_close(&quiet[0].body));
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warn_threshold_opens_on_a_falling_behind_group_and_an_err_threshold_does_not() {
    let (mock, traffic, group) = broker();
    let r = Receiver::start().await;
    let notifiers = webhook(
        "warn",
        &r,
        "threshold = \"WARN\"\nsend-interval = \"300ms\"",
    ) + &webhook("err", &r, "");
    let dir = tempfile::tempdir().unwrap();
    let d = start(&mock, dir.path(), &notifiers).await;
    wait_ok_and_full(&d, &group).await;

    traffic.falls_behind(0, true);
    wait_status(&d, &group, "WARN", WITHIN).await;
    // An open and reminders on two later ticks, all at WARN. (A falling-behind group can
    // dip to OK for one evaluation on a loaded machine: its close, and a new open, are fine.)
    let warned = wait_requests(&r, "/warn", 3, WITHIN).await;
    assert!(
        !is_close(&warned[0]),
        "the first message opens: {}",
        warned[0]
    );
    for b in warned.iter().filter(|b| !is_close(b)) {
        assert_eq!(b["events"][0]["event"]["severity"], "WARN", "{b}");
        assert_eq!(b["events"][0]["event"]["group"], group.as_str(), "{b}");
    }
    assert!(r.requests("/err").is_empty(), "WARN is below ERR");
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_and_deny_lists_and_group_filters_choose_the_groups_a_notifier_hears_of() {
    let (mock, traffic, pairs) = broker_with(&["billing", "audit"]);
    let (billing, audit) = (pairs[0].1.clone(), pairs[1].1.clone());
    // billing has a live member, audit none: the built-in skip-empty filter, told to leave out
    // any group without members that has not committed this very millisecond, keeps billing
    // only.
    let p = producer(&mock.bootstrap_servers());
    produce_raw(
        &p,
        "__consumer_offsets",
        0,
        &codec::encode_group_metadata_key(&billing),
        Some(&one_member_group("billing-1", &pairs[0].0, vec![0])),
    );
    p.flush(Duration::from_secs(5)).expect("flush");
    let r = Receiver::start().await;
    let filter = r#"
[plugin.members]
kind = "group-filter"
path = "builtin:skip-empty"
config = { empty-for-secs = 0 }
"#;
    let notifiers = [
        webhook("all", &r, "send-interval = \"300ms\""),
        webhook("allow", &r, "group-allowlist = \"^billing-\""),
        webhook("deny", &r, "group-denylist = \"^billing-\""),
        webhook("filtered", &r, "group-filters = [\"members\"]"),
        filter.to_string(),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let d = start(&mock, dir.path(), &notifiers).await;
    wait_ok_and_full(&d, &billing).await;
    wait_ok_and_full(&d, &audit).await;

    traffic.commits(0, false);
    traffic.commits(1, false);
    // The control hears of both, then of both again on three later ticks.
    wait_until(WITHIN, "the control's opens and reminders", || async {
        let named = groups_named(
            &r.requests("/all")
                .into_iter()
                .map(|r| r.body)
                .collect::<Vec<_>>(),
        );
        [&billing, &audit]
            .iter()
            .all(|g| named.iter().filter(|n| n == g).count() >= 4)
    })
    .await;
    let heard = |path: &str| -> BTreeSet<String> {
        let bodies: Vec<Value> = r.requests(path).into_iter().map(|r| r.body).collect();
        groups_named(&bodies).into_iter().collect()
    };
    assert_eq!(heard("/allow"), only(&billing), "allow-list");
    assert_eq!(heard("/deny"), only(&audit), "deny-list");
    assert_eq!(heard("/filtered"), only(&billing), "group filter");
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_of_a_cluster_the_notifier_no_longer_watches_is_resolved_at_start() {
    let (mock, traffic, group) = broker();
    let hook = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let d = start(&mock, dir.path(), &webhook("hook", &hook, "")).await;
    wait_ok_and_full(&d, &group).await;
    traffic.commits(0, false);
    let opened = wait_requests(&hook, "/hook", 1, WITHIN).await;
    let id = opened[0]["events"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    d.stop().await;

    // The group is still stopped; only the notifier's clusters change.
    let d = restart(dir.path(), |l| {
        if l == "plugin = \"hook\"" {
            format!("{l}\nclusters = [\"staging-*\"]")
        } else {
            l.to_owned()
        }
    })
    .await;
    let all = wait_requests(&hook, "/hook", 2, WITHIN).await;
    assert!(is_close(&all[1]), "{}", all[1]);
    assert_eq!(all[1]["ids"][0].as_str(), Some(id.as_str()));
    let report = notifier_report(&d, "hook").await;
    assert_eq!(
        report["open-incidents"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
    d.stop().await;
}

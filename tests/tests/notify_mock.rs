//! Notifications end to end on librdkafka's mock cluster: a group commits in Kafka's record
//! format while a producer writes, then stops committing (STOP, the group is ERR), then
//! resumes. The first-party notifier plugins, loaded from the binary, deliver to real HTTP
//! receivers on 127.0.0.1 standing in for Slack, PagerDuty, Teams and a webhook: one open
//! each, then one close each with the same incident id. Then the failure paths: a 500 then
//! 200, a 429 with Retry-After, a receiver that hangs, a restart between open and close, and
//! a plugin whose host is not on its allow-list.

use std::path::Path;
use std::time::Duration;

use warren_integration_tests::notify::{
    Mock, broker, config, notifier, restart, start, wait_ok_and_full, wait_requests, wait_status,
};
use warren_integration_tests::receiver::{Receiver, Reply};
use warren_integration_tests::smtp::{Smtp, header};
use warren_integration_tests::traffic::Traffic;
use warren_integration_tests::{Daemon, free_port, wait_until};

/// Writes `secret` to a file in `dir` and returns its `file:` reference.
fn secret_file(dir: &Path, name: &str, value: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{value}\n")).unwrap();
    format!("file:{}", path.display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_group_notifies_each_receiver_once_and_closes_once_with_the_same_id() {
    let (mock, traffic, group) = broker();
    let slack = Receiver::start().await;
    let pd = Receiver::start().await;
    let teams = Receiver::start().await;
    let hook = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path();
    let notifiers = [
        notifier(
            "slack",
            "slack",
            &slack,
            &format!(r#"{{ url = "{}/services/${{secret:webhook}}" }}"#, slack.base),
            &format!(r#"webhook = "{}""#, secret_file(secrets, "slack", "T000/B000/XXXX")),
        ),
        notifier(
            "pagerduty",
            "pagerduty",
            &pd,
            &format!(
                r#"{{ routing-key = "${{secret:routing_key}}", url = "{}/v2/enqueue" }}"#,
                pd.base
            ),
            &format!(r#"routing_key = "{}""#, secret_file(secrets, "pd", "R0UT1NGKEY")),
        ),
        notifier(
            "teams",
            "teams",
            &teams,
            &format!(r#"{{ url = "{}/workflows/${{secret:webhook}}" }}"#, teams.base),
            &format!(r#"webhook = "{}""#, secret_file(secrets, "teams", "wf-123")),
        ),
        notifier(
            "hook",
            "webhook",
            &hook,
            &format!(
                r#"{{ url = "{}/hook", headers = {{ Authorization = "Bearer ${{secret:token}}" }} }}"#,
                hook.base
            ),
            &format!(r#"token = "{}""#, secret_file(secrets, "token", "s3cr3t")),
        ),
    ]
    .concat();
    let d = start(&mock, dir.path(), &notifiers).await;

    wait_ok_and_full(&d, &group).await;
    traffic.commits(0, false);
    wait_status(&d, &group, "ERR", Duration::from_secs(30)).await;

    let slack_path = "/services/T000/B000/XXXX";
    let opened_slack = wait_requests(&slack, slack_path, 1, Duration::from_secs(15)).await;
    let opened_pd = wait_requests(&pd, "/v2/enqueue", 1, Duration::from_secs(15)).await;
    let opened_teams = wait_requests(&teams, "/workflows/wf-123", 1, Duration::from_secs(15)).await;
    let opened_hook = wait_requests(&hook, "/hook", 1, Duration::from_secs(15)).await;

    // Slack: Block Kit with a text fallback naming the group.
    let s = &opened_slack[0];
    assert!(
        s["text"].as_str().is_some_and(|t| t.contains(&group)),
        "{s}"
    );
    assert!(s["blocks"].as_array().is_some_and(|b| !b.is_empty()), "{s}");
    // PagerDuty Events API v2: trigger with the routing key from the secret and a dedup key.
    let p = &opened_pd[0];
    assert_eq!(p["event_action"], "trigger", "{p}");
    assert_eq!(p["routing_key"], "R0UT1NGKEY");
    let dedup = p["dedup_key"].as_str().expect("dedup_key").to_string();
    for key in ["summary", "severity", "source"] {
        assert!(p["payload"][key].is_string(), "payload.{key}: {p}");
    }
    // Teams: an Adaptive Card attachment.
    let t = &opened_teams[0];
    assert_eq!(t["type"], "message", "{t}");
    assert_eq!(
        t["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(t["attachments"][0]["content"]["type"], "AdaptiveCard");
    // Webhook: Burrow's default HTTP notifier body (default-http-post.tmpl), and the secret in
    // the header.
    let h = &opened_hook[0];
    let event = &h["events"][0];
    assert_eq!(event["event"]["group"], group.as_str(), "{h}");
    assert_eq!(event["event"]["severity"], "ERR", "{h}");
    assert!(event["event"]["start"].is_string(), "{h}");
    assert_eq!(event["event"]["partitions"][0]["status"], "STOP", "{h}");
    let hook_id = event["id"].as_str().expect("id").to_string();
    assert_eq!(hook_id.len(), 36, "{h}");
    assert_eq!(
        hook.requests("/hook")[0].headers["authorization"],
        "Bearer s3cr3t"
    );

    traffic.commits(0, true);
    wait_status(&d, &group, "OK", Duration::from_secs(30)).await;
    let pd_all = wait_requests(&pd, "/v2/enqueue", 2, Duration::from_secs(15)).await;
    assert_eq!(pd_all[1]["event_action"], "resolve", "{}", pd_all[1]);
    assert_eq!(pd_all[1]["dedup_key"].as_str(), Some(dedup.as_str()));
    wait_requests(&slack, slack_path, 2, Duration::from_secs(15)).await;
    wait_requests(&teams, "/workflows/wf-123", 2, Duration::from_secs(15)).await;
    let hooks = wait_requests(&hook, "/hook", 2, Duration::from_secs(15)).await;
    assert_eq!(
        hooks[1]["ids"][0].as_str(),
        Some(hook_id.as_str()),
        "{}",
        hooks[1]
    );

    // Nothing more: one open and one close each, however many ticks and partitions.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(slack.requests(slack_path).len(), 2);
    assert_eq!(pd.requests("/v2/enqueue").len(), 2);
    assert_eq!(teams.requests("/workflows/wf-123").len(), 2);
    assert_eq!(hook.requests("/hook").len(), 2);
    let (_, report) = d.get("/v3/admin/notifiers").await;
    for n in report["notifiers"].as_array().unwrap() {
        assert_eq!(n["delivered"], 2, "{n}");
        assert_eq!(n["pending"].as_array().map(Vec::len), Some(0), "{n}");
        assert_eq!(n["open-incidents"].as_array().map(Vec::len), Some(0), "{n}");
    }
    let logs = format!("{report}");
    assert!(!logs.contains("s3cr3t") && !logs.contains("R0UT1NGKEY"));
    d.stop().await;
}

/// One webhook notifier against `hook`, whose `/hook` answers with `script` first.
async fn one_webhook(
    script: Vec<Reply>,
    extra_plugin: &str,
) -> (Mock, Traffic, String, Receiver, Daemon, tempfile::TempDir) {
    let (mock, traffic, group) = broker();
    let hook = Receiver::start().await;
    hook.script("/hook", script);
    let dir = tempfile::tempdir().unwrap();
    let n = notifier(
        "hook",
        "webhook",
        &hook,
        &format!(r#"{{ url = "{}/hook" }}"#, hook.base),
        "",
    ) + extra_plugin;
    let d = start(&mock, dir.path(), &n).await;
    wait_ok_and_full(&d, &group).await;
    traffic.commits(0, false);
    (mock, traffic, group, hook, d, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_is_retried_and_the_open_is_delivered_once() {
    let (_mock, _traffic, _group, hook, d, _dir) =
        one_webhook(vec![Reply::Status(500), Reply::Status(500)], "").await;
    let bodies = wait_requests(&hook, "/hook", 3, Duration::from_secs(30)).await;
    assert_eq!(bodies[0], bodies[2], "the same event, retried");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        hook.requests("/hook").len(),
        3,
        "delivered once: no more after the 200"
    );
    let (_, report) = d.get("/v3/admin/notifiers").await;
    assert_eq!(report["notifiers"][0]["retried"], 2, "{report}");
    assert_eq!(report["notifiers"][0]["delivered"], 1, "{report}");
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_retry_after_is_respected() {
    let (_mock, _traffic, _group, hook, d, _dir) =
        one_webhook(vec![Reply::TooManyRequests(3)], "").await;
    wait_requests(&hook, "/hook", 2, Duration::from_secs(30)).await;
    let r = hook.requests("/hook");
    let gap = r[1].at - r[0].at;
    assert!(
        gap >= Duration::from_millis(2900),
        "retried after {gap:?}, asked for 3 s"
    );
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_hangs_times_out_and_the_event_is_retried() {
    let (_mock, _traffic, _group, hook, d, _dir) =
        one_webhook(vec![Reply::Hang(Duration::from_secs(30))], "").await;
    wait_requests(&hook, "/hook", 2, Duration::from_secs(30)).await;
    let r = hook.requests("/hook");
    let gap = r[1].at - r[0].at;
    assert!(
        gap >= Duration::from_secs(2),
        "the first attempt ran to its 2 s timeout"
    );
    assert!(
        gap < Duration::from_secs(10),
        "and was not left hanging: {gap:?}"
    );
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_after_a_restart_carries_the_id_of_the_open() {
    let (mock, traffic, group, hook, d, dir) = one_webhook(vec![], "").await;
    let opened = wait_requests(&hook, "/hook", 1, Duration::from_secs(30)).await;
    let id = opened[0]["events"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    d.stop().await;

    traffic.commits(0, true);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let d = restart(dir.path(), str::to_owned).await;
    let all = wait_requests(&hook, "/hook", 2, Duration::from_secs(30)).await;
    assert_eq!(all[1]["ids"][0].as_str(), Some(id.as_str()), "{}", all[1]);
    assert_ne!(all[1], all[0]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        hook.requests("/hook").len(),
        2,
        "no false alarm after the restart"
    );
    let _ = (mock, group);
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notifier_without_its_host_on_the_allow_list_is_denied_and_counted() {
    let outsider = Receiver::start().await;
    // A second webhook notifier pointing at a receiver its allow-list does not name.
    let extra = format!(
        r#"
[plugin.sneaky]
kind = "notifier"
path = "builtin:webhook"
allowed-outbound-hosts = ["hooks.example.com"]
allow-private-addresses = true
config = {{ url = "{}/exfiltrate" }}
[notifier.sneaky]
plugin = "sneaky"
interval = "300ms"
threshold = "ERR"
"#,
        outsider.base
    );
    let (_mock, _traffic, _group, hook, d, _dir) = one_webhook(vec![], &extra).await;
    wait_requests(&hook, "/hook", 1, Duration::from_secs(30)).await;
    wait_until(Duration::from_secs(15), "the denial counted", || async {
        let (_, plugins) = d.get("/v3/admin/plugins").await;
        plugins["plugins"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["name"] == "sneaky"))
            .is_some_and(|p| p["health"]["calls"]["denied"].as_u64() >= Some(1))
    })
    .await;
    assert!(outsider.requests("/exfiltrate").is_empty(), "never reached");
    let (_, report) = d.get("/v3/admin/notifiers").await;
    let sneaky = report["notifiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "sneaky")
        .unwrap()
        .clone();
    assert!(sneaky["failed"].as_u64() >= Some(1), "{sneaky}");
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_group_resolves_its_incident_instead_of_alerting_forever() {
    let (_mock, _traffic, group, hook, d, _dir) = one_webhook(vec![], "").await;
    let opened = wait_requests(&hook, "/hook", 1, Duration::from_secs(30)).await;
    let id = opened[0]["events"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let res = reqwest::Client::new()
        .delete(format!("{}/v3/kafka/prod/consumer/{group}", d.base))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(res.status().as_u16(), 200);
    let all = wait_requests(&hook, "/hook", 2, Duration::from_secs(15)).await;
    assert_eq!(all[1]["ids"][0].as_str(), Some(id.as_str()), "{}", all[1]);
    let (_, report) = d.get("/v3/admin/notifiers").await;
    assert_eq!(
        report["notifiers"][0]["open-incidents"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "{report}"
    );
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_group_mails_once_and_the_close_threads_under_the_open() {
    let smtp = Smtp::start();
    let (mock, traffic, group) = broker();
    let dir = tempfile::tempdir().unwrap();
    let notifiers = format!(
        r#"
[plugin.email]
kind = "notifier"
path = "builtin:email"
config = {{ subject-prefix = "[warren-test]" }}
[plugin.email.mail]
server = "127.0.0.1"
port = {port}
security = "none"
from = "Warren <warren@example.com>"
to = ["oncall@example.com"]
[plugin.email.limits]
timeout = "5s"
[notifier.email]
plugin = "email"
interval = "300ms"
threshold = "ERR"
send-interval = "1h"
"#,
        port = smtp.port
    );
    let d = start(&mock, dir.path(), &notifiers).await;
    wait_ok_and_full(&d, &group).await;
    traffic.commits(0, false);
    wait_until(Duration::from_secs(30), "the opening mail", || async {
        !smtp.messages().is_empty()
    })
    .await;
    traffic.commits(0, true);
    wait_until(Duration::from_secs(30), "the closing mail", || async {
        smtp.messages().len() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = smtp.messages();
    assert_eq!(mails.len(), 2, "one open, one close");
    let (open, close) = (&mails[0], &mails[1]);
    assert!(
        header(open, "To").is_some_and(|t| t.contains("oncall@example.com")),
        "{open}"
    );
    assert!(header(open, "From").is_some_and(|f| f.contains("warren@example.com")));
    let subject = header(open, "Subject").expect("subject");
    assert!(
        subject.starts_with("[warren-test]") && subject.contains(&group),
        "{subject}"
    );
    let id = header(open, "Message-ID").expect("Message-ID");
    assert!(
        id.starts_with("<warren-incident-") && id.ends_with("@example.com>"),
        "{id}"
    );
    assert!(
        open.contains("text/html") && open.contains("text/plain"),
        "both parts: {open}"
    );
    assert_eq!(
        header(close, "In-Reply-To").as_deref(),
        Some(id.as_str()),
        "{close}"
    );
    assert!(header(close, "References").is_some_and(|r| r.contains(&id)));
    assert!(
        header(close, "Subject").is_some_and(|s| s.contains("RESOLVED")),
        "{close}"
    );
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_for_a_dead_receiver_are_coalesced_not_piled_up() {
    // A second notifier on the same plugin, reminding every 300 ms, while /hook keeps failing.
    let extra = r#"
[notifier.reminders]
plugin = "hook"
interval = "300ms"
threshold = "ERR"
send-interval = "300ms"
"#;
    let (_mock, _traffic, _group, hook, d, _dir) =
        one_webhook(vec![Reply::Status(503); 200], extra).await;
    let pending = |report: &serde_json::Value| {
        report["notifiers"]
            .as_array()
            .and_then(|a| a.iter().find(|n| n["name"] == "reminders"))
            .map(|n| {
                (
                    n["decided"].as_u64().unwrap_or(0),
                    n["pending"].as_array().map_or(0, Vec::len),
                )
            })
            .unwrap_or_default()
    };
    wait_until(
        Duration::from_secs(30),
        "several reminders decided",
        || async {
            let (_, report) = d.get("/v3/admin/notifiers").await;
            pending(&report).0 >= 6
        },
    )
    .await;
    let (_, report) = d.get("/v3/admin/notifiers").await;
    let (decided, queued) = pending(&report);
    assert!(
        queued <= 2,
        "{decided} decided, {queued} queued: the open and the newest reminder"
    );
    assert!(
        hook.requests("/hook").len() >= 2,
        "the receiver was being retried"
    );
    d.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_evaluator_plugin_does_not_silence_a_stopped_group() {
    // The cluster's evaluator plugin always errs, so Burrow's rules judge instead; the group
    // then stops committing. The notifier must still hear of it.
    let (mock, traffic, group) = broker();
    let hook = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let misbehave = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins/target/wasm32-wasip2/release/misbehave.wasm")
        .canonicalize()
        .expect("misbehave.wasm: build the plugins (scripts/test does)");
    let evaluator = format!(
        r#"
[plugin.failing]
kind = "evaluator"
path = "{}"
config = {{ mode = "error" }}
"#,
        misbehave.display()
    );
    let hook_notifier = notifier(
        "hook",
        "webhook",
        &hook,
        &format!(r#"{{ url = "{}/hook" }}"#, hook.base),
        "",
    );
    let port = free_port();
    let text = config(
        &mock.bootstrap_servers(),
        port,
        &dir.path().join("data"),
        &(evaluator + &hook_notifier),
    )
    .replace(
        "[consumer.prod]",
        "evaluator = \"failing\"\n[consumer.prod]",
    );
    let file = dir.path().join("warren.toml");
    std::fs::write(&file, text).unwrap();
    let d = Daemon::start_file(&file, port).await;

    wait_ok_and_full(&d, &group).await;
    let (_, lag) = d.get(&format!("/v3/kafka/prod/consumer/{group}/lag")).await;
    assert!(
        lag["status"]["evaluator"]["fallback"].is_string(),
        "Burrow's rules judge while the plugin fails: {lag}"
    );
    traffic.commits(0, false);
    wait_status(&d, &group, "ERR", Duration::from_secs(30)).await;
    let opened = wait_requests(&hook, "/hook", 1, Duration::from_secs(15)).await;
    assert_eq!(
        opened[0]["events"][0]["event"]["severity"], "ERR",
        "{}",
        opened[0]
    );
    d.stop().await;
}

//! Notifier plugins against a real HTTP receiver on 127.0.0.1: the probe notifier
//! (`plugins/testing/probe-notifier`, built for wasm32-wasip2 by `scripts/test`) delivers
//! through the host's `http` capability, and the host enforces the allow-list, the address
//! rules, redirects, timeouts, the response cap and secret handling, runs calls concurrently,
//! and contains a notifier that misbehaves. (Mail: `mail.rs`.)

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::{SECRET, incident, logged, logs, permanent, probe, token};
use warren_core::config::Secret;
use warren_runtime::{
    Capabilities, IncidentEvent, Limits, NotifyError, PluginError, PluginNotifier,
};

// --- receiver --------------------------------------------------------------------------------

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    query: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A webhook receiver on 127.0.0.1:0 that records every request. Paths: `/hook` (200),
/// `/status/N` (N; 429 carries `Retry-After: 3`), `/slow/MS`, `/hang`, `/big` (64 KiB),
/// `/echo` (answers with the query string), `/redirect-out` (to an unlisted host),
/// `/redirect-in` (to `/hook`), `/redirect-to/PORT` (307 to `/hook` on another port).
struct Receiver {
    port: u16,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let recorded = hits.clone();
        let app = axum::Router::new().fallback(
            move |_: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let hits = recorded.clone();
                async move { answer(port, &hits, uri, headers, body).await }
            },
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { port, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    fn paths(&self) -> Vec<String> {
        self.hits().into_iter().map(|h| h.path).collect()
    }
}

async fn answer(
    port: u16,
    hits: &Mutex<Vec<Hit>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or_default().to_string();
    hits.lock().unwrap().push(Hit {
        path: path.clone(),
        query: query.clone(),
        headers,
        body: body.to_vec(),
    });
    let redirect = |to: String| (StatusCode::FOUND, [("location", to)], "").into_response();
    match path.as_str() {
        "/big" => vec![b'x'; 64 << 10].into_response(),
        "/echo" => format!("you sent {query}").into_response(),
        "/hang" => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "too late".into_response()
        }
        "/redirect-out" => redirect(format!("http://localhost:{port}/other")),
        "/redirect-in" => redirect(format!("http://127.0.0.1:{port}/hook")),
        p if p.starts_with("/redirect-to/") => (
            StatusCode::TEMPORARY_REDIRECT,
            [(
                "location",
                format!("http://127.0.0.1:{}/hook", &p["/redirect-to/".len()..]),
            )],
            "",
        )
            .into_response(),
        p if p.starts_with("/slow/") => {
            let ms = p["/slow/".len()..].parse().unwrap();
            tokio::time::sleep(Duration::from_millis(ms)).await;
            "slowly accepted".into_response()
        }
        p if p.starts_with("/status/") => {
            let code = StatusCode::from_u16(p["/status/".len()..].parse().unwrap()).unwrap();
            let mut resp = (code, format!("answered {}", code.as_u16())).into_response();
            if code == StatusCode::TOO_MANY_REQUESTS {
                resp.headers_mut()
                    .insert("retry-after", "3".parse().unwrap());
            }
            resp
        }
        _ => "accepted".into_response(),
    }
}

/// Grants for the receiver: its address on the list, loopback allowed, the `token` secret.
fn caps_for(r: &Receiver) -> Capabilities {
    Capabilities {
        allowed_hosts: vec![format!("127.0.0.1:{}", r.port)],
        allow_private_addresses: true,
        secrets: token(),
        ..Capabilities::default()
    }
}

async fn sender(url: String, caps: Capabilities) -> PluginNotifier {
    probe(
        serde_json::json!({"mode": "send", "url": url}),
        Limits::notifier(),
        caps,
    )
    .await
    .unwrap()
}

// --- delivery and secrets ----------------------------------------------------------------------

#[tokio::test]
async fn delivers_with_secrets_substituted_in_url_header_and_body() {
    let r = Receiver::start().await;
    let n = probe(
        serde_json::json!({
            "mode": "send",
            "url": r.url("/hook?token=${secret:token}"),
            "headers": {"authorization": "Bearer ${secret:token}"},
        }),
        Limits::notifier(),
        caps_for(&r),
    )
    .await
    .unwrap();
    assert_eq!(n.metadata().name, "probe-notifier");

    n.notify(&incident()).await.unwrap();

    let hits = r.hits();
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(
        (hit.path.as_str(), hit.query.as_str()),
        ("/hook", "token=tok-7f3a9c-very-secret")
    );
    assert_eq!(hit.headers["authorization"], format!("Bearer {SECRET}"));
    let body: serde_json::Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["auth"], SECRET);
    assert_eq!(body["id"], "prod/orders/1700000000000");
    assert_eq!(
        (
            &body["kind"],
            &body["cluster"],
            &body["group"],
            &body["status"],
            &body["total_lag"]
        ),
        (
            &"opened".into(),
            &"prod".into(),
            &"orders".into(),
            &"ERR".into(),
            &4000.into()
        )
    );
    assert_eq!(n.health().calls.get("ok"), Some(&1));
    assert!(!logged().contains(SECRET));
}

#[tokio::test]
async fn a_secret_echoed_by_the_receiver_is_redacted_from_logs_and_errors() {
    let r = Receiver::start().await;
    let n = probe(
        serde_json::json!({"mode": "log-secret", "url": r.url("/echo?token=${secret:token}")}),
        Limits::notifier(),
        caps_for(&r),
    )
    .await
    .unwrap();
    let message = permanent(n.notify(&incident()).await);
    assert_eq!(message, "receiver said: you sent token=***");
    let logs = logged();
    assert!(
        logs.contains("receiver said: you sent token=***"),
        "the guest's line is logged"
    );
    assert!(!logs.contains(SECRET), "{logs}");
    assert!(!n.health().last_error.unwrap_or_default().contains(SECRET));
}

#[tokio::test]
async fn a_connection_error_never_carries_the_secret_in_its_url() {
    let _ = logs();
    // Port 9 (discard) on loopback: nothing listens there.
    let caps = Capabilities {
        allowed_hosts: vec!["127.0.0.1:9".into()],
        ..caps_for(&Receiver::start().await)
    };
    let n = sender("http://127.0.0.1:9/hook?token=${secret:token}".into(), caps).await;
    match n.notify(&incident()).await {
        Err(NotifyError::Transient { message, .. }) => {
            assert!(message.contains("connection failed"), "{message}");
            assert!(!message.contains(SECRET), "{message}");
        }
        other => panic!("expected a transient failure, got {other:?}"),
    }
    assert!(!logged().contains(SECRET));
}

#[tokio::test]
async fn a_whole_url_secret_is_not_leaked_in_its_normalised_spelling() {
    let _ = logs();
    // The HTTP stack prints this URL without the default port and with the host lower-cased,
    // a spelling the secret value itself never has.
    let url = "http://LOCALHOST:80/workflows/run?sig=S1GNATURE-IN-URL";
    let mut secrets = token();
    secrets.insert("hook".to_string(), Secret::new(url));
    let caps = Capabilities {
        allowed_hosts: vec!["localhost".into()],
        allow_private_addresses: true,
        secrets,
        ..Capabilities::default()
    };
    let n = sender("${secret:hook}".into(), caps).await;
    let message = match n.notify(&incident()).await {
        Err(NotifyError::Transient { message, .. }) => message,
        Err(NotifyError::Permanent(message)) => message,
        other => panic!("expected a failure, got {other:?}"),
    };
    assert!(!message.contains("S1GNATURE"), "{message}");
    assert!(!logged().contains("S1GNATURE"));
}

// --- where a notifier may go -------------------------------------------------------------------

#[tokio::test]
async fn a_host_not_on_the_allow_list_is_denied_and_never_contacted() {
    let r = Receiver::start().await;
    let caps = Capabilities {
        allowed_hosts: vec!["hooks.example.com".into()],
        ..caps_for(&r)
    };
    let n = sender(r.url("/hook"), caps).await;
    let message = permanent(n.notify(&incident()).await);
    assert!(
        message.contains("not in this plugin's allowed-outbound-hosts"),
        "{message}"
    );
    assert!(r.hits().is_empty(), "the receiver was contacted");
    let h = n.health();
    assert_eq!(
        (h.calls.get("denied"), h.calls.get("permanent")),
        (Some(&1), Some(&1))
    );

    let nothing = sender(r.url("/hook"), Capabilities::default()).await;
    permanent(nothing.notify(&incident()).await);
    assert!(r.hits().is_empty(), "the default grants nothing");
}

#[tokio::test]
async fn an_allowed_name_resolving_to_loopback_is_denied_unless_private_addresses_are_allowed() {
    let r = Receiver::start().await;
    let url = format!("http://localhost:{}/hook", r.port);
    let strict = Capabilities {
        allowed_hosts: vec![format!("localhost:{}", r.port)],
        allow_private_addresses: false,
        ..caps_for(&r)
    };
    let n = sender(url.clone(), strict.clone()).await;
    let message = permanent(n.notify(&incident()).await);
    assert!(
        message.contains("resolves to") && message.contains("loopback"),
        "{message}"
    );
    assert!(r.hits().is_empty());
    assert_eq!(n.health().calls.get("denied"), Some(&1));

    let lenient = Capabilities {
        allow_private_addresses: true,
        ..strict
    };
    sender(url, lenient)
        .await
        .notify(&incident())
        .await
        .unwrap();
    assert_eq!(r.paths(), ["/hook"]);
}

#[tokio::test]
async fn ip_literals_and_metadata_addresses_are_checked_like_names() {
    let r = Receiver::start().await;
    for (url, allowed, why) in [
        (
            r.url("/hook"),
            format!("127.0.0.1:{}", r.port),
            "a loopback address",
        ),
        (
            "http://169.254.169.254/latest/meta-data/".into(),
            "169.254.169.254".into(),
            "cloud metadata",
        ),
        (
            format!("http://[::ffff:127.0.0.1]:{}/", r.port),
            "[::ffff:127.0.0.1]".into(),
            "a loopback address",
        ),
        (
            "http://metadata.google.internal/".into(),
            "metadata.google.internal".into(),
            "cloud metadata service name",
        ),
    ] {
        let caps = Capabilities {
            allowed_hosts: vec![allowed],
            ..Capabilities::default()
        };
        let message = permanent(sender(url.clone(), caps).await.notify(&incident()).await);
        assert!(
            message.starts_with("denied: ") && message.contains(why),
            "{url}: {message}"
        );
    }
    assert!(r.hits().is_empty());
}

#[tokio::test]
async fn a_redirect_to_an_unlisted_host_is_not_followed() {
    let r = Receiver::start().await;
    let n = sender(r.url("/redirect-out"), caps_for(&r)).await;
    let message = permanent(n.notify(&incident()).await);
    assert!(message.contains("redirect refused"), "{message}");
    assert_eq!(
        r.paths(),
        ["/redirect-out"],
        "the unlisted target was not requested"
    );
    assert_eq!(n.health().calls.get("denied"), Some(&1));

    // A redirect that stays on the list is followed.
    sender(r.url("/redirect-in"), caps_for(&r))
        .await
        .notify(&incident())
        .await
        .unwrap();
    assert_eq!(r.paths(), ["/redirect-out", "/redirect-in", "/hook"]);
}

#[tokio::test]
async fn a_request_carrying_a_secret_is_not_redirected_to_another_allowed_origin() {
    // Both receivers are on the list; only the first was meant to see the token (the probe's
    // body carries it, and a 307 resends the body).
    let (a, b) = (Receiver::start().await, Receiver::start().await);
    let caps = Capabilities {
        allowed_hosts: vec![
            format!("127.0.0.1:{}", a.port),
            format!("127.0.0.1:{}", b.port),
        ],
        ..caps_for(&a)
    };
    let n = probe(
        serde_json::json!({
            "mode": "send",
            "url": a.url(&format!("/redirect-to/{}", b.port)),
            "headers": {"x-api-key": "${secret:token}"},
        }),
        Limits::notifier(),
        caps,
    )
    .await
    .unwrap();
    let message = permanent(n.notify(&incident()).await);
    assert!(
        message.contains("HTTP 307"),
        "the plugin sees the redirect: {message}"
    );
    assert!(b.hits().is_empty(), "the other origin got {:?}", b.hits());
    assert_eq!(a.paths(), [format!("/redirect-to/{}", b.port)]);
}

#[tokio::test]
async fn validating_a_config_never_sends_a_request() {
    // `check-config` and reloads validate: neither may reach a receiver.
    let r = Receiver::start().await;
    let n = probe(
        serde_json::json!({"mode": "send", "url": r.url("/hook"), "send-on-validate": true}),
        Limits::notifier(),
        caps_for(&r),
    )
    .await
    .unwrap();
    assert!(r.hits().is_empty(), "validation reached the receiver");
    assert!(logged().contains("requests and mail are sent only while notifying"));
    n.notify(&incident()).await.unwrap();
    assert_eq!(r.paths(), ["/hook"], "notifying still sends");
}

#[tokio::test]
async fn a_secret_echoed_in_a_response_body_never_reaches_the_plugin() {
    let r = Receiver::start().await;
    let n = probe(
        serde_json::json!({
            "mode": "relay",
            "url": r.url("/echo?token=${secret:token}"),
            "relay-url": r.url("/hook"),
        }),
        Limits::notifier(),
        caps_for(&r),
    )
    .await
    .unwrap();
    n.notify(&incident()).await.unwrap();
    let relayed = r
        .hits()
        .into_iter()
        .find(|h| h.path == "/hook")
        .expect("relayed");
    assert_eq!(String::from_utf8_lossy(&relayed.body), "you sent token=***");
}

#[tokio::test]
async fn a_response_over_the_cap_is_refused_as_too_large() {
    let r = Receiver::start().await;
    let caps = Capabilities {
        max_response_bytes: 1024,
        ..caps_for(&r)
    };
    let message = permanent(sender(r.url("/big"), caps).await.notify(&incident()).await);
    assert_eq!(message, "response too large");
    // The same answer fits the default 1 MiB cap.
    sender(r.url("/big"), caps_for(&r))
        .await
        .notify(&incident())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_endless_streamed_response_is_cut_off_at_the_cap() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A receiver that answers with chunks and no length, forever.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        let chunk = format!("400\r\n{}\r\n", "y".repeat(1024));
        while socket.write_all(chunk.as_bytes()).await.is_ok() {}
    });
    let caps = Capabilities {
        allowed_hosts: vec![format!("127.0.0.1:{port}")],
        allow_private_addresses: true,
        secrets: token(),
        max_response_bytes: 64 << 10,
        ..Capabilities::default()
    };
    let n = sender(format!("http://127.0.0.1:{port}/"), caps).await;
    assert_eq!(permanent(n.notify(&incident()).await), "response too large");
}

// --- time ------------------------------------------------------------------------------------

#[tokio::test]
async fn a_hanging_receiver_times_out_as_a_transient_failure() {
    let r = Receiver::start().await;
    let limits = Limits {
        timeout: Duration::from_secs(1),
        ..Limits::notifier()
    };
    // The request's own, shorter timeout, or else the call's limit less a moment for the plugin
    // to report it: either way the plugin hears `timeout` and says transient.
    for (config, expected) in [
        (
            serde_json::json!({"mode": "send", "url": r.url("/hang"), "timeout-ms": 200}),
            200,
        ),
        (
            serde_json::json!({"mode": "send", "url": r.url("/hang")}),
            900,
        ),
    ] {
        let n = probe(config, limits, caps_for(&r)).await.unwrap();
        let start = Instant::now();
        match n.notify(&incident()).await {
            Err(NotifyError::Transient { message, .. }) => assert_eq!(message, "request timed out"),
            other => panic!("expected a transient timeout, got {other:?}"),
        }
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(expected), "{took:?}");
        let h = n.health();
        assert_eq!(
            (h.calls.get("transient"), h.consecutive_failures),
            (Some(&1), 0)
        );
    }
    assert_eq!(r.paths(), ["/hang", "/hang"]);
}

#[tokio::test]
async fn five_concurrent_notifications_to_a_slow_receiver_take_one_delay_not_five() {
    // One thread: overlapping calls prove the host is async, not that it has threads to spare.
    let r = Receiver::start().await;
    let n = Arc::new(sender(r.url("/slow/1500"), caps_for(&r)).await);
    let start = Instant::now();
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let n = n.clone();
            tokio::spawn(async move { n.notify(&incident()).await })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    let took = start.elapsed();
    assert!(
        // Five in a row would take 7.5 s; the bound leaves room for a loaded machine.
        took >= Duration::from_millis(1500) && took < Duration::from_millis(4000),
        "5 × 1.5 s calls took {took:?}"
    );
    assert_eq!(r.hits().len(), 5);
    assert_eq!(n.health().calls.get("ok"), Some(&5));
}

// --- containment -------------------------------------------------------------------------------

#[tokio::test]
async fn a_looping_notifier_is_cut_off_and_the_next_call_runs_afresh() {
    let limits = Limits {
        timeout: Duration::from_millis(500),
        ..Limits::notifier()
    };
    let n = probe(
        serde_json::json!({"mode": "loop", "url": ""}),
        limits,
        Capabilities::default(),
    )
    .await
    .unwrap();
    for _ in 0..2 {
        let start = Instant::now();
        let r = n.notify(&incident()).await;
        assert!(
            matches!(r, Err(NotifyError::Plugin(PluginError::Timeout { .. }))),
            "{r:?}"
        );
        // 0.5 s, with room for a loaded machine: cut off, not left running.
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }
    assert_eq!(n.health().calls.get("timeout"), Some(&2));
}

#[tokio::test]
async fn a_memory_bomb_hits_the_cap_and_a_panic_traps_with_the_guest_message() {
    let limits = Limits {
        memory_bytes: 16 << 20,
        ..Limits::notifier()
    };
    let bomb = probe(
        serde_json::json!({"mode": "bomb", "url": ""}),
        limits,
        Capabilities::default(),
    )
    .await
    .unwrap();
    match bomb.notify(&incident()).await {
        Err(NotifyError::Plugin(PluginError::Trap { message, .. })) => {
            assert!(message.contains("memory"), "{message}")
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    let panics = probe(
        serde_json::json!({"mode": "panic", "url": ""}),
        limits,
        Capabilities::default(),
    )
    .await
    .unwrap();
    for _ in 0..2 {
        // The second call gets a fresh instance: the same panic, not "cannot enter".
        match panics.notify(&incident()).await {
            Err(NotifyError::Plugin(PluginError::Trap { message, .. })) => {
                assert!(message.contains("panicking on purpose"), "{message}")
            }
            other => panic!("expected a trap, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn repeated_failures_open_the_circuit_breaker() {
    let n = probe(
        serde_json::json!({"mode": "panic", "url": ""}),
        Limits::notifier(),
        Capabilities::default(),
    )
    .await
    .unwrap();
    for _ in 0..5 {
        assert!(matches!(
            n.notify(&incident()).await,
            Err(NotifyError::Plugin(PluginError::Trap { .. }))
        ));
    }
    let disabled = n.notify(&incident()).await;
    assert!(
        matches!(
            disabled,
            Err(NotifyError::Plugin(PluginError::Disabled { .. }))
        ),
        "{disabled:?}"
    );
    let h = n.health();
    assert!(h.disabled);
    assert_eq!(
        (h.calls.get("trap"), h.calls.get("disabled")),
        (Some(&5), Some(&1))
    );
}

#[tokio::test]
async fn no_state_survives_between_calls() {
    let n = probe(
        serde_json::json!({"mode": "count-instances", "url": ""}),
        Limits::notifier(),
        Capabilities::default(),
    )
    .await
    .unwrap();
    for _ in 0..3 {
        n.notify(&incident()).await.unwrap();
    }
}

#[tokio::test]
async fn bad_config_fails_load_with_every_problem() {
    let config =
        serde_json::json!({"mode": "nope", "url": "http://x/${secret:missing}", "headers": 5});
    match probe(config, Limits::notifier(), Capabilities::default()).await {
        Err(PluginError::InvalidConfig { problems, .. }) => {
            assert_eq!(problems.len(), 3, "{problems:?}");
            assert!(
                problems.iter().any(|p| p.contains("`missing`")),
                "{problems:?}"
            );
        }
        other => panic!("expected InvalidConfig, got {:?}", other.map(|_| ())),
    }
    // The grants are checked too, every entry reported.
    let caps = Capabilities {
        allowed_hosts: vec!["https://hooks.slack.com/".into(), "a.*.com".into()],
        ..Capabilities::default()
    };
    match probe(
        serde_json::json!({"mode": "noop", "url": ""}),
        Limits::notifier(),
        caps,
    )
    .await
    {
        Err(PluginError::InvalidConfig { problems, .. }) => assert_eq!(problems.len(), 2),
        other => panic!("expected InvalidConfig, got {:?}", other.map(|_| ())),
    }
}

// --- what the receiver says --------------------------------------------------------------------

#[tokio::test]
async fn receiver_statuses_map_to_transient_and_permanent() {
    let r = Receiver::start().await;
    match sender(r.url("/status/500"), caps_for(&r))
        .await
        .notify(&incident())
        .await
    {
        Err(NotifyError::Transient {
            retry_after,
            message,
        }) => {
            assert_eq!(retry_after, None);
            assert!(message.contains("HTTP 500"), "{message}");
        }
        other => panic!("expected transient, got {other:?}"),
    }
    let n = sender(r.url("/status/429"), caps_for(&r)).await;
    match n.notify(&incident()).await {
        Err(e @ NotifyError::Transient { .. }) => {
            let retry = e.retry().expect("a 429 is retried");
            assert_eq!(retry.not_before, Some(Duration::from_secs(3)));
        }
        other => panic!("expected transient, got {other:?}"),
    }
    let n400 = sender(r.url("/status/400"), caps_for(&r)).await;
    let message = permanent(n400.notify(&incident()).await);
    assert!(message.contains("HTTP 400"), "{message}");
    // The receiver's failures are not the plugin's: the breaker does not move.
    let h = n.health();
    assert_eq!(
        (h.calls.get("transient"), h.consecutive_failures),
        (Some(&1), 0)
    );
}

#[test]
fn a_notifier_can_be_shared_across_tasks() {
    fn shared<T: Send + Sync + 'static>() {}
    fn sendable<F: std::future::Future + Send>(_: F) {}
    shared::<PluginNotifier>();
    let _ = |n: &'static PluginNotifier, i: &'static IncidentEvent| sendable(n.notify(i));
}

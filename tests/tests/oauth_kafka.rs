//! Warren against a real OAUTHBEARER listener (`scripts/kafka up --security
//! sasl-ssl-oauthbearer`): Kafka's own JWKS validator checks signature, issuer, audience and
//! expiry of RS256 tokens issued by a small OIDC token endpoint (client credentials), with no
//! clock skew and sessions ending with their token (KIP-368: librdkafka re-authenticates at 90%
//! of a session; Warren refreshes at 60% of a token's lifetime). One node for the whole binary,
//! its tokens valid 10 seconds, so refreshing is seen within the test.
//!
//! Warren fetches its own tokens (librdkafka's refresh callback) and answers like the broker;
//! it fetches fresh tokens before the first ones expire and stays healthy past that expiry; a
//! wrong client secret, an unreachable token endpoint and an MSK IAM token (which this broker
//! cannot accept) each fail only their cluster, with the reason in readiness and
//! `/v3/kafka/NAME`.
//!
//! What this does not show: that the broker cuts off a client that stops refreshing. With the
//! refresh disabled, the token count below fails the test, but the HEAD poller went on
//! answering after the expiry although librdkafka logged `invalid_token` on re-authentication.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use warren_integration_tests::kafka::{self, KafkaCluster, Security};
use warren_integration_tests::{Daemon, create_topic, unique, wait_until};

const TOKEN_LIFETIME: Duration = Duration::from_secs(10);

fn cluster() -> &'static KafkaCluster {
    static CLUSTER: OnceLock<KafkaCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| KafkaCluster::oauthbearer(TOKEN_LIFETIME))
}

fn security(kafka: &KafkaCluster) -> &Security {
    kafka.security.as_ref().expect("a secured cluster")
}

/// `[tls.t]`, trusting the test CA.
fn tls_section(s: &Security) -> String {
    format!("[tls.t]\ncafile = {:?}\n", s.ca.display().to_string())
}

/// `[sasl.NAME]` for the test provider's client, with `token-endpoint` and `client-secret` as
/// given.
fn oidc_section(s: &Security, sasl: &str, endpoint: &str, secret: &str) -> String {
    format!(
        "[sasl.{sasl}]\nmechanism = \"OAUTHBEARER\"\ntoken-endpoint = {endpoint:?}\n\
         client-id = {:?}\nclient-secret = {secret:?}\nscope = \"kafka\"\n",
        s.client_id,
    )
}

/// `/v3/kafka/NAME`'s `failing.last-error`, empty while the cluster is not failing.
async fn last_error(daemon: &Daemon, cluster: &str) -> String {
    let (_, body) = daemon.get(&format!("/v3/kafka/{cluster}")).await;
    body["module"]["failing"]["last-error"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_oidc_client_credentials_warren_matches_the_broker_and_refreshes_its_tokens() {
    let kafka = cluster();
    let s = security(kafka);
    assert_eq!(s.mechanism, "OAUTHBEARER");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("client-secret");
    std::fs::write(&file, format!("{}\n", s.client_secret)).expect("secret file");
    let profile = format!(
        "{}{}[client-profile.secure]\ntls = \"t\"\nsasl = \"o\"\n",
        tls_section(s),
        oidc_section(
            s,
            "o",
            &s.token_endpoint,
            &format!("file:{}", file.display())
        )
    );
    let daemon = kafka::warren_matches_the_broker(kafka, &profile, "kafka-admin").await;

    // Until past the first tokens' expiry, the cluster never fails (sessions re-authenticate
    // with the fresh tokens).
    let first = kafka.issued_tokens("warren/");
    let first_expiry = *first.iter().min().expect("Warren fetched a token");
    let until = UNIX_EPOCH + Duration::from_secs(first_expiry + 3);
    while SystemTime::now() < until {
        let error = last_error(&daemon, "secured").await;
        assert!(error.is_empty(), "the cluster failed: {error}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Two clients (HEAD poller, Admin API poller), each with a first token and a fresh one.
    let tokens = kafka.issued_tokens("warren/");
    let fresh = tokens.iter().filter(|&&e| e > first_expiry).count();
    assert!(
        tokens.len() >= 4 && fresh >= 2,
        "Warren's tokens (expiries): {tokens:?}"
    );
    // Still polled: a topic made now appears.
    let topic = unique("after-refresh");
    create_topic(kafka.plaintext_bootstrap(), &topic, 1).await;
    wait_until(Duration::from_secs(15), "the new topic", || async {
        let (_, body) = daemon.get("/v3/kafka/secured/topic").await;
        body["topics"]
            .as_array()
            .is_some_and(|t| t.iter().any(|n| n == topic.as_str()))
    })
    .await;
    assert_eq!(last_error(&daemon, "secured").await, "");
    let (code, ready) = daemon.get("/burrow/admin/ready").await;
    assert_eq!(code, 200, "{ready}");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_an_unreachable_endpoint_and_an_msk_token_fail_only_their_cluster() {
    let kafka = cluster();
    let s = security(kafka);
    let topic = unique("reachable");
    create_topic(kafka.plaintext_bootstrap(), &topic, 1).await;
    // A port nothing listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let dir = tempfile::tempdir().expect("temp dir");
    let secret_key = dir.path().join("aws-secret");
    std::fs::write(&secret_key, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n").expect("write");

    let daemon = Daemon::start(&format!(
        r#"
{tls}
{good}
{wrong}
{unreachable}
[sasl.msk]
mechanism = "AWS_MSK_IAM"
region = "eu-west-1"
access-key-id = "AKIDEXAMPLE"
secret-access-key = "file:{secret_key}"
[client-profile.good]
tls = "t"
sasl = "good"
[client-profile.wrong]
tls = "t"
sasl = "wrong"
[client-profile.unreachable]
tls = "t"
sasl = "unreachable"
[client-profile.msk]
tls = "t"
sasl = "msk"

[cluster.good]
servers = ["{bootstrap}"]
client-profile = "good"
offset-refresh = "1s"
topic-refresh = "1s"
[cluster.wrongsecret]
servers = ["{bootstrap}"]
client-profile = "wrong"
offset-refresh = "1s"
[cluster.unreachable]
servers = ["{bootstrap}"]
client-profile = "unreachable"
offset-refresh = "1s"
[cluster.msk]
servers = ["{bootstrap}"]
client-profile = "msk"
offset-refresh = "1s"
"#,
        tls = tls_section(s),
        good = oidc_section(s, "good", &s.token_endpoint, &s.client_secret),
        wrong = oidc_section(s, "wrong", &s.token_endpoint, "not-the-secret"),
        unreachable = oidc_section(
            s,
            "unreachable",
            &format!("http://127.0.0.1:{closed}/token"),
            &s.client_secret
        ),
        secret_key = secret_key.display(),
        bootstrap = kafka.bootstrap,
    ))
    .await;

    let expected = [
        ("wrongsecret", "invalid_client"),
        ("unreachable", "Connection refused"),
        ("msk", "invalid_token"),
    ];
    let start = Instant::now();
    loop {
        let mut seen = Vec::new();
        for (cluster, _) in expected {
            seen.push((cluster, last_error(&daemon, cluster).await));
        }
        if expected
            .iter()
            .zip(&seen)
            .all(|((_, reason), (_, error))| error.contains(reason))
        {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(45),
            "not every refused cluster fails with its reason: {seen:#?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (_, ready) = daemon.get("/burrow/admin/ready").await;
    let ready = ready.as_str().unwrap_or_default().to_string();
    for (cluster, reason) in expected {
        let line = ready
            .lines()
            .find(|l| l.starts_with(&format!("{cluster}: unreachable")))
            .unwrap_or_else(|| panic!("readiness does not name {cluster}:\n{ready}"));
        assert!(line.contains(reason), "{cluster}: {line}");
    }
    assert!(
        !ready.contains(&s.client_secret) && !ready.contains("not-the-secret"),
        "a secret is shown: {ready}"
    );
    // The good cluster is polled; the refused ones never learned a topic.
    wait_until(
        Duration::from_secs(30),
        "the good cluster's topics",
        || async {
            let (_, body) = daemon.get("/v3/kafka/good/topic").await;
            body["topics"]
                .as_array()
                .is_some_and(|t| t.iter().any(|n| n == topic.as_str()))
        },
    )
    .await;
    assert!(last_error(&daemon, "good").await.is_empty());
    for (cluster, _) in expected {
        let (code, body) = daemon.get(&format!("/v3/kafka/{cluster}/topic")).await;
        assert_eq!(code, 200, "{cluster}: {body}");
        assert_eq!(body["topics"], serde_json::json!([]), "{cluster}: {body}");
    }
    daemon.stop().await;
}

//! Warren against secured Apache Kafka listeners, one KRaft node per security mode (started
//! once per mode by `scripts/kafka up --security MODE`, which makes the certificates and
//! users): TLS, mutual TLS, SASL PLAIN and SCRAM-SHA-512 over TLS. Through each, a real Java
//! consumer group commits over the secured listener and Warren's answers equal the broker's.
//! Then what must fail does: an untrusted CA, a certificate for another host name, a wrong
//! password and a TLS profile pointed at a plaintext listener each mark their cluster failing
//! with librdkafka's reason in readiness and `/v3/kafka/NAME`, while another cluster of the
//! same daemon and the API keep working. Nothing ever falls back to plaintext. A CA file
//! renewed in place is read again without a restart.

use std::sync::OnceLock;
use std::time::Duration;

use warren_integration_tests::kafka::{self, KafkaCluster, Security};
use warren_integration_tests::{Daemon, create_topic, unique, wait_until};

/// One cluster per mode, shared by this binary's tests (a watcher stops them at exit).
fn cluster(mode: &'static str) -> &'static KafkaCluster {
    static TLS: OnceLock<KafkaCluster> = OnceLock::new();
    static MTLS: OnceLock<KafkaCluster> = OnceLock::new();
    static PLAIN: OnceLock<KafkaCluster> = OnceLock::new();
    static SCRAM: OnceLock<KafkaCluster> = OnceLock::new();
    let cell = match mode {
        "tls" => &TLS,
        "mtls" => &MTLS,
        "sasl-ssl-plain" => &PLAIN,
        "sasl-ssl-scram" => &SCRAM,
        other => panic!("no mode {other}"),
    };
    cell.get_or_init(|| KafkaCluster::secured(mode, &[]))
}

fn security(kafka: &KafkaCluster) -> &Security {
    kafka.security.as_ref().expect("a secured cluster")
}

/// `[tls.NAME]` trusting the test CA, with the client certificate when `mtls`.
fn tls_section(name: &str, s: &Security, mtls: bool) -> String {
    let mut out = format!("[tls.{name}]\ncafile = {:?}\n", s.ca.display().to_string());
    if mtls {
        out += &format!(
            "certfile = {:?}\nkeyfile = {:?}\n",
            s.client_cert.display().to_string(),
            s.client_key.display().to_string()
        );
    }
    out
}

async fn warren_matches_the_broker(kafka: &KafkaCluster, profile: &str, class: &str) {
    kafka::warren_matches_the_broker(kafka, profile, class)
        .await
        .stop()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_warren_reads_the_offsets_topic_and_matches_the_broker() {
    let kafka = cluster("tls");
    let profile = format!(
        "{}[client-profile.secure]\ntls = \"t\"\n",
        tls_section("t", security(kafka), false)
    );
    warren_matches_the_broker(kafka, &profile, "kafka").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_mutual_tls_warren_polls_the_admin_api_and_matches_the_broker() {
    let kafka = cluster("mtls");
    let profile = format!(
        "{}[client-profile.secure]\ntls = \"t\"\n",
        tls_section("t", security(kafka), true)
    );
    warren_matches_the_broker(kafka, &profile, "kafka-admin").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_sasl_plain_over_tls_and_a_literal_password_warren_matches_the_broker() {
    let kafka = cluster("sasl-ssl-plain");
    let s = security(kafka);
    assert_eq!(s.mechanism, "PLAIN");
    // Burrow's way: the password written in the file.
    let profile = format!(
        "{}[sasl.s]\nusername = {:?}\npassword = {:?}\nmechanism = \"PLAIN\"\n\
         [client-profile.secure]\ntls = \"t\"\nsasl = \"s\"\n",
        tls_section("t", s, false),
        s.username,
        s.password
    );
    warren_matches_the_broker(kafka, &profile, "kafka").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_scram_over_tls_and_a_password_file_warren_matches_the_broker() {
    let kafka = cluster("sasl-ssl-scram");
    let s = security(kafka);
    assert_eq!(s.mechanism, "SCRAM-SHA-512");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("kafka-password");
    std::fs::write(&file, format!("{}\n", s.password)).expect("password file");
    let profile = format!(
        "{}[sasl.s]\nusername = {:?}\npassword = \"file:{}\"\nmechanism = \"SCRAM-SHA-512\"\n\
         [client-profile.secure]\ntls = \"t\"\nsasl = \"s\"\n",
        tls_section("t", s, false),
        s.username,
        file.display()
    );
    warren_matches_the_broker(kafka, &profile, "kafka-admin").await;
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
async fn refused_certificates_passwords_and_plaintext_make_only_their_cluster_fail() {
    let tls = cluster("tls");
    let scram = cluster("sasl-ssl-scram");
    let (t, s) = (security(tls), security(scram));
    let topic = unique("reachable");
    create_topic(tls.plaintext_bootstrap(), &topic, 1).await;

    let daemon = Daemon::start(&format!(
        r#"
{trusted}
[tls.system-roots]
{scram_ca}
[sasl.wrong]
username = "{user}"
password = "not-the-password"
mechanism = "SCRAM-SHA-512"
[client-profile.trusted]
tls = "t"
[client-profile.untrusted]
tls = "system-roots"
[client-profile.wrong-password]
tls = "scram-ca"
sasl = "wrong"

[cluster.good]
servers = ["{good}"]
client-profile = "trusted"
offset-refresh = "1s"
topic-refresh = "1s"
[cluster.untrusted]
servers = ["{good}"]
client-profile = "untrusted"
offset-refresh = "1s"
[cluster.misnamed]
servers = ["{misnamed}"]
client-profile = "trusted"
offset-refresh = "1s"
[cluster.downgrade]
servers = ["{plaintext}"]
client-profile = "trusted"
offset-refresh = "1s"
[cluster.badpass]
servers = ["{scram_bootstrap}"]
client-profile = "wrong-password"
offset-refresh = "1s"
"#,
        trusted = tls_section("t", t, false),
        scram_ca = tls_section("scram-ca", s, false),
        user = s.username,
        good = tls.bootstrap,
        misnamed = t.misnamed_bootstrap,
        plaintext = t.plaintext_bootstrap,
        scram_bootstrap = scram.bootstrap,
    ))
    .await;

    // What librdkafka says for each, as readiness and the cluster's module show it.
    let expected = [
        ("untrusted", "certificate verify failed"),
        ("misnamed", "certificate verify failed"),
        ("downgrade", "SSL handshake failed"),
        ("badpass", "Authentication failed"),
    ];
    let start = std::time::Instant::now();
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
            start.elapsed() < Duration::from_secs(60),
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
        !ready.lines().any(|l| l.starts_with("good:")),
        "the good cluster is reported failing:\n{ready}"
    );

    // The good cluster is polled, and the refused ones never learned a topic: no request got
    // through in plaintext or unauthenticated.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_file_replaced_in_place_is_read_again_without_a_restart() {
    let tls = cluster("tls");
    let t = security(tls);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    // First a CA that did not sign the broker's certificate (a self-signed one made here).
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=not-the-kafka-ca"])
        .arg("-keyout")
        .arg(dir.path().join("other.key"))
        .arg("-out")
        .arg(&ca)
        .output()
        .expect("openssl");
    assert!(made.status.success(), "{made:?}");
    let daemon = Daemon::start(&format!(
        r#"
[tls.rotating]
cafile = {ca:?}
[client-profile.rotating]
tls = "rotating"
[cluster.rotating]
servers = ["{bootstrap}"]
client-profile = "rotating"
offset-refresh = "1s"
topic-refresh = "2s"
[consumer.rotating]
class-name = "kafka"
cluster = "rotating"
"#,
        ca = ca.display().to_string(),
        bootstrap = tls.bootstrap,
    ))
    .await;
    wait_until(
        Duration::from_secs(60),
        "the untrusted CA refused",
        || async {
            last_error(&daemon, "rotating")
                .await
                .contains("certificate verify failed")
        },
    )
    .await;
    // The operator's tooling renews the file in place; nobody restarts Warren.
    std::fs::copy(&t.ca, &ca).unwrap();
    wait_until(
        Duration::from_secs(30),
        "READY with the renewed CA",
        || async {
            last_error(&daemon, "rotating").await.is_empty()
                && daemon.get("/burrow/admin/ready").await.0 == 200
        },
    )
    .await;
    daemon.stop().await;
}

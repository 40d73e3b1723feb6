//! The API made safe to expose, over real sockets on 127.0.0.1: access control (tokens, users,
//! roles, the anonymous rules of a migrated Burrow file), browser safety (cross-site writes,
//! DNS rebinding), request limits (sizes, timeouts, slowloris) and HTTPS (HTTP/1.1 and HTTP/2,
//! mTLS, certificate renewal) with a CA generated for each test. Each test starts its own
//! listener through `warren_http::server::serve`, exactly as the daemon does.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use warren_core::config::{self, Config};
use warren_core::health::Health;
use warren_core::storage::{StorageHandle, StorageSettings};
use warren_http::tls::TlsHandle;
use warren_http::{Access, AppState, PluginAdmin, PluginInfo, ReloadReport};

const READ_TOKEN: &str = "read-token-5f1c2a";
const ADMIN_TOKEN: &str = "admin-token-9b7e44";

/// A running listener; stops when dropped.
struct Api {
    addr: SocketAddr,
    state: AppState,
    stop: CancellationToken,
}

impl Drop for Api {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Api {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

fn load(extra: &str) -> Config {
    let text = format!(
        "[general]\naccess-control-allow-origin = \"*\"\n\
         [cluster.local]\nservers = [\"127.0.0.1:9092\"]\n{extra}"
    );
    config::load(&text, &|_| None)
        .expect("test config loads")
        .config
}

fn env(name: &str) -> Option<String> {
    match name {
        "READ_TOKEN" => Some(READ_TOKEN.into()),
        "ADMIN_TOKEN" => Some(ADMIN_TOKEN.into()),
        _ => None,
    }
}

const TOKENS: &str = r#"
[api-token.grafana]
token = "env:READ_TOKEN"
role = "read"
[api-token.ops]
token = "env:ADMIN_TOKEN"
role = "admin"
"#;

/// The state of `config` with one group to read and delete.
fn state_of(config: &Config) -> AppState {
    let storage = StorageHandle::new(["local".to_string()], StorageSettings::burrow_defaults());
    let store = storage.cluster("local").unwrap();
    let mut w = store.writer();
    w.set_topics(&[("orders".into(), 1)]);
    drop(w);
    let health = Health::new(["local".to_string()], Vec::<String>::new());
    let access = Access::from_config(config, &env).expect("tokens resolve");
    AppState::new(config, storage, health, "warren-test").with_access(access)
}

/// Serves `config`'s listener `name` (its address only decides the policy: the socket is
/// always 127.0.0.1:0), with `tls` when given.
async fn start_with(
    config: &Config,
    name: &str,
    state: AppState,
    tls: Option<Arc<TlsHandle>>,
) -> Api {
    let http = config.http_servers[name].clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = warren_http::listener_router(state.clone(), &http);
    let stop = CancellationToken::new();
    let token = stop.clone();
    tokio::spawn(
        async move { warren_http::server::serve(listener, router, &http, tls, token).await },
    );
    Api { addr, state, stop }
}

async fn start(extra: &str, name: &str) -> Api {
    let config = load(extra);
    let state = state_of(&config);
    start_with(&config, name, state, None).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn body(res: reqwest::Response) -> serde_json::Value {
    res.json().await.expect("a JSON envelope")
}

// ---- access control ------------------------------------------------------------------------

const PUBLIC_LISTENER: &str = "[httpserver.web]\naddress = \"0.0.0.0:8000\"\n";

#[tokio::test]
async fn once_a_token_is_configured_every_read_needs_one() {
    let api = start(&format!("{TOKENS}{PUBLIC_LISTENER}"), "web").await;
    let http = client();

    let res = http.get(api.url("/v3/kafka")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let b = body(res).await;
    assert_eq!(b["error"], true);
    assert_eq!(b["request"]["url"], "/v3/kafka");

    let res = http
        .get(api.url("/v3/kafka"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let text = res.text().await.unwrap();
    assert!(
        !text.contains("not-a-token"),
        "the presented token is echoed: {text}"
    );

    let res = http
        .get(api.url("/v3/kafka"))
        .bearer_auth(READ_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body(res).await["clusters"][0], "local");

    // Probes and the dashboard's static files need nothing; /metrics does.
    for path in ["/burrow/admin", "/", "/ui/app.js"] {
        let res = http.get(api.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    let res = http.get(api.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_read_token_cannot_delete_and_an_admin_token_can() {
    let api = start(&format!("{TOKENS}{PUBLIC_LISTENER}"), "web").await;
    let http = client();
    let url = api.url("/v3/kafka/local/consumer/nobody");
    let res = http
        .delete(&url)
        .bearer_auth(READ_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(body(res).await["message"], "DELETE needs the admin role");
    let res = http
        .post(api.url("/v3/admin/plugins/reload"))
        .bearer_auth(READ_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Past the guard: the group does not exist.
    let res = http
        .delete(&url)
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn basic_auth_users_are_checked_with_argon2_once_per_good_password() {
    let hash = warren_http::hash_password("correct horse").unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let users =
        format!("[api-user.alice]\npassword-hash = \"{hash}\"\nrole = \"read\"\n{PUBLIC_LISTENER}");
    let api = start(&users, "web").await;
    let http = client();
    let get = |user: &str, password: &str| {
        http.get(api.url("/v3/kafka"))
            .basic_auth(user, Some(password))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(
            get("alice", "correct horse").await.unwrap().status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        api.state.access.password_hashes(),
        1,
        "a good password is hashed once"
    );
    assert_eq!(
        get("alice", "wrong").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.state.access.password_hashes(),
        2,
        "a wrong one is always hashed"
    );
    assert_eq!(
        get("bob", "correct horse").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // Offered to curl and browsers navigating, not to the dashboard's fetch.
    let res = http.get(api.url("/v3/kafka")).send().await.unwrap();
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.contains("Basic"), "{challenge}");
    let res = http
        .get(api.url("/v3/kafka"))
        .header("sec-fetch-mode", "cors")
        .send()
        .await
        .unwrap();
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!challenge.contains("Basic"), "{challenge}");
}

#[tokio::test]
async fn without_credentials_reads_are_anonymous_but_delete_off_loopback_names_the_key_to_set() {
    let api = start(PUBLIC_LISTENER, "web").await;
    let http = client();
    let res = http.get(api.url("/v3/kafka")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = http
        .delete(api.url("/v3/kafka/local/consumer/nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let message = body(res).await["message"].as_str().unwrap().to_owned();
    assert!(message.contains("[api-token.NAME]"), "{message}");
    assert!(
        message.contains("[httpserver.web] anonymous-admin = true"),
        "{message}"
    );
    let res = http
        .post(api.url("/v3/admin/plugins/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn without_credentials_delete_is_allowed_on_loopback_or_when_the_listener_says_so() {
    for listener in [
        "[httpserver.web]\naddress = \"127.0.0.1:8000\"\n",
        "[httpserver.web]\naddress = \"0.0.0.0:8000\"\nanonymous-admin = true\n",
    ] {
        let api = start(listener, "web").await;
        let res = client()
            .delete(api.url("/v3/kafka/local/consumer/nobody"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{listener}");
    }
}

#[tokio::test]
async fn refusals_are_counted_in_metrics_and_metrics_public_opens_only_metrics() {
    let api = start(
        &format!("{TOKENS}[httpserver.web]\naddress = \"0.0.0.0:8000\"\nmetrics-public = true\n"),
        "web",
    )
    .await;
    let http = client();
    http.get(api.url("/v3/kafka")).send().await.unwrap();
    http.get(api.url("/v3/kafka"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    http.get(api.url("/v3/kafka"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    http.delete(api.url("/v3/kafka/local/consumer/x"))
        .bearer_auth(READ_TOKEN)
        .send()
        .await
        .unwrap();
    let s = api.state.clone();
    s.metrics.refresh(&s);
    let res = http.get(api.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    for line in [
        "warren_http_refused_total{reason=\"missing-credentials\"} 1",
        "warren_http_refused_total{reason=\"invalid-credentials\"} 2",
        "warren_http_refused_total{reason=\"forbidden\"} 1",
    ] {
        assert!(text.contains(line), "missing {line}");
    }
    assert!(!text.contains(READ_TOKEN) && !text.contains(ADMIN_TOKEN));
    let res = http.get(api.url("/v3/kafka")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn an_unreadable_token_stops_the_start_with_its_key_path_and_no_value() {
    let config = load(
        "[api-token.ops]\ntoken = \"env:UNSET_TOKEN\"\nrole = \"admin\"\n\
         [api-token.disk]\ntoken = \"file:/nonexistent/warren-token\"\nrole = \"read\"\n",
    );
    let errors = Access::from_config(&config, &env).err().expect("refused");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("api-token.disk.token: cannot read /nonexistent/warren-token"));
    assert_eq!(
        errors[1],
        "api-token.ops.token: environment variable UNSET_TOKEN is not set"
    );
}

// ---- browser safety ------------------------------------------------------------------------

#[tokio::test]
async fn cross_site_writes_are_refused_and_get_no_cors() {
    let api = start("[httpserver.web]\naddress = \"127.0.0.1:8000\"\n", "web").await;
    let http = client();
    let url = api.url("/v3/kafka/local/consumer/nobody");
    let host = api.addr.to_string();
    for (name, value) in [
        ("origin", "http://evil.example".to_owned()),
        ("origin", "null".to_owned()),
        ("sec-fetch-site", "cross-site".to_owned()),
        ("sec-fetch-site", "same-site".to_owned()),
    ] {
        let res = http.delete(&url).header(name, &value).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(res.headers().get("access-control-allow-origin").is_none());
        let message = body(res).await["message"].as_str().unwrap().to_owned();
        assert!(
            message.starts_with("cross-site request refused"),
            "{message}"
        );
    }
    // The API's own page, and non-browser clients, pass.
    let res = http
        .delete(&url)
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    // Reads keep the configured CORS header.
    let res = http.get(api.url("/v3/kafka")).send().await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn a_loopback_listener_answers_only_loopback_host_names() {
    let api = start("[httpserver.web]\naddress = \"127.0.0.1:8000\"\n", "web").await;
    let http = client();
    let port = api.addr.port();
    for host in [format!("evil.example:{port}"), "attacker.test".to_owned()] {
        let res = http
            .get(api.url("/v3/kafka"))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{host}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "[::1]".to_owned(),
    ] {
        let res = http
            .get(api.url("/v3/kafka"))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{host}");
    }
    // Off loopback any name is fine (the operator chose to expose it).
    let api = start(PUBLIC_LISTENER, "web").await;
    let res = http
        .get(api.url("/v3/kafka"))
        .header("host", "warren.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

// ---- limits --------------------------------------------------------------------------------

#[tokio::test]
async fn oversized_heads_and_bodies_are_refused() {
    let api = start(
        "[httpserver.web]\naddress = \"127.0.0.1:8000\"\nmax-header-bytes = 8192\nmax-body-bytes = 1024\n",
        "web",
    )
    .await;
    let http = client();
    let res = http
        .get(api.url("/v3/kafka"))
        .header("x-padding", "a".repeat(20_000))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let res = http
        .post(api.url("/v3/admin/plugins/reload"))
        .body(vec![b'x'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body(res).await["message"], "request body over 1024 bytes");
}

/// A plugin manager whose reload takes `delay`.
struct SlowReload(Duration);

impl PluginAdmin for SlowReload {
    fn list(&self) -> Vec<PluginInfo> {
        Vec::new()
    }
    fn reload(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<ReloadReport, Vec<String>>> + Send + '_>> {
        Box::pin(async move {
            tokio::time::sleep(self.0).await;
            Err(vec!["finished".into()])
        })
    }
}

#[tokio::test]
async fn a_request_running_past_the_timeout_is_answered_503_in_time() {
    let config = load("[httpserver.web]\naddress = \"127.0.0.1:8000\"\ntimeout = \"500ms\"\n");
    let mut state = state_of(&config);
    state.plugins = Some(Arc::new(SlowReload(Duration::from_secs(30))));
    let api = start_with(&config, "web", state, None).await;
    let started = Instant::now();
    let res = client()
        .post(api.url("/v3/admin/plugins/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// Reads until the server closes the connection; `true` if it did within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {} // a 408 or similar before closing
        }
    }
}

#[tokio::test]
async fn slowloris_clients_are_cut_off_and_a_normal_request_still_answers_promptly() {
    let api = start(
        "[httpserver.web]\naddress = \"127.0.0.1:8000\"\nheader-timeout = \"2s\"\nidle-timeout = \"3s\"\n",
        "web",
    )
    .await;
    const SLOW: usize = 300;
    let addr = api.addr;
    let mut dribblers = Vec::new();
    for _ in 0..SLOW {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /v3/kafka HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await
            .unwrap();
        dribblers.push(s);
    }
    // Keep dribbling one header byte per socket every 200 ms for 4 s, in the background (so
    // the idle timeout never applies); a socket whose write fails was closed by the server.
    let dribbling = tokio::spawn(async move {
        let mut cut_off = vec![false; dribblers.len()];
        for _ in 0..20 {
            for (s, dead) in dribblers.iter_mut().zip(cut_off.iter_mut()) {
                if !*dead && s.write_all(b"X").await.is_err() {
                    *dead = true;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        cut_off.into_iter().filter(|d| *d).count()
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let http = client();
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        let res = http.get(api.url("/v3/kafka")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        slowest = slowest.max(started.elapsed());
    }
    eprintln!("slowest normal request beside {SLOW} slowloris sockets: {slowest:?}");
    assert!(slowest < Duration::from_millis(500), "{slowest:?}");

    let cut_off = dribbling.await.unwrap();
    assert_eq!(
        cut_off, SLOW,
        "every slowloris socket is closed after header-timeout"
    );

    // A connection that sends nothing at all is closed after idle-timeout.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    assert!(closed_within(&mut silent, Duration::from_secs(6)).await);
    eprintln!("silent connection closed after {:?}", started.elapsed());
}

// ---- HTTPS ---------------------------------------------------------------------------------

struct Pki {
    ca_pem: String,
    ca: rcgen::Certificate,
    ca_key: rcgen::KeyPair,
}

impl Pki {
    fn new(name: &str) -> Self {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let ca = params.self_signed(&ca_key).unwrap();
        Pki {
            ca_pem: ca.pem(),
            ca,
            ca_key,
        }
    }

    /// (certificate PEM, key PEM) for `localhost`, for a server or a client.
    fn issue(&self, server: bool) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.extended_key_usages = vec![if server {
            rcgen::ExtendedKeyUsagePurpose::ServerAuth
        } else {
            rcgen::ExtendedKeyUsagePurpose::ClientAuth
        }];
        let cert = params.signed_by(&key, &self.ca, &self.ca_key).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

/// Writes a server certificate from `pki` (and a client CA when `clients` is given) and loads
/// a config whose `web` listener serves HTTPS with it.
fn https_config(dir: &std::path::Path, pki: &Pki, clients: Option<&Pki>) -> Config {
    let (cert, key) = pki.issue(true);
    std::fs::write(dir.join("server.crt"), cert).unwrap();
    std::fs::write(dir.join("server.key"), key).unwrap();
    let mut tls = format!(
        "[tls.web]\ncertfile = \"{0}/server.crt\"\nkeyfile = \"{0}/server.key\"\n",
        dir.display()
    );
    if let Some(clients) = clients {
        std::fs::write(dir.join("clients.crt"), &clients.ca_pem).unwrap();
        tls.push_str(&format!("cafile = \"{}/clients.crt\"\n", dir.display()));
    }
    load(&format!(
        "{tls}[httpserver.web]\naddress = \"127.0.0.1:8443\"\ntls = \"web\"\n"
    ))
}

async fn start_https(config: &Config) -> (Api, Arc<TlsHandle>) {
    let handle = TlsHandle::load(&config.tls["web"]).unwrap();
    let state = state_of(config);
    (
        start_with(config, "web", state, Some(handle.clone())).await,
        handle,
    )
}

fn https_client(api: &Api, ca: &Pki, identity: Option<(String, String)>) -> reqwest::ClientBuilder {
    let mut b = reqwest::Client::builder()
        .no_proxy()
        .resolve("localhost", api.addr)
        .tls_certs_only([reqwest::Certificate::from_pem(ca.ca_pem.as_bytes()).unwrap()]);
    if let Some((cert, key)) = identity {
        b = b.identity(reqwest::Identity::from_pem(format!("{cert}{key}").as_bytes()).unwrap());
    }
    b
}

fn https_url(api: &Api, path: &str) -> String {
    format!("https://localhost:{}{path}", api.addr.port())
}

#[tokio::test]
async fn https_serves_http2_and_http1_to_a_client_trusting_the_ca() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new("warren test CA");
    let config = https_config(dir.path(), &pki, None);
    let (api, _) = start_https(&config).await;

    let h2 = https_client(&api, &pki, None).build().unwrap();
    let res = h2.get(https_url(&api, "/v3/kafka")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.version(), reqwest::Version::HTTP_2);

    let h1 = https_client(&api, &pki, None).http1_only().build().unwrap();
    let res = h1.get(https_url(&api, "/v3/kafka")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.version(), reqwest::Version::HTTP_11);

    // A client trusting another CA refuses the server; plain HTTP gets no answer.
    let other = Pki::new("someone else");
    let stranger = https_client(&api, &other, None).build().unwrap();
    assert!(
        stranger
            .get(https_url(&api, "/v3/kafka"))
            .send()
            .await
            .is_err()
    );
    let plain = client().get(api.url("/v3/kafka")).send().await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
}

#[tokio::test]
async fn mtls_refuses_a_client_without_a_certificate_from_the_client_ca() {
    let dir = tempfile::tempdir().unwrap();
    let server_pki = Pki::new("server CA");
    let client_pki = Pki::new("client CA");
    let config = https_config(dir.path(), &server_pki, Some(&client_pki));
    let (api, _) = start_https(&config).await;

    let anonymous = https_client(&api, &server_pki, None).build().unwrap();
    let err = anonymous.get(https_url(&api, "/v3/kafka")).send().await;
    assert!(err.is_err(), "a client without a certificate got {err:?}");

    let forged = https_client(&api, &server_pki, Some(Pki::new("rogue CA").issue(false)))
        .build()
        .unwrap();
    assert!(
        forged
            .get(https_url(&api, "/v3/kafka"))
            .send()
            .await
            .is_err()
    );

    let trusted = https_client(&api, &server_pki, Some(client_pki.issue(false)))
        .build()
        .unwrap();
    let res = trusted
        .get(https_url(&api, "/v3/kafka"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_renewed_certificate_is_served_once_its_files_change() {
    let dir = tempfile::tempdir().unwrap();
    let old = Pki::new("old CA");
    let config = https_config(dir.path(), &old, None);
    let (api, handle) = start_https(&config).await;
    let cancel = CancellationToken::new();
    tokio::spawn(warren_http::tls::watch(
        vec![handle],
        Duration::from_millis(100),
        cancel.clone(),
    ));
    let trusts_old = https_client(&api, &old, None).build().unwrap();
    assert!(
        trusts_old
            .get(https_url(&api, "/v3/kafka"))
            .send()
            .await
            .is_ok()
    );

    // Renew under a new CA: write the files as an ACME client would.
    let new = Pki::new("new CA");
    let (cert, key) = new.issue(true);
    std::fs::write(dir.path().join("server.key.tmp"), key).unwrap();
    std::fs::write(dir.path().join("server.crt.tmp"), cert).unwrap();
    std::fs::rename(
        dir.path().join("server.key.tmp"),
        dir.path().join("server.key"),
    )
    .unwrap();
    std::fs::rename(
        dir.path().join("server.crt.tmp"),
        dir.path().join("server.crt"),
    )
    .unwrap();

    let trusts_new = https_client(&api, &new, None).build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if trusts_new
            .get(https_url(&api, "/v3/kafka"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the renewed certificate was never served"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let fresh_old = https_client(&api, &old, None).build().unwrap();
    assert!(
        fresh_old
            .get(https_url(&api, "/v3/kafka"))
            .send()
            .await
            .is_err()
    );
    cancel.cancel();
}

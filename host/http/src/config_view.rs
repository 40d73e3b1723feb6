//! Burrow's `/v3/config` routes: the running configuration as Burrow's tools read it, built once
//! from the resolved config (typed, in Burrow's key names) and never holding a secret: no
//! password, token or plugin setting is part of any of these types. Keys Burrow reports that
//! Warren has no use for (`[zookeeper]`, log rotation) read as Burrow's defaults for "not set",
//! so a tool that reads them still finds them. Warren-only facts (denylists, a notifier's plugin,
//! the consumer class `kafka-admin`) are added beside Burrow's keys.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};
use warren_core::config::{ClientProfile, Config, ConsumerClass, GroupFilter};

use crate::AppState;
use crate::envelope::{not_found, reply, reply_fields};

/// Every `/v3/config` answer, prebuilt.
#[derive(Debug, Clone)]
pub(crate) struct ConfigView {
    main: MainConfig,
    storage: BTreeMap<String, StorageModule>,
    evaluator: BTreeMap<String, EvaluatorModule>,
    consumer: BTreeMap<String, ConsumerModule>,
    notifier: BTreeMap<String, NotifierModule>,
}

/// The payload of `GET /v3/config`, four top-level keys.
#[derive(Debug, Clone, Serialize)]
struct MainConfig {
    general: General,
    logging: Logging,
    zookeeper: Zookeeper,
    httpserver: BTreeMap<String, HttpServer>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
struct General {
    pidfile: String,
    stdout_logfile: String,
    access_control_allow_origin: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
struct Logging {
    filename: String,
    max_size: u32,
    max_backups: u32,
    max_age: u32,
    use_local_time: bool,
    use_compression: bool,
    level: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
struct Zookeeper {
    servers: Vec<String>,
    timeout: u32,
    root_path: String,
}

#[derive(Debug, Clone, Serialize)]
struct HttpServer {
    address: String,
    tls: String,
    timeout: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
struct StorageModule {
    class_name: &'static str,
    intervals: u16,
    min_distance: u64,
    group_allowlist: String,
    group_denylist: String,
    expire_group: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
struct EvaluatorModule {
    class_name: &'static str,
    expire_cache: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
struct ConsumerModule {
    class_name: &'static str,
    cluster: String,
    servers: Vec<String>,
    group_allowlist: String,
    group_denylist: String,
    zookeeper_path: String,
    zookeeper_timeout: u64,
    client_profile: ClientProfileView,
    offsets_topic: String,
    start_latest: bool,
}

/// Burrow's `httpResponseClientProfile`: names and paths, never a password.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ClientProfileView {
    name: String,
    client_id: String,
    kafka_version: &'static str,
    tls: Option<TlsView>,
    sasl: Option<SaslView>,
}

#[derive(Debug, Clone, Serialize)]
struct TlsView {
    name: String,
    noverify: bool,
    certfile: String,
    keyfile: String,
    cafile: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
struct SaslView {
    name: String,
    handshake_first: bool,
    username: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
struct NotifierModule {
    class_name: &'static str,
    plugin: String,
    clusters: Vec<String>,
    group_allowlist: String,
    group_denylist: String,
    interval: u64,
    threshold: u8,
    send_interval: u64,
    send_once: bool,
    send_close: bool,
    group_filters: Vec<String>,
}

impl ClientProfileView {
    /// The profile as Burrow reports it inside a cluster or consumer module.
    pub(crate) fn of(config: &Config, p: &ClientProfile) -> Self {
        let path = |f: &Option<std::path::PathBuf>| {
            f.as_ref()
                .map(|f| f.display().to_string())
                .unwrap_or_default()
        };
        ClientProfileView {
            name: p.name.clone(),
            client_id: p.client_id.clone(),
            kafka_version: "",
            tls: p
                .tls
                .as_ref()
                .and_then(|n| config.tls.get(n))
                .map(|t| TlsView {
                    name: t.name.clone(),
                    noverify: t.noverify,
                    certfile: path(&t.certfile),
                    keyfile: path(&t.keyfile),
                    cafile: path(&t.cafile),
                }),
            sasl: p
                .sasl
                .as_ref()
                .and_then(|n| config.sasl.get(n))
                .map(|s| SaslView {
                    name: s.name.clone(),
                    handshake_first: s.handshake_first,
                    username: s.username.clone(),
                }),
        }
    }
}

/// A group filter's allowlist and denylist patterns, "" when unset (Burrow's empty string).
fn pattern(filter: &GroupFilter) -> (String, String) {
    let allow = filter.allow.as_ref().map(|r| r.as_str().to_owned());
    let deny = filter.deny.as_ref().map(|r| r.as_str().to_owned());
    (allow.unwrap_or_default(), deny.unwrap_or_default())
}

fn to_value(value: impl Serialize) -> Value {
    // These types hold only strings, numbers, booleans and maps with string keys.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl ConfigView {
    /// Builds every answer from the resolved config.
    pub(crate) fn of(config: &Config) -> Self {
        let general = General {
            pidfile: config
                .general
                .pidfile
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            stdout_logfile: String::new(),
            access_control_allow_origin: config
                .general
                .access_control_allow_origin
                .clone()
                .unwrap_or_default(),
        };
        let logging = Logging {
            filename: config
                .logging
                .filename
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            max_size: 0,
            max_backups: 0,
            max_age: 0,
            use_local_time: false,
            use_compression: false,
            level: config.logging.level.as_str(),
        };
        let zookeeper = Zookeeper {
            servers: Vec::new(),
            timeout: 0,
            root_path: String::new(),
        };
        let httpserver = config
            .http_servers
            .iter()
            .map(|(name, h)| {
                let server = HttpServer {
                    address: h.address.to_string(),
                    tls: h.tls.clone().unwrap_or_default(),
                    timeout: h.timeout.as_secs(),
                };
                (name.clone(), server)
            })
            .collect();
        let main = MainConfig {
            general,
            logging,
            zookeeper,
            httpserver,
        };

        let s = &config.storage;
        let (allow, deny) = pattern(&s.groups);
        let storage = BTreeMap::from([(
            s.name.clone(),
            StorageModule {
                class_name: "inmemory",
                intervals: s.intervals,
                min_distance: s.min_distance.as_secs(),
                group_allowlist: allow,
                group_denylist: deny,
                expire_group: s.expire_group.as_secs(),
            },
        )]);
        let e = &config.evaluator;
        let evaluator = BTreeMap::from([(
            e.name.clone(),
            EvaluatorModule {
                class_name: "caching",
                expire_cache: e.expire_cache.as_secs(),
            },
        )]);
        let consumer = config
            .consumers
            .iter()
            .map(|(name, c)| {
                let (allow, deny) = pattern(&c.groups);
                let (mut zookeeper_path, mut zookeeper_timeout) = (String::new(), 0);
                let (class_name, offsets_topic, start_latest) = match &c.class {
                    ConsumerClass::Kafka {
                        offsets_topic,
                        start_latest,
                    } => ("kafka", offsets_topic.clone(), *start_latest),
                    ConsumerClass::KafkaAdmin => ("kafka-admin", String::new(), false),
                    ConsumerClass::KafkaZk {
                        consumers_path,
                        session_timeout,
                    } => {
                        // Burrow reports the configured prefix, before `/consumers` is added.
                        let prefix = consumers_path.strip_suffix("/consumers").unwrap_or("");
                        zookeeper_path = prefix.to_owned();
                        zookeeper_timeout = session_timeout.as_secs();
                        ("kafka_zk", String::new(), false)
                    }
                };
                let module = ConsumerModule {
                    class_name,
                    cluster: c.cluster.clone(),
                    servers: c.servers.clone(),
                    group_allowlist: allow,
                    group_denylist: deny,
                    zookeeper_path,
                    zookeeper_timeout,
                    client_profile: ClientProfileView::of(config, &c.client_profile),
                    offsets_topic,
                    start_latest,
                };
                (name.clone(), module)
            })
            .collect();
        let notifier = config
            .notifiers
            .iter()
            .map(|(name, n)| {
                let (allow, deny) = pattern(&n.groups);
                let module = NotifierModule {
                    class_name: "plugin",
                    plugin: n.plugin.clone(),
                    clusters: n.clusters.clone(),
                    group_allowlist: allow,
                    group_denylist: deny,
                    interval: n.interval.as_secs(),
                    threshold: n.threshold as u8,
                    send_interval: n.send_interval.as_secs(),
                    send_once: n.send_once,
                    send_close: n.send_close,
                    group_filters: n.group_filters.clone(),
                };
                (name.clone(), module)
            })
            .collect();
        ConfigView {
            main,
            storage,
            evaluator,
            consumer,
            notifier,
        }
    }
}

/// `GET /v3/config`.
pub(crate) async fn main(State(s): State<AppState>, uri: Uri) -> Response {
    let fields = match to_value(&s.config_view.main) {
        Value::Object(fields) => fields,
        _ => serde_json::Map::new(),
    };
    reply_fields(&s, &uri, StatusCode::OK, "main config returned", fields)
}

fn module_list(s: &AppState, uri: &Uri, coordinator: &str, modules: Vec<String>) -> Response {
    let fields = serde_json::Map::from_iter([
        ("coordinator".to_owned(), json!(coordinator)),
        ("modules".to_owned(), json!(modules)),
    ]);
    reply_fields(s, uri, StatusCode::OK, "module list returned", fields)
}

fn module_detail(s: &AppState, uri: &Uri, kind: &str, module: Option<Value>) -> Response {
    match module {
        Some(module) => reply(
            s,
            uri,
            StatusCode::OK,
            &format!("{kind} module detail returned"),
            Some(("module", module)),
        ),
        None => not_found(s, uri, &format!("{kind} module not found")),
    }
}

/// `GET /v3/config/storage`.
pub(crate) async fn storage_list(State(s): State<AppState>, uri: Uri) -> Response {
    let names = s.config_view.storage.keys().cloned().collect();
    module_list(&s, &uri, "storage", names)
}

/// `GET /v3/config/evaluator`.
pub(crate) async fn evaluator_list(State(s): State<AppState>, uri: Uri) -> Response {
    let names = s.config_view.evaluator.keys().cloned().collect();
    module_list(&s, &uri, "evaluator", names)
}

/// `GET /v3/config/consumer`.
pub(crate) async fn consumer_list(State(s): State<AppState>, uri: Uri) -> Response {
    let names = s.config_view.consumer.keys().cloned().collect();
    module_list(&s, &uri, "consumer", names)
}

/// `GET /v3/config/notifier`.
pub(crate) async fn notifier_list(State(s): State<AppState>, uri: Uri) -> Response {
    let names = s.config_view.notifier.keys().cloned().collect();
    module_list(&s, &uri, "notifier", names)
}

/// `GET /v3/config/cluster`.
pub(crate) async fn cluster_list(State(s): State<AppState>, uri: Uri) -> Response {
    let names = s.cluster_modules.keys().cloned().collect();
    module_list(&s, &uri, "cluster", names)
}

/// `GET /v3/config/storage/{name}`.
pub(crate) async fn storage_detail(
    State(s): State<AppState>,
    uri: Uri,
    Path(name): Path<String>,
) -> Response {
    let module = s.config_view.storage.get(&name).map(to_value);
    module_detail(&s, &uri, "storage", module)
}

/// `GET /v3/config/evaluator/{name}`.
pub(crate) async fn evaluator_detail(
    State(s): State<AppState>,
    uri: Uri,
    Path(name): Path<String>,
) -> Response {
    let module = s.config_view.evaluator.get(&name).map(to_value);
    module_detail(&s, &uri, "evaluator", module)
}

/// `GET /v3/config/consumer/{name}`.
pub(crate) async fn consumer_detail(
    State(s): State<AppState>,
    uri: Uri,
    Path(name): Path<String>,
) -> Response {
    let module = s.config_view.consumer.get(&name).map(to_value);
    module_detail(&s, &uri, "consumer", module)
}

/// `GET /v3/config/notifier/{name}`.
pub(crate) async fn notifier_detail(
    State(s): State<AppState>,
    uri: Uri,
    Path(name): Path<String>,
) -> Response {
    let module = s.config_view.notifier.get(&name).map(to_value);
    module_detail(&s, &uri, "notifier", module)
}

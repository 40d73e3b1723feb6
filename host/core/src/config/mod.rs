//! Configuration: turns the TOML file into typed, validated structs once, at startup, before
//! anything connects. It owns the whole journey from text to [`Config`]: environment
//! substitution (`env.rs`), a typed table walker that records every problem with its key path
//! (`reader.rs`), value parsers (`duration.rs`, `values.rs`) and one parser per section group
//! (`root.rs` for the top level, `general.rs`, `pipeline.rs`, `profiles.rs`, `kafka.rs`). Burrow's
//! `burrow.toml` keys are accepted so an existing file loads: keys Warren has no use for become
//! warnings, keys that would change behaviour Warren cannot honour become errors. All public
//! types live here so the whole surface reads in one place.
#![deny(missing_docs)]

mod access;
mod burrow_notifiers;
mod duration;
mod env;
mod general;
mod ha;
mod kafka;
mod notifiers;
mod overrides;
mod pipeline;
mod plugins;
mod profiles;
mod reader;
mod root;
mod values;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use serde::{Serialize, Serializer};

pub use overrides::Override;
pub use plugins::glob_match;

/// Parses and validates a whole config file. `env` looks up environment variables (injected so
/// tests are hermetic).
///
/// Every problem is collected before returning, sorted by key path; a TOML syntax error is
/// necessarily reported alone because nothing after it can be trusted.
pub fn load(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Loaded, Vec<Problem>> {
    load_with_overrides(text, env, &[])
}

/// [`load`], after applying the environment's overrides of keys: `vars` is the process's
/// environment as (name, value) pairs, of which `WARREN_*`, `BURROW_*` and the file's
/// `[general] env-var-prefix` set keys (see [`Override`]).
pub fn load_with_overrides(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    vars: &[(String, String)],
) -> Result<Loaded, Vec<Problem>> {
    load_in(text, env, vars, None)
}

/// [`load_with_overrides`] for a file in `dir`: files the config names (Burrow's notifier
/// templates) are looked up there first, then in the working directory as Burrow did.
pub fn load_in(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    vars: &[(String, String)],
    dir: Option<&Path>,
) -> Result<Loaded, Vec<Problem>> {
    let mut table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(error) => return Err(vec![syntax_problem(text, &error)]),
    };
    let overrides = overrides::apply(&mut table, vars);
    let mut cx = reader::Ctx::new(env);
    cx.dir = dir;
    cx.overridden = &overrides;
    let (config, translations) = root::resolve(&mut cx, &table);
    let (mut errors, mut warnings) = cx.into_parts();
    // Stable sorts keep problems at the same path in the order they were found.
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    warnings.sort_by(|a, b| a.path.cmp(&b.path));
    if errors.is_empty() {
        Ok(Loaded {
            config,
            warnings,
            overrides,
            translations,
        })
    } else {
        Err(errors)
    }
}

/// Converts toml's error (whose `Display` is a multi-line snippet) into a one-line problem with
/// the line and column, so the error list stays one problem per line.
fn syntax_problem(text: &str, error: &toml::de::Error) -> Problem {
    let message = error
        .message()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let position = error
        .span()
        .and_then(|span| text.get(..span.start))
        .map(|before| {
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(" at line {line}, column {column}")
        })
        .unwrap_or_default();
    Problem {
        path: String::new(),
        message: format!("TOML syntax error{position}: {message}"),
        example: None,
    }
}

/// A successfully loaded configuration plus the warnings worth showing the operator (mostly
/// Burrow keys that Warren accepts but ignores).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The resolved configuration.
    pub config: Config,
    /// Non-fatal problems, sorted by key path.
    pub warnings: Vec<Problem>,
    /// Keys the environment set, in variable order.
    pub overrides: Vec<Override>,
    /// Burrow `[notifier.NAME]` sections run by a built-in plugin, each with the Warren config
    /// that says the same, in section order.
    pub translations: Vec<Translation>,
}

/// One Burrow notifier section and the Warren sections equivalent to it, for `check-config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// The section's key path (`notifier.NAME`).
    pub section: String,
    /// The equivalent `[plugin.*]` and `[notifier.*]` TOML; secrets become `env:` references.
    pub toml: String,
    /// What to do by hand when switching to the Warren form (export a secret, drop a key).
    pub notes: Vec<String>,
}

/// One problem: its key path (e.g. `cluster.local.servers[1]`), what is wrong, and where it helps
/// an example of a valid value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Dotted key path; empty for problems about the whole file (TOML syntax errors).
    pub path: String,
    /// What is wrong, in lowercase without a final period.
    pub message: String,
    /// A valid value (as TOML) or the list of valid keys, when that helps fix the problem.
    pub example: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(example) = &self.example {
            write!(f, " (example: {example})")?;
        }
        Ok(())
    }
}

/// The whole resolved configuration: every reference checked, every default filled in.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// `[general]`.
    pub general: GeneralConfig,
    /// `[logging]`.
    pub logging: LoggingConfig,
    /// `[cluster.NAME]`: the Kafka clusters whose broker offsets are polled.
    pub clusters: BTreeMap<String, ClusterConfig>,
    /// `[consumer.NAME]`: where each cluster's committed offsets are read from.
    pub consumers: BTreeMap<String, ConsumerConfig>,
    /// The single `[storage.NAME]`, or the defaults.
    pub storage: StorageConfig,
    /// The single `[evaluator.NAME]`, or the defaults.
    pub evaluator: EvaluatorConfig,
    /// `[httpserver.NAME]`; without any, one named `default` on 127.0.0.1:8000.
    pub http_servers: BTreeMap<String, HttpServerConfig>,
    /// `[client-profile.NAME]`, always including `default`.
    pub client_profiles: BTreeMap<String, ClientProfile>,
    /// `[tls.NAME]`.
    pub tls: BTreeMap<String, TlsProfile>,
    /// `[sasl.NAME]`.
    pub sasl: BTreeMap<String, SaslProfile>,
    /// `[plugin.NAME]`: WebAssembly plugins and what each is granted.
    pub plugins: BTreeMap<String, PluginConfig>,
    /// `[notifier.NAME]`: when which notifier plugin is told about which groups.
    pub notifiers: BTreeMap<String, NotifierConfig>,
    /// `[api-token.NAME]`: bearer tokens accepted by the HTTP API.
    pub api_tokens: BTreeMap<String, ApiToken>,
    /// `[api-user.NAME]`: basic-auth users accepted by the HTTP API.
    pub api_users: BTreeMap<String, ApiUser>,
    /// `[ha]`: several instances, one notifier leader; `None` for a single instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ha: Option<HaConfig>,
}

/// `[ha]`: how several instances elect their notifier leader and share its state through the
/// Kafka cluster they watch.
#[derive(Debug, Clone, Serialize)]
pub struct HaConfig {
    /// The `[cluster.NAME]` whose brokers (and client profile) coordinate the instances.
    pub cluster: String,
    /// The consumer group the instances join; the owner of its one partition leads.
    pub group: String,
    /// The one-partition topic the group is assigned.
    pub leader_topic: String,
    /// The compacted topic holding open incidents and pending deliveries.
    pub state_topic: String,
    /// How long a leader that stopped heartbeating keeps the role.
    #[serde(serialize_with = "duration::serialize")]
    pub session_timeout: Duration,
    /// Replicas of the two topics when Warren creates them; `None`: 3, or fewer brokers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_factor: Option<i16>,
}

/// `[general]`: process-wide settings.
#[derive(Debug, Clone, Serialize)]
pub struct GeneralConfig {
    /// Value of the CORS `Access-Control-Allow-Origin` header; `None` sends no header.
    pub access_control_allow_origin: Option<String>,
    /// Where compiled plugins are cached (keyed by content hash and engine); `None` compiles
    /// at every start.
    pub plugin_cache_dir: Option<PathBuf>,
    /// How often the `/metrics` body is rendered (a scrape reads the last one).
    #[serde(serialize_with = "duration::serialize")]
    pub metrics_refresh: Duration,
    /// Per family of `/metrics` names, whether per-partition series are exported or only
    /// the topic and group ones (`metrics-granularity`).
    pub metrics_granularity: MetricsGranularity,
    /// This instance's name among several (`[ha]`); `None`: host name and HTTP port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// `pidfile`: written with the process id at start, removed at exit; a live process's
    /// pid in it refuses the start (two daemons on one data-dir).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pidfile: Option<PathBuf>,
}

/// How fine a family of `/metrics` series is (KMinion's and klag-exporter's `granularity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// Per-partition series, plus the topic and group ones.
    Partition,
    /// Topic and group series only: for clusters whose partitions are too many to scrape.
    Topic,
}

/// `metrics-granularity`, one [`Granularity`] per family of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct MetricsGranularity {
    /// Burrow's names (`burrow_kafka_consumer_partition_lag`, ...).
    pub burrow: Granularity,
    /// kafka-lag-exporter's names (`kafka_consumergroup_group_lag`, ...).
    pub lag_exporter: Granularity,
}

/// `[logging]`: what Warren writes to stderr.
#[derive(Debug, Clone, Serialize)]
pub struct LoggingConfig {
    /// Minimum level logged.
    pub level: LogLevel,
    /// Line format.
    pub format: LogFormat,
    /// `filename`: log lines go to this file (appended, reopened on SIGUSR1) instead of stderr.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<PathBuf>,
}

/// A log level, from most to least verbose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Per-offset detail.
    Trace,
    /// Per-tick summaries.
    Debug,
    /// Lifecycle events (the default).
    Info,
    /// Recovered or retrying problems.
    Warn,
    /// Problems an operator must act on.
    Error,
}

impl LogLevel {
    /// The level's name, as the config, the filter and `/v3/config` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// How log lines are formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line.
    Json,
}

/// `[client-profile.NAME]`: how Warren identifies and authenticates to a cluster.
#[derive(Debug, Clone, Serialize)]
pub struct ClientProfile {
    /// The section name (`default` for the implicit profile).
    pub name: String,
    /// Kafka `client.id`.
    pub client_id: String,
    /// Name of a `[tls.NAME]` profile.
    pub tls: Option<String>,
    /// Name of a `[sasl.NAME]` profile.
    pub sasl: Option<String>,
    /// The `[tls.NAME]` that `tls` names, resolved: what the Kafka client connects with.
    #[serde(skip)]
    pub tls_settings: Option<TlsProfile>,
    /// The `[sasl.NAME]` that `sasl` names, resolved.
    #[serde(skip)]
    pub sasl_settings: Option<SaslProfile>,
    /// `[client-profile.NAME.librdkafka]`: raw librdkafka properties, applied after Warren's.
    #[serde(skip_serializing_if = "RawProperties::is_empty")]
    pub librdkafka: RawProperties,
}

impl ClientProfile {
    /// A profile connecting without TLS or SASL as `client_id` (what a cluster naming no
    /// profile gets, unless `[client-profile.default]` says otherwise).
    pub fn plaintext(client_id: &str) -> Self {
        ClientProfile {
            name: "default".to_owned(),
            client_id: client_id.to_owned(),
            tls: None,
            sasl: None,
            tls_settings: None,
            sasl_settings: None,
            librdkafka: RawProperties::default(),
        }
    }
}

/// Raw librdkafka properties (name → value). `Debug` and `Serialize` print the value of any
/// property whose name marks it as a credential as `***`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawProperties(pub BTreeMap<String, String>);

impl RawProperties {
    /// Whether no property is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The properties as librdkafka must receive them, credentials included.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether librdkafka property `name` holds a credential (its value is never printed).
    pub fn is_sensitive(name: &str) -> bool {
        const MARKS: &[&str] = &[
            "password",
            "secret",
            "passphrase",
            "key.pem",
            "private.key",
            "oauthbearer.config",
            "jaas",
            "token",
        ];
        let name = name.to_ascii_lowercase();
        MARKS.iter().any(|m| name.contains(m))
    }

    fn masked(&self) -> BTreeMap<&str, &str> {
        self.iter()
            .map(|(k, v)| (k, if Self::is_sensitive(k) { "***" } else { v }))
            .collect()
    }
}

impl fmt::Debug for RawProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.masked()).finish()
    }
}

impl Serialize for RawProperties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.masked().serialize(serializer)
    }
}

/// `[tls.NAME]`: TLS settings for Kafka connections.
#[derive(Debug, Clone, Serialize)]
pub struct TlsProfile {
    /// The section name.
    pub name: String,
    /// Client certificate (PEM).
    pub certfile: Option<PathBuf>,
    /// Client private key (PEM).
    pub keyfile: Option<PathBuf>,
    /// CA bundle; `None` means the system roots.
    pub cafile: Option<PathBuf>,
    /// Skip server certificate verification.
    pub noverify: bool,
}

/// `[sasl.NAME]`: SASL credentials for Kafka connections.
#[derive(Debug, Clone, Serialize)]
pub struct SaslProfile {
    /// The section name.
    pub name: String,
    /// Who Warren authenticates as: the SASL user (PLAIN, SCRAM), the OAuth client id
    /// (OAUTHBEARER) or the Kerberos principal (GSSAPI); empty for AWS_MSK_IAM, whose identity
    /// is the AWS credentials'.
    pub username: String,
    /// What proves it; its form follows `mechanism`.
    #[serde(flatten)]
    pub credentials: SaslCredentials,
    /// SASL mechanism.
    pub mechanism: SaslMechanism,
    /// Send the SASL handshake request first (what modern brokers expect).
    pub handshake_first: bool,
}

/// The credentials of a `[sasl.NAME]`, one form per family of mechanisms.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum SaslCredentials {
    /// PLAIN and SCRAM: the user's password.
    Password {
        /// SASL password, or where to read it; never printed.
        password: SecretSource,
    },
    /// OAUTHBEARER: tokens from an OpenID Connect provider's token endpoint.
    Oidc(OidcClient),
    /// AWS_MSK_IAM: tokens signed with AWS credentials.
    MskIam(MskIam),
    /// GSSAPI: a Kerberos ticket, from a keytab or the credential cache.
    Kerberos(Kerberos),
}

/// GSSAPI (Kerberos): librdkafka runs `kinit` with the keytab and principal and renews the
/// ticket; without a keytab it uses the credential cache a `kinit` elsewhere filled.
#[derive(Debug, Clone, Serialize)]
pub struct Kerberos {
    /// The brokers' Kerberos service name (the first part of their principal).
    pub service_name: String,
    /// Warren's own principal, e.g. `warren/host.example.com@EXAMPLE.COM`.
    pub principal: Option<String>,
    /// The keytab holding the principal's key.
    pub keytab: Option<PathBuf>,
}

/// OAUTHBEARER with the OAuth 2.0 client-credentials grant (RFC 6749 §4.4): Warren asks
/// `token_endpoint` for a token whenever librdkafka needs one (at start, then at 80% of each
/// token's lifetime).
#[derive(Debug, Clone, Serialize)]
pub struct OidcClient {
    /// `https://...` (or `http://` to a loopback address only: the secret is sent in it).
    pub token_endpoint: String,
    /// The OAuth client secret of the client id in `[sasl.NAME] username`, or where to read it (read at every token request); never
    /// printed.
    pub client_secret: SecretSource,
    /// The `scope` sent with the request, when set.
    pub scope: Option<String>,
}

/// AWS_MSK_IAM: an OAUTHBEARER token that is a SigV4-presigned `kafka-cluster:Connect` URL,
/// as Amazon's own signer libraries make it.
#[derive(Debug, Clone, Serialize)]
pub struct MskIam {
    /// The cluster's AWS region, e.g. `eu-west-1`.
    pub region: String,
    /// A named profile of the shared AWS files; `None`: `AWS_PROFILE`, else `default`.
    pub profile: Option<String>,
    /// Static credentials instead of the usual sources (both or neither), read when a token
    /// is made; never printed.
    pub access_key_id: Option<SecretSource>,
    /// The secret key going with `access_key_id`.
    pub secret_access_key: Option<SecretSource>,
    /// A session token going with them (temporary credentials).
    pub session_token: Option<SecretSource>,
}

/// A SASL mechanism Warren can speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SaslMechanism {
    /// `PLAIN` (the default).
    #[serde(rename = "PLAIN")]
    Plain,
    /// `SCRAM-SHA-256`.
    #[serde(rename = "SCRAM-SHA-256")]
    ScramSha256,
    /// `SCRAM-SHA-512`.
    #[serde(rename = "SCRAM-SHA-512")]
    ScramSha512,
    /// `OAUTHBEARER`, tokens from an OIDC token endpoint.
    #[serde(rename = "OAUTHBEARER")]
    OAuthBearer,
    /// `AWS_MSK_IAM`: OAUTHBEARER on the wire, with a token signed by AWS credentials.
    #[serde(rename = "AWS_MSK_IAM")]
    AwsMskIam,
    /// `GSSAPI`: Kerberos (needs a build with the `gssapi` feature).
    #[serde(rename = "GSSAPI")]
    Gssapi,
}

impl SaslMechanism {
    /// The name Kafka and librdkafka use (`AWS_MSK_IAM` travels as `OAUTHBEARER`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::ScramSha512 => "SCRAM-SHA-512",
            Self::OAuthBearer | Self::AwsMskIam => "OAUTHBEARER",
            Self::Gssapi => "GSSAPI",
        }
    }
}

/// A credential written in the config itself (Burrow's way, often through `${VAR}`) or a
/// reference read each time a connection is set up, so a rotated file is picked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum SecretSource {
    /// The value itself (printed as `***`).
    Inline(Secret),
    /// `env:NAME` or `file:PATH` (the reference is printed, never the value).
    Ref(SecretRef),
}

impl SecretSource {
    /// The value: inline, or read now from the environment or the file (one trailing newline
    /// dropped). Errors name the reference, never a value.
    pub fn read(&self) -> Result<Secret, String> {
        match self {
            Self::Inline(secret) => Ok(secret.clone()),
            Self::Ref(reference) => reference.read(&|var| std::env::var(var).ok()),
        }
    }
}

/// A string that must not leak into logs or API responses: `Debug` and `Serialize` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

/// `[cluster.NAME]`: a Kafka cluster whose topics and HEAD offsets Warren polls.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterConfig {
    /// The section name, used in URLs.
    pub name: String,
    /// Bootstrap servers, each `host:port`.
    pub servers: Vec<String>,
    /// Resolved copy of the client profile.
    pub client_profile: ClientProfile,
    /// How often the topic list is refreshed.
    #[serde(serialize_with = "duration::serialize")]
    pub topic_refresh: Duration,
    /// How often HEAD offsets are polled; bounds lag resolution.
    #[serde(serialize_with = "duration::serialize")]
    pub offset_refresh: Duration,
    /// The evaluator plugin judging this cluster's groups; `None` means Burrow's rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluator: Option<String>,
    /// Group-filter plugins deciding which of this cluster's groups are monitored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_filters: Vec<String>,
    /// Static labels added to every `/metrics` series of this cluster (`labels = { env =
    /// "prod" }`), checked against Prometheus' label grammar and Warren's own label names.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// `[consumer.NAME]`: where one cluster's committed group offsets come from.
#[derive(Debug, Clone, Serialize)]
pub struct ConsumerConfig {
    /// The section name.
    pub name: String,
    /// The `[cluster.NAME]` these commits belong to.
    pub cluster: String,
    /// Bootstrap servers; defaults to the cluster's.
    pub servers: Vec<String>,
    /// Resolved client profile; defaults to the cluster's.
    pub client_profile: ClientProfile,
    /// How commits are read.
    pub class: ConsumerClass,
    /// Which groups are kept.
    pub groups: GroupFilter,
    /// Which topics' commits are kept.
    #[serde(skip_serializing_if = "GroupFilter::is_unset")]
    pub topics: GroupFilter,
}

/// How a consumer module learns committed offsets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "class", rename_all = "kebab-case")]
pub enum ConsumerClass {
    /// Tail the offsets topic (Burrow's `kafka` class).
    Kafka {
        /// Topic holding commits, normally `__consumer_offsets`.
        offsets_topic: String,
        /// Start at the end of the offsets topic instead of replaying it.
        start_latest: bool,
    },
    /// Poll committed offsets through the admin API.
    KafkaAdmin,
    /// Read ZooKeeper-committed offsets (Burrow's `kafka_zk` class); `servers` are ZooKeeper's.
    #[serde(rename = "kafka_zk")]
    KafkaZk {
        /// Where `/consumers` lives: Burrow's `zookeeper-path` with `/consumers` appended.
        consumers_path: String,
        /// The ZooKeeper session timeout.
        #[serde(serialize_with = "duration::serialize")]
        session_timeout: Duration,
    },
}

/// Allow/deny regexes over consumer group names (`group-allowlist` / `group-denylist`), and
/// over topic names (`topic-allowlist` / `topic-denylist`), which follow the same rules.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupFilter {
    /// Only names matching this are kept, when set.
    #[serde(serialize_with = "values::serialize_regex")]
    pub allow: Option<Regex>,
    /// Names matching this are dropped, when set.
    #[serde(serialize_with = "values::serialize_regex")]
    pub deny: Option<Regex>,
}

impl GroupFilter {
    /// True when `name` passes both regexes; matching is unanchored, like Burrow's Go
    /// `MatchString`.
    pub fn accepts(&self, name: &str) -> bool {
        self.allow.as_ref().is_none_or(|allow| allow.is_match(name))
            && self.deny.as_ref().is_none_or(|deny| !deny.is_match(name))
    }

    /// True when neither regex is set (everything passes).
    pub fn is_unset(&self) -> bool {
        self.allow.is_none() && self.deny.is_none()
    }
}

/// `[storage.NAME]`: the in-memory offset windows.
#[derive(Debug, Clone, Serialize)]
pub struct StorageConfig {
    /// The section name (`default` when absent).
    pub name: String,
    /// Commits kept per partition window.
    pub intervals: u16,
    /// Commits closer together than this overwrite the newest entry.
    #[serde(serialize_with = "duration::serialize")]
    pub min_distance: Duration,
    /// Groups with no commit for this long are forgotten.
    #[serde(serialize_with = "duration::serialize")]
    pub expire_group: Duration,
    /// Which groups are stored at all.
    pub groups: GroupFilter,
    /// Which topics are stored at all (their HEADs and every group's commits for them).
    #[serde(skip_serializing_if = "GroupFilter::is_unset")]
    pub topics: GroupFilter,
    /// Points kept of each partition's compressed HEAD timeline, the production curve lag in
    /// seconds is read from.
    pub head_history: u16,
    /// Where Warren keeps state across restarts (windows, HEAD histories, group owners,
    /// offsets-topic positions, open incidents, pending notifications); `None` keeps
    /// everything in memory.
    pub data_dir: Option<PathBuf>,
    /// How often windows and HEAD histories are written to `data_dir` (incidents and
    /// notifications are written as they happen). A crash loses at most this much.
    #[serde(serialize_with = "duration::serialize")]
    pub snapshot_interval: Duration,
}

/// `[evaluator.NAME]`: the Burrow-rules status evaluator.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluatorConfig {
    /// The section name (`default` when absent).
    pub name: String,
    /// How long an evaluation result is cached.
    #[serde(serialize_with = "duration::serialize")]
    pub expire_cache: Duration,
    /// Fraction (0–1) of a window that must be filled before a partition is judged.
    pub minimum_complete: f64,
    /// Lag at or below this counts as zero lag.
    pub allowed_lag: u64,
}

/// `[httpserver.NAME]`: one HTTP listener.
#[derive(Debug, Clone, Serialize)]
pub struct HttpServerConfig {
    /// The section name.
    pub name: String,
    /// Address to bind.
    pub address: SocketAddr,
    /// The `[tls.NAME]` profile serving HTTPS (its `cafile` makes client certificates
    /// mandatory); `None` serves plain HTTP.
    pub tls: Option<String>,
    /// Longest time one request may take, from its headers to the end of its answer (Burrow's
    /// `timeout`).
    #[serde(serialize_with = "duration::serialize")]
    pub timeout: Duration,
    /// Longest time a client may take to send a request's headers.
    #[serde(serialize_with = "duration::serialize")]
    pub header_timeout: Duration,
    /// A connection that neither sends nor receives a byte for this long is closed.
    #[serde(serialize_with = "duration::serialize")]
    pub idle_timeout: Duration,
    /// Largest request head (request line and headers), in bytes.
    pub max_header_bytes: usize,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Connections served at once; further clients wait in the kernel's accept queue.
    pub max_connections: usize,
    /// `/metrics` answers without credentials even when the API requires them.
    pub metrics_public: bool,
    /// Without any `[api-token]` or `[api-user]`, allow DELETE and admin routes anonymously on
    /// this listener even when it is not loopback-only.
    pub anonymous_admin: bool,
}

/// What a credential of the HTTP API may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiRole {
    /// GET routes, the dashboard and `/metrics`.
    Read,
    /// Everything `read` may, plus DELETE, plugin reload and the `/v3/admin` routes.
    Admin,
}

/// `[api-token.NAME]`: one bearer token of the HTTP API.
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    /// The section name (shown in logs instead of the token).
    pub name: String,
    /// Where the token is read from at start (`env:VAR` or `file:PATH`).
    pub token: SecretRef,
    /// What the token may do.
    pub role: ApiRole,
}

/// `[api-user.NAME]`: one basic-auth user of the HTTP API; the section name is the user name.
#[derive(Debug, Clone, Serialize)]
pub struct ApiUser {
    /// The user name.
    pub name: String,
    /// The argon2 PHC string (`warren hash-password` prints one); never printed.
    pub password_hash: Secret,
    /// What the user may do.
    pub role: ApiRole,
}

/// `[plugin.NAME]`: one WebAssembly plugin, resolved.
#[derive(Debug, Clone, Serialize)]
pub struct PluginConfig {
    /// The section name; one `.wasm` may be declared under several names with other settings.
    pub name: String,
    /// Which world it implements.
    pub kind: PluginKind,
    /// Where the component comes from.
    pub source: PluginSource,
    /// Expected SHA-256 of the `.wasm` (lower-case hex), checked before compiling.
    pub sha256: Option<String>,
    /// Globs over cluster names (`*`, `?`): the clusters this plugin is loaded for.
    pub clusters: Vec<String>,
    /// The `config` table, as the JSON object the plugin receives.
    pub settings: serde_json::Value,
    /// Notifiers only: secret name → its value (a translated Burrow password) or where it
    /// comes from.
    pub secrets: BTreeMap<String, SecretSource>,
    /// Notifiers only: hosts the plugin may send HTTP requests to.
    pub allowed_outbound_hosts: Vec<String>,
    /// Notifiers only: allow destinations on loopback, private and link-local addresses.
    pub allow_private_addresses: bool,
    /// Notifiers only: the SMTP server mail is delivered through; `None` denies `mail.send`.
    pub mail: Option<MailConfig>,
    /// Hard limits of every call.
    pub limits: PluginLimits,
}

impl PluginConfig {
    /// Whether the plugin is loaded for `cluster`.
    pub fn applies_to(&self, cluster: &str) -> bool {
        self.clusters.iter().any(|g| glob_match(g, cluster))
    }
}

/// A plugin kind: the WIT world the component implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PluginKind {
    /// `evaluator`: replaces Burrow's rules for the clusters that choose it.
    Evaluator,
    /// `group-filter`: decides which groups are monitored.
    GroupFilter,
    /// `notifier`: delivers incident events.
    Notifier,
}

impl PluginKind {
    /// The name used in config and in the WIT world.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginKind::Evaluator => "evaluator",
            PluginKind::GroupFilter => "group-filter",
            PluginKind::Notifier => "notifier",
        }
    }
}

/// Where a plugin's component comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PluginSource {
    /// A `.wasm` file (relative paths are relative to the config file).
    File(PathBuf),
    /// `builtin:NAME`: a first-party plugin compiled into the binary.
    Builtin(String),
}

/// Where a secret's value is read from: plugin secrets, API tokens, Kafka passwords.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretRef {
    /// `env:NAME`.
    Env(String),
    /// `file:PATH` (one trailing newline is dropped).
    File(PathBuf),
}

impl SecretRef {
    /// Reads the value, the one place any secret reference is read: `env:NAME` through `env`
    /// (injected so tests choose the environment), `file:PATH` from disk without one trailing
    /// newline (what `echo token > file` adds). Errors name the reference, never a value.
    pub fn read(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Secret, String> {
        match self {
            SecretRef::Env(name) => env(name)
                .map(Secret::new)
                .ok_or_else(|| format!("environment variable {name} is not set")),
            SecretRef::File(path) => {
                let mut value = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                if value.ends_with('\n') {
                    value.pop();
                    if value.ends_with('\r') {
                        value.pop();
                    }
                }
                Ok(Secret::new(value))
            }
        }
    }
}

/// `[plugin.NAME.limits]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PluginLimits {
    /// Linear memory a store may grow to.
    pub memory_bytes: usize,
    /// Wall-clock budget of one call.
    #[serde(serialize_with = "duration::serialize")]
    pub timeout: Duration,
}

impl PluginLimits {
    /// Defaults per kind: filters and evaluators get 32 MiB and 100 ms (they run on every
    /// evaluation); notifiers 64 MiB and 10 s (they wait on the network).
    pub fn default_for(kind: PluginKind) -> Self {
        match kind {
            PluginKind::Notifier => PluginLimits {
                memory_bytes: 64 << 20,
                timeout: Duration::from_secs(10),
            },
            _ => PluginLimits {
                memory_bytes: 32 << 20,
                timeout: Duration::from_millis(100),
            },
        }
    }
}

/// `[notifier.NAME]`: Burrow's notifier rules, delivered by a notifier plugin.
#[derive(Debug, Clone, Serialize)]
pub struct NotifierConfig {
    /// The section name.
    pub name: String,
    /// The `[plugin.NAME]` (kind notifier) that renders and sends.
    pub plugin: String,
    /// Globs over cluster names: whose groups this notifier watches.
    pub clusters: Vec<String>,
    /// How often each group is evaluated for this notifier.
    #[serde(serialize_with = "duration::serialize")]
    pub interval: Duration,
    /// Lowest group status that opens an incident (WARN or ERR).
    pub threshold: crate::model::Status,
    /// Least time between two messages about one open incident.
    #[serde(serialize_with = "duration::serialize")]
    pub send_interval: Duration,
    /// Only the opening message per incident.
    pub send_once: bool,
    /// A message when the incident resolves (Warren's default: true; Burrow's: false).
    pub send_close: bool,
    /// Allow/deny regexes over group names.
    pub groups: GroupFilter,
    /// Group-filter plugins that must keep a group for this notifier to watch it.
    pub group_filters: Vec<String>,
}

impl NotifierConfig {
    /// Whether the notifier watches `cluster`.
    pub fn applies_to(&self, cluster: &str) -> bool {
        self.clusters.iter().any(|g| glob_match(g, cluster))
    }
}

/// `[plugin.NAME.mail]`: how the host delivers a notifier's mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailConfig {
    /// SMTP server host name.
    pub server: String,
    /// Port (default 587 for STARTTLS, 465 for TLS, 25 for none).
    pub port: u16,
    /// Transport security.
    pub security: MailSecurity,
    /// SMTP user, when the server wants authentication (PLAIN or LOGIN, as it offers).
    pub username: Option<String>,
    /// The password (a translated Burrow one) or where it comes from (read at load time).
    pub password: Option<SecretSource>,
    /// Sender address.
    pub from: String,
    /// Recipients of messages that name none.
    pub to: Vec<String>,
    /// Further recipients a plugin may name: addresses or `@domain` (the `to` list is always
    /// allowed; anyone else is denied).
    pub allowed_recipients: Vec<String>,
    /// Connect and send timeout.
    #[serde(serialize_with = "duration::serialize")]
    pub timeout: Duration,
}

/// SMTP transport security.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// Plain connection upgraded with STARTTLS (required, never skipped).
    StartTls,
    /// STARTTLS when the server offers it, plain otherwise: what Burrow's mailer did, for
    /// translated Burrow sections without credentials.
    Opportunistic,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption (a local relay only).
    None,
}

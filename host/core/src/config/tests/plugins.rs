//! Unit tests for `[plugin.NAME]` and the cluster keys that bind plugins: what resolves, what
//! each mistake is reported as (with its key path), and the glob that decides where a plugin
//! is loaded.

use std::path::PathBuf;
use std::time::Duration;

use super::super::{PluginKind, PluginSource, SecretRef, SecretSource, glob_match};
use super::{errors, ok, ok_with, warnings};

const CLUSTERS: &str = r#"
[cluster.prod-eu]
servers = ["127.0.0.1:9092"]
evaluator = "thresholds"
group-filters = ["skip-empty"]
[cluster.staging]
servers = ["127.0.0.1:9093"]
"#;

#[test]
fn plugins_resolve_with_kind_source_config_and_default_limits() {
    let text = format!(
        r#"{CLUSTERS}
[plugin.thresholds]
kind = "evaluator"
path = "builtin:lag-threshold"
clusters = ["prod-*"]
config = {{ warn = 100, err = 1000 }}
[plugin.skip-empty]
kind = "group-filter"
path = "plugins/skip_empty.wasm"
sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
[plugin.skip-empty.limits]
memory-mib = 8
timeout = "50ms"
"#
    );
    let config = ok(&text).config;
    let t = &config.plugins["thresholds"];
    assert_eq!(t.kind, PluginKind::Evaluator);
    assert_eq!(t.source, PluginSource::Builtin("lag-threshold".into()));
    assert_eq!(t.settings, serde_json::json!({"warn": 100, "err": 1000}));
    assert_eq!(t.limits.timeout, Duration::from_millis(100));
    assert!(t.applies_to("prod-eu") && !t.applies_to("staging"));
    let f = &config.plugins["skip-empty"];
    assert_eq!(
        f.source,
        PluginSource::File(PathBuf::from("plugins/skip_empty.wasm"))
    );
    assert_eq!(f.sha256.as_deref().map(|s| &s[..4]), Some("9f86"));
    assert_eq!(f.limits.memory_bytes, 8 << 20);
    assert_eq!(f.clusters, ["*"]);
    let c = &config.clusters["prod-eu"];
    assert_eq!(c.evaluator.as_deref(), Some("thresholds"));
    assert_eq!(c.group_filters, ["skip-empty"]);
    assert_eq!(config.clusters["staging"].evaluator, None);
}

#[test]
fn notifier_capabilities_resolve_and_secret_placeholders_survive_substitution() {
    let text = r#"
[cluster.local]
servers = ["127.0.0.1:9092"]
[plugin.slack]
kind = "notifier"
path = "builtin:slack"
secrets = { webhook = "env:SLACK_WEBHOOK", key = "file:/run/secrets/key" }
allowed-outbound-hosts = ["hooks.slack.com", "*.example.com", "127.0.0.1:8099"]
config = { url = "https://hooks.slack.com/services/${secret:webhook}", channel = "${CHANNEL}" }
"#;
    let config = ok_with(text, &[("CHANNEL", "#lag")]).config;
    let s = &config.plugins["slack"];
    assert_eq!(
        s.secrets["webhook"],
        SecretSource::Ref(SecretRef::Env("SLACK_WEBHOOK".into()))
    );
    assert_eq!(
        s.secrets["key"],
        SecretSource::Ref(SecretRef::File("/run/secrets/key".into()))
    );
    assert_eq!(s.allowed_outbound_hosts.len(), 3);
    assert_eq!(
        s.settings["url"],
        "https://hooks.slack.com/services/${secret:webhook}"
    );
    assert_eq!(s.settings["channel"], "#lag");
    assert_eq!(s.limits.timeout, Duration::from_secs(10));
}

#[test]
fn every_plugin_mistake_is_reported_with_its_key_path() {
    let text = r#"
[cluster.prod]
servers = ["127.0.0.1:9092"]
evaluator = "nope"
group-filters = ["eval", "nofilter"]
[plugin.eval]
kind = "evaluator"
path = "x.wasm"
clusters = ["staging"]
secrets = { a = "env:A" }
[plugin.bad]
kind = "transformer"
sha256 = "abc"
config = "warn=1"
allowed-outbound-hosts = ["https://hooks.slack.com/x"]
[plugin.bad.limits]
memory-mib = 0
timeout = "1ms"
colour = "red"
[plugin.hooks]
kind = "notifier"
path = "builtin:"
secrets = { token = "xoxb-123" }
allowed-outbound-hosts = ["*", "host:0"]
"#;
    let e = errors(text);
    let expected = [
        "cluster.prod.evaluator: no [plugin.nope] section (example: evaluator plugins: eval)",
        "cluster.prod.group-filters[0]: plugin \"eval\" is a evaluator, not a group-filter",
        "cluster.prod.group-filters[1]: no [plugin.nofilter] section (example: define it: [plugin.nofilter] with kind = \"group-filter\")",
        "plugin.bad.allowed-outbound-hosts: only notifier plugins are granted capabilities; filters and evaluators get none",
        "plugin.bad.config: expected a table, got a string (example: config = { warn = 1000, err = 10000 })",
        "plugin.bad.kind: unknown plugin kind \"transformer\"; expected evaluator, group-filter or notifier (example: kind = \"evaluator\")",
        "plugin.bad.limits.colour: unknown key (example: valid keys: memory-mib, timeout)",
        "plugin.bad.limits.memory-mib: must be between 1 and 4096, got 0 (example: memory-mib = 32)",
        "plugin.bad.limits.timeout: must be at least 10ms (the epoch tick) (example: timeout = \"100ms\")",
        "plugin.bad.path: missing required key (example: path = \"/etc/warren/plugins/my-filter.wasm\" or path = \"builtin:lag-threshold\")",
        "plugin.bad.sha256: expected 64 hexadecimal digits (the output of sha256sum) (example: sha256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\")",
        "plugin.eval.secrets: only notifier plugins are granted capabilities; filters and evaluators get none",
        "plugin.hooks.allowed-outbound-hosts[0]: \"*\": expected a host name, \"*.\" followed by a domain, or an IP address (example: \"hooks.slack.com\", \"*.example.com\" or \"10.0.0.5:8080\")",
        "plugin.hooks.allowed-outbound-hosts[1]: \"host:0\": the port must be a number from 1 to 65535 (example: \"hooks.slack.com\", \"*.example.com\" or \"10.0.0.5:8080\")",
        "plugin.hooks.path: empty built-in plugin name (example: path = \"/etc/warren/plugins/my-filter.wasm\" or path = \"builtin:lag-threshold\")",
        "plugin.hooks.secrets.token: expected \"env:VARIABLE\" or \"file:/path/to/secret\" (the value is not shown) (example: secrets = { webhook = \"env:SLACK_WEBHOOK\" })",
    ];
    assert_eq!(e, expected, "got:\n{}", e.join("\n"));
    assert!(
        !e.iter().any(|l| l.contains("xoxb-123")),
        "a pasted secret is never echoed"
    );
}

#[test]
fn a_cluster_may_only_choose_a_plugin_loaded_for_it() {
    let text = r#"
[cluster.prod]
servers = ["127.0.0.1:9092"]
evaluator = "eval"
[plugin.eval]
kind = "evaluator"
path = "x.wasm"
clusters = ["staging-*"]
"#;
    let e = errors(text);
    assert_eq!(
        e,
        [
            "cluster.prod.evaluator: plugin \"eval\" is not loaded for cluster \"prod\" (its clusters: [\"staging-*\"]) (example: clusters = [\"prod\"] in [plugin.eval])"
        ]
    );
}

/// A filter plugin loaded for `clusters` (a TOML array) beside one cluster, `prod`.
fn filter_for(clusters: &str) -> String {
    format!(
        r#"
[cluster.prod]
servers = ["127.0.0.1:9092"]
[plugin.f]
kind = "group-filter"
path = "f.wasm"
clusters = {clusters}
"#
    )
}

#[test]
fn a_cluster_glob_matching_nothing_is_a_warning_and_a_malformed_one_an_error() {
    assert_eq!(
        warnings(&ok(&filter_for(r#"["prdo"]"#))),
        ["plugin.f.clusters[0]: \"prdo\" matches no configured cluster"]
    );
    assert_eq!(
        errors(&filter_for(r#"["prod", "prod-[eu"]"#)),
        ["plugin.f.clusters[1]: '[' without a closing ']'"]
    );
}

#[test]
fn globs_match_whole_names_with_star_question_mark_and_classes() {
    assert!(glob_match("*", "anything"));
    assert!(glob_match("prod-*", "prod-eu-1"));
    assert!(!glob_match("prod-*", "preprod-eu"));
    assert!(glob_match("*-eu-?", "prod-eu-1"));
    assert!(!glob_match("*-eu-?", "prod-eu-12"));
    assert!(glob_match("a*b*c", "aXXbYYc"));
    assert!(!glob_match("a*b*c", "aXXbYY"));
    assert!(glob_match("exact", "exact") && !glob_match("exact", "exactly"));
    assert!(glob_match("prod-[a-f]?", "prod-eu") && !glob_match("prod-[!a-f]?", "prod-eu"));
}

const SLACK: &str = r#"
[cluster.prod]
servers = ["127.0.0.1:9092"]
[cluster.staging]
servers = ["127.0.0.1:9093"]
[plugin.slack]
kind = "notifier"
path = "builtin:slack"
clusters = ["prod"]
[plugin.quiet]
kind = "group-filter"
path = "builtin:skip-empty"
[storage.default]
data-dir = "/var/lib/warren"
"#;

#[test]
fn a_notifier_takes_burrows_keys_and_defaults_with_the_plugins_clusters() {
    let text =
        format!("{SLACK}\n[notifier.ops]\nplugin = \"slack\"\ngroup-filters = [\"quiet\"]\n");
    let loaded = ok(&text);
    let n = &loaded.config.notifiers["ops"];
    assert_eq!(n.plugin, "slack");
    assert_eq!(n.clusters, ["prod"]);
    assert!(n.applies_to("prod") && !n.applies_to("staging"));
    assert_eq!(n.interval, Duration::from_secs(60));
    assert_eq!(
        n.send_interval, n.interval,
        "Burrow: send-interval defaults to interval"
    );
    assert_eq!(n.threshold, crate::model::Status::Warn);
    assert!(n.send_close && !n.send_once);
    assert_eq!(n.group_filters, ["quiet"]);
    assert_eq!(warnings(&loaded), Vec::<String>::new());
}

#[test]
fn burrow_numeric_thresholds_are_accepted_and_ok_reads_as_warn() {
    let with = |t: &str| format!("{SLACK}\n[notifier.ops]\nplugin = \"slack\"\nthreshold = {t}\n");
    assert_eq!(
        ok(&with("3")).config.notifiers["ops"].threshold,
        crate::model::Status::Err
    );
    assert_eq!(
        ok(&with("\"err\"")).config.notifiers["ops"].threshold,
        crate::model::Status::Err
    );
    let loaded = ok(&with("1"));
    assert_eq!(
        loaded.config.notifiers["ops"].threshold,
        crate::model::Status::Warn
    );
    assert_eq!(
        warnings(&loaded),
        [
            "notifier.ops.threshold: Burrow's OK (1) also sent messages about healthy groups; Warren notifies about incidents only, from WARN"
        ]
    );
    assert_eq!(
        errors(&with("4")),
        [
            "notifier.ops.threshold: expected \"WARN\" or \"ERR\" (Burrow's 2 or 3), got 4 (example: threshold = \"WARN\")"
        ]
    );
}

#[test]
fn notifier_mistakes_are_reported_at_their_keys() {
    let text = format!(
        "{SLACK}\n[notifier.ops]\nplugin = \"quiet\"\n[notifier.more]\nplugin = \"slack\"\nclusters = [\"*\"]\ngroup-filters = [\"slack\", \"nope\"]\nsend-once = \"yes\"\n"
    );
    assert_eq!(
        errors(&text),
        [
            "notifier.more.clusters: selects cluster \"staging\", but plugin \"slack\" is not loaded for it (its clusters: [\"prod\"])",
            "notifier.more.group-filters[0]: plugin \"slack\" is a notifier, not a group-filter",
            "notifier.more.group-filters[1]: no [plugin.nope] section",
            "notifier.more.send-once: expected a boolean, got a string (example: send-once = true)",
            "notifier.ops.plugin: plugin \"quiet\" is a group-filter, not a notifier",
        ]
    );
}

#[test]
fn notifiers_without_a_data_dir_warn_that_incidents_do_not_survive_a_restart() {
    let text = SLACK.replace("data-dir = \"/var/lib/warren\"", "")
        + "[notifier.ops]\nplugin = \"slack\"\n";
    assert_eq!(
        warnings(&ok(&text)),
        [
            "storage: notifiers are configured but [storage] data-dir is not: open incidents and pending notifications will not survive a restart"
        ]
    );
}

#[test]
fn smtp_credentials_over_an_unencrypted_connection_need_an_explicit_yes() {
    let mail = |extra: &str| {
        format!(
            "{SLACK}\n[plugin.mail]\nkind = \"notifier\"\npath = \"builtin:email\"\n[plugin.mail.mail]\nserver = \"relay.internal\"\nsecurity = \"none\"\nfrom = \"warren@example.com\"\nto = [\"ops@example.com\"]\n{extra}"
        )
    };
    let creds = "username = \"warren\"\npassword = \"env:SMTP_PASSWORD\"\n";
    assert_eq!(
        errors(&mail(creds)),
        [
            "plugin.mail.mail.security: \"none\" and \"opportunistic\" could send the SMTP password unencrypted; use starttls or tls, or set allow-plaintext-credentials = true for a relay on a trusted network (example: security = \"starttls\")"
        ]
    );
    let allowed = mail(&format!("{creds}allow-plaintext-credentials = true\n"));
    assert_eq!(
        ok(&allowed).config.plugins["mail"]
            .mail
            .as_ref()
            .unwrap()
            .port,
        25
    );
    // No credentials, nothing to leak: an internal relay without TLS stays allowed.
    ok(&mail(""));
}

#[test]
fn mail_capability_resolves_with_security_defaults_and_reports_mistakes() {
    let good = format!(
        "{SLACK}\n[plugin.mail]\nkind = \"notifier\"\npath = \"builtin:email\"\n[plugin.mail.mail]\nserver = \"smtp.example.com\"\nusername = \"warren\"\npassword = \"env:SMTP_PASSWORD\"\nfrom = \"Warren <warren@example.com>\"\nto = [\"ops@example.com\"]\n"
    );
    let m = ok(&good).config.plugins["mail"].mail.clone().expect("mail");
    assert_eq!(
        (m.port, m.security),
        (587, super::super::MailSecurity::StartTls)
    );
    assert_eq!(
        m.password,
        Some(SecretSource::Ref(SecretRef::Env("SMTP_PASSWORD".into())))
    );
    let bad = format!(
        "{SLACK}\n[plugin.quiet.mail]\nserver = \"x\"\n[plugin.mail]\nkind = \"notifier\"\npath = \"builtin:email\"\n[plugin.mail.mail]\nsecurity = \"ssl\"\nusername = \"warren\"\nto = [\"ops\"]\n"
    );
    assert_eq!(
        errors(&bad),
        [
            "plugin.mail.mail: username and password go together: give both, or neither",
            "plugin.mail.mail.from: missing required key (example: from = \"warren@example.com\")",
            "plugin.mail.mail.security: unknown security \"ssl\"; expected starttls, tls, opportunistic or none (example: security = \"starttls\")",
            "plugin.mail.mail.server: missing required key (example: server = \"smtp.example.com\")",
            "plugin.mail.mail.to[0]: \"ops\" is not an email address",
            "plugin.quiet.mail: only notifier plugins are granted capabilities; filters and evaluators get none",
        ]
    );
}

#[test]
fn a_secret_reference_reads_the_variable_or_the_file_without_one_trailing_newline() {
    // One reader for plugin secrets, API tokens and Kafka passwords.
    let env = |name: &str| (name == "HOOK").then(|| "from-env".to_string());
    let read = |r: SecretRef| r.read(&env);
    assert_eq!(
        read(SecretRef::Env("HOOK".into())).unwrap().expose(),
        "from-env"
    );
    assert_eq!(
        read(SecretRef::Env("MISSING".into())).unwrap_err(),
        "environment variable MISSING is not set"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, "from-file\r\n\n").unwrap();
    assert_eq!(
        read(SecretRef::File(path.clone())).unwrap().expose(),
        "from-file\r\n"
    );
    std::fs::write(&path, "from-file\r\n").unwrap();
    assert_eq!(read(SecretRef::File(path)).unwrap().expose(), "from-file");
    let err = read(SecretRef::File("/nonexistent/token".into())).unwrap_err();
    assert!(err.starts_with("cannot read /nonexistent/token"), "{err}");
}

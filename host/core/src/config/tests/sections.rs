//! Unit tests for section rules: defaults, unknown keys and sections, wrong types, references
//! between sections, Burrow's legacy and ignored keys and one Kafka consumer per cluster (client
//! profiles have `profiles.rs`, `kafka_zk` consumers `zookeeper.rs`).

use std::time::Duration;

use super::super::{ConsumerClass, GroupFilter, LogLevel, SaslMechanism};
use super::{errors, ok, warnings};

const CLUSTER: &str = "[cluster.local]\nservers = [\"127.0.0.1:9092\"]\n";

fn with_cluster(rest: &str) -> String {
    format!("{CLUSTER}{rest}")
}

#[test]
fn empty_file_gets_every_default_and_a_nothing_to_monitor_warning() {
    let loaded = ok("");
    let config = &loaded.config;
    assert_eq!(config.logging.level, LogLevel::Info);
    assert_eq!(config.storage.name, "default");
    assert_eq!(config.storage.intervals, 10);
    assert_eq!(config.storage.expire_group, Duration::from_secs(604_800));
    assert_eq!(config.evaluator.expire_cache, Duration::from_secs(10));
    assert_eq!(
        config.http_servers["default"].address.to_string(),
        "127.0.0.1:8000"
    );
    assert_eq!(config.client_profiles["default"].client_id, "warren");
    assert_eq!(
        warnings(&loaded),
        ["cluster: no [cluster.NAME] sections: Warren has nothing to monitor"]
    );
}

#[test]
fn cluster_defaults_to_the_implicit_profile_and_burrow_refresh_periods() {
    let config = ok(CLUSTER).config;
    let cluster = &config.clusters["local"];
    assert_eq!(cluster.client_profile.name, "default");
    assert_eq!(cluster.topic_refresh, Duration::from_secs(60));
    assert_eq!(cluster.offset_refresh, Duration::from_secs(10));
}

#[test]
fn user_defined_default_profile_overrides_the_implicit_one() {
    let config = ok(&with_cluster(
        "[client-profile.default]\nclient-id = \"mine\"\n",
    ))
    .config;
    assert_eq!(config.clusters["local"].client_profile.client_id, "mine");
}

#[test]
fn unknown_key_suggests_the_closest_and_lists_valid_keys() {
    let errors = errors("[cluster.local]\nserver = [\"k:1\"]\n");
    assert_eq!(
        errors,
        [
            r#"cluster.local.server: unknown key; did you mean "servers"? (example: valid keys: class-name, servers, client-profile, topic-refresh, offset-refresh, evaluator, group-filters, labels)"#,
            r#"cluster.local.servers: missing required key (example: servers = ["kafka-1:9092", "kafka-2:9092"])"#,
        ]
    );
}

#[test]
fn unknown_section_lists_the_valid_ones() {
    let errors = errors("[clusters.x]\n");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("clusters: unknown section; did you mean [cluster]?"),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("valid sections: general, logging, cluster"),
        "{errors:?}"
    );
}

#[test]
fn wrong_type_names_both_types() {
    let errors = errors("[general]\naccess-control-allow-origin = 1\n");
    assert_eq!(
        errors,
        ["general.access-control-allow-origin: expected a string, got an integer"]
    );
}

#[test]
fn burrow_only_sections_and_keys_are_warnings() {
    let text = with_cluster(
        "[general]\npidfile = \"burrow.pid\"\n[zookeeper]\nservers = [\"zk:2181\"]\n\
         [iam.msk]\nregion = \"eu-west-1\"\n[logging]\nlevel = \"fatal\"\nmaxsize = 100\n",
    );
    let loaded = ok(&text);
    assert_eq!(loaded.config.logging.level, LogLevel::Error);
    assert_eq!(
        warnings(&loaded),
        [
            "iam.msk: MSK IAM is configured in [sasl.NAME] with mechanism = \"AWS_MSK_IAM\"; section ignored",
            "logging.level: level \"fatal\" is treated as \"error\"",
            "logging.maxsize: ignored: Warren does not rotate its log file itself: rotate it with logrotate (size, rotate, maxage, compress) and a postrotate of `kill -USR1 $(cat PIDFILE)`, on which Warren reopens `filename`",
            "zookeeper: Warren needs no ZooKeeper; section ignored",
        ]
    );
}

#[test]
fn consumer_inherits_servers_and_profile_from_its_cluster() {
    let text = "[client-profile.p]\nclient-id = \"p\"\n[cluster.local]\nservers = \"a:1,b:2\"\n\
                client-profile = \"p\"\n[consumer.local]\nclass-name = \"kafka\"\ncluster = \"local\"\n";
    let consumer = &ok(text).config.consumers["local"];
    assert_eq!(consumer.servers, ["a:1", "b:2"]);
    assert_eq!(consumer.client_profile.client_id, "p");
    assert_eq!(
        consumer.class,
        ConsumerClass::Kafka {
            offsets_topic: "__consumer_offsets".into(),
            start_latest: false
        }
    );
}

#[test]
fn undefined_references_are_errors_at_the_referring_key() {
    let text = "[client-profile.p]\ntls = \"t\"\nsasl = \"s\"\n[cluster.local]\nservers = [\"k:1\"]\n\
                client-profile = \"nope\"\n[consumer.c]\nclass-name = \"kafka\"\ncluster = \"other\"\n";
    let errors = errors(text);
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors[0].starts_with("client-profile.p.sasl: sasl profile \"s\" is not defined"));
    assert!(errors[1].starts_with("client-profile.p.tls: tls profile \"t\" is not defined"));
    assert!(
        errors[2]
            .starts_with("cluster.local.client-profile: client profile \"nope\" is not defined")
    );
    assert!(
        errors[3].starts_with(
            "consumer.c.cluster: cluster \"other\" is not defined (defined: \"local\")"
        )
    );
}

#[test]
fn legacy_group_keys_are_accepted_with_a_warning() {
    let text = with_cluster(
        "[consumer.local]\nclass-name = \"kafka\"\ncluster = \"local\"\n\
         group-whitelist = \"^pay\"\ngroup-blacklist = \"\"\n",
    );
    let loaded = ok(&text);
    let groups = &loaded.config.consumers["local"].groups;
    assert_eq!(
        groups.allow.as_ref().map(regex::Regex::as_str),
        Some("^pay")
    );
    assert!(groups.deny.is_none());
    assert_eq!(
        warnings(&loaded),
        [
            "consumer.local.group-blacklist: renamed to group-denylist; accepted as group-denylist",
            "consumer.local.group-whitelist: renamed to group-allowlist; accepted as group-allowlist",
        ]
    );
}

#[test]
fn legacy_group_key_with_its_new_spelling_is_an_error() {
    let errors = errors("[storage.s]\ngroup-denylist = \"a\"\ngroup-blacklist = \"b\"\n");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with("storage.s.group-blacklist: given together with group-denylist"));
}

#[test]
fn group_allowlist_and_denylist_compile_into_the_filter() {
    let text = with_cluster("[storage.s]\ngroup-allowlist = \"^pay\"\ngroup-denylist = \"test\"\n");
    let groups = ok(&text).config.storage.groups;
    assert!(groups.accepts("payments"));
    assert!(!groups.accepts("payments-test"));
    assert!(!groups.accepts("orders"));
}

#[test]
fn burrow_style_patterns_that_go_accepts_compile_and_match_as_in_go() {
    // Patterns seen in Burrow configs: RE2 accepts case folding, Unicode classes and scripts.
    let text = with_cluster(
        "[storage.s]\ngroup-allowlist = '(?i)^(pay|ORD)\\pL+-\\d+$'\n\
         group-denylist = '(?i)test|\\p{Greek}'\n",
    );
    let groups = ok(&text).config.storage.groups;
    assert!(groups.accepts("PAYments-1"));
    assert!(groups.accepts("orderés-22"));
    assert!(!groups.accepts("payTEST-1"));
    assert!(!groups.accepts("payλ-1"));
    assert!(!groups.accepts("billing-1"));
}

#[test]
fn group_filter_needs_allow_to_match_and_deny_not_to() {
    let filter = GroupFilter {
        allow: Some(regex::Regex::new("^pay").unwrap()),
        deny: Some(regex::Regex::new("-test$").unwrap()),
    };
    assert!(filter.accepts("payments"));
    assert!(!filter.accepts("orders"));
    assert!(!filter.accepts("payments-test"));
    assert!(GroupFilter::default().accepts("anything"));
    // Unanchored, like Go's MatchString.
    let inner = GroupFilter {
        allow: Some(regex::Regex::new("ment").unwrap()),
        deny: None,
    };
    assert!(inner.accepts("payments"));
}

#[test]
fn second_consumer_for_a_cluster_is_an_error_naming_the_first() {
    let text = with_cluster(
        "[consumer.a]\nclass-name = \"kafka\"\ncluster = \"local\"\n\
         [consumer.b]\nclass-name = \"kafka-admin\"\ncluster = \"local\"\n",
    );
    assert_eq!(
        errors(&text),
        [
            "consumer.b.cluster: cluster \"local\" already has Kafka consumer \"a\"; Warren reads each cluster's commits from at most one Kafka consumer and one kafka_zk consumer"
        ]
    );
}

#[test]
fn consumer_class_rules() {
    let unknown = errors(&with_cluster(
        "[consumer.c]\nclass-name = \"zookeeper\"\ncluster = \"local\"\n",
    ));
    assert!(
        unknown[0].starts_with(
            "consumer.c.class-name: unknown class-name \"zookeeper\"; expected \"kafka\", \
             \"kafka-admin\" or \"kafka_zk\""
        ),
        "{unknown:?}"
    );
    let admin = errors(&with_cluster(
        "[consumer.c]\nclass-name = \"kafka-admin\"\ncluster = \"local\"\nstart-latest = true\n",
    ));
    assert_eq!(
        admin,
        ["consumer.c.start-latest: start-latest is only valid with class-name = \"kafka\""]
    );
    let missing = errors(&with_cluster("[consumer.c]\ncluster = \"local\"\n"));
    assert!(missing[0].starts_with("consumer.c.class-name: missing required key"));
}

#[test]
fn unused_tls_and_sasl_profiles_are_validated() {
    let text = with_cluster(
        "[tls.t]\ncertfile = \"/c.pem\"\nno-verify = true\n\
         [sasl.s]\nusername = \"u\"\npassword = \"p\"\nmechanism = \"scram-sha-256\"\n",
    );
    let errors = errors(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("tls.t.keyfile: certfile and keyfile must be given together"));
    let config = ok(&with_cluster(
        "[sasl.s]\nusername = \"u\"\npassword = \"p\"\n",
    ))
    .config;
    assert_eq!(config.sasl["s"].mechanism, SaslMechanism::Plain);
    assert!(config.sasl["s"].handshake_first);
}

#[test]
fn an_iam_key_in_a_client_profile_points_to_the_sasl_mechanism() {
    let errors = errors("[client-profile.p]\niam = \"msk\"\n");
    assert_eq!(
        errors,
        [
            "client-profile.p.iam: MSK IAM is configured as SASL: sasl = \"NAME\" naming a \
             [sasl.NAME] with mechanism = \"AWS_MSK_IAM\" and region"
        ]
    );
}

#[test]
fn more_than_one_storage_or_evaluator_is_an_error() {
    let errors = errors("[storage.a]\n[storage.b]\n[evaluator.x]\n[evaluator.y]\n");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("evaluator: only one [evaluator.NAME] section is allowed, found 2")
    );
    assert!(errors[1].starts_with("storage: only one [storage.NAME] section is allowed, found 2"));
}

#[test]
fn numbers_out_of_range_are_errors() {
    let errors = errors(
        "[storage.s]\nintervals = 1001\n[evaluator.e]\nminimum-complete = 1.5\nallowed-lag = -1\n",
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].starts_with("evaluator.e.allowed-lag: must be at least 0, got -1"));
    assert!(
        errors[1].starts_with("evaluator.e.minimum-complete: must be between 0 and 1, got 1.5")
    );
    assert!(errors[2].starts_with("storage.s.intervals: must be between 1 and 1000, got 1001"));
}

#[test]
fn minimum_complete_accepts_integers_zero_and_one() {
    let config = ok(&with_cluster("[evaluator.e]\nminimum-complete = 1\n")).config;
    assert!((config.evaluator.minimum_complete - 1.0).abs() < f64::EPSILON);
}

#[test]
fn duplicate_http_addresses_are_errors() {
    let errors =
        errors("[httpserver.a]\naddress = \":8000\"\n[httpserver.b]\naddress = \"0.0.0.0:8000\"\n");
    assert_eq!(
        errors,
        ["httpserver.b.address: address 0.0.0.0:8000 is already used by httpserver \"a\""]
    );
}

#[test]
fn every_error_is_reported_sorted_by_path() {
    let text = "[storage.s]\nintervals = 0\n[cluster.b]\nservers = []\n[cluster.a]\ntopic-refresh = \"x\"\n";
    let errors = errors(text);
    let paths: Vec<&str> = errors
        .iter()
        .map(|e| e.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        paths,
        [
            "cluster.a.servers",
            "cluster.a.topic-refresh",
            "cluster.b.servers",
            "storage.s.intervals"
        ]
    );
}

#[test]
fn an_https_listener_needs_a_tls_profile_with_a_certificate() {
    let errors = errors(
        "[tls.kafka]\ncafile = \"/ca.pem\"\n\
         [httpserver.a]\naddress = \":443\"\ntls = \"web\"\n\
         [httpserver.b]\naddress = \":444\"\ntls = \"kafka\"\n",
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("httpserver.a.tls: no [tls.web] section"));
    assert!(errors[1].starts_with("httpserver.b.tls: [tls.kafka] has no certfile and keyfile"));
    let loaded = ok("[tls.web]\ncertfile = \"/c.pem\"\nkeyfile = \"/k.pem\"\n\
                     [httpserver.a]\naddress = \":443\"\ntls = \"web\"\n");
    assert_eq!(loaded.config.http_servers["a"].tls.as_deref(), Some("web"));
}

#[test]
fn burrow_timeout_in_seconds_is_the_request_timeout() {
    let loaded = ok("[httpserver.a]\naddress = \":8000\"\ntimeout = 300\n");
    let a = &loaded.config.http_servers["a"];
    assert_eq!(a.timeout, std::time::Duration::from_secs(300));
    let about_http: Vec<String> = warnings(&loaded)
        .into_iter()
        .filter(|w| w.starts_with("httpserver"))
        .collect();
    assert_eq!(
        about_http,
        Vec::<String>::new(),
        "timeout is honoured, not ignored"
    );
}

#[test]
fn api_credentials_are_never_echoed_in_errors_or_the_resolved_config() {
    let errors = errors(
        "[api-token.t]\ntoken = \"hunter2-pasted\"\nrole = \"read\"\n\
         [api-user.u]\npassword-hash = \"hunter2-pasted\"\nrole = \"read\"\n",
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|e| !e.contains("hunter2")), "{errors:?}");
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    let loaded = ok(&format!(
        "[api-user.u]\npassword-hash = \"{hash}\"\nrole = \"admin\"\n"
    ));
    let json = serde_json::to_string(&loaded.config).unwrap();
    assert!(!json.contains("argon2"), "{json}");
    assert_eq!(loaded.config.api_users["u"].password_hash.expose(), hash);
}

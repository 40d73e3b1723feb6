//! Unit tests for Kafka client profiles: `[tls.NAME]` and `[sasl.NAME]` resolved into the
//! profile a cluster or consumer uses, password references, secrets kept out of every dump,
//! and the `librdkafka` escape hatch with the properties it refuses by name.

use super::super::{SaslCredentials, SaslMechanism, SaslProfile, SecretRef, SecretSource};
use super::{errors, errors_with, ok, ok_with, warnings};

fn password(profile: &SaslProfile) -> &SecretSource {
    match &profile.credentials {
        SaslCredentials::Password { password, .. } => password,
        other => panic!("not a password: {other:?}"),
    }
}

const SECURE: &str = "[tls.t]\ncafile = \"/etc/kafka/ca.pem\"\ncertfile = \"/c.pem\"\nkeyfile = \"/k.pem\"\n\
    [sasl.s]\nusername = \"warren\"\npassword = \"${SASL_PASSWORD}\"\nmechanism = \"SCRAM-SHA-512\"\n\
    [client-profile.secure]\ntls = \"t\"\nsasl = \"s\"\n\
    [cluster.c]\nservers = [\"k:9093\"]\nclient-profile = \"secure\"\n\
    [consumer.c]\nclass-name = \"kafka\"\ncluster = \"c\"\n";

#[test]
fn a_cluster_and_its_consumer_get_the_tls_and_sasl_settings_their_profile_names() {
    let config = ok_with(SECURE, &[("SASL_PASSWORD", "hunter2")]).config;
    for profile in [
        &config.clusters["c"].client_profile,
        &config.consumers["c"].client_profile,
    ] {
        let tls = profile.tls_settings.as_ref().expect("tls resolved");
        assert_eq!(tls.cafile.as_deref(), Some("/etc/kafka/ca.pem".as_ref()));
        assert_eq!(tls.keyfile.as_deref(), Some("/k.pem".as_ref()));
        let sasl = profile.sasl_settings.as_ref().expect("sasl resolved");
        assert_eq!(sasl.mechanism, SaslMechanism::ScramSha512);
        assert_eq!(password(sasl).read().expect("inline").expose(), "hunter2");
    }
}

#[test]
fn the_password_never_appears_in_the_resolved_config_or_its_debug_form() {
    let config = ok_with(SECURE, &[("SASL_PASSWORD", "hunter2")]).config;
    let json = serde_json::to_string(&config).expect("serializes");
    let debug = format!("{config:?}");
    assert!(!json.contains("hunter2") && !debug.contains("hunter2"));
    assert!(json.contains(r#""password":"***""#), "{json}");
}

#[test]
fn a_password_may_name_an_environment_variable_or_a_file_read_when_connecting() {
    let text = "[sasl.e]\nusername = \"u\"\npassword = \"env:KAFKA_PW\"\n\
                [sasl.f]\nusername = \"u\"\npassword = \"file:/run/secrets/kafka\"\n";
    // KAFKA_PW is not set at load time: it is read when a client connects.
    let config = ok(text).config;
    assert_eq!(
        *password(&config.sasl["e"]),
        SecretSource::Ref(SecretRef::Env("KAFKA_PW".into()))
    );
    assert_eq!(
        *password(&config.sasl["f"]),
        SecretSource::Ref(SecretRef::File("/run/secrets/kafka".into()))
    );
    let json = serde_json::to_value(&config.sasl).expect("serializes");
    assert_eq!(
        json["e"]["password"],
        serde_json::json!({ "env": "KAFKA_PW" })
    );
}

#[test]
fn an_empty_password_reference_is_an_error_at_its_key() {
    assert_eq!(
        errors("[sasl.s]\nusername = \"u\"\npassword = \"env:\"\n"),
        [
            r#"sasl.s.password: env: needs a variable name (example: password = "env:KAFKA_PASSWORD")"#
        ]
    );
}

#[test]
fn a_reference_to_an_unset_variable_fails_when_read_and_names_only_the_variable() {
    let source = SecretSource::Ref(SecretRef::Env("WARREN_TEST_NOT_SET_ANYWHERE".into()));
    assert_eq!(
        source.read().unwrap_err(),
        "environment variable WARREN_TEST_NOT_SET_ANYWHERE is not set"
    );
}

#[test]
fn plain_without_tls_warns_that_the_password_travels_unencrypted() {
    let loaded = ok(
        "[sasl.s]\nusername = \"u\"\npassword = \"p\"\n[client-profile.p]\nsasl = \"s\"\n\
         [cluster.c]\nservers = [\"k:1\"]\nclient-profile = \"p\"\n",
    );
    assert_eq!(
        warnings(&loaded),
        [
            "client-profile.p.sasl: sasl profile \"s\" uses PLAIN without tls: the password crosses the network unencrypted"
        ]
    );
}

#[test]
fn raw_librdkafka_properties_are_kept_as_strings_and_credentials_print_as_stars() {
    let text = "[client-profile.p.librdkafka]\n\"socket.timeout.ms\" = 30000\n\
                \"ssl.cipher.suites\" = \"ECDHE-RSA-AES256-GCM-SHA384\"\n\
                \"ssl.key.password\" = \"k3y\"\n\"api.version.request\" = true\n\
                [cluster.c]\nservers = [\"k:1\"]\nclient-profile = \"p\"\n";
    let config = ok(text).config;
    let raw = &config.clusters["c"].client_profile.librdkafka;
    let pairs: Vec<(&str, &str)> = raw.iter().collect();
    assert_eq!(
        pairs,
        [
            ("api.version.request", "true"),
            ("socket.timeout.ms", "30000"),
            ("ssl.cipher.suites", "ECDHE-RSA-AES256-GCM-SHA384"),
            ("ssl.key.password", "k3y"),
        ]
    );
    let json = serde_json::to_value(raw).expect("serializes");
    assert_eq!(json["ssl.key.password"], "***");
    assert_eq!(json["socket.timeout.ms"], "30000");
    assert!(!format!("{raw:?}").contains("k3y"));
}

#[test]
fn raw_properties_warren_depends_on_are_refused_by_name_with_the_reason() {
    let errors = errors(
        "[client-profile.p.librdkafka]\n\"group.id\" = \"x\"\n\"isolation.level\" = \"read_uncommitted\"\n\
         \"bootstrap.servers\" = \"k:1\"\n\"enable.auto.commit\" = \"true\"\n\"fetch.wait.max.ms\" = [1]\n",
    );
    assert_eq!(
        errors,
        [
            r#"client-profile.p.librdkafka."bootstrap.servers": refused: set by the cluster's `servers`"#,
            r#"client-profile.p.librdkafka."enable.auto.commit": refused: Warren must never commit offsets"#,
            r#"client-profile.p.librdkafka."fetch.wait.max.ms": expected a string, got an array (example: [client-profile.NAME.librdkafka] "socket.timeout.ms" = "30000")"#,
            r#"client-profile.p.librdkafka."group.id": refused: Warren names its own readers; they never join a group"#,
            r#"client-profile.p.librdkafka."isolation.level": refused: the offsets-topic reader must read committed records only (aborted transactional commits must not count)"#,
        ]
    );
}

#[test]
fn security_properties_are_refused_where_tls_or_sasl_sets_them_and_allowed_elsewhere() {
    let errors = errors_with(
        "[tls.t]\n[sasl.s]\nusername = \"u\"\npassword = \"p\"\n\
         [client-profile.typed]\ntls = \"t\"\nsasl = \"s\"\n\
         [client-profile.typed.librdkafka]\n\"security.protocol\" = \"plaintext\"\n\
         \"enable.ssl.certificate.verification\" = \"false\"\n\"sasl.mechanism\" = \"GSSAPI\"\n",
        &[],
    );
    assert_eq!(
        errors,
        [
            r#"client-profile.typed.librdkafka."enable.ssl.certificate.verification": refused: set by the profile's [tls.NAME] section"#,
            r#"client-profile.typed.librdkafka."sasl.mechanism": refused: set by the profile's [sasl.NAME] section"#,
            r#"client-profile.typed.librdkafka."security.protocol": refused: set by the profile's `tls`/`sasl` (Warren never falls back to plaintext)"#,
        ]
    );
    // Without typed sections, a mechanism Warren has no keys for can be set by hand.
    let config = ok("[client-profile.kerberos.librdkafka]\n\"security.protocol\" = \"sasl_ssl\"\n\
                     \"sasl.mechanism\" = \"GSSAPI\"\n\"sasl.kerberos.keytab\" = \"/etc/warren.keytab\"\n")
    .config;
    assert_eq!(config.client_profiles["kerberos"].librdkafka.0.len(), 3);
}

#[test]
fn handshake_first_false_is_accepted_with_a_warning() {
    let loaded = ok(
        "[sasl.s]\nusername = \"u\"\npassword = \"p\"\nhandshake-first = false\n\
         [cluster.c]\nservers = [\"k:1\"]\n",
    );
    assert_eq!(
        warnings(&loaded),
        [
            "sasl.s.handshake-first: ignored: Warren's Kafka client always sends the SASL handshake first"
        ]
    );
}

#[test]
fn bearer_tokens_without_tls_warn_that_they_travel_unencrypted() {
    let loaded = ok(
        "[sasl.o]\nmechanism = \"OAUTHBEARER\"\ntoken-endpoint = \"https://idp/t\"\n\
         client-id = \"w\"\nclient-secret = \"env:S\"\n[client-profile.p]\nsasl = \"o\"\n",
    );
    assert_eq!(
        warnings(&loaded)[0],
        "client-profile.p.sasl: sasl profile \"o\" uses OAUTHBEARER without tls: tokens cross \
         the network unencrypted"
    );
}

#[test]
fn a_token_endpoint_may_be_plain_http_only_on_this_machine() {
    use super::super::profiles::check_token_endpoint;
    for ok in [
        "https://idp.example.com/token",
        "http://127.0.0.1:8080/token",
        "http://localhost/token",
        "http://[::1]:9/t",
    ] {
        assert_eq!(check_token_endpoint(ok), Ok(()), "{ok}");
    }
    for bad in [
        "http://idp.example.com/token",
        "http://127.0.0.1.evil.com/t",
        "https:///token",
        "ftp://idp",
    ] {
        assert!(check_token_endpoint(bad).is_err(), "{bad}");
    }
}

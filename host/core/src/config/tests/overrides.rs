//! Environment overrides of keys (`WARREN_*`, `BURROW_*`, `[general] env-var-prefix`).

use super::super::{Loaded, Problem, load_with_overrides};
use super::env_of;
use std::time::Duration;

const BASE: &str = r#"
[general]
env-var-prefix = "lagmon"

[logging]
level = "info"

[cluster.local]
servers = ["a:9092"]

[cluster.local-eu]
servers = ["eu:9092"]

[consumer.local]
class-name = "kafka"
cluster = "local"
servers = ["a:9092"]

[storage.default]
intervals = 10

[client-profile.p]
client-id = "1234"
"#;

fn with(vars: &[(&str, &str)]) -> Result<Loaded, Vec<Problem>> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    load_with_overrides(BASE, &env_of(&[]), &vars)
}

fn loaded(vars: &[(&str, &str)]) -> Loaded {
    with(vars).unwrap_or_else(|e| panic!("{e:?}"))
}

fn paths(loaded: &Loaded) -> Vec<(&str, &str)> {
    loaded
        .overrides
        .iter()
        .map(|o| (o.path.as_str(), o.variable.as_str()))
        .collect()
}

#[test]
fn a_warren_variable_sets_an_existing_key_and_is_reported_by_path() {
    let l = loaded(&[("WARREN_LOGGING_LEVEL", "debug")]);
    assert_eq!(l.config.logging.level, crate::config::LogLevel::Debug);
    assert_eq!(paths(&l), [("logging.level", "WARREN_LOGGING_LEVEL")]);
}

#[test]
fn burrows_prefix_and_the_files_env_var_prefix_work_too() {
    let l = loaded(&[
        ("BURROW_STORAGE_DEFAULT_INTERVALS", "15"),
        ("LAGMON_LOGGING_LEVEL", "warn"),
    ]);
    assert_eq!(l.config.storage.intervals, 15);
    assert_eq!(l.config.logging.level, crate::config::LogLevel::Warn);
}

#[test]
fn a_named_section_is_found_by_the_longest_name_and_a_list_splits_on_commas() {
    let l = loaded(&[("WARREN_CLUSTER_LOCAL_EU_SERVERS", "x:1,y:2")]);
    assert_eq!(l.config.clusters["local-eu"].servers, ["x:1", "y:2"]);
    assert_eq!(l.config.clusters["local"].servers, ["a:9092"]);
    assert_eq!(
        paths(&l),
        [(
            "cluster.local-eu.servers",
            "WARREN_CLUSTER_LOCAL_EU_SERVERS"
        )]
    );
}

#[test]
fn a_new_key_in_an_existing_section_is_spelled_in_kebab_case_and_typed() {
    let l = loaded(&[
        ("WARREN_STORAGE_DEFAULT_EXPIRE_GROUP", "120"),
        ("WARREN_GENERAL_PIDFILE", "/run/warren.pid"),
    ]);
    assert_eq!(l.config.storage.expire_group, Duration::from_secs(120));
    assert_eq!(
        l.config.general.pidfile.as_deref(),
        Some(std::path::Path::new("/run/warren.pid"))
    );
}

#[test]
fn a_text_key_stays_text_even_when_the_value_reads_as_a_number() {
    let l = loaded(&[("WARREN_CLIENT_PROFILE_P_CLIENT_ID", "5678")]);
    assert_eq!(l.config.client_profiles["p"].client_id, "5678");
}

#[test]
fn variables_naming_no_section_or_an_unknown_name_are_left_alone() {
    let l = loaded(&[
        ("WARREN_TOKEN", "secret"),
        ("WARREN_KAFKA_DIR", "/tmp/x"),
        ("WARREN_CLUSTER_NOPE_SERVERS", "z:1"),
        ("HOME", "/root"),
    ]);
    assert!(l.overrides.is_empty(), "{:?}", l.overrides);
    assert_eq!(l.config.clusters.len(), 2);
}

#[test]
fn a_misspelt_key_is_an_unknown_key_error_at_its_path() {
    let errors = with(&[("WARREN_LOGGING_LEVLE", "debug")]).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "logging.levle");
}

#[test]
fn a_value_of_the_wrong_type_is_reported_at_the_keys_path() {
    let errors = with(&[("WARREN_STORAGE_DEFAULT_INTERVALS", "many")]).unwrap_err();
    assert_eq!(errors[0].path, "storage.default.intervals", "{errors:?}");
}

#[test]
fn a_translated_notifier_shows_an_overridden_value_as_its_variable_never_the_value() {
    let text = "[notifier.hook]\nclass-name = \"http\"\nurl-open = \"https://hooks.example.com/x\"\n\
                extras = { api_key = \"placeholder\" }\n";
    let vars = [
        (
            "BURROW_NOTIFIER_HOOK_URL_OPEN".to_owned(),
            "https://hooks.example.com/services/T0/SECRET".to_owned(),
        ),
        (
            "WARREN_NOTIFIER_HOOK_EXTRAS_API_KEY".to_owned(),
            "key-s3cret".to_owned(),
        ),
    ];
    let loaded = load_with_overrides(text, &env_of(&[]), &vars).expect("loads");
    let plugin = &loaded.config.plugins["hook"];
    // The plugin gets the values...
    assert_eq!(
        plugin.settings["url"],
        "https://hooks.example.com/services/T0/SECRET"
    );
    assert_eq!(plugin.settings["extras"]["api_key"], "key-s3cret");
    // ...the Warren form printed by check-config names where they come from.
    let toml = &loaded.translations[0].toml;
    assert!(
        !toml.contains("SECRET") && !toml.contains("s3cret"),
        "{toml}"
    );
    assert!(
        toml.contains("url = \"${BURROW_NOTIFIER_HOOK_URL_OPEN}\""),
        "{toml}"
    );
    assert!(
        toml.contains("api_key = \"${WARREN_NOTIFIER_HOOK_EXTRAS_API_KEY}\""),
        "{toml}"
    );
}

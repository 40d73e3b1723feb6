//! Tests for config loading: shared helpers, the golden-file runner over
//! `host/core/tests/config/*.toml`, and the check that the reference `config/warren.toml` loads
//! cleanly. Rule-by-rule unit tests live in `tests/values.rs` (value grammars) and
//! `tests/sections.rs` (section rules and cross-references).

mod overrides;
mod plugins;
mod profiles;
mod sections;
mod topics_and_metrics;
mod values;
mod zookeeper;

use std::fs;
use std::path::{Path, PathBuf};

use super::{Loaded, Problem, load, load_in};

/// A hermetic environment built from pairs.
pub(super) fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// Loads `text` with an empty environment, failing the test on any error.
pub(super) fn ok(text: &str) -> Loaded {
    ok_with(text, &[])
}

/// Loads `text` with the given environment, failing the test on any error.
pub(super) fn ok_with(text: &str, env: &[(&str, &str)]) -> Loaded {
    match load(text, &env_of(env)) {
        Ok(loaded) => loaded,
        Err(errors) => panic!("expected the config to load, got:\n{}", lines(&errors)),
    }
}

/// Loads `text` with the given environment and returns the errors as display lines.
pub(super) fn errors_with(text: &str, env: &[(&str, &str)]) -> Vec<String> {
    match load(text, &env_of(env)) {
        Ok(loaded) => panic!("expected errors, the config loaded: {:#?}", loaded.config),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

/// Loads `text` with an empty environment and returns the errors as display lines.
pub(super) fn errors(text: &str) -> Vec<String> {
    errors_with(text, &[])
}

/// Warnings as display lines.
pub(super) fn warnings(loaded: &Loaded) -> Vec<String> {
    loaded.warnings.iter().map(ToString::to_string).collect()
}

fn lines(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

/// The fixed environment every golden file is loaded with.
const GOLDEN_ENV: &[(&str, &str)] = &[
    ("KAFKA_SERVERS", "10.0.0.1:9092,10.0.0.2:9092"),
    ("HTTP_PORT", "8080"),
    ("ADMIN_PORT", ""),
    ("LOG_FORMAT", "json"),
    ("SASL_PASSWORD", "hunter2"),
    ("NOTIFIER_API_KEY", "key-from-the-environment"),
];

/// What a golden `.out` file holds: the resolved config and warnings as pretty JSON, or one
/// error per line.
fn render(text: &str) -> String {
    // Files a config names (Burrow's templates) are found beside the golden inputs.
    // Relative (tests run in the crate folder), so messages naming a path hold no checkout path.
    match load_in(
        text,
        &env_of(GOLDEN_ENV),
        &[],
        Some(Path::new("tests/config")),
    ) {
        Ok(loaded) => {
            let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
            let mut value = serde_json::json!({ "config": loaded.config, "warnings": warnings });
            if !loaded.translations.is_empty() {
                let translations: Vec<_> = loaded
                    .translations
                    .iter()
                    .map(|t| serde_json::json!({ "section": t.section, "toml": t.toml.lines().collect::<Vec<_>>(), "notes": t.notes }))
                    .collect();
                value["translations"] = serde_json::Value::Array(translations);
            }
            let json = serde_json::to_string_pretty(&value)
                .unwrap_or_else(|error| format!("serialization failed: {error}"));
            format!("{json}\n")
        }
        Err(errors) => lines(&errors),
    }
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/config")
}

#[test]
fn golden_files_match_their_expected_output() {
    let mut inputs: Vec<PathBuf> = fs::read_dir(golden_dir())
        .expect("tests/config exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 5,
        "golden inputs missing from {}",
        golden_dir().display()
    );

    let mut failures = Vec::new();
    for input in &inputs {
        let text = fs::read_to_string(input).expect("readable golden input");
        let actual = render(&text);
        if let Err(failure) = warren_testkit::golden::check(&input.with_extension("out"), &actual) {
            failures.push(failure);
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden file(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn reference_config_loads_without_errors_or_warnings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/warren.toml");
    let text = fs::read_to_string(&path).expect("config/warren.toml exists");
    let loaded = ok(&text);
    assert_eq!(warnings(&loaded), Vec::<String>::new());
    let config = loaded.config;
    assert_eq!(config.clusters["local"].servers, ["127.0.0.1:9092"]);
    assert!(config.consumers.contains_key("local"));
}

#[test]
fn reference_config_writes_out_every_default() {
    // The reference file spells out defaults; it must resolve exactly like an empty section.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/warren.toml");
    let text = fs::read_to_string(&path).expect("config/warren.toml exists");
    let full = ok(&text).config;
    let minimal = ok(r#"
        [cluster.local]
        servers = ["127.0.0.1:9092"]
        [consumer.local]
        class-name = "kafka"
        cluster = "local"
    "#)
    .config;
    let json = |c: &super::Config| serde_json::to_value(c).expect("config serializes");
    assert_eq!(json(&full), json(&minimal));
}

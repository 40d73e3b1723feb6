//! The `webhook` notifier's config as operators meet it: its JSON Schema and every
//! `validate-config` problem over a corpus of configs, against a golden file (`BLESS=1`
//! rewrites it).

use std::path::Path;

use warren_plugin_sdk::notifier::fixture::config_report;
use warren_plugin_sdk::notifier::validate;
use warren_plugin_sdk::settings::schema;

use webhook::config::Settings;

#[test]
fn the_schema_and_every_problem_match_the_golden_file() {
    let report = config_report(&schema::<Settings>(), validate::<Settings>, VALID, EXTRA);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/config.txt");
    warren_testkit::golden::assert(&golden, &report);
}

/// The smallest config that sends.
const VALID: &str = r#"{"url": "https://hooks.example.com/kafka"}"#;

/// Configs the generated corpus would not write: several problems at once.
const EXTRA: &[&str] = &[
    r#"{"url": "https://h", "method": "put", "method-close": "delete", "format": "warren", "extras": {"a": "b"}}"#,
    r#"{"url": "https://h", "method": "DELETE", "method-close": "GET", "format": "Warren"}"#,
    r#"{"url": "ftp://h", "url-close": 3, "method": 4, "headers": {"": "x", "ok": "a\r\nb"}, "format": 5, "extras": 6}"#,
    r#"{"format": "warren", "extras": {"a": "b"}}"#,
    r#"{"url": "https://h", "headers": {"Authorization": "Bearer ${secret:token}"}, "extras": {"api_key": "${secret:api_key}"}}"#,
];

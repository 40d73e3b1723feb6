//! The `email` notifier's config as operators meet it: its JSON Schema and every
//! `validate-config` problem over a corpus of configs, against a golden file (`BLESS=1`
//! rewrites it).

use std::path::Path;

use warren_plugin_sdk::notifier::fixture::config_report;
use warren_plugin_sdk::notifier::validate;
use warren_plugin_sdk::settings::schema;

use email::config::Settings;

#[test]
fn the_schema_and_every_problem_match_the_golden_file() {
    let report = config_report(&schema::<Settings>(), validate::<Settings>, VALID, EXTRA);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/config.txt");
    warren_testkit::golden::assert(&golden, &report);
}

/// The smallest config that sends.
const VALID: &str = r#"{"to": ["ops@example.com"]}"#;

/// Configs the generated corpus would not write: several problems at once.
const EXTRA: &[&str] = &[
    r#"{"to": ["ops@example.com", "Ops <ops@example.com>", "nobody", 7, "a@b, c@d"], "subject-prefix": "x\ny", "link": "ftp://w", "from": "me"}"#,
    r#"{"to": ["@x", "a@", "a@b@c"], "subject-prefix": 3}"#,
    r#"{"link": "https://warren.example.com/${secret:path}"}"#,
];

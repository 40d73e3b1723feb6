//! Unit tests for the value grammars: environment substitution, durations, server lists, listen
//! addresses, regexes, section names, problem formatting and TOML syntax errors.

use std::net::SocketAddr;
use std::time::Duration;

use super::super::{Problem, Secret, duration, env, values};
use super::{errors, errors_with, ok, ok_with};

fn sub(text: &str, pairs: &[(&str, &str)]) -> Result<String, Vec<String>> {
    env::substitute(text, &super::env_of(pairs))
}

#[test]
fn substitution_replaces_variables_and_keeps_the_rest() {
    assert_eq!(sub("a-${X}-b", &[("X", "1")]), Ok("a-1-b".to_owned()));
    assert_eq!(
        sub("${X}${Y}", &[("X", "1"), ("Y", "2")]),
        Ok("12".to_owned())
    );
}

#[test]
fn substitution_uses_the_default_when_unset_or_empty() {
    assert_eq!(sub("${X:-dflt}", &[]), Ok("dflt".to_owned()));
    assert_eq!(sub("${X:-dflt}", &[("X", "")]), Ok("dflt".to_owned()));
    assert_eq!(sub("${X:-dflt}", &[("X", "set")]), Ok("set".to_owned()));
    assert_eq!(sub("${X:-}", &[]), Ok(String::new()));
}

#[test]
fn substitution_keeps_a_set_but_empty_variable_without_default() {
    assert_eq!(sub("<${X}>", &[("X", "")]), Ok("<>".to_owned()));
}

#[test]
fn substitution_reports_every_unset_variable() {
    let result = sub("${A}:${B}", &[]);
    assert_eq!(
        result,
        Err(vec![
            "environment variable A is not set".to_owned(),
            "environment variable B is not set".to_owned()
        ])
    );
}

#[test]
fn double_dollar_is_a_literal_dollar_and_a_lone_dollar_is_kept() {
    assert_eq!(sub("cost$$5", &[]), Ok("cost$5".to_owned()));
    assert_eq!(sub("^tmp-.*$", &[]), Ok("^tmp-.*$".to_owned()));
    assert_eq!(sub("$$${X}", &[("X", "v")]), Ok("$v".to_owned()));
}

#[test]
fn unterminated_or_malformed_references_are_errors() {
    let unterminated = sub("abc${X", &[("X", "1")]).unwrap_err();
    assert!(
        unterminated[0].starts_with("unterminated \"${\" at character 4"),
        "{unterminated:?}"
    );
    let bad = sub("é${1X}", &[]).unwrap_err();
    assert!(
        bad[0].starts_with("invalid variable reference at character 2:"),
        "{bad:?}"
    );
    assert!(sub("${}", &[]).is_err());
}

#[test]
fn a_literal_password_with_a_dollar_brace_is_never_quoted_in_an_error() {
    // Errors reach the terminal, the log and the reload response.
    let text = "[sasl.s]\nusername = \"u\"\npassword = \"hunter2${oops\"\n\
                [plugin.p]\nkind = \"notifier\"\npath = \"builtin:webhook\"\n\
                [plugin.p.config]\ntoken = \"s3cr3t${1bad}\"\n";
    let all = errors(text).join("\n");
    assert!(all.contains("sasl.s.password: unterminated"), "{all}");
    assert!(!all.contains("hunter2") && !all.contains("s3cr3t"), "{all}");
}

#[test]
fn unset_variable_is_reported_at_the_array_element_path() {
    let text = r#"
        [cluster.local]
        servers = ["127.0.0.1:9092", "${KAFKA_2}"]
    "#;
    assert_eq!(
        errors(text),
        ["cluster.local.servers[1]: environment variable KAFKA_2 is not set"]
    );
}

#[test]
fn substituted_comma_list_becomes_the_server_list() {
    let text = r#"
        [cluster.local]
        servers = "${KAFKA_SERVERS}"
    "#;
    let loaded = ok_with(text, &[("KAFKA_SERVERS", "10.0.0.1:9092, 10.0.0.2:9092")]);
    assert_eq!(
        loaded.config.clusters["local"].servers,
        ["10.0.0.1:9092", "10.0.0.2:9092"]
    );
}

#[test]
fn ignored_sections_are_not_substituted() {
    let text = r#"
        [zookeeper]
        servers = ["${ZK_SERVERS}"]
    "#;
    assert!(super::load(text, &super::env_of(&[])).is_ok());
}

#[test]
fn durations_accept_seconds_units_and_combinations() {
    let secs = Duration::from_secs;
    assert_eq!(duration::parse("10"), Ok(secs(10)));
    assert_eq!(duration::parse("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(duration::parse("10s"), Ok(secs(10)));
    assert_eq!(duration::parse("5m"), Ok(secs(300)));
    assert_eq!(duration::parse("1h"), Ok(secs(3600)));
    assert_eq!(duration::parse("7d"), Ok(secs(604_800)));
    assert_eq!(duration::parse("1h30m"), Ok(secs(5400)));
    assert_eq!(duration::parse("1m 30s"), Ok(secs(90)));
}

#[test]
fn durations_reject_garbage_negatives_and_overflow() {
    assert_eq!(duration::parse("abc"), Err(duration::Invalid::Malformed));
    assert_eq!(duration::parse(""), Err(duration::Invalid::Malformed));
    assert_eq!(duration::parse("10x"), Err(duration::Invalid::Malformed));
    assert_eq!(duration::parse("s"), Err(duration::Invalid::Malformed));
    assert_eq!(duration::parse("-5s"), Err(duration::Invalid::Negative));
    assert_eq!(
        duration::parse("99999999999999999999d"),
        Err(duration::Invalid::TooLarge)
    );
    assert_eq!(
        duration::parse("999999999999999999d"),
        Err(duration::Invalid::TooLarge)
    );
}

#[test]
fn durations_format_canonically() {
    assert_eq!(duration::format(Duration::ZERO), "0s");
    assert_eq!(duration::format(Duration::from_secs(604_800)), "7d");
    assert_eq!(duration::format(Duration::from_secs(5400)), "1h30m");
    assert_eq!(duration::format(Duration::from_millis(1500)), "1s500ms");
}

#[test]
fn bad_duration_is_reported_with_the_key_path_and_an_example() {
    let text = r#"
        [cluster.local]
        servers = ["127.0.0.1:9092"]
        offset-refresh = "abc"
    "#;
    assert_eq!(
        errors(text),
        [
            r#"cluster.local.offset-refresh: expected a duration, got "abc" (example: offset-refresh = "10s")"#
        ]
    );
}

#[test]
fn negative_zero_and_huge_durations_are_errors() {
    let text = r#"
        [cluster.local]
        servers = ["127.0.0.1:9092"]
        offset-refresh = -5
        topic-refresh = 0
        [storage.default]
        expire-group = "100000d"
    "#;
    let errors = errors(text);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("cluster.local.offset-refresh: a duration must not be negative, got -5")
    );
    assert!(errors[1].starts_with("cluster.local.topic-refresh: must be greater than 0"));
    assert!(
        errors[2].starts_with("storage.default.expire-group: duration \"100000d\" is too large")
    );
}

#[test]
fn integer_durations_mean_seconds() {
    let text = r#"
        [cluster.local]
        servers = ["127.0.0.1:9092"]
        offset-refresh = 30
    "#;
    assert_eq!(
        ok(text).config.clusters["local"].offset_refresh,
        Duration::from_secs(30)
    );
}

#[test]
fn servers_accept_hosts_ips_and_bracketed_ipv6() {
    assert_eq!(
        values::parse_server(" kafka-1.example.com:9092 "),
        Ok("kafka-1.example.com:9092".into())
    );
    assert_eq!(
        values::parse_server("10.0.0.1:9092"),
        Ok("10.0.0.1:9092".into())
    );
    assert_eq!(values::parse_server("[::1]:9092"), Ok("[::1]:9092".into()));
}

#[test]
fn servers_need_a_host_a_valid_port_and_brackets_for_ipv6() {
    for bad in [
        "kafka",
        ":9092",
        "kafka:0",
        "kafka:65536",
        "kafka:x",
        "::1:9092",
        "[::1]",
        "[nope]:1",
        "a b:1",
        "",
    ] {
        assert!(
            values::parse_server(bad).is_err(),
            "{bad:?} should be rejected"
        );
    }
}

#[test]
fn each_bad_server_is_reported_at_its_element() {
    let text = r#"
        [cluster.local]
        servers = ["ok:9092", "kafka", 9092]
    "#;
    assert_eq!(
        errors(text),
        [
            r#"cluster.local.servers[1]: invalid server "kafka": missing :port (example: servers = ["kafka-1:9092", "kafka-2:9092"])"#,
            r#"cluster.local.servers[2]: expected a string, got an integer (example: servers = ["kafka-1:9092", "kafka-2:9092"])"#,
        ]
    );
}

#[test]
fn empty_server_list_is_an_error() {
    let text = "[cluster.local]\nservers = []\n";
    assert_eq!(errors(text).len(), 1);
    assert!(errors(text)[0].contains("must not be empty"));
}

#[test]
fn listen_addresses_resolve_blank_and_localhost_hosts() {
    let parse = |s: &str| values::parse_listen(s).map_err(|_| s.to_owned());
    assert_eq!(
        parse(":8000"),
        Ok("0.0.0.0:8000".parse::<SocketAddr>().unwrap())
    );
    assert_eq!(
        parse("localhost:8000"),
        Ok("127.0.0.1:8000".parse().unwrap())
    );
    assert_eq!(parse("10.1.2.3:80"), Ok("10.1.2.3:80".parse().unwrap()));
    assert_eq!(parse("[::1]:8000"), Ok("[::1]:8000".parse().unwrap()));
    assert_eq!(parse("127.0.0.1:0"), Ok("127.0.0.1:0".parse().unwrap()));
    for bad in ["example.com:80", "8000", "127.0.0.1:99999", "::1:80"] {
        assert!(
            values::parse_listen(bad).is_err(),
            "{bad:?} should be rejected"
        );
    }
}

#[test]
fn invalid_regex_is_reported_on_one_line_with_an_example() {
    let text = r#"
        [storage.default]
        group-allowlist = "^(payments"
    "#;
    assert_eq!(
        errors(text),
        [
            r#"storage.default.group-allowlist: invalid regex "^(payments": unclosed group (example: group-allowlist = "^payments-.*")"#
        ]
    );
}

#[test]
fn empty_regex_means_not_set() {
    assert!(values::compile_regex("").unwrap().is_none());
}

#[test]
fn section_names_are_limited_to_url_safe_characters() {
    assert!(values::check_name("prod-east_1.a").is_ok());
    assert!(values::check_name("").is_err());
    assert!(values::check_name("a b").is_err());
    assert!(values::check_name("a/b").is_err());
    let errors = errors("[cluster.\"a/b\"]\nservers = [\"k:1\"]\n");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with(r#"cluster."a/b": invalid section name "a/b""#),
        "{errors:?}"
    );
}

#[test]
fn problems_display_path_message_and_example() {
    let problem = Problem {
        path: "cluster.local.offset-refresh".into(),
        message: "expected a duration, got \"abc\"".into(),
        example: Some("offset-refresh = \"10s\"".into()),
    };
    assert_eq!(
        problem.to_string(),
        r#"cluster.local.offset-refresh: expected a duration, got "abc" (example: offset-refresh = "10s")"#
    );
}

#[test]
fn toml_syntax_error_is_reported_alone_with_line_and_column() {
    let text =
        "[general]\naccess-control-allow-origin = \"x\"\nservers = [\n[cluster.x]\nnope = \n";
    let errors = errors_with(text, &[]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("TOML syntax error at line "),
        "{errors:?}"
    );
    assert!(!errors[0].contains('\n'));
}

#[test]
fn secrets_never_print() {
    let secret = Secret::new("hunter2");
    assert_eq!(format!("{secret:?}"), "***");
    assert_eq!(serde_json::to_string(&secret).unwrap(), "\"***\"");
    assert_eq!(secret.expose(), "hunter2");
}

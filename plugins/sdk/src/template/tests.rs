use super::Template;
use crate::notifier::fixture;
use crate::types::{IncidentKind, Status};

fn render(text: &str) -> String {
    let t = Template::check(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let extras = [("app".to_string(), "kafka".to_string())];
    t.render(&fixture::event(IncidentKind::Opened), &extras)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn burrow_status_numbers_compare_with_status_names() {
    assert_eq!(render("{{if eq .Result.Status 3}}err{{end}}"), "err");
    assert_eq!(render("{{if eq .Result.Status 2 3}}bad{{end}}"), "bad");
    assert_eq!(
        render("{{if gt .Result.Status 1}}above OK{{end}}"),
        "above OK"
    );
    assert_eq!(
        render("{{if ne .Result.Status 2}}not warn{{end}}"),
        "not warn"
    );
    assert_eq!(
        render(r#"{{if eq .Result.Status "ERR"}}named{{end}}"#),
        "named"
    );
    assert_eq!(
        render("{% if Result.Status == 'ERR' %}jinja{% endif %}"),
        "jinja"
    );
}

#[test]
fn values_print_as_go_prints_them() {
    // Complete is 1.0: Go prints 1; a missing extra is ""; the trailing newline stays.
    assert_eq!(
        render("{{.Result.Complete}} [{{index .Extras \"tier\"}}] {{index .Extras \"app\"}}\n"),
        "1 [] kafka\n"
    );
    assert_eq!(
        render("{{if .Extras.tier}}t{{else}}no tier{{end}} [{{.Extras.tier}}] {{.Extras.app}}"),
        "no tier [] kafka"
    );
    let mut e = fixture::event(IncidentKind::Opened);
    e.status.complete = 0.5;
    e.status.partitions[0].end.as_mut().unwrap().lag = None;
    let t =
        Template::check("{{.Result.Complete}} {{range .Result.Partitions}}[{{.End.Lag}}]{{end}}")
            .unwrap();
    assert_eq!(t.render(&e, &[]).unwrap(), "0.5 [][402118]");
}

#[test]
fn jsonencoder_writes_burrows_json() {
    assert_eq!(
        render("{{index .Result.Partitions 1 | jsonencoder}}"),
        r#"{"topic":"payments","partition":7,"owner":"/10.0.0.7","client_id":"payments-1","status":"STALL","start":{"offset":1000,"timestamp":1763632451000,"observedAt":1763632451150,"lag":402118},"end":{"offset":1500,"timestamp":1763633051000,"observedAt":1763633051150,"lag":402118},"current_lag":402118,"complete":1}"#
    );
    assert_eq!(
        render(r#"{{jsonencoder .Extras}} {{jsonencoder "a\"b"}}"#),
        r#"{"app":"kafka"} "a\"b""#
    );
    // As Go's encoding/json: HTML-significant characters escaped.
    assert_eq!(
        render(r#"{{jsonencoder "<a & b>"}}"#),
        r#""\u003ca \u0026 b\u003e""#
    );
}

#[test]
fn burrows_helpers() {
    assert_eq!(
        render(
            "{{range $s, $t := topicsbystatus .Result.Partitions}}{{$s}}={{index $t 0}};{{end}}"
        ),
        "STALL=payments;WARN=payments;"
    );
    assert_eq!(
        render("{{with partitioncounts .Result.Partitions}}{{.warn}} {{.stall}} {{.stop}}{{end}}"),
        "1 1 0"
    );
    assert_eq!(render("{{maxlag .Result.Maxlag}}"), "402118");
    assert_eq!(
        render("{{add 1 2}} {{minus 1 2}} {{multiply 3 4}} {{divide 7 2}}"),
        "3 -1 12 3"
    );
    assert_eq!(
        render(r#"{{formattimestamp .Start "2006-01-02 15:04"}} {{.Start.Format "3:04PM"}}"#),
        "2025-11-20 10:04 10:04AM"
    );
    assert_eq!(
        render(r#"{{printf "%s has %d (%5.1f%%) %q" .Group .Result.TotalLag 12.345 "x"}}"#),
        r#"payments-consumer has 612331 ( 12.3%) "x""#
    );
    assert_eq!(
        render(r#"{{print "a" 1 2 "b"}}|{{println 1 "a"}}"#),
        "a1 2b|1 a\n"
    );
    assert_eq!(
        render(r#"{{html "<a&b>"}} {{urlquery "a b/c"}}"#),
        "&lt;a&amp;b&gt; a%20b%2Fc"
    );
    assert_eq!(
        render("{{ Now - Start }} {{ Event }} {{ Result.MaxTimeLagMs }}"),
        "0 opened 412000"
    );
    assert_eq!(
        render("{{topicsbystatus .Result.Partitions}} {{partitioncounts .Result.Partitions}}"),
        "map[STALL:[payments] WARN:[payments]] map[rewind:0 stall:1 stop:0 unknown:0 warn:1]"
    );
    assert!(
        Template::check("{{index .Result.Partitions 0 | partitioncounts}}")
            .unwrap_err()
            .contains("partitioncounts: expected a list of partitions, got map")
    );
}

#[test]
fn problems_are_found_at_check_with_their_line() {
    let err = |text: &str| Template::check(text).unwrap_err();
    assert_eq!(
        err("ok\n{{ Reslt.Status }}"),
        "line 2: undefined value: a variable or field that does not exist (the variables: ID, \
         Event, Cluster, Group, Start, Now, Extras, Result with Status, Complete, Partitions, \
         TotalPartitions, Maxlag, TotalLag, MaxTimeLagMs)"
    );
    assert!(err("a\n\n{{.Result.Stauts}}").starts_with("line 3: undefined value"));
    assert!(err("{% if %}").starts_with("line 1: syntax error"));
    assert!(err("x\n{{ nope(1) }}").starts_with("line 2: unknown function"));
    assert!(err("{{divide 1 0}}").contains("division by zero"));
    let t = Template::check("{{ Result.Status }}").unwrap();
    let mut e = fixture::event(IncidentKind::Opened);
    e.status.status = Status::Warn;
    assert_eq!(t.render(&e, &[]).unwrap(), "WARN");
}

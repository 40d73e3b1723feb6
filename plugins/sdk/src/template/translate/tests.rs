use super::{is_go, translate};

fn t(go: &str) -> String {
    translate(go).unwrap_or_else(|e| panic!("{go}: {e}"))
}

#[test]
fn fields_become_variables_and_string_methods_drop() {
    assert_eq!(t("{{.Result.Status}}"), "{{ Result.Status }}");
    assert_eq!(t("{{ .Result.Status.String }}"), "{{ Result.Status }}");
    assert_eq!(t("{{.Id}} {{$.Group}}"), "{{ Id }} {{ Group }}");
}

#[test]
fn functions_take_their_arguments_in_go_order_and_pipes_pass_the_last() {
    assert_eq!(
        t(r#"{{index .Extras "api_key"}}"#),
        r#"{{ index(Extras, "api_key") }}"#
    );
    assert_eq!(
        t("{{.Result.Partitions | jsonencoder}}"),
        "{{ jsonencoder(Result.Partitions) }}"
    );
    assert_eq!(
        t("{{add 1 .Result.TotalLag | minus 3}}"),
        "{{ minus(3, add(1, Result.TotalLag)) }}"
    );
    assert_eq!(
        t("{{len (index .Result.Partitions 0).Topic}}"),
        "{{ len((index(Result.Partitions, 0)).Topic) }}"
    );
    assert_eq!(
        t("{{if and (eq .Result.Status 2) (not .Extras.x)}}y{{end}}"),
        "{% if ((eq(Result.Status, 2)) and ((not Extras.x))) %}y{% endif %}"
    );
    assert_eq!(t("{{printf `%d%%` 5}}"), r#"{{ printf("%d%%", 5) }}"#);
}

#[test]
fn conditions_chain_and_close() {
    assert_eq!(
        t("{{if eq .Result.Status 2}}WARN{{else if eq .Result.Status 3}}ERR{{else}}?{{end}}"),
        "{% if eq(Result.Status, 2) %}WARN{% elif eq(Result.Status, 3) %}ERR{% else %}?{% endif %}"
    );
}

#[test]
fn range_makes_dot_the_element_and_else_runs_when_empty() {
    assert_eq!(
        t(
            "{{range .Result.Partitions}}{{.Topic}}{{range .Start}}{{.}}{{end}}{{else}}none{{.Group}}{{end}}"
        ),
        "{% for dot1 in Result.Partitions | govalues %}{{ dot1.Topic }}\
         {% for dot2 in dot1.Start | govalues %}{{ dot2 }}{% endfor %}\
         {% else %}none{{ Group }}{% endfor %}"
    );
    assert_eq!(
        t("{{range $s, $topics := topicsbystatus .Result.Partitions}}{{$s}}={{.}}{{end}}"),
        "{% for v_s, v_topics in topicsbystatus(Result.Partitions) | goitems %}{{ v_s }}={{ v_topics }}{% endfor %}"
    );
    assert_eq!(
        t("{{range $p := .Result.Partitions}}{{$p.Topic}}{{end}}"),
        "{% for v_p in Result.Partitions | govalues %}{{ v_p.Topic }}{% endfor %}"
    );
}

#[test]
fn with_and_variables() {
    assert_eq!(
        t("{{with .Result.Maxlag}}{{.Topic}}{{else}}-{{end}}"),
        "{% with dot1 = Result.Maxlag %}{% if dot1 %}{{ dot1.Topic }}{% else %}-{% endif %}{% endwith %}"
    );
    assert_eq!(
        t("{{$n := len .Result.Partitions}}{{$n}}"),
        "{% set v_n = len(Result.Partitions) %}{{ v_n }}"
    );
}

#[test]
fn go_times_become_strftime() {
    assert_eq!(
        t(r#"{{.Start.Format "Jan 02, 2006 15:04:05 UTC"}}"#),
        r#"{{ strftime(Start, "%b %d, %Y %H:%M:%S UTC") }}"#
    );
    assert_eq!(
        t(r#"{{formattimestamp .End.Timestamp "15:04"}}"#),
        r#"{{ formattimestamp(End.Timestamp, "15:04") }}"#
    );
}

#[test]
fn trimming_comments_and_jinja_lookalike_text_are_kept() {
    assert_eq!(t("a  {{- .Group -}}  b"), "a  {{- Group -}}  b");
    assert_eq!(
        t("{{- if .Group -}}x{{- end}}"),
        "{%- if Group -%}x{%- endif %}"
    );
    assert_eq!(t("{{/* note */}}x"), "{# note #}x");
    assert_eq!(
        t("{% x %} {{.Group}}"),
        "{% raw %}{% x %} {% endraw %}{{ Group }}"
    );
    assert_eq!(t("{{-3}}"), "{{ -3 }}");
}

#[test]
fn untranslatable_forms_name_the_line_and_the_way_out() {
    let err = |go: &str| translate(go).unwrap_err();
    assert_eq!(
        err("a\nb {{template \"x\" .}}"),
        "line 2: {{template \"x\" .}}: `template` (named templates) is not supported: write \
         the named template's text in its place"
    );
    assert!(err("{{range .A}}{{break}}{{end}}").contains("`break` is not supported"));
    assert!(err("\n\n{{frobnicate .A}}").starts_with(
        "line 3: {{frobnicate .A}}: unknown function `frobnicate`; Warren knows: eq, ne"
    ));
    assert_eq!(
        err("x\n{{if .A}}y"),
        "line 2: {{if}} is never closed: add {{end}}"
    );
    assert!(err("{{end}}").contains("`end` without an open"));
    assert!(err("{{.}}").contains("`.` alone"));
    assert!(err("{{js .Group}}").contains("`js` is not supported"));
    assert!(err("{{.Group .Cluster}}").contains("`Group` is not a function"));
    assert!(err("{{.Start.Format .X}}").contains("needs a quoted layout"));
    assert!(err("{{.Start.Format \"15:04:05.000000\"}}").contains("use .000 for milliseconds"));
    assert!(err("{{.Group").contains("unclosed action"));
}

#[test]
fn go_is_told_apart_from_jinja() {
    for go in [
        "{{.Group}}",
        "{{ $x := 1 }}",
        "{{- range .A}}{{end}}",
        r#"{{index .Extras "a"}}"#,
        "{{/* c */}}",
        "{{end}}",
    ] {
        assert!(is_go(go), "{go}");
    }
    for jinja in [
        "{{ Group }}",
        "{% if x %}{{ .5 }}{% endif %}",
        "{{ index(Extras, 'a') }}",
        "{{ len }}",
        "plain",
    ] {
        assert!(!is_go(jinja), "{jinja}");
    }
}

#[test]
fn arbitrary_text_translates_or_errs_without_panicking() {
    // Deterministic pseudo-random texts over template punctuation and multi-byte characters.
    let alphabet: Vec<char> = "{{}}-. $\"`'()|,:=/*ab1é€\n\tifrangeend".chars().collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..20_000 {
        let len = (state >> 59) as usize + 1;
        let text: String = (0..len * 3)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                alphabet[(state % alphabet.len() as u64) as usize]
            })
            .collect();
        let _ = translate(&text);
        let _ = is_go(&text);
        let _ = crate::template::Template::parse(&text);
    }
}

use serde_json::json;

use super::*;

/// A config with one key of every getter.
#[derive(Debug, PartialEq)]
struct Every {
    url: String,
    token: String,
    name: String,
    mode: String,
    to: Vec<String>,
    headers: Option<Vec<(String, String)>>,
}

fn no_space(s: &str) -> Option<String> {
    s.contains(' ').then(|| format!("{s:?} has a space"))
}

impl Settings for Every {
    fn declare(d: &Declare<'_>) -> Option<Self> {
        let url = d.url(Key::required("url", "https://h/${secret:hook}").describe("where"));
        let token = d.secret(
            Key::required("token", "${secret:api_token}"),
            "the API token",
        );
        let name = d.text(Key::optional("name").default("warren").non_empty());
        let mode = d.choice(Key::optional("mode").default("a"), &["a", "b"]);
        if mode.as_deref().is_some_and(|m| m != "a" && m != "b") {
            d.problem("mode", "expected \"a\" or \"b\"");
        }
        let to = d.strings(Key::optional("to").default(json!([])).check(no_space));
        let headers = d.string_map(Key::optional("headers"));
        Some(Self {
            url: url?,
            token: token?,
            name: name?,
            mode: mode?,
            to: to?,
            headers,
        })
    }
}

#[test]
fn the_schema_and_the_known_keys_come_from_the_same_declaration() {
    let keys = keys::<Every>();
    assert_eq!(keys, ["url", "token", "name", "mode", "to", "headers"]);
    let schema = schema::<Every>();
    let mut properties: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    properties.sort_unstable();
    assert_eq!(properties, sorted);
    assert_eq!(schema["required"], json!(["url", "token"]));
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(
        schema["properties"]["url"],
        json!({"type": "string", "description": "where", "examples": ["https://h/${secret:hook}"]})
    );
    assert_eq!(
        schema["properties"]["name"],
        json!({"type": "string", "default": "warren", "minLength": 1})
    );
    assert_eq!(
        schema["properties"]["mode"],
        json!({"enum": ["a", "b"], "default": "a"})
    );
    assert_eq!(
        schema["properties"]["token"]["pattern"],
        json!("\\$\\{secret:[^}]+\\}")
    );
}

#[test]
fn a_schema_without_required_keys_has_no_required_list() {
    struct Quiet;
    impl Settings for Quiet {
        fn declare(d: &Declare<'_>) -> Option<Self> {
            d.text(Key::optional("x"));
            Some(Self)
        }
    }
    assert_eq!(schema::<Quiet>().get("required"), None);
}

#[test]
fn left_out_keys_take_their_defaults() {
    let every = parse::<Every>(r#"{"url": "https://h", "token": "${secret:t}"}"#).unwrap();
    assert_eq!(
        every,
        Every {
            url: "https://h".into(),
            token: "${secret:t}".into(),
            name: "warren".into(),
            mode: "a".into(),
            to: vec![],
            headers: None,
        }
    );
}

#[test]
fn problems_come_key_by_key_after_unknown_keys() {
    let problems = parse::<Every>(
        r#"{"zz": 1, "url": "ftp://h", "token": "plain", "name": " ", "mode": "c",
            "to": ["a b", 3, "c d"], "headers": {"x": 1}}"#,
    )
    .unwrap_err();
    assert_eq!(
        problems,
        [
            "zz: unknown key (known: url, token, name, mode, to, headers)",
            "url: expected an http:// or https:// URL, got \"ftp://h\"",
            "token: keep the API token out of the config: use a placeholder such as \
             \"${secret:api_token}\" and add secrets = { api_token = \"env:...\" }",
            "name: must not be empty (leave it out for the default)",
            "mode: expected \"a\" or \"b\"",
            "to[1]: expected a string, got 3",
            "to[0]: \"a b\" has a space",
            "to[2]: \"c d\" has a space",
            "headers.x: expected a string, got 1",
        ]
    );
}

#[test]
fn a_missing_required_key_shows_its_first_example() {
    assert_eq!(
        parse::<Every>("{}").unwrap_err(),
        [
            "url: required (example: url = \"https://h/${secret:hook}\")",
            "token: required (example: token = \"${secret:api_token}\")",
        ]
    );
}

#[test]
fn more_problems_come_last() {
    let problems = read::<Every>(r#"{"url": "https://h", "token": "${secret:t}"}"#, |c| {
        c.problem("about the whole config")
    })
    .unwrap_err();
    assert_eq!(problems, ["about the whole config"]);
}

#[test]
fn a_key_read_on_only_some_paths_is_a_plugin_bug() {
    struct Sometimes;
    impl Settings for Sometimes {
        fn declare(d: &Declare<'_>) -> Option<Self> {
            let first = d.text(Key::optional("first"));
            if first.is_some() {
                d.text(Key::optional("second"));
            }
            Some(Self)
        }
    }
    assert_eq!(keys::<Sometimes>(), ["first"]);
    assert_eq!(
        parse::<Sometimes>(r#"{"first": "x"}"#).err().unwrap(),
        [r#"the plugin declares the keys ["first"] but read ["first", "second"] (a plugin bug)"#]
    );
}

#[test]
#[should_panic(expected = "the key \"a\" is declared twice")]
fn a_key_declared_twice_is_a_plugin_bug() {
    struct Twice;
    impl Settings for Twice {
        fn declare(d: &Declare<'_>) -> Option<Self> {
            d.text(Key::optional("a"));
            d.url(Key::optional("a"));
            Some(Self)
        }
    }
    schema::<Twice>();
}

#[test]
fn a_default_of_the_wrong_type_is_a_plugin_bug() {
    struct Wrong;
    impl Settings for Wrong {
        fn declare(d: &Declare<'_>) -> Option<Self> {
            d.text(Key::optional("n").default(3));
            Some(Self)
        }
    }
    assert_eq!(
        parse::<Wrong>("{}").err().unwrap(),
        ["n: the plugin's default 3 has the wrong type (a plugin bug)"]
    );
}

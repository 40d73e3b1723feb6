//! The webhook notifier's config: `url` (required), `method` (`POST`, `PUT` or `PATCH`;
//! default `POST`), `headers` (a table of strings; values may hold `${secret:NAME}`), `format`
//! (`burrow`, the default, or `warren`), and for Burrow's receivers `extras` (the strings
//! Burrow's templates read as `.Extras`: `api_key`, `app`, `tier`), `url-close` and
//! `method-close` (where and how the resolve goes; Burrow's sample config used `DELETE`).
//! `template-open` and `template-close` replace the body of opened/updated events and of the
//! resolve with a message template (Burrow's `.tmpl` text as it is, or MiniJinja; see
//! `warren_plugin_sdk::template`), and `url`/`url-close` may hold template syntax too (Burrow's
//! URLs were templates). Every problem is reported by key, a template's with its line.

use serde_json::json;
use warren_plugin_sdk::notifier::http;
use warren_plugin_sdk::settings::{self, Declare, Key};
use warren_plugin_sdk::template::{self, Template};

/// The methods opened and updated events may use.
const METHODS: &[&str] = &["POST", "PUT", "PATCH"];

/// The methods the resolve may use (Burrow's sample config used `DELETE`).
const METHODS_CLOSE: &[&str] = &["POST", "PUT", "PATCH", "DELETE"];

/// The body formats, as `format` names them.
const FORMATS: &[&str] = &["burrow", "warren"];

/// Which body to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Burrow's default HTTP notifier templates (`default-http-post.tmpl`, `-delete.tmpl`).
    Burrow,
    /// Warren's own `warren.incident.v1` schema.
    Warren,
}

/// What the plugin needs to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Where opened and updated events go.
    pub url: String,
    /// Their method.
    pub method: http::Method,
    /// Where the resolve goes (default: `url`).
    pub url_close: String,
    /// Its method (default: `method`).
    pub method_close: http::Method,
    /// Extra headers, in key order.
    pub headers: Vec<(String, String)>,
    /// The body's shape.
    pub format: Format,
    /// Burrow's `.Extras`.
    pub extras: Vec<(String, String)>,
    /// The body of opened and updated events, when templated.
    pub template_open: Option<Template>,
    /// The resolve's body, when templated (else the `format` body).
    pub template_close: Option<Template>,
    /// `url` when it holds template syntax.
    pub url_template: Option<Template>,
    /// `url-close` when it holds template syntax.
    pub url_close_template: Option<Template>,
}

impl Settings {
    /// The value of Burrow extra `key`, `""` when not set (as Burrow's `index` gives).
    pub fn extra(&self, key: &str) -> &str {
        self.extras
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }
}

impl settings::Settings for Settings {
    fn declare(d: &Declare<'_>) -> Option<Self> {
        let url = d.url(
            Key::required("url", "https://hooks.example.com/kafka?key=${secret:token}")
                .describe("Where opened and updated events go"),
        );
        let url_close =
            d.url(Key::optional("url-close").describe("Where the resolve goes; default: url"));
        let method = d.choice(Key::optional("method").default("POST"), METHODS);
        let method = method.and_then(|m| read_method(d, "method", &m, METHODS));
        let method_close = d.choice(
            Key::optional("method-close").describe("The resolve's method; default: method"),
            METHODS_CLOSE,
        );
        let method_close =
            method_close.and_then(|m| read_method(d, "method-close", &m, METHODS_CLOSE));
        let headers = d.string_map(
            Key::optional("headers")
                .describe("Extra request headers; values may hold ${secret:NAME} placeholders")
                .example(json!({"Authorization": "Bearer ${secret:token}"})),
        );
        let headers = headers.unwrap_or_default();
        for (name, value) in &headers {
            let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
            if name.is_empty() || !name.chars().all(token) {
                d.problem(&format!("headers.{name}"), "not a valid header name");
            }
            if value.chars().any(|c| c == '\r' || c == '\n') {
                d.problem(
                    &format!("headers.{name}"),
                    "a header value must be one line",
                );
            }
        }
        let format = d.choice(
            Key::optional("format").default("burrow").describe(
                "burrow: Burrow's default HTTP notifier body; warren: the warren.incident.v1 schema",
            ),
            FORMATS,
        );
        let format = match format.as_deref() {
            None => None,
            Some("burrow") => Some(Format::Burrow),
            Some("warren") => Some(Format::Warren),
            Some(other) => {
                d.problem(
                    "format",
                    format_args!("expected \"burrow\" or \"warren\", got {other:?}"),
                );
                None
            }
        };
        let extras = d.string_map(
            Key::optional("extras")
                .describe("burrow format and templates: Burrow's .Extras (api_key, app, tier)"),
        );
        let extras = extras.unwrap_or_default();
        let template_open = template::declare(
            d,
            Key::optional("template-open").describe(
                "Body of opened and updated events: a Burrow .tmpl text or a MiniJinja template",
            ),
            "template-open",
        );
        let template_close = template::declare(
            d,
            Key::optional("template-close").describe(
                "Body of the resolve (default: the format's); a template like template-open",
            ),
            "template-close",
        );
        let templated = template_open.is_some() || template_close.is_some();
        if format == Some(Format::Warren) && !extras.is_empty() && !templated {
            d.problem(
                "extras",
                "only the \"burrow\" format and templates use extras (the \"warren\" body has no place for them)",
            );
        }
        let url = url?;
        let url_template = read_url_template(d, "url", &url);
        let (url_close, url_close_template) = match url_close {
            Some(close) => {
                let template = read_url_template(d, "url-close", &close);
                (close, template)
            }
            None => (url.clone(), url_template.clone()),
        };
        let method = method?;
        Some(Self {
            url_close,
            method_close: method_close.unwrap_or(method),
            url,
            method,
            headers,
            format: format?,
            extras,
            template_open,
            template_close,
            url_template,
            url_close_template,
        })
    }
}

/// The template in URL `url` (key `key`), when it holds template syntax. The URL is checked
/// as a URL too, so its actions are written without spaces (`{{.Result.Group}}`).
fn read_url_template(d: &Declare<'_>, key: &str, url: &str) -> Option<Template> {
    if !template::is_template(url) {
        return None;
    }
    Template::check(url)
        .map_err(|problem| d.problem(key, format_args!("template {problem}")))
        .ok()
}

/// `name` as an HTTP method among `allowed`, in any case; a problem with `key` otherwise.
fn read_method(d: &Declare<'_>, key: &str, name: &str, allowed: &[&str]) -> Option<http::Method> {
    let method = match name.to_ascii_uppercase().as_str() {
        m if !allowed.contains(&m) => None,
        "POST" => Some(http::Method::Post),
        "PUT" => Some(http::Method::Put),
        "PATCH" => Some(http::Method::Patch),
        "DELETE" => Some(http::Method::Delete),
        _ => None,
    };
    if method.is_none() {
        d.problem(
            key,
            format_args!("expected one of {}, got {name:?}", allowed.join(", ")),
        );
    }
    method
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Settings, Vec<String>> {
        settings::parse(json)
    }

    fn validate(json: &str, configured: &[String]) -> Result<(), Vec<String>> {
        warren_plugin_sdk::notifier::validate::<Settings>(json, configured)
    }

    #[test]
    fn a_bare_url_posts_burrows_body_there() {
        let s = parse(r#"{"url": "https://hooks.example.com/kafka"}"#).unwrap();
        assert_eq!(s.method, http::Method::Post);
        assert_eq!(
            (s.url_close.as_str(), s.method_close),
            ("https://hooks.example.com/kafka", http::Method::Post)
        );
        assert_eq!(s.format, Format::Burrow);
        assert!(s.headers.is_empty() && s.extras.is_empty());
        assert_eq!(s.extra("api_key"), "");
    }

    #[test]
    fn every_key_is_read() {
        let s = parse(
            r#"{"url": "https://h/open", "method": "put", "headers": {"Authorization": "Bearer ${secret:token}"},
                "format": "burrow", "extras": {"api_key": "${secret:api_key}", "app": "kafka"},
                "url-close": "https://h/close", "method-close": "DELETE"}"#,
        )
        .unwrap();
        assert_eq!(s.method, http::Method::Put);
        assert_eq!(
            (s.url_close.as_str(), s.method_close),
            ("https://h/close", http::Method::Delete)
        );
        assert_eq!(
            s.headers,
            [(
                "Authorization".to_string(),
                "Bearer ${secret:token}".to_string()
            )]
        );
        assert_eq!(
            (s.extra("api_key"), s.extra("app")),
            ("${secret:api_key}", "kafka")
        );
        let s = parse(r#"{"url": "https://h", "method": "PATCH", "format": "warren"}"#).unwrap();
        assert_eq!(
            (s.method, s.method_close, s.format),
            (http::Method::Patch, http::Method::Patch, Format::Warren)
        );
    }

    #[test]
    fn every_problem_is_reported_by_key() {
        assert_eq!(
            parse(
                r#"{"url": "mailto:x", "method": "DELETE", "method-close": "GET", "format": "json",
                    "headers": {"Bad Name": "v", "X-Ok": "a\r\nInjected: 1", "X-N": 3}, "retries": 3}"#
            )
            .unwrap_err(),
            [
                "retries: unknown key (known: url, url-close, method, method-close, headers, format, extras, template-open, template-close)",
                "url: expected an http:// or https:// URL, got \"mailto:x\"",
                "method: expected one of POST, PUT, PATCH, got \"DELETE\"",
                "method-close: expected one of POST, PUT, PATCH, DELETE, got \"GET\"",
                "headers.X-N: expected a string, got 3",
                "headers.Bad Name: not a valid header name",
                "headers.X-Ok: a header value must be one line",
                "format: expected \"burrow\" or \"warren\", got \"json\"",
            ]
        );
        assert_eq!(
            parse(r#"{"url": "https://h", "format": "warren", "extras": {"app": "a"}}"#)
                .unwrap_err(),
            [
                "extras: only the \"burrow\" format and templates use extras (the \"warren\" body has no place for them)"
            ]
        );
    }

    #[test]
    fn placeholders_in_urls_headers_and_extras_must_name_configured_secrets() {
        let json = r#"{"url": "https://h/${secret:path}", "headers": {"Authorization": "Bearer ${secret:token}"},
                       "extras": {"api_key": "${secret:api_key}"}}"#;
        assert_eq!(
            validate(json, &["api_key".into(), "path".into(), "token".into()]),
            Ok(())
        );
        let problems = validate(json, &["path".into()]).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("extras.api_key: secret \"api_key\" is not configured"));
        assert!(
            problems[1].starts_with("headers.Authorization: secret \"token\" is not configured")
        );
    }

    #[test]
    fn templates_are_read_and_their_problems_name_key_and_line() {
        let s = parse(
            r#"{"url": "https://h/{{.Result.Group}}", "template-open": "{{.Result.Status}}",
                "url-close": "https://h/close"}"#,
        )
        .unwrap();
        assert!(s.url_template.is_some() && s.url_close_template.is_none());
        assert!(s.template_open.is_some() && s.template_close.is_none());
        assert_eq!(
            parse(
                r#"{"url": "https://h/{{Nope}}", "template-open": "a\n{{template \"x\"}}",
                    "template-close": "{% if %}"}"#
            )
            .unwrap_err(),
            [
                "template-open: template line 2: {{template \"x\"}}: `template` (named templates) is not supported: write the named template's text in its place",
                "template-close: template line 1: syntax error: unexpected end of block",
                "url: template line 1: undefined value: a variable or field that does not exist (the variables: ID, Event, Cluster, Group, Start, Now, Extras, Result with Status, Complete, Partitions, TotalPartitions, Maxlag, TotalLag, MaxTimeLagMs)",
            ]
        );
    }
}

//! `validate-config` checks every notifier needs: that each `${secret:NAME}` placeholder in
//! its config names a secret the operator configured (the host substitutes them at send time,
//! so a missing one would otherwise fail at 3 a.m., not at start-up), and that URLs are
//! absolute `http(s)` URLs.
//!
//! ```
//! use warren_plugin_sdk::notifier::{missing_secrets, secret_names};
//! assert_eq!(secret_names("https://h/${secret:a}?k=${secret:b}"), ["a", "b"]);
//! let problems = missing_secrets(&[("url".into(), "https://h/${secret:a}".into())], &["b".into()]);
//! assert_eq!(
//!     problems,
//!     [r#"url: secret "a" is not configured for this plugin (add secrets = { a = "env:..." })"#]
//! );
//! ```

/// The secret names that `${secret:NAME}` placeholders in `text` refer to, in order.
pub fn secret_names(text: &str) -> Vec<&str> {
    text.split("${secret:")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// One problem per placeholder, in `(key, text)` pairs, that names a secret missing from
/// `configured` (what [`secrets::names`](super::secrets::names) returns), each naming its key.
pub fn missing_secrets(texts: &[(String, String)], configured: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, text) in texts {
        for name in secret_names(text) {
            if !configured.iter().any(|c| c == name) {
                problems.push(format!(
                    "{key}: secret {name:?} is not configured for this plugin \
                     (add secrets = {{ {name} = \"env:...\" }})"
                ));
            }
        }
    }
    problems
}

/// Why `url` is not an absolute `http://` or `https://` URL with a host, if it is not. A
/// placeholder may stand for any part of it (`${secret:webhook}` alone is a whole URL the
/// operator keeps secret), so a URL that starts with one is accepted as is.
pub fn url_problem(url: &str) -> Option<String> {
    if url.starts_with("${secret:") {
        return None;
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        None => Some(format!("expected an http:// or https:// URL, got {url:?}")),
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            Some(format!("the URL {url:?} has no host"))
        }
        Some(_) if url.chars().any(char::is_whitespace) => {
            Some(format!("the URL {url:?} contains whitespace"))
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_anywhere_and_unterminated_ones_ignored() {
        assert_eq!(secret_names("Bearer ${secret:token}"), ["token"]);
        assert_eq!(
            secret_names("${secret:a}${secret:b}x${secret:c"),
            ["a", "b"]
        );
        assert!(secret_names("no secrets").is_empty());
    }

    #[test]
    fn every_missing_secret_is_reported_by_key() {
        let texts = [
            ("url".to_string(), "https://h/${secret:hook}".to_string()),
            (
                "headers.Authorization".to_string(),
                "Bearer ${secret:token}".to_string(),
            ),
        ];
        assert!(missing_secrets(&texts, &["hook".into(), "token".into()]).is_empty());
        let problems = missing_secrets(&texts, &[]);
        assert_eq!(problems.len(), 2);
        assert!(
            problems[0].starts_with("url: secret \"hook\""),
            "{problems:?}"
        );
        assert!(problems[1].starts_with("headers.Authorization: secret \"token\""));
    }

    #[test]
    fn urls_must_be_absolute_http_or_a_secret() {
        assert_eq!(
            url_problem("https://hooks.slack.com/services/${secret:webhook}"),
            None
        );
        assert_eq!(url_problem("http://127.0.0.1:8080/x"), None);
        assert_eq!(url_problem("${secret:webhook}"), None);
        assert!(url_problem("ftp://x").is_some());
        assert!(url_problem("hooks.slack.com/x").is_some());
        assert!(url_problem("https:///path").is_some());
        assert!(url_problem("https://a b").is_some());
    }
}

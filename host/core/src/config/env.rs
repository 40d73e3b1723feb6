//! Environment substitution, applied to every string value a section parser reads, before the
//! value is interpreted (so `servers = "${KAFKA_SERVERS}"` becomes a server list). It owns the
//! small shell-like grammar: `${VAR}`, `${VAR:-default}` and `$$` for a literal `$`. Any other
//! `$` is kept as written, so regexes such as `^payments-.*$` need no escaping. Values of keys
//! Warren ignores are never substituted, so a Burrow notifier's `${TOKEN}` cannot fail a load.
//! `${secret:NAME}` is kept as written too: it is a plugin's secret placeholder, filled in by
//! the plugin host at the moment a request is sent, never at load time.
//! Messages point at a reference by its position, never by quoting the value: the value may be
//! a literal password, and errors travel to the terminal, the log and the reload response.

/// Substitutes every `${...}` in `text`. On failure returns one message per problem found.
///
/// The default in `${VAR:-default}` is literal text up to the first `}`; it is not itself
/// substituted, which keeps the grammar small and every `}` unambiguous.
pub(crate) fn substitute(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(text.len());
    let mut problems = Vec::new();
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let at = position(text, rest, dollar);
            let Some(close) = body.find('}') else {
                problems.push(format!(
                    "unterminated \"${{\" at character {at} (write \"$$\" for a literal \"$\")"
                ));
                rest = "";
                break;
            };
            if body[..close].starts_with("secret:") {
                out.push_str(&rest[dollar..dollar + close + 3]);
                rest = &body[close + 1..];
                continue;
            }
            match expand(&body[..close], env) {
                Ok(value) => out.push_str(&value),
                Err(message) => problems.push(message.replace("{at}", &at.to_string())),
            }
            rest = &body[close + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Expands the inside of one `${...}`.
fn expand(inner: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let (name, default) = match inner.split_once(":-") {
        Some((name, default)) => (name, Some(default)),
        None => (inner, None),
    };
    if !is_variable_name(name) {
        return Err(
            "invalid variable reference at character {at}: expected ${NAME} or \
                    ${NAME:-default}, NAME made of letters, digits and '_'"
                .to_owned(),
        );
    }
    match (env(name), default) {
        // Shell semantics: with `:-`, an empty variable counts as unset.
        (Some(value), Some(default)) => Ok(if value.is_empty() {
            default.to_owned()
        } else {
            value
        }),
        (None, Some(default)) => Ok(default.to_owned()),
        (Some(value), None) => Ok(value),
        (None, None) => Err(format!("environment variable {name} is not set")),
    }
}

/// 1-based character position in `text` of the `$` at byte `dollar` of its suffix `rest`.
fn position(text: &str, rest: &str, dollar: usize) -> usize {
    let byte = text.len() - rest.len() + dollar;
    text[..byte].chars().count() + 1
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

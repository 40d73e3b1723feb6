//! A notifier's secrets, host side (the operator's `env:`/`file:` references are read by
//! `SecretRef::read`, in core): substituting `${secret:NAME}` placeholders in an outgoing request
//! just before it is sent, and the redactor that replaces every secret value with `***` in
//! anything the host logs or returns (guest log lines, guest error messages, host errors). The
//! guest only ever sees placeholders and names.

use std::collections::BTreeMap;

use warren_core::config::Secret;

const OPEN: &str = "${secret:";

/// Replaces every `${secret:NAME}` in `text` with the secret's value. An unknown name, or a
/// placeholder without its closing brace, is an error naming the placeholder.
pub(crate) fn substitute(text: &str, secrets: &BTreeMap<String, Secret>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        let Some(end) = after.find('}') else {
            return Err(format!(
                "unterminated secret placeholder `{}`",
                truncate(&rest[start..])
            ));
        };
        let name = &after[..end];
        let secret = secrets.get(name).ok_or_else(|| {
            format!("unknown secret `{name}` in placeholder `${{secret:{name}}}`")
        })?;
        out.push_str(secret.expose());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn truncate(s: &str) -> &str {
    let mut cut = s.len().min(40);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

/// Replaces secret values with `***` in any text, including their percent-encoded forms (a
/// value substituted into a URL comes back encoded in HTTP client errors).
#[derive(Debug, Default)]
pub struct Redactor {
    /// Secret values (plain and percent-encoded), ASCII-lower-cased, longest first.
    needles: Vec<Vec<u8>>,
}

impl Redactor {
    /// A redactor for these secrets. Empty values are ignored (there is nothing to hide).
    pub fn new(secrets: &BTreeMap<String, Secret>) -> Self {
        let mut needles: Vec<Vec<u8>> = Vec::new();
        for secret in secrets.values() {
            let v = secret.expose();
            if v.is_empty() {
                continue;
            }
            // Matched without regard to ASCII case: a URL's host comes back lower-cased, and
            // encoders differ in the case of their hex digits.
            needles.push(v.to_ascii_lowercase().into_bytes());
            let encoded = warren_common::percent::encode(v);
            if encoded != v {
                needles.push(encoded.to_ascii_lowercase().into_bytes());
            }
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        Redactor { needles }
    }

    /// `text` with every secret value replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        match self.replace(text.as_bytes()) {
            // Only ASCII-case-folded whole needles are cut out, and each needle is valid UTF-8,
            // so what remains is valid UTF-8.
            Some(bytes) => String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            None => text.to_string(),
        }
    }

    /// `bytes` with every secret value replaced by `***`, for a response body that may not be
    /// text: a receiver that echoes a secret must not hand its value to the plugin.
    pub fn redact_bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        self.replace(&bytes).unwrap_or(bytes)
    }

    /// `None` when nothing matched, so the common case copies nothing.
    fn replace(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        if self.needles.is_empty() {
            return None;
        }
        let folded = bytes.to_ascii_lowercase();
        let mut out: Option<Vec<u8>> = None;
        let mut copied = 0;
        let mut i = 0;
        while i < folded.len() {
            // Longest first, so a secret containing another is replaced whole.
            match self.needles.iter().find(|n| folded[i..].starts_with(n)) {
                Some(n) => {
                    let out = out.get_or_insert_with(|| Vec::with_capacity(bytes.len()));
                    out.extend_from_slice(&bytes[copied..i]);
                    out.extend_from_slice(b"***");
                    i += n.len();
                    copied = i;
                }
                None => i += 1,
            }
        }
        let mut out = out?;
        out.extend_from_slice(&bytes[copied..]);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> BTreeMap<String, Secret> {
        BTreeMap::from([
            ("token".to_string(), Secret::new("s3cr3t")),
            ("spaced".to_string(), Secret::new("a b/c")),
        ])
    }

    #[test]
    fn placeholders_are_replaced_and_unknown_names_are_named() {
        let s = secrets();
        assert_eq!(
            substitute("x=${secret:token}&y=${secret:token}", &s).unwrap(),
            "x=s3cr3t&y=s3cr3t"
        );
        assert_eq!(substitute("no placeholder", &s).unwrap(), "no placeholder");
        let err = substitute("${secret:nope}", &s).unwrap_err();
        assert!(
            err.contains("`nope`") && err.contains("${secret:nope}"),
            "{err}"
        );
        assert!(substitute("${secret:token", &s).is_err());
    }

    #[test]
    fn redactor_hides_plain_and_percent_encoded_values() {
        let r = Redactor::new(&secrets());
        assert_eq!(r.redact("token s3cr3t and a b/c"), "token *** and ***");
        assert_eq!(r.redact("url ?q=a%20b%2Fc"), "url ?q=***");
        assert_eq!(Redactor::default().redact("s3cr3t"), "s3cr3t");
    }

    #[test]
    fn a_secret_lower_cased_by_url_normalisation_is_still_hidden() {
        let r = Redactor::new(&BTreeMap::from([
            ("host".to_string(), Secret::new("Tenant-XY7")),
            ("path".to_string(), Secret::new("Key/Q")),
        ]));
        // A host name comes back lower-cased, and some encoders write lower-case hex.
        assert_eq!(
            r.redact("https://tenant-xy7.example/"),
            "https://***.example/"
        );
        assert_eq!(r.redact("p=Key%2fQ and key%2FQ é"), "p=*** and *** é");
    }

    #[test]
    fn secrets_in_a_binary_body_are_replaced_and_other_bytes_kept() {
        let r = Redactor::new(&secrets());
        let body = [&[0xff, 0x00][..], b"s3cr3t", &[0xfe], b"a%20b%2Fc"].concat();
        assert_eq!(
            r.redact_bytes(body),
            [&[0xff, 0x00][..], b"***", &[0xfe], b"***"].concat()
        );
        assert_eq!(r.redact_bytes(b"clean".to_vec()), b"clean");
    }
}

//! AWS MSK IAM authentication: the OAUTHBEARER token is a SigV4-presigned
//! `GET https://kafka.REGION.amazonaws.com/?Action=kafka-cluster%3AConnect` URL, base64url
//! without padding, valid 900 s, exactly as Amazon's signer libraries make it
//! (`aws-msk-iam-sasl-signer-python` is the reference the tests compare with byte for byte).
//!
//! SigV4 is written here (HMAC-SHA-256 over `sha2`, already in the build) rather than taken from
//! `aws-sigv4`/`aws-config`, whose dependency trees (smithy runtime, STS/SSO clients) would cost
//! more to compile than the rest of this crate. Credentials come from, in order: the profile's
//! static keys; `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` (unless a
//! `profile` is named); the shared files (`AWS_SHARED_CREDENTIALS_FILE`, default
//! `~/.aws/credentials`, then `AWS_CONFIG_FILE`, default `~/.aws/config`) for the profile
//! (`profile`, else `AWS_PROFILE`, else `default`).

use std::path::PathBuf;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::oauth::{Credential, uri_encode};

/// What Warren says it is, in the URL's `User-Agent` parameter (MSK logs it; the signature does
/// not cover it).
pub const USER_AGENT: &str = concat!("warren/", env!("CARGO_PKG_VERSION"));

/// How long a token is valid, as Amazon's signers set it.
const EXPIRES_SECONDS: i64 = 900;

/// AWS credentials.
#[derive(Clone)]
pub struct AwsCredentials {
    /// `AKIA...` / `ASIA...`.
    pub access_key_id: String,
    /// The secret key (never printed).
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// A signed token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedToken {
    /// base64url (no padding) of the presigned URL.
    pub token: String,
    /// Signing time + 900 s, in ms since the Unix epoch.
    pub expires_at_ms: i64,
}

/// The token for `region` signed with `creds` at `now` (seconds since the Unix epoch), with
/// `user_agent` appended after the signature.
pub fn token(region: &str, creds: &AwsCredentials, now: i64, user_agent: &str) -> SignedToken {
    let host = format!("kafka.{region}.amazonaws.com");
    let (date, amz_date) = timestamps(now);
    let scope = format!("{date}/{region}/kafka-cluster/aws4_request");
    let mut params = vec![
        ("Action", "kafka-cluster:Connect".to_owned()),
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256".to_owned()),
        (
            "X-Amz-Credential",
            format!("{}/{scope}", creds.access_key_id),
        ),
        ("X-Amz-Date", amz_date.clone()),
        ("X-Amz-Expires", EXPIRES_SECONDS.to_string()),
        ("X-Amz-SignedHeaders", "host".to_owned()),
    ];
    if let Some(session) = &creds.session_token {
        params.push(("X-Amz-Security-Token", session.clone()));
    }
    let encoded: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", uri_encode(k), uri_encode(v)))
        .collect();
    let mut sorted = encoded.clone();
    sorted.sort();
    // The payload hash is the empty body's, as botocore signs it (not UNSIGNED-PAYLOAD).
    let canonical_request = format!(
        "GET\n/\n{}\nhost:{host}\n\nhost\n{}",
        sorted.join("&"),
        hex(&Sha256::digest(b""))
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac_sha256(
        format!("AWS4{}", creds.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [region, "kafka-cluster", "aws4_request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let signature = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));
    let url = format!(
        "https://{host}/?{}&X-Amz-Signature={signature}&User-Agent={}",
        encoded.join("&"),
        uri_encode(user_agent)
    );
    SignedToken {
        token: Base64UrlUnpadded::encode_string(url.as_bytes()),
        expires_at_ms: (now + EXPIRES_SECONDS) * 1000,
    }
}

/// `[sasl.NAME]`'s static keys, as written into the client's token settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StaticKeys {
    pub(crate) access_key_id: Credential,
    pub(crate) secret_access_key: Credential,
    pub(crate) session_token: Option<Credential>,
}

/// The first credentials found (module docs give the order); `env` looks up environment
/// variables (injected so tests are hermetic). Errors say where Warren looked.
pub(crate) fn credentials(
    keys: Option<&StaticKeys>,
    profile: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<AwsCredentials, String> {
    if let Some(keys) = keys {
        let read = |what: &str, c: &Credential| c.read().map_err(|e| format!("{what}: {e}"));
        return Ok(AwsCredentials {
            access_key_id: read("access-key-id", &keys.access_key_id)?,
            secret_access_key: read("secret-access-key", &keys.secret_access_key)?,
            session_token: match &keys.session_token {
                Some(c) => Some(read("session-token", c)?),
                None => None,
            },
        });
    }
    let set = |var: &str| env(var).filter(|v| !v.is_empty());
    if profile.is_none()
        && let (Some(id), Some(secret)) = (set("AWS_ACCESS_KEY_ID"), set("AWS_SECRET_ACCESS_KEY"))
    {
        return Ok(AwsCredentials {
            access_key_id: id,
            secret_access_key: secret,
            session_token: set("AWS_SESSION_TOKEN"),
        });
    }
    let name = profile
        .map(str::to_owned)
        .or_else(|| set("AWS_PROFILE"))
        .unwrap_or_else(|| "default".to_owned());
    let home = set("HOME").map(PathBuf::from);
    let file = |var: &str, default: &str| {
        set(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    let credentials_file = file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let config_file = file("AWS_CONFIG_FILE", "config");
    // The credentials file names sections `[NAME]`; the config file `[profile NAME]`, except
    // `[default]`.
    let config_section = if name == "default" {
        name.clone()
    } else {
        format!("profile {name}")
    };
    for (path, section) in [(&credentials_file, &name), (&config_file, &config_section)] {
        let Some(path) = path else { continue };
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let values = ini_section(&text, section);
        let get = |key: &str| {
            values
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        if let (Some(id), Some(secret)) = (get("aws_access_key_id"), get("aws_secret_access_key")) {
            return Ok(AwsCredentials {
                access_key_id: id,
                secret_access_key: secret,
                session_token: get("aws_session_token"),
            });
        }
    }
    let shown = |p: &Option<PathBuf>| {
        p.as_ref()
            .map_or("(no HOME)".into(), |p| p.display().to_string())
    };
    Err(format!(
        "no AWS credentials: none in the profile's keys, {}the {name:?} profile of {} or {}",
        if profile.is_none() {
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
        } else {
            ""
        },
        shown(&credentials_file),
        shown(&config_file),
    ))
}

/// `key = value` lines of `[section]` in an AWS shared file (comments `#`/`;` skipped).
fn ini_section(text: &str, section: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.split_whitespace().collect::<Vec<_>>().join(" ") == section;
            continue;
        }
        if inside && let Some((k, v)) = line.split_once('=') {
            out.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}

/// HMAC (RFC 2104) with SHA-256.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `("YYYYMMDD", "YYYYMMDDTHHMMSSZ")` in UTC for `secs` since the Unix epoch.
fn timestamps(secs: i64) -> (String, String) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let date = format!("{year:04}{month:02}{day:02}");
    let time = format!(
        "{date}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    (date, time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_cases() {
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // A key longer than the block is hashed first (test case 6).
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(
            timestamps(0),
            ("19700101".into(), "19700101T000000Z".into())
        );
        assert_eq!(
            timestamps(1_700_000_000),
            ("20231114".into(), "20231114T221320Z".into())
        );
        assert_eq!(
            timestamps(951_825_600),
            ("20000229".into(), "20000229T120000Z".into())
        );
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn environment_variables_come_before_the_shared_files() {
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "session"),
            ("HOME", "/nonexistent"),
        ]);
        let creds = credentials(None, None, &env).expect("from the environment");
        assert_eq!(creds.access_key_id, "AKIDENV");
        assert_eq!(creds.session_token.as_deref(), Some("session"));
    }

    #[test]
    fn a_named_profile_is_read_from_the_credentials_file_then_the_config_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let credentials_file = dir.path().join("credentials");
        let config_file = dir.path().join("config");
        std::fs::write(
            &credentials_file,
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\
             [msk]\n# a comment\naws_access_key_id=AKIDMSK\naws_secret_access_key = m\n",
        )
        .expect("write");
        std::fs::write(
            &config_file,
            "[profile other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = o\n\
             aws_session_token = t\n",
        )
        .expect("write");
        let c = credentials_file.display().to_string();
        let f = config_file.display().to_string();
        let env = env_of(&[
            ("AWS_SHARED_CREDENTIALS_FILE", &c),
            ("AWS_CONFIG_FILE", &f),
            // A named profile wins over the environment's keys.
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
        ]);
        let id = |profile| {
            credentials(None, profile, &env)
                .map(|c| (c.access_key_id, c.session_token))
                .unwrap_or_else(|e| (e, None))
        };
        assert_eq!(id(Some("msk")), ("AKIDMSK".into(), None));
        assert_eq!(id(Some("other")), ("AKIDOTHER".into(), Some("t".into())));
        let missing = id(Some("absent")).0;
        assert!(
            missing.starts_with(
                "no AWS credentials: none in the profile's keys, the \"absent\" profile of"
            ),
            "{missing}"
        );
        let env = env_of(&[("AWS_SHARED_CREDENTIALS_FILE", &c), ("AWS_PROFILE", "msk")]);
        assert_eq!(
            credentials(None, None, &env).map(|c| c.access_key_id),
            Ok("AKIDMSK".into())
        );
    }

    #[test]
    fn the_token_decodes_to_a_presigned_url_expiring_in_900_seconds() {
        let creds = AwsCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let signed = token("eu-west-1", &creds, 1_700_000_000, "warren/test");
        assert_eq!(signed.expires_at_ms, 1_700_000_900_000);
        let url = String::from_utf8(Base64UrlUnpadded::decode_vec(&signed.token).expect("b64"))
            .expect("utf-8");
        assert!(
            url.starts_with(
                "https://kafka.eu-west-1.amazonaws.com/?Action=kafka-cluster%3AConnect&\
                 X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20231114%2F\
                 eu-west-1%2Fkafka-cluster%2Faws4_request&X-Amz-Date=20231114T221320Z&\
                 X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature="
            ),
            "{url}"
        );
        assert!(url.ends_with("&User-Agent=warren%2Ftest"), "{url}");
    }
}

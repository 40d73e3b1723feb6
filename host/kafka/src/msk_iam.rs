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
//! (`profile`, else `AWS_PROFILE`, else `default`; a named profile stops here); a web identity
//! (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, STS `AssumeRoleWithWebIdentity`: EKS IRSA);
//! the container endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`/`_RELATIVE_URI`: ECS, EKS Pod
//! Identity); the instance metadata service (IMDSv2). The SDKs' endpoint overrides
//! (`AWS_ENDPOINT_URL_STS`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`) are honoured, which is also how
//! the tests reach fake services. Credentials are fetched anew for every token.

use std::path::PathBuf;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::oauth::{Credential, error_chain, uri_encode};

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
    region: &str,
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
    let files = format!(
        "the {name:?} profile of {} or {}",
        shown(&credentials_file),
        shown(&config_file)
    );
    if profile.is_some() {
        return Err(format!("no AWS credentials in {files}"));
    }
    // What runs in AWS provides: a web identity (EKS), the container's (ECS), the instance's.
    let mut tried = vec!["AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY".to_owned(), files];
    if let (Some(token_file), Some(role)) =
        (set("AWS_WEB_IDENTITY_TOKEN_FILE"), set("AWS_ROLE_ARN"))
    {
        return web_identity(&token_file, &role, region, &set)
            .map_err(|e| format!("AWS web identity (AWS_ROLE_ARN {role}): {e}"));
    }
    tried.push("AWS_WEB_IDENTITY_TOKEN_FILE".to_owned());
    let container = set("AWS_CONTAINER_CREDENTIALS_FULL_URI").or_else(|| {
        set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            .map(|uri| format!("http://169.254.170.2{uri}"))
    });
    if let Some(url) = container {
        return container_credentials(&url, &set)
            .map_err(|e| format!("AWS container credentials at {url}: {e}"));
    }
    tried.push("AWS_CONTAINER_CREDENTIALS_*_URI".to_owned());
    if set("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        tried.push("instance metadata (disabled)".to_owned());
    } else {
        let endpoint = set("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            .unwrap_or_else(|| "http://169.254.169.254".to_owned());
        match instance_credentials(endpoint.trim_end_matches('/')) {
            Ok(creds) => return Ok(creds),
            Err(e) => tried.push(format!("instance metadata at {endpoint} ({e})")),
        }
    }
    Err(format!("no AWS credentials; tried {}", tried.join(", ")))
}

/// A blocking HTTP request (this runs on the token callback's own thread): the status and body.
fn http(
    method: reqwest::Method,
    url: &str,
    headers: &[(&str, String)],
    body: Option<String>,
    timeout: Duration,
) -> Result<(u16, String), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start an HTTP client: {e}"))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| format!("cannot start an HTTP client: {e}"))?;
        let mut request = client.request(method, url).header("user-agent", USER_AGENT);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
        }
        let response = request.send().await.map_err(|e| error_chain(&e))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| error_chain(&e))?;
        Ok((status, text))
    })
}

fn ok_body((status, body): (u16, String)) -> Result<String, String> {
    if (200..300).contains(&status) {
        Ok(body)
    } else {
        Err(format!("HTTP {status}"))
    }
}

/// STS `AssumeRoleWithWebIdentity` (unsigned: the web identity token is the credential), at
/// the region's endpoint or `AWS_ENDPOINT_URL_STS`/`AWS_ENDPOINT_URL`.
fn web_identity(
    token_file: &str,
    role: &str,
    region: &str,
    set: &dyn Fn(&str) -> Option<String>,
) -> Result<AwsCredentials, String> {
    let token = std::fs::read_to_string(token_file)
        .map_err(|e| format!("cannot read {token_file}: {e}"))?;
    let endpoint = set("AWS_ENDPOINT_URL_STS")
        .or_else(|| set("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|| format!("https://sts.{region}.amazonaws.com"));
    let session = set("AWS_ROLE_SESSION_NAME").unwrap_or_else(|| "warren".to_owned());
    let body = format!(
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={}&RoleSessionName={}\
         &WebIdentityToken={}",
        uri_encode(role),
        uri_encode(&session),
        uri_encode(token.trim())
    );
    let (status, xml) = http(
        reqwest::Method::POST,
        &format!("{}/", endpoint.trim_end_matches('/')),
        &[],
        Some(body),
        crate::oauth::REQUEST_TIMEOUT,
    )?;
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = xml.find(&open)? + open.len();
        let end = xml[start..].find(&format!("</{name}>"))? + start;
        Some(xml[start..end].to_owned())
    };
    if !(200..300).contains(&status) {
        let code = tag("Code").unwrap_or_else(|| "no error code".to_owned());
        return Err(format!("STS answered HTTP {status}: {code}"));
    }
    match (tag("AccessKeyId"), tag("SecretAccessKey")) {
        (Some(id), Some(secret)) => Ok(AwsCredentials {
            access_key_id: id,
            secret_access_key: secret,
            session_token: tag("SessionToken"),
        }),
        _ => Err("STS answered without credentials".to_owned()),
    }
}

/// Credentials as the ECS/EKS container endpoints and the instance metadata service give
/// them (JSON with `AccessKeyId`, `SecretAccessKey`, `Token`).
fn from_json(body: &str) -> Result<AwsCredentials, String> {
    let json: serde_json::Value =
        serde_json::from_str(body).map_err(|_| "the answer is not JSON".to_owned())?;
    let field = |k: &str| {
        json[k]
            .as_str()
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    match (field("AccessKeyId"), field("SecretAccessKey")) {
        (Some(id), Some(secret)) => Ok(AwsCredentials {
            access_key_id: id,
            secret_access_key: secret,
            session_token: field("Token"),
        }),
        _ => Err("the answer holds no credentials".to_owned()),
    }
}

/// The ECS (or EKS Pod Identity) container credentials endpoint, with its authorization token
/// when one is set (`AWS_CONTAINER_AUTHORIZATION_TOKEN`, or the `_FILE` holding it).
fn container_credentials(
    url: &str,
    set: &dyn Fn(&str) -> Option<String>,
) -> Result<AwsCredentials, String> {
    let token = match set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Some(file) => Some(
            std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {file}: {e}"))?
                .trim()
                .to_owned(),
        ),
        None => set("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
    };
    let headers: Vec<(&str, String)> = token.map(|t| ("authorization", t)).into_iter().collect();
    let body = ok_body(http(
        reqwest::Method::GET,
        url,
        &headers,
        None,
        crate::oauth::REQUEST_TIMEOUT,
    )?)?;
    from_json(&body)
}

/// IMDSv2: a session token, the instance profile's role name, then its credentials. One
/// second per request: off EC2 nothing answers, and that must not hold the token callback.
fn instance_credentials(endpoint: &str) -> Result<AwsCredentials, String> {
    let quick = Duration::from_secs(1);
    let token = ok_body(http(
        reqwest::Method::PUT,
        &format!("{endpoint}/latest/api/token"),
        &[("x-aws-ec2-metadata-token-ttl-seconds", "300".to_owned())],
        None,
        quick,
    )?)?;
    let auth = [("x-aws-ec2-metadata-token", token)];
    let base = format!("{endpoint}/latest/meta-data/iam/security-credentials/");
    let roles = ok_body(http(reqwest::Method::GET, &base, &auth, None, quick)?)?;
    let role = roles
        .lines()
        .next()
        .filter(|r| !r.is_empty())
        .ok_or("no instance profile")?;
    let body = ok_body(http(
        reqwest::Method::GET,
        &format!("{base}{role}"),
        &auth,
        None,
        quick,
    )?)?;
    from_json(&body)
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
        let creds = credentials(None, None, "eu-west-1", &env).expect("from the environment");
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
            credentials(None, profile, "eu-west-1", &env)
                .map(|c| (c.access_key_id, c.session_token))
                .unwrap_or_else(|e| (e, None))
        };
        assert_eq!(id(Some("msk")), ("AKIDMSK".into(), None));
        assert_eq!(id(Some("other")), ("AKIDOTHER".into(), Some("t".into())));
        let missing = id(Some("absent")).0;
        assert!(
            missing.starts_with("no AWS credentials in the \"absent\" profile of"),
            "{missing}"
        );
        let env = env_of(&[("AWS_SHARED_CREDENTIALS_FILE", &c), ("AWS_PROFILE", "msk")]);
        assert_eq!(
            credentials(None, None, "eu-west-1", &env).map(|c| c.access_key_id),
            Ok("AKIDMSK".into())
        );
    }

    /// A fake AWS service on 127.0.0.1: answers each request whose "METHOD /path" starts with
    /// a route's key with its status and body, one request per connection, and records the
    /// requests (head and body).
    fn fake_aws(
        routes: &'static [(&'static str, u16, &'static str)],
    ) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut request = Vec::new();
                let mut buf = [0u8; 8192];
                loop {
                    let text = String::from_utf8_lossy(&request).into_owned();
                    if let Some(head_end) = text.find("\r\n\r\n") {
                        let length = text[..head_end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if request.len() >= head_end + 4 + length {
                            break;
                        }
                    }
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).into_owned();
                let (status, body) = routes
                    .iter()
                    .find(|(key, _, _)| text.starts_with(key))
                    .map_or((404, ""), |(_, status, body)| (*status, *body));
                log.lock().expect("log").push(text);
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            }
        });
        (url, seen)
    }

    const CREDS_JSON: &str =
        r#"{"AccessKeyId":"ASIAFAKE","SecretAccessKey":"fake-secret","Token":"fake-session"}"#;

    #[test]
    fn a_web_identity_is_exchanged_at_sts_for_temporary_credentials() {
        static ROUTES: &[(&str, u16, &str)] = &[(
            "POST / ",
            200,
            "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>\
             <AccessKeyId>ASIASTS</AccessKeyId><SecretAccessKey>sts-secret</SecretAccessKey>\
             <SessionToken>sts-session</SessionToken></Credentials>\
             </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
        )];
        let (url, seen) = fake_aws(ROUTES);
        let dir = tempfile::tempdir().expect("temp dir");
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, "eyJ.web.identity\n").expect("write");
        let token_file = token_file.display().to_string();
        let env = env_of(&[
            ("HOME", "/nonexistent"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/warren"),
            ("AWS_ENDPOINT_URL_STS", &url),
        ]);
        let creds = credentials(None, None, "eu-west-1", &env).expect("from STS");
        assert_eq!(creds.access_key_id, "ASIASTS");
        assert_eq!(creds.secret_access_key, "sts-secret");
        assert_eq!(creds.session_token.as_deref(), Some("sts-session"));
        let request = seen.lock().expect("log")[0].clone();
        assert!(
            request.ends_with(
                "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=\
                 arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fwarren&RoleSessionName=warren\
                 &WebIdentityToken=eyJ.web.identity"
            ),
            "{request}"
        );
    }

    #[test]
    fn the_container_endpoint_is_asked_with_its_authorization_token() {
        static ROUTES: &[(&str, u16, &str)] = &[("GET /v2/credentials/abc ", 200, CREDS_JSON)];
        let (url, seen) = fake_aws(ROUTES);
        let full = format!("{url}/v2/credentials/abc");
        let env = env_of(&[
            ("HOME", "/nonexistent"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer pod-identity"),
        ]);
        let creds = credentials(None, None, "eu-west-1", &env).expect("from the container");
        assert_eq!(creds.access_key_id, "ASIAFAKE");
        assert_eq!(creds.session_token.as_deref(), Some("fake-session"));
        let request = seen.lock().expect("log")[0].to_ascii_lowercase();
        assert!(
            request.contains("authorization: bearer pod-identity"),
            "{request}"
        );
    }

    #[test]
    fn the_instance_metadata_service_is_asked_with_an_imdsv2_session() {
        static ROUTES: &[(&str, u16, &str)] = &[
            ("PUT /latest/api/token ", 200, "imds-session"),
            (
                "GET /latest/meta-data/iam/security-credentials/ ",
                200,
                "warren-role\n",
            ),
            (
                "GET /latest/meta-data/iam/security-credentials/warren-role ",
                200,
                CREDS_JSON,
            ),
        ];
        let (url, seen) = fake_aws(ROUTES);
        let env = env_of(&[
            ("HOME", "/nonexistent"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url),
        ]);
        let creds = credentials(None, None, "eu-west-1", &env).expect("from IMDS");
        assert_eq!(creds.access_key_id, "ASIAFAKE");
        let requests = seen.lock().expect("log").clone();
        assert_eq!(requests.len(), 3, "{requests:?}");
        assert!(
            requests[1]
                .to_ascii_lowercase()
                .contains("x-aws-ec2-metadata-token: imds-session")
        );
    }

    #[test]
    fn with_no_source_the_error_lists_every_place_tried_and_no_secret() {
        static ROUTES: &[(&str, u16, &str)] = &[("PUT /latest/api/token ", 403, "")];
        let (url, _) = fake_aws(ROUTES);
        let env = env_of(&[
            ("HOME", "/nonexistent"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url),
        ]);
        let error = credentials(None, None, "eu-west-1", &env).expect_err("nothing");
        assert_eq!(
            error,
            format!(
                "no AWS credentials; tried AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the \
                 \"default\" profile of /nonexistent/.aws/credentials or \
                 /nonexistent/.aws/config, AWS_WEB_IDENTITY_TOKEN_FILE, \
                 AWS_CONTAINER_CREDENTIALS_*_URI, instance metadata at {url} (HTTP 403)"
            )
        );
        let env = env_of(&[("AWS_EC2_METADATA_DISABLED", "true")]);
        let error = credentials(None, None, "eu-west-1", &env).expect_err("nothing");
        assert!(error.ends_with("instance metadata (disabled)"), "{error}");
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

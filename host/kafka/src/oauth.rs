//! OAUTHBEARER tokens Warren fetches itself, through librdkafka's token-refresh callback
//! ([`crate::client::WarrenContext`]): from an OpenID Connect provider with the client-credentials
//! grant, or signed with AWS credentials for MSK IAM ([`crate::msk_iam`]).
//!
//! librdkafka asks at start and again at 80% of each token's lifetime; a failure is reported to
//! librdkafka (which asks again ten seconds later) and to the cluster's health, and no broker
//! connection is made without a token. The settings travel in librdkafka's own
//! `sasl.oauthbearer.config` property (a sensitive one: librdkafka never prints it), so each
//! client carries its profile's token source and the context needs no state. Secrets are kept
//! as references there and read at every request, so a rotated secret file is picked up.

use std::path::PathBuf;
use std::time::Duration;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};
use warren_core::config::{MskIam, OidcClient, SecretRef, SecretSource};

use crate::msk_iam;

/// How long a token request (or one AWS credential request) may take. librdkafka calls back on
/// the thread serving the client's queue, so this bounds how long that thread waits.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a client's tokens come from, as written into `sasl.oauthbearer.config`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum TokenSource {
    /// OAuth 2.0 client credentials at an OIDC token endpoint.
    Oidc {
        token_endpoint: String,
        client_id: String,
        client_secret: Credential,
        scope: Option<String>,
    },
    /// A SigV4-presigned MSK `kafka-cluster:Connect` URL.
    MskIam {
        region: String,
        profile: Option<String>,
        keys: Option<msk_iam::StaticKeys>,
    },
}

/// A credential as the config gave it: the value, or where to read it when a token is made.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Credential {
    Value(String),
    Env(String),
    File(PathBuf),
}

impl Credential {
    pub(crate) fn of(source: &SecretSource) -> Self {
        match source {
            SecretSource::Inline(secret) => Credential::Value(secret.expose().to_owned()),
            SecretSource::Ref(SecretRef::Env(var)) => Credential::Env(var.clone()),
            SecretSource::Ref(SecretRef::File(path)) => Credential::File(path.clone()),
        }
    }

    /// The value now; errors name the reference, never a value.
    pub(crate) fn read(&self) -> Result<String, String> {
        let reference = match self {
            Credential::Value(value) => return Ok(value.clone()),
            Credential::Env(var) => SecretRef::Env(var.clone()),
            Credential::File(path) => SecretRef::File(path.clone()),
        };
        reference
            .read(&|var| std::env::var(var).ok())
            .map(|s| s.expose().to_owned())
    }
}

impl TokenSource {
    pub(crate) fn oidc(client_id: &str, c: &OidcClient) -> Self {
        TokenSource::Oidc {
            token_endpoint: c.token_endpoint.clone(),
            client_id: client_id.to_owned(),
            client_secret: Credential::of(&c.client_secret),
            scope: c.scope.clone(),
        }
    }

    pub(crate) fn msk_iam(m: &MskIam) -> Self {
        let keys = match (&m.access_key_id, &m.secret_access_key) {
            (Some(id), Some(secret)) => Some(msk_iam::StaticKeys {
                access_key_id: Credential::of(id),
                secret_access_key: Credential::of(secret),
                session_token: m.session_token.as_ref().map(Credential::of),
            }),
            _ => None,
        };
        TokenSource::MskIam {
            region: m.region.clone(),
            profile: m.profile.clone(),
            keys,
        }
    }

    /// The `sasl.oauthbearer.config` value.
    pub(crate) fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub(crate) fn decode(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("unreadable token settings: {e}"))
    }

    /// A fresh token, now. Blocking (network): librdkafka's callback is synchronous.
    pub(crate) fn token(&self) -> Result<Token, String> {
        match self {
            TokenSource::Oidc {
                token_endpoint,
                client_id,
                client_secret,
                scope,
            } => {
                let secret = client_secret
                    .read()
                    .map_err(|e| format!("client-secret: {e}"))?;
                let request = TokenRequest {
                    endpoint: token_endpoint.clone(),
                    client_id: client_id.clone(),
                    client_secret: secret,
                    scope: scope.clone(),
                };
                blocking(move || request.send())
            }
            TokenSource::MskIam {
                region,
                profile,
                keys,
            } => {
                let (region, profile, keys) = (region.clone(), profile.clone(), keys.clone());
                blocking(move || {
                    let env = |var: &str| std::env::var(var).ok();
                    let creds =
                        msk_iam::credentials(keys.as_ref(), profile.as_deref(), &region, &env)?;
                    let now = warren_core::clock::now_ms().div_euclid(1000);
                    let signed = msk_iam::token(region.as_str(), &creds, now, msk_iam::USER_AGENT);
                    Ok(Token {
                        value: signed.token,
                        principal: creds.access_key_id.clone(),
                        expires_at_ms: signed.expires_at_ms,
                    })
                })
            }
        }
    }
}

/// A token and what librdkafka needs besides it.
#[derive(Debug)]
pub(crate) struct Token {
    pub(crate) value: String,
    /// The Kafka principal the token stands for (its `sub`), for librdkafka's logs.
    pub(crate) principal: String,
    /// When it expires, in ms since the Unix epoch (librdkafka refreshes at 80% of the way).
    pub(crate) expires_at_ms: i64,
}

/// One client-credentials request (RFC 6749 §4.4), the client authenticating with HTTP Basic
/// as Kafka's own Java client does (§2.3.1: every server must accept it).
struct TokenRequest {
    endpoint: String,
    client_id: String,
    client_secret: String,
    scope: Option<String>,
}

impl TokenRequest {
    fn send(self) -> Result<Token, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start an HTTP client: {e}"))?;
        runtime.block_on(self.send_async())
    }

    async fn send_async(self) -> Result<Token, String> {
        let at = &self.endpoint;
        let mut body = "grant_type=client_credentials".to_owned();
        if let Some(scope) = &self.scope {
            body += &format!("&scope={}", uri_encode(scope));
        }
        let basic = Base64::encode_string(
            format!(
                "{}:{}",
                uri_encode(&self.client_id),
                uri_encode(&self.client_secret)
            )
            .as_bytes(),
        );
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot start an HTTP client: {e}"))?;
        let response = client
            .post(at)
            .header("authorization", format!("Basic {basic}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header("user-agent", crate::msk_iam::USER_AGENT)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("token endpoint {at}: {}", error_chain(&e)))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| format!("token endpoint {at}: {}", error_chain(&e)))?;
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if !status.is_success() {
            // RFC 6749 §5.2: `error` and an optional `error_description`.
            let error = json["error"].as_str().unwrap_or("no OAuth error code");
            let detail = json["error_description"]
                .as_str()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            return Err(format!(
                "token endpoint {at} refused the client credentials: {status}: {error}{detail}"
            ));
        }
        let Some(value) = json["access_token"].as_str().filter(|t| !t.is_empty()) else {
            return Err(format!(
                "token endpoint {at} answered without an access_token"
            ));
        };
        let claims = jwt_claims(value);
        let now_ms = warren_core::clock::now_ms();
        // The token's own `exp` is what the broker checks; `expires_in` when it has none.
        let expires_at_ms = match (claims["exp"].as_i64(), json["expires_in"].as_i64()) {
            (Some(exp), _) => exp.saturating_mul(1000),
            (None, Some(seconds)) => now_ms.saturating_add(seconds.saturating_mul(1000)),
            (None, None) => {
                return Err(format!(
                    "token endpoint {at} answered a token without exp or expires_in"
                ));
            }
        };
        if expires_at_ms <= now_ms {
            return Err(format!("token endpoint {at} answered an expired token"));
        }
        let principal = claims["sub"].as_str().unwrap_or(&self.client_id).to_owned();
        Ok(Token {
            value: value.to_owned(),
            principal,
            expires_at_ms,
        })
    }
}

/// The claims of a JWT, unverified (the broker verifies; Warren only reads `exp` and `sub`).
/// `Null` when the token is not a JWT.
fn jwt_claims(token: &str) -> serde_json::Value {
    token
        .split('.')
        .nth(1)
        .and_then(|payload| Base64UrlUnpadded::decode_vec(payload.trim_end_matches('=')).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// A reqwest error with its causes ("error sending request: ... Connection refused").
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text += &format!(": {cause}");
        source = cause.source();
    }
    text
}

/// RFC 3986 percent-encoding of everything but the unreserved characters (what SigV4 and
/// `application/x-www-form-urlencoded` both accept).
pub(crate) fn uri_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out += &format!("%{byte:02X}");
        }
    }
    out
}

/// Runs network code from librdkafka's callback, which may be on a tokio worker (the HEAD
/// poller serves its client's queue from async code): on its own thread, with the worker
/// handed over to the runtime's other tasks meanwhile.
fn blocking<T: Send>(work: impl FnOnce() -> Result<T, String> + Send) -> Result<T, String> {
    let run = move || {
        std::thread::scope(|s| {
            s.spawn(work)
                .join()
                .unwrap_or_else(|_| Err("the token request panicked".to_owned()))
        })
    };
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(run),
        _ => run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_survive_the_trip_through_the_librdkafka_property() {
        let source = TokenSource::Oidc {
            token_endpoint: "https://idp/token".into(),
            client_id: "warren".into(),
            client_secret: Credential::Env("SECRET_VAR".into()),
            scope: Some("kafka".into()),
        };
        let back = TokenSource::decode(&source.encode()).expect("decodes");
        assert_eq!(format!("{back:?}"), format!("{source:?}"));
    }

    #[test]
    fn claims_are_read_from_a_jwt_and_absent_from_anything_else() {
        let payload = Base64UrlUnpadded::encode_string(br#"{"sub":"svc","exp":1700000000}"#);
        let claims = jwt_claims(&format!("e30.{payload}.sig"));
        assert_eq!(claims["sub"], "svc");
        assert_eq!(claims["exp"], 1_700_000_000);
        assert!(jwt_claims("opaque-token").is_null());
    }

    /// Answers one HTTP request on 127.0.0.1 with `status` and `body`; returns the endpoint
    /// URL and what the request was.
    fn one_shot(status: &str, body: &str) -> (String, std::thread::JoinHandle<String>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/token", listener.local_addr().expect("addr"));
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{body}",
            body.len()
        );
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !String::from_utf8_lossy(&request).contains("grant_type") {
                let n = stream.read(&mut buf).expect("read");
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            stream.write_all(response.as_bytes()).expect("write");
            String::from_utf8_lossy(&request).into_owned()
        });
        (url, handle)
    }

    fn request(endpoint: String) -> TokenRequest {
        TokenRequest {
            endpoint,
            client_id: "warren".into(),
            client_secret: "s3cret:+".into(),
            scope: Some("kafka read".into()),
        }
    }

    #[test]
    fn an_opaque_token_lives_expires_in_and_stands_for_the_client() {
        let (url, server) = one_shot("200 OK", r#"{"access_token":"opaque","expires_in":60}"#);
        let before = warren_core::clock::now_ms();
        let token = request(url).send().expect("a token");
        let sent = server.join().expect("server");
        assert_eq!(token.value, "opaque");
        assert_eq!(token.principal, "warren");
        assert!((before + 60_000..before + 62_000).contains(&token.expires_at_ms));
        // Client credentials in HTTP Basic, each part form-encoded first (RFC 6749 §2.3.1).
        let basic = Base64::encode_string(b"warren:s3cret%3A%2B");
        assert!(
            sent.contains(&format!("authorization: Basic {basic}")),
            "{sent}"
        );
        assert!(
            sent.ends_with("grant_type=client_credentials&scope=kafka%20read"),
            "{sent}"
        );
    }

    #[test]
    fn refusals_and_unusable_answers_say_what_the_endpoint_said() {
        let cases = [
            (
                "400 Bad Request",
                r#"{"error":"invalid_scope"}"#,
                "refused the client credentials: 400 Bad Request: invalid_scope",
            ),
            (
                "503 Service Unavailable",
                "<html>down</html>",
                "503 Service Unavailable: no OAuth error code",
            ),
            (
                "200 OK",
                r#"{"token_type":"Bearer"}"#,
                "answered without an access_token",
            ),
            (
                "200 OK",
                r#"{"access_token":"opaque"}"#,
                "a token without exp or expires_in",
            ),
        ];
        for (status, body, want) in cases {
            let (url, server) = one_shot(status, body);
            let error = request(url.clone()).send().expect_err("refused");
            server.join().expect("server");
            assert!(
                error.starts_with(&format!("token endpoint {url} ")),
                "{error}"
            );
            assert!(error.contains(want), "{error}");
            assert!(!error.contains("s3cret"), "{error}");
        }
    }

    #[test]
    fn uri_encoding_keeps_only_unreserved_characters() {
        assert_eq!(uri_encode("a-Z_0.~ /+=:"), "a-Z_0.~%20%2F%2B%3D%3A");
    }
}

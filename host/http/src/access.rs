//! Who is asking: the credentials of `[api-token.NAME]` and `[api-user.NAME]`, read once at
//! start, and the check of one request's `Authorization` header against them. Tokens are kept
//! as SHA-256 digests and compared in constant time (every token, no early exit), so neither
//! timing nor a memory dump of the comparison gives a token away. Passwords are verified with
//! argon2 on the blocking pool, never on an async worker; a success is remembered per user as a
//! digest salted by the stored hash, so a scraper sending Basic credentials every 15 s costs one
//! argon2 run, not one per scrape. Values never reach a log line or an answer.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64ct::Encoding;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use warren_core::config::{ApiRole, Config};

/// Why a request was refused, the label of `warren_http_refused_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No credentials where they are required (401).
    Missing,
    /// Credentials that match nobody (401).
    Invalid,
    /// A credential or an anonymous caller without the role the request needs (403).
    Forbidden,
    /// A state-changing request from another site (403).
    CrossSite,
    /// A `Host` outside the loopback allow-list (403).
    Host,
}

impl Refusal {
    const ALL: [Refusal; 5] = [
        Refusal::Missing,
        Refusal::Invalid,
        Refusal::Forbidden,
        Refusal::CrossSite,
        Refusal::Host,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Refusal::Missing => "missing-credentials",
            Refusal::Invalid => "invalid-credentials",
            Refusal::Forbidden => "forbidden",
            Refusal::CrossSite => "cross-site",
            Refusal::Host => "host",
        }
    }
}

/// Who a request was made by, once its credentials checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// `token NAME` or `user NAME`, for logs.
    pub(crate) name: String,
    pub(crate) role: ApiRole,
}

struct Token {
    name: String,
    digest: [u8; 32],
    role: ApiRole,
}

struct User {
    /// The PHC string.
    hash: Arc<str>,
    role: ApiRole,
}

/// Every credential of the API, shared by all listeners; cheap to clone.
#[derive(Clone, Default)]
pub struct Access {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    tokens: Vec<Token>,
    users: BTreeMap<String, User>,
    /// User → digest of (stored hash, password) of the last password that verified.
    verified: Mutex<HashMap<String, [u8; 32]>>,
    refused: [AtomicU64; 5],
    /// argon2 runs so far (what the cache saves is visible in `/metrics`).
    hashed: AtomicU64,
}

impl Access {
    /// Reads every token (`env:`/`file:` through `env` for variables); the errors name the
    /// token's key path, never a value.
    pub fn from_config(
        config: &Config,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        let mut tokens = Vec::new();
        for (name, t) in &config.api_tokens {
            match t.token.read(env) {
                Ok(value) if value.expose().is_empty() => {
                    errors.push(format!("api-token.{name}.token: the token is empty"));
                }
                Ok(value) => tokens.push(Token {
                    name: name.clone(),
                    digest: sha256(&[value.expose().as_bytes()]),
                    role: t.role,
                }),
                Err(why) => errors.push(format!("api-token.{name}.token: {why}")),
            }
        }
        let users = config
            .api_users
            .iter()
            .map(|(name, u)| {
                let user = User {
                    hash: u.password_hash.expose().into(),
                    role: u.role,
                };
                (name.clone(), user)
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Access {
            inner: Arc::new(Inner {
                tokens,
                users,
                ..Inner::default()
            }),
        })
    }

    /// Whether any credential is configured, which makes every listener require one.
    pub fn required(&self) -> bool {
        !self.inner.tokens.is_empty() || !self.inner.users.is_empty()
    }

    /// Whether any basic-auth user is configured (the `Basic` challenge is offered then).
    pub(crate) fn has_users(&self) -> bool {
        !self.inner.users.is_empty()
    }

    pub(crate) fn count(&self, refusal: Refusal) {
        self.inner.refused[refusal as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Refused requests so far, by reason label.
    pub fn refusals(&self) -> Vec<(&'static str, u64)> {
        Refusal::ALL
            .iter()
            .map(|r| {
                (
                    r.label(),
                    self.inner.refused[*r as usize].load(Ordering::Relaxed),
                )
            })
            .collect()
    }

    /// How many passwords were checked with argon2 (a cached success costs none).
    pub fn password_hashes(&self) -> u64 {
        self.inner.hashed.load(Ordering::Relaxed)
    }

    /// Checks the `Authorization` header: `Ok(None)` when there is none, `Err` when it names
    /// nobody (or is malformed).
    pub(crate) async fn identify(&self, headers: &HeaderMap) -> Result<Option<Caller>, ()> {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return Ok(None);
        };
        let value = value.to_str().map_err(|_| ())?;
        let (scheme, rest) = value.split_once(' ').ok_or(())?;
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            return self.token(rest).map(Some).ok_or(());
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64ct::Base64::decode_vec(rest).map_err(|_| ())?;
            let decoded = String::from_utf8(decoded).map_err(|_| ())?;
            let (user, password) = decoded.split_once(':').ok_or(())?;
            return self.password(user, password).await.map(Some).ok_or(());
        }
        Err(())
    }

    fn token(&self, presented: &str) -> Option<Caller> {
        let digest = sha256(&[presented.as_bytes()]);
        let mut found = None;
        for t in &self.inner.tokens {
            if bool::from(t.digest.ct_eq(&digest)) {
                found = Some(Caller {
                    name: format!("token {}", t.name),
                    role: t.role,
                });
            }
        }
        found
    }

    async fn password(&self, user: &str, password: &str) -> Option<Caller> {
        let entry = self.inner.users.get(user)?;
        let caller = Caller {
            name: format!("user {user}"),
            role: entry.role,
        };
        // Salted by the stored hash (which carries a random salt), so the cache holds nothing
        // a dictionary could be run against without argon2.
        let digest = sha256(&[entry.hash.as_bytes(), b"\0", password.as_bytes()]);
        let cached = self.verified().get(user).copied();
        if cached.is_some_and(|c| bool::from(c.ct_eq(&digest))) {
            return Some(caller);
        }
        self.inner.hashed.fetch_add(1, Ordering::Relaxed);
        let hash = entry.hash.clone();
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify(&hash, &password))
            .await
            .unwrap_or(false);
        if !ok {
            return None;
        }
        self.verified().insert(user.to_owned(), digest);
        Some(caller)
    }

    fn verified(&self) -> std::sync::MutexGuard<'_, HashMap<String, [u8; 32]>> {
        self.inner
            .verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

/// argon2 verification with the parameters the PHC string carries (blocking: tens of
/// milliseconds by design).
pub fn verify(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// The PHC string of `password` with a fresh random salt and argon2id's default parameters
/// (`warren hash-password`).
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

//! librdkafka client settings shared by every collector, and the wall clock collectors stamp
//! observations with ([`warren_core::clock`]: rules never read the clock; collectors are where
//! time enters).

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::config::RDKafkaLogLevel;
use warren_core::config::ClientProfile;

use crate::oauth::TokenSource;

pub(crate) use warren_core::clock::now_ms;

/// The longest librdkafka waits between attempts to reach a broker, and so the longest a
/// collector that polls on its own schedule waits after a failure (see `heads.rs`).
pub(crate) const RECONNECT_BACKOFF_MAX: std::time::Duration = std::time::Duration::from_secs(10);

/// Base configuration of a metadata/offsets client: never joins a group, never commits, reads
/// the high watermark (READ_UNCOMMITTED, as Burrow does); connects as `profile` says
/// ([`crate::security`]). Fails only when a credential cannot be read.
pub(crate) fn client_config(
    servers: &[String],
    profile: &ClientProfile,
) -> Result<ClientConfig, String> {
    let mut c = ClientConfig::new();
    crate::security::apply(profile, &mut c)?;
    c.set("bootstrap.servers", servers.join(","))
        .set("client.id", &profile.client_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("isolation.level", "read_uncommitted")
        .set("socket.keepalive.enable", "true")
        .set(
            "reconnect.backoff.max.ms",
            RECONNECT_BACKOFF_MAX.as_millis().to_string(),
        )
        .set("topic.metadata.refresh.interval.ms", "-1")
        .set_log_level(RDKafkaLogLevel::Warning);
    Ok(c)
}

/// Routes librdkafka's logs and errors into `tracing`, tagged with the cluster or consumer
/// name. End-of-partition is how the offsets-topic reader learns it caught up, not an error.
/// The last connection-level error (TLS handshake, SASL authentication, broker down) is kept:
/// a failed request only says "transport failure", this says why, and health reports it.
pub(crate) struct WarrenContext {
    pub(crate) name: String,
    last_error: std::sync::Mutex<Option<String>>,
}

impl WarrenContext {
    pub(crate) fn new(name: &str) -> Self {
        WarrenContext {
            name: name.to_string(),
            last_error: std::sync::Mutex::new(None),
        }
    }

    fn remember(&self, reason: &str) {
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason.to_string());
    }

    /// Forgets the last connection error (a request went through). librdkafka reports an
    /// error once, not again while it repeats, so it is kept until then.
    pub(crate) fn clear_error(&self) {
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// `error`, with the reason librdkafka gave for the connection failing when it gave one.
    pub(crate) fn explain(&self, error: impl std::fmt::Display) -> String {
        let reason = self
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        match reason {
            Some(reason) => format!("{error}: {reason}"),
            None => error.to_string(),
        }
    }
}

impl rdkafka::ClientContext for WarrenContext {
    // OAUTHBEARER and AWS_MSK_IAM profiles: Warren fetches the tokens ([`crate::oauth`]).
    const ENABLE_REFRESH_OAUTH_TOKEN: bool = true;

    /// librdkafka asks for a token at start and at 80% of each token's lifetime, on the thread
    /// serving the client's queue. A failure keeps the cluster failing with its reason (no
    /// connection is made without a token) and librdkafka asks again ten seconds later.
    fn generate_oauth_token(
        &self,
        oauthbearer_config: Option<&str>,
    ) -> Result<rdkafka::client::OAuthToken, Box<dyn std::error::Error>> {
        let fetched = oauthbearer_config
            .ok_or_else(|| {
                "OAUTHBEARER needs a [sasl.NAME] with mechanism OAUTHBEARER or AWS_MSK_IAM"
                    .to_owned()
            })
            .and_then(TokenSource::decode)
            .and_then(|source| source.token());
        match fetched {
            Ok(token) => {
                let now = now_ms();
                let lifetime = (token.expires_at_ms - now).max(0);
                tracing::debug!(source = %self.name, principal = %token.principal, lifetime = ?Duration::from_millis(lifetime as u64), "OAUTHBEARER token fetched");
                // librdkafka asks again at 80% of the lifetime it is told, but only once the
                // queue is served (the HEAD poller serves it once per offset-refresh), while
                // it re-authenticates at 90% of the broker's session, which ends with the
                // token (KIP-368). Telling it 3/4 of the lifetime moves the refresh to 60%,
                // leaving 30% of the lifetime for the queue to be served.
                Ok(rdkafka::client::OAuthToken {
                    token: token.value,
                    principal_name: token.principal,
                    lifetime_ms: now + lifetime * 3 / 4,
                })
            }
            Err(reason) => {
                let reason = format!("cannot get an OAUTHBEARER token: {reason}");
                tracing::warn!(source = %self.name, "{reason}; librdkafka retries in 10s");
                self.remember(&reason);
                Err(reason.into())
            }
        }
    }

    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        use RDKafkaLogLevel::*;
        // A broker connection failing says why here (FAIL: "SSL handshake failed: ...",
        // "SASL authentication error: ..."), sometimes only here.
        if fac == "FAIL" {
            self.remember(log_message);
        }
        match level {
            Emerg | Alert | Critical | Error => {
                tracing::error!(source = %self.name, facility = fac, "librdkafka: {log_message}")
            }
            Warning => {
                tracing::warn!(source = %self.name, facility = fac, "librdkafka: {log_message}")
            }
            Notice | Info => {
                tracing::debug!(source = %self.name, facility = fac, "librdkafka: {log_message}")
            }
            Debug => {
                tracing::trace!(source = %self.name, facility = fac, "librdkafka: {log_message}")
            }
        }
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        // librdkafka reports it both as its own variant and as a global error code.
        let eof = matches!(error, rdkafka::error::KafkaError::PartitionEOF(_))
            || error.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::PartitionEOF);
        if eof {
            return;
        }
        // Connection failures are retried by librdkafka and by the collectors; warn, not error.
        tracing::warn!(source = %self.name, error = %error, "librdkafka: {reason}");
        // "N/N brokers are down" follows every specific failure; keep the specific reason.
        if error.rdkafka_error_code() != Some(rdkafka::types::RDKafkaErrorCode::AllBrokersDown) {
            self.remember(reason);
        }
    }
}

impl rdkafka::consumer::ConsumerContext for WarrenContext {}

/// A metadata/offsets client for `servers`, logging through `tracing` as `name`. With an
/// OAUTHBEARER profile, the first token is fetched before this returns, so the first request
/// does not wait for a queue to be served.
pub(crate) fn consumer(
    config: &ClientConfig,
    name: &str,
) -> rdkafka::error::KafkaResult<rdkafka::consumer::BaseConsumer<WarrenContext>> {
    let client: rdkafka::consumer::BaseConsumer<WarrenContext> =
        config.create_with_context(WarrenContext::new(name))?;
    if config.get("sasl.oauthbearer.config").is_some() {
        // Serves the refresh event librdkafka queued at creation (runs the callback above).
        let _ = client.poll(Duration::ZERO);
    }
    Ok(client)
}

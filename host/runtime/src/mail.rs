//! The host side of a notifier's `mail` import: the plugin composes a message, the host checks
//! its recipients against the grant, builds it (`Message-ID`, `In-Reply-To` and `References`
//! with the sender's domain, a text/HTML alternative) and hands it to the operator's SMTP server
//! (STARTTLS, implicit TLS, or plain for a local relay) with the configured credentials. SMTP
//! 4xx and connection failures are transient, 5xx permanent; messages are redacted.

use std::time::{Duration, Instant};

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use warren_core::config::{MailSecurity, Secret};

use crate::bindings::notifier::warren::plugin::mail::{Error, Message as Composed};
use crate::outbound::budget;
use crate::secrets::Redactor;

/// The grant to send mail through the host's SMTP client: `[plugin.NAME.mail]`
/// (`warren_core::config::MailConfig`) with the password resolved.
#[derive(Debug, Clone)]
pub struct MailCapability {
    /// SMTP server host name.
    pub server: String,
    /// Its port (587 for STARTTLS, 465 for TLS, 25 for a local relay).
    pub port: u16,
    /// Connection security (`none` only for a local relay).
    pub security: MailSecurity,
    /// Login, when the server requires one.
    pub username: Option<String>,
    /// Password for `username`.
    pub password: Option<Secret>,
    /// The sender, e.g. `Warren <warren@example.com>`; its domain completes `Message-ID`s.
    pub from: String,
    /// Recipients of a message that names none; a plugin may also name any of them.
    pub to: Vec<String>,
    /// Connect and send timeout (the call's deadline still applies).
    pub timeout: Duration,
    /// Further recipients a plugin may name: exact addresses or `@domain`. The default
    /// recipients are always allowed; anyone else is denied.
    pub allowed_recipients: Vec<String>,
}

/// A notifier's SMTP client (pooled connections, shared by its stores).
pub(crate) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
    default_to: Vec<Mailbox>,
    allowed: Vec<String>,
    limit: Duration,
}

impl Mailer {
    /// Checks the grant and builds the client; every problem is reported.
    pub(crate) fn new(cap: &MailCapability, limit: Duration) -> Result<Self, Vec<String>> {
        let limit = limit.min(cap.timeout);
        let mut problems = Vec::new();
        let from: Option<Mailbox> = cap
            .from
            .parse()
            .map_err(|e| problems.push(format!("mail.from: `{}` is not an address: {e}", cap.from)))
            .ok();
        let mut default_to = Vec::new();
        for to in &cap.to {
            match to.parse::<Mailbox>() {
                Ok(m) => default_to.push(m),
                Err(e) => problems.push(format!("mail.to: `{to}` is not an address: {e}")),
            }
        }
        let builder = match cap.security {
            MailSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cap.server)
            }
            MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&cap.server),
            MailSecurity::Opportunistic => TlsParameters::new(cap.server.clone()).map(|tls| {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cap.server)
                    .tls(Tls::Opportunistic(tls))
            }),
            MailSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &cap.server,
            )),
        }
        .map_err(|e| problems.push(format!("mail.server: `{}`: {e}", cap.server)))
        .ok();
        let (Some(from), Some(builder), true) = (from, builder, problems.is_empty()) else {
            return Err(problems);
        };
        let domain = from.email.domain().to_string();
        let mut builder = builder
            .port(cap.port)
            .hello_name(ClientId::Domain(domain.clone()))
            .timeout(Some(limit));
        if let Some(user) = &cap.username {
            let password = cap.password.as_ref().map_or("", |p| p.expose());
            builder = builder.credentials(Credentials::new(user.clone(), password.to_string()));
        }
        let mut allowed: Vec<String> = cap
            .allowed_recipients
            .iter()
            .map(|a| a.to_ascii_lowercase())
            .collect();
        allowed.extend(
            default_to
                .iter()
                .map(|m| m.email.to_string().to_ascii_lowercase()),
        );
        Ok(Mailer {
            transport: builder.build(),
            from,
            domain,
            default_to,
            allowed,
            limit,
        })
    }

    /// The `mail.send` import.
    pub(crate) async fn send(
        &self,
        msg: Composed,
        deadline: Option<Instant>,
        redactor: &Redactor,
    ) -> Result<(), Error> {
        let message = self.compose(msg)?;
        let left = budget(deadline, self.limit);
        match tokio::time::timeout(left, self.transport.send(message)).await {
            Err(_) => Err(Error::Transient(
                "the SMTP server did not answer in time".into(),
            )),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => {
                let text = redactor.redact(&error_chain(&e));
                Err(if e.is_permanent() {
                    Error::Permanent(text)
                } else {
                    Error::Transient(text)
                })
            }
        }
    }

    fn compose(&self, msg: Composed) -> Result<Message, Error> {
        if msg.subject.trim().is_empty() {
            return Err(Error::Invalid("the subject is empty".into()));
        }
        let to = if msg.to.is_empty() {
            self.default_to.clone()
        } else {
            let mut to = Vec::new();
            for addr in &msg.to {
                let m: Mailbox = addr
                    .parse()
                    .map_err(|e| Error::Invalid(format!("`{addr}` is not an address: {e}")))?;
                if !self.allows(&m) {
                    return Err(Error::Denied(format!(
                        "recipient {} is not allowed",
                        m.email
                    )));
                }
                to.push(m);
            }
            to
        };
        if to.is_empty() {
            return Err(Error::Invalid("no recipients, and none configured".into()));
        }
        let id = |local: &str| -> Result<String, Error> {
            if local.is_empty() || local.contains(['<', '>', '@', ' ', '\r', '\n']) {
                return Err(Error::Invalid(format!(
                    "`{local}` is not a Message-ID local part"
                )));
            }
            Ok(format!("<{local}@{}>", self.domain))
        };
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(msg.subject);
        for m in to {
            builder = builder.to(m);
        }
        if let Some(local) = &msg.message_id {
            builder = builder.message_id(Some(id(local)?));
        }
        if let Some(local) = &msg.in_reply_to {
            let parent = id(local)?;
            builder = builder.in_reply_to(parent.clone()).references(parent);
        }
        let built = match msg.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(msg.text, html)),
            None => builder.header(ContentType::TEXT_PLAIN).body(msg.text),
        };
        built.map_err(|e| Error::Invalid(e.to_string()))
    }

    fn allows(&self, m: &Mailbox) -> bool {
        let addr = m.email.to_string().to_ascii_lowercase();
        let domain = format!("@{}", m.email.domain().to_ascii_lowercase());
        self.allowed.iter().any(|a| *a == addr || *a == domain)
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

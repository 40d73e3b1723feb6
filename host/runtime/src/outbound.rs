//! The capabilities a notifier is granted (deny by default) and the host side of its `http`
//! import. The host, never the guest, makes the request: it fills in `${secret:NAME}`
//! placeholders, checks the destination against the plugin's allow-list and the forbidden
//! address ranges (before sending, on every redirect hop, and on every address the name
//! resolves to, so DNS cannot point an allowed name inside the network), caps the time and the
//! response size, and redacts secret values from every error and response it hands back; a
//! request carrying a secret follows redirects within its origin only. (Mail: `mail.rs`.)

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Url};
use warren_core::config::Secret;

use crate::address::{AllowList, forbidden_ip, forbidden_name};
use crate::bindings::notifier::warren::plugin::http::{Error, Method, Request, Response};
use crate::bindings::notifier::warren::plugin::mail::{Error as MailError, Message as MailMessage};
use crate::dry_run::DryRun;
use crate::health::PluginHealth;
use crate::mail::{MailCapability, Mailer};
use crate::secrets::{Redactor, substitute};

/// Redirect hops followed at most.
const MAX_REDIRECTS: usize = 5;
/// What a request leaves of the call's time for the plugin to report a timeout (at most a
/// tenth of its limit).
const REPORTING_TIME: Duration = Duration::from_millis(250);
/// Headers a plugin may not set: they belong to the connection, which the host manages.
const FORBIDDEN_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-authorization",
    "proxy-connection",
];

/// What one notifier may do outside its sandbox. The default grants nothing: no host is
/// reachable, no secret is known, no mail can be sent.
#[derive(Debug, Clone)]
pub struct Capabilities {
    /// `allowed-outbound-hosts`: `hooks.slack.com`, `*.pagerduty.com` (any subdomain),
    /// `127.0.0.1:8099` (that port only). Exact or leading-`*.` wildcard, case-insensitive.
    pub allowed_hosts: Vec<String>,
    /// Lets an allowed host be (or resolve to) a loopback, private, CGNAT, link-local or
    /// metadata address. Off by default: a webhook URL must not become a way into the network.
    pub allow_private_addresses: bool,
    /// Secrets by name, substituted into `${secret:NAME}` placeholders by the host.
    pub secrets: BTreeMap<String, Secret>,
    /// Largest response body handed to the plugin.
    pub max_response_bytes: usize,
    /// SMTP settings; `None` (the default) refuses `mail.send`.
    pub mail: Option<MailCapability>,
    /// Record requests and mails instead of sending them (`warren plugin test`).
    pub dry_run: Option<DryRun>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            allowed_hosts: Vec::new(),
            allow_private_addresses: false,
            secrets: BTreeMap::new(),
            max_response_bytes: 1 << 20,
            mail: None,
            dry_run: None,
        }
    }
}

/// Everything a notifier's stores share: its grants, its HTTP client (whose resolver and
/// redirect policy enforce the grants), its redactor and its health counters.
pub(crate) struct Outbound {
    pub(crate) plugin: Arc<str>,
    pub(crate) caps: Capabilities,
    allow: Arc<AllowList>,
    client: Client,
    /// For requests that carry a secret: never follows a redirect to another origin.
    client_with_secrets: Client,
    pub(crate) redactor: Redactor,
    /// The SMTP client, when the plugin may send mail.
    pub(crate) mailer: Option<Mailer>,
    pub(crate) health: Arc<PluginHealth>,
    /// The plugin's call limit, also the longest a single request may take.
    limit: Duration,
}

/// The redirect policy: every hop is checked against the grants like the first request; a
/// request that carries a secret (in its URL, a header or its body) follows redirects within
/// its origin only, since another allowed host is not necessarily meant to see that secret. The
/// plugin then gets the redirect response itself and may decide.
fn redirects(
    allow: Arc<AllowList>,
    private: bool,
    carries_secrets: bool,
) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("stopped after {MAX_REDIRECTS} redirects"));
        }
        if let Err(why) = check_destination(attempt.url(), &allow, private) {
            return attempt.error(Denied(format!("redirect refused: {why}")));
        }
        let first = attempt.previous().first().map(Url::origin);
        if carries_secrets && first.is_some_and(|origin| origin != attempt.url().origin()) {
            return attempt.stop();
        }
        attempt.follow()
    })
}

/// Why a destination was refused; found again in the HTTP client's error chain.
#[derive(Debug)]
struct Denied(String);

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Denied {}

impl Outbound {
    /// Checks the grants and builds the client; every problem is reported.
    pub(crate) fn new(
        plugin: Arc<str>,
        caps: Capabilities,
        health: Arc<PluginHealth>,
        limit: Duration,
    ) -> Result<Self, Vec<String>> {
        let allow = AllowList::parse(&caps.allowed_hosts);
        let mailer = caps
            .mail
            .as_ref()
            .map(|m| Mailer::new(m, limit))
            .transpose();
        let (allow, mailer) = match (allow, mailer) {
            (Ok(a), Ok(m)) => (Arc::new(a), m),
            (a, m) => {
                let mut problems = a.err().unwrap_or_default();
                problems.extend(m.err().unwrap_or_default());
                return Err(problems);
            }
        };
        let private = caps.allow_private_addresses;
        let client = |carries_secrets| {
            Client::builder()
                .no_proxy()
                .dns_resolver(CheckedResolver { private })
                .redirect(redirects(allow.clone(), private, carries_secrets))
                .connect_timeout(limit)
                .build()
                .map_err(|e| vec![format!("cannot build the HTTP client: {e}")])
        };
        let (client, client_with_secrets) = (client(false)?, client(true)?);
        // The SMTP password is hidden like the plugin's secrets (it is not one of them: a
        // plugin cannot name it in a placeholder).
        let mut hidden = caps.secrets.clone();
        if let Some(password) = caps.mail.as_ref().and_then(|m| m.password.clone()) {
            hidden.insert(String::new(), password);
        }
        Ok(Outbound {
            redactor: Redactor::new(&hidden),
            mailer,
            plugin,
            caps,
            allow,
            client,
            client_with_secrets,
            health,
            limit,
        })
    }

    /// The `http.send` import: performs the request, counts and logs a refusal. A request
    /// ends a little before the call's `deadline`, so the plugin hears `timeout` and can report
    /// a slow receiver as such, instead of being cut off as a misbehaving plugin.
    pub(crate) async fn send(
        &self,
        req: Request,
        deadline: Option<Instant>,
    ) -> Result<Response, Error> {
        if let Some(dry) = &self.caps.dry_run {
            return self.intercept(dry, &req);
        }
        let result = self.perform(req, deadline).await;
        match &result {
            Err(Error::Denied(why)) => {
                self.health.count("denied");
                tracing::warn!(plugin = %self.plugin, "outbound request denied: {why}");
            }
            Err(e) => tracing::debug!(plugin = %self.plugin, error = ?e, "outbound request failed"),
            Ok(r) => tracing::debug!(plugin = %self.plugin, status = r.status, "outbound request"),
        }
        result
    }

    /// The `mail.send` import: refused without the grant, else delivered by the mailer;
    /// refusals are counted and logged like HTTP ones.
    pub(crate) async fn mail(
        &self,
        msg: MailMessage,
        deadline: Option<Instant>,
    ) -> Result<(), MailError> {
        if let Some(dry) = &self.caps.dry_run {
            let refused = self
                .mailer
                .is_none()
                .then(|| "this plugin has no mail capability".to_string());
            dry.mail(&msg, |s| self.shown(dry, s), refused.clone());
            return refused.map_or(Ok(()), |why| Err(MailError::Denied(why)));
        }
        let result = match &self.mailer {
            None => Err(MailError::Denied(
                "this plugin has no mail capability".into(),
            )),
            Some(mailer) => mailer.send(msg, deadline, &self.redactor).await,
        };
        match &result {
            Err(MailError::Denied(why)) => {
                self.health.count("denied");
                tracing::warn!(plugin = %self.plugin, "mail denied: {why}");
            }
            Err(e) => tracing::debug!(plugin = %self.plugin, error = ?e, "mail not sent"),
            Ok(()) => tracing::debug!(plugin = %self.plugin, "mail handed to the SMTP server"),
        }
        result
    }

    /// A dry run's answer to `http.send`: records the request with whether the grants would
    /// let it through, and answers as an accepting receiver would, or with the refusal a real
    /// send would get.
    fn intercept(&self, dry: &DryRun, req: &Request) -> Result<Response, Error> {
        let refused = substitute(&req.url, &self.caps.secrets)
            .and_then(|raw| Url::parse(&raw).map_err(|e| format!("bad URL: {e}")))
            .and_then(|url| check_destination(&url, &self.allow, self.caps.allow_private_addresses))
            .err()
            .map(|why| self.redactor.redact(&why));
        dry.http(
            method(req.method).as_str(),
            req,
            |s| self.shown(dry, s),
            refused.clone(),
        );
        match refused {
            Some(why) => Err(Error::Denied(why)),
            None => Ok(Response {
                status: 200,
                headers: Vec::new(),
                body: Vec::new(),
            }),
        }
    }

    /// Text of a dry run's record: placeholders as written, or filled when revealing.
    fn shown(&self, dry: &DryRun, text: &str) -> String {
        if dry.reveal {
            substitute(text, &self.caps.secrets).unwrap_or_else(|_| text.to_owned())
        } else {
            text.to_owned()
        }
    }

    async fn perform(&self, req: Request, deadline: Option<Instant>) -> Result<Response, Error> {
        let secrets = &self.caps.secrets;
        let redact = |s: String| self.redactor.redact(&s);
        let raw = substitute(&req.url, secrets).map_err(Error::InvalidRequest)?;
        let mut carries_secrets = raw != req.url;
        let url = Url::parse(&raw)
            .map_err(|e| Error::InvalidRequest(redact(format!("bad URL `{}`: {e}", req.url))))?;
        check_destination(&url, &self.allow, self.caps.allow_private_addresses)
            .map_err(|why| Error::Denied(redact(why)))?;

        let mut headers = HeaderMap::new();
        for (name, value) in &req.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidRequest(format!("bad header name `{name}`")))?;
            if FORBIDDEN_HEADERS.contains(&name.as_str()) {
                return Err(Error::InvalidRequest(format!(
                    "header `{name}` is set by the host"
                )));
            }
            let filled = substitute(value, secrets).map_err(Error::InvalidRequest)?;
            carries_secrets |= filled != *value;
            let value = filled;
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| Error::InvalidRequest(format!("bad value for header `{name}`")))?;
            value.set_sensitive(true);
            headers.append(name, value);
        }
        let body = match String::from_utf8(req.body) {
            Ok(text) => {
                let filled = substitute(&text, secrets).map_err(Error::InvalidRequest)?;
                carries_secrets |= filled != text;
                filled.into_bytes()
            }
            Err(bytes) => bytes.into_bytes(),
        };
        let client = if carries_secrets {
            &self.client_with_secrets
        } else {
            &self.client
        };
        let left = budget(deadline, self.limit);
        let timeout = req
            .timeout_ms
            .map_or(self.limit, |ms| {
                Duration::from_millis(ms.into()).min(self.limit)
            })
            .min(left);

        // The URL with its secrets filled in, as the HTTP stack prints it (normalised: a default
        // port dropped, the host lower-cased), so an error naming it can be scrubbed.
        let url_text = url.as_str().to_owned();
        let url_text = url_text.as_str();
        let exchange = async {
            let mut resp = client
                .request(method(req.method), url)
                .headers(headers)
                .body(body)
                .timeout(timeout)
                .send()
                .await
                .map_err(|e| self.client_error(e, url_text))?;
            let cap = self.caps.max_response_bytes;
            if resp.content_length().is_some_and(|n| n > cap as u64) {
                return Err(Error::ResponseTooLarge);
            }
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    let v = String::from_utf8_lossy(v.as_bytes());
                    (k.as_str().to_string(), redact(v.into_owned()))
                })
                .collect();
            let mut body = Vec::new();
            // Read in chunks so a huge or endless body is cut off at the cap, not buffered.
            while let Some(chunk) = resp
                .chunk()
                .await
                .map_err(|e| self.client_error(e, url_text))?
            {
                if body.len() + chunk.len() > cap {
                    return Err(Error::ResponseTooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Response {
                status,
                headers,
                body: self.redactor.redact_bytes(body),
            })
        };
        // reqwest's timeout covers the body too; this one is the guarantee.
        tokio::time::timeout(timeout, exchange)
            .await
            .unwrap_or(Err(Error::Timeout))
    }

    /// Maps an HTTP client error, with its cause chain and without secret values: the URL
    /// (which may carry a secret in a normalised spelling the redactor cannot recognise) is
    /// dropped from reqwest's message and scrubbed from every cause.
    fn client_error(&self, e: reqwest::Error, url: &str) -> Error {
        if e.is_timeout() {
            return Error::Timeout;
        }
        let e = e.without_url();
        let scrub = |text: String| self.redactor.redact(&text.replace(url, "<url>"));
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        let mut chain = Vec::new();
        while let Some(s) = source {
            if let Some(Denied(why)) = s.downcast_ref::<Denied>() {
                return Error::Denied(scrub(why.clone()));
            }
            chain.push(s.to_string());
            source = s.source();
        }
        Error::Connection(scrub(chain.join(": ")))
    }
}

/// How long an outbound operation may take: the call's time left, less a moment for the plugin
/// to report a timeout.
pub(crate) fn budget(deadline: Option<Instant>, limit: Duration) -> Duration {
    deadline.map_or(limit, |d| {
        d.saturating_duration_since(Instant::now())
            .saturating_sub(REPORTING_TIME.min(limit / 10))
    })
}

/// Scheme, allow-list, metadata names and IP literals: everything that can be checked on a URL
/// before resolving it.
fn check_destination(url: &Url, allow: &AllowList, private: bool) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "scheme `{}` is not allowed, only http and https",
            url.scheme()
        ));
    }
    let Some(host) = url.host_str() else {
        return Err("the URL has no host".into());
    };
    let port = url.port_or_known_default().unwrap_or(0);
    if !allow.allows(host, port) {
        return Err(format!(
            "{host}:{port} is not in this plugin's allowed-outbound-hosts"
        ));
    }
    if private {
        return Ok(());
    }
    if let Some(why) = forbidden_name(host) {
        return Err(format!("{host} is {why}"));
    }
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if let Some(ip) = literal
        && let Some(why) = forbidden_ip(ip)
    {
        return Err(format!("{host} is {why}"));
    }
    Ok(())
}

/// Resolves names for the HTTP client and keeps only addresses the plugin may reach, so the
/// connection goes to an address that was checked (no re-resolution in between).
struct CheckedResolver {
    private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let private = self.private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match forbidden_ip(a.ip()) {
                    Some(why) if !private => {
                        refused = Some(format!("{host} resolves to {}, {why}", a.ip()));
                        false
                    }
                    _ => true,
                })
                .collect();
            match (allowed.is_empty(), refused) {
                (true, Some(why)) => Err(Box::new(Denied(why)) as _),
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

fn method(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

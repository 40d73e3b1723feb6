//! The checks every request passes before a handler runs, per listener, in this order: the
//! `Host` allow-list of a loopback listener (a DNS-rebinding page reaches 127.0.0.1 under its
//! own host name), the cross-site check of state-changing requests (a page the operator opens
//! must not fire `DELETE` or a reload through the browser), then access control.
//!
//! Access: `GET`/`HEAD` need the `read` role, every other method `admin`; liveness, readiness
//! and the dashboard's static files need nothing (probes carry no credentials, and the
//! dashboard must load to ask for a token), nor does `/metrics` on a `metrics-public`
//! listener. Once any credential is configured every listener requires one. Without any (a
//! migrated Burrow file) reads stay anonymous, and state-changing requests are allowed only on
//! a loopback-only listener or one that says `anonymous-admin = true`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use warren_core::config::{ApiRole, HttpServerConfig};

use crate::AppState;
use crate::access::Refusal;
use crate::envelope;

/// What the checks need to know about the listener a request came in on.
#[derive(Debug, Clone)]
pub struct ListenerPolicy {
    /// `[httpserver.NAME]`, named in messages.
    pub name: String,
    /// Bound to a loopback address: `Host` is checked, anonymous admin is allowed.
    pub loopback: bool,
    /// `/metrics` needs no credentials.
    pub metrics_public: bool,
    /// Without credentials configured, state-changing requests are allowed anonymously.
    pub anonymous_admin: bool,
}

impl ListenerPolicy {
    /// The policy of a configured listener.
    pub fn of(config: &HttpServerConfig) -> Self {
        ListenerPolicy {
            name: config.name.clone(),
            loopback: config.address.ip().is_loopback(),
            metrics_public: config.metrics_public,
            anonymous_admin: config.anonymous_admin,
        }
    }

    /// A loopback listener with default settings (what [`crate::router`] serves).
    pub fn loopback() -> Self {
        ListenerPolicy {
            name: "default".into(),
            loopback: true,
            metrics_public: false,
            anonymous_admin: false,
        }
    }

    /// One line for the start-up log: who may do what on this listener.
    pub fn describe(&self, credentials_required: bool) -> String {
        let metrics = if self.metrics_public {
            "; /metrics is public"
        } else {
            ""
        };
        if credentials_required {
            return format!("every request needs a token or user{metrics}");
        }
        let admin = if self.loopback {
            "DELETE and reload allowed anonymously (loopback-only listener)"
        } else if self.anonymous_admin {
            "DELETE and reload allowed anonymously (anonymous-admin = true)"
        } else {
            "DELETE and reload refused: no [api-token] or [api-user] configured"
        };
        format!("reads are anonymous; {admin}")
    }
}

/// The middleware.
pub(crate) async fn check(
    State((state, policy)): State<(AppState, ListenerPolicy)>,
    req: Request,
    next: Next,
) -> Response {
    let access = &state.access;
    let headers = req.headers();
    let host = host_of(&req);
    if policy.loopback && host.as_deref().is_some_and(|h| !loopback_host(h)) {
        access.count(Refusal::Host);
        let message = "this listener is bound to loopback and answers only Host localhost, \
                       127.0.0.1 or [::1] (DNS rebinding protection)";
        return refuse(&state, &req, StatusCode::FORBIDDEN, message, None);
    }
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads && let Err(why) = same_site(headers, host.as_deref()) {
        access.count(Refusal::CrossSite);
        return refuse(&state, &req, StatusCode::FORBIDDEN, &why, None);
    }
    if reads && public(req.uri().path(), &policy) {
        return next.run(req).await;
    }
    let needed = if reads { ApiRole::Read } else { ApiRole::Admin };
    if !access.required() {
        if reads || policy.loopback || policy.anonymous_admin {
            return next.run(req).await;
        }
        access.count(Refusal::Forbidden);
        let message = format!(
            "{} needs credentials on httpserver {:?}: configure an [api-token.NAME] with \
             role = \"admin\" (or set [httpserver.{}] anonymous-admin = true)",
            req.method(),
            policy.name,
            policy.name
        );
        return refuse(&state, &req, StatusCode::FORBIDDEN, &message, None);
    }
    match access.identify(headers).await {
        Ok(Some(caller)) if caller.role >= needed => next.run(req).await,
        Ok(Some(caller)) => {
            access.count(Refusal::Forbidden);
            tracing::info!(caller = %caller.name, method = %req.method(), path = req.uri().path(), "API request refused: role read");
            let message = format!("{} needs the admin role", req.method());
            refuse(&state, &req, StatusCode::FORBIDDEN, &message, None)
        }
        Ok(None) => {
            access.count(Refusal::Missing);
            let challenge = challenge(&state, headers);
            let message = "credentials required: Authorization: Bearer TOKEN or Basic";
            refuse(
                &state,
                &req,
                StatusCode::UNAUTHORIZED,
                message,
                Some(challenge),
            )
        }
        Err(()) => {
            access.count(Refusal::Invalid);
            let challenge = challenge(&state, headers);
            let message = "invalid credentials";
            refuse(
                &state,
                &req,
                StatusCode::UNAUTHORIZED,
                message,
                Some(challenge),
            )
        }
    }
}

/// Paths that need no credentials for reading.
fn public(path: &str, policy: &ListenerPolicy) -> bool {
    matches!(
        path,
        "/" | "/burrow/admin" | "/burrow/admin/ready" | "/favicon.ico"
    ) || path.starts_with("/ui/")
        || (path == "/metrics" && policy.metrics_public)
}

/// `Bearer`, plus `Basic` when users exist and the request is not the dashboard's `fetch` (a
/// `Basic` challenge there would pop the browser's own password dialog over the dashboard's).
fn challenge(state: &AppState, headers: &HeaderMap) -> HeaderValue {
    let fetch = headers
        .get("sec-fetch-mode")
        .is_some_and(|m| m.as_bytes() != b"navigate");
    if state.access.has_users() && !fetch {
        HeaderValue::from_static("Bearer realm=\"warren\", Basic realm=\"warren\"")
    } else {
        HeaderValue::from_static("Bearer realm=\"warren\"")
    }
}

/// The request's authority: `Host`, or the URI's (HTTP/2 sends `:authority`).
fn host_of(req: &Request) -> Option<String> {
    req.headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()))
}

/// `localhost`, `127.0.0.1` or `[::1]`, with or without a port.
fn loopback_host(authority: &str) -> bool {
    let (name, port) = match authority.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && !port.contains(']') => (name, Some(port)),
        _ => (authority, None),
    };
    let name_ok = name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "[::1]";
    name_ok && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A state-changing request must come from the API's own origin, or from no browser page at
/// all (curl, scripts): `Sec-Fetch-Site` other than same-origin/none, or an `Origin` whose
/// authority is not the `Host`, is refused.
fn same_site(headers: &HeaderMap, host: Option<&str>) -> Result<(), String> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("");
        if site != "same-origin" && site != "none" {
            return Err(format!(
                "cross-site request refused (Sec-Fetch-Site: {site}); state-changing requests \
                 must come from Warren's own pages or a non-browser client"
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        let authority = origin.split_once("://").map(|(_, a)| a);
        if authority.is_none() || authority != host {
            return Err(format!(
                "cross-site request refused (Origin {origin} is not this host); \
                 state-changing requests must come from Warren's own pages"
            ));
        }
    }
    Ok(())
}

fn refuse(
    state: &AppState,
    req: &Request,
    status: StatusCode,
    message: &str,
    challenge: Option<HeaderValue>,
) -> Response {
    let mut res = envelope::error(state, req.uri(), status, message);
    if let Some(challenge) = challenge {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_with_or_without_a_port_pass() {
        for h in [
            "localhost",
            "localhost:8000",
            "127.0.0.1:1",
            "[::1]",
            "[::1]:80",
            "LOCALHOST",
        ] {
            assert!(loopback_host(h), "{h}");
        }
    }

    #[test]
    fn other_hosts_are_refused() {
        for h in [
            "evil.example",
            "evil.example:8000",
            "127.0.0.1.nip.io",
            "localhost.evil",
            "[::2]",
            "127.0.0.1:x",
            "127.0.0.1:",
        ] {
            assert!(!loopback_host(h), "{h}");
        }
    }
}

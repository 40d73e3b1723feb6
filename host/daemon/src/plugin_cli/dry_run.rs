//! `warren plugin test NOTIFIER.wasm`: shows what a notifier would send for an incident event,
//! without sending it. The plugin runs as in the daemon (same limits, its config validated
//! first), on a sample group status (a stopped group; a recovered one for `resolved`) or one
//! given in `warren evaluate`'s input format; each HTTP request or mail it asks the host for is
//! printed (method, URL, headers, body; secrets as their `${secret:NAME}` placeholders unless
//! `--reveal`) with whether its allow-list would let it through. `--send` really sends.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use warren_core::config::{MailSecurity, Secret};
use warren_core::incident::{IncidentKind, incident_id};
use warren_runtime::{
    Capabilities, Component, DryRun, IncidentEvent, Intercepted, Limits, MailCapability,
    PluginEngine, PluginNotifier,
};

use crate::evaluate;

/// The group a notifier is shown when no `--incident` is given: Burrow's rules find it stopped.
const SAMPLE_STOPPED: &str = include_str!("../../../../examples/evaluate/stopped.json");
/// The sample for `resolved`: a group that recovered.
const SAMPLE_RECOVERED: &str = include_str!("../../../../examples/evaluate/rewind-recovered.json");
/// How long before the sample's `now` its incident started.
const STARTED_BEFORE_MS: i64 = 600_000;

/// What `plugin test` takes for a notifier (its command-line flags).
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Notifiers: the event to render.
    #[arg(long, value_enum, default_value = "opened")]
    pub event: Event,
    /// Notifiers: the group, in the `warren evaluate` input format (default: a sample, a
    /// stopped group, or for `resolved` a recovered one).
    #[arg(long, value_name = "FILE")]
    pub incident: Option<PathBuf>,
    /// Notifiers: secrets the config's `${secret:NAME}` placeholders name.
    #[arg(long, value_name = "NAME=VALUE", num_args = 1..)]
    pub secrets: Vec<String>,
    /// Notifiers: a host of `allowed-outbound-hosts` (repeatable), to see what it would let
    /// through.
    #[arg(long = "allow", value_name = "HOST")]
    pub allow: Vec<String>,
    /// Notifiers: `allow-private-addresses = true`.
    #[arg(long)]
    pub allow_private_addresses: bool,
    /// Notifiers: grant mail to these default recipients (dry runs only; a real send needs
    /// the daemon's `[plugin.NAME.mail]`).
    #[arg(long, value_name = "ADDRESS", num_args = 1..)]
    pub mail_to: Vec<String>,
    /// Notifiers: show secret values instead of their placeholders.
    #[arg(long)]
    pub reveal: bool,
    /// Notifiers: really send (to the hosts given with --allow).
    #[arg(long)]
    pub send: bool,
}

/// An incident event to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Event {
    /// The incident opened.
    Opened,
    /// A reminder while it lasts (`send-interval`).
    Updated,
    /// It resolved.
    Resolved,
}

impl From<Event> for IncidentKind {
    fn from(e: Event) -> Self {
        match e {
            Event::Opened => Self::Opened,
            Event::Updated => Self::Updated,
            Event::Resolved => Self::Resolved,
        }
    }
}

pub(super) fn run(
    engine: &PluginEngine,
    name: &str,
    component: &Component,
    config: &str,
    o: Options,
) -> ExitCode {
    let secrets = match secrets(&o.secrets) {
        Ok(s) => s,
        Err(e) => return super::fail(&e),
    };
    let text = match &o.incident {
        Some(file) => match evaluate::read_input(file) {
            Ok(t) => t,
            Err(e) => return super::fail(&format!("cannot read {}: {e}", file.display())),
        },
        None if o.event == Event::Resolved => SAMPLE_RECOVERED.to_owned(),
        None => SAMPLE_STOPPED.to_owned(),
    };
    let input = match evaluate::parse(&text) {
        Ok(i) => i,
        Err(e) => return super::fail(&format!("invalid incident: {e}")),
    };
    let status = evaluate::status(&input);
    let started_ms = input.now() - STARTED_BEFORE_MS;
    let event = IncidentEvent {
        id: incident_id(input.cluster(), &status.group, started_ms),
        kind: o.event.into(),
        started_ms,
        now_ms: input.now(),
        status,
    };
    let dry = (!o.send).then(|| {
        let mut dry = DryRun::default();
        dry.reveal = o.reveal;
        dry
    });
    if o.send && !o.mail_to.is_empty() {
        return super::fail(
            "--mail-to is for dry runs: real mail needs the daemon's [plugin.NAME.mail]",
        );
    }
    // Never contacted: a dry run records the mail instead.
    let mail = (!o.mail_to.is_empty()).then(|| MailCapability {
        server: "smtp.invalid".into(),
        port: 587,
        security: MailSecurity::StartTls,
        username: None,
        password: None,
        from: "Warren <warren@localhost>".into(),
        to: o.mail_to.clone(),
        timeout: std::time::Duration::from_secs(10),
        allowed_recipients: Vec::new(),
    });
    let caps = Capabilities {
        allowed_hosts: o.allow,
        allow_private_addresses: o.allow_private_addresses,
        secrets,
        mail,
        dry_run: dry.clone(),
        ..Capabilities::default()
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return super::fail(&format!("cannot start a runtime: {e}")),
    };
    let outcome = runtime.block_on(async {
        let notifier =
            PluginNotifier::load(engine, name, component, config, Limits::notifier(), caps)
                .await
                .map_err(|e| e.to_string())?;
        Ok::<_, String>(notifier.notify(&event).await)
    });
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return super::fail(&e),
    };
    println!(
        "{} {}: incident {} of group {} on {} ({})",
        name,
        event.kind.as_str(),
        event.id,
        event.status.group,
        event.status.cluster,
        event.status.status
    );
    if let Some(dry) = &dry {
        let sent = dry.intercepted();
        if sent.is_empty() {
            println!("\nno request and no mail");
        }
        for (i, message) in sent.iter().enumerate() {
            print!("\n{}", render(i + 1, message));
        }
    }
    let how = if o.send {
        "sent"
    } else {
        "dry run: nothing was sent"
    };
    match outcome {
        Ok(()) => {
            println!("\nthe plugin reports: delivered ({how})");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("\nthe plugin reports: {e} ({how})");
            ExitCode::FAILURE
        }
    }
}

/// `NAME=VALUE` pairs; a value may contain `=`.
fn secrets(pairs: &[String]) -> Result<BTreeMap<String, Secret>, String> {
    pairs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), Secret::new(value))),
            _ => Err(format!("--secrets takes NAME=VALUE, not `{pair}`")),
        })
        .collect()
}

/// One intercepted message, numbered, as the terminal shows it.
fn render(n: usize, message: &Intercepted) -> String {
    let verdict = |refused: &Option<String>| match refused {
        None => "allowed".to_owned(),
        Some(why) => format!("REFUSED: {why}"),
    };
    match message {
        Intercepted::Http {
            method,
            url,
            headers,
            body,
            refused,
        } => {
            let mut out = format!("{n}. {method} {url}\n   {}\n", verdict(refused));
            for (k, v) in headers {
                out.push_str(&format!("   {k}: {v}\n"));
            }
            out.push_str(&format!("\n{}\n", readable(body)));
            out
        }
        Intercepted::Mail {
            to,
            subject,
            text,
            html,
            refused,
        } => {
            let to = if to.is_empty() {
                "(the configured `to`)".to_owned()
            } else {
                to.join(", ")
            };
            let mut out = format!(
                "{n}. mail to {to}\n   {}\n   subject: {subject}\n\n{text}\n",
                verdict(refused)
            );
            if let Some(html) = html {
                out.push_str(&format!("\n   html alternative:\n{html}\n"));
            }
            out
        }
    }
}

/// A JSON body pretty-printed, anything else as it is.
fn readable(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}

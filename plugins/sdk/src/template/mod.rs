//! Message templates for notifiers: MiniJinja templates over an incident ([`context`] lists
//! the variables, named as Burrow's templates name them), with Burrow's helper functions and
//! Go's built-ins ([`functions`]), and Burrow's Go `text/template` files accepted as they are
//! ([`translate`] turns them into MiniJinja; what it cannot translate is an error naming the
//! line and what to write instead).
//!
//! A text is a Go template when it has no `{%`/`{#` and an action starts the Go way
//! (`{{.Result.Status}}`, `{{range …}}`, `{{index .Extras "app"}}`); otherwise MiniJinja.
//! Rendering differs from MiniJinja's defaults where Go's would differ for Burrow's templates:
//! the trailing newline is kept, none prints as nothing, a whole float prints without `.0`,
//! nothing is HTML-escaped, and an unknown variable or field is an error (as in Go), which
//! [`Template::check`] finds at `validate-config` by rendering the sample incident.
//!
//! ```
//! use warren_plugin_sdk::notifier::fixture;
//! use warren_plugin_sdk::template::Template;
//! use warren_plugin_sdk::types::IncidentKind;
//!
//! let go = Template::check(r#"{{.Result.Group}} is {{.Result.Status.String}}{{range .Result.Partitions}} {{.Topic}}:{{.Partition}}{{end}}"#).unwrap();
//! let event = fixture::event(IncidentKind::Opened);
//! assert_eq!(go.render(&event, &[]).unwrap(), "payments-consumer is ERR payments:2 payments:7");
//!
//! let jinja = Template::check("{{ Group }}: {{ Result.TotalLag }} behind since {{ Start | strftime('%H:%M') }}").unwrap();
//! assert_eq!(jinja.render(&event, &[]).unwrap(), "payments-consumer: 612331 behind since 10:04");
//!
//! let err = Template::check("ok\n{{template \"x\"}}").unwrap_err();
//! assert!(err.starts_with("line 2: "), "{err}");
//! ```

pub mod context;
pub mod functions;
pub mod time;
pub mod translate;

use minijinja::{Environment, ErrorKind, UndefinedBehavior};

use crate::notifier::fixture;
use crate::settings::{Declare, Key};
use crate::types::{IncidentEvent, IncidentKind};

/// The syntax a template was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Go's `text/template`, as Burrow's `.tmpl` files.
    Go,
    /// MiniJinja (Jinja2).
    Jinja,
}

/// A parsed template, ready to render events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The MiniJinja source (translated from Go when `syntax` is Go).
    source: String,
    syntax: Syntax,
}

impl Template {
    /// `text` parsed (and translated from Go if it is Go); an error names the line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (source, syntax) = if translate::is_go(text) {
            (translate::translate(text)?, Syntax::Go)
        } else {
            (text.to_string(), Syntax::Jinja)
        };
        let env = environment();
        env.template_from_str(&source).map_err(describe)?;
        Ok(Self { source, syntax })
    }

    /// [`parse`](Self::parse), then rendering the sample incident, so an unknown variable,
    /// field or function is a config problem rather than a failed notification: opened (any
    /// error), then resolved (only those errors; a resolved group has no partitions, which a
    /// template for opened events may rightly index).
    pub fn check(text: &str) -> Result<Self, String> {
        let template = Self::parse(text)?;
        template
            .render_raw(&fixture::event(IncidentKind::Opened), &[])
            .map_err(describe)?;
        match template.render_raw(&fixture::event(IncidentKind::Resolved), &[]) {
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::UndefinedError
                        | ErrorKind::UnknownFunction
                        | ErrorKind::UnknownFilter
                ) =>
            {
                Err(describe(e))
            }
            _ => Ok(template),
        }
    }

    /// The syntax it was written in.
    pub fn syntax(&self) -> Syntax {
        self.syntax
    }

    /// The MiniJinja source it renders (for Go templates, the translation).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The text for `event`, with the notifier's `extras` as `Extras`.
    pub fn render(
        &self,
        event: &IncidentEvent,
        extras: &[(String, String)],
    ) -> Result<String, String> {
        self.render_raw(event, extras).map_err(describe)
    }

    fn render_raw(
        &self,
        event: &IncidentEvent,
        extras: &[(String, String)],
    ) -> Result<String, minijinja::Error> {
        environment().render_str(&self.source, context::variables(event, extras))
    }
}

/// Whether `text` holds template syntax at all (`{{` or `{%`): a value without any is used
/// as it is.
pub fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// Declares the optional template key `key` on `d`: `None` when absent, or when it does not
/// [`check`](Template::check) (the problem is recorded under `name`, with its line).
pub fn declare(d: &Declare<'_>, key: Key, name: &str) -> Option<Template> {
    let text = d.text(key)?;
    Template::check(&text)
        .map_err(|problem| d.problem(name, format_args!("template {problem}")))
        .ok()
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_formatter(|out, _state, value| {
        out.write_str(&functions::display(value))
            .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed"))
    });
    functions::register(&mut env);
    env
}

/// What an unknown name's error lists.
const UNDEFINED_HINT: &str = "ID, Event, Cluster, Group, Start, Now, Extras, Result with Status, Complete, Partitions, TotalPartitions, Maxlag, TotalLag, MaxTimeLagMs";

/// A MiniJinja error as `line N: what` (the line of the template text; a translated Go
/// template keeps its lines).
fn describe(error: minijinja::Error) -> String {
    let what = match (error.detail(), error.kind()) {
        (Some(detail), kind) => format!("{kind}: {detail}"),
        (None, ErrorKind::UndefinedError) => format!(
            "{}: a variable or field that does not exist (the variables: {UNDEFINED_HINT})",
            error.kind()
        ),
        (None, kind) => kind.to_string(),
    };
    match error.line() {
        Some(line) => format!("line {line}: {what}"),
        None => what,
    }
}

#[cfg(test)]
mod tests;

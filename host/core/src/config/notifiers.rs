//! `[notifier.NAME]`: Burrow's notifier keys (`interval`, `threshold`, `send-interval`,
//! `send-once`, `send-close`, `group-allowlist`, `group-denylist`) bound to a notifier plugin
//! (`plugin = "NAME"`), plus `clusters` and `group-filters`. A Burrow section without `plugin`
//! (class-name `http`, `email` or `null`, with Burrow's keys) runs on a built-in plugin
//! (`burrow_notifiers.rs`), so an existing `burrow.toml` keeps alerting while it is migrated.

use std::collections::BTreeMap;
use std::time::Duration;

use toml::Value;

use super::burrow_notifiers;
use super::pipeline::group_filter;
use super::reader::{Ctx, Reader, type_name};
use super::root::Named;
use super::{ClusterConfig, NotifierConfig, PluginConfig, PluginKind, Translation};
use crate::model::Status;

/// Every `[notifier.NAME]`, checked against the plugins and clusters, with the plugins that
/// run Burrow's own sections and what each of those was translated to.
pub(crate) fn notifiers(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
    plugins: &BTreeMap<String, PluginConfig>,
    clusters: &BTreeMap<String, ClusterConfig>,
) -> (
    BTreeMap<String, NotifierConfig>,
    Vec<PluginConfig>,
    Vec<Translation>,
) {
    let mut out = BTreeMap::new();
    let mut translated = Vec::new();
    let mut translations = Vec::new();
    for Named { name, mut reader } in sections {
        // Without `plugin`, a Burrow section: its class says how to deliver.
        let burrow = if reader.has("plugin") {
            None
        } else {
            Some(burrow_notifiers::delivery(cx, &name, &mut reader))
        };
        let (plugin, plugin_config) = match &burrow {
            None => {
                let plugin = plugin_ref(cx, &mut reader, plugins);
                let config = plugin.as_ref().and_then(|p| plugins.get(p));
                (plugin, config)
            }
            Some(b) => {
                let config = b.as_ref().and_then(|b| b.plugin.as_ref());
                if config.is_some() && plugins.contains_key(&name) {
                    cx.error(
                        &format!("notifier.{name}"),
                        format!(
                            "this Burrow section runs as [plugin.{name}], which is already \
                             defined: rename one of them"
                        ),
                    );
                }
                (config.map(|p| p.name.clone()), config)
            }
        };
        let clusters_globs = cluster_globs(cx, &mut reader, plugin_config, clusters);
        let interval = reader.positive_duration(cx, "interval", Duration::from_secs(60));
        let threshold = threshold(cx, &mut reader);
        let send_interval = reader.positive_duration(cx, "send-interval", interval);
        let send_once = reader.boolean(cx, "send-once", false);
        // Burrow sent no close unless asked; Warren's own notifiers do.
        let send_close = reader.boolean(cx, "send-close", burrow.is_none());
        let groups = group_filter(cx, &mut reader);
        let filters = filter_refs(cx, &mut reader, plugins);
        if burrow.is_none() {
            reader.ignore(cx, "class-name", "the plugin decides how to deliver");
        }
        reader.ignore(
            cx,
            "cluster",
            "Burrow notified about every cluster, and so does this notifier; clusters = \
             [\"NAME\"] restricts it",
        );
        reader.finish(cx);
        let notifier = plugin.map(|plugin| NotifierConfig {
            name: name.clone(),
            plugin,
            clusters: clusters_globs,
            interval,
            threshold,
            send_interval,
            send_once,
            send_close,
            groups,
            group_filters: filters,
        });
        if let Some(Some(burrow)) = burrow {
            translated.extend(burrow.plugin.clone());
            translations.push(burrow_notifiers::translation(
                &name,
                burrow,
                notifier.as_ref(),
            ));
        }
        if let Some(notifier) = notifier {
            out.insert(name, notifier);
        }
    }
    (out, translated, translations)
}

fn plugin_ref(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    plugins: &BTreeMap<String, PluginConfig>,
) -> Option<String> {
    let field = r.field(cx, "plugin")?;
    let path = field.path.clone();
    let name = field.string(cx)?;
    match plugins.get(&name) {
        Some(p) if p.kind == PluginKind::Notifier => Some(name),
        Some(p) => {
            cx.error(
                &path,
                format!("plugin {name:?} is a {}, not a notifier", p.kind.as_str()),
            );
            None
        }
        None => {
            let hint = format!("[plugin.{name}] with kind = \"notifier\"");
            cx.error_with(&path, format!("no [plugin.{name}] section"), &hint);
            None
        }
    }
}

/// `clusters`: globs; default the plugin's own. Every cluster it selects must be one the plugin
/// is loaded for.
fn cluster_globs(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    plugin: Option<&PluginConfig>,
    clusters: &BTreeMap<String, ClusterConfig>,
) -> Vec<String> {
    let default = plugin.map_or_else(|| vec!["*".to_owned()], |p| p.clusters.clone());
    let Some(field) = r.field(cx, "clusters") else {
        return default;
    };
    let path = field.path.clone();
    let Value::Array(items) = &field.value else {
        let message = format!(
            "expected an array of strings, got {}",
            type_name(&field.value)
        );
        cx.error_with(&path, message, "clusters = [\"prod-*\"]");
        return default;
    };
    let mut globs = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if !s.is_empty() => match warren_common::glob::Glob::cluster(s) {
                Ok(_) => globs.push(s.clone()),
                Err(problem) => cx.error(&format!("{path}[{i}]"), problem),
            },
            other => cx.error(
                &format!("{path}[{i}]"),
                format!("expected a non-empty string, got {}", type_name(other)),
            ),
        }
    }
    if let Some(plugin) = plugin {
        for cluster in clusters.keys() {
            if globs.iter().any(|g| super::glob_match(g, cluster)) && !plugin.applies_to(cluster) {
                cx.error(
                    &path,
                    format!(
                        "selects cluster {cluster:?}, but plugin {:?} is not loaded for it (its \
                         clusters: {:?})",
                        plugin.name, plugin.clusters
                    ),
                );
            }
        }
    }
    globs
}

/// `threshold`: `"WARN"` / `"ERR"`, or Burrow's numbers 2 / 3.
fn threshold(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> Status {
    let example = "threshold = \"WARN\"";
    let Some(field) = r.field(cx, "threshold") else {
        return Status::Warn;
    };
    let parsed = match &field.value {
        Value::String(s) => match s.to_ascii_uppercase().as_str() {
            "WARN" => Ok(Status::Warn),
            "ERR" | "ERROR" => Ok(Status::Err),
            "OK" => Ok(Status::Ok),
            _ => Err(()),
        },
        Value::Integer(1) => Ok(Status::Ok),
        Value::Integer(2) => Ok(Status::Warn),
        Value::Integer(3) => Ok(Status::Err),
        _ => Err(()),
    };
    if parsed == Ok(Status::Ok) {
        // Burrow's sample config says 1; incidents still open at WARN, as Burrow's did.
        cx.warn(
            &field.path,
            "Burrow's OK (1) also sent messages about healthy groups; Warren notifies about \
             incidents only, from WARN",
        );
        return Status::Warn;
    }
    parsed.unwrap_or_else(|()| {
        let shown = match &field.value {
            Value::String(s) => format!("{s:?}"),
            other => other.to_string(),
        };
        cx.error_with(
            &field.path,
            format!("expected \"WARN\" or \"ERR\" (Burrow's 2 or 3), got {shown}"),
            example,
        );
        Status::Warn
    })
}

fn filter_refs(
    cx: &mut Ctx<'_>,
    r: &mut Reader<'_>,
    plugins: &BTreeMap<String, PluginConfig>,
) -> Vec<String> {
    let Some(field) = r.field(cx, "group-filters") else {
        return Vec::new();
    };
    let path = field.path.clone();
    let Value::Array(items) = &field.value else {
        field.wrong_type(cx, "an array of [plugin.NAME] names");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let Value::String(name) = item else {
            cx.error(&at, format!("expected a string, got {}", type_name(item)));
            continue;
        };
        match plugins.get(name) {
            Some(p) if p.kind == PluginKind::GroupFilter => out.push(name.clone()),
            Some(p) => cx.error(
                &at,
                format!(
                    "plugin {name:?} is a {}, not a group-filter",
                    p.kind.as_str()
                ),
            ),
            None => cx.error(&at, format!("no [plugin.{name}] section")),
        }
    }
    out
}

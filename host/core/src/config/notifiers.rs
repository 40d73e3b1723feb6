//! `[notifier.NAME]`: Burrow's notifier keys (`interval`, `threshold`, `send-interval`,
//! `send-once`, `send-close`, `group-allowlist`, `group-denylist`) bound to a notifier plugin
//! (`plugin = "NAME"`) instead of Burrow's Go templates, plus `clusters` and `group-filters`. A
//! Burrow section without `plugin` (class-name `http` or `email` with templates) still loads,
//! ignored with a warning, so an existing `burrow.toml` keeps working while it is migrated.

use std::collections::BTreeMap;
use std::time::Duration;

use toml::Value;

use super::pipeline::group_filter;
use super::reader::{Ctx, Reader, type_name};
use super::root::Named;
use super::{ClusterConfig, NotifierConfig, PluginConfig, PluginKind};
use crate::model::Status;

/// Every `[notifier.NAME]`, checked against the plugins and clusters.
pub(crate) fn notifiers(
    cx: &mut Ctx<'_>,
    sections: Vec<Named<'_>>,
    plugins: &BTreeMap<String, PluginConfig>,
    clusters: &BTreeMap<String, ClusterConfig>,
) -> BTreeMap<String, NotifierConfig> {
    let mut out = BTreeMap::new();
    for Named { name, mut reader } in sections {
        if !reader.has("plugin") {
            cx.warn(
                &format!("notifier.{name}"),
                "Burrow's template notifiers are replaced by notifier plugins; section ignored \
                 (add plugin = \"NAME\" naming a [plugin.NAME] of kind notifier)",
            );
            continue;
        }
        let plugin = plugin_ref(cx, &mut reader, plugins);
        let clusters_globs = cluster_globs(
            cx,
            &mut reader,
            plugin.as_ref().and_then(|p| plugins.get(p)),
            clusters,
        );
        let interval = reader.positive_duration(cx, "interval", Duration::from_secs(60));
        let threshold = threshold(cx, &mut reader);
        let send_interval = reader.positive_duration(cx, "send-interval", interval);
        let send_once = reader.boolean(cx, "send-once", false);
        let send_close = reader.boolean(cx, "send-close", true);
        let groups = group_filter(cx, &mut reader);
        let filters = filter_refs(cx, &mut reader, plugins);
        reader.ignore(cx, "class-name", "the plugin decides how to deliver");
        reader.finish(cx);
        let Some(plugin) = plugin else {
            continue;
        };
        out.insert(
            name.clone(),
            NotifierConfig {
                name,
                plugin,
                clusters: clusters_globs,
                interval,
                threshold,
                send_interval,
                send_once,
                send_close,
                groups,
                group_filters: filters,
            },
        );
    }
    out
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
            "OK" => Err(()),
            _ => Err(()),
        },
        Value::Integer(2) => Ok(Status::Warn),
        Value::Integer(3) => Ok(Status::Err),
        _ => Err(()),
    };
    parsed.unwrap_or_else(|()| {
        let shown = match &field.value {
            Value::String(s) => format!("{s:?}"),
            other => other.to_string(),
        };
        cx.error_with(
            &field.path,
            format!(
                "expected \"WARN\" or \"ERR\" (Burrow's 2 or 3), got {shown}; Burrow's OK (1) \
                 would notify about healthy groups and is not supported"
            ),
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

//! The top level of the file: which sections exist, which Burrow sections are ignored with a
//! warning, and the order sections are resolved in so every reference (profile → tls/sasl,
//! cluster → profile, consumer → cluster) points at something already parsed.

use toml::{Table, Value};

use super::reader::{Ctx, Reader, join, suggest, type_name};
use super::values::check_name;
use super::{
    Config, Translation, access, general, ha, kafka, notifiers, pipeline, plugins, profiles,
};

/// Sections Warren reads.
pub(crate) const SECTIONS: &[&str] = &[
    "general",
    "logging",
    "cluster",
    "consumer",
    "client-profile",
    "tls",
    "sasl",
    "storage",
    "evaluator",
    "httpserver",
    "plugin",
    "notifier",
    "api-token",
    "api-user",
    "ha",
];

/// Burrow sections Warren accepts and ignores, with the reason shown in the warning.
const IGNORED: &[(&str, &str)] = &[
    ("zookeeper", "Warren needs no ZooKeeper; section ignored"),
    (
        "iam",
        "MSK IAM is configured in [sasl.NAME] with mechanism = \"AWS_MSK_IAM\"; section ignored",
    ),
];

/// One `[kind.NAME]` section, ready to be walked.
pub(crate) struct Named<'t> {
    pub(crate) name: String,
    pub(crate) reader: Reader<'t>,
}

/// Walks the whole document and builds the [`Config`], recording problems in `cx`.
pub(crate) fn resolve(cx: &mut Ctx<'_>, root: &Table) -> (Config, Vec<Translation>) {
    for (key, value) in root {
        if SECTIONS.contains(&key.as_str()) {
            continue;
        }
        if let Some((_, reason)) = IGNORED.iter().find(|(name, _)| name == key) {
            ignored_section(cx, key, value, reason);
            continue;
        }
        let message = match suggest(key, SECTIONS) {
            Some(near) => format!("unknown section; did you mean [{near}]?"),
            None => "unknown section".to_owned(),
        };
        cx.error_with(
            &join("", key),
            message,
            &format!("valid sections: {}", SECTIONS.join(", ")),
        );
    }

    // Each section's reader is fetched first: both steps report into `cx`.
    let section = single(cx, root, "general");
    let general = general::general(cx, section);
    let section = single(cx, root, "logging");
    let logging = general::logging(cx, section);
    let sections = named(cx, root, "tls");
    let tls = profiles::tls_profiles(cx, sections);
    let sections = named(cx, root, "sasl");
    let sasl = profiles::sasl_profiles(cx, sections);
    let sections = named(cx, root, "client-profile");
    let client_profiles = profiles::client_profiles(cx, sections, &tls, &sasl);
    let sections = named(cx, root, "cluster");
    let (mut clusters, bindings) = kafka::clusters(cx, sections, &client_profiles);
    if clusters.is_empty() {
        cx.warn(
            "cluster",
            "no [cluster.NAME] sections: Warren has nothing to monitor",
        );
    }
    let sections = named(cx, root, "consumer");
    let consumers = kafka::consumers(cx, sections, &clusters, &client_profiles);
    let sections = named(cx, root, "storage");
    let storage = pipeline::storage(cx, sections);
    let sections = named(cx, root, "evaluator");
    let evaluator = pipeline::evaluator(cx, sections);
    let sections = named(cx, root, "httpserver");
    let http_servers = general::http_servers(cx, sections, &tls);
    let sections = named(cx, root, "plugin");
    let mut plugins = plugins::plugins(cx, sections, &clusters);
    plugins::bind(cx, &mut clusters, bindings, &plugins);
    let sections = named(cx, root, "notifier");
    let (notifiers, translated, translations) =
        notifiers::notifiers(cx, sections, &plugins, &clusters);
    for plugin in translated {
        plugins.insert(plugin.name.clone(), plugin);
    }
    let sections = named(cx, root, "api-token");
    let api_tokens = access::api_tokens(cx, sections);
    let sections = named(cx, root, "api-user");
    let api_users = access::api_users(cx, sections);
    let section = single(cx, root, "ha");
    let ha = ha::ha(cx, section, &clusters);
    if !notifiers.is_empty() && storage.data_dir.is_none() && ha.is_none() {
        cx.warn(
            "storage",
            "notifiers are configured but [storage] data-dir is not: open incidents and pending \
             notifications will not survive a restart",
        );
    }
    let config = Config {
        general,
        logging,
        clusters,
        consumers,
        storage,
        evaluator,
        http_servers,
        client_profiles,
        tls,
        sasl,
        plugins,
        notifiers,
        api_tokens,
        api_users,
        ha,
    };
    (config, translations)
}

/// Warns once per ignored Burrow section (`[zookeeper]`) or once per named one (`[notifier.X]`).
fn ignored_section(cx: &mut Ctx<'_>, key: &str, value: &Value, reason: &str) {
    let named = key != "zookeeper";
    match value {
        Value::Table(table) if named && !table.is_empty() => {
            for name in table.keys() {
                cx.warn(&join(&join("", key), name), reason);
            }
        }
        _ => cx.warn(&join("", key), reason),
    }
}

/// A plain `[key]` section; `None` when absent or not a table (reported).
fn single<'t>(cx: &mut Ctx<'_>, root: &'t Table, key: &str) -> Option<Reader<'t>> {
    match root.get(key)? {
        Value::Table(table) => Some(Reader::new(join("", key), table)),
        other => {
            let message = format!("expected a table, got {}", type_name(other));
            cx.error_with(&join("", key), message, &format!("[{key}]"));
            None
        }
    }
}

/// Every `[key.NAME]` section, in name order. Bad names are reported but the section is still
/// walked, so its other problems show up in the same run.
fn named<'t>(cx: &mut Ctx<'_>, root: &'t Table, key: &str) -> Vec<Named<'t>> {
    let example = format!("[{key}.NAME]");
    let Some(value) = root.get(key) else {
        return Vec::new();
    };
    let Value::Table(sections) = value else {
        let message = format!(
            "expected a table of [{key}.NAME] sections, got {}",
            type_name(value)
        );
        cx.error_with(&join("", key), message, &example);
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, section) in sections {
        let path = join(&join("", key), name);
        let Value::Table(table) = section else {
            let message = format!("expected a [{key}.NAME] table, got {}", type_name(section));
            cx.error_with(&path, message, &example);
            continue;
        };
        if let Err(why) = check_name(name) {
            cx.error(&path, why);
        }
        out.push(Named {
            name: name.clone(),
            reader: Reader::new(path, table),
        });
    }
    out
}

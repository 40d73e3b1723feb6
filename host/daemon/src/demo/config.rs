//! The demo's configuration, written as a user would write `warren.toml`, so the demo goes
//! through the same loading and validation as `warren run` (and its plugins are wired exactly
//! as the README's configuration reference says).

use std::net::SocketAddr;

use super::behaviour::{Behaviour, Cluster, NOISE_FILTER_SECS, SLO_ERR_SECS, SLO_WARN_SECS};

/// The config text: the `demo` cluster, plus, when `receiver` is given, the `demo-slo`
/// cluster with its evaluator, filter and notifier. `bootstraps` are the embedded brokers.
pub(crate) fn text(
    listen: SocketAddr,
    bootstraps: &[(Cluster, String)],
    receiver: Option<SocketAddr>,
) -> String {
    let mut out = format!(
        r#"
[logging]
level = "warn"
[storage.default]
intervals = 10
[evaluator.default]
expire-cache = "1s"
[httpserver.demo]
address = "{listen}"
"#
    );
    for (cluster, servers) in bootstraps {
        let name = cluster.name();
        // The plugin cluster picks its evaluator and filters (both only when they are loaded).
        let plugins = match (cluster, receiver) {
            (Cluster::Plugins, Some(_)) => "evaluator = \"slo\"\ngroup-filters = [\"hide-idle\"]\n",
            _ => "",
        };
        out.push_str(&format!(
            r#"
[cluster.{name}]
servers = ["{servers}"]
offset-refresh = "1s"
topic-refresh = "10s"
{plugins}[consumer.{name}]
class-name = "kafka"
cluster = "{name}"
"#
        ));
    }
    if let Some(receiver) = receiver {
        let slo = Cluster::Plugins.name();
        let noise = Behaviour::Noise.group();
        out.push_str(&format!(
            r#"
# Judges every group of {slo} by time lag instead of Burrow's rules.
[plugin.slo]
kind = "evaluator"
path = "builtin:lag-seconds"
clusters = ["{slo}"]
[plugin.slo.config.default]
warn = "{SLO_WARN_SECS}s"
err = "{SLO_ERR_SECS}s"

# Hides groups with no member and no commit for {NOISE_FILTER_SECS} s ({noise}).
[plugin.hide-idle]
kind = "group-filter"
path = "builtin:skip-empty"
clusters = ["{slo}"]
config = {{ empty-for-secs = {NOISE_FILTER_SECS} }}

# Posts incidents to the receiver the demo runs.
[plugin.demo-webhook]
kind = "notifier"
path = "builtin:webhook"
allowed-outbound-hosts = ["{receiver}"]
allow-private-addresses = true
config = {{ url = "http://{receiver}/incidents", format = "warren" }}

[notifier.incidents]
plugin = "demo-webhook"
clusters = ["{slo}"]
interval = "1s"
threshold = "WARN"
send-interval = "10m"
"#
        ));
    }
    out
}

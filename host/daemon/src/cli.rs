//! Command-line surface of `warren`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Warren: Kafka consumer-lag monitor, Burrow's successor.
#[derive(Debug, Parser)]
#[command(name = "warren", version, about)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// Burrow's command line: run the daemon with DIR/burrow.toml (the same as
    /// `warren run --config-dir DIR`).
    #[arg(long, value_name = "DIR")]
    pub(crate) config_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the daemon.
    Run {
        /// Configuration file (TOML; a Burrow burrow.toml loads too).
        #[arg(long, short, default_value = "warren.toml")]
        config: PathBuf,
        /// Burrow's flag: read DIR/burrow.toml instead of --config.
        #[arg(long, value_name = "DIR", conflicts_with = "config")]
        config_dir: Option<PathBuf>,
    },
    /// Evaluate one group offline from a JSON window (FILE, or - for stdin) and print its
    /// status as the /lag endpoint would.
    Evaluate {
        /// Input JSON file, or - for standard input.
        file: PathBuf,
        /// Judge with this evaluator plugin (.wasm) instead of Burrow's rules.
        #[arg(long, value_name = "FILE.wasm")]
        evaluator: Option<PathBuf>,
        /// The plugin's config, as JSON (its `[plugin.NAME] config` table).
        #[arg(long, value_name = "JSON", default_value = "{}")]
        plugin_config: String,
    },
    /// A running daemon's verdicts as a table: every group, a cluster's groups, or a group's
    /// partitions. Sends `WARREN_TOKEN`, when set, as a Bearer token.
    Status {
        /// The daemon's HTTP API.
        #[arg(long, default_value = "http://127.0.0.1:8000")]
        url: String,
        /// Only this cluster.
        cluster: Option<String>,
        /// This group's partitions (needs CLUSTER).
        group: Option<String>,
    },
    /// Plugin authoring: scaffold, inspect and try WebAssembly plugins.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Run everything on embedded brokers: simulated groups, the daemon with an evaluator, a
    /// group filter and a notifier plugin at work, the dashboard, a live table.
    Demo {
        /// Address of the HTTP API.
        #[arg(long, default_value = "127.0.0.1:8000")]
        listen: std::net::SocketAddr,
        /// Print the URLs, what each group shows and each incident delivered (no live
        /// table), for scripts and tests.
        #[arg(long)]
        no_table: bool,
        /// Only the cluster judged by Burrow's rules: no plugin, no notifier.
        #[arg(long)]
        no_plugins: bool,
    },
    /// Run librdkafka's mock cluster as a standalone broker; prints its bootstrap address.
    #[command(name = "dev-broker")]
    DevBroker {
        /// Topics to create, as NAME:PARTITIONS.
        topics: Vec<String>,
        /// Number of brokers.
        #[arg(long, default_value_t = 1)]
        brokers: i32,
    },
    /// Write deterministic data and offset commits (Kafka's record format) to a broker.
    #[command(name = "dev-load")]
    DevLoad(crate::LoadArgs),
    /// Read a topic to its end with the offsets reader's settings, decoding nothing (a floor).
    #[command(name = "dev-read")]
    DevRead(crate::ReadArgs),
    /// Read a password from standard input and print its argon2id hash, for
    /// `[api-user.NAME] password-hash`.
    #[command(name = "hash-password")]
    HashPassword,
    /// Validate a configuration file: print every problem with its key path, exit 2 if any.
    CheckConfig {
        /// Configuration file to check.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PluginCommand {
    /// Create a buildable plugin crate from the templates.
    New {
        /// filter, evaluator or notifier.
        kind: String,
        /// Plugin name: lowercase letters, digits and dashes.
        name: String,
        /// Where to create the crate's folder.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// A Warren checkout's plugins/sdk to depend on, instead of the SDK this binary
        /// carries (written into the plugin's warren-sdk/). Rust only.
        #[arg(long)]
        sdk: Option<PathBuf>,
        /// The plugin's language: a Rust crate, or a Python (componentize-py) or JavaScript
        /// (componentize-js) folder with the WIT package, a README and a build.sh.
        #[arg(long, value_enum, default_value = "rust")]
        lang: warren_daemon::scaffold::Lang,
    },
    /// Print a component's world, package version, metadata, config schema, imports, exports.
    Inspect {
        /// The component.
        file: PathBuf,
        /// Keep compiled components here (by content hash), as the daemon's
        /// `plugin-cache-dir`: a later inspect or test of the same file skips compiling it.
        #[arg(long, value_name = "DIR")]
        plugin_cache_dir: Option<PathBuf>,
    },
    /// Run a filter or evaluator on recorded input (the `warren evaluate` JSON format), or
    /// show what a notifier would send for an incident event, without sending it.
    Test {
        /// The component.
        file: PathBuf,
        /// Filters and evaluators: input JSON file, or - for standard input.
        #[arg(long)]
        input: Option<PathBuf>,
        /// The plugin's config, as JSON.
        #[arg(long, value_name = "JSON", default_value = "{}")]
        config: String,
        /// Notifiers: what to render and what the sandbox grants.
        #[command(flatten)]
        notify: warren_daemon::plugin_cli::dry_run::Options,
        /// Keep compiled components here, as for `inspect`.
        #[arg(long, value_name = "DIR")]
        plugin_cache_dir: Option<PathBuf>,
    },
}

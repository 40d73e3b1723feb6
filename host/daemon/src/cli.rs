//! Command-line surface of `warren`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Warren: Kafka consumer-lag monitor, Burrow's successor.
#[derive(Debug, Parser)]
#[command(name = "warren", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the daemon.
    Run {
        /// Configuration file (TOML; a Burrow burrow.toml loads too).
        #[arg(long, short, default_value = "warren.toml")]
        config: PathBuf,
    },
    /// Validate a configuration file: print every problem with its key path, exit 2 if any.
    CheckConfig {
        /// Configuration file to check.
        file: PathBuf,
    },
}

//! Reading the configuration file and reporting every problem in it, for both `check-config`
//! and `run` (which refuses to start on any error).

use std::path::Path;
use std::process::ExitCode;

use warren_core::config::{self, Loaded};

/// Loads `path`, printing errors to stderr; `None` when the file cannot be used.
pub fn load_or_report(path: &Path) -> Option<Loaded> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return None;
        }
    };
    let vars: Vec<(String, String)> = std::env::vars().collect();
    match config::load_with_overrides(&text, &|name| std::env::var(name).ok(), &vars) {
        Ok(loaded) => Some(loaded),
        Err(problems) => {
            eprintln!(
                "error: {} has {} problem(s):",
                path.display(),
                problems.len()
            );
            for p in &problems {
                eprintln!("  {p}");
            }
            None
        }
    }
}

/// The file Burrow's `--config-dir DIR` reads: `DIR/burrow.toml`. Burrow (through viper) also
/// took YAML and JSON; Warren reads TOML only and says so when it finds one of those instead.
pub fn in_config_dir(dir: &Path) -> Result<std::path::PathBuf, String> {
    let path = dir.join("burrow.toml");
    if path.is_file() {
        return Ok(path);
    }
    let other = ["burrow.yaml", "burrow.yml", "burrow.json"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file());
    Err(match other {
        Some(other) => format!(
            "--config-dir {}: found {} but Warren reads TOML only: convert it to {}",
            dir.display(),
            other.display(),
            path.display()
        ),
        None => format!(
            "--config-dir {}: no {} there",
            dir.display(),
            path.display()
        ),
    })
}

/// `warren check-config FILE`: the config, then every plugin loaded and its own
/// `validate-config` run, exactly as `run` would before connecting anywhere.
pub fn check_config(path: &Path) -> ExitCode {
    let Some(loaded) = load_or_report(path) else {
        return ExitCode::from(2);
    };
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    for o in &loaded.overrides {
        eprintln!(
            "note: {}: set by the environment variable {}",
            o.path, o.variable
        );
    }
    let c = &loaded.config;
    if !c.plugins.is_empty() {
        let checked = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(crate::plugins::PluginManager::start(c, Some(path))));
        if let Err(e) = checked {
            eprintln!("error: {}: plugins:\n  {e:#}", path.display());
            return ExitCode::from(2);
        }
    }
    println!(
        "{}: OK ({} cluster(s), {} consumer(s), {} HTTP listener(s), {} plugin(s), {} warning(s))",
        path.display(),
        c.clusters.len(),
        c.consumers.len(),
        c.http_servers.len(),
        c.plugins.len(),
        loaded.warnings.len()
    );
    ExitCode::SUCCESS
}

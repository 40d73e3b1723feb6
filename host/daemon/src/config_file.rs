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
    match load_text(path, &text) {
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

/// Resolves the text of the config file at `path` as start-up and every reload do: with the
/// process's environment overrides, and files it names looked up beside it.
pub fn load_text(path: &Path, text: &str) -> Result<Loaded, Vec<config::Problem>> {
    let vars: Vec<(String, String)> = std::env::vars().collect();
    let env = |name: &str| std::env::var(name).ok();
    config::load_in(text, &env, &vars, path.parent())
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
    for t in &loaded.translations {
        print_translation(t);
    }
    let c = &loaded.config;
    if !c.plugins.is_empty() {
        let checked = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| {
                // Dropped inside the runtime: a mail notifier's connection pool closes through
                // it, and panics without one.
                rt.block_on(async {
                    crate::plugins::PluginManager::start(c, Some(path))
                        .await
                        .map(drop)
                })
            });
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

/// One Burrow notifier section and the Warren form that says the same, indented under a
/// `translated:` line so the TOML can be copied as it is.
fn print_translation(t: &config::Translation) {
    if t.toml.is_empty() {
        println!("translated: {}: nothing to run", t.section);
    } else {
        println!(
            "translated: {} runs as the Warren config below (it may replace the section):",
            t.section
        );
        for line in t.toml.lines() {
            println!("    {line}");
        }
    }
    for note in &t.notes {
        println!("  note: {note}");
    }
}

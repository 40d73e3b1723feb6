//! `warren plugin new | inspect | test` and `warren evaluate --evaluator`: the plugin author's
//! loop without a daemon or a broker. Everything runs through the daemon's own runtime (same
//! sandbox, limits and output checks), so what passes here behaves the same when deployed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;
use warren_core::evaluator::EvaluatorNote;
use warren_runtime::{Limits, PluginEngine, PluginEvaluator, PluginFilter, World, inspect};

use crate::evaluate::{self, EvaluateInput};
use crate::scaffold::{Lang, Sdk};

pub mod dry_run;

/// `warren plugin new KIND NAME [--lang rust|python|js] [--dir DIR] [--sdk PATH]`.
pub fn new(lang: Lang, kind: &str, name: &str, dir: &Path, sdk: Option<&Path>) -> ExitCode {
    let created = if lang == Lang::Rust {
        let sdk = sdk.map_or(Sdk::Bundled, Sdk::Checkout);
        crate::scaffold::scaffold(kind, name, dir, sdk).map(|path| {
            (
                path,
                format!(
                    "target/wasm32-wasip2/release/{}.wasm",
                    name.replace('-', "_")
                ),
            )
        })
    } else if sdk.is_some() {
        Err(anyhow::anyhow!(
            "--sdk is the Rust SDK; a {lang:?} plugin is built against the WIT package written into its wit/"
        ))
    } else {
        crate::scaffold::scaffold_polyglot(lang, kind, name, dir)
    };
    let (path, wasm) = match created {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    println!("created {}", path.display());
    match lang {
        Lang::Rust => println!(
            "build it:  cd {} && cargo build --release   (needs: rustup target add wasm32-wasip2)",
            path.display()
        ),
        Lang::Python => println!(
            "build it:  cd {} && ./build.sh   (needs: python3 with venv; see README.md)",
            path.display()
        ),
        Lang::Js => println!(
            "build it:  cd {} && ./build.sh   (needs: node and npm; see README.md)",
            path.display()
        ),
    }
    let input = if kind == "notifier" {
        "--event opened"
    } else {
        "--input window.json"
    };
    println!("try it:    warren plugin test {wasm} {input}");
    ExitCode::SUCCESS
}

/// `warren plugin inspect FILE.wasm [--plugin-cache-dir DIR]`.
pub fn inspect_file(file: &Path, cache_dir: Option<PathBuf>) -> ExitCode {
    let (engine, wasm) = match open(file, cache_dir) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let component = match engine.compile(&file.display().to_string(), &wasm, None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let i = inspect(&engine, &component);
    let digest = sha256_hex(&wasm);
    let metadata = match &i.metadata {
        Ok(m) => json!({
            "name": m.name,
            "version": m.version,
            "description": m.description,
            "config-schema": serde_json::from_str::<serde_json::Value>(&m.config_schema)
                .unwrap_or_else(|_| json!(m.config_schema)),
        }),
        Err(e) => json!({ "error": e }),
    };
    let out = json!({
        "file": file.display().to_string(),
        "bytes": wasm.len(),
        "sha256": digest,
        "world": i.world.map(World::as_str),
        "package": i.package_version.as_ref().map(|v| format!("warren:plugin@{v}")),
        "metadata": metadata,
        "imports": i.imports,
        "exports": i.exports,
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    if i.world.is_some() && i.metadata.is_ok() {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: not a Warren plugin (no known world, or metadata failed)");
        ExitCode::from(2)
    }
}

/// `warren plugin test FILE.wasm --input FILE.json [--config JSON]`: runs a filter or an
/// evaluator on the `warren evaluate` input format and prints its answer; for a notifier,
/// shows what it would send (see `dry_run.rs`).
pub fn test(
    file: &Path,
    input: Option<&Path>,
    config: &str,
    notify: dry_run::Options,
    cache_dir: Option<PathBuf>,
) -> ExitCode {
    let (engine, wasm) = match open(file, cache_dir) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let name = plugin_name(file);
    let component = match engine.compile(&name, &wasm, None) {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string()),
    };
    let world = inspect(&engine, &component).world;
    if world == Some(World::Notifier) {
        return dry_run::run(&engine, &name, &component, config, notify);
    }
    let Some(input) = input else {
        return fail(
            "a filter or an evaluator is tried on --input FILE (the `warren evaluate` format)",
        );
    };
    let input = match read(input) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let snapshot = evaluate::snapshot(&input);
    match world {
        Some(World::Evaluator) => {
            match PluginEvaluator::load(&engine, &name, &component, config, Limits::default())
                .and_then(|p| p.evaluate(input.cluster(), &snapshot, input.now()))
            {
                Ok(status) => print_json(&warren_http::group_status_json(&status)),
                Err(e) => fail(&e.to_string()),
            }
        }
        Some(World::GroupFilter) => {
            match PluginFilter::load(&engine, &name, &component, config, Limits::default())
                .and_then(|p| p.accept(input.cluster(), &snapshot, input.now()))
            {
                Ok(keep) => print_json(&json!({ "group": snapshot.group, "monitored": keep })),
                Err(e) => fail(&e.to_string()),
            }
        }
        // A notifier was shown above.
        Some(World::Notifier) | None => fail("not a Warren plugin: no known world in its exports"),
    }
}

/// `warren evaluate --evaluator FILE.wasm INPUT`: the plugin's verdict on the input.
pub fn evaluate_with(plugin: &Path, input: &Path, config: &str) -> ExitCode {
    let input = match read(input) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let (engine, wasm) = match open(plugin, None) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let name = plugin_name(plugin);
    let snapshot = evaluate::snapshot(&input);
    let result = engine
        .compile(&name, &wasm, None)
        .and_then(|c| PluginEvaluator::load(&engine, &name, &c, config, Limits::default()))
        .and_then(|p| p.evaluate(input.cluster(), &snapshot, input.now()));
    match result {
        Ok(mut status) => {
            status.evaluator = Some(EvaluatorNote {
                plugin: name,
                fallback: None,
            });
            print_json(&warren_http::group_status_json(&status))
        }
        Err(e) => fail(&e.to_string()),
    }
}

fn read(input: &Path) -> Result<EvaluateInput, ExitCode> {
    let text = evaluate::read_input(input).map_err(|e| {
        eprintln!("error: cannot read {}: {e}", input.display());
        ExitCode::from(2)
    })?;
    evaluate::parse(&text).map_err(|e| {
        eprintln!("error: invalid input: {e}");
        ExitCode::from(2)
    })
}

/// The component's bytes and an engine to compile it (with the compiled-component cache
/// `cache_dir` when given).
fn open(file: &Path, cache_dir: Option<PathBuf>) -> Result<(PluginEngine, Vec<u8>), ExitCode> {
    let wasm = std::fs::read(file).map_err(|e| {
        eprintln!("error: cannot read {}: {e}", file.display());
        ExitCode::from(2)
    })?;
    let engine = PluginEngine::new(cache_dir).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })?;
    Ok((engine, wasm))
}

fn plugin_name(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plugin".into())
}

fn print_json(value: &serde_json::Value) -> ExitCode {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
    ExitCode::SUCCESS
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

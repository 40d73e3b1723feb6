//! Compiles the first-party plugins (`plugins/`, its own cargo workspace, for wasm32-wasip2) and
//! embeds those under `evaluators/`, `filters/` and `notifiers/` into the binary, so a config
//! can say `path = "builtin:lag-threshold"`. Test plugins (`plugins/testing/`) are not embedded.
//!
//! If the plugins cannot be built (typically: `rustup target add wasm32-wasip2` was never run)
//! the host still builds, without built-ins, and says so: a `builtin:` path then fails to load
//! with that reason instead of the whole build failing.

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const KINDS: &[&str] = &["evaluators", "filters", "notifiers"];

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let plugins = manifest.join("../../plugins");
    for watched in [
        "Cargo.toml",
        "Cargo.lock",
        "sdk",
        "evaluators",
        "filters",
        "notifiers",
    ] {
        // A path that does not exist would count as changed on every build.
        let path = plugins.join(watched);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    println!(
        "cargo:rerun-if-changed={}",
        manifest.join("../../wit").display()
    );
    println!("cargo:rerun-if-env-changed=WARREN_SKIP_BUILTINS");

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("builtin.rs");
    let result = if env::var_os("WARREN_SKIP_BUILTINS").is_some() {
        Err("built without first-party plugins (WARREN_SKIP_BUILTINS was set)".to_string())
    } else {
        build(&plugins)
    };
    let mut code = String::new();
    match result {
        Ok(found) => {
            code.push_str("/// First-party plugins: (name, component bytes).\n");
            code.push_str("pub(crate) const BUILTINS: &[(&str, &[u8])] = &[\n");
            for (name, path) in &found {
                let _ = writeln!(
                    code,
                    "    ({name:?}, include_bytes!({:?})),",
                    path.display()
                );
            }
            code.push_str("];\n/// Why there are no built-ins, when there are none.\n");
            code.push_str("pub(crate) const MISSING: Option<&str> = None;\n");
        }
        Err(why) => {
            println!("cargo:warning=first-party plugins not embedded: {why}");
            code.push_str("pub(crate) const BUILTINS: &[(&str, &[u8])] = &[];\n");
            let _ = writeln!(
                code,
                "pub(crate) const MISSING: Option<&str> = Some({why:?});"
            );
        }
    }
    std::fs::write(&out, code).expect("OUT_DIR is writable");
}

/// Builds the plugin workspace and returns (plugin name, .wasm path) for each embedded plugin.
fn build(plugins: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--release",
        "--target",
        "wasm32-wasip2",
        "--manifest-path",
    ])
    .arg(plugins.join("Cargo.toml"));
    // The outer build's settings are for the host target (and clippy's wrapper); none of them
    // applies to the guests, and inheriting them would also make this build's fingerprints
    // differ from a plain `cargo build` of the plugins, rebuilding them twice.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
    ] {
        cmd.env_remove(var);
    }
    let output = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last: Vec<&str> = stderr.lines().rev().take(6).collect();
        let last: Vec<&str> = last.into_iter().rev().collect();
        return Err(format!(
            "building plugins/ for wasm32-wasip2 failed (is the target installed? \
             `rustup target add wasm32-wasip2`): {}",
            last.join(" | ")
        ));
    }
    let release = plugins.join("target/wasm32-wasip2/release");
    let mut found = Vec::new();
    for kind in KINDS {
        let Ok(entries) = std::fs::read_dir(plugins.join(kind)) else {
            continue;
        };
        for entry in entries.flatten() {
            if !entry.path().join("Cargo.toml").exists() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let wasm = release.join(format!("{}.wasm", name.replace('-', "_")));
            if !wasm.exists() {
                return Err(format!("{} was not produced", wasm.display()));
            }
            let wasm = wasm
                .canonicalize()
                .map_err(|e| format!("{}: {e}", wasm.display()))?;
            found.push((name, wasm));
        }
    }
    found.sort();
    Ok(found)
}

//! The plugin SDK this binary carries (embedded by `build.rs`): the `warren-plugin-sdk` crate
//! and its world crates, the WIT package they are generated from, and the `common` crate they
//! share with the host. `warren plugin new` writes it into the new plugin's `warren-sdk/`, so
//! the plugin builds anywhere with only the Rust toolchain, against exactly the interface this
//! binary speaks.
//!
//! The files keep their places relative to each other (the world crates find `wit/` by a
//! relative path). The SDK's manifests inherit fields from the plugins workspace of this
//! repository, which is not written out: those fields are filled in from it here, so every
//! written crate stands alone.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use toml::{Table, Value};

include!(concat!(env!("OUT_DIR"), "/sdk_files.rs"));

/// The workspace whose fields the SDK's manifests inherit; read, not written.
const WORKSPACE: &str = "plugins/Cargo.toml";
/// Where the `warren-plugin-sdk` crate lands, relative to the written tree.
pub const SDK_CRATE: &str = "plugins/sdk";

/// Writes the SDK under `dest` (which must not exist yet); returns the SDK crate's directory.
pub fn write(dest: &Path) -> anyhow::Result<PathBuf> {
    let workspace = file(WORKSPACE)?;
    let workspace: Table = std::str::from_utf8(workspace)?
        .parse()
        .context("the embedded plugins workspace manifest")?;
    for (path, bytes) in SDK_FILES {
        if *path == WORKSPACE {
            continue;
        }
        let target = dest.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        let text;
        let contents = if path.ends_with("Cargo.toml") && path.starts_with("plugins/") {
            text = standalone(path, std::str::from_utf8(bytes)?, &workspace)?;
            text.as_bytes()
        } else {
            bytes
        };
        std::fs::write(&target, contents)
            .with_context(|| format!("writing {}", target.display()))?;
    }
    Ok(dest.join(SDK_CRATE))
}

/// Writes the WIT package (the `wit/` directory) alone into `dest`: what a Python or
/// JavaScript plugin is built against.
pub fn write_wit(dest: &Path) -> anyhow::Result<()> {
    for (path, bytes) in SDK_FILES {
        let Some(rel) = path.strip_prefix("wit/") else {
            continue;
        };
        let target = dest.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))?;
    }
    Ok(())
}

fn file(path: &str) -> anyhow::Result<&'static [u8]> {
    SDK_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, b)| *b)
        .with_context(|| format!("{path} is not embedded"))
}

/// The manifest at `path` (from the repository root) with every `workspace = true` field and
/// dependency filled in from `workspace`, path dependencies re-based onto the manifest's own
/// directory, and its dev-dependencies left out (the SDK's tests are not written).
fn standalone(path: &str, manifest: &str, workspace: &Table) -> anyhow::Result<String> {
    let mut doc: Table = manifest
        .parse()
        .with_context(|| format!("parsing {path}"))?;
    let shared = |key: &str| {
        workspace
            .get("workspace")
            .and_then(|w| w.get(key))
            .and_then(Value::as_table)
    };
    let (package, dependencies) = (shared("package"), shared("dependencies"));
    if let Some(fields) = doc.get_mut("package").and_then(Value::as_table_mut) {
        for (key, value) in fields.iter_mut() {
            if inherited(value) {
                *value = package
                    .and_then(|p| p.get(key))
                    .cloned()
                    .with_context(|| format!("{path}: package.{key} is not in {WORKSPACE}"))?;
            }
        }
    }
    doc.remove("dev-dependencies");
    let crate_dir = Path::new(path).parent().unwrap_or(Path::new(""));
    let workspace_dir = Path::new(WORKSPACE).parent().unwrap_or(Path::new(""));
    if let Some(deps) = doc.get_mut("dependencies").and_then(Value::as_table_mut) {
        for (name, value) in deps.iter_mut() {
            // A `path` is relative to the manifest that wrote it: the workspace's or this one.
            let from = if inherited(value) {
                let shared = dependencies
                    .and_then(|d| d.get(name))
                    .with_context(|| format!("{path}: dependency {name} is not in {WORKSPACE}"))?;
                *value = merged(shared, value);
                workspace_dir
            } else {
                crate_dir
            };
            if let Some(rel) = value.get("path").and_then(Value::as_str) {
                let rebased = relative(crate_dir, &normalise(&from.join(rel))?);
                if let Some(t) = value.as_table_mut() {
                    t.insert("path".into(), Value::String(rebased));
                }
            }
        }
    }
    Ok(toml::to_string(&doc)?)
}

fn inherited(value: &Value) -> bool {
    value.get("workspace").and_then(Value::as_bool) == Some(true)
}

/// The workspace's dependency with the member's own keys (`features`, `optional`) added.
fn merged(shared: &Value, own: &Value) -> Value {
    let mut table = match shared {
        Value::String(version) => Table::from_iter([("version".into(), version.clone().into())]),
        Value::Table(t) => t.clone(),
        other => Table::from_iter([("version".into(), other.clone())]),
    };
    if let Some(own) = own.as_table() {
        for (k, v) in own {
            if k != "workspace" {
                table.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Table(table)
}

/// `a/b/../c` → `a/c`; a path leaving the tree is refused.
fn normalise(path: &Path) -> anyhow::Result<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir if !out.pop() => {
                bail!("{} leaves the SDK tree", path.display());
            }
            Component::Normal(p) => out.push(p),
            _ => {}
        }
    }
    Ok(out)
}

/// `to` as a relative path from the directory `from` (both relative to the same root), with
/// `/` separators as Cargo manifests write them.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sdk_manifest_stands_alone() {
        let dir = tempfile::tempdir().unwrap();
        let sdk = write(&dir.path().join("warren-sdk")).unwrap();
        for manifest in [
            sdk.join("Cargo.toml"),
            sdk.join("worlds/notifier/Cargo.toml"),
        ] {
            let text = std::fs::read_to_string(&manifest).unwrap();
            assert!(
                !text.contains("workspace"),
                "{}: {text}",
                manifest.display()
            );
        }
        let text = std::fs::read_to_string(sdk.join("Cargo.toml")).unwrap();
        assert!(text.contains("path = \"../../common\""), "{text}");
        assert!(dir.path().join("warren-sdk/wit/worlds.wit").exists());
        assert!(!dir.path().join("warren-sdk/plugins/Cargo.toml").exists());
    }

    #[test]
    fn paths_are_made_relative_to_the_manifest() {
        assert_eq!(
            relative(Path::new("plugins/sdk"), Path::new("common")),
            "../../common"
        );
        assert_eq!(
            relative(
                Path::new("plugins/sdk/worlds/filter"),
                Path::new("plugins/sdk/worlds/evaluator")
            ),
            "../evaluator"
        );
        assert!(normalise(Path::new("plugins/../../x")).is_err());
    }
}

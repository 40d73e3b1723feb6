//! `warren plugin new`: writes a new plugin crate from the templates in
//! `examples/plugin-template/` (embedded at compile time, so the binary needs no checkout).
//!
//! The crate depends only on `warren-plugin-sdk` and `serde_json`, has a `[workspace]` of its
//! own so it builds wherever it lands, and a `.cargo/config.toml` that makes `cargo build
//! --release` produce `target/wasm32-wasip2/release/<crate_name>.wasm`. The SDK is the one the
//! binary carries, written into the plugin's `warren-sdk/` (see `bundled_sdk.rs`), or a Warren
//! checkout's `plugins/sdk` when one is given.
//! Every template compiles to a working plugin: a name-prefix filter, a max-lag evaluator and
//! a JSON webhook notifier.
//!
//! Placeholders: `{{name}}` (the plugin name, `my-plugin`), `{{crate_name}}` (`my_plugin`),
//! `{{type_name}}` (`MyPlugin`) and `{{sdk_path}}` (relative to the crate for the carried SDK,
//! absolute for a checkout's; escaped for a TOML string).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

mod polyglot;

pub use polyglot::world;

/// The plugin kinds, as the CLI spells them.
pub const KINDS: [&str; 3] = ["filter", "evaluator", "notifier"];

/// The language a new plugin is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// A Rust crate on the SDK this binary carries (`cargo build --release`).
    Rust,
    /// `app.py`, built by componentize-py.
    Python,
    /// `plugin.js`, built by componentize-js.
    Js,
}

const CARGO_CONFIG: &str = include_str!("../../../examples/plugin-template/cargo-config.toml.tmpl");

/// (`Cargo.toml`, `src/lib.rs`) templates of `kind`.
fn templates(kind: &str) -> Option<(&'static str, &'static str)> {
    macro_rules! kind {
        ($dir:literal) => {
            (
                include_str!(concat!(
                    "../../../examples/plugin-template/",
                    $dir,
                    "/Cargo.toml.tmpl"
                )),
                include_str!(concat!(
                    "../../../examples/plugin-template/",
                    $dir,
                    "/src/lib.rs.tmpl"
                )),
            )
        };
    }
    match kind {
        "filter" => Some(kind!("filter")),
        "evaluator" => Some(kind!("evaluator")),
        "notifier" => Some(kind!("notifier")),
        _ => None,
    }
}

/// Which SDK a new plugin depends on.
#[derive(Debug, Clone, Copy)]
pub enum Sdk<'a> {
    /// The one this binary carries, written into the plugin's `warren-sdk/`.
    Bundled,
    /// The `plugins/sdk` directory of a Warren checkout (for working on the SDK itself).
    Checkout(&'a Path),
}

/// Where the carried SDK is written, inside the new crate.
const BUNDLED_DIR: &str = "warren-sdk";

/// Creates the crate of a `kind` plugin called `name` in `out_dir/name`, depending on `sdk`.
/// Returns the crate's directory. Refuses an invalid name or kind, a checkout path that is not
/// the SDK, and an existing target directory (nothing is overwritten).
pub fn scaffold(kind: &str, name: &str, out_dir: &Path, sdk: Sdk<'_>) -> anyhow::Result<PathBuf> {
    let (cargo_toml, lib_rs) = templates(kind).with_context(|| {
        format!(
            "unknown plugin kind {kind:?} (expected one of: {})",
            KINDS.join(", ")
        )
    })?;
    validate_name(name)?;
    let sdk_path = match sdk {
        Sdk::Bundled => format!("{BUNDLED_DIR}/{}", crate::bundled_sdk::SDK_CRATE),
        Sdk::Checkout(sdk) => checkout_sdk(sdk)?,
    };
    let vars = [
        ("name", name.to_string()),
        ("crate_name", name.replace('-', "_")),
        ("type_name", type_name(name)),
        (
            "sdk_path",
            sdk_path.replace('\\', "\\\\").replace('"', "\\\""),
        ),
    ];

    let dir = claim(out_dir, name)?;
    for (path, template) in [
        ("Cargo.toml", cargo_toml),
        ("src/lib.rs", lib_rs),
        (".cargo/config.toml", CARGO_CONFIG),
    ] {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&file, render(template, &vars))
            .with_context(|| format!("writing {}", file.display()))?;
    }
    if let Sdk::Bundled = sdk {
        crate::bundled_sdk::write(&dir.join(BUNDLED_DIR))?;
    }
    Ok(dir)
}

/// Creates the folder of a `kind` plugin called `name` in `out_dir/name`, written in `lang`
/// (Python or JavaScript: see `polyglot.rs`). Returns the folder and the file its `build.sh`
/// writes. Refuses an invalid name or kind and an existing target directory.
pub fn scaffold_polyglot(
    lang: Lang,
    kind: &str,
    name: &str,
    out_dir: &Path,
) -> anyhow::Result<(PathBuf, String)> {
    if lang == Lang::Rust {
        bail!("a Rust plugin is scaffolded by `scaffold`, with its SDK");
    }
    if !KINDS.contains(&kind) {
        bail!(
            "unknown plugin kind {kind:?} (expected one of: {})",
            KINDS.join(", ")
        );
    }
    validate_name(name)?;
    let dir = claim(out_dir, name)?;
    let wasm = polyglot::write(lang, kind, name, &dir)?;
    Ok((dir, wasm))
}

/// Creates `out_dir/name`, refusing one that exists.
fn claim(out_dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let dir = out_dir.join(name);
    // `create_dir` (not `_all`) fails if the directory exists: the check and the claim are one
    // step, so two runs cannot both write into it.
    std::fs::create_dir(&dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            anyhow::anyhow!("{} already exists; not overwriting it", dir.display())
        }
        _ => anyhow::Error::new(e).context(format!("creating {}", dir.display())),
    })?;
    Ok(dir)
}

/// A checkout's SDK crate, as an absolute path for the new crate's manifest.
fn checkout_sdk(sdk: &Path) -> anyhow::Result<String> {
    let sdk = sdk
        .canonicalize()
        .with_context(|| format!("SDK path {}", sdk.display()))?;
    let manifest = std::fs::read_to_string(sdk.join("Cargo.toml")).unwrap_or_default();
    if !manifest.contains("name = \"warren-plugin-sdk\"") {
        bail!(
            "{} is not the warren-plugin-sdk crate (expected plugins/sdk of a Warren checkout)",
            sdk.display()
        );
    }
    sdk.to_str()
        .map(str::to_owned)
        .with_context(|| format!("SDK path {} is not UTF-8", sdk.display()))
}

/// A crate and component name: lowercase ASCII letters, digits and single dashes, starting
/// with a letter (so it is also a valid Rust crate name once dashes become underscores).
fn validate_name(name: &str) -> anyhow::Result<()> {
    let valid = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        bail!(
            "invalid plugin name {name:?}: use lowercase letters, digits and single dashes, \
             starting with a letter (e.g. \"payments-lag\"), at most 64 characters"
        );
    }
    Ok(())
}

/// `payments-lag` → `PaymentsLag`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn render(template: &str, vars: &[(&str, String)]) -> String {
    vars.iter()
        .fold(template.to_string(), |text, (key, value)| {
            text.replace(&format!("{{{{{key}}}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_lowercase_words_joined_by_dashes() {
        for good in ["x", "payments-lag", "lag2-alert"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in [
            "", "Payments", "2fast", "-x", "x-", "a--b", "a_b", "a b", "ä",
        ] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn type_names_are_camel_case() {
        assert_eq!(type_name("payments-lag2-x"), "PaymentsLag2X");
    }

    #[test]
    fn every_placeholder_of_every_template_is_rendered() {
        let vars = [
            ("name", "n".to_string()),
            ("crate_name", "n".to_string()),
            ("type_name", "N".to_string()),
            ("sdk_path", "/sdk".to_string()),
        ];
        for kind in KINDS {
            let (cargo_toml, lib_rs) = templates(kind).unwrap();
            for template in [cargo_toml, lib_rs, CARGO_CONFIG] {
                let text = render(template, &vars);
                assert!(!text.contains("{{"), "{kind}: {text}");
            }
        }
    }
}

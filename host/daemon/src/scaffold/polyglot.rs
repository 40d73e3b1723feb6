//! `warren plugin new --lang python|js`: writes a plugin folder for componentize-py or
//! componentize-js from the templates in `examples/plugin-template/{python,js}/`.
//!
//! The folder holds the source (`app.py` or `plugin.js`), the WIT package this binary speaks
//! in `wit/` (the same files the carried Rust SDK is generated from), a `README.md` with the
//! exact build commands and a `build.sh` that runs them, pinning the toolchain versions whose
//! output the host loads (a newer componentize-py links WASI versions the host refuses). The
//! output is `NAME.wasm` in the folder.
//!
//! Placeholders, besides the Rust templates' `{{name}}`: `{{world}}` (the WIT world),
//! `{{wasm}}` (the output file), `{{try}}` and `{{load}}` (README lines to try the plugin with
//! `warren plugin test` and to declare it in `warren.toml`, which differ by kind).

use std::path::Path;

use anyhow::Context;

use super::Lang;

/// One file to write: (path in the folder, template, executable).
type File = (&'static str, &'static str, bool);

/// The files of a `kind` plugin in `lang` (Python or JavaScript), or `None` for an unknown kind.
fn files(lang: Lang, kind: &str) -> Option<Vec<File>> {
    macro_rules! source {
        ($lang:literal, $file:literal) => {
            match kind {
                "filter" => include_str!(concat!(
                    "../../../../examples/plugin-template/",
                    $lang,
                    "/filter/",
                    $file
                )),
                "evaluator" => include_str!(concat!(
                    "../../../../examples/plugin-template/",
                    $lang,
                    "/evaluator/",
                    $file
                )),
                "notifier" => include_str!(concat!(
                    "../../../../examples/plugin-template/",
                    $lang,
                    "/notifier/",
                    $file
                )),
                _ => return None,
            }
        };
    }
    macro_rules! shared {
        ($lang:literal, $file:literal) => {
            include_str!(concat!(
                "../../../../examples/plugin-template/",
                $lang,
                "/",
                $file
            ))
        };
    }
    Some(match lang {
        Lang::Python => vec![
            ("app.py", source!("python", "app.py.tmpl"), false),
            ("README.md", shared!("python", "README.md.tmpl"), false),
            ("build.sh", shared!("python", "build.sh.tmpl"), true),
        ],
        Lang::Js => vec![
            ("plugin.js", source!("js", "plugin.js.tmpl"), false),
            ("package.json", shared!("js", "package.json.tmpl"), false),
            ("README.md", shared!("js", "README.md.tmpl"), false),
            ("build.sh", shared!("js", "build.sh.tmpl"), true),
        ],
        Lang::Rust => return None,
    })
}

/// The WIT world a kind's plugin targets.
pub fn world(kind: &str) -> &str {
    if kind == "filter" {
        "group-filter"
    } else {
        kind
    }
}

/// (`{{try}}`, `{{load}}`): how the README says to try the plugin and declare it.
fn usage(kind: &str, wasm: &str, name: &str) -> (String, String) {
    let (config, toml) = match kind {
        "filter" => (
            r#"{"skip-prefixes": ["console-consumer-"]}"#,
            r#"{ skip-prefixes = ["console-consumer-"] }"#,
        ),
        "evaluator" => (r#"{"max-lag": 100}"#, "{ max-lag = 10000 }"),
        _ => (
            r#"{"url": "https://hooks.example.com/${secret:TOKEN}"}"#,
            r#"{ url = "https://hooks.example.com/${secret:TOKEN}" }"#,
        ),
    };
    let kind_key = world(kind);
    if kind == "notifier" {
        (
            format!(
                "    warren plugin test {wasm} --config '{config}' \\\n        \
                 --secrets TOKEN=abc --allow hooks.example.com   # shows the request, sends nothing"
            ),
            format!(
                "    [plugin.{name}]\n    kind = \"notifier\"\n    path = \"{wasm}\"\n    \
                 secrets = {{ TOKEN = \"env:WEBHOOK_TOKEN\" }}\n    \
                 allowed-outbound-hosts = [\"hooks.example.com\"]\n    config = {toml}"
            ),
        )
    } else {
        (
            format!(
                "    warren plugin test {wasm} --input window.json --config '{config}'   \
                 # window.json: the `warren evaluate` input format"
            ),
            format!(
                "    [plugin.{name}]\n    kind = \"{kind_key}\"\n    path = \"{wasm}\"\n    \
                 config = {toml}"
            ),
        )
    }
}

/// Writes the `lang` folder of a `kind` plugin called `name` into `dir` (already claimed by
/// the caller, empty). Returns the output file's name.
pub fn write(lang: Lang, kind: &str, name: &str, dir: &Path) -> anyhow::Result<String> {
    let files = files(lang, kind).context("no templates for this language and kind")?;
    let wasm = format!("{name}.wasm");
    let (try_it, load) = usage(kind, &wasm, name);
    let vars = [
        ("name", name.to_string()),
        ("world", world(kind).to_string()),
        ("wasm", wasm.clone()),
        ("try", try_it),
        ("load", load),
    ];
    for (path, template, executable) in files {
        let file = dir.join(path);
        std::fs::write(&file, super::render(template, &vars))
            .with_context(|| format!("writing {}", file.display()))?;
        if executable {
            make_executable(&file)?;
        }
    }
    crate::bundled_sdk::write_wit(&dir.join("wit"))?;
    Ok(wasm)
}

#[cfg(unix)]
fn make_executable(file: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("making {} executable", file.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_of_every_template_is_rendered() {
        for lang in [Lang::Python, Lang::Js] {
            for kind in super::super::KINDS {
                let dir = tempfile::tempdir().unwrap();
                write(lang, kind, "my-plugin", dir.path()).unwrap();
                for entry in std::fs::read_dir(dir.path()).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_file() {
                        let text = std::fs::read_to_string(&path).unwrap();
                        // `{{` alone is Python's escaped brace; `{{word}}` is a placeholder.
                        let open = text.match_indices("{{").any(|(i, _)| {
                            let rest = &text[i + 2..];
                            let word = rest.trim_start_matches(|c: char| c.is_ascii_lowercase());
                            word.len() < rest.len() && word.starts_with("}}")
                        });
                        assert!(!open, "{lang:?} {kind} {path:?}: {text}");
                    }
                }
                assert!(dir.path().join("wit/worlds.wit").exists());
            }
        }
    }
}

//! `scaffold()` writes crates that build: each plugin kind is scaffolded into a temporary
//! directory outside the repository, with the SDK the binary carries written beside it, and
//! compiled for wasm32-wasip2 with plain cargo, as a plugin author would. The builds share
//! `plugins/target/scaffold`, so the SDK and its dependencies compile once.
//!
//! The Python and JavaScript folders are built the same way, by their own `build.sh`, with the
//! toolchains `scripts/build-polyglot-plugins` installs (`.venv-plugins`, `plugins/js`), or the
//! ones `COMPONENTIZE_PY` / `COMPONENTIZE_JS` name; then `warren plugin inspect` and `warren
//! plugin test` load and run each component.

use std::path::{Path, PathBuf};
use std::process::Command;

use warren_daemon::scaffold::{KINDS, Lang, Sdk, scaffold, scaffold_polyglot, world};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sdk() -> PathBuf {
    repo().join("plugins/sdk")
}

/// Every kind builds into a component (the binary's first 8 bytes: `\0asm`, then the
/// component-model version and layer, `0d 00 01 00`).
#[test]
fn every_kind_builds_into_a_component() {
    let out = tempfile::tempdir().unwrap();
    let target_dir = repo().join("plugins/target/scaffold");
    for kind in KINDS {
        let name = format!("my-{kind}");
        let dir = scaffold(kind, &name, out.path(), Sdk::Bundled).unwrap();
        // Nothing points back into the checkout this test runs from.
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("path = \"warren-sdk/plugins/sdk\""),
            "{manifest}"
        );
        assert_eq!(dir, out.path().join(&name));
        // Pin the versions the plugins workspace already compiled, so no resolution (and no
        // network) is needed and the shared target directory is reused.
        std::fs::copy(repo().join("plugins/Cargo.lock"), dir.join("Cargo.lock")).unwrap();
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip2",
                "--offline",
            ])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target_dir)
            .status()
            .unwrap();
        assert!(status.success(), "{kind}: cargo build failed");
        let wasm = target_dir.join(format!("wasm32-wasip2/release/my_{kind}.wasm"));
        let bytes = std::fs::read(&wasm).unwrap_or_else(|e| panic!("{wasm:?}: {e}"));
        assert_eq!(
            &bytes[..8],
            b"\0asm\x0d\x00\x01\x00",
            "{kind}: not a component"
        );
        // And the daemon's runtime recognises the world and reads its metadata.
        let inspect = Command::new(env!("CARGO_BIN_EXE_warren"))
            .args(["plugin", "inspect"])
            .arg(&wasm)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&inspect.stdout);
        assert!(inspect.status.success(), "{kind}: {stdout}");
        let world = if kind == "filter" {
            "group-filter"
        } else {
            kind
        };
        assert!(
            stdout.contains(&format!("\"world\": \"{world}\"")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("\"name\": \"{name}\"")),
            "{stdout}"
        );
    }
}

#[test]
fn an_existing_directory_is_never_overwritten() {
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir(out.path().join("taken")).unwrap();
    std::fs::write(out.path().join("taken/keep.txt"), "mine").unwrap();
    let err = scaffold("filter", "taken", out.path(), Sdk::Bundled).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_dir(out.path().join("taken")).unwrap().count(),
        1
    );
}

#[test]
fn bad_names_kinds_and_sdk_paths_are_refused_before_writing() {
    let out = tempfile::tempdir().unwrap();
    for (kind, name, sdk, expected) in [
        ("filter", "Bad_Name", sdk(), "invalid plugin name"),
        ("exporter", "ok", sdk(), "unknown plugin kind"),
        (
            "filter",
            "ok",
            repo().join("plugins"),
            "not the warren-plugin-sdk",
        ),
    ] {
        let err = scaffold(kind, name, out.path(), Sdk::Checkout(&sdk)).unwrap_err();
        assert!(format!("{err:#}").contains(expected), "{err:#}");
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

/// The componentize tool for `lang`: `$COMPONENTIZE_PY` / `$COMPONENTIZE_JS`, else the one
/// `scripts/build-polyglot-plugins` installs. Fails, saying how to get it, when it is missing.
fn componentize(lang: Lang) -> (&'static str, PathBuf) {
    let (var, installed) = match lang {
        Lang::Python => ("COMPONENTIZE_PY", ".venv-plugins/bin/componentize-py"),
        Lang::Js => (
            "COMPONENTIZE_JS",
            "plugins/js/node_modules/.bin/componentize-js",
        ),
        Lang::Rust => unreachable!("Rust plugins are built by cargo"),
    };
    let tool = std::env::var_os(var).map_or_else(|| repo().join(installed), PathBuf::from);
    assert!(
        tool.exists(),
        "{} is missing: run scripts/build-polyglot-plugins (it installs componentize-py 0.25.1 \
         into .venv-plugins and componentize-js 0.23.0 into plugins/js/node_modules), or set {var}",
        tool.display()
    );
    (var, tool)
}

/// `warren plugin ARGS... --plugin-cache-dir CACHE`: (success, stdout, stderr). The cache
/// makes each component compile once, not once per command.
fn warren(cache: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren"))
        .arg("plugin")
        .args(args)
        .arg("--plugin-cache-dir")
        .arg(cache)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Scaffolds, builds, inspects and runs a plugin of every kind in `lang`, each in a temporary
/// folder outside the repository. The plugins are run on `examples/evaluate/warn.json` (group
/// `reporting`, partition lags 250 and 0) or, for notifiers, on the sample opened incident.
fn every_kind_builds_loads_and_runs(lang: Lang) {
    let (var, tool) = componentize(lang);
    let warn = repo().join("examples/evaluate/warn.json");
    let warn = warn.to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let warren = |args: &[&str]| warren(cache.path(), args);
    for kind in KINDS {
        let name = format!("my-{kind}");
        let (dir, wasm) = scaffold_polyglot(lang, kind, &name, out.path()).unwrap();
        assert!(dir.join("wit/worlds.wit").exists() && dir.join("README.md").exists());
        let build = Command::new(dir.join("build.sh"))
            .env(var, &tool)
            .output()
            .unwrap();
        assert!(
            build.status.success(),
            "{lang:?} {kind}: build.sh failed\n{}{}",
            String::from_utf8_lossy(&build.stdout),
            String::from_utf8_lossy(&build.stderr)
        );
        let wasm = dir.join(wasm);
        let wasm = wasm.to_str().unwrap();

        let (ok, stdout, stderr) = warren(&["inspect", wasm]);
        assert!(ok, "{lang:?} {kind}: {stdout}{stderr}");
        let world = world(kind);
        assert!(
            stdout.contains(&format!("\"world\": \"{world}\"")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("\"name\": \"{name}\"")),
            "{stdout}"
        );

        let (ok, stdout, stderr) = match kind {
            // The config decides: `reporting` starts with `rep`, so it is left out.
            "filter" => warren(&[
                "test",
                wasm,
                "--input",
                warn,
                "--config",
                r#"{"skip-prefixes": ["rep"]}"#,
            ]),
            // Partition 0 (lag 250) reaches 100, partition 1 (lag 0) does not.
            "evaluator" => warren(&[
                "test",
                wasm,
                "--input",
                warn,
                "--config",
                r#"{"max-lag": 100}"#,
            ]),
            _ => warren(&[
                "test",
                wasm,
                "--event",
                "opened",
                "--config",
                r#"{"url": "https://hooks.example.com/${secret:TOKEN}", "headers": {"x-team": "data"}}"#,
                "--secrets",
                "TOKEN=abc",
                "--allow",
                "hooks.example.com",
            ]),
        };
        assert!(ok, "{lang:?} {kind}: {stdout}{stderr}");
        let expected: &[&str] = match kind {
            "filter" => &[r#""monitored": false"#],
            "evaluator" => &[
                r#""status": "WARN""#,
                r#""totallag": 250"#,
                r#""partition_count": 2"#,
            ],
            _ => &[
                "1. POST https://hooks.example.com/${secret:TOKEN}\n   allowed",
                "x-team: data",
                r#""kind": "opened""#,
                "the plugin reports: delivered",
            ],
        };
        for e in expected {
            assert!(stdout.contains(e), "{lang:?} {kind}: no {e:?} in\n{stdout}");
        }

        // And a bad config is refused with every problem, each naming its key.
        let (ok, stdout, stderr) =
            warren(&["test", wasm, "--input", warn, "--config", r#"{"bogus": 1}"#]);
        assert!(!ok, "{lang:?} {kind}: {stdout}");
        assert!(
            stderr.contains("bogus: unknown key"),
            "{lang:?} {kind}: {stderr}"
        );
    }
}

#[test]
fn python_plugins_of_every_kind_build_load_and_run() {
    every_kind_builds_loads_and_runs(Lang::Python);
}

#[test]
fn javascript_plugins_of_every_kind_build_load_and_run() {
    every_kind_builds_loads_and_runs(Lang::Js);
}

#[test]
fn a_polyglot_folder_is_refused_for_a_bad_kind_name_or_existing_folder() {
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir(out.path().join("taken")).unwrap();
    for (kind, name, expected) in [
        ("exporter", "ok", "unknown plugin kind"),
        ("filter", "Bad_Name", "invalid plugin name"),
        ("filter", "taken", "already exists"),
    ] {
        let err = scaffold_polyglot(Lang::Python, kind, name, out.path()).unwrap_err();
        assert!(format!("{err:#}").contains(expected), "{err:#}");
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
}

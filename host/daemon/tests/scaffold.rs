//! `scaffold()` writes crates that build: each plugin kind is scaffolded into a temporary
//! directory outside the repository, with the SDK the binary carries written beside it, and
//! compiled for wasm32-wasip2 with plain cargo, as a plugin author would. The builds share
//! `plugins/target/scaffold`, so the SDK and its dependencies compile once.

use std::path::{Path, PathBuf};
use std::process::Command;

use warren_daemon::scaffold::{KINDS, Sdk, scaffold};

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

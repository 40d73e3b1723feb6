//! Embeds the plugin SDK's sources (`plugins/sdk` with its world crates, the WIT package and
//! the `common` crate they share with the host) so that `warren plugin new` can write them
//! beside a new plugin: a released binary then scaffolds plugins that build anywhere, with
//! exactly the SDK and interface version this binary speaks (see `src/bundled_sdk.rs`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What is embedded, relative to the repository root: whole trees, then single files.
const TREES: [&str; 4] = ["plugins/sdk/src", "plugins/sdk/worlds", "wit", "common/src"];
const FILES: [&str; 3] = [
    "plugins/sdk/Cargo.toml",
    "plugins/Cargo.toml",
    "common/Cargo.toml",
];

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("../..");
    let mut files: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    for tree in TREES {
        // A directory here makes cargo rerun this script when anything under it changes.
        println!("cargo:rerun-if-changed={}", root.join(tree).display());
        walk(&root, &root.join(tree), &mut files);
    }
    for file in FILES {
        println!("cargo:rerun-if-changed={}", root.join(file).display());
    }
    files.sort();
    let mut out =
        String::from("/// (path from the repository root, contents) of every SDK file.\n");
    out.push_str("pub(crate) const SDK_FILES: &[(&str, &[u8])] = &[\n");
    for file in &files {
        let absolute = root.join(file).canonicalize().expect("an SDK file");
        writeln!(out, "    ({file:?}, include_bytes!({absolute:?})),").expect("a String");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dest.join("sdk_files.rs"), out).expect("writing sdk_files.rs");
}

/// Every file under `dir`, as a path from `root` with `/` separators.
fn walk(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, &path, files);
        } else {
            let rel = path.strip_prefix(root).expect("under the root");
            let parts: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            files.push(parts.join("/"));
        }
    }
}

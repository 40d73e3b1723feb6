//! `warren check-config` as an operator runs it: the shipped configs pass, a broken file lists
//! every problem with its key path and exits 2, and `run` refuses the same file.

use std::path::Path;
use std::process::Command;

fn warren(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warren"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run warren");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn shipped_configs_pass_check_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = vec![root.join("config/warren.toml")];
    for entry in std::fs::read_dir(root.join("examples/configs")).expect("examples/configs") {
        files.push(entry.expect("entry").path());
    }
    for f in files {
        let (code, stdout, stderr) = warren(&["check-config", f.to_str().unwrap()]);
        assert_eq!(code, 0, "{f:?}\n{stdout}\n{stderr}");
        assert!(stdout.contains(": OK"), "{stdout}");
    }
}

#[test]
fn broken_config_lists_every_problem_and_run_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "[cluster.a]\nservers = []\noffset-refresh = \"soon\"\n[consumer.c]\nclass-name = \"kafka\"\ncluster = \"b\"\ngroup-allowlist = \"(\"\n[httpserver.h]\naddress = \"nowhere\"\n",
    )
    .unwrap();
    let (code, _, stderr) = warren(&["check-config", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    for path in [
        "cluster.a.servers",
        "cluster.a.offset-refresh",
        "consumer.c.cluster",
        "consumer.c.group-allowlist",
        "httpserver.h.address",
    ] {
        assert!(stderr.contains(path), "missing {path} in:\n{stderr}");
    }
    let (code, _, stderr) = warren(&["run", "--config", file.to_str().unwrap()]);
    assert_eq!(code, 2, "run must refuse a broken config: {stderr}");
}

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

/// Burrow's sample configs, as `examples/burrow/` holds them.
fn burrow_example(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/burrow")
        .join(name)
}

#[test]
fn burrows_sample_configs_pass_and_say_what_each_notifier_became() {
    let cases: [(&str, &[&str]); 3] = [
        ("burrow.toml", &["notifier.default"]),
        ("docker-compose.toml", &[]),
        (
            "every-notifier.toml",
            &["notifier.mail", "notifier.slack", "notifier.tests"],
        ),
    ];
    for (file, translated) in cases {
        let path = burrow_example(file);
        let (code, stdout, stderr) = warren(&["check-config", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{file}\n{stdout}\n{stderr}");
        assert!(stdout.contains(": OK"), "{stdout}");
        assert_eq!(
            stdout.matches("translated: ").count(),
            translated.len(),
            "{file}\n{stdout}"
        );
        for section in translated {
            assert!(
                stdout.contains(&format!("translated: {section}")),
                "{section} in {file}:\n{stdout}"
            );
        }
        // The Burrow file's password is read, never printed: the Warren form names a variable.
        assert!(
            !format!("{stdout}{stderr}").contains("mail-password-in-burrow-toml"),
            "{stdout}\n{stderr}"
        );
    }
    let (_, stdout, _) = warren(&[
        "check-config",
        burrow_example("every-notifier.toml").to_str().unwrap(),
    ]);
    assert!(
        stdout.contains("password = \"env:WARREN_NOTIFIER_MAIL_SMTP_PASSWORD\""),
        "{stdout}"
    );
    assert!(stdout.contains("path = \"builtin:webhook\""), "{stdout}");
}

/// `warren run --config FILE` from an empty working directory, its listener moved by the
/// environment off the shared port 8000; the answer of `GET /v3/config/notifier` once it
/// serves, and whether Burrow's relative pidfile was written there.
fn run_and_list_notifiers(file: &str) -> (String, bool) {
    use std::io::{Read, Write};
    let port = warren_testkit::free_port();
    let cwd = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_warren"))
        .args(["run", "--config"])
        .arg(burrow_example(file))
        .env(
            "WARREN_HTTPSERVER_DEFAULT_ADDRESS",
            format!("127.0.0.1:{port}"),
        )
        .current_dir(cwd.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("warren run");
    let get = |path: &str| -> Option<String> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
        let mut answer = String::new();
        s.read_to_string(&mut answer).ok()?;
        Some(answer)
    };
    // Generous: before it listens, this debug build compiles both notifier plugins, which on
    // a loaded machine (the suite runs its fault tests beside) took more than 30 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let answer = loop {
        if let Some(a) = get("/v3/config/notifier") {
            break a;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "warren run {file} never answered"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let pid_written = cwd.path().join("burrow.pid").is_file();
    let _ = child.kill();
    let _ = child.wait();
    (answer, pid_written)
}

#[test]
fn warren_runs_burrows_sample_configs_with_their_notifiers() {
    let (answer, pid_written) = run_and_list_notifiers("burrow.toml");
    assert!(answer.contains("\"default\""), "{answer}");
    assert!(pid_written, "the sample's pidfile was not written");
    let (answer, _) = run_and_list_notifiers("docker-compose.toml");
    assert!(answer.contains(" 200 OK"), "{answer}");
    let (answer, _) = run_and_list_notifiers("every-notifier.toml");
    for name in ["\"mail\"", "\"slack\""] {
        assert!(answer.contains(name), "{name} in {answer}");
    }
}

#[test]
fn a_broken_burrow_template_fails_check_config_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("post.tmpl"),
        "{\"group\": \"{{.Group}}\",\n \"parts\": [{{range .Result.Partitions}}\"{{.Topic}}\"]}\n",
    )
    .unwrap();
    let file = dir.path().join("burrow.toml");
    std::fs::write(
        &file,
        "[notifier.events]\nclass-name = \"http\"\nurl-open = \"http://alerts.internal/event\"\n\
         template-open = \"post.tmpl\"\n",
    )
    .unwrap();
    let (code, stdout, stderr) = warren(&["check-config", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("template-open") && stderr.contains("line 2"),
        "{stderr}"
    );
}

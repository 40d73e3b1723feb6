//! The process as a service manager and a Burrow operator drive it, on the real binary: the
//! pidfile written, refused while alive and removed at exit; log lines in `[logging] filename`
//! and the file reopened on SIGUSR1 after logrotate moved it; Burrow's `--config-dir`
//! command line; keys set from the environment.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A config with no cluster (nothing to reach) that logs to `log` and writes `pid`.
fn config(dir: &Path, log: &Path, pid: &Path) -> PathBuf {
    let file = dir.join("burrow.toml");
    std::fs::write(
        &file,
        format!(
            "[general]\npidfile = {pid:?}\n[logging]\nfilename = {log:?}\nlevel = \"info\"\n\
             maxsize = 100\nmaxbackups = 10\n[httpserver.default]\naddress = \"127.0.0.1:0\"\n"
        ),
    )
    .unwrap();
    file
}

fn start(args: &[&str], env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_warren"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start warren")
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

fn stop(mut child: Child) -> std::process::ExitStatus {
    signal(&child, "TERM");
    child.wait().expect("wait")
}

#[test]
fn the_pidfile_is_written_refuses_a_second_daemon_and_is_removed_at_exit() {
    let dir = tempfile::tempdir().unwrap();
    let (log, pid) = (dir.path().join("warren.log"), dir.path().join("warren.pid"));
    let file = config(dir.path(), &log, &pid);
    let first = start(&["run", "--config", file.to_str().unwrap()], &[]);
    wait_for("the first daemon to start", || {
        read(&log).contains("warren started")
    });
    assert_eq!(read(&pid).trim(), first.id().to_string());

    let second = start(&["run", "--config", file.to_str().unwrap()], &[]);
    let out = second.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a second daemon started: {stderr}");
    assert!(read(&log).contains("which is running"), "{}", read(&log));
    assert_eq!(
        read(&pid).trim(),
        first.id().to_string(),
        "the pidfile was overwritten"
    );

    assert!(stop(first).success());
    assert!(!pid.exists(), "the pidfile outlived the daemon");
}

#[test]
fn a_pidfile_left_by_a_dead_process_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (log, pid) = (dir.path().join("warren.log"), dir.path().join("warren.pid"));
    let file = config(dir.path(), &log, &pid);
    // Past Linux's largest pid: no process can have it.
    std::fs::write(&pid, "4194305\n").unwrap();
    let daemon = start(&["run", "--config", file.to_str().unwrap()], &[]);
    wait_for("the daemon to start", || {
        read(&log).contains("warren started")
    });
    assert_eq!(read(&pid).trim(), daemon.id().to_string());
    assert!(stop(daemon).success());
}

#[test]
fn log_lines_go_to_the_file_which_is_reopened_on_sigusr1_after_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let (log, pid) = (dir.path().join("warren.log"), dir.path().join("warren.pid"));
    let file = config(dir.path(), &log, &pid);
    let daemon = start(&["run", "--config", file.to_str().unwrap()], &[]);
    wait_for("the daemon to start", || {
        read(&log).contains("warren started")
    });
    // The rotation keys are accepted, with the advice to use logrotate.
    assert!(
        read(&log).contains("rotate it with logrotate"),
        "{}",
        read(&log)
    );

    let rotated = dir.path().join("warren.log.1");
    std::fs::rename(&log, &rotated).unwrap();
    signal(&daemon, "USR1");
    wait_for("the log file to be reopened", || {
        read(&log).contains("log file reopened")
    });
    assert!(!read(&rotated).contains("log file reopened"));

    assert!(stop(daemon).success());
    assert!(read(&log).contains("stopped"), "{}", read(&log));
}

#[test]
fn burrows_config_dir_command_line_runs_dir_burrow_toml_with_environment_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let (log, pid) = (dir.path().join("warren.log"), dir.path().join("warren.pid"));
    config(dir.path(), &log, &pid);
    let other_log = dir.path().join("from-env.log");
    let daemon = start(
        &["--config-dir", dir.path().to_str().unwrap()],
        &[("BURROW_LOGGING_FILENAME", other_log.to_str().unwrap())],
    );
    wait_for("the daemon to start", || {
        read(&other_log).contains("warren started")
    });
    assert!(
        read(&other_log).contains("logging.filename"),
        "the override is not reported: {}",
        read(&other_log)
    );
    assert!(!log.exists(), "the file's own log file was used");
    assert!(stop(daemon).success());
}

#[test]
fn config_dir_without_burrow_toml_names_the_file_it_wanted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("burrow.yaml"), "general: {}\n").unwrap();
    let out = start(&["run", "--config-dir", dir.path().to_str().unwrap()], &[])
        .wait_with_output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("reads TOML only"), "{stderr}");
    assert!(stderr.contains("burrow.toml"), "{stderr}");
}

#[test]
fn a_plugin_reload_keeps_the_keys_the_environment_set() {
    use std::io::{Read, Write};
    let port = warren_testkit::free_port();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warren.toml");
    std::fs::write(
        &file,
        format!(
            "[httpserver.default]\naddress = \"127.0.0.1:{port}\"\n[plugin.hook]\nkind = \
             \"notifier\"\npath = \"builtin:webhook\"\nallowed-outbound-hosts = [\"127.0.0.1\"]\n\
             allow-private-addresses = true\nconfig = {{ url = \"http://127.0.0.1:9/from-file\" }}\n"
        ),
    )
    .unwrap();
    let daemon = start(
        &["run", "--config", file.to_str().unwrap()],
        &[(
            "WARREN_PLUGIN_HOOK_CONFIG_URL",
            "http://127.0.0.1:9/from-env",
        )],
    );
    let reload = || -> Option<String> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        write!(
            s,
            "POST /v3/admin/plugins/reload HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
        )
        .ok()?;
        let mut answer = String::new();
        s.read_to_string(&mut answer).ok()?;
        Some(answer)
    };
    let mut answer = None;
    wait_for("the daemon to answer a reload", || {
        answer = reload();
        answer.is_some()
    });
    let answer = answer.unwrap_or_default();
    assert!(stop(daemon).success());
    // Read without the override, the file's url differs and the plugin would be reloaded.
    assert!(answer.contains("\"hook\":\"unchanged\""), "{answer}");
}

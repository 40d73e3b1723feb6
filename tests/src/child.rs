//! The daemon as a child process, for the tests that kill it (SIGKILL), pause it (SIGSTOP)
//! or stop it the way a service manager does (SIGTERM). The child is the test binary itself,
//! re-run on its ignored `daemon_child` test (which calls [`run_child`]) with the config path
//! in `WARREN_CHILD_CONFIG`: the real daemon wiring, in a process of its own.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::wait_until;

/// Runs the daemon on `WARREN_CHILD_CONFIG` until SIGTERM (or SIGKILL); does nothing without
/// it. Call it from an `#[ignore]`d test named `daemon_child`.
pub fn run_child() {
    let Some(path) = std::env::var_os("WARREN_CHILD_CONFIG") else {
        return;
    };
    let path = std::path::PathBuf::from(path);
    let text = std::fs::read_to_string(&path).expect("config");
    let loaded = warren_core::config::load(&text, &|v| std::env::var(v).ok()).expect("config");
    warren_daemon::telemetry::init(&loaded.config.logging).expect("logging");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(warren_daemon::app::serve_with(
        loaded.config,
        Some(path),
        warren_daemon::app::shutdown_signal(),
    ))
    .expect("daemon");
}

/// A daemon child process, SIGKILLed on drop.
pub struct ChildDaemon {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl ChildDaemon {
    /// Starts the daemon on `config` (whose `[httpserver]` listens on `port`), logging to
    /// `log`, and waits until it answers.
    pub async fn start(config: &Path, port: u16, log: &Path) -> ChildDaemon {
        let log = std::fs::File::create(log).expect("log file");
        let child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--ignored", "--exact", "daemon_child", "--nocapture"])
            .env("WARREN_CHILD_CONFIG", config)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn the daemon");
        let d = ChildDaemon {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        wait_until(Duration::from_secs(30), "HTTP listener up", || async {
            reqwest::get(format!("{}/burrow/admin", d.base))
                .await
                .is_ok()
        })
        .await;
        d
    }

    /// GET a path: (status, JSON body or `Value::String`); status 0 when nothing answered.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        match client.get(format!("{}{path}", self.base)).send().await {
            Ok(r) => {
                let code = r.status().as_u16();
                let text = r.text().await.unwrap_or_default();
                (
                    code,
                    serde_json::from_str(&text).unwrap_or(Value::String(text)),
                )
            }
            Err(e) => (0, Value::String(e.to_string())),
        }
    }

    /// Sends `signal` (`libc::SIGSTOP`, `SIGCONT`, `SIGHUP`, `SIGTERM`).
    pub fn signal(&self, signal: i32) {
        let pid = self.child.id() as i32;
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        let rc = unsafe { libc::kill(pid, signal) };
        assert_eq!(rc, 0, "kill({pid}, {signal})");
    }

    /// SIGKILL: no shutdown, no goodbye.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the clean exit.
    pub async fn terminate(mut self) {
        self.signal(libc::SIGTERM);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "the daemon exited with {status}");
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no clean exit within 30 s of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for ChildDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

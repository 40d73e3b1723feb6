//! A real SMTP server for the email notifier's tests: aiosmtpd from PyPI, which `scripts/test`
//! installs and names in `WARREN_AIOSMTPD`, writing what it receives to a Maildir.

use std::time::{Duration, Instant};

use crate::free_port;

/// aiosmtpd (PyPI, `WARREN_AIOSMTPD`; `scripts/test` installs it) on a free port, storing what
/// it receives in a Maildir; killed on drop.
pub struct Smtp {
    /// Where it listens on 127.0.0.1.
    pub port: u16,
    maildir: tempfile::TempDir,
    child: std::process::Child,
}

impl Smtp {
    /// Starts it; panics when `WARREN_AIOSMTPD` is not set.
    pub fn start() -> Smtp {
        let bin = std::env::var_os("WARREN_AIOSMTPD").expect(
            "WARREN_AIOSMTPD is not set: the email test needs aiosmtpd (run scripts/test, which installs it)",
        );
        let port = free_port();
        let maildir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(bin)
            .args(["-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Smtp {
            port,
            maildir,
            child,
        }
    }

    /// Messages received so far, oldest first, as raw text.
    pub fn messages(&self) -> Vec<String> {
        let dir = self.maildir.path().join("mail/new");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a header (first occurrence, unfolded).
pub fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\n\n").next()?;
    let mut value: Option<String> = None;
    for line in head.lines() {
        if let Some(v) = &mut value {
            if line.starts_with([' ', '\t']) {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_string());
        }
    }
    value
}

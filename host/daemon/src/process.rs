//! What a service manager or an old init script expects of the process, as Burrow did it: the
//! `[general] pidfile` (written at start, removed at exit, and a start refused while the pid in
//! it is alive, so two daemons never share a data-dir), and the log file reopened on SIGUSR1 so
//! logrotate can move it away.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The pid file this process wrote; removed when dropped.
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
}

impl PidFile {
    /// Writes this process's id to `path`, unless the file names another process still alive.
    /// A file left by a process that died (or naming this very process, as after a container
    /// restart where the pid is reused) is replaced.
    pub fn create(path: &Path) -> anyhow::Result<PidFile> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                if let Ok(pid) = text.trim().parse::<u32>()
                    && pid != std::process::id()
                    && alive(pid)
                {
                    bail!(
                        "pidfile {} names process {pid}, which is running: another Warren (or \
                         Burrow) uses this pidfile; stop it, or remove the file if it is not one",
                        path.display()
                    );
                }
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("reading pidfile {}", path.display())),
        }
        std::fs::write(path, format!("{}\n", std::process::id()))
            .with_context(|| format!("writing pidfile {}", path.display()))?;
        Ok(PidFile {
            path: path.to_path_buf(),
        })
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot remove the pidfile");
        }
    }
}

/// Whether a process with this id exists (Linux's process table).
fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Reopens the log file on every SIGUSR1 until the runtime stops.
pub async fn reopen_log_on_usr1() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut usr1) = signal(SignalKind::user_defined1()) else {
            return;
        };
        while usr1.recv().await.is_some() {
            match crate::telemetry::reopen_log_file() {
                Ok(Some(path)) => {
                    tracing::info!(path = %path.display(), "SIGUSR1: log file reopened")
                }
                Ok(None) => tracing::info!("SIGUSR1: logging to stderr, nothing to reopen"),
                Err(e) => eprintln!("warren: SIGUSR1: cannot reopen the log file: {e}"),
            }
        }
    }
}

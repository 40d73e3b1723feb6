//! Logging setup: `RUST_LOG` wins when set; otherwise `[logging] level` for every Warren crate
//! and warnings for libraries (librdkafka's, wasmtime's, axum's, ...). Text or JSON lines on
//! stderr, or appended to `[logging] filename`, which [`reopen_log_file`] reopens after logrotate
//! moved it. The level can be changed at run time (`POST /v3/admin/loglevel`, through
//! [`control`]): the filter sits behind a reload handle.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, Registry, fmt, reload};
use warren_core::config::{LogFormat, LoggingConfig};

/// The tracing targets (crate names) of Warren's own code: `warren` is the binary's `main`,
/// `warren_daemon` its library (the wiring, notifications, plugin reloads).
const WARREN_TARGETS: &[&str] = &[
    "warren",
    "warren_daemon",
    "warren_core",
    "warren_kafka",
    "warren_store",
    "warren_runtime",
    "warren_http",
];

/// The installed subscriber's level control (one subscriber per process).
static CONTROL: OnceLock<Arc<LogControl>> = OnceLock::new();

/// Reads and changes the level of the subscriber [`init`] installed.
struct LogControl {
    handle: reload::Handle<EnvFilter, Registry>,
    level: Mutex<String>,
}

impl warren_http::LogLevelAdmin for LogControl {
    fn level(&self) -> String {
        self.level.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_level(&self, level: &str) -> Result<(), String> {
        // A level set here replaces a `RUST_LOG` filter too: the operator asked for it.
        self.handle
            .reload(EnvFilter::new(filter_for(level)))
            .map_err(|e| format!("cannot change the log level: {e}"))?;
        *self.level.lock().unwrap_or_else(|e| e.into_inner()) = level.to_owned();
        Ok(())
    }
}

/// `level` for Warren's own crates, warnings for the rest.
fn filter_for(level: &str) -> String {
    WARREN_TARGETS.iter().fold("warn".to_owned(), |f, target| {
        format!("{f},{target}={level}")
    })
}

/// The log file lines are written to, when `[logging] filename` is set.
static LOG_FILE: OnceLock<(PathBuf, Arc<Mutex<File>>)> = OnceLock::new();

/// Opens `path` for appending, creating its folder as Burrow's logger did (its sample config
/// names `logs/burrow.log`).
fn open_log(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// Writes lines to the current log file. Each line is formatted whole, then written under the
/// lock in one call, so a reopen never splits one.
#[derive(Clone)]
struct LogFileWriter(Arc<Mutex<File>>);

impl<'a> fmt::MakeWriter<'a> for LogFileWriter {
    type Writer = LockedFile<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LockedFile(self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

struct LockedFile<'a>(std::sync::MutexGuard<'a, File>);

impl std::io::Write for LockedFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Reopens `[logging] filename` (the path, which logrotate has moved the old file away from);
/// `None` when logging goes to stderr.
pub fn reopen_log_file() -> std::io::Result<Option<PathBuf>> {
    let Some((path, file)) = LOG_FILE.get() else {
        return Ok(None);
    };
    let fresh = open_log(path)?;
    *file.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
    Ok(Some(path.clone()))
}

/// Installs the global subscriber (once per process; later calls change nothing). Fails only
/// when `[logging] filename` cannot be opened for appending.
pub fn init(logging: &LoggingConfig) -> anyhow::Result<()> {
    let level = logging.level.as_str();
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter_for(level)));
    let (filter, handle) = reload::Layer::new(filter);
    let lines = match &logging.filename {
        None => match logging.format {
            LogFormat::Text => fmt::layer().with_writer(std::io::stderr).boxed(),
            LogFormat::Json => fmt::layer().json().with_writer(std::io::stderr).boxed(),
        },
        Some(path) => {
            let file = open_log(path).map_err(|e| {
                anyhow::anyhow!("logging.filename: cannot open {}: {e}", path.display())
            })?;
            let (_, file) = LOG_FILE.get_or_init(|| (path.clone(), Arc::new(Mutex::new(file))));
            let writer = LogFileWriter(file.clone());
            match logging.format {
                LogFormat::Text => fmt::layer().with_ansi(false).with_writer(writer).boxed(),
                LogFormat::Json => fmt::layer().json().with_writer(writer).boxed(),
            }
        }
    };
    if tracing_subscriber::registry()
        .with(filter)
        .with(lines)
        .try_init()
        .is_ok()
    {
        let _ = CONTROL.set(Arc::new(LogControl {
            handle,
            level: Mutex::new(level.to_owned()),
        }));
    }
    Ok(())
}

/// The level control of the subscriber [`init`] installed, if it did.
pub fn control() -> Option<Arc<dyn warren_http::LogLevelAdmin>> {
    CONTROL
        .get()
        .map(|c| c.clone() as Arc<dyn warren_http::LogLevelAdmin>)
}

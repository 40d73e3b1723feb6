//! One wasmtime engine for the process: component model on, epoch interruption driven by a
//! 10 ms ticker thread (every call gets a deadline in ticks) that ticks only while some call
//! runs guest code, so an instance whose plugins sit idle wakes for nothing; a bounded guest
//! stack; and compilation that goes through an on-disk cache of compiled artifacts keyed by
//! the component's SHA-256 and the engine's compatibility hash.
//!
//! A cached artifact is native code the daemon will run, so the cache is guarded:
//! - the directory must belong to the daemon's user (or root) and must not be writable by its
//!   group or by others: refused at start otherwise, and not used if that changes later. This
//!   is what keeps other local users from planting code;
//! - an entry is written to a fresh temporary file (`O_EXCL`, `O_NOFOLLOW`, mode 0600) and
//!   renamed into place, so a planted file or symbolic link is never written through;
//! - an entry carries the SHA-256 of the component it was compiled from and the SHA-256 of the
//!   artifact; both are checked on the bytes read into memory, and those same bytes (not the
//!   file, which could change after the check) are what is loaded. An entry that is not a
//!   private regular file of the daemon's user, was truncated or damaged, or belongs to
//!   another component (renamed or copied over) is recompiled, with a warning. These digests
//!   are not a secret key: they catch damage and mix-ups, not a forger who can write the
//!   directory; the directory's permissions are what stop forgers.

use std::fs::{DirBuilder, File, OpenOptions};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

use crate::error::PluginError;

/// Length of one epoch tick; deadlines are whole ticks.
pub const TICK: Duration = Duration::from_millis(10);

struct Ticker {
    stop: Arc<AtomicBool>,
    activity: Arc<Activity>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.activity.woken.notify_all();
    }
}

/// How many calls are running guest code; the ticker waits on `woken` while there are none.
#[derive(Default)]
struct Activity {
    calls: Mutex<usize>,
    woken: Condvar,
    /// Ticks so far, for the tests.
    ticks: AtomicU64,
}

/// Held while a call runs guest code: the engine's ticker ticks until the last one is dropped.
pub(crate) struct Running(Arc<Activity>);

impl Drop for Running {
    fn drop(&mut self) {
        *self.0.calls.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
    }
}

/// The process's plugin engine; cheap to clone.
#[derive(Clone)]
pub struct PluginEngine {
    engine: Engine,
    cache_dir: Option<PathBuf>,
    ticker: Arc<Ticker>,
}

impl PluginEngine {
    /// Creates the engine and starts its ticker. `cache_dir` holds compiled artifacts (created
    /// private if missing); `None` compiles every time. A cache directory that its group or
    /// others may write, or that belongs to another user, is refused.
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Self, PluginError> {
        if let Some(dir) = &cache_dir {
            prepare_cache_dir(dir).map_err(|reason| PluginError::Load {
                plugin: "<plugin-cache-dir>".into(),
                reason,
            })?;
        }
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .max_wasm_stack(512 * 1024);
        let engine = Engine::new(&config).map_err(|e| load_error("<engine>", e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let activity = Arc::new(Activity::default());
        let (ticking, flag, active) = (engine.clone(), stop.clone(), activity.clone());
        std::thread::Builder::new()
            .name("warren-plugin-epoch".into())
            .spawn(move || {
                loop {
                    {
                        let mut calls = active.calls.lock().unwrap_or_else(|e| e.into_inner());
                        while *calls == 0 && !flag.load(Ordering::Relaxed) {
                            calls = active.woken.wait(calls).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    if flag.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(TICK);
                    ticking.increment_epoch();
                    active.ticks.fetch_add(1, Ordering::Relaxed);
                }
            })
            .map_err(|e| load_error("<engine>", e))?;
        Ok(PluginEngine {
            engine,
            cache_dir,
            ticker: Arc::new(Ticker { stop, activity }),
        })
    }

    /// Marks a call as running guest code until the guard is dropped: epoch deadlines (and a
    /// notifier's yields) only advance while one is held.
    pub(crate) fn running(&self) -> Running {
        let activity = &self.ticker.activity;
        let mut calls = activity.calls.lock().unwrap_or_else(|e| e.into_inner());
        *calls += 1;
        if *calls == 1 {
            activity.woken.notify_all();
        }
        Running(activity.clone())
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Compiles a component, checking `sha256` (hex) when given; reuses the cached artifact.
    pub fn compile(
        &self,
        plugin: &str,
        wasm: &[u8],
        sha256: Option<&str>,
    ) -> Result<Component, PluginError> {
        let component_sha = Sha256::digest(wasm);
        let digest = hex(&component_sha);
        if let Some(expected) = sha256
            && !expected.eq_ignore_ascii_case(&digest)
        {
            return Err(PluginError::Load {
                plugin: plugin.into(),
                reason: format!("sha256 is {digest}, the configuration expects {expected}"),
            });
        }
        let Some(dir) = &self.cache_dir else {
            return Component::new(&self.engine, wasm).map_err(|e| load_error(plugin, e));
        };
        if let Err(reason) = check_cache_dir(dir) {
            tracing::warn!(plugin, "compiled-plugin cache not used: {reason}");
            return Component::new(&self.engine, wasm).map_err(|e| load_error(plugin, e));
        }
        let path = dir.join(format!("{digest}-{:016x}.cwasm", self.compat_hash()));
        match read_entry(&path, &component_sha) {
            Ok(None) => {}
            Ok(Some(artifact)) => {
                // SAFETY: these bytes were checked against the digests this engine wrote with
                // them, in a directory only the daemon's user can write (checked above), and are
                // loaded from memory, so they cannot change after the check; the name carries
                // the engine's compatibility hash, and wasmtime checks the header and version.
                match unsafe { Component::deserialize(&self.engine, &artifact) } {
                    Ok(c) => return Ok(c),
                    Err(e) => tracing::warn!(
                        plugin, path = %path.display(), error = %e,
                        "compiled-plugin cache entry unusable; recompiling"
                    ),
                }
            }
            Err(reason) => tracing::warn!(
                plugin, path = %path.display(),
                "compiled-plugin cache entry rejected ({reason}); recompiling"
            ),
        }
        let bytes = self
            .engine
            .precompile_component(wasm)
            .map_err(|e| load_error(plugin, e))?;
        if let Err(e) = write_entry(dir, &path, &component_sha, &bytes) {
            tracing::warn!(plugin, error = %e, "cannot write the compiled-plugin cache");
        }
        // SAFETY: the bytes were produced by this engine a moment ago.
        unsafe { Component::deserialize(&self.engine, &bytes) }.map_err(|e| load_error(plugin, e))
    }

    fn compat_hash(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut h);
        h.finish()
    }
}

/// First bytes of a cache entry; then the component's SHA-256, the artifact's SHA-256 and the
/// artifact.
const MAGIC: &[u8; 16] = b"warren-cwasm-v1\n";
const HEADER: usize = MAGIC.len() + 32 + 32;

/// Creates the cache directory (mode 0700) if missing, then checks it.
fn prepare_cache_dir(dir: &Path) -> Result<(), String> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot create plugin-cache-dir {}: {e}", dir.display()))?;
    check_cache_dir(dir)
}

/// A cache directory must be a directory of the daemon's user (or root) that neither its group
/// nor others may write: whoever can write it chooses native code the daemon runs.
fn check_cache_dir(dir: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(dir)
        .map_err(|e| format!("cannot read plugin-cache-dir {}: {e}", dir.display()))?;
    if !meta.is_dir() {
        return Err(format!(
            "plugin-cache-dir {} is not a directory",
            dir.display()
        ));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(format!(
            "plugin-cache-dir {} is writable by its group or by others (mode {mode:04o}); \
             whoever can write it could make the daemon run their code: \
             `chmod go-w {}` or choose a private directory",
            dir.display(),
            dir.display()
        ));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me && meta.uid() != 0 {
        return Err(format!(
            "plugin-cache-dir {} belongs to uid {}, not to the daemon's user (uid {me}) or root",
            dir.display(),
            meta.uid()
        ));
    }
    Ok(())
}

/// The artifact of a cache entry, if there is one and it checks out; `Err` says why an
/// existing entry is refused.
fn read_entry(path: &Path, component_sha: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open it: {e}")),
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if !meta.is_file() || meta.uid() != me || meta.mode() & 0o077 != 0 {
        return Err(format!(
            "not a private file of the daemon's user (uid {}, mode {:04o})",
            meta.uid(),
            meta.mode() & 0o7777
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() < HEADER || &bytes[..MAGIC.len()] != MAGIC {
        return Err("not a Warren cache entry".into());
    }
    let (for_component, artifact_sha) = (
        &bytes[MAGIC.len()..MAGIC.len() + 32],
        &bytes[MAGIC.len() + 32..HEADER],
    );
    if for_component != component_sha {
        return Err(format!(
            "compiled from another component ({})",
            hex(for_component)
        ));
    }
    if Sha256::digest(&bytes[HEADER..]).as_slice() != artifact_sha {
        return Err("its SHA-256 does not match the one recorded with it".into());
    }
    Ok(Some(bytes.split_off(HEADER)))
}

/// Writes an entry through a fresh private temporary file renamed into place.
fn write_entry(
    dir: &Path,
    path: &Path,
    component_sha: &[u8],
    artifact: &[u8],
) -> std::io::Result<()> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        ".{}.{}-{nanos}-{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file: File = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        file.write_all(MAGIC)?;
        file.write_all(component_sha)?;
        file.write_all(&Sha256::digest(artifact))?;
        file.write_all(artifact)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn load_error(plugin: &str, e: impl std::fmt::Display) -> PluginError {
    PluginError::Load {
        plugin: plugin.into(),
        reason: format!("{e:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticks(engine: &PluginEngine) -> u64 {
        engine.ticker.activity.ticks.load(Ordering::Relaxed)
    }

    #[test]
    fn the_ticker_ticks_only_while_a_call_runs_guest_code() {
        let engine = PluginEngine::new(None).unwrap();
        std::thread::sleep(TICK * 10);
        assert_eq!(ticks(&engine), 0, "no call, no tick");
        let running = engine.running();
        let also = engine.running();
        std::thread::sleep(TICK * 10);
        drop(running);
        std::thread::sleep(TICK * 10);
        assert!(
            ticks(&engine) >= 5,
            "ticks while calls run: {}",
            ticks(&engine)
        );
        drop(also);
        // The tick in progress when the last call ended may still land.
        std::thread::sleep(TICK * 3);
        let after = ticks(&engine);
        std::thread::sleep(TICK * 10);
        assert_eq!(ticks(&engine), after, "no tick once every call ended");
    }
}

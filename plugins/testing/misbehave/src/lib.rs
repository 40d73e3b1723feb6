//! A deliberately bad evaluator for the host's containment tests. Its config string picks the
//! failure: `"loop"` (never returns), `"bomb"` (allocates without end), `"panic"`, `"garbage"`
//! (answers for another group with an impossible status), `"bad-config"` (rejects its config),
//! `"error"` (returns an error), `"sleep"` (`std::thread::sleep` for 30 s, then answers),
//! `"poll"` (waits 30 s in `poll(2)`, a `wasi:io/poll` on a monotonic-clock pollable, then
//! answers), `"sleep-validate"` (sleeps 30 s in `validate-config`), `"clocks"` (returns as its
//! error what it sees of time and randomness: wall clock, monotonic time across a 1 s sleep, a
//! randomly seeded hash), `"alloc:N"` (allocates and touches N MiB, then answers),
//! `"isolation"` (rejects its config with one problem: the report of what it can reach from
//! inside an evaluator's sandbox, see `isolation.rs`), or `"ok"` (behaves).

mod isolation;

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use warren_plugin_sdk::evaluator::Evaluator;
use warren_plugin_sdk::types::{GroupStatus, GroupWindow, PluginMetadata, Status};
use warren_plugin_sdk::{Plugin, host, metadata};

struct Misbehave;

/// How long the sleeping modes ask to wait: far beyond any plugin timeout.
const LONG: Duration = Duration::from_secs(30);

unsafe extern "C" {
    /// wasi-libc's `poll(2)`: with no descriptors it waits on a monotonic-clock pollable.
    fn poll(fds: *mut core::ffi::c_void, nfds: usize, timeout_ms: i32) -> i32;
}

impl Plugin for Misbehave {
    fn metadata() -> PluginMetadata {
        metadata::builder("misbehave", "0.1.0")
            .description("misbehaves on purpose")
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        if config.contains("isolation") {
            Err(vec![isolation::report()])
        } else if config.contains("sleep-validate") {
            std::thread::sleep(LONG);
            Ok(())
        } else if config.contains("bad-config") {
            Err(vec![
                "mode: bad-config rejects itself".into(),
                "second problem, also reported".into(),
            ])
        } else {
            Ok(())
        }
    }
}

impl Evaluator for Misbehave {
    fn evaluate(window: GroupWindow) -> Result<GroupStatus, String> {
        let mode = host::plugin_config();
        let ok = GroupStatus {
            cluster: window.cluster.clone(),
            group: window.group.clone(),
            status: Status::Ok,
            complete: 0.0,
            partitions: vec![],
            partition_count: window.partitions.len() as u32,
            maxlag: None,
            total_lag: 0,
            max_time_lag_ms: None,
        };
        if let Some(mib) = mode.trim_matches('"').strip_prefix("alloc:") {
            let mib: usize = mib.parse().map_err(|_| format!("alloc: bad size {mib}"))?;
            let block = vec![7u8; mib << 20];
            std::hint::black_box(&block);
            Ok(ok)
        } else if mode.contains("sleep") {
            std::thread::sleep(LONG);
            Ok(ok)
        } else if mode.contains("poll") {
            // SAFETY: no descriptors are passed; only the timeout is read.
            unsafe { poll(std::ptr::null_mut(), 0, LONG.as_millis() as i32) };
            Ok(ok)
        } else if mode.contains("clocks") {
            let wall = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis());
            let start = Instant::now();
            std::thread::sleep(Duration::from_secs(1));
            let slept = start.elapsed().as_millis();
            let hash = RandomState::new().hash_one(0u8);
            Err(format!("wall-ms={wall} slept-ms={slept} hash={hash:016x}"))
        } else if mode.contains("loop") {
            let mut n = 0u64;
            loop {
                n = n.wrapping_add(1);
                std::hint::black_box(n);
            }
        } else if mode.contains("bomb") {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![7u8; 1 << 20]);
                std::hint::black_box(&hoard);
            }
        } else if mode.contains("panic") {
            panic!("misbehave: panicking on purpose");
        } else if mode.contains("garbage") {
            Ok(GroupStatus {
                group: "someone-else".into(),
                status: Status::Stall,
                complete: f64::NAN,
                ..ok
            })
        } else if mode.contains("error") {
            Err("misbehave: refusing to judge".into())
        } else {
            Ok(ok)
        }
    }
}

warren_plugin_sdk::export_evaluator!(Misbehave);

//! A deliberately bad evaluator for the host's containment tests. Its config string picks the
//! failure: `"loop"` (never returns), `"bomb"` (allocates without end), `"panic"`, `"garbage"`
//! (answers for another group with an impossible status), `"bad-config"` (rejects its config),
//! `"error"` (returns an error), or `"ok"` (behaves).

use warren_plugin_sdk::evaluator::Evaluator;
use warren_plugin_sdk::types::{GroupStatus, GroupWindow, PluginMetadata, Status};
use warren_plugin_sdk::{Plugin, host, metadata};

struct Misbehave;

impl Plugin for Misbehave {
    fn metadata() -> PluginMetadata {
        metadata::builder("misbehave", "0.1.0")
            .description("misbehaves on purpose")
            .build()
    }

    fn validate_config(config: &str) -> Result<(), Vec<String>> {
        if config.contains("bad-config") {
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
        if mode.contains("loop") {
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

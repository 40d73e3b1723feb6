//! A group filter implemented by a plugin: decides whether a group is monitored. A filter that
//! fails is answered with `true` by the caller (fail open: a broken filter must not silence
//! monitoring).

use std::time::Instant;

use warren_core::storage::GroupSnapshot;
use wasmtime::component::Component;

use crate::bindings::filter::{GroupFilter, GroupFilterPre};
use crate::bindings::types::{GroupInfo, Member, PluginMetadata, TopicPartitions};
use crate::engine::{PluginEngine, load_error};
use crate::error::PluginError;
use crate::health::HealthSnapshot;
use crate::sandbox::{Limits, Me, Sandbox, linker};

/// A loaded group-filter plugin.
pub struct PluginFilter {
    sandbox: Sandbox<GroupFilter>,
    metadata: PluginMetadata,
}

impl PluginFilter {
    /// Instantiates the component, reads its metadata and validates `config_json` with it.
    pub fn load(
        engine: &PluginEngine,
        name: &str,
        component: &Component,
        config_json: &str,
        limits: Limits,
    ) -> Result<Self, PluginError> {
        let linker = linker(engine.engine(), |l| {
            GroupFilter::add_to_linker::<_, Me>(l, |s| s)
        })
        .map_err(|e| load_error(name, e))?;
        let pre = GroupFilterPre::new(
            linker
                .instantiate_pre(component)
                .map_err(|e| load_error(name, e))?,
        )
        .map_err(|e| load_error(name, e))?;
        let sandbox = Sandbox::new(
            name,
            config_json,
            engine.engine(),
            limits,
            Box::new(move |store| pre.instantiate(store)),
        );
        let metadata = sandbox.introduce(
            config_json,
            |i, s| i.warren_plugin_plugin().call_metadata(s),
            |i, s, c| i.warren_plugin_plugin().call_validate_config(s, c),
        )?;
        Ok(PluginFilter { sandbox, metadata })
    }

    /// What the plugin says about itself.
    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    /// The plugin's decision on a stored group.
    pub fn accept(
        &self,
        cluster: &str,
        snapshot: &GroupSnapshot,
        now_ms: i64,
    ) -> Result<bool, PluginError> {
        let now = Instant::now();
        let info = group_info(cluster, snapshot, now_ms);
        let result = self.sandbox.call(now, |i, s| i.call_accept_group(s, &info));
        self.sandbox.record(&result, now, "group kept (fail open)");
        result
    }

    /// Calls by outcome, failures, breaker state.
    pub fn health(&self) -> HealthSnapshot {
        self.sandbox.health.snapshot(Instant::now())
    }
}

/// What a filter sees of a group: members rebuilt from partition owners.
fn group_info(cluster: &str, snapshot: &GroupSnapshot, now_ms: i64) -> GroupInfo {
    let mut members: Vec<Member> = Vec::new();
    for t in &snapshot.topics {
        for (id, p) in t.partitions.iter().enumerate() {
            let (Some(host), Some(client_id)) = (&p.owner, &p.client_id) else {
                continue;
            };
            let i = match members
                .iter()
                .position(|m| &m.host == host && &m.client_id == client_id)
            {
                Some(i) => i,
                None => {
                    members.push(Member {
                        client_id: client_id.clone(),
                        host: host.clone(),
                        assignment: Vec::new(),
                    });
                    members.len() - 1
                }
            };
            let assignment = &mut members[i].assignment;
            match assignment.iter_mut().find(|a| a.topic == t.topic) {
                Some(a) => a.partitions.push(id as i32),
                None => assignment.push(TopicPartitions {
                    topic: t.topic.clone(),
                    partitions: vec![id as i32],
                }),
            }
        }
    }
    GroupInfo {
        cluster: cluster.to_string(),
        group: snapshot.group.clone(),
        state: snapshot.state.clone(),
        members,
        topics: snapshot.topics.iter().map(|t| t.topic.clone()).collect(),
        last_commit_ms: snapshot.last_commit_ms,
        now_ms,
    }
}

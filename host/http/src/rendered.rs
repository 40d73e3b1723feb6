//! Rendered status bodies, keyed by request path and valid while the evaluator's cached status
//! for that group is the same `Arc` (the evaluator replaces it after `expire-cache`). Bounded:
//! past `MAX_BYTES` of bodies it starts over, which costs one render per group asked again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use warren_core::evaluator::GroupStatus;

const MAX_BYTES: usize = 64 << 20;

/// A rendered body and the evaluation it was rendered from.
type Entry = (Arc<GroupStatus>, Bytes);

/// Cache of serialised `/status` and `/lag` answers.
#[derive(Clone, Default)]
pub struct RenderedCache {
    inner: Arc<Mutex<Bodies>>,
}

#[derive(Default)]
struct Bodies {
    map: HashMap<String, Entry>,
    bytes: usize,
}

impl RenderedCache {
    pub(crate) fn get(&self, path: &str, status: &Arc<GroupStatus>) -> Option<Bytes> {
        let bodies = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (for_status, body) = bodies.map.get(path)?;
        Arc::ptr_eq(for_status, status).then(|| body.clone())
    }

    pub(crate) fn put(&self, path: &str, status: &Arc<GroupStatus>, body: Bytes) {
        let mut bodies = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if bodies.bytes + body.len() > MAX_BYTES {
            bodies.map.clear();
            bodies.bytes = 0;
        }
        bodies.bytes += body.len();
        if let Some((_, old)) = bodies.map.insert(path.to_string(), (status.clone(), body)) {
            bodies.bytes -= old.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_reused_only_for_the_same_evaluation() {
        let cache = RenderedCache::default();
        let first = Arc::new(GroupStatus::not_found("c", "g"));
        let second = Arc::new(GroupStatus::not_found("c", "g"));
        cache.put(
            "/v3/kafka/c/consumer/g/lag",
            &first,
            Bytes::from_static(b"one"),
        );
        assert_eq!(
            cache.get("/v3/kafka/c/consumer/g/lag", &first).as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(
            cache.get("/v3/kafka/c/consumer/g/lag", &second),
            None,
            "a new evaluation re-renders"
        );
        assert_eq!(cache.get("/v3/kafka/c/consumer/g/status", &first), None);
    }
}

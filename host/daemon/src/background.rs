//! Background work runs on its own runtime, at a lower CPU priority than the API: the
//! notifier schedules (each tick judges every group), the `/metrics` render, snapshots and
//! group expiry. On two cores a render of every group or a snapshot would otherwise take the
//! CPU a status request is waiting for, and request latency would follow background work.
//! The runtime's threads, its blocking pool's included, run at nice 10 (Linux: per thread), so
//! the scheduler lets a request preempt them; they still get the CPU whenever the API is idle.

use std::future::Future;

use tokio::runtime::{Handle, Runtime};
use tokio_util::task::TaskTracker;

use warren_core::priority::lower_this_thread;

/// The background runtime; stops (without waiting for its tasks) when dropped.
pub struct Background {
    runtime: Option<Runtime>,
}

impl Background {
    pub fn start() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("warren-background")
            .on_thread_start(lower_this_thread)
            .enable_all()
            .build()?;
        Ok(Background {
            runtime: Some(runtime),
        })
    }

    pub fn handle(&self) -> &Handle {
        self.runtime
            .as_ref()
            .expect("the runtime lives until drop")
            .handle()
    }

    /// Spawns `task` on the background runtime, tracked by `tracker`.
    pub fn spawn<F>(&self, tracker: &TaskTracker, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        tracker.spawn_on(task, self.handle());
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Dropping a runtime blocks, which an async caller must not do.
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warren_core::priority::{BACKGROUND_NICE as NICE, this_thread};

    #[cfg(target_os = "linux")]
    #[test]
    fn background_threads_run_at_a_lower_priority_than_the_caller() {
        let mine = this_thread();
        let background = Background::start().unwrap();
        let theirs = background
            .handle()
            .block_on(async { tokio::task::spawn(async { this_thread() }).await.unwrap() });
        let blocking = background
            .handle()
            .block_on(async { tokio::task::spawn_blocking(this_thread).await.unwrap() });
        assert_eq!(theirs, (mine + NICE).min(19));
        assert_eq!(blocking, (mine + NICE).min(19));
    }
}

//! Work that no request waits for runs below the API's CPU priority: the background runtime
//! (notifier schedules, the `/metrics` render, snapshots, expiry) and the offsets-topic readers
//! with the librdkafka threads they start. On two cores a reader draining a burst of commits
//! would otherwise hold the CPU a status request is waiting for, and request latency would
//! follow the commit rate. A lower priority is not a cap: background threads still get every
//! cycle the API leaves idle.

/// How much lower than the API's the background threads' priority is (nice levels).
pub const BACKGROUND_NICE: i32 = 10;

/// Lowers the calling thread's priority by [`BACKGROUND_NICE`]; threads it starts afterwards
/// inherit the lower priority (Linux keeps a nice value per thread). A system that refuses
/// leaves it as it is.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        let thread = rustix::thread::gettid();
        let now = rustix::process::getpriority_process(Some(thread)).unwrap_or(0);
        let _ = rustix::process::setpriority_process(Some(thread), now + BACKGROUND_NICE);
    }
}

/// The calling thread's nice value (0 where it cannot be read).
pub fn this_thread() -> i32 {
    #[cfg(target_os = "linux")]
    {
        rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap_or(0)
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_lowered_thread_and_the_threads_it_starts_run_below_their_parent() {
        let mine = this_thread();
        let (lowered, child) = std::thread::spawn(|| {
            lower_this_thread();
            let child = std::thread::spawn(this_thread).join().unwrap();
            (this_thread(), child)
        })
        .join()
        .unwrap();
        assert_eq!(lowered, (mine + BACKGROUND_NICE).min(19));
        assert_eq!(child, lowered);
        assert_eq!(
            this_thread(),
            mine,
            "the caller's own priority is untouched"
        );
    }
}

//! Collectors are restarted when they panic. A panic in one (a librdkafka binding surprise, a
//! bug in a decoder) would otherwise end its task or thread silently while the API kept
//! answering with data that no longer moves. Each restart is logged as an error, marks the
//! collector's cluster failing with the panic's message (readiness and `/v3/kafka/NAME` say
//! so until the next successful poll), and waits the collectors' backoff first.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use warren_core::health::ClusterHealth;

use crate::backoff::{Backoff, pause};
use crate::client::now_ms;

/// What a panic said, when it said it in a string.
fn message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

fn report(what: &str, health: &ClusterHealth, panic: &(dyn std::any::Any + Send)) {
    let why = message(panic);
    tracing::error!(collector = what, panic = %why, "collector panicked; restarting it");
    health.poll_failed(format!("{what} crashed ({why}); restarted"), now_ms());
}

/// Runs the task `make` builds until it returns (cancelled); makes a new one after a panic.
pub(crate) async fn task<F, Fut>(
    what: String,
    health: Arc<ClusterHealth>,
    cancel: CancellationToken,
    make: F,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut backoff = Backoff::new();
    loop {
        match tokio::spawn(make()).await {
            Ok(()) => return,
            Err(e) if e.is_panic() => report(&what, &health, &*e.into_panic()),
            Err(_) => return,
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(backoff.next_delay()) => {}
        }
    }
}

/// Runs `run` on the current thread until it returns (cancelled); again after a panic.
pub(crate) fn thread(
    what: &str,
    health: &ClusterHealth,
    cancel: &CancellationToken,
    run: impl Fn(),
) {
    let mut backoff = Backoff::new();
    loop {
        match std::panic::catch_unwind(AssertUnwindSafe(&run)) {
            Ok(()) => return,
            Err(panic) => report(what, health, &*panic),
        }
        pause(cancel, backoff.next_delay());
        if cancel.is_cancelled() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use tokio_util::sync::CancellationToken;
    use warren_core::health::ClusterHealth;

    #[tokio::test]
    async fn a_task_that_panics_is_made_anew_and_its_cluster_says_why() {
        let runs = Arc::new(AtomicU32::new(0));
        let health = Arc::new(ClusterHealth::default());
        let made = runs.clone();
        super::task(
            "HEAD poller".into(),
            health.clone(),
            CancellationToken::new(),
            move || {
                let n = made.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        panic!("decoder bug");
                    }
                }
            },
        )
        .await;
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        let error = health.last_error().unwrap_or_default();
        assert!(
            error.contains("HEAD poller crashed (decoder bug)"),
            "{error}"
        );
    }

    #[test]
    fn a_thread_body_that_panics_runs_again_until_it_returns() {
        let runs = AtomicU32::new(0);
        let health = ClusterHealth::default();
        super::thread(
            "offsets-topic reader",
            &health,
            &CancellationToken::new(),
            || {
                if runs.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("{}", String::from("twice"));
                }
            },
        );
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert!(health.last_error().unwrap_or_default().contains("(twice)"));
    }
}

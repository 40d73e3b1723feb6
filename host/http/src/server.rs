//! Serving one listener: hyper driven directly so the connection-level limits exist at all
//! (`axum::serve` has none). Per connection: HTTP/1.1 or HTTP/2 (prior knowledge, or ALPN over
//! TLS), the request head capped at `max-header-bytes` and due within `header-timeout` (so a
//! client dribbling a header byte at a time is cut off), the TLS handshake due within the same
//! time, and the connection closed after `idle-timeout` without a byte either way while no
//! request is being answered. At most `max-connections` are served at once; beyond that, new
//! clients wait in the kernel's accept queue rather than exhausting file descriptors. On
//! shutdown, open connections finish their requests and close.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tower::Service;
use warren_core::config::HttpServerConfig;

use crate::tls::TlsHandle;

/// Open connections get this long to finish their requests after shutdown begins.
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` with `config`'s limits (and TLS when `tls` is given) until
/// `cancel`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    config: &HttpServerConfig,
    tls: Option<Arc<TlsHandle>>,
    cancel: CancellationToken,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(config.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .max_buf_size(config.max_header_bytes.max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(config.max_header_bytes).unwrap_or(u32::MAX));
    let header_timeout = config.header_timeout;
    let idle_timeout = config.idle_timeout;
    loop {
        let permit = tokio::select! {
            _ = cancel.cancelled() => break,
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accepting an HTTP connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let busy = Arc::new(AtomicUsize::new(0));
        let io = IdleIo::new(stream, idle_timeout, busy.clone());
        let service = hyper::service::service_fn({
            let router = router.clone();
            move |req: hyper::Request<Incoming>| {
                let guard = Busy::enter(&busy);
                let fut = router.clone().call(req);
                async move {
                    let res = fut.await;
                    drop(guard);
                    res
                }
            }
        });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let tls = tls.as_ref().map(|t| t.acceptor());
        tokio::spawn(async move {
            let _permit = permit;
            let result = match tls {
                None => {
                    let conn = builder.serve_connection(TokioIo::new(io), service);
                    watcher.watch(conn).await
                }
                Some(acceptor) => {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(header_timeout, acceptor.accept(io)).await
                    else {
                        return;
                    };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    watcher.watch(conn).await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "HTTP connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::debug!("HTTP connections still open after the drain period");
    }
    Ok(())
}

/// Marks a request in flight on a connection; the idle timer does not fire while one is.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn enter(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Busy(count.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A socket that fails with `TimedOut` once no byte has moved for `idle` while no request is in
/// flight (a stalled write fails regardless: the client stopped reading).
struct IdleIo {
    inner: TcpStream,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    busy: Arc<AtomicUsize>,
}

impl IdleIo {
    fn new(inner: TcpStream, idle: Duration, busy: Arc<AtomicUsize>) -> Self {
        IdleIo {
            inner,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
            busy,
        }
    }

    fn touch(&mut self) {
        let next = Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }

    /// `Ready(err)` when the deadline passed and the connection counts as idle.
    fn expired(&mut self, cx: &mut Context<'_>, writing: bool) -> Poll<io::Error> {
        while self.deadline.as_mut().poll(cx).is_ready() {
            if writing || self.busy.load(Ordering::SeqCst) == 0 {
                return Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, "idle connection"));
            }
            self.touch();
        }
        Poll::Pending
    }
}

impl AsyncRead for IdleIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    self.touch();
                }
                Poll::Ready(r)
            }
            Poll::Pending => self.expired(cx, false).map(Err),
        }
    }
}

impl AsyncWrite for IdleIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(r) => {
                if r.as_ref().is_ok_and(|n| *n > 0) {
                    self.touch();
                }
                Poll::Ready(r)
            }
            Poll::Pending => self.expired(cx, true).map(Err),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(r) => {
                if r.as_ref().is_ok_and(|n| *n > 0) {
                    self.touch();
                }
                Poll::Ready(r)
            }
            Poll::Pending => self.expired(cx, true).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

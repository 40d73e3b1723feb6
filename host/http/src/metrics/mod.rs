//! `GET /metrics` in Prometheus' text format. The body is rendered in the background and a
//! scrape hands out the cached bytes, so scrape time does not grow with the number of groups
//! (Burrow evaluates every group inside the scrape until Prometheus times out). Series of
//! deleted groups and topics disappear with the next render, since each render starts from an
//! empty body.
//!
//! Rendering is paid for only while someone scrapes: the daemon calls
//! [`MetricsCache::refresh_if_scraped`] every `metrics-refresh`, which renders only when the
//! body was asked for since the last render, so an instance nobody scrapes spends nothing on
//! it. A scrape of a body older than two `metrics-refresh` periods (the first one after a
//! quiet spell) renders before it answers. The body is kept in the encodings scrapers ask for:
//! gzipped once per render when they accept gzip (Prometheus does; the body shrinks about
//! twentyfold), the plain text only while someone asks for it. After each render the heap it
//! freed is given back to the system ([`warren_core::heap`]), or resident memory would keep
//! every render's high-water mark.
//!
//! Families: Burrow's six gauges with Burrow's names and labels (existing dashboards keep
//! working), kafka-lag-exporter's names (`cluster_name`, `group`, `topic`, `partition`; without
//! its member labels, which churn on every rebalance), each group's state and member count as
//! KMinion exports them (an info series with a `state` label, and a count), and Warren's own
//! health. `metrics-granularity` drops the per-partition group series of Burrow's or
//! kafka-lag-exporter's names separately; a cluster's `labels` are appended to every series
//! of that cluster: those with its cluster label, and those of its consumers.

mod own;
mod render;
mod sink;
mod text;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use warren_core::config::{Config, Granularity};

use crate::AppState;
use sink::{Sink, compress, decompress};
use text::{esc, family};

/// The last rendered body, what to render, and what scrapers asked for.
#[derive(Clone, Default)]
pub struct MetricsCache {
    body: Arc<RwLock<Option<Rendered>>>,
    options: Arc<MetricsOptions>,
    demand: Arc<Demand>,
    /// Held while rendering: scrapes that find the body stale at once wait for one render.
    rendering: Arc<Mutex<()>>,
}

/// One render, in the encodings asked for so far.
#[derive(Clone)]
struct Rendered {
    at: Instant,
    plain: Option<Bytes>,
    gzip: Option<Bytes>,
}

impl Rendered {
    fn get(&self, gzip: bool) -> Option<Bytes> {
        if gzip { &self.gzip } else { &self.plain }.clone()
    }
}

/// What scrapers asked for.
#[derive(Default)]
struct Demand {
    /// A scrape since the last render.
    scraped: AtomicBool,
    /// Ever asked for the plain body, or for gzip.
    plain: AtomicBool,
    gzip: AtomicBool,
    /// The last body's length, so the next render allocates once.
    last_len: AtomicUsize,
}

/// What to render.
#[derive(Debug, Clone)]
pub struct MetricsOptions {
    /// Per-partition group series of Burrow's names, or none (topic and group series remain).
    pub burrow: Granularity,
    /// Per-partition group series of kafka-lag-exporter's names, or none.
    pub lag_exporter: Granularity,
    /// Each cluster's static labels, formatted once as `,name="value"...` to append.
    cluster_labels: BTreeMap<String, String>,
    /// Each consumer's cluster, whose static labels its series carry too.
    consumer_clusters: BTreeMap<String, String>,
    /// `metrics-refresh`: a body twice this old is rendered anew before a scrape gets it.
    refresh: Duration,
}

impl Default for MetricsOptions {
    /// Every family per partition, no static labels, rendered every 10 s.
    fn default() -> Self {
        MetricsOptions {
            burrow: Granularity::Partition,
            lag_exporter: Granularity::Partition,
            cluster_labels: BTreeMap::new(),
            consumer_clusters: BTreeMap::new(),
            refresh: Duration::from_secs(10),
        }
    }
}

impl MetricsOptions {
    /// `[general] metrics-granularity` and `metrics-refresh`, and every `[cluster.NAME] labels`.
    pub fn from_config(config: &Config) -> Self {
        let g = config.general.metrics_granularity;
        let cluster_labels = config
            .clusters
            .iter()
            .filter(|(_, c)| !c.labels.is_empty())
            .map(|(name, c)| {
                let mut suffix = String::new();
                for (label, value) in &c.labels {
                    let _ = write!(suffix, ",{label}=\"{}\"", esc(value));
                }
                (name.clone(), suffix)
            })
            .collect();
        let consumer_clusters = config
            .consumers
            .iter()
            .map(|(name, c)| (name.clone(), c.cluster.clone()))
            .collect();
        MetricsOptions {
            burrow: g.burrow,
            lag_exporter: g.lag_exporter,
            cluster_labels,
            consumer_clusters,
            refresh: config.general.metrics_refresh,
        }
    }

    /// The static labels of `cluster`, ready to append after its own labels.
    fn extra(&self, cluster: &str) -> &str {
        self.cluster_labels.get(cluster).map_or("", String::as_str)
    }
}

impl MetricsCache {
    /// A cache that renders with `options`.
    pub fn new(options: MetricsOptions) -> Self {
        MetricsCache {
            options: Arc::new(options),
            ..MetricsCache::default()
        }
    }

    /// Renders the body now and keeps it, in the encodings scrapers asked for.
    pub fn refresh(&self, state: &AppState) {
        let _rendering = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
        self.render_now(state);
    }

    /// Renders the body if it was scraped since the last render, or was never rendered;
    /// says whether it rendered. The daemon calls this every `metrics-refresh`.
    pub fn refresh_if_scraped(&self, state: &AppState) -> bool {
        let scraped = self.demand.scraped.swap(false, Ordering::AcqRel);
        if !scraped && self.read().is_some() {
            return false;
        }
        self.refresh(state);
        true
    }

    fn render_now(&self, state: &AppState) {
        let started = Instant::now();
        let mut sink = Sink::new(
            self.demand.plain.load(Ordering::Acquire),
            self.demand.gzip.load(Ordering::Acquire),
            self.demand.last_len.load(Ordering::Relaxed),
        );
        render::render(state, &self.options, &mut sink);
        let secs = started.elapsed().as_secs_f64();
        family(
            &mut sink.text,
            "warren_metrics_render_seconds",
            "gauge",
            "Time the last render of this body took (gzip included when the body is only kept gzipped).",
        );
        let _ = writeln!(sink.text, "warren_metrics_render_seconds {secs}");
        self.demand.last_len.store(sink.len(), Ordering::Relaxed);
        let (plain, gzip) = sink.finish();
        *self.body.write().unwrap_or_else(|e| e.into_inner()) = Some(Rendered {
            at: Instant::now(),
            plain,
            gzip,
        });
        // The render's buffers and the body it replaced are freed now; without this they stay
        // resident until the next render reuses them.
        warren_core::heap::give_back();
    }

    fn read(&self) -> Option<Rendered> {
        self.body.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The cached body in the encoding asked for, if it is fresh and kept in that encoding.
    fn cached(&self, gzip: bool) -> Option<Bytes> {
        self.read()
            .filter(|r| self.fresh(r))
            .and_then(|r| r.get(gzip))
    }

    fn fresh(&self, r: &Rendered) -> bool {
        r.at.elapsed() <= 2 * self.options.refresh
    }

    /// Records a scrape's wish; the next renders keep its encoding.
    fn asked(&self, gzip: bool) {
        let d = &self.demand;
        d.scraped.store(true, Ordering::Release);
        if gzip { &d.gzip } else { &d.plain }.store(true, Ordering::Release);
    }

    /// The body for a scrape whose encoding is not cached or whose body is stale: converted
    /// from the other encoding of a fresh render, or rendered anew. Blocks.
    fn produce(&self, state: &AppState, gzip: bool) -> Bytes {
        let _rendering = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.read().filter(|r| self.fresh(r));
        let Some(mut r) = current else {
            self.render_now(state);
            return self.read().and_then(|r| r.get(gzip)).unwrap_or_default();
        };
        if let Some(body) = r.get(gzip) {
            return body;
        }
        let body = match (&r.plain, &r.gzip) {
            (Some(plain), _) if gzip => compress(plain),
            (_, Some(packed)) => decompress(packed),
            _ => return Bytes::new(),
        };
        if gzip {
            r.gzip = Some(body.clone());
        } else {
            r.plain = Some(body.clone());
        }
        *self.body.write().unwrap_or_else(|e| e.into_inner()) = Some(r);
        body
    }
}

/// Whether `Accept-Encoding` accepts gzip (`gzip` or `*`, with a q-value other than 0).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let gzip = accepts_gzip(&headers);
    s.metrics.asked(gzip);
    let body = match s.metrics.cached(gzip) {
        Some(b) => b,
        None => {
            let state = s.clone();
            tokio::task::spawn_blocking(move || state.metrics.produce(&state, gzip))
                .await
                .unwrap_or_default()
        }
    };
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            ),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ],
        body,
    )
        .into_response();
    if gzip {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn gzip_is_served_only_when_accepted() {
        assert!(accepts_gzip(&accept("gzip")));
        assert!(accepts_gzip(&accept("deflate, GZIP;q=0.5")));
        assert!(accepts_gzip(&accept("*")));
        assert!(!accepts_gzip(&accept("gzip;q=0")));
        assert!(!accepts_gzip(&accept("identity")));
        assert!(!accepts_gzip(&accept("gzipx")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn a_gzipped_body_decodes_to_the_text() {
        let text = "m{a=\"b\"} 1\n".repeat(1000);
        let packed = compress(text.as_bytes());
        assert!(packed.len() < text.len() / 10, "{}", packed.len());
        assert_eq!(decompress(&packed), text.as_bytes());
    }
}

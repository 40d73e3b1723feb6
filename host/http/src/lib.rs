//! The HTTP API: Burrow's v3 routes, read side, over storage snapshots. Handlers only read;
//! the one write (`DELETE` of a group) goes through storage's writer like a collector's.
//! `router(state)` is all a caller needs; tests drive it with `oneshot`, the daemon serves it.
//! `/` is the built-in dashboard (`dashboard.rs`), a static app over these same routes.
//! Before any handler, `guard.rs` checks the host, the site and the credentials (`access.rs`)
//! and `limits.rs` caps the body and the time; `server.rs` serves a listener (HTTP/1.1, HTTP/2,
//! TLS from `tls.rs`) with header and idle timeouts and a connection limit.

mod access;
mod admin;
mod dashboard;
mod envelope;
mod guard;
mod instances;
mod limits;
pub mod metrics;
mod notifiers;
mod plugins;
mod rendered;
mod requests;
pub mod server;
mod state;
mod status;
pub mod tls;
mod v3;

use axum::Router;
use axum::http::Method;
use axum::routing::{get, post};

pub use access::{Access, hash_password, verify as verify_password};
pub use guard::ListenerPolicy;
pub use instances::{InstanceAdmin, Instances};
pub use notifiers::{NotifierAdmin, NotifierInfo, OpenIncident, PendingDelivery};
pub use plugins::{ComponentInfo, PluginAdmin, PluginHealth, PluginInfo, ReloadReport};
pub use rendered::RenderedCache;
pub use requests::RequestCounts;
pub use state::AppState;
pub use status::group_status_json;

/// Every route Warren serves, guarded as a loopback listener with default settings would be
/// (tests and tools; the daemon uses [`listener_router`]).
pub fn router(state: AppState) -> Router {
    guarded(state, ListenerPolicy::loopback())
}

/// The router one `[httpserver.NAME]` serves: its guard policy and its limits.
pub fn listener_router(state: AppState, config: &warren_core::config::HttpServerConfig) -> Router {
    let limits = limits::Limits::of(config, state.clone());
    guarded(state, ListenerPolicy::of(config))
        .layer(axum::middleware::from_fn_with_state(limits, limits::apply))
}

fn guarded(state: AppState, policy: ListenerPolicy) -> Router {
    routes(state.clone()).layer(axum::middleware::from_fn_with_state(
        (state, policy),
        guard::check,
    ))
}

fn routes(state: AppState) -> Router {
    let cors = state.cors.clone();
    Router::new()
        .route("/", get(dashboard::index))
        .route("/ui/{*path}", get(dashboard::asset))
        .route("/burrow/admin", get(admin::healthcheck))
        .route("/burrow/admin/ready", get(admin::ready))
        .route("/metrics", get(metrics::metrics))
        .route("/v3/admin/plugins", get(plugins::list))
        .route("/v3/admin/plugins/reload", post(plugins::reload))
        .route("/v3/admin/notifiers", get(notifiers::list))
        .route("/v3/admin/instances", get(instances::list))
        .route("/v3/kafka", get(v3::cluster_list))
        .route("/v3/kafka/{cluster}", get(v3::cluster_detail))
        .route("/v3/kafka/{cluster}/topic", get(v3::topic_list))
        .route("/v3/kafka/{cluster}/topic/{topic}", get(v3::topic_detail))
        .route(
            "/v3/kafka/{cluster}/topic/{topic}/consumers",
            get(v3::topic_consumers),
        )
        .route("/v3/kafka/{cluster}/status", get(status::cluster_status))
        .route("/v3/kafka/{cluster}/consumer", get(v3::consumer_list))
        .route(
            "/v3/kafka/{cluster}/consumer-status",
            get(status::cluster_consumer_status),
        )
        .route(
            "/v3/kafka/{cluster}/consumer/{group}",
            get(v3::consumer_detail).delete(v3::consumer_delete),
        )
        .route(
            "/v3/kafka/{cluster}/consumer/{group}/status",
            get(status::consumer_status),
        )
        .route(
            "/v3/kafka/{cluster}/consumer/{group}/lag",
            get(status::consumer_lag),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            requests::count,
        ))
        .fallback(envelope::unknown_route)
        .with_state(state)
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                // CORS only ever opens reads: a state-changing request from another origin is
                // refused by the guard, and its answer must not be readable either.
                let cors = cors
                    .clone()
                    .filter(|_| matches!(*req.method(), Method::GET | Method::HEAD));
                async move {
                    let mut res = next.run(req).await;
                    if let Some(origin) = cors {
                        res.headers_mut()
                            .insert(axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                    }
                    res
                }
            },
        ))
}

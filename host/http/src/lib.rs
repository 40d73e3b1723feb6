//! The HTTP API: Burrow's v3 routes, read side, over storage snapshots. Handlers only read;
//! the one write (`DELETE` of a group) goes through storage's writer like a collector's.
//! `router(state)` is all a caller needs; tests drive it with `oneshot`, the daemon serves it.
//! `/` is the built-in dashboard (`dashboard.rs`), a static app over these same routes;
//! `/v3/openapi.json` is their contract (`openapi.rs`).
//! Before any handler, `guard.rs` checks the host, the site and the credentials (`access.rs`)
//! and `limits.rs` caps the body and the time; `server.rs` serves a listener (HTTP/1.1, HTTP/2,
//! TLS from `tls.rs`) with header and idle timeouts and a connection limit.

mod access;
mod admin;
mod config_view;
mod dashboard;
mod envelope;
mod guard;
mod instances;
mod limits;
mod loglevel;
pub mod metrics;
mod notifiers;
pub mod openapi;
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
use axum::routing::{MethodFilter, MethodRouter, on};

pub use access::{Access, hash_password, verify as verify_password};
pub use guard::ListenerPolicy;
pub use instances::{InstanceAdmin, Instances};
pub use loglevel::LogLevelAdmin;
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

/// Every route as (method, path template, handler), the one list the router is built from and
/// `GET /v3/openapi.json` is checked against (a route added here and not documented fails the
/// contract test). The method is named once, so the listed method is the one served.
macro_rules! endpoints {
    ($($method:ident $path:literal => $handler:expr,)*) => {
        vec![$((Method::$method, $path, on(MethodFilter::$method, $handler)),)*]
    };
}

fn endpoints() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    endpoints! {
        GET "/" => dashboard::index,
        GET "/ui/{*path}" => dashboard::asset,
        GET "/burrow/admin" => admin::healthcheck,
        GET "/burrow/admin/ready" => admin::ready,
        GET "/metrics" => metrics::metrics,
        GET "/v3/openapi.json" => openapi::document,
        GET "/v3/admin/plugins" => plugins::list,
        POST "/v3/admin/plugins/reload" => plugins::reload,
        GET "/v3/admin/notifiers" => notifiers::list,
        GET "/v3/admin/instances" => instances::list,
        GET "/v3/admin/loglevel" => loglevel::get_level,
        POST "/v3/admin/loglevel" => loglevel::set_level,
        GET "/v3/config" => config_view::main,
        GET "/v3/config/storage" => config_view::storage_list,
        GET "/v3/config/storage/{name}" => config_view::storage_detail,
        GET "/v3/config/evaluator" => config_view::evaluator_list,
        GET "/v3/config/evaluator/{name}" => config_view::evaluator_detail,
        GET "/v3/config/cluster" => config_view::cluster_list,
        GET "/v3/config/cluster/{cluster}" => v3::cluster_detail,
        GET "/v3/config/consumer" => config_view::consumer_list,
        GET "/v3/config/consumer/{name}" => config_view::consumer_detail,
        GET "/v3/config/notifier" => config_view::notifier_list,
        GET "/v3/config/notifier/{name}" => config_view::notifier_detail,
        GET "/v3/kafka" => v3::cluster_list,
        GET "/v3/kafka/{cluster}" => v3::cluster_detail,
        GET "/v3/kafka/{cluster}/topic" => v3::topic_list,
        GET "/v3/kafka/{cluster}/topic/{topic}" => v3::topic_detail,
        GET "/v3/kafka/{cluster}/topic/{topic}/consumers" => v3::topic_consumers,
        GET "/v3/kafka/{cluster}/status" => status::cluster_status,
        GET "/v3/kafka/{cluster}/consumer" => v3::consumer_list,
        GET "/v3/kafka/{cluster}/consumer-status" => status::cluster_consumer_status,
        GET "/v3/kafka/{cluster}/consumer/{group}" => v3::consumer_detail,
        DELETE "/v3/kafka/{cluster}/consumer/{group}" => v3::consumer_delete,
        DELETE "/v3/kafka/{cluster}/consumer/{group}/topic/{topic}" => v3::consumer_topic_delete,
        GET "/v3/kafka/{cluster}/consumer/{group}/status" => status::consumer_status,
        GET "/v3/kafka/{cluster}/consumer/{group}/lag" => status::consumer_lag,
    }
}

/// Every (method, path template) the router serves, as axum writes them (`{*path}` for a
/// catch-all); `GET` routes answer `HEAD` too.
pub fn served_routes() -> Vec<(Method, &'static str)> {
    endpoints()
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect()
}

fn routes(state: AppState) -> Router {
    let cors = state.cors.clone();
    // Two methods on one path merge into one method router.
    endpoints()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
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

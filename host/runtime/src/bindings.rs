//! The only `bindgen!` in the repository: host-side bindings for every world of `wit/`,
//! generated once, with the shared interfaces (`types`, `host`, `plugin`) generated in the
//! first world and reused by the others.

/// `group-filter` world.
pub mod filter {
    wasmtime::component::bindgen!({ path: "../../wit", world: "group-filter" });
}

/// `evaluator` world.
pub mod evaluator {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "evaluator",
        with: {
            "warren:plugin/types": super::filter::warren::plugin::types,
            "warren:plugin/host": super::filter::warren::plugin::host,
        },
    });
}

/// `notifier` world. Its calls run asynchronously (a fresh store per event, on a fiber), and
/// the outbound capabilities are `async` host functions, so a slow receiver parks only its
/// own call.
pub mod notifier {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "notifier",
        imports: {
            "warren:plugin/http.send": async,
            "warren:plugin/mail.send": async,
        },
        exports: { default: async },
        with: {
            "warren:plugin/types": super::filter::warren::plugin::types,
            "warren:plugin/host": super::filter::warren::plugin::host,
        },
    });
}

pub use filter::warren::plugin::host::{Host, LogLevel};
pub use filter::warren::plugin::types;

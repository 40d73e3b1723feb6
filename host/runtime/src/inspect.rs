//! What a component is, without trusting it: which Warren world it implements (from its
//! exports), which interfaces it imports, and what it says about itself (`metadata`, called in
//! a sandbox whose unknown imports trap). Used by `warren plugin inspect` and to pick the right
//! loader for `warren plugin test`.

use std::sync::Arc;

use wasmtime::component::Component;

use crate::bindings::types::PluginMetadata;
use crate::engine::PluginEngine;
use crate::error::PluginError;
use crate::sandbox::{Limits, Me, linker, sync_store};

/// The plugin interface every Warren plugin exports, whatever its world.
const PLUGIN_INTERFACE: &str = "warren:plugin/plugin@";

/// The world a component implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum World {
    /// `group-filter` (exports `accept-group`).
    GroupFilter,
    /// `evaluator` (exports `evaluate`).
    Evaluator,
    /// `notifier` (exports `notify`).
    Notifier,
}

impl World {
    /// The WIT name.
    pub fn as_str(self) -> &'static str {
        match self {
            World::GroupFilter => "group-filter",
            World::Evaluator => "evaluator",
            World::Notifier => "notifier",
        }
    }
}

/// A component's description.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The world, when the exports match one.
    pub world: Option<World>,
    /// The `warren:plugin` package version it was built against.
    pub package_version: Option<String>,
    /// Names of its imports (interfaces), sorted.
    pub imports: Vec<String>,
    /// Names of its exports, sorted.
    pub exports: Vec<String>,
    /// What `metadata` returned, or why it could not be called.
    pub metadata: Result<PluginMetadata, String>,
}

/// Describes `component`; `metadata` runs under the default limits.
pub fn inspect(engine: &PluginEngine, component: &Component) -> Inspection {
    let ty = component.component_type();
    let mut imports: Vec<String> = ty
        .imports(engine.engine())
        .map(|(n, _)| n.to_string())
        .collect();
    let mut exports: Vec<String> = ty
        .exports(engine.engine())
        .map(|(n, _)| n.to_string())
        .collect();
    imports.sort();
    exports.sort();
    let has = |name: &str| exports.iter().any(|e| e == name);
    let world = if has("evaluate") {
        Some(World::Evaluator)
    } else if has("accept-group") {
        Some(World::GroupFilter)
    } else if has("notify") {
        Some(World::Notifier)
    } else {
        None
    };
    let package_version = exports
        .iter()
        .find_map(|e| e.strip_prefix(PLUGIN_INTERFACE))
        .map(str::to_owned);
    let metadata = match package_version.as_deref() {
        Some(v) => call_metadata(engine, component, v).map_err(|e| format!("{e:#}")),
        None => Err("the component does not export warren:plugin/plugin".into()),
    };
    Inspection {
        world,
        package_version,
        imports,
        exports,
        metadata,
    }
}

fn call_metadata(
    engine: &PluginEngine,
    component: &Component,
    version: &str,
) -> wasmtime::Result<PluginMetadata> {
    let mut linker = linker(engine.engine(), |l| {
        crate::bindings::filter::warren::plugin::host::add_to_linker::<_, Me>(l, |s| s)
    })?;
    trap_capabilities(&mut linker, engine, component)?;
    let _running = engine.running();
    let mut store = sync_store(
        engine.engine(),
        &Arc::from("inspect"),
        &Arc::from("{}"),
        Limits::default(),
    );
    let instance = linker.instantiate(&mut store, component)?;
    let interface = format!("{PLUGIN_INTERFACE}{version}");
    let iface = instance
        .get_export_index(&mut store, None, &interface)
        .ok_or_else(|| wasmtime::format_err!("no {interface} export"))?;
    let func = instance
        .get_export_index(&mut store, Some(&iface), "metadata")
        .ok_or_else(|| wasmtime::format_err!("no metadata function"))?;
    let metadata = instance.get_typed_func::<(), (PluginMetadata,)>(&mut store, &func)?;
    let (m,) = metadata.call(&mut store, ())?;
    Ok(m)
}

/// Links every function of each `warren:plugin` interface the component imports beyond `host`
/// and `types` (a notifier's capabilities) as a trap: metadata must not need them. WASI is left
/// to the linker's own matching. (wasmtime's `define_unknown_imports_as_traps` would also take
/// an import of another WASI 0.2 patch version, as componentize-py and componentize-js
/// components have, for unknown, and shadow the real one with traps.)
fn trap_capabilities(
    linker: &mut wasmtime::component::Linker<crate::plugin_state::PluginState>,
    engine: &PluginEngine,
    component: &Component,
) -> wasmtime::Result<()> {
    use wasmtime::component::types::ComponentItem;
    for (name, item) in component.component_type().imports(engine.engine()) {
        let ComponentItem::ComponentInstance(instance) = item.ty else {
            continue;
        };
        let linked = ["warren:plugin/host@", "warren:plugin/types@"];
        if !name.starts_with("warren:plugin/") || linked.iter().any(|l| name.starts_with(l)) {
            continue;
        }
        let mut functions = linker.instance(name)?;
        for (function, item) in instance.exports(engine.engine()) {
            if let ComponentItem::ComponentFunc(_) = item.ty {
                let what = format!("{name}#{function}");
                functions.func_new(function, move |_, _, _, _| {
                    Err(wasmtime::format_err!("{what} is not available to metadata"))
                })?;
            }
        }
    }
    Ok(())
}

/// Compiles `wasm` and inspects it, for the CLI.
pub fn inspect_bytes(
    engine: &PluginEngine,
    name: &str,
    wasm: &[u8],
) -> Result<Inspection, PluginError> {
    let component = engine.compile(name, wasm, None)?;
    Ok(inspect(engine, &component))
}

//! The three plugin worlds behind one load path. What differs between them (which generated
//! bindings, how an instance is made, where the `plugin` interface's calls are) is the
//! [`World`] trait, implemented once per world here; linking, pre-instantiation, the
//! introduction (metadata, then `validate-config`) and their errors are written once, in
//! [`pre_instantiate`] and [`Sandbox::load`].

use wasmtime::Store;
use wasmtime::component::{Component, InstancePre, Linker};

use crate::bindings::evaluator::{Evaluator, EvaluatorPre};
use crate::bindings::filter::{GroupFilter, GroupFilterPre};
use crate::bindings::notifier::{Notifier, NotifierPre};
use crate::bindings::types::PluginMetadata;
use crate::engine::{PluginEngine, load_error};
use crate::error::PluginError;
use crate::plugin_state::PluginState;
use crate::sandbox::{Limits, Me, Sandbox, async_linker, linker};

/// A WIT world a plugin component implements, as the host links and pre-instantiates it.
pub(crate) trait World: Sized + Send + Sync + 'static {
    /// The generated pre-instantiated form (`EvaluatorPre`, ...).
    type Pre: Send + Sync + 'static;
    /// Whether calls run on async stores (notifiers wait on the network).
    const ASYNC: bool;
    /// Adds the world's own imports to a linker that already has WASI.
    fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()>;
    /// Type-checks a pre-instantiated component against the world.
    fn new_pre(pre: InstancePre<PluginState>) -> wasmtime::Result<Self::Pre>;
}

/// A world whose calls run synchronously, through a [`Sandbox`] (filters, evaluators).
pub(crate) trait SyncWorld: World {
    /// A fresh instance in `store`.
    fn instantiate(pre: &Self::Pre, store: &mut Store<PluginState>) -> wasmtime::Result<Self>;
    /// `plugin.metadata`.
    fn metadata(&self, store: &mut Store<PluginState>) -> wasmtime::Result<PluginMetadata>;
    /// `plugin.validate-config`.
    fn validate_config(
        &self,
        store: &mut Store<PluginState>,
        config_json: &str,
    ) -> wasmtime::Result<Result<(), Vec<String>>>;
}

/// Links `component` against world `W` (WASI that grants nothing, plus the world's imports)
/// and pre-instantiates it; any failure is the plugin's load error.
pub(crate) fn pre_instantiate<W: World>(
    engine: &PluginEngine,
    name: &str,
    component: &Component,
) -> Result<W::Pre, PluginError> {
    let linker = if W::ASYNC {
        async_linker(engine.engine(), W::add_to_linker)
    } else {
        linker(engine.engine(), W::add_to_linker)
    }
    .map_err(|e| load_error(name, e))?;
    let pre = linker
        .instantiate_pre(component)
        .map_err(|e| load_error(name, e))?;
    W::new_pre(pre).map_err(|e| load_error(name, e))
}

impl<I: SyncWorld> Sandbox<I> {
    /// Pre-instantiates the component, then reads its metadata and has it validate
    /// `config_json`: how every sync plugin is loaded.
    pub(crate) fn load(
        engine: &PluginEngine,
        name: &str,
        component: &Component,
        config_json: &str,
        limits: Limits,
    ) -> Result<(Self, PluginMetadata), PluginError> {
        let pre = pre_instantiate::<I>(engine, name, component)?;
        let sandbox = Sandbox::new(
            name,
            config_json,
            engine,
            limits,
            Box::new(move |store| I::instantiate(&pre, store)),
        );
        let metadata = sandbox.introduce(
            config_json,
            |i, s| i.metadata(s),
            |i, s, c| i.validate_config(s, c),
        )?;
        Ok((sandbox, metadata))
    }
}

/// `impl World` for a world's generated bindings: its `Pre`, whether it is async, how it links.
macro_rules! world {
    ($world:ident, $pre:ident, async: $async:literal) => {
        impl World for $world {
            type Pre = $pre<PluginState>;
            const ASYNC: bool = $async;
            fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
                $world::add_to_linker::<_, Me>(linker, |s| s)
            }
            fn new_pre(pre: InstancePre<PluginState>) -> wasmtime::Result<Self::Pre> {
                $pre::new(pre)
            }
        }
    };
}

/// `impl SyncWorld` for a sync world's generated bindings: every world exports the same
/// `plugin` interface, generated once per world.
macro_rules! sync_world {
    ($world:ident) => {
        impl SyncWorld for $world {
            fn instantiate(
                pre: &Self::Pre,
                store: &mut Store<PluginState>,
            ) -> wasmtime::Result<Self> {
                pre.instantiate(store)
            }
            fn metadata(&self, store: &mut Store<PluginState>) -> wasmtime::Result<PluginMetadata> {
                self.warren_plugin_plugin().call_metadata(store)
            }
            fn validate_config(
                &self,
                store: &mut Store<PluginState>,
                config_json: &str,
            ) -> wasmtime::Result<Result<(), Vec<String>>> {
                self.warren_plugin_plugin()
                    .call_validate_config(store, config_json)
            }
        }
    };
}

world!(Evaluator, EvaluatorPre, async: false);
sync_world!(Evaluator);
world!(GroupFilter, GroupFilterPre, async: false);
sync_world!(GroupFilter);
// Notifiers link the same way; their calls are async, each in a fresh store, so they do not
// go through a [`Sandbox`] (see `notifier.rs`).
world!(Notifier, NotifierPre, async: true);

//! Generated bindings for the `group-filter` world; plugin authors use `warren-plugin-sdk`.
//! `types` and `host` come from `warren-plugin-sdk-evaluator` (see its crate docs for why
//! each world has a crate of its own).

/// The generated code (in a module: at a crate root, `pub_export_macro`'s `macro_export`
/// macros clash with their own re-exports, wit-bindgen issue #1051).
#[allow(missing_docs, clippy::all, reason = "generated bindings")]
pub mod bindings {
    wit_bindgen::generate!({
        world: "group-filter",
        path: "../../../../wit",
        pub_export_macro: true,
        export_macro_name: "__export",
        default_bindings_module: "warren_plugin_sdk_filter::bindings",
        with: {
            "warren:plugin/types@0.1.0": warren_plugin_sdk_evaluator::bindings::warren::plugin::types,
            "warren:plugin/host@0.1.0": warren_plugin_sdk_evaluator::bindings::warren::plugin::host,
        },
    });
}

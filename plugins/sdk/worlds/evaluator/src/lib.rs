//! Generated bindings for the `evaluator` world; plugin authors use `warren-plugin-sdk`.
//!
//! Each world lives in a crate of its own because all three export the `plugin` interface and
//! `pub_export_macro` puts that interface's export macro at the crate root under one fixed
//! name: two worlds in one crate define it twice (wit-bindgen issue #1502). This crate also
//! owns the `types` and `host` interfaces (`generate_unused_types`, so the filter's and the
//! notifier's types exist here too); the other two world crates map theirs onto these with
//! `with`, so every world speaks the same Rust types.

/// The generated code (in a module: at a crate root, `pub_export_macro`'s `macro_export`
/// macros clash with their own re-exports, wit-bindgen issue #1051).
#[allow(missing_docs, clippy::all, reason = "generated bindings")]
pub mod bindings {
    wit_bindgen::generate!({
        world: "evaluator",
        path: "../../../../wit",
        pub_export_macro: true,
        export_macro_name: "__export",
        default_bindings_module: "warren_plugin_sdk_evaluator::bindings",
        generate_unused_types: true,
        // Records compare in the plugins' unit tests.
        additional_derives: [PartialEq],
    });
}

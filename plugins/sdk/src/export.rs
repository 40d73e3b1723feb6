//! The three export macros. Each defines, in the plugin's crate, a private type implementing
//! the generated `Guest` traits of its world by forwarding to the plugin's [`Plugin`] and kind
//! trait, then hands that type to the world's generated export macro.
//!
//! Why the adapter: every world has its own generated `plugin` trait (an exported interface
//! cannot be shared between worlds with wit-bindgen's `with`), and Rust's orphan rule keeps this
//! crate from implementing those traits for the plugin's type. Forwarding in the plugin's own
//! crate gives authors one [`Plugin`] trait for every kind and `&str` configs.
//!
//! The adapter is compiled on every target, so a mismatched trait shows up in native
//! `cargo test` too; only the export itself is `wasm32`-only (component export names such as
//! `warren:plugin/plugin@0.1.0#metadata` do not link natively).
//!
//! [`Plugin`]: crate::Plugin

/// Exports a type implementing [`Plugin`](crate::Plugin) and
/// [`Filter`](crate::filter::Filter) as a `group-filter` component.
///
/// Usage, at the end of the plugin crate: `warren_plugin_sdk::export_filter!(MyFilter);`
#[macro_export]
macro_rules! export_filter {
    ($ty:ty) => {
        const _: () = {
            #[allow(dead_code, reason = "used only by the wasm32 exports")]
            struct WarrenExport;

            $crate::__plugin_guest!(WarrenExport, $ty, filter);

            impl $crate::__private::filter::Guest for WarrenExport {
                fn accept_group(group: $crate::types::GroupInfo) -> bool {
                    <$ty as $crate::filter::Filter>::accept(group)
                }
            }

            // Natively nothing exports the plugin: keep its type from counting as dead code.
            #[cfg(not(target_arch = "wasm32"))]
            let _ = <$ty as $crate::filter::Filter>::accept;

            #[cfg(target_arch = "wasm32")]
            $crate::__private::filter::__export!(WarrenExport with_types_in $crate::__private::filter);
        };
    };
}

/// Exports a type implementing [`Plugin`](crate::Plugin) and
/// [`Evaluator`](crate::evaluator::Evaluator) as an `evaluator` component.
///
/// Usage, at the end of the plugin crate: `warren_plugin_sdk::export_evaluator!(MyPolicy);`
#[macro_export]
macro_rules! export_evaluator {
    ($ty:ty) => {
        const _: () = {
            #[allow(dead_code, reason = "used only by the wasm32 exports")]
            struct WarrenExport;

            $crate::__plugin_guest!(WarrenExport, $ty, evaluator);

            impl $crate::__private::evaluator::Guest for WarrenExport {
                fn evaluate(
                    window: $crate::types::GroupWindow,
                ) -> ::core::result::Result<$crate::types::GroupStatus, ::std::string::String> {
                    <$ty as $crate::evaluator::Evaluator>::evaluate(window)
                }
            }

            // Natively nothing exports the plugin: keep its type from counting as dead code.
            #[cfg(not(target_arch = "wasm32"))]
            let _ = <$ty as $crate::evaluator::Evaluator>::evaluate;

            #[cfg(target_arch = "wasm32")]
            $crate::__private::evaluator::__export!(WarrenExport with_types_in $crate::__private::evaluator);
        };
    };
}

/// Exports a type implementing [`Plugin`](crate::Plugin) and
/// [`Notifier`](crate::notifier::Notifier) as a `notifier` component.
///
/// Usage, at the end of the plugin crate: `warren_plugin_sdk::export_notifier!(MyWebhook);`
#[macro_export]
macro_rules! export_notifier {
    ($ty:ty) => {
        const _: () = {
            #[allow(dead_code, reason = "used only by the wasm32 exports")]
            struct WarrenExport;

            $crate::__plugin_guest!(WarrenExport, $ty, notifier);

            impl $crate::__private::notifier::Guest for WarrenExport {
                fn notify(
                    event: $crate::types::IncidentEvent,
                ) -> ::core::result::Result<(), $crate::types::NotifyError> {
                    <$ty as $crate::notifier::Notifier>::notify(event)
                }
            }

            // Natively nothing exports the plugin: keep its type from counting as dead code.
            #[cfg(not(target_arch = "wasm32"))]
            let _ = <$ty as $crate::notifier::Notifier>::notify;

            #[cfg(target_arch = "wasm32")]
            $crate::__private::notifier::__export!(WarrenExport with_types_in $crate::__private::notifier);
        };
    };
}

/// The `plugin` interface of one world, forwarded to [`Plugin`](crate::Plugin).
#[doc(hidden)]
#[macro_export]
macro_rules! __plugin_guest {
    ($adapter:ident, $ty:ty, $world:ident) => {
        impl $crate::__private::$world::exports::warren::plugin::plugin::Guest for $adapter {
            fn metadata() -> $crate::types::PluginMetadata {
                <$ty as $crate::Plugin>::metadata()
            }

            fn validate_config(
                config: ::std::string::String,
            ) -> ::core::result::Result<(), ::std::vec::Vec<::std::string::String>> {
                <$ty as $crate::Plugin>::validate_config(&config)
            }
        }
    };
}

//! Patterns over topic and consumer-group names, for plugins whose config picks topics or
//! groups (`"payments-*"`): `*`, `?`, `[a-z]` and `[!a-z]`, matched on the whole name. The
//! pattern language is [`warren_common::glob`], the one the host reads `clusters` globs with.
//!
//! ```
//! use warren_plugin_sdk::glob::Glob;
//!
//! assert!(Glob::topic("payments-*").unwrap().matches("payments-eu"));
//! assert!(Glob::group("team a/*").unwrap().matches("team a/billing"));
//! assert!(Glob::topic("pay ments").is_err());
//! ```

pub use warren_common::glob::Glob;

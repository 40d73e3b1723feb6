//! What the host and the plugin SDK must mean alike, written once: a plugin's `config` table
//! sits in the same TOML file as the host's own keys, so `"1h30m"` or `"prod-*"` has to mean the
//! same thing whichever side reads it.
//!
//! - [`duration`]: `"500ms"`, `"90s"`, `"1h30m"`, a bare number of seconds; at most ten years,
//!   and anything larger (including arithmetic overflow) is an error, never saturated.
//! - [`glob`]: whole-name patterns with `*`, `?` and `[a-z]` / `[!a-z]` classes.
//! - [`percent`]: percent-encoding of a URL path segment.
//!
//! No dependencies beyond `std`: the crate builds for the host and for `wasm32-wasip2` alike.

pub mod duration;
pub mod glob;
pub mod percent;

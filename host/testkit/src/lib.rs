//! Test support shared by Warren's host crates (a dev-dependency only).
//!
//! [`golden`] is the one golden-file rule every golden test follows: compare the output with a
//! file in the repository, print a line diff when they differ, and rewrite the file instead
//! when the test runs with `BLESS=1`. [`tmpfs`] is a small real file system to fill up or
//! make read-only under the code being tested. [`promtool`] says whether Prometheus' own checker
//! accepts a `/metrics` body. [`free_port`] is a port for a server a test starts, drawn where
//! the test's own connections cannot take it first.

pub mod golden;
mod ports;
pub mod promtool;
pub mod tmpfs;

pub use ports::free_port;

//! The daemon as a library: the binary (`main.rs`) and the end-to-end tests share exactly this
//! wiring, so tests exercise the real collection path and the real HTTP listener.

pub mod app;
pub mod background;
pub mod bundled_sdk;
pub mod config_file;
pub mod demo;
pub mod dev;
pub mod evaluate;
pub mod hash_password;
pub mod leadership;
pub mod notify;
pub mod persist;
pub mod plugin_cli;
pub mod plugins;
pub mod process;
pub mod progress;
pub mod scaffold;
pub mod status_cli;
pub mod telemetry;

//! The first-party plugins compiled into the binary (`path = "builtin:NAME"`), embedded by
//! `build.rs` from the `plugins/` workspace.

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The component bytes of built-in plugin `name`, or why there is none.
pub fn builtin(name: &str) -> Result<&'static [u8], String> {
    if let Some((_, bytes)) = BUILTINS.iter().find(|(n, _)| *n == name) {
        return Ok(bytes);
    }
    if let Some(why) = MISSING {
        return Err(format!(
            "no built-in plugin {name:?}: this binary was {why}"
        ));
    }
    Err(format!(
        "no built-in plugin {name:?}; built-ins: {}",
        builtin_names().join(", ")
    ))
}

/// Names of the built-in plugins, sorted.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(n, _)| *n).collect()
}

//! The config reader: TOML text to resolved config or the list of problems. Never a panic;
//! every problem names a key path or says what is wrong. Every `${VAR}` of even name length
//! resolves (to a value that is itself a `${...}`), the others are unset, so both paths of
//! substitution run.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let env = |name: &str| name.len().is_multiple_of(2).then(|| "${X}".to_string());
    if let Err(problems) = warren_core::config::load(text, &env) {
        assert!(!problems.is_empty(), "an error lists at least one problem");
        for p in &problems {
            assert!(!p.to_string().is_empty(), "a problem says something");
        }
    }
});

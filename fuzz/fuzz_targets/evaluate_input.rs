//! `warren evaluate`'s JSON input: parsed, then (when valid) evaluated with Burrow's rules into
//! the `/lag` JSON and turned into the snapshot plugins see. Never a panic, whatever the
//! numbers (offsets, times and lags at the ends of their ranges).
#![no_main]

use libfuzzer_sys::fuzz_target;

// The daemon crate also links rdkafka and wasmtime; compile its evaluate module alone.
#[path = "../../host/daemon/src/evaluate.rs"]
#[allow(
    dead_code,
    reason = "its file reading and printing are the CLI's, not fuzzed"
)]
mod evaluate;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(input) = evaluate::parse(text) {
        let _ = evaluate::evaluate(&input);
        let _ = evaluate::snapshot(&input);
    }
});

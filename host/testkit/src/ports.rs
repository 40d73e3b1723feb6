//! Ports for the servers a test starts: free on 127.0.0.1 a moment ago, and drawn below the
//! kernel's ephemeral range. Ports from bind(0) come from that range, and so does the source
//! port of every outgoing connection: with tests connecting all the while, one of them can take
//! the port before a server that starts slowly (a browser driver, a daemon process, a JVM)
//! binds it. `scripts/free-port` draws the brokers' ports the same way.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::TcpListener;

/// Where ports are drawn: from 10,000 (1,024 when the ephemeral range starts lower) up to the
/// ephemeral range; `None` when that leaves too few.
fn range() -> Option<(u16, u16)> {
    let ephemeral_low: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let low = if ephemeral_low > 11_000 {
        10_000
    } else {
        1_024
    };
    (ephemeral_low > low + 1_000).then_some((low, ephemeral_low))
}

/// A port that was free a moment ago on 127.0.0.1, below the ephemeral range where the system
/// says where that starts (else one from bind(0)).
pub fn free_port() -> u16 {
    if let Some((low, high)) = range() {
        let random = RandomState::new();
        for attempt in 0u32..1_000 {
            let port = low + (random.hash_one(attempt) % u64::from(high - low)) as u16;
            if TcpListener::bind(("127.0.0.1", port)).is_ok() {
                return port;
            }
        }
    }
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_is_bindable_and_below_the_ephemeral_range() {
        let port = free_port();
        TcpListener::bind(("127.0.0.1", port)).expect("free");
        if let Some((low, high)) = range() {
            assert!((low..high).contains(&port), "{port} not in {low}..{high}");
        }
    }
}

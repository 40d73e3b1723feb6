//! What a plugin can reach of the outside world, as one line; shared by the test plugins
//! (`misbehave`, `probe-filter`, `probe-notifier`) so each plugin kind reports the same things
//! from inside its own sandbox. Each probe reads `ok` when it worked, else the error's kind.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn outcome<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => format!("{:?}", e.kind()),
    }
}

/// `env=.. args=.. root=.. passwd=.. write=.. tcp=.. udp=.. dns=.. wall-ms=.. slept-ms=.. hash=..`
pub fn report() -> String {
    let env = std::env::vars_os().count();
    let args = std::env::args_os().count();
    let root = outcome(std::fs::read_dir("/"));
    let passwd = outcome(std::fs::read("/etc/passwd"));
    let write = outcome(std::fs::write("probe.txt", b"x"));
    let tcp = outcome(TcpStream::connect("127.0.0.1:9"));
    let udp = outcome(UdpSocket::bind("0.0.0.0:0"));
    let dns = outcome("localhost:80".to_socket_addrs());
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(20));
    let slept = start.elapsed().as_millis();
    let hash = RandomState::new().hash_one(0u8);
    format!(
        "env={env} args={args} root={root} passwd={passwd} write={write} tcp={tcp} udp={udp} \
         dns={dns} wall-ms={wall} slept-ms={slept} hash={hash:016x}"
    )
}

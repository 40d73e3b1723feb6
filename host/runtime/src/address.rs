//! Where a notifier may connect: the operator's `allowed-outbound-hosts` list (exact names,
//! leading-`*.` wildcards, optional port) and the address ranges refused even for an allowed
//! name (loopback, private, CGNAT, link-local including cloud metadata, unspecified,
//! multicast, broadcast, and their IPv4-mapped IPv6 forms) unless the operator allows private
//! addresses. Used before a request, on every redirect hop, and by the DNS resolver the HTTP
//! client connects through, so a name that resolves (or re-resolves) to an internal address is
//! refused too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Names of cloud metadata services, refused like the addresses they resolve to.
const METADATA_NAMES: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.internal",
];

/// One `allowed-outbound-hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Lower-case host without brackets; for a wildcard, the suffix after `*.`.
    host: String,
    /// The address, when the entry is one (compared as addresses: `::ffff:7f00:1` is
    /// `::ffff:127.0.0.1`).
    ip: Option<IpAddr>,
    wildcard: bool,
    port: Option<u16>,
}

/// A parsed allow-list.
#[derive(Debug, Clone, Default)]
pub(crate) struct AllowList {
    entries: Vec<Entry>,
}

impl AllowList {
    /// Parses the entries; every malformed one is reported.
    pub(crate) fn parse(entries: &[String]) -> Result<Self, Vec<String>> {
        let mut parsed = Vec::new();
        let mut problems = Vec::new();
        for raw in entries {
            match parse_entry(raw) {
                Ok(e) => parsed.push(e),
                Err(why) => problems.push(format!("allowed-outbound-hosts: `{raw}` {why}")),
            }
        }
        if problems.is_empty() {
            Ok(AllowList { entries: parsed })
        } else {
            Err(problems)
        }
    }

    /// Whether `host` (as a URL holds it) on `port` is on the list.
    pub(crate) fn allows(&self, host: &str, port: u16) -> bool {
        let host = normalize(host);
        let ip = host.parse::<IpAddr>().ok();
        self.entries.iter().any(|e| {
            let name_ok = if let (Some(a), Some(b)) = (ip, e.ip) {
                a == b
            } else if e.wildcard {
                // `*.0.1` must not admit `10.0.0.1`: wildcards are for names only.
                ip.is_none()
                    && host.len() > e.host.len() + 1
                    && host.ends_with(&e.host)
                    && host.as_bytes()[host.len() - e.host.len() - 1] == b'.'
            } else {
                host == e.host
            };
            name_ok && e.port.is_none_or(|p| p == port)
        })
    }
}

fn parse_entry(raw: &str) -> Result<Entry, &'static str> {
    let s = raw.trim();
    if s.is_empty() || s.contains('/') || s.contains('@') {
        return Err("is not a host name, optionally with `:port`");
    }
    let (host, port) = split_port(s)?;
    let (wildcard, host) = match host.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, host),
    };
    let host = normalize(host);
    if host.is_empty() || host.contains('*') {
        return Err("may only use `*.` as a leading wildcard");
    }
    Ok(Entry {
        ip: if wildcard { None } else { host.parse().ok() },
        host,
        wildcard,
        port,
    })
}

fn split_port(s: &str) -> Result<(&str, Option<u16>), &'static str> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("has an unclosed `[`")?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host, Some(p.parse().map_err(|_| "has a bad port")?))),
            None if after.is_empty() => Ok((host, None)),
            None => Err("has text after `]`"),
        };
    }
    match s.rsplit_once(':') {
        // A bare IPv6 address has several colons and no port.
        Some((h, _)) if h.contains(':') => Ok((s, None)),
        Some((h, p)) => Ok((h, Some(p.parse().map_err(|_| "has a bad port")?))),
        None => Ok((s, None)),
    }
}

/// Lower case, no brackets, no trailing dot.
fn normalize(host: &str) -> String {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.trim_end_matches('.').to_ascii_lowercase()
}

/// `Some(reason)` when a host name is refused before resolution (cloud metadata names).
pub(crate) fn forbidden_name(host: &str) -> Option<&'static str> {
    let h = normalize(host);
    METADATA_NAMES
        .contains(&h.as_str())
        .then_some("a cloud metadata service name")
}

/// `Some(reason)` when an address is loopback, private, link-local, metadata, unspecified,
/// multicast, broadcast or otherwise not a public unicast destination.
pub(crate) fn forbidden_ip(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b) {
        _ if ip.is_unspecified() || a == 0 => "an unspecified (0.0.0.0/8) address",
        (127, _) => "a loopback address",
        (10, _) => "a private address",
        (172, 16..=31) => "a private address",
        (192, 168) => "a private address",
        (100, 64..=127) => "a shared (CGNAT) address",
        (169, 254) => "a link-local or cloud metadata address",
        (192, 0) if c == 0 => "an IETF protocol address",
        (198, 18..=19) => "a benchmarking address",
        (192, 0) if c == 2 => "a documentation address",
        (198, 51) if c == 100 => "a documentation address",
        (203, 0) if c == 113 => "a documentation address",
        _ if ip.is_broadcast() => "the broadcast address",
        (224..=239, _) => "a multicast address",
        (240..=255, _) => "a reserved address",
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
    // forms reach the embedded IPv4 address: judge that one.
    let seg = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    if seg[..6] == [0; 6] && !ip.is_unspecified() && !ip.is_loopback() {
        return forbidden_v4(Ipv4Addr::from_bits(ip.to_bits() as u32));
    }
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return forbidden_v4(Ipv4Addr::from_bits(ip.to_bits() as u32));
    }
    Some(match seg[0] {
        _ if ip.is_unspecified() => "an unspecified address",
        // 6to4 and Teredo relay to an IPv4 address the host cannot judge (Teredo obfuscates
        // it); local-use NAT64 translates into a private network.
        0x2002 => "a 6to4 address",
        0x2001 if seg[1] == 0 => "a Teredo address",
        0x0064 if seg[1] == 0xff9b && seg[2] == 1 => "a local-use NAT64 address",
        0x2001 if seg[1] == 0x0db8 => "a documentation address",
        s if s & 0xfff0 == 0x3ff0 => "a documentation address",
        0x0100 if seg[1..4] == [0, 0, 0] => "a discard-only address",
        _ if ip.is_loopback() => "a loopback address",
        s if s & 0xfe00 == 0xfc00 => "a unique-local (private) address",
        s if s & 0xffc0 == 0xfe80 => "a link-local address",
        s if s & 0xffc0 == 0xfec0 => "a site-local address",
        s if s & 0xff00 == 0xff00 => "a multicast address",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> AllowList {
        AllowList::parse(&entries.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn allow_list_matches_exact_names_wildcards_and_ports() {
        let l = list(&[
            "hooks.slack.com",
            "*.pagerduty.com",
            "127.0.0.1:8099",
            "[::1]:80",
        ]);
        assert!(l.allows("hooks.slack.com", 443));
        assert!(l.allows("HOOKS.slack.com.", 8080), "case and trailing dot");
        assert!(!l.allows("evil-hooks.slack.com", 443));
        assert!(l.allows("events.pagerduty.com", 443));
        assert!(l.allows("a.b.pagerduty.com", 443));
        assert!(
            !l.allows("pagerduty.com", 443),
            "a wildcard needs a subdomain"
        );
        assert!(!l.allows("xpagerduty.com", 443));
        assert!(l.allows("127.0.0.1", 8099));
        assert!(
            !l.allows("127.0.0.1", 8098),
            "the port is part of the entry"
        );
        assert!(l.allows("[::1]", 80));
        assert!(
            list(&["[::ffff:127.0.0.1]"]).allows("[::ffff:7f00:1]", 80),
            "compared as addresses"
        );
        assert!(
            !list(&[]).allows("hooks.slack.com", 443),
            "empty list grants nothing"
        );
        assert!(
            !list(&["*.0.1"]).allows("10.0.0.1", 80),
            "a wildcard never matches an IP address"
        );
    }

    #[test]
    fn malformed_entries_are_all_reported() {
        let bad = ["https://x.com/", "a.*.com", "x.com:http", ""].map(String::from);
        assert_eq!(AllowList::parse(&bad).unwrap_err().len(), 4);
    }

    #[test]
    fn internal_addresses_are_forbidden_public_ones_are_not() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "64:ff9b::10.0.0.1",
            "::10.0.0.1",
            "2002:c000:0204::1",
            "2002:0808:0808::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "64:ff9b:1::8.8.8.8",
            "2001:db8::1",
            "3fff::1",
            "3fff:0fff::1",
            "100::1",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "::ffff:203.0.113.9",
        ] {
            assert!(
                forbidden_ip(ip.parse().unwrap()).is_some(),
                "{ip} should be forbidden"
            );
        }
        for ip in [
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "2001:4860:4860::8888",
            "2a00:1450:4001::1",
            "192.0.3.1",
        ] {
            assert_eq!(
                forbidden_ip(ip.parse().unwrap()),
                None,
                "{ip} should be allowed"
            );
        }
        assert!(forbidden_name("Metadata.Google.Internal.").is_some());
        assert!(forbidden_name("hooks.slack.com").is_none());
    }
}

//! Percent-encoding for a URL path segment or query value.

/// `s` with every byte but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) written as
/// `%XX` (upper-case hex): the most aggressive form a URL library produces, so a value encoded
/// here is safe in any part of a URL.
///
/// ```
/// assert_eq!(warren_common::percent::encode("team a/b"), "team%20a%2Fb");
/// ```
pub fn encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn only_unreserved_characters_stay_as_they_are() {
        assert_eq!(encode("Az09-._~"), "Az09-._~");
        assert_eq!(encode("a b/c?d#e%f"), "a%20b%2Fc%3Fd%23e%25f");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode(""), "");
    }
}

//! LEB128 varints and zig-zag signed integers, the one encoding of storage's numbers: the
//! windows held in memory (`window.rs`) and the bytes a restart resumes from (`persist.rs`).

/// The longest varint of a `u64`.
pub(crate) const MAX_LEN: usize = 10;

/// Maps a signed value to an unsigned one that is small when the value is near zero.
pub(crate) fn zig(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The inverse of [`zig`].
pub(crate) fn unzig(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Writes `v` at `out[*at..]` and moves `at` past it. `out` must have [`MAX_LEN`] bytes free.
#[inline]
pub(crate) fn put(out: &mut [u8], at: &mut usize, mut v: u64) {
    while v >= 0x80 {
        out[*at] = (v as u8) | 0x80;
        *at += 1;
        v >>= 7;
    }
    out[*at] = v as u8;
    *at += 1;
}

/// Reads the varint at `bytes[*at..]`, written by [`put`] into a buffer this process owns,
/// and moves `at` past it.
#[inline]
pub(crate) fn get(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

/// Moves `at` past `count` varints.
#[inline]
pub(crate) fn skip(bytes: &[u8], at: &mut usize, mut count: usize) {
    while count > 0 {
        if bytes[*at] & 0x80 == 0 {
            count -= 1;
        }
        *at += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_put_get_and_skip() {
        let values = [0, 1, -1, 63, -64, 64, i64::MAX, i64::MIN, 1_700_000_000_000];
        let mut buf = [0u8; MAX_LEN * 9];
        let mut at = 0;
        for v in values {
            put(&mut buf, &mut at, zig(v));
        }
        let end = at;
        let mut at = 0;
        for v in values {
            assert_eq!(unzig(get(&buf, &mut at)), v);
        }
        assert_eq!(at, end);
        let mut at = 0;
        skip(&buf, &mut at, values.len());
        assert_eq!(at, end);
    }

    #[test]
    fn small_values_take_one_byte_and_the_largest_ten() {
        let mut buf = [0u8; MAX_LEN];
        let mut at = 0;
        put(&mut buf, &mut at, zig(-64));
        assert_eq!(at, 1);
        let mut at = 0;
        put(&mut buf, &mut at, u64::MAX);
        assert_eq!(at, MAX_LEN);
    }
}

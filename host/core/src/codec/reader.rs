//! Bounds-checked cursor over one record's key or value bytes, the lowest layer of the decoder.
//!
//! It owns the primitive encodings of Kafka's message schemas (big-endian integers, unsigned
//! varints, classic and compact strings, bytes and array lengths, tagged-field sections) and
//! the rule that every read is checked: a short buffer or an impossible length becomes a
//! [`DecodeError`] naming the field, never a panic. Strings and bytes are returned as borrows
//! of the input, so reading allocates nothing.
//!
//! A reader is either classic (int16/int32 length prefixes) or flexible (Kafka's "compact"
//! encodings: unsigned varint length + 1, with 0 meaning null, plus tagged fields); the
//! decoder switches it once it has read a value version, so field-reading code is shared.

use super::error::{DecodeError, Detail};
use crate::model::TopicId;

/// Kafka refuses to read or write strings longer than this, whatever the length prefix width.
const MAX_STRING_LEN: usize = 0x7fff;

/// Cursor over the unread part of a buffer.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
    flexible: bool,
}

impl<'a> Reader<'a> {
    /// A classic (non-flexible) reader over `buf`.
    #[inline]
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Self {
            rest: buf,
            flexible: false,
        }
    }

    /// Switches between classic and compact encodings for the rest of the buffer.
    #[inline]
    pub(super) fn set_flexible(&mut self, flexible: bool) {
        self.flexible = flexible;
    }

    /// Bytes not yet read.
    #[inline]
    pub(super) fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Capacity to reserve for `count` elements of at least `min_element_size` bytes each:
    /// never more than the remaining bytes could hold, so a lying count cannot make us
    /// allocate gigabytes before the truncation is noticed.
    #[inline]
    pub(super) fn capacity_for(&self, count: usize, min_element_size: usize) -> usize {
        count.min(self.remaining() / min_element_size.max(1))
    }

    #[inline]
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        match self.rest.split_at_checked(n) {
            Some((head, tail)) => {
                self.rest = tail;
                Ok(head)
            }
            None => Err(DecodeError::truncated(field, n, self.rest.len())),
        }
    }

    #[inline]
    fn fixed<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        match self.rest.split_first_chunk::<N>() {
            Some((head, tail)) => {
                self.rest = tail;
                Ok(*head)
            }
            None => Err(DecodeError::truncated(field, N, self.rest.len())),
        }
    }

    #[inline]
    pub(super) fn i8(&mut self, field: &'static str) -> Result<i8, DecodeError> {
        self.fixed(field).map(i8::from_be_bytes)
    }

    #[inline]
    pub(super) fn i16(&mut self, field: &'static str) -> Result<i16, DecodeError> {
        self.fixed(field).map(i16::from_be_bytes)
    }

    #[inline]
    pub(super) fn i32(&mut self, field: &'static str) -> Result<i32, DecodeError> {
        self.fixed(field).map(i32::from_be_bytes)
    }

    #[inline]
    pub(super) fn i64(&mut self, field: &'static str) -> Result<i64, DecodeError> {
        self.fixed(field).map(i64::from_be_bytes)
    }

    /// A UUID (Kafka's `uuid` type: 16 bytes, most significant half first).
    #[inline]
    pub(super) fn uuid(&mut self, field: &'static str) -> Result<TopicId, DecodeError> {
        self.fixed(field).map(TopicId)
    }

    /// Unsigned LEB128 varint of at most 5 bytes; longer or overflowing encodings are rejected
    /// rather than silently wrapped, since they only occur in corrupt data.
    #[inline]
    pub(super) fn uvarint(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let mut value = 0u32;
        for shift in [0u32, 7, 14, 21] {
            let [byte] = self.fixed::<1>(field)?;
            value |= u32::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        let [last] = self.fixed::<1>(field)?;
        if last & 0x80 != 0 {
            return Err(DecodeError::invalid_length(field, Detail::VarintTooLong));
        }
        if last > 0x0f {
            return Err(DecodeError::invalid_length(field, Detail::VarintOverflow));
        }
        Ok(value | (u32::from(last) << 28))
    }

    /// A string that must not be null.
    #[inline]
    pub(super) fn string(&mut self, field: &'static str) -> Result<&'a str, DecodeError> {
        self.nullable_string(field)?
            .ok_or_else(|| DecodeError::invalid_length(field, Detail::Null))
    }

    /// A nullable string: int16 length with -1 for null, or in flexible mode uvarint
    /// length + 1 with 0 for null. Other negative lengths are rejected: Kafka never writes
    /// them, so they signal corruption.
    #[inline]
    pub(super) fn nullable_string(
        &mut self,
        field: &'static str,
    ) -> Result<Option<&'a str>, DecodeError> {
        let len = if self.flexible {
            match self.uvarint(field)?.checked_sub(1) {
                None => return Ok(None),
                Some(len) => u64::from(len),
            }
        } else {
            match self.i16(field)? {
                -1 => return Ok(None),
                len if len < 0 => {
                    return Err(DecodeError::invalid_length(
                        field,
                        Detail::NegativeLength(len.into()),
                    ));
                }
                len => len.unsigned_abs().into(),
            }
        };
        let len = match usize::try_from(len) {
            Ok(len) if len <= MAX_STRING_LEN => len,
            _ => return Err(DecodeError::invalid_length(field, Detail::TooLong(len))),
        };
        let bytes = self.take(len, field)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Some(s)),
            Err(e) => Err(DecodeError::invalid_utf8(field, e.valid_up_to())),
        }
    }

    /// Non-nullable bytes: int32 length, or in flexible mode uvarint length + 1.
    pub(super) fn bytes(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let len = self.length(field)?;
        self.take(len, field)
    }

    /// Non-nullable array element count: int32, or in flexible mode uvarint count + 1.
    pub(super) fn array_len(&mut self, field: &'static str) -> Result<usize, DecodeError> {
        self.length(field)
    }

    /// Shared by bytes and arrays, which use the same length prefix.
    fn length(&mut self, field: &'static str) -> Result<usize, DecodeError> {
        if self.flexible {
            match self.uvarint(field)?.checked_sub(1) {
                None => Err(DecodeError::invalid_length(field, Detail::Null)),
                // Saturating is safe: a count that large can never be satisfied by the bytes
                // left, so it still ends in a truncation error.
                Some(len) => Ok(usize::try_from(len).unwrap_or(usize::MAX)),
            }
        } else {
            match self.i32(field)? {
                -1 => Err(DecodeError::invalid_length(field, Detail::Null)),
                len => usize::try_from(len).map_err(|_| {
                    DecodeError::invalid_length(field, Detail::NegativeLength(len.into()))
                }),
            }
        }
    }

    /// Skips a tagged-field section (flexible mode only; a no-op for classic readers). Tags
    /// are not interpreted: Warren needs none of them, and skipping keeps future tags
    /// harmless. The loop is bounded by the input, as every field consumes at least 2 bytes.
    #[inline]
    pub(super) fn skip_tagged_fields(&mut self, field: &'static str) -> Result<(), DecodeError> {
        if !self.flexible {
            return Ok(());
        }
        let count = self.uvarint(field)?;
        for _ in 0..count {
            self.uvarint(field)?;
            let size = self.uvarint(field)?;
            self.take(usize::try_from(size).unwrap_or(usize::MAX), field)?;
        }
        Ok(())
    }
}

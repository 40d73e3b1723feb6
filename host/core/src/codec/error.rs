//! Decode errors of the `__consumer_offsets` codec: what the consumer loop logs and counts when
//! a record cannot be decoded, before skipping it.
//!
//! An error carries a stable [`DecodeErrorKind`] (a metrics label), the name of the field being
//! read, and a detail that makes the log line actionable ("need 12 bytes, 3 left"). Errors are
//! built on cold paths so the decoder's happy path stays small.

use std::fmt;

/// The class of a decode failure; [`DecodeErrorKind::as_str`] is a short stable metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecodeErrorKind {
    /// The record ended before a field did.
    Truncated,
    /// A length, count or unsigned varint is impossible: negative, null where the schema
    /// forbids it, longer than Kafka allows, or an over-long/overflowing varint. Every varint
    /// in these schemas is a length, count, tag or size, hence one kind for all of them.
    InvalidLength,
    /// A string is not valid UTF-8.
    InvalidUtf8,
    /// The key version is negative.
    KeyVersion,
    /// The value version is not one this codec knows (offset commit and group metadata
    /// values: 0..=4; KIP-848 consumer-group values: 0).
    ValueVersion,
    /// A member's consumer-protocol assignment is malformed; the whole record is rejected.
    Assignment,
}

impl DecodeErrorKind {
    /// Every kind, so metrics can pre-register one series per label.
    pub const ALL: &[DecodeErrorKind] = &[
        DecodeErrorKind::Truncated,
        DecodeErrorKind::InvalidLength,
        DecodeErrorKind::InvalidUtf8,
        DecodeErrorKind::KeyVersion,
        DecodeErrorKind::ValueVersion,
        DecodeErrorKind::Assignment,
    ];

    /// Short stable label, suitable as a metrics label value.
    pub fn as_str(&self) -> &'static str {
        match self {
            DecodeErrorKind::Truncated => "truncated",
            DecodeErrorKind::InvalidLength => "invalid_length",
            DecodeErrorKind::InvalidUtf8 => "invalid_utf8",
            DecodeErrorKind::KeyVersion => "key_version",
            DecodeErrorKind::ValueVersion => "value_version",
            DecodeErrorKind::Assignment => "assignment",
        }
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a record could not be decoded; `kind()` is a short stable label for metrics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", Rendered(self))]
pub struct DecodeError {
    kind: DecodeErrorKind,
    field: &'static str,
    detail: Detail,
}

/// What exactly went wrong; kept private so messages can improve without breaking callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Detail {
    Truncated {
        need: usize,
        left: usize,
    },
    NegativeLength(i64),
    TooLong(u64),
    Null,
    VarintTooLong,
    VarintOverflow,
    Utf8 {
        valid_up_to: usize,
    },
    Version(i16),
    /// A value version above the highest this codec knows for that record type.
    Unsupported {
        version: i16,
        known: i16,
    },
}

impl DecodeError {
    /// The class of failure, for metrics.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// The field that was being read when decoding failed, e.g. `"member client_id"`.
    pub fn field(&self) -> &'static str {
        self.field
    }

    #[cold]
    pub(super) fn truncated(field: &'static str, need: usize, left: usize) -> Self {
        Self::new(
            DecodeErrorKind::Truncated,
            field,
            Detail::Truncated { need, left },
        )
    }

    #[cold]
    pub(super) fn invalid_length(field: &'static str, detail: Detail) -> Self {
        Self::new(DecodeErrorKind::InvalidLength, field, detail)
    }

    #[cold]
    pub(super) fn invalid_utf8(field: &'static str, valid_up_to: usize) -> Self {
        Self::new(
            DecodeErrorKind::InvalidUtf8,
            field,
            Detail::Utf8 { valid_up_to },
        )
    }

    #[cold]
    pub(super) fn version(kind: DecodeErrorKind, field: &'static str, version: i16) -> Self {
        Self::new(kind, field, Detail::Version(version))
    }

    /// Re-labels an error raised inside assignment bytes: for metrics, a bad assignment is one
    /// failure class whatever the cause, while the message keeps the precise cause.
    #[cold]
    pub(super) fn into_assignment(self) -> Self {
        Self {
            kind: DecodeErrorKind::Assignment,
            ..self
        }
    }

    /// A value version outside `0..=known`.
    #[cold]
    pub(super) fn value_version(field: &'static str, version: i16, known: i16) -> Self {
        Self::new(
            DecodeErrorKind::ValueVersion,
            field,
            Detail::Unsupported { version, known },
        )
    }

    fn new(kind: DecodeErrorKind, field: &'static str, detail: Detail) -> Self {
        Self {
            kind,
            field,
            detail,
        }
    }
}

/// Formats a [`DecodeError`]; a separate type because thiserror's attribute takes one
/// expression and the message depends on both the kind and the detail.
struct Rendered<'e>(&'e DecodeError);

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let DecodeError {
            kind,
            field,
            detail,
        } = self.0;
        if *kind == DecodeErrorKind::Assignment {
            f.write_str("malformed consumer assignment: ")?;
        }
        match *detail {
            Detail::Truncated { need, left } => write!(
                f,
                "truncated reading {field} (need {need} bytes, {left} left)"
            ),
            Detail::NegativeLength(len) => write!(f, "invalid length {len} reading {field}"),
            Detail::TooLong(len) => write!(
                f,
                "invalid length {len} reading {field} (Kafka strings are at most 32767 bytes)"
            ),
            Detail::Null => write!(f, "null {field}, which the schema does not allow"),
            Detail::VarintTooLong => {
                write!(f, "unsigned varint longer than 5 bytes reading {field}")
            }
            Detail::VarintOverflow => write!(f, "unsigned varint overflows u32 reading {field}"),
            Detail::Utf8 { valid_up_to } => {
                write!(
                    f,
                    "invalid UTF-8 in {field} after {valid_up_to} valid bytes"
                )
            }
            Detail::Version(version) => write!(f, "negative {field} {version}"),
            Detail::Unsupported { version, known } => {
                write!(f, "unsupported {field} {version} (known: 0..={known})")
            }
        }
    }
}

//! The body a render writes, and its gzip. When the scrapers want only gzip (Prometheus), the
//! text goes to the compressor a megabyte at a time as the render writes it, so a render of a
//! million partitions (about 700 MiB of text) never holds the whole text; otherwise the text
//! is kept, and gzipped whole at the end if some scraper wants that too.

use std::io::{Read as _, Write as _};

use axum::body::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;

/// Text handed to the compressor at a time.
const CHUNK: usize = 1 << 20;

pub(super) struct Sink {
    /// What the render writes; with only gzip wanted, the part not compressed yet.
    pub(super) text: String,
    packed: Option<GzEncoder<Vec<u8>>>,
    keep_text: bool,
    /// Text bytes compressed so far.
    compressed: usize,
}

impl Sink {
    /// A body for the encodings wanted (the text when nothing is wanted yet); `size` is a
    /// guess of the text's length (the last render's).
    pub(super) fn new(text: bool, gzip: bool, size: usize) -> Self {
        let keep_text = text || !gzip;
        Sink {
            text: String::with_capacity(if keep_text {
                size + size / 16
            } else {
                2 * CHUNK
            }),
            packed: gzip.then(|| encoder(size)),
            keep_text,
            compressed: 0,
        }
    }

    /// Compresses what was written so far once it is a chunk, unless the text is kept.
    pub(super) fn flush_if_large(&mut self) {
        if self.keep_text || self.text.len() < CHUNK {
            return;
        }
        if let Some(packed) = &mut self.packed {
            // Writing to a Vec cannot fail.
            let _ = packed.write_all(self.text.as_bytes());
            self.compressed += self.text.len();
            self.text.clear();
        }
    }

    /// The text's whole length.
    pub(super) fn len(&self) -> usize {
        self.compressed + self.text.len()
    }

    /// The text (if kept) and the gzip (if wanted).
    pub(super) fn finish(self) -> (Option<Bytes>, Option<Bytes>) {
        let packed = self.packed.map(|mut p| {
            let _ = p.write_all(self.text.as_bytes());
            Bytes::from(p.finish().unwrap_or_default())
        });
        let text = self.keep_text.then(|| Bytes::from(self.text));
        (text, packed)
    }
}

/// A gzip stream at the fastest level (a body is compressed once per render), sized for
/// `size` bytes of text.
fn encoder(size: usize) -> GzEncoder<Vec<u8>> {
    GzEncoder::new(Vec::with_capacity(size / 16), Compression::fast())
}

/// Gzip of a whole text, in one go.
pub(super) fn compress(text: &[u8]) -> Bytes {
    let mut packed = encoder(text.len());
    // Writing to a Vec cannot fail.
    let _ = packed.write_all(text);
    Bytes::from(packed.finish().unwrap_or_default())
}

pub(super) fn decompress(packed: &[u8]) -> Bytes {
    let mut text = Vec::with_capacity(packed.len() * 16);
    // Our own gzip of a body we rendered: it decodes.
    let _ = flate2::read::GzDecoder::new(packed).read_to_end(&mut text);
    Bytes::from(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> String {
        (0..n).map(|i| format!("m{{a=\"{i}\"}} {i}\n")).collect()
    }

    #[test]
    fn a_body_written_in_chunks_gzips_to_the_same_text() {
        let whole = text(200_000);
        let mut sink = Sink::new(false, true, 0);
        for line in whole.split_inclusive('\n') {
            sink.text.push_str(line);
            sink.flush_if_large();
        }
        assert!(sink.text.len() < CHUNK, "compressed as it was written");
        assert_eq!(sink.len(), whole.len());
        let (kept, packed) = sink.finish();
        assert_eq!(kept, None);
        let packed = packed.unwrap();
        assert!(packed.len() < whole.len() / 2, "{}", packed.len());
        assert_eq!(decompress(&packed), whole.as_bytes());
    }

    #[test]
    fn the_text_is_kept_when_someone_wants_it_or_nobody_asked_yet() {
        for (text_wanted, gzip) in [(true, true), (true, false), (false, false)] {
            let whole = text(100_000);
            let mut sink = Sink::new(text_wanted, gzip, 0);
            sink.text.push_str(&whole);
            sink.flush_if_large();
            let (kept, packed) = sink.finish();
            assert_eq!(kept.as_deref(), Some(whole.as_bytes()));
            assert_eq!(packed.is_some(), gzip);
            if let Some(p) = packed {
                assert_eq!(decompress(&p), whole.as_bytes());
            }
        }
    }
}

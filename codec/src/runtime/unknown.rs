//! Unknown fields: entries of a message map whose keys this schema version does not know. Decoders
//! keep them (zero-copy, as a view of the map) so that re-encoding reproduces the input exactly and a
//! relay or an old device forwards newer messages without loss (spec/04-wire-format.md).

use super::error::EncodeError;
use super::reader::Reader;
use super::writer::Writer;

/// The unknown entries of one decoded message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnknownFields<'a> {
    /// The whole map's entries (after its head), validated; empty when `count` is 0.
    entries: &'a [u8],
    /// How many entries have unknown keys.
    count: usize,
}

impl<'a> UnknownFields<'a> {
    /// No unknown fields (what an application builds).
    pub const NONE: UnknownFields<'static> = UnknownFields {
        entries: &[],
        count: 0,
    };

    /// The unknown entries among a validated map's `entries`.
    #[inline]
    pub fn new(entries: &'a [u8], count: usize) -> Self {
        if count == 0 {
            return UnknownFields {
                entries: &[],
                count,
            };
        }
        UnknownFields { entries, count }
    }

    /// How many unknown entries there are.
    #[inline]
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The unknown entries as (key, entry bytes: key and value), in key order. `known` lists the keys
    /// the schema defines, sorted.
    pub fn entries(&self, known: &'static [u64]) -> UnknownEntries<'a> {
        UnknownEntries {
            reader: Reader::new(self.entries),
            known,
            left: if self.count == 0 { 0 } else { usize::MAX },
        }
    }

    /// Bytes the unknown entries take.
    pub fn encoded_len(&self, known: &'static [u64]) -> usize {
        self.entries(known).map(|(_, bytes)| bytes.len()).sum()
    }
}

/// Iterator over unknown entries; see [`UnknownFields::entries`].
pub struct UnknownEntries<'a> {
    reader: Reader<'a>,
    known: &'static [u64],
    left: usize,
}

impl<'a> Iterator for UnknownEntries<'a> {
    type Item = (u64, &'a [u8]);

    fn next(&mut self) -> Option<(u64, &'a [u8])> {
        while self.left > 0 && !self.reader.is_empty() {
            let start = self.reader.position();
            // Validated on decode: these reads cannot fail; a failure ends the iteration.
            let key = self.reader.key(None).ok()?;
            self.reader.skip(usize::MAX).ok()?;
            if self.known.binary_search(&key).is_err() {
                return Some((key, self.reader.since(start)));
            }
        }
        None
    }
}

/// Writes unknown entries with keys below `below` (all remaining ones for `u64::MAX`), keeping the
/// merged map in key order. Generated encoders call it before each known field.
#[inline]
pub fn write_unknown_before(
    pending: &mut core::iter::Peekable<UnknownEntries<'_>>,
    below: u64,
    w: &mut Writer<'_>,
) -> Result<(), EncodeError> {
    while let Some(&(key, bytes)) = pending.peek() {
        if key >= below {
            break;
        }
        w.raw(bytes)?;
        pending.next();
    }
    Ok(())
}

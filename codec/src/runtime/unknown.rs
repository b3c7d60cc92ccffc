//! Unknown fields: entries of a message map whose keys this schema version does not know. Decoders
//! keep them (zero-copy, as a view of the map) so that re-encoding reproduces the input exactly and a
//! relay or an old device forwards newer messages without loss (spec/04-wire-format.md).

use super::error::EncodeError;
use super::reader::{Reader, MAX_KEY};
use super::writer::Writer;

/// The unknown entries of one decoded message.
#[derive(Clone, Copy, Debug, Default)]
pub struct UnknownFields<'a> {
    /// The whole map's entries (after its head), validated; empty when `count` is 0.
    entries: &'a [u8],
    /// How many entries have unknown keys.
    count: usize,
    /// How many levels each key and value was checked to use, itself included (see
    /// [`Writer::raw_items`]).
    room: u8,
}

impl PartialEq for UnknownFields<'_> {
    /// The same entries; how deep they were checked does not matter.
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries && self.count == other.count
    }
}

impl Eq for UnknownFields<'_> {}

impl<'a> UnknownFields<'a> {
    /// No unknown fields (what an application builds).
    pub const NONE: UnknownFields<'static> = UnknownFields {
        entries: &[],
        count: 0,
        room: 0,
    };

    /// The unknown entries among a validated map's `entries`, whose keys and values were checked to
    /// use at most `depth` levels each.
    #[inline]
    pub fn new(entries: &'a [u8], count: usize, depth: usize) -> Self {
        if count == 0 {
            return UnknownFields::NONE;
        }
        UnknownFields {
            entries,
            count,
            room: depth.min(u8::MAX as usize) as u8,
        }
    }

    /// A view of entries that were checked to use `room` levels each (the owned form keeps the room
    /// of what it copied or inserted).
    #[cfg(feature = "alloc")]
    pub(crate) fn with_room(entries: &'a [u8], count: usize, room: u8) -> Self {
        UnknownFields {
            entries,
            count,
            room,
        }
    }

    /// How many levels each entry was checked to use.
    #[cfg(feature = "alloc")]
    pub(crate) fn room(&self) -> u8 {
        self.room
    }

    /// Writes the unknown entries, merged in key order with the known fields of an encoder: the
    /// encoder calls [`UnknownMerge::key`] for each known key and
    /// [`UnknownMerge::finish`] at the end. With no unknown entries (the common case) each call is one
    /// comparison.
    #[inline]
    pub fn merge(&self, known: &'static [u16]) -> UnknownMerge<'a> {
        if self.count == 0 {
            return UnknownMerge {
                next_key: NO_KEY,
                pending: None,
            };
        }
        self.merge_pending(known)
    }

    #[cold]
    #[inline(never)]
    fn merge_pending(&self, known: &'static [u16]) -> UnknownMerge<'a> {
        // The first entry is found when an encoder first gets past key 0 (`next` empty until
        // then), so that the state is written straight into the caller's: built here and
        // advanced, it (48 bytes on a 32-bit target) was copied out with `memcpy`, the only call of
        // it in an image that encodes only scalars.
        UnknownMerge {
            next_key: 0,
            pending: Some(Pending {
                entries: self.entries(known),
                next: &[],
                room: self.room as usize,
            }),
        }
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
    /// the schema defines, sorted: as `u16`, since a map key is at most 65535 ([`MAX_KEY`]), two
    /// bytes of a firmware's read-only data a key where a `u64` took eight (every message with an
    /// encoder links its list, its generated `KNOWN_KEYS`).
    pub fn entries(&self, known: &'static [u16]) -> UnknownEntries<'a> {
        UnknownEntries {
            reader: Reader::new(self.entries),
            known,
            left: if self.count == 0 { 0 } else { usize::MAX },
        }
    }

    /// Bytes the unknown entries take.
    pub fn encoded_len(&self, known: &'static [u16]) -> usize {
        self.entries(known).map(|(_, bytes)| bytes.len()).sum()
    }
}

/// Iterator over unknown entries; see [`UnknownFields::entries`].
pub struct UnknownEntries<'a> {
    reader: Reader<'a>,
    known: &'static [u16],
    left: usize,
}

impl<'a> Iterator for UnknownEntries<'a> {
    type Item = (u64, &'a [u8]);

    fn next(&mut self) -> Option<(u64, &'a [u8])> {
        while self.left > 0 && !self.reader.is_empty() {
            let start = self.reader.position();
            // Validated on decode: these reads cannot fail; a failure ends the iteration.
            let key = self.reader.key(0).ok()?;
            self.reader.skip(usize::MAX).ok()?;
            // A key is at most 65535 (`MAX_KEY`), as the known keys are.
            let known = u16::try_from(key).is_ok_and(|k| self.known.binary_search(&k).is_ok());
            if !known {
                return Some((u64::from(key), self.reader.since(start)));
            }
        }
        None
    }
}

/// Checks that an unknown union variant can be written: its key is a map key (at most 65535) that
/// the union does not define (`known`, ascending).
#[inline]
pub fn check_unknown_variant(key: u64, known: &[u16]) -> Result<(), EncodeError> {
    let Ok(key) = u16::try_from(key) else {
        return Err(EncodeError::InvalidUnknown);
    };
    if known.binary_search(&key).is_ok() {
        return Err(EncodeError::InvalidUnknown);
    }
    Ok(())
}

/// Checks that a variant kept encoded by a union that decodes by role can be written: its key is a
/// map key (at most 65535). A key the union defines is allowed: decoding by role (`decode_as`)
/// keeps there the variants its role does not receive, as they were received.
#[inline]
pub fn check_kept_variant(key: u64) -> Result<(), EncodeError> {
    if key > MAX_KEY {
        return Err(EncodeError::InvalidUnknown);
    }
    Ok(())
}

/// Above every map key (they stop at 65535).
const NO_KEY: u64 = u64::MAX;

/// The state of merging unknown entries into an encoder's output; see [`UnknownFields::merge`].
pub struct UnknownMerge<'a> {
    /// The key of the next entry to write, or [`NO_KEY`]: all the hot path looks at. 0 before the
    /// first entry is found.
    next_key: u64,
    /// The entries not written yet; `None` when there were none at all.
    pending: Option<Pending<'a>>,
}

struct Pending<'a> {
    entries: UnknownEntries<'a>,
    /// The next entry to write (key and value), when `next_key` is not [`NO_KEY`]; empty before
    /// the first entry is found (an entry never is).
    next: &'a [u8],
    room: usize,
}

impl<'a> UnknownMerge<'a> {
    fn advance(&mut self) {
        self.next_key = NO_KEY;
        if let Some(p) = &mut self.pending {
            if let Some((key, bytes)) = p.entries.next() {
                self.next_key = key;
                p.next = bytes;
            }
        }
    }

    /// Writes the unknown entries whose keys are below `key`.
    #[cfg_attr(feature = "size", inline(never))]
    #[cfg_attr(not(feature = "size"), inline)]
    pub fn write_before(&mut self, key: u64, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        if self.next_key < key {
            self.write_pending(key, w)
        } else {
            Ok(())
        }
    }

    /// Writes the unknown entries whose keys are below `key`, then `key`: what comes before the
    /// value of a known field. Inlined into the encoders for speed; with the feature `size` a firmware
    /// keeps one copy that every field calls. That copy, and those of the writes below, are
    /// `inline(never)` there, not `inline`: an `#[inline]` function is instantiated in every crate
    /// that calls it, so a firmware whose encoder is generic over a role (`encode_as`, monomorphised
    /// in the firmware's own crate) linked two copies of each (500 B in the device's `Envelope`).
    #[cfg_attr(not(feature = "size"), inline(always))]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn key(&mut self, key: u64, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.write_before(key, w)?;
        w.u64(key)
    }

    /// [`key`](Self::key), then the unsigned integer `v`: a known field in one call, so that in
    /// the size profile each field of an encoder is one call and one test of its result instead of
    /// two (a field narrower than 64 bits passes `v` in one register).
    #[cfg_attr(not(feature = "size"), inline(always))]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn u32(&mut self, key: u32, v: u32, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.key(key.into(), w)?;
        w.u64(v.into())
    }

    /// [`key`](Self::key), then the unsigned integer `v` (see [`u32`](Self::u32)).
    #[cfg_attr(not(feature = "size"), inline(always))]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn u64(&mut self, key: u32, v: u64, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.key(key.into(), w)?;
        w.u64(v)
    }

    /// [`key`](Self::key), then the integer `v` (see [`u32`](Self::u32)).
    #[cfg_attr(not(feature = "size"), inline(always))]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn i64(&mut self, key: u32, v: i64, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.key(key.into(), w)?;
        w.i64(v)
    }

    /// [`key`](Self::key), then `v` (see [`u32`](Self::u32)).
    #[cfg_attr(not(feature = "size"), inline(always))]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn bool(&mut self, key: u32, v: bool, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.key(key.into(), w)?;
        w.bool(v)
    }

    /// [`key`](Self::key), then the text string `v` (see [`u32`](Self::u32)).
    #[cfg_attr(not(feature = "size"), inline(always))]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn text(&mut self, key: u32, v: &str, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.key(key.into(), w)?;
        w.text(v)
    }

    /// [`key`](Self::key), then the byte string `v` (see [`u32`](Self::u32)).
    #[cfg_attr(not(feature = "size"), inline(always))]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn bytes(&mut self, key: u32, v: &[u8], w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.key(key.into(), w)?;
        w.bytes(v)
    }

    /// Writes the remaining unknown entries. By reference: taking the merge by value made every
    /// encoder copy its state (48 bytes on a 32-bit target) with a call to `memcpy`.
    #[inline]
    pub fn finish(&mut self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.write_before(NO_KEY, w)
    }

    #[cold]
    #[inline(never)]
    fn write_pending(&mut self, below: u64, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        while self.next_key < below {
            if let Some(p) = self.pending.as_ref().filter(|p| !p.next.is_empty()) {
                w.raw_items(p.next, p.room)?;
            }
            self.advance();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_in_one_call_follows_the_unknown_entries_below_its_key() {
        // {0: 5, 1: 7, 2: "a", 3: h'01', 4: true, 5: -2, 6: 2^32, 7: 9} with keys 1 and 7 unknown.
        let entries = [
            0x00, 0x05, 0x01, 0x07, 0x02, 0x61, 0x61, 0x03, 0x41, 0x01, 0x04, 0xf5, 0x05, 0x21,
            0x06, 0x1b, 0, 0, 0, 1, 0, 0, 0, 0, 0x07, 0x09,
        ];
        let unknown = UnknownFields::new(&entries, 2, 4);
        let mut buf = [0u8; 32];
        let mut w = Writer::new(&mut buf);
        let mut m = unknown.merge(&[0, 2, 3, 4, 5, 6]);
        m.u32(0, 5, &mut w).unwrap();
        m.text(2, "a", &mut w).unwrap();
        m.bytes(3, &[1], &mut w).unwrap();
        m.bool(4, true, &mut w).unwrap();
        m.i64(5, -2, &mut w).unwrap();
        m.u64(6, 1 << 32, &mut w).unwrap();
        m.finish(&mut w).unwrap();
        let n = w.position();
        assert_eq!(&buf[..n], &entries[..]);
    }

    #[test]
    fn unknown_entries_below_the_first_field_and_after_the_last_are_written_in_place() {
        // {0: 1, 2: 3, 4: 5}: keys 0 and 4 unknown, then only unknown entries, then none written
        // before `finish`.
        let entries = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05];
        let unknown = UnknownFields::new(&entries, 2, 4);
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        let mut m = unknown.merge(&[2]);
        m.u32(2, 3, &mut w).unwrap();
        m.finish(&mut w).unwrap();
        let n = w.position();
        assert_eq!(&buf[..n], &entries[..]);

        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        let mut m = unknown.merge(&[2]);
        m.finish(&mut w).unwrap();
        let n = w.position();
        assert_eq!(&buf[..n], &[0x00, 0x01, 0x04, 0x05]);
    }

    /// The view of a map's unknown entries: how many, their keys and bytes in order (the known
    /// keys passed over), their length, and equality by entries whatever the room.
    #[test]
    fn unknown_entries_are_listed_counted_and_compared() {
        // {0: 1, 2: "ab", 4: 5}: keys 2 and 4 unknown.
        let entries = [0x00, 0x01, 0x02, 0x62, b'a', b'b', 0x04, 0x05];
        let unknown = UnknownFields::new(&entries, 2, 4);
        assert_eq!((unknown.len(), unknown.is_empty()), (2, false));
        let mut listed = unknown.entries(&[0]);
        assert_eq!(listed.next(), Some((2, &entries[2..6])));
        assert_eq!(listed.next(), Some((4, &entries[6..])));
        assert_eq!(listed.next(), None);
        assert_eq!(unknown.encoded_len(&[0]), 6);
        assert_eq!(unknown, UnknownFields::new(&entries, 2, 7));
        assert_ne!(unknown, UnknownFields::new(&entries, 1, 4));
        assert_ne!(unknown, UnknownFields::new(&entries[..6], 2, 4));
        let none = UnknownFields::new(&entries, 0, 4);
        assert_eq!(none, UnknownFields::NONE);
        assert_eq!((none.len(), none.is_empty()), (0, true));
        assert_eq!(none.entries(&[0]).next(), None);
        assert_eq!(none.encoded_len(&[0]), 0);
    }

    #[test]
    fn unknown_variants_need_a_free_key() {
        assert_eq!(check_unknown_variant(7, &[0, 1, 3]), Ok(()));
        assert_eq!(check_kept_variant(3), Ok(()));
        assert_eq!(check_kept_variant(65535), Ok(()));
        assert_eq!(check_kept_variant(65536), Err(EncodeError::InvalidUnknown));
        assert_eq!(check_unknown_variant(65535, &[]), Ok(()));
        assert_eq!(
            check_unknown_variant(3, &[0, 1, 3]),
            Err(EncodeError::InvalidUnknown)
        );
        assert_eq!(
            check_unknown_variant(65536, &[]),
            Err(EncodeError::InvalidUnknown)
        );
    }
}

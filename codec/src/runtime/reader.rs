//! The strict CBOR reader: primitives of the iotp2p profile of deterministic CBOR, each rejecting
//! anything but the one canonical encoding (spec/04-wire-format.md), with the spec's error class and
//! byte offset.
//!
//! Every read first parses a whole item head (`Reader::item`) in the order the spec prescribes
//! ([IOTP-WIRE-63]): the initial byte (§4.3), then the completeness and shortest form of the head or
//! float (§4.4, §4.5.3), and only then the schema type. Nothing here allocates or recurses:
//! [`Reader::skip`] walks nested content with a list of open containers, bounded by its `depth`
//! argument.
//!
//! The typed reads, which every field of a generated decoder calls, are inlined into it, each with a
//! fast path for a canonical item of the expected type in front of the call of its general path
//! (out of line, the one copy of every check). With the feature `size` (for firmware built with
//! opt-level `z`) they have no fast path: each is only the call of its general path. Much less
//! flash, two to three times the decode instructions (benches/README.md). The general paths
//! return an error of one word (`Fault`), which the typed read makes a [`DecodeError`], so that a
//! read of one word comes back in registers on a 32-bit target.

use super::error::{DecodeError, ErrorClass, Fault};
use super::float;
use super::limits::MAX_DEPTH;

/// What [`Reader::skip_general`] keeps as an open array's smallest next key: no key is this large.
const NOT_MAP: u32 = u32::MAX;

/// CBOR major types.
pub mod major {
    /// Unsigned integer.
    pub const UINT: u8 = 0;
    /// Negative integer.
    pub const NINT: u8 = 1;
    /// Byte string.
    pub const BYTES: u8 = 2;
    /// Text string.
    pub const TEXT: u8 = 3;
    /// Array.
    pub const ARRAY: u8 = 4;
    /// Map.
    pub const MAP: u8 = 5;
    /// Tag.
    pub const TAG: u8 = 6;
    /// Simple values and floats.
    pub const SIMPLE: u8 = 7;
}

/// Largest map key of the profile (spec §4.8 rule 2).
pub const MAX_KEY: u64 = 65_535;

/// A parsed item head: everything but the content of strings, arrays and maps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Head {
    /// Major type 0.
    Uint(u64),
    /// Major type 1, with its argument (the value is −1 − argument).
    Nint(u64),
    /// Major type 2, with its length.
    Bytes(u64),
    /// Major type 3, with its length.
    Text(u64),
    /// Major type 4, with its count.
    Array(u64),
    /// Major type 5, with its count.
    Map(u64),
    /// `false` or `true`.
    Bool(bool),
    /// `null`.
    Null,
    /// A canonical float and its encoded width in bytes (3, 5 or 9).
    Float(f64, u8),
}

/// The class of an initial byte the profile does not admit (spec §4.3), or `None`.
#[inline]
pub const fn initial_byte_class(b: u8) -> Option<ErrorClass> {
    let info = b & 0x1f;
    match b >> 5 {
        major::SIMPLE => match b {
            0xf4..=0xf6 | 0xf9..=0xfb => None,
            0xfc..=0xfe => Some(ErrorClass::InvalidHead),
            0xff => Some(ErrorClass::IndefiniteLength),
            _ => Some(ErrorClass::ForbiddenItem),
        },
        major::TAG => match info {
            28..=31 => Some(ErrorClass::InvalidHead),
            _ => Some(ErrorClass::ForbiddenItem),
        },
        m => match info {
            28..=30 => Some(ErrorClass::InvalidHead),
            31 if m <= major::NINT => Some(ErrorClass::InvalidHead),
            31 => Some(ErrorClass::IndefiniteLength),
            _ => None,
        },
    }
}

/// A cursor over one encoded message.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

type Result<T> = core::result::Result<T, DecodeError>;

/// What the out-of-line paths return: an error of one word ([`Fault`]), so that a value of one
/// word and its error come back in registers on a 32-bit target; the typed reads, always inlined,
/// make it a [`DecodeError`].
type Short<T> = core::result::Result<T, Fault>;

impl<'a> Reader<'a> {
    /// A reader at the start of `data`. It reads at most [`DecodeError::MAX_OFFSET`] bytes (128 MiB,
    /// far above any message the spec allows), so that every offset it reports is exact: an item
    /// that runs beyond them is `truncated` there.
    #[inline]
    pub const fn new(data: &'a [u8]) -> Reader<'a> {
        let data = if data.len() > DecodeError::MAX_OFFSET {
            data.split_at(DecodeError::MAX_OFFSET).0
        } else {
            data
        };
        Reader { data, pos: 0 }
    }

    /// Current byte offset.
    #[inline]
    pub const fn position(&self) -> usize {
        self.pos
    }

    /// Whether every byte was consumed.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Fails with `trailing-bytes` unless every byte was consumed.
    #[inline]
    pub fn finish(&self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::at(ErrorClass::TrailingBytes, self.pos))
        }
    }

    /// The bytes from `start` to the current position.
    #[inline]
    pub fn since(&self, start: usize) -> &'a [u8] {
        &self.data[start..self.pos]
    }

    /// `truncated` is reported at the length of the input (spec §4.17).
    #[inline]
    fn truncated(&self) -> DecodeError {
        self.truncated_fault().into()
    }

    #[inline]
    fn truncated_fault(&self) -> Fault {
        Fault::at(ErrorClass::Truncated, self.data.len())
    }

    #[inline]
    fn take(&mut self, n: u64) -> Short<&'a [u8]> {
        let rest = &self.data[self.pos.min(self.data.len())..];
        if n > rest.len() as u64 {
            return Err(self.truncated_fault());
        }
        let n = n as usize;
        self.pos += n;
        Ok(&rest[..n])
    }

    /// The fast path of every typed read: when the next item has major type `major` and a head in
    /// shortest form that the input holds entirely, its argument and the head's length. `None` for
    /// anything else (another type, a non-canonical or truncated head, the end of the input): the
    /// caller then takes the general path, which finds the error in the order of §4.17. A valid item
    /// of the expected type is never an error, so the two paths give the same verdicts.
    ///
    /// The size profile has no fast path: every typed read is a call of its general path, the one
    /// copy of each check.
    #[inline(always)]
    fn fast_head(&self, major: u8) -> Option<(u64, usize)> {
        if cfg!(feature = "size") {
            return None;
        }
        let rest = self.data.get(self.pos..)?;
        let (&initial, tail) = rest.split_first()?;
        if initial >> 5 != major {
            return None;
        }
        // Additional information 24..=27: a 1-, 2-, 4- or 8-byte argument, in shortest form when it
        // would not fit the next narrower one; 28..=31 are not heads of this profile.
        match initial & 0x1f {
            info @ 0..=23 => Some((info as u64, 1)),
            24 => {
                let v = *tail.first()? as u64;
                (v > 23).then_some((v, 2))
            }
            25 => {
                let b = tail.get(..2)?;
                let v = u16::from_be_bytes([b[0], b[1]]) as u64;
                (v > 0xff).then_some((v, 3))
            }
            26 => {
                let b = tail.get(..4)?;
                let v = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64;
                (v > 0xffff).then_some((v, 5))
            }
            27 => {
                let b = tail.get(..8)?;
                let v = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                (v > 0xffff_ffff).then_some((v, 9))
            }
            _ => None,
        }
    }

    /// Parses the next item's head and checks it in the order of §4.17: the initial byte, the
    /// completeness of the head, then its argument in shortest form (a float: its shortest exact
    /// form, decided on its bits). Returns the initial byte and the argument: a length, count or
    /// integer argument, a float's bit pattern, or the additional information of a simple value.
    /// Strings, arrays and maps leave their content to the caller.
    ///
    /// What every general path builds on, in one loop over the 1, 2, 4 or 8 argument bytes rather
    /// than a branch per width: these paths (skipped items, errors) need few bytes of flash more
    /// than few instructions, and no float value is formed, so a decoder without float fields links
    /// no conversion.
    fn item(&mut self) -> Short<(u8, u64)> {
        let at = self.pos;
        let b = *self.data.get(at).ok_or_else(|| self.truncated_fault())?;
        if let Some(class) = initial_byte_class(b) {
            return Err(Fault::at(class, at));
        }
        self.pos += 1;
        let info = b & 0x1f;
        if info < 24 {
            return Ok((b, info as u64));
        }
        // The initial byte's checks leave 24..=27 (floats: 25..=27).
        let width = 1usize << (info - 24);
        let value = self
            .take(width as u64)?
            .iter()
            .fold(0u64, |v, &b| (v << 8) | b as u64);
        // Shortest form: one byte only above 23, wider ones only when the next narrower cannot hold
        // the value. By width rather than `1 << (4 * width)`: a 64-bit shift by a variable is a
        // call on a 32-bit target.
        let floor: u64 = match width {
            1 => 24,
            2 => 0x100,
            4 => 0x1_0000,
            _ => 0x1_0000_0000,
        };
        if b >> 5 == major::SIMPLE {
            if !float::is_canonical(width, value) {
                return Err(Fault::at(ErrorClass::NonCanonicalFloat, at));
            }
        } else if value < floor {
            return Err(Fault::at(ErrorClass::NonCanonicalInteger, at));
        }
        Ok((b, value))
    }

    /// The argument of the next item, which must have major type `major` (otherwise `wrong-type`,
    /// after the head's own checks).
    fn expect(&mut self, major: u8) -> Short<u64> {
        let at = self.pos;
        let (b, argument) = self.item()?;
        if b >> 5 != major {
            return Err(Fault::at(ErrorClass::WrongType, at));
        }
        Ok(argument)
    }

    /// Parses the next item's head: initial byte, argument in shortest form, and for floats the value
    /// in its shortest exact form. Strings, arrays and maps leave their content to the caller.
    #[inline]
    pub fn head(&mut self) -> Result<Head> {
        let (b, argument) = self.item()?;
        Ok(match b >> 5 {
            major::UINT => Head::Uint(argument),
            major::NINT => Head::Nint(argument),
            major::BYTES => Head::Bytes(argument),
            major::TEXT => Head::Text(argument),
            major::ARRAY => Head::Array(argument),
            major::MAP => Head::Map(argument),
            // Tags never get here: the initial byte's checks reject every one.
            _ => match b {
                0xf4 => Head::Bool(false),
                0xf5 => Head::Bool(true),
                0xf6 => Head::Null,
                0xf9 => Head::Float(float::f16_to_f64(argument as u16), 3),
                0xfa => Head::Float(float::f32_bits_to_f64(argument as u32), 5),
                _ => Head::Float(f64::from_bits(argument), 9),
            },
        })
    }

    /// An unsigned or negative integer within `min..=max` (the type's range or its `@range`).
    #[inline(always)]
    pub fn int(&mut self, min: i64, max: i64) -> Result<i64> {
        let fast = match self.fast_head(major::UINT) {
            Some((arg, len)) if arg <= i64::MAX as u64 => Some((arg as i64, len)),
            Some(_) => None,
            None => match self.fast_head(major::NINT) {
                Some((arg, len)) if arg <= i64::MAX as u64 => Some((-1 - arg as i64, len)),
                _ => None,
            },
        };
        if let Some((v, len)) = fast {
            if v >= min && v <= max {
                self.pos += len;
                return Ok(v);
            }
        }
        Ok(self.int_general(min, max)?)
    }

    #[cold]
    #[inline(never)]
    fn int_general(&mut self, min: i64, max: i64) -> Short<i64> {
        let at = self.pos;
        let (b, v) = self.item()?;
        let v = match b >> 5 {
            major::UINT if v <= i64::MAX as u64 => v as i64,
            major::NINT if v <= i64::MAX as u64 => -1 - v as i64,
            major::UINT | major::NINT => return Err(Fault::at(ErrorClass::OutOfRange, at)),
            _ => return Err(Fault::at(ErrorClass::WrongType, at)),
        };
        if v < min || v > max {
            return Err(Fault::at(ErrorClass::OutOfRange, at));
        }
        Ok(v)
    }

    /// An unsigned integer within `min..=max`; a negative integer is `out-of-range`.
    #[inline(always)]
    pub fn uint(&mut self, min: u64, max: u64) -> Result<u64> {
        if let Some((v, len)) = self.fast_head(major::UINT) {
            if v >= min && v <= max {
                self.pos += len;
                return Ok(v);
            }
        }
        Ok(self.uint_general(min, max)?)
    }

    #[cold]
    #[inline(never)]
    fn uint_general(&mut self, min: u64, max: u64) -> Short<u64> {
        let at = self.pos;
        let (b, v) = self.item()?;
        match b >> 5 {
            major::UINT if v >= min && v <= max => Ok(v),
            major::UINT | major::NINT => Err(Fault::at(ErrorClass::OutOfRange, at)),
            _ => Err(Fault::at(ErrorClass::WrongType, at)),
        }
    }

    /// An unsigned integer of 32 bits or fewer within `min..=max`: [`Reader::uint`] for the fields of
    /// types `u8`, `u16` and `u32`. The same checks and errors; in the size profile its own out-of-line
    /// path, whose value and error come back in two registers on a 32-bit target (a `u64` and its
    /// error are returned through memory).
    #[inline(always)]
    pub fn u32(&mut self, min: u32, max: u32) -> Result<u32> {
        if cfg!(feature = "size") {
            Ok(self.u32_general(min, max)?)
        } else {
            match self.uint(u64::from(min), u64::from(max)) {
                Ok(v) => Ok(v as u32),
                Err(e) => Err(e),
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn u32_general(&mut self, min: u32, max: u32) -> Short<u32> {
        let v = self.uint_general(u64::from(min), u64::from(max))?;
        Ok(v as u32)
    }

    /// An enum number: 0 to 4294967295 (spec §4.9).
    #[inline(always)]
    pub fn enum_number(&mut self) -> Result<u32> {
        self.u32(0, u32::MAX)
    }

    /// `false` or `true`.
    #[inline(always)]
    pub fn bool(&mut self) -> Result<bool> {
        match self.data.get(self.pos) {
            Some(0xf4) => {
                self.pos += 1;
                return Ok(false);
            }
            Some(0xf5) => {
                self.pos += 1;
                return Ok(true);
            }
            _ => {}
        }
        Ok(self.bool_general()?)
    }

    #[cold]
    #[inline(never)]
    fn bool_general(&mut self) -> Short<bool> {
        let at = self.pos;
        match self.item()?.0 {
            0xf4 => Ok(false),
            0xf5 => Ok(true),
            _ => Err(Fault::at(ErrorClass::WrongType, at)),
        }
    }

    /// `null` (a unit union variant's value).
    #[inline(always)]
    pub fn null(&mut self) -> Result<()> {
        if self.data.get(self.pos) == Some(&0xf6) {
            self.pos += 1;
            return Ok(());
        }
        Ok(self.null_general()?)
    }

    #[cold]
    #[inline(never)]
    fn null_general(&mut self) -> Short<()> {
        let at = self.pos;
        match self.item()?.0 {
            0xf6 => Ok(()),
            _ => Err(Fault::at(ErrorClass::WrongType, at)),
        }
    }

    /// A float in its shortest exact encoding.
    #[inline]
    pub fn f64(&mut self) -> Result<f64> {
        let at = self.pos;
        match self.head()? {
            Head::Float(v, _) => Ok(v),
            _ => Err(DecodeError::at(ErrorClass::WrongType, at)),
        }
    }

    /// A binary32 float: a double-precision item is `out-of-range` (spec §4.5.3).
    #[inline]
    pub fn f32(&mut self) -> Result<f32> {
        let at = self.pos;
        match self.head()? {
            Head::Float(_, 9) => Err(DecodeError::at(ErrorClass::OutOfRange, at)),
            Head::Float(v, _) => Ok(float::f64_to_f32_of_narrow(v)),
            _ => Err(DecodeError::at(ErrorClass::WrongType, at)),
        }
    }

    /// A text string of at most `max` bytes of UTF-8.
    #[inline(always)]
    pub fn text(&mut self, max: usize) -> Result<&'a str> {
        if let Some((len, head)) = self.fast_head(major::TEXT) {
            let start = self.pos + head;
            if len <= max as u64 && len <= (self.data.len() - start) as u64 {
                let end = start + len as usize;
                if let Ok(text) = core::str::from_utf8(&self.data[start..end]) {
                    self.pos = end;
                    return Ok(text);
                }
            }
        }
        Ok(self.text_general(max)?)
    }

    #[cold]
    #[inline(never)]
    fn text_general(&mut self, max: usize) -> Short<&'a str> {
        let at = self.pos;
        let len = self.expect(major::TEXT)?;
        if len > max as u64 {
            return Err(Fault::at(ErrorClass::BoundExceeded, at));
        }
        let bytes = self.take(len)?;
        core::str::from_utf8(bytes).map_err(|_| Fault::at(ErrorClass::InvalidUtf8, at))
    }

    /// A byte string of at most `max` bytes.
    #[inline(always)]
    pub fn bytes(&mut self, max: usize) -> Result<&'a [u8]> {
        if let Some((len, head)) = self.fast_head(major::BYTES) {
            let start = self.pos + head;
            if len <= max as u64 && len <= (self.data.len() - start) as u64 {
                let end = start + len as usize;
                self.pos = end;
                return Ok(&self.data[start..end]);
            }
        }
        Ok(self.bytes_general(max)?)
    }

    #[cold]
    #[inline(never)]
    fn bytes_general(&mut self, max: usize) -> Short<&'a [u8]> {
        let at = self.pos;
        let len = self.expect(major::BYTES)?;
        if len > max as u64 {
            return Err(Fault::at(ErrorClass::BoundExceeded, at));
        }
        self.take(len)
    }

    /// A byte string of exactly `N` bytes.
    #[inline]
    pub fn fixed<const N: usize>(&mut self) -> Result<&'a [u8; N]> {
        let bytes = self.exact_bytes(N)?;
        bytes.try_into().map_err(|_| self.truncated())
    }

    /// A byte string of exactly `len` bytes (`bytes[len]` when the length is known only at run time).
    #[inline(always)]
    pub fn exact_bytes(&mut self, len: usize) -> Result<&'a [u8]> {
        if let Some((n, head)) = self.fast_head(major::BYTES) {
            let start = self.pos + head;
            if n == len as u64 && len <= self.data.len() - start {
                let end = start + len;
                self.pos = end;
                return Ok(&self.data[start..end]);
            }
        }
        Ok(self.exact_bytes_general(len)?)
    }

    #[cold]
    #[inline(never)]
    fn exact_bytes_general(&mut self, len: usize) -> Short<&'a [u8]> {
        let at = self.pos;
        let n = self.expect(major::BYTES)?;
        if n != len as u64 {
            return Err(Fault::at(ErrorClass::BoundExceeded, at));
        }
        self.take(n)
    }

    /// An array head with at most `max` items; returns the count.
    #[inline(always)]
    pub fn array(&mut self, max: usize) -> Result<usize> {
        if let Some((n, head)) = self.fast_head(major::ARRAY) {
            // Each item takes at least one byte (see `check_count`).
            if n <= max as u64 && n <= (self.data.len() - self.pos - head) as u64 {
                self.pos += head;
                return Ok(n as usize);
            }
        }
        Ok(self.array_general(max)?)
    }

    #[cold]
    #[inline(never)]
    fn array_general(&mut self, max: usize) -> Short<usize> {
        let at = self.pos;
        let n = self.expect(major::ARRAY)?;
        if n > max as u64 {
            return Err(Fault::at(ErrorClass::BoundExceeded, at));
        }
        self.check_count(n, 1)
    }

    /// A map head; returns the number of entries.
    #[inline(always)]
    pub fn map(&mut self) -> Result<usize> {
        if let Some((n, head)) = self.fast_head(major::MAP) {
            // Each entry takes at least two bytes (see `check_count`).
            if n.saturating_mul(2) <= (self.data.len() - self.pos - head) as u64 {
                self.pos += head;
                return Ok(n as usize);
            }
        }
        Ok(self.map_general()?)
    }

    #[cold]
    #[inline(never)]
    fn map_general(&mut self) -> Short<usize> {
        let n = self.expect(major::MAP)?;
        self.check_count(n, 2)
    }

    /// A count that the remaining input cannot hold (each item takes at least one byte) is
    /// `truncated`, found before any loop runs on a claimed count of billions.
    ///
    /// `n * bytes_per_item > rest` is tested as `n > rest / bytes_per_item` (the same for whole
    /// numbers), which needs no 64-bit product on a 32-bit target.
    #[inline]
    fn check_count(&self, n: u64, bytes_per_item: usize) -> Short<usize> {
        if n > ((self.data.len() - self.pos) / bytes_per_item) as u64 {
            return Err(self.truncated_fault());
        }
        Ok(n as usize)
    }

    /// A message key (spec §4.8 rules 1–4): an unsigned integer up to 65535, and at least `min`: the
    /// previous key of the map plus one, or 0 for the first key. A key below `min` is `duplicate-key`
    /// when it equals the previous key and `unsorted-keys` when it is smaller.
    ///
    /// 32 bits, where every key fits: a decoder compares each key with its fields' keys, and on a
    /// 32-bit target a 64-bit comparison is two (and a match on keys cannot become a jump table).
    #[inline(always)]
    pub fn key(&mut self, min: u32) -> Result<u32> {
        if let Some((k, head)) = self.fast_head(major::UINT) {
            if k <= MAX_KEY && k >= u64::from(min) {
                self.pos += head;
                return Ok(k as u32);
            }
        }
        Ok(self.key_general(min)?)
    }

    #[cold]
    #[inline(never)]
    fn key_general(&mut self, min: u32) -> Short<u32> {
        let at = self.pos;
        let (b, k) = self.item()?;
        let k = match b >> 5 {
            major::UINT if k <= MAX_KEY => k as u32,
            major::UINT => return Err(Fault::at(ErrorClass::OutOfRange, at)),
            _ => return Err(Fault::at(ErrorClass::WrongType, at)),
        };
        if k >= min {
            Ok(k)
        } else if k + 1 == min {
            Err(Fault::at(ErrorClass::DuplicateKey, at))
        } else {
            Err(Fault::at(ErrorClass::UnsortedKeys, at))
        }
    }

    /// Skips one profile-conformant item (spec §4.15: an unknown field's value or an unknown variant's
    /// payload) and returns its bytes. `depth` is how many levels the item may still use, itself
    /// included (at least 1).
    #[inline]
    pub fn skip(&mut self, depth: usize) -> Result<&'a [u8]> {
        let start = self.pos;
        self.skip_general(depth)?;
        Ok(self.since(start))
    }

    /// [`Reader::skip`] without the item's bytes: an unknown field's value, which a generated
    /// decoder keeps with the message's other unknown fields.
    #[inline(always)]
    pub fn skip_unknown(&mut self, depth: usize) -> Result<()> {
        Ok(self.skip_general(depth)?)
    }

    /// Skips one item and what it contains, walking nested arrays and maps with a list of the
    /// containers still open rather than by recursion: one frame however deep the item is (at
    /// most [`MAX_DEPTH`](crate::runtime::limits::MAX_DEPTH) levels, the decoder's worst-case
    /// stack), every check in the order a recursive walk makes them.
    fn skip_general(&mut self, depth: usize) -> Short<()> {
        // The containers open around the reader's position, innermost last: the items (or map
        // entries) each has left, and for a map the smallest key its next entry may have
        // (`NOT_MAP` for an array). An item inside `height` of them has `depth - height` levels
        // left, and a container with items needs two, so there are never more than MAX_DEPTH − 1.
        let mut open = [(0usize, NOT_MAP); MAX_DEPTH];
        let mut height: usize = 0;
        loop {
            if let Some(container) = self.skip_head(depth - height)? {
                let Some(slot) = open.get_mut(height) else {
                    return Err(depth_fault(self));
                };
                *slot = container;
                height += 1;
            }
            // The next item: in the innermost container that has one left, after its key in a map.
            loop {
                let Some((left, min)) = height.checked_sub(1).and_then(|top| open.get_mut(top))
                else {
                    return Ok(());
                };
                if *left > 0 {
                    *left -= 1;
                    if *min != NOT_MAP {
                        *min = self.key_general(*min)? + 1;
                    }
                    break;
                }
                height -= 1;
            }
        }
    }

    /// One step of [`Reader::skip_general`]: reads and checks one item's head with `depth` levels
    /// left for it (its content too, for a string); for an array or map with items, enters it and
    /// returns what `skip_general` keeps of it.
    #[inline(always)]
    fn skip_head(&mut self, depth: usize) -> Short<Option<(usize, u32)>> {
        let start = self.pos;
        let (b, argument) = self.item()?;
        match b >> 5 {
            major::BYTES => {
                self.take(argument)?;
            }
            major::TEXT => {
                let bytes = self.take(argument)?;
                if !is_utf8(bytes) {
                    return Err(Fault::at(ErrorClass::InvalidUtf8, start));
                }
            }
            major::ARRAY | major::MAP => {
                let map = b >> 5 == major::MAP;
                let n = self.check_count(argument, if map { 2 } else { 1 })?;
                self.enter_fault(depth, n)?;
                if n > 0 {
                    return Ok(Some((n, if map { 0 } else { NOT_MAP })));
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// [`enter`] for the out-of-line paths.
    #[inline(always)]
    fn enter_fault(&self, depth: usize, count: usize) -> Short<usize> {
        if count > 0 && depth <= 1 {
            return Err(depth_fault(self));
        }
        Ok(depth - 1)
    }
}

/// Whether `bytes` are well-formed UTF-8 (RFC 3629: shortest forms, no surrogates, nothing above
/// U+10FFFF), as `core::str::from_utf8` decides: what skipping an unknown text string checks. In the
/// size profile a loop of a few dozen instructions rather than `from_utf8`'s word-at-a-time
/// validation (about 300 bytes of flash on a Cortex-M4), which a decoder that has no text field of
/// its own then does not link; a test holds the two to the same verdicts.
#[inline]
fn is_utf8(bytes: &[u8]) -> bool {
    if cfg!(feature = "size") {
        is_utf8_small(bytes)
    } else {
        core::str::from_utf8(bytes).is_ok()
    }
}

/// [`is_utf8`] of the size profile.
fn is_utf8_small(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b < 0x80 {
            continue;
        }
        // The continuation bytes that follow, and the range of the first one, which excludes
        // overlong forms (after e0 and f0), surrogates (after ed) and code points above U+10FFFF
        // (after f4).
        let (n, lo, hi) = match b {
            0xc2..=0xdf => (1, 0x80, 0xbf),
            0xe0 => (2, 0xa0, 0xbf),
            0xed => (2, 0x80, 0x9f),
            0xe1..=0xef => (2, 0x80, 0xbf),
            0xf0 => (3, 0x90, 0xbf),
            0xf1..=0xf3 => (3, 0x80, 0xbf),
            0xf4 => (3, 0x80, 0x8f),
            _ => return false,
        };
        match bytes.get(i) {
            Some(&c) if c >= lo && c <= hi => {}
            _ => return false,
        }
        for k in 1..n {
            match bytes.get(i + k) {
                Some(&c) if c & 0xc0 == 0x80 => {}
                _ => return false,
            }
        }
        i += n;
    }
    true
}

/// Enters a map or array with `count` entries or items whose first one starts at the reader's
/// position: `depth` is how many levels the container may use, itself included; returns what is left
/// for its contents. Contents that would lie deeper than the limit are `depth-exceeded` at the first
/// item that is too deep (spec §4.16), once its own head has passed the checks that come before the
/// depth ([IOTP-WIRE-64]).
#[inline(always)]
pub fn enter(r: &Reader<'_>, depth: usize, count: usize) -> Result<usize> {
    Ok(r.enter_fault(depth, count)?)
}

/// The error for an item at the reader's position that lies too deep (MAX_DEPTH, or a recursive
/// type's `@max_depth`): its initial byte and head are checked first, as §4.17 orders, so a broken
/// head reports its own class; otherwise `depth-exceeded` at the item.
#[inline]
pub fn depth_exceeded(r: &Reader<'_>) -> DecodeError {
    depth_fault(r).into()
}

#[cold]
#[inline(never)]
fn depth_fault(r: &Reader<'_>) -> Fault {
    match r.clone().item() {
        Err(e) => e,
        Ok(_) => Fault::at(ErrorClass::DepthExceeded, r.position()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T: core::fmt::Debug>(r: Result<T>) -> (ErrorClass, usize) {
        let e = r.unwrap_err();
        (e.class(), e.offset())
    }

    #[test]
    fn initial_bytes_follow_the_spec_table() {
        use ErrorClass::*;
        let expect = |b: u8| initial_byte_class(b);
        assert_eq!(expect(0x1b), None);
        assert_eq!(expect(0x1c), Some(InvalidHead));
        assert_eq!(expect(0x1f), Some(InvalidHead));
        assert_eq!(expect(0x3f), Some(InvalidHead));
        assert_eq!(expect(0x5f), Some(IndefiniteLength));
        assert_eq!(expect(0xbf), Some(IndefiniteLength));
        assert_eq!(expect(0xc0), Some(ForbiddenItem));
        assert_eq!(expect(0xdc), Some(InvalidHead));
        assert_eq!(expect(0xf3), Some(ForbiddenItem));
        assert_eq!(expect(0xf6), None);
        assert_eq!(expect(0xf7), Some(ForbiddenItem));
        assert_eq!(expect(0xf8), Some(ForbiddenItem));
        assert_eq!(expect(0xfc), Some(InvalidHead));
        assert_eq!(expect(0xff), Some(IndefiniteLength));
    }

    #[test]
    fn integers_must_be_shortest_and_in_range() {
        use ErrorClass::*;
        assert_eq!(Reader::new(&[0x17]).uint(0, u64::MAX), Ok(23));
        assert_eq!(Reader::new(&[0x18, 0x18]).uint(0, u64::MAX), Ok(24));
        assert_eq!(
            err(Reader::new(&[0x18, 0x17]).uint(0, 255)),
            (NonCanonicalInteger, 0)
        );
        assert_eq!(
            err(Reader::new(&[0x19, 0x00, 0xff]).uint(0, 9999)),
            (NonCanonicalInteger, 0)
        );
        assert_eq!(
            err(Reader::new(&[0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]).uint(0, u64::MAX)),
            (NonCanonicalInteger, 0)
        );
        assert_eq!(
            err(Reader::new(&[0x19, 0x01]).uint(0, 9999)),
            (Truncated, 2)
        );
        assert_eq!(err(Reader::new(&[0x20]).uint(0, 10)), (OutOfRange, 0));
        assert_eq!(err(Reader::new(&[0x61, b'a']).uint(0, 10)), (WrongType, 0));
        assert_eq!(
            err(Reader::new(&[0xfa, 0x3f, 0x80, 0, 0]).uint(0, 10)),
            (NonCanonicalFloat, 0)
        );
        assert_eq!(Reader::new(&[0x20]).int(-10, 10), Ok(-1));
        assert_eq!(
            err(Reader::new(&[0x38, 0x63]).int(-10, 10)),
            (OutOfRange, 0)
        );
        assert_eq!(
            err(Reader::new(&[0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0]).int(i64::MIN, 0)),
            (OutOfRange, 0)
        );
        assert_eq!(
            Reader::new(&[0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).int(i64::MIN, 0),
            Ok(i64::MIN)
        );
        assert_eq!(
            err(Reader::new(&[0x1b, 1, 0, 0, 0, 0, 0, 0, 0]).enum_number()),
            (OutOfRange, 0)
        );
        // An argument above i64::MAX is no i64 at all, whatever the range: 2^64 − 1 is not −1, and
        // −2^64 is not 0.
        let max = [0xff; 8];
        for initial in [0x1b, 0x3b] {
            let mut bytes = [initial; 9];
            bytes[1..].copy_from_slice(&max);
            assert_eq!(
                err(Reader::new(&bytes).int(i64::MIN, i64::MAX)),
                (OutOfRange, 0)
            );
        }
    }

    /// `head` names the kind of every item the profile admits, with its argument (what `f64`, `f32`
    /// and the reflection codec build on).
    #[test]
    fn heads_name_their_kind() {
        let head = |bytes: &[u8]| Reader::new(bytes).head();
        assert_eq!(head(&[0x01]), Ok(Head::Uint(1)));
        assert_eq!(head(&[0x21]), Ok(Head::Nint(1)));
        assert_eq!(head(&[0x41, 0x00]), Ok(Head::Bytes(1)));
        assert_eq!(head(&[0x61, b'a']), Ok(Head::Text(1)));
        assert_eq!(head(&[0x81, 0x00]), Ok(Head::Array(1)));
        assert_eq!(head(&[0xa1, 0x00, 0x00]), Ok(Head::Map(1)));
        assert_eq!(head(&[0xf4]), Ok(Head::Bool(false)));
        assert_eq!(head(&[0xf5]), Ok(Head::Bool(true)));
        assert_eq!(head(&[0xf6]), Ok(Head::Null));
        assert_eq!(head(&[0xf9, 0x3e, 0x00]), Ok(Head::Float(1.5, 3)));
        assert_eq!(
            head(&[0xfa, 0x47, 0xc3, 0x50, 0x00]),
            Ok(Head::Float(100000.0, 5))
        );
        assert_eq!(
            head(&[0xfb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]),
            Ok(Head::Float(0.1, 9))
        );
        // Only floats are floats to `f64`.
        assert_eq!(err(Reader::new(&[0x21]).f64()), (ErrorClass::WrongType, 0));
        assert_eq!(err(Reader::new(&[0xf6]).f32()), (ErrorClass::WrongType, 0));
    }

    /// A head one width wider than its argument needs is `non-canonical-integer` for every typed
    /// read, fast path included: the largest argument of the next narrower head and a small one, in
    /// each width. A fast path that took either would accept a second encoding of the value (its
    /// shortest-form tests, mutated, survived the property tests, which rarely draw such heads).
    #[test]
    fn heads_wider_than_their_argument_are_refused_by_every_typed_read() {
        // Additional information and argument bytes: 23 and 5 in one byte, 0xff and 5 in two, 0xffff
        // and 5 in four, 0xffff_ffff and 5 in eight.
        let heads: [&[u8]; 8] = [
            &[24, 23],
            &[24, 5],
            &[25, 0, 0xff],
            &[25, 0, 5],
            &[26, 0, 0, 0xff, 0xff],
            &[26, 0, 0, 0, 5],
            &[27, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
            &[27, 0, 0, 0, 0, 0, 0, 0, 5],
        ];
        // Each typed read with the major type it reads, its value as a number.
        type Read = fn(&mut Reader<'_>) -> Result<u64>;
        let reads: [(u8, Read); 10] = [
            (major::UINT, |r| r.uint(0, u64::MAX)),
            (major::UINT, |r| r.u32(0, u32::MAX).map(u64::from)),
            (major::UINT, |r| r.int(i64::MIN, i64::MAX).map(|v| v as u64)),
            (major::UINT, |r| r.key(0).map(u64::from)),
            (major::NINT, |r| r.int(i64::MIN, i64::MAX).map(|v| v as u64)),
            (major::BYTES, |r| {
                r.bytes(usize::MAX).map(|b| b.len() as u64)
            }),
            (major::BYTES, |r| r.exact_bytes(5).map(|b| b.len() as u64)),
            (major::TEXT, |r| r.text(usize::MAX).map(|t| t.len() as u64)),
            (major::ARRAY, |r| r.array(usize::MAX).map(|n| n as u64)),
            (major::MAP, |r| r.map().map(|n| n as u64)),
        ];
        for head in heads {
            for (major, read) in reads {
                // The head, then content enough for five items or entries.
                let mut bytes = [0u8; 32];
                bytes[0] = (major << 5) | head[0];
                bytes[1..head.len()].copy_from_slice(&head[1..]);
                assert_eq!(
                    err(read(&mut Reader::new(&bytes))),
                    (ErrorClass::NonCanonicalInteger, 0),
                    "on {bytes:02x?}"
                );
            }
        }
    }

    #[test]
    fn strings_bounds_and_utf8() {
        use ErrorClass::*;
        assert_eq!(Reader::new(b"\x63abc").text(3), Ok("abc"));
        assert_eq!(err(Reader::new(b"\x63abc").text(2)), (BoundExceeded, 0));
        assert_eq!(err(Reader::new(b"\x63ab").text(3)), (Truncated, 3));
        assert_eq!(err(Reader::new(b"\x63a\xffc").text(3)), (InvalidUtf8, 0));
        assert_eq!(
            err(Reader::new(b"\x7f\x61a\xff").text(3)),
            (IndefiniteLength, 0)
        );
        assert_eq!(Reader::new(&[0x42, 1, 2]).fixed::<2>(), Ok(&[1, 2]));
        assert_eq!(
            err(Reader::new(&[0x41, 1]).fixed::<2>()),
            (BoundExceeded, 0)
        );
        assert_eq!(
            err(Reader::new(&[0x9a, 0xff, 0xff, 0xff, 0xff]).array(usize::MAX)),
            (Truncated, 5)
        );
        assert_eq!(Reader::new(&[0x83, 1, 2, 3]).array(3), Ok(3));
        assert_eq!(
            err(Reader::new(&[0x83, 1, 2, 3]).array(2)),
            (BoundExceeded, 0)
        );
    }

    /// A length or count the rest of the input cannot hold is `truncated` at the input's end, on the
    /// fast paths as on the general ones: a string one byte short, and a count one item (or entry)
    /// more than the bytes left (the guards that keep a slice in range and a loop from running on a
    /// claimed count; mutation testing found them untested).
    #[test]
    fn lengths_and_counts_beyond_the_input_are_truncated() {
        use ErrorClass::*;
        assert_eq!(err(Reader::new(&[0x42, 1]).exact_bytes(2)), (Truncated, 2));
        assert_eq!(err(Reader::new(&[0x42, 1]).fixed::<2>()), (Truncated, 2));
        assert_eq!(err(Reader::new(&[0x43, 1, 2]).bytes(5)), (Truncated, 3));
        assert_eq!(
            err(Reader::new(&[0x83, 0x01, 0x02]).array(10)),
            (Truncated, 3)
        );
        assert_eq!(err(Reader::new(&[0xa2, 0x01, 0x02]).map()), (Truncated, 3));
        // Two entries take at least four bytes: three are too few even though they are more than
        // the count.
        assert_eq!(
            err(Reader::new(&[0xa2, 0x01, 0x02, 0x03]).map()),
            (Truncated, 4)
        );
        assert_eq!(
            err(Reader::new(&[0x83, 0x01, 0x02]).skip(4)),
            (Truncated, 3)
        );
        assert_eq!(
            err(Reader::new(&[0xa2, 0x01, 0x02]).skip(4)),
            (Truncated, 3)
        );
        // The same past the start of the input (the bytes left, not the input's length, count).
        let mut r = Reader::new(&[0x00, 0x83, 0x01, 0x02]);
        assert_eq!(r.uint(0, 0), Ok(0));
        assert_eq!(err(r.array(10)), (Truncated, 4));
        let mut r = Reader::new(&[0x00, 0xa2, 0x01, 0x02]);
        assert_eq!(r.uint(0, 0), Ok(0));
        assert_eq!(err(r.map()), (Truncated, 4));
        let mut r = Reader::new(&[0x00, 0x42, 0x01]);
        assert_eq!(r.uint(0, 0), Ok(0));
        assert_eq!(err(r.exact_bytes(2)), (Truncated, 3));
        // Exactly enough is not truncated.
        assert_eq!(Reader::new(&[0x42, 1, 2]).exact_bytes(2), Ok(&[1u8, 2][..]));
        assert_eq!(Reader::new(&[0x82, 0x01, 0x02]).array(10), Ok(2));
        assert_eq!(Reader::new(&[0xa1, 0x01, 0x02]).map(), Ok(1));
    }

    #[test]
    fn floats_must_be_shortest() {
        use ErrorClass::*;
        assert_eq!(Reader::new(&[0xf9, 0x3c, 0x00]).f64(), Ok(1.0));
        assert_eq!(
            err(Reader::new(&[0xfa, 0x3f, 0x80, 0, 0]).f64()),
            (NonCanonicalFloat, 0)
        );
        assert_eq!(
            Reader::new(&[0xfa, 0x3f, 0x80, 0, 1]).f32(),
            Ok(f32::from_bits(0x3f80_0001))
        );
        assert!(Reader::new(&[0xf9, 0x7e, 0x00]).f64().unwrap().is_nan());
        assert_eq!(
            err(Reader::new(&[0xf9, 0x7e, 0x01]).f64()),
            (NonCanonicalFloat, 0)
        );
        assert_eq!(
            err(Reader::new(&[0xfb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]).f32()),
            (OutOfRange, 0)
        );
        assert_eq!(err(Reader::new(&[0x01]).f64()), (WrongType, 0));
    }

    #[test]
    fn keys_are_small_unsigned_and_ascending() {
        use ErrorClass::*;
        let mut r = Reader::new(&[0x01, 0x01]);
        assert_eq!(r.key(0), Ok(1));
        assert_eq!(err(r.key(2)), (DuplicateKey, 1));
        assert_eq!(err(Reader::new(&[0x00]).key(2)), (UnsortedKeys, 0));
        assert_eq!(Reader::new(&[0x19, 0xff, 0xff]).key(65535), Ok(65535));
        assert_eq!(
            err(Reader::new(&[0x1a, 0, 1, 0, 0]).key(0)),
            (OutOfRange, 0)
        );
        assert_eq!(err(Reader::new(&[0x20]).key(0)), (WrongType, 0));
    }

    #[test]
    fn skip_validates_unknown_content() {
        use ErrorClass::*;
        // {1: [h'00', "a", -1, 1.5, null]}
        let ok = [
            0xa1, 0x01, 0x85, 0x41, 0x00, 0x61, b'a', 0x20, 0xf9, 0x3e, 0x00, 0xf6,
        ];
        assert_eq!(Reader::new(&ok).skip(3).unwrap().len(), ok.len());
        assert_eq!(err(Reader::new(&ok).skip(2)), (DepthExceeded, 3));
        // The same without the item's bytes, as a decoder skips an unknown field's value.
        let mut r = Reader::new(&ok);
        assert_eq!(r.skip_unknown(3), Ok(()));
        assert_eq!(r.position(), ok.len());
        assert_eq!(err(Reader::new(&ok).skip_unknown(2)), (DepthExceeded, 3));
        assert_eq!(
            err(Reader::new(&[0xa2, 0x02, 0x00, 0x01, 0x00]).skip(4)),
            (UnsortedKeys, 3)
        );
        assert_eq!(
            err(Reader::new(&[0xa1, 0x61, b'a', 0x00]).skip(4)),
            (WrongType, 1)
        );
        assert_eq!(err(Reader::new(&[0xc1, 0x00]).skip(4)), (ForbiddenItem, 0));
        assert_eq!(
            err(Reader::new(&[0x81, 0x62, b'a', 0xff]).skip(4)),
            (InvalidUtf8, 1)
        );
        assert_eq!(err(Reader::new(&[0xf7]).skip(4)), (ForbiddenItem, 0));
        assert_eq!(
            err(Reader::new(&[0x9f, 0xff]).skip(4)),
            (IndefiniteLength, 0)
        );
        assert_eq!(
            err(Reader::new(&[0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).skip(4)),
            (Truncated, 9)
        );
        assert_eq!(Reader::new(&[0x80]).skip(1).map(|b| b.len()), Ok(1));
    }

    #[test]
    fn a_too_deep_item_reports_its_broken_head_first() {
        use ErrorClass::*;
        // [x] with no level left for x: depth-exceeded at x, unless x's own initial byte or head is
        // broken, which §4.17 checks before the depth (IOTP-WIRE-64).
        assert_eq!(err(Reader::new(&[0x81, 0x00]).skip(1)), (DepthExceeded, 1));
        assert_eq!(err(Reader::new(&[0x81, 0x1c]).skip(1)), (InvalidHead, 1));
        assert_eq!(err(Reader::new(&[0x81, 0xc0]).skip(1)), (ForbiddenItem, 1));
        assert_eq!(
            err(Reader::new(&[0x82, 0x18, 0x01]).skip(1)),
            (NonCanonicalInteger, 1)
        );
        assert_eq!(
            err(Reader::new(&[0x81, 0x19, 0x01]).skip(1)),
            (Truncated, 3)
        );
        // A wrong type is decided after the depth.
        let mut r = Reader::new(&[0x61, b'a']);
        assert_eq!(err(enter(&r, 1, 1)), (DepthExceeded, 0));
        assert_eq!(r.text(1), Ok("a"));
    }

    /// The size profile's UTF-8 check accepts exactly what `core::str::from_utf8` accepts: every
    /// sequence of one and two bytes, every three-byte one that starts at e0 or above, and four-byte
    /// ones with every first and second byte (the ones that decide the range) and the third and
    /// fourth from the boundaries of the continuation range, each also cut short.
    #[test]
    fn the_small_utf8_check_agrees_with_core_exhaustively() {
        let same = |bytes: &[u8]| {
            assert_eq!(
                is_utf8_small(bytes),
                core::str::from_utf8(bytes).is_ok(),
                "on {bytes:02x?}"
            );
        };
        for a in 0..=255u8 {
            same(&[a]);
            for b in 0..=255u8 {
                same(&[a, b]);
                same(&[b'x', a, b]);
                if a >= 0xe0 {
                    for c in 0..=255u8 {
                        same(&[a, b, c]);
                    }
                }
                if a >= 0xf0 {
                    for c in [0x00, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xff] {
                        for d in [0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff] {
                            same(&[a, b, c, d]);
                            same(&[a, b, c, d, b'x']);
                        }
                    }
                }
            }
        }
    }

    /// The fast paths decide nothing on their own: on any input, every typed read gives the same
    /// result (value or class and offset) and leaves the reader at the same position as the general
    /// path alone.
    mod fast_paths_agree_with_the_general_path {
        extern crate std;

        use super::*;
        use proptest::prelude::*;
        use std::vec::Vec;

        fn same<'a, T: PartialEq + core::fmt::Debug>(
            bytes: &'a [u8],
            fast: impl Fn(&mut Reader<'a>) -> Result<T>,
            general: impl Fn(&mut Reader<'a>) -> Short<T>,
        ) {
            let (mut a, mut b) = (Reader::new(bytes), Reader::new(bytes));
            let (x, y) = (fast(&mut a), general(&mut b).map_err(DecodeError::from));
            assert_eq!(x, y, "on {bytes:02x?}");
            if x.is_ok() {
                assert_eq!(a.position(), b.position(), "on {bytes:02x?}");
            }
        }

        /// `skip_general` as it was, recursing once per level: the reference of its walk.
        fn recursive_skip(r: &mut Reader<'_>, depth: usize) -> Short<()> {
            let start = r.pos;
            let (b, argument) = r.item()?;
            match b >> 5 {
                major::BYTES => {
                    r.take(argument)?;
                }
                major::TEXT => {
                    let bytes = r.take(argument)?;
                    if !is_utf8(bytes) {
                        return Err(Fault::at(ErrorClass::InvalidUtf8, start));
                    }
                }
                major::ARRAY => {
                    let n = r.check_count(argument, 1)?;
                    let depth = r.enter_fault(depth, n)?;
                    for _ in 0..n {
                        recursive_skip(r, depth)?;
                    }
                }
                major::MAP => {
                    let n = r.check_count(argument, 2)?;
                    let depth = r.enter_fault(depth, n)?;
                    let mut min = 0;
                    for _ in 0..n {
                        min = r.key_general(min)? + 1;
                        recursive_skip(r, depth)?;
                    }
                }
                _ => {}
            }
            Ok(())
        }

        /// Mostly items of the kinds the fast paths take, in all head widths, with some noise.
        fn input() -> impl Strategy<Value = Vec<u8>> {
            let head = (0u8..8, prop_oneof![0u8..24, 24u8..28, 28u8..32])
                .prop_map(|(major, info)| (major << 5) | info);
            (head, proptest::collection::vec(any::<u8>(), 0..12)).prop_map(|(h, mut rest)| {
                rest.insert(0, h);
                rest
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4096))]

            #[test]
            fn integers(bytes in input(), lo in any::<u64>(), hi in any::<u64>(), a in any::<i64>(), b in any::<i64>()) {
                let (lo, hi) = (lo.min(hi), lo.max(hi));
                same(&bytes, |r| r.uint(lo, hi), |r| r.uint_general(lo, hi));
                same(&bytes, |r| r.uint(0, 65535), |r| r.uint_general(0, 65535));
                let (a, b) = (a.min(b), a.max(b));
                same(&bytes, |r| r.int(a, b), |r| r.int_general(a, b));
                same(&bytes, |r| r.int(-100, 100), |r| r.int_general(-100, 100));
                let min = (lo % 70_000) as u32;
                same(&bytes, |r| r.key(min), |r| r.key_general(min));
                let (lo, hi) = (lo as u32, (hi as u32).max(lo as u32));
                same(&bytes, |r| r.u32(lo, hi), |r| r.u32_general(lo, hi));
                same(&bytes, |r| r.u32(lo, hi).map(u64::from), |r| r.uint_general(lo.into(), hi.into()));
            }

            /// The walk of `skip_general` with its list of open containers against the recursive
            /// walk it replaced: the same verdict, class and offset, and the same end, on nested
            /// arrays and maps of every depth (up to and past the depth given) with some noise.
            #[test]
            fn skipping_agrees_with_a_recursive_walk(
                items in proptest::collection::vec(prop_oneof![
                    4 => Just(0x81u8), 3 => Just(0xa1), 1 => Just(0x82), 1 => Just(0xa2),
                    1 => Just(0x80), 1 => Just(0xa0), 2 => 0u8..0x18, 1 => Just(0x61), 1 => Just(0x41),
                    1 => any::<u8>(),
                ], 0..40),
                depth in 1usize..=MAX_DEPTH,
            ) {
                let (mut a, mut b) = (Reader::new(&items), Reader::new(&items));
                let (x, y) = (a.skip_general(depth), recursive_skip(&mut b, depth));
                prop_assert_eq!(x, y, "on {:02x?} at depth {}", items, depth);
                if x.is_ok() {
                    prop_assert_eq!(a.position(), b.position());
                }
            }

            #[test]
            fn the_small_utf8_check_agrees_with_core(bytes in proptest::collection::vec(
                prop_oneof![0u8..0x80, 0x80u8..0xc0, 0xc0u8..=0xff], 0..12)) {
                prop_assert_eq!(is_utf8_small(&bytes), core::str::from_utf8(&bytes).is_ok(), "on {:02x?}", bytes);
            }

            /// Ranges and bounds that the item just meets (the value as both ends of the range, the
            /// length or count as the bound, the key as the least key allowed): every comparison at
            /// its edge, on the general path too, which decides alone in the size profile.
            #[test]
            fn ranges_and_bounds_the_item_just_meets(bytes in input()) {
                if let Ok(v) = Reader::new(&bytes).int(i64::MIN, i64::MAX) {
                    prop_assert_eq!(Reader::new(&bytes).int(v, v), Ok(v));
                    same(&bytes, |r| r.int(v, v), |r| r.int_general(v, v));
                }
                if let Ok(v) = Reader::new(&bytes).uint(0, u64::MAX) {
                    prop_assert_eq!(Reader::new(&bytes).uint(v, v), Ok(v));
                    same(&bytes, |r| r.uint(v, v), |r| r.uint_general(v, v));
                    if let Ok(v) = u32::try_from(v) {
                        same(&bytes, |r| r.u32(v, v), |r| r.u32_general(v, v));
                        same(&bytes, |r| r.key(v), |r| r.key_general(v));
                    }
                }
                if let Ok(text) = Reader::new(&bytes).text(usize::MAX) {
                    prop_assert_eq!(Reader::new(&bytes).text(text.len()), Ok(text));
                    same(&bytes, |r| r.text(text.len()), |r| r.text_general(text.len()));
                }
                if let Ok(b) = Reader::new(&bytes).bytes(usize::MAX) {
                    prop_assert_eq!(Reader::new(&bytes).bytes(b.len()), Ok(b));
                    same(&bytes, |r| r.bytes(b.len()), |r| r.bytes_general(b.len()));
                    same(&bytes, |r| r.exact_bytes(b.len()), |r| r.exact_bytes_general(b.len()));
                }
                if let Ok(n) = Reader::new(&bytes).array(usize::MAX) {
                    prop_assert_eq!(Reader::new(&bytes).array(n), Ok(n));
                    same(&bytes, |r| r.array(n), |r| r.array_general(n));
                }
            }

            #[test]
            fn strings_and_containers(bytes in input(), max in 0usize..40) {
                same(&bytes, |r| r.text(max), |r| r.text_general(max));
                same(&bytes, |r| r.bytes(max), |r| r.bytes_general(max));
                same(&bytes, |r| r.exact_bytes(max % 4), |r| r.exact_bytes_general(max % 4));
                same(&bytes, |r| r.array(max), |r| r.array_general(max));
                same(&bytes, |r| r.map(), |r| r.map_general());
                same(&bytes, |r| r.bool(), |r| r.bool_general());
                same(&bytes, |r| r.null(), |r| r.null_general());
            }
        }
    }
}

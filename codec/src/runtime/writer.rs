//! The CBOR writer: canonical encodings straight into the caller's buffer, in one pass.
//!
//! Generated encoders know every length before they write it (`encoded_len`), so sub-messages are
//! never encoded twice to learn their size.
//!
//! The writer also keeps the depth of the next item (spec §4.16), so that no encoder produces an item
//! deeper than MAX_DEPTH ([IOTP-WIRE-61]): generated code opens every map and array with
//! [`Writer::map`] or [`Writer::array`] and closes it with [`Writer::close`]; already-encoded content
//! goes through [`Writer::raw_items`], which knows how deep that content may reach.

use super::error::{DecodeError, EncodeError, ErrorClass};
use super::float;
use super::limits::MAX_DEPTH;
use super::reader::{major, Reader};

/// A cursor over the output buffer.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
    /// Depth of the next item written: 1 at the top, one more inside each open map or array.
    depth: usize,
    /// What does not fit is counted instead of refused ([`Writer::counting`]).
    counting: bool,
}

type Result = core::result::Result<(), EncodeError>;

/// Bytes taken by a head carrying `arg` (the same as `iotp2p_codegen::ir::head_len`). Every field's
/// length calls it; in the size profile one shared copy (a call is 4 bytes of Thumb code, the
/// comparisons on a 64-bit argument about 30).
#[cfg_attr(not(feature = "size"), inline)]
#[cfg_attr(feature = "size", inline(never))]
pub const fn head_len(arg: u64) -> usize {
    match arg {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// Bytes taken by a signed integer.
#[inline]
pub const fn int_len(v: i64) -> usize {
    if v >= 0 {
        head_len(v as u64)
    } else {
        head_len(!(v as u64))
    }
}

/// Bytes taken by a float in its shortest exact form.
#[inline]
pub fn float_len(v: f64) -> usize {
    float::shortest_len(v)
}

/// Bytes taken by a binary32 float in its shortest exact form (3 or 5).
#[inline]
pub fn float_len_f32(v: f32) -> usize {
    float::shortest_len_f32(v)
}

impl<'a> Writer<'a> {
    /// A writer at the start of `buf`.
    #[inline]
    pub fn new(buf: &'a mut [u8]) -> Writer<'a> {
        Writer {
            buf,
            pos: 0,
            depth: 1,
            counting: false,
        }
    }

    /// A writer at the start of `buf` that, once `buf` is full, counts what does not fit instead
    /// of refusing it: after the encoder, [`position`](Self::position) is the encoding's length
    /// whether or not it fitted, and every other check applies as with [`new`](Self::new). How
    /// [`Message::encode`](super::Message::encode) learns how many bytes a buffer that was too
    /// small needed in the same pass, where asking `encoded_len` linked a second walk of every type
    /// into each firmware.
    pub(crate) fn counting(buf: &'a mut [u8]) -> Writer<'a> {
        Writer {
            counting: true,
            ..Writer::new(buf)
        }
    }

    /// Whether everything written so far fitted.
    pub(crate) fn fitted(&self) -> bool {
        self.pos <= self.buf.len()
    }

    /// How many levels the next item may use, itself included, before MAX_DEPTH.
    #[inline]
    pub const fn levels(&self) -> usize {
        MAX_DEPTH + 1 - self.depth
    }

    /// Bytes written so far.
    #[inline]
    pub const fn position(&self) -> usize {
        self.pos
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
    #[cfg_attr(feature = "size", inline(never))]
    fn put(&mut self, bytes: &[u8]) -> Result {
        let end = self.pos + bytes.len();
        match self.buf.get_mut(self.pos..end) {
            Some(dst) => {
                // In the size profile a loop of bytes: `copy_from_slice` calls `memcpy` (730 B of
                // flash on a Cortex-M4), which an image that writes no struct copies of its own
                // then does not link.
                if cfg!(feature = "size") {
                    for (d, &b) in dst.iter_mut().zip(bytes) {
                        *d = b;
                    }
                } else {
                    dst.copy_from_slice(bytes);
                }
                self.pos = end;
                Ok(())
            }
            None => self.overflow(end),
        }
    }

    /// What does not fit: refused, or counted by a [`counting`](Self::counting) writer. Out of
    /// line in the default profile, where `put` is inlined into every write: a few instructions
    /// less on the path that fits (4–8 % of an encode, by callgrind).
    #[cfg_attr(not(feature = "size"), cold, inline(never))]
    #[cfg_attr(feature = "size", inline)]
    fn overflow(&mut self, end: usize) -> Result {
        if !self.counting {
            return Err(EncodeError::BufferTooSmall { needed: end });
        }
        self.pos = end;
        Ok(())
    }

    /// A head in shortest form. In the size profile one copy for the whole firmware
    /// (`inline(never)`, as `UnknownMerge::key`: an `#[inline]` one is instantiated again in the
    /// crate of every generic encoder that calls it).
    #[cfg_attr(not(feature = "size"), inline(always))]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn head(&mut self, major: u8, arg: u64) -> Result {
        let m = major << 5;
        match arg {
            0..=23 => self.put(&[m | arg as u8]),
            24..=0xff => self.put(&[m | 24, arg as u8]),
            0x100..=0xffff => {
                let b = (arg as u16).to_be_bytes();
                self.put(&[m | 25, b[0], b[1]])
            }
            0x1_0000..=0xffff_ffff => {
                let b = (arg as u32).to_be_bytes();
                self.put(&[m | 26, b[0], b[1], b[2], b[3]])
            }
            _ => {
                let b = arg.to_be_bytes();
                self.put(&[m | 27, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
            }
        }
    }

    /// An unsigned integer.
    ///
    /// One copy in the size profile (`inline(never)`): an `#[inline]` function is instantiated in
    /// every crate that calls it, and a firmware calls this one from its own crate through the
    /// generic `encode_as` as well as from the codec's.
    #[cfg_attr(not(feature = "size"), inline)]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn u64(&mut self, v: u64) -> Result {
        self.head(major::UINT, v)
    }

    /// A signed integer.
    #[inline]
    pub fn i64(&mut self, v: i64) -> Result {
        if v >= 0 {
            self.head(major::UINT, v as u64)
        } else {
            self.head(major::NINT, !(v as u64))
        }
    }

    /// `false` or `true`.
    #[inline]
    pub fn bool(&mut self, v: bool) -> Result {
        self.put(&[if v { 0xf5 } else { 0xf4 }])
    }

    /// `null`.
    #[inline]
    pub fn null(&mut self) -> Result {
        self.put(&[0xf6])
    }

    /// A float in its shortest exact form; every NaN as `f9 7e 00`.
    pub fn f64(&mut self, v: f64) -> Result {
        if let Some(half) = float::f64_to_f16_exact(v) {
            let b = half.to_be_bytes();
            return self.put(&[0xf9, b[0], b[1]]);
        }
        if let Some(single) = float::f64_to_f32_exact(v) {
            let b = single.to_be_bytes();
            return self.put(&[0xfa, b[0], b[1], b[2], b[3]]);
        }
        let b = v.to_be_bytes();
        self.put(&[0xfb, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    }

    /// A binary32 float in its shortest exact form (half or single precision).
    pub fn f32(&mut self, v: f32) -> Result {
        self.f64(float::f32_bits_to_f64(v.to_bits()))
    }

    /// A text string.
    #[inline]
    pub fn text(&mut self, s: &str) -> Result {
        self.head(major::TEXT, s.len() as u64)?;
        self.put(s.as_bytes())
    }

    /// A byte string.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) -> Result {
        self.head(major::BYTES, b.len() as u64)?;
        self.put(b)
    }

    /// An array head for `n` items; its items follow, then [`close`](Self::close).
    #[inline]
    pub fn array(&mut self, n: usize) -> Result {
        self.open(n)?;
        self.head(major::ARRAY, n as u64)
    }

    /// A map head for `n` entries; its keys and values follow, then [`close`](Self::close). One copy
    /// in the size profile, as [`u64`](Self::u64).
    #[cfg_attr(not(feature = "size"), inline)]
    #[cfg_attr(feature = "size", inline(never))]
    pub fn map(&mut self, n: usize) -> Result {
        self.open(n)?;
        self.head(major::MAP, n as u64)
    }

    /// Ends the map or array of `n` entries or items opened last.
    #[inline]
    pub fn close(&mut self, n: usize) {
        if n > 0 {
            self.depth -= 1;
        }
    }

    /// A map or array with contents puts them one level deeper, which must stay within MAX_DEPTH.
    #[inline]
    fn open(&mut self, n: usize) -> Result {
        if n > 0 {
            if self.depth >= MAX_DEPTH {
                return Err(EncodeError::DepthExceeded);
            }
            self.depth += 1;
        }
        Ok(())
    }

    /// Already-encoded items (a retained unknown field, an unknown variant's value, a decoded array's
    /// items, a decoded recursive value), copied as they are. `room` is how many levels each item was
    /// checked to use when it was decoded; when the items now sit deeper than that allowed, they are
    /// measured again and refused if they would reach past MAX_DEPTH.
    #[inline]
    pub fn raw_items(&mut self, bytes: &[u8], room: usize) -> Result {
        if room > self.levels() {
            self.check_depth(bytes)?;
        }
        self.put(bytes)
    }

    /// Already-encoded items that the caller has just checked against [`levels`](Self::levels) (and
    /// whatever else applies where they go, such as a recursive type's `@max_depth`).
    #[inline]
    pub fn raw_checked(&mut self, bytes: &[u8]) -> Result {
        self.put(bytes)
    }

    /// One already-encoded data item that no decoder has checked here (an unknown variant's value
    /// that an application built): it must be one canonical item of the profile that fits the
    /// levels left.
    pub fn raw_item(&mut self, bytes: &[u8]) -> Result {
        let mut r = Reader::new(bytes);
        r.skip(self.levels()).map_err(refusal)?;
        r.finish().map_err(refusal)?;
        self.put(bytes)
    }

    #[cold]
    #[inline(never)]
    fn check_depth(&self, bytes: &[u8]) -> Result {
        let mut r = Reader::new(bytes);
        while !r.is_empty() {
            r.skip(self.levels()).map_err(refusal)?;
        }
        Ok(())
    }
}

/// Why already-encoded content cannot be written: too deep, or not canonical content at all.
pub(crate) fn refusal(e: DecodeError) -> EncodeError {
    match e.class() {
        ErrorClass::DepthExceeded => EncodeError::DepthExceeded,
        _ => EncodeError::InvalidUnknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::Reader;

    fn written(f: impl FnOnce(&mut Writer) -> Result) -> ([u8; 16], usize) {
        let mut buf = [0u8; 16];
        let mut w = Writer::new(&mut buf);
        f(&mut w).unwrap();
        let n = w.position();
        (buf, n)
    }

    #[test]
    fn heads_are_shortest_and_read_back() {
        for v in [
            0u64,
            23,
            24,
            255,
            256,
            65535,
            65536,
            u32::MAX as u64,
            u32::MAX as u64 + 1,
            u64::MAX,
        ] {
            let (buf, n) = written(|w| w.u64(v));
            assert_eq!(n, head_len(v));
            assert_eq!(Reader::new(&buf[..n]).uint(0, u64::MAX), Ok(v));
        }
        for v in [0i64, -1, -24, -25, -256, -257, i64::MIN, i64::MAX] {
            let (buf, n) = written(|w| w.i64(v));
            assert_eq!(n, int_len(v));
            assert_eq!(Reader::new(&buf[..n]).int(i64::MIN, i64::MAX), Ok(v));
        }
    }

    #[test]
    fn floats_are_shortest_and_read_back() {
        for v in [
            0.0,
            -0.0,
            1.5,
            65504.0,
            100000.0,
            0.1,
            f64::INFINITY,
            5.960464477539063e-8,
        ] {
            let (buf, n) = written(|w| w.f64(v));
            assert_eq!(n, float_len(v));
            assert_eq!(
                Reader::new(&buf[..n]).f64().map(f64::to_bits),
                Ok(v.to_bits())
            );
        }
        let (buf, n) = written(|w| w.f64(f64::NAN));
        assert_eq!(&buf[..n], &[0xf9, 0x7e, 0x00]);
        // Binary32 fields: half precision where it is exact, single otherwise.
        for (v, len) in [(1.5f32, 3), (100000.0, 5), (0.1, 5)] {
            let (buf, n) = written(|w| w.f32(v));
            assert_eq!((n, float_len_f32(v)), (len, len));
            assert_eq!(Reader::new(&buf[..n]).f32(), Ok(v));
        }
    }

    #[test]
    fn simple_values_strings_and_containers() {
        let (buf, n) = written(|w| {
            w.bool(false)?;
            w.bool(true)?;
            w.null()?;
            w.text("a")?;
            w.bytes(&[7])?;
            w.map(1)?;
            w.array(0)
        });
        assert_eq!(
            &buf[..n],
            &[0xf4, 0xf5, 0xf6, 0x61, b'a', 0x41, 7, 0xa1, 0x80]
        );
    }

    #[test]
    fn small_buffer_is_an_error_not_a_panic() {
        let mut buf = [0u8; 2];
        let mut w = Writer::new(&mut buf);
        assert_eq!(
            w.text("abc"),
            Err(EncodeError::BufferTooSmall { needed: 4 })
        );
    }

    /// A counting writer writes what fits, counts the rest and refuses nothing for lack of room;
    /// its other checks stay.
    #[test]
    fn a_counting_writer_counts_what_does_not_fit() {
        let mut buf = [0u8; 3];
        let mut w = Writer::counting(&mut buf);
        assert_eq!(w.u64(1000), Ok(()));
        assert!(w.fitted());
        assert_eq!(w.text("abc"), Ok(()));
        assert_eq!(w.u64(1), Ok(()));
        assert_eq!((w.position(), w.fitted()), (8, false));
        for _ in 0..MAX_DEPTH - 1 {
            assert_eq!(w.array(1), Ok(()));
        }
        assert_eq!(w.array(1), Err(EncodeError::DepthExceeded));
        assert_eq!(buf, [0x19, 0x03, 0xe8]);
    }

    #[test]
    fn nothing_is_written_deeper_than_max_depth() {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        // Fifteen arrays of one item each hold a u8 at depth 16: allowed.
        for _ in 0..MAX_DEPTH - 1 {
            w.array(1).unwrap();
        }
        assert_eq!(w.levels(), 1);
        w.u64(7).unwrap();
        // An empty array at depth 16 has no contents, so it is fine too (and closing it leaves the
        // depth as it was); one with an item is not.
        w.array(0).unwrap();
        w.close(0);
        assert_eq!(w.levels(), 1);
        assert_eq!(w.array(1), Err(EncodeError::DepthExceeded));
        assert_eq!(w.map(1), Err(EncodeError::DepthExceeded));
        for _ in 0..MAX_DEPTH - 1 {
            w.close(1);
        }
        assert_eq!(w.levels(), MAX_DEPTH);
    }

    #[test]
    fn raw_items_are_measured_only_when_they_may_reach_too_deep() {
        // [[0]]: two levels.
        let two_levels = [0x81, 0x81, 0x00];
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        for _ in 0..MAX_DEPTH - 3 {
            w.array(1).unwrap();
        }
        // Three levels left: checked with room for three (or fewer), nothing to measure.
        assert_eq!(w.levels(), 3);
        w.raw_items(&two_levels, 3).unwrap();
        w.close(1);
        w.array(1).unwrap();
        w.array(1).unwrap();
        // Two levels left, room for more: measured, and [[0]] still fits.
        assert_eq!(w.levels(), 2);
        w.raw_items(&[0x81, 0x00], usize::MAX).unwrap();
        // One level left: [[0]] would put the 0 at depth 17.
        w.array(1).unwrap();
        assert_eq!(
            w.raw_items(&two_levels, usize::MAX),
            Err(EncodeError::DepthExceeded)
        );
    }

    #[test]
    fn an_unchecked_raw_item_must_be_one_canonical_item() {
        let mut buf = [0u8; 16];
        let mut w = Writer::new(&mut buf);
        w.raw_item(&[0x82, 0x01, 0x02]).unwrap();
        assert_eq!(w.raw_item(&[0x18, 0x01]), Err(EncodeError::InvalidUnknown));
        assert_eq!(w.raw_item(&[0x01, 0x02]), Err(EncodeError::InvalidUnknown));
        assert_eq!(w.raw_item(&[]), Err(EncodeError::InvalidUnknown));
        assert_eq!(w.position(), 3);
    }
}

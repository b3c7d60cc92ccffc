//! The CBOR writer: canonical encodings straight into the caller's buffer, in one pass.
//!
//! Generated encoders know every length before they write it (`encoded_len`), so sub-messages are
//! never encoded twice to learn their size.

use super::error::EncodeError;
use super::float;
use super::reader::major;

/// A cursor over the output buffer.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

type Result = core::result::Result<(), EncodeError>;

/// Bytes taken by a head carrying `arg` (the same as `iotp2p_codegen::ir::head_len`).
#[inline]
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

impl<'a> Writer<'a> {
    /// A writer at the start of `buf`.
    #[inline]
    pub fn new(buf: &'a mut [u8]) -> Writer<'a> {
        Writer { buf, pos: 0 }
    }

    /// Bytes written so far.
    #[inline]
    pub const fn position(&self) -> usize {
        self.pos
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result {
        let end = self.pos + bytes.len();
        match self.buf.get_mut(self.pos..end) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.pos = end;
                Ok(())
            }
            None => Err(EncodeError::BufferTooSmall { needed: end }),
        }
    }

    /// A head in shortest form.
    #[inline]
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
    #[inline]
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
        if (v as f32) as f64 == v {
            let b = (v as f32).to_be_bytes();
            return self.put(&[0xfa, b[0], b[1], b[2], b[3]]);
        }
        let b = v.to_be_bytes();
        self.put(&[0xfb, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
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

    /// An array head for `n` items.
    #[inline]
    pub fn array(&mut self, n: usize) -> Result {
        self.head(major::ARRAY, n as u64)
    }

    /// A map head for `n` entries.
    #[inline]
    pub fn map(&mut self, n: usize) -> Result {
        self.head(major::MAP, n as u64)
    }

    /// Already-encoded bytes (a retained unknown field or variant), copied as they are.
    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) -> Result {
        self.put(bytes)
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
}

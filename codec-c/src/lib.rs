//! Rust bindings to the C runtime of iotp2p's C codecs (`runtime/iotp2p.c`, compiled by `build.rs`),
//! and to the generated codecs of the shipped schema ([`envelope`], through the shims of `shim/`):
//! the core Envelope, and every type of the core, security and capabilities packages by name
//! ([`Transcoder`](envelope::Transcoder)).
//!
//! They exist so that Rust tests can hold the C runtime to the Rust one: [`Reader`] and [`Writer`] have
//! the shape of `iotp2p_codec::runtime::{Reader, Writer}` and return the same error types, so a
//! differential test compares results with `==` (`tests/differential.rs`). Not an API for
//! applications: Rust code uses `iotp2p-codec` itself. [`fuzzing`] holds the body of the
//! differential fuzz target `codec_c_differential` (generated C against generated Rust).
//!
//! This crate is the repository's FFI boundary, the only place outside the footprint harness where
//! `unsafe` is allowed: every block calls a C function on a reader or writer that this module owns,
//! whose pointers come from a live slice borrowed for the wrapper's lifetime.
#![allow(unsafe_code)]

use core::ffi::c_char;
use core::marker::PhantomData;

use iotp2p_codec::runtime::{DecodeError, EncodeError, ErrorClass};

/// The C declarations of `runtime/iotp2p.h`, field for field.
#[allow(non_camel_case_types, missing_docs)]
pub mod ffi {
    use core::ffi::c_char;

    /// `iotp_error_class`'s value for "no error".
    pub const IOTP_ERR_NONE: u32 = 17;

    #[repr(C)]
    #[derive(Clone, Copy, Debug)]
    pub struct iotp_decode_error {
        pub cls: u32,
        pub offset: usize,
        pub field: *const c_char,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug)]
    pub struct iotp_reader {
        pub data: *const u8,
        pub len: usize,
        pub pos: usize,
        pub err: iotp_decode_error,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug)]
    pub struct iotp_text {
        pub ptr: *const c_char,
        pub len: usize,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug)]
    pub struct iotp_bytes {
        pub ptr: *const u8,
        pub len: usize,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default)]
    pub struct iotp_head {
        pub kind: u32,
        pub width: u8,
        pub arg: u64,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default)]
    pub struct iotp_map {
        pub start: usize,
        pub entries: usize,
        pub left: usize,
        pub depth: usize,
        pub key_at: usize,
        pub unknown: usize,
        pub next_key: u32,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug)]
    pub struct iotp_unknown {
        pub entries: *const u8,
        pub len: usize,
        pub count: usize,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug)]
    pub struct iotp_merge {
        pub r: iotp_reader,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug)]
    pub struct iotp_encode_error {
        pub kind: u32,
        pub needed: usize,
        pub field: *const c_char,
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug)]
    pub struct iotp_writer {
        pub buf: *mut u8,
        pub cap: usize,
        pub pos: usize,
        pub depth: usize,
        pub err: iotp_encode_error,
    }

    extern "C" {
        pub fn iotp_reader_init(r: *mut iotp_reader, data: *const u8, len: usize);
        pub fn iotp_fail(r: *mut iotp_reader, cls: u32, offset: usize) -> bool;
        pub fn iotp_error_class_name(cls: u32) -> *const c_char;
        pub fn iotp_finish(r: *mut iotp_reader) -> bool;
        pub fn iotp_read_head(r: *mut iotp_reader, h: *mut iotp_head) -> bool;
        pub fn iotp_read_uint(r: *mut iotp_reader, min: u64, max: u64, out: *mut u64) -> bool;
        pub fn iotp_read_int(r: *mut iotp_reader, min: i64, max: i64, out: *mut i64) -> bool;
        pub fn iotp_read_u8(r: *mut iotp_reader, min: u8, max: u8, out: *mut u8) -> bool;
        pub fn iotp_read_u16(r: *mut iotp_reader, min: u16, max: u16, out: *mut u16) -> bool;
        pub fn iotp_read_u32(r: *mut iotp_reader, min: u32, max: u32, out: *mut u32) -> bool;
        pub fn iotp_read_i8(r: *mut iotp_reader, min: i8, max: i8, out: *mut i8) -> bool;
        pub fn iotp_read_i16(r: *mut iotp_reader, min: i16, max: i16, out: *mut i16) -> bool;
        pub fn iotp_read_i32(r: *mut iotp_reader, min: i32, max: i32, out: *mut i32) -> bool;
        pub fn iotp_read_enum(r: *mut iotp_reader, out: *mut u32) -> bool;
        pub fn iotp_read_bool(r: *mut iotp_reader, out: *mut bool) -> bool;
        pub fn iotp_read_null(r: *mut iotp_reader) -> bool;
        pub fn iotp_read_f64(r: *mut iotp_reader, out: *mut f64) -> bool;
        pub fn iotp_read_f32(r: *mut iotp_reader, out: *mut f32) -> bool;
        pub fn iotp_read_text(r: *mut iotp_reader, max: usize, out: *mut iotp_text) -> bool;
        pub fn iotp_read_bytes(r: *mut iotp_reader, max: usize, out: *mut iotp_bytes) -> bool;
        pub fn iotp_read_fixed(r: *mut iotp_reader, len: usize, out: *mut iotp_bytes) -> bool;
        pub fn iotp_read_array(r: *mut iotp_reader, max: usize, count: *mut usize) -> bool;
        pub fn iotp_read_map(r: *mut iotp_reader, count: *mut usize) -> bool;
        pub fn iotp_read_key(r: *mut iotp_reader, min: u32, key: *mut u32) -> bool;
        pub fn iotp_enter(
            r: *mut iotp_reader,
            depth: usize,
            count: usize,
            inner: *mut usize,
        ) -> bool;
        pub fn iotp_depth_exceeded(r: *mut iotp_reader) -> bool;
        pub fn iotp_skip(r: *mut iotp_reader, depth: usize, out: *mut iotp_bytes) -> bool;
        pub fn iotp_map_begin(r: *mut iotp_reader, depth: usize, m: *mut iotp_map) -> bool;
        pub fn iotp_map_next(r: *mut iotp_reader, m: *mut iotp_map, key: *mut u32) -> bool;
        pub fn iotp_map_skip_value(r: *mut iotp_reader, m: *mut iotp_map) -> bool;
        pub fn iotp_union_begin(
            r: *mut iotp_reader,
            depth: usize,
            key: *mut u32,
            inner: *mut usize,
        ) -> bool;

        pub fn iotp_map_unknown(r: *const iotp_reader, m: *const iotp_map, out: *mut iotp_unknown);
        pub fn iotp_merge_init(g: *mut iotp_merge, u: *const iotp_unknown);
        pub fn iotp_merge_before(w: *mut iotp_writer, g: *mut iotp_merge, key: u32) -> bool;
        pub fn iotp_merge_finish(w: *mut iotp_writer, g: *mut iotp_merge) -> bool;

        pub fn iotp_writer_init(w: *mut iotp_writer, buf: *mut u8, cap: usize);
        pub fn iotp_writer_levels(w: *const iotp_writer) -> usize;
        pub fn iotp_head_len(arg: u64) -> usize;
        pub fn iotp_int_len(v: i64) -> usize;
        pub fn iotp_float_len(v: f64) -> usize;
        pub fn iotp_write_head(w: *mut iotp_writer, major: u8, arg: u64) -> bool;
        pub fn iotp_write_uint(w: *mut iotp_writer, v: u64) -> bool;
        pub fn iotp_write_int(w: *mut iotp_writer, v: i64) -> bool;
        pub fn iotp_write_bool(w: *mut iotp_writer, v: bool) -> bool;
        pub fn iotp_write_null(w: *mut iotp_writer) -> bool;
        pub fn iotp_write_f64(w: *mut iotp_writer, v: f64) -> bool;
        pub fn iotp_write_f32(w: *mut iotp_writer, v: f32) -> bool;
        pub fn iotp_write_text(w: *mut iotp_writer, s: *const c_char, len: usize) -> bool;
        pub fn iotp_write_bytes(w: *mut iotp_writer, b: *const u8, len: usize) -> bool;
        pub fn iotp_write_array(w: *mut iotp_writer, n: usize) -> bool;
        pub fn iotp_write_map(w: *mut iotp_writer, n: usize) -> bool;
        pub fn iotp_write_close(w: *mut iotp_writer, n: usize);
        pub fn iotp_write_raw_items(
            w: *mut iotp_writer,
            bytes: *const u8,
            len: usize,
            room: usize,
        ) -> bool;
        pub fn iotp_write_raw_item(w: *mut iotp_writer, bytes: *const u8, len: usize) -> bool;
    }
}

/// A parsed head, as `iotp2p_codec::runtime::Head` but with floats as their encoded bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// `iotp_kind`: 0–5 the major types, 6 bool, 7 null, 8 float.
    pub kind: u32,
    /// A float's encoded width (3, 5, 9), else 0.
    pub width: u8,
    /// The argument (a float's bits in its width; a bool's 0 or 1).
    pub arg: u64,
}

/// A message map being read (`iotp_map`).
#[derive(Clone, Copy, Debug, Default)]
pub struct MapState(ffi::iotp_map);

impl MapState {
    /// Levels left for each key and value.
    pub fn depth(&self) -> usize {
        self.0.depth
    }
    /// Offset of the map's first entry.
    pub fn entries(&self) -> usize {
        self.0.entries
    }
    /// Unknown entries skipped.
    pub fn unknown(&self) -> usize {
        self.0.unknown
    }
}

/// The C reader over a borrowed input.
pub struct Reader<'a> {
    raw: ffi::iotp_reader,
    _data: PhantomData<&'a [u8]>,
}

/// The class with the C enum's number (the spec's number).
fn class(cls: u32) -> ErrorClass {
    ErrorClass::ALL[cls as usize]
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        let mut raw = ffi::iotp_reader {
            data: core::ptr::null(),
            len: 0,
            pos: 0,
            err: ffi::iotp_decode_error {
                cls: 0,
                offset: 0,
                field: core::ptr::null(),
            },
        };
        // SAFETY: `raw` is a valid reader to initialise; `data` outlives the reader ('a).
        unsafe { ffi::iotp_reader_init(&mut raw, data.as_ptr(), data.len()) };
        Reader {
            raw,
            _data: PhantomData,
        }
    }

    /// Current byte offset.
    pub fn position(&self) -> usize {
        self.raw.pos
    }

    /// The recorded error, if any.
    pub fn error(&self) -> Option<DecodeError> {
        (self.raw.err.cls != ffi::IOTP_ERR_NONE)
            .then(|| DecodeError::new(class(self.raw.err.cls), self.raw.err.offset))
    }

    /// `Ok(value)` when the C call succeeded, else the recorded error.
    fn result<T>(&self, ok: bool, value: T) -> Result<T, DecodeError> {
        match (ok, self.error()) {
            (true, None) => Ok(value),
            (false, Some(e)) => Err(e),
            (ok, e) => panic!("C runtime returned {ok} with recorded error {e:?}"),
        }
    }

    /// The slice `[ptr, ptr + len)` of the input, which the C runtime returned.
    fn slice(&self, ptr: *const u8, len: usize) -> &'a [u8] {
        if len == 0 {
            return &[];
        }
        let start = ptr as usize - self.raw.data as usize;
        assert!(
            start + len <= self.raw.len,
            "C runtime returned bytes outside the input"
        );
        // SAFETY: checked just above to lie within the input, which lives for 'a.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    }

    /// `iotp_finish`.
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        // SAFETY: a valid reader (see `new`).
        let ok = unsafe { ffi::iotp_finish(&mut self.raw) };
        self.result(ok, ())
    }

    /// `iotp_read_head`.
    pub fn head(&mut self) -> Result<Head, DecodeError> {
        let mut h = ffi::iotp_head::default();
        // SAFETY: a valid reader and head.
        let ok = unsafe { ffi::iotp_read_head(&mut self.raw, &mut h) };
        self.result(
            ok,
            Head {
                kind: h.kind,
                width: h.width,
                arg: h.arg,
            },
        )
    }

    /// `iotp_read_uint`.
    pub fn uint(&mut self, min: u64, max: u64) -> Result<u64, DecodeError> {
        let mut v = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_uint(&mut self.raw, min, max, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_int`.
    pub fn int(&mut self, min: i64, max: i64) -> Result<i64, DecodeError> {
        let mut v = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_int(&mut self.raw, min, max, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_u8`.
    pub fn u8(&mut self, min: u8, max: u8) -> Result<u8, DecodeError> {
        let mut v = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_u8(&mut self.raw, min, max, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_u16`.
    pub fn u16(&mut self, min: u16, max: u16) -> Result<u16, DecodeError> {
        let mut v = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_u16(&mut self.raw, min, max, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_u32`.
    pub fn u32(&mut self, min: u32, max: u32) -> Result<u32, DecodeError> {
        let mut v = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_u32(&mut self.raw, min, max, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_i8`.
    pub fn i8(&mut self, min: i8, max: i8) -> Result<i8, DecodeError> {
        let mut v = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_i8(&mut self.raw, min, max, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_i16`.
    pub fn i16(&mut self, min: i16, max: i16) -> Result<i16, DecodeError> {
        let mut v = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_i16(&mut self.raw, min, max, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_i32`.
    pub fn i32(&mut self, min: i32, max: i32) -> Result<i32, DecodeError> {
        let mut v = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_i32(&mut self.raw, min, max, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_enum`.
    pub fn enum_number(&mut self) -> Result<u32, DecodeError> {
        let mut v = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_enum(&mut self.raw, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_bool`.
    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        let mut v = false;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_bool(&mut self.raw, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_null`.
    pub fn null(&mut self) -> Result<(), DecodeError> {
        // SAFETY: a valid reader.
        let ok = unsafe { ffi::iotp_read_null(&mut self.raw) };
        self.result(ok, ())
    }

    /// `iotp_read_f64`.
    pub fn f64(&mut self) -> Result<f64, DecodeError> {
        let mut v = 0.0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_f64(&mut self.raw, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_f32`.
    pub fn f32(&mut self) -> Result<f32, DecodeError> {
        let mut v = 0.0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_f32(&mut self.raw, &mut v) };
        self.result(ok, v)
    }

    /// `iotp_read_text`: the bytes (the C side validated them as UTF-8; the test compares them).
    pub fn text(&mut self, max: usize) -> Result<&'a [u8], DecodeError> {
        let mut t = ffi::iotp_text {
            ptr: core::ptr::null(),
            len: 0,
        };
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_text(&mut self.raw, max, &mut t) };
        self.result(ok, ())?;
        Ok(self.slice(t.ptr.cast::<u8>(), t.len))
    }

    /// `iotp_read_bytes`.
    pub fn bytes(&mut self, max: usize) -> Result<&'a [u8], DecodeError> {
        let mut b = ffi::iotp_bytes {
            ptr: core::ptr::null(),
            len: 0,
        };
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_bytes(&mut self.raw, max, &mut b) };
        self.result(ok, ())?;
        Ok(self.slice(b.ptr, b.len))
    }

    /// `iotp_read_fixed`.
    pub fn exact_bytes(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let mut b = ffi::iotp_bytes {
            ptr: core::ptr::null(),
            len: 0,
        };
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_fixed(&mut self.raw, len, &mut b) };
        self.result(ok, ())?;
        Ok(self.slice(b.ptr, b.len))
    }

    /// `iotp_read_array`.
    pub fn array(&mut self, max: usize) -> Result<usize, DecodeError> {
        let mut n = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_array(&mut self.raw, max, &mut n) };
        self.result(ok, n)
    }

    /// `iotp_read_map`.
    pub fn map(&mut self) -> Result<usize, DecodeError> {
        let mut n = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_map(&mut self.raw, &mut n) };
        self.result(ok, n)
    }

    /// `iotp_read_key` (`min` up to 65536).
    pub fn key(&mut self, min: u32) -> Result<u32, DecodeError> {
        let mut k = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_read_key(&mut self.raw, min, &mut k) };
        self.result(ok, k)
    }

    /// `iotp_enter`.
    pub fn enter(&mut self, depth: usize, count: usize) -> Result<usize, DecodeError> {
        let mut inner = 0;
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_enter(&mut self.raw, depth, count, &mut inner) };
        self.result(ok, inner)
    }

    /// `iotp_depth_exceeded`: the error it records.
    pub fn depth_exceeded(&mut self) -> DecodeError {
        // SAFETY: a valid reader.
        let ok = unsafe { ffi::iotp_depth_exceeded(&mut self.raw) };
        assert!(!ok, "iotp_depth_exceeded always fails");
        self.error().expect("iotp_depth_exceeded records an error")
    }

    /// `iotp_skip`: the skipped item's bytes.
    pub fn skip(&mut self, depth: usize) -> Result<&'a [u8], DecodeError> {
        let mut b = ffi::iotp_bytes {
            ptr: core::ptr::null(),
            len: 0,
        };
        // SAFETY: a valid reader and output.
        let ok = unsafe { ffi::iotp_skip(&mut self.raw, depth, &mut b) };
        self.result(ok, ())?;
        Ok(self.slice(b.ptr, b.len))
    }

    /// `iotp_map_begin`.
    pub fn map_begin(&mut self, depth: usize) -> Result<MapState, DecodeError> {
        let mut m = MapState::default();
        // SAFETY: a valid reader and map state.
        let ok = unsafe { ffi::iotp_map_begin(&mut self.raw, depth, &mut m.0) };
        self.result(ok, m)
    }

    /// `iotp_map_next`: `Ok(None)` at the end of the map.
    pub fn map_next(&mut self, m: &mut MapState) -> Result<Option<u32>, DecodeError> {
        let mut k = 0;
        // SAFETY: a valid reader and map state.
        let ok = unsafe { ffi::iotp_map_next(&mut self.raw, &mut m.0, &mut k) };
        match (ok, self.error()) {
            (true, None) => Ok(Some(k)),
            (false, None) => Ok(None),
            (false, Some(e)) => Err(e),
            (true, Some(e)) => panic!("iotp_map_next succeeded with recorded error {e:?}"),
        }
    }

    /// `iotp_map_skip_value`.
    pub fn map_skip_value(&mut self, m: &mut MapState) -> Result<(), DecodeError> {
        // SAFETY: a valid reader and map state.
        let ok = unsafe { ffi::iotp_map_skip_value(&mut self.raw, &mut m.0) };
        self.result(ok, ())
    }

    /// `iotp_union_begin`: the variant's key and the levels left for its value.
    pub fn union_begin(&mut self, depth: usize) -> Result<(u32, usize), DecodeError> {
        let (mut key, mut inner) = (0, 0);
        // SAFETY: a valid reader and outputs.
        let ok = unsafe { ffi::iotp_union_begin(&mut self.raw, depth, &mut key, &mut inner) };
        self.result(ok, (key, inner))
    }

    /// `iotp_fail`: records an error (as generated code does for missing-field and the like).
    pub fn fail(&mut self, class: ErrorClass, offset: usize) -> DecodeError {
        // SAFETY: a valid reader.
        unsafe { ffi::iotp_fail(&mut self.raw, class as u32, offset) };
        self.error().expect("iotp_fail records an error")
    }
}

/// The spec's name of a class, as the C runtime spells it.
pub fn class_name(class: ErrorClass) -> &'static str {
    // SAFETY: iotp_error_class_name returns a pointer to a static NUL-terminated string.
    let name = unsafe { core::ffi::CStr::from_ptr(ffi::iotp_error_class_name(class as u32)) };
    name.to_str().expect("class names are ASCII")
}

/// `iotp_head_len`.
pub fn head_len(arg: u64) -> usize {
    // SAFETY: a pure function.
    unsafe { ffi::iotp_head_len(arg) }
}

/// `iotp_int_len`.
pub fn int_len(v: i64) -> usize {
    // SAFETY: a pure function.
    unsafe { ffi::iotp_int_len(v) }
}

/// `iotp_float_len`.
pub fn float_len(v: f64) -> usize {
    // SAFETY: a pure function.
    unsafe { ffi::iotp_float_len(v) }
}

/// The refusal a C writer recorded, if any (field names left out, as the writer's tests compare
/// kinds).
fn encode_error(e: &ffi::iotp_encode_error) -> Option<EncodeError> {
    match e.kind {
        0 => None,
        1 => Some(EncodeError::BufferTooSmall { needed: e.needed }),
        2 => Some(EncodeError::BoundExceeded { field: &"" }),
        3 => Some(EncodeError::OutOfRange { field: &"" }),
        4 => Some(EncodeError::DepthExceeded),
        5 => Some(EncodeError::InvalidUnknown),
        k => panic!("unknown encode error kind {k}"),
    }
}

/// The C writer over a borrowed buffer.
pub struct Writer<'a> {
    raw: ffi::iotp_writer,
    _buf: PhantomData<&'a mut [u8]>,
}

impl<'a> Writer<'a> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Writer<'a> {
        let mut raw = ffi::iotp_writer {
            buf: core::ptr::null_mut(),
            cap: 0,
            pos: 0,
            depth: 0,
            err: ffi::iotp_encode_error {
                kind: 0,
                needed: 0,
                field: core::ptr::null(),
            },
        };
        // SAFETY: `raw` is a valid writer to initialise; `buf` is borrowed mutably for 'a.
        unsafe { ffi::iotp_writer_init(&mut raw, buf.as_mut_ptr(), buf.len()) };
        Writer {
            raw,
            _buf: PhantomData,
        }
    }

    /// Bytes written so far.
    pub fn position(&self) -> usize {
        self.raw.pos
    }

    /// `iotp_writer_levels`.
    pub fn levels(&self) -> usize {
        // SAFETY: a valid writer.
        unsafe { ffi::iotp_writer_levels(&self.raw) }
    }

    fn result(&self, ok: bool) -> Result<(), EncodeError> {
        match (ok, encode_error(&self.raw.err)) {
            (true, None) => Ok(()),
            (false, Some(e)) => Err(e),
            (ok, e) => panic!("C writer returned {ok} with recorded error {e:?}"),
        }
    }

    /// `iotp_write_head`.
    pub fn head(&mut self, major: u8, arg: u64) -> Result<(), EncodeError> {
        // SAFETY: a valid writer.
        let ok = unsafe { ffi::iotp_write_head(&mut self.raw, major, arg) };
        self.result(ok)
    }

    /// `iotp_write_uint`.
    pub fn u64(&mut self, v: u64) -> Result<(), EncodeError> {
        // SAFETY: a valid writer.
        let ok = unsafe { ffi::iotp_write_uint(&mut self.raw, v) };
        self.result(ok)
    }

    /// `iotp_write_int`.
    pub fn i64(&mut self, v: i64) -> Result<(), EncodeError> {
        // SAFETY: a valid writer.
        let ok = unsafe { ffi::iotp_write_int(&mut self.raw, v) };
        self.result(ok)
    }

    /// `iotp_write_bool`.
    pub fn bool(&mut self, v: bool) -> Result<(), EncodeError> {
        // SAFETY: a valid writer.
        let ok = unsafe { ffi::iotp_write_bool(&mut self.raw, v) };
        self.result(ok)
    }

    /// `iotp_write_null`.
    pub fn null(&mut self) -> Result<(), EncodeError> {
        // SAFETY: a valid writer.
        let ok = unsafe { ffi::iotp_write_null(&mut self.raw) };
        self.result(ok)
    }

    /// `iotp_write_f64`.
    pub fn f64(&mut self, v: f64) -> Result<(), EncodeError> {
        // SAFETY: a valid writer.
        let ok = unsafe { ffi::iotp_write_f64(&mut self.raw, v) };
        self.result(ok)
    }

    /// `iotp_write_f32`.
    pub fn f32(&mut self, v: f32) -> Result<(), EncodeError> {
        // SAFETY: a valid writer.
        let ok = unsafe { ffi::iotp_write_f32(&mut self.raw, v) };
        self.result(ok)
    }

    /// `iotp_write_text`.
    pub fn text(&mut self, s: &str) -> Result<(), EncodeError> {
        // SAFETY: a valid writer; `s` is read for its length only.
        let ok =
            unsafe { ffi::iotp_write_text(&mut self.raw, s.as_ptr().cast::<c_char>(), s.len()) };
        self.result(ok)
    }

    /// `iotp_write_bytes`.
    pub fn bytes(&mut self, b: &[u8]) -> Result<(), EncodeError> {
        // SAFETY: a valid writer; `b` is read for its length only.
        let ok = unsafe { ffi::iotp_write_bytes(&mut self.raw, b.as_ptr(), b.len()) };
        self.result(ok)
    }

    /// `iotp_write_array`.
    pub fn array(&mut self, n: usize) -> Result<(), EncodeError> {
        // SAFETY: a valid writer.
        let ok = unsafe { ffi::iotp_write_array(&mut self.raw, n) };
        self.result(ok)
    }

    /// `iotp_write_map`.
    pub fn map(&mut self, n: usize) -> Result<(), EncodeError> {
        // SAFETY: a valid writer.
        let ok = unsafe { ffi::iotp_write_map(&mut self.raw, n) };
        self.result(ok)
    }

    /// `iotp_write_close`.
    pub fn close(&mut self, n: usize) {
        // SAFETY: a valid writer.
        unsafe { ffi::iotp_write_close(&mut self.raw, n) }
    }

    /// `iotp_write_raw_items`.
    pub fn raw_items(&mut self, bytes: &[u8], room: usize) -> Result<(), EncodeError> {
        // SAFETY: a valid writer; `bytes` is read for its length only.
        let ok =
            unsafe { ffi::iotp_write_raw_items(&mut self.raw, bytes.as_ptr(), bytes.len(), room) };
        self.result(ok)
    }

    /// Writes the unknown fields of the map `m` that `r` has just read to its end
    /// (`iotp_map_unknown`), merged with known fields `known` (ascending) that write nothing:
    /// `iotp_merge_before` names each known key, then `iotp_merge_finish`.
    pub fn merge(
        &mut self,
        r: &Reader<'_>,
        m: &MapState,
        known: &[u32],
    ) -> Result<(), EncodeError> {
        let mut u = core::mem::MaybeUninit::<ffi::iotp_unknown>::uninit();
        let mut g = core::mem::MaybeUninit::<ffi::iotp_merge>::uninit();
        // SAFETY: `r` and `m` are a valid reader and the map it read; iotp_map_unknown and
        // iotp_merge_init initialise `u` and `g` in full, and the entries point into the reader's
        // input, which outlives this call.
        let ok = unsafe {
            ffi::iotp_map_unknown(&r.raw, &m.0, u.as_mut_ptr());
            ffi::iotp_merge_init(g.as_mut_ptr(), u.as_ptr());
            let g = g.assume_init_mut();
            known
                .iter()
                .all(|&k| ffi::iotp_merge_before(&mut self.raw, g, k))
                && ffi::iotp_merge_finish(&mut self.raw, g)
        };
        self.result(ok)
    }

    /// `iotp_write_raw_item`.
    pub fn raw_item(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        // SAFETY: a valid writer; `bytes` is read for its length only.
        let ok = unsafe { ffi::iotp_write_raw_item(&mut self.raw, bytes.as_ptr(), bytes.len()) };
        self.result(ok)
    }
}

pub mod fuzzing;

/// Generated C codecs behind the test shims of `shim/`: decode an input and encode the value back, in
/// one call: the C half of the generated-code differential tests (`tests/generated.rs`) and of the
/// differential fuzz target ([`fuzzing`]). The core codec
/// (`generated/iotp2p_core.c`) at its Envelope ([`Codec`](envelope::Codec)), every type of the
/// shipped schema's three packages by name ([`Transcoder`](envelope::Transcoder)), and the types of
/// two of the compiler's test schemas (`codegen/tests/golden/c/`, [`golden`](envelope::golden)).
pub mod envelope {
    use core::ffi::{c_char, CStr};
    use std::ffi::CString;
    use std::sync::{Mutex, OnceLock};

    use iotp2p_codec::runtime::{DecodeError, EncodeError, FieldName};

    use super::{class, encode_error, ffi};

    extern "C" {
        fn iotp_shim_envelope_size() -> usize;
        fn iotp_shim_envelope_decode(
            data: *const u8,
            len: usize,
            scratch: *mut u64,
            err: *mut ffi::iotp_decode_error,
        ) -> bool;
        fn iotp_shim_envelope_encode(
            scratch: *const u64,
            out: *mut u8,
            cap: usize,
            out_len: *mut usize,
            enc: *mut ffi::iotp_encode_error,
        ) -> bool;
        fn iotp_shim_golden_scratch() -> usize;
        fn iotp_shim_transcode_size() -> usize;
        fn iotp_shim_type_count() -> usize;
        fn iotp_shim_type_name(i: usize) -> *const c_char;
        // The transcode shim's memory size on the packages generated with copied strings (build.rs
        // renames it).
        fn iotp_shim_copy_transcode_size() -> usize;
    }

    /// Declares the transcode shims with their one signature (see `shim/transcode_shim.c`), and
    /// `TranscodeShim`, the type of a pointer to one. Each returns an `iotp_transcode_result`: 0
    /// OK, 1 rejected, 2 refused, 3 unknown type.
    macro_rules! transcode_shims {
        ($signature:tt; $($name:ident),* $(,)?) => {
            type TranscodeShim = unsafe extern "C" fn $signature -> u32;
            extern "C" {
                $(fn $name $signature -> u32;)*
            }
        };
    }

    transcode_shims!(
        (
            type_name: *const c_char,
            data: *const u8,
            len: usize,
            scratch: *mut u64,
            out: *mut u8,
            cap: usize,
            out_len: *mut usize,
            err: *mut ffi::iotp_decode_error,
            enc: *mut ffi::iotp_encode_error,
        );
        // The zero-copy packages, and the same on those generated with copied strings (build.rs
        // renames its entry point).
        iotp_shim_transcode,
        iotp_shim_copy_transcode,
    );

    /// Declares the shims with their one signature (see `shim/envelope_shim.c`), and `Shim`, the
    /// type of a pointer to one.
    macro_rules! shims {
        ($signature:tt; $($name:ident),* $(,)?) => {
            type Shim = unsafe extern "C" fn $signature -> i32;
            extern "C" {
                $(fn $name $signature -> i32;)*
            }
        };
    }

    shims!(
        (
            data: *const u8,
            len: usize,
            scratch: *mut u64,
            out: *mut u8,
            cap: usize,
            out_len: *mut usize,
            err: *mut ffi::iotp_decode_error,
            enc: *mut ffi::iotp_encode_error,
        );
        iotp_shim_envelope_roundtrip,
        iotp_shim_example_recursive_menu_node_roundtrip,
        iotp_shim_example_recursive_expr_roundtrip,
        iotp_shim_example_recursive_compare_roundtrip,
        iotp_shim_example_recursive_rule_roundtrip,
        iotp_shim_example_recursive_room_roundtrip,
        iotp_shim_example_recursive_gateway_roundtrip,
        iotp_shim_example_recursive_display_menu_roundtrip,
        iotp_shim_example_every_scalar_integers_roundtrip,
        iotp_shim_example_every_scalar_floats_roundtrip,
        iotp_shim_example_every_scalar_text_roundtrip,
        iotp_shim_example_every_scalar_collections_roundtrip,
        iotp_shim_example_every_scalar_nothing_roundtrip,
        iotp_shim_example_every_scalar_keywords_roundtrip,
        iotp_shim_example_every_scalar_everything_roundtrip,
    );

    /// What decoding an input and encoding the value back gave.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum RoundTrip {
        /// Accepted; these are the bytes the encoder wrote.
        Reencoded(Vec<u8>),
        /// Rejected by the decoder (with the field the error names).
        Rejected(DecodeError),
        /// Accepted, but the encoder refused the value.
        Refused(EncodeError),
    }

    /// The C Envelope codec, with the memory one decoded Envelope takes (reused from call to call).
    pub struct Codec {
        scratch: Vec<u64>,
    }

    impl Default for Codec {
        fn default() -> Self {
            Codec::new()
        }
    }

    impl Codec {
        /// A codec with its Envelope's memory.
        pub fn new() -> Codec {
            Codec {
                scratch: memory(iotp_shim_envelope_size, 0),
            }
        }

        /// Decodes `input` as an Envelope and encodes it back into at most `cap` bytes.
        pub fn roundtrip(&mut self, input: &[u8], cap: usize) -> RoundTrip {
            call(iotp_shim_envelope_roundtrip, input, &mut self.scratch, cap)
        }

        /// Decodes `input` as an Envelope into the codec's memory: the decoded value, which
        /// borrows the input (its texts and byte strings point into it) and the codec.
        pub fn decode<'a>(&'a mut self, input: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
            let mut err = no_decode_error();
            // SAFETY: `input` is a live slice of the length passed; `scratch` holds an Envelope
            // (see `new`), 8-aligned, borrowed mutably for the call.
            let ok = unsafe {
                iotp_shim_envelope_decode(
                    input.as_ptr(),
                    input.len(),
                    self.scratch.as_mut_ptr(),
                    &mut err,
                )
            };
            if ok {
                Ok(Decoded {
                    scratch: &self.scratch,
                    _input: input,
                })
            } else {
                Err(decode_error(&err))
            }
        }
    }

    /// An Envelope the C decoded ([`Codec::decode`]), in the codec's memory, pointing into its
    /// input: both stay borrowed while it lives.
    pub struct Decoded<'a> {
        scratch: &'a [u64],
        _input: &'a [u8],
    }

    impl Decoded<'_> {
        /// Encodes the Envelope into `out`: the encoding's length.
        pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
            let (mut out_len, mut enc) = (0usize, no_encode_error());
            // SAFETY: `scratch` holds an Envelope the decoder wrote, whose pointers point into the
            // input, which this value borrows (so it is live); `out` is a live slice of the
            // length passed, borrowed mutably for the call.
            let ok = unsafe {
                iotp_shim_envelope_encode(
                    self.scratch.as_ptr(),
                    out.as_mut_ptr(),
                    out.len(),
                    &mut out_len,
                    &mut enc,
                )
            };
            if ok {
                Ok(out_len)
            } else {
                Err(encode_error(&enc).expect("a refusal is recorded"))
            }
        }
    }

    /// The full names of the types the generated C codecs of the shipped schema know (those of
    /// `iotp2p.core`, `iotp2p.security` and `iotp2p.capabilities`, in the order of their
    /// `<package>_type_names`), read from the C once.
    pub fn type_names() -> &'static [&'static str] {
        static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
        NAMES.get_or_init(|| {
            // SAFETY: a pure function.
            let count = unsafe { iotp_shim_type_count() };
            (0..count)
                .map(|i| {
                    // SAFETY: `i` is below the count, so the name is one of the generated
                    // `<package>_type_names`: a static, NUL-terminated ASCII string literal.
                    let name = unsafe { CStr::from_ptr(iotp_shim_type_name(i)) };
                    name.to_str().expect("type names are ASCII")
                })
                .collect()
        })
    }

    /// The generated C codecs of the shipped schema, every type by name, with the memory the
    /// largest value takes (reused from call to call, as firmware would): the zero-copy code
    /// (`generated/`, [`Transcoder::new`]) or the code with copied strings (`generated-copy/`,
    /// [`Transcoder::copied`]).
    pub struct Transcoder {
        scratch: Vec<u64>,
        shim: TranscodeShim,
    }

    impl Default for Transcoder {
        fn default() -> Self {
            Transcoder::new()
        }
    }

    impl Transcoder {
        /// A transcoder with its memory, filled with a pattern (not zeros), so that a decoder that
        /// relied on a member it did not set would show in its encoding.
        pub fn new() -> Transcoder {
            Transcoder {
                scratch: memory(iotp_shim_transcode_size, 0xa5a5_a5a5_a5a5_a5a5),
                shim: iotp_shim_transcode,
            }
        }

        /// The same on the packages generated with copied strings (`iotp2p gen c --strings
        /// copy`, the runtime built with `IOTP_COPIED_STRINGS`): the same types, in structs that
        /// hold their strings' bytes.
        pub fn copied() -> Transcoder {
            Transcoder {
                scratch: memory(iotp_shim_copy_transcode_size, 0xa5a5_a5a5_a5a5_a5a5),
                shim: iotp_shim_copy_transcode,
            }
        }

        /// Bytes of the memory a decoded value lives in: the largest value of the three packages.
        pub fn memory_size(&self) -> usize {
            self.scratch.len() * 8
        }

        /// Decodes `input` as the type named `type_name` (a full name, one of [`type_names`]) and
        /// encodes the value back into at most `cap` bytes; `None` for a name no package has.
        pub fn transcode(
            &mut self,
            type_name: &str,
            input: &[u8],
            cap: usize,
        ) -> Option<RoundTrip> {
            let name = CString::new(type_name).ok()?;
            let mut out = vec![0u8; cap];
            let (mut out_len, mut err, mut enc) = (0usize, no_decode_error(), no_encode_error());
            // SAFETY: `name` is NUL-terminated; `input` and `out` are live slices of the lengths
            // passed; `scratch` is the memory the shim needs (the largest `<package>_any` of its build),
            // 8-aligned, borrowed mutably for the call; the shim keeps no pointer after it returns
            // (the decoded value, which points into `input`, is only encoded within the call).
            let result = unsafe {
                (self.shim)(
                    name.as_ptr(),
                    input.as_ptr(),
                    input.len(),
                    self.scratch.as_mut_ptr(),
                    out.as_mut_ptr(),
                    cap,
                    &mut out_len,
                    &mut err,
                    &mut enc,
                )
            };
            Some(match result {
                0 => outcome(Outcome::Encoded, out, out_len, &err, &enc),
                1 => outcome(Outcome::Rejected, out, out_len, &err, &enc),
                2 => outcome(Outcome::Refused, out, out_len, &err, &enc),
                _ => return None,
            })
        }
    }

    /// Decodes `input` as the type named `type_name` (its full name) of the compiler's test schemas
    /// `example.recursive` and `example.every_scalar`, and encodes it back into at most `cap` bytes;
    /// `None` for a name the shim does not have.
    pub fn golden(type_name: &str, input: &[u8], cap: usize) -> Option<RoundTrip> {
        let shim: Shim = match type_name {
            "example.recursive.MenuNode" => iotp_shim_example_recursive_menu_node_roundtrip,
            "example.recursive.Expr" => iotp_shim_example_recursive_expr_roundtrip,
            "example.recursive.Compare" => iotp_shim_example_recursive_compare_roundtrip,
            "example.recursive.Rule" => iotp_shim_example_recursive_rule_roundtrip,
            "example.recursive.Room" => iotp_shim_example_recursive_room_roundtrip,
            "example.recursive.Gateway" => iotp_shim_example_recursive_gateway_roundtrip,
            "example.recursive.DisplayMenu" => iotp_shim_example_recursive_display_menu_roundtrip,
            "example.every_scalar.Integers" => iotp_shim_example_every_scalar_integers_roundtrip,
            "example.every_scalar.Floats" => iotp_shim_example_every_scalar_floats_roundtrip,
            "example.every_scalar.Text" => iotp_shim_example_every_scalar_text_roundtrip,
            "example.every_scalar.Collections" => {
                iotp_shim_example_every_scalar_collections_roundtrip
            }
            "example.every_scalar.Nothing" => iotp_shim_example_every_scalar_nothing_roundtrip,
            "example.every_scalar.Keywords" => iotp_shim_example_every_scalar_keywords_roundtrip,
            "example.every_scalar.Everything" => {
                iotp_shim_example_every_scalar_everything_roundtrip
            }
            _ => return None,
        };
        Some(call(
            shim,
            input,
            &mut memory(iotp_shim_golden_scratch, 0),
            cap,
        ))
    }

    /// The memory a shim asks for (`size` is one of the shims' `iotp_shim_*_size` functions), as
    /// u64s filled with `fill`: aligned for every member of the C structs (none needs more than 8
    /// bytes).
    fn memory(size: unsafe extern "C" fn() -> usize, fill: u64) -> Vec<u64> {
        // SAFETY: the shims' size functions are pure functions of no arguments.
        let bytes = unsafe { size() };
        vec![fill; bytes.div_ceil(8)]
    }

    /// Calls a shim on `input` with `scratch` (at least the memory it needs) and an output of `cap`
    /// bytes.
    fn call(shim: Shim, input: &[u8], scratch: &mut [u64], cap: usize) -> RoundTrip {
        let mut out = vec![0u8; cap];
        let (mut out_len, mut err, mut enc) = (0usize, no_decode_error(), no_encode_error());
        // SAFETY: `input` and `out` are live slices of the lengths passed; `scratch` is the memory
        // the shim needs (an Envelope's, or the largest golden value's), 8-aligned, borrowed
        // mutably for the call; a shim keeps no pointer after it returns (the
        // decoded value, which points into `input`, is only encoded within the call).
        let result = unsafe {
            shim(
                input.as_ptr(),
                input.len(),
                scratch.as_mut_ptr(),
                out.as_mut_ptr(),
                cap,
                &mut out_len,
                &mut err,
                &mut enc,
            )
        };
        let how = match result {
            1 => Outcome::Encoded,
            0 => Outcome::Rejected,
            _ => Outcome::Refused,
        };
        outcome(how, out, out_len, &err, &enc)
    }

    /// What a shim reported.
    enum Outcome {
        Encoded,
        Rejected,
        Refused,
    }

    /// The [`RoundTrip`] a shim reported as `how`, with what it wrote: `out_len` bytes of `out`, or
    /// the error in `err` or `enc`.
    fn outcome(
        how: Outcome,
        mut out: Vec<u8>,
        out_len: usize,
        err: &ffi::iotp_decode_error,
        enc: &ffi::iotp_encode_error,
    ) -> RoundTrip {
        match how {
            Outcome::Encoded => {
                assert!(out_len <= out.len(), "C wrote past its output");
                out.truncate(out_len);
                RoundTrip::Reencoded(out)
            }
            Outcome::Rejected => RoundTrip::Rejected(decode_error(err)),
            Outcome::Refused => {
                RoundTrip::Refused(encode_error(enc).expect("a refusal is recorded"))
            }
        }
    }

    /// The rejection the C recorded in `err`, with the field it names.
    fn decode_error(err: &ffi::iotp_decode_error) -> DecodeError {
        DecodeError::new(class(err.cls), err.offset).or_field(field_name(err.field))
    }

    /// A decode error slot that records nothing yet.
    fn no_decode_error() -> ffi::iotp_decode_error {
        ffi::iotp_decode_error {
            cls: ffi::IOTP_ERR_NONE,
            offset: 0,
            field: core::ptr::null(),
        }
    }

    /// An encode error slot that records nothing yet.
    fn no_encode_error() -> ffi::iotp_encode_error {
        ffi::iotp_encode_error {
            kind: 0,
            needed: 0,
            field: core::ptr::null(),
        }
    }

    /// The field an error names, as the Rust runtime refers to it (a thin reference to its name):
    /// generated C code names fields with string literals, which live as long as the program, and
    /// each name is given one reference the first time it is seen (a bounded set: the schema's
    /// fields), so errors compare with `==` and cost no allocation after the first.
    fn field_name(field: *const c_char) -> Option<FieldName> {
        if field.is_null() {
            return None;
        }
        // SAFETY: a non-null `field` is one of the generated code's string literals (static,
        // NUL-terminated, ASCII `Type.field`).
        let name: &'static str = unsafe { CStr::from_ptr(field) }
            .to_str()
            .expect("field names are ASCII");
        static NAMES: Mutex<Vec<FieldName>> = Mutex::new(Vec::new());
        let mut names = NAMES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(known) = names.iter().find(|known| ***known == name) {
            return Some(*known);
        }
        let known: FieldName = Box::leak(Box::new(name));
        names.push(known);
        Some(known)
    }
}

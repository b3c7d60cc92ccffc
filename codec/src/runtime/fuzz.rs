//! Structured fuzzing support (feature `arbitrary`): what the generated `Arbitrary` impls and the
//! fuzz targets of `iotp2p_codec::fuzzing` are built on.
//!
//! - Value generators ([`int`], [`string`], [`len`], [`variant`], [`unknown_fields`], ...) that read
//!   choices from an [`Unstructured`] and mostly keep to the schema's bounds and ranges, so that most
//!   generated values encode, while now and then (about one choice in sixteen) exceeding them, and
//!   sometimes adding unknown fields, unknown union variants and unknown enum numbers. Nesting is
//!   bounded: past [`GENERATE_DEPTH`] levels (and when the input is used up) generators choose values
//!   that nest no further, so generation always ends.
//! - [`Gen`]: those generators for one value at one depth, as generated `generate` functions call
//!   them, one call per member (the member's Rust type chooses the integer width or the nested
//!   type).
//! - [`FuzzType`]: what every generated type (its owned form) implements in one impl: its name and
//!   largest encoding, its borrowed form ([`Borrowed`]), [`FuzzType::generate`] (how it builds a
//!   value at a given depth; generated `Arbitrary` impls call it at depth 0) and
//!   [`FuzzType::audit`]. With [`Visitor`], one generic view of every generated type, so that a fuzz
//!   body written once runs for every type, chosen by name through the generated index's
//!   `visit_type`.
//! - [`Audit`]: what [`FuzzType::audit`] finds in a walk over an owned value: which bounds and
//!   ranges it breaks (with the same `Type.member` labels as [`EncodeError`]) and whether it holds
//!   unknown data. The walk is written from the schema independently of the encoder's checks, so
//!   the two can be compared: the encoder must reject exactly the values the audit finds fault with.
//!
//! Not a stable API: it exists for fuzzing this codec and generated vendor codecs.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Debug;

use arbitrary::Arbitrary;
/// `arbitrary`'s input and result, as generated `generate` functions name them.
pub use arbitrary::{Result, Unstructured};

use super::error::EncodeError;
use super::limits::MAX_DEPTH;
use super::message::Message;
use super::owned::{IntoOwned, OwnedUnknownFields};
use super::reader::MAX_KEY;

/// Levels of messages and unions past which generators stop nesting further: optional fields are
/// left out, arrays are empty and unions take a variant that does not recurse.
pub const GENERATE_DEPTH: u32 = 8;

/// Array length chosen at most in the usual case (bounds are still reached now and then).
const USUAL_ITEMS: u32 = 16;

/// Largest array generated at its bound (larger bounds are tested with a short array plus an excess).
const MAX_FULL_ITEMS: u32 = 1024;

/// One chance in `n` (`false` once the input is used up).
fn one_in(u: &mut Unstructured<'_>, n: u8) -> Result<bool> {
    Ok(u.arbitrary::<u8>()? % n == n - 1)
}

/// Whether to exceed a bound or range this time (one chance in sixteen).
pub fn stretch(u: &mut Unstructured<'_>) -> Result<bool> {
    one_in(u, 16)
}

/// An integer of the type `type_min..=type_max`: usually within `min..=max` (often one of its
/// ends), sometimes anywhere in the type.
pub fn int(
    u: &mut Unstructured<'_>,
    min: i128,
    max: i128,
    type_min: i128,
    type_max: i128,
) -> Result<i128> {
    if (min, max) != (type_min, type_max) && stretch(u)? {
        return Ok(match u.arbitrary::<u8>()? % 4 {
            0 if min > type_min => min - 1,
            1 if max < type_max => max + 1,
            _ => u.int_in_range(type_min..=type_max)?,
        });
    }
    Ok(match u.arbitrary::<u8>()? % 8 {
        1 => min,
        2 => max,
        3 => 0.clamp(min, max),
        4 => (min + 1).min(max),
        5 => (max - 1).max(min),
        _ => u.int_in_range(min..=max)?,
    })
}

/// An `f32`: special values (zeros, infinities, NaN, extremes, values with a half-precision form)
/// or any bit pattern.
pub fn f32(u: &mut Unstructured<'_>) -> Result<f32> {
    const SPECIAL: [f32; 12] = [
        0.0,
        -0.0,
        1.0,
        -2.5,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        f32::MIN_POSITIVE,
        f32::MAX,
        65504.0,
        5.960_464_5e-8,
        0.1,
    ];
    if u.arbitrary::<bool>()? {
        Ok(*u.choose(&SPECIAL)?)
    } else {
        Ok(f32::from_bits(u.arbitrary()?))
    }
}

/// An `f64`: special values, values exact in a narrower float, or any bit pattern.
pub fn f64(u: &mut Unstructured<'_>) -> Result<f64> {
    const SPECIAL: [f64; 14] = [
        0.0,
        -0.0,
        1.0,
        -2.5,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        f64::MAX,
        65504.0,
        65505.0,
        5.960_464_477_539_063e-8,
        3.402_823_466_385_288_6e38,
        0.1,
    ];
    Ok(match u.arbitrary::<u8>()? % 4 {
        0 => *u.choose(&SPECIAL)?,
        1 => u.arbitrary::<f32>()? as f64,
        _ => f64::from_bits(u.arbitrary()?),
    })
}

/// Whether an optional member is present (never past [`GENERATE_DEPTH`]).
pub fn present(u: &mut Unstructured<'_>, depth: u32) -> Result<bool> {
    if depth >= GENERATE_DEPTH {
        return Ok(false);
    }
    u.arbitrary()
}

/// The length of an array of at most `max` items: usually short, sometimes exactly `max`, sometimes
/// over it; empty past [`GENERATE_DEPTH`] or once the input is used up.
pub fn len(u: &mut Unstructured<'_>, max: u32, depth: u32) -> Result<usize> {
    if depth >= GENERATE_DEPTH || u.is_empty() {
        return Ok(0);
    }
    let n = match u.arbitrary::<u8>()? % 16 {
        15 => max.saturating_add(1 + u.int_in_range(0..=2)?),
        14 if max <= MAX_FULL_ITEMS => max,
        _ => u.int_in_range(0..=max.min(USUAL_ITEMS))?,
    };
    Ok(n as usize)
}

/// A string of at most `max_len` bytes of UTF-8: usually shorter, sometimes exactly `max_len`,
/// sometimes longer.
pub fn string(u: &mut Unstructured<'_>, max_len: u32) -> Result<String> {
    let max = max_len as usize;
    let mut s = String::from(<&str>::arbitrary(u)?);
    match u.arbitrary::<u8>()? % 16 {
        15 => {
            while s.len() <= max {
                s.push(if s.len() % 3 == 0 { 'é' } else { 'a' });
            }
        }
        14 => {
            truncate_str(&mut s, max);
            while s.len() < max {
                s.push('z');
            }
        }
        _ => truncate_str(&mut s, max),
    }
    Ok(s)
}

fn truncate_str(s: &mut String, max: usize) {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
}

/// A byte string of at most `max_len` bytes: usually shorter, sometimes exactly `max_len`, sometimes
/// longer.
pub fn bytes(u: &mut Unstructured<'_>, max_len: u32) -> Result<Vec<u8>> {
    let max = max_len as usize;
    let mut b = Vec::from(<&[u8]>::arbitrary(u)?);
    match u.arbitrary::<u8>()? % 16 {
        15 => b.resize(b.len().max(max + 1), 0xa5),
        14 => b.resize(max, 0),
        _ => b.truncate(max),
    }
    Ok(b)
}

/// An enum number: usually one of `known`, sometimes any `u32` (unknown numbers are kept).
pub fn enum_number(u: &mut Unstructured<'_>, known: &[u32]) -> Result<u32> {
    if known.is_empty() || one_in(u, 8)? {
        return u.arbitrary();
    }
    Ok(*u.choose(known)?)
}

/// The generators of one value's members, `depth` levels below the top-level value: what a
/// generated [`FuzzType::generate`] builds each member with, one call per member. Each call reads
/// the same choices, in the same order, as the free functions it stands for.
pub struct Gen<'a, 'u> {
    u: &'a mut Unstructured<'u>,
    depth: u32,
}

/// An integer type a member can have: the generator keeps to its bounds.
pub trait FuzzInt: Copy {
    /// The type's least and greatest values.
    const BOUNDS: (i128, i128);
    /// The value `v`, which lies within [`BOUNDS`](Self::BOUNDS).
    fn from_i128(v: i128) -> Self;
}

macro_rules! fuzz_int {
    ($($t:ty),*) => {$(
        impl FuzzInt for $t {
            const BOUNDS: (i128, i128) = (<$t>::MIN as i128, <$t>::MAX as i128);
            fn from_i128(v: i128) -> Self {
                v as $t
            }
        }
    )*};
}
fuzz_int!(u8, u16, u32, u64, i8, i16, i32, i64);

impl<'a, 'u> Gen<'a, 'u> {
    /// The generators of a value at `depth`.
    pub fn new(u: &'a mut Unstructured<'u>, depth: u32) -> Self {
        Gen { u, depth }
    }

    /// A `bool`.
    pub fn bool(&mut self) -> Result<bool> {
        self.u.arbitrary()
    }

    /// An integer of `@range(min, max)` (the type's bounds without one), as [`int`] makes it.
    pub fn int<T: FuzzInt>(&mut self, min: i128, max: i128) -> Result<T> {
        let (type_min, type_max) = T::BOUNDS;
        int(self.u, min, max, type_min, type_max).map(T::from_i128)
    }

    /// An `f32`, as [`f32()`] makes it.
    pub fn f32(&mut self) -> Result<f32> {
        f32(self.u)
    }

    /// An `f64`, as [`f64()`] makes it.
    pub fn f64(&mut self) -> Result<f64> {
        f64(self.u)
    }

    /// A `string[max_len]`, as [`string`] makes it.
    pub fn text(&mut self, max_len: u32) -> Result<String> {
        string(self.u, max_len)
    }

    /// A `bytes[max_len]`, as [`bytes()`] makes it.
    pub fn bytes(&mut self, max_len: u32) -> Result<Vec<u8>> {
        bytes(self.u, max_len)
    }

    /// A `bytes(N)` of exactly `N` bytes.
    pub fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.u.arbitrary()
    }

    /// A message, union or enum, one level deeper.
    pub fn nested<T: FuzzType>(&mut self) -> Result<T> {
        T::generate(self.u, self.depth + 1)
    }

    /// A message or union one level deeper, behind the `Box` of a member on a recursive cycle.
    pub fn boxed<T: FuzzType>(&mut self) -> Result<alloc::boxed::Box<T>> {
        self.nested().map(alloc::boxed::Box::new)
    }

    /// An optional member: present as [`present`] decides, then built by `member`.
    pub fn opt<T>(&mut self, member: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if present(self.u, self.depth)? {
            member(self).map(Some)
        } else {
            Ok(None)
        }
    }

    /// An array of at most `max` items (its length as [`len`] decides), each built by `item`.
    pub fn items<T>(
        &mut self,
        max: u32,
        mut item: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        let n = len(self.u, max, self.depth)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(item(self)?);
        }
        Ok(items)
    }

    /// A message's retained unknown fields, as [`unknown_fields`] makes them.
    pub fn unknown_fields(&mut self, known: &[u64]) -> Result<OwnedUnknownFields> {
        unknown_fields(self.u, known)
    }

    /// Which variant of a union to build, as [`variant`] decides.
    pub fn variant(&mut self, count: usize, exit: usize) -> Result<usize> {
        variant(self.u, count, exit, self.depth)
    }

    /// A union's unknown variant, as [`unknown_variant`] makes it.
    pub fn unknown_variant(&mut self, known: &[u64]) -> Result<(u64, Vec<u8>)> {
        unknown_variant(self.u, known)
    }

    /// The catch-all variant of a union that decodes by role, as [`kept_variant`] makes it.
    pub fn kept_variant(&mut self, known: &[u64]) -> Result<(u64, Vec<u8>)> {
        kept_variant(self.u, known)
    }
}

/// Implements `Arbitrary` for a generated type through its [`FuzzType::generate`], at depth 0
/// (`arbitrary` is a foreign trait, so the generated code names each type); attributes before the
/// type (`#[allow(deprecated)]`) go on the impl.
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_fuzz_arbitrary {
    ($(#[$attr:meta])* $t:ty) => {
        $(#[$attr])*
        impl<'u> $crate::runtime::arbitrary::Arbitrary<'u> for $t {
            fn arbitrary(
                u: &mut $crate::runtime::arbitrary::Unstructured<'u>,
            ) -> $crate::runtime::arbitrary::Result<Self> {
                $crate::runtime::fuzz::FuzzType::generate(u, 0)
            }
        }
    };
}
pub use crate::__iotp2p_fuzz_arbitrary as arbitrary;

/// What has a length that a schema bounds: a string, a byte string, an array.
pub trait Bounded {
    /// The length: bytes of a string or byte string, items of an array.
    fn length(&self) -> usize;
}

impl Bounded for String {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T> Bounded for Vec<T> {
    fn length(&self) -> usize {
        self.len()
    }
}

/// Which variant of a union with `count` known variants to build: an index below `count`, or
/// `count` for an unknown variant (about one time in sixteen). Past [`GENERATE_DEPTH`] and once the
/// input is used up, `exit`: a variant that does not lead back into the union.
pub fn variant(u: &mut Unstructured<'_>, count: usize, exit: usize, depth: u32) -> Result<usize> {
    if depth >= GENERATE_DEPTH || u.is_empty() {
        return Ok(exit);
    }
    if count == 0 || one_in(u, 16)? {
        return Ok(count);
    }
    u.choose_index(count)
}

/// A key for an unknown field or variant: not one of `known` (ascending), within the wire's key
/// limit, often small and sometimes at the limit.
pub fn unknown_key(u: &mut Unstructured<'_>, known: &[u64]) -> Result<u64> {
    let mut key = match u.arbitrary::<u8>()? % 8 {
        0 => MAX_KEY,
        1 => u.int_in_range(24..=MAX_KEY)?,
        2 => u.int_in_range(256..=300)?,
        _ => u.int_in_range(0..=40)?,
    };
    // The next free key upwards, wrapping at the limit.
    for _ in 0..=known.len() {
        if known.binary_search(&key).is_err() {
            return Ok(key);
        }
        key = if key == MAX_KEY { 0 } else { key + 1 };
    }
    Ok(key)
}

/// Retained unknown fields for a message whose known keys are `known` (ascending): usually none,
/// sometimes one to three, with small canonical values.
pub fn unknown_fields(u: &mut Unstructured<'_>, known: &[u64]) -> Result<OwnedUnknownFields> {
    let mut fields = OwnedUnknownFields::new();
    if !one_in(u, 8)? {
        return Ok(fields);
    }
    for _ in 0..u.int_in_range(1..=3)? {
        let key = unknown_key(u, known)?;
        let value = cbor_item(u, 2)?;
        match fields.insert(key, &value) {
            Ok(()) => {}
            Err(e) if e.class() == super::ErrorClass::DuplicateKey => {}
            Err(e) => {
                panic!("runtime::fuzz made a value that is not canonical CBOR ({e}): {value:02x?}")
            }
        }
    }
    Ok(fields)
}

/// An unknown variant of a union whose known variant keys are `known` (ascending): its key and a
/// small canonical value.
pub fn unknown_variant(u: &mut Unstructured<'_>, known: &[u64]) -> Result<(u64, Vec<u8>)> {
    // Now and then an entry that no decoder would have produced, which the encoder must refuse
    // (`EncodeError::InvalidUnknown`): a defined key, a key past 65535, or a non-canonical value.
    if u.arbitrary::<u8>()? % 8 == 0 {
        return Ok(match u.arbitrary::<u8>()? % 3 {
            0 if !known.is_empty() => (
                known[usize::from(u.arbitrary::<u8>()?) % known.len()],
                vec![0xf6],
            ),
            0 | 1 => (MAX_KEY + 1 + u64::from(u.arbitrary::<u8>()?), vec![0xf6]),
            _ => (unknown_key(u, known)?, vec![0x18, 0x01]),
        });
    }
    let key = unknown_key(u, known)?;
    Ok((key, cbor_item(u, 2)?))
}

/// The catch-all variant of a union that decodes by role (`decode_as`): as [`unknown_variant`], but
/// never with a key the union defines, which its encoder accepts (a variant kept by a role that
/// does not receive it) and a full decoder would then read as that variant.
pub fn kept_variant(u: &mut Unstructured<'_>, known: &[u64]) -> Result<(u64, Vec<u8>)> {
    let (key, value) = unknown_variant(u, known)?;
    if known.binary_search(&key).is_ok() {
        return Ok((unknown_key(u, known)?, value));
    }
    Ok((key, value))
}

/// One canonical CBOR data item of the profile (spec §4), nested at most `depth` levels: integers,
/// strings, byte strings, `true`, `false`, `null`, shortest-form floats, arrays and maps with
/// ascending integer keys. Encoded here by hand, independently of the runtime's writer.
pub fn cbor_item(u: &mut Unstructured<'_>, depth: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_item(u, depth, &mut out)?;
    Ok(out)
}

fn write_item(u: &mut Unstructured<'_>, depth: u32, out: &mut Vec<u8>) -> Result<()> {
    const FLOATS: [&[u8]; 6] = [
        &[0xf9, 0x00, 0x00],
        &[0xf9, 0x80, 0x00],
        &[0xf9, 0x7e, 0x00],
        &[0xf9, 0x3c, 0x00],
        &[0xfa, 0x47, 0xc3, 0x50, 0x00],
        &[0xfb, 0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
    ];
    let kinds = if depth == 0 { 8 } else { 10 };
    match u.arbitrary::<u8>()? % kinds {
        0 => head(out, 0, u.arbitrary::<u64>()? >> (u.arbitrary::<u8>()? % 64)),
        1 => head(out, 1, u.arbitrary::<u64>()? >> (u.arbitrary::<u8>()? % 64)),
        2 => {
            let b = <&[u8]>::arbitrary(u)?;
            head(out, 2, b.len() as u64);
            out.extend_from_slice(b);
        }
        3 => {
            let s = <&str>::arbitrary(u)?;
            head(out, 3, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        4 => out.push(0xf4 + u.int_in_range(0..=2)?),
        5 => out.extend_from_slice(u.choose(&FLOATS)?),
        6 | 7 => head(out, 0, u.int_in_range(0..=30)?),
        8 => {
            let n = u.int_in_range(0..=3)?;
            head(out, 4, n);
            for _ in 0..n {
                write_item(u, depth - 1, out)?;
            }
        }
        _ => {
            let n = u.int_in_range(0..=3)?;
            head(out, 5, n);
            let mut key = 0u64;
            for _ in 0..n {
                key += u.int_in_range(0..=30)?;
                head(out, 0, key);
                key += 1;
                write_item(u, depth - 1, out)?;
            }
        }
    }
    Ok(())
}

/// A canonical (shortest) head of major type `major` with argument `arg`.
fn head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    match arg {
        0..=23 => out.push(m | arg as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, arg as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(arg as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(arg as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&arg.to_be_bytes());
        }
    }
}

/// Which schema rule a value breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Violation {
    /// A string, byte string or array longer than its bound (`EncodeError::BoundExceeded`).
    BoundExceeded(&'static str),
    /// An integer outside its `@range` (`EncodeError::OutOfRange`).
    OutOfRange(&'static str),
    /// An unknown union variant that cannot be forwarded: a key the union defines or past 65535, or
    /// a value that is not one canonical data item (`EncodeError::InvalidUnknown`).
    InvalidUnknown,
}

/// What [`FuzzType::audit`] found in a value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    /// The bounds and ranges the value breaks, labelled `Type.member` as encode errors are.
    pub violations: Vec<Violation>,
    /// Whether the value holds unknown fields, unknown union variants or unknown enum numbers
    /// (whose size the schema does not bound, so `MAX_ENCODED_SIZE` does not apply).
    pub unknown: bool,
    /// Whether a type on a recursive cycle is nested in another: the value may then be deeper than
    /// the cycle's `@max_depth`, which the encoder refuses (`DepthExceeded`) as the decoder would.
    pub recursive: bool,
    cycle_depth: u32,
}

impl Audit {
    /// Audits `value`.
    pub fn of<T: FuzzType>(value: &T) -> Audit {
        let mut audit = Audit::default();
        value.audit(&mut audit);
        audit
    }

    /// Records a bound exceeded in `field`.
    pub fn bound(&mut self, field: &'static str) {
        self.violations.push(Violation::BoundExceeded(field));
    }

    /// Records a value outside the range of `field`.
    pub fn range(&mut self, field: &'static str) {
        self.violations.push(Violation::OutOfRange(field));
    }

    /// Checks an integer member `v` (`None`: an optional member left out) against its `@range`.
    pub fn int<T: Copy + Into<i128>>(
        &mut self,
        v: Option<&T>,
        min: i128,
        max: i128,
        field: &'static str,
    ) {
        if v.is_some_and(|v| !(min..=max).contains(&(*v).into())) {
            self.range(field);
        }
    }

    /// Checks a string, byte string or array member `v` against its bound.
    pub fn len<T: Bounded>(&mut self, v: Option<&T>, max: usize, field: &'static str) {
        if v.is_some_and(|v| v.length() > max) {
            self.bound(field);
        }
    }

    /// Checks an array member `v` against its bound, and each item with `item`.
    pub fn items<T>(
        &mut self,
        v: Option<&Vec<T>>,
        max: usize,
        field: &'static str,
        mut item: impl FnMut(&mut Self, &T),
    ) {
        self.len(v, max, field);
        for value in v.into_iter().flatten() {
            item(self, value);
        }
    }

    /// Audits a member `v` of a message, union or enum type.
    pub fn nested<T: FuzzType>(&mut self, v: Option<&T>) {
        if let Some(v) = v {
            v.audit(self);
        }
    }

    /// Records unknown data.
    pub fn unknown(&mut self) {
        self.unknown = true;
    }

    /// Records an unknown union variant of a union whose keys are `known` (ascending), and whether a
    /// decoder would have produced it.
    pub fn unknown_variant(&mut self, key: u64, value: &[u8], known: &[u64]) {
        self.unknown = true;
        let mut r = super::reader::Reader::new(value);
        let canonical = r.skip(MAX_DEPTH).is_ok() && r.is_empty();
        if key > MAX_KEY || known.binary_search(&key).is_ok() || !canonical {
            self.violations.push(Violation::InvalidUnknown);
        }
    }

    /// Records the catch-all variant of a union that decodes by role: as
    /// [`unknown_variant`](Self::unknown_variant), but a key the union defines is no violation (its
    /// encoder writes a variant kept by a role that does not receive it as it was received).
    pub fn kept_variant(&mut self, key: u64, value: &[u8]) {
        self.unknown_variant(key, value, &[]);
    }

    /// Enters a message or union; `cycle` when it is on a recursive cycle.
    pub fn enter(&mut self, cycle: bool) {
        if cycle {
            self.cycle_depth += 1;
            self.recursive |= self.cycle_depth > 1;
        }
    }

    /// Leaves what [`enter`](Self::enter) entered.
    pub fn leave(&mut self, cycle: bool) {
        if cycle {
            self.cycle_depth -= 1;
        }
    }

    /// Whether the encoder may fail with `error` on the audited value: a bound or range error
    /// names a member whose rule the value breaks; `DepthExceeded` needs unknown content or
    /// recursion; `BufferTooSmall` is never warranted here (the callers give the encoder a buffer of
    /// `encoded_len()` bytes).
    pub fn warrants(&self, error: &EncodeError) -> bool {
        match *error {
            EncodeError::BoundExceeded { field } => {
                self.violations.contains(&Violation::BoundExceeded(field))
            }
            EncodeError::OutOfRange { field } => {
                self.violations.contains(&Violation::OutOfRange(field))
            }
            EncodeError::BufferTooSmall { .. } => false,
            // Known structure stays within MAX_DEPTH for the schemas fuzzed here (the core schema
            // reaches depth 9); only retained unknown content or a recursive value can go deeper.
            EncodeError::DepthExceeded => self.unknown || self.recursive,
            EncodeError::InvalidUnknown => self.violations.contains(&Violation::InvalidUnknown),
            // Values are encoded as every role sends them (`encode`).
            EncodeError::NotSentByRole => false,
        }
    }
}

/// With the `serde` feature, `Serialize` and `Deserialize` (what the owned forms have); without it,
/// nothing. Lets fuzz bodies check the JSON mapping through [`FuzzType`].
#[cfg(feature = "serde")]
pub trait MaybeSerde: serde::Serialize + for<'de> serde::Deserialize<'de> {}
#[cfg(feature = "serde")]
impl<T: serde::Serialize + for<'de> serde::Deserialize<'de>> MaybeSerde for T {}
/// With the `serde` feature, `Serialize` and `Deserialize` (what the owned forms have); without it,
/// nothing.
#[cfg(not(feature = "serde"))]
pub trait MaybeSerde {}
#[cfg(not(feature = "serde"))]
impl<T> MaybeSerde for T {}

/// With the `serde` feature, `Serialize` (what the borrowed forms have); without it, nothing.
#[cfg(feature = "serde")]
pub trait MaybeSerialize: serde::Serialize {}
#[cfg(feature = "serde")]
impl<T: serde::Serialize> MaybeSerialize for T {}
/// With the `serde` feature, `Serialize` (what the borrowed forms have); without it, nothing.
#[cfg(not(feature = "serde"))]
pub trait MaybeSerialize {}
#[cfg(not(feature = "serde"))]
impl<T> MaybeSerialize for T {}

/// A generated message, union or enum in its owned form (enums are their own owned form), with
/// its borrowed form, as fuzz bodies use them: both are [`Message`]s, so decoding and encoding come
/// from there.
pub trait FuzzType:
    for<'a> Message<'a>
    + Sized
    + Clone
    + Debug
    + PartialEq
    + for<'u> Arbitrary<'u>
    + MaybeSerde
    + 'static
{
    /// The fully-qualified schema name.
    const NAME: &'static str;
    /// The type's `MAX_ENCODED_SIZE`: the largest encoding of a value without unknown data.
    const MAX_ENCODED_SIZE: usize;
    /// The borrowed (zero-copy) form.
    type Borrowed<'a>: Borrowed<'a, Owned = Self>;

    /// Builds a value from `u`'s choices, `depth` levels of messages and unions below the
    /// top-level value.
    fn generate(u: &mut Unstructured<'_>, depth: u32) -> Result<Self>;

    /// Adds what `self` breaks to `audit`, checking it against the schema's bounds and ranges
    /// independently of the encoder.
    fn audit(&self, audit: &mut Audit);
}

/// The borrowed form of a [`FuzzType`]: a [`Message`] that [`IntoOwned`] copies into the owned
/// form. Every type with these traits has it.
pub trait Borrowed<'a>:
    Message<'a> + IntoOwned + Sized + Copy + Debug + PartialEq + MaybeSerialize
{
}

impl<'a, T> Borrowed<'a> for T where
    T: Message<'a> + IntoOwned + Sized + Copy + Debug + PartialEq + MaybeSerialize
{
}

/// Something to do with one generated type, chosen by name through the generated index's
/// `visit_type`.
pub trait Visitor {
    /// What the visit returns.
    type Output;
    /// Does it with type `T`.
    fn visit<T: FuzzType>(self) -> Self::Output;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::Reader;

    #[test]
    fn generated_cbor_items_are_canonical() {
        let data: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut u = Unstructured::new(&data);
        let mut count = 0;
        while !u.is_empty() {
            let item = cbor_item(&mut u, 2).unwrap();
            let mut r = Reader::new(&item);
            r.skip(4).unwrap_or_else(|e| panic!("{e}: {item:02x?}"));
            r.finish().unwrap();
            count += 1;
        }
        assert!(count > 50);
    }

    #[test]
    fn generators_end_when_the_input_is_used_up() {
        let mut u = Unstructured::new(&[]);
        assert_eq!(len(&mut u, 10, 0).unwrap(), 0);
        assert_eq!(variant(&mut u, 3, 1, 0).unwrap(), 1);
        assert!(!present(&mut u, 0).unwrap());
        assert!(unknown_fields(&mut u, &[]).unwrap().is_empty());
        assert_eq!(int(&mut u, 3, 9, 0, 255).unwrap(), 3);
        assert_eq!(string(&mut u, 4).unwrap(), "");
    }

    #[test]
    fn unknown_keys_avoid_known_ones() {
        let known: Vec<u64> = (0..=40).collect();
        let data = [0u8; 64];
        let mut u = Unstructured::new(&data);
        let key = unknown_key(&mut u, &known).unwrap();
        assert!(!known.contains(&key) && key <= MAX_KEY);
    }

    #[test]
    fn a_kept_variant_never_has_a_defined_key_but_an_unknown_one_sometimes_does() {
        let known: Vec<u64> = (0..=13).collect();
        let data: Vec<u8> = (0..8192u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        let (mut kept, mut unknown) = (Unstructured::new(&data), Unstructured::new(&data));
        let mut defined = 0;
        while !kept.is_empty() {
            let (key, _) = kept_variant(&mut kept, &known).unwrap();
            assert!(
                !known.contains(&key),
                "kept_variant gave the defined key {key}"
            );
            let (key, _) = unknown_variant(&mut unknown, &known).unwrap();
            defined += usize::from(known.contains(&key));
        }
        assert!(defined > 0);
        let mut a = Audit::default();
        a.kept_variant(3, &[0xf6]);
        assert!(a.violations.is_empty() && a.unknown);
        a.unknown_variant(3, &[0xf6], &known);
        assert_eq!(a.violations, [Violation::InvalidUnknown]);
    }

    #[test]
    fn one_in_is_true_for_one_residue_of_its_byte() {
        for n in [8u8, 16] {
            for b in 0..=255u8 {
                let mut u = Unstructured::new(core::slice::from_ref(&b));
                assert_eq!(one_in(&mut u, n).unwrap(), b % n == n - 1, "{b} in {n}");
                assert!(u.is_empty());
            }
        }
        assert!(stretch(&mut Unstructured::new(&[31])).unwrap());
        assert!(!stretch(&mut Unstructured::new(&[30])).unwrap());
    }

    /// `int` with the first choice bytes `data` (the rest of the input empty, so that
    /// `int_in_range` gives its start).
    fn int_of(data: &[u8], min: i128, max: i128, type_min: i128, type_max: i128) -> i128 {
        int(&mut Unstructured::new(data), min, max, type_min, type_max).unwrap()
    }

    #[test]
    fn int_reaches_the_ends_of_its_range_and_just_past_them() {
        // A narrower range: a stretch byte first (15 stretches), then the choice (and a byte that
        // `int_in_range` would take: 3 + 5 % 7 is 8).
        let r = (3, 9, 0, 255);
        let cases: [(&[u8], i128); 10] = [
            (&[0, 1, 5], 3),
            (&[0, 2, 5], 9),
            (&[0, 3, 5], 3),
            (&[0, 4, 5], 4),
            (&[0, 5, 5], 8),
            (&[0, 6, 5], 8),
            (&[15, 0], 2),
            (&[15, 1], 10),
            (&[15, 2], 0),
            (&[15, 3], 0),
        ];
        for (data, want) in cases {
            assert_eq!(int_of(data, r.0, r.1, r.2, r.3), want, "{data:?}");
        }
        // Zero clamped into a range around it and into one above it.
        assert_eq!(int_of(&[0, 3], -5, 9, -128, 127), 0);
        assert_eq!(int_of(&[0, 3], -9, -5, -128, 127), -5);
        // A range of one value: its neighbours within it are itself.
        assert_eq!(int_of(&[0, 4], 3, 3, 0, 255), 3);
        assert_eq!(int_of(&[0, 5], 3, 3, 0, 255), 3);
        // At the type's own ends there is nothing past them: the stretch takes any value.
        assert_eq!(int_of(&[15, 0], 0, 9, 0, 255), 0);
        assert_eq!(int_of(&[15, 1], 3, 255, 0, 255), 0);
        // The type's whole range: no stretch byte is read.
        assert_eq!(int_of(&[2], 0, 255, 0, 255), 255);
        assert_eq!(int_of(&[1], -128, 127, -128, 127), -128);
        let (mut u, mut v) = (Unstructured::new(&[2]), Unstructured::new(&[0, 2]));
        assert_eq!(Gen::new(&mut u, 0).int::<i8>(-128, 127), Ok(127));
        assert_eq!(Gen::new(&mut v, 0).int::<u16>(0, 9), Ok(9));
    }

    #[test]
    fn floats_are_special_values_or_any_bits() {
        // A choice byte, then the index of a special value or the bits (little-endian).
        let specials_f32: [u32; 12] = [
            0,
            0x8000_0000,
            0x3f80_0000,
            0xc020_0000,
            0x7f80_0000,
            0xff80_0000,
            f32::NAN.to_bits(),
            0x0080_0000,
            0x7f7f_ffff,
            0x477f_e000,
            0x3380_0000,
            0x3dcc_cccd,
        ];
        for (i, bits) in specials_f32.into_iter().enumerate() {
            let v = f32(&mut Unstructured::new(&[1, i as u8])).unwrap();
            assert_eq!(v.to_bits(), bits, "{i}");
            let data = [1, i as u8];
            let mut u = Unstructured::new(&data);
            assert_eq!(Gen::new(&mut u, 0).f32().map(f32::to_bits), Ok(bits));
        }
        let v = f32(&mut Unstructured::new(&[0, 1, 2, 3, 4])).unwrap();
        assert_eq!(v.to_bits(), 0x0403_0201);
        let specials_f64: [u64; 14] = [
            0,
            0x8000_0000_0000_0000,
            0x3ff0_0000_0000_0000,
            0xc004_0000_0000_0000,
            0x7ff0_0000_0000_0000,
            0xfff0_0000_0000_0000,
            f64::NAN.to_bits(),
            0x0010_0000_0000_0000,
            0x7fef_ffff_ffff_ffff,
            0x40ef_fc00_0000_0000,
            0x40ef_fc20_0000_0000,
            0x3e70_0000_0000_0000,
            0x47ef_ffff_e000_0000,
            0x3fb9_9999_9999_999a,
        ];
        for (i, bits) in specials_f64.into_iter().enumerate() {
            let v = f64(&mut Unstructured::new(&[4, i as u8])).unwrap();
            assert_eq!(v.to_bits(), bits, "{i}");
            let data = [4, i as u8];
            let mut u = Unstructured::new(&data);
            assert_eq!(Gen::new(&mut u, 0).f64().map(f64::to_bits), Ok(bits));
        }
        let v = f64(&mut Unstructured::new(&[5, 0, 0, 0xc0, 0x3f])).unwrap();
        assert_eq!(v, 1.5);
        let v = f64(&mut Unstructured::new(&[6, 1, 2, 3, 4, 5, 6, 7, 8])).unwrap();
        assert_eq!(v.to_bits(), 0x0807_0605_0403_0201);
        let v = f64(&mut Unstructured::new(&[7, 1, 2, 3, 4, 5, 6, 7, 8])).unwrap();
        assert_eq!(v.to_bits(), 0x0807_0605_0403_0201);
    }

    #[test]
    fn gen_reads_what_the_free_functions_read() {
        let data = [15u8, 0];
        let mut u = Unstructured::new(&data);
        assert_eq!(Gen::new(&mut u, 0).text(4).as_deref(), Ok("éaé"));
        let mut u = Unstructured::new(&data);
        assert_eq!(Gen::new(&mut u, 0).bytes(3), Ok(vec![0xa5; 4]));
        let mut u = Unstructured::new(&[7, 8, 9]);
        assert_eq!(Gen::new(&mut u, 0).fixed::<3>(), Ok([7, 8, 9]));
        let mut u = Unstructured::new(&[0]);
        assert_eq!(Gen::new(&mut u, 0).bool(), Ok(false));
        let mut u = Unstructured::new(&[1]);
        assert_eq!(Gen::new(&mut u, 0).bool(), Ok(true));
        let mut u = Unstructured::new(&[0, 2]);
        assert_eq!(Gen::new(&mut u, 0).variant(3, 0), Ok(2));
        let mut u = Unstructured::new(&[0, 2]);
        assert_eq!(Gen::new(&mut u, GENERATE_DEPTH).variant(3, 0), Ok(0));
        let data = [7, 2, 3, 3, 6, 5, 3, 4, 6, 6, 3, 5, 6, 7];
        let mut u = Unstructured::new(&data);
        let fields = Gen::new(&mut u, 0).unknown_fields(&[1, 2]).unwrap();
        assert_eq!(
            fields,
            unknown_fields(&mut Unstructured::new(&data), &[1, 2]).unwrap()
        );
        assert_eq!(fields.len(), 3);
        let mut u = Unstructured::new(&[0, 2, 3, 5]);
        assert_eq!(
            Gen::new(&mut u, 0).unknown_variant(&[1, 2]),
            Ok((5, vec![0x18, 0x01]))
        );
        let mut u = Unstructured::new(&[0, 0, 1, 3, 9]);
        assert_eq!(
            Gen::new(&mut u, 0).kept_variant(&[1, 2]),
            Ok((9, vec![0xf6]))
        );
    }

    // Uses generated types.
    #[cfg(feature = "core-schema")]
    #[test]
    fn nested_values_are_one_level_deeper() {
        use crate::generated::iotp2p_core::owned::ReadRequest;
        // One level above the generate depth, the nested request's optional `members` is left out;
        // one more level up, it is there.
        let ones = [1u8; 32];
        for (depth, members) in [(GENERATE_DEPTH - 1, false), (GENERATE_DEPTH - 2, true)] {
            let mut u = Unstructured::new(&ones);
            let value: ReadRequest = Gen::new(&mut u, depth).nested().unwrap();
            assert_eq!(value.members.is_some(), members, "{depth}");
            let mut u = Unstructured::new(&ones);
            let boxed: alloc::boxed::Box<ReadRequest> = Gen::new(&mut u, depth).boxed().unwrap();
            let mut u = Unstructured::new(&ones);
            assert_eq!(*boxed, Gen::new(&mut u, depth).nested().unwrap());
        }
    }

    #[test]
    fn present_len_and_variant_stop_at_the_generate_depth() {
        let ones = [1u8; 8];
        assert!(present(&mut Unstructured::new(&ones), GENERATE_DEPTH - 1).unwrap());
        assert!(!present(&mut Unstructured::new(&ones), GENERATE_DEPTH).unwrap());
        let d = GENERATE_DEPTH;
        assert_eq!(len(&mut Unstructured::new(&[1, 5]), 10, d - 1).unwrap(), 5);
        assert_eq!(len(&mut Unstructured::new(&[1, 5]), 10, d).unwrap(), 0);
        assert_eq!(
            variant(&mut Unstructured::new(&[0, 2]), 3, 0, d - 1).unwrap(),
            2
        );
        assert_eq!(
            variant(&mut Unstructured::new(&[0, 2]), 3, 0, d).unwrap(),
            0
        );
        let mut u = Unstructured::new(&ones);
        let mut g = Gen::new(&mut u, d);
        assert_eq!(g.opt(|g| g.bool()), Ok(None));
        assert_eq!(g.items(4, |g| g.bool()), Ok(vec![]));
        let mut u = Unstructured::new(&ones);
        let mut g = Gen::new(&mut u, d - 1);
        assert_eq!(g.opt(|g| g.bool()), Ok(Some(true)));
        assert_eq!(g.items(4, |g| g.bool()), Ok(vec![true]));
    }

    #[test]
    fn len_is_usually_short_sometimes_the_bound_and_sometimes_past_it() {
        let len_of = |data: &[u8], max| len(&mut Unstructured::new(data), max, 0).unwrap();
        assert_eq!(len_of(&[15, 0], 100), 101);
        assert_eq!(len_of(&[15, 2], 100), 103);
        assert_eq!(len_of(&[15, 2], u32::MAX), u32::MAX as usize);
        assert_eq!(len_of(&[14], MAX_FULL_ITEMS), MAX_FULL_ITEMS as usize);
        assert_eq!(len_of(&[14, 3], MAX_FULL_ITEMS + 1), 3);
        assert_eq!(len_of(&[0, 40], 100), 40 % 17);
        assert_eq!(len_of(&[0, 40], 10), 40 % 11);
        assert_eq!(len_of(&[13, 16], 100), 16);
    }

    #[test]
    fn variant_is_sometimes_unknown() {
        let v = |data: &[u8], count| variant(&mut Unstructured::new(data), count, 9, 0).unwrap();
        assert_eq!(v(&[15], 3), 3);
        assert_eq!(v(&[14, 1], 3), 1);
        assert_eq!(v(&[0, 2], 3), 2);
        assert_eq!(v(&[0, 2], 0), 0);
    }

    #[test]
    fn strings_and_byte_strings_reach_their_bound_and_pass_it() {
        // `<&str>::arbitrary` and `<&[u8]>::arbitrary` take their length from the input's last byte:
        // 0 is an empty one, and the choice is the first byte.
        let text = |data: &[u8], max| string(&mut Unstructured::new(data), max).unwrap();
        let bytes_of = |data: &[u8], max| bytes(&mut Unstructured::new(data), max).unwrap();
        for max in [0, 1, 4, 7] {
            let long = text(&[15, 0], max);
            assert_eq!(
                long.len(),
                max as usize + 1 + usize::from(max % 3 == 0),
                "{long:?}"
            );
            assert!(long.starts_with(if max <= 1 { "é" } else { "éa" }));
            assert_eq!(text(&[14, 0], max), "z".repeat(max as usize));
            assert_eq!(text(&[0, 0], max), "");
            assert_eq!(bytes_of(&[15, 0], max), vec![0xa5; max as usize + 1]);
            assert_eq!(bytes_of(&[14, 0], max), vec![0; max as usize]);
            assert_eq!(bytes_of(&[0, 0], max), Vec::<u8>::new());
        }
        // A string cut to its bound at a character boundary: "éé" cut to 3 bytes is "é".
        let mut s = String::from("éé");
        truncate_str(&mut s, 3);
        assert_eq!(s, "é");
        let mut s = String::from("aé");
        truncate_str(&mut s, 3);
        assert_eq!(s, "aé");
        truncate_str(&mut s, 9);
        assert_eq!(s, "aé");
    }

    #[test]
    fn enum_numbers_are_usually_known() {
        let known = [5, 6, 7];
        let n = |data: &[u8], known: &[u32]| enum_number(&mut Unstructured::new(data), known);
        assert_eq!(n(&[0, 2], &known), Ok(7));
        assert_eq!(
            n(&[7, 1, 2, 3, 4], &known),
            Ok(u32::from_le_bytes([1, 2, 3, 4]))
        );
        assert_eq!(n(&[1, 2, 3, 4], &[]), Ok(u32::from_le_bytes([1, 2, 3, 4])));
    }

    #[test]
    fn unknown_keys_wrap_at_the_key_limit_past_the_known_ones() {
        let key = |data: &[u8], known: &[u64]| unknown_key(&mut Unstructured::new(data), known);
        assert_eq!(key(&[0], &[]), Ok(MAX_KEY));
        assert_eq!(key(&[0], &[MAX_KEY]), Ok(0));
        assert_eq!(key(&[0], &[0, 1, MAX_KEY]), Ok(2));
        assert_eq!(key(&[3, 7], &[]), Ok(7));
        assert_eq!(key(&[3, 7], &[7, 8]), Ok(9));
        assert_eq!(key(&[2, 0], &[]), Ok(256));
        assert_eq!(key(&[1, 0, 0], &[]), Ok(24));
        // Every key taken: the loop ends after as many steps as there are known keys.
        assert_eq!(key(&[3, 0], &[0]), Ok(1));
    }

    #[test]
    fn unknown_fields_are_sometimes_one_to_three_canonical_entries() {
        let fields = |data: &[u8]| unknown_fields(&mut Unstructured::new(data), &[1, 2]).unwrap();
        assert!(fields(&[6, 0]).is_empty());
        // One in eight: three entries of keys 3 (`0 + 3`, past the known 1 and 2), 4, 5, each a
        // small integer (kind 6).
        let f = fields(&[7, 2, 3, 3, 6, 5, 3, 4, 6, 6, 3, 5, 6, 7]);
        let entries: Vec<(u64, Vec<u8>)> = f.iter().map(|(k, v)| (k, v.to_vec())).collect();
        assert_eq!(entries, [(3, vec![5]), (4, vec![6]), (5, vec![7])]);
        // A key drawn twice is kept once.
        let f = fields(&[7, 1, 3, 3, 6, 5, 3, 3, 6, 6]);
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn unknown_variants_are_sometimes_invalid() {
        let known = [1u64, 2];
        let v = |data: &[u8]| unknown_variant(&mut Unstructured::new(data), &known).unwrap();
        assert_eq!(v(&[0, 0, 1]), (2, vec![0xf6]));
        assert_eq!(v(&[0, 1, 4]), (MAX_KEY + 5, vec![0xf6]));
        assert_eq!(v(&[0, 2, 3, 5]), (5, vec![0x18, 0x01]));
        assert_eq!(v(&[1, 3, 5, 6, 9]), (5, vec![9]));
        assert_eq!(
            unknown_variant(&mut Unstructured::new(&[0, 0, 1]), &[]),
            Ok((MAX_KEY + 2, vec![0xf6]))
        );
        // A kept variant draws another key instead of a defined one.
        assert_eq!(
            kept_variant(&mut Unstructured::new(&[0, 0, 1, 3, 9]), &known),
            Ok((9, vec![0xf6]))
        );
        assert_eq!(
            kept_variant(&mut Unstructured::new(&[0, 2, 3, 5]), &known),
            Ok((5, vec![0x18, 0x01]))
        );
    }

    #[test]
    fn heads_are_in_shortest_form() {
        for (arg, len) in [
            (0u64, 1),
            (23, 1),
            (24, 2),
            (255, 2),
            (256, 3),
            (65535, 3),
            (65536, 5),
            (u32::MAX as u64, 5),
            (u32::MAX as u64 + 1, 9),
            (u64::MAX, 9),
        ] {
            for major in [0u8, 2, 5] {
                let mut out = Vec::new();
                head(&mut out, major, arg);
                assert_eq!(out.len(), len, "{arg}");
                assert_eq!(out[0] >> 5, major);
                let want = match major {
                    0 => crate::runtime::Head::Uint(arg),
                    2 => crate::runtime::Head::Bytes(arg),
                    _ => crate::runtime::Head::Map(arg),
                };
                assert_eq!(Reader::new(&out).head(), Ok(want), "{out:02x?}");
            }
        }
    }

    #[test]
    fn cbor_items_of_every_kind() {
        let item = |data: &[u8], depth| cbor_item(&mut Unstructured::new(data), depth).unwrap();
        assert_eq!(
            item(&[0, 0, 0, 0, 0, 0, 0, 0, 1, 8], 0),
            [0x1b, 0, 1, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(item(&[1, 44, 0, 0, 0, 0, 0, 0, 0, 0], 0), [0x38, 44]);
        // 2^56 shifted right by 70 % 64.
        assert_eq!(
            item(&[1, 0, 0, 0, 0, 0, 0, 0, 1, 70], 0),
            [0x3b, 0, 4, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(item(&[4, 2], 0), [0xf6]);
        assert_eq!(item(&[5, 3], 0), [0xf9, 0x3c, 0x00]);
        assert_eq!(item(&[7, 20], 0), [20]);
        // Arrays and maps only below depth 0: kinds are then ten, not eight.
        assert_eq!(item(&[8], 0), item(&[0], 0));
        assert_eq!(item(&[8, 2, 6, 1, 7, 2], 1), [0x82, 1, 2]);
        assert_eq!(item(&[9, 2, 3, 6, 1, 0, 7, 2], 1), [0xa2, 3, 1, 4, 2]);
        assert_eq!(item(&[19, 2, 3, 6, 1, 0, 7, 2], 1), [0xa2, 3, 1, 4, 2]);
        // Their items one level down: kind 14 is a small integer at depth 0 (14 % 8), `null` at
        // depth 1 (14 % 10 is 4, and 0xf4 + 20 % 3).
        assert_eq!(item(&[8, 1, 14, 20], 1), [0x81, 20]);
        assert_eq!(item(&[9, 1, 0, 14, 20], 1), [0xa1, 0, 20]);
        // Byte and text strings, their length from the input's last byte.
        assert_eq!(item(&[2, 1, 2, 3, 2], 0), [0x42, 1, 2]);
        assert_eq!(item(&[3, b'h', b'i', 2], 0), [0x62, b'h', b'i']);
    }

    #[test]
    fn audits_find_what_breaks_the_schema() {
        let mut a = Audit::default();
        a.int(Some(&3u8), 3, 9, "T.a");
        a.int(Some(&9u8), 3, 9, "T.a");
        a.int(None::<&u8>, 3, 9, "T.a");
        a.len(Some(&String::from("abc")), 3, "T.s");
        a.len(None::<&String>, 0, "T.s");
        a.items(Some(&vec![1u8, 2]), 2, "T.v", |a, v| {
            a.int(Some(v), 2, 2, "T.v.item")
        });
        assert_eq!(a.violations, [Violation::OutOfRange("T.v.item")]);
        let mut a = Audit::default();
        a.int(Some(&2u8), 3, 9, "T.a");
        a.int(Some(&10u8), 3, 9, "T.b");
        a.len(Some(&vec![0u8; 4]), 3, "T.s");
        a.items(Some(&vec![1u8, 2, 3]), 2, "T.v", |_, _| {});
        assert_eq!(
            a.violations,
            [
                Violation::OutOfRange("T.a"),
                Violation::OutOfRange("T.b"),
                Violation::BoundExceeded("T.s"),
                Violation::BoundExceeded("T.v"),
            ]
        );
        assert!(!a.unknown);
        a.unknown();
        assert!(a.unknown);
    }

    #[test]
    fn audits_find_invalid_unknown_variants_and_recursion() {
        let invalid = |key, value: &[u8], known: &[u64]| {
            let mut a = Audit::default();
            a.unknown_variant(key, value, known);
            assert!(a.unknown);
            !a.violations.is_empty()
        };
        assert!(!invalid(MAX_KEY, &[0xf6], &[1]));
        assert!(invalid(MAX_KEY + 1, &[0xf6], &[1]));
        assert!(invalid(1, &[0xf6], &[1]));
        assert!(invalid(2, &[0x18, 0x01], &[1]));
        assert!(invalid(2, &[0xf6, 0xf6], &[1]));
        assert!(invalid(2, &[], &[1]));

        let mut a = Audit::default();
        a.enter(false);
        a.enter(true);
        a.enter(false);
        assert!(!a.recursive);
        a.leave(true);
        a.enter(true);
        assert!(!a.recursive);
        a.enter(true);
        assert!(a.recursive);
        let mut a = Audit::default();
        a.enter(true);
        a.leave(false);
        a.enter(true);
        assert!(a.recursive);
    }

    // Uses generated types.
    #[cfg(feature = "core-schema")]
    #[test]
    fn audits_walk_nested_values() {
        use crate::generated::iotp2p_core::owned::ReadRequest;
        let mut request = ReadRequest {
            endpoint: 1,
            capability: 2,
            members: Some(vec![0; 64]),
            unknown_fields: OwnedUnknownFields::new(),
        };
        assert_eq!(Audit::of(&request), Audit::default());
        request.members = Some(vec![0; 65]);
        let mut a = Audit::default();
        a.nested(Some(&request));
        a.nested(None::<&ReadRequest>);
        // Named as the encoder's error names it (`key 2` with the feature `field-keys`).
        let members = *crate::runtime::field!("ReadRequest.members", key 2);
        assert_eq!(a.violations, [Violation::BoundExceeded(members)]);
        assert_eq!(Audit::of(&request), a);
    }

    #[test]
    fn audits_warrant_exactly_the_errors_of_what_they_found() {
        static A: &str = "T.a";
        static B: &str = "T.b";
        let mut a = Audit::default();
        a.bound(A);
        a.range(B);
        assert!(a.warrants(&EncodeError::BoundExceeded { field: &A }));
        assert!(!a.warrants(&EncodeError::BoundExceeded { field: &B }));
        assert!(a.warrants(&EncodeError::OutOfRange { field: &B }));
        assert!(!a.warrants(&EncodeError::OutOfRange { field: &A }));
        assert!(!a.warrants(&EncodeError::BufferTooSmall { needed: 1 }));
        assert!(!a.warrants(&EncodeError::NotSentByRole));
        assert!(!a.warrants(&EncodeError::DepthExceeded));
        assert!(!a.warrants(&EncodeError::InvalidUnknown));
        a.unknown_variant(1, &[0xf6], &[1]);
        assert!(a.warrants(&EncodeError::InvalidUnknown));
        assert!(a.warrants(&EncodeError::DepthExceeded));
        let a = Audit {
            recursive: true,
            ..Audit::default()
        };
        assert!(a.warrants(&EncodeError::DepthExceeded));
    }
}

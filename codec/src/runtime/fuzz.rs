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
        assert!(a.violations.is_empty());
        a.unknown_variant(3, &[0xf6], &known);
        assert_eq!(a.violations, [Violation::InvalidUnknown]);
    }
}

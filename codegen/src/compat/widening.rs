//! The widenings of spec §10.3.1 ([IOTP-VER-7]): a change of a type T1 to a type T2 such that every
//! encoding of a value of T1 is the encoding of the same value of T2. Aliases are resolved first (an
//! alias and its target are the same type); a message, enum or union stays "the same type" as long as
//! it keeps its name (or moved or was renamed), its own changes being reported on it (item 6).

use super::matching::named;
use super::Context;
use crate::ir::{FloatType, Type};

/// How a type changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Change {
    /// Not at all (perhaps spelled differently: an alias for its target).
    Same,
    /// By a widening; `f32_to_f64` when an `f32` became an `f64` somewhere in it, which breaks JSON.
    Widened { f32_to_f64: bool },
    /// Any other way: WIRE-breaking ([IOTP-VER-5]).
    Changed,
}

/// Classifies the change of `old` (a type of S1) to `new` (a type of S2).
pub(super) fn classify(cx: &Context<'_>, old: &Type, new: &Type) -> Change {
    if let (Some(a), Some(b)) = (named(old), named(new)) {
        if cx.same_type(a, b) {
            return Change::Same;
        }
    }
    match (old.resolved(), new.resolved()) {
        (Type::Bool, Type::Bool) => Change::Same,
        (Type::Int { int: a, range: ra }, Type::Int { int: b, range: rb }) => {
            let (lo1, hi1) = ra.map_or(a.bounds(), |r| (r.min, r.max));
            let (lo2, hi2) = rb.map_or(b.bounds(), |r| (r.min, r.max));
            if a == b && (lo1, hi1) == (lo2, hi2) {
                Change::Same
            } else if lo2 <= lo1 && hi1 <= hi2 {
                Change::Widened { f32_to_f64: false }
            } else {
                Change::Changed
            }
        }
        (Type::Float { float: a }, Type::Float { float: b }) => match (a, b) {
            _ if a == b => Change::Same,
            (FloatType::F32, FloatType::F64) => Change::Widened { f32_to_f64: true },
            _ => Change::Changed,
        },
        (Type::String { max_len: n }, Type::String { max_len: m })
        | (Type::Bytes { max_len: n }, Type::Bytes { max_len: m }) => longer(*n, *m),
        (Type::FixedBytes { len: n }, Type::FixedBytes { len: m }) if n == m => Change::Same,
        (Type::FixedBytes { len: n }, Type::Bytes { max_len: m }) if m >= n => {
            Change::Widened { f32_to_f64: false }
        }
        (
            Type::Array {
                element: e1,
                max_items: n,
            },
            Type::Array {
                element: e2,
                max_items: m,
            },
        ) => match (classify(cx, e1, e2), m.cmp(n)) {
            (Change::Changed, _) | (_, std::cmp::Ordering::Less) => Change::Changed,
            (Change::Same, std::cmp::Ordering::Equal) => Change::Same,
            (Change::Same, _) => Change::Widened { f32_to_f64: false },
            (widened, _) => widened,
        },
        (a, b) => match (named(a), named(b)) {
            (Some(a), Some(b)) if cx.same_type(a, b) => Change::Same,
            _ => Change::Changed,
        },
    }
}

/// `string<N>` → `string<M>`, `bytes<N>` → `bytes<M>`: a widening when M > N.
fn longer(n: u32, m: u32) -> Change {
    match m.cmp(&n) {
        std::cmp::Ordering::Equal => Change::Same,
        std::cmp::Ordering::Greater => Change::Widened { f32_to_f64: false },
        std::cmp::Ordering::Less => Change::Changed,
    }
}

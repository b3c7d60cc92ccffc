//! Half-precision conversion and the shortest exact width of a float (RFC 8949 §4.2.1, "preferred
//! serialization": a float is written as half, single or double, whichever is shortest and exact).
//!
//! Integer arithmetic on the bit patterns only: no float operation is needed to decide a width, so a
//! firmware without a double-precision unit (a Cortex-M4F has single precision at most) links no
//! soft-float routine for a schema without floats, and only the conversions it uses for one with
//! them.

/// Bits of a binary64's fraction.
const F64_FRACTION: u32 = 52;
/// Bias of a binary64's exponent.
const F64_BIAS: i32 = 1023;
/// A binary64's sign bit.
const F64_SIGN: u64 = 1 << 63;
/// A binary64's exponent bits (all ones: infinity or NaN).
const F64_EXPONENT: u64 = 0x7ff << F64_FRACTION;

/// Whether the binary64 bit pattern `bits` is a NaN.
#[inline]
const fn is_nan(bits: u64) -> bool {
    bits & !F64_SIGN > F64_EXPONENT
}

/// The binary64 bit pattern of the value of a narrower IEEE 754 format's bit pattern `bits`
/// (`fraction` bits of fraction, `exponent` bits of exponent, then the sign). Every such value is
/// exact in binary64; a NaN keeps its payload's leading bits.
fn widen(bits: u64, fraction: u32, exponent: u32) -> u64 {
    let sign = (bits >> (fraction + exponent)) << 63;
    let biased = ((bits >> fraction) & ((1 << exponent) - 1)) as i32;
    let mantissa = bits & ((1 << fraction) - 1);
    let bias = (1 << (exponent - 1)) - 1;
    let shift = F64_FRACTION - fraction;
    if biased == (1 << exponent) - 1 {
        return sign | F64_EXPONENT | (mantissa << shift);
    }
    if biased != 0 {
        return sign | (((biased - bias + F64_BIAS) as u64) << F64_FRACTION) | (mantissa << shift);
    }
    if mantissa == 0 {
        return sign;
    }
    // Subnormal: mantissa × 2^(1 − bias − fraction), normal in binary64 once its leading one is
    // moved to the implicit bit.
    let top = 63 - mantissa.leading_zeros();
    let power = top as i32 + 1 - bias - fraction as i32;
    let fraction_bits = (mantissa << (F64_FRACTION - top)) & ((1 << F64_FRACTION) - 1);
    sign | (((power + F64_BIAS) as u64) << F64_FRACTION) | fraction_bits
}

/// The bit pattern, in the narrower format of `fraction` and `exponent` bits, of the value of the
/// binary64 bit pattern `bits` when that value is exactly representable in it; `None` otherwise and
/// for a NaN.
fn narrow_exact(bits: u64, fraction: u32, exponent: u32) -> Option<u64> {
    if is_nan(bits) {
        return None;
    }
    let sign = (bits >> 63) << (fraction + exponent);
    let biased = ((bits & !F64_SIGN) >> F64_FRACTION) as i32;
    let mantissa = bits & ((1 << F64_FRACTION) - 1);
    let all_ones = (1u64 << exponent) - 1;
    if biased == 0x7ff {
        return Some(sign | (all_ones << fraction));
    }
    if biased == 0 {
        // Zero; a binary64 subnormal is below every narrower format's range.
        return (mantissa == 0).then_some(sign);
    }
    let bias = (1 << (exponent - 1)) - 1;
    let power = biased - F64_BIAS;
    let dropped = F64_FRACTION - fraction;
    if power >= 1 - bias && power <= bias {
        // Normal in the narrower format: the dropped fraction bits must be zero.
        return (mantissa & ((1 << dropped) - 1) == 0)
            .then_some(sign | (((power + bias) as u64) << fraction) | (mantissa >> dropped));
    }
    if power >= 1 - bias - fraction as i32 && power < 1 - bias {
        // Subnormal in the narrower format: a whole multiple of its smallest step.
        let significand = (1 << F64_FRACTION) | mantissa;
        let shift = (dropped as i32 + 1 - bias - power) as u32;
        return (significand & ((1 << shift) - 1) == 0).then_some(sign | (significand >> shift));
    }
    None
}

/// The value of an IEEE 754 binary16 bit pattern.
pub fn f16_to_f64(bits: u16) -> f64 {
    f64::from_bits(widen(bits as u64, 10, 5))
}

/// The value of an IEEE 754 binary32 bit pattern as a binary64, by bits (no float conversion).
pub(crate) fn f32_bits_to_f64(bits: u32) -> f64 {
    f64::from_bits(widen(bits as u64, 23, 8))
}

/// The binary16 bit pattern of `value` when it is exactly representable in half precision (every
/// NaN: the canonical `0x7e00`).
pub fn f64_to_f16_exact(value: f64) -> Option<u16> {
    let bits = value.to_bits();
    if is_nan(bits) {
        return Some(0x7e00);
    }
    narrow_exact(bits, 10, 5).map(|half| half as u16)
}

/// The binary32 bit pattern of `value` when it is exactly representable in single precision (a NaN:
/// `None`; it is written as half precision).
pub(crate) fn f64_to_f32_exact(value: f64) -> Option<u32> {
    narrow_exact(value.to_bits(), 23, 8).map(|single| single as u32)
}

/// The binary32 value of `value` that came from a single- or half-precision item (and so is exact
/// in single precision; a NaN is the canonical quiet NaN).
pub(crate) fn f64_to_f32_of_narrow(value: f64) -> f32 {
    match f64_to_f32_exact(value) {
        Some(bits) => f32::from_bits(bits),
        None => f32::NAN,
    }
}

/// Bytes taken by the shortest exact encoding of `value`, head included: 3, 5 or 9.
pub fn shortest_len(value: f64) -> usize {
    if f64_to_f16_exact(value).is_some() {
        3
    } else if f64_to_f32_exact(value).is_some() {
        5
    } else {
        9
    }
}

/// Bytes taken by the shortest exact encoding of `value`, head included: 3 or 5.
pub fn shortest_len_f32(value: f32) -> usize {
    shortest_len(f32_bits_to_f64(value.to_bits()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_round_trips() {
        for (bits, value) in [
            (0x0000, 0.0),
            (0x3c00, 1.0),
            (0xc000, -2.0),
            (0x7bff, 65504.0),
            (0x0001, 5.960464477539063e-8),
            (0x0400, 6.103515625e-5),
            (0x3e00, 1.5),
            (0x7c00, f64::INFINITY),
        ] {
            assert_eq!(f16_to_f64(bits), value);
            assert_eq!(f64_to_f16_exact(value), Some(bits));
        }
        assert_eq!(f64_to_f16_exact(-0.0), Some(0x8000));
        assert_eq!(f64_to_f16_exact(0.1), None);
        assert_eq!(f64_to_f16_exact(65505.0), None);
        assert_eq!(f64_to_f16_exact(100000.0), None);
    }

    #[test]
    fn shortest_widths() {
        assert_eq!(shortest_len(1.5), 3);
        assert_eq!(shortest_len(100000.0), 5);
        assert_eq!(shortest_len(0.1), 9);
        assert_eq!(shortest_len(f64::NAN), 3);
        assert_eq!(shortest_len(f32::MAX as f64), 5);
    }

    /// The bit arithmetic agrees with the hardware's conversions: every half, and binary32 and
    /// binary64 patterns from every class (zeros, subnormals, normals, infinities, NaNs).
    mod agrees_with_float_arithmetic {
        use super::*;
        use proptest::prelude::*;

        /// What the conversions of `core` say: the shortest width that round-trips.
        fn reference_len(value: f64) -> usize {
            if value.is_nan() {
                3
            } else if (value as f32) as f64 != value {
                9
            } else if f64_to_f16_reference(value).is_some() {
                3
            } else {
                5
            }
        }

        /// Half precision by search: the patterns 0x0000..=0x7c00 are the non-negative halves in
        /// increasing order.
        fn f64_to_f16_reference(value: f64) -> Option<u16> {
            let sign = if value.is_sign_negative() { 0x8000 } else { 0 };
            let magnitude = value.abs();
            let (mut lo, mut hi) = (0u16, 0x7c00u16);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if f16_to_f64(mid) < magnitude {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            (f16_to_f64(lo) == magnitude).then_some(lo | sign)
        }

        #[test]
        fn every_half() {
            for h in 0..=u16::MAX {
                let v = f16_to_f64(h);
                let nan = h & 0x7fff > 0x7c00;
                assert_eq!(v.is_nan(), nan, "{h:04x}");
                if nan {
                    continue;
                }
                assert_eq!(f64_to_f16_exact(v), Some(h), "{h:04x}");
                assert_eq!(shortest_len(v), 3, "{h:04x}");
                assert_eq!(f32_bits_to_f64((v as f32).to_bits()), v, "{h:04x}");
            }
        }

        fn class_of_bits(fraction: u32, exponent: u32) -> impl Strategy<Value = u64> {
            let width = fraction + exponent;
            let max_exp = (1u64 << exponent) - 1;
            (
                any::<bool>(),
                prop_oneof![Just(0), Just(max_exp), 0..=max_exp, 0..=max_exp],
                any::<u64>(),
                0u32..=fraction,
            )
                .prop_map(move |(sign, e, m, zeros)| {
                    let m = (m & ((1 << fraction) - 1)) >> zeros << zeros;
                    ((sign as u64) << width) | (e << fraction) | m
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(20_000))]

            #[test]
            fn singles(bits in class_of_bits(23, 8)) {
                let single = f32::from_bits(bits as u32);
                let v = f32_bits_to_f64(bits as u32);
                // The hardware also quiets a signalling NaN; any NaN does here.
                if single.is_nan() {
                    prop_assert!(v.is_nan());
                } else {
                    prop_assert_eq!(v.to_bits(), (single as f64).to_bits());
                }
                prop_assert_eq!(shortest_len_f32(single), reference_len(single as f64));
                if !single.is_nan() {
                    prop_assert_eq!(f64_to_f32_exact(v), Some(bits as u32));
                    prop_assert_eq!(f64_to_f32_of_narrow(v).to_bits(), bits as u32);
                }
            }

            #[test]
            fn doubles(bits in class_of_bits(52, 11)) {
                let v = f64::from_bits(bits);
                prop_assert_eq!(shortest_len(v), reference_len(v));
                if !v.is_nan() {
                    prop_assert_eq!(f64_to_f16_exact(v), f64_to_f16_reference(v));
                }
                let exact = (!v.is_nan() && (v as f32) as f64 == v).then(|| (v as f32).to_bits());
                prop_assert_eq!(f64_to_f32_exact(v), exact);
            }
        }
    }
}

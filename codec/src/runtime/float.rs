//! Half-precision conversion and the shortest exact width of a float (RFC 8949 §4.2.1, "preferred
//! serialization": a float is written as half, single or double, whichever is shortest and exact).
//!
//! Integer arithmetic on the bit patterns only: no float operation is needed to decide a width, so a
//! firmware without a double-precision unit (a Cortex-M4F has single precision at most) links no
//! soft-float routine for a schema without floats, and only the conversions it uses for one with
//! them.

/// An IEEE 754 binary interchange format: bits of fraction and of exponent (the sign is the bit
/// above them).
#[derive(Clone, Copy)]
struct Format {
    fraction: u32,
    exponent: u32,
}

impl Format {
    /// The bit pattern's sign bit.
    const fn sign(self) -> u64 {
        1 << (self.fraction + self.exponent)
    }

    /// The exponent field's bits, all ones (infinity or NaN).
    const fn exponent_bits(self) -> u64 {
        ((1 << self.exponent) - 1) << self.fraction
    }

    /// The exponent's bias.
    const fn bias(self) -> i32 {
        (1 << (self.exponent - 1)) - 1
    }

    /// Whether the bit pattern `bits` of this format is a NaN.
    const fn is_nan(self, bits: u64) -> bool {
        bits & (self.sign() - 1) > self.exponent_bits()
    }
}

const HALF: Format = Format {
    fraction: 10,
    exponent: 5,
};
const SINGLE: Format = Format {
    fraction: 23,
    exponent: 8,
};
const DOUBLE: Format = Format {
    fraction: 52,
    exponent: 11,
};

/// The binary64 bit pattern of the value of a narrower format's bit pattern `bits`. Every such
/// value is exact in binary64; a NaN keeps its payload's leading bits.
fn widen(bits: u64, from: Format) -> u64 {
    let Format { fraction, exponent } = from;
    let sign = (bits >> (fraction + exponent)) << 63;
    let biased = ((bits >> fraction) & ((1 << exponent) - 1)) as i32;
    let mantissa = bits & ((1 << fraction) - 1);
    let bias = from.bias();
    let shift = DOUBLE.fraction - fraction;
    if biased == (1 << exponent) - 1 {
        return sign | DOUBLE.exponent_bits() | (mantissa << shift);
    }
    if biased != 0 {
        return sign
            | (((biased - bias + DOUBLE.bias()) as u64) << DOUBLE.fraction)
            | (mantissa << shift);
    }
    if mantissa == 0 {
        return sign;
    }
    // Subnormal: mantissa × 2^(1 − bias − fraction), normal in binary64 once its leading one is
    // moved to the implicit bit.
    let top = 63 - mantissa.leading_zeros();
    let power = top as i32 + 1 - bias - fraction as i32;
    let fraction_bits = (mantissa << (DOUBLE.fraction - top)) & ((1 << DOUBLE.fraction) - 1);
    sign | (((power + DOUBLE.bias()) as u64) << DOUBLE.fraction) | fraction_bits
}

/// The bit pattern, in the narrower format `to`, of the value of the bit pattern `bits` of format
/// `from` when that value is exactly representable in `to`; `None` otherwise and for a NaN.
#[inline(always)]
fn narrow_exact(bits: u64, from: Format, to: Format) -> Option<u64> {
    if from.is_nan(bits) {
        return None;
    }
    let fraction = to.fraction;
    let sign = if bits & from.sign() != 0 {
        to.sign()
    } else {
        0
    };
    let biased = ((bits & (from.sign() - 1)) >> from.fraction) as i32;
    let mantissa = bits & ((1 << from.fraction) - 1);
    if biased == (1 << from.exponent) - 1 {
        return Some(sign | to.exponent_bits());
    }
    if biased == 0 {
        // Zero; a subnormal of `from` (binary64 or binary32) is below the narrower format's range.
        return (mantissa == 0).then_some(sign);
    }
    let bias = to.bias();
    let power = biased - from.bias();
    let dropped = from.fraction - fraction;
    if power >= 1 - bias && power <= bias {
        // Normal in the narrower format: the dropped fraction bits must be zero (tested by the
        // trailing zeros: a mask `(1 << dropped) - 1` is a call of a 64-bit shift on a 32-bit
        // target).
        return (mantissa.trailing_zeros() >= dropped)
            .then_some(sign | (((power + bias) as u64) << fraction) | (mantissa >> dropped));
    }
    if power >= 1 - bias - fraction as i32 && power < 1 - bias {
        // Subnormal in the narrower format: a whole multiple of its smallest step.
        let significand = (1 << from.fraction) | mantissa;
        let shift = (dropped as i32 + 1 - bias - power) as u32;
        return (significand.trailing_zeros() >= shift).then_some(sign | (significand >> shift));
    }
    None
}

/// Whether a float item's argument (its `width` bytes, 2, 4 or 8, as a bit pattern) is the
/// canonical encoding of its value (spec §4.5.3): no narrower width holds the value exactly, and a
/// NaN only as the half `0x7e00`. Decided on the bits alone: no value is formed, so a decoder that
/// only skips unknown floats links no conversion.
pub(crate) fn is_canonical(width: usize, bits: u64) -> bool {
    match width {
        2 => !HALF.is_nan(bits) || bits == 0x7e00,
        4 => !SINGLE.is_nan(bits) && narrow_exact(bits, SINGLE, HALF).is_none(),
        // A value exact in half precision is exact in single precision too.
        _ => !DOUBLE.is_nan(bits) && narrow_exact(bits, DOUBLE, SINGLE).is_none(),
    }
}

/// The value of an IEEE 754 binary16 bit pattern.
pub fn f16_to_f64(bits: u16) -> f64 {
    f64::from_bits(widen(bits as u64, HALF))
}

/// The value of an IEEE 754 binary32 bit pattern as a binary64, by bits (no float conversion).
pub(crate) fn f32_bits_to_f64(bits: u32) -> f64 {
    f64::from_bits(widen(bits as u64, SINGLE))
}

/// The binary16 bit pattern of `value` when it is exactly representable in half precision (every
/// NaN: the canonical `0x7e00`).
pub fn f64_to_f16_exact(value: f64) -> Option<u16> {
    let bits = value.to_bits();
    if DOUBLE.is_nan(bits) {
        return Some(0x7e00);
    }
    narrow_exact(bits, DOUBLE, HALF).map(|half| half as u16)
}

/// The binary32 bit pattern of `value` when it is exactly representable in single precision (a NaN:
/// `None`; it is written as half precision).
pub(crate) fn f64_to_f32_exact(value: f64) -> Option<u32> {
    narrow_exact(value.to_bits(), DOUBLE, SINGLE).map(|single| single as u32)
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
                assert_eq!(is_canonical(2, h as u64), !nan || h == 0x7e00, "{h:04x}");
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
                // A single-precision item is canonical when its value needs five bytes.
                prop_assert_eq!(
                    is_canonical(4, bits),
                    !single.is_nan() && reference_len(single as f64) == 5
                );
                if !single.is_nan() {
                    prop_assert_eq!(f64_to_f32_exact(v), Some(bits as u32));
                    prop_assert_eq!(f64_to_f32_of_narrow(v).to_bits(), bits as u32);
                }
            }

            #[test]
            fn doubles(bits in class_of_bits(52, 11)) {
                let v = f64::from_bits(bits);
                prop_assert_eq!(shortest_len(v), reference_len(v));
                prop_assert_eq!(is_canonical(8, bits), reference_len(v) == 9);
                if !v.is_nan() {
                    prop_assert_eq!(f64_to_f16_exact(v), f64_to_f16_reference(v));
                }
                let exact = (!v.is_nan() && (v as f32) as f64 == v).then(|| (v as f32).to_bits());
                prop_assert_eq!(f64_to_f32_exact(v), exact);
            }
        }
    }
}

//! Half-precision conversion and the shortest exact width of a float (RFC 8949 §4.2.1, "preferred
//! serialization": a float is written as half, single or double, whichever is shortest and exact).

/// The value of an IEEE 754 binary16 bit pattern. Bit arithmetic only: `core` has no `powi`.
pub fn f16_to_f64(bits: u16) -> f64 {
    let sign = ((bits as u64) & 0x8000) << 48;
    let exponent = ((bits >> 10) & 0x1f) as u64;
    let mantissa = (bits & 0x3ff) as u64;
    match exponent {
        // Subnormal: mantissa × 2^-24, exact in f64.
        0 => {
            let magnitude = mantissa as f64 * f64::from_bits((1023 - 24) << 52);
            f64::from_bits(magnitude.to_bits() | sign)
        }
        31 if mantissa == 0 => f64::from_bits(sign | 0x7ff0_0000_0000_0000),
        31 => f64::NAN,
        e => f64::from_bits(sign | ((e + 1023 - 15) << 52) | (mantissa << 42)),
    }
}

/// The binary16 bit pattern of `value` when it is exactly representable in half precision.
pub fn f64_to_f16_exact(value: f64) -> Option<u16> {
    if value.is_nan() {
        return Some(0x7e00);
    }
    let bits = value.to_bits();
    let sign = ((bits >> 48) & 0x8000) as u16;
    let exponent = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let mantissa = bits & ((1 << 52) - 1);
    if value.is_infinite() {
        return Some(sign | 0x7c00);
    }
    if value == 0.0 {
        return Some(sign);
    }
    match exponent {
        // Normal half: the low 42 of the 52 mantissa bits must be zero.
        -14..=15 if mantissa & ((1 << 42) - 1) == 0 => {
            Some(sign | (((exponent + 15) as u16) << 10) | (mantissa >> 42) as u16)
        }
        // Subnormal half: the value must be a whole multiple of 2^-24.
        -24..=-15 => {
            let significand = (1u64 << 52) | mantissa;
            let shift = (28 - exponent) as u32;
            (significand & ((1u64 << shift) - 1) == 0)
                .then_some(sign | (significand >> shift) as u16)
        }
        _ => None,
    }
}

/// Bytes taken by the shortest exact encoding of `value`, head included: 3, 5 or 9.
pub fn shortest_len(value: f64) -> usize {
    if f64_to_f16_exact(value).is_some() {
        3
    } else if (value as f32) as f64 == value {
        5
    } else {
        9
    }
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
}

//! P-256 as SPAKE2+ uses it: the fixed points M and N, scalars reduced modulo n, and the
//! uncompressed SEC 1 encoding of shares with the checks of [IOTP-SEC-33]. P-256 has cofactor 1, so
//! every point of the curve other than the identity lies in the prime-order group.

use p256::elliptic_curve::group::Group;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::elliptic_curve::PrimeField;
use p256::{AffinePoint, EncodedPoint, FieldBytes, ProjectivePoint, Scalar};

use super::{InvalidPoint, SCALAR_LEN, SHARE_LEN};

/// M for P-256, compressed, as [RFC 9383] §4 gives it (seed "1.2.840.10045.3.1.7 point generation
/// seed (M)").
///
/// [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383
const M_COMPRESSED: [u8; 33] = [
    0x02, 0x88, 0x6e, 0x2f, 0x97, 0xac, 0xe4, 0x6e, 0x55, 0xba, 0x9d, 0xd7, 0x24, 0x25, 0x79, 0xf2,
    0x99, 0x3b, 0x64, 0xe1, 0x6e, 0xf3, 0xdc, 0xab, 0x95, 0xaf, 0xd4, 0x97, 0x33, 0x3d, 0x8f, 0xa1,
    0x2f,
];

/// N for P-256, compressed, as [RFC 9383] §4 gives it (seed "1.2.840.10045.3.1.7 point generation
/// seed (N)").
///
/// [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383
const N_COMPRESSED: [u8; 33] = [
    0x03, 0xd8, 0xbb, 0xd6, 0xc6, 0x39, 0xc6, 0x29, 0x37, 0xb0, 0x4d, 0x99, 0x7f, 0x38, 0xc3, 0x77,
    0x07, 0x19, 0xc6, 0x29, 0xd7, 0x01, 0x4d, 0x49, 0xa2, 0x4b, 0x4f, 0x98, 0xba, 0xa1, 0x29, 0x2b,
    0x49,
];

/// Decompresses a fixed point. The constants above are valid points (checked by the unit test below
/// and by the RFC's transcript, which holds both in uncompressed form); the identity fallback is never
/// taken.
fn fixed(compressed: &[u8; 33]) -> ProjectivePoint {
    EncodedPoint::from_bytes(compressed)
        .ok()
        .and_then(|e| Option::<AffinePoint>::from(AffinePoint::from_encoded_point(&e)))
        .map(ProjectivePoint::from)
        .unwrap_or(ProjectivePoint::IDENTITY)
}

/// The point M.
pub(super) fn m() -> ProjectivePoint {
    fixed(&M_COMPRESSED)
}

/// The point N.
pub(super) fn n() -> ProjectivePoint {
    fixed(&N_COMPRESSED)
}

/// A 32-byte big-endian integer reduced modulo n.
pub(super) fn reduce32(bytes: &[u8; SCALAR_LEN]) -> Scalar {
    <Scalar as Reduce<p256::U256>>::reduce_bytes(&FieldBytes::from(*bytes))
}

/// A 40-byte big-endian integer (a half of the PBKDF2 output) reduced modulo n: with `hi` its first 8
/// bytes and `lo` its last 32, the value is `hi · 2^256 + lo`, computed with scalar arithmetic.
pub(super) fn reduce40(bytes: &[u8; 40]) -> Scalar {
    let mut hi = [0u8; SCALAR_LEN];
    hi[SCALAR_LEN - 8..].copy_from_slice(&bytes[..8]);
    let mut lo = [0u8; SCALAR_LEN];
    lo.copy_from_slice(&bytes[8..]);
    // 2^256 mod n = ((2^256 − 1) mod n) + 1.
    let two_256 = reduce32(&[0xff; SCALAR_LEN]) + Scalar::ONE;
    let value = reduce32(&hi) * two_256 + reduce32(&lo);
    zeroize::Zeroize::zeroize(&mut hi);
    zeroize::Zeroize::zeroize(&mut lo);
    value
}

/// A scalar as 32 big-endian bytes.
pub(super) fn scalar_bytes(s: &Scalar) -> [u8; SCALAR_LEN] {
    s.to_repr().into()
}

/// Decodes a received share: exactly 65 bytes, uncompressed, on the curve, not the identity
/// ([IOTP-SEC-33]).
pub(super) fn decode_share(bytes: &[u8]) -> Result<ProjectivePoint, InvalidPoint> {
    if bytes.len() != SHARE_LEN {
        return Err(InvalidPoint::Length { len: bytes.len() });
    }
    if bytes[0] != 0x04 {
        return Err(InvalidPoint::NotUncompressed);
    }
    let encoded = EncodedPoint::from_bytes(bytes).map_err(|_| InvalidPoint::NotOnCurve)?;
    let point = Option::<AffinePoint>::from(AffinePoint::from_encoded_point(&encoded))
        .ok_or(InvalidPoint::NotOnCurve)?;
    let point = ProjectivePoint::from(point);
    if bool::from(point.is_identity()) {
        return Err(InvalidPoint::Identity);
    }
    Ok(point)
}

/// Encodes a point in uncompressed form; the identity, which has no such form, is refused.
pub(super) fn encode(point: &ProjectivePoint) -> Result<[u8; SHARE_LEN], InvalidPoint> {
    let encoded = point.to_affine().to_encoded_point(false);
    let bytes = encoded.as_bytes();
    if bytes.len() != SHARE_LEN {
        return Err(InvalidPoint::Identity);
    }
    let mut out = [0u8; SHARE_LEN];
    out.copy_from_slice(bytes);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_points_are_valid() {
        for compressed in [&M_COMPRESSED, &N_COMPRESSED] {
            let encoded = EncodedPoint::from_bytes(compressed).unwrap();
            assert!(bool::from(
                AffinePoint::from_encoded_point(&encoded).is_some()
            ));
        }
        assert!(!bool::from(m().is_identity()));
        assert!(!bool::from(n().is_identity()));
    }

    #[test]
    fn reduce40_matches_reduce32_below_2_256() {
        let mut wide = [0u8; 40];
        wide[8..].copy_from_slice(&[0xab; 32]);
        assert_eq!(reduce40(&wide), reduce32(&[0xab; 32]));
    }
}

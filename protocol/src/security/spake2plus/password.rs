//! Password processing (spec §8.3.3, [RFC 9383] §3.2): `w0s ‖ w1s` = PBKDF2-HMAC-SHA-256 over
//! `len(pw) ‖ pw ‖ len(idProver) ‖ idProver ‖ len(idVerifier) ‖ idVerifier` (lengths 8 bytes
//! little-endian), 80 bytes; w0 = w0s mod n, w1 = w1s mod n; and the verifier record (w0, L = w1·P)
//! that a manufacturer computes and the device stores (§8.3.1).
//!
//! [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383

use alloc::vec::Vec;
use core::fmt;

use p256::elliptic_curve::Field;
use p256::{ProjectivePoint, Scalar};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::group::{decode_share, encode, reduce32, reduce40, scalar_bytes};
use super::{Error, SCALAR_LEN, SHARE_LEN};

/// Length of the PBKDF2 output `w0s ‖ w1s`: 40 bytes for each half (§8.3.3).
pub const PBKDF_OUTPUT_LEN: usize = 80;

/// Shortest PBKDF2 salt of a device ([IOTP-SEC-22]).
pub const MIN_SALT_LEN: usize = 16;

/// Longest PBKDF2 salt of a device ([IOTP-SEC-22]).
pub const MAX_SALT_LEN: usize = 32;

/// Smallest PBKDF2 iteration count of a device ([IOTP-SEC-23]).
pub const MIN_ITERATIONS: u32 = 1000;

/// Largest PBKDF2 iteration count of a device ([IOTP-SEC-23]).
pub const MAX_ITERATIONS: u32 = 100_000;

/// The prover's secret, w0 and w1: what the controller derives from the passcode. Wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ProverSecret {
    pub(super) w0: Scalar,
    pub(super) w1: Scalar,
}

impl fmt::Debug for ProverSecret {
    /// Prints no secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProverSecret").finish_non_exhaustive()
    }
}

impl ProverSecret {
    /// Derives w0 and w1 from an iotp2p passcode (the eight ASCII digits of `passcode`, leading zeros
    /// included, empty identities) with the device's salt and iteration count (§8.3.3). The salt and
    /// the count must lie within the bounds every device keeps ([IOTP-SEC-22], [IOTP-SEC-23]), so
    /// that a device cannot make a controller spend unbounded work.
    pub fn from_passcode(passcode: u32, salt: &[u8], iterations: u32) -> Result<Self, Error> {
        if passcode > 99_999_999 {
            return Err(Error::InvalidPasscode);
        }
        if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&salt.len())
            || !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations)
        {
            return Err(Error::PbkdfParameters);
        }
        let mut digits = [b'0'; 8];
        let mut rest = passcode;
        for digit in digits.iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let secret = Self::derive(&digits, &[], &[], salt, iterations);
        digits.zeroize();
        secret
    }

    /// Derives w0 and w1 from any password and identities ([RFC 9383] §3.2, with PBKDF2-HMAC-SHA-256
    /// as the PBKDF). Only a zero iteration count is refused; bounds are the caller's policy.
    ///
    /// [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383
    pub fn derive(
        password: &[u8],
        id_prover: &[u8],
        id_verifier: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, Error> {
        if iterations == 0 {
            return Err(Error::PbkdfParameters);
        }
        let parts = [password, id_prover, id_verifier];
        let mut input = Vec::with_capacity(parts.iter().map(|p| 8 + p.len()).sum());
        for part in parts {
            input.extend_from_slice(&(part.len() as u64).to_le_bytes());
            input.extend_from_slice(part);
        }
        let mut output = [0u8; PBKDF_OUTPUT_LEN];
        pbkdf2::pbkdf2_hmac::<Sha256>(&input, salt, iterations, &mut output);
        // Written at its final capacity: no reallocation left a copy of the password behind.
        input.as_mut_slice().zeroize();
        let secret = Self::from_pbkdf_output(&output);
        output.zeroize();
        secret
    }

    /// w0 and w1 from the PBKDF output `w0s ‖ w1s` (two 40-byte big-endian integers reduced modulo n).
    pub fn from_pbkdf_output(output: &[u8; PBKDF_OUTPUT_LEN]) -> Result<Self, Error> {
        let mut w0s = [0u8; 40];
        let mut w1s = [0u8; 40];
        w0s.copy_from_slice(&output[..40]);
        w1s.copy_from_slice(&output[40..]);
        let secret = Self::new(reduce40(&w0s), reduce40(&w1s));
        w0s.zeroize();
        w1s.zeroize();
        secret
    }

    /// w0 and w1 given directly as 32-byte big-endian integers, reduced modulo n (as [RFC 9383],
    /// appendix C gives them).
    ///
    /// [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383
    pub fn from_scalars(w0: &[u8; SCALAR_LEN], w1: &[u8; SCALAR_LEN]) -> Result<Self, Error> {
        Self::new(reduce32(w0), reduce32(w1))
    }

    /// Refuses a zero w0 or w1 (probability 2^-256 from a PBKDF; a zero w1 would make L the identity).
    fn new(w0: Scalar, w1: Scalar) -> Result<Self, Error> {
        if bool::from(w0.is_zero() | w1.is_zero()) {
            return Err(Error::InvalidSecret);
        }
        Ok(ProverSecret { w0, w1 })
    }

    /// w0, 32 bytes big-endian.
    pub fn w0(&self) -> [u8; SCALAR_LEN] {
        scalar_bytes(&self.w0)
    }

    /// w1, 32 bytes big-endian.
    pub fn w1(&self) -> [u8; SCALAR_LEN] {
        scalar_bytes(&self.w1)
    }

    /// The verifier record (w0, L = w1·P) that the device stores (§8.3.1).
    pub fn record(&self) -> VerifierRecord {
        VerifierRecord {
            w0: self.w0,
            l: ProjectivePoint::GENERATOR * self.w1,
        }
    }
}

/// The verifier's record: w0 and L = w1·P. The device holds it from manufacture, or from an
/// `open_commissioning_window` (§8.3.7). w0 is wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct VerifierRecord {
    pub(super) w0: Scalar,
    pub(super) l: ProjectivePoint,
}

impl fmt::Debug for VerifierRecord {
    /// Prints no secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierRecord").finish_non_exhaustive()
    }
}

impl VerifierRecord {
    /// Length of the stored form: w0 (32 bytes) ‖ L (65 bytes, uncompressed).
    pub const LEN: usize = SCALAR_LEN + SHARE_LEN;

    /// A record from w0 (32 bytes big-endian, reduced modulo n) and L in uncompressed SEC 1 form. A
    /// zero w0, or an L that is not a point of P-256 other than the identity, is refused.
    pub fn new(w0: &[u8; SCALAR_LEN], l: &[u8]) -> Result<Self, Error> {
        let w0 = reduce32(w0);
        let l = decode_share(l).map_err(|_| Error::InvalidSecret)?;
        if bool::from(w0.is_zero()) {
            return Err(Error::InvalidSecret);
        }
        Ok(VerifierRecord { w0, l })
    }

    /// A record as an administrator gives it for a commissioning window (§8.3.7, [IOTP-SEC-141]): w0
    /// (32 bytes big-endian) must already be a scalar below the order of P-256, not reduced here, and
    /// not zero; L as for [`VerifierRecord::new`].
    pub fn canonical(w0: &[u8; SCALAR_LEN], l: &[u8]) -> Result<Self, Error> {
        use p256::elliptic_curve::PrimeField;
        let w0: Option<Scalar> = Scalar::from_repr((*w0).into()).into();
        let w0 = w0.ok_or(Error::InvalidSecret)?;
        if bool::from(w0.is_zero()) {
            return Err(Error::InvalidSecret);
        }
        let l = decode_share(l).map_err(|_| Error::InvalidSecret)?;
        Ok(VerifierRecord { w0, l })
    }

    /// A record from its stored form, w0 ‖ L ([`VerifierRecord::to_bytes`]).
    pub fn from_bytes(bytes: &[u8; Self::LEN]) -> Result<Self, Error> {
        let mut w0 = [0u8; SCALAR_LEN];
        w0.copy_from_slice(&bytes[..SCALAR_LEN]);
        let record = Self::new(&w0, &bytes[SCALAR_LEN..]);
        w0.zeroize();
        record
    }

    /// w0, 32 bytes big-endian.
    pub fn w0(&self) -> [u8; SCALAR_LEN] {
        scalar_bytes(&self.w0)
    }

    /// L, uncompressed.
    pub fn l(&self) -> [u8; SHARE_LEN] {
        // L is never the identity: `new` refuses it, and `ProverSecret::record` has w1 ≠ 0.
        encode(&self.l).unwrap_or([0; SHARE_LEN])
    }

    /// The stored form: w0 ‖ L.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        out[..SCALAR_LEN].copy_from_slice(&self.w0());
        out[SCALAR_LEN..].copy_from_slice(&self.l());
        out
    }
}

//! The transcript TT ([RFC 9383] §3.3) and the key schedule (§3.4): K_main = SHA-256(TT),
//! K_confirmP ‖ K_confirmV = HKDF(nil, K_main, "ConfirmationKeys"), K_shared = HKDF(nil, K_main,
//! "SharedKey"), confirmP = HMAC(K_confirmP, shareV), confirmV = HMAC(K_confirmV, shareP).
//!
//! [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383

use alloc::vec::Vec;
use core::fmt;

use hkdf::Hkdf;
use hmac::digest::generic_array::GenericArray;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::subtle::ConstantTimeEq;
use p256::Scalar;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::group::{m, n, scalar_bytes};
use super::{Inputs, CONFIRM_LEN, KEY_LEN, SHARE_LEN};

/// Everything both parties derive from the transcript, and the transcript itself. Wiped on drop.
///
/// The roles hand a schedule out only with the feature `test-vectors`, for test vectors and for
/// diagnosing an implementation under test; a protocol implementation needs only what the roles give
/// (shareV, the confirmations once they may be sent, and [`super::SharedKey`]).
pub struct KeySchedule {
    z: [u8; SHARE_LEN],
    v: [u8; SHARE_LEN],
    tt: Vec<u8>,
    k_main: [u8; KEY_LEN],
    k_confirm_p: [u8; KEY_LEN],
    k_confirm_v: [u8; KEY_LEN],
    confirm_p: [u8; CONFIRM_LEN],
    confirm_v: [u8; CONFIRM_LEN],
    k_shared: [u8; KEY_LEN],
}

impl fmt::Debug for KeySchedule {
    /// Prints no secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySchedule").finish_non_exhaustive()
    }
}

impl Drop for KeySchedule {
    fn drop(&mut self) {
        self.z.zeroize();
        self.v.zeroize();
        // The transcript was written into a buffer of its final capacity, so no copy of it was left
        // behind by a reallocation.
        self.tt.as_mut_slice().zeroize();
        self.k_main.zeroize();
        self.k_confirm_p.zeroize();
        self.k_confirm_v.zeroize();
        self.confirm_p.zeroize();
        self.confirm_v.zeroize();
        self.k_shared.zeroize();
    }
}

/// Appends `len(bytes) ‖ bytes`, the length as 8 bytes little-endian.
fn put(tt: &mut Vec<u8>, bytes: &[u8]) {
    tt.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    tt.extend_from_slice(bytes);
}

/// HMAC-SHA-256 with a 32-byte key. HMAC pads a key shorter than the block to the block size with
/// zeros (RFC 2104 §2), which is done here so that the keyed state is built without a fallible call.
fn hmac(key: &[u8; KEY_LEN], message: &[u8]) -> [u8; CONFIRM_LEN] {
    let mut block = [0u8; 64];
    block[..KEY_LEN].copy_from_slice(key);
    let mut mac = <Hmac<Sha256> as KeyInit>::new(GenericArray::from_slice(&block));
    block.zeroize();
    mac.update(message);
    mac.finalize().into_bytes().into()
}

impl KeySchedule {
    /// Writes TT from the inputs, the two shares, Z, V and w0, and derives the keys and both
    /// confirmations from it.
    pub(super) fn derive(
        inputs: &Inputs<'_>,
        share_p: &[u8; SHARE_LEN],
        share_v: &[u8; SHARE_LEN],
        z: &[u8; SHARE_LEN],
        v: &[u8; SHARE_LEN],
        w0: &Scalar,
    ) -> Self {
        let m = m().to_affine().to_encoded_point(false);
        let n = n().to_affine().to_encoded_point(false);
        let mut w0 = scalar_bytes(w0);
        let parts: [&[u8]; 10] = [
            inputs.context,
            inputs.id_prover,
            inputs.id_verifier,
            m.as_bytes(),
            n.as_bytes(),
            share_p,
            share_v,
            z,
            v,
            &w0,
        ];
        let mut tt = Vec::with_capacity(parts.iter().map(|p| 8 + p.len()).sum());
        for part in parts {
            put(&mut tt, part);
        }
        w0.zeroize();

        let mut schedule = KeySchedule {
            z: *z,
            v: *v,
            tt,
            k_main: [0; KEY_LEN],
            k_confirm_p: [0; KEY_LEN],
            k_confirm_v: [0; KEY_LEN],
            confirm_p: [0; CONFIRM_LEN],
            confirm_v: [0; CONFIRM_LEN],
            k_shared: [0; KEY_LEN],
        };
        schedule.k_main = Sha256::digest(&schedule.tt).into();
        let hkdf = Hkdf::<Sha256>::new(None, &schedule.k_main);
        let mut confirmation_keys = [0u8; 2 * KEY_LEN];
        // 64 and 32 bytes are far below HKDF-SHA-256's limit of 255 × 32: expand cannot fail.
        let _ = hkdf.expand(b"ConfirmationKeys", &mut confirmation_keys);
        let _ = hkdf.expand(b"SharedKey", &mut schedule.k_shared);
        schedule
            .k_confirm_p
            .copy_from_slice(&confirmation_keys[..KEY_LEN]);
        schedule
            .k_confirm_v
            .copy_from_slice(&confirmation_keys[KEY_LEN..]);
        confirmation_keys.zeroize();
        schedule.confirm_p = hmac(&schedule.k_confirm_p, share_v);
        schedule.confirm_v = hmac(&schedule.k_confirm_v, share_p);
        schedule
    }

    /// Compares a received confirmation with `expected` in constant time.
    pub(super) fn verify(expected: &[u8; CONFIRM_LEN], received: &[u8]) -> bool {
        // `ct_eq` on slices of different lengths is false; the length itself is public.
        bool::from(expected.as_slice().ct_eq(received))
    }

    /// Z, uncompressed.
    pub fn z(&self) -> &[u8; SHARE_LEN] {
        &self.z
    }

    /// V, uncompressed.
    pub fn v(&self) -> &[u8; SHARE_LEN] {
        &self.v
    }

    /// The transcript TT.
    pub fn transcript(&self) -> &[u8] {
        &self.tt
    }

    /// K_main = SHA-256(TT).
    pub fn k_main(&self) -> &[u8; KEY_LEN] {
        &self.k_main
    }

    /// K_confirmP.
    pub fn k_confirm_p(&self) -> &[u8; KEY_LEN] {
        &self.k_confirm_p
    }

    /// K_confirmV.
    pub fn k_confirm_v(&self) -> &[u8; KEY_LEN] {
        &self.k_confirm_v
    }

    /// confirmP = HMAC(K_confirmP, shareV).
    pub fn confirm_p(&self) -> &[u8; CONFIRM_LEN] {
        &self.confirm_p
    }

    /// confirmV = HMAC(K_confirmV, shareP).
    pub fn confirm_v(&self) -> &[u8; CONFIRM_LEN] {
        &self.confirm_v
    }

    /// K_shared.
    pub fn k_shared(&self) -> &[u8; KEY_LEN] {
        &self.k_shared
    }
}

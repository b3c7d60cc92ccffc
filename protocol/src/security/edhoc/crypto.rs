//! The cryptography lakers runs on: [`EdhocCrypto`], an implementation of lakers' `Crypto` trait.
//!
//! **Why the adapter exists.** lakers reaches every primitive through its `Crypto` trait, randomness
//! included: `p256_generate_key_pair` draws the ephemeral key and `get_random_byte` a connection
//! identifier. The engine is sans-I/O: the caller draws the ephemeral key and passes it in as bytes,
//! and chooses the connection identifier itself. So this adapter
//!
//! 1. delegates the primitives (SHA-256, HKDF, AES-CCM, P-256 ECDH) to
//!    `lakers_crypto_rustcrypto::Crypto`, the RustCrypto back end lakers publishes (the same `p256`,
//!    `aes`, `ccm`, `hkdf` and `sha2` as the rest of this crate);
//! 2. answers `p256_generate_key_pair` with the ephemeral key pair the caller gave, once;
//! 3. never produces other randomness: `get_random_byte` has none to give, and the handshake fails if
//!    it is ever asked (the roles of this module pass connection identifiers explicitly, so it is not);
//! 4. closes the inputs on which the back end would panic (an x-coordinate that is not on the curve, a
//!    ciphertext shorter than its tag), recording a fault that fails the step instead;
//! 5. checks each plaintext it decrypts (PLAINTEXT_3, PLAINTEXT_4, and PLAINTEXT_2 through the
//!    keystream it derives) before lakers decodes it: lakers 0.8 counts the items of ID_CRED_x in a
//!    `u8`, which overflows on a CBOR map of 128 or more pairs or on deep nesting (a panic where
//!    overflow checks are on, as in debug and fuzzing builds). The peer chooses these plaintexts,
//!    so such a message is refused as malformed instead;
//! 6. writes the head of an EDHOC_KDF context of 256 bytes or more with a two-byte length, as CBOR
//!    requires: lakers 0.8 writes one length byte whatever the length, so MAC_3 over a CCS sent by
//!    value (context_3 is 310 bytes, §8.4.6) would not interoperate.
//!
//! **No other path to the inner random number generator.** `lakers_crypto_rustcrypto::Crypto<R>`
//! uses its generator `R` only in its `get_random_byte` and `p256_generate_key_pair` (its 0.8 source).
//! The inner back end is a private field of [`EdhocCrypto`]; this file calls on it only
//! `sha256_digest`, `hkdf_expand`, `hkdf_extract`, `aes_ccm_encrypt_tag_8`, `aes_ccm_decrypt_tag_8`
//! and `p256_ecdh`, and hands out no reference to it; the two randomness methods are implemented here
//! without it. The generator it holds, [`NoRandomness`], yields only zeros, from which P-256 key
//! generation can never draw a key, so even a path added by mistake could not produce a key silently.

use core::fmt;

use lakers::{
    parse_message_2, BufferCiphertext3, BufferPlaintext3, BytesCcmIvLen, BytesCcmKeyLen,
    BytesHashLen, BytesMaxBuffer, BytesMaxInfoBuffer, BytesP256ElemLen, Crypto, EDHOCError,
    EdhocBuffer, EdhocMessageBuffer, AES_CCM_TAG_LEN, MAX_INFO_LEN, MAX_MESSAGE_SIZE_LEN,
    MAX_SUITES_LEN,
};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::{AffineCoordinates, DecompressPoint};
use p256::elliptic_curve::subtle::Choice;
use p256::elliptic_curve::Field;
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, SecretKey};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::SCALAR_LEN;

/// CBOR head of a byte string with a one-byte length.
const BSTR_1: u8 = 0x58;
/// CBOR head of a byte string with a two-byte length.
const BSTR_2: u8 = 0x59;

/// A random number generator without randomness: the inner back end needs one to be built, and must
/// never use it (see the module documentation).
#[derive(Debug, Default)]
pub struct NoRandomness;

impl rand_core::RngCore for NoRandomness {
    fn next_u32(&mut self) -> u32 {
        0
    }

    fn next_u64(&mut self) -> u64 {
        0
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        dest.fill(0);
        Ok(())
    }
}

// Required by the back end's bound; NoRandomness is never used (see above).
impl rand_core::CryptoRng for NoRandomness {}

/// An ephemeral key pair: the private scalar and the x-coordinate of its public key. Wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(super) struct EphemeralKey {
    pub(super) private: [u8; SCALAR_LEN],
    pub(super) public_x: [u8; SCALAR_LEN],
}

/// lakers' `Crypto` for this module: the RustCrypto back end, the caller's ephemeral key, and no
/// other randomness.
pub struct EdhocCrypto {
    inner: lakers_crypto_rustcrypto::Crypto<NoRandomness>,
    ephemeral: Option<EphemeralKey>,
    /// CIPHERTEXT_2 of the message_2 being parsed, to check PLAINTEXT_2 against its keystream.
    ciphertext_2: Option<EdhocMessageBuffer>,
    fault: Option<super::Error>,
}

impl fmt::Debug for EdhocCrypto {
    /// Prints no key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EdhocCrypto")
            .field("ephemeral", &self.ephemeral.is_some())
            .field("fault", &self.fault)
            .finish()
    }
}

impl EdhocCrypto {
    /// An adapter without an ephemeral key, for the steps after the first.
    pub(super) fn new() -> Self {
        EdhocCrypto {
            inner: lakers_crypto_rustcrypto::Crypto::new(NoRandomness),
            ephemeral: None,
            ciphertext_2: None,
            fault: None,
        }
    }

    /// An adapter whose `p256_generate_key_pair` answers with `ephemeral`, once.
    pub(super) fn with_ephemeral(ephemeral: EphemeralKey) -> Self {
        let mut crypto = EdhocCrypto::new();
        crypto.ephemeral = Some(ephemeral);
        crypto
    }

    /// An adapter for parsing `message_2`: it checks PLAINTEXT_2 when it derives KEYSTREAM_2. The
    /// ciphertext is found with lakers' own parser, as lakers finds it.
    pub(super) fn for_message_2(message_2: &EdhocMessageBuffer) -> Self {
        let mut crypto = EdhocCrypto::new();
        crypto.ciphertext_2 = parse_message_2(message_2).ok().map(|(_, ct)| ct);
        crypto
    }

    /// Fails with the error of the first fault since the last check (the result of the step is then
    /// meaningless: [`Error::InvalidPoint`](super::Error::InvalidPoint) for a refused point or a
    /// randomness request, [`Error::Malformed`](super::Error::Malformed) for a refused plaintext),
    /// and clears it.
    pub(super) fn check(&mut self) -> Result<(), super::Error> {
        match self.fault.take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn refuse(&mut self, error: super::Error) {
        self.fault.get_or_insert(error);
    }
}

/// The ephemeral key pair from the caller's 32 random bytes, reduced modulo n (the bias is below
/// 2^-32, and a value of n or more is not an error of the generator); zero is refused
/// ([`Error::ZeroEphemeralKey`](super::Error::ZeroEphemeralKey)): the generator is broken.
pub(super) fn ephemeral_key(random: &[u8; SCALAR_LEN]) -> Result<EphemeralKey, super::Error> {
    let mut scalar = <Scalar as Reduce<p256::U256>>::reduce_bytes(&FieldBytes::from(*random));
    if bool::from(scalar.is_zero()) {
        return Err(super::Error::ZeroEphemeralKey);
    }
    let mut public = (ProjectivePoint::GENERATOR * scalar).to_affine();
    let key = EphemeralKey {
        private: scalar.to_bytes().into(),
        public_x: public.x().into(),
    };
    scalar.zeroize();
    public.zeroize();
    Ok(key)
}

/// Whether `x` is the x-coordinate of a point of P-256 (either y will do for ECDH, which uses only
/// the x-coordinate of the result).
pub(super) fn is_p256_x(x: &[u8; SCALAR_LEN]) -> bool {
    bool::from(AffinePoint::decompress(x.into(), Choice::from(1)).is_some())
}

/// Whether lakers 0.8 can skip over every item of `sequence` (its `any_as_encoded`, which it runs on
/// ID_CRED_x) without overflowing the `u8` in which it counts the items still to skip. This runs
/// lakers' walk with a wide counter; a sequence that lakers would refuse for another reason (a
/// truncated item, a long argument) passes, since lakers then fails cleanly.
pub(super) fn lakers_can_skip(sequence: &[u8]) -> bool {
    let mut pos = 0;
    while pos < sequence.len() {
        let mut pending: u32 = 1;
        while pending > 0 {
            let Some(&head) = sequence.get(pos) else {
                return true;
            };
            pos += 1;
            pending -= 1;
            let argument = match head & 0x1f {
                minor @ 0..=23 => u32::from(minor),
                24 => match sequence.get(pos) {
                    Some(&byte) => {
                        pos += 1;
                        u32::from(byte)
                    }
                    None => return true,
                },
                _ => return true,
            };
            match head >> 5 {
                2 | 3 => pos += argument as usize,
                4 => pending += argument,
                5 => pending += 2 * argument,
                6 => pending += 1,
                _ => {}
            }
            if pending > u32::from(u8::MAX) {
                return false;
            }
        }
    }
    true
}

impl EdhocCrypto {
    /// HKDF-Expand with the head of a long context rewritten (point 6 of the module documentation).
    fn expand(
        &mut self,
        prk: &BytesHashLen,
        info: &BytesMaxInfoBuffer,
        info_len: usize,
        length: usize,
    ) -> BytesMaxBuffer {
        // lakers writes info = (label, context, length) with the context's head as 0x58 and one length
        // byte even for 256 bytes or more. Rewrite such a head as 0x59 with two length bytes, which is
        // the only CBOR encoding of that byte string (RFC 9528 §4.1.2; RFC 9529's trace 1 shows one).
        let tail = if length < 24 { 1 } else { 2 };
        if info_len < info.len() && info.get(1) == Some(&BSTR_1) {
            if let Some(context_len) = info_len.checked_sub(3 + tail) {
                if context_len > usize::from(u8::MAX)
                    && info[2] == context_len as u8
                    && info_len < MAX_INFO_LEN
                    && context_len <= usize::from(u16::MAX)
                {
                    let mut fixed: BytesMaxInfoBuffer = [0; MAX_INFO_LEN];
                    fixed[0] = info[0];
                    fixed[1] = BSTR_2;
                    fixed[2..4].copy_from_slice(&(context_len as u16).to_be_bytes());
                    fixed[4..info_len + 1].copy_from_slice(&info[3..info_len]);
                    let out = self.inner.hkdf_expand(prk, &fixed, info_len + 1, length);
                    fixed.zeroize();
                    return out;
                }
            }
        }
        self.inner.hkdf_expand(prk, info, info_len, length)
    }
}

impl Crypto for EdhocCrypto {
    fn supported_suites(&self) -> EdhocBuffer<MAX_SUITES_LEN> {
        // Only lakers' high-level API asks; the roles of this module build SUITES_I themselves.
        let mut suites = EdhocBuffer::new();
        // One suite in a buffer of nine: cannot fail.
        let _ = suites.push(super::SUITE);
        suites
    }

    fn sha256_digest(&mut self, message: &BytesMaxBuffer, message_len: usize) -> BytesHashLen {
        self.inner.sha256_digest(message, message_len)
    }

    fn hkdf_expand(
        &mut self,
        prk: &BytesHashLen,
        info: &BytesMaxInfoBuffer,
        info_len: usize,
        length: usize,
    ) -> BytesMaxBuffer {
        let mut out = self.expand(prk, info, info_len, length);
        // KEYSTREAM_2 (label 0) while message_2 is parsed: lakers XORs it into CIPHERTEXT_2 and
        // decodes the result. If that PLAINTEXT_2 would overflow lakers' item count, hand out
        // CIPHERTEXT_2 itself as the keystream (PLAINTEXT_2 becomes zeros, which lakers refuses) and
        // fail the step.
        let mut unsafe_plaintext = false;
        if let Some(ciphertext) = &self.ciphertext_2 {
            let ct = ciphertext.as_slice();
            if info[0] == 0 && length == ct.len() && length <= out.len() {
                let mut plaintext = [0u8; MAX_MESSAGE_SIZE_LEN];
                for (p, (c, k)) in plaintext.iter_mut().zip(ct.iter().zip(&out[..length])) {
                    *p = c ^ k;
                }
                unsafe_plaintext = !lakers_can_skip(&plaintext[..length]);
                plaintext.zeroize();
                if unsafe_plaintext {
                    out[..length].copy_from_slice(ct);
                }
            }
        }
        if unsafe_plaintext {
            self.refuse(super::Error::Malformed);
        }
        out
    }

    fn hkdf_extract(&mut self, salt: &BytesHashLen, ikm: &BytesP256ElemLen) -> BytesHashLen {
        self.inner.hkdf_extract(salt, ikm)
    }

    fn aes_ccm_encrypt_tag_8(
        &mut self,
        key: &BytesCcmKeyLen,
        iv: &BytesCcmIvLen,
        ad: &[u8],
        plaintext: &BufferPlaintext3,
    ) -> BufferCiphertext3 {
        // The back end panics if the tag does not fit; the roles bound what they encrypt (their own
        // credential is at most MAX_CREDENTIAL_LEN bytes), so this is a guard only.
        if plaintext.len + AES_CCM_TAG_LEN > plaintext.content.len() {
            self.refuse(super::Error::InvalidCredential);
            return BufferCiphertext3::new();
        }
        self.inner.aes_ccm_encrypt_tag_8(key, iv, ad, plaintext)
    }

    fn aes_ccm_decrypt_tag_8(
        &mut self,
        key: &BytesCcmKeyLen,
        iv: &BytesCcmIvLen,
        ad: &[u8],
        ciphertext: &BufferCiphertext3,
    ) -> Result<BufferPlaintext3, EDHOCError> {
        // The back end subtracts the tag length from the ciphertext length unchecked.
        if ciphertext.len < AES_CCM_TAG_LEN || ciphertext.len > ciphertext.content.len() {
            return Err(EDHOCError::MacVerificationFailed);
        }
        let mut plaintext = self.inner.aes_ccm_decrypt_tag_8(key, iv, ad, ciphertext)?;
        if !lakers_can_skip(plaintext.as_slice()) {
            plaintext.content.zeroize();
            self.refuse(super::Error::Malformed);
            return Err(EDHOCError::ParsingError);
        }
        Ok(plaintext)
    }

    fn p256_ecdh(
        &mut self,
        private_key: &BytesP256ElemLen,
        public_key: &BytesP256ElemLen,
    ) -> BytesP256ElemLen {
        // The back end panics on a private key outside 1..n and on an x-coordinate that is not on the
        // curve; the latter comes from the peer (G_X, G_Y, a credential's key).
        if SecretKey::from_bytes(private_key.into()).is_err() || !is_p256_x(public_key) {
            self.refuse(super::Error::InvalidPoint);
            return [0; SCALAR_LEN];
        }
        self.inner.p256_ecdh(private_key, public_key)
    }

    fn get_random_byte(&mut self) -> u8 {
        // Connection identifiers are always passed explicitly; asking for one is a fault.
        self.refuse(super::Error::InvalidPoint);
        0
    }

    fn p256_generate_key_pair(&mut self) -> (BytesP256ElemLen, BytesP256ElemLen) {
        match self.ephemeral.take() {
            Some(key) => (key.private, key.public_x),
            None => {
                // A second key was asked for: no randomness to make it from.
                self.refuse(super::Error::InvalidPoint);
                ([0; SCALAR_LEN], [0; SCALAR_LEN])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn randomness_only_from_the_caller() {
        let key = EphemeralKey {
            private: [7; 32],
            public_x: [9; 32],
        };
        let mut crypto = EdhocCrypto::with_ephemeral(key);
        assert_eq!(crypto.p256_generate_key_pair(), ([7; 32], [9; 32]));
        assert!(crypto.check().is_ok());
        assert_eq!(crypto.p256_generate_key_pair(), ([0; 32], [0; 32]));
        assert!(crypto.check().is_err());
        let _ = crypto.get_random_byte();
        assert!(crypto.check().is_err());
        assert!(crypto.check().is_ok());
    }

    #[test]
    fn ecdh_refuses_invalid_inputs() {
        let mut crypto = EdhocCrypto::new();
        // About half of all x-coordinates are on no point of the curve; take the first such.
        let off_curve = (0u8..=255)
            .map(|b| {
                let mut x = [0u8; 32];
                x[31] = b;
                x
            })
            .find(|x| !is_p256_x(x))
            .unwrap();
        let out = crypto.p256_ecdh(&[1; 32], &off_curve);
        assert_eq!(out, [0; 32]);
        assert!(crypto.check().is_err());
        // A private key of zero.
        let on_curve = ephemeral_key(&[5; 32]).unwrap().public_x;
        let _ = crypto.p256_ecdh(&[0; 32], &on_curve);
        assert!(crypto.check().is_err());
        let _ = crypto.p256_ecdh(&[1; 32], &on_curve);
        assert!(crypto.check().is_ok());
    }

    #[test]
    fn item_counts_lakers_can_hold() {
        // RFC 9529 trace 2's PLAINTEXT_3 and a CCS by value pass.
        assert!(lakers_can_skip(&[
            0x2b, 0x48, 0xa5, 0xee, 0xb9, 0xef, 0xfd, 0xab, 0xfc, 0x39
        ]));
        assert!(lakers_can_skip(&[0xa1, 0x0e, 0xa2, 0x02, 0x60, 0x08, 0xa0]));
        // A map of 127 pairs is 254 pending items; 128 pairs overflow.
        assert!(lakers_can_skip(&[0xb8, 0x7f]));
        assert!(!lakers_can_skip(&[0xb8, 0x80]));
        // Nested arrays: 255 pending is the most.
        assert!(lakers_can_skip(&[0x98, 0xff]));
        assert!(!lakers_can_skip(&[0x98, 0xff, 0x82]));
        // Truncated or long-argument items are lakers' own refusals.
        assert!(lakers_can_skip(&[0x58]));
        assert!(lakers_can_skip(&[0x59, 0xff, 0xff]));
    }

    #[test]
    fn long_context_head() {
        // info = (6, context of 300 bytes, 8): lakers writes 06 58 2c ..., the adapter expands
        // 06 59 01 2c ... which must equal HKDF-Expand over the correct encoding.
        let prk = [0x11; 32];
        let mut info: BytesMaxInfoBuffer = [0; MAX_INFO_LEN];
        info[0] = 6;
        info[1] = 0x58;
        info[2] = 300u16 as u8;
        info[3..303].fill(0xab);
        info[303] = 8;
        let mut crypto = EdhocCrypto::new();
        let got = crypto.hkdf_expand(&prk, &info, 304, 8);
        let mut correct = [0u8; 305];
        correct[0] = 6;
        correct[1] = 0x59;
        correct[2] = 0x01;
        correct[3] = 0x2c;
        correct[4..304].fill(0xab);
        correct[304] = 8;
        let hkdf = hkdf::Hkdf::<sha2::Sha256>::from_prk(&prk).unwrap();
        let mut expected = [0u8; 8];
        hkdf.expand(&correct, &mut expected).unwrap();
        assert_eq!(&got[..8], &expected);
    }
}

//! Sealing (spec §8.5.5) and opening (§8.5.6) of an envelope's body with AES-CCM-16-64-128.
//!
//! Both work in the caller's buffer and never allocate. Opening performs steps 2 to 4 of §8.5.6: the
//! replay check, the decryption and the update of the window, in that order, so that an envelope that
//! fails to decrypt changes nothing ([IOTP-SEC-76]). Finding the context (step 1) and what follows the
//! decryption (address binding, decoding, authorisation) belong to the engine.

use aes::Aes128;
use ccm::aead::generic_array::GenericArray;
use ccm::aead::{AeadInPlace, KeyInit};
use ccm::consts::{U13, U8};
use ccm::Ccm;
use core::fmt;
use iotp2p_codec::runtime::EncodeError;

use super::aad::{associated_data, Exchange, Routing, MAX_AAD};
use super::context::SecurityContext;
use super::nonce::nonce;
use super::replay::ReplayVerdict;

/// AES-CCM with a 16-byte key, an 8-byte tag and a 13-byte nonce: COSE algorithm 10.
type AesCcm16_64_128 = Ccm<Aes128, U8, U13>;

/// Length of the authentication tag at the end of `sealed`.
pub const TAG_LEN: usize = 8;

/// An envelope body sealed by [`SecurityContext::seal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The envelope's `message_id`: the Sender Sequence Number the envelope used.
    pub message_id: u64,
    /// Length of `sealed` (ciphertext and tag) at the start of the output buffer.
    pub len: usize,
}

/// An envelope body opened by [`SecurityContext::open`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opened {
    /// Length of the plaintext (an encoded `Body`) at the start of the output buffer.
    pub len: usize,
    /// False when the context's replay window was lost: the envelope is authentic but may be a
    /// replay, and must not be acted on before the peer proves freshness ([IOTP-SEC-85]).
    pub fresh: bool,
}

/// Why an envelope could not be sealed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealError {
    /// The Sender Sequence Number passed 2^40 − 1: the context is used up and must be replaced by a
    /// new EDHOC handshake ([IOTP-SEC-70]).
    Exhausted,
    /// The output buffer cannot hold the plaintext and the tag.
    BufferTooSmall {
        /// The length needed.
        needed: usize,
    },
    /// The associated data could not be encoded (an address longer than the schema allows).
    Aad(EncodeError),
}

/// Why an envelope did not open. None of these changes the context ([IOTP-SEC-76]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// The window records the `message_id` as opened: a duplicate, to acknowledge again and answer from
    /// the cache without decrypting ([IOTP-SEC-75]).
    Duplicate,
    /// The `message_id` lies below the window: discarded ([IOTP-SEC-75]).
    Stale,
    /// The `message_id` is 2^40 or more, which no sealer may use ([IOTP-SEC-70]).
    MessageIdTooLarge,
    /// `sealed` is shorter than the tag.
    TooShort,
    /// The decryption failed: wrong key, nonce or associated data, or altered bytes.
    Aead,
    /// The output buffer cannot hold the plaintext.
    BufferTooSmall {
        /// The length needed.
        needed: usize,
    },
    /// The associated data could not be encoded (an address longer than the schema allows).
    Aad(EncodeError),
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::Exhausted => f.write_str("the context's Sender Sequence Number is used up"),
            SealError::BufferTooSmall { needed } => write!(f, "{needed} bytes of output needed"),
            SealError::Aad(e) => write!(f, "associated data: {e}"),
        }
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Duplicate => f.write_str("the message_id was opened before"),
            OpenError::Stale => f.write_str("the message_id is below the replay window"),
            OpenError::MessageIdTooLarge => f.write_str("the message_id is 2^40 or more"),
            OpenError::TooShort => f.write_str("sealed is shorter than its tag"),
            OpenError::Aead => f.write_str("the body does not decrypt"),
            OpenError::BufferTooSmall { needed } => write!(f, "{needed} bytes of output needed"),
            OpenError::Aad(e) => write!(f, "associated data: {e}"),
        }
    }
}

impl SecurityContext {
    /// Seals `plaintext` (an encoded `Body`) into `out` as the envelope's `sealed`, with the next
    /// Sender Sequence Number as `message_id` (§8.5.5). The number is used up only when sealing
    /// succeeds, and never twice ([IOTP-SEC-69], [IOTP-SEC-168]).
    pub fn seal(
        &mut self,
        exchange: &Exchange,
        routing: &Routing<'_>,
        plaintext: &[u8],
        out: &mut [u8],
    ) -> Result<Sealed, SealError> {
        let message_id = self.ssn;
        let nonce =
            nonce(self.common_iv(), self.sender_id(), message_id).ok_or(SealError::Exhausted)?;
        let len = plaintext.len() + TAG_LEN;
        if out.len() < len {
            return Err(SealError::BufferTooSmall { needed: len });
        }
        let mut aad = [0u8; MAX_AAD];
        let aad_len = associated_data(exchange, self.sender_id(), message_id, routing, &mut aad)
            .map_err(SealError::Aad)?;
        let (body, tag_out) = out[..len].split_at_mut(plaintext.len());
        body.copy_from_slice(plaintext);
        let cipher = AesCcm16_64_128::new(GenericArray::from_slice(self.sender_key()));
        let tag = cipher
            .encrypt_in_place_detached(GenericArray::from_slice(&nonce), &aad[..aad_len], body)
            // CCM fails only for inputs beyond 2^(8·(15−13)) − 1 = 65535 bytes; a Body is far shorter,
            // but a caller's oversized plaintext must not be sealed either.
            .map_err(|_| SealError::BufferTooSmall { needed: len })?;
        tag_out.copy_from_slice(&tag);
        self.ssn += 1;
        Ok(Sealed { message_id, len })
    }

    /// Opens `sealed`, received with this `message_id`, into `out` (§8.5.6 steps 2 to 4). `exchange`
    /// is [`Exchange::Request`] for an envelope without `correlation_id`; for an answer, it names the
    /// Sender ID the answered request was sealed with and its `message_id`. The replay window is
    /// updated only when the decryption succeeds.
    pub fn open(
        &mut self,
        message_id: u64,
        exchange: &Exchange,
        routing: &Routing<'_>,
        sealed: &[u8],
        out: &mut [u8],
    ) -> Result<Opened, OpenError> {
        let fresh = match self.replay.check(message_id) {
            ReplayVerdict::Fresh => true,
            ReplayVerdict::Unverified => false,
            ReplayVerdict::Opened => return Err(OpenError::Duplicate),
            ReplayVerdict::Stale => return Err(OpenError::Stale),
        };
        let nonce = nonce(self.common_iv(), self.recipient_id(), message_id)
            .ok_or(OpenError::MessageIdTooLarge)?;
        let len = sealed
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(OpenError::TooShort)?;
        if out.len() < len {
            return Err(OpenError::BufferTooSmall { needed: len });
        }
        let mut aad = [0u8; MAX_AAD];
        let aad_len = associated_data(exchange, self.recipient_id(), message_id, routing, &mut aad)
            .map_err(OpenError::Aad)?;
        let (ciphertext, tag) = sealed.split_at(len);
        let body = &mut out[..len];
        body.copy_from_slice(ciphertext);
        let cipher = AesCcm16_64_128::new(GenericArray::from_slice(self.recipient_key()));
        if cipher
            .decrypt_in_place_detached(
                GenericArray::from_slice(&nonce),
                &aad[..aad_len],
                body,
                GenericArray::from_slice(tag),
            )
            .is_err()
        {
            // The buffer may hold partial output of a failed decryption: never hand it out.
            body.fill(0);
            return Err(OpenError::Aead);
        }
        self.replay.record(message_id);
        Ok(Opened { len, fresh })
    }
}

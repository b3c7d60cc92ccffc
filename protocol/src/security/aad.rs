//! The associated data of a sealed envelope (spec §8.5.3): the encoding of the COSE Enc_structure
//! `["Encrypt0", h'', external_aad]` ([RFC 9052] §5.3), whose `external_aad` is the encoded
//! `iotp2p.security.SealedAad` ([RFC 8613] §5.4's shape, with the envelope's fields).
//!
//! `SealedAad` is encoded by the generated codec; the three-item Enc_structure around it is written with
//! the codec runtime's writer, so that every byte follows the wire profile of chapter 4.

use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::{EncodeError, UnknownFields, Writer};
use iotp2p_codec::security::SealedAad;

use super::key_id::KeyId;

/// The COSE algorithm of the one AEAD of the standard, AES-CCM-16-64-128.
pub const AES_CCM_16_64_128: i32 = 10;

/// Largest associated data: a `SealedAad` of its largest size, and the Enc_structure around it (array
/// head 1, "Encrypt0" 9, empty byte string 1, byte-string head of `external_aad` at most 3).
pub const MAX_AAD: usize = SealedAad::MAX_ENCODED_SIZE + 14;

/// What a sealed envelope is, for its associated data: a request names itself, an answer (a reply or a
/// notification) names the request it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exchange {
    /// An envelope without `correlation_id`: `request_key_id` is the sealer's Sender ID, and
    /// `request_message_id` the envelope's own `message_id`.
    Request,
    /// An envelope with `correlation_id`: the key identifier the request was sealed with, and the
    /// request's `message_id` (the answer's `correlation_id`).
    Answer {
        /// The Sender ID under which the answered request was sealed.
        request_key_id: KeyId,
        /// The answered request's `message_id`.
        correlation_id: u64,
    },
}

/// The end-to-end routing facts that the associated data binds: the envelope's `version` and the two
/// addresses in canonical form, whether or not the envelope carries them (§8.5.3; both absent under a
/// pairing context).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routing<'a> {
    /// The envelope's `version`.
    pub version: u8,
    /// The sender's canonical address.
    pub sender: Option<&'a str>,
    /// The recipient's canonical address.
    pub recipient: Option<&'a str>,
}

/// Writes the associated data of an envelope with this `message_id`, sealed (or opened) under a
/// context whose sealing side has `sealer_id` as Sender ID, into `out`; returns its length.
///
/// An address longer than the schema allows is refused by the codec ([`EncodeError`]).
pub fn associated_data(
    exchange: &Exchange,
    sealer_id: &KeyId,
    message_id: u64,
    routing: &Routing<'_>,
    out: &mut [u8; MAX_AAD],
) -> Result<usize, EncodeError> {
    let (request_key_id, request_message_id) = match exchange {
        Exchange::Request => (sealer_id, message_id),
        Exchange::Answer {
            request_key_id,
            correlation_id,
        } => (request_key_id, *correlation_id),
    };
    let sealed_aad = SealedAad {
        format: 1,
        algorithm: AES_CCM_16_64_128,
        request_key_id: request_key_id.as_bytes(),
        request_message_id,
        version: routing.version,
        sender: routing.sender,
        recipient: routing.recipient,
        unknown_fields: UnknownFields::NONE,
    };
    let mut external_aad = [0u8; SealedAad::MAX_ENCODED_SIZE];
    let n = sealed_aad.encode(&mut external_aad)?;
    let mut w = Writer::new(out);
    w.array(3)?;
    w.text("Encrypt0")?;
    w.bytes(&[])?;
    w.bytes(&external_aad[..n])?;
    w.close(3);
    Ok(w.position())
}

//! Carrying EDHOC in the Security capability (spec §8.4.3): the inputs and outputs of its actions
//! `edhoc_1` and `edhoc_3`, encoded with the generated codec, as the engine carries them in
//! `invoke` requests and replies of unsealed envelopes.
//!
//! - `edhoc_1`: the input is message_1 (`EdhocMessage`); the output is `EdhocReply`: message_2 or an
//!   EDHOC error message.
//! - `edhoc_3`: the input is `EdhocMessage3 {c_r, message}`, where C_R selects the responder's
//!   half-finished handshake; the output is `EdhocFinish`: `done`, message_4 or an EDHOC error
//!   message.
//!
//! The functions write into the caller's buffer and never allocate. The bodies they make are small
//! enough for one IEEE 802.15.4 frame (§8.4.4; the tests measure them).

use core::fmt;
use iotp2p_codec::prelude::*;

use iotp2p_codec::runtime::{DecodeError, EncodeError, Reader, Writer};
use iotp2p_codec::security::{EdhocFinish, EdhocMessage3, EdhocReply};

use super::Error;
use crate::security::KeyId;

/// The endpoint of the Security capability on every node.
pub const SECURITY_ENDPOINT: u16 = 0;

/// The standard capability number of the Security capability.
pub const SECURITY_CAPABILITY: u16 = 1;

/// The member key of the action `edhoc_1` (`SecurityActions.edhoc_1`).
pub const EDHOC_1: u16 = 8;

/// The member key of the action `edhoc_3` (`SecurityActions.edhoc_3`).
pub const EDHOC_3: u16 = 9;

/// Whether `body` is a request carrying EDHOC's message_1 or message_3: a home relay delivers it
/// with its sender in full ([IOTP-MSG-139]), the address a responder binds a visitor's context to.
pub fn carries_handshake(body: &iotp2p_codec::core::Body<'_>) -> bool {
    matches!(body, iotp2p_codec::core::Body::Invoke(i)
        if i.endpoint == SECURITY_ENDPOINT
            && i.capability == SECURITY_CAPABILITY
            && (i.action == EDHOC_1 || i.action == EDHOC_3))
}

/// Bound of `EdhocMessage` in the schema (`bytes<512>`).
pub const MAX_CARRIED_MESSAGE: usize = 512;

/// Largest encoded `edhoc_1` input: a byte-string head of 3 bytes and the message.
pub const MAX_EDHOC_1_INPUT: usize = MAX_CARRIED_MESSAGE + 3;

/// Largest encoded `edhoc_3` input.
pub const MAX_EDHOC_3_INPUT: usize = EdhocMessage3::MAX_ENCODED_SIZE;

/// Why a received `edhoc_3` input was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CarriageError {
    /// The input is not a canonical `EdhocMessage3`.
    Decode(DecodeError),
    /// `c_r` is 8 bytes: the schema allows it, but no connection identifier of this version is longer
    /// than 7 ([IOTP-SEC-55]), so it selects no handshake.
    ConnectionIdTooLong,
}

impl fmt::Display for CarriageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CarriageError::Decode(e) => write!(f, "edhoc_3 input: {e}"),
            CarriageError::ConnectionIdTooLong => f.write_str("edhoc_3 input: C_R of 8 bytes"),
        }
    }
}

/// Writes the input of `edhoc_1`: message_1 as an `EdhocMessage` byte string. Returns its length.
pub fn encode_edhoc_1_input(message_1: &[u8], out: &mut [u8]) -> Result<usize, EncodeError> {
    if message_1.len() > MAX_CARRIED_MESSAGE {
        return Err(EncodeError::BoundExceeded {
            field: &"SecurityActions.edhoc_1",
        });
    }
    let mut w = Writer::new(out);
    w.bytes(message_1)?;
    Ok(w.position())
}

/// Reads the input of `edhoc_1`: message_1.
pub fn decode_edhoc_1_input(input: &[u8]) -> Result<&[u8], DecodeError> {
    let mut r = Reader::new(input);
    let message_1 = r
        .bytes(MAX_CARRIED_MESSAGE)
        .map_err(|e| e.in_field(&"SecurityActions.edhoc_1"))?;
    r.finish()?;
    Ok(message_1)
}

/// Writes the output of `edhoc_1`: message_2 or an EDHOC error message.
pub fn encode_edhoc_1_output(reply: &EdhocReply<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
    reply.encode(out)
}

/// Reads the output of `edhoc_1`.
pub fn decode_edhoc_1_output(output: &[u8]) -> Result<EdhocReply<'_>, DecodeError> {
    EdhocReply::decode(output)
}

/// Writes the output of `edhoc_1` for a responder that aborts on message_1: the EDHOC error message
/// of `error` ([`Error::edhoc_error_message`]; code 2 with SUITES_R for a wrong suite).
pub fn encode_edhoc_1_error(error: &Error, out: &mut [u8]) -> Result<usize, EncodeError> {
    EdhocReply::Error(&error.edhoc_error_message()).encode(out)
}

/// Writes the input of `edhoc_3`: C_R, in byte-string form, and message_3.
pub fn encode_edhoc_3_input(
    c_r: &KeyId,
    message_3: &[u8],
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    EdhocMessage3::new(c_r.as_bytes(), message_3).encode(out)
}

/// Reads the input of `edhoc_3`: C_R, which selects the responder's handshake, and message_3.
pub fn decode_edhoc_3_input(input: &[u8]) -> Result<(KeyId, &[u8]), CarriageError> {
    let value = EdhocMessage3::decode(input).map_err(CarriageError::Decode)?;
    let c_r = KeyId::new(value.c_r).map_err(|_| CarriageError::ConnectionIdTooLong)?;
    Ok((c_r, value.message))
}

/// Writes the output of `edhoc_3`: `done`, message_4 or an EDHOC error message.
pub fn encode_edhoc_3_output(
    finish: &EdhocFinish<'_>,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    finish.encode(out)
}

/// Writes the output of `edhoc_3` for a responder that aborts on message_3: the EDHOC error message
/// of `error` (code 3 for an unknown `kid`, [IOTP-SEC-51]).
pub fn encode_edhoc_3_error(error: &Error, out: &mut [u8]) -> Result<usize, EncodeError> {
    EdhocFinish::Error(&error.edhoc_error_message()).encode(out)
}

/// Reads the output of `edhoc_3`.
pub fn decode_edhoc_3_output(output: &[u8]) -> Result<EdhocFinish<'_>, DecodeError> {
    EdhocFinish::decode(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut buf = [0u8; 64];
        let n = encode_edhoc_1_input(&[3, 2], &mut buf).unwrap();
        assert_eq!(&buf[..n], &[0x42, 3, 2]);
        assert_eq!(decode_edhoc_1_input(&buf[..n]).unwrap(), &[3, 2]);
        assert!(decode_edhoc_1_input(&[0x42, 3, 2, 0]).is_err());

        let c_r = KeyId::from_byte(0x27);
        let n = encode_edhoc_3_input(&c_r, &[0x41, 0], &mut buf).unwrap();
        assert_eq!(&buf[..n], &[0xa2, 0x00, 0x41, 0x27, 0x01, 0x42, 0x41, 0x00]);
        assert_eq!(
            decode_edhoc_3_input(&buf[..n]).unwrap(),
            (c_r, &[0x41, 0][..])
        );
        let n = encode_edhoc_3_input(&KeyId::EMPTY, &[], &mut buf).unwrap();
        assert!(decode_edhoc_3_input(&buf[..n]).is_ok());

        let n = encode_edhoc_3_output(&EdhocFinish::Done, &mut buf).unwrap();
        assert_eq!(&buf[..n], &[0xa1, 0x00, 0xf6]);
        assert_eq!(decode_edhoc_3_output(&buf[..n]).unwrap(), EdhocFinish::Done);
        let n = encode_edhoc_3_error(&Error::UnknownCredential, &mut buf).unwrap();
        assert_eq!(&buf[..n], &[0xa1, 0x02, 0x42, 0x03, 0xf5]);
        let n = encode_edhoc_1_error(&Error::WrongSelectedCipherSuite, &mut buf).unwrap();
        assert_eq!(&buf[..n], &[0xa1, 0x01, 0x42, 0x02, 0x02]);
        let n = encode_edhoc_1_output(&EdhocReply::Error(&[0x03, 0xf5]), &mut buf).unwrap();
        assert_eq!(
            decode_edhoc_1_output(&buf[..n]).unwrap(),
            EdhocReply::Error(&[0x03, 0xf5])
        );
    }
}

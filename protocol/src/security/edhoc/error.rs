//! Why an EDHOC step failed, and the EDHOC error message ([RFC 9528] §6) a responder answers with.
//!
//! [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528

use core::fmt;

use iotp2p_codec::runtime::Reader;
use lakers::EDHOCError;

/// Why an EDHOC step failed. A failed step consumes its state: the handshake is over, and what it
/// held is wiped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The ephemeral key's 32 bytes are zero modulo n: the random number generator is broken.
    ZeroEphemeralKey,
    /// The authentication key is not a P-256 private key (zero, or not below the group order n).
    InvalidAuthKey,
    /// The node's own credential is not a CCS this module can send: not parseable, without a `kid`,
    /// longer than [`MAX_CREDENTIAL_LEN`](super::MAX_CREDENTIAL_LEN), or for another key than the
    /// authentication key.
    InvalidCredential,
    /// A connection identifier longer than lakers can carry (never for a [`KeyId`](crate::security::KeyId)).
    InvalidConnectionId,
    /// The chosen connection identifier is already the Recipient ID of a context ([IOTP-SEC-53]).
    ConnectionIdInUse,
    /// C_R equals C_I ([IOTP-SEC-54]): the two directions would share their keys and nonces.
    ConnectionIdsEqual,
    /// A received message is not a well-formed EDHOC message of this profile.
    Malformed,
    /// A received ephemeral key (G_X, G_Y) is not the x-coordinate of a P-256 point.
    InvalidPoint,
    /// message_1 asks for another method than 3 ([IOTP-SEC-46]).
    UnsupportedMethod,
    /// message_1 selects another cipher suite than 2: answered with EDHOC error code 2 and SUITES_R.
    WrongSelectedCipherSuite,
    /// ID_CRED_x references by `kid` no credential held for a peer the node may talk to: answered with
    /// EDHOC error code 3 ([IOTP-SEC-51]).
    UnknownCredential,
    /// ID_CRED_R carried a credential by value; a responder must send a `kid` ([IOTP-SEC-149]).
    CredentialByValueRefused,
    /// ID_CRED_I carried a credential by value that is not a CCS of the form of §8.2.2, or whose `sub`
    /// is not 52 characters of lowercase base32 ([IOTP-SEC-154]).
    InvalidCredentialByValue,
    /// A message carries a critical EAD item; this version defines none ([IOTP-SEC-52]).
    CriticalEad,
    /// MAC_2, MAC_3 or the AEAD of message_3 or message_4 did not verify with any credential held under
    /// the referenced `kid`: another key, or altered messages.
    AuthenticationFailed,
    /// ID_CRED_I carried a credential by value whose `sub` names a node the responder revoked
    /// ([IOTP-SEC-156]): answered with error code 1, so that the peer learns no more.
    Revoked,
    /// ID_CRED_I carried a credential by value beyond the rate limit of its hop peer's transport
    /// address or of its claimed node ID ([IOTP-SEC-162], [IOTP-SEC-200]): answered with error code 1.
    RateLimited,
}

impl Error {
    /// The EDHOC error code ([RFC 9528] §6) for this failure: 3 for an unknown credential
    /// ([IOTP-SEC-51]), 2 for a wrong selected cipher suite, 1 (unspecified) otherwise.
    ///
    /// [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528
    pub fn edhoc_error_code(&self) -> u8 {
        match self {
            Error::UnknownCredential => 3,
            Error::WrongSelectedCipherSuite => 2,
            _ => 1,
        }
    }

    /// The EDHOC error message ([RFC 9528] §6) a responder sends for this failure, as the `error`
    /// variant of `EdhocReply` or `EdhocFinish` (§8.4.3): the CBOR sequence (ERR_CODE, ERR_INFO).
    /// ERR_INFO is `true` for code 3, SUITES_R (the single suite 2) for code 2, and an empty text for
    /// code 1: a peer learns no more than the code.
    ///
    /// [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528
    pub fn edhoc_error_message(&self) -> [u8; 2] {
        match self.edhoc_error_code() {
            3 => [0x03, 0xf5],
            2 => [0x02, super::SUITE],
            _ => [0x01, 0x60],
        }
    }

    /// The error for what lakers reported.
    pub(super) fn from_lakers(error: EDHOCError) -> Error {
        match error {
            EDHOCError::MacVerificationFailed => Error::AuthenticationFailed,
            EDHOCError::UnsupportedMethod => Error::UnsupportedMethod,
            EDHOCError::UnsupportedCipherSuite => Error::WrongSelectedCipherSuite,
            _ => Error::Malformed,
        }
    }
}

/// The ERR_CODE of a received EDHOC error message, if `message` starts with one (an integer).
pub fn received_error_code(message: &[u8]) -> Option<i64> {
    Reader::new(message)
        .int(i64::from(i16::MIN), i64::from(i16::MAX))
        .ok()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::ZeroEphemeralKey => "the ephemeral key is zero",
            Error::InvalidAuthKey => "the authentication key is not a P-256 private key",
            Error::InvalidCredential => "the node's credential cannot be used",
            Error::InvalidConnectionId => "a connection identifier of more than 7 bytes",
            Error::ConnectionIdInUse => "the connection identifier is already a Recipient ID",
            Error::ConnectionIdsEqual => "C_R equals C_I",
            Error::Malformed => "a malformed EDHOC message",
            Error::InvalidPoint => "an ephemeral key that is not a P-256 point",
            Error::UnsupportedMethod => "an EDHOC method other than 3",
            Error::WrongSelectedCipherSuite => "a selected cipher suite other than 2",
            Error::UnknownCredential => "an unknown credential referenced",
            Error::CredentialByValueRefused => "ID_CRED_R by value",
            Error::InvalidCredentialByValue => "a credential by value not of the iotp2p form",
            Error::CriticalEad => "a critical EAD item",
            Error::AuthenticationFailed => "the peer's MAC or AEAD does not verify",
            Error::Revoked => "a credential by value of a revoked node",
            Error::RateLimited => "a credential by value beyond the rate limit",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages() {
        assert_eq!(Error::UnknownCredential.edhoc_error_message(), [0x03, 0xf5]);
        assert_eq!(
            Error::WrongSelectedCipherSuite.edhoc_error_message(),
            [0x02, 0x02]
        );
        assert_eq!(
            Error::AuthenticationFailed.edhoc_error_message(),
            [0x01, 0x60]
        );
        assert_eq!(received_error_code(&[0x03, 0xf5]), Some(3));
        assert_eq!(received_error_code(&[0x58]), None);
    }
}

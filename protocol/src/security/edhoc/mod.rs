//! EDHOC ([RFC 9528]) with the profile of spec §8.4: method 3 (static Diffie-Hellman on both sides),
//! cipher suite 2 (AES-CCM-16-64-128, SHA-256, 8-byte MAC, P-256), CCS credentials, and a security
//! context derived at the end (§8.4.5).
//!
//! **Why it is built on `lakers`.** EDHOC is protocol logic over established primitives, and `lakers`
//! (0.8) is the maintained Rust implementation of RFC 9528 whose core is subject to formal
//! verification. This module does not reimplement EDHOC: it drives lakers' state machines (its
//! low-level, fully typed steps: `i_prepare_message_1`, `r_process_message_1`, …) and adds what the
//! profile of §8.4 and a sans-I/O, panic-free engine need on top:
//!
//! - [`Initiator`] and [`Responder`]: the two roles as state machines whose steps consume `self`, so
//!   that no step runs twice and a failed step ends the handshake.
//! - The inputs as plain values: the node's [`LocalIdentity`] (its P-256 authentication key, wiped on
//!   drop, and its CCS), the peer credentials looked up by `kid` through [`PeerCredentials`] (several
//!   may share a `kid`; each is tried, [IOTP-SEC-8]), the connection identifier the caller chose
//!   ([`connection_id_from_int`], [IOTP-SEC-56]), the Recipient IDs already in use
//!   ([`RecipientIds`], [IOTP-SEC-53]), and the ephemeral key as 32 random bytes.
//! - The checks of the profile: method 3 and suite 2 ([IOTP-SEC-46], [IOTP-SEC-47]); C_R different
//!   from C_I ([IOTP-SEC-54]); ID_CRED_R a `kid` reference ([IOTP-SEC-149]); an unknown `kid`
//!   answered with EDHOC error code 3 ([IOTP-SEC-51]); critical EAD refused ([IOTP-SEC-52]); a CCS
//!   by value checked against the form of §8.2.2 and its `sub` against the node ID syntax
//!   ([IOTP-SEC-154]).
//! - The output: an [`Established`] session holding the [`SecurityContext`] derived exactly as §8.4.5
//!   says ([IOTP-SEC-61]) and the authenticated [`PeerCredential`].
//! - [`carriage`]: the `edhoc_1` and `edhoc_3` actions of the Security capability that carry the
//!   messages (§8.4.3), built and parsed with the generated codec.
//!
//! **Sans-I/O and deterministic.** lakers takes its randomness through its `Crypto` trait; the
//! adapter of this module ([`crypto`]) hands it the caller's ephemeral key and no other randomness, so
//! a handshake is a pure function of its inputs (which is how RFC 9529's trace is reproduced byte for
//! byte).
//!
//! **No panic on any input.** lakers 0.8 and its RustCrypto back end panic on some malformed input:
//! an x-coordinate that is not on the curve, a message_3 whose byte-string head claims more bytes
//! than it has, a received connection identifier of 8 to 23 bytes or a credential larger than its
//! buffers, a decrypted ID_CRED_x whose CBOR item count overflows a `u8` (where overflow checks are
//! on). Every such path is closed before lakers sees the input, in the adapter, or by the buffer sizes
//! this crate selects (protocol/Cargo.toml); the tests feed every byte flip, truncations, arbitrary
//! messages and arbitrary plaintexts encrypted under the handshake's keys to each step.
//!
//! **Secrets are wiped.** The authentication key, the ephemeral key, and every lakers state this
//! module holds (ephemeral private keys, PRKs, transcript hashes) are zeroized when dropped. Copies
//! that lakers makes on the stack inside a step are outside this module's reach.
//!
//! [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528
//! [`SecurityContext`]: super::SecurityContext

pub mod carriage;
mod credential;
pub mod crypto;
mod error;
mod initiator;
mod responder;
mod session;
mod wipe;

use lakers::{ConnId, EADItem, EdhocMessageBuffer, IdCred};

use super::key_id::KeyId;

pub use credential::{
    AuthKey, Credential, LocalIdentity, NodeIdClaim, PeerCredential, PeerCredentials,
    MAX_CREDENTIAL_LEN, NODE_ID_TEXT_LEN,
};
pub use error::{received_error_code, Error};
pub use initiator::{IdCredI, Initiator, InitiatorSent};
pub use responder::{Responder, ResponderVerified};
pub use session::Established;

/// EDHOC method 3: both sides authenticate with static Diffie-Hellman keys ([IOTP-SEC-46]).
pub const METHOD: u8 = 3;

/// EDHOC cipher suite 2, the one every node supports ([IOTP-SEC-47]).
pub const SUITE: u8 = 2;

/// Length of the ephemeral key's randomness, of a P-256 scalar and of an x-coordinate.
pub const SCALAR_LEN: usize = 32;

/// Largest EDHOC message this module sends or accepts (the message buffer of lakers 0.8). message_3
/// with a CCS by value (§8.4.4: 158 bytes) fits.
pub const MAX_MESSAGE_LEN: usize = lakers::MAX_MESSAGE_SIZE_LEN;

/// Length of the Master Secret exported for the security context (§8.4.5).
pub const MASTER_SECRET_LEN: usize = 16;

/// Length of the Master Salt exported for the security context (§8.4.5).
pub const MASTER_SALT_LEN: usize = 8;

/// An EDHOC message to send, as EDHOC encodes it (a CBOR sequence).
#[derive(Clone, PartialEq)]
pub struct Message(EdhocMessageBuffer);

impl Message {
    /// The message's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_slice()
    }
}

impl core::fmt::Debug for Message {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Message(h'")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str("')")
    }
}

/// The byte-string form ([RFC 9528] §3.3.2) of the integer connection identifier `value`, which must
/// lie in −24..=23: EDHOC sends these 48 identifiers as a single byte, which a node should prefer
/// while it has fewer than 48 contexts ([IOTP-SEC-56]). The byte-string form is the one-byte CBOR
/// encoding of the integer, and it is what becomes a Sender or Recipient ID (§8.4.2).
///
/// [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528
pub fn connection_id_from_int(value: i8) -> Option<KeyId> {
    match value {
        0..=23 => Some(KeyId::from_byte(value.unsigned_abs())),
        -24..=-1 => Some(KeyId::from_byte(0x1f + value.unsigned_abs())),
        _ => None,
    }
}

/// The Recipient IDs of the security contexts a node already holds, which its own connection
/// identifier must differ from ([IOTP-SEC-53]). Implemented for a slice of IDs and for any
/// `Fn(&KeyId) -> bool` (say, a lookup in the node's context table).
pub trait RecipientIds {
    /// Whether `id` is the Recipient ID of a context the node holds.
    fn contains(&self, id: &KeyId) -> bool;
}

impl RecipientIds for [KeyId] {
    fn contains(&self, id: &KeyId) -> bool {
        self.iter().any(|held| held == id)
    }
}

impl<F: Fn(&KeyId) -> bool> RecipientIds for F {
    fn contains(&self, id: &KeyId) -> bool {
        self(id)
    }
}

/// lakers' form of a connection identifier. Every [`KeyId`] has one: both are at most 7 bytes.
fn conn_id(id: &KeyId) -> Result<ConnId, Error> {
    ConnId::from_slice(id.as_bytes()).ok_or(Error::InvalidConnectionId)
}

/// The [`KeyId`] of a connection identifier lakers decoded (at most 7 bytes by its buffer size).
fn key_id(id: &ConnId) -> Result<KeyId, Error> {
    KeyId::new(id.as_slice()).map_err(|_| Error::InvalidConnectionId)
}

/// A received message in lakers' buffer; longer than any message this profile sends is malformed.
fn buffer(message: &[u8]) -> Result<EdhocMessageBuffer, Error> {
    EdhocMessageBuffer::new_from_slice(message).map_err(|_| Error::Malformed)
}

/// Checks that message_3 or message_4 is exactly one CBOR byte string, in preferred encoding, at
/// least as long as the AEAD tag. lakers 0.8 reads the head without checking it against the length
/// of the message and panics on a short or overlong one; this check runs first.
fn check_ciphertext_framing(message: &[u8]) -> Result<(), Error> {
    let (head, len) = match message {
        [b @ 0x40..=0x57, ..] => (1, usize::from(b & 0x1f)),
        [0x58, len, ..] if *len >= 24 => (2, usize::from(*len)),
        _ => return Err(Error::Malformed),
    };
    if head + len != message.len() || len < lakers::AES_CCM_TAG_LEN {
        return Err(Error::Malformed);
    }
    Ok(())
}

/// Refuses a critical EAD item: this version defines none ([IOTP-SEC-52]). A non-critical one is
/// ignored, as [RFC 9528] §3.8 says; it still entered the transcript.
///
/// [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528
fn refuse_critical_ead(ead: &Option<EADItem>) -> Result<(), Error> {
    match ead {
        Some(item) if item.is_critical => Err(Error::CriticalEad),
        _ => Ok(()),
    }
}

/// The `kid` of an ID_CRED_x that references one: lakers keeps it as the map `{4: h'kid'}`.
fn kid_of(id_cred: &IdCred) -> Result<&[u8], Error> {
    match id_cred.as_full_value() {
        [0xa1, 0x04, head @ 0x40..=0x57, kid @ ..] if usize::from(head & 0x1f) == kid.len() => {
            Ok(kid)
        }
        _ => Err(Error::Malformed),
    }
}

/// Offers the credentials the node holds under `kid` to `verify`, which gives the verified lakers state
/// for the one whose MAC verifies. Every credential held under `kid` is tried ([IOTP-SEC-8]). None held
/// is an unknown credential ([IOTP-SEC-51]); some held but none verifying is a failed authentication.
fn try_candidates<T>(
    peers: &(impl PeerCredentials + ?Sized),
    kid: &[u8],
    mut verify: impl FnMut(&Credential) -> Option<T>,
) -> Result<(Credential, T), Error> {
    let mut held = false;
    let mut verified = None;
    peers.offer(kid, &mut |ccs| {
        let Ok(candidate) = Credential::parse(ccs) else {
            return false;
        };
        if candidate.kid() != Some(kid) {
            return false;
        }
        held = true;
        match verify(&candidate) {
            Some(state) => {
                verified = Some((candidate, state));
                true
            }
            None => false,
        }
    });
    match verified {
        Some(verified) => Ok(verified),
        None if held => Err(Error::AuthenticationFailed),
        None => Err(Error::UnknownCredential),
    }
}

/// The CCS of an ID_CRED_I by value, `{14: CCS}`.
fn ccs_by_value(id_cred: &IdCred) -> Result<&[u8], Error> {
    match id_cred.as_full_value() {
        [0xa1, 0x0e, ccs @ ..] => Ok(ccs),
        _ => Err(Error::InvalidCredentialByValue),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_connection_ids() {
        assert_eq!(connection_id_from_int(0), Some(KeyId::from_byte(0x00)));
        assert_eq!(connection_id_from_int(23), Some(KeyId::from_byte(0x17)));
        assert_eq!(connection_id_from_int(-1), Some(KeyId::from_byte(0x20)));
        // RFC 9529 trace 2: C_I = -24 is 0x37, C_R = -8 is 0x27.
        assert_eq!(connection_id_from_int(-24), Some(KeyId::from_byte(0x37)));
        assert_eq!(connection_id_from_int(-8), Some(KeyId::from_byte(0x27)));
        assert_eq!(connection_id_from_int(24), None);
        assert_eq!(connection_id_from_int(-25), None);
    }

    #[test]
    fn framing() {
        assert!(check_ciphertext_framing(&[0x48, 0, 0, 0, 0, 0, 0, 0, 0]).is_ok());
        assert!(check_ciphertext_framing(&[0x47, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(check_ciphertext_framing(&[0x48, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(check_ciphertext_framing(&[0x58, 0x17]).is_err());
        assert!(check_ciphertext_framing(&[0x58, 0xff, 0]).is_err());
        assert!(check_ciphertext_framing(&[]).is_err());
    }
}

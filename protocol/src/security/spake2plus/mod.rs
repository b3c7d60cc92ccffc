//! SPAKE2+ ([RFC 9383]) with the ciphersuite P256-SHA256-HKDF-SHA256-HMAC-SHA256: the pairing exchange
//! of spec §8.3.3, and the pairing context that follows it (§8.3.4).
//!
//! **Why it lives here.** No established SPAKE2+ crate exists: the few published ones (such as
//! `spake2plus` 0.1 and `pakery-spake2plus` 0.x) are young and not widely used, so none can count as
//! the "established cryptography" of chapter 8. This
//! module is therefore a thin protocol layer over established primitives only: P-256 group arithmetic
//! from `p256`, SHA-256 from `sha2`, HKDF from `hkdf`, HMAC from `hmac`, PBKDF2 from `pbkdf2`, and
//! constant-time comparison from `subtle`. Its own code is the message flow, the transcript and the
//! checks on received points. It is checked against every value of [RFC 9383], appendix C (the
//! P256-SHA256-HKDF-SHA256-HMAC-SHA256 vector, including its non-empty identities and its own
//! `Context`), and the `Context` hash against the worked example of §8.3.3.
//!
//! **What it owns.**
//! - [`ProverSecret`] (w0, w1) and [`VerifierRecord`] (w0, L): their derivation from a password with
//!   PBKDF2-HMAC-SHA-256 (§8.3.3, [RFC 9383] §3.2), including the verifier record a manufacturer stores.
//! - The two roles as state machines whose steps consume `self`, so that no step can run twice:
//!   [`Prover`] → [`ProverConfirming`] → (`confirmP`, [`SharedKey`]) for the controller, and
//!   [`Verifier`] → [`VerifierConfirming`] → [`SharedKey`] for the device.
//! - The transcript TT and the key schedule ([RFC 9383] §3.3–§3.4), which the roles expose as
//!   [`KeySchedule`] only with the feature `test-vectors`.
//! - The `Context` of §8.3.3 ([`pairing_context_hash`]) and the pairing context of §8.3.4
//!   ([`pairing_context`]).
//!
//! **Sans-I/O.** Randomness comes in as bytes: the ephemeral scalars x and y are 32 bytes that the
//! caller draws from a cryptographically secure generator; they are reduced modulo n, and zero is
//! refused. Received shares must be valid uncompressed P-256 points other than the identity
//! ([IOTP-SEC-33]); a prover whose `confirmV` does not verify gets no `confirmP` to send
//! ([IOTP-SEC-34]). Every secret (w0, w1, x, y, Z, V, TT, K_main, the confirmation keys, K_shared) is
//! wiped when its holder is dropped.
//!
//! iotp2p runs the exchange with empty identities and the `Context` of §8.3.3 ([`Inputs::pairing`]);
//! the API takes any identities and context, as [RFC 9383] does.
//!
//! [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383

mod group;
mod pairing;
mod password;
mod roles;
mod schedule;

use core::fmt;

pub use pairing::{pairing_context, pairing_context_hash, PairingRole, CONTEXT_LABEL, NONCE_LEN};
pub use password::{
    ProverSecret, VerifierRecord, MAX_ITERATIONS, MAX_SALT_LEN, MIN_ITERATIONS, MIN_SALT_LEN,
    PBKDF_OUTPUT_LEN,
};
pub use roles::{Prover, ProverConfirming, SharedKey, Verifier, VerifierConfirming};
pub use schedule::KeySchedule;

/// Length of shareP and shareV, and of every point of the transcript: uncompressed SEC 1 (§8.3.3).
pub const SHARE_LEN: usize = 65;

/// Length of a scalar (w0, w1, x, y) in bytes, big-endian.
pub const SCALAR_LEN: usize = 32;

/// Length of confirmP and confirmV (HMAC-SHA-256).
pub const CONFIRM_LEN: usize = 32;

/// Length of K_shared, K_main and each confirmation key (SHA-256).
pub const KEY_LEN: usize = 32;

/// The values both parties bind into the transcript besides the shares: `Context`, `idProver` and
/// `idVerifier` ([RFC 9383] §3.3).
///
/// [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inputs<'a> {
    /// The application's `Context`: for iotp2p, [`pairing_context_hash`] (§8.3.3).
    pub context: &'a [u8],
    /// `idProver`: empty in iotp2p.
    pub id_prover: &'a [u8],
    /// `idVerifier`: empty in iotp2p.
    pub id_verifier: &'a [u8],
}

impl<'a> Inputs<'a> {
    /// The inputs of an iotp2p pairing: this `Context` and empty identities (§8.3.3).
    pub fn pairing(context: &'a [u8; 32]) -> Self {
        Inputs {
            context,
            id_prover: &[],
            id_verifier: &[],
        }
    }
}

/// Why a received share was refused ([IOTP-SEC-33]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidPoint {
    /// The share is not 65 bytes long.
    Length {
        /// The length received.
        len: usize,
    },
    /// The share is 65 bytes but does not start with the uncompressed tag 0x04.
    NotUncompressed,
    /// The coordinates are not those of a point of P-256.
    NotOnCurve,
    /// The share, or the share with the password's mask taken out (`X − w0·M`, `Y − w0·N`), is the
    /// point at infinity: nothing secret would enter the transcript.
    Identity,
}

/// Why a SPAKE2+ step failed. A failed step consumes its state: the exchange is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// A received shareP or shareV is not a valid P-256 point other than the identity ([IOTP-SEC-33]).
    InvalidShare(InvalidPoint),
    /// The peer's confirmation did not verify: another password, context or identity, or altered
    /// messages. A prover sends no confirmP ([IOTP-SEC-34]); for a device it is a failed attempt
    /// ([IOTP-SEC-30]).
    ConfirmationFailed,
    /// The ephemeral scalar (x or y) is zero modulo n: the random number generator is broken.
    ZeroScalar,
    /// w0 or w1 is zero modulo n, or a record's L is not a valid point other than the identity.
    InvalidSecret,
    /// The passcode has more than eight decimal digits (§8.3.1).
    InvalidPasscode,
    /// The PBKDF2 parameters are outside the bounds of §8.3.1: a salt of 16 to 32 bytes
    /// ([IOTP-SEC-22]) and 1000 to 100000 iterations ([IOTP-SEC-23]); or, for a generic derivation,
    /// zero iterations.
    PbkdfParameters,
}

impl fmt::Display for InvalidPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidPoint::Length { len } => write!(f, "a share of {len} bytes (65 expected)"),
            InvalidPoint::NotUncompressed => f.write_str("a share not in uncompressed SEC 1 form"),
            InvalidPoint::NotOnCurve => f.write_str("a share that is not a point of P-256"),
            InvalidPoint::Identity => f.write_str("a share that leaves the point at infinity"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidShare(why) => write!(f, "invalid share: {why}"),
            Error::ConfirmationFailed => f.write_str("the peer's key confirmation does not verify"),
            Error::ZeroScalar => f.write_str("the ephemeral scalar is zero"),
            Error::InvalidSecret => f.write_str("w0, w1 or L is degenerate"),
            Error::InvalidPasscode => f.write_str("a passcode of more than eight digits"),
            Error::PbkdfParameters => f.write_str("PBKDF2 salt or iteration count out of bounds"),
        }
    }
}

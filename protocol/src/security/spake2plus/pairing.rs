//! What iotp2p puts around SPAKE2+: the `Context` of spec §8.3.3 and the pairing context of §8.3.4.

use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::roles::SharedKey;
use super::KEY_LEN;
use crate::security::context::{MasterSecret, SecurityContext};
use crate::security::key_id::KeyId;

/// The 16 ASCII bytes that open the `Context` hash (§8.3.3).
pub const CONTEXT_LABEL: &[u8; 16] = b"iotp2p-pairing-1";

/// Length of `controller_nonce` and of `device_nonce` (`PairingStart`, `PairingParams`).
pub const NONCE_LEN: usize = 16;

/// `Context` = SHA-256(`iotp2p-pairing-1` ‖ encoded `PairingStart` ‖ encoded `PairingParams`)
/// (§8.3.3): the contents of the `input` byte string of the `pair_start` request and of the `output`
/// byte string of its reply, without their byte-string heads.
pub fn pairing_context_hash(pairing_start: &[u8], pairing_params: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(CONTEXT_LABEL);
    hash.update(pairing_start);
    hash.update(pairing_params);
    hash.finalize().into()
}

/// Which side of a pairing derives the pairing context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairingRole {
    /// The controller (the prover): Sender ID `h'01'`.
    Controller,
    /// The device (the verifier): Sender ID `h'00'`.
    Device,
}

impl PairingRole {
    /// This side's Sender ID (§8.3.4).
    pub fn sender_id(self) -> KeyId {
        match self {
            PairingRole::Controller => KeyId::from_byte(0x01),
            PairingRole::Device => KeyId::from_byte(0x00),
        }
    }

    /// The other side.
    pub fn peer(self) -> PairingRole {
        match self {
            PairingRole::Controller => PairingRole::Device,
            PairingRole::Device => PairingRole::Controller,
        }
    }
}

/// The pairing context of one side (§8.3.4): derived as [RFC 8613] §3.2 says with Master Secret
/// K_shared, Master Salt `controller_nonce ‖ device_nonce`, no ID Context, Sender ID `h'01'` for the
/// controller and `h'00'` for the device.
///
/// [RFC 8613]: https://www.rfc-editor.org/rfc/rfc8613
pub fn pairing_context(
    k_shared: &[u8; KEY_LEN],
    controller_nonce: &[u8; NONCE_LEN],
    device_nonce: &[u8; NONCE_LEN],
    role: PairingRole,
) -> SecurityContext {
    let mut salt = [0u8; 2 * NONCE_LEN];
    salt[..NONCE_LEN].copy_from_slice(controller_nonce);
    salt[NONCE_LEN..].copy_from_slice(device_nonce);
    let context = SecurityContext::derive(
        MasterSecret {
            secret: k_shared,
            salt: &salt,
        },
        role.sender_id(),
        role.peer().sender_id(),
    );
    salt.zeroize();
    context
}

impl SharedKey {
    /// This side's pairing context ([`pairing_context`] with this K_shared).
    pub fn pairing_context(
        &self,
        controller_nonce: &[u8; NONCE_LEN],
        device_nonce: &[u8; NONCE_LEN],
        role: PairingRole,
    ) -> SecurityContext {
        pairing_context(self.as_bytes(), controller_nonce, device_nonce, role)
    }
}

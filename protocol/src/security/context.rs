//! A security context (spec §8.5.2) and its derivation ([RFC 8613] §3.2, with the parameters of §8.4.5
//! after EDHOC and of §8.3.4 after pairing).
//!
//! The keys and the Common IV are wiped when the context is dropped (`zeroize`). The context also holds
//! the state that sealing and opening change: the Sender Sequence Number (§8.6.1) and the replay window
//! (§8.6.2). Who the peer is (its node ID and bound address) is the engine's business, not this type's.

use hkdf::Hkdf;
use iotp2p_codec::runtime::Writer;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::aad::AES_CCM_16_64_128;
use super::key_id::KeyId;
use super::nonce::NONCE_LEN;
use super::replay::ReplayWindow;

/// Length of a Sender or Recipient Key (AES-128).
pub const KEY_LEN: usize = 16;

/// The inputs of a derivation: the Master Secret and Master Salt.
#[derive(Clone, Copy)]
pub struct MasterSecret<'a> {
    /// EDHOC_Exporter(0, h'', 16) after EDHOC; `K_shared` after pairing.
    pub secret: &'a [u8],
    /// EDHOC_Exporter(1, h'', 8) after EDHOC; the two pairing nonces after pairing.
    pub salt: &'a [u8],
}

/// A security context: AES-CCM-16-64-128 with HKDF-SHA-256, no ID Context.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecurityContext {
    #[zeroize(skip)]
    sender_id: KeyId,
    #[zeroize(skip)]
    recipient_id: KeyId,
    sender_key: [u8; KEY_LEN],
    recipient_key: [u8; KEY_LEN],
    common_iv: [u8; NONCE_LEN],
    /// The Sender Sequence Number: the `message_id` of the next envelope sealed (§8.6.1).
    #[zeroize(skip)]
    pub(super) ssn: u64,
    #[zeroize(skip)]
    pub(super) replay: ReplayWindow,
}

impl core::fmt::Debug for SecurityContext {
    /// Names the context without printing key material.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecurityContext")
            .field("sender_id", &self.sender_id)
            .field("recipient_id", &self.recipient_id)
            .field("ssn", &self.ssn)
            .field("replay", &self.replay)
            .finish_non_exhaustive()
    }
}

impl SecurityContext {
    /// Derives a new context: Sender Sequence Number 0, empty replay window.
    pub fn derive(master: MasterSecret<'_>, sender_id: KeyId, recipient_id: KeyId) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(master.salt), master.secret);
        let mut ctx = SecurityContext {
            sender_id,
            recipient_id,
            sender_key: [0; KEY_LEN],
            recipient_key: [0; KEY_LEN],
            common_iv: [0; NONCE_LEN],
            ssn: 0,
            replay: ReplayWindow::new(),
        };
        expand(&hkdf, sender_id.as_bytes(), "Key", &mut ctx.sender_key);
        expand(
            &hkdf,
            recipient_id.as_bytes(),
            "Key",
            &mut ctx.recipient_key,
        );
        expand(&hkdf, &[], "IV", &mut ctx.common_iv);
        ctx
    }

    /// Restores a context after a reboot: the Sender Sequence Number from non-volatile memory (the
    /// stored value plus K when it is stored every K messages, [IOTP-SEC-82]), and a replay window
    /// that is lost unless it was stored too ([IOTP-SEC-85]).
    pub fn resume(mut self, ssn: u64, replay: ReplayWindow) -> Self {
        self.ssn = ssn;
        self.replay = replay;
        self
    }

    /// The Sender ID: this node's `key_id` on the envelopes it seals.
    pub fn sender_id(&self) -> &KeyId {
        &self.sender_id
    }

    /// The Recipient ID: the peer's Sender ID, by which received envelopes find this context.
    pub fn recipient_id(&self) -> &KeyId {
        &self.recipient_id
    }

    /// The Sender Sequence Number, to store in non-volatile memory ([IOTP-SEC-81]).
    pub fn sender_sequence_number(&self) -> u64 {
        self.ssn
    }

    /// Skips the Sender Sequence Number forward to `ssn` (never back, [IOTP-SEC-169]): the values
    /// skipped are never used, and the peer's replay window takes the gap as it takes a loss
    /// ([IOTP-SEC-168], [IOTP-MSG-142]).
    pub fn skip_to(&mut self, ssn: u64) {
        self.ssn = self.ssn.max(ssn);
    }

    /// The replay window.
    pub fn replay_window(&self) -> &ReplayWindow {
        &self.replay
    }

    /// Ends the loss of the replay window once the peer proved freshness ([IOTP-SEC-85]).
    pub fn resync_replay_window(&mut self, message_id: u64) {
        self.replay.resync(message_id);
    }

    /// The Sender Key (for test vectors and diagnostics of an implementation under test).
    pub fn sender_key(&self) -> &[u8; KEY_LEN] {
        &self.sender_key
    }

    /// The Recipient Key (for test vectors).
    pub fn recipient_key(&self) -> &[u8; KEY_LEN] {
        &self.recipient_key
    }

    /// The Common IV (for test vectors).
    pub fn common_iv(&self) -> &[u8; NONCE_LEN] {
        &self.common_iv
    }
}

/// HKDF-Expand with `info` the encoding of `[id, null, 10, type, L]` ([RFC 8613] §3.2.1; iotp2p has no
/// ID Context, hence the `null`).
fn expand(hkdf: &Hkdf<Sha256>, id: &[u8], kind: &str, out: &mut [u8]) {
    // Largest info: array head 1, a 7-byte id 8, null 1, alg 1, "Key" 4, L 1.
    let mut info = [0u8; 24];
    let mut w = Writer::new(&mut info);
    let written = w
        .array(5)
        .and_then(|()| w.bytes(id))
        .and_then(|()| w.null())
        .and_then(|()| w.i64(i64::from(AES_CCM_16_64_128)))
        .and_then(|()| w.text(kind))
        .and_then(|()| w.u64(out.len() as u64));
    // The buffer holds the largest info: ids are at most 7 bytes (KeyId) and L at most 16.
    debug_assert!(written.is_ok());
    w.close(5);
    let len = w.position();
    // L ≤ 16 is far below HKDF-SHA-256's limit of 255 × 32 bytes, so expand cannot fail.
    let _ = hkdf.expand(&info[..len], out);
}

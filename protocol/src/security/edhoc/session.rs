//! The end of a handshake: the security context of §8.4.5 and the peer's credential.

use lakers::{edhoc_exporter, BytesMaxContextBuffer, Completed, MAX_KDF_CONTEXT_LEN};
use zeroize::Zeroize;
#[cfg(feature = "test-vectors")]
use zeroize::Zeroizing;

use super::credential::PeerCredential;
use super::crypto::EdhocCrypto;
use super::wipe::Wiped;
use super::{MASTER_SALT_LEN, MASTER_SECRET_LEN};
use crate::security::{KeyId, MasterSecret, SecurityContext};

/// EDHOC_Exporter label of the Master Secret ([RFC 9528] appendix A.1).
///
/// [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528
const MASTER_SECRET_LABEL: u8 = 0;

/// EDHOC_Exporter label of the Master Salt ([RFC 9528] appendix A.1).
///
/// [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528
const MASTER_SALT_LABEL: u8 = 1;

/// A completed handshake: the new security context and the credential that authenticated the peer.
#[derive(Debug)]
pub struct Established {
    context: SecurityContext,
    peer: PeerCredential,
    #[cfg(feature = "test-vectors")]
    master_secret: Zeroizing<[u8; MASTER_SECRET_LEN]>,
    #[cfg(feature = "test-vectors")]
    master_salt: Zeroizing<[u8; MASTER_SALT_LEN]>,
}

impl Established {
    /// Derives the context exactly as §8.4.5 says ([IOTP-SEC-61]): Master Secret =
    /// EDHOC_Exporter(0, h'', 16), Master Salt = EDHOC_Exporter(1, h'', 8), no ID Context,
    /// AES-CCM-16-64-128 and HKDF-SHA-256 (suite 2's application algorithms), and the Sender and
    /// Recipient IDs the role gives (C_R / C_I for the initiator, C_I / C_R for the responder).
    pub(super) fn derive(
        completed: &Wiped<Completed>,
        sender_id: KeyId,
        recipient_id: KeyId,
        peer: PeerCredential,
    ) -> Self {
        let mut crypto = EdhocCrypto::new();
        let empty: BytesMaxContextBuffer = [0; MAX_KDF_CONTEXT_LEN];
        let mut secret = edhoc_exporter(
            completed,
            &mut crypto,
            MASTER_SECRET_LABEL,
            &empty,
            0,
            MASTER_SECRET_LEN,
        );
        let mut salt = edhoc_exporter(
            completed,
            &mut crypto,
            MASTER_SALT_LABEL,
            &empty,
            0,
            MASTER_SALT_LEN,
        );
        let master = MasterSecret {
            secret: &secret[..MASTER_SECRET_LEN],
            salt: &salt[..MASTER_SALT_LEN],
        };
        let context = SecurityContext::derive(master, sender_id, recipient_id);
        #[cfg(feature = "test-vectors")]
        let (master_secret, master_salt) = {
            let mut s = Zeroizing::new([0; MASTER_SECRET_LEN]);
            s.copy_from_slice(&secret[..MASTER_SECRET_LEN]);
            let mut t = Zeroizing::new([0; MASTER_SALT_LEN]);
            t.copy_from_slice(&salt[..MASTER_SALT_LEN]);
            (s, t)
        };
        secret.zeroize();
        salt.zeroize();
        Established {
            context,
            peer,
            #[cfg(feature = "test-vectors")]
            master_secret,
            #[cfg(feature = "test-vectors")]
            master_salt,
        }
    }

    /// The new security context.
    pub fn context(&self) -> &SecurityContext {
        &self.context
    }

    /// The credential that authenticated the peer: by `kid`, or by value (a visitor context, §8.4.6).
    pub fn peer(&self) -> &PeerCredential {
        &self.peer
    }

    /// The context and the peer's credential, to store.
    pub fn into_parts(self) -> (SecurityContext, PeerCredential) {
        (self.context, self.peer)
    }

    /// The Master Secret EDHOC exported (feature `test-vectors` only: a product never needs it once
    /// the context is derived).
    #[cfg(feature = "test-vectors")]
    pub fn master_secret(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.master_secret
    }

    /// The Master Salt EDHOC exported (feature `test-vectors` only).
    #[cfg(feature = "test-vectors")]
    pub fn master_salt(&self) -> &[u8; MASTER_SALT_LEN] {
        &self.master_salt
    }
}

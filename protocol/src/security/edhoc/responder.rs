//! The responder ([RFC 9528] §5): [`Responder::receive_message_1`] gives message_2;
//! [`Responder::receive_message_3`] verifies message_3 (the responder's key confirmation, §8.4.5);
//! [`ResponderVerified`] then completes, with or without message_4.
//!
//! A responder keeps a [`Responder`] per handshake waiting for message_3, found by C_R (the `c_r` of
//! `edhoc_3`, §8.4.3), for at least 300 seconds ([IOTP-SEC-59]); it may bound their number and drop
//! the oldest ([IOTP-SEC-60]). Dropping one wipes it.
//!
//! [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528

use lakers::{
    r_complete_without_message_4, r_parse_message_3, r_prepare_message_2, r_prepare_message_4,
    r_process_message_1, r_verify_message_3, CredentialTransfer, Crypto, ProcessedM3, ProcessingM3,
    ResponderStart, WaitM3,
};
use zeroize::Zeroize;

use super::credential::{
    parse_by_value, Credential, LocalIdentity, NodeIdClaim, PeerCredential, PeerCredentials,
};
use super::crypto::{ephemeral_key, EdhocCrypto};
use super::session::Established;
use super::wipe::Wiped;
use super::{
    buffer, ccs_by_value, check_ciphertext_framing, conn_id, key_id, kid_of, refuse_critical_ead,
    try_candidates, Error, Message, RecipientIds, METHOD, SCALAR_LEN,
};
use crate::security::KeyId;

/// The responder after sending message_2, waiting for message_3.
pub struct Responder {
    state: Wiped<WaitM3>,
    c_i: KeyId,
    c_r: KeyId,
}

impl core::fmt::Debug for Responder {
    /// Prints the connection identifiers only.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Responder")
            .field("c_i", &self.c_i)
            .field("c_r", &self.c_r)
            .finish_non_exhaustive()
    }
}

/// Verifies MAC_3 with one credential; the verified state, wiped on drop, if it verifies.
fn verify(processing: &mut ProcessingM3, credential: &Credential) -> Option<Wiped<ProcessedM3>> {
    let mut crypto = EdhocCrypto::new();
    let (processed, mut prk_out) =
        r_verify_message_3(processing, &mut crypto, credential.lakers()).ok()?;
    let processed = Wiped(processed);
    prk_out.zeroize();
    crypto.check().ok().map(|()| processed)
}

impl Responder {
    /// Takes message_1 and answers with message_2: method 3 and selected suite 2 are required
    /// ([IOTP-SEC-46], [IOTP-SEC-47]; a wrong suite is [`Error::WrongSelectedCipherSuite`], to answer
    /// with its [EDHOC error message](Error::edhoc_error_message)), critical EAD is refused
    /// ([IOTP-SEC-52]). `c_r` is the connection identifier the caller chose: refused if it is already a
    /// Recipient ID ([IOTP-SEC-53]) or equals C_I ([IOTP-SEC-54]; the caller may choose another and
    /// call again). ID_CRED_R is the node's `kid` ([IOTP-SEC-149]). The ephemeral key comes from
    /// `ephemeral`, 32 random bytes reduced modulo n; zero is refused.
    pub fn receive_message_1(
        identity: &LocalIdentity,
        message_1: &[u8],
        c_r: KeyId,
        recipient_ids: &(impl RecipientIds + ?Sized),
        ephemeral: &[u8; SCALAR_LEN],
    ) -> Result<(Self, Message), Error> {
        if recipient_ids.contains(&c_r) {
            return Err(Error::ConnectionIdInUse);
        }
        let message_1 = buffer(message_1)?;
        let mut crypto = EdhocCrypto::with_ephemeral(ephemeral_key(ephemeral)?);
        // The pair the caller gave, through lakers' own entry point for it.
        let (mut y, g_y) = crypto.p256_generate_key_pair();
        let start = Wiped(ResponderStart {
            method: METHOD,
            y,
            g_y,
        });
        y.zeroize();
        crypto.check()?;
        let processed = r_process_message_1(&start, &mut crypto, &message_1)
            .map(|(processing, c_i, ead_1)| (Wiped(processing), c_i, ead_1));
        crypto.check()?;
        let (processing, c_i, ead_1) = processed.map_err(Error::from_lakers)?;
        refuse_critical_ead(&ead_1)?;
        let c_i = key_id(&c_i)?;
        if c_i == c_r {
            return Err(Error::ConnectionIdsEqual);
        }
        let prepared = r_prepare_message_2(
            &processing,
            &mut crypto,
            identity.credential.lakers(),
            identity.key.scalar(),
            conn_id(&c_r)?,
            CredentialTransfer::ByReference,
            &None,
        )
        .map(|(state, message_2)| (Wiped(state), message_2));
        // An invalid G_X made message_2 meaningless: it is not sent.
        crypto.check()?;
        let (state, message_2) = prepared.map_err(Error::from_lakers)?;
        Ok((Responder { state, c_i, c_r }, Message(message_2)))
    }

    /// C_I, the initiator's connection identifier: the responder's Sender ID.
    pub fn c_i(&self) -> &KeyId {
        &self.c_i
    }

    /// C_R, the connection identifier this responder chose: the key of this half-finished handshake
    /// (the `c_r` of `edhoc_3`), and its Recipient ID.
    pub fn c_r(&self) -> &KeyId {
        &self.c_r
    }

    /// Takes message_3: decrypts it, refuses critical EAD ([IOTP-SEC-52]), and authenticates the
    /// initiator. A `kid` reference is looked up in `peers`, and MAC_3 verified with each credential
    /// held under it ([IOTP-SEC-8]); none held is [`Error::UnknownCredential`] ([IOTP-SEC-51]). A CCS
    /// by value must have the form of §8.2.2 with a `sub` of 52 lowercase base32 characters
    /// ([IOTP-SEC-154]); the result is then a visitor context ([`PeerCredential::ByValue`]).
    pub fn receive_message_3(
        self,
        message_3: &[u8],
        peers: &(impl PeerCredentials + ?Sized),
    ) -> Result<ResponderVerified, Error> {
        self.receive_message_3_admitting(message_3, peers, |_| Ok(()))
    }

    /// [`Responder::receive_message_3`], with `admit` deciding whether a credential by value is taken
    /// at all: it sees the claimed node ID once message_3 is decrypted and the CCS has the form of
    /// §8.2.2, and before MAC_3 is verified, which costs a Diffie-Hellman operation. The rate limit of
    /// [IOTP-SEC-162] refuses there ([IOTP-SEC-200]); its error ends the handshake.
    pub fn receive_message_3_admitting(
        self,
        message_3: &[u8],
        peers: &(impl PeerCredentials + ?Sized),
        admit: impl FnOnce(&NodeIdClaim) -> Result<(), Error>,
    ) -> Result<ResponderVerified, Error> {
        let Responder {
            mut state,
            c_i,
            c_r,
        } = self;
        check_ciphertext_framing(message_3)?;
        let message_3 = buffer(message_3)?;
        let mut crypto = EdhocCrypto::new();
        let parsed = r_parse_message_3(&mut state, &mut crypto, &message_3)
            .map(|(processing, id_cred_i, ead_3)| (Wiped(processing), id_cred_i, ead_3));
        // A refused PLAINTEXT_3 fails here, whatever lakers returned.
        crypto.check()?;
        let (mut processing, id_cred_i, ead_3) = parsed.map_err(Error::from_lakers)?;
        refuse_critical_ead(&ead_3)?;
        let (peer, processed) = if id_cred_i.reference_only() {
            let kid = kid_of(&id_cred_i)?;
            let (credential, processed) =
                try_candidates(peers, kid, |candidate| verify(&mut processing, candidate))?;
            (PeerCredential::Referenced(credential), processed)
        } else {
            let (credential, claimed_node_id) = parse_by_value(ccs_by_value(&id_cred_i)?)?;
            admit(&claimed_node_id)?;
            let processed =
                verify(&mut processing, &credential).ok_or(Error::AuthenticationFailed)?;
            let peer = PeerCredential::ByValue {
                credential,
                claimed_node_id,
            };
            (peer, processed)
        };
        Ok(ResponderVerified {
            state: processed,
            c_i,
            c_r,
            peer,
        })
    }
}

/// The responder after message_3 verified: the initiator is authenticated, and the caller may look at
/// its credential (a visitor's claimed node ID, a revoked node, [IOTP-SEC-156]) before completing.
pub struct ResponderVerified {
    state: Wiped<ProcessedM3>,
    c_i: KeyId,
    c_r: KeyId,
    peer: PeerCredential,
}

impl core::fmt::Debug for ResponderVerified {
    /// Prints the connection identifiers and the peer, no key.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponderVerified")
            .field("c_i", &self.c_i)
            .field("c_r", &self.c_r)
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl ResponderVerified {
    /// The initiator's credential, authenticated by MAC_3.
    pub fn peer(&self) -> &PeerCredential {
        &self.peer
    }

    /// Completes without message_4 (`EdhocFinish.done`): the context of §8.4.5, Sender ID C_I and
    /// Recipient ID C_R.
    pub fn complete(self) -> Result<Established, Error> {
        let completed =
            Wiped(r_complete_without_message_4(&self.state).map_err(Error::from_lakers)?);
        Ok(Established::derive(
            &completed, self.c_i, self.c_r, self.peer,
        ))
    }

    /// Completes with message_4 (`EdhocFinish.message_4`), which gives the initiator key
    /// confirmation.
    pub fn complete_with_message_4(self) -> Result<(Established, Message), Error> {
        let mut crypto = EdhocCrypto::new();
        let prepared = r_prepare_message_4(&self.state, &mut crypto, &None)
            .map(|(completed, message_4)| (Wiped(completed), message_4));
        crypto.check()?;
        let (completed, message_4) = prepared.map_err(Error::from_lakers)?;
        let established = Established::derive(&completed, self.c_i, self.c_r, self.peer);
        Ok((established, Message(message_4)))
    }
}

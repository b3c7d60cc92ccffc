//! The initiator ([RFC 9528] §5): [`Initiator::start`] gives message_1;
//! [`Initiator::receive_message_2`] verifies message_2 and gives message_3; [`InitiatorSent`] then
//! completes, at once or with message_4.
//!
//! The initiator may seal its first request right after message_3 ([IOTP-SEC-57]): it calls
//! [`InitiatorSent::complete`] without waiting. It has key confirmation when the first envelope
//! sealed by the responder opens, or when message_4 verifies (§8.4.5), and must keep its previous
//! context with the peer until then ([IOTP-SEC-62]).
//!
//! [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528

use lakers::{
    i_complete_without_message_4, i_parse_message_2, i_prepare_message_1, i_prepare_message_3,
    i_process_message_4, i_verify_message_2, CredentialTransfer, Crypto, EdhocBuffer,
    InitiatorStart, ProcessedM2, WaitM2, WaitM4, MAX_SUITES_LEN,
};
use zeroize::Zeroize;

use super::credential::{LocalIdentity, PeerCredential, PeerCredentials};
use super::crypto::{ephemeral_key, EdhocCrypto};
use super::session::Established;
use super::wipe::Wiped;
use super::{
    buffer, check_ciphertext_framing, conn_id, key_id, kid_of, refuse_critical_ead, try_candidates,
    Error, Message, RecipientIds, METHOD, SCALAR_LEN, SUITE,
};
use crate::security::KeyId;

/// How the initiator identifies its credential in ID_CRED_I (§8.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdCredI {
    /// A `kid` reference, when the initiator has reason to believe the responder holds its credential
    /// statement ([IOTP-SEC-150]).
    Kid,
    /// The CCS by value, `{14: CCS}`, when it has none ([IOTP-SEC-151]): the responder obtains a
    /// visitor context (§8.4.6). message_3 grows by 138 bytes.
    ByValue,
}

/// The initiator after sending message_1, waiting for message_2.
pub struct Initiator {
    state: Wiped<WaitM2>,
    identity: LocalIdentity,
    id_cred_i: IdCredI,
    c_i: KeyId,
}

impl core::fmt::Debug for Initiator {
    /// Prints the connection identifier only.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Initiator")
            .field("c_i", &self.c_i)
            .finish_non_exhaustive()
    }
}

impl Initiator {
    /// Starts a handshake: message_1 with method 3, SUITES_I = 2, the ephemeral key from `ephemeral`
    /// (32 random bytes from a cryptographically secure generator, reduced modulo n; zero is refused)
    /// and the connection identifier `c_i` the caller chose, which must not be the Recipient ID of a
    /// context the node holds ([IOTP-SEC-53]; integer form preferred, [IOTP-SEC-56]).
    pub fn start(
        identity: &LocalIdentity,
        id_cred_i: IdCredI,
        c_i: KeyId,
        recipient_ids: &(impl RecipientIds + ?Sized),
        ephemeral: &[u8; SCALAR_LEN],
    ) -> Result<(Self, Message), Error> {
        Self::start_with_suites(identity, id_cred_i, c_i, recipient_ids, ephemeral, &[SUITE])
    }

    /// As [`start`](Self::start), offering SUITES_I = `suites` (the selected suite last, and it must
    /// be 2). For test vectors only (feature `test-vectors`): RFC 9529's trace 2 offers [6, 2]. A
    /// product must not offer a suite it does not support, since a responder that prefers it would
    /// select it.
    #[cfg(feature = "test-vectors")]
    pub fn start_offering(
        identity: &LocalIdentity,
        id_cred_i: IdCredI,
        c_i: KeyId,
        recipient_ids: &(impl RecipientIds + ?Sized),
        ephemeral: &[u8; SCALAR_LEN],
        suites: &[u8],
    ) -> Result<(Self, Message), Error> {
        if suites.last() != Some(&SUITE) {
            return Err(Error::WrongSelectedCipherSuite);
        }
        Self::start_with_suites(identity, id_cred_i, c_i, recipient_ids, ephemeral, suites)
    }

    fn start_with_suites(
        identity: &LocalIdentity,
        id_cred_i: IdCredI,
        c_i: KeyId,
        recipient_ids: &(impl RecipientIds + ?Sized),
        ephemeral: &[u8; SCALAR_LEN],
        suites: &[u8],
    ) -> Result<(Self, Message), Error> {
        if recipient_ids.contains(&c_i) {
            return Err(Error::ConnectionIdInUse);
        }
        let suites_i = EdhocBuffer::<MAX_SUITES_LEN>::new_from_slice(suites)
            .map_err(|_| Error::WrongSelectedCipherSuite)?;
        let mut crypto = EdhocCrypto::with_ephemeral(ephemeral_key(ephemeral)?);
        // The pair the caller gave, through lakers' own entry point for it.
        let (mut x, g_x) = crypto.p256_generate_key_pair();
        let start = Wiped(InitiatorStart {
            suites_i,
            method: METHOD,
            x,
            g_x,
        });
        x.zeroize();
        crypto.check()?;
        let (state, message_1) = i_prepare_message_1(&start, &mut crypto, conn_id(&c_i)?, &None)
            .map_err(Error::from_lakers)?;
        let state = Wiped(state);
        crypto.check()?;
        let initiator = Initiator {
            state,
            identity: identity.clone(),
            id_cred_i,
            c_i,
        };
        Ok((initiator, Message(message_1)))
    }

    /// C_I, the connection identifier this initiator chose: its Recipient ID.
    pub fn c_i(&self) -> &KeyId {
        &self.c_i
    }

    /// Takes message_2: decrypts it, refuses C_R equal to C_I ([IOTP-SEC-54]), ID_CRED_R by value
    /// ([IOTP-SEC-149]) and critical EAD ([IOTP-SEC-52]), looks up the responder's credential by
    /// `kid` in `peers` and verifies MAC_2 with each credential held under it ([IOTP-SEC-8]); none held
    /// is [`Error::UnknownCredential`] ([IOTP-SEC-51]). Gives message_3, to send with C_R in
    /// `edhoc_3` (§8.4.3).
    pub fn receive_message_2(
        self,
        message_2: &[u8],
        peers: &(impl PeerCredentials + ?Sized),
    ) -> Result<(InitiatorSent, Message), Error> {
        let Initiator {
            state,
            identity,
            id_cred_i,
            c_i,
        } = self;
        let message_2 = buffer(message_2)?;
        let mut crypto = EdhocCrypto::for_message_2(&message_2);
        let parsed = i_parse_message_2(&state, &mut crypto, &message_2)
            .map(|(processing, c_r, id_cred_r, ead_2)| (Wiped(processing), c_r, id_cred_r, ead_2));
        // A refused G_Y or PLAINTEXT_2 made the result meaningless, whatever lakers returned.
        crypto.check()?;
        let (processing, c_r, id_cred_r, ead_2) = parsed.map_err(Error::from_lakers)?;
        refuse_critical_ead(&ead_2)?;
        let c_r = key_id(&c_r)?;
        if c_r == c_i {
            return Err(Error::ConnectionIdsEqual);
        }
        if !id_cred_r.reference_only() {
            return Err(Error::CredentialByValueRefused);
        }
        let kid = kid_of(&id_cred_r)?;
        let (cred_r, processed) = try_candidates(peers, kid, |candidate| {
            let mut crypto = EdhocCrypto::new();
            let verified = i_verify_message_2(
                &processing,
                &mut crypto,
                candidate.lakers(),
                identity.key.scalar(),
            )
            .ok()
            .map(Wiped::<ProcessedM2>);
            verified.filter(|_| crypto.check().is_ok())
        })?;
        let transfer = match id_cred_i {
            IdCredI::Kid => CredentialTransfer::ByReference,
            IdCredI::ByValue => CredentialTransfer::ByValue,
        };
        let mut crypto = EdhocCrypto::new();
        let prepared = i_prepare_message_3(
            &processed,
            &mut crypto,
            identity.credential.lakers(),
            transfer,
            &None,
        )
        .map(|(wait_m4, message_3, mut prk_out)| {
            prk_out.zeroize();
            (Wiped(wait_m4), message_3)
        });
        crypto.check()?;
        let (wait_m4, message_3) = prepared.map_err(Error::from_lakers)?;
        let sent = InitiatorSent {
            state: wait_m4,
            c_i,
            c_r,
            peer: PeerCredential::Referenced(cred_r),
        };
        Ok((sent, Message(message_3)))
    }
}

/// The initiator after sending message_3: it holds the keys, and completes with or without message_4.
pub struct InitiatorSent {
    state: Wiped<WaitM4>,
    c_i: KeyId,
    c_r: KeyId,
    peer: PeerCredential,
}

impl core::fmt::Debug for InitiatorSent {
    /// Prints the connection identifiers and the peer, no key.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InitiatorSent")
            .field("c_i", &self.c_i)
            .field("c_r", &self.c_r)
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl InitiatorSent {
    /// C_R, the responder's connection identifier: the `c_r` of `edhoc_3`, and the initiator's Sender
    /// ID.
    pub fn c_r(&self) -> &KeyId {
        &self.c_r
    }

    /// The responder's credential, authenticated by MAC_2.
    pub fn peer(&self) -> &PeerCredential {
        &self.peer
    }

    /// Completes without message_4 (§8.4.1: optional): the context of §8.4.5, Sender ID C_R and
    /// Recipient ID C_I. Key confirmation comes with the first envelope from the responder that opens.
    pub fn complete(self) -> Result<Established, Error> {
        let completed =
            Wiped(i_complete_without_message_4(&self.state).map_err(Error::from_lakers)?);
        Ok(Established::derive(
            &completed, self.c_r, self.c_i, self.peer,
        ))
    }

    /// Verifies message_4 (key confirmation) and completes as [`complete`](Self::complete) does;
    /// refuses a critical EAD_4 ([IOTP-SEC-52]).
    pub fn receive_message_4(mut self, message_4: &[u8]) -> Result<Established, Error> {
        check_ciphertext_framing(message_4)?;
        let message_4 = buffer(message_4)?;
        let mut crypto = EdhocCrypto::new();
        let processed = i_process_message_4(&mut self.state, &mut crypto, &message_4)
            .map(|(completed, ead_4)| (Wiped(completed), ead_4));
        crypto.check()?;
        let (completed, ead_4) = processed.map_err(Error::from_lakers)?;
        refuse_critical_ead(&ead_4)?;
        Ok(Established::derive(
            &completed, self.c_r, self.c_i, self.peer,
        ))
    }
}

//! A request whose hop transmission failed, sent once more (spec §5.8.2, [IOTP-MSG-149]).
//!
//! A failed transmission does not tell that the request did not arrive: when the reply carries the
//! acknowledgement, a run of losses of the replies alone ends the same way, after the request was
//! carried out. So the engine keeps the envelope of a request of its own whose transmission failed,
//! and the application may have it sent again, byte for byte: the recipient takes it for a duplicate
//! and answers from its reply cache, where a new request would be carried out a second time.
//!
//! **Bound.** The envelope is kept in its request's entry (at most `max_pending` of them, each at
//! most MAX_MESSAGE bytes) for ACK_TIMEOUT after the failure, the time the application has to ask;
//! a request goes again at most once.

use alloc::vec::Vec;

use iotp2p_codec::core::Envelope;
use iotp2p_codec::runtime::Opaque;
use rand_core::CryptoRngCore;

use super::send::{Destination, SendError};
use super::{Node, Output, Pending, Role};
use crate::params::Instant;

/// The envelope of a request whose transmission failed, kept for [`Node::send_again`].
#[derive(Clone, Debug)]
pub(super) struct Failed {
    bytes: Vec<u8>,
    /// Until when it may go again (ACK_TIMEOUT after the failure).
    until: Instant,
}

impl Failed {
    /// Until when it may go again.
    pub(super) fn until(&self) -> Instant {
        self.until
    }
}

impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// Sends again, byte for byte, the request `request` whose transmission to the hop peer `to`
    /// failed ([`Event::Failed`](super::Event::Failed)), as a confirmable envelope with retransmissions
    /// of its own ([IOTP-MSG-149]). Its reply is matched as before. Only once per request, and only
    /// within ACK_TIMEOUT of the failure: later, [`SendError::NotFailed`].
    pub fn send_again(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        to: &P,
        request: u64,
    ) -> Result<Vec<Output<P>>, SendError> {
        self.expire(now);
        let failed = self
            .pending
            .iter_mut()
            .find(|p| p.to == *to && p.message_id == request && p.failed.is_some())
            .and_then(|p| {
                p.sent_again = true;
                p.failed.take()
            });
        let Some(failed) = failed else {
            return Err(SendError::NotFailed);
        };
        let mut out = Vec::new();
        self.transmit(now, rng, to.clone(), request, failed.bytes, true, &mut out)?;
        Ok(out)
    }

    /// Keeps the envelope `bytes` of the request `message_id` whose transmission to `to` failed, if
    /// it is a request of this node still awaiting its reply and not yet sent again.
    pub(super) fn request_failed(&mut self, now: Instant, to: &P, message_id: u64, bytes: &[u8]) {
        let Ok(env) = Envelope::decode_as::<Opaque>(bytes) else {
            return;
        };
        // Two requests to one hop peer share a `message_id` only with different recipients
        // ([IOTP-MSG-107]): the envelope's recipient tells them apart.
        let goes_to = |d: &Destination| match d {
            Destination::Address(a) => env.recipient == Some(a.as_str()),
            Destination::Contact(c) => env.recipient.is_none() && env.recipient_contact == Some(*c),
            Destination::HopPeer => env.recipient.is_none() && env.recipient_contact.is_none(),
        };
        let until = now.saturating_add(self.config.timing.ack_timeout);
        let request = self.pending.iter_mut().find(|p: &&mut Pending<P>| {
            p.to == *to && p.message_id == message_id && goes_to(&p.recipient)
        });
        if let Some(p) = request.filter(|p| !p.sent_again) {
            p.failed = Some(Failed {
                bytes: bytes.to_vec(),
                until,
            });
        }
    }
}

//! Receipts (spec §5.11.1): a device tells its home relay, sealed under their hop context, which
//! delivered envelopes it received, so that the relay deletes them; an acknowledgement, which anyone
//! on the link can forge, deletes nothing.
//!
//! The device names every envelope the relay delivered and that decoded, whatever became of it
//! (accepted, a duplicate or replay, failed to open), except acknowledgements and the relay's
//! replies to what the device sent the relay itself, its requests and its receipts
//! ([IOTP-MSG-123]); it sends the receipt after the last envelope of a wake-up (the first without
//! `more`, [IOTP-MSG-126]) or as soon as it has [`MAX_DELIVERED`] to name ([IOTP-MSG-127]),
//! confirmable ([IOTP-MSG-128]).
//!
//! A receipt whose transmission fails ([IOTP-MSG-47]) names nothing: its references wait for the next
//! receipt, which goes with the next delivery or before the next `presence` ([IOTP-MSG-141]), since
//! the relay keeps what no receipt named, and a device that stays awake has no new wake-up to have it
//! delivered again.
//!
//! **Bound.** At most [`MAX_DELIVERED`] references wait for a receipt, the most a `Receipt` holds,
//! and at most [`MAX_RECEIPTS_IN_FLIGHT`] receipts await their acknowledgement; beyond that the
//! oldest is forgotten (the relay delivers what it named again at the next wake-up, [IOTP-DLV-109]).

use alloc::string::ToString;
use alloc::vec::Vec;

use iotp2p_codec::core::owned::{Body as OwnedBody, DeliveryRef, Receipt};
use iotp2p_codec::core::{Body, Envelope};
use rand_core::CryptoRngCore;

use super::send::Destination;
use super::{Node, Output, Role};
use crate::params::Instant;

/// The most envelopes one receipt names.
pub const MAX_DELIVERED: usize = 16;

/// The most receipts awaiting their acknowledgement whose references are kept.
pub const MAX_RECEIPTS_IN_FLIGHT: usize = 4;

impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// Whether the datagram `bytes` from `from` is a delivery a receipt must name, and if so its
    /// reference and its `more`. Called before the pipeline, which may forget the request a reply
    /// answers.
    pub(super) fn delivery_of(&self, from: &P, bytes: &[u8]) -> Option<(DeliveryRef, bool)> {
        if !self.sends_receipts_to(from) {
            return None;
        }
        let env = Envelope::decode_as::<R>(bytes).ok()?;
        if matches!(env.body, Some(Body::Ack)) {
            return None;
        }
        // The relay's own reply to what the device sent the relay itself: a request, or a receipt,
        // which a relay that cannot open it (it restarted and lost the hop context) answers
        // `Unauthenticated` as it would a request ([IOTP-SEC-74]). Named in a receipt, that status
        // would be answered `Unauthenticated` again, and so on without end. A relayed envelope
        // names its sender; the relay's own does not.
        let answers_own = env.correlation_id.is_some_and(|c| {
            self.pending
                .iter()
                .any(|p| p.message_id == c && p.to == *from && p.recipient == Destination::HopPeer)
                || (env.sender.is_none()
                    && env.sender_contact.is_none()
                    && self.receipts_sent.contains(&c))
        });
        if answers_own {
            return None;
        }
        Some((
            DeliveryRef {
                message_id: env.message_id,
                sender: env.sender.map(|s| s.to_string()),
                sender_contact: env.sender_contact,
                unknown_fields: Default::default(),
            },
            env.more,
        ))
    }

    /// Whether what `from` delivers is named in receipts: `from` is the home relay and the device
    /// has a hop context with it.
    pub(super) fn sends_receipts_to(&self, from: &P) -> bool {
        self.hop_context.is_some() && self.home_relay.as_ref() == Some(from)
    }

    /// Records a delivery and sends the receipt when the wake-up's last envelope came or the receipt
    /// is full.
    pub(super) fn delivered(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        delivery: DeliveryRef,
        more: bool,
        out: &mut Vec<Output<P>>,
    ) {
        // Full only while no receipt can be queued: the relay then delivers the rest again.
        if !self.delivered.contains(&delivery) && self.delivered.len() < MAX_DELIVERED {
            self.delivered.push(delivery);
        }
        if more {
            self.more_follows(now);
        }
        if !more || self.delivered.len() >= MAX_DELIVERED {
            self.send_receipt(now, rng, out);
        }
    }

    /// Sends the receipt of the deliveries recorded, sealed under the hop context, confirmable; also
    /// before a `presence`, for what a receipt that failed named ([IOTP-MSG-141]).
    pub(super) fn send_receipt(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        out: &mut Vec<Output<P>>,
    ) {
        let (Some(context), Some(relay)) = (self.hop_context, self.home_relay.clone()) else {
            return;
        };
        if self.delivered.is_empty() {
            return;
        }
        let body = OwnedBody::Receipt(Receipt {
            delivered: self.delivered.clone(),
            unknown_fields: Default::default(),
        });
        let Ok(encoded) = body.encode_to_vec_as::<R>() else {
            return;
        };
        let aad_recipient = self
            .contexts
            .get(context)
            .and_then(|e| e.peer.address.clone());
        // A receipt is answered by an acknowledgement only ([IOTP-MSG-132]): it awaits no reply.
        let sent = self
            .build_request(context, aad_recipient.as_deref(), &encoded)
            .and_then(|(message_id, bytes)| {
                self.transmit(now, rng, relay, message_id, bytes, true, out)
                    .map(|()| message_id)
            });
        // Not sent (no room to queue it): the references wait for the next one.
        if let Ok(message_id) = sent {
            if self.receipts_in_flight.len() >= MAX_RECEIPTS_IN_FLIGHT {
                self.receipts_in_flight.pop_front();
            }
            let named = core::mem::take(&mut self.delivered);
            self.receipts_in_flight.push_back((message_id, named));
            self.receipts_sent[self.receipts_next] = message_id;
            self.receipts_next = (self.receipts_next + 1) % MAX_RECEIPTS_IN_FLIGHT;
        }
    }

    /// The receipt `message_id` to `to` was acknowledged: what it named is done with.
    pub(super) fn receipt_acknowledged(&mut self, to: &P, message_id: u64) {
        if self.home_relay.as_ref() == Some(to) {
            self.receipts_in_flight.retain(|(id, _)| *id != message_id);
        }
    }

    /// The transmission of the receipt `message_id` to `to` failed: what it named waits for the next
    /// receipt ([IOTP-MSG-141]).
    pub(super) fn receipt_failed(&mut self, to: &P, message_id: u64) {
        if self.home_relay.as_ref() != Some(to) {
            return;
        }
        if let Some(i) = self
            .receipts_in_flight
            .iter()
            .position(|(id, _)| *id == message_id)
        {
            if let Some((_, named)) = self.receipts_in_flight.remove(i) {
                self.name_again(named);
            }
        }
    }

    /// Puts references back before those recorded since, within [`MAX_DELIVERED`].
    fn name_again(&mut self, mut named: Vec<DeliveryRef>) {
        for d in core::mem::take(&mut self.delivered) {
            if !named.contains(&d) {
                named.push(d);
            }
        }
        named.truncate(MAX_DELIVERED);
        self.delivered = named;
    }
}

//! Receipts (spec §5.11.1): a device tells its home relay, sealed under their hop context, which
//! delivered envelopes it received, so that the relay deletes them; an acknowledgement, which anyone
//! on the link can forge, deletes nothing.
//!
//! The device names every envelope the relay delivered and that decoded, whatever became of it
//! (accepted, a duplicate or replay, failed to open), except acknowledgements and the relay's replies to
//! the device's own requests to the relay ([IOTP-MSG-123]); it sends the receipt after the last
//! envelope of a wake-up (the first without `more`, [IOTP-MSG-126]) or as soon as it has
//! [`MAX_DELIVERED`] to name ([IOTP-MSG-127]), confirmable ([IOTP-MSG-128]).
//!
//! **Bound.** At most [`MAX_DELIVERED`] references wait for a receipt, the most a `Receipt` holds.

use alloc::string::ToString;
use alloc::vec::Vec;
use iotp2p_codec::prelude::*;

use iotp2p_codec::core::owned::{Body as OwnedBody, DeliveryRef, Receipt};
use iotp2p_codec::core::{Body, Envelope};
use rand_core::CryptoRngCore;

use super::send::Destination;
use super::{Node, Output};
use crate::params::Instant;

/// The most envelopes one receipt names.
pub const MAX_DELIVERED: usize = 16;

impl<P: Clone + PartialEq + core::fmt::Debug> Node<P> {
    /// Whether the datagram `bytes` from `from` is a delivery a receipt must name, and if so its
    /// reference and its `more`. Called before the pipeline, which may forget the request a reply
    /// answers.
    pub(super) fn delivery_of(&self, from: &P, bytes: &[u8]) -> Option<(DeliveryRef, bool)> {
        self.hop_context?;
        if self.home_relay.as_ref() != Some(from) {
            return None;
        }
        let env = Envelope::decode(bytes).ok()?;
        if matches!(env.body, Some(Body::Ack)) {
            return None;
        }
        let answers_own_request = env.correlation_id.is_some_and(|c| {
            self.pending
                .iter()
                .any(|p| p.message_id == c && p.to == *from && p.recipient == Destination::HopPeer)
        });
        if answers_own_request {
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
        if !self.delivered.contains(&delivery) {
            self.delivered.push(delivery);
        }
        if more {
            self.more_follows(now);
        }
        if !more || self.delivered.len() >= MAX_DELIVERED {
            self.send_receipt(now, rng, out);
        }
    }

    /// Sends the receipt of the deliveries recorded, sealed under the hop context, confirmable.
    fn send_receipt(
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
            delivered: core::mem::take(&mut self.delivered),
            unknown_fields: Default::default(),
        });
        let Ok(body) = body.encode_to_vec() else {
            return;
        };
        let aad_recipient = self
            .contexts
            .get(context)
            .and_then(|e| e.peer.address.clone());
        // A receipt is answered by an acknowledgement only ([IOTP-MSG-132]): it awaits no reply.
        if let Ok((message_id, bytes)) =
            self.build_request(context, aad_recipient.as_deref(), &body)
        {
            let _ = self.transmit(now, rng, relay, message_id, bytes, true, out);
        }
    }
}

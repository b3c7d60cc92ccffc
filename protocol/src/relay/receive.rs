//! Routing at a home relay: what it accepts from whom (spec §3.4.1, §3.6.2, §3.6.3), duplicates by
//! digest (§5.9.2), and the statuses it answers instead of an acknowledgement (§5.10).
//!
//! In order: decode; an acknowledgement of a delivery in flight; the envelope's rules (§5.2, §5.5,
//! contact numbers only from a node over its bound hop); the recipient (the relay's service goes to its
//! engine); the hop peer (one of its nodes over its bound transport address, an authenticated relay, or
//! anyone else); a copy of what it holds or forwarded; the sending node's rate limit; then holding for
//! one of its nodes or forwarding to another domain.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::{owned, Body, Envelope, StatusCode};
use iotp2p_codec::prelude::*;
use rand_core::CryptoRngCore;

use super::held::{Held, Refused};
use super::outbox;
use super::{NdnRoute, Relay, RelayDiscard, RelayEvent, RelayOutput, Source, StoreChange};
use crate::engine::{StatusRoute, VERSION};
use crate::message::digest::{digest, Digest};
use crate::message::envelope::{self, Hop, Recipient};
use crate::params::{Instant, MAX_MESSAGE};
use crate::security::KeyId;

/// Who a hop peer is to the relay.
enum From {
    /// One of its nodes, over the transport address its hop is bound to.
    Own(usize),
    /// An authenticated relay.
    Relay,
    /// Anyone else.
    Other,
}

impl<P: Clone + PartialEq + core::fmt::Debug> Relay<P> {
    /// Handles one envelope received from the hop peer `from` at `now`.
    pub fn receive(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        bytes: &[u8],
    ) -> Vec<RelayOutput<P>> {
        let mut out = Vec::new();
        if let Err(reason) = self.route(now, rng, from, bytes, &mut out) {
            out.push(RelayOutput::Event(RelayEvent::Discarded {
                from: from.clone(),
                reason,
            }));
        }
        out
    }

    fn route(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        bytes: &[u8],
        out: &mut Vec<RelayOutput<P>>,
    ) -> Result<(), RelayDiscard> {
        // A grace period that ended: the previous address is unknown now ([IOTP-DLV-72]).
        self.expire_moves(now);
        let env = Envelope::decode(bytes).map_err(|e| RelayDiscard::Decode(e.class()))?;
        if let (Some(Body::Ack), Some(c), None, None) = (
            &env.body,
            env.correlation_id,
            env.recipient,
            env.recipient_contact,
        ) {
            if self.acknowledged(now, rng, from, c, out)
                || self.outbox_answered(now, rng, from, c, None, out)
            {
                return Ok(());
            }
        }
        // An acknowledgement that names a sender, from another relay ([IOTP-MSG-146]): of the
        // envelope of that sender under way to it ([IOTP-MSG-147]). An acknowledgement is never
        // forwarded.
        if let (Some(Body::Ack), Some(c), Some(sender)) =
            (&env.body, env.correlation_id, env.recipient)
        {
            // From a relay: a declared one, or one this relay has envelopes under way to (the
            // relay a released address's requests go to, [IOTP-DLV-113]).
            if !self.is_relay_peer(from) && !self.outbox.sends_to(from) {
                return Err(RelayDiscard::Unanswered);
            }
            // One that ends nothing is a late copy, as an unnamed one can be: dropped quietly.
            self.outbox.names_senders(from, now);
            let sender = outbox::sender_key(sender);
            self.outbox_answered(now, rng, from, c, Some(sender), out);
            return Ok(());
        }
        // A status of the relay it forwarded to ends the retransmission too ([IOTP-MSG-47]), and
        // goes on as any status; it names the envelope's sender as its recipient.
        if let (Some(c), true) = (outbox::answers(&env), self.is_relay_peer(from)) {
            let sender = env.recipient.map(outbox::sender_key);
            self.outbox_answered(now, rng, from, c, sender, out);
        } else if self.is_relay_peer(from) {
            // A reply to what it forwarded acknowledges it too ([IOTP-MSG-42]), and goes on.
            self.outbox_replied(now, rng, from, &env, out);
        }
        let hop = match self.node_bound_to(from, now) {
            Some(i) => From::Own(i),
            None if self.is_relay_peer(from) => From::Relay,
            None => From::Other,
        };
        let hop_kind = match hop {
            From::Own(_) => Hop::FromDevice,
            From::Relay | From::Other => Hop::Other,
        };
        envelope::check(
            &env,
            bytes.len(),
            MAX_MESSAGE,
            hop_kind,
            env.version != VERSION,
        )
        .map_err(RelayDiscard::Envelope)?;
        let is_request = env.correlation_id.is_none();

        // The recipient; the relay's own service is an end node.
        let recipient: String = match envelope::recipient(&env) {
            Recipient::This => return self.for_service(now, rng, from, bytes, out),
            Recipient::Address(a) if a == self.service_address => {
                return self.for_service(now, rng, from, bytes, out)
            }
            Recipient::Address(a) => a.into(),
            Recipient::Contact(c) => {
                let From::Own(i) = hop else {
                    return Err(RelayDiscard::UnknownContact);
                };
                match self.nodes[i].contacts.resolve(c, now) {
                    Some(a) => a,
                    None => {
                        if is_request {
                            self.refuse(from, &hop, &env, None, StatusCode::NoRoute, None, out);
                        }
                        return Err(RelayDiscard::UnknownContact);
                    }
                }
            }
        };

        if let (From::Own(i), Some(c)) = (&hop, env.correlation_id) {
            let i = *i;
            self.answered_delivery(now, rng, i, from, c, &recipient, out);
        }

        // The hop peer and the sender. `arrived`: a node that re-homed here from the recipient's
        // address, forwarded by a relay of that address's domain (§3.11.2).
        let mut arrived = None;
        let (sender, ndn) = match hop {
            From::Own(i) => {
                let own = self.nodes[i].address.clone();
                if env.sender.is_some_and(|s| s != own) {
                    return Err(RelayDiscard::WrongSender);
                }
                (Some(own.clone()), NdnRoute::Sender(own))
            }
            From::Relay => {
                if !self.in_domain(&recipient) {
                    arrived = self.arrived_from(&recipient, from, now);
                }
                if !self.in_domain(&recipient) && arrived.is_none() {
                    if is_request {
                        let r = Some(recipient.as_str());
                        self.refuse(from, &hop, &env, r, StatusCode::NoRoute, None, out);
                    }
                    return Err(RelayDiscard::NoRoute);
                }
                // What a re-homing's forwarding relay sends passed its own check above.
                if arrived.is_none() && !self.relay_may_send(from, &recipient, env.sender, now) {
                    return Err(RelayDiscard::NotAuthorized);
                }
                match env.sender {
                    Some(s) => (Some(String::from(s)), NdnRoute::Sender(s.into())),
                    None => (None, NdnRoute::HopPeer(from.clone())),
                }
            }
            From::Other => {
                if is_request {
                    let r = Some(recipient.as_str());
                    self.refuse(from, &hop, &env, r, StatusCode::NoRoute, None, out);
                }
                return Err(RelayDiscard::NotOwnNode);
            }
        };

        // A copy of an envelope the relay holds or forwarded: acknowledged again, nothing more.
        let digest = digest(&env, Some(&recipient), sender.as_deref())
            .map_err(|_| RelayDiscard::Envelope(envelope::EnvelopeError::NotOneBody))?;
        // What came back after this relay forwarded it to the previous address is not a copy.
        if self.is_copy(&digest, now, arrived.is_none()) {
            if env.ack_requested {
                self.ack(from, &env, out);
            }
            return Err(RelayDiscard::Duplicate);
        }

        // What one of its nodes sends is rate-limited ([IOTP-DLV-31], [IOTP-SEC-95]).
        if let From::Own(i) = hop {
            let rate = self.config.rate;
            if let Err(retry_after) = self.nodes[i].bucket.take(rate, now) {
                if is_request {
                    let r = Some(recipient.as_str());
                    let code = StatusCode::Busy;
                    self.refuse(from, &hop, &env, r, code, Some(retry_after), out);
                }
                return Err(RelayDiscard::RateLimited);
            }
        }
        if arrived.is_none() && !self.in_domain(&recipient) {
            // For another domain, from one of its own nodes ([IOTP-DLV-25], [IOTP-DLV-26]).
            let domain = super::domain_of(&recipient);
            let sender = sender.as_deref();
            return self.forward(now, from, &env, &recipient, sender, digest, domain, out);
        }
        let Some(r) = arrived.or_else(|| self.node(&recipient)) else {
            if is_request {
                let code = StatusCode::UnknownRecipient;
                self.refuse(from, &hop, &env, Some(&recipient), code, None, out);
            }
            return Err(RelayDiscard::UnknownRecipient);
        };
        if let Some(to) = self.moved_to(r, now) {
            if arrived.is_some() {
                // Forwarded once already ([IOTP-DLV-114]).
                if is_request {
                    let code = StatusCode::NoRoute;
                    self.refuse(from, &hop, &env, Some(&recipient), code, None, out);
                }
                return Err(RelayDiscard::NoRoute);
            }
            // The previous home relay of a re-homed node ([IOTP-DLV-70]).
            let domain = String::from(super::domain_of(to));
            let sender = sender.as_deref();
            return self.forward(now, from, &env, &recipient, sender, digest, &domain, out);
        }
        if self.nodes[r].left {
            if is_request {
                let code = StatusCode::NoRoute;
                self.refuse(from, &hop, &env, Some(&recipient), code, None, out);
            }
            return Err(RelayDiscard::NoRoute);
        }
        // `ttl` 0: now or never ([IOTP-MSG-66]).
        if env.ttl == Some(0) && !self.deliverable_now(r, now) {
            return Err(RelayDiscard::Expired);
        }
        let held = Held {
            digest,
            bytes: bytes.into(),
            message_id: env.message_id,
            sender,
            request: is_request,
            received: now,
            ttl: env.ttl,
            route: Source {
                hop: Some(from.clone()),
                ndn,
            },
            delivered: None,
        };
        let limits = self.limits_of(r);
        // Held under the node's address, also when it came to its previous one.
        let holder = self.nodes[r].address.clone();
        let record = super::stored(&holder, &held, limits.max_hold_time);
        match self.nodes[r].queue.admit(held, &limits) {
            Ok(dropped) => {
                if !dropped.is_empty() {
                    out.push(super::removed(&holder, &dropped));
                }
                out.push(record);
            }
            Err(Refused::QueueFull) => {
                let retry_after = match self.nodes[r].sleep_interval {
                    0 => self.config.queue_full_retry,
                    s => s,
                };
                let code = StatusCode::QueueFull;
                self.refuse(
                    from,
                    &hop,
                    &env,
                    Some(&recipient),
                    code,
                    Some(retry_after),
                    out,
                );
                return Err(RelayDiscard::QueueFull);
            }
            Err(Refused::ReplyDropped) => return Err(RelayDiscard::QueueFull),
        }
        if env.ack_requested {
            self.ack(from, &env, out);
        }
        self.deliver_next(now, rng, r, out);
        Ok(())
    }

    /// The check of [IOTP-DLV-57] on a message from the relay `from` for `recipient`, an address
    /// of the relay's domain: the relay may send for the sender's domain (a message without a
    /// sender names none), or it is one of the recipient's previous relays within their window
    /// ([IOTP-DLV-112]).
    fn relay_may_send(
        &self,
        from: &P,
        recipient: &str,
        sender: Option<&str>,
        now: Instant,
    ) -> bool {
        let for_sender =
            sender.is_some_and(|s| self.relay_peers.sends_for(from, super::domain_of(s)));
        for_sender
            || self
                .node(recipient)
                .is_some_and(|i| self.is_previous_relay_of(i, from, now))
    }

    /// An envelope for the relay's own service: its engine handles it.
    fn for_service(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        bytes: &[u8],
        out: &mut Vec<RelayOutput<P>>,
    ) -> Result<(), RelayDiscard> {
        let outputs = self.service.receive(now, rng, from, bytes);
        self.service_outputs(now, rng, outputs, out);
        Ok(())
    }

    /// Forwards to the home relay of `domain` (the recipient's, or the new one of a re-homed
    /// recipient), addresses in full and no hop field ([IOTP-MSG-63], [IOTP-MSG-64]); the relay
    /// takes responsibility by acknowledging, after the store has it ([IOTP-DLV-130]).
    #[allow(clippy::too_many_arguments)]
    fn forward(
        &mut self,
        now: Instant,
        from: &P,
        env: &Envelope<'_>,
        recipient: &str,
        sender: Option<&str>,
        digest: Digest,
        domain: &str,
        out: &mut Vec<RelayOutput<P>>,
    ) -> Result<(), RelayDiscard> {
        let next = Envelope {
            recipient: Some(recipient),
            sender,
            recipient_contact: None,
            sender_contact: None,
            more: false,
            ..*env
        };
        let bytes = next
            .encode_to_vec()
            .map_err(|_| RelayDiscard::Envelope(envelope::EnvelopeError::NotOneBody))?;
        if env.ack_requested {
            // Acknowledged, so the relay's until the next relay has it ([IOTP-DLV-130]).
            out.push(RelayOutput::Store(StoreChange::Outgoing {
                domain: domain.into(),
                digest,
                envelope: bytes.clone(),
                received: now,
            }));
        }
        out.push(RelayOutput::Forward {
            domain: domain.into(),
            bytes,
        });
        self.forwarded.insert(from, digest, now);
        if env.ack_requested {
            self.ack(from, env, out);
        }
        Ok(())
    }

    /// Whether the envelope `digest` is held, or (with `forwarded`) was forwarded recently
    /// ([IOTP-MSG-119]).
    fn is_copy(&mut self, digest: &Digest, now: Instant, forwarded: bool) -> bool {
        self.nodes.iter().any(|n| n.queue.holds(digest))
            || (forwarded && (self.forwarded.contains(digest, now) || self.retries.holds(digest)))
    }

    /// A hop acknowledgement of `env` from the relay's service; to another relay, it names `env`'s
    /// sender ([IOTP-MSG-146]).
    fn ack(&mut self, to: &P, env: &Envelope<'_>, out: &mut Vec<RelayOutput<P>>) {
        let sender = env.sender.filter(|_| self.is_relay_peer(to));
        for o in self
            .service
            .acknowledgement_naming(to, env.message_id, sender)
        {
            if let crate::engine::Output::Send { to, bytes } = o {
                out.push(RelayOutput::Send { to, bytes });
            }
        }
    }

    /// Answers the request `env` with a status instead of acknowledging it ([IOTP-MSG-69]): sealed under
    /// the hop context to one of its nodes ([IOTP-SEC-93]), unsealed to the sender's address over an
    /// authenticated relay hop ([IOTP-DLV-48]), and back to the hop peer otherwise ([IOTP-DLV-49]).
    #[allow(clippy::too_many_arguments)]
    fn refuse(
        &mut self,
        from: &P,
        hop: &From,
        env: &Envelope<'_>,
        recipient: Option<&str>,
        code: StatusCode,
        retry_after: Option<u32>,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let context = match hop {
            From::Own(i) => self.hop_context(&self.nodes[*i].address),
            From::Relay | From::Other => None,
        };
        let route = match (context, hop, env.sender) {
            (Some(context), _, _) => StatusRoute::Hop {
                context,
                request_key_id: env
                    .key_id
                    .and_then(|k| KeyId::new(k).ok())
                    .unwrap_or(KeyId::EMPTY),
            },
            (None, From::Relay, Some(s)) => StatusRoute::Address(s),
            (None, _, _) => StatusRoute::HopPeer,
        };
        let status = status(code, recipient, retry_after);
        if let Ok(bytes) = self.service.relay_status(route, env.message_id, &status) {
            out.push(RelayOutput::Send {
                to: from.clone(),
                bytes,
            });
            out.push(RelayOutput::Event(RelayEvent::NonDelivery {
                message_id: env.message_id,
                recipient: recipient.map(String::from),
                code,
            }));
        }
    }
}

/// A relay's status: `code`, the request's `recipient` and `retry_after` ([IOTP-MSG-67]).
pub(super) fn status(
    code: StatusCode,
    recipient: Option<&str>,
    retry_after: Option<u32>,
) -> owned::Status {
    owned::Status {
        code,
        member: None,
        capability_status: None,
        detail: None,
        echo: None,
        retry_after,
        decode_error: None,
        offset: None,
        recipient: recipient.map(String::from),
        supported_versions: None,
        unknown_fields: Default::default(),
    }
}

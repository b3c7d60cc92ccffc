//! Delivery to a home relay's own nodes (spec §3.7, §5.11, §8.7.1): presence and receipts from its
//! nodes, held envelopes delivered one at a time to the bound transport address while the node
//! listens, and the non-delivery statuses of what it gives up (§3.8).

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::owned::{self, PresenceAck};
use iotp2p_codec::core::{Envelope, PresenceState, StatusCode};
use iotp2p_codec::prelude::*;
use rand_core::CryptoRngCore;

use super::held::{Held, Written};
use super::receive::status;
use super::{awake, Listening, NdnRoute, Relay, RelayEvent, RelayOutput, Source};
use crate::engine::{Event, ExchangeId, Output, StatusRoute, LISTEN_TIME};
use crate::message::digest::digest;
use crate::message::retransmit::Action;
use crate::params::Instant;
use crate::security::edhoc::carriage::carries_handshake;
use crate::security::KeyId;

/// AWAKE_RETRY_DELAY of §3.7.3, in ms: how long after a failed delivery to a node that stays awake
/// its home relay delivers again without having heard from it ([IOTP-DLV-140]).
pub const AWAKE_RETRY_DELAY: u64 = 30_000;

impl<P: Clone + PartialEq + core::fmt::Debug> Relay<P> {
    /// The outputs of the service's engine. A request that opened under a node's hop context binds its
    /// hop ([IOTP-SEC-170]); the relay handles presence and receipts itself, and passes the rest on.
    pub(super) fn service_outputs(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        outputs: Vec<Output<P>>,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        for o in outputs {
            let event = match o {
                Output::Send { to, bytes } => {
                    out.push(RelayOutput::Send { to, bytes });
                    continue;
                }
                Output::Event(event) => event,
            };
            let own = match &event {
                Event::Request {
                    exchange,
                    hop,
                    context: Some(context),
                    body,
                    ..
                } => self.node_of_context(*context).map(|i| {
                    let kind = match body {
                        owned::Body::Presence(p) => Own::Presence(p.clone()),
                        owned::Body::Receipt(r) => Own::Receipt(r.clone()),
                        _ => Own::Other,
                    };
                    (i, *exchange, hop.clone(), kind)
                }),
                _ => None,
            };
            let Some((i, exchange, hop, kind)) = own else {
                out.push(RelayOutput::Event(RelayEvent::Service(event)));
                continue;
            };
            let sleep = self.nodes[i].sleep_interval;
            self.nodes[i].binding.verified(&hop, now, sleep);
            match kind {
                Own::Presence(p) => self.presence(now, rng, i, exchange, &hop, &p, out),
                Own::Receipt(r) => {
                    self.nodes[i].left = false;
                    self.receipt(now, rng, i, &hop, &r, out);
                    self.settle(exchange, out);
                    self.heard_from(i);
                    self.deliver_next(now, rng, i, out);
                }
                Own::Other => {
                    self.nodes[i].left = false;
                    out.push(RelayOutput::Event(RelayEvent::Service(event)));
                    self.heard_from(i);
                    self.deliver_next(now, rng, i, out);
                }
            }
        }
    }

    /// A message other than a `presence` verified on node `i`'s hop (after its receipt, if it is one,
    /// deleted what it names): a node that stays awake, lost since a delivery to it failed, listens
    /// again, and what it was delivered without a receipt goes again first ([IOTP-DLV-137],
    /// [IOTP-DLV-109]).
    fn heard_from(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        match node.listening {
            Listening::Lost { .. } => {
                node.listening = Listening::Always;
                node.queue.wake();
            }
            // Heard from while delivered to unheard: a failure from now on is one the node was
            // heard from before ([IOTP-DLV-139]).
            Listening::Retrying => node.listening = Listening::Always,
            _ => {}
        }
    }

    /// Nodes that stay awake, lost since a delivery failed and not heard from since, are delivered to
    /// once more AWAKE_RETRY_DELAY after the failure, what failed first ([IOTP-DLV-140]).
    pub(super) fn retry_lost(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        for i in 0..self.nodes.len() {
            let node = &mut self.nodes[i];
            if matches!(node.listening, Listening::Lost { retry: Some(t) } if t <= now) {
                node.listening = Listening::Retrying;
                node.queue.wake();
                self.deliver_next(now, rng, i, out);
            }
        }
    }

    /// A `presence` that verified on node `i`'s hop (§6.9, §8.7.1): its listening and binding
    /// lifetime follow it, `Leaving` unbinds and gives up what is held ([IOTP-DLV-46]); answered with
    /// `presence_ack` and the number held, then the held envelopes go ([IOTP-IM-69]).
    #[allow(clippy::too_many_arguments)]
    fn presence(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        i: usize,
        exchange: ExchangeId,
        hop: &P,
        p: &owned::Presence,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let node = &mut self.nodes[i];
        node.sleep_interval = p.sleep_interval.unwrap_or(0);
        node.max_message = p.max_message;
        let mut given_up = Vec::new();
        match p.state {
            PresenceState::Awake => {
                node.binding.verified(hop, now, node.sleep_interval);
                node.listening = awake(now, p.sleep_interval);
                node.left = false;
                // A new wake-up: what was delivered without a receipt goes again ([IOTP-DLV-109]).
                node.queue.wake();
                if let Some(id) = node.delivering.take() {
                    let mut started = Vec::new();
                    self.deliveries.acknowledge(hop, id, now, rng, &mut started);
                }
            }
            PresenceState::Asleep => {
                node.binding.verified(hop, now, node.sleep_interval);
                node.listening = Listening::No;
            }
            PresenceState::Leaving | PresenceState::Unrecognized(_) => {
                node.binding.leaving();
                node.listening = Listening::No;
                node.left = true;
                given_up = node.queue.drain();
            }
        }
        if !given_up.is_empty() {
            out.push(super::removed(&self.nodes[i].address, &given_up));
        }
        for h in given_up {
            self.give_up(now, rng, h, StatusCode::Undeliverable, out);
        }
        let pending = u32::try_from(self.nodes[i].queue.len()).unwrap_or(u32::MAX);
        let ack = owned::Body::PresenceAck(PresenceAck {
            pending,
            unknown_fields: Default::default(),
        });
        if let Ok(outputs) = self.service.reply(now, rng, exchange, &ack) {
            self.service_outputs(now, rng, outputs, out);
        }
        self.deliver_next(now, rng, i, out);
    }

    /// A receipt that verified on node `i`'s hop: deletes what it names and the relay delivered
    /// ([IOTP-MSG-129], [IOTP-MSG-130]), keeping their digests for RELAY_DEDUP_LIFETIME
    /// ([IOTP-MSG-117]).
    #[allow(clippy::too_many_arguments)]
    fn receipt(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        i: usize,
        hop: &P,
        r: &owned::Receipt,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let refs: Vec<Written> = r
            .delivered
            .iter()
            .map(|d| Written {
                message_id: d.message_id,
                sender: d.sender.clone(),
                sender_contact: d.sender_contact,
            })
            .collect();
        let deleted = self.nodes[i].queue.receipt(&refs);
        // What the node received sealed with its sender in full, it can open when that sender
        // comes by number from now on ([IOTP-MSG-138]); an unsealed envelope bound no context of
        // the node to that address.
        for h in &deleted {
            let sealed = || Envelope::decode(&h.bytes).is_ok_and(|e| e.sealed.is_some());
            if let Some(Written {
                sender: Some(s), ..
            }) = &h.delivered
            {
                if sealed() {
                    self.nodes[i].contacts.announce(s);
                }
            }
        }
        if !deleted.is_empty() {
            out.push(super::removed(&self.nodes[i].address, &deleted));
        }
        for h in deleted {
            if self.nodes[i].delivering == Some(h.message_id) {
                self.nodes[i].delivering = None;
                let mut started = Vec::new();
                self.deliveries
                    .acknowledge(hop, h.message_id, now, rng, &mut started);
            }
            if let Some(from) = &h.route.hop {
                self.forwarded.insert(from, h.digest, now);
            }
        }
    }

    /// Ends a request of the service that gets no reply (a receipt, [IOTP-MSG-132]).
    fn settle(&mut self, exchange: ExchangeId, out: &mut Vec<RelayOutput<P>>) {
        for o in self.service.settle(exchange) {
            if let Output::Send { to, bytes } = o {
                out.push(RelayOutput::Send { to, bytes });
            }
        }
    }

    /// Whether an envelope for node `i` would go at once: it listens, its hop is bound and nothing is in
    /// flight ([IOTP-DLV-45]).
    pub(super) fn deliverable_now(&self, i: usize, now: Instant) -> bool {
        let n = &self.nodes[i];
        n.delivering.is_none() && Self::listens(n, now) && n.binding.is_bound(now)
    }

    /// Delivers node `i`'s next held envelope, if it listens and its hop is bound ([IOTP-DLV-105]):
    /// confirmable ([IOTP-DLV-43]), with `more` when another follows ([IOTP-MSG-71]), its `ttl`
    /// decreased by the time held ([IOTP-MSG-65]), its sender by contact number where one applies
    /// ([IOTP-MSG-28]); one at a time, so that the order holds ([IOTP-DLV-106]).
    pub(super) fn deliver_next(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        i: usize,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        loop {
            let node = &mut self.nodes[i];
            if node.delivering.is_some() || !Self::listens(node, now) {
                return;
            }
            let Some(to) = node.binding.target(now).cloned() else {
                return;
            };
            let contacts = &node.contacts;
            let Some(index) = node.queue.next(|h| written(contacts, h, now)) else {
                return;
            };
            let Some(h) = node.queue.get(index) else {
                return;
            };
            let Ok(ttl) = h.ttl_at(now) else {
                // Its `ttl` ran out while held ([IOTP-MSG-66]).
                if let Some(h) = node.queue.take(index) {
                    out.push(super::removed(&node.address, core::slice::from_ref(&h)));
                    self.give_up(now, rng, h, StatusCode::Expired, out);
                }
                continue;
            };
            let queue = &node.queue;
            let more = queue.more_after(index);
            let message_id = h.message_id;
            let Ok(env) = Envelope::decode(&h.bytes) else {
                // Held envelopes decoded when they arrived; nothing else is held.
                if let Some(h) = node.queue.take(index) {
                    out.push(super::removed(&node.address, core::slice::from_ref(&h)));
                }
                continue;
            };
            let in_use = |c: u16| {
                queue.iter().any(|q| {
                    q.delivered
                        .as_ref()
                        .is_some_and(|w| w.sender_contact == Some(c))
                })
            };
            let (sender, sender_contact) = match &h.sender {
                None => (None, None),
                // A handshake goes with its sender in full ([IOTP-MSG-139]): the device binds a
                // visitor's context to the address it came from ([IOTP-SEC-198]). Its receipt
                // announces the address all the same.
                Some(s) if env.body.as_ref().is_some_and(carries_handshake) => {
                    node.contacts.carry_in_full(s, now, in_use);
                    (Some(s.clone()), None)
                }
                Some(s) => match node.contacts.carry(s, now, in_use) {
                    Some(c) => (None, Some(c)),
                    None => (Some(s.clone()), None),
                },
            };
            let hop_env = Envelope {
                ack_requested: true,
                ttl,
                more,
                // The node's previous address stays in full: the seal covers it (§3.11.2).
                recipient: env.recipient.filter(|r| *r != node.address),
                recipient_contact: None,
                sender: sender.as_deref(),
                sender_contact,
                ..env
            };
            let Ok(bytes) = hop_env.encode_to_vec() else {
                if let Some(h) = node.queue.take(index) {
                    out.push(super::removed(&node.address, core::slice::from_ref(&h)));
                }
                continue;
            };
            if node
                .max_message
                .is_some_and(|m| bytes.len() > usize::from(m))
            {
                // Larger than the node announced it can receive ([IOTP-MSG-76]): given up.
                if let Some(h) = node.queue.take(index) {
                    out.push(super::removed(&node.address, core::slice::from_ref(&h)));
                    self.give_up(now, rng, h, StatusCode::Undeliverable, out);
                }
                continue;
            }
            // Nothing waits (one delivery in flight per node): `Ok(None)` is an envelope held back
            // by the quarantine of its `message_id` ([IOTP-DLV-138]), sent by `retransmit` when it
            // ends, and delivered all the same.
            let send = match self.deliveries.submit(to, message_id, bytes, now, rng) {
                Ok(Some(Action::Send { peer, bytes, .. })) => Some((peer, bytes)),
                Ok(None) => None,
                Ok(Some(Action::Failed { .. })) | Err(_) => return,
            };
            let node = &mut self.nodes[i];
            node.queue.mark_delivered(
                index,
                Written {
                    message_id,
                    sender,
                    sender_contact,
                },
            );
            node.delivering = Some(message_id);
            if more && matches!(node.listening, Listening::Until(_)) {
                node.listening = Listening::Until(now.saturating_add(LISTEN_TIME));
            }
            if let Some((to, bytes)) = send {
                out.push(RelayOutput::Send { to, bytes });
            }
            return;
        }
    }

    /// An acknowledgement from `from` of the delivery `message_id`: its retransmission ends (and nothing
    /// else, [IOTP-DLV-108]) and the next envelope goes. Returns whether it acknowledged a delivery.
    pub(super) fn acknowledged(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        message_id: u64,
        out: &mut Vec<RelayOutput<P>>,
    ) -> bool {
        let Some(i) = self
            .nodes
            .iter()
            .position(|n| n.delivering == Some(message_id) && n.binding.is_bound_to(from, now))
        else {
            return false;
        };
        let mut started = Vec::new();
        if !self
            .deliveries
            .acknowledge(from, message_id, now, rng, &mut started)
        {
            return false;
        }
        self.nodes[i].delivering = None;
        self.deliver_next(now, rng, i, out);
        true
    }

    /// A reply of node `i`, from `from`, to the envelope being delivered to it and addressed to that
    /// envelope's sender: it acknowledges the delivery ([IOTP-MSG-42]), which ends its
    /// retransmission and nothing else ([IOTP-DLV-108]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn answered_delivery(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        i: usize,
        from: &P,
        correlation_id: u64,
        recipient: &str,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let node = &self.nodes[i];
        let answers = node.delivering == Some(correlation_id)
            && node.queue.iter().any(|h| {
                h.delivered.is_some()
                    && h.message_id == correlation_id
                    && h.sender.as_deref() == Some(recipient)
            });
        if answers {
            self.acknowledged(now, rng, from, correlation_id, out);
        }
    }

    /// Retransmissions of deliveries; a delivery that fails ends the node's listening: until its next
    /// wake-up for a node that sleeps ([IOTP-IM-69]), until it is heard from for one that stays awake
    /// ([IOTP-DLV-137]), so that nothing received later passes the failed envelope ([IOTP-DLV-106]).
    /// An envelope whose delivery to a node that stays awake fails twice in a row, the node heard
    /// from in between, is given up ([IOTP-DLV-139]): one the node cannot open (a reply after its
    /// request's matching time, a context it no longer has) is never acknowledged, and would
    /// otherwise go first at every wake-up and hold back everything behind it.
    pub(super) fn retransmit(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let mut actions = Vec::new();
        self.deliveries.on_timer(now, rng, &mut actions);
        for action in actions {
            match action {
                Action::Send { peer, bytes, .. } => out.push(RelayOutput::Send { to: peer, bytes }),
                Action::Failed {
                    peer, message_id, ..
                } => {
                    let Some(i) = self.nodes.iter().position(|n| {
                        n.delivering == Some(message_id) && n.binding.is_bound_to(&peer, now)
                    }) else {
                        continue;
                    };
                    let n = &mut self.nodes[i];
                    n.delivering = None;
                    let awake = n.listening == Listening::Always;
                    n.listening = match n.listening {
                        Listening::Until(_) => Listening::No,
                        Listening::Always => Listening::Lost {
                            retry: Some(now.saturating_add(AWAKE_RETRY_DELAY)),
                        },
                        // The delivery unheard failed too: the node is waited for.
                        Listening::Retrying => Listening::Lost { retry: None },
                        other => other,
                    };
                    // A delivery unheard that fails is no failure after the node was heard from:
                    // it does not count towards giving the envelope up ([IOTP-DLV-139]).
                    if awake {
                        self.failed_again(now, rng, i, message_id, out);
                    }
                }
            }
        }
    }

    /// The delivery of `message_id` to node `i`, which stays awake, failed: the envelope is given
    /// up, `Undeliverable` for a request, if its previous delivery had failed too, and what was
    /// behind it goes ([IOTP-DLV-139]).
    fn failed_again(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        i: usize,
        message_id: u64,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let node = &mut self.nodes[i];
        let index = node.queue.iter().position(|h| {
            h.delivered
                .as_ref()
                .is_some_and(|w| w.message_id == message_id)
        });
        let Some(index) = index else {
            return;
        };
        let digest = node.queue.get(index).map(|h| h.digest);
        if node.failed != digest {
            node.failed = digest;
            return;
        }
        node.failed = None;
        // The node was heard from since the envelope's first failure: the envelope failed, not the
        // path, and what was behind it goes now.
        node.listening = Listening::Always;
        if let Some(h) = node.queue.take(index) {
            out.push(super::removed(&node.address, core::slice::from_ref(&h)));
            self.give_up(now, rng, h, StatusCode::Undeliverable, out);
        }
        self.deliver_next(now, rng, i, out);
    }

    /// Gives up what has been held too long: `Expired` for each request ([IOTP-DLV-40]).
    pub(super) fn expire(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        for i in 0..self.nodes.len() {
            let max_hold = self.limits_of(i).max_hold_time;
            let gone = self.nodes[i].queue.expire(now, max_hold);
            if !gone.is_empty() {
                out.push(super::removed(&self.nodes[i].address, &gone));
            }
            for h in gone {
                if self.nodes[i].delivering == Some(h.message_id) {
                    self.nodes[i].delivering = None;
                }
                self.give_up(now, rng, h, StatusCode::Expired, out);
            }
        }
    }

    /// Gives `h` up: for a request, a non-delivery status to its sender ([IOTP-MSG-67], [IOTP-DLV-48],
    /// [IOTP-DLV-49]); never for a reply ([IOTP-MSG-68]). Its digest stays for RELAY_DEDUP_LIFETIME.
    pub(super) fn give_up(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        h: Held<Source<P>>,
        code: StatusCode,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        if let Some(from) = &h.route.hop {
            self.forwarded.insert(from, h.digest, now);
        }
        if !h.request {
            return;
        }
        let Ok(env) = Envelope::decode(&h.bytes) else {
            return;
        };
        let recipient = crate::message::envelope::recipient(&env);
        let recipient: Option<String> = match recipient {
            crate::message::envelope::Recipient::Address(a) => Some(a.into()),
            _ => None,
        };
        let status = status(code, recipient.as_deref(), None);
        out.push(RelayOutput::Event(RelayEvent::NonDelivery {
            message_id: h.message_id,
            recipient,
            code,
        }));
        match &h.route.ndn {
            NdnRoute::HopPeer(p) => {
                if let Ok(bytes) =
                    self.service
                        .relay_status(StatusRoute::HopPeer, h.message_id, &status)
                {
                    out.push(RelayOutput::Send {
                        to: p.clone(),
                        bytes,
                    });
                }
            }
            NdnRoute::Nowhere => {}
            NdnRoute::Sender(address) => match self.node(address) {
                Some(j) => {
                    // To one of its own nodes: sealed under their hop context and held like any reply.
                    let Some(context) = self.hop_context(address) else {
                        return;
                    };
                    let request_key_id = env
                        .key_id
                        .and_then(|k| KeyId::new(k).ok())
                        .unwrap_or(KeyId::EMPTY);
                    let route = StatusRoute::Hop {
                        context,
                        request_key_id,
                    };
                    let Ok(bytes) = self.service.relay_status(route, h.message_id, &status) else {
                        return;
                    };
                    self.hold_own(now, rng, j, bytes, out);
                }
                None => {
                    let route = StatusRoute::Address(address);
                    if let Ok(bytes) = self.service.relay_status(route, h.message_id, &status) {
                        let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
                        out.push(RelayOutput::Forward {
                            domain: domain.into(),
                            bytes,
                        });
                    }
                }
            },
        }
    }

    /// Holds a reply of the relay's own service for node `j` and delivers it when it can.
    fn hold_own(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        j: usize,
        bytes: Vec<u8>,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let Ok(env) = Envelope::decode(&bytes) else {
            return;
        };
        let message_id = env.message_id;
        let Ok(digest) = digest(
            &env,
            Some(&self.nodes[j].address),
            Some(&self.service_address),
        ) else {
            return;
        };
        let held = Held {
            digest,
            bytes,
            message_id,
            sender: None,
            request: false,
            received: now,
            ttl: None,
            route: Source {
                hop: None,
                ndn: NdnRoute::Nowhere,
            },
            delivered: None,
        };
        let limits = self.limits_of(j);
        let record = super::stored(&self.nodes[j].address, &held, limits.max_hold_time);
        if let Ok(dropped) = self.nodes[j].queue.admit(held, &limits) {
            if !dropped.is_empty() {
                out.push(super::removed(&self.nodes[j].address, &dropped));
            }
            out.push(record);
            self.deliver_next(now, rng, j, out);
        }
    }
}

/// A request of one of the relay's nodes to the relay's service, by what the relay does with it.
enum Own {
    Presence(owned::Presence),
    Receipt(owned::Receipt),
    /// For the provider's application.
    Other,
}

/// How the relay would write the sender of `h` on the node's hop at `now`: by its contact number if
/// the address is known to the node and `h` is no handshake, else in full (a number set aside now names
/// nothing delivered yet).
fn written<R>(contacts: &super::contacts::Contacts, h: &Held<R>, now: Instant) -> Written {
    let handshake =
        Envelope::decode(&h.bytes).is_ok_and(|e| e.body.as_ref().is_some_and(carries_handshake));
    match &h.sender {
        None => Written {
            message_id: h.message_id,
            sender: None,
            sender_contact: None,
        },
        Some(s) => match contacts.lookup(s, now).filter(|_| !handshake) {
            Some(c) => Written {
                message_id: h.message_id,
                sender: None,
                sender_contact: Some(c),
            },
            None => Written {
                message_id: h.message_id,
                sender: Some(String::from(s)),
                sender_contact: None,
            },
        },
    }
}

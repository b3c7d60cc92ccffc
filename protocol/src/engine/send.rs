//! Sending: requests of the application, its replies, and the acknowledgements and statuses the engine
//! sends by itself; every envelope built with the generated codec, and sealed when a context is given.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use iotp2p_codec::core::{owned, Body, Envelope, Status, StatusCode};
use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::EncodeError;
use rand_core::CryptoRngCore;

use super::peers::{ContextId, ContextKind};
use super::{Event, ExchangeId, Node, Origin, Output, Pending, Role};
use crate::message::digest::Digest;
use crate::message::ids::first_free;
use crate::params::{Instant, MAX_MESSAGE};
use crate::security::seal::{SealError, TAG_LEN};
use crate::security::{Exchange as AadExchange, KeyId, Routing};

/// Where a request goes, end to end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// The hop peer itself (a direct hop): no `recipient` in the envelope ([IOTP-MSG-24]).
    HopPeer,
    /// A node by its address, through the hop peer (a relay) ([IOTP-MSG-23]).
    Address(String),
    /// A correspondent by the contact number the home relay gave it ([IOTP-MSG-29]).
    Contact(u16),
}

/// Why the engine did not send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendError {
    /// Too many requests await their reply, or one with the same `message_id` and recipient does
    /// ([IOTP-MSG-107]): try again once one is answered.
    Busy,
    /// The node-wide counter or the context's Sender Sequence Number is used up ([IOTP-MSG-102],
    /// [IOTP-SEC-70]).
    Exhausted,
    /// No such security context.
    NoContext,
    /// No such request to answer (answered already, or forgotten as the oldest of a full table).
    UnknownExchange,
    /// The envelope would exceed MAX_MESSAGE ([IOTP-MSG-1]).
    TooLarge,
    /// Too many confirmable envelopes wait for NSTART.
    QueueFull,
    /// The body or an address does not fit its schema type.
    Encode(EncodeError),
    /// No request of this node to that hop peer with that `message_id` failed within ACK_TIMEOUT and
    /// waits to go again ([`Node::send_again`]), or it went again already.
    NotFailed,
}

impl From<EncodeError> for SendError {
    fn from(e: EncodeError) -> Self {
        SendError::Encode(e)
    }
}

/// What goes into one envelope.
pub(super) struct Plan<'a> {
    pub(super) context: Option<ContextId>,
    pub(super) exchange: AadExchange,
    pub(super) correlation_id: Option<u64>,
    pub(super) recipient: Option<&'a str>,
    pub(super) recipient_contact: Option<u16>,
    /// The recipient's address for the associated data.
    pub(super) aad_recipient: Option<&'a str>,
    pub(super) include_sender: bool,
    pub(super) ack_requested: bool,
    pub(super) ttl: Option<u32>,
    pub(super) body: &'a [u8],
    /// An answer sealed under another context than the request's carries `key_id`
    /// ([IOTP-SEC-164]); requests always do, whatever this says.
    pub(super) carry_key_id: bool,
    /// Values the envelope's `message_id` must not take, sealed or not ([`Node::ids_in_use`]).
    pub(super) avoid: &'a [u64],
}

impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// Sends a request to `recipient` through the hop peer `to`, sealed under `context` if given;
    /// returns its `message_id`, by which [`Event::Reply`] names it.
    #[allow(clippy::too_many_arguments)]
    pub fn request(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        to: P,
        recipient: Destination,
        context: Option<ContextId>,
        body: &owned::Body,
        confirmable: bool,
        ttl: Option<u32>,
    ) -> Result<(u64, Vec<Output<P>>), SendError> {
        self.expire(now);
        let avoid = self.ids_in_use(&to, confirmable);
        let next_id = match context {
            Some(id) => first_free(
                self.contexts
                    .get(id)
                    .ok_or(SendError::NoContext)?
                    .context
                    .sender_sequence_number(),
                &avoid,
            ),
            None => self.counter.peek_avoiding(&avoid),
        };
        if self.pending.len() >= self.config.max_pending
            || self
                .pending
                .iter()
                .any(|p| p.message_id == next_id && p.to == to && p.recipient == recipient)
        {
            return Err(SendError::Busy);
        }
        if let owned::Body::Unsubscribe(u) = body {
            // The reports of a subscription being ended are no longer wanted.
            self.forget_subscription(u.subscription);
        }
        let encoded = body.encode_to_vec_as::<R>()?;
        let aad_recipient = match &recipient {
            Destination::Address(a) => Some(a.clone()),
            Destination::HopPeer | Destination::Contact(_) => context
                .and_then(|id| self.contexts.get(id))
                .and_then(|e| e.peer.address.clone()),
        };
        let (recipient_field, recipient_contact) = match &recipient {
            Destination::Address(a) => (Some(a.as_str()), None),
            Destination::Contact(c) => (None, Some(*c)),
            Destination::HopPeer => (None, None),
        };
        let include_sender = self.home_relay.as_ref() != Some(&to);
        let (message_id, bytes) = self.build(Plan {
            context,
            exchange: AadExchange::Request,
            correlation_id: None,
            recipient: recipient_field,
            recipient_contact,
            aad_recipient: aad_recipient.as_deref(),
            include_sender,
            ack_requested: confirmable,
            ttl,
            body: &encoded,
            carry_key_id: false,
            avoid: &avoid,
        })?;
        let mut out = Vec::new();
        self.transmit(
            now,
            rng,
            to.clone(),
            message_id,
            bytes,
            confirmable,
            &mut out,
        )?;
        self.pending.push_back(Pending {
            to,
            message_id,
            recipient,
            context,
            until: now
                .saturating_add(self.config.timing.exchange_lifetime)
                .saturating_add(u64::from(ttl.unwrap_or(0)) * 1_000),
            subscribe: matches!(body, owned::Body::Subscribe(_)),
            failed: None,
            sent_again: false,
        });
        Ok((message_id, out))
    }

    /// Answers the request `exchange` with `body`, under the context the request opened under
    /// ([IOTP-SEC-165]), to the hop peer it came from ([IOTP-MSG-106]); the reply is kept for
    /// resending to duplicates of the request ([IOTP-MSG-56]). A reply that does not fit one message
    /// is replaced by the status `TooLarge` ([IOTP-IM-14]): the client then asks for less. A reply
    /// to a confirmable request whose acknowledgement went alone is confirmable ([IOTP-MSG-135]):
    /// the acknowledgement ended the request's retransmission, which can no longer recover it. So is
    /// a device's reply to a request its home relay delivered ([IOTP-MSG-140]): the receipt naming
    /// the request ends the relay's retransmission whether or not the reply arrived.
    pub fn reply(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        exchange: ExchangeId,
        body: &owned::Body,
    ) -> Result<Vec<Output<P>>, SendError> {
        let index = self
            .exchanges
            .iter()
            .position(|e| e.id == exchange)
            .ok_or(SendError::UnknownExchange)?;
        let body = body.encode_to_vec_as::<R>()?;
        let e = self.exchanges[index].clone();
        let confirmable = e.acked_alone || self.sends_receipts_to(&e.from);
        let answered = self.answer_with(
            &e.from,
            &e.sender,
            e.context,
            e.message_id,
            &body,
            confirmable,
        );
        let (message_id, bytes) = match answered {
            Err(SendError::TooLarge) => {
                let too_large =
                    status_body::<R>(StatusCode::TooLarge).ok_or(SendError::TooLarge)?;
                self.answer_with(
                    &e.from,
                    &e.sender,
                    e.context,
                    e.message_id,
                    &too_large,
                    confirmable,
                )?
            }
            answered => answered?,
        };
        self.exchanges.remove(index);
        self.replies.insert(e.digest, &bytes, now);
        let mut out = Vec::new();
        // A reply that carries the acknowledgement is not confirmable: if it is lost, the request's
        // retransmission brings it again from the reply cache.
        self.transmit_keeping(
            now,
            rng,
            e.from.clone(),
            message_id,
            bytes.clone(),
            confirmable,
            0,
            &mut out,
        )?;
        // A confirmable reply that waits its turn (NSTART) carries no acknowledgement yet: the
        // request still owed one gets it alone now ([IOTP-MSG-43]), not from its retransmission.
        if e.ack_due.is_some() && self.retransmitter.is_waiting(&e.from, &bytes) {
            self.acknowledge(&e.from, e.message_id, &mut out);
        }
        Ok(out)
    }

    /// Sends the answer to the request `message_id` from `from`, sealed under `context` if given, and
    /// returns its bytes. It carries the request's acknowledgement; it is confirmable when the
    /// request's acknowledgement went alone ([IOTP-MSG-135]) or its home relay delivered the request
    /// ([IOTP-MSG-140]), as [`Node::reply`] says.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn answer(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        sender: &Origin<P>,
        context: Option<ContextId>,
        message_id: u64,
        body: &[u8],
        acked_alone: bool,
        out: &mut Vec<Output<P>>,
    ) -> Option<Vec<u8>> {
        let confirmable = acked_alone || self.sends_receipts_to(from);
        let (id, bytes) = self
            .answer_with(from, sender, context, message_id, body, confirmable)
            .ok()?;
        self.transmit_keeping(
            now,
            rng,
            from.clone(),
            id,
            bytes.clone(),
            confirmable,
            0,
            out,
        )
        .ok()?;
        Some(bytes)
    }

    /// Builds the answer to the request `message_id`; returns its own `message_id` and bytes.
    fn answer_with(
        &mut self,
        from: &P,
        sender: &Origin<P>,
        context: Option<ContextId>,
        message_id: u64,
        body: &[u8],
        confirmable: bool,
    ) -> Result<(u64, Vec<u8>), SendError> {
        // A requester known by its address is named as the recipient, and this node as the
        // sender unless the hop peer is its home relay, which knows its address ([IOTP-MSG-22],
        // [IOTP-MSG-23], [IOTP-MSG-25]): the hop peer may be a relay that passed the request on.
        let via_relay = self.home_relay.as_ref() == Some(from);
        let (recipient, recipient_contact) = match sender {
            Origin::Address(a) => (Some(a.as_str()), None),
            Origin::Contact(c) => (None, Some(*c)),
            Origin::HopPeer(_) => (None, None),
        };
        let include_sender = matches!(sender, Origin::Address(_)) && !via_relay;
        let entry = context.and_then(|id| self.contexts.get(id));
        let request_key_id = entry.map_or(KeyId::EMPTY, |e| *e.context.recipient_id());
        let aad_recipient: Option<String> = match sender {
            Origin::Address(a) => Some(a.clone()),
            Origin::Contact(_) | Origin::HopPeer(_) => entry.and_then(|e| e.peer.address.clone()),
        };
        let avoid = self.ids_in_use(from, confirmable);
        self.build(Plan {
            context,
            exchange: AadExchange::Answer {
                request_key_id,
                correlation_id: message_id,
            },
            correlation_id: Some(message_id),
            recipient,
            recipient_contact,
            aad_recipient: aad_recipient.as_deref(),
            include_sender,
            ack_requested: confirmable,
            ttl: None,
            body,
            carry_key_id: false,
            avoid: &avoid,
        })
    }

    /// The `message_id`s that a `confirmable` envelope towards the hop peer `to` must not take
    /// ([IOTP-MSG-142]): those of the confirmable envelopes in flight, waiting or lately ended
    /// towards it; none for an envelope that is not confirmable. An acknowledgement names only a
    /// `message_id`, and envelopes unsealed and sealed under different contexts are numbered apart
    /// (§5.4): a late copy of the acknowledgement of one would end the retransmission of another
    /// with the same number.
    pub(super) fn ids_in_use(&self, to: &P, confirmable: bool) -> Vec<u64> {
        if !confirmable {
            return Vec::new();
        }
        self.retransmitter.ids_towards(to).collect()
    }

    /// An unsealed status about the request `message_id` ([IOTP-SEC-74], [IOTP-MSG-31], ...).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn status(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        sender: &Origin<P>,
        message_id: u64,
        code: StatusCode,
        out: &mut Vec<Output<P>>,
    ) {
        if let Some(body) = status_body::<R>(code) {
            self.answer(now, rng, from, sender, None, message_id, &body, false, out);
        }
    }

    /// A hop acknowledgement of `message_id` to `to` ([IOTP-MSG-41]): unsealed ([IOTP-MSG-9]), with
    /// `correlation_id` ([IOTP-MSG-7]) and never confirmable ([IOTP-MSG-8]).
    pub(super) fn acknowledge(&mut self, to: &P, message_id: u64, out: &mut Vec<Output<P>>) {
        self.acknowledge_naming(to, message_id, None, out);
    }

    /// The same, naming the acknowledged envelope's `sender` as its recipient, as a relay does
    /// towards another relay ([IOTP-MSG-146]).
    pub(super) fn acknowledge_naming(
        &mut self,
        to: &P,
        message_id: u64,
        sender: Option<&str>,
        out: &mut Vec<Output<P>>,
    ) {
        let mut body = [0u8; 4];
        let Ok(n) = Body::Ack.encode_as::<R>(&mut body) else {
            return;
        };
        if let Ok((_, bytes)) = self.build(Plan {
            context: None,
            exchange: AadExchange::Request,
            correlation_id: Some(message_id),
            recipient: sender,
            recipient_contact: None,
            aad_recipient: None,
            include_sender: false,
            ack_requested: false,
            ttl: None,
            body: &body[..n],
            carry_key_id: false,
            avoid: &[],
        }) {
            out.push(Output::Send {
                to: to.clone(),
                bytes,
            });
        }
    }

    /// A sealed, confirmable request to the hop peer itself under `context` (a receipt): its
    /// `message_id` and bytes.
    pub(super) fn build_request(
        &mut self,
        context: ContextId,
        aad_recipient: Option<&str>,
        body: &[u8],
    ) -> Result<(u64, Vec<u8>), SendError> {
        let avoid = match &self.home_relay {
            Some(relay) => self.ids_in_use(relay, true),
            None => Vec::new(),
        };
        self.build(Plan {
            context: Some(context),
            exchange: AadExchange::Request,
            correlation_id: None,
            recipient: None,
            recipient_contact: None,
            aad_recipient,
            include_sender: false,
            ack_requested: true,
            ttl: None,
            body,
            carry_key_id: false,
            avoid: &avoid,
        })
    }

    /// Sends an envelope of the node's own (not a reply) now, through the retransmitter when
    /// confirmable. One that must wait its turn leaves a place in the waiting queue for the reply to
    /// each request still awaiting the application's ([IOTP-MSG-144]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn transmit(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        to: P,
        message_id: u64,
        bytes: Vec<u8>,
        confirmable: bool,
        out: &mut Vec<Output<P>>,
    ) -> Result<(), SendError> {
        let kept = self.exchanges.len();
        self.transmit_keeping(now, rng, to, message_id, bytes, confirmable, kept, out)
    }

    /// Sends `bytes` now, through the retransmitter when confirmable, leaving `kept` places of the
    /// waiting queue free if it must wait. A reply keeps none: the room it may need was kept for it
    /// when its request was taken ([IOTP-MSG-144]).
    #[allow(clippy::too_many_arguments)]
    fn transmit_keeping(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        to: P,
        message_id: u64,
        bytes: Vec<u8>,
        confirmable: bool,
        kept: usize,
        out: &mut Vec<Output<P>>,
    ) -> Result<(), SendError> {
        if !confirmable {
            out.push(Output::Send { to, bytes });
            return Ok(());
        }
        if let Some(action) = self
            .retransmitter
            .submit_keeping(to, message_id, bytes, now, rng, kept)
            .map_err(|_| SendError::QueueFull)?
        {
            self.push_actions(now, vec![action], out);
        }
        Ok(())
    }

    /// Encodes (and seals) one envelope; returns its `message_id` and bytes.
    pub(super) fn build(&mut self, plan: Plan<'_>) -> Result<(u64, Vec<u8>), SendError> {
        let own = self.config.address.clone();
        let sender = if plan.include_sender {
            own.as_deref()
        } else {
            None
        };
        let mut sealed = Vec::new();
        let (message_id, key_id, body) = match plan.context {
            Some(id) => {
                let entry = self.contexts.get_mut(id).ok_or(SendError::NoContext)?;
                let ssn = entry.context.sender_sequence_number();
                entry.context.skip_to(first_free(ssn, plan.avoid));
                let routing = if entry.peer.kind == ContextKind::Pairing {
                    Routing {
                        version: 1,
                        sender: None,
                        recipient: None,
                    }
                } else {
                    Routing {
                        version: 1,
                        sender: own.as_deref(),
                        recipient: plan.aad_recipient,
                    }
                };
                sealed = vec![0u8; plan.body.len() + TAG_LEN];
                let done = entry
                    .context
                    .seal(&plan.exchange, &routing, plan.body, &mut sealed)
                    .map_err(|e| match e {
                        SealError::Exhausted => SendError::Exhausted,
                        SealError::BufferTooSmall { .. } => SendError::TooLarge,
                        SealError::Aad(e) => SendError::Encode(e),
                    })?;
                sealed.truncate(done.len);
                // Requests carry `key_id` ([IOTP-SEC-71]); answers under the request's context leave
                // it out (§8.5.5 step 6), others carry it ([IOTP-SEC-164]).
                let key_id = (plan.correlation_id.is_none() || plan.carry_key_id)
                    .then(|| *entry.context.sender_id());
                (done.message_id, key_id, None)
            }
            None => {
                let message_id = self
                    .counter
                    .next_id_avoiding(plan.avoid)
                    .ok_or(SendError::Exhausted)?;
                let body = Body::decode_as::<R>(plan.body)
                    .map_err(|_| SendError::Encode(EncodeError::DepthExceeded))?;
                (message_id, None, Some(body))
            }
        };
        let envelope = Envelope {
            correlation_id: plan.correlation_id,
            ack_requested: plan.ack_requested,
            ttl: plan.ttl,
            recipient: plan.recipient,
            sender,
            recipient_contact: plan.recipient_contact,
            key_id: key_id.as_ref().map(KeyId::as_bytes),
            sealed: plan.context.map(|_| sealed.as_slice()),
            body,
            ..Envelope::new(message_id)
        };
        // Too large before anything is checked, as the length came first when it was
        // `encoded_len`: the envelope's own fields, and the body as `plan.body` has it, which the
        // envelope writes back byte for byte under its key (12, one byte), so that no length walk
        // of every body is linked.
        let body_len = envelope.body.map_or(0, |_| 1 + plan.body.len());
        let fields = Envelope {
            body: None,
            ..envelope
        };
        if fields.encoded_len() + body_len > MAX_MESSAGE {
            return Err(SendError::TooLarge);
        }
        let bytes = envelope.encode_to_vec_as::<R>()?;
        Ok((message_id, bytes))
    }

    /// Forgets the oldest unanswered request when the table is full (sending its acknowledgement if it
    /// still owes one), and records a new one.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn open_exchange(
        &mut self,
        from: P,
        message_id: u64,
        sender: Origin<P>,
        context: Option<ContextId>,
        digest: Digest,
        ack_due: Option<Instant>,
        out: &mut Vec<Output<P>>,
    ) -> ExchangeId {
        if self.exchanges.len() >= self.config.max_exchanges.max(1) {
            if let Some(old) = self.exchanges.pop_front() {
                if old.ack_due.is_some() {
                    self.acknowledge(&old.from, old.message_id, out);
                }
            }
        }
        let id = ExchangeId(self.next_exchange);
        self.next_exchange += 1;
        self.exchanges.push_back(super::Exchange {
            id,
            from,
            message_id,
            sender,
            context,
            digest,
            ack_due,
            acked_alone: false,
        });
        id
    }

    /// Reports an acknowledged confirmable envelope.
    pub(super) fn acknowledged(&mut self, to: P, message_id: u64, out: &mut Vec<Output<P>>) {
        self.receipt_acknowledged(&to, message_id);
        out.push(Output::Event(Event::Acknowledged { to, message_id }));
    }
}

/// The body of a status with `code` and nothing else but what the code requires: the versions this
/// engine supports with `UnsupportedVersion` ([IOTP-ERR-9]). `None` only if it does not encode, which
/// a known code never fails to, whatever the role `R` (every role sends `status`).
fn status_body<R: Role>(code: StatusCode) -> Option<Vec<u8>> {
    let status = Body::Status(Status {
        code,
        supported_versions: (code == StatusCode::UnsupportedVersion)
            .then(|| super::SUPPORTED_VERSIONS.as_slice().into()),
        ..Status::new()
    });
    status.encode_to_vec_as::<R>().ok()
}

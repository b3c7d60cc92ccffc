//! The receive pipeline of an end node, in the order of spec §5.9.1 ([IOTP-MSG-116]): decode, size,
//! envelope rules, route, version, sender, open or look up, acknowledge, dispatch. Each step either
//! passes the envelope on or ends with a discard (and, where the spec says so, a status); no state
//! changes before step 7 has verified a seal, except the exact-match cache of unsealed envelopes.

use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use iotp2p_codec::prelude::*;

use iotp2p_codec::core::{Body, Envelope, StatusCode};
use iotp2p_codec::runtime::Opaque;
use rand_core::CryptoRngCore;

use super::peers::{ContextId, ContextKind};
use super::send::Destination;
use super::{DedupOrigin, Discard, Event, Node, Origin, Output, Pending, Role};
use crate::message::digest::{digest_as, Digest};
use crate::message::envelope::{self, Hop, Recipient, Sender};
use crate::params::Instant;
use crate::security::edhoc::carriage::{SECURITY_CAPABILITY, SECURITY_ENDPOINT};
use crate::security::seal::OpenError;
use crate::security::{Exchange as AadExchange, KeyId, Routing};

use super::VERSION;

impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// Handles one envelope received from the hop peer `from` at `now`.
    pub fn receive(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        bytes: &[u8],
    ) -> Vec<Output<P>> {
        let mut out = Vec::new();
        let delivery = self.delivery_of(from, bytes);
        let processed = self.pipeline(now, rng, from, bytes, &mut out);
        // A request left for want of room is to come again: a receipt naming it would make the
        // relay delete it ([IOTP-MSG-123], [IOTP-MSG-144]).
        let to_come_again = processed == Err(Discard::NoRoom);
        if let Err(reason) = processed {
            out.push(Output::Event(Event::Discarded {
                from: from.clone(),
                reason,
            }));
        }
        if let Some((delivery, more)) = delivery.filter(|_| !to_come_again) {
            self.delivered(now, rng, delivery, more, &mut out);
        }
        out
    }

    fn pipeline(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        bytes: &[u8],
        out: &mut Vec<Output<P>>,
    ) -> Result<(), Discard> {
        self.expire(now);
        // 1. Decode.
        let env = Envelope::decode_as::<R>(bytes).map_err(|e| Discard::Decode(e.class()))?;
        let is_request = env.correlation_id.is_none();
        let sender = self.origin(from, &env);

        // 2. Size and 3. envelope rules (for another version, only those of the frozen keys).
        let hop = if self.home_relay.as_ref() == Some(from) {
            Hop::FromHomeRelay
        } else {
            Hop::Other
        };
        if let Err(e) = envelope::check(
            &env,
            bytes.len(),
            self.config.max_message,
            hop,
            env.version != VERSION,
        ) {
            if is_request && !matches!(e, envelope::EnvelopeError::TooLarge { .. }) {
                self.status(
                    now,
                    rng,
                    from,
                    &sender,
                    env.message_id,
                    StatusCode::InvalidEnvelope,
                    out,
                );
            }
            return Err(Discard::Envelope(e));
        }

        // 4. Route: an end node is the recipient of nothing else.
        let for_us = match envelope::recipient(&env) {
            Recipient::This => true,
            // Or forwarded by the previous home relay during a re-homing's grace period.
            Recipient::Address(a) => {
                self.config.address.as_deref() == Some(a) || self.previous_address() == Some(a)
            }
            Recipient::Contact(_) => false,
        };
        if !for_us {
            if is_request {
                self.status(
                    now,
                    rng,
                    from,
                    &sender,
                    env.message_id,
                    StatusCode::NoRoute,
                    out,
                );
            }
            return Err(Discard::NotForThisNode);
        }

        // 5. Version.
        if env.version != VERSION {
            if is_request {
                self.status(
                    now,
                    rng,
                    from,
                    &sender,
                    env.message_id,
                    StatusCode::UnsupportedVersion,
                    out,
                );
            }
            return Err(Discard::UnsupportedVersion);
        }

        // 6. Sender: resolved above, as `sender`. A request whose reply may have to wait its turn
        // (NSTART) is taken only if the waiting queue has room for that reply besides those it keeps
        // for the requests still awaiting the application's; otherwise it is left unrecorded and
        // unacknowledged, for its retransmission to bring again ([IOTP-MSG-144]).
        if is_request
            && (env.ack_requested || self.sends_receipts_to(from))
            && self.retransmitter.room() <= self.exchanges.len()
        {
            return Err(Discard::NoRoom);
        }

        // 7. Open or look up.
        let request_digest = self.digest_of(bytes, &sender);
        let (context, fresh, plaintext) = match env.sealed {
            Some(sealed) => {
                match self.open(from, &env, &sender, sealed) {
                    Ok((id, fresh, plaintext)) => (Some(id), fresh, Some(plaintext)),
                    Err(Discard::Open(OpenError::Duplicate)) => {
                        self.duplicate(now, from, &env, request_digest, out);
                        return Err(Discard::Duplicate);
                    }
                    Err(Discard::Open(OpenError::Stale)) => {
                        // A replay: no acknowledgement, no answer ([IOTP-MSG-111]).
                        return Err(Discard::Open(OpenError::Stale));
                    }
                    Err(reason @ (Discard::NoContext | Discard::Open(_))) => {
                        if is_request {
                            self.status(
                                now,
                                rng,
                                from,
                                &sender,
                                env.message_id,
                                StatusCode::Unauthenticated,
                                out,
                            );
                        }
                        return Err(reason);
                    }
                    Err(reason) => return Err(reason),
                }
            }
            None => {
                if !matches!(env.body, Some(Body::Ack)) {
                    let key = match &sender {
                        Origin::Address(a) => DedupOrigin::Address(a.clone()),
                        Origin::Contact(c) => DedupOrigin::Contact(*c),
                        Origin::HopPeer(p) => DedupOrigin::HopPeer(p.clone()),
                    };
                    if self
                        .dedup
                        .check_and_insert(&key, env.message_id, &request_digest, now)
                    {
                        self.duplicate(now, from, &env, request_digest, out);
                        return Err(Discard::Duplicate);
                    }
                }
                (None, true, None)
            }
        };
        let body = match &plaintext {
            Some(p) => match Body::decode_as::<R>(p) {
                Ok(Body::Ack) | Err(_) => return Err(Discard::BadPlaintext),
                Ok(body) => body,
            },
            // Exactly one of `sealed` and `body` (step 3).
            None => env.body.ok_or(Discard::BadPlaintext)?,
        };
        let fresh = match (fresh, context) {
            (false, Some(id)) if is_request => {
                self.resynchronise(now, rng, from, &env, &sender, id, &body, out)?;
                true
            }
            _ => fresh,
        };

        // 8. Acknowledge: at once, except a request for the application, whose reply may carry the
        // acknowledgement if it comes within the piggyback window ([IOTP-MSG-44]).
        let for_application =
            env.correlation_id.is_none() && !matches!(body, Body::Unrecognized { .. });
        let ack_due = (env.ack_requested && for_application)
            .then(|| now.saturating_add(self.config.piggyback_window));
        if env.ack_requested && !for_application {
            self.acknowledge(from, env.message_id, out);
        }

        // 9. Dispatch.
        self.dispatch(
            now,
            rng,
            from,
            &env,
            sender,
            context,
            fresh,
            body,
            request_digest,
            ack_due,
            out,
        )
    }

    /// Step 7 for a sealed envelope: §8.5.6 steps 1 to 5.
    fn open(
        &mut self,
        from: &P,
        env: &Envelope<'_>,
        sender: &Origin<P>,
        sealed: &[u8],
    ) -> Result<(ContextId, bool, Vec<u8>), Discard> {
        // Step 1: by `key_id`, or by the request that `correlation_id` names: one awaiting its reply,
        // or a subscribe whose reports this node accepts. Several requests can await replies with the
        // same `message_id` from one hop peer (sealed under different contexts, or one unsealed,
        // [IOTP-MSG-107] allows it for different recipients, and a relay's reply names no
        // recipient): each is tried, and the reply opens under the one whose associated data it
        // carries, or under none.
        let candidates: Vec<(Option<ContextId>, Option<KeyId>)> = match env.correlation_id {
            Some(c) => {
                let mut found: Vec<_> = self
                    .pending
                    .iter()
                    .filter(|p| {
                        p.message_id == c
                            && p.to == *from
                            && (self.answered_by(p, sender) || from_relay_service(sender))
                    })
                    .map(|p| match p.context {
                        // An unsealed request's answer can come sealed only from the home relay,
                        // under the hop context named by `key_id`; the request had no key, so the
                        // empty one stands for it (§8.5.3).
                        None => (None, Some(KeyId::EMPTY)),
                        Some(context) => (Some(context), None),
                    })
                    .collect();
                if found.is_empty() {
                    if let Some(o) = self.observation(from, c) {
                        found.push((Some(o.context), Some(o.request_key_id)));
                    }
                }
                if found.is_empty() {
                    // A copy of the reply to a request answered lately: it opens as a duplicate,
                    // to be acknowledged again ([IOTP-MSG-145]).
                    found.extend(
                        self.answered
                            .iter()
                            .filter(|p| p.message_id == c && p.to == *from)
                            .filter_map(|p| p.context)
                            .map(|context| (Some(context), None)),
                    );
                }
                found
            }
            None => alloc::vec![(None, None)],
        };
        let mut failure = if env.correlation_id.is_some() && env.key_id.is_none() {
            Discard::NoContext
        } else {
            Discard::UnmatchedReply
        };
        for (request_context, observed_key_id) in candidates {
            match self.open_as(env, sealed, request_context, observed_key_id) {
                Ok(opened) => return Ok(opened),
                // A duplicate or a replay under one candidate says more than a failure under
                // another: it decides the acknowledgement and the cached reply ([IOTP-MSG-111]).
                Err(e)
                    if !matches!(
                        failure,
                        Discard::Open(OpenError::Duplicate | OpenError::Stale)
                    ) =>
                {
                    failure = e
                }
                Err(_) => {}
            }
        }
        Err(failure)
    }

    /// §8.5.6 steps 1 to 5 for one request the envelope may answer (`request_context`, with the key
    /// its associated data names when that is not the context's own Sender ID).
    fn open_as(
        &mut self,
        env: &Envelope<'_>,
        sealed: &[u8],
        request_context: Option<ContextId>,
        observed_key_id: Option<KeyId>,
    ) -> Result<(ContextId, bool, Vec<u8>), Discard> {
        let id = match env.key_id {
            Some(key_id) => {
                let key_id = KeyId::new(key_id).map_err(|_| Discard::NoContext)?;
                self.contexts
                    .by_recipient_id(&key_id)
                    .ok_or(Discard::NoContext)?
            }
            None => request_context.ok_or(Discard::NoContext)?,
        };
        let exchange = match env.correlation_id {
            None => AadExchange::Request,
            Some(correlation_id) => {
                // The request was sealed under its context, with this node's Sender ID there (kept
                // with a subscription, whose context may since have been replaced).
                let request_key_id = match observed_key_id {
                    Some(k) => k,
                    None => *request_context
                        .and_then(|c| self.contexts.get(c))
                        .ok_or(Discard::UnmatchedReply)?
                        .context
                        .sender_id(),
                };
                AadExchange::Answer {
                    request_key_id,
                    correlation_id,
                }
            }
        };
        let own = self.config.address.clone();
        // During a grace period, the addresses an envelope that leaves them out may have been
        // sealed with: this node's previous one ([IOTP-SEC-68]) and the peer's ([IOTP-SEC-163]).
        let own_previous = self
            .previous_address()
            .filter(|_| env.recipient.is_none())
            .map(alloc::string::String::from);
        let entry = self.contexts.get_mut(id).ok_or(Discard::NoContext)?;
        let peer_previous = entry
            .previous_address
            .as_ref()
            .filter(|_| env.sender.is_none())
            .map(|(p, _)| p.clone());
        let mut attempts: Vec<(Option<&str>, Option<&str>)> = Vec::with_capacity(4);
        match entry.peer.kind {
            ContextKind::Pairing => attempts.push((None, None)),
            _ => {
                // [IOTP-SEC-66]: the envelope's sender in full, else the bound address (a
                // visitor's is the one its handshake came from, or none for an anonymous one,
                // [IOTP-SEC-198]). [IOTP-SEC-67]: its recipient in full, else this node's address.
                let sender = env.sender.or(entry.peer.address.as_deref());
                let recipient = env.recipient.or(own.as_deref());
                attempts.push((sender, recipient));
                if let Some(previous) = own_previous.as_deref() {
                    attempts.push((sender, Some(previous)));
                }
                if let Some(previous) = peer_previous.as_deref() {
                    attempts.push((Some(previous), recipient));
                    if let Some(own_previous) = own_previous.as_deref() {
                        attempts.push((Some(previous), Some(own_previous)));
                    }
                }
            }
        }
        let mut plaintext = vec![0u8; sealed.len()];
        // A failed decryption changes nothing ([IOTP-SEC-75]), so each address is tried in turn;
        // any other outcome is final.
        let mut result = Err(OpenError::Aead);
        for (sender, recipient) in attempts {
            let routing = Routing {
                version: env.version,
                sender,
                recipient,
            };
            result =
                entry
                    .context
                    .open(env.message_id, &exchange, &routing, sealed, &mut plaintext);
            if !matches!(result, Err(OpenError::Aead)) {
                break;
            }
        }
        let opened = result.map_err(Discard::Open)?;
        plaintext.truncate(opened.len);
        // Step 5: the sender's address is the peer's ([IOTP-SEC-166]).
        if entry.peer.kind == ContextKind::Ordinary {
            if let (Some(a), Some(bound)) = (env.sender, entry.peer.address.as_deref()) {
                let previous = entry.previous_address.as_ref().map(|(p, _)| p.as_str());
                if a != bound && Some(a) != previous && !tells_of_move::<R>(env, &plaintext) {
                    return Err(Discard::NotBound);
                }
            }
        }
        Ok((id, opened.fresh, plaintext))
    }

    /// A request under a context whose replay window was lost ([IOTP-SEC-85]): acted on only with an
    /// echo this node issued under that context, whose `message_id` then becomes the window's H;
    /// otherwise answered, sealed, with `FreshnessRequired` and a new echo ([IOTP-SEC-91]).
    #[allow(clippy::too_many_arguments)]
    fn resynchronise(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        env: &Envelope<'_>,
        sender: &Origin<P>,
        context: ContextId,
        body: &Body<'_>,
        out: &mut Vec<Output<P>>,
    ) -> Result<(), Discard> {
        let echo = match body {
            Body::Write(w) => w.echo,
            Body::Invoke(i) => i.echo,
            _ => None,
        };
        if echo.is_some_and(|e| self.challenges.redeem(context, e, now)) {
            if let Some(entry) = self.contexts.get_mut(context) {
                entry.context.resync_replay_window(env.message_id);
            }
            return Ok(());
        }
        if env.ack_requested {
            self.acknowledge(from, env.message_id, out);
        }
        let challenge = self.challenges.issue(context, now, rng);
        let status = Body::Status(iotp2p_codec::core::Status {
            code: StatusCode::FreshnessRequired,
            echo: Some(&challenge),
            ..iotp2p_codec::core::Status::new()
        });
        if let Ok(encoded) = status.encode_to_vec_as::<R>() {
            // Acknowledged alone above, so confirmable ([IOTP-MSG-135]).
            let acked_alone = env.ack_requested;
            let id = env.message_id;
            self.answer(
                now,
                rng,
                from,
                sender,
                Some(context),
                id,
                &encoded,
                acked_alone,
                out,
            );
        }
        Err(Discard::Unverified)
    }

    /// A duplicate: resend the cached reply to an identical copy only ([IOTP-MSG-56],
    /// [IOTP-MSG-115]), which acknowledges it ([IOTP-MSG-136]); without one, acknowledge it again
    /// ([IOTP-MSG-55]), which makes the reply still to come confirmable. A confirmable reply that
    /// waits its turn (NSTART) has not been sent, and is not sent early ([IOTP-MSG-143]): its
    /// `message_id` may be that of the envelope outstanding towards the same hop peer, whose
    /// acknowledgement would then be ambiguous ([IOTP-MSG-50]).
    fn duplicate(
        &mut self,
        now: Instant,
        from: &P,
        env: &Envelope<'_>,
        digest: Digest,
        out: &mut Vec<Output<P>>,
    ) {
        let sent = self
            .replies
            .get(&digest, now)
            .filter(|reply| !self.retransmitter.is_waiting(from, reply));
        match sent {
            Some(reply) => out.push(Output::Send {
                to: from.clone(),
                bytes: reply.to_vec(),
            }),
            None if env.ack_requested => {
                self.acknowledge(from, env.message_id, out);
                // A request still awaiting the application's reply is now acknowledged alone: its
                // reply must be confirmable ([IOTP-MSG-135]).
                if let Some(e) = self
                    .exchanges
                    .iter_mut()
                    .find(|e| e.message_id == env.message_id && e.from == *from)
                {
                    e.ack_due = None;
                    e.acked_alone = true;
                }
            }
            None => {}
        }
    }

    /// Step 9.
    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        env: &Envelope<'_>,
        sender: Origin<P>,
        context: Option<ContextId>,
        fresh: bool,
        body: Body<'_>,
        digest: Digest,
        ack_due: Option<Instant>,
        out: &mut Vec<Output<P>>,
    ) -> Result<(), Discard> {
        if let Some(correlation_id) = env.correlation_id {
            // An acknowledgement, piggybacked or not, or a status, ends the retransmission of the
            // envelope it answers ([IOTP-MSG-42], [IOTP-MSG-47], [IOTP-MSG-48]).
            let mut actions = Vec::new();
            let acked =
                self.retransmitter
                    .acknowledge(from, correlation_id, now, rng, &mut actions);
            if acked {
                self.acknowledged(from.clone(), correlation_id, out);
            }
            self.push_actions(now, actions, out);
            if matches!(body, Body::Ack) {
                return if acked {
                    Ok(())
                } else {
                    Err(Discard::UnmatchedAck)
                };
            }
            // A reply: matched by (its sender, correlation_id), a relay's non-delivery status by
            // (its `recipient`, correlation_id) ([IOTP-MSG-39]); of several requests with that
            // `message_id`, the one under whose context the reply opened.
            let matches = |p: &Pending<P>| {
                p.message_id == correlation_id
                    && p.to == *from
                    && (self.answered_by(p, &sender) || names_recipient(&body, p))
            };
            let index = self
                .pending
                .iter()
                .position(|p| matches(p) && p.context == context)
                .or_else(|| self.pending.iter().position(matches));
            let Some(index) = index else {
                return self.report(from, correlation_id, sender, context, body, out);
            };
            let pending = &self.pending[index];
            // A sealed request is answered under its context (or a newer one with the same peer,
            // [IOTP-MSG-39], [IOTP-SEC-165]); an answer unsealed, or sealed under another context
            // (the home relay's hop context), is only a status ([IOTP-SEC-80], §3.8): the relay
            // cannot answer for the request's peer.
            let under_its_context = match (pending.context, context) {
                (None, _) => true,
                (Some(asked), Some(opened)) => asked == opened || self.same_peer(asked, opened),
                (Some(_), None) => false,
            };
            if !under_its_context && !matches!(body, Body::Status(_)) {
                return Err(Discard::UnmatchedReply);
            }
            let pending = self.pending.remove(index).ok_or(Discard::UnmatchedReply)?;
            self.remember_answered(&pending);
            if self.edhoc_reply(now, rng, &pending, &body, out) {
                return Ok(());
            }
            if pending.subscribe && matches!(body, Body::Report(_)) && context.is_some() {
                self.observe(&pending);
            }
            out.push(Output::Event(Event::Reply {
                request: pending.message_id,
                sender,
                context,
                body: body.into_owned(),
            }));
            return Ok(());
        }
        if let Body::Unrecognized { .. } = body {
            self.status(
                now,
                rng,
                from,
                &sender,
                env.message_id,
                StatusCode::UnsupportedRequest,
                out,
            );
            return Err(Discard::UnknownBody);
        }
        if let Some(result) = self.edhoc_request(now, rng, from, env, &sender, &body, digest, out) {
            return result;
        }
        let exchange = self.open_exchange(
            from.clone(),
            env.message_id,
            sender.clone(),
            context,
            digest,
            ack_due,
            out,
        );
        // Step 4 let it through: the own address, or the previous one.
        let to_previous_address = env
            .recipient
            .is_some_and(|a| self.config.address.as_deref() != Some(a));
        out.push(Output::Event(Event::Request {
            exchange,
            hop: from.clone(),
            message_id: env.message_id,
            sender,
            context,
            fresh,
            to_previous_address,
            body: body.into_owned(),
        }));
        Ok(())
    }

    /// The resolved sender ([IOTP-MSG-21]).
    /// Keeps a sealed request whose reply came, so that a retransmission of the reply opens
    /// ([IOTP-MSG-145]); the oldest goes when [`Config::max_pending`] are kept.
    fn remember_answered(&mut self, request: &Pending<P>) {
        if request.context.is_none() {
            // An unsealed reply's copies are found by the duplicate cache.
            return;
        }
        if self.answered.len() >= self.config.max_pending.max(1) {
            self.answered.pop_front();
        }
        self.answered.push_back(request.clone());
    }

    fn origin(&self, from: &P, env: &Envelope<'_>) -> Origin<P> {
        match envelope::sender(env) {
            Sender::Address(a) => Origin::Address(a.to_string()),
            Sender::Contact(c) => Origin::Contact(c),
            Sender::HopPeer => Origin::HopPeer(from.clone()),
        }
    }

    /// The digest of a received envelope (§5.9), with the resolved addresses this node knows.
    /// The digest of an envelope for this node (§5.9): every envelope that reaches step 7 is for
    /// this node (step 4), so its recipient is left out, and a node that takes or changes its
    /// address between two copies of a request (the reply to `commission` lost) still recognises
    /// the second and answers it from the reply cache ([IOTP-MSG-56]).
    fn digest_of(&self, bytes: &[u8], sender: &Origin<P>) -> Digest {
        let sender = match sender {
            Origin::Address(a) => Some(a.as_str()),
            Origin::Contact(_) | Origin::HopPeer(_) => None,
        };
        // The body is digested as it came, decoded and written back as an opaque variant: a node's
        // role need not decode it nor send it, and its encoding is already canonical. An envelope
        // that decoded decodes so and re-encodes; should that ever fail, the all-zero digest only
        // makes exact copies of such envelopes duplicates of each other.
        Envelope::decode_as::<Opaque>(bytes)
            .ok()
            .and_then(|env| digest_as::<Opaque>(&env, None, sender).ok())
            .unwrap_or([0; 32])
    }
}

/// Whether a reply from `sender` can answer a request sent to `recipient` ([IOTP-MSG-39]).
impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// Whether the contexts `a` and `b` have the same peer node: `b` replaced `a` after a new
    /// handshake ([IOTP-SEC-165]).
    fn same_peer(&self, a: ContextId, b: ContextId) -> bool {
        let node = |c| self.contexts.get(c).and_then(|e| e.peer.node);
        node(a).is_some() && node(a) == node(b)
    }

    /// Whether a reply from `sender` may answer the request `pending`: by [`answers`], or from the
    /// new address of a peer that re-homed after the request went to its previous address, while
    /// the context still accepts that one ([IOTP-SEC-114]).
    fn answered_by(&self, pending: &Pending<P>, sender: &Origin<P>) -> bool {
        if answers(&pending.recipient, sender) {
            return true;
        }
        let (Destination::Address(asked), Origin::Address(from)) = (&pending.recipient, sender)
        else {
            return false;
        };
        pending
            .context
            .and_then(|c| self.contexts.get(c))
            .is_some_and(|e| {
                e.peer.address.as_ref() == Some(from)
                    && e.previous_address.as_ref().is_some_and(|(p, _)| p == asked)
            })
    }
}

/// Whether `body` is a relay's non-delivery status about `pending`: a status whose `recipient` is the
/// address the request went to ([IOTP-MSG-39], §5.10).
fn names_recipient<P>(body: &Body<'_>, pending: &Pending<P>) -> bool {
    matches!(
        (body, &pending.recipient),
        (Body::Status(s), Destination::Address(asked)) if s.recipient == Some(asked.as_str())
    )
}

/// Whether `sender` is a relay's service address (`_relay@` and its domain, §2.6.1), from which a
/// non-delivery status comes: its reply may answer a request to another address, which the status
/// names, so it is tried under every request with its `correlation_id` (it opens under the hop
/// context, [IOTP-DLV-110]).
fn from_relay_service<P>(sender: &Origin<P>) -> bool {
    matches!(sender, Origin::Address(a) if a.starts_with("_relay@"))
}

/// Security action 18, `apply_statement` (spec/schema/security.iotp).
const APPLY_STATEMENT: u16 = 18;

/// Whether a sealed envelope is a request invoking `apply_statement` (Security action 18 on
/// endpoint 0): the one request a peer may send from an address not yet bound to it, its new one
/// after a re-homing, whose statement the application then verifies and accepts only if it names
/// that address ([IOTP-SEC-166], §8.9.3). Decoded as the node's role receives, like the body itself.
fn tells_of_move<R: Role>(env: &Envelope<'_>, plaintext: &[u8]) -> bool {
    env.correlation_id.is_none()
        && matches!(
            Body::decode_as::<R>(plaintext),
            Ok(Body::Invoke(i)) if i.endpoint == SECURITY_ENDPOINT
                && i.capability == SECURITY_CAPABILITY
                && i.action == APPLY_STATEMENT
        )
}

pub(super) fn answers<P: PartialEq>(recipient: &Destination, sender: &Origin<P>) -> bool {
    match (recipient, sender) {
        (Destination::Address(a), Origin::Address(b)) => a == b,
        (Destination::Contact(a), Origin::Contact(b)) => a == b,
        // The home relay delivers the reply with the sender as a contact number it assigned
        // ([IOTP-MSG-28]); the device knows the number, not the address ([IOTP-MSG-21]). The reply
        // came from the hop peer the request went to, with its correlation_id, and a sealed one opens
        // only under the request's context, whose associated data names the request.
        (Destination::Address(_), Origin::Contact(_)) => true,
        // A reply on a direct hop, or one the home relay delivered without the sender's address
        // (it is then the hop peer's answer or carries the correspondent's contact).
        (_, Origin::HopPeer(_)) => true,
        (Destination::HopPeer, _) => true,
        _ => false,
    }
}

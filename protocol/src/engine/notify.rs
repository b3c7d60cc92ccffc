//! The reports of a subscription (spec §6.7), as the publishing node sends them and as the subscriber
//! accepts them.
//!
//! **Publisher.** Every report after the first answers the subscribe request long after its exchange
//! ended, so the engine keeps nothing per subscription. The application (through the interaction model's `Dispatcher`) holds one
//! [`Subscriber`] per subscription, taken from the subscribe request, and hands it back with each
//! report.
//!
//! A subscription belongs to the subscriber's node ID, not to a context or an address: a report goes
//! to the subscriber's current address, sealed under the newest context the node holds with that node
//! ID ([IOTP-IM-64], [IOTP-IM-65], [IOTP-SEC-165]). Its associated data still names the subscribe
//! request (its `key_id` and `message_id`, §8.5.3), and a report sealed under another context than the
//! subscribe's carries `key_id` so that the subscriber finds the context ([IOTP-SEC-164]).
//!
//! **Subscriber.** A subscribe answered with its first report becomes an observation: the node then
//! accepts the later reports, from the hop peer the subscribe went to, sealed (never unsealed) under
//! the subscribe's context or, with `key_id`, a newer one, and passes each to the application as an
//! [`Event::Reply`] to the subscribe. At most
//! [`Config::max_observations`](super::Config::max_observations) are held, the oldest forgotten first;
//! an `unsubscribe` the node sends ends one.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::{owned, Body};
use iotp2p_codec::prelude::*;
use rand_core::CryptoRngCore;

use super::peers::ContextId;
use super::receive::answers;
use super::send::{Plan, SendError};
use super::{Discard, Event, Node, Observation, Origin, Output, Pending, Role};
use crate::params::Instant;
use crate::security::{Exchange as AadExchange, KeyId, NodeId};

/// Where the reports of one subscription go: what the engine needs of its subscribe request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscriber<P> {
    /// The subscriber's node ID, when the context of the subscribe knew it: the reports follow it to
    /// its newest context.
    pub node: Option<NodeId>,
    /// The context the subscribe opened under: the reports' context when no newer one with the same
    /// node ID exists.
    pub context: ContextId,
    /// The Sender ID the subscribe was sealed with, which every report's associated data names.
    pub request_key_id: KeyId,
    /// The subscribe's `message_id`: the subscription's identifier and every report's
    /// `correlation_id`.
    pub subscription: u64,
    /// The hop peer the subscribe came from: where reports go when the node has no home relay.
    pub hop: P,
}

impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// Stops accepting the reports of the subscription `subscription` of this node (sending an
    /// `unsubscribe` for it does this too); returns whether the node had it.
    pub fn forget_subscription(&mut self, subscription: u64) -> bool {
        let before = self.observations.len();
        self.observations.retain(|o| o.subscription != subscription);
        self.observations.len() != before
    }

    /// Accepts the later reports of a subscription whose subscribe `pending` was answered with its
    /// first report; forgets the oldest subscription when [`Config::max_observations`] are held.
    ///
    /// [`Config::max_observations`]: super::Config::max_observations
    pub(super) fn observe(&mut self, pending: &Pending<P>) {
        let Some(context) = pending.context else {
            // An unsealed subscribe: its reports could be anyone's (§8.8.3), none is accepted.
            return;
        };
        let Some(entry) = self.contexts.get(context) else {
            return;
        };
        let observation = Observation {
            to: pending.to.clone(),
            subscription: pending.message_id,
            recipient: pending.recipient.clone(),
            context,
            request_key_id: *entry.context.sender_id(),
        };
        self.observations
            .retain(|o| !(o.subscription == observation.subscription && o.to == observation.to));
        if self.config.max_observations == 0 {
            return;
        }
        while self.observations.len() >= self.config.max_observations {
            self.observations.pop_front();
        }
        self.observations.push_back(observation);
    }

    /// The subscription of this node that a report from `from` with `correlation_id` continues.
    pub(super) fn observation(&self, from: &P, correlation_id: u64) -> Option<&Observation<P>> {
        self.observations
            .iter()
            .find(|o| o.subscription == correlation_id && o.to == *from)
    }

    /// A reply that matches no request awaiting one: a later report of a subscription of this node,
    /// sealed ([IOTP-SEC-80]: an unsealed one could be anyone's), passed to the application as a reply
    /// to the subscribe; anything else is unmatched.
    pub(super) fn report(
        &mut self,
        from: &P,
        correlation_id: u64,
        sender: Origin<P>,
        context: Option<ContextId>,
        body: Body<'_>,
        out: &mut Vec<Output<P>>,
    ) -> Result<(), Discard> {
        let observed = self
            .observation(from, correlation_id)
            .is_some_and(|o| answers(&o.recipient, &sender));
        if !observed || context.is_none() || !matches!(body, Body::Report(_)) {
            return Err(Discard::UnmatchedReply);
        }
        out.push(Output::Event(Event::Reply {
            request: correlation_id,
            sender,
            context,
            body: body.into_owned(),
        }));
        Ok(())
    }

    /// The subscriber of the sealed request `message_id` that came from `hop` and opened under
    /// `context` ([`Event::Request`] gives all three); `None` if the context is
    /// gone.
    pub fn subscriber(&self, context: ContextId, message_id: u64, hop: P) -> Option<Subscriber<P>> {
        let entry = self.contexts.get(context)?;
        Some(Subscriber {
            node: entry.peer.node,
            context,
            request_key_id: *entry.context.recipient_id(),
            subscription: message_id,
            hop,
        })
    }

    /// Sends a report of the subscription of `subscriber` ([IOTP-IM-26], [IOTP-IM-29]): to the
    /// subscriber's current address through the home relay, or to the subscribe's hop peer when the
    /// node has none, sealed under the newest context with the subscriber's node ID
    /// ([IOTP-IM-65]). Returns the report's `message_id` and what to send.
    pub fn notify(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        subscriber: &Subscriber<P>,
        report: &owned::Body,
        confirmable: bool,
    ) -> Result<(u64, Vec<Output<P>>), SendError> {
        self.expire(now);
        let context = subscriber
            .node
            .and_then(|node| self.contexts.newest_with(&node))
            .or_else(|| self.contexts.get(subscriber.context).map(|e| e.id))
            .ok_or(SendError::NoContext)?;
        let address: Option<String> = self
            .contexts
            .get(context)
            .and_then(|e| e.peer.address.clone());
        let (to, recipient) = match (&self.home_relay, &address) {
            (Some(relay), Some(_)) => (relay.clone(), address.as_deref()),
            _ => (subscriber.hop.clone(), None),
        };
        let include_sender = self.home_relay.as_ref() != Some(&to);
        let body = report.encode_to_vec_as::<R>()?;
        let avoid = self.ids_in_use(&to, confirmable);
        let (message_id, bytes) = self.build(Plan {
            context: Some(context),
            exchange: AadExchange::Answer {
                request_key_id: subscriber.request_key_id,
                correlation_id: subscriber.subscription,
            },
            correlation_id: Some(subscriber.subscription),
            recipient,
            recipient_contact: None,
            aad_recipient: address.as_deref(),
            include_sender,
            ack_requested: confirmable,
            ttl: None,
            body: &body,
            carry_key_id: context != subscriber.context,
            avoid: &avoid,
        })?;
        let mut out = Vec::new();
        self.transmit(now, rng, to, message_id, bytes, confirmable, &mut out)?;
        Ok((message_id, out))
    }
}

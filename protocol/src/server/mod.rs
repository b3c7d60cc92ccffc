//! A node that serves its capabilities: the end node's engine ([`Node`]) and the interaction model's
//! [`Dispatcher`] joined, so that every device (and the conformance suite's reference testee) answers
//! requests, keeps subscriptions and sends their reports the same way.
//!
//! The engine hands a received request to its application as an event; the [`Server`] is that
//! application's first half: it decides access (§6.3 step 1, through an [`AccessControl`]), has the
//! dispatcher answer with the values of the application's [`Capabilities`], and sends the reply. For
//! a subscribe it also keeps where the subscription's reports go ([`Subscriber`]), and sends each
//! report when the dispatcher says one is due. Everything else the engine outputs (datagrams, replies
//! to this node's own requests, acknowledgements, sessions) passes through untouched.
//!
//! Like the engine, the server is sans-I/O: [`Server::receive`], [`Server::on_timer`] and
//! [`Server::next_deadline`] mirror the engine's, and a driver runs either the same way.
//!
//! **Bounds.** The routes of reports are kept per live subscription, so there are at most the
//! dispatcher's `max_subscriptions` of them ([`InteractionConfig::max_subscriptions`]); a route whose
//! subscription ended is forgotten on the next report round.

mod access;
mod subscriber;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use iotp2p_codec::core::owned::Body;
use rand_core::CryptoRngCore;

use crate::engine::{Event, Node, Output, Subscriber};
use crate::interaction::model::Model;
use crate::interaction::{Capabilities, Change, Config as InteractionConfig, Dispatcher, Request};
use crate::params::Instant;

pub use access::{AccessControl, AuthenticatedPeers};
pub use subscriber::Who;

/// An end node serving the capabilities of its application `A`.
pub struct Server<P, A> {
    node: Node<P>,
    dispatcher: Dispatcher<Who>,
    app: A,
    access: alloc::boxed::Box<dyn AccessControl + Send>,
    /// Where the reports of each live subscription go, by (subscriber, subscription).
    routes: BTreeMap<(Who, u64), Subscriber<P>>,
}

impl<P: Clone + PartialEq + core::fmt::Debug, A: Capabilities> Server<P, A> {
    /// A server of `model`, whose values `app` holds, on `node`. Access is granted to every
    /// authenticated peer but visitors ([`AuthenticatedPeers`]) until [`Server::set_access`] says
    /// otherwise.
    pub fn new(node: Node<P>, model: Model, config: InteractionConfig, app: A) -> Self {
        Server {
            node,
            dispatcher: Dispatcher::new(model, config),
            app,
            access: alloc::boxed::Box::new(AuthenticatedPeers),
            routes: BTreeMap::new(),
        }
    }

    /// Replaces the access control (§6.3 step 1).
    pub fn set_access(&mut self, access: alloc::boxed::Box<dyn AccessControl + Send>) {
        self.access = access;
    }

    /// The engine.
    pub fn node(&self) -> &Node<P> {
        &self.node
    }

    /// The engine, for what the server does not wrap (contexts, EDHOC, presence, the node's own
    /// requests); pass what such a call outputs through [`Server::serve`].
    pub fn node_mut(&mut self) -> &mut Node<P> {
        &mut self.node
    }

    /// The application.
    pub fn app(&self) -> &A {
        &self.app
    }

    /// The application, to change its values; then [`Server::poll`] reports what changed.
    pub fn app_mut(&mut self) -> &mut A {
        &mut self.app
    }

    /// The dispatcher (its model and subscriptions).
    pub fn dispatcher(&self) -> &Dispatcher<Who> {
        &self.dispatcher
    }

    /// Handles a received datagram (see [`Node::receive`]): the requests in it are answered.
    pub fn receive(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        bytes: &[u8],
    ) -> Vec<Output<P>> {
        let out = self.node.receive(now, rng, from, bytes);
        self.serve(now, rng, out)
    }

    /// Handles the timers of the engine and the reports due (see [`Node::on_timer`]).
    pub fn on_timer(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<Output<P>> {
        let out = self.node.on_timer(now, rng);
        self.serve(now, rng, out)
    }

    /// When [`Server::on_timer`] is next due: the engine's timers or the next report.
    pub fn next_deadline(&self) -> Option<Instant> {
        match (self.node.next_deadline(), self.dispatcher.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Answers the requests among the engine's outputs and sends the reports due at `now`; returns
    /// the rest of the outputs, and the datagrams of the replies and reports. A reply or report the
    /// engine cannot send (its exchange expired meanwhile, its context is gone) is dropped: the
    /// peer's retransmission or the next report recovers, as after a lost datagram.
    pub fn serve(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        outputs: Vec<Output<P>>,
    ) -> Vec<Output<P>> {
        let mut passed = Vec::with_capacity(outputs.len());
        let mut queue: alloc::collections::VecDeque<Output<P>> = outputs.into();
        while let Some(output) = queue.pop_front() {
            let Output::Event(Event::Request {
                exchange,
                message_id,
                hop,
                sender,
                context,
                fresh: _,
                body,
            }) = output
            else {
                passed.push(output);
                continue;
            };
            let peer = context
                .and_then(|c| self.node.contexts().get(c))
                .map(|e| &e.peer);
            let access = self.access.access(peer, &body);
            let who = Who::of(peer.and_then(|p| p.node), context, &sender);
            if let (Body::Subscribe(_), Some(c)) = (&body, context) {
                if let Some(route) = self.node.subscriber(c, message_id, hop) {
                    self.routes.insert((who.clone(), message_id), route);
                }
            }
            let reply = self.dispatcher.handle(
                &mut self.app,
                Request {
                    body: &body,
                    access,
                    context,
                    subscriber: &who,
                    message_id,
                },
                now,
                rng,
            );
            if let Ok(more) = self.node.reply(now, rng, exchange, &reply) {
                queue.extend(more);
            }
        }
        for change in self.app.take_changes() {
            match change {
                Change::Property {
                    endpoint,
                    capability,
                    member,
                } => self
                    .dispatcher
                    .property_changed(endpoint, capability, member),
                Change::Event {
                    endpoint,
                    capability,
                    event,
                } => self.dispatcher.event(endpoint, capability, &event),
            }
        }
        passed.extend(self.reports(now, rng));
        passed
    }

    /// After the application changed something itself (a button, a measurement): passes its
    /// changes to the subscriptions and sends the reports due.
    pub fn poll(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<Output<P>> {
        self.serve(now, rng, Vec::new())
    }

    /// Sends the reports due at `now` (§6.7), and forgets the routes of ended subscriptions.
    fn reports(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<Output<P>> {
        let mut out = Vec::new();
        for (who, id, report) in self.dispatcher.reports(&mut self.app, now) {
            let Some(route) = self.routes.get(&(who, id)) else {
                continue;
            };
            if let Ok((_, sent)) = self
                .node
                .notify(now, rng, route, &Body::Report(report), false)
            {
                out.extend(sent);
            }
        }
        let live = self.dispatcher.subscriptions();
        self.routes
            .retain(|(who, id), _| live.iter().any(|s| s.subscriber == *who && s.id == *id));
        out
    }
}

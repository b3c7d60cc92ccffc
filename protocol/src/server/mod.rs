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
pub mod acl;
pub mod relay;
mod rotate;
pub mod security;
mod subscriber;
mod tell;
mod window;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use iotp2p_codec::core::owned::Body;
use rand_core::CryptoRngCore;

use crate::engine::{Destination, Event, Everything, Node, Origin, Output, Role, Subscriber};
use crate::interaction::check::ValueError;
use crate::interaction::model::{Endpoint, Model};
use crate::interaction::{
    Capabilities, Change, Config as InteractionConfig, Dispatcher, Failure, Request,
};
use crate::params::Instant;
use security::{Decision, ExchangePeer, SecurityService, SECURITY};

pub use access::{AccessControl, AuthenticatedPeers};
pub use subscriber::Who;
use tell::Telling;
pub use tell::{HELD_CAPACITY, TELL_WAIT, TOLD_CAPACITY};

/// An end node serving the capabilities of its application `A`, on an engine that decodes as the
/// role `R` (a device's firmware: `iotp2p_codec::core::role::Device`).
pub struct Server<P, A, R = Everything> {
    node: Node<P, R>,
    dispatcher: Dispatcher<Who>,
    app: A,
    access: alloc::boxed::Box<dyn AccessControl + Send>,
    /// The Security capability, when the server serves it: then it decides access.
    security: Option<SecurityService>,
    /// The hop peer of its pairing exchange in progress (one transport address).
    exchange_peer: ExchangePeer<P>,
    /// Where the reports of each live subscription go, by (subscriber, subscription).
    routes: BTreeMap<(Who, u64), Subscriber<P>>,
    /// The number of the node's next event.
    next_event: u64,
    /// The peers told of the node's move, and the requests waiting for that.
    telling: Telling<P>,
}

impl<P: Clone + PartialEq + core::fmt::Debug, A: Capabilities, R: Role> Server<P, A, R> {
    /// A server of `model`, whose values `app` holds, on `node`. Access is granted to every
    /// authenticated peer but visitors ([`AuthenticatedPeers`]) until [`Server::set_access`] says
    /// otherwise.
    pub fn new(node: Node<P, R>, model: Model, config: InteractionConfig, app: A) -> Self {
        Server {
            node,
            dispatcher: Dispatcher::new(model, config),
            app,
            access: alloc::boxed::Box::new(AuthenticatedPeers),
            security: None,
            exchange_peer: ExchangePeer::new(),
            routes: BTreeMap::new(),
            next_event: 0,
            telling: Telling::new(),
        }
    }

    /// A server that also serves the Security capability on endpoint 0 (spec §8.12): pairing,
    /// claiming, and access by the access control list instead of [`Server::set_access`]'s policy.
    pub fn with_security(
        node: Node<P, R>,
        mut model: Model,
        config: InteractionConfig,
        app: A,
        security: SecurityService,
    ) -> Self {
        if model.endpoints.first().map(|e| e.number) != Some(0) {
            model.endpoints.insert(
                0,
                Endpoint {
                    number: 0,
                    label: None,
                    capabilities: Vec::new(),
                },
            );
        }
        let root = &mut model.endpoints[0].capabilities;
        root.retain(|c| c.number != SECURITY);
        root.insert(0, SecurityService::capability());
        let mut server = Server::new(node, model, config, app);
        server.security = Some(security);
        server
    }

    /// The Security capability, when served.
    pub fn security(&self) -> Option<&SecurityService> {
        self.security.as_ref()
    }

    /// The Security capability, when served (to take what `commission` gave).
    pub fn security_mut(&mut self) -> Option<&mut SecurityService> {
        self.security.as_mut()
    }

    /// Replaces the access control (§6.3 step 1).
    pub fn set_access(&mut self, access: alloc::boxed::Box<dyn AccessControl + Send>) {
        self.access = access;
    }

    /// The engine.
    pub fn node(&self) -> &Node<P, R> {
        &self.node
    }

    /// The engine, for what the server does not wrap (contexts, EDHOC, presence, the node's own
    /// requests); pass what such a call outputs through [`Server::serve`].
    pub fn node_mut(&mut self) -> &mut Node<P, R> {
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
        if let Some(security) = self.security.as_mut() {
            security.on_timer(&mut self.node, now);
        }
        let mut out = self.node.on_timer(now, rng);
        out.extend(self.telling.expired(now));
        self.serve(now, rng, out)
    }

    /// When [`Server::on_timer`] is next due: the engine's timers or the next report.
    pub fn next_deadline(&self) -> Option<Instant> {
        [
            self.node.next_deadline(),
            self.dispatcher.next_deadline(),
            self.telling.next_deadline(),
            self.security
                .as_ref()
                .and_then(SecurityService::next_deadline),
        ]
        .into_iter()
        .flatten()
        .min()
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
            if let Some(released) = self.telling.answered(&output) {
                queue.extend(released);
                continue;
            }
            let Some(output) = self.tell_first(now, rng, output, &mut passed) else {
                continue;
            };
            if let (Output::Event(Event::Session { context, .. }), Some(security)) =
                (&output, self.security.as_mut())
            {
                security.session(&self.node, *context);
            }
            let Output::Event(Event::Request {
                exchange,
                message_id,
                hop,
                sender,
                context,
                fresh: _,
                to_previous_address: _,
                body,
            }) = output
            else {
                passed.push(output);
                continue;
            };
            let access = match self.security.as_mut() {
                Some(security) => match security.decide(
                    &mut self.node,
                    now,
                    rng,
                    security::Source {
                        context,
                        sender: match &sender {
                            Origin::Address(a) => Some(a.as_str()),
                            _ => None,
                        },
                        hop: &hop,
                    },
                    &mut self.exchange_peer,
                    &body,
                ) {
                    Decision::Answered(reply) => {
                        if let Ok(more) = self.node.reply(now, rng, exchange, &reply) {
                            queue.extend(more);
                        }
                        let forgotten = security.after_reply(&mut self.node, now);
                        // The subscriptions of a peer forgotten end ([IOTP-IM-67]), and so do those
                        // the access control list, which may have changed, no longer allows
                        // ([IOTP-SEC-101]).
                        let acl = security.acl();
                        self.dispatcher
                            .retain_subscriptions(|s| match &s.subscriber {
                                Who::Node(node) => {
                                    !forgotten.contains(node)
                                        && acl.allows(
                                            node,
                                            acl::privilege::SUBSCRIBE,
                                            Some(s.endpoint),
                                            Some(s.capability),
                                        )
                                }
                                _ => false,
                            });
                        continue;
                    }
                    Decision::Dispatch(access) => access,
                },
                None => {
                    let peer = context
                        .and_then(|c| self.node.contexts().get(c))
                        .map(|e| &e.peer);
                    self.access.access(peer, &body)
                }
            };
            let peer = context
                .and_then(|c| self.node.contexts().get(c))
                .map(|e| &e.peer);
            let who = Who::of(peer.and_then(|p| p.node), context, &sender);
            if let (Body::Subscribe(_), Some(c)) = (&body, context) {
                if let Some(route) = self.node.subscriber(c, message_id, hop) {
                    self.routes.insert((who.clone(), message_id), route);
                }
            }
            let reply = self.dispatcher.handle(
                &mut Served {
                    app: &mut self.app,
                    security: self.security.as_mut(),
                    now,
                },
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
        let mut changes = self.app.take_changes();
        if let Some(security) = self.security.as_mut() {
            changes.extend(security.take_changes());
        }
        for change in changes {
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
                    mut event,
                } => {
                    // One numbering across all the node's events, whoever recorded them (§6.7).
                    event.number = self.next_event;
                    self.next_event = self.next_event.wrapping_add(1);
                    self.dispatcher.event(endpoint, capability, &event);
                }
            }
        }
        passed.extend(self.reports(now, rng));
        passed
    }

    /// A request that reached this node at its previous address, from a peer not yet told of the
    /// move, waits while the peer is given the re-homing statement ([`tell`]); `None` then.
    fn tell_first(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        output: Output<P>,
        passed: &mut Vec<Output<P>>,
    ) -> Option<Output<P>> {
        let Output::Event(Event::Request {
            context: Some(context),
            to_previous_address: true,
            hop,
            ..
        }) = &output
        else {
            return Some(output);
        };
        let (context, hop) = (*context, hop.clone());
        let Some(statement) = self.security.as_ref().and_then(|s| s.rehoming_statement()) else {
            return Some(output);
        };
        if self.telling.telling(context) {
            self.telling.hold_behind(context, output);
            return None;
        }
        let statement = statement.to_vec();
        if !self.telling.should_tell(&statement, context) {
            return Some(output);
        }
        let address = self
            .node
            .contexts()
            .get(context)
            .and_then(|e| e.peer.address.clone());
        let Some(address) = address else {
            self.telling.mark_told(context);
            return Some(output);
        };
        let to = self.node.home_relay().cloned().unwrap_or(hop);
        let body = Telling::<P>::invoke(&statement);
        let destination = Destination::Address(address);
        match self.node.request(
            now,
            rng,
            to.clone(),
            destination,
            Some(context),
            &body,
            true,
            None,
        ) {
            Ok((id, sent)) => {
                passed.extend(sent);
                let until = now.saturating_add(TELL_WAIT);
                self.telling.hold((id, context, to), until, output);
                None
            }
            Err(_) => {
                self.telling.mark_told(context);
                Some(output)
            }
        }
    }

    /// After the application changed something itself (a button, a measurement): passes its
    /// changes to the subscriptions and sends the reports due.
    pub fn poll(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<Output<P>> {
        self.serve(now, rng, Vec::new())
    }

    /// Sends the reports due at `now` (§6.7), and forgets the routes of ended subscriptions.
    fn reports(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<Output<P>> {
        let mut out = Vec::new();
        let mut served = Served {
            app: &mut self.app,
            security: self.security.as_mut(),
            now,
        };
        for (who, id, report) in self.dispatcher.reports(&mut served, now) {
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

/// The values the dispatcher reads: the Security capability's from the service, every other from the
/// application.
struct Served<'a, A> {
    app: &'a mut A,
    security: Option<&'a mut SecurityService>,
    now: Instant,
}

impl<A: Capabilities> Capabilities for Served<'_, A> {
    fn check_value(
        &self,
        endpoint: u16,
        capability: u16,
        member: u16,
        value: &[u8],
    ) -> Result<(), ValueError> {
        match &self.security {
            Some(s) if (endpoint, capability) == (0, SECURITY) => s.check_value(member, value),
            _ => self.app.check_value(endpoint, capability, member, value),
        }
    }

    fn read(&mut self, endpoint: u16, capability: u16, member: u16) -> Result<Vec<u8>, Failure> {
        match &mut self.security {
            Some(s) if (endpoint, capability) == (0, SECURITY) => s.read(member, self.now),
            _ => self.app.read(endpoint, capability, member),
        }
    }

    fn write(
        &mut self,
        endpoint: u16,
        capability: u16,
        values: &[(u16, &[u8])],
    ) -> Result<(), Failure> {
        self.app.write(endpoint, capability, values)
    }

    fn invoke(
        &mut self,
        endpoint: u16,
        capability: u16,
        action: u16,
        input: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure> {
        self.app.invoke(endpoint, capability, action, input)
    }
}

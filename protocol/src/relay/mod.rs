//! The engine of a home relay (spec chapter 3, §5.9.2 to §5.11, §8.7): it routes envelopes it cannot
//! open, holds them for its sleeping nodes, delivers them to the transport address its nodes last
//! proved themselves from, and says when it gives up. Sans-I/O like the end node's engine: datagrams,
//! time and randomness come in, datagrams and events go out.
//!
//! - **Its own service** (`_relay@` and its domain) is an end node, a [`Node`]: the hop contexts with
//!   the relay's nodes, presence and receipts, EDHOC and the Relay capability's requests, which the
//!   relay passes on as [`RelayEvent::Service`] (`server::relay::RelayServer` answers those of the
//!   Relay capability against the [`registry`]).
//! - **Routing** ([`receive`](Relay::receive)) follows §3.4.1, §3.6.2 and §3.6.3: from one of its
//!   own nodes, over the transport address its hop is bound to, anything (the sender checked); from an
//!   authenticated relay, what is for its domain; from anyone else, only what is for its service.
//! - **Holding** ([`held`]) and **delivery** ([`Relay::on_timer`] and what wakes a node): in order,
//!   confirmable, with `more`, kept until a receipt names it or its hold ends, then `Expired`.
//! - **Hop bindings** ([`binding`]): only a message that opens under a node's hop context binds.
//!
//! Other domains are reached through [`RelayOutput::Forward`]: the caller resolves the domain's home
//! relays (§3.2) and hands them to [`Relay::forward_to`], which sends the envelope over the
//! relay-to-relay hop (§3.9) and retransmits it until acknowledged (`outbox`), and tries again
//! later with back-off when every relay of the domain failed ([`retry`]); the hop's
//! authentication is the caller's, as is telling the relay which hop peers are authenticated relays
//! ([`Relay::add_relay_peer`]).
//!
//! **Bounds** (each in [`RelayConfig`]): registered nodes (`max_nodes`), what each node may send
//! ([`rate`]), what is held per node ([`held::Limits`]), contact numbers per node (`max_contacts`), digests kept per hop peer
//! (`dedup_per_peer`), one delivery in flight per node, envelopes under way to other relays
//! (`max_nodes` × `max_messages`) and as many waiting to be tried again ([`retry`]); the service's
//! own tables as [`Config`] bounds them.

pub mod binding;
pub mod contacts;
pub mod forwarded;
pub mod held;
pub mod rate;
pub mod registry;
pub mod verify;

mod accounts;
pub use accounts::Enrolling;
mod deliver;
pub use deliver::AWAKE_RETRY_DELAY;
mod moves;
mod outbox;
pub use outbox::MAX_RELAYS;
mod receive;
mod relay_change;
pub mod retry;
pub use relay_change::{
    previous_relays, InvalidPreviousRelays, Redirect, MAX_HOST_NAME, MAX_PREVIOUS_RELAYS,
};
mod relay_peers;
pub use relay_peers::MAX_RELAY_HOSTS;

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use rand_core::CryptoRngCore;

use crate::engine::peers::{ContextId, ContextKind};
use crate::engine::{Config, Event, Node, LISTEN_TIME};
use crate::message::digest::Digest;
use crate::message::envelope::EnvelopeError;
use crate::message::retransmit::Retransmitter;
use crate::params::{Instant, Timing};
use binding::HopBinding;
use contacts::{Contacts, CONTACT_REUSE_TIME};
use forwarded::Forwarded;
use held::{Limits, Queue};
use relay_peers::RelayPeers;

/// The configuration of a home relay.
#[derive(Clone, Debug)]
pub struct RelayConfig {
    /// The domain it serves; its service address is `_relay@` and this domain.
    pub domain: String,
    /// What it holds per node (at least [`held::MIN_HELD_MESSAGES`], [`held::MIN_HELD_BYTES`] and
    /// [`held::MIN_HOLD_TIME`], which [`Relay::new`] enforces).
    pub limits: Limits,
    /// Most registered nodes.
    pub max_nodes: usize,
    /// Most contact numbers per node.
    pub max_contacts: usize,
    /// CONTACT_REUSE_TIME, in ms.
    pub contact_reuse_time: u64,
    /// Most digests of forwarded envelopes kept per hop peer ([IOTP-MSG-122]).
    pub dedup_per_peer: usize,
    /// The parameters of §5.14 (RELAY_DEDUP_LIFETIME is `exchange_lifetime`).
    pub timing: Timing,
    /// The `retry_after` of `QueueFull`, in seconds, for a node that announced no sleep interval.
    pub queue_full_retry: u32,
    /// What each node may send for holding or forwarding (at least the floor of §3.6.3, which
    /// [`Relay::new`] enforces).
    pub rate: rate::Rate,
    /// The bounds of the accounts, tokens and quarantine of the Relay capability ([`registry`]).
    pub registry: registry::Limits,
    /// The intervals between attempts to forward to another domain's relays ([IOTP-DLV-52]).
    pub retry: retry::Backoff,
}

impl RelayConfig {
    /// The spec's defaults for `domain`.
    pub fn new(domain: &str) -> Self {
        RelayConfig {
            domain: domain.into(),
            limits: Limits::default(),
            max_nodes: 64,
            max_contacts: 64,
            contact_reuse_time: CONTACT_REUSE_TIME,
            dedup_per_peer: 64,
            timing: Timing::default(),
            queue_full_retry: 60,
            rate: rate::Rate::default(),
            registry: registry::Limits::default(),
            retry: retry::Backoff::default(),
        }
    }
}

/// What the relay asks its caller to do.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum RelayOutput<P> {
    /// Send one datagram to a hop peer.
    Send {
        /// The hop peer.
        to: P,
        /// The encoded envelope.
        bytes: Vec<u8>,
    },
    /// Carry an envelope to the home relay of `domain` (§3.2, §3.9): resolve its relays and hand
    /// them to [`Relay::forward_to`], which sends and retransmits it ([IOTP-DLV-128]).
    Forward {
        /// The recipient's domain.
        domain: String,
        /// The encoded envelope, addresses in full ([IOTP-MSG-64]).
        bytes: Vec<u8>,
    },
    /// Carry a request held for an address the relay released to the relays that the domain's
    /// SRV records name now ([`Relay::redirect_to`]), or, if they still name this relay or cannot
    /// be resolved, hand it back to [`Relay::redirect_failed`] ([IOTP-DLV-113], §3.11.4).
    Redirect(Redirect<P>),
    /// Record a change of what the relay holds, before the outputs that follow it: an envelope is
    /// acknowledged only after it is held, so that a caller that writes these to a crash-safe store
    /// before sending what follows loses no envelope the relay accepted ([IOTP-DLV-36]).
    Store(StoreChange),
    /// Tell the application.
    Event(RelayEvent<P>),
}

/// A change of what a relay holds, for a caller that keeps it in a store ([`Relay::restore`] puts it
/// back after a restart).
// As `RegistryChange`: one at a time, to the caller's store at once.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum StoreChange {
    /// An envelope is held for `recipient`.
    Held {
        /// The address it is for.
        recipient: String,
        /// Its digest, by which [`StoreChange::Removed`] names it.
        digest: Digest,
        /// Whether it is a request.
        request: bool,
        /// Its resolved sender's address (`None`: the relay's own service).
        sender: Option<String>,
        /// The envelope as received.
        envelope: Vec<u8>,
        /// When the relay accepted it.
        received: Instant,
        /// When its hold ends.
        expires: Instant,
    },
    /// Envelopes are no longer held for `recipient`: delivered and named by a receipt, given up, or
    /// dropped to make room.
    Removed {
        /// The address they were for.
        recipient: String,
        /// Their digests.
        digests: Vec<Digest>,
    },
    /// A request held for the released `recipient` is no longer the relay's: the domain's new
    /// relay acknowledged or answered it, or the relay answered it `Undeliverable`
    /// ([IOTP-DLV-113], [IOTP-DLV-129]). Until then a store keeps it (after the release's
    /// [`registry::RegistryChange::Unregistered`], in an outbox), and [`Relay::restore_redirect`]
    /// puts it back after a restart.
    Redirected {
        /// The released address it was held for.
        recipient: String,
        /// Its digest.
        digest: Digest,
    },
    /// A confirmable envelope the relay accepted for another domain is on its way to the relay of
    /// `domain` ([IOTP-DLV-130]): a store keeps it, before its acknowledgement, until
    /// [`StoreChange::Forwarded`], and after a restart the caller forwards it again.
    Outgoing {
        /// The domain whose relay it goes to.
        domain: String,
        /// Its digest, by which [`StoreChange::Forwarded`] names it.
        digest: Digest,
        /// The envelope as forwarded ([`RelayOutput::Forward`]'s bytes).
        envelope: Vec<u8>,
        /// When the relay took it: its hold time counts from then ([IOTP-DLV-131]).
        received: Instant,
    },
    /// A forward whose attempt failed on every relay of its domain waits for its next attempt at
    /// `next` ([IOTP-DLV-52]): a store keeps the count with the forward
    /// ([`StoreChange::Outgoing`]), so that a restart goes on with the back-off rather than
    /// starting it again ([IOTP-DLV-131]).
    Retry {
        /// Its digest.
        digest: Digest,
        /// Its failed attempts so far.
        failed: u32,
        /// When it goes again.
        next: Instant,
    },
    /// A forwarded envelope is no longer the relay's: the next relay acknowledged or answered it,
    /// or its sender was told `Undeliverable`.
    Forwarded {
        /// Its digest.
        digest: Digest,
    },
    /// The Relay capability changed an account or a registration ([`registry`]).
    Registry(registry::RegistryChange),
}

/// Why a stored envelope was not put back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestoreError {
    /// The relay does not serve the recipient (register it first).
    NotRegistered,
    /// Not an envelope.
    Decode,
    /// Beyond the recipient's limits.
    Full,
}

/// What the relay's application learns.
#[derive(Clone, Debug, PartialEq)]
pub enum RelayEvent<P> {
    /// An event of the relay's own service that the relay does not handle itself: a request for the
    /// Relay capability, to answer with [`Relay::service_mut`]'s `reply`, a new EDHOC session, ...
    Service(Event<P>),
    /// An envelope was refused or discarded, and why (for logs and conformance).
    Discarded {
        /// The hop peer it came from.
        from: P,
        /// Why.
        reason: RelayDiscard,
    },
    /// A non-delivery status was sent about a request ([IOTP-MSG-67], [IOTP-MSG-69]).
    NonDelivery {
        /// The request's `message_id`.
        message_id: u64,
        /// The request's recipient.
        recipient: Option<String>,
        /// The status.
        code: StatusCode,
    },
}

/// Why the relay refused or discarded an envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayDiscard {
    /// Not a canonical `Envelope`.
    Decode(iotp2p_codec::runtime::ErrorClass),
    /// A rule of §5.2 or §5.5.
    Envelope(EnvelopeError),
    /// From a hop peer that may only reach the relay's service ([IOTP-DLV-77], [IOTP-DLV-78]).
    NotOwnNode,
    /// From one of its nodes with another sender than the node's address ([IOTP-DLV-27]).
    WrongSender,
    /// For a contact number the relay has not assigned ([IOTP-MSG-30], [IOTP-MSG-31]).
    UnknownContact,
    /// For an address of its domain that it does not serve ([IOTP-DLV-28]).
    UnknownRecipient,
    /// For another domain, from a relay ([IOTP-DLV-29]).
    NoRoute,
    /// A copy of an envelope it holds or has forwarded ([IOTP-MSG-119]).
    Duplicate,
    /// Beyond the recipient's holding limits ([IOTP-DLV-35], [IOTP-DLV-37]).
    QueueFull,
    /// A `ttl` that ran out ([IOTP-MSG-66]).
    Expired,
    /// From a relay that may not send for the sender's domain, nor for the recipient as one of its
    /// previous relays: discarded without a status ([IOTP-DLV-57], [IOTP-DLV-58]).
    NotAuthorized,
    /// Beyond its sender's rate limit ([IOTP-DLV-124]).
    RateLimited,
    /// An acknowledgement that names a sender ([IOTP-MSG-146]) from a hop peer that is not a relay:
    /// never forwarded ([IOTP-MSG-147]).
    Unanswered,
}

/// Whether a node listens ([IOTP-DLV-45], [IOTP-IM-69]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Listening {
    /// It announced `Awake` without `sleep_interval`, or never announced anything.
    Always,
    /// It announced `Awake` with a `sleep_interval`: until this instant.
    Until(Instant),
    /// It announced `Asleep` or `Leaving`.
    No,
    /// It announced `Awake` without `sleep_interval`, but a delivery to it failed: nothing goes until
    /// a message from it verifies on its hop ([IOTP-DLV-137]), or until `retry` for the one delivery
    /// the relay tries without having heard from it ([IOTP-DLV-140]).
    Lost {
        /// When the relay delivers again unheard; `None` once it has.
        retry: Option<Instant>,
    },
    /// It was `Lost` and the relay delivers again without having heard from it ([IOTP-DLV-140]): it
    /// is taken to listen, and if this delivery fails too the relay waits for it.
    Retrying,
}

/// Where a non-delivery status about a held request goes (§3.8).
#[derive(Clone, Debug, PartialEq, Eq)]
enum NdnRoute<P> {
    /// To the sender's address: the request came from one of the relay's nodes or an authenticated
    /// relay ([IOTP-DLV-48]).
    Sender(String),
    /// Back to the hop peer it came from ([IOTP-DLV-49]).
    HopPeer(P),
    /// Nowhere: a reply, or a request restored from a store without its sender.
    Nowhere,
}

/// Where a held envelope came from: the hop peer (whose digests it is kept among once forwarded,
/// [IOTP-MSG-122]; none for the relay's own statuses) and where a non-delivery status about it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Source<P> {
    hop: Option<P>,
    ndn: NdnRoute<P>,
}

/// One of the relay's nodes.
#[derive(Debug)]
struct Registered<P> {
    address: String,
    binding: HopBinding<P>,
    /// The `sleep_interval` of its last `presence`, in seconds (0: none).
    sleep_interval: u32,
    /// The `max_message` of its last `presence`: the largest message it can receive (absent:
    /// MAX_MESSAGE). Nothing larger goes to it ([IOTP-MSG-76]).
    max_message: Option<u16>,
    listening: Listening,
    /// It announced `Leaving` and has not authenticated since ([IOTP-DLV-47]).
    left: bool,
    queue: Queue<Source<P>>,
    contacts: Contacts,
    /// The `message_id` of the delivery in flight, if any.
    delivering: Option<u64>,
    /// The held envelope whose last delivery failed while the node stayed awake: if its next
    /// delivery fails too, it is given up ([IOTP-DLV-139]).
    failed: Option<Digest>,
    /// What it may still send for holding or forwarding ([IOTP-DLV-31]).
    bucket: rate::Bucket,
    /// The address it re-homed to and the end of the grace period ([`moves`]).
    moved_to: Option<(String, Instant)>,
    /// The address it re-homed from and the end of the grace period ([`moves`]).
    moved_from: Option<(String, Instant)>,
    /// The relays of its domain's previous provider and the end of the window in which their
    /// messages are accepted ([`relay_change`]).
    previous_relays: Option<registry::PreviousRelays>,
    /// Its relay policy's holding limits, below the relay's (§3.6.1.4): most messages held, longest
    /// hold in seconds.
    policy: (Option<u16>, Option<u32>),
}

/// A home relay.
#[derive(Debug)]
pub struct Relay<P> {
    config: RelayConfig,
    service_address: String,
    service: Node<P>,
    nodes: Vec<Registered<P>>,
    /// The authenticated relays among the hop peers, as the caller declared them.
    relay_peers: RelayPeers<P>,
    forwarded: Forwarded<P>,
    deliveries: Retransmitter<P>,
    /// Envelopes under way to other relays ([`outbox`]): at most `max_nodes` × `max_messages`.
    outbox: outbox::Outbox<P>,
    /// Forwards waiting to be tried again ([`retry`]): at most `max_nodes` × `max_messages`.
    retries: retry::Retries<P>,
    /// Accounts, tokens and registrations of the Relay capability ([`registry`]), which
    /// `server::relay` serves.
    registry: registry::Registry,
    /// Failed enrolments by hop peer: (peer, count, since); at most `registry.max_failures`, the
    /// oldest forgotten first.
    enrol_failures: Vec<(accounts::Enrolling<P>, u32, Instant)>,
    /// The lookup rate bucket of each hop peer that asked lately, least recent first; at most
    /// `registry.max_lookup_peers`.
    lookups: Vec<(P, rate::Bucket)>,
}

/// Why a node was not registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegisterError {
    /// The address is not in the relay's domain.
    OtherDomain,
    /// The relay serves `max_nodes` already.
    Full,
}

impl<P: Clone + PartialEq + core::fmt::Debug> Relay<P> {
    /// A relay with its service's engine configured by `service` (its address is set to the service
    /// address), whose `counter` is the service's node-wide counter (§5.4).
    pub fn new(mut config: RelayConfig, mut service: Config, counter: u64) -> Self {
        config.limits.max_messages = config.limits.max_messages.max(held::MIN_HELD_MESSAGES);
        config.limits.max_bytes = config.limits.max_bytes.max(held::MIN_HELD_BYTES);
        config.limits.max_hold_time = config.limits.max_hold_time.max(held::MIN_HOLD_TIME);
        config.rate = config.rate.at_least_the_floor();
        let service_address = alloc::format!("_relay@{}", config.domain);
        service.address = Some(service_address.clone());
        let forwarded = Forwarded::new(config.dedup_per_peer, config.timing.exchange_lifetime);
        // One delivery in flight per node, and nothing waits: the relay itself sends the next.
        let deliveries =
            Retransmitter::with_quarantine(config.timing, 0, config.timing.ack_timeout);
        let in_all = config
            .max_nodes
            .saturating_mul(config.limits.max_messages as usize);
        let outbox = outbox::Outbox::new(config.timing, in_all);
        Relay {
            outbox,
            retries: retry::Retries::new(in_all),
            registry: registry::Registry::new(config.registry),
            enrol_failures: Vec::new(),
            lookups: Vec::new(),
            service_address,
            service: Node::new(service, counter),
            nodes: Vec::new(),
            relay_peers: RelayPeers::new(),
            forwarded,
            deliveries,
            config,
        }
    }

    /// The relay's configuration.
    pub fn config(&self) -> &RelayConfig {
        &self.config
    }

    /// The relay's service address, `_relay@` and its domain.
    pub fn service_address(&self) -> &str {
        &self.service_address
    }

    /// The engine of the relay's own service: its security contexts (the hop contexts with its nodes),
    /// its EDHOC responder, and the replies to the requests of [`RelayEvent::Service`].
    pub fn service_mut(&mut self) -> &mut Node<P> {
        &mut self.service
    }

    /// The engine of the relay's own service.
    pub fn service(&self) -> &Node<P> {
        &self.service
    }

    /// Starts serving `address` (a registration, §3.6.1): the relay accepts its messages once its hop
    /// is bound, and holds messages for it. Registering an address again changes nothing.
    pub fn register(&mut self, address: &str) -> Result<(), RegisterError> {
        let in_domain = address
            .rsplit_once('@')
            .is_some_and(|(_, d)| d == self.config.domain);
        if !in_domain {
            return Err(RegisterError::OtherDomain);
        }
        if self.node(address).is_some() {
            return Ok(());
        }
        if self.nodes.len() >= self.config.max_nodes {
            return Err(RegisterError::Full);
        }
        self.nodes.push(Registered {
            address: address.into(),
            binding: HopBinding::Unbound,
            sleep_interval: 0,
            max_message: None,
            listening: Listening::Always,
            left: false,
            queue: Queue::default(),
            contacts: Contacts::new(self.config.max_contacts, self.config.contact_reuse_time),
            delivering: None,
            failed: None,
            // Full from the start: a bucket refills to its burst anyway before its first use.
            bucket: rate::Bucket::full(self.config.rate, 0),
            moved_to: None,
            moved_from: None,
            previous_relays: None,
            policy: (None, None),
        });
        Ok(())
    }

    /// Applies the holding limits of `address`'s relay policy (§3.6.1.4): at most
    /// `max_held_messages` held and `max_hold_time` seconds each, within the relay's own limits
    /// (`None`: the relay's). Takes effect for what arrives next, and for what is held already only
    /// in its hold time ([IOTP-DLV-102]). Returns whether the relay serves the address.
    pub fn set_holding_policy(
        &mut self,
        address: &str,
        max_held_messages: Option<u16>,
        max_hold_time: Option<u32>,
    ) -> bool {
        match self.node(address) {
            Some(i) => {
                self.nodes[i].policy = (max_held_messages, max_hold_time);
                true
            }
            None => false,
        }
    }

    /// The holding limits of node `i`: the relay's, narrowed by the node's relay policy.
    fn limits_of(&self, i: usize) -> Limits {
        let mut limits = self.config.limits;
        let (messages, hold) = self.nodes[i].policy;
        if let Some(m) = messages {
            limits.max_messages = limits.max_messages.min(u32::from(m));
        }
        if let Some(t) = hold {
            limits.max_hold_time = limits.max_hold_time.min(t);
        }
        limits
    }

    /// Stops serving `address` (a release without re-homing statement, [IOTP-DLV-99]): each request
    /// held for it goes out as a [`RelayOutput::Redirect`], which the caller carries to the domain's
    /// current relay or answers `Undeliverable` ([IOTP-DLV-113]), and its hop contexts are closed.
    /// Returns whether it was served.
    pub fn release(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        address: &str,
    ) -> (bool, Vec<RelayOutput<P>>) {
        let mut out = Vec::new();
        let Some(i) = self.node(address) else {
            return (false, out);
        };
        let mut node = self.nodes.remove(i);
        let (requests, replies): (Vec<_>, Vec<_>) =
            node.queue.drain().into_iter().partition(|h| h.request);
        // The requests stay the store's until each is redirected ([`StoreChange::Redirected`]).
        out.push(removed(address, &replies));
        self.redirects(now, rng, address, requests, &mut out);
        let contexts: Vec<ContextId> = self
            .service
            .contexts()
            .iter()
            .filter(|e| e.peer.address.as_deref() == Some(address))
            .map(|e| e.id)
            .collect();
        for id in contexts {
            self.service.remove_context(id);
        }
        (true, out)
    }

    /// Whether `hop` is the relay of another domain (§3.9.1), not a node that sends directly.
    pub fn is_relay_peer(&self, hop: &P) -> bool {
        self.relay_peers.is_relay(hop)
    }

    /// Declares `peer` an authenticated relay that `domain`'s SRV records name (the relay-to-relay
    /// hop of §3.9.1, which the caller authenticates): it may send for `domain` ([IOTP-DLV-57]), and
    /// for every other domain declared for it.
    pub fn add_relay_peer(&mut self, peer: P, domain: &str) {
        self.relay_peers.declare_domain(peer, domain);
    }

    /// Declares `peer` an authenticated relay whose certificate was validated for the host names
    /// `hosts` (§3.9.1; at most [`MAX_RELAY_HOSTS`] are kept), in place of any
    /// declared before: it may send for the addresses registered with one of them among their
    /// `previous_relays` ([IOTP-DLV-112]).
    pub fn set_relay_hosts(&mut self, peer: P, hosts: &[&str]) {
        self.relay_peers.declare_hosts(peer, hosts);
    }

    /// How many sources of failed enrolments and of lookups the relay counts (at most
    /// `max_failures` and `max_lookup_peers`): what a fuzz target checks its bounds by.
    pub fn counted_sources(&self) -> (usize, usize) {
        (self.enrol_failures.len(), self.lookups.len())
    }

    /// The addresses the relay serves.
    pub fn registered(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|n| n.address.as_str())
    }

    /// How many envelopes the relay holds for `address`.
    pub fn held(&self, address: &str) -> usize {
        self.node(address).map_or(0, |i| self.nodes[i].queue.len())
    }

    /// The transport address to which `address`'s hop is bound at `now`, if any.
    pub fn bound(&self, address: &str, now: Instant) -> Option<&P> {
        self.nodes[self.node(address)?].binding.bound_at(now)
    }

    /// When [`on_timer`](Relay::on_timer) must next be called.
    pub fn next_deadline(&self) -> Option<Instant> {
        let holds = (0..self.nodes.len()).filter_map(|i| {
            self.nodes[i]
                .queue
                .deadline(self.limits_of(i).max_hold_time)
        });
        let retries = self.nodes.iter().filter_map(|n| match n.listening {
            Listening::Lost { retry } => retry,
            _ => None,
        });
        [
            self.service.next_deadline(),
            self.deliveries.next_deadline(),
            self.outbox.next_deadline(),
            self.retries.next_deadline(self.config.limits.max_hold_time),
        ]
        .into_iter()
        .flatten()
        .chain(holds)
        .chain(retries)
        .min()
    }

    /// Handles the timers due at `now`: the service's, retransmissions of deliveries and forwards,
    /// forwards due to be tried again ([IOTP-DLV-52]), and holds that end ([IOTP-DLV-40]).
    pub fn on_timer(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<RelayOutput<P>> {
        let mut out = Vec::new();
        let service = self.service.on_timer(now, rng);
        self.service_outputs(now, rng, service, &mut out);
        self.retransmit(now, rng, &mut out);
        self.retry_lost(now, rng, &mut out);
        self.outbox_timer(now, rng, &mut out);
        self.retry_timer(now, rng, &mut out);
        self.expire(now, rng, &mut out);
        self.expire_moves(now);
        self.end_departures(now, &mut out);
        out
    }

    /// Puts back an envelope that a store kept for `recipient` (a [`StoreChange::Held`]) after a
    /// restart, at `now` on the relay's clock, `held_for` ms after it was accepted; returns its digest.
    /// Restored envelopes count as not yet delivered: each goes again when its node next listens
    /// ([IOTP-DLV-109]). A request restored without `sender` gets no non-delivery status.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        &mut self,
        now: Instant,
        recipient: &str,
        request: bool,
        sender: Option<&str>,
        envelope: &[u8],
        held_for: u64,
    ) -> Result<Digest, RestoreError> {
        let i = self.node(recipient).ok_or(RestoreError::NotRegistered)?;
        let held = restored(now, recipient, request, sender, envelope, held_for)?;
        let digest = held.digest;
        let limits = self.limits_of(i);
        self.nodes[i]
            .queue
            .admit(held, &limits)
            .map(|_| digest)
            .map_err(|_| RestoreError::Full)
    }

    /// How many envelopes are under way to other relays (at most `max_nodes` × `max_messages`):
    /// what a fuzz target checks the bound by.
    pub fn under_way(&self) -> usize {
        self.outbox.len()
    }

    /// The congestion window towards the relay `peer` (§10.5.3, [IOTP-UDP-22]): how many envelopes
    /// may be outstanding towards it now, and its retransmission timeout once a round trip was
    /// measured ([IOTP-UDP-23]).
    pub fn relay_window(&self, peer: &P) -> (usize, Option<u64>) {
        self.outbox.window(peer)
    }

    /// Forgets that the envelope `digest` was forwarded: the caller could not store it
    /// ([`StoreChange::Outgoing`]) and withholds its acknowledgement, so that the sender's
    /// retransmission is taken afresh rather than as a copy.
    pub fn forget_forward(&mut self, digest: &Digest) {
        self.forwarded.remove(digest);
    }

    /// Drops the envelope `digest` held for `recipient` without a status: the caller could not store
    /// it, and withholds its acknowledgement so that the sender sends it again. Returns whether it
    /// was held.
    pub fn forget(&mut self, recipient: &str, digest: &Digest) -> bool {
        let Some(i) = self.node(recipient) else {
            return false;
        };
        let node = &mut self.nodes[i];
        let Some(index) = node.queue.iter().position(|h| h.digest == *digest) else {
            return false;
        };
        if let Some(h) = node.queue.take(index) {
            if node.delivering == Some(h.message_id) {
                node.delivering = None;
            }
        }
        true
    }

    fn node(&self, address: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.address == address)
    }

    /// The registered node whose hop is bound to `from` at `now`.
    fn node_bound_to(&self, from: &P, now: Instant) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.binding.is_bound_to(from, now))
    }

    /// The registered node that is the peer of the service's context `id` (an ordinary context, whose
    /// address is bound to the node's credential).
    fn node_of_context(&self, id: ContextId) -> Option<usize> {
        let entry = self.service.contexts().get(id)?;
        if entry.peer.kind != ContextKind::Ordinary {
            return None;
        }
        self.node(entry.peer.address.as_deref()?)
    }

    /// The newest hop context with the node `address`.
    fn hop_context(&self, address: &str) -> Option<ContextId> {
        self.service
            .contexts()
            .iter()
            .filter(|e| {
                e.peer.kind == ContextKind::Ordinary && e.peer.address.as_deref() == Some(address)
            })
            .map(|e| e.id)
            .max()
    }

    /// Whether `address` is in the relay's domain.
    fn in_domain(&self, address: &str) -> bool {
        address
            .rsplit_once('@')
            .is_some_and(|(_, d)| d == self.config.domain)
    }

    /// The node listens at `now`.
    fn listens(node: &Registered<P>, now: Instant) -> bool {
        match node.listening {
            Listening::Always | Listening::Retrying => true,
            Listening::Until(t) => now < t,
            Listening::No | Listening::Lost { .. } => false,
        }
    }
}

/// An envelope that a store kept for `recipient`, accepted `held_for` ms before `now`, as the
/// relay holds it.
fn restored<P>(
    now: Instant,
    recipient: &str,
    request: bool,
    sender: Option<&str>,
    envelope: &[u8],
    held_for: u64,
) -> Result<held::Held<Source<P>>, RestoreError> {
    let env = iotp2p_codec::core::Envelope::decode(envelope).map_err(|_| RestoreError::Decode)?;
    let digest = crate::message::digest::digest(&env, Some(recipient), sender)
        .map_err(|_| RestoreError::Decode)?;
    Ok(held::Held {
        digest,
        bytes: envelope.into(),
        message_id: env.message_id,
        sender: sender.map(String::from),
        request,
        received: now.saturating_sub(held_for),
        ttl: env.ttl,
        route: Source {
            hop: None,
            ndn: match sender {
                Some(s) if request => NdnRoute::Sender(s.into()),
                _ => NdnRoute::Nowhere,
            },
        },
        delivered: None,
    })
}

/// The listening state after a `presence` `Awake` at `now` with `sleep_interval` ([IOTP-IM-69]).
fn awake(now: Instant, sleep_interval: Option<u32>) -> Listening {
    match sleep_interval {
        Some(_) => Listening::Until(now.saturating_add(LISTEN_TIME)),
        None => Listening::Always,
    }
}

/// The domain of an address (empty for none).
fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// The change that removes `gone` from what is held for `recipient`.
fn removed<P, R>(recipient: &str, gone: &[held::Held<R>]) -> RelayOutput<P> {
    RelayOutput::Store(StoreChange::Removed {
        recipient: recipient.into(),
        digests: gone.iter().map(|h| h.digest).collect(),
    })
}

/// The change that records `h`, held for `recipient` within `max_hold_time` seconds.
fn stored<P, R>(recipient: &str, h: &held::Held<R>, max_hold_time: u32) -> RelayOutput<P> {
    RelayOutput::Store(StoreChange::Held {
        recipient: recipient.into(),
        digest: h.digest,
        request: h.request,
        sender: h.sender.clone(),
        envelope: h.bytes.clone(),
        received: h.received,
        expires: h.expiry(max_hold_time),
    })
}

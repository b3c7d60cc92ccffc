//! The engine of an end node (a device or an app): the receive pipeline of spec §5.9.1, replies and
//! requests, sealing under its security contexts, acknowledgement and retransmission, on an injected
//! clock and RNG.
//!
//! The engine is driven by three calls and answers each with [`Output`]s:
//!
//! - [`Node::receive`]: a datagram (one whole envelope) from a hop peer;
//! - [`Node::on_timer`]: the time given by [`Node::next_deadline`] has come;
//! - [`Node::request`] and [`Node::reply`]: the application sends.
//!
//! A device with a hop context ([`Node::set_hop_context`]) also sends the receipts of §5.11.1 for
//! what its home relay delivers; a node with an [`EdhocResponder`] answers EDHOC itself (§8.4.3).
//!
//! `P` is whatever names a hop peer at the transport (a socket address, a BLE connection, a label in
//! a conformance scenario). The engine never looks inside it.
//!
//! `R` is the [`Role`] the node decodes and encodes as: a firmware names its own
//! (`Node::with_role(config, 0, role::Device)`, `iotp2p_codec::core::role`) and links no decoder of
//! a body its role never receives, which the engine then answers as an unknown variant (§5.9.1:
//! `UnsupportedRequest` for a request, discarded otherwise), and no encoder of a body its role never
//! sends, which the engine then refuses to send ([`SendError::Encode`] with
//! `EncodeError::NotSentByRole`). [`Node::new`] decodes and encodes every body ([`Everything`]):
//! apps, relays and gateways that serve several roles.
//!
//! **Bounds** (each in [`Config`]): contexts, the duplicate cache, the reply cache, the envelopes
//! waiting for NSTART, the requests awaiting a reply and the requests the application has not yet
//! answered. A full table of requests refuses new ones ([`SendError::Busy`]); a full table of
//! unanswered requests forgets the oldest, whose reply then fails with [`SendError::UnknownExchange`].

mod again;
mod handshakes;
mod notify;
mod presence;
mod receipts;
mod receive;
mod send;
mod service;
mod visitor_rate;

pub mod peers;

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::{owned, Body};
use iotp2p_codec::runtime::{Receives, Sends};
use rand_core::CryptoRngCore;

use crate::message::dedup::{DedupCache, ReplyCache};
use crate::message::digest::Digest;
use crate::message::envelope::EnvelopeError;
use crate::message::ids::NodeCounter;
use crate::message::retransmit::{Action, Retransmitter};
use crate::params::{Instant, Timing, DEDUP_CACHE_MIN, MAX_MESSAGE};
use crate::security::seal::OpenError;
use peers::{ContextError, ContextId, ContextTable, Peer};

pub use handshakes::{
    EdhocResponder, KnownPeer, MIN_PENDING_LIFETIME, REVOKED_CAPACITY, VISITOR_LIFETIME,
};
pub use notify::Subscriber;
pub use presence::LISTEN_TIME;
pub use send::{Destination, SendError};
pub use service::StatusRoute;
pub use visitor_rate::{VISITOR_HANDSHAKE_BURST, VISITOR_HANDSHAKE_INTERVAL};

pub use iotp2p_codec::runtime::Everything;

/// The role a node decodes and encodes as: which `Body` variants it decodes ([`Receives`], from the
/// schema's `@received_by`), the others kept as unknown variants, and which it encodes ([`Sends`],
/// from `@sent_by`), any other being an encode error. The unit types of `iotp2p_codec::core::role`
/// are roles, and so is [`Everything`], the role of [`Node::new`].
pub trait Role: for<'a> Receives<Body<'a>> + for<'a> Sends<Body<'a>> + core::fmt::Debug {}

impl<R> Role for R where R: for<'a> Receives<Body<'a>> + for<'a> Sends<Body<'a>> + core::fmt::Debug {}

/// The protocol `version` this engine implements (spec §5.3).
pub const VERSION: u8 = 1;

/// The versions this engine supports, ascending, as `UnsupportedVersion` lists them ([IOTP-ERR-9]).
pub const SUPPORTED_VERSIONS: [u8; 1] = [VERSION];

/// The configuration of a node.
#[derive(Clone, Debug)]
pub struct Config {
    /// The node's own address, if it has one.
    pub address: Option<String>,
    /// The largest envelope the node receives (at most MAX_MESSAGE; a device may announce less in
    /// `Presence.max_message`).
    pub max_message: usize,
    /// The parameters of §5.14.
    pub timing: Timing,
    /// Most security contexts held at once.
    pub max_contexts: usize,
    /// Entries of the duplicate cache of unsealed envelopes (at least DEDUP_CACHE_MIN).
    pub dedup_capacity: usize,
    /// Replies kept for resending to duplicates.
    pub reply_capacity: usize,
    /// Confirmable envelopes waiting for NSTART.
    pub max_waiting: usize,
    /// Requests of this node awaiting their reply.
    pub max_pending: usize,
    /// Requests received and not yet answered by the application.
    pub max_exchanges: usize,
    /// Subscriptions of this node whose reports it accepts after the first (§6.7); when full, the
    /// oldest is forgotten and its reports are then discarded as unmatched.
    pub max_observations: usize,
    /// How long the acknowledgement of a confirmable request waits for the application's reply to
    /// carry it instead ([IOTP-MSG-44]), in ms. With 0 the acknowledgement goes at the next
    /// [`Node::on_timer`], so a reply given before the caller next looks at the timer still carries
    /// it, and a slower one does not delay it ([IOTP-MSG-43]).
    pub piggyback_window: u64,
    /// FRESHNESS_WINDOW in ms: how long an echo issued to resynchronise a lost replay window stays
    /// valid (10 s recommended, at most 60 s, [IOTP-IM-44], [IOTP-SEC-89]).
    pub freshness_window: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            address: None,
            max_message: MAX_MESSAGE,
            timing: Timing::default(),
            max_contexts: 8,
            dedup_capacity: DEDUP_CACHE_MIN,
            reply_capacity: 8,
            max_waiting: 8,
            max_pending: 8,
            max_exchanges: 8,
            max_observations: 8,
            piggyback_window: 0,
            freshness_window: 10_000,
        }
    }
}

/// What the engine asks its caller to do.
// An event holds a decoded body, a datagram only its bytes; outputs live until the caller handles
// them, so boxing events would cost an allocation each for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Output<P> {
    /// Send one datagram to a hop peer.
    Send {
        /// The hop peer.
        to: P,
        /// The encoded envelope.
        bytes: Vec<u8>,
    },
    /// Tell the application.
    Event(Event<P>),
}

/// The resolved sender of a received envelope (§5.5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin<P> {
    /// A sender known by its address.
    Address(String),
    /// A correspondent the home relay named by this contact number.
    Contact(u16),
    /// The hop peer itself, whose address this node does not know: an anonymous sender.
    HopPeer(P),
}

/// A request received and not yet answered; [`Node::reply`] answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExchangeId(pub u64);

/// What the application learns.
#[derive(Clone, Debug, PartialEq)]
pub enum Event<P> {
    /// A request for the interaction model, to answer with [`Node::reply`] ([IOTP-IM-3]).
    Request {
        /// The handle for the reply.
        exchange: ExchangeId,
        /// The request's `message_id` (with its sender, what names a subscription, §6.7).
        message_id: u64,
        /// The hop peer it came from (where the reports of a subscription go when the node has no
        /// home relay).
        hop: P,
        /// Its sender.
        sender: Origin<P>,
        /// The security context it opened under (`None`: it was unsealed).
        context: Option<ContextId>,
        /// False when it opened under a context whose replay window was lost: not to be acted on
        /// before the peer proves freshness ([IOTP-SEC-85]).
        fresh: bool,
        /// Whether it was addressed to the address this node left in a re-homing (forwarded by its
        /// previous home relay during the grace period): its sender has not followed the move yet.
        to_previous_address: bool,
        /// The request.
        body: owned::Body,
    },
    /// The reply to a request of this node.
    Reply {
        /// The `message_id` of the request it answers.
        request: u64,
        /// Its sender.
        sender: Origin<P>,
        /// The security context it opened under.
        context: Option<ContextId>,
        /// The reply.
        body: owned::Body,
    },
    /// An EDHOC handshake this node answered completed: a new security context (§8.4.5), a
    /// visitor's when the peer sent an unknown credential by value (§8.4.6).
    Session {
        /// The new context.
        context: ContextId,
        /// Whether it is a visitor context.
        visitor: bool,
    },
    /// A confirmable envelope was acknowledged by its hop peer.
    Acknowledged {
        /// The hop peer.
        to: P,
        /// Its `message_id`.
        message_id: u64,
    },
    /// A confirmable envelope was not acknowledged after MAX_RETRANSMIT retransmissions
    /// ([IOTP-MSG-47]).
    Failed {
        /// The hop peer.
        to: P,
        /// Its `message_id`.
        message_id: u64,
    },
    /// An envelope was discarded, and why (for logs and conformance; nothing to do).
    Discarded {
        /// The hop peer it came from.
        from: P,
        /// Why.
        reason: Discard,
    },
}

/// Why a received envelope was discarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discard {
    /// Step 1: not a canonical `Envelope`; the error class of §4.17.
    Decode(iotp2p_codec::runtime::ErrorClass),
    /// Step 3: a rule of §5.2 or §5.5 ([IOTP-MSG-10]).
    Envelope(EnvelopeError),
    /// Step 4: for another node; an end node routes nothing.
    NotForThisNode,
    /// Step 5: a version this node does not support ([IOTP-MSG-13]).
    UnsupportedVersion,
    /// Step 6: a request whose reply the node would have no room to queue; neither recorded nor
    /// acknowledged, so that its retransmission brings it again ([IOTP-MSG-144]).
    NoRoom,
    /// Step 7: no security context for a sealed envelope ([IOTP-SEC-73]).
    NoContext,
    /// Step 7: the envelope did not open ([IOTP-SEC-76], [IOTP-SEC-75] for a replay).
    Open(OpenError),
    /// Step 7: the sender's address is not the one bound to the context's peer ([IOTP-SEC-166]).
    NotBound,
    /// Step 7: the plaintext is not a `Body`, or is an `ack` ([IOTP-MSG-35]).
    BadPlaintext,
    /// Step 7: a duplicate, acknowledged again and answered from the cache ([IOTP-MSG-54]).
    Duplicate,
    /// Step 9: a reply that matches no request of this node.
    UnmatchedReply,
    /// Step 9: an acknowledgement of nothing outstanding.
    UnmatchedAck,
    /// Step 9: an unknown body variant that is not a request.
    UnknownBody,
    /// Step 9: an `edhoc_3` that continues no handshake of its sender ([IOTP-SEC-194]).
    UnmatchedHandshake,
    /// Step 7: a request under a context whose replay window was lost, without a valid echo: answered
    /// `FreshnessRequired`, not acted on ([IOTP-SEC-85]).
    Unverified,
}

/// How many entries each bounded table of a [`Node`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occupancy {
    /// Security contexts (at most [`Config::max_contexts`]).
    pub contexts: usize,
    /// Duplicate cache entries (at most [`Config::dedup_capacity`], or DEDUP_CACHE_MIN).
    pub dedup: usize,
    /// Cached replies (at most [`Config::reply_capacity`]).
    pub replies: usize,
    /// Confirmable envelopes in flight (at most NSTART per hop peer).
    pub in_flight: usize,
    /// Confirmable envelopes waiting (at most [`Config::max_waiting`]).
    pub waiting: usize,
    /// Requests awaiting a reply (at most [`Config::max_pending`]).
    pub pending: usize,
    /// Sealed requests answered lately, kept to acknowledge copies of their replies (at most
    /// [`Config::max_pending`], [IOTP-MSG-145]).
    pub answered: usize,
    /// Requests awaiting the application's reply (at most [`Config::max_exchanges`]).
    pub exchanges: usize,
    /// Subscriptions of this node whose reports it accepts (at most [`Config::max_observations`]).
    pub observations: usize,
}

impl Occupancy {
    /// Whether every table is within the bound `config` sets.
    pub fn within(&self, config: &Config) -> bool {
        self.contexts <= config.max_contexts
            && self.dedup <= config.dedup_capacity.max(DEDUP_CACHE_MIN)
            && self.replies <= config.reply_capacity.max(1)
            && self.waiting <= config.max_waiting
            && self.pending <= config.max_pending
            && self.answered <= config.max_pending.max(1)
            && self.exchanges <= config.max_exchanges.max(1)
            && self.observations <= config.max_observations
    }
}

/// A request of this node awaiting its reply.
#[derive(Clone, Debug)]
struct Pending<P> {
    to: P,
    message_id: u64,
    recipient: Destination,
    context: Option<ContextId>,
    /// Until when a reply is matched: EXCHANGE_LIFETIME after sending, plus the request's `ttl`, for
    /// which a relay may hold it ([IOTP-MSG-137]).
    until: Instant,
    /// A `subscribe`: a report in reply makes it an [`Observation`].
    subscribe: bool,
    /// Its envelope, while it may go again after its transmission failed ([`Node::send_again`]).
    failed: Option<again::Failed>,
    /// Whether it went again: it goes at most twice ([IOTP-MSG-149]).
    sent_again: bool,
}

/// A subscription of this node (§6.7): after the first report, the reports that answer the subscribe
/// are accepted from the hop peer it went to, sealed under its context, or under a newer one that
/// names itself by `key_id` ([IOTP-SEC-164]) while the associated data still names the subscribe.
#[derive(Clone, Debug)]
struct Observation<P> {
    to: P,
    /// The subscribe's `message_id`: the reports' `correlation_id`.
    subscription: u64,
    recipient: Destination,
    context: ContextId,
    /// This node's Sender ID under the subscribe's context, kept for the associated data of the
    /// reports should that context be replaced.
    request_key_id: crate::security::KeyId,
}

/// A request received, awaiting the application's reply.
#[derive(Clone, Debug)]
struct Exchange<P> {
    id: ExchangeId,
    from: P,
    message_id: u64,
    sender: Origin<P>,
    context: Option<ContextId>,
    digest: Digest,
    /// When the request's acknowledgement goes alone, unless the reply carries it first.
    ack_due: Option<Instant>,
    /// The acknowledgement went alone: the reply must be confirmable ([IOTP-MSG-135]).
    acked_alone: bool,
}

/// Where an unsealed envelope came from, for the duplicate cache (§5.9).
#[derive(Clone, Debug, PartialEq, Eq)]
enum DedupOrigin<P> {
    Address(String),
    Contact(u16),
    HopPeer(P),
}

/// The engine of an end node, decoding as the role `R` receives.
#[derive(Debug)]
pub struct Node<P, R = Everything> {
    /// The role: what the node decodes (a type, never a value the engine reads).
    role: core::marker::PhantomData<R>,
    config: Config,
    contexts: ContextTable,
    counter: NodeCounter,
    dedup: DedupCache<DedupOrigin<P>>,
    replies: ReplyCache,
    retransmitter: Retransmitter<P>,
    home_relay: Option<P>,
    pending: VecDeque<Pending<P>>,
    /// Requests answered lately (at most [`Config::max_pending`], each until its `until`): a sealed
    /// reply's retransmission opens under its request's context again, so that the duplicate is
    /// acknowledged ([IOTP-MSG-145]).
    answered: VecDeque<Pending<P>>,
    /// At most [`Config::max_observations`].
    observations: VecDeque<Observation<P>>,
    exchanges: VecDeque<Exchange<P>>,
    next_exchange: u64,
    /// The hop context with the home relay, under which receipts are sealed (§5.11.1).
    hop_context: Option<ContextId>,
    /// Deliveries of the home relay not yet named in a receipt (at most `receipts::MAX_DELIVERED`).
    delivered: Vec<owned::DeliveryRef>,
    /// Receipts sent and not yet acknowledged, by `message_id`, with what they name: named again if
    /// their transmission fails ([IOTP-MSG-141]). At most `receipts::MAX_RECEIPTS_IN_FLIGHT`.
    receipts_in_flight: VecDeque<(u64, Vec<owned::DeliveryRef>)>,
    /// The `message_id`s of the last `receipts::MAX_RECEIPTS_IN_FLIGHT` receipts sent, acknowledged
    /// or not, oldest overwritten first (`u64::MAX`, above every `message_id`, for none yet): the
    /// relay's answer to one of them is its own reply, not a delivery ([IOTP-MSG-123]).
    receipts_sent: [u64; receipts::MAX_RECEIPTS_IN_FLIGHT],
    /// Where in `receipts_sent` the next receipt's `message_id` goes.
    receipts_next: usize,
    /// The EDHOC responder and its handshakes waiting for message_3 (§8.4.3), when this node answers
    /// EDHOC.
    handshakes: Option<handshakes::Handshakes<P>>,
    /// Until when a device listens (§6.9): LISTEN_TIME after `Awake` or a delivery with `more`.
    listen_until: Option<Instant>,
    /// The challenges issued to resynchronise lost replay windows (§8.6.3; at most 4 outstanding).
    challenges: crate::security::echo::Challenges<ContextId>,
    /// The address this node left in a re-homing and until when it still accepts envelopes for it
    /// (§3.11.2, the statement's grace period).
    previous_address: Option<(String, Instant)>,
}

impl<P: Clone + PartialEq + core::fmt::Debug> Node<P> {
    /// A node with this configuration whose node-wide counter continues from `counter` (0 for a new
    /// node; the stored value after a restart, [IOTP-MSG-100]). It decodes every body
    /// ([`Everything`]); [`Node::with_role`] makes one that decodes as a role.
    pub fn new(config: Config, counter: u64) -> Self {
        Node::with_role(config, counter, Everything)
    }
}

impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// [`Node::new`] for a node in `role` (`role::Device`): the bodies that role never receives are
    /// kept as unknown variants, those it never sends are refused, and a firmware built for it links
    /// neither their decoders nor their encoders.
    pub fn with_role(config: Config, counter: u64, _role: R) -> Self {
        Node {
            role: core::marker::PhantomData,
            contexts: ContextTable::new(config.max_contexts),
            counter: NodeCounter::resume(counter),
            dedup: DedupCache::new(config.dedup_capacity, config.timing.dedup_cache_lifetime),
            replies: ReplyCache::new(config.reply_capacity, config.timing.exchange_lifetime),
            retransmitter: Retransmitter::new(config.timing, config.max_waiting),
            home_relay: None,
            pending: VecDeque::new(),
            answered: VecDeque::new(),
            observations: VecDeque::new(),
            exchanges: VecDeque::new(),
            next_exchange: 0,
            hop_context: None,
            handshakes: None,
            listen_until: None,
            delivered: Vec::new(),
            receipts_in_flight: VecDeque::new(),
            receipts_sent: [u64::MAX; receipts::MAX_RECEIPTS_IN_FLIGHT],
            receipts_next: 0,
            challenges: crate::security::echo::Challenges::new(config.freshness_window, 4),
            previous_address: None,
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sets the hop peer that is this device's home relay: on that hop alone `sender_contact` may
    /// appear (§5.5.3).
    pub fn set_home_relay(&mut self, relay: Option<P>) {
        self.home_relay = relay;
    }

    /// The hop peer that is this node's home relay, if it has one.
    pub fn home_relay(&self) -> Option<&P> {
        self.home_relay.as_ref()
    }

    /// Sets the hop context with the home relay: a device then sends receipts for what the relay
    /// delivers, sealed under it (§5.11.1).
    pub fn set_hop_context(&mut self, context: Option<ContextId>) {
        self.hop_context = context;
    }

    /// Sets the node's own address (its commissioning, §8.3.5).
    pub fn set_address(&mut self, address: Option<String>) {
        self.config.address = address;
    }

    /// Moves the node to `address` (a re-homing, §8.9): it sends from the new address, and accepts
    /// envelopes for the address it leaves until `previous_until`, the end of the re-homing
    /// statement's grace period, since its previous home relay forwards them unchanged and their seal
    /// covers that address ([IOTP-DLV-74]).
    pub fn move_to(&mut self, address: String, previous_until: Instant) {
        let previous = self.config.address.replace(address);
        self.previous_address = previous.map(|p| (p, previous_until));
    }

    /// The address this node left in its last re-homing, while it still accepts envelopes for it.
    pub fn previous_address(&self) -> Option<&str> {
        self.previous_address.as_ref().map(|(a, _)| a.as_str())
    }

    /// Adds a security context with its peer.
    pub fn add_context(
        &mut self,
        context: crate::security::SecurityContext,
        peer: Peer,
    ) -> Result<ContextId, ContextError> {
        self.contexts.insert(context, peer)
    }

    /// Binds the peer of a context to a new address: the peer's re-homing statement was accepted
    /// (§8.9.3). Everything bound to the peer's node ID stays, and the context's Sender Sequence Number
    /// goes on ([IOTP-SEC-169]). With `previous_until`, envelopes from the address it was bound to
    /// are still accepted under the context until then, the statement's grace period
    /// ([IOTP-SEC-114]).
    pub fn rebind_peer(
        &mut self,
        id: ContextId,
        address: Option<String>,
        previous_until: Option<Instant>,
    ) -> bool {
        match self.contexts.get_mut(id) {
            Some(entry) => {
                let previous = core::mem::replace(&mut entry.peer.address, address);
                entry.previous_address = previous.zip(previous_until);
                true
            }
            None => false,
        }
    }

    /// Records the node ID of a context's peer, learned after the context was made: the credential
    /// statement a controller gave under a pairing context (§8.3.5).
    pub fn identify_peer(&mut self, id: ContextId, node: crate::security::NodeId) -> bool {
        match self.contexts.get_mut(id) {
            Some(entry) => {
                entry.peer.node = Some(node);
                true
            }
            None => false,
        }
    }

    /// Records the authentication credential the peer of a context authenticated with (the engine
    /// does so itself for the handshakes it answers; a caller that makes contexts otherwise gives it
    /// here). False when there is no such context.
    pub fn set_peer_credential(&mut self, id: ContextId, credential: Vec<u8>) -> bool {
        match self.contexts.get_mut(id) {
            Some(entry) => {
                entry.credential = Some(credential);
                true
            }
            None => false,
        }
    }

    /// Makes a visitor context an ordinary one with `node`, bound to `address` (§8.4.6): the peer's
    /// credential statement, which vouches for the credential it authenticated with, was accepted
    /// (a relay's `enrol`, [IOTP-DLV-89]). Such a context is no longer discarded as a visitor's
    /// ([IOTP-SEC-160]). False when `id` is no visitor context.
    pub fn admit_visitor(
        &mut self,
        id: ContextId,
        node: crate::security::NodeId,
        address: Option<String>,
    ) -> bool {
        match self.contexts.get_mut(id) {
            Some(entry) if entry.peer.kind == peers::ContextKind::Visitor => {
                entry.peer.kind = peers::ContextKind::Ordinary;
                entry.peer.node = Some(node);
                entry.peer.address = address;
                true
            }
            _ => false,
        }
    }

    /// Removes a security context.
    pub fn remove_context(&mut self, id: ContextId) -> bool {
        self.contexts.remove(id)
    }

    /// The security contexts.
    pub fn contexts(&self) -> &ContextTable {
        &self.contexts
    }

    /// How much of each bounded table is in use: for tests and fuzzing, which check the bounds.
    pub fn occupancy(&self) -> Occupancy {
        Occupancy {
            contexts: self.contexts.len(),
            dedup: self.dedup.len(),
            replies: self.replies.len(),
            in_flight: self.retransmitter.in_flight(),
            waiting: self.retransmitter.waiting(),
            pending: self.pending.len(),
            answered: self.answered.len(),
            observations: self.observations.len(),
            exchanges: self.exchanges.len(),
        }
    }

    /// The value to store so that the node-wide counter never repeats after a restart
    /// ([IOTP-MSG-18]). `ahead` counts values, not envelopes: a confirmable envelope may skip some to
    /// keep off identifiers in use towards its hop peer ([IOTP-MSG-142]).
    pub fn counter_to_store(&self, ahead: u64) -> u64 {
        self.counter.stored_ahead(ahead)
    }

    /// When [`on_timer`](Self::on_timer) is due next, if anything waits for a timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        let acks = self.exchanges.iter().filter_map(|e| e.ack_due).min();
        [
            self.retransmitter.next_deadline(),
            acks,
            self.next_visitor_expiry(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Handles the timers due at `now`: retransmissions and failed transmissions.
    pub fn on_timer(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<Output<P>> {
        let mut actions = Vec::new();
        self.retransmitter.on_timer(now, rng, &mut actions);
        self.expire(now);
        let mut out = Vec::new();
        let due: Vec<(P, u64)> = self
            .exchanges
            .iter_mut()
            .filter(|e| e.ack_due.is_some_and(|t| t <= now))
            .map(|e| {
                e.ack_due = None;
                e.acked_alone = true;
                (e.from.clone(), e.message_id)
            })
            .collect();
        for (to, message_id) in due {
            self.acknowledge(&to, message_id, &mut out);
        }
        self.push_actions(now, actions, &mut out);
        out
    }

    fn expire(&mut self, now: Instant) {
        self.pending.retain(|p| now < p.until);
        for p in &mut self.pending {
            p.failed = p.failed.take().filter(|f| now < f.until());
        }
        self.answered.retain(|p| now < p.until);
        self.dedup.expire(now);
        self.replies.expire(now);
        self.expire_visitors(now);
        if self
            .previous_address
            .as_ref()
            .is_some_and(|(_, t)| *t <= now)
        {
            self.previous_address = None;
        }
        self.contexts.expire_previous_addresses(now);
    }

    fn push_actions(&mut self, now: Instant, actions: Vec<Action<P>>, out: &mut Vec<Output<P>>) {
        for action in actions {
            out.push(match action {
                Action::Send { peer, bytes, .. } => Output::Send { to: peer, bytes },
                Action::Failed {
                    peer,
                    message_id,
                    bytes,
                } => {
                    self.receipt_failed(&peer, message_id);
                    self.request_failed(now, &peer, message_id, &bytes);
                    Output::Event(Event::Failed {
                        to: peer,
                        message_id,
                    })
                }
            });
        }
    }
}

//! Scripted-peer scenarios (testee protocol 2, feature `scenario`): the runner plays one or more peers
//! of the node under test on a virtual clock, as h2spec plays an HTTP/2 client, but deterministically.
//!
//! A scenario vector holds the node's set-up ([`NodeSetup`]: its address, home relay, security
//! contexts and the capabilities its application serves) and a script of [`Step`]s: a peer sends an
//! envelope (built and sealed by the runner itself, with `iotp2p-codec` and `iotp2p-protocol`), time
//! passes, the node's application sends a request, and what the node must have sent and reported
//! since the previous expectation ([`Expectation`]). Envelopes the node sends are decoded, and sealed
//! ones opened with the peer's side of the context, before they are compared with patterns: a
//! scenario states what the spec requires, and leaves free what it leaves free (the `message_id` of
//! an acknowledgement, a timer within its bounds).
//!
//! The testee's side is in [`crate::protocol`]: `scenario-start`, `datagram`, `tick`, `app` and
//! `scenario-end`, each answered with `outputs`. conformance/README.md documents both with a worked
//! transcript.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The node under test.
    pub node: NodeSetup,
    /// The script.
    pub steps: Vec<Step>,
}

/// The node under test, as the scenario starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeSetup {
    /// Its address, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The label of the hop peer that is its home relay: on that hop alone `sender_contact` may
    /// appear (spec §5.5.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_relay: Option<String>,
    /// The name of its hop context with the home relay (spec §8.7): a device then sends receipts,
    /// sealed under it, for what the relay delivers (§5.11.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hop_context: Option<String>,
    /// The largest envelope it receives, when below MAX_MESSAGE (a device that announces it in
    /// `Presence.max_message`, spec §6.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message: Option<usize>,
    /// Where its node-wide counter of unsealed `message_id`s starts (spec §5.4).
    #[serde(default)]
    pub counter: u64,
    /// Its security contexts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contexts: Vec<ContextSetup>,
    /// When given, the node answers EDHOC as the responder (spec §8.4.3) with this identity and these
    /// known peers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edhoc: Option<EdhocSetup>,
    /// The capabilities its application serves (spec chapter 6), answered by the testee's fixture
    /// application as conformance/README.md specifies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<CapabilitySetup>,
    /// When given, the node under test is a home relay (spec chapter 3, feature `relay`): its service
    /// address is `_relay@` and the domain, `contexts` are its hop contexts with its nodes, and what
    /// it forwards to another domain goes to the hop peer of that domain's relay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<RelayRole>,
    /// When given, the node is a device out of its box that serves the Security capability on
    /// endpoint 0 (spec §8.12, feature `security`): unclaimed, its pairing window open from the
    /// scenario's start, with what it holds from manufacture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<SecuritySetup>,
}

/// What a device holds from manufacture (spec §8.3): its identity key, its authentication credential
/// and the SPAKE2+ verifier of its printed passcode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecuritySetup {
    /// Its identity key (a P-256 scalar), lowercase hex: its node ID, the signer of its statements.
    pub identity_key: String,
    /// Its authentication credential (a CCS of spec §8.2.2), lowercase hex.
    pub credential: String,
    /// The passcode printed on it (at most eight digits), from which its verifier is computed.
    pub passcode: u32,
    /// The verifier's PBKDF2 salt (16 to 32 bytes), lowercase hex.
    pub salt: String,
    /// The verifier's PBKDF2 iteration count.
    pub iterations: u32,
}

/// The home relay under test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelayRole {
    /// The domain it serves.
    pub domain: String,
    /// The addresses it serves (registered as the scenario starts).
    pub registered: Vec<String>,
    /// The authenticated relays of other domains (spec §3.9.1), by hop-peer label: the relay takes
    /// what they send as from an authenticated relay, and sends there what is for their domain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relays: Vec<RelayPeerSetup>,
}

/// An authenticated relay of another domain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelayPeerSetup {
    /// Its hop-peer label.
    pub label: String,
    /// The domain it serves.
    pub domain: String,
}

/// A security context between the node and a peer, with the state of both sides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextSetup {
    /// The name steps use for it.
    pub name: String,
    /// The label of the hop peer through which the peer reaches the node.
    pub peer: String,
    /// `ordinary` (a peer with a bound address), `visitor` (spec §8.4.6) or `pairing` (§8.3.4).
    pub kind: String,
    /// The Master Secret, lowercase hex.
    pub master_secret: String,
    /// The Master Salt, lowercase hex.
    pub master_salt: String,
    /// The node's Sender ID (its peer's Recipient ID), lowercase hex.
    pub node_id: String,
    /// The peer's Sender ID (the node's Recipient ID), lowercase hex.
    pub peer_id: String,
    /// The node's Sender Sequence Number: the `message_id` of the next envelope it seals.
    #[serde(default)]
    pub node_ssn: u64,
    /// The peer's Sender Sequence Number.
    #[serde(default)]
    pub peer_ssn: u64,
    /// The peer's address, bound to the context (absent for a visitor or pairing context).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_address: Option<String>,
    /// The peer's node ID (its 52-character text form, spec §2.8.1), when the node knows it: two
    /// contexts with the same `peer_node` are two contexts with one peer, and the later one is the
    /// newest (spec §6.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_node: Option<String>,
    /// Whether the node has lost the context's replay window (a restart, spec §8.6.3).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub window_lost: bool,
    /// A context between two peers that the runner plays (end to end, past a relay under test),
    /// which the node does not hold: the runner seals and opens with it, the testee ignores it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub runner_only: bool,
}

/// The node's EDHOC identity and the peers it may talk to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdhocSetup {
    /// Its authentication key (a P-256 scalar), lowercase hex.
    pub key: String,
    /// Its authentication credential (a CCS of spec §8.2.2), lowercase hex.
    pub credential: String,
    /// The credentials of the peers it holds (from their statements), with the address each binds.
    #[serde(default)]
    pub peers: Vec<KnownPeerSetup>,
}

/// A peer whose credential the node holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownPeerSetup {
    /// Its CCS, lowercase hex.
    pub credential: String,
    /// The address its statement binds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// A peer's EDHOC message, computed by the runner as the initiator (spec §8.4): the body of the sent
/// envelope becomes the `edhoc_1` or `edhoc_3` invoke.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "message", rename_all = "kebab-case", deny_unknown_fields)]
pub enum PeerEdhoc {
    /// message_1 of a new handshake, named `session`.
    Message1 {
        /// The handshake's name; its context takes the name once message_3 is sent.
        session: String,
        /// The peer's authentication key, lowercase hex.
        key: String,
        /// The peer's CCS, lowercase hex.
        credential: String,
        /// C_I, in the integer form −24..23.
        c_i: i8,
        /// The peer's ephemeral key, 32 bytes, lowercase hex.
        ephemeral: String,
        /// Send ID_CRED_I by value (the node does not know the peer) rather than by `kid`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        by_value: bool,
        /// The peer's address, which the runner puts in the associated data of the session's
        /// envelopes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
    },
    /// message_3 of the handshake `session`, answering the message_2 in the node's `reply_to`-th
    /// datagram (from 0), which must be an `invoke_response` to `edhoc_1`.
    Message3 {
        /// The handshake's name.
        session: String,
        /// The node's datagram that carries message_2.
        reply_to: usize,
    },
}

/// A peer's pairing message, computed by the runner as the controller (spec §8.3.3): the body of
/// the sent envelope becomes the `pair_start`, `pair_share` or `pair_confirm` invoke. Once the node
/// has answered `pair_confirm`, the session's pairing context serves `seal` under the session's name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "message", rename_all = "kebab-case", deny_unknown_fields)]
pub enum PeerPairing {
    /// `pair_start` of a new pairing, named `session`, with this passcode.
    Start {
        /// The pairing's name.
        session: String,
        /// The passcode the controller was given (at most eight digits).
        passcode: u32,
    },
    /// `pair_share`, from the node's reply to `pair_start` in its `reply_to`-th datagram (from 0).
    Share {
        /// The pairing's name.
        session: String,
        /// The node's datagram that answers `pair_start`.
        reply_to: usize,
    },
    /// `pair_confirm`, from the node's reply to `pair_share` in its `reply_to`-th datagram, after
    /// checking its confirmV.
    Confirm {
        /// The pairing's name.
        session: String,
        /// The node's datagram that answers `pair_share`.
        reply_to: usize,
    },
}

/// A capability instance of the node's application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilitySetup {
    /// The endpoint.
    pub endpoint: u16,
    /// The capability number on the endpoint.
    pub number: u16,
    /// The schema package.
    pub package: String,
    /// The capability's name.
    pub name: String,
    /// Its version, `major.minor.patch`.
    pub version: String,
    /// Its members, ascending.
    pub members: Vec<MemberSetup>,
}

/// A member of a capability of the fixture application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberSetup {
    /// The member key.
    pub key: u16,
    /// `property`, `action` or `event`.
    pub kind: String,
    /// A property accepts writes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub writable: bool,
    /// A property cannot be subscribed to.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unobservable: bool,
    /// Writes or invokes need proof of freshness (spec §6.8).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fresh: bool,
    /// The member is optional; `implemented` says whether the node has it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// For an optional member: the node implements it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub implemented: bool,
    /// For an action: it takes an input.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub input: bool,
    /// For a property: its value, and for an action with an output: the output, lowercase hex of an
    /// unsigned integer's encoding (the fixture's values are unsigned integers, spec chapter 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The largest value the capability accepts: a greater one breaks its constraint
    /// (`ConstraintError`); a value that is not an unsigned integer does not decode (`InvalidValue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    /// The member's type is "any data item": a value decodes when it is one well-formed item of the
    /// wire profile (spec chapter 4), not only an unsigned integer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub any_value: bool,
}

/// One step of the script.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Step {
    /// A peer sends one datagram to the node.
    Send(Box<Send>),
    /// The clock moves on: to `to` ms, by `by` ms, or to the timer the node asked for last
    /// (`to_timer`). The runner then sends `tick`.
    Advance(Advance),
    /// The node's application sends a request.
    App(AppRequest),
    /// The node takes a new address (a re-homing, spec §8.9, or a new home relay): its security
    /// contexts stay as they are (§8.6.1).
    Rehome(Rehome),
    /// The node (a device) announces its presence to its home relay (spec §6.9).
    Presence(PresenceStep),
    /// The node's application changes a property's value (what a sensor measures, a switch pressed):
    /// the node reports it to its subscribers (spec §6.7).
    Change(ChangeStep),
    /// The node restarts (spec §8.6.3): it keeps its security contexts, their Sender Sequence Numbers
    /// and its node-wide counter, and loses every replay window and what it held in memory (the
    /// requests awaiting replies among them).
    Restart,
    /// The node's application records an occurrence of an event (a button pressed): the node
    /// reports it to the subscriptions that observe it (spec §6.7).
    Event(EventStep),
    /// What the node must have output since the previous expectation.
    Expect(Expectation),
}

/// A datagram from a peer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Send {
    /// The label of the hop peer that sends it.
    pub from: String,
    /// The datagram as given bytes, lowercase hex (malformed input); otherwise built from
    /// `envelope` and `seal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// The envelope in the canonical JSON mapping (spec §4.18); a sealed one without `message_id`,
    /// `key_id` and `sealed`, which the runner fills in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Value>,
    /// Seal the envelope under a context (the peer's side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<Seal>,
    /// Set `correlation_id` to the `message_id` of the node's `n`th datagram of the scenario (from 0),
    /// so that a peer answers what the node sent whatever identifier it chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_to: Option<usize>,
    /// Make the body a receipt (spec §5.11.1, sealed with `seal`, whose `body` it replaces) naming
    /// the requests the node delivered with these `message_id`s (the latest datagram of each), each
    /// as that envelope named its sender: `message_id` with `sender` or `sender_contact` when it
    /// carried one. A relay chooses contact numbers; the receipt follows its choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_of: Option<Vec<u64>>,
    /// Send the same bytes as the step with this index (a retransmission or a replay), ignoring
    /// everything above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<usize>,
    /// Change the bytes before sending: flip bit `bit` of byte `byte` (a forgery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flip: Option<Flip>,
    /// The body is an EDHOC message of the peer, carried as `edhoc_1` or `edhoc_3` (unsealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edhoc: Option<PeerEdhoc>,
    /// The body is a pairing message of the peer, carried as `pair_start`, `pair_share` or
    /// `pair_confirm` (unsealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairing: Option<PeerPairing>,
}

/// How to seal a peer's envelope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// The context, by name.
    pub context: String,
    /// The body, in the canonical JSON mapping.
    pub body: Value,
    /// Carry `key_id` (requests always do; answers may leave it out).
    #[serde(default = "yes")]
    pub key_id: bool,
    /// The sender address of the associated data, when it is not the peer's bound address (to forge
    /// a misbinding); `""` leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aad_sender: Option<String>,
    /// The recipient address of the associated data, when it is not the node's current address (a
    /// peer that sealed for the address the node left in a re-homing, spec [IOTP-SEC-68]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aad_recipient: Option<String>,
    /// The `message_id` to seal with instead of the next Sender Sequence Number (a replay or a stale
    /// envelope; the context's number does not move).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u64>,
    /// Put in the body's `write` or `invoke` the `echo` of the `FreshnessRequired` status that the
    /// node's `n`th datagram (from 0) carries, sealed: the client repeating its request with the
    /// node's challenge (spec §6.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echo_from: Option<usize>,
}

fn yes() -> bool {
    true
}

/// A bit to flip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flip {
    /// The byte, from 0; negative counts from the end (-1 is the last byte).
    pub byte: i64,
    /// The bit, 0 to 7.
    pub bit: u8,
}

/// The clock's move.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// To this time, in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u64>,
    /// By this many ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<u64>,
    /// To the last timer the node asked for (an error if it asked for none).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub to_timer: bool,
}

/// A presence announcement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceStep {
    /// `Awake`, `Asleep` or `Leaving`.
    pub state: String,
    /// For `Asleep` (and optionally `Awake`): how long the device sleeps, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep_interval: Option<u32>,
}

/// A property's new value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeStep {
    /// The endpoint.
    pub endpoint: u16,
    /// The capability instance.
    pub capability: u16,
    /// The property.
    pub member: u16,
    /// Its new value, lowercase hex of its encoding.
    pub value: String,
}

/// An occurrence of an event. The fixture application numbers the node's events from 0, one
/// numbering across all of them, in the order of the `event` steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventStep {
    /// The endpoint.
    pub endpoint: u16,
    /// The capability instance.
    pub capability: u16,
    /// The event member.
    pub member: u16,
    /// The event's data, lowercase hex of its encoding; absent when the event carries none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// A new address for the node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rehome {
    /// The node's new address.
    pub address: String,
    /// The grace period of the node's re-homing statement, in seconds (spec §8.9): for that long the
    /// node still opens envelopes sealed for the address it leaves ([IOTP-SEC-68]). Absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period: Option<u32>,
}

/// A request of the node's application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppRequest {
    /// The hop peer to send it through.
    pub to: String,
    /// The recipient's address, when it is not the hop peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The context to seal it under, by name; unsealed without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The body, in the canonical JSON mapping.
    pub body: Value,
    /// Ask the hop peer for an acknowledgement.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub confirmable: bool,
    /// The request's `ttl`, in seconds (spec §5.3): the node then matches a reply for at least
    /// `ttl` plus EXCHANGE_LIFETIME ([IOTP-MSG-137]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
}

/// What the node must have output since the previous expectation: datagrams in order, and optionally
/// its reports to the application and the timer it asked for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The datagrams, in order and exactly these.
    #[serde(default)]
    pub sends: Vec<SendPattern>,
    /// Other sequences of datagrams that also pass (a reply that carries the acknowledgement, or an
    /// acknowledgement and then the reply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub or: Vec<Vec<SendPattern>>,
    /// What the node reported to its application, in order, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventPattern>>,
    /// The timer the node asks for after the last request must fall within `[min, max]` ms after the
    /// runner's current time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timer: Option<[u64; 2]>,
    /// The node must ask for no timer after the last request.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_timer: bool,
    /// What the spec says, for the failure message.
    pub why: String,
}

/// A datagram the node must send.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendPattern {
    /// The hop peer it goes to.
    pub to: String,
    /// Members of the envelope's canonical JSON that must have these values (`"<any>"`: present with
    /// any value; `"<absent>"`: absent; `"<bytes MIN..MAX>"`: a byte string of MIN to MAX bytes;
    /// `null` is the value null); members not named are free.
    #[serde(default)]
    pub envelope: Value,
    /// The envelope is sealed and opens under this context (the peer's side), with a body whose
    /// canonical JSON has these members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<Opens>,
    /// The exact bytes, lowercase hex, where the spec gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// The same bytes as the node's `n`th datagram of the scenario (from 0): a retransmission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_as: Option<usize>,
}

/// A sealed envelope's expected content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Opens {
    /// The context, by name.
    pub context: String,
    /// For an answer sealed under another context than the request it answers (a report of a
    /// subscription under the subscriber's newest context, spec [IOTP-SEC-164]): the context of that
    /// request, whose key identifier the associated data names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
    /// The peer's address that the associated data must name as recipient, when it is not the one
    /// the runner expects (the peer's bound address, or the one its request came from): the peer's
    /// new address once the node accepted its re-homing statement (spec [IOTP-SEC-115]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// Members of the body's canonical JSON, as in [`SendPattern::envelope`].
    pub body: Value,
}

/// A report of the node to its application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPattern {
    /// `request` (a request passed to the interaction model), `reply` (the reply to one of the
    /// application's requests) or `failed` (a confirmable envelope never acknowledged).
    pub event: String,
    /// Members of the body's canonical JSON (`request`, `reply`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

//! The testee protocol: how the runner drives an implementation under test, one JSON object per line
//! over the testee's standard input and output (conformance/README.md documents it with examples).
//!
//! The runner opens with [`Request::Hello`]; the testee answers [`Response::Hello`] with its name, the
//! protocol version, the features it implements and its choice for each implementation-defined
//! behaviour. Then one request and one response per vector, and finally [`Request::Bye`]. Bytes travel
//! as lowercase hex so that a testee needs no working codec just to talk to the runner.
//!
//! Version 2 adds requests for a protocol engine (data in, data out): `derive-context`, `seal`,
//! `open`, `fragment`, `reassemble`, `check-address` and `edhoc`, each behind the feature of its name, and
//! scripted-peer scenarios on a virtual clock (feature `scenario`: `scenario-start`, `datagram`,
//! `tick`, `app`, `scenario-end`, answered with `outputs`; see [`crate::scenario`]). Version 2 is a
//! superset of version 1: the runner still runs a version-1 testee, for which the version-2 vectors
//! are not claimed. Later additions come as more request types and features of the same version, so
//! that no testee has to follow a version bump it does not need.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of this protocol, which the runner sends in its `hello`.
pub const PROTOCOL_VERSION: u32 = 2;

/// The oldest version the runner still runs: a version-1 testee answers `decode` and `encode` only.
pub const MIN_PROTOCOL_VERSION: u32 = 1;

/// A message from the runner to the testee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Request {
    /// The first message.
    Hello {
        /// [`PROTOCOL_VERSION`].
        protocol: u32,
        /// The suite's version.
        suite_version: String,
    },
    /// Decode `hex` as `schema_type`; on success answer with the canonical re-encoding (and JSON when
    /// the testee declared `json`).
    Decode {
        /// The vector id (echoed in the response).
        id: String,
        /// Fully-qualified schema type.
        schema_type: String,
        /// The input bytes, lowercase hex.
        hex: String,
    },
    /// Encode `json` (canonical JSON mapping) as `schema_type`; for the feature `json-text`, the value
    /// comes as JSON text in `json_text` instead, to be read as written.
    Encode {
        /// The vector id (echoed in the response).
        id: String,
        /// Fully-qualified schema type.
        schema_type: String,
        /// The value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json: Option<serde_json::Value>,
        /// The value as JSON text (feature `json-text`), to be read as one whole JSON text: inputs
        /// that a JSON value cannot hold as written, such as an object with a duplicate member name,
        /// text after the value, `-0` or `1e309`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json_text: Option<String>,
    },
    /// Derive a security context (protocol 2, feature `derive-context`): answer [`Response::Context`],
    /// or `error` with the class `sender-id-length` for an identifier longer than 7 bytes.
    DeriveContext {
        /// The vector id (echoed in the response).
        id: String,
        /// The context's inputs.
        context: ContextInputs,
    },
    /// Seal `plaintext` with `message_id` as Partial IV (protocol 2, feature `seal`): answer
    /// [`Response::Sealed`], or `error` with the class `message-id-range` for a `message_id` of 2^40
    /// or more.
    Seal {
        /// The vector id (echoed in the response).
        id: String,
        /// The sealing node's context: `sender_id` is its own Sender ID.
        context: ContextInputs,
        /// The envelope's `message_id`, the Partial IV (the Sender Sequence Number it seals with).
        message_id: u64,
        /// The fields of the `SealedAad` that the envelope determines.
        sealed_aad: SealedAadFields,
        /// The encoded `Body`, lowercase hex.
        plaintext: String,
    },
    /// Open `envelopes` one after the other under one context, which starts with an empty replay
    /// window (protocol 2, feature `open`): answer [`Response::Opened`] with one result per envelope.
    Open {
        /// The vector id (echoed in the response).
        id: String,
        /// The opening node's context: `recipient_id` is the sealer's Sender ID (the envelopes'
        /// `key_id`).
        context: ContextInputs,
        /// The envelopes received, in order.
        envelopes: Vec<SealedEnvelope>,
    },
    /// Cut `message` for a link whose frames hold `frame_size` bytes, with `tag` for its fragments
    /// (protocol 2, feature `fragment`): answer [`Response::Frames`], or `error` with the class
    /// `message-length` (empty, or larger than MAX_MESSAGE) or `frame-too-small`.
    Fragment {
        /// The vector id (echoed in the response).
        id: String,
        /// The message, lowercase hex.
        message: String,
        /// The link's frame size in bytes.
        frame_size: usize,
        /// The fragment tag.
        tag: u8,
    },
    /// Give `frames` to a fresh reassembler, in order (protocol 2, feature `reassemble`): answer
    /// [`Response::Reassembled`] with one result per frame.
    Reassemble {
        /// The vector id (echoed in the response).
        id: String,
        /// REASSEMBLY_TIMEOUT for this run, in milliseconds.
        reassembly_timeout: u64,
        /// The frames received, in order, each with its hop peer and time.
        frames: Vec<TimedFrame>,
    },
    /// Say whether `address` is an address in the canonical form of spec §2.2, within the limits of
    /// §2.3 (protocol 2, feature `check-address`): answer [`Response::Address`].
    CheckAddress {
        /// The vector id (echoed in the response).
        id: String,
        /// The string to check.
        address: String,
    },
    /// Start a scenario (protocol 2, feature `scenario`): set up a fresh node as `node` says, at time
    /// 0, and answer `outputs`. Every request of the scenario carries its id, until `scenario-end`.
    ScenarioStart {
        /// The vector id.
        id: String,
        /// The node under test.
        node: crate::scenario::NodeSetup,
    },
    /// A datagram for the node from the hop peer `from`, at time `now` (ms): answer `outputs`.
    Datagram {
        /// The vector id.
        id: String,
        /// The time, in ms since the scenario's start; never decreasing.
        now: u64,
        /// The hop peer, by label.
        from: String,
        /// The datagram, lowercase hex.
        hex: String,
    },
    /// The clock reads `now`: the node runs the timers due, and answers `outputs`.
    Tick {
        /// The vector id.
        id: String,
        /// The time, in ms.
        now: u64,
    },
    /// The node's application sends a request at `now`: answer `outputs`.
    App {
        /// The vector id.
        id: String,
        /// The time, in ms.
        now: u64,
        /// The request.
        request: crate::scenario::AppRequest,
    },
    /// The node takes a new address at `now` (a re-homing): answer `outputs`.
    Rehome {
        /// The vector id.
        id: String,
        /// The time, in ms.
        now: u64,
        /// The node's new address.
        address: String,
    },
    /// The node announces its presence to its home relay at `now`: answer `outputs`.
    Presence {
        /// The vector id.
        id: String,
        /// The time, in ms.
        now: u64,
        /// The announcement.
        presence: crate::scenario::PresenceStep,
    },
    /// Run one role of an EDHOC handshake (protocol 2, feature `edhoc`): answer
    /// [`Response::Handshake`].
    Edhoc {
        /// The vector id (echoed in the response).
        id: String,
        /// The role, the node's keys and credentials, and the peer's messages.
        handshake: crate::protocol_edhoc::EdhocRequest,
    },
    /// The scenario ends: the node is dropped. Answer `outputs` (usually empty).
    ScenarioEnd {
        /// The vector id.
        id: String,
    },
    /// The last message: the testee exits.
    Bye,
}

/// The inputs of a security context (spec §8.4.5, RFC 8613 §3.2), as the node that holds it sees
/// them. Byte strings in lowercase hex, the empty string for an empty one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextInputs {
    /// The Master Secret.
    pub master_secret: String,
    /// The Master Salt.
    pub master_salt: String,
    /// The node's own Sender ID (at most 7 bytes, IOTP-SEC-55).
    pub sender_id: String,
    /// Its peer's Sender ID: the node's Recipient ID.
    pub recipient_id: String,
}

/// The members of `iotp2p.security.SealedAad` (spec §8.5.3) that an envelope determines; `format` is
/// 1 and `algorithm` 10 (AES-CCM-16-64-128) in every envelope of this version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedAadFields {
    /// The Sender ID the request was sealed with (for a request, the sealer's own), lowercase hex.
    pub request_key_id: String,
    /// The request's `message_id` (for a request, the envelope's own).
    pub request_message_id: u64,
    /// The envelope's `version`.
    pub version: u8,
    /// The sender's canonical address; absent under a pairing context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    /// The recipient's canonical address; absent under a pairing context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
}

/// A sealed envelope as the opener sees it: what it received and what it knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedEnvelope {
    /// The envelope's `message_id`.
    pub message_id: u64,
    /// The `SealedAad` the opener builds.
    pub sealed_aad: SealedAadFields,
    /// The envelope's `sealed`, lowercase hex.
    pub sealed: String,
}

/// One received frame of a `reassemble` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimedFrame {
    /// The hop peer it came from: a label, equal labels meaning the same peer.
    pub peer: String,
    /// When it arrived, in milliseconds from an origin of the runner's choice (never decreasing).
    pub time: u64,
    /// The frame, lowercase hex.
    pub frame: String,
}

/// What opening one envelope gave: its plaintext, or why it did not open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenResult {
    /// The plaintext, lowercase hex, when the envelope opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<String>,
    /// Why it did not: `aead` (the decryption fails, or `sealed` is shorter than the tag),
    /// `duplicate` (the replay window records the `message_id` as opened), `stale` (below the
    /// window), `message-id-range` (2^40 or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// What one frame given to a reassembler did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameResult {
    /// `delivered` (a whole message, or the last missing fragment of one), `held` (a fragment kept,
    /// or ignored as a repeat: the message is not complete) or `discarded`.
    pub outcome: String,
    /// With `delivered`: the message, lowercase hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// With `discarded`: the rule, one of `not-a-frame` (IOTP-MSG-74), `too-large`,
    /// `first-chunk-too-long`, `beyond-size`, `zero-offset`, `conflict`, `size-changed` (IOTP-MSG-88),
    /// `no-first-fragment` (IOTP-MSG-90), `not-an-envelope` (IOTP-MSG-92).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A datagram the node under test sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutDatagram {
    /// The hop peer, by label.
    pub to: String,
    /// The datagram, lowercase hex.
    pub hex: String,
}

/// What the node under test reports to its application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutEvent {
    /// `request`: a request passed to the interaction model (the fixture application answers it);
    /// `reply`: the reply to one of the application's requests; `failed`: a confirmable envelope that
    /// was never acknowledged.
    pub event: String,
    /// The body, in the canonical JSON mapping (`request`, `reply`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// The `message_id` concerned (`reply`: of the request answered; `failed`: of the envelope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u64>,
}

/// A message from the testee to the runner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Response {
    /// The answer to [`Request::Hello`].
    Hello {
        /// The protocol version the testee implements: 1 or 2 ([`MIN_PROTOCOL_VERSION`] to
        /// [`PROTOCOL_VERSION`]).
        protocol: u32,
        /// The implementation's name.
        name: String,
        /// Its version.
        version: String,
        /// Features implemented: `decode`, `encode`, `json`, `offsets`, ..., and with protocol 2
        /// `derive-context`, `seal`, `open`, `fragment`, `reassemble`, `check-address`. Vectors that need an
        /// undeclared feature are reported as not claimed.
        features: Vec<String>,
        /// The testee's choice for each implementation-defined behaviour, by choice name.
        #[serde(default)]
        choices: BTreeMap<String, String>,
    },
    /// The operation succeeded.
    Ok {
        /// The vector id.
        id: String,
        /// The encoding produced (decode: the re-encoding of the decoded value), lowercase hex.
        hex: String,
        /// The canonical JSON of the value, when the testee declared `json`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json: Option<serde_json::Value>,
        /// The same JSON as the testee's JSON writer writes it, when the testee declared
        /// `json-text`: vectors of that feature check how numbers are written (IOTP-WIRE-69).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json_text: Option<String>,
    },
    /// The input was rejected.
    Error {
        /// The vector id.
        id: String,
        /// The error class.
        class: String,
        /// The byte offset, when the testee declared `offsets`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset: Option<usize>,
    },
    /// The derived context (protocol 2, answers `derive-context`); lowercase hex.
    Context {
        /// The vector id.
        id: String,
        /// The Sender Key derived for `sender_id`.
        sender_key: String,
        /// The Recipient Key derived for `recipient_id`.
        recipient_key: String,
        /// The Common IV (13 bytes).
        common_iv: String,
    },
    /// The sealed body (protocol 2, answers `seal`).
    Sealed {
        /// The vector id.
        id: String,
        /// The envelope's `sealed`: ciphertext and 8-byte tag, lowercase hex.
        sealed: String,
    },
    /// One result per envelope (protocol 2, answers `open`).
    Opened {
        /// The vector id.
        id: String,
        /// In the order of the request's envelopes.
        results: Vec<OpenResult>,
    },
    /// The frames of a message (protocol 2, answers `fragment`), in the order they are sent.
    Frames {
        /// The vector id.
        id: String,
        /// Each frame, lowercase hex.
        frames: Vec<String>,
    },
    /// One result per frame (protocol 2, answers `reassemble`).
    Reassembled {
        /// The vector id.
        id: String,
        /// In the order of the request's frames.
        results: Vec<FrameResult>,
    },
    /// Whether the address is canonical (protocol 2, answers `check-address`).
    Address {
        /// The vector id.
        id: String,
        /// True for an address in canonical form within the length limits, false otherwise.
        canonical: bool,
    },
    /// What a scenario request made the node do (protocol 2, feature `scenario`).
    Outputs {
        /// The vector id.
        id: String,
        /// The datagrams it sends, in order.
        #[serde(default)]
        sends: Vec<OutDatagram>,
        /// What it reports to its application, in order.
        #[serde(default)]
        events: Vec<OutEvent>,
        /// When it next wants a `tick`, in ms, if it has a timer armed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timer: Option<u64>,
    },
    /// What one role of an EDHOC handshake did (protocol 2, answers `edhoc`).
    Handshake {
        /// The vector id.
        id: String,
        /// The node's messages, their bodies, and the context or the refusal.
        handshake: crate::protocol_edhoc::EdhocResponse,
    },
    /// The testee does not run this vector (for example an unsupported type).
    Skipped {
        /// The vector id.
        id: String,
        /// Why.
        reason: String,
    },
    /// The testee failed internally (not a verdict on the input).
    Errored {
        /// The vector id.
        id: String,
        /// What went wrong.
        details: String,
    },
}

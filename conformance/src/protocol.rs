//! The testee protocol: how the runner drives an implementation under test, one JSON object per line
//! over the testee's standard input and output (conformance/README.md documents it with examples).
//!
//! The runner opens with [`Request::Hello`]; the testee answers [`Response::Hello`] with its name, the
//! protocol version, the features it implements and its choice for each implementation-defined
//! behaviour. Then one request and one response per vector, and finally [`Request::Bye`]. Bytes travel
//! as lowercase hex so that a testee needs no working codec just to talk to the runner.
//!
//! Version 2 adds requests for a protocol engine (data in, data out): `derive-context`, `seal`,
//! `open`, `fragment`, `reassemble`, `check-address`, `edhoc`, `node-id`, `verify-statement`,
//! `sign-statement`, `check-digit` and `spake2plus`, each behind the feature of its name, and
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
    /// §2.3 and outside the special-use domains of §2.6.2 (protocol 2, feature `check-address`):
    /// answer [`Response::Address`].
    CheckAddress {
        /// The vector id (echoed in the response).
        id: String,
        /// The string to check.
        address: String,
    },
    /// Compute the node ID of a P-256 identity public key, or parse the text form of a node ID
    /// (protocol 2, feature `node-id`; spec §2.8.1, §8.2.1): exactly one of `key` and `text`. Answer
    /// [`Response::NodeId`], or `error` with the class `invalid-key` (the coordinates are not 32 bytes
    /// each, a coordinate is p or more, or the point is not on P-256: IOTP-SEC-1) or `invalid-text`
    /// (not 52 lowercase base32 characters, optionally in groups of four separated by `-`, with zero
    /// padding bits).
    NodeId {
        /// The vector id (echoed in the response).
        id: String,
        /// The identity public key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<PublicKeyCoordinates>,
        /// A node ID as text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// Verify a signed statement as a receiver that holds `verifier` (protocol 2, feature
    /// `verify-statement`; spec §8.2.3, §8.2.4, §8.8.4, §8.9, §8.10, §8.11): answer
    /// [`Response::Verified`] with the facts of the statement, or `error` with the class of the first
    /// rule that refuses it (conformance/README.md lists them).
    VerifyStatement {
        /// The vector id (echoed in the response).
        id: String,
        /// The kind the receiver expects: `credential`, `rehoming`, `key_rotation`, `revocation` or
        /// `introduction` (the names of spec §8.2.3).
        kind: String,
        /// The encoded `SignedStatement`, lowercase hex.
        statement: String,
        /// What the receiver holds.
        verifier: VerifierState,
    },
    /// Sign a statement's payload with an identity key, as one signature of a `SignedStatement`
    /// (protocol 2, feature `sign-statement`; spec §8.2.3): the ES256 signature of its Sig_structure,
    /// with the nonce of RFC 6979. Answer [`Response::Signature`], or `error` with the class
    /// `not-a-statement` (the payload is not an encoded `Statement`: an identity key signs nothing
    /// else, IOTP-SEC-3) or `invalid-key` (`d` is not a private key of P-256).
    SignStatement {
        /// The vector id (echoed in the response).
        id: String,
        /// The private identity key, a 32-byte big-endian scalar, lowercase hex.
        d: String,
        /// The payload: an encoded `Statement`, lowercase hex.
        payload: String,
    },
    /// Compute the check digit of the eleven digits of a manual pairing code, or check a whole
    /// twelve-digit code (protocol 2, feature `check-digit`; spec §8.3.1): exactly one of `digits` and
    /// `code`. Answer [`Response::CheckDigit`], or `error` with the class `not-digits` (another number
    /// of characters, or a character that is not a decimal digit).
    CheckDigit {
        /// The vector id (echoed in the response).
        id: String,
        /// Eleven decimal digits: the discriminator and the passcode.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        digits: Option<String>,
        /// Twelve decimal digits: a manual pairing code.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    /// Run both roles of a SPAKE2+ exchange (protocol 2, feature `spake2plus`; spec §8.3.3, §8.3.4,
    /// RFC 9383) with the ephemeral scalars given: answer [`Response::Spake2plus`], or `error` with
    /// the class `invalid-share` when the verifier refuses the shareP it receives (IOTP-SEC-33), or
    /// `confirmation-failed` when the prover refuses the confirmV it receives, and so sends no
    /// confirmP (IOTP-SEC-34), or the verifier the confirmP.
    Spake2plus {
        /// The vector id (echoed in the response).
        id: String,
        /// The password and `Context`.
        inputs: Spake2plusInputs,
        /// The prover's ephemeral scalar x, 32 bytes big-endian, lowercase hex.
        x: String,
        /// The verifier's ephemeral scalar y, 32 bytes big-endian, lowercase hex.
        y: String,
        /// The shareP the verifier receives instead of the prover's (to check that it refuses an
        /// invalid one), lowercase hex.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        share_p: Option<String>,
        /// The confirmV the prover receives instead of the verifier's, lowercase hex.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirm_v: Option<String>,
        /// The confirmP the verifier receives instead of the prover's, lowercase hex.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirm_p: Option<String>,
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
        /// The grace period of its re-homing statement, in seconds: until `now` plus that, the node
        /// still opens envelopes sealed for the address it leaves (spec IOTP-SEC-68). Absent: none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grace_period: Option<u32>,
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
    /// The node's application changes a property's value at `now`: answer `outputs` (the reports
    /// due to its subscribers, if any).
    Change {
        /// The vector id.
        id: String,
        /// The time, in ms.
        now: u64,
        /// The property and its new value.
        change: crate::scenario::ChangeStep,
    },
    /// The node restarts at `now`, keeping its contexts, their Sender Sequence Numbers and its
    /// node-wide counter, and losing its replay windows and everything else: answer `outputs`.
    Restart {
        /// The vector id.
        id: String,
        /// The time, in ms.
        now: u64,
    },
    /// The node's application records an event at `now`: answer `outputs` (the reports due to its
    /// subscribers, if any).
    Event {
        /// The vector id.
        id: String,
        /// The time, in ms.
        now: u64,
        /// The event.
        event: crate::scenario::EventStep,
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

/// A P-256 public key by its affine coordinates, each 32 bytes big-endian in lowercase hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicKeyCoordinates {
    /// The x-coordinate.
    pub x: String,
    /// The y-coordinate.
    pub y: String,
}

/// What the receiver of a signed statement holds, and its clock: every member that a rule of the
/// statement's kind needs (the others are ignored). Node IDs are 32 bytes in lowercase hex.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifierState {
    /// The identity keys of the nodes whose credential statements the receiver holds (for an
    /// introduction at its audience: the introducer's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_keys: Vec<PublicKeyCoordinates>,
    /// The node IDs that hold Administer on the receiver.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub administrators: Vec<String>,
    /// The node IDs rotated away: no statement they sign is accepted (IOTP-SEC-121).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rotated_away: Vec<String>,
    /// `credential`: the serial of the credential statement held for the same node, if one is
    /// (IOTP-SEC-16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_serial: Option<u32>,
    /// `rehoming`: the address the receiver has bound to the node (IOTP-SEC-187).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_address: Option<String>,
    /// `rehoming`: the greatest sequence of a re-homing accepted for the node; 0 for none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub accepted_sequence: u32,
    /// `introduction`: where it is verified, `subject` (presented with `introduce`, §8.8.4.2) or
    /// `audience` (§8.8.4.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `introduction`: the receiver's own node ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own: Option<String>,
    /// `introduction` at the subject: the peer of the context that carried it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// `introduction` at the subject: its revocation list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked: Vec<String>,
    /// `introduction` at the subject: the serials it accepted before from the statement's signer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_serials: Vec<u32>,
    /// `introduction` at the subject: the current time in ms since 1970-01-01T00:00:00Z, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<u64>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The password and the `Context` of a SPAKE2+ exchange. The password is either `passcode` with
/// `salt` and `iterations` (spec §8.3.3: PBKDF2-HMAC-SHA-256 over the password encoding of RFC 9383
/// §3.2), or `w0` and `w1` given (RFC 9383, appendix C). `Context` is either `context` given, or
/// computed from `pairing_start` and `pairing_params` (§8.3.3), whose nonces also give the pairing
/// context (§8.3.4). Byte strings in lowercase hex.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spake2plusInputs {
    /// The setup passcode: eight decimal digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passcode: Option<String>,
    /// The PBKDF2 salt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// The PBKDF2 iteration count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u32>,
    /// w0, 32 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w0: Option<String>,
    /// w1, 32 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w1: Option<String>,
    /// `Context` itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The encoded `PairingStart` (the `input` of `pair_start`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairing_start: Option<String>,
    /// The encoded `PairingParams` (the `output` of the reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairing_params: Option<String>,
    /// `idProver`: empty in iotp2p.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id_prover: String,
    /// `idVerifier`: empty in iotp2p.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id_verifier: String,
}

/// The keys of the pairing context (spec §8.3.4), lowercase hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PairingKeys {
    /// The controller's Sender Key (Sender ID `01`).
    pub controller_key: String,
    /// The device's Sender Key (Sender ID `00`).
    pub device_key: String,
    /// The Common IV.
    pub common_iv: String,
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
        /// `derive-context`, `seal`, `open`, `fragment`, `reassemble`, `check-address`, `node-id`,
        /// `verify-statement`, `sign-statement`, `check-digit`, `spake2plus`, `scenario`. Vectors that need an undeclared
        /// feature are reported as not claimed.
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
        /// True for an address in canonical form within the length limits and outside the
        /// special-use domains, false otherwise.
        canonical: bool,
    },
    /// The node ID (protocol 2, answers `node-id`).
    NodeId {
        /// The vector id.
        id: String,
        /// The node ID, 32 bytes, lowercase hex.
        node_id: String,
        /// Its text form: 52 characters of lowercase base32, without separators.
        text: String,
    },
    /// The statement verified (protocol 2, answers `verify-statement`): what it says. Node IDs are
    /// lowercase hex.
    Verified {
        /// The vector id.
        id: String,
        /// The statement's kind.
        kind: String,
        /// The node it is about: the node ID of a credential's `identity_key`, a re-homing's or a
        /// revocation's `node`, a key rotation's `previous_node`, an introduction's `subject`.
        node: String,
        /// The signers' node IDs, in the order of the signatures.
        signers: Vec<String>,
        /// `issued_at`, when the statement has it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        issued_at: Option<u64>,
        /// The `serial` of a credential or an introduction.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        serial: Option<u32>,
        /// The `sequence` of a re-homing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sequence: Option<u32>,
        /// A credential's `address`, a re-homing's `new_address`, an introduction's
        /// `subject_address`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        /// A key rotation: the node ID of `new_identity_key`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_node: Option<String>,
        /// An introduction's `audience`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        audience: Option<String>,
        /// An introduction's `not_after`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_after: Option<u64>,
    },
    /// A signature (protocol 2, answers `sign-statement`).
    Signature {
        /// The vector id.
        id: String,
        /// r followed by s, 32 bytes each, lowercase hex.
        signature: String,
    },
    /// The check digit, or whether a code passes (protocol 2, answers `check-digit`).
    CheckDigit {
        /// The vector id.
        id: String,
        /// For `digits`: the check digit to append.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        check: Option<u8>,
        /// For `code`: whether it passes the check.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        valid: Option<bool>,
    },
    /// Both roles of a SPAKE2+ exchange (protocol 2, answers `spake2plus`), lowercase hex; both roles
    /// agree on every value, or the testee answers `errored`.
    Spake2plus {
        /// The vector id.
        id: String,
        /// The `Context` (32 bytes when computed from the pairing messages).
        context: String,
        /// w0.
        w0: String,
        /// w1.
        w1: String,
        /// L = w1·P, uncompressed.
        l: String,
        /// shareP, uncompressed.
        share_p: String,
        /// shareV, uncompressed.
        share_v: String,
        /// confirmP.
        confirm_p: String,
        /// confirmV.
        confirm_v: String,
        /// K_shared.
        k_shared: String,
        /// The pairing context, when the inputs give the pairing messages.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pairing_context: Option<PairingKeys>,
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

//! The test-vector format: what each vector file holds, as Rust types (serde) with a JSON Schema
//! (schemars) checked in beside the vectors, so that implementers in any language can read them safely.
//!
//! A vector file holds the vectors of one area (`wire.integers`, `core.envelope`, ...). Each vector has
//! a stable id that also works as a command-line selector, the requirement IDs of the spec it tests, and
//! one prescribed outcome.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::protocol::{Request, Response};

/// Version of the vector format and of the suite; bumped when vectors change meaning.
pub const SUITE_VERSION: &str = "1.0.0";

/// One vector file: the vectors of one area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// [`SUITE_VERSION`] of the suite that wrote the file.
    pub suite_version: String,
    /// The area, e.g. `wire.integers`; every vector id starts with it.
    pub area: String,
    /// What the area covers.
    pub description: String,
    /// The vectors, in id order.
    pub vectors: Vec<Vector>,
}

/// How strongly the spec requires the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Level {
    /// A MUST requirement: failing it means not conformant.
    #[serde(rename = "MUST")]
    Must,
    /// A SHOULD requirement: reported, but does not decide conformance.
    #[serde(rename = "SHOULD")]
    Should,
}

/// What the testee is asked to do. Each operation is also the feature a testee declares to claim
/// its vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// Decode `input.hex`; a valid input must also re-encode to the same bytes.
    Decode,
    /// Encode `input.json` (or `input.json_text`).
    Encode,
    /// Derive a security context (protocol 2): `input.request` is a `derive-context` request.
    DeriveContext,
    /// Seal a body (protocol 2): `input.request` is a `seal` request.
    Seal,
    /// Open envelopes (protocol 2): `input.request` is an `open` request.
    Open,
    /// Fragment a message (protocol 2): `input.request` is a `fragment` request.
    Fragment,
    /// Reassemble frames (protocol 2): `input.request` is a `reassemble` request.
    Reassemble,
    /// Check an address (protocol 2): `input.request` is a `check-address` request.
    CheckAddress,
    /// Run one role of an EDHOC handshake (protocol 2): `input.request` is an `edhoc` request.
    Edhoc,
    /// Compute or parse a node ID (protocol 2): `input.request` is a `node-id` request.
    NodeId,
    /// Verify a signed statement (protocol 2): `input.request` is a `verify-statement` request.
    VerifyStatement,
    /// Sign a statement's payload (protocol 2): `input.request` is a `sign-statement` request.
    SignStatement,
    /// Compute or check the check digit of a manual pairing code (protocol 2): `input.request` is a
    /// `check-digit` request.
    CheckDigit,
    /// Run a SPAKE2+ exchange (protocol 2): `input.request` is a `spake2plus` request.
    Spake2plus,
    /// A scripted-peer scenario (protocol 2): `input.scenario` is the script, whose expectations
    /// are the outcome.
    Scenario,
}

impl Operation {
    /// The operation's name, which is also the feature that claims its vectors.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Decode => "decode",
            Operation::Encode => "encode",
            Operation::DeriveContext => "derive-context",
            Operation::Seal => "seal",
            Operation::Open => "open",
            Operation::Fragment => "fragment",
            Operation::Reassemble => "reassemble",
            Operation::CheckAddress => "check-address",
            Operation::Edhoc => "edhoc",
            Operation::NodeId => "node-id",
            Operation::VerifyStatement => "verify-statement",
            Operation::SignStatement => "sign-statement",
            Operation::CheckDigit => "check-digit",
            Operation::Spake2plus => "spake2plus",
            Operation::Scenario => "scenario",
        }
    }

    /// The first testee protocol version that has the operation.
    pub fn since_protocol(self) -> u32 {
        match self {
            Operation::Decode | Operation::Encode => 1,
            _ => 2,
        }
    }

    /// Whether the vector carries its whole request in `input.request` (the protocol-engine
    /// operations), rather than a type and bytes or JSON.
    pub fn carries_request(self) -> bool {
        self.since_protocol() >= 2 && self != Operation::Scenario
    }

    /// Whether `request` is a request of this operation.
    pub fn is_of(self, request: &Request) -> bool {
        matches!(
            (self, request),
            (Operation::DeriveContext, Request::DeriveContext { .. })
                | (Operation::Seal, Request::Seal { .. })
                | (Operation::Open, Request::Open { .. })
                | (Operation::Fragment, Request::Fragment { .. })
                | (Operation::Reassemble, Request::Reassemble { .. })
                | (Operation::CheckAddress, Request::CheckAddress { .. })
                | (Operation::Edhoc, Request::Edhoc { .. })
                | (Operation::NodeId, Request::NodeId { .. })
                | (Operation::VerifyStatement, Request::VerifyStatement { .. })
                | (Operation::SignStatement, Request::SignStatement { .. })
                | (Operation::CheckDigit, Request::CheckDigit { .. })
                | (Operation::Spake2plus, Request::Spake2plus { .. })
        )
    }
}

/// The input of a vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The bytes, as lowercase hex without separators (decode vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// The same bytes in CBOR diagnostic notation, for people (when the bytes are well-formed CBOR).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diag: Option<String>,
    /// The value in the canonical JSON mapping (encode vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<serde_json::Value>,
    /// The value as JSON text, to be read as written, as one whole JSON text (encode vectors whose
    /// input a JSON value cannot hold as written: an object with a duplicate member name, text after
    /// the value, `-0`, `1e309`, a decimal longer than the shortest form of its binary64 value;
    /// feature `json-text`). A vector has either `json` or `json_text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_text: Option<String>,
    /// The whole request the runner sends, for the protocol-engine operations (protocol 2): its
    /// `id` is the vector's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Request>,
    /// The script of a scenario (protocol 2, operation `scenario`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<crate::scenario::Scenario>,
}

/// The prescribed outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Expect {
    /// The input is (or encodes to) a valid value: its canonical JSON and canonical bytes.
    Valid {
        /// The canonical JSON form (spec/04-wire-format.md §4.18).
        json: serde_json::Value,
        /// The canonical encoding, lowercase hex.
        hex: String,
    },
    /// A decoder must reject the input (or an encoder refuse the value) with this class.
    Invalid {
        /// One class of the spec's closed list (spec/04-wire-format.md §4.17), e.g. `truncated`; for
        /// encode vectors, `invalid-value`.
        class: String,
        /// The byte offset the spec prescribes, checked when the testee reports offsets.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset: Option<usize>,
    },
    /// The protocol-engine operations (protocol 2): the response the testee must give, member by
    /// member (hex in either case). A `frames` response is judged by the rules of spec §5.12.2
    /// instead, since a sender may cut a message otherwise: the frames given are those of the
    /// reference engine.
    Response {
        /// The expected response; its `id` is the vector's (boxed: responses are larger than the
        /// other outcomes).
        response: Box<Response>,
    },
    /// A scenario: every expectation of its script is met (operation `scenario`).
    Scripted,
    /// The spec lets implementations choose; any listed outcome passes.
    ImplementationDefined {
        /// What the choice is about; testees declare their choice under this name.
        choice: String,
        /// The allowed outcomes, by choice value.
        outcomes: Vec<Outcome>,
    },
}

/// One allowed outcome of an implementation-defined vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// The choice value a testee declares for it.
    pub choice: String,
    /// What the testee must then produce.
    pub expect: Box<Expect>,
}

/// One test vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// Stable identifier, e.g. `wire.uint.non-shortest.2`; never reused for another meaning.
    pub id: String,
    /// One line saying what is tested.
    pub description: String,
    /// Requirement IDs of the spec the vector tests, e.g. `IOTP-WIRE-8`.
    pub requirements: Vec<String>,
    /// MUST or SHOULD, as the spec words the requirement.
    pub level: Level,
    /// The schema type: fully qualified, from the core schema or the conformance schema
    /// (`conformance/schema/conformance.iotp`). Empty (and absent from the file) for the
    /// protocol-engine operations, whose request says what it holds.
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub type_name: String,
    /// What the testee does.
    pub operation: Operation,
    /// Features the testee must declare for the vector to run (`json`, `encode`, `offsets`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// The input.
    pub input: Input,
    /// The outcome.
    pub expect: Expect,
}

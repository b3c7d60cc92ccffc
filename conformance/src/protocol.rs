//! The testee protocol: how the runner drives an implementation under test, one JSON object per line
//! over the testee's standard input and output (conformance/README.md documents it with examples).
//!
//! The runner opens with [`Request::Hello`]; the testee answers [`Response::Hello`] with its name, the
//! protocol version, the features it implements and its choice for each implementation-defined
//! behaviour. Then one request and one response per vector, and finally [`Request::Bye`]. Bytes travel
//! as lowercase hex so that a testee needs no working codec just to talk to the runner.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of this protocol; a testee declaring another major version is not run.
pub const PROTOCOL_VERSION: u32 = 1;

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
    /// The last message: the testee exits.
    Bye,
}

/// A message from the testee to the runner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Response {
    /// The answer to [`Request::Hello`].
    Hello {
        /// [`PROTOCOL_VERSION`] as the testee implements it.
        protocol: u32,
        /// The implementation's name.
        name: String,
        /// Its version.
        version: String,
        /// Features implemented: `decode` (always), `encode`, `json`, `offsets`, ... Vectors that need
        /// an undeclared feature are reported as not claimed.
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

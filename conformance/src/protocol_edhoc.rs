//! The `edhoc` request of the testee protocol (version 2, feature `edhoc`) and its answer
//! `handshake`: one role of an EDHOC handshake (spec §8.4, RFC 9528) run black-box, from the node's
//! keys, credentials, connection identifier and ephemeral key and the peer's messages, to the node's
//! messages, the `Body`s that carry them (§8.4.3) and the security context derived (§8.4.5), or the
//! refusal that ends the handshake.
//!
//! [`crate::protocol::Request::Edhoc`] and [`crate::protocol::Response::Handshake`] carry these
//! types. Byte strings are lowercase hex, the empty string for an empty one.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The role the node under test plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EdhocRole {
    /// Sends message_1 and message_3; receives message_2 and, optionally, message_4.
    Initiator,
    /// Receives message_1 and message_3; sends message_2 and, optionally, message_4.
    Responder,
}

/// How an initiator identifies its credential in ID_CRED_I (§8.4.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IdCredMode {
    /// `{4: kid}` in compact form ([IOTP-SEC-150]).
    #[default]
    Kid,
    /// The CCS by value, `{14: CCS}` ([IOTP-SEC-151]).
    ByValue,
}

/// The inputs of one role of a handshake (request `edhoc`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdhocRequest {
    /// The role the node plays.
    pub role: EdhocRole,
    /// The node's authentication key: a P-256 private scalar, 32 bytes big-endian (§8.2.2).
    pub auth_key: String,
    /// The node's CCS credential (CRED_x), holding the public key of `auth_key` and its `kid`.
    pub credential: String,
    /// The CCS credentials the node holds for the peers it may talk to; a received ID_CRED_x
    /// references them by the `kid` of their COSE_Key, and several may share a `kid` ([IOTP-SEC-8]).
    #[serde(default)]
    pub peer_credentials: Vec<String>,
    /// The connection identifier the node chose (C_I as initiator, C_R as responder), in byte-string
    /// form (RFC 9528 §3.3.2): a one-byte CBOR integer -24..23 is sent as that integer.
    pub connection_id: String,
    /// The Recipient IDs of the security contexts the node already holds ([IOTP-SEC-53]).
    #[serde(default)]
    pub recipient_ids: Vec<String>,
    /// The node's ephemeral private key (X or Y): 32 bytes big-endian, below the group order.
    pub ephemeral_key: String,
    /// Initiator: how it sends ID_CRED_I (`kid` when absent).
    #[serde(default)]
    pub id_cred_i: IdCredMode,
    /// Initiator: SUITES_I as sent in message_1, the selected suite last (`[2]` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suites: Option<Vec<u8>>,
    /// Initiator: `suites` lists suites the testee need not support, only to be written into
    /// message_1 as given (RFC 9529's trace 2 offers [6, 2], selecting 2). Without it, a testee
    /// refuses a list with a suite it does not support (`unsupported-suite`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offered_only: bool,
    /// Responder: completes with message_4 (`EdhocFinish.message_4`) rather than `done`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub message_4: bool,
    /// The peer's messages, in order: message_2 and optionally message_4 for an initiator (without
    /// message_4 it completes after message_3); message_1 then message_3 for a responder.
    pub peer_messages: Vec<String>,
}

/// What the node did (answer `handshake`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdhocResponse {
    /// The EDHOC messages the node sent, in order: message_1 and message_3 for an initiator;
    /// message_2 and, if asked, message_4 for a responder. A refusal ends the list.
    pub messages: Vec<String>,
    /// The encoded `Body` that carries each of `messages` (§8.4.3), in order: for an initiator the
    /// `invoke` of `edhoc_1` (input message_1) and of `edhoc_3` (input `EdhocMessage3` with C_R and
    /// message_3), on endpoint 0, capability 1, without `echo`; for a responder the
    /// `invoke_response` with `EdhocReply.message_2`, then `EdhocFinish.done` or
    /// `EdhocFinish.message_4`; and after a responder's `unknown-credential`, the `invoke_response`
    /// carrying its error message.
    pub bodies: Vec<String>,
    /// When the handshake completed: the security context derived (§8.4.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<EdhocContext>,
    /// When the node refused: why. `unknown-credential` (a `kid` that references no credential held,
    /// [IOTP-SEC-51]), `critical-ead` ([IOTP-SEC-52]), `connection-id-in-use` ([IOTP-SEC-53]),
    /// `same-connection-id` (C_R equal to C_I, [IOTP-SEC-54]), `connection-id-length` (more than 7
    /// bytes, its own or received, [IOTP-SEC-55]), `credential-by-value` (ID_CRED_R by value,
    /// [IOTP-SEC-149]), `bad-credential` (a CCS by value not of the form of §8.2.2, [IOTP-SEC-154]),
    /// `mac` (a MAC or the AEAD of a message does not verify with any credential held under the
    /// `kid`), `malformed` (not a well-formed EDHOC message of the profile), `unsupported-method`
    /// ([IOTP-SEC-46]), `unsupported-suite`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// With `unknown-credential` from a responder: the EDHOC error message it sends as the output of
    /// `edhoc_1` or `edhoc_3` (RFC 9528 §6: ERR_CODE 3, ERR_INFO `true`: `03f5`). Absent otherwise:
    /// whether and how a node reports other refusals is not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// The security context a completed handshake gives (§8.4.5, RFC 8613 §3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdhocContext {
    /// EDHOC_Exporter(0, h'', 16).
    pub master_secret: String,
    /// EDHOC_Exporter(1, h'', 8).
    pub master_salt: String,
    /// The node's Sender ID: C_R for an initiator, C_I for a responder.
    pub sender_id: String,
    /// Its Recipient ID: C_I for an initiator, C_R for a responder.
    pub recipient_id: String,
    /// The Sender Key.
    pub sender_key: String,
    /// The Recipient Key.
    pub recipient_key: String,
    /// The Common IV (13 bytes).
    pub common_iv: String,
    /// Whether the peer sent its credential by value (a responder's visitor context, §8.4.6).
    pub visitor: bool,
}

impl EdhocResponse {
    /// The same response with every byte string in lowercase, so that hex compares
    /// case-insensitively.
    pub fn lowercase_hex(&mut self) {
        let low = |s: &mut String| *s = s.to_ascii_lowercase();
        self.messages.iter_mut().for_each(low);
        self.bodies.iter_mut().for_each(low);
        if let Some(e) = &mut self.error_message {
            low(e);
        }
        if let Some(c) = &mut self.context {
            for s in [
                &mut c.master_secret,
                &mut c.master_salt,
                &mut c.sender_id,
                &mut c.recipient_id,
                &mut c.sender_key,
                &mut c.recipient_key,
                &mut c.common_iv,
            ] {
                low(s);
            }
        }
    }
}

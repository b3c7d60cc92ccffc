//! What a home relay's own service (`_relay@` and its domain, spec §2.6.1) needs of the engine beyond an
//! end node's calls: acknowledging envelopes it takes responsibility for, the relay's statuses about
//! requests that it did not receive as their recipient (§5.10, §3.8), and settling a request that gets
//! no reply (a receipt, [IOTP-MSG-132]).

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::owned;

use super::peers::ContextId;
use super::send::{Plan, SendError};
use super::{ExchangeId, Node, Output, Role};
use crate::security::{Exchange as AadExchange, KeyId};

/// Where a relay's status goes, and how it is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusRoute<'a> {
    /// Back to the hop peer the request came from, unsealed, without `recipient` ([IOTP-DLV-49],
    /// [IOTP-DLV-79]).
    HopPeer,
    /// To the request's sender by address, unsealed, through relays ([IOTP-DLV-48]).
    Address(&'a str),
    /// To one of the relay's own nodes, sealed under their hop context ([IOTP-SEC-93]). The request's
    /// `key_id` (empty for an unsealed request) stands in the associated data as the key its answer
    /// names (§8.5.3).
    Hop {
        /// The node's hop context.
        context: ContextId,
        /// The request's `key_id`.
        request_key_id: KeyId,
    },
}

impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// An acknowledgement of `message_id` to `to` ([IOTP-MSG-41]): the relay took responsibility for
    /// the envelope, or recognised a copy of one it had ([IOTP-MSG-120]).
    pub fn acknowledgement(&mut self, to: &P, message_id: u64) -> Vec<Output<P>> {
        self.acknowledgement_naming(to, message_id, None)
    }

    /// The same, naming the acknowledged envelope's `sender` as the acknowledgement's recipient
    /// (a relay's acknowledgement to another relay, [IOTP-MSG-146]).
    pub fn acknowledgement_naming(
        &mut self,
        to: &P,
        message_id: u64,
        sender: Option<&str>,
    ) -> Vec<Output<P>> {
        let mut out = Vec::new();
        self.acknowledge_naming(to, message_id, sender, &mut out);
        out
    }

    /// The encoded status `status` about the request `correlation_id`, from this node's address
    /// ([IOTP-MSG-70]), routed as `route` says; not confirmable.
    pub fn relay_status(
        &mut self,
        route: StatusRoute<'_>,
        correlation_id: u64,
        status: &owned::Status,
    ) -> Result<Vec<u8>, SendError> {
        let body = owned::Body::Status(status.clone()).encode_to_vec_as::<R>()?;
        let (context, request_key_id, recipient, aad_recipient) = match route {
            StatusRoute::HopPeer => (None, KeyId::EMPTY, None, None),
            StatusRoute::Address(a) => (None, KeyId::EMPTY, Some(a), Some(String::from(a))),
            StatusRoute::Hop {
                context,
                request_key_id,
            } => {
                let peer = self
                    .contexts
                    .get(context)
                    .ok_or(SendError::NoContext)?
                    .peer
                    .address
                    .clone();
                (Some(context), request_key_id, None, peer)
            }
        };
        self.build(Plan {
            context,
            exchange: AadExchange::Answer {
                request_key_id,
                correlation_id,
            },
            correlation_id: Some(correlation_id),
            recipient,
            recipient_contact: None,
            aad_recipient: aad_recipient.as_deref(),
            // On the hop to its own node the relay is the hop peer, whose address the node knows.
            include_sender: context.is_none(),
            ack_requested: false,
            ttl: None,
            body: &body,
            // Sealed under the hop context, not the request's: `key_id` names it ([IOTP-SEC-164]).
            carry_key_id: true,
            avoid: &[],
        })
        .map(|(_, bytes)| bytes)
    }

    /// Ends the request `exchange` without a reply: its acknowledgement goes now if it still owes one
    /// (a receipt is answered by a hop acknowledgement and nothing else, [IOTP-MSG-132]).
    pub fn settle(&mut self, exchange: ExchangeId) -> Vec<Output<P>> {
        let mut out = Vec::new();
        if let Some(i) = self.exchanges.iter().position(|e| e.id == exchange) {
            if let Some(e) = self.exchanges.remove(i) {
                if e.ack_due.is_some() {
                    self.acknowledge(&e.from, e.message_id, &mut out);
                }
            }
        }
        out
    }
}

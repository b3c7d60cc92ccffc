//! Telling a peer of a move before answering it (spec §8.9.2 way 1, §12.5.6): a request that reached
//! a re-homed node at its previous address, forwarded by the previous home relay, comes from a peer
//! that has not followed the move. The peer would refuse the reply, which comes from the new address
//! ([IOTP-SEC-166]), so the node first invokes `apply_statement` with its re-homing statement on that
//! peer, under the request's context, and answers the request once the peer has answered that, has
//! not been reached, or [`TELL_WAIT`] has passed. Each peer (context) is told once per statement.
//!
//! **Bounds.** At most [`HELD_CAPACITY`] requests wait for a peer's answer (more are answered at once,
//! untold); at most [`TOLD_CAPACITY`] contexts are remembered as told (beyond that the oldest is
//! forgotten, and its peer may be told again, which a peer that accepted the statement refuses
//! harmlessly as stale).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use iotp2p_codec::core::owned::{Body, InvokeRequest};

use super::security::{member, SECURITY};
use crate::engine::peers::ContextId;
use crate::engine::{Event, Output};
use crate::params::Instant;

/// Requests held until their sender has answered the re-homing statement.
pub const HELD_CAPACITY: usize = 4;

/// Contexts remembered as told of the current statement.
pub const TOLD_CAPACITY: usize = 16;

/// How long a request waits for its sender's answer to the statement, in ms.
pub const TELL_WAIT: u64 = 10_000;

/// A request held while its sender is told.
struct Held<P> {
    /// The `apply_statement` sent: its `message_id`, context and hop peer.
    tell: (u64, ContextId, P),
    until: Instant,
    request: Output<P>,
}

/// The peers told of the node's move, and the requests waiting for them.
pub(super) struct Telling<P> {
    /// The statement the told contexts were told of.
    statement: Vec<u8>,
    told: VecDeque<ContextId>,
    held: Vec<Held<P>>,
}

impl<P: Clone + PartialEq> Telling<P> {
    pub(super) fn new() -> Self {
        Telling {
            statement: Vec::new(),
            told: VecDeque::new(),
            held: Vec::new(),
        }
    }

    /// Whether the sender of a request under `context`, which reached this node at its previous
    /// address, is yet to be told of `statement`. A new statement (another move) starts anew.
    pub(super) fn should_tell(&mut self, statement: &[u8], context: ContextId) -> bool {
        if self.statement != statement {
            self.statement = statement.to_vec();
            self.told.clear();
        }
        !self.told.contains(&context) && self.held.len() < HELD_CAPACITY
    }

    /// Whether a request under `context` must wait: its peer is being told.
    pub(super) fn telling(&self, context: ContextId) -> bool {
        self.held.iter().any(|h| h.tell.1 == context)
    }

    /// The `apply_statement` that tells a peer of the move.
    pub(super) fn invoke(statement: &[u8]) -> Body {
        Body::Invoke(InvokeRequest {
            endpoint: 0,
            capability: SECURITY,
            action: member::APPLY_STATEMENT,
            input: Some(statement.to_vec()),
            echo: None,
            unknown_fields: Default::default(),
        })
    }

    /// Holds `request` (a request event) until the `apply_statement` sent as `tell` is answered.
    pub(super) fn hold(&mut self, tell: (u64, ContextId, P), until: Instant, request: Output<P>) {
        self.mark_told(tell.1);
        self.held.push(Held {
            tell,
            until,
            request,
        });
    }

    /// Holds another request of a peer being told, behind the first.
    pub(super) fn hold_behind(&mut self, context: ContextId, request: Output<P>) {
        if let Some(first) = self.held.iter().find(|h| h.tell.1 == context) {
            let (tell, until) = (first.tell.clone(), first.until);
            self.held.push(Held {
                tell,
                until,
                request,
            });
        }
    }

    /// Records that the peer of `context` was told (or could not be).
    pub(super) fn mark_told(&mut self, context: ContextId) {
        if self.told.len() >= TOLD_CAPACITY {
            self.told.pop_front();
        }
        self.told.push_back(context);
    }

    /// If `output` answers or ends an `apply_statement` this node sent, the requests it held, in
    /// the order they came (`output` is then the server's own, for no one else).
    pub(super) fn answered(&mut self, output: &Output<P>) -> Option<Vec<Output<P>>> {
        let tell = match output {
            Output::Event(Event::Reply {
                request,
                context: Some(context),
                ..
            }) => self
                .held
                .iter()
                .find(|h| h.tell.0 == *request && h.tell.1 == *context)
                .map(|h| h.tell.clone()),
            Output::Event(Event::Failed { to, message_id }) => self
                .held
                .iter()
                .find(|h| h.tell.0 == *message_id && h.tell.2 == *to)
                .map(|h| h.tell.clone()),
            _ => None,
        };
        tell.map(|tell| self.release(|h| h.tell == tell))
    }

    /// The requests whose wait ended by `now`.
    pub(super) fn expired(&mut self, now: Instant) -> Vec<Output<P>> {
        self.release(|h| h.until <= now)
    }

    /// When the next held request stops waiting.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        self.held.iter().map(|h| h.until).min()
    }

    fn release(&mut self, which: impl Fn(&Held<P>) -> bool) -> Vec<Output<P>> {
        let (released, kept): (Vec<_>, Vec<_>) = self.held.drain(..).partition(|h| which(h));
        self.held = kept;
        released.into_iter().map(|h| h.request).collect()
    }
}

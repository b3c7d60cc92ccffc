//! The controller's side of the pairings of a scenario (spec §8.3.3): the runner plays it with
//! `iotp2p-protocol`'s [`Pairing`], as it plays an EDHOC initiator, so that a scenario can pair with
//! the node under test and then speak under the pairing context (`seal` and `opens` under the
//! pairing's name).
//!
//! The controller's nonce and SPAKE2+ scalar come from a fixed sequence: the same scenario sends the
//! same `pair_start` on every run; what the node draws is its own.

use std::collections::BTreeMap;

use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::Envelope;
use iotp2p_codec::prelude::*;
use iotp2p_protocol::controller::Pairing;
use iotp2p_protocol::security::SecurityContext;
use serde_json::Value;

use crate::protocol::OutDatagram;
use crate::reference::scenario::Lcg;
use crate::scenario::PeerPairing;
use crate::suite::{hex, unhex};

/// One pairing: under way, or `pair_confirm` sent with this `message_id`.
struct Session {
    pairing: Pairing,
    confirm_sent: Option<u64>,
}

/// The pairings of one scenario run, by name.
pub(super) struct Pairings {
    sessions: BTreeMap<String, Session>,
    rng: Lcg,
}

impl Pairings {
    pub(super) fn new() -> Self {
        Pairings {
            sessions: BTreeMap::new(),
            rng: Lcg(0x1ead),
        }
    }

    /// The body of the peer's pairing message (`pair_start`, `pair_share` or `pair_confirm`), as
    /// canonical JSON, given what the node has `sent` so far.
    pub(super) fn body(
        &mut self,
        step: &PeerPairing,
        sent: &[OutDatagram],
    ) -> Result<Value, String> {
        let body = match step {
            PeerPairing::Start { session, passcode } => {
                let (pairing, body) = Pairing::start(*passcode, &mut self.rng);
                self.sessions.insert(
                    session.clone(),
                    Session {
                        pairing,
                        confirm_sent: None,
                    },
                );
                body
            }
            PeerPairing::Share { session, reply_to } => {
                let reply = reply_in(sent, *reply_to)?;
                let s = self
                    .sessions
                    .get_mut(session)
                    .ok_or(format!("no pairing `{session}` under way"))?;
                s.pairing
                    .share(&reply, &mut self.rng)
                    .map_err(|e| format!("the reply to pair_start: {e:?}"))?
            }
            PeerPairing::Confirm { session, reply_to } => {
                let reply = reply_in(sent, *reply_to)?;
                self.session(session)?
                    .pairing
                    .confirm(&reply)
                    .map_err(|e| format!("the reply to pair_share: {e:?}"))?
            }
        };
        let bytes = body.encode_to_vec().map_err(|e| e.to_string())?;
        crate::reference::to_json("iotp2p.core.Body", &bytes)
            .map(|(v, _)| v)
            .map_err(|e| e.to_string())
    }

    /// Notes that `pair_confirm` of `session` went in the envelope `message_id`.
    pub(super) fn confirm_sent(&mut self, step: &PeerPairing, message_id: u64) {
        if let PeerPairing::Confirm { session, .. } = step {
            if let Some(s) = self.sessions.get_mut(session) {
                s.confirm_sent = Some(message_id);
            }
        }
    }

    /// The controller's pairing context of `session`, once the node has answered its
    /// `pair_confirm` (among `sent`); `None` when `session` is no pairing waiting for that.
    pub(super) fn complete(
        &mut self,
        session: &str,
        sent: &[OutDatagram],
    ) -> Option<Result<SecurityContext, String>> {
        let message_id = self.sessions.get(session)?.confirm_sent?;
        let s = self.sessions.remove(session)?;
        let reply = sent.iter().find_map(|d| {
            let bytes = unhex(&d.hex).ok()?;
            let e = Envelope::decode(&bytes).ok()?;
            (e.correlation_id == Some(message_id) && e.sealed.is_none())
                .then(|| e.body.map(|b| b.into_owned()))
                .flatten()
        });
        Some(match reply {
            Some(reply) => s
                .pairing
                .paired(&reply)
                .map_err(|e| format!("the reply to pair_confirm: {e:?}")),
            None => Err(format!(
                "the node has not answered the pair_confirm of `{session}` (message_id {message_id})"
            )),
        })
    }

    fn session(&mut self, name: &str) -> Result<&mut Session, String> {
        self.sessions
            .get_mut(name)
            .ok_or(format!("no pairing `{name}` under way"))
    }
}

/// The unsealed body of the node's `n`th datagram.
fn reply_in(sent: &[OutDatagram], n: usize) -> Result<Body, String> {
    let datagram = sent
        .get(n)
        .ok_or(format!("the node has sent no datagram {n}"))?;
    let bytes = unhex(&datagram.hex)?;
    let envelope = Envelope::decode(&bytes)
        .map_err(|e| format!("the node's datagram {n} is no envelope: {e}"))?;
    envelope.body.map(|b| b.into_owned()).ok_or(format!(
        "the node's datagram {n} ({}) is sealed or has no body",
        hex(&bytes)
    ))
}

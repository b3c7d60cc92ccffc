//! Defects of a protocol engine, for the scenarios (`scenario.*`): each wraps the reference testee
//! and changes what its engine receives or sends the way a broken engine would, so that
//! `tests/runner.rs` can prove the scenarios catch the defect.
//!
//! - `dedup-high-water-mark`: version 1.0's duplicate detection, which spec 1.1 replaced: an unsealed
//!   envelope whose `message_id` is below the highest seen from the same hop peer is dropped as
//!   stale, so one forged envelope with a large `message_id` silences a sender (IOTP-MSG-110);
//! - `window-on-failure`: a sealed envelope that failed to open still records its `message_id`, so
//!   the genuine envelope with that `message_id` is then refused as a duplicate (IOTP-SEC-76);
//! - `no-reack`: a duplicate is not acknowledged again, by an acknowledgement or the cached reply
//!   (IOTP-MSG-55);
//! - `no-retransmit`: a confirmable envelope is never sent again (IOTP-MSG-46);
//! - `ssn-reset-on-rehome`: version 1.0's counting per address: a node that takes a new address starts
//!   its Sender Sequence Numbers again, reusing nonces under the same key (IOTP-SEC-169);
//! - `no-notify`: a change of a property reaches no subscriber: the node sends the first report of a
//!   subscription only (IOTP-IM-26);
//! - `retry-on-status`: a status about the node's request makes it send the request again at once,
//!   whatever the status's retry class and whether or not it is authenticated (IOTP-ERR-19,
//!   IOTP-ERR-27);
//! - `relay-any-hop` (a relay under test): the relay takes a stranger's envelopes as its app's, as a
//!   relay that trusts any transport address would (IOTP-DLV-77);
//! - `relay-keeps-ttl` (a relay under test): the relay delivers a held request with the `ttl` it
//!   arrived with, not decreased by the time held (IOTP-MSG-65);
//! - `static-passcode`: version 1.0's static passcode: a device that has paired opens its window for
//!   the passcode on its label again, as if out of its box, when a `pair_start` comes (IOTP-SEC-132);
//! - `relay-contact-at-once` (a relay under test): the relay names every sender to the sensor by a
//!   contact number from the first delivery on, handshakes included, as version 1.1 first allowed;
//!   the sensor then cannot open a visitor's or a moved peer's envelopes (IOTP-MSG-138, -139).
//! - `relay-app-unconfirmable` (a relay under test): the relay passes replies on to its app without
//!   `ack_requested`, as version 1.1 required confirmable delivery of what it holds for a device only
//!   (IOTP-DLV-135).

use iotp2p_codec::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

use iotp2p_codec::core::{Body, Envelope};
use iotp2p_conformance::protocol::{OutDatagram, Request, Response};
use iotp2p_conformance::suite::unhex;

/// The member key of the Security capability's `pair_start` (spec/schema/security.iotp).
const PAIR_START: u16 = iotp2p_protocol::server::security::member::PAIR_START;

/// The state a defect needs.
#[derive(Default)]
pub struct Defects {
    /// The scenario's set-up, to start the node again (`ssn-reset-on-rehome`).
    started: Option<Request>,
    highest: BTreeMap<String, u64>,
    failed: BTreeSet<(String, u64)>,
    seen: BTreeSet<Vec<u8>>,
    /// Every datagram the node sent (`no-retransmit`: a copy of one is a retransmission).
    sent: BTreeSet<String>,
    /// The last confirmable envelope the node sent (`retry-on-status`).
    last_request: Option<OutDatagram>,
    /// The `ttl` each request arrived with, by `message_id` (`relay-keeps-ttl`).
    ttl: BTreeMap<u64, u32>,
    /// The node has sent a sealed datagram: it paired (`static-passcode`).
    sealed_sent: bool,
}

impl Defects {
    /// Whether the request never reaches the engine (the defect drops it): answered with no outputs.
    pub fn drops(&mut self, mode: &str, request: &Request) -> Option<Response> {
        if let Request::ScenarioStart { .. } = request {
            // A new node: the defect's memory starts afresh, as the node's own state does.
            *self = Defects {
                started: Some(request.clone()),
                ..Defects::default()
            };
        }
        let Request::Datagram { id, from, hex, .. } = request else {
            return None;
        };
        let bytes = unhex(hex).ok()?;
        let envelope = Envelope::decode(&bytes).ok()?;
        let drop = match mode {
            "dedup-high-water-mark"
                if envelope.sealed.is_none() && !matches!(envelope.body, Some(Body::Ack)) =>
            {
                let highest = self.highest.entry(from.clone()).or_insert(0);
                let stale = envelope.message_id < *highest;
                *highest = (*highest).max(envelope.message_id);
                stale
            }
            "window-on-failure" if envelope.sealed.is_some() => {
                self.failed.contains(&(from.clone(), envelope.message_id))
            }
            _ => false,
        };
        drop.then(|| Response::Outputs {
            id: id.clone(),
            sends: Vec::new(),
            events: Vec::new(),
            timer: None,
        })
    }

    /// A request the reference receives before `request`, its answer unused: `static-passcode`
    /// starts the node afresh, unclaimed, when a `pair_start` comes after it paired.
    pub fn before(&mut self, mode: &str, request: &Request) -> Option<Request> {
        let Request::Datagram { hex, .. } = request else {
            return None;
        };
        if mode != "static-passcode" || !self.sealed_sent {
            return None;
        }
        let bytes = unhex(hex).ok()?;
        let envelope = Envelope::decode(&bytes).ok()?;
        let pair_start = matches!(envelope.body, Some(Body::Invoke(i))
            if i.endpoint == 0 && i.capability == 1 && i.action == PAIR_START);
        if !pair_start {
            return None;
        }
        self.sealed_sent = false;
        self.started.clone()
    }

    /// The request the reference receives instead of `request`, if the defect replaces it.
    pub fn replaces(&self, mode: &str, request: &Request) -> Option<Request> {
        match (mode, request, &self.started) {
            (
                "ssn-reset-on-rehome",
                Request::Rehome { address, .. },
                Some(Request::ScenarioStart { id, node }),
            ) => {
                // The node as it started, at its new address: every context counts from its start.
                let mut node = node.clone();
                node.address = Some(address.clone());
                Some(Request::ScenarioStart {
                    id: id.clone(),
                    node,
                })
            }
            (
                "relay-any-hop",
                Request::Datagram { id, now, from, hex },
                Some(Request::ScenarioStart { node, .. }),
            ) if node.relay.is_some() && from == "stranger" => Some(Request::Datagram {
                id: id.clone(),
                now: *now,
                from: "app".into(),
                hex: hex.clone(),
            }),
            _ => None,
        }
    }

    /// Changes the reference's outputs as the defect would.
    pub fn change(&mut self, mode: &str, request: &Request, response: &mut Response) {
        let Response::Outputs { sends, events, .. } = response else {
            return;
        };
        match (mode, request) {
            ("window-on-failure", Request::Datagram { from, hex, .. }) => {
                let Some(envelope) = unhex(hex).ok().and_then(|b| {
                    Envelope::decode(&b)
                        .ok()
                        .map(|e| (e.message_id, e.sealed.is_some()))
                }) else {
                    return;
                };
                let refused = sends.iter().any(|s| {
                    unhex(&s.hex).ok().is_some_and(|b| {
                        Envelope::decode(&b).ok().is_some_and(|e| {
                            matches!(e.body, Some(Body::Status(st)) if st.code == iotp2p_codec::core::StatusCode::Unauthenticated)
                        })
                    })
                });
                if envelope.1 && refused {
                    self.failed.insert((from.clone(), envelope.0));
                }
            }
            ("no-reack", Request::Datagram { hex, .. }) => {
                // A duplicate is neither acknowledged nor answered: nothing goes back.
                let Ok(bytes) = unhex(hex) else { return };
                if !self.seen.insert(bytes) {
                    sends.clear();
                }
            }
            ("no-retransmit", _) => {
                // Retransmissions are copies, on the timer, of datagrams sent before; reports due on
                // the timer stay.
                if let Request::Tick { .. } = request {
                    sends.retain(|s| !self.sent.contains(&s.hex));
                }
                self.sent.extend(sends.iter().map(|s| s.hex.clone()));
            }
            ("no-notify", Request::Change { .. }) => sends.clear(),
            ("static-passcode", _) => {
                let sealed = |s: &OutDatagram| {
                    unhex(&s.hex)
                        .ok()
                        .is_some_and(|b| Envelope::decode(&b).is_ok_and(|e| e.sealed.is_some()))
                };
                self.sealed_sent |= sends.iter().any(sealed);
            }
            ("relay-keeps-ttl", _) => {
                if let Request::Datagram { hex, .. } = request {
                    let arrived = unhex(hex).ok().and_then(|b| {
                        Envelope::decode(&b)
                            .ok()
                            .map(|e| (e.message_id, e.ttl, e.correlation_id))
                    });
                    if let Some((id, Some(ttl), None)) = arrived {
                        self.ttl.insert(id, ttl);
                    }
                }
                for s in sends.iter_mut() {
                    let Ok(bytes) = unhex(&s.hex) else { continue };
                    let Ok(e) = Envelope::decode(&bytes) else {
                        continue;
                    };
                    let Some(&ttl) = self.ttl.get(&e.message_id) else {
                        continue;
                    };
                    if e.ttl.is_some() && e.correlation_id.is_none() {
                        if let Ok(again) = (Envelope {
                            ttl: Some(ttl),
                            ..e
                        })
                        .encode_to_vec()
                        {
                            s.hex = iotp2p_conformance::suite::hex(&again);
                        }
                    }
                }
            }
            ("relay-app-unconfirmable", _) => {
                for s in sends.iter_mut().filter(|s| s.to == "app") {
                    let Ok(bytes) = unhex(&s.hex) else { continue };
                    let Ok(e) = Envelope::decode(&bytes) else {
                        continue;
                    };
                    if !e.ack_requested || e.correlation_id.is_none() {
                        continue;
                    }
                    if let Ok(again) = (Envelope {
                        ack_requested: false,
                        ..e
                    })
                    .encode_to_vec()
                    {
                        s.hex = iotp2p_conformance::suite::hex(&again);
                    }
                }
            }
            ("relay-contact-at-once", _) => {
                for s in sends.iter_mut().filter(|s| s.to == "sensor") {
                    let Ok(bytes) = unhex(&s.hex) else { continue };
                    let Ok(e) = Envelope::decode(&bytes) else {
                        continue;
                    };
                    if e.sender.is_none() {
                        continue;
                    }
                    if let Ok(again) = (Envelope {
                        sender: None,
                        sender_contact: Some(0),
                        ..e
                    })
                    .encode_to_vec()
                    {
                        s.hex = iotp2p_conformance::suite::hex(&again);
                    }
                }
            }
            ("retry-on-status", _) => {
                let status_came = events.iter().any(|e| {
                    e.event == "reply" && e.body.as_ref().is_some_and(|b| b.get("status").is_some())
                });
                if status_came {
                    sends.extend(self.last_request.take());
                }
                let confirmable = |s: &&OutDatagram| {
                    unhex(&s.hex)
                        .ok()
                        .and_then(|b| Envelope::decode(&b).ok().map(|e| e.ack_requested))
                        .unwrap_or(false)
                };
                if let Some(sent) = sends.iter().rev().find(confirmable) {
                    self.last_request = Some(sent.clone());
                }
            }
            _ => {}
        }
    }
}

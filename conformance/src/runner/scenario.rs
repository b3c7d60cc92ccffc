//! Running a scenario (operation `scenario`, protocol 2): the runner plays the peers of the node under
//! test. It builds and seals the peers' envelopes itself (with `iotp2p-codec` and the security
//! contexts of `iotp2p-protocol`, as h2spec frames HTTP/2 itself), drives the node's clock, and judges
//! what the node sends by decoding it and, for sealed envelopes, opening it with the peer's side of
//! the context: the associated data, nonce and keys are checked by the opening itself.

use iotp2p_codec::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;

use iotp2p_codec::core::Envelope;
use iotp2p_protocol::security::{
    Exchange, KeyId, MasterSecret, ReplayWindow, Routing, SecurityContext,
};
use serde_json::Value;

use super::check::Verdict;
use super::testee::{line_of, Testee, Trouble};
use crate::protocol::{OutDatagram, OutEvent, Request, Response};
use crate::reference::to_json;
use crate::scenario::{ContextSetup, EventPattern, Expectation, Scenario, Send, SendPattern, Step};
use crate::suite::{hex, unhex};

/// The peers' side of one context.
struct PeerContext {
    setup: ContextSetup,
    context: SecurityContext,
    /// The sender address in the associated data of each request sealed under the context, by its
    /// `message_id`, where it is not the peer's bound address: the node's answer names it as its
    /// recipient (§8.5.3).
    sent_from: std::collections::BTreeMap<u64, Option<String>>,
}

impl PeerContext {
    fn new(setup: &ContextSetup) -> Result<Self, String> {
        Ok(PeerContext {
            context: derive(setup, None)?,
            setup: setup.clone(),
            sent_from: Default::default(),
        })
    }

    /// The peer's side of a context the runner made with the node during the scenario (EDHOC,
    /// pairing), named `name`, of `kind`, the peer bound to `address`.
    fn made(name: &str, kind: &str, context: SecurityContext, address: Option<String>) -> Self {
        let setup = ContextSetup {
            name: name.into(),
            peer: String::new(),
            kind: kind.into(),
            master_secret: String::new(),
            master_salt: String::new(),
            node_id: hex(context.recipient_id().as_bytes()),
            peer_id: hex(context.sender_id().as_bytes()),
            node_ssn: 0,
            peer_ssn: 0,
            peer_address: address,
            window_lost: false,
            runner_only: false,
            peer_node: None,
        };
        PeerContext {
            setup,
            context,
            sent_from: Default::default(),
        }
    }

    fn pairing(&self) -> bool {
        self.setup.kind == "pairing"
    }
}

/// The peer's side of `setup`, its Sender Sequence Number at `ssn` (default: the set-up's).
fn derive(setup: &ContextSetup, ssn: Option<u64>) -> Result<SecurityContext, String> {
    let secret = unhex(&setup.master_secret)?;
    let salt = unhex(&setup.master_salt)?;
    let own = KeyId::new(&unhex(&setup.peer_id)?).map_err(|e| e.to_string())?;
    let node = KeyId::new(&unhex(&setup.node_id)?).map_err(|e| e.to_string())?;
    Ok(SecurityContext::derive(
        MasterSecret {
            secret: &secret,
            salt: &salt,
        },
        own,
        node,
    )
    .resume(ssn.unwrap_or(setup.peer_ssn), ReplayWindow::new()))
}

/// What ends a scenario early: a verdict, or trouble with the testee (which the caller restarts).
pub enum Stop {
    /// The scenario failed, or the testee skipped it.
    Verdict(Verdict),
    /// The testee crashed or hung.
    Trouble(Trouble),
}

impl From<String> for Stop {
    fn from(detail: String) -> Self {
        Stop::Verdict(Verdict::Fail(detail))
    }
}

/// The state of one run of a scenario.
struct Run<'a> {
    id: &'a str,
    testee: &'a mut Testee,
    timeout: Duration,
    node_address: Option<String>,
    peers: BTreeMap<String, PeerContext>,
    now: u64,
    timer: Option<u64>,
    /// Every datagram the node sent, in order (`answer_to` counts them).
    sent: Vec<OutDatagram>,
    /// Those since the previous expectation, and the events.
    pending: Vec<OutDatagram>,
    events: Vec<OutEvent>,
    /// The bytes each `send` step sent (for `repeat`).
    step_bytes: BTreeMap<usize, Vec<u8>>,
    /// The plaintext of every sealed datagram of the node opened so far, by its bytes: a
    /// retransmission is the same envelope, which the peer's replay window would call a duplicate.
    opened: BTreeMap<Vec<u8>, Vec<u8>>,
    /// The node's EDHOC credential, and the peers' handshakes waiting for message_2.
    node_credential: Option<Vec<u8>>,
    initiators: BTreeMap<String, (iotp2p_protocol::security::edhoc::Initiator, Option<String>)>,
    /// The `edhoc_3` body of each completed handshake: sent again, it is the same message_3.
    edhoc_3: BTreeMap<String, Value>,
    /// The peers' pairings, until their pairing contexts join `peers`.
    pairings: super::pairing::Pairings,
}

/// Runs `scenario` on the testee.
pub fn run(
    testee: &mut Testee,
    id: &str,
    scenario: &Scenario,
    timeout: Duration,
) -> Result<Verdict, Trouble> {
    let mut peers = BTreeMap::new();
    for c in &scenario.node.contexts {
        match PeerContext::new(c) {
            Ok(p) => {
                peers.insert(c.name.clone(), p);
            }
            Err(e) => {
                return Ok(Verdict::Fail(format!(
                    "the scenario's context {}: {e}",
                    c.name
                )))
            }
        }
    }
    let mut run = Run {
        id,
        testee,
        timeout,
        node_address: scenario.node.address.clone(),
        peers,
        now: 0,
        timer: None,
        sent: Vec::new(),
        pending: Vec::new(),
        events: Vec::new(),
        step_bytes: BTreeMap::new(),
        opened: BTreeMap::new(),
        node_credential: scenario
            .node
            .edhoc
            .as_ref()
            .and_then(|e| unhex(&e.credential).ok()),
        initiators: BTreeMap::new(),
        edhoc_3: BTreeMap::new(),
        pairings: super::pairing::Pairings::new(),
    };
    let outcome = run.all(scenario);
    // The node is dropped whatever happened, unless the testee is gone.
    match outcome {
        Err(Stop::Trouble(t)) => Err(t),
        Err(Stop::Verdict(v)) => {
            let _ = run.request(&Request::ScenarioEnd { id: id.into() });
            Ok(v)
        }
        Ok(()) => match run.request(&Request::ScenarioEnd { id: id.into() }) {
            Err(Stop::Trouble(t)) => Err(t),
            Err(Stop::Verdict(v)) => Ok(v),
            Ok(()) => Ok(Verdict::Pass),
        },
    }
}

impl Run<'_> {
    fn all(&mut self, scenario: &Scenario) -> Result<(), Stop> {
        self.request(&Request::ScenarioStart {
            id: self.id.into(),
            node: scenario.node.clone(),
        })?;
        for (index, step) in scenario.steps.iter().enumerate() {
            self.step(index, step).map_err(|stop| match stop {
                Stop::Verdict(Verdict::Fail(d)) => {
                    Stop::Verdict(Verdict::Fail(format!("step {index} ({}): {d}", name(step))))
                }
                other => other,
            })?;
        }
        Ok(())
    }

    fn step(&mut self, index: usize, step: &Step) -> Result<(), Stop> {
        match step {
            Step::Send(send) => {
                let bytes = self.build(send)?;
                self.step_bytes.insert(index, bytes.clone());
                self.request(&Request::Datagram {
                    id: self.id.into(),
                    now: self.now,
                    from: send.from.clone(),
                    hex: hex(&bytes),
                })
            }
            Step::Advance(a) => {
                let to = if a.to_timer {
                    self.timer
                        .ok_or("the node asked for no timer to advance to".to_string())?
                } else if let Some(to) = a.to {
                    to
                } else {
                    self.now + a.by.unwrap_or(0)
                };
                self.now = self.now.max(to);
                self.request(&Request::Tick {
                    id: self.id.into(),
                    now: self.now,
                })
            }
            Step::App(request) => self.request(&Request::App {
                id: self.id.into(),
                now: self.now,
                request: request.clone(),
            }),
            Step::Rehome(r) => {
                // The node seals with its new address from now on, and the peers open with it.
                self.node_address = Some(r.address.clone());
                self.request(&Request::Rehome {
                    id: self.id.into(),
                    now: self.now,
                    address: r.address.clone(),
                    grace_period: r.grace_period,
                })
            }
            Step::Presence(presence) => self.request(&Request::Presence {
                id: self.id.into(),
                now: self.now,
                presence: presence.clone(),
            }),
            Step::Change(change) => self.request(&Request::Change {
                id: self.id.into(),
                now: self.now,
                change: change.clone(),
            }),
            Step::Restart => self.request(&Request::Restart {
                id: self.id.into(),
                now: self.now,
            }),
            Step::Event(event) => self.request(&Request::Event {
                id: self.id.into(),
                now: self.now,
                event: event.clone(),
            }),
            Step::Expect(expect) => self.expect(expect),
        }
    }

    /// Sends one request and collects the node's outputs.
    fn request(&mut self, request: &Request) -> Result<(), Stop> {
        let answer = self
            .testee
            .exchange(&line_of(request), self.timeout)
            .map_err(Stop::Trouble)?;
        let response: Response = serde_json::from_str(&answer)
            .map_err(|e| format!("the answer is not a protocol message ({e}): {answer}"))?;
        match response {
            Response::Outputs {
                id,
                sends,
                events,
                timer,
            } if id == self.id => {
                self.sent.extend(sends.iter().cloned());
                self.pending.extend(sends);
                self.events.extend(events);
                self.timer = timer;
                Ok(())
            }
            Response::Skipped { reason, .. } => Err(Stop::Verdict(Verdict::Skip(reason))),
            Response::Errored { details, .. } => {
                Err(format!("the testee errored: {details}").into())
            }
            other => Err(format!("not the `outputs` of this scenario: {}", line_of(&other)).into()),
        }
    }

    /// The bytes of a peer's datagram.
    fn build(&mut self, send: &Send) -> Result<Vec<u8>, String> {
        let mut bytes = if let Some(step) = send.repeat {
            self.step_bytes
                .get(&step)
                .cloned()
                .ok_or(format!("step {step} sent nothing to repeat"))?
        } else if let Some(h) = &send.hex {
            unhex(h)?
        } else {
            let mut envelope = send
                .envelope
                .clone()
                .unwrap_or_else(|| Value::Object(Default::default()));
            if let Some(n) = send.answer_to {
                let answered = self
                    .sent
                    .get(n)
                    .ok_or(format!("the node has sent no datagram {n} to answer"))?;
                let message_id = Envelope::decode(&unhex(&answered.hex)?)
                    .map_err(|e| format!("the node's datagram {n} is no envelope: {e}"))?
                    .message_id;
                envelope["correlation_id"] = message_id.into();
            }
            if let Some(edhoc) = &send.edhoc {
                envelope["body"] = self.edhoc(edhoc)?;
            }
            if let Some(pairing) = &send.pairing {
                envelope["body"] = self.pairings.body(pairing, &self.sent)?;
                if let Some(message_id) = envelope.get("message_id").and_then(Value::as_u64) {
                    self.pairings.confirm_sent(pairing, message_id);
                }
            }
            if let Some(seal) = &send.seal {
                match &send.receipt_of {
                    Some(delivered) => {
                        let mut seal = seal.clone();
                        seal.body = self.receipt(delivered)?;
                        self.seal(&mut envelope, &seal)?;
                    }
                    None => self.seal(&mut envelope, seal)?,
                }
            }
            encode("iotp2p.core.Envelope", &envelope)?
        };
        if let Some(flip) = send.flip {
            let i = if flip.byte < 0 {
                bytes.len() as i64 + flip.byte
            } else {
                flip.byte
            };
            let byte = usize::try_from(i)
                .ok()
                .and_then(|i| bytes.get_mut(i))
                .ok_or(format!("no byte {} to flip", flip.byte))?;
            *byte ^= 1 << (flip.bit & 7);
        }
        Ok(bytes)
    }

    /// The body carrying a peer's EDHOC message (`edhoc_1` or `edhoc_3`), run by the runner as the
    /// initiator with `iotp2p-protocol`; after message_3, the session's context joins the peers'.
    fn edhoc(&mut self, step: &crate::scenario::PeerEdhoc) -> Result<Value, String> {
        use crate::scenario::PeerEdhoc;
        use iotp2p_protocol::security::edhoc::carriage::{
            decode_edhoc_1_output, encode_edhoc_1_input, encode_edhoc_3_input, EDHOC_1, EDHOC_3,
        };
        use iotp2p_protocol::security::edhoc::{
            connection_id_from_int, AuthKey, Credential, IdCredI, Initiator, LocalIdentity,
        };
        let (action, input) = match step {
            PeerEdhoc::Message1 {
                session,
                key,
                credential,
                c_i,
                ephemeral,
                by_value,
                address,
            } => {
                let key: [u8; 32] = unhex(key)?.try_into().map_err(|_| "a 32-byte key")?;
                let ephemeral: [u8; 32] = unhex(ephemeral)?
                    .try_into()
                    .map_err(|_| "a 32-byte ephemeral key")?;
                let identity = LocalIdentity::new(
                    AuthKey::new(&key).map_err(|e| e.to_string())?,
                    Credential::parse(&unhex(credential)?).map_err(|e| e.to_string())?,
                )
                .map_err(|e| e.to_string())?;
                let c_i = connection_id_from_int(*c_i).ok_or("C_I outside -24..23")?;
                let id_cred = if *by_value {
                    IdCredI::ByValue
                } else {
                    IdCredI::Kid
                };
                let none: &[KeyId] = &[];
                let (initiator, message_1) =
                    Initiator::start(&identity, id_cred, c_i, none, &ephemeral)
                        .map_err(|e| format!("message_1: {e}"))?;
                self.initiators
                    .insert(session.clone(), (initiator, address.clone()));
                let mut input = vec![0u8; message_1.as_bytes().len() + 3];
                let n = encode_edhoc_1_input(message_1.as_bytes(), &mut input)
                    .map_err(|e| e.to_string())?;
                input.truncate(n);
                (EDHOC_1, input)
            }
            PeerEdhoc::Message3 { session, .. } if !self.initiators.contains_key(session) => {
                // The same message_3 again (from another sender, or a retransmission).
                return self
                    .edhoc_3
                    .get(session)
                    .cloned()
                    .ok_or(format!("no handshake `{session}` waiting for message_2"));
            }
            PeerEdhoc::Message3 { session, reply_to } => {
                let (initiator, address) = self
                    .initiators
                    .remove(session)
                    .ok_or(format!("no handshake `{session}` waiting for message_2"))?;
                let answered = self
                    .sent
                    .get(*reply_to)
                    .ok_or(format!("the node has sent no datagram {reply_to}"))?;
                let bytes = unhex(&answered.hex)?;
                let envelope = Envelope::decode(&bytes).map_err(|e| e.to_string())?;
                let Some(iotp2p_codec::core::Body::InvokeResponse(response)) = envelope.body else {
                    return Err(format!(
                        "the node's datagram {reply_to} is not an unsealed invoke_response"
                    ));
                };
                let output = response.output.ok_or("no output")?;
                let Ok(iotp2p_codec::security::EdhocReply::Message2(message_2)) =
                    decode_edhoc_1_output(output)
                else {
                    return Err(format!(
                        "the node's datagram {reply_to} carries no message_2"
                    ));
                };
                let credential = self
                    .node_credential
                    .clone()
                    .ok_or("the scenario gives the node no EDHOC credential")?;
                let held: &[&[u8]] = &[&credential];
                let (sent, message_3) = initiator
                    .receive_message_2(message_2, held)
                    .map_err(|e| format!("message_2 does not verify: {e}"))?;
                let mut input = vec![0u8; message_3.as_bytes().len() + 16];
                let n = encode_edhoc_3_input(sent.c_r(), message_3.as_bytes(), &mut input)
                    .map_err(|e| e.to_string())?;
                input.truncate(n);
                let (context, _) = sent
                    .complete()
                    .map_err(|e| format!("completing the handshake: {e}"))?
                    .into_parts();
                self.peers.insert(
                    session.clone(),
                    PeerContext::made(session, "ordinary", context, address),
                );
                (EDHOC_3, input)
            }
        };
        let body = serde_json::json!({"invoke": {"endpoint": 0, "capability": 1, "action": action, "input": hex(&input)}});
        if let PeerEdhoc::Message3 { session, .. } = step {
            self.edhoc_3.insert(session.clone(), body.clone());
        }
        Ok(body)
    }

    /// Seals `envelope` (canonical JSON, without `message_id`, `key_id` and `sealed`) as the peer.
    fn seal(&mut self, envelope: &mut Value, seal: &crate::scenario::Seal) -> Result<(), String> {
        let mut body_json = seal.body.clone();
        if let Some(n) = seal.echo_from {
            let echo = self.echo_of(&seal.context, n)?;
            for variant in ["write", "invoke"] {
                if let Some(request) = body_json.get_mut(variant) {
                    request["echo"] = echo.clone().into();
                }
            }
        }
        self.paired(&seal.context)?;
        let peer = self
            .peers
            .get_mut(&seal.context)
            .ok_or(format!("no context `{}`", seal.context))?;
        let body = encode("iotp2p.core.Body", &body_json)?;
        let exchange = match envelope.get("correlation_id").and_then(Value::as_u64) {
            None => Exchange::Request,
            Some(correlation_id) => Exchange::Answer {
                // The node sealed the request it answers with its own Sender ID.
                request_key_id: *peer.context.recipient_id(),
                correlation_id,
            },
        };
        let sender = match &seal.aad_sender {
            Some(a) if a.is_empty() => None,
            Some(a) => Some(a.clone()),
            None => peer.setup.peer_address.clone(),
        };
        let routing = if peer.pairing() {
            Routing {
                version: 1,
                sender: None,
                recipient: None,
            }
        } else {
            Routing {
                version: 1,
                sender: sender.as_deref(),
                recipient: seal
                    .aad_recipient
                    .as_deref()
                    .or(self.node_address.as_deref()),
            }
        };
        let mut one_off;
        let context = match seal.message_id {
            Some(m) => {
                one_off = derive(&peer.setup, Some(m))?;
                &mut one_off
            }
            None => &mut peer.context,
        };
        let mut sealed = vec![0u8; body.len() + 8];
        let done = context
            .seal(&exchange, &routing, &body, &mut sealed)
            .map_err(|e| format!("sealing under `{}`: {e}", seal.context))?;
        sealed.truncate(done.len);
        if seal.message_id.is_none() && sender != peer.setup.peer_address {
            peer.sent_from.insert(done.message_id, sender.clone());
        }
        envelope["message_id"] = done.message_id.into();
        if seal.key_id {
            envelope["key_id"] = hex(context.sender_id().as_bytes()).into();
        }
        envelope["sealed"] = hex(&sealed).into();
        Ok(())
    }

    /// Makes the pairing context of the pairing `name` one of the peers' contexts, once the node has
    /// answered its `pair_confirm`; nothing when `name` is no such pairing.
    fn paired(&mut self, name: &str) -> Result<(), String> {
        let Some(context) = self.pairings.complete(name, &self.sent) else {
            return Ok(());
        };
        self.peers.insert(
            name.into(),
            PeerContext::made(name, "pairing", context?, None),
        );
        Ok(())
    }

    /// The `echo` of the sealed `FreshnessRequired` in the node's `n`th datagram, opened as the peer of
    /// `context`.
    fn echo_of(&mut self, context: &str, n: usize) -> Result<String, String> {
        let datagram = self
            .sent
            .get(n)
            .ok_or(format!("the node has sent no datagram {n}"))?;
        let bytes = unhex(&datagram.hex)?;
        let body = self.open(context, None, None, &bytes)?;
        let (json, _) = to_json("iotp2p.core.Body", &body).map_err(|e| e.to_string())?;
        json["status"]["echo"]
            .as_str()
            .map(str::to_string)
            .ok_or(format!("the node's datagram {n} carries no echo"))
    }

    /// Judges the outputs since the previous expectation.
    fn expect(&mut self, expect: &Expectation) -> Result<(), Stop> {
        let sends = std::mem::take(&mut self.pending);
        let events = std::mem::take(&mut self.events);
        let first = self.sends_match(&expect.sends, &sends);
        let result = match first {
            Ok(()) => Ok(()),
            Err(first) => {
                let mut result = Err(first);
                for alternative in &expect.or {
                    if self.sends_match(alternative, &sends).is_ok() {
                        result = Ok(());
                        break;
                    }
                }
                result
            }
        };
        result.map_err(|detail| {
            format!(
                "{detail}\n  the spec: {}\n  the node sent: {}",
                expect.why,
                self.show(&sends)
            )
        })?;
        if let Some(patterns) = &expect.events {
            events_match(patterns, &events).map_err(|detail| {
                format!(
                    "{detail}\n  the spec: {}\n  the node reported: {events:?}",
                    expect.why
                )
            })?;
        }
        let wanted = match (expect.no_timer, expect.timer) {
            (true, _) => Some(None),
            (false, Some(range)) => Some(Some(range)),
            (false, None) => None,
        };
        if let Some(timer) = wanted {
            let ok = match (timer, self.timer) {
                (None, None) => true,
                (Some([min, max]), Some(t)) => {
                    (self.now.saturating_add(min)..=self.now.saturating_add(max)).contains(&t)
                }
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "the node's timer is {:?}, wanted {}\n  the spec: {}",
                    self.timer,
                    match timer {
                        Some([min, max]) => format!(
                            "between {} and {} ms ({min} to {max} ms after {})",
                            self.now + min,
                            self.now + max,
                            self.now
                        ),
                        None => "none".into(),
                    },
                    expect.why
                )
                .into());
            }
        }
        Ok(())
    }

    fn sends_match(
        &mut self,
        patterns: &[SendPattern],
        sends: &[OutDatagram],
    ) -> Result<(), String> {
        if patterns.len() != sends.len() {
            return Err(format!(
                "the node sent {} datagram{}, wanted {}",
                sends.len(),
                if sends.len() == 1 { "" } else { "s" },
                patterns.len()
            ));
        }
        for (i, (pattern, send)) in patterns.iter().zip(sends).enumerate() {
            self.send_matches(pattern, send)
                .map_err(|e| format!("datagram {i}: {e}"))?;
        }
        Ok(())
    }

    fn send_matches(&mut self, pattern: &SendPattern, send: &OutDatagram) -> Result<(), String> {
        if pattern.to != send.to {
            return Err(format!("sent to `{}`, wanted `{}`", send.to, pattern.to));
        }
        let bytes = unhex(&send.hex)?;
        if let Some(h) = &pattern.hex {
            if !h.eq_ignore_ascii_case(&send.hex) {
                return Err(format!("the bytes are {}, wanted {h}", send.hex));
            }
        }
        if let Some(n) = pattern.same_as {
            let earlier = self
                .sent
                .get(n)
                .ok_or(format!("the node sent no datagram {n} to compare with"))?;
            if earlier.hex != send.hex {
                return Err(format!(
                    "not byte for byte the node's datagram {n} ({}), but {}",
                    earlier.hex, send.hex
                ));
            }
        }
        let (json, _) = to_json("iotp2p.core.Envelope", &bytes)
            .map_err(|e| format!("not a canonical envelope: {e}"))?;
        matches(&pattern.envelope, &json, "envelope")?;
        if let Some(opens) = &pattern.opens {
            let body = self.open(
                &opens.context,
                opens.answers.as_deref(),
                opens.recipient.as_deref(),
                &bytes,
            )?;
            let (json, _) = to_json("iotp2p.core.Body", &body)
                .map_err(|e| format!("the sealed body is not a Body: {e}"))?;
            matches(&opens.body, &json, "body")?;
        }
        Ok(())
    }

    /// Opens a sealed envelope of the node as the peer of `context`; an answer to a request sealed
    /// under another context (`answers`) has that request's key identifier in its associated data,
    /// and `recipient`, when given, is the peer's address the node must have sealed for.
    fn open(
        &mut self,
        context: &str,
        answers: Option<&str>,
        recipient: Option<&str>,
        bytes: &[u8],
    ) -> Result<Vec<u8>, String> {
        if let Some(plain) = self.opened.get(bytes) {
            return Ok(plain.clone());
        }
        let envelope = Envelope::decode(bytes).map_err(|e| e.to_string())?;
        let sealed = envelope.sealed.ok_or("the envelope is not sealed")?;
        let node_address = self.node_address.clone();
        let request_key_id = match answers {
            Some(name) => Some(
                *self
                    .peers
                    .get(name)
                    .ok_or(format!("no context `{name}`"))?
                    .context
                    .sender_id(),
            ),
            None => None,
        };
        let peer = self
            .peers
            .get_mut(context)
            .ok_or(format!("no context `{context}`"))?;
        let exchange = match envelope.correlation_id {
            None => Exchange::Request,
            Some(correlation_id) => Exchange::Answer {
                request_key_id: request_key_id.unwrap_or(*peer.context.sender_id()),
                correlation_id,
            },
        };
        let pairing = peer.pairing();
        // An answer names the address its request came from.
        let peer_address = match recipient {
            Some(r) => Some(r.to_string()),
            None => envelope
                .correlation_id
                .and_then(|c| peer.sent_from.get(&c).cloned())
                .unwrap_or_else(|| peer.setup.peer_address.clone()),
        };
        let routing = Routing {
            version: envelope.version,
            sender: if pairing {
                None
            } else {
                node_address.as_deref()
            },
            recipient: if pairing {
                None
            } else {
                peer_address.as_deref()
            },
        };
        let mut plain = vec![0u8; sealed.len()];
        let opened = peer
            .context
            .open(envelope.message_id, &exchange, &routing, sealed, &mut plain)
            .map_err(|e| format!("does not open under `{context}` as the peer: {e}"))?;
        plain.truncate(opened.len);
        self.opened.insert(bytes.to_vec(), plain.clone());
        Ok(plain)
    }

    /// A receipt body naming the requests the node delivered with these `message_id`s, each as its
    /// latest such datagram named its sender (§5.11.1).
    fn receipt(&self, delivered: &[u64]) -> Result<Value, String> {
        let mut refs = Vec::new();
        for &id in delivered {
            let found = self.sent.iter().rev().find_map(|datagram| {
                let bytes = unhex(&datagram.hex).ok()?;
                let envelope = Envelope::decode(&bytes).ok()?;
                (envelope.message_id == id && envelope.correlation_id.is_none()).then(|| {
                    let mut r = serde_json::json!({"message_id": id});
                    if let Some(s) = envelope.sender {
                        r["sender"] = s.into();
                    }
                    if let Some(c) = envelope.sender_contact {
                        r["sender_contact"] = c.into();
                    }
                    r
                })
            });
            refs.push(found.ok_or(format!(
                "the node delivered no request with message_id {id} to name in a receipt"
            ))?);
        }
        Ok(serde_json::json!({"receipt": {"delivered": refs}}))
    }

    fn show(&self, sends: &[OutDatagram]) -> String {
        if sends.is_empty() {
            return "nothing".into();
        }
        sends
            .iter()
            .map(|s| {
                let json = unhex(&s.hex)
                    .ok()
                    .and_then(|b| to_json("iotp2p.core.Envelope", &b).ok())
                    .map(|(_, text)| text)
                    .unwrap_or_else(|| s.hex.clone());
                format!("\n    to `{}`: {json}", s.to)
            })
            .collect()
    }
}

fn events_match(patterns: &[EventPattern], events: &[OutEvent]) -> Result<(), String> {
    if patterns.len() != events.len() {
        return Err(format!(
            "the node reported {} event(s) to its application, wanted {}",
            events.len(),
            patterns.len()
        ));
    }
    for (i, (p, e)) in patterns.iter().zip(events).enumerate() {
        if p.event != e.event {
            return Err(format!("event {i} is `{}`, wanted `{}`", e.event, p.event));
        }
        if let Some(body) = &p.body {
            let got = e.body.clone().unwrap_or(Value::Null);
            matches(body, &got, "body").map_err(|d| format!("event {i}: {d}"))?;
        }
    }
    Ok(())
}

/// A pattern member that matches any value, present.
pub const ANY: &str = "<any>";
/// A pattern member that requires the member to be absent.
pub const ABSENT: &str = "<absent>";

/// A pattern member `<bytes MIN..MAX>`: a byte string (hex) of MIN to MAX bytes, any content.
pub const BYTES: &str = "<bytes ";

/// The inclusive bounds of a `<bytes MIN..MAX>` pattern, if `pattern` is one.
fn byte_bounds(pattern: &str) -> Option<(usize, usize)> {
    let range = pattern.strip_prefix(BYTES)?.strip_suffix('>')?;
    let (min, max) = range.split_once("..")?;
    Some((min.parse().ok()?, max.parse().ok()?))
}

/// Whether `got` has every member of `pattern`: [`ANY`] for present with any value, [`ABSENT`] for
/// absent, [`BYTES`]`MIN..MAX>` for a byte string of that many bytes; objects are compared member by
/// member, everything else by equality (so `null` is the value null, as a unit variant such as
/// `{"ack": null}` has it).
pub fn matches(pattern: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (pattern, got) {
        (Value::String(s), _) if s == ANY => Ok(()),
        (Value::String(s), _) if byte_bounds(s).is_some() => {
            let (min, max) = byte_bounds(s).unwrap_or_default();
            match got.as_str().map(unhex) {
                Some(Ok(bytes)) if (min..=max).contains(&bytes.len()) => Ok(()),
                Some(Ok(bytes)) => Err(format!(
                    "{path} has {} bytes, wanted {min} to {max}",
                    bytes.len()
                )),
                _ => Err(format!(
                    "{path} is {got}, wanted a byte string of {min} to {max} bytes"
                )),
            }
        }
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let here = format!("{path}.{key}");
                let absent = value.as_str() == Some(ABSENT);
                match (absent, have.get(key)) {
                    (true, None) => {}
                    (true, Some(v)) => return Err(format!("{here} is {v}, wanted it absent")),
                    (false, None) => return Err(format!("{here} is absent, wanted {value}")),
                    (false, Some(v)) => matches(value, v, &here)?,
                }
            }
            Ok(())
        }
        _ if pattern == got => Ok(()),
        _ => Err(format!("{path} is {got}, wanted {pattern}")),
    }
}

fn encode(type_name: &str, value: &Value) -> Result<Vec<u8>, String> {
    iotp2p_codec::generated::from_json(type_name, value.clone())
        .ok_or(format!("no JSON mapping for {type_name}"))?
        .map_err(|e| format!("the scenario's {type_name} does not encode: {e}"))
}

fn name(step: &Step) -> &'static str {
    match step {
        Step::Send(_) => "send",
        Step::Advance(_) => "advance",
        Step::App(_) => "app",
        Step::Rehome(_) => "rehome",
        Step::Presence(_) => "presence",
        Step::Change(_) => "change",
        Step::Event(_) => "event",
        Step::Restart => "restart",
        Step::Expect(_) => "expect",
    }
}

#[cfg(test)]
mod tests {
    use super::matches;
    use serde_json::json;

    #[test]
    fn byte_patterns_bound_the_length() {
        let pattern = json!({"echo": "<bytes 2..3>"});
        assert!(matches(&pattern, &json!({"echo": "0102"}), "e").is_ok());
        assert!(matches(&pattern, &json!({"echo": "010203"}), "e").is_ok());
        let short = matches(&pattern, &json!({"echo": "01"}), "e").unwrap_err();
        assert_eq!(short, "e.echo has 1 bytes, wanted 2 to 3");
        assert!(matches(&pattern, &json!({"echo": "01020304"}), "e").is_err());
        assert!(matches(&pattern, &json!({"echo": 7}), "e").is_err());
        assert!(matches(&pattern, &json!({}), "e").is_err());
    }

    #[test]
    fn patterns_name_what_they_require() {
        let got = json!({"message_id": 7, "correlation_id": 3, "body": {"ack": null}});
        assert!(matches(
            &json!({"correlation_id": 3, "body": {"ack": null}}),
            &got,
            "e"
        )
        .is_ok());
        assert!(matches(
            &json!({"message_id": "<any>", "ack_requested": "<absent>"}),
            &got,
            "e"
        )
        .is_ok());
        assert!(matches(&json!({"correlation_id": 4}), &got, "e").is_err());
        assert!(matches(&json!({"ttl": "<any>"}), &got, "e").is_err());
        assert!(matches(&json!({"message_id": "<absent>"}), &got, "e").is_err());
        assert!(matches(&json!({"body": {"ack": "<absent>"}}), &got, "e").is_err());
    }
}

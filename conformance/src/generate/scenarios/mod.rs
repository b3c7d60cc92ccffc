//! Scripted-peer scenarios (operation `scenario`, protocol 2): each a set-up of the node under test and a
//! script of what its peers send and what the node must send back, written from the spec's text (the
//! expectations are patterns of what the spec requires, or the spec's own bytes where it gives them),
//! never computed by the reference engine. One module per chapter:
//!
//! - [`messages`]: the message layer (chapter 5) and sealing (chapter 8) as a node applies them.
//! - [`edhoc`]: EDHOC answered by the node (§8.4), the runner playing the initiator.
//! - [`pairing`]: pairing and claiming a device out of its box (§8.3), the runner playing the
//!   controller; [`introduce`]: an introduction presented to the claimed device (§8.8.4.2);
//!   [`statements`]: the claimed device applies its owner's statements: moves (§8.9.3), key
//!   rotation (§8.10.2); [`administration`]: the pairing context's limits, the owner's entry, a
//!   second controller removed or revoked (§8.3.4, §8.8, §8.11).
//! - [`interaction`]: the interaction model (chapter 6) and its statuses.
//! - [`statuses`]: how a node handles the statuses it receives (§9.4).
//! - [`subscriptions`]: the reports of a subscription after the first (§6.7); [`events`]: the
//!   events they carry.
//! - [`addresses`]: the sender addresses a node trusts and writes (§2.8.2, §5.5.2);
//!   [`deliveries`]: `more` and receipts on a device's hop with its home relay (§5.11);
//!   [`freshness`]: what makes an envelope new: `ttl` and the duplicate cache (§5.9, §8.6.3);
//!   [`errors`]: statuses with codes the node does not know (§9.4).
//! - [`windows`]: the limits in time of pairing, and a pairing context beside EDHOC contexts
//!   (§8.3.2, §8.4.3); [`credentials`]: `add_peer` verifies what it stores (§8.2.3);
//!   [`pinning`]: a pinned address keeps its key (§2.8.3); [`moving`]: the node's own move and
//!   its grace period (§8.9, §8.5.3); [`requester`]: how long the node awaits a reply, and how
//!   often it repeats a request for freshness (§5.7, §9.4).
//! - [`relay`]: a home relay under test (chapter 3, §5.9.2 to §5.11, §8.7.1), the runner playing its
//!   nodes, another domain's relay and a stranger.
//!
//! [`Builder`] keeps each scenario short: the lamp of spec §5.15.1 as the usual node under test, its
//! context with the app (the one of §8.5.8), and helpers for the patterns every scenario uses.

mod access;
mod addresses;
mod administration;
mod contexts;
mod credentials;
mod deliveries;
mod edhoc;
mod errors;
mod events;
mod freshness;
mod interaction;
mod introduce;
mod messages;
mod moving;
mod pairing;
mod pinning;
mod relay;
mod requester;
mod scoped;
mod statements;
mod statuses;
mod subscribers;
mod subscriptions;
mod windows;

use serde_json::{json, Value};

pub(crate) use crate::runner::scenario::ABSENT;

use crate::scenario::{
    Advance, AppRequest, CapabilitySetup, ContextSetup, Expectation, MemberSetup, NodeSetup, Opens,
    Scenario, Seal, Send, SendPattern, Step,
};
use crate::vector::{Expect, Input, Level, Operation, Vector, VectorFile, SUITE_VERSION};

/// The vector files of the scenarios, one per area: the second part of the ids (`scenario.msg.*`,
/// `scenario.sec.*`, ...).
pub(crate) fn files() -> Result<Vec<VectorFile>, String> {
    let areas = [
        (
            "scenario.msg",
            "Scripted-peer scenarios of the message layer: the receive pipeline and its statuses, \
             acknowledgements, duplicates, retransmission (spec chapter 5)",
        ),
        (
            "scenario.im",
            "Scripted-peer scenarios of the interaction model: the check order, reads, writes, invokes, \
             describe and subscriptions, through sealed requests (spec chapters 6 and 9)",
        ),
        (
            "scenario.err",
            "Scripted-peer scenarios of received statuses: what a node may and may not send again after \
             a status, authenticated or not (spec §9.4)",
        ),
        (
            "scenario.sec",
            "Scripted-peer scenarios of sealed envelopes: replays, forgeries, misbinding, unsealed and \
             visitor requests (spec chapter 8)",
        ),
        (
            "scenario.dlv",
            "Scripted-peer scenarios of a home relay: what it accepts from whom, holding for sleeping \
             devices, hop bindings, delivery, receipts and non-delivery statuses (spec chapter 3, \
             §5.9.2 to §5.11, §8.7.1)",
        ),
    ];
    let mut all = messages::scenarios()?;
    all.extend(interaction::scenarios()?);
    all.extend(statuses::scenarios());
    all.extend(subscriptions::scenarios());
    all.extend(relay::scenarios());
    all.extend(pairing::scenarios()?);
    all.extend(introduce::scenarios()?);
    all.extend(statements::scenarios()?);
    all.extend(administration::scenarios()?);
    all.extend(subscribers::scenarios()?);
    all.extend(access::scenarios()?);
    all.extend(scoped::scenarios()?);
    all.extend(contexts::scenarios()?);
    all.extend(addresses::scenarios());
    all.extend(deliveries::scenarios());
    all.extend(freshness::scenarios());
    all.extend(errors::scenarios());
    all.extend(windows::scenarios()?);
    all.extend(credentials::scenarios()?);
    all.extend(pinning::scenarios()?);
    all.extend(moving::scenarios());
    all.extend(requester::scenarios());
    all.extend(events::scenarios());
    let mut files = Vec::new();
    for (area, description) in areas {
        let prefix = format!("{area}.");
        let vectors: Vec<Vector> = all
            .iter()
            .filter(|v| v.id.starts_with(&prefix))
            .cloned()
            .collect();
        files.push(file(area, description, vectors));
    }
    let filed: usize = files.iter().map(|f| f.vectors.len()).sum();
    if filed != all.len() {
        return Err(format!("{} scenarios are in no area", all.len() - filed));
    }
    Ok(files)
}

fn file(area: &str, description: &str, vectors: Vec<Vector>) -> VectorFile {
    VectorFile {
        suite_version: SUITE_VERSION.to_string(),
        area: area.to_string(),
        description: description.to_string(),
        vectors,
    }
}

/// The lamp's address.
pub(crate) const LAMP: &str = "lamp@home.example.org";
/// The app's address.
pub(crate) const APP: &str = "app@example.com";

/// A scenario being written.
pub(crate) struct Builder {
    id: String,
    description: String,
    requirements: Vec<String>,
    level: Level,
    features: Vec<String>,
    node: NodeSetup,
    steps: Vec<Step>,
}

impl Builder {
    /// A scenario with the lamp of §5.15.1 as the node: address `lamp@home.example.org`, home relay
    /// `relay`, the context `app` of §8.5.8 (the lamp's Sender ID 02, the app's 01, the app's address
    /// bound) and the Level capability (endpoint 1, capability 7: property 0 `level`, writable, at
    /// most 254; action 8 `set_level` with an input).
    pub fn lamp(id: &str, description: &str, requirements: &[&str]) -> Builder {
        Builder {
            id: format!("scenario.{id}"),
            description: description.into(),
            requirements: requirements.iter().map(|r| r.to_string()).collect(),
            level: Level::Must,
            features: Vec::new(),
            node: NodeSetup {
                address: Some(LAMP.into()),
                home_relay: Some("relay".into()),
                hop_context: None,
                max_message: None,
                edhoc: None,
                counter: 0,
                contexts: vec![app_context()],
                capabilities: vec![level_capability()],
                relay: None,
                security: None,
            },
            steps: Vec::new(),
        }
    }

    /// A scenario that needs the testee's feature `feature` (beyond `scenario`).
    pub fn needs(mut self, feature: &str) -> Builder {
        self.features.push(feature.into());
        self
    }

    /// A SHOULD scenario.
    pub fn should(mut self) -> Builder {
        self.level = Level::Should;
        self
    }

    /// Changes the set-up.
    pub fn node(mut self, change: impl FnOnce(&mut NodeSetup)) -> Builder {
        change(&mut self.node);
        self
    }

    /// Changes every `send` step added so far.
    pub fn sends(mut self, mut change: impl FnMut(&mut Send)) -> Builder {
        for step in &mut self.steps {
            if let Step::Send(s) = step {
                change(s);
            }
        }
        self
    }

    /// How many steps the scenario has so far: the index of the next one, for [`repeat`].
    pub fn steps_so_far(&self) -> usize {
        self.steps.len()
    }

    /// Adds a step.
    pub fn step(mut self, step: Step) -> Builder {
        self.steps.push(step);
        self
    }

    /// The vector.
    pub fn build(self) -> Vector {
        Vector {
            id: self.id,
            description: self.description,
            requirements: self.requirements,
            level: self.level,
            type_name: String::new(),
            operation: Operation::Scenario,
            features: self.features,
            input: Input {
                hex: None,
                diag: None,
                json: None,
                json_text: None,
                request: None,
                scenario: Some(Scenario {
                    node: self.node,
                    steps: self.steps,
                }),
            },
            expect: Expect::Scripted,
        }
    }
}

/// The CCS of §8.2.2 of the P-256 key `secret`, naming `node`, with the one-byte `kid`.
pub(crate) fn p256_ccs(
    secret: &[u8; 32],
    node: &iotp2p_protocol::security::NodeId,
    kid: u8,
) -> Result<Vec<u8>, String> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let key = p256::SecretKey::from_bytes(secret.into()).map_err(|e| e.to_string())?;
    let point = key.public_key().to_encoded_point(false);
    let coordinate = |c: Option<&p256::FieldBytes>| -> Result<[u8; 32], String> {
        c.ok_or("uncompressed")?
            .as_slice()
            .try_into()
            .map_err(|_| "32 bytes".into())
    };
    iotp2p_protocol::security::statement::ccs::p256_credential(
        node,
        &[kid],
        &coordinate(point.x())?,
        &coordinate(point.y())?,
    )
    .map_err(|e| e.to_string())
}

/// The context of §8.5.8 between the lamp and the app, reached through the lamp's home relay.
pub(crate) fn app_context() -> ContextSetup {
    ContextSetup {
        name: "app".into(),
        peer: "relay".into(),
        kind: "ordinary".into(),
        master_secret: "0102030405060708090a0b0c0d0e0f10".into(),
        master_salt: "9e7ca92223786340".into(),
        node_id: "02".into(),
        peer_id: "01".into(),
        node_ssn: 77,
        peer_ssn: 1235,
        peer_address: Some(APP.into()),
        window_lost: false,
        runner_only: false,
        peer_node: None,
    }
}

/// The standard capability Level on endpoint 1 (spec §6.1's lamp).
pub(crate) fn level_capability() -> CapabilitySetup {
    CapabilitySetup {
        endpoint: 1,
        number: 7,
        package: "iotp2p.capabilities".into(),
        name: "Level".into(),
        version: "1.0.0".into(),
        members: vec![
            MemberSetup {
                key: 0,
                kind: "property".into(),
                writable: true,
                value: Some("1880".into()),
                max: Some(254),
                ..member()
            },
            MemberSetup {
                key: 8,
                kind: "action".into(),
                input: true,
                any_value: true,
                ..member()
            },
        ],
    }
}

/// A member with every flag off.
pub(crate) fn member() -> MemberSetup {
    MemberSetup {
        key: 0,
        kind: "property".into(),
        writable: false,
        unobservable: false,
        fresh: false,
        optional: false,
        implemented: false,
        input: false,
        value: None,
        max: None,
        any_value: false,
    }
}

/// A read of the lamp's level.
pub(crate) fn read_level() -> Value {
    json!({"read": {"endpoint": 1, "capability": 7, "members": [0]}})
}

/// A peer's envelope sealed under `context`.
pub(crate) fn sealed(from: &str, context: &str, envelope: Value, body: Value) -> Step {
    Step::Send(Box::new(Send {
        from: from.into(),
        hex: None,
        envelope: Some(envelope),
        seal: Some(Seal {
            context: context.into(),
            body,
            key_id: true,
            aad_sender: None,
            aad_recipient: None,
            message_id: None,
            echo_from: None,
        }),
        answer_to: None,
        receipt_of: None,
        repeat: None,
        flip: None,
        edhoc: None,
        pairing: None,
    }))
}

/// A peer's envelope as given.
pub(crate) fn plain(from: &str, envelope: Value) -> Step {
    Step::Send(Box::new(Send {
        from: from.into(),
        hex: None,
        envelope: Some(envelope),
        seal: None,
        answer_to: None,
        receipt_of: None,
        repeat: None,
        flip: None,
        edhoc: None,
        pairing: None,
    }))
}

/// A peer's datagram of given bytes.
pub(crate) fn bytes(from: &str, hex: &str) -> Step {
    Step::Send(Box::new(Send {
        from: from.into(),
        hex: Some(hex.into()),
        envelope: None,
        seal: None,
        answer_to: None,
        receipt_of: None,
        repeat: None,
        flip: None,
        edhoc: None,
        pairing: None,
    }))
}

/// The datagram of step `step` again.
pub(crate) fn repeat(from: &str, step: usize) -> Step {
    Step::Send(Box::new(Send {
        from: from.into(),
        hex: None,
        envelope: None,
        seal: None,
        answer_to: None,
        receipt_of: None,
        repeat: Some(step),
        flip: None,
        edhoc: None,
        pairing: None,
    }))
}

/// Changes the `Send` of a step built by the helpers above.
pub(crate) fn with(step: Step, change: impl FnOnce(&mut Send)) -> Step {
    match step {
        Step::Send(mut s) => {
            change(&mut s);
            Step::Send(s)
        }
        other => other,
    }
}

/// The clock to `to` ms.
pub(crate) fn at(to: u64) -> Step {
    Step::Advance(Advance {
        to: Some(to),
        by: None,
        to_timer: false,
    })
}

/// The clock to the node's timer.
pub(crate) fn to_timer() -> Step {
    Step::Advance(Advance {
        to: None,
        by: None,
        to_timer: true,
    })
}

/// The node's application sends a request.
pub(crate) fn app(request: AppRequest) -> Step {
    Step::App(request)
}

/// The node takes a new address.
pub(crate) fn rehome(address: &str) -> Step {
    Step::Rehome(crate::scenario::Rehome {
        address: address.into(),
        grace_period: None,
    })
}

/// The node must have sent exactly `sends`.
pub(crate) fn expect(why: &str, sends: Vec<SendPattern>) -> Step {
    Step::Expect(Expectation {
        sends,
        or: Vec::new(),
        events: None,
        timer: None,
        no_timer: false,
        why: why.into(),
    })
}

/// The node must have sent nothing.
pub(crate) fn silence(why: &str) -> Step {
    expect(why, Vec::new())
}

/// Changes an expectation built by the helpers above.
pub(crate) fn expecting(step: Step, change: impl FnOnce(&mut Expectation)) -> Step {
    match step {
        Step::Expect(mut e) => {
            change(&mut e);
            Step::Expect(e)
        }
        other => other,
    }
}

/// A datagram to `to` whose envelope has these members.
pub(crate) fn to(to: &str, envelope: Value) -> SendPattern {
    SendPattern {
        to: to.into(),
        envelope,
        opens: None,
        hex: None,
        same_as: None,
    }
}

/// A hop acknowledgement of `message_id` (unsealed, `ack`, not confirmable: IOTP-MSG-7 to -9).
pub(crate) fn ack(to_peer: &str, message_id: u64) -> SendPattern {
    to(
        to_peer,
        json!({"correlation_id": message_id, "ack_requested": ABSENT, "sealed": ABSENT, "key_id": ABSENT, "body": {"ack": null}}),
    )
}

/// An unsealed status `code` about the request `message_id`.
pub(crate) fn status(to_peer: &str, message_id: u64, code: &str) -> SendPattern {
    to(
        to_peer,
        json!({"correlation_id": message_id, "sealed": ABSENT, "body": {"status": {"code": code}}}),
    )
}

/// A sealed answer to `message_id` that opens under `context` with a body having `body`'s members.
pub(crate) fn sealed_answer(
    to_peer: &str,
    message_id: u64,
    context: &str,
    body: Value,
) -> SendPattern {
    SendPattern {
        to: to_peer.into(),
        envelope: json!({"correlation_id": message_id, "body": ABSENT}),
        opens: Some(Opens {
            context: context.into(),
            answers: None,
            recipient: None,
            body,
        }),
        hex: None,
        same_as: None,
    }
}

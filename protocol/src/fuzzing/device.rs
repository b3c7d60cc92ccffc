//! The `protocol_device` target's body.
//!
//! [`device`] drives an unclaimed device's server (the engine, the dispatcher and the Security
//! capability) with a sequence of steps built by `arbitrary`: arbitrary datagrams, a genuine
//! controller pairing with the right or a wrong passcode and claiming the device step by step, its
//! envelopes mutated, truncated and replayed, requests to switch the device, and time passing. After
//! every step it checks what must hold whatever the input: nothing panics, the engine's tables stay
//! within their bounds, one datagram causes few outputs, and nothing changes the device's state
//! without the genuine controller's valid seal: its access control list stays empty, its address
//! unset and its switch off until the genuine controller has written, commissioned and switched.

use alloc::vec::Vec;

use arbitrary::{Arbitrary, Unstructured};
use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_codec::core::StatusCode;
use p256::elliptic_curve::sec1::ToEncodedPoint;

use super::Counter;
use crate::controller::{self, Pairing};
use crate::engine::peers::{ContextId, ContextKind, Peer};
use crate::engine::{Config, Destination, Event, Node, Output};
use crate::interaction::check::ValueError;
use crate::interaction::model::{Capability, Endpoint, Member, MemberKind, Model};
use crate::interaction::{Capabilities, Failure};
use crate::params::{Instant, MAX_MESSAGE};
use crate::security::spake2plus::ProverSecret;
use crate::security::statement::{ccs, sign_credential};
use crate::security::{IdentityKey, NodeId};
use crate::server::security::{Manufactured, SecurityService};
use crate::server::Server;

const PASSCODE: u32 = 20_202_021;
const ADDRESS: &str = "lamp@home.example.org";

/// One step of a fuzzed run.
#[derive(Arbitrary, Debug)]
enum Step {
    /// Arbitrary bytes from one of three hop peers (0 is the controller).
    Datagram { from: u8, bytes: Vec<u8> },
    /// The controller's next message of pairing, with the right passcode or a wrong one.
    Pair { right: bool },
    /// The controller's next request of claiming, under its pairing context.
    Claim,
    /// The controller asks the device to switch on, under its latest context.
    SwitchOn,
    /// The last genuine envelope with one byte changed.
    Mutated { index: u16, xor: u8 },
    /// The last genuine envelope cut short.
    Truncated { len: u16 },
    /// The last genuine envelope again.
    Replay,
    /// Time passes; the timers due run.
    Advance { seconds: u8 },
}

/// A switch: one property (`on`, key 0) and one action (`on`, key 9).
#[derive(Default)]
struct Switch {
    on: bool,
}

impl Capabilities for Switch {
    fn check_value(&self, _: u16, _: u16, _: u16, _: &[u8]) -> Result<(), ValueError> {
        Err(ValueError::Constraint)
    }
    fn read(&mut self, _: u16, _: u16, _: u16) -> Result<Vec<u8>, Failure> {
        Ok(alloc::vec![if self.on { 0xf5 } else { 0xf4 }])
    }
    fn write(&mut self, _: u16, _: u16, _: &[(u16, &[u8])]) -> Result<(), Failure> {
        Err(Failure {
            code: StatusCode::Failure,
            capability_status: None,
        })
    }
    fn invoke(
        &mut self,
        _: u16,
        _: u16,
        _: u16,
        _: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure> {
        self.on = true;
        Ok(None)
    }
}

fn model() -> Model {
    let members = alloc::vec![
        Member::new(
            0,
            MemberKind::Property {
                writable: false,
                observable: true,
                fresh: false,
            },
        ),
        Member::new(
            9,
            MemberKind::Action {
                input: false,
                output: false,
                fresh: false,
            },
        ),
    ];
    Model {
        endpoints: alloc::vec![Endpoint {
            number: 1,
            label: None,
            capabilities: alloc::vec![Capability {
                number: 6,
                package: "iotp2p.capabilities".into(),
                name: "OnOff".into(),
                version: (1, 1, 0),
                members,
            }],
        }],
        revision: 1,
    }
}

/// A node's identity key and its P-256 authentication credential (a CCS naming it).
fn keys(identity: u8, auth: u8, kid: u8) -> Option<(IdentityKey, Vec<u8>)> {
    let identity = IdentityKey::from_bytes(&[identity; 32]).ok()?;
    let point = p256::SecretKey::from_bytes(&[auth; 32].into())
        .ok()?
        .public_key()
        .to_encoded_point(false);
    let ccs = ccs::p256_credential(
        &identity.node_id(),
        &[kid],
        point.x()?.as_slice().try_into().ok()?,
        point.y()?.as_slice().try_into().ok()?,
    )
    .ok()?;
    Some((identity, ccs))
}

fn switch_on() -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 1,
        capability: 6,
        action: 9,
        input: None,
        echo: None,
        unknown_fields: Default::default(),
    })
}

/// Where the genuine controller is.
// One value per run, on the stack: its size is of no consequence.
#[allow(clippy::large_enum_variant)]
enum Progress {
    Idle,
    Pairing(Pairing, u8),
    Paired(ContextId, u8),
}

/// What a run reached, so that the replay test can check that its inputs exercise the device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceReached {
    /// Steps run.
    pub steps: usize,
    /// Pairings that gave the controller a pairing context.
    pub paired: usize,
    /// Runs in which the device was claimed.
    pub claimed: usize,
    /// Datagrams the device discarded.
    pub discarded: usize,
}

/// The body of the `protocol_device` target.
pub fn device(data: &[u8]) {
    run_device(data);
}

/// Runs the body and says what it reached.
pub fn run_device(data: &[u8]) -> DeviceReached {
    let mut reached = DeviceReached::default();
    let mut u = Unstructured::new(data);
    let mut rng = Counter(7);
    let mut now: Instant = 0;
    let (Some((device_key, device_ccs)), Some((controller_key, controller_ccs))) =
        (keys(0x11, 0x12, 7), keys(0x21, 0x22, 9))
    else {
        return reached;
    };
    let salt = [0x5a; 16];
    let Ok(secret) = ProverSecret::from_passcode(PASSCODE, &salt, 1000) else {
        return reached;
    };
    let made = Manufactured {
        identity: device_key,
        auth_credentials: alloc::vec![device_ccs],
        verifier: secret.record(),
        salt: salt.to_vec(),
        iterations: 1000,
        suites: alloc::vec![2],
    };
    let Ok(security) = SecurityService::unclaimed(made, now) else {
        return reached;
    };
    let config = Config {
        max_message: MAX_MESSAGE,
        max_contexts: 4,
        max_exchanges: 4,
        ..Config::default()
    };
    let node = Node::new(config.clone(), 0);
    let mut device: Server<u8, Switch> = Server::with_security(
        node,
        model(),
        Default::default(),
        Switch::default(),
        security,
    );
    let mut controller: Node<u8> = Node::new(
        Config {
            address: Some("controller@example.com".into()),
            ..Config::default()
        },
        0,
    );
    let me: NodeId = controller_key.node_id();
    let public = *controller_key.public_key();
    let credentials = [controller_ccs.as_slice()];
    let Ok(own_statement) = sign_credential(
        &controller_key,
        &iotp2p_codec::security::CredentialStatement {
            identity_key: public.to_schema(),
            address: Some("controller@example.com"),
            auth_credentials: credentials.as_slice().into(),
            serial: 1,
            suites: [2].as_slice().into(),
            issued_at: None,
            unknown_fields: Default::default(),
        },
    ) else {
        return reached;
    };

    let mut progress = Progress::Idle;
    let mut last: Option<Vec<u8>> = None;
    // What the genuine controller has done: the only ways the device's state may change.
    let (mut wrote_acl, mut commissioned, mut switched) = (false, false, false);
    let mut replies: Vec<(u64, Body)> = Vec::new();

    for _ in 0..48 {
        let Ok(step) = Step::arbitrary(&mut u) else {
            break;
        };
        reached.steps += 1;
        // The request the genuine controller sends, and under which context.
        let request: Option<(Option<ContextId>, Body)> = match step {
            Step::Datagram { .. }
            | Step::Mutated { .. }
            | Step::Truncated { .. }
            | Step::Replay => None,
            Step::Advance { seconds } => {
                now += u64::from(seconds) * 1_000;
                let _ = device.on_timer(now, &mut rng);
                let _ = controller.on_timer(now, &mut rng);
                continue;
            }
            Step::Pair { right } => {
                let passcode = if right { PASSCODE } else { PASSCODE + 1 };
                match core::mem::replace(&mut progress, Progress::Idle) {
                    Progress::Idle | Progress::Paired(..) => {
                        let (pairing, start) = Pairing::start(passcode, &mut rng);
                        progress = Progress::Pairing(pairing, 0);
                        Some((None, start))
                    }
                    Progress::Pairing(mut pairing, stage) => {
                        let reply = replies.pop().map(|(_, b)| b);
                        let next = match (stage, reply) {
                            (0, Some(r)) => pairing.share(&r, &mut rng).ok(),
                            (1, Some(r)) => pairing.confirm(&r).ok(),
                            (2, Some(r)) => {
                                if let Ok(context) = pairing.paired(&r) {
                                    let peer = Peer {
                                        address: None,
                                        kind: ContextKind::Pairing,
                                        node: None,
                                    };
                                    if let Ok(id) = controller.add_context(context, peer) {
                                        reached.paired += 1;
                                        progress = Progress::Paired(id, 0);
                                    }
                                }
                                continue;
                            }
                            _ => None,
                        };
                        match next {
                            Some(body) => {
                                progress = Progress::Pairing(pairing, stage + 1);
                                Some((None, body))
                            }
                            None => continue,
                        }
                    }
                }
            }
            Step::Claim => {
                let Progress::Paired(context, stage) = progress else {
                    continue;
                };
                let body = match stage {
                    0 => controller::read_credential(),
                    1 => controller::add_peer(&own_statement),
                    2 => controller::acl_write(0, &me, None),
                    3 => controller::commission(ADDRESS, None, None),
                    _ => continue,
                };
                progress = Progress::Paired(context, stage + 1);
                Some((Some(context), body))
            }
            Step::SwitchOn => {
                let context = match progress {
                    Progress::Paired(c, _) => Some(c),
                    _ => None,
                };
                Some((context, switch_on()))
            }
        };
        let (from, bytes) = match (step, request) {
            (_, Some((context, body))) => {
                let Ok((_, out)) = controller.request(
                    now,
                    &mut rng,
                    0,
                    Destination::HopPeer,
                    context,
                    &body,
                    true,
                    None,
                ) else {
                    continue;
                };
                let Some(Output::Send { bytes, .. }) = out.into_iter().next() else {
                    continue;
                };
                // What the genuine controller may change, once the device accepts it.
                if let Body::Invoke(i) = &body {
                    wrote_acl |= i.action == 17;
                    commissioned |= i.action == 13;
                    switched |= i.endpoint == 1;
                }
                last = Some(bytes.clone());
                (0, bytes)
            }
            (Step::Datagram { from, bytes }, None) => (from % 3, bytes),
            (Step::Mutated { index, xor }, None) => {
                let Some(mut bytes) = last.clone().filter(|b| !b.is_empty()) else {
                    continue;
                };
                let i = usize::from(index) % bytes.len();
                bytes[i] ^= xor;
                (0, bytes)
            }
            (Step::Truncated { len }, None) => {
                let Some(bytes) = last.clone() else {
                    continue;
                };
                let n = usize::from(len) % (bytes.len() + 1);
                (0, bytes[..n].to_vec())
            }
            (Step::Replay, None) => {
                let Some(bytes) = last.clone() else {
                    continue;
                };
                (0, bytes)
            }
            _ => continue,
        };
        let out = device.receive(now, &mut rng, &from, &bytes);
        // An acknowledgement, a reply or status, and an event or two: never more.
        assert!(out.len() <= 6, "{} outputs for one datagram", out.len());
        for o in out {
            match o {
                Output::Event(Event::Discarded { .. }) => reached.discarded += 1,
                Output::Send { to: 0, bytes } => {
                    for back in controller.receive(now, &mut rng, &0, &bytes) {
                        if let Output::Event(Event::Reply { request, body, .. }) = back {
                            replies.push((request, body));
                            if replies.len() > 4 {
                                replies.remove(0);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        assert!(device.node().occupancy().within(&config));
        let security = device.security().expect("the device serves Security");
        assert!(
            wrote_acl || security.acl().iter().next().is_none(),
            "the ACL changed without the controller's acl_write"
        );
        assert!(
            commissioned || device.node().config().address.is_none(),
            "the device took an address without the controller's commission"
        );
        assert!(
            switched || !device.app().on,
            "the switch moved without the controller's invoke"
        );
    }
    if device.node().config().address.is_some() {
        reached.claimed += 1;
    }
    reached
}

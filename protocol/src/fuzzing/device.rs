//! The `protocol_device` target's body.
//!
//! [`device`] drives an unclaimed device's server (the engine, the dispatcher and the Security
//! capability, answering EDHOC and accepting visitor contexts) with a sequence of steps built by
//! `arbitrary`: arbitrary datagrams, a genuine controller pairing with the right or a wrong passcode
//! and claiming the device step by step, requests to switch the device, visitors' handshakes with
//! their credential by value (a guest the owner introduces, strangers flooding from many addresses,
//! [`visitor`](super::visitor)) and the guest's requests under its visitor context, genuine envelopes
//! mutated, truncated and replayed, and time passing. After every step it checks what must hold
//! whatever the input: nothing panics, the engine's tables and the rate limit's stay within their
//! bounds, one datagram causes few outputs, no address gets more visitor contexts than the rate limit
//! allows, and nothing changes the device's state without a valid seal of the genuine controller or
//! of the introduced guest: its access control list stays empty, its address unset and its switch off
//! until the genuine controller (or the guest, once it sent the owner's introduction) has written,
//! commissioned and switched.

use alloc::vec::Vec;

use arbitrary::{Arbitrary, Unstructured};
use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_codec::core::StatusCode;
use p256::elliptic_curve::sec1::ToEncodedPoint;

use super::visitor::{Visit, VisitorAsk, VisitorMaterial, Visitors, FIRST_HOP};
use super::Counter;
use crate::controller::{self, Pairing};
use crate::engine::peers::{ContextId, ContextKind, Peer};
use crate::engine::{
    Config, Destination, EdhocResponder, Event, Node, Output, MIN_PENDING_LIFETIME,
};
use crate::interaction::check::ValueError;
use crate::interaction::model::{Capability, Endpoint, Member, MemberKind, Model};
use crate::interaction::{Capabilities, Failure};
use crate::params::{Instant, MAX_MESSAGE};
use crate::security::edhoc::{AuthKey, Credential, LocalIdentity};
use crate::security::spake2plus::{ProverSecret, VerifierRecord};
use crate::security::statement::{ccs, sign_own_credential};
use crate::security::{IdentityKey, NodeId};
use crate::server::security::{Manufactured, SecurityService};
use crate::server::Server;

const PASSCODE: u32 = 20_202_021;
const ADDRESS: &str = "lamp@home.example.org";

/// One step of a fuzzed run.
#[derive(Arbitrary, Debug)]
pub(super) enum Step {
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
    /// A visitor's step (one step in nine: each handshake costs the device and the visitor about
    /// seven elliptic-curve multiplications).
    Visit(Visit),
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

/// A node's identity key and its P-256 authentication credential (a CCS naming it), for the
/// authentication key `[auth; 32]`.
pub(super) fn keys(identity: u8, auth: u8, kid: u8) -> Option<(IdentityKey, Vec<u8>)> {
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

/// The credential statement of `key` with the credential `ccs`, naming `address`.
pub(super) fn credential_statement(
    key: &IdentityKey,
    ccs: &[u8],
    address: &str,
) -> Option<Vec<u8>> {
    sign_own_credential(key, ccs, Some(address), 1).ok()
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
    /// Contexts the device made for handshakes by value.
    pub visits: usize,
    /// Handshakes by value the device refused at message_3 (its rate limit, among others).
    pub refused: usize,
    /// Runs in which the device took the guest as a peer, by its introduction.
    pub introduced: usize,
}

/// Visitor contexts the device holds, and addresses and node IDs its rate limit counts.
const MAX_VISITORS: usize = 1;
const MAX_VISITOR_SOURCES: usize = 4;

/// At most this many datagrams go back and forth for one step.
const DATAGRAMS_PER_STEP: usize = 8;

/// Handshakes by value in one run: enough to exceed the burst of one address (4) and the sources the
/// device counts (4) with room to spare, and few enough that a run stays cheap.
const HANDSHAKES_PER_RUN: usize = 12;

/// The device, the genuine controller, the visitors, and what they have done.
struct Rig {
    now: Instant,
    rng: Counter,
    device: Server<u8, Switch>,
    controller: Node<u8>,
    /// Made at the first visitor step: most runs never need their keys.
    visitors: Option<Visitors>,
    /// Handshakes the visitors started.
    handshakes: usize,
    /// The last genuine envelope and the address it came from.
    last: Option<(u8, Vec<u8>)>,
    /// The latest replies to the controller, newest last (at most 4).
    replies: Vec<(u64, Body)>,
    reached: DeviceReached,
}

impl Rig {
    /// Makes the visitors if they are not there yet.
    fn visitors(&mut self) -> Option<&mut Visitors> {
        if self.visitors.is_none() {
            let device_id = self.device.security()?.node_id();
            let m = material()?;
            self.visitors = Some(Visitors::new(&m.visitors, &m.device_ccs, device_id));
        }
        self.visitors.as_mut()
    }

    /// A visitor's handshake by value: the guest's, or a stranger's (`claim`, address `from`). At
    /// most [`HANDSHAKES_PER_RUN`] in a run, which keeps a run's cost bounded.
    fn start(&mut self, stranger: Option<(bool, u8)>) -> Option<(u8, Vec<u8>)> {
        if self.handshakes >= HANDSHAKES_PER_RUN {
            return None;
        }
        self.handshakes += 1;
        self.visitors()?;
        let address = self.device.node().config().address.clone();
        let v = self.visitors.as_mut()?;
        v.start(self.now, &mut self.rng, address, stranger)
    }

    /// The guest's request under its latest context.
    fn ask(&mut self, ask: VisitorAsk) -> Option<(u8, Vec<u8>)> {
        self.visitors()?;
        let v = self.visitors.as_mut()?;
        v.ask(self.now, &mut self.rng, ask)
    }

    /// Delivers `bytes` from the address `from` to the device, and what it sends to the controller
    /// or a visitor, and their answers back, until all are quiet. With `abandon`, the visitors'
    /// answers are kept as the last genuine envelope instead.
    fn deliver(&mut self, from: u8, bytes: Vec<u8>, abandon: bool) {
        let mut work = alloc::collections::VecDeque::from([(from, bytes)]);
        for _ in 0..DATAGRAMS_PER_STEP {
            let Some((from, bytes)) = work.pop_front() else {
                return;
            };
            let out = self.device.receive(self.now, &mut self.rng, &from, &bytes);
            // An acknowledgement, a reply or status, and an event or two: never more.
            assert!(out.len() <= 6, "{} outputs for one datagram", out.len());
            for o in out {
                match o {
                    Output::Event(Event::Discarded { .. }) => self.reached.discarded += 1,
                    Output::Event(Event::Session { .. }) => {
                        self.reached.visits += 1;
                        if let Some(v) = self.visitors.as_mut() {
                            v.admitted(from, self.now);
                        }
                    }
                    Output::Send { to: 0, bytes } => self.reach_controller(&bytes),
                    Output::Send { to, bytes } if to >= FIRST_HOP => {
                        let (now, rng) = (self.now, &mut self.rng);
                        let Some(v) = self.visitors.as_mut() else {
                            continue;
                        };
                        if edhoc_3_refused(&bytes) {
                            self.reached.refused += 1;
                        }
                        for answer in v.answer(now, rng, to, &bytes) {
                            if abandon {
                                self.last = Some(answer);
                            } else {
                                work.push_back(answer);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn reach_controller(&mut self, bytes: &[u8]) {
        for back in self.controller.receive(self.now, &mut self.rng, &0, bytes) {
            if let Output::Event(Event::Reply { request, body, .. }) = back {
                self.replies.push((request, body));
                if self.replies.len() > 4 {
                    self.replies.remove(0);
                }
            }
        }
    }
}

/// Whether a datagram of the device seems to carry EDHOC error code 1 as `EdhocFinish.error`
/// (key 2), as a refused handshake by value ends; for the statistics only.
fn edhoc_3_refused(bytes: &[u8]) -> bool {
    bytes
        .windows(5)
        .any(|w| w == [0xa1, 0x02, 0x42, 0x01, 0x60])
}

const SALT: [u8; 16] = [0x5a; 16];

/// What every run starts from: keys, credentials, the passcode's verifier and statements. Made once
/// per process (each costs elliptic-curve multiplications, the verifier 1,000 PBKDF2 rounds), since
/// the fuzzer's inputs change none of it.
struct Material {
    device_key: IdentityKey,
    device_ccs: Vec<u8>,
    device_identity: LocalIdentity,
    verifier: VerifierRecord,
    controller_key: IdentityKey,
    own_statement: Vec<u8>,
    visitors: VisitorMaterial,
}

fn material() -> Option<&'static Material> {
    static MATERIAL: std::sync::OnceLock<Option<Material>> = std::sync::OnceLock::new();
    MATERIAL.get_or_init(make_material).as_ref()
}

fn make_material() -> Option<Material> {
    let (device_key, device_ccs) = keys(0x11, 0x12, 7)?;
    let (controller_key, controller_ccs) = keys(0x21, 0x22, 9)?;
    let verifier = ProverSecret::from_passcode(PASSCODE, &SALT, 1000)
        .ok()?
        .record();
    let device_identity = LocalIdentity::new(
        AuthKey::new(&[0x12; 32]).ok()?,
        Credential::parse(&device_ccs).ok()?,
    )
    .ok()?;
    let own_statement =
        credential_statement(&controller_key, &controller_ccs, "controller@example.com")?;
    let visitors = VisitorMaterial::new(&device_key.node_id(), &controller_key, keys)?;
    Some(Material {
        visitors,
        device_key,
        device_ccs,
        device_identity,
        verifier,
        controller_key,
        own_statement,
    })
}

/// The body of the `protocol_device` target.
pub fn device(data: &[u8]) {
    run_device(data);
}

/// Runs the body and says what it reached.
pub fn run_device(data: &[u8]) -> DeviceReached {
    let reached = DeviceReached::default();
    let mut u = Unstructured::new(data);
    let now: Instant = 0;
    let Some(m) = material() else {
        return reached;
    };
    let made = Manufactured {
        identity: m.device_key.clone(),
        auth_credentials: alloc::vec![m.device_ccs.clone()],
        verifier: m.verifier.clone(),
        salt: SALT.to_vec(),
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
    let mut node = Node::new(config.clone(), 0);
    // It answers EDHOC and takes visitors (§8.4.6): one at a time, four sources counted.
    node.set_edhoc_responder(Some(EdhocResponder {
        identity: m.device_identity.clone(),
        peers: Vec::new(),
        max_pending: 2,
        pending_lifetime: MIN_PENDING_LIFETIME,
        max_visitors: MAX_VISITORS,
        max_visitor_sources: MAX_VISITOR_SOURCES,
    }));
    let device: Server<u8, Switch> = Server::with_security(
        node,
        model(),
        Default::default(),
        Switch::default(),
        security,
    );
    let controller: Node<u8> = Node::new(
        Config {
            address: Some("controller@example.com".into()),
            ..Config::default()
        },
        0,
    );
    let me: NodeId = m.controller_key.node_id();
    let own_statement = &m.own_statement;
    let mut rig = Rig {
        now,
        rng: Counter(7),
        device,
        controller,
        visitors: None,
        handshakes: 0,
        last: None,
        replies: Vec::new(),
        reached,
    };

    let mut progress = Progress::Idle;
    // What the genuine controller has done: the only ways the device's state may change.
    let (mut wrote_acl, mut commissioned, mut switched) = (false, false, false);

    for _ in 0..48 {
        let Ok(step) = Step::arbitrary(&mut u) else {
            break;
        };
        rig.reached.steps += 1;
        // The request the genuine controller sends, and under which context.
        let request: Option<(Option<ContextId>, Body)> = match step {
            Step::Datagram { .. }
            | Step::Mutated { .. }
            | Step::Truncated { .. }
            | Step::Replay
            | Step::Visit(_) => None,
            Step::Advance { seconds } => {
                rig.now += u64::from(seconds) * 1_000;
                let _ = rig.device.on_timer(rig.now, &mut rig.rng);
                let _ = rig.controller.on_timer(rig.now, &mut rig.rng);
                if let Some(v) = rig.visitors.as_mut() {
                    v.on_timer(rig.now, &mut rig.rng);
                }
                continue;
            }
            Step::Pair { right } => {
                let passcode = if right { PASSCODE } else { PASSCODE + 1 };
                match core::mem::replace(&mut progress, Progress::Idle) {
                    Progress::Idle | Progress::Paired(..) => {
                        let (pairing, start) = Pairing::start(passcode, &mut rig.rng);
                        progress = Progress::Pairing(pairing, 0);
                        Some((None, start))
                    }
                    Progress::Pairing(mut pairing, stage) => {
                        let reply = rig.replies.pop().map(|(_, b)| b);
                        let next = match (stage, reply) {
                            (0, Some(r)) => pairing.share(&r, &mut rig.rng).ok(),
                            (1, Some(r)) => pairing.confirm(&r).ok(),
                            (2, Some(r)) => {
                                if let Ok(context) = pairing.paired(&r) {
                                    let peer = Peer {
                                        address: None,
                                        kind: ContextKind::Pairing,
                                        node: None,
                                    };
                                    if let Ok(id) = rig.controller.add_context(context, peer) {
                                        rig.reached.paired += 1;
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
                    1 => controller::add_peer(own_statement),
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
        // Whether the datagram is a genuine one, which the replay steps then send again.
        let (mut abandon, mut genuine) = (false, false);
        let (from, bytes) = match (step, request) {
            (_, Some((context, body))) => {
                let Ok((_, out)) = rig.controller.request(
                    rig.now,
                    &mut rig.rng,
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
                genuine = true;
                (0, bytes)
            }
            (Step::Datagram { from, bytes }, None) => (from % 3, bytes),
            (Step::Mutated { index, xor }, None) => {
                let Some((from, mut bytes)) = rig.last.clone().filter(|(_, b)| !b.is_empty())
                else {
                    continue;
                };
                let i = usize::from(index) % bytes.len();
                bytes[i] ^= xor;
                (from, bytes)
            }
            (Step::Truncated { len }, None) => {
                let Some((from, bytes)) = rig.last.clone() else {
                    continue;
                };
                let n = usize::from(len) % (bytes.len() + 1);
                (from, bytes[..n].to_vec())
            }
            (Step::Replay, None) => {
                let Some(last) = rig.last.clone() else {
                    continue;
                };
                last
            }
            (
                Step::Visit(Visit::Handshake {
                    stranger,
                    claim,
                    from,
                    abandon: keep,
                }),
                None,
            ) => {
                let Some(edhoc_1) = rig.start(stranger.then_some((claim, from))) else {
                    continue;
                };
                abandon = keep;
                genuine = true;
                edhoc_1
            }
            (
                Step::Visit(Visit::Flood {
                    count,
                    claim,
                    from,
                    spread,
                }),
                None,
            ) => {
                for i in 0..count % 8 + 1 {
                    let address = if spread { from.wrapping_add(i) } else { from };
                    if let Some((hop, edhoc_1)) = rig.start(Some((claim, address))) {
                        rig.deliver(hop, edhoc_1, false);
                    }
                    check(&rig, &config, wrote_acl, commissioned, switched);
                }
                continue;
            }
            (Step::Visit(Visit::Ask(ask)), None) => {
                let Some(request) = rig.ask(ask) else {
                    continue;
                };
                genuine = true;
                request
            }
            _ => continue,
        };
        if genuine {
            rig.last = Some((from, bytes.clone()));
        }
        rig.deliver(from, bytes, abandon);
        check(&rig, &config, wrote_acl, commissioned, switched);
    }
    if rig.device.node().config().address.is_some() {
        rig.reached.claimed += 1;
    }
    let guest_is_a_peer = rig.visitors.as_ref().is_some_and(|v| v.introduced)
        && rig
            .device
            .security()
            .is_some_and(|s| s.acl().iter().count() > 1);
    if guest_is_a_peer {
        rig.reached.introduced += 1;
    }
    rig.reached
}

/// What must hold after every step: the bounds of every table, and no state change of the device
/// that neither the genuine controller nor the introduced guest asked for.
fn check(rig: &Rig, config: &Config, wrote_acl: bool, commissioned: bool, switched: bool) {
    let node = rig.device.node();
    assert!(node.occupancy().within(config));
    let (addresses, claims) = node.visitor_sources();
    assert!(addresses <= MAX_VISITOR_SOURCES && claims <= MAX_VISITOR_SOURCES);
    assert!(node.pending_handshakes() <= 2);
    let introduced = rig.visitors.as_ref().is_some_and(|v| v.introduced);
    let security = rig.device.security().expect("the device serves Security");
    assert!(
        wrote_acl || introduced || security.acl().iter().next().is_none(),
        "the ACL changed without the controller's acl_write or the owner's introduction"
    );
    assert!(
        commissioned || node.config().address.is_none(),
        "the device took an address without the controller's commission"
    );
    assert!(
        switched || introduced || !rig.device.app().on,
        "the switch moved without the controller's or the introduced guest's invoke"
    );
}

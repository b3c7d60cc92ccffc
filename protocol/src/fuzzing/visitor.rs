//! The visitors of the `protocol_device` target: engines that run EDHOC with the device presenting
//! their credential by value (§8.4.6).
//!
//! - The guest, from its own transport address, whom the device's owner introduces: under the
//!   visitor context it obtains, it sends `introduce` with the owner's genuine introduction, that
//!   input with a byte changed or cut short, arbitrary inputs, and arbitrary invocations.
//! - Two strangers, each claiming its own node ID, who flood the device with handshakes by value from
//!   up to [`ADDRESSES`] transport addresses.
//!
//! [`Visitors::admitted`] checks the rate limit from outside ([IOTP-SEC-162], [IOTP-SEC-200]): in
//! any stretch of time, a transport address gets at most VISITOR_HANDSHAKE_BURST contexts from
//! handshakes by value, plus one per VISITOR_HANDSHAKE_INTERVAL of the stretch.

use alloc::string::String;
use alloc::vec::Vec;

use arbitrary::Arbitrary;
use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::{IntroductionStatement, SignedStatement};

use super::device::credential_statement;
use super::Counter;
use crate::engine::peers::ContextId;
use crate::engine::{
    Config, Destination, EdhocResponder, Event, KnownPeer, Node, Output, MIN_PENDING_LIFETIME,
    VISITOR_HANDSHAKE_BURST, VISITOR_HANDSHAKE_INTERVAL,
};
use crate::params::Instant;
use crate::security::edhoc::{AuthKey, Credential, LocalIdentity};
use crate::security::statement::sign_introduction;
use crate::security::{IdentityKey, NodeId};
use crate::server::acl::privilege;
use crate::server::security::member;

/// The guest's transport address; the strangers' are the [`ADDRESSES`] from it on.
pub(super) const FIRST_HOP: u8 = 3;

/// Transport addresses the strangers send from: more than the device counts at once.
const ADDRESSES: u8 = 64;

const GUEST_ADDRESS: &str = "guest@example.net";

/// Handshakes the device admitted, kept for the rate check (the oldest forgotten first).
const ADMISSIONS_KEPT: usize = 64;

/// A visitor's step of the `protocol_device` target.
#[derive(Arbitrary, Debug)]
pub(super) enum Visit {
    /// A handshake by value with the device: the guest's from its own address, or, with `stranger`,
    /// one of two strangers' (`claim` picks) from one of 64 addresses (`from`); with `abandon`, its
    /// `edhoc_3` is not delivered but kept as the last genuine envelope.
    Handshake {
        stranger: bool,
        claim: bool,
        from: u8,
        abandon: bool,
    },
    /// 1 to 8 handshakes by value of a stranger, each run to its end, from one address or, with
    /// `spread`, each from the next.
    Flood {
        count: u8,
        claim: bool,
        from: u8,
        spread: bool,
    },
    /// The guest's request under its latest context with the device.
    Ask(VisitorAsk),
}

/// What the guest asks under its latest context with the device.
#[derive(Arbitrary, Debug)]
pub(super) enum VisitorAsk {
    /// `introduce` with the owner's genuine introduction of the guest.
    Introduce,
    /// That input with one byte changed.
    IntroduceMutated { index: u16, xor: u8 },
    /// That input cut short.
    IntroduceTruncated { len: u16 },
    /// `introduce` with arbitrary input.
    IntroduceArbitrary(Vec<u8>),
    /// Switch the device on.
    SwitchOn,
    /// Any invocation.
    Invoke {
        endpoint: u8,
        capability: u8,
        action: u8,
        input: Option<Vec<u8>>,
    },
}

/// An initiator's engine.
struct Initiator {
    node: Node<u8>,
}

impl Initiator {
    /// An engine at `address` that can start EDHOC with `identity`.
    fn new(address: &str, identity: LocalIdentity) -> Self {
        let mut node = Node::new(
            Config {
                address: Some(address.into()),
                ..Config::default()
            },
            0,
        );
        node.set_edhoc_responder(Some(EdhocResponder {
            identity,
            peers: Vec::new(),
            max_pending: 2,
            pending_lifetime: MIN_PENDING_LIFETIME,
            max_visitors: 1,
            max_visitor_sources: 1,
        }));
        Initiator { node }
    }
}

/// What the visitors are made of: their EDHOC identities and the owner's introduction of the guest.
/// The same in every run: the fuzz body makes it once.
pub(super) struct VisitorMaterial {
    guest: LocalIdentity,
    strangers: [LocalIdentity; 2],
    introduction: Vec<u8>,
}

impl VisitorMaterial {
    /// The visitors of the device `device_id`, owned by `owner`; `keys(identity, auth, kid)` makes a
    /// node's identity key and its credential for the authentication key `[auth; 32]`.
    pub(super) fn new(
        device_id: &NodeId,
        owner: &IdentityKey,
        keys: impl Fn(u8, u8, u8) -> Option<(IdentityKey, Vec<u8>)>,
    ) -> Option<Self> {
        let identity = |auth: u8, ccs: &[u8]| {
            LocalIdentity::new(
                AuthKey::new(&[auth; 32]).ok()?,
                Credential::parse(ccs).ok()?,
            )
            .ok()
        };
        let (guest_key, guest_ccs) = keys(0x31, 0x32, 11)?;
        let (_, stranger_ccs) = keys(0x41, 0x42, 12)?;
        let (_, other_ccs) = keys(0x43, 0x44, 12)?;
        Some(VisitorMaterial {
            guest: identity(0x32, &guest_ccs)?,
            strangers: [identity(0x42, &stranger_ccs)?, identity(0x44, &other_ccs)?],
            introduction: introduction(owner, &guest_key, &guest_ccs, device_id)?,
        })
    }
}

/// The guest and the strangers.
pub(super) struct Visitors {
    guest: Initiator,
    strangers: [Initiator; 2],
    /// The device's credential and node ID, as an introduction gives them to the guest.
    device: KnownPeer,
    /// The input of `introduce` with the owner's genuine introduction and the guest's statement.
    introduction: Vec<u8>,
    /// The guest's latest context with the device, and the address it came from.
    session: Option<(ContextId, u8)>,
    /// The guest sent the genuine introduction: the only way the device may grant it anything.
    pub(super) introduced: bool,
    /// When the device admitted a handshake by value from which address, oldest first.
    admissions: Vec<(u8, Instant)>,
}

impl Visitors {
    /// The visitors made of `material`, of a device with credential `device_ccs` and node ID
    /// `device_id`.
    pub(super) fn new(material: &VisitorMaterial, device_ccs: &[u8], device_id: NodeId) -> Self {
        let [stranger, other] = material.strangers.clone();
        Visitors {
            guest: Initiator::new(GUEST_ADDRESS, material.guest.clone()),
            strangers: [
                Initiator::new("stranger@example.net", stranger),
                Initiator::new("other@example.net", other),
            ],
            device: KnownPeer {
                credential: device_ccs.to_vec(),
                address: None,
                node: Some(device_id),
            },
            introduction: material.introduction.clone(),
            session: None,
            introduced: false,
            admissions: Vec::new(),
        }
    }

    /// Starts a handshake by value with the device, which has the address `device_address` (the
    /// associated data of what is sealed under the context names it): the guest's from its own
    /// transport address, or a stranger's (`claim` picks which node ID) from the one `from` picks.
    /// The `edhoc_1` to deliver, with the address it comes from.
    pub(super) fn start(
        &mut self,
        now: Instant,
        rng: &mut Counter,
        device_address: Option<String>,
        stranger: Option<(bool, u8)>,
    ) -> Option<(u8, Vec<u8>)> {
        self.device.address = device_address;
        let (initiator, hop) = match stranger {
            None => (&mut self.guest, FIRST_HOP),
            Some((claim, from)) => (
                &mut self.strangers[usize::from(claim)],
                FIRST_HOP + 1 + from % ADDRESSES,
            ),
        };
        let (_, out) = initiator
            .node
            .connect_as_visitor(now, rng, hop, Destination::HopPeer, self.device.clone())
            .ok()?;
        first_datagram(out).map(|bytes| (hop, bytes))
    }

    /// The guest's request under its latest context: the datagram, the address it comes from, and
    /// whether it is the genuine introduction or an invocation after it (which may then change the
    /// device's state).
    pub(super) fn ask(
        &mut self,
        now: Instant,
        rng: &mut Counter,
        ask: VisitorAsk,
    ) -> Option<(u8, Vec<u8>)> {
        let (context, hop) = self.session?;
        let genuine = self.introduction.clone();
        let introduce = |input: Vec<u8>| invoke(0, 1, member::INTRODUCE, Some(input));
        let body = match ask {
            VisitorAsk::Introduce => {
                self.introduced = true;
                introduce(genuine)
            }
            VisitorAsk::IntroduceMutated { index, xor } => {
                let mut input = genuine;
                let i = usize::from(index) % input.len().max(1);
                if let Some(b) = input.get_mut(i) {
                    // Never the genuine input itself.
                    *b ^= xor.max(1);
                }
                introduce(input)
            }
            VisitorAsk::IntroduceTruncated { len } => {
                let n = usize::from(len) % genuine.len().max(1);
                introduce(genuine[..n].to_vec())
            }
            VisitorAsk::IntroduceArbitrary(input) => introduce(input),
            VisitorAsk::SwitchOn => invoke(1, 6, 9, None),
            VisitorAsk::Invoke {
                endpoint,
                capability,
                action,
                input,
            } => invoke(endpoint.into(), capability.into(), action.into(), input),
        };
        let (_, out) = self
            .guest
            .node
            .request(
                now,
                rng,
                hop,
                Destination::HopPeer,
                Some(context),
                &body,
                true,
                None,
            )
            .ok()?;
        first_datagram(out).map(|bytes| (hop, bytes))
    }

    /// What the device sent to the address `to` reaches the visitor there; its answers (an
    /// `edhoc_3`, an acknowledgement), to deliver from the same address.
    pub(super) fn answer(
        &mut self,
        now: Instant,
        rng: &mut Counter,
        to: u8,
        bytes: &[u8],
    ) -> Vec<(u8, Vec<u8>)> {
        let mut answers = Vec::new();
        if to == FIRST_HOP {
            for o in self.guest.node.receive(now, rng, &to, bytes) {
                match o {
                    Output::Send { to: hop, bytes } => answers.push((hop, bytes)),
                    Output::Event(Event::Session { context, .. }) => {
                        self.session = Some((context, to));
                    }
                    Output::Event(_) => {}
                }
            }
            return answers;
        }
        // Both strangers may send from any address: the one the reply is not for discards it.
        for stranger in self.strangers.iter_mut() {
            for o in stranger.node.receive(now, rng, &to, bytes) {
                if let Output::Send { to: hop, bytes } = o {
                    answers.push((hop, bytes));
                }
            }
        }
        answers
    }

    /// Time passes for the visitors (their retransmissions are not delivered: lost).
    pub(super) fn on_timer(&mut self, now: Instant, rng: &mut Counter) {
        for initiator in core::iter::once(&mut self.guest).chain(self.strangers.iter_mut()) {
            let _ = initiator.node.on_timer(now, rng);
        }
    }

    /// The device admitted a handshake by value from `from` at `now`: checks that no stretch of time
    /// ending now holds more admissions from that address than the limit allows.
    pub(super) fn admitted(&mut self, from: u8, now: Instant) {
        if self.admissions.len() >= ADMISSIONS_KEPT {
            self.admissions.remove(0);
        }
        self.admissions.push((from, now));
        let from_there: Vec<Instant> = self
            .admissions
            .iter()
            .filter(|(hop, _)| *hop == from)
            .map(|&(_, at)| at)
            .collect();
        for (i, &since) in from_there.iter().enumerate() {
            let admitted = (from_there.len() - i) as u64;
            let allowed = VISITOR_HANDSHAKE_BURST + (now - since) / VISITOR_HANDSHAKE_INTERVAL;
            assert!(
                admitted <= allowed,
                "{admitted} handshakes by value from {from} in {} ms",
                now - since
            );
        }
    }
}

/// The datagram among an engine's outputs (one per request).
fn first_datagram(out: Vec<Output<u8>>) -> Option<Vec<u8>> {
    out.into_iter().find_map(|o| match o {
        Output::Send { bytes, .. } => Some(bytes),
        Output::Event(_) => None,
    })
}

fn invoke(endpoint: u16, capability: u16, action: u16, input: Option<Vec<u8>>) -> Body {
    Body::Invoke(InvokeRequest {
        endpoint,
        capability,
        action,
        input,
        echo: None,
        unknown_fields: Default::default(),
    })
}

/// The input of `introduce`: the owner's introduction of the guest to the device (read and invoke
/// on everything) and the guest's credential statement.
fn introduction(
    owner: &IdentityKey,
    guest: &IdentityKey,
    guest_ccs: &[u8],
    device: &NodeId,
) -> Option<Vec<u8>> {
    let statement = credential_statement(guest, guest_ccs, GUEST_ADDRESS)?;
    let introduction = sign_introduction(
        owner,
        &IntroductionStatement {
            subject: device.as_bytes(),
            subject_address: None,
            audience: guest.node_id().as_bytes(),
            privileges: privilege::READ | privilege::INVOKE,
            targets: None,
            serial: 1,
            not_after: None,
            issued_at: None,
            unknown_fields: Default::default(),
        },
    )
    .ok()?;
    iotp2p_codec::security::owned::Introduction {
        statement: SignedStatement::decode(&introduction).ok()?.into_owned(),
        credentials: alloc::vec![SignedStatement::decode(&statement).ok()?.into_owned()],
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .ok()
}

//! What the clients of the `protocol_relay_server` target send: the keys and signed statements
//! every run starts from (made once per process), and the input of each genuine step's request
//! (`enrol`, `register`, `release`, `unenrol`, `set_policy`, `registrations`, `lookup`).

use alloc::vec::Vec;

use iotp2p_codec::capabilities::owned::{
    EnrolRequest, PolicyRequest, RegisterRequest, RegistrationsRequest, RelayPolicy, ReleaseRequest,
};
use iotp2p_codec::capabilities::LookupPolicy;
use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::SignedStatement;
use iotp2p_codec::security::RehomingStatement;

use super::device::{credential_statement, keys};
use super::relay_server::Step;
use crate::engine::KnownPeer;
use crate::security::edhoc::{AuthKey, Credential, LocalIdentity};
use crate::security::statement::{sign_own_credential, sign_rehoming};
use crate::security::{IdentityKey, NodeId};
use crate::server::relay::{member, RELAY as CAPABILITY};

/// The relay's service address.
pub(super) const SERVICE: &str = "_relay@home.example.org";
/// Smith's two tokens, Jones's, and one the relay never issued.
pub(super) const TOKENS: [[u8; 16]; 4] = [[0x5a; 16], [0x5b; 16], [0xa5; 16], [0x11; 16]];
/// How long the tokens last: a day.
pub(super) const TOKEN_LIFETIME: u64 = 86_400_000;
/// Registrations an account may hold: small, so that the quota is reached.
pub(super) const QUOTA: u32 = 2;
/// The nodes' addresses; a node moves from its previous address to here, and away to the other.
pub(super) const NODES: [&str; 3] = [
    "lamp@home.example.org",
    "door@home.example.org",
    "hall@home.example.org",
];
pub(super) const PREVIOUS: &str = "old@example.net";
pub(super) const MOVED: &str = "moved@lamps.example.com";
/// Clients: 0 and 1 Smith's controllers, 2 Jones's, 3 a stranger; hop 4 holds no context.
pub(super) const CLIENTS: usize = 4;

/// A node's keys and signed statements, made once per process.
struct NodeMaterial {
    /// Credential statements for its address with serial 1 and 2, for another domain, and for
    /// the address of the node before it (as another node's claim to that address).
    statements: [Vec<u8>; 4],
    /// Re-homing statements: from [`PREVIOUS`] to its address, and from its address to [`MOVED`].
    arriving: Vec<u8>,
    leaving: Vec<u8>,
}

/// What every run starts from: the clients' keys, credentials and credential statements, and the
/// nodes'. Made once per process: each signature costs an elliptic-curve multiplication and the
/// fuzzer's inputs change none of it.
pub(super) struct Material {
    /// Each client's node ID, credential and credential statement.
    pub(super) clients: Vec<(NodeId, Vec<u8>, Vec<u8>)>,
    /// Each client's EDHOC identity (the authentication key of its credential).
    pub(super) identities: Vec<LocalIdentity>,
    /// The relay's EDHOC identity, and the relay as a client knows it before a handshake.
    pub(super) relay: (LocalIdentity, KnownPeer),
    nodes: Vec<NodeMaterial>,
}

pub(super) fn material() -> Option<&'static Material> {
    static MATERIAL: std::sync::OnceLock<Option<Material>> = std::sync::OnceLock::new();
    MATERIAL.get_or_init(make_material).as_ref()
}

fn rehoming(key: &IdentityKey, from: &str, to: &str) -> Option<Vec<u8>> {
    sign_rehoming(
        key,
        &RehomingStatement {
            node: key.node_id().as_bytes(),
            previous_address: from,
            new_address: to,
            sequence: 1,
            grace_period: 3_600,
            issued_at: None,
            unknown_fields: Default::default(),
        },
        None,
    )
    .ok()
}

fn make_material() -> Option<Material> {
    let identity = |auth: u8, ccs: &[u8]| {
        LocalIdentity::new(
            AuthKey::new(&[auth; 32]).ok()?,
            Credential::parse(ccs).ok()?,
        )
        .ok()
    };
    let mut clients = Vec::new();
    let mut identities = Vec::new();
    for i in 0..CLIENTS as u8 {
        let (key, ccs) = keys(0x51 + 2 * i, 0x52 + 2 * i, 20 + i)?;
        let statement = credential_statement(&key, &ccs, "phone@example.net")?;
        identities.push(identity(0x52 + 2 * i, &ccs)?);
        clients.push((key.node_id(), ccs, statement));
    }
    let (relay_key, relay_ccs) = keys(0x61, 0x62, 40)?;
    let relay = (
        identity(0x62, &relay_ccs)?,
        KnownPeer {
            credential: relay_ccs,
            address: Some(SERVICE.into()),
            node: Some(relay_key.node_id()),
        },
    );
    let mut nodes = Vec::new();
    for (i, address) in NODES.iter().enumerate() {
        let i = i as u8;
        let (key, ccs) = keys(0x71 + 2 * i, 0x72 + 2 * i, 30 + i)?;
        let statements = [
            sign_own_credential(&key, &ccs, Some(address), 1).ok()?,
            sign_own_credential(&key, &ccs, Some(address), 2).ok()?,
            sign_own_credential(&key, &ccs, Some("lamp@other.example.org"), 1).ok()?,
            sign_own_credential(&key, &ccs, Some(NODES[(usize::from(i) + 2) % 3]), 5).ok()?,
        ];
        nodes.push(NodeMaterial {
            arriving: rehoming(&key, PREVIOUS, address)?,
            leaving: rehoming(&key, address, MOVED)?,
            statements,
        });
    }
    Some(Material {
        clients,
        identities,
        relay,
        nodes,
    })
}

/// A CBOR text string or byte string, as the Relay actions that take an address or a node ID read it.
fn cbor(text: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    let mut buf = alloc::vec![0u8; 300];
    let mut w = iotp2p_codec::runtime::Writer::new(&mut buf);
    let written = match text {
        Some(t) => w.text(t),
        None => w.bytes(bytes),
    };
    let n = if written.is_ok() { w.position() } else { 0 };
    buf.truncate(n);
    buf
}

fn signed(bytes: &[u8]) -> Option<SignedStatement> {
    Some(
        iotp2p_codec::security::SignedStatement::decode(bytes)
            .ok()?
            .into_owned(),
    )
}

pub(super) fn invoke(action: u16, input: Vec<u8>) -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 0,
        capability: CAPABILITY,
        action,
        input: Some(input),
        echo: None,
        unknown_fields: Default::default(),
    })
}

fn policy(
    lookup: u8,
    listed: bool,
    held: Option<u16>,
    time: Option<u32>,
    m: &Material,
) -> RelayPolicy {
    RelayPolicy {
        lookup: match lookup % 3 {
            0 => LookupPolicy::Public,
            1 => LookupPolicy::Listed,
            _ => LookupPolicy::Nobody,
        },
        lookup_allowed: listed.then(|| m.clients.iter().map(|c| *c.0.as_bytes()).collect()),
        max_held_messages: held,
        max_hold_time: time,
        unknown_fields: Default::default(),
    }
}

/// The input of a genuine step's request, and its action; `None` when the step sends nothing of
/// its own.
pub(super) fn request(step: &Step, m: &Material) -> Option<(usize, u16, Vec<u8>)> {
    let node = |n: &u8| &m.nodes[usize::from(*n) % NODES.len()];
    let address = |n: &u8| NODES[usize::from(*n) % NODES.len()];
    Some(match step {
        Step::Enrol { who, token } => {
            let who = usize::from(*who) % CLIENTS;
            let input = EnrolRequest {
                token: TOKENS[usize::from(*token) % TOKENS.len()].to_vec(),
                credential: signed(&m.clients[who].2)?,
                unknown_fields: Default::default(),
            };
            (who, member::ENROL, input.encode_to_vec().ok()?)
        }
        Step::Register {
            who,
            node: n,
            kind,
            policy: p,
            previous_relays,
            mutate,
        } => {
            let nm = node(n);
            let credential = match kind % 5 {
                1 => &nm.statements[1],
                2 => &node(&n.wrapping_add(1)).statements[3],
                3 => &nm.statements[2],
                _ => &nm.statements[0],
            };
            let input = RegisterRequest {
                credential: signed(credential)?,
                policy: p.map(|p| policy(p, p & 4 != 0, None, None, m)),
                previous_relays: previous_relays.then(|| alloc::vec!["relay.example.net".into()]),
                rehoming: if kind % 5 == 4 {
                    signed(&nm.arriving)
                } else {
                    None
                },
                unknown_fields: Default::default(),
            };
            let mut input = input.encode_to_vec().ok()?;
            if let Some((index, xor)) = mutate {
                let i = usize::from(*index) % input.len().max(1);
                if let Some(b) = input.get_mut(i) {
                    *b ^= *xor;
                }
            }
            (usize::from(*who), member::REGISTER, input)
        }
        Step::Release {
            who,
            node: n,
            rehoming,
        } => {
            let input = ReleaseRequest {
                address: address(n).into(),
                rehoming: if *rehoming {
                    signed(&node(n).leaving)
                } else {
                    None
                },
                unknown_fields: Default::default(),
            };
            (
                usize::from(*who),
                member::RELEASE,
                input.encode_to_vec().ok()?,
            )
        }
        Step::Unenrol { who, whom } => {
            let id = m.clients[usize::from(*whom) % CLIENTS].0;
            (
                usize::from(*who),
                member::UNENROL,
                cbor(None, id.as_bytes()),
            )
        }
        Step::SetPolicy {
            who,
            node: n,
            lookup,
            listed,
            max_held_messages,
            max_hold_time,
        } => {
            let input = PolicyRequest {
                address: address(n).into(),
                policy: policy(*lookup, *listed, *max_held_messages, *max_hold_time, m),
                unknown_fields: Default::default(),
            };
            (
                usize::from(*who),
                member::SET_POLICY,
                input.encode_to_vec().ok()?,
            )
        }
        Step::Registrations { who, after } => {
            let input = RegistrationsRequest {
                after: after.map(|n| address(&n).into()),
                unknown_fields: Default::default(),
            };
            (
                usize::from(*who),
                member::REGISTRATIONS,
                input.encode_to_vec().ok()?,
            )
        }
        Step::Lookup { who, node: n } => {
            let a = if usize::from(*n) >= 200 {
                MOVED
            } else {
                address(n)
            };
            (usize::from(*who), member::LOOKUP, cbor(Some(a), &[]))
        }
        _ => return None,
    })
}

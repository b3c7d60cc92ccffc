//! The reference lamp as firmware links it: `iotp2p-device`'s lamp profile (OnOff, Level,
//! DeviceInfo) served by the protocol crate's `Server` with the Security capability of an unclaimed
//! device (SPAKE2+ verifier, pairing context, ACL, credential statements signed with its identity key),
//! over the engine. It answers a `pair_start` and a sealed `set_level` (spec §5.15.1) from a peer it
//! holds a context with; the EDHOC responder is not linked (the `edhoc` image measures it).
#![no_std]
#![no_main]

extern crate alloc;

use cortex_m_rt::entry;
use iotp2p_codec::core::role;
use iotp2p_device::info::DeviceInfo;
use iotp2p_device::lamp::Lamp;
use iotp2p_footprint::{init_heap, opaque, Rng};
use iotp2p_protocol::engine::peers::{ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Node};
use iotp2p_protocol::security::spake2plus::VerifierRecord;
use iotp2p_protocol::security::statement::ccs::p256_credential;
use iotp2p_protocol::security::{IdentityKey, KeyId, MasterSecret, SecurityContext};
use iotp2p_protocol::server::security::{Manufactured, SecurityService};
use iotp2p_protocol::server::Server;
use p256::elliptic_curve::sec1::ToEncodedPoint;

/// `msg.invoke-set-level-sealed` of spec §5.15.1.
const REQUEST: [u8; 43] = [
    0xa6, 0x01, 0x19, 0x04, 0xd2, 0x03, 0xf5, 0x04, 0x18, 0x39, 0x09, 0x01, 0x0a, 0x41, 0x01, 0x0b,
    0x58, 0x19, 0x4b, 0x56, 0xfe, 0x05, 0xc6, 0x8f, 0x0b, 0xad, 0x51, 0x0e, 0x2c, 0x72, 0x60, 0x79,
    0x3a, 0x92, 0xe9, 0x44, 0xd4, 0xf7, 0xac, 0x3d, 0xfa, 0x30, 0xbb,
];

/// An unsealed `pair_start` with spec §8.3.3's example input, confirmable, `message_id` 0: a
/// controller's first message.
const PAIR_START: [u8; 34] = [
    0xa3, 0x01, 0x00, 0x03, 0xf5, 0x0c, 0xa1, 0x04, 0xa3, 0x01, 0x01, 0x02, 0x0a, 0x03, 0x53, 0xa1,
    0x00, 0x50, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69,
];

/// The SPAKE2+ verifier of the printed passcode (w0 ‖ L), written at manufacture.
const VERIFIER: [u8; 97] = [
    0x69, 0xc9, 0x1b, 0xcd, 0xcb, 0x23, 0x92, 0x10, 0xbc, 0x9d, 0x4b, 0xce, 0x86, 0xc9, 0x11, 0xe5,
    0x6d, 0xe1, 0xd8, 0x7b, 0x88, 0x04, 0x9e, 0x93, 0x45, 0x24, 0x92, 0x12, 0x3e, 0xa8, 0x25, 0x37,
    0x04, 0x04, 0xbf, 0xf2, 0xe2, 0xba, 0x43, 0x17, 0x39, 0xeb, 0x24, 0x99, 0xa9, 0x3e, 0x6d, 0x41,
    0x93, 0xc0, 0xae, 0x7b, 0x8a, 0xbe, 0x9b, 0xf7, 0x17, 0xf8, 0x29, 0x10, 0xb4, 0x77, 0xa8, 0x70,
    0x38, 0x8e, 0xec, 0x76, 0x8d, 0xdc, 0x3a, 0x7a, 0x40, 0x19, 0x96, 0xf6, 0xfe, 0x22, 0xf8, 0x9b,
    0x7f, 0x68, 0xad, 0x94, 0xef, 0xe8, 0xf3, 0x7a, 0xe9, 0x20, 0x17, 0x4e, 0x7d, 0x3f, 0x9f, 0x94,
    0xac,
];

#[entry]
fn main() -> ! {
    init_heap();
    let mut rng = Rng(opaque(1));
    // What the factory wrote: the identity key, the authentication key's credential, the verifier.
    let identity =
        IdentityKey::from_bytes(&opaque([0x11; 32])).unwrap_or_else(|_| iotp2p_footprint::done());
    let point = p256::SecretKey::from_bytes(&opaque([0x12; 32]).into())
        .map(|k| k.public_key().to_encoded_point(false))
        .unwrap_or_else(|_| iotp2p_footprint::done());
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        iotp2p_footprint::done()
    };
    let ccs = p256_credential(
        &identity.node_id(),
        &[7],
        x.as_slice().try_into().unwrap_or(&[0; 32]),
        y.as_slice().try_into().unwrap_or(&[0; 32]),
    )
    .unwrap_or_default();
    let Ok(verifier) = VerifierRecord::from_bytes(&opaque(VERIFIER)) else {
        iotp2p_footprint::done()
    };
    let made = Manufactured {
        identity,
        auth_credentials: alloc::vec![ccs],
        verifier,
        salt: alloc::vec![0x5a; 16],
        iterations: 1000,
        suites: alloc::vec![2],
    };
    let Ok(security) = SecurityService::unclaimed(made, 0) else {
        iotp2p_footprint::done()
    };
    // A device's firmware decodes as a device receives: no decoder of a body it never receives.
    let mut node: Node<u8, role::Device> = Node::with_role(
        Config {
            address: Some("lamp@home.example.org".into()),
            ..Config::default()
        },
        0,
        role::Device,
    );
    node.set_home_relay(Some(0));
    let secret = opaque([1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    let salt = opaque([0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40]);
    let context = SecurityContext::derive(
        MasterSecret {
            secret: &secret,
            salt: &salt,
        },
        KeyId::from_byte(2),
        KeyId::from_byte(1),
    );
    let _ = node.add_context(
        context,
        Peer {
            address: Some("app@example.com".into()),
            kind: ContextKind::Ordinary,
            node: None,
        },
    );
    let lamp = Lamp::new(DeviceInfo::new("iotp2p", "Reference Lamp"), 1, 254);
    let model = lamp.model();
    let mut server = Server::with_security(node, model, Default::default(), lamp, security);
    for (now, datagram) in [
        (0, &PAIR_START[..]),
        (10, &REQUEST[..]),
        (1000, &REQUEST[..]),
    ] {
        opaque(server.receive(now, &mut rng, &0, opaque(datagram)));
        opaque(server.on_timer(now, &mut rng));
    }
    opaque(server.app().light());
    iotp2p_footprint::done()
}

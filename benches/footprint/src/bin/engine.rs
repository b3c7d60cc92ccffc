//! The end node's engine: the lamp of spec §5.15.1 receives the sealed invoke from its home relay
//! and answers it (receive pipeline, envelope rules, digest, duplicate and reply caches, sealing,
//! acknowledgement and retransmission, the codec's Envelope and Body). With the feature-less
//! `device` image next to it, the difference is what the interaction model and reassembly add.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use iotp2p_codec::core::owned::{Body, InvokeResponse};
use iotp2p_codec::core::role;
use iotp2p_footprint::{init_heap, opaque, Rng};
use iotp2p_protocol::engine::peers::{ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Event, Node, Output};
use iotp2p_protocol::security::{KeyId, MasterSecret, SecurityContext};

/// `msg.invoke-set-level-sealed` of spec §5.15.1.
const REQUEST: [u8; 43] = [
    0xa6, 0x01, 0x19, 0x04, 0xd2, 0x03, 0xf5, 0x04, 0x18, 0x39, 0x09, 0x01, 0x0a, 0x41, 0x01, 0x0b,
    0x58, 0x19, 0x4b, 0x56, 0xfe, 0x05, 0xc6, 0x8f, 0x0b, 0xad, 0x51, 0x0e, 0x2c, 0x72, 0x60, 0x79,
    0x3a, 0x92, 0xe9, 0x44, 0xd4, 0xf7, 0xac, 0x3d, 0xfa, 0x30, 0xbb,
];

#[entry]
fn main() -> ! {
    init_heap();
    let mut rng = Rng(opaque(1));
    // A device's firmware decodes as a device receives: no decoder of a body it never receives.
    let mut lamp: Node<u8, role::Device> = Node::with_role(
        Config {
            address: Some("lamp@home.example.org".into()),
            ..Config::default()
        },
        0,
        role::Device,
    );
    lamp.set_home_relay(Some(0));
    let secret = opaque([1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    let salt = opaque([0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40]);
    let ctx = SecurityContext::derive(
        MasterSecret {
            secret: &secret,
            salt: &salt,
        },
        KeyId::from_byte(2),
        KeyId::from_byte(1),
    );
    let _ = lamp.add_context(
        ctx,
        Peer {
            address: Some("app@example.com".into()),
            kind: ContextKind::Ordinary,
            node: None,
        },
    );
    // The request, then the relay's retransmission of it (a duplicate, answered from the cache).
    for now in [0, 1000] {
        let request = opaque(REQUEST);
        for output in lamp.receive(now, &mut rng, &0, &request) {
            if let Output::Event(Event::Request { exchange, .. }) = output {
                let reply = Body::InvokeResponse(InvokeResponse {
                    output: None,
                    unknown_fields: Default::default(),
                });
                opaque(lamp.reply(now, &mut rng, exchange, &reply)).ok();
            } else {
                opaque(output);
            }
        }
        opaque(lamp.on_timer(now, &mut rng));
    }
    iotp2p_footprint::done()
}

//! A whole device: the engine of the `engine` image, plus the interaction model's dispatch (a lamp
//! with a Level capability) and reassembly of fragments from its link (spec §5.12).
#![no_std]
#![no_main]

extern crate alloc;

use cortex_m_rt::entry;
use iotp2p_codec::core::role;
use iotp2p_footprint::{init_heap, opaque, Rng};
use iotp2p_protocol::engine::peers::{ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Event, Node, Output};
use iotp2p_protocol::interaction::check::ValueError;
use iotp2p_protocol::interaction::model::{Capability, Endpoint, Member, MemberKind, Model};
use iotp2p_protocol::interaction::{Access, Capabilities, Dispatcher, Failure, Request};
use iotp2p_protocol::message::fragment::{Reassembler, Received};
use iotp2p_protocol::security::{KeyId, MasterSecret, SecurityContext};

/// `msg.invoke-set-level-sealed` of spec §5.15.1.
const REQUEST: [u8; 43] = [
    0xa6, 0x01, 0x19, 0x04, 0xd2, 0x03, 0xf5, 0x04, 0x18, 0x39, 0x09, 0x01, 0x0a, 0x41, 0x01, 0x0b,
    0x58, 0x19, 0x4b, 0x56, 0xfe, 0x05, 0xc6, 0x8f, 0x0b, 0xad, 0x51, 0x0e, 0x2c, 0x72, 0x60, 0x79,
    0x3a, 0x92, 0xe9, 0x44, 0xd4, 0xf7, 0xac, 0x3d, 0xfa, 0x30, 0xbb,
];

/// The lamp's one property and one action.
struct Lamp {
    level: u8,
}

impl Capabilities for Lamp {
    fn check_value(&self, _: u16, _: u16, _: u16, value: &[u8]) -> Result<(), ValueError> {
        match value {
            [0xa1, 0x00, 0x18, _] | [0xa1, 0x00, 0..=0x17] => Ok(()),
            _ => Err(ValueError::Constraint),
        }
    }
    fn read(&mut self, _: u16, _: u16, _: u16) -> Result<alloc::vec::Vec<u8>, Failure> {
        Ok(alloc::vec![0x18, self.level])
    }
    fn write(&mut self, _: u16, _: u16, values: &[(u16, &[u8])]) -> Result<(), Failure> {
        self.level = values
            .first()
            .and_then(|v| v.1.last().copied())
            .unwrap_or(0);
        Ok(())
    }
    fn invoke(
        &mut self,
        _: u16,
        _: u16,
        _: u16,
        input: Option<&[u8]>,
    ) -> Result<Option<alloc::vec::Vec<u8>>, Failure> {
        self.level = input.and_then(|i| i.last().copied()).unwrap_or(0);
        Ok(None)
    }
}

fn model() -> Model {
    Model {
        endpoints: alloc::vec![Endpoint {
            number: 1,
            label: None,
            capabilities: alloc::vec![Capability {
                number: 7,
                package: "iotp2p.capabilities".into(),
                name: "Level".into(),
                version: (1, 0, 0),
                members: alloc::vec![
                    Member::new(
                        0,
                        MemberKind::Property {
                            writable: true,
                            observable: true,
                            fresh: false
                        }
                    ),
                    Member::new(
                        8,
                        MemberKind::Action {
                            input: true,
                            output: false,
                            fresh: false
                        }
                    ),
                ],
            }],
        }],
        revision: 1,
    }
}

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
    let mut dispatcher: Dispatcher<u8> = Dispatcher::new(model(), Default::default());
    let mut app = Lamp { level: 0 };
    let mut reassembler: Reassembler<u8> = Reassembler::new(704, 1, 1, 60_000);
    // The request, then the relay's retransmission of it (a duplicate, answered from the cache).
    for now in [0, 1000] {
        let frame = opaque(REQUEST);
        let request = match reassembler.receive(&0, &frame, now) {
            Received::Message(m) => m.to_vec(),
            Received::Reassembled(m) => m,
            _ => continue,
        };
        for output in lamp.receive(now, &mut rng, &0, &request) {
            if let Output::Event(Event::Request {
                exchange,
                context,
                body,
                ..
            }) = output
            {
                let reply = dispatcher.handle(
                    &mut app,
                    Request {
                        body: &body,
                        access: Access::Allowed,
                        context,
                        subscriber: &0,
                        message_id: 0,
                    },
                    now,
                    &mut rng,
                );
                opaque(lamp.reply(now, &mut rng, exchange, &reply)).ok();
            } else {
                opaque(output);
            }
        }
        opaque(dispatcher.reports(&mut app, now));
        opaque(lamp.on_timer(now, &mut rng));
    }
    iotp2p_footprint::done()
}
